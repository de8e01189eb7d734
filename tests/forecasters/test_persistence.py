"""Saved models reload and forecast identically, for every non-neural family."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import DataError, NotFittedError
from forecastkit.forecasters.persistence import check_new_data, load_forecaster, save_forecaster
from forecastkit.forecasters.registry import make_forecaster


@pytest.fixture(scope="module")
def series():
    idx = pd.date_range("2001-01-01", periods=96, freq="MS")
    t = np.arange(96)
    y = 100 + t + 12 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 2, 96)
    return pd.DataFrame({"sales": y}, index=idx)


FAMILIES = [
    ("naive", {}),
    ("seasonal_naive", {"season_length": 12}),
    ("drift", {}),
    ("mean", {"window": 6}),
    ("arima", {"order": (1, 1, 0), "seasonal_order": (0, 1, 1, 12)}),
    ("auto_arima", {"season_length": 12, "max_p": 2, "max_q": 2}),
    ("ridge", {"strategy": "recursive", "n_in": 12}),
    ("ridge", {"strategy": "direct", "n_in": 12, "calendar": ["month"]}),
    ("knn", {"strategy": "multi_output", "n_in": 12}),
    ("conformal", {"model": {"type": "drift"}, "horizon": 6, "score": "local"}),
]


@pytest.mark.parametrize("type_name, params", FAMILIES, ids=[f"{t}-{p.get('strategy', '')}" for t, p in FAMILIES])
def test_round_trip_predicts_the_same(series, tmp_path, type_name, params):
    model = make_forecaster(type_name, **params).fit(series.iloc[:84])
    expected = model.predict_interval(6)
    path = save_forecaster(model, tmp_path / "m", name="m", type_name=type_name, data={"time": None})
    loaded, meta = load_forecaster(path)
    pd.testing.assert_frame_equal(loaded.predict_interval(6), expected)
    assert meta["targets"] == ["sales"] and meta["freq"] == "MS" and meta["type"] == type_name
    # and from new data, without refitting: same as updating the original
    model.update(series)
    loaded.update(series)
    pd.testing.assert_frame_equal(loaded.predict(6), model.predict(6))
    assert loaded.predict(6).index[0] == pd.Timestamp("2009-01-01")


def test_saving_refuses_an_existing_directory_and_unfitted_models(series, tmp_path):
    model = make_forecaster("naive")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        save_forecaster(model, tmp_path / "a", name="a", type_name="naive")
    model.fit(series)
    (tmp_path / "b").mkdir()
    with pytest.raises(FileExistsError):
        save_forecaster(model, tmp_path / "b", name="b", type_name="naive")


def test_load_errors(tmp_path):
    with pytest.raises(DataError, match="not a saved model"):
        load_forecaster(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(DataError, match="format 99"):
        load_forecaster(tmp_path)


def test_new_data_must_match_columns_and_frequency(series):
    meta = {"targets": ["sales"], "covariates": ["temp"], "freq": "MS"}
    with pytest.raises(DataError, match=r"lacks column\(s\) \['temp'\]"):
        check_new_data(meta, series)
    daily = series.assign(temp=1.0)
    daily.index = pd.date_range("2001-01-01", periods=96, freq="D")
    with pytest.raises(DataError, match="frequency 'D'.*'MS'"):
        check_new_data(meta, daily)
    check_new_data(meta, series.assign(temp=1.0))
