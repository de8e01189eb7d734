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
