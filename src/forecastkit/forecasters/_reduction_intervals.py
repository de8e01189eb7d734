"""Out-of-sample errors inside the training data, for the reduction forecaster's
prediction intervals.

The last half of the training windows (at most the newest 1,000) is split into consecutive blocks; each block
is forecast ``h`` steps ahead by models refitted on the rows up to its first origin
(an expanding-window backtest inside the training data). For a plain Ridge /
LinearRegression those refits are not run one by one: every refit is a prefix of the
full training design, so the Gram blocks between the cuts are accumulated once and
each refit costs one small factorisation (:func:`~forecastkit.forecasters._linear_direct.solve_direct_prefixes`);
the models equal the refitted ones up to rounding. When the fit itself solved them
(in its own pass, at the cuts of :func:`~forecastkit.forecasters._reduction_strategies.calibration_cuts`),
they are reused.
"""

from __future__ import annotations

import numpy as np

from forecastkit.errors import DataError
from forecastkit.forecasters._linear_direct import solve_direct_prefixes, solve_prefix
from forecastkit.forecasters._calibration import calibration_windows
from forecastkit.forecasters._reduction_strategies import ReductionStrategy, frame_windows


def _fold_strategies(strategy: ReductionStrategy, h: int, cuts: list[int]) -> list[ReductionStrategy]:
    """One strategy per cut holding the training rows before it, with the models a fit
    on those rows would train for ``h`` steps."""
    Z, P, F = strategy.Z_, strategy.P_, strategy.F_
    folds = []
    for cut in cuts:
        fold = type(strategy)(strategy.make_regressor, strategy.n_in, strategy.n_past).fit(Z[:cut], P[:cut], F[:cut])
        fold._check_rows(fold.rows_needed(h))
        folds.append(fold)
    prototype, spec = strategy._linear()
    if spec is not None:
        # used once (the forecaster caches the errors): drop it so saved models stay small
        stored = getattr(strategy, "calibration_", {}).pop(h, None)
        if stored is not None and stored[0] == list(cuts):  # accumulated in the fit's own pass
            solved = [solve_prefix(stored[1], block) for block in stored[2]]
            solved = None if any(x is None for x in solved) else solved
        else:
            L, Fz, Yz, n_steps, first = strategy.linear_problem(h)
            solved = solve_direct_prefixes(L, Fz, Yz, n_steps, *spec, [cut - first for cut in cuts])
        if solved is not None:
            for fold, (coef, intercept) in zip(folds, solved):
                fold.models_.update(fold.linear_models(h, prototype, coef, intercept))
            return folds
    for fold in folds:  # any other regressor (or an ill-conditioned system): refit
        fold.ensure(h)
    return folds


def out_of_fold_errors(strategy: ReductionStrategy, h: int, n_folds: int = 3) -> np.ndarray:
    """Errors ``actual - forecast`` (n, h, k) on the transformed scale of ``h``-step forecasts from the
    last half of the training origins (at most the newest 1,000), each block forecast by models trained only on
    the rows up to the block's first origin (an expanding-window backtest inside the
    training data)."""
    Z, P, F = strategy.Z_, strategy.P_, strategy.F_
    w = frame_windows(Z, P, F, strategy.n_in, strategy.n_past, h)
    S = len(w.origins)
    calib = calibration_windows(S)
    if len(calib) < 10:
        raise DataError(
            f"prediction intervals for h={h} need at least 10 calibration windows in the training "
            f"data, got {len(calib)}; use a shorter horizon or more data"
        )
    blocks = np.array_split(calib, n_folds)
    cuts = [int(w.origins[block[0]]) + 1 for block in blocks]  # rows 0..origin: no target after it
    try:
        folds = _fold_strategies(strategy, h, cuts)
    except DataError as err:
        raise DataError(f"prediction intervals for h={h} need more training data: {err}") from None
    errors = []
    for block, fold in zip(blocks, folds):
        pred = fold.forecast(w.Z[block], w.P[block], w.F[block])
        errors.append(w.Y[block][..., : strategy.k_] - pred)  # actual = forecast + error
    return np.concatenate(errors, axis=0)
