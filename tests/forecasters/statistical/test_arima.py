"""ARIMA / SARIMA / auto_arima: known answers against statsmodels, transforms,
covariates, update, order selection and bad input."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import boxcox as scipy_boxcox
from statsmodels.tsa.statespace.sarimax import SARIMAX
from threadpoolctl import threadpool_limits

from forecastkit.errors import ConfigError, DataError, NotFittedError
from forecastkit.forecasters.statistical import differencing as dif
from forecastkit.forecasters.statistical import order_selection as sel
from forecastkit.forecasters.statistical.arima import ARIMAForecaster
from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster
from forecastkit.forecasters.statistical.transform_choice import original_scale_ic
from forecastkit.forecasters.registry import make_forecaster

AIRLINE = Path(__file__).resolve().parents[3] / "datasets" / "airline-passengers.csv"
AIRLINE_ORDER = {"order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12)}


@pytest.fixture(scope="module")
def airline() -> pd.DataFrame:
    df = pd.read_csv(AIRLINE)
    idx = pd.date_range("1949-01-01", periods=len(df), freq="MS")
    return pd.DataFrame({"Passengers": df["Passengers"].to_numpy(dtype=float)}, index=idx)


def direct(endog, order, seasonal_order=(0, 0, 0, 0), trend=None, exog=None, **kw):
    """statsmodels called directly, with the estimation settings the forecaster documents."""
    # one BLAS thread, as the library fits: multithreaded BLAS on tiny matrices is only contention
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        model = SARIMAX(endog, exog=exog, order=order, seasonal_order=seasonal_order, trend=trend, **kw)
        return model.fit(disp=False)


def ar1(n, phi=0.7, c=0.0, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n + 50)
    x = np.zeros(n + 50)
    for t in range(1, n + 50):
        x[t] = c + phi * x[t - 1] + e[t]
    return x[50:]


def monthly(values, start="2000-01", name="y"):
    return pd.DataFrame({name: np.asarray(values, dtype=float)}, index=pd.date_range(start, periods=len(values), freq="MS"))


# ----------------------------------------------------------------------------- known answers
def test_airline_log_model_matches_statsmodels_and_published_mape(airline):
    train, test = airline.iloc[:132], airline["Passengers"].to_numpy()[132:]
    f = ARIMAForecaster(**AIRLINE_ORDER, transform="log").fit(train)
    got = f.predict(12)["Passengers"].to_numpy()

    res = direct(np.log(train["Passengers"].to_numpy()), concentrate_scale=True, **AIRLINE_ORDER)
    np.testing.assert_allclose(got, np.exp(res.forecast(12)), rtol=1e-6)
    # statsmodels' default parameterisation (variance not concentrated) finds the same optimum
    res_default = direct(np.log(train["Passengers"].to_numpy()), **AIRLINE_ORDER)
    np.testing.assert_allclose(got, np.exp(res_default.forecast(12)), rtol=1e-3)
    # the classic airline result: median back-transform, MAPE 2.90 %, RMSE 18.6
    mape = np.mean(np.abs(got - test) / test) * 100
    rmse = math.sqrt(np.mean((got - test) ** 2))
    assert 2.85 <= mape <= 2.95, mape
    assert 18.5 <= rmse <= 18.7, rmse
    assert f.order_ == (0, 1, 1) and f.seasonal_order_ == (0, 1, 1, 12)
    assert f.converged_ is True and np.isfinite(f.aicc_)


def test_intervals_are_statsmodels_bounds_back_transformed(airline):
    train = airline.iloc[:132]
    f = ARIMAForecaster(**AIRLINE_ORDER, transform="log").fit(train)
    out = f.predict_interval(12, level=0.8)
    fc = direct(np.log(train["Passengers"].to_numpy()), concentrate_scale=True, **AIRLINE_ORDER).get_forecast(12)
    ci = np.exp(fc.conf_int(alpha=0.2))
    np.testing.assert_allclose(out["Passengers_lower"], ci[:, 0], rtol=1e-6)
    np.testing.assert_allclose(out["Passengers_upper"], ci[:, 1], rtol=1e-6)
    wide = f.predict_interval(12, level=0.95)
    assert (wide["Passengers_lower"] < out["Passengers_lower"]).all()
    assert (wide["Passengers_upper"] > out["Passengers_upper"]).all()


def test_nonseasonal_arima_with_drift_matches_statsmodels():
    y = np.cumsum(0.3 + ar1(120, phi=0.5, seed=3))
    f = ARIMAForecaster(order=(1, 1, 1), trend="c").fit(monthly(y))
    res = direct(y, (1, 1, 1), trend="c", concentrate_scale=True)
    np.testing.assert_allclose(f.predict(8)["y"], res.forecast(8), rtol=1e-6)
    out = f.predict_interval(8, level=0.9)
    ci = res.get_forecast(8).conf_int(alpha=0.1)
    np.testing.assert_allclose(out[["y_lower", "y_upper"]].to_numpy(), ci, rtol=1e-6)
    assert f.trend_ == "c"


def test_predict_index_continues_monthly_frequency(airline):
    f = ARIMAForecaster(order=(1, 1, 0)).fit(airline)
    out = f.predict(3)
    assert list(out.index) == list(pd.date_range("1961-01-01", periods=3, freq="MS"))
    assert list(out.columns) == ["Passengers"]


def test_multivariate_targets_fit_one_model_each():
    Y = pd.concat([monthly(ar1(80, 0.6, seed=1), name="a"), monthly(ar1(80, -0.4, seed=2), name="b")], axis=1)
    f = ARIMAForecaster(order=(1, 0, 0)).fit(Y)
    out = f.predict_interval(5)
    assert set(f.results_) == {"a", "b"} and isinstance(f.aicc_, dict)
    for col in ("a", "b"):
        single = ARIMAForecaster(order=(1, 0, 0)).fit(Y[[col]]).predict_interval(5)
        np.testing.assert_allclose(out[[col, f"{col}_lower", f"{col}_upper"]], single, rtol=1e-9)
    phi = {t: f.results_[t].params[0] for t in ("a", "b")}
    assert phi["a"] > 0.3 and phi["b"] < -0.1


# ----------------------------------------------------------------------------- transforms
def test_log_transform_round_trip():
    x = 3.0 + 0.1 * ar1(90, 0.8, seed=4)
    y = np.exp(x)
    on_log = ARIMAForecaster(order=(1, 0, 0), trend="c").fit(monthly(x)).predict_interval(6)
    logged = ARIMAForecaster(order=(1, 0, 0), trend="c", transform="log").fit(monthly(y)).predict_interval(6)
    np.testing.assert_allclose(logged.to_numpy(), np.exp(on_log.to_numpy()), rtol=1e-7)


def test_boxcox_lambda_estimated_by_mle_and_inverted():
    y = np.exp(2.0 + 0.2 * ar1(90, 0.7, seed=5)) + 1.0
    f = ARIMAForecaster(order=(1, 0, 0), trend="c", transform="boxcox").fit(monthly(y))
    lam = scipy_boxcox(y)[1]
    assert f.boxcox_lambda_ == pytest.approx(lam, rel=1e-6)
    z = (y**lam - 1) / lam
    on_z = ARIMAForecaster(order=(1, 0, 0), trend="c").fit(monthly(z)).predict(4)["y"].to_numpy()
    np.testing.assert_allclose(f.predict(4)["y"], (lam * on_z + 1) ** (1 / lam), rtol=1e-7)
    fixed = ARIMAForecaster(order=(1, 0, 0), transform="boxcox", boxcox_lambda=0.5).fit(monthly(y))
    assert fixed.boxcox_lambda_ == 0.5


def test_transform_audit_reports_training_span_only():
    y = np.exp(1.0 + 0.1 * ar1(100, 0.5, seed=6))
    full = monthly(y)
    f = ARIMAForecaster(order=(1, 0, 0), transform="boxcox").fit(full.iloc[:80])
    audit = f.fit_audit()
    entry = audit["transforms"]["boxcox"]
    assert entry["fit_start"] == "2000-01-01 00:00:00" and entry["fit_end"] == str(full.index[79])
    assert entry["n_rows"] == 80
    lam = entry["params"]["lambda"]["y"]
    # poisoning the rows after the training slice cannot move the fitted lambda
    poisoned = full.copy()
    poisoned.iloc[80:] = 1e6
    again = ARIMAForecaster(order=(1, 0, 0), transform="boxcox").fit(poisoned.iloc[:80])
    assert again.fit_audit()["transforms"]["boxcox"]["params"]["lambda"]["y"] == lam
    # update moves the history, not the transform's fit span
    f.update(full.iloc[:95])
    assert f.fit_audit()["fit_end"] == str(full.index[94])
    assert f.fit_audit()["transforms"]["boxcox"]["fit_end"] == str(full.index[79])
    assert ARIMAForecaster(order=(1, 0, 0)).fit(full).fit_audit()["transforms"] == {}


# ----------------------------------------------------------------------------- update
def test_update_forecasts_from_new_origin_like_statsmodels_apply(airline):
    logy = np.log(airline["Passengers"].to_numpy())
    f = ARIMAForecaster(**AIRLINE_ORDER, transform="log").fit(airline.iloc[:100])
    fitted_params = f.results_["Passengers"].params.copy()
    f.update(airline.iloc[:120])
    res = direct(logy[:100], concentrate_scale=True, **AIRLINE_ORDER)
    applied = res.apply(logy[:120], refit=False)
    np.testing.assert_allclose(f.predict(6)["Passengers"], np.exp(applied.forecast(6)), rtol=1e-6)
    assert f.predict(1).index[0] == airline.index[120]
    # parameters are kept, the innovation variance included
    np.testing.assert_allclose(f.results_["Passengers"].params[:-1], fitted_params)
    assert f.results_["Passengers"].params[-1] == pytest.approx(res.scale)
    # continuing the history filters only the new rows: same answer as one update
    f.update(airline.iloc[:121])
    f.update(airline.iloc[:130])
    once = ARIMAForecaster(**AIRLINE_ORDER, transform="log").fit(airline.iloc[:100]).update(airline.iloc[:130])
    np.testing.assert_allclose(f.predict_interval(4).to_numpy(), once.predict_interval(4).to_numpy(), rtol=1e-9)
    # a rolling window (history not continuing the old one) works too
    f.update(airline.iloc[10:125])
    assert f.predict(1).index[0] == airline.index[125]


# ----------------------------------------------------------------------------- covariates
def test_future_known_exog_matches_statsmodels_and_checks_horizon():
    rng = np.random.default_rng(7)
    x = rng.normal(size=110)
    y = 2.0 * x + ar1(110, 0.5, seed=8)
    idx = pd.date_range("2001-01-01", periods=110, freq="MS")
    Y, X = pd.DataFrame({"y": y}, index=idx), pd.DataFrame({"x": x}, index=idx)
    f = ARIMAForecaster(order=(1, 0, 0), future_known=["x"]).fit(Y.iloc[:100], X.iloc[:100])
    got = f.predict(10, X=X.iloc[100:])
    res = direct(y[:100], (1, 0, 0), exog=x[:100, None], concentrate_scale=True)
    np.testing.assert_allclose(got["y"], res.forecast(10, exog=x[100:, None]), rtol=1e-6)
    assert f.exog_names_ == ["x"] and abs(f.results_["y"].params[0] - 2.0) < 0.3
    with pytest.raises(DataError, match=r"covariate 'x' is 2 step\(s\) short of the 10-step horizon"):
        f.predict(10, X=X.iloc[100:108])
    with pytest.raises(DataError, match=r"future-known covariates \['x'\] must be given"):
        f.predict(3)


def test_calendar_features_as_exog():
    from forecastkit.forecasters.covariates import calendar_features

    t = np.arange(96)
    y = 5 + 2 * np.sin(2 * np.pi * t / 12) + 0.3 * ar1(96, 0.5, seed=9)
    Y = monthly(y)
    f = ARIMAForecaster(order=(1, 0, 0), trend="c", calendar=["month"]).fit(Y)
    assert f.exog_names_ == ["month_sin", "month_cos"]
    cal = calendar_features(Y.index, ["month"]).to_numpy()
    future = calendar_features(pd.date_range("2008-01-01", periods=12, freq="MS"), ["month"]).to_numpy()
    res = direct(y, (1, 0, 0), trend="c", exog=cal, concentrate_scale=True)
    np.testing.assert_allclose(f.predict(12)["y"], res.forecast(12, exog=future), rtol=1e-6)


# ----------------------------------------------------------------------------- bad input
def test_bad_input_is_named():
    y = monthly(ar1(40, seed=10))
    with pytest.raises(NotFittedError, match="ARIMAForecaster is not fitted"):
        ARIMAForecaster().predict(3)
    f = ARIMAForecaster(order=(1, 0, 0)).fit(y)
    with pytest.raises(DataError, match="h must be >= 1, got 0"):
        f.predict(0)
    with pytest.raises(ConfigError, match=r"order \(p, d, q\) must be 3 non-negative integers, got \(1, -1, 0\)"):
        ARIMAForecaster(order=(1, -1, 0)).fit(y)
    with pytest.raises(ConfigError, match="m must be >= 2"):
        ARIMAForecaster(seasonal_order=(1, 0, 0, 1)).fit(y)
    with pytest.raises(ConfigError, match="unknown transform 'sqrt'"):
        ARIMAForecaster(transform="sqrt").fit(y)
    with pytest.raises(DataError, match="transform='log' needs strictly positive values, but target 'y'"):
        ARIMAForecaster(transform="log").fit(y)
    with pytest.raises(ConfigError, match="trend must be"):
        ARIMAForecaster(trend="quadratic").fit(y)
    with pytest.raises(ConfigError, match="simple_differencing=True is not supported"):
        ARIMAForecaster(method_kwargs={"simple_differencing": True}).fit(y)
    with pytest.raises(DataError, match="at least 28 observations"):
        ARIMAForecaster(**AIRLINE_ORDER).fit(y.iloc[:20])
    X = pd.DataFrame({"temp": np.ones(40)}, index=y.index)
    with pytest.raises(DataError, match=r"cannot use past covariates \['temp'\]"):
        ARIMAForecaster().fit(y, X)


def test_registry_builds_arima_types():
    f = make_forecaster("arima", order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), transform="log")
    assert isinstance(f, ARIMAForecaster) and f.transform == "log"
    assert isinstance(make_forecaster("auto_arima", season_length=12), AutoARIMAForecaster)
    assert ARIMAForecaster.tags()["future_covariates"] and not ARIMAForecaster.tags()["past_covariates"]


# ----------------------------------------------------------------------------- order selection
def test_unit_root_and_seasonal_tests():
    rng = np.random.default_rng(11)
    walk = np.cumsum(rng.normal(size=200))
    assert dif.ndiffs(walk) == 1
    assert dif.ndiffs(rng.normal(size=200)) == 0
    assert dif.ndiffs(np.cumsum(walk)) == 2
    t = np.arange(96)
    seasonal = 10 * np.sin(2 * np.pi * t / 12) + rng.normal(size=96)
    assert dif.seasonal_strength(seasonal, 12) > 0.9
    assert dif.seasonal_strength(rng.normal(size=96), 12) < 0.64
    assert dif.nsdiffs(seasonal, 12) == 1 and dif.nsdiffs(rng.normal(size=96), 12) == 0
    stat, crit = dif.ocsb_statistic(seasonal_walk(rng), 12)
    assert crit == pytest.approx(-1.8029628, abs=1e-6) and stat > crit  # seasonal unit root kept
    stat, _ = dif.ocsb_statistic(rng.normal(size=120), 12)
    assert stat < crit


def seasonal_walk(rng, n=96, m=12):
    """x_t = x_{t-m} + e_t: a seasonal random walk (a seasonal unit root)."""
    x = np.zeros(n)
    x[:m] = 5 * rng.normal(size=m)
    for t in range(m, n):
        x[t] = x[t - m] + rng.normal()
    return x


def test_stepwise_search_walks_to_the_minimum():
    calls = []

    def evaluate(order, seasonal_order, constant):
        calls.append((order, seasonal_order, constant))
        p, _, q = order
        P, _, Q, _ = seasonal_order
        return (p - 1) ** 2 + (q - 3) ** 2 + 2 * P + (Q - 1) ** 2 + (0.5 if constant else 0.0)

    best, ic, tried = sel.search_orders(
        evaluate, d=1, D=1, m=12, max_p=5, max_q=5, max_P=2, max_Q=2, constant=True, toggle_constant=True
    )
    assert best == (1, 3, 0, 1, False) and ic == 0.0
    # Hyndman-Khandakar starting models come first
    assert calls[:5] == [
        ((2, 1, 2), (1, 1, 1, 12), True), ((0, 1, 0), (0, 1, 0, 12), True),
        ((1, 1, 0), (1, 1, 0, 12), True), ((0, 1, 1), (0, 1, 1, 12), True), ((0, 1, 0), (0, 1, 0, 12), False),
    ]
    assert len(tried) == len({k for k, _ in tried}) == len(calls)
    # bounds hold; the exhaustive search respects p + q + P + Q <= 5
    assert all(k[0] <= 5 and k[1] <= 5 and k[2] <= 2 and k[3] <= 2 for k, _ in tried)
    best, _, tried = sel.search_orders(
        evaluate, d=0, D=0, m=1, max_p=3, max_q=3, max_P=0, max_Q=0, constant=False,
        toggle_constant=False, stepwise=False,
    )
    assert best == (1, 3, 0, 0, False) and all(sum(k[:4]) <= 5 for k, _ in tried)


def test_auto_arima_recovers_differencing_orders():
    rng = np.random.default_rng(12)
    walk = AutoARIMAForecaster().fit(monthly(np.cumsum(rng.normal(size=150))))
    assert walk.d_ == 1 and walk.D_ == 0
    stationary = AutoARIMAForecaster().fit(monthly(ar1(150, 0.7, seed=13)))
    assert stationary.d_ == 0 and stationary.order_[0] >= 1
    assert stationary.n_fits_ == len(stationary.search_)
    assert min(s[3] for s in stationary.search_) == pytest.approx(stationary.aicc_, abs=0.5)
    quarterly = pd.DataFrame(
        {"y": 50 + seasonal_walk(rng, n=80, m=4) + 8 * np.tile([1.0, -2.0, 3.0, -2.0], 20)},
        index=pd.date_range("1990-01-01", periods=80, freq="QS"),
    )
    seasonal = AutoARIMAForecaster(season_length=4, max_p=2, max_q=2).fit(quarterly)
    assert seasonal.D_ == 1 and seasonal.seasonal_order_[3] == 4
    # it behaves like the ARIMA it chose
    inner = seasonal.model_
    assert isinstance(inner, ARIMAForecaster) and inner.order_ == seasonal.order_
    np.testing.assert_allclose(seasonal.predict(6)["y"], inner.predict(6)["y"])
    iv = seasonal.predict_interval(6)
    assert (iv["y_lower"] < iv["y"]).all() and (iv["y"] < iv["y_upper"]).all()
    seasonal.update(quarterly.iloc[:76])
    assert seasonal.predict(1).index[0] == quarterly.index[76]
    np.testing.assert_allclose(seasonal.predict(4)["y"], seasonal.model_.predict(4)["y"])


def test_auto_arima_log_airline_picks_the_airline_model(airline):
    f = AutoARIMAForecaster(season_length=12, transform="log").fit(airline.iloc[:132])
    assert f.order_ == (0, 1, 1) and f.seasonal_order_ == (0, 1, 1, 12) and f.trend_ == "n"
    test = airline["Passengers"].to_numpy()[132:]
    mape = np.mean(np.abs(f.predict(12)["Passengers"].to_numpy() - test) / test) * 100
    assert mape <= 3.5


def test_auto_arima_bad_settings_are_named():
    y = monthly(ar1(40, seed=14))
    with pytest.raises(ConfigError, match="seasonal_test must be 'seas' or 'ocsb', got 'ch'"):
        AutoARIMAForecaster(seasonal_test="ch").fit(y)
    with pytest.raises(ConfigError, match="max_p must be a non-negative integer, got -1"):
        AutoARIMAForecaster(max_p=-1).fit(y)
    with pytest.raises(ConfigError, match="information_criterion"):
        AutoARIMAForecaster(information_criterion="hqic").fit(y)
    with pytest.raises(NotFittedError):
        AutoARIMAForecaster().predict_interval(2)


def test_boxcox_inverse_maps_out_of_range_to_the_bounds():
    from forecastkit.forecasters.statistical.transforms import forward, inverse

    y = np.array([0.5, 1.0, 4.0])
    for lam in (0.5, -0.5, 0.0):
        np.testing.assert_allclose(inverse(forward(y, "boxcox", lam), "boxcox", lam), y)
    assert inverse(np.array([-3.0]), "boxcox", 0.5)[0] == 0.0  # below the range: the lower bound 0
    assert inverse(np.array([3.0]), "boxcox", -0.5)[0] == np.inf  # above the range: unbounded


def test_auto_arima_is_quiet_multivariate_and_audited():
    rng = np.random.default_rng(15)
    Y = pd.DataFrame(
        {"a": np.exp(0.05 * np.cumsum(rng.normal(size=60))) * 10, "b": 20 + ar1(60, 0.6, seed=16)},
        index=pd.date_range("2000-01-01", periods=60, freq="MS"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # convergence chatter must not leak out of the library
        f = AutoARIMAForecaster(transform="log", max_p=2, max_q=2).fit(Y)
    assert set(f.order_) == {"a", "b"} and f.d_["a"] == 1 and f.d_["b"] == 0
    out = f.predict(3)
    assert list(out.columns) == ["a", "b"]
    for t in ("a", "b"):
        np.testing.assert_allclose(out[t], f.model_[t].predict(3)[t])
    audit = f.fit_audit()["transforms"]["log"]
    assert audit["fit_end"] == str(Y.index[-1]) and audit["n_rows"] == 60


def test_time_trend_continues_after_a_rolling_update():
    t = np.arange(100, dtype=float)
    y = monthly(5.0 + 0.5 * t + ar1(100, 0.3, seed=17))
    f = ARIMAForecaster(order=(1, 0, 0), trend="ct").fit(y.iloc[:80])
    slope = f.results_["y"].params[1]
    f.update(y.iloc[15:95])  # the window moved on by 15 rows
    once = ARIMAForecaster(order=(1, 0, 0), trend="ct").fit(y.iloc[:80]).update(y.iloc[:95])
    np.testing.assert_allclose(f.predict(5)["y"], once.predict(5)["y"], rtol=1e-3)
    assert f.predict(1)["y"].iloc[0] == pytest.approx(5.0 + 0.5 * 95, abs=4 * slope + 3)


# ----------------------------------------------------------------------------- transform="auto"
def quarterly_pair(seed=0, n=64):
    """The same seasonal pattern and AR(1) noise, added to a level rising from 20 to ~85
    (constant variance) or multiplying an exponential trend (variance growing with the level)."""
    t = np.arange(n)
    e = ar1(n, 0.5, seed=seed)
    season = np.tile([6.0, -3.0, 9.0, -12.0], n // 4)
    idx = pd.date_range("1990-01-01", periods=n, freq="QS")
    additive = pd.DataFrame({"y": 20 + t + season + 2 * e}, index=idx)
    # growth of 5 % a quarter and a seasonal swing of +-100 %: the forecasts, not only the
    # noise, are multiplicative (a milder one is a coin flip for point forecasts)
    multiplicative = pd.DataFrame({"y": np.exp(2 + 0.05 * t + season / 12 + 0.05 * e)}, index=idx)
    return additive, multiplicative


def test_auto_transform_picks_log_on_airline_and_follows_it(airline):
    train, test = airline.iloc[:132], airline["Passengers"].to_numpy()[132:]
    f = AutoARIMAForecaster(season_length=12, transform="auto").fit(train)
    assert f.transform == "auto" and AutoARIMAForecaster(transform=None).transform is None  # stored as given
    assert f.transform_ == "log" and set(f.transform_scores_) == {None, "log"}
    assert f.order_ == (0, 1, 1) and f.seasonal_order_ == (0, 1, 1, 12)
    # chosen by the in-sample one-step MAE on the original scale (passengers)
    assert 5 < f.transform_scores_["log"] < f.transform_scores_[None] < 12
    # the diagnostic AICc on the original scale: no transform is the plain search's
    # criterion; the log one adds 2 sum(log y) over the rows its likelihood covers
    # (after the first d + D m = 13)
    plain = AutoARIMAForecaster(season_length=12, transform=None).fit(train)
    assert plain.order_ == (1, 1, 0) and plain.transform_ is None
    assert f.transform_ic_[None] == pytest.approx(plain.transform_ic_[None], rel=1e-9)
    assert f.transform_ic_[None] == pytest.approx(plain.aicc_, abs=1e-3)
    jacobian = 2 * np.log(train["Passengers"].to_numpy()[13:]).sum()
    assert f.transform_ic_["log"] == pytest.approx(f.aicc_ + jacobian, abs=1e-2)
    # predictions, intervals, update and audit are those of the inner log model
    assert f.model_.transform == "log"
    got = f.predict(12)["Passengers"].to_numpy()
    assert 2.85 <= np.mean(np.abs(got - test) / test) * 100 <= 2.95
    iv = f.predict_interval(12, level=0.9)
    np.testing.assert_allclose(iv.to_numpy(), f.model_.predict_interval(12, level=0.9).to_numpy())
    assert f.fit_audit()["transforms"]["log"]["n_rows"] == 132
    f.update(airline.iloc[:138])
    np.testing.assert_allclose(f.predict(6)["Passengers"], f.model_.predict(6)["Passengers"])


def test_auto_transform_none_on_additive_log_on_multiplicative():
    additive, multiplicative = quarterly_pair()
    small = {"season_length": 4, "max_p": 1, "max_q": 1, "max_P": 1, "max_Q": 1, "transform": "auto"}
    add = AutoARIMAForecaster(**small).fit(additive)
    assert add.transform_ is None and add.model_.transform is None
    # a spread that does not grow with the level: the log is not even searched
    assert add.guerrero_lambda_ >= 0.5 and set(add.transform_scores_) == {None}
    assert add.fit_audit()["transforms"] == {}
    mult = AutoARIMAForecaster(**small).fit(multiplicative)
    assert mult.transform_ == "log" and mult.model_.transform == "log"
    assert mult.transform_scores_[None] > mult.transform_scores_["log"]
    assert mult.transform_ic_[None] > mult.transform_ic_["log"] + 20 and mult.guerrero_lambda_ < 0.5
    # per target with several columns; a series with a non-positive value is not logged
    both = pd.concat([additive, multiplicative.rename(columns={"y": "m"}), additive.rename(columns={"y": "z"}) - 30], axis=1)
    f = AutoARIMAForecaster(**small).fit(both)
    assert f.transform_ == {"y": None, "m": "log", "z": None}
    assert set(f.transform_scores_["z"]) == {None}
    assert f.transform_scores_["m"] == pytest.approx(mult.transform_scores_, rel=1e-6)
    assert list(f.fit_audit()["transforms"]) == ["log"]


def test_auto_transform_scores_are_original_scale_likelihoods():
    """Known answers: i.i.d. normal vs lognormal (d = 0 for both), then a common row
    set when the candidates difference differently (d = 0 vs d = 1)."""
    from scipy.stats import lognorm, norm
    from statsmodels.tools.eval_measures import aicc

    from forecastkit.forecasters.statistical._common import fit_sarimax

    rng = np.random.default_rng(18)
    y = np.exp(2.0 + 0.4 * rng.normal(size=60))
    zero = {"max_p": 0, "max_q": 0, "max_P": 0, "max_Q": 0, "d": 0, "trend": "c", "transform": "auto"}
    f = AutoARIMAForecaster(**zero).fit(monthly(y))
    lz = np.log(y)
    ll_log = lognorm.logpdf(y, s=lz.std(), scale=np.exp(lz.mean())).sum()
    ll_raw = norm.logpdf(y, y.mean(), y.std()).sum()
    assert f.transform_ic_["log"] == pytest.approx(aicc(ll_log, 60, 2), rel=1e-7)  # mean + variance
    assert f.transform_ic_[None] == pytest.approx(aicc(ll_raw, 60, 2), rel=1e-7)

    bounds = {"m": 1, "D": 0, "max_p": 0, "max_q": 0, "max_P": 0, "max_Q": 0, "max_d": 1, "max_D": 0}
    choices = {
        None: sel.select_order(y, None, fit_sarimax, d=0, trend="c", **bounds),
        "log": sel.select_order(lz, None, fit_sarimax, d=1, trend="n", **bounds),
    }
    scores = original_scale_ic(y, choices, "aicc")
    # both scored on rows 1..59: the i.i.d. model keeps its full-sample estimates;
    # the random walk on log is N(0, s2) increments, less the Jacobian of rows 1..59
    dz = np.diff(lz)
    ll_walk = norm.logpdf(dz, 0.0, np.sqrt(np.mean(dz**2))).sum() - lz[1:].sum()
    assert scores[None] == pytest.approx(aicc(norm.logpdf(y[1:], y.mean(), y.std()).sum(), 59, 2), rel=1e-7)
    assert scores["log"] == pytest.approx(aicc(ll_walk, 59, 1), rel=1e-7)


def test_auto_transform_bad_settings_are_named():
    y = monthly(ar1(40, seed=19))
    with pytest.raises(ConfigError, match=r"boxcox_lambda=0.5 needs transform='boxcox', got transform='auto'"):
        AutoARIMAForecaster(transform="auto", boxcox_lambda=0.5).fit(y)
    with pytest.raises(ConfigError, match=r"unknown transform 'sqrt'; valid: \['log', 'boxcox', 'auto'\]"):
        AutoARIMAForecaster(transform="sqrt").fit(y)
    with pytest.raises(ConfigError, match="unknown transform 'auto'"):  # a fixed-order model has nothing to choose by
        ARIMAForecaster(transform="auto").fit(y)
    fixed = AutoARIMAForecaster(transform="log", max_p=1, max_q=1).fit(np.exp(0.1 * y))
    assert fixed.transform_ == "log" and set(fixed.transform_scores_) == {"log"}


def test_log_jacobian_matches_numeric_derivative():
    from forecastkit.forecasters.statistical.transforms import forward, log_jacobian

    y = np.array([0.5, 2.0, 7.0])
    for tf, lam in (("log", None), ("boxcox", 0.3), ("boxcox", -0.5), ("boxcox", 0.0)):
        eps = 1e-6
        numeric = np.log((forward(y + eps, tf, lam) - forward(y - eps, tf, lam)) / (2 * eps)).sum()
        assert log_jacobian(y, tf, lam) == pytest.approx(numeric, rel=1e-6)
    assert log_jacobian(y, None, None) == 0.0
