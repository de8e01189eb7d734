"""A panel `forecastkit run` stopped by SIGTERM after some (model, chunk, fold) units keeps
them, says so in one line (exit 143), and `--resume` finishes it with exactly the
numbers of an uninterrupted run. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecastkit.runs.panel import run_panel

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]


@pytest.fixture
def panel_config(tmp_path) -> Path:
    """16 monthly series in chunks of 2: 8 units per model and fold."""
    rng = np.random.default_rng(3)
    parts = []
    for k in range(16):
        n = 60 + k % 7
        t = np.arange(n)
        y = (100 + k) * (1 + 0.1 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 2, n).cumsum()
        idx = pd.date_range("2010-01-01", periods=n, freq="MS")
        parts.append(pd.DataFrame({"id": f"T{k:02d}", "month": idx.strftime("%Y-%m-%d"), "y": y.round(3)}))
    pd.concat(parts).to_csv(tmp_path / "p.csv", index=False)
    cfg = tmp_path / "p.toml"
    cfg.write_text(textwrap.dedent("""
        name = "p"
        [data]
        path = "p.csv"
        series_id = "id"
        target = "y"
        [evaluation]
        horizon = 6
        folds = 2
        [execution]
        chunk_size = 2
        [[models]]
        name = "theta"
        type = "theta"
        [[models]]
        name = "naive2"
        type = "naive2"
        [[models]]
        name = "ridge"
        type = "ridge"
        n_in = 12
        """))
    return cfg


def _cli(cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "forecastkit.cli.app", "run", "p.toml", "--quiet", "--no-plots", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if k != "FORECASTKIT_DEBUG"},
    )


def _units(work: Path) -> int:
    return len(list(work.glob("units/*/*/*.json"))) if work.is_dir() else 0


def test_sigterm_then_resume_equals_an_uninterrupted_run(panel_config, monkeypatch):
    cwd = panel_config.parent
    monkeypatch.chdir(cwd)
    out, work = cwd / "runs" / "p", cwd / "runs" / ".p.work"
    proc = _cli(cwd, "--jobs", "2")
    t0 = time.monotonic()
    while _units(work) < 3:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it was signalled: rc={proc.returncode} {proc.stderr.read()!r}")
        if time.monotonic() - t0 > 120:
            proc.kill()
            pytest.fail("no unit finished within the deadline")
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the run did not stop after SIGTERM")
    assert proc.returncode == 143, stderr  # 128 + SIGTERM
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("error: terminated") and "--resume" in lines[-1], stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    kept = _units(work)
    total = 2 * 8 * 3 + 3  # theta, naive2: 8 chunks x (2 folds + the future); ridge: one pooled unit each
    total += 2 * 8 * 2  # and the two references (backtest folds only)
    assert 3 <= kept < total

    resumed = _cli(cwd, "--resume")
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert not work.exists()

    fresh = run_panel(panel_config, cwd / "fresh", plots=False)
    assert fresh.meta["resumed"] is False
    for name in ("forecasts.csv", "forecast.csv", "metrics_by_series.csv", "fitted_by_series.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(cwd / "fresh" / name),
                                      check_exact=True, obj=name)
    board = pd.read_csv(out / "leaderboard.csv").drop(columns="seconds")
    pd.testing.assert_frame_equal(board, pd.read_csv(cwd / "fresh" / "leaderboard.csv").drop(columns="seconds"))
    assert pd.read_csv(out / "forecast.csv")[["lower", "upper"]].notna().all().all()
