"""Fold plans: origins, windows and refits exactly as configured."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.backtest.splits import Fold, holdout_folds, rolling_folds
from forecastkit.errors import DataError, ForecastkitTypeError


# --------------------------------------------------------------------------- holdout
def test_holdout_tutorial_split_airline():
    folds = holdout_folds(144, 1, test_size=0.33)
    assert len(folds) == 48
    assert [f.origin for f in folds] == list(range(96, 144))
    assert folds[0] == Fold(0, 0, 96, 96, 0, 1, True)
    # fit once, then walk forward updating the history with every new observation
    assert all(not f.refit and (f.fit_start, f.fit_end) == (0, 96) and f.hist_start == 0 for f in folds[1:])
    assert folds[-1].test_end == 144


def test_holdout_int_test_size_and_train_end_agree():
    by_rows = holdout_folds(144, 1, test_size=48)
    by_end = holdout_folds(144, 1, train_end=96)
    assert by_rows == by_end == holdout_folds(144, 1, test_size=0.33)


def test_holdout_step_and_horizon():
    folds = holdout_folds(20, 3, test_size=8)  # n_train 12; origins 12, 15 (18 + 3 > 20)
    assert [(f.origin, f.horizon) for f in folds] == [(12, 3), (15, 3)]
    folds = holdout_folds(20, 3, test_size=8, step=1)
    assert [f.origin for f in folds] == [12, 13, 14, 15, 16, 17]


def test_holdout_refit_every_and_window():
    folds = holdout_folds(20, 1, train_end=15, refit_every=2, window=10)
    assert [f.refit for f in folds] == [True, False, True, False, True]
    assert [(f.fit_start, f.fit_end) for f in folds] == [(5, 15), (5, 15), (7, 17), (7, 17), (9, 19)]
    assert [f.hist_start for f in folds] == [5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one of test_size or train_end"),
        ({"test_size": 0.2, "train_end": 5}, "exactly one"),
        ({"test_size": 1.5}, "1.5"),
        ({"test_size": 10}, "test_size=10 rows leaves no training rows out of n=10"),
        ({"train_end": 9}, "needs at least 12 rows, the data has 10"),
    ],
)
def test_holdout_errors_quote_values(kwargs, match):
    with pytest.raises(DataError, match=match):
        holdout_folds(10, 3, **kwargs)


def test_holdout_bad_types():
    with pytest.raises(ForecastkitTypeError, match="'a'"):
        holdout_folds(10, 1, test_size="a")
    with pytest.raises(DataError, match="horizon must be >= 1, got 0"):
        holdout_folds(10, 0, test_size=2)


# --------------------------------------------------------------------------- rolling
def test_rolling_last_fold_ends_at_end_of_data_expanding():
    folds = rolling_folds(144, 12, folds=4)
    assert [f.origin for f in folds] == [96, 108, 120, 132]
    assert folds[-1].test_end == 144
    assert all(f.refit and f.fit_start == 0 and f.fit_end == f.origin and f.hist_start == 0 for f in folds)


def test_rolling_sliding_window():
    folds = rolling_folds(50, 5, folds=3, step=2, window="sliding", window_length=20)
    assert [f.origin for f in folds] == [41, 43, 45]
    assert [(f.fit_start, f.fit_end, f.hist_start) for f in folds] == [(21, 41, 21), (23, 43, 23), (25, 45, 25)]


@pytest.mark.parametrize(
    "refit_every, refits, fits",
    [
        (0, [True, False, False, False, False], [(0, 10)] * 5),
        (1, [True] * 5, [(0, 10), (0, 12), (0, 14), (0, 16), (0, 18)]),
        (2, [True, False, True, False, True], [(0, 10), (0, 10), (0, 14), (0, 14), (0, 18)]),
    ],
)
def test_rolling_refit_every(refit_every, refits, fits):
    folds = rolling_folds(20, 2, folds=5, refit_every=refit_every)
    assert [f.origin for f in folds] == [10, 12, 14, 16, 18]
    assert [f.refit for f in folds] == refits
    assert [(f.fit_start, f.fit_end) for f in folds] == fits
    assert all(f.fit_end <= f.origin for f in folds)


def test_rolling_sliding_refit_keeps_last_fit_span():
    folds = rolling_folds(30, 2, folds=3, window="sliding", window_length=8, refit_every=0)
    assert [(f.fit_start, f.fit_end) for f in folds] == [(16, 24)] * 3
    assert [f.hist_start for f in folds] == [16, 18, 20]


def test_rolling_from_start():
    folds = rolling_folds(30, 4, start=10, step=5)
    assert [f.origin for f in folds] == [10, 15, 20, 25]
    assert [f.origin for f in rolling_folds(30, 4, start=10, step=5, folds=2)] == [10, 15]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"folds": 4, "horizon": 12}, r"folds=4, horizon=12, step=12 and min_train=10 needs at least 58 rows, the data has 50"),
        ({"folds": 3, "horizon": 5, "window": "sliding", "window_length": 40}, r"window_length=40 needs at least 55 rows, the data has 50"),
        ({"folds": 2, "horizon": 5, "window": "sliding"}, "needs window_length"),
        ({"folds": 2, "horizon": 5, "window": "rolling"}, "'rolling'"),
        ({"folds": 2, "horizon": 5, "window_length": 5}, "only used with window='sliding'"),
        ({"horizon": 5}, "needs folds or start"),
        ({"folds": 0, "horizon": 5}, "folds must be >= 1, got 0"),
        ({"folds": 2, "horizon": 0}, "horizon must be >= 1, got 0"),
        ({"start": 5, "horizon": 2}, "start=5 leaves fewer training rows than min_train=10"),
        ({"start": 48, "horizon": 5}, "needs at least 53 rows, the data has 50"),
        ({"start": 40, "horizon": 5, "folds": 3}, "needs at least 55 rows"),
    ],
)
def test_rolling_errors_quote_values(kwargs, match):
    kwargs = dict(kwargs)
    horizon = kwargs.pop("horizon")
    with pytest.raises(DataError, match=match):
        rolling_folds(50, horizon, min_train=10, **kwargs)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(10, 200), h=st.integers(1, 12), k=st.integers(1, 8), step=st.integers(1, 10),
    refit=st.integers(0, 3), sliding=st.booleans(),
)
def test_rolling_plan_properties(n, h, k, step, refit, sliding):
    kwargs = {"window": "sliding", "window_length": 5} if sliding else {}
    need = (5 if sliding else 1) + h + step * (k - 1)
    if n < need:
        with pytest.raises(DataError, match=f"needs at least {need} rows"):
            rolling_folds(n, h, folds=k, step=step, refit_every=refit, **kwargs)
        return
    folds = rolling_folds(n, h, folds=k, step=step, refit_every=refit, **kwargs)
    assert len(folds) == k and folds[-1].origin + h == n
    for i, f in enumerate(folds):
        assert f.fold == i and f.horizon == h
        assert 0 <= f.fit_start < f.fit_end <= f.origin and 0 <= f.hist_start < f.origin
        if sliding:
            assert f.origin - f.hist_start == 5
        assert f.refit == (i == 0 or (refit > 0 and i % refit == 0))
        if i:
            assert f.origin - folds[i - 1].origin == step
