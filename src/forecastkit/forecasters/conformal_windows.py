"""The calibration copy's forecasts from each calibration origin, for
:class:`~forecastkit.forecasters.conformal.ConformalForecaster`: in one vectorised
pass where the model has ``_forecast_origins``, else by updating the copy origin by
origin (equal results), with the half-width of the copy's own 80 % band beside each
forecast when the errors are scaled by it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.errors import DataError
from forecastkit.forecasters.base import Forecaster

__all__ = ["band_of", "forecast_windows", "scale_of", "windows_batched", "windows_one_by_one"]

#: the level of the band whose half-width scales the errors ("scaled" score)
SCALE_LEVEL = 0.8


def forecast_windows(cal: Forecaster, frame: pd.DataFrame, X: pd.DataFrame | None, origins: np.ndarray,
                     h: int, future_known: list[str], scaled: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """``(forecasts, scales)`` of ``cal`` (fitted up to ``origins[0]``) from each origin,
    ``h`` steps, shape ``(windows, h, targets)``; ``scales`` the half-widths of its 80 %
    band (NaN where it gives none) when ``scaled``, else None."""
    batched = windows_batched(cal, frame, X, origins, h, scaled)
    if batched is not None:
        return batched
    return windows_one_by_one(cal, frame, X, origins, h, future_known, scaled)


def windows_one_by_one(cal: Forecaster, frame: pd.DataFrame, X: pd.DataFrame | None, origins: np.ndarray,
                        h: int, future_known: list[str], scaled: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """``update`` to the rows before each origin, then forecast ``h`` steps."""
    scales, preds = [], []
    for o in origins:
        if o != origins[0]:  # the fit ends at the first origin
            cal.update(frame.iloc[:o], None if X is None else X.iloc[:o])
        Xf = X.iloc[o:o + h][future_known] if (future_known and X is not None) else None
        if scaled:
            pred, scale = scale_of(cal, h, Xf, list(frame.columns))
            scales.append(scale)
        else:
            pred = cal.predict(h, Xf).to_numpy(dtype=float)
        preds.append(pred)
    return np.stack(preds), (np.stack(scales) if scales else None)


def windows_batched(cal: Forecaster, frame: pd.DataFrame, X: pd.DataFrame | None, origins: np.ndarray,
                     h: int, scaled: bool) -> tuple[np.ndarray, np.ndarray | None] | None:
    """:func:`windows_one_by_one` through the model's ``_forecast_origins`` (equal
    results, one vectorised pass); None when the model has none or declines."""
    fast = getattr(cal, "_forecast_origins", None)
    if fast is None:
        return None
    if scaled and cal.tags()["intervals"]:
        try:
            out = fast(frame, X, origins, h, SCALE_LEVEL)
            return None if out is None else (out[0], (out[2] - out[1]) / 2.0)
        except DataError:  # no band of its own here: as scale_of
            pass
    out = fast(frame, X, origins, h, None)
    if out is None:
        return None
    return out[0], (np.full_like(out[0], np.nan) if scaled else None)


def band_of(model: Forecaster, h: int, Xf: pd.DataFrame | None, targets: list[str],
            level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mean, lower, upper)`` of the model's own ``level`` interval, each ``(h, targets)``."""
    band = model.predict_interval(h, Xf, level=level)
    mean = band[targets].to_numpy(dtype=float)
    lower = band[[f"{t}_lower" for t in targets]].to_numpy(dtype=float)
    upper = band[[f"{t}_upper" for t in targets]].to_numpy(dtype=float)
    return mean, lower, upper


def scale_of(model: Forecaster, h: int, Xf: pd.DataFrame | None, targets: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The point forecast and the half-width of the model's own 80 % band: the
    local scale of its errors (NaN when the model gives no band)."""
    try:
        if not model.tags()["intervals"]:
            raise DataError("no intervals")
        mean, lo, hi = band_of(model, h, Xf, targets, SCALE_LEVEL)
    except DataError:  # no band here (e.g. too few windows for its own intervals)
        mean = model.predict(h, Xf).to_numpy(dtype=float)
        return mean, np.full_like(mean, np.nan)
    return mean, (hi - lo) / 2.0
