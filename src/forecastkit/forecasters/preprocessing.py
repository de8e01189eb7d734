"""Target and covariate preprocessing fitted on training rows only, and inverted exactly.

:class:`TargetTransformer` chains, in this order,

1. a variance-stabilising transform: ``"log"`` or ``"boxcox"`` (or none);
2. ``difference`` first differences (lag 1), ``d`` times;
3. one seasonal difference at lag ``seasonal_difference`` (``m``; 0 = none);
4. a scaler: ``"minmax"`` (to [0, 1]) or ``"standard"`` (zero mean, unit variance).

Every parameter (Box-Cox lambda when estimated, scaler statistics) comes only from
the rows passed to :meth:`TargetTransformer.fit`, so a backtest that fits on the
training slice cannot leak the test slice. Forecasts made on the transformed scale are
mapped back with :meth:`TargetTransformer.inverse_transform_forecast`, which integrates
the differences starting from the observed history at the forecast origin.

:class:`ColumnScaler` is the scaler alone, for covariate (feature) columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecastkit._validation import check_int
from forecastkit.errors import ConfigError, DataError, NotFittedError

TRANSFORMS = ("log", "boxcox")
SCALERS = ("minmax", "standard")


def _as_2d(y: Any, what: str = "y") -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise DataError(f"{what} must be 1-D or 2-D, got shape {arr.shape}")
    return arr


# --------------------------------------------------------------------------- scaler
class ColumnScaler:
    """Per-column min-max or standard scaling, statistics from the ``fit`` rows only.

    Parameters
    ----------
    kind : {"minmax", "standard", None}
        ``None`` is the identity (handy so callers need no special case).

    A constant column gets scale 1 (its values map to 0) instead of a division by zero.
    """

    def __init__(self, kind: str | None = None):
        self.kind = kind

    def fit(self, X: Any) -> "ColumnScaler":
        if self.kind is not None and self.kind not in SCALERS:
            raise ConfigError(f"unknown scaler {self.kind!r}; valid: {list(SCALERS)} or None")
        arr = _as_2d(X, "X")
        if arr.shape[0] == 0:
            raise DataError("cannot fit a scaler on 0 rows")
        if not np.isfinite(arr).all():
            raise DataError("cannot fit a scaler on NaN or infinite values")
        k = arr.shape[1]
        if self.kind == "minmax":
            lo, hi = arr.min(axis=0), arr.max(axis=0)
            self.center_, self.scale_ = lo, np.where(hi > lo, hi - lo, 1.0)
            self.stats_ = {"min": lo.tolist(), "max": hi.tolist()}
        elif self.kind == "standard":
            mu, sd = arr.mean(axis=0), arr.std(axis=0)
            self.center_, self.scale_ = mu, np.where(sd > 0, sd, 1.0)
            self.stats_ = {"mean": mu.tolist(), "std": sd.tolist()}
        else:
            self.center_, self.scale_ = np.zeros(k), np.ones(k)
            self.stats_ = {}
        self.n_fit_rows_ = int(arr.shape[0])
        self.n_columns_ = k
        return self

    def _check(self, arr: np.ndarray) -> None:
        if not hasattr(self, "center_"):
            raise NotFittedError("this ColumnScaler is not fitted yet; call fit first")
        if arr.shape[-1] != self.n_columns_:
            raise DataError(f"expected {self.n_columns_} column(s), got {arr.shape[-1]}")

    def transform(self, X: Any) -> np.ndarray:
        arr = np.asarray(X, dtype=float)
        self._check(arr)
        return (arr - self.center_) / self.scale_

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        arr = np.asarray(Z, dtype=float)
        self._check(arr)
        return arr * self.scale_ + self.center_

    def describe(self) -> dict[str, Any]:
        return {"scaler": self.kind, **self.stats_, "n_fit_rows": self.n_fit_rows_}


# --------------------------------------------------------------------------- target chain
def boxcox_forward(y: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Box-Cox with one lambda per column (``log`` where lambda == 0)."""
    lam = np.broadcast_to(np.asarray(lam, dtype=float), y.shape[-1:])
    out = np.empty_like(y, dtype=float)
    for j, lj in enumerate(lam):
        col = y[..., j]
        out[..., j] = np.log(col) if lj == 0 else (np.power(col, lj) - 1.0) / lj
    return out


