"""Forecasters made of other forecasters (``ensemble``, ``auto``, ``conformal``) name
their members as plain tables, ``{"type": "ets", "season_length": 12}``, so a config
gives them inline and ``clone`` copies them as data. A member is built only through
the registry (:func:`~forecastkit.forecasters.registry.make_forecaster`): a type
that is not registered is an error naming the entry, never an import."""

from __future__ import annotations

from typing import Any

from forecastkit.errors import ConfigError, ForecastkitError


def member_specs(value: Any, owner: str, param: str, allow_empty: bool = False) -> list[dict[str, Any]]:
    """``value`` checked as a list of member tables, each with a string ``type``."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        if allow_empty:
            return []
        raise ConfigError(
            f"{owner}: {param} is empty; give at least one member table, e.g. "
            f'{param} = [{{type = "ets", season_length = 12}}, {{type = "theta", season_length = 12}}]'
        )
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{owner}: {param} must be a list of member tables, got {type(value).__name__}")
    out = []
    for i, spec in enumerate(value):
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise ConfigError(f"{owner}: {param}[{i}] must be a table with a 'type' key, got {spec!r}")
        out.append(dict(spec))
    return out


def member_label(spec: dict[str, Any], i: int) -> str:
    """A short name of a member: its ``name`` if given, else ``type#i``."""
    return str(spec.get("name") or f"{spec['type']}#{i}")


def build_member(spec: dict[str, Any], owner: str, param: str, i: int):
    """The unfitted forecaster of member ``i`` (``name`` is a label, not a parameter)."""
    from forecastkit.forecasters.registry import REGISTRY, make_forecaster

    params = {k: v for k, v in spec.items() if k not in ("type", "name")}
    if spec["type"] not in REGISTRY:
        raise ConfigError(
            f"{owner}: {param}[{i}] has unknown model type {spec['type']!r}; valid types: {', '.join(REGISTRY)}"
        )
    try:
        return make_forecaster(spec["type"], **params)
    except ForecastkitError as err:
        raise type(err)(f"{owner}: {param}[{i}] ({member_label(spec, i)}): {err}") from None
