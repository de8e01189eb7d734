"""ReductionForecaster: known answers, strategy equivalence, covariates, leakage, errors."""

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError, DataError, ForecastkitTypeError, NotFittedError
from forecastkit.forecasters._reduction_strategies import create_train_X_y
from forecastkit.forecasters.reduction import ReductionForecaster
from forecastkit.forecasters.registry import make_forecaster
from forecastkit.framing.supervised import series_to_supervised

STRATEGIES = ["recursive", "direct", "multi_output"]


def _ar1(n=2000, phi=0.7, seed=0, sd=1.0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + rng.normal(0, sd)
    return pd.Series(y, index=pd.date_range("2000-01-01", periods=n, freq="D"), name="y")


def _var_data(n=200, seed=2):
    """y depends on its own lag and on the lag of a past covariate x."""
    rng = np.random.default_rng(seed)
    x, y = np.zeros(n), np.zeros(n)
    for t in range(1, n):
        x[t] = 0.8 * x[t - 1] + rng.normal()
        y[t] = 0.5 * y[t - 1] + 0.4 * x[t - 1] + 0.1 * rng.normal()
    idx = pd.date_range("2010-01-01", periods=n, freq="D")
    return pd.DataFrame({"y": y}, index=idx), pd.DataFrame({"x": x}, index=idx)


def _trend_season(n=60, period=4):
    t = np.arange(n, dtype=float)
    pattern = np.array([3.0, -1.0, 4.0, -6.0])[:period]
    y = 10 + 0.5 * t + np.tile(pattern, n // period + 1)[:n]
    return pd.Series(y, index=pd.date_range("2000-01-01", periods=n, freq="MS"), name="y")


# --------------------------------------------------------------------------- known answers
@pytest.mark.parametrize("alias", ["ridge", "linear"])
def test_ar1_coefficient_recovered_and_forecast_iterates_it(alias):
    y = _ar1()
    f = ReductionForecaster(alias, "recursive", n_in=1).fit(y)
    est = f.estimators_[1]
    coef, icpt = float(np.ravel(est.coef_)[0]), float(np.ravel(est.intercept_)[0])
    assert abs(coef - 0.7) < 0.05
    fc = f.predict(5)["y"].to_numpy()
    expected, level = [], y.iloc[-1]
    for _ in range(5):
        level = coef * level + icpt
        expected.append(level)
    np.testing.assert_allclose(fc, expected, rtol=1e-10)
    np.testing.assert_allclose(fc, 0.7 ** np.arange(1, 6) * y.iloc[-1], atol=0.05 * abs(y.iloc[-1]) + 0.1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"transform": "log", "difference": 1, "scaler": "standard"},
        {"seasonal_difference": 12, "scaler": "minmax", "calendar": ["month"]},
    ],
)
def test_h1_strategies_agree(kwargs, airline):
    y = airline["Passengers"]
    fcs = [ReductionForecaster("ridge", s, n_in=6, **kwargs).fit(y).predict(1) for s in STRATEGIES]
    for other in fcs[1:]:
        pd.testing.assert_frame_equal(fcs[0], other, rtol=1e-9)


def test_h1_strategies_agree_with_past_covariates():
    Y, X = _var_data()
    fcs = [ReductionForecaster("ridge", s, n_in=3).fit(Y, X).predict(1) for s in STRATEGIES]
    for other in fcs[1:]:
        pd.testing.assert_frame_equal(fcs[0], other, rtol=1e-9)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_deterministic_trend_and_season_forecast_exactly(strategy):
    y = _trend_season(64)
    f = ReductionForecaster("linear", strategy, n_in=8).fit(y.iloc[:52])
    np.testing.assert_allclose(f.predict(12)["y"].to_numpy(), y.iloc[52:].to_numpy(), atol=1e-6)
    assert list(f.predict(12).index) == list(y.index[52:])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_log_difference_pipeline_continues_geometric_growth(strategy):
    y = pd.Series(100 * 1.02 ** np.arange(40), index=pd.RangeIndex(40))
    f = ReductionForecaster("ridge", strategy, n_in=3, transform="log", difference=1, scaler="standard")
    fc = f.fit(y).predict(6).iloc[:, 0].to_numpy()
    np.testing.assert_allclose(fc, 100 * 1.02 ** np.arange(40, 46), rtol=1e-9)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_knn_repeats_a_periodic_pattern(strategy):
    y = pd.Series(np.tile([1.0, 5.0, 2.0, 8.0, 3.0], 12))
    f = ReductionForecaster("knn", strategy, n_in=5, regressor_params={"n_neighbors": 1}).fit(y.iloc[:50])
    np.testing.assert_array_equal(f.predict(7).iloc[:, 0].to_numpy(), y.iloc[50:57].to_numpy())


