"""Registry of forecaster types and the ``make_forecaster`` factory.

The registry is explicit: a type name maps to ``"module:attribute"`` plus default
parameters. Modules are imported only when a type is built or described, so listing
types never imports TensorFlow (neural modules import it lazily themselves).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from forecastkit.errors import ConfigError


@dataclass(frozen=True)
class Entry:
    """One registered model type.

    Attributes
    ----------
    target : str
        ``"package.module:Class"``, imported only when the type is used.
    summary : str
        One line for ``forecastkit models``.
    defaults : dict
        Parameters this type fixes (e.g. the regressor of a reduction type).
    test_params : dict
        Small, fast parameters the contract suite (``tests/forecasters/test_contract*.py``)
        fits this type with; every entry must give them (``{}`` when the defaults are
        fast), the suite fails for an entry left at None.
    """

    target: str
    summary: str
    defaults: dict[str, Any] = field(default_factory=dict)
    test_params: dict[str, Any] | None = None

    def load(self):
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


_RED = "forecastkit.forecasters.reduction:ReductionForecaster"
_NN = "forecastkit.forecasters.neural:NeuralForecaster"
_RED_TEST = {"n_in": 3}
_NN_TEST = {"n_in": 3, "units": [4], "epochs": 2, "batch_size": 8, "patience": None}

REGISTRY: dict[str, Entry] = {
    # baselines
    "naive": Entry("forecastkit.forecasters.baselines:NaiveForecaster", "persistence: y(t+k) = y(t)",
                   test_params={}),
    "seasonal_naive": Entry(
        "forecastkit.forecasters.baselines:SeasonalNaiveForecaster", "repeat the last season of length m",
        test_params={"season_length": 4},
    ),
    "drift": Entry("forecastkit.forecasters.baselines:DriftForecaster", "random walk with drift", test_params={}),
    "mean": Entry("forecastkit.forecasters.baselines:MeanForecaster", "mean of the last `window` values",
                  test_params={"window": 6}),
    # the M-competition benchmark (seasonally adjusted with the classical decomposition)
    "naive2": Entry("forecastkit.forecasters.statistical.seasonal_adjust:Naive2Forecaster",
                    "naive on the seasonally adjusted series (M-competition reference)",
                    test_params={"season_length": 4}),
    # statsmodels
    "arima": Entry("forecastkit.forecasters.statistical.arima:ARIMAForecaster", "ARIMA/SARIMA (statsmodels SARIMAX)",
                   test_params={"order": (1, 1, 0)}),
    "auto_arima": Entry(
        "forecastkit.forecasters.statistical.auto_arima:AutoARIMAForecaster",
        "ARIMA with Hyndman-Khandakar order selection (KPSS, seasonal test, stepwise AICc)",
        test_params={"max_p": 1, "max_q": 1, "max_d": 1},
    ),
    "ets": Entry(
        "forecastkit.forecasters.statistical.ets:ETSForecaster",
        "exponential smoothing ETS(error, trend, season), form chosen by AICc like R's ets() (statsmodels)",
        test_params={},
    ),
    "theta": Entry(
        "forecastkit.forecasters.statistical.theta:ThetaForecaster",
        "Theta method: best of the standard/optimised/dynamic Theta models by in-sample MSE, like AutoTheta",
        test_params={"season_length": 12},
    ),
    # combinations and validation-based choice (members are registered types)
    "ensemble": Entry(
        "forecastkit.forecasters.ensemble:EnsembleForecaster",
        "mean or median of member models given inline (members = [{type = ...}, ...])",
        test_params={"members": [{"type": "drift"}, {"type": "theta"}]},
    ),
    "auto": Entry(
        "forecastkit.forecasters.auto:AutoForecaster",
        "chooses among candidate models by inner rolling validation on the training rows",
        test_params={"candidates": [{"type": "naive"}, {"type": "drift"}, {"type": "theta"}], "horizon": 4,
                     "folds": 2},
    ),
    "conformal": Entry(
        "forecastkit.forecasters.conformal:ConformalForecaster",
        "any model with split-conformal intervals per horizon step, calibrated on its training rows",
        test_params={"model": {"type": "ridge", "n_in": 3}, "horizon": 4, "windows": 6},
    ),
    # scikit-learn reduction
    "ridge": Entry(_RED, "ridge regression on lags (reduction)", {"regressor": "ridge"}, _RED_TEST),
    "linear": Entry(_RED, "linear regression on lags (reduction)", {"regressor": "linear"}, _RED_TEST),
    "random_forest": Entry(_RED, "random forest on lags (reduction)", {"regressor": "random_forest"},
                           {**_RED_TEST, "regressor_params": {"n_estimators": 5}}),
    "hist_gradient_boosting": Entry(
        _RED, "histogram gradient boosting on lags (reduction)", {"regressor": "hist_gradient_boosting"},
        {**_RED_TEST, "regressor_params": {"max_iter": 5}},
    ),
    "mlp": Entry(_RED, "scikit-learn MLPRegressor on lags (reduction)", {"regressor": "mlp"},
                 {**_RED_TEST, "regressor_params": {"max_iter": 50}}),
    "knn": Entry(_RED, "k-nearest neighbours on lags (reduction)", {"regressor": "knn"},
                 {**_RED_TEST, "regressor_params": {"n_neighbors": 3}}),
    "sklearn": Entry(_RED, "any scikit-learn regressor by dotted class path (reduction)", {},
                     {**_RED_TEST, "regressor": "sklearn.linear_model.Lasso", "regressor_params": {"alpha": 0.01}}),
    # Keras (TensorFlow imported only when a model is built)
    "lstm": Entry(_NN, "Keras LSTM (variants: lookback1, window, timesteps, stateful, stacked_stateful)",
                  {"architecture": "lstm"}, _NN_TEST),
    "gru": Entry(_NN, "Keras GRU on a window of lags", {"architecture": "gru"}, _NN_TEST),
    "dense": Entry(_NN, "Keras dense network (MLP) on a window of lags", {"architecture": "dense"}, _NN_TEST),
    "cnn1d": Entry(_NN, "Keras 1-D convolutional network on a window", {"architecture": "cnn1d"},
                   {**_NN_TEST, "kernel_size": 2}),
    "encoder_decoder": Entry(
        _NN, "Keras seq2seq LSTM (encoder, RepeatVector, decoder, TimeDistributed Dense)",
        {"architecture": "encoder_decoder"}, _NN_TEST,
    ),
}


def get_entry(name: str) -> Entry:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown model type {name!r}; valid types: {', '.join(REGISTRY)}") from None


def parameters(name: str) -> dict[str, Any]:
    """Parameter names and defaults of a registered type (registry defaults applied)."""
    entry = get_entry(name)
    return {**entry.load().param_defaults(), **entry.defaults}


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
