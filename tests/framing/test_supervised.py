"""series_to_supervised / make_windows against a plain-loop reference and the tutorial."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.errors import DataError, ForecastkitTypeError
from forecastkit.framing import supervised
from forecastkit.framing.supervised import make_windows, series_to_supervised


def views_always():
    """Build every table from views (normally only large ones are)."""
    return mock.patch.object(supervised, "_VIEW_MIN_CELLS", 0)


def reference_table(values, names, n_in, n_out, targets, features, dropnan):
    """Plain-Python loop over forecast origins t (the documented convention)."""
    n = len(values)
    rows, origins = [], []
    for t in range(n):
        row = []
        for lag in range(n_in - 1, -1, -1):
            for f in features:
                j = names.index(f)
                row.append(values[t - lag][j] if t - lag >= 0 else np.nan)
        for step in range(1, n_out + 1):
            for y in targets:
                j = names.index(y)
                row.append(values[t + step][j] if t + step < n else np.nan)
        complete = t - (n_in - 1) >= 0 and t + n_out < n
        if complete or not dropnan:
            rows.append(row)
            origins.append(t)
    columns = []
    for lag in range(n_in - 1, -1, -1):
        columns += [f"{f}(t)" if lag == 0 else f"{f}(t-{lag})" for f in features]
    for step in range(1, n_out + 1):
        columns += [f"{y}(t+{step})" for y in targets]
    return np.array(rows, dtype=float).reshape(len(rows), len(columns)), columns, origins


@st.composite
def framing_case(draw):
    n_feat = draw(st.integers(1, 4))
    n_in = draw(st.integers(1, 5))
    n_out = draw(st.integers(0, 4))
    n_rows = draw(st.integers(n_in + n_out, n_in + n_out + 12))
    names = [f"c{i}" for i in range(n_feat)]
    targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_feat, unique=True))
    features = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_feat, unique=True))
    values = np.arange(n_rows * n_feat, dtype=float).reshape(n_rows, n_feat) * 1.5 + draw(
        st.floats(-100, 100, allow_nan=False)
    )
    return values, names, n_in, n_out, targets, features, draw(st.booleans())


@settings(max_examples=100, deadline=None)
@given(framing_case(), st.booleans())
def test_series_to_supervised_matches_loop_reference(case, views):
    values, names, n_in, n_out, targets, features, dropnan = case
    index = pd.date_range("2001-01-01", periods=len(values), freq="D")
    df = pd.DataFrame(values, columns=names, index=index)
    with views_always() if views else mock.patch.object(supervised, "_VIEW_MIN_CELLS", 1 << 22):
        table = series_to_supervised(
            df, n_in, n_out, targets=targets, features=features, dropnan=dropnan
        )
    expected, columns, origins = reference_table(
        values, names, n_in, n_out, targets, features, dropnan
    )
    assert list(table.columns) == columns
    np.testing.assert_array_equal(table.to_numpy(), expected)
    assert table.index.equals(index[origins])
    if dropnan:
        assert len(table) == len(values) - n_in - n_out + 1
    else:
        assert len(table) == len(values)


@settings(max_examples=60, deadline=None)
@given(framing_case())
def test_make_windows_equal_table_rows(case):
    values, names, n_in, n_out, targets, features, _ = case
    df = pd.DataFrame(values, columns=names)
    table = series_to_supervised(df, n_in, n_out, targets=targets, features=features)
    X, Y, origins = make_windows(
        df, n_in, n_out, targets=targets, features=features, return_index=True
    )
    n_samples = len(values) - n_in - n_out + 1
    assert X.shape == (n_samples, n_in, len(features))
    assert Y.shape == (n_samples, n_out, len(targets))
    n_x = n_in * len(features)
    for i in range(n_samples):
        np.testing.assert_array_equal(X[i].ravel(), table.iloc[i, :n_x].to_numpy())
        np.testing.assert_array_equal(Y[i].ravel(), table.iloc[i, n_x:].to_numpy())
    assert origins.equals(table.index)


def test_make_windows_are_views_of_contiguous_columns():
    values = np.random.default_rng(0).normal(size=(50, 4))
    X, Y = make_windows(values, n_in=5, n_out=3)
    assert np.shares_memory(X, values) and np.shares_memory(Y, values)
    assert not X.flags.writeable
    X, Y = make_windows(values, n_in=5, n_out=3, targets=["var2"], features=["var2", "var3"])
    assert np.shares_memory(X, values) and np.shares_memory(Y, values)
    np.testing.assert_array_equal(
        Y[:, :, 0], np.stack([values[5 + i : 8 + i, 1] for i in range(43)])
    )


def test_make_windows_shares_memory_with_a_float_frame():
    df = pd.DataFrame(np.random.default_rng(1).normal(size=(40, 3)), columns=list("abc"))
    X, _ = make_windows(df, n_in=4, n_out=2)
    assert np.shares_memory(X, df.to_numpy())


NEEDS_COW = pytest.mark.skipif(int(pd.__version__.split(".")[0]) < 3,
                               reason="column views need pandas' copy-on-write, the default from pandas 3")


@NEEDS_COW
def test_large_table_columns_are_views_protected_by_copy_on_write():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) * 2})
    with views_always():
        table = series_to_supervised(df, n_in=3, n_out=2)
    assert np.shares_memory(table["a(t)"].to_numpy(), df["a"].to_numpy())
    before = table.to_numpy().copy()
    df.iloc[5, 0] = -1.0  # editing the input afterwards leaves the table unchanged
    np.testing.assert_array_equal(table.to_numpy(), before)


def test_array_input_is_not_aliased():
    for patch in (views_always(), mock.patch.object(supervised, "_VIEW_MIN_CELLS", 1 << 22)):
        values = np.arange(10.0).reshape(5, 2)
        with patch:
            table = series_to_supervised(values, n_in=1, n_out=1)
        values[:] = 0.0
        assert table.iloc[0].tolist() == [0.0, 1.0, 2.0, 3.0]


@NEEDS_COW
def test_a_large_frame_is_framed_from_views():
    df = pd.DataFrame(np.random.default_rng(2).normal(size=(4_000, 40)))
    table = series_to_supervised(df, n_in=30, n_out=10, targets=["0", "1"])
    assert table.shape == (3_961, 1_220)  # 4.8M cells: built from views
    assert np.shares_memory(table["5(t-3)"].to_numpy(), df[5].to_numpy())
    np.testing.assert_array_equal(table["1(t+10)"].to_numpy(), df[1].to_numpy()[39:])


def test_duplicate_index_labels_are_kept_in_order():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5]}, index=[0, 0, 1, 1, 2])
    for table in (series_to_supervised(df, n_in=2, n_out=1), _with_views(df, n_in=2, n_out=1)):
        assert table.index.tolist() == [0, 1, 1]
        assert table.to_numpy().tolist() == [[1, 2, 3], [2, 3, 4], [3, 4, 5]]


def _with_views(*args, **kwargs):
    with views_always():
        return series_to_supervised(*args, **kwargs)


def test_airline_look_back_1_reproduces_tutorial(airline):
    table = series_to_supervised(airline, n_in=1, n_out=1)
    assert list(table.columns) == ["Passengers(t)", "Passengers(t+1)"]
    assert table.iloc[:2].to_numpy().tolist() == [[112.0, 118.0], [118.0, 132.0]]
    assert table.index[0] == pd.Timestamp("1949-01-01")
    # The tutorial's create_dataset yields len - look_back - 1 pairs; we keep the last one too.
    tutorial_rows = len(airline) - 1 - 1
    assert len(table) == tutorial_rows + 1 == 143
    assert table.iloc[-1].tolist() == [390.0, 432.0]


def test_airline_look_back_3_reproduces_tutorial(airline):
    table = series_to_supervised(airline, n_in=3, n_out=1)
    assert list(table.columns) == [
        "Passengers(t-2)",
        "Passengers(t-1)",
        "Passengers(t)",
        "Passengers(t+1)",
    ]
    assert table.iloc[0].tolist() == [112.0, 118.0, 132.0, 129.0]
    assert table.iloc[1].tolist() == [118.0, 132.0, 129.0, 121.0]
    assert table.index[0] == pd.Timestamp("1949-03-01")
    assert len(table) == (len(airline) - 3 - 1) + 1
    X, Y = make_windows(airline, n_in=3, n_out=1)
    assert X[0, :, 0].tolist() == [112.0, 118.0, 132.0] and Y[0, 0, 0] == 129.0


def test_multivariate_column_names_and_targets():
    df = pd.DataFrame({"pm2.5": np.arange(10.0), "TEMP": np.arange(10.0) + 100})
    table = series_to_supervised(df, n_in=3, n_out=3, targets="pm2.5")
    assert list(table.columns) == [
        "pm2.5(t-2)",
        "TEMP(t-2)",
        "pm2.5(t-1)",
        "TEMP(t-1)",
        "pm2.5(t)",
        "TEMP(t)",
        "pm2.5(t+1)",
        "pm2.5(t+2)",
        "pm2.5(t+3)",
    ]
    assert table.iloc[0].tolist() == [0, 100, 1, 101, 2, 102, 3, 4, 5]


def test_arrays_lists_and_series_are_accepted():
    table = series_to_supervised([1, 2, 3, 4], n_in=2, n_out=1)
    assert list(table.columns) == ["var1(t-1)", "var1(t)", "var1(t+1)"]
    assert table.to_numpy().tolist() == [[1, 2, 3], [2, 3, 4]]
    s = pd.Series([5.0, 6.0, 7.0], name="y")
    assert series_to_supervised(s).to_numpy().tolist() == [[5, 6], [6, 7]]


@pytest.mark.parametrize("n_in", [0, -2])
def test_n_in_below_one_is_rejected(n_in):
    with pytest.raises(DataError, match=rf"n_in must be >= 1, got {n_in}"):
        series_to_supervised([1.0, 2.0, 3.0], n_in=n_in)
    with pytest.raises(DataError, match=rf"got {n_in}"):
        make_windows([1.0, 2.0, 3.0], n_in=n_in)


def test_negative_n_out_and_non_integers_are_rejected():
    with pytest.raises(DataError, match=r"n_out must be >= 0, got -1"):
        series_to_supervised([1.0, 2.0, 3.0], n_out=-1)
    with pytest.raises(ForecastkitTypeError, match=r"n_in must be an integer, got 1.5"):
        series_to_supervised([1.0, 2.0, 3.0], n_in=1.5)


def test_too_short_series_is_rejected():
    with pytest.raises(
        DataError, match=r"too short: 5 rows, but n_in=4 \+ n_out=2 needs at least 6"
    ):
        series_to_supervised(np.arange(5.0), n_in=4, n_out=2)
    with pytest.raises(DataError, match=r"5 rows"):
        make_windows(np.arange(5.0), n_in=4, n_out=2)


def test_unknown_target_and_feature_are_named():
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [4.0, 5, 6]})
    with pytest.raises(
        DataError, match=r"unknown target column\(s\) \['zz'\]; available: \['a', 'b'\]"
    ):
        series_to_supervised(df, targets="zz")
    with pytest.raises(DataError, match=r"unknown feature column\(s\) \['q'\]"):
        make_windows(df, 1, 1, features=["q"])


def test_non_numeric_column_is_named():
    df = pd.DataFrame({"a": [1.0, 2, 3], "cbwd": ["NW", "SE", "cv"]})
    with pytest.raises(DataError, match=r"\['cbwd'\] are not numeric"):
        series_to_supervised(df)
    with pytest.raises(DataError, match=r"'cbwd'"):
        make_windows(df, 1, 1)


def test_non_numeric_list_is_a_data_error():
    with pytest.raises(DataError, match=r"'x'"):
        series_to_supervised([[1.0], ["x"], [2.0]])


def test_wrong_data_type_is_rejected():
    with pytest.raises(ForecastkitTypeError, match=r"got dict"):
        series_to_supervised({"a": [1, 2, 3]})
