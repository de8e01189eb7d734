"""Run a validated config end to end: load data, backtest every model, forecast
past the end of the data, and write the report directory atomically.

This is the one library function the CLI's ``run`` and ``forecast`` commands call.
"""

from __future__ import annotations

import inspect
import os
import platform
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from forecastkit.config.schema import HoldoutConfig, ModelConfig, RollingConfig, RunConfig
from forecastkit.errors import ConfigError, ForecastkitError
from forecastkit.forecasting import data_spec, future_covariates, tidy_future

#: default seasonal period by pandas frequency prefix (MASE scale, seasonal defaults)
_SEASON_BY_FREQ = {"MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4, "Q": 4, "W": 52, "D": 7, "B": 5, "h": 24, "H": 24}


@dataclass
class Dataset:
    """The loaded data split into targets and covariates."""

    frame: pd.DataFrame
    targets: list[str]
    past: list[str]
    future: list[str]

    @property
    def y(self) -> pd.DataFrame:
        return self.frame[self.targets]

    def X(self, columns: list[str]) -> pd.DataFrame | None:
        return self.frame[columns] if columns else None


def season_length_for(freq: Any) -> int:
    """A sensible default seasonal period for a pandas frequency (1 if unknown)."""
    name = getattr(freq, "rule_code", None) or str(freq)
    prefix = "".join(ch for ch in name.split("-")[0] if ch.isalpha())
    return _SEASON_BY_FREQ.get(prefix, 1)


def load_run_data(cfg: RunConfig) -> Dataset:
    """Load the config's data with its validation and fill policy."""
    from forecastkit.data.loader import load_data

    d = cfg.data
    targets = d.target_list
    overlap = set(targets) & (set(d.past_covariates) | set(d.future_covariates))
    if overlap:
        raise ConfigError(f"column(s) {sorted(overlap)} are both a target and a covariate in [data]")
    features = list(dict.fromkeys(d.past_covariates + d.future_covariates))
    frame = load_data(
        d.path,
        time=d.time,
        targets=targets,
        features=features,
        onehot=list(d.onehot) or False,
        fill=d.fill,
        resample=d.resample,
        agg=d.agg,
    )
    for t in targets:
        values = frame[t].to_numpy()
        if len(values) and (values == values[0]).all():
            warnings.warn(
                f"target {t!r} is constant ({values[0]:g}): forecasts are trivial and MASE/skill are undefined",
                stacklevel=2,
            )
    # One-hot encoding renames a categorical column into several indicator columns.
    past = _expand_onehot(frame, d.past_covariates)
    future = _expand_onehot(frame, d.future_covariates)
    return Dataset(frame=frame, targets=targets, past=past, future=future)


def _expand_onehot(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    out: list[str] = []
    for c in columns:
        if c in frame.columns:
            out.append(c)
        else:
            out.extend(col for col in frame.columns if col.startswith(f"{c}_"))
    return out


def build_model(model: ModelConfig, cfg: RunConfig, data: Dataset, horizon: int | None = None):
    """Instantiate a configured model, wiring covariates, the run's seed and, for models
    trained for a fixed number of steps, the horizon of the task at hand (so training is
    done in ``fit`` and timed as fitting, not lazily inside the first ``predict``)."""
    from forecastkit.forecasters.registry import get_entry, make_forecaster, parameters

    params = dict(model.params)
    valid = parameters(model.type)
    if horizon is not None and "horizon" in valid and params.get("horizon") is None:
        params["horizon"] = horizon
    for seed_key in ("seed", "random_state"):
        if seed_key in valid and seed_key not in params:
            params[seed_key] = cfg.seed
    cls = get_entry(model.type).load()
    tags = cls.tags() if inspect.isclass(cls) and hasattr(cls, "tags") else {}
    if model.covariates and data.future and tags.get("future_covariates") and "future_known" in valid:
        params.setdefault("future_known", list(data.future))
    if tags.get("neural"):
        # identical results whether or not the run was interrupted and resumed
        from forecastkit.forecasters.neural.training import seed_model

        params.setdefault("deterministic", True)
        seed_model(cfg.seed, model.name)
    try:
        return make_forecaster(model.type, **params)
    except ForecastkitError as err:
        raise type(err)(f"model {model.name!r}: {err}") from None


def model_columns(forecaster, model: ModelConfig, data: Dataset) -> list[str]:
    """The covariate columns a model receives: only what it can use and was allowed."""
    if not model.covariates:
        return []
    tags = forecaster.tags()
    cols = list(data.past) if tags.get("past_covariates") else []
    fk = set(forecaster.future_known_columns())
    cols += [c for c in data.future if c in fk]
    return cols


def make_folds(ev: HoldoutConfig | RollingConfig, index: pd.DatetimeIndex, min_train: int = 1):
    """Translate an evaluation config into backtest folds on this index."""
    from forecastkit.backtest.splits import holdout_folds, rolling_folds

    n = len(index)
    if isinstance(ev, HoldoutConfig):
        train_end = None
        if ev.train_end is not None:
            train_end = _position_after(index, ev.train_end, "evaluation.train_end")
        folds = holdout_folds(
            n, ev.horizon, test_size=ev.test_size, train_end=train_end, step=ev.step, refit_every=ev.refit_every
        )
        kept = folds[ev.skip_first: len(folds) - ev.skip_last]
        if not kept:
            raise ConfigError(
                f"evaluation {ev.name or ev.scheme!r}: skip_first={ev.skip_first} and skip_last={ev.skip_last} "
                f"leave none of its {len(folds)} origins"
            )
        # Renumber; the first kept fold fits (on the same rows the plan fitted on).
        return [replace(f, fold=i, refit=f.refit or i == 0) for i, f in enumerate(kept)]
    start = _position_after(index, ev.start, "evaluation.start") if ev.start is not None else None
    return rolling_folds(
        n, ev.horizon, folds=ev.folds, start=start, step=ev.step, window=ev.window,
        window_length=ev.window_length, refit_every=ev.refit_every, min_train=min_train,
    )


def plan_evaluations(cfg: RunConfig, data: Dataset, chosen: list[ModelConfig]) -> list[tuple]:
    """``(evaluation, folds)`` for every evaluation of the config.

    Every model is built first: a bad parameter, or too little data for the largest
    window a model needs, is a clear error now rather than a failed model later.
    """
    min_train = max((_min_train(m, cfg, data) for m in chosen), default=1)
    return [(ev, make_folds(ev, data.frame.index, min_train)) for ev in cfg.evaluations]


def _min_train(model: ModelConfig, cfg: RunConfig, data: Dataset) -> int:
    forecaster = build_model(model, cfg, data)
    try:
        return forecaster.min_train_size()
    except ForecastkitError as err:  # a bad parameter: say which [[models]] entry has it
        raise type(err)(f"model {model.name!r}: {err}") from None


def _position_after(index: pd.DatetimeIndex, when: str, key: str) -> int:
    """Number of rows at or before the timestamp ``when`` (a date string)."""
    try:
        ts = pd.Timestamp(when)
    except (ValueError, TypeError):
        raise ConfigError(f"{key} = {when!r} is not a date") from None
    pos = int(index.searchsorted(ts, side="right"))
    if pos <= 0 or pos >= len(index):
        raise ConfigError(f"{key} = {when!r} is outside the data span {index[0]}..{index[-1]}")
    return pos


# --------------------------------------------------------------------------- tasks
def _backtest_task(model: ModelConfig, cfg: RunConfig, data: Dataset, ev, folds, level, on_fold=None, state=None):
    from forecastkit.backtest.engine import run_backtest

    forecaster = build_model(model, cfg, data, horizon=ev.horizon)
    X = data.X(model_columns(forecaster, model, data))
    evaluation = ev.name or ev.scheme
    done = state.fold_results(model.name, evaluation) if state is not None else None
    store = (lambda k, rec: state.store_fold(model.name, evaluation, k, rec)) if state is not None else None
    return run_backtest(
        forecaster, data.y, X, folds, level=level, name=model.name, type_name=model.type,
        evaluation=evaluation, on_fold=on_fold, done=done, on_result=store,
    )


def split_at_refits(folds: list, n_chunks: int) -> list[list]:
    """Contiguous chunks of a fold plan that each start at a refit fold.

    A chunk then runs on its own (in another worker) and gives exactly the forecasts
    of the whole chain: every fold after a refit only updates the history. A plan
    that fits once (``refit_every = 0``) stays one chunk.
    """
    segments: list[list] = []
    for fold in folds:
        if fold.refit or not segments:
            segments.append([fold])
        else:
            segments[-1].append(fold)
    n_chunks = max(1, min(n_chunks, len(segments)))
    per = -(-len(segments) // n_chunks)
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


def future_horizon(cfg: RunConfig) -> int:
    """Steps forecast past the end: ``[forecast] horizon``, else the longest evaluation's."""
    return cfg.forecast.horizon or max(ev.horizon for ev in cfg.evaluations)


def fit_on_all(model: ModelConfig, cfg: RunConfig, data: Dataset, horizon: int):
    """Build a configured model and fit it on all the data (for forecasts past the end)."""
    forecaster = build_model(model, cfg, data, horizon=horizon)
    forecaster.fit(data.y, data.X(model_columns(forecaster, model, data)))
    return forecaster


def _future_task(model: ModelConfig, cfg: RunConfig, data: Dataset, horizon: int, level: float,
                 X_future: pd.DataFrame | None, state=None, save_models: bool = False):
    """Refit on all the data and forecast ``horizon`` steps past its end.

    Returns ``(tidy frame or None, error or None, seconds)``; stored in the run state
    so a resumed run does not refit it.
    """
    if state is not None:
        stored = state.future(model.name)
        if stored is not None:
            return stored
    t0 = time.perf_counter()
    try:
        forecaster = fit_on_all(model, cfg, data, horizon)
        Xf = X_future if forecaster.future_known_columns() else None
        record = (tidy_future(forecaster, model.name, horizon, level, Xf), None, time.perf_counter() - t0)
        if save_models and state is not None:
            from forecastkit.forecasters.persistence import save_forecaster

            target = state.model_dir(model.name)
            if target.exists():  # a half-saved model from a killed run
                shutil.rmtree(target)
            save_forecaster(forecaster, target, name=model.name, type_name=model.type, data=data_spec(cfg))
    except Exception as err:  # a failing model must not sink the run
        record = (None, f"{type(err).__name__}: {err}", time.perf_counter() - t0)
    if state is not None:
        state.store_future(model.name, record)
    return record


# --------------------------------------------------------------------------- run
def run_experiment(
    cfg: RunConfig,
    *,
    jobs: int = 1,
    progress: Callable[[str, int], Any] | None = None,
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
        ``progress(kind, n)`` is called with ``("total", n_units)`` once and ``("advance", 1)``
        after each fold.
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
    from threadpoolctl import threadpool_limits

    # Per-fold linear algebra is small: one BLAS thread is fastest (threads only fight
    # each other and Keras' pool) and makes --jobs N bit-identical to --jobs 1, whose
    # joblib workers also get one thread each. Parallelism comes from --jobs.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_experiment(cfg, jobs=jobs, progress=progress, models=models, state=state,
                               save_models=save_models)


def _run_experiment(cfg: RunConfig, *, jobs, progress, models, state, save_models):
    from joblib import Parallel, delayed

    from forecastkit.backtest.results import FUTURE_COLUMNS, RunResult

    t_start = time.perf_counter()
    data = load_run_data(cfg)
    chosen = [m for m in cfg.models if models is None or m.name in models]
    if models is not None:
        unknown = sorted(set(models) - {m.name for m in cfg.models})
        if unknown:
            raise ConfigError(f"unknown model name(s) {unknown}; the config has {[m.name for m in cfg.models]}")
    level = cfg.forecast.level
    plan = plan_evaluations(cfg, data, chosen)
    horizon = future_horizon(cfg)
    X_future = future_covariates(cfg, data, horizon)
    n_units = sum(len(f) for _, f in plan) * len(chosen) + len(chosen)
    tick = (lambda n=1: progress("advance", n)) if progress else (lambda n=1: None)
    if progress:
        progress("total", n_units)

    tasks = [(m, ev, folds) for m in chosen for ev, folds in plan]
    if jobs == 1:
        model_runs = [
            _backtest_task(m, cfg, data, ev, folds, level, on_fold=lambda _f: tick(), state=state)
            for m, ev, folds in tasks
        ]
        futures = []
        for m in chosen:
            futures.append(_future_task(m, cfg, data, horizon, level, X_future, state, save_models))
            tick()
    else:
        # One pool for backtests and final refits, so no worker idles between the two;
        # each backtest is cut at refit folds so one slow model spreads over the workers.
        chunks = [(t, part) for t, (m, ev, folds) in enumerate(tasks) for part in split_at_refits(folds, jobs)]
        calls = [delayed(_backtest_task)(tasks[t][0], cfg, data, tasks[t][1], part, level, state=state)
                 for t, part in chunks]
        calls += [delayed(_future_task)(m, cfg, data, horizon, level, X_future, state, save_models) for m in chosen]
        units = [len(part) for _, part in chunks] + [1] * len(chosen)
        results = []
        for n, res in zip(units, Parallel(n_jobs=jobs, return_as="generator")(calls)):
            results.append(res)
            tick(n)
        parts: dict[int, list] = {}
        for (t, _), res in zip(chunks, results):
            parts.setdefault(t, []).append(res)
        model_runs = [merge_runs(parts[t]) for t in range(len(tasks))]
        futures = results[len(chunks):]

    future_frames = [f for f, _, _ in futures if f is not None]
    future = pd.concat(future_frames, ignore_index=True) if future_frames else pd.DataFrame(columns=FUTURE_COLUMNS)
    future_errors = {m.name: err for m, (_, err, _) in zip(chosen, futures) if err}
    future_seconds = {m.name: secs for m, (_, _, secs) in zip(chosen, futures)}
    season = cfg.data.season_length or season_length_for(data.frame.index.freq)
    meta = _run_meta(cfg, data, jobs, time.perf_counter() - t_start, future_errors, future_seconds, horizon)
    return RunResult(
        name=cfg.name or "run",
        config=cfg.model_dump(mode="json"),
        seed=cfg.seed,
        data=data.frame,
        targets=data.targets,
        season_length=season,
        metric=cfg.metric,
        model_runs=model_runs,
        future=future,
        meta=meta,
        models=[{"name": m.name, "type": m.type, "params": m.params, "covariates": model_columns_safe(m, cfg, data)} for m in chosen],
    )


def model_columns_safe(model: ModelConfig, cfg: RunConfig, data: Dataset) -> list[str]:
    try:
        return model_columns(build_model(model, cfg, data), model, data)
    except Exception:  # reported by the task itself
        return []


def _run_meta(cfg, data: Dataset, jobs: int, seconds: float, future_errors, future_seconds, horizon) -> dict:
    import importlib.metadata as md

    versions = {}
    for pkg in ("forecastkit", "numpy", "pandas", "scikit-learn", "statsmodels", "tensorflow", "keras"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    idx = data.frame.index
    return {
        "versions": versions,
        "python": platform.python_version(),
        "machine": {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count()},
        "jobs": jobs,
        "wall_seconds": round(seconds, 3),
        "future_horizon": horizon,
        "future_errors": future_errors,
        "future_fit_seconds": {k: round(v, 4) for k, v in future_seconds.items()},
        "data": {
            "source": str(data.frame.attrs.get("source", cfg.data.path)),
            "rows": len(idx),
            "start": str(idx[0]),
            "end": str(idx[-1]),
            "frequency": str(data.frame.attrs.get("freq", getattr(idx.freq, "freqstr", idx.freq))),
            "targets": data.targets,
            "past_covariates": data.past,
            "future_covariates": data.future,
            "filled": data.frame.attrs.get("filled"),
        },
    }


def run_fingerprint(cfg: RunConfig, models: list[str] | None) -> str:
    """Fingerprint of what a run computes: config, data file bytes, model selection."""
    from forecastkit.data.datasets import resolve_source
    from forecastkit.runstate import fingerprint

    files = [resolve_source(cfg.data.path)[0]]
    if cfg.forecast.covariates_path:
        files.append(resolve_source(cfg.forecast.covariates_path)[0])
    return fingerprint(cfg.model_dump(mode="json"), files, models)
