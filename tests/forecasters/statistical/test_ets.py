"""ETS: known answers (an exact multiplicative seasonal pattern), form selection,
update without re-estimation, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.statistical.ets import ETSForecaster


def frame(values, start="2000-01-01"):
    return pd.DataFrame({"y": np.asarray(values, dtype=float)},
                        index=pd.date_range(start, periods=len(values), freq="MS"))


def multiplicative(n):
    t = np.arange(n)
    return (100 + 2 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))


def test_exact_multiplicative_season_is_recovered():
    model = ETSForecaster(season_length=12).fit(frame(multiplicative(96)))
    info = model.fitted_info()
    assert info["form"] == "ETS(M,A,M)"
    truth = multiplicative(108)[96:]
    np.testing.assert_allclose(model.predict(12)["y"].to_numpy(), truth, rtol=1e-4)


def test_selection_prefers_no_season_on_a_noisy_level():
    rng = np.random.default_rng(0)
    model = ETSForecaster(season_length=12).fit(frame(50 + rng.normal(0, 1, 60)))
    assert model.form_ in ("ETS(A,N,N)", "ETS(M,N,N)")
    assert set(model.criteria_) >= {"ETS(A,N,N)", "ETS(A,A,A)", "ETS(M,Ad,M)"}


def test_seasonal_forms_need_two_full_seasons():
    model = ETSForecaster(season_length=12).fit(frame(multiplicative(20)))
    assert all(not f.endswith(",A)") and not f.endswith(",M)") for f in model.criteria_)
    with pytest.raises(DataError, match="at least 24"):
        ETSForecaster(season_length=12, seasonal="mul", error="mul").fit(frame(multiplicative(20)))


def test_multiplicative_forms_skip_non_positive_data():
    rng = np.random.default_rng(1)
    y = np.sin(np.arange(60)) + rng.normal(0, 0.1, 60)
    model = ETSForecaster(season_length=4).fit(frame(y))
    assert not any("M" in f for f in model.criteria_)


def test_fixed_multiplicative_form_on_zero_is_a_clear_error():
    y = multiplicative(48)
    y[5] = 0.0
    with pytest.raises(DataError, match=r"error='mul' needs strictly positive.*value 0 at 2000-06-01.*error='add'"):
        ETSForecaster(error="mul").fit(frame(y))
    with pytest.raises(DataError, match=r"seasonal='mul'"):
        ETSForecaster(season_length=12, seasonal="mul").fit(frame(y))


def test_fixed_form_and_bad_params():
    model = ETSForecaster(error="add", trend="damped", seasonal="none").fit(frame(multiplicative(48)))
    assert model.form_ == "ETS(A,Ad,N)" and "damping_trend" in model.params_
    with pytest.raises(ConfigError, match="trend must be one of"):
        ETSForecaster(trend="bogus").fit(frame(multiplicative(48)))
    with pytest.raises(ConfigError, match="unstable"):
        ETSForecaster(season_length=12, error="add", seasonal="mul").fit(frame(multiplicative(48)))


def test_update_keeps_the_parameters_and_moves_the_origin():
    y = frame(multiplicative(84) * (1 + np.random.default_rng(2).normal(0, 0.01, 84)))
    model = ETSForecaster(season_length=12).fit(y.iloc[:72])
    params = dict(model.params_)
    form = model.form_
    model.update(y)
    assert model.params_ == params and model.form_ == form
    assert model.predict(3).index[0] == pd.Timestamp("2007-01-01")
    np.testing.assert_allclose(np.asarray(model.results_["y"].params), model._params["y"])


def test_intervals_widen_with_level_and_contain_the_forecast():
    y = frame(multiplicative(72) * (1 + np.random.default_rng(3).normal(0, 0.02, 72)))
    model = ETSForecaster(season_length=12).fit(y)
    a, b = model.predict_interval(12, level=0.8), model.predict_interval(12, level=0.95)
    assert ((b["y_upper"] - b["y_lower"]) > (a["y_upper"] - a["y_lower"])).all()
    assert ((a["y_lower"] < a["y"]) & (a["y"] < a["y_upper"])).all()
    # deterministic (simulated intervals use a fixed random state)
    pd.testing.assert_frame_equal(b, model.predict_interval(12, level=0.95))


def test_heuristic_initial_states_estimate_only_the_smoothing_parameters():
    y = frame(multiplicative(72) * (1 + np.random.default_rng(4).normal(0, 0.01, 72)))
    model = ETSForecaster(season_length=12, initialization="heuristic").fit(y)
    res = model.results_["y"]
    assert res.model.initialization_method == "heuristic"
    assert not any(name.startswith("initial") for name in res.model.param_names)
    assert model.form_.endswith(",M)")
    with pytest.raises(ConfigError, match="initialization must be one of"):
        ETSForecaster(initialization="known").fit(y)


def test_heuristic_states_shared_across_forms_change_no_estimate():
    # the selection computes heuristic states once per (trend, season) pair and gives them
    # to the other forms as known states: every form's estimate and criterion must equal
    # a fit of that form alone (which computes its own states)
    y = frame(multiplicative(60) * (1 + np.random.default_rng(5).normal(0, 0.03, 60)))
    model = ETSForecaster(season_length=12, initialization="heuristic").fit(y)
    assert len(model.criteria_) >= 10
    for form, estimate in model._estimates["y"].items():
        error, trend, seasonal = form
        alone = ETSForecaster(season_length=12, initialization="heuristic", error=error, trend=trend,
                              seasonal=seasonal).fit(y)
        np.testing.assert_array_equal(alone._estimates["y"][form], estimate)
        assert alone.criteria_[next(iter(alone.criteria_))] == model.criteria_[next(iter(alone.criteria_))]
    assert model.results_["y"].model.initialization_method == "heuristic"


def test_calibration_copy_keeps_the_chosen_form():
    y = frame(multiplicative(72) * (1 + np.random.default_rng(6).normal(0, 0.02, 72)))
    model = ETSForecaster(season_length=12).fit(y)
    copy = model._structure_copy(y, None, 50)
    assert copy.form_ == model.form_ and len(copy._hist_y) == 50
    assert len(copy.criteria_) == 1  # one form estimated, no selection
    assert model._structure_copy(y, None, 20) is None  # too few rows for two seasons
    two = pd.concat([y, frame(np.random.default_rng(7).normal(50, 1, 72)).rename(columns={"y": "z"})], axis=1)
    both = ETSForecaster(season_length=12).fit(two)
    assert both.form_["y"] != both.form_["z"] and both._structure_copy(two, None, 50) is None


@pytest.mark.parametrize("kw", [{"error": "mul", "trend": "damped", "seasonal": "mul"},
                                {"error": "add", "trend": "add", "seasonal": "add"},
                                {"error": "mul", "trend": "add", "seasonal": "add", "initialization": "heuristic"}])
def test_forecasts_from_many_origins_equal_update_then_predict(kw):
    # simulated bands (multiplicative errors) and analytic ones (linear form)
    y = frame(multiplicative(60) * (1 + np.random.default_rng(5).normal(0, 0.03, 60)))
    model = ETSForecaster(season_length=12, **kw).fit(y.iloc[:36])
    origins = np.arange(36, 55)
    mean, lower, upper = model._forecast_origins(y, None, origins, 6, 0.8)
    assert mean.shape == lower.shape == (len(origins), 6, 1)
    for i, o in enumerate(origins):
        if o != origins[0]:
            model.update(y.iloc[:o])
        band = model.predict_interval(6, level=0.8)
        np.testing.assert_allclose(mean[i, :, 0], band["y"], rtol=1e-12)
        np.testing.assert_allclose(lower[i, :, 0], band["y_lower"], rtol=1e-12)
        np.testing.assert_allclose(upper[i, :, 0], band["y_upper"], rtol=1e-12)
    points = model._forecast_origins(y, None, origins, 6, None)
    np.testing.assert_array_equal(points[0], mean)
    assert points[1] is None
    with pytest.raises(DataError, match="do not fit"):
        model._forecast_origins(y, None, np.arange(2, 20), 6, None)


def test_update_keeps_heuristic_initial_states():
    y = frame(multiplicative(84) * (1 + np.random.default_rng(6).normal(0, 0.02, 84)))
    model = ETSForecaster(season_length=12, initialization="heuristic").fit(y.iloc[:30])
    fitted = model.results_["y"]
    model.update(y)  # the heuristic on 84 rows would give other initial states
    res = model.results_["y"]
    assert res.model.initialization_method == "known"
    np.testing.assert_array_equal(np.asarray(res.fittedvalues)[:30], np.asarray(fitted.fittedvalues))


def noisy(n, seed):
    return frame(multiplicative(n) * (1 + np.random.default_rng(seed).normal(0, 0.03, n)))


@pytest.mark.parametrize("seed", [0, 1])
def test_warm_start_from_the_previous_fold_needs_fewer_evaluations(monkeypatch, seed):
    # the same optimum here; on some series (seed 7 of this family) the warm start ends
    # in another local optimum of the 17-parameter likelihood (5.7 lower; on M3 such
    # moves went both ways and the accuracy was the same, see WARM_MIN_SHARE)
    from forecastkit.forecasters.statistical import ets_estimate

    calls = []
    objective = ets_estimate._objective

    def spy(*args):
        f = objective(*args)
        return lambda x: (calls.append(1), f(x))[1]

    monkeypatch.setattr(ets_estimate, "_objective", spy)
    y = noisy(96, seed)
    previous = ETSForecaster(season_length=12).fit(y.iloc[:84])
    calls.clear()
    cold = ETSForecaster(season_length=12).fit(y)
    n_cold = len(calls)
    warm = ETSForecaster(season_length=12).warm_start(previous).fit(y)
    n_warm = len(calls) - n_cold
    assert warm.warm_started_ and not cold.warm_started_
    assert n_warm == warm.evaluations_ < 0.5 * n_cold == 0.5 * cold.evaluations_
    # every form is still estimated and compared on the new data
    assert set(warm.criteria_) == set(cold.criteria_)
    assert warm.form_ == cold.form_
    assert warm.results_["y"].llf >= cold.results_["y"].llf - 0.01
    np.testing.assert_allclose(warm.predict(12)["y"], cold.predict(12)["y"], rtol=1e-3)


def test_warm_start_ignores_a_fit_on_far_fewer_rows_or_other_settings():
    y = noisy(96, 0)
    cold = ETSForecaster(season_length=12).fit(y)
    half = ETSForecaster(season_length=12).fit(y.iloc[:48])  # a calibration copy's rows
    warm = ETSForecaster(season_length=12).warm_start(half).fit(y)
    assert not warm.warm_started_ and warm.evaluations_ == cold.evaluations_
    pd.testing.assert_frame_equal(warm.predict(12), cold.predict(12))
    other = ETSForecaster(season_length=12, trend="damped").fit(y.iloc[:90])
    assert not ETSForecaster(season_length=12).warm_start(other).fit(y).warm_started_


@pytest.mark.parametrize("initialization", ["estimated", "heuristic"])
def test_saved_model_keeps_its_initial_states(tmp_path, initialization):
    from forecastkit.forecasters.persistence import load_forecaster, save_forecaster

    y = noisy(96, 2)
    model = ETSForecaster(season_length=12, initialization=initialization).fit(y.iloc[:40])
    path = save_forecaster(model, tmp_path / "m", name="m", type_name="ets", data={"time": None})
    loaded, _ = load_forecaster(path)
    pd.testing.assert_frame_equal(loaded.predict_interval(6), model.predict_interval(6))
    assert not hasattr(loaded, "_estimates")  # a loaded model gives a cold warm start
    model.update(y)
    loaded.update(y)
    pd.testing.assert_frame_equal(loaded.predict(6), model.predict(6))
