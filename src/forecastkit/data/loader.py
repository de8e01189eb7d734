"""Load a time series from a data file into a validated DataFrame with a DatetimeIndex.

Problems are reported, never silently fixed: unsorted timestamps are sorted with
a warning; duplicates, gaps, NaN and infinite values, unparseable dates and
non-numeric columns raise :class:`~forecastkit.errors.DataError` naming the
offending rows, values or columns. Gaps and NaNs are filled only when a fill
policy is chosen. The loader either returns a frame or raises ``DataError``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from forecastkit.data.csvread import read_csv, read_table
from forecastkit.data.datasets import DATASETS, dataset_path, resolve_source
from forecastkit.data.fill import AGGREGATIONS, FILL_HINT, FILL_POLICIES, fill_missing, resample_to
from forecastkit.data.numbers import NumberFormat, encode
from forecastkit.data.timeindex import (
    check_freq,
    check_grid,
    describe_gap,
    fmt_ts,
    infer_freq,
    misread_gap,
    missing_timestamps,
    order_index,
)
from forecastkit.data.timedetect import time_index
from forecastkit.data.timeparse import DateOptions
from forecastkit.errors import DataError

__all__ = ["AGGREGATIONS", "FILL_POLICIES", "load_data", "load_dataset", "prepare_frame", "read_csv"]


def _as_list(value: str | Sequence[str] | None, what: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
        raise DataError(f"{what} must be a column name or a list of names, got {value!r}")
    return [str(v) for v in value]  # lists, tuples, pandas Index, arrays


def _check_options(fill: Any, agg: Any, resample: Any, sort: Any) -> str | None:
    if fill is not None and fill not in FILL_POLICIES:
        raise DataError(f"unknown fill policy {fill!r}; choose one of {list(FILL_POLICIES)}")
    if agg not in AGGREGATIONS:
        raise DataError(f"unknown aggregation {agg!r}; choose one of {list(AGGREGATIONS)}")
    if not isinstance(sort, bool):
        raise DataError(f"sort must be True or False, got {sort!r}")
    if resample is None:
        return None
    try:
        return to_offset(resample).freqstr
    except (ValueError, TypeError):
        raise DataError(
            f"resample={resample!r} is not a pandas frequency alias (e.g. 'D', 'h', 'MS')"
        ) from None


def _select(
    df: pd.DataFrame, targets, features, time_cols: list[str], exclude
) -> tuple[list[str], list[str]]:
    """Chosen columns (targets first) and the target names."""
    available = [c for c in df.columns if c not in time_cols]
    tlist = _as_list(targets, "targets") or []
    flist = _as_list(features, "features")
    for what, wanted in (("target", tlist), ("feature", flist or [])):
        unknown = [c for c in wanted if c not in available]
        if unknown:
            why = " (the time column)" if set(unknown) & set(time_cols) else ""
            raise DataError(f"unknown {what} column(s) {unknown}{why}; available: {available}")
    if flist is None:
        flist = [c for c in available if c not in tlist and c not in set(exclude or ())]
    chosen = list(dict.fromkeys(tlist + flist))
    if not chosen:
        raise DataError(f"no columns selected; available: {available}")
    return chosen, tlist


def prepare_frame(
    df: pd.DataFrame,
    *,
    time: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
    features: Sequence[str] | None = None,
    onehot: bool | str | Sequence[str] = False,
    fill: str | None = None,
    resample: str | None = None,
    agg: str = "mean",
    sort: bool = True,
    source: str = "<frame>",
    exclude: Sequence[str] = (),
    freq: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Validate a raw frame and return it with a regular DatetimeIndex.

    Parameters
    ----------
    df : DataFrame
        Raw data: a time column (or columns, or a DatetimeIndex) and value columns.
    time : str or list of str, optional
        The time column, or columns assembled into a timestamp (``year, month[,
        day, hour]``); default: detected from names (date, time, month, year, week,
        day, period, ds, timestamp) or values (dates, or integer years in the
        first column).
    targets : str or list of str, optional
        Target columns, returned first.
    features : list of str, optional
        Other columns to keep; default all remaining columns (``[]`` for none).
    onehot : bool or list of str, default False
        Non-numeric columns to one-hot encode (``True``: all non-target ones).
        Other non-numeric columns raise DataError.
    fill : {None, 'none', 'interpolate', 'ffill', 'drop-leading'}
        What to do with gaps in the index and NaN values; None / 'none' raises.
        'interpolate' fills interior NaNs linearly in time, 'ffill' carries the last
        value forward, 'drop-leading' drops rows before the first complete row and
        then interpolates.
    resample : str, optional
        Aggregate to this (coarser) pandas frequency, after validation and filling.
    agg : str, default 'mean'
        Aggregation for ``resample``: mean, sum, max, min, last, first, median.
    sort : bool, default True
        Sort unsorted timestamps (with a warning); False raises instead.
    source : str
        Label of the data, kept in ``attrs['source']`` and used in messages.
    exclude : list of str
        Columns left out of the default selection (e.g. a row counter).
    freq : str, optional
        The frequency the timestamps must follow (a pandas alias), instead of
        inferring it: e.g. that of the series a file of future covariates continues.
        Timestamps off its grid raise DataError; one or two rows are then enough.
    date_format : str, optional
        The strftime format of the time column (``'%d/%m/%Y'``), or ``'N-%m'``
        for month labels ``1-01`` .. ``13-01`` whose year is a number N (read as
        year 1900 + N). Default: guessed from the first value.
    dayfirst : bool, optional
        Read ``01/02/2020``-style dates day first (True) or month first (False);
        without it (or ``date_format``) a column that reads both ways, differently,
        raises DataError.
    decimal, thousands : str
        The decimal mark ('.' or ',') and thousands separator (',', '.', ' ', "'"
        or None) text cells are written with; other cells are refused.
    timezone : str, optional
        An IANA zone to convert the timestamps to (naive ones are taken as local
        times there). Timestamps whose UTC offset changes are converted to UTC
        without it (with a warning).

    Returns
    -------
    DataFrame
        float64 columns, a sorted DatetimeIndex whose ``freq`` is set, and
        ``attrs`` with ``source``, ``freq`` and, when filling or converting time
        zones, ``filled`` (what was filled; ``timezone``: the conversion).
    """
    rule = _check_options(fill, agg, resample, sort)
    expected = check_freq(freq)
    dates = DateOptions(date_format, dayfirst, timezone).check()
    numbers = NumberFormat(decimal, thousands).check()
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a DataFrame, got {type(df).__name__}")
    df = df.rename(columns=lambda c: str(c).strip())
    if df.columns.has_duplicates:
        dups = sorted(set(df.columns[df.columns.duplicated()]))
        raise DataError(f"{source}: duplicate column names {dups}")
    if len(df) == 0:
        raise DataError(f"{source}: no data rows")
    axis = time_index(df, time, dates)
    if "offsets" in axis.converted and dates.timezone is None:
        warnings.warn(
            f"{source}: the UTC offset of the time column changes "
            f"({', '.join(axis.converted['offsets'])}: daylight saving time?); timestamps "
            "converted to UTC; pass timezone='<zone>' (--timezone) to use a named zone",
            UserWarning,
            stacklevel=2,
        )
    chosen, tlist = _select(df, targets, features, axis.columns, exclude)
    hot = onehot if isinstance(onehot, bool) else _as_list(onehot, "onehot")
    out = encode(df, chosen, tlist, hot, numbers)
    out.index = axis.index
    out = order_index(out, sort, source)
    min_rows = 3 if expected is None else 1
    if len(out) < min_rows:
        raise DataError(
            f"{source}: only {len(out)} row(s); at least 3 are needed to infer the frequency"
        )
    if expected is not None:
        check_grid(out.index, expected, source)
    native = expected or infer_freq(out.index)
    report: dict[str, Any] = {"policy": fill}
    if native is None and rule is None:
        steps = pd.Series(np.diff(out.index.asi8)).value_counts().index[:3]
        shown = ", ".join(str(pd.Timedelta(int(s), unit=out.index.unit)) for s in steps)
        raise DataError(
            f"{source}: timestamps are irregular (steps such as {shown}), so no frequency "
            "can be inferred; pass resample='<alias>' (--resample) to aggregate them"
        )
    if native is not None:
        missing = missing_timestamps(out.index, native)
        if len(missing):
            misread = misread_gap(out.index, missing, native, axis.fmt)
            if misread is not None:
                raise DataError(f"{source}: {misread}")
            if fill in (None, "none"):
                raise DataError(
                    f"{source}: {describe_gap(out.index, missing, native)}; {FILL_HINT}"
                )
            out = out.reindex(missing.union(out.index))
            report["timestamps_added"] = len(missing)
            report["first_added"] = [fmt_ts(t) for t in missing[:5]]
    values = out.to_numpy()
    if np.isinf(values).any():
        counts = np.isinf(values).sum(axis=0)
        shown = ", ".join(f"{c}: {int(n)}" for c, n in zip(out.columns, counts) if n)
        raise DataError(f"{source}: infinite values in {shown}")
    out = fill_missing(out, fill, report)
    if len(out) < min_rows:
        raise DataError(f"{source}: only {len(out)} row(s) left after fill={fill!r}")
    alias = native
    if rule is not None:
        out = resample_to(out, rule, agg, native, fill, report)
        alias = rule
    out.index = pd.DatetimeIndex(out.index, freq=alias, name=axis.index.name)
    out.attrs = {"source": source, "freq": alias}
    if axis.converted:
        report["timezone"] = dict(axis.converted)
    if fill not in (None, "none") or axis.converted:
        out.attrs["filled"] = report
    return out


