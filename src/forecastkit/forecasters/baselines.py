"""Naive baselines: persistence, seasonal naive, random walk with drift, mean.

Every baseline treats each target column independently and gives prediction
intervals from the usual residual-based formulas (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., section 5.5). With ``sigma`` the
standard deviation of the in-sample one-step residuals, corrected for degrees of
freedom (residual sum of squares divided by ``number of residuals - K``, ``K`` the
number of estimated parameters), the ``h``-step forecast standard deviation is

=============== ======================================
naive           ``sigma * sqrt(h)``
seasonal naive  ``sigma * sqrt(floor((h - 1) / m) + 1)``
drift           ``sigma * sqrt(h * (1 + h / T))``
mean            ``sigma * sqrt(1 + 1 / T)``
=============== ======================================

and the interval is ``forecast +- z * sd`` with ``z`` the normal quantile of the level.
The baselines learn nothing beyond the recent history, so ``update`` simply
recomputes them from the new history.
"""

from __future__ import annotations

from typing import Any

from abc import abstractmethod

import numpy as np
import pandas as pd

from forecastkit._validation import check_int
from forecastkit.errors import DataError
from forecastkit.forecasters._origins import GaussianOrigins
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.series import normal_quantile

__all__ = ["DriftForecaster", "MeanForecaster", "NaiveForecaster", "SeasonalNaiveForecaster"]


def _residual_sigma(resid: np.ndarray, n_params: int) -> np.ndarray:
    """Per-column residual standard deviation with ``n_params`` degrees of freedom removed."""
    dof = resid.shape[0] - n_params
    if dof < 1:
        # Not reachable through fit (min_train_size guarantees a residual), kept as a guard.
        raise DataError(f"not enough residuals ({resid.shape[0]}) to estimate the forecast variance")
    return np.sqrt(np.sum(resid**2, axis=0) / dof)


class _Baseline(GaussianOrigins, Forecaster):
    """Shared plumbing: interval from the point forecast and per-step standard deviations."""

    # array_core: _fit/_predict* use the values only (no dates), so panels may call them directly
    _tags = {"intervals": True, "past_covariates": False, "future_covariates": False, "array_core": True}

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        need = self.min_train_size()
        if y.shape[0] < need:  # update() does not go through fit's size check
            raise DataError(f"{type(self).__name__} needs at least {need} observations, got {y.shape[0]}")
        self._estimate(y)

    @abstractmethod
    def _estimate(self, y: np.ndarray) -> None:
        """Compute the baseline's statistics from the history ``y`` (n, k)."""

    @abstractmethod
    def _sd(self, h: int) -> np.ndarray:
        """Forecast standard deviations, shape ``(h, k)``."""

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        mean = self._predict(h, X)
        half = normal_quantile(level) * self._sd(h)
        return mean, mean - half, mean + half

    def _origin_stats(self, y: np.ndarray, origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``(mean, sd)``, each ``(n_origins, h, k)``, of the baseline refitted on
        ``y[:o]`` for every origin ``o``; None where not vectorised."""
        return None


def _window_moments(x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sum of squared deviations from it of ``x[s:e]`` (rows) for every pair of
    ``starts`` / ``ends``: ``(len(starts), k)`` each, from cumulative sums of ``x`` less
    its overall mean (so a large level does not cancel the spread away)."""
    z = x - x.mean(axis=0)
    c1 = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(z, axis=0)])
    c2 = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(z**2, axis=0)])
    n = (ends - starts)[:, None].astype(float)
    mean_z = (c1[ends] - c1[starts]) / n
    ss = np.maximum(c2[ends] - c2[starts] - n * mean_z**2, 0.0)
    return mean_z + x.mean(axis=0), ss


