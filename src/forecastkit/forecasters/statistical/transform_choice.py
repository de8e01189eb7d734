"""How ``auto_arima(transform="auto")`` chooses between the series and its log.

Why not by the information criterion
------------------------------------
The obvious rule compares the two searches' AICc on the original scale: the log
fit's likelihood plus the Jacobian ``-sum(log y)`` over exactly the rows its
likelihood covers (the first ``b = d + D * m`` rows are conditioned on by the
differenced likelihood; with a different ``b`` per candidate, both are scored on the
rows after the larger one). Done right, that is a valid comparison of two *densities*
of the data, and it went wrong on real series for two reasons, measured on the ten
series of ``benchmarks/bench_accuracy.py`` (3 rolling origins, geometric-mean MASE):

1. **Different differencing.** Each search ran its own unit-root and seasonal tests,
   so the two candidates could differ in ``d`` or ``D`` (airline trained to 1957:
   ARIMA(1,1,0)(0,1,0) on the series against (2,0,0)(0,1,1) with a constant on the
   log; the log won by 20 AICc points and forecast twice as badly, MASE 1.18 vs
   0.64). A likelihood cannot say how many differences to take (that is what the
   tests are for: ``forecast::auto.arima`` never ranks different ``d`` by AICc).
   The tests now run once, on the series, and both searches use their ``d`` and ``D``.
2. **A density is not a point forecast.** The likelihood rewards the log mostly for
   its noise model: errors proportional to the level. On a series whose spread grows
   with its level (CPI, unemployment) the log wins by 20-60 AICc points, yet its
   forecasts were worse (CPI MASE 1.47 vs 1.22, unemployment 1.11 vs 1.05).
   The criterion answers "which model makes the data most probable", not "which
   forecasts the next season best", and the bigger the heteroscedasticity, the more
   the first dominates.

The rule used
-------------
Both chosen models are kept at their estimated parameters and compared by the mean
absolute error of their one-step forecasts over the training rows *on the original
scale* (the back-transformed, median forecast ``inverse(z_t - a_t)``, ``a_t`` the
fit's innovations; no refits), over the rows both candidates cover; the lower wins,
no transform on a tie. An absolute-error score weighs the recent, large values the
way MAE/MASE-type evaluations do, where the likelihood weighs every row by the
model's own predicted spread.

Measured (``benchmarks/bench_accuracy.py``'s 10 series, 3 rolling origins,
geometric-mean MASE of auto_arima): no transform 0.798; "auto" by AICc with separate
tests (the old rule) 0.808; by AICc with shared tests 0.799; by the mean absolute
1..max(2m, 8)-step error 0.796; by the one-step error (this rule) 0.784; always log
0.854. On the 1960 airline hold-out every "auto" rule picks the log airline model
(MAPE 2.90 %; no transform: 4.18 %).

When the log is searched
------------------------
A log is for a series whose spread grows with its level. Where it does not (daily
temperatures, sea temperatures, yearly river flows), the log model can still win the
one-step comparison by a hair and then forecast worse: on the daily Melbourne
temperatures its weekly seasonal ARMA terms took MASE 0.827 to 0.861 over five
origins. So the log is searched only when :func:`guerrero_lambda`, the Box-Cox power
that best stabilises the spread of consecutive seasons (Guerrero 1993, as R's
``BoxCox.lambda``), is below :data:`LOG_LAMBDA_BELOW` = 0.5, i.e. closer to the log
(0) than to no transform (1), or when the series is too short to tell. The threshold
is that midpoint, not tuned. Measured: ``bench_accuracy.py`` with 5 origins 0.742 ->
0.739 (Melbourne 0.861 -> 0.827, Nile 0.622 -> 0.620, nothing else changed), with 3
origins 0.770 -> 0.770; 200 M3 monthly series (``bench_auto_arima_m3.py --n 200``)
MASE 0.868 -> 0.859, sMAPE 12.98 -> 12.91 %, geometric mean 0.696 -> 0.693, better
than either transform alone (no transform: 0.866, 13.52 %, 0.702); 26 choices changed,
11 for the better, mean difference -0.009 with a standard error of 0.008; the 366
Tourism monthly series unchanged (1.544: the 14 with lambda >= 0.5 had all kept no
transform). A series that is not searched on the log needs one search instead of two:
CPU per fit on those 200 M3 series 1.33 -> 1.05 s (old and new side by side).

Tried and rejected: also keeping the log out of a series whose level varies too little
for the log to matter (largest over smallest mean of whole seasons below ``r``; CO2,
whose levels span 1.15-1.17x, is where the log costs most on ``bench_accuracy.py``:
0.426 against 0.402 untransformed over 5 origins). On the 200 M3 series, with the
per-series results of both settings, every ``r`` tried was worse: 1.1 (23 series, the
log chosen on 6) MASE 0.8587 -> 0.8596, 1.2 -> 0.8632, 1.5 -> 0.8621, 2.0 -> 0.8617:
where the log is chosen on such a series it forecasts better more often than not (at
r = 1.2 on 8 of 13, at 1.5 on 18 of 33; ties excluded).
"""

