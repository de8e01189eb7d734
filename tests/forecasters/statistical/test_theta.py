"""Theta: the standard variant equals statsmodels' ThetaModel called directly; the four
Fiorucci et al. models against a step-by-step reference; AutoTheta's choice; update
without re-estimation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from forecastkit.data.datasets import dataset_path
from forecastkit.forecasters.statistical.theta import ThetaForecaster


def airline() -> pd.DataFrame:
    raw = pd.read_csv(dataset_path("airline-passengers"))
    return pd.DataFrame({"y": raw["Passengers"].to_numpy(dtype=float)},
                        index=pd.date_range("1949-01-01", periods=len(raw), freq="MS"))


@pytest.mark.parametrize("m", [1, 12])
@pytest.mark.parametrize("theta", [2.0, 3.0])
def test_matches_statsmodels(m, theta):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y = airline().iloc[:-12]
    model = ThetaForecaster(season_length=m, theta=theta, variant="standard").fit(y)
    ref = ThetaModel(y["y"].to_numpy(), period=m).fit()
    np.testing.assert_allclose(model.predict(12)["y"].to_numpy(), ref.forecast(12, theta=theta), rtol=1e-10)
    band = model.predict_interval(12, level=0.8)
    pi = ref.prediction_intervals(12, theta=theta, alpha=0.2)
    np.testing.assert_allclose(band["y_lower"].to_numpy(), pi["lower"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(band["y_upper"].to_numpy(), pi["upper"].to_numpy(), rtol=1e-10)
    assert model.fitted_info()["deseasonalized"] == ("multiplicative" if m == 12 else None)


def test_no_seasonality_detected_on_white_noise():
    rng = np.random.default_rng(0)
    y = pd.DataFrame({"y": 100 + rng.normal(0, 1, 60)}, index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    assert ThetaForecaster(season_length=12).fit(y).fitted_info()["deseasonalized"] is None


def test_update_keeps_parameters_and_refilters_the_level():
    y = airline()
    model = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-24])
    b0, alpha = model.b0_, model.alpha_
    model.update(y.iloc[:-12])
    assert (model.b0_, model.alpha_) == (b0, alpha)
    fresh = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-12])
    # same origin, parameters from two years less data: close, not equal
    got, ref = model.predict(12)["y"].to_numpy(), fresh.predict(12)["y"].to_numpy()
    assert not np.allclose(got, ref) and np.max(np.abs(got / ref - 1)) < 0.05
    # updating with the history it was fitted on changes nothing
    again = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-12])
    before = again.predict(6)
    again.update(y.iloc[:-12])
    pd.testing.assert_frame_equal(again.predict(6), before)


@settings(max_examples=40, deadline=None)
@given(
    variant=st.sampled_from(["auto", "standard", "optimized", "dynamic", "dynamic_optimized"]),
    deseasonalize=st.sampled_from(["test", True, False]), n=st.integers(30, 70), h=st.integers(1, 8),
    level=st.sampled_from([None, 0.8, 0.95]), k=st.integers(1, 2), seed=st.integers(0, 10_000),
)
def test_forecast_origins_equal_the_update_predict_loop(variant, deseasonalize, n, h, level, k, seed):
    # the conformal calibration's one pass equals update(y[:o]) + predict_interval per origin
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = pd.DataFrame({f"y{j}": 50 + 0.3 * t + 8 * np.sin(2 * np.pi * t / 12 + j) + rng.normal(0, 2, n).cumsum()
                      for j in range(k)}, index=pd.date_range("2001-01-01", periods=n, freq="MS"))
    y = y - min(0.0, float(y.min().min())) + 1.0
    n0 = max(24, n // 2)
    assume(n0 + h <= n)
    model = ThetaForecaster(season_length=12, variant=variant, deseasonalize=deseasonalize).fit(y.iloc[:n0])
    origins = np.arange(n0, n - h + 1)
    fast = model._forecast_origins(y, None, origins, h, level)
    for i, o in enumerate(origins):
        ref = ThetaForecaster(season_length=12, variant=variant, deseasonalize=deseasonalize).fit(y.iloc[:n0])
        ref.update(y.iloc[:o])
        cols = list(y.columns)
        if level is None:
            np.testing.assert_allclose(fast[0][i], ref.predict(h)[cols].to_numpy(), rtol=1e-9)
            assert fast[1] is None and fast[2] is None
            continue
        band = ref.predict_interval(h, level=level)
        for got, suffix in zip(fast, ("", "_lower", "_upper")):
            np.testing.assert_allclose(got[i], band[[c + suffix for c in cols]].to_numpy(), rtol=1e-9)


def test_forecast_origins_declines_another_start():
    # a history starting elsewhere shifts the seasonal phase: the caller's loop handles it
    y = pd.DataFrame({"y": 20 + 5 * np.sin(np.arange(60) * np.pi / 6) + np.arange(60) * 0.1},
                     index=pd.date_range("2001-01-01", periods=60, freq="MS"))
    model = ThetaForecaster(season_length=12, deseasonalize=True).fit(y.iloc[:36])
    assert model._forecast_origins(y.iloc[1:], None, np.arange(36, 50), 3, None) is None
