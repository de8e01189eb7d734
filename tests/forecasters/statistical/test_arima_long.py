"""Fixed-order ARIMA on long series: the banded exact likelihood against the Toeplitz one
and statsmodels', and the numpy estimate against SARIMAX's own fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecastkit.forecasters.statistical import arma_fit as af
from forecastkit.forecasters.statistical import arma_likelihood as al
from forecastkit.forecasters.statistical._common import fit_sarimax
from forecastkit.forecasters.statistical.arima import ARIMAForecaster

coefs = st.lists(st.floats(-2.5, 2.5), min_size=0, max_size=3).map(np.array)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(ar=np.array([]), ma=np.array([2.328125]), sar=np.array([1.375]), sma=np.array([]), m=2, n=1,
         const=True, seed=0)
@given(ar=coefs, ma=coefs, sar=st.lists(st.floats(-2.5, 2.5), max_size=1).map(np.array),
       sma=st.lists(st.floats(-2.5, 2.5), max_size=2).map(np.array), m=st.integers(2, 5),
       n=st.integers(1, 90), const=st.booleans(), seed=st.integers(0, 99))
def test_banded_likelihood_is_the_toeplitz_likelihood(ar, ma, sar, sma, m, n, const, seed):
    """Reference: the dense Toeplitz Cholesky of the whole covariance. Every shape,
    including series shorter than the AR/MA span and one row with a mean (no
    likelihood: -inf from both, not the huge value of a rounding residual)."""
    spec = al.Spec(len(ar), len(ma), len(sar), len(sma), m, const)
    a, b, _ = spec.polys(np.r_[ar, ma, sar, sma])
    w = np.random.default_rng(seed).normal(size=n) + 2.0
    want, got = al.profile_loglik(w, a, b, const), al.banded_loglik(w, a, b, const)
    assert np.isfinite(got[0]) == np.isfinite(want[0])
    if np.isfinite(want[0]):
        assert got[0] == pytest.approx(want[0], rel=1e-9, abs=1e-9)
        assert got[1] == pytest.approx(want[1], rel=1e-7, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ar=coefs, ma=coefs, sma=st.lists(st.floats(-3.5, 3.5), max_size=2).map(np.array),
       m=st.integers(2, 12), n=st.integers(300, 3000), head=st.sampled_from([8, 64, 256]), seed=st.integers(0, 99))
def test_steady_state_filter_continues_the_factorisation_exactly(ar, ma, sma, m, n, head, seed):
    """Past the head the solve is a filter by the MA polynomial: the same likelihood as
    factorising every row, also with MA roots close to the unit circle (|u| up to 3.5:
    the head grows until the rows reach the polynomial, or to every row)."""
    spec = al.Spec(len(ar), len(ma), 0, len(sma), m, True)
    a, b, _ = spec.polys(np.r_[ar, ma, sma])
    w = np.random.default_rng(seed).normal(size=n) + 1.0
    full, short = al.banded_loglik(w, a, b, True, head=n), al.banded_loglik(w, a, b, True, head=head)
    assert short[0] == pytest.approx(full[0], rel=1e-11, abs=1e-8)
    assert short[1] == pytest.approx(full[1], rel=1e-8, abs=1e-10)


def test_banded_likelihood_is_sarimax_likelihood_on_a_long_seasonal_series():
    rng = np.random.default_rng(4)
    y = np.cumsum(rng.normal(size=700)) + 3 * np.sin(np.arange(700) * 2 * np.pi / 12)
    w = np.diff(y)
    spec = al.Spec(1, 1, 1, 1, 12, True)
    a, b, blocks = spec.polys(np.array([0.4, -0.6, 0.3, -0.8]))
    ll, mu, _ = al.banded_loglik(w, a, b, True)
    params = np.concatenate([[mu * a.sum()], *blocks])
    model = SARIMAX(y, order=(1, 1, 1), seasonal_order=(1, 0, 1, 12), trend="c",
                    simple_differencing=True, concentrate_scale=True)
    assert len(w) > al.MAX_ROWS and al.exact_loglik(w, a, b, True)[0] == ll
    assert ll == pytest.approx(model.loglike(params), abs=1e-7)


def _near_unit_root(n: int, seed: int) -> pd.DataFrame:
    """A daily cycle on a slowly wandering level: an ARMA(2, 1) fit to it has a local
    maximum near SARIMAX's (zero) start values."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 50 + 10 * np.sin(2 * np.pi * t / 24) + 0.5 * np.cumsum(rng.normal(0, 0.1, n)) + rng.normal(0, 2, n)
    return pd.DataFrame({"y": y}, index=pd.date_range("2020-01-01", periods=n, freq="h"))


