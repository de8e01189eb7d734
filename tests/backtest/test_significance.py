"""Diebold-Mariano (Harvey-corrected) and the model confidence set: known answers,
properties, and agreement with statsmodels' implementation where it has one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecastkit.backtest.significance import (
    diebold_mariano, long_run_variance, model_confidence_set, overlap_lags,
)


def test_identical_losses_give_p_one():
    loss = np.random.default_rng(0).gamma(2.0, size=50)
    r = diebold_mariano(loss, loss.copy(), lags=3)
    assert r.pvalue == 1.0 and r.statistic == 0.0 and r.n == 50


def test_clearly_better_model_over_many_origins():
    rng = np.random.default_rng(1)
    e = rng.normal(size=(200, 2))
    good, bad = (0.5 * e[:, 0]) ** 2, (1.5 * e[:, 1]) ** 2
    r = diebold_mariano(good, bad, lags=0)
    assert r.pvalue < 0.01 and r.statistic < 0 and r.mean_difference < 0


def test_constant_advantage_is_certain_and_too_few_origins_untestable():
    assert diebold_mariano([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]).pvalue == 0.0
    r = diebold_mariano([1.0, 2.0], [3.0, 1.0])
    assert math.isnan(r.pvalue) and not r.testable


def test_harvey_factor_by_hand():
    a = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 2.5, 3.0, 1.0])
    b = np.array([2.0, 3.5, 3.0, 5.5, 4.2, 2.0, 4.0, 2.2])
    d = a - b
    T, h = d.size, 2
    gamma0 = np.mean((d - d.mean()) ** 2)
    gamma1 = np.sum((d[1:] - d.mean()) * (d[:-1] - d.mean())) / T
    var = gamma0 + 2 * gamma1
    assert var > 0  # the rectangular kernel's estimate is used as it is
    stat = d.mean() / math.sqrt(var / T) * math.sqrt((T + 1 - 2 * h + h * (h - 1) / T) / T)
    r = diebold_mariano(a, b, lags=h - 1)
    assert r.statistic == pytest.approx(stat)
    from scipy import stats

    assert r.pvalue == pytest.approx(2 * stats.t.sf(abs(stat), T - 1))


@pytest.mark.parametrize("h", [1, 2, 4])
def test_matches_statsmodels(h):
    sm = pytest.importorskip("statsmodels.tsa.stattools")
    if not hasattr(sm, "diebold_mariano_test"):
        pytest.skip("this statsmodels has no diebold_mariano_test")
    rng = np.random.default_rng(h)
    a, b = rng.normal(size=60) ** 2, (1.1 * rng.normal(size=60)) ** 2
    ref = sm.diebold_mariano_test(np.zeros(60), a, b, criterion=lambda y, f: f, lags=h - 1,
                                  harvey_adj=True, horizon=h)
    mine = diebold_mariano(a, b, lags=h - 1, kernel="bartlett")
    assert mine.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert mine.pvalue == pytest.approx(ref.pvalue, rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(arrays(float, 12, elements=st.floats(0, 100)), arrays(float, 12, elements=st.floats(0, 100)),
       st.integers(0, 3))
def test_antisymmetric(a, b, lags):
    r, s = diebold_mariano(a, b, lags=lags), diebold_mariano(b, a, lags=lags)
    assert r.pvalue == pytest.approx(s.pvalue, nan_ok=True)
    assert 0 <= r.pvalue <= 1
    if math.isfinite(r.statistic) and r.statistic != 0:
        assert r.statistic == pytest.approx(-s.statistic)


def test_long_run_variance_and_overlap_lags():
    d = np.array([1.0, -1.0, 2.0, 0.0])
    assert long_run_variance(d, 0) == pytest.approx(np.var(d))
    assert overlap_lags(np.arange(40), 12) == 11  # one origin per row: 11 shared steps
    assert overlap_lags([10, 22, 34, 46], 12) == 0  # yearly origins, 12-step windows: none
    assert overlap_lags([10, 16, 22], 12) == 1
    assert overlap_lags([5], 12) == 0


def test_model_confidence_set_drops_the_bad_and_keeps_the_tied():
    rng = np.random.default_rng(3)
    base = rng.gamma(2.0, size=80)
    losses = np.column_stack([base, base + rng.normal(0, 0.5, 80), base + 3.0, base * 4])
    names = ["a", "a_twin", "worse", "worst"]
    mcs = model_confidence_set(losses, names, alpha=0.05, seed=1)
    assert set(mcs.included) == {"a", "a_twin"}
    assert mcs.pvalue("worst") < 0.05 and mcs.pvalue("worse") < 0.05
    assert max(mcs.pvalues) == 1.0
    again = model_confidence_set(losses, names, alpha=0.05, seed=1)
    assert again == mcs  # a fixed seed reproduces the set


def test_model_confidence_set_identical_models_all_included():
    loss = np.random.default_rng(0).gamma(2.0, size=(30, 1))
    mcs = model_confidence_set(np.hstack([loss, loss, loss]), ["x", "y", "z"])
    assert mcs.included == ("x", "y", "z")
    with pytest.raises(ValueError, match="NaN"):
        model_confidence_set(np.array([[1.0, np.nan]] * 3), ["x", "y"])
