"""Find the time column(s) of a raw frame and build its time axis.

A column is taken as the time axis when its name says so (date, time, month, year,
week, day, period, ds, timestamp) and its values fit, or when its values are dates,
or (in the first column) plain integer years; numeric ``year, month[, day, hour
...]`` columns are assembled into timestamps.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from forecastkit.data.timeparse import (
    DateOptions,
    TimeAxis,
    as_text,
    first_bad,
    localise,
    to_datetime,
    month_labels,
    parse_time_column,
)
from forecastkit.errors import DataError

# Column names that suggest the time axis (Date, Datetime, timestamp, Month, Year,
# week, day, period ...); "ds" (Prophet's name) only as the whole name.
_TIME_NAME = re.compile(r"date|time|month|year|week|day|period", re.I)
_YEARS = (1000, 2999)  # plain integer years: four digits

# Units pandas can assemble a timestamp from, keyed by lower-case column name.
_UNITS = {
    "year": "year",
    "yr": "year",
    "month": "month",
    "mon": "month",
    "day": "day",
    "hour": "hour",
    "hr": "hour",
    "minute": "minute",
    "min": "minute",
    "second": "second",
    "sec": "second",
}

_RANGES = {
    "year": (1, 9999),
    "month": (1, 12),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}
_ORDER = ("year", "month", "day", "hour", "minute", "second")


def time_parts(df: pd.DataFrame) -> list[str] | None:
    """Numeric columns named year, month[, day, hour ...] that form a timestamp, or None."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    if not {"year", "month"} <= set(lower):
        return None
    parts = [lower[u] for u in _ORDER if u in lower]
    if all(pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in parts):
        return parts
    return None


