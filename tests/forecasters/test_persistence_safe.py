"""Saved models hold no pickle: every family round-trips exactly, planted pickles
never run, tampered files and mismatched classes are refused."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import DataError
from forecastkit.forecasters.persistence import load_forecaster, save_forecaster
from forecastkit.forecasters.registry import make_forecaster

FAMILIES = [
    ("naive", {}), ("seasonal_naive", {}), ("drift", {}), ("mean", {"window": 5}),
    ("arima", {"order": (1, 1, 1), "transform": "log"}),
    ("auto_arima", {"season_length": 12}),
    ("ridge", {"n_in": 6, "strategy": "direct", "horizon": 3, "transform": "log"}),
    ("random_forest", {"n_in": 6, "regressor_params": {"n_estimators": 5}}),
    ("hist_gradient_boosting", {"n_in": 4, "regressor_params": {"max_iter": 10}}),
    ("knn", {"n_in": 4}),
]


class Planted:
    """Unpickling this creates the marker file (what an attacker's os.system would do)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def y():
    idx = pd.date_range("2000-01", periods=60, freq="MS")
    t = np.arange(60)
    return pd.DataFrame({"a": 50 + t + 10 * np.sin(t / 12 * 2 * np.pi), "b": 20 + np.cos(t)}, index=idx)


@pytest.mark.parametrize("type_name,params", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_round_trip_predicts_identically(y, tmp_path, type_name, params):
    model = make_forecaster(type_name, **params).fit(y)
    save_forecaster(model, tmp_path / "m", name=type_name, type_name=type_name)
    loaded, meta = load_forecaster(tmp_path / "m")
    assert type(loaded) is type(model) and meta["type"] == type_name
    np.testing.assert_array_equal(loaded.predict_interval(3).to_numpy(), model.predict_interval(3).to_numpy())
    names = [p.name for p in (tmp_path / "m").rglob("*") if p.is_file()]
    assert not [n for n in names if n.endswith((".pkl", ".joblib", ".pickle"))]
    # update on new data (the `forecast --model-dir` path) agrees too
    model.update(y.iloc[:55])
    loaded.update(y.iloc[:55])
    np.testing.assert_allclose(loaded.predict(4).to_numpy(), model.predict(4).to_numpy(), rtol=1e-12)


@pytest.fixture
def saved(y, tmp_path):
    model = make_forecaster("ridge", n_in=4).fit(y)
    return save_forecaster(model, tmp_path / "m", name="r", type_name="ridge")


def test_planted_pickles_never_run(saved, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Planted(marker))
    (saved / "forecaster.joblib").write_bytes(payload)  # the old format's file name
    (saved / "state" / "extra.pkl").write_bytes(payload)
    load_forecaster(saved)  # unlisted files are never read
    assert not marker.exists()
    npz = saved / "state" / "state.npz"
    npz.write_bytes(payload)
    with pytest.raises(DataError, match="SHA-256"):
        load_forecaster(saved)
    # even with the hash forged, np.load refuses pickled content
    meta = json.loads((saved / "metadata.json").read_text())
    from forecastkit.safety.hashing import sha256_file

    meta["files"]["state/state.npz"] = sha256_file(npz)
    (saved / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="state.npz"):
        load_forecaster(saved)
    assert not marker.exists()


def test_object_array_in_npz_is_refused(saved, tmp_path):
    marker = tmp_path / "pwned"
    npz = saved / "state" / "state.npz"
    with open(npz, "wb") as fh:
        np.savez(fh, a0=np.array([Planted(marker)], dtype=object))
    meta = json.loads((saved / "metadata.json").read_text())
    from forecastkit.safety.hashing import sha256_file

    meta["files"]["state/state.npz"] = sha256_file(npz)
    (saved / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError):
        load_forecaster(saved)
    assert not marker.exists()


def test_tampered_estimator_file_is_refused(saved):
    est = next((saved / "state").glob("*.skops"))
    est.write_bytes(est.read_bytes() + b"x")
    with pytest.raises(DataError, match=r"SHA-256 does not match metadata.json"):
        load_forecaster(saved)


def test_recorded_class_must_match_the_registry(saved):
    meta = json.loads((saved / "metadata.json").read_text())
    meta["class"] = "subprocess:Popen"
    (saved / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="refusing to load"):
        load_forecaster(saved)


def test_old_pickle_format_is_not_loaded(saved, tmp_path):
    marker = tmp_path / "pwned"
    (saved / "forecaster.joblib").write_bytes(pickle.dumps(Planted(marker)))
    meta = json.loads((saved / "metadata.json").read_text())
    meta["format"], meta["storage"] = 1, "joblib"
    (saved / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="pickle-based"):
        load_forecaster(saved)
    assert not marker.exists() and os.path.exists(saved)
