"""Frame a multivariate time series as a supervised learning problem.

Convention (one row per forecast origin ``t``):

- inputs: every feature column at lags ``t-(n_in-1), ..., t-1, t`` (``n_in`` values each);
- outputs: every target column at ``t+1, ..., t+n_out``;
- the row is indexed by the origin's timestamp ``t``.

With ``N`` observations and ``dropnan=True`` this gives every valid pair:
``N - n_in - n_out + 1`` rows. (The classic tutorial's ``create_dataset`` loops over
``range(len(dataset) - look_back - 1)`` and so silently drops the last pair.)

Neither function copies the data when it need not: ``make_windows`` returns strided
views, and the columns of a large ``series_to_supervised`` table are row slices of
the input (pandas copy-on-write keeps them independent of later edits to the input).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from forecastkit.data.panel import SERIES, Panel
from forecastkit.errors import DataError, ForecastkitTypeError


def _as_named_array(data: Any) -> tuple[np.ndarray, list[str], pd.Index]:
    """Return (values (N, F), column names, index) without copying numeric frames."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "var1")
    if isinstance(data, pd.DataFrame):
        bad = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        if bad:
            raise DataError(
                f"column(s) {bad} are not numeric (dtypes {[str(data[c].dtype) for c in bad]}); "
                "one-hot encode categoricals or drop them"
            )
        names = [str(c) for c in data.columns]
        if len(set(names)) != len(names):
            raise DataError(f"duplicate column names: {names}")
        return data.to_numpy(), names, data.index
    if isinstance(data, np.ndarray):
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2:
            raise DataError(f"data must be 1-D or 2-D, got an array of shape {data.shape}")
        if not np.issubdtype(data.dtype, np.number):
            raise DataError(f"data must be numeric, got dtype {data.dtype}")
        names = [f"var{i + 1}" for i in range(data.shape[1])]
        return data, names, pd.RangeIndex(data.shape[0])
    if isinstance(data, (list, tuple)):
        try:
            array = np.asarray(data, dtype=float)
        except (ValueError, TypeError) as exc:  # strings, ragged rows
            raise DataError(f"data must be a numeric table: {exc}") from None
        return _as_named_array(array)
    raise ForecastkitTypeError(
        f"data must be a DataFrame, Series, numpy array or list, got {type(data).__name__}"
    )


def _pick(names: list[str], wanted: str | Sequence[str] | None, what: str) -> list[int]:
    if wanted is None:
        return list(range(len(names)))
    if isinstance(wanted, str):
        wanted = [wanted]
    wanted = [str(w) for w in wanted]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        raise DataError(f"unknown {what} column(s) {unknown}; available: {names}")
    if not wanted:
        raise DataError(f"no {what} columns given")
    return [names.index(w) for w in wanted]


# Tables with at least this many cells (32 MiB of float64) are built from views of
# the input instead of one new array: copying dominates there, while for small
# tables one array is faster to build and to use than many pandas blocks.
_VIEW_MIN_CELLS = 1 << 22


