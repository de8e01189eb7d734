"""The records panel backtests pass around, and the forecast rows they produce.

A (model, chunk of series) work unit is a :class:`Task`; what it returns is a
:class:`ChunkResult`. Both are plain records so a chunk can be shipped to a joblib or
Dask worker on its own. Local models (:mod:`forecastkit.backtest.panel_engine`) and
pooled ones (:mod:`forecastkit.backtest.panel_global`) write the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # for annotations only
    from forecastkit.backtest.panel_folds import FoldPlan

FORECAST_COLUMNS = ["model", "series_id", "fold", "origin", "time", "step", "actual", "forecast", "lower", "upper"]
FUTURE = -1  # fold number of the forecast past the end


@dataclass(frozen=True)
class SeriesBlock:
    """One series: its id, timestamps and values; for global models also its past
    covariates ``past`` (n, p), future-known covariates ``known`` (n + the future
    horizon when their future values were given, f) and ``static`` features
    (``(name, value)`` pairs)."""

    sid: str
    times: pd.DatetimeIndex
    values: np.ndarray
    past: np.ndarray | None = None
    known: np.ndarray | None = None
    static: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class PanelModel:
    """A configured model: ``name``, registry ``type``, its ``params``, the ``pooling``
    and whether a global model takes the panel's covariates and static features."""

    name: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pooling: str = "local"
    covariates: bool = True


@dataclass
class ChunkResult:
    """What one (model, chunk) produced: scored rows, the future forecast, per-series notes."""

    forecasts: pd.DataFrame
    future: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    fitted: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one (model, chunk)."""

    model: PanelModel
    blocks: tuple[SeriesBlock, ...]
    plan: FoldPlan
    cutoffs: pd.DatetimeIndex | None
    freq: str
    level: float
    future_h: int
    seed: int = 0
    season_length: int = 1
    #: the folds to compute (:data:`FUTURE` for the forecast past the end); None: all of them
    folds: tuple[int, ...] | None = None
    #: "conformal" (calibrated on each series' training rows), "native" or None (no intervals)
    intervals: str | None = "conformal"

    def wants(self, fold: int) -> bool:
        return self.folds is None or fold in self.folds


def _clip_nonnegative(train: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Forecasts and bounds clipped at 0 when every training value is >= 0 (as
    ``[data] nonnegative`` unset does for one series): sales and counts never go below 0."""
    if len(train) and bool(np.all(np.asarray(train) >= 0)):
        return tuple(np.maximum(a, 0.0) for a in arrays)  # NaN bounds stay NaN
    return arrays


def _rows(model, sid, fold, times, origin_pos, mean, lower, upper, actual):
    h = len(mean)
    return {
        "model": [model] * h, "series_id": [sid] * h, "fold": [fold] * h,
        "origin": [times[origin_pos - 1]] * h, "step": list(range(1, h + 1)),
        "forecast": mean, "lower": lower, "upper": upper, "actual": actual,
    }


def _frame(parts: list[dict], times_of: list) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    out = pd.DataFrame({k: np.concatenate([np.asarray(p[k], dtype=object if k in ("model", "series_id") else None)
                                           for p in parts]) for k in parts[0]})
    out["time"] = np.concatenate(times_of)
    out["origin"] = pd.to_datetime(out["origin"])
    return out[FORECAST_COLUMNS]


def _future_times(times: pd.DatetimeIndex, origin: int, h: int, freq: str) -> np.ndarray:
    return pd.date_range(times[origin - 1], periods=h + 1, freq=freq)[1:].values


def panel_blocks(panel) -> list[SeriesBlock]:
    """The :class:`SeriesBlock` of every series of a :class:`~forecastkit.data.panel.Panel`,
    with its covariates (future-known ones extended by ``panel.future_values``) and statics."""
    frame = panel.frame
    past, future = list(panel.past), list(panel.future)
    P = frame[past].to_numpy(float) if past else None
    F = frame[future].to_numpy(float) if future else None
    ahead = panel.future_values or {}
    out, at = [], 0
    for sid, times, values in panel.groups():
        n = len(values)
        known = None
        if F is not None:
            known = F[at:at + n]
            if sid in ahead:
                known = np.vstack([known, ahead[sid]])
        static = () if panel.statics is None else tuple((str(c), v) for c, v in panel.statics.loc[sid].items())
        out.append(SeriesBlock(sid, times, values, None if P is None else P[at:at + n], known, static))
        at += n
    return out
