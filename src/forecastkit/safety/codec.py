"""Encode fitted state as JSON plus ``.npz`` arrays, never pickle.

:func:`encode` turns a value into a JSON-safe tree whose tagged nodes point into an
array dictionary (saved with ``np.savez``, read back with ``allow_pickle=False``);
:func:`decode` rebuilds it. Supported: ``None``, bools, numbers, strings, lists,
tuples, dicts with any encodable keys, numpy arrays and scalars (non-object dtypes),
pandas timestamps, offsets, indexes and frames, scikit-learn estimators (through
:mod:`forecastkit.safety.sklearn_io`) and instances of the forecastkit classes listed
in :data:`STATE_CLASSES`. Anything else is refused when saving, so nothing is
written that could only be read back by running code from the file.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError

#: forecastkit helper classes whose instances may appear in saved state (their
#: ``__dict__`` is encoded like any other value); nothing else is ever imported on load
STATE_CLASSES = frozenset({
    "forecastkit.forecasters.preprocessing:ColumnScaler",
    "forecastkit.forecasters.preprocessing:TargetTransformer",
    "forecastkit.forecasters._reduction_strategies:RegressorFactory",
    "forecastkit.forecasters._reduction_strategies:RecursiveReduction",
    "forecastkit.forecasters._reduction_strategies:DirectReduction",
    "forecastkit.forecasters._reduction_strategies:MultiOutputReduction",
})


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


class StateWriter:
    """Collects the arrays and estimator files of one state directory while encoding."""

    def __init__(self, directory: Path, trusted_modules: tuple[str, ...] = ()):
        self.directory = Path(directory)
        self.arrays: dict[str, np.ndarray] = {}
        self.n_estimators = 0
        self.trusted_modules = trusted_modules

    def array(self, value: np.ndarray) -> dict:
        if value.dtype.hasobject:
            raise TypeError(f"an array of dtype {value.dtype} cannot be stored without pickle")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return {"$array": key}

    def encode(self, value: Any, where: str = "state") -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and not isinstance(value, np.integer):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, (np.generic, np.ndarray)):
            return self.array(np.asarray(value)) | ({"scalar": True} if isinstance(value, np.generic) else {})
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, dict):
            return {"$dict": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
        if isinstance(value, pd.Timestamp):
            return {"$timestamp": value.isoformat(), "tz": str(value.tz) if value.tz else None}
        if isinstance(value, pd.Timedelta):
            return {"$timedelta": int(value.value)}
        if isinstance(value, pd.offsets.BaseOffset):
            return {"$offset": value.freqstr}
        if isinstance(value, pd.DataFrame):
            return self._frame(value, where)
        if isinstance(value, pd.Index):
            return self._index(value, where)
        if _is_forecaster(value):
            sub = self.directory / f"forecaster-{self.n_estimators}"
            self.n_estimators += 1
            sub.mkdir()
            return {"$forecaster": class_path(type(value)), "dir": sub.name,
                    "params": self.encode(value.get_params(), f"{where}.params"),
                    "state": value._dump_fitted(sub) if getattr(value, "is_fitted_", False) else None}
        if _is_sklearn_estimator(value):
            from forecastkit.safety.sklearn_io import dump_estimator

            name = f"estimator-{self.n_estimators}.skops"
            self.n_estimators += 1
            dump_estimator(value, self.directory / name)
            return {"$skops": name}
        if class_path(type(value)) in STATE_CLASSES:
            return {"$object": class_path(type(value)), "state": self.encode(dict(vars(value)), where)}
        raise TypeError(f"{where}: a {type(value).__module__}.{type(value).__qualname__} cannot be saved safely")

    def _index(self, index: pd.Index, where: str) -> dict:
        if isinstance(index, pd.RangeIndex):
            return {"$range": [index.start, index.stop, index.step], "name": self.encode(index.name)}
        if isinstance(index, pd.DatetimeIndex) and index.tz is None:
            freq = index.freqstr if index.freq is not None else None
            return {"$dtindex": self.array(index.to_numpy()), "freq": freq, "name": self.encode(index.name)}
        return {"$index": [self.encode(v, where) for v in index.tolist()], "name": self.encode(index.name)}

    def _frame(self, frame: pd.DataFrame, where: str) -> dict:
        columns = []
        for i, name in enumerate(frame.columns):
            col = frame.iloc[:, i]
            if col.dtype.kind in "biufcmM" and not isinstance(col.dtype, pd.DatetimeTZDtype):
                data = self.array(col.to_numpy())
            else:  # strings and mixed values: element by element (NaN/None kept)
                data = {"$values": [self.encode(v, f"{where}.{name}") for v in col.tolist()]}
            columns.append([self.encode(name), data])
        return {"$frame": columns, "index": self._index(frame.index, where)}

    def save_arrays(self, name: str = "state.npz") -> str | None:
        if not self.arrays:
            return None
        np.savez(self.directory / name, **self.arrays)
        return name


def _is_forecaster(value: Any) -> bool:
    # duck-typed: forecasters.base imports this module, so it cannot import base back
    return callable(getattr(value, "_dump_fitted", None)) and callable(getattr(value, "get_params", None))


def _is_sklearn_estimator(value: Any) -> bool:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        return False
    return isinstance(value, BaseEstimator)


class StateReader:
    """Rebuilds values encoded by :class:`StateWriter` from one state directory."""

    def __init__(self, directory: Path, arrays_file: str | None, trusted_modules: tuple[str, ...] = ()):
        self.directory = Path(directory)
        self.trusted_modules = trusted_modules
        self.arrays: dict[str, np.ndarray] = {}
        if arrays_file:
            path = self.directory / arrays_file
            try:
                with np.load(path, allow_pickle=False) as npz:
                    self.arrays = {k: npz[k] for k in npz.files}
            except (OSError, ValueError, EOFError) as err:
                raise DataError(f"{path}: unreadable array file ({err})") from None

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise DataError(f"unexpected state entry {node!r}")
        if "$array" in node:
            arr = self.arrays[node["$array"]]
            return arr[()] if node.get("scalar") else arr
        if "$float" in node:
            return float(node["$float"])
        if "$tuple" in node:
            return tuple(self.decode(v) for v in node["$tuple"])
        if "$dict" in node:
            return {_hashable(self.decode(k)): self.decode(v) for k, v in node["$dict"]}
        if "$timestamp" in node:
            return pd.Timestamp(node["$timestamp"])
        if "$timedelta" in node:
            return pd.Timedelta(int(node["$timedelta"]))
        if "$offset" in node:
            return pd.tseries.frequencies.to_offset(node["$offset"])
        if "$range" in node:
            return pd.RangeIndex(*node["$range"], name=self.decode(node["name"]))
        if "$dtindex" in node:
            return pd.DatetimeIndex(self.decode(node["$dtindex"]), freq=node["freq"], name=self.decode(node["name"]))
        if "$index" in node:
            return pd.Index([self.decode(v) for v in node["$index"]], name=self.decode(node["name"]))
        if "$frame" in node:
            data = {}
            for name, col in node["$frame"]:
                data[_hashable(self.decode(name))] = (
                    [self.decode(v) for v in col["$values"]] if "$values" in col else self.decode(col)
                )
            return pd.DataFrame(data, index=self.decode(node["index"]))
        if "$skops" in node:
            from forecastkit.safety.sklearn_io import load_estimator

            return load_estimator(self.directory / node["$skops"], self.trusted_modules)
        if "$object" in node:
            return self._object(node)
        if "$forecaster" in node:
            return self._forecaster(node)
        raise DataError(f"unexpected state entry with keys {sorted(node)}")

    def _object(self, node: dict) -> Any:
        path = node["$object"]
        if path not in STATE_CLASSES:
            raise DataError(f"saved state names class {path!r}, which forecastkit does not load")
        obj = object.__new__(import_path(path))
        vars(obj).update(self.decode(node["state"]))
        return obj

    def _forecaster(self, node: dict) -> Any:
        from forecastkit.forecasters.registry import REGISTRY

        path = node["$forecaster"]
        classes = {class_path(import_path(e.target)) for e in REGISTRY.values()}
        if path not in classes:
            raise DataError(f"saved state names forecaster class {path!r}, which is not a registered type")
        model = import_path(path)(**self.decode(node["params"]))
        if node["state"] is not None:
            model._restore_fitted(self.directory / node["dir"], node["state"])
        return model


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def import_path(path: str) -> type:
    module, _, attr = path.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def save_values(directory: Path, values: dict[str, Any], arrays_name: str = "state.npz") -> dict[str, Any]:
    """Encode ``values`` (attribute name -> value) into ``directory``; returns the JSON part."""
    writer = StateWriter(directory)
    encoded = {name: writer.encode(value, name) for name, value in values.items()}
    return {"values": encoded, "arrays": writer.save_arrays(arrays_name)}


def load_values(directory: Path, state: dict[str, Any], trusted_modules: tuple[str, ...] = ()) -> dict[str, Any]:
    """The values saved by :func:`save_values`."""
    reader = StateReader(directory, state.get("arrays"), trusted_modules)
    try:
        return {name: reader.decode(node) for name, node in state["values"].items()}
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, DataError):
            raise
        raise DataError(f"{directory}: damaged saved state ({type(err).__name__}: {err})") from None
