"""Dates read as the user meant: day/month order, month labels, years, time zones."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.data import load_data, prepare_frame
from forecastkit.errors import DataError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(stamps, header="date,y"):
    return header + "\n" + "".join(f"{s},{i}\n" for i, s in enumerate(stamps))


# dd/mm/yyyy monthly rows whose days are all <= 12: both orders parse
DDMM_MONTHLY = rows([f"01/{m:02d}/2020" for m in range(1, 13)])


# --- day / month order ----------------------------------------------------------------


def test_ambiguous_day_month_is_refused_naming_both_readings(tmp_path):
    with pytest.raises(DataError) as err:
        load_data(write(tmp_path, DDMM_MONTHLY))
    msg = str(err.value)
    assert "'%m/%d/%Y': 2020-01-01, 2020-01-02, 2020-01-03" in msg  # month first: days
    assert "'%d/%m/%Y': 2020-01-01, 2020-02-01, 2020-03-01" in msg  # day first: months
    assert "dayfirst=True" in msg and "date_format='%d/%m/%Y'" in msg
    assert "fill" not in msg and "\n" not in msg


@pytest.mark.parametrize("how", [{"dayfirst": True}, {"date_format": "%d/%m/%Y"}])
def test_day_first_options_read_monthly_rows(tmp_path, how):
    df = load_data(write(tmp_path, DDMM_MONTHLY), **how)
    assert df.index.freqstr == "MS" and len(df) == 12
    assert df.index[1] == pd.Timestamp("2020-02-01") and df["y"].iloc[1] == 1.0


def test_month_first_option_reads_days(tmp_path):
    df = load_data(write(tmp_path, DDMM_MONTHLY), dayfirst=False)
    assert df.index.freqstr == "D" and df.index[-1] == pd.Timestamp("2020-01-12")


def test_a_day_above_12_settles_the_order(tmp_path):
    text = rows([f"{d:02d}/01/2020" for d in range(1, 20)])  # 13/01/2020 only reads day first
    df = load_data(write(tmp_path, text))
    assert df.index.freqstr == "D" and df.index[12] == pd.Timestamp("2020-01-13")


def test_dates_without_a_four_digit_year_are_checked_too(tmp_path):
    path = write(tmp_path, rows(["1/2/20", "1/3/20", "1/4/20", "1/5/20"]))
    with pytest.raises(DataError, match=r"read two ways: month first \(2020-01-02.*day first \(2020-02-01"):
        load_data(path, time="date")
    assert load_data(path, time="date", dayfirst=True).index[1] == pd.Timestamp("2020-03-01")


@given(st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2030-01-01").date()),
       st.integers(3, 40), st.sampled_from(["D", "MS"]))
@settings(max_examples=30, deadline=None)
def test_iso_dates_are_never_ambiguous(start, n, freq):
    index = pd.date_range(start, periods=n, freq=freq)
    raw = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "y": range(n)})
    df = prepare_frame(raw)
    assert df.index.equals(pd.DatetimeIndex(index, name="date"))


def test_date_format_is_required_of_every_row(tmp_path):
    with pytest.raises(DataError, match=r"row 2 value '2020-02-01' does not match date_format '%d/%m/%Y'"):
        load_data(write(tmp_path, rows(["01/01/2020", "2020-02-01", "01/03/2020"])), date_format="%d/%m/%Y")


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"date_format": "%d/%m/%Y", "dayfirst": True}, "not both"),
        ({"date_format": "dd/mm/yyyy"}, "not a date format"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
    ],
)
def test_bad_date_options(tmp_path, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        load_data(write(tmp_path, DDMM_MONTHLY), **kwargs)


def test_gaps_from_a_misread_format_never_suggest_fill(tmp_path):
    # A monthly file written year-day-month: read as January 1st..12th of each year.
    stamps = [f"{y}-01-{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
    path = write(tmp_path, rows(stamps))
    for fill in (None, "interpolate"):
        with pytest.raises(DataError) as err:
            load_data(path, fill=fill)
        msg = str(err.value)
        assert "day and month swapped" in msg and "date_format='%Y-%m-%d'" not in msg
        assert "date_format='%Y-%d-%m'" in msg and "fill=" not in msg
    df = load_data(path, date_format="%Y-%d-%m")
    assert df.index.freqstr == "MS" and len(df) == 24


# --- month labels, years and time-like names ----------------------------------------------

SHAMPOO = "Month,Sales\n" + "".join(f"{y}-{m:02d},{100 + 12 * y + m}\n" for y in (1, 2, 3) for m in range(1, 13))


def test_month_labels_without_a_year_are_refused_naming_the_format(tmp_path):
    path = write(tmp_path, SHAMPOO)
    for fill in (None, "interpolate"):
        with pytest.raises(DataError) as err:
            load_data(path, fill=fill)
        msg = str(err.value)
        assert "'1-01', '1-02' are month labels without a four-digit year (year 1..3" in msg
        assert "date_format='N-%m'" in msg and "fill" not in msg


def test_month_labels_read_with_the_year_number_format(tmp_path):
    df = load_data(write(tmp_path, SHAMPOO), date_format="N-%m")
    assert df.index.freqstr == "MS" and len(df) == 36
    assert df.index[0] == pd.Timestamp("1901-01-01") and df.index[13] == pd.Timestamp("1902-02-01")
    assert df["Sales"].iloc[13] == 100 + 24 + 2


def test_year_number_format_checks_rows(tmp_path):
    with pytest.raises(DataError, match=r"row 2 value '1-13' does not match date_format 'N-%m'"):
        load_data(write(tmp_path, "Month,Sales\n1-12,1\n1-13,2\n2-01,3\n"), date_format="N-%m")


def test_integer_years_give_a_yearly_index(tmp_path):
    df = load_data(write(tmp_path, "Year,Water\n" + "".join(f"{y},{y % 7}\n" for y in range(1885, 1900))))
    assert df.index.name == "Year" and df.index.freqstr.startswith("YS")
    assert df.index[1] == pd.Timestamp("1886-01-01") and list(df.columns) == ["Water"]


def test_unnamed_first_column_of_years_is_the_time_axis(tmp_path):
    df = load_data(write(tmp_path, "yr,level\n" + "".join(f"{y},{y - 1900}\n" for y in range(1901, 1911))))
    assert df.index.name == "yr" and len(df) == 10


def test_an_increasing_value_column_is_not_taken_for_years(tmp_path):
    with pytest.raises(DataError, match="no time column found"):
        load_data(write(tmp_path, "count,total\n5,1200\n6,1350\n7,1420\n"))


@pytest.mark.parametrize("name", ["ds", "Week", "period", "Timestamp", "DAY", "Year"])
def test_time_like_names_are_recognised(tmp_path, name):
    # years in a second column are found by the name alone
    text = f"value,{name}\n" + "".join(f"{i},{2001 + i}\n" for i in range(5))
    df = load_data(write(tmp_path, text))
    assert df.index.name == name and df.index[1] == pd.Timestamp("2002-01-01")


def test_ds_matches_only_as_the_whole_name(tmp_path):
    with pytest.raises(DataError, match="no time column found"):
        load_data(write(tmp_path, "value,odds\n" + "".join(f"{i},{2001 + i}\n" for i in range(5))))


def test_year_and_month_columns_are_assembled(tmp_path):
    text = "Year,Month,v\n" + "".join(f"{2020 + k // 12},{k % 12 + 1},{k}\n" for k in range(15))
    df = load_data(write(tmp_path, text))
    assert df.index.freqstr == "MS" and df.index[12] == pd.Timestamp("2021-01-01")


# --- time zones --------------------------------------------------------------------------

BERLIN = pd.date_range("2021-03-27 22:00", periods=8, freq="h", tz="Europe/Berlin")


def test_changing_utc_offsets_are_converted_to_utc_and_recorded(tmp_path):
    path = write(tmp_path, rows([t.isoformat() for t in BERLIN], "time,y"))
    with pytest.warns(UserWarning, match=r"UTC offset .* changes \(\+01:00, \+02:00.*converted to UTC"):
        df = load_data(path)
    assert str(df.index.tz) == "UTC" and df.index.freqstr == "h" and len(df) == 8
    assert df.index[4] == pd.Timestamp("2021-03-28 01:00", tz="UTC")  # 03:00+02:00
    assert df.attrs["filled"]["timezone"] == {"to": "UTC", "offsets": ["+01:00", "+02:00"]}


def test_timezone_option_converts_to_a_named_zone(tmp_path):
    path = write(tmp_path, rows([t.isoformat() for t in BERLIN], "time,y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = load_data(path, timezone="Europe/Berlin")
    assert df.index.equals(pd.DatetimeIndex(BERLIN, name="time"))
    assert df.attrs["filled"]["timezone"]["to"] == "Europe/Berlin"


def test_timezone_option_localises_naive_times(tmp_path):
    naive = pd.date_range("2021-06-01", periods=5, freq="h")
    df = load_data(write(tmp_path, rows(naive.strftime("%Y-%m-%d %H:%M"), "time,y")), timezone="America/New_York")
    assert df.index[0] == pd.Timestamp("2021-06-01 04:00", tz="UTC")


def test_ambiguous_local_times_are_refused(tmp_path):
    stamps = ["2021-10-31 01:00", "2021-10-31 02:00", "2021-10-31 02:00", "2021-10-31 03:00"]
    with pytest.raises(DataError, match="2021-10-31 02:00:00 is ambiguous or does not exist in Europe/Berlin"):
        load_data(write(tmp_path, rows(stamps, "time,y")), timezone="Europe/Berlin")
