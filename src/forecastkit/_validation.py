"""Integer parameter validation shared by every module that takes counts, lags or
periods, so every such error reads the same."""

from __future__ import annotations

from typing import Any

import numpy as np

from forecastkit.errors import ConfigError, DataError, ForecastkitError, ForecastkitTypeError


def check_int(
    name: str,
    value: Any,
    low: int = 1,
    *,
    allow_none: bool = False,
    error: type[ForecastkitError] | None = ConfigError,
    prefix: str = "",
    why: str = "",
) -> int | None:
    """``value`` as an ``int`` >= ``low`` (or None when ``allow_none``).

    Parameters
    ----------
    name : str
        The parameter's name, as the user wrote it.
    value : any
    low : int
        Smallest allowed value.
    allow_none : bool
        Accept None (returned as is).
    error : exception class or None
        Raised for every bad value with one message; None raises
        ``ForecastkitTypeError`` for a non-integer and ``DataError`` for one too small.
    prefix, why : str
        Text before the message (e.g. the class name) and after it (a hint).
    """
    if value is None and allow_none:
        return None
    is_int = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    if is_int and value >= low:
        return int(value)
    none = " or None" if allow_none else ""
    if error is not None:
        raise error(f"{prefix}{name} must be an integer >= {low}{none}, got {value!r}{why}")
    if not is_int:
        raise ForecastkitTypeError(f"{prefix}{name} must be an integer >= {low}, got {value!r}")
    raise DataError(f"{prefix}{name} must be >= {low}, got {value}{why}")
