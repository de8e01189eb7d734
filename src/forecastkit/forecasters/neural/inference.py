"""Forecasting with the trained networks of a
:class:`~forecastkit.forecasters.neural.forecaster.NeuralForecaster`: each ensemble
member from the history's last window (fed back step by step for ``recursive``), or
from many origins at once (the conformal wrapper's calibration windows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.forecasters.neural.settings import _Net


class Inference:
    """Mixin of :class:`NeuralForecaster`: member forecasts on the transformed scale."""

    def _member_forecast(self, engine, net: _Net, r: int, h: int, known: np.ndarray) -> np.ndarray:
        """One member's forecast (h, k) on the transformed scale."""
        window = self.hist_S_[-self.cfg_.n_in:]
        from forecastkit.forecasters.neural.intervals import rollout

        states = net.states[r] if self.cfg_.stateful else None
        return rollout(self, engine, net, r, window[None], known[None], states, h)[0, :h]

    def _forecast(self, h: int, X: pd.DataFrame | None) -> tuple[_Net, np.ndarray]:
        """The network used and every member's forecast (repeats, h, k) on the transformed
        scale; sets ``repeat_predictions_`` / ``prediction_std_`` (original units)."""
        from forecastkit.forecasters.neural.training import get_engine

        net = self._net_for(h)
        engine = get_engine(net.spec, net.learning_rate)
        n_known = h if self.cfg_.strategy == "recursive" else net.spec.n_steps
        known = self._known_future(n_known, X)
        z = np.stack([self._member_forecast(engine, net, r, h, known) for r in range(len(net.members))])
        self.repeat_predictions_ = np.stack([self.target_tf_.inverse_transform_forecast(zr, self.hist_y_) for zr in z])
        self.prediction_std_ = self.repeat_predictions_.std(axis=0)
        return net, z

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins, h: int, level: float | None):
        """Forecasts from many origins in one batched network call per member (per step
        for ``recursive``), for :class:`~forecastkit.forecasters.conformal.ConformalForecaster`.

        Row ``i`` of each (n_origins, h, k) array equals ``update(y[:o], X[:o])`` then
        ``predict_interval(h, X[o:o + h], level)`` (``predict`` and None bounds when
        ``level`` is None), ``o = origins[i]``, up to float32 rounding; ``y`` and ``X``
        start at the first fitted row. None when the origins cannot be batched (then
        the caller loops).
        """
        from forecastkit.forecasters.neural.intervals import _member_paths, calibration_errors, conformal_bounds
        from forecastkit.forecasters.neural.training import get_engine
        from forecastkit.forecasters.neural.windows import raw_windows

        self._check_fitted()
        origins = np.asarray(origins, dtype=int)
        cfg, lost = self.cfg_, self.n_lost_
        net = self._net_for(h)
        n_known = h if cfg.strategy == "recursive" else net.spec.n_steps
        end = int(origins.max()) + n_known if len(origins) else 0
        starts = origins - lost - cfg.n_in  # first row (of S) of each origin's input window
        if len(origins) == 0 or starts.min() < (1 if cfg.stateful else 0) or end > len(y):
            return None
        index = (X.index if X is not None else y.index)[:end]
        S = self._matrix(y.to_numpy(dtype=float)[:end], None if X is None else X.iloc[:end], index, fit=False)
        windows = raw_windows(S, cfg.n_in, starts)
        ahead = S[(origins - lost)[:, None] + np.arange(n_known)]
        engine = get_engine(net.spec, net.learning_rate)
        z = np.stack([_member_paths(self, engine, net, r, windows, ahead, starts, S)[:, :h]
                      for r in range(len(net.members))]).astype(float)  # (repeats, n, h, k)
        tt, yv = self.target_tf_, y.to_numpy(dtype=float)
        mean = np.mean([tt.unstabilise(tt.inverse_to_level_at(zr, yv, origins)) for zr in z], axis=0)
        if level is None:
            return mean, None, None
        residuals = calibration_errors(self, net, h)
        if len(residuals) == 0:  # no band of its own (predict_interval's NaN bounds)
            return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan)
        lo, hi = conformal_bounds(tt.integrate_errors(residuals), level)
        center = tt.inverse_to_level_at(z.mean(axis=0), yv, origins)
        return mean, tt.unstabilise(center + lo), tt.unstabilise(center + hi)
