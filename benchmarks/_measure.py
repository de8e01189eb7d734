"""Shared by the benchmark scripts: run a command in a child process and measure its
wall time and the peak summed RSS of its whole process tree (workers included)."""

from __future__ import annotations

import subprocess
import threading
import time


def run_measured(cmd: list[str], what: str) -> tuple[float, float]:
    """Run ``cmd``; return ``(wall seconds, peak MiB)``. Exits naming ``what`` if it fails."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak, stop = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                peak = max(peak, p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True)))
            except psutil.Error:  # the child is ending
                pass
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    rc = proc.wait()
    stop.set()
    th.join()
    if rc != 0:
        raise SystemExit(f"{what} failed (exit {rc})")
    return time.perf_counter() - t0, peak / 2**20
