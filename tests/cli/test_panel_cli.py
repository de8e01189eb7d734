"""``forecastkit run`` on a panel config ([data] series_id), its bad input (one line, exit 2,
nothing written), and ``forecastkit datasets`` listing the competition panels."""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app

runner = CliRunner()


def write(tmp_path, rows=None, extra_data="", models=None):
    if rows is None:
        parts = []
        for k in range(3):
            idx = pd.date_range("2018-01-01", periods=30, freq="MS")
            parts.append(pd.DataFrame({"item": f"P{k}", "date": idx.strftime("%Y-%m-%d"),
                                       "qty": (20 + k + np.arange(30) % 12).astype(float)}))
        rows = pd.concat(parts, ignore_index=True)
    rows.to_csv(tmp_path / "p.csv", index=False)
    cfg = tmp_path / "p.toml"
    cfg.write_text(textwrap.dedent(f"""
        [data]
        path = "{tmp_path / 'p.csv'}"
        series_id = "item"
        target = "qty"
        {extra_data}
        [evaluation]
        horizon = 3
        """) + (models or '[[models]]\nname = "naive"\ntype = "naive"\n'))
    return cfg, rows


def run(*args):
    return runner.invoke(app, ["run", *map(str, args)])


def test_run_dispatches_to_the_panel_path(tmp_path):
    cfg, _ = write(tmp_path)
    res = run(cfg, "-o", tmp_path / "out", "--no-plots")
    assert res.exit_code == 0, res.output
    assert "naive" in res.stdout and "owa" in res.stdout
    assert (tmp_path / "out" / "metrics_by_series.csv").is_file()


def one_line_error(res, pattern, out):
    import re

    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()


@pytest.mark.parametrize("edit, pattern", [
    (lambda d: pd.concat([d, d.iloc[[35]]]), r"series 'P1': timestamp 2018-06-01 appears more than once"),
    (lambda d: d.drop(index=[40, 41]), r"series 'P1': 2 missing timestamp\(s\), first 2018-11-01"),
    (lambda d: d.assign(item="X"), r"one value \('X'\)"),
    (lambda d: d.assign(item=["1"] * 30 + ["x"] * 30 + ["3"] * 30), r"mixes numbers"),
    (lambda d: d.rename(columns={"item": "sku"}), r"series_id column\(s\) \['item'\] not found"),
    (lambda d: d[d.groupby("item").cumcount() < 10], r"no series is long enough: the longest has 10 rows, the run needs 16"),
])
def test_bad_panels_are_one_line_exit_2(tmp_path, edit, pattern):
    _, rows = write(tmp_path)
    cfg, _ = write(tmp_path, rows=edit(rows))
    one_line_error(run(cfg, "-o", tmp_path / "out"), pattern, tmp_path / "out")


def test_bad_panel_config_is_one_line(tmp_path):
    cfg, _ = write(tmp_path, models='[[models]]\nname = "n"\ntype = "arima"\npooling = "global"\n')
    one_line_error(run(cfg, "-o", tmp_path / "out"), r"type 'arima' is fitted per series", tmp_path / "out")
    cfg, _ = write(tmp_path, extra_data='colour = "red"')
    one_line_error(run(cfg, "-o", tmp_path / "out"), r"unknown key 'data.colour'", tmp_path / "out")


def test_short_series_warn_or_fail_with_strict(tmp_path):
    _, rows = write(tmp_path)
    rows = rows[~((rows["item"] == "P2") & (rows.groupby("item").cumcount() >= 12))]
    cfg, _ = write(tmp_path, rows=rows)
    ok = run(cfg, "-o", tmp_path / "a", "--no-plots", "--quiet")
    assert ok.exit_code == 0 and "skipping 1 series" in ok.stderr and "'P2' (12 rows)" in ok.stderr
    one_line_error(run(cfg, "-o", tmp_path / "b", "--strict"), r"'P2' \(12 rows\) \(--strict\)", tmp_path / "b")


