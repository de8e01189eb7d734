"""Per-forecast losses, computed benchmarks and per-origin loss tables.

The benchmarks are computed from the data at each origin (no model needs to be
configured): persistence (``naive``, the last observed value) and the seasonal naive
forecast (``snaive``, the value one season before, ``y(T+k) = y(T+k-m*ceil(k/m))``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: columns of the computed benchmark forecasts in a scored frame, and their labels
BENCHMARKS = {"naive": "persistence (computed)", "snaive": "seasonal naive (computed)"}
#: the per-forecast loss behind each leaderboard metric (DM tests, confidence sets)
LOSS_OF_METRIC = {"mae": "absolute error", "rmse": "squared error", "skill": "squared error",
                  "mape": "absolute % error", "smape": "symmetric absolute % error", "mase": "scaled absolute error"}


def seasonal_naive_values(values, origins, steps, m: int) -> np.ndarray:
    """Seasonal naive forecasts for ``steps`` (1-based) from ``origins`` (positions of
    the last observed row); NaN where the season before is not in the data."""
    v = np.asarray(values, dtype=float)
    p, k = np.asarray(origins, dtype=int), np.asarray(steps, dtype=int)
    m = max(int(m), 1)
    src = p - m + 1 + (k - 1) % m
    out = np.full(src.shape, np.nan)
    ok = (src >= 0) & (src <= p)
    out[ok] = v[src[ok]]
    return out


def mape_undefined(values) -> bool:
    """True when a series touches or crosses zero (percentage errors are meaningless)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size) and not ((v > 0).all() or (v < 0).all())


def forecast_loss(frame: pd.DataFrame, metric: str, column: str = "forecast") -> np.ndarray:
    """The loss of each forecast (row) whose mean is the metric (its square root for RMSE)."""
    y = frame["actual"].to_numpy(dtype=float)
    f = frame[column].to_numpy(dtype=float)
    e = np.abs(y - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "mae":
            return e
        if metric == "mape":
            return np.where(y != 0, 100 * e / np.abs(y), np.nan)
        if metric == "smape":
            denom = np.abs(y) + np.abs(f)
            return np.where(denom > 0, 200 * e / denom, 0.0)
        if metric == "mase":
            s = frame["scale"].to_numpy(dtype=float)
            return np.where(s > 0, e / s, np.nan)
    return e**2  # rmse, skill


def origin_losses(scored: pd.DataFrame, metric: str, evaluation: str, target: str,
                  benchmarks: bool = True) -> pd.DataFrame:
    """Mean loss per origin (rows, sorted) and model (columns) for one evaluation and
    target; with ``benchmarks``, also the computed persistence and seasonal naive."""
    sub = scored[(scored["evaluation"] == evaluation) & (scored["target"] == target)]
    if sub.empty:
        return pd.DataFrame()
    sub = sub.assign(_loss=forecast_loss(sub, metric))
    table = sub.pivot_table(index="origin", columns="model", values="_loss", aggfunc="mean", sort=True)
    table = table.reindex(columns=list(dict.fromkeys(sub["model"])))
    if benchmarks:
        one = sub[sub["model"] == sub["model"].iloc[0]]
        for col, label in BENCHMARKS.items():
            if col in one:
                b = one.assign(_loss=forecast_loss(one, metric, col)).groupby("origin")["_loss"].mean()
                table[label] = b.reindex(table.index)
    return table
