"""Run panel work units in order: serially, on joblib workers, or on a Dask cluster.

Results come back in the order of the tasks whatever the engine, and every unit
is deterministic, so ``--jobs 1``, ``--jobs N`` and Dask give the same numbers.
Dask is imported only when ``engine = "dask"``; with no ``address`` a
``LocalCluster`` is started for the run and closed after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from forecastkit.errors import ConfigError

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
    if engine == "dask":
        return _run_dask(fn, tasks, address, workers)
    if jobs == 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs)(delayed(fn)(t) for t in tasks)


def _run_dask(fn: Callable, tasks: list, address: str | None, workers: int) -> list:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(DASK_HINT) from None
    cluster = None
    try:
        if address is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout=10)
            except (OSError, TimeoutError) as err:
                raise ConfigError(f"cannot reach the Dask scheduler at {address!r}: {err}") from None
        try:
            futures = client.map(fn, tasks, pure=False)
            return client.gather(futures)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
