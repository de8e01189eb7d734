"""Run panel work units in order: serially, on joblib workers, or on a Dask cluster.

Results come back in the order of the tasks whatever the engine, and every unit
is deterministic, so ``--jobs 1``, ``--jobs N`` and Dask give the same numbers.
Dask is imported only when ``engine = "dask"``; with no ``address`` a
``LocalCluster`` is started for the run and closed after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from forecastkit.errors import ConfigError
from forecastkit.safety.signals import raise_pending

DASK_HINT = "engine = \"dask\" needs dask.distributed: pip install 'forecastkit[dask]'"


def chunk(items: Sequence[Any], n_chunks: int, size: int | None = None) -> list[list[Any]]:
    """Contiguous chunks: of ``size`` items, else about ``n_chunks`` equal ones."""
    if not items:
        return []
    if size is None:
        size = max(1, -(-len(items) // max(1, n_chunks)))
    return [list(items[i: i + size]) for i in range(0, len(items), size)]


def run_tasks(fn: Callable, tasks: list, *, jobs: int = 1, engine: str = "joblib",
              address: str | None = None, workers: int = 2) -> list:
    """``[fn(t) for t in tasks]`` on the chosen engine."""
    out: list = [None] * len(tasks)
    for i, result in iter_tasks(fn, tasks, jobs=jobs, engine=engine, address=address, workers=workers):
        out[i] = result
    return out


def iter_tasks(fn: Callable, tasks: list, *, jobs: int = 1, engine: str = "joblib",
               address: str | None = None, workers: int = 2) -> Iterator[tuple[int, Any]]:
    """``(index, fn(tasks[index]))`` for every task, as each finishes (so a caller can store
    finished units while others still run: an interrupted run keeps them)."""
    if engine == "dask":
        finished = _iter_dask(fn, tasks, address, workers)
    elif jobs == 1 or len(tasks) <= 1:
        finished = ((i, fn(t)) for i, t in enumerate(tasks))
    else:
        from joblib import Parallel, delayed

        finished = Parallel(n_jobs=jobs, return_as="generator_unordered")(
            delayed(_indexed)(fn, i, t) for i, t in enumerate(tasks))
    try:
        for item in finished:
            raise_pending()  # a Ctrl-C lost where Python could only print it stops here
            yield item
    finally:
        # now, not when the traceback that holds this frame is freed: stops a pool's
        # remaining tasks, closes a Dask client and the cluster started for the run
        close = getattr(finished, "close", None)
        if close is not None:
            close()


def _indexed(fn: Callable, i: int, task: Any) -> tuple[int, Any]:
    return i, fn(task)


def _worker_environ(config) -> dict:
    """Dask's environment for the worker processes it spawns, without its
    ``MALLOC_TRIM_THRESHOLD_`` (65536 by default). Setting that threshold also turns off
    glibc's adaptive mmap threshold, so every temporary array above 128 KiB (an ETS
    model's simulated paths, a likelihood's covariance matrix) was mapped and unmapped
    again, page faults and all: on 200 M3 series ets took 32.6 s on a 2-worker
    LocalCluster (23 s of it system time, 11.5 million page faults) and 18.1 s with
    ``--jobs 2``; without the variable 20.7 s (4.3 s system, 1.4 million faults, the
    rest is the cluster's start and stop). Workers of a scheduler given by address
    keep their own environment."""
    environ = dict(config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def _iter_dask(fn: Callable, tasks: list, address: str | None, workers: int) -> Iterator[tuple[int, Any]]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(DASK_HINT) from None
    cluster = None
    try:
        if address is None:
            with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ(dask.config)}):
                # ":0": a free port (None still binds 8787 and warns when another run has it);
                # workers' logs at ERROR: their warnings ("event loop unresponsive" during a
                # long fit, "task cancelled" when an interrupted run closes the cluster) are
                # noise on the CLI's stderr, a worker that dies still fails the run
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout=10)
            except (OSError, TimeoutError) as err:
                raise ConfigError(f"cannot reach the Dask scheduler at {address!r}: {err}") from None
        try:
            futures = client.map(_indexed, [fn] * len(tasks), range(len(tasks)), tasks, pure=False)
            for _, (i, result) in as_completed(futures, with_results=True):
                yield i, result
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
