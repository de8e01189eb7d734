"""The seasonally adjusted benchmark of the M competitions, ``naive2``, and the
classical seasonality test and decomposition it uses.

It first tests for seasonality and, when seasonal, remove it with the classical
multiplicative decomposition (Makridakis, Wheelwright & Hyndman 1998; the M4
reference code):

- the test: the lag-``m`` autocorrelation ``r_m`` is significant at 90% when
  ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k**2) / n)``; only series with at
  least ``3 m`` observations are tested (shorter ones count as not seasonal);
- the indices: ratios of the series to its centred moving average of order ``m``
  (``2 x m`` for even ``m``), averaged per season position and normalised to mean 1.

``naive2`` repeats the last seasonally adjusted value and puts the season back.
Intervals are normal with the naive variance formula on the adjusted scale,
multiplied by the seasonal index (approximate: the indices are treated as known).
(The Theta method is :mod:`forecastkit.forecasters.statistical.theta`.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit._validation import check_int
from forecastkit.errors import DataError
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.series import normal_quantile

__all__ = ["Naive2Forecaster", "is_seasonal", "seasonal_indices"]


def acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """Sample autocorrelations ``r_0 .. r_nlags`` (the biased, statsmodels-default estimator)."""
    x = np.asarray(x, float) - np.mean(x)
    denom = float(np.dot(x, x))
    if denom == 0:
        return np.r_[1.0, np.zeros(nlags)]
    return np.array([1.0] + [float(np.dot(x[k:], x[:-k])) / denom for k in range(1, nlags + 1)])


def is_seasonal(y: np.ndarray, m: int, min_seasons: int = 3) -> bool:
    """The 90% autocorrelation test of the M4 benchmarks (see the module docstring);
    series shorter than ``min_seasons`` full seasons count as not seasonal."""
    y = np.asarray(y, float)
    n = len(y)
    if m <= 1 or n < min_seasons * m:
        return False
    r = acf(y, m)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[1:m] ** 2)) / n)
    return bool(abs(r[m]) > limit)


def seasonal_indices(y: np.ndarray, m: int, multiplicative: bool = True) -> np.ndarray:
    """Classical seasonal indices, one per position ``t % m``: ratios to the centred
    moving average normalised to mean 1, or (``multiplicative=False``) differences
    from it normalised to mean 0."""
    y = np.asarray(y, float)
    n = len(y)
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    trend = np.convolve(y, w, mode="valid")  # centred: trend[i] belongs to t = i + len(w)//2
    offset = len(w) // 2
    ratio = np.full(n, np.nan)
    part = y[offset: offset + len(trend)]
    ratio[offset: offset + len(trend)] = part / trend if multiplicative else part - trend
    idx = np.array([np.nanmean(ratio[p::m]) for p in range(m)])
    return idx / idx.mean() if multiplicative else idx - idx.mean()


def _adjust(y: np.ndarray, m: int, seasonal: Any) -> tuple[np.ndarray, bool]:
    """Per-position indices (ones when not seasonal) and whether the season was removed."""
    if seasonal == "auto":
        use = is_seasonal(y, m) and bool(np.all(y > 0))
    else:
        use = bool(seasonal) and m > 1
        if use and (len(y) < 2 * m or not np.all(y > 0)):
            raise DataError(f"multiplicative seasonal adjustment needs >= {2 * m} positive values")
    return (seasonal_indices(y, m) if use else np.ones(max(m, 1))), use


class _SeasonallyAdjusted(Forecaster):
    """Shared plumbing: per-target adjustment, a core forecast on the adjusted series."""

    # array_core: _fit/_predict* use the values only (no dates), so panels may call them directly
    _tags = {"intervals": True, "past_covariates": False, "future_covariates": False, "array_core": True}
    _min_obs = 3
    param_choices = {"seasonal": ("auto", True, False)}

    def _m(self) -> int:
        return check_int("season_length", self.season_length, error=None, prefix=f"{type(self).__name__}: ")

    def _check_seasonal(self) -> None:
        if self.seasonal not in ("auto", True, False):
            raise DataError(f"{type(self).__name__}: seasonal must be 'auto', true or false, got {self.seasonal!r}")

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        m = self._m()
        self._check_seasonal()
        if y.shape[0] < self.min_train_size():
            raise DataError(f"{type(self).__name__} needs at least {self.min_train_size()} observations, got {y.shape[0]}")
        self.season_length_ = m
        self.n_train_ = y.shape[0]
        idx, used, stats = [], [], []
        for j in range(y.shape[1]):
            s, use = _adjust(y[:, j], m, self.seasonal)
            pos = np.arange(y.shape[0]) % len(s)
            idx.append(s)
            used.append(use)
            stats.append(self._estimate(y[:, j] / s[pos]))
        self.indices_ = np.array(idx)  # (k, m)
        self.seasonal_ = np.array(used)
        self.core_ = np.array(stats)  # (k, n_stats)

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        self._fit(y, X)

    def _future_index(self, h: int) -> np.ndarray:
        return self.indices_[:, (self.n_train_ + np.arange(h)) % self.indices_.shape[1]].T  # (h, k)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        mean = np.column_stack([self._core_forecast(st, h) for st in self.core_])
        return mean * self._future_index(h)

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        mean = self._predict(h, X)
        sd = np.column_stack([self._core_sd(st, h) for st in self.core_]) * self._future_index(h)
        half = normal_quantile(level) * sd
        return mean, mean - half, mean + half

    def fitted_info(self) -> dict[str, Any]:
        """Whether each target was seasonally adjusted."""
        return {**super().fitted_info(), "seasonal": [bool(v) for v in self.seasonal_]}


class Naive2Forecaster(_SeasonallyAdjusted):
    """Naive 2: the last seasonally adjusted value, re-seasonalised (the M-competition reference).

    Parameters
    ----------
    season_length : int, default 12
        The seasonal period ``m``.
    seasonal : "auto", True or False, default "auto"
        "auto": adjust when the 90% autocorrelation test says seasonal (and all values
        are positive); True / False force it.
    """

    def __init__(self, season_length: int = 12, seasonal: Any = "auto") -> None:
        self.season_length = season_length
        self.seasonal = seasonal

    def _estimate(self, z: np.ndarray) -> np.ndarray:
        d = np.diff(z)
        return np.array([z[-1], np.sqrt(np.mean(d**2)) if len(d) else 0.0])

    def _core_forecast(self, st: np.ndarray, h: int) -> np.ndarray:
        return np.full(h, st[0])

    def _core_sd(self, st: np.ndarray, h: int) -> np.ndarray:
        return st[1] * np.sqrt(np.arange(1, h + 1))
