"""Supervised windows of a panel: per series, never across two series.

:func:`panel_windows` stacks each series' :func:`~forecastkit.framing.supervised.make_windows`
samples; :func:`panel_to_supervised` stacks each series' ``series_to_supervised``
table with a ``series_id`` column. A series too short for one window contributes
none. ``make_windows`` and ``series_to_supervised`` hand a :class:`~forecastkit.data.panel.Panel`
to these functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.data.panel import SERIES, Panel

__all__ = ["panel_to_supervised", "panel_windows"]


def _series_frames(panel: Panel):
    for sid, times, values in panel.groups():
        yield sid, pd.DataFrame({panel.target: values}, index=times)


def panel_windows(panel: Panel, n_in: int, n_out: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows of every series, stacked.

    Returns
    -------
    X : ndarray (n_samples, n_in, 1)
    Y : ndarray (n_samples, n_out, 1)
    ids : ndarray (n_samples,) of str
        The series each sample comes from.
    """
    from forecastkit.framing.supervised import make_windows

    xs, ys, ids = [], [], []
    for sid, frame in _series_frames(panel):
        if len(frame) < n_in + n_out:
            continue
        X, Y = make_windows(frame, n_in, n_out)
        xs.append(np.asarray(X))
        ys.append(np.asarray(Y))
        ids.append(np.full(len(X), sid, dtype=object))
    if not xs:
        return np.empty((0, n_in, 1)), np.empty((0, n_out, 1)), np.empty(0, dtype=object)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ids)


def panel_to_supervised(panel: Panel, n_in: int = 1, n_out: int = 1, dropnan: bool = True) -> pd.DataFrame:
    """Each series' supervised table, with a leading ``series_id`` column, stacked."""
    from forecastkit.framing.supervised import series_to_supervised

    parts = []
    for sid, frame in _series_frames(panel):
        if dropnan and len(frame) < n_in + n_out:
            continue
        table = series_to_supervised(frame, n_in=n_in, n_out=n_out, dropnan=dropnan)
        table.insert(0, SERIES, sid)
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[SERIES])
    return pd.concat(parts)
