"""Reading files: compressed CSV, Parquet, and headers pandas would silently change."""

from __future__ import annotations

import builtins
import bz2
import gzip
import importlib.util
import io
import lzma
import zipfile

import pandas as pd
import pytest

from forecastkit.data import load_data
from forecastkit.data.csvread import read_csv
from forecastkit.errors import DataError

TEXT = "date,y\n" + "".join(f"2021-01-{d:02d},{d * 1.5}\n" for d in range(1, 10))


def zipped(text: str, names=("data.csv",)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, text)
    return buf.getvalue()


COMPRESSORS = {
    "gz": lambda t: gzip.compress(t.encode()),
    "bz2": lambda t: bz2.compress(t.encode()),
    "xz": lambda t: lzma.compress(t.encode()),
    "zip": zipped,
}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_csv_loads_like_the_plain_file(tmp_path, suffix):
    plain = tmp_path / "data.csv"
    plain.write_text(TEXT)
    packed = tmp_path / f"data.csv.{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](TEXT))
    got, want = load_data(packed), load_data(plain)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["source"].endswith(f".{suffix}")


def test_zip_with_several_files_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    path.write_bytes(zipped(TEXT, names=("a.csv", "b.csv")))
    with pytest.raises(DataError, match=r"zip archive with 2 files \['a.csv', 'b.csv'\]; it must hold exactly one"):
        load_data(path)


def test_truncated_gzip_names_the_format(tmp_path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(TEXT.encode())[:30])
    with pytest.raises(DataError, match="is not a readable gzip file"):
        load_data(path)


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    with pytest.raises(DataError, match=r"needs pyarrow: pip install 'forecastkit\[parquet\]'"):
        load_data(path)


def test_parquet_is_read_with_pandas_and_validated(tmp_path, monkeypatch):
    """The Parquet route (pyarrow stubbed out if absent): the frame pandas returns
    goes through the same validation as a CSV's."""
    if importlib.util.find_spec("pyarrow") is None:
        real_import = builtins.__import__
        monkeypatch.setattr(
            builtins, "__import__", lambda name, *a, **k: object() if name == "pyarrow" else real_import(name, *a, **k)
        )
    frame = pd.read_csv(io.StringIO(TEXT), parse_dates=["date"])
    calls = []
    monkeypatch.setattr(pd, "read_parquet", lambda p: calls.append(p) or frame.copy())
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    df = load_data(path)
    assert calls == [path] and df.index.freqstr == "D" and df["y"].iloc[2] == 4.5


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="needs pyarrow (the parquet extra)")
def test_parquet_round_trip(tmp_path):
    frame = pd.read_csv(io.StringIO(TEXT), parse_dates=["date"])
    frame.to_parquet(tmp_path / "data.bin")  # found by its signature, whatever the name
    (tmp_path / "plain.csv").write_text(TEXT)
    pd.testing.assert_frame_equal(
        load_data(tmp_path / "data.bin"), load_data(tmp_path / "plain.csv"), check_dtype=False
    )


def test_duplicate_header_names_are_refused_by_name(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("date,value,value, other\n2021-01-01,1,2,3\n2021-01-02,1,2,3\n2021-01-03,1,2,3\n")
    with pytest.raises(DataError, match=r"the header names column\(s\) \['value'\] more than once"):
        load_data(path)
    path.write_text("date;a; a\n2021-01-01;1;2\n")  # the same after stripping, other separator
    with pytest.raises(DataError, match=r"\['a'\] more than once"):
        read_csv(path)


def test_row_with_an_extra_field_is_refused(tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text("date,y\n2021-01-01,226,01\n2021-01-02,227,02\n2021-01-03,228,03\n")
    with pytest.raises(DataError, match=r"line 2 has 3 fields but the header names 2 \(date, y\).*decimal comma"):
        load_data(path)


def test_trailing_empty_fields_are_not_an_index(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("date,y\n2021-01-01,1,\n2021-01-02,2,\n2021-01-03,3,\n")
    df = load_data(path)
    assert list(df.columns) == ["y"] and df["y"].tolist() == [1.0, 2.0, 3.0]
