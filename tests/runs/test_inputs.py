"""Run inputs: the model context (horizon, seed, future-known columns) reaching the
built models, one-hot column expansion, fold plans from evaluation configs."""

from __future__ import annotations

import pandas as pd
import pytest

from forecastkit.config.schema import ModelConfig, RunConfig
from forecastkit.errors import ConfigError
from forecastkit.runs.inputs import (
    ModelContext,
    build_model,
    expand_onehot,
    future_horizon,
    load_run_data,
    make_folds,
    run_context,
    season_length_for,
)


def _model(**raw) -> ModelConfig:
    return ModelConfig.model_validate({"name": "m", **raw})


def _config(**extra) -> RunConfig:
    return RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": [{"name": "a", "scheme": "rolling", "horizon": 3, "folds": 2},
                       {"name": "b", "scheme": "rolling", "horizon": 7, "folds": 1}],
        "models": [{"name": "naive", "type": "naive"}],
        **extra,
    })


def test_season_length_defaults_by_frequency():
    assert [season_length_for(pd.tseries.frequencies.to_offset(f)) for f in ("MS", "D", "h", "W-SUN", "min")] == [
        12, 7, 24, 52, 1,
    ]


def test_fixed_horizon_models_get_the_task_horizon_unless_configured():
    ctx = ModelContext(seed=7, season_length=12, horizon=5)
    assert build_model(_model(type="ridge"), ctx).horizon == 5
    assert build_model(_model(type="ridge", horizon=2), ctx).horizon == 2
    assert build_model(_model(type="ridge"), ctx.for_horizon(None)).horizon is None
    # a model not tagged fixed_horizon has no horizon parameter to set
    assert "horizon" not in build_model(_model(type="naive"), ctx).get_params()


def test_the_run_seed_goes_to_the_parameter_each_class_names():
    ctx = ModelContext(seed=7, season_length=12)
    assert build_model(_model(type="ridge"), ctx).random_state == 7
    assert build_model(_model(type="ridge", random_state=3), ctx).random_state == 3
    assert build_model(_model(type="lstm"), ctx).seed == 7
    assert build_model(_model(type="arima"), ctx).get_params()["order"] == (1, 0, 0)


def test_future_known_columns_only_for_models_that_use_covariates():
    ctx = ModelContext(seed=0, season_length=1, future_known=["promo"])
    assert build_model(_model(type="ridge"), ctx).future_known == ["promo"]
    assert build_model(_model(type="ridge", covariates=False), ctx).future_known is None
    assert build_model(_model(type="ridge", future_known=[]), ctx).future_known == []


def test_run_context_and_future_horizon():
    cfg = _config()
    data = load_run_data(cfg)
    assert run_context(cfg, data) == ModelContext(seed=0, season_length=12, future_known=[], intervals="conformal")
    assert run_context(_config(seed=4, data={"path": "airline-passengers", "target": "Passengers",
                                             "season_length": 3}), data).season_length == 3
    assert future_horizon(cfg) == 7  # the longest evaluation's, without [forecast] horizon


def test_expand_onehot_keeps_plain_columns_and_finds_indicators():
    cols = ["price", "store_a", "store_b", "stores"]
    assert expand_onehot(cols, ["price", "store"]) == ["price", "store_a", "store_b"]
    assert expand_onehot(cols, []) == []


def test_holdout_skips_renumber_and_refit_the_first_kept_fold():
    cfg = RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": {"scheme": "holdout", "test_size": 5, "horizon": 1, "skip_first": 2, "skip_last": 1},
        "models": [{"name": "naive", "type": "naive"}],
    })
    index = pd.date_range("2000-01-01", periods=40, freq="D")
    folds = make_folds(cfg.evaluations[0], index)
    assert [f.fold for f in folds] == [0, 1] and folds[0].refit and not folds[1].refit
    assert [f.origin for f in folds] == [37, 38]


def test_dates_outside_the_data_are_named():
    cfg = RunConfig.model_validate({
        "data": {"path": "airline-passengers", "target": "Passengers"},
        "evaluation": {"scheme": "rolling", "horizon": 1, "start": "1990-01-01"},
        "models": [{"name": "naive", "type": "naive"}],
    })
    with pytest.raises(ConfigError, match=r"evaluation.start = '1990-01-01' is outside the data span"):
        make_folds(cfg.evaluations[0], pd.date_range("2000-01-01", periods=40, freq="D"))


@pytest.mark.parametrize("intervals, nonnegative, expected", [
    (True, None, "conformal"), ("conformal", None, "conformal"), ("native", True, "native"),
    (False, None, None), (False, False, None), (False, True, "native"),  # clipping only, no calibration
])
def test_interval_method_follows_the_config(intervals, nonnegative, expected):
    from forecastkit.forecasters.conformal import ConformalForecaster
    from forecastkit.runs.inputs import _interval_method, build_model, run_context

    assert _interval_method(intervals, nonnegative) == expected
    cfg = RunConfig.model_validate({
        "name": "x", "data": {"path": "airline-passengers", "target": "Passengers", "nonnegative": nonnegative},
        "forecast": {"intervals": intervals}, "models": [{"name": "n", "type": "naive"}],
        "evaluation": [{"name": "h", "scheme": "holdout", "test_size": 2, "horizon": 1}],
    })
    data = pd.DataFrame({"Passengers": [1.0, 2.0, 3.0]}, index=pd.date_range("2000", periods=3, freq="MS"))

    class _Data:
        frame, future = data, []

    model = build_model(cfg.models[0], run_context(cfg, _Data()).for_horizon(2))
    assert isinstance(model, ConformalForecaster) == (expected is not None)
