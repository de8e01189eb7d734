"""One thread limit for every BLAS / OpenMP library a run loads, whenever it loads it.

threadpoolctl only limits the libraries already loaded when it is called: scipy's
own OpenBLAS (``scipy.libs``), scikit-learn's OpenMP and MKL arrive later, on the
first ``import scipy.linalg`` or the first model fit, and would keep their default
threads (on a busy 2-core machine a 264x264 Cholesky then takes ~500 ms instead of
~1 ms). :func:`limit_threads` therefore does three things:

- sets the ``*_NUM_THREADS`` environment variables, which a library reads when it is
  loaded later in this process and which joblib's loky workers inherit;
- applies threadpoolctl limits to what is loaded now;
- lets :func:`reapply` (called after models are built and fitted) limit libraries
  that were loaded since, e.g. inside a joblib worker.

On exit the variables and the pools limited here are restored.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

#: variables read by OpenBLAS, MKL, BLIS, Accelerate, OpenMP runtimes and numexpr
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_active: list[int] = []  # the limits of the enclosing limit_threads blocks (innermost last)
_restore: list[list[Any]] = []  # threadpoolctl limiters to undo on exit, per block
_seen: list[set[str]] = []  # library paths already limited, per block


def _loaded_paths() -> set[str]:
    from threadpoolctl import threadpool_info

    return {info["filepath"] for info in threadpool_info()}


def reapply() -> None:
    """Limit the libraries loaded since the innermost :func:`limit_threads` began
    (a no-op outside one, or when nothing new was loaded)."""
    if not _active:
        return
    from threadpoolctl import threadpool_limits

    paths = _loaded_paths()
    if paths <= _seen[-1]:
        return
    _restore[-1].append(threadpool_limits(limits=_active[-1]))
    _seen[-1] |= paths


@contextlib.contextmanager
def limit_threads(limit: int = 1) -> Iterator[None]:
    """Run the block with at most ``limit`` threads in every BLAS / OpenMP pool,
    including the libraries loaded during the block (see the module notes)."""
    from threadpoolctl import threadpool_limits

    saved = {name: os.environ.get(name) for name in THREAD_ENV_VARS}
    for name in THREAD_ENV_VARS:
        os.environ[name] = str(limit)
    _active.append(limit)
    _restore.append([threadpool_limits(limits=limit)])
    _seen.append(_loaded_paths())
    try:
        yield
    finally:
        for limiter in reversed(_restore.pop()):
            limiter.restore_original_limits()
        _seen.pop()
        _active.pop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def limited(func: Callable[..., Any], limit: int = 1) -> Callable[..., Any]:
    """``func`` wrapped to run under :func:`limit_threads` and to limit whatever it
    loaded before it returns: the form a joblib worker task takes."""
    return _Limited(func, limit)


class _Limited:
    """A picklable wrapper (joblib sends it to its workers)."""

    def __init__(self, func: Callable[..., Any], limit: int):
        self.func = func
        self.limit = limit

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with limit_threads(self.limit):
            return self.func(*args, **kwargs)