def _load(path: Path, info, label: str, **kwargs) -> pd.DataFrame:
    default_fill = kwargs.get("fill") is None and info is not None and info.fill is not None
    if info is not None:
        if kwargs.get("time") is None:
            kwargs["time"] = info.time
        if default_fill:
            kwargs["fill"] = info.fill
        kwargs.setdefault("exclude", info.exclude)
    numbers = NumberFormat(kwargs.get("decimal", "."), kwargs.get("thousands")).check()
    raw = read_table(path, as_text=not numbers.default)
    try:
        out = prepare_frame(raw, source=label, **kwargs)
    except DataError as err:  # name the file in every message (a run may load several)
        if str(err).startswith(f"{label}: "):
            raise
        raise DataError(f"{label}: {err}") from None
    added = out.attrs.get("filled", {}).get("first_added")
    if default_fill and added:
        warnings.warn(
            f"{label}: {out.attrs['filled']['timestamps_added']} missing timestamp(s) "
            f"({', '.join(added)}) filled by {info.fill!r}, this dataset's default fill "
            "policy; pass fill= to choose another, or fill='none' to get an error",
            UserWarning,
            stacklevel=3,
        )
    return out


def load_data(
    source: str | Path,
    *,
    time: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
    features: Sequence[str] | None = None,
    onehot: bool | str | Sequence[str] = False,
    fill: str | None = None,
    resample: str | None = None,
    agg: str = "mean",
    sort: bool = True,
    freq: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Load a data file or a shipped dataset as a validated time-series frame.

    ``source`` is a path to a CSV file (also gzip, bz2, xz or zip compressed, e.g.
    ``data.csv.gz``), a Parquet file (``.parquet``; needs pyarrow), or the name of a
    shipped dataset (see :func:`~forecastkit.data.datasets.list_datasets`), whose
    time column(s) and documented default fill policy are used unless given. The
    other parameters are those of :func:`prepare_frame`.

    Examples
    --------
    >>> df = load_data("airline-passengers")
    >>> df.index.freqstr, len(df), float(df.iloc[0, 0])
    ('MS', 144, 112.0)
    >>> daily = load_data("pollution", targets="pm2.5", onehot=["cbwd"],
    ...                   fill="drop-leading", resample="D")
    >>> daily.index.freqstr, len(daily)
    ('D', 1825)
    """
    path, info = resolve_source(source)
    label = info.name if info is not None else str(source)
    return _load(
        path,
        info,
        label,
        time=time,
        targets=targets,
        features=features,
        onehot=onehot,
        fill=fill,
        resample=resample,
        agg=agg,
        sort=sort,
        freq=freq,
        date_format=date_format,
        dayfirst=dayfirst,
        decimal=decimal,
        thousands=thousands,
        timezone=timezone,
    )


def load_dataset(name: str, **kwargs: Any) -> pd.DataFrame:
    """Load a shipped dataset by name; keyword arguments as for :func:`load_data`."""
    key = str(name).removesuffix(".csv")
    if key not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; shipped datasets: {', '.join(DATASETS)}")
    return _load(dataset_path(key), DATASETS[key], key, **kwargs)
