"""Panel backtests: local models per series, global reduction models pooled across series.

Work units are plain records (:class:`SeriesBlock`, :class:`PanelModel`) so a chunk
of series can be shipped to a joblib or Dask worker on its own: a worker gets only
its chunk's values, never the whole panel.

- Local (``pooling = "local"``, and always for non-reduction types): a fresh model
  per series and fold, fitted on that series' rows before the origin.
- Global (``pooling = "global"``, reduction types): one regressor per fold trained on
  the windows of all series pooled; windows never span two series, and forecasts
  are put back in each series' units. Scaling (``scaling``): ``"series"`` (default)
  standardises each series with the mean and standard deviation of *its own
  training rows* (before the fold origin); ``"window"`` divides each window by the
  mean of its own input values (nothing after the window's origin is used).
  ``deseasonalize = true`` first divides each series by classical multiplicative
  seasonal indices fitted on its training rows (only when the 90% autocorrelation
  test says seasonal, as for naive2), and multiplies them back into the forecasts.
"""

from __future__ import annotations

import json
import time as _time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.backtest.panel_folds import FoldPlan, series_origins
from forecastkit.errors import ConfigError, ForecastkitError

FORECAST_COLUMNS = ["model", "series_id", "fold", "origin", "time", "step", "actual", "forecast", "lower", "upper"]
FUTURE = -1  # fold number of the forecast past the end


@dataclass(frozen=True)
class SeriesBlock:
    """One series: its id, timestamps and values."""

    sid: str
    times: pd.DatetimeIndex
    values: np.ndarray


@dataclass(frozen=True)
class PanelModel:
    """A configured model: ``name``, registry ``type``, its ``params`` and the ``pooling``."""

    name: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pooling: str = "local"


@dataclass
class ChunkResult:
    """What one (model, chunk) produced: scored rows, the future forecast, per-series notes."""

    forecasts: pd.DataFrame
    future: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    fitted: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one (model, chunk)."""

    model: PanelModel
    blocks: tuple[SeriesBlock, ...]
    plan: FoldPlan
    cutoffs: pd.DatetimeIndex | None
    freq: str
    level: float
    future_h: int
    seed: int = 0
    season_length: int = 1
    #: the folds to compute (:data:`FUTURE` for the forecast past the end); None: all of them
    folds: tuple[int, ...] | None = None
    #: "conformal" (calibrated on each series' training rows), "native" or None (no intervals)
    intervals: str | None = "conformal"

    def wants(self, fold: int) -> bool:
        return self.folds is None or fold in self.folds


def is_global_type(type_name: str) -> bool:
    """Whether a registry type can be pooled across series (the reduction types)."""
    from forecastkit.forecasters.registry import get_entry

    return get_entry(type_name).target.endswith(":ReductionForecaster")


def build_local(model: PanelModel):
    from forecastkit.forecasters.registry import make_forecaster

    return make_forecaster(model.type, **model.params)


def min_train(model: PanelModel) -> int:
    """Rows before an origin the model needs."""
    if model.pooling == "global":
        return int(_global_params(model)["n_in"])
    return int(build_local(model).min_train_size())


def _clip_nonnegative(train: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Forecasts and bounds clipped at 0 when every training value is >= 0 (as
    ``[data] nonnegative`` unset does for one series): sales and counts never go below 0."""
    if len(train) and bool(np.all(np.asarray(train) >= 0)):
        return tuple(np.maximum(a, 0.0) for a in arrays)  # NaN bounds stay NaN
    return arrays


def _rows(model, sid, fold, times, origin_pos, mean, lower, upper, actual):
    h = len(mean)
    return {
        "model": [model] * h, "series_id": [sid] * h, "fold": [fold] * h,
        "origin": [times[origin_pos - 1]] * h, "step": list(range(1, h + 1)),
        "forecast": mean, "lower": lower, "upper": upper, "actual": actual,
    }


