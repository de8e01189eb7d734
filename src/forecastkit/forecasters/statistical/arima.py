"""ARIMA / SARIMA forecasters on statsmodels' state-space ``SARIMAX``.

``ARIMAForecaster`` (this module) fits a given order;
:class:`~forecastkit.forecasters.statistical.auto_arima.AutoARIMAForecaster` selects it in the
style of Hyndman & Khandakar (2008) and then behaves like an ``ARIMAForecaster``
with the chosen order. This module also holds the SARIMAX fitting, validation,
transform and regressor helpers both share.

Notes common to both
--------------------
- **One model per target.** SARIMAX is univariate: with several target columns one
  model is fitted per column (same order, same exogenous regressors).
- **Fitted attributes per target** (``aic_``, ``aicc_``, ``bic_``, ``converged_``,
  ``boxcox_lambda_``) are plain values for a single target and dicts keyed by target
  name for several; ``results_`` is always a dict ``{target: SARIMAXResults}``.
- **Transforms.** ``transform="log"`` or ``"boxcox"`` is applied before fitting and
  inverted on the way out, interval bounds included. The back-transformed point
  forecast is the *median* of the forecast distribution (the inverse transform of
  the Gaussian mean), not its mean: this is the convention of the published airline
  results (MAPE 2.90 % for the log airline model). The Box-Cox lambda is estimated
  by maximum likelihood (``scipy.stats.boxcox``) on the training rows unless given,
  and kept fixed by ``update``.
- **Exogenous regressors** (regression with SARIMA errors): the ``future_known``
  columns of ``X`` and the generated ``calendar`` features. Their values over the
  horizon are required by ``predict`` (``X`` for ``future_known``; calendar features
  are computed from the future timestamps).
- **Estimation.** Exact maximum likelihood by the Kalman filter, with the innovation
  variance concentrated out of the likelihood (``concentrate_scale=True``, the same
  optimum with one parameter fewer: several times faster) and L-BFGS
  (``method="lbfgs"``, ``maxiter=50``). ``method_kwargs`` overrides any of this: keys
  that ``SARIMAX(...)`` accepts go to the model, the others to ``fit``.
  Convergence warnings are silenced and recorded in ``converged_``.
  On a long series (more than ``arma_likelihood.MAX_ROWS`` rows after differencing)
  without regressors, ``method_kwargs`` or a time trend, the same exact likelihood (of
  the differenced series, as ``auto_arima`` estimates it) is maximised in numpy by
  the same L-BFGS with the mean and variance concentrated out
  (:mod:`~forecastkit.forecasters.statistical.arma_likelihood`, a banded Cholesky
  factorisation per evaluation, about ten times cheaper than the Kalman filter on
  100,000 rows); SARIMAX is then only filtered at that estimate.
- **update** keeps every estimated parameter, including the innovation variance, and
  runs the Kalman filter over the new history (only over the new rows when the new
  history continues the old one), so the next forecast starts from the new origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.series import future_index
from forecastkit.forecasters.statistical._common import (
    calendar_names,
    check_orders,
    check_trend,
    converged,
    exog_matrix,
    fit_sarimax,
    fixed_params,
    per_target,
    quiet_statsmodels,
    split_kwargs,
    steps_between,
    TRENDS,
)
from forecastkit.forecasters.statistical.differencing import difference
from forecastkit.forecasters.statistical.transforms import TRANSFORMS, check_transform, inverse, transform_target

__all__ = ["ARIMAForecaster"]

#: a warm start is skipped when an inverse MA root of the previous estimate has a
#: modulus above ``1 - WARM_ROOT_MARGIN`` (see ``ARIMAForecaster.warm_start``)
WARM_ROOT_MARGIN = 0.05


def _invertible_inside(res) -> bool:
    """Whether the inverse roots of the MA and seasonal MA polynomials of ``res`` (each
    in its own lag unit: a seasonal MA of -0.56 is 0.56, not its 12th root) lie inside
    ``1 - WARM_ROOT_MARGIN``. MA estimates pile up at the invertibility boundary on
    short series, where the optimiser's gradient vanishes."""
    if res is None:
        return False
    polys = [np.r_[1.0, np.asarray(res.maparams, dtype=float)],
             np.r_[1.0, np.asarray(res.seasonalmaparams, dtype=float)]]
    return all(len(c) == 1 or np.abs(np.roots(c)).max() < 1.0 - WARM_ROOT_MARGIN for c in polys)


