"""Save a fitted forecaster to a directory and load it back, for every model family.

A saved model is a directory with ``metadata.json`` (type, parameters, targets,
covariates, frequency, last timestamp, how the data was loaded) and either
``forecaster.joblib`` (baselines, ARIMA, scikit-learn reduction) or ``keras/``
(neural forecasters, saved with their own ``.keras`` files).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from forecastkit.errors import DataError

FORMAT = 1


def save_forecaster(forecaster, directory: str | Path, *, name: str, type_name: str, data: dict | None = None) -> Path:
    """Write the fitted ``forecaster`` into ``directory`` (created, must not exist)."""
    from forecastkit import __version__
    from forecastkit._io import json_safe

    forecaster._check_fitted()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=False)
    neural = bool(forecaster.tags().get("neural"))
    if neural:
        forecaster.save(directory / "keras")
    else:
        import joblib

        joblib.dump(forecaster, directory / "forecaster.joblib")
    meta = {
        "format": FORMAT,
        "forecastkit": __version__,
        "name": name,
        "type": type_name,
        "class": f"{type(forecaster).__module__}:{type(forecaster).__qualname__}",
        "storage": "keras" if neural else "joblib",
        "params": json_safe(forecaster.get_params()),
        "targets": list(forecaster.targets_),
        "covariates": list(forecaster.covariates_),
        "future_known": forecaster.future_known_columns(),
        "freq": getattr(forecaster.freq_, "freqstr", str(forecaster.freq_)),
        "last": str(forecaster.last_),
        "n_obs": int(forecaster.n_obs_),
        "data": json_safe(data or {}),
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
    if meta.get("format") != FORMAT:
        raise DataError(f"{meta_path}: saved with format {meta.get('format')!r}, this forecastkit reads {FORMAT}")
    if meta["storage"] == "keras":
        from forecastkit.forecasters.neural import NeuralForecaster

        model = NeuralForecaster.load(directory / "keras")
    else:
        import joblib

        model = joblib.load(directory / "forecaster.joblib")
    return model, meta


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
