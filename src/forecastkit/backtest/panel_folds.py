"""Fold origins of a panel backtest, per series.

Two plans:

- ``"last"``: the last ``folds`` windows of *each* series: origins (number of
  training rows) ``n - horizon - step * (folds - 1 - k)``, ``k = 0 .. folds-1``. On a
  competition panel with ``folds = 1`` and the official ``horizon`` this is exactly
  the official test period. Ragged panels are fine: every series has its own dates.
- ``"common"``: every series is cut at the same timestamps, the last ``folds``
  cut-offs ``step`` periods apart such that the latest ending series has ``horizon``
  rows after the last cut. A series takes part in a fold when it has at least
  ``min_train`` rows up to the cut and ``horizon`` rows after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError


@dataclass(frozen=True)
class FoldPlan:
    """How origins are placed: ``origins`` ("last" or "common"), ``horizon``, ``folds``, ``step``."""

    horizon: int
    folds: int = 1
    step: int | None = None
    origins: str = "last"

    def __post_init__(self):
        if self.origins not in ("last", "common"):
            raise ConfigError(f'evaluation.origins must be "last" or "common", got {self.origins!r}')
        for key in ("horizon", "folds"):
            if int(getattr(self, key)) < 1:
                raise ConfigError(f"evaluation.{key} must be >= 1, got {getattr(self, key)}")

    @property
    def stride(self) -> int:
        return int(self.step or self.horizon)

    def min_length(self, min_train: int) -> int:
        """Rows a series needs to take part in every fold ("last" plan)."""
        return min_train + self.horizon + self.stride * (self.folds - 1)


def common_cutoffs(ends: pd.Series, freq: str, plan: FoldPlan) -> pd.DatetimeIndex:
    """The common cut-off timestamps (the last training timestamp of each fold)."""
    last = pd.Timestamp(max(ends))
    grid = pd.date_range(end=last, periods=plan.horizon + plan.stride * (plan.folds - 1) + 1, freq=freq)
    return pd.DatetimeIndex([grid[-1 - plan.horizon - plan.stride * (plan.folds - 1 - k)] for k in range(plan.folds)])


def series_origins(times: pd.DatetimeIndex, plan: FoldPlan, min_train: int,
                   cutoffs: pd.DatetimeIndex | None = None) -> list[tuple[int, int]]:
    """(fold number, training size) of each fold a series takes part in."""
    n = len(times)
    if plan.origins == "last":
        all_ = [n - plan.horizon - plan.stride * (plan.folds - 1 - k) for k in range(plan.folds)]
        return [(k, o) for k, o in enumerate(all_) if o >= min_train]
    out = []
    pos = np.searchsorted(times.values, cutoffs.values, side="right")  # rows <= cut-off
    for k, o in enumerate(pos):
        if o >= min_train and o + plan.horizon <= n and o > 0 and times[o - 1] == cutoffs[k]:
            out.append((k, int(o)))
    return out