# --------------------------------------------------------------------------- ARIMA
class ARIMAForecaster(Forecaster):
    """ARIMA/SARIMA with a given order (statsmodels ``SARIMAX``), see the module notes.

    Parameters
    ----------
    order : (p, d, q), default (1, 0, 0)
    seasonal_order : (P, D, Q, m), default (0, 0, 0, 0)
    trend : {None, "n", "c", "t", "ct"} or list of 0/1, default None
        SARIMAX trend polynomial. It applies to the *differenced* series: with
        ``d + D = 1``, ``"c"`` is a drift.
    transform : {None, "log", "boxcox"}, default None
    boxcox_lambda : float, optional
        Fixed Box-Cox lambda (``transform="boxcox"`` only); estimated when None.
    future_known : list of str, optional
        Columns of ``X`` used as exogenous regressors; their horizon values are
        required by ``predict``.
    calendar : list of str, optional
        Calendar features generated from the timestamps and used as regressors
        (``forecastkit.forecasters.covariates.calendar_features``, e.g. ``["month"]``,
        ``["fourier:2"]``).
    method_kwargs : dict, optional
        Extra ``SARIMAX`` model arguments and ``fit`` arguments (e.g.
        ``{"method": "nm", "maxiter": 500}``, ``{"enforce_stationarity": False}``).

    Attributes
    ----------
    results_ : dict
        ``SARIMAXResults`` per target.
    order_, seasonal_order_, trend_ : the specification fitted.
    aic_, aicc_, bic_ : information criteria (per target, see module notes).
    converged_ : whether the optimiser converged (per target).
    boxcox_lambda_ : Box-Cox lambda (per target) or None.
    exog_names_ : names of the exogenous regressors, in order.
    """

    _tags = {"intervals": True, "past_covariates": False, "future_covariates": True, "warm_from_copy": True}
    param_choices = {"trend": (None, *TRENDS, "a list of 0/1"), "transform": (None, *TRANSFORMS)}

    def __init__(
        self,
        order=(1, 0, 0),
        seasonal_order=(0, 0, 0, 0),
        trend=None,
        transform=None,
        boxcox_lambda=None,
        future_known=None,
        calendar=None,
        method_kwargs=None,
    ) -> None:
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.transform = transform
        self.boxcox_lambda = boxcox_lambda
        self.future_known = future_known
        self.calendar = calendar
        self.method_kwargs = method_kwargs

    def min_train_size(self) -> int:
        (p, d, q), (P, D, Q, m) = check_orders(self.order, self.seasonal_order)
        return d + D * m + max(p + P * m, q + Q * m) + 2

    # -- fit ------------------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        self._estimate(y, X, None)

    def fit_at(self, y: Any, X: pd.DataFrame | None, preset: dict[str, tuple[np.ndarray, bool]]) -> "ARIMAForecaster":
        """``fit`` with the parameters already estimated, ``{target: (params,
        converged)}``: the model is only filtered at them, not re-optimised
        (``AutoARIMAForecaster`` estimates on the differenced data). Returns self."""
        values, X_df = self._begin_fit(y, X)
        self._estimate(values, X_df, preset)
        self.is_fitted_ = True
        return self

    def warm_start(self, previous: "ARIMAForecaster") -> "ARIMAForecaster":
        """Use ``previous``'s estimate (a fitted model with the same parameters, e.g. the
        previous backtest fold's) as the start values of the next :meth:`fit`'s
        optimisation: fewer iterations to the same optimum (up to the optimiser's
        tolerance). Ignored when ``method_kwargs`` gives ``start_params``, and per target
        when ``previous``'s estimate has an MA root within :data:`WARM_ROOT_MARGIN`
        of the unit circle: started there, L-BFGS stays near the boundary (seen on the
        airline model: seasonal MA -0.99 kept, log-likelihood 0.7 below the cold fit's).
        Returns self."""
        fixed = getattr(previous, "_fixed", None)
        if isinstance(previous, ARIMAForecaster) and fixed and previous.get_params() == self.get_params():
            interior = {t: p for t, p in fixed.items() if _invertible_inside(previous.results_.get(t))}
            self._warm = {"exog_names": list(previous.exog_names_), "params": interior}
        return self

    def _start_params(self, target: str, model_kw: dict, fit_kw: dict) -> dict:
        warm = getattr(self, "_warm", None)
        if not warm or "start_params" in fit_kw or warm["exog_names"] != list(self.exog_names_):
            return fit_kw
        params = warm["params"].get(target)
        if params is None:
            return fit_kw
        # the variance is the last parameter; a concentrated likelihood has none
        return {**fit_kw, "start_params": params[:-1] if model_kw.get("concentrate_scale") else params}

    def _numpy_estimate(self, z: np.ndarray, target: str, exog: np.ndarray | None,
                        fit_kw: dict) -> tuple[np.ndarray, bool] | None:
        """``(params, converged)`` maximising the exact likelihood of the differenced
        ``z`` in numpy (module notes), or None where SARIMAX estimates the model itself
        (short series, regressors, a time trend or ``method_kwargs``). ``_numpy_any_length``
        (set on ``AutoARIMAForecaster``'s calibration copy, whose search estimated the
        model in numpy too) lifts the length condition."""
        from forecastkit.forecasters.statistical import arma_fit
        from forecastkit.forecasters.statistical.arma_likelihood import MAX_ROWS, Spec

        if exog is not None or self.method_kwargs or self.trend_ not in (None, "n", "c"):
            return None
        (p, d, q), (P, D, Q, m) = self.order_, self.seasonal_order_
        dx = difference(z, d, D, m)
        if len(dx) <= MAX_ROWS and not getattr(self, "_numpy_any_length", False):
            return None
        spec = Spec(p, q, P, Q, m or 1, self.trend_ == "c")
        warm = getattr(self, "_warm", None)
        start = None
        if warm and warm["exog_names"] == list(self.exog_names_) and target in warm["params"]:
            start = arma_fit.unconstrained_from_params(warm["params"][target][:-1], spec)
        # a warm start alone; cold: SARIMAX's start and Hannan-Rissanen's, the better
        # maximum kept (on long series SARIMAX's start often fails its stationarity
        # check and falls to zeros, the basin of a local maximum)
        starts = [start] if start is not None else [None, arma_fit.hannan_rissanen_start(dx, spec)]
        # SARIMAX's optimiser settings (scipy's default tolerance); no root is rejected
        fits = [arma_fit.fit_arma(dx, spec, [s], maxiter=int(fit_kw["maxiter"]), factr=1e7, min_root=0.0,
                                  best_start=False) for s in starts]
        fit = max(fits, key=lambda f: f.loglik)
        if not np.isfinite(fit.loglik):
            return None
        return fit.params, fit.converged

    def _estimate(self, y: np.ndarray, X: pd.DataFrame | None, preset: dict | None) -> None:
        self.order_, self.seasonal_order_ = check_orders(self.order, self.seasonal_order)
        self.trend_ = check_trend(self.trend)
        check_transform(self.transform, self.boxcox_lambda)
        model_kw, fit_kw = split_kwargs(self.method_kwargs)
        self._calendar = calendar_names(self.calendar)
        index = self.history_index()
        exog, self.exog_names_ = exog_matrix(index, self.freq_, X, self.future_known_columns(), self._calendar)

        lambdas, results = {}, {}
        # (params, converged) per target already estimated: given, or found in numpy
        given = dict(preset) if preset is not None else {}
        for j, target in enumerate(self.targets_):
            z, lambdas[target] = transform_target(y[:, j], self.transform, self.boxcox_lambda, target)
            if preset is None:
                found = self._numpy_estimate(z, target, exog, fit_kw)
                if found is not None:
                    given[target] = found
            fixed = given.get(target)
            try:
                results[target] = fit_sarimax(
                    z, exog, self.order_, self.seasonal_order_, self.trend_, model_kw,
                    fit_kw if fixed is not None else self._start_params(target, model_kw, fit_kw),
                    params=None if fixed is None else fixed[0],
                )
            except TypeError as exc:
                raise ConfigError(f"method_kwargs {self.method_kwargs!r} were rejected by statsmodels: {exc}") from exc
            except (np.linalg.LinAlgError, ValueError) as exc:
                raise DataError(
                    f"SARIMAX{self.order_}x{self.seasonal_order_} could not be fitted to target {target!r}: {exc}"
                ) from exc
        self.results_ = results
        self._transform, self._lambdas, self._model_kw = self.transform, lambdas, model_kw
        self.boxcox_lambda_ = per_target(lambdas) if self.transform == "boxcox" else None
        self.transform_ = self.transform  # fitted name shared with AutoARIMAForecaster (reports)
        self.aic_ = per_target({t: float(r.aic) for t, r in results.items()})
        self.aicc_ = per_target({t: float(r.aicc) for t, r in results.items()})
        self.bic_ = per_target({t: float(r.bic) for t, r in results.items()})
        self.converged_ = per_target({t: bool(given[t][1]) if t in given else converged(r) for t, r in results.items()})
        self._fixed = {t: fixed_params(r) for t, r in results.items()}
        self._hist_y, self._hist_exog, self._hist_first = y.copy(), exog, self.first_
        self._fit_first = self.first_

    # -- update ---------------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        index = self.history_index()
        exog, _ = exog_matrix(index, self.freq_, X, self.future_known_columns(), self._calendar)
        n_old = self._hist_y.shape[0]
        continues = (
            self._hist_first == self.first_
            and y.shape[0] > n_old
            and np.array_equal(y[:n_old], self._hist_y)
            and (exog is None or np.array_equal(exog[:n_old], self._hist_exog))
        )
        # a time trend ("t", "ct") continues from the fitted history's first row
        offset = self._model_kw.get("trend_offset", 1) + steps_between(self._fit_first, self.first_, self.freq_)
        model_kw = {**self._model_kw, "concentrate_scale": False, "trend_offset": offset}
        new_results = {}
        with quiet_statsmodels():
            for j, target in enumerate(self.targets_):
                z, _ = transform_target(y[:, j], self._transform, self._lambdas[target], target)
                old = self.results_[target]
                if continues and not old.model.concentrate_scale:
                    # the filter state at the old end carries over: filter the new rows only.
                    # statsmodels' SARIMAXResults.extend restarts a time trend at its own
                    # nobs + 1, wrong once the results are themselves an extension: pass it
                    new_results[target] = old.extend(z[n_old:], exog=None if exog is None else exog[n_old:],
                                                     trend_offset=old.model.trend_offset + old.nobs)
                else:
                    # every parameter fixed, the variance included (a concentrated model
                    # would re-estimate it from the new data)
                    model = SARIMAX(
                        z, exog=exog, order=self.order_, seasonal_order=self.seasonal_order_,
                        trend=self.trend_, **model_kw,
                    )
                    new_results[target] = model.filter(self._fixed[target], cov_type="none")
        self.results_ = new_results
        self._hist_y, self._hist_exog, self._hist_first = y.copy(), exog, self.first_

    # -- predict --------------------------------------------------------------------
    def _future_exog(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray | None:
        idx = future_index(self.last_, self.freq_, h)
        exog, _ = exog_matrix(idx, self.freq_, X_future, self.future_known_columns(), self._calendar)
        return exog

    def _forecast(self, h: int, X_future: pd.DataFrame | None, level: float | None):
        exog = self._future_exog(h, X_future)
        means, lowers, uppers = [], [], []
        with quiet_statsmodels():
            for target in self.targets_:
                tf, lam = self._transform, self._lambdas[target]
                fc = self.results_[target].get_forecast(h, exog=exog)
                means.append(inverse(np.asarray(fc.predicted_mean, dtype=float), tf, lam))
                if level is not None:
                    ci = np.asarray(fc.conf_int(alpha=1.0 - level), dtype=float)
                    lowers.append(inverse(ci[:, 0], tf, lam))
                    uppers.append(inverse(ci[:, 1], tf, lam))
        if level is None:
            return np.column_stack(means)
        return np.column_stack(means), np.column_stack(lowers), np.column_stack(uppers)

    def _predict(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray:
        return self._forecast(h, X_future, None)

    def _predict_interval(self, h: int, X_future: pd.DataFrame | None, level: float):
        return self._forecast(h, X_future, level)

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins: Any, h: int,
                          level: float | None):
        """Forecasts from many origins at once with the fitted parameters, in one Kalman
        filter pass (the interval calibration of
        :class:`~forecastkit.forecasters.conformal.ConformalForecaster`).

        Row ``i`` of each (n_origins, h, k) array equals ``update(y[:o], X[:o])`` then
        ``predict_interval(h, X[o:o + h], level)`` (``predict``, and None bounds, when
        ``level`` is None) with ``o = origins[i]``; ``o + h <= len(y)``. None when the
        configuration is not covered (the caller then loops).
        """
        from forecastkit.forecasters.statistical.arima_origins import forecast_origins

        self._check_fitted()
        return forecast_origins(self, y, X, origins, h, level)

    # -- persistence ----------------------------------------------------------------
    def _save_state(self, directory) -> dict[str, Any]:
        # statsmodels results are not stored: the spec, the fixed parameters and the
        # history are, and load rebuilds the results from them without estimating
        from forecastkit.safety.codec import save_values

        values = self._state_attributes(exclude=("results_", "_warm"))
        values["results_"] = {
            t: {"params": np.asarray(r.params, dtype=float), "fitted": bool(r.model.concentrate_scale)}
            for t, r in self.results_.items()
        }
        return save_values(directory, values)

    def _load_state(self, directory, state: dict[str, Any]) -> None:
        super()._load_state(directory, state)
        self.results_ = {t: self._rebuild(j, t, self.results_[t]) for j, t in enumerate(self.targets_)}

    def _rebuild(self, j: int, target: str, saved: dict[str, Any]):
        """The results of ``fit`` (filtered at the estimate) or of ``update`` (filtered
        at every parameter, the variance included) over the stored history."""
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        z, _ = transform_target(self._hist_y[:, j], self._transform, self._lambdas[target], target)
        model_kw = dict(self._model_kw)
        if not saved["fitted"]:
            offset = model_kw.get("trend_offset", 1) + steps_between(self._fit_first, self.first_, self.freq_)
            model_kw.update(concentrate_scale=False, trend_offset=offset)
        with quiet_statsmodels():
            model = SARIMAX(z, exog=self._hist_exog, order=self.order_, seasonal_order=self.seasonal_order_,
                            trend=self.trend_, **model_kw)
            if saved["fitted"]:
                return model.filter(saved["params"], cov_type="none")
            return model.filter(self._fixed[target], cov_type="none")

    # -- description and audit ------------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """Orders, trend, transform (and Box-Cox lambda) and whether the optimiser
        converged, per target where several."""
        return {
            **super().fitted_info(),
            "order": self.order_, "seasonal_order": self.seasonal_order_, "trend": self.trend_,
            "transform": self.transform_, "boxcox_lambda": self.boxcox_lambda_, "converged": self.converged_,
        }

    def _transform_audit(self) -> dict[str, Any]:
        if self._transform is None:
            return {}
        start, end, n = self.fit_span_
        params = {"lambda": dict(self._lambdas)} if self._transform == "boxcox" else {}
        return {self._transform: {"fit_start": start, "fit_end": end, "n_rows": n, "params": params}}

