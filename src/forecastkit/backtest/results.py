"""Containers for backtest results: one :class:`ModelRun` per model and evaluation,
gathered with the data and the future forecasts in a :class:`RunResult`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecastkit.backtest.splits import Fold

#: columns of ``ModelRun.forecasts`` (and of ``backtest_forecasts.csv``)
FORECAST_COLUMNS = [
    "model", "target", "evaluation", "fold", "origin", "timestamp", "step",
    "actual", "forecast", "lower", "upper",
]
#: columns of ``RunResult.future`` (and of ``forecast.csv``)
FUTURE_COLUMNS = ["model", "target", "timestamp", "step", "forecast", "lower", "upper"]


def empty_forecasts() -> pd.DataFrame:
    """A forecasts table with no rows and the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype=float) for c in FORECAST_COLUMNS})


@dataclass
class ModelRun:
    """The backtest of one model under one evaluation scheme.

    ``forecasts`` is tidy: one row per (target, fold, step) with the ``origin``
    (timestamp of the last observed row), the forecast ``timestamp``, the
    ``actual`` value, the ``forecast`` and the interval bounds (NaN without
    intervals). ``audit`` holds the per-fold leakage audit, ``info`` the
    forecaster's fitted information per fold (e.g. ARIMA orders). When the
    forecaster failed, ``error`` says why and ``forecasts`` is empty.
    """

    name: str
    type: str
    evaluation: str
    forecasts: pd.DataFrame
    audit: list[dict]
    info: list[dict]
    fit_seconds: float
    predict_seconds: float
    error: str | None = None
    #: the fold plan the backtest followed (used for the MASE scale windows)
    folds: list[Fold] = field(default_factory=list)

    @property
    def leak_free(self) -> bool:
        """True when every audited fold is leak-free."""
        return all(bool(a.get("leak_free")) for a in self.audit)


@dataclass
class RunResult:
    """Everything a run produced; the input of :func:`~forecastkit.backtest.metrics.score`
    and :func:`~forecastkit.report.writer.write_report`."""

    name: str
    config: dict
    seed: int | None
    data: pd.DataFrame
    targets: list[str]
    season_length: int
    metric: str
    model_runs: list[ModelRun]
    future: pd.DataFrame
    meta: dict = field(default_factory=dict)
    models: list[dict] = field(default_factory=list)

    @property
    def covariates(self) -> list[str]:
        """Columns of ``data`` that are not targets."""
        return [str(c) for c in self.data.columns if str(c) not in self.targets]
