"""The HTML report of a panel run: a few figures for hundreds of series.

Sections: the aggregate leaderboard (the configured models, then the two reference
baselines every panel run computes: seasonal naive and naive2); the distribution
of per-series MASE by model (box plot, log scale); the worst series of each model;
and the winner's forecasts for its best, median and worst series. Plots are PNGs
embedded as data URIs (one self-contained file) and also written beside it.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from forecastkit.backtest.panel_metrics import REF_NAIVE2, REF_SNAIVE

REF_LABELS = {REF_SNAIVE: "seasonal naive (reference)", REF_NAIVE2: "naive2 (reference)"}
N_WORST = 5


def _e(x) -> str:
    return html.escape(str(x))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for v in rec:
            if isinstance(v, (float, np.floating)):
                cells.append(f"<td>{'' if np.isnan(v) else f'{v:.4g}'}</td>")
            else:
                cells.append(f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></div>")


def reference_rows(result) -> pd.DataFrame:
    """Leaderboard-shaped rows for the two references (from the per-series scores)."""
    from forecastkit.backtest.panel_metrics import aggregate

    refs = [m for m in (REF_SNAIVE, REF_NAIVE2) if m in set(result.by_series["model"])]
    names = pd.DataFrame({"model": refs, "type": ["seasonal_naive", "naive2"][: len(refs)],
                          "pooling": "local", "failures": 0, "seconds": np.nan})
    board = aggregate(result.by_series, names)  # references have no intervals: no level, no flag
    board["model"] = board["model"].map(REF_LABELS)
    return board


def _significance(by_series: pd.DataFrame, scored: pd.DataFrame) -> str:
    """The winner against the runner-up and the best baseline, paired over series."""
    from forecastkit.backtest.panel_metrics import compare_series
    from forecastkit.report.tables import BASELINE_TYPES

    win = scored.iloc[0]["model"]
    rivals = list(scored["model"].iloc[1:2])
    baselines = scored[scored["type"].isin(BASELINE_TYPES | {"naive2"}) & (scored["model"] != win)]["model"]
    rivals += [m for m in baselines.iloc[:1] if m not in rivals]
    items = "".join(f"<li>{_e(compare_series(by_series, win, r).sentence())}</li>" for r in rivals)
    return f"<ul>{items}</ul>" if items else ""


def _new_references(board: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """The reference rows that add something: not those equal to a configured model of the
    same type (e.g. a ``seasonal_naive`` entry at the run's season length)."""
    keep = []
    for _, ref in refs.iterrows():
        same = board[(board["type"] == ref["type"])]
        keep.append(not any(np.isclose(same["mean_mase"], ref["mean_mase"], rtol=1e-12, equal_nan=False)
                            & np.isclose(same["mean_smape"], ref["mean_smape"], rtol=1e-12)))
    return refs[np.array(keep, dtype=bool)] if len(refs) else refs


def distribution_figure(by_series: pd.DataFrame, order: list[str]):
    from forecastkit.report.plots import _figure

    fig, (ax,) = _figure(10, 0.5 * len(order) + 2)
    data = [by_series.loc[by_series["model"] == m, "mase"].dropna().to_numpy() for m in order]
    data = [d[d > 0] if len(d[d > 0]) else np.array([np.nan]) for d in data]
    import inspect

    # matplotlib >= 3.10 says orientation=, older ones vert=
    horizontal = ({"orientation": "horizontal"} if "orientation" in inspect.signature(ax.boxplot).parameters
                  else {"vert": False})
    ax.boxplot(data, showfliers=True, flierprops={"markersize": 2}, **horizontal)
    ax.set_yticks(range(1, len(order) + 1), [REF_LABELS.get(m, m) for m in order])
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("MASE per series (log scale; lower is better)")
    ax.set_title("Per-series error distribution by model")
    return fig


def series_figure(block, forecasts: pd.DataFrame, model: str, label: str):
    from forecastkit.report.plots import _figure

    fig, (ax,) = _figure(9, 3.2)
    ax.plot(block.times, block.values, color="0.3", lw=1, label="actual")
    f = forecasts[(forecasts["model"] == model) & (forecasts["series_id"] == block.sid)]
    for fold, g in f.groupby("fold"):
        ax.plot(g["time"], g["forecast"], color="C1", lw=1.5, label=model if fold == f["fold"].min() else None)
        if g["lower"].notna().all():
            ax.fill_between(g["time"], g["lower"].astype(float), g["upper"].astype(float), color="C1", alpha=0.2)
    ax.set_title(f"{label}: series {block.sid}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def intervals_note(meta: dict) -> str:
    """How the run's intervals were made, in one sentence."""
    mode, level = meta.get("intervals", "conformal"), meta.get("level")
    if mode is None:
        return "Point forecasts only (intervals = false)."
    at = f"{100 * level:.10g}% " if level else ""
    if mode == "native":
        return f"{at}intervals: each model's own (intervals = \"native\"); combinations have none."
    return (f"{at}intervals: split-conformal per horizon step, calibrated on each series' training rows only "
            "(local models: on that series' own out-of-sample errors; global models: errors pooled across series, "
            "each scaled by its series' MASE scale); combinations have none. coverage = share of test values "
            "inside.")


def write_panel_report(result, directory: Path, blocks, plots: bool = True) -> Path:
    """Write ``report.html`` (and its PNGs) into ``directory``."""
    from forecastkit.report.plots import to_png

    board = result.leaderboard
    refs = _new_references(board, reference_rows(result))
    full = pd.concat([board, refs], ignore_index=True)
    cols = [c for c in ["model", "type", "pooling", "n_series", "owa", "mean_smape", "mean_mase", "median_mase",
                        "gmean_rel_mase", "beats_snaive", "coverage", "failures", "seconds"] if c in full.columns]
    level = (result.meta.get("config", {}).get("forecast") or {}).get("level")
    parts = [f"<h1>Panel run {_e(result.meta.get('config', {}).get('name', ''))}</h1>",
             f"<p>{result.meta.get('n_series')} series, season length {result.meta.get('season_length')}, "
             f"frequency {_e(result.meta.get('freq'))}; {len(result.meta.get('skipped', {}))} series skipped as too "
             f"short; {len(result.failures)} per-series failures.</p>", f"<p>{_e(intervals_note(result.meta))}</p>"]
    scored = board.dropna(subset=["mean_mase"])
    if len(scored):
        win = scored.iloc[0]
        parts.append(f"<p>Winner by {'OWA' if pd.notna(win.get('owa')) else 'mean MASE'}: <b>{_e(win['model'])}</b> "
                     f"(OWA {win['owa']:.3f}, mean sMAPE {win['mean_smape']:.2f}, beats seasonal naive on "
                     f"{100 * win['beats_snaive']:.0f}% of series). OWA below 1 beats naive2; gmean_rel_mase below "
                     "1 beats seasonal naive.</p>")
        parts.append(_significance(result.by_series, scored))
    if result.meta.get("intervals", "conformal") is None:
        cols.remove("coverage")
    shown = full[cols].rename(columns={"coverage": f"coverage ({100 * level:.10g}%)"} if level else {})
    parts += ["<h2>Leaderboard (aggregate over series)</h2>", _table(shown)]
    flagged = full[full["coverage_flag"].fillna("").astype(str) != ""]
    if len(flagged):
        items = "; ".join(f"{m} {flag}" for m, flag in zip(flagged["model"], flagged["coverage_flag"]))
        parts.append(f"<p><b>Interval coverage off its level</b> (more than 5 points, beyond chance: a binomial "
                     f"test at 5% counting the values of one series as correlated): {_e(items)}.</p>")
    images: dict[str, bytes] = {}
    labels = {v: k for k, v in REF_LABELS.items()}
    order = list(board["model"]) + [labels[m] for m in refs["model"] if labels.get(m) in set(result.by_series["model"])]
    if plots:
        images["distribution.png"] = to_png(distribution_figure(result.by_series, order))
    parts.append("<h2>Worst series per model (by MASE)</h2>")
    worst = (result.by_series[result.by_series["model"].isin(board["model"])]
             .sort_values("mase", ascending=False, na_position="first").groupby("model", sort=False).head(N_WORST))
    rank = {m: i for i, m in enumerate(board["model"])}  # grouped by model, in leaderboard order
    worst = worst.iloc[sorted(range(len(worst)), key=lambda i: (rank[worst["model"].iloc[i]], i))]
    parts.append(_table(worst[["model", "series_id", "mase", "smape", "mae"]]))
    if plots and len(scored):
        win_name = scored.iloc[0]["model"]
        mine = result.by_series[result.by_series["model"] == win_name].dropna(subset=["mase"]).sort_values("mase")
        by_id = {b.sid: b for b in blocks}
        if len(mine):
            picks = {"best": mine.iloc[0], "median": mine.iloc[len(mine) // 2], "worst": mine.iloc[-1]}
            for label, row in picks.items():
                images[f"series_{label}.png"] = to_png(series_figure(by_id[row["series_id"]], result.forecasts,
                                                                     win_name, f"{win_name}, {label} series"))
    if images:
        parts.append("<h2>Figures</h2>")
    for name, data in images.items():
        (directory / name).write_bytes(data)
        parts.append(f'<figure><img alt="{_e(name)}" src="data:image/png;base64,'
                     f'{base64.b64encode(data).decode("ascii")}"></figure>')
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}img{max-width:100%}"
             "div.scroll{overflow-x:auto;max-width:100%}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>forecastkit panel report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
    path = directory / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
