"""The recursive strategy's batched forecast (one buffer, linear models through their
coefficients, every origin at once) equals step-by-step recursion through predict."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor

from forecastkit.forecasters import _reduction_strategies as rs


def _step_by_step(est, k, Zw, Pw, Ff):
    """The reference: one origin at a time, one predict per step, windows re-built."""
    out = []
    for i in range(Zw.shape[0]):
        z, pw = Zw[i].copy(), Pw[i].copy()
        path = []
        for s in range(Ff.shape[1]):
            x = np.concatenate([z.ravel(), pw.ravel(), Ff[i, s].ravel()])[None]
            pred = np.asarray(est.predict(x), dtype=float).reshape(-1)
            path.append(pred[:k])
            z = np.vstack([z[1:], pred[None, :k]])
            if pw.shape[1]:
                pw = np.vstack([pw[1:], pred[None, k:]])
        out.append(path)
    return np.array(out)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(40, 90), k=st.integers(1, 2), p=st.integers(0, 2), f=st.integers(0, 2),
    n_in=st.integers(1, 4), n_past=st.integers(1, 3), h=st.integers(1, 7), origins=st.integers(1, 4),
    model=st.sampled_from(["ridge", "linear", "knn"]), seed=st.integers(0, 1000),
)
def test_batched_recursion_equals_step_by_step(n, k, p, f, n_in, n_past, h, origins, model, seed):
    rng = np.random.default_rng(seed)
    Z, P, F = rng.normal(size=(n, k)), rng.normal(size=(n, p)), rng.normal(size=(n, f))
    proto = {"ridge": Ridge(alpha=0.3), "linear": LinearRegression(), "knn": KNeighborsRegressor(3)}[model]
    strategy = rs.RecursiveReduction(rs.RegressorFactory(proto, True), n_in, n_past).fit(Z, P, F)
    strategy.ensure(h)
    Zw = rng.normal(size=(origins, n_in, k))
    Pw = rng.normal(size=(origins, n_past, p)) if p else np.empty((origins, 0, 0))
    Ff = rng.normal(size=(origins, h, f))
    got = strategy.forecast(Zw, Pw, Ff)
    want = _step_by_step(strategy.models_[1], k, Zw, Pw, Ff)
    assert got.shape == (origins, h, k)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(p=st.integers(0, 2), f=st.integers(0, 2), h=st.integers(1, 6), origins=st.integers(1, 4),
       k=st.integers(1, 2), seed=st.integers(0, 1000))
def test_direct_forecast_through_coefficients_equals_per_step_predict(p, f, h, origins, k, seed):
    rng = np.random.default_rng(seed)
    n, n_in, n_past = 60, 3, 2
    Z, P, F = rng.normal(size=(n, k)), rng.normal(size=(n, p)), rng.normal(size=(n, f))
    strategy = rs.DirectReduction(rs.RegressorFactory(Ridge(alpha=0.5), True), n_in, n_past).fit(Z, P, F)
    strategy.ensure(h)
    Zw = rng.normal(size=(origins, n_in, k))
    Pw = rng.normal(size=(origins, n_past, p)) if p else np.empty((origins, 0, 0))
    Ff = rng.normal(size=(origins, h, f))
    want = np.stack([np.asarray(strategy.models_[s].predict(rs.assemble(Zw, Pw, Ff[:, s - 1:s]))).reshape(origins, k)
                     for s in range(1, h + 1)], axis=1)
    np.testing.assert_allclose(strategy.forecast(Zw, Pw, Ff), want, rtol=1e-10, atol=1e-10)
