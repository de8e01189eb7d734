"""``auto_arima`` (defaults, ``season_length=12``) on a fixed random subset of M3 monthly.

Run: ``python benchmarks/bench_auto_arima_m3.py [--n 200] [--seed 0] [--json out.json]
[--compare before.json]``. Each series is fitted on its official training part and
forecast over its official test period (h = 18); prints the mean and median seconds
per fit (fit + predict; wall and process CPU time, the latter less sensitive to a
busy machine), the mean
MASE (scale: in-sample MAE of the seasonal naive, m = 12) and sMAPE (%), and how
often each transform was chosen. ``--json`` saves every series' row (id, seconds,
order, seasonal order, trend, transform, MASE, sMAPE); ``--compare`` reads such a
file from another run (same ``--n`` and ``--seed``) and reports how many chosen
models differ and the accuracy of both on the series they share.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd

from forecastkit.data.competitions import competition_series
from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster

H, M = 18, 12


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> float:
    scale = np.mean(np.abs(train[M:] - train[:-M]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(100 * np.mean(2 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))))


def run(n: int, seed: int) -> list[dict]:
    series = competition_series("m3-monthly")
    idx = np.random.default_rng(seed).choice(len(series), n, replace=False)
    rows = []
    for i in idx:
        s = series[int(i)]
        x, xx = np.asarray(s.x, float), np.asarray(s.xx, float)
        y = pd.Series(x, index=pd.date_range("2000-01", periods=len(x), freq="MS"), name="y")
        t0, c0 = time.perf_counter(), time.process_time()
        model = AutoARIMAForecaster(season_length=M).fit(y)
        f = model.predict(H).iloc[:, 0].to_numpy()
        sec, cpu = time.perf_counter() - t0, time.process_time() - c0
        info = model.fitted_info()
        rows.append({"id": str(s.sn).strip(), "n": len(x), "seconds": sec, "cpu": cpu, "order": list(info["order"]),
                     "seasonal_order": list(info["seasonal_order"]), "trend": info["trend"],
                     "transform": info["transform"], "n_fits": info["n_fits"],
                     "mase": mase(xx, f, x), "smape": smape(xx, f)})
    return rows


def summary(rows: list[dict], label: str) -> None:
    sec = np.array([r["seconds"] for r in rows])
    tf = pd.Series([str(r["transform"]) for r in rows]).value_counts().to_dict()
    cpu = np.array([r.get("cpu", np.nan) for r in rows])
    print(f"{label}: {len(rows)} series, s/fit mean {sec.mean():.3f} median {np.median(sec):.3f} "
          f"max {sec.max():.2f} (CPU s/fit mean {cpu.mean():.3f}); MASE {np.mean([r['mase'] for r in rows]):.4f} "
          f"sMAPE {np.mean([r['smape'] for r in rows]):.3f}; transforms {tf}")


def key(r: dict) -> tuple:
    return tuple(r["order"]), tuple(r["seasonal_order"]), r["trend"], str(r["transform"])


def compare(rows: list[dict], path: str) -> None:
    other = {r["id"]: r for r in json.load(open(path))}
    shared = [r for r in rows if r["id"] in other]
    before = [other[r["id"]] for r in shared]
    summary(before, f"{path}")
    summary(shared, "this run")
    diff = [(o["id"], key(o), key(r), round(o["mase"], 3), round(r["mase"], 3))
            for o, r in zip(before, shared) if key(o) != key(r)]
    ratio = np.mean([o["seconds"] for o in before]) / np.mean([r["seconds"] for r in shared])
    cpu = np.mean([o.get("cpu", np.nan) for o in before]) / np.mean([r["cpu"] for r in shared])
    print(f"chosen model differs on {len(diff)} of {len(shared)} series; speed-up {ratio:.2f}x wall, "
          f"{cpu:.2f}x CPU (runs at different times: compare them on a quiet machine)")
    for d in diff:
        print("  ", *d)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--compare")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    rows = run(a.n, a.seed)
    summary(rows, "auto_arima")
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1)
    if a.compare:
        compare(rows, a.compare)


if __name__ == "__main__":
    main()
