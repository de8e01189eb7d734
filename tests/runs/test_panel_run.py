"""Panel runs end to end: the files written, joblib and Dask give the same numbers as one
process, forecasts past the end for every series, combinations, and the Dask hint."""

from __future__ import annotations

import json
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError
from forecastkit.runs.panel import run_panel


def write_panel(tmp_path, n_series=6, extra=""):
    rng = np.random.default_rng(0)
    parts = []
    for k in range(n_series):
        n = 40 + 3 * k  # ragged: different lengths and starts
        idx = pd.date_range("2015-01-01", periods=n, freq="MS") + pd.DateOffset(months=k)
        t = np.arange(n)
        y = (50 + 10 * k + 0.5 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"shop": f"S{k}", "month": idx.strftime("%Y-%m-%d"), "sales": y.round(3)}))
    pd.concat(parts).to_csv(tmp_path / "panel.csv", index=False)
    cfg = tmp_path / "panel.toml"
    cfg.write_text(textwrap.dedent(f"""
        name = "tiny-panel"
        [data]
        path = "{tmp_path / 'panel.csv'}"
        series_id = "shop"
        target = "sales"
        [evaluation]
        horizon = 4
        folds = 2
        [forecast]
        horizon = 5
        [execution]
        chunk_size = 2
        [[models]]
        name = "naive2"
        type = "naive2"
        [[models]]
        name = "theta"
        type = "theta"
        [[models]]
        name = "ridge"
        type = "ridge"
        n_in = 6
        [[combinations]]
        name = "combo"
        members = ["theta", "ridge"]
        """) + extra)
    return cfg


def test_panel_run_writes_every_file(tmp_path):
    cfg = write_panel(tmp_path)
    res = run_panel(cfg, tmp_path / "out", plots=True)
    out = tmp_path / "out"
    for name in ("leaderboard.csv", "metrics_by_series.csv", "forecasts.csv", "forecast.csv", "run.json",
                 "report.html", "distribution.png", "series_best.png", "fitted_by_series.csv"):
        assert (out / name).is_file(), name
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["model"]) == {"naive2", "theta", "ridge", "combo"}
    assert board.set_index("model").loc["naive2", "owa"] == pytest.approx(1.0)  # naive2 against itself
    assert (board["n_series"] == 6).all()
    assert dict(zip(board["model"], board["pooling"]))["ridge"] == "global"
    fut = pd.read_csv(out / "forecast.csv", parse_dates=["time"])
    assert fut.groupby(["model", "series_id"]).size().eq(5).all() and fut["series_id"].nunique() == 6
    theta = fut[fut.model == "theta"]
    # every model gives calibrated intervals past the end; a combination none
    assert fut[fut.model != "combo"][["lower", "upper"]].notna().all().all()
    assert fut[fut.model == "combo"]["lower"].isna().all()
    assert (fut["lower"] <= fut["forecast"]).where(fut["lower"].notna(), True).all()
    assert (fut["upper"] >= fut["forecast"]).where(fut["upper"].notna(), True).all()
    last = res.forecasts.groupby("series_id")["time"].max()  # backtest ends at each series' end
    first_future = fut[fut.model == "theta"].groupby("series_id")["time"].min()
    assert ((first_future - last).dt.days.between(28, 31)).all()
    combo = res.forecasts[res.forecasts.model == "combo"].reset_index(drop=True)
    members = res.forecasts[res.forecasts.model.isin(["theta", "ridge"])]
    mean = members.groupby(["series_id", "fold", "step"], sort=False)["forecast"].mean().to_numpy()
    np.testing.assert_allclose(combo["forecast"], mean)
    html = (out / "report.html").read_text()
    # the configured naive2 is the reference itself: no duplicate row; seasonal naive is not configured
    assert "naive2 (reference)" not in html and "seasonal naive (reference)" in html
    assert "Wilcoxon signed-rank" in html or "too few series" in html  # the winner against its rivals
    assert "Worst series per model" in html and "coverage (" in html and 'class="scroll"' in html


def test_report_names_models_whose_intervals_miss_their_level(tmp_path):
    """theta's and naive2's own 80% bands cover about half of the tiny panel's test values:
    flagged in leaderboard.csv and named under the report's leaderboard; the global ridge
    has no band of its own, so no coverage and no flag."""
    cfg = write_panel(tmp_path)
    cfg.write_text(cfg.read_text().replace("[forecast]\nhorizon = 5", "[forecast]\nhorizon = 5\nlevel = 0.8\n"
                                           'intervals = "native"'))
    run_panel(cfg, tmp_path / "out", plots=False)
    board = pd.read_csv(tmp_path / "out" / "leaderboard.csv", keep_default_na=False).set_index("model")
    assert board.loc["theta", "coverage_flag"].startswith("low: ") and board.loc["ridge", "coverage_flag"] == ""
    by_series = pd.read_csv(tmp_path / "out" / "metrics_by_series.csv")
    assert (by_series.loc[by_series.model == "theta", "n_intervals"] == 8).all()  # 2 folds x 4 steps
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Interval coverage off its level" in html and f"theta {board.loc['theta', 'coverage_flag']}" in html


