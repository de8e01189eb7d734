"""Tables shared by the terminal, markdown and HTML reports.

The ``*_table`` builders return plain DataFrames of display values; the
formatters (:func:`format_leaderboard`, :func:`markdown_table`) render them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.backtest.results import RunResult

#: forecaster types shown as baselines (highlighted beside the other models)
BASELINE_TYPES = {"naive", "seasonal_naive", "drift", "mean"}
_TEXT_COLUMNS = [
    "model", "type", "target", "evaluation", "mae", "rmse", "mape", "smape", "mase", "skill", "skill_snaive",
    "coverage", "width", "coverage_flag", "fit_seconds", "predict_seconds", "error",
]


def _decimals(magnitude: float) -> int:
    return 1 if magnitude >= 100 else 3 if magnitude >= 1 else 4


def fmt(value: Any, column: str = "", decimals: int | None = None) -> str:
    """A compact display string: NaN/None as '-', timings with 2 decimals, coverage as %.

    Other floats get ``decimals`` places (default: 1, 3 or 4 by magnitude)."""
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "NO"
    if isinstance(value, (int,)) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return str(int(value))
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        v = float(value)
        if math.isnan(v):
            return "-"
        if column.endswith("_seconds"):
            return f"{v:.2f}"
        if column == "coverage":
            return f"{100 * v:.1f}%"
        return f"{v:.{_decimals(abs(v)) if decimals is None else decimals}f}"
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    text = str(value)
    return "-" if text in ("nan", "NaT", "<NA>", "None") else text


def display_frame(df: pd.DataFrame, columns: list[str] | None = None, drop_empty: bool = True) -> pd.DataFrame:
    """Format every cell of ``df`` (restricted to ``columns`` present) as a string.

    Numeric columns that are entirely NaN (e.g. coverage without intervals) are
    dropped when ``drop_empty``; so is an ``error`` column with no errors.
    """
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    keep = []
    for c in cols:
        col = df[c]
        if drop_empty and c not in ("model", "type", "target", "evaluation") and col.isna().all():
            continue
        keep.append(c)
    cells = {}
    for c in keep:
        decimals = None
        if pd.api.types.is_float_dtype(df[c]):
            # one precision per column (from its typical magnitude) keeps numbers aligned
            finite = df[c].abs()[np.isfinite(df[c])]
            decimals = _decimals(float(finite.median())) if len(finite) else None
        cells[c] = [fmt(v, c, decimals) for v in df[c].tolist()]
    return pd.DataFrame(cells, index=range(len(df)))


def mark_mape_na(shown: pd.DataFrame, df: pd.DataFrame, targets) -> pd.DataFrame:
    """Show MAPE as ``n/a`` on the rows of ``targets`` (series that touch or cross zero),
    adding the column before smape when every MAPE was NaN and it was dropped."""
    bad = set(targets)
    if bad and "target" in df.columns:
        rows = df["target"].isin(bad).to_numpy()
        if "mape" not in shown.columns:
            pos = list(shown.columns).index("smape") if "smape" in shown.columns else len(shown.columns)
            shown.insert(pos, "mape", "-")
        shown.loc[rows, "mape"] = "n/a"
    return shown


def drop_empty_flags(shown: pd.DataFrame) -> pd.DataFrame:
    """Blank cells for unflagged coverage; no column when nothing is flagged."""
    if "coverage_flag" in shown.columns:
        shown["coverage_flag"] = [c if c not in ("", "-") else "" for c in shown["coverage_flag"]]
        if not any(shown["coverage_flag"]):
            shown = shown.drop(columns="coverage_flag")
    return shown


def format_leaderboard(df: pd.DataFrame, *, max_error: int = 60, level: float | None = None,
                       mape_na: tuple[str, ...] | list[str] = ()) -> str:
    """A compact fixed-width text table of a leaderboard, for the terminal (interval
    columns headed with ``level`` when given; MAPE n/a for the targets ``mape_na``)."""
    if df is None or len(df) == 0:
        return "(no results)"
    shown = drop_empty_flags(mark_mape_na(display_frame(df, _TEXT_COLUMNS), df, mape_na))
    if level is not None:
        pct = f"{100 * level:.10g}%"
        shown = shown.rename(columns={c: f"{c}@{pct}" for c in ("coverage", "width", "coverage_flag")})
    if "error" in shown:
        shown["error"] = [e if len(e) <= max_error else e[: max_error - 3] + "..." for e in shown["error"]]
    numeric = {c for c in shown.columns if c not in ("model", "type", "target", "evaluation", "error")
               and not c.startswith("coverage_flag")}
    widths = {c: max(len(c), *(len(v) for v in shown[c])) for c in shown.columns}

    def line(cells: dict[str, str]) -> str:
        parts = [cells[c].rjust(widths[c]) if c in numeric else cells[c].ljust(widths[c]) for c in shown.columns]
        return "  ".join(parts).rstrip()

    lines = [line({c: c for c in shown.columns}), line({c: "-" * widths[c] for c in shown.columns})]
    lines += [line(row) for row in shown.to_dict("records")]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(df: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table of the (already formatted) cells of ``df``."""
    if len(df.columns) == 0:
        return ""
    head = "| " + " | ".join(_md_cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in df.columns) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in df.astype(str).itertuples(index=False)]
    return "\n".join([head, rule, *body])


