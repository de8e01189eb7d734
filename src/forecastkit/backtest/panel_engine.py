"""Panel backtests: local models per series, global reduction models pooled across series.

Work units are plain records (:class:`SeriesBlock`, :class:`PanelModel`) so a chunk
of series can be shipped to a joblib or Dask worker on its own: a worker gets only
its chunk's values, never the whole panel.

- Local (``pooling = "local"``, and always for non-reduction types): a fresh model
  per series and fold, fitted on that series' rows before the origin.
- Global (``pooling = "global"``, reduction types): one regressor per fold trained on
  the windows of all series pooled, in :mod:`forecastkit.backtest.panel_global`.
"""

from __future__ import annotations

import json
import time as _time

import numpy as np
import pandas as pd

from forecastkit.backtest.panel_folds import series_origins
from forecastkit.backtest.panel_global import GLOBAL_ONLY, global_min_train, is_global_type, run_global
from forecastkit.backtest.panel_records import (
    FORECAST_COLUMNS,
    FUTURE,
    ChunkResult,
    PanelModel,
    SeriesBlock,
    Task,
    _clip_nonnegative,
    _frame,
    _rows,
    panel_blocks,
)
from forecastkit.errors import ForecastkitError

__all__ = ["FORECAST_COLUMNS", "FUTURE", "GLOBAL_ONLY", "ChunkResult", "PanelModel", "SeriesBlock", "Task",
           "is_global_type", "min_train", "panel_blocks", "run_global", "run_local", "run_task", "warm_starts"]


def build_local(model: PanelModel):
    from forecastkit.forecasters.registry import make_forecaster

    return make_forecaster(model.type, **model.params)


def warm_starts(model: PanelModel) -> bool:
    """Whether the (local) model starts a fit from an earlier one's estimate
    (``warm_start``: ``arima``, ``auto_arima``, ``ets``)."""
    return callable(getattr(build_local(model), "warm_start", None))


def min_train(model: PanelModel) -> int:
    """Rows before an origin the model needs."""
    if model.pooling == "global":
        return global_min_train(model)
    return int(build_local(model).min_train_size())


class _Done(Exception):
    """The array-core path finished (leaves the DataFrame path's try block)."""


def _check_train(proto, values: np.ndarray) -> None:
    """What ``fit`` checks before its numpy core (the panel loader checked the rest)."""
    if len(values) < proto.min_train_size():
        raise ForecastkitError(f"needs at least {proto.min_train_size()} observations, got {len(values)}")
    if not np.isfinite(values).all():
        raise ForecastkitError("the training values contain NaN or infinite values")


def _array_core(proto, values: np.ndarray, h: int, level: float, intervals: bool):
    """Fit and forecast through the forecaster's numpy core (``_fit``/``_predict*``), as
    ``fit``/``predict`` would without their DataFrame validation, which the panel did."""
    _check_train(proto, values)
    est = proto.clone()
    est._fit(values[:, None].astype(float), None)
    est.is_fitted_ = True
    if intervals:
        mean, lo, hi = (np.asarray(a, float).reshape(h) for a in est._predict_interval(h, None, float(level)))
    else:
        mean = np.asarray(est._predict(h, None), float).reshape(h)
        lo = hi = np.full(h, np.nan)
    return mean, lo, hi, est


def _conformal_wrapper(model: PanelModel, steps: int):
    """The model wrapped for split-conformal intervals over ``steps`` (DataFrame path)."""
    from forecastkit.forecasters.conformal import ConformalForecaster

    return ConformalForecaster(model={"type": model.type, **model.params}, horizon=steps)


