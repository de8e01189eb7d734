"""Containers for backtest results: one :class:`ModelRun` per model and evaluation,
gathered with the data and the future forecasts in a :class:`RunResult`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
class FoldAudit:
    """The leakage audit of one backtest fold: what the forecaster was fitted on, the
    history it forecast from, every fitted transform's rows, and the test span."""

    model: str
    evaluation: str
    fold: int
    refit: bool
    fit_start: str
    fit_end: str
    n_obs: int
    #: transform name -> {"fit_start", "fit_end", "n_rows", "params"}
    transforms: dict[str, Any]
    params_fit_start: str
    params_fit_end: str
    history_start: str
    history_end: str
    test_start: str
    test_end: str
    leak_free: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "FoldAudit":
        return cls(**values)


@dataclass
class FoldRecord:
    """Everything one computed fold produced: stored by the run state as it finishes
    and reused by a resumed run."""

    rows: pd.DataFrame
    audit: FoldAudit
    #: the forecaster's ``fitted_info()`` after this fold, with the fold number
    info: dict[str, Any]
    fit_seconds: float
    predict_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "audit": self.audit.to_dict(), "info": self.info,
                "fit_seconds": self.fit_seconds, "predict_seconds": self.predict_seconds}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "FoldRecord":
        return cls(rows=values["rows"], audit=FoldAudit.from_dict(values["audit"]), info=values["info"],
                   fit_seconds=values["fit_seconds"], predict_seconds=values["predict_seconds"])


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
    audit: list[FoldAudit]
    info: list[dict]
    fit_seconds: float
    predict_seconds: float
    error: str | None = None
    #: the fold plan the backtest followed (used for the MASE scale windows)
    folds: list[Fold] = field(default_factory=list)

    @property
    def leak_free(self) -> bool:
        """True when every audited fold is leak-free."""
        return all(a.leak_free for a in self.audit)


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
    #: the scores of the run, once computed (:func:`forecastkit.backtest.metrics.score`)
    scores: Any = None

    @property
    def failures(self) -> list[str]:
        """One line per failed model: its backtests, then its future forecast."""
        lines = [f"{r.name} ({r.evaluation}): {r.error}" for r in self.model_runs if r.error]
        lines += [f"{name} (future forecast): {err}" for name, err in self.meta.get("future_errors", {}).items()]
        return lines

    @property
    def covariates(self) -> list[str]:
        """Columns of ``data`` that are not targets."""
        return [str(c) for c in self.data.columns if str(c) not in self.targets]
