"""Build and check the DatetimeIndex of a loaded series.

Helpers for :mod:`forecastkit.data.loader`: find / parse the time column(s),
sort the rows and reject duplicate timestamps, infer the sampling frequency (also
when the index has gaps) or check an expected one, and list the timestamps a
regular index is missing.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format
from pandas.tseries.frequencies import to_offset

from forecastkit.errors import DataError

# Column names that suggest the time axis (date, Datetime, timestamp, Month, period ...).
_TIME_NAME = re.compile(r"date|time|month|period", re.I)
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


def _row_label(pos: int) -> str:
    return f"row {pos + 1}"


def parse_time_column(col: pd.Series, name: str) -> pd.DatetimeIndex:
    """Parse one column into timestamps; every value must parse in one format.

    The format is guessed from the first value (``1949-01`` -> ``%Y-%m``, parsed to
    month starts) and then required of every row, so mixed formats are reported
    at the first row that does not match instead of being guessed row by row.
    """
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        parsed = pd.DatetimeIndex(col)
        if parsed.isna().any():
            pos = int(np.flatnonzero(parsed.isna())[0])
            raise DataError(f"time column {name!r}: {_row_label(pos)} is missing")
        return parsed.rename(name)
    if pd.api.types.is_bool_dtype(col):
        raise DataError(f"time column {name!r} holds booleans, not dates")
    text = (
        col.astype("str")
        if not pd.api.types.is_numeric_dtype(col)
        else col.map(
            lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))
        ).astype("str")
    )
    missing = col.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise DataError(f"time column {name!r}: {_row_label(pos)} is missing")
    text = text.str.strip()
    first = text.iloc[0]
    fmt = guess_datetime_format(first)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fmt is not None:
                parsed = pd.to_datetime(text, format=fmt, errors="coerce")
            else:
                parsed = pd.to_datetime(text, format="mixed", errors="coerce")
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. mixed time-zone offsets, which pandas refuses to combine
        raise DataError(f"time column {name!r} does not parse as dates: {exc}") from None
    bad = parsed.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        how = f" (the first value {first!r} has format {fmt!r})" if fmt and pos else ""
        raise DataError(
            f"time column {name!r}: {_row_label(pos)} value {text.iloc[pos]!r} "
            f"does not parse as a date{how}"
        )
    return pd.DatetimeIndex(parsed, name=name)


def assemble_time(df: pd.DataFrame, columns: Sequence[str]) -> pd.DatetimeIndex:
    """Build timestamps from columns such as ``year, month, day, hour``."""
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
    missing = {"year", "month", "day"} - set(units.values())
    if missing:
        raise DataError(
            f"time columns {list(columns)} lack {sorted(missing)}; a timestamp needs at "
            "least year, month and day"
        )
    parts = df[list(columns)].rename(columns=units)
    vals = parts.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(vals) & (vals % 1 == 0)  # NaN, inf and 2.5 are not parts of a date
    limits = np.array([_RANGES[u] for u in parts.columns], dtype=float)
    in_range = (vals >= limits[:, 0]) & (vals <= limits[:, 1])
    bad = ~(whole & in_range).all(axis=1)
    if not bad.any():  # now only impossible days such as Feb 29 of a common year remain
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
            f"time columns {list(columns)}: {_row_label(pos)} ({values}) is not a valid date"
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
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return bool(pd.to_datetime(sample, format=fmt, errors="coerce").notna().all())
        except (ValueError, TypeError, OverflowError):
            return False


def detect_time(df: pd.DataFrame) -> str | list[str] | None:
    """Find the time column(s): year/month/day columns, a date-like name, or date values."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    if {"year", "month", "day"} <= set(lower):
        parts = [
            lower[u] for u in ("year", "month", "day", "hour", "minute", "second") if u in lower
        ]
        if all(pd.api.types.is_numeric_dtype(df[c]) for c in parts):
            return parts
    # A date-like name needs only a date-like first value (bad rows are then reported
    # by the parser); an arbitrary column must look like dates throughout a sample.
    for c in df.columns:
        if _TIME_NAME.search(str(c).strip()) and _looks_like_dates(df[c], 1):
            return c
    for c in df.columns:
        if _looks_like_dates(df[c], 20):
            return c
    return None


def _calendar_alias(index: pd.DatetimeIndex) -> str | None:
    """Month/quarter/year aliases for calendar-spaced data (robust to gaps)."""
    if not (index == index.normalize()).all():
        return None
    months = np.asarray(index.year * 12 + index.month - 1)
    steps = np.diff(months)
    if (steps <= 0).any() or steps.size == 0:
        return None
    values, counts = np.unique(steps, return_counts=True)
    step = int(values[counts.argmax()])
    if (months[-1] - months[0]) // step > 10 * len(index) + 1000:
        return None
    if index.is_month_start.all():
        kind = "S"
    elif index.is_month_end.all():
        kind = "E"
    else:
        return None
    if step % 12 == 0 and len(set(index.month)) == 1:
        n = step // 12
        anchor = (
            ""
            if index.month[0] == (1 if kind == "S" else 12)
            else ("-" + pd.Timestamp(2000, index.month[0], 1).strftime("%b").upper())
        )
        return f"{n if n > 1 else ''}Y{kind}{anchor}"
    return f"{step if step > 1 else ''}M{kind}"


