"""Config validation: every mistake is one ConfigError line naming the key and the choices."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from forecastkit.config import load_config, parse_config
from forecastkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = {
    "data": {"path": "airline-passengers", "target": "Passengers"},
    "evaluation": {"scheme": "rolling", "horizon": 12, "folds": 4},
    "models": [{"name": "naive", "type": "naive"}],
}


def variant(**changes):
    cfg = copy.deepcopy(MINIMAL)
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = cfg
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is KeyError:
            del node[key]
        else:
            node[key] = value
    return cfg


def test_minimal_config_parses():
    cfg = parse_config(MINIMAL)
    assert cfg.data.target_list == ["Passengers"]
    assert cfg.evaluations[0].scheme == "rolling" and cfg.evaluations[0].refit_every == 1
    assert cfg.models[0].params == {}


def test_model_parameters_are_kept_beside_name_and_type():
    cfg = parse_config(variant(models=[{"name": "sn", "type": "seasonal_naive", "season_length": 12}]))
    assert cfg.models[0].params == {"season_length": 12}


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"data__tgt": "x"}, "unknown key 'data.tgt'"),
        ({"bogus": 1}, "unknown key 'bogus'"),
        ({"evaluation__horizon": "twelve"}, "evaluation.horizon"),
        ({"evaluation__horizon": 0}, "greater than or equal to 1"),
        ({"evaluation__scheme": "kfold"}, "scheme must be \"holdout\" or \"rolling\""),
        ({"data": KeyError}, "missing required key 'data'"),
        ({"data__target": KeyError}, "data.target (or data.targets) is required"),
        ({"models": [{"name": "a", "type": "lstmm"}]}, "unknown model type 'lstmm'; valid types: naive"),
        ({"models": [{"name": "a", "type": "naive"}, {"name": "a", "type": "drift"}]}, "'a' is used twice"),
        ({"models": [{"name": "a", "type": "seasonal_naive", "season": 12}]}, "no parameter(s) ['season']"),
        ({"evaluation": {"scheme": "holdout", "horizon": 1}}, "exactly one of evaluation.test_size"),
        ({"evaluation": {"scheme": "rolling", "horizon": 3, "folds": 2, "window": "sliding"}}, "window_length"),
        ({"data__fill": "zero"}, "data.fill"),
    ],
)
def test_each_mistake_is_one_clear_line(changes, expected):
    with pytest.raises(ConfigError) as err:
        parse_config(variant(**changes), source="cfg.toml")
    message = str(err.value)
    assert expected in message
    assert "\n" not in message and message.startswith("cfg.toml")


def test_several_evaluations_need_unique_names():
    ev = {"scheme": "rolling", "horizon": 3, "folds": 2}
    with pytest.raises(ConfigError, match="must be unique"):
        parse_config(variant(evaluation=[ev, dict(ev)]))
    cfg = parse_config(variant(evaluation=[ev, {**ev, "name": "second"}]))
    assert [e.name or e.scheme for e in cfg.evaluations] == ["rolling", "second"]


def test_load_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[data\npath=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "configs").glob("*.toml")
                                         if "series_id" not in p.read_text()))  # panels: test_panel_config.py
def test_shipped_configs_validate(name):
    from forecastkit.runs.inputs import ModelContext, build_model

    cfg = load_config(ROOT / "configs" / name)
    assert cfg.name == name.removesuffix(".toml")
    names = [m.name for m in cfg.models]
    assert len(names) == len(set(names)) and "naive" in {m.type for m in cfg.models}  # a baseline beside
    assert cfg.evaluations and all(ev.horizon >= 1 for ev in cfg.evaluations)
    # every model builds with its parameters (nothing is fitted)
    context = ModelContext(seed=cfg.seed, season_length=12, horizon=cfg.evaluations[0].horizon)
    for m in cfg.models:
        assert build_model(m, context).get_params().items() >= {k: v for k, v in m.params.items()}.items()
