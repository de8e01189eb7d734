"""Internals of :mod:`forecastkit.forecasters.reduction`.

- the regressor aliases and their resolution (:mod:`._regressors`, re-exported here)
  and the factory of fresh regressors;
- :func:`frame_windows` / :func:`create_train_X_y`: the one supervised framing shared by
  every strategy, the windows of :func:`forecastkit.framing.make_windows`;
- the three strategies (recursive, direct, multi-output) behind one base class, and
  the explicit registry the factory :func:`make_strategy` reads.

All arrays here are already preprocessed: ``Z`` (N, k) transformed targets, ``P`` (N, p)
scaled past covariates, ``F`` (N, f) scaled future-known covariates, row-aligned.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters._linear_direct import accumulate_prefixes, fitted_estimator, linear_spec, linear_weights, solve_prefix
from forecastkit.forecasters._calibration import MAX_CALIBRATION_WINDOWS, calibration_cuts, calibration_windows  # noqa: F401
from forecastkit.forecasters._linear_windowed import Windowed
from forecastkit.forecasters._regressors import REGRESSORS, RegressorAlias, resolve_regressor  # noqa: F401

#: fewest supervised samples a regressor is trained on
MIN_SAMPLES = 5


# --------------------------------------------------------------------------- regressors
class RegressorFactory:
    """``factory(n_outputs)`` -> a fresh unfitted clone of the prototype, wrapped in
    ``MultiOutputRegressor`` when it fits only one output. A class (not a closure) so
    fitted forecasters can be pickled."""

    def __init__(self, prototype: Any, multi_output: bool, n_jobs: Any = None):
        self.prototype = prototype
        self.multi_output = multi_output
        self.n_jobs = n_jobs

    def __call__(self, n_outputs: int) -> Any:
        from sklearn.base import clone
        from sklearn.multioutput import MultiOutputRegressor

        est = clone(self.prototype)
        if n_outputs > 1 and not self.multi_output:
            return MultiOutputRegressor(est, n_jobs=self.n_jobs)
        return est


# --------------------------------------------------------------------------- framing
class Windows(NamedTuple):
    Z: np.ndarray  # (S, n_in, k) target lags t-n_in+1..t
    P: np.ndarray  # (S, n_past, p) past covariate lags
    F: np.ndarray  # (S, n_out, f) future-known covariates at t+1..t+n_out
    Y: np.ndarray  # (S, n_out, k [+ p]) outputs at t+1..t+n_out
    origins: np.ndarray  # (S,) row positions of the origins t


def frame_windows(
    Z: np.ndarray, P: np.ndarray, F: np.ndarray, n_in: int, n_past: int, n_out: int, past_outputs: bool = False
) -> Windows:
    """Every (inputs, outputs) window of the preprocessed arrays with ``n_out`` outputs.

    The windows are those of :func:`make_windows` (strided views, no copy); the three
    blocks are aligned on their origin so that every sample has all of its lags and outputs.
    """
    N, k = Z.shape
    p, f = P.shape[1], F.shape[1]
    n_past = n_past if p else 0
    start = max(n_in, n_past) - 1
    S = N - start - n_out
    if S < 1:
        raise DataError(
            f"too few rows to frame: {N} rows after differencing, but {start + 1} lags and "
            f"{n_out} output step(s) need at least {start + 1 + n_out}"
        )
    # Read-only strided views (the windows of :func:`make_windows`, without building a
    # DataFrame first): sample i has its origin at row start + i.
    def windows(A: np.ndarray, first: int, width: int) -> np.ndarray:
        """(S, width, columns): rows first + i .. first + i + width - 1 of A."""
        return sliding_window_view(A, width, axis=0).swapaxes(1, 2)[first:first + S]

    Zw = windows(Z, start - n_in + 1, n_in)
    out = np.hstack([Z, P]) if past_outputs and p else Z
    Y = windows(out, start + 1, n_out)
    Pw = windows(P, start - n_past + 1, n_past) if p else np.empty((S, 0, 0))
    Fw = windows(F, start + 1, n_out) if f else np.empty((S, n_out, 0))
    origins = np.arange(start, start + S)
    return Windows(Zw, Pw, Fw, Y, origins)


def assemble(Zw: np.ndarray, Pw: np.ndarray, Fsel: np.ndarray) -> np.ndarray:
    """Design matrix rows: target lags, past covariate lags, then the selected
    future-known steps, each flattened time-major (the framer's column order)."""
    S = Zw.shape[0]
    return np.hstack([Zw.reshape(S, -1), Pw.reshape(S, -1), Fsel.reshape(S, -1)])


def create_train_X_y(
    Z: np.ndarray,
    P: np.ndarray,
    F: np.ndarray,
    n_in: int,
    n_past: int,
    n_out: int,
    out_steps: list[int],
    fut_steps: list[int],
    past_outputs: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The training table of one model: inputs = lags + future-known covariates at
    ``fut_steps``; outputs = targets (and past covariates if ``past_outputs``) at
    ``out_steps`` (steps counted from 1)."""
    w = frame_windows(Z, P, F, n_in, n_past, n_out, past_outputs)
    fi, oi = np.asarray(fut_steps, dtype=int) - 1, np.asarray(out_steps, dtype=int) - 1
    X = assemble(w.Z, w.P, w.F[:, fi])
    Y = w.Y[:, oi].reshape(len(X), -1)
    return X, Y


# --------------------------------------------------------------------------- strategies
class ReductionStrategy(ABC):
    """Base of the strategies: holds the training arrays and the fitted models.

    ``models_`` maps a key (step or horizon) to a fitted estimator. ``ensure(h)``
    trains whatever a forecast of ``h`` steps still needs, always from the arrays given
    to ``fit`` (never from later data); ``forecast`` maps input windows of many origins
    to (n_origins, h, k) forecasts on the transformed scale.
    """

    name = ""

    def __init__(self, make_regressor: Callable[[int], Any], n_in: int, n_past: int):
        self.make_regressor = make_regressor
        self.n_in = n_in
        self.n_past = n_past

    def fit(self, Z: np.ndarray, P: np.ndarray, F: np.ndarray) -> "ReductionStrategy":
        self.Z_, self.P_, self.F_ = Z, P, F
        self.k_ = Z.shape[1]
        self.models_: dict[int, Any] = {}
        return self

    def _check_rows(self, n_out: int) -> None:
        start = max(self.n_in, self.n_past if self.P_.shape[1] else 0)
        available = len(self.Z_) - start - n_out + 1
        if available < MIN_SAMPLES:
            raise DataError(
                f"the {self.name} strategy needs at least {MIN_SAMPLES} training windows for "
                f"{n_out} step(s) ahead, but the {len(self.Z_)} training rows (after differencing) "
                f"give {max(available, 0)}; use a shorter horizon, fewer lags or more data"
            )

    def _train(self, n_out: int, out_steps: list[int], fut_steps: list[int], past_outputs: bool = False) -> Any:
        self._check_rows(n_out)
        X, Y = create_train_X_y(
            self.Z_, self.P_, self.F_, self.n_in, self.n_past, n_out, out_steps, fut_steps, past_outputs
        )
        est = self.make_regressor(Y.shape[1])
        est.fit(X, Y[:, 0] if Y.shape[1] == 1 else Y)
        return est

    # -- plain linear regressors (Ridge / LinearRegression): fits from Gram matrices -------
    def _linear(self) -> tuple[Any, tuple[float, bool] | None]:
        """The prototype regressor and its ``linear_spec`` (None: not a plain linear model)."""
        prototype = getattr(self.make_regressor, "prototype", None)
        return prototype, (linear_spec(prototype) if prototype is not None else None)

    def rows_needed(self, h: int) -> int:
        """Output steps of the framing ``ensure(h)`` trains on (its row check)."""
        return h

    @abstractmethod
    def linear_problem(self, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """``(L, Fz, Yz, n_steps, first)`` for :func:`solve_direct_prefixes`: a fit on the
        first ``cut`` rows is the prefix of ``cut - first`` rows."""

    @abstractmethod
    def linear_models(self, h: int, prototype: Any, coef: np.ndarray, intercept: np.ndarray) -> dict[int, Any]:
        """The fitted estimators (keyed like ``models_``) of a :func:`solve_direct_prefixes` solution."""

    def _ensure_linear(self, h: int, calibrate_for: int | None = None) -> bool:
        """Train what ``ensure(h)`` needs from one Gram matrix; False when the regressor is
        not plain linear or the system is too ill-conditioned (then fit as usual).

        The same pass also accumulates the Gram blocks of the expanding refits the
        intervals of a ``calibrate_for``-step forecast calibrate on (:func:`calibration_cuts`),
        kept in ``calibration_``: ``predict_interval`` then only solves them, with no
        further pass over the data (and a run without intervals only pays the pass).
        """
        prototype, spec = self._linear()
        if spec is None:
            return False
        L, Fz, Yz, n_steps, first = self.linear_problem(h)
        horizon = h if calibrate_for is None else calibrate_for
        cuts = calibration_cuts(len(self.Z_), self._start(), horizon)
        if cuts and min(cuts) - 1 - self._start() - self.rows_needed(horizon) + 1 < MIN_SAMPLES:
            cuts = []  # too short to calibrate: predict_interval says so itself
        prefixes = [c - first for c in cuts or []]
        want = [len(L)] + prefixes
        handed = getattr(self, "precomputed_", None)  # blocks of a fit on more rows (a prefix copy)
        if handed is not None and handed[0] == (h, n_steps) and all(p in handed[2] for p in want):
            shared, blocks = handed[1], handed[2]
        else:
            # prefixes a fit on fewer rows will need (reserve_, row cuts): same pass, kept in reserved_
            extra = sorted({c - first for c in getattr(self, "reserve_", ()) if n_steps <= c - first <= len(L)})
            shared, blocks = accumulate_prefixes(L, Fz, Yz, n_steps, *spec, want + extra)
            if extra:
                self.reserved_ = ((h, n_steps), shared, {p: blocks[p] for p in extra})
        solved = solve_prefix(shared, blocks[len(L)])
        if solved is None:
            return False
        for key, est in self.linear_models(h, prototype, *solved).items():
            self.models_.setdefault(key, est)
        if prefixes:
            stored = dict(getattr(self, "calibration_", {}))
            stored[horizon] = (list(cuts), shared, [blocks[p] for p in prefixes])
            self.calibration_ = stored
        return True

    def _start(self) -> int:
        """Row position of the first origin of the framing."""
        return max(self.n_in, self.n_past if self.P_.shape[1] else 0) - 1

    @staticmethod
    def _predict(est: Any, X: np.ndarray) -> np.ndarray:
        out = np.asarray(est.predict(X), dtype=float)
        return out.reshape(len(X), -1)

    @abstractmethod
    def ensure(self, h: int) -> None:
        """Make sure models for horizons 1..h are trained (lazily, from the fit data)."""

    @abstractmethod
    def forecast(self, Zw: np.ndarray, Pw: np.ndarray, Ff: np.ndarray) -> np.ndarray:
        """Forecast from the last windows of targets, past covariates and future features."""


class RecursiveReduction(ReductionStrategy):
    """One 1-step model whose predictions are fed back as lags.

    With past covariates the model predicts the targets *and* the past covariates
    (vector recursion), so both lag windows can be rolled forward; future-known
    covariates at each step come from the given future values.
    """

    name = "recursive"

    def rows_needed(self, h: int) -> int:
        return 1

    def linear_problem(self, h: int):
        w = frame_windows(self.Z_, self.P_, self.F_, self.n_in, self.n_past, 1, self.P_.shape[1] > 0)
        if self.P_.shape[1]:
            L = assemble(w.Z, w.P, np.empty((len(w.Z), 0)))
        else:  # the lag rows stay unframed (Windowed): their Gram blocks come from the targets
            first = self._start() - self.n_in + 1
            L = Windowed(self.Z_[first:first + len(w.Z) + self.n_in - 1], self.n_in)
        return L, w.F[:, 0], w.Y[:, 0], 1, self._start() + 1

    def linear_models(self, h, prototype, coef, intercept):
        return {1: fitted_estimator(prototype, coef[0], intercept[0])}

    def ensure(self, h: int) -> None:
        if 1 in self.models_:
            return
        self._check_rows(1)
        if not self._ensure_linear(1, calibrate_for=h):
            self.models_[1] = self._train(1, [1], [1], past_outputs=self.P_.shape[1] > 0)

    def forecast(self, Zw: np.ndarray, Pw: np.ndarray, Ff: np.ndarray) -> np.ndarray:
        # The windows roll forward inside one buffer per block (no per-step concatenation);
        # a linear model is applied through its coefficients, for every origin at once.
        est, k = self.models_[1], self.k_
        n, n_in, h = Zw.shape[0], Zw.shape[1], Ff.shape[1]
        n_past, p = Pw.shape[1], Pw.shape[2]
        zbuf = np.empty((n, n_in + h, k))
        zbuf[:, :n_in] = Zw
        pbuf = np.empty((n, n_past + h, p))
        pbuf[:, :n_past] = Pw
        weights = linear_weights(est)
        if weights is not None:
            W, b = weights
            nz, npst = n_in * k, n_past * p
            Wz, Wp = W[:nz], W[nz:nz + npst]  # rows in the time-major order of assemble()
            base = Ff @ W[nz + npst:] + b  # (n, h, k + p): the future-known part of every step
        for s in range(h):
            if weights is not None:
                pred = base[:, s] + zbuf[:, s:s + n_in].reshape(n, -1) @ Wz
                if p:
                    pred += pbuf[:, s:s + n_past].reshape(n, -1) @ Wp
            else:
                pred = self._predict(est, assemble(zbuf[:, s:s + n_in], pbuf[:, s:s + n_past], Ff[:, s:s + 1]))
            zbuf[:, n_in + s] = pred[:, :k]
            if p:
                pbuf[:, n_past + s] = pred[:, k:]
        return zbuf[:, n_in:]


class DirectReduction(ReductionStrategy):
    """One model per step ``s``, trained on the targets at ``t+s`` (models for new
    steps are trained on demand and cached).

    The lag rows are framed once for all steps (step ``s`` uses a prefix of them). A
    plain Ridge / LinearRegression gets all its steps from one Gram matrix and one
    factorisation (:mod:`forecastkit.forecasters._linear_direct`); other regressors
    are fitted step by step on the shared framing.
    """

    name = "direct"

    def linear_problem(self, h: int):
        """Lag design ``L`` (S1, pl) of the step-1 origins, and the future-known block
        ``Fz`` and targets ``Yz`` from ``t+1`` on: row ``i + s - 1`` is step ``s`` of origin ``i``."""
        w = frame_windows(self.Z_, self.P_, self.F_[:, :0], self.n_in, self.n_past, 1)
        L = assemble(w.Z, w.P, np.empty((len(w.Z), 0)))
        first = int(w.origins[0]) + 1
        return L, self.F_[first:], self.Z_[first:], h, first

    def linear_models(self, h, prototype, coef, intercept):
        return {s: fitted_estimator(prototype, coef[s - 1], intercept[s - 1]) for s in range(1, h + 1)}

    def ensure(self, h: int) -> None:
        self._check_rows(h)  # fail before training any step
        missing = [s for s in range(1, h + 1) if s not in self.models_]
        if not missing or self._ensure_linear(h):
            return
        L, Fz, Yz, _, _ = self.linear_problem(h)
        S1 = len(L)
        for s in missing:
            n_s = S1 - s + 1
            X = np.hstack([L[:n_s], Fz[s - 1:s - 1 + n_s]])
            Y = Yz[s - 1:s - 1 + n_s]
            est = self.make_regressor(Y.shape[1])
            est.fit(X, Y[:, 0] if Y.shape[1] == 1 else Y)
            self.models_[s] = est

    def forecast(self, Zw: np.ndarray, Pw: np.ndarray, Ff: np.ndarray) -> np.ndarray:
        h = Ff.shape[1]
        weights = [linear_weights(self.models_[s]) for s in range(1, h + 1)]
        if all(w is not None for w in weights):  # every step at once through the coefficients
            Lw = assemble(Zw, Pw, Ff[:, :0])
            pl = Lw.shape[1]
            W = np.stack([w for w, _ in weights])  # (h, pl + f, k)
            b = np.stack([b for _, b in weights])  # (h, k)
            return np.einsum("np,hpk->nhk", Lw, W[:, :pl]) + np.einsum("nhf,hfk->nhk", Ff, W[:, pl:]) + b
        steps = [self._predict(self.models_[s], assemble(Zw, Pw, Ff[:, s - 1:s])) for s in range(1, h + 1)]
        return np.stack(steps, axis=1)


class MultiOutputReduction(ReductionStrategy):
    """One model predicting all ``h`` steps at once (MIMO), one per horizon requested."""

    name = "multi_output"

    def linear_problem(self, h: int):
        # the h-step covariate and target windows stay unframed (Windowed): their Gram
        # blocks come from the base columns (see _linear_windowed)
        w = frame_windows(self.Z_, self.P_, self.F_[:, :0], self.n_in, self.n_past, h)
        S = len(w.Z)
        L = assemble(w.Z, w.P, np.empty((S, 0)))
        first = self._start() + 1
        return (L, Windowed(self.F_[first:first + S + h - 1], h), Windowed(self.Z_[first:first + S + h - 1], h), 1,
                self._start() + h)

    def linear_models(self, h, prototype, coef, intercept):
        return {h: fitted_estimator(prototype, coef[0], intercept[0])}

    def ensure(self, h: int) -> None:
        if h in self.models_:
            return
        self._check_rows(h)
        if not self._ensure_linear(h):
            steps = list(range(1, h + 1))
            self.models_[h] = self._train(h, steps, steps)

    def forecast(self, Zw: np.ndarray, Pw: np.ndarray, Ff: np.ndarray) -> np.ndarray:
        h = Ff.shape[1]
        pred = self._predict(self.models_[h], assemble(Zw, Pw, Ff))
        return pred.reshape(len(pred), h, self.k_)


STRATEGIES: dict[str, type[ReductionStrategy]] = {
    "recursive": RecursiveReduction,
    "direct": DirectReduction,
    "multi_output": MultiOutputReduction,
}


def make_strategy(name: Any, make_regressor: Callable[[int], Any], n_in: int, n_past: int) -> ReductionStrategy:
    """Instantiate the strategy registered under ``name``."""
    try:
        cls = STRATEGIES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown strategy {name!r}; valid: {', '.join(STRATEGIES)}") from None
    return cls(make_regressor, n_in, n_past)
