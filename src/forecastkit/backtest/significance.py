"""Is one model's advantage real? Diebold-Mariano tests and a model confidence set.

Both work on *per-origin* losses: the mean loss (squared error for RMSE, absolute
error for MAE, ...) of each model's forecasts from one origin. Origins that are
closer than the horizon share target periods, so their loss differences are
autocorrelated up to ``h - 1`` lags (``h`` = the number of origins a forecast
window spans, :func:`overlap_lags`); both procedures account for it.

- :func:`diebold_mariano`: the Diebold-Mariano (1995) test of equal predictive
  accuracy with the Harvey, Leybourne and Newbold (1997) small-sample correction
  (statistic scaled by ``sqrt((T + 1 - 2h + h(h-1)/T) / T)``, Student's t with
  ``T - 1`` degrees of freedom). The long-run variance uses the truncated
  (rectangular) kernel with ``h - 1`` lags, as in the original test; when that
  estimate is not positive it falls back to Bartlett weights.
- :func:`model_confidence_set`: the model confidence set of Hansen, Lunde and
  Nason (2011) with the ``T_max`` statistic and a circular block bootstrap (fixed
  seed, so a run is reproducible): the models whose losses are not significantly
  worse than the best's at level ``alpha``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class DMResult:
    """The outcome of a Diebold-Mariano test of ``loss_a`` against ``loss_b``.

    ``mean_difference`` is mean(loss_a - loss_b): negative when A's losses are lower.
    ``pvalue`` is two-sided; NaN when there are fewer than 3 paired origins.
    """

    statistic: float
    pvalue: float
    mean_difference: float
    n: int
    lags: int

    @property
    def testable(self) -> bool:
        return math.isfinite(self.pvalue)


def overlap_lags(origin_positions, horizon: int) -> int:
    """Lags of autocorrelation among per-origin losses: ``ceil(horizon / spacing) - 1``
    where ``spacing`` is the typical distance (in rows) between consecutive origins."""
    pos = np.unique(np.asarray(origin_positions, dtype=float))
    if pos.size < 2 or horizon <= 1:
        return 0
    spacing = max(float(np.median(np.diff(pos))), 1.0)
    return max(int(math.ceil(horizon / spacing)) - 1, 0)


def _autocov(d: np.ndarray, k: int) -> float:
    c = d - d.mean()
    return float(np.dot(c[k:], c[: c.size - k]) / c.size)


def long_run_variance(d, lags: int, kernel: str = "rectangular") -> float:
    """Long-run variance of the series ``d`` (``gamma_0 + 2 sum_k w_k gamma_k``).

    ``kernel`` is ``"rectangular"`` (``w_k = 1``, k <= lags) or ``"bartlett"``
    (``w_k = 1 - k / (lags + 1)``, Newey-West).
    """
    d = np.asarray(d, dtype=float)
    lags = min(int(lags), d.size - 1)
    total = _autocov(d, 0)
    for k in range(1, lags + 1):
        w = 1.0 if kernel == "rectangular" else 1.0 - k / (lags + 1)
        total += 2 * w * _autocov(d, k)
    return total


def diebold_mariano(loss_a, loss_b, *, lags: int = 0, harvey: bool = True,
                    kernel: str = "rectangular") -> DMResult:
    """Diebold-Mariano test that two per-origin loss series have equal means.

    Parameters
    ----------
    loss_a, loss_b : array-like
        Paired losses, one per origin; pairs with a NaN are dropped.
    lags : int
        Autocorrelation lags of the loss differences (``h - 1``; see :func:`overlap_lags`).
    harvey : bool
        Apply the Harvey-Leybourne-Newbold correction (t with T - 1 degrees of freedom).
    kernel : {"rectangular", "bartlett"}
        Weights of the long-run variance (rectangular falls back to Bartlett when
        its estimate is not positive).

    Returns
    -------
    DMResult
    """
    a, b = np.asarray(loss_a, dtype=float).ravel(), np.asarray(loss_b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"loss series differ in length: {a.size} vs {b.size}")
    ok = np.isfinite(a) & np.isfinite(b)
    d = a[ok] - b[ok]
    n, lags = int(d.size), max(int(lags), 0)
    nan = float("nan")
    if n < 3:
        return DMResult(nan, nan, float(d.mean()) if n else nan, n, lags)
    dbar = float(d.mean())
    scale = max(float(np.abs(a[ok]).mean() + np.abs(b[ok]).mean()), 1e-300)
    if np.all(np.abs(d) <= 1e-12 * scale):  # identical losses: no evidence either way
        return DMResult(0.0, 1.0, 0.0, n, lags)
    var = long_run_variance(d, lags, kernel)
    if var <= 0 and kernel == "rectangular":
        var = long_run_variance(d, lags, "bartlett")
    if var <= 1e-24 * scale**2:  # a constant, non-zero difference: certain
        return DMResult(math.copysign(math.inf, dbar), 0.0, dbar, n, lags)
    stat = dbar / math.sqrt(var / n)
    if harvey:
        h = lags + 1
        stat *= math.sqrt(max(n + 1 - 2 * h + h * (h - 1) / n, 1e-12) / n)
        p = 2 * float(stats.t.sf(abs(stat), df=n - 1))
    else:
        p = 2 * float(stats.norm.sf(abs(stat)))
    return DMResult(float(stat), min(p, 1.0), dbar, n, lags)


@dataclass(frozen=True)
class MCSResult:
    """A model confidence set: ``included`` at level ``alpha``, and every model's MCS
    p-value (a model is in the set when its p-value is at least ``alpha``)."""

    models: tuple[str, ...]
    pvalues: tuple[float, ...]
    alpha: float
    n: int
    block: int
    n_boot: int
    seed: int

    @property
    def included(self) -> tuple[str, ...]:
        return tuple(m for m, p in zip(self.models, self.pvalues) if p >= self.alpha)

    def pvalue(self, model: str) -> float:
        return self.pvalues[self.models.index(model)]


def _block_indices(n: int, block: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Circular block bootstrap: ``(n_boot, n)`` row indices made of blocks of ``block``."""
    n_blocks = -(-n // block)
    starts = rng.integers(0, n, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]) % n
    return idx.reshape(n_boot, -1)[:, :n]


