"""Split-conformal intervals for panel runs, calibrated on each series' training rows only.

- Local models (one per series): exactly what :class:`~forecastkit.forecasters.conformal.
  ConformalForecaster` does for one series. Models whose numpy core needs no dates
  (``array_core``: the baselines, naive2) take :func:`local_conformal`, the same
  computation on arrays (no DataFrame per calibration window); the others are wrapped
  in the ConformalForecaster itself. A series whose own windows are too few for the
  level (``ceil((w + 1) level) > w``: fewer than 19 windows at 95 %, 4 at 80 %) takes
  instead the ``ceil((N + 1) level)``-th smallest of the ``N`` scaled scores of that
  step pooled across the series of its chunk (same fold and horizon; each series'
  scores come from its own training rows), times its own unit (the model's band, else
  its MASE scale): :func:`pool_short`. Its own largest error was the bound before, and
  covered 86-90 % at 95 % on M3 monthly. Chunks are fixed sets of series
  (``runs/panel.py``), so the pool is the same for any ``--jobs``, Dask and a resume;
  the series' note in ``fitted_by_series.csv`` says it was pooled.
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
from dataclasses import dataclass

import numpy as np

from forecastkit.forecasters.base import normal_quantile
from forecastkit.forecasters.conformal_scores import conformal_quantile as half_width
from forecastkit.forecasters.conformal_scores import default_windows as calibration_windows
from forecastkit.forecasters.conformal_windows import SCALE_LEVEL

#: scores per horizon step a pooled calibration aims for (one refit of the pooled model
#: per calibration window: few windows when there are many series), and the most windows
POOLED_SCORES = 200
POOLED_MAX_WINDOWS = 10


def _band(est, h: int) -> tuple[np.ndarray, np.ndarray]:
    mean, lo, hi = (np.asarray(a, float).reshape(h) for a in est._predict_interval(h, None, SCALE_LEVEL))
    return mean, (hi - lo) / 2.0


def _fit_array(proto, values: np.ndarray):
    est = proto.clone()
    est._fit(values[:, None].astype(float), None)
    est.is_fitted_ = True
    return est


@dataclass
class LocalCalibration:
    """One series' split-conformal calibration (local model): ``scores`` (windows, h)
    are scaled out-of-sample errors, ``unit`` (h,) what a score quantile is multiplied by
    at the origin (the model's band, or the series' MASE scale where the band has no usable
    width: ``kind`` says which; only scores of one kind are pooled)."""

    mean: np.ndarray
    scores: np.ndarray
    unit: np.ndarray
    kind: str
    clip: bool
    note: str

    def bounds(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.mean - q * self.unit, self.mean + q * self.unit
        return (np.maximum(lo, 0.0), np.maximum(hi, 0.0)) if self.clip else (lo, hi)


def local_scores(proto, values: np.ndarray, h: int, level: float, m: int = 1):
    """The calibration of an ``array_core`` model fitted on ``values``: ``(calibration,
    fitted model)``, or ``((mean, lower, upper, note), fitted model)`` with the model's
    native intervals when the rows are too few to calibrate any window."""
    clip = bool(np.all(values >= 0))
    c = (lambda a: np.maximum(a, 0.0)) if clip else (lambda a: a)
    full = _fit_array(proto, values)
    n, need = len(values), proto.min_train_size()
    w, n0 = calibration_windows(n, h, need)
    if w < 1 or n0 < need:
        mean, lo, hi = (np.asarray(a, float).reshape(h) for a in full._predict_interval(h, None, float(level)))
        return (c(mean), c(lo), c(hi),
                f"native intervals: {n} training rows are too few to calibrate windows of {h} steps "
                f"(needs at least {need + h})"), full
    errors, scales = np.empty((w, h)), np.empty((w, h))
    cal = _fit_array(proto, values[:n0])
    origins = np.arange(n0, n - h + 1)
    stats = cal._origin_stats(values[:, None].astype(float), origins, h) if hasattr(cal, "_origin_stats") else None
    if stats is not None:  # every window in one pass (equal to the loop below up to rounding)
        preds, scales = stats[0][:, :, 0], normal_quantile(SCALE_LEVEL) * stats[1][:, :, 0]
        errors = np.abs(values[origins[:, None] + np.arange(h)] - c(preds))
    else:
        for i, o in enumerate(origins):
            if o > n0:
                cal._update(values[:o, None].astype(float), None)
            pred, scales[i] = _band(cal, h)
            errors[i] = np.abs(values[o:o + h] - c(pred))
    raw, scale = _band(full, h)
    if np.isfinite(scales).all() and (scales > 0).all() and np.isfinite(scale).all() and (scale > 0).all():
        scores, unit, kind, how = errors / scales, scale, "band", " (scaled by the model's band)"
    else:  # absolute errors: as scores per unit of the series' MASE scale (comparable across series)
        s = series_scale(values, m)
        scores, unit, kind, how = errors / s, np.full(h, s), "mase", ""
    note = f"conformal{how}: {w} out-of-sample windows of {h} steps (fit on the first {n0} rows)"
    return LocalCalibration(c(raw), scores, unit, kind, clip, note), full


def local_conformal(proto, values: np.ndarray, h: int, level: float):
    """``(mean, lower, upper, fitted model, note)`` of an ``array_core`` model fitted on ``values``, with
    the ConformalForecaster's intervals (scaled scores; absolute errors where the model's
    band has no usable width); clipped at 0 when every value is >= 0."""
    cal, full = local_scores(proto, values, h, level)
    if not isinstance(cal, LocalCalibration):
        mean, lo, hi, note = cal
        return mean, lo, hi, full, note
    lo, hi = cal.bounds(half_width(cal.scores, level))
    return cal.mean, lo, hi, full, cal.note


def wrapper_calibration(est, h: int, train: np.ndarray, m: int) -> LocalCalibration | None:
    """A fitted :class:`~forecastkit.forecasters.conformal.ConformalForecaster`'s
    calibration as a :class:`LocalCalibration` (None when it calibrated nothing)."""
    if est.scores_ is None:
        return None
    mean, unit = est._unit(h, None)
    mean = mean[:, 0]
    if unit is not None:  # scores in the wrapper's own unit: pooled only with the same kind
        unit, scores, kind = unit[:, 0], est.scores_[:, :h, 0], est.scale_
    else:  # absolute errors, per unit of the series' MASE scale
        s = series_scale(train, m)
        unit, scores, kind = np.full(h, s), est.abs_scores_[:, :h, 0] / s, "mase"
    return LocalCalibration(mean, scores, unit, kind, bool(est.clip_), est.fitted_info()["intervals"])


def needs_pool(windows: int, level: float) -> bool:
    """Whether a series' own ``windows`` scores are too few for a ``level`` bound: the
    conformal rank ``ceil((w + 1) level)`` is past the largest. (Pooling also series with
    fewer than 10 windows at 80 % lowered M3 monthly's coverage by 0.4-1.9 points, away
    from 80 % for three of four models: their own largest of 7 is conservative there.)"""
    return math.ceil((windows + 1) * level) > windows


def pool_short(cals: Sequence[LocalCalibration | None], level: float,
               always: bool = False) -> list[tuple[np.ndarray, np.ndarray, str] | None]:
    """Bounds from the scores pooled across ``cals`` (one chunk's series, same fold and
    horizon) for each calibration with too few windows of its own (:func:`needs_pool`; every
    one with ``always``): the ``ceil((N + 1) level)``-th smallest of the ``N`` pooled scores
    of each step (scores of the same ``kind`` only) times the series' own unit. None where
    the series keeps its own quantile (or has no calibration)."""
    grouped: dict[str, list[np.ndarray]] = {}
    for c in cals:
        if c is not None:
            grouped.setdefault(c.kind, []).append(c.scores)
    pools = {k: np.concatenate(v, axis=0) for k, v in grouped.items()}
    out = []
    for c in cals:
        if c is None or not (always or needs_pool(len(c.scores), level)):
            out.append(None)
            continue
        scores = pools[c.kind]
        lo, hi = c.bounds(half_width(scores, level))
        short = "" if math.ceil((len(scores) + 1) * level) <= len(scores) else ", too few for the level: the largest"
        out.append((lo, hi, f"{c.note}; bound pooled over the chunk: {len(scores)} scaled errors per step{short}"))
    return out


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
