"""Do the reduction models' 95% intervals cover what they claim? Rolling backtests of
ridge (recursive, direct, multi_output) on the shipped airline data and on a simulated
AR(1), printing empirical coverage, mean width and seconds.

Airline: log transform, 12 lags, h = 12, 48 expanding folds one month apart (the last
four years). AR(1): phi = 0.7, 1,500 rows, 8 lags, h = 10, 100 folds ten rows apart.
With n forecasts the binomial standard error of a 95% coverage is about
sqrt(0.95 * 0.05 / n) (n = 576 and 1,000 here: ~0.9 and ~0.7 points), and forecasts of
one fold are correlated, so differences of 2-3 points are noise.

    python benchmarks/bench_interval_coverage.py
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecastkit.backtest.engine import run_backtest  # noqa: E402
from forecastkit.backtest.splits import rolling_folds  # noqa: E402
from forecastkit.forecasters.reduction import ReductionForecaster  # noqa: E402

LEVEL = 0.95


def ar1(n: int = 1500, phi: float = 0.7, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + rng.normal()
    return pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=n, freq="D"))


def airline() -> pd.DataFrame:
    from forecastkit.data import load_dataset

    df = load_dataset("airline-passengers")
    return df[["Passengers"]].astype(float)


def coverage(name: str, y: pd.DataFrame, h: int, folds: int, step: int, **params) -> None:
    print(f"\n{name}: {len(y)} rows, h={h}, {folds} folds every {step} rows")
    for strategy in ("recursive", "direct", "multi_output"):
        model = ReductionForecaster("ridge", strategy, **params)
        t0 = time.perf_counter()
        run = run_backtest(model, y, None, rolling_folds(len(y), h, folds=folds, step=step), level=LEVEL)
        seconds = time.perf_counter() - t0
        if run.error:
            print(f"  {strategy:13s} error: {run.error}")
            continue
        f = run.forecasts
        inside = (f["actual"] >= f["lower"]) & (f["actual"] <= f["upper"])
        by_step = inside.groupby(f["step"]).mean()
        print(f"  {strategy:13s} coverage {100 * inside.mean():5.1f}% (nominal {100 * LEVEL:.0f}%, n={len(f)}; "
              f"step 1 {100 * by_step.iloc[0]:.0f}%, step {h} {100 * by_step.iloc[-1]:.0f}%)  "
              f"mean width {(f['upper'] - f['lower']).mean():8.3f}  MAE {(f['actual'] - f['forecast']).abs().mean():7.3f}"
              f"  {seconds:5.1f} s")


def main() -> None:
    coverage("airline (log)", airline(), 12, 48, 1, n_in=12, transform="log")
    coverage("AR(1) phi=0.7", ar1(), 10, 100, 10, n_in=8)


if __name__ == "__main__":
    main()
