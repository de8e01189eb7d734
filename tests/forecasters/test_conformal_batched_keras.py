"""The conformal wrapper's batched calibration windows for Keras models equal the
update/predict loop (float32 rounding aside): every framing, stateful carried states,
recursive feedback, covariates and the log/difference chain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters import conformal_windows as cw
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
    fast = cw.windows_batched(cal, y, Xs, origins, h, score == "scaled")
    assert fast is not None
    slow = cw.windows_one_by_one(cal, y, Xs, origins, h, model.future_known_columns(), score == "scaled")
    np.testing.assert_allclose(fast[0], slow[0], rtol=2e-4, atol=1e-4)
    if score == "scaled":
        np.testing.assert_allclose(fast[1], slow[1], rtol=2e-4, atol=1e-4, equal_nan=True)


def test_cached_initial_weights_equal_a_fresh_build():
    # every fold and the calibration copy reuse a seed's initial weights; they must be
    # those a fresh network built from that seed has
    from forecastkit.forecasters.neural.architectures import NetSpec, build_net
    from forecastkit.forecasters.neural.training import get_engine, set_seed

    spec = NetSpec(architecture="lstm", variant="timesteps", input_shape=(5, 1), n_steps=2, n_outputs=1,
                   n_future=0, units=(3,), dropout=0.0, activation=None, kernel_size=3, batch_size=None)
    engine = get_engine(spec, 0.01)
    engine._initial.clear()
    for _ in range(2):  # built, then taken from the cache
        engine._reset_for(11, False)
        got = [v.numpy() for v in engine.model.variables]
        set_seed(11)
        fresh, _ = build_net(spec, "train")
        for a, b in zip(got, [v.numpy() for v in fresh.variables], strict=True):
            np.testing.assert_array_equal(a, b)
    assert 11 in engine._initial
