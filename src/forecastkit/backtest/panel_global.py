"""Global (pooled) panel models: one reduction regressor trained on the windows of every series.

``pooling = "global"`` (reduction types): one regressor per fold trained on the
windows of all series pooled; windows never span two series, and forecasts are put
back in each series' units. Scaling (``scaling``): ``"series"`` (default)
standardises each series with the mean and standard deviation of *its own training
rows* (before the fold origin); ``"window"`` divides each window by the mean of its
own input values (nothing after the window's origin is used). ``deseasonalize = true``
first divides each series by classical multiplicative seasonal indices fitted on its
training rows (only when the 90% autocorrelation test says seasonal, as for naive2),
and multiplies them back into the forecasts.
"""

from __future__ import annotations

import json
import time as _time
from typing import Any

import numpy as np

from forecastkit.backtest.panel_folds import series_origins
from forecastkit.backtest.panel_records import (
    FUTURE,
    ChunkResult,
    PanelModel,
    Task,
    _clip_nonnegative,
    _frame,
    _future_times,
    _rows,
)
from forecastkit.errors import ConfigError


def is_global_type(type_name: str) -> bool:
    """Whether a registry type can be pooled across series (the reduction types)."""
    from forecastkit.forecasters.registry import get_entry

    return get_entry(type_name).target.endswith(":ReductionForecaster")


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


def global_min_train(model: PanelModel) -> int:
    """Rows before an origin a pooled model needs (one input window)."""
    return int(_global_params(model)["n_in"])


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


def run_global(task: Task) -> ChunkResult:
    """One pooled regressor per fold over every series of the task (all series: one chunk)."""
    from threadpoolctl import threadpool_limits

    start = _time.perf_counter()
    p = _global_params(task.model)
    need = int(p["n_in"])
    m = int(task.model.params.get("season_length", task.season_length))
    h = task.plan.horizon
    plans = {b.sid: series_origins(b.times, task.plan, need, task.cutoffs) for b in task.blocks}
    folds = sorted({k for v in plans.values() for k, _ in v})
    parts, times_of, fparts, ftimes, failures = [], [], [], [], []
    with threadpool_limits(limits=1, user_api="blas"):
        for fold in folds + [FUTURE]:
            members, steps = [], (h if fold != FUTURE else task.future_h)
            if steps < 1:
                continue
            for b in task.blocks:
                origin = len(b.values) if fold == FUTURE else dict(plans[b.sid]).get(fold)
                if origin is None or origin < need:
                    continue
                train = b.values[:origin]
                season = _season(train, m, p["deseasonalize"])
                adjusted = train / season[np.arange(origin) % len(season)]
                mu, sd = _scale(adjusted) if p["scaling"] == "series" else (0.0, 1.0)
                members.append((b, origin, mu, sd, season, (adjusted - mu) / sd))
            if not members:
                continue
            trains = [z for *_, z in members]
            reg, n_in, n_steps = _fit_pooled(task.model, trains, steps, task.seed)
            lasts = np.array([z[-n_in:] for z in trains])
            pred = _predict_pooled(reg, lasts, n_in, n_steps, steps, p["scaling"] == "window")
            nan = np.full(steps, np.nan)
            for (b, o, mu, sd, season, _), row in zip(members, pred):
                (mean,) = _clip_nonnegative(b.values[:o], (row * sd + mu) * season[(o + np.arange(steps)) % len(season)])
                if fold == FUTURE:
                    fparts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, nan, nan, nan))
                    ftimes.append(_future_times(b.times, o, steps, task.freq))
                else:
                    parts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, nan, nan,
                                       b.values[o: o + steps]))
                    times_of.append(_future_times(b.times, o, steps, task.freq))
    fitted = {b.sid: json.dumps({"pooling": "global", "scaled_on_rows": int(o), "seasonal": bool(np.ptp(s) > 0)})
              for b, o, _, _, s, _ in members}
    return ChunkResult(_frame(parts, times_of), _frame(fparts, ftimes), failures, fitted,
                       _time.perf_counter() - start)
