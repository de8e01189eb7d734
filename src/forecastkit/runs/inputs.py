"""The inputs of a run: the loaded :class:`Dataset`, the models built from the config
(with the run's :class:`ModelContext`), and the fold plan of every evaluation.

How horizon, seed and season length reach a model
--------------------------------------------------
:func:`build_model` is the one place. It receives a :class:`ModelContext` and fills
the constructor parameters the config left unset:

- ``horizon``: only for a class tagged ``fixed_horizon`` (it trains for a given
  number of steps), set to the horizon of the task at hand, so training happens in
  ``fit`` and is timed as fitting;
- the run's ``seed``: into the parameter the class names in ``seed_param``;
- ``future_known``: the config's future-known covariates, for a model tagged
  ``future_covariates`` whose config allows covariates.

The season length of the context is the one the run scores with (MASE); models get
their own ``season_length`` from the config.

Member tables (``members`` of an ensemble, ``candidates`` of ``auto``: the class's
``member_params``) are validated like a ``[[models]]`` entry (registered type, known
parameters) and filled by the same rules, recursively. Every model is then wrapped
in :class:`~forecastkit.forecasters.conformal.ConformalForecaster`: split-conformal
intervals per horizon step from its training rows (``[forecast] intervals =
"native"`` keeps the model's own) and clipping at 0 for non-negative targets
(``[data] nonnegative``; unset: when the training rows are >= 0).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from forecastkit.config.schema import HoldoutConfig, ModelConfig, RollingConfig, RunConfig
from forecastkit.errors import ConfigError, ForecastkitError

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


@dataclass(frozen=True)
class ModelContext:
    """What the run hands to every model it builds (see the module notes).

    Attributes
    ----------
    seed : int or None
        The run's seed (``seed`` in the config).
    season_length : int
        The run's seasonal period (``[data] season_length`` or the frequency's).
    horizon : int or None
        Steps of the task the model is built for; None when only its parameters are
        checked.
    future_known : list of str
        The config's future-known covariate columns (one-hot expanded).
    """

    seed: int | None
    season_length: int
    horizon: int | None = None
    future_known: list[str] = field(default_factory=list)
    #: how intervals are made ("conformal" or "native"; None: the bare model, unwrapped,
    #: for parameter checks) and the calibration windows
    intervals: str | None = None
    calibration_windows: int | None = None
    calibration_score: str = "scaled"
    #: clip at 0: True, False, or None = when the training rows are >= 0
    nonnegative: bool | None = None

    def for_horizon(self, horizon: int | None) -> "ModelContext":
        """The same context for a task of ``horizon`` steps."""
        return replace(self, horizon=horizon)


def season_length_for(freq: Any) -> int:
    """A sensible default seasonal period for a pandas frequency (1 if unknown)."""
    name = getattr(freq, "rule_code", None) or str(freq)
    prefix = "".join(ch for ch in name.split("-")[0] if ch.isalpha())
    return _SEASON_BY_FREQ.get(prefix, 1)


def _interval_method(intervals, nonnegative: bool | None) -> str | None:
    """How run models make intervals: ``intervals = false`` gives the bare model (no
    calibration work), wrapped only to clip at 0 when ``[data] nonnegative = true``."""
    if intervals is False:
        return "native" if nonnegative is True else None
    return "native" if intervals == "native" else "conformal"


def run_context(cfg: RunConfig, data: Dataset) -> ModelContext:
    """The :class:`ModelContext` of a run (no horizon yet)."""
    season = cfg.data.season_length or season_length_for(data.frame.index.freq)
    fc = cfg.forecast
    return ModelContext(
        seed=cfg.seed, season_length=season, future_known=list(data.future),
        intervals=_interval_method(fc.intervals, cfg.data.nonnegative),
        calibration_windows=fc.calibration_windows, calibration_score=fc.calibration_score,
        nonnegative=cfg.data.nonnegative,
    )


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
        date_format=d.date_format,
        dayfirst=d.dayfirst,
        decimal=d.decimal,
        thousands=d.thousands,
        timezone=d.timezone,
    )
    for t in targets:
        values = frame[t].to_numpy()
        if len(values) and (values == values[0]).all():
            warnings.warn(
                f"target {t!r} is constant ({values[0]:g}): forecasts are trivial and MASE/skill are undefined",
                stacklevel=2,
            )
    # One-hot encoding renames a categorical column into several indicator columns.
    past = expand_onehot(frame.columns, d.past_covariates)
    future = expand_onehot(frame.columns, d.future_covariates)
    return Dataset(frame=frame, targets=targets, past=past, future=future)


def expand_onehot(columns: Any, wanted: list[str]) -> list[str]:
    """The columns of ``columns`` that stand for the ``wanted`` names: the name itself,
    or the ``name_<level>`` indicator columns one-hot encoding made of it."""
    names = [str(c) for c in columns]
    out: list[str] = []
    for w in wanted:
        if w in names:
            out.append(w)
        else:
            out.extend(c for c in names if c.startswith(f"{w}_"))
    return out


def build_model(model: ModelConfig, context: ModelContext):
    """Instantiate a configured model, filling what the run supplies from ``context``
    (see the module notes for the rules), wrapped for calibrated intervals."""
    from forecastkit.forecasters.registry import make_forecaster

    params = _filled_params(model, context, covariates=True)
    try:
        if model.type == "conformal" or context.intervals is None:
            return make_forecaster(model.type, **params)
        return make_forecaster(
            "conformal", model={"type": model.type, **params}, method=context.intervals,
            horizon=context.horizon, windows=context.calibration_windows, score=context.calibration_score,
            nonnegative="auto" if context.nonnegative is None else bool(context.nonnegative),
        )
    except ForecastkitError as err:  # a bad parameter: say which [[models]] entry has it
        raise type(err)(f"model {model.name!r}: {err}") from None


def _filled_params(model: ModelConfig, context: ModelContext, covariates: bool) -> dict[str, Any]:
    """The model's parameters with horizon, seed, future-known columns and member
    tables filled from ``context``."""
    from forecastkit.forecasters.registry import get_entry

    params = dict(model.params)
    cls = get_entry(model.type).load()
    tags = cls.tags()
    if tags["fixed_horizon"] and context.horizon is not None and params.get("horizon") is None:
        params["horizon"] = context.horizon
    if cls.seed_param is not None and cls.seed_param not in params:
        params[cls.seed_param] = context.seed
    if covariates and model.covariates and context.future_known and tags["future_covariates"]:
        params.setdefault("future_known", list(context.future_known))
    if tags["neural"]:
        # identical results whether or not the run was interrupted and resumed
        from forecastkit.forecasters.neural.training import seed_model

        params.setdefault("deterministic", True)
        seed_model(context.seed, model.name)
    for key in getattr(cls, "member_params", ()):
        value = params.get(key)
        if isinstance(value, dict):
            params[key] = _member(value, model, key, None, context)
        elif isinstance(value, (list, tuple)):
            params[key] = [_member(spec, model, key, i, context) for i, spec in enumerate(value)]
    return params


def _member(spec: Any, model: ModelConfig, key: str, i: int | None, context: ModelContext) -> Any:
    """A member table validated like a ``[[models]]`` entry and filled from ``context``."""
    from pydantic import ValidationError

    where = f"model {model.name!r}: {key}" + ("" if i is None else f"[{i}]")
    if not isinstance(spec, dict) or "type" not in spec:
        raise ConfigError(f"{where} must be a table with a 'type' key, got {spec!r}")
    label = spec.get("name") or f"{model.name}.{key}" + ("" if i is None else f"[{i}]")
    body = {k: v for k, v in spec.items() if k not in ("name", "covariates")}
    try:
        member = ModelConfig(name=str(label), covariates=False, **body)
    except ValidationError as err:
        raise ConfigError(f"{where}: {err.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    filled = _filled_params(member, context, covariates=False)
    return {**({"name": spec["name"]} if "name" in spec else {}), "type": member.type, **filled}


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
    context = run_context(cfg, data)
    min_train = max((_min_train(m, context) for m in chosen), default=1)
    return [(ev, make_folds(ev, data.frame.index, min_train)) for ev in cfg.evaluations]


def _min_train(model: ModelConfig, context: ModelContext) -> int:
    forecaster = build_model(model, context)
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


def future_horizon(cfg: RunConfig) -> int:
    """Steps forecast past the end: ``[forecast] horizon``, else the longest evaluation's."""
    return cfg.forecast.horizon or max(ev.horizon for ev in cfg.evaluations)


def fit_on_all(model: ModelConfig, context: ModelContext, data: Dataset):
    """Build a configured model for ``context.horizon`` and fit it on all the data
    (for forecasts past the end)."""
    forecaster = build_model(model, context)
    forecaster.fit(data.y, data.X(model_columns(forecaster, model, data)))
    return forecaster
