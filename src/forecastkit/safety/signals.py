"""SIGTERM handled like Ctrl-C: the run stops, keeps its finished folds, says so in
one line and exits 143 (128 + SIGTERM), so ``--resume`` continues it."""

from __future__ import annotations

import contextlib
import signal
import threading


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""

    exit_code = 128 + signal.SIGTERM
    reason = "terminated (SIGTERM)"


def _raise(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