# --------------------------------------------------------------------------- report tables
def data_summary(run: RunResult) -> list[tuple[str, str]]:
    """(label, value) pairs describing the data of the run."""
    data = run.data
    meta_data = run.meta.get("data", {}) if isinstance(run.meta.get("data"), dict) else {}
    cfg_data = run.config.get("data", {}) if isinstance(run.config.get("data"), dict) else {}
    source = meta_data.get("source") or cfg_data.get("path") or "-"
    index = data.index
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freqstr
        if freq is None and len(index) >= 3:
            freq = pd.infer_freq(index)
    else:
        freq = "1 (integer index)"
    span = f"{fmt(index[0])} .. {fmt(index[-1])}" if len(index) else "-"
    rows = [
        ("source", str(source)),
        ("rows", str(len(data))),
        ("span", span),
        ("frequency", str(freq or "-")),
        ("targets", ", ".join(run.targets)),
    ]
    past, future = meta_data.get("past_covariates"), meta_data.get("future_covariates")
    if isinstance(past, list) or isinstance(future, list):
        rows.append(("past covariates", ", ".join(map(str, past or [])) or "none"))
        rows.append(("future-known covariates", ", ".join(map(str, future or [])) or "none"))
    else:
        rows.append(("covariates", ", ".join(run.covariates) or "none"))
    filled = meta_data.get("filled")
    if isinstance(filled, dict):
        added = filled.get("first_added") or []
        values = filled.get("values_filled") or {}
        rows.append((
            "filled (loader)",
            f"{filled.get('policy')}: {filled.get('timestamps_added', 0)} missing timestamp(s)"
            + (f" (first {', '.join(map(str, added[:3]))})" if added else "")
            + f"; values filled per column {values}",
        ))
    return rows + [
        ("season length", str(run.season_length)),
        ("seed", "-" if run.seed is None else str(run.seed)),
    ]


def _fold_ranges(folds: list[int]) -> str:
    folds = sorted(set(folds))
    parts, start = [], None
    for i, f in enumerate(folds):
        if start is None:
            start = f
        if i + 1 == len(folds) or folds[i + 1] != f + 1:
            parts.append(str(start) if start == f else f"{start}-{f}")
            start = None
    return ", ".join(parts)


