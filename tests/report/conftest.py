"""A small finished run (three fast models, two evaluations) for the report tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="package")
def small_run():
    from forecastkit.backtest.metrics import score
    from forecastkit.config.schema import RunConfig
    from forecastkit.runs.loop import run_experiment

    cfg = RunConfig.model_validate({
        "name": "small",
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": [{"name": "holdout", "scheme": "holdout", "test_size": 6, "horizon": 1},
                       {"name": "rolling", "scheme": "rolling", "horizon": 6, "folds": 2}],
        "models": [{"name": "naive", "type": "naive"},
                   {"name": "snaive", "type": "seasonal_naive", "season_length": 12},
                   {"name": "drift", "type": "drift"}],
    })
    result = run_experiment(cfg)
    result.scores = score(result)
    return result


@pytest.fixture
def tiny_frame():
    return pd.DataFrame({"model": ["a<b>", "naive"], "rmse": [1.23456, np.nan]})
