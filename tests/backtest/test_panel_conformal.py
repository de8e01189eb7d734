"""Conformal intervals of panel runs: the array path equals the ConformalForecaster for one
series; the pooled calibration against a plain loop; coverage on synthetic panels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.backtest.panel_conformal import half_width, local_conformal, pooled_intervals, series_scale
from forecastkit.forecasters.conformal import ConformalForecaster
from forecastkit.forecasters.registry import make_forecaster


def _series(n, seed=0, level=100.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return level + 0.3 * t + 8 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, n).cumsum() * 0.5


@pytest.mark.parametrize("spec", [{"type": "naive"}, {"type": "seasonal_naive", "season_length": 12},
                                  {"type": "naive2", "season_length": 12}])
@pytest.mark.parametrize("n, h", [(60, 6), (40, 18), (20, 6), (14, 6)])
def test_array_path_equals_the_conformal_forecaster(spec, n, h):
    y = _series(n, seed=n)
    params = {k: v for k, v in spec.items() if k != "type"}
    proto = make_forecaster(spec["type"], **params)
    if n < proto.min_train_size():
        pytest.skip("too short for the model")
    mean, lo, hi, est, note = local_conformal(proto, y, h, 0.9)
    ref = ConformalForecaster(model=spec, horizon=h).fit(
        pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=n, freq="MS")))
    iv = ref.predict_interval(h, level=0.9)
    np.testing.assert_allclose(mean, iv["y"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(lo, iv["y_lower"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(hi, iv["y_upper"], rtol=1e-10, atol=1e-10)
    assert note.split(":")[0] == ref.fitted_info()["intervals"].split(":")[0]


def test_half_width_is_the_conformal_rank():
    scores = np.arange(1.0, 20.0)[::-1, None]  # 19 scores, one step
    assert half_width(scores, 0.8)[0] == 16.0  # ceil(20 * 0.8) = 16th smallest
    assert half_width(scores, 0.95)[0] == 19.0  # ceil(20 * 0.95) = 19th: the largest
    assert half_width(scores, 0.99)[0] == 19.0  # more than there are: the largest


def test_series_scale_known_answers():
    assert series_scale(np.arange(30.0), 12) == 12.0  # |y_t - y_{t-12}|
    assert series_scale(np.array([1.0, 3.0, 6.0]), 12) == 2.5  # too short: lag 1
    assert series_scale(np.full(20, 4.0), 12) == 4.0  # constant: the mean level
    assert series_scale(np.zeros(20), 12) == 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.sampled_from([0.5, 0.8, 0.95]), st.integers(0, 10_000))
def test_pooled_intervals_match_a_plain_loop(n_series, h, level, seed):
    """A naive 'pooled model' (forecast = last value): bounds from a loop over every
    (series, calibration origin) written out directly."""
    rng = np.random.default_rng(seed)
    values = [rng.normal(0, 1, int(rng.integers(12, 30))).cumsum() - 100 for _ in range(n_series)]  # < 0: no clipping
    origins = [len(v) - int(rng.integers(0, 3)) for v in values]
    need = 2

    def forecast_at(pairs, k):
        return [np.full(k, values[i][c - 1]) for i, c in pairs]

    means = [np.full(h, v[o - 1]) for v, o in zip(values, origins)]
    lower, upper, note = pooled_intervals(forecast_at, values, origins, means, need, level, 1)
    windows = min(max(1, math.ceil(200 / n_series)), 10,
                  max(o - h - max(need, math.ceil(o / 2)) + 1 for o in origins))
    scores = []
    for j in range(windows):
        for v, o in zip(values, origins):
            c = o - h - j
            if c >= max(need, math.ceil(o / 2)):
                scale = np.mean(np.abs(np.diff(v[:o])))
                scores.append(np.abs(v[c:c + h] - v[c - 1]) / scale)
    assert scores, "the plan always calibrates at least one window here"
    s = np.sort(np.array(scores), axis=0)
    q = s[min(math.ceil((len(s) + 1) * level), len(s)) - 1]
    for v, o, mean, lo, hi in zip(values, origins, means, lower, upper):
        scale = np.mean(np.abs(np.diff(v[:o])))
        np.testing.assert_allclose(lo, mean - q * scale)
        np.testing.assert_allclose(hi, mean + q * scale)
    assert f"{len(scores)} scaled errors" in note


def test_pooled_calibration_never_sees_rows_after_the_origin():
    values = [np.arange(40.0), np.arange(50.0)]
    seen = []

    def forecast_at(pairs, k):
        seen.extend((i, c + k) for i, c in pairs)  # the rows each calibration forecast is scored up to
        return [np.zeros(k) for _ in pairs]

    pooled_intervals(forecast_at, values, [30, 44], [np.zeros(6), np.zeros(6)], 4, 0.9, 1)
    ends = {0: 30, 1: 44}
    assert seen and all(end <= ends[i] for i, end in seen)
    assert {i for i, _ in seen} == {0, 1}


def test_pooled_intervals_cover_about_their_level_on_a_synthetic_panel():
    """Random walks of different scales, naive forecasts: the pooled, per-series scaled
    bounds cover close to 80% and 95% of the next values (scores pooled over 200 series)."""
    rng = np.random.default_rng(1)
    values = [rng.normal(0, rng.uniform(0.5, 20), 80).cumsum() + 1000 for _ in range(200)]
    h, origin = 6, 74

    def forecast_at(pairs, k):
        return [np.full(k, values[i][c - 1]) for i, c in pairs]

    for level in (0.8, 0.95):
        means = [np.full(h, v[origin - 1]) for v in values]
        lower, upper, _ = pooled_intervals(forecast_at, values, [origin] * 200, means, 2, level, 1)
        inside = np.mean([(v[origin:] >= lo) & (v[origin:] <= hi) for v, lo, hi in zip(values, lower, upper)])
        assert abs(inside - level) < 0.06, (level, inside)
