"""Log / Box-Cox transforms of one target column, for the ARIMA forecasters.

``forward`` is applied before a SARIMAX is fitted and ``inverse`` to its forecasts and
interval bounds (so the back-transformed point forecast is the median of the forecast
distribution, see :mod:`forecastkit.forecasters.statistical.arima`). These work on a single
column with a scalar lambda. :mod:`forecastkit.forecasters.preprocessing` has the
per-column variants used by :class:`~forecastkit.forecasters.preprocessing.TargetTransformer`;
they are not reused here because their Box-Cox inverse keeps NaN as NaN, where
``inverse`` maps every value outside the transform's range, NaN included, to the
range's bound.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from forecastkit.errors import ConfigError, DataError

TRANSFORMS = ("log", "boxcox")


def check_transform(transform: Any, boxcox_lambda: Any, allowed: tuple[str, ...] = TRANSFORMS) -> None:
    if transform is not None and transform not in allowed:
        raise ConfigError(f"unknown transform {transform!r}; valid: {list(allowed)} or None")
    if boxcox_lambda is not None:
        if transform != "boxcox":
            raise ConfigError(f"boxcox_lambda={boxcox_lambda!r} needs transform='boxcox', got transform={transform!r}")
        if isinstance(boxcox_lambda, bool) or not isinstance(boxcox_lambda, (int, float, np.number)) or not math.isfinite(boxcox_lambda):
            raise ConfigError(f"boxcox_lambda must be a finite number or None, got {boxcox_lambda!r}")


def estimate_lambda(y: np.ndarray) -> float:
    """Box-Cox lambda by maximum likelihood (1.0 for a constant series, which has no maximum)."""
    from scipy.stats import boxcox_normmax

    if np.ptp(y) == 0:
        return 1.0
    return float(boxcox_normmax(y, method="mle"))


def forward(y: np.ndarray, transform: str | None, lam: float | None) -> np.ndarray:
    if transform is None:
        return np.asarray(y, dtype=float)
    if transform == "log" or lam == 0:
        return np.log(y)
    return (np.power(y, lam) - 1.0) / lam


def inverse(z: np.ndarray, transform: str | None, lam: float | None) -> np.ndarray:
    """Inverse transform. Box-Cox values outside the transform's range map to its
    bound: 0 below (lambda > 0), +inf above (lambda < 0)."""
    if transform is None:
        return z
    if transform == "log" or lam == 0:
        return np.exp(z)
    base = lam * np.asarray(z, dtype=float) + 1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.power(np.where(base > 0, base, 1.0), 1.0 / lam)
    return np.where(base > 0, out, 0.0 if lam > 0 else np.inf)


def log_jacobian(y: np.ndarray, transform: str | None, lam: float | None) -> float:
    """``sum(log |dz/dy|)`` over ``y`` for ``z = forward(y)``: added to a log-likelihood
    of ``z`` it gives the log-likelihood of ``y`` (the density of the data on the
    original scale), which makes models fitted on different scales comparable."""
    if transform is None:
        return 0.0
    logs = float(np.sum(np.log(y)))
    if transform == "log" or lam == 0:
        return -logs  # dz/dy = 1 / y
    return (lam - 1.0) * logs  # dz/dy = y ** (lam - 1)


def _check_positive(y: np.ndarray, transform: str | None, target: str) -> None:
    if transform is not None and not (y > 0).all():
        raise DataError(
            f"transform={transform!r} needs strictly positive values, but target {target!r} "
            f"has minimum {float(y.min())!r}; use transform=None or shift the data"
        )


def transform_target(
    y: np.ndarray, transform: str | None, boxcox_lambda: Any, target: str
) -> tuple[np.ndarray, float | None]:
    """One target column on the model's scale, and its Box-Cox lambda (None unless
    ``transform="boxcox"``): ``boxcox_lambda`` when given, else estimated from ``y``."""
    _check_positive(y, transform, target)
    lam = None
    if transform == "boxcox":
        lam = float(boxcox_lambda) if boxcox_lambda is not None else estimate_lambda(y)
    return forward(y, transform, lam), lam
