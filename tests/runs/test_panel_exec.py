"""panel_exec: the Dask LocalCluster forecastkit starts gives its workers Dask's
environment without MALLOC_TRIM_THRESHOLD_ (which turns off glibc's adaptive mmap
threshold: every large temporary array mapped and unmapped again)."""

from __future__ import annotations

import os

import pytest

from forecastkit.runs.panel_exec import _iter_dask, _worker_environ


def test_worker_environ_drops_only_the_trim_threshold():
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    env = {"MALLOC_TRIM_THRESHOLD_": 65536, "OMP_NUM_THREADS": 1}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        assert _worker_environ(dask.config) == {"OMP_NUM_THREADS": 1}
    assert env == {"MALLOC_TRIM_THRESHOLD_": 65536, "OMP_NUM_THREADS": 1}  # config untouched


def test_local_cluster_workers_run_without_the_trim_threshold():
    pytest.importorskip("dask.distributed")
    names = ["MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS"]
    got = dict(_iter_dask(os.getenv, names, None, 1))
    assert got == {0: None, 1: "1"}  # Dask's other worker settings are kept


def test_a_second_local_cluster_takes_a_free_port_without_a_warning():
    """Two runs on Dask at once (another output, or xdist workers): the second cluster's
    scheduler must not fight over the dashboard's default port 8787."""
    pytest.importorskip("dask.distributed")
    import socket
    import warnings

    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            busy.bind(("", 8787))
            busy.listen()
        except OSError:  # another process holds it already: the same situation
            pass
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = dict(_iter_dask(os.getenv, ["OMP_NUM_THREADS"], None, 1))
    assert got == {0: "1"}
    assert not [w for w in caught if "already in use" in str(w.message)]


def _mark_and_wait(path: str) -> str:
    import time
    from pathlib import Path

    Path(path).touch()
    time.sleep(0.5)
    return path


@pytest.mark.filterwarnings("ignore:.*tasks which were still being processed:UserWarning")
@pytest.mark.parametrize("engine", ["joblib", "dask"])
def test_a_pending_interrupt_stops_the_tasks_and_closes_the_pool(tmp_path, monkeypatch, capfd, engine):
    """A Ctrl-C Python could only print (see safety.signals) is raised after the next
    finished task, and the pool stops at once, not when the traceback that holds it is
    freed: the tasks not yet started never run, and the workers log nothing."""
    import signal
    import time

    from forecastkit.runs.panel_exec import iter_tasks
    from forecastkit.safety import signals

    if engine == "dask":
        pytest.importorskip("dask.distributed")
    tasks = [str(tmp_path / f"task{i}") for i in range(16)]
    finished = []
    with pytest.raises(KeyboardInterrupt) as caught:
        for i, _ in iter_tasks(_mark_and_wait, tasks, jobs=2, engine=engine, workers=2):
            finished.append(i)
            monkeypatch.setattr(signals, "_pending", signal.SIGINT)  # as the handler records it
    assert len(finished) == 1
    assert caught.value is not None  # the traceback (and the frame with the pool) still held
    time.sleep(2.0)  # 16 tasks of 0.5 s on 2 workers would take 4 s
    started = len(list(tmp_path.glob("task*")))
    assert started < len(tasks) // 2, started
    assert "CancelledError" not in capfd.readouterr().err  # Dask's workers: a task cut short
