"""naive2 (and theta beside it): the seasonality test, the classical multiplicative indices, known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters.statistical.theta import ThetaForecaster
from forecastkit.forecasters.statistical.seasonal_adjust import (
    Naive2Forecaster,
    acf,
    is_seasonal,
    seasonal_indices,
)

PATTERN = np.array([0.8, 0.9, 1.0, 1.1, 1.3, 1.2, 1.1, 1.0, 0.9, 0.85, 0.9, 0.95])


def monthly(values):
    return pd.DataFrame({"y": values}, index=pd.date_range("2000-01-01", periods=len(values), freq="MS"))


def test_acf_matches_statsmodels():
    from statsmodels.tsa.stattools import acf as sm_acf

    x = np.random.default_rng(1).normal(size=50).cumsum()
    np.testing.assert_allclose(acf(x, 12), sm_acf(x, nlags=12, fft=False), atol=1e-12)


def test_seasonality_test():
    rng = np.random.default_rng(0)
    n = 72
    seasonal = 100 * np.tile(PATTERN, n // 12) + rng.normal(0, 1, n)
    assert is_seasonal(seasonal, 12)
    assert not is_seasonal(100 + rng.normal(0, 1, n), 12)
    assert not is_seasonal(seasonal[:30], 12)  # fewer than 3 m rows: not tested
    assert not is_seasonal(seasonal, 1)


def test_indices_recover_a_multiplicative_pattern():
    y = 50 * np.tile(PATTERN, 6)
    np.testing.assert_allclose(seasonal_indices(y, 12), PATTERN / PATTERN.mean(), rtol=1e-12)


def test_additive_indices_recover_an_additive_pattern():
    offsets = 10 * (PATTERN - PATTERN.mean())
    y = 50 + 0.3 * np.arange(96) + np.tile(offsets, 8)  # a line plus the pattern
    np.testing.assert_allclose(seasonal_indices(y, 12, multiplicative=False), offsets, atol=1e-9)


def test_naive2_on_a_level_times_season_series_is_exact():
    y = 50 * np.tile(PATTERN, 6)
    f = Naive2Forecaster(season_length=12).fit(monthly(y)).predict(18)["y"].to_numpy()
    np.testing.assert_allclose(f, 50 * np.tile(PATTERN, 3)[:18], rtol=1e-10)
    est = Naive2Forecaster(season_length=12).fit(monthly(y[:-1]))  # origin mid-season
    np.testing.assert_allclose(est.predict(3)["y"], 50 * PATTERN[[11, 0, 1]], rtol=1e-10)
    assert est.fitted_info()["seasonal"] == [True]


def test_naive2_without_seasonality_is_naive():
    y = 10 + np.random.default_rng(3).normal(0, 1, 40).cumsum()
    f = Naive2Forecaster(season_length=12).fit(monthly(y)).predict(5)["y"]
    np.testing.assert_allclose(f, y[-1])


def test_theta_on_a_line_adds_half_the_slope():
    # SES weight -> 1 on a line, so the forecast is y_n + (slope / 2) * k
    y = 5 + 2.0 * np.arange(40)
    est = ThetaForecaster(season_length=12, variant="standard").fit(monthly(y))
    np.testing.assert_allclose(est.predict(4)["y"], y[-1] + np.arange(1, 5), atol=0.05)
    alpha = est.fitted_info()["alpha"]
    assert (alpha[0] if isinstance(alpha, (list, tuple)) else alpha) > 0.99


def test_theta_matches_statsforecast_standard_theta_roughly():
    sf = pytest.importorskip("statsforecast.models")
    rng = np.random.default_rng(5)
    t = np.arange(96)
    y = (200 + 1.5 * t + rng.normal(0, 5, 96)) * np.tile(PATTERN, 8)
    ours = ThetaForecaster(season_length=12, variant="standard").fit(monthly(y)).predict(12)["y"].to_numpy()
    theirs = sf.Theta(season_length=12).forecast(y=y, h=12)["mean"]
    assert np.max(np.abs(ours - theirs) / theirs) < 0.03


def test_intervals_contain_the_forecast():
    y = 50 * np.tile(PATTERN, 6) * (1 + np.random.default_rng(2).normal(0, 0.02, 72))
    for cls in (Naive2Forecaster, ThetaForecaster):
        iv = cls(season_length=12).fit(monthly(y)).predict_interval(6, level=0.9)
        assert (iv["y_lower"] < iv["y"]).all() and (iv["y"] < iv["y_upper"]).all()
