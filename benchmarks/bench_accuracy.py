"""Accuracy a user gets without tuning: forecastkit's recommended model (the first
``[[models]]`` entry of ``configs/recommended.toml``), ``ets``, ``theta`` and
``auto_arima`` beside statsforecast's AutoARIMA, AutoETS and AutoTheta (``[bench]``
extra), on the same series and the same rolling origins.

Run: ``python benchmarks/bench_accuracy.py [--folds 3] [--series airline,nile] [--jobs 1]``.

Series: the shipped datasets (``forecastkit datasets``) and series bundled with
statsmodels (``statsmodels.datasets``: nothing is downloaded). Each series is cut to
its last ``max_rows`` rows; ``folds`` origins ``h`` steps apart end ``h`` steps
before the last row; every model is fitted on the rows before each origin with only
``season_length`` given. MASE per fold = MAE / in-sample MAE of the seasonal naive
(lag ``m``) on that fold's training rows; per series the mean over folds; across
series the geometric mean. The recommended model's members are the very models
reported as ``fk_auto_arima``, ``fk_ets``, ``fk_theta`` (fitted once, inside it);
``fk_mean(...)``/``fk_median(...)`` combine those three models' own forecasts.
Wall time per fit is printed (noisy on a shared machine) and peak memory at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
import warnings
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- series
def _shipped(name: str, column: str, time_col: str, resample: str | None = None) -> pd.Series:
    from forecastkit.data.datasets import dataset_path

    raw = pd.read_csv(dataset_path(name))
    if name == "pollution":
        idx = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    else:
        idx = pd.to_datetime(raw[time_col])
    s = pd.Series(raw[column].to_numpy(dtype=float), index=idx)
    if resample:
        s = s.resample(resample).mean()
    return s.interpolate().bfill()


def load_series() -> dict[str, tuple[np.ndarray, int, int, int]]:
    """``name -> (values, season_length, horizon, max_rows)``."""
    import statsmodels.api as sm

    out: dict[str, tuple[np.ndarray, int, int, int]] = {}
    out["airline (M)"] = (_shipped("airline-passengers", "Passengers", "Month").to_numpy(), 12, 12, 10**6)
    out["melbourne-min-temp (D)"] = (_shipped("daily-min-temperatures", "Temp", "Date", "D").to_numpy(), 7, 14, 730)
    out["beijing-pm2.5 (D)"] = (_shipped("pollution", "pm2.5", "", "D").to_numpy(), 7, 14, 730)
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate().bfill()
    out["co2 (M)"] = (co2.to_numpy(dtype=float), 12, 12, 10**6)
    el = sm.datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy(dtype=float).ravel()
    out["elnino (M)"] = (el, 12, 12, 10**6)
    macro = sm.datasets.macrodata.load_pandas().data
    for col in ("realgdp", "cpi", "unemp"):
        out[f"{col} (Q)"] = (macro[col].to_numpy(dtype=float), 4, 8, 10**6)
    out["sunspots (Y)"] = (sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=float), 1, 10, 10**6)
    out["nile (Y)"] = (sm.datasets.nile.load_pandas().data["volume"].to_numpy(dtype=float), 1, 10, 10**6)
    return out


# --------------------------------------------------------------------------- models
SPEC_OVERRIDE: dict | None = None  # --spec: try another recommendation on the same origins


def recommended_spec() -> dict:
    """The first [[models]] entry of configs/recommended.toml (or ``--spec``)."""
    if SPEC_OVERRIDE is not None:
        return dict(SPEC_OVERRIDE)
    cfg = tomllib.loads((ROOT / "configs" / "recommended.toml").read_text())
    return dict(cfg["models"][0])


def _with_season(spec, m: int):
    if isinstance(spec, dict):
        return {k: (m if k == "season_length" else _with_season(v, m)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_with_season(v, m) for v in spec]
    return spec


def forecastkit_forecasts(y: np.ndarray, m: int, h: int, only_recommended: bool = False
                          ) -> dict[str, tuple[np.ndarray, float]]:
    from forecastkit.forecasters.registry import make_forecaster

    frame = pd.DataFrame({"y": y}, index=pd.RangeIndex(len(y)))
    spec = _with_season(recommended_spec(), m)
    params = {k: v for k, v in spec.items() if k not in ("name", "type")}
    from forecastkit.forecasters.registry import get_entry

    if get_entry(spec["type"]).load().tags()["fixed_horizon"]:
        params.setdefault("horizon", h)  # as a run sets it: the task's horizon
    t0 = time.perf_counter()
    rec = make_forecaster(spec["type"], **params).fit(frame)
    out = {"fk_recommended": (rec.predict(h)["y"].to_numpy(), time.perf_counter() - t0)}
    if only_recommended:
        return out
    members = getattr(rec, "members_", None) or []
    for sub, member in zip(spec.get("members", []), members):
        out[f"fk_{sub['type']}"] = (member.predict(h)["y"].to_numpy(), float("nan"))
    for name in ("auto_arima", "ets", "theta"):
        if f"fk_{name}" not in out:
            t0 = time.perf_counter()
            model = make_forecaster(name, season_length=m).fit(frame)
            out[f"fk_{name}"] = (model.predict(h)["y"].to_numpy(), time.perf_counter() - t0)
    trio = np.stack([out[f"fk_{k}"][0] for k in ("auto_arima", "ets", "theta")])
    out["fk_mean(arima,ets,theta)"] = (trio.mean(axis=0), float("nan"))  # the members' own forecasts
    out["fk_median(arima,ets,theta)"] = (np.median(trio, axis=0), float("nan"))
    for name in ("naive", "seasonal_naive"):
        params = {"season_length": m} if name == "seasonal_naive" else {}
        if name == "seasonal_naive" and m == 1:
            continue
        out[name] = (make_forecaster(name, **params).fit(frame).predict(h)["y"].to_numpy(), float("nan"))
    return out


def statsforecast_forecasts(y: np.ndarray, m: int, h: int) -> dict[str, tuple[np.ndarray, float]]:
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    out = {}
    for name, cls in (("sf_AutoARIMA", AutoARIMA), ("sf_AutoETS", AutoETS), ("sf_AutoTheta", AutoTheta)):
        t0 = time.perf_counter()
        fc = np.asarray(cls(season_length=m).forecast(y=y.astype(float), h=h)["mean"], dtype=float)
        out[name] = (fc, time.perf_counter() - t0)
    mean = np.mean([out[k][0] for k in ("sf_AutoARIMA", "sf_AutoETS", "sf_AutoTheta")], axis=0)
    out["sf_mean(ARIMA,ETS,Theta)"] = (mean, float("nan"))
    return out


def mase_scale(train: np.ndarray, m: int) -> float:
    lag = m if len(train) > m else 1
    d = np.abs(train[lag:] - train[:-lag])
    return float(d.mean()) if d.size and d.mean() > 0 else 1.0


def one_series(name: str, values: np.ndarray, m: int, h: int, max_rows: int, folds: int,
               only_recommended: bool = False, spec: dict | None = None) -> list[dict]:
    global SPEC_OVERRIDE
    SPEC_OVERRIDE = spec
    warnings.simplefilter("ignore")
    y = values[-max_rows:]
    n = len(y)
    rows = []
    for f in range(folds):
        origin = n - h * (folds - f)
        train, test = y[:origin], y[origin:origin + h]
        scale = mase_scale(train, m)
        fcs = {**forecastkit_forecasts(train, m, h, only_recommended), **statsforecast_forecasts(train, m, h)}
        for model, (fc, secs) in fcs.items():
            mae = float(np.mean(np.abs(fc - test)))
            rows.append({"series": name, "fold": f, "model": model, "mae": mae, "mase": mae / scale,
                         "seconds": secs})
    print(f"  done {name} (n={n}, m={m}, h={h})", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--series", default=None, help="comma-separated name prefixes (default: all)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--csv", default=None)
    parser.add_argument("--spec", default=None, help="JSON model table to try as the recommendation")
    parser.add_argument("--recommended-only", action="store_true", help="skip fk's single models")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    series = load_series()
    if args.series:
        wanted = args.series.split(",")
        series = {k: v for k, v in series.items() if any(k.startswith(w) for w in wanted)}
    global SPEC_OVERRIDE
    if args.spec:
        import json

        SPEC_OVERRIDE = json.loads(args.spec)
    print(f"recommended = {recommended_spec()}")
    from joblib import Parallel, delayed

    parts = Parallel(n_jobs=args.jobs)(
        delayed(one_series)(name, v, m, h, mr, args.folds, args.recommended_only, SPEC_OVERRIDE)
        for name, (v, m, h, mr) in series.items()
    )
    table = pd.DataFrame([r for p in parts for r in p])
    if args.csv:
        table.to_csv(args.csv, index=False)
    per_series = table.groupby(["series", "model"])["mase"].mean().unstack("model")
    pd.set_option("display.width", 250)
    print("\nMASE per series (mean over folds)")
    print(per_series.round(3).to_string())
    gm = np.exp(np.log(per_series).mean()).sort_values()
    print("\ngeometric-mean MASE over series")
    print(gm.round(4).to_string())
    secs = table.groupby("model")["seconds"].median().dropna()
    print("\nmedian seconds per fit (shared machine: noisy)")
    print(secs.round(3).to_string())
    sf_best = min(gm[k] for k in ("sf_AutoARIMA", "sf_AutoETS", "sf_AutoTheta"))
    print("\ntargets")
    print(f"  recommended vs statsforecast's best single model: {gm['fk_recommended']:.4f} vs {sf_best:.4f} "
          f"({100 * (1 - gm['fk_recommended'] / sf_best):+.1f}% better; target >= +5%)")
    for fk, sf in (("fk_ets", "sf_AutoETS"), ("fk_theta", "sf_AutoTheta"), ("fk_auto_arima", "sf_AutoARIMA")):
        if fk not in gm:
            continue
        print(f"  {fk} vs {sf}: {gm[fk]:.4f} vs {gm[sf]:.4f} ({100 * (gm[fk] / gm[sf] - 1):+.1f}%; target within 3%)")
    try:
        import resource

        print(f"\npeak memory (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    except ImportError:  # pragma: no cover
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
