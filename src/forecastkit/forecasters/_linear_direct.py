"""All ``h`` direct-strategy linear models (Ridge, LinearRegression) from one Gram
matrix and one Cholesky factorisation.

Step ``s`` of the direct strategy regresses the target at ``t+s`` on the lags at ``t``
(the same lag rows for every step) and the future-known covariates at ``t+s``. Its
training rows are the origins ``0 .. n_s - 1`` with ``n_s = S_1 - s + 1``: a prefix of
step 1's rows. So every step's lag Gram matrix is the Gram matrix ``A`` of the rows
common to all steps (those of step ``h``) plus ``h - s`` extra rows ``E_s``:

    A_s = A + E_s' E_s,   A_s^{-1} r = A^{-1} r - W_s (I + E_s W_s)^{-1} E_s A^{-1} r,

with ``W = A^{-1} E'`` computed once (Woodbury; ``I + E_s W_s`` is SPD with eigenvalues
>= 1, so the update is stable). The future-known block, whose columns change with the
step, enters through its Schur complement (``f x f`` per step). The intercept is an
unpenalised column of ones on data shifted by the step-1 means, which gives exactly
the centred solution scikit-learn computes.

The result equals the per-step scikit-learn fits up to rounding (1e-8 checked by a
property test); a Gram matrix too ill-conditioned for that (reciprocal condition
number below :data:`MIN_RCOND`) returns None and the caller fits per step.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

#: below this reciprocal condition number of the common Gram matrix the normal
#: equations could differ from scikit-learn's solvers (lstsq for LinearRegression)
MIN_RCOND = 1e-10


def linear_spec(prototype: Any) -> tuple[float, bool] | None:
    """``(alpha, fit_intercept)`` when ``prototype`` is a plain Ridge or
    LinearRegression this module reproduces exactly, else None."""
    from sklearn.linear_model import LinearRegression, Ridge

    params = prototype.get_params(deep=False)
    if type(prototype) is Ridge:
        alpha = params.get("alpha")
        if (
            isinstance(alpha, (int, float, np.floating, np.integer)) and not isinstance(alpha, bool)
            and float(alpha) >= 0 and params.get("solver") in ("auto", "cholesky")
            and not params.get("positive")
        ):
            return float(alpha), bool(params.get("fit_intercept", True))
        return None
    if type(prototype) is LinearRegression and not params.get("positive"):
        return 0.0, bool(params.get("fit_intercept", True))
    return None


def linear_weights(est: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """``(W, b)`` with ``est.predict(X) == X @ W + b`` (W: n_features x n_outputs) for a
    fitted plain Ridge / LinearRegression, else None."""
    from sklearn.linear_model import LinearRegression, Ridge

    if type(est) not in (Ridge, LinearRegression) or not hasattr(est, "coef_"):
        return None
    coef = np.asarray(est.coef_, dtype=float)
    W = coef[:, None] if coef.ndim == 1 else coef.T
    b = np.broadcast_to(np.asarray(est.intercept_, dtype=float), (W.shape[1],)).copy()
    return W, b


def fitted_estimator(prototype: Any, coef: np.ndarray, intercept: np.ndarray) -> Any:
    """A clone of ``prototype`` carrying the given solution, as its own ``fit`` would
    leave it for ``predict`` (1-D ``coef_`` and a float intercept for one target)."""
    # A shallow copy of the unfitted prototype: its parameters are never mutated, and
    # clone() costs more than the solve for small models.
    est = copy.copy(prototype)
    if coef.shape[0] == 1:
        est.coef_ = coef[0].copy()
        est.intercept_ = float(intercept[0])
    else:
        est.coef_ = coef.copy()
        est.intercept_ = intercept.copy()
    est.n_features_in_ = coef.shape[1]
    return est


def _spd_factor(A: np.ndarray):
    """The Cholesky factor of the SPD matrix ``A``, or None when it is singular or its
    reciprocal condition number is below :data:`MIN_RCOND`."""
    from scipy.linalg import LinAlgError, cho_factor, lapack

    try:
        factor = cho_factor(A, lower=False, check_finite=False)
    except LinAlgError:
        return None
    rcond, info = lapack.dpocon(factor[0], np.abs(A).sum(axis=0).max(), uplo="U")
    if info != 0 or not rcond >= MIN_RCOND:
        return None
    return factor


def solve_direct(
    L: np.ndarray, Fz: np.ndarray, Yz: np.ndarray, h: int, alpha: float, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """Coefficients of the ``h`` direct-step regressions.

    Parameters
    ----------
    L : ndarray (S1, pl)
        Lag design rows of every step-1 origin ``i``.
    Fz : ndarray (S1, f)
        Future-known covariates: row ``i + s - 1`` is the value at step ``s`` of origin ``i``.
    Yz : ndarray (S1, k)
        Targets, aligned like ``Fz``.
    h : int
    alpha : float
        Ridge penalty (0 for least squares); not applied to the intercept.
    fit_intercept : bool

    Returns
    -------
    coef : ndarray (h, k, pl + f)
    intercept : ndarray (h, k)
        Or None when the common Gram matrix is too ill-conditioned (see :data:`MIN_RCOND`).
    """
    solved = solve_direct_prefixes(L, Fz, Yz, h, alpha, fit_intercept, [len(L)])
    return None if solved is None else solved[0]


#: rows per block when the windowed targets are multiplied into the design (bounds memory)
_CHUNK = 2048


def _step_cross_products(Q: np.ndarray, Yz: np.ndarray, Fc: np.ndarray, h: int, order: list[int]) -> dict:
    """Per prefix ``c`` and step ``s``: ``(Q'Y_s, Q'F_s, F_s'F_s, F_s'Y_s)`` over the rows
    ``i < c - s + 1`` of step ``s``.

    The rows below ``c - h + 1`` count for every step: their products with all ``h``
    shifted targets and covariates are one matrix product with a window view
    (accumulated between prefixes, in row blocks); the last ``h - 1`` rows add a
    triangle. ``F_s'F_s`` and ``F_s'Y_s`` are sums over rows ``s - 1 .. c - 1``: a
    running sum minus the sum over the first ``s - 1`` rows.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    q, k, f = Q.shape[1], Yz.shape[1], Fc.shape[1]
    m = k + f
    YF = np.hstack([Yz, Fc])
    win = sliding_window_view(YF, h, axis=0).swapaxes(1, 2)  # win[i, s-1] = YF[i + s - 1]
    head = Fc[:h - 1]
    FF_head = np.concatenate([np.zeros((1, f, f)), np.cumsum(np.einsum("jf,jg->jfg", head, head), axis=0)])
    FY_head = np.concatenate([np.zeros((1, f, k)), np.cumsum(np.einsum("jf,jk->jfk", head, Yz[:h - 1]), axis=0)])
    acc, FF, FY = np.zeros((q, h * m)), np.zeros((f, f)), np.zeros((f, k))
    prev_full = prev_row = 0
    cross = {}
    for c in order:
        n_h = c - h + 1
        for r0 in range(prev_full, n_h, _CHUNK):
            r1 = min(n_h, r0 + _CHUNK)
            acc += Q[r0:r1].T @ win[r0:r1].reshape(r1 - r0, h * m)
        prev_full = n_h
        tri = np.zeros((h - 1, h, m))
        for s in range(1, h):  # row n_h + t counts for step s while t < h - s
            tri[:h - s, s - 1] = YF[n_h + s - 1:c]
        ab = (acc + Q[n_h:c].T @ tri.reshape(h - 1, h * m)).reshape(q, h, m)
        if f:
            FF = FF + Fc[prev_row:c].T @ Fc[prev_row:c]
            FY = FY + Fc[prev_row:c].T @ Yz[prev_row:c]
        prev_row = c
        cross[c] = [(ab[:, s - 1, :k], ab[:, s - 1, k:], FF - FF_head[s - 1], FY - FY_head[s - 1])
                    for s in range(1, h + 1)]
    return cross


