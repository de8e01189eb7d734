"""Shared fixtures: the airline series and a synthetic monthly series factory."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so a clean checkout's test command
# is reproducible (a random draw once found a series SARIMAX cannot fit, in one run of
# many). HYPOTHESIS_PROFILE=explore searches new examples; put what it finds in @example.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from forecastkit.data import load_data


@pytest.fixture(scope="session")
def _airline_cached() -> pd.DataFrame:
    return load_data("airline-passengers")


@pytest.fixture
def airline(_airline_cached: pd.DataFrame) -> pd.DataFrame:
    """The airline-passengers DataFrame (144 monthly rows, column ``Passengers``)."""
    return _airline_cached.copy()


@pytest.fixture
def make_series():
    """Factory for a synthetic monthly frame: trend + yearly season + noise.

    ``make_series(n=60, columns=("y",), seed=0)`` returns a DataFrame with a
    month-start DatetimeIndex (``freq='MS'``) and float columns.
    """

    def make(n: int = 60, columns=("y",), seed: int = 0) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        t = np.arange(n, dtype=float)
        data = {
            c: 10 * (k + 1) + 0.5 * t + 3 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 0.3, n)
            for k, c in enumerate(columns)
        }
        index = pd.date_range("2000-01-01", periods=n, freq="MS", name="month")
        return pd.DataFrame(data, index=index)

    return make
