"""Resource bounds checked before work starts: worker count, forecast size, data files."""

from __future__ import annotations

import os
import stat
import warnings

from forecastkit.errors import DataError

#: bytes one forecast step of one target may cost at its peak (state-space forecast
#: covariances, interval columns, the tidy table's strings), a generous estimate
BYTES_PER_STEP = 16 * 1024


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def cap_jobs(jobs: int) -> int:
    """``jobs`` limited to the CPUs this process may use (a warning says so)."""
    n = cpu_count()
    if jobs > n:
        warnings.warn(f"--jobs {jobs} capped at {n}, the number of CPUs available", stacklevel=2)
        return n
    return jobs


def available_memory() -> int | None:
    """Bytes of memory available to allocate (None when the system does not say)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_horizon_memory(horizon: int, n_targets: int = 1, what: str = "--horizon") -> None:
    """Refuse a horizon whose forecast cannot fit in memory (estimate, one line)."""
    need = int(horizon) * max(1, int(n_targets)) * BYTES_PER_STEP
    have = available_memory()
    if have is not None and need > have:
        raise DataError(
            f"{what} {horizon} x {n_targets} target(s) needs about {need / 2**30:.1f} GiB, more than the "
            f"{have / 2**30:.1f} GiB of memory available; forecast fewer steps"
        )


def check_data_source(path: str | os.PathLike | None) -> None:
    """A data path that exists must be a regular file (not a device, FIFO, socket or
    directory, which would block or never end); shipped dataset names pass."""
    if path is None:
        return
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return  # not a file on disk: a shipped dataset name, or missing (the loader says so)
    if stat.S_ISDIR(mode):
        raise DataError(f"data {str(path)!r} is a directory; give a CSV file")
    if not stat.S_ISREG(mode):
        raise DataError(f"data {str(path)!r} is not a regular file (a device, FIFO or socket); give a CSV file")
