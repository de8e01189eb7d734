"""PNG plots of a run, drawn with matplotlib's object API on the Agg canvas.

matplotlib is imported inside the functions (it is slow to import) and pyplot is
never used, so no global backend or figure state is touched.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from forecastkit.backtest.metrics import Scores
from forecastkit.backtest.results import RunResult
from forecastkit.report import tables as T
from forecastkit.report.tables import BASELINE_TYPES

#: most models drawn in the forecast plot (the best ones by the leaderboard)
MAX_FORECAST_MODELS = 4


def _figure(width: float = 10.0, height: float = 5.0, ncols: int = 1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def to_png(fig) -> bytes:
    """Render a matplotlib Figure to PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _colors(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(n, 1))]


def _x(values) -> np.ndarray:
    return pd.Index(values).to_numpy()


def _shown_evaluation(board: pd.DataFrame) -> str | None:
    ok = board[board["error"].isna() & (board["n_forecasts"] > 0)]
    if ok.empty:
        return None
    evaluations = list(dict.fromkeys(ok["evaluation"]))
    return "rolling" if "rolling" in evaluations else evaluations[0]


def forecast_figure(run: RunResult, leaderboard: pd.DataFrame, target: str):
    """History (last part), the best models' backtest forecasts and their future
    forecasts, with the best model's prediction interval as a band."""
    board = leaderboard[leaderboard["target"] == target]
    evaluation = _shown_evaluation(board)
    fig, (ax,) = _figure()
    series = run.data[target]
    models: list[str] = []
    if evaluation is not None:
        ranked = board[(board["evaluation"] == evaluation) & board["error"].isna() & (board["n_forecasts"] > 0)]
        models = list(dict.fromkeys(ranked["model"]))[:MAX_FORECAST_MODELS]
    bt = pd.concat(
        [mr.forecasts for mr in run.model_runs if mr.evaluation == evaluation and mr.name in models and not mr.error]
        or [pd.DataFrame(columns=["model", "target", "fold", "timestamp", "forecast"])],
        ignore_index=True,
    )
    bt = bt[bt["target"] == target]
    # Show the backtest span plus some context before it (or a tail of the history).
    m = max(int(run.season_length or 1), 1)
    if len(bt):
        first = series.index.get_indexer(pd.Index([bt["timestamp"].min()]))[0]
        context = max(2 * m, int(bt["step"].max()) * 2, 10, (len(series) - first) // 2)
        start = max(0, first - context)
    else:
        start = max(0, len(series) - max(8 * m, 100))
    tail = series.iloc[start:]
    ax.plot(_x(tail.index), tail.to_numpy(dtype=float), color="black", lw=1.2, label=f"{target} (observed)")
    future = run.future
    colors = _colors(len(models))
    for rank, (color, model) in enumerate(zip(colors, models)):
        mine = bt[bt["model"] == model]
        for i, (_, g) in enumerate(mine.groupby("fold", sort=True)):
            ax.plot(_x(g["timestamp"]), g["forecast"].to_numpy(dtype=float), color=color, lw=1.0, alpha=0.9,
                    label=f"{model} (backtest, {evaluation})" if i == 0 else None)
        if future is not None and len(future):
            fut = future[(future["model"] == model) & (future["target"] == target)].sort_values("step")
            if len(fut):
                x = _x(fut["timestamp"])
                ax.plot(x, fut["forecast"].to_numpy(dtype=float), color=color, lw=1.6, ls="--",
                        label=f"{model} (future)")
                lo, hi = fut["lower"].to_numpy(dtype=float), fut["upper"].to_numpy(dtype=float)
                # one band (the best model's) keeps the plot readable
                if rank == 0 and np.isfinite(lo).all() and np.isfinite(hi).all():
                    ax.fill_between(x, lo, hi, color=color, alpha=0.2, lw=0, label=f"{model} (future interval)")
    ax.axvline(_x(series.index[-1:])[0], color="grey", lw=0.8, ls=":")
    ax.set_title(f"{target}: observed, backtest and future forecasts")
    ax.set_ylabel(target)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def error_by_horizon_figure(by_horizon: pd.DataFrame, target: str, metric: str = "rmse"):
    """The error of every model at each horizon step, one panel per evaluation."""
    data = by_horizon[by_horizon["target"] == target]
    evaluations = list(dict.fromkeys(data["evaluation"])) or ["-"]
    fig, axes = _figure(width=max(10.0, 5.0 * len(evaluations)), ncols=len(evaluations))
    models = list(dict.fromkeys(data["model"]))
    colors = dict(zip(models, _colors(len(models))))
    from matplotlib.ticker import MaxNLocator

    for ax, evaluation in zip(axes, evaluations):
        sub = data[data["evaluation"] == evaluation]
        if sub.empty:
            _empty(ax, f"{target}, error by horizon")
            continue
        ax.set_title(f"{target}: {metric.upper()} by horizon step ({evaluation})")
        if len(sub) and sub["step"].max() == 1:
            # One step (e.g. holdout h=1): a line has nothing to join, so draw bars.
            names = list(dict.fromkeys(sub["model"]))
            values = [float(sub.loc[sub["model"] == m, metric].iloc[0]) for m in names]
            ax.barh(np.arange(len(names)), values, color=[colors[m] for m in names])
            ax.set_yticks(np.arange(len(names)), labels=names, fontsize=8)
            ax.set_xlabel(f"{metric.upper()} at step 1")
            ax.grid(axis="x", alpha=0.3)
            continue
        for model, g in sub.groupby("model", sort=False):
            g = g.sort_values("step")
            ax.plot(g["step"].to_numpy(), g[metric].to_numpy(dtype=float), marker="o", ms=3, lw=1.2,
                    color=colors[model], label=model)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step ahead")
        ax.set_ylabel(metric.upper())
        ax.grid(alpha=0.3)
    with_lines = [ax for ax in axes if ax.get_legend_handles_labels()[0]]
    if with_lines:
        handles, labels = with_lines[-1].get_legend_handles_labels()
        axes[-1].legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no successful model to show ({what})", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def leaderboard_figure(leaderboard: pd.DataFrame, target: str):
    """RMSE bars per model (baselines grey) with the persistence RMSE as a line."""
    board = leaderboard[(leaderboard["target"] == target) & leaderboard["error"].isna()]
    evaluations = list(dict.fromkeys(board["evaluation"])) or ["-"]
    height = max(3.0, 0.35 * max((board["evaluation"] == e).sum() for e in evaluations) + 1.5)
    fig, axes = _figure(width=max(10.0, 5.0 * len(evaluations)), height=height, ncols=len(evaluations))
    for ax, evaluation in zip(axes, evaluations):
        sub = board[board["evaluation"] == evaluation].sort_values("rmse", ascending=False, na_position="first")
        if sub.empty:
            _empty(ax, f"{target}, leaderboard")
            continue
        names = sub["model"].tolist()
        colors = ["0.6" if t in BASELINE_TYPES else "tab:blue" for t in sub["type"]]
        ax.barh(np.arange(len(names)), sub["rmse"].fillna(0).to_numpy(dtype=float), color=colors)
        ax.set_yticks(np.arange(len(names)), labels=names, fontsize=8)
        for i, v in enumerate(sub["rmse"].to_numpy(dtype=float)):
            if np.isfinite(v):
                ax.annotate(T.fmt(v), (v, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
        naive = sub["rmse_naive"].dropna()
        if len(naive):
            ax.axvline(float(naive.median()), color="tab:red", ls="--", lw=1.2, label="persistence (naive) RMSE")
            ax.legend(fontsize=8, loc="lower right")
        ax.set_title(f"{target}: RMSE ({evaluation}; grey = baselines)")
        ax.set_xlabel("RMSE")
        ax.grid(axis="x", alpha=0.3)
    return fig


def file_label(name: str) -> str:
    """A file-name-safe label, distinct for distinct names: a name that had to be
    changed (``a/b``) gets a short hash, so it cannot collide with ``a_b``."""
    import hashlib

    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    if safe == name and not name.startswith("."):
        return name
    return f"{safe.lstrip('.')}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def make_plots(run: RunResult, scores: Scores) -> dict[str, bytes]:
    """Every plot of the report as ``{file name: PNG bytes}``."""
    out: dict[str, bytes] = {}
    metric = "mae" if run.metric == "mae" else "rmse"
    for target in run.targets:
        safe = file_label(target)
        out[f"forecast_{safe}.png"] = to_png(forecast_figure(run, scores.leaderboard, target))
        out[f"error_by_horizon_{safe}.png"] = to_png(error_by_horizon_figure(scores.by_horizon, target, metric))
        out[f"leaderboard_{safe}.png"] = to_png(leaderboard_figure(scores.leaderboard, target))
    return out
