"""The series a forecaster works on: validating targets and horizons, the step of a
regular index, and the timestamps of a span or of the steps after it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError, ForecastkitTypeError


def index_freq(index: pd.Index) -> Any:
    """The step of a regular index a forecaster is fitted on: a pandas offset, or 1
    for an integer index (raises when a DatetimeIndex has no regular frequency).

    Unlike :func:`forecastkit.data.timeindex.infer_freq`, which the loader uses to
    guess the frequency of raw timestamps with gaps, this only accepts regular data.
    """
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is not None:
            return index.freq
        if len(index) < 3:
            raise DataError(
                f"cannot infer the frequency of a series with {len(index)} timestamps; "
                "give at least 3 or set index.freq"
            )
        freq = pd.infer_freq(index)
        if freq is None:
            raise DataError(
                "the time index is not regular (no frequency can be inferred between "
                f"{index[0]} and {index[-1]}); resample or fill gaps first"
            )
        return pd.tseries.frequencies.to_offset(freq)
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index):
        return 1
    raise ForecastkitTypeError(
        f"y must be indexed by a DatetimeIndex or integers, got {type(index).__name__}"
    )


def span_index(first: Any, freq: Any, n: int) -> pd.Index:
    """The ``n`` timestamps of a regular series starting at ``first`` with ``freq``."""
    if isinstance(first, pd.Timestamp):
        return pd.date_range(start=first, periods=n, freq=freq)
    return pd.RangeIndex(int(first), int(first) + int(n))


def future_index(last: Any, freq: Any, h: int) -> pd.Index:
    """The ``h`` timestamps that continue a series ending at ``last`` with ``freq``."""
    if isinstance(last, pd.Timestamp):
        return pd.date_range(start=last + freq, periods=h, freq=freq)
    return pd.RangeIndex(int(last) + 1, int(last) + 1 + h)


def check_horizon(h: Any) -> int:
    """Validate a forecast horizon: a positive integer."""
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)):
        raise ForecastkitTypeError(f"horizon h must be an integer >= 1, got {h!r}")
    if h < 1:
        raise DataError(f"horizon h must be >= 1, got {h}")
    return int(h)


def as_target_frame(y: Any) -> pd.DataFrame:
    """Coerce ``y`` (Series, DataFrame or 1-D/2-D array) to a validated float DataFrame."""
    if isinstance(y, pd.Series):
        y = y.to_frame(name=y.name if y.name is not None else "y")
    elif isinstance(y, np.ndarray):
        arr = y.reshape(-1, 1) if y.ndim == 1 else y
        if arr.ndim != 2:
            raise DataError(f"y must be 1-D or 2-D, got an array of shape {y.shape}")
        names = ["y"] if arr.shape[1] == 1 else [f"y{i}" for i in range(arr.shape[1])]
        y = pd.DataFrame(arr, columns=names)
    elif not isinstance(y, pd.DataFrame):
        raise ForecastkitTypeError(
            f"y must be a pandas Series/DataFrame or a numpy array, got {type(y).__name__}"
        )
    if y.shape[1] == 0:
        raise DataError("y has no columns")
    bad = [c for c in y.columns if not pd.api.types.is_numeric_dtype(y[c])]
    if bad:
        raise DataError(f"target column(s) {bad} are not numeric (dtypes {[str(y[c].dtype) for c in bad]})")
    values = y.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        counts = {c: int((~np.isfinite(values[:, i])).sum()) for i, c in enumerate(y.columns)}
        counts = {c: n for c, n in counts.items() if n}
        raise DataError(f"y contains NaN or infinite values (count per column: {counts}); fill them first")
    if isinstance(y.index, pd.DatetimeIndex):
        if y.index.has_duplicates:
            raise DataError(f"y has duplicate timestamps, first: {y.index[y.index.duplicated()][0]}")
        if not y.index.is_monotonic_increasing:
            raise DataError("y's timestamps are not sorted; sort the data first")
    return y.astype(float)


@lru_cache(maxsize=64)  # called once per forecast; panels forecast thousands of series
def normal_quantile(level: float) -> float:
    """Two-sided standard normal quantile for a central interval of ``level``."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2.0))
