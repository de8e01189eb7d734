"""The one interface every forecaster implements.

A forecaster works on a DataFrame of targets ``y`` (one column per target) indexed
by a regular ``DatetimeIndex`` (or a ``RangeIndex``), and optional covariates ``X``
aligned with it. Subclasses implement the numpy core:

- ``_fit(y, X)`` with ``y`` a float array ``(n, k)`` and ``X`` a DataFrame or None;
- ``_predict(h, X_future)`` returning an array ``(h, k)``;
- optionally ``_predict_interval(h, X_future, level)`` returning ``(mean, lower, upper)``;
- optionally ``_update(y, X)`` to take new observations without re-estimating.

This base class handles the DataFrame layer: validation, dates, frequencies, the
"call fit first" check and the future timestamps of the forecast.

Covariates
----------
``X`` holds every covariate column. Columns named in the forecaster's
``future_known`` parameter are *future-known* (their values for the forecast
horizon must be passed to ``predict``); all other columns of ``X`` are *past
covariates*, observed only up to the forecast origin and only ever used as lags.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError, ForecastkitTypeError, NotFittedError
from forecastkit.forecasters.series import as_target_frame, check_horizon, future_index, index_freq, span_index


#: fitted attributes every forecaster has; the base class saves and restores them
INDEX_STATE = ("targets_", "n_targets_", "covariates_", "freq_", "first_", "last_", "n_obs_", "is_fitted_")


# --------------------------------------------------------------------------- base class
class Forecaster(ABC):
    """Base class: ``fit(y, X=None) -> self``, ``predict(h, X=None) -> DataFrame``.

    Subclasses store their keyword arguments unchanged in ``__init__`` (scikit-learn
    convention) and implement ``_fit`` and ``_predict``.
    """

    #: capabilities, read by the backtest layer and the CLI
    _tags: dict[str, bool] = {
        "intervals": False,  # implements _predict_interval
        "past_covariates": False,  # can use past covariates (lags of X)
        "future_covariates": False,  # can use future-known covariates (``future_known`` parameter)
        "fixed_horizon": False,  # trains for a number of steps: has a ``horizon`` parameter the run sets
        "neural": False,  # builds a Keras model
        # its fit starts from a calibration copy's estimate (warm_start): on a cold start
        # the conformal wrapper fits the copy first
        "warm_from_copy": False,
    }
    #: smallest number of observations ``fit`` needs (subclasses refine ``min_train_size``)
    _min_obs: int = 1
    #: the constructor parameter that takes the run's seed (None: deterministic model)
    seed_param: str | None = None
    #: allowed values of the parameters that take one of a few names (``forecastkit models TYPE``)
    param_choices: dict[str, tuple] = {}

    # -- parameters (scikit-learn style) -------------------------------------------
    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """Constructor parameter names and their defaults (None when required)."""
        sig = inspect.signature(cls.__init__)
        return {
            p.name: (None if p.default is inspect.Parameter.empty else p.default)
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        }

    @classmethod
    def _param_names(cls) -> list[str]:
        return list(cls.param_defaults())

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, as stored."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> "Forecaster":
        valid = set(self._param_names())
        for key, value in params.items():
            if key not in valid:
                raise DataError(
                    f"{type(self).__name__} has no parameter {key!r}; valid: {sorted(valid)}"
                )
            setattr(self, key, value)
        return self

    def clone(self) -> "Forecaster":
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def tags(cls) -> dict[str, bool]:
        merged: dict[str, bool] = {}
        for klass in reversed(cls.__mro__):
            merged.update(getattr(klass, "_tags", {}))
        return merged

    def min_train_size(self) -> int:
        """Minimum number of observations ``fit`` accepts with these parameters."""
        return self._min_obs

    # -- public API ----------------------------------------------------------------
    def fit(self, y: Any, X: pd.DataFrame | None = None) -> "Forecaster":
        """Fit on the history ``y`` (and covariates ``X`` aligned with it). Returns self."""
        values, X_df = self._begin_fit(y, X)
        self._fit(values, X_df)
        self.is_fitted_ = True
        return self

    def _min_size_hint(self) -> str:
        """What to change when the rows are too few (appended to that error)."""
        return ""

    def _fit_prefix(self, y: pd.DataFrame, X: pd.DataFrame | None, n0: int) -> "Forecaster | None":
        """This model fitted on the first ``n0`` rows of ``y`` / ``X`` (a conformal
        calibration copy); None when they are too few for it or it cannot be fitted
        there (``DataError``)."""
        if n0 < self.min_train_size():
            return None
        try:
            return self.fit(y.iloc[:n0], None if X is None else X.iloc[:n0])
        except DataError:
            return None

    def _begin_fit(self, y: Any, X: pd.DataFrame | None) -> tuple[np.ndarray, pd.DataFrame | None]:
        """Validate a fit's inputs and record the index state (``targets_``,
        ``covariates_``, ``freq_``, ``first_``, ``last_``, ``n_obs_`` and the
        ``fit_span_`` snapshot); returns ``y`` as a float array and ``X``."""
        y_df = as_target_frame(y)
        need = self.min_train_size()
        if len(y_df) < need:
            raise DataError(
                f"{type(self).__name__} needs at least {need} observations to fit, got {len(y_df)}"
                f"{self._min_size_hint()}"
            )
        X_df = self._check_X_fit(X, y_df.index)
        self._set_index_state(y_df)
        self.targets_ = [str(c) for c in y_df.columns]
        self.n_targets_ = len(self.targets_)
        self.covariates_ = [] if X_df is None else [str(c) for c in X_df.columns]
        # what the parameters were estimated on (update moves first_/last_, not this)
        self.fit_span_ = (str(self.first_), str(self.last_), int(self.n_obs_))
        return y_df.to_numpy(dtype=float), X_df

    def update(self, y: Any, X: pd.DataFrame | None = None) -> "Forecaster":
        """Replace the observed history with ``y`` (same columns and frequency) without
        re-estimating parameters, so ``predict`` forecasts from the end of ``y``.

        Used by backtests with ``refit_every > 1`` and to forecast from new data with a
        saved model.
        """
        self._check_fitted()
        y_df = as_target_frame(y)
        cols = [str(c) for c in y_df.columns]
        if cols != self.targets_:
            raise DataError(f"update: y has columns {cols}, the forecaster was fitted on {self.targets_}")
        X_df = self._check_X_fit(X, y_df.index)
        got = [] if X_df is None else [str(c) for c in X_df.columns]
        if got != self.covariates_:
            raise DataError(f"update: X has columns {got}, the forecaster was fitted with {self.covariates_}")
        old_freq = self.freq_
        self._set_index_state(y_df)
        if isinstance(self.last_, pd.Timestamp) and old_freq != self.freq_:
            raise DataError(f"update: the new data has frequency {self.freq_}, the model was fitted at {old_freq}")
        self._update(y_df.to_numpy(dtype=float), X_df)
        return self

    def predict(self, h: int, X: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast the ``h`` steps after the end of the history.

        Returns a DataFrame indexed by the ``h`` future timestamps, one column per target.
        ``X`` must give the future-known covariates over those timestamps.
        """
        self._check_fitted()
        h = check_horizon(h)
        idx = future_index(self.last_, self.freq_, h)
        X_future = self._check_X_future(X, idx)
        mean = np.asarray(self._predict(h, X_future), dtype=float).reshape(h, self.n_targets_)
        return pd.DataFrame(mean, index=idx, columns=self.targets_)

    def predict_interval(
        self, h: int, X: pd.DataFrame | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Point forecast plus a prediction interval.

        Columns: for each target ``t``: ``t``, ``t_lower``, ``t_upper``.
        """
        self._check_fitted()
        if not self.tags()["intervals"]:
            raise DataError(f"{type(self).__name__} does not produce prediction intervals")
        if not (isinstance(level, (float, int)) and 0 < level < 1):
            raise DataError(f"level must be in (0, 1), got {level!r}")
        h = check_horizon(h)
        idx = future_index(self.last_, self.freq_, h)
        X_future = self._check_X_future(X, idx)
        mean, lower, upper = (
            np.asarray(a, dtype=float).reshape(h, self.n_targets_)
            for a in self._predict_interval(h, X_future, float(level))
        )
        out = {}
        for j, t in enumerate(self.targets_):
            out[t] = mean[:, j]
            out[f"{t}_lower"] = lower[:, j]
            out[f"{t}_upper"] = upper[:, j]
        return pd.DataFrame(out, index=idx)

    # -- hooks for subclasses -------------------------------------------------------
    @abstractmethod
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        """Estimate from ``y`` (n, k) and covariates ``X`` (DataFrame or None)."""

    @abstractmethod
    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        """Forecast ``h`` steps: an array (h, k) in the data's units."""

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        """``(mean, lower, upper)`` arrays (h, k); only called when the tag says so."""
        raise DataError(f"{type(self).__name__} does not produce prediction intervals")

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        # Default: re-estimate on the new history. Models with learned parameters
        # override this to keep them and only replace the history.
        self._fit(y, X)

    # -- validation helpers ---------------------------------------------------------
    def _set_index_state(self, y_df: pd.DataFrame) -> None:
        index = y_df.index
        self.freq_ = index_freq(index)
        self.last_ = index[-1]
        self.first_ = index[0]
        self.n_obs_ = len(index)

    def future_known_columns(self) -> list[str]:
        """Names of the covariates declared future-known (``future_known`` parameter)."""
        cols = getattr(self, "future_known", None) or []
        return [cols] if isinstance(cols, str) else [str(c) for c in cols]

    def _check_X_fit(self, X: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame | None:
        fk = self.future_known_columns()
        if X is None:
            if fk:
                raise DataError(f"future_known covariates {fk} were declared but X is None")
            return None
        if not isinstance(X, pd.DataFrame):
            raise ForecastkitTypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
        if X.shape[1] == 0:
            return None
        tags = self.tags()
        past = [c for c in X.columns if c not in fk]
        if past and not tags["past_covariates"]:
            raise DataError(
                f"{type(self).__name__} cannot use past covariates {past}; "
                "drop them or declare them in future_known if their future values are known"
            )
        if fk and not tags["future_covariates"]:
            raise DataError(f"{type(self).__name__} cannot use future-known covariates {fk}")
        missing = [c for c in fk if c not in X.columns]
        if missing:
            raise DataError(f"future_known covariate(s) {missing} are not columns of X {list(X.columns)}")
        if not X.index.equals(index):
            try:
                X = X.loc[index]
            except KeyError:
                raise DataError(
                    "X must cover every timestamp of y: X spans "
                    f"{X.index[0] if len(X) else None}..{X.index[-1] if len(X) else None}, "
                    f"y spans {index[0]}..{index[-1]}"
                ) from None
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise DataError(f"covariate column(s) {bad} are not numeric; one-hot encode them first")
        arr = X.to_numpy(dtype=float)
        if not np.isfinite(arr).all():
            counts = {c: int((~np.isfinite(arr[:, i])).sum()) for i, c in enumerate(X.columns)}
            raise DataError(f"X contains NaN or infinite values (count per column: { {c: n for c, n in counts.items() if n} })")
        return X.astype(float)

    def _check_X_future(self, X: pd.DataFrame | None, idx: pd.Index) -> pd.DataFrame | None:
        """Select the future-known columns of ``X`` over ``idx`` (past covariates are
        never read beyond the origin, so they are not even taken from ``X``)."""
        fk = self.future_known_columns()
        if not fk:
            return None
        if X is None:
            raise DataError(
                f"future-known covariates {fk} must be given for the {len(idx)} forecast "
                f"steps {idx[0]}..{idx[-1]}; pass X"
            )
        if not isinstance(X, pd.DataFrame):
            raise ForecastkitTypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
        missing = [c for c in fk if c not in X.columns]
        if missing:
            raise DataError(f"X is missing future-known covariate column(s) {missing}; it has {list(X.columns)}")
        if X.index.equals(idx):  # the usual case (a backtest's slice): no per-column lookups
            Xf = X[fk]
            arr = Xf.to_numpy(dtype=float)
            if np.isfinite(arr).all():
                return Xf.astype(float)
        for c in fk:
            col = X[c].dropna()
            have = col.index.intersection(idx)
            if len(have) < len(idx):
                short = len(idx) - len(have)
                last = col.index.max() if len(col) else None
                raise DataError(
                    f"future-known covariate {c!r} is {short} step(s) short of the "
                    f"{len(idx)}-step horizon: it ends at {last}, the horizon ends at {idx[-1]}"
                )
        Xf = X.loc[idx, fk]
        arr = Xf.to_numpy(dtype=float)
        if not np.isfinite(arr).all():
            raise DataError("future-known covariates contain NaN or infinite values over the horizon")
        return Xf.astype(float)

    def history_index(self) -> pd.Index:
        """The time index of the history the model was fitted (or last updated) on."""
        return span_index(self.first_, self.freq_, self.n_obs_)

    def fitted_info(self) -> dict[str, Any]:
        """What the fitted model chose (orders, transform, lags, epochs run ...), as
        JSON-safe values; used by backtests, ``run.json`` and the report. The base
        has nothing to add; every family overrides this and extends ``super()``'s."""
        self._check_fitted()
        return {}

    def fit_audit(self) -> dict[str, Any]:
        """What the last ``fit`` saw: the training span, and for every fitted
        transform/scaler the rows it was fitted on (the leakage audit of backtests)."""
        self._check_fitted()
        return {
            "fit_start": str(self.first_),
            "fit_end": str(self.last_),
            "n_obs": int(self.n_obs_),
            "transforms": self._transform_audit(),
        }

    def _transform_audit(self) -> dict[str, Any]:
        # Forecasters with fitted preprocessing report it here: a mapping of
        # transform name -> {"fit_start", "fit_end", "n_rows", "params"}.
        return {}

    def _check_fitted(self) -> None:
        if not getattr(self, "is_fitted_", False):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(y) before predict/update"
            )

    # -- persistence hooks (pickle-free; see forecastkit.forecasters.persistence) ----
    def _state_attributes(self, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        """Fitted attributes a family saves: all but the parameters and the index state."""
        skip = set(self._param_names()) | set(INDEX_STATE) | set(exclude)
        return {k: v for k, v in vars(self).items() if k not in skip}

    def _trusted_modules(self) -> tuple[str, ...]:
        """Modules (besides scikit-learn) whose classes saved estimators may contain."""
        return ()

    def _save_state(self, directory: Path) -> dict[str, Any]:
        """Write the family's fitted state into ``directory``; return a JSON-safe dict.

        The default stores every fitted attribute as JSON plus ``state.npz`` arrays
        (scikit-learn estimators as ``skops`` files); families whose state holds
        objects that cannot be stored so (statsmodels results, Keras models) override it.
        """
        from forecastkit.safety.codec import save_values

        return save_values(directory, self._state_attributes())

    def _load_state(self, directory: Path, state: dict[str, Any]) -> None:
        """Restore what :meth:`_save_state` wrote into this instance (built with the same params)."""
        from forecastkit.safety.codec import load_values

        vars(self).update(load_values(directory, state, self._trusted_modules()))

    def _dump_fitted(self, directory: Path) -> dict[str, Any]:
        """Index state (stored here) plus the family's state (:meth:`_save_state`)."""
        from forecastkit.safety.codec import save_values

        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        index = save_values(directory, {k: getattr(self, k) for k in INDEX_STATE}, "index.npz")
        return {"index": index, "family": self._save_state(directory)}

    def _restore_fitted(self, directory: Path, state: dict[str, Any]) -> None:
        from forecastkit.safety.codec import load_values

        directory = Path(directory)
        vars(self).update(load_values(directory, state["index"]))
        self._load_state(directory, state["family"])


def normal_quantile(level: float) -> float:
    """Two-sided standard normal quantile for a central interval of ``level``."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2.0))
