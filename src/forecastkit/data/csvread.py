"""Read a data file into a raw DataFrame: CSV (also gzip, bz2, zip or xz compressed)
or Parquet, refusing whatever would be read other than as written.

The header is read here rather than by pandas, which silently renames a repeated
column ``value`` to ``value.1`` and turns a first column into the index when rows
hold one field more than the header (an unquoted decimal comma).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import warnings
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from forecastkit.errors import DataError

# Control characters that do not occur in CSV text (C0 except tab/newlines, and C1).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Separators other spreadsheets export that we recognise only to name them in an error
# (':' is not among them: it occurs inside times).
_OTHER_SEPARATORS = ("|", "^", "~")
_PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq")
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def _decompress(path: Path, raw: bytes) -> bytes:
    """The file's bytes, decompressed when they start with a gzip, bz2, xz or zip
    signature (whatever the file is called)."""
    kinds = (
        (b"\x1f\x8b", "gzip", gzip.decompress),
        (b"BZh", "bz2", bz2.decompress),
        (b"\xfd7zXZ\x00", "xz", lzma.decompress),
    )
    for magic, kind, opener in kinds:
        if raw.startswith(magic):
            try:
                return opener(raw)
            except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
                raise DataError(f"{path} is not a readable {kind} file: {exc}") from None
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                members = [
                    m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                ]
                if len(members) != 1:
                    names = [m.filename for m in members][:5]
                    raise DataError(
                        f"{path} is a zip archive with {len(members)} files {names}; it must hold "
                        "exactly one CSV file"
                    )
                if members[0].compress_type not in _ZIP_METHODS:
                    raise DataError(f"{path}: zip compression method {members[0].compress_type} is not supported")
                return archive.read(members[0])
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path} is not a readable zip file: {exc}") from None
    return raw


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file; needs pyarrow (the ``parquet`` extra)."""
    try:
        import pyarrow  # noqa: F401  (imported only to say clearly when it is missing)
    except ImportError:
        raise DataError(
            f"{path} is a Parquet file; reading Parquet needs pyarrow: pip install "
            "'forecastkit[parquet]' (or pip install pyarrow), or save the data as CSV"
        ) from None
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path} is not a readable Parquet file: {first}") from None
    if len(df) == 0:
        raise DataError(f"{path} has columns ({', '.join(map(str, df.columns))}) but no data rows")
    return df


def _header(text: str, sep: str) -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=sep), [])


def _separator(text: str) -> str:
    """',' unless the header line splits only on ';' or a tab."""
    line = text.split("\n", 1)[0]
    fields = {sep: len(_header(line, sep)) for sep in (",", ";", "\t")}
    if fields[","] > 1:
        return ","
    best = max((";", "\t"), key=fields.__getitem__)
    return best if fields[best] > 1 else ","


def _check_names(path: Path, header: list[str]) -> None:
    """Refuse repeated column names (pandas would rename them ``value.1``)."""
    names = [h.strip() for h in header]
    seen: set[str] = set()
    dups = [n for n in names if n in seen or seen.add(n)]
    if dups:
        raise DataError(
            f"{path}: the header names column(s) {sorted(set(dups))} more than once; give each "
            "column its own name"
        )


def _check_fields(path: Path, text: str, sep: str, header: list[str]) -> None:
    """Refuse rows with more (non-empty) fields than the header: pandas would drop
    them, or take the first column as the index."""
    names = [h.strip() for h in header]
    try:
        for k, row in enumerate(csv.reader(io.StringIO(text), delimiter=sep)):
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
                break
        else:
            return
    except csv.Error:
        return  # pandas' parser reports it
    hint = (
        "; a value holds an unquoted ',' (a decimal comma? quote such values or save "
        "the file ';'-separated, and pass decimal=',')"
        if sep == ","
        else "; quote values that contain the separator"
    )
    raise DataError(
        f"{path}: line {k + 1} has {len(row)} fields but the header names "
        f"{len(header)} ({', '.join(names)}){hint}"
    )


def _reject_other_separator(path: Path, text: str) -> None:
    """A one-column file whose lines split alike on another character was written
    with a separator we do not read: say which, rather than 'no time column'."""
    lines = [line for line in text.splitlines() if line.strip()][:2]
    if len(lines) < 2:
        return
    for sep in _OTHER_SEPARATORS:
        n = lines[0].count(sep)
        if n and lines[1].count(sep) == n:
            raise DataError(
                f"{path} has a single column {lines[0].strip()[:60]!r}: its lines look "
                f"separated by {sep!r}; save it comma-separated (';' and tab are also read)"
            )


def read_csv(path: str | Path, *, as_text: bool = False) -> pd.DataFrame:
    """Read a CSV file (plain or compressed); anything else raises DataError.

    Parameters
    ----------
    path : str or Path
        The file. gzip, bz2, xz and single-file zip compression is recognised by
        its signature.
    as_text : bool, default False
        Keep every cell as text (empty cells as NaN), for numbers that pandas
        would misread, such as ``1.234`` meaning one thousand two hundred and
        thirty-four; :mod:`forecastkit.data.numbers` converts them.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path} is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    raw = _decompress(path, raw)
    if not raw.strip():
        raise DataError(f"{path} is empty")
    if raw.startswith(_PARQUET_MAGIC):
        return read_parquet(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # common for older CSV exports; binary is caught below
    bad = _BINARY.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError(f"{path} is not a CSV text file (binary byte {bad.group()!r} on line {line})")
    sep = _separator(text)
    header = _header(text, sep)
    _check_names(path, header)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # pandas' DtypeWarning / ParserWarning, kept here
            df = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                low_memory=False,
                dtype=str if as_text else None,
                index_col=False,  # extra fields were checked empty above: never an index
            )
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty") from None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        _check_fields(path, text, sep, header)  # a ragged row: say which, and why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        shown = "" if sep == "," else f" ({sep!r}-separated)"
        raise DataError(f"{path} is not a readable CSV{shown}: {first[:200]}") from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        _check_fields(path, text, sep, header)  # rows longer than the header
    if df.shape[1] == 1:
        _reject_other_separator(path, text)
    if len(df) == 0:
        raise DataError(f"{path} has a header ({', '.join(map(str, df.columns))}) but no data rows")
    return df


def read_table(path: str | Path, *, as_text: bool = False) -> pd.DataFrame:
    """A CSV or Parquet file as a raw frame (Parquet by suffix or signature)."""
    path = Path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES and path.is_file():
        return read_parquet(path)
    return read_csv(path, as_text=as_text)
