"""TargetTransformer / ColumnScaler: exact inverses, training-only statistics, clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecastkit.errors import ConfigError, DataError, NotFittedError
from forecastkit.forecasters.preprocessing import ColumnScaler, TargetTransformer


def _reference_chain(y, transform, lam, d, m):
    """Straightforward reference of transform + differences (no scaler)."""
    t = {None: y, "log": np.log(y)}.get(transform)
    if transform == "boxcox":
        t = np.log(y) if lam == 0 else (y**lam - 1) / lam
    for _ in range(d):
        t = np.diff(t, axis=0)
    if m:
        t = t[m:] - t[:-m]
    return t


@settings(max_examples=60, deadline=None)
@given(
    y=arrays(float, st.tuples(st.integers(12, 30), st.integers(1, 3)), elements=st.floats(0.5, 100.0)),
    d=st.integers(0, 2),
    m=st.integers(0, 4),
    transform=st.sampled_from([None, "log", "boxcox"]),
    scaler=st.sampled_from([None, "minmax", "standard"]),
    split=st.floats(0.5, 0.9),
)
def test_round_trip_is_exact(y, d, m, transform, scaler, split):
    n_fit = max(d + m + 2, int(len(y) * split))
    if n_fit >= len(y):
        n_fit = len(y) - 1
    tt = TargetTransformer(transform, boxcox_lambda=0.3, difference=d, seasonal_difference=m, scaler=scaler)
    tt.fit(y[:n_fit])
    z = tt.transform(y)
    assert z.shape == (len(y) - d - m, y.shape[1])
    # the unscaled chain equals the reference implementation
    ref = _reference_chain(y, transform, 0.3, d, m)
    np.testing.assert_allclose(tt.scaler_.inverse_transform(z), ref, rtol=1e-9, atol=1e-9)
    # forecasts equal to the true transformed future come back as the true future
    back = tt.inverse_transform_forecast(z[n_fit - d - m:], y[:n_fit])
    np.testing.assert_allclose(back, y[n_fit:], rtol=1e-9, atol=1e-9)


def test_inverse_paths_equal_per_path_inverse_and_error_integration():
    rng = np.random.default_rng(0)
    y = rng.uniform(5, 50, (40, 2))
    tt = TargetTransformer("log", difference=1, seasonal_difference=4, scaler="standard").fit(y)
    z = rng.normal(size=(5, 6, 2))
    paths = tt.inverse_transform_paths(z, y)
    for i in range(5):
        np.testing.assert_allclose(paths[i], tt.inverse_transform_forecast(z[i], y), rtol=1e-12)
    # errors integrate linearly on the level scale (what the intervals rely on)
    lv = tt.inverse_to_level(z, y)
    np.testing.assert_allclose(lv[1:] - lv[:1], tt.integrate_errors(z[1:] - z[:1]), atol=1e-10)
    np.testing.assert_allclose(tt.unstabilise(lv), paths, rtol=1e-12)


def test_known_values_difference_and_seasonal_difference():
    y = np.arange(1.0, 11.0) ** 2  # 1, 4, 9, ...
    tt = TargetTransformer(difference=1).fit(y)
    np.testing.assert_array_equal(tt.transform(y).ravel(), np.diff(y))
    tt = TargetTransformer(seasonal_difference=3).fit(y)
    np.testing.assert_array_equal(tt.transform(y).ravel(), y[3:] - y[:-3])
    assert tt.n_lost() == 3
    # seasonal differences continue the last season: forecast 0 repeats it
    np.testing.assert_array_equal(tt.inverse_transform_forecast(np.zeros((6, 1)), y).ravel(), np.tile(y[-3:], 2))


def test_boxcox_lambda_estimated_from_training_rows_like_scipy():
    from scipy.stats import boxcox

    rng = np.random.default_rng(3)
    y = np.exp(rng.normal(2, 0.5, size=(200, 1)))
    tt = TargetTransformer("boxcox").fit(y[:150])
    assert tt.describe()["boxcox_lambda"][0] == pytest.approx(boxcox(y[:150, 0])[1])
    # lambda 0 is the log
    tt0 = TargetTransformer("boxcox", boxcox_lambda=0.0).fit(y)
    np.testing.assert_allclose(tt0.transform(y), np.log(y))


def test_parameters_come_only_from_training_rows():
    rng = np.random.default_rng(1)
    y = rng.uniform(10, 20, (60, 2))
    y2 = y.copy()
    y2[40:] *= 100.0  # a very different test slice
    for scaler in ("minmax", "standard"):
        a = TargetTransformer("boxcox", difference=1, scaler=scaler).fit(y[:40]).describe()
        b = TargetTransformer("boxcox", difference=1, scaler=scaler).fit(y2[:40]).describe()
        assert a == b
        assert a["n_fit_rows"] == 40
    st_ = TargetTransformer(scaler="minmax").fit(y[:40]).describe()["scaler_params"]
    np.testing.assert_allclose(st_["min"], y[:40].min(axis=0))
    np.testing.assert_allclose(st_["max"], y[:40].max(axis=0))


def test_log_of_non_positive_data_quotes_the_minimum():
    y = np.array([3.0, 2.0, -1.5, 4.0])
    with pytest.raises(DataError, match=r"-1\.5"):
        TargetTransformer("log").fit(y)
    tt = TargetTransformer("boxcox", boxcox_lambda=0.5).fit(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(DataError, match=r"0\.0"):
        tt.transform(np.array([1.0, 0.0]))


def test_bad_configuration_names_the_value():
    with pytest.raises(ConfigError, match="'sqrt'"):
        TargetTransformer("sqrt").fit(np.ones(5))
    with pytest.raises(ConfigError, match="'robust'"):
        TargetTransformer(scaler="robust").fit(np.ones(5))
    with pytest.raises(ConfigError, match="-1"):
        TargetTransformer(difference=-1).fit(np.ones(5))
    with pytest.raises(DataError, match="needs more than 5 rows, got 5"):
        TargetTransformer(difference=1, seasonal_difference=4).fit(np.arange(1.0, 6.0))
    with pytest.raises(NotFittedError):
        TargetTransformer().transform(np.ones(3))


def test_column_scaler_statistics_and_constant_column():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    sc = ColumnScaler("minmax").fit(X)
    np.testing.assert_allclose(sc.transform(X), [[0, 0], [0.5, 0], [1, 0]])
    np.testing.assert_allclose(sc.inverse_transform(sc.transform(X)), X)
    sd = ColumnScaler("standard").fit(X)
    np.testing.assert_allclose(sd.transform(X)[:, 0], (X[:, 0] - 3) / np.std(X[:, 0]))
    assert sd.describe()["mean"] == [3.0, 5.0]
    np.testing.assert_array_equal(ColumnScaler(None).fit(X).transform(X), X)
    with pytest.raises(ConfigError, match="'maxabs'"):
        ColumnScaler("maxabs").fit(X)


def test_fit_transform_equals_fit_then_transform():
    y = np.exp(np.linspace(0, 2, 40)).reshape(-1, 1) + np.arange(40).reshape(-1, 1) % 4
    a = TargetTransformer(transform="log", difference=1, seasonal_difference=4, scaler="standard")
    b = TargetTransformer(transform="log", difference=1, seasonal_difference=4, scaler="standard")
    np.testing.assert_allclose(a.fit_transform(y), b.fit(y).transform(y))
    assert a.fit_transform(y).shape == (40 - 1 - 4, 1)
