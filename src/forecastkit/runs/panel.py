"""``run_panel(config, ...)``: the panel counterpart of :func:`forecastkit.runs.api.run`.

Loads the panel, drops series too short for the fold plan (a warning; ``strict``:
an error), runs every model over series chunks on the chosen engine, always adds
the two references the aggregates need (seasonal naive, naive2), scores per series
and across series, forecasts past the end for every series, and writes the run
directory atomically:

``leaderboard.csv`` (one row per model), ``metrics_by_series.csv``, ``forecasts.csv``
(the scored backtest forecasts), ``forecast.csv`` (past the end, with intervals where
the model gives them), ``fitted_by_series.csv`` (what each local model chose),
``run.json`` and ``report.html``.
"""

from __future__ import annotations

import json
import shutil
import warnings
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecastkit.config.panel import PanelRunConfig
from forecastkit.errors import ConfigError, DataError


@dataclass
class PanelResult:
    """A finished panel run."""

    leaderboard: pd.DataFrame
    by_series: pd.DataFrame
    forecasts: pd.DataFrame
    future: pd.DataFrame
    fitted: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def _models(cfg: PanelRunConfig, m: int):
    from forecastkit.backtest.panel_engine import GLOBAL_ONLY, PanelModel, is_global_type
    from forecastkit.backtest.panel_metrics import REF_NAIVE2, REF_SNAIVE
    from forecastkit.forecasters.registry import parameters

    out = []
    for mc in cfg.models:
        can_pool = is_global_type(mc.type)
        pooling = mc.pooling or ("global" if can_pool else "local")
        if pooling == "global" and not can_pool:
            raise ConfigError(f"model {mc.name!r}: type {mc.type!r} is fitted per series; pooling = \"global\" "
                              "needs a reduction type (ridge, linear, hist_gradient_boosting ...)")
        params = dict(mc.params)
        if pooling == "local" and any(k in params for k in GLOBAL_ONLY):
            raise ConfigError(f"model {mc.name!r}: {', '.join(k for k in GLOBAL_ONLY if k in params)} apply to "
                              'pooling = "global" only')
        if "season_length" in parameters(mc.type) and "season_length" not in params:
            params["season_length"] = m
        out.append(PanelModel(mc.name, mc.type, params, pooling, mc.covariates))
    refs = [PanelModel(REF_SNAIVE, "seasonal_naive", {"season_length": m}),
            PanelModel(REF_NAIVE2, "naive2", {"season_length": m})]
    return out, refs


#: most series in one work unit (without ``[execution] chunk_size``)
MAX_CHUNK = 100


@dataclass
class _Setup:
    """A loaded panel and what every task of a run (or a forecast) shares."""

    cfg: PanelRunConfig
    panel: Any
    blocks: list
    plan: Any
    cutoffs: Any
    models: list
    refs: list
    chunks: list
    future_h: int
    intervals: str | None


def _interval_mode(setting) -> str | None:
    """``[forecast] intervals``: true/"conformal" -> "conformal", "native", false -> None."""
    return None if setting is False else ("native" if setting == "native" else "conformal")


