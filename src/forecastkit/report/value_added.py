"""The "forecast value added" table: each model's improvement over persistence and
over seasonal naive in the config's metric, with the Diebold-Mariano p-value of the
difference (the benchmarks are computed from the data at the same origins)."""

from __future__ import annotations

import math

import pandas as pd

from forecastkit.backtest.losses import BENCHMARKS, origin_losses
from forecastkit.backtest.results import RunResult
from forecastkit.backtest.significance import diebold_mariano
from forecastkit.report.verdict import (
    ALPHA, benchmark_value, evaluation_facts, pvalue_text, ranked, ranking_metric,
)

VALUE_ADDED_COLUMNS = [
    "evaluation", "target", "model", "type", "metric", "value",
    "naive", "fva_naive", "fva_naive_pct", "p_naive", "snaive", "fva_snaive", "fva_snaive_pct", "p_snaive",
]


def value_added_table(run: RunResult, scores: dict) -> pd.DataFrame:
    """One row per evaluation, target and model (best first by the config's metric).

    ``fva_naive`` = metric(persistence) - metric(model) (positive: the model adds
    value; for ``skill`` the metric is RMSE), ``fva_naive_pct`` that as % of the
    persistence value, ``p_naive`` the DM p-value; likewise for seasonal naive.
    """
    board, scored = scores.leaderboard, scores.scored
    rows = []
    for evaluation in dict.fromkeys(board["evaluation"]):
        for target in run.targets:
            metric = ranking_metric(run, target)
            shown = "rmse" if metric == "skill" else metric
            order = ranked(board, evaluation, target, metric)
            if order.empty:
                continue
            losses = origin_losses(scored, metric, evaluation, target)
            lags = evaluation_facts(run, scored, evaluation, target).lags
            for _, r in order.iterrows():
                mine = scored[(scored["evaluation"] == evaluation) & (scored["target"] == target)
                              & (scored["model"] == r["model"])]
                row = {"evaluation": evaluation, "target": target, "model": r["model"], "type": r["type"],
                       "metric": shown, "value": float(r[shown])}
                for col, label in BENCHMARKS.items():
                    bench = benchmark_value(mine, col, metric)
                    test = diebold_mariano(losses[r["model"]], losses[label], lags=lags)
                    row[col] = bench
                    row[f"fva_{col}"] = bench - row["value"]
                    row[f"fva_{col}_pct"] = 100 * (bench - row["value"]) / bench if bench else float("nan")
                    row[f"p_{col}"] = test.pvalue
                rows.append(row)
    return pd.DataFrame(rows, columns=VALUE_ADDED_COLUMNS)


def _signed(value: float, pct: float, p: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    star = "" if not math.isfinite(p) else (" *" if p < ALPHA else "")
    mag = abs(value)
    text = f"{value:+.{1 if mag >= 100 else 3 if mag >= 1 else 4}f}"
    return f"{text} ({pct:+.0f}%){star}" if math.isfinite(pct) else text + star


def value_added_display(table: pd.DataFrame) -> pd.DataFrame:
    """Display strings: the improvement with its sign and %, a star when significant."""
    out = []
    for _, r in table.iterrows():
        m = str(r["metric"])
        out.append({
            "model": r["model"], "type": r["type"], m: _fmt(r["value"]),
            "vs persistence": _signed(r["fva_naive"], r["fva_naive_pct"], r["p_naive"]),
            "p (persistence)": pvalue_text(r["p_naive"]),
            "vs seasonal naive": _signed(r["fva_snaive"], r["fva_snaive_pct"], r["p_snaive"]),
            "p (seasonal naive)": pvalue_text(r["p_snaive"]),
        })
    return pd.DataFrame(out)


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.{1 if abs(value) >= 100 else 3 if abs(value) >= 1 else 4}f}"
