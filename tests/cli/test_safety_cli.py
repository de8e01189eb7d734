"""CLI safety cases (in process): names, --force, -o, regressors, resume state."""

from __future__ import annotations

import json
import pickle
import textwrap

import pytest
from typer.testing import CliRunner

from forecastkit.cli.app import app

runner = CliRunner()

CONFIG = """
name = "{name}"
[data]
path = "airline-passengers"
target = "Passengers"
[evaluation]
scheme = "holdout"
test_size = 12
horizon = 3
[[models]]
name = "naive"
type = "naive"
{extra}
"""


class Planted:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def config(tmp_path, name="t", extra=""):
    path = tmp_path / "c.toml"
    path.write_text(CONFIG.format(name=name, extra=textwrap.dedent(extra)))
    return path


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error(result, code=2):
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def test_dot_name_with_force_deletes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "keep.txt").write_text("precious")
    line = one_error(run("run", config(tmp_path, name="."), "--force", "--quiet"))
    assert "plain label" in line
    assert (tmp_path / "runs" / "keep.txt").read_text() == "precious"


@pytest.mark.parametrize("name", ["..", "a/b", "/tmp/elsewhere"])
def test_path_like_names_are_refused(tmp_path, name):
    assert "plain label" in one_error(run("validate", config(tmp_path, name=name)))


def test_output_that_is_a_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    for extra in ([], ["--force"]):
        assert "is a file" in one_error(run("run", config(tmp_path), "-o", target, "--quiet", *extra))
    assert target.read_text() == "x"


def test_force_never_replaces_a_foreign_directory(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years")
    assert "not created by forecastkit" in one_error(run("run", config(tmp_path), "-o", foreign, "--force", "--quiet"))
    assert (foreign / "thesis.tex").exists()
    out = tmp_path / "out"
    assert run("run", config(tmp_path), "-o", out, "--quiet", "--no-plots").exit_code == 0
    assert (out / ".forecastkit-run").is_file()
    assert run("run", config(tmp_path), "-o", out, "--quiet", "--no-plots", "--force").exit_code == 0


@pytest.mark.parametrize("command", ["validate", "run"])
def test_popen_regressor_is_refused_before_it_runs(tmp_path, command):
    marker = tmp_path / "pwned"
    extra = f"""
    [[models]]
    name = "evil"
    type = "sklearn"
    regressor = "subprocess.Popen"
    regressor_params = {{ args = ["touch", "{marker}"] }}
    """
    args = [command, config(tmp_path, extra=extra)] + (["-o", tmp_path / "o", "--quiet"] if command == "run" else [])
    line = one_error(run(*args))
    assert "'evil'" in line and "regressor_modules" in line and not marker.exists()


def test_bad_model_parameter_names_the_model(tmp_path):
    extra = """
    [[models]]
    name = "my_snaive"
    type = "seasonal_naive"
    season_length = 0
    """
    assert "model 'my_snaive'" in one_error(run("validate", config(tmp_path, extra=extra)))


def _interrupted_state(tmp_path):
    """A finished run's work directory as an interrupted run leaves it."""
    from forecastkit.config.schema import load_config
    from forecastkit.runs.meta import run_fingerprint
    from forecastkit.runs.state import RunState

    cfg_path = config(tmp_path)
    out = tmp_path / "out"
    state = RunState.open(out, run_fingerprint(load_config(cfg_path), None), resume=False, force=False)
    return cfg_path, out, state


def test_planted_pickle_in_resume_state_never_runs(tmp_path):
    cfg_path, out, state = _interrupted_state(tmp_path)
    marker = tmp_path / "pwned"
    fold_dir = state.work / "folds" / "naive" / "holdout"
    fold_dir.mkdir(parents=True)
    (fold_dir / "fold-00000.pkl").write_bytes(pickle.dumps(Planted(marker)))
    (state.work / "future").mkdir()
    (state.work / "future" / "naive.pkl").write_bytes(pickle.dumps(Planted(marker)))
    (fold_dir / "fold-00001.json").write_text(json.dumps({"record": {"$dict": []}, "arrays": None}))
    result = run("run", cfg_path, "-o", out, "--resume", "--quiet", "--no-plots")
    assert not marker.exists()
    assert result.exit_code in (0, 2)


@pytest.mark.parametrize("content", ["{not json", '{"record": {"$array": "a0"}, "arrays": "fold-00000.npz"}'])
def test_damaged_fold_file_is_named_with_force_hint(tmp_path, content):
    cfg_path, out, state = _interrupted_state(tmp_path)
    fold_dir = state.work / "folds" / "naive" / "holdout"
    fold_dir.mkdir(parents=True)
    (fold_dir / "fold-00000.json").write_text(content)
    line = one_error(run("run", cfg_path, "-o", out, "--resume", "--quiet", "--no-plots"))
    assert "fold-00000.json" in line and "--force" in line
    assert run("run", cfg_path, "-o", out, "--force", "--quiet", "--no-plots").exit_code == 0


def test_truncated_state_json_is_named(tmp_path):
    cfg_path, out, state = _interrupted_state(tmp_path)
    fold_dir = state.work / "folds" / "naive" / "holdout"
    fold_dir.mkdir(parents=True)
    (fold_dir / "fold-00000.json").write_text("{}")
    (state.work / "state.json").write_text('{"finger')
    line = one_error(run("run", cfg_path, "-o", out, "--resume", "--quiet", "--no-plots"))
    assert "state.json" in line and "--force" in line


def test_stale_temporaries_of_killed_runs_are_cleaned(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / ".out.tmp-abc123"
    stale.mkdir()
    (stale / ".forecastkit-run").write_text("")
    empty = tmp_path / ".out.tmp-zz9"
    empty.mkdir()
    foreign = tmp_path / ".out.tmp-mine"
    foreign.mkdir()
    (foreign / "data.txt").write_text("keep")
    assert run("run", config(tmp_path), "-o", out, "--quiet", "--no-plots").exit_code == 0
    assert not stale.exists() and not empty.exists() and (foreign / "data.txt").exists()


def test_run_outputs_honour_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert run("run", config(tmp_path), "-o", tmp_path / "out", "--quiet", "--no-plots").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "leaderboard.csv").stat().st_mode) == 0o644


def test_forecast_refuses_huge_horizon_and_dev_zero(tmp_path):
    cfg_path = config(tmp_path)
    assert "GiB" in one_error(run("forecast", cfg_path, "-m", "naive", "-H", "100000000"))
    assert "not a regular file" in one_error(run("frame", "/dev/zero"))
