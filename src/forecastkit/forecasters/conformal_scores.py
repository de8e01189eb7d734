"""The numbers behind split-conformal intervals (:mod:`.conformal`, and the panel
calibration of :mod:`forecastkit.backtest.panel_conformal`): how many calibration
windows a fit gets, the conformal quantile of their scores, and the recent volatility
the ``"local"`` score divides by."""

from __future__ import annotations

import math

import numpy as np

SCORES = ("scaled", "absolute", "local")
#: fewest rows the "local" score's volatility is measured over (one-step changes)
LOCAL_SPAN = 10
#: most calibration windows of the default (each costs an update and a forecast, or a
#: row of one batched pass). The windows should span the data's seasons of volatility:
#: 200 daily windows cover only the seven months before the origin, so PM2.5's winter
#: folds were calibrated on summer errors and its summer folds on winter ones (bands in
#: anti-phase with the volatility; pollution-30d's 12 folds at 80 %: ridge 71.9-76.9 %,
#: LSTM 68.1-69.7 %). With up to 1,000 (about two years of daily rows or more) every model of
#: temperatures-30d covers within 5 points of 80 and 95 %; PM2.5's spread moves more than
#: its models' bands, so pollution-30d also sets the "local" score (see bench_coverage.py).
MAX_WINDOWS = 1000


def conformal_quantile(scores: np.ndarray, level: float) -> np.ndarray:
    """The split-conformal quantile of ``scores`` (windows, ...) along the first axis: the
    ``ceil((w + 1) level)``-th smallest (the largest when the level asks for more than
    there are)."""
    s = np.sort(scores, axis=0)
    rank = min(math.ceil((s.shape[0] + 1) * level), s.shape[0])
    return s[rank - 1]


def local_volatility(y: np.ndarray, origins: np.ndarray, span: int) -> np.ndarray:
    """``(len(origins), k)``: the mean absolute one-step change of ``y`` (rows, k) over
    the ``span`` changes just before each origin (rows ``o - span - 1 .. o - 1``)."""
    steps = np.abs(np.diff(y, axis=0))
    c = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(steps, axis=0)])  # c[i] = sum steps[:i]
    return (c[origins - 1] - c[origins - 1 - span]) / span


def default_windows(n: int, h: int, need: int) -> tuple[int, int]:
    """``(windows, n0)``: as many calibration origins as leave the copy half of the ``n``
    rows (and the ``need`` it must have), at most :data:`MAX_WINDOWS`; the copy is
    fitted on the first ``n0`` rows."""
    w = min(MAX_WINDOWS, n - h + 1 - max(need, math.ceil(n / 2)))
    return w, n - w - h + 1
