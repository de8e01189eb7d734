"""A Ctrl-C (or SIGTERM) that Python could only print is raised again at the next checkpoint.

Python raises a signal's exception at the next bytecode the main thread runs. In a
weakref callback or a ``__del__`` (importlib runs one at the end of each import) it is
printed as "Exception ignored" and dropped, and a run went on to its end (CI caught a
run that ignored its Ctrl-C this way). Each case runs in its own process, so the
signal handlers it installs cannot touch the test process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# A Ctrl-C that arrives while a weakref callback runs: the interpreter prints it and goes on.
LOSE = """
import signal, weakref

class _Thing:
    pass

def lose_a_signal(sig=signal.SIGINT):
    thing = _Thing()
    ref = weakref.ref(thing, lambda _r: signal.raise_signal(sig))
    del thing
"""


def _default_sigint() -> None:
    # a background job (CI's shell may start the suite as one) inherits SIGINT ignored,
    # and forecastkit keeps an ignored signal ignored: give the child what a terminal gives
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_script(body: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(LOSE) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          preexec_fn=_default_sigint)  # noqa: PLW1509 (the test process runs no threads)


@pytest.mark.parametrize("sig, exc", [("SIGINT", "KeyboardInterrupt"), ("SIGTERM", "Terminated")])
def test_a_lost_signal_is_raised_again_by_raise_pending(sig, exc):
    proc = run_script(f"""
        from forecastkit.safety.signals import Terminated, interrupts_recorded, raise_pending
        with interrupts_recorded():
            lose_a_signal(signal.{sig})
            print("went on")  # the interpreter dropped the exception
            try:
                raise_pending()
            except {exc} as err:
                print("raised", type(err).__name__)
            try:
                raise_pending()  # still pending: nothing has handled it
            except {exc}:
                print("raised again")
        raise_pending()  # the block is over: nothing pending
        print("handlers", signal.getsignal(signal.SIGINT) is signal.default_int_handler,
              signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "Exception ignored" in proc.stderr  # what CI's log showed
    assert proc.stdout.split("\n")[:4] == ["went on", f"raised {exc}", "raised again", "handlers True True"]


def test_without_a_signal_raise_pending_does_nothing_and_handled_clears_it():
    proc = run_script("""
        from forecastkit.safety.signals import handled, interrupts_recorded, raise_pending
        with interrupts_recorded():
            raise_pending()
            lose_a_signal()
            handled()
            raise_pending()
        print("ok")
    """)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_a_signal_the_process_was_started_ignoring_stays_ignored():
    proc = run_script("""
        from forecastkit.safety.signals import interrupts_recorded, raise_pending
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a background job starts
        with interrupts_recorded():
            print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
            signal.raise_signal(signal.SIGINT)
            raise_pending()
        print("ran on")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "ran", "on"]


def test_a_backtest_stops_at_the_next_fold_after_a_lost_ctrl_c():
    # the CLI's wrapper around a backtest whose third fold's fit loses a Ctrl-C: the
    # command exits 130 with its one line, and no fold after the third is fitted
    proc = run_script("""
        import numpy as np, pandas as pd, typer
        from forecastkit.backtest.engine import run_backtest
        from forecastkit.backtest.splits import rolling_folds
        from forecastkit.cli.app import cli_errors
        from forecastkit.forecasters.baselines import NaiveForecaster

        fits = []

        class Losing(NaiveForecaster):
            def _estimate(self, y):
                fits.append(len(y))
                if len(fits) == 3:
                    lose_a_signal()
                super()._estimate(y)

        y = pd.DataFrame({"y": np.arange(60.0)})

        @cli_errors
        def run():
            run_backtest(Losing(), y, None, rolling_folds(60, 3, folds=10), level=None)
            print("finished")

        try:
            run()
        except typer.Exit as e:
            print("fits", len(fits))
            raise SystemExit(e.exit_code)
    """)
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout.split() == ["fits", "3"], proc.stdout
    assert proc.stderr.splitlines()[-1].startswith("error: interrupted"), proc.stderr


def test_a_ctrl_c_lost_while_the_cli_starts_stops_the_command_at_its_first_fold(tmp_path):
    # lost in the console script's block (while the CLI's module is imported); the
    # command's own block, nested inside, must not forget it
    (tmp_path / "c.toml").write_text(
        'name = "c"\n[data]\npath = "airline-passengers"\ntarget = "Passengers"\n'
        '[evaluation]\nscheme = "rolling"\nhorizon = 12\nfolds = 3\nstep = 12\n'
        '[[models]]\nname = "naive"\ntype = "naive"\n')
    proc = run_script(f"""
        import os, sys
        os.chdir({str(tmp_path)!r})

        class Losing:
            def find_spec(self, name, path=None, target=None):
                if name == "forecastkit.cli.app":
                    lose_a_signal()
                return None

        sys.meta_path.insert(0, Losing())
        from forecastkit.cli import main
        sys.argv = ["forecastkit", "run", "c.toml", "--quiet", "--no-plots"]
        main()
    """)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: interrupted; finished folds are kept"), proc.stderr
    assert not (tmp_path / "runs" / "c").exists()
