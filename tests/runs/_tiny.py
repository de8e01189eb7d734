"""A tiny monthly config (3 fast models, 2 evaluations) shared by the run-layer tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd


def write_tiny(tmp_path: Path, models: str | None = None) -> Path:
    """Write ``tiny.csv`` and ``tiny.toml`` into ``tmp_path``; returns the config path."""
    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    t = np.arange(60)
    y = 100 + 0.8 * t + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 60)
    data = tmp_path / "tiny.csv"
    pd.DataFrame({"month": idx.strftime("%Y-%m"), "sales": y.round(3)}).to_csv(data, index=False)
    models = models or """
        [[models]]
        name = "naive"
        type = "naive"
        [[models]]
        name = "snaive"
        type = "seasonal_naive"
        season_length = 12
        [[models]]
        name = "ridge"
        type = "ridge"
        strategy = "direct"
        n_in = 12
    """
    config = tmp_path / "tiny.toml"
    config.write_text(textwrap.dedent(f"""
        name = "tiny"
        seed = 3
        [data]
        path = "{data}"
        target = "sales"
        [[evaluation]]
        name = "holdout"
        scheme = "holdout"
        test_size = 6
        horizon = 1
        [[evaluation]]
        name = "rolling"
        scheme = "rolling"
        horizon = 6
        folds = 2
        [forecast]
        horizon = 4
    """) + textwrap.dedent(models))
    return config
