"""Forecasts past the end: tidy tables, future covariates coverage, one configured
model, the best model of the last run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _tiny import write_tiny

from forecastkit.config.schema import load_config
from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.baselines import NaiveForecaster
from forecastkit.runs.future import best_model, check_covers, forecast_one, future_steps, tidy_future


def test_tidy_future_has_dates_steps_and_bounds():
    y = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [5.0, 5.0, 6.0]}, index=pd.date_range("2020-01-01", periods=3))
    model = NaiveForecaster().fit(y)
    table = tidy_future(model, "n", 2, 0.9, None)
    assert list(table.columns) == ["model", "target", "timestamp", "step", "forecast", "lower", "upper"]
    assert table["target"].tolist() == ["a", "a", "b", "b"] and table["step"].tolist() == [1, 2, 1, 2]
    assert table["timestamp"].tolist() == [pd.Timestamp("2020-01-04"), pd.Timestamp("2020-01-05")] * 2
    assert table["forecast"].tolist() == [4.0, 4.0, 6.0, 6.0]
    assert (table["lower"] < table["forecast"]).all() and (table["upper"] > table["forecast"]).all()
    assert tidy_future(model, "n", 2, None, None)[["lower", "upper"]].isna().all().all()


def test_future_covariates_must_cover_every_step():
    index = pd.date_range("2020-01-31", periods=3, freq="ME")
    steps = future_steps(index, 3)
    assert steps.tolist() == list(pd.date_range("2020-04-30", periods=3, freq="ME"))
    X = pd.DataFrame({"p": [1.0, np.nan, 2.0]}, index=steps)
    check_covers(X.fillna(0), ["p"], steps, "f.csv")
    with pytest.raises(DataError, match=r"f.csv: future-known covariate 'p' is 1 step\(s\) short .* 2020-05-31"):
        check_covers(X, ["p"], steps, "f.csv")


def test_forecast_one_fits_that_model_on_all_the_data(tmp_path):
    cfg = load_config(write_tiny(tmp_path))
    table = forecast_one(cfg, "snaive")
    data = pd.read_csv(tmp_path / "tiny.csv")
    assert len(table) == 4 and table["forecast"].tolist() == data["sales"].iloc[48:52].tolist()
    assert len(forecast_one(cfg, "snaive", horizon=2, level=0.5)) == 2
    with pytest.raises(ConfigError, match="unknown model 'x'; the config has: naive, snaive, ridge"):
        forecast_one(cfg, "x")


def test_best_model_reads_the_last_runs_leaderboard(tmp_path):
    cfg = load_config(write_tiny(tmp_path))
    with pytest.raises(ConfigError, match="needs a finished run"):
        best_model(cfg, tmp_path / "run")
    (tmp_path / "run").mkdir()
    pd.DataFrame({
        "model": ["naive", "snaive", "ridge", "naive", "gone"], "evaluation": ["rolling"] * 3 + ["holdout", "rolling"],
        "rmse": [3.0, 1.0, 2.0, 0.1, 0.01], "skill": [0.0, 0.6, 0.3, 0.9, 0.99], "n_forecasts": [6, 6, 6, 6, 6],
    }).to_csv(tmp_path / "run" / "leaderboard.csv", index=False)
    name, why = best_model(cfg, tmp_path / "run")
    # the last evaluation decides; a model no longer in the config does not count
    assert name == "snaive" and "rmse" in why and "'rolling'" in why
    assert best_model(cfg.model_copy(update={"metric": "skill"}), tmp_path / "run")[0] == "snaive"
