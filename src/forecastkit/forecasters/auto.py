"""Validation-based model choice: :class:`AutoForecaster`.

``fit`` holds out the end of the rows it is given, never anything else: ``folds``
inner origins ``horizon`` steps apart, the last one ``horizon`` steps before the
end. Each candidate is fitted once on the rows before the first inner origin and
then updated origin by origin (its parameters kept, as in a backtest with
``refit_every = 0``), forecasting ``horizon`` steps each time. Candidates are ranked
by MASE over those forecasts (MAE scaled per target by the in-sample MAE of the
seasonal naive forecast on the rows before the first inner origin, so several
targets weigh alike). The best ``top_k`` are then refitted on all the rows; with
``top_k > 1`` their forecasts are averaged. In a backtest this happens in every
fold's ``fit``, so the choice only ever sees that fold's training rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError, ForecastkitError
from forecastkit.forecasters._members import build_member, member_label, member_specs
from forecastkit.forecasters.base import Forecaster

__all__ = ["AutoForecaster"]


def default_candidates(season_length: int) -> list[dict[str, Any]]:
    """auto_arima, ets and theta, with the seasonal naive (or naive) baseline."""
    m = int(season_length)
    out = [{"type": "auto_arima", "season_length": m}, {"type": "ets", "season_length": m},
           {"type": "theta", "season_length": m}]
    out.append({"type": "seasonal_naive", "season_length": m} if m > 1 else {"type": "naive"})
    return out


class AutoForecaster(Forecaster):
    """Chooses among candidate forecasters by an inner rolling validation (see the
    module notes).

    Parameters
    ----------
    candidates : list of dict, optional
        Member tables (``{"type": "ets", "season_length": 12}``); default: auto_arima,
        ets, theta and the seasonal naive with ``season_length``.
    season_length : int, default 1
        Seasonal period of the default candidates and of the MASE scale.
    horizon : int, optional
        Steps forecast at each inner origin; the run sets it to the task's horizon
        (default ``max(season_length, 4)`` when used on its own).
    folds : int, default 3
        Inner validation origins.
    top_k : int, default 1
        Number of best candidates kept; more than one are averaged.

    Attributes
    ----------
    scores_ : ``{candidate: inner MASE}`` (``inf`` for a candidate that failed).
    chosen_ : labels of the kept candidates, best first.
    models_ : the kept candidates, refitted on all the rows.
    """

    _tags = {"intervals": True, "fixed_horizon": True}
    member_params = ("candidates",)

    def __init__(self, candidates=None, season_length=1, horizon=None, folds=3, top_k=1) -> None:
        self.candidates = candidates
        self.season_length = season_length
        self.horizon = horizon
        self.folds = folds
        self.top_k = top_k

    # -- parameters -------------------------------------------------------------------
    def _specs(self) -> list[dict[str, Any]]:
        m = self.season_length
        if not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1:
            raise ConfigError(f"auto: season_length must be an integer >= 1, got {m!r}")
        for name in ("folds", "top_k"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"auto: {name} must be an integer >= 1, got {v!r}")
        if self.candidates is None:
            return default_candidates(m)
        return member_specs(self.candidates, "auto", "candidates")

    def _h(self) -> int:
        h = self.horizon if self.horizon is not None else max(int(self.season_length), 4)
        if not isinstance(h, (int, np.integer)) or isinstance(h, bool) or h < 1:
            raise ConfigError(f"auto: horizon must be an integer >= 1, got {h!r}")
        return int(h)

    def _built(self) -> list[Forecaster]:
        return [build_member(s, "auto", "candidates", i) for i, s in enumerate(self._specs())]

    def min_train_size(self) -> int:
        """The candidates' largest minimum before the first inner origin, plus the
        ``folds`` inner forecasts of ``horizon`` steps."""
        need = max(c.min_train_size() for c in self._built())
        return need + self.folds * self._h()

    # -- fit --------------------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        specs = self._specs()
        labels = [member_label(s, i) for i, s in enumerate(specs)]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"auto: candidate labels {labels} repeat; give each candidate a distinct 'name'")
        frame = pd.DataFrame(y, index=self.history_index(), columns=self.targets_)
        h, n = self._h(), len(frame)
        origins = [n - h * (self.folds - j) for j in range(self.folds)]
        scale = self._scale(y[: origins[0]])
        scores: dict[str, float] = {}
        for label, cand in zip(labels, self._built()):
            scores[label] = self._score(cand, frame, origins, h, scale)
        ranked = sorted((s, i) for i, s in enumerate(scores.values()) if np.isfinite(s))
        if not ranked:
            raise DataError(f"auto: every candidate failed in the inner validation ({', '.join(labels)})")
        keep = [i for _, i in ranked[: int(self.top_k)]]
        self.scores_ = scores
        self.chosen_ = [labels[i] for i in keep]
        self._chosen_types = [specs[i]["type"] for i in keep]
        built = self._built()
        self.models_ = [built[i].fit(frame) for i in keep]

    def _scale(self, y: np.ndarray) -> np.ndarray:
        m = int(self.season_length) if y.shape[0] > int(self.season_length) else 1
        diff = np.abs(y[m:] - y[:-m]) if y.shape[0] > m else np.ones_like(y)
        scale = diff.mean(axis=0) if diff.size else np.ones(y.shape[1])
        return np.where(scale > 0, scale, 1.0)

    @staticmethod
    def _score(cand: Forecaster, frame: pd.DataFrame, origins: list[int], h: int, scale: np.ndarray) -> float:
        errors = []
        try:
            for j, o in enumerate(origins):
                if j == 0:
                    cand.fit(frame.iloc[:o])
                else:
                    cand.update(frame.iloc[:o])
                pred = cand.predict(h).to_numpy(dtype=float)
                errors.append(np.abs(pred - frame.iloc[o:o + h].to_numpy(dtype=float)) / scale)
        except (ForecastkitError, ValueError, np.linalg.LinAlgError, FloatingPointError):
            return float("inf")
        score = float(np.mean(errors))
        return score if np.isfinite(score) else float("inf")

    # -- update / predict ---------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        frame = pd.DataFrame(y, index=self.history_index(), columns=self.targets_)
        for m in self.models_:
            m.update(frame)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        return np.mean([m.predict(h).to_numpy(dtype=float) for m in self.models_], axis=0)

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        lacking = [lab for lab, m in zip(self.chosen_, self.models_) if not m.tags()["intervals"]]
        if lacking:
            raise DataError(f"auto: the chosen candidate(s) {lacking} give no prediction intervals")
        bands = [m.predict_interval(h, level=level) for m in self.models_]
        lower = np.mean([b[[f"{t}_lower" for t in self.targets_]].to_numpy(dtype=float) for b in bands], axis=0)
        upper = np.mean([b[[f"{t}_upper" for t in self.targets_]].to_numpy(dtype=float) for b in bands], axis=0)
        return self._predict(h, X), lower, upper

    # -- description ------------------------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """Which candidate(s) were chosen, what they chose, and every candidate's inner MASE."""
        return {
            **super().fitted_info(),
            "chosen": self.chosen_[0] if len(self.chosen_) == 1 else list(self.chosen_),
            "chosen_info": {lab: {"type": t, **m.fitted_info()}
                            for lab, t, m in zip(self.chosen_, self._chosen_types, self.models_)},
            "inner_mase": {k: (round(v, 4) if np.isfinite(v) else None) for k, v in self.scores_.items()},
        }

    def _transform_audit(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for lab, m in zip(self.chosen_, self.models_):
            merged.update({f"{lab}.{k}": v for k, v in m._transform_audit().items()})
        return merged