def _frame(parts: list[dict], times_of: list) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    out = pd.DataFrame({k: np.concatenate([np.asarray(p[k], dtype=object if k in ("model", "series_id") else None)
                                           for p in parts]) for k in parts[0]})
    out["time"] = np.concatenate(times_of)
    out["origin"] = pd.to_datetime(out["origin"])
    return out[FORECAST_COLUMNS]


def _future_times(times: pd.DatetimeIndex, origin: int, h: int, freq: str) -> np.ndarray:
    return pd.date_range(times[origin - 1], periods=h + 1, freq=freq)[1:].values


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
    (only the folds the task ``wants``)."""
    from threadpoolctl import threadpool_limits

    from forecastkit.backtest.panel_conformal import local_conformal

    start = _time.perf_counter()
    proto = build_local(task.model)
    need = proto.min_train_size()
    mode = task.intervals if proto.tags().get("intervals", False) else None
    # models whose numpy core needs no dates (baselines, naive2) skip the DataFrame layer
    fast = bool(proto.tags().get("array_core", False))
    wrapped = {}  # steps -> the conformal wrapper (DataFrame path)
    parts, times_of, fparts, ftimes, failures, fitted = [], [], [], [], [], {}
    h = task.plan.horizon
    with threadpool_limits(limits=1, user_api="blas"):
        for b in task.blocks:
            folds = series_origins(b.times, task.plan, need, task.cutoffs)
            if fast:  # the series' dates and the horizon after them, once
                grid = pd.date_range(b.times[0], periods=len(b.values) + max(h, task.future_h), freq=task.freq).values
            for fold, origin in folds + [(FUTURE, len(b.values))]:
                steps = h if fold != FUTURE else task.future_h
                if not task.wants(fold) or (fold == FUTURE and (steps < 1 or origin < need)):
                    continue
                note = None
                try:
                    if fast:
                        train = b.values[:origin]
                        if mode == "conformal":
                            _check_train(proto, train)
                            mean, lo, hi, est, note = local_conformal(proto, train, steps, task.level)
                        else:
                            mean, lo, hi, est = _array_core(proto, train, steps, task.level, mode is not None)
                        ft = grid[origin: origin + steps]
                        raise _Done
                    if mode == "conformal":
                        est = wrapped.setdefault(steps, _conformal_wrapper(task.model, steps)).clone()
                    else:
                        est = proto.clone()
                    est.fit(pd.DataFrame({"y": b.values[:origin]}, index=b.times[:origin]))
                    if mode is not None:
                        iv = est.predict_interval(steps, level=task.level)  # columns y, y_lower, y_upper
                        mean, lo, hi = (iv[c].to_numpy(float) for c in ("y", "y_lower", "y_upper"))
                    else:
                        iv = est.predict(steps)
                        mean = iv["y"].to_numpy(float)
                        lo = hi = np.full(steps, np.nan)
                    ft = iv.index.values
                except _Done:
                    pass
                except (ForecastkitError, ValueError, np.linalg.LinAlgError) as err:
                    failures.append(f"{task.model.name} on series {b.sid!r} (fold {fold}): {err}")
                    continue
                mean, lo, hi = _clip_nonnegative(b.values[:origin], mean, lo, hi)
                if fold == FUTURE:
                    fparts.append(_rows(task.model.name, b.sid, fold, b.times, origin, mean, lo, hi,
                                        np.full(steps, np.nan)))
                    ftimes.append(ft)
                    info = est.fitted_info()
                    fitted[b.sid] = json.dumps(info if note is None else {**info, "intervals": note}, default=str)
                else:
                    parts.append(_rows(task.model.name, b.sid, fold, b.times, origin, mean, lo, hi,
                                       b.values[origin: origin + steps]))
                    times_of.append(ft)
    return ChunkResult(_frame(parts, times_of), _frame(fparts, ftimes), failures, fitted,
                       _time.perf_counter() - start)


# --------------------------------------------------------------------------- global models
_GLOBAL_KEYS = {"regressor", "regressor_params", "n_in", "strategy", "scaling", "deseasonalize"}
#: parameters that only pooled models take (beside the reduction type's own)
GLOBAL_ONLY = ("scaling", "deseasonalize")


def _global_params(model: PanelModel) -> dict[str, Any]:
    from forecastkit.forecasters.registry import get_entry

    params = {**get_entry(model.type).defaults, **model.params}
    unsupported = sorted(set(params) - _GLOBAL_KEYS)
    if unsupported:
        raise ConfigError(
            f"model {model.name!r}: pooling = \"global\" supports {sorted(_GLOBAL_KEYS)}, not {unsupported}; "
            'use pooling = "local" for those'
        )
    params.setdefault("n_in", 12)
    params.setdefault("strategy", "multi_output")
    params.setdefault("scaling", "series")
    params.setdefault("deseasonalize", False)
    if params["scaling"] not in ("series", "window"):
        raise ConfigError(f"model {model.name!r}: scaling must be 'series' or 'window', got {params['scaling']!r}")
    if params["strategy"] not in ("multi_output", "recursive"):
        raise ConfigError(f"model {model.name!r}: global strategy must be 'multi_output' or 'recursive', "
                          f"got {params['strategy']!r}")
    return params


def _scale(train: np.ndarray) -> tuple[float, float]:
    mu = float(np.mean(train))
    sd = float(np.std(train))
    return mu, (sd if sd > 0 else 1.0)


def _fit_pooled(model: PanelModel, trains: list[np.ndarray], n_out: int, seed: int):
    from forecastkit.forecasters._reduction_strategies import RegressorFactory, resolve_regressor
    from forecastkit.framing.supervised import make_windows

    p = _global_params(model)
    n_in = int(p["n_in"])
    steps = n_out if p["strategy"] == "multi_output" else 1
    xs, ys = [], []
    for z in trains:  # already scaled per series
        if len(z) >= n_in + steps:
            X, Y = make_windows(z[:, None], n_in, steps)
            X, Y = X[:, :, 0], Y[:, :, 0]
            if p["scaling"] == "window":
                level = _levels(X)
                X, Y = X / level, Y / level
            xs.append(X)
            ys.append(Y)
    if not xs:
        raise ConfigError(f"model {model.name!r}: no series has {n_in + steps} training rows for one window")
    est, multi = resolve_regressor(p["regressor"], p.get("regressor_params"), seed, None)
    reg = RegressorFactory(est, multi)(steps)
    Y = np.concatenate(ys)
    reg.fit(np.concatenate(xs), Y[:, 0] if steps == 1 else Y)
    return reg, n_in, steps


def _levels(X: np.ndarray) -> np.ndarray:
    """Window levels for ``scaling = "window"``: the mean of each window's inputs (1 where ~0)."""
    level = X.mean(axis=1, keepdims=True)
    return np.where(np.abs(level) > 1e-12, level, 1.0)


