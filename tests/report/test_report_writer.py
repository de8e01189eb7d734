"""Report files: every file present with the right columns, a self-contained HTML page."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.metrics import FOLD_COLUMNS, HORIZON_COLUMNS, LEADERBOARD_COLUMNS, score
from forecastkit.backtest.results import FORECAST_COLUMNS, FUTURE_COLUMNS, ModelRun, RunResult
from forecastkit.backtest.splits import holdout_folds, rolling_folds
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.baselines import NaiveForecaster, SeasonalNaiveForecaster
from forecastkit.report import format_leaderboard, write_report
from forecastkit.report.tables import markdown_table


class Broken(Forecaster):
    def __init__(self):
        pass

    def _fit(self, y, X):
        raise ValueError("cannot fit <script>alert(1)</script>")

    def _predict(self, h, X):  # never reached: fitting fails
        return np.zeros((h, 1))


class FakeArima(NaiveForecaster):
    """A naive forecaster that reports ARIMA-like fitted orders."""

    def fitted_info(self):
        return {**super().fitted_info(), "order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12)}


def _future(forecaster, name, y, h):
    p = forecaster.fit(y).predict_interval(h)
    t = y.columns[0]
    return pd.DataFrame({
        "model": name, "target": t, "timestamp": p.index, "step": np.arange(1, h + 1),
        "forecast": p[t].to_numpy(), "lower": p[f"{t}_lower"].to_numpy(), "upper": p[f"{t}_upper"].to_numpy(),
    })


@pytest.fixture(scope="module")
def run() -> RunResult:
    n = 72
    t = np.arange(n, dtype=float)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    data = pd.DataFrame({"sales": 50 + t + 8 * np.sin(2 * np.pi * t / 12), "temp": np.cos(t)}, index=idx)
    y = data[["sales"]]
    models = [("naive", "naive", NaiveForecaster()), ("snaive", "seasonal_naive", SeasonalNaiveForecaster(12)),
              ("sarima", "arima", FakeArima()), ("broken", "sklearn", Broken())]
    plans = {"holdout": holdout_folds(n, 1, test_size=12), "rolling": rolling_folds(n, 6, folds=3)}
    runs = [run_backtest(f, y, None, folds, name=name, type_name=kind, evaluation=ev)
            for ev, folds in plans.items() for name, kind, f in models]
    future = pd.concat([_future(f.clone(), name, y, 6) for name, _, f in models[:2]], ignore_index=True)
    return RunResult(
        name="demo <run>", config={"data": {"path": "demo.csv", "target": "sales"}}, seed=7, data=data,
        targets=["sales"], season_length=12, metric="rmse", model_runs=runs, future=future,
        meta={"versions": {"numpy": np.__version__, "tensorflow": None}, "machine": "test",
              "future_errors": {"broken": "ValueError: no future"}, "future_fit_seconds": {"naive": 0.25},
              "data": {"source": "demo.csv", "past_covariates": ["temp"], "future_covariates": []}},
        models=[{"name": name, "type": kind, "params": {}} for name, kind, _ in models],
    )


@pytest.fixture(scope="module")
def written(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return out, write_report(run, out)


def test_every_file_with_its_columns(run, written):
    tmp_path, paths = written
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert names == {
        "leaderboard.csv", "leaderboard.md", "metrics_by_horizon.csv", "metrics_by_fold.csv",
        "backtest_forecasts.csv", "forecast.csv", "audit.json", "run.json", "report.html", "report.md",
        "plots/forecast_sales.png", "plots/error_by_horizon_sales.png", "plots/leaderboard_sales.png",
    }
    assert all(p.exists() for p in paths)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]

    lb = pd.read_csv(tmp_path / "leaderboard.csv")
    assert list(lb.columns) == LEADERBOARD_COLUMNS and len(lb) == 8
    assert list(lb["evaluation"]) == ["holdout"] * 4 + ["rolling"] * 4
    broken = lb[lb["model"] == "broken"]
    assert broken["error"].str.contains("ValueError: cannot fit").all() and broken["rmse"].isna().all()
    expected = score(run).leaderboard
    assert np.allclose(lb["rmse"].to_numpy(), expected["rmse"].to_numpy(), equal_nan=True)

    assert list(pd.read_csv(tmp_path / "metrics_by_horizon.csv").columns) == HORIZON_COLUMNS
    by_fold = pd.read_csv(tmp_path / "metrics_by_fold.csv")
    assert list(by_fold.columns) == FOLD_COLUMNS and len(by_fold) == 3 * 12 + 3 * 3
    bt = pd.read_csv(tmp_path / "backtest_forecasts.csv")
    assert list(bt.columns) == FORECAST_COLUMNS and len(bt) == 3 * (12 + 18)
    fc = pd.read_csv(tmp_path / "forecast.csv")
    assert list(fc.columns) == FUTURE_COLUMNS and len(fc) == 12

    audit = json.loads((tmp_path / "audit.json").read_text())
    assert audit["leak_free"] is True
    snaive = [m for m in audit["models"] if m["model"] == "snaive" and m["evaluation"] == "rolling"][0]
    assert [f["fold"] for f in snaive["folds"]] == [0, 1, 2] and all(f["leak_free"] for f in snaive["folds"])
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["seed"] == 7 and meta["config"]["data"]["path"] == "demo.csv" and meta["machine"] == "test"
    assert {m["model"] for m in meta["model_timings"]} == {"naive", "snaive", "sarima", "broken"}

    md = (tmp_path / "leaderboard.md").read_text()
    assert "## holdout" in md and "| snaive |" in md


def test_report_pages(written):
    tmp_path, _ = written
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "demo &lt;run&gt;" in page and "<script>" not in page and "&lt;script&gt;" in page
    for text in ("Verdict", "Leaderboard", "snaive", "skill_snaive", "persistence RMSE", "Forecast value added",
                 "Future forecast", "coverage (95%)", "What each model chose", "seasonal_order (0, 1, 1, 12)",
                 "season_length 12",
                 "Leakage audit", "leak-free", "Timings", "Failed models", "demo.csv", "MS"):
        assert text in page, text
    assert 'tr class="baseline"' in page
    assert "ValueError: no future" in page and "future forecast" in page and "future_seconds" in page
    assert "past covariates" in page and "tensorflow" not in page
    md = (tmp_path / "report.md").read_text()
    assert "![forecast_sales.png](plots/forecast_sales.png)" in md
    assert "What each model chose" in md and "(0, 1, 1, 12)" in md and "snaive (baseline)" in md


def test_without_plots(run, tmp_path):
    paths = write_report(run, tmp_path, plots=False)
    assert not (tmp_path / "plots").exists()
    assert sorted(p.name for p in paths) == sorted(p.name for p in tmp_path.iterdir()) == [
        "audit.json", "backtest_forecasts.csv", "forecast.csv", "leaderboard.csv", "leaderboard.md",
        "metrics_by_fold.csv", "metrics_by_horizon.csv", "report.html", "report.md", "run.json",
    ]
    assert "data:image/png" not in (tmp_path / "report.html").read_text()


def test_format_leaderboard(run):
    text = format_leaderboard(score(run).leaderboard)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["model", "type", "target", "evaluation"]
    assert len(lines) == 2 + 8 and "coverage" in lines[0]
    assert any(line.startswith("broken") and "ValueError" in line for line in lines)
    assert format_leaderboard(pd.DataFrame(columns=LEADERBOARD_COLUMNS)) == "(no results)"


def test_markdown_table_escapes_pipes():
    table = markdown_table(pd.DataFrame({"a": ["x|y"], "b": ["1"]}))
    assert table.splitlines() == ["| a | b |", "| --- | --- |", "| x\\|y | 1 |"]


def test_failed_only_run(tmp_path):
    idx = pd.date_range("2000-01-01", periods=10, freq="D")
    data = pd.DataFrame({"y": np.arange(10.0)}, index=idx)
    failed = ModelRun("m", "naive", "rolling", pd.DataFrame(columns=FORECAST_COLUMNS), [], [], 0.0, 0.0,
                      error="DataError: too short")
    run = RunResult("r", {}, None, data, ["y"], 1, "mae", [failed], pd.DataFrame(columns=FUTURE_COLUMNS), {}, [])
    write_report(run, tmp_path)
    assert "DataError: too short" in (tmp_path / "report.html").read_text()
    assert pd.read_csv(tmp_path / "leaderboard.csv")["error"].tolist() == ["DataError: too short"]


def test_choices_table_groups_folds_with_the_same_choices():
    from forecastkit.backtest.results import ModelRun, empty_forecasts
    from forecastkit.report.tables import choices_table

    log = {"order": [0, 1, 1], "seasonal_order": [0, 1, 1, 12], "trend": None, "transform": "log"}
    info = [{"fold": 0, **log}, {"fold": 1, **log}, {"fold": 2, **log, "transform": None, "boxcox_lambda": 0.123456},
            {"fold": 3, **log}]
    arima = ModelRun("sarima", "arima", "rolling", empty_forecasts(), [], info, 0.0, 0.0)
    naive = ModelRun("naive", "naive", "rolling", empty_forecasts(), [], [{"fold": 0}], 0.0, 0.0)
    ridge = ModelRun("ridge", "ridge", "rolling", empty_forecasts(), [],
                     [{"fold": 0, "strategy": "direct", "lags": 12, "epochs_run": {"3": [5, 7]}}], 0.0, 0.0)
    run = RunResult("r", {}, 0, pd.DataFrame(), ["y"], 12, "rmse", [arima, naive, ridge], pd.DataFrame())
    assert choices_table(run).to_dict("records") == [
        {"model": "sarima", "evaluation": "rolling", "folds": "0-1, 3",
         "chose": "order (0, 1, 1); seasonal_order (0, 1, 1, 12); transform log"},
        {"model": "sarima", "evaluation": "rolling", "folds": "2",
         "chose": "order (0, 1, 1); seasonal_order (0, 1, 1, 12); boxcox_lambda 0.1235"},
        {"model": "ridge", "evaluation": "rolling", "folds": "0",
         "chose": "strategy direct; lags 12; epochs_run {3: (5, 7)}"},
    ]
