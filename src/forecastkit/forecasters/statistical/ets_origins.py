"""ETS forecasts and bands from many origins in one pass: what ``update(y[:o])`` then
``predict_interval`` of :class:`~forecastkit.forecasters.statistical.ets.ETSForecaster`
gives for every origin ``o``, for the interval calibration of the conformal wrapper.

``update`` keeps the parameters and reruns the (causal) smoother on ``y[:o]``, so the
states and residuals up to ``o`` are those of one pass over the longest history. From
each origin's states the forecasts follow statsmodels' ``ETSResults.simulate`` step by
step, with the origins side by side: its zero-error path is the forecast; the linear
forms' bands are analytic (``mse * _relative_forecast_variance``); the other forms'
bands are quantiles of 1,000 simulated paths, whose normal draws are the same for every
origin (``predict_interval`` seeds its generator with 0), scaled by each origin's
residual standard deviation. Every step is elementwise, so each origin's numbers are
those of its own ``update`` and ``predict_interval`` (tests check). A calibration of
~70 windows cost ~70 smoothing passes, results objects and simulations before.
statsmodels is imported here, so import this module lazily.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from statsmodels.tsa.exponential_smoothing import _ets_smooth

__all__ = ["origin_forecasts"]

#: the forms statsmodels gives exact (analytic) bands for
EXACT = ("ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA")
#: simulated paths per origin, as ``get_prediction``'s default
REPETITIONS = 1000


def _paths(res, starts: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """``ETSResults.simulate`` from every start state at once: ``starts`` (origins,
    6 + m) internal parameters and states, ``eps`` (h, origins, repetitions) errors;
    returns the simulated values with the shape of ``eps``."""
    h, n_orig, reps = eps.shape
    model = res.model
    cols = []
    for start in starts:  # each origin's initial state, as simulate() sets it up
        x = np.zeros((h, model._k_states_internal))
        is_fixed = np.zeros(len(start), dtype=np.int64)
        alpha, beta_star, gamma_star, phi, m, _ = _ets_smooth._initialize_ets_smooth(
            start, x, is_fixed, np.zeros_like(start))
        cols.append(x)
    beta = alpha * beta_star
    gamma = (1 - alpha) * gamma_star
    # prev[state, origin * reps + r]: the origins' paths side by side; simulate() keeps
    # the states of every step, only the previous step's are read
    prev = np.repeat(np.stack([c[-1] for c in cols], axis=1), reps, axis=1)
    e = eps.reshape(h, n_orig * reps)
    y = np.empty((h, n_orig * reps))
    mul_season, mul_error = model.seasonal == "mul", model.error == "mul"
    op_s = np.multiply if mul_season else np.add
    for t in range(h):  # statsmodels' loop (no multiplicative trend in the forms searched)
        B = np.multiply(prev[1], phi)
        L = np.add(prev[0], B)
        S = prev[2 + m - 1]
        Y = op_s(L, S)
        if not mul_error:
            eta = 1
            kappa_l = 1 / S if mul_season else 1
            kappa_b = kappa_l
            kappa_s = 1 / L if mul_season else 1
        else:
            eta = Y
            kappa_l = 0 if mul_season else S
            kappa_b = kappa_l + prev[0]
            kappa_s = 0 if mul_season else L
        y[t] = Y + eta * e[t]
        cur = np.empty_like(prev)
        cur[0] = L + alpha * (mul_error * L + kappa_l) * e[t]
        cur[1] = B + beta * (mul_error * B + kappa_b) * e[t]
        cur[2] = S + gamma * (mul_error * S + kappa_s) * e[t]
        cur[3:] = prev[2:-1]
        prev = cur
    return y.reshape(h, n_orig, reps)


def origin_forecasts(model, params: np.ndarray, origins: np.ndarray, h: int, level: float | None):
    """``(mean, lower, upper)``, each ``(len(origins), h)`` (bounds None without
    ``level``), of the fitted form ``model`` (an ``ETSModel`` on a history at least
    ``max(origins)`` long) at ``params``, from each origin (see the module notes)."""
    res = model.smooth(params)
    internal = model._internal_params(np.asarray(params))
    states = model._get_internal_states(res.states, params)
    starts = np.array([np.r_[internal[0:4], states[o - 1]] for o in origins])
    mean = _paths(res, starts, np.zeros((h, len(origins), 1)))[:, :, 0].T
    if level is None:
        return mean, None, None
    alpha = 1.0 - level
    resid = np.asarray(res.resid, dtype=float)
    if model.short_name in EXACT:
        steps = np.arange(1, h + 1, dtype=float)
        mse = np.array([np.sum(resid[:o] ** 2) / o for o in origins])
        half = norm.ppf(1 - alpha / 2) * np.sqrt(mse[:, None] * res._relative_forecast_variance(steps)[None, :])
        return mean, mean - half, mean + half
    sigma = np.sqrt([np.mean(resid[:o] ** 2) for o in origins])
    draws = np.random.default_rng(0).standard_normal((h, REPETITIONS))
    sims = _paths(res, starts, draws[:, None, :] * sigma[None, :, None])
    lower = np.quantile(sims, alpha / 2, axis=2).T
    upper = np.quantile(sims, 1 - alpha / 2, axis=2).T
    return mean, lower, upper
