"""``load_panel``: a long-format panel file, or a shipped competition panel, as a :class:`Panel`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecastkit.data.panel import SERIES, Panel, panel_from_frame
from forecastkit.errors import DataError

__all__ = ["future_covariate_values", "load_panel"]


def load_panel(
    source: str | Path,
    *,
    series_id: str | Sequence[str] | None = None,
    target: str | None = None,
    time: str | Sequence[str] | None = None,
    freq: str | None = None,
    season_length: int | None = None,
    min_length: int = 1,
    strict: bool = False,
    past_covariates: Sequence[str] = (),
    future_covariates: Sequence[str] = (),
    static_features: Sequence[str] = (),
    covariates_path: str | Path | None = None,
    horizon: int = 0,
) -> Panel:
    """Load a long-format panel from a CSV/Parquet file or a shipped panel dataset.

    A competition name (``m3-monthly``, ``m3-quarterly``, ``m3-yearly``, ``m3-other``,
    ``m1-monthly``, ``tourism-monthly`` ...) gives each series' full history
    (training then official test period) with ``Panel.test`` holding the test part;
    the other arguments are then optional. Otherwise ``series_id`` and ``target``
    are required; see :func:`panel_from_frame` for the rest (covariates and static
    features included). ``covariates_path``: a long file (same id and time columns)
    with the future-known covariates over the ``horizon`` timestamps after each
    series' end, for forecasts past the end (``Panel.future_values``).

    Examples
    --------
    >>> panel = load_panel("m3-monthly")  # doctest: +SKIP
    >>> len(panel.series)  # doctest: +SKIP
    1428
    """
    from forecastkit.data.competitions import COMPETITIONS, load_competition

    name = str(source).strip().removesuffix(".csv")
    if not Path(source).expanduser().exists() and name in COMPETITIONS:
        if past_covariates or future_covariates or static_features:
            raise DataError(f"{name}: the shipped competition panels have no covariate or static feature columns")
        return load_competition(name, min_length=min_length, strict=strict, season_length=season_length)
    from forecastkit.data.datasets import resolve_source
    from forecastkit.data.csvread import read_table

    path, _ = resolve_source(source)
    if series_id is None:
        raise DataError(f"{path}: a panel needs series_id (the column naming each series)")
    if target is None:
        raise DataError(f"{path}: a panel needs target (the value column)")
    raw = read_table(path)
    panel = panel_from_frame(raw, series_id=series_id, target=target, time=time, freq=freq,
                             season_length=season_length, min_length=min_length, strict=strict,
                             source=str(path), past_covariates=past_covariates,
                             future_covariates=future_covariates, static_features=static_features)
    if covariates_path is None or not panel.future or horizon < 1:
        return panel
    future_file, _ = resolve_source(covariates_path)
    values = future_covariate_values(read_table(future_file), panel, horizon, series_id=series_id, time=time,
                                     source=str(future_file))
    return replace(panel, future_values=values)


def future_covariate_values(raw: pd.DataFrame, panel, horizon: int, *, series_id: str | Sequence[str],
                            time: str | Sequence[str] | None, source: str) -> dict[str, np.ndarray]:
    """Each series' future-known covariates over the ``horizon`` timestamps after its last
    one, read from a long table ``raw`` (id, time and the panel's future columns):
    series id -> (horizon, f) array. Missing series, timestamps or values are errors."""
    from forecastkit.data.panel_covariates import covariate_columns
    from forecastkit.data.timedetect import time_index
    from forecastkit.data.timeindex import fmt_ts

    cols = list(panel.future)
    id_cols = [series_id] if isinstance(series_id, str) else list(series_id)
    missing = [c for c in id_cols + cols if c not in raw.columns]
    if missing:
        raise DataError(f"{source}: column(s) {missing} not found; the future covariates file needs the series id "
                        f"column(s) {id_cols}, the time column and {cols}")
    ids = raw[id_cols[0]].astype(str).str.strip()
    for c in id_cols[1:]:
        ids = ids.str.cat(raw[c].astype(str).str.strip(), sep="/")
    axis = time_index(raw.drop(columns=id_cols), time)
    index = axis.index.tz_localize(None) if axis.index.tz else axis.index
    values = covariate_columns(raw, ids.to_numpy(), index, cols, source)
    table = pd.DataFrame({SERIES: ids.to_numpy(), "time": index, **values})
    table = table.drop_duplicates([SERIES, "time"], keep="last").set_index([SERIES, "time"])
    last = panel.frame.groupby(SERIES, sort=False)["time"].last()
    out = {}
    for sid, end in last.items():
        want = pd.date_range(end, periods=horizon + 1, freq=panel.freq)[1:]
        keys = pd.MultiIndex.from_arrays([np.full(horizon, sid, dtype=object), want])
        found = keys.isin(table.index)
        if not found.all():
            first = want[int(np.flatnonzero(~found)[0])]
            raise DataError(
                f"{source}: series {sid!r}: no future covariate values for {fmt_ts(first)} "
                f"({int((~found).sum())} of the {horizon} forecast timestamps after {fmt_ts(end)} missing)"
            )
        out[str(sid)] = table.loc[keys, cols].to_numpy(dtype=float)
    return out
