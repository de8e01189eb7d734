"""Bad input, end to end: every problem is one ``error: ...`` line on stderr, exit code 2.

Each case writes a small CSV and/or TOML config into ``tmp_path`` and feeds it to
``forecastkit run`` (and, where it means something, ``forecast`` and ``frame``)
through typer's runner. A case passes when the exit code is 2, stderr is exactly one
line starting with ``error: ``, the line names the offending value / column / row
count, no traceback is printed and ``run`` left no output directory behind.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app

runner = CliRunner()

N_ROWS = 36  # 2000-01 .. 2002-12
TWO_MODELS = '[[models]]\nname = "naive"\ntype = "naive"\n[[models]]\nname = "mean"\ntype = "mean"\n'
ROLLING = 'scheme = "rolling"\nhorizon = 3\nfolds = 2\n'


# --------------------------------------------------------------------------- helpers
def monthly_lines(n: int = N_ROWS, values=None) -> list[str]:
    """Header plus ``n`` rows ``month,sales,promo``; data row k is ``lines[k]``."""
    t = np.arange(n)
    if values is None:
        values = (100 + t + 10 * np.sin(2 * np.pi * t / 12)).round(3)
    months = pd.date_range("2000-01-01", periods=n, freq="MS").strftime("%Y-%m")
    return ["month,sales,promo"] + [f"{m},{v},{i % 2}" for i, (m, v) in enumerate(zip(months, values))]


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def set_value(k: int, value: str):
    """An edit of data row ``k``'s sales value."""

    def edit(lines):
        month, _, promo = lines[k].split(",")
        lines[k] = f"{month},{value},{promo}"
        return lines

    return edit


def set_month(k: int, month: str):
    def edit(lines):
        lines[k] = ",".join([month] + lines[k].split(",")[1:])
        return lines

    return edit


def duplicate_row(k: int):
    return lambda lines: lines[: k + 1] + [lines[k]] + lines[k + 1 :]


def drop_row(k: int):
    return lambda lines: lines[:k] + lines[k + 1 :]


def config_text(
    data_path: Path | str,
    *,
    top: str = "",
    data: str = "",
    evaluation: str = ROLLING,
    forecast: str = "",
    models: str = TWO_MODELS,
) -> str:
    return (
        f'{top}\n[data]\npath = "{data_path}"\ntarget = "sales"\n{data}\n'
        f"[evaluation]\n{evaluation}\n{forecast}\n{models}"
    )


def write_case(tmp_path: Path, content: str | bytes, **config) -> tuple[Path, Path]:
    csv = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        csv.write_bytes(content)
    else:
        csv.write_text(content)
    cfg = tmp_path / "case.toml"
    cfg.write_text(config_text(csv, **config))
    return csv, cfg


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def run_cmd(cfg: Path, out: Path, *extra):
    return invoke("run", cfg, "--output", out, "--quiet", "--no-plots", *extra)


