"""Split-conformal intervals for panel runs, calibrated on each series' training rows only.

- Local models (one per series): exactly what :class:`~forecastkit.forecasters.conformal.
  ConformalForecaster` does for one series. Models whose numpy core needs no dates
  (``array_core``: the baselines, naive2) take :func:`local_conformal`, the same
  computation on arrays (no DataFrame per calibration window); the others are wrapped
  in the ConformalForecaster itself.
- Global (pooled) models: the pooled model is refitted on every series' rows before
  a calibration origin ``c = o - h - j`` (``o`` the series' fold origin, ``j = 0 ..
  windows-1``) and forecasts ``h`` steps that are still inside its training rows. Each
  absolute error is divided by the series' own scale (the in-sample mean absolute
  seasonal difference of its training rows, the MASE scale), the scores of all series
  are pooled per horizon step, and the half-width for series ``s`` at step ``k`` is
  the ``ceil((N + 1) level)``-th smallest of the ``N`` pooled scores of step ``k``
  times the scale of ``s``. ``windows`` is as small as gives about
  :data:`POOLED_SCORES` scores per step (one refit per window), at most
  :data:`POOLED_MAX_WINDOWS` (fewer for networks, whose refits are costly).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from forecastkit.forecasters.conformal import MAX_WINDOWS

#: scores per horizon step a pooled calibration aims for (one refit of the pooled model
#: per calibration window: few windows when there are many series), and the most windows
POOLED_SCORES = 200
POOLED_MAX_WINDOWS = 10
#: the band whose half-width scales the errors of a local model (as the ConformalForecaster)
SCALE_LEVEL = 0.8


def calibration_windows(n: int, h: int, need: int) -> tuple[int, int]:
    """``(windows, n0)`` as the ConformalForecaster's default: as many origins as leave the
    calibrating copy half the rows (and its minimum), at most :data:`MAX_WINDOWS`."""
    w = min(MAX_WINDOWS, n - h + 1 - max(need, math.ceil(n / 2)))
    return w, n - w - h + 1


def half_width(scores: np.ndarray, level: float) -> np.ndarray:
    """Per-step conformal quantile of ``scores`` (windows, h): the ``ceil((w + 1) level)``-th
    smallest (the largest when the level asks for more than there are)."""
    s = np.sort(scores, axis=0)
    rank = min(math.ceil((s.shape[0] + 1) * level), s.shape[0])
    return s[rank - 1]


def _band(est, h: int) -> tuple[np.ndarray, np.ndarray]:
    mean, lo, hi = (np.asarray(a, float).reshape(h) for a in est._predict_interval(h, None, SCALE_LEVEL))
    return mean, (hi - lo) / 2.0


def _fit_array(proto, values: np.ndarray):
    est = proto.clone()
    est._fit(values[:, None].astype(float), None)
    est.is_fitted_ = True
    return est


def local_conformal(proto, values: np.ndarray, h: int, level: float):
    """``(mean, lower, upper, fitted model, note)`` of an ``array_core`` model fitted on ``values``, with
    the ConformalForecaster's intervals (scaled scores; absolute errors where the model's
    band has no usable width); clipped at 0 when every value is >= 0."""
    clip = bool(np.all(values >= 0))
    c = (lambda a: np.maximum(a, 0.0)) if clip else (lambda a: a)
    full = _fit_array(proto, values)
    n, need = len(values), proto.min_train_size()
    w, n0 = calibration_windows(n, h, need)
    if w < 1 or n0 < need:
        mean, lo, hi = (np.asarray(a, float).reshape(h) for a in full._predict_interval(h, None, float(level)))
        return (c(mean), c(lo), c(hi), full,
                f"native intervals: {n} training rows are too few to calibrate windows of {h} steps "
                f"(needs at least {need + h})")
    errors, scales = np.empty((w, h)), np.empty((w, h))
    cal = _fit_array(proto, values[:n0])
    for i, o in enumerate(range(n0, n - h + 1)):
        if o > n0:
            cal._update(values[:o, None].astype(float), None)
        pred, scales[i] = _band(cal, h)
        errors[i] = np.abs(values[o:o + h] - c(pred))
    raw, scale = _band(full, h)
    mean = c(raw)
    if np.isfinite(scales).all() and (scales > 0).all() and np.isfinite(scale).all() and (scale > 0).all():
        q = half_width(errors / scales, level) * scale
        how = " (scaled by the model's band)"
    else:
        q = half_width(errors, level)
        how = ""
    note = f"conformal{how}: {w} out-of-sample windows of {h} steps (fit on the first {n0} rows)"
    return mean, c(mean - q), c(mean + q), full, note


def series_scale(train: np.ndarray, m: int) -> float:
    """The MASE scale of a series' training rows: mean ``|y_t - y_{t-m}|`` (``m = 1`` when
    the rows are too few), else the mean absolute value, else 1."""
    lag = m if len(train) > m else 1
    for s in (np.mean(np.abs(train[lag:] - train[:-lag])) if len(train) > lag else np.nan,
              np.mean(np.abs(train)) if len(train) else np.nan):
        if np.isfinite(s) and s > 0:
            return float(s)
    return 1.0


def pooled_intervals(forecast_at: Callable[[list[tuple[int, int]], int], list[np.ndarray]],
                     values: Sequence[np.ndarray], origins: Sequence[int], means: Sequence[np.ndarray],
                     need: int, level: float, m: int, max_windows: int = POOLED_MAX_WINDOWS,
                     ) -> tuple[list[np.ndarray], list[np.ndarray], str]:
    """Lower and upper bounds for pooled forecasts ``means`` made at ``origins``.

    ``forecast_at(pairs, h)`` refits the pooled model on the rows of the series ``i``
    before ``c`` for every ``(i, c)`` in ``pairs`` and returns their ``h``-step forecasts
    (None when the rows make no training window: that calibration window is skipped).
    Returns NaN bounds and a note when no series has rows enough to calibrate.
    """
    h = len(means[0])
    scales = [series_scale(v[:o], m) for v, o in zip(values, origins)]
    min_origin = [max(need, math.ceil(o / 2)) for o in origins]
    avail = max(o - h - lo + 1 for o, lo in zip(origins, min_origin))
    windows = min(avail, max(1, math.ceil(POOLED_SCORES / len(values))), max_windows)
    scores = []
    for j in range(max(windows, 0)):
        pairs = [(i, o - h - j) for i, (o, lo) in enumerate(zip(origins, min_origin)) if o - h - j >= lo]
        if not pairs:
            continue
        preds = forecast_at(pairs, h)
        for (i, c), pred in zip(pairs, preds or []):
            pred = np.maximum(pred, 0.0) if np.all(values[i][:origins[i]] >= 0) else pred
            scores.append(np.abs(values[i][c:c + h] - pred) / scales[i])
    if not scores:
        nan = [np.full(h, np.nan)] * len(means)
        return nan, nan, "no intervals: no series has rows enough to calibrate the pooled model"
    q = half_width(np.array(scores), level)
    lower, upper = [], []
    for i, mean in enumerate(means):
        lo, hi = mean - q * scales[i], mean + q * scales[i]
        if np.all(values[i][:origins[i]] >= 0):
            lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
        lower.append(lo)
        upper.append(hi)
    return lower, upper, f"conformal (pooled): {len(scores)} scaled errors over {windows} window(s) per series"
