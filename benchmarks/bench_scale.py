"""Load benchmark: a rolling backtest of the fast models on a long multivariate series.

100,000 hourly rows, 10 covariates, h = 48, 20 folds; models: naive, seasonal naive,
ridge with each strategy (past covariates as lags), ARIMA with a fixed order. Runs the
same config with ``--jobs 1`` and ``--jobs 2`` (each in its own process, so peak memory is
measured per run) and prints wall time, peak RSS, the speed-up and the seconds of every model.

    python benchmarks/bench_scale.py [--rows 100000] [--folds 20]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_data(path: Path, rows: int, n_cov: int = 10, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2010-01-01", periods=rows, freq="h")
    t = np.arange(rows)
    covs = {f"x{i}": np.cumsum(rng.normal(0, 0.1, rows)) + np.sin(2 * np.pi * t / 24 + i) for i in range(n_cov)}
    y = 50 + 10 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(2 * np.pi * t / 168) + 0.5 * covs["x0"] + rng.normal(0, 2, rows)
    pd.DataFrame({"time": idx, "y": y, **covs}).to_csv(path, index=False, float_format="%.4f")


def make_config(path: Path, data: Path, folds: int, n_cov: int = 10) -> None:
    covs = ", ".join(f'"x{i}"' for i in range(n_cov))
    path.write_text(textwrap.dedent(f"""
        name = "scale"
        seed = 0
        [data]
        path = "{data}"
        target = "y"
        past_covariates = [{covs}]
        [evaluation]
        scheme = "rolling"
        horizon = 48
        folds = {folds}
        step = 48
        refit_every = 1
        [forecast]
        horizon = 48
        [[models]]
        name = "naive"
        type = "naive"
        [[models]]
        name = "seasonal_naive"
        type = "seasonal_naive"
        season_length = 24
        [[models]]
        name = "ridge_recursive"
        type = "ridge"
        strategy = "recursive"
        n_in = 24
        [[models]]
        name = "ridge_direct"
        type = "ridge"
        strategy = "direct"
        n_in = 24
        [[models]]
        name = "ridge_multi_output"
        type = "ridge"
        strategy = "multi_output"
        n_in = 24
        [[models]]
        name = "arima_fixed"
        type = "arima"
        order = [2, 0, 1]
        trend = "c"
    """))


def child(config: str, out: str, jobs: int) -> None:
    """Run once in this process; print wall seconds and peak RSS (self + workers) as JSON."""
    from forecastkit.config import load_config
    from forecastkit.runs.loop import run_experiment
    from forecastkit.runs.outputs import write_run

    t0 = time.perf_counter()
    result = run_experiment(load_config(config), jobs=jobs)
    write_run(result, Path(out), force=True, plots=False)
    wall = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    errors = {r.name: r.error for r in result.model_runs if r.error}
    seconds: dict[str, float] = {}
    for r in result.model_runs:
        seconds[r.name] = seconds.get(r.name, 0.0) + r.fit_seconds + r.predict_seconds
    for name, s in (result.meta.get("future_fit_seconds") or {}).items():
        seconds[name] = seconds.get(name, 0.0) + float(s)
    print(json.dumps({"wall": wall, "rss_self_mib": own, "rss_workers_mib": kids, "errors": errors,
                      "model_seconds": seconds}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--folds", type=int, default=20)
    parser.add_argument("--child", nargs=3, metavar=("CONFIG", "OUT", "JOBS"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, config = tmp / "scale.csv", tmp / "scale.toml"
        make_data(data, args.rows)
        make_config(config, data, args.folds)
        frame_mib = args.rows * 11 * 8 / 2**20
        print(f"{args.rows:,} hourly rows x 10 covariates, h=48, {args.folds} folds (frame {frame_mib:.1f} MiB)")
        results = {}
        for jobs in (1, 2):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(config), str(tmp / f"out{jobs}"), str(jobs)],
                capture_output=True, text=True, check=True,
            )
            results[jobs] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = results[jobs]
            print(f"--jobs {jobs}: wall {r['wall']:7.1f} s   peak RSS main {r['rss_self_mib']:7.0f} MiB"
                  f"   workers {r['rss_workers_mib']:7.0f} MiB   errors {r['errors'] or 'none'}")
        a = pd.read_csv(tmp / "out1" / "backtest_forecasts.csv")
        b = pd.read_csv(tmp / "out2" / "backtest_forecasts.csv")
        cols = ["model", "fold", "step", "forecast", "lower", "upper"]
        same = a[cols].equals(b[cols])
        print(f"speed-up --jobs 2 / --jobs 1: {results[1]['wall'] / results[2]['wall']:.2f}x"
              f"   identical forecasts: {same}")
        if not same:
            for m in a["model"].unique():
                x, y = a[a.model == m][cols[3:]].to_numpy(), b[b.model == m][cols[3:]].to_numpy()
                diff = np.nanmax(np.abs(x - y)) if x.shape == y.shape else "row counts differ"
                print(f"  {m}: max |difference| {diff}")
        board = pd.read_csv(tmp / "out1" / "leaderboard.csv")
        board["backtest_seconds"] = board["fit_seconds"] + board["predict_seconds"]
        print(board[["model", "mae", "skill", "fit_seconds", "predict_seconds", "backtest_seconds"]].to_string(index=False))
        for jobs in (1, 2):
            per_model = results[jobs]["model_seconds"]
            print(f"--jobs {jobs} seconds per model (backtest + final refit, summed over workers): "
                  + ", ".join(f"{m} {s:.1f}" for m, s in per_model.items()))


if __name__ == "__main__":
    main()
