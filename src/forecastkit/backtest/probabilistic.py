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

The binomial test counts independent outcomes, but the steps of one forecast path
share its origin: a year the model misjudges is missed at most of its 12 steps, and
the next year's path may be covered at all of them. So the test runs on the
*effective* number of outcomes (:func:`effective_count`): Kish's ``n / (1 + (m - 1)
rho)``, with ``rho`` the intra-class correlation of the hits within each origin's path
(the ANOVA estimator; 0 with fewer than two paths or paths of one step, so one-step
evaluations keep the plain test). The airline's auto_arima at 80 % over 4 yearly paths
(100, 41.7, 33.3 and 91.7 % of each year covered, 32 of 48 in all) has ``rho`` 0.41
and 8.7 effective outcomes: 66.7 % is then within chance of 80 % (p = 0.39; the
plain test's p = 0.03 took the 48 hits as independent). Paths whose windows overlap
(origins closer than the horizon) are also correlated with each other; that is not
counted, so the test still errs towards flagging there. On simulated backtests (12
paths of 30 steps, calibrated 80 % bands, each path's errors sharing an offset as large
as their noise) the plain test flagged 35 % of them and this one 11 %; bands half as
wide as they should be were flagged in all (``tests/backtest/test_probabilistic.py``).
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


def interval_scores(actual: Any, lower: Any, upper: Any, level: float | None,
                    paths: Any = None) -> dict[str, float]:
    """Coverage, width, Winkler score and pinball loss of intervals at ``level``.

    Points with a NaN bound are ignored; ``n_intervals`` counts the others and
    ``n_effective`` is their :func:`effective_count` given ``paths`` (a label per point,
    e.g. its origin; ``None``: every point its own path). Without any (or without a
    level, for the two scores) the values are NaN.
    """
    y, lo, hi = (np.asarray(v, dtype=float).ravel() for v in (actual, lower, upper))
    ok = np.isfinite(y) & np.isfinite(lo) & np.isfinite(hi)
    nan = float("nan")
    out = {"coverage": nan, "width": nan, "winkler": nan, "pinball": nan, "n_intervals": int(ok.sum()),
           "n_effective": float(ok.sum())}
    if not ok.any():
        return out
    y, lo, hi = y[ok], lo[ok], hi[ok]
    hits = (lo <= y) & (y <= hi)
    out["coverage"] = float(hits.mean())
    if paths is not None:
        out["n_effective"] = effective_count(hits, np.asarray(paths).ravel()[ok])
    out["width"] = float((hi - lo).mean())
    if level is not None and 0 < level < 1:
        a = 1 - float(level)
        penalty = (2 / a) * (np.maximum(lo - y, 0) + np.maximum(y - hi, 0))
        out["winkler"] = float((hi - lo + penalty).mean())
        out["pinball"] = float(((pinball(y, lo, a / 2) + pinball(y, hi, 1 - a / 2)) / 2).mean())
    return out


def effective_count(hits: Any, paths: Any) -> float:
    """Kish's effective number of independent outcomes among interval ``hits`` (bool)
    that come in ``paths`` (a label per hit): see :func:`clustered_count`."""
    h = np.asarray(hits, dtype=float).ravel()
    if h.size == 0:
        return 0.0
    _, inverse = np.unique(np.asarray(paths).ravel(), return_inverse=True)
    sizes = np.bincount(inverse).astype(float)
    return clustered_count(sizes, np.bincount(inverse, weights=h) / sizes)


def clustered_count(sizes: Any, rates: Any) -> float:
    """Kish's ``n / (1 + (m - 1) rho)`` for paths of ``sizes`` outcomes whose shares of
    hits are ``rates``: ``n`` the outcomes in all, ``m`` the size-weighted mean path
    length and ``rho`` the ANOVA estimate of the intra-class correlation of the hits,
    clipped to [0, 1]; ``n`` itself when ``rho`` cannot be estimated (fewer than two
    paths, every path one point, or no variation at all)."""
    sizes, rates = np.asarray(sizes, dtype=float), np.asarray(rates, dtype=float)
    n, g = float(sizes.sum()), sizes.size
    if g < 2 or n <= g:
        return n
    mean = float(np.sum(sizes * rates)) / n
    msb = float(np.sum(sizes * (rates - mean) ** 2)) / (g - 1)
    msw = float(np.sum(sizes * rates * (1 - rates))) / (n - g)
    weighted = float(np.sum(sizes**2)) / n
    m0 = (n - weighted) / (g - 1)
    denominator = msb + (m0 - 1) * msw
    rho = min(max((msb - msw) / denominator, 0.0), 1.0) if denominator > 0 else 0.0
    return n / (1 + (weighted - 1) * rho)


def coverage_flag(coverage: float, n_intervals: int, level: float | None,
                  n_effective: float | None = None) -> str:
    """'' when the coverage is acceptable (or too few forecasts to say), else e.g.
    ``"low: 35.4% of 48 (95%)"``. The binomial test counts ``n_effective`` outcomes
    (:func:`effective_count`; default ``n_intervals``)."""
    if level is None or not math.isfinite(coverage) or n_intervals < MIN_FLAG_FORECASTS:
        return ""
    off = coverage - level
    if abs(off) <= COVERAGE_TOLERANCE + 1e-12:
        return ""
    from scipy.stats import binomtest

    n = n_intervals if n_effective is None else max(1, min(n_intervals, int(round(n_effective))))
    if binomtest(int(round(coverage * n)), n, level).pvalue >= FLAG_ALPHA:
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
