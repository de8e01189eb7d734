"""Benchmark the reduction strategies: accuracy on the airline hold-out, and speed.

Run: ``python benchmarks/bench_reduction.py [--regressor ridge] [--repeat 3]``.

1. Airline passengers, train 1949-1959, forecast the 12 months of 1960 (h = 12):
   MAPE / RMSE and fit+predict time of the regressor with n_in=12 and each strategy
   (recursive, direct, multi_output), without preprocessing, with log + seasonal
   difference (lag 12), and with log + seasonal difference + standard scaling; the
   seasonal naive forecast is the reference.
2. 10,000 daily points (synthetic: weekly and yearly seasons + AR(1) noise), n_in=30,
   h=30: fit+predict time of each strategy (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from forecastkit.data import load_data
from forecastkit.forecasters.reduction import ReductionForecaster
from forecastkit.forecasters.registry import make_forecaster

STRATEGIES = ("recursive", "direct", "multi_output")
VARIANTS = {
    "none": {},
    "log+sdiff12": {"transform": "log", "seasonal_difference": 12},
    "log+sdiff12+std": {"transform": "log", "seasonal_difference": 12, "scaler": "standard"},
}


def timed(make, y, h, repeat):
    best, fc = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        fc = make().fit(y).predict(h)
        best = min(best, time.perf_counter() - t0)
    return fc, best


def airline(regressor: str, repeat: int) -> None:
    y = load_data("airline-passengers")["Passengers"]
    train, test = y.iloc[:-12], y.iloc[-12:].to_numpy()

    def scores(fc: pd.DataFrame) -> tuple[float, float]:
        err = fc.iloc[:, 0].to_numpy() - test
        return 100 * np.mean(np.abs(err) / test), float(np.sqrt(np.mean(err**2)))

    snaive = make_forecaster("seasonal_naive", season_length=12).fit(train).predict(12)
    mape, rmse = scores(snaive)
    print(f"Airline 1960 hold-out (h=12), regressor={regressor}, n_in=12")
    print(f"{'strategy':<16}{'preprocessing':<18}{'MAPE %':>8}{'RMSE':>8}{'fit+predict s':>15}")
    print(f"{'seasonal_naive':<16}{'-':<18}{mape:>8.2f}{rmse:>8.1f}{'':>15}")
    for variant, kw in VARIANTS.items():
        for strategy in STRATEGIES:
            fc, sec = timed(lambda: ReductionForecaster(regressor, strategy, n_in=12, **kw), train, 12, repeat)
            mape, rmse = scores(fc)
            print(f"{strategy:<16}{variant:<18}{mape:>8.2f}{rmse:>8.1f}{sec:>15.3f}")


def daily(regressor: str, repeat: int, n: int = 10_000) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.6 * noise[i - 1] + rng.normal()
    y = pd.Series(
        20 + 3 * np.sin(2 * np.pi * t / 7) + 8 * np.sin(2 * np.pi * t / 365.25) + noise,
        index=pd.date_range("1990-01-01", periods=n, freq="D"),
        name="y",
    )
    print(f"\n{n:,} daily points, regressor={regressor}, n_in=30, h=30 (best of {repeat})")
    print(f"{'strategy':<14}{'fit+predict s':>15}{'fit+predict_interval s':>24}")
    for strategy in STRATEGIES:
        _, sec = timed(lambda: ReductionForecaster(regressor, strategy, n_in=30), y, 30, repeat)
        t0 = time.perf_counter()
        ReductionForecaster(regressor, strategy, n_in=30).fit(y).predict_interval(30)
        print(f"{strategy:<14}{sec:>15.3f}{time.perf_counter() - t0:>24.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regressor", default="ridge")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    airline(args.regressor, args.repeat)
    daily(args.regressor, args.repeat)


if __name__ == "__main__":
    main()
