"""The verdict and the report built from it: the right winner, ties, value added,
the bar chart following the metric, MAPE n/a in the report."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.metrics import score
from forecastkit.backtest.results import RunResult
from forecastkit.backtest.splits import rolling_folds
from forecastkit.cli.app import app
from forecastkit.forecasters.baselines import DriftForecaster, NaiveForecaster, SeasonalNaiveForecaster
from forecastkit.report.plots import leaderboard_figure
from forecastkit.report.value_added import value_added_table
from forecastkit.report.verdict import build_verdict


@pytest.fixture
def exact_config(tmp_path):
    """A noiseless trend + season: ARIMA(0,1,0)(0,1,0,12) forecasts it exactly."""
    idx = pd.date_range("2000-01-01", periods=96, freq="MS")
    t = np.arange(96)
    y = 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12)
    data = tmp_path / "exact.csv"
    pd.DataFrame({"month": idx.strftime("%Y-%m"), "sales": y.round(8)}).to_csv(data, index=False)
    config = tmp_path / "exact.toml"
    config.write_text(textwrap.dedent(f"""
        name = "exact"
        seed = 1
        [data]
        path = "{data}"
        target = "sales"
        [[evaluation]]
        name = "rolling"
        scheme = "rolling"
        horizon = 3
        folds = 36
        step = 1
        [[models]]
        name = "naive"
        type = "naive"
        [[models]]
        name = "snaive"
        type = "seasonal_naive"
        season_length = 12
        [[models]]
        name = "exact_arima"
        type = "arima"
        order = [0, 1, 0]
        seasonal_order = [0, 1, 0, 12]
    """))
    return config


def test_verdict_names_the_exact_model_and_run_prints_it(exact_config, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(exact_config), "--output", str(out)])
    assert result.exit_code == 0, result.output
    verdict_lines = result.output.split("Verdict:")[1].strip().splitlines()
    assert verdict_lines[0].startswith("- rolling (1-3 steps ahead from 36 origins): best is exact_arima")
    assert "significantly" in verdict_lines[0]
    html = (out / "report.html").read_text()
    first = html.index("<h2>")
    assert html[first:].startswith("<h2>Verdict</h2>")
    md = (out / "report.md").read_text()
    assert md.split("## ")[1].startswith("Verdict") and "best is exact_arima" in md
    assert "## Forecast value added" in md and "## Future forecast" in md


def _tie_run(metric="rmse"):
    t = np.arange(96, dtype=float)
    rng = np.random.default_rng(4)
    y = 200 + 30 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 96)
    idx = pd.date_range("2000-01-01", periods=96, freq="MS")
    data = pd.DataFrame({"y": y}, index=idx)
    plan = rolling_folds(96, 1, folds=40)
    models = [("snaive", "seasonal_naive", SeasonalNaiveForecaster(12)),
              ("snaive_twin", "arima", SeasonalNaiveForecaster(12)),
              ("naive", "naive", NaiveForecaster()), ("drift", "drift", DriftForecaster())]
    runs = [run_backtest(f, data, None, plan, name=n, type_name=k, evaluation="rolling") for n, k, f in models]
    return RunResult(name="tie", config={}, seed=0, data=data, targets=["y"], season_length=12, metric=metric,
                     model_runs=runs, future=pd.DataFrame())


def test_identical_models_are_called_a_tie_with_p_one():
    run = _tie_run()
    verdict = build_verdict(run, score(run))
    (item,) = verdict.items
    assert item.vs_runner_up is not None and item.vs_runner_up.test.pvalue == 1.0
    text = " ".join(item.sentences())
    assert "not distinguishable (p = 1.00" in text and "a tie" in text
    assert set(item.mcs.included) >= {"snaive", "snaive_twin"}


def test_value_added_signs_and_significance():
    run = _tie_run()
    table = value_added_table(run, score(run)).set_index("model")
    assert table.loc["snaive", "fva_snaive"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["snaive", "p_snaive"] == 1.0
    assert table.loc["snaive", "fva_naive"] > 0 and table.loc["snaive", "p_naive"] < 0.01
    assert table.loc["naive", "fva_naive"] == pytest.approx(0.0, abs=1e-9)


def test_bar_chart_ranks_by_mae_when_metric_is_mae():
    board = pd.DataFrame({
        "model": ["a", "b", "c"], "type": ["ridge", "arima", "naive"], "target": "y", "evaluation": "rolling",
        "mae": [3.0, 1.0, 2.0], "rmse": [1.0, 5.0, 3.0], "rmse_naive": 3.0, "rmse_snaive": 2.5, "error": None,
    })
    for metric, best_first in (("mae", ["b", "c", "a"]), ("rmse", ["a", "c", "b"])):
        fig = leaderboard_figure(board, "y", metric)
        ax = fig.axes[0]
        top_down = [t.get_text() for t in ax.get_yticklabels()][::-1]  # barh draws bottom-up
        widths = [p.get_width() for p in ax.patches][::-1]
        assert top_down == best_first
        assert widths == sorted(widths)
        assert metric.upper() in ax.get_title()


def test_report_shows_mape_na_with_a_note_and_levels_in_headers(tmp_path):
    from forecastkit.report import write_report

    t = np.arange(72, dtype=float)
    idx = pd.date_range("2000-01-01", periods=72, freq="MS")
    data = pd.DataFrame({"temp": 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(2).normal(0, 1, 72)},
                        index=idx)
    plan = rolling_folds(72, 6, folds=6)
    runs = [run_backtest(f, data, None, plan, name=n, type_name=k, evaluation="rolling")
            for n, k, f in [("naive", "naive", NaiveForecaster()), ("snaive", "seasonal_naive",
                                                                     SeasonalNaiveForecaster(12))]]
    run = RunResult(name="temp", config={"forecast": {"level": 0.8}}, seed=0, data=data, targets=["temp"],
                    season_length=12, metric="mape", model_runs=runs, future=pd.DataFrame())
    write_report(run, tmp_path)  # plots too: an empty future must not break them
    md = (tmp_path / "report.md").read_text()
    leaderboard = md.split("## Leaderboard")[1].split("## Forecast value added")[0]
    assert "MAPE is n/a for temp" in leaderboard and "| n/a |" in leaderboard
    assert "coverage (80%)" in leaderboard and "pinball (10%/90%)" in leaderboard
    assert "ranked by MAE" in md.split("## Run")[0]  # the verdict says why it ranks by MAE


def test_verdict_names_intervals_that_miss_their_level():
    run = _tie_run()
    for mr in run.model_runs:
        f = mr.forecasts
        half = {"naive": 0.0, "drift": 1e6}.get(mr.name)  # no width at all; wide enough for anything
        if half is not None:
            f["lower"], f["upper"] = f["forecast"] - half, f["forecast"] + half
    text = " ".join(build_verdict(run, score(run)).items[0].sentences())
    # 0 of 40 one-step forecasts inside a 95% band is flagged; 40 of 40 is within chance
    assert "Interval coverage off its 95% level: naive 0.0% of 40" in text
    assert "drift 100" not in text
