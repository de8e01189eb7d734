"""The conformal wrapper's batched calibration windows for Keras models equal the
update/predict loop (float32 rounding aside): every framing, stateful carried states,
recursive feedback, covariates and the log/difference chain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters.registry import make_forecaster

pytestmark = pytest.mark.keras


def _data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    y = pd.DataFrame({"y": 100 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n).cumsum()}, index=idx)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)}, index=idx)
    return y, X


@pytest.mark.parametrize("params", [
    {"type": "lstm", "variant": "timesteps", "transform": "log", "difference": 1},
    {"type": "lstm", "variant": "window", "future_known": ["a"], "calendar": ["month"]},
    {"type": "lstm", "variant": "stateful", "batch_size": 4, "seasonal_difference": 12},
    {"type": "gru", "strategy": "recursive", "future_known": ["a"]},
    {"type": "lstm", "variant": "lookback1", "repeats": 2, "validation_fraction": 0.0},
])
@pytest.mark.parametrize("score", ["scaled", "absolute"])
def test_batched_windows_equal_the_loop(params, score):
    y, X = _data()
    h, n0 = 4, 60
    spec = {**params, "units": 4, "epochs": 3, "n_in": 6, "seed": 1, "horizon": h}
    model = make_forecaster("conformal", model=spec, horizon=h, score=score, nonnegative=False)
    model.targets_ = ["y"]
    Xs = X if (params.get("future_known") or params.get("type") == "gru") else None
    cal = model._base().fit(y.iloc[:n0], None if Xs is None else Xs.iloc[:n0])
    origins = np.arange(n0, len(y) - h + 1)
    fast = model._windows_batched(cal, y, Xs, origins, h)
    assert fast is not None
    slow = model._windows_one_by_one(cal, y, Xs, origins, h)
    np.testing.assert_allclose(fast[0], slow[0], rtol=2e-4, atol=1e-4)
    if score == "scaled":
        np.testing.assert_allclose(fast[1], slow[1], rtol=2e-4, atol=1e-4, equal_nan=True)
