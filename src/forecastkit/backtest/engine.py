"""Run one forecaster through a fold plan and collect its forecasts, timings and
leakage audit.

Leakage rules enforced here (and checked by the audit):

- the forecaster is fitted (or updated) only on rows before the origin;
- covariates passed to ``predict`` are the *future-known* columns over the forecast
  rows; past covariates are never passed beyond the origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from forecastkit._io import json_safe
from forecastkit.backtest.results import FORECAST_COLUMNS, FoldAudit, FoldRecord, ModelRun, empty_forecasts
from forecastkit.backtest.splits import Fold
from forecastkit.errors import DataError
from forecastkit.safety.signals import raise_pending


def _point(value: Any, index: pd.Index) -> Any:
    """Parse an audit timestamp string back into something comparable with ``index``."""
    if value is None:
        return None
    try:
        if isinstance(index, pd.DatetimeIndex):
            ts = pd.Timestamp(value)
            if index.tz is not None and ts.tz is None:
                ts = ts.tz_localize(index.tz)
            return ts
        return float(value)
    except (TypeError, ValueError):
        return None


def leak_free(audit: FoldAudit, index: pd.Index) -> bool:
    """True when the fit span and every transform's fit span end before the test start.

    An audit entry that cannot be read (a missing or unparsable end) counts as a
    leak: the audit must prove honesty, not assume it.
    """
    start = _point(audit.test_start, index)
    ends = [audit.fit_end, audit.params_fit_end]
    ends += [t.get("fit_end") if isinstance(t, dict) else None for t in (audit.transforms or {}).values()]
    for end in ends:
        point = _point(end, index)
        if point is None or start is None or not point < start:
            return False
    return True


def _slice_X(X: pd.DataFrame | None, start: int, stop: int) -> pd.DataFrame | None:
    if X is None or X.shape[1] == 0:
        return None
    return X.iloc[start:stop]


def _extract(pred: pd.DataFrame, targets: list[str], h: int, with_interval: bool) -> dict[str, tuple]:
    if len(pred) != h:
        raise DataError(f"the forecaster returned {len(pred)} rows for a horizon of {h}")
    out = {}
    for t in targets:
        if t not in pred.columns:
            raise DataError(f"the forecast has no column {t!r}; it has {list(pred.columns)}")
        mean = pred[t].to_numpy(dtype=float)
        if with_interval:
            lower = pred[f"{t}_lower"].to_numpy(dtype=float)
            upper = pred[f"{t}_upper"].to_numpy(dtype=float)
        else:
            lower = upper = np.full(h, np.nan)
        out[t] = (mean, lower, upper)
    return out


def run_backtest(
    forecaster: Any,
    y: pd.DataFrame,
    X: pd.DataFrame | None,
    folds: list[Fold],
    *,
    level: float | None = 0.95,
    name: str = "model",
    type_name: str = "",
    evaluation: str = "rolling",
    on_fold: Callable[[Fold], Any] | None = None,
    done: dict[int, FoldRecord] | None = None,
    on_result: Callable[[int, FoldRecord], Any] | None = None,
) -> ModelRun:
    """Backtest ``forecaster`` over ``folds``.

    Parameters
    ----------
    forecaster : Forecaster
        An unfitted template; each refit fits a ``clone()`` of it. A forecaster with a
        ``warm_start(previous)`` method (``arima``, ``auto_arima``) gets the previous
        refit's fitted model first: start values (and a search's starting model) only.
    y : DataFrame
        The targets over the whole series (one column per target).
    X : DataFrame or None
        Covariates aligned with ``y`` (every column the forecaster should see).
    folds : list of Fold
        The plan from :func:`holdout_folds` or :func:`rolling_folds`.
    level : float or None
        Prediction-interval level; None (or a forecaster without intervals) gives
        point forecasts only.
    name, type_name, evaluation : str
        Labels stored in the result and in every forecast row.
    on_fold : callable, optional
        Called with each finished :class:`Fold` (progress bars).
    done : dict, optional
        Results of folds finished by an interrupted run (fold number -> the
        :class:`FoldRecord` ``on_result`` received): they are reused, not recomputed. A later fold that
        only updates the history refits the last refit's rows first, which gives the
        same parameters, so resumed results equal uninterrupted ones.
    on_result : callable, optional
        ``on_result(fold_number, record)`` after each computed fold, to store it.

    Returns
    -------
    ModelRun
        With ``error`` set (and no forecasts) if the forecaster raised.
    """
    targets = [str(c) for c in y.columns]
    index = y.index
    with_interval = bool(level) and bool(forecaster.tags().get("intervals", False))
    rows: list[pd.DataFrame] = []
    audit: list[FoldAudit] = []
    info: list[dict] = []
    fit_seconds = predict_seconds = 0.0
    model = None
    done = done or {}
    try:
        for fold in folds:
            raise_pending()  # a Ctrl-C lost where Python could only print it stops here
            if fold.fold in done:
                record = done[fold.fold]
                rows.append(record.rows)
                audit.append(record.audit)
                info.append(record.info)
                fit_seconds += record.fit_seconds
                predict_seconds += record.predict_seconds
                model = None  # the chain is broken: the next computed fold refits
                if on_fold is not None:
                    on_fold(fold)
                continue
            h, origin = fold.horizon, fold.origin
            if origin + h > len(y) or fold.hist_start < 0 or fold.fit_end > origin:
                raise DataError(
                    f"fold {fold.fold} (fit rows {fold.fit_start}..{fold.fit_end}, origin {origin}, "
                    f"horizon {h}) does not fit the {len(y)} rows of the data"
                )
            t0 = time.perf_counter()
            if fold.refit or model is None:
                previous, model = model, forecaster.clone()
                if previous is not None and hasattr(model, "warm_start"):
                    # start values (and a search's starting model) from the last fold's fit
                    model.warm_start(previous)
                model.fit(y.iloc[fold.fit_start:fold.fit_end], _slice_X(X, fold.fit_start, fold.fit_end))
                if (fold.fit_start, fold.fit_end) != (fold.hist_start, origin):
                    model.update(y.iloc[fold.hist_start:origin], _slice_X(X, fold.hist_start, origin))
            else:
                model.update(y.iloc[fold.hist_start:origin], _slice_X(X, fold.hist_start, origin))
            t1 = time.perf_counter()
            fk = model.future_known_columns()
            X_future = X.iloc[origin:origin + h][fk] if (fk and X is not None) else None
            if with_interval:
                pred = model.predict_interval(h, X_future, level=float(level))
            else:
                pred = model.predict(h, X_future)
            t2 = time.perf_counter()
            fit_seconds += t1 - t0
            predict_seconds += t2 - t1

            parts = _extract(pred, targets, h, with_interval)
            stamps = index[origin:origin + h]
            fold_rows = []
            for t, (mean, lower, upper) in parts.items():
                fold_rows.append(pd.DataFrame({
                    "model": name, "target": t, "evaluation": evaluation, "fold": fold.fold,
                    "origin": [index[origin - 1]] * h, "timestamp": stamps, "step": np.arange(1, h + 1),
                    "actual": y[t].to_numpy(dtype=float)[origin:origin + h],
                    "forecast": mean, "lower": lower, "upper": upper,
                }))
            rows.extend(fold_rows)

            seen = model.fit_audit()
            entry = FoldAudit(
                model=name, evaluation=evaluation, fold=fold.fold, refit=fold.refit,
                fit_start=seen["fit_start"], fit_end=seen["fit_end"], n_obs=int(seen["n_obs"]),
                transforms=json_safe(seen["transforms"]),
                params_fit_start=str(index[fold.fit_start]), params_fit_end=str(index[fold.fit_end - 1]),
                history_start=str(index[fold.hist_start]), history_end=str(index[origin - 1]),
                test_start=str(index[origin]), test_end=str(index[origin + h - 1]),
            )
            entry.leak_free = leak_free(entry, index)
            audit.append(entry)
            info.append({"fold": fold.fold, **json_safe(model.fitted_info())})
            if on_result is not None:
                on_result(fold.fold, FoldRecord(
                    rows=pd.concat(fold_rows, ignore_index=True), audit=entry, info=info[-1],
                    fit_seconds=t1 - t0, predict_seconds=t2 - t1,
                ))
            if on_fold is not None:
                on_fold(fold)
    except Exception as exc:  # a failing model is reported, not fatal to the run
        return ModelRun(
            name=name, type=type_name, evaluation=evaluation, forecasts=empty_forecasts(),
            audit=[], info=[], fit_seconds=fit_seconds, predict_seconds=predict_seconds,
            error=f"{type(exc).__name__}: {exc}", folds=list(folds),
        )
    forecasts = pd.concat(rows, ignore_index=True)[FORECAST_COLUMNS] if rows else empty_forecasts()
    return ModelRun(
        name=name, type=type_name, evaluation=evaluation, forecasts=forecasts, audit=audit,
        info=info, fit_seconds=fit_seconds, predict_seconds=predict_seconds, folds=list(folds),
    )
