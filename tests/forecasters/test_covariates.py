"""Calendar features: known values, continuity into the future, validation."""

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import DataError
from forecastkit.forecasters.covariates import calendar_features, default_period, elapsed_steps


def test_month_known_values():
    idx = pd.date_range("1960-01-01", periods=12, freq="MS")
    f = calendar_features(idx, ["month"])
    assert list(f.columns) == ["month_sin", "month_cos"]
    assert f["month_sin"].iloc[0] == np.sin(2 * np.pi * 0 / 12)
    assert f["month_cos"].iloc[0] == 1.0
    assert f["month_sin"].iloc[3] == pytest.approx(1.0)  # April: a quarter turn
    assert f["month_cos"].iloc[6] == pytest.approx(-1.0)  # July: half a turn


def test_day_and_hour_known_values():
    idx = pd.date_range("2024-01-01", periods=48, freq="h")  # 2024-01-01 is a Monday
    f = calendar_features(idx, ["dayofweek", "hour", "dayofyear", "weekofyear"])
    assert f["dayofweek_sin"].iloc[0] == 0.0 and f["dayofweek_cos"].iloc[0] == 1.0
    assert f["dayofweek_sin"].iloc[24] == pytest.approx(np.sin(2 * np.pi / 7))
    assert f["hour_sin"].iloc[6] == pytest.approx(1.0)
    assert f["dayofyear_sin"].iloc[24] == pytest.approx(np.sin(2 * np.pi / 365.25))
    assert f["weekofyear_cos"].iloc[0] == 1.0  # ISO week 1


@pytest.mark.parametrize(
    "freq,features",
    [
        ("MS", ["month", "fourier:2", "trend"]),
        ("D", ["dayofweek", "dayofyear", "fourier:3", "fourier:2:7", "trend"]),
        ("h", ["hour", "fourier:2", "trend"]),
        ("W-SUN", ["weekofyear", "fourier:1", "trend"]),
        ("QS", ["fourier:2", "trend"]),
    ],
)
def test_future_timestamps_continue_the_history(freq, features):
    idx = pd.date_range("1999-03-01", periods=60, freq=freq)
    whole = calendar_features(idx, features)
    future = calendar_features(idx[45:], features, freq=freq)
    pd.testing.assert_frame_equal(whole.iloc[45:], future)
    short = calendar_features(idx[-2:], features, freq=freq)  # too short to infer a frequency
    pd.testing.assert_frame_equal(whole.iloc[-2:], short)


def test_fourier_and_trend_follow_the_period_in_steps():
    idx = pd.date_range("2001-05-01", periods=40, freq="D")
    f = calendar_features(idx, ["fourier:2:7"])
    np.testing.assert_allclose(f.iloc[7:].to_numpy(), f.iloc[:-7].to_numpy(), atol=1e-9)
    assert list(f.columns) == ["fourier7_sin1", "fourier7_cos1", "fourier7_sin2", "fourier7_cos2"]
    m = pd.date_range("1970-01-01", periods=13, freq="MS")
    assert calendar_features(m, "trend")["trend"].tolist() == list(range(13))
    assert default_period("MS") == 12 and default_period("h") == 24 and default_period("D") == 365.25
    np.testing.assert_array_equal(elapsed_steps(pd.RangeIndex(3, 6)), [3.0, 4.0, 5.0])


def test_integer_index_supports_only_time_free_features():
    f = calendar_features(pd.RangeIndex(8), ["fourier:1:4", "trend"])
    np.testing.assert_allclose(f["fourier4_sin1"], np.sin(2 * np.pi * np.arange(8) / 4), atol=1e-12)
    with pytest.raises(DataError, match="'month' needs a DatetimeIndex"):
        calendar_features(pd.RangeIndex(8), ["month"])
    with pytest.raises(DataError, match="explicit period"):
        calendar_features(pd.RangeIndex(8), ["fourier:1"])


@pytest.mark.parametrize(
    "name,message",
    [
        ("weekday", "unknown calendar feature 'weekday'; valid: month, dayofweek"),
        ("fourier:x", "bad calendar feature 'fourier:x'"),
        ("fourier:0", "K must be >= 1, got 0"),
        ("fourier:7:12", "K=7 pairs exceed"),
    ],
)
def test_bad_feature_names(name, message):
    idx = pd.date_range("2000-01-01", periods=24, freq="MS")
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        calendar_features(idx, [name])
