"""Forecasting by reduction to regression with any scikit-learn regressor.

:class:`ReductionForecaster` frames the (preprocessed) series as a supervised table
with :mod:`forecastkit.framing` and delegates the multi-step logic to one of three
strategies (see :mod:`forecastkit.forecasters._reduction_strategies`):

- ``recursive``: one 1-step model, predictions fed back as lags (with past covariates
  it predicts them too: vector recursion);
- ``direct``: one model per step ``k``, trained on the targets at ``t+k``;
- ``multi_output``: one model predicting all ``h`` steps at once (MIMO).

Covariates: columns of ``X`` named in ``future_known`` (and the generated ``calendar``
features) enter at the *target* time; every other column of ``X`` is a past covariate,
used only as lags up to the forecast origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit._validation import check_int
from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters._reduction_strategies import (
    MIN_SAMPLES,
    REGRESSORS,
    STRATEGIES,
    RegressorFactory,
    make_strategy,
    resolve_regressor,
)
from forecastkit.forecasters._reduction_intervals import out_of_fold_errors
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.series import future_index
from forecastkit.forecasters.covariates import known_block, validate_features
from forecastkit.forecasters.preprocessing import SCALERS, TRANSFORMS, ColumnScaler, TargetTransformer


class ReductionForecaster(Forecaster):
    """Multi-step forecasts from a scikit-learn regressor on lagged values.

    Parameters
    ----------
    regressor : str, class or estimator, default "ridge"
        An alias (``ridge``, ``linear``, ``random_forest``, ``hist_gradient_boosting``,
        ``mlp``, ``knn``), a dotted class path such as ``"sklearn.linear_model.Lasso"``,
        a regressor class or an (unfitted) estimator instance.
    strategy : {"recursive", "direct", "multi_output"}, default "recursive"
    n_in : int, default 12
        Lags of each target used as inputs.
    regressor_params : dict, optional
        Constructor parameters of the regressor (override the alias defaults).
    transform, boxcox_lambda, difference, seasonal_difference, scaler
        Target preprocessing (:class:`~forecastkit.forecasters.preprocessing.TargetTransformer`),
        fitted on the training rows only and inverted on the way out. ``scaler`` also
        scales the covariate columns, with statistics from the training rows.
    past_covariates_lags : int, optional
        Lags of each past covariate (default ``n_in``).
    future_known : str or list of str, optional
        Columns of ``X`` whose future values are known; ``predict`` needs them for the
        ``h`` forecast timestamps.
    calendar : list of str, optional
        Calendar features generated from the timestamps (see
        :func:`~forecastkit.forecasters.covariates.calendar_features`), used as
        future-known covariates.
    horizon : int, optional
        For ``direct`` / ``multi_output``: train the models for this horizon in
        ``fit``. Otherwise (and for any larger ``h``) they are trained on the first
        ``predict`` that needs them, from the data given to ``fit`` (never from data
        passed to ``update``), and cached. ``multi_output`` keeps one model per distinct
        horizon requested.
    random_state : int, default 0
        Passed to regressors that accept it (reproducible forecasts).
    n_jobs : int, optional
        Passed to regressors that accept it.
    regressor_modules : list of str, optional
        Packages besides scikit-learn whose regressor classes ``regressor`` may name
        by dotted path (e.g. ``["lightgbm"]``); nothing else is imported.

    Notes
    -----
    Prediction intervals (``predict_interval``) are empirical quantiles of
    out-of-sample errors measured inside the training data: the last half of the
    training windows (at most the newest 1,000) is split into 3 consecutive blocks; each block is forecast
    ``h`` steps ahead by models refitted on the rows up to the block's first origin,
    exactly as the strategy forecasts (recursion included). The errors are taken on
    the transformed scale, integrated through the differencing (the inverse is affine
    in the forecast for a fixed history) and the per-step quantiles are added to the
    forecast on the log/Box-Cox scale before the monotone back-transform. Preprocessing
    parameters come from the whole training slice. Computed once per ``h`` and cached.
    """

    _tags = {"intervals": True, "past_covariates": True, "future_covariates": True, "fixed_horizon": True}
    seed_param = "random_state"
    param_choices = {
        "regressor": (*REGRESSORS, "a dotted class path"), "strategy": tuple(STRATEGIES),
        "transform": (None, *TRANSFORMS), "scaler": (None, *SCALERS),
    }

    def __init__(
        self,
        regressor="ridge",
        strategy="recursive",
        n_in=12,
        regressor_params=None,
        transform=None,
        boxcox_lambda=None,
        difference=0,
        seasonal_difference=0,
        scaler=None,
        past_covariates_lags=None,
        future_known=None,
        calendar=None,
        horizon=None,
        random_state=0,
        n_jobs=None,
        regressor_modules=None,
    ):
        self.regressor = regressor
        self.strategy = strategy
        self.n_in = n_in
        self.regressor_params = regressor_params
        self.transform = transform
        self.boxcox_lambda = boxcox_lambda
        self.difference = difference
        self.seasonal_difference = seasonal_difference
        self.scaler = scaler
        self.past_covariates_lags = past_covariates_lags
        self.future_known = future_known
        self.calendar = calendar
        self.horizon = horizon
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.regressor_modules = regressor_modules

    # -- sizes -------------------------------------------------------------------------
    def _transformer(self) -> TargetTransformer:
        return TargetTransformer(
            transform=self.transform,
            boxcox_lambda=self.boxcox_lambda,
            difference=self.difference,
            seasonal_difference=self.seasonal_difference,
            scaler=self.scaler,
        )

    def min_train_size(self) -> int:
        """Rows ``fit`` needs: differencing loss + lags + output steps + a few windows.

        Also checks a regressor given by dotted path (allowed module, regressor class)
        without building it, so ``validate`` and the run's plan refuse it up front.
        """
        if isinstance(self.regressor, str) and self.regressor not in REGRESSORS:
            from forecastkit.safety.classes import resolve_regressor_class

            if "." in self.regressor or ":" in self.regressor:
                resolve_regressor_class(self.regressor, self.regressor_modules)
        n_in = check_int("n_in", self.n_in)
        n_past = check_int("past_covariates_lags", self.past_covariates_lags, allow_none=True) or n_in
        steps = 1
        if self.horizon is not None and self.strategy in ("direct", "multi_output"):
            steps = check_int("horizon", self.horizon)
        return self._transformer().n_lost() + max(n_in, n_past) + steps + MIN_SAMPLES - 1

    # -- fit ---------------------------------------------------------------------------
    def _training_index(self, X: pd.DataFrame | None) -> pd.Index:
        return X.index if X is not None else self.history_index()

    def _future_block(self, index: pd.Index, X: pd.DataFrame | None) -> np.ndarray:
        """Raw future-known covariates (user columns, then calendar) over ``index``."""
        return known_block(index, self.freq_, X, self.fk_columns_, self.calendar_)[0]

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy {self.strategy!r}; valid: {', '.join(STRATEGIES)}")
        self.n_in_ = check_int("n_in", self.n_in)
        self.n_past_ = check_int("past_covariates_lags", self.past_covariates_lags, allow_none=True) or self.n_in_
        horizon = check_int("horizon", self.horizon, allow_none=True)
        self.calendar_ = validate_features(self.calendar)
        prototype, multi = resolve_regressor(
            self.regressor, self.regressor_params, self.random_state, self.n_jobs, self.regressor_modules
        )
        self.regressor_ = prototype

        fk = self.future_known_columns()
        self.fk_columns_ = [c for c in (X.columns if X is not None else []) if str(c) in fk]
        self.past_columns_ = [c for c in (X.columns if X is not None else []) if str(c) not in fk]
        index = self._training_index(X)

        self.transformer_ = self._transformer().fit(y)
        lost = self.transformer_.n_lost()
        Z = self.transformer_.transform(y)
        P = X[self.past_columns_].to_numpy(dtype=float) if self.past_columns_ else np.empty((len(y), 0))
        F = self._future_block(index, X)
        # Covariate scalers see only the training rows the model is trained on.
        self.past_scaler_ = ColumnScaler(self.scaler).fit(P[lost:]) if P.shape[1] else None
        self.future_scaler_ = ColumnScaler(self.scaler).fit(F[lost:]) if F.shape[1] else None
        Ps = self.past_scaler_.transform(P[lost:]) if P.shape[1] else P[lost:]
        Fs = self.future_scaler_.transform(F[lost:]) if F.shape[1] else F[lost:]

        factory = RegressorFactory(prototype, multi, self.n_jobs)
        self.strategy_ = make_strategy(self.strategy, factory, self.n_in_, self.n_past_).fit(Z, Ps, Fs)
        self._hand_over_blocks(lost)
        self.strategy_.ensure(horizon or 1)
        self.estimators_ = self.strategy_.models_
        self.scaler_rows_start_ = str(index[lost])
        self._errors: dict[int, np.ndarray] = {}
        self._set_history(y, P)

    # -- the conformal wrapper's calibration copy, from this fit's Gram pass ----------------
    def _prefix_free(self) -> bool:
        """True when a fit on the first rows frames exactly the first rows of this fit's
        design: no scaler and no estimated Box-Cox lambda (nothing fitted on the rows)."""
        return self.scaler is None and not (self.transform == "boxcox" and self.boxcox_lambda is None)

    def _reserve_copy(self, n0: int, h: int) -> None:
        """Ask the next ``fit`` to accumulate, in its own pass over the data, the Gram
        blocks a fit on its first ``n0`` rows needs for ``h`` steps (and for that fit's
        interval calibration); :meth:`_prefix_copy` then fits it without a pass."""
        self._copy_rows = (int(n0), int(h))

    def _hand_over_blocks(self, lost: int) -> None:
        request, handed = self.__dict__.pop("_copy_rows", None), self.__dict__.pop("_precomputed", None)
        if handed is not None:
            self.strategy_.precomputed_ = handed
        elif request is not None and self._prefix_free():
            from forecastkit.forecasters._calibration import calibration_cuts

            m0 = request[0] - lost  # the copy's rows after differencing
            self.strategy_.reserve_ = [m0] + (calibration_cuts(m0, self.strategy_._start(), request[1]) or [])

    def _prefix_copy(self, y: pd.DataFrame, X: pd.DataFrame | None, n0: int) -> "ReductionForecaster | None":
        """This model fitted on the first ``n0`` rows of ``y`` / ``X`` (the rows of this
        fit's start), its linear models solved from the blocks this fit reserved (no pass
        over the data; equal to a plain fit up to rounding); None when none were reserved."""
        strategy = getattr(self, "strategy_", None)
        if strategy is None:
            return None
        strategy.__dict__.pop("reserve_", None)
        reserved = strategy.__dict__.pop("reserved_", None)  # used once: saved models stay small
        if reserved is None:
            return None
        copy = type(self)(**self.get_params())
        copy._precomputed = reserved
        copy.fit(y.iloc[:n0], None if X is None else X.iloc[:n0])
        copy.strategy_.__dict__.pop("precomputed_", None)
        return copy

    def _set_history(self, y: np.ndarray, P: np.ndarray) -> None:
        need = self.transformer_.n_lost() + max(self.n_in_, self.n_past_ if P.shape[1] else 0)
        if len(y) < need:
            raise DataError(
                f"forecasting from this history needs at least {need} observations "
                f"(differencing {self.transformer_.n_lost()} + lags), got {len(y)}"
            )
        self.history_y_ = np.array(y, dtype=float)
        self.history_P_ = np.array(P, dtype=float)

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        P = X[self.past_columns_].to_numpy(dtype=float) if self.past_columns_ else np.empty((len(y), 0))
        self._set_history(y, P)

    # -- predict -----------------------------------------------------------------------
    def _inputs(self, h: int, X_future: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The input windows at the origin and the future-known block over the horizon."""
        Zh = self.transformer_.transform(self.history_y_)
        Zw = Zh[-self.n_in_:][None]
        if self.past_scaler_ is not None:
            Pw = self.past_scaler_.transform(self.history_P_[-self.n_past_:])[None]
        else:
            Pw = np.empty((1, 0, 0))
        idx = future_index(self.last_, self.freq_, h)
        F = self._future_block(idx, X_future)
        if self.future_scaler_ is not None:
            F = self.future_scaler_.transform(F)
        return Zw, Pw, F[None]

    def _forecast_transformed(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray:
        self.strategy_.ensure(h)
        Zw, Pw, Ff = self._inputs(h, X_future)
        return self.strategy_.forecast(Zw, Pw, Ff)  # (1, h, k)

    def _predict(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray:
        z = self._forecast_transformed(h, X_future)
        return self.transformer_.inverse_transform_paths(z, self.history_y_)[0]

    def _band(self, h: int, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper quantiles (h, k) of the out-of-fold errors on the level scale."""
        if h not in self._errors:
            self._errors[h] = self.transformer_.integrate_errors(out_of_fold_errors(self.strategy_, h))
        alpha = 1.0 - level
        lo, hi = np.quantile(self._errors[h], [alpha / 2, 1 - alpha / 2], axis=0)
        return lo, hi

    def _predict_interval(self, h: int, X_future: pd.DataFrame | None, level: float):
        z = self._forecast_transformed(h, X_future)
        tt = self.transformer_
        center = tt.inverse_to_level(z, self.history_y_)[0]
        lo, hi = self._band(h, level)
        return tt.unstabilise(center), tt.unstabilise(center + lo), tt.unstabilise(center + hi)

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins: Any, h: int,
                          level: float | None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Forecasts from many origins at once with the fitted parameters (the interval
        calibration of :class:`~forecastkit.forecasters.conformal.ConformalForecaster`).

        Row ``i`` of each (n_origins, h, k) array equals ``update(y[:o], X[:o])`` then
        ``predict_interval(h, X[o:o + h], level)`` (``predict``, and None bounds, when
        ``level`` is None) with ``o = origins[i]``; ``y`` and ``X`` start at the first
        row the model was fitted on, and ``o + h <= len(y)``.
        """
        self._check_fitted()
        origins = np.asarray(origins, dtype=int)
        tt, n_in = self.transformer_, self.n_in_
        lost = tt.n_lost()
        n_past = self.n_past_ if self.past_columns_ else 0
        if len(origins) == 0 or origins.min() < lost + max(n_in, n_past) or origins.max() + h > len(y):
            raise DataError(f"origins {origins.min()}..{origins.max()} do not fit {len(y)} rows and h={h}")
        yv = y.to_numpy(dtype=float)
        end = int(origins.max()) + h
        Z = tt.transform(yv[:end - h])  # row r: the transformed value of row r + lost
        Zw = Z[(origins - lost)[:, None] - n_in + np.arange(n_in)]
        if self.past_scaler_ is not None:
            Ps = self.past_scaler_.transform(X[self.past_columns_].to_numpy(dtype=float)[:end - h])
            Pw = Ps[origins[:, None] - n_past + np.arange(n_past)]
        else:
            Pw = np.empty((len(origins), 0, 0))
        index = (X.index if X is not None else y.index)[:end]
        F = self._future_block(index, None if X is None else X.iloc[:end])
        if self.future_scaler_ is not None:
            F = self.future_scaler_.transform(F)
        self.strategy_.ensure(h)
        z = self.strategy_.forecast(Zw, Pw, F[origins[:, None] + np.arange(h)])
        center = tt.inverse_to_level_at(z, yv, origins)
        if level is None:
            return tt.unstabilise(center), None, None
        lo, hi = self._band(h, level)
        return tt.unstabilise(center), tt.unstabilise(center + lo), tt.unstabilise(center + hi)

    def _trusted_modules(self) -> tuple[str, ...]:
        from forecastkit.safety.classes import check_modules

        return check_modules(self.regressor_modules)

    # -- description and audit ---------------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """Strategy, regressor, lags and the fitted target transform chain."""
        chain = self.transformer_.describe()
        return {
            **super().fitted_info(),
            "strategy": self.strategy,
            "regressor": self.regressor if isinstance(self.regressor, str) else type(self.regressor_).__name__,
            "lags": self.n_in_,
            "past_lags": self.n_past_ if self.past_columns_ else None,
            "transform": chain["transform"],
            "boxcox_lambda": chain["boxcox_lambda"],
            "difference": chain["difference"],
            "seasonal_difference": chain["seasonal_difference"],
            "scaler": chain["scaler"],
            "n_models": len(self.estimators_),
        }

    def _transform_audit(self) -> dict[str, Any]:
        start, end, n = self.fit_span_
        audit = {
            "target": {
                "fit_start": start,
                "fit_end": end,
                "n_rows": n,
                "params": self.transformer_.describe(),
            }
        }
        for name, scaler, cols in (
            ("past_covariates", self.past_scaler_, [str(c) for c in self.past_columns_]),
            ("future_covariates", self.future_scaler_, [str(c) for c in self.fk_columns_] + self.calendar_),
        ):
            if scaler is not None and self.scaler is not None:
                audit[name] = {
                    "fit_start": self.scaler_rows_start_,
                    "fit_end": end,
                    "n_rows": scaler.n_fit_rows_,
                    "columns": cols,
                    "params": scaler.describe(),
                }
        return audit
