"""Interval scores at a stated level against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecastkit.backtest.probabilistic import (
    coverage_flag, interval_scores, level_text, pinball, quantile_text,
)


def test_interval_scores_by_hand():
    y, lo, hi = [1.0, 5.0, -2.0, 3.0], [0.0, 0.0, 0.0, np.nan], [2.0, 4.0, 1.0, 9.0]
    s = interval_scores(y, lo, hi, 0.9)
    assert s["n_intervals"] == 3 and s["coverage"] == pytest.approx(1 / 3)
    assert s["width"] == pytest.approx((2 + 4 + 1) / 3)
    a = 0.1
    assert s["winkler"] == pytest.approx((2 + (4 + 2 / a * 1) + (1 + 2 / a * 2)) / 3)
    # the interval score is (2 / a) times the sum of the two quantile losses
    assert s["winkler"] == pytest.approx(2 / a * 2 * s["pinball"])


def test_pinball_and_no_intervals():
    assert pinball([3.0], [1.0], 0.9)[0] == pytest.approx(1.8)
    assert pinball([1.0], [3.0], 0.9)[0] == pytest.approx(0.2)
    s = interval_scores([1.0, 2.0], [np.nan, np.nan], [np.nan, np.nan], 0.95)
    assert s["n_intervals"] == 0 and math.isnan(s["coverage"]) and math.isnan(s["winkler"])


def test_coverage_flag():
    assert coverage_flag(0.354, 48, 0.95) == "low: 35.4% of 48 (95%)"
    assert coverage_flag(1.0, 48, 0.8) == "high: 100.0% of 48 (80%)"
    assert coverage_flag(0.91, 48, 0.95) == ""  # within 5 points
    assert coverage_flag(1 / 12, 12, 0.95) == "low: 8.3% of 12 (95%)"  # few, but far off
    assert coverage_flag(10 / 12, 12, 0.95) == ""  # 10 of 12 is within binomial noise of 95%
    assert coverage_flag(0.5, 8, 0.95) == ""  # too few forecasts to say
    assert level_text(0.975) == "97.5%" and quantile_text(0.95) == "2.5%/97.5%"
