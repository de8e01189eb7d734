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
    # only the (released) lock file remains beside the run: no temporary, no work dir
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == [".out.lock"]


def test_run_refuses_to_overwrite_without_force(tiny, tmp_path):
    out = tmp_path / "out"
    assert run("run", tiny, "--output", out, "--quiet", "--no-plots").exit_code == 0
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
    # only the resumable work directory remains, never a half-written report
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [".out.lock", ".out.work"]
    result = run("run", tiny, "--output", out, "--quiet")
    assert result.exit_code == 2 and "--resume" in result.stderr


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


def test_resume_reuses_finished_folds_and_matches_uninterrupted(tiny, tmp_path, monkeypatch):
    import forecastkit.backtest.engine as engine
    from forecastkit.forecasters.reduction import ReductionForecaster

    full = tmp_path / "full"
    assert run("run", tiny, "--output", full, "--quiet", "--no-plots").exit_code == 0

    # Interrupt the first run after 10 stored folds.
    out = tmp_path / "out"
    real = engine.run_backtest
    stored = {"n": 0}

    def interrupting(*args, on_result=None, **kwargs):
        def store(k, rec):
            on_result(k, rec)
            stored["n"] += 1
            if stored["n"] == 10:
                raise KeyboardInterrupt
        return real(*args, on_result=store, **kwargs)

    monkeypatch.setattr(engine, "run_backtest", interrupting)
    assert run("run", tiny, "--output", out, "--quiet", "--no-plots").exit_code != 0
    assert not out.exists()
    monkeypatch.setattr(engine, "run_backtest", real)

    # Resume: count the folds computed again (ridge fits/updates), compare outputs.
    calls = {"fit": 0}
    real_fit = ReductionForecaster.fit

    def counting_fit(self, *a, **k):
        calls["fit"] += 1
        return real_fit(self, *a, **k)

    monkeypatch.setattr(ReductionForecaster, "fit", counting_fit)
    computed = {"n": 0}

    def counting(*args, on_result=None, **kwargs):
        def store(k, rec):
            computed["n"] += 1
            on_result(k, rec)
        return real(*args, on_result=store, **kwargs)

    monkeypatch.setattr(engine, "run_backtest", counting)
    result = run("run", tiny, "--output", out, "--quiet", "--no-plots", "--resume")
    assert computed["n"] == 3 * (12 + 3) - 10  # every fold except the 10 finished ones
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".out.work").exists()
    cols = ["model", "evaluation", "fold", "step", "forecast", "lower", "upper"]
    pd.testing.assert_frame_equal(
        pd.read_csv(full / "backtest_forecasts.csv")[cols], pd.read_csv(out / "backtest_forecasts.csv")[cols]
    )
    pd.testing.assert_frame_equal(pd.read_csv(full / "forecast.csv"), pd.read_csv(out / "forecast.csv"))
    # 15 backtest folds + 1 final refit for ridge without interruption; the first
    # 10 stored folds were naive (12 holdout) ... so ridge was never partially done
    # and must be fitted exactly as often as in a clean run: holdout once, rolling 3x, final once.
    # (each fit also fits the copy that calibrates its intervals: twice as many)
    assert calls["fit"] == 2 * (1 + 3 + 1)


def test_resume_refuses_changed_config(tiny, tmp_path):
    out = tmp_path / "out"
    work = tmp_path / ".out.work"
    (work / "folds" / "naive" / "holdout").mkdir(parents=True)
    (work / "state.json").write_text('{"fingerprint": "0000"}')
    (work / "folds" / "naive" / "holdout" / "fold-00000.json").write_text("{}")
    result = run("run", tiny, "--output", out, "--quiet", "--resume")
    assert result.exit_code == 2 and "changed since the interrupted run" in result.stderr


def test_strict_fails_when_a_model_fails(tiny, tmp_path):
    # A parameter only the estimator itself rejects, at fit time.
    tiny.write_text(tiny.read_text() + '\n[[models]]\nname = "too_long"\ntype = "ridge"\nn_in = 3\n'
                    'regressor_params = { alpha = -1.0 }\n')
    result = run("run", tiny, "--output", tmp_path / "a", "--quiet", "--no-plots")
    assert result.exit_code == 0 and "warning: model too_long" in result.stderr
    board = pd.read_csv(tmp_path / "a" / "leaderboard.csv")
    assert board.loc[board.model == "too_long", "error"].notna().all()
    result = run("run", tiny, "--output", tmp_path / "b", "--quiet", "--no-plots", "--strict")
    assert result.exit_code == 1


def test_saved_models_reload_and_forecast_new_data(tiny, tmp_path):
    out = tmp_path / "out"
    assert run("run", tiny, "--output", out, "--quiet", "--no-plots", "--save-models").exit_code == 0
    for name in ("naive", "snaive", "ridge_direct"):
        assert (out / "models" / name / "metadata.json").is_file()
    # New data: the same series extended by 6 months; forecasts continue from its end.
    data = pd.read_csv(tmp_path / "tiny.csv")
    extra = pd.DataFrame({"month": pd.date_range("2006-01-01", periods=6, freq="MS").strftime("%Y-%m"),
                          "sales": np.linspace(160, 170, 6)})
    new = tmp_path / "new.csv"
    pd.concat([data, extra]).to_csv(new, index=False)
    result = run("forecast", "--model-dir", out / "models" / "snaive", "--data", new, "--horizon", 12)
    assert result.exit_code == 0, result.output
    import io
    fc = pd.read_csv(io.StringIO(result.stdout))
    assert fc["timestamp"].iloc[0].startswith("2006-07-01") and len(fc) == 12
    # seasonal naive from the new data repeats its last 12 values
    assert np.allclose(fc["forecast"], pd.concat([data, extra])["sales"].to_numpy()[-12:])
    # wrong columns are refused with a clear message
    pd.DataFrame({"month": data["month"], "revenue": data["sales"]}).to_csv(tmp_path / "bad.csv", index=False)
    result = run("forecast", "--model-dir", out / "models" / "ridge_direct", "--data", tmp_path / "bad.csv", "-H", 3)
    assert result.exit_code == 2 and "sales" in result.stderr


def test_validate_checks_config_against_data(tiny):
    result = run("validate", tiny)
    assert result.exit_code == 0, result.output
    assert "holdout: 12 origin(s), horizon 1" in result.stdout
    assert "rolling: 3 origin(s), horizon 6" in result.stdout
    tiny.write_text(tiny.read_text().replace("n_in = 12", "n_in = 70"))
    result = run("validate", tiny)
    assert result.exit_code == 2 and "rows" in result.stderr


def test_run_prints_the_verdict_first_and_mape_as_na_for_a_series_through_zero(tiny, tmp_path):
    data = tmp_path / "tiny.csv"
    frame = pd.read_csv(data)
    frame["sales"] = (frame["sales"] - frame["sales"].mean()).round(3)  # now it crosses zero
    frame.to_csv(data, index=False)
    result = run("run", tiny, "--output", tmp_path / "out", "--no-plots")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Verdict:" and lines[1].startswith("- holdout")
    header = next(i for i, line in enumerate(lines) if line.startswith("model "))
    mape = lines[header].split().index("mape")
    rows = [line.split() for line in lines[header + 2:] if line and not line.startswith(("MAPE", "report:"))]
    assert rows and all(row[mape] == "n/a" for row in rows)
    assert any(line.startswith("MAPE is n/a for sales") for line in lines)