def _setup(cfg: PanelRunConfig, *, strict: bool, horizon: int | None = None) -> _Setup:
    from forecastkit.backtest.panel_engine import min_train
    from forecastkit.backtest.panel_engine import panel_blocks
    from forecastkit.backtest.panel_folds import FoldPlan, common_cutoffs
    from forecastkit.config.panel import covariate_args
    from forecastkit.data.panel import drop_short
    from forecastkit.data.panel_loader import load_panel
    from forecastkit.runs.panel_exec import chunk

    d = cfg.data
    panel = load_panel(d.path, series_id=d.series_id, target=d.target, time=d.time, freq=d.freq,
                       season_length=d.season_length, strict=strict, **covariate_args(cfg))
    ev = cfg.evaluation
    plan = FoldPlan(ev.horizon, ev.folds, ev.step, ev.origins)
    models, refs = _models(cfg, panel.season_length)
    need = max(min_train(mdl) for mdl in models + refs)
    panel = drop_short(panel, plan.min_length(need) if plan.origins == "last" else need + plan.horizon,
                       strict, d.path)
    blocks = panel_blocks(panel)
    cutoffs = None
    if plan.origins == "common":
        cutoffs = common_cutoffs(pd.Series([b.times[-1] for b in blocks]), panel.freq, plan)
    if horizon is None:
        horizon = cfg.forecast.horizon if cfg.forecast.horizon is not None else ev.horizon
    # chunks of at most MAX_CHUNK series, as equal as can be, whatever the workers: the unit a
    # resume keeps, and the pool of a local model's short-series interval scores (so the
    # same for --jobs 1, --jobs N and Dask)
    size = cfg.execution.chunk_size or -(-len(blocks) // max(1, -(-len(blocks) // MAX_CHUNK)))
    chunks = chunk(blocks, 1, size)
    return _Setup(cfg, panel, blocks, plan, cutoffs, models, refs, chunks, horizon,
                  _interval_mode(cfg.forecast.intervals))


def _tasks(s: _Setup, models: list, folds: list[int], chain: list[int] | None = None) -> list:
    """One task per (model, series chunk, fold): the unit a resume skips when finished.
    Global models take every series in one chunk (one pooled fit per fold). A local
    model that warm-starts (``arima``, ``auto_arima``, ``ets``) takes a chunk's folds and the
    forecast past the end in one task, in order: each fit starts its optimiser or
    search where the series' previous fold ended (a chain, the unit of a resume);
    ``chain`` (default ``folds``): that task's folds (``forecast_panel`` asks only for
    the future, yet fits the chain before it, so its forecasts equal the run's)."""
    from forecastkit.backtest.panel_engine import FUTURE, Task, warm_starts
    from forecastkit.backtest.panel_metrics import REF_NAIVE2, REF_SNAIVE

    out = []
    for mdl in models:
        ref = mdl.name in (REF_SNAIVE, REF_NAIVE2)  # references (baselines): backtest scores only
        if mdl.pooling == "local" and warm_starts(mdl):
            units = [tuple(folds if chain is None else chain)]
        else:
            units = [(f,) for f in folds if not (ref and f == FUTURE)]
        for part in ([s.blocks] if mdl.pooling == "global" else s.chunks):
            for unit in units:
                out.append(Task(mdl, tuple(part), s.plan, s.cutoffs, s.panel.freq, s.cfg.forecast.level, s.future_h,
                                s.cfg.seed, s.panel.season_length, folds=unit,
                                intervals=None if ref else s.intervals))
    return out


def _with_intervals(cfg: PanelRunConfig, intervals: bool | None, level: float | None = None) -> PanelRunConfig:
    update = {}
    if intervals is not None:
        update["intervals"] = bool(intervals) and cfg.forecast.intervals
    if level is not None:
        update["level"] = float(level)
    return cfg.model_copy(update={"forecast": cfg.forecast.model_copy(update=update)}) if update else cfg


def run_panel(config: PanelRunConfig | str | Path, output: str | Path | None = None, *, jobs: int = 1,
              force: bool = False, strict: bool = False, engine: str | None = None,
              address: str | None = None, plots: bool = True, resume: bool = False,
              intervals: bool | None = None) -> PanelResult:
    """Backtest every model of a panel config and write the run directory.

    Parameters
    ----------
    config : PanelRunConfig, str or Path
        A validated config or a TOML path with ``[data] series_id``.
    output : path, optional
        The run directory (default ``runs/<config name>``).
    jobs : int
        joblib workers over series chunks (results identical to ``jobs=1``).
    force : bool
        Replace an existing run directory forecastkit wrote (and any interrupted run of it).
    strict : bool
        Fail on series too short for the fold plan instead of skipping them.
    engine, address : str, optional
        Override ``[execution] engine`` / ``address`` ("dask": a scheduler address, or
        none for a LocalCluster of ``[execution] workers``).
    plots : bool
        Draw the report's figures.
    resume : bool
        Continue an interrupted run of ``output``: only the (model, series chunk, fold)
        units it did not finish are computed.
    intervals : bool, optional
        False: point forecasts only (overrides ``[forecast] intervals``).
    """
    from forecastkit.backtest.panel_engine import FUTURE
    from forecastkit.backtest.panel_metrics import aggregate, mase_scales, series_scores
    from forecastkit.config.panel import load_panel_config
    from forecastkit.runs.outputs import prepare_output
    from forecastkit.runs.panel_units import data_files, execute
    from forecastkit.runs.state import RunState, fingerprint
    from forecastkit.safety.limits import cap_jobs
    from forecastkit.safety.locks import RunLock
    from forecastkit.safety.rundirs import clean_stale_siblings

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise DataError(f"--jobs must be >= 1, got {jobs}")
    jobs = cap_jobs(jobs)
    cfg = _with_intervals(config if isinstance(config, PanelRunConfig) else load_panel_config(config), intervals)
    ex = cfg.execution
    engine = engine or ex.engine
    address = address if address is not None else ex.address
    if engine not in ("joblib", "dask"):
        raise ConfigError(f"engine must be 'joblib' or 'dask', got {engine!r}")
    out = Path(output) if output is not None else Path("runs") / (cfg.name or "panel")
    prepare_output(out, force)
    started = time.perf_counter()
    s = _setup(cfg, strict=strict)
    folds = list(range(s.plan.folds)) + ([FUTURE] if s.future_h >= 1 else [])
    tasks = _tasks(s, s.models + s.refs, folds)
    with RunLock(out):
        prepare_output(out, force)
        clean_stale_siblings(out)
        state = RunState.open(out, fingerprint(cfg.model_dump(mode="json"), data_files(cfg), None),
                              resume=resume, force=force)
        units: dict = {}
        results = execute(tasks, state, jobs=jobs, engine=engine, address=address, workers=ex.workers, counts=units)
        owners = [t.model for t in tasks]
        forecasts = pd.concat([r.forecasts for r in results if len(r.forecasts)], ignore_index=True)
        future = _future(results, cfg)
        forecasts = pd.concat([forecasts] + [combine(forecasts, c) for c in cfg.combinations], ignore_index=True)
        failures = [f for r in results for f in r.failures]
        seconds: dict[str, float] = {}
        for mdl, r in zip(owners, results):
            seconds[mdl.name] = seconds.get(mdl.name, 0.0) + r.seconds
        fitted = pd.DataFrame([(mdl.name, sid, info) for mdl, r in zip(owners, results)
                               for sid, info in r.fitted.items()], columns=["model", "series_id", "fitted"])
        blocks, models, combos = s.blocks, s.models, cfg.combinations
        scales = mase_scales(blocks, forecasts, s.panel.season_length)
        by_series = series_scores(forecasts, scales)
        names = pd.DataFrame({
            "model": [m.name for m in models] + [c.name for c in combos],
            "type": [m.type for m in models] + [f"{c.method}({', '.join(c.members)})" for c in combos],
            "pooling": [m.pooling for m in models] + ["combination"] * len(combos),
            "failures": [sum(f.startswith(f"{m.name} on ") for f in failures) for m in models] + [0] * len(combos),
            "seconds": [round(seconds.get(m.name, 0.0), 3) for m in models]
            + [round(sum(seconds.get(n, 0.0) for n in c.members), 3) for c in combos],
        })
        board = aggregate(by_series, names, cfg.forecast.level if s.intervals else None)
        meta = {"config": cfg.model_dump(mode="json"), "n_series": len(blocks), "skipped": s.panel.skipped,
                "season_length": s.panel.season_length, "freq": s.panel.freq, "engine": engine, "jobs": jobs,
                "intervals": s.intervals, "level": cfg.forecast.level, "resumed": bool(resume), "units": units,
                "wall_seconds": round(time.perf_counter() - started, 3), "output": str(out)}
        result = PanelResult(board, by_series, forecasts, future, fitted, failures, meta)
        write_panel_run(result, out, force, plots, blocks)
        state.discard()
    return result


def _future(results: list, cfg: PanelRunConfig) -> pd.DataFrame:
    """The forecasts past the end of every series, with the combinations'."""
    from forecastkit.backtest.panel_engine import FORECAST_COLUMNS

    parts = [r.future for r in results if len(r.future)]
    future = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FORECAST_COLUMNS)
    return pd.concat([future] + [combine(future, c) for c in cfg.combinations], ignore_index=True)