def assert_clean_error(result, *fragments, lower: tuple[str, ...] = ()):
    """Exit 2, stderr exactly one 'error: ' line holding every fragment, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    err = result.stderr
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    for fragment in lower:
        assert fragment in lines[0].lower(), (fragment, lines[0])


def invoke_command(command: str, tmp_path: Path, csv: Path, cfg: Path):
    """Run one command on the case; ``run`` must not leave its output directory."""
    if command == "run":
        out = tmp_path / "out"
        result = run_cmd(cfg, out)
        assert not out.exists()
        return result
    if command == "forecast":
        return invoke("forecast", cfg, "--model", "naive")
    return invoke("frame", csv, "--target", "sales")


# --------------------------------------------------------------------------- bad data files
def irregular_csv() -> str:
    stamps = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.cumsum([0, 37, 88, 13, 51, 29, 70]), unit="min")
    return "time,sales\n" + "".join(f"{t:%Y-%m-%d %H:%M},{i}\n" for i, t in enumerate(stamps))


BAD_DATA = [
    pytest.param(b"", ["bad.csv", "is empty"], id="empty-file"),
    pytest.param(" \n\n", ["bad.csv", "is empty"], id="blank-file"),
    pytest.param("month,sales,promo\n", ["bad.csv", "has a header", "no data rows"], id="header-only"),
    pytest.param(bytes(range(256)) * 4, ["bad.csv", "is not a CSV text file", "binary byte"], id="binary"),
    pytest.param(text(monthly_lines()).replace(",", "|"), ["bad.csv", "separated by '|'"], id="wrong-delimiter"),
    pytest.param(
        text(set_month(5, "2000-0x")(monthly_lines())),
        ["bad.csv", "time column 'month'", "row 5", "'2000-0x'", "does not parse"],
        id="time-does-not-parse",
    ),
    pytest.param(
        text(set_month(15, "03/2001")(monthly_lines())),
        ["bad.csv", "row 15", "'03/2001'", "'%Y-%m'"],
        id="mixed-date-formats",
    ),
    pytest.param(
        text(duplicate_row(4)(monthly_lines())),
        ["bad.csv", "1 duplicate timestamp", "2000-04-01", "rows 4, 5"],
        id="duplicate-timestamps",
    ),
    pytest.param(
        text(drop_row(6)(monthly_lines())),
        ["bad.csv", "1 missing timestamp", "2000-06-01", "fill"],
        id="gap-without-fill-policy",
    ),
    pytest.param(irregular_csv(), ["bad.csv", "irregular", "resample"], id="irregular-spacing"),
    pytest.param(
        text(set_value(5, "")(monthly_lines())),
        ["bad.csv", "missing values (NaN) in sales: 1", "2000-05-01", "fill"],
        id="nan-in-target",
    ),
    pytest.param(
        text(set_value(5, "inf")(monthly_lines())), ["bad.csv", "infinite values in sales: 1"], id="inf-in-target"
    ),
    pytest.param(
        text(set_value(5, "-inf")(monthly_lines())),
        ["bad.csv", "infinite values in sales: 1"],
        id="minus-inf-in-target",
    ),
    pytest.param(
        text(set_value(5, "abc")(monthly_lines())),
        ["bad.csv", "target column 'sales'", "row 5", "'abc'", "not a number"],
        id="text-cell-in-numeric-target",
    ),
    pytest.param(
        text(monthly_lines(values=["high", "low"] * (N_ROWS // 2))),
        ["bad.csv", "target column 'sales' is not numeric", "'high'"],
        id="non-numeric-target",
    ),
]


@pytest.mark.parametrize("command", ["run", "forecast", "frame"])
@pytest.mark.parametrize("data, fragments", BAD_DATA)
def test_bad_data_file(tmp_path, command, data, fragments):
    csv, cfg = write_case(tmp_path, data)
    assert_clean_error(invoke_command(command, tmp_path, csv, cfg), *fragments)


def test_fixing_the_input_and_rerunning_works(tmp_path):
    csv, cfg = write_case(tmp_path, text(set_value(5, "abc")(monthly_lines())))
    out = tmp_path / "out"
    assert_clean_error(run_cmd(cfg, out), "'abc'")
    csv.write_text(text(monthly_lines()))
    result = run_cmd(cfg, out)
    assert result.exit_code == 0, result.output
    assert (out / "leaderboard.csv").is_file()


def invoke_warned(*args):
    """Invoke the CLI; return the result and every warning it gave, whether it went
    through Python's warnings machinery or was printed as a 'warning: ' line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(*args)
    said = [str(w.message) for w in caught]
    said += [line.removeprefix("warning: ") for line in result.stderr.splitlines() if line.startswith("warning: ")]
    return result, said


def test_unsorted_rows_are_sorted_with_a_warning(tmp_path):
    lines = monthly_lines()
    lines[3], lines[4] = lines[4], lines[3]
    csv, cfg = write_case(tmp_path, text(lines))
    out = tmp_path / "out"
    result, said = invoke_warned("run", cfg, "--output", out, "--quiet", "--no-plots")
    assert result.exit_code == 0, result.output
    assert f"{csv}: timestamps are not sorted (row 4 (2000-03-01) comes after 2000-04-01); sorted them" in said
    fc = pd.read_csv(out / "backtest_forecasts.csv")
    naive = fc[(fc.model == "naive") & (fc.step == 1)]
    # sorted before use: the naive forecast of 2002-07 is the (sorted) June value
    june = float(lines[30].split(",")[1])
    assert naive.loc[pd.to_datetime(naive["timestamp"]) == "2002-07-01", "forecast"].item() == pytest.approx(june)
    framed, said = invoke_warned("frame", csv, "--target", "sales", "--features", "sales")
    assert framed.exit_code == 0, framed.output
    assert any("timestamps are not sorted" in w for w in said)
    table = pd.read_csv(io.StringIO(framed.stdout), index_col=0, parse_dates=True)
    assert table.index.is_monotonic_increasing and len(table) == N_ROWS - 1


def test_warnings_are_printed_as_one_line(tmp_path):
    lines = monthly_lines()
    lines[3], lines[4] = lines[4], lines[3]
    csv, cfg = write_case(tmp_path, text(lines))
    result = run_cmd(cfg, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {csv}: timestamps are not sorted (row 4 (2000-03-01) comes after 2000-04-01); sorted them"
    ]


