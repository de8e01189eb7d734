"""`forecastkit forecast CONFIG`: listing the model names, `--model best`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from forecastkit.cli.app import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runs"))
from _tiny import write_tiny  # noqa: E402

runner = CliRunner()


def test_forecast_without_model_lists_the_names(tmp_path):
    config = write_tiny(tmp_path)
    result = runner.invoke(app, ["forecast", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["  naive  (naive)", "  snaive  (seasonal_naive)", "  ridge  (ridge)"]


def test_model_best_uses_the_last_run_and_says_which(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = write_tiny(tmp_path)
    missing = runner.invoke(app, ["forecast", str(config), "--model", "best"])
    assert missing.exit_code == 2 and "needs a finished run" in missing.stderr
    assert runner.invoke(app, ["run", str(config), "--quiet", "--no-plots"]).exit_code == 0
    board = pd.read_csv(tmp_path / "runs" / "tiny" / "leaderboard.csv")
    rolling = board[board["evaluation"] == "rolling"].sort_values("rmse")
    result = runner.invoke(app, ["forecast", str(config), "--model", "best"])
    assert result.exit_code == 0, result.output
    best = rolling["model"].iloc[0]
    assert result.stderr.startswith(f"using {best}: best rmse")
    table = pd.read_csv(io.StringIO(result.stdout))
    assert set(table["model"]) == {best} and len(table) == 4
