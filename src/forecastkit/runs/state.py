"""The work directory of a run: finished (model, fold) results stored as they complete,
so an interrupted ``forecastkit run`` can be resumed without redoing finished work.

Layout of ``.<run-name>.work/`` (a hidden sibling of the output directory)::

    state.json                      the run's fingerprint (config + data + model selection)
    folds/<model>/<evaluation>/fold-00003.json (+ .npz)
    future/<model>.json (+ .npz)    the forecast past the end of the data
    units/<model>/fold-00000/<chunk>.json (+ .npz)   panel runs: one (model, series chunk, fold)
    models/<model>/                 saved fitted models (``--save-models``)

Results are JSON plus ``.npz`` arrays (:mod:`forecastkit.safety.codec`), never
pickle, so a planted file cannot run code when a run is resumed. Every file is
written to a temporary name and renamed (the arrays first, the JSON last), so a
killed run never leaves a truncated result that a resume would trust; a file that
is damaged anyway is named in an error that says ``--force`` starts over.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from forecastkit._io import atomic_write, atomic_write_text
from forecastkit.backtest.results import FoldRecord
from forecastkit.errors import ConfigError
from forecastkit.safety.rundirs import is_marked, mark, remove_work_dir


def fingerprint(config: dict, data_files: list[Path], models: list[str] | None) -> str:
    """SHA-256 of the validated config, the data files' bytes and the model selection."""
    h = hashlib.sha256()
    h.update(json.dumps(config, sort_keys=True, default=str).encode())
    h.update(json.dumps(sorted(models) if models else None).encode())
    for path in data_files:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def safe_name(name: str) -> str:
    """A file-system-safe, collision-free directory name for a model/evaluation name
    (the name itself when it is already safe)."""
    if re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,79}", name):
        return name
    clean = re.sub(r"[^A-Za-z0-9._+-]", "_", name)[:60]
    return f"{clean}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _atomic_dump(obj: Any, path: Path) -> None:
    """Write ``obj`` as ``path`` (JSON) and its arrays as ``path.with_suffix('.npz')``."""
    from forecastkit.safety.codec import StateWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = StateWriter(path.parent)
    node = {"record": writer.encode(obj, path.stem), "arrays": None}
    if writer.arrays:
        node["arrays"] = path.with_suffix(".npz").name
        atomic_write(path.with_suffix(".npz"), lambda fh: np.savez(fh, **writer.arrays))
    atomic_write_text(path, json.dumps(node))


def _load(path: Path, convert: Callable[[Any], Any] = lambda value: value) -> Any:
    """A record written by :func:`_atomic_dump`, passed through ``convert``; a damaged
    one (unreadable, or not what ``convert`` expects) is a one-line error."""
    from forecastkit.errors import ForecastkitError
    from forecastkit.safety.codec import StateReader

    try:
        node = json.loads(path.read_text())
        return convert(StateReader(path.parent, node["arrays"]).decode(node["record"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
        why = str(err).splitlines()[0] if isinstance(err, ForecastkitError) else f"{type(err).__name__}: {err}"
        raise ConfigError(
            f"cannot resume: the state file {str(path)!r} is damaged ({why}); run with --force to start over"
        ) from None


def _future_record(value: Any) -> tuple:
    frame, error, seconds = value  # (forecast table or None, error or None, seconds)
    return frame, error, seconds


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    return value


class RunState:
    """Finished results of one run, keyed by model, evaluation and fold."""

    def __init__(self, work: Path):
        self.work = Path(work)

    @classmethod
    def work_dir_for(cls, out: Path) -> Path:
        return out.parent / f".{out.name}.work"

    @classmethod
    def open(cls, out: Path, digest: str, *, resume: bool, force: bool) -> "RunState":
        """Start (or, with ``resume``, continue) the work directory of the run ``out``.

        Raises ConfigError when an interrupted run exists and neither ``resume`` nor
        ``force`` was given, or when resuming a run whose config or data changed.
        """
        work = cls.work_dir_for(out)
        state_file = work / "state.json"
        if work.exists() and not any(work.glob("*/**/*.json")):
            remove_work_dir(work)  # a run that stopped before finishing anything: nothing to keep
        if work.exists():
            try:
                old = json.loads(state_file.read_text())["fingerprint"]
            except (OSError, ValueError, KeyError, TypeError) as err:
                if resume:
                    raise ConfigError(
                        f"cannot resume: the state file {str(state_file)!r} is damaged ({type(err).__name__}: "
                        f"{err}); run with --force to start over"
                    ) from None
                old = None
            if resume and old is not None and old != digest:
                raise ConfigError(
                    f"cannot resume: the config, data or model selection changed since the interrupted run "
                    f"(fingerprint {old[:12]} != {digest[:12]}); run with --force to start over"
                )
            if not resume:
                if not force:
                    raise ConfigError(
                        f"an interrupted run of this output exists in {str(work)!r}; pass --resume to continue "
                        "it or --force to start over"
                    )
                remove_work_dir(work)
        if work.exists() and not is_marked(work):
            remove_work_dir(work)  # refuses: not ours
        work.mkdir(parents=True, exist_ok=True)
        mark(work)
        if not state_file.exists():
            tmp = work / ".state.json.tmp"
            tmp.write_text(json.dumps({"fingerprint": digest}))
            os.replace(tmp, state_file)
        return cls(work)

    # -- folds ---------------------------------------------------------------------
    def _fold_dir(self, model: str, evaluation: str) -> Path:
        return self.work / "folds" / safe_name(model) / safe_name(evaluation)

    def fold_results(self, model: str, evaluation: str) -> dict[int, FoldRecord]:
        """Stored fold records of one (model, evaluation)."""
        out: dict[int, FoldRecord] = {}
        folder = self._fold_dir(model, evaluation)
        if folder.is_dir():
            for path in sorted(folder.glob("fold-*.json")):
                out[int(path.stem.split("-")[1])] = _load(path, FoldRecord.from_dict)
        return out

    def store_fold(self, model: str, evaluation: str, fold: int, record: dict) -> None:
        _atomic_dump(record, self._fold_dir(model, evaluation) / f"fold-{fold:05d}.json")

    # -- future forecasts ----------------------------------------------------------
    def _future_path(self, model: str) -> Path:
        return self.work / "future" / f"{safe_name(model)}.json"

    def future(self, model: str):
        path = self._future_path(model)
        return _load(path, _future_record) if path.exists() else None

    def store_future(self, model: str, record) -> None:
        _atomic_dump(record, self._future_path(model))

    # -- panel units (model, series chunk, fold) -------------------------------------
    def _unit_path(self, model: str, fold: int | None, chunk: str) -> Path:
        # fold None: a warm-started model's chain of every fold and the future
        where = "chain" if fold is None else "future" if fold < 0 else f"fold-{fold:05d}"
        return self.work / "units" / safe_name(model) / where / f"{safe_name(chunk)}.json"

    def unit(self, model: str, fold: int | None, chunk: str) -> dict | None:
        """A stored panel unit (a mapping of plain values and arrays), or None."""
        path = self._unit_path(model, fold, chunk)
        return _load(path, _mapping) if path.exists() else None

    def store_unit(self, model: str, fold: int | None, chunk: str, record: dict) -> None:
        _atomic_dump(record, self._unit_path(model, fold, chunk))

    # -- saved models --------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.work / "models"

    def model_dir(self, model: str) -> Path:
        return self.models_dir / safe_name(model)

    def discard(self) -> None:
        """Remove the work directory once the run directory is complete."""
        shutil.rmtree(self.work, ignore_errors=True)
