"""Prediction intervals of the Keras forecasters (split conformal on the validation windows).

Known answers: the calibration residuals are exactly the errors of the forecasts
``predict`` makes from each validation origin (recursion and carried states included);
on an AR(1) the 90% interval covers about 90% of a long hold-out and its first-step
width is close to the theoretical one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.forecasters.neural import NeuralForecaster
from forecastkit.forecasters.neural.intervals import MIN_WINDOWS, conformal_bounds, validation_origins

pytestmark = pytest.mark.keras

DENSE = dict(architecture="dense", units=8, n_in=4, batch_size=64, learning_rate=0.01, patience=5)


def _ar1(n: int, phi: float = 0.7, seed: int = 0, level: float = 10.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + e[t]
    return pd.Series(level + y, index=pd.RangeIndex(n), name="y")


def _rolling(model: NeuralForecaster, y: pd.Series, start: int, h: int, level: float, every: int = 1):
    """Intervals from every ``every``-th origin after ``start`` (history = y[:origin])."""
    actual, lower, mean, upper = [], [], [], []
    for origin in range(start, len(y) - h + 1, every):
        model.update(y.iloc[:origin])
        out = model.predict_interval(h, level=level)
        actual.append(y.to_numpy()[origin:origin + h])
        mean.append(out["y"].to_numpy())
        lower.append(out["y_lower"].to_numpy())
        upper.append(out["y_upper"].to_numpy())
    return tuple(np.asarray(a) for a in (actual, lower, mean, upper))


def test_conformal_bounds_use_the_split_conformal_rank():
    errors = np.arange(1.0, 20.0)[:, None, None]  # n = 19, sorted 1..19
    lo, hi = conformal_bounds(errors, 0.9)  # rank ceil(20 * 0.95) = 19: the extremes
    assert (lo.item(), hi.item()) == (1.0, 19.0)
    lo, hi = conformal_bounds(errors, 0.5)  # rank ceil(20 * 0.75) = 15
    assert (lo.item(), hi.item()) == (5.0, 15.0)


@pytest.mark.parametrize("params", [
    dict(architecture="dense", strategy="recursive", difference=1, repeats=2),
    dict(architecture="dense", strategy="recursive", future_known=["promo"], calendar=["month"]),
    dict(architecture="lstm", variant="stateful", strategy="recursive", batch_size=4),
    dict(architecture="lstm", variant="stateful", strategy="multi_output", batch_size=4),
], ids=["dense-recursive-diff-repeats", "recursive-2-targets-covariates", "stateful-recursive", "stateful-multi-output"])
def test_calibration_residuals_are_the_errors_of_predict_from_each_validation_origin(params):
    h, n = 3, 90
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    y = pd.DataFrame({"y": _ar1(n, seed=1).to_numpy()}, index=idx)
    X = None
    if "future_known" in params:  # a second target, a past covariate (predicted and fed back), a known one
        rng = np.random.default_rng(1)
        y["z"] = _ar1(n, seed=2).to_numpy()
        X = pd.DataFrame({"past": rng.normal(size=n), "promo": (np.arange(n) % 3 == 0).astype(float)}, index=idx)
    m = NeuralForecaster(**{**dict(units=4, n_in=4, epochs=2, validation_fraction=0.3, horizon=h), **params})
    m.fit(y.iloc[:80], None if X is None else X.iloc[:80])
    net = m.nets_[max(m.nets_)]
    residuals = m.target_tf_.integrate_errors(net.calib[h])  # original units (no log/Box-Cox)
    origins = validation_origins(m, net, h)
    assert len(residuals) == len(origins) >= MIN_WINDOWS
    assert m.fit_info_[max(m.fit_info_)]["calibration"] == {h: len(origins)}
    for j in (0, len(origins) // 2, len(origins) - 1):
        end = origins[j] + m.cfg_.n_in + m.n_lost_  # history ends at the window's origin
        m.update(y.iloc[:end], None if X is None else X.iloc[:end])
        pred = m.predict(h, None if X is None else X.iloc[end:end + h][["promo"]])
        errors = y.to_numpy()[end:end + h] - pred.to_numpy()
        np.testing.assert_allclose(residuals[j], errors, rtol=1e-4, atol=1e-4)


def test_ar1_coverage_width_and_order():
    h, level = 4, 0.9
    y = _ar1(1400, seed=2)
    m = NeuralForecaster(**DENSE, strategy="recursive", epochs=40, validation_fraction=0.3, seed=1).fit(y.iloc[:600])
    actual, lower, mean, upper = _rolling(m, y, 600, h, level, every=4)
    assert (lower <= mean).all() and (mean <= upper).all()
    coverage = ((lower <= actual) & (actual <= upper)).mean()
    assert 0.8 <= coverage <= 0.97, coverage
    # step 1: the AR(1) innovation has sd 1, so the 90% interval is about 2 * 1.645 wide
    width = (upper - lower).mean(axis=0)
    assert 0.8 * 3.29 < width[0] < 1.4 * 3.29, width
    # the same residuals serve every origin: update() kept the calibration
    assert list(m.nets_[1].calib) == [h]


def test_intervals_widen_with_the_step_on_a_random_walk():
    rng = np.random.default_rng(3)
    y = pd.Series(50 + np.cumsum(rng.normal(size=500)), index=pd.RangeIndex(500), name="y")
    m = NeuralForecaster(**DENSE, strategy="recursive", difference=1, epochs=10, validation_fraction=0.4).fit(y)
    out = m.predict_interval(8, level=0.9)
    width = (out["y_upper"] - out["y_lower"]).to_numpy()
    assert width[-1] > 2 * width[0]  # about sqrt(8) for a random walk
    assert (np.diff(width) > -0.15 * width[:-1]).all(), width  # weakly increasing


def test_log_transform_keeps_the_lower_bound_positive_and_skews_the_interval():
    y = np.exp(_ar1(400, phi=0.5, seed=4, level=0.0)) * 0.5  # positive, large relative noise
    m = NeuralForecaster(**DENSE, horizon=3, transform="log", epochs=10, validation_fraction=0.3).fit(y)
    out = m.predict_interval(3, level=0.95)
    lower, mean, upper = (out[c].to_numpy() for c in ("y_lower", "y", "y_upper"))
    assert (lower > 0).all() and (lower < 0.6 * mean).all()
    assert ((upper - mean) > (mean - lower)).all()  # a symmetric interval of log y is skewed in y


@pytest.mark.parametrize("fraction, windows", [(0.0, 0), (0.05, 3)])
def test_too_few_validation_windows_give_nan_bounds_and_say_why(fraction, windows):
    y = _ar1(80, seed=5)
    m = NeuralForecaster(**DENSE, strategy="recursive", epochs=2, validation_fraction=fraction).fit(y)
    out = m.predict_interval(2, level=0.9)
    assert out[["y_lower", "y_upper"]].isna().all().all()
    pd.testing.assert_series_equal(out["y"], m.predict(2)["y"])
    assert f"too few validation windows ({windows} with 2 observed steps, need {MIN_WINDOWS})" in m.interval_note_
    assert f"larger validation_fraction (now {fraction!r})" in m.interval_note_


def test_save_load_and_update_keep_the_intervals(tmp_path):
    y = _ar1(300, seed=6)
    m = NeuralForecaster(**DENSE, strategy="recursive", epochs=3, validation_fraction=0.2, transform="log").fit(y.iloc[:250])
    before = m.predict_interval(3, level=0.8)  # calibrates h=3 lazily
    m.save(tmp_path / "m")
    loaded = NeuralForecaster.load(tmp_path / "m")
    assert list(loaded.nets_[1].calib) == [3]
    np.testing.assert_array_equal(loaded.nets_[1].calib[3], m.nets_[1].calib[3])
    pd.testing.assert_frame_equal(loaded.predict_interval(3, level=0.8), before, rtol=1e-6)
    for model in (m, loaded):
        model.update(y.iloc[:290])
    pd.testing.assert_frame_equal(loaded.predict_interval(3, level=0.8), m.predict_interval(3, level=0.8), rtol=1e-6)
    # a new origin moves the interval with the forecast: same half-widths on the log scale
    after = m.predict_interval(3, level=0.8)
    half = np.log(after["y_upper"]) - np.log(after["y"])
    np.testing.assert_allclose(half, np.log(before["y_upper"]) - np.log(before["y"]), rtol=1e-5)
