"""The compiled training engine equals plain Keras training (float32 rounding aside), and
refits reuse its compiled functions instead of tracing or re-instantiating them."""

from __future__ import annotations

import numpy as np
import pytest

from forecastkit.forecasters.neural import architectures
from forecastkit.forecasters.neural.architectures import NetSpec, build_net, import_keras
from forecastkit.forecasters.neural.training import get_engine, set_seed, stream_order

pytestmark = pytest.mark.keras

LR = 0.01


def _spec(arch: str, variant: str) -> NetSpec:
    T = 1 if variant == "lookback1" else 4
    return NetSpec(architecture=arch, variant=variant, input_shape=(T, 1), n_steps=2, n_outputs=1, n_future=0,
                   units=(3,), dropout=0.0, activation="tanh", kernel_size=3,
                   batch_size=2 if variant == "stateful" else None)


def _data(spec: NetSpec, n: int = 13, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, *spec.input_shape)).astype(np.float32)
    F = np.zeros((n, spec.n_steps, 0), np.float32)
    Y = rng.normal(size=(n, spec.n_steps, 1)).astype(np.float32)
    if spec.stateful:
        order, _ = stream_order(n, spec.batch_size)
        return {"n_train": n, "n_val": 0, "Xs": X[order], "Fs": F[order], "Ys": Y[order]}
    return {"n_train": n, "n_val": 0, "X": X, "F": F, "Y": Y}


def _keras_reference(spec: NetSpec, data: dict, seed: int, epochs: int, batch_size: int, monkeypatch) -> list:
    """The weights after training with keras.optimizers.Adam, one tf.function call per
    mini-batch and the recurrence as a while loop (not unrolled): the plain Keras way."""
    keras, tf = import_keras()
    monkeypatch.setattr(architectures, "_unroll", lambda spec: False)
    set_seed(seed)
    model, _ = build_net(spec, "train")
    monkeypatch.undo()
    optimizer = keras.optimizers.Adam(LR)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - model(x, training=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        if spec.stateful:
            for layer in model.layers:
                if getattr(layer, "stateful", False):
                    layer.reset_state()
            for x, y in zip(data["Xs"], data["Ys"], strict=True):
                step(x, y)
        else:
            perm = rng.permutation(data["n_train"])
            for b in range(0, len(perm), batch_size):
                idx = perm[b:b + batch_size]
                step(data["X"][idx], data["Y"][idx])
    return model.get_weights()


@pytest.mark.parametrize("arch,variant", [("lstm", "timesteps"), ("lstm", "lookback1"), ("lstm", "stateful"),
                                          ("gru", "timesteps")])
def test_engine_training_equals_plain_keras_training(arch, variant, monkeypatch):
    spec = _spec(arch, variant)
    data = _data(spec)
    fit = get_engine(spec, LR).train(data, seed=7, epochs=3, batch_size=4, patience=None)
    reference = _keras_reference(spec, data, 7, 3, 4, monkeypatch)
    for got, want in zip(fit.weights, reference, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_refits_reuse_the_compiled_functions(monkeypatch):
    _, tf = import_keras()
    spec = _spec("lstm", "timesteps")
    engine = get_engine(spec, LR)
    first = engine.train(_data(spec), seed=3, epochs=2, batch_size=4, patience=None)
    traces = engine.epoch_fn.experimental_get_tracing_count()

    def no_cache_clearing(seed):  # tf.random.set_seed drops every instantiated function
        raise AssertionError("seeding a fit must not reset TensorFlow's seed")

    monkeypatch.setattr(tf.random, "set_seed", no_cache_clearing)
    engine.train(_data(spec, n=9, seed=1), seed=3, epochs=2, batch_size=4, patience=None)  # other data
    engine.train(_data(spec), seed=4, epochs=2, batch_size=4, patience=None)  # a seed not seen yet
    again = engine.train(_data(spec), seed=3, epochs=2, batch_size=4, patience=None)
    assert engine.epoch_fn.experimental_get_tracing_count() == traces
    for a, b in zip(first.weights, again.weights, strict=True):  # same seed, same data: same weights
        np.testing.assert_array_equal(a, b)


def test_set_seed_gives_what_keras_set_random_seed_gives():
    # set_seed leaves TensorFlow's seed alone (it would clear the compiled functions);
    # networks, dropout seeds and the host generators must not notice
    import random

    keras, _ = import_keras()
    spec = NetSpec(architecture="lstm", variant="timesteps", input_shape=(4, 1), n_steps=2, n_outputs=1,
                   n_future=0, units=(3,), dropout=0.2, activation="tanh", kernel_size=3, batch_size=None)
    draws = []
    for seeding in (keras.utils.set_random_seed, set_seed):
        seeding(21)
        model, _ = build_net(spec, "train")
        draws.append(([v.numpy() for v in model.variables], random.random(), np.random.random()))
    (w_keras, r_keras, n_keras), (w_ours, r_ours, n_ours) = draws
    for a, b in zip(w_keras, w_ours, strict=True):
        np.testing.assert_array_equal(a, b)
    assert (r_keras, n_keras) == (r_ours, n_ours)
