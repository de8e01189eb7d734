"""Save a fitted forecaster to a directory and load it back, for every model family.

A saved model is a directory with ``metadata.json`` (type, class, parameters,
targets, covariates, frequency, last timestamp, how the data was loaded, and the
SHA-256 of every other file) and ``state/``: what each family's ``_save_state`` hook
wrote there (JSON-described ``.npz`` arrays, ``.skops`` scikit-learn estimators,
``.keras`` networks). Nothing is pickled: loading checks the hashes and the class
against the registry before any file is read, and no file can run code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from forecastkit.errors import DataError

FORMAT = 2  # 1 was pickle-based and is no longer read


def save_forecaster(forecaster, directory: str | Path, *, name: str, type_name: str, data: dict | None = None) -> Path:
    """Write the fitted ``forecaster`` into ``directory`` (created, must not exist)."""
    from forecastkit import __version__
    from forecastkit._io import json_safe
    from forecastkit.safety.codec import save_values
    from forecastkit.safety.hashing import manifest

    forecaster._check_fitted()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=False)
    state = forecaster._dump_fitted(directory / "state")
    (directory / "params").mkdir()
    init = save_values(directory / "params", forecaster.get_params(), "params.npz")
    meta = {
        "format": FORMAT,
        "forecastkit": __version__,
        "name": name,
        "type": type_name,
        "class": f"{type(forecaster).__module__}:{type(forecaster).__qualname__}",
        "params": json_safe(forecaster.get_params()),
        "init": init,
        "state": state,
        "targets": list(forecaster.targets_),
        "covariates": list(forecaster.covariates_),
        "future_known": forecaster.future_known_columns(),
        "freq": getattr(forecaster.freq_, "freqstr", str(forecaster.freq_)),
        "last": str(forecaster.last_),
        "n_obs": int(forecaster.n_obs_),
        "data": json_safe(data or {}),
        "files": manifest(directory, skip=("metadata.json",)),
    }
    tmp = directory / ".metadata.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, directory / "metadata.json")
    return directory


def load_forecaster(directory: str | Path) -> tuple[Any, dict]:
    """Load a forecaster saved by :func:`save_forecaster`; returns ``(forecaster, metadata)``."""
    directory = Path(directory)
    meta_path = directory / "metadata.json"
    if not meta_path.is_file():
        raise DataError(
            f"{str(directory)!r} is not a saved model (no metadata.json); use a folder under "
            "<run>/models/ written by `forecastkit run --save-models`"
        )
    try:
        meta = json.loads(meta_path.read_text())
    except ValueError as err:
        raise DataError(f"{meta_path}: unreadable metadata ({err})") from None
    if meta.get("format") == 1:
        raise DataError(
            f"{meta_path}: saved by an older forecastkit in a pickle-based format, which is not loaded "
            "(it could run code); save the model again with `forecastkit run --save-models`"
        )
    if meta.get("format") != FORMAT:
        raise DataError(f"{meta_path}: saved with format {meta.get('format')!r}, this forecastkit reads {FORMAT}")
    from forecastkit.forecasters.registry import get_entry
    from forecastkit.safety.codec import class_path, load_values
    from forecastkit.safety.hashing import verify

    try:
        files, type_name, recorded = meta["files"], meta["type"], meta["class"]
        init, state = meta["init"], meta["state"]
    except (KeyError, TypeError) as err:
        raise DataError(f"{meta_path}: incomplete metadata (no {err}); save the model again") from None
    verify(directory, files)
    cls = get_entry(type_name).load()
    wrapper = get_entry("conformal").load()  # runs save every model in its calibration wrapper
    if recorded == class_path(wrapper):
        cls = wrapper
    if class_path(cls) != recorded:
        raise DataError(
            f"{meta_path}: records class {recorded!r} for type {type_name!r}, but that type is "
            f"{class_path(cls)}; refusing to load it"
        )
    try:
        model = cls(**load_values(directory / "params", init, model_modules(meta)))
        model._restore_fitted(directory / "state", state)
    except DataError:
        raise
    except (KeyError, TypeError, ValueError, OSError) as err:
        raise DataError(f"{directory}: damaged saved model ({type(err).__name__}: {err}); save it again") from None
    return model, meta


def model_modules(meta: dict) -> tuple[str, ...]:
    """Modules the model's config trusted for estimator classes (``regressor_modules``)."""
    modules = (meta.get("params") or {}).get("regressor_modules") or ()
    return tuple(str(m) for m in modules)


def check_new_data(meta: dict, frame: pd.DataFrame) -> None:
    """The new data must have the saved model's columns and frequency."""
    expected = list(meta["targets"]) + list(meta["covariates"])
    got = [str(c) for c in frame.columns]
    missing = [c for c in expected if c not in got]
    if missing:
        raise DataError(
            f"the new data lacks column(s) {missing} the model was trained with; it has {got}"
        )
    freq = frame.index.freq
    freqstr = getattr(freq, "freqstr", str(freq))
    if freqstr != meta["freq"]:
        raise DataError(
            f"the new data has frequency {freqstr!r}, the model was trained on {meta['freq']!r}; "
            "resample it the same way"
        )
