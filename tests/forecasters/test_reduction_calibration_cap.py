"""The reduction forecaster's interval calibration uses the last half of the training
windows, at most the newest MAX_CALIBRATION_WINDOWS, and the fit pass cuts the rows
where the interval calibration forecasts from."""

from __future__ import annotations

import numpy as np

from forecastkit.forecasters import _reduction_strategies as rs
from forecastkit.forecasters._reduction_intervals import out_of_fold_errors


def test_calibration_windows_are_the_newest_half_at_most_the_cap():
    assert rs.calibration_windows(40).tolist() == list(range(20, 40))
    from forecastkit.forecasters._calibration import MAX_CALIBRATION_WINDOWS as cap

    w = rs.calibration_windows(5 * cap)
    assert len(w) == cap and w[-1] == 5 * cap - 1


def test_out_of_fold_errors_use_the_capped_windows(monkeypatch):
    from forecastkit.forecasters import _calibration

    monkeypatch.setattr(_calibration, "MAX_CALIBRATION_WINDOWS", 30)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(400, 1)).cumsum(axis=0)
    from sklearn.linear_model import Ridge

    strategy = rs.RecursiveReduction(rs.RegressorFactory(Ridge(), True), 4, 4).fit(Z, Z[:, :0], Z[:, :0])
    strategy.ensure(5)
    cuts = rs.calibration_cuts(400, strategy._start(), 5)
    assert strategy.calibration_[5][0] == cuts and cuts[0] == 400 - 5 - 30 + 1  # the first capped window's origin + 1
    errors = out_of_fold_errors(strategy, 5)
    assert errors.shape == (30, 5, 1)
