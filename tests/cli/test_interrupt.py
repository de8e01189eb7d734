"""A `forecastkit run` stopped mid-way (Ctrl-C or kill -9) leaves no partial run directory.

The run is a real process (``forecastkit run``, as its console script starts it) on a config that
takes tens of seconds; it is signalled about a second into its backtest. Hidden
siblings (``.<name>.tmp-*``, ``.<name>.work``) may remain: they are never the output.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

CONFIG = """
name = "long"
[data]
path = "long.csv"
target = "y"
[evaluation]
scheme = "rolling"
horizon = 14
folds = 300
step = 1
[[models]]
name = "naive"
type = "naive"
[[models]]
name = "ridge_direct"
type = "ridge"
strategy = "direct"
n_in = 28
"""


@pytest.fixture
def long_run(tmp_path) -> Path:
    """A daily series and a config whose backtest (300 folds x 14 ridge fits) takes long."""
    n = 1500
    t = np.arange(n)
    y = 50 + 0.01 * t + 5 * np.sin(2 * np.pi * t / 7) + np.random.default_rng(0).normal(0, 1, n)
    dates = pd.date_range("2000-01-01", periods=n, freq="D").strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "y": y.round(4)}).to_csv(tmp_path / "long.csv", index=False)
    (tmp_path / "long.toml").write_text(CONFIG)
    return tmp_path


def _default_sigint() -> None:
    # A child of a shell job may inherit SIGINT ignored; Python then never raises
    # KeyboardInterrupt. Restore the default so the test sees what a user's Ctrl-C does.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# As the ``forecastkit`` console script starts the CLI. Not ``python -m``: on CPython
# 3.11 a Ctrl-C that lands in an import run through ``PyRun_String`` (a compiled
# extension's) leaves a flag that makes a ``-m`` process kill itself with SIGINT at exit
# even though the CLI caught the interrupt (a shell shows 130 either way; Python's
# returncode is then -2, not 130).
LAUNCH = "import sys; from forecastkit.cli import main; sys.argv[0] = 'forecastkit'; main()"


def start(workdir: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "run",
            "long.toml",
            "--output",
            str(out),
            "--quiet",
            "--no-plots",
        ],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,  # noqa: PLW1509 (the test process runs no threads)
        env={k: v for k, v in os.environ.items() if k != "FORECASTKIT_DEBUG"},
    )


def _in_the_command(proc: subprocess.Popen, out: Path) -> bool:
    """The run's command body is executing: it created a hidden sibling of the output
    (its work directory), or it has imported scikit-learn, which only models do."""
    if out.parent.is_dir() and any(p.name.startswith(f".{out.name}") for p in out.parent.iterdir()):
        return True
    try:
        return "sklearn" in Path(f"/proc/{proc.pid}/maps").read_text()
    except OSError:
        return False


def signal_mid_run(proc: subprocess.Popen, out: Path, sig: int, after: float = 1.0, deadline: float = 60.0) -> None:
    t0 = time.monotonic()
    while not _in_the_command(proc, out):
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it was signalled: rc={proc.returncode}, stderr={proc.stderr.read()!r}")
        if time.monotonic() - t0 > deadline:
            proc.kill()
            pytest.fail("the run did not start its backtest within the deadline")
        time.sleep(0.05)
    time.sleep(after)
    assert proc.poll() is None, "the run finished before it was signalled; make the config longer"
    proc.send_signal(sig)


def finish(proc: subprocess.Popen, timeout: float = 30.0) -> tuple[int, str, str]:
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        pytest.fail(f"the run did not stop after the signal; stderr={stderr!r}")
    return proc.returncode, stdout, stderr


def visible(workdir: Path) -> list[str]:
    return sorted(p.name for p in workdir.iterdir() if not p.name.startswith("."))


def test_sigint_stops_the_run_cleanly(long_run):
    out = long_run / "runs" / "long"
    proc = start(long_run, out)
    signal_mid_run(proc, out, signal.SIGINT)
    rc, _, stderr = finish(proc)
    assert rc == 130, (rc, stderr)  # 128 + SIGINT, as a shell reports Ctrl-C
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = stderr.splitlines()
    assert lines and lines[-1].startswith("error: ") and "interrupted" in lines[-1], stderr
    assert not out.exists()
    assert visible(out.parent) == []
    assert visible(long_run) == ["long.csv", "long.toml", "runs"]


def test_sigkill_leaves_no_partial_run_directory(long_run):
    out = long_run / "runs" / "long"
    proc = start(long_run, out)
    signal_mid_run(proc, out, signal.SIGKILL)
    rc, _, _ = finish(proc)
    assert rc == -signal.SIGKILL
    assert not out.exists()
    # whatever a killed run leaves is hidden (.long.tmp-*, .long.work), never the output
    assert visible(out.parent) == []
    assert visible(long_run) == ["long.csv", "long.toml", "runs"]


def test_an_object_cut_short_by_the_interrupt_prints_no_traceback(tmp_path):
    # Ctrl-C inside a constructor (e.g. a ZipFile while an .npz is written) leaves an
    # object whose __del__ fails when collected: the CLI says one line, nothing more
    script = tmp_path / "cut_short.py"
    script.write_text(
        "import gc, typer\n"
        "from forecastkit.cli.app import cli_errors\n"
        "class Half:\n"
        "    def __init__(self):\n"
        "        raise KeyboardInterrupt\n"
        "    def __del__(self):\n"
        "        self.never_set\n"
        "@cli_errors\n"
        "def run():\n"
        "    Half()\n"
        "try:\n"
        "    run()\n"
        "except typer.Exit as e:\n"
        "    gc.collect()\n"
        "    raise SystemExit(e.exit_code)\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip() == "error: interrupted; finished folds are kept: rerun with --resume to continue"


# Signals while the CLI starts, injected at a known point rather than after a guessed
# delay: while ``forecastkit.cli.app`` is imported, and while typer parses the arguments
# (where typer itself turns a KeyboardInterrupt into a silent exit 130).
STARTUP = """
import signal, sys
import typer.core

sig = getattr(signal, sys.argv[1])
if sys.argv[2] == "import":
    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "forecastkit.cli.app":
                signal.raise_signal(sig)
            return None
    sys.meta_path.insert(0, Interrupting())
else:
    make_context = typer.core.TyperGroup.make_context
    def interrupted_make_context(*args, **kwargs):
        signal.raise_signal(sig)
        return make_context(*args, **kwargs)
    typer.core.TyperGroup.make_context = interrupted_make_context
from forecastkit.cli import main
sys.argv = ["forecastkit", "datasets"]
main()
"""


@pytest.mark.parametrize("phase", ["import", "parse"])
@pytest.mark.parametrize("sig, code, line", [("SIGINT", 130, "error: interrupted"),
                                             ("SIGTERM", 143, "error: terminated (SIGTERM)")])
def test_a_signal_while_the_cli_starts_gives_one_line(phase, sig, code, line):
    proc = subprocess.run([sys.executable, "-c", STARTUP, sig, phase], capture_output=True, text=True,
                          timeout=120, preexec_fn=_default_sigint)
    assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (code, line, "")
