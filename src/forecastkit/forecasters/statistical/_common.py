"""Plumbing the statsmodels family shares: quiet single-threaded SARIMAX fits,
``method_kwargs`` splitting, order/trend validation and the exogenous design
(future-known columns, then calendar features)."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError

TRENDS = ("n", "c", "t", "ct")
#: SARIMAX constructor arguments accepted in ``method_kwargs`` (the rest go to ``fit``)
MODEL_KEYS = frozenset({
    "measurement_error", "time_varying_regression", "mle_regression", "enforce_stationarity",
    "enforce_invertibility", "hamilton_representation", "concentrate_scale", "trend_offset",
    "use_exact_diffuse", "simple_differencing",
})
_MODEL_DEFAULTS = {"concentrate_scale": True}
# cov_type "none": forecasts never use the parameters' standard errors, and the default
# ("approx", a numerical Hessian) costs as much again as the fit (2x on a 20,000-row ARIMA)
_FIT_DEFAULTS = {"method": "lbfgs", "maxiter": 50, "disp": False, "cov_type": "none"}


# --------------------------------------------------------------------------- statsmodels plumbing
_BLAS_CONTROLLER: Any = None


def _single_thread_blas() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread: the Kalman filter multiplies tiny matrices, where
    extra BLAS threads only add contention (10-20x slower fits on a busy 2-core machine)."""
    global _BLAS_CONTROLLER
    try:
        if _BLAS_CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _BLAS_CONTROLLER = ThreadpoolController()  # after statsmodels/scipy loaded their BLAS
        return _BLAS_CONTROLLER.limit(limits=1, user_api="blas")
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, run as is
        return contextlib.nullcontext()


@contextlib.contextmanager
def quiet_statsmodels():
    """Silence the estimation noise statsmodels emits on every fit (convergence,
    replaced starting values, numerical overflow while the optimiser explores), with
    single-threaded BLAS."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(), _single_thread_blas():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=r"Non-(stationary|invertible) starting", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"Too few observations to estimate starting", category=UserWarning)
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"statsmodels\..*")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            yield


def split_kwargs(method_kwargs: dict | None) -> tuple[dict, dict]:
    if method_kwargs is None:
        method_kwargs = {}
    if not isinstance(method_kwargs, dict):
        raise ConfigError(f"method_kwargs must be a dict or None, got {method_kwargs!r}")
    if method_kwargs.get("simple_differencing"):
        raise ConfigError(
            "method_kwargs simple_differencing=True is not supported: the model would forecast "
            "the differenced series instead of the data"
        )
    model_kw = {**_MODEL_DEFAULTS, **{k: v for k, v in method_kwargs.items() if k in MODEL_KEYS}}
    fit_kw = {**_FIT_DEFAULTS, **{k: v for k, v in method_kwargs.items() if k not in MODEL_KEYS}}
    return model_kw, fit_kw


def fit_sarimax(
    endog: np.ndarray,
    exog: np.ndarray | None,
    order: tuple[int, int, int],
    seasonal_order: tuple[int, int, int, int],
    trend: Any,
    model_kwargs: dict | None = None,
    fit_kwargs: dict | None = None,
    params: np.ndarray | None = None,
):
    """Fit one ``SARIMAX`` by maximum likelihood, quietly; returns its (filter) results.

    With ``params`` the model is not estimated but filtered at those parameter
    values. A model with nothing left to estimate (e.g. ARIMA(0,1,0) with the
    variance concentrated out) is filtered at its empty parameter vector.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model_kw = {**_MODEL_DEFAULTS, **(model_kwargs or {})}
    fit_kw = {**_FIT_DEFAULTS, **(fit_kwargs or {})}
    with quiet_statsmodels():
        model = SARIMAX(endog, exog=exog, order=order, seasonal_order=seasonal_order, trend=trend, **model_kw)
        if params is not None or model.k_params == 0:
            # no covariance of the parameters: forecasts never use it, and statsmodels'
            # default (outer product of complex-step scores) costs k + 1 more filter passes
            return model.filter(np.zeros(0) if params is None else np.asarray(params, dtype=float),
                                cov_type="none")
        # results from the filter, not the smoother: forecasts, extensions and the
        # one-step errors need nothing more (a third less time on a long series)
        model.ssm.memory_no_smoothing = True
        return model.fit(**fit_kw)


def converged(res) -> bool:
    retvals = getattr(res, "mle_retvals", None)
    if not retvals:  # filtered at fixed parameters: nothing to converge
        return True
    return bool(retvals.get("converged", True))


def fixed_params(res) -> np.ndarray:
    """Every parameter including the innovation variance (concentrated out or not)."""
    params = np.asarray(res.params, dtype=float)
    if res.model.concentrate_scale:
        params = np.r_[params, float(res.scale)]
    return params


# --------------------------------------------------------------------------- validation
def _int_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    ok = len(items) == n and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in items
    )
    if not ok:
        raise ConfigError(f"{name} must be {n} non-negative integers, got {value!r}")
    return tuple(int(v) for v in items)


def check_orders(order: Any, seasonal_order: Any) -> tuple[tuple[int, int, int], tuple[int, int, int, int]]:
    o = _int_tuple(order, 3, "order (p, d, q)")
    so = _int_tuple(seasonal_order, 4, "seasonal_order (P, D, Q, m)")
    if any(so[:3]) and so[3] < 2:
        raise ConfigError(f"seasonal_order {so!r} has seasonal terms but a period m={so[3]}; m must be >= 2")
    if not any(so[:3]):
        so = (0, 0, 0, 0)
    return o, so


def check_trend(trend: Any) -> Any:
    if trend is None or trend in TRENDS:
        return trend
    if isinstance(trend, (list, tuple)) and all(v in (0, 1) for v in trend):
        return list(trend)
    raise ConfigError(f"trend must be None, one of {list(TRENDS)} or a list of 0/1, got {trend!r}")


# --------------------------------------------------------------------------- exogenous design
def calendar_names(calendar: Any) -> list[str]:
    if calendar is None or (not isinstance(calendar, str) and len(calendar) == 0):
        return []
    from forecastkit.forecasters.covariates import validate_features

    return validate_features(calendar)


def exog_matrix(
    index: pd.Index, freq: Any, X: pd.DataFrame | None, future_known: list[str], calendar: list[str]
) -> tuple[np.ndarray | None, list[str]]:
    """SARIMAX ``exog`` over ``index``: future-known columns of ``X``, then calendar
    features (None when there are neither)."""
    from forecastkit.forecasters.covariates import known_block

    block, names = known_block(index, freq, X, future_known, calendar)
    return (block if names else None), names


def steps_between(a: Any, b: Any, freq: Any) -> int:
    """Number of steps of ``freq`` from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    if not isinstance(a, pd.Timestamp):
        return int(b) - int(a)
    lo, hi = (a, b) if a <= b else (b, a)
    steps = len(pd.date_range(lo, hi, freq=freq)) - 1
    return steps if a <= b else -steps


def per_target(values: dict[str, Any]) -> Any:
    """A fitted attribute: the value itself for a single target, else the dict."""
    return next(iter(values.values())) if len(values) == 1 else dict(values)
