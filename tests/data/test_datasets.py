"""The shipped datasets: lookup, loading with their documented defaults, listing."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecastkit.data import DATASETS, list_datasets, load_data, load_dataset, resolve_source
from forecastkit.data.datasets import dataset_path
from forecastkit.errors import DataError


def test_airline_is_monthly_with_144_rows(airline):
    assert len(airline) == 144
    assert airline.index.freqstr == "MS" and airline.attrs["freq"] == "MS"
    assert airline.attrs["source"] == "airline-passengers"
    assert airline.index.name == "Month"
    assert list(airline.columns) == ["Passengers"]
    assert airline.index[0] == pd.Timestamp("1949-01-01")
    assert airline.index[-1] == pd.Timestamp("1960-12-01")
    assert airline["Passengers"].iloc[:3].tolist() == [112.0, 118.0, 132.0]


def test_temperatures_file_lacks_two_new_years_eves():
    """The file has 3650 rows for 3652 days: 1984-12-31 and 1988-12-31 are missing."""
    raw = pd.read_csv(dataset_path("daily-min-temperatures"))
    assert len(raw) == 3650
    with pytest.raises(DataError, match=r"2 missing timestamp\(s\).*first gap: 1984-12-31 missing"):
        load_data("daily-min-temperatures", fill="none")


def test_temperatures_default_fill_is_announced():
    with pytest.warns(UserWarning, match=r"1984-12-31, 1988-12-31\) filled by 'interpolate'"):
        df = load_data("daily-min-temperatures")
    assert len(df) == 3652 and df.index.freqstr == "D"
    assert df.attrs["filled"]["timestamps_added"] == 2
    # Interpolated halfway between Dec 30 and Jan 1.
    day = df["Temp"]
    assert day["1984-12-31"] == pytest.approx((day["1984-12-30"] + day["1985-01-01"]) / 2)


def test_temperatures_explicit_fill_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = load_dataset("daily-min-temperatures", fill="ffill")
    assert df.loc["1988-12-31", "Temp"] == df.loc["1988-12-30", "Temp"]


def test_pollution_is_hourly_with_43824_rows():
    df = load_data("pollution", targets="TEMP", features=["DEWP", "PRES"])
    assert len(df) == 43824 and df.index.freqstr == "h"
    assert df.index.name == "timestamp"
    assert df.index[0] == pd.Timestamp("2010-01-01 00:00")
    assert df.index[-1] == pd.Timestamp("2014-12-31 23:00")
    assert list(df.columns) == ["TEMP", "DEWP", "PRES"]


def test_pollution_default_columns_skip_the_row_counter_and_need_onehot():
    with pytest.raises(DataError, match=r"column 'cbwd' is not numeric \(values like 'NW'"):
        load_data("pollution")
    with pytest.raises(DataError, match=r"pm2.5: 2067 \(first at 2010-01-01\)"):
        load_data("pollution", onehot=["cbwd"])


def test_pollution_daily_with_drop_leading_and_onehot():
    df = load_data("pollution", targets="pm2.5", onehot=["cbwd"], fill="drop-leading", resample="D")
    assert list(df.columns) == [
        "pm2.5",
        "DEWP",
        "TEMP",
        "PRES",
        "cbwd_NE",
        "cbwd_NW",
        "cbwd_SE",
        "cbwd_cv",
        "Iws",
        "Is",
        "Ir",
    ]
    # The first day (all 24 pm2.5 values missing) is dropped; 2010-01-02 .. 2014-12-31 remain.
    assert df.index[0] == pd.Timestamp("2010-01-02") and len(df) == 1825
    assert df.index.freqstr == "D" and df.attrs["freq"] == "D"
    assert df.attrs["filled"]["rows_dropped"] == 24
    assert not df.isna().any().any()
    wind = df[["cbwd_NE", "cbwd_NW", "cbwd_SE", "cbwd_cv"]]
    np.testing.assert_allclose(wind.sum(axis=1), 1.0)  # daily shares of each wind direction
    raw = pd.read_csv(dataset_path("pollution"))
    day = raw[(raw.year == 2010) & (raw.month == 1) & (raw.day == 2)]
    assert df.loc["2010-01-02", "pm2.5"] == pytest.approx(day["pm2.5"].mean())


def test_resolve_source_accepts_names_with_and_without_csv(tmp_path):
    for name in DATASETS:
        path, info = resolve_source(name)
        assert path.is_file() and info is DATASETS[name]
        assert resolve_source(name + ".csv")[1] is DATASETS[name]
    own = tmp_path / "mine.csv"
    own.write_text("date,y\n2020-01-01,1\n")
    assert resolve_source(own) == (own, None)


def test_unknown_source_lists_shipped_datasets():
    with pytest.raises(
        DataError,
        match=r"file not found: nope.csv; give a CSV path or one of the "
        r"shipped datasets: airline-passengers, daily-min",
    ):
        resolve_source("nope.csv")
    with pytest.raises(DataError, match=r"unknown dataset 'airline'"):
        load_dataset("airline")


def test_list_datasets_reads_the_files():
    table = list_datasets()
    assert list(table.columns)[:6] == ["name", "rows", "columns", "frequency", "start", "end"]
    rows = table.set_index("name")
    assert rows.loc["airline-passengers", "rows"] == 144
    assert rows.loc["daily-min-temperatures", "rows"] == 3650
    assert rows.loc["pollution", "rows"] == 43824
    assert rows["frequency"].to_dict() == {
        "airline-passengers": "MS",
        "daily-min-temperatures": "D",
        "pollution": "h",
        **{f"{c}-{k}": f for c in ("m3", "m1", "tourism") for k, f in
           (("monthly", "MS"), ("quarterly", "QS"), ("yearly", "YS"), ("other", "D"))
           if (c, k) != ("m1", "other") and (c, k) != ("tourism", "other")},
    }
    assert rows.loc["m3-monthly", "columns"] == "value (1428 series, panel; official h=18)"
    assert rows.loc["m3-monthly", "rows"] == 167562  # 1428 series, training + test parts
    assert rows.loc["pollution", "start"] == pd.Timestamp("2010-01-01")
    assert rows.loc["daily-min-temperatures", "end"] == pd.Timestamp("1990-12-31")
    assert "No" not in rows.loc["pollution", "columns"].split(", ")
    assert "1984-12-31" in rows.loc["daily-min-temperatures", "missing"]
    assert "pm2.5: 2067" in rows.loc["pollution", "missing"]
