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

#: most models drawn in the forecast plot (the best ones by the leaderboard), plus the
#: best baseline; the others go to a small-multiples figure
MAX_FORECAST_MODELS = 3
#: in the error-by-horizon plot, values above this multiple of the upper quartile of
#: the models' largest errors are clipped (so one exploding baseline does not squash
#: the others)
CLIP_FACTOR = 1.5


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


def shown_models(leaderboard: pd.DataFrame, target: str, evaluation: str | None) -> list[str]:
    """The forecast plot's models: the best :data:`MAX_FORECAST_MODELS` non-baselines
    (in leaderboard order, the winner first) and the best baseline."""
    board = leaderboard[(leaderboard["target"] == target) & (leaderboard["evaluation"] == evaluation)
                        & leaderboard["error"].isna() & (leaderboard["n_forecasts"] > 0)]
    names = list(dict.fromkeys(board["model"]))
    types = dict(zip(board["model"], board["type"]))
    winner = names[:1]
    models = [m for m in names[1:] if types[m] not in BASELINE_TYPES][: MAX_FORECAST_MODELS - len(winner)]
    baseline = [m for m in names if types[m] in BASELINE_TYPES and m not in winner][:1]
    return winner + models + baseline


def forecast_figure(run: RunResult, leaderboard: pd.DataFrame, target: str, evaluation: str | None = None):
    """History, the best models' backtest and future forecasts (the winner on top, with
    its prediction intervals as bands), the best baseline dashed and the end of the
    data marked."""
    board = leaderboard[leaderboard["target"] == target]
    evaluation = evaluation or _shown_evaluation(board)
    fig, (ax,) = _figure()
    series = run.data[target]
    models = shown_models(leaderboard, target, evaluation) if evaluation is not None else []
    types = dict(zip(board["model"], board["type"]))
    from forecastkit.backtest.metrics import run_level
    from forecastkit.backtest.probabilistic import level_text

    level = level_text(run_level(run))
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
    colors = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange"]
    for rank, model in enumerate(models):
        baseline = types.get(model) in BASELINE_TYPES
        color = "0.45" if baseline else colors[rank % len(colors)]
        # the winner is drawn last and thickest, so no other line hides it
        z, lw = (5, 2.0) if rank == 0 else (3, 1.1)
        ls = (0, (4, 2)) if baseline else "-"
        tag = " [winner]" if rank == 0 else " [baseline]" if baseline else ""
        mine = bt[bt["model"] == model]
        for i, (_, g) in enumerate(mine.groupby("fold", sort=True)):
            x = _x(g["timestamp"])
            ax.plot(x, g["forecast"].to_numpy(dtype=float), color=color, lw=lw, ls=ls, zorder=z,
                    label=f"{model}{tag}" if i == 0 else None)
            lo, hi = g["lower"].to_numpy(dtype=float), g["upper"].to_numpy(dtype=float)
            if rank == 0 and np.isfinite(lo).all() and np.isfinite(hi).all():
                ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0, zorder=1,
                                label=f"{model} {level} interval" if i == 0 else None)
        if future is not None and len(future):
            fut = future[(future["model"] == model) & (future["target"] == target)].sort_values("step")
            if len(fut):
                x = _x(fut["timestamp"])
                ax.plot(x, fut["forecast"].to_numpy(dtype=float), color=color, lw=lw, ls=ls, zorder=z,
                        label=None if len(mine) else f"{model}{tag}")
                lo, hi = fut["lower"].to_numpy(dtype=float), fut["upper"].to_numpy(dtype=float)
                if rank == 0 and np.isfinite(lo).all() and np.isfinite(hi).all():
                    ax.fill_between(x, lo, hi, color=color, alpha=0.25, lw=0, zorder=1,
                                    label=None if len(mine) else f"{model} {level} interval")
    end = _x(series.index[-1:])[0]
    ax.axvline(end, color="black", lw=1.0, ls="--", zorder=2)
    ax.annotate(f"end of data ({T.fmt(series.index[-1])})", (end, 1.0), xycoords=("data", "axes fraction"),
                xytext=(-4, -4), textcoords="offset points", ha="right", va="top", fontsize=8)
    ax.set_title(f"{target}: backtest ({evaluation}) and future forecasts, best models by the leaderboard")
    ax.set_ylabel(target)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="best first")
    return fig


