"""TOML run configurations, validated with pydantic.

A config says where the data is, how to evaluate and which models to compare::

    [data]
    path = "airline-passengers"   # a CSV path or a shipped dataset name
    target = "Passengers"

    [evaluation]
    scheme = "rolling"            # or "holdout"; [[evaluation]] gives several
    horizon = 12
    folds = 4

    [[models]]
    name = "naive"
    type = "naive"                # registered type; its parameters go beside it

Every validation problem becomes one :class:`~forecastkit.errors.ConfigError` line
naming the key, the value and the valid choices.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator, model_validator

from forecastkit.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Strict):
    path: str
    target: str | None = None
    targets: list[str] | None = None
    time: str | list[str] | None = None
    past_covariates: list[str] = Field(default_factory=list)
    future_covariates: list[str] = Field(default_factory=list)
    onehot: list[str] = Field(default_factory=list)
    fill: Literal["interpolate", "ffill", "drop-leading"] | None = None
    resample: str | None = None
    agg: Literal["mean", "sum", "max", "min", "last", "median"] = "mean"
    season_length: int | None = Field(default=None, ge=1)
    #: clip forecasts and interval bounds at 0 (unset: when a fit's training rows are >= 0)
    nonnegative: bool | None = None
    #: how the file writes dates and numbers (see the README's "Reading data" notes)
    date_format: str | None = None
    dayfirst: bool | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'"] | None = None
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        import zoneinfo

        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {value!r}; give an IANA name such as 'Europe/Berlin' or 'UTC'"
                ) from None
        return value

    @model_validator(mode="after")
    def _one_target_key(self) -> "DataConfig":
        if self.date_format is not None and self.dayfirst is not None:
            raise ValueError("give data.date_format or data.dayfirst, not both")
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"data.decimal and data.thousands cannot both be {self.decimal!r}")
        if self.target is not None and self.targets is not None:
            raise ValueError("give either data.target or data.targets, not both")
        if self.target is None and not self.targets:
            raise ValueError("data.target (or data.targets) is required")
        return self

    @property
    def target_list(self) -> list[str]:
        return [self.target] if self.target is not None else list(self.targets or [])


class HoldoutConfig(_Strict):
    scheme: Literal["holdout"]
    name: str | None = None
    horizon: int = Field(ge=1)
    test_size: float | int | None = None
    train_end: str | None = None
    step: int | None = Field(default=None, ge=1)
    refit_every: int = Field(default=0, ge=0)
    #: drop the first / last forecast origins of the test part, e.g. to score exactly the
    #: tutorial's 46 test targets (its look-back eats the first test row, its loop the last)
    skip_first: int = Field(default=0, ge=0)
    skip_last: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _split(self) -> "HoldoutConfig":
        if (self.test_size is None) == (self.train_end is None):
            raise ValueError("holdout needs exactly one of evaluation.test_size or evaluation.train_end")
        if isinstance(self.test_size, float) and not 0 < self.test_size < 1:
            raise ValueError(f"evaluation.test_size as a fraction must be in (0, 1), got {self.test_size}")
        if isinstance(self.test_size, int) and self.test_size < 1:
            raise ValueError(f"evaluation.test_size must be >= 1 rows, got {self.test_size}")
        return self


class RollingConfig(_Strict):
    scheme: Literal["rolling"]
    name: str | None = None
    horizon: int = Field(ge=1)
    folds: int | None = Field(default=None, ge=1)
    start: str | None = None
    step: int | None = Field(default=None, ge=1)
    window: Literal["expanding", "sliding"] = "expanding"
    window_length: int | None = Field(default=None, ge=1)
    refit_every: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _origins(self) -> "RollingConfig":
        if (self.folds is None) == (self.start is None):
            raise ValueError("rolling needs exactly one of evaluation.folds or evaluation.start")
        if self.window == "sliding" and self.window_length is None:
            raise ValueError('evaluation.window = "sliding" needs evaluation.window_length')
        return self


Evaluation = Annotated[Union[HoldoutConfig, RollingConfig], Field(discriminator="scheme")]


#: ``[forecast] intervals``: True/"conformal" computes calibrated prediction intervals,
#: "native" the models' own, False skips all interval work (no calibration, no bounds in
#: any table, plot or CSV).
IntervalsSetting = Union[StrictBool, Literal["native", "conformal"]]


class ForecastConfig(_Strict):
    horizon: int | None = Field(default=None, ge=1)
    level: float = Field(default=0.95, gt=0, lt=1)
    covariates_path: str | None = None
    #: true or "conformal" (default): split-conformal per step from each fit's training
    #: rows; "native": the models' own intervals; false: no interval work at all
    intervals: IntervalsSetting = True
    #: calibration origins per fit (unset: as many as leave half the training rows, <= 1000)
    calibration_windows: int | None = Field(default=None, ge=1)
    #: conformity score: "scaled" (by the model's band), "absolute", or "local" (by the
    #: series' recent volatility; for volatility that moves with the season)
    calibration_score: Literal["scaled", "absolute", "local"] = "scaled"

    @property
    def interval_level(self) -> float | None:
        """The level intervals are computed at, or None when ``intervals = false``."""
        return None if self.intervals is False else self.level


class ModelConfig(BaseModel):
    """One model: a unique name, a registered type, and the type's own parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str = Field(min_length=1)
    type: str
    covariates: bool = True

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        from forecastkit.forecasters.registry import REGISTRY

        if value not in REGISTRY:
            raise ValueError(f"unknown model type {value!r}; valid types: {', '.join(REGISTRY)}")
        return value

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def _extra_params(self) -> set[str]:
        """Parameters the run layer accepts beside the type's own (none for one series)."""
        return set()

    @model_validator(mode="after")
    def _known_params(self) -> "ModelConfig":
        from forecastkit.forecasters.registry import parameters

        valid = set(parameters(self.type)) | self._extra_params()
        unknown = sorted(set(self.params) - valid)
        if unknown:
            raise ValueError(
                f"model {self.name!r} (type {self.type!r}) has no parameter(s) {unknown}; "
                f"valid: {', '.join(sorted(valid))}"
            )
        return self


