"""Panel scaling: time and peak memory of a panel run as the number of series grows.

A synthetic daily panel (``--rows`` rows per series, weekly season, random walk
plus season), fast models only: naive, seasonal naive and a global ridge on 14 lags,
plus the two references every panel run scores. One fold (h = 14), forecasts past
the end, no plots. Each size runs in its own process (peak = the largest summed RSS
of that process and its joblib workers, sampled every 0.2 s); a linear cost shows
as a constant seconds-per-1000-series column.

    python benchmarks/bench_panel_scale.py [--sizes 1000 3000 10000] [--rows 200] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def make_panel(path: Path, n_series: int, rows: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    t = np.arange(rows)
    values = 100 + rng.normal(0, 1, (n_series, rows)).cumsum(axis=1) + 5 * np.sin(2 * np.pi * t / 7)
    idx = pd.date_range("2020-01-01", periods=rows, freq="D").strftime("%Y-%m-%d")
    pd.DataFrame({"sid": np.repeat([f"s{i}" for i in range(n_series)], rows), "day": np.tile(idx, n_series),
                  "y": values.ravel().round(4)}).to_csv(path, index=False)


CONFIG = """
[data]
path = "{path}"
series_id = "sid"
target = "y"
time = "day"
freq = "D"
[evaluation]
horizon = 14
[[models]]
name = "naive"
type = "naive"
[[models]]
name = "seasonal_naive"
type = "seasonal_naive"
season_length = 7
[[models]]
name = "ridge_global"
type = "ridge"
pooling = "global"
n_in = 14
"""


def child(directory: Path, jobs: int) -> None:
    from forecastkit.runs.panel import run_panel

    t0 = time.perf_counter()
    res = run_panel(directory / "panel.toml", directory / "run", jobs=jobs, plots=False)
    (directory / "out.json").write_text(json.dumps({"wall": time.perf_counter() - t0,
                                                    "n_series": res.meta["n_series"],
                                                    "mean_mase": dict(zip(res.leaderboard["model"],
                                                                          res.leaderboard["mean_mase"]))}))


def measure(n: int, rows: int, jobs: int) -> dict:
    from _measure import run_measured

    d = Path(tempfile.mkdtemp(prefix=f"panel_scale_{n}_"))
    make_panel(d / "panel.csv", n, rows)
    (d / "panel.toml").write_text(textwrap.dedent(CONFIG.format(path=d / "panel.csv")))
    _, peak = run_measured([sys.executable, __file__, "--child", str(d), "--jobs", str(jobs)], f"{n} series")
    return {**json.loads((d / "out.json").read_text()), "peak_mib": peak}


def main(sizes: list[int], rows: int, jobs: int) -> None:
    print(f"synthetic daily panel, {rows} rows per series, jobs = {jobs}")
    print(f"{'series':>8} {'wall s':>8} {'s / 1k series':>14} {'peak MiB':>9}  mean MASE (naive, snaive, ridge_global)")
    for n in sizes:
        r = measure(n, rows, jobs)
        m = r["mean_mase"]
        print(f"{n:8d} {r['wall']:8.1f} {1000 * r['wall'] / n:14.2f} {r['peak_mib']:9.0f}  "
              f"{m['naive']:.3f}, {m['seasonal_naive']:.3f}, {m['ridge_global']:.3f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--child", type=Path)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.jobs)
    else:
        main(a.sizes, a.rows, a.jobs)
