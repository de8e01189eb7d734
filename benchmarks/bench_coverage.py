"""Empirical interval coverage per model on a config's rolling backtest: the
split-conformal intervals every run now gives (``[forecast] intervals``, default)
beside each model's native intervals, at 80 % and 95 %, from the same fits.

Run: ``python benchmarks/bench_coverage.py configs/airline.toml [--models a,b] [--max-folds N]``.

Each fold mirrors the backtest engine: the model is built as a run builds it
(``runs.inputs.build_model``: the conformal wrapper around the configured model),
fitted on the fold's training rows only, and forecasts the fold's horizon. The
wrapper's own bands are the conformal ones; the native ones come from the wrapped
model fitted on the same rows (``model_``). Coverage = share of actual values inside
the band over every fold and step; ``n`` is that number of values (the binomial
standard error at 95 % with n = 48 is 3.1 points).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np
import pandas as pd


def coverage(config: str, models: list[str] | None = None, max_folds: int | None = None,
             windows: int | None = None, score: str | None = None) -> pd.DataFrame:
    from dataclasses import replace

    from forecastkit.config.schema import RollingConfig, load_config
    from forecastkit.runs.inputs import build_model, load_run_data, make_folds, model_columns, run_context

    cfg = load_config(config)
    data = load_run_data(cfg)
    ctx = run_context(cfg, data)
    if windows:
        ctx = replace(ctx, calibration_windows=windows)
    rows = []
    for ev in cfg.evaluations:
        if not isinstance(ev, RollingConfig):
            continue
        folds = make_folds(ev, data.frame.index, 1)
        if max_folds:
            folds = folds[-max_folds:]
        for m in cfg.models:
            if models and m.name not in models:
                continue
            hits = {k: [] for k in ("conf80", "conf95", "nat80", "nat95")}
            t0 = time.perf_counter()
            note = ""
            try:
                for fold in folds:
                    model = build_model(m, ctx.for_horizon(ev.horizon))
                    if score:
                        model.set_params(score=score)
                    cols = model_columns(model, m, data)
                    y, X = data.y, data.X(cols)
                    sl = slice(fold.fit_start, fold.fit_end)
                    model.fit(y.iloc[sl], None if X is None else X.iloc[sl])
                    if (fold.fit_start, fold.fit_end) != (fold.hist_start, fold.origin):
                        hs = slice(fold.hist_start, fold.origin)
                        model.update(y.iloc[hs], None if X is None else X.iloc[hs])
                    fk = model.future_known_columns()
                    o, h = fold.origin, ev.horizon
                    Xf = X.iloc[o:o + h][fk] if (fk and X is not None) else None
                    actual = y.iloc[o:o + h].to_numpy(dtype=float)
                    note = model.fitted_info().get("intervals", "")
                    for lvl, tag in ((0.8, "80"), (0.95, "95")):
                        for kind, fc in (("conf", model), ("nat", model.model_)):
                            band = fc.predict_interval(h, Xf, level=lvl)
                            lo = band[[f"{t}_lower" for t in data.targets]].to_numpy(dtype=float)
                            hi = band[[f"{t}_upper" for t in data.targets]].to_numpy(dtype=float)
                            hits[kind + tag].extend(((actual >= lo) & (actual <= hi)).ravel().tolist())
            except Exception as exc:  # report, keep going
                rows.append({"config": cfg.name, "model": m.name, "type": m.type, "error": f"{type(exc).__name__}: {exc}"})
                continue
            rows.append({"config": cfg.name, "evaluation": ev.name or ev.scheme, "model": m.name, "type": m.type,
                         "n": len(hits["conf80"]),
                         **{k: 100 * float(np.mean(v)) for k, v in hits.items()},
                         "seconds": round(time.perf_counter() - t0, 1), "calibration": note})
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1), flush=True)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--models", default=None, help="comma-separated model names (default: all)")
    parser.add_argument("--max-folds", type=int, default=None, help="only the last N folds")
    parser.add_argument("--windows", type=int, default=None, help="calibration windows (default: the config's)")
    parser.add_argument("--score", default=None, help="conformal score: scaled or absolute")
    parser.add_argument("--csv", default=None, help="also write the table here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    table = coverage(args.config, args.models.split(",") if args.models else None, args.max_folds, args.windows, args.score)
    pd.set_option("display.width", 200)
    print()
    print(table.drop(columns=[c for c in ("calibration",) if c in table]).to_string(index=False,
                                                                                    float_format="%.1f"))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