def test_create_train_X_y_is_the_framers_table():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(30, 2))
    table = series_to_supervised(pd.DataFrame(Z, columns=["a", "b"]), n_in=4, n_out=3)
    X, Y = create_train_X_y(Z, np.empty((30, 0)), np.empty((30, 0)), 4, 4, 3, [1, 2, 3], [])
    np.testing.assert_array_equal(X, table.iloc[:, :8].to_numpy())
    np.testing.assert_array_equal(Y, table.iloc[:, 8:].to_numpy())


# --------------------------------------------------------------------------- covariates
def test_vector_recursion_predicts_past_covariates_too():
    Y, X = _var_data(2000)
    f = ReductionForecaster("linear", "recursive", n_in=1).fit(Y, X)
    est = f.estimators_[1]
    A, b = est.coef_, est.intercept_  # 2 outputs (y, x) from 2 inputs (y, x)
    assert A.shape == (2, 2)
    np.testing.assert_allclose(A, [[0.5, 0.4], [0.0, 0.8]], atol=0.1)
    state, expected = np.array([Y["y"].iloc[-1], X["x"].iloc[-1]]), []
    for _ in range(4):
        state = A @ state + b
        expected.append(state[0])
    np.testing.assert_allclose(f.predict(4)["y"].to_numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_past_covariates_never_read_beyond_the_origin(strategy):
    Y, X = _var_data()
    n = 150
    clean = ReductionForecaster("ridge", strategy, n_in=3, scaler="standard").fit(Y.iloc[:n], X.iloc[:n])
    poisoned_X = X.copy()
    poisoned_X.iloc[n:] = np.nan
    poisoned = ReductionForecaster("ridge", strategy, n_in=3, scaler="standard").fit(Y.iloc[:n], poisoned_X)
    a, b = clean.predict(5), poisoned.predict(5, X=poisoned_X)
    assert np.isfinite(b.to_numpy()).all()
    pd.testing.assert_frame_equal(a, b)
    assert clean.fit_audit() == poisoned.fit_audit()


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_future_known_covariate_used_at_the_target_time(strategy):
    rng = np.random.default_rng(5)
    idx = pd.date_range("2020-01-01", periods=80, freq="D")
    X = pd.DataFrame({"promo": rng.normal(size=80)}, index=idx)
    y = pd.Series(3.0 + 2.0 * X["promo"].to_numpy(), index=idx, name="sales")
    f = ReductionForecaster("linear", strategy, n_in=2, future_known=["promo"], scaler="minmax")
    f.fit(y.iloc[:70], X.iloc[:70])
    fc = f.predict(10, X=X)
    np.testing.assert_allclose(fc["sales"].to_numpy(), y.iloc[70:].to_numpy(), atol=1e-8)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_calendar_features_drive_a_monthly_season(strategy):
    idx = pd.date_range("1990-01-01", periods=72, freq="MS")
    y = pd.Series(50 + 10 * np.sin(2 * np.pi * (idx.month - 1) / 12), index=idx, name="y")
    f = ReductionForecaster("linear", strategy, n_in=1, calendar=["month"]).fit(y.iloc[:60])
    np.testing.assert_allclose(f.predict(12)["y"].to_numpy(), y.iloc[60:].to_numpy(), atol=1e-8)


def test_future_known_short_of_the_horizon_names_column_and_count():
    idx = pd.date_range("2020-01-01", periods=40, freq="D")
    X = pd.DataFrame({"temp": np.arange(40.0)}, index=idx)
    y = pd.Series(np.arange(40.0) * 2, index=idx)
    f = ReductionForecaster("ridge", "direct", n_in=2, future_known="temp").fit(y.iloc[:30], X.iloc[:30])
    with pytest.raises(DataError, match=r"'temp' is 3 step\(s\) short of the 10-step horizon"):
        f.predict(10, X=X.iloc[:37])
    with pytest.raises(DataError, match=r"missing future-known covariate column\(s\) \['temp'\]"):
        f.predict(5, X=X.rename(columns={"temp": "t"}))


# --------------------------------------------------------------------------- leakage, update, lazy models
def test_fitted_parameters_come_only_from_the_training_slice():
    Y, X = _var_data()
    Y = Y + 10.0
    n = 120
    X2 = X.copy()
    X2.iloc[n:] *= 50.0
    kw = dict(n_in=3, transform="boxcox", difference=1, scaler="standard")
    a = ReductionForecaster("ridge", **kw).fit(Y.iloc[:n], X).fit_audit()
    b = ReductionForecaster("ridge", **kw).fit(Y.iloc[:n], X2).fit_audit()
    assert a == b
    target = a["transforms"]["target"]
    assert target["n_rows"] == n and target["fit_end"] == str(Y.index[n - 1])
    past = a["transforms"]["past_covariates"]["params"]
    assert past["mean"][0] == pytest.approx(X["x"].iloc[1:n].mean())


def test_update_keeps_models_and_forecasts_from_the_new_origin():
    y = _ar1(400)
    f = ReductionForecaster("linear", "recursive", n_in=1).fit(y.iloc[:300])
    est = f.estimators_[1]
    f.update(y.iloc[:350])
    assert f.estimators_[1] is est
    coef, icpt = float(est.coef_[0]), float(est.intercept_)
    assert f.predict(1)["y"].iloc[0] == pytest.approx(coef * y.iloc[349] + icpt)
    assert f.predict(1).index[0] == y.index[350]


def test_lazy_models_are_trained_from_the_fit_data_only():
    y = _ar1(300)
    lazy = ReductionForecaster("ridge", "direct", n_in=4).fit(y.iloc[:200])
    assert sorted(lazy.estimators_) == [1]
    lazy.predict(3)
    first = lazy.estimators_[2]
    assert sorted(lazy.estimators_) == [1, 2, 3]
    lazy.update(y.iloc[:260])
    p_lazy = lazy.predict(6)
    assert lazy.estimators_[2] is first
    eager = ReductionForecaster("ridge", "direct", n_in=4, horizon=6).fit(y.iloc[:200])
    assert sorted(eager.estimators_) == [1, 2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(p_lazy, eager.update(y.iloc[:260]).predict(6))


def test_fitted_forecaster_pickles_and_trains_lazily_after_loading():
    import pickle

    y = _ar1(200)
    f = ReductionForecaster("ridge", "direct", n_in=3, transform=None, scaler="standard").fit(y)
    g = pickle.loads(pickle.dumps(f))
    pd.testing.assert_frame_equal(f.predict(4), g.predict(4))


def test_models_are_reproducible_with_random_state():
    Y, X = _var_data(120)
    kw = dict(strategy="multi_output", n_in=3, regressor_params={"n_estimators": 10})
    a = make_forecaster("random_forest", **kw).fit(Y, X).predict(4)
    b = make_forecaster("random_forest", **kw).fit(Y, X).predict(4)
    pd.testing.assert_frame_equal(a, b)
    c = make_forecaster("random_forest", random_state=1, **kw).fit(Y, X).predict(4)
    assert not np.allclose(a.to_numpy(), c.to_numpy())


def test_single_output_regressor_is_wrapped_for_several_outputs():
    Y, X = _var_data(80)
    f = make_forecaster("hist_gradient_boosting", strategy="recursive", n_in=2, regressor_params={"max_iter": 5})
    f.fit(Y, X)
    assert type(f.estimators_[1]).__name__ == "MultiOutputRegressor"
    assert len(f.estimators_[1].estimators_) == 2  # y and the past covariate x
    assert np.isfinite(f.predict(3).to_numpy()).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_several_targets_and_mlp():
    y = pd.DataFrame({"a": _trend_season(48).to_numpy(), "b": _trend_season(48).to_numpy()[::-1].copy()},
                     index=pd.date_range("2000-01-01", periods=48, freq="MS"))
    f = ReductionForecaster("linear", "multi_output", n_in=8).fit(y.iloc[:40])
    fc = f.predict(4)
    assert list(fc.columns) == ["a", "b"]
    np.testing.assert_allclose(fc["a"].to_numpy(), y["a"].iloc[40:44].to_numpy(), atol=1e-6)
    m = make_forecaster("mlp", n_in=4, scaler="standard", regressor_params={"max_iter": 50}).fit(y)
    assert m.predict(2).shape == (2, 2)


# --------------------------------------------------------------------------- intervals
def test_intervals_match_the_ar1_error_variance():
    y = _ar1(1500, seed=3)
    f = ReductionForecaster("ridge", "recursive", n_in=1).fit(y)
    pi = f.predict_interval(10, level=0.95)
    width = (pi["y_upper"] - pi["y_lower"]).to_numpy()
    assert (pi["y_lower"] <= pi["y"]).all() and (pi["y"] <= pi["y_upper"]).all()
    assert width[0] == pytest.approx(2 * 1.96, rel=0.2)  # one-step sd 1
    assert width[-1] == pytest.approx(2 * 1.96 / np.sqrt(1 - 0.49), rel=0.2)  # stationary sd
    pd.testing.assert_frame_equal(pi[["y"]], f.predict(10))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_intervals_on_log_scale_stay_positive_and_widen(strategy, airline):
    y = airline["Passengers"]
    f = ReductionForecaster("ridge", strategy, n_in=12, transform="log", seasonal_difference=12, scaler="standard")
    pi = f.fit(y).predict_interval(12, level=0.8)
    assert (pi["Passengers_lower"] > 0).all()
    width = pi["Passengers_upper"] - pi["Passengers_lower"]
    assert width.iloc[-1] > width.iloc[0]


# --------------------------------------------------------------------------- bad input
def test_bad_input_errors_name_the_value():
    y = _trend_season(40)
    with pytest.raises(ConfigError, match="unknown regressor alias 'ridgee'; valid: ridge, linear"):
        ReductionForecaster("ridgee").fit(y)
    with pytest.raises(ForecastkitTypeError, match="'sklearn.cluster.KMeans'.*not a scikit-learn regressor"):
        ReductionForecaster("sklearn.cluster.KMeans", n_in=2).fit(y)
    with pytest.raises(ForecastkitTypeError, match="'sklearn.linear_model.Nope' cannot be imported"):
        ReductionForecaster("sklearn.linear_model.Nope", n_in=2).fit(y)
    with pytest.raises(ConfigError, match="rejects regressor_params.*'alphaa'"):
        ReductionForecaster("ridge", n_in=2, regressor_params={"alphaa": 1}).fit(y)
    with pytest.raises(ConfigError, match="unknown strategy 'dirct'; valid: recursive, direct, multi_output"):
        ReductionForecaster(strategy="dirct", n_in=2).fit(y)
    with pytest.raises(ConfigError, match="n_in must be an integer >= 1.*got 0"):
        ReductionForecaster(n_in=0).fit(y)
    with pytest.raises(NotFittedError, match="not fitted"):
        ReductionForecaster().predict(3)
    f = ReductionForecaster("ridge", "direct", n_in=2).fit(y)
    with pytest.raises(DataError, match="h must be >= 1, got 0"):
        f.predict(0)
    with pytest.raises(DataError, match="at least 5 training windows for 37 step"):
        f.predict(37)
    with pytest.raises(DataError, match="intervals for h=28 need at least 10 calibration windows.*got 6"):
        f.predict_interval(28)
    with pytest.raises(DataError, match="intervals for h=15 need more training data"):
        f.predict_interval(15)
    with pytest.raises(DataError, match="needs at least 29 observations to fit, got 20"):
        ReductionForecaster(n_in=12, seasonal_difference=12).fit(y.iloc[:20])
    with pytest.raises(DataError, match=r"future_known covariate\(s\) \['temp'\] are not columns"):
        ReductionForecaster(n_in=2, future_known=["temp"]).fit(y, pd.DataFrame({"x": np.ones(40)}, index=y.index))


def test_registry_builds_reduction_forecasters():
    f = make_forecaster("ridge", strategy="direct", n_in=12)
    assert isinstance(f, ReductionForecaster) and f.regressor == "ridge" and f.strategy == "direct"
    lasso = make_forecaster("sklearn", regressor="sklearn.linear_model.Lasso", regressor_params={"alpha": 0.01}, n_in=8)
    lasso.fit(_trend_season(60))
    assert type(lasso.estimators_[1]).__name__ == "Lasso" and lasso.estimators_[1].alpha == 0.01
    assert lasso.clone().get_params() == lasso.get_params()


def test_intervals_lean_towards_the_side_the_errors_fall_on():
    """A model that under-forecasts growth in calibration must get an interval that
    reaches further above its forecast than below (actual = forecast + error)."""
    idx = pd.date_range("2000-01-01", periods=200, freq="D")
    y = pd.Series(1.02 ** np.arange(200), index=idx, name="y")
    model = ReductionForecaster(regressor="ridge", regressor_params={"alpha": 1e3}, n_in=3, strategy="direct")
    pred = model.fit(y).predict_interval(5, level=0.9)
    above = (pred["y_upper"] - pred["y"]).to_numpy()
    below = (pred["y"] - pred["y_lower"]).to_numpy()
    assert (above > below).all(), (above, below)
