"""Numbers read as the user wrote them: decimal commas, thousands separators, empty columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.data import load_data, prepare_frame
from forecastkit.data.numbers import NumberFormat
from forecastkit.errors import DataError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def daily(values, sep=",", header=("date", "y")):
    dates = pd.date_range("2021-01-01", periods=len(values), freq="D")
    return sep.join(header) + "\n" + "".join(f"{d.date()}{sep}{v}\n" for d, v in zip(dates, values))


DECIMAL_COMMA = daily(["226,01", "227,5", "1.234,75"], sep=";")
THOUSANDS = daily(['"950.25"', '"1,234.50"', '"12,000.00"'])


@pytest.mark.parametrize(
    "text, option, expected",
    [
        pytest.param(DECIMAL_COMMA, "decimal=','", [226.01, 227.5, 1234.75], id="decimal-comma"),
        pytest.param(THOUSANDS, "thousands=','", [950.25, 1234.5, 12000.0], id="thousands"),
    ],
)
def test_separators_are_named_and_their_option_reads_them(tmp_path, text, option, expected):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert option in msg and "onehot" not in msg, msg
    kwargs = {"decimal": ",", "thousands": "."} if "decimal" in option else {"thousands": ","}
    if "decimal" in option:
        assert "thousands='.'" in msg  # 1.234,75 also has a thousands separator
    assert load_data(path, **kwargs)["y"].tolist() == expected


def test_a_separator_that_reads_two_ways_names_both(tmp_path):
    path = write(tmp_path, daily(['"1,234"', '"2,500"', '"950"']))
    with pytest.raises(DataError) as err:
        load_data(path)
    msg = str(err.value)
    assert "thousands=','" in msg and "'1,234' = 1234" in msg
    assert "decimal=','" in msg and "'1,234' = 1.234" in msg


def test_wrongly_grouped_numbers_are_refused_not_guessed(tmp_path):
    path = write(tmp_path, daily(['"1,234.5"', '"12,34.5"', '"2,000.0"', '"3,000.0"']))
    with pytest.raises(DataError, match=r"row 2 value '12,34.5' is not a number"):
        load_data(path, thousands=",")


def test_decimal_option_refuses_points(tmp_path):
    path = write(tmp_path, daily(["1,5", "2.5", "3,5", "4,5"], sep=";"))
    with pytest.raises(DataError, match=r"row 2 value '2.5' is not a number"):
        load_data(path, decimal=",")


def test_onehot_true_never_encodes_numbers_with_separators(tmp_path):
    text = "date;y;x\n" + "".join(f"2021-01-0{d};{d};{d},5\n" for d in range(1, 6))
    with pytest.raises(DataError, match=r"column 'x' holds numbers written like '1,5' \(a decimal comma\)"):
        load_data(write(tmp_path, text), onehot=True)


def test_in_memory_text_columns_use_the_options():
    raw = pd.DataFrame({"date": ["2021-01-01", "2021-01-02", "2021-01-03"], "y": ["1 000,5", "2 000,25", "7,0"]})
    df = prepare_frame(raw, decimal=",", thousands=" ")
    assert df["y"].tolist() == [1000.5, 2000.25, 7.0]


@pytest.mark.parametrize("kwargs", [{"decimal": ";"}, {"decimal": ",", "thousands": ","}, {"thousands": "x"}])
def test_bad_number_options(tmp_path, kwargs):
    with pytest.raises(DataError, match="decimal|thousands"):
        load_data(write(tmp_path, daily([1, 2, 3])), **kwargs)


@given(
    st.lists(st.floats(-1e7, 1e7, allow_nan=False).map(lambda v: round(v, 2)), min_size=3, max_size=20),
    st.sampled_from([(",", "."), (",", " "), (".", ","), (".", "'"), (",", None)]),
)
@settings(max_examples=40, deadline=None)
def test_formatted_numbers_read_back(values, marks):
    """Numbers written with a decimal mark and thousands separator read back as the
    reference float parse of the plain numbers."""
    decimal, thousands = marks

    def written(v: float) -> str:
        plain = f"{v:,.2f}" if thousands else f"{v:.2f}"  # ',' groups, '.' decimal
        return plain.replace(",", "\0").replace(".", decimal).replace("\0", thousands or "")

    text = pd.Series([written(v) for v in values])
    got = NumberFormat(decimal, thousands).to_float(text).to_numpy()
    np.testing.assert_array_equal(got, [float(f"{v:.2f}") for v in values])


# --- empty columns ------------------------------------------------------------------------


def test_an_empty_column_is_called_empty_not_fill(tmp_path):
    text = "date,y,x\n" + "".join(f"2021-01-0{d},{d},\n" for d in range(1, 6))
    with pytest.raises(DataError) as err:
        load_data(write(tmp_path, text))
    msg = str(err.value)
    assert "column 'x' is empty: none of its 5 rows has a value" in msg
    assert "fill=" not in msg and "--features" in msg
    assert load_data(write(tmp_path, text), targets="y", features=[])["y"].tolist() == [1, 2, 3, 4, 5]


def test_an_empty_target_is_called_empty(tmp_path):
    text = "date,y,x\n" + "".join(f"2021-01-0{d},,{d}\n" for d in range(1, 6))
    with pytest.raises(DataError, match="target column 'y' is empty"):
        load_data(write(tmp_path, text), targets="y", fill="interpolate")