def boxcox_inverse(z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Inverse Box-Cox; values below the transform's range map to 0 (its lower bound)."""
    lam = np.broadcast_to(np.asarray(lam, dtype=float), z.shape[-1:])
    out = np.empty_like(z, dtype=float)
    for j, lj in enumerate(lam):
        col = z[..., j]
        if lj == 0:
            out[..., j] = np.exp(col)
        else:
            base = np.maximum(lj * col + 1.0, 0.0)
            out[..., j] = np.power(base, 1.0 / lj)
    return out


class TargetTransformer:
    """Chain fitted on training data only: transform -> difference -> seasonal difference -> scaler.

    Parameters
    ----------
    transform : {"log", "boxcox", None}
        Variance-stabilising transform; both need strictly positive data.
    boxcox_lambda : float or sequence of float, optional
        Box-Cox lambda (one for all columns, or one per column). ``None`` estimates it
        per column by maximum likelihood (``scipy.stats.boxcox``) on the fit rows.
    difference : int, default 0
        Number of first (lag-1) differences ``d``.
    seasonal_difference : int, default 0
        Lag ``m`` of one seasonal difference (0 = none).
    scaler : {"minmax", "standard", None}
        Scaling of the differenced series, statistics from the fit rows.

    Notes
    -----
    ``transform`` drops the first ``d + m`` rows (:meth:`n_lost`). The differencing
    operators commute, so the order of ``d`` and ``m`` does not change the values.
    The ``transform`` parameter is stored as ``transform_name`` because
    :meth:`transform` is the method that applies the fitted chain.
    """

    def __init__(self, transform=None, boxcox_lambda=None, difference=0, seasonal_difference=0, scaler=None):
        # Stored as ``transform_name``: ``transform`` is the method (fitted chain).
        self.transform_name = transform
        self.boxcox_lambda = boxcox_lambda
        self.difference = difference
        self.seasonal_difference = seasonal_difference
        self.scaler = scaler

    def __repr__(self) -> str:
        return (
            f"TargetTransformer(transform={self.transform_name!r}, boxcox_lambda={self.boxcox_lambda!r}, "
            f"difference={self.difference!r}, seasonal_difference={self.seasonal_difference!r}, "
            f"scaler={self.scaler!r})"
        )

    # -- validation ------------------------------------------------------------------
    def _validate(self) -> None:
        if self.transform_name is not None and self.transform_name not in TRANSFORMS:
            raise ConfigError(f"unknown transform {self.transform_name!r}; valid: {list(TRANSFORMS)} or None")
        if self.scaler is not None and self.scaler not in SCALERS:
            raise ConfigError(f"unknown scaler {self.scaler!r}; valid: {list(SCALERS)} or None")
        self.d_ = check_int("difference", self.difference, 0)
        self.m_ = check_int("seasonal_difference", self.seasonal_difference, 0)

    def n_lost(self) -> int:
        """Rows lost at the start of the series to differencing (``d + m``)."""
        return check_int("difference", self.difference, 0) + check_int(
            "seasonal_difference", self.seasonal_difference, 0
        )

    def _check_positive(self, y: np.ndarray, what: str) -> None:
        if self.transform_name is not None and y.size and not (y > 0).all():
            raise DataError(
                f"transform={self.transform_name!r} needs strictly positive {what}, "
                f"but its minimum is {float(np.nanmin(y))!r}; use transform=None or shift the data"
            )

    # -- forward ---------------------------------------------------------------------
    def _stabilise(self, y: np.ndarray) -> np.ndarray:
        if self.transform_name is None:
            return np.array(y, dtype=float)
        self._check_positive(y, "data")
        if self.transform_name == "log":
            return np.log(y)
        return boxcox_forward(y, self.lambdas_)

    def _unstabilise(self, z: np.ndarray) -> np.ndarray:
        if self.transform_name is None:
            return z
        if self.transform_name == "log":
            return np.exp(z)
        return boxcox_inverse(z, self.lambdas_)

    def _differences(self, t: np.ndarray) -> np.ndarray:
        out = t
        for _ in range(self.d_):
            out = out[1:] - out[:-1]
        if self.m_:
            out = out[self.m_:] - out[:-self.m_]
        return out

    def fit(self, y: Any) -> "TargetTransformer":
        """Estimate the transform's parameters from ``y`` (n, k): the training rows only."""
        self._validate()
        arr = _as_2d(y)
        n, k = arr.shape
        if not np.isfinite(arr).all():
            raise DataError("cannot fit the target transform on NaN or infinite values")
        if n <= self.d_ + self.m_:
            raise DataError(
                f"differencing (difference={self.d_}, seasonal_difference={self.m_}) needs more than "
                f"{self.d_ + self.m_} rows, got {n}"
            )
        self._check_positive(arr, "data")
        if self.transform_name == "boxcox":
            if self.boxcox_lambda is None:
                from scipy.stats import boxcox

                lams = []
                for j in range(k):
                    if np.ptp(arr[:, j]) == 0:
                        lams.append(1.0)  # a constant column has no likelihood maximum
                    else:
                        lams.append(float(boxcox(arr[:, j])[1]))
                self.lambdas_ = np.asarray(lams)
            else:
                lam = np.atleast_1d(np.asarray(self.boxcox_lambda, dtype=float))
                if lam.size not in (1, k):
                    raise ConfigError(f"boxcox_lambda has {lam.size} values for {k} column(s): {self.boxcox_lambda!r}")
                self.lambdas_ = np.broadcast_to(lam, (k,)).copy()
        else:
            self.lambdas_ = None
        diffed = self._differences(self._stabilise(arr))
        self.scaler_ = ColumnScaler(self.scaler).fit(diffed)
        self.n_fit_rows_ = int(n)
        self.n_columns_ = int(k)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "scaler_"):
            raise NotFittedError("this TargetTransformer is not fitted yet; call fit(y) first")

    def transform(self, y: Any) -> np.ndarray:
        """Apply the fitted chain: (n, k) -> (n - d - m, k)."""
        self._check_fitted()
        arr = _as_2d(y)
        if arr.shape[1] != self.n_columns_:
            raise DataError(f"expected {self.n_columns_} column(s), got {arr.shape[1]}")
        return self.scaler_.transform(self._differences(self._stabilise(arr)))

    def fit_transform(self, y: Any) -> np.ndarray:
        return self.fit(y).transform(y)

    # -- inverse ---------------------------------------------------------------------
    def _check_paths(self, z: Any) -> np.ndarray:
        self._check_fitted()
        z = np.asarray(z, dtype=float)
        if z.ndim != 3 or z.shape[2] != self.n_columns_:
            raise DataError(f"expected forecasts of shape (n_paths, h, {self.n_columns_}), got {z.shape}")
        return z

    def _integrate(self, w: np.ndarray, levels: list[np.ndarray] | None) -> np.ndarray:
        """Undo the seasonal then the regular differences of ``w`` (n_paths, h, k),
        starting from the observed ``levels`` (history after 0..d differences), or
        from zeros when ``levels`` is None (the integration of forecast errors)."""
        d, m = self.d_, self.m_
        h = w.shape[1]
        if m:
            # x_d[t] = w[t] + x_d[t - m]: carry the last m observed values forward.
            base = np.zeros((m, w.shape[2])) if levels is None else levels[d][-m:]
            ext = np.concatenate([np.broadcast_to(base, (w.shape[0],) + base.shape), w], axis=1)
            for i in range(h):
                ext[:, m + i] += ext[:, i]
            w = ext[:, m:]
        for j in range(d - 1, -1, -1):  # undo the j-th difference from its last observed level
            start = 0.0 if levels is None else levels[j][-1]
            w = start + np.cumsum(w, axis=1)
        return w

    def inverse_to_level(self, z: Any, history: Any) -> np.ndarray:
        """Like :meth:`inverse_transform_paths` but stop before undoing log/Box-Cox:
        the paths on the stabilised ("level") scale."""
        z = self._check_paths(z)
        hist = _as_2d(history, "history")
        if hist.shape[1] != self.n_columns_:
            raise DataError(f"history has {hist.shape[1]} column(s), expected {self.n_columns_}")
        d, m = self.d_, self.m_
        if (d or m) and hist.shape[0] < d + m + 1:
            raise DataError(f"inverting the differences needs at least {d + m + 1} history rows, got {hist.shape[0]}")
        levels = [self._stabilise(hist)]
        for _ in range(d):
            levels.append(levels[-1][1:] - levels[-1][:-1])
        return self._integrate(self.scaler_.inverse_transform(z), levels)

    def inverse_to_level_at(self, z: Any, y: Any, origins: Any) -> np.ndarray:
        """:meth:`inverse_to_level` for many origins at once: path ``i`` of ``z``
        (n_paths, h, k) continues the history ``y[:origins[i]]`` (``y`` (n, k), original
        scale); equal to calling :meth:`inverse_to_level` once per origin."""
        z = self._check_paths(z)
        origins = np.asarray(origins, dtype=int)
        d, m = self.d_, self.m_
        if len(origins) != z.shape[0]:
            raise DataError(f"{len(origins)} origins for {z.shape[0]} paths")
        if len(origins) == 0:
            return self.scaler_.inverse_transform(z)
        if (d or m) and origins.min() < d + m + 1:
            raise DataError(f"inverting the differences needs at least {d + m + 1} history rows, got {origins.min()}")
        arr = _as_2d(y)[: origins.max()]
        level = self._stabilise(arr)
        levels = [level]
        for _ in range(d):
            levels.append(levels[-1][1:] - levels[-1][:-1])
        w = self.scaler_.inverse_transform(z)
        h = w.shape[1]
        if m:  # the last m values after d differences before each origin (row o - 1 - d of levels[d])
            rows = origins[:, None] - d - m + np.arange(m)[None, :]
            ext = np.concatenate([levels[d][rows], w], axis=1)
            for i in range(h):
                ext[:, m + i] += ext[:, i]
            w = ext[:, m:]
        for j in range(d - 1, -1, -1):
            w = levels[j][origins - 1 - j][:, None, :] + np.cumsum(w, axis=1)
        return w

    def unstabilise(self, levels: Any) -> np.ndarray:
        """Undo log/Box-Cox (monotone increasing, so it maps quantiles to quantiles)."""
        self._check_fitted()
        return self._unstabilise(np.asarray(levels, dtype=float))

    def integrate_errors(self, e: Any) -> np.ndarray:
        """Errors (n_paths, h, k) of forecasts on the transformed scale -> errors on the
        level scale. The inverse chain is affine in the forecast for a given history,
        so the error of the integrated forecast is the integrated error from zero."""
        e = self._check_paths(e)
        return self._integrate(e * self.scaler_.scale_, None)

    def inverse_transform_paths(self, z: Any, history: Any) -> np.ndarray:
        """Map ``z`` of shape (n_paths, h, k) on the transformed scale back to original
        units, each path continuing the original-scale ``history`` (n, k)."""
        return self._unstabilise(self.inverse_to_level(z, history))

    def inverse_transform_forecast(self, z: Any, history: Any) -> np.ndarray:
        """Map forecasts ``z`` (h, k) on the transformed scale that continue ``history``
        (original-scale observations up to the origin, (n, k)) back to original units."""
        z2 = _as_2d(z, "z")
        return self.inverse_transform_paths(z2[None], history)[0]

    def describe(self) -> dict[str, Any]:
        """Fitted parameters, for the leakage audit."""
        self._check_fitted()
        return {
            "transform": self.transform_name,
            "boxcox_lambda": None if self.lambdas_ is None else self.lambdas_.tolist(),
            "difference": self.d_,
            "seasonal_difference": self.m_,
            "scaler": self.scaler,
            "scaler_params": dict(self.scaler_.stats_),
            "n_fit_rows": self.n_fit_rows_,
        }