# --------------------------------------------------------------------------- degenerate series
CONSTANT_MODELS = TWO_MODELS + (
    '[[models]]\nname = "snaive"\ntype = "seasonal_naive"\nseason_length = 12\n'
    '[[models]]\nname = "drift"\ntype = "drift"\n'
)


@pytest.mark.parametrize("level", [5.0, 0.0])
def test_constant_series_runs_with_exact_forecasts(tmp_path, level):
    """A constant series is degenerate, not invalid: every baseline forecasts it
    exactly; scale-free metrics whose denominator is 0 are NaN, never inf or a crash."""
    _, cfg = write_case(
        tmp_path, text(monthly_lines(values=[level] * N_ROWS)), top='metric = "mape"', models=CONSTANT_MODELS
    )
    out = tmp_path / "out"
    result = run_cmd(cfg, out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["model"]) == {"naive", "mean", "snaive", "drift"}
    assert (board[["mae", "rmse"]] == 0).all().all()
    assert not np.isinf(board[["mae", "rmse", "mape", "smape", "mase", "skill"]].to_numpy(dtype=float)).any()
    assert board["mase"].isna().all()  # the in-sample naive scale is 0
    assert board["mape"].isna().all() == (level == 0.0)
    fc = pd.read_csv(out / "forecast.csv")
    assert np.allclose(fc["forecast"], level)