class RunConfig(_Strict):
    name: str | None = None
    seed: int = 0
    metric: Literal["mae", "rmse", "mape", "smape", "mase", "skill"] = "rmse"
    data: DataConfig
    evaluation: list[Evaluation] = Field(min_length=1)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    models: list[ModelConfig] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        from forecastkit.safety.rundirs import check_run_name

        return check_run_name(value)

    @model_validator(mode="before")
    @classmethod
    def _evaluation_as_list(cls, raw: Any) -> Any:
        # `[evaluation]` (one table) and `[[evaluation]]` (several) are both accepted.
        if isinstance(raw, dict) and isinstance(raw.get("evaluation"), dict):
            raw = {**raw, "evaluation": [raw["evaluation"]]}
        return raw

    @model_validator(mode="after")
    def _unique_names(self) -> "RunConfig":
        seen: set[str] = set()
        for m in self.models:
            if m.name in seen:
                raise ValueError(f"model name {m.name!r} is used twice; names must be unique")
            seen.add(m.name)
        names = [e.name or e.scheme for e in self.evaluations]
        if len(set(names)) != len(names):
            raise ValueError(f"evaluation names {names} must be unique; set evaluation.name")
        return self

    @property
    def evaluations(self) -> list[HoldoutConfig | RollingConfig]:
        return list(self.evaluation)


def _format_error(err: ValidationError, source: str, raw: Any) -> str:
    first = err.errors()[0]
    # Drop pydantic's union-branch names ("rolling", "holdout") from the location, and
    # the list index of a single [evaluation] table, which the user never wrote.
    single_eval = isinstance(raw, dict) and isinstance(raw.get("evaluation"), dict)
    parts: list[str] = []
    for p in first["loc"]:
        if p in ("holdout", "rolling") or "union" in str(p):
            continue
        if isinstance(p, int):
            if single_eval and parts == ["evaluation"]:
                continue
            parts[-1] = f"{parts[-1]}[{p}]"
            continue
        parts.append(str(p))
    loc = ".".join(parts)
    kind = first["type"]
    msg = first["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        msg = f"unknown key {loc!r}"
        parent = parts[:-1]
        valid = _valid_keys(parent, _scheme_at(raw, first["loc"]))
        if valid:
            msg += f"; valid keys here: {', '.join(valid)}"
        return f"{source}: {msg}"
    if kind == "missing":
        return f"{source}: missing required key {loc!r}"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return f"{source}: {loc or 'evaluation'}: scheme must be \"holdout\" or \"rolling\""
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    return f"{source}: {loc}: {msg}{shown}" if loc else f"{source}: {msg}"


def _scheme_at(raw: Any, loc: tuple) -> str | None:
    """The `scheme` of the evaluation table an error points into, if any."""
    if not (isinstance(raw, dict) and loc and loc[0] == "evaluation"):
        return None
    evals = raw.get("evaluation")
    evals = [evals] if isinstance(evals, dict) else evals
    idx = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    try:
        return evals[idx].get("scheme")
    except (IndexError, AttributeError, TypeError):
        return None


def _valid_keys(parent: list[str], scheme: str | None = None) -> list[str]:
    models = {
        (): RunConfig,
        ("data",): DataConfig,
        ("forecast",): ForecastConfig,
    }
    parent = [p.split("[")[0] for p in parent]
    cls = models.get(tuple(parent))
    if cls is None and parent and parent[0] == "evaluation":
        by_scheme = {"holdout": HoldoutConfig, "rolling": RollingConfig}
        if scheme in by_scheme:
            return sorted(by_scheme[scheme].model_fields)
        return sorted(set(HoldoutConfig.model_fields) | set(RollingConfig.model_fields))
    return sorted(cls.model_fields) if cls else []


def parse_config(raw: dict[str, Any], source: str = "config") -> RunConfig:
    """Validate a config mapping; raise ConfigError with one readable line."""
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format_error(err, source, raw)) from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """The table of a TOML file; ConfigError (one line) when it is missing or not TOML."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file not found: {str(p)!r}; pass the path to a .toml file such as configs/airline.toml")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{p}: not valid TOML ({err})") from None


def load_config(path: str | Path) -> RunConfig:
    """Read and validate a TOML config file."""
    p = Path(path)
    cfg = parse_config(read_toml(p), source=str(p))
    if cfg.name is None:
        cfg = cfg.model_copy(update={"name": p.stem})
    return cfg
