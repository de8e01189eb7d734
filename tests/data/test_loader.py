"""load_data / prepare_frame: parsing, selection and every validation error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecastkit.data import load_data, prepare_frame
from forecastkit.errors import DataError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def daily_csv(values, start="2021-03-01", header="date,y"):
    dates = pd.date_range(start, periods=len(values), freq="D")
    lines = [header] + [f"{d.date()},{'' if v is None else v}" for d, v in zip(dates, values)]
    return "\n".join(lines) + "\n"


# --- parsing the time axis ------------------------------------------------------------


def test_monthly_strings_parse_to_month_starts(tmp_path):
    df = load_data(write(tmp_path, "Month,Sales\n2020-01,5\n2020-02,6\n2020-03,7\n2020-04,9\n"))
    assert df.index.name == "Month" and df.index.freqstr == "MS"
    assert df.index[1] == pd.Timestamp("2020-02-01")
    assert df["Sales"].tolist() == [5.0, 6.0, 7.0, 9.0]
    assert df.attrs["source"].endswith("data.csv") and df.attrs["freq"] == "MS"


def test_time_column_detected_by_values(tmp_path):
    df = load_data(
        write(tmp_path, "x,when\n1.5,2021-01-01 00:00\n2.5,2021-01-01 01:00\n3,2021-01-01 02:00\n")
    )
    assert df.index.name == "when" and df.index.freqstr == "h"
    assert list(df.columns) == ["x"]


def test_time_assembled_from_several_columns(tmp_path):
    text = "year,month,day,hour,v\n" + "".join(f"2020,2,28,{h},{h * 2}\n" for h in range(4))
    df = load_data(write(tmp_path, text))
    assert df.index.name == "timestamp" and df.index.freqstr == "h"
    assert df.index[3] == pd.Timestamp("2020-02-28 03:00")
    explicit = load_data(write(tmp_path, text), time=["year", "month", "day", "hour"])
    assert explicit.equals(df)


# --- files rejected with a message that names the problem --------------------------------

# (file text, load_data keyword arguments, pattern the DataError message must match)
REJECTED = [
    # the time axis
    pytest.param(
        "year,month,day,v\n2021,2,27,1\n2021,2,28,2\n2021,2,29,3\n",
        {"time": ["year", "month", "day"]},
        r"row 3 \(year=2021, month=2, day=29\) is not a valid date",
        id="invalid_assembled_date_names_the_row",
    ),
    pytest.param(
        "date,y\n2021-01-01,1\n2021-01-02,2\n2021-01-0x,3\n2021-01-04,4\n",
        {},
        r"time column 'date': row 3 value '2021-01-0x' does not parse",
        id="bad_time_value_names_row_and_value",
    ),
    pytest.param(
        "date,y\n2021-01-01,1\n2021-01-02,2\n01/03/2021,3\n",
        {"time": "date"},
        r"row 3 value '01/03/2021'.*format '%Y-%m-%d'",
        id="mixed_date_formats_are_rejected",
    ),
    pytest.param(
        "a,b\n1,2\n3,4\n5,6\n", {}, r"no time column found among \['a', 'b'\]",
        id="no_time_column_is_reported",
    ),
    pytest.param(
        "2020-01-01,3\n2020-01-02,4\n2020-01-03,5\n2020-01-04,6\n",
        {},
        r"header line looks like data \(column named '2020-01-01'\)",
        id="headerless_file_is_reported",
    ),
    # ordering, duplicates, gaps
    pytest.param(
        "date,y\n2021-01-01,1\n2021-01-02,2\n2021-01-02,2\n2021-01-03,3\n2021-01-03,4\n",
        {},
        r"2 duplicate timestamp\(s\); first: 2021-01-02, 2021-01-03",
        id="duplicate_timestamps_are_named",
    ),
    pytest.param(
        "month,y\n2020-01,1\n2020-02,2\n2020-04,4\n2020-05,5\n",
        {},
        r"1 missing timestamp\(s\) in the 'MS' index; first gap: 2020-03-01",
        id="monthly_gap_is_found",
    ),
    # missing, infinite and too few values
    pytest.param(
        "date,a,b\n2021-01-01,1,\n2021-01-02,,2\n2021-01-03,3,\n2021-01-04,4,4\n",
        {},
        r"missing values \(NaN\) in a: 1 \(first at 2021-01-02\), "
        r"b: 2 \(first at 2021-01-01\)",
        id="nan_values_are_counted_per_column",
    ),
    pytest.param(
        daily_csv([1, "inf", 3]), {"fill": "interpolate"}, r"infinite values in y: 1",
        id="infinite_values_are_rejected",
    ),
    pytest.param(daily_csv([1, 2]), {}, r"only 2 row\(s\); at least 3", id="fewer_than_three_rows"),
    # unreadable layouts
    pytest.param("date,y\n", {}, r"has a header \(date, y\) but no data rows", id="header_only"),
    pytest.param(
        daily_csv([1, 2, 3]).replace(",", "|"),
        {},
        r"single column 'date\|y': its lines look separated by '\|'",
        id="other_separators_are_named",
    ),
]


@pytest.mark.parametrize("text, kwargs, match", REJECTED)
def test_rejected_file_names_the_problem(tmp_path, text, kwargs, match):
    with pytest.raises(DataError, match=match):
        load_data(write(tmp_path, text), **kwargs)


# --- column selection -------------------------------------------------------------------


def test_targets_first_then_features(tmp_path):
    text = "date,a,b,c\n" + "".join(f"2021-01-0{i},{i},{i * 10},{i * 100}\n" for i in range(1, 5))
    path = write(tmp_path, text)
    assert list(load_data(path, targets="c").columns) == ["c", "a", "b"]
    assert list(load_data(path, targets="c", features=["a"]).columns) == ["c", "a"]
    assert list(load_data(path, targets=["b"], features=[]).columns) == ["b"]
    assert list(load_data(path, features=["b", "a"]).columns) == ["b", "a"]


def test_unknown_column_lists_available(tmp_path):
    path = write(tmp_path, daily_csv([1, 2, 3]))
    with pytest.raises(DataError, match=r"unknown target column\(s\) \['pm'\]; available: \['y'\]"):
        load_data(path, targets="pm")
    with pytest.raises(
        DataError, match=r"unknown feature column\(s\) \['date'\] \(the time column\)"
    ):
        load_data(path, features=["date"])


def test_non_numeric_feature_needs_onehot(tmp_path):
    text = "date,y,wind\n2021-01-01,1,NW\n2021-01-02,2,SE\n2021-01-03,3,NW\n2021-01-04,4,cv\n"
    path = write(tmp_path, text)
    with pytest.raises(
        DataError,
        match=r"column 'wind' is not numeric \(values like 'NW', 'SE'\); "
        r"pass onehot=\['wind'\] / --onehot wind or drop it",
    ):
        load_data(path)
    df = load_data(path, onehot=["wind"])
    assert list(df.columns) == ["y", "wind_NW", "wind_SE", "wind_cv"]
    assert df.dtypes.eq("float64").all()
    assert df["wind_NW"].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert load_data(path, onehot=True).equals(df)


def test_non_numeric_target_is_always_rejected(tmp_path):
    text = "date,y,wind\n2021-01-01,1,NW\n2021-01-02,2,SE\n2021-01-03,3,NW\n"
    path = write(tmp_path, text)
    for onehot in (False, True, ["wind"]):
        with pytest.raises(DataError, match=r"target column 'wind' is not numeric"):
            load_data(path, targets="wind", onehot=onehot)


# --- ordering, duplicates, gaps ---------------------------------------------------------


def test_unsorted_timestamps_are_sorted_with_a_warning(tmp_path):
    text = "date,y\n2021-01-01,1\n2021-01-03,3\n2021-01-02,2\n2021-01-04,4\n"
    path = write(tmp_path, text)
    with pytest.warns(
        UserWarning, match=r"not sorted \(row 3 \(2021-01-02\) comes after 2021-01-03\)"
    ):
        df = load_data(path)
    assert df["y"].tolist() == [1.0, 2.0, 3.0, 4.0] and df.index.freqstr == "D"
    with pytest.raises(DataError, match=r"timestamps are not sorted: row 3 \(2021-01-02\)"):
        load_data(path, sort=False)


def test_gaps_are_reported_with_count_and_first_gap(tmp_path):
    text = "date,y\n2021-01-01,1\n2021-01-02,2\n2021-01-05,5\n2021-01-06,6\n2021-01-08,8\n"
    path = write(tmp_path, text)
    with pytest.raises(
        DataError,
        match=r"3 missing timestamp\(s\) in the 'D' index; first gap: "
        r"2021-01-03 missing \(between 2021-01-02 and 2021-01-05\)",
    ):
        load_data(path)
    df = load_data(path, fill="interpolate")
    assert df.index.freqstr == "D" and len(df) == 8
    assert df["y"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    assert df.attrs["filled"]["timestamps_added"] == 3
    assert load_data(path, fill="ffill")["y"].tolist() == [1, 2, 2, 2, 5, 6, 6, 8]


def test_irregular_timestamps_need_resample(tmp_path):
    text = "t,y\n2021-01-01 00:00,1\n2021-01-01 00:07,2\n2021-01-01 00:31,3\n2021-01-01 01:10,4\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"timestamps are irregular.*resample="):
        load_data(path)
    df = load_data(path, resample="h", agg="sum")
    assert df["y"].tolist() == [6.0, 4.0] and df.index.freqstr == "h"


# --- missing and infinite values ----------------------------------------------------------


def test_interpolate_fills_interior_but_not_leading(tmp_path):
    path = write(tmp_path, daily_csv([1, None, 5, None, None, 11]))
    df = load_data(path, fill="interpolate")
    assert df["y"].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
    assert df.attrs["filled"]["values_filled"] == {"y": 3}
    lead = write(tmp_path, daily_csv([None, None, 5, 6, 7]), "lead.csv")
    with pytest.raises(
        DataError,
        match=r"column 'y' starts with 2 missing value\(s\) \(until "
        r"2021-03-02\).*use fill='drop-leading'",
    ):
        load_data(lead, fill="interpolate")
    trail = write(tmp_path, daily_csv([1, 2, 3, None]), "trail.csv")
    with pytest.raises(DataError, match=r"ends with 1 missing value\(s\) \(from 2021-03-04\)"):
        load_data(trail, fill="interpolate")


def test_ffill_carries_forward_and_rejects_leading(tmp_path):
    df = load_data(write(tmp_path, daily_csv([1, None, 5, None])), fill="ffill")
    assert df["y"].tolist() == [1.0, 1.0, 5.0, 5.0]
    with pytest.raises(DataError, match=r"starts with 1 missing value.*fill='ffill'"):
        load_data(write(tmp_path, daily_csv([None, 2, 3, 4]), "b.csv"), fill="ffill")


def test_drop_leading_then_interpolates(tmp_path):
    text = (
        "date,a,b\n2021-01-01,,1\n2021-01-02,2,\n2021-01-03,3,3\n"
        "2021-01-04,,4\n2021-01-05,5,5\n2021-01-06,6,6\n"
    )
    df = load_data(write(tmp_path, text), fill="drop-leading")
    assert df.index[0] == pd.Timestamp("2021-01-03") and df.index.freqstr == "D"
    assert df["a"].tolist() == [3.0, 4.0, 5.0, 6.0]
    assert df.attrs["filled"]["rows_dropped"] == 2


def test_unknown_options_are_named(tmp_path):
    path = write(tmp_path, daily_csv([1, 2, 3]))
    with pytest.raises(DataError, match=r"unknown fill policy 'zero'"):
        load_data(path, fill="zero")
    with pytest.raises(DataError, match=r"unknown aggregation 'avg'"):
        load_data(path, resample="W", agg="avg")
    with pytest.raises(DataError, match=r"resample='fortnight' is not a pandas frequency"):
        load_data(path, resample="fortnight")
    with pytest.raises(DataError, match=r"resample='h' is finer than the data's frequency 'D'"):
        load_data(path, resample="h")


def test_resample_aggregations(tmp_path):
    hours = pd.date_range("2021-01-01", periods=48, freq="h")
    text = "t,y\n" + "".join(f"{t},{i}\n" for i, t in enumerate(hours))
    path = write(tmp_path, text)
    assert load_data(path, resample="D")["y"].tolist() == [11.5, 35.5]
    assert load_data(path, resample="D", agg="max")["y"].tolist() == [23.0, 47.0]
    assert load_data(path, resample="D", agg="sum")["y"].tolist() == [276.0, 852.0]


# --- unreadable files ---------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"file not found: .*nope.csv; give a CSV path"):
        load_data(tmp_path / "nope.csv")


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match=r"empty.csv is empty"):
        load_data(write(tmp_path, "", "empty.csv"))


def test_binary_garbage(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    with pytest.raises(DataError, match=r"not a CSV text file"):
        load_data(write(tmp_path, png, "image.csv"))


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(DataError, match=r"is a directory"):
        load_data(tmp_path)


def test_latin1_file_is_read(tmp_path):
    text = "date,temp \xb0C\n2021-01-01,1\n2021-01-02,2\n2021-01-03,3\n"
    df = load_data(write(tmp_path, text.encode("latin-1")))
    assert list(df.columns) == ["temp \xb0C"]


def test_semicolon_separated_file_is_read(tmp_path):
    df = load_data(write(tmp_path, "date;v\n2021-01-01;1\n2021-01-02;2\n2021-01-03;3\n"))
    assert df["v"].tolist() == [1.0, 2.0, 3.0]


def test_numeric_year_column_as_explicit_time(tmp_path):
    df = load_data(write(tmp_path, "year,v\n2021,1\n2022,2\n2023,3\n"), time="year")
    assert df.index.freqstr == "YS-JAN" and df.index[0] == pd.Timestamp("2021-01-01")


# --- in-memory frames ----------------------------------------------------------------------


def test_prepare_frame_uses_an_existing_datetime_index(make_series):
    raw = make_series(24, columns=("a", "b")).copy()
    raw.index.freq = None
    out = prepare_frame(raw, targets="b")
    assert list(out.columns) == ["b", "a"] and out.index.freqstr == "MS"
    assert out.attrs == {"source": "<frame>", "freq": "MS"}


def test_prepare_frame_object_numbers_and_bools():
    raw = pd.DataFrame(
        {
            "d": ["2021-01-01", "2021-01-02", "2021-01-03"],
            "o": pd.Series([1, 2.5, 3], dtype=object),
            "flag": [True, False, True],
        }
    )
    out = prepare_frame(raw)
    assert out["o"].tolist() == [1.0, 2.5, 3.0] and out["flag"].tolist() == [1.0, 0.0, 1.0]


# --- an expected frequency, stray text, other separators ---------------------------------


def test_expected_freq_accepts_short_files_and_checks_the_grid(tmp_path):
    one = load_data(write(tmp_path, "month,promo\n2003-01,1\n"), freq="MS")
    assert one.index.freqstr == "MS" and one["promo"].tolist() == [1.0]
    two = load_data(write(tmp_path, "month,promo\n2003-01,1\n2003-02,0\n"), freq="MS")
    assert list(two.index) == [pd.Timestamp("2003-01-01"), pd.Timestamp("2003-02-01")]
    with pytest.raises(DataError, match=r"timestamp 2003-01-15 is not on the expected 'MS' grid"):
        load_data(write(tmp_path, "day,promo\n2003-01-15,1\n2003-02-15,0\n"), time="day", freq="MS")
    with pytest.raises(DataError, match=r"1 missing timestamp\(s\) in the 'MS' index; first gap: 2003-02-01"):
        load_data(write(tmp_path, "month,promo\n2003-01,1\n2003-03,0\n"), freq="MS")
    with pytest.raises(DataError, match=r"freq='fortnightly' is not a pandas frequency alias"):
        load_data(write(tmp_path, daily_csv([1, 2, 3])), freq="fortnightly")
    with pytest.raises(DataError, match=r"only 2 row\(s\); at least 3"):
        load_data(write(tmp_path, "month,promo\n2003-01,1\n2003-02,0\n"))


def test_stray_text_in_a_numeric_column_names_row_and_value(tmp_path):
    path = write(tmp_path, daily_csv([1, 2, "n/a?", 4, 5], header="date,y"))
    with pytest.raises(DataError, match=r"data\.csv: target column 'y': row 3 value 'n/a\?' is not a number"):
        load_data(path, targets="y")
    # a feature with a typo is reported, not one-hot encoded into a column per number
    text = "date,y,x\n2021-01-01,1,1.5\n2021-01-02,2,2.5\n2021-01-03,3,3.0x\n2021-01-04,4,4.5\n"
    with pytest.raises(DataError, match=r"column 'x': row 3 value '3\.0x' is not a number \(1 such value"):
        load_data(write(tmp_path, text), onehot=True)


def test_messages_name_the_file(tmp_path):
    text = "date,y\n2021-01-01,1\n2021-01-02,2\n2021-01-02,3\n2021-01-03,4\n"
    with pytest.raises(DataError, match=r"data\.csv: 1 duplicate timestamp\(s\); first: 2021-01-02 \(rows 2, 3 share"):
        load_data(write(tmp_path, text))
    with pytest.raises(DataError, match=r"data\.csv: unknown target column\(s\) \['z'\]"):
        load_data(write(tmp_path, daily_csv([1, 2, 3])), targets="z")


# --- fuzz: anything the loader is given either loads or raises DataError -----------------

_cells = st.sampled_from(
    [
        "",
        "1",
        "2.5",
        "-3",
        "NA",
        "nan",
        "inf",
        "x",
        "NW",
        "2021-01-01",
        "2021-01-02",
        "2021-02",
        "1949-01",
        "12:00",
        '"',
        ",",
        "\n",
        ";",
        " ",
    ]
)


@st.composite
def near_valid_rows(draw):
    """Mostly well-formed daily/monthly/hourly rows with random defects."""
    n = draw(st.integers(0, 10))
    freq = draw(st.sampled_from(["D", "MS", "h"]))
    stamps = pd.date_range("2020-01-01", periods=n, freq=freq)
    fmt = {"D": "%Y-%m-%d", "MS": "%Y-%m", "h": "%Y-%m-%d %H:%M"}[freq]
    times = [t.strftime(fmt) for t in stamps]
    rows = [[t, draw(st.one_of(_cells, st.floats(-1e3, 1e3).map(str)))] for t in times]
    if rows and draw(st.booleans()):  # a defect: drop, duplicate or swap a row, or garble a cell
        i = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["drop", "dup", "swap", "cell"]))
        if kind == "drop":
            del rows[i]
        elif kind == "dup":
            rows.insert(i, list(rows[i]))
        elif kind == "swap":
            rows[i], rows[-1] = rows[-1], rows[i]
        else:
            rows[i][draw(st.integers(0, 1))] = draw(_cells)
    return [["date", "y"]] + rows


@st.composite
def csv_bytes(draw):
    mode = draw(st.sampled_from(["binary", "cells", "near-valid"]))
    if mode == "binary":
        return draw(st.binary(max_size=200))
    if mode == "near-valid":
        lines = draw(near_valid_rows())
    else:
        n_cols = draw(st.integers(1, 4))
        header = draw(
            st.lists(
                st.sampled_from(["date", "y", "Month", "x", "", "year", "month", "day"]),
                min_size=n_cols,
                max_size=n_cols,
            )
        )
        rows = draw(st.lists(st.lists(_cells, min_size=n_cols, max_size=n_cols), max_size=8))
        lines = [header] + rows
    sep = draw(st.sampled_from([",", ",", ",", ";", "\t", "|"]))
    text = "\n".join(sep.join(r) for r in lines)
    return text.encode(
        draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"])), errors="replace"
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=csv_bytes(),
    fill=st.sampled_from([None, "interpolate", "ffill", "drop-leading"]),
    resample=st.sampled_from([None, "D"]),
    freq=st.sampled_from([None, None, "D", "MS", "h"]),
)
def test_fuzz_loader_returns_or_raises_data_error(tmp_path, data, fill, resample, freq):
    path = write(tmp_path, data, "fuzz.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            df = load_data(path, fill=fill, resample=resample, onehot=True, freq=freq)
        except DataError:
            return
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.freq is not None
    assert df.index.is_monotonic_increasing and not df.index.has_duplicates
    assert np.isfinite(df.to_numpy()).all()
