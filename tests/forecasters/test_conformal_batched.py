"""The conformal wrapper's batched calibration (every window through the model's
``_forecast_origins`` in one pass) equals the reference loop (``update`` to each
origin, then ``predict_interval``), over strategies, transforms, covariates and shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecastkit.forecasters.preprocessing import TargetTransformer
from forecastkit.forecasters import conformal_windows as cw
from forecastkit.forecasters.registry import make_forecaster


def _series(n, k, p, seed, positive):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    idx = pd.date_range("2001-01-01", periods=n, freq="h")
    base = 30.0 if positive else 0.0
    y = pd.DataFrame({f"y{j}": base + 3 * np.sin(2 * np.pi * t / 12 + j) + rng.normal(0, 1, n).cumsum() * 0.2
                      for j in range(k)}, index=idx)
    X = pd.DataFrame({f"x{j}": rng.normal(size=n) for j in range(p)}, index=idx) if p else None
    return y, X


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(50, 80), k=st.integers(1, 2), h=st.integers(1, 6), n_in=st.integers(1, 6),
    strategy=st.sampled_from(["recursive", "direct", "multi_output"]),
    regressor=st.sampled_from(["ridge", "linear", "knn"]),
    transform=st.sampled_from([None, "log"]), difference=st.integers(0, 1),
    seasonal=st.sampled_from([0, 4]), scaler=st.sampled_from([None, "standard"]),
    covariates=st.sampled_from(["none", "past", "future", "both", "calendar"]),
    score=st.sampled_from(["scaled", "absolute"]), seed=st.integers(0, 10_000),
)
def test_batched_windows_equal_the_loop(n, k, h, n_in, strategy, regressor, transform, difference, seasonal,
                                         scaler, covariates, score, seed):
    p = {"none": 0, "past": 2, "future": 1, "both": 3, "calendar": 0}[covariates]
    y, X = _series(n, k, p, seed, positive=True)
    spec = {"type": regressor, "strategy": strategy, "n_in": n_in, "transform": transform,
            "difference": difference, "seasonal_difference": seasonal, "scaler": scaler}
    if covariates in ("future", "both"):
        spec["future_known"] = ["x0"]
    if covariates == "calendar":
        spec["calendar"] = ["hour"]
    if strategy != "recursive":
        spec["horizon"] = h
    if regressor == "knn":
        spec["regressor_params"] = {"n_neighbors": 3}
    model = make_forecaster("conformal", model=spec, horizon=h, score=score, nonnegative=False)
    model.targets_ = list(y.columns)
    base = model._base()
    need = base.min_train_size()
    n0 = max(need + 2, n // 2)
    if n0 + h > n:
        return
    cal = base.fit(y.iloc[:n0], None if X is None else X.iloc[:n0])
    origins = np.arange(n0, n - h + 1)
    fast = cw.windows_batched(cal, y, X, origins, h, score == "scaled")
    cal = model._base().fit(y.iloc[:n0], None if X is None else X.iloc[:n0])
    slow = cw.windows_one_by_one(cal, y, X, origins, h, model.future_known_columns(), score == "scaled")
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-9, atol=1e-9)
    if score == "scaled":
        np.testing.assert_allclose(fast[1], slow[1], rtol=1e-9, atol=1e-9)
    else:
        assert fast[1] is None and slow[1] is None


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(10, 40), k=st.integers(1, 2), h=st.integers(1, 5), d=st.integers(0, 2),
    m=st.sampled_from([0, 1, 3]), transform=st.sampled_from([None, "log", "boxcox"]),
    scaler=st.sampled_from([None, "minmax", "standard"]), seed=st.integers(0, 10_000),
)
def test_inverse_to_level_at_equals_one_origin_at_a_time(n, k, h, d, m, transform, scaler, seed):
    rng = np.random.default_rng(seed)
    y = 5 + rng.uniform(0.5, 2, (n, k)).cumsum(axis=0)
    tt = TargetTransformer(transform=transform, difference=d, seasonal_difference=m, scaler=scaler).fit(y)
    origins = np.arange(d + m + 1, n + 1)
    z = rng.normal(size=(len(origins), h, k))
    fast = tt.inverse_to_level_at(z, y, origins)
    slow = np.stack([tt.inverse_to_level(z[i:i + 1], y[:o])[0] for i, o in enumerate(origins)])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


def test_conformal_fit_uses_the_batched_path_and_matches_the_loop(monkeypatch):
    # the whole fit: scores and the final band equal those of a wrapper forced to loop
    y, X = _series(400, 1, 2, 3, positive=True)
    spec = {"type": "ridge", "strategy": "recursive", "n_in": 8, "future_known": ["x0"], "transform": "log"}
    batched, original = [], cw.windows_batched

    def spy(*args):
        out = original(*args)
        batched.append(out is not None)
        return out

    monkeypatch.setattr(cw, "windows_batched", spy)
    fast = make_forecaster("conformal", model=spec, horizon=6).fit(y, X)
    assert batched and all(batched)
    monkeypatch.setattr(cw, "windows_batched", lambda *args: None)
    slow = make_forecaster("conformal", model=spec, horizon=6).fit(y, X)
    np.testing.assert_allclose(fast.scores_, slow.scores_, rtol=1e-9)
    assert fast.scale_ == slow.scale_ == "band"
    Xf = pd.DataFrame({"x0": np.zeros(6), "x1": np.zeros(6)},
                      index=pd.date_range(y.index[-1], periods=7, freq="h")[1:])
    a, b = fast.predict_interval(6, Xf[["x0"]], level=0.9), slow.predict_interval(6, Xf[["x0"]], level=0.9)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_forecast_origins_refuses_origins_outside_the_rows():
    y, _ = _series(80, 1, 0, 1, positive=True)
    model = make_forecaster("ridge", n_in=4).fit(y.iloc[:40])
    from forecastkit.errors import DataError

    with pytest.raises(DataError, match="origins"):
        model._forecast_origins(y, None, np.array([40, 78]), 5, None)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(70, 140), h=st.integers(1, 6), n_in=st.integers(1, 5),
    strategy=st.sampled_from(["recursive", "direct", "multi_output"]), alias=st.sampled_from(["ridge", "linear"]),
    transform=st.sampled_from([None, "log"]), seasonal=st.sampled_from([0, 4]),
    covariates=st.sampled_from(["none", "past", "future", "calendar"]), seed=st.integers(0, 10_000),
)
def test_prefix_copy_equals_a_refitted_copy(n, h, n_in, strategy, alias, transform, seasonal, covariates, seed):
    """The calibration copy solved from the full fit's reserved Gram blocks (one pass over
    the data in all) gives the scores and bands of a copy fitted on its rows."""
    from forecastkit.forecasters import _reduction_strategies as rs
    from forecastkit.forecasters.reduction import ReductionForecaster

    y, X = _series(n, 1, 2 if covariates in ("past", "future") else 0, seed, positive=True)
    spec = {"type": alias, "strategy": strategy, "n_in": n_in, "transform": transform, "seasonal_difference": seasonal,
            "horizon": h}  # as a run builds it
    if covariates == "future":
        spec["future_known"] = ["x0"]
    if covariates == "calendar":
        spec["calendar"] = ["hour"]
    passes = []
    real = rs.accumulate_prefixes
    rs.accumulate_prefixes = lambda *a, **k: passes.append(1) or real(*a, **k)
    try:
        fast = make_forecaster("conformal", model=spec, horizon=h, nonnegative=False).fit(y, X)
    finally:
        rs.accumulate_prefixes = real
    if fast.scores_ is None:
        return
    if alias == "ridge":  # (least squares on few rows may be too ill-conditioned: per-step fits then)
        assert len(passes) == 1  # the model's fit; the copy and every interval reuse its blocks
    reserve = ReductionForecaster._reserve_copy
    ReductionForecaster._reserve_copy = lambda self, n0, h: None
    try:
        slow = make_forecaster("conformal", model=spec, horizon=h, nonnegative=False).fit(y, X)
    finally:
        ReductionForecaster._reserve_copy = reserve
    np.testing.assert_allclose(fast.scores_, slow.scores_, rtol=1e-7, atol=1e-9)
    assert fast.scale_ == slow.scale_
    Xf = None
    if covariates == "future":
        idx = pd.date_range(y.index[-1], periods=h + 1, freq="h")[1:]
        Xf = pd.DataFrame({"x0": np.linspace(-1, 1, h)}, index=idx)
    pd.testing.assert_frame_equal(fast.predict_interval(h, Xf, level=0.9), slow.predict_interval(h, Xf, level=0.9),
                                  rtol=1e-7, atol=1e-9)


def test_keras_copy_stops_earlier_other_copies_are_the_model():
    from forecastkit.forecasters.conformal import COPY_PATIENCE

    def copy(spec):
        return make_forecaster("conformal", model=spec, horizon=3)._copy()

    assert copy({"type": "lstm"}).patience == COPY_PATIENCE
    assert copy({"type": "gru", "patience": 2}).patience == 2
    assert copy({"type": "lstm", "patience": None}).patience is None  # no early stopping: unchanged
    assert copy({"type": "ridge", "n_in": 3}).get_params() == make_forecaster("ridge", n_in=3).get_params()
