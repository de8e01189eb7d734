"""The run loop: every (model, evaluation) backtest and every model's forecast past
the end of the data, in one process or over a joblib pool, resumable through a
:class:`~forecastkit.runs.state.RunState`.

:func:`run_experiment` computes; :func:`forecastkit.runs.api.run` is the whole
``forecastkit run`` (output directory, run state, report) around it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forecastkit.backtest.results import FoldRecord
from forecastkit.config.schema import ModelConfig, RunConfig
from forecastkit.errors import ConfigError
from forecastkit.runs.future import data_spec, future_covariates, tidy_future
from forecastkit.runs.inputs import (
    Dataset,
    ModelContext,
    build_model,
    fit_on_all,
    future_horizon,
    load_run_data,
    model_columns,
    plan_evaluations,
    run_context,
)
from forecastkit.safety.signals import raise_pending


@dataclass(frozen=True)
class RunStarted:
    """Progress event, sent once: the run has ``total`` units of work (one per
    model and fold, plus one final refit per model)."""

    total: int


@dataclass(frozen=True)
class UnitsDone:
    """Progress event: ``units`` more units of work finished."""

    units: int


#: a progress callback receives :class:`RunStarted` once, then :class:`UnitsDone` events
ProgressCallback = Callable[[Any], Any]


@dataclass(frozen=True)
class FutureRecord:
    """A model refitted on all the data: its forecast past the end (None when it
    failed), the error, and the seconds it took."""

    frame: pd.DataFrame | None
    error: str | None
    seconds: float


# --------------------------------------------------------------------------- tasks
def _backtest_task(model: ModelConfig, context: ModelContext, data: Dataset, ev, folds, level, on_fold=None,
                   state=None):
    from forecastkit.backtest.engine import run_backtest

    forecaster = build_model(model, context.for_horizon(ev.horizon))
    X = data.X(model_columns(forecaster, model, data))
    evaluation = ev.name or ev.scheme
    on_fold = _reapply_after_first(on_fold)
    done = None
    store = None
    if state is not None:
        done = state.fold_results(model.name, evaluation)

        def store(k: int, record: FoldRecord) -> None:
            state.store_fold(model.name, evaluation, k, record.to_dict())

    return run_backtest(
        forecaster, data.y, X, folds, level=level, name=model.name, type_name=model.type,
        evaluation=evaluation, on_fold=on_fold, done=done, on_result=store,
    )


def _reapply_after_first(on_fold):
    """``on_fold`` that first limits the BLAS/OpenMP libraries the first fit loaded."""
    from forecastkit._threads import reapply

    first = [True]

    def call(fold) -> None:
        if first[0]:
            first[0] = False
            reapply()
        if on_fold is not None:
            on_fold(fold)

    return call


#: refit segments per backtest chunk. Warm starts (``arima``, ``auto_arima``: the next
#: refit starts from the previous one's estimate) chain within a chunk only, so a fixed
#: chunking, the same whatever ``--jobs`` is, gives the same forecasts with any ``--jobs``.
CHAIN_SEGMENTS = 10


def split_at_refits(folds: list, per: int = CHAIN_SEGMENTS) -> list[list]:
    """Contiguous chunks of a fold plan, each starting at a refit fold and holding
    ``per`` refit segments (a refit fold and the folds that only update after it).

    A chunk runs on its own (serially or in another worker) and gives exactly the
    forecasts of the chain it belongs to: every fold after a refit only updates the
    history, and warm starts do not cross chunks. A plan that fits once
    (``refit_every = 0``) stays one chunk.
    """
    segments: list[list] = []
    for fold in folds:
        if fold.refit or not segments:
            segments.append([fold])
        else:
            segments[-1].append(fold)
    per = max(1, int(per))
    return [[f for seg in segments[i:i + per] for f in seg] for i in range(0, len(segments), per)]


def merge_runs(parts: list):
    """One ModelRun from the ModelRuns of consecutive chunks of the same plan."""
    from forecastkit.backtest.results import ModelRun, empty_forecasts

    first = parts[0]
    error = next((p.error for p in parts if p.error), None)
    folds = [f for p in parts for f in p.folds]
    fit = sum(p.fit_seconds for p in parts)
    predict = sum(p.predict_seconds for p in parts)
    if error:
        return ModelRun(first.name, first.type, first.evaluation, empty_forecasts(), [], [], fit, predict,
                        error=error, folds=folds)
    forecasts = pd.concat([p.forecasts for p in parts], ignore_index=True)
    return ModelRun(
        first.name, first.type, first.evaluation, forecasts,
        [a for p in parts for a in p.audit], [i for p in parts for i in p.info], fit, predict, folds=folds,
    )


def _future_task(model: ModelConfig, cfg: RunConfig, context: ModelContext, data: Dataset, level: float,
                 X_future: pd.DataFrame | None, state=None, save_models: bool = False) -> FutureRecord:
    """Refit on all the data and forecast ``context.horizon`` steps past its end;
    stored in the run state so a resumed run does not refit it."""
    if state is not None:
        stored = state.future(model.name)
        if stored is not None:
            return FutureRecord(*stored)
    from forecastkit._threads import reapply

    horizon = context.horizon
    t0 = time.perf_counter()
    try:
        forecaster = fit_on_all(model, context, data)
        reapply()
        Xf = X_future if forecaster.future_known_columns() else None
        record = FutureRecord(tidy_future(forecaster, model.name, horizon, level, Xf), None, time.perf_counter() - t0)
        if save_models and state is not None:
            from forecastkit.forecasters.persistence import save_forecaster

            target = state.model_dir(model.name)
            if target.exists():  # a half-saved model from a killed run
                shutil.rmtree(target)
            save_forecaster(forecaster, target, name=model.name, type_name=model.type, data=data_spec(cfg))
    except Exception as err:  # a failing model must not sink the run
        record = FutureRecord(None, f"{type(err).__name__}: {err}", time.perf_counter() - t0)
    if state is not None:
        state.store_future(model.name, (record.frame, record.error, record.seconds))
    return record


# --------------------------------------------------------------------------- run
def run_experiment(
    cfg: RunConfig,
    *,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
    models: list[str] | None = None,
    state=None,
    save_models: bool = False,
):
    """Backtest every configured model under every evaluation and forecast past the end.

    Parameters
    ----------
    cfg : RunConfig
    jobs : int
        Parallel workers (joblib) over models and over chunks of folds that start at a
        refit; results equal ``jobs=1`` because every task seeds its own model and a
        chunk starting at a refit fold does exactly what the whole chain does (up to
        floating-point rounding: numpy's SIMD sums can differ in the last bit when an
        array lands at another memory alignment in a worker; ~1e-14 relative measured).
    progress : callable, optional
        Called with :class:`RunStarted` once, then :class:`UnitsDone` after each fold
        and each final refit.
    models : list of str, optional
        Restrict to these model names.
    state : RunState, optional
        Work directory: finished folds are stored there as they complete and reused
        when resuming an interrupted run.
    save_models : bool
        Save each model refitted on all the data into ``state.models_dir``.

    Returns
    -------
    RunResult
    """
    from forecastkit._threads import limit_threads

    # Per-fold linear algebra is small: one BLAS/OpenMP thread is fastest (threads only
    # fight each other and Keras' pool) and makes --jobs N bit-identical to --jobs 1,
    # whose joblib workers get one thread each too. Parallelism comes from --jobs. The
    # limit also covers libraries loaded later in the run (scipy's own OpenBLAS, OpenMP).
    with limit_threads(1):
        return _run_experiment(cfg, jobs=jobs, progress=progress, models=models, state=state,
                               save_models=save_models)


def _run_experiment(cfg: RunConfig, *, jobs, progress, models, state, save_models):
    from joblib import Parallel, delayed

    from forecastkit._threads import limited
    from forecastkit.backtest.results import FUTURE_COLUMNS, RunResult
    from forecastkit.runs.meta import run_meta

    t_start = time.perf_counter()
    data = load_run_data(cfg)
    chosen = [m for m in cfg.models if models is None or m.name in models]
    if models is not None:
        unknown = sorted(set(models) - {m.name for m in cfg.models})
        if unknown:
            raise ConfigError(f"unknown model name(s) {unknown}; the config has {[m.name for m in cfg.models]}")
    level = cfg.forecast.interval_level  # None: `intervals = false`, point forecasts only
    plan = plan_evaluations(cfg, data, chosen)
    context = run_context(cfg, data)
    horizon = future_horizon(cfg)
    future_context = context.for_horizon(horizon)
    X_future = future_covariates(cfg, data, horizon)
    n_units = sum(len(f) for _, f in plan) * len(chosen) + len(chosen)

    def tick(n: int = 1) -> None:
        raise_pending()  # a Ctrl-C lost where Python could only print it stops here
        if progress:
            progress(UnitsDone(n))

    if progress:
        progress(RunStarted(n_units))

    tasks = [(m, ev, folds) for m in chosen for ev, folds in plan]
    # the same chunks for every --jobs (see CHAIN_SEGMENTS): one slow model spreads over
    # the workers, and the forecasts do not depend on the number of workers
    chunks = [(t, part) for t, (m, ev, folds) in enumerate(tasks) for part in split_at_refits(folds)]
    if jobs == 1:
        runs = [_backtest_task(tasks[t][0], context, data, tasks[t][1], part, level, on_fold=lambda _f: tick(),
                               state=state) for t, part in chunks]
        futures = []
        for m in chosen:
            futures.append(_future_task(m, cfg, future_context, data, level, X_future, state, save_models))
            tick()
    else:
        # one pool for backtests and final refits, so no worker idles between the two
        backtest_task, future_task = limited(_backtest_task), limited(_future_task)
        calls = [delayed(backtest_task)(tasks[t][0], context, data, tasks[t][1], part, level, state=state)
                 for t, part in chunks]
        calls += [delayed(future_task)(m, cfg, future_context, data, level, X_future, state, save_models)
                  for m in chosen]
        units = [len(part) for _, part in chunks] + [1] * len(chosen)
        results = []
        for n, res in zip(units, Parallel(n_jobs=jobs, return_as="generator")(calls)):
            results.append(res)
            tick(n)
        runs, futures = results[:len(chunks)], results[len(chunks):]
    parts: dict[int, list] = {}
    for (t, _), res in zip(chunks, runs):
        parts.setdefault(t, []).append(res)
    model_runs = [merge_runs(parts[t]) for t in range(len(tasks))]

    future_frames = [f.frame for f in futures if f.frame is not None]
    future = pd.concat(future_frames, ignore_index=True) if future_frames else pd.DataFrame(columns=FUTURE_COLUMNS)
    future_errors = {m.name: f.error for m, f in zip(chosen, futures) if f.error}
    future_seconds = {m.name: f.seconds for m, f in zip(chosen, futures)}
    meta = run_meta(cfg, data, jobs, time.perf_counter() - t_start, future_errors, future_seconds, horizon)
    return RunResult(
        name=cfg.name or "run",
        config=cfg.model_dump(mode="json"),
        seed=cfg.seed,
        data=data.frame,
        targets=data.targets,
        season_length=context.season_length,
        metric=cfg.metric,
        model_runs=model_runs,
        future=future,
        meta=meta,
        models=[{"name": m.name, "type": m.type, "params": m.params, "covariates": _columns_or_none(m, context, data),
                 "chose": _final_choice(m.name, model_runs)} for m in chosen],
    )


def _columns_or_none(model: ModelConfig, context: ModelContext, data: Dataset) -> list[str]:
    try:
        return model_columns(build_model(model, context), model, data)
    except Exception:  # reported by the task itself
        return []


def _final_choice(name: str, model_runs: list) -> dict:
    """What a model chose at its last backtest fold (its ``fitted_info()``)."""
    infos = [i for mr in model_runs if mr.name == name for i in mr.info]
    return {k: v for k, v in infos[-1].items() if k != "fold"} if infos else {}
