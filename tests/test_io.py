"""Atomic writes and JSON-ready values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit._io import atomic_write_text, json_safe


def test_json_safe():
    assert json_safe({"a": (1, np.int64(2)), "b": np.float32(0.5), "c": float("nan"), 3: pd.Timestamp("2020-01-01")}) == {
        "a": [1, 2], "b": 0.5, "c": None, "3": "2020-01-01 00:00:00",
    }


def test_atomic_write_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "one")
    atomic_write_text(path, b"two")
    assert path.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "missing" / "b.txt", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