def forecast_panel(config: PanelRunConfig | str | Path, models: list[str] | None = None, *,
                   horizon: int | None = None, level: float | None = None, jobs: int = 1,
                   engine: str | None = None, address: str | None = None, strict: bool = False) -> pd.DataFrame:
    """Every series' forecast past the end of its data, as ``run_panel`` writes to
    ``forecast.csv`` (the same tasks, future fold only): columns ``series_id``,
    ``model``, ``time``, ``step``, ``forecast``, ``lower``, ``upper``.

    ``models``: model or combination names (default: all of the config's).
    """
    from forecastkit.backtest.panel_engine import FUTURE
    from forecastkit.config.panel import load_panel_config
    from forecastkit.runs.panel_units import execute
    from forecastkit.safety.limits import cap_jobs

    cfg = _with_intervals(config if isinstance(config, PanelRunConfig) else load_panel_config(config), None, level)
    names = [m.name for m in cfg.models] + [c.name for c in cfg.combinations]
    unknown = [m for m in models or [] if m not in names]
    if unknown:
        raise ConfigError(f"unknown model {unknown[0]!r}; the config has: {', '.join(names)}")
    wanted = set(models or names)
    combos = [c for c in cfg.combinations if c.name in wanted]
    needed = wanted | {m for c in combos for m in c.members}
    cfg = cfg.model_copy(update={"combinations": combos})
    jobs = cap_jobs(jobs)
    engine = engine or cfg.execution.engine
    s = _setup(cfg, strict=strict, horizon=horizon)
    if s.future_h < 1:
        raise ConfigError("the forecast horizon is 0: set [forecast] horizon or pass --horizon")
    tasks = _tasks(s, [m for m in s.models if m.name in needed], [FUTURE],
                   chain=list(range(s.plan.folds)) + [FUTURE])
    address = address if address is not None else cfg.execution.address
    results = execute(tasks, None, jobs=jobs, engine=engine, address=address, workers=cfg.execution.workers)
    future = _future(results, cfg)
    future = future[future["model"].isin(wanted)]
    for line in (f for r in results for f in r.failures):
        warnings.warn(f"model {line}", stacklevel=2)
    return future[["series_id", "model", "time", "step", "forecast", "lower", "upper"]].reset_index(drop=True)


