"""Check the DatetimeIndex of a loaded series.

Helpers for :mod:`forecastkit.data.loader`: sort the rows and reject duplicate
timestamps, infer the sampling frequency (also when the index has gaps) or check
an expected one, list the timestamps a regular index is missing, and recognise
gaps that come from a misread day/month order rather than from the data.
(Parsing the time column is :mod:`forecastkit.data.timeparse`.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from forecastkit.errors import DataError


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


def day_month_swapped(index: pd.DatetimeIndex, alias: str, missing: pd.DatetimeIndex) -> bool:
    """Whether the gaps of a daily index look like month-first dates read from a
    day-first (or month-label) file: no date after the 12th of its month although
    the gaps span such days, as when monthly rows 01/02/2020, 01/03/2020 ... become
    January 2nd, 3rd ... with the 13th-31st missing."""
    if alias not in ("D", "B") or not len(missing) or len(index) < 3:
        return False
    if not (index == index.normalize()).all():
        return False
    return bool(index.day.max() <= 12 and missing.day.max() > 12)


def misread_gap(index: pd.DatetimeIndex, missing: pd.DatetimeIndex, alias: str, fmt: str | None) -> str | None:
    """For gaps that come from a misread day/month order, the sentence saying so
    (and the option that fixes it, never a fill policy); None otherwise."""
    if not day_month_swapped(index, alias, missing):
        return None
    swapped = "date_format='...'"
    if fmt and "%d" in fmt and "%m" in fmt:
        swapped = "date_format=" + repr(fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m"))
    return (
        f"{describe_gap(index, missing, alias)}, and no date falls after the 12th of its month: "
        f"the dates were probably read with day and month swapped (as {fmt or 'dates'!r}), e.g. a monthly "
        f"file read as daily; pass {swapped} (--date-format) or dayfirst (--dayfirst / "
        "--no-dayfirst) rather than filling"
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
