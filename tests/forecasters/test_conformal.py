"""Split-conformal intervals: coverage on simulated AR(1) series within a binomial
tolerance of nominal (a statistical test with a fixed seed), calibration only on the
training rows, clipping at 0, and the note when too few rows calibrate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters.registry import make_forecaster


def ar1(n, phi, rng, mean=0.0):
    e = rng.normal(0, 1, n + 50)
    x = np.zeros(n + 50)
    for t in range(1, n + 50):
        x[t] = phi * x[t - 1] + e[t]
    return pd.DataFrame({"y": mean + x[50:]}, index=pd.date_range("2000-01-01", periods=n, freq="D"))


@pytest.mark.parametrize("score, n_series", [("absolute", 200), ("scaled", 100)])  # scaled: slower per fit
def test_coverage_on_ar1_is_nominal_within_binomial_tolerance(score, n_series):
    # independent AR(1) series; each is fitted on 60 rows and scored on the next 3.
    # The naive forecast's own intervals assume a random walk; conformal ones do not.
    rng = np.random.default_rng(20240611)
    n_train, h, windows = 60, 3, 24
    hits = {0.8: np.zeros((n_series, h)), 0.95: np.zeros((n_series, h))}
    for i in range(n_series):
        y = ar1(n_train + h, 0.6, rng)
        model = make_forecaster("conformal", model={"type": "naive"}, horizon=h, windows=windows, score=score,
                                nonnegative=False).fit(y.iloc[:n_train])
        actual = y["y"].to_numpy()[n_train:]
        for level in hits:
            band = model.predict_interval(h, level=level)
            hits[level][i] = (band["y_lower"].to_numpy() <= actual) & (actual <= band["y_upper"].to_numpy())
    for level, hit in hits.items():
        # split conformal: level <= coverage <= level + 1 / (windows + 1) in expectation
        lo, hi = level, level + 1 / (windows + 1)
        for step in range(h):
            cover = hit[:, step].mean()
            tol = 3 * math.sqrt(level * (1 - level) / n_series)
            assert lo - tol <= cover <= hi + tol, (level, step, cover)


def test_the_naive_models_own_intervals_miss_on_ar1():
    # the same kind of series: the random-walk band of the naive model is too wide at
    # step 3 (mean reversion), which the conformal band corrects; not a tautology
    rng = np.random.default_rng(7)
    widths = []
    for _ in range(20):
        y = ar1(103, 0.6, rng)
        model = make_forecaster("conformal", model={"type": "naive"}, horizon=3, windows=39,
                                score="absolute", nonnegative=False).fit(y.iloc[:100])
        conf = model.predict_interval(3, level=0.95)
        native = model.model_.predict_interval(3, level=0.95)
        widths.append(((conf["y_upper"] - conf["y_lower"]) / (native["y_upper"] - native["y_lower"])).to_numpy())
    assert np.mean(widths, axis=0)[-1] < 0.9


def test_calibration_uses_only_the_training_rows():
    rng = np.random.default_rng(1)
    y = ar1(80, 0.5, rng)
    a = make_forecaster("conformal", model={"type": "naive"}, horizon=4, windows=10).fit(y.iloc[:60])
    z = y.copy()
    z.iloc[60:] = 1e6  # the future changes, the calibration does not
    b = make_forecaster("conformal", model={"type": "naive"}, horizon=4, windows=10).fit(z.iloc[:60])
    pd.testing.assert_frame_equal(a.predict_interval(4, level=0.9), b.predict_interval(4, level=0.9))
    assert a.scores_.shape == (10, 4, 1) and a.fitted_info()["intervals"].startswith("conformal")


def test_nonnegative_clips_forecasts_and_bounds_at_zero():
    rng = np.random.default_rng(2)
    y = pd.DataFrame({"y": np.abs(rng.normal(0, 1, 80))}, index=pd.date_range("2000-01-01", periods=80, freq="D"))
    auto = make_forecaster("conformal", model={"type": "drift"}, horizon=5).fit(y)
    band = auto.predict_interval(5, level=0.95)
    assert auto.fitted_info()["clipped_at_0"] is True and (band.to_numpy() >= 0).all()
    raw = make_forecaster("conformal", model={"type": "drift"}, horizon=5, nonnegative=False).fit(y)
    assert (raw.predict_interval(5, level=0.95)["y_lower"] < 0).any()
    # "auto" does not clip a series that was negative in its training rows
    neg = make_forecaster("conformal", model={"type": "drift"}, horizon=5).fit(y - 0.5)
    assert neg.fitted_info()["clipped_at_0"] is False


def test_too_few_rows_keep_native_intervals_and_say_why():
    rng = np.random.default_rng(3)
    y = ar1(12, 0.5, rng)
    model = make_forecaster("conformal", model={"type": "naive"}, horizon=12).fit(y)
    assert model.scores_ is None and "too few to calibrate" in model.fitted_info()["intervals"]
    native = model.model_.predict_interval(4, level=0.8)
    pd.testing.assert_frame_equal(model.predict_interval(4, level=0.8), native)


def test_warm_start_reaches_the_wrapped_model_and_the_copy_keeps_its_choice(tmp_path):
    # the backtest engine calls warm_start(previous fold's model) on what it refits; through
    # the run's conformal wrapper it must reach auto_arima and change nothing but where its
    # optimisers start (same chosen model, same forecasts to tolerance)
    from forecastkit.forecasters.persistence import load_forecaster, save_forecaster

    rng = np.random.default_rng(7)
    y = pd.DataFrame({"y": 50 + np.cumsum(rng.normal(0.2, 1, 90))},
                     index=pd.date_range("2000-01-31", periods=90, freq="ME"))
    params = dict(model={"type": "auto_arima", "season_length": 1}, horizon=6, windows=12)
    first = make_forecaster("conformal", **params).fit(y.iloc[:78])
    warm = make_forecaster("conformal", **params).warm_start(first).fit(y.iloc[:84])
    cold = make_forecaster("conformal", **params).fit(y.iloc[:84])
    assert warm.model_.fitted_info()["warm_start"] is True
    # a cold fit searches on a copy's rows (a prefix of its own) first and starts from there
    assert cold.model_.fitted_info()["warm_start"] is True
    # either way the calibration copies are the chosen model re-estimated on the rows
    # before each block of h windows: 12 windows from row 67, the last copy on 67 + 6 rows
    for fitted in (warm, cold):
        copy, info = fitted._cal_model, fitted.model_.fitted_info()
        assert type(copy).__name__ == "ARIMAForecaster" and len(copy.history_index()) == 84 - 12 - 6 + 1 + 6
        assert [copy.fitted_info()[k] for k in ("order", "seasonal_order", "trend", "transform")] == [
            info[k] for k in ("order", "seasonal_order", "trend", "transform")]
    assert warm.model_.fitted_info()["order"] == cold.model_.fitted_info()["order"]
    np.testing.assert_allclose(warm.predict(6).to_numpy(), cold.predict(6).to_numpy(), rtol=1e-3)
    # the links to the previous fold are not part of what a saved model holds
    save_forecaster(warm, tmp_path / "m", name="m", type_name="conformal")
    loaded, _ = load_forecaster(tmp_path / "m")
    assert not hasattr(loaded, "_cal_model")
    np.testing.assert_allclose(loaded.predict(6).to_numpy(), warm.predict(6).to_numpy())


def test_structure_copies_forecast_each_block_of_windows_as_a_reference_loop():
    # auto_arima's windows come in blocks of h origins, each forecast by the chosen model
    # re-estimated on the rows before the block (then updated origin by origin, no refit)
    rng = np.random.default_rng(11)
    y = pd.DataFrame({"y": 80 + np.cumsum(rng.normal(0.1, 1, 90))},
                     index=pd.date_range("2000-01-31", periods=90, freq="ME"))
    h, w = 6, 12
    fitted = make_forecaster("conformal", model={"type": "auto_arima", "season_length": 1},
                             horizon=h, windows=w).fit(y)
    n0 = len(y) - w - h + 1
    expected = []
    for start in (n0, n0 + h):
        copy = fitted.model_._structure_copy(y, None, start)
        assert copy.fitted_info()["order"] == fitted.model_.fitted_info()["order"]
        for o in range(start, start + h):
            if o != start:
                copy.update(y.iloc[:o])
            expected.append(np.abs(y["y"].to_numpy()[o:o + h] - copy.predict(h)["y"].to_numpy()))
    np.testing.assert_allclose(fitted.abs_scores_[:, :, 0], np.array(expected), rtol=1e-7)


def test_a_calibration_copy_that_cannot_be_fitted_leaves_native_intervals_and_says_why(monkeypatch):
    from forecastkit.errors import DataError
    from forecastkit.forecasters.baselines import DriftForecaster

    real_fit = DriftForecaster._fit

    def fit_only_long(self, y, X):  # stands in for a model that fails on the shorter prefix
        if len(y) < 60:
            raise DataError("too little variation in the first rows")
        real_fit(self, y, X)

    monkeypatch.setattr(DriftForecaster, "_fit", fit_only_long)
    y = ar1(80, 0.5, np.random.default_rng(5), mean=10.0)
    model = make_forecaster("conformal", model={"type": "drift"}, horizon=4).fit(y)
    assert model.scores_ is None
    note = model.fitted_info()["intervals"]
    assert note.startswith("native intervals: the calibration copy on the first") and "too little variation" in note
    native = model.model_.predict_interval(4, level=0.9)
    pd.testing.assert_frame_equal(model.predict_interval(4, level=0.9), native)
