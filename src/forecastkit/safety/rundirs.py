"""What forecastkit may delete: only directories it created, recognised by a marker.

Every run directory (and the hidden work and temporary siblings a run creates)
gets a marker file, :data:`MARKER`. ``--force`` replaces an existing output only
when it carries the marker, so neither a plain file nor a foreign directory is ever
removed; stale ``.NAME.tmp-*`` / ``.NAME.old-*`` siblings left by a killed run are
cleaned on the next run of that output, again only when forecastkit made them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from forecastkit.errors import ConfigError, DataError

MARKER = ".forecastkit-run"


def check_run_name(name: str | None) -> str | None:
    """A config ``name`` is a label used as a directory name: no paths."""
    if name is None:
        return name
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name or os.path.isabs(name):
        raise ValueError(
            f"name {name!r} must be a plain label (no '/', '\\\\', '.' or '..'); "
            "to write elsewhere pass --output DIR"
        )
    return name


def mark(directory: Path) -> None:
    """Stamp ``directory`` as created by forecastkit."""
    (Path(directory) / MARKER).write_text("created by forecastkit; safe for `forecastkit run --force` to replace\n")


def is_marked(directory: Path) -> bool:
    directory = Path(directory)
    return directory.is_dir() and not directory.is_symlink() and (directory / MARKER).is_file()


def check_replaceable(out: Path, force: bool) -> None:
    """Refuse an output path that is a file, or a directory forecastkit did not create."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise DataError(f"output {str(out)!r} is a file, not a run directory; choose another --output")
    if out.exists() and force and not is_marked(out):
        raise DataError(
            f"output directory {str(out)!r} was not created by forecastkit (no {MARKER} marker); "
            "--force only replaces run directories: remove it yourself or choose another --output"
        )


def remove_work_dir(work: Path) -> None:
    """Delete a run's work directory, refusing one forecastkit did not create."""
    if not work.exists():
        return
    if not is_marked(work):
        raise ConfigError(
            f"{str(work)!r} is in the way of this run's work directory but was not created by forecastkit "
            f"(no {MARKER} marker); move it away"
        )
    shutil.rmtree(work)


def clean_stale_siblings(out: Path) -> list[Path]:
    """Remove ``.NAME.tmp-*`` and ``.NAME.old-*`` directories left by killed runs of ``out``.

    Only ones forecastkit made: a temporary report carrying the marker, a swapped-out
    old run whose content carries it, or one still empty (killed right after creation).
    Call with the run's lock held, so no live run's temporary is touched.
    """
    removed = []
    parent = out.parent
    if not parent.is_dir():
        return removed
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-[A-Za-z0-9_]+$")
    for entry in parent.iterdir():
        if not pattern.match(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        inner = entry / out.name
        if is_marked(entry) or is_marked(inner) or not any(entry.iterdir()):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