def run_local(task: Task) -> ChunkResult:
    """Fit the task's model on each series of the chunk, fold by fold, then on all rows
    (only the folds the task ``wants``); a model with ``warm_start`` starts each of a
    series' fits from its previous one in the task (same results for any ``--jobs``:
    the tasks are). With conformal intervals, a series with too few
    calibration windows for the level takes the quantile of the scores pooled across the
    chunk's series at the same fold (:func:`~forecastkit.backtest.panel_conformal.pool_short`)."""
    from threadpoolctl import threadpool_limits

    from forecastkit.backtest.panel_conformal import (
        LocalCalibration, half_width, local_scores, pool_short, wrapper_calibration)

    start = _time.perf_counter()
    proto = build_local(task.model)
    need = proto.min_train_size()
    mode = task.intervals if proto.tags().get("intervals", False) else None
    # models whose numpy core needs no dates (baselines, naive2) skip the DataFrame layer
    fast = bool(proto.tags().get("array_core", False))
    wrapped = {}  # steps -> the conformal wrapper (DataFrame path)
    done, failures = [], []  # done: [block, fold, origin, mean, lo, hi, info, note, times, calibration]
    h = task.plan.horizon
    with threadpool_limits(limits=1, user_api="blas"):
        for b in task.blocks:
            folds = series_origins(b.times, task.plan, need, task.cutoffs)
            if fast:  # the series' dates and the horizon after them, once
                grid = pd.date_range(b.times[0], periods=len(b.values) + max(h, task.future_h), freq=task.freq).values
            previous = None  # the series' last fit in this task: start values of the next
            for fold, origin in folds + [(FUTURE, len(b.values))]:
                steps = h if fold != FUTURE else task.future_h
                if not task.wants(fold) or (fold == FUTURE and (steps < 1 or origin < need)):
                    continue
                note = cal = None
                train = b.values[:origin]
                try:
                    if fast:
                        if mode == "conformal":
                            _check_train(proto, train)
                            cal, est = local_scores(proto, train, steps, task.level, task.season_length)
                            if isinstance(cal, LocalCalibration):
                                mean, note = cal.mean, cal.note
                                lo, hi = cal.bounds(half_width(cal.scores, task.level))
                            else:
                                (mean, lo, hi, note), cal = cal, None
                        else:
                            mean, lo, hi, est = _array_core(proto, train, steps, task.level, mode is not None)
                        ft = grid[origin: origin + steps]
                        raise _Done
                    if mode == "conformal":
                        est = wrapped.setdefault(steps, _conformal_wrapper(task.model, steps)).clone()
                    else:
                        est = proto.clone()
                    if previous is not None and hasattr(est, "warm_start"):
                        est.warm_start(previous)
                    est.fit(pd.DataFrame({"y": train}, index=b.times[:origin]))
                    previous = est
                    if mode is not None:
                        iv = est.predict_interval(steps, level=task.level)  # columns y, y_lower, y_upper
                        mean, lo, hi = (iv[c].to_numpy(float) for c in ("y", "y_lower", "y_upper"))
                    else:
                        iv = est.predict(steps)
                        mean = iv["y"].to_numpy(float)
                        lo = hi = np.full(steps, np.nan)
                    if mode == "conformal":
                        cal = wrapper_calibration(est, steps, train, task.season_length)
                    ft = iv.index.values
                except _Done:
                    pass
                except (ForecastkitError, ValueError, np.linalg.LinAlgError) as err:
                    failures.append(f"{task.model.name} on series {b.sid!r} (fold {fold}): {err}")
                    continue
                # what _collect needs of the fitted model (only the future's description): the
                # fitted models themselves are not kept, so a chunk holds one per series at most
                done.append([b, fold, origin, mean, lo, hi, est.fitted_info() if fold == FUTURE else None, note, ft,
                             cal])
        if mode == "conformal":  # series short of windows: bounds from the chunk's pooled scores
            for fold in dict.fromkeys(d[1] for d in done):
                rows = [d for d in done if d[1] == fold]
                for d, pooled in zip(rows, pool_short([d[9] for d in rows], task.level)):
                    if pooled is not None:
                        d[4], d[5], d[7] = pooled
    return _collect(task, done, failures, start)


def _collect(task: Task, done: list, failures: list[str], start: float) -> ChunkResult:
    """The chunk's forecast rows (backtest folds and past the end) and fitted notes."""
    parts, times_of, fparts, ftimes, fitted = [], [], [], [], {}
    for b, fold, origin, mean, lo, hi, info, note, ft, _ in done:
        mean, lo, hi = _clip_nonnegative(b.values[:origin], mean, lo, hi)
        if fold == FUTURE:
            fparts.append(_rows(task.model.name, b.sid, fold, b.times, origin, mean, lo, hi, np.full(len(mean), np.nan)))
            ftimes.append(ft)
            fitted[b.sid] = json.dumps(info if note is None else {**info, "intervals": note}, default=str)
        else:
            parts.append(_rows(task.model.name, b.sid, fold, b.times, origin, mean, lo, hi,
                               b.values[origin: origin + len(mean)]))
            times_of.append(ft)
    return ChunkResult(_frame(parts, times_of), _frame(fparts, ftimes), failures, fitted,
                       _time.perf_counter() - start)


def run_task(task: Task) -> ChunkResult:
    """The worker entry point (joblib and Dask call this)."""
    return run_global(task) if task.model.pooling == "global" else run_local(task)