def test_constant_series_is_warned_about(tmp_path):
    _, cfg = write_case(tmp_path, text(monthly_lines(values=[5.0] * N_ROWS)))
    result = run_cmd(cfg, tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "'sales'" in lines[0] and "constant" in lines[0]


SHORT = [
    pytest.param(6, ROLLING, ["needs at least 8 rows", "the data has 6"], id="rolling-folds"),
    pytest.param(
        14,
        ROLLING + 'window = "sliding"\nwindow_length = 12\n',
        ["window_length=12", "needs at least 18 rows", "the data has 14"],
        id="sliding-window",
    ),
    pytest.param(
        14,
        'scheme = "holdout"\nhorizon = 3\ntest_size = 20\n',
        ["test_size=20", "n=14"],
        id="holdout-test-size",
    ),
]


@pytest.mark.parametrize("n, evaluation, fragments", SHORT)
def test_series_too_short_for_the_backtest(tmp_path, n, evaluation, fragments):
    _, cfg = write_case(tmp_path, text(monthly_lines(n)), evaluation=evaluation)
    out = tmp_path / "out"
    assert_clean_error(run_cmd(cfg, out), *fragments)
    assert not out.exists()


def test_series_too_short_for_a_model_window(tmp_path):
    models = (
        '[[models]]\nname = "naive"\ntype = "naive"\n'
        '[[models]]\nname = "snaive"\ntype = "seasonal_naive"\nseason_length = 12\n'
    )
    _, cfg = write_case(tmp_path, text(monthly_lines(14)), models=models)
    # folds=2, horizon=3: the first fit sees 8 rows; seasonal naive needs 13 -> 13 + 2*3 = 19 rows
    assert_clean_error(run_cmd(cfg, tmp_path / "out"), "19", "14")


def test_frame_series_too_short(tmp_path):
    csv, _ = write_case(tmp_path, text(monthly_lines(6)))
    assert_clean_error(invoke("frame", csv, "--n-in", 5, "--n-out", 3), "6 rows", "needs at least 8")


# --------------------------------------------------------------------------- bad configs
BAD_CONFIG = [
    pytest.param(
        {"evaluation": 'scheme = "rolling"\nhorizon = 0\nfolds = 2\n'},
        ["case.toml", "evaluation.horizon", "greater than or equal to 1", "(got 0)"],
        id="horizon-0",
    ),
    pytest.param(
        {"evaluation": 'scheme = "rolling"\nhorizon = -2\nfolds = 2\n'},
        ["case.toml", "evaluation.horizon", "(got -2)"],
        id="horizon-negative",
    ),
    pytest.param(
        {"forecast": "[forecast]\nhorizon = 0\n"}, ["case.toml", "forecast.horizon", "(got 0)"], id="forecast-horizon-0"
    ),
    pytest.param(
        {"data": 'colour = "red"\n'},
        ["case.toml", "unknown key 'data.colour'", "valid keys here", "target"],
        id="unknown-key-data",
    ),
    pytest.param(
        {"top": 'colour = "red"\n'}, ["case.toml", "unknown key 'colour'", "valid keys here"], id="unknown-key-top"
    ),
    pytest.param(
        {"evaluation": ROLLING + "foldz = 3\n"},
        ["case.toml", "unknown key 'evaluation.foldz'", "folds"],
        id="unknown-key-evaluation",
    ),
    pytest.param(
        {"evaluation": 'scheme = "rolling"\nhorizon = "three"\nfolds = 2\n'},
        ["case.toml", "evaluation.horizon", "valid integer", "'three'"],
        id="wrong-type-horizon",
    ),
    pytest.param({"top": 'seed = "abc"\n'}, ["case.toml", "seed", "valid integer", "'abc'"], id="wrong-type-seed"),
    pytest.param(
        {"evaluation": 'scheme = "weekly"\nhorizon = 3\n'},
        ["case.toml", 'scheme must be "holdout" or "rolling"'],
        id="unknown-scheme",
    ),
    pytest.param(
        {"evaluation": 'scheme = "rolling"\nfolds = 2\n'},
        ["case.toml", "missing required key 'evaluation.horizon'"],
        id="missing-horizon",
    ),
    pytest.param(
        {"models": '[[models]]\nname = "naive"\n'},
        ["case.toml", "missing required key 'models[0].type'"],
        id="missing-model-type",
    ),
    pytest.param(
        {"models": '[[models]]\nname = "naive"\ntype = "prophet"\n'},
        ["case.toml", "unknown model type 'prophet'", "valid types", "seasonal_naive"],
        id="unknown-model-type",
    ),
    pytest.param(
        {"models": '[[models]]\nname = "naive"\ntype = "naive"\nwindow = 3\n'},
        ["case.toml", "model 'naive'", "no parameter(s) ['window']"],
        id="unknown-model-parameter",
    ),
    pytest.param(
        {"data": 'past_covariates = ["price"]\n'},
        ["bad.csv", "['price']", "available: ['sales', 'promo']"],
        id="covariate-not-in-data",
    ),
    pytest.param(
        {"data": 'past_covariates = ["sales"]\n'},
        ["['sales']", "both a target and a covariate"],
        id="target-as-covariate",
    ),
    pytest.param({"data": 'fill = "zero"\n'}, ["case.toml", "data.fill", "'zero'"], id="unknown-fill-policy"),
]


@pytest.mark.parametrize("command", ["run", "forecast"])
@pytest.mark.parametrize("config, fragments", BAD_CONFIG)
def test_bad_config(tmp_path, command, config, fragments):
    csv, cfg = write_case(tmp_path, text(monthly_lines()), **config)
    assert_clean_error(invoke_command(command, tmp_path, csv, cfg), *fragments)


WRONG_PARAM = '[[models]]\nname = "naive"\ntype = "seasonal_naive"\nseason_length = "twelve"\n'


def test_wrong_type_model_parameter_in_forecast(tmp_path):
    csv, cfg = write_case(tmp_path, text(monthly_lines()), models=WRONG_PARAM)
    assert_clean_error(invoke_command("forecast", tmp_path, csv, cfg), "season_length", "'twelve'")


def test_wrong_type_model_parameter_in_run(tmp_path):
    csv, cfg = write_case(tmp_path, text(monthly_lines()), models=WRONG_PARAM)
    assert_clean_error(invoke_command("run", tmp_path, csv, cfg), "season_length", "'twelve'")


@pytest.mark.parametrize("command", ["run", "forecast"])
def test_target_column_not_in_data(tmp_path, command):
    csv, cfg = write_case(tmp_path, text(monthly_lines()))
    cfg.write_text(cfg.read_text().replace('target = "sales"', 'target = "revenue"'))
    assert_clean_error(
        invoke_command(command, tmp_path, csv, cfg), "bad.csv", "['revenue']", "available: ['sales', 'promo']"
    )


@pytest.mark.parametrize(
    "edit, fragments",
    [
        pytest.param(
            lambda s: s.replace('path = "', 'xpath = "'), ["missing required key 'data.path'"], id="missing-path"
        ),
        pytest.param(
            lambda s: s.replace('target = "sales"', ""),
            ["data.target (or data.targets) is required"],
            id="missing-target",
        ),
        pytest.param(
            lambda s: s.replace('target = "sales"', "target = 5"),
            ["data.target", "valid string", "(got 5)"],
            id="wrong-type-target",
        ),
        pytest.param(
            lambda s: (
                s.split("[evaluation]")[0].replace("[data]", "[dta]") + "[evaluation]" + s.split("[evaluation]")[1]
            ),
            ["missing required key 'data'"],
            id="misspelt-table",
        ),
        pytest.param(lambda s: s.split("[[models]]")[0], ["missing required key 'models'"], id="missing-models"),
        pytest.param(lambda s: s.replace("[evaluation]", "[evaluation"), ["not valid TOML", "line"], id="not-toml"),
    ],
)
def test_bad_config_structure(tmp_path, edit, fragments):
    csv, cfg = write_case(tmp_path, text(monthly_lines()))
    cfg.write_text(edit(cfg.read_text()))
    for command in ("run", "forecast"):
        assert_clean_error(invoke_command(command, tmp_path, csv, cfg), "case.toml", *fragments)


def test_missing_config_file(tmp_path):
    assert_clean_error(run_cmd(tmp_path / "nope.toml", tmp_path / "out"), "config file not found", "nope.toml")
    assert_clean_error(invoke("forecast", tmp_path / "nope.toml", "--model", "naive"), "nope.toml")


def test_missing_data_file(tmp_path):
    cfg = tmp_path / "case.toml"
    cfg.write_text(config_text(tmp_path / "absent.csv"))
    assert_clean_error(run_cmd(cfg, tmp_path / "out"), "file not found", "absent.csv")
    assert_clean_error(invoke("frame", tmp_path / "absent.csv"), "file not found", "absent.csv")


@pytest.mark.parametrize(
    "args, fragments",
    [
        pytest.param(("--horizon", 0), ["--horizon must be >= 1, got 0"], id="horizon-0"),
        pytest.param(("--horizon", -3), ["--horizon must be >= 1, got -3"], id="horizon-negative"),
        pytest.param(("--level", 1.5), ["--level must be in (0, 1), got 1.5"], id="level"),
        pytest.param(("--model", "prophet"), ["unknown model 'prophet'", "naive, mean"], id="unknown-model-name"),
    ],
)
def test_bad_forecast_options(tmp_path, args, fragments):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    base = ("--model", "naive") if "--model" not in args else ()
    assert_clean_error(invoke("forecast", cfg, *base, *args), *fragments)


@pytest.mark.parametrize(
    "args, fragments",
    [
        pytest.param(("--n-out", 0), ["--n-out must be >= 1, got 0"], id="n-out-0"),
        pytest.param(("--n-out", -1), ["--n-out must be >= 1, got -1"], id="n-out-negative"),
        pytest.param(("--n-in", -2), ["--n-in must be >= 1, got -2"], id="n-in-negative"),
        pytest.param(("--target", "revenue"), ["['revenue']", "available"], id="unknown-target"),
        pytest.param(("--fill", "zero"), ["unknown fill policy 'zero'"], id="unknown-fill"),
        pytest.param(("--resample", "fortnightly"), ["resample='fortnightly'"], id="unknown-resample"),
    ],
)
def test_bad_frame_options(tmp_path, args, fragments):
    csv, _ = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(invoke("frame", csv, *args), *fragments)


def test_run_rejects_bad_jobs_and_model_selection(tmp_path):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(run_cmd(cfg, tmp_path / "out", "--jobs", 0), "--jobs must be >= 1, got 0")
    assert_clean_error(run_cmd(cfg, tmp_path / "out", "--model", "prophet"), "['prophet']", "naive")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- future covariates
RIDGE_AND_NAIVE = '[[models]]\nname = "ridge"\ntype = "ridge"\nn_in = 3\n[[models]]\nname = "naive"\ntype = "naive"\n'


def future_case(tmp_path: Path, future: str | None, horizon: int) -> tuple[Path, Path]:
    forecast = f"[forecast]\nhorizon = {horizon}\n"
    if future is not None:
        path = tmp_path / "future.csv"
        path.write_text(future)
        forecast += f'covariates_path = "{path}"\n'
    return write_case(
        tmp_path,
        text(monthly_lines()),
        data='future_covariates = ["promo"]\n',
        forecast=forecast,
        models=RIDGE_AND_NAIVE,
    )


def future_rows(months: list[str], column: str = "promo", values=None) -> str:
    values = values or ["1"] * len(months)
    return f"month,{column}\n" + "".join(f"{m},{v}\n" for m, v in zip(months, values))


def invoke_future(command: str, tmp_path: Path, cfg: Path):
    if command == "run":
        out = tmp_path / "out"
        result = run_cmd(cfg, out)
        assert not out.exists()
        return result
    return invoke("forecast", cfg, "--model", "ridge")


@pytest.mark.parametrize(
    "command, future, horizon, fragments",
    [
        pytest.param(
            "forecast",
            future_rows(["2003-01", "2003-02", "2003-03"]),
            5,
            ["'promo'", "2 step"],
            id="forecast-2-steps-short",
        ),
        pytest.param(
            "run",
            future_rows(["2003-01", "2003-02", "2003-03"]),
            5,
            ["'promo'", "2 step"],
            id="run-2-steps-short"
        ),
        pytest.param(
            "forecast",
            future_rows(["2003-01", "2003-02"]),
            3,
            ["'promo'", "1 step"],
            id="forecast-two-row-file-1-step-short"
        ),
        pytest.param(
            "run",
            future_rows(["2003-01", "2003-02"]),
            3,
            ["'promo'", "1 step"],
            id="run-two-row-file-1-step-short"
        ),
        pytest.param(
            "forecast",
            future_rows(["2003-03", "2003-04", "2003-05", "2003-06"]),
            3,
            ["'promo'", "2 step", "2003-01-01"],
            id="forecast-file-starts-late"
        ),
        pytest.param("forecast", None, 3, ["['promo']", "covariates_path"], id="forecast-no-covariates-path"),
        pytest.param("run", None, 3, ["['promo']", "covariates_path"], id="run-no-covariates-path"),
        pytest.param(
            "forecast",
            future_rows(["2003-01", "2003-02", "2003-03"], column="price"),
            3,
            ["future.csv", "['promo']"],
            id="forecast-column-missing",
        ),
        pytest.param(
            "run",
            future_rows(["2003-01", "2003-02", "2003-03"], column="price"),
            3,
            ["future.csv", "['promo']"],
            id="run-column-missing",
        ),
        pytest.param(
            "forecast",
            future_rows(["2003-01", "2003-02", "2003-03"], values=["1", "", "0"]),
            3,
            ["future.csv", "promo: 1", "2003-02-01"],
            id="forecast-nan",
        ),
    ],
)
def test_future_covariates(tmp_path, command, future, horizon, fragments):
    _, cfg = future_case(tmp_path, future, horizon)
    assert_clean_error(invoke_future(command, tmp_path, cfg), *fragments)


def test_future_covariates_that_cover_the_horizon_work(tmp_path):
    """The control case of the table above: the same config with enough future rows."""
    _, cfg = future_case(tmp_path, future_rows(["2003-01", "2003-02", "2003-03"]), 3)
    result = invoke("forecast", cfg, "--model", "ridge")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 + 3


# --------------------------------------------------------------------------- unwritable output
@pytest.fixture
def afile(tmp_path):
    path = tmp_path / "afile"
    path.write_text("a regular file, not a directory\n")
    return path


def test_run_output_under_a_file_deeper(tmp_path, afile):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(run_cmd(cfg, afile / "sub" / "out"), "afile", lower=("not a directory",))
    assert afile.read_text().startswith("a regular file")


def test_run_output_under_a_file(tmp_path, afile):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(run_cmd(cfg, afile / "out"), "afile", lower=("not a directory",))


def test_run_output_in_an_unwritable_directory(tmp_path):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(run_cmd(cfg, Path("/proc/forecastkit-run")), "'/proc'", "not writable")
    assert not Path("/proc/forecastkit-run").exists()


def test_run_output_directory_cannot_be_created(tmp_path):
    _, cfg = write_case(tmp_path, text(monthly_lines()))
    assert_clean_error(
        run_cmd(cfg, Path("/proc/forecastkit-missing/run")),
        "cannot create output directory",
        "/proc/forecastkit-missing",
    )


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
@pytest.mark.parametrize("command", ["frame", "forecast"])
def test_csv_output_not_writable(tmp_path, afile, command, where):
    csv, cfg = write_case(tmp_path, text(monthly_lines()))
    target = afile / "x.csv" if where == "under-a-file" else Path("/proc/x.csv")
    args = ("frame", csv, "--target", "sales") if command == "frame" else ("forecast", cfg, "--model", "naive")
    assert_clean_error(invoke(*args, "--output", target), str(target))


# --------------------------------------------------------------------------- data read as meant
def restamp(stamps: list[str], sep: str = ","):
    """Replace the month column of every data row by ``stamps`` (and the separator)."""

    def edit(lines):
        out = [lines[0].replace(",", sep)]
        for k, stamp in enumerate(stamps, start=1):
            out.append(sep.join([stamp] + lines[k].split(",")[1:]))
        return out

    return edit


MONTHS = pd.date_range("2000-01-01", periods=N_ROWS, freq="MS")
DDMM = [f"{t:%d/%m/%Y}" for t in MONTHS]  # every day is 01: both orders parse
LABELS = [f"{k // 12 + 1}-{k % 12 + 1:02d}" for k in range(N_ROWS)]  # 1-01 .. 3-12
YDM = [f"{t:%Y-%d-%m}" for t in MONTHS]  # month last: read as Jan 1st..12th


def with_sales(values: list[str], sep: str = ","):
    def edit(lines):
        out = [lines[0].replace(",", sep)]
        for k, v in enumerate(values, start=1):
            month, _, promo = lines[k].split(",")
            out.append(sep.join([month, v, promo]))
        return out

    return edit


DECIMAL_COMMA = [f"{100 + k},{k % 10}5" for k in range(N_ROWS)]
THOUSANDS = [f'"{1000 + 37 * k:,}.50"' for k in range(N_ROWS)]
BERLIN = pd.date_range("2021-03-27", periods=N_ROWS, freq="h", tz="Europe/Berlin")
DST = [t.isoformat() for t in BERLIN]

AS_MEANT = [
    pytest.param(
        text(restamp(DDMM)(monthly_lines())),
        ["bad.csv", "read two ways", "'%m/%d/%Y': 2000-01-01, 2000-01-02", "'%d/%m/%Y': 2000-01-01, 2000-02-01",
         "dayfirst=True", "date_format='%d/%m/%Y'"],
        id="day-month-ambiguous",
    ),
    pytest.param(
        text(restamp(LABELS)(monthly_lines())),
        ["bad.csv", "'1-01', '1-02' are month labels without a four-digit year", "date_format='N-%m'"],
        id="month-labels-without-year",
    ),
    pytest.param(
        text(restamp(YDM)(monthly_lines())),
        ["bad.csv", "day and month swapped", "monthly file read as daily", "date_format='%Y-%d-%m'"],
        id="monthly-read-as-daily",
    ),
    pytest.param(
        text(with_sales(DECIMAL_COMMA, sep=";")(monthly_lines())),
        ["bad.csv", "'sales'", "'100,05'", "decimal=','", "--decimal"],
        id="decimal-comma",
    ),
    pytest.param(
        text(with_sales(THOUSANDS)(monthly_lines())),
        ["bad.csv", "'sales'", "'1,000.50'", "thousands=','", "--thousands"],
        id="thousands-separator",
    ),
    pytest.param(
        text(with_sales(["226,01"] * N_ROWS)(monthly_lines())),
        ["bad.csv", "line 2 has 4 fields but the header names 3", "decimal comma"],
        id="unquoted-decimal-comma",
    ),
    pytest.param(
        text(["month,sales,sales"] + monthly_lines()[1:]),
        ["bad.csv", "header names column(s) ['sales'] more than once"],
        id="duplicate-column-names",
    ),
    pytest.param(
        text(with_sales([""] * N_ROWS)(monthly_lines())),
        ["bad.csv", "target column 'sales' is empty: none of its 36 rows has a value"],
        id="empty-target-column",
    ),
]


@pytest.mark.parametrize("command", ["run", "frame"])
@pytest.mark.parametrize("data, fragments", AS_MEANT)
def test_data_not_read_as_meant_is_refused(tmp_path, command, data, fragments):
    csv, cfg = write_case(tmp_path, data)
    if command == "frame":
        out = tmp_path / "table.csv"
        result = invoke("frame", csv, "--target", "sales", "--output", out)
        assert not out.exists()
    else:
        result = invoke_command(command, tmp_path, csv, cfg)
    assert_clean_error(result, *fragments)
    line = result.stderr.splitlines()[0]
    assert "fill=" not in line and "--fill" not in line and "onehot" not in line, line


def test_empty_feature_column_is_called_empty(tmp_path):
    lines = [line.rsplit(",", 1)[0] + "," for line in monthly_lines()]
    lines[0] = "month,sales,promo"
    csv, _ = write_case(tmp_path, text(lines))
    assert_clean_error(invoke("frame", csv), "column 'promo' is empty", "--features")


@pytest.mark.parametrize(
    "args, fragments",
    [
        pytest.param(("--dayfirst", "--date-format", "%d/%m/%Y"), ["not both"], id="dayfirst-and-format"),
        pytest.param(("--timezone", "Mars/Olympus"), ["unknown timezone 'Mars/Olympus'"], id="unknown-timezone"),
        pytest.param(("--decimal", ";"), ["decimal must be '.' or ','"], id="bad-decimal"),
        pytest.param(("--decimal", ",", "--thousands", ","), ["cannot both be ','"], id="same-marks"),
        pytest.param(("--date-format", "%d/%m/%Y"), ["row 1 value '2000-01'", "date_format '%d/%m/%Y'"], id="format-mismatch"),
    ],
)
def test_bad_reading_options(tmp_path, args, fragments):
    csv, _ = write_case(tmp_path, text(monthly_lines()))
    out = tmp_path / "table.csv"
    assert_clean_error(invoke("frame", csv, "--output", out, *args), *fragments)
    assert not out.exists()


@pytest.mark.parametrize(
    "data, config, fragments",
    [
        pytest.param(text(monthly_lines()), 'timezone = "Mars/Olympus"', ["data.timezone", "Mars/Olympus"], id="zone"),
        pytest.param(text(monthly_lines()), 'dayfirst = true\ndate_format = "%d/%m/%Y"', ["not both"], id="both"),
        pytest.param(text(monthly_lines()), 'decimal = ";"', ["data.decimal", "','", "(got ';')"], id="decimal"),
    ],
)
def test_bad_reading_options_in_config(tmp_path, data, config, fragments):
    _, cfg = write_case(tmp_path, data, data=config)
    out = tmp_path / "out"
    assert_clean_error(run_cmd(cfg, out), *fragments)
    assert not out.exists()


def test_parquet_without_pyarrow_is_one_line(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1" + bytes(8) + b"PAR1")
    out = tmp_path / "table.csv"
    assert_clean_error(invoke("frame", path, "--output", out), "data.parquet", "needs pyarrow", "forecastkit[parquet]")
    assert not out.exists()


@pytest.mark.parametrize(
    "data, args, check",
    [
        pytest.param(text(restamp(DDMM)(monthly_lines())), ("--dayfirst",), "2000-02-01", id="dayfirst"),
        pytest.param(text(restamp(DDMM)(monthly_lines())), ("--date-format", "%d/%m/%Y"), "2000-02-01", id="format"),
        pytest.param(text(restamp(LABELS)(monthly_lines())), ("--date-format", "N-%m"), "1901-02-01", id="labels"),
        pytest.param(text(restamp(YDM)(monthly_lines())), ("--date-format", "%Y-%d-%m"), "2000-02-01", id="ydm"),
        pytest.param(text(with_sales(DECIMAL_COMMA, ";")(monthly_lines())), ("--decimal", ","), "101.15", id="decimal"),
        pytest.param(text(with_sales(THOUSANDS)(monthly_lines())), ("--thousands", ","), "1037.5", id="thousands"),
    ],
)
def test_the_hinted_option_reads_the_data(tmp_path, data, args, check):
    csv, _ = write_case(tmp_path, data)
    result = invoke("frame", csv, "--target", "sales", "--features", "sales", *args)
    assert result.exit_code == 0, result.output
    assert check in result.stdout.splitlines()[2], result.stdout[:300]


def test_compressed_and_yearly_files_frame(tmp_path):
    import gzip

    packed = tmp_path / "sales.csv.gz"
    packed.write_bytes(gzip.compress(text(monthly_lines()).encode()))
    result = invoke("frame", packed, "--target", "sales")
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("2000-01-01"), result.output
    years = tmp_path / "water.csv"
    years.write_text("Year,Water\n" + "".join(f"{y},{y % 7}\n" for y in range(1885, 1900)))
    result = invoke("frame", years)
    assert result.exit_code == 0 and result.stdout.splitlines()[2].startswith("1886-01-01"), result.output


def test_run_reads_the_config_options_and_records_the_utc_conversion(tmp_path):
    import json

    csv, cfg = write_case(tmp_path, text(restamp(DST)(monthly_lines())))
    out = tmp_path / "out"
    result = run_cmd(cfg, out)
    assert result.exit_code == 0, result.output
    assert "converted to UTC" in result.stderr and len(result.stderr.splitlines()) == 1
    meta = json.loads((out / "run.json").read_text())
    assert meta["data"]["filled"]["timezone"] == {"to": "UTC", "offsets": ["+01:00", "+02:00"]}
    assert meta["data"]["start"] == "2021-03-26 23:00:00+00:00"
    cfg.write_text(config_text(csv, data='timezone = "Europe/Berlin"'))
    result = run_cmd(cfg, tmp_path / "out2")
    assert result.exit_code == 0 and result.stderr == "", result.output
    meta = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert meta["data"]["start"] == "2021-03-27 00:00:00+01:00"
    _, cfg = write_case(tmp_path, text(restamp(DDMM)(monthly_lines())), data="dayfirst = true")
    result = run_cmd(cfg, tmp_path / "out3")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out3" / "run.json").read_text())["data"]["frequency"] == "MS"


# --------------------------------------------------------------------------- a real process
@pytest.mark.slow
def test_real_process_prints_one_line_and_exits_2(tmp_path):
    """Outside the test runner too: no warnings, logging or traceback around the error."""
    _, cfg = write_case(tmp_path, text(set_value(5, "abc")(monthly_lines())))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "forecastkit.cli.app", "run", str(cfg), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "default"},
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "'abc'" in lines[0], proc.stderr
    assert proc.stdout == ""
    assert not out.exists()


def test_a_replaced_worker_is_not_reported_but_other_warnings_are(capsys):
    """loky replacing a worker that outgrew its memory threshold is not the user's
    business (the run goes on with the same results); any other warning is one line."""
    import warnings

    from forecastkit.cli.app import cli_errors

    @cli_errors
    def work():
        warnings.warn("A worker stopped while some jobs were given to the executor. This can be caused by "
                      "a too short worker timeout or by a memory leak.", UserWarning)
        warnings.warn("something else\nsecond line", UserWarning)

    work()
    assert capsys.readouterr().err.splitlines() == ["warning: something else"]
