"""Guerrero's lambda, which decides whether auto_arima(transform="auto") searches the log:
known answers, a brute-force reference, scale invariance, and the gate in auto_arima."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster
from forecastkit.forecasters.statistical.transform_choice import LOG_LAMBDA_BELOW, guerrero_lambda


def blocks_with_spread(power: float, m: int = 12, years: int = 12, seed: int = 0) -> np.ndarray:
    """Years whose levels rise from 10 to 400 and whose spread is ``level ** power``
    (the same zero-mean, unit-sd pattern scaled): Guerrero's lambda is ``1 - power``."""
    pattern = np.random.default_rng(seed).normal(size=(years, m))
    pattern = (pattern - pattern.mean(axis=1, keepdims=True)) / pattern.std(axis=1, ddof=1, keepdims=True)
    level = np.geomspace(10, 400, years)
    return (level[:, None] + 0.25 * level[:, None] ** power * pattern).ravel()  # |pattern| < sqrt(11)


@pytest.mark.parametrize("power", [1.0, 0.5, 0.0])
def test_known_answer_spread_proportional_to_a_power_of_the_level(power):
    """sd_i = c * mean_i ** power makes sd_i / mean_i ** (1 - lambda) constant at
    lambda = 1 - power: the coefficient of variation is 0 there."""
    assert guerrero_lambda(blocks_with_spread(power), 12) == pytest.approx(1 - power, abs=1e-3)


def block_stats(y: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Means and sds of the last whole blocks of ``p`` rows, by a loop from the end."""
    blocks = [y[len(y) - (i + 1) * p: len(y) - i * p] for i in range(len(y) // p)]
    return np.array([np.mean(b) for b in blocks]), np.array([np.std(b, ddof=1) for b in blocks])


def cv_at(y: np.ndarray, p: int, lams: np.ndarray) -> np.ndarray:
    """The coefficient of variation of sd_i / mean_i ** (1 - lambda) at each lambda."""
    means, sds = block_stats(y, p)
    r = sds[None, :] / means[None, :] ** (1 - np.asarray(lams, dtype=float)[:, None])
    return r.std(axis=1, ddof=1) / r.mean(axis=1)


def reference_lambda(y: np.ndarray, m: int) -> float:
    """Brute force: the point of a 0.001 grid on [-1, 2] with the smallest
    coefficient of variation."""
    grid = np.linspace(-1, 2, 3001)
    return float(grid[int(np.argmin(cv_at(y, max(m, 2), grid)))])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.sampled_from([1, 4, 7, 12]), years=st.integers(3, 12),
       scale=st.floats(0.01, 1000))
def test_matches_a_brute_force_reference_and_ignores_the_unit(seed, m, years, scale):
    p = max(m, 2)
    rng = np.random.default_rng(seed)
    y = np.exp(rng.normal(3, 0.6, size=years * p + int(rng.integers(0, p))))  # a ragged start is dropped
    got, ref = guerrero_lambda(y, m), reference_lambda(y, m)
    # the bounded optimiser may stop elsewhere only at a point as good as the grid's
    assert abs(got - ref) < 2e-3 or cv_at(y, p, [got])[0] <= cv_at(y, p, [ref])[0] + 1e-9
    # sd / mean ** (1 - lambda) scales by scale ** lambda in every block: the same cv
    assert guerrero_lambda(scale * y, m) == pytest.approx(got, abs=1e-3)


def test_nan_with_fewer_than_two_blocks_or_a_non_positive_value():
    assert math.isnan(guerrero_lambda(np.arange(1.0, 20.0), 12))
    assert math.isnan(guerrero_lambda(np.r_[0.0, np.arange(1.0, 40.0)], 12))
    assert not math.isnan(guerrero_lambda(np.arange(1.0, 25.0), 12))


def frame(values) -> pd.DataFrame:
    return pd.DataFrame({"y": values}, index=pd.date_range("2000-01-01", periods=len(values), freq="MS"))


def test_auto_arima_searches_the_log_only_when_the_spread_grows_with_the_level():
    """A seasonal pattern of constant size on a rising level (lambda near 1) is searched
    untransformed only; the same pattern growing with the level (lambda near 0) on both
    scales, and the one-step errors then decide."""
    t = np.arange(120)
    noise = np.random.default_rng(1).normal(0, 0.5, size=120)
    level = 20 + 0.5 * t
    additive = level + 5 * np.sin(2 * np.pi * t / 12) + noise
    multiplicative = level * (1 + 0.25 * np.sin(2 * np.pi * t / 12)) + noise
    kw = {"season_length": 12, "max_p": 1, "max_q": 1, "max_P": 1, "max_Q": 1}
    add = AutoARIMAForecaster(**kw).fit(frame(additive))
    assert add.guerrero_lambda_ >= LOG_LAMBDA_BELOW and add.fitted_info()["guerrero_lambda"] == add.guerrero_lambda_
    assert set(add.transform_scores_) == {None} and add.transform_ is None
    mul = AutoARIMAForecaster(**kw).fit(frame(multiplicative))
    assert mul.guerrero_lambda_ < LOG_LAMBDA_BELOW and set(mul.transform_scores_) == {None, "log"}
    assert mul.transform_ == min(mul.transform_scores_, key=lambda tf: (mul.transform_scores_[tf], tf is not None))
    # a fixed transform computes nothing and reports nothing
    fixed = AutoARIMAForecaster(transform=None, **kw).fit(frame(additive))
    assert math.isnan(fixed.guerrero_lambda_) and "guerrero_lambda" not in fixed.fitted_info()
