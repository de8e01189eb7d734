"""Typed records of a :class:`~forecastkit.forecasters.neural.forecaster.NeuralForecaster`:
its validated settings (instead of a string-keyed dict) and one trained network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecastkit._validation import check_int
from forecastkit.errors import ConfigError
from forecastkit.forecasters.neural.architectures import (
    ARCHITECTURES,
    DEFAULT_ACTIVATION,
    STATEFUL_VARIANTS,
    VALID_STRATEGIES,
    VALID_VARIANTS,
    NetSpec,
    check_choice,
)


@dataclass(frozen=True)
class NeuralSettings:
    """The validated parameters of a :class:`NeuralForecaster` (``cfg_`` once fitted)."""

    architecture: str
    variant: str
    strategy: str
    stateful: bool
    horizon: int | None
    n_in: int
    units: tuple[int, ...]
    dropout: float
    activation: str
    kernel_size: int
    learning_rate: float
    batch_size: int
    epochs: int
    patience: int | None
    validation_fraction: float
    seed: int
    repeats: int
    difference: int
    seasonal_difference: int


def resolve_settings(p: Any) -> NeuralSettings:
    """Validate the parameters of the forecaster ``p``; return the effective configuration."""
    arch = check_choice("architecture", p.architecture, ARCHITECTURES)
    variant = check_choice("variant", p.variant, VALID_VARIANTS[arch], f"architecture {arch!r}")
    strategy = check_choice("strategy", p.strategy, VALID_STRATEGIES[arch], f"architecture {arch!r}")
    units = (p.units,) if isinstance(p.units, (int, np.integer)) else tuple(p.units)
    if not units or any(isinstance(u, bool) or not isinstance(u, (int, np.integer)) or u < 1 for u in units):
        raise ConfigError(f"units must be a positive integer or a non-empty list of them, got {p.units!r}")
    layers = check_int("layers", p.layers, 1, allow_none=True)
    if layers is not None:
        if len(units) == 1:
            units = units * layers
        elif len(units) != layers:
            raise ConfigError(f"layers={layers} but units={list(units)} has {len(units)} values")
    if variant == "stacked_stateful" and len(units) == 1:
        units = units * 2
    dropout = float(p.dropout)
    if not 0 <= dropout < 1:
        raise ConfigError(f"dropout must be in [0, 1), got {p.dropout!r}")
    lr = float(p.learning_rate)
    if not lr > 0:
        raise ConfigError(f"learning_rate must be > 0, got {p.learning_rate!r}")
    vf = float(p.validation_fraction)
    if not 0 <= vf < 1:
        raise ConfigError(f"validation_fraction must be in [0, 1), got {p.validation_fraction!r}")
    return NeuralSettings(
        architecture=arch,
        variant=variant,
        strategy=strategy,
        stateful=variant in STATEFUL_VARIANTS,
        horizon=check_int("horizon", p.horizon, 1, allow_none=True),
        n_in=1 if variant == "lookback1" else check_int("n_in", p.n_in, 1),
        units=tuple(int(u) for u in units),
        dropout=dropout,
        activation=p.activation or DEFAULT_ACTIVATION[arch],
        kernel_size=check_int("kernel_size", p.kernel_size, 1),
        learning_rate=lr,
        batch_size=check_int("batch_size", p.batch_size, 1),
        epochs=check_int("epochs", p.epochs, 1),
        patience=check_int("patience", p.patience, 1, allow_none=True),
        validation_fraction=vf,
        seed=check_int("seed", p.seed, 0),
        repeats=check_int("repeats", p.repeats, 1),
        difference=check_int("difference", p.difference, 0),
        seasonal_difference=check_int("seasonal_difference", p.seasonal_difference, 0),
    )


@dataclass
class _Net:
    """One trained network (all repeat members) for one output length."""

    spec: NetSpec
    members: list  # MemberFit
    split: dict
    learning_rate: float
    states: list | None = None  # stateful: per member, the state after the history's windows
    state_rows: int = 0  # number of rows of the history S the states have consumed
    # interval calibration: steps -> validation residuals (n, steps, k), transformed scale
    calib: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