from __future__ import annotations

import math

import numpy as np

from forecastkit.forecasters.statistical.transforms import forward, inverse


def one_step_mae(y: np.ndarray, choices: dict) -> dict:
    """``{transform: mean absolute one-step error on the original scale}`` of each
    candidate's chosen model (an ``OrderChoice`` with ``innovations`` and
    ``boxcox_lambda``) over the rows every candidate's innovations cover."""
    n = len(y)
    start = {tf: n - len(c.innovations) for tf, c in choices.items()}  # b = d + D * m
    b = max(start.values())
    scores = {}
    for tf, c in choices.items():
        a = np.asarray(c.innovations, dtype=float)[b - start[tf]:]
        z = forward(y[b:], tf, c.boxcox_lambda)
        with np.errstate(over="ignore", invalid="ignore"):
            mae = float(np.mean(np.abs(y[b:] - inverse(z - a, tf, c.boxcox_lambda)))) if len(a) else math.inf
        scores[tf] = mae if np.isfinite(mae) else math.inf
    return scores


def original_scale_ic(y: np.ndarray, choices: dict, criterion: str, estimated_lambda: bool = False) -> dict:
    """``{transform: information criterion of the data on the original scale}``: each
    candidate's log-likelihood (``loglik_obs`` of its differenced fit) plus the
    Jacobian over exactly the rows it covers, on the rows after the largest
    ``b = d + D * m`` (a diagnostic: the choice is by :func:`one_step_mae`)."""
    from forecastkit.forecasters.statistical.order_selection import information_criterion
    from forecastkit.forecasters.statistical.transforms import log_jacobian

    n = len(y)
    start = {tf: n - len(c.loglik_obs) for tf, c in choices.items()}
    b = max(start.values())
    out = {}
    for tf, c in choices.items():
        loglik = float(np.sum(c.loglik_obs[b - start[tf]:])) + log_jacobian(y[b:], tf, c.boxcox_lambda)
        k = c.n_params + int(tf == "boxcox" and estimated_lambda)  # an estimated lambda is a parameter
        ic = information_criterion(loglik, n - b, k, criterion)
        out[tf] = ic if np.isfinite(ic) else math.inf
    return out


#: the log is searched only when Guerrero's lambda is below this: closer to the log
#: (lambda 0) than to no transform (lambda 1)
LOG_LAMBDA_BELOW = 0.5


def guerrero_lambda(y: np.ndarray, m: int) -> float:
    """Guerrero's (1993) Box-Cox lambda in [-1, 2]: the power that makes the spread of
    the series' consecutive blocks of ``max(m, 2)`` rows most nearly proportional to
    ``mean ** (1 - lambda)``, i.e. the coefficient of variation of
    ``sd_i / mean_i ** (1 - lambda)`` over the blocks smallest (as R's
    ``forecast::BoxCox.lambda(method = "guerrero")``; the last whole blocks are used).
    ``nan`` with fewer than 2 blocks or a non-positive value."""
    from scipy.optimize import minimize_scalar

    p = max(int(m), 2)
    k = len(y) // p
    if k < 2 or not np.all(y > 0):
        return math.nan
    blocks = np.asarray(y[len(y) - k * p:], dtype=float).reshape(k, p)
    mean, sd = blocks.mean(axis=1), blocks.std(axis=1, ddof=1)

    def cv(lam: float) -> float:
        r = sd / mean ** (1 - lam)
        return float(r.std(ddof=1) / r.mean()) if r.mean() > 0 else math.inf

    return float(minimize_scalar(cv, bounds=(-1, 2), method="bounded").x)
