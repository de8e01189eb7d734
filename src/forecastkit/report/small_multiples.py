"""The models the forecast plot leaves out, one small panel each: observed history,
the model's backtest forecasts and its future forecast (with its interval), so no
model hides under near-identical lines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecastkit.backtest.metrics import run_level
from forecastkit.backtest.probabilistic import level_text
from forecastkit.backtest.results import RunResult
from forecastkit.report import tables as T
from forecastkit.report.tables import BASELINE_TYPES

#: panels per row
COLUMNS = 3


def other_models_figure(run: RunResult, leaderboard: pd.DataFrame, target: str, evaluation: str | None,
                        shown: list[str]):
    """One panel per successful model not in ``shown`` (leaderboard order), or None."""
    from matplotlib.figure import Figure

    board = leaderboard[(leaderboard["target"] == target) & (leaderboard["evaluation"] == evaluation)
                        & leaderboard["error"].isna() & (leaderboard["n_forecasts"] > 0)]
    models = [m for m in dict.fromkeys(board["model"]) if m not in shown]
    if not models:
        return None
    metric = "rmse" if run.metric == "skill" else run.metric
    values = dict(zip(board["model"], board[metric])) if metric in board else {}
    types = dict(zip(board["model"], board["type"]))
    rows = math.ceil(len(models) / COLUMNS)
    fig = Figure(figsize=(12.0, 2.6 * rows + 0.6), dpi=100, layout="constrained")
    axes = fig.subplots(rows, COLUMNS, squeeze=False, sharex=True, sharey=True).ravel()
    bt = pd.concat([mr.forecasts for mr in run.model_runs
                    if mr.evaluation == evaluation and mr.name in models and not mr.error and len(mr.forecasts)]
                   or [pd.DataFrame(columns=["model", "target", "fold", "timestamp", "forecast", "lower", "upper"])],
                   ignore_index=True)
    bt = bt[bt["target"] == target]
    series = run.data[target]
    start = series.index.get_indexer(pd.Index([bt["timestamp"].min()]))[0] if len(bt) else len(series) - 24
    tail = series.iloc[max(0, start - max(int(run.season_length or 1), 12)):]
    future = run.future
    if future is None or not {"model", "target"} <= set(future.columns):
        future = pd.DataFrame(columns=["model", "target", "step", "timestamp", "forecast", "lower", "upper"])
    level = level_text(run_level(run))
    for ax, model in zip(axes, models):
        ax.plot(tail.index.to_numpy(), tail.to_numpy(dtype=float), color="black", lw=0.9)
        color = "0.4" if types.get(model) in BASELINE_TYPES else "tab:blue"
        for _, g in bt[bt["model"] == model].groupby("fold", sort=True):
            ax.plot(g["timestamp"].to_numpy(), g["forecast"].to_numpy(dtype=float), color=color, lw=1.2)
        fut = future[(future["model"] == model) & (future["target"] == target)].sort_values("step")
        if len(fut):
            x = fut["timestamp"].to_numpy()
            ax.plot(x, fut["forecast"].to_numpy(dtype=float), color=color, lw=1.2, ls="--")
            lo, hi = fut["lower"].to_numpy(dtype=float), fut["upper"].to_numpy(dtype=float)
            if np.isfinite(lo).all() and np.isfinite(hi).all():
                ax.fill_between(x, lo, hi, color=color, alpha=0.2, lw=0)
        ax.axvline(series.index[-1], color="black", lw=0.8, ls="--")
        ax.set_title(f"{model}: {metric.upper()} {T.fmt(values.get(model, float('nan')))}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(models):]:
        ax.set_axis_off()
    fig.suptitle(f"{target}: the other models ({evaluation} backtest solid, future dashed with its {level} "
                 "interval; black = observed, dashed line = end of data)", fontsize=10)
    return fig