def _fixed_alias(step: pd.Timedelta) -> str:
    """A fixed step as the coarsest whole-unit alias: 1 day -> 'D', 90 minutes -> '90min'."""
    ns = step.value
    for unit, size in (
        ("D", 86_400 * 10**9),
        ("h", 3_600 * 10**9),
        ("min", 60 * 10**9),
        ("s", 10**9),
        ("ms", 10**6),
        ("us", 10**3),
    ):
        if ns % size == 0:
            n = ns // size
            return unit if n == 1 else f"{n}{unit}"
    return f"{ns}ns"


def fmt_ts(t: pd.Timestamp) -> str:
    """A timestamp for messages: the date alone at midnight."""
    return str(t.date()) if t == t.normalize() else str(t)


def infer_freq(index: pd.DatetimeIndex) -> str | None:
    """The sampling frequency as a pandas alias, or None if the index is irregular.

    Unlike :func:`pandas.infer_freq` this tolerates gaps: the most common step
    (in calendar months for month/year-spaced data) is taken as the frequency,
    provided every timestamp lies on that grid; :func:`missing_timestamps` then
    lists the gaps.
    """
    if len(index) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            alias = pd.infer_freq(index)
        except (ValueError, TypeError):
            alias = None
    if alias is not None:
        return to_offset(alias).freqstr
    alias = _calendar_alias(index)
    if alias is None:
        deltas = np.diff(index.asi8)
        if (deltas <= 0).any():
            return None
        values, counts = np.unique(deltas, return_counts=True)
        step = int(values[counts.argmax()])
        # Mostly empty spans are irregular data rather than a series with gaps
        # (and would make the regular grid huge).
        if (index.asi8[-1] - index.asi8[0]) // step > 10 * len(index) + 1000:
            return None
        alias = _fixed_alias(pd.Timedelta(step, unit=index.unit))
        if (
            alias == "D"
            and not (index.day_of_week >= 5).any()
            and (index == index.normalize()).all()
        ):
            # Weekday-only daily data: business days, so weekends are not reported as gaps.
            alias = "B"
    grid = pd.date_range(index[0], index[-1], freq=alias)
    if not index.isin(grid).all():
        return None
    return alias


def missing_timestamps(index: pd.DatetimeIndex, alias: str) -> pd.DatetimeIndex:
    """Timestamps of the regular ``alias`` grid from first to last that ``index`` lacks."""
    grid = pd.date_range(index[0], index[-1], freq=alias, name=index.name)
    return grid.difference(index)


def describe_gap(index: pd.DatetimeIndex, missing: pd.DatetimeIndex, alias: str) -> str:
    """One sentence: how many timestamps are missing and where the first gap is."""
    first = missing[0]
    before = index[index < first][-1]
    after = index[index > first][0]
    return (
        f"{len(missing)} missing timestamp(s) in the {alias!r} index; first gap: "
        f"{fmt_ts(first)} missing (between {fmt_ts(before)} and {fmt_ts(after)})"
    )


def check_freq(freq: object) -> str | None:
    """``freq`` as a normalised pandas alias (None stays None); DataError if invalid."""
    if freq is None:
        return None
    try:
        return to_offset(freq).freqstr
    except (ValueError, TypeError):
        raise DataError(f"freq={freq!r} is not a pandas frequency alias (e.g. 'D', 'h', 'MS')") from None


def check_grid(index: pd.DatetimeIndex, alias: str, source: str) -> None:
    """Every timestamp must lie on the ``alias`` grid through the first one."""
    offset = to_offset(alias)
    grid = pd.date_range(index[0], index[-1], freq=alias)
    off = ~index.isin(grid)
    if not offset.is_on_offset(index[0]):
        off[0] = True
    if off.any():
        t = index[int(np.flatnonzero(off)[0])]
        raise DataError(
            f"{source}: timestamp {fmt_ts(t)} is not on the expected {alias!r} grid"
        )


def time_index(
    df: pd.DataFrame, time: str | Sequence[str] | None
) -> tuple[pd.DatetimeIndex, list[str]]:
    """The parsed timestamps and the column(s) they came from."""
    names = [str(c) for c in df.columns]
    if time is None:
        if isinstance(df.index, pd.DatetimeIndex):
            return df.index.rename(df.index.name or "timestamp"), []
        found = detect_time(df)
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
        return parse_time_column(df[cols[0]], cols[0]), cols
    return assemble_time(df, cols), cols


def order_index(out: pd.DataFrame, sort: bool, source: str) -> pd.DataFrame:
    """Sort unsorted rows by time (with a warning; DataError when ``sort`` is False)
    and reject duplicate timestamps, naming the rows."""
    idx = out.index
    if not idx.is_monotonic_increasing:
        pos = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0]) + 1
        where = f"row {pos + 1} ({fmt_ts(idx[pos])}) comes after {fmt_ts(idx[pos - 1])}"
        if not sort:
            raise DataError(f"timestamps are not sorted: {where}; pass sort=True to sort them")
        warnings.warn(
            f"{source}: timestamps are not sorted ({where}); sorted them",
            UserWarning,
            stacklevel=4,
        )
        out = out.iloc[np.argsort(idx.asi8, kind="stable")]
    dup = out.index.duplicated(keep=False)
    if dup.any():
        first = list(dict.fromkeys(out.index[dup]))[:3]
        rows = ", ".join(str(r) for r in np.flatnonzero(idx == first[0])[:4] + 1)
        raise DataError(
            f"{int(out.index.duplicated().sum())} duplicate timestamp(s); first: "
            f"{', '.join(fmt_ts(t) for t in first)} (rows {rows} share {fmt_ts(first[0])}); "
            "keep one row per timestamp, or aggregate them before loading"
        )
    return out
