"""Every registered Keras type through the same contract (see ``_contract.py``),
with the entries' tiny ``test_params`` (a few epochs of a few units)."""

from __future__ import annotations

import pytest
from _contract import check_bad_input, check_contract, check_multi_target, entries

pytestmark = pytest.mark.keras

TYPES = entries(neural=True)


@pytest.mark.parametrize("name", TYPES)
def test_contract(name, tmp_path):
    check_contract(name, tmp_path)


@pytest.mark.parametrize("name", TYPES)
def test_bad_input(name):
    check_bad_input(name)


@pytest.mark.parametrize("name", TYPES)
def test_multi_target(name):
    check_multi_target(name)
