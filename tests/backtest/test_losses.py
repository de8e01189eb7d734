"""Computed benchmarks and the new leaderboard columns: skill_snaive, rel_mase, MAPE n/a."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.losses import mape_undefined, origin_losses, seasonal_naive_values
from forecastkit.backtest.metrics import score
from forecastkit.backtest.results import RunResult
from forecastkit.backtest.splits import rolling_folds
from forecastkit.forecasters.baselines import NaiveForecaster, SeasonalNaiveForecaster


def _run(values, models, metric="rmse", horizon=6, folds=4):
    idx = pd.date_range("2000-01-01", periods=len(values), freq="MS")
    data = pd.DataFrame({"y": values}, index=idx)
    plan = rolling_folds(len(values), horizon, folds=folds)
    runs = [run_backtest(f, data, None, plan, name=name, type_name=kind, evaluation="rolling")
            for name, kind, f in models]
    return RunResult(name="t", config={"forecast": {"level": 0.9}}, seed=0, data=data, targets=["y"],
                     season_length=12, metric=metric, model_runs=runs, future=pd.DataFrame())


def test_seasonal_naive_values_match_the_forecaster():
    v = np.arange(40, dtype=float) ** 1.5
    got = seasonal_naive_values(v, [29] * 15, np.arange(1, 16), 12)
    f = SeasonalNaiveForecaster(12).fit(pd.DataFrame({"y": v[:30]}, index=pd.RangeIndex(30)))
    assert got == pytest.approx(f.predict(15)["y"].to_numpy())
    assert math.isnan(seasonal_naive_values(v, [5], [1], 12)[0])  # no season before


def test_skill_snaive_is_zero_for_seasonal_naive_and_rel_mase_one():
    t = np.arange(60, dtype=float)
    y = 50 + t + 8 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 60)
    run = _run(y, [("snaive", "seasonal_naive", SeasonalNaiveForecaster(12)), ("naive", "naive", NaiveForecaster())])
    board = score(run).leaderboard.set_index("model")
    assert board.loc["snaive", "skill_snaive"] == 0.0
    assert board.loc["snaive", "rel_mase"] == pytest.approx(1.0)
    assert board.loc["naive", "skill"] == 0.0
    assert board.loc["naive", "skill_snaive"] == pytest.approx(
        1 - board.loc["naive", "rmse"] / board.loc["naive", "rmse_snaive"])
    assert np.isfinite(board.loc["naive", "winkler"]) and board.loc["naive", "pinball"] > 0


def test_mape_is_na_on_a_series_through_zero():
    t = np.arange(60, dtype=float)
    y = 10 * np.sin(2 * np.pi * t / 12) + 0.1 * t  # crosses zero
    assert mape_undefined(y) and mape_undefined([0.0, 1.0, 2.0]) and not mape_undefined([-3.0, -1.0])
    run = _run(y, [("naive", "naive", NaiveForecaster())])
    scores = score(run)
    assert scores.leaderboard["mape"].isna().all()
    assert scores.by_horizon["mape"].isna().all()
    assert scores.leaderboard["mae"].notna().all()


def test_origin_losses_per_origin_and_benchmarks():
    t = np.arange(60, dtype=float)
    run = _run(50 + t, [("naive", "naive", NaiveForecaster())], horizon=3, folds=5)
    table = origin_losses(score(run).scored, "mae", "rolling", "y")
    assert len(table) == 5
    # persistence on a line: errors 1, 2, 3 at every origin
    assert table["naive"].to_numpy() == pytest.approx(2.0)
    assert table["persistence (computed)"].to_numpy() == pytest.approx(2.0)
