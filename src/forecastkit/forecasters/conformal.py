"""Intervals that hold their level: :class:`ConformalForecaster`, split-conformal
calibration per horizon step on an inner rolling split of the training rows, and
clipping at 0 for non-negative targets.

``fit`` on ``n`` rows fits the wrapped model on all of them (it serves the point
forecast), and a second copy on the first ``n - windows - horizon + 1`` rows; that
copy is then updated origin by origin (its parameters kept) through the last
``windows`` origins whose ``horizon`` following steps are still inside the training
rows, and forecasts ``horizon`` steps from each. The ``windows`` absolute errors of
step ``k`` are genuinely out of sample for the copy, and the half-width of the
``level`` interval at step ``k`` is their ``ceil((windows + 1) level)``-th smallest
(split conformal prediction, Vovk et al. 2005; Lei et al. 2018): with exchangeable
errors it covers with probability at least ``level``. The copy has seen fewer rows
than the model that forecasts, so the band is, if anything, slightly conservative.

Models that choose their structure (``auto_arima``: orders, constant and transform;
``ets``: the form) give their own copies instead (``_structure_copy``): the chosen
structure re-estimated on the rows before each block of ``horizon`` windows, each
block forecast by its copy (updated, not refitted). The errors are then those of the
model that forecasts. A single copy that searched again on half the rows chose weaker
models and estimated them on far fewer rows (airline, 16 origins: auto_arima covered
99.0 / 99.5 % at a nominal 80 / 95 %; with these copies 82.8 / 97.9 %). The structure
was chosen on all the training rows, calibration windows included (never the test
rows): a little optimism the coverage measurements did not show (M3 monthly, 200
series: auto_arima 82.8 / 91.7 %, ets 81.0 / 91.1 %).

Cost: models with a ``_forecast_origins`` method (reduction, Keras and ARIMA models)
forecast every calibration window in one vectorised pass (equal to updating and
forecasting origin by origin, which other models do); a plain linear reduction model's
copy is solved from Gram blocks its full fit accumulated in the same pass over the data
(no refit; equal to fitting the copy up to rounding); a Keras copy trains with a shorter
early-stopping patience (:data:`COPY_PATIENCE`).

Steps beyond the calibrated ``horizon`` use the last step's errors; a level too high
for the number of windows (``ceil((windows + 1) level) > windows``) uses the largest
error (and ``fitted_info`` says so). When the training rows are too few to
calibrate, the wrapped model's own intervals are kept and ``fitted_info`` says why.

With ``nonnegative`` (``"auto"``: when every training value is >= 0), forecasts and
bounds are clipped at 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters._members import build_member
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.conformal_scores import (
    LOCAL_SPAN,
    SCORES,
    conformal_quantile,
    default_windows,
    local_volatility,
)
from forecastkit.forecasters.conformal_windows import band_of, forecast_windows, scale_of

__all__ = ["ConformalForecaster"]

METHODS = ("conformal", "native")
#: early-stopping patience of a Keras model's calibration copy (at most the model's own):
#: the copy's second training was half of a wrapped Keras fit (airline: best epoch 0-1,
#: then 20 epochs of patience). The copy never sees the calibration windows, so the
#: scores stay out of sample (coverage holds as for any copy); one stopped earlier tends
#: to forecast a little worse, i.e. to widen the band slightly.
COPY_PATIENCE = 5


class _Tags:
    """``tags()`` on the class (the wrapper's own) and on an instance (the wrapped
    type's covariate and Keras tags, so the run gives it the columns its model uses)."""

    def __get__(self, obj, cls):
        def tags() -> dict[str, bool]:
            merged: dict[str, bool] = {}
            for klass in reversed(cls.__mro__):
                merged.update(getattr(klass, "_tags", {}))
            spec = getattr(obj, "model", None) if obj is not None else None
            if isinstance(spec, dict):
                from forecastkit.forecasters.registry import REGISTRY

                if spec.get("type") in REGISTRY:
                    base = REGISTRY[spec["type"]].load().tags()
                    merged.update({k: base[k] for k in ("past_covariates", "future_covariates", "neural")})
            return merged

        return tags


class ConformalForecaster(Forecaster):
    """A model with split-conformal intervals per horizon step (see the module notes).

    Parameters
    ----------
    model : dict
        The wrapped model's table, ``{"type": "lstm", "variant": "window", ...}``.
    method : {"conformal", "native"}, default "conformal"
        ``"native"`` keeps the wrapped model's intervals (only the clipping applies).
    horizon : int, optional
        Steps calibrated (the run sets the task's horizon); default the wrapped
        model's ``horizon`` parameter, else 12.
    windows : int, optional
        Calibration origins (at least ``ceil(1 / (1 - level)) - 1`` for a ``level``
        interval: 19 at 95 %, 4 at 80 %). Default: as many as leave the calibrating
        copy at least half the training rows, at most 1,000.
    score : {"scaled", "absolute", "local"}, default "scaled"
        ``"scaled"``: each error divided by the half-width of the model's own 80 %
        band at that origin and step (a normalised conformity score: the band then
        follows the model's own scale, e.g. growing with the level of a log model);
        the conformal quantile multiplies the model's band at prediction time. Where
        the model gives no usable band: relative errors ``|e| / |forecast|`` when it
        forecasts a log/Box-Cox transform of positive data, else absolute errors.
        ``"local"``: each error divided by the series' volatility just before its
        origin (the mean absolute one-step change over the last ``max(horizon, 10)``
        rows), and the quantile multiplied by that of the last rows at prediction
        time: for data whose volatility moves with the season or regime more than
        with the model's band (daily PM2.5: winter folds were calibrated on calmer
        summer windows). Needs that many rows before the first window, else absolute.
    nonnegative : {"auto", True, False}, default "auto"
        Clip forecasts and bounds at 0 (``"auto"``: when the training rows are >= 0).

    Attributes
    ----------
    model_ : the wrapped model fitted on all the rows.
    scores_ : array (windows, horizon, targets) of absolute out-of-sample errors, or
        None when none could be computed (``note_`` says why).
    clip_ : whether forecasts are clipped at 0.
    """

    _tags = {"intervals": True, "past_covariates": True, "future_covariates": True}
    tags = _Tags()
    param_choices = {"method": METHODS, "nonnegative": ("auto", True, False), "score": SCORES}
    member_params = ("model",)

    def __init__(self, model=None, method="conformal", horizon=None, windows=None, nonnegative="auto",
                 score="scaled") -> None:
        self.model = model
        self.method = method
        self.score = score
        self.horizon = horizon
        self.windows = windows
        self.nonnegative = nonnegative

    # -- parameters -------------------------------------------------------------------
    def _base(self) -> Forecaster:
        if not isinstance(self.model, dict) or not isinstance(self.model.get("type"), str):
            raise ConfigError(f"conformal: model must be a table with a 'type' key, got {self.model!r}")
        if self.method not in METHODS:
            raise ConfigError(f"conformal: method must be 'conformal' or 'native', got {self.method!r}")
        if self.nonnegative not in ("auto", True, False):
            raise ConfigError(f"conformal: nonnegative must be 'auto', true or false, got {self.nonnegative!r}")
        if self.score not in SCORES:
            raise ConfigError(f"conformal: score must be one of {', '.join(SCORES)}, got {self.score!r}")
        w = self.windows
        if w is not None and (not isinstance(w, (int, np.integer)) or isinstance(w, bool) or w < 1):
            raise ConfigError(f"conformal: windows must be an integer >= 1, got {w!r}")
        return build_member(self.model, "conformal", "model", 0)

    def _h(self) -> int:
        h = self.horizon if self.horizon is not None else (self.model.get("horizon") or 12)
        if not isinstance(h, (int, np.integer)) or isinstance(h, bool) or h < 1:
            raise ConfigError(f"conformal: horizon must be an integer >= 1, got {h!r}")
        return int(h)

    def min_train_size(self) -> int:
        return self._base().min_train_size()

    def future_known_columns(self) -> list[str]:
        cols = (self.model or {}).get("future_known") if isinstance(self.model, dict) else None
        cols = cols or []
        return [cols] if isinstance(cols, str) else [str(c) for c in cols]

    # -- fit --------------------------------------------------------------------------
    def warm_start(self, previous: "ConformalForecaster") -> "ConformalForecaster":
        """Pass ``previous``'s fitted models (the previous backtest fold's, with the same
        wrapped model, whatever the horizon) on as start values: its wrapped model to the
        next fit's wrapped model and its calibration copy to the next copy, for models that
        have ``warm_start`` (``arima``, ``auto_arima``, ``ets``). Nothing of ``previous``'s rows
        enters the next fit's data; only where its optimisers start. Returns self."""
        if isinstance(previous, ConformalForecaster) and previous.model == self.model:
            self._warm = (getattr(previous, "model_", None), getattr(previous, "_cal_model", None))
        return self

    def _state_attributes(self, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        # the calibration copy and the warm-start links only seed the next fold's fits
        return super()._state_attributes(exclude=(*exclude, "_cal_model", "_warm"))

    def _warmed(self, model: Forecaster, previous: Forecaster | None) -> Forecaster:
        if previous is not None and hasattr(model, "warm_start"):
            model.warm_start(previous)
        return model

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        warm_model, warm_cal = getattr(self, "_warm", (None, None))
        self._warm = (None, None)  # used once
        base = self._warmed(self._base(), warm_model)
        frame = pd.DataFrame(y, index=self.history_index(), columns=self.targets_)
        self.clip_ = self.nonnegative is True or (self.nonnegative == "auto" and bool((y >= 0).all()))
        self.scores_, self.note_, self.scale_ = None, None, None
        if self.method == "native":
            self.model_ = base.fit(frame, X)
            self.note_ = "native intervals (method = 'native')"
            return
        h, n = self._h(), len(frame)
        need = base.min_train_size()
        w = default_windows(n, h, need)[0] if self.windows is None else int(self.windows)
        n0 = n - w - h + 1
        calibrate = w >= 1 and n0 >= need
        if calibrate and hasattr(base, "_reserve_copy"):  # the copy's Gram blocks from the same pass
            base._reserve_copy(n0, h)
        cal = None
        if calibrate and warm_model is None and base.tags()["warm_from_copy"]:
            # a cold start (first fold of a chain, final fit): the copy first, then the
            # model's optimiser (or search) starts where the copy's ended: far fewer
            # iterations on a long series. The copy's rows are a prefix of the model's.
            try:
                cal = self._fit_copy(frame, X, n0, warm_cal)
                base.warm_start(cal)
            except DataError:  # the model is still fitted cold; the note below says why
                cal = None
        self.model_ = base.fit(frame, X)
        if not calibrate:
            self.note_ = (f"native intervals: {n} training rows are too few to calibrate windows of {h} steps "
                          f"(needs at least {need + h})")
            return
        try:
            self.scores_ = self._calibrate(frame, X, n0, h, warm_cal, cal)
        except DataError as err:  # the copy on the first rows cannot be fitted or forecast there
            self.scores_, self.scale_ = None, None
            self.note_ = f"native intervals: the calibration copy on the first {n0} rows failed ({err})"
            return
        self.cal_fit_rows_ = int(n0)

    def _copy(self) -> Forecaster:
        """The unfitted calibration copy: the wrapped model, except that a Keras model
        stops after :data:`COPY_PATIENCE` epochs without a better validation loss (its
        own patience when smaller)."""
        base = self._base()
        patience = getattr(base, "patience", None)
        if base.tags().get("neural") and patience is not None and patience > COPY_PATIENCE:
            base.set_params(patience=COPY_PATIENCE)
        return base

    def _fit_copy(self, frame: pd.DataFrame, X: pd.DataFrame | None, n0: int,
                  warm_cal: Forecaster | None) -> Forecaster:
        cal = self._warmed(self._copy(), warm_cal).fit(frame.iloc[:n0], None if X is None else X.iloc[:n0])
        self._cal_model = cal  # start values for the next fold's copy (see warm_start)
        return cal

    def _calibrate(self, frame: pd.DataFrame, X: pd.DataFrame | None, n0: int, h: int,
                   warm_cal: Forecaster | None = None, cal: Forecaster | None = None) -> np.ndarray:
        origins = np.arange(n0, len(frame) - h + 1)
        # auto_arima and ets: copies of the structure they chose, one per block of windows
        out = self._windows_in_blocks(frame, X, origins, h)
        if out is None:
            # a linear model's copy from its own Gram pass, else a copy of the table
            prefix_copy = getattr(self.model_, "_prefix_copy", None)
            own = prefix_copy(frame, X, n0) if prefix_copy is not None else None
            if own is not None:
                cal = own
            elif cal is None:
                cal = self._fit_copy(frame, X, n0, warm_cal)
            out = self._windows(cal, frame, X, origins, h)
        preds, scales = out
        preds = self._clip(preds)
        actual = frame.to_numpy(dtype=float)[origins[:, None] + np.arange(h)]
        errors = np.abs(actual - preds)  # (windows, h, k)
        self.abs_scores_ = errors
        if self.score == "local":
            y = frame.to_numpy(dtype=float)
            if origins[0] > self._local_span():
                vol = local_volatility(y, origins, self._local_span())  # (windows, k)
                self._keep_recent(y)
                if (vol > 0).all() and (self._recent_volatility() > 0).all():
                    self.scale_ = "local"
                    return errors / vol[:, None, :]
            return errors
        if self.score == "scaled":
            if np.isfinite(scales).all() and (scales > 0).all():
                self.scale_ = "band"
                return errors / scales
            if self._relative_ok(frame.to_numpy(dtype=float)):
                levels = np.abs(preds)
                if (levels > 0).all():
                    self.scale_ = "relative"
                    return errors / levels
        return errors

    def _windows(self, cal: Forecaster, frame: pd.DataFrame, X: pd.DataFrame | None,
                 origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The copy ``cal``'s forecasts (and scales) from ``origins``, fitted up to the first."""
        return forecast_windows(cal, frame, X, origins, h, self.future_known_columns(), self.score == "scaled")

    def _windows_in_blocks(self, frame: pd.DataFrame, X: pd.DataFrame | None, origins: np.ndarray,
                           h: int) -> tuple[np.ndarray, np.ndarray | None] | None:
        """For a model that re-estimates its chosen structure on a prefix of its rows
        (``_structure_copy``: auto_arima's orders, ets's form): the windows in blocks of
        ``h`` origins, each forecast by a copy estimated on the rows before its block's
        first origin. None when the model has no such copy or one cannot be fitted."""
        make_copy = getattr(self.model_, "_structure_copy", None)
        if make_copy is None:
            return None
        preds, scales = [], []
        for start in range(0, len(origins), h):
            block = origins[start:start + h]
            cal = make_copy(frame, X, int(block[0]))
            if cal is None:
                return None
            p, s = self._windows(cal, frame, X, block, h)
            preds.append(p)
            scales.append(s)
        self._cal_model = cal
        return np.concatenate(preds), (None if scales[0] is None else np.concatenate(scales))

    def _relative_ok(self, y: np.ndarray) -> bool:
        """Relative errors are the model's own scale when it forecasts a log or
        Box-Cox transform of strictly positive data."""
        return self.model.get("transform") in ("log", "boxcox") and bool((y > 0).all())

    def _clip(self, a: np.ndarray) -> np.ndarray:
        return np.maximum(a, 0.0) if self.clip_ else a

    # -- update / predict ---------------------------------------------------------------
    def _local_span(self) -> int:
        """One-step changes the "local" score's volatility is measured over."""
        return max(self._h(), LOCAL_SPAN)

    def _keep_recent(self, y: np.ndarray) -> None:
        """Keep the rows the volatility at the end of the history ``y`` is measured on."""
        self.recent_ = y[-(self._local_span() + 1):].copy()

    def _recent_volatility(self) -> np.ndarray:
        """The "local" score's volatility at the end of the history, per target (0
        where the rows kept do not move, or are too few after an update)."""
        span = len(self.recent_) - 1
        if span < 1:
            return np.zeros(self.recent_.shape[1])
        return local_volatility(self.recent_, np.array([span + 1]), span)[0]

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        if self.scale_ == "local":  # the volatility of the new end of the history
            self._keep_recent(y)
        self.model_.update(pd.DataFrame(y, index=self.history_index(), columns=self.targets_), X)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return self._clip(self.model_.predict(h, X).to_numpy(dtype=float))

    def _half_width(self, h: int, level: float, scores: np.ndarray) -> np.ndarray:
        q = conformal_quantile(scores, level)  # (H, k) from (w, H, k)
        steps = np.minimum(np.arange(h), q.shape[0] - 1)
        return q[steps]

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        if self.scores_ is None:
            if not self.model_.tags()["intervals"]:
                raise DataError(f"conformal: {self.note_}, and {self.model['type']} gives no intervals of its own")
            mean, lower, upper = band_of(self.model_, h, X, self.targets_, level)
            return self._clip(mean), self._clip(lower), self._clip(upper)
        mean, unit = self._unit(h, X)
        if unit is None:  # absolute errors (also when the scale has no usable width here)
            q = self._half_width(h, level, self.abs_scores_)
        else:
            q = self._half_width(h, level, self.scores_) * unit
        return mean, self._clip(mean - q), self._clip(mean + q)

    def _unit(self, h: int, X: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray | None]:
        """``(forecast, unit)``: what the quantile of ``scores_`` is multiplied by at this
        origin (``scale_``'s: the model's band, the recent volatility, the forecast's
        level), ``(h, k)``; None where it has no usable width (absolute errors then)."""
        if self.scale_ == "band":
            raw, scale = scale_of(self.model_, h, X, self.targets_)
            if np.isfinite(scale).all() and (scale > 0).all():
                return self._clip(raw), scale
        mean = self._predict(h, X)
        if self.scale_ == "local":
            vol = self._recent_volatility()
            if (vol > 0).all():  # else (a flat end after update)
                return mean, np.broadcast_to(vol, mean.shape)
        if self.scale_ == "relative" and (np.abs(mean) > 0).all():
            return mean, np.abs(mean)
        return mean, None

    # -- description --------------------------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """The wrapped model's choices, how its intervals were made and whether
        forecasts are clipped at 0."""
        if self.scores_ is not None:
            w, H = self.scores_.shape[:2]
            kind = {"band": " (scaled by the model's band)", "relative": " (relative errors)",
                    "local": " (scaled by the recent volatility)"}.get(self.scale_, "")
            if self.score == "local" and self.scale_ != "local":
                kind = " (absolute errors: too few rows or no movement before the first window for the local score)"
            how = (f"conformal{kind}: {w} out-of-sample windows of {H} steps "
                   f"(fit on the first {self.cal_fit_rows_} rows)")
        else:
            how = self.note_
        return {**self.model_.fitted_info(), "intervals": how, "clipped_at_0": bool(self.clip_)}

    def fit_audit(self) -> dict[str, Any]:
        self._check_fitted()
        return self.model_.fit_audit()
