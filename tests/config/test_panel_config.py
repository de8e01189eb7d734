"""Panel configs: shipped ones validate and build; errors are one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecastkit.config.panel import is_panel_config, load_panel_config, parse_panel_config
from forecastkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
PANELS = sorted(p for p in (ROOT / "configs").glob("*.toml") if is_panel_config(p))


def test_there_is_a_shipped_panel_config():
    assert [p.name for p in PANELS] == ["m3-monthly.toml"]


@pytest.mark.parametrize("path", PANELS, ids=lambda p: p.name)
def test_shipped_panel_configs_validate_and_build(path):
    from forecastkit.runs.panel import _models

    cfg = load_panel_config(path)
    assert cfg.name == path.stem and cfg.evaluation.horizon == 18
    models, refs = _models(cfg, 12)
    assert {m.type for m in models} >= {"naive", "seasonal_naive", "naive2"}
    assert {m.name: m.pooling for m in models}["ridge_global"] == "global"
    assert all(m.params.get("season_length") == 12 for m in models if m.type in ("seasonal_naive", "naive2", "theta"))


BASE = {"data": {"path": "x.csv", "series_id": "s"}, "evaluation": {"horizon": 3},
        "models": [{"name": "n", "type": "naive"}]}


@pytest.mark.parametrize("change, match", [
    (lambda c: {**c, "execution": {"engine": "spark"}}, r"execution.engine: Input should be 'joblib' or 'dask'"),
    (lambda c: {**c, "evaluation": {"horizon": 3, "origins": "first"}}, r"evaluation.origins"),
    (lambda c: {**c, "models": [{"name": "n", "type": "naive", "lag": 2}]}, r"has no parameter\(s\) \['lag'\]"),
    (lambda c: {**c, "combinations": [{"name": "c", "members": ["n", "zz"]}]}, r"unknown member\(s\) \['zz'\]"),
    (lambda c: {**c, "combinations": [{"name": "n", "members": ["n", "n"]}]}, r"'n' is used twice"),
    (lambda c: {k: v for k, v in c.items() if k != "evaluation"}, r"missing required key 'evaluation'"),
])
def test_bad_panel_configs(change, match):
    with pytest.raises(ConfigError, match=match):
        parse_panel_config(change(BASE), "cfg")


def test_reduction_types_accept_the_global_options():
    cfg = parse_panel_config({**BASE, "models": [{"name": "r", "type": "ridge", "scaling": "window"}]})
    assert cfg.models[0].params == {"scaling": "window"}


@pytest.mark.parametrize("change, match", [
    (lambda c: {**c, "models": [{"name": "r", "type": "ridge", "strategy": "sideways"}]},
     r"models.0: model 'r': strategy must be one of \['multi_output', 'recursive', 'direct'\], got 'sideways'"),
    (lambda c: {**c, "models": [{"name": "r", "type": "ridge", "series_id_feature": "hash"}]},
     r"series_id_feature must be one of \[False, True, 'onehot', 'ordinal'\], got 'hash'"),
    (lambda c: {**c, "models": [{"name": "n", "type": "naive", "series_id_feature": True}]},
     r"has no parameter\(s\) \['series_id_feature'\]"),
    (lambda c: {**c, "data": {**c["data"], "static_feature": ["cat"]}}, r"unknown key 'data.static_feature'"),
    (lambda c: {**c, "data": {**c["data"], "static_features": "cat"}}, r"data.static_features: Input should be a valid list"),
    (lambda c: {**c, "forecast": {"covariate_path": "f.csv"}}, r"unknown key 'forecast.covariate_path'"),
    (lambda c: {**c, "data": {**c["data"], "future_covariates": ["promo"]}},
     r"data.future_covariates need their values after each series' end: set forecast.covariates_path"),
])
def test_bad_global_model_and_covariate_keys(change, match):
    with pytest.raises(ConfigError, match=match):
        parse_panel_config(change(BASE), "cfg")


def test_covariate_keys_reach_the_loader():
    from forecastkit.config.panel import covariate_args

    cfg = parse_panel_config({**BASE, "data": {**BASE["data"], "past_covariates": ["price"], "static_features": ["cat"],
                                               "future_covariates": ["promo"]},
                              "forecast": {"covariates_path": "f.csv", "horizon": 5},
                              "models": [{"name": "r", "type": "ridge", "strategy": "direct",
                                          "series_id_feature": "ordinal", "covariates": False}]})
    assert covariate_args(cfg) == {"past_covariates": ["price"], "future_covariates": ["promo"],
                                   "static_features": ["cat"], "covariates_path": "f.csv", "horizon": 5}
    no_future = parse_panel_config({**BASE, "data": {**BASE["data"], "future_covariates": ["promo"]},
                                    "forecast": {"horizon": 0}})
    assert no_future.forecast.covariates_path is None