def error_by_horizon_figure(by_horizon: pd.DataFrame, target: str, metric: str = "rmse",
                            baselines: frozenset[str] | set[str] = frozenset(), order: list[str] | None = None):
    """The error of every model at each horizon step, one panel per evaluation.

    Baselines (``baselines``: model names) are dashed; the legend (outside the data)
    follows ``order`` (the leaderboard's); values above :data:`CLIP_FACTOR` times the
    upper quartile of the models' largest values are clipped, with a note naming them.
    """
    data = by_horizon[by_horizon["target"] == target]
    evaluations = list(dict.fromkeys(data["evaluation"])) or ["-"]
    fig, axes = _figure(width=max(10.0, 5.0 * len(evaluations)), ncols=len(evaluations))
    models = list(dict.fromkeys([*(order or []), *data["model"]]))
    models = [m for m in models if (data["model"] == m).any()]
    colors = dict(zip(models, _colors(len(models))))
    from matplotlib.ticker import MaxNLocator

    for ax, evaluation in zip(axes, evaluations):
        sub = data[data["evaluation"] == evaluation]
        if sub.empty:
            _empty(ax, f"{target}, error by horizon")
            continue
        ax.set_title(f"{evaluation}: {metric.upper()} by horizon step", fontsize=10)
        if len(sub) and sub["step"].max() == 1:
            # One step (e.g. holdout h=1): a line has nothing to join, so draw bars.
            step1 = sub.drop_duplicates("model").set_index("model")[metric].astype(float)
            # this panel's own ranking, the best at the top (barh draws bottom-up)
            step1 = step1.sort_values(ascending=metric == "skill", na_position="first", kind="stable")
            names, values = list(step1.index), step1.to_list()
            ax.barh(np.arange(len(names)), values, color=["0.6" if m in baselines else colors[m] for m in names])
            ax.set_yticks(np.arange(len(names)), labels=names, fontsize=8)
            ax.set_xlabel(f"{metric.upper()} at step 1")
            ax.grid(axis="x", alpha=0.3)
            continue
        for model in models:
            g = sub[sub["model"] == model].sort_values("step")
            if g.empty:
                continue
            dashed = model in baselines
            ax.plot(g["step"].to_numpy(), g[metric].to_numpy(dtype=float), marker="o", ms=3, lw=1.2,
                    color=colors[model], ls=(0, (4, 2)) if dashed else "-",
                    label=f"{model} (baseline)" if dashed else model)
        peaks = sub.groupby("model")[metric].max().dropna()
        cap = CLIP_FACTOR * float(peaks.quantile(0.75)) if len(peaks) else np.nan
        if len(peaks) > 2 and np.isfinite(cap) and cap > 0 and float(peaks.max()) > cap:
            low = float(min(sub[metric].min(), 0.0))
            ax.set_ylim(low, cap)
            over = ", ".join(peaks[peaks > cap].index)
            ax.text(0.01, 0.99, f"axis clipped at {T.fmt(cap)}: {over} run above", transform=ax.transAxes,
                    ha="left", va="top", fontsize=8, color="tab:red",
                    bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step ahead")
        ax.set_ylabel(metric.upper())
        ax.grid(alpha=0.3)
    with_lines = [ax for ax in axes if ax.get_legend_handles_labels()[0]]
    if with_lines:
        handles, labels = with_lines[-1].get_legend_handles_labels()
        axes[-1].legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"{target}: {metric.upper()} by horizon step (baselines dashed)", fontsize=11)
    return fig


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no successful model to show ({what})", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def leaderboard_figure(leaderboard: pd.DataFrame, target: str, metric: str = "rmse"):
    """Bars of ``metric`` per model, the best at the top (baselines grey); for RMSE the
    computed persistence and seasonal naive RMSEs as lines."""
    board = leaderboard[(leaderboard["target"] == target) & leaderboard["error"].isna()]
    evaluations = list(dict.fromkeys(board["evaluation"])) or ["-"]
    height = max(3.0, 0.35 * max((board["evaluation"] == e).sum() for e in evaluations) + 1.5)
    fig, axes = _figure(width=max(10.0, 5.0 * len(evaluations)), height=height, ncols=len(evaluations))
    for ax, evaluation in zip(axes, evaluations):
        # barh draws bottom-up: sort worst first so the best bar is at the top
        sub = board[board["evaluation"] == evaluation].sort_values(
            metric, ascending=metric == "skill", na_position="first", kind="stable")
        if sub.empty:
            _empty(ax, f"{target}, leaderboard")
            continue
        names = sub["model"].tolist()
        colors = ["0.6" if t in BASELINE_TYPES else "tab:blue" for t in sub["type"]]
        ax.barh(np.arange(len(names)), sub[metric].fillna(0).to_numpy(dtype=float), color=colors)
        ax.set_yticks(np.arange(len(names)), labels=names, fontsize=8)
        for i, v in enumerate(sub[metric].to_numpy(dtype=float)):
            if np.isfinite(v):
                ax.annotate(T.fmt(v), (v, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
        if metric == "rmse":
            for col, label, ls in (("rmse_naive", "persistence", "--"), ("rmse_snaive", "seasonal naive", ":")):
                ref = sub[col].dropna() if col in sub else pd.Series(dtype=float)
                if len(ref):
                    ax.axvline(float(ref.median()), color="tab:red", ls=ls, lw=1.2, label=f"{label} RMSE (computed)")
        ax.set_title(f"{evaluation}: {metric.upper()}, best at the top", fontsize=10)
        ax.set_xlabel(metric.upper())
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{target}: {metric.upper()} per model (grey = baselines)", fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
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
    from forecastkit.report.small_multiples import other_models_figure
    from forecastkit.report.verdict import build_verdict, future_horizon, ranking_metric

    out: dict[str, bytes] = {}
    board = scores.leaderboard
    verdict = build_verdict(run, scores)
    baselines = set(board.loc[board["type"].isin(BASELINE_TYPES), "model"])
    for target in run.targets:
        safe = file_label(target)
        metric = ranking_metric(run, target)
        primary = verdict.primary(target, future_horizon(run))
        evaluation = primary.evaluation if primary is not None else None
        out[f"forecast_{safe}.png"] = to_png(forecast_figure(run, board, target, evaluation))
        others = other_models_figure(run, board, target, evaluation, shown_models(board, target, evaluation))
        if others is not None:
            out[f"forecast_others_{safe}.png"] = to_png(others)
        order = list(dict.fromkeys(board.loc[(board["target"] == target)
                                             & (board["evaluation"] == evaluation), "model"]))
        out[f"error_by_horizon_{safe}.png"] = to_png(
            error_by_horizon_figure(scores.by_horizon, target, metric, baselines, order))
        out[f"leaderboard_{safe}.png"] = to_png(leaderboard_figure(board, target, metric))
    return out
