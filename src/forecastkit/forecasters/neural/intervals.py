"""Prediction intervals of the neural forecasters, from their validation windows.

Method (split conformal, per step and target)
---------------------------------------------
The last ``validation_fraction`` of the training windows are held out of training for
early stopping. Their origins are the calibration set: from each of them the trained
network forecasts ``h`` steps exactly as :meth:`NeuralForecaster.predict` does (the
mean of the repeat members; ``recursive``: the forecast fed back ``h`` times, every
validation window advanced together, one batched network call per step; stateful:
each window starts from the state carried through the windows before it), and the
residuals ``actual - forecast`` are taken on the transformed scale.

They are mapped to the level (log/Box-Cox) scale with
:meth:`TargetTransformer.integrate_errors` (the inverse scaling and differencing is
affine in the forecast for a given history, so the integrated residual is the
residual of the integrated forecast). The interval of step ``s`` is the forecast's
level plus the residuals' lower and upper order statistics of rank
``ceil((n + 1)(1 - alpha / 2))`` (the split-conformal rank, capped at the extremes),
mapped back through the monotone :meth:`TargetTransformer.unstabilise`, so a log
transform keeps the bounds positive. The point forecast stays :meth:`predict`'s (the
members' mean in original units); with several members and a log/Box-Cox transform
the bounds are centred on the back-transformed mean of the members on the transformed
scale instead, which differs slightly. Empirical bounds need not contain the point
forecast when the validation residuals are all of one sign (a biased network).

The residuals are computed once per fit and number of steps and kept in the network
(:meth:`update` keeps them; save/load stores them). With fewer than
:data:`MIN_WINDOWS` validation windows that have ``h`` observed targets (e.g.
``validation_fraction=0``) there is no interval: the bounds are NaN and
``interval_note_`` says why, so a backtest still scores the point forecasts.

The residuals come from the windows early stopping selected the weights on, so they
can be slightly optimistic for long-trained, over-parameterised networks.
"""

from __future__ import annotations

import math

import numpy as np

#: fewest validation windows an interval is computed from
MIN_WINDOWS = 10


def validation_origins(model, net, steps: int) -> np.ndarray:
    """Start rows (window indices into ``train_S_``) of the validation windows of ``net``
    whose next ``steps`` rows are observed."""
    split = net.split
    val_start = split["n_windows"] - split["n_val"]
    last = len(model.train_S_) - model.cfg_.n_in - steps
    return np.arange(val_start, last + 1)


def calibration_errors(model, net, h: int) -> np.ndarray:
    """Validation residuals ``(n, h, k)`` on the transformed scale for ``h``-step forecasts
    (``n == 0`` when there are fewer than :data:`MIN_WINDOWS`); cached in ``net.calib``."""
    key = h if model.cfg_.strategy == "recursive" else net.spec.n_steps
    if key not in net.calib:
        net.calib[key] = _residuals(model, net, key)
        info = model.fit_info_.get(net.spec.n_steps)
        if info is not None:
            info.setdefault("calibration", {})[key] = len(net.calib[key])
    return net.calib[key][:, :h]


def _residuals(model, net, steps: int) -> np.ndarray:
    from forecastkit.forecasters.neural.training import get_engine
    from forecastkit.forecasters.neural.windows import raw_windows

    S, n_in, k = model.train_S_, model.cfg_.n_in, model.layout_[0]
    origins = validation_origins(model, net, steps)
    if len(origins) < MIN_WINDOWS:
        return np.empty((0, steps, k))
    windows = raw_windows(S, n_in, origins)
    ahead = S[origins[:, None] + n_in + np.arange(steps)]  # (n, steps, F): what followed each window
    engine = get_engine(net.spec, net.learning_rate)
    forecast = np.mean([_member_paths(model, engine, net, r, windows, ahead, origins)
                        for r in range(len(net.members))], axis=0)
    return ahead[..., :k].astype(float) - forecast


