"""Keras networks as pooled (global) panel models.

A global ``lstm``, ``gru``, ``dense`` or ``cnn1d`` model is trained on the windows of
every series pooled, exactly like a pooled scikit-learn regressor: the framing, the
per-series scaling, the strategies (``multi_output``, ``recursive``, ``direct``) and the
static inputs are those of :mod:`forecastkit.backtest.panel_pooled`. Only the regressor
differs: :class:`KerasRegressor` takes the flat design rows of the pooled framing and
reshapes them into the network's two inputs, the window ``(n_in, 1 + p)`` (target and
past covariate lags as channels) and the per-step block ``(n_steps, f + q)`` (the
future-known covariates of each output step, then the static inputs repeated on every
step). The networks are the single-series forecaster's
(:func:`~forecastkit.forecasters.neural.architectures.build_net`), trained by its
:class:`~forecastkit.forecasters.neural.training.Engine` for a fixed number of epochs
(no validation split: the last windows of the series are the backtest's to score).

TensorFlow is imported only when a network is built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecastkit.errors import ConfigError

#: the neural parameters a global network takes (beside the global-only ones)
NEURAL_KEYS = {"architecture", "strategy", "n_in", "units", "layers", "dropout", "activation", "kernel_size",
               "learning_rate", "batch_size", "epochs", "seed"}
GLOBAL_ARCHITECTURES = ("lstm", "gru", "dense", "cnn1d")


def is_neural_type(type_name: str) -> bool:
    """Whether a registry type is a Keras network that can be pooled."""
    from forecastkit.forecasters.registry import get_entry

    entry = get_entry(type_name)
    return entry.target.endswith(":NeuralForecaster") and entry.defaults.get("architecture") in GLOBAL_ARCHITECTURES


def neural_settings(name: str, type_name: str, params: dict[str, Any]):
    """The validated :class:`NeuralSettings` of a global network (its own checks, one line each)."""
    from forecastkit.forecasters.neural.settings import resolve_settings
    from forecastkit.forecasters.registry import make_forecaster

    net = {k: v for k, v in params.items() if k in NEURAL_KEYS and k != "strategy"}
    try:
        return resolve_settings(make_forecaster(type_name, **net, validation_fraction=0.0, patience=None))
    except ConfigError as err:
        raise ConfigError(f"model {name!r}: {err}") from None


class KerasFactory:
    """``factory(n_outputs)`` -> a fresh :class:`KerasRegressor` for the pooled framing of
    ``strategy`` (the number of per-step rows follows from it), as ``RegressorFactory``."""

    def __init__(self, settings, strategy: str, n_in: int, p: int, f: int, q: int, seed: int):
        self.settings, self.strategy = settings, strategy
        self.n_in, self.p, self.f, self.q, self.seed = n_in, p, f, q, seed

    def __call__(self, n_outputs: int) -> "KerasRegressor":
        n_steps = n_outputs if self.strategy == "multi_output" else 1
        return KerasRegressor(self.settings, self.n_in, self.p, self.f, self.q, n_steps, n_outputs // n_steps,
                              self.seed)


class KerasRegressor:
    """A network fitted on flat design rows ``[target lags, past covariate lags (time-major),
    future-known covariates of the n_steps output steps (step-major), statics]``."""

    def __init__(self, settings, n_in: int, p: int, f: int, q: int, n_steps: int, n_outputs: int, seed: int):
        self.settings, self.n_in, self.p, self.f, self.q = settings, n_in, p, f, q
        self.n_steps, self.n_outputs, self.seed = n_steps, n_outputs, seed

    def _inputs(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, T, p = len(X), self.n_in, self.p
        window = np.concatenate([X[:, :T, None], X[:, T:T + T * p].reshape(n, T, p)], axis=2)
        rest = X[:, T + T * p:]
        known = rest[:, :self.n_steps * self.f].reshape(n, self.n_steps, self.f)
        static = np.repeat(rest[:, None, self.n_steps * self.f:], self.n_steps, axis=1)
        return window.astype(np.float32), np.concatenate([known, static], axis=2).astype(np.float32)

    def _engine(self):
        from forecastkit.forecasters.neural.architectures import NetSpec
        from forecastkit.forecasters.neural.training import get_engine

        s = self.settings
        spec = NetSpec(s.architecture, "timesteps", (self.n_in, 1 + self.p), self.n_steps, self.n_outputs,
                       self.f + self.q, s.units, s.dropout, s.activation, s.kernel_size)
        return get_engine(spec, s.learning_rate)

    def fit(self, X: np.ndarray, y: np.ndarray) -> "KerasRegressor":
        window, known = self._inputs(np.asarray(X, float))
        Y = np.asarray(y, np.float32).reshape(len(X), self.n_steps, self.n_outputs)
        s = self.settings
        data = {"X": window, "F": known, "Y": Y, "n_train": len(X), "n_val": 0}
        fit = self._engine().train(data, seed=self.seed, epochs=s.epochs, batch_size=s.batch_size, patience=None)
        self.weights_, self.losses_ = fit.weights, fit.train_loss
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        window, known = self._inputs(np.asarray(X, float))
        out = self._engine().predict(self.weights_, window, known)
        return np.asarray(out, float).reshape(len(X), -1)