def _numbers(res):
    return res.forecasts.sort_values(["model", "series_id", "fold", "step"]).reset_index(drop=True)


def _same(a, b):
    """Backtest forecasts and bounds, the future with its intervals, the leaderboard (coverage
    included) and what each model chose: all identical."""
    pd.testing.assert_frame_equal(_numbers(a), _numbers(b))
    key = ["model", "series_id", "step"]
    pd.testing.assert_frame_equal(a.future.sort_values(key).reset_index(drop=True),
                                  b.future.sort_values(key).reset_index(drop=True))
    assert a.future[a.future.model != "combo"]["lower"].notna().all()
    pd.testing.assert_frame_equal(a.leaderboard.drop(columns="seconds"), b.leaderboard.drop(columns="seconds"))
    pd.testing.assert_frame_equal(a.fitted.sort_values(["model", "series_id"]).reset_index(drop=True),
                                  b.fitted.sort_values(["model", "series_id"]).reset_index(drop=True))


def test_jobs_2_gives_the_same_results_as_jobs_1(tmp_path):
    cfg = write_panel(tmp_path)
    one = run_panel(cfg, tmp_path / "a", jobs=1, plots=False)
    two = run_panel(cfg, tmp_path / "b", jobs=2, plots=False)
    _same(one, two)


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    pytest.importorskip("dask.distributed")
    cfg = write_panel(tmp_path, n_series=4)
    one = run_panel(cfg, tmp_path / "a", plots=False)
    dask = run_panel(cfg, tmp_path / "b", engine="dask", plots=False)  # a 2-worker LocalCluster
    _same(one, dask)
    assert json.loads((tmp_path / "b" / "run.json").read_text())["engine"] == "dask"


def test_dask_missing_names_the_extra(tmp_path, monkeypatch):
    cfg = write_panel(tmp_path, n_series=3)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ConfigError, match=r"pip install 'forecastkit\[dask\]'"):
        run_panel(cfg, tmp_path / "out", engine="dask", plots=False)
    assert not (tmp_path / "out").exists()


def test_too_short_series_skipped_or_strict(tmp_path):
    cfg = write_panel(tmp_path)
    df = pd.read_csv(tmp_path / "panel.csv")
    df = df[~((df.shop == "S1") & (df.groupby("shop").cumcount() >= 10))]  # S1 keeps 10 rows
    df.to_csv(tmp_path / "panel.csv", index=False)
    with pytest.warns(UserWarning, match=r"'S1' \(10 rows\)"):
        res = run_panel(cfg, tmp_path / "a", plots=False)
    assert res.meta["skipped"] == {"S1": 10} and "S1" not in set(res.by_series.series_id)
    with pytest.raises(Exception, match=r"--strict"):
        run_panel(cfg, tmp_path / "b", strict=True, plots=False)
    assert not (tmp_path / "b").exists()


def test_common_origins(tmp_path):
    cfg = write_panel(tmp_path, extra="")
    text = cfg.read_text().replace("folds = 2", 'folds = 2\norigins = "common"')
    cfg.write_text(text)
    res = run_panel(cfg, tmp_path / "out", plots=False)
    origins = res.forecasts.groupby("fold")["origin"].unique()
    assert all(len(o) == 1 for o in origins)  # every series cut at the same date


def test_global_only_options_on_a_local_model_are_refused(tmp_path):
    cfg = write_panel(tmp_path, extra='\n[[models]]\nname = "r2"\ntype = "ridge"\npooling = "local"\nscaling = "window"\n')
    with pytest.raises(ConfigError, match=r"scaling apply to pooling = \"global\" only"):
        run_panel(cfg, tmp_path / "out", plots=False)


def test_chunks_do_not_depend_on_the_workers(tmp_path):
    """A local model's short series pool their interval scores over their chunk, so the
    chunks (no ``chunk_size``) are the same for any number of workers: the plan is made
    from the config and the panel alone (``_setup`` takes no worker count)."""
    import inspect

    from forecastkit.config.panel import load_panel_config
    from forecastkit.runs.panel import _setup

    cfg = write_panel(tmp_path, n_series=7)
    cfg.write_text(cfg.read_text().replace("chunk_size = 2", ""))
    cfg = load_panel_config(cfg)
    assert "workers" not in inspect.signature(_setup).parameters
    chunks = [[b.sid for b in c] for c in _setup(cfg, strict=False).chunks]
    assert chunks == [[f"S{k}" for k in range(7)]]
