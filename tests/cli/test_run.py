"""`forecastkit run` / `forecast` end to end on a tiny config with fast models."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app

runner = CliRunner()

LEADERBOARD_COLUMNS = [
    "model", "type", "target", "evaluation", "mae", "rmse", "mape", "smape", "mase", "skill",
    "fit_seconds", "predict_seconds",
]


@pytest.fixture
def tiny(tmp_path):
    """A 72-month seasonal series with a trend, and a config over it."""
    idx = pd.date_range("2000-01-01", periods=72, freq="MS")
    t = np.arange(72)
    rng = np.random.default_rng(0)
    y = 100 + 0.8 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 72)
    data = tmp_path / "tiny.csv"
    pd.DataFrame({"month": idx.strftime("%Y-%m"), "sales": y.round(3)}).to_csv(data, index=False)
    config = tmp_path / "tiny.toml"
    config.write_text(textwrap.dedent(f"""
        name = "tiny"
        seed = 3
        [data]
        path = "{data}"
        target = "sales"
        [[evaluation]]
        name = "holdout"
        scheme = "holdout"
        test_size = 12
        horizon = 1
        [[evaluation]]
        name = "rolling"
        scheme = "rolling"
        horizon = 6
        folds = 3
        step = 6
        [[models]]
        name = "naive"
        type = "naive"
        [[models]]
        name = "snaive"
        type = "seasonal_naive"
        season_length = 12
        [[models]]
        name = "ridge_direct"
        type = "ridge"
        strategy = "direct"
        n_in = 12
    """))
    return config


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_run_writes_every_output(tiny, tmp_path):
    out = tmp_path / "out"
    result = run("run", tiny, "--output", out, "--quiet")
    assert result.exit_code == 0, result.output
    for name in (
        "leaderboard.csv", "leaderboard.md", "metrics_by_horizon.csv", "metrics_by_fold.csv",
        "backtest_forecasts.csv", "forecast.csv", "report.html", "report.md", "run.json",
    ):
        assert (out / name).is_file(), name
    assert list((out / "plots").glob("*.png"))
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(LEADERBOARD_COLUMNS) <= set(board.columns)
    assert set(board["model"]) == {"naive", "snaive", "ridge_direct"}
    assert set(board["evaluation"]) == {"holdout", "rolling"}
    naive = board[(board.model == "naive")]
    assert np.allclose(naive["skill"], 0.0)  # persistence against itself
    bt = pd.read_csv(out / "backtest_forecasts.csv")
    assert {"model", "target", "origin", "timestamp", "step", "actual", "forecast", "lower", "upper"} <= set(bt.columns)
    hold = bt[(bt.model == "naive") & (bt.evaluation == "holdout")]
    assert len(hold) == 12 and hold["step"].eq(1).all()
    roll = bt[(bt.model == "naive") & (bt.evaluation == "rolling")]
    assert len(roll) == 18 and pd.to_datetime(roll["timestamp"]).max() == pd.Timestamp("2005-12-01")
    fc = pd.read_csv(out / "forecast.csv")
    assert pd.to_datetime(fc["timestamp"]).min() == pd.Timestamp("2006-01-01")
    assert set(fc["model"]) == {"naive", "snaive", "ridge_direct"}
    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == 3 or meta.get("config", {}).get("seed") == 3
    html = (out / "report.html").read_text()
    assert "data:image/png;base64" in html and "snaive" in html
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_run_refuses_to_overwrite_without_force(tiny, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    result = run("run", tiny, "--output", out, "--quiet")
    assert result.exit_code == 2 and "already exists" in result.stderr and "--force" in result.stderr
    assert (out / "keep.txt").exists()
    result = run("run", tiny, "--output", out, "--quiet", "--force", "--no-plots")
    assert result.exit_code == 0, result.output
    assert not (out / "keep.txt").exists() and (out / "leaderboard.csv").exists()


def test_jobs_two_equals_jobs_one(tiny, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("run", tiny, "--output", a, "--quiet", "--no-plots").exit_code == 0
    result = run("run", tiny, "--output", b, "--quiet", "--no-plots", "--jobs", "2")
    assert result.exit_code == 0, result.output
    cols = ["model", "evaluation", "fold", "step", "forecast", "lower", "upper"]
    fa = pd.read_csv(a / "backtest_forecasts.csv")[cols]
    fb = pd.read_csv(b / "backtest_forecasts.csv")[cols]
    pd.testing.assert_frame_equal(fa, fb)


def test_interrupted_run_leaves_no_partial_directory(tiny, tmp_path, monkeypatch):
    import forecastkit.report.writer as writer

    def boom(result, out_dir, plots=True):
        (out_dir / "leaderboard.csv").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "write_report", boom)
    out = tmp_path / "out"
    result = run("run", tiny, "--output", out, "--quiet")
    assert result.exit_code != 0
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_forecast_command_past_the_end(tiny, tmp_path):
    out = tmp_path / "f.csv"
    result = run("forecast", tiny, "--model", "snaive", "--horizon", 30, "--output", out)
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(out)
    assert len(fc) == 30 and list(fc.columns[:3]) == ["model", "target", "timestamp"]
    assert fc["timestamp"].iloc[0].startswith("2006-01-01") and fc["timestamp"].iloc[-1].startswith("2008-06-01")
    assert (fc["lower"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["upper"]).all()


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda s: s.replace('target = "sales"', 'target = "salez"'), "salez"),
        (lambda s: s.replace("folds = 3", "folds = 3\nfoldz = 1"), "unknown key 'evaluation[1].foldz'; valid keys here: folds, horizon, name, refit_every, scheme, start"),
        (lambda s: s.replace('type = "naive"', 'type = "naiive"'), "unknown model type 'naiive'"),
        (lambda s: s.replace("horizon = 6", "horizon = -1"), "evaluation[1].horizon: Input should be greater than or equal to 1 (got -1)"),
        (lambda s: s.replace("folds = 3", "folds = 30"), "rows"),
    ],
)
def test_bad_configs_exit_2(tiny, tmp_path, edit, fragment):
    tiny.write_text(edit(tiny.read_text()))
    result = run("run", tiny, "--output", tmp_path / "o", "--quiet")
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_forecast_unknown_model(tiny):
    result = run("forecast", tiny, "--model", "prophet")
    assert result.exit_code == 2 and "unknown model 'prophet'" in result.stderr
