"""Load a time series from CSV into a validated DataFrame with a DatetimeIndex.

Problems are reported, never silently fixed: unsorted timestamps are sorted with
a warning; duplicates, gaps, NaN and infinite values, unparseable dates and
non-numeric columns raise :class:`~forecastkit.errors.DataError` naming the
offending rows, values or columns. Gaps and NaNs are filled only when a fill
policy is chosen. The loader either returns a frame or raises ``DataError``.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from forecastkit.data.datasets import DATASETS, dataset_path, resolve_source
from forecastkit.data.timeindex import (
    check_freq,
    check_grid,
    describe_gap,
    fmt_ts,
    infer_freq,
    missing_timestamps,
    order_index,
    time_index,
)
from forecastkit.errors import DataError

FILL_POLICIES = ("none", "interpolate", "ffill", "drop-leading")
AGGREGATIONS = ("mean", "sum", "max", "min", "last", "first", "median")
_FILL_HINT = "pass fill='interpolate', 'ffill' or 'drop-leading' (--fill) to fill them"
# Control characters that do not occur in CSV text (C0 except tab/newlines, and C1).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Separators other spreadsheets export that we recognise only to name them in an error
# (':' is not among them: it occurs inside times).
_OTHER_SEPARATORS = ("|", "^", "~")


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV file as text; anything that is not a readable CSV raises DataError."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path} is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not raw.strip():
        raise DataError(f"{path} is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # common for older CSV exports; binary is caught below
    bad = _BINARY.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError(
            f"{path} is not a CSV text file (binary byte {bad.group()!r} on line {line})"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas' DtypeWarning / ParserWarning
            df = pd.read_csv(io.StringIO(text), low_memory=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty") from None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path} is not a readable CSV: {first}") from None
    if df.shape[1] == 1:  # a single column: maybe semicolon- or tab-separated
        header = text.splitlines()[0]
        for sep in (";", "\t"):
            if sep in header:
                try:
                    df = pd.read_csv(io.StringIO(text), sep=sep, low_memory=False)
                except (pd.errors.ParserError, ValueError, OverflowError) as exc:
                    raise DataError(
                        f"{path} is not a readable CSV ({sep!r}-separated): "
                        f"{str(exc).strip()[:200]}"
                    ) from None
                break
        else:
            _reject_other_separator(path, text)
    if len(df) == 0:
        raise DataError(f"{path} has a header ({', '.join(map(str, df.columns))}) but no data rows")
    return df


def _reject_other_separator(path: Path, text: str) -> None:
    """A one-column file whose lines split alike on another character was written
    with a separator we do not read: say which, rather than 'no time column'."""
    lines = [line for line in text.splitlines() if line.strip()][:2]
    if len(lines) < 2:
        return
    for sep in _OTHER_SEPARATORS:
        n = lines[0].count(sep)
        if n and lines[1].count(sep) == n:
            raise DataError(
                f"{path} has a single column {lines[0].strip()[:60]!r}: its lines look "
                f"separated by {sep!r}; save it comma-separated (';' and tab are also read)"
            )


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


def _sample(col: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in pd.unique(col.dropna())[:2])


def _stray_text(col: pd.Series) -> tuple[int, str, int] | None:
    """For a text column that is mostly numbers, the first cell that is not one:
    ``(row position, value, number of such cells)``; None otherwise."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_complex_dtype(col):
        return None
    present = np.flatnonzero(col.notna().to_numpy())
    text = col.iloc[present].astype("str").str.strip()
    bad = pd.to_numeric(text, errors="coerce").isna().to_numpy()
    if not bad.any() or bad.sum() * 2 >= len(bad):  # none, or a categorical column
        return None
    first = int(np.flatnonzero(bad)[0])
    return int(present[first]), str(text.iloc[first]), int(bad.sum())


def _not_a_number(c: str, stray: tuple[int, str, int], what: str = "column") -> DataError:
    pos, value, count = stray
    return DataError(
        f"{what} {c!r}: row {pos + 1} value {value!r} is not a number ({count} such "
        "value(s)); fix it, or leave the cell empty to mark a missing value"
    )


def _numeric(col: pd.Series) -> pd.Series | None:
    """The column as float64, or None if it is not numeric."""
    if pd.api.types.is_complex_dtype(col):
        return None
    if pd.api.types.is_numeric_dtype(col):  # includes bool
        return col.astype("float64")
    if col.dtype == object:  # in-memory frames may hold numbers as objects
        try:
            return pd.to_numeric(col, errors="raise").astype("float64")
        except (ValueError, TypeError):
            return None
    if col.isna().all():  # an all-empty CSV column is read as strings
        return pd.Series(np.nan, index=col.index, name=col.name)
    return None


