"""Registry of forecaster types and the ``make_forecaster`` factory.

The registry is explicit: a type name maps to ``"module:attribute"`` plus default
parameters. Modules are imported only when a type is built or described, so listing
types never imports TensorFlow (neural modules import it lazily themselves).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from forecastkit.errors import ConfigError


@dataclass(frozen=True)
class Entry:
    target: str  # "package.module:ClassOrFactory"
    summary: str
    defaults: dict[str, Any] = field(default_factory=dict)
    family: str = "baseline"

    def load(self):
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


_RED = "forecastkit.forecasters.reduction:ReductionForecaster"
_NN = "forecastkit.forecasters.neural:NeuralForecaster"

REGISTRY: dict[str, Entry] = {
    # baselines
    "naive": Entry("forecastkit.forecasters.baselines:NaiveForecaster", "persistence: y(t+k) = y(t)"),
    "seasonal_naive": Entry(
        "forecastkit.forecasters.baselines:SeasonalNaiveForecaster", "repeat the last season of length m"
    ),
    "drift": Entry("forecastkit.forecasters.baselines:DriftForecaster", "random walk with drift"),
    "mean": Entry("forecastkit.forecasters.baselines:MeanForecaster", "mean of the last `window` values"),
    # statsmodels
    "arima": Entry("forecastkit.forecasters.statistical.arima:ARIMAForecaster", "ARIMA/SARIMA (statsmodels SARIMAX)", family="statistical"),
    "auto_arima": Entry(
        "forecastkit.forecasters.statistical.auto_arima:AutoARIMAForecaster",
        "ARIMA with Hyndman-Khandakar order selection (KPSS, seasonal test, stepwise AICc)",
        family="statistical",
    ),
    # scikit-learn reduction
    "ridge": Entry(_RED, "ridge regression on lags (reduction)", {"regressor": "ridge"}, "ml"),
    "linear": Entry(_RED, "linear regression on lags (reduction)", {"regressor": "linear"}, "ml"),
    "random_forest": Entry(_RED, "random forest on lags (reduction)", {"regressor": "random_forest"}, "ml"),
    "hist_gradient_boosting": Entry(
        _RED, "histogram gradient boosting on lags (reduction)", {"regressor": "hist_gradient_boosting"}, "ml"
    ),
    "mlp": Entry(_RED, "scikit-learn MLPRegressor on lags (reduction)", {"regressor": "mlp"}, "ml"),
    "knn": Entry(_RED, "k-nearest neighbours on lags (reduction)", {"regressor": "knn"}, "ml"),
    "sklearn": Entry(_RED, "any scikit-learn regressor by dotted class path (reduction)", {}, "ml"),
    # Keras (TensorFlow imported only when a model is built)
    "lstm": Entry(_NN, "Keras LSTM (variants: lookback1, window, timesteps, stateful, stacked_stateful)", {"architecture": "lstm"}, "neural"),
    "gru": Entry(_NN, "Keras GRU on a window of lags", {"architecture": "gru"}, "neural"),
    "dense": Entry(_NN, "Keras dense network (MLP) on a window of lags", {"architecture": "dense"}, "neural"),
    "cnn1d": Entry(_NN, "Keras 1-D convolutional network on a window", {"architecture": "cnn1d"}, "neural"),
    "encoder_decoder": Entry(
        _NN, "Keras seq2seq LSTM (encoder, RepeatVector, decoder, TimeDistributed Dense)",
        {"architecture": "encoder_decoder"}, "neural",
    ),
}


def available() -> list[str]:
    """Names of every registered forecaster type."""
    return list(REGISTRY)


def get_entry(name: str) -> Entry:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown model type {name!r}; valid types: {', '.join(REGISTRY)}") from None


def parameters(name: str) -> dict[str, Any]:
    """Parameter names and defaults of a registered type (registry defaults applied)."""
    entry = get_entry(name)
    obj = entry.load()
    sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    params = {
        p.name: (None if p.default is inspect.Parameter.empty else p.default)
        for p in sig.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    params.update(entry.defaults)
    return params


def make_forecaster(name: str, **params: Any):
    """Build a forecaster from a registered type name and its parameters.

    Examples
    --------
    >>> make_forecaster("seasonal_naive", season_length=12)
    SeasonalNaiveForecaster(season_length=12)
    """
    entry = get_entry(name)
    obj = entry.load()
    valid = parameters(name)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ConfigError(
            f"model type {name!r} has no parameter(s) {unknown}; valid: {sorted(valid)}"
        )
    kwargs = {**entry.defaults, **params}
    return obj(**kwargs)
