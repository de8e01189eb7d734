"""Saved Keras forecasters reload (through the generic save/load) and predict the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters.persistence import load_forecaster, save_forecaster
from forecastkit.forecasters.registry import make_forecaster

pytestmark = pytest.mark.keras


@pytest.mark.parametrize("type_name, params", [
    ("lstm", {"variant": "timesteps", "strategy": "multi_output"}),
    ("lstm", {"variant": "stateful", "strategy": "recursive", "batch_size": 4}),
    ("encoder_decoder", {}),
])
def test_keras_round_trip_through_save_forecaster(tmp_path, type_name, params):
    idx = pd.date_range("2001-01-01", periods=80, freq="MS")
    t = np.arange(80)
    y = pd.DataFrame({"y": 10 + np.sin(2 * np.pi * t / 12) + 0.05 * t}, index=idx)
    model = make_forecaster(type_name, n_in=6, horizon=4, epochs=3, units=[4], seed=1, **params).fit(y.iloc[:70])
    expected = model.predict(4)
    path = save_forecaster(model, tmp_path / "m", name="m", type_name=type_name)
    assert (path / "state" / "keras").is_dir() and (path / "metadata.json").is_file()
    assert not [p for p in path.rglob("*") if p.suffix in (".pkl", ".joblib", ".pickle")]
    loaded, meta = load_forecaster(path)
    pd.testing.assert_frame_equal(loaded.predict(4), expected, rtol=1e-5)
    loaded.update(y)
    model.update(y)
    pd.testing.assert_frame_equal(loaded.predict(4), model.predict(4), rtol=1e-5)
    assert loaded.predict(4).index[0] == pd.Timestamp("2007-09-01")
