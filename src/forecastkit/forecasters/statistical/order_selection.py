"""Order selection for ``auto_arima`` (Hyndman & Khandakar, 2008); the tests that
choose ``d`` and ``D`` live in :mod:`.differencing`.

- ``D``: seasonal strength of an STL decomposition above 0.64 (``forecast::nsdiffs``
  with ``test="seas"``) or the OCSB seasonal unit-root test;
- ``d``: repeated KPSS tests (level stationarity, 5 %) on the seasonally
  differenced series (``forecast::ndiffs``);
- ``(p, q, P, Q)`` and the constant: the stepwise search of ``forecast::auto.arima``,
  or an exhaustive search over ``p + q + P + Q <= 5``.
  Seasonal ``P, Q`` are searched with ``D = 0`` only when the differenced series is
  autocorrelated at lag ``m`` (``differencing.seasonal_acf_significant``; R's
  ``auto.arima`` always searches them).

The search takes an ``evaluate(order, seasonal_order, constant) -> criterion``
callable (``inf`` for a failed or rejected fit), so its logic can be tested on its
own; :func:`select_order` runs the whole procedure with a SARIMAX fitting function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecastkit.errors import DataError
from forecastkit.forecasters.statistical import arma_fit as arma
from forecastkit.forecasters.statistical.differencing import (
    difference,
    is_constant,
    ndiffs,
    nsdiffs,
    seasonal_acf_significant,
    seasonal_diff,
)

#: exhaustive search bound on p + q + P + Q (forecast::auto.arima's max.order)
MAX_ORDER = 5
#: stepwise search budget (forecast::auto.arima's nmodels)
MAX_MODELS = 94

#: rank a search's candidates by the numpy likelihood where there are no regressors;
#: False ranks them by SARIMAX fits (the reference the tests compare against)
NUMPY_SEARCH = True


@dataclass
class OrderChoice:
    """What :func:`select_order` chose, with what scoring it needs afterwards.

    ``search`` lists every candidate tried as ``(order, seasonal_order, trend,
    criterion)``; ``params`` and ``converged`` are the chosen model's final
    estimate (on ``z``'s scale); ``loglik_obs`` its per-row log-likelihood
    contributions and ``n_params`` its number of estimated parameters (the
    innovation variance included). ``innovations`` are its one-step forecast errors
    of ``z[b:]`` (``b = d + D * m``). ``boxcox_lambda`` is the lambda of the series the caller
    searched (None when it was not Box-Cox transformed).
    """

    order: tuple[int, int, int]
    seasonal_order: tuple[int, int, int, int]
    trend: str
    d: int
    D: int
    search: list[tuple]
    n_fits: int
    params: np.ndarray
    converged: bool
    loglik_obs: np.ndarray
    n_params: int
    innovations: np.ndarray
    boxcox_lambda: float | None = None


Evaluate = Callable[[tuple[int, int, int], tuple[int, int, int, int], bool], float]


# --------------------------------------------------------------------------- search
#: one order changed by +-1, then both together, in ``forecast::auto.arima``'s order
_MOVES = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def _neighbours(p: int, q: int, P: int, Q: int, c: bool, toggle: bool):
    """Candidate moves in ``forecast::auto.arima``'s order: seasonal part first,
    then the non-seasonal part, then the constant."""
    for dP, dQ in _MOVES:
        yield p, q, P + dP, Q + dQ, c
    for dp, dq in _MOVES:
        yield p + dp, q + dq, P, Q, c
    if toggle:
        yield p, q, P, Q, not c


def search_orders(
    evaluate: Evaluate,
    *,
    d: int,
    D: int,
    m: int,
    max_p: int,
    max_q: int,
    max_P: int,
    max_Q: int,
    constant: bool,
    toggle_constant: bool,
    stepwise: bool = True,
    max_models: int = MAX_MODELS,
    extra_start: tuple[int, int, int, int, bool] | None = None,
) -> tuple[tuple[int, int, int, int, bool], float, list[tuple[tuple[int, int, int, int, bool], float]]]:
    """Search ``(p, q, P, Q, constant)``; returns the best, its criterion and every
    model tried in order as ``((p, q, P, Q, constant), criterion)``.

    Stepwise (Hyndman & Khandakar 2008): start from the best of ARIMA(2,d,2)(1,D,1),
    (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) and, when the constant may be
    toggled, (0,d,0)(0,D,0) without it; then move to the first neighbour (one of
    ``p, q, P, Q`` changed by +-1, or two changed together, or the constant toggled)
    that improves the criterion, until no neighbour does or ``max_models`` fits were made.
    """
    tried: dict[tuple[int, int, int, int, bool], float] = {}
    seasonal = m > 1

    def fit(key: tuple[int, int, int, int, bool]) -> float:
        if key not in tried:
            p, q, P, Q, c = key
            ic = evaluate((p, d, q), (P, D, Q, m if seasonal else 0), c)
            tried[key] = ic if np.isfinite(ic) else math.inf
        return tried[key]

    def allowed(key: tuple[int, int, int, int, bool]) -> bool:
        p, q, P, Q, _ = key
        return 0 <= p <= max_p and 0 <= q <= max_q and 0 <= P <= max_P and 0 <= Q <= max_Q

    if not stepwise:
        for p in range(max_p + 1):
            for q in range(max_q + 1):
                for P in range(max_P + 1):
                    for Q in range(max_Q + 1):
                        if p + q + P + Q > MAX_ORDER:
                            continue
                        for c in ((constant, not constant) if toggle_constant else (constant,)):
                            fit((p, q, P, Q, c))
        best = min(tried, key=lambda k: tried[k])
        return best, tried[best], list(tried.items())

    start = (min(2, max_p), min(2, max_q), min(1, max_P), min(1, max_Q), constant)
    initial = [
        start,
        (0, 0, 0, 0, constant),
        (int(max_p > 0), 0, int(seasonal and max_P > 0), 0, constant),
        (0, int(max_q > 0), 0, int(seasonal and max_Q > 0), constant),
    ]
    if toggle_constant and constant:
        initial.append((0, 0, 0, 0, False))
    if extra_start is not None and allowed(extra_start):
        # a warm start (e.g. the previous backtest fold's model): start from it and the
        # null model instead of the standard set
        initial = [extra_start, (0, 0, 0, 0, extra_start[4])]
        if toggle_constant:
            initial.append((0, 0, 0, 0, not extra_start[4]))
    best, best_ic = start, math.inf
    for key in initial:
        ic = fit(key)
        if ic < best_ic:
            best, best_ic = key, ic
    improved = True
    while improved and len(tried) < max_models:
        improved = False
        for key in _neighbours(*best, toggle=toggle_constant):
            if key in tried or not allowed(key):
                continue
            if len(tried) >= max_models:
                break
            ic = fit(key)
            if ic < best_ic:
                best, best_ic, improved = key, ic, True
                break
    return best, best_ic, list(tried.items())


# --------------------------------------------------------------------------- the whole procedure
def _net_of_regressors(z: np.ndarray, exog: np.ndarray | None) -> np.ndarray:
    if exog is None:
        return z
    design = np.column_stack([np.ones(len(z)), exog])
    beta, *_ = np.linalg.lstsq(design, z, rcond=None)
    return z - design @ beta


def differencing_orders(
    z: np.ndarray, exog: np.ndarray | None, *, m: int, d: int | None, D: int | None,
    max_d: int, max_D: int, seasonal_test: str = "seas",
) -> tuple[int, int]:
    """``(d, D)`` for ``z``: the given values, else ``forecast::nsdiffs`` then
    ``forecast::ndiffs`` on the series net of the regressors' linear effect (as
    ``forecast::auto.arima``); ``D = 0`` without a season (``m <= 1`` or ``n <= m``).
    A difference that would make a regressor constant is not taken."""
    n = len(z)
    xx = _net_of_regressors(z, exog)
    if not (m > 1 and n > m):
        D = 0
    elif D is None:
        D = nsdiffs(xx, m, seasonal_test, max_D)
        # a difference that makes a regressor constant would leave it unidentified
        if D and exog is not None and any(is_constant(c) for c in seasonal_diff(exog, m, D).T):
            D -= 1
    dx = seasonal_diff(xx, m, D) if D else xx
    if d is None:
        d = ndiffs(dx, max_d=max_d)
        if d and exog is not None:
            dexog = np.diff(seasonal_diff(exog, m, D) if D else exog, n=d, axis=0)
            if any(is_constant(c) for c in dexog.T):
                d -= 1
    return int(d), int(D)


def select_order(
    z: np.ndarray,
    exog: np.ndarray | None,
    fit: Callable[..., Any],
    *,
    m: int,
    d: int | None,
    D: int | None,
    max_p: int,
    max_q: int,
    max_P: int,
    max_Q: int,
    max_d: int,
    max_D: int,
    seasonal_test: str = "seas",
    trend: str | None = "auto",
    criterion: str = "aicc",
    stepwise: bool = True,
    warm: "OrderChoice | None" = None,
    seasonal_arma: str = "always",
) -> OrderChoice:
    """Hyndman-Khandakar selection for the (transformed) series ``z``.

    ``fit(endog, exog, order, seasonal_order, trend, model_kwargs, fit_kwargs)`` fits
    one state-space SARIMAX and returns its results (``_common.fit_sarimax``).
    Returns an :class:`OrderChoice`: the chosen ``order``, ``seasonal_order``, ``trend`` ("c"/"n"), ``d``,
    ``D``, the ``search`` record, ``n_fits``, and the chosen model's ``params``
    (for ``z``'s scale) and ``converged`` flag, with ``loglik_obs`` and ``n_params``:
    the per-row log-likelihood contributions of its final fit and its number of
    estimated parameters (the innovation variance included). The fit is that of the
    differenced series, so ``loglik_obs[i]`` is ``log p(z[b + i] | z[:b + i])``,
    ``b = d + D * m``, on ``z``'s scale (see :func:`information_criterion`).

    ``warm``: an earlier choice on (a shorter or longer version of) the same series,
    e.g. the previous backtest fold's. When it has the same ``d``, ``D`` and period,
    the search starts from its model (with its parameters as start values) and the
    null model instead of the standard starting set; it changes where the search
    starts, not how models are ranked. ``seasonal_arma``: "always" (R) or "tested"
    (see the module notes).
    """
    n = len(z)
    seasonal = m > 1 and n > m
    if not seasonal:
        max_P, max_Q = 0, 0
    d, D = differencing_orders(z, exog, m=m, d=d, D=D, max_d=max_d, max_D=max_D, seasonal_test=seasonal_test)
    xx = _net_of_regressors(z, exog)
    dx = difference(xx, d, D, m)
    if seasonal_arma == "tested" and seasonal and D == 0 and not seasonal_acf_significant(dx, m):
        max_P, max_Q = 0, 0  # no seasonal difference and no seasonal correlation
    period = m if seasonal else 0

    # search bounds (forecast::auto.arima)
    max_p, max_q = min(max_p, n // 3), min(max_q, n // 3)
    if seasonal:
        max_P, max_Q = min(max_P, n // 3 // m), min(max_Q, n // 3 // m)
        if max_P > 0:
            max_p = min(max_p, m - 1)
        if max_Q > 0:
            max_q = min(max_q, m - 1)
    allow_constant = d + D <= 1
    if trend == "auto":
        constant, toggle = allow_constant, allow_constant
    else:
        constant, toggle = trend == "c", False

    # Candidates are ranked on the differenced series (simple differencing: the exact
    # likelihood of the differenced data, which d and D being fixed makes comparable)
    # rescaled to unit spread, which keeps the constant and the regression
    # coefficients on the scale of the ARMA parameters: several times fewer optimiser
    # steps. The criterion is shifted back to the unscaled series.
    scale = float(np.std(dx))
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    zs = np.asarray(z, dtype=float) / scale
    model_kw = {"simple_differencing": True}
    # ranking needs neither standard errors nor the last digits of the likelihood
    # (factr=1e10: relative tolerance ~2e-6); the chosen model is refined below
    fit_kw = {"cov_type": "none", "low_memory": True, "factr": 1e10}
    params: dict[tuple, np.ndarray] = {}
    k_lin = int(exog.shape[1]) if exog is not None else 0
    warm_key, warm_start = None, None
    if warm is not None and (warm.d, warm.D, warm.seasonal_order[3] or period) == (d, D, period):
        wp, _, wq = warm.order
        wP, _, wQ, _ = warm.seasonal_order
        if wp <= max_p and wq <= max_q and wP <= max_P and wQ <= max_Q:
            warm_key = (wp, wq, wP, wQ, warm.trend == "c")
            warm_start = np.asarray(warm.params, dtype=float).copy()
            warm_start[: int(warm_key[4]) + k_lin] /= scale  # to zs's scale

    fast = None  # without regressors: the likelihood in numpy (SARIMAX's maximum, faster)
    if NUMPY_SEARCH and exog is None and len(dx) > 0:
        fast = arma.CandidateFits(dx / scale, criterion, period or 1, warm_key, warm_start, unit_seasonal_ma=True)

    def evaluate(order, seasonal_order, const) -> float:
        if fast is not None:
            ic, params[(order, seasonal_order, const)] = fast.score(order[0], order[2], *seasonal_order[::2], const)
            return ic + 2.0 * len(dx) * math.log(scale)
        kw = fit_kw
        if warm_key is not None and (order, seasonal_order, const) == (
            (warm_key[0], d, warm_key[1]), (warm_key[2], D, warm_key[3], period), warm_key[4]
        ):
            kw = {**fit_kw, "start_params": warm_start}
        try:
            res = fit(zs, exog, order, seasonal_order, "c" if const else None, model_kw, kw)
        except (np.linalg.LinAlgError, ValueError, IndexError, OverflowError):
            return math.inf
        ic = float(getattr(res, criterion)) + 2.0 * res.nobs_effective * math.log(scale)
        if not np.isfinite(ic) or not np.isfinite(res.llf):
            return math.inf
        # (near) unit root: reject; the seasonal MA's may sit on the unit circle (see
        # arma_fit.fit_arma's unit_seasonal_ma), so only the non-seasonal MA roots count
        ma_root = arma.root_modulus(np.asarray(res.maparams), 1, ma=True)
        if min(np.min(np.abs(res.arroots), initial=math.inf), ma_root) < arma.MIN_ROOT:
            return math.inf
        params[(order, seasonal_order, const)] = np.asarray(res.params, dtype=float)
        return ic

    if is_constant(dx):
        # nothing to model beyond the differences and a constant
        best, tried = (0, 0, 0, 0, allow_constant and trend != "n"), []
    else:
        best, best_ic, tried = search_orders(
            evaluate, d=d, D=D, m=period, max_p=max_p, max_q=max_q, max_P=max_P, max_Q=max_Q,
            constant=constant, toggle_constant=toggle, stepwise=stepwise, extra_start=warm_key,
        )
        if not np.isfinite(best_ic):
            raise DataError(
                f"auto_arima could not fit any ARIMA model (d={d}, D={D}, m={m}) to the series "
                f"({len(tried)} models tried)"
            )
    p, q, P, Q, const = best
    start = params.get(((p, d, q), (P, D, Q, period), const))
    search = [
        ((k[0], d, k[1]), (k[2], D, k[3], period) if period else (0, 0, 0, 0), "c" if k[4] else "n", ic)
        for k, ic in tried
    ]
    return _final_fit(zs, exog, fit, scale, (p, d, q), (P, D, Q, period), const, start, search)


def _unit_scale(z: np.ndarray, d: int, D: int, m: int) -> float:
    """The spread of the differenced series (what the search divides ``z`` by)."""
    dx = difference(z, d, D, m)
    scale = float(np.std(dx)) if dx.size else 1.0
    return scale if np.isfinite(scale) and scale > 0 else 1.0


def _final_fit(zs, exog, fit, scale, order, sorder, const, start, search) -> OrderChoice:
    """The chosen model at full tolerance from ``start`` (on ``zs = z / scale``)."""
    p, d, q = order
    P, D, Q, period = sorder
    seasonal_order = (P, D, Q, period) if period and (P or D or Q) else (0, 0, 0, 0)
    trend_ = "c" if const else "n"
    model_kw = {"simple_differencing": True}
    res = fit(zs, exog, order, seasonal_order, trend_, model_kw, {"start_params": start, "cov_type": "none"})
    final = np.asarray(res.params, dtype=float).copy()
    final[: res.model.k_trend + res.model.k_exog] *= scale  # back to z's scale
    retvals = getattr(res, "mle_retvals", None) or {}
    # each row's density on zs's scale is that on z's scale times `scale`
    loglik_obs = np.asarray(res.llf_obs, dtype=float) - math.log(scale)
    return OrderChoice(
        order=order,
        seasonal_order=seasonal_order,
        trend=trend_,
        d=d,
        D=D,
        search=search,
        n_fits=len(search),
        params=final,
        converged=bool(retvals.get("converged", True)),
        loglik_obs=loglik_obs,
        n_params=int(res.df_model),
        innovations=np.asarray(res.forecasts_error[0], dtype=float) * scale,
    )


def refit_order(z: np.ndarray, exog: np.ndarray | None, fit: Callable[..., Any], choice: OrderChoice) -> OrderChoice:
    """``choice``'s model estimated on ``z`` (e.g. every row, after a search on the
    last ones), from ``choice``'s parameters; its ``search`` record is kept."""
    period = choice.seasonal_order[3]
    scale = _unit_scale(z, choice.d, choice.D, period)
    start = np.asarray(choice.params, dtype=float).copy()
    k_lin = int(choice.trend == "c") + (int(exog.shape[1]) if exog is not None else 0)
    start[:k_lin] /= scale
    P, D, Q, _ = choice.seasonal_order
    sorder = (P, choice.D, Q, period)
    return _final_fit(z / scale, exog, fit, scale, choice.order, sorder, choice.trend == "c", start, choice.search)


def information_criterion(loglik: float, nobs: int, n_params: int, criterion: str) -> float:
    """AIC, AICc or BIC as statsmodels computes them (AICc ``inf`` when
    ``nobs - n_params - 1 <= 0``)."""
    from statsmodels.tools import eval_measures

    return float(getattr(eval_measures, criterion)(loglik, nobs, n_params))
