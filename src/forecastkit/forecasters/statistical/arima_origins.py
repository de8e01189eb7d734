"""Forecasts of a fitted ARIMA from many origins in one Kalman filter pass (the interval
calibration of :class:`~forecastkit.forecasters.conformal.ConformalForecaster`).

``update(y[:o])`` of an :class:`~forecastkit.forecasters.statistical.arima.ARIMAForecaster`
filters the SARIMAX at its fixed parameters (the variance included) over ``y[:o]``, and
``predict_interval(h)`` propagates the predicted state ``a_{o|o-1}``, ``P_{o|o-1}``
through the state equation. The filter is causal, so one filter over every row holds
the predicted state of every origin; from there the ``h`` steps of all origins are
propagated at once::

    y_t = Z_t a_t + d_t,   var y_t = Z_t P_t Z_t' + H_t,
    a_{t+1} = T_t a_t + c_t,   P_{t+1} = T_t P_t T_t' + R_t Q_t R_t'

with the system matrices of the model built over the rows up to the last forecast step
(exogenous regressors and trend terms enter ``d_t`` and ``c_t`` exactly as in a forecast).
The origin at the end of the fitted history is forecast by the fitted results themselves,
as the update/predict loop does without updating.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError
from forecastkit.forecasters.statistical._common import exog_matrix, quiet_statsmodels, steps_between
from forecastkit.forecasters.statistical.transforms import inverse, transform_target


def _at(matrix: np.ndarray, t: np.ndarray) -> np.ndarray:
    """A system matrix (..., 1 or nobs) at the times ``t``: array (len(t), ...)."""
    m = np.moveaxis(matrix, -1, 0)
    return m[np.zeros_like(t) if m.shape[0] == 1 else t]


def _propagate(fr, origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Means and variances (n_origins, h) of the ``h`` steps after each origin, from
    the filter results ``fr`` of a model whose matrices cover every forecast step."""
    a = fr.predicted_state[:, origins].T  # (n, m): a_{o|o-1}
    P = np.moveaxis(fr.predicted_state_cov[:, :, origins], -1, 0)  # (n, m, m)
    means, variances = np.empty((len(origins), h)), np.empty((len(origins), h))
    for k in range(h):
        t = origins + k
        Z, d, H = _at(fr.design, t), _at(fr.obs_intercept, t), _at(fr.obs_cov, t)
        means[:, k] = np.einsum("nm,nm->n", Z[:, 0], a) + d[:, 0]
        variances[:, k] = np.einsum("ni,nij,nj->n", Z[:, 0], P, Z[:, 0]) + H[:, 0, 0]
        if k + 1 < h:
            T, c = _at(fr.transition, t), _at(fr.state_intercept, t)
            R, Q = _at(fr.selection, t), _at(fr.state_cov, t)
            a = np.einsum("nij,nj->ni", T, a) + c
            P = T @ P @ np.swapaxes(T, 1, 2) + R @ Q @ np.swapaxes(R, 1, 2)
    return means, variances


def forecast_origins(model: Any, y: pd.DataFrame, X: pd.DataFrame | None, origins: Any, h: int,
                     level: float | None):
    """``ARIMAForecaster._forecast_origins`` of the fitted ``model`` (see there); None
    to decline."""
    from scipy.stats import norm
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    origins = np.asarray(origins, dtype=int)
    if len(origins) == 0 or origins.min() < 1 or origins.max() + h > len(y):
        raise DataError(f"origins {origins.min()}..{origins.max()} do not fit {len(y)} rows and h={h}")
    if [str(c) for c in y.columns] != model.targets_:
        return None
    fk = model.future_known_columns()
    end = int(origins.max()) + h
    index = y.index[:end]
    exog, names = exog_matrix(index, model.freq_, None if X is None else X.iloc[:end], fk, model._calendar)
    if names != list(model.exog_names_):
        return None
    yv = y.to_numpy(dtype=float)
    last = int(origins.max())
    offset = model._model_kw.get("trend_offset", 1) + steps_between(model._fit_first, y.index[0], model.freq_)
    model_kw = {**model._model_kw, "concentrate_scale": False, "trend_offset": offset}
    # the origin where the fitted history ends is forecast by the fitted results
    n_hist = model._hist_y.shape[0]
    own = (
        model._hist_first == y.index[0] and n_hist in set(origins.tolist())
        and np.array_equal(yv[:n_hist], model._hist_y, equal_nan=True)
        and (exog is None or np.array_equal(exog[:n_hist], model._hist_exog))
    )
    means, lowers, uppers = [], [], []
    q = None if level is None else float(norm.ppf(0.5 + level / 2.0))
    for j, target in enumerate(model.targets_):
        tf, lam = model._transform, model._lambdas[target]
        z = np.full(end, np.nan)  # the steps after the last origin are never observed
        z[:last], _ = transform_target(yv[:last, j], tf, lam, target)
        with quiet_statsmodels():
            sm = SARIMAX(z, exog=exog, order=model.order_, seasonal_order=model.seasonal_order_,
                         trend=model.trend_, **model_kw)
            fr = sm.filter(model._fixed[target], cov_type="none").filter_results
        if origins.min() <= fr.nobs_diffuse:  # inside an exact diffuse start: the loop's business
            return None
        mean, var = _propagate(fr, origins, h)
        se = np.sqrt(var)
        lo, hi = (None, None) if q is None else (mean - q * se, mean + q * se)
        means.append(mean)
        lowers.append(lo)
        uppers.append(hi)
    out = [np.stack(means, axis=-1)]
    out += [None, None] if level is None else [np.stack(lowers, axis=-1), np.stack(uppers, axis=-1)]
    out = [None if a is None else np.stack([inverse(a[..., j], model._transform, model._lambdas[t])
                                            for j, t in enumerate(model.targets_)], axis=-1) for a in out]
    if own:
        i = int(np.flatnonzero(origins == n_hist)[0])
        Xf = X.iloc[n_hist:n_hist + h][fk] if fk else None
        if level is None:
            out[0][i] = model.predict(h, Xf).to_numpy(dtype=float)
        else:
            band = model.predict_interval(h, Xf, level=level)
            for a, suffix in zip(out, ("", "_lower", "_upper")):
                a[i] = band[[f"{t}{suffix}" for t in model.targets_]].to_numpy(dtype=float)
    return tuple(out)
