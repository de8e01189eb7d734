"""TOML configs of panel runs (many series): a ``[data] series_id`` makes a config a panel config.

::

    [data]
    path = "m3-monthly"          # a long CSV/Parquet file or a shipped panel
    series_id = "series"         # the id column(s); any name for a shipped panel
    target = "value"

    [evaluation]
    horizon = 18
    folds = 1
    origins = "last"             # or "common": every series cut at the same dates

    [execution]
    engine = "joblib"            # or "dask" (address = "tcp://..." or a LocalCluster)

    [[models]]
    name = "ridge"
    type = "ridge"
    pooling = "global"           # reduction types; "local" = one model per series
    strategy = "direct"          # or "multi_output" (global default), "recursive"
    series_id_feature = "onehot" # or "ordinal"; with [data] static_features = [...]

    [[combinations]]
    name = "combo"
    members = ["theta", "ridge"]  # mean of their forecasts, scored like a model
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from forecastkit.config.schema import IntervalsSetting, ModelConfig, _Strict, read_toml
from forecastkit.errors import ConfigError


class PanelData(_Strict):
    path: str
    series_id: str | list[str]
    target: str = "value"
    time: str | list[str] | None = None
    freq: str | None = None
    season_length: int | None = Field(default=None, ge=1)
    #: numeric columns per series: past covariates (lags up to each origin) and
    #: future-known ones (at the target times); inputs of global models
    past_covariates: list[str] = Field(default_factory=list)
    future_covariates: list[str] = Field(default_factory=list)
    #: columns constant within each series (e.g. a category): inputs of global models
    static_features: list[str] = Field(default_factory=list)


class PanelEvaluation(_Strict):
    horizon: int = Field(ge=1)
    folds: int = Field(default=1, ge=1)
    step: int | None = Field(default=None, ge=1)
    origins: Literal["last", "common"] = "last"


class PanelForecast(_Strict):
    horizon: int | None = Field(default=None, ge=0)
    level: float = Field(default=0.95, gt=0, lt=1)
    intervals: IntervalsSetting = True  # true/"conformal": calibrated per series; "native"; false: none
    #: long file (series id, time, the future covariates) over the forecast horizon
    covariates_path: str | None = None


class Execution(_Strict):
    engine: Literal["joblib", "dask"] = "joblib"
    address: str | None = None
    workers: int = Field(default=2, ge=1)
    chunk_size: int | None = Field(default=None, ge=1)


class PanelModelConfig(ModelConfig):
    """A panel model: a :class:`ModelConfig` with ``pooling`` (global models: one model on
    the windows of every series; local: one per series) and the global-only parameters."""

    pooling: Literal["global", "local"] | None = None

    def _extra_params(self) -> set[str]:
        from forecastkit.backtest.panel_engine import GLOBAL_ONLY, is_global_type

        return set(GLOBAL_ONLY) if is_global_type(self.type) else set()

    @model_validator(mode="after")
    def _global_values(self) -> "PanelModelConfig":
        from forecastkit.backtest.panel_global import check_global_values

        check_global_values(self.name, self.params)
        return self


class CombinationConfig(_Strict):
    """The mean (or median) of some models' forecasts, scored like a model."""

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=2)
    method: Literal["mean", "median"] = "mean"


class PanelRunConfig(_Strict):
    name: str | None = None
    seed: int = 0
    data: PanelData
    evaluation: PanelEvaluation
    forecast: PanelForecast = Field(default_factory=PanelForecast)
    execution: Execution = Field(default_factory=Execution)
    models: list[PanelModelConfig] = Field(min_length=1)
    combinations: list[CombinationConfig] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        from forecastkit.safety.rundirs import check_run_name

        return check_run_name(value)

    @model_validator(mode="after")
    def _unique(self) -> "PanelRunConfig":
        names = [m.name for m in self.models]
        for c in self.combinations:
            unknown = [m for m in c.members if m not in names]
            if unknown:
                raise ValueError(f"combination {c.name!r}: unknown member(s) {unknown}; models: {', '.join(names)}")
        names += [c.name for c in self.combinations]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"model name {dup[0]!r} is used twice; names must be unique")
        d, f = self.data, self.forecast
        if d.future_covariates and f.covariates_path is None and f.horizon != 0:
            raise ValueError("data.future_covariates need their values after each series' end: set "
                             "forecast.covariates_path (a long file with the id, time and these columns) "
                             "or forecast.horizon = 0")
        return self


def covariate_args(cfg: PanelRunConfig) -> dict[str, Any]:
    """The covariate arguments of :func:`~forecastkit.data.panel_loader.load_panel` for a config."""
    d, f = cfg.data, cfg.forecast
    return {"past_covariates": d.past_covariates, "future_covariates": d.future_covariates,
            "static_features": d.static_features, "covariates_path": f.covariates_path,
            "horizon": f.horizon if f.horizon is not None else cfg.evaluation.horizon}


def is_panel_config(path: str | Path) -> bool:
    """Whether the TOML file at ``path`` sets ``[data] series_id`` (False if unreadable: the
    single-series loader then reports the problem)."""
    try:
        raw = read_toml(path)
    except ConfigError:
        return False
    return isinstance(raw.get("data"), dict) and "series_id" in raw["data"]


def parse_panel_config(raw: dict[str, Any], source: str = "config") -> PanelRunConfig:
    """Validate a panel config mapping; one ConfigError line on failure."""
    try:
        return PanelRunConfig.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key {loc!r}") from None
        if first["type"] == "missing":
            raise ConfigError(f"{source}: missing required key {loc!r}") from None
        msg = first["msg"].removeprefix("Value error, ")
        value = first.get("input")
        shown = "" if isinstance(value, dict) else f" (got {value!r})"
        raise ConfigError(f"{source}: {loc}: {msg}{shown}" if loc else f"{source}: {msg}") from None


def load_panel_config(path: str | Path) -> PanelRunConfig:
    """Read and validate a panel TOML config (the name defaults to the file's stem)."""
    cfg = parse_panel_config(read_toml(path), source=str(path))
    return cfg if cfg.name is not None else cfg.model_copy(update={"name": Path(path).stem})
