"""ARIMA forecasts from many origins in one Kalman filter pass (``_forecast_origins``)
equal the update/predict_interval loop, over orders, trends, transforms, regressors and
targets; the conformal wrapper's scores are unchanged by it."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from forecastkit.errors import DataError
from forecastkit.forecasters.registry import make_forecaster
from forecastkit.forecasters.statistical.arima import ARIMAForecaster
from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster


def _series(n, k, seed, p=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    idx = pd.date_range("2001-01-01", periods=n, freq="MS")
    y = pd.DataFrame({f"y{j}": 50 + 5 * np.sin(2 * np.pi * t / 12 + j) + 0.1 * t
                      + rng.normal(0, 1, n).cumsum() * 0.5 for j in range(k)}, index=idx)
    X = pd.DataFrame({f"x{j}": rng.normal(size=n) for j in range(p)}, index=idx) if p else None
    return y, X


def _loop(model, y, X, origins, h, level, fresh=True):
    """The reference: ``update(y[:o])`` then forecast, on a copy of the fitted model
    per origin (``fresh``), or updating one copy origin after origin as the conformal
    wrapper does (statsmodels then extends the filter by the new rows, which rounds
    differently: up to ~1e-8 relative near a unit MA root). No update at the first
    origin, where the fit ends."""
    fk = model.future_known_columns()
    means, lowers, uppers = [], [], []
    running = copy.deepcopy(model)
    for o in origins:
        m = running if not fresh else copy.deepcopy(model)
        if o != origins[0]:
            m.update(y.iloc[:o], None if X is None else X.iloc[:o])
        Xf = X.iloc[o:o + h][fk] if fk else None
        if level is None:
            means.append(m.predict(h, Xf).to_numpy())
            continue
        band = m.predict_interval(h, Xf, level=level)
        means.append(band[m.targets_].to_numpy())
        lowers.append(band[[f"{t}_lower" for t in m.targets_]].to_numpy())
        uppers.append(band[[f"{t}_upper" for t in m.targets_]].to_numpy())
    if level is None:
        return np.stack(means), None, None
    return np.stack(means), np.stack(lowers), np.stack(uppers)


def _assert_equal(fast, slow, rtol=1e-9):
    for a, b in zip(fast, slow):
        if b is None:
            assert a is None
        else:
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-10)


SPECS = [
    {"order": (1, 0, 0)},
    {"order": (2, 0, 1), "trend": "c"},
    {"order": (1, 1, 1), "trend": "t"},
    {"order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12), "transform": "log"},
    {"order": (1, 0, 1), "seasonal_order": (1, 0, 0, 4), "trend": "ct", "transform": "boxcox"},
    {"order": (1, 1, 0), "seasonal_order": (0, 1, 1, 4), "transform": "boxcox", "boxcox_lambda": 0.5},
    {"order": (0, 2, 1)},
    {"order": (1, 1, 0), "trend": "c", "calendar": ["month"]},
    {"order": (1, 0, 1), "trend": "c", "future_known": ["x0"]},
    {"order": (1, 0, 0), "future_known": ["x0"], "method_kwargs": {"mle_regression": False}},
    {"order": (1, 1, 1), "method_kwargs": {"measurement_error": True}},
]


@pytest.mark.parametrize("spec", SPECS, ids=[str(i) for i in range(len(SPECS))])
@pytest.mark.parametrize("k", [1, 2])
def test_forecast_origins_equal_the_update_predict_loop(spec, k):
    y, X = _series(70, k, seed=k, p=1 if "future_known" in spec else 0)
    h, n0 = 4, 50
    model = ARIMAForecaster(**spec).fit(y.iloc[:n0], None if X is None else X.iloc[:n0])
    origins = np.arange(n0, len(y) - h + 1)
    for level in (0.8, None):
        fast = model._forecast_origins(y, X, origins, h, level)
        _assert_equal(fast, _loop(model, y, X, origins, h, level))
        _assert_equal(fast, _loop(model, y, X, origins, h, level, fresh=False), rtol=1e-7)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=st.integers(0, 2), d=st.integers(0, 1), q=st.integers(0, 1), seasonal=st.sampled_from([None, (0, 1, 1, 4),
       (1, 0, 0, 4)]), trend=st.sampled_from([None, "c", "t"]), transform=st.sampled_from([None, "log"]),
       h=st.integers(1, 6), level=st.sampled_from([0.5, 0.8, 0.95]), seed=st.integers(0, 1000))
def test_forecast_origins_property(p, d, q, seasonal, trend, transform, h, level, seed):
    y, _ = _series(60, 1, seed)
    spec = {"order": (p, d, q), "trend": trend, "transform": transform}
    if seasonal:
        spec["seasonal_order"] = seasonal
    try:
        model = ARIMAForecaster(**spec).fit(y.iloc[:40])
    except DataError:  # SARIMAX cannot fit every random series (LU decomposition error): says so
        assume(False)
    origins = np.arange(40, len(y) - h + 1, 2)  # not every row, and not only the fitted end
    fast = model._forecast_origins(y, None, origins, h, level)
    _assert_equal(fast, _loop(model, y, None, origins, h, level))


def test_successive_updates_continue_a_time_trend():
    """statsmodels' ``extend`` restarts a time trend at its own ``nobs + 1``: an update
    that extends an extension must still equal one update straight to the new end."""
    y, _ = _series(70, 1, seed=3)
    model = ARIMAForecaster(order=(1, 1, 1), trend="ct").fit(y.iloc[:50])
    fresh = copy.deepcopy(model).update(y.iloc[:60]).predict_interval(5, level=0.9)
    for o in range(51, 61):
        model.update(y.iloc[:o])
    pd.testing.assert_frame_equal(model.predict_interval(5, level=0.9), fresh, rtol=1e-9)


def test_auto_arima_delegates_per_target():
    y, _ = _series(70, 2, seed=5)
    model = AutoARIMAForecaster(season_length=12, max_p=1, max_q=1, max_P=1, max_Q=1).fit(y.iloc[:50])
    origins = np.arange(50, 66)
    fast = model._forecast_origins(y, None, origins, 5, 0.8)
    _assert_equal(fast, _loop(model, y, None, origins, 5, 0.8))


def test_forecast_origins_declines_other_columns():
    y, _ = _series(60, 1, seed=1)
    model = ARIMAForecaster().fit(y.iloc[:40])
    assert model._forecast_origins(y.rename(columns={"y0": "z"}), None, np.arange(40, 55), 3, None) is None


@pytest.mark.parametrize("score", ["scaled", "absolute"])
def test_conformal_scores_unchanged_by_the_batched_pass(score, monkeypatch):
    y, _ = _series(90, 1, seed=7)
    spec = {"type": "arima", "order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12), "transform": "log"}
    fast = make_forecaster("conformal", model=spec, horizon=6, score=score).fit(y)
    monkeypatch.setattr(ARIMAForecaster, "_forecast_origins", lambda self, *a: None)
    slow = make_forecaster("conformal", model=spec, horizon=6, score=score).fit(y)
    np.testing.assert_allclose(fast.scores_, slow.scores_, rtol=1e-8, atol=1e-12)
    pd.testing.assert_frame_equal(fast.predict_interval(6, level=0.9), slow.predict_interval(6, level=0.9))



def test_warm_start_skips_an_estimate_at_the_invertibility_boundary():
    """On 60 airline months the log airline model's seasonal MA is -0.99: started
    there, the next fit would stay near it (a lower likelihood than the cold fit's),
    so that start is skipped and the fit equals the cold one; an interior estimate
    (132 months) is used."""
    from pathlib import Path

    df = pd.read_csv(Path(__file__).resolve().parents[3] / "datasets" / "airline-passengers.csv")
    y = pd.DataFrame({"P": df["Passengers"].to_numpy(dtype=float)},
                     index=pd.date_range("1949-01-01", periods=len(df), freq="MS"))
    spec = {"order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12), "transform": "log"}
    edge = ARIMAForecaster(**spec).fit(y.iloc[:60])
    assert edge.results_["P"].params[-1] < -0.95
    warm = ARIMAForecaster(**spec).warm_start(edge).fit(y.iloc[:66])
    cold = ARIMAForecaster(**spec).fit(y.iloc[:66])
    np.testing.assert_array_equal(warm.results_["P"].params, cold.results_["P"].params)
    inside = ARIMAForecaster(**spec).fit(y.iloc[:132])
    assert ARIMAForecaster(**spec).warm_start(inside)._warm["params"].keys() == {"P"}
