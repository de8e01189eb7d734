"""Maximum-likelihood estimation of one ETS form, as statsmodels' ``ETSModel.fit`` does it,
at a fraction of the cost.

statsmodels estimates an ``ETSModel`` with L-BFGS-B and a forward-difference gradient
(absolute step 1e-8) of ``-loglike / nobs``. Its likelihood is one pass of a compiled
smoother (about 5 us on an M3 monthly series), but each evaluation went through about
45 us of Python layers (statsmodels' ``fit`` wrappers, scipy's ``approx_derivative``),
and a seasonal form takes some 1,000 evaluations. :func:`fit_form` runs the same
optimiser (same start values, bounds, reparametrisation, tolerances, iteration and
evaluation limits) on the same floating-point objective and the same difference
quotients, computed directly: the optimiser visits the same points and returns the same
estimate, bit for bit, as ``ETSModel.fit(return_params=True)`` (tests check this).

:func:`lean_model` builds an ``ETSModel`` whose results skip statsmodels' numerical
Hessian of the estimate (the standard errors of ``summary()``, unused by forecasts and
intervals; a quarter of a fit). statsmodels is imported here, so import this module
lazily.
"""

from __future__ import annotations

from functools import lru_cache
from math import isfinite

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults

__all__ = ["fit_form", "initial_states", "lean_model"]

#: scipy's ``fmin_l_bfgs_b`` defaults, which statsmodels uses: memory, ``factr``,
#: ``pgtol``, difference step, evaluation limit and line-search steps
_LBFGS = {"maxcor": 10, "ftol": 1e7 * np.finfo(float).eps, "gtol": 1e-5, "maxls": 20}
_STEP = 1e-8
_ROOT_EPS = np.finfo(float).eps ** 0.5
_MAXFUN = 15000


@lru_cache(maxsize=1)
def _classes():
    class LeanResults(ETSResults):
        """ETS results without the numerical Hessian (``cov_params`` is NaN)."""

        @property
        def cov_params_approx(self):
            k = len(self.params)
            return np.full((k, k), np.nan)

    class LeanModel(ETSModel):
        @property
        def _res_classes(self):
            return {"fit": (LeanResults, super()._res_classes["fit"][1])}

    return LeanModel


def lean_model(y: np.ndarray, form: tuple[str, str, str], m: int, initialization: str = "estimated",
               initial: np.ndarray | None = None):
    """The ``ETSModel`` of ``form`` (error, trend, season) for ``y``, whose results have
    no covariance of the estimate (see the module notes); ``initialization`` is
    statsmodels' ``initialization_method`` ("estimated" or "heuristic"), overridden
    by ``initial`` (``[level, slope, season 1..m]``, :func:`initial_states`) when given."""
    e, t, s = form
    known = {}
    if initial is not None:
        initialization = "known"
        known = {"initial_level": initial[0], "initial_trend": initial[1] if t != "none" else None,
                 "initial_seasonal": np.asarray(initial[2:]) if s != "none" else None}
    # a Series (RangeIndex): get_prediction fails on plain arrays in statsmodels 0.15
    return _classes()(
        pd.Series(y, dtype=float), error=e, trend=None if t == "none" else "add", damped_trend=t == "damped",
        seasonal=None if s == "none" else s, seasonal_periods=m if s != "none" else None,
        initialization_method=initialization, **known,
    )


def initial_states(model) -> np.ndarray:
    """``[level, slope, season 1..m]`` of a model with given (heuristic or known)
    initial states, as :func:`lean_model` takes them back (NaN where it has none)."""
    trend = model.initial_trend if model.has_trend else np.nan
    season = np.atleast_1d(model.initial_seasonal) if model.has_seasonal else []
    return np.r_[float(model.initial_level), float(trend), np.asarray(season, dtype=float)]


