"""Interval scores at a stated level against hand-computed values; the coverage flag's
effective count of outcomes that come in forecast paths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from forecastkit.backtest.probabilistic import (
    coverage_flag, effective_count, interval_scores, level_text, pinball, quantile_text,
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


def _airline_like_paths():
    """4 yearly paths of 12 steps covering 12, 5, 4 and 11 (auto_arima at 80 % on the
    airline config's folds): 32 of 48 in all."""
    per_path = [12, 5, 4, 11]
    hits = np.concatenate([np.arange(12) < k for k in per_path])
    return hits, np.repeat(np.arange(4), 12)


def test_effective_count_known_answers():
    hits, paths = _airline_like_paths()
    # rho = (MSB - MSW) / (MSB + 11 MSW) by hand: MSB = 12 * 0.34722 / 3, MSW = 12 * 0.54167 / 44
    msb, msw = 12 * (2 * (1 / 3) ** 2 + 2 * 0.25**2) / 3, 12 * (0 + 35 / 144 + 2 / 9 + 11 / 144) / 44
    rho = (msb - msw) / (msb + 11 * msw)
    assert effective_count(hits, paths) == pytest.approx(48 / (1 + 11 * rho))
    assert effective_count(hits, paths) == pytest.approx(8.68, abs=0.01)
    # all-or-nothing paths: rho = 1, one outcome per path
    assert effective_count(np.repeat([True, False, True, True], 12), paths) == pytest.approx(4)
    # the same rate on every path: no sign of correlation, every point counts
    same = np.tile(np.arange(12) < 9, 4)
    assert effective_count(same, paths) == pytest.approx(48)
    assert effective_count(hits, np.arange(48)) == 48  # one-step paths
    assert effective_count(hits, np.zeros(48)) == 48  # one path: rho cannot be estimated
    assert effective_count(np.zeros(48, bool), paths) == 48  # no variation at all
    assert effective_count([], []) == 0


def test_flag_counts_paths_not_steps():
    hits, paths = _airline_like_paths()
    cov = hits.mean()
    assert coverage_flag(cov, 48, 0.8) == "low: 66.7% of 48 (80%)"  # 48 independent outcomes: p = 0.03
    assert coverage_flag(cov, 48, 0.8, effective_count(hits, paths)) == ""  # 8.7 outcomes: p = 0.39
    s = interval_scores(np.where(hits, 0.0, 2.0), np.full(48, -1.0), np.ones(48), 0.8, paths=paths)
    assert s["n_intervals"] == 48 and s["n_effective"] == pytest.approx(effective_count(hits, paths))
    # far off is still flagged from 4 paths: 12, 12, 4 and 0 of 12 at 95 %
    bad = np.concatenate([np.arange(12) < k for k in (12, 12, 4, 0)])
    assert coverage_flag(bad.mean(), 48, 0.95, effective_count(bad, paths)).startswith("low: 58.3% of 48")


def _reference_count(hits, paths):
    """The ANOVA intra-class correlation written out with loops over the paths."""
    groups = {}
    for h, p in zip(hits, paths):
        groups.setdefault(p, []).append(float(h))
    n, g = len(hits), len(groups)
    if g < 2 or n <= g:
        return float(n)
    mean = sum(hits) / n
    msb = sum(len(v) * (sum(v) / len(v) - mean) ** 2 for v in groups.values()) / (g - 1)
    msw = sum(sum((x - sum(v) / len(v)) ** 2 for x in v) for v in groups.values()) / (n - g)
    weighted = sum(len(v) ** 2 for v in groups.values()) / n
    m0 = (n - weighted) / (g - 1)
    den = msb + (m0 - 1) * msw
    rho = 0.0 if den <= 0 else min(max((msb - msw) / den, 0.0), 1.0)
    return n / (1 + (weighted - 1) * rho)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=0, max_size=60))
def test_effective_count_matches_the_reference(points):
    hits = [h for h, _ in points]
    paths = [p for _, p in points]
    got = effective_count(np.array(hits, bool), np.array(paths, int))
    assert got == pytest.approx(_reference_count(hits, paths), abs=1e-9)
    if points:
        assert 1 - 1e-9 <= got <= len(points) + 1e-9
        order = np.random.default_rng(0).permutation(len(points))  # order and labels do not matter
        relabel = (np.array(paths) + 7) * 3
        assert effective_count(np.array(hits)[order], relabel[order]) == pytest.approx(got)


def _flag_rates(level, tau, width=1.0, paths=12, steps=30, reps=400, seed=0):
    """Share of simulated backtests flagged, with and without the effective count. Each
    path's errors share a random offset (sd ``tau``) plus N(0, 1) noise; the bands are
    ``width`` times the half-width that covers ``level`` of the errors' marginal law."""
    rng = np.random.default_rng(seed)
    half = width * norm.ppf(0.5 + level / 2) * np.sqrt(1 + tau**2)
    label = np.repeat(np.arange(paths), steps)
    new = old = 0
    for _ in range(reps):
        hits = np.abs(rng.normal(0, tau, paths)[label] + rng.normal(0, 1, label.size)) <= half
        new += bool(coverage_flag(hits.mean(), hits.size, level, effective_count(hits, label)))
        old += bool(coverage_flag(hits.mean(), hits.size, level))
    return new / reps, old / reps


def test_flag_rate_on_calibrated_correlated_paths_and_power_on_narrow_bands():
    # calibrated bands, errors correlated within each path: the plain binomial test
    # flags about a third of the backtests (0.35 with this seed), the effective count
    # about 1 in 10 (0.11; its estimate of rho from 12 paths is noisy)
    new, old = _flag_rates(0.8, tau=1.0)
    assert old > 0.25 and new < 0.15
    # independent errors: both keep the test's size
    assert max(_flag_rates(0.8, tau=0.0, reps=200)) < 0.08
    # bands half as wide as they should be are still flagged nearly always
    assert _flag_rates(0.8, tau=1.0, width=0.5, reps=200)[0] > 0.95
