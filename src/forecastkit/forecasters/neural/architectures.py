"""Keras model builders for the neural forecasters.

Every network maps a window of inputs ``(T, F)`` (plus, optionally, the future-known
covariates over the output steps ``(n_steps, n_future)``) to ``(n_steps, n_outputs)``
on the transformed scale. A :class:`NetSpec` describes one network completely; it is
hashable so compiled training/prediction functions can be cached per spec.

Keras is imported inside :func:`build_net` only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import Any

from forecastkit.errors import ConfigError

ARCHITECTURES = ("lstm", "gru", "dense", "cnn1d", "encoder_decoder")
VARIANTS = ("lookback1", "window", "timesteps", "stateful", "stacked_stateful")
STRATEGIES = ("multi_output", "recursive")
STATEFUL_VARIANTS = ("stateful", "stacked_stateful")
RECURRENT = ("lstm", "gru")

#: variants each architecture accepts (the LSTM framings of the tutorial also work for GRUs)
VALID_VARIANTS = {
    "lstm": VARIANTS,
    "gru": VARIANTS,
    "dense": ("timesteps",),
    "cnn1d": ("timesteps",),
    "encoder_decoder": ("timesteps",),
}
VALID_STRATEGIES = {a: STRATEGIES for a in ARCHITECTURES} | {"encoder_decoder": ("multi_output",)}
DEFAULT_ACTIVATION = {"lstm": "tanh", "gru": "tanh", "dense": "relu", "cnn1d": "relu", "encoder_decoder": "tanh"}


@contextlib.contextmanager
def _quiet_native_stderr():
    """Silence file descriptor 2 while TensorFlow's C++ runtime starts: it logs
    (oneDNN notice, "failed call to cuInit" on machines without a GPU) before its
    log level applies. Python exceptions are unaffected."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_keras():
    """Import Keras 3 on the TensorFlow backend, quietly (the only place it is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules:
        with _quiet_native_stderr():
            import tensorflow

            tensorflow.config.list_physical_devices()  # device discovery logs here, once
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise ConfigError(
            f"the neural forecasters need Keras on the TensorFlow backend, but KERAS_BACKEND is "
            f"{keras.backend.backend()!r}; set KERAS_BACKEND=tensorflow before importing keras"
        )
    return keras, tf


def check_choice(name: str, value: Any, valid: tuple[str, ...], context: str = "") -> str:
    if value not in valid:
        where = f" for {context}" if context else ""
        raise ConfigError(f"unknown {name} {value!r}{where}; valid: {list(valid)}")
    return value


@dataclass(frozen=True)
class NetSpec:
    """Everything that determines a network's graph.

    Attributes
    ----------
    architecture, variant : str
    input_shape : (T, F)
        Window shape after the variant's framing.
    n_steps, n_outputs : int
        Output shape ``(n_steps, n_outputs)``.
    n_future : int
        Future-known covariates per output step fed as a second input (0: none).
    units : tuple of int
        Units (filters for ``cnn1d``) per hidden layer.
    dropout : float
    activation : str
    kernel_size : int
        ``cnn1d`` only.
    batch_size : int or None
        The fixed batch size of a stateful model (None otherwise).
    """

    architecture: str
    variant: str
    input_shape: tuple[int, int]
    n_steps: int
    n_outputs: int
    n_future: int
    units: tuple[int, ...]
    dropout: float
    activation: str
    kernel_size: int = 3
    batch_size: int | None = None

    @property
    def stateful(self) -> bool:
        return self.variant in STATEFUL_VARIANTS

    def state_shapes(self) -> list[tuple[int, int]]:
        """Shapes of the explicit states of the batch-1 inference model (stateful only)."""
        per = 2 if self.architecture == "lstm" else 1
        return [(1, u) for u in self.units for _ in range(per)]


def _unroll(spec: NetSpec) -> bool:
    """Whether the recurrence is unrolled: for one-step windows (``lookback1``,
    ``window``), where TensorFlow's while loop costs more per call than the tiny matrix
    products of the single step it runs (about half of such a network's epoch time);
    the arithmetic is the same to the bit. Longer windows keep the loop: unrolled, their
    gradients sum over the steps in another order, and a stateful network's early
    stopping on the airline series was sensitive enough to that rounding to pick a
    different epoch."""
    return spec.input_shape[0] == 1


def _recurrent(keras, spec: NetSpec, x, mode: str, states_in: list) -> tuple[Any, list]:
    """The recurrent stack. ``mode``: "train" (stateful layers when the variant is
    stateful) or "infer" (explicit initial/returned states for stateful variants)."""
    layer_cls = keras.layers.LSTM if spec.architecture == "lstm" else keras.layers.GRU
    per = 2 if spec.architecture == "lstm" else 1
    states_out: list = []
    for i, units in enumerate(spec.units):
        last = i == len(spec.units) - 1
        kwargs = dict(units=units, activation=spec.activation, return_sequences=not last, unroll=_unroll(spec))
        if spec.stateful and mode == "train":
            x = layer_cls(stateful=True, **kwargs)(x)
        elif spec.stateful:
            out = layer_cls(return_state=True, **kwargs)(x, initial_state=states_in[i * per:(i + 1) * per])
            x, states_out = out[0], states_out + list(out[1:])
        else:
            x = layer_cls(**kwargs)(x)
        if spec.dropout:
            x = keras.layers.Dropout(spec.dropout)(x)
    return x, states_out


def build_net(spec: NetSpec, mode: str = "train"):
    """Build the Keras model for ``spec``.

    Parameters
    ----------
    mode : {"train", "infer"}
        For stateful variants, ``"train"`` builds the stateful model with the fixed
        batch size (``stateful=True``) and ``"infer"`` a stateless model of any batch
        size whose states are explicit inputs and outputs (one stream per row); the two have the same weights in the
        same order, so ``infer.set_weights(train.get_weights())`` transfers them.
        Other variants ignore ``mode``.

    Returns
    -------
    model : keras.Model
        Inputs ``[window, future?, *states?]``; outputs ``y`` of shape
        ``(batch, n_steps, n_outputs)`` followed, for a stateful "infer" model, by the
        final states.
    state_model : keras.Model or None
        Stateful "infer" mode only: ``[window, *states] -> states`` (the recurrent part
        alone, used to carry the state through a history without the output head).
    """
    keras, _ = import_keras()
    L = keras.layers
    # the stateful "infer" model takes any batch (states are inputs): one stream per row
    batch = spec.batch_size if spec.stateful and mode == "train" else None
    seq = keras.Input(shape=spec.input_shape, batch_size=batch, name="window")
    inputs = [seq]
    fut = None
    if spec.n_future:
        fut = keras.Input(shape=(spec.n_steps, spec.n_future), batch_size=batch, name="future")
        inputs.append(fut)
    states_in = []
    if spec.stateful and mode == "infer":
        states_in = [keras.Input(shape=s[1:], name=f"state{i}") for i, s in enumerate(spec.state_shapes())]

    arch = spec.architecture
    states_out: list = []
    if arch == "encoder_decoder":
        x = seq
        enc_units = spec.units[:-1] or spec.units
        for i, units in enumerate(enc_units):
            x = L.LSTM(units, activation=spec.activation, return_sequences=i < len(enc_units) - 1)(x)
            if spec.dropout:
                x = L.Dropout(spec.dropout)(x)
        x = L.RepeatVector(spec.n_steps)(x)
        if fut is not None:  # decoder inputs: the encoding plus the known future of each step
            x = L.Concatenate(axis=-1)([x, fut])
        x = L.LSTM(spec.units[-1], activation=spec.activation, return_sequences=True)(x)
        if spec.dropout:
            x = L.Dropout(spec.dropout)(x)
        out = L.TimeDistributed(L.Dense(spec.n_outputs))(x)
    else:
        if arch in RECURRENT:
            x, states_out = _recurrent(keras, spec, seq, mode, states_in)
        elif arch == "dense":
            x = L.Flatten()(seq)
            for units in spec.units:
                x = L.Dense(units, activation=spec.activation)(x)
                if spec.dropout:
                    x = L.Dropout(spec.dropout)(x)
        else:  # cnn1d: causal convolutions keep every output step in the past of the origin
            x = seq
            kernel = max(1, min(spec.kernel_size, spec.input_shape[0]))
            for units in spec.units:
                x = L.Conv1D(units, kernel, padding="causal", activation=spec.activation)(x)
                if spec.dropout:
                    x = L.Dropout(spec.dropout)(x)
            x = L.Flatten()(x)
        if fut is not None:  # the known future of every output step, flattened, joins the head
            x = L.Concatenate(axis=-1)([x, L.Flatten()(fut)])
        x = L.Dense(spec.n_steps * spec.n_outputs)(x)
        out = L.Reshape((spec.n_steps, spec.n_outputs))(x)

    if spec.stateful and mode == "infer":
        model = keras.Model(inputs + states_in, [out] + states_out)
        state_model = keras.Model([seq] + states_in, states_out)
        return model, state_model
    return keras.Model(inputs, out), None
