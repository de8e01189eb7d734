"""The four Theta models of Fiorucci et al. (2016) and ``theta``'s AutoTheta-style choice:
the vectorised filter against a step-by-step reference of the paper's recursions, the
estimation against a brute-force optimiser, known answers on a trend, the seasonal
decision, update and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.errors import ConfigError
from forecastkit.forecasters.statistical.theta import ThetaForecaster
from forecastkit.forecasters.statistical.theta_models import (
    MODELS,
    fit_theta_model,
    theta_filter,
    theta_forecast,
)

PATTERN = np.array([0.8, 0.9, 1.0, 1.1, 1.3, 1.2, 1.1, 1.0, 0.9, 0.85, 0.9, 0.95])


def monthly(values) -> pd.DataFrame:
    return pd.DataFrame({"y": np.asarray(values, float)},
                        index=pd.date_range("2000-01-01", periods=len(values), freq="MS"))


def reference(y, variant, alpha, theta, level0, h):
    """The paper's recursions one observation at a time: one-step errors, SSE from the
    fourth observation, then ``h`` forecasts fed back as observations."""
    dynamic = MODELS[variant][0]
    n, w = len(y), 1 - 1 / theta
    t = np.arange(1, n + 1)
    slope = np.polyfit(t, y, 1)[0]
    a, b = (y[0], 0.0) if dynamic else (np.mean(y) - slope * (n + 1) / 2, slope)
    level, mean = alpha * y[0] + (1 - alpha) * level0, y[0]
    errors, out = [0.0], []
    for i in range(1, n + h):
        mu = level + w * (a * (1 - alpha) ** i + b * (1 - (1 - alpha) ** (i + 1)) / alpha)
        obs = y[i] if i < n else mu
        if i < n:
            errors.append(obs - mu)
        else:
            out.append(mu)
        level = alpha * obs + (1 - alpha) * level
        if dynamic:
            b = ((i - 1) * b + 6 * (obs - mean) / (i + 1)) / (i + 2)
        mean = (i * mean + obs) / (i + 1)
        if dynamic:
            a = mean - b * (i + 2) / 2
    errors = np.array(errors)
    return errors, float(np.sum(errors[3:] ** 2)), np.array(out)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 60), variant=st.sampled_from(sorted(MODELS)),
       alpha=st.floats(0.1, 0.99), theta=st.floats(1.0, 8.0), level0=st.floats(-50, 50))
def test_filter_and_forecast_match_the_step_by_step_recursions(seed, n, variant, alpha, theta, level0):
    y = 20 + np.random.default_rng(seed).normal(0.2, 1.5, n).cumsum()
    fit = theta_filter(y, variant, alpha, theta, level0)
    errors, sse, fc = reference(y, variant, alpha, theta, level0, 7)
    np.testing.assert_allclose(fit.residuals, errors, atol=1e-8)
    assert fit.sse == pytest.approx(sse, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(theta_forecast(variant, alpha, theta, fit.state, n, 7), fc, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("variant", sorted(MODELS))
def test_estimation_beats_a_brute_force_optimiser(variant):
    from scipy.optimize import minimize

    y = 30 + np.random.default_rng(4).normal(0.4, 2.0, 50).cumsum()
    fit = fit_theta_model(y, variant)
    estimate = MODELS[variant][1]

    def sse(p):
        alpha, level0 = p[0], p[1]
        theta = 1 + abs(p[2]) if estimate else 2.0
        return theta_filter(y, variant, alpha, theta, level0).sse if 0.1 <= alpha <= 0.99 else 1e12

    starts = [[a, y[0] / 2, 1.0] for a in (0.2, 0.5, 0.9)]
    brute = min(minimize(sse, s, method="Nelder-Mead", options={"maxiter": 2000, "xatol": 1e-8}).fun
                for s in starts)
    assert fit.sse <= brute * (1 + 1e-6)
    assert 0.1 <= fit.alpha <= 0.99 and fit.theta >= 1
    if not estimate:
        assert fit.theta == 2.0


def test_optimised_theta_recovers_a_linear_trend():
    # a line plus noise: the standard method halves the slope, the optimised one keeps it
    rng = np.random.default_rng(11)
    y = 10 + 0.5 * np.arange(120) + rng.normal(0, 0.5, 120)
    opt = ThetaForecaster(variant="optimized").fit(monthly(y))
    std = ThetaForecaster(variant="dynamic").fit(monthly(y))
    f_opt, f_std = opt.predict(24)["y"].to_numpy(), std.predict(24)["y"].to_numpy()
    assert np.mean(np.diff(f_opt)) == pytest.approx(0.5, abs=0.03)
    assert np.mean(np.diff(f_std)) < 0.4
    truth = 10 + 0.5 * np.arange(120, 144)
    assert np.max(np.abs(f_opt - truth)) < 1.5
    assert opt.fitted_info()["theta"] > 2.5 and std.fitted_info()["theta"] == 2.0


def test_auto_keeps_the_lowest_in_sample_mse_and_reports_it():
    y = monthly(200 * np.tile(PATTERN, 8) * (1 + 0.01 * np.arange(96)))
    model = ThetaForecaster(season_length=12).fit(y)
    info = model.fitted_info()
    mse = info["in_sample_mse"]
    assert set(mse) == set(MODELS) and info["variant"] == min(mse, key=mse.get)
    assert info["deseasonalized"] == "multiplicative"
    single = ThetaForecaster(season_length=12, variant=info["variant"]).fit(y)
    pd.testing.assert_frame_equal(single.predict(12), model.predict(12))
    assert single.fitted_info()["in_sample_mse"] == {info["variant"]: mse[info["variant"]]}


def test_the_choice_sees_only_the_rows_it_is_fitted_on():
    rng = np.random.default_rng(2)
    y = 100 + rng.normal(0.5, 3, 90).cumsum()
    other = y.copy()
    other[60:] = other[60:] * 3 - 500  # a different future after the origin
    a = ThetaForecaster().fit(monthly(y).iloc[:60])
    b = ThetaForecaster().fit(monthly(other).iloc[:60])
    assert a.fitted_info() == b.fitted_info()
    pd.testing.assert_frame_equal(a.predict(12), b.predict(12))


def test_additive_decomposition_when_values_are_not_positive():
    y = 5 * np.tile(PATTERN - 1.0, 8) + 0.01 * np.arange(96)  # crosses zero
    info = ThetaForecaster(season_length=12).fit(monthly(y)).fitted_info()
    assert info["deseasonalized"] == "additive"


def test_no_seasonality_on_white_noise_or_short_series():
    rng = np.random.default_rng(0)
    noise = monthly(100 + rng.normal(0, 1, 60))
    assert ThetaForecaster(season_length=12).fit(noise).fitted_info()["deseasonalized"] is None
    short = monthly(100 * PATTERN[:10])  # less than two seasons
    assert ThetaForecaster(season_length=12).fit(short).fitted_info()["deseasonalized"] is None


@pytest.mark.parametrize("variant", ["auto", "dynamic_optimized"])
def test_update_keeps_the_parameters_and_moves_the_origin(variant):
    rng = np.random.default_rng(6)
    y = monthly(200 * np.tile(PATTERN, 10) * (1 + 0.005 * np.arange(120)) * (1 + rng.normal(0, 0.02, 120)))
    model = ThetaForecaster(season_length=12, variant=variant).fit(y.iloc[:-24])
    params = (model.variant_, model.alpha_, model.theta_)
    before = model.predict(6)
    model.update(y.iloc[:-24])  # the history it was fitted on: nothing changes
    pd.testing.assert_frame_equal(model.predict(6), before)
    model.update(y.iloc[:-12])
    assert (model.variant_, model.alpha_, model.theta_) == params
    got = model.predict(12)
    assert got.index[0] == y.index[-12]
    fresh = ThetaForecaster(season_length=12, variant=variant).fit(y.iloc[:-12]).predict(12)
    assert np.max(np.abs(got["y"].to_numpy() / fresh["y"].to_numpy() - 1)) < 0.05


def test_intervals_contain_the_forecast_and_widen():
    rng = np.random.default_rng(3)
    y = monthly(50 * np.tile(PATTERN, 6) * (1 + rng.normal(0, 0.03, 72)))
    iv = ThetaForecaster(season_length=12).fit(y).predict_interval(12, level=0.9)
    assert (iv["y_lower"] < iv["y"]).all() and (iv["y"] < iv["y_upper"]).all()
    width = ((iv["y_upper"] - iv["y_lower"]) / iv["y"]).to_numpy()  # relative: the season scales it
    assert np.all(np.diff(width) > 0)


def test_bad_variant_is_a_config_error():
    with pytest.raises(ConfigError, match="variant must be one of"):
        ThetaForecaster(variant="optimised").fit(monthly(np.arange(1.0, 30.0)))


def test_close_to_statsforecast_autotheta():
    sf = pytest.importorskip("statsforecast.models")
    rng = np.random.default_rng(5)
    t = np.arange(96)
    y = (200 + 1.5 * t + rng.normal(0, 5, 96)) * np.tile(PATTERN, 8)
    ours = ThetaForecaster(season_length=12).fit(monthly(y)).predict(12)["y"].to_numpy()
    theirs = sf.AutoTheta(season_length=12).forecast(y=y, h=12)["mean"]
    assert np.max(np.abs(ours - theirs) / theirs) < 0.03
