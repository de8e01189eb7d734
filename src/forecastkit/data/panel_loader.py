"""``load_panel``: a long-format panel file, or a shipped competition panel, as a :class:`Panel`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from forecastkit.data.panel import Panel, panel_from_frame
from forecastkit.errors import DataError

__all__ = ["load_panel"]


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
) -> Panel:
    """Load a long-format panel from a CSV/Parquet file or a shipped panel dataset.

    A competition name (``m3-monthly``, ``m3-quarterly``, ``m3-yearly``, ``m3-other``,
    ``m1-monthly``, ``tourism-monthly`` ...) gives each series' full history
    (training then official test period) with ``Panel.test`` holding the test part;
    the other arguments are then optional. Otherwise ``series_id`` and ``target``
    are required; see :func:`panel_from_frame` for the rest.

    Examples
    --------
    >>> panel = load_panel("m3-monthly")  # doctest: +SKIP
    >>> len(panel.series)  # doctest: +SKIP
    1428
    """
    from forecastkit.data.competitions import COMPETITIONS, load_competition

    name = str(source).strip().removesuffix(".csv")
    if not Path(source).expanduser().exists() and name in COMPETITIONS:
        return load_competition(name, min_length=min_length, strict=strict, season_length=season_length)
    from forecastkit.data.datasets import resolve_source
    from forecastkit.data.csvread import read_table

    path, _ = resolve_source(source)
    if series_id is None:
        raise DataError(f"{path}: a panel needs series_id (the column naming each series)")
    if target is None:
        raise DataError(f"{path}: a panel needs target (the value column)")
    raw = read_table(path)
    return panel_from_frame(raw, series_id=series_id, target=target, time=time, freq=freq,
                            season_length=season_length, min_length=min_length, strict=strict,
                            source=str(path))
