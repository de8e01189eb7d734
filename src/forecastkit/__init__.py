"""forecastkit: multivariate, multi-step time-series forecasting.

Public names are imported lazily so that ``import forecastkit`` (and the CLI's
``--help``) stay fast; TensorFlow is imported only when a neural model is built.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # data -> framing
    "load_data": "forecastkit.data.loader",
    "load_dataset": "forecastkit.data.loader",
    "prepare_frame": "forecastkit.data.loader",
    "list_datasets": "forecastkit.data.datasets",
    "series_to_supervised": "forecastkit.framing.supervised",
    "make_windows": "forecastkit.framing.supervised",
    # forecasters
    "Forecaster": "forecastkit.forecasters.base",
    "make_forecaster": "forecastkit.forecasters.registry",
    "ReductionForecaster": "forecastkit.forecasters.reduction",
    "calendar_features": "forecastkit.forecasters.covariates",
    "save_forecaster": "forecastkit.forecasters.persistence",
    "load_forecaster": "forecastkit.forecasters.persistence",
    # backtest -> report -> runs
    "holdout_folds": "forecastkit.backtest.splits",
    "rolling_folds": "forecastkit.backtest.splits",
    "run_backtest": "forecastkit.backtest.engine",
    "score": "forecastkit.backtest.metrics",
    "load_config": "forecastkit.config.schema",
    "run": "forecastkit.runs.api",
    "RunResult": "forecastkit.backtest.results",
    "run_experiment": "forecastkit.runs.loop",
    "ForecastkitError": "forecastkit.errors",
    "DataError": "forecastkit.errors",
    "ConfigError": "forecastkit.errors",
    "NotFittedError": "forecastkit.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'forecastkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
