"""Known-answer tests for the naive baselines (forecasts and FPP3 interval formulas)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.errors import DataError, ForecastkitTypeError, NotFittedError
from forecastkit.forecasters.baselines import (
    DriftForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from forecastkit.forecasters.registry import make_forecaster

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def monthly(values, start="1958-01", name="y"):
    values = np.asarray(values, dtype=float)
    idx = pd.date_range(start, periods=len(values), freq="MS")
    if values.ndim == 1:
        return pd.Series(values, index=idx, name=name)
    return pd.DataFrame(values, index=idx, columns=[f"{name}{i}" for i in range(values.shape[1])])


def half_width(frame, col="y"):
    return ((frame[f"{col}_upper"] - frame[f"{col}_lower"]) / 2).to_numpy()


# ----------------------------------------------------------------------------- point forecasts
def test_naive_repeats_last_value():
    f = NaiveForecaster().fit(monthly([3.0, 1.0, 4.0, 1.5]))
    np.testing.assert_array_equal(f.predict(5)["y"].to_numpy(), np.full(5, 1.5))


def test_seasonal_naive_repeats_last_season_and_wraps():
    y = np.arange(30, dtype=float) ** 1.5
    f = SeasonalNaiveForecaster(season_length=12).fit(monthly(y))
    got = f.predict(30)["y"].to_numpy()
    last = y[-12:]
    np.testing.assert_array_equal(got, np.concatenate([last, last, last[:6]]))


def test_drift_forecasts_a_straight_line_exactly():
    t = np.arange(40, dtype=float)
    f = DriftForecaster().fit(monthly(2.5 + 0.75 * t))
    h = 10
    expected = 2.5 + 0.75 * np.arange(40, 40 + h)  # the line's continuation
    np.testing.assert_allclose(f.predict(h)["y"].to_numpy(), expected, rtol=0, atol=1e-12)
    # a perfect line has zero residuals, so the interval collapses onto the forecast
    np.testing.assert_allclose(half_width(f.predict_interval(h)), 0.0, atol=1e-12)


def test_drift_uses_first_and_last_points():
    f = DriftForecaster().fit(monthly([1.0, 3.0, 2.0, 5.0]))
    np.testing.assert_allclose(f.predict(3)["y"].to_numpy(), 5.0 + np.arange(1, 4) * 4.0 / 3.0)


def test_mean_of_last_window_and_of_all():
    y = [10.0, 0.0, 1.0, 2.0, 6.0]
    assert MeanForecaster(window=3).fit(monthly(y)).predict(2)["y"].tolist() == [3.0, 3.0]
    assert MeanForecaster().fit(monthly(y)).predict(1)["y"].tolist() == [3.8]


# ----------------------------------------------------------------------------- intervals (FPP3 5.5)
def test_naive_interval_hand_computed():
    # residuals 2, -1, 3 -> sigma^2 = 14 / 3
    f = NaiveForecaster().fit(monthly([1.0, 3.0, 2.0, 5.0]))
    np.testing.assert_allclose(half_width(f.predict_interval(3)), Z95 * math.sqrt(14 / 3) * np.sqrt([1, 2, 3]))


def test_seasonal_naive_interval_hand_computed():
    # m = 2: residuals y[t] - y[t-2] = 1, 2, 2, 1 -> sigma^2 = 10 / 4; k = floor((h-1)/2)
    f = SeasonalNaiveForecaster(season_length=2).fit(monthly([1.0, 3.0, 2.0, 5.0, 4.0, 6.0]))
    out = f.predict_interval(5, level=0.95)
    np.testing.assert_allclose(out["y"].to_numpy(), [4.0, 6.0, 4.0, 6.0, 4.0])
    np.testing.assert_allclose(half_width(out), Z95 * math.sqrt(2.5) * np.sqrt([1, 1, 2, 2, 3]))


def test_drift_interval_hand_computed():
    # drift 4/3, residuals 2/3, -7/3, 5/3 -> sum of squares 26/3 over T-2 = 2 dof; T = 4
    f = DriftForecaster().fit(monthly([1.0, 3.0, 2.0, 5.0]))
    h = np.arange(1, 5)
    expected = Z95 * math.sqrt(13 / 3) * np.sqrt(h * (1 + h / 4))
    np.testing.assert_allclose(half_width(f.predict_interval(4)), expected)


def test_mean_interval_hand_computed_and_level():
    # mean 2.75, squared deviations sum 8.75 over T-1 = 3 dof, T = 4
    f = MeanForecaster().fit(monthly([1.0, 3.0, 2.0, 5.0]))
    z80 = 1.2815515655446004
    expected = z80 * math.sqrt(8.75 / 3 * (1 + 1 / 4))
    out = f.predict_interval(2, level=0.8)
    np.testing.assert_allclose(half_width(out), [expected, expected])
    np.testing.assert_allclose(out["y"].to_numpy(), [2.75, 2.75])


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=8, max_size=40),
    h=st.integers(1, 15),
    m=st.integers(1, 4),
)
def test_intervals_match_reference_implementation(values, h, m):
    y = np.asarray(values)
    s = monthly(y)
    z = Z95
    # naive
    e = np.diff(y)
    sig = math.sqrt(sum(v * v for v in e) / len(e))
    got = NaiveForecaster().fit(s).predict_interval(h)
    np.testing.assert_allclose(half_width(got), [z * sig * math.sqrt(k) for k in range(1, h + 1)], rtol=1e-9, atol=1e-9)
    # seasonal naive
    e = [y[t] - y[t - m] for t in range(m, len(y))]
    sig = math.sqrt(sum(v * v for v in e) / len(e))
    got = SeasonalNaiveForecaster(season_length=m).fit(s).predict_interval(h)
    ref_mean = [y[len(y) - m + (k - 1) % m] for k in range(1, h + 1)]
    np.testing.assert_allclose(got["y"].to_numpy(), ref_mean)
    ref_hw = [z * sig * math.sqrt((k - 1) // m + 1) for k in range(1, h + 1)]
    np.testing.assert_allclose(half_width(got), ref_hw, rtol=1e-9, atol=1e-9)
    # drift
    T = len(y)
    c = (y[-1] - y[0]) / (T - 1)
    e = [y[t] - y[t - 1] - c for t in range(1, T)]
    sig = math.sqrt(sum(v * v for v in e) / (T - 2))
    got = DriftForecaster().fit(s).predict_interval(h)
    np.testing.assert_allclose(got["y"].to_numpy(), [y[-1] + k * c for k in range(1, h + 1)], rtol=1e-9, atol=1e-6)
    ref_hw = [z * sig * math.sqrt(k * (1 + k / T)) for k in range(1, h + 1)]
    np.testing.assert_allclose(half_width(got), ref_hw, rtol=1e-9, atol=1e-6)


# ----------------------------------------------------------------------------- index, shape, update
def test_predict_index_continues_monthly_frequency():
    y = monthly(np.arange(24.0) + 100, start="1959-01")
    for f in (NaiveForecaster(), SeasonalNaiveForecaster(12), DriftForecaster(), MeanForecaster(6)):
        out = f.fit(y).predict(3)
        assert list(out.index) == list(pd.date_range("1961-01-01", periods=3, freq="MS"))


def test_multivariate_targets_are_independent_columns():
    rng = np.random.default_rng(0)
    Y = monthly(rng.normal(size=(30, 3)).cumsum(axis=0), name="t")
    for f in (NaiveForecaster(), SeasonalNaiveForecaster(4), DriftForecaster(), MeanForecaster(5)):
        out = f.fit(Y).predict_interval(6)
        assert list(out.columns) == [c for t in ["t0", "t1", "t2"] for c in (t, f"{t}_lower", f"{t}_upper")]
        for col in Y.columns:
            single = f.clone().fit(Y[[col]]).predict_interval(6)
            np.testing.assert_allclose(out[[col, f"{col}_lower", f"{col}_upper"]].to_numpy(), single.to_numpy())


def test_update_recomputes_from_new_history():
    f = NaiveForecaster().fit(monthly([1.0, 2.0, 3.0]))
    f.update(monthly([1.0, 2.0, 3.0, 7.0]))
    assert f.predict(1)["y"].tolist() == [7.0]
    assert f.predict(1).index[0] == pd.Timestamp("1958-05-01")


def test_registry_builds_baselines():
    f = make_forecaster("seasonal_naive", season_length=4)
    assert isinstance(f, SeasonalNaiveForecaster) and f.season_length == 4
    assert isinstance(make_forecaster("drift"), DriftForecaster)
    assert MeanForecaster.tags()["intervals"] and not NaiveForecaster.tags()["past_covariates"]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "forecaster, n",
    [(NaiveForecaster(), 1), (SeasonalNaiveForecaster(12), 12), (DriftForecaster(), 2), (MeanForecaster(5), 4)],
)
def test_too_short_history_names_the_minimum(forecaster, n):
    need = forecaster.min_train_size()
    with pytest.raises(DataError, match=f"at least {need} observations.*got {n}"):
        forecaster.fit(monthly(np.arange(n, dtype=float)))


def test_bad_parameters_are_named():
    y = monthly(np.arange(20.0))
    with pytest.raises(DataError, match="season_length must be >= 1, got 0"):
        SeasonalNaiveForecaster(season_length=0).fit(y)
    with pytest.raises(ForecastkitTypeError, match="window must be an integer >= 2, got '3'"):
        MeanForecaster(window="3").fit(y)
    with pytest.raises(DataError, match="window must be >= 2, got 1"):
        MeanForecaster(window=1).fit(y)


def test_predict_before_fit_and_bad_horizon():
    with pytest.raises(NotFittedError, match="NaiveForecaster is not fitted"):
        NaiveForecaster().predict(3)
    f = DriftForecaster().fit(monthly([1.0, 2.0, 4.0]))
    with pytest.raises(DataError, match="h must be >= 1, got 0"):
        f.predict(0)
    with pytest.raises(DataError, match="level must be in"):
        f.predict_interval(2, level=1.5)


def test_covariates_are_rejected():
    y = monthly(np.arange(10.0))
    X = pd.DataFrame({"temp": np.ones(10)}, index=y.index)
    with pytest.raises(DataError, match="past covariates \\['temp'\\]"):
        NaiveForecaster().fit(y, X)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["naive", "seasonal_naive", "drift", "mean", "mean_window"]), n=st.integers(8, 40),
       k=st.integers(1, 2),
       h=st.integers(1, 9), m=st.integers(1, 5), level=st.sampled_from([None, 0.8, 0.95]), seed=st.integers(0, 999))
def test_forecast_origins_equal_the_update_predict_loop(kind, n, k, h, m, level, seed):
    """The conformal calibration's one-pass forecasts equal update-then-predict per origin."""
    rng = np.random.default_rng(seed)
    # a level far above the spread: the one-pass moments must not cancel it away
    y = pd.DataFrame(1e4 + rng.normal(size=(n + h, k)).cumsum(axis=0), columns=[f"y{j}" for j in range(k)],
                     index=pd.date_range("2000-01-01", periods=n + h, freq="D"))
    params = {"seasonal_naive": {"season_length": m}, "mean_window": {"window": m + 1}}.get(kind, {})
    model = make_forecaster(kind.replace("_window", ""), **params)
    start = model.min_train_size()
    if start > n:
        return
    model.fit(y.iloc[:start])
    origins = np.arange(start, n + 1)
    fast = model._forecast_origins(y, None, origins, h, level)
    for i, o in enumerate(origins):
        model.update(y.iloc[:o])
        if level is None:
            np.testing.assert_allclose(fast[0][i], model.predict(h).to_numpy(), rtol=1e-12)
            assert fast[1] is None and fast[2] is None
        else:
            band = model.predict_interval(h, level=level)
            for a, suffix in zip(fast, ("", "_lower", "_upper")):
                np.testing.assert_allclose(a[i], band[[f"{c}{suffix}" for c in y.columns]].to_numpy(), rtol=1e-9)