def rollout(model, engine, net, r: int, windows: np.ndarray, known: np.ndarray, states, steps: int) -> np.ndarray:
    """Member ``r``'s forecasts (n, steps, k) on the transformed scale from ``n`` windows
    at once: one network call (multi-step strategies: all the network's steps) or, for
    ``recursive``, one batched call per step with every window advanced by its forecast.
    ``known``: the future-known values after each window (n, >= steps, f); ``states``:
    a stateful network's state rows (n, units) each, else None."""
    k = model.layout_[0]
    weights = net.members[r].weights
    stateful = model.cfg_.stateful

    def call(x, f, states):
        return engine.step_many(weights, x, f, states) if stateful else (engine.predict(weights, x, f), None)

    if model.cfg_.strategy != "recursive":
        return call(model._frame(windows), known[:, :net.spec.n_steps], states)[0][..., :k]
    W, out_steps = windows, []
    for s in range(steps):
        out, states = call(model._frame(W), known[:, s:s + 1], states)
        row = np.concatenate([out[:, 0], known[:, s]], axis=1).astype(np.float32)
        W = np.concatenate([W[:, 1:], row[:, None]], axis=1)
        out_steps.append(out[:, 0, :k])
    return np.stack(out_steps, axis=1)


def _member_paths(model, engine, net, r: int, windows, ahead, origins, S=None) -> np.ndarray:
    """One member's forecasts (n, steps, k) from every validation window, transformed scale
    (``origins``: the windows' start rows in ``S``, default the training matrix)."""
    k, p, _ = model.layout_
    known = np.ascontiguousarray(ahead[..., k + p:])
    states = _states_before(model, engine, net.members[r].weights, origins, S) if model.cfg_.stateful else None
    return rollout(model, engine, net, r, windows, known, states, ahead.shape[1])


def _states_before(model, engine, weights, origins, S=None) -> list[np.ndarray]:
    """Stateful: the state each validation window starts from, carried from zero through
    every window before it (as the history's state is before a forecast)."""
    from forecastkit.forecasters.neural.windows import raw_windows

    S = model.train_S_ if S is None else S
    earlier = model._frame(raw_windows(S, model.cfg_.n_in, np.arange(origins[-1])))
    path = engine.state_path(weights, earlier)  # row j: after windows 0..j; origins start at >= 1
    return [np.ascontiguousarray(s[origins - 1]) for s in path]


def conformal_bounds(errors: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper order statistics ``(h, k)`` of ``errors`` (n, h, k) at the
    split-conformal rank ``ceil((n + 1)(1 - alpha / 2))`` (capped at ``n``)."""
    n = len(errors)
    rank = min(n, math.ceil((n + 1) * (1 - (1 - level) / 2)))
    ordered = np.sort(errors, axis=0)
    return ordered[n - rank], ordered[rank - 1]


def interval_forecast(model, net, z: np.ndarray, level: float):
    """``(lower, upper, note)`` in original units around the members' forecasts ``z``
    (repeats, h, k) on the transformed scale; NaN bounds and a note without calibration."""
    h, k = z.shape[1], z.shape[2]
    residuals = calibration_errors(model, net, h)
    if len(residuals) == 0:
        have = len(validation_origins(model, net, h if model.cfg_.strategy == "recursive" else net.spec.n_steps))
        note = (
            f"no interval: too few validation windows ({have} with {h} observed steps, "
            f"need {MIN_WINDOWS}); use more data or a larger validation_fraction "
            f"(now {model.validation_fraction!r})"
        )
        nan = np.full((h, k), np.nan)
        return nan, nan.copy(), note
    tt = model.target_tf_
    lo, hi = conformal_bounds(tt.integrate_errors(residuals), level)
    center = tt.inverse_to_level(z.mean(axis=0)[None], model.hist_y_)[0]
    return tt.unstabilise(center + lo), tt.unstabilise(center + hi), None
