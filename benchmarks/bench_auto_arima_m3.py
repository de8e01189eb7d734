"""``auto_arima`` (defaults, ``season_length`` of the data) on a fixed random subset of
M3 monthly, or of another competition subset.

Run: ``python benchmarks/bench_auto_arima_m3.py [--n 200] [--seed 0] [--json out.json]
[--compare before.json] [--dataset tourism-monthly --n 0] [--transform none] [--jobs 2]``.
``--n 0`` takes every series; ``--transform`` overrides the default ``"auto"``. Each
series is fitted on its official training part and forecast over its official test
period (M3 monthly: h = 18; Tourism monthly: h = 24); prints the mean and median seconds
per fit (fit + predict; wall and process CPU time, the latter less sensitive to a
busy machine), the mean and geometric-mean
MASE (scale: in-sample MAE of the seasonal naive) and sMAPE (%), and how
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

from forecastkit.data.competitions import COMPETITIONS, competition_series
from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster

TRANSFORMS = {"auto": "auto", "none": None, "log": "log"}


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, m: int) -> float:
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(100 * np.mean(2 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))))


def fit_one(s, m: int, h: int, transform: str) -> dict:
    warnings.simplefilter("ignore")
    x, xx = np.asarray(s.x, float), np.asarray(s.xx, float)
    y = pd.Series(x, index=pd.date_range("2000-01", periods=len(x), freq="MS"), name="y")
    t0, c0 = time.perf_counter(), time.process_time()
    model = AutoARIMAForecaster(season_length=m, transform=TRANSFORMS[transform]).fit(y)
    f = model.predict(h).iloc[:, 0].to_numpy()
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    info = model.fitted_info()
    return {"id": str(s.sn).strip(), "n": len(x), "seconds": sec, "cpu": cpu, "order": list(info["order"]),
            "seasonal_order": list(info["seasonal_order"]), "trend": info["trend"],
            "transform": info["transform"], "n_fits": info["n_fits"],
            "mase": mase(xx, f, x, m), "smape": smape(xx, f)}


def run(n: int, seed: int, dataset: str = "m3-monthly", transform: str = "auto", jobs: int = 1) -> list[dict]:
    comp = COMPETITIONS[dataset]
    series = competition_series(dataset)
    idx = np.random.default_rng(seed).choice(len(series), n, replace=False) if n else np.arange(len(series))
    chosen = [series[int(i)] for i in idx]
    if jobs == 1:
        return [fit_one(s, comp.season_length, comp.horizon, transform) for s in chosen]
    from joblib import Parallel, delayed  # one process per core; each fit is single-threaded

    return Parallel(n_jobs=jobs)(delayed(fit_one)(s, comp.season_length, comp.horizon, transform) for s in chosen)


def summary(rows: list[dict], label: str) -> None:
    sec = np.array([r["seconds"] for r in rows])
    tf = pd.Series([str(r["transform"]) for r in rows]).value_counts().to_dict()
    cpu = np.array([r.get("cpu", np.nan) for r in rows])
    print(f"{label}: {len(rows)} series, s/fit mean {sec.mean():.3f} median {np.median(sec):.3f} "
          f"max {sec.max():.2f} (CPU s/fit mean {cpu.mean():.3f}); MASE {np.mean([r['mase'] for r in rows]):.4f} "
          f"(geometric mean {np.exp(np.mean(np.log([max(r['mase'], 1e-12) for r in rows]))):.4f}) "
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
    ap.add_argument("--dataset", default="m3-monthly", choices=sorted(COMPETITIONS))
    ap.add_argument("--transform", default="auto", choices=sorted(TRANSFORMS))
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    rows = run(a.n, a.seed, a.dataset, a.transform, a.jobs)
    summary(rows, "auto_arima")
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1)
    if a.compare:
        compare(rows, a.compare)


if __name__ == "__main__":
    main()
