"""Panel framing: windows and supervised rows of each series, never across two series
(property test against a plain per-series loop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.data.panel import panel_from_frame
from forecastkit.framing.supervised import make_windows, series_to_supervised


def _panel(lengths):
    parts = []
    for k, n in enumerate(lengths):
        idx = pd.date_range("2020-01-01", periods=n, freq="D")
        parts.append(pd.DataFrame({"sid": f"s{k}", "day": idx, "y": 1000.0 * k + np.arange(n)}))
    return panel_from_frame(pd.concat(parts, ignore_index=True), series_id="sid", target="y", time="day", freq="D")


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(1, 15), min_size=2, max_size=5), n_in=st.integers(1, 4), n_out=st.integers(1, 3))
def test_make_windows_of_a_panel_equals_the_per_series_loop(lengths, n_in, n_out):
    panel = _panel(lengths)
    X, Y, ids = make_windows(panel, n_in, n_out, return_index=True)
    xs, ys, ref_ids = [], [], []
    for k, n in enumerate(lengths):  # the reference: each series on its own
        y = 1000.0 * k + np.arange(n)
        for i in range(n - n_in - n_out + 1):
            xs.append(y[i: i + n_in])
            ys.append(y[i + n_in: i + n_in + n_out])
            ref_ids.append(f"s{k}")
    assert len(X) == len(xs)
    if xs:
        np.testing.assert_array_equal(X[:, :, 0], np.array(xs))
        np.testing.assert_array_equal(Y[:, :, 0], np.array(ys))
    assert list(ids) == ref_ids
    # no window mixes two series: every value of a sample lies in its own series' range
    for x, yv, sid in zip(X[:, :, 0], Y[:, :, 0], ids):
        k = int(sid[1:])
        both = np.r_[x, yv]
        assert ((both >= 1000 * k) & (both < 1000 * (k + 1))).all()


def test_series_to_supervised_of_a_panel_stacks_each_series_table():
    panel = _panel([5, 2, 4])
    table = series_to_supervised(panel, n_in=2, n_out=1)
    assert list(table.columns[:1]) == ["series_id"]
    assert table.groupby("series_id").size().to_dict() == {"s0": 3, "s2": 2}  # s1 is too short
    first = table[table.series_id == "s2"].iloc[0, 1:].to_numpy(float)
    np.testing.assert_array_equal(first, [2000.0, 2001.0, 2002.0])
