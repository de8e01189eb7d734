"""Panel backtests: fold origins per series, local and global models, per-series and
aggregate metrics with known answers, and no leakage of values after an origin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.panel_engine import PanelModel, SeriesBlock, Task, run_task
from forecastkit.backtest.panel_folds import FoldPlan, common_cutoffs, series_origins
from forecastkit.backtest.panel_metrics import REF_NAIVE2, REF_SNAIVE, aggregate, mase_scales, series_scores
from forecastkit.errors import ConfigError


def block(sid, values, start="2020-01-01"):
    values = np.asarray(values, float)
    return SeriesBlock(sid, pd.date_range(start, periods=len(values), freq="MS"), values)


def task(model, blocks, plan, cutoffs=None, future_h=0):
    return Task(model, tuple(blocks), plan, cutoffs, "MS", 0.9, future_h, 0, 1)


def test_last_origins_per_series():
    times = pd.date_range("2020-01-01", periods=20, freq="MS")
    assert series_origins(times, FoldPlan(3, folds=3, step=2), min_train=5) == [(0, 13), (1, 15), (2, 17)]
    assert series_origins(times[:10], FoldPlan(3, folds=3, step=2), min_train=5) == [(1, 5), (2, 7)]


def test_common_cutoffs_cut_every_series_at_the_same_dates():
    a = block("a", np.arange(24)).times
    b = block("b", np.arange(12), start="2021-01-01").times  # ends with a, starts later
    plan = FoldPlan(3, folds=2, step=3, origins="common")
    cut = common_cutoffs(pd.Series([a[-1], b[-1]]), "MS", plan)
    assert list(cut) == [pd.Timestamp("2021-06-01"), pd.Timestamp("2021-09-01")]
    assert series_origins(a, plan, 2, cut) == [(0, 18), (1, 21)]
    assert series_origins(b, plan, 2, cut) == [(0, 6), (1, 9)]
    assert series_origins(b, plan, 8, cut) == [(1, 9)]  # too short for the first cut


def test_local_naive_known_forecasts_and_scores():
    blocks = [block("a", [1, 2, 3, 4, 5, 6]), block("b", [10, 10, 12, 12, 14, 20])]
    res = run_task(task(PanelModel("naive", "naive"), blocks, FoldPlan(2)))
    f = res.forecasts
    np.testing.assert_array_equal(f.loc[f.series_id == "a", "forecast"], [4, 4])
    np.testing.assert_array_equal(f.loc[f.series_id == "b", "forecast"], [12, 12])
    assert f["lower"].notna().all()
    scores = series_scores(f, mase_scales(blocks, f, 1)).set_index("series_id")
    # a: errors 1, 2 -> MAE 1.5; in-sample naive MAE on [1,2,3,4] = 1 -> MASE 1.5
    assert scores.loc["a", "mase"] == pytest.approx(1.5)
    assert scores.loc["a", "smape"] == pytest.approx(np.mean([200 * 1 / 9, 200 * 2 / 10]))
    # b: errors 2, 8 -> MAE 5; scale mean(|0, 2, 0|) = 2/3 -> MASE 7.5
    assert scores.loc["b", "mase"] == pytest.approx(7.5)
    assert list(scores["n_intervals"]) == [2, 2]  # both test values of each series had a band


def test_aggregates_against_the_references():
    by = pd.DataFrame({
        "model": ["m"] * 3 + [REF_SNAIVE] * 3 + [REF_NAIVE2] * 3,
        "series_id": list("xyz") * 3, "n_folds": 1, "mae": 1.0,
        "smape": [10, 20, 30, 20, 20, 20, 10, 20, 30], "mase": [0.5, 2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0],
        "coverage": np.nan,
    })
    models = pd.DataFrame({"model": ["m"], "type": ["t"], "pooling": ["local"], "failures": [0], "seconds": [0.0]})
    row = aggregate(by, models).iloc[0]
    assert row["mean_mase"] == pytest.approx(3.5 / 3) and row["median_mase"] == 1.0
    assert row["gmean_rel_mase"] == pytest.approx((0.5 * 2.0 * 0.5) ** (1 / 3))
    assert row["beats_snaive"] == pytest.approx(2 / 3)
    assert row["owa"] == pytest.approx(0.5 * (20 / 20 + (3.5 / 3) / 1.0))


def _coverage_rows(per_series):
    """by_series rows of model "m" and the two references over 20 series of 18 test values."""
    ids = [f"s{i}" for i in range(len(per_series))]
    ref = {"mase": 1.0, "smape": 10.0, "coverage": np.nan, "n_intervals": 0}
    rows = [{"model": "m", "series_id": i, "n_folds": 1, "mae": 1.0, "smape": 10.0, "mase": 1.0,
             "coverage": c, "n_intervals": 18} for i, c in zip(ids, per_series)]
    rows += [{"model": r, "series_id": i, "n_folds": 1, "mae": 1.0, **ref} for r in (REF_SNAIVE, REF_NAIVE2)
             for i in ids]
    return pd.DataFrame(rows)


def test_panel_coverage_flag_counts_a_series_values_as_correlated():
    models = pd.DataFrame({"model": ["m"], "type": ["t"], "pooling": ["local"], "failures": [0], "seconds": [0.0]})
    # every series covers half its values at 95 %: flagged
    board = aggregate(_coverage_rows([0.5] * 20), models, level=0.95)
    assert board.iloc[0]["coverage_flag"] == "low: 50.0% of 360 (95%)"
    # 17 series covered at every value, 3 at none: 85 % of 360, but 20 outcomes in effect
    # (p = 0.08 as 17 of 20; as 306 of 360 independent values it would be flagged)
    hit_or_miss = aggregate(_coverage_rows([1.0] * 17 + [0.0] * 3), models, level=0.95)
    assert hit_or_miss.iloc[0]["coverage"] == pytest.approx(0.85)
    assert hit_or_miss.iloc[0]["coverage_flag"] == ""
    assert aggregate(_coverage_rows([0.5] * 20), models).iloc[0]["coverage_flag"] == ""  # no level: no flag
    old_csv = _coverage_rows([0.5] * 20).drop(columns="n_intervals")  # metrics_by_series.csv of an older run
    assert aggregate(old_csv, models, level=0.95).iloc[0]["coverage_flag"] == ""


def test_global_ridge_pools_series_and_puts_back_their_units():
    t = np.arange(40)
    blocks = [block("a", 10 + 2 * np.sin(t)), block("b", 1000 + 200 * np.sin(t))]  # same shape, other units
    res = run_task(task(PanelModel("g", "ridge", {"n_in": 6, "regressor_params": {"alpha": 1e-6}}, "global"),
                        blocks, FoldPlan(4), future_h=3))
    f = res.forecasts.set_index("series_id")
    np.testing.assert_allclose(f.loc["a", "forecast"], 10 + 2 * np.sin(t[-4:]), atol=0.05)
    np.testing.assert_allclose(f.loc["b", "forecast"], 1000 + 200 * np.sin(t[-4:]), atol=5)
    assert len(res.future) == 6 and res.future["time"].min() == pd.Timestamp("2023-05-01")


@pytest.mark.parametrize("params", [{"n_in": 4}, {"n_in": 4, "scaling": "window", "deseasonalize": True},
                                    {"n_in": 4, "strategy": "recursive"}])
def test_global_model_never_sees_values_after_the_origin(params):
    rng = np.random.default_rng(0)
    blocks = [block(s, 50 + rng.normal(0, 1, 30).cumsum()) for s in "abc"]
    model = PanelModel("g", "ridge", params, "global")
    plan = FoldPlan(3, folds=2)
    before = run_task(task(model, blocks, plan)).forecasts
    # change everything after the first fold's origin (row 24) of every series
    changed = [SeriesBlock(b.sid, b.times, np.r_[b.values[:24], b.values[24:] * 10]) for b in blocks]
    after = run_task(task(model, changed, plan)).forecasts
    first = before["fold"] == 0
    np.testing.assert_allclose(before.loc[first, "forecast"], after.loc[first, "forecast"])
    assert not np.allclose(before.loc[~first, "forecast"], after.loc[~first, "forecast"])


def test_global_pooling_refuses_reduction_options_it_does_not_support():
    blocks = [block("a", np.arange(30.0))]
    with pytest.raises(ConfigError, match=r"supports .* not \['difference'\]"):
        run_task(task(PanelModel("g", "ridge", {"difference": 1}, "global"), blocks, FoldPlan(3)))


def test_per_series_failures_are_recorded_not_fatal():
    blocks = [block("ok", np.arange(1.0, 30.0)), block("neg", -np.arange(1.0, 30.0))]
    res = run_task(task(PanelModel("n2", "naive2", {"seasonal": True, "season_length": 4}), blocks, FoldPlan(3)))
    assert set(res.forecasts["series_id"]) == {"ok"}
    assert len(res.failures) == 1 and "series 'neg'" in res.failures[0]


@pytest.mark.parametrize("type_name, params", [("naive", {}), ("seasonal_naive", {"season_length": 4}),
                                               ("drift", {}), ("mean", {"window": 5}),
                                               ("naive2", {"season_length": 4})])
def test_array_core_path_equals_the_public_api(type_name, params):
    from forecastkit.backtest.panel_engine import _array_core
    from forecastkit.forecasters.registry import make_forecaster

    y = 20 + np.random.default_rng(1).gamma(2.0, 1.0, 30).cumsum() * np.tile([1.0, 1.2, 0.9, 0.8], 8)[:30]
    proto = make_forecaster(type_name, **params)
    assert proto.tags()["array_core"]
    mean, lo, hi, _ = _array_core(proto, y, 5, 0.8, True)
    iv = proto.clone().fit(pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=30, freq="MS"))) \
        .predict_interval(5, level=0.8)
    np.testing.assert_allclose(mean, iv["y"])
    np.testing.assert_allclose(lo, iv["y_lower"])
    np.testing.assert_allclose(hi, iv["y_upper"])


def test_nonnegative_series_are_clipped_at_zero_and_others_are_not():
    down = np.linspace(10.0, 0.5, 30)  # drift takes it below 0 within the horizon
    blocks = [block("pos", down), block("neg", down - 5.0)]
    res = run_task(task(PanelModel("d", "drift", {}), blocks, FoldPlan(8), future_h=8))
    pos = res.future[res.future["series_id"] == "pos"]
    neg = res.future[res.future["series_id"] == "neg"]
    assert (pos["forecast"] >= 0).all() and (pos["lower"] >= 0).all() and (pos["forecast"] == 0).any()
    assert (neg["forecast"] < -5).any()  # a series with negative history keeps its negative forecasts


def test_series_comparison_tells_a_real_difference_from_a_tie():
    from forecastkit.backtest.panel_metrics import compare_series

    rng = np.random.default_rng(4)
    base = rng.uniform(0.5, 2.0, 40)
    rows = [("good", f"s{i}", v * 0.7) for i, v in enumerate(base)] + \
           [("bad", f"s{i}", v) for i, v in enumerate(base)]
    by_series = pd.DataFrame(rows, columns=["model", "series_id", "mase"])
    clear = compare_series(by_series, "good", "bad")
    assert clear.share_better == 1.0 and clear.p_value < 0.001 and "significant" in clear.sentence()
    tie = compare_series(by_series, "bad", "bad")
    assert tie.p_value == 1.0 and "not distinguishable" in tie.sentence()
    few = compare_series(by_series[by_series["series_id"].isin(["s0", "s1"])], "good", "bad")
    assert few.n_series == 2 and "too few series" in few.sentence()
