"""The Theta method (Assimakopoulos & Nikolopoulos 2000) over statsmodels' ``ThetaModel``:
:class:`ThetaForecaster`.

``fit`` is statsmodels': the classical seasonality test (the autocorrelation at lag
``m`` against its 90 % bound, Assimakopoulos & Nikolopoulos' test), multiplicative
classical decomposition when it rejects (additive when a seasonal index is not
positive), the slope ``b0`` of a linear trend and the SES level with smoothing
``alpha``, both on the deseasonalised series. The forecast is
``w * b0 * [h - 1 + 1/alpha - (1 - alpha)^n / alpha] + l_n`` with ``w = 1 - 1/theta``
(the theta line of the trend halved for ``theta = 2``), reseasonalised; intervals are
statsmodels', Gaussian with ``sigma^2 (1 + (h - 1)(1 + (alpha - 1)^2))``.

The forecast is computed here from the fitted numbers, so ``update`` can keep
``b0``, ``alpha``, ``sigma^2`` and the seasonal indices and only run the SES filter
(at the fitted ``alpha``) over the new, deseasonalised history.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError
from forecastkit.forecasters.base import Forecaster, normal_quantile
from forecastkit.forecasters.statistical._common import per_target, quiet_statsmodels, steps_between

__all__ = ["ThetaForecaster"]


def ses_level(y: np.ndarray, alpha: float) -> float:
    """The SES level after ``y`` from ``l_0 = y[0]`` (statsmodels' "known" start)."""
    level = float(y[0])
    for v in y:
        level = alpha * float(v) + (1.0 - alpha) * level
    return level


class ThetaForecaster(Forecaster):
    """Theta method with the classical seasonality test (see the module notes).

    Parameters
    ----------
    season_length : int, default 1
        Seasonal period ``m`` of the test and the decomposition (1 = non-seasonal).
    theta : float, default 2.0
        Weight of the theta line (>= 1; 2 is the classical method).
    deseasonalize : {"test", True, False}, default "test"
        ``"test"``: deseasonalise when the seasonality test rejects; True: always
        (``season_length > 1`` with two full seasons); False: never.
    use_mle : bool, default False
        Estimate ``b0`` and ``alpha`` as an ARIMA(0,1,1) with drift instead of OLS + SES.

    Attributes
    ----------
    b0_, alpha_, sigma2_ : fitted parameters (per target).
    seasonal_ : whether the target was deseasonalised (per target).
    method_ : "multiplicative", "additive" or None (per target).
    """

    _tags = {"intervals": True}
    _min_obs = 4
    param_choices = {"deseasonalize": ("test", True, False)}

    def __init__(self, season_length=1, theta=2.0, deseasonalize="test", use_mle=False) -> None:
        self.season_length = season_length
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
        return int(m)

    def min_train_size(self) -> int:
        m = self._check_params()
        return 2 * m if (self.deseasonalize is True and m > 1) else self._min_obs

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        m = self._check_params()
        self._state: dict[str, dict[str, Any]] = {}
        with quiet_statsmodels():
            for j, target in enumerate(self.targets_):
                col = y[:, j]
                seasonal = m > 1 and self.deseasonalize is not False and len(col) >= 2 * m
                model = ThetaModel(col, period=m if seasonal else 1, deseasonalize=seasonal,
                                   use_test=self.deseasonalize == "test",
                                   method="auto" if bool((col > 0).all()) else "additive")
                res = model.fit(use_mle=bool(self.use_mle))
                has = bool(model._has_seasonality) and res._seasonal.shape[0] > 0
                self._state[target] = {
                    "b0": float(res.params.iloc[0]), "alpha": float(res.params.iloc[1]),
                    "sigma2": float(res.sigma2), "level": float(np.asarray(res._one_step).ravel()[0]),
                    "seasonal": np.asarray(res._seasonal, dtype=float) if has else np.zeros(0),
                    "multiplicative": has and model.method.startswith("mul"),
                }
        self.m_ = m
        self._fit_first = self.first_
        self.b0_ = per_target({t: s["b0"] for t, s in self._state.items()})
        self.alpha_ = per_target({t: s["alpha"] for t, s in self._state.items()})
        self.sigma2_ = per_target({t: s["sigma2"] for t, s in self._state.items()})
        self.seasonal_ = per_target({t: bool(s["seasonal"].size) for t, s in self._state.items()})
        self.method_ = per_target({t: (None if not s["seasonal"].size else
                                       "multiplicative" if s["multiplicative"] else "additive")
                                   for t, s in self._state.items()})

    def _phase(self) -> int:
        """Position of the history's first row in the fitted seasonal cycle."""
        return steps_between(self._fit_first, self.first_, self.freq_) if self.m_ > 1 else 0

    def _season(self, s: dict, positions: np.ndarray) -> np.ndarray:
        idx = (positions + self._phase()) % self.m_
        return s["seasonal"][idx]

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        n = y.shape[0]
        for j, target in enumerate(self.targets_):
            s = self._state[target]
            col = y[:, j]
            if s["seasonal"].size:
                season = self._season(s, np.arange(n))
                col = col / season if s["multiplicative"] else col - season
            s["level"] = ses_level(col, s["alpha"])

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return np.column_stack([self._forecast(t, h) for t in self.targets_])

    def _forecast(self, target: str, h: int) -> np.ndarray:
        s, n = self._state[target], int(self.n_obs_)
        alpha, theta = s["alpha"], float(self.theta)
        steps = np.arange(h, dtype=float)
        if alpha > 0:
            steps += 1.0 / alpha - (1.0 - alpha) ** n / alpha
        weight = (theta - 1.0) / theta
        fc = weight * s["b0"] * steps + s["level"]
        if s["seasonal"].size:
            season = self._season(s, n + np.arange(h))
            fc = fc * season if s["multiplicative"] else fc + season
        return fc

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        z = normal_quantile(level)
        mean, lower, upper = [], [], []
        for t in self.targets_:
            s = self._state[t]
            fc = self._forecast(t, h)
            sd = np.sqrt((1.0 + np.arange(h) * (1.0 + (s["alpha"] - 1.0) ** 2)) * s["sigma2"])
            mean.append(fc)
            lower.append(fc - z * sd)
            upper.append(fc + z * sd)
        return np.column_stack(mean), np.column_stack(lower), np.column_stack(upper)

    def fitted_info(self) -> dict[str, Any]:
        """Whether (and how) the series was deseasonalised, ``b0`` and ``alpha``; per
        target where several."""
        return {**super().fitted_info(), "deseasonalized": self.method_, "b0": self.b0_, "alpha": self.alpha_}
