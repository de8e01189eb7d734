"""Speed against peers on the same data, folds, lags and regressor (Ridge), in one run.

20,000 hourly rows, 10 covariates, h = 48, 5 expanding-window folds (refit every fold),
24 lags of the target, scikit-learn ``Ridge(alpha=1)``:

- forecastkit (``backtest.engine.run_backtest``) with the ``recursive``, ``direct`` and
  ``multi_output`` strategies, covariates future-known (their value at the target time),
  and ``direct`` with the covariates as 24 lags each (past covariates);
- skforecast ``backtesting_forecaster`` with ForecasterRecursive and ForecasterDirect
  (exog at the target time) and ForecasterDirectMultiVariate (all 11 series as lags,
  no scaling);
- mlforecast ``cross_validation``, recursive and ``max_horizon`` (direct), exog as
  dynamic features.

Each configuration runs (point forecasts, then 95% intervals) in a fresh process, a
user's first backtest in a session (first-call costs included), with every BLAS /
OpenMP library at one thread (the variables are set before numpy loads, and
threadpoolctl limits what is loaded); ``--repeat`` fresh processes per configuration
(default 3) give the median seconds, alike for every library (one cold run of a
0.07 s backtest varies by about 10%). Printed: seconds, ratio to the fastest peer of
the same strategy, MAE (the same work gives about the same MAE) and interval
coverage. Not a test: timings depend on the machine and its load.

    python benchmarks/bench_peers_speed.py [--rows 20000] [--only forecastkit] [--repeat 3]
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "POLARS_MAX_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

H, FOLDS, LAGS, N_COV, LEVEL = 48, 5, 24, 10, 0.95
COVS = [f"x{i}" for i in range(N_COV)]

#: (library, strategy, label) of every configuration, in print order
RUNS = [
    ("forecastkit", "recursive", "forecastkit recursive"),
    ("skforecast", "recursive", "skforecast ForecasterRecursive"),
    ("mlforecast", "recursive", "mlforecast recursive"),
    ("forecastkit", "direct", "forecastkit direct"),
    ("skforecast", "direct", "skforecast ForecasterDirect"),
    ("mlforecast", "direct", "mlforecast max_horizon"),
    ("forecastkit", "multi_output", "forecastkit multi_output"),
    ("forecastkit", "direct_past", "forecastkit direct (past covariate lags)"),
    ("skforecast", "direct_past", "skforecast ForecasterDirectMultiVariate"),
]
#: the peers a forecastkit strategy is compared with (multi_output: the direct peers)
PEER_STRATEGY = {"recursive": "recursive", "direct": "direct", "multi_output": "direct", "direct_past": "direct_past"}


def make_data(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    covs = {c: np.cumsum(rng.normal(0, 0.1, rows)) + np.sin(2 * np.pi * t / 24 + i) for i, c in enumerate(COVS)}
    y = 50 + 10 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(2 * np.pi * t / 168) + 0.5 * covs["x0"] + rng.normal(0, 2, rows)
    return pd.DataFrame({"y": y, **covs}, index=pd.date_range("2010-01-01", periods=rows, freq="h"))


def _score(actual: np.ndarray, mean: np.ndarray, lower=None, upper=None) -> dict:
    out = {"mae": float(np.mean(np.abs(actual - mean))), "n": int(len(actual))}
    if lower is not None:
        out["coverage"] = float(np.mean((actual >= lower) & (actual <= upper)))
    return out


# --------------------------------------------------------------------------- forecastkit
def run_forecastkit(df: pd.DataFrame, strategy: str, intervals: bool) -> dict:
    from forecastkit._threads import limit_threads
    from forecastkit.backtest.engine import run_backtest
    from forecastkit.backtest.splits import rolling_folds
    from forecastkit.forecasters.reduction import ReductionForecaster
    import sklearn.linear_model  # noqa: F401  (imported before the clock, as the peers' are)

    with limit_threads(1):
        past = strategy == "direct_past"
        model = ReductionForecaster(
            "ridge", "direct" if past else strategy, n_in=LAGS, past_covariates_lags=LAGS if past else None,
            future_known=None if past else COVS, horizon=H,
        )
        folds = rolling_folds(len(df), H, folds=FOLDS, step=H)
        t0 = time.perf_counter()
        run = run_backtest(model, df[["y"]], df[COVS], folds, level=LEVEL if intervals else None)
        seconds = time.perf_counter() - t0
    if run.error:
        raise RuntimeError(run.error)
    f = run.forecasts
    return {"seconds": seconds, **_score(f["actual"].to_numpy(), f["forecast"].to_numpy(),
                                         *((f["lower"].to_numpy(), f["upper"].to_numpy()) if intervals else ()))}


# --------------------------------------------------------------------------- skforecast
def run_skforecast(df: pd.DataFrame, strategy: str, intervals: bool) -> dict:
    from sklearn.linear_model import Ridge
    from skforecast.direct import ForecasterDirect, ForecasterDirectMultiVariate
    from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
    from skforecast.recursive import ForecasterRecursive

    warnings.filterwarnings("ignore")
    cv = TimeSeriesFold(steps=H, initial_train_size=len(df) - FOLDS * H, refit=True, fixed_train_size=False,
                        verbose=False)
    kw = dict(interval=[0.025, 0.975], interval_method="conformal", use_in_sample_residuals=True) if intervals else {}
    t0 = time.perf_counter()
    if strategy == "direct_past":
        from skforecast.model_selection import backtesting_forecaster_multiseries

        fc = ForecasterDirectMultiVariate(Ridge(), level="y", steps=H, lags=LAGS, transformer_series=None, n_jobs=1)
        _, pred = backtesting_forecaster_multiseries(
            fc, df[["y", *COVS]], cv=cv, metric="mean_absolute_error", n_jobs=1, show_progress=False,
            **({"interval": [0.025, 0.975], "interval_method": "conformal", "use_in_sample_residuals": True}
               if intervals else {}),
        )
    else:
        if strategy == "recursive":
            fc = ForecasterRecursive(Ridge(), lags=LAGS)
        else:
            fc = ForecasterDirect(Ridge(), steps=H, lags=LAGS, n_jobs=1)
        _, pred = backtesting_forecaster(fc, df["y"], cv=cv, exog=df[COVS], metric="mean_absolute_error",
                                         n_jobs=1, show_progress=False, **kw)
    seconds = time.perf_counter() - t0
    actual = df["y"].reindex(pred.index).to_numpy() if "level" not in pred.columns else (
        df["y"].reindex(pred.index).to_numpy())
    lower = pred["lower_bound"].to_numpy() if intervals else None
    upper = pred["upper_bound"].to_numpy() if intervals else None
    return {"seconds": seconds, **_score(actual, pred["pred"].to_numpy(), lower, upper)}


# --------------------------------------------------------------------------- mlforecast
def run_mlforecast(df: pd.DataFrame, strategy: str, intervals: bool) -> dict:
    from mlforecast import MLForecast
    from mlforecast.utils import PredictionIntervals
    from sklearn.linear_model import Ridge

    warnings.filterwarnings("ignore")
    long = df.reset_index(names="ds").assign(unique_id="s")[["unique_id", "ds", "y", *COVS]]
    mlf = MLForecast(models={"ridge": Ridge()}, freq="h", lags=list(range(1, LAGS + 1)), num_threads=1)
    kw = {}
    if intervals:
        kw = {"prediction_intervals": PredictionIntervals(n_windows=3, h=H), "level": [int(LEVEL * 100)]}
    t0 = time.perf_counter()
    cv = mlf.cross_validation(long, n_windows=FOLDS, h=H, step_size=H, refit=True, static_features=[],
                              max_horizon=H if strategy == "direct" else None, **kw)
    seconds = time.perf_counter() - t0
    lo = cv[f"ridge-lo-{int(LEVEL * 100)}"].to_numpy() if intervals else None
    hi = cv[f"ridge-hi-{int(LEVEL * 100)}"].to_numpy() if intervals else None
    return {"seconds": seconds, **_score(cv["y"].to_numpy(), cv["ridge"].to_numpy(), lo, hi)}


RUNNERS = {"forecastkit": run_forecastkit, "skforecast": run_skforecast, "mlforecast": run_mlforecast}


def child(library: str, strategy: str, intervals: bool, rows: int) -> None:
    df = make_data(rows)
    try:
        out = RUNNERS[library](df, strategy, intervals)
    except ImportError as err:
        out = {"skipped": f"not installed ({err.name})"}
    from threadpoolctl import threadpool_info

    out["max_threads"] = max((i["num_threads"] for i in threadpool_info()), default=1)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--only", choices=sorted(RUNNERS), action="append")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per configuration (median)")
    parser.add_argument("--child", nargs=4, metavar=("LIBRARY", "STRATEGY", "INTERVALS", "ROWS"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "1", int(args.child[3]))
        return
    print(f"{args.rows:,} hourly rows, {N_COV} covariates, h={H}, {FOLDS} folds, {LAGS} lags, Ridge(alpha=1); "
          f"one BLAS/OpenMP thread everywhere; {os.cpu_count()} CPUs")
    results: dict[tuple, dict] = {}
    for intervals in (False, True):
        for library, strategy, label in RUNS:
            if args.only and library not in args.only:
                continue
            runs = []
            for _ in range(max(1, args.repeat)):
                proc = subprocess.run([sys.executable, __file__, "--child", library, strategy, str(int(intervals)),
                                       str(args.rows)], capture_output=True, text=True)
                if proc.returncode != 0:
                    runs = [{"error": proc.stderr.strip().splitlines()[-1][:200]}]
                    break
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
                if "seconds" not in runs[-1]:  # skipped: not installed
                    break
            timed = sorted((r for r in runs if "seconds" in r), key=lambda r: r["seconds"])
            results[(library, strategy, intervals)] = timed[(len(timed) - 1) // 2] if timed else runs[0]
    for intervals in (False, True):
        print(f"\n{'with 95% intervals' if intervals else 'point forecasts'}")
        print(f"{'configuration':44s} {'seconds':>8s} {'vs fastest peer':>16s} {'MAE':>8s} {'coverage':>9s} threads")
        for library, strategy, label in RUNS:
            r = results.get((library, strategy, intervals))
            if r is None:
                continue
            if "seconds" not in r:
                print(f"{label:44s} {r.get('error') or r.get('skipped')}")
                continue
            peers = [v["seconds"] for (lib, st, iv), v in results.items()
                     if lib != "forecastkit" and st == PEER_STRATEGY[strategy] and iv == intervals and "seconds" in v]
            ratio = f"{r['seconds'] / min(peers):.2f}x" if peers and library == "forecastkit" else ""
            cov = f"{100 * r['coverage']:.1f}%" if "coverage" in r else ""
            print(f"{label:44s} {r['seconds']:8.2f} {ratio:>16s} {r['mae']:8.4f} {cov:>9s} {r['max_threads']:>7d}")


if __name__ == "__main__":
    main()