def test_datasets_lists_the_competition_panels():
    res = runner.invoke(app, ["datasets"])
    assert res.exit_code == 0
    for name in ("m3-monthly", "m3-quarterly", "m3-yearly", "m3-other", "tourism-monthly"):
        assert name in res.stdout


def test_validate_a_panel_config(tmp_path):
    cfg, _ = write(tmp_path)
    res = runner.invoke(app, ["validate", str(cfg)])
    assert res.exit_code == 0 and "OK (panel: 3 series, 90 rows, 1 models, horizon 3)" in res.stdout


TWO_MODELS = """
[forecast]
horizon = 4
[[models]]
name = "naive"
type = "naive"
[[models]]
name = "ridge"
type = "ridge"
n_in = 6
[[combinations]]
name = "mix"
members = ["naive", "ridge"]
"""


def test_forecast_on_a_panel_config_is_what_run_writes(tmp_path, monkeypatch):
    """Every series' forecast past the end with dates and intervals, the same numbers as
    the run's forecast.csv (one code path)."""
    monkeypatch.chdir(tmp_path)
    cfg, _ = write(tmp_path, models=TWO_MODELS)
    res = runner.invoke(app, ["forecast", str(cfg), "-o", str(tmp_path / "f.csv")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "f.csv", parse_dates=["time"])
    assert list(table.columns) == ["series_id", "model", "time", "step", "forecast", "lower", "upper"]
    assert table.groupby(["model", "series_id"]).size().eq(4).all() and len(table) == 3 * 3 * 4
    assert (table[table.step == 1]["time"] == pd.Timestamp("2020-07-01")).all()  # the month after the data
    assert table[table.model != "mix"][["lower", "upper"]].notna().all().all()
    assert run(cfg, "-o", tmp_path / "out", "--no-plots", "--quiet").exit_code == 0
    written = pd.read_csv(tmp_path / "out" / "forecast.csv", parse_dates=["time"])
    key = ["model", "series_id", "step"]
    pd.testing.assert_frame_equal(table.sort_values(key).reset_index(drop=True),
                                  written.sort_values(key).reset_index(drop=True))

    one = runner.invoke(app, ["forecast", str(cfg), "--model", "mix", "-H", "2", "--level", "0.8"])
    assert one.exit_code == 0, one.output
    mix = pd.read_csv(io.StringIO(one.stdout))
    assert set(mix["model"]) == {"mix"} and len(mix) == 3 * 2
    best = runner.invoke(app, ["forecast", str(cfg), "--model", "best"])  # the last run's winner, named
    assert best.exit_code == 2 and "runs/p/leaderboard.csv not found" in best.stderr
    bad = runner.invoke(app, ["forecast", str(cfg), "--model", "nope"])
    assert bad.exit_code == 2 and "unknown model 'nope'" in bad.stderr


def test_intervals_native_and_false_in_panel_runs(tmp_path):
    cfg, _ = write(tmp_path, models=TWO_MODELS)
    text = cfg.read_text()
    cfg.write_text(text.replace("[forecast]", '[forecast]\nintervals = "native"'))
    assert run(cfg, "-o", tmp_path / "native", "--no-plots", "--quiet").exit_code == 0
    native = pd.read_csv(tmp_path / "native" / "forecast.csv")
    assert native[native.model == "naive"]["lower"].notna().all()  # the model's own
    assert native[native.model == "ridge"]["lower"].isna().all()  # a pooled ridge has none of its own
    cfg.write_text(text)
    res = run(cfg, "-o", tmp_path / "none", "--no-plots", "--no-intervals")
    assert res.exit_code == 0 and "coverage" not in res.stdout
    for name in ("forecast.csv", "forecasts.csv"):
        assert "lower" not in pd.read_csv(tmp_path / "none" / name).columns


def _covariate_panel(tmp_path):
    """Six monthly series in two categories; a price (past covariate), a promo (future-known,
    with its next 3 months in future.csv)."""
    rng = np.random.default_rng(0)
    parts, ahead = [], []
    for k in range(6):
        idx = pd.date_range("2018-01-01", periods=36, freq="MS")
        promo = rng.integers(0, 2, 39).astype(float)
        cat = "food" if k < 3 else "toys"
        qty = 50 + (10 if cat == "toys" else 0) + 5 * promo[:36] + rng.normal(0, 1, 36)
        parts.append(pd.DataFrame({"item": f"P{k}", "date": idx.strftime("%Y-%m-%d"), "qty": qty, "category": cat,
                                   "price": rng.normal(10, 1, 36), "promo": promo[:36]}))
        nxt = pd.date_range("2021-01-01", periods=3, freq="MS")
        ahead.append(pd.DataFrame({"item": f"P{k}", "date": nxt.strftime("%Y-%m-%d"), "promo": promo[36:]}))
    pd.concat(ahead).to_csv(tmp_path / "future.csv", index=False)
    return pd.concat(parts, ignore_index=True)


GLOBAL_MODELS = """
[forecast]
covariates_path = "{future}"
[[models]]
name = "ridge_direct"
type = "ridge"
pooling = "global"
n_in = 6
strategy = "direct"
series_id_feature = "onehot"
[[models]]
name = "ridge_plain"
type = "ridge"
pooling = "global"
n_in = 6
strategy = "multi_output"
covariates = false
"""
COVARIATE_DATA = ('past_covariates = ["price"]\n        future_covariates = ["promo"]\n'
                  '        static_features = ["category"]')


def test_global_models_with_covariates_and_statics_run_from_the_cli(tmp_path):
    rows = _covariate_panel(tmp_path)
    cfg, _ = write(tmp_path, rows=rows, extra_data=COVARIATE_DATA,
                   models=GLOBAL_MODELS.format(future=tmp_path / "future.csv"))
    assert runner.invoke(app, ["validate", str(cfg)]).exit_code == 0
    res = run(cfg, "-o", tmp_path / "out", "--no-plots", "--quiet")
    assert res.exit_code == 0, res.output
    board = pd.read_csv(tmp_path / "out" / "leaderboard.csv").set_index("model")
    # the promo effect (5 units) and the category level are inputs of one model only
    assert board.loc["ridge_direct", "mean_mase"] < board.loc["ridge_plain", "mean_mase"]
    future = pd.read_csv(tmp_path / "out" / "forecast.csv")
    per_model = future.groupby("model")["series_id"].nunique()
    assert per_model["ridge_direct"] == 6 and per_model["ridge_plain"] == 6
    fitted = pd.read_csv(tmp_path / "out" / "fitted_by_series.csv")
    info = fitted[fitted.model == "ridge_direct"]["fitted"].iloc[0]
    assert '"strategy": "direct"' in info and '"future_covariates": true' in info and '"static_inputs": 8' in info


@pytest.mark.parametrize("edit, extra, pattern", [
    (lambda d: d.assign(category=np.where(d.index == 40, "games", d.category)), COVARIATE_DATA,
     r"series 'P1': static feature 'category' is not constant within the series \('food' at 2018-01-01, "
     r"'games' at 2018-05-01\)"),
    (lambda d: d, 'future_covariates = ["promo"]', r"data.future_covariates need their values after each series' end"),
    (lambda d: d, 'static_features = ["colour"]', r"static feature column 'colour' not found"),
])
def test_bad_covariates_are_one_line_exit_2(tmp_path, edit, extra, pattern):
    rows = edit(_covariate_panel(tmp_path))
    models = GLOBAL_MODELS.format(future=tmp_path / "future.csv")
    if "future_covariates need" in pattern:  # no [forecast] covariates_path
        models = "[[models]]" + models.split("[[models]]", 1)[1]
    cfg, _ = write(tmp_path, rows=rows, extra_data=extra, models=models)
    one_line_error(run(cfg, "-o", tmp_path / "out"), pattern, tmp_path / "out")
