"""Cost of a fixed-order ARIMA under the conformal wrapper: fit seconds on ``--rows``
hourly rows (h = 48, 200 calibration windows), split into the calibration windows and the
two likelihood maximisations (the model's and its calibration copy's), by cProfile.
With ``--scale FOLDS`` it instead runs bench_scale.py's data and config, only the
``arima_fixed`` model, and prints its backtest and final-fit seconds. With ``--airline``
it runs configs/airline.toml's ARIMA models (backtests and final fit, best of
``--repeat``).

    PYTHONPATH=src python benchmarks/bench_arima_conformal.py --rows 5000 20000 [--repeat 2]
    PYTHONPATH=src python benchmarks/bench_arima_conformal.py --rows 100000 --scale 5
    PYTHONPATH=src python benchmarks/bench_arima_conformal.py --airline --repeat 3
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def profile(rows: int, repeat: int) -> None:
    from forecastkit.forecasters.registry import make_forecaster

    rng = np.random.default_rng(0)
    t = np.arange(rows)
    y = pd.DataFrame({"y": 50 + 10 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(2 * np.pi * t / 168)
                      + rng.normal(0, 2, rows)}, index=pd.date_range("2010-01-01", periods=rows, freq="h"))
    spec = {"type": "arima", "order": [2, 0, 1], "trend": "c"}
    best = None
    for _ in range(repeat):
        model = make_forecaster("conformal", model=spec, horizon=48, windows=200)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        model.fit(y)
        prof.disable()
        wall = time.perf_counter() - t0
        if best is None or wall < best[0]:
            best = (wall, pstats.Stats(prof))
    wall, stats = best

    def cumulative(name: str, module: str = "") -> float:
        return sum(v[3] for k, v in stats.stats.items() if k[2] == name and module in k[0])

    windows = cumulative("_windows_batched") + cumulative("_windows_one_by_one")
    print(f"{rows:>7,} rows: fit {wall:6.2f} s (best of {repeat})   calibration windows {windows:5.2f} s   "
          f"likelihood maximisations {cumulative('fit', 'mlemodel'):6.2f} s")


def scale(rows: int, folds: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_scale import make_config, make_data

    from forecastkit.config import load_config
    from forecastkit.runs.loop import run_experiment

    with tempfile.TemporaryDirectory() as tmp:
        data, config = Path(tmp) / "d.csv", Path(tmp) / "c.toml"
        make_data(data, rows)
        make_config(config, data, folds)
        t0 = time.perf_counter()
        res = run_experiment(load_config(str(config)), models=["arima_fixed"])
        wall = time.perf_counter() - t0
    backtest = sum(r.fit_seconds + r.predict_seconds for r in res.model_runs if r.name == "arima_fixed")
    final = float((res.meta.get("future_fit_seconds") or {}).get("arima_fixed", 0.0))
    errors = [r.error for r in res.model_runs if r.error]
    print(f"{rows:,} rows, {folds} folds: arima_fixed backtest {backtest:.1f} s + final fit {final:.1f} s, "
          f"wall {wall:.1f} s, errors {errors or 'none'}")


def airline(repeat: int) -> None:
    from forecastkit.config import load_config
    from forecastkit.runs.loop import run_experiment

    config = Path(__file__).resolve().parents[1] / "configs" / "airline.toml"
    best: dict[str, float] = {}
    for _ in range(repeat):
        res = run_experiment(load_config(str(config)), models=["sarima_airline", "auto_arima"])
        seconds: dict[str, float] = {}
        for r in res.model_runs:
            assert not r.error, r.error
            seconds[r.name] = seconds.get(r.name, 0.0) + r.fit_seconds + r.predict_seconds
        for name, s in (res.meta.get("future_fit_seconds") or {}).items():
            seconds[name] = seconds.get(name, 0.0) + float(s)
        best = {k: min(best.get(k, np.inf), v) for k, v in seconds.items()}
    print(", ".join(f"{k} {v:.2f} s" for k, v in best.items()) + f" (fit + predict, best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scale", type=int, metavar="FOLDS")
    parser.add_argument("--airline", action="store_true")
    args = parser.parse_args()
    if args.airline:
        airline(args.repeat)
        return
    for rows in args.rows:
        scale(rows, args.scale) if args.scale else profile(rows, args.repeat)


if __name__ == "__main__":
    main()
