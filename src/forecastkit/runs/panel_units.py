"""Panel work units, (model, series chunk, fold), stored as they finish so that an
interrupted panel run resumes with only the unfinished units. A warm-started local
model's unit is its chain (model, series chunk): every fold and the forecast past the
end, fitted in order (see ``runs.panel._tasks``).

A unit's result (:class:`~forecastkit.backtest.panel_engine.ChunkResult`) is stored
in the run's work directory (:class:`~forecastkit.runs.state.RunState`) as JSON plus
``.npz`` arrays: every forecast column an array (ids as fixed-width strings, never
objects), so nothing is unpickled on resume. A chunk is named by a hash of its series
ids, so a resume with another ``--jobs`` (other chunks) recomputes what no longer
matches and still gives the same numbers: every unit is deterministic.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

STRING_COLUMNS = ("model", "series_id")


def chunk_key(task) -> str:
    """The name of a task's series chunk: its size and a hash of its series ids."""
    ids = "\0".join(b.sid for b in task.blocks)
    return f"n{len(task.blocks)}-{hashlib.sha256(ids.encode()).hexdigest()[:20]}"


def unit_fold(task) -> int | None:
    """The task's fold (:data:`~forecastkit.backtest.panel_records.FUTURE` past the end),
    or None for a chain of folds (a warm-started model's task)."""
    return int(task.folds[0]) if len(task.folds) == 1 else None


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    if not len(frame):  # an empty frame's columns are objects: store empty floats
        return {col: np.zeros(0) for col in frame.columns}
    out = {}
    for col in frame.columns:
        values = frame[col].to_numpy()
        out[col] = values.astype(str) if col in STRING_COLUMNS else values
    return out


def _frame(columns: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    if not len(columns[names[0]]):
        return pd.DataFrame(columns=names)
    return pd.DataFrame({c: (columns[c].astype(object) if c in STRING_COLUMNS else columns[c]) for c in names})


def to_record(result) -> dict:
    """A :class:`ChunkResult` as a mapping of plain values and arrays."""
    return {"forecasts": _columns(result.forecasts), "future": _columns(result.future),
            "failures": list(result.failures), "fitted": dict(result.fitted), "seconds": float(result.seconds)}


def from_record(record: dict):
    from forecastkit.backtest.panel_engine import FORECAST_COLUMNS, ChunkResult

    return ChunkResult(_frame(record["forecasts"], FORECAST_COLUMNS), _frame(record["future"], FORECAST_COLUMNS),
                       [str(f) for f in record["failures"]], {str(k): str(v) for k, v in record["fitted"].items()},
                       float(record["seconds"]))


def execute(tasks: list, state=None, *, jobs: int = 1, engine: str = "joblib", address: str | None = None,
            workers: int = 2, counts: dict | None = None) -> list:
    """Every task's result in task order: stored units from ``state`` (a resume), the rest
    computed on the engine and stored in ``state`` as each finishes. ``counts`` (a dict)
    receives ``reused`` and ``computed``."""
    from forecastkit.backtest.panel_engine import run_task
    from forecastkit.runs.panel_exec import iter_tasks

    results: list = [None] * len(tasks)
    pending = []
    for i, task in enumerate(tasks):
        stored = state.unit(task.model.name, unit_fold(task), chunk_key(task)) if state is not None else None
        if stored is not None:
            results[i] = from_record(stored)
        else:
            pending.append(i)
    todo = [tasks[i] for i in pending]
    if counts is not None:
        counts.update(reused=len(tasks) - len(todo), computed=len(todo))
    for j, result in iter_tasks(run_task, todo, jobs=jobs, engine=engine, address=address, workers=workers):
        task = todo[j]
        if state is not None:
            state.store_unit(task.model.name, unit_fold(task), chunk_key(task), to_record(result))
        results[pending[j]] = result
    return results


def data_files(cfg) -> list[Path]:
    """The files a panel run reads: the data (none for a shipped panel: its name is in the
    config) and the future covariates."""
    paths = [Path(p).expanduser() for p in (cfg.data.path, getattr(cfg.forecast, "covariates_path", None)) if p]
    return [p for p in paths if p.is_file()]
