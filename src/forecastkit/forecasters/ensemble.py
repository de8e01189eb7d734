"""Forecast combinations: :class:`EnsembleForecaster`, the mean or median of member
forecasters given inline (any registered types, Keras ones included).

The M-competitions' lesson: a simple combination of a few sound methods is hard to
beat and rarely much worse than the best of them. Members are fitted on the same
rows and updated together. The interval of the combination averages the members'
bounds (quantile averaging: at least as wide as the median member's, slightly
conservative when the members' errors are not perfectly correlated); the run layer
can calibrate it out of sample instead (``[forecast] intervals``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters._members import build_member, member_label, member_specs
from forecastkit.forecasters.base import Forecaster

__all__ = ["EnsembleForecaster"]

COMBINES = ("mean", "median")


class EnsembleForecaster(Forecaster):
    """The mean (or median) of member forecasters.

    Parameters
    ----------
    members : list of dict
        One table per member: ``{"type": "ets", "season_length": 12}``; an optional
        ``name`` labels it in ``fitted_info``. Built through the registry.
    combine : {"mean", "median"}, default "mean"

    Attributes
    ----------
    members_ : list of the fitted member forecasters.
    """

    _tags = {"intervals": True}
    param_choices = {"combine": COMBINES}
    #: parameters holding member tables (the run layer fills their context, see runs.inputs)
    member_params = ("members",)

    def __init__(self, members=None, combine="mean") -> None:
        self.members = members
        self.combine = combine

    def _specs(self) -> list[dict[str, Any]]:
        if self.combine not in COMBINES:
            raise ConfigError(f"ensemble: combine must be 'mean' or 'median', got {self.combine!r}")
        return member_specs(self.members, "ensemble", "members")

    def _built(self) -> list[Forecaster]:
        return [build_member(s, "ensemble", "members", i) for i, s in enumerate(self._specs())]

    def min_train_size(self) -> int:
        return max(m.min_train_size() for m in self._built())

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        specs = self._specs()
        index = self.history_index()
        frame = pd.DataFrame(y, index=index, columns=self.targets_)
        self.members_ = [m.fit(frame) for m in self._built()]
        self.labels_ = [member_label(s, i) for i, s in enumerate(specs)]

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        frame = pd.DataFrame(y, index=self.history_index(), columns=self.targets_)
        for m in self.members_:
            m.update(frame)

    def _reduce(self, stack: np.ndarray) -> np.ndarray:
        return np.median(stack, axis=0) if self.combine == "median" else np.mean(stack, axis=0)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return self._reduce(np.stack([m.predict(h).to_numpy(dtype=float) for m in self.members_]))

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        lacking = [lab for lab, m in zip(self.labels_, self.members_) if not m.tags()["intervals"]]
        if lacking:
            raise DataError(f"ensemble: member(s) {lacking} give no prediction intervals, so the ensemble cannot")
        bands = [m.predict_interval(h, level=level) for m in self.members_]
        lower = [b[[f"{t}_lower" for t in self.targets_]].to_numpy(dtype=float) for b in bands]
        upper = [b[[f"{t}_upper" for t in self.targets_]].to_numpy(dtype=float) for b in bands]
        return self._predict(h, X), self._reduce(np.stack(lower)), self._reduce(np.stack(upper))

    def fitted_info(self) -> dict[str, Any]:
        """How the members are combined and what each member chose."""
        return {**super().fitted_info(), "combine": self.combine,
                "members": {lab: {"type": s["type"], **m.fitted_info()}
                            for lab, s, m in zip(self.labels_, self._specs(), self.members_)}}

    def _transform_audit(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for lab, m in zip(self.labels_, self.members_):
            merged.update({f"{lab}.{k}": v for k, v in m._transform_audit().items()})
        return merged
