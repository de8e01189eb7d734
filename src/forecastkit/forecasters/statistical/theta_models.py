"""The four Theta models of Fiorucci et al. (2016), in numpy: the standard (STM),
optimised (OTM), dynamic standard (DSTM) and dynamic optimised (DOTM) Theta models.

Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), "Models for optimising
the Theta method and their relationship to state space models", IJF 32(4). With
``w = 1 - 1/theta`` and ``t = 1 .. n`` (the code counts ``i = t - 1`` from 0)::

    mu_t  = l_{t-1} + w [ (1-alpha)^{t-1} A_{t-1} + (1 - (1-alpha)^t) / alpha * B_{t-1} ]
    l_t   = alpha y_t + (1 - alpha) l_{t-1}                      (l_0 estimated)

The static models use the least-squares line of the whole sample for ``A`` and ``B``;
the dynamic ones update them with every observation
(``Ybar_t`` the running mean; ``A_1 = y_1``, ``B_1 = 0``)::

    B_t = [ (t-2) B_{t-1} + 6 / t * (y_t - Ybar_{t-1}) ] / (t+1),   A_t = Ybar_t - (t+1)/2 B_t

Estimation minimises the sum of squared one-step errors from the fourth observation
on (as statsforecast's ``AutoTheta`` does), ``alpha`` in [0.1, 0.99], ``theta >= 1``
(fixed at 2 in the standard models). For a given ``alpha`` the one-step forecasts
are linear in ``l_0`` and ``w`` (``A`` and ``B`` depend on the data only), so those
two come from a least-squares solve and only ``alpha`` is searched (a grid, then
Brent's method around the best grid point): the fit is exact in ``l_0`` and ``w``
rather than a Nelder-Mead approximation. Forecasts run the recursion with the
forecasts in place of the observations.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["MODELS", "ThetaFit", "fit_theta_model", "prefix_states", "theta_filter", "theta_forecast"]

#: variant name -> (dynamic trend, theta estimated)
MODELS = {
    "standard": (False, False),
    "optimized": (False, True),
    "dynamic": (True, False),
    "dynamic_optimized": (True, True),
}
ALPHA_BOUNDS = (0.1, 0.99)
_W_MAX = 1.0 - 1e-10  # theta <= 1e10
_BURN = 3  # one-step errors scored from the fourth observation on


class ThetaFit(NamedTuple):
    """A fitted Theta model: parameters, in-sample SSE, residuals and the final state."""

    variant: str
    alpha: float
    theta: float
    level0: float
    sse: float
    residuals: np.ndarray  # one-step errors, 0 for the first observation
    state: np.ndarray  # (level, mean, A, B) after the last observation
    n: int


def trend_paths(y: np.ndarray, dynamic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A_i``, ``B_i`` and the running mean after each observation ``i`` (0-based)."""
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)
    mean = np.cumsum(y) / t
    if not dynamic:
        b = 6.0 * (2.0 * np.mean(t * y) - (1.0 + n) * np.mean(y)) / (n * n - 1.0) if n > 1 else 0.0
        a = np.mean(y) - b * (n + 1.0) / 2.0
        return np.full(n, a), np.full(n, b), mean
    # (t-1) t (t+1) B_t = (t-2)(t-1) t B_{t-1} + 6 (t-1) (y_t - Ybar_{t-1}): a cumulative sum
    i = np.arange(n, dtype=float)
    step = np.zeros(n)
    step[1:] = 6.0 * i[1:] * (y[1:] - mean[:-1])
    b = np.zeros(n)
    b[1:] = np.cumsum(step)[1:] / (i[1:] * (i[1:] + 1.0) * (i[1:] + 2.0))
    a = mean - b * (i + 2.0) / 2.0
    a[0] = y[0]
    return a, b, mean


def _design(y: np.ndarray, alpha: float, a: np.ndarray, b: np.ndarray):
    """One-step forecasts ``mu_i = s_i + c_i l_0 + w g_i`` for ``i = 1 .. n-1``: (s, c, g)."""
    from scipy.signal import lfilter

    n = len(y)
    ses = lfilter([alpha], [1.0, alpha - 1.0], y)  # SES from a zero level
    i = np.arange(1, n, dtype=float)
    decay = (1.0 - alpha) ** i
    g = a[:-1] * decay + b[:-1] * (1.0 - decay * (1.0 - alpha)) / alpha
    return ses[:-1], decay, g


def _solve(y, alpha, a, b, theta):
    """Least-squares ``l_0`` (and ``w`` when ``theta`` is None) at ``alpha``: (sse, l_0, w)."""
    s, c, g = _design(y, alpha, a, b)
    r = y[1:] - s
    rows = slice(_BURN - 1, None)  # errors of observations 4 .. n
    rr, cc, gg = r[rows], c[rows], g[rows]
    if theta is None:
        design = np.column_stack([cc, gg])
        coef = np.linalg.lstsq(design, rr, rcond=None)[0]
        w = float(coef[1])
        if not 0.0 <= w <= _W_MAX:  # theta outside [1, 1e10]: on the bound, l_0 again
            w = min(max(w, 0.0), _W_MAX)
        else:
            level0 = float(coef[0])
            return float(np.sum((rr - design @ coef) ** 2)), level0, w
    else:
        w = 1.0 - 1.0 / float(theta)
    cc2 = float(cc @ cc)
    level0 = float(cc @ (rr - w * gg) / cc2) if cc2 > 0 else 0.0
    return float(np.sum((rr - cc * level0 - w * gg) ** 2)), level0, w


