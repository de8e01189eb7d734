"""Where the reduction forecaster's interval calibration forecasts from: the newest
training windows, cut into consecutive blocks, each forecast by models fitted on the
rows before it (shared by the fit's Gram pass and :mod:`._reduction_intervals`)."""

from __future__ import annotations

import numpy as np

#: most calibration windows of the reduction forecaster's intervals (the newest ones):
#: ample for the 2.5 % tails per step, and a long series no longer forecasts half its
#: windows h steps ahead for every interval
MAX_CALIBRATION_WINDOWS = 1000


def calibration_windows(S: int) -> np.ndarray:
    """Positions of the calibration windows among ``S`` ``h``-step windows: the last
    half, at most the newest :data:`MAX_CALIBRATION_WINDOWS`."""
    return np.arange(max(S // 2, S - MAX_CALIBRATION_WINDOWS), max(S, 0))


def calibration_cuts(n_rows: int, start: int, h: int, n_folds: int = 3) -> list[int] | None:
    """Where the interval calibration of an ``h``-step forecast cuts the training rows:
    the :func:`calibration_windows` of the ``h``-step windows (first origin ``start``) in
    ``n_folds`` consecutive blocks, each forecast by models fitted on the rows up to its
    first origin. None when there are fewer than 10 calibration windows."""
    S = n_rows - start - h
    calib = calibration_windows(S)
    if len(calib) < 10:
        return None
    return [start + int(block[0]) + 1 for block in np.array_split(calib, n_folds)]
