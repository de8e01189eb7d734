"""Scores of prediction intervals at a stated level ``1 - a`` (e.g. 95%: a = 0.05).

- ``coverage`` = share of actuals inside ``[lower, upper]``; ``width`` = mean(upper - lower);
- ``winkler`` (interval score, Gneiting & Raftery 2007) = mean of
  ``(u - l) + (2 / a) (l - y) [y < l] + (2 / a) (y - u) [y > u]``: the width plus a
  penalty for every miss, lower is better;
- ``pinball`` = mean of the pinball (quantile) losses of ``lower`` at ``a / 2`` and of
  ``upper`` at ``1 - a / 2``, the interval's quantiles (``winkler = (2 / a) * 2 * pinball``).

A model's intervals are flagged (:func:`coverage_flag`) when their coverage is more
than :data:`COVERAGE_TOLERANCE` off the level over enough forecasts to tell: at least
:data:`MIN_FLAG_FORECASTS`, and an exact binomial test rejects the nominal level at
:data:`FLAG_ALPHA` (so 1 hit in 12 at 95% is flagged, 40 of 48 too, 11 of 12 not).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: coverage further than this from the nominal level is flagged
COVERAGE_TOLERANCE = 0.05
#: fewer interval forecasts than this are too few to flag
MIN_FLAG_FORECASTS = 10
#: level of the binomial test that the coverage differs from the nominal level
FLAG_ALPHA = 0.05


def pinball(actual: Any, quantile: Any, tau: float) -> np.ndarray:
    """Pinball loss of the ``tau``-quantile forecast ``quantile`` per point."""
    y, q = np.asarray(actual, dtype=float), np.asarray(quantile, dtype=float)
    diff = y - q
    return np.maximum(tau * diff, (tau - 1) * diff)


def interval_scores(actual: Any, lower: Any, upper: Any, level: float | None) -> dict[str, float]:
    """Coverage, width, Winkler score and pinball loss of intervals at ``level``.

    Points with a NaN bound are ignored; ``n_intervals`` counts the others. Without
    any (or without a level, for the two scores) the values are NaN.
    """
    y, lo, hi = (np.asarray(v, dtype=float).ravel() for v in (actual, lower, upper))
    ok = np.isfinite(y) & np.isfinite(lo) & np.isfinite(hi)
    nan = float("nan")
    out = {"coverage": nan, "width": nan, "winkler": nan, "pinball": nan, "n_intervals": int(ok.sum())}
    if not ok.any():
        return out
    y, lo, hi = y[ok], lo[ok], hi[ok]
    out["coverage"] = float(((lo <= y) & (y <= hi)).mean())
    out["width"] = float((hi - lo).mean())
    if level is not None and 0 < level < 1:
        a = 1 - float(level)
        penalty = (2 / a) * (np.maximum(lo - y, 0) + np.maximum(y - hi, 0))
        out["winkler"] = float((hi - lo + penalty).mean())
        out["pinball"] = float(((pinball(y, lo, a / 2) + pinball(y, hi, 1 - a / 2)) / 2).mean())
    return out


def coverage_flag(coverage: float, n_intervals: int, level: float | None) -> str:
    """'' when the coverage is acceptable (or too few forecasts to say), else e.g.
    ``"low: 35.4% of 48 (95%)"``."""
    if level is None or not math.isfinite(coverage) or n_intervals < MIN_FLAG_FORECASTS:
        return ""
    off = coverage - level
    if abs(off) <= COVERAGE_TOLERANCE + 1e-12:
        return ""
    from scipy.stats import binomtest

    hits = int(round(coverage * n_intervals))
    if binomtest(hits, n_intervals, level).pvalue >= FLAG_ALPHA:
        return ""
    return f"{'low' if off < 0 else 'high'}: {100 * coverage:.1f}% of {n_intervals} ({level_text(level)})"


def level_text(level: float | None) -> str:
    """``0.95 -> "95%"``, ``0.9 -> "90%"``, ``0.975 -> "97.5%"``."""
    if level is None:
        return "-"
    return f"{100 * level:.10g}%"


def quantile_text(level: float | None) -> str:
    """The interval's quantiles, ``0.95 -> "2.5%/97.5%"``."""
    if level is None:
        return "-"
    a = 1 - level
    return f"{100 * a / 2:.10g}%/{100 * (1 - a / 2):.10g}%"
