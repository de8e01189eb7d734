"""The ETS estimator: the same optimum as statsmodels' ``ETSModel.fit``, bit for bit, at a
fraction of the evaluation overhead; results without the numerical Hessian."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("statsmodels")

from forecastkit.forecasters.statistical.ets_estimate import fit_form, lean_model  # noqa: E402


def seasonal(n, seed=0):
    t = np.arange(n)
    noise = 1 + np.random.default_rng(seed).normal(0, 0.03, n)
    return (100 + 1.5 * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 12)) * noise


@pytest.mark.parametrize("form", [("add", "none", "none"), ("add", "damped", "none"), ("mul", "add", "mul"),
                                  ("mul", "none", "add")])
@pytest.mark.parametrize("init", ["estimated", "heuristic"])
def test_the_estimate_is_statsmodels_own(form, init):
    y = seasonal(48)
    with np.errstate(all="ignore"):  # as ETSForecaster fits (numpy's warnings are slow)
        reference = lean_model(y, form, 12, init).fit(disp=False, return_params=True)
    params, evaluations = fit_form(lean_model(y, form, 12, init))
    np.testing.assert_array_equal(params, reference)
    assert evaluations > 0


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_statsmodels_fit_is_honoured_at_its_evaluation_limit():
    y = seasonal(40, seed=1)
    form = ("add", "add", "add")
    with np.errstate(all="ignore"):
        reference = lean_model(y, form, 12).fit(disp=False, return_params=True, maxiter=3)
    params, _ = fit_form(lean_model(y, form, 12), maxiter=3)
    np.testing.assert_array_equal(params, reference)


def test_start_values_are_used():
    y = seasonal(60, seed=2)
    form = ("mul", "add", "mul")
    cold, n_cold = fit_form(lean_model(y, form, 12))
    again, n_again = fit_form(lean_model(y, form, 12), start_params=cold)
    model = lean_model(y, form, 12)
    assert n_again < n_cold
    assert model.loglike(again) >= model.loglike(cold) - 1e-6


def test_results_skip_only_the_covariance():
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = seasonal(48)
    lean = lean_model(y, ("mul", "add", "mul"), 12)
    params, _ = fit_form(lean)
    full = ETSModel(pd.Series(y), error="mul", trend="add", seasonal="mul", seasonal_periods=12).smooth(params)
    res = lean.smooth(params)
    assert np.isnan(np.asarray(res.cov_params())).all()
    assert res.llf == full.llf
    pd.testing.assert_series_equal(res.forecast(6), full.forecast(6))
    a = res.get_prediction(start=48, end=53, rng=np.random.default_rng(0)).summary_frame(alpha=0.2)
    b = full.get_prediction(start=48, end=53, rng=np.random.default_rng(0)).summary_frame(alpha=0.2)
    pd.testing.assert_frame_equal(a, b)
