"""Run directories: refuse to overwrite, probe writability, and write atomically
(a temporary sibling renamed into place, so the directory only appears complete)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from forecastkit.errors import DataError
from forecastkit.safety.signals import raise_pending


def prepare_output(out: Path, force: bool) -> None:
    """Refuse to overwrite a finished run unless ``force``; check the parent is writable
    before any work starts. Only a directory forecastkit created is ever replaced."""
    from forecastkit.safety.rundirs import check_replaceable

    check_replaceable(out, force)
    if out.exists() and not force:
        raise DataError(f"output directory {str(out)!r} already exists; pass --force to replace it or --output elsewhere")
    parent = out.parent
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise DataError(f"cannot create output directory {str(out)!r}: {str(ancestor)!r} is a file, not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # os.access says yes to root everywhere; a real probe does not lie.
        os.rmdir(tempfile.mkdtemp(prefix=".forecastkit-probe-", dir=parent))
    except OSError as err:
        if parent.exists():
            raise DataError(
                f"output directory {str(parent)!r} is not writable ({err.strerror}); choose another with --output"
            ) from None
        raise DataError(f"cannot create output directory {str(parent)!r}: {err.strerror}") from None


def move_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished ``tmp`` to ``out``; an existing ``out`` (checked replaceable by
    :func:`prepare_output`) is swapped aside first and removed only after the rename."""
    if out.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, trash / out.name)
        os.replace(tmp, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, out)


def write_run(result, out: Path, force: bool = False, plots: bool = True, models_dir: Path | None = None) -> Path:
    """Write the report into a temporary sibling directory, then rename it into place,
    so ``out`` only ever appears complete. ``models_dir`` (saved models) moves in as
    ``models/``."""
    from forecastkit.report.writer import write_report
    from forecastkit.safety.perms import as_created
    from forecastkit.safety.rundirs import mark

    prepare_output(out, force)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        as_created(tmp, directory=True)
        mark(tmp)
        write_report(result, tmp, plots=plots)
        if models_dir is not None and models_dir.is_dir():
            shutil.copytree(models_dir, tmp / "models")
        raise_pending()  # an interrupted run writes no output
        move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
