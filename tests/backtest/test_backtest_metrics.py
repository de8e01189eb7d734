"""Metrics against hand-computed values, and the leaderboard / horizon / fold tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecastkit.backtest.metrics import (
    FOLD_COLUMNS, HORIZON_COLUMNS, LEADERBOARD_COLUMNS, point_metrics, score, seasonal_naive_scale,
)
from forecastkit.backtest.results import FORECAST_COLUMNS, ModelRun, RunResult, empty_forecasts
from forecastkit.backtest.splits import rolling_folds
from forecastkit.errors import DataError

approx = pytest.approx


def test_point_metrics_hand_computed():
    m = point_metrics([1, 2, 4], [2, 2, 2], scale=2.0)
    assert m["mae"] == approx(1.0)
    assert m["rmse"] == approx(math.sqrt(5 / 3))
    assert m["mape"] == approx(100 * (1 + 0 + 0.5) / 3)
    assert m["smape"] == approx(100 * (2 / 3 + 0 + 4 / 6) / 3)
    assert m["mase"] == approx(0.5)


def test_point_metrics_zero_actuals_and_missing_scale():
    m = point_metrics([0, 2], [1, 1])
    assert m["mape"] == approx(50.0)  # the zero actual is skipped
    assert m["smape"] == approx(100 * (2 + 2 / 3) / 2)
    assert math.isnan(m["mase"])
    m = point_metrics([0, 0], [0, 1], scale=0.0)
    assert math.isnan(m["mape"]) and m["smape"] == approx(100.0)  # 0/0 term counts 0
    assert math.isnan(m["mase"])  # zero scale
    assert math.isnan(point_metrics([1.0, np.nan], [np.nan, 2.0])["mae"])  # every pair has a NaN
    assert point_metrics([1.0, np.nan, 3.0], [2.0, 5.0, 3.0])["mae"] == approx(0.5)  # NaN pairs skipped
    with pytest.raises(DataError, match="3 vs 2"):
        point_metrics([1, 2, 3], [1, 2])


@settings(max_examples=50, deadline=None)
@given(arrays(float, 6, elements=st.floats(-1e3, 1e3)), arrays(float, 6, elements=st.floats(-1e3, 1e3)))
def test_point_metrics_reference(y, f):
    m = point_metrics(y, f)
    assert m["mae"] == approx(np.mean(np.abs(y - f)), abs=1e-9)
    assert m["rmse"] == approx(np.sqrt(np.mean((y - f) ** 2)), abs=1e-9)
    assert m["rmse"] >= m["mae"] - 1e-9
    assert 0 <= m["smape"] <= 200 + 1e-9


def test_seasonal_naive_scale():
    assert seasonal_naive_scale([10, 12, 11, 13], 1) == approx(5 / 3)
    assert seasonal_naive_scale([10, 12, 11, 13], 2) == approx(1.0)
    assert math.isnan(seasonal_naive_scale([1, 2], 2))


# --------------------------------------------------------------------------- score
Y = [10.0, 12.0, 11.0, 13.0, 15.0, 14.0, 16.0, 18.0]


def _frame(values=Y):
    return pd.DataFrame({"y": values}, index=pd.date_range("2020-01-01", periods=len(values), freq="D"))


def _model_run(name, data, folds, forecasts, *, type_="custom", lower=None, upper=None, error=None):
    rows = []
    for f, fc in zip(folds, forecasts):
        for s in range(f.horizon):
            pos = f.origin + s
            rows.append({
                "model": name, "target": "y", "evaluation": "rolling", "fold": f.fold,
                "origin": data.index[f.origin - 1], "timestamp": data.index[pos], "step": s + 1,
                "actual": data["y"].iloc[pos], "forecast": fc[s],
                "lower": np.nan if lower is None else fc[s] - lower, "upper": np.nan if upper is None else fc[s] + upper,
            })
    frame = empty_forecasts() if error else pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    return ModelRun(name, type_, "rolling", frame, [], [], 1.5, 0.25, error=error, folds=folds)


def _run(model_runs, data, *, season_length=1, metric="rmse"):
    return RunResult(
        name="t", config={}, seed=0, data=data, targets=["y"], season_length=season_length, metric=metric,
        model_runs=model_runs, future=pd.DataFrame(), meta={}, models=[],
    )


def test_score_hand_computed():
    data = _frame()
    folds = rolling_folds(8, 2, folds=2)  # origins 4 and 6
    good = _model_run("good", data, folds, [[14, 14], [17, 17]], lower=0.5, upper=0.5)
    s = score(_run([good], data))
    lb = s.leaderboard
    assert list(lb.columns) == LEADERBOARD_COLUMNS
    row = lb.iloc[0]
    # errors e = [1, 0, -1, 1]; persistence from 13 and 14: e = [2, 1, 2, 4]
    assert row["mae"] == approx(0.75)
    assert row["rmse"] == approx(math.sqrt(0.75))
    assert row["rmse_naive"] == approx(2.5)
    assert row["skill"] == approx(1 - math.sqrt(0.75) / 2.5)
    # fold scales (in-sample naive MAE): rows 0-3 -> 5/3, rows 0-5 -> 8/5
    assert row["mase"] == approx(np.mean([0.5 / (5 / 3), 1.0 / 1.6]))
    assert row["coverage"] == approx(0.25) and row["width"] == approx(1.0)
    assert row["n_forecasts"] == 4 and row["fit_seconds"] == 1.5 and pd.isna(row["error"])

    bh = s.by_horizon
    assert list(bh.columns) == HORIZON_COLUMNS and list(bh["step"]) == [1, 2]
    assert list(bh["mae"]) == approx([1.0, 0.5])
    assert list(bh["skill"]) == approx([1 - 1 / 2, 1 - math.sqrt(0.5) / math.sqrt(17 / 2)])

    bf = s.by_fold
    assert list(bf.columns) == FOLD_COLUMNS
    assert list(bf["origin"]) == [data.index[3], data.index[5]]
    assert list(bf["mase"]) == approx([0.3, 0.625])
    assert list(bf["rmse"]) == approx([math.sqrt(0.5), 1.0])


def test_score_mase_uses_the_training_window_of_each_fold():
    data = _frame()
    folds = rolling_folds(8, 2, folds=2, window="sliding", window_length=3)
    run = _model_run("m", data, folds, [[14, 14], [17, 17]])
    bf = score(_run([run], data)).by_fold
    # fold 0 window rows 1-3 [12, 11, 13] -> scale 1.5; fold 1 rows 3-5 [13, 15, 14] -> 1.5
    assert list(bf["mase"]) == approx([0.5 / 1.5, 1.0 / 1.5])
    # a season longer than the window falls back to every row before the origin
    bf = score(_run([run], data, season_length=3)).by_fold
    # (rows 0-3 with m=3: |13 - 10| = 3; rows 0-5: |13-10|, |15-12|, |14-11| -> 3)
    assert list(bf["mase"]) == approx([0.5 / 3, 1.0 / 3])


def test_leaderboard_sorting_failures_and_skill_order():
    data = _frame()
    folds = rolling_folds(8, 2, folds=2)
    good = _model_run("good", data, folds, [[14, 14], [17, 17]])
    bad = _model_run("bad", data, folds, [[10, 10], [10, 10]], type_="naive")
    failed = _model_run("broken", data, folds, [], error="RuntimeError: boom")
    lb = score(_run([failed, bad, good], data)).leaderboard
    assert list(lb["model"]) == ["good", "bad", "broken"]
    assert lb.iloc[2]["error"] == "RuntimeError: boom" and lb.iloc[2][["mae", "rmse", "skill"]].isna().all()
    assert lb.iloc[2]["n_forecasts"] == 0
    assert math.isnan(lb.iloc[0]["coverage"])  # no intervals
    lb = score(_run([bad, good, failed], data, metric="skill")).leaderboard
    assert list(lb["model"]) == ["good", "bad", "broken"]
    assert lb.iloc[0]["skill"] > lb.iloc[1]["skill"]
    with pytest.raises(DataError, match="'r2'"):
        score(_run([good], data, metric="r2"))


def test_leaderboard_sorted_by_evaluation_then_metric():
    data = _frame()
    folds = rolling_folds(8, 2, folds=2)
    a = _model_run("a", data, folds, [[10, 10], [10, 10]])
    b = _model_run("b", data, folds, [[14, 14], [17, 17]])
    b_hold = _model_run("b", data, folds, [[10, 10], [10, 10]])
    for mr in (b_hold,):
        mr.evaluation = "holdout"
        mr.forecasts["evaluation"] = "holdout"
    lb = score(_run([a, b, b_hold], data)).leaderboard
    assert list(zip(lb["evaluation"], lb["model"])) == [("holdout", "b"), ("rolling", "b"), ("rolling", "a")]


def test_persistence_equals_a_naive_model():
    data = _frame()
    folds = rolling_folds(8, 2, folds=3, step=1)
    naive = [[data["y"].iloc[f.origin - 1]] * 2 for f in folds]
    lb = score(_run([_model_run("naive", data, folds, naive)], data)).leaderboard
    assert lb.iloc[0]["skill"] == approx(0.0) and lb.iloc[0]["rmse"] == approx(lb.iloc[0]["rmse_naive"])


def test_coverage_flag_counts_each_origins_path_as_correlated():
    """4 yearly paths covering 12, 5, 4 and 11 of their 12 steps at 80 % (the airline's
    auto_arima): 66.7 % over 48 is within chance of 80 % once the steps of a path count
    as correlated (as 48 independent outcomes it would be flagged, p = 0.03)."""
    data = _frame(np.arange(60, dtype=float))
    folds = rolling_folds(60, 12, folds=4)
    inside = [12, 5, 4, 11]
    forecasts = [data["y"].to_numpy()[f.origin:f.origin + 12] + np.where(np.arange(12) < k, 0.0, 2.0)
                 for f, k in zip(folds, inside)]
    run = _run([_model_run("m", data, folds, forecasts, lower=1.0, upper=1.0)], data)
    run.config = {"forecast": {"level": 0.8}}
    s = score(run)
    row = s.leaderboard.iloc[0]
    assert row["coverage"] == approx(32 / 48)
    assert row["coverage_flag"] == ""
    # the same hits as one-step paths (48 origins) are flagged
    one_step = rolling_folds(60, 1, folds=48)
    hits = np.concatenate([np.arange(12) < k for k in inside])
    forecasts = [data["y"].to_numpy()[f.origin:f.origin + 1] + (0.0 if h else 2.0) for f, h in zip(one_step, hits)]
    run = _run([_model_run("m", data, one_step, forecasts, lower=1.0, upper=1.0)], data)
    run.config = {"forecast": {"level": 0.8}}
    assert score(run).leaderboard.iloc[0]["coverage_flag"] == "low: 66.7% of 48 (80%)"
