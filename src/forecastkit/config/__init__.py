"""Run configurations (TOML) and their validation."""

from forecastkit.config.schema import RunConfig, load_config, parse_config

__all__ = ["RunConfig", "load_config", "parse_config"]
