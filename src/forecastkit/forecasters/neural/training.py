"""Seeding, validation split and the compiled training / inference loops.

Speed comes from two things:

- one ``tf.function`` runs a whole epoch (shuffled mini-batches in a graph loop), so
  there is no per-batch Python work; Keras' ``fit`` costs ~10x more on small series;
- an :class:`Engine` (model + optimizer + compiled functions) is cached per network
  spec and learning rate, and reused by every repeat member and every backtest fold:
  each member only *assigns* its own initial weights (drawn from its seed by building a
  fresh model) and resets the optimizer, so nothing is traced twice, and seeding
  leaves TensorFlow's seed alone, which would drop every compiled function's optimised
  graph (see :func:`set_seed`). Fitted weights live in the forecaster as numpy arrays
  and are assigned before each prediction.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecastkit.errors import DataError
from forecastkit.forecasters.neural.architectures import NetSpec, build_net, import_keras
from forecastkit.forecasters.neural.optimizer import Adam

_ENGINES: OrderedDict = OrderedDict()
_ENGINES_LOCK = threading.Lock()
_MAX_ENGINES = 16


def set_seed(seed: int, deterministic: bool = False) -> None:
    """Seed Python, NumPy and Keras (``keras.utils.set_random_seed`` but TensorFlow's global
    seed); optionally enable op determinism (process-wide and irreversible: TensorFlow
    offers no switch back).

    TensorFlow's global seed is left alone because ``tf.random.set_seed`` clears its
    caches of instantiated functions: every compiled training, validation and prediction
    function of every cached :class:`Engine` was optimised again (0.1-0.4 s each) after
    each seeding, i.e. at every model and every refit. Nothing here draws from it: Keras 3
    initialises weights and dropout masks with stateless ops seeded from Python's
    generator and its own seed generators, and shuffles come from NumPy generators.
    """
    import random

    keras, tf = import_keras()
    try:
        from keras.src.backend.common import global_state
        from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # another Keras layout: the public call (it sets TensorFlow's seed too)
        keras.utils.set_random_seed(int(seed))
    else:  # what keras.utils.set_random_seed does, TensorFlow's seed aside
        global_state.set_global_attribute(GLOBAL_RANDOM_SEED, int(seed))
        global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)  # recreated from the seed
        random.seed(int(seed))
        np.random.seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def seed_model(run_seed: int, name: str) -> int:
    """Seed the global generators for one configured model from the run's seed and the
    model's name, so its training does not depend on which models ran before it in
    the process (a resumed run trains fewer); returns the seed."""
    import hashlib

    seed = int.from_bytes(hashlib.sha256(f"{int(run_seed)}:{name}".encode()).digest()[:4], "big") >> 1
    set_seed(seed)
    return seed


def split_windows(n_windows: int, validation_fraction: float, gap: int, min_train: int = 1) -> tuple[int, int]:
    """Chronological train/validation split of ``n_windows`` consecutive windows.

    The validation windows are the last ``round(validation_fraction * n_windows)``;
    the ``gap`` windows before them are dropped from training so that no training
    target falls on a validation target (``gap = n_steps - 1`` for multi-step outputs).
    When that would leave fewer than ``min_train`` training windows (a stateful
    model's ``batch_size``), there is no validation: so more windows never leave fewer
    to train on (with 15 windows, 12 steps and 10 % validation, 2 would be left).

    Returns
    -------
    (n_train, val_start)
        Training windows ``[0, n_train)``, validation windows ``[val_start, n_windows)``;
        ``val_start == n_windows`` when there is no validation (fraction 0 or too few windows).
    """
    if not 0 <= validation_fraction < 1:
        raise DataError(f"validation_fraction must be in [0, 1), got {validation_fraction!r}")
    n_val = int(round(validation_fraction * n_windows))
    if n_val == 0 or n_windows - n_val - gap < max(1, min_train):
        return n_windows, n_windows
    return n_windows - n_val - gap, n_windows - n_val


def stream_order(n: int, batch_size: int) -> tuple[np.ndarray, int]:
    """Arrange ``n`` consecutive windows as ``batch_size`` parallel streams for a stateful model.

    The oldest ``n % batch_size`` windows are dropped; the rest form ``batch_size``
    contiguous streams of ``S = n // batch_size`` windows, and batch ``s`` holds the
    ``s``-th window of every stream, so row ``j`` of each batch continues row ``j`` of
    the previous one. Row ``batch_size - 1`` ends at the newest window.

    Returns
    -------
    order : ndarray (S, batch_size) of window positions in ``[0, n)``
    n_dropped : int
    """
    if batch_size > n:
        raise DataError(
            f"a stateful model with batch_size={batch_size} needs at least {batch_size} training "
            f"windows, got {n}; lower batch_size"
        )
    dropped = n % batch_size
    steps = n // batch_size
    order = dropped + np.arange(batch_size)[None, :] * steps + np.arange(steps)[:, None]
    return order, dropped


@dataclass
class MemberFit:
    """The result of training one repeat member."""

    seed: int
    weights: list
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    best_epoch: int | None = None
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        best = None if self.best_epoch is None else float(self.val_loss[self.best_epoch])
        return {
            "seed": self.seed,
            "epochs_run": len(self.train_loss),
            "best_epoch": self.best_epoch,
            "best_val_loss": best,
            "final_train_loss": float(self.train_loss[-1]) if self.train_loss else None,
            "fit_seconds": round(self.seconds, 4),
            "train_loss": [float(v) for v in self.train_loss],
            "val_loss": [float(v) for v in self.val_loss],
        }


class Engine:
    """A network for one :class:`NetSpec`, its Adam optimizer and compiled functions."""

    def __init__(self, spec: NetSpec, learning_rate: float):
        _, tf = import_keras()
        self.spec, self.tf = spec, tf
        self.lock = threading.RLock()
        self.model, _ = build_net(spec, "train")
        self.optimizer = Adam(tf, self.model.trainable_variables, learning_rate)
        self._initial: dict[int, list] = {}  # seed -> initial weights (see _reset_for)
        self._rnn_states = [v for layer in self.model.layers if getattr(layer, "stateful", False) for v in layer.states]
        self.infer = self.state_model = None
        if spec.stateful:
            self.infer, self.state_model = build_net(spec, "infer")
        T, F = spec.input_shape
        f32 = tf.float32
        win = tf.TensorSpec([None, T, F], f32)
        fut = tf.TensorSpec([None, spec.n_steps, spec.n_future], f32)
        out = tf.TensorSpec([None, spec.n_steps, spec.n_outputs], f32)
        i32 = tf.TensorSpec([], tf.int32)
        if spec.stateful:
            B = spec.batch_size
            batched = [tf.TensorSpec([None, B, *s.shape[1:]], f32) for s in (win, fut, out)]
            self.epoch_fn = tf.function(self._stateful_epoch, input_signature=batched)
            self.val_fn = tf.function(self._stateful_val, input_signature=[win, fut, out, i32])
            # One prediction function serves a single stream (batch 1, the forecast) and many
            # independent ones (one state row each: interval calibration), and one state
            # path serves warming a state and the calibration's per-window states: every
            # traced function costs more than a typical refit of these small networks.
            many = [tf.TensorSpec([None, s[1]], f32) for s in spec.state_shapes()]
            self.step_many_fn = tf.function(self._infer_step, input_signature=[win, fut, many])
            self.path_fn = tf.function(self._state_path, input_signature=[win, many])
        else:
            self.epoch_fn = tf.function(self._epoch, input_signature=[win, fut, out, tf.TensorSpec([None], tf.int32), i32])
            self.val_fn = tf.function(self._val, input_signature=[win, fut, out])
            self.predict_fn = tf.function(self._predict, input_signature=[win, fut])

    # -- graph functions ---------------------------------------------------------------
    def _inputs(self, x, f):
        return [x, f] if self.spec.n_future else x

    def _train_step(self, x, f, y):
        tf = self.tf
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - self.model(self._inputs(x, f), training=True)))
        self.optimizer.apply(tape.gradient(loss, self.model.trainable_variables))
        return loss

    def _epoch(self, X, F, Y, perm, batch):
        tf = self.tf
        n = tf.shape(perm)[0]
        total = tf.constant(0.0)
        for b in tf.range((n + batch - 1) // batch):
            idx = perm[b * batch: tf.minimum((b + 1) * batch, n)]
            loss = self._train_step(tf.gather(X, idx), tf.gather(F, idx), tf.gather(Y, idx))
            total += loss * tf.cast(tf.shape(idx)[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    def _val(self, X, F, Y):
        tf = self.tf
        return tf.reduce_mean(tf.square(Y - self.model(self._inputs(X, F), training=False)))

    def _predict(self, X, F):
        return self.model(self._inputs(X, F), training=False)

    def _stateful_epoch(self, Xs, Fs, Ys):
        tf = self.tf
        for v in self._rnn_states:  # the explicit epoch loop: states reset at each epoch
            v.assign(tf.zeros_like(v))
        total = tf.constant(0.0)
        steps = tf.shape(Xs)[0]
        for s in tf.range(steps):
            total += self._train_step(Xs[s], Fs[s], Ys[s])
        return total / tf.cast(steps, tf.float32)

    def _stateful_val(self, Xp, Fp, Yp, n_skip):
        # Continue the newest stream (row B-1) through the windows after the training
        # ones; the first ``n_skip`` (the gap) advance the state without being scored.
        tf = self.tf
        B = self.spec.batch_size
        sse = tf.constant(0.0)
        for j in tf.range(tf.shape(Xp)[0]):
            x = tf.pad(tf.expand_dims(Xp[j], 0), [[B - 1, 0], [0, 0], [0, 0]])  # static shape (B, T, F)
            f = tf.pad(tf.expand_dims(Fp[j], 0), [[B - 1, 0], [0, 0], [0, 0]])
            pred = self.model(self._inputs(x, f), training=False)[-1]
            err = tf.reduce_sum(tf.square(Yp[j] - pred))
            sse += tf.where(j >= n_skip, err, 0.0)
        n_scored = tf.cast((tf.shape(Xp)[0] - n_skip) * tf.size(Yp[0]), tf.float32)
        return sse / n_scored

    def _infer_step(self, x, f, states):
        inputs = [x, f] if self.spec.n_future else [x]
        out = self.infer(inputs + list(states), training=False)
        return out[0], list(out[1:])

    def _state_path(self, X, states):
        # The states after each window of X, carried from ``states`` (1, units): (N, units) each.
        tf = self.tf
        states = list(states)
        n = tf.shape(X)[0]
        paths = [tf.TensorArray(tf.float32, size=n) for _ in states]
        for j in tf.range(n):
            out = self.state_model([tf.expand_dims(X[j], 0)] + states, training=False)
            states = list(out) if isinstance(out, (list, tuple)) else [out]
            paths = [p.write(j, s[0]) for p, s in zip(paths, states, strict=True)]
        return [p.stack() for p in paths]

    # -- python API -------------------------------------------------------------------
    def _reset_for(self, seed: int, deterministic: bool) -> None:
        """Give the network the initial weights of ``seed`` and a fresh optimizer.

        The initial weights of a seed are drawn once (by building a fresh network) and
        kept: every backtest fold and the conformal wrapper's calibration copy train
        from the same seed, and building a Keras network costs more than a short training.
        """
        set_seed(seed, deterministic)
        initial = self._initial.get(seed)
        if initial is None:
            fresh, _ = build_net(self.spec, "train")
            initial = [v.numpy() for v in fresh.variables]
            self._initial[seed] = initial
            while len(self._initial) > 8:
                self._initial.pop(next(iter(self._initial)))
        for target, value in zip(self.model.variables, initial, strict=True):
            target.assign(value)
        self.optimizer.reset()

    def train(
        self,
        data: dict[str, np.ndarray],
        *,
        seed: int,
        epochs: int,
        batch_size: int,
        patience: int | None,
        deterministic: bool = False,
        verbose: int = 0,
    ) -> MemberFit:
        """Train one member from its seed's initial weights.

        ``data`` holds float32 arrays ``X, F, Y`` (training windows) and ``Xv, Fv, Yv``
        (validation) for a plain model, or ``Xs, Fs, Ys`` (stream batches) and
        ``Xp, Fp, Yp, n_skip`` (windows after the training ones) for a stateful one.
        With validation, training stops after ``patience`` epochs without improvement
        of the validation loss and the best epoch's weights are restored.
        """
        tf = self.tf
        with self.lock:
            t0 = time.perf_counter()
            self._reset_for(seed, deterministic)
            data = {k: tf.constant(v) if isinstance(v, np.ndarray) else v for k, v in data.items()}
            fit = MemberFit(seed=seed, weights=[])
            has_val = data["n_val"] > 0
            rng = np.random.default_rng(seed)
            best, best_weights, wait = np.inf, None, 0
            for epoch in range(epochs):
                if self.spec.stateful:
                    loss = self.epoch_fn(data["Xs"], data["Fs"], data["Ys"])
                else:
                    perm = tf.constant(rng.permutation(data["n_train"]).astype(np.int32))
                    loss = self.epoch_fn(data["X"], data["F"], data["Y"], perm, tf.constant(batch_size, tf.int32))
                loss = float(loss)
                fit.train_loss.append(loss)
                if not np.isfinite(loss):
                    break
                if has_val:
                    if self.spec.stateful:
                        val = float(self.val_fn(data["Xp"], data["Fp"], data["Yp"], tf.constant(data["n_skip"], tf.int32)))
                    else:
                        val = float(self.val_fn(data["Xv"], data["Fv"], data["Yv"]))
                    fit.val_loss.append(val)
                    if val < best:
                        best, best_weights, wait, fit.best_epoch = val, self.model.get_weights(), 0, epoch
                    else:
                        wait += 1
                        if patience is not None and wait >= patience:
                            break
                if verbose:
                    extra = f" val_loss={fit.val_loss[-1]:.5f}" if has_val else ""
                    print(f"  seed {seed} epoch {epoch + 1}/{epochs} loss={loss:.5f}{extra}")
            if not np.isfinite(fit.train_loss[-1]) and best_weights is None:
                raise DataError(
                    f"training diverged (loss {fit.train_loss[-1]}) at epoch {len(fit.train_loss)} "
                    f"with seed {seed}; lower learning_rate or scale the data"
                )
            fit.weights = best_weights if best_weights is not None else self.model.get_weights()
            fit.seconds = time.perf_counter() - t0
            return fit

    def predict(self, weights: list, X: np.ndarray, F: np.ndarray) -> np.ndarray:
        """Outputs ``(n, n_steps, n_outputs)`` of a non-stateful network with ``weights``."""
        with self.lock:
            self.model.set_weights(weights)
            return self.predict_fn(X, F).numpy()

    def load_infer(self, weights: list) -> None:
        self.infer.set_weights(weights)

    def zero_states(self) -> list[np.ndarray]:
        return [np.zeros(s, dtype=np.float32) for s in self.spec.state_shapes()]

    def warm(self, weights: list, X: np.ndarray, states: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """Carry the recurrent state of a stateful network through windows ``X`` in order."""
        if len(X) == 0:
            return [np.array(s) for s in (self.zero_states() if states is None else states)]
        return [path[-1:] for path in self.state_path(weights, X, states)]

    def step_many(self, weights: list, X: np.ndarray, F: np.ndarray, states: list[np.ndarray]):
        """One prediction for ``N`` independent windows at once, each from its own state row
        (states of shape ``(N, units)``; ``N = 1`` for the forecast itself):
        ``(y (N, n_steps, n_outputs), new states)``."""
        with self.lock:
            self.load_infer(weights)
            y, new = self.step_many_fn(X, F, states)
            return y.numpy(), [s.numpy() for s in new]

    def state_path(self, weights: list, X: np.ndarray, states: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """The states after each window of ``X`` (in order, from ``states``, default a zero
        state): arrays ``(len(X), units)``, row ``j`` being the state once windows ``0..j``
        are consumed."""
        with self.lock:
            self.load_infer(weights)
            if len(X) == 0:
                return [np.zeros((0, s[1]), dtype=np.float32) for s in self.spec.state_shapes()]
            return [s.numpy() for s in self.path_fn(X, self.zero_states() if states is None else states)]

def get_engine(spec: NetSpec, learning_rate: float) -> Engine:
    """The cached engine for ``(spec, learning_rate)`` (built and traced once per process)."""
    key = (spec, float(learning_rate))
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            _ENGINES.move_to_end(key)
            return engine
    engine = Engine(spec, learning_rate)
    with _ENGINES_LOCK:
        _ENGINES[key] = engine
        while len(_ENGINES) > _MAX_ENGINES:
            _ENGINES.popitem(last=False)
    return engine