def _predict_pooled(reg, lasts: np.ndarray, n_in: int, steps: int, h: int, window: bool = False) -> np.ndarray:
    if window:
        level = _levels(lasts)
        return _predict_pooled(reg, lasts / level, n_in, steps, h) * level
    if steps == h:
        out = reg.predict(lasts)
        return out.reshape(len(lasts), h)
    window = lasts.copy()
    preds = []
    for _ in range(h):
        nxt = np.asarray(reg.predict(window)).reshape(-1)
        preds.append(nxt)
        window = np.column_stack([window[:, 1:], nxt])
    return np.column_stack(preds)


def _season(train: np.ndarray, m: int, deseasonalize: bool) -> np.ndarray:
    """Multiplicative seasonal indices of the training rows (ones: none removed)."""
    from forecastkit.forecasters.statistical.seasonal_adjust import is_seasonal, seasonal_indices

    if deseasonalize and m > 1 and np.all(train > 0) and is_seasonal(train, m):
        return seasonal_indices(train, m)
    return np.ones(1)


def _pooled_forecasts(task: Task, p: dict, m: int, pairs: list[tuple[SeriesBlock, int]], steps: int):
    """One pooled regressor fitted on the rows of each block before its origin, and the
    ``steps``-step forecast of every block from its origin: ``[(block, origin, season, mean)]``."""
    members = []
    for b, origin in pairs:
        train = b.values[:origin]
        season = _season(train, m, p["deseasonalize"])
        adjusted = train / season[np.arange(origin) % len(season)]
        mu, sd = _scale(adjusted) if p["scaling"] == "series" else (0.0, 1.0)
        members.append((b, origin, mu, sd, season, (adjusted - mu) / sd))
    trains = [z for *_, z in members]
    reg, n_in, n_steps = _fit_pooled(task.model, trains, steps, task.seed)
    lasts = np.array([z[-n_in:] for z in trains])
    pred = _predict_pooled(reg, lasts, n_in, n_steps, steps, p["scaling"] == "window")
    return [(b, o, season, (row * sd + mu) * season[(o + np.arange(steps)) % len(season)])
            for (b, o, mu, sd, season, _), row in zip(members, pred)]


