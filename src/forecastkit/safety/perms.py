"""Honour the umask for files and directories made with :mod:`tempfile` (which
creates them 0600 / 0700 whatever the umask) before they become outputs."""

from __future__ import annotations

import os
import threading
from pathlib import Path

_LOCK = threading.Lock()


def current_umask() -> int:
    with _LOCK:  # reading the umask means setting it; restore at once
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def as_created(path: str | Path, directory: bool = False) -> None:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would have given it."""
    os.chmod(path, (0o777 if directory else 0o666) & ~current_umask())