def fit_theta_model(y: np.ndarray, variant: str, theta: float = 2.0) -> ThetaFit:
    """Estimate one of the four models (``MODELS``) on ``y`` (at least 4 values).

    ``theta`` is the fixed value of the standard and dynamic models.
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y, dtype=float)
    dynamic, estimate = MODELS[variant]
    a, b, _ = trend_paths(y, dynamic)
    fixed = None if estimate else theta
    grid = np.linspace(*ALPHA_BOUNDS, 20)
    sse = np.array([_solve(y, al, a, b, fixed)[0] for al in grid])
    k = int(np.nanargmin(sse))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    best = minimize_scalar(lambda al: _solve(y, al, a, b, fixed)[0], bounds=(lo, hi), method="bounded",
                           options={"xatol": 1e-6})
    alpha = float(best.x) if best.fun <= sse[k] else float(grid[k])
    _, level0, w = _solve(y, alpha, a, b, fixed)
    return theta_filter(y, variant, alpha, 1.0 / (1.0 - w), level0)


def theta_filter(y: np.ndarray, variant: str, alpha: float, theta: float, level0: float) -> ThetaFit:
    """Run a model at fixed parameters over ``y``: residuals, SSE and the final state."""
    y = np.asarray(y, dtype=float)
    dynamic, _ = MODELS[variant]
    a, b, mean = trend_paths(y, dynamic)
    s, c, g = _design(y, alpha, a, b)
    w = 1.0 - 1.0 / theta
    resid = np.zeros(len(y))
    resid[1:] = y[1:] - (s + c * level0 + w * g)
    last_ses = alpha * y[-1] + (1.0 - alpha) * (s[-1] if len(s) else 0.0)
    level = float((1.0 - alpha) ** len(y) * level0 + last_ses)
    state = np.array([level, mean[-1], a[-1], b[-1]])
    sse = float(np.sum(resid[_BURN:] ** 2))
    return ThetaFit(variant, float(alpha), float(theta), float(level0), sse, resid, state, len(y))


def theta_forecast(variant: str, alpha: float, theta: float, state: np.ndarray, n, h: int) -> np.ndarray:
    """``h`` forecasts after ``n`` observations that left ``state`` (``ThetaFit.state``):
    the recursion fed with its own forecasts. Many origins at once: ``state`` of shape
    ``(4, W)`` and ``n`` of shape ``(W,)`` give ``(h, W)``."""
    dynamic, _ = MODELS[variant]
    w = 1.0 - 1.0 / theta
    many = np.ndim(state) == 2
    level, mean, a, b = (np.asarray(v, dtype=float) if many else float(v) for v in state)
    out = np.empty((h, *np.shape(level)))
    for k in range(h):
        i = n + k
        mu = level + w * (a * (1.0 - alpha) ** i + b * (1.0 - (1.0 - alpha) ** (i + 1)) / alpha)
        out[k] = mu
        level = alpha * mu + (1.0 - alpha) * level
        if dynamic:
            b = ((i - 1) * b + 6.0 * (mu - mean) / (i + 1)) / (i + 2)
            mean = (i * mean + mu) / (i + 1)
            a = mean - b * (i + 2) / 2.0
    return out


def prefix_states(y: np.ndarray, variant: str, alpha: float, level0: float, ends: np.ndarray) -> np.ndarray:
    """``theta_filter(y[:e], ...).state`` for every ``e`` in ``ends``, ``(4, len(ends))``,
    from one pass over ``y`` (the static models' line refitted on each prefix from
    cumulative sums; the dynamic ones' paths are the same for every prefix)."""
    from scipy.signal import lfilter

    y = np.asarray(y, dtype=float)
    ends = np.asarray(ends, dtype=int)
    dynamic, _ = MODELS[variant]
    a, b, mean = trend_paths(y, dynamic)
    last = ends - 1
    if dynamic:
        a, b = a[last], b[last]
    else:
        t = np.arange(1, len(y) + 1, dtype=float)
        m = ends.astype(float)
        my, mty = np.cumsum(y)[last] / m, np.cumsum(t * y)[last] / m
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(m > 1, 6.0 * (2.0 * mty - (1.0 + m) * my) / (m * m - 1.0), 0.0)
        a = my - b * (m + 1.0) / 2.0
    ses = lfilter([alpha], [1.0, alpha - 1.0], y)  # SES from a zero level, as theta_filter's
    level = (1.0 - alpha) ** ends * level0 + ses[last]
    return np.vstack([level, mean[last], a, b])
