"""The run loop: chunking fold plans for --jobs, merging chunk results, progress events."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.splits import holdout_folds, rolling_folds
from forecastkit.runs.loop import merge_runs, split_at_refits
from forecastkit.forecasters.registry import make_forecaster


def test_chunks_start_at_refit_folds_and_keep_order():
    folds = rolling_folds(100, 5, folds=6, refit_every=2)
    chunks = split_at_refits(folds, 2)  # 3 refit segments, 2 per chunk
    assert [f.fold for c in chunks for f in c] == list(range(6))
    assert all(c[0].refit for c in chunks) and [len(c) for c in chunks] == [4, 2]
    assert len(split_at_refits(folds, 1)) == 3  # never more chunks than refits
    once = holdout_folds(100, 1, test_size=10)  # fit once: one chain, one chunk
    assert split_at_refits(once, 1) == [once]


def test_merged_chunks_equal_the_whole_backtest():
    idx = pd.date_range("2000-01-01", periods=120, freq="D")
    t = np.arange(120)
    y = pd.DataFrame({"y": np.sin(2 * np.pi * t / 7) + 0.01 * t + np.random.default_rng(0).normal(0, 0.1, 120)}, index=idx)
    folds = rolling_folds(120, 7, folds=6, refit_every=2)
    model = make_forecaster("ridge", n_in=7, strategy="direct")
    whole = run_backtest(model, y, None, folds, name="r")
    merged = merge_runs([run_backtest(model, y, None, c, name="r") for c in split_at_refits(folds, 1)])
    pd.testing.assert_frame_equal(merged.forecasts, whole.forecasts)
    assert [a.fold for a in merged.audit] == list(range(6)) and merged.folds == whole.folds


def test_progress_events_count_every_fold_and_final_refit(tmp_path):
    from forecastkit.config.schema import RunConfig
    from forecastkit.runs.loop import RunStarted, UnitsDone, run_experiment

    cfg = RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": [{"scheme": "rolling", "horizon": 6, "folds": 3}],
        "models": [{"name": "naive", "type": "naive"}, {"name": "snaive", "type": "seasonal_naive"}],
    })
    events = []
    result = run_experiment(cfg, progress=events.append)
    assert events[0] == RunStarted(total=2 * 3 + 2)
    assert all(isinstance(e, UnitsDone) for e in events[1:])
    assert sum(e.units for e in events[1:]) == 8
    chose = [m["chose"] for m in result.models]
    assert [{k: v for k, v in c.items() if k not in ("intervals", "clipped_at_0")} for c in chose] == [
        {}, {"season_length": 12}]
    # every model's intervals are calibrated out of sample, and it says so
    assert all(re.match(r"conformal( \([a-z' ]+\))?: \d+ out-of-sample windows of 6 steps", c["intervals"]) for c in chose)


def test_warm_started_models_give_the_same_forecasts_with_any_jobs():
    """arima and auto_arima start each refit from the previous one's estimate: the
    chains are cut at the same folds whatever --jobs is, so the numbers are equal."""
    from forecastkit.config.schema import RunConfig
    from forecastkit.runs.loop import CHAIN_SEGMENTS, run_experiment

    folds = CHAIN_SEGMENTS + 2  # two chunks per model
    cfg = RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": [{"scheme": "rolling", "horizon": 3, "folds": folds, "step": 3}],
        "forecast": {"horizon": 3},
        "models": [{"name": "arima", "type": "arima", "order": [2, 1, 1], "transform": "log"},
                   {"name": "auto", "type": "auto_arima", "season_length": 12, "max_P": 0, "max_Q": 0,
                    "transform": None}],
    })
    one, two = run_experiment(cfg, jobs=1), run_experiment(cfg, jobs=2)
    for a, b in zip(one.model_runs, two.model_runs, strict=True):
        assert a.error is None and len(a.forecasts) == 3 * folds
        pd.testing.assert_frame_equal(a.forecasts, b.forecasts, check_exact=True)
