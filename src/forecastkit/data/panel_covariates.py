"""Covariates of a panel: per-series past and future-known columns, static features,
and the future values of the future-known columns (a separate long file).

Every check names the series it fails on. Static features must be constant within
each series (one value per series, e.g. a product category); covariates must be
numeric with no missing values. The future-known columns' values over the forecast
horizon (past each series' last timestamp) come from a long file with the same id
and time columns, ``[forecast] covariates_path`` (read by
:func:`forecastkit.data.panel_loader.future_covariate_values`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecastkit.errors import DataError

__all__ = ["check_covariate_names", "covariate_columns", "static_table"]


def check_covariate_names(columns: Sequence[str], used: Sequence[str], source: str, *,
                          past: Sequence[str], future: Sequence[str], static: Sequence[str]) -> None:
    """Every named column exists, is used once, and is not the id, time or target column."""
    named = [("past covariate", c) for c in past] + [("future covariate", c) for c in future] + \
        [("static feature", c) for c in static]
    seen: dict[str, str] = {}
    for kind, col in named:
        if col not in columns:
            raise DataError(f"{source}: {kind} column {col!r} not found; available: {[str(c) for c in columns]}")
        if col in used:
            raise DataError(f"{source}: {kind} {col!r} is also the series id, time or target column")
        if col in seen:
            raise DataError(f"{source}: column {col!r} is named as a {seen[col]} and as a {kind}; name it once")
        seen[col] = kind


def covariate_columns(df: pd.DataFrame, ids: np.ndarray, times: pd.DatetimeIndex, names: Sequence[str],
                      source: str) -> dict[str, np.ndarray]:
    """The covariate columns as floats (row order of ``df``); a non-numeric or missing
    value is an error naming the series and the timestamp."""
    from forecastkit.data.timeindex import fmt_ts

    out = {}
    for col in names:
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raw = df[col].iloc[i]
            what = "is missing" if pd.isna(raw) else f"has a non-numeric value {raw!r}"
            raise DataError(f"{source}: series {ids[i]!r}: covariate {col!r} {what} at {fmt_ts(times[i])} "
                            f"({int(bad.sum())} such row(s)); covariates need a number in every row")
        out[col] = values
    return out


def static_table(long: pd.DataFrame, names: Sequence[str], series: str, source: str) -> pd.DataFrame | None:
    """One row per series (index: the series id) with its static features; a feature that
    varies within a series (or is missing) is an error naming the series."""
    from forecastkit.data.timeindex import fmt_ts

    if not names:
        return None
    rows = {}
    for sid, g in long.groupby(series, sort=False):
        row = {}
        for col in names:
            values = g[col]
            if values.isna().any():
                raise DataError(f"{source}: series {sid!r}: static feature {col!r} is missing at "
                                f"{fmt_ts(g['time'].iloc[int(np.flatnonzero(values.isna().to_numpy())[0])])}")
            first = values.iloc[0]
            differ = np.flatnonzero((values != first).to_numpy())
            if len(differ):
                j = int(differ[0])
                raise DataError(
                    f"{source}: series {sid!r}: static feature {col!r} is not constant within the series "
                    f"({first!r} at {fmt_ts(g['time'].iloc[0])}, {values.iloc[j]!r} at {fmt_ts(g['time'].iloc[j])})"
                )
            row[col] = first.item() if hasattr(first, "item") else first
        rows[sid] = row
    return pd.DataFrame.from_dict(rows, orient="index")[list(names)]
