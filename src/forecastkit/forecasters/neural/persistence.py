"""Save and load fitted :class:`NeuralForecaster` s.

Directory layout::

    params.json          constructor parameters
    metadata.json        targets, covariates, frequency, time span, networks (spec, split,
                         per-member training summary), fit times
    preprocessing.json   the fitted TargetTransformer and covariate ColumnScalers
    preprocessing.npz    (their arrays; nothing here is pickled)
    arrays.npz           training matrix (for lazily trained horizons), history tail,
                         original-scale history tail, stateful states, interval
                         calibration residuals (per network and number of steps)
    models/h{H}_m{r}.keras  one Keras model per output length H and repeat member r
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError

FORMAT_VERSION = 1


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _stamp(value: Any) -> dict:
    if isinstance(value, pd.Timestamp):
        return {"kind": "timestamp", "value": value.isoformat()}
    return {"kind": "int", "value": int(value)}


def _unstamp(d: dict) -> Any:
    return pd.Timestamp(d["value"]) if d["kind"] == "timestamp" else int(d["value"])


def save(model, path) -> None:
    """Write the fitted ``model`` to the directory ``path`` (created; files overwritten)."""
    from forecastkit.safety.codec import save_values
    from forecastkit.forecasters.neural.training import get_engine

    model._check_fitted()
    root = Path(path)
    (root / "models").mkdir(parents=True, exist_ok=True)
    raw = model.get_params()
    params = {
        "class": type(model).__name__, "format_version": FORMAT_VERSION, "params": _jsonable(raw),
        "tuples": sorted(k for k, v in raw.items() if isinstance(v, tuple)),  # JSON has lists only
    }
    (root / "params.json").write_text(json.dumps(params, indent=2))

    arrays: dict[str, np.ndarray] = {"train_S": model.train_S_, "hist_S": model.hist_S_, "hist_y": model.hist_y_}
    nets = []
    for H, net in model.nets_.items():
        engine = get_engine(net.spec, net.learning_rate)
        files = []
        for r, member in enumerate(net.members):
            name = f"models/h{H}_m{r}.keras"
            with engine.lock:
                engine.model.set_weights(member.weights)
                engine.model.save(root / name)
            files.append(name)
            if net.states is not None:
                for i, state in enumerate(net.states[r]):
                    arrays[f"state_h{H}_m{r}_{i}"] = state
        for steps, residuals in net.calib.items():
            arrays[f"calib_h{H}_s{steps}"] = residuals
        nets.append({
            "horizon": H, "spec": _jsonable(asdict(net.spec)), "learning_rate": net.learning_rate,
            "split": _jsonable(net.split), "members": [m.summary() for m in net.members], "files": files,
            "n_states": 0 if net.states is None else len(net.states[0]), "state_rows": net.state_rows,
            "calibration": sorted(int(steps) for steps in net.calib),
        })
    meta = {
        "targets": model.targets_, "covariates": model.covariates_,
        "past_cols": model.past_cols_, "known_cols": model.known_cols_, "calendar_cols": model.calendar_cols_,
        "freq": model.freq_.freqstr if isinstance(model.freq_, pd.offsets.BaseOffset) else int(model.freq_),
        "first": _stamp(model.first_), "last": _stamp(model.last_), "n_obs": int(model.n_obs_),
        "train_first": _stamp(model.train_first_), "hist_first": _stamp(model.hist_first_),
        "hist_rows": int(model.hist_rows_), "fit_span": list(model.fit_span_), "layout": list(model.layout_),
        "n_lost": int(model.n_lost_), "fit_seconds": model.fit_seconds_, "nets": nets,
    }
    (root / "metadata.json").write_text(json.dumps(_jsonable(meta), indent=2))
    prep = save_values(
        root, {"target": model.target_tf_, "past": model.past_scaler_, "known": model.known_scaler_},
        "preprocessing.npz",
    )
    (root / "preprocessing.json").write_text(json.dumps(prep, indent=2))
    np.savez(root / "arrays.npz", **arrays)


def load(path, cls):
    """Read a forecaster written by :func:`save` (Keras files with ``safe_mode=True``)
    as an instance of ``cls`` (the NeuralForecaster class, passed in so this module
    does not import the one that imports it)."""
    from forecastkit.safety.codec import load_values
    from forecastkit.forecasters.neural.architectures import NetSpec, import_keras
    from forecastkit.forecasters.neural.settings import _Net
    from forecastkit.forecasters.neural.training import MemberFit

    root = Path(path)
    if not (root / "params.json").is_file():
        raise DataError(f"{str(root)!r} is not a saved neural forecaster (no params.json)")
    params = json.loads((root / "params.json").read_text())
    if params.get("format_version") != FORMAT_VERSION:
        raise DataError(f"unsupported format_version {params.get('format_version')!r} in {str(root)!r}")
    meta = json.loads((root / "metadata.json").read_text())
    p = params["params"]
    for key in params.get("tuples", []):
        p[key] = tuple(p[key])
    model = cls(**p)
    model.cfg_ = model._resolve()
    model.targets_ = meta["targets"]
    model.n_targets_ = len(model.targets_)
    model.covariates_ = meta["covariates"]
    model.past_cols_, model.known_cols_, model.calendar_cols_ = meta["past_cols"], meta["known_cols"], meta["calendar_cols"]
    freq = meta["freq"]
    model.freq_ = pd.tseries.frequencies.to_offset(freq) if isinstance(freq, str) else int(freq)
    model.first_, model.last_, model.n_obs_ = _unstamp(meta["first"]), _unstamp(meta["last"]), meta["n_obs"]
    model.train_first_, model.hist_first_ = _unstamp(meta["train_first"]), _unstamp(meta["hist_first"])
    model.hist_rows_ = meta["hist_rows"]
    model.fit_span_ = tuple(meta["fit_span"])
    model.layout_ = tuple(meta["layout"])
    model.n_lost_ = meta["n_lost"]
    model.fit_seconds_ = meta["fit_seconds"]
    prep = load_values(root, json.loads((root / "preprocessing.json").read_text()))
    model.target_tf_, model.past_scaler_, model.known_scaler_ = prep["target"], prep["past"], prep["known"]
    with np.load(root / "arrays.npz", allow_pickle=False) as arrays:
        model.train_S_, model.hist_S_, model.hist_y_ = arrays["train_S"], arrays["hist_S"], arrays["hist_y"]
        states_raw = {k: arrays[k] for k in arrays.files if k.startswith(("state_", "calib_"))}

    keras, _ = import_keras()
    model.nets_, model.fit_info_ = {}, {}
    for entry in meta["nets"]:
        H = int(entry["horizon"])
        s = entry["spec"]
        spec = NetSpec(**{**s, "input_shape": tuple(s["input_shape"]), "units": tuple(s["units"])})
        members = []
        for name, summary in zip(entry["files"], entry["members"], strict=True):
            weights = keras.models.load_model(root / name, compile=False, safe_mode=True).get_weights()
            member = MemberFit(seed=summary["seed"], weights=weights, train_loss=summary["train_loss"],
                               val_loss=summary["val_loss"], best_epoch=summary["best_epoch"],
                               seconds=summary["fit_seconds"])
            members.append(member)
        states = None
        if entry["n_states"]:
            states = [[states_raw[f"state_h{H}_m{r}_{i}"] for i in range(entry["n_states"])] for r in range(len(members))]
        calib = {steps: states_raw[f"calib_h{H}_s{steps}"] for steps in entry.get("calibration", [])}
        model.nets_[H] = _Net(spec=spec, members=members, split=entry["split"], learning_rate=entry["learning_rate"],
                              states=states, state_rows=entry["state_rows"], calib=calib)
        model.fit_info_[H] = {"split": entry["split"], "members": entry["members"], "seconds": None,
                              "calibration": {steps: len(res) for steps, res in calib.items()}}
    model.is_fitted_ = True
    return model
