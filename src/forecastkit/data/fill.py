"""Fill gaps and missing values, and resample to a coarser frequency, as the caller chose.

Nothing is filled without a policy: with none, the caller gets an error naming
where values are missing and the policies that would fill them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.data.timeindex import describe_gap, fmt_ts
from forecastkit.errors import DataError

FILL_POLICIES = ("none", "interpolate", "ffill", "drop-leading")
AGGREGATIONS = ("mean", "sum", "max", "min", "last", "first", "median")
FILL_HINT = "pass fill='interpolate', 'ffill' or 'drop-leading' (--fill) to fill them"


def nan_counts(out: pd.DataFrame) -> str:
    counts = out.isna().sum()
    return ", ".join(
        f"{c}: {int(n)} (first at {fmt_ts(out.index[out[c].isna().to_numpy()][0])})"
        for c, n in counts.items()
        if n
    )


def check_edges(out: pd.DataFrame, fill: str) -> None:
    for c in out.columns:
        miss = out[c].isna().to_numpy()
        if not miss.any():
            continue
        lead = int(np.argmin(miss)) if not miss.all() else len(miss)
        if lead:
            raise DataError(
                f"column {c!r} starts with {lead} missing value(s) (until "
                f"{fmt_ts(out.index[lead - 1])}) that fill={fill!r} cannot fill; "
                "use fill='drop-leading'"
            )
        trail = int(np.argmin(miss[::-1]))
        raise DataError(
            f"column {c!r} ends with {trail} missing value(s) "
            f"(from {fmt_ts(out.index[-trail])}) that "
            f"fill={fill!r} cannot fill; use fill='ffill' or trim them from the data"
        )


def fill_missing(out: pd.DataFrame, fill: str | None, report: dict) -> pd.DataFrame:
    before = out.isna().sum()
    if not before.any():
        return out
    if fill in (None, "none"):
        raise DataError(f"missing values (NaN) in {nan_counts(out)}; {FILL_HINT}")
    if fill == "drop-leading":
        complete = out.notna().all(axis=1).to_numpy()
        if not complete.any():
            raise DataError(f"no row has all of {list(out.columns)} present; cannot drop-leading")
        start = int(np.argmax(complete))
        report["rows_dropped"] = start
        out = out.iloc[start:]
        before = out.isna().sum()
    if fill == "ffill":
        out = out.ffill()
    else:
        out = out.interpolate(method="time", limit_area="inside")
    check_edges(out, fill)
    report["values_filled"] = {c: int(n) for c, n in before.items() if n}
    return out


def resample_to(
    out: pd.DataFrame, rule: str, agg: str, native: str | None, fill, report
) -> pd.DataFrame:
    bins = out.resample(rule)
    res = bins.agg(agg)
    if native is not None and len(res) > len(out):
        raise DataError(
            f"resample={rule!r} is finer than the data's frequency {native!r}; only "
            "aggregation to a coarser frequency is supported"
        )
    empty = (bins.count().sum(axis=1) == 0).to_numpy()
    if empty.any():  # only possible for irregular data: bins without any observation
        res[empty] = np.nan
        if fill in (None, "none"):
            missing = res.index[empty]
            raise DataError(describe_gap(res.index[~empty], missing, rule) + f"; {FILL_HINT}")
        res = fill_missing(res, fill, report)
    return res
