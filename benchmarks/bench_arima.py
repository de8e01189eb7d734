"""Airline benchmarks for ``arima`` and ``auto_arima``.

Run: ``python benchmarks/bench_arima.py [--repeat 5] [--daily] [--only-daily --daily-folds 3]``
(statsforecast from the ``[bench]`` extra for section 4). Prints

1. **1960 hold-out** (train 1949-01..1959-12 = 132 points, forecast the 12 months of
   1960): MAPE and RMSE of the airline model SARIMA(0,1,1)(0,1,1)12 on log (target
   MAPE 2.90 % +- 0.05, RMSE ~18.6), the same through statsmodels called directly
   with its defaults, and ``auto_arima`` (plain, log, Box-Cox, and ``"auto"``, which
   searches plain and log and keeps the lower AICc on the original scale; target
   MAPE <= 3.5 %, statsforecast's AutoARIMA: 4.18 %) with the order chosen, the
   number of fits and the fit time (for ``"auto"``: both searches, the transform
   chosen and both AICc).
2. **Tutorial one-step test** (target RMSE 14.0 +- 0.1): the LSTM tutorial's split
   ``train_size = int(144 * 0.67) = 96``, ``train = dataset[0:96]``,
   ``test = dataset[96:144]`` (48 values). Its ``create_dataset(test, look_back=1)``
   loops ``for i in range(len(test) - look_back - 1)``: 46 samples with input
   ``test[i]`` and target ``test[i + 1]``, i.e. targets ``dataset[97..142]`` (the
   loop's ``- 1`` drops the last value, ``dataset[143]``). The airline model on log
   is fitted once on ``dataset[0:96]``; each target ``dataset[t]`` is then forecast
   one step ahead after ``update(dataset[0:t])`` (parameters kept, no re-estimation).
   The same loop with statsmodels called directly (``results.apply(refit=False)``)
   is printed next to it.
3. **Defaults** (the target: MAPE <= 3.0 % in <= 1.0 s per fit on 2 cores):
   ``auto_arima(season_length=12)`` with every other setting at its default
   (``transform="auto"``), MAPE and best-of-``repeat`` seconds per fit.
4. **Long daily series** (``--daily``; minutes): a rolling backtest of
   ``auto_arima(season_length=7)`` on the 3,650-row daily minimum temperatures
   (``--daily-folds`` origins 14 days apart, h = 14, refit at every origin) through
   forecastkit's backtest engine (each refit warm-started from the previous fold's
   model), with and without ``search_window=730``, beside statsforecast's AutoARIMA
   (when installed) fitted at the same origins: seconds per fit, the ratio to
   statsforecast and MASE (MAE over the in-sample MAE of the weekly seasonal naive).
5. **Timing**: best-of-``repeat`` wall time of our fits next to a plain statsmodels
   ``SARIMAX(...).fit(disp=False)`` of the airline model, and the ratios. The plain
   fit is timed twice: as installed (BLAS with its default thread pool) and with BLAS
   limited to one thread as our fits run it, since on a small or busy machine BLAS
   thread contention alone can slow a Kalman-filter fit tenfold.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecastkit.forecasters.statistical.arima import ARIMAForecaster
from forecastkit.forecasters.statistical.auto_arima import AutoARIMAForecaster

DATA = Path(__file__).resolve().parents[1] / "datasets" / "airline-passengers.csv"
AIRLINE = {"order": (0, 1, 1), "seasonal_order": (0, 1, 1, 12)}


def load() -> pd.DataFrame:
    df = pd.read_csv(DATA)
    idx = pd.date_range("1949-01-01", periods=len(df), freq="MS")
    return pd.DataFrame({"Passengers": df["Passengers"].to_numpy(dtype=float)}, index=idx)


def scores(pred: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    return float(np.mean(np.abs(pred - actual) / actual) * 100), float(math.sqrt(np.mean((pred - actual) ** 2)))


def best_time(fn, repeat: int) -> tuple[float, object]:
    out, best = None, math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def statsmodels_airline(endog: np.ndarray, one_blas_thread: bool = False):
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(1 if one_blas_thread else None, user_api="blas"):
        warnings.simplefilter("ignore")
        return SARIMAX(endog, **AIRLINE).fit(disp=False)


DAILY = DATA.parent / "daily-min-temperatures.csv"


def daily_backtest(folds: int, h: int = 14, models: str = "sf,fk,fk_window") -> None:
    """Section 4: auto_arima vs statsforecast AutoARIMA on the long daily series
    (statsforecast first: the ratios are to its seconds per fit)."""
    from forecastkit.backtest.engine import run_backtest
    from forecastkit.backtest.splits import rolling_folds

    raw = pd.read_csv(DAILY)
    # a row index: the file skips the 29th of February, which makes its dates irregular
    y = pd.DataFrame({"Temp": raw["Temp"].to_numpy(dtype=float)}, index=pd.RangeIndex(len(raw)))
    values = y["Temp"].to_numpy()
    plan = rolling_folds(len(y), horizon=h, folds=folds, step=h)
    wanted = models.split(",")

    def mase(origin: int, fc: np.ndarray) -> float:
        train = values[:origin]
        return float(np.mean(np.abs(fc - values[origin:origin + h])) / np.mean(np.abs(train[7:] - train[:-7])))

    print(f"\nLong daily series: {len(y)} rows, m = 7, {folds} rolling origins, h = {h}, refit at each")
    print(f"{'model':<52} {'s/fit':>7} {'vs sf':>6} {'MASE':>6}  orders", flush=True)
    sf = math.nan

    def show(label: str, secs: float, score: float, orders: str) -> None:
        print(f"{label:<52} {secs:7.1f} {secs / sf:6.2f} {score:6.3f}  {orders}", flush=True)

    if "sf" in wanted:
        try:
            from statsforecast.models import AutoARIMA
        except ImportError:
            print("statsforecast is not installed (the [bench] extra): no peer timing")
        else:
            AutoARIMA(season_length=7).forecast(y=values[:200], h=h)  # numba compilation, not timed
            secs, scores, orders = 0.0, [], []
            for f in plan:
                t0 = time.perf_counter()
                model = AutoARIMA(season_length=7).fit(values[:f.origin])
                fc = np.asarray(model.predict(h)["mean"], dtype=float)
                secs += time.perf_counter() - t0
                scores.append(mase(f.origin, fc))
                orders.append(str(tuple(model.model_["arma"])))
            sf = secs / len(plan)
            show("statsforecast AutoARIMA(season_length=7)", sf, float(np.mean(scores)), ", ".join(orders))
    variants = {"fk": ("fk auto_arima defaults (warm-started folds)", {}),
                "fk_window": ("fk auto_arima search_window=730 (warm-started)", {"search_window": 730}),
                "fk_tested": ("fk auto_arima seasonal_arma='tested' (warm-started)", {"seasonal_arma": "tested"})}
    for key in wanted:
        if key not in variants:
            continue
        label, kw = variants[key]
        run = run_backtest(AutoARIMAForecaster(season_length=7, **kw), y, None, plan, level=None)
        if run.error:
            print(f"{label:<52} failed: {run.error}", flush=True)
            continue
        fc = run.forecasts
        scores = [mase(f.origin, fc.loc[fc["fold"] == f.fold, "forecast"].to_numpy()) for f in plan]
        orders = ", ".join(f"{i['order']}{i['seasonal_order'][:3]}" for i in run.info)
        show(label, run.fit_seconds / len(plan), float(np.mean(scores)), orders)
    print("statsforecast arma = (p, q, P, Q, m, d, D)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing repeats (best of)")
    parser.add_argument("--daily", action="store_true", help="also run the long daily backtest (minutes)")
    parser.add_argument("--daily-folds", type=int, default=3)
    parser.add_argument("--only-daily", action="store_true", help="run only the long daily backtest")
    parser.add_argument("--daily-models", default="sf,fk,fk_window", help="of sf, fk, fk_window, fk_tested")
    args = parser.parse_args()
    if args.only_daily:
        daily_backtest(args.daily_folds, models=args.daily_models)
        return
    y = load()
    train, actual = y.iloc[:132], y["Passengers"].to_numpy()[132:]
    logtrain = np.log(train["Passengers"].to_numpy())
    statsmodels_airline(logtrain)  # warm-up: imports, compiled code paths
    ARIMAForecaster(**AIRLINE, transform="log").fit(train)

    print("1960 hold-out (train 1949-01..1959-12, 132 points; h = 12)")
    print(f"{'model':<58} {'MAPE %':>7} {'RMSE':>7} {'fit s':>7}  chosen")
    rows = []
    t_sm, res = best_time(lambda: statsmodels_airline(logtrain), args.repeat)
    t_sm1, _ = best_time(lambda: statsmodels_airline(logtrain, one_blas_thread=True), args.repeat)
    mape, rmse = scores(np.exp(res.forecast(12)), actual)
    rows.append(("statsmodels SARIMAX(0,1,1)(0,1,1)12 on log, defaults", mape, rmse, t_sm, ""))
    t_ours, f = best_time(lambda: ARIMAForecaster(**AIRLINE, transform="log").fit(train), args.repeat)
    mape, rmse = scores(f.predict(12)["Passengers"].to_numpy(), actual)
    rows.append(("arima (0,1,1)(0,1,1)12 transform='log' (median back-transform)", mape, rmse, t_ours, ""))
    fc = f.results_["Passengers"].get_forecast(12)
    mean_bt = np.exp(np.asarray(fc.predicted_mean) + np.asarray(fc.var_pred_mean) / 2)
    mape, rmse = scores(mean_bt, actual)
    rows.append(("  same fit, mean (bias-adjusted) back-transform instead", mape, rmse, math.nan, ""))
    f = ARIMAForecaster(**AIRLINE, transform="log", trend="c").fit(train)
    mape, rmse = scores(f.predict(12)["Passengers"].to_numpy(), actual)
    rows.append(("arima (0,1,1)(0,1,1)12 transform='log' trend='c' (drift)", mape, rmse, math.nan, ""))
    f = ARIMAForecaster(**AIRLINE).fit(train)
    mape, rmse = scores(f.predict(12)["Passengers"].to_numpy(), actual)
    rows.append(("arima (0,1,1)(0,1,1)12 no transform", mape, rmse, math.nan, ""))
    auto_times = {}
    variants = (
        ("defaults (transform='auto')", {}), ("no transform", {"transform": None}), ("log", {"transform": "log"}),
        ("boxcox", {"transform": "boxcox"}),
    )
    for label, kw in variants:
        t_auto, f = best_time(lambda kw=kw: AutoARIMAForecaster(season_length=12, **kw).fit(train), args.repeat)
        auto_times[label] = t_auto
        mape, rmse = scores(f.predict(12)["Passengers"].to_numpy(), actual)
        chosen = f"{f.order_}{f.seasonal_order_} trend={f.trend_} ({f.n_fits_} fits)"
        if kw.get("transform") == "boxcox":
            chosen += f" lambda={f.boxcox_lambda_:.3f}"
        if not kw:
            scored = ", ".join(f"{k}: {v:.2f}" for k, v in f.transform_scores_.items())
            ics = ", ".join(f"{k}: {v:.1f}" for k, v in f.transform_ic_.items())
            chosen += f" transform_={f.transform_!r} (one-step MAE {scored}; AICc {ics})"
        rows.append((f"auto_arima season_length=12 {label}", mape, rmse, t_auto, chosen))
    for name, mape, rmse, secs, chosen in rows:
        print(f"{name:<58} {mape:7.3f} {rmse:7.2f} {secs:7.3f}  {chosen}")
    print("reference: statsforecast AutoARIMA on this hold-out: MAPE 4.18 %")
    f = AutoARIMAForecaster(season_length=12).fit(train)
    mape, _ = scores(f.predict(12)["Passengers"].to_numpy(), actual)
    secs = auto_times["defaults (transform='auto')"]
    print(f"\nDefaults: auto_arima(season_length=12): MAPE {mape:.2f} % (target <= 3.0), {secs:.2f} s per fit "
          f"(best of {args.repeat}; target <= 1.0 s on 2 cores)")

    print("\nTutorial one-step test (fit on dataset[0:96], targets dataset[97..142], 46 values)")
    values = y["Passengers"].to_numpy()
    targets = values[97:143]
    t0 = time.perf_counter()
    f = ARIMAForecaster(**AIRLINE, transform="log").fit(y.iloc[:96])
    preds = []
    for t in range(97, 143):
        f.update(y.iloc[:t])
        preds.append(f.predict(1)["Passengers"].iloc[0])
    loop_s = time.perf_counter() - t0
    rmse_ours = math.sqrt(np.mean((np.asarray(preds) - targets) ** 2))
    res = statsmodels_airline(np.log(values[:96]))
    direct = [float(np.exp(res.apply(np.log(values[:t]), refit=False).forecast(1)[0])) for t in range(97, 143)]
    rmse_sm = math.sqrt(np.mean((np.asarray(direct) - targets) ** 2))
    print(f"arima + update (no re-estimation): RMSE {rmse_ours:.4f}  ({loop_s:.3f} s: 1 fit + 46 updates/forecasts)")
    print(f"statsmodels fit + apply(refit=False): RMSE {rmse_sm:.4f}")

    print(f"\nTiming (best of {args.repeat}); ratio = ours / plain statsmodels fit of the airline model")
    print(f"  plain statsmodels fit: {t_sm:.3f} s as installed, {t_sm1:.3f} s with 1 BLAS thread")
    print(f"  {'':<32} {'seconds':>8} {'vs installed':>13} {'vs 1 thread':>12}")
    for label, secs in [("arima airline model, log", t_ours)] + [(f"auto_arima {k}", v) for k, v in auto_times.items()]:
        print(f"  {label:<32} {secs:8.3f} {secs / t_sm:12.2f}x {secs / t_sm1:11.2f}x")
    if args.daily:
        daily_backtest(args.daily_folds, models=args.daily_models)


if __name__ == "__main__":
    main()
