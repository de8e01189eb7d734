"""Every registered non-Keras type through the same contract (see ``_contract.py``);
a new registry entry is included automatically and must declare ``test_params``."""

from __future__ import annotations

import pytest
from _contract import check_bad_input, check_contract, check_multi_target, entries

from forecastkit.forecasters.registry import REGISTRY

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # tiny test fits

TYPES = entries(neural=False)


def test_every_entry_declares_test_params():
    missing = [name for name, entry in REGISTRY.items() if entry.test_params is None]
    assert not missing, f"registry entries without test_params: {missing}"


def test_the_suites_cover_the_whole_registry():
    assert sorted(TYPES + entries(neural=True)) == sorted(REGISTRY)


@pytest.mark.parametrize("name", TYPES)
def test_contract(name, tmp_path):
    check_contract(name, tmp_path)


@pytest.mark.parametrize("name", TYPES)
def test_bad_input(name):
    check_bad_input(name)


@pytest.mark.parametrize("name", TYPES)
def test_multi_target(name):
    check_multi_target(name)