def choices_table(run: RunResult) -> pd.DataFrame:
    """What each model chose (its ``fitted_info()``: orders, transform, lags, strategy,
    epochs ...) per model and evaluation, consecutive folds with the same choices
    grouped; models that report nothing are left out."""
    rows = []
    for mr in run.model_runs:
        groups: dict[str, tuple[dict, list[int]]] = {}
        for entry in mr.info:
            fields = {k: v for k, v in entry.items() if k != "fold" and v is not None}
            if not fields:
                continue
            groups.setdefault(repr(sorted(fields.items())), (fields, []))[1].append(int(entry.get("fold", 0)))
        for fields, folds in groups.values():
            rows.append({
                "model": mr.name, "evaluation": mr.evaluation, "folds": _fold_ranges(folds),
                "chose": "; ".join(f"{k} {_value_text(v)}" for k, v in fields.items()),
            })
    return pd.DataFrame(rows, columns=["model", "evaluation", "folds", "chose"])


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_value_text(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def timings_table(run: RunResult) -> pd.DataFrame:
    """Fit and predict seconds per model and evaluation (plus the final refit on all
    the data for the future forecast, when the run recorded it)."""
    future = run.meta.get("future_fit_seconds")
    future = future if isinstance(future, dict) else {}
    rows = [{
        "model": mr.name, "type": mr.type, "evaluation": mr.evaluation,
        "folds": len(mr.audit) if not mr.error else len(mr.folds),
        "fit_seconds": mr.fit_seconds, "predict_seconds": mr.predict_seconds,
        "total_seconds": mr.fit_seconds + mr.predict_seconds,
        "future_seconds": future.get(mr.name, float("nan")),
        "status": "failed" if mr.error else "ok",
    } for mr in run.model_runs]
    columns = ["model", "type", "evaluation", "folds", "fit_seconds", "predict_seconds", "total_seconds",
               "future_seconds", "status"]
    table = pd.DataFrame(rows, columns=columns)
    return table if future else table.drop(columns="future_seconds")


def errors_table(run: RunResult) -> pd.DataFrame:
    """Models that failed (in a backtest or in the final refit for the future
    forecast), with their error message."""
    rows = [{"model": mr.name, "type": mr.type, "evaluation": mr.evaluation, "error": mr.error}
            for mr in run.model_runs if mr.error]
    types = {mr.name: mr.type for mr in run.model_runs}
    future = run.meta.get("future_errors")
    for name, err in (future.items() if isinstance(future, dict) else []):
        if err:
            rows.append({"model": name, "type": types.get(name, "-"), "evaluation": "future forecast", "error": err})
    return pd.DataFrame(rows, columns=["model", "type", "evaluation", "error"])


def audit_table(run: RunResult) -> pd.DataFrame:
    """The leakage audit: per model and fold, the fit span, the spans every transform
    was fitted on, the first test timestamp and whether the fold is leak-free."""
    rows = []
    for mr in run.model_runs:
        for a in mr.audit:
            spans = "; ".join(
                f"{name}: {t.get('fit_start')} .. {t.get('fit_end')}" if isinstance(t, dict) else f"{name}: ?"
                for name, t in (a.transforms or {}).items()
            )
            rows.append({
                "model": mr.name, "evaluation": mr.evaluation, "fold": a.fold, "refit": bool(a.refit),
                "fit span": f"{a.params_fit_start} .. {a.params_fit_end}",
                "history": f"{a.history_start} .. {a.history_end}",
                "transforms": spans or "none",
                "test start": a.test_start,
                "leak_free": bool(a.leak_free),
            })
    return pd.DataFrame(rows, columns=[
        "model", "evaluation", "fold", "refit", "fit span", "history", "transforms", "test start", "leak_free",
    ])


def audit_summary(run: RunResult) -> str:
    """One sentence: how many audited folds are leak-free."""
    entries = [(mr.name, a) for mr in run.model_runs for a in mr.audit]
    bad = [f"{name} fold {a.fold}" for name, a in entries if not a.leak_free]
    if not entries:
        return "No folds were audited."
    if not bad:
        return f"All {len(entries)} audited folds are leak-free: no fit or transform saw a test row."
    return f"{len(bad)} of {len(entries)} audited folds are NOT leak-free: " + ", ".join(bad[:20])
