"""The one-factorisation direct strategy for Ridge / LinearRegression equals the
per-step scikit-learn fits (property test over shapes, with and without past and
future-known covariates and calendar features)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, Ridge

from forecastkit.forecasters import _reduction_strategies as rs
from forecastkit.forecasters._linear_direct import linear_spec, solve_direct
from forecastkit.forecasters.reduction import ReductionForecaster


def _reference_models(Z, P, F, n_in, n_past, h, proto):
    """Step s: its own framing (create_train_X_y) and its own scikit-learn fit."""
    out = {}
    for s in range(1, h + 1):
        X, Y = rs.create_train_X_y(Z, P, F, n_in, n_past, s, [s], [s])
        est = type(proto)(**proto.get_params())
        out[s] = (est.fit(X, Y[:, 0] if Y.shape[1] == 1 else Y), X)
    return out


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(30, 120), k=st.integers(1, 2), p=st.integers(0, 2), f=st.integers(0, 3),
    n_in=st.integers(1, 4), n_past=st.integers(1, 3), h=st.integers(1, 8),
    alpha=st.sampled_from([None, 0.01, 1.0, 25.0]), intercept=st.booleans(), seed=st.integers(0, 10_000),
)
def test_fast_direct_equals_per_step_fits(n, k, p, f, n_in, n_past, h, alpha, intercept, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, k)) + 5 * rng.normal(size=k)  # offsets: the intercept matters
    P, F = rng.normal(size=(n, p)), rng.normal(size=(n, f)) + 3
    proto = LinearRegression(fit_intercept=intercept) if alpha is None else Ridge(alpha=alpha, fit_intercept=intercept)
    strategy = rs.DirectReduction(rs.RegressorFactory(proto, True), n_in, n_past).fit(Z, P, F)
    start = max(n_in, n_past if p else 0)
    if n - start - h + 1 < rs.MIN_SAMPLES:
        return
    strategy.ensure(h)
    for s, (ref, X) in _reference_models(Z, P, F, n_in, n_past, h, proto).items():
        fast = strategy.models_[s]
        assert type(fast) is type(proto)
        np.testing.assert_allclose(fast.predict(X), ref.predict(X), rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(fast.coef_, ref.coef_, rtol=1e-7, atol=1e-8)


def test_only_plain_linear_models_take_the_fast_path():
    from sklearn.linear_model import Lasso

    assert linear_spec(Ridge(alpha=2.0)) == (2.0, True)
    assert linear_spec(LinearRegression(fit_intercept=False)) == (0.0, False)
    assert linear_spec(Ridge(positive=True)) is None
    assert linear_spec(Ridge(solver="sag")) is None
    assert linear_spec(Ridge(alpha=np.ones(3))) is None
    assert linear_spec(Lasso()) is None


def test_singular_gram_falls_back_to_lstsq_per_step():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(60, 1))
    F = np.hstack([np.ones((60, 1)), np.ones((60, 1))])  # constant, duplicate columns
    L = np.hstack([z[:-1], z[:-1]])
    assert solve_direct(L, F[1:], z[1:], 3, 0.0, True) is None
    strategy = rs.DirectReduction(rs.RegressorFactory(LinearRegression(), True), 1, 1).fit(z, z[:, :0], F)
    strategy.ensure(3)
    for s, (ref, X) in _reference_models(z, z[:, :0], F, 1, 1, 3, LinearRegression()).items():
        np.testing.assert_allclose(strategy.models_[s].predict(X), ref.predict(X), atol=1e-10)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "multi_output"])
@pytest.mark.parametrize("alias", ["ridge", "linear"])
@pytest.mark.parametrize("covariates", ["none", "future", "calendar", "both_and_past"])
def test_forecaster_predictions_equal_the_per_step_path(strategy, alias, covariates, monkeypatch):
    """Through the forecaster (scaling, calendar features, intervals), the Gram-matrix
    fits, and the accumulated-Gram calibration refits behind the intervals, equal
    scikit-learn's own fits and refits."""
    n = 150
    idx = pd.date_range("2001-01-01", periods=n + 6, freq="MS")
    rng = np.random.default_rng(4)
    t = np.arange(n + 6)
    y = pd.DataFrame({"y": 50 + 0.3 * t[:n] + 5 * np.sin(t[:n] / 2) + rng.normal(size=n)}, index=idx[:n])
    X = pd.DataFrame({"promo": rng.integers(0, 2, n + 6).astype(float), "temp": rng.normal(size=n + 6)}, index=idx)
    kwargs = {"n_in": 6, "strategy": strategy, "scaler": "standard"}
    X_fit = X_fut = None
    if covariates in ("future", "both_and_past"):
        kwargs["future_known"] = ["promo"]
        X_fit, X_fut = (X.iloc[:n], X.iloc[n:][["promo"]]) if covariates == "both_and_past" else (
            X.iloc[:n][["promo"]], X.iloc[n:][["promo"]])
    if covariates in ("calendar", "both_and_past"):
        kwargs["calendar"] = ["month"]
    fast = ReductionForecaster(alias, **kwargs).fit(y, X_fit)
    fast_pred = fast.predict(6, X_fut)
    fast_interval = fast.predict_interval(6, X_fut, level=0.9)
    monkeypatch.setattr(rs, "linear_spec", lambda proto: None)  # scikit-learn fits and refits
    slow = ReductionForecaster(alias, **kwargs).fit(y, X_fit)
    pd.testing.assert_frame_equal(fast_pred, slow.predict(6, X_fut), rtol=1e-8, atol=1e-8)
    pd.testing.assert_frame_equal(fast_interval, slow.predict_interval(6, X_fut, level=0.9), rtol=1e-7, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(60, 140), k=st.integers(1, 2), p=st.integers(0, 2), f=st.integers(0, 2),
       h=st.integers(1, 6), n_cuts=st.integers(1, 3), alpha=st.sampled_from([None, 0.5]), seed=st.integers(0, 1000))
