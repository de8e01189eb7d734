"""The training engine's optimizer: Adam as a handful of graph ops.

No TensorFlow import here: the engine passes its ``tf`` module in (TensorFlow is
imported lazily, see :func:`~forecastkit.forecasters.neural.architectures.import_keras`).
"""

from __future__ import annotations


class Adam:
    """Adam with Keras' defaults, written out as the few graph ops it needs.

    The arithmetic is ``keras.optimizers.Adam``'s, op for op (so the weights are the
    same to the bit), but its step-size scalars are computed once per step instead of
    once per variable, and none of Keras' generic optimizer plumbing (distribution
    merge calls, gradient filtering/clipping hooks, casts) is traced or run: less work
    per training step of these small networks, and less to trace.
    """

    BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7

    def __init__(self, tf, variables, learning_rate: float):
        self.tf = tf
        self.variables = [v.value for v in variables]  # the tf.Variables behind the Keras ones
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables]
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        f32 = tf.float32
        # Keras casts Python floats to float32: ``1 - beta`` is rounded once, in float64 first
        self._lr = tf.constant(learning_rate, f32)
        self._b1, self._b2 = tf.constant(self.BETA_1, f32), tf.constant(self.BETA_2, f32)
        self._c1, self._c2 = tf.constant(1 - self.BETA_1, f32), tf.constant(1 - self.BETA_2, f32)
        self._eps = tf.constant(self.EPSILON, f32)

    def reset(self) -> None:
        for slot in (*self.m, *self.v):
            slot.assign(self.tf.zeros_like(slot))
        self.iterations.assign(0)

    def apply(self, grads) -> None:
        """One update of every variable (graph mode, inside the epoch function)."""
        tf = self.tf
        step = tf.cast(self.iterations + 1, tf.float32)
        alpha = self._lr * tf.sqrt(1 - tf.pow(self._b2, step)) / (1 - tf.pow(self._b1, step))
        for var, g, m, v in zip(self.variables, grads, self.m, self.v, strict=True):
            m.assign_add((g - m) * self._c1)
            v.assign_add((tf.square(g) - v) * self._c2)
            var.assign_sub((m * alpha) / (tf.sqrt(v) + self._eps))
        self.iterations.assign_add(1)
