"""`intervals = false` ([forecast]) and `forecastkit run --no-intervals`: no interval
work at all, and no interval columns in any table, plot legend or CSV."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app
from forecastkit.config.schema import parse_config
from forecastkit.errors import ConfigError

runner = CliRunner()
INTERVAL_COLUMNS = {"lower", "upper", "coverage", "width", "winkler", "pinball", "coverage_flag"}


@pytest.fixture
def config(tmp_path):
    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    t = np.arange(60)
    y = 100 + 0.8 * t + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 60)
    data = tmp_path / "tiny.csv"
    pd.DataFrame({"month": idx.strftime("%Y-%m"), "sales": y.round(3)}).to_csv(data, index=False)
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(f"""
        name = "tiny"
        [data]
        path = "{data}"
        target = "sales"
        [[evaluation]]
        scheme = "rolling"
        horizon = 6
        folds = 2
        [forecast]
        horizon = 4
        [[models]]
        name = "ridge"
        type = "ridge"
        strategy = "direct"
        n_in = 12
        [[models]]
        name = "arima"
        type = "arima"
        order = [1, 1, 0]
    """))
    return path


def _forbid_interval_work(monkeypatch):
    from forecastkit.forecasters import reduction
    from forecastkit.forecasters.base import Forecaster

    def refuse(*args, **kwargs):
        raise AssertionError("interval work with intervals = false")

    monkeypatch.setattr(Forecaster, "predict_interval", refuse)
    monkeypatch.setattr(reduction, "out_of_fold_errors", refuse)


def _check_no_intervals(out):
    for name in ("backtest_forecasts.csv", "forecast.csv", "leaderboard.csv", "metrics_by_horizon.csv",
                 "metrics_by_fold.csv"):
        columns = set(pd.read_csv(out / name).columns)
        assert not columns & INTERVAL_COLUMNS, (name, columns & INTERVAL_COLUMNS)
    assert set(pd.read_csv(out / "forecast.csv")["model"]) >= {"ridge", "arima"}
    for name in ("report.html", "report.md", "leaderboard.md"):
        text = (out / name).read_text().lower()
        assert "coverage" not in text and "winkler" not in text, name
    assert list((out / "plots").glob("*.png"))


def test_no_intervals_flag(config, tmp_path, monkeypatch):
    _forbid_interval_work(monkeypatch)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(config), "--output", str(out), "--quiet", "--no-intervals"])
    assert result.exit_code == 0, result.output
    _check_no_intervals(out)


def test_intervals_false_in_the_config(config, tmp_path, monkeypatch):
    text = config.read_text().replace("[forecast]\n", "[forecast]\nintervals = false\n")
    config.write_text(text)
    _forbid_interval_work(monkeypatch)
    from forecastkit.runs.api import run

    result = run(config, tmp_path / "out2")
    assert result.failures == []
    _check_no_intervals(tmp_path / "out2")
    assert result.config["forecast"]["intervals"] is False


def test_intervals_are_on_by_default_and_reach_every_output(config, tmp_path):
    result = runner.invoke(app, ["run", str(config), "--output", str(tmp_path / "on"), "--quiet", "--no-plots"])
    assert result.exit_code == 0, result.output
    bt = pd.read_csv(tmp_path / "on" / "backtest_forecasts.csv")
    assert bt.loc[bt.model == "ridge", ["lower", "upper"]].notna().all().all()
    assert "coverage" in pd.read_csv(tmp_path / "on" / "leaderboard.csv").columns


def test_intervals_key_takes_a_boolean():
    raw = {"data": {"path": "x.csv", "target": "y"}, "evaluation": {"scheme": "rolling", "horizon": 2, "folds": 2},
           "models": [{"name": "n", "type": "naive"}]}
    assert parse_config(raw).forecast.interval_level == 0.95
    off = parse_config({**raw, "forecast": {"intervals": False, "level": 0.8}}).forecast
    assert off.intervals is False and off.interval_level is None
    with pytest.raises(ConfigError, match="forecast.intervals"):
        parse_config({**raw, "forecast": {"intervals": "maybe"}})
