"""Process-level safety: SIGTERM like Ctrl-C (exit 143, resumable), one run per output
(exclusive lock naming the holder's PID), a killed run's lock taken over."""

from __future__ import annotations

import signal
import sys
import time

import pytest
from test_interrupt import finish, long_run, start  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]


def _wait_for(predicate, deadline: float = 60.0) -> None:
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > deadline:
            pytest.fail("condition not reached within the deadline")
        time.sleep(0.05)


def test_sigterm_is_an_interrupt_and_resumes(long_run):  # noqa: F811
    out = long_run / "runs" / "long"
    proc = start(long_run, out)
    work = long_run / "runs" / ".long.work"
    _wait_for(lambda: any(work.rglob("fold-*.json")) or proc.poll() is not None)
    assert proc.poll() is None, "the run finished before it was signalled"
    proc.send_signal(signal.SIGTERM)
    rc, _, stderr = finish(proc)
    lines = stderr.strip().splitlines()
    assert rc == 143 and lines[-1].startswith("error: terminated (SIGTERM)") and "--resume" in lines[-1]
    assert "Traceback" not in stderr and not out.exists()
    assert any(work.rglob("fold-*.json"))
    assert (work / "state.json").is_file()  # what --resume continues from


def test_second_run_into_the_same_output_is_refused(long_run):  # noqa: F811
    out = long_run / "runs" / "long"
    first = start(long_run, out)
    pid_file = long_run / "runs" / ".long.lock.pid"
    _wait_for(lambda: pid_file.exists() or first.poll() is not None)
    second = start(long_run, out)
    rc, _, stderr = finish(second, timeout=60)
    assert rc == 2 and f"PID {first.pid}" in stderr and len(stderr.strip().splitlines()) == 1
    work = long_run / "runs" / ".long.work"
    _wait_for(lambda: any(work.rglob("fold-*.json")) or first.poll() is not None)
    first.send_signal(signal.SIGKILL)  # leaves a stale lock and PID file behind
    first.communicate(timeout=30)
    assert pid_file.exists()
    # the killed run's lock is taken over: the next run gets past it to the work
    # directory the killed run left (only a held lock names a PID)
    rc, _, stderr = finish(start(long_run, out), timeout=60)
    assert rc == 2 and "interrupted run of this output exists" in stderr and "PID" not in stderr