def _prefix_sigma(resid: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`_residual_sigma` (no parameters) of ``resid[:c]`` for every ``c`` in
    ``counts``: ``(len(counts), k)`` from one cumulative sum."""
    if counts.min() < 1:
        raise DataError(f"not enough residuals ({counts.min()}) to estimate the forecast variance")
    cum = np.concatenate([np.zeros((1, resid.shape[1])), np.cumsum(resid**2, axis=0)])
    return np.sqrt(cum[counts] / counts[:, None])


class NaiveForecaster(_Baseline):
    """Persistence: every future value equals the last observation, ``y(T+k) = y(T)``.

    Fitted attributes: ``last_value_`` (one per target), ``sigma_`` (residual standard
    deviation of the one-step residuals ``y(t) - y(t-1)``).
    """

    _min_obs = 2

    def __init__(self) -> None:
        pass

    def _estimate(self, y: np.ndarray) -> None:
        self.last_value_ = y[-1].copy()
        self.sigma_ = _residual_sigma(np.diff(y, axis=0), n_params=0)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return np.tile(self.last_value_, (h, 1))

    def _sd(self, h: int) -> np.ndarray:
        return np.sqrt(np.arange(1, h + 1))[:, None] * self.sigma_

    def _origin_stats(self, y, origins, h):
        sigma = _prefix_sigma(np.diff(y, axis=0), origins - 1)
        mean = np.repeat(y[origins - 1][:, None, :], h, axis=1)
        return mean, np.sqrt(np.arange(1, h + 1))[None, :, None] * sigma[:, None, :]


class SeasonalNaiveForecaster(_Baseline):
    """Seasonal naive: repeat the last observed season, ``y(T+k) = y(T+k-m*(floor((k-1)/m)+1))``.

    Parameters
    ----------
    season_length : int, default 12
        The seasonal period ``m`` (12 for monthly data with a yearly cycle).

    Fitted attributes: ``last_season_`` (the last ``m`` rows), ``sigma_`` (residual
    standard deviation of ``y(t) - y(t-m)``).
    """

    def __init__(self, season_length: int = 12) -> None:
        self.season_length = season_length

    def min_train_size(self) -> int:
        m = check_int("season_length", self.season_length, error=None, prefix=f"{type(self).__name__}: ")
        return m + 1

    def _estimate(self, y: np.ndarray) -> None:
        m = check_int("season_length", self.season_length, error=None, prefix=f"{type(self).__name__}: ")
        self.season_length_ = m
        self.last_season_ = y[-m:].copy()
        self.sigma_ = _residual_sigma(y[m:] - y[:-m], n_params=0)

    def fitted_info(self) -> dict[str, Any]:
        """The season length repeated."""
        return {**super().fitted_info(), "season_length": int(self.season_length_)}

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        m = self.last_season_.shape[0]
        return self.last_season_[np.arange(h) % m]

    def _sd(self, h: int) -> np.ndarray:
        m = self.last_season_.shape[0]
        k = (np.arange(1, h + 1) - 1) // m
        return np.sqrt(k + 1.0)[:, None] * self.sigma_

    def _origin_stats(self, y, origins, h):
        m = self.season_length_
        sigma = _prefix_sigma(y[m:] - y[:-m], origins - m)
        mean = y[origins[:, None] - m + (np.arange(h) % m)[None, :]]
        k = (np.arange(1, h + 1) - 1) // m
        return mean, np.sqrt(k + 1.0)[None, :, None] * sigma[:, None, :]


class DriftForecaster(_Baseline):
    """Random walk with drift: ``y(T+k) = y(T) + k * (y(T) - y(1)) / (T - 1)``.

    The forecast continues the line through the first and last observations, so a
    series that is exactly a straight line is forecast exactly.

    Fitted attributes: ``last_value_``, ``drift_`` (average change per step),
    ``sigma_`` (standard deviation of the one-step residuals ``y(t) - y(t-1) - drift``,
    one degree of freedom removed for the drift), ``n_train_`` (``T``).
    """

    _min_obs = 3

    def __init__(self) -> None:
        pass

    def _estimate(self, y: np.ndarray) -> None:
        diffs = np.diff(y, axis=0)
        self.last_value_ = y[-1].copy()
        self.drift_ = (y[-1] - y[0]) / (y.shape[0] - 1)
        self.sigma_ = _residual_sigma(diffs - self.drift_, n_params=1)
        self.n_train_ = y.shape[0]

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        steps = np.arange(1, h + 1)[:, None]
        return self.last_value_ + steps * self.drift_

    def _sd(self, h: int) -> np.ndarray:
        steps = np.arange(1, h + 1, dtype=float)
        return np.sqrt(steps * (1.0 + steps / self.n_train_))[:, None] * self.sigma_

    def _origin_stats(self, y, origins, h):
        # origins >= min_train_size (3), checked by _forecast_origins
        drift, ss = _window_moments(np.diff(y, axis=0), np.zeros_like(origins), origins - 1)
        sigma = np.sqrt(ss / (origins - 2)[:, None])  # one degree of freedom for the drift
        steps = np.arange(1, h + 1, dtype=float)
        mean = y[origins - 1][:, None, :] + steps[None, :, None] * drift[:, None, :]
        scale = np.sqrt(steps[None, :] * (1.0 + steps[None, :] / origins[:, None]))
        return mean, scale[:, :, None] * sigma[:, None, :]


class MeanForecaster(_Baseline):
    """Mean forecast: every future value is the mean of the last ``window`` observations.

    Parameters
    ----------
    window : int or None, default None
        Number of most recent observations averaged (at least 2); ``None`` averages
        all of them.
        The interval uses ``T = window`` (the observations the mean is computed from).

    Fitted attributes: ``mean_``, ``sigma_`` (sample standard deviation of the
    averaged observations, one degree of freedom removed for the mean), ``n_window_``.
    """

    def __init__(self, window: int | None = None) -> None:
        self.window = window

    def _window(self) -> int | None:
        why = " (the interval needs the spread of at least 2 values; window=1 is the 'naive' forecaster)"
        return check_int("window", self.window, 2, allow_none=True, error=None, prefix=f"{type(self).__name__}: ", why=why)

    def min_train_size(self) -> int:
        w = self._window()
        return 2 if w is None else w

    def _estimate(self, y: np.ndarray) -> None:
        w = self._window()
        recent = y if w is None else y[-w:]
        self.mean_ = recent.mean(axis=0)
        self.sigma_ = _residual_sigma(recent - self.mean_, n_params=1)
        self.n_window_ = recent.shape[0]

    def fitted_info(self) -> dict[str, Any]:
        """The number of values averaged."""
        return {**super().fitted_info(), "window": int(self.n_window_)}

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return np.tile(self.mean_, (h, 1))

    def _sd(self, h: int) -> np.ndarray:
        sd = self.sigma_ * np.sqrt(1.0 + 1.0 / self.n_window_)
        return np.tile(sd, (h, 1))

    def _origin_stats(self, y, origins, h):
        w = self._window()
        # origins >= min_train_size (the window, at least 2), checked by _forecast_origins
        starts = np.zeros_like(origins) if w is None else origins - w
        n = (origins - starts)[:, None].astype(float)
        mean, ss = _window_moments(y, starts, origins)
        sd = np.sqrt(ss / (n - 1.0)) * np.sqrt(1.0 + 1.0 / n)  # one degree of freedom for the mean
        return np.repeat(mean[:, None, :], h, axis=1), np.repeat(sd[:, None, :], h, axis=1)
