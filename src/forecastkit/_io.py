"""File helpers: atomic writes (a temporary sibling renamed into place) and the
one conversion of fitted values into JSON-ready ones."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from forecastkit.safety.perms import as_created


def atomic_write(path: str | Path, write: Callable[[BinaryIO], Any]) -> Path:
    """Call ``write`` on a binary handle of a temporary sibling of ``path``, then rename it
    into place, so that readers only ever see a complete file (the temporary goes on error)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        as_created(tmp)  # mkstemp makes it 0600 whatever the umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``text`` (or bytes) to ``path`` so that readers only ever see the complete file."""
    raw = text.encode(encoding) if isinstance(text, str) else text
    return atomic_write(path, lambda fh: fh.write(raw))


def json_safe(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples, timestamps and NaN into JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (pd.Timestamp, pd.Timedelta, pd.DateOffset)):
        return str(value)
    return str(value)
