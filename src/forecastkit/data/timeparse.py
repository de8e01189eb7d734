"""Find and parse the time column(s) of a raw frame into a DatetimeIndex.

Dates are read as the user meant or refused: ``01/02/2020`` is parsed month-first
and day-first, and when both readings are valid but differ the column is refused
(naming both) unless ``dayfirst`` or ``date_format`` says which; month labels
without a four-digit year (``1-01``, ``13-01``) are refused unless
``date_format='N-%m'`` is given; integer years (1885, 1886 ...) give a yearly
index; UTC offsets that change (daylight saving time) are converted to UTC, or to
the named ``timezone``.
"""

from __future__ import annotations

import re
import warnings
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from forecastkit.errors import DataError

# Month labels without a four-digit year: year number 1..n, then the month (1-01, 13-01).
_MONTH_LABEL = re.compile(r"^(\d{1,3})([-/.])(\d{1,2})$")
# The year-number token of date_format: 'N-%m' reads '13-01' as month 1 of year 13.
_YEAR_NUMBER = "N"
#: Year number N of an 'N-%m' label is read as calendar year YEAR_NUMBER_BASE + N.
YEAR_NUMBER_BASE = 1900
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class DateOptions:
    """How the user said dates are written (all optional).

    Attributes
    ----------
    date_format : str or None
        A strftime format (``'%d/%m/%Y'``) every value must match, or ``'N-%m'``
        for month labels whose year is a number 1..n.
    dayfirst : bool or None
        Read ambiguous ``01/02/2020``-style dates day first (True) or month first.
    timezone : str or None
        An IANA zone name; timestamps are converted to it (naive ones are taken
        as local times there).
    """

    date_format: str | None = None
    dayfirst: bool | None = None
    timezone: str | None = None

    def check(self) -> DateOptions:
        """Validate the options; DataError with one line if they are inconsistent."""
        if self.date_format is not None and self.dayfirst is not None:
            raise DataError("give date_format or dayfirst, not both (date_format already fixes the order)")
        if self.date_format is not None and (not isinstance(self.date_format, str) or "%" not in self.date_format):
            raise DataError(
                f"date_format={self.date_format!r} is not a date format; use strftime codes "
                "such as '%d/%m/%Y', or 'N-%m' for year-number-month labels"
            )
        if self.dayfirst is not None and not isinstance(self.dayfirst, bool):
            raise DataError(f"dayfirst must be True or False, got {self.dayfirst!r}")
        if self.timezone is not None:
            try:
                zoneinfo.ZoneInfo(str(self.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise DataError(
                    f"unknown timezone {self.timezone!r}; give an IANA zone name such as "
                    "'Europe/Berlin', 'America/New_York' or 'UTC'"
                ) from None
        return self

    @property
    def explicit(self) -> bool:
        """Whether the user fixed how dates are read (so nothing is guessed)."""
        return self.date_format is not None or self.dayfirst is not None


@dataclass(frozen=True)
class TimeAxis:
    """The parsed time axis and how it was read.

    Attributes
    ----------
    index : DatetimeIndex
        One timestamp per row.
    columns : list of str
        The column(s) it came from (empty for a frame's own DatetimeIndex).
    fmt : str or None
        The format the values were parsed with, when there was one.
    converted : dict
        Time-zone conversion done (``{'to': 'UTC', 'offsets': [...]}``), if any.
    """

    index: pd.DatetimeIndex
    columns: list[str]
    fmt: str | None = None
    converted: dict[str, Any] = field(default_factory=dict)


def _row(pos: int) -> str:
    return f"row {pos + 1}"


def as_text(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col):  # 1885.0 -> '1885'
        col = col.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    return col.astype("str").str.strip()


def swap_day_month(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _orders(fmt: str | None) -> dict[bool, str | None] | None:
    """Month-first and day-first variants of a guessed format, keyed by ``dayfirst``;
    None when the order is not in doubt (year-first ISO dates, no day or month)."""
    if fmt is None or fmt.startswith("%Y") or "%d" not in fmt or "%m" not in fmt:
        return None
    month_first = fmt if fmt.index("%m") < fmt.index("%d") else swap_day_month(fmt)
    return {False: month_first, True: swap_day_month(month_first)}


def to_datetime(text: pd.Series, fmt: str | None, dayfirst: bool = False) -> tuple[pd.DatetimeIndex, bool]:
    """Parse with ``fmt`` (or mixed formats); NaT where a value does not parse.
    Returns the index and whether differing UTC offsets were converted to UTC."""
    kwargs: dict[str, Any] = {"errors": "coerce"}
    if fmt is None:
        kwargs.update(format="mixed", dayfirst=dayfirst)
    else:
        kwargs["format"] = fmt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.DatetimeIndex(pd.to_datetime(text, **kwargs)), False
        except ValueError as exc:  # differing offsets: pandas refuses to mix them (wording differs by version)
            if not any(word in str(exc).lower() for word in ("timezone", "offset", "tz-aware", "utc=true")):
                raise DataError(f"values do not parse as dates: {exc}") from None
        try:
            return pd.DatetimeIndex(pd.to_datetime(text, utc=True, **kwargs)), True
        except (ValueError, TypeError, OverflowError) as exc:
            raise DataError(f"values do not parse as dates: {exc}") from None


def first_bad(parsed: pd.DatetimeIndex) -> int | None:
    bad = np.flatnonzero(np.asarray(parsed.isna()))
    return int(bad[0]) if bad.size else None


def _shown(index: pd.DatetimeIndex, n: int = 3) -> str:
    return ", ".join(str(t.date()) if t == t.normalize() else str(t) for t in index[:n])


def _year_number_months(text: pd.Series, fmt: str, name: str) -> pd.DatetimeIndex:
    """Parse 'N-%m'-style labels: year number N (1..n) and month."""
    if fmt.count(_YEAR_NUMBER) != 1 or fmt.count("%") != 1 or "%m" not in fmt:
        raise DataError(
            f"date_format={fmt!r}: a year-number format holds one 'N' and '%m' and nothing "
            "else with '%', e.g. 'N-%m'"
        )
    groups = {_YEAR_NUMBER: r"(?P<n>\d{1,4})", "%m": r"(?P<month>\d{1,2})"}
    pattern = "".join(groups.get(p, re.escape(p)) for p in re.split(r"(N|%m)", fmt))
    parts = text.str.extract(f"^{pattern}$")
    month = pd.to_numeric(parts["month"], errors="coerce")
    ok = (parts["n"].notna() & month.between(1, 12)).to_numpy()
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        raise DataError(f"time column {name!r}: {_row(pos)} value {text.iloc[pos]!r} does not match date_format {fmt!r}")
    years = YEAR_NUMBER_BASE + parts["n"].astype("int64")
    stamps = pd.to_datetime(pd.DataFrame({"year": years, "month": month.astype("int64"), "day": 1}))
    return pd.DatetimeIndex(stamps, name=name)


def month_labels(text: pd.Series) -> bool:
    """Whether every value looks like 'N-MM' (year number 1..999, month 1..12)."""
    parts = text.str.extract(_MONTH_LABEL.pattern)
    if parts.empty or parts.isna().any().any() or parts[1].nunique() != 1:
        return False
    return bool(pd.to_numeric(parts[2]).between(1, 12).all())


def _refuse_month_labels(text: pd.Series, name: str) -> None:
    sep = _MONTH_LABEL.match(text.iloc[0]).group(2)
    years = pd.to_numeric(text.str.extract(_MONTH_LABEL.pattern)[0])
    raise DataError(
        f"time column {name!r}: values like {text.iloc[0]!r}, {text.iloc[min(1, len(text) - 1)]!r} are "
        f"month labels without a four-digit year (year {years.min()}..{years.max()}, then the "
        f"month); pass date_format='N{sep}%m' (--date-format) to read them as months (year N is "
        f"read as {YEAR_NUMBER_BASE}+N), or the strftime format they are written in"
    )


def localise(index: pd.DatetimeIndex, name: str, opts: DateOptions, converted: dict) -> pd.DatetimeIndex:
    """Apply ``opts.timezone``: convert aware timestamps, localise naive ones."""
    if opts.timezone is None:
        return index
    zone = str(opts.timezone)
    if index.tz is not None:
        converted.update(to=zone, **({} if "offsets" in converted else {"from": str(index.tz)}))
        return index.tz_convert(zone)
    try:
        out = index.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    except Exception as exc:  # a local time repeated or skipped at a DST change (pytz's errors on pandas 2)
        if not isinstance(exc, ValueError) and "Time" not in type(exc).__name__:
            raise
        when = re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", str(exc))
        raise DataError(
            f"time column {name!r}: {when.group() if when else 'a timestamp'} is ambiguous or does "
            f"not exist in {zone} (a daylight-saving change); write the timestamps with UTC offsets"
        ) from None
    converted.update(to=zone, **{"from": "local times"})
    return out


def offsets(text: pd.Series) -> list[str]:
    found = text.str.extract(_OFFSET.pattern)[0].dropna()
    return list(dict.fromkeys(found))[:4]


def parse_time_column(col: pd.Series, name: str, opts: DateOptions | None = None) -> TimeAxis:
    """Parse one column into timestamps; every value must parse in one format.

    With no ``date_format`` the format is guessed from the first value
    (``1949-01`` -> ``%Y-%m``) and required of every row; a day/month order in
    doubt is settled by the values (a day above 12), by ``dayfirst``, or refused.
    """
    opts = (opts or DateOptions()).check()
    converted: dict[str, Any] = {}
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        parsed = pd.DatetimeIndex(col)
        pos = first_bad(parsed)
        if pos is not None:
            raise DataError(f"time column {name!r}: {_row(pos)} is missing")
        return TimeAxis(localise(parsed.rename(name), name, opts, converted), [name], converted=converted)
    if pd.api.types.is_bool_dtype(col):
        raise DataError(f"time column {name!r} holds booleans, not dates")
    missing = np.flatnonzero(col.isna().to_numpy())
    if missing.size:
        raise DataError(f"time column {name!r}: {_row(int(missing[0]))} is missing")
    text = as_text(col)
    fmt, guessed = opts.date_format, opts.date_format is None
    dayfirst = bool(opts.dayfirst)
    if fmt is not None and _YEAR_NUMBER in re.sub(r"%.", "", fmt):
        index = _year_number_months(text, fmt, name)
        return TimeAxis(localise(index, name, opts, converted), [name], fmt, converted)
    if fmt is None:
        if month_labels(text):
            _refuse_month_labels(text, name)
        fmt = guess_datetime_format(text.iloc[0])
        orders = _orders(fmt) if fmt is not None else {False: None, True: None}
        if orders is not None:
            dayfirst = _settle_order(text, name, orders, opts.dayfirst)
            fmt = orders[dayfirst]
    try:
        parsed, to_utc = to_datetime(text, fmt, dayfirst)
    except DataError as err:
        raise DataError(f"time column {name!r}: {err}") from None
    pos = first_bad(parsed)
    if pos is not None:
        if not guessed:
            how = f" date_format {fmt!r}"
            raise DataError(f"time column {name!r}: {_row(pos)} value {text.iloc[pos]!r} does not match{how}")
        how = f" (the first value {text.iloc[0]!r} has format {fmt!r})" if fmt and pos else ""
        raise DataError(
            f"time column {name!r}: {_row(pos)} value {text.iloc[pos]!r} does not parse as a date{how}"
        )
    if to_utc:
        converted.update(to="UTC", offsets=offsets(text))
    index = localise(pd.DatetimeIndex(parsed, name=name), name, opts, converted)
    return TimeAxis(index, [name], fmt, converted)


def _settle_order(text: pd.Series, name: str, orders: dict[bool, str | None], dayfirst: bool | None) -> bool:
    """Whether to read day first: as asked, else the only order that parses every
    value, or either if both read alike; refuse if both parse and differ.
    ``orders`` maps dayfirst to its format (None: pandas' mixed parsing)."""
    if dayfirst is not None:
        return dayfirst
    parsed = {k: to_datetime(text, f, k)[0] for k, f in orders.items()}
    full = [k for k, p in parsed.items() if first_bad(p) is None]
    if len(full) == 1:
        return full[0]
    if not full or parsed[False].equals(parsed[True]):
        return False  # unparseable rows are reported with the usual order
    m, d = parsed[False], parsed[True]
    as_format = f", or date_format={orders[True]!r} (--date-format)" if orders[True] else ""
    raise DataError(
        f"time column {name!r}: dates like {text.iloc[0]!r} read two ways: month first "
        f"({_label(orders[False])}{_shown(m)} ...) or day first ({_label(orders[True])}{_shown(d)} ...); "
        f"pass dayfirst=True or False (--dayfirst / --no-dayfirst){as_format}"
    )


def _label(fmt: str | None) -> str:
    return f"{fmt!r}: " if fmt else ""
