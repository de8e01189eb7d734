"""Atomic file writing: write to a temporary sibling, then rename into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from forecastkit.safety.perms import as_created


def atomic_write_text(path: str | Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``text`` (or bytes) to ``path`` so that readers only ever see the complete file."""
    path = Path(path)
    raw = text.encode(encoding) if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        as_created(tmp)  # mkstemp makes it 0600 whatever the umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
