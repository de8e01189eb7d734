"""Forecasts past the end of the data: tidy tables with dates and intervals, future
covariates checked for coverage, one configured model, or a saved model on new data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecastkit.config.schema import RunConfig
from forecastkit.errors import ConfigError, DataError

if TYPE_CHECKING:
    from forecastkit.runs.inputs import Dataset


def data_spec(cfg: RunConfig) -> dict:
    """How the data was loaded, so a saved model can load new data the same way."""
    d = cfg.data
    return {
        "time": d.time, "targets": d.target_list, "past_covariates": d.past_covariates,
        "future_covariates": d.future_covariates, "onehot": d.onehot, "fill": d.fill,
        "resample": d.resample, "agg": d.agg,
    }


def tidy_future(forecaster, name: str, horizon: int, level: float | None, X: pd.DataFrame | None) -> pd.DataFrame:
    """Forecast ``horizon`` steps with intervals when available, as a tidy frame."""
    with_interval = bool(level) and forecaster.tags().get("intervals")
    pred = forecaster.predict_interval(horizon, X, level=level) if with_interval else forecaster.predict(horizon, X)
    rows = []
    for t in forecaster.targets_:
        rows.append(pd.DataFrame({
            "model": name,
            "target": t,
            "timestamp": pred.index,
            "step": np.arange(1, horizon + 1),
            "forecast": pred[t].to_numpy(),
            "lower": pred[f"{t}_lower"].to_numpy() if with_interval else np.nan,
            "upper": pred[f"{t}_upper"].to_numpy() if with_interval else np.nan,
        }))
    return pd.concat(rows, ignore_index=True)


def future_covariates(cfg: RunConfig, data: "Dataset", horizon: int) -> pd.DataFrame | None:
    """Future values of user future-known covariates (``[forecast] covariates_path``),
    checked to cover every step of the horizon."""
    if not data.future:
        return None
    if cfg.forecast.covariates_path is None:
        raise ConfigError(
            f"future-known covariates {data.future} need their future values: set "
            "[forecast] covariates_path to a CSV with the time column and these columns"
        )
    from forecastkit.data.loader import load_data

    index = data.frame.index
    path = cfg.forecast.covariates_path
    X = load_data(path, time=cfg.data.time, targets=[], features=data.future, freq=index.freqstr)
    check_covers(X, data.future, future_steps(index, horizon), path)
    return X


def future_steps(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` timestamps after the end of ``index``."""
    return pd.date_range(index[-1], periods=horizon + 1, freq=index.freq)[1:]


def check_covers(X: pd.DataFrame, columns: list[str], steps: pd.Index, source: str) -> None:
    """Every future-known column must have a value at every forecast step."""
    for c in columns:
        missing = steps.difference(X[c].dropna().index)
        if len(missing):
            raise DataError(
                f"{source}: future-known covariate {c!r} is {len(missing)} step(s) short of the "
                f"{len(steps)}-step horizon: first missing step {missing[0]}; extend the file to {steps[-1]}"
            )


def forecast_one(cfg: RunConfig, model_name: str, horizon: int | None = None, level: float | None = None) -> pd.DataFrame:
    """Fit one configured model on all the data and forecast past the end (tidy frame)."""
    names = [m.name for m in cfg.models]
    if model_name not in names:
        raise ConfigError(f"unknown model {model_name!r}; the config has: {', '.join(names)}")
    from forecastkit.runs.inputs import fit_on_all, future_horizon, load_run_data, run_context

    model = cfg.models[names.index(model_name)]
    data = load_run_data(cfg)
    h = horizon or future_horizon(cfg)
    lvl = cfg.forecast.interval_level if level is None else level
    forecaster = fit_on_all(model, run_context(cfg, data).for_horizon(h), data)
    Xf = future_covariates(cfg, data, h) if forecaster.future_known_columns() else None
    return tidy_future(forecaster, model.name, h, lvl, Xf)


def forecast_saved(
    model_dir: str | Path,
    data_path: str,
    horizon: int | None = None,
    level: float | None = 0.95,
    future_path: str | None = None,
) -> pd.DataFrame:
    """Forecast past the end of NEW data with a saved model, without refitting it.

    The new data is loaded the way the model's run loaded its data; its columns and
    frequency must match the model's.
    """
    from forecastkit.data.loader import load_data
    from forecastkit.forecasters.persistence import check_new_data, load_forecaster

    model, meta = load_forecaster(model_dir)
    spec = meta.get("data", {})
    features = list(dict.fromkeys(spec.get("past_covariates", []) + spec.get("future_covariates", [])))
    frame = load_data(
        data_path, time=spec.get("time"), targets=meta["targets"], features=features,
        onehot=spec.get("onehot") or False, fill=spec.get("fill"), resample=spec.get("resample"),
        agg=spec.get("agg", "mean"),
    )
    check_new_data(meta, frame)
    X = frame[meta["covariates"]] if meta["covariates"] else None
    model.update(frame[meta["targets"]], X)
    h = horizon or int(meta.get("params", {}).get("horizon") or 0) or None
    if h is None:
        raise DataError("give --horizon: the saved model has no default horizon")
    X_future = None
    if model.future_known_columns():
        if future_path is None:
            raise DataError(
                f"the model uses future-known covariates {model.future_known_columns()}; pass their "
                "future values with --future-covariates FILE"
            )
        X_future = load_data(future_path, time=spec.get("time"), targets=model.future_known_columns(), features=[])
    return tidy_future(model, meta["name"], h, level, X_future)


def best_model(cfg: RunConfig, run_dir: Path) -> tuple[str, str]:
    """The config's model that scored best in its last run (``run_dir/leaderboard.csv``):
    by the run's metric under the config's last evaluation (averaged over targets).

    Returns ``(model name, one sentence saying why)``.
    """
    board_path = Path(run_dir) / "leaderboard.csv"
    if not board_path.is_file():
        raise ConfigError(
            f"--model best needs a finished run of this config: {str(board_path)!r} does not exist; "
            "run `forecastkit run` first or give --model NAME"
        )
    board = pd.read_csv(board_path)
    evaluation = cfg.evaluations[-1].name or cfg.evaluations[-1].scheme
    names = [m.name for m in cfg.models]
    rows = board[(board["evaluation"] == evaluation) & board["model"].isin(names) & (board["n_forecasts"] > 0)]
    metric = cfg.metric
    if rows.empty or metric not in rows or rows[metric].isna().all():
        raise ConfigError(f"{str(board_path)!r} has no scored model of this config under evaluation {evaluation!r}")
    means = rows.groupby("model", sort=False)[metric].mean().dropna()
    best = str(means.idxmax() if metric == "skill" else means.idxmin())
    return best, f"best {metric} ({means[best]:.4g}) under evaluation {evaluation!r} in {board_path}"
