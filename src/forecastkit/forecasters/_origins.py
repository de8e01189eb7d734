"""Forecasts from many origins at once for models whose bands are Gaussian around the
forecast: the interval calibration of :class:`~forecastkit.forecasters.conformal.
ConformalForecaster` (and of panel runs) in one pass instead of an update and a
forecast per calibration window."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError
from forecastkit.forecasters.base import normal_quantile


class GaussianOrigins:
    """``_forecast_origins`` from the model's ``_origin_stats(y, origins, h)``: the
    ``(mean, sd)`` arrays, each ``(n_origins, h, k)``, of ``update(y[:o])`` then a
    forecast for every origin ``o`` (None where the model has no vectorised form); its
    band at ``level`` is ``mean -+ z sd``."""

    def _origins_from(self, y: pd.DataFrame) -> bool:
        """Whether ``y``'s history can be used as it is (e.g. the fitted seasonal phase)."""
        return True

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins: Any, h: int,
                          level: float | None):
        """Forecasts from many origins at once: row ``i`` of each ``(n_origins, h, k)``
        array equals ``update(y[:o])`` then ``predict_interval(h, level=level)``
        (``predict`` and None bounds when ``level`` is None), ``o = origins[i]``, up to
        rounding. None when the model declines (the caller loops)."""
        self._check_fitted()
        origins = np.asarray(origins, dtype=int)
        if [str(c) for c in y.columns] != self.targets_ or len(origins) == 0 or not self._origins_from(y):
            return None
        if origins.min() < self.min_train_size() or origins.max() > len(y):
            raise DataError(f"origins {origins.min()}..{origins.max()} do not fit {len(y)} rows")
        stats = self._origin_stats(y.to_numpy(dtype=float), origins, h)
        if stats is None:
            return None
        mean, sd = stats
        if level is None:
            return mean, None, None
        half = normal_quantile(level) * sd
        return mean, mean - half, mean + half
