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

Strategies (``strategy``): ``"multi_output"`` (default), ``"recursive"`` and ``"direct"``
(:mod:`forecastkit.backtest.panel_pooled`). Inputs beside the target lags, unless the
model sets ``covariates = false``: the panel's past covariates (their last
``past_covariates_lags`` values up to the origin, standardised per series on its
training rows), its future-known covariates (at the target times, standardised the
same way) and its static features (numbers standardised across series, text one-hot).
``series_id_feature = "onehot"`` (or ``true``) / ``"ordinal"`` adds the series id.
Keras networks (:mod:`forecastkit.backtest.panel_neural`) pool the same way.
"""

from __future__ import annotations

import json
import time as _time
from typing import Any

import numpy as np

from forecastkit.backtest.panel_folds import series_origins
from forecastkit.backtest.panel_neural import NEURAL_KEYS, KerasFactory, is_neural_type, neural_settings
from forecastkit.backtest.panel_pooled import Member, PooledReduction
from forecastkit.backtest.panel_records import FUTURE, ChunkResult, PanelModel, SeriesBlock, Task
from forecastkit.backtest.panel_records import _clip_nonnegative, _frame, _future_times, _rows
from forecastkit.errors import ConfigError, DataError, ForecastkitError


def is_global_type(type_name: str) -> bool:
    """Whether a registry type can be pooled across series (the reduction types and the
    Keras lstm, gru, dense and cnn1d networks)."""
    from forecastkit.forecasters.registry import get_entry

    return get_entry(type_name).target.endswith(":ReductionForecaster") or is_neural_type(type_name)


_GLOBAL_KEYS = {"regressor", "regressor_params", "n_in", "strategy", "scaling", "deseasonalize",
                "past_covariates_lags", "series_id_feature"}
#: parameters that only pooled models take (beside the reduction type's own)
GLOBAL_ONLY = ("scaling", "deseasonalize", "series_id_feature")
_CHOICES = {
    "strategy": ("multi_output", "recursive", "direct"),
    "scaling": ("series", "window"),
    "deseasonalize": (True, False),
    "series_id_feature": (False, True, "onehot", "ordinal"),
}


def check_global_values(name: str, params: dict[str, Any]) -> None:
    """One ConfigError line for a global-only or strategy value outside its choices."""
    for key, choices in _CHOICES.items():
        value = params.get(key)
        if key in params and not any(value is c if isinstance(c, bool) else value == c for c in choices):
            raise ConfigError(f"model {name!r}: {key} must be one of {list(choices)}, got {value!r}")


def _global_params(model: PanelModel) -> dict[str, Any]:
    from forecastkit.forecasters.registry import get_entry

    params = {**get_entry(model.type).defaults, **model.params}
    neural = is_neural_type(model.type)
    supported = (NEURAL_KEYS | set(GLOBAL_ONLY)) if neural else _GLOBAL_KEYS
    unsupported = sorted(set(params) - supported)
    if unsupported:
        raise ConfigError(
            f"model {model.name!r}: pooling = \"global\" supports {sorted(supported)}, not {unsupported}; "
            'use pooling = "local" for those'
        )
    check_global_values(model.name, params)
    params.setdefault("n_in", 12)
    params.setdefault("strategy", "multi_output")
    params.setdefault("scaling", "series")
    params.setdefault("deseasonalize", False)
    params.setdefault("series_id_feature", False)
    params["n_past"] = int(params.get("past_covariates_lags") or params["n_in"])
    params["neural"] = neural_settings(model.name, model.type, params) if neural else None
    return params


def global_min_train(model: PanelModel) -> int:
    """Rows before an origin a pooled model needs (one input window)."""
    p = _global_params(model)
    return max(int(p["n_in"]), p["n_past"] if model.covariates else 0)


def _scale(train: np.ndarray) -> tuple[float, float]:
    mu = float(np.mean(train))
    sd = float(np.std(train))
    return mu, (sd if sd > 0 else 1.0)


def _season(train: np.ndarray, m: int, deseasonalize: bool) -> np.ndarray:
    """Multiplicative seasonal indices of the training rows (ones: none removed)."""
    from forecastkit.forecasters.statistical.seasonal_adjust import is_seasonal, seasonal_indices

    if deseasonalize and m > 1 and np.all(train > 0) and is_seasonal(train, m):
        return seasonal_indices(train, m)
    return np.ones(1)


def static_inputs(blocks, id_feature: Any, features: bool = True) -> tuple[np.ndarray, list[str]]:
    """(n_series, q) static inputs of the blocks and their names: numeric static features
    standardised across the series, text ones one-hot (``features = False``: none), then
    the series id if asked for. Statics do not change over time, so the whole panel may
    define the encoding."""
    cols, names = [], []
    for j, name in enumerate(n for n, _ in (blocks[0].static if blocks and features else ())):
        raw = [b.static[j][1] for b in blocks]
        if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in raw):
            x = np.asarray(raw, float)
            mu, sd = _scale(x)
            cols.append(((x - mu) / sd)[:, None])
            names.append(name)
        else:
            cats = sorted({str(v) for v in raw})
            cols.append(np.array([[str(v) == c for c in cats] for v in raw], float))
            names += [f"{name}={c}" for c in cats]
    if id_feature in (True, "onehot"):
        cols.append(np.eye(len(blocks)))
        names += [f"series_id={b.sid}" for b in blocks]
    elif id_feature == "ordinal":
        cols.append(np.arange(len(blocks), dtype=float)[:, None])
        names.append("series_id")
    return (np.hstack(cols) if cols else np.empty((len(blocks), 0))), names


def _covariates(block, origin: int, steps: int, use: bool) -> tuple[np.ndarray, np.ndarray]:
    """(P, F) of a series at an origin, standardised with its training rows' statistics:
    P over the rows before the origin, F over those rows and the ``steps`` after."""
    from forecastkit.forecasters.preprocessing import ColumnScaler

    P = block.past[:origin] if use and block.past is not None else np.empty((origin, 0))
    F = block.known[:origin + steps] if use and block.known is not None else np.empty((origin + steps, 0))
    if P.shape[1]:
        P = ColumnScaler("standard").fit(P).transform(P)
    if F.shape[1]:
        F = ColumnScaler("standard").fit(F[:origin]).transform(F)
    return P, F


def _known_ahead(block, origin: int, steps: int, use: bool) -> bool:
    """Whether the future-known covariates of ``block`` cover ``steps`` after ``origin``."""
    return not use or block.known is None or len(block.known) >= origin + steps


def pooled_forecasts(task: Task, p: dict, m: int, pairs: list[tuple[SeriesBlock, int]], steps: int):
    """One pooled model fitted on the rows of each block before its origin, and the
    ``steps``-step forecast of every block from its origin: ``[(block, origin, season, mean)]``
    (mean in the series' units). ConfigError when no series has one training window."""
    from forecastkit.forecasters._reduction_strategies import RegressorFactory, resolve_regressor

    use = task.model.covariates
    statics = dict(zip((b.sid for b in task.blocks), _statics(task)[0]))
    rows = []
    for b, origin in pairs:
        train = b.values[:origin]
        season = _season(train, m, p["deseasonalize"])
        adjusted = train / season[np.arange(origin) % len(season)]
        mu, sd = _scale(adjusted) if p["scaling"] == "series" else (0.0, 1.0)
        member = Member((adjusted - mu) / sd, *_covariates(b, origin, steps, use), statics[b.sid])
        rows.append((b, origin, mu, sd, season, member))
    members = [mb for *_, mb in rows]
    if p["neural"] is not None:
        first = members[0]
        factory = KerasFactory(p["neural"], p["strategy"], int(p["n_in"]), first.P.shape[1], first.F.shape[1],
                               len(first.s), int(p.get("seed", task.seed)))
    else:
        factory = RegressorFactory(*resolve_regressor(p["regressor"], p.get("regressor_params"), task.seed, None))
    pooled = PooledReduction(p["strategy"], factory, int(p["n_in"]), p["n_past"], p["scaling"] == "window")
    try:
        pooled.fit(members, steps)
    except DataError as err:  # no series long enough for one window
        raise ConfigError(f"model {task.model.name!r}: {err}") from None
    pred = pooled.predict(members, steps)
    return [(b, o, season, (row * sd + mu) * season[(o + np.arange(steps)) % len(season)])
            for (b, o, mu, sd, season, _), row in zip(rows, pred)]


def _statics(task: Task) -> tuple[np.ndarray, list[str]]:
    """The static inputs of the task's model over its blocks (``covariates = false``: the
    series id alone, if the model asks for it)."""
    return static_inputs(task.blocks, _global_params(task.model)["series_id_feature"], task.model.covariates)


#: calibration refits of a pooled network (each is a training run)
NEURAL_WINDOWS = 2


def _intervals(task: Task, p: dict, m: int, need: int, pairs: list[tuple[SeriesBlock, int]], means: list):
    """Conformal bounds pooled across the series (:mod:`~forecastkit.backtest.panel_conformal`):
    the pooled model refitted before calibration origins inside each series' training rows."""
    steps = len(means[0])
    if task.intervals != "conformal":  # "native": a pooled regressor has no intervals of its own
        nan = [np.full(steps, np.nan)] * len(means)
        return nan, nan, "no intervals" if task.intervals is None else "native: none (a pooled regressor)"
    from forecastkit.backtest.panel_conformal import POOLED_MAX_WINDOWS, pooled_intervals

    def forecast_at(sub, k):
        try:
            return [mean for *_, mean in pooled_forecasts(task, p, m, [(pairs[i][0], c) for i, c in sub], k)]
        except (ForecastkitError, np.linalg.LinAlgError):  # e.g. no training window before these origins
            return None

    return pooled_intervals(forecast_at, [b.values for b, _ in pairs], [o for _, o in pairs], means, need,
                            task.level, m, max_windows=NEURAL_WINDOWS if p["neural"] is not None else POOLED_MAX_WINDOWS)


def run_global(task: Task) -> ChunkResult:
    """One pooled model per fold over every series of the task (all series: one chunk)."""
    from threadpoolctl import threadpool_limits

    start = _time.perf_counter()
    p = _global_params(task.model)
    need = global_min_train(task.model)
    use = task.model.covariates
    m = int(task.model.params.get("season_length", task.season_length))
    h = task.plan.horizon
    plans = {b.sid: series_origins(b.times, task.plan, need, task.cutoffs) for b in task.blocks}
    folds = sorted({k for v in plans.values() for k, _ in v})
    parts, times_of, fparts, ftimes, failures, fitted = [], [], [], [], [], {}
    blk = task.blocks[0] if task.blocks else None
    info = {"pooling": "global", "strategy": p["strategy"], "scaling": p["scaling"],
            "past_covariates": bool(use and blk is not None and blk.past is not None),
            "future_covariates": bool(use and blk is not None and blk.known is not None),
            "static_inputs": len(_statics(task)[1])}
    with threadpool_limits(limits=1, user_api="blas"):
        for fold in folds + [FUTURE]:
            steps = h if fold != FUTURE else task.future_h
            if steps < 1 or not task.wants(fold):
                continue
            pairs = []
            for b in task.blocks:
                origin = len(b.values) if fold == FUTURE else dict(plans[b.sid]).get(fold)
                if origin is None or origin < need:
                    continue
                if not _known_ahead(b, origin, steps, use):
                    failures.append(f"{task.model.name} on series {b.sid!r} (fold {fold}): no future-known "
                                    f"covariate values for the {steps} steps after {b.times[origin - 1]}")
                    continue
                pairs.append((b, origin))
            if not pairs:
                continue
            try:
                out = pooled_forecasts(task, p, m, pairs, steps)
            except (ForecastkitError, np.linalg.LinAlgError) as err:
                failures.append(f"{task.model.name} on all series (fold {fold}): {err}")
                continue
            nan = np.full(steps, np.nan)
            means = [_clip_nonnegative(b.values[:o], mean)[0] for b, o, _, mean in out]
            lower, upper, note = _intervals(task, p, m, need, [(b, o) for b, o, _, _ in out], means)
            for (b, o, season, _), mean, lo, hi in zip(out, means, lower, upper):
                if fold == FUTURE:
                    fparts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, lo, hi, nan))
                    ftimes.append(_future_times(b.times, o, steps, task.freq))
                    fitted[b.sid] = json.dumps({**info, "scaled_on_rows": int(o), "seasonal": bool(np.ptp(season) > 0),
                                                "intervals": note})
                else:
                    parts.append(_rows(task.model.name, b.sid, fold, b.times, o, mean, lo, hi,
                                       b.values[o: o + steps]))
                    times_of.append(_future_times(b.times, o, steps, task.freq))
    return ChunkResult(_frame(parts, times_of), _frame(fparts, ftimes), failures, fitted,
                       _time.perf_counter() - start)