def _as_float_frame(
    data: Any, values: np.ndarray, names: list[str], index: pd.Index
) -> pd.DataFrame:
    """``data`` as a float64 DataFrame; a float64 frame is reused, not copied."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame) and (data.dtypes == np.float64).all():
        return data.set_axis(names, axis=1)
    # Arrays are copied so the table does not alias an array the caller may modify.
    return pd.DataFrame(values, index=index, columns=names, dtype=float, copy=True)


def _as_slice(idx: list[int]) -> slice | list[int]:
    """A run of consecutive column positions as a slice, which indexes without a copy."""
    if idx == list(range(idx[0], idx[0] + len(idx))):
        return slice(idx[0], idx[0] + len(idx))
    return idx


def _check_sizes(n_rows: int, n_in: Any, n_out: Any) -> tuple[int, int]:
    for name, value, low in (("n_in", n_in, 1), ("n_out", n_out, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ForecastkitTypeError(f"{name} must be an integer, got {value!r}")
        if value < low:
            raise DataError(f"{name} must be >= {low}, got {value}")
    if n_rows < n_in + n_out:
        raise DataError(
            f"series too short: {n_rows} rows, but n_in={n_in} + n_out={n_out} needs "
            f"at least {n_in + n_out}"
        )
    return int(n_in), int(n_out)


def _lag_name(col: str, offset: int) -> str:
    if offset == 0:
        return f"{col}(t)"
    return f"{col}(t{offset:+d})"


def series_to_supervised(
    data: Any,
    n_in: int = 1,
    n_out: int = 1,
    targets: str | Sequence[str] | None = None,
    dropnan: bool = True,
    *,
    features: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Frame a (multivariate) time series as a supervised learning table.

    Parameters
    ----------
    data : DataFrame, Series or array of shape (N, F)
        Observations in time order. Array columns are named ``var1, var2, ...``.
    n_in : int, default 1
        Number of input lags: each feature at ``t-(n_in-1) ... t``.
    n_out : int, default 1
        Number of output steps: each target at ``t+1 ... t+n_out`` (0 gives inputs only).
    targets : str or list of str, optional
        Output columns (default: all columns).
    dropnan : bool, default True
        Drop rows whose lags or outputs fall outside the data. With ``False`` every
        timestamp is kept and missing positions are NaN.
    features : str or list of str, optional
        Input columns (default: all columns).

    Returns
    -------
    DataFrame
        Columns ``f(t-(n_in-1)) ... f(t)`` for each lag and feature, then
        ``y(t+1) ... y(t+n_out)`` for each step and target; indexed by the origin ``t``.
        ``N - n_in - n_out + 1`` rows when ``dropnan``.
        A :class:`~forecastkit.data.panel.Panel` gives each series' table, stacked,
        with a ``series_id`` column (:func:`panel_to_supervised`).

    Notes
    -----
    A small table is one new float array. A large one (``dropnan=True``, 4M cells
    or more) holds no copy of the data: each lag / step block is a row slice of the
    input (float data is not copied; arrays and other dtypes are converted once), so
    framing costs no memory and ``to_numpy()`` assembles one array when needed.

    Examples
    --------
    The airline series starts 112, 118, 132, 129, 121. With ``n_in=1, n_out=1`` the
    first pairs are ``112 -> 118`` and ``118 -> 132`` (the tutorial's look-back 1); with
    ``n_in=3`` the first row is ``[112, 118, 132] -> 129``:

    >>> import pandas as pd
    >>> s = pd.Series([112, 118, 132, 129, 121], name="y")
    >>> series_to_supervised(s, n_in=3, n_out=1)
       y(t-2)  y(t-1)   y(t)  y(t+1)
    2   112.0   118.0  132.0   129.0
    3   118.0   132.0  129.0   121.0
    """
    if isinstance(data, Panel):  # each series' table, never a row across two series
        return panel_to_supervised(data, n_in, n_out, dropnan)
    values, names, index = _as_named_array(data)
    n_rows = values.shape[0]
    n_in, n_out = _check_sizes(n_rows, n_in, n_out)
    f_idx = _pick(names, features, "feature")
    t_idx = _pick(names, targets, "target")

    if dropnan:
        first, last = n_in - 1, n_rows - n_out  # origins first .. last-1
    else:
        first, last = 0, n_rows
    labels = [[_lag_name(names[i], -lag) for i in f_idx] for lag in range(n_in - 1, -1, -1)]
    labels += [[_lag_name(names[i], s) for i in t_idx] for s in range(1, n_out + 1)]
    width = n_in * len(f_idx) + n_out * len(t_idx)
    if dropnan and (last - first) * width >= _VIEW_MIN_CELLS:
        return _table_of_views(data, values, names, index, f_idx, t_idx, n_in, n_out, labels)

    # One allocation, laid out column-major as pandas stores its blocks: each lag /
    # step is a run of contiguous row copies from the (columns x time) source, and
    # the DataFrame takes the array without a copy.
    out = np.empty((width, last - first), dtype=float)
    # values.T of a float frame is already a C-contiguous (columns x time) view.
    feat_src = np.ascontiguousarray(values.T[_as_slice(f_idx)], dtype=float)
    targ_src = np.ascontiguousarray(values.T[_as_slice(t_idx)], dtype=float)
    n_feat, n_targ = len(f_idx), len(t_idx)
    for k, lag in enumerate(range(n_in - 1, -1, -1)):
        block = out[k * n_feat:(k + 1) * n_feat]
        pad = max(0, lag - first)  # only without dropnan: no lagged value before the start
        block[:, :pad] = np.nan
        block[:, pad:] = feat_src[:, first - lag + pad:last - lag]
    base = n_in * n_feat
    for s in range(1, n_out + 1):
        block = out[base + (s - 1) * n_targ:base + s * n_targ]
        stop = min(last + s, n_rows) - (first + s)  # only without dropnan: < last - first
        block[:, :stop] = targ_src[:, first + s:first + s + stop]
        block[:, stop:] = np.nan
    columns = [c for group in labels for c in group]
    return pd.DataFrame(out.T, index=index[first:last], columns=columns, copy=False)


