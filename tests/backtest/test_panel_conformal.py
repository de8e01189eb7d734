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


SPECS = [{"type": "naive"}, {"type": "seasonal_naive", "season_length": 12}, {"type": "naive2", "season_length": 12},
         {"type": "theta", "season_length": 12}, {"type": "theta", "season_length": 12, "variant": "standard"},
         {"type": "theta", "season_length": 12, "variant": "dynamic_optimized", "deseasonalize": True}]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("n, h", [(60, 6), (40, 18), (20, 6), (14, 6)])
def test_array_path_equals_the_conformal_forecaster(spec, n, h):
    y = _series(n, seed=n)
    params = {k: v for k, v in spec.items() if k != "type"}
    proto = make_forecaster(spec["type"], **params)
    if n < proto.min_train_size():
        assert spec.get("deseasonalize") is True  # two full seasons needed: the one case passed over
        return
    mean, lo, hi, est, note = local_conformal(proto, y, h, 0.9)
    ref = ConformalForecaster(model=spec, horizon=h).fit(
        pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=n, freq="MS")))
    iv = ref.predict_interval(h, level=0.9)
    np.testing.assert_allclose(mean, iv["y"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(lo, iv["y_lower"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(hi, iv["y_upper"], rtol=1e-10, atol=1e-10)
    assert note.split(":")[0] == ref.fitted_info()["intervals"].split(":")[0]


@pytest.mark.parametrize("spec", SPECS)
def test_windows_in_one_pass_equal_the_update_loop(spec, monkeypatch):
    # models with _origin_stats calibrate every window at once; the loop is the reference
    import forecastkit.backtest.panel_conformal as pc

    y = _series(70, seed=3)
    params = {k: v for k, v in spec.items() if k != "type"}
    proto = make_forecaster(spec["type"], **params)
    fast = pc.local_scores(proto, y, 12, 0.9)[0]
    real_fit = pc._fit_array

    class Loop:  # the fitted copy without its vectorised method
        def __init__(self, est):
            self._est = est

        def __getattr__(self, name):
            if name == "_origin_stats":
                raise AttributeError(name)
            return getattr(self._est, name)

    monkeypatch.setattr(pc, "_fit_array", lambda proto, values: Loop(real_fit(proto, values)))
    slow = pc.local_scores(proto, y, 12, 0.9)[0]
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.mean, slow.mean, rtol=1e-12)


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


# -- local models: series short of windows take the chunk's pooled quantile --------------

def _cal(rng, w, h, kind):
    from forecastkit.backtest.panel_conformal import LocalCalibration

    return LocalCalibration(rng.normal(0, 5, h), np.abs(rng.standard_cauchy((w, h))), rng.uniform(0.5, 3, h), kind,
                            bool(rng.integers(0, 2)), "conformal: test")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.sampled_from(["band", "mase"])), min_size=1, max_size=8),
       st.integers(1, 4), st.sampled_from([0.5, 0.8, 0.9, 0.95]), st.booleans(), st.integers(0, 10_000))
def test_pooled_fallback_matches_a_plain_loop(spec, h, level, always, seed):
    from forecastkit.backtest.panel_conformal import pool_short

    rng = np.random.default_rng(seed)
    cals = [_cal(rng, w, h, kind) for w, kind in spec] + [None]
    out = pool_short(cals, level, always=always)
    assert out[-1] is None
    for c, got in zip(cals[:-1], out[:-1]):
        w = len(c.scores)
        short = math.ceil((w + 1) * level) > w
        if not (always or short):
            assert got is None
            continue
        for k in range(h):  # the pooled scores of step k, written out one by one
            pool = sorted(float(o.scores[i, k]) for o in cals[:-1] if o.kind == c.kind for i in range(len(o.scores)))
            q = pool[min(math.ceil((len(pool) + 1) * level), len(pool)) - 1]
            lo, hi = c.mean[k] - q * c.unit[k], c.mean[k] + q * c.unit[k]
            if c.clip:
                lo, hi = max(lo, 0.0), max(hi, 0.0)
            assert got[0][k] == pytest.approx(lo) and got[1][k] == pytest.approx(hi)
        assert "pooled over the chunk" in got[2]


def _panel_task(spec, lengths, level, h=6, seed=0, folds=1, future_h=0):
    from forecastkit.backtest.panel_engine import PanelModel, SeriesBlock, Task
    from forecastkit.backtest.panel_folds import FoldPlan

    rng = np.random.default_rng(seed)
    blocks = []
    for i, n in enumerate(lengths):
        y = rng.normal(0, rng.uniform(0.5, 20), n).cumsum() - 5000.0  # random walks, < 0: no clipping
        blocks.append(SeriesBlock(f"s{i}", pd.date_range("2000-01-01", periods=n, freq="MS"), y))
    params = {k: v for k, v in spec.items() if k != "type"}
    return Task(PanelModel(spec["type"], spec["type"], params), tuple(blocks), FoldPlan(h, folds=folds), None, "MS",
                level, future_h, 0, 12)


@pytest.mark.parametrize("spec", [{"type": "naive"}, {"type": "theta", "season_length": 1}])
def test_series_with_enough_windows_keep_their_own_bounds(spec):
    """Long series (>= 19 windows at 95%) get exactly what they get alone; short ones
    beside them say in their note that their bound is pooled."""
    from forecastkit.backtest.panel_engine import run_task

    if spec["type"] == "theta":
        pytest.importorskip("statsmodels")
    task = _panel_task(spec, [120, 30, 120, 28], 0.95, future_h=6)
    res = run_task(task)
    for i in (0, 2):  # long: as in a chunk of their own
        alone = run_task(_replace_blocks(task, (task.blocks[i],)))
        for frame, ref in ((res.forecasts, alone.forecasts), (res.future, alone.future)):
            got = frame[frame.series_id == f"s{i}"].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, ref.reset_index(drop=True))
        assert "pooled" not in res.fitted[f"s{i}"]
    for i in (1, 3):
        assert "pooled over the chunk" in res.fitted[f"s{i}"]


def _coverage(res):
    f = res.forecasts
    return float(np.mean((f["actual"] >= f["lower"]) & (f["actual"] <= f["upper"])))


@pytest.mark.parametrize("level", [0.8, 0.95])
def test_short_series_cover_their_level_with_pooled_bounds(level):
    """120 short random walks (24-40 rows, h = 6: 7-15 windows, too few at 95%): the
    pooled fallback covers within 3 points of the level over 720 test values; each series'
    own largest error at 95% falls short (the defect the fallback fixes)."""
    from forecastkit.backtest.panel_engine import run_task

    rng = np.random.default_rng(7)
    task = _panel_task({"type": "naive"}, list(rng.integers(24, 41, 120)), level, seed=3)
    cover = _coverage(run_task(task))
    assert abs(cover - level) < 0.03, cover
    if level == 0.95:  # each series alone: the bound is its largest of 10-15 errors
        own = np.mean([_coverage(run_task(_replace_blocks(task, (b,)))) for b in task.blocks])
        assert own < cover - 0.02, (own, cover)


def _replace_blocks(task, blocks):
    import dataclasses

    return dataclasses.replace(task, blocks=blocks)