def _objective(model, is_fixed, fixed_values, use_beta_star, use_gamma_star):
    """``-loglike / nobs`` of the free internal parameters, as statsmodels' ``fit``
    evaluates it (``ETSModel._loglike_internal``), with the same floating-point steps."""
    data = np.asarray(model.endog, dtype=float)
    nobs = model.nobs
    smooth = model._smoothing_func
    yhat = np.zeros(nobs)
    xhat = np.zeros((nobs, model._k_states_internal))
    mul = model.error == "mul"
    log, add, sub, mult, div = np.log, np.add.reduce, np.subtract, np.multiply, np.divide
    res, buf = np.empty(nobs), np.empty(nobs)  # buffers: no allocation per evaluation
    twopi = 2 * np.pi

    def f(x):
        smooth(x, data, yhat, xhat, is_fixed, fixed_values, use_beta_star, use_gamma_star)
        sub(data, yhat, out=res)
        if mul:
            div(res, yhat, out=res)
        loglike = -nobs / 2 * (log(twopi * (add(mult(res, res, out=buf)) / nobs)) + 1)
        if mul:
            total = add(log(np.abs(yhat, out=buf), out=buf))
            if not isfinite(total):  # a zero forecast (-inf): statsmodels takes 1e-32 for it
                yhat[yhat == 0] = 1e-32
                total = add(log(np.abs(yhat, out=buf), out=buf))
            loglike -= total
        return -loglike / nobs

    return f


def _steps(x: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """scipy's forward-difference steps for an absolute step of :data:`_STEP`: a step
    that would leave the bounds is taken backwards (``approx_derivative``, 2-point)."""
    sign = (x >= 0).astype(float) * 2 - 1
    h = np.where((x + _STEP) - x == 0, _ROOT_EPS * sign * np.maximum(1.0, np.abs(x)), _STEP)
    lower, upper = x - lb, ub - x
    violated = ((x + h) < lb) | ((x + h) > ub)
    fitting = np.abs(h) <= np.maximum(lower, upper)
    h[violated & fitting] *= -1
    forward = (upper >= lower) & ~fitting
    h[forward] = upper[forward]
    backward = (upper < lower) & ~fitting
    h[backward] = -lower[backward]
    return h


def fit_form(model, start_params: np.ndarray | None = None, maxiter: int = 1000) -> tuple[np.ndarray, int]:
    """``model.fit(start_params, maxiter, return_params=True)`` (an ``ETSModel`` without
    fixed parameters) and the number of likelihood evaluations it took."""
    start = model.start_params if start_params is None else np.asarray(start_params, dtype=float)
    internal = model._convert_and_bound_start_params(start)
    bounds = model._setup_bounds()
    # beta and gamma are estimated as beta / alpha and gamma / (1 - alpha) (box bounds)
    use_beta_star = "smoothing_trend" not in model.bounds
    if use_beta_star:
        internal[1] /= internal[0]
    use_gamma_star = "smoothing_seasonal" not in model.bounds
    if use_gamma_star:
        internal[2] /= 1 - internal[0]
    is_fixed = np.array([lo == hi for lo, hi in bounds], dtype=np.int64)
    fixed_values = np.where(is_fixed, [lo for lo, _ in bounds], 0.0)
    free = np.flatnonzero(is_fixed == 0)
    lb = np.array([bounds[i][0] for i in free], dtype=float)
    ub = np.array([bounds[i][1] for i in free], dtype=float)
    f = _objective(model, is_fixed, fixed_values, use_beta_star, use_gamma_star)
    count = [0]

    def value_and_gradient(x):
        f0 = f(x)
        g = np.empty(len(x))
        h = _steps(x, lb, ub)
        dx = (x + h) - x  # the steps as represented
        xi = x.copy()
        for i in range(len(x)):
            xi[i] = x[i] + h[i]
            g[i] = (f(xi) - f0) / dx[i]
            xi[i] = x[i]
        count[0] += len(x) + 1
        return f0, g

    # scipy counts the difference evaluations against maxfun; here one call is len(x) + 1
    options = {**_LBFGS, "maxiter": maxiter, "maxfun": _MAXFUN // (len(free) + 1)}
    # far from the optimum the smoother overflows: numpy's warnings (even filtered out)
    # would cost more than the evaluations
    with np.errstate(all="ignore"):
        res = minimize(value_and_gradient, internal[free], jac=True, method="L-BFGS-B",
                       bounds=list(zip(lb, ub)), options=options)
    fitted = fixed_values.copy()
    fitted[free] = res.x
    if use_beta_star:
        fitted[1] *= fitted[0]
    if use_gamma_star:
        fitted[2] *= 1 - fitted[0]
    return model._model_params(fitted), count[0]