def solve_direct_prefixes(
    L: np.ndarray, Fz: np.ndarray, Yz: np.ndarray, h: int, alpha: float, fit_intercept: bool,
    prefixes: list[int],
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """:func:`solve_direct` on the first ``S1_c`` rows of ``L, Fz, Yz`` for every
    ``S1_c`` in ``prefixes``, in one pass over the data.

    The solution for a prefix is what a fit on the series cut where that prefix ends
    gives (an expanding refit); the Gram blocks of the rows between two prefixes are
    accumulated, so many expanding refits cost one pass plus one small factorisation
    each. Returns one ``(coef, intercept)`` per prefix (in the given order), or None
    when any system is too ill-conditioned.
    """
    from scipy.linalg import cho_solve

    S1, pl = L.shape
    f, k = Fz.shape[1], Yz.shape[1]
    order = sorted(set(int(c) for c in prefixes))
    if not order or order[0] - h + 1 < 1 or order[-1] > S1:
        raise ValueError(f"prefixes {prefixes} do not fit {S1} rows and h={h}")
    # One shift for every prefix (any shift is absorbed by the intercept column)
    if fit_intercept:
        mu_l, mu_f = L[:order[-1]].mean(axis=0), Fz[:order[-1]].mean(axis=0)
        Q = np.hstack([L - mu_l, np.ones((S1, 1))])
        Fc = Fz - mu_f
        pen_q = np.r_[np.full(pl, alpha), 0.0]
    else:
        mu_l, mu_f = np.zeros(pl), np.zeros(f)
        Q, Fc, pen_q = L, Fz, np.full(pl, alpha)
    q = Q.shape[1]

    # Accumulated blocks per prefix: the common Gram (rows < n_h) and, per step s, the
    # cross products over rows < n_s (n_s = S1_c - s + 1).
    grams, prev, acc = [], 0, np.zeros((q, q))
    for c in order:
        n_h = c - h + 1
        acc = acc + Q[prev:n_h].T @ Q[prev:n_h]
        grams.append(acc)
        prev = n_h
    cross = _step_cross_products(Q, Yz, Fc, h, order)
    results = {}
    for c, gram in zip(order, grams):
        A = gram.copy()
        A[np.diag_indices(q)] += pen_q
        factor = _spd_factor(A)
        if factor is None:
            return None
        n_h = c - h + 1
        E = Q[n_h:c]  # (h - 1, q): step s adds the first h - s of these rows
        W = cho_solve(factor, E.T, check_finite=False)
        M = E @ W

        def solve_step(m: int, R: np.ndarray) -> np.ndarray:
            X = cho_solve(factor, R, check_finite=False)
            if m:
                X -= W[:, :m] @ np.linalg.solve(np.eye(m) + M[:m, :m], E[:m] @ X)
            return X

        coef = np.empty((h, k, pl + f))
        intercept = np.zeros((h, k))
        for s in range(1, h + 1):
            a, B, C, cf = cross[c][s - 1]
            if f:
                X = solve_step(h - s, np.hstack([B, a]))
                X1, x2 = X[:, :f], X[:, f:]
                C = C.copy()
                C[np.diag_indices(f)] += alpha
                schur = _spd_factor(C - B.T @ X1)
                if schur is None:
                    return None
                v = cho_solve(schur, cf - B.T @ x2, check_finite=False)
                u = x2 - X1 @ v
            else:
                u, v = solve_step(h - s, a), np.empty((0, k))
            coef[s - 1, :, :pl] = u[:pl].T
            coef[s - 1, :, pl:] = v.T
            if fit_intercept:
                intercept[s - 1] = u[pl] - mu_l @ u[:pl] - mu_f @ v
        if not np.isfinite(coef).all():
            return None
        results[c] = (coef, intercept)
    return [results[int(c)] for c in prefixes]
