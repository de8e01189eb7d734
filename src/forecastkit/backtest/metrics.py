"""Forecast accuracy metrics and the leaderboard / per-horizon / per-fold tables.

Definitions (all in the data's original units; ``e = actual - forecast``):

- ``mae``  = mean(|e|); ``rmse`` = sqrt(mean(e**2));
- ``mape`` = 100 * mean(|e| / |y|) over the points with ``y != 0`` (zero actuals are
  skipped; NaN when every actual is zero);
- ``smape`` = 100 * mean(2|e| / (|y| + |f|)), a term with ``y = f = 0`` counting 0;
- ``mase`` = mean(|e| / scale) where ``scale`` is the in-sample MAE of the seasonal
  naive forecast (season ``m = RunResult.season_length``; ``m = 1``: naive) on the
  fold's training window (the history rows before the origin; if that window has
  ``m`` rows or fewer, every row before the origin). Each forecast is divided by its
  own fold's scale, so the MASE of a group is the mean over its folds of fold
  MAE / fold scale (weighted by the number of forecasts per fold). NaN when the
  scale is 0 or cannot be computed;
- ``skill`` = 1 - RMSE / RMSE(persistence), the persistence forecast being the last
  observed value at the same origin for every step, computed from the data (no
  naive model needs to be configured); ``rmse_naive`` is that persistence RMSE;
- ``skill_snaive`` = 1 - RMSE / RMSE(seasonal naive), the seasonal naive forecast
  (season ``m``) computed from the data at the same origin; ``rmse_snaive`` is its RMSE;
  ``rel_mase`` = MASE / MASE of that seasonal naive forecast (below 1: better than it);
- ``mape`` is NaN for a target that touches or crosses zero (see
  :func:`forecastkit.backtest.losses.mape_undefined`);
- ``coverage``, ``width``, ``winkler``, ``pinball`` and ``coverage_flag``: the interval
  scores at the run's level (:mod:`forecastkit.backtest.probabilistic`; NaN for models
  without intervals).
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.backtest.losses import mape_undefined, seasonal_naive_values
from forecastkit.backtest.probabilistic import coverage_flag, interval_scores
from forecastkit.backtest.results import FORECAST_COLUMNS, ModelRun, RunResult
from forecastkit.errors import DataError

POINT_METRICS = ["mae", "rmse", "mape", "smape", "mase"]
LEADERBOARD_COLUMNS = [
    "model", "type", "target", "evaluation", "mae", "rmse", "mape", "smape", "mase", "rel_mase", "skill",
    "skill_snaive", "rmse_naive", "rmse_snaive", "coverage", "width", "winkler", "pinball", "coverage_flag",
    "fit_seconds", "predict_seconds", "n_forecasts", "error",
]
HORIZON_COLUMNS = ["model", "target", "evaluation", "step", "mae", "rmse", "mape", "smape", "mase", "skill",
                   "skill_snaive"]
FOLD_COLUMNS = ["model", "target", "evaluation", "fold", "origin", "mae", "rmse", "mape", "smape", "mase", "skill",
                "skill_snaive"]
SORTABLE = ["mae", "rmse", "mape", "smape", "mase", "skill", "coverage", "width", "fit_seconds", "predict_seconds"]


def point_metrics(actual: Any, forecast: Any, *, scale: Any = None) -> dict[str, float]:
    """MAE, RMSE, MAPE (%), sMAPE (%) and MASE of ``forecast`` against ``actual``.

    Parameters
    ----------
    actual, forecast : array-like
        Same length; pairs with a NaN on either side are ignored.
    scale : float or array-like, optional
        MASE denominator (a scalar, or one value per point). Without it MASE is NaN.

    Returns
    -------
    dict with keys ``mae``, ``rmse``, ``mape``, ``smape``, ``mase``.
    """
    y = np.asarray(actual, dtype=float).ravel()
    f = np.asarray(forecast, dtype=float).ravel()
    if y.shape != f.shape:
        raise DataError(f"actual and forecast differ in length: {y.size} vs {f.size}")
    s = None
    if scale is not None:
        s = np.broadcast_to(np.asarray(scale, dtype=float), y.shape)
    ok = np.isfinite(y) & np.isfinite(f)
    nan = float("nan")
    if not ok.any():
        return {k: nan for k in POINT_METRICS}
    y, f = y[ok], f[ok]
    # near-zero actuals can overflow MAPE to inf: that is the honest value, not a warning
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        err = np.abs(y - f)
        nz = y != 0
        denom = np.abs(y) + np.abs(f)
        smape_terms = np.divide(2 * err, denom, out=np.zeros_like(err), where=denom > 0)
        out = {
            "mae": float(err.mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "mape": float(100 * (err[nz] / np.abs(y[nz])).mean()) if nz.any() else nan,
            "smape": float(100 * smape_terms.mean()),
            "mase": nan,
        }
        if s is not None:
            s = s[ok]
            if (np.isfinite(s) & (s > 0)).all():
                out["mase"] = float((err / s).mean())
    return out


def seasonal_naive_scale(values: Any, m: int) -> float:
    """In-sample MAE of the seasonal naive forecast ``y[t] = y[t - m]`` (NaN if too short)."""
    v = np.asarray(values, dtype=float)
    m = max(int(m), 1)
    if v.size <= m:
        return float("nan")
    return float(np.nanmean(np.abs(v[m:] - v[:-m])))


# --------------------------------------------------------------------------- scoring
def _fold_context(mr: ModelRun, data: pd.DataFrame, target: str, m: int) -> pd.DataFrame:
    """Per (fold, origin): the MASE scale and the persistence value of ``target``."""
    fc = mr.forecasts[mr.forecasts["target"] == target]
    pairs = fc[["fold", "origin"]].drop_duplicates()
    values = data[target].to_numpy(dtype=float)
    pos = data.index.get_indexer(pd.Index(pairs["origin"]))
    if (pos < 0).any():
        missing = pairs["origin"].to_numpy()[pos < 0][0]
        raise DataError(f"forecast origin {missing} of model {mr.name!r} is not a timestamp of the data")
    hist = {f.fold: f.hist_start for f in mr.folds}
    scales, naive = [], []
    for fold, p in zip(pairs["fold"].to_numpy(), pos):
        origin = int(p) + 1  # the row after the last observed one
        scale = seasonal_naive_scale(values[hist.get(int(fold), 0):origin], m)
        if not np.isfinite(scale):
            scale = seasonal_naive_scale(values[:origin], m)
        scales.append(scale)
        naive.append(values[p])
    return pd.DataFrame({"fold": pairs["fold"].to_numpy(), "scale": scales, "naive": naive, "pos": pos})


def _group_metrics(g: pd.DataFrame, level: float | None = None, no_mape: bool = False) -> dict[str, float]:
    out = point_metrics(g["actual"], g["forecast"], scale=g["scale"])
    if no_mape:
        out["mape"] = float("nan")
    naive = point_metrics(g["actual"], g["naive"])["rmse"]
    out["rmse_naive"] = naive
    out["skill"] = 1 - out["rmse"] / naive if naive > 0 else float("nan")
    snaive = point_metrics(g["actual"], g["snaive"], scale=g["scale"])
    out["rmse_snaive"] = snaive["rmse"]
    out["skill_snaive"] = 1 - out["rmse"] / snaive["rmse"] if snaive["rmse"] > 0 else float("nan")
    out["rel_mase"] = out["mase"] / snaive["mase"] if snaive["mase"] > 0 else float("nan")
    # the steps of one origin's path are one cluster of outcomes for the coverage test
    scores = interval_scores(g["actual"], g["lower"], g["upper"], level, paths=g["origin"].to_numpy())
    n_intervals, n_effective = scores.pop("n_intervals"), scores.pop("n_effective")
    out.update(scores)
    out["coverage_flag"] = coverage_flag(out["coverage"], n_intervals, level, n_effective)
    out["n_forecasts"] = int(len(g))
    return out


def _scored_frame(mr: ModelRun, data: pd.DataFrame, target: str, m: int) -> pd.DataFrame:
    fc = mr.forecasts[mr.forecasts["target"] == target]
    ctx = _fold_context(mr, data, target, m)
    g = fc.merge(ctx, on="fold", how="left", validate="many_to_one")
    g["snaive"] = seasonal_naive_values(data[target].to_numpy(dtype=float), g["pos"], g["step"], m)
    return g.drop(columns="pos")


def run_level(run: RunResult) -> float | None:
    """The interval level of the run (``[forecast] level`` of its config, default 0.95);
    None when the config says ``intervals = false``."""
    forecast = run.config.get("forecast") if isinstance(run.config, dict) else None
    level = forecast.get("level", 0.95) if isinstance(forecast, dict) else 0.95
    if isinstance(forecast, dict) and forecast.get("intervals", True) is False:
        return None
    return float(level) if level is not None else None


def _sort(board: pd.DataFrame, metric: str) -> pd.DataFrame:
    if metric not in SORTABLE:
        raise DataError(f"unknown leaderboard metric {metric!r}; valid: {SORTABLE}")
    board = board.assign(_order=np.arange(len(board)))
    ascending = metric != "skill"
    board = board.sort_values(
        ["evaluation", metric, "_order"], ascending=[True, ascending, True], na_position="last", kind="stable"
    )
    return board.drop(columns="_order").reset_index(drop=True)


@dataclass
class Scores:
    """The scores of a run.

    Attributes
    ----------
    leaderboard : DataFrame
        One row per model, target and evaluation, sorted by evaluation then the
        run's metric.
    by_horizon : DataFrame
        Per step 1..h.
    by_fold : DataFrame
        Per fold, with its origin.
    scored : DataFrame
        Every forecast with its fold's MASE ``scale`` and the computed ``naive``
        and ``snaive`` benchmark forecasts (the input of the significance tests).
    """

    leaderboard: pd.DataFrame
    by_horizon: pd.DataFrame
    by_fold: pd.DataFrame
    scored: pd.DataFrame


def score(run: RunResult) -> Scores:
    """Score every model run of ``run`` (see :class:`Scores`)."""
    m = int(run.season_length or 1)
    level = run_level(run)
    board, horizon, folds, scored = [], [], [], []
    for mr in run.model_runs:
        base = {"model": mr.name, "type": mr.type}
        targets = list(run.targets) if mr.error or mr.forecasts.empty else [
            t for t in run.targets if (mr.forecasts["target"] == t).any()
        ]
        for target in targets:
            keys = {"model": mr.name, "target": target, "evaluation": mr.evaluation}
            row = {**base, "target": target, "evaluation": mr.evaluation,
                   "fit_seconds": mr.fit_seconds, "predict_seconds": mr.predict_seconds, "error": mr.error}
            if mr.error or mr.forecasts.empty:
                board.append({**row, "n_forecasts": 0})
                continue
            g = _scored_frame(mr, run.data, target, m)
            no_mape = mape_undefined(run.data[target])
            scored.append(g)
            board.append({**row, **_group_metrics(g, level, no_mape)})
            for step, gs in g.groupby("step", sort=True):
                horizon.append({**keys, "step": int(step), **_group_metrics(gs, level, no_mape)})
            for fold, gf in g.groupby("fold", sort=True):
                folds.append({**keys, "fold": int(fold), "origin": gf["origin"].iloc[0],
                              **_group_metrics(gf, level, no_mape)})
    leaderboard = pd.DataFrame(board, columns=LEADERBOARD_COLUMNS)
    leaderboard["n_forecasts"] = leaderboard["n_forecasts"].fillna(0).astype(int)
    return Scores(
        leaderboard=_sort(leaderboard, run.metric),
        by_horizon=pd.DataFrame(horizon, columns=HORIZON_COLUMNS),
        by_fold=pd.DataFrame(folds, columns=FOLD_COLUMNS),
        scored=pd.concat(scored, ignore_index=True) if scored else pd.DataFrame(
            columns=[*FORECAST_COLUMNS, "scale", "naive", "snaive"]),
    )