def _encode(df: pd.DataFrame, chosen: list[str], targets: list[str], onehot) -> pd.DataFrame:
    if onehot is True:  # numbers with a typo are reported below, not one-hot encoded
        hot = {
            c
            for c in chosen
            if c not in targets and _numeric(df[c]) is None and _stray_text(df[c]) is None
        }
    elif onehot is False or onehot is None:
        hot = set()
    else:
        hot = set(_as_list(onehot, "onehot"))
        unknown = sorted(hot - set(chosen))
        if unknown:
            raise DataError(
                f"onehot column(s) {unknown} are not among the selected columns {chosen}"
            )
    parts = []
    for c in chosen:
        if c in targets and (c in hot or _numeric(df[c]) is None):
            stray = _stray_text(df[c])
            if stray is not None:
                raise _not_a_number(c, stray, "target column")
            raise DataError(
                f"target column {c!r} is not numeric (values like {_sample(df[c])}); a target "
                "must be numeric and cannot be one-hot encoded"
            )
        if c in hot:
            dummies = pd.get_dummies(df[c].astype("str"), prefix=c, prefix_sep="_", dtype="float64")
            dummies.loc[df[c].isna().to_numpy()] = np.nan  # keep missing categories visible
            parts.append(dummies)
            continue
        num = _numeric(df[c])
        if num is None:
            stray = _stray_text(df[c])
            if stray is not None:
                raise _not_a_number(c, stray)
            raise DataError(
                f"column {c!r} is not numeric (values like {_sample(df[c])}); pass "
                f"onehot=[{c!r}] / --onehot {c} or drop it"
            )
        parts.append(num.rename(c))
    return pd.concat(parts, axis=1)


def _nan_counts(out: pd.DataFrame) -> str:
    counts = out.isna().sum()
    return ", ".join(
        f"{c}: {int(n)} (first at {fmt_ts(out.index[out[c].isna().to_numpy()][0])})"
        for c, n in counts.items()
        if n
    )


def _check_edges(out: pd.DataFrame, fill: str) -> None:
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


def _fill(out: pd.DataFrame, fill: str | None, report: dict) -> pd.DataFrame:
    before = out.isna().sum()
    if not before.any():
        return out
    if fill in (None, "none"):
        raise DataError(f"missing values (NaN) in {_nan_counts(out)}; {_FILL_HINT}")
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
    _check_edges(out, fill)
    report["values_filled"] = {c: int(n) for c, n in before.items() if n}
    return out


def _resample(
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
            raise DataError(describe_gap(res.index[~empty], missing, rule) + f"; {_FILL_HINT}")
        res = _fill(res, fill, report)
    return res


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
) -> pd.DataFrame:
    """Validate a raw frame and return it with a regular DatetimeIndex.

    Parameters
    ----------
    df : DataFrame
        Raw data: a time column (or columns, or a DatetimeIndex) and value columns.
    time : str or list of str, optional
        The time column, or columns assembled into a timestamp (``year, month,
        day[, hour]``); default: detected from names (date, time, month ...) or values.
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

    Returns
    -------
    DataFrame
        float64 columns, a sorted DatetimeIndex whose ``freq`` is set, and
        ``attrs`` with ``source``, ``freq`` and (when filling) ``filled``.
    """
    rule = _check_options(fill, agg, resample, sort)
    expected = check_freq(freq)
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a DataFrame, got {type(df).__name__}")
    df = df.rename(columns=lambda c: str(c).strip())
    if df.columns.has_duplicates:
        dups = sorted(set(df.columns[df.columns.duplicated()]))
        raise DataError(f"{source}: duplicate column names {dups}")
    if len(df) == 0:
        raise DataError(f"{source}: no data rows")
    index, time_cols = time_index(df, time)
    chosen, tlist = _select(df, targets, features, time_cols, exclude)
    out = _encode(df, chosen, tlist, onehot)
    out.index = index
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
            if fill in (None, "none"):
                raise DataError(
                    f"{source}: {describe_gap(out.index, missing, native)}; {_FILL_HINT}"
                )
            out = out.reindex(missing.union(out.index))
            report["timestamps_added"] = len(missing)
            report["first_added"] = [fmt_ts(t) for t in missing[:5]]
    values = out.to_numpy()
    if np.isinf(values).any():
        counts = np.isinf(values).sum(axis=0)
        shown = ", ".join(f"{c}: {int(n)}" for c, n in zip(out.columns, counts) if n)
        raise DataError(f"{source}: infinite values in {shown}")
    out = _fill(out, fill, report)
    if len(out) < min_rows:
        raise DataError(f"{source}: only {len(out)} row(s) left after fill={fill!r}")
    alias = native
    if rule is not None:
        out = _resample(out, rule, agg, native, fill, report)
        alias = rule
    out.index = pd.DatetimeIndex(out.index, freq=alias, name=index.name)
    out.attrs = {"source": source, "freq": alias}
    if fill not in (None, "none"):
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
    raw = read_csv(path)
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
) -> pd.DataFrame:
    """Load a CSV file or a shipped dataset as a validated time-series frame.

    ``source`` is a path to a CSV file or the name of a shipped dataset (see
    :func:`~forecastkit.data.datasets.list_datasets`), whose time column(s) and
    documented default fill policy are used unless given. The other parameters
    are those of :func:`prepare_frame`.

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
    )


def load_dataset(name: str, **kwargs: Any) -> pd.DataFrame:
    """Load a shipped dataset by name; keyword arguments as for :func:`load_data`."""
    key = str(name).removesuffix(".csv")
    if key not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; shipped datasets: {', '.join(DATASETS)}")
    return _load(dataset_path(key), DATASETS[key], key, **kwargs)
