"""The CLI through typer's runner: outputs, and one-line errors with exit code 2."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert "Traceback" not in result.output
    for f in fragments:
        assert f in err, err


def _commands_listed(text: str) -> set[str]:
    """The command names of typer's help panel: the first word of each boxed row."""
    import re

    return {m.group(1) for m in re.finditer(r"^\W+([a-z][a-z-]*)\s{2,}\S", text, re.M)}


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_commands(flag):
    result = invoke(flag)
    assert result.exit_code == 0
    listed = _commands_listed(result.stdout)
    assert {"frame", "datasets", "models", "run", "forecast", "validate"} <= listed, listed


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("forecastkit ")


def test_boolean_options_are_flags():
    result = invoke("run", "--help")
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        if "--force" in line or "--resume" in line or "--no-plots" in line:
            assert "<bool>" not in line, line


def test_frame_airline_lookback3_reproduces_tutorial_rows():
    result = invoke("frame", "airline-passengers", "--n-in", 3, "--n-out", 1)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), index_col=0)
    assert list(table.columns) == ["Passengers(t-2)", "Passengers(t-1)", "Passengers(t)", "Passengers(t+1)"]
    assert table.iloc[0].tolist() == [112, 118, 132, 129]
    assert table.index[0].startswith("1949-03-01")
    assert len(table) == 144 - 3 - 1 + 1


def test_frame_writes_file_atomically(tmp_path):
    out = tmp_path / "framed.csv"
    result = invoke("frame", "airline-passengers", "--n-in", 1, "--n-out", 2, "--output", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col=0)
    assert table.iloc[0].tolist() == [112, 118, 132]
    assert not [p for p in tmp_path.iterdir() if p.name != "framed.csv"]


def test_frame_pollution_multivariate_with_onehot_and_resample():
    result = invoke(
        "frame", "pollution", "--n-in", 2, "--n-out", 3, "--target", "pm2.5",
        "--features", "pm2.5", "--features", "DEWP", "--features", "cbwd",
        "--onehot", "cbwd", "--fill", "drop-leading", "--resample", "D",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), index_col=0)
    assert "pm2.5(t+3)" in table.columns and "DEWP(t-1)" in table.columns
    assert any(c.startswith("cbwd_") for c in table.columns)
    assert not table.isna().any().any()


@pytest.fixture
def text_csv(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("date,value,label\n2020-01-01,1,a\n2020-01-02,2,b\n2020-01-03,3,c\n2020-01-04,4,d\n")
    return path


@pytest.mark.parametrize(
    "args, fragments",
    [
        (("frame", "no-such-file.csv"), ["no-such-file.csv"]),
        (("frame", "airline-passengers", "--target", "Passangers"), ["Passangers"]),
        (("frame", "airline-passengers", "--n-in", 0), ["--n-in must be >= 1, got 0"]),
        (("frame", "airline-passengers", "--n-out", 0), ["--n-out must be >= 1, got 0"]),
        (("frame", "airline-passengers", "--n-in", 140, "--n-out", 10), ["144", "150"]),
    ],
)
def test_frame_bad_input(args, fragments):
    assert_clean_error(invoke(*args), *fragments)


def test_frame_non_numeric_target(text_csv):
    assert_clean_error(invoke("frame", text_csv, "--target", "label"), "label")


def test_datasets_lists_shipped_files():
    result = invoke("datasets")
    assert result.exit_code == 0, result.output
    for name in ("airline-passengers", "daily-min-temperatures", "pollution"):
        assert name in result.stdout


def test_models_lists_one_line_per_type():
    from forecastkit.forecasters.registry import REGISTRY

    result = invoke("models")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(REGISTRY)
    assert lines[1].split(None, 1)[1] == REGISTRY["seasonal_naive"].summary


def test_models_type_shows_parameters_defaults_and_choices():
    result = invoke("models", "ridge")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("ridge: ridge regression on lags")
    assert "regressor            = 'ridge' (fixed by this type)" in out
    assert "strategy             = 'recursive'  one of: 'recursive', 'direct', 'multi_output'" in out
    assert "scaler               = None  one of: None, 'minmax', 'standard'" in out
    assert "Lags of each target used as inputs" in out
    assert "season_length = 12" in invoke("models", "seasonal_naive").stdout
    assert "variant" in invoke("models", "lstm").stdout
    assert_clean_error(invoke("models", "prophet"), "unknown model type 'prophet'")
