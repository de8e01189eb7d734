"""Frame a multivariate time series as a supervised learning problem.

Convention (one row per forecast origin ``t``):

- inputs: every feature column at lags ``t-(n_in-1), ..., t-1, t`` (``n_in`` values each);
- outputs: every target column at ``t+1, ..., t+n_out``;
- the row is indexed by the origin's timestamp ``t``.

With ``N`` observations and ``dropnan=True`` this gives every valid pair:
``N - n_in - n_out + 1`` rows. (The classic tutorial's ``create_dataset`` loops over
``range(len(dataset) - look_back - 1)`` and so silently drops the last pair.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

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
        return _as_named_array(np.asarray(data, dtype=float))
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
    values, names, index = _as_named_array(data)
    n_rows = values.shape[0]
    n_in, n_out = _check_sizes(n_rows, n_in, n_out)
    f_idx = _pick(names, features, "feature")
    t_idx = _pick(names, targets, "target")
    n_feat, n_targ = len(f_idx), len(t_idx)

    # One allocation for the whole table; each lag / step is one strided slice copy.
    if dropnan:
        first, last = n_in - 1, n_rows - n_out  # origins first .. last-1
    else:
        first, last = 0, n_rows
    n_samples = last - first
    out = np.full((n_samples, n_in * n_feat + n_out * n_targ), np.nan, dtype=float)
    feat_vals = values[:, f_idx] if f_idx != list(range(len(names))) else values
    targ_vals = values[:, t_idx] if t_idx != list(range(len(names))) else values

    columns: list[str] = []
    for k in range(n_in):  # block k holds lag t-(n_in-1-k)
        lag = n_in - 1 - k
        src_lo, src_hi = first - lag, last - lag
        dst_lo = max(0, -src_lo)
        out[dst_lo:, k * n_feat:(k + 1) * n_feat] = feat_vals[max(src_lo, 0):src_hi]
        columns += [_lag_name(names[i], -lag) for i in f_idx]
    base = n_in * n_feat
    for s in range(1, n_out + 1):
        src_lo, src_hi = first + s, min(last + s, n_rows)
        cols = slice(base + (s - 1) * n_targ, base + s * n_targ)
        out[: src_hi - src_lo, cols] = targ_vals[src_lo:src_hi]
        columns += [_lag_name(names[i], s) for i in t_idx]

    return pd.DataFrame(out, index=index[first:last], columns=columns, copy=False)


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
    origins : Index, only when ``return_index``

    Notes
    -----
    ``X`` and ``Y`` are read-only strided *views* built with
    :func:`numpy.lib.stride_tricks.sliding_window_view`: no copy of the data is made
    when the selected columns are contiguous (e.g. all columns). ``X[i].ravel()`` equals
    the input part of row ``i`` of ``series_to_supervised`` and ``Y[i].ravel()`` its outputs.
    """
    values, names, index = _as_named_array(data)
    n_rows = values.shape[0]
    n_in, n_out = _check_sizes(n_rows, n_in, n_out)
    n_samples = n_rows - n_in - n_out + 1

    def columns_view(idx: list[int]) -> np.ndarray:
        # A contiguous run of columns is a basic slice (a view); otherwise only the
        # selected columns are gathered.
        if idx == list(range(idx[0], idx[0] + len(idx))):
            return values[:, idx[0]: idx[0] + len(idx)]
        return values[:, idx]

    feat = columns_view(_pick(names, features, "feature"))
    targ = columns_view(_pick(names, targets, "target"))
    X = sliding_window_view(feat[: n_rows - n_out], n_in, axis=0).swapaxes(1, 2)
    Y = sliding_window_view(targ[n_in:], n_out, axis=0).swapaxes(1, 2) if n_out else (
        np.empty((n_samples, 0, targ.shape[1]), dtype=targ.dtype)
    )
    X, Y = X[:n_samples], Y[:n_samples]
    if return_index:
        return X, Y, index[n_in - 1: n_in - 1 + n_samples]
    return X, Y