def run_global(task: Task) -> ChunkResult:
    """One pooled regressor per fold over every series of the task (all series: one chunk);
    conformal intervals pooled across series (:mod:`~forecastkit.backtest.panel_conformal`)."""
    from threadpoolctl import threadpool_limits

    from forecastkit.backtest.panel_conformal import pooled_intervals

    start = _time.perf_counter()
    need = min_train(task.model)
    p = _global_params(task.model)
    m = int(task.model.params.get("season_length", task.season_length))
    h = task.plan.horizon
    plans = {b.sid: series_origins(b.times, task.plan, need, task.cutoffs) for b in task.blocks}
    folds = sorted({k for v in plans.values() for k, _ in v})
    parts, times_of, fparts, ftimes, failures, fitted = [], [], [], [], [], {}
    with threadpool_limits(limits=1, user_api="blas"):
        for fold in folds + [FUTURE]:
            steps = h if fold != FUTURE else task.future_h
            if steps < 1 or not task.wants(fold):
                continue
            pairs = []
            for b in task.blocks:
                origin = len(b.values) if fold == FUTURE else dict(plans[b.sid]).get(fold)
                if origin is not None and origin >= need:
                    pairs.append((b, origin))
            if not pairs:
                continue
            out = _pooled_forecasts(task, p, m, pairs, steps)
            means = [_clip_nonnegative(b.values[:o], mean)[0] for b, o, _, mean in out]
            nan = [np.full(steps, np.nan)] * len(out)
            lower, upper, note = nan, nan, "no intervals"
            if task.intervals == "conformal":
                def forecast_at(sub, k, pairs=pairs):
                    try:
                        out = _pooled_forecasts(task, p, m, [(pairs[i][0], c) for i, c in sub], k)
                    except ConfigError:  # no series has a training window before these origins
                        return None
                    return [mean for *_, mean in out]

                lower, upper, note = pooled_intervals(forecast_at, [b.values for b, _ in pairs],
                                                      [o for _, o in pairs], means, need, task.level, m)
            for (b, o, season, _), mean, lo, hi in zip(out, means, lower, upper):
                if fold == FUTURE:
                    fparts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, lo, hi, nan[0]))
                    ftimes.append(_future_times(b.times, o, steps, task.freq))
                    fitted[b.sid] = json.dumps({"pooling": "global", "scaled_on_rows": int(o),
                                                "seasonal": bool(np.ptp(season) > 0), "intervals": note})
                else:
                    parts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, lo, hi,
                                       b.values[o: o + steps]))
                    times_of.append(_future_times(b.times, o, steps, task.freq))
    return ChunkResult(_frame(parts, times_of), _frame(fparts, ftimes), failures, fitted,
                       _time.perf_counter() - start)


def run_task(task: Task) -> ChunkResult:
    """The worker entry point (joblib and Dask call this)."""
    return run_global(task) if task.model.pooling == "global" else run_local(task)
