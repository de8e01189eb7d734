"""``forecastkit.run``: the whole ``forecastkit run`` lifecycle in one library call."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _tiny import write_tiny

import forecastkit
from forecastkit.errors import ConfigError, DataError
from forecastkit.runs.api import ModelsFailedError, default_output, run
from forecastkit.runs.loop import RunStarted, UnitsDone


def test_run_writes_the_report_and_returns_scored_results(tmp_path):
    config = write_tiny(tmp_path)
    events = []
    result = forecastkit.run(config, tmp_path / "out", progress=events.append, plots=False)
    out = tmp_path / "out"
    board = pd.read_csv(out / "leaderboard.csv", keep_default_na=False, na_values=[""])
    assert result.meta["output"] == str(out)
    expected = result.scores.leaderboard.drop(columns="error")
    expected["coverage_flag"] = expected["coverage_flag"].replace("", float("nan"))  # an empty CSV cell
    pd.testing.assert_frame_equal(board.drop(columns="error"), expected, check_dtype=False, rtol=1e-9)
    assert set(board["model"]) == {"naive", "snaive", "ridge"} and board["error"].isna().all()
    assert events[0] == RunStarted(total=3 * (6 + 2) + 3) and sum(e.units for e in events[1:]) == 27
    assert all(isinstance(e, UnitsDone) for e in events[1:])
    assert not (tmp_path / ".out.work").exists()  # the work directory is gone once the run is written
    doc = json.loads((out / "run.json").read_text())
    chose = {m["name"]: m["chose"] for m in doc["models"]}
    assert chose["snaive"]["season_length"] == 12 and chose["snaive"]["intervals"].startswith("conformal")
    assert chose["ridge"]["strategy"] == "direct" and chose["ridge"]["lags"] == 12
    assert len(pd.read_csv(out / "forecast.csv")) == 3 * 4


def test_existing_output_needs_force_and_force_replaces(tmp_path):
    config = write_tiny(tmp_path)
    run(config, tmp_path / "out", models=["naive"], plots=False)
    with pytest.raises(DataError, match="already exists; pass --force"):
        run(config, tmp_path / "out", plots=False)
    run(config, tmp_path / "out", force=True, models=["snaive"], plots=False)
    assert set(pd.read_csv(tmp_path / "out" / "leaderboard.csv")["model"]) == {"snaive"}


def test_strict_raises_after_writing_when_a_model_failed(tmp_path):
    config = write_tiny(tmp_path, models="""
        [[models]]
        name = "naive"
        type = "naive"
        [[models]]
        name = "missing"
        type = "sklearn"
        regressor = "sklearn.linear_model.Ridge"
        regressor_params = {alpha = -1.0}
        n_in = 3
    """)
    with pytest.raises(ModelsFailedError) as info:
        run(config, tmp_path / "out", strict=True, plots=False)
    assert (tmp_path / "out" / "report.html").exists()
    assert any(line.startswith("missing (holdout): ") for line in info.value.failures)
    assert run(config, tmp_path / "again", plots=False).failures == info.value.failures


def test_bad_arguments_are_named(tmp_path):
    config = write_tiny(tmp_path)
    with pytest.raises(DataError, match="--jobs must be >= 1, got 0"):
        run(config, tmp_path / "out", jobs=0)
    with pytest.raises(ConfigError, match=r"unknown model name\(s\) \['nope'\]"):
        run(config, tmp_path / "out", models=["nope"])


def test_default_output_is_runs_slash_name(tmp_path):
    from forecastkit.config.schema import load_config

    cfg = load_config(write_tiny(tmp_path))
    assert str(default_output(cfg)) == "runs/tiny"
    assert str(default_output(cfg.model_copy(update={"name": None}), tmp_path / "x.toml")) == "runs/x"
