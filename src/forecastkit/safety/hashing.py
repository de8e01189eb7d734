"""SHA-256 manifests of saved directories, checked before anything in them is read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from forecastkit.errors import DataError


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(directory: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``directory`` (except ``skip``)."""
    directory = Path(directory)
    return {
        p.relative_to(directory).as_posix(): sha256_file(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.relative_to(directory).as_posix() not in skip
    }


def verify(directory: Path, files: dict[str, str], what: str = "metadata.json") -> None:
    """Every file of the manifest exists under ``directory`` with its recorded hash."""
    directory = Path(directory).resolve()
    for rel, digest in files.items():
        path = (directory / rel).resolve()
        if directory not in path.parents or path.is_symlink():
            raise DataError(f"{what} lists {rel!r}, which is outside the model directory {str(directory)!r}")
        if not path.is_file():
            raise DataError(f"{path}: missing; the saved model is incomplete, save it again")
        if sha256_file(path) != digest:
            raise DataError(
                f"{path}: its SHA-256 does not match {what} (the file changed after saving); "
                "refusing to load it, save the model again"
            )
