"""``NeuralForecaster``: Keras LSTM/GRU/MLP/CNN/encoder-decoder forecasters.

Data flow
---------
1. The targets go through a :class:`TargetTransformer` (log/Box-Cox, differences,
   scaler) and the covariates through :class:`ColumnScaler` s, all fitted on the
   training rows only. The result is one float matrix ``S`` with columns
   ``[targets, past covariates, future-known covariates + calendar features]``.
2. Windows of ``n_in`` rows of ``S`` are the inputs (framed by ``variant``); the outputs
   are the next ``n_steps`` rows of the targets (``multi_output``, ``encoder_decoder``)
   or the next row of targets *and* past covariates (``recursive``: predicting the
   covariates too is what makes feeding the forecast back possible).
3. Future-known covariates over the output steps are a second input: flattened into
   the dense head of the window networks, concatenated to the decoder inputs of the
   encoder-decoder. They are also part of every input window (their past is known).
4. Validation windows for early stopping are the last ``validation_fraction`` of the
   training windows, with the ``n_steps - 1`` windows before them dropped from training
   so no training target is a validation target; best weights are restored.
5. Prediction intervals are split-conformal bounds from the residuals of the forecasts
   made from those validation windows (:mod:`.intervals`).

Stateful variants carry the recurrent state through the history: after training, the
state is recomputed by running the inference network (states as inputs) over every input
window of the history in order; :meth:`update` with a history that extends the
previous one only feeds the new windows, any other history restarts from a zero state.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import DataError
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.series import span_index
from forecastkit.forecasters.neural.architectures import ARCHITECTURES, STRATEGIES, VARIANTS, NetSpec
from forecastkit.forecasters.neural.inference import Inference
from forecastkit.forecasters.neural.settings import NeuralSettings, _Net, resolve_settings
from forecastkit.forecasters.neural.windows import WindowAssembly
from forecastkit.forecasters.preprocessing import SCALERS, TRANSFORMS


class NeuralForecaster(Inference, WindowAssembly, Forecaster):
    """Keras (TensorFlow) neural forecaster.

    Parameters
    ----------
    architecture : {"lstm", "gru", "dense", "cnn1d", "encoder_decoder"}
    variant : {"timesteps", "window", "lookback1", "stateful", "stacked_stateful"}
        Framing of the input window (lstm/gru; the others accept "timesteps" only):
        ``lookback1`` one lag as one feature of one time step, input ``(1, F)`` (``n_in``
        is ignored: always one lag); ``window`` ``n_in`` lags as features of one time step,
        ``(1, n_in * F)``; ``timesteps`` ``n_in`` lags as time steps, ``(n_in, F)``;
        ``stateful`` the timesteps framing with a stateful layer, fixed ``batch_size``,
        no shuffling, states reset at each epoch, state carried into prediction;
        ``stacked_stateful`` two stateful layers (``units`` of length 1 is repeated).
    strategy : {"multi_output", "recursive"}
        ``multi_output``: a ``Dense(h * n_targets)`` head gives the whole horizon;
        ``recursive``: a one-step network fed back ``h`` times. ``encoder_decoder`` is
        multi-output by construction.
    horizon : int, optional
        Output length of multi-output networks. ``None`` trains one lazily at the first
        ``predict(h)`` for that ``h`` (cached per ``h``; the training data is kept).
        Given, the network is trained in ``fit`` and serves any ``h <= horizon``.
    n_in : int
        Window length (lags).
    units : int or sequence of int
        Units (filters for cnn1d) per hidden layer.
    layers : int, optional
        Number of hidden layers; repeats a single ``units`` value.
    dropout : float
        Dropout after each hidden layer.
    activation : str, optional
        Hidden activation (default: tanh for recurrent networks, relu for dense/cnn1d).
    kernel_size : int
        Convolution width of cnn1d (causal padding).
    learning_rate : float
        Adam's learning rate (loss: mean squared error on the transformed scale).
    batch_size : int
        Mini-batch size; for stateful variants the fixed batch size, i.e. the number of
        parallel contiguous streams the training windows are cut into. When it does not
        divide the number of training windows, the oldest windows are dropped
        (reported in ``fit_info_[h]["split"]["dropped_oldest"]``).
    epochs : int
        Maximum number of epochs.
    patience : int, optional
        Early stopping: stop after ``patience`` epochs without a better validation
        loss and restore the best weights. ``None``: run every epoch.
    validation_fraction : float
        Share of the training windows, taken from the end, used for validation (0: none).
    transform, boxcox_lambda, difference, seasonal_difference, scaler
        The target preprocessing chain (:class:`TargetTransformer`); ``scaler`` also
        scales the covariates (fitted on the training rows).
    future_known : list of str, optional
        Columns of ``X`` known over the horizon (their future values go to ``predict``).
        Other columns of ``X`` are past covariates.
    calendar : list of str, optional
        Calendar features (see :mod:`forecastkit.forecasters.covariates`) used as
        future-known covariates.
    seed : int
        Seed of the first member; member ``r`` uses ``seed + r``.
    repeats : int
        Number of members trained with different seeds; forecasts are their mean,
        ``repeat_predictions_`` and ``prediction_std_`` keep the spread.
    deterministic : bool
        Enable TensorFlow op determinism (process-wide).
    verbose : int
        0 silent, 1 one line per member, 2 one line per epoch.

    Attributes
    ----------
    fit_info_ : dict
        Per trained output length: the split (window counts, origins of the training and
        validation windows), each member's losses, best epoch and fit time, and
        ``calibration``: steps -> number of validation windows behind the intervals.
    repeat_predictions_ : ndarray (repeats, h, n_targets)
        Each member's forecast from the last ``predict``.
    prediction_std_ : ndarray (h, n_targets)
        Their standard deviation.
    interval_note_ : str or None
        Why the last ``predict_interval`` has NaN bounds (too few validation windows).

    Notes
    -----
    ``predict_interval`` gives split-conformal intervals from the out-of-sample
    residuals of the ``h``-step forecasts made from the validation windows (the last
    ``validation_fraction`` of the training windows, never trained on), per step and
    target, carried through differencing and the log/Box-Cox inverse like
    :class:`~forecastkit.forecasters.reduction.ReductionForecaster`. They need at least
    10 validation windows with ``h`` observed steps; otherwise the bounds are NaN
    (see :mod:`forecastkit.forecasters.neural.intervals`).
    """

    _tags = {"intervals": True, "past_covariates": True, "future_covariates": True, "fixed_horizon": True,
             "neural": True}
    seed_param = "seed"
    param_choices = {
        "architecture": ARCHITECTURES, "variant": VARIANTS, "strategy": STRATEGIES,
        "transform": (None, *TRANSFORMS), "scaler": (None, *SCALERS),
    }

    def __init__(
        self,
        architecture="lstm",
        variant="timesteps",
        strategy="multi_output",
        horizon=None,
        n_in=12,
        units=(32,),
        layers=None,
        dropout=0.0,
        activation=None,
        kernel_size=3,
        learning_rate=0.005,
        batch_size=32,
        epochs=200,
        patience=20,
        validation_fraction=0.1,
        transform=None,
        boxcox_lambda=None,
        difference=0,
        seasonal_difference=0,
        scaler="standard",
        future_known=None,
        calendar=None,
        seed=0,
        repeats=1,
        deterministic=False,
        verbose=0,
    ):
        self.architecture = architecture
        self.variant = variant
        self.strategy = strategy
        self.horizon = horizon
        self.n_in = n_in
        self.units = units
        self.layers = layers
        self.dropout = dropout
        self.activation = activation
        self.kernel_size = kernel_size
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.transform = transform
        self.boxcox_lambda = boxcox_lambda
        self.difference = difference
        self.seasonal_difference = seasonal_difference
        self.scaler = scaler
        self.future_known = future_known
        self.calendar = calendar
        self.seed = seed
        self.repeats = repeats
        self.deterministic = deterministic
        self.verbose = verbose

    # -- parameters -------------------------------------------------------------------
    def _resolve(self) -> NeuralSettings:
        """Validate the parameters; return the effective configuration."""
        return resolve_settings(self)

    def _fit_steps(self, cfg: "NeuralSettings") -> int:
        """Output steps of the network trained in ``fit`` (1 until a lazy horizon is known)."""
        if cfg.strategy == "recursive":
            return 1
        return cfg.horizon or 1

    def min_train_size(self) -> int:
        """Rows for one training window; ``batch_size`` of them for a stateful model
        (so a calibration copy is never given fewer)."""
        cfg = self._resolve()
        windows = cfg.batch_size if cfg.stateful else 1
        return cfg.difference + cfg.seasonal_difference + cfg.n_in + self._fit_steps(cfg) + windows - 1

    def _min_size_hint(self) -> str:
        cfg = self._resolve()
        if not cfg.stateful:
            return ""
        return f" (a stateful model trains on at least batch_size={cfg.batch_size} windows; lower batch_size)"

    # -- fit ----------------------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        from forecastkit.forecasters.covariates import calendar_features, validate_features

        self.cfg_ = cfg = self._resolve()
        self.n_lost_ = cfg.difference + cfg.seasonal_difference
        fk = self.future_known_columns()
        self.known_cols_ = [c for c in fk if c in self.covariates_]
        self.past_cols_ = [c for c in self.covariates_ if c not in fk]
        index = span_index(self.first_, self.freq_, self.n_obs_)
        validate_features(self.calendar)
        self.calendar_cols_ = (
            [str(c) for c in calendar_features(index[:3], self.calendar, freq=self.freq_).columns]
            if self.calendar else []
        )
        S = self._matrix(y, X, index, fit=True)
        self.layout_ = (self.n_targets_, len(self.past_cols_), len(self.known_cols_) + len(self.calendar_cols_))
        self.train_S_ = S
        self.train_first_ = self.first_
        self._set_history(S, y)
        self.nets_: dict[int, _Net] = {}
        self.fit_info_: dict[int, dict] = {}
        self.fit_seconds_ = 0.0
        if cfg.strategy == "recursive" or cfg.horizon is not None:
            self._train(self._fit_steps(cfg))

    def _set_history(self, S: np.ndarray, y: np.ndarray) -> None:
        self.hist_first_ = self.first_
        # stateful models keep the whole history (a lazily trained network warms its state on it)
        self.hist_S_ = S if self.cfg_.stateful else S[-self.cfg_.n_in:]
        self.hist_rows_ = len(S)
        self.hist_y_ = y[-(self.n_lost_ + 1):].copy()

    def _train(self, n_steps: int) -> _Net:
        from forecastkit.forecasters.neural.training import get_engine, split_windows, stream_order

        cfg = self.cfg_
        t0 = time.perf_counter()
        X, F, Y = self._windows(self.train_S_, n_steps, self.fit_span_[2])
        n_windows = len(X)
        n_train, val_start = split_windows(n_windows, cfg.validation_fraction, n_steps - 1,
                                           cfg.batch_size if cfg.stateful else 1)
        spec = NetSpec(
            architecture=cfg.architecture, variant=cfg.variant, input_shape=tuple(X.shape[1:]),
            n_steps=n_steps, n_outputs=Y.shape[2], n_future=F.shape[2], units=cfg.units,
            dropout=cfg.dropout, activation=cfg.activation, kernel_size=cfg.kernel_size,
            batch_size=cfg.batch_size if cfg.stateful else None,
        )
        data: dict[str, Any] = {"n_train": n_train, "n_val": n_windows - val_start}
        dropped = 0
        if cfg.stateful:
            order, dropped = stream_order(n_train, cfg.batch_size)
            data.update(Xs=X[order], Fs=F[order], Ys=Y[order], Xp=X[n_train:], Fp=F[n_train:], Yp=Y[n_train:],
                        n_skip=val_start - n_train)
        else:
            data.update(X=X[:n_train], F=F[:n_train], Y=Y[:n_train], Xv=X[val_start:], Fv=F[val_start:], Yv=Y[val_start:])
        engine = get_engine(spec, cfg.learning_rate)
        members = []
        for r in range(cfg.repeats):
            member = engine.train(
                data, seed=cfg.seed + r, epochs=cfg.epochs, batch_size=cfg.batch_size,
                patience=cfg.patience, deterministic=bool(self.deterministic), verbose=int(self.verbose) >= 2,
            )
            members.append(member)
            if self.verbose:
                s = member.summary()
                print(f"{cfg.architecture}/{cfg.variant} h={n_steps} seed {s['seed']}: {s['epochs_run']} epochs, "
                      f"best val loss {s['best_val_loss']}, {s['fit_seconds']:.2f}s")
        net = _Net(spec=spec, members=members, split={}, learning_rate=cfg.learning_rate)
        net.split = self._split_info(n_windows, n_train, val_start, dropped, n_steps)
        if cfg.stateful:
            windows = self._history_windows(self.hist_S_, 0)
            net.states = [engine.warm(m.weights, windows) for m in members]
            net.state_rows = self.hist_rows_
        self.nets_[n_steps] = net
        self.fit_info_[n_steps] = {"split": net.split, "members": [m.summary() for m in members], "calibration": {}}
        steps = cfg.horizon if cfg.strategy == "recursive" else n_steps
        if steps is not None:  # interval calibration on the validation windows, timed as training
            from forecastkit.forecasters.neural.intervals import calibration_errors

            calibration_errors(self, net, steps)
        seconds = time.perf_counter() - t0
        self.fit_seconds_ += seconds
        self.fit_info_[n_steps]["seconds"] = round(seconds, 4)
        return net

    # -- update ---------------------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        need = self.n_lost_ + self.cfg_.n_in
        if len(y) < need:
            raise DataError(
                f"update: the window n_in={self.cfg_.n_in} needs at least {need} rows of history "
                f"({self.n_lost_} lost to differencing), got {len(y)}"
            )
        S = self._matrix(y, X, span_index(self.first_, self.freq_, self.n_obs_), fit=False)
        old_S, old_rows, old_first = self.hist_S_, self.hist_rows_, self.hist_first_
        self._set_history(S, y)
        if not self.cfg_.stateful:
            return
        from forecastkit.forecasters.neural.training import get_engine

        extends = (
            old_first == self.first_ and len(S) >= old_rows
            and np.allclose(S[:old_rows], old_S, rtol=1e-6, atol=1e-6)
        )
        for net in self.nets_.values():
            engine = get_engine(net.spec, net.learning_rate)
            if extends:  # feed only the windows after those already consumed
                windows = self._history_windows(S, net.state_rows - 1)
                net.states = [engine.warm(m.weights, windows, st) for m, st in zip(net.members, net.states, strict=True)]
            else:  # another history: start again from a zero state
                windows = self._history_windows(S, 0)
                net.states = [engine.warm(m.weights, windows) for m in net.members]
            net.state_rows = len(S)

    # -- predict --------------------------------------------------------------------------
    def _net_for(self, h: int) -> _Net:
        cfg = self.cfg_
        if cfg.strategy == "recursive":
            return self.nets_[1]
        if h in self.nets_:
            return self.nets_[h]
        # a longer network serves a shorter horizon unless user covariates must cover all its steps
        longer = [H for H in self.nets_ if H > h]
        if longer and not self.known_cols_:
            return self.nets_[min(longer)]
        if cfg.horizon is not None and h > cfg.horizon:
            raise DataError(
                f"this forecaster was trained for horizon={cfg.horizon}; predict({h}) needs a longer "
                "horizon (set horizon >= h, or horizon=None to train one per requested h)"
            )
        return self._train(h)

    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        self._forecast(h, X)
        return self.repeat_predictions_.mean(axis=0)

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        from forecastkit.forecasters.neural.intervals import interval_forecast

        net, z = self._forecast(h, X)
        mean = self.repeat_predictions_.mean(axis=0)
        lower, upper, self.interval_note_ = interval_forecast(self, net, z, level)
        return mean, lower, upper

    # -- description, audit, persistence --------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """Architecture, variant, window, transform chain and, per trained horizon,
        the epochs each ensemble member ran."""
        cfg = self.cfg_
        chain = self.target_tf_.describe()
        return {
            **super().fitted_info(),
            "architecture": cfg.architecture,
            "variant": cfg.variant,
            "strategy": cfg.strategy,
            "lags": cfg.n_in,
            "units": list(cfg.units),
            "repeats": cfg.repeats,
            "transform": chain["transform"],
            "difference": chain["difference"],
            "seasonal_difference": chain["seasonal_difference"],
            "epochs_run": {str(h): [m["epochs_run"] for m in info["members"]] for h, info in self.fit_info_.items()},
        }

    def _transform_audit(self) -> dict[str, Any]:
        start, end, n = self.fit_span_
        out = {"target": {"fit_start": start, "fit_end": end, "n_rows": n, "params": self.target_tf_.describe()}}
        lost_start = str(span_index(self.train_first_, self.freq_, n)[self.n_lost_])
        for name, scaler, cols in (
            ("past_covariates", self.past_scaler_, self.past_cols_),
            ("future_covariates", self.known_scaler_, self.known_cols_ + self.calendar_cols_),
        ):
            if scaler is not None:
                params = {"columns": cols, **scaler.describe()}
                out[name] = {"fit_start": lost_start, "fit_end": end, "n_rows": n - self.n_lost_, "params": params}
        return out

    def save(self, path) -> None:
        """Save the fitted forecaster to the directory ``path`` (see :mod:`.persistence`)."""
        from forecastkit.forecasters.neural.persistence import save

        save(self, path)

    @classmethod
    def load(cls, path) -> "NeuralForecaster":
        """Load a forecaster saved with :meth:`save`; it predicts the same values."""
        from forecastkit.forecasters.neural.persistence import load

        return load(path, cls)

    def _save_state(self, directory) -> dict[str, Any]:
        # networks as .keras files, the rest as JSON and .npz (see .persistence)
        self.save(Path(directory) / "keras")
        return {"keras": "keras"}

    def _load_state(self, directory, state: dict[str, Any]) -> None:
        vars(self).update(vars(self.load(Path(directory) / state["keras"])))
