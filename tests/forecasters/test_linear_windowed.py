"""The multi-output Gram blocks computed from the base columns (no framed design)
equal those of the framed matrices, and so do the solved models."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.forecasters._linear_direct import accumulate_prefixes, solve_prefix
from forecastkit.forecasters._linear_windowed import Windowed, lagged_cross


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 60), a=st.integers(0, 3), b=st.integers(1, 3), T=st.integers(1, 7),
       seed=st.integers(0, 10_000), data=st.data())
def test_lagged_cross_equals_the_framed_product(n, a, b, T, seed, data):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(n + T - 1, a)), rng.normal(size=(n + T - 1, b))
    c = data.draw(st.integers(1, n))
    dense_a, dense_b = Windowed(A, T).dense(), Windowed(B, T).dense()
    np.testing.assert_allclose(lagged_cross(A, B, c, T), dense_a[:c].T @ dense_b[:c], rtol=1e-10, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(30, 80), pl=st.integers(1, 4), f=st.integers(0, 3), k=st.integers(1, 2), T=st.integers(1, 6),
       alpha=st.sampled_from([0.0, 0.7]), intercept=st.booleans(), seed=st.integers(0, 10_000))
def test_windowed_blocks_and_solutions_equal_the_framed_ones(n, pl, f, k, T, alpha, intercept, seed):
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(n, pl)) + 1
    Fb, Yb = rng.normal(size=(n + T - 1, f)) - 2, rng.normal(size=(n + T - 1, k))
    Fw, Yw = Windowed(Fb, T), Windowed(Yb, T)
    prefixes = sorted({n, n - 3, max(n // 2, pl + f * T + 3)})
    shared_w, blocks_w = accumulate_prefixes(L, Fw, Yw, 1, alpha, intercept, prefixes)
    shared_d, blocks_d = accumulate_prefixes(L, Fw.dense(), Yw.dense(), 1, alpha, intercept, prefixes)
    for c in prefixes:
        got, ref = solve_prefix(shared_w, blocks_w[c]), solve_prefix(shared_d, blocks_d[c])
        assert (got is None) == (ref is None)
        if got is not None:
            X = np.hstack([L[:c], Fw.dense()[:c]])
            pred_w = np.einsum("np,hkp->nhk", X, got[0]) + got[1]
            pred_d = np.einsum("np,hkp->nhk", X, ref[0]) + ref[1]
            np.testing.assert_allclose(pred_w, pred_d, rtol=1e-7, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(30, 80), c=st.integers(1, 2), f=st.integers(0, 3), T=st.integers(1, 8),
       alpha=st.sampled_from([0.0, 0.7]), intercept=st.booleans(), seed=st.integers(0, 10_000))
def test_lagged_rows_give_the_framed_solutions(n, c, f, T, alpha, intercept, seed):
    # a recursive model's lag rows as windows of their base columns (never framed)
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n + T - 1, c)).cumsum(axis=0) + 5
    Lw = Windowed(base, T)
    Fz, Yz = rng.normal(size=(n, f)) - 2, rng.normal(size=(n, c))
    prefixes = sorted({n, n - 3, max(n // 2, T * c + f + 3)})
    shared_w, blocks_w = accumulate_prefixes(Lw, Fz, Yz, 1, alpha, intercept, prefixes)
    shared_d, blocks_d = accumulate_prefixes(Lw.dense(), Fz, Yz, 1, alpha, intercept, prefixes)
    X = np.hstack([Lw.dense(), Fz])
    for p in prefixes:
        got, ref = solve_prefix(shared_w, blocks_w[p]), solve_prefix(shared_d, blocks_d[p])
        assert (got is None) == (ref is None)
        if got is not None:
            pred_w = np.einsum("np,hkp->nhk", X[:p], got[0]) + got[1]
            pred_d = np.einsum("np,hkp->nhk", X[:p], ref[0]) + ref[1]
            np.testing.assert_allclose(pred_w, pred_d, rtol=1e-7, atol=1e-7)