@pytest.mark.parametrize("seed", [0, 1])
def test_long_series_estimate_reaches_sarimax_maximum_or_better(seed, monkeypatch):
    """Known answer: SARIMAX's L-BFGS from its start values stops at a local maximum
    (about 125 log-likelihood units below); the second, Hannan-Rissanen start finds the
    better one. The likelihood compared is SARIMAX's own at each estimate, and
    SARIMAX is only filtered, never fitted, for the forecaster."""
    df = _near_unit_root(1000, seed)
    ref = fit_sarimax(df["y"].to_numpy(), None, (2, 0, 1), (0, 0, 0, 0), "c")
    monkeypatch.setattr(SARIMAX, "fit", lambda *a, **k: pytest.fail("SARIMAX.fit called on a long series"))
    model = ARIMAForecaster(order=(2, 0, 1), trend="c").fit(df)
    res = model.results_["y"]
    assert res.llf > ref.llf + 100
    assert model.converged_ is True and np.isfinite(model.aicc_)


def test_long_series_estimate_agrees_with_sarimax_where_both_find_one_maximum():
    rng = np.random.default_rng(7)
    from scipy.signal import lfilter

    y = np.cumsum(lfilter([1.0, 0.4], [1.0, -0.5], rng.normal(size=1200))) + 100
    df = pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=len(y), freq="D"))
    model = ARIMAForecaster(order=(1, 1, 1)).fit(df)
    ref = fit_sarimax(y, None, (1, 1, 1), (0, 0, 0, 0), None)
    assert model.results_["y"].llf >= ref.llf - 1e-3
    assert np.allclose(model.results_["y"].params, ref.params, atol=1e-3)
    assert np.allclose(model.predict(10).to_numpy().ravel(), ref.forecast(10), atol=1e-3)


def test_warm_fit_starts_from_the_previous_estimate_only(monkeypatch):
    df = _near_unit_root(1000, 0)
    first = ARIMAForecaster(order=(2, 0, 1), trend="c").fit(df.iloc[:-24])
    calls = []
    real = af.fit_arma
    monkeypatch.setattr(af, "fit_arma", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    warm = ARIMAForecaster(order=(2, 0, 1), trend="c").warm_start(first).fit(df)
    cold = ARIMAForecaster(order=(2, 0, 1), trend="c").fit(df)
    assert len(calls) == 1 + 2  # the warm fit one start, the cold fit two
    assert np.allclose(af.unconstrained_from_params(first._fixed["y"][:-1], af.Spec(2, 1, 0, 0, 1, True)),
                       calls[0][0])
    assert warm.results_["y"].llf == pytest.approx(cold.results_["y"].llf, abs=1e-2)


@pytest.mark.parametrize("kw", [{"future_known": ["x"]}, {"method_kwargs": {"maxiter": 60}}, {"trend": "t"}])
def test_sarimax_still_estimates_what_the_numpy_path_does_not_cover(kw, monkeypatch):
    df = _near_unit_root(400, 3)
    df["x"] = np.random.default_rng(0).normal(size=len(df))
    called = []
    real = SARIMAX.fit
    monkeypatch.setattr(SARIMAX, "fit", lambda *a, **k: called.append(1) or real(*a, **k))
    kw = {"order": (1, 0, 0), "trend": "c", **kw}
    ARIMAForecaster(**kw).fit(df[["y"]], X=df[["x"]] if "future_known" in kw else None)
    assert called
