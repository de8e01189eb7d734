"""Pooled reduction: one regressor trained on the windows of many series, for the three
strategies (recursive, direct, multi_output).

Each series arrives as a :class:`Member`, already scaled with statistics of its own
training rows: the target ``z`` and past covariates ``P`` up to the origin, the
future-known covariates ``F`` over the training rows *and* the forecast steps, and its
static inputs ``s``. The windows of every member are framed separately with
:func:`~forecastkit.forecasters._reduction_strategies.frame_windows` (the single-series
framing, so the columns and rows of a one-series panel are those of
:class:`~forecastkit.forecasters.reduction.ReductionForecaster`) and only then stacked:
no window spans two series. The static inputs are appended to every row of a series.

- ``recursive``: one 1-step model; predictions are fed back as lags. With past
  covariates it also predicts them (vector recursion, as for one series).
- ``direct``: one model per step ``s``, trained on the targets at ``t+s`` (step ``s``
  uses the windows whose ``t+s`` is a training row).
- ``multi_output``: one model for all ``h`` steps (its design has the future-known
  covariates of every step).

``window = True`` divides each window's target lags and target outputs by the mean of
its target lags (``scaling = "window"``), and the forecasts are multiplied back.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from forecastkit.errors import DataError
from forecastkit.forecasters._reduction_strategies import assemble, frame_windows


class Member(NamedTuple):
    """One series at one origin ``o``: ``z`` (o,), ``P`` (o, p), ``F`` (o + h, f), ``s`` (q,)."""

    z: np.ndarray
    P: np.ndarray
    F: np.ndarray
    s: np.ndarray


def _levels(Zlags: np.ndarray) -> np.ndarray:
    """Window levels (n, 1): the mean of each window's target lags (1 where ~0)."""
    level = Zlags.mean(axis=1, keepdims=True)
    return np.where(np.abs(level) > 1e-12, level, 1.0)