def test_prefix_solutions_equal_refits_on_the_cut_series(n, k, p, f, h, n_cuts, alpha, seed):
    """Accumulated Gram blocks give, for every cut, the models a refit on the rows
    before the cut gives (the expanding refits behind the intervals)."""
    from forecastkit.forecasters._linear_direct import solve_direct_prefixes

    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, k)) + 2
    P, F = rng.normal(size=(n, p)), rng.normal(size=(n, f)) - 1
    n_in, n_past = 3, 2
    proto = LinearRegression() if alpha is None else Ridge(alpha=alpha)
    strategy = rs.DirectReduction(rs.RegressorFactory(proto, True), n_in, n_past).fit(Z, P, F)
    L, Fz, Yz, steps, first = strategy.linear_problem(h)
    low = first + h + 3 * (L.shape[1] + f + 1)  # enough rows for a well-posed least-squares fit
    if low >= n:
        return
    cuts = sorted(rng.choice(np.arange(low, n + 1), size=min(n_cuts, n + 1 - low), replace=False).tolist())
    solved = solve_direct_prefixes(L, Fz, Yz, steps, *linear_spec(proto), [c - first for c in cuts])
    assert solved is not None
    for cut, (coef, intercept) in zip(cuts, solved):
        for s, (ref, X) in _reference_models(Z[:cut], P[:cut], F[:cut], n_in, n_past, h, proto).items():
            got = X @ coef[s - 1].T + intercept[s - 1]
            np.testing.assert_allclose(got, np.asarray(ref.predict(X)).reshape(got.shape), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "multi_output"])
def test_calibration_solved_in_the_fit_pass_equals_a_separate_pass(strategy, monkeypatch):
    from forecastkit.forecasters import _reduction_intervals as ri
    from forecastkit.forecasters._reduction_strategies import calibration_cuts

    rng = np.random.default_rng(7)
    n = 300
    idx = pd.date_range("2000-01-01", periods=n + 8, freq="D")
    y = pd.DataFrame({"y": np.cumsum(rng.normal(size=n)) + 3 * np.sin(np.arange(n) / 3)}, index=idx[:n])
    X = pd.DataFrame({"x": rng.normal(size=n + 8)}, index=idx)
    kwargs = {"n_in": 5, "strategy": strategy, "horizon": 8, "future_known": ["x"]}
    model = ReductionForecaster("ridge", **kwargs).fit(y, X.iloc[:n])
    stored = model.strategy_.calibration_[8]
    assert stored[0] == calibration_cuts(len(model.strategy_.Z_), model.strategy_._start(), 8)
    real = ri.solve_direct_prefixes
    monkeypatch.setattr(ri, "solve_direct_prefixes", lambda *a, **k: pytest.fail("a second pass"))
    reused = model.predict_interval(8, X.iloc[n:], level=0.8)
    monkeypatch.setattr(ri, "solve_direct_prefixes", real)
    fresh = ReductionForecaster("ridge", **kwargs).fit(y, X.iloc[:n])
    del fresh.strategy_.calibration_
    pd.testing.assert_frame_equal(reused, fresh.predict_interval(8, X.iloc[n:], level=0.8), rtol=1e-9, atol=1e-9)
