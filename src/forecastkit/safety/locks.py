"""One run at a time per output: an exclusive lock beside the output directory.

The lock is an OS file lock (:mod:`filelock`), so the kernel releases it when the
holder dies, even by SIGKILL: a stale lock from a killed run is simply acquired by
the next run (its PID sidecar, left behind, is overwritten). The sidecar names the
PID of the live holder in the one-line refusal a second run gets.
"""

from __future__ import annotations

import os
from pathlib import Path

from forecastkit.errors import ConfigError


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


class RunLock:
    """``with RunLock(out):`` holds the exclusive lock of the output ``out``."""

    def __init__(self, out: Path):
        from filelock import FileLock

        self.out = Path(out)
        self.path = lock_path(self.out)
        self.pid_path = self.path.with_name(self.path.name + ".pid")
        self._lock = FileLock(str(self.path), timeout=0)
        self.stale_pid: int | None = None

    def _holder(self) -> str:
        try:
            return self.pid_path.read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self) -> "RunLock":
        from filelock import Timeout

        self.out.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise ConfigError(
                f"another forecastkit run (PID {self._holder()}) is writing {str(self.out)!r}; "
                "wait for it to finish or choose another --output"
            ) from None
        old = self._holder()
        if old.isdigit() and int(old) != os.getpid():
            self.stale_pid = int(old)  # left by a run that was killed: the lock is ours now
        self.pid_path.write_text(f"{os.getpid()}\n")
        return self

    def release(self) -> None:
        try:
            self.pid_path.unlink()
        except OSError:
            pass
        self._lock.release()

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
