"""[forecast] intervals and [data] nonnegative reach every model of a run; member
tables are checked when the run is planned; wrapped models save and load."""

from __future__ import annotations

import pandas as pd
import pytest

from forecastkit.config.schema import RunConfig
from forecastkit.errors import ConfigError
from forecastkit.forecasters.persistence import load_forecaster, save_forecaster
from forecastkit.runs.inputs import build_model, load_run_data, plan_evaluations, run_context
from forecastkit.runs.loop import run_experiment


def config(forecast=None, data=None, models=None) -> RunConfig:
    return RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers", **(data or {})},
        "evaluation": [{"scheme": "rolling", "horizon": 6, "folds": 2, "step": 6}],
        "forecast": forecast or {},
        "models": models or [{"name": "naive", "type": "naive"}],
    })


def test_native_intervals_are_the_models_own():
    result = run_experiment(config({"intervals": "native"}))
    backtest = result.model_runs[0].forecasts
    assert result.models[0]["chose"]["intervals"] == "native intervals (method = 'native')"
    from forecastkit.forecasters.baselines import NaiveForecaster

    y = load_run_data(config()).y
    origin = len(y) - 6
    native = NaiveForecaster().fit(y.iloc[:origin]).predict_interval(6, level=0.95)
    last = backtest[backtest["fold"] == backtest["fold"].max()]
    pd.testing.assert_series_equal(last["lower"].reset_index(drop=True),
                                   native["Passengers_lower"].clip(lower=0).reset_index(drop=True),
                                   check_names=False)


def test_intervals_true_means_conformal_and_nonnegative_false_never_clips():
    cfg = config({"intervals": True}, {"nonnegative": False})
    ctx = run_context(cfg, load_run_data(cfg))
    built = build_model(cfg.models[0], ctx.for_horizon(6))
    assert built.method == "conformal" and built.nonnegative is False and built.horizon == 6
    assert config().forecast.intervals is True  # the default
    with pytest.raises(Exception, match="intervals"):
        config({"intervals": "sometimes"})


def test_bad_member_tables_fail_when_the_run_is_planned():
    cfg = config(models=[{"name": "combo", "type": "ensemble", "members": [{"type": "naive"}, {"type": "nope"}]}])
    with pytest.raises(ConfigError, match=r"model 'combo': members\[1\]: unknown model type 'nope'"):
        plan_evaluations(cfg, load_run_data(cfg), cfg.models)
    empty = config(models=[{"name": "combo", "type": "ensemble", "members": []}])
    with pytest.raises(ConfigError, match="members is empty"):
        plan_evaluations(empty, load_run_data(empty), empty.models)


def test_a_wrapped_model_saves_and_loads_under_its_configured_type(tmp_path):
    cfg = config(models=[{"name": "snaive", "type": "seasonal_naive", "season_length": 12}])
    data = load_run_data(cfg)
    model = build_model(cfg.models[0], run_context(cfg, data).for_horizon(6)).fit(data.y)
    path = save_forecaster(model, tmp_path / "m", name="snaive", type_name="seasonal_naive")
    loaded, meta = load_forecaster(path)
    assert meta["type"] == "seasonal_naive"
    pd.testing.assert_frame_equal(loaded.predict_interval(6, level=0.8), model.predict_interval(6, level=0.8))