def combine(forecasts: pd.DataFrame, combo) -> pd.DataFrame:
    """The combination's forecasts: the mean/median of its members' where all of them forecast
    (no interval: the members' intervals do not combine into one of known coverage)."""
    from forecastkit.backtest.panel_engine import FORECAST_COLUMNS

    keys = ["series_id", "fold", "origin", "time", "step"]
    part = forecasts[forecasts["model"].isin(combo.members)]
    if part.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    g = part.groupby(keys, sort=False)
    out = g.agg(actual=("actual", "first"), forecast=("forecast", combo.method), n=("model", "nunique")).reset_index()
    out = out[out["n"] == len(combo.members)].drop(columns="n")
    out["model"] = combo.name
    out["lower"] = out["upper"] = float("nan")
    return out[FORECAST_COLUMNS]


def write_panel_run(result: PanelResult, out: Path, force: bool, plots: bool, blocks) -> Path:
    """Write every file into a temporary sibling, then rename it into place."""
    from forecastkit.report.panel import write_panel_report
    from forecastkit.runs.outputs import move_into_place
    from forecastkit.safety.perms import as_created
    from forecastkit.safety.rundirs import mark

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        as_created(tmp, directory=True)
        mark(tmp)
        result.leaderboard.to_csv(tmp / "leaderboard.csv", index=False)
        result.by_series.to_csv(tmp / "metrics_by_series.csv", index=False)
        bounds = [] if result.meta.get("intervals", "conformal") is None else ["lower", "upper"]  # false: none
        result.forecasts.drop(columns=[c for c in ("lower", "upper") if c not in bounds]).to_csv(
            tmp / "forecasts.csv", index=False)
        cols = ["series_id", "model", "time", "step", "forecast"] + bounds
        result.future[cols].to_csv(tmp / "forecast.csv", index=False)
        result.fitted.to_csv(tmp / "fitted_by_series.csv", index=False)
        (tmp / "run.json").write_text(json.dumps({**result.meta, "failures": result.failures}, indent=2,
                                                 default=str))
        write_panel_report(result, tmp, blocks, plots=plots)
        move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