class PooledReduction:
    """Train one strategy's regressor(s) on the pooled windows; forecast every member.

    Parameters
    ----------
    strategy : {"recursive", "direct", "multi_output"}
    factory : callable
        ``factory(n_outputs)`` -> a fresh regressor (a ``RegressorFactory``).
    n_in, n_past : int
        Target lags and past covariate lags.
    window : bool
        Scale each window by the mean of its target lags.
    """

    def __init__(self, strategy: str, factory: Any, n_in: int, n_past: int, window: bool = False):
        self.strategy = strategy
        self.factory = factory
        self.n_in = n_in
        self.n_past = n_past
        self.window = window

    # -- framing -----------------------------------------------------------------------
    def _frames(self, members: list[Member], n_out: int, past_outputs: bool = False):
        """(member, its windows) for every member long enough for one ``n_out``-step window."""
        out = []
        for m in members:
            try:
                w = frame_windows(m.z[:, None], m.P, m.F[:len(m.z)], self.n_in, self.n_past, n_out, past_outputs)
            except DataError:  # too short for one window: forecast, not trained on
                continue
            out.append((m, w))
        if not out:
            raise DataError(f"no series has enough training rows for one window of {self.n_in} lags "
                            f"and {n_out} output step(s)")
        return out

    def _scaled(self, Zlags: np.ndarray, Y: np.ndarray | None = None, k: int = 1):
        """Target lags (and the first ``k`` output columns) divided by the window level."""
        if not self.window:
            return Zlags, Y, np.ones((len(Zlags), 1))
        lv = _levels(Zlags)
        if Y is not None:
            Y = Y.copy()
            Y[:, :k] = Y[:, :k] / lv
        return Zlags / lv, Y, lv

    def _fit_one(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
        """Fit a regressor on per-series (X, Y, statics) blocks stacked (statics on every row)."""
        X = np.concatenate([np.hstack([x, np.repeat(s[None], len(x), axis=0)]) for x, _, s in parts])
        Y = np.concatenate([y.reshape(len(y), -1) for _, y, _ in parts])
        est = self.factory(Y.shape[1])
        est.fit(X, Y[:, 0] if Y.shape[1] == 1 else Y)
        return est

    # -- fit ---------------------------------------------------------------------------
    def fit(self, members: list[Member], h: int) -> "PooledReduction":
        """Train on the windows of ``members`` for forecasts of ``h`` steps."""
        self.p_ = members[0].P.shape[1]
        self.models_: dict[int, Any] = {}
        if self.strategy == "recursive":
            parts = []
            for m, w in self._frames(members, 1, past_outputs=self.p_ > 0):
                Zl, Y, _ = self._scaled(w.Z[:, :, 0], w.Y[:, 0])
                parts.append((assemble(Zl[:, :, None], w.P, w.F[:, :1]), Y, m.s))
            self.models_[1] = self._fit_one(parts)
        elif self.strategy == "multi_output":
            parts = []
            for m, w in self._frames(members, h):
                Zl, Y, _ = self._scaled(w.Z[:, :, 0], w.Y[:, :, 0], k=h)
                parts.append((assemble(Zl[:, :, None], w.P, w.F), Y, m.s))
            self.models_[h] = self._fit_one(parts)
        elif self.strategy == "direct":
            frames = []
            for m, w in self._frames(members, 1):
                Zl, _, lv = self._scaled(w.Z[:, :, 0])
                L = assemble(Zl[:, :, None], w.P, w.F[:, :0])
                frames.append((m, L, lv, int(w.origins[0]) + 1))
            if max(len(L) for _, L, _, _ in frames) < h:  # as the single-series check: all h steps
                raise DataError(f"no series has enough training rows for one window of {self.n_in} lags "
                                f"and {h} output step(s)")
            for step in range(1, h + 1):
                parts = []
                for m, L, lv, first in frames:
                    n = len(L) - step + 1  # the windows whose t+step is a training row
                    if n >= 1:
                        rows = slice(first + step - 1, first + step - 1 + n)
                        parts.append((np.hstack([L[:n], m.F[rows]]), m.z[rows, None] / lv[:n], m.s))
                self.models_[step] = self._fit_one(parts)
        else:
            raise DataError(f"unknown strategy {self.strategy!r}")
        return self

    # -- predict -----------------------------------------------------------------------
    def predict(self, members: list[Member], h: int) -> np.ndarray:
        """(n_members, h) forecasts from each member's last windows (scaled units)."""
        n = len(members)
        Z = np.stack([m.z[-self.n_in:] for m in members])
        P = np.stack([m.P[len(m.z) - self.n_past:len(m.z)] for m in members]) if self.p_ else np.empty((n, 0, 0))
        F = np.stack([m.F[len(m.z):len(m.z) + h] for m in members])
        S = np.stack([m.s for m in members])
        Zl, _, lv = self._scaled(Z)
        if self.strategy == "multi_output":
            X = np.hstack([assemble(Zl[:, :, None], P, F), S])
            out = np.asarray(self.models_[h].predict(X), float).reshape(n, h)
        elif self.strategy == "direct":
            L = assemble(Zl[:, :, None], P, F[:, :0])
            out = np.column_stack([np.asarray(self.models_[s].predict(np.hstack([L, F[:, s - 1], S])), float)
                                   .reshape(n) for s in range(1, h + 1)])
        else:
            out = self._recurse(Zl, P, F, S, h)
        return out * lv

    def _recurse(self, Z: np.ndarray, P: np.ndarray, F: np.ndarray, S: np.ndarray, h: int) -> np.ndarray:
        """Roll the windows forward ``h`` steps, feeding each prediction back as a lag."""
        est, n, p = self.models_[1], len(Z), self.p_
        zbuf = np.concatenate([Z, np.empty((n, h))], axis=1)
        pbuf = np.concatenate([P, np.empty((n, h, p))], axis=1) if p else P
        for s in range(h):
            lags_p = pbuf[:, s:s + self.n_past] if p else P
            X = np.hstack([assemble(zbuf[:, s:s + self.n_in, None], lags_p, F[:, s:s + 1]), S])
            pred = np.asarray(est.predict(X), float).reshape(n, -1)
            zbuf[:, self.n_in + s] = pred[:, 0]
            if p:
                pbuf[:, self.n_past + s] = pred[:, 1:]
        return zbuf[:, self.n_in:]
