"""The "local" conformity score: errors scaled by the series' volatility just before
each origin. Its scores against a reference loop, its band after ``update``, its
coverage per volatility regime against the absolute score (a statistical test with a
fixed seed), and the run config's ``calibration_score`` reaching the wrapper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError
from forecastkit.forecasters.conformal_scores import LOCAL_SPAN, conformal_quantile
from forecastkit.forecasters.registry import make_forecaster


def frame(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"y": values}, index=pd.date_range("2000-01-01", periods=len(values), freq="D"))


def test_local_scores_are_the_errors_over_the_mean_absolute_change_before_each_origin():
    rng = np.random.default_rng(3)
    y = frame(50 + rng.normal(0, 1, 150).cumsum())
    h, w = 4, 30
    model = make_forecaster("conformal", model={"type": "naive"}, horizon=h, windows=w, score="local").fit(y)
    v = y["y"].to_numpy()
    span = max(h, LOCAL_SPAN)
    origins = np.arange(len(v) - w - h + 1, len(v) - h + 1)
    for i, o in enumerate(origins):  # reference loop: naive forecast = last value before o
        vol = np.mean(np.abs(np.diff(v[o - span - 1:o])))
        np.testing.assert_allclose(model.scores_[i, :, 0], np.abs(v[o:o + h] - v[o - 1]) / vol, rtol=1e-12)
    band = model.predict_interval(h, level=0.8)
    half = conformal_quantile(model.scores_, 0.8)[:, 0] * np.mean(np.abs(np.diff(v[-span - 1:])))
    np.testing.assert_allclose((band["y_upper"] - band["y"]).to_numpy(), half, rtol=1e-12)
    assert "recent volatility" in model.fitted_info()["intervals"]


def test_too_few_rows_before_the_first_window_fall_back_to_absolute_errors_and_say_so():
    y = frame(50 + np.random.default_rng(6).normal(0, 1, 40).cumsum())
    model = make_forecaster("conformal", model={"type": "naive"}, horizon=12, windows=25, score="local").fit(y)
    # the first window's origin is row 4: fewer than max(12, 10) changes before it
    assert model.scale_ is None and np.array_equal(model.scores_, model.abs_scores_)
    assert "absolute errors: too few rows" in model.fitted_info()["intervals"]


def test_update_moves_the_band_with_the_new_volatility():
    rng = np.random.default_rng(4)
    calm = frame(100 + rng.normal(0, 1, 200))
    model = make_forecaster("conformal", model={"type": "naive"}, horizon=3, windows=50, score="local").fit(calm)
    before = model.predict_interval(3, level=0.8)
    wild = calm.copy()
    wild.iloc[-20:, 0] = 100 + rng.normal(0, 10, 20)  # the last rows ten times as volatile
    model.update(wild)
    after = model.predict_interval(3, level=0.8)
    ratio = ((after["y_upper"] - after["y_lower"]) / (before["y_upper"] - before["y_lower"])).to_numpy()
    assert (ratio > 5).all()


def _regime_coverage(score: str, n_series: int = 400, seed: int = 0) -> dict[int, float]:
    # noise whose sd switches between 1 and 4 every 60 rows; each series' origin sits
    # 20 rows into a calm (0) or volatile (1) stretch that lasts past the horizon; 120
    # calibration windows span both regimes
    rng = np.random.default_rng(seed)
    period, h, n_train = 120, 3, 400
    hits: dict[int, list[bool]] = {0: [], 1: []}
    for i in range(n_series):
        regime = i % 2
        t = np.arange(n_train + h) + (period // 2 - 20 - n_train) % period + (period // 2 if regime else 0)
        sd = np.where(t % period < period // 2, 1.0, 4.0)
        y = frame(10 + sd * rng.normal(size=len(t)))
        model = make_forecaster("conformal", model={"type": "naive"}, horizon=h, windows=120, score=score,
                                nonnegative=False).fit(y.iloc[:n_train])
        band = model.predict_interval(h, level=0.8)
        actual = y["y"].to_numpy()[n_train:]
        hits[regime].extend(((band["y_lower"].to_numpy() <= actual) & (actual <= band["y_upper"].to_numpy())).tolist())
    return {r: float(np.mean(v)) for r, v in hits.items()}


def test_local_score_holds_its_level_in_calm_and_volatile_stretches_where_absolute_does_not():
    local, absolute = _regime_coverage("local"), _regime_coverage("absolute")
    # 600 values per regime: binomial sd 1.6 points; 6 points allow for the dependence of
    # a series' three steps
    assert abs(local[0] - 0.8) <= 0.06 and abs(local[1] - 0.8) <= 0.06, local
    # one band for both regimes: far too wide when calm, too narrow when volatile
    assert absolute[0] >= 0.95 and absolute[1] <= 0.70, absolute


def test_calibration_score_in_a_run_config_reaches_the_wrapper_and_is_checked():
    from forecastkit.config.schema import parse_config
    from forecastkit.runs.inputs import build_model, load_run_data, run_context

    def config(score: str):
        return parse_config({
            "data": {"path": "airline-passengers", "target": "Passengers"},
            "evaluation": {"scheme": "holdout", "test_size": 12, "horizon": 12},
            "forecast": {"horizon": 12, "calibration_score": score},
            "models": [{"name": "naive", "type": "naive"}],
        })

    cfg = config("local")
    model = build_model(cfg.models[0], run_context(cfg, load_run_data(cfg)).for_horizon(12))
    assert model.score == "local"
    with pytest.raises(ConfigError, match="calibration_score"):
        config("volatile")
    with pytest.raises(ConfigError, match="score must be one of"):
        make_forecaster("conformal", model={"type": "naive"}, score="volatile").fit(frame(np.arange(50.0)))
