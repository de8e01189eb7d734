"""The Theta method: :class:`ThetaForecaster`, choosing among the four Theta models of
Fiorucci et al. (2016) like statsforecast's ``AutoTheta``, or the classical method
through statsmodels' ``ThetaModel``.

``variant = "auto"`` (the default) follows ``AutoTheta``: the classical seasonality
test (lag-``m`` autocorrelation against its 90 % bound, for ``m >= 4`` and two full
seasons), classical multiplicative decomposition when it rejects (additive when a
value is not positive or an index falls below 0.01), then the standard, optimised,
dynamic and dynamic optimised models (:mod:`.theta_models`) are estimated on the
adjusted series and the one with the lowest in-sample mean squared one-step error is
kept. ``"optimized"``, ``"dynamic"`` and ``"dynamic_optimized"`` fit that one model.
Intervals are Gaussian with the SES variance ``sigma^2 (1 + (h - 1) alpha^2)``
(``sigma^2`` of the one-step errors), reseasonalised. ``update`` keeps ``alpha``,
``theta``, the initial level and the seasonal indices and reruns the model's
recursion over the new history.

``variant = "standard"`` is statsmodels' ``ThetaModel`` (Assimakopoulos &
Nikolopoulos 2000), equal to statsmodels called directly: its own seasonality test
and decomposition, the slope ``b0`` of a linear trend and the SES level with
smoothing ``alpha``; the forecast is
``w * b0 * [h - 1 + 1/alpha - (1 - alpha)^n / alpha] + l_n`` with ``w = 1 - 1/theta``;
intervals are statsmodels', Gaussian with ``sigma^2 (1 + (h - 1)(1 + (alpha - 1)^2))``.
Its ``update`` keeps ``b0``, ``alpha``, ``sigma^2`` and the seasonal indices and only
runs the SES filter (at the fitted ``alpha``) over the new, deseasonalised history.
(Within ``"auto"`` the standard candidate is Fiorucci's STM, whose in-sample error
is computed like the other three's.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters._origins import GaussianOrigins
from forecastkit.forecasters.base import Forecaster, normal_quantile
from forecastkit.forecasters.statistical._common import per_target, quiet_statsmodels, steps_between
from forecastkit.forecasters.statistical.seasonal_adjust import is_seasonal, seasonal_indices
from forecastkit.forecasters.statistical.theta_models import (
    MODELS, fit_theta_model, prefix_states, theta_filter, theta_forecast)

__all__ = ["ThetaForecaster"]

VARIANTS = ("auto", "standard", "optimized", "dynamic", "dynamic_optimized")


def ses_levels(y: np.ndarray, alpha: float) -> np.ndarray:
    """The SES level after each value of ``y`` from ``l_0 = y[0]`` (statsmodels' "known"
    start): element ``t`` is the level of the history ``y[:t + 1]``."""
    from scipy.signal import lfilter

    y = np.asarray(y, dtype=float)
    return lfilter([alpha], [1.0, alpha - 1.0], y, zi=[(1.0 - alpha) * y[0]])[0]


class ThetaForecaster(GaussianOrigins, Forecaster):
    """Theta method: the best of Fiorucci et al.'s four Theta models by in-sample
    error, or one of them, or statsmodels' classical method (see the module notes).

    Parameters
    ----------
    season_length : int, default 1
        Seasonal period ``m`` of the test and the decomposition (1 = non-seasonal).
    variant : {"auto", "standard", "optimized", "dynamic", "dynamic_optimized"}, default "auto"
        "auto": the lowest in-sample MSE among the four models of Fiorucci et al.;
        "standard": statsmodels' ``ThetaModel``; the others: that model only.
    theta : float, default 2.0
        Weight of the theta line (>= 1) in the models that do not estimate it
        ("standard", "dynamic"); 2 is the classical method.
    deseasonalize : {"test", True, False}, default "test"
        ``"test"``: deseasonalise when the seasonality test rejects; True: always
        (``season_length > 1`` with two full seasons); False: never.
    use_mle : bool, default False
        ``variant="standard"`` only: estimate ``b0`` and ``alpha`` as an ARIMA(0,1,1)
        with drift instead of OLS + SES.

    Attributes
    ----------
    variant_ : the model used (per target where several).
    alpha_, theta_, sigma2_ : fitted parameters (per target).
    b0_ : the drift of the "standard" variant (None for the others).
    seasonal_ : whether the target was deseasonalised (per target).
    method_ : "multiplicative", "additive" or None (per target).
    mse_ : ``{variant: in-sample MSE}`` of the models compared (per target; empty for "standard").
    """

    # array_core: _fit/_predict* use the values only (no dates), so panels may call them directly
    _tags = {"intervals": True, "array_core": True}
    _min_obs = 4
    param_choices = {"deseasonalize": ("test", True, False), "variant": VARIANTS}

    def __init__(self, season_length=1, variant="auto", theta=2.0, deseasonalize="test", use_mle=False) -> None:
        self.season_length = season_length
        self.variant = variant
        self.theta = theta
        self.deseasonalize = deseasonalize
        self.use_mle = use_mle

    def _check_params(self) -> int:
        m = self.season_length
        if not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1:
            raise ConfigError(f"theta: season_length must be an integer >= 1, got {m!r}")
        if not isinstance(self.theta, (int, float)) or isinstance(self.theta, bool) or self.theta < 1:
            raise ConfigError(f"theta: theta must be a number >= 1, got {self.theta!r}")
        if self.deseasonalize not in self.param_choices["deseasonalize"]:
            raise ConfigError(f"theta: deseasonalize must be 'test', true or false, got {self.deseasonalize!r}")
        if self.variant not in VARIANTS:
            raise ConfigError(f"theta: variant must be one of {', '.join(map(repr, VARIANTS))}, got {self.variant!r}")
        return int(m)

    def min_train_size(self) -> int:
        m = self._check_params()
        return 2 * m if (self.deseasonalize is True and m > 1) else self._min_obs

    # -- fit -----------------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        m = self._check_params()
        names = list(getattr(self, "targets_", None) or [f"y{j}" for j in range(y.shape[1])])
        self.m_ = m
        self._fit_first = getattr(self, "first_", None)  # None when a panel calls the core directly
        fit_one = self._fit_statsmodels if self.variant == "standard" else self._fit_fiorucci
        self._state: dict[str, dict[str, Any]] = {t: fit_one(y[:, j], m) for j, t in enumerate(names)}

        def each(key):
            return per_target({t: s[key] for t, s in self._state.items()})

        self.variant_ = each("variant")
        self.b0_ = each("b0")
        self.alpha_ = each("alpha")
        self.theta_ = each("theta")
        self.sigma2_ = each("sigma2")
        self.mse_ = each("mse")
        self.seasonal_ = per_target({t: bool(s["seasonal"].size) for t, s in self._state.items()})
        self.method_ = per_target({t: (None if not s["seasonal"].size else
                                       "multiplicative" if s["multiplicative"] else "additive")
                                   for t, s in self._state.items()})

    def _fit_statsmodels(self, col: np.ndarray, m: int) -> dict[str, Any]:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        seasonal = m > 1 and self.deseasonalize is not False and len(col) >= 2 * m
        with quiet_statsmodels():
            model = ThetaModel(col, period=m if seasonal else 1, deseasonalize=seasonal,
                               use_test=self.deseasonalize == "test",
                               method="auto" if bool((col > 0).all()) else "additive")
            res = model.fit(use_mle=bool(self.use_mle))
            sigma2 = float(res.sigma2)  # fits an ARIMA(0,1,1) on first use: quietly, one BLAS thread
        has = bool(model._has_seasonality) and res._seasonal.shape[0] > 0
        return {"variant": "standard", "engine": "statsmodels", "b0": float(res.params.iloc[0]),
                "alpha": float(res.params.iloc[1]), "theta": float(self.theta), "sigma2": sigma2,
                "level": float(np.asarray(res._one_step).ravel()[0]), "n": len(col), "mse": {},
                "seasonal": np.asarray(res._seasonal, dtype=float) if has else np.zeros(0),
                "multiplicative": has and model.method.startswith("mul")}

    def _seasonality(self, col: np.ndarray, m: int) -> tuple[np.ndarray, bool]:
        """AutoTheta's decision: indices (empty when not seasonal) and whether multiplicative."""
        if self.deseasonalize is False or m < 2 or len(col) < 2 * m:
            return np.zeros(0), False
        if self.deseasonalize == "test" and not (m >= 4 and is_seasonal(col, m, min_seasons=2)):
            return np.zeros(0), False
        if bool((col > 0).all()):
            idx = seasonal_indices(col, m)
            if idx.min() >= 0.01:
                return idx, True
        return seasonal_indices(col, m, multiplicative=False), False

    def _fit_fiorucci(self, col: np.ndarray, m: int) -> dict[str, Any]:
        season, mult = self._seasonality(col, m)
        s = {"engine": "numpy", "seasonal": season, "multiplicative": mult, "b0": None}
        z = self._adjusted(s, col)
        variants = list(MODELS) if self.variant == "auto" else [self.variant]
        fits = [fit_theta_model(z, v, float(self.theta)) for v in variants]
        rows = max(len(z) - 3, 1)
        mse = {f.variant: f.sse / rows for f in fits if np.isfinite(f.sse)}
        if not mse:
            raise ConfigError("theta: no Theta model could be fitted (non-finite in-sample errors)")
        best = min((f for f in fits if f.variant in mse), key=lambda f: f.sse)
        resid = best.residuals[3:] if len(z) > 5 else best.residuals[1:]
        s.update(variant=best.variant, alpha=best.alpha, theta=best.theta, level0=best.level0,
                 sigma2=float(np.var(resid, ddof=1)) if len(resid) > 1 else 0.0,
                 state=best.state, n=best.n, mse=mse)
        return s

    # -- seasonality -----------------------------------------------------------------
    def _phase(self) -> int:
        """Position of the history's first row in the fitted seasonal cycle."""
        if self.m_ <= 1 or self._fit_first is None or self._fit_first == self.first_:
            return 0
        return steps_between(self._fit_first, self.first_, self.freq_)

    def _season(self, s: dict, positions: np.ndarray) -> np.ndarray:
        return s["seasonal"][(positions + self._phase()) % len(s["seasonal"])]

    def _adjusted(self, s: dict, col: np.ndarray) -> np.ndarray:
        if not s["seasonal"].size:
            return col
        season = self._season(s, np.arange(len(col)))
        return col / season if s["multiplicative"] else col - season

    def _reseason(self, s: dict, values: np.ndarray, n: int) -> np.ndarray:
        if not s["seasonal"].size:
            return values
        season = self._season(s, n + np.arange(len(values)))
        return values * season if s["multiplicative"] else values + season

    # -- update / predict ----------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        for j, s in enumerate(self._state.values()):
            z = self._adjusted(s, y[:, j])
            if s["engine"] == "statsmodels":
                s["level"] = float(ses_levels(z, s["alpha"])[-1])
            else:
                s["state"] = theta_filter(z, s["variant"], s["alpha"], s["theta"], s["level0"]).state
            s["n"] = len(z)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return np.column_stack([self._forecast(s, h) for s in self._state.values()])

    def _forecast(self, s: dict, h: int) -> np.ndarray:
        n = int(s["n"])
        if s["engine"] == "numpy":
            fc = theta_forecast(s["variant"], s["alpha"], s["theta"], s["state"], n, h)
        else:
            alpha, theta = s["alpha"], float(self.theta)
            steps = np.arange(h, dtype=float)
            if alpha > 0:
                steps += 1.0 / alpha - (1.0 - alpha) ** n / alpha
            fc = (theta - 1.0) / theta * s["b0"] * steps + s["level"]
        return self._reseason(s, fc, n)

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        z = normal_quantile(level)
        mean, lower, upper = [], [], []
        for s in self._state.values():
            n = int(s["n"])
            k = np.arange(h)
            if s["engine"] == "numpy":
                fc = theta_forecast(s["variant"], s["alpha"], s["theta"], s["state"], n, h)
                sd = np.sqrt(s["sigma2"] * (1.0 + k * s["alpha"] ** 2))
                mean.append(self._reseason(s, fc, n))
                lower.append(self._reseason(s, fc - z * sd, n))
                upper.append(self._reseason(s, fc + z * sd, n))
                continue
            fc = self._forecast(s, h)
            sd = np.sqrt((1.0 + k * (1.0 + (s["alpha"] - 1.0) ** 2)) * s["sigma2"])
            mean.append(fc)
            lower.append(fc - z * sd)
            upper.append(fc + z * sd)
        return np.column_stack(mean), np.column_stack(lower), np.column_stack(upper)

    def _origins_from(self, y: pd.DataFrame) -> bool:
        # a history starting elsewhere shifts the seasonal phase: update's path handles it
        return not (self.m_ > 1 and self._fit_first is not None and y.index[0] != self._fit_first)

    def _origin_stats(self, y: np.ndarray, origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, sd)``, each ``(n_origins, h, k)``: the forecasts after ``update(y[:o])``
        for every origin ``o`` (parameters kept) and the standard deviations of their
        Gaussian bands (``predict_interval`` is ``mean -+ z sd``), from one pass over
        ``y`` (the history of the fit, from its first row)."""
        origins = np.asarray(origins, dtype=int)
        if origins.min() < 1 or origins.max() > len(y):
            raise DataError(f"origins {origins.min()}..{origins.max()} do not fit {len(y)} rows")
        k = np.arange(h)
        means, sds = [], []
        for j, st in enumerate(self._state.values()):
            adj = self._adjusted(st, y[:, j])
            if st["engine"] == "numpy":
                states = prefix_states(adj, st["variant"], st["alpha"], st["level0"], origins)
                fc = theta_forecast(st["variant"], st["alpha"], st["theta"], states, origins, h).T
                sd = np.broadcast_to(np.sqrt(st["sigma2"] * (1.0 + k * st["alpha"] ** 2)), fc.shape)
                if st["multiplicative"] and st["seasonal"].size:  # the band is reseasoned with the forecast
                    sd = self._reseason_at(st, sd, origins)
                means.append(self._reseason_at(st, fc, origins))
            else:
                alpha = st["alpha"]
                levels = ses_levels(adj, alpha)  # every prefix's level
                steps = k[None, :] + (1.0 / alpha - (1.0 - alpha) ** origins[:, None] / alpha if alpha > 0 else 0.0)
                fc = (float(self.theta) - 1.0) / float(self.theta) * st["b0"] * steps + levels[origins - 1][:, None]
                means.append(self._reseason_at(st, fc, origins))  # statsmodels' band: around the reseasoned mean
                sd = np.broadcast_to(np.sqrt((1.0 + k * (1.0 + (alpha - 1.0) ** 2)) * st["sigma2"]), fc.shape)
            sds.append(sd)
        return np.stack(means, axis=-1), np.stack(sds, axis=-1)

    def _reseason_at(self, s: dict, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
        """:meth:`_reseason` of ``values`` (n_origins, h) after each origin's history."""
        if not s["seasonal"].size:
            return values
        season = self._season(s, origins[:, None] + np.arange(values.shape[1]))
        return values * season if s["multiplicative"] else values + season

    def fitted_info(self) -> dict[str, Any]:
        """The model used, whether (and how) the series was deseasonalised, ``theta``,
        ``alpha``, the drift ``b0`` of the standard variant and every compared model's
        in-sample MSE; per target where several."""
        info = {"variant": self.variant_, "deseasonalized": self.method_, "theta": self.theta_, "alpha": self.alpha_}
        if self.variant == "standard":
            info["b0"] = self.b0_
        else:
            info["in_sample_mse"] = self.mse_
        return {**super().fitted_info(), **info}
