"""Keras networks as global panel models: trained on windows pooled across series with
per-series scaling (tiny networks, few epochs)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.panel_engine import PanelModel, SeriesBlock, Task, run_task
from forecastkit.backtest.panel_folds import FoldPlan
from forecastkit.errors import ConfigError

pytestmark = pytest.mark.keras

TINY = {"units": 8, "epochs": 15, "batch_size": 16, "n_in": 6}


def block(sid, values, past=None, known=None, static=()):
    values = np.asarray(values, float)
    return SeriesBlock(sid, pd.date_range("2020-01-01", periods=len(values), freq="MS"), values, past, known, static)


def task(model, blocks, plan, future_h=0):
    return Task(model, tuple(blocks), plan, None, "MS", 0.9, future_h, 0, 1)


def _same_shape():
    t = np.arange(40)
    return [block("a", 10 + np.sin(t / 2)), block("b", 1000 + 100 * np.sin(t / 2))]


@pytest.mark.parametrize("type_name", ["lstm", "gru", "dense", "cnn1d"])
def test_every_network_pools_series_and_puts_back_their_units(type_name):
    res = run_task(task(PanelModel("net", type_name, dict(TINY), "global"), _same_shape(), FoldPlan(4), future_h=3))
    f = res.forecasts.set_index("series_id")["forecast"]
    assert np.isfinite(f).all() and not res.failures
    # standardised per series the two series are one: the forecasts differ only in units
    np.testing.assert_allclose(f.loc["b"].to_numpy() - 1000, 100 * (f.loc["a"].to_numpy() - 10), rtol=1e-4, atol=1e-3)
    assert len(res.future) == 6


def test_a_dense_network_learns_the_pooled_pattern():
    res = run_task(task(PanelModel("net", "dense", {**TINY, "epochs": 200, "units": 16}, "global"),
                        _same_shape(), FoldPlan(4)))
    f = res.forecasts
    amplitude = np.where(f.series_id == "a", 1.0, 100.0)
    assert np.mean(np.abs(f["forecast"] - f["actual"]) / amplitude) < 0.25


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_networks_take_every_strategy_and_the_covariates(strategy):
    rng = np.random.default_rng(0)
    blocks = [block(s, 50 + rng.normal(0, 1, 36).cumsum(), rng.normal(0, 1, (36, 2)), rng.normal(0, 1, (39, 1)),
                    (("kind", s in "ab"),)) for s in "abc"]
    model = PanelModel("net", "gru", {**TINY, "epochs": 3, "strategy": strategy, "series_id_feature": "ordinal"},
                       "global")
    res = run_task(task(model, blocks, FoldPlan(3), future_h=3))
    assert np.isfinite(res.forecasts["forecast"]).all() and len(res.future) == 9 and not res.failures


def test_global_networks_refuse_what_they_do_not_support():
    with pytest.raises(ConfigError, match=r"not \['validation_fraction'\]"):
        run_task(task(PanelModel("net", "lstm", {"validation_fraction": 0.2}, "global"), _same_shape(), FoldPlan(3)))
    with pytest.raises(ConfigError, match=r"model 'net': .*units"):
        run_task(task(PanelModel("net", "dense", {"units": [8, 4], "layers": 3}, "global"), _same_shape(), FoldPlan(3)))


def test_a_global_network_runs_from_the_cli(tmp_path):
    from typer.testing import CliRunner

    from forecastkit.cli.app import app

    rows = pd.concat([pd.DataFrame({"item": b.sid, "date": b.times, "qty": b.values, "cat": b.sid == "a"})
                      for b in _same_shape()])
    rows.to_csv(tmp_path / "p.csv", index=False)
    cfg = tmp_path / "p.toml"
    cfg.write_text(textwrap.dedent(f"""
        data = {{path = "{tmp_path / 'p.csv'}", series_id = "item", target = "qty", static_features = ["cat"]}}
        evaluation = {{horizon = 3}}
        [[models]]
        name = "mlp_global"
        type = "dense"
        n_in = 6
        units = 8
        epochs = 5
        strategy = "direct"
        series_id_feature = true
        """))
    res = CliRunner().invoke(app, ["run", str(cfg), "-o", str(tmp_path / "out"), "--no-plots", "--quiet"])
    assert res.exit_code == 0, res.output
    board = pd.read_csv(tmp_path / "out" / "leaderboard.csv")
    row = board[board.model == "mlp_global"].iloc[0]
    assert row["pooling"] == "global" and np.isfinite(row["mean_mase"]) and row["n_series"] == 2
