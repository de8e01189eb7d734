"""Many series in one long table: the :class:`Panel` record and its validation.

Load files and shipped panels with :func:`forecastkit.data.panel_loader.load_panel`.
A panel file has one row per (series, time): a series id column (or several,
joined with ``"/"``), a time column and a target column. Each series is validated
on its own and every error names the series; series may start and end at
different dates (ragged panels). Series too short for the run are skipped with a
warning naming them (``strict=True``: an error instead).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecastkit.errors import DataError

__all__ = ["Panel", "drop_short", "panel_from_frame"]

SERIES = "series_id"


@dataclass(frozen=True)
class Panel:
    """A validated long-format panel.

    Attributes
    ----------
    frame : DataFrame
        Columns ``series_id`` (str), ``time`` (datetime64) and ``value`` (float),
        sorted by series then time; each series on a regular ``freq`` grid.
    freq : str
        Sampling frequency (pandas alias), shared by all series.
    target : str
        Name of the target column in the source.
    season_length : int
        Seasonal period used by seasonal baselines and MASE.
    test : DataFrame or None
        The official test periods (same columns), for competition datasets.
    skipped : dict
        Series left out as too short: id -> number of rows.
    past, future : tuple of str
        Past and future-known covariate columns, kept in ``frame`` beside ``value``.
    statics : DataFrame or None
        Static features: one row per series (index: the series id), one column each.
    future_values : dict or None
        Future-known covariates past each series' end: id -> (horizon, len(future)) array.
    """

    frame: pd.DataFrame
    freq: str
    target: str = "value"
    season_length: int = 1
    test: pd.DataFrame | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    past: tuple[str, ...] = ()
    future: tuple[str, ...] = ()
    statics: pd.DataFrame | None = None
    future_values: dict[str, np.ndarray] | None = None

    @property
    def series(self) -> list[str]:
        """Series ids in order."""
        return list(pd.unique(self.frame[SERIES]))

    def lengths(self) -> pd.Series:
        """Number of rows of each series."""
        return self.frame.groupby(SERIES, sort=False).size()

    def groups(self) -> Iterator[tuple[str, pd.DatetimeIndex, np.ndarray]]:
        """(series id, its timestamps, its values) for each series, in order."""
        ids = self.frame[SERIES].to_numpy()
        times = pd.DatetimeIndex(self.frame["time"])
        values = self.frame["value"].to_numpy(dtype=float)
        bounds = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        starts = np.r_[0, bounds]
        ends = np.r_[bounds, len(ids)]
        for a, b in zip(starts, ends):
            # the regular grid is known: forecasters need not infer the frequency again
            yield str(ids[a]), pd.DatetimeIndex(times[a:b], freq=self.freq), values[a:b]


def _series_column(df: pd.DataFrame, series_id: str | Sequence[str], source: str) -> pd.Series:
    cols = [series_id] if isinstance(series_id, str) else [str(c) for c in series_id]
    if not cols:
        raise DataError(f"{source}: series_id must name a column (or a list of columns)")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(
            f"{source}: series_id column(s) {missing} not found; available: {[str(c) for c in df.columns]}"
        )
    parts = []
    for c in cols:
        col = df[c]
        if col.isna().any():
            row = int(np.flatnonzero(col.isna().to_numpy())[0])
            raise DataError(f"{source}: series_id column {c!r} is empty in row {row + 1}; every row needs a series id")
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.astype(str).str.strip()
            numeric = pd.to_numeric(text, errors="coerce")
            if numeric.notna().any() and numeric.isna().any():
                bad = text[numeric.isna()].iloc[0]
                good = text[numeric.notna()].iloc[0]
                raise DataError(
                    f"{source}: series_id column {c!r} mixes numbers ({good!r}) and text ({bad!r}); "
                    "write every id the same way"
                )
            parts.append(text)
        else:
            values = col.to_numpy()
            if np.issubdtype(values.dtype, np.floating) and np.all(values == np.round(values)):
                values = values.astype(np.int64)
            parts.append(pd.Series(values.astype(str), index=df.index))
    ids = parts[0] if len(parts) == 1 else parts[0].str.cat(parts[1:], sep="/")
    if ids.nunique() < 2:
        raise DataError(
            f"{source}: series_id {cols if len(cols) > 1 else cols[0]!r} has one value ({ids.iloc[0]!r}): "
            "that is a single series; drop [data] series_id to run it as one"
        )
    return ids


def panel_from_frame(
    df: pd.DataFrame,
    *,
    series_id: str | Sequence[str],
    target: str,
    time: str | Sequence[str] | None = None,
    freq: str | None = None,
    season_length: int | None = None,
    min_length: int = 1,
    strict: bool = False,
    source: str = "<frame>",
    past_covariates: Sequence[str] = (),
    future_covariates: Sequence[str] = (),
    static_features: Sequence[str] = (),
) -> Panel:
    """Validate a long DataFrame into a :class:`Panel`.

    Parameters
    ----------
    df : DataFrame
        One row per (series, time).
    series_id : str or list of str
        The id column(s); several are joined with ``"/"``.
    target : str
        The value column.
    time : str or list of str, optional
        The time column (detected when omitted, as for one series).
    freq : str, optional
        The frequency; inferred from the series when omitted.
    season_length : int, optional
        Seasonal period (default: from the frequency, 12 for months, 4 for quarters,
        7 for days, 24 for hours, else 1).
    min_length : int
        Series with fewer rows are skipped with a warning (``strict``: DataError).
    strict : bool
        Fail on a too-short series instead of skipping it.
    source : str
        Name used in messages.
    past_covariates, future_covariates : list of str
        Numeric columns kept per series: past covariates (global models use their lags
        up to each origin) and future-known ones (known ahead, used at the target time).
    static_features : list of str
        Columns constant within each series (e.g. a category); a column that varies
        within a series is a DataError naming the series.
    """
    from forecastkit.data.panel_covariates import check_covariate_names, covariate_columns, static_table
    from forecastkit.data.timedetect import time_index
    from forecastkit.data.timeindex import check_freq, fmt_ts, infer_freq

    ids = _series_column(df, series_id, source)
    if target not in df.columns:
        raise DataError(f"{source}: unknown target column {target!r}; available: {[str(c) for c in df.columns]}")
    id_cols = [series_id] if isinstance(series_id, str) else list(series_id)
    if target in id_cols:
        raise DataError(f"{source}: the target {target!r} is also the series_id column")
    rest = df.drop(columns=id_cols)
    axis = time_index(rest, time)
    past, future, statics = (list(c) for c in (past_covariates, future_covariates, static_features))
    check_covariate_names([str(c) for c in df.columns], id_cols + [target] + list(axis.columns), source,
                          past=past, future=future, static=statics)
    values = pd.to_numeric(df[target], errors="coerce")
    bad = values.isna() & df[target].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{source}: series {ids.iloc[i]!r}: target {target!r} has a non-numeric value "
            f"{df[target].iloc[i]!r} at {fmt_ts(axis.index[i])}"
        )
    long = pd.DataFrame({SERIES: ids.to_numpy(), "time": axis.index.tz_localize(None) if axis.index.tz else axis.index,
                         "value": values.to_numpy(dtype=float),
                         **covariate_columns(df, ids.to_numpy(), axis.index, past + future, source),
                         **{c: df[c].to_numpy() for c in statics}})
    dup = long.duplicated([SERIES, "time"])
    if dup.any():
        row = long[dup].iloc[0]
        n = int(dup.sum())
        raise DataError(
            f"{source}: series {row[SERIES]!r}: timestamp {fmt_ts(row['time'])} appears more than once "
            f"({n} duplicate (series, time) pair(s)); keep one row per series and timestamp"
        )
    order = list(pd.unique(ids))  # keep the file's series order
    long[SERIES] = pd.Categorical(long[SERIES], categories=order, ordered=True)
    long = long.sort_values([SERIES, "time"], kind="stable").reset_index(drop=True)
    long[SERIES] = long[SERIES].astype(str)
    alias = check_freq(freq) if freq is not None else None
    lengths: dict[str, int] = {}
    for sid, g in long.groupby(SERIES, sort=False):
        idx = pd.DatetimeIndex(g["time"])
        lengths[sid] = len(idx)
        nan = g["value"].isna().to_numpy()
        if nan.any():
            raise DataError(
                f"{source}: series {sid!r}: {int(nan.sum())} missing value(s) in {target!r}, first at "
                f"{fmt_ts(idx[int(np.flatnonzero(nan)[0])])}; fill or drop them"
            )
        if alias is None and len(idx) >= 3:
            alias = infer_freq(idx)
    if alias is None:
        raise DataError(f"{source}: cannot infer the frequency of the series; set [data] freq (e.g. 'MS', 'D')")
    for sid, g in long.groupby(SERIES, sort=False):
        idx = pd.DatetimeIndex(g["time"])
        if len(idx) < 2:
            continue
        grid = pd.date_range(idx[0], idx[-1], freq=alias)
        off = idx.difference(grid)
        if len(off):
            raise DataError(f"{source}: series {sid!r}: timestamp {fmt_ts(off[0])} is off the {alias!r} grid")
        gaps = grid.difference(idx)
        if len(gaps):
            raise DataError(
                f"{source}: series {sid!r}: {len(gaps)} missing timestamp(s), first {fmt_ts(gaps[0])}; "
                "fill the gaps or drop the series"
            )
    m = season_length if season_length is not None else default_season(alias)
    table = static_table(long, statics, SERIES, source)
    long = long.drop(columns=statics)
    panel = Panel(long, alias, target, int(m), None, {}, tuple(past), tuple(future), table)
    return drop_short(panel, min_length, strict, source)


def drop_short(panel: Panel, min_length: int, strict: bool = False, source: str = "panel") -> Panel:
    """The panel without its series shorter than ``min_length`` rows (a warning names them);
    ``strict``: DataError instead. DataError when no series is long enough."""
    lengths = panel.lengths()
    short = {str(k): int(v) for k, v in lengths[lengths < min_length].items()}
    if len(short) == len(lengths):
        raise DataError(
            f"{source}: no series is long enough: the longest has {int(lengths.max())} rows, "
            f"the run needs {min_length}"
        )
    if not short:
        return panel
    listed = ", ".join(f"{sid!r} ({n} rows)" for sid, n in list(short.items())[:5])
    more = f" and {len(short) - 5} more" if len(short) > 5 else ""
    msg = f"{len(short)} series shorter than the {min_length} rows the run needs: {listed}{more}"
    if strict:
        raise DataError(f"{source}: {msg} (--strict)")
    warnings.warn(f"skipping {msg}", UserWarning, stacklevel=2)
    keep = ~panel.frame[SERIES].isin(short)
    test = None if panel.test is None else panel.test[~panel.test[SERIES].isin(short)].reset_index(drop=True)
    statics = None if panel.statics is None else panel.statics.drop(index=list(short), errors="ignore")
    future = None if panel.future_values is None else {k: v for k, v in panel.future_values.items() if k not in short}
    return replace(panel, frame=panel.frame[keep].reset_index(drop=True), test=test,
                   skipped={**panel.skipped, **short}, statics=statics, future_values=future)


def default_season(alias: str) -> int:
    """The usual seasonal period of a frequency (1 when there is none)."""
    base = "".join(ch for ch in alias if not ch.isdigit()).split("-")[0]
    return {"MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4, "Q": 4, "D": 7, "B": 5, "h": 24, "H": 24,
            "W": 52}.get(base, 1)
