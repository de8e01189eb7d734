"""Automatic ARIMA order selection: :class:`AutoARIMAForecaster`.

The order is chosen by :mod:`forecastkit.forecasters._order_selection` (Hyndman &
Khandakar 2008); the chosen model is then an :class:`~forecastkit.forecasters.arima.ARIMAForecaster`,
so the notes of :mod:`forecastkit.forecasters.arima` (one model per target, per-target
attributes, transforms, regressors, ``update``) apply here too.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError
from forecastkit.forecasters import _order_selection as sel
from forecastkit.forecasters._arima_transforms import check_transform, transform_target
from forecastkit.forecasters.arima import (
    ARIMAForecaster,
    calendar_names,
    exog_matrix,
    fit_sarimax,
    history_index,
    per_target,
)
from forecastkit.forecasters.base import Forecaster

__all__ = ["AutoARIMAForecaster"]


class AutoARIMAForecaster(Forecaster):
    """ARIMA with automatic order selection (Hyndman & Khandakar 2008).

    1. ``D`` (when ``season_length > 1`` and ``D`` is None): seasonal differences while
       the STL seasonal strength exceeds 0.64 (``seasonal_test="seas"``) or the OCSB
       test does not reject a seasonal unit root (``"ocsb"``), up to ``max_D``;
    2. ``d`` (when None): first differences of the seasonally differenced series while
       a KPSS test rejects level stationarity at 5 %, up to ``max_d``;
       with regressors, both tests run on the residuals of their linear regression,
       and a difference that would make a regressor constant is not taken;
    3. the stepwise search over ``p, q, P, Q`` and the constant (the constant is
       considered only when ``d + D <= 1``), ranked by ``information_criterion`` on the
       same (transformed) data; fits that fail or have AR/MA roots within 1.01 of the
       unit circle are skipped. ``stepwise=False`` searches every model with
       ``p + q + P + Q <= 5``.

    As in ``forecast::auto.arima``, ``max_p, max_q`` are capped at ``n // 3`` (and at
    ``m - 1`` when seasonal terms are searched) and ``max_P, max_Q`` at ``n // 3 // m``.
    The chosen model is then fitted as an :class:`ARIMAForecaster` (``model_``), which
    serves ``predict``, intervals and ``update``.

    Parameters
    ----------
    season_length : int, default 1
        Seasonal period ``m`` (1 = non-seasonal).
    max_p, max_q, max_P, max_Q, max_d, max_D : int
        Search bounds.
    d, D : int, optional
        Fix the differencing orders instead of testing.
    stepwise : bool, default True
    information_criterion : {"aicc", "aic", "bic"}, default "aicc"
    transform, boxcox_lambda : as in :class:`ARIMAForecaster`; the search runs on the
        transformed series.
    seasonal_test : {"seas", "ocsb"}, default "seas"
    trend : {"auto", "n", "c"} or None, default "auto"
        ``"auto"``: a constant (a drift when ``d + D = 1``) is searched when
        ``d + D <= 1``; ``"n"``/None: never; ``"c"``: always.
    future_known, calendar : as in :class:`ARIMAForecaster`.

    Attributes
    ----------
    order_, seasonal_order_, trend_, d_, D_ : the chosen model.
    search_ : list of ``(order, seasonal_order, trend, criterion)`` for every model
        tried, in order (criterion ``inf`` for skipped fits).
    n_fits_ : number of models fitted by the search.
    model_ : the fitted :class:`ARIMAForecaster`.
    aic_, aicc_, bic_, boxcox_lambda_, converged_ : those of ``model_``.
    search_seconds_ : time spent selecting the order.

    With several target columns the search runs per target: the attributes above are
    then dicts keyed by target name.
    """

    _tags = {"intervals": True, "past_covariates": False, "future_covariates": True}

    def __init__(
        self,
        season_length=1,
        max_p=5,
        max_q=5,
        max_P=2,
        max_Q=2,
        max_d=2,
        max_D=1,
        d=None,
        D=None,
        stepwise=True,
        information_criterion="aicc",
        transform=None,
        boxcox_lambda=None,
        seasonal_test="seas",
        trend="auto",
        future_known=None,
        calendar=None,
    ) -> None:
        self.season_length = season_length
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.d = d
        self.D = D
        self.stepwise = stepwise
        self.information_criterion = information_criterion
        self.transform = transform
        self.boxcox_lambda = boxcox_lambda
        self.seasonal_test = seasonal_test
        self.trend = trend
        self.future_known = future_known
        self.calendar = calendar

    # -- validation -----------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        def nonneg(name: str, allow_none: bool = False) -> int | None:
            v = getattr(self, name)
            if v is None and allow_none:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ConfigError(f"{name} must be a non-negative integer{' or None' if allow_none else ''}, got {v!r}")
            return int(v)

        m = nonneg("season_length")
        if m < 1:
            raise ConfigError(f"season_length must be >= 1, got {m}")
        out = {k: nonneg(k) for k in ("max_p", "max_q", "max_P", "max_Q", "max_d", "max_D")}
        out.update(m=m, d=nonneg("d", True), D=nonneg("D", True))
        if self.information_criterion not in ("aicc", "aic", "bic"):
            raise ConfigError(f"information_criterion must be 'aicc', 'aic' or 'bic', got {self.information_criterion!r}")
        if self.seasonal_test not in ("seas", "ocsb"):
            raise ConfigError(f"seasonal_test must be 'seas' or 'ocsb', got {self.seasonal_test!r}")
        if self.trend not in ("auto", "n", "c", None):
            raise ConfigError(f"trend must be 'auto', 'n', 'c' or None, got {self.trend!r}")
        if not isinstance(self.stepwise, (bool, np.bool_)):
            raise ConfigError(f"stepwise must be True or False, got {self.stepwise!r}")
        check_transform(self.transform, self.boxcox_lambda)
        return out

    def min_train_size(self) -> int:
        s = self._settings()
        return max(6, (s["d"] or 0) + (s["D"] or 0) * s["m"] + 3)

    def _inner(self, order, seasonal_order, trend) -> ARIMAForecaster:
        return ARIMAForecaster(
            order=order, seasonal_order=seasonal_order, trend=trend, transform=self.transform,
            boxcox_lambda=self.boxcox_lambda, future_known=self.future_known, calendar=self.calendar,
        )

    # -- fit ------------------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        s = self._settings()
        index = history_index(self)
        calendar = calendar_names(self.calendar)
        exog, _ = exog_matrix(index, self.freq_, X, self.future_known_columns(), calendar)
        t0 = time.perf_counter()
        models, chosen = {}, {}
        for j, target in enumerate(self.targets_):
            col = y[:, j]
            z, _ = transform_target(col, self.transform, self.boxcox_lambda, target)
            choice = sel.select_order(
                z, exog, fit_sarimax, m=s["m"], d=s["d"], D=s["D"],
                max_p=s["max_p"], max_q=s["max_q"], max_P=s["max_P"], max_Q=s["max_Q"], max_d=s["max_d"],
                max_D=s["max_D"], seasonal_test=self.seasonal_test, trend=self.trend,
                criterion=self.information_criterion, stepwise=bool(self.stepwise),
            )
            inner = self._inner(choice["order"], choice["seasonal_order"], choice["trend"])
            # the estimate is that of the differenced data (the exact likelihood, d and D
            # fixed); the full model is only smoothed at it, not re-optimised
            inner._fit_at(
                pd.DataFrame({target: col}, index=index), X, {target: (choice["params"], choice["converged"])}
            )
            models[target], chosen[target] = inner, choice
        self.search_seconds_ = time.perf_counter() - t0
        self.models_ = models
        self.model_ = per_target(models)
        for key in ("order", "seasonal_order", "trend", "d", "D", "search", "n_fits"):
            setattr(self, f"{key}_", per_target({t: c[key] for t, c in chosen.items()}))
        for attr in ("aic_", "aicc_", "bic_", "converged_", "boxcox_lambda_"):
            setattr(self, attr, per_target({t: getattr(mod, attr) for t, mod in models.items()}))

    # -- delegation -----------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        index = history_index(self)
        for j, target in enumerate(self.targets_):
            self.models_[target].update(pd.DataFrame({target: y[:, j]}, index=index), X)

    def _predict(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray:
        return np.column_stack([self.models_[t].predict(h, X_future)[t].to_numpy() for t in self.targets_])

    def _predict_interval(self, h: int, X_future: pd.DataFrame | None, level: float):
        frames = [self.models_[t].predict_interval(h, X_future, level=level) for t in self.targets_]
        def stack(suffix: str) -> np.ndarray:
            return np.column_stack([f[f"{t}{suffix}"].to_numpy() for f, t in zip(frames, self.targets_)])

        return stack(""), stack("_lower"), stack("_upper")

    def _transform_audit(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for mod in self.models_.values():
            for name, entry in mod._transform_audit().items():
                if name not in merged:
                    merged[name] = {**entry, "params": {k: dict(v) for k, v in entry["params"].items()}}
                else:
                    for k, v in entry["params"].items():
                        merged[name]["params"].setdefault(k, {}).update(v)
        return merged
