"""Ctrl-C and SIGTERM stop a run: it keeps its finished folds, says so in one line and
exits 130 or 143 (128 + the signal), so ``--resume`` continues it.

Python turns a signal into an exception at whatever bytecode the main thread runs next.
Where that is a weakref callback or a ``__del__`` (importlib's module-lock cleanup runs
one at the end of every import), the interpreter prints "Exception ignored" and carries
on: the Ctrl-C is lost and the run goes on to its end. So the handler also records the
signal, and :func:`raise_pending` (called between folds, finished tasks and before the
output is renamed into place) raises it again until the CLI has handled it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""

    exit_code = 128 + signal.SIGTERM
    reason = "terminated (SIGTERM)"


_EXCEPTIONS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Terminated}
# the signal received and not yet handled (None: none); set and read in the main thread only
_pending: int | None = None


def _record_and_raise(signum, frame):
    global _pending
    _pending = signum
    raise _EXCEPTIONS[signum]()


def raise_pending() -> None:
    """Raise the interrupt a signal asked for if it has not been handled yet (it was
    raised where Python could only print it, e.g. in a weakref callback); a no-op
    otherwise, and in every thread but the main one."""
    interrupt = pending()
    if interrupt is not None and threading.current_thread() is threading.main_thread():
        raise interrupt


def pending() -> KeyboardInterrupt | None:
    """The interrupt a signal raised that has not been handled yet, or None."""
    return None if _pending is None else _EXCEPTIONS[_pending]()


def handled() -> None:
    """Mark the pending interrupt as dealt with (the CLI has caught it)."""
    global _pending
    _pending = None


def report(interrupt: KeyboardInterrupt) -> tuple[str, int]:
    """Handle ``interrupt`` for the CLI: what to say ("interrupted", "terminated
    (SIGTERM)") and the exit code (128 + the signal). Marks it handled, and from now on
    objects it cut short while they were built (e.g. a ZipFile of an .npz) are collected
    without their "Exception ignored in __del__" tracebacks: noise after an interrupt."""
    handled()
    sys.unraisablehook = lambda unraisable: None
    return getattr(interrupt, "reason", "interrupted"), getattr(interrupt, "exit_code", 128 + signal.SIGINT)


@contextlib.contextmanager
def interrupts_recorded():
    """Within the block, SIGINT raises ``KeyboardInterrupt`` and SIGTERM :class:`Terminated`,
    and both are recorded for :func:`raise_pending` (main thread only; elsewhere a no-op).

    Blocks nest (the console script's around a command's): only the outermost starts
    and ends with nothing pending, so a signal lost while the CLI started is still
    raised at the command's first checkpoint."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # a signal the process was started ignoring (a background job's SIGINT) stays ignored
    previous = {sig: signal.getsignal(sig) for sig in _EXCEPTIONS}
    outermost = _record_and_raise not in previous.values()
    if outermost:
        handled()
    for sig, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(sig, _record_and_raise)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:  # None: set from outside Python, cannot be restored
                signal.signal(sig, handler)
        if outermost:
            handled()