def model_confidence_set(losses, models, *, alpha: float = 0.05, block: int | None = None,
                         n_boot: int = 2000, seed: int = 0) -> MCSResult:
    """The Hansen-Lunde-Nason model confidence set with the ``T_max`` statistic.

    Parameters
    ----------
    losses : array-like, shape (n_origins, n_models)
        Per-origin losses (no NaN: give the origins every model forecast).
    models : sequence of str
        The model names, one per column.
    alpha : float
        Level of the elimination tests.
    block : int, optional
        Bootstrap block length; default ``max(2, ceil(n ** (1/3)))``.
    n_boot : int
        Bootstrap draws.
    seed : int
        Seed of the bootstrap (the set is reproducible).

    Returns
    -------
    MCSResult
    """
    L = np.asarray(losses, dtype=float)
    models = tuple(str(m) for m in models)
    if L.ndim != 2 or L.shape[1] != len(models):
        raise ValueError(f"losses must be (n_origins, {len(models)}); got {L.shape}")
    if not np.isfinite(L).all():
        raise ValueError("losses contain NaN or inf; keep the origins every model forecast")
    n, k = L.shape
    block = int(block or max(2, math.ceil(n ** (1 / 3))))
    block = max(1, min(block, n))
    rng = np.random.default_rng(seed)
    boot = L[_block_indices(n, block, n_boot, rng)].mean(axis=1)  # (n_boot, k)
    means = L.mean(axis=0)
    pvalues = np.ones(k)
    active = list(range(k))
    running = 0.0
    while len(active) > 1:
        m_bar, b_bar = means[active], boot[:, active]
        d = m_bar - m_bar.mean()  # each model's loss against the set's average
        d_boot = b_bar - b_bar.mean(axis=1, keepdims=True) - d
        sd = np.sqrt((d_boot**2).mean(axis=0))
        tiny = sd <= 1e-12 * max(float(np.abs(m_bar).max()), 1e-300)
        sure = np.where(d > 0, np.inf, np.where(d < 0, -np.inf, 0.0))  # no spread: the sign decides
        t = np.where(tiny, sure, d / np.where(tiny, 1.0, sd))
        if np.all(t == 0):  # every remaining model has the same losses
            break
        t_max = float(t.max())
        t_boot = np.where(tiny, 0.0, d_boot / np.where(tiny, 1.0, sd)).max(axis=1)
        p = float((t_boot >= t_max).mean())
        running = max(running, p)
        worst = active[int(np.argmax(t))]
        pvalues[worst] = running
        active.remove(worst)
    return MCSResult(models, tuple(float(p) for p in pvalues), alpha, n, block, n_boot, seed)
