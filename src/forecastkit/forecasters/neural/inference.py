"""Forecasting with the trained networks of a
:class:`~forecastkit.forecasters.neural.forecaster.NeuralForecaster`: each ensemble
member from the history's last window (fed back step by step for ``recursive``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.forecasters.neural.settings import _Net


class Inference:
    """Mixin of :class:`NeuralForecaster`: member forecasts on the transformed scale."""

    def _member_forecast(self, engine, net: _Net, r: int, h: int, known: np.ndarray) -> np.ndarray:
        """One member's forecast (h, k) on the transformed scale."""
        k, p, _ = self.layout_
        window = self.hist_S_[-self.cfg_.n_in:]
        weights = net.members[r].weights
        stateful = self.cfg_.stateful
        states = net.states[r] if stateful else None
        if self.cfg_.strategy != "recursive":
            x = self._frame(window[None])
            f = known[None, : net.spec.n_steps]
            out = engine.step(weights, x, f, states)[0] if stateful else engine.predict(weights, x, f)
            return out[0, :h, :k]
        steps = []
        for s in range(h):
            x, f = self._frame(window[None]), known[None, s:s + 1]
            if stateful:
                out, states = engine.step(weights, x, f, states)
            else:
                out = engine.predict(weights, x, f)
            row = np.concatenate([out[0, 0], known[s]]).astype(np.float32)
            window = np.vstack([window[1:], row[None]])
            steps.append(out[0, 0, :k])
        return np.asarray(steps)

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
