"""Input assembly of the neural forecasters: the transformed matrix ``S`` and its windows.

``S`` has one row per observation (after the rows lost to differencing) and the
columns ``[targets, past covariates, future-known covariates + calendar features]``,
all on the transformed/scaled scale. Window ``i`` holds the rows ``i .. i + n_in - 1``
of ``S`` (its *origin* is the last of them, row ``i + n_in - 1``); its outputs are the
rows after it.

:class:`WindowAssembly` is a mixin of :class:`NeuralForecaster`: it reads the fitted
attributes ``cfg_``, ``layout_``, ``n_lost_``, the preprocessing and the column lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecastkit.errors import DataError
from forecastkit.forecasters.series import future_index, span_index


def raw_windows(S: np.ndarray, n_in: int, starts: np.ndarray) -> np.ndarray:
    """Unframed windows ``(len(starts), n_in, F)`` of ``S`` starting at the rows ``starts``."""
    from numpy.lib.stride_tricks import sliding_window_view

    return np.ascontiguousarray(sliding_window_view(S, n_in, axis=0).swapaxes(1, 2)[starts], dtype=np.float32)


class WindowAssembly:
    """Preprocessing matrix, windows and future-known inputs (mixin)."""

    def _known_values(self, X: pd.DataFrame | None, index: pd.Index) -> np.ndarray:
        """Future-known covariates then calendar features over ``index``, unscaled."""
        from forecastkit.forecasters.covariates import known_block

        return known_block(index, self.freq_, X, self.known_cols_, self.calendar if self.calendar_cols_ else None)[0]

    def _matrix(self, y: np.ndarray, X: pd.DataFrame | None, index: pd.Index, fit: bool) -> np.ndarray:
        """The transformed matrix ``S`` (n - n_lost, k + p + f); fits the preprocessing if ``fit``."""
        from forecastkit.forecasters.preprocessing import ColumnScaler, TargetTransformer

        lost = self.n_lost_
        if len(y) <= lost:
            raise DataError(
                f"differencing (difference={self.difference}, seasonal_difference={self.seasonal_difference}) "
                f"needs more than {lost} rows, got {len(y)}"
            )
        if fit:
            self.target_tf_ = TargetTransformer(
                transform=self.transform, boxcox_lambda=self.boxcox_lambda, difference=self.difference,
                seasonal_difference=self.seasonal_difference, scaler=self.scaler,
            ).fit(y)
        blocks = [self.target_tf_.transform(y)]
        past = X[self.past_cols_].to_numpy(dtype=float)[lost:] if self.past_cols_ else np.empty((len(y) - lost, 0))
        known = self._known_values(X, index)[lost:]
        if fit:
            self.past_scaler_ = ColumnScaler(self.scaler).fit(past) if past.shape[1] else None
            self.known_scaler_ = ColumnScaler(self.scaler).fit(known) if known.shape[1] else None
        if self.past_scaler_ is not None:
            blocks.append(self.past_scaler_.transform(past))
        if self.known_scaler_ is not None:
            blocks.append(self.known_scaler_.transform(known))
        return np.hstack(blocks).astype(np.float32)

    def _frame(self, windows: np.ndarray) -> np.ndarray:
        """Apply the variant's framing to windows (N, n_in, F)."""
        if self.cfg_.variant == "window":
            windows = windows.reshape(len(windows), 1, -1)
        return np.ascontiguousarray(windows, dtype=np.float32)

    def _windows(self, S: np.ndarray, n_steps: int, n_rows: int):
        """Inputs (N, T, F), future inputs (N, n_steps, f) and outputs (N, n_steps, o) of ``S``."""
        from numpy.lib.stride_tricks import sliding_window_view

        n_in, lost = self.cfg_.n_in, self.n_lost_
        n_windows = len(S) - n_in - n_steps + 1
        if n_windows < 1:
            raise DataError(
                f"the window n_in={n_in} plus {n_steps} output step(s) needs at least "
                f"{lost + n_in + n_steps} training rows ({lost} lost to differencing), got {n_rows}"
            )
        k, p, f = self.layout_
        n_out = k + p if self.cfg_.strategy == "recursive" else k
        X = sliding_window_view(S[: len(S) - n_steps], n_in, axis=0).swapaxes(1, 2)[:n_windows]
        ahead = sliding_window_view(S[n_in:], n_steps, axis=0).swapaxes(1, 2)[:n_windows]
        Y = np.ascontiguousarray(ahead[..., :n_out], dtype=np.float32)
        F = np.ascontiguousarray(ahead[..., k + p:], dtype=np.float32)
        return self._frame(X), F, Y

    def _split_info(self, n_windows: int, n_train: int, val_start: int, dropped: int, n_steps: int) -> dict:
        """Origins (last input timestamp) of the training and validation windows."""
        index = span_index(self.train_first_, self.freq_, self.fit_span_[2])
        first_origin = self.n_lost_ + self.cfg_.n_in - 1  # row of window 0's origin

        def stamp(i: int) -> str:
            return str(index[first_origin + i])

        info = {
            "n_windows": n_windows, "n_train": n_train - dropped, "n_val": n_windows - val_start,
            "gap": val_start - n_train, "dropped_oldest": dropped,
            "train_origins": [stamp(dropped), stamp(n_train - 1)],
            "train_last_target": str(index[first_origin + n_train - 1 + n_steps]),
            "val_origins": [stamp(val_start), stamp(n_windows - 1)] if val_start < n_windows else None,
        }
        return info

    def _history_windows(self, S: np.ndarray, start_origin: int) -> np.ndarray:
        """Input windows of ``S`` with origins ``start_origin .. len(S) - 2`` (those before the last row)."""
        from numpy.lib.stride_tricks import sliding_window_view

        n_in = self.cfg_.n_in
        start = max(start_origin, n_in - 1)
        if len(S) - 1 <= start:
            return np.empty((0, *self._input_shape()), dtype=np.float32)
        rows = S[start - n_in + 1: len(S) - 1]
        return self._frame(sliding_window_view(rows, n_in, axis=0).swapaxes(1, 2))

    def _input_shape(self) -> tuple[int, int]:
        n_in, F = self.cfg_.n_in, sum(self.layout_)
        return (1, n_in * F) if self.cfg_.variant == "window" else (n_in, F)

    def _known_future(self, n: int, X_future: pd.DataFrame | None) -> np.ndarray:
        """Scaled future-known covariates + calendar features for the next ``n`` steps."""
        if self.known_scaler_ is None:
            return np.empty((n, 0), dtype=np.float32)
        idx = future_index(self.last_, self.freq_, n)
        values = self._known_values(X_future.iloc[:n] if X_future is not None else None, idx)
        return self.known_scaler_.transform(values).astype(np.float32)
