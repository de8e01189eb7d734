"""Calendar covariates: future-known features the toolkit generates from timestamps.

Every feature is a function of the timestamp alone (never of its position in the
series), so the values for future timestamps continue those of the history exactly:
``calendar_features(idx)`` on a long index equals the concatenation of the features of
any split of it.

Feature names
-------------
``month``        ``month_sin``, ``month_cos``: month of year on a 12-month circle (January = angle 0)
``dayofweek``    ``dayofweek_sin``, ``dayofweek_cos``: Monday = 0 on a 7-day circle
``dayofyear``    ``dayofyear_sin``, ``dayofyear_cos``: day of year (1 January = 0) on a 365.25-day circle
``hour``         ``hour_sin``, ``hour_cos``: hour of day on a 24-hour circle
``weekofyear``   ``weekofyear_sin``, ``weekofyear_cos``: ISO week (week 1 = 0) on a 52-week circle
``fourier:K``    ``K`` sine/cosine pairs of the default seasonal period of the frequency
``fourier:K:P``  ``K`` pairs of a period of ``P`` steps (``P`` may be fractional, e.g. 365.25)
``trend``        steps elapsed since 1970-01-01 (integer index: the index value itself)

Fourier terms and the trend use the *elapsed time in steps* since a fixed epoch
(1970-01-01), so they are reproducible for any future timestamp. The default period
for ``fourier:K`` is the year for monthly/quarterly/weekly/daily data (12, 4, 365.25/7,
365.25 steps), the day for sub-daily data (24 for hourly) and the week (5) for
business days.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError, ForecastkitTypeError

_EPOCH = pd.Timestamp("1970-01-01")
_CYCLES = {"month", "dayofweek", "dayofyear", "hour", "weekofyear"}
VALID_FEATURES = ("month", "dayofweek", "dayofyear", "hour", "weekofyear", "fourier:K", "fourier:K:period", "trend")

_MONTHS_PER_STEP = (
    (pd.offsets.MonthBegin, 1),
    (pd.offsets.MonthEnd, 1),
    (pd.offsets.BusinessMonthBegin, 1),
    (pd.offsets.BusinessMonthEnd, 1),
    (pd.offsets.QuarterBegin, 3),
    (pd.offsets.QuarterEnd, 3),
    (pd.offsets.YearBegin, 12),
    (pd.offsets.YearEnd, 12),
)


def _months_per_step(freq: Any) -> int | None:
    for klass, months in _MONTHS_PER_STEP:
        if isinstance(freq, klass):
            return months * int(freq.n)
    return None


def _step_duration(freq: Any) -> pd.Timedelta | None:
    if isinstance(freq, pd.offsets.Week):
        return pd.Timedelta(days=7 * int(freq.n))
    try:
        return pd.Timedelta(freq)
    except (ValueError, TypeError):
        return None


def elapsed_steps(index: pd.Index, freq: Any = None) -> np.ndarray:
    """Time elapsed since 1970-01-01, in steps of ``freq`` (float array).

    An integer index is its own clock: the values are returned as floats.
    """
    if not isinstance(index, pd.DatetimeIndex):
        if pd.api.types.is_integer_dtype(index):
            return np.asarray(index, dtype=float)
        raise ForecastkitTypeError(f"calendar features need a DatetimeIndex or integers, got {type(index).__name__}")
    if freq is None:
        from forecastkit.forecasters.series import index_freq

        freq = index_freq(index)
    freq = pd.tseries.frequencies.to_offset(freq)
    months = _months_per_step(freq)
    if months is not None:
        elapsed = (index.year - 1970) * 12 + (index.month - 1)
        return np.asarray(elapsed, dtype=float) / months
    if isinstance(freq, pd.offsets.BusinessDay):
        days = index.values.astype("datetime64[D]")
        count = np.busday_count(np.datetime64("1970-01-01", "D"), days)
        return count.astype(float) / int(freq.n)
    step = _step_duration(freq)
    if step is None:
        raise DataError(f"cannot compute elapsed time for frequency {freq!r}; use a month/quarter/year or fixed-length frequency")
    tz = index.tz
    epoch = _EPOCH.tz_localize(tz) if tz is not None else _EPOCH
    return np.asarray((index - epoch) / step, dtype=float)


def default_period(freq: Any) -> float:
    """The natural seasonal period of a frequency, in steps (see the module docstring)."""
    freq = pd.tseries.frequencies.to_offset(freq)
    months = _months_per_step(freq)
    if months is not None:
        if 12 % months or months >= 12:
            raise DataError(f"frequency {freq.freqstr!r} has no seasonal period within a year; give fourier:K:period")
        return 12.0 / months
    if isinstance(freq, pd.offsets.BusinessDay):
        return 5.0 / int(freq.n)
    step = _step_duration(freq)
    if step is None:
        raise DataError(f"no default seasonal period for frequency {freq!r}; give fourier:K:period")
    day = pd.Timedelta(days=1)
    if step < day:
        return day / step
    return pd.Timedelta(days=365.25) / step


def _parse_fourier(name: str) -> tuple[int, float | None]:
    parts = name.split(":")
    try:
        k = int(parts[1])
        period = float(parts[2]) if len(parts) == 3 else None
        if len(parts) > 3:
            raise ValueError
    except (ValueError, IndexError):
        raise DataError(f"bad calendar feature {name!r}: use 'fourier:K' or 'fourier:K:period' (K an integer)") from None
    if k < 1:
        raise DataError(f"bad calendar feature {name!r}: K must be >= 1, got {k}")
    if period is not None and period <= 0:
        raise DataError(f"bad calendar feature {name!r}: the period must be > 0, got {period}")
    return k, period


def validate_features(features: str | Sequence[str] | None) -> list[str]:
    """Check calendar feature names; return them as a list."""
    if features is None:
        return []
    if isinstance(features, str):
        features = [features]
    out = []
    for name in features:
        if not isinstance(name, str):
            raise DataError(f"calendar feature names must be strings, got {name!r}")
        if name.startswith("fourier"):
            _parse_fourier(name)
        elif name not in _CYCLES and name != "trend":
            raise DataError(f"unknown calendar feature {name!r}; valid: {', '.join(VALID_FEATURES)}")
        out.append(name)
    if len(set(out)) != len(out):
        raise DataError(f"duplicate calendar features in {out}")
    return out


def _circle(values: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    angle = 2.0 * np.pi * np.asarray(values, dtype=float) / period
    return np.sin(angle), np.cos(angle)


def calendar_features(
    index: pd.Index, features: str | Sequence[str], freq: Any = None
) -> pd.DataFrame:
    """Calendar covariates for ``index`` (see the module docstring for the names).

    Parameters
    ----------
    index : DatetimeIndex (or integer index for ``fourier`` and ``trend`` only)
    features : str or sequence of str
    freq : offset or str, optional
        Step of the series (default: ``index.freq`` or inferred). Needed by ``fourier``
        and ``trend``; pass it when ``index`` is too short to infer it.

    Returns
    -------
    DataFrame indexed by ``index`` with float columns.

    Examples
    --------
    >>> idx = pd.date_range("1961-01-01", periods=2, freq="MS")
    >>> calendar_features(idx, ["month"]).round(3)
                month_sin  month_cos
    1961-01-01        0.0      1.000
    1961-02-01        0.5      0.866
    """
    names = validate_features(features)
    if not names:
        return pd.DataFrame(index=index)
    cols: dict[str, np.ndarray] = {}
    is_dt = isinstance(index, pd.DatetimeIndex)
    elapsed = None

    def clock() -> np.ndarray:
        nonlocal elapsed, freq
        if elapsed is None:
            if is_dt and freq is None:
                from forecastkit.forecasters.series import index_freq

                freq = index_freq(index)
            elapsed = elapsed_steps(index, freq)
        return elapsed

    for name in names:
        if name in _CYCLES:
            if not is_dt:
                raise DataError(f"calendar feature {name!r} needs a DatetimeIndex, got {type(index).__name__}")
            if name == "month":
                vals, period = index.month - 1, 12.0
            elif name == "dayofweek":
                vals, period = index.day_of_week, 7.0
            elif name == "dayofyear":
                vals, period = index.day_of_year - 1, 365.25
            elif name == "hour":
                vals, period = index.hour, 24.0
            else:
                vals, period = index.isocalendar().week.to_numpy(dtype=float) - 1, 52.0
            cols[f"{name}_sin"], cols[f"{name}_cos"] = _circle(vals, period)
        elif name == "trend":
            cols["trend"] = clock().copy()
        else:
            k, period = _parse_fourier(name)
            if period is None:
                if not is_dt:
                    raise DataError(f"{name!r} on an integer index needs an explicit period: 'fourier:{k}:period'")
                clock()
                period = default_period(freq)
            if 2 * k > period:
                raise DataError(
                    f"{name!r}: K={k} pairs exceed what a period of {period:g} steps can carry (K <= {period / 2:g})"
                )
            t = clock()
            for j in range(1, k + 1):
                s, c = _circle(j * t, period)
                cols[f"fourier{period:g}_sin{j}"], cols[f"fourier{period:g}_cos{j}"] = s, c
    return pd.DataFrame(cols, index=index, dtype=float)


def known_block(
    index: pd.Index, freq: Any, X: pd.DataFrame | None, columns: Sequence[str], calendar: Any
) -> tuple[np.ndarray, list[str]]:
    """The future-known inputs over ``index``: the ``columns`` of ``X``, then the
    ``calendar`` features of the timestamps; ``(array (len(index), p), names)``, with
    ``p = 0`` when there are neither."""
    parts, names = [], []
    if len(columns):
        parts.append(X.loc[:, list(columns)].to_numpy(dtype=float))
        names += [str(c) for c in columns]
    if calendar is not None and (isinstance(calendar, str) or len(calendar)):
        cal = calendar_features(index, calendar, freq=freq)
        parts.append(cal.to_numpy(dtype=float))
        names += [str(c) for c in cal.columns]
    if not parts:
        return np.empty((len(index), 0)), []
    return np.hstack(parts), names