def assemble_time(df: pd.DataFrame, columns: Sequence[str]) -> pd.DatetimeIndex:
    """Build timestamps from columns such as ``year, month, day, hour``; without a
    day column each row is the first of its month."""
    units = {}
    for c in columns:
        unit = _UNITS.get(str(c).strip().lower())
        if unit is None:
            raise DataError(
                f"cannot assemble a timestamp from column {c!r}; time columns must be named "
                f"like year, month, day, hour, minute, second"
            )
        if unit in units.values():
            raise DataError(f"time columns {list(columns)} give the {unit} twice")
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            sample = [str(v) for v in pd.unique(df[c].dropna())[:2]]
            raise DataError(f"time column {c!r} is not numeric (values like {sample})")
        units[c] = unit
    present = set(units.values())
    missing = {"year", "month"} - present
    if missing or (present - {"year", "month"} and "day" not in present):
        need = sorted(missing) if missing else ["day"]
        raise DataError(
            f"time columns {list(columns)} lack {need}; a timestamp needs at least year and "
            "month (and a day when it has hours)"
        )
    parts = df[list(columns)].rename(columns=units)
    vals = parts.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(vals) & (vals % 1 == 0)  # NaN, inf and 2.5 are not parts of a date
    limits = np.array([_RANGES[u] for u in parts.columns], dtype=float)
    in_range = (vals >= limits[:, 0]) & (vals <= limits[:, 1])
    bad = ~(whole & in_range).all(axis=1)
    if not bad.any():  # now only impossible days such as Feb 29 of a common year remain
        if "day" not in present:
            parts = parts.assign(day=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed = pd.to_datetime(parts.astype("int64"), errors="coerce")
            except (ValueError, OverflowError, TypeError) as exc:
                raise DataError(f"time columns {list(columns)} do not form dates: {exc}") from None
        bad = parsed.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        values = ", ".join(f"{c}={df[c].iloc[pos]}" for c in units)
        raise DataError(
            f"time columns {list(columns)}: row {pos + 1} ({values}) is not a valid date"
        )
    return pd.DatetimeIndex(parsed, name="timestamp")


def _looks_like_dates(col: pd.Series, n: int) -> bool:
    """Whether the first ``n`` values parse as dates in the format of the first."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return False
    sample = col.dropna().astype("str").str.strip().head(n)
    if sample.empty:
        return False
    fmt = guess_datetime_format(sample.iloc[0])
    if fmt is None:
        return month_labels(sample) if n == 1 else False
    try:
        return first_bad(to_datetime(sample, fmt)[0]) is None
    except DataError:
        return True  # dates, in offsets that differ: parse_time_column converts them


def _looks_like_years(col: pd.Series) -> bool:
    """Plain integer years (1885, 1886 ...), strictly increasing."""
    if not pd.api.types.is_integer_dtype(col) or len(col) < 2:
        return False
    v = col.to_numpy()
    return bool(((v >= _YEARS[0]) & (v <= _YEARS[1])).all() and (np.diff(v) > 0).all())


def _matches_format(col: pd.Series, fmt: str) -> bool:
    text = as_text(col.dropna().head(1))
    if text.empty:
        return False
    try:
        parse_time_column(text, "probe", DateOptions(date_format=fmt))
    except DataError:
        return False
    return True


def detect_time(df: pd.DataFrame, opts: DateOptions | None = None) -> str | list[str] | None:
    """Find the time column(s): year/month[/day] columns, a time-like name, or date values."""
    opts = opts or DateOptions()
    parts = time_parts(df)
    if parts is not None:
        return parts
    # A time-like name needs only a date-like first value (bad rows are then reported by
    # the parser), or integer years; an arbitrary column must look like dates in a sample.
    for c in df.columns:
        label = str(c).strip()
        if not (_TIME_NAME.search(label) or label.lower() == "ds"):
            continue
        if opts.date_format is not None and _matches_format(df[c], opts.date_format):
            return c
        if _looks_like_dates(df[c], 1) or _looks_like_years(df[c]):
            return c
    for c in df.columns:
        if _looks_like_dates(df[c], 20):
            return c
    first = df.columns[0] if len(df.columns) else None
    if first is not None and _looks_like_years(df[first]):
        return first
    return None


def time_index(df: pd.DataFrame, time: str | Sequence[str] | None, opts: DateOptions | None = None) -> TimeAxis:
    """The parsed time axis of ``df`` and the column(s) it came from."""
    opts = (opts or DateOptions()).check()
    names = [str(c) for c in df.columns]
    if time is None:
        if isinstance(df.index, pd.DatetimeIndex):
            index = df.index.rename(df.index.name or "timestamp")
            converted: dict[str, Any] = {}
            return TimeAxis(localise(index, index.name, opts, converted), [], converted=converted)
        found = detect_time(df, opts)
        if found is None:
            raise DataError(
                f"no time column found among {names}; pass time='<column>' (--time), or "
                "a list like ['year', 'month', 'day', 'hour']"
            )
        if isinstance(found, str):
            first = str(df[found].iloc[0]).strip()
            if guess_datetime_format(found) is not None and (
                guess_datetime_format(found) == guess_datetime_format(first)
            ):
                raise DataError(
                    f"the header line looks like data (column named {found!r}); the file "
                    "needs a header line naming the columns"
                )
        time = found
    if isinstance(time, str):
        cols = [time]
    elif hasattr(time, "__iter__") and not isinstance(time, (bytes, dict)):
        cols = [str(c) for c in time]
    else:
        raise DataError(f"time must be a column name or a list of names, got {time!r}")
    unknown = [c for c in cols if c not in names]
    if unknown:
        raise DataError(f"unknown time column(s) {unknown}; available: {names}")
    if len(cols) == 1:
        return parse_time_column(df[cols[0]], cols[0], opts)
    if opts.explicit:
        raise DataError(
            f"date_format / dayfirst apply to one time column, not to the columns {cols} "
            "assembled into a timestamp"
        )
    converted = {}
    index = localise(assemble_time(df, cols), "timestamp", opts, converted)
    return TimeAxis(index, cols, converted=converted)