def _table_of_views(data, values, names, index, f_idx, t_idx, n_in, n_out, labels):
    """The dropnan table with every lag / step block a row slice of the input.

    Nothing is copied: concat places the slices side by side, pandas' copy-on-write
    keeps them independent of later edits to ``data``, and ``to_numpy()`` assembles
    one array when a consumer asks for it.
    """
    frame = _as_float_frame(data, values, names, index)
    feat = frame.iloc[:, _as_slice(f_idx)]
    targ = frame.iloc[:, _as_slice(t_idx)]
    first, last = n_in - 1, len(frame) - n_out
    blocks = [feat.iloc[first - lag:last - lag] for lag in range(n_in - 1, -1, -1)]
    blocks += [targ.iloc[first + s:last + s] for s in range(1, n_out + 1)]
    out_index = index[first:last]
    blocks = [b.set_axis(out_index, axis=0).set_axis(c, axis=1) for b, c in zip(blocks, labels)]
    return pd.concat(blocks, axis=1)


def make_windows(
    data: Any,
    n_in: int,
    n_out: int = 1,
    targets: str | Sequence[str] | None = None,
    *,
    features: str | Sequence[str] | None = None,
    return_index: bool = False,
):
    """The samples of :func:`series_to_supervised` as 3-D arrays for recurrent nets.

    Parameters
    ----------
    data : DataFrame, Series or array of shape (N, F)
    n_in, n_out : int
        Window length (time steps) and number of output steps.
    targets, features : str or list of str, optional
        Output and input columns (default: all columns).
    return_index : bool, default False
        Also return the origin timestamps (the index of each sample's last input step).

    Returns
    -------
    X : ndarray of shape (N - n_in - n_out + 1, n_in, n_features)
    Y : ndarray of shape (N - n_in - n_out + 1, n_out, n_targets)
    origins : Index, only when ``return_index`` (for a panel: the series id of each sample)

    Notes
    -----
    ``X`` and ``Y`` are read-only strided *views* built with
    :func:`numpy.lib.stride_tricks.sliding_window_view`: no copy of the data is made
    when the selected columns are contiguous (e.g. all columns). ``X[i].ravel()`` equals
    the input part of row ``i`` of ``series_to_supervised`` and ``Y[i].ravel()`` its outputs.
    """
    if isinstance(data, Panel):  # per series, never a window across two series
        X, Y, ids = panel_windows(data, n_in, n_out)
        return (X, Y, ids) if return_index else (X, Y)
    values, names, index = _as_named_array(data)
    n_rows = values.shape[0]
    n_in, n_out = _check_sizes(n_rows, n_in, n_out)
    n_samples = n_rows - n_in - n_out + 1

    # A run of consecutive columns is a view; otherwise only the selected columns are gathered.
    feat = values[:, _as_slice(_pick(names, features, "feature"))]
    targ = values[:, _as_slice(_pick(names, targets, "target"))]
    X = sliding_window_view(feat[: n_rows - n_out], n_in, axis=0).swapaxes(1, 2)
    Y = sliding_window_view(targ[n_in:], n_out, axis=0).swapaxes(1, 2) if n_out else (
        np.empty((n_samples, 0, targ.shape[1]), dtype=targ.dtype)
    )
    X, Y = X[:n_samples], Y[:n_samples]
    if return_index:
        return X, Y, index[n_in - 1: n_in - 1 + n_samples]
    return X, Y


# --------------------------------------------------------------------------- panels
def _series_frames(panel: Panel):
    for sid, times, values in panel.groups():
        yield sid, pd.DataFrame({panel.target: values}, index=times)


def panel_windows(panel: Panel, n_in: int, n_out: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every series' :func:`make_windows` samples, stacked (a series too short for one
    window gives none).

    Returns
    -------
    X : ndarray (n_samples, n_in, 1)
    Y : ndarray (n_samples, n_out, 1)
    ids : ndarray (n_samples,) of str
        The series each sample comes from.
    """
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
    """Each series' :func:`series_to_supervised` table with a leading ``series_id`` column, stacked."""
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
