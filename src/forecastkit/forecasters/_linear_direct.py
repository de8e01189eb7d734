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

from forecastkit.forecasters._linear_windowed import Windowed, accumulate_lagged, accumulate_windowed

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


def accumulate_prefixes(
    L: np.ndarray, Fz: np.ndarray, Yz: np.ndarray, h: int, alpha: float, fit_intercept: bool,
    prefixes: list[int],
) -> tuple[dict[str, Any], dict[int, dict[str, np.ndarray]]]:
    """The one pass over the data behind :func:`solve_direct_prefixes`: shared settings
    and, per prefix ``S1_c``, the accumulated blocks :func:`solve_prefix` needs.

    Per prefix ``c``: the common Gram matrix (rows ``< c - h + 1``), the ``h - 1``
    extra rows ``E``, and per step ``s`` the products with the step's targets and
    covariates over its rows ``i < c - s + 1``. The rows below ``c - h + 1`` count for
    every step: their products with all ``h`` shifted targets and covariates are one
    matrix product with a window view (accumulated between prefixes, in row blocks);
    the last ``h - 1`` rows add a triangle. ``F_s'F_s`` and ``F_s'Y_s`` sum rows
    ``s - 1 .. c - 1``: a running sum minus the sum over the first ``s - 1`` rows.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    S1, pl = L.shape
    f, k = Fz.shape[1], Yz.shape[1]
    order = sorted(set(int(c) for c in prefixes))
    if not order or order[0] - h + 1 < 1 or order[-1] > S1:
        raise ValueError(f"prefixes {prefixes} do not fit {S1} rows and h={h}")
    if isinstance(L, Windowed):  # recursive: the lag rows from their base columns
        if h != 1 or isinstance(Fz, Windowed):
            raise ValueError("windowed lag rows are the one-step problem of a recursive model")
        return accumulate_lagged(L, Fz, Yz, alpha, fit_intercept, order)
    if isinstance(Fz, Windowed):  # multi-output: the framed blocks from their base columns
        if h != 1:
            raise ValueError("windowed covariates are the one-step problem of a multi-output model")
        return accumulate_windowed(L, Fz, Yz, alpha, fit_intercept, order)
    # One shift for every prefix (any shift is absorbed by the intercept column)
    if fit_intercept:
        mu_l, mu_f = L[:order[-1]].mean(axis=0), Fz[:order[-1]].mean(axis=0)
        Q = np.empty((S1, pl + 1))  # [L - mu_l, 1] without the intermediate copies
        np.subtract(L, mu_l, out=Q[:, :pl])
        Q[:, pl] = 1.0
        Fc = Fz - mu_f
        pen_q = np.r_[np.full(pl, alpha), 0.0]
    else:
        mu_l, mu_f = np.zeros(pl), np.zeros(f)
        Q, Fc, pen_q = L, Fz, np.full(pl, alpha)
    q, m = Q.shape[1], k + f
    YF = np.hstack([Yz, Fc])
    win = sliding_window_view(YF, h, axis=0).swapaxes(1, 2)  # win[i, s-1] = YF[i + s - 1]
    head = Fc[:h - 1]
    shared = {
        "h": h, "alpha": float(alpha), "fit_intercept": bool(fit_intercept), "mu_l": mu_l, "mu_f": mu_f,
        "pen_q": pen_q, "FF_head": np.concatenate([np.zeros((1, f, f)), np.cumsum(np.einsum("jf,jg->jfg", head, head), 0)]),
        "FY_head": np.concatenate([np.zeros((1, f, k)), np.cumsum(np.einsum("jf,jk->jfk", head, Yz[:h - 1]), 0)]),
    }
    gram, acc, FF, FY = np.zeros((q, q)), np.zeros((q, h * m)), np.zeros((f, f)), np.zeros((f, k))
    prev_full = prev_row = 0
    blocks = {}
    for c in order:
        n_h = c - h + 1
        for r0 in range(prev_full, n_h, _CHUNK):
            r1 = min(n_h, r0 + _CHUNK)
            gram += Q[r0:r1].T @ Q[r0:r1]
            acc += Q[r0:r1].T @ win[r0:r1].reshape(r1 - r0, h * m)
        prev_full = n_h
        tri = np.zeros((h - 1, h, m))
        for s in range(1, h):  # row n_h + t counts for step s while t < h - s
            tri[:h - s, s - 1] = YF[n_h + s - 1:c]
        if f:
            FF = FF + Fc[prev_row:c].T @ Fc[prev_row:c]
            FY = FY + Fc[prev_row:c].T @ Yz[prev_row:c]
        prev_row = c
        blocks[c] = {
            "gram": gram.copy(), "E": Q[n_h:c].copy(), "FF": FF.copy(), "FY": FY.copy(),
            "ab": (acc + Q[n_h:c].T @ tri.reshape(h - 1, h * m)).reshape(q, h, m),
        }
    return shared, blocks


def solve_prefix(shared: dict[str, Any], block: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``h`` step regressions of one prefix from its accumulated blocks (one
    Cholesky factorisation, Woodbury for each step's extra rows, the future-known
    block through its Schur complement); None when too ill-conditioned."""
    from scipy.linalg import cho_solve

    h, alpha, mu_l, mu_f = shared["h"], shared["alpha"], shared["mu_l"], shared["mu_f"]
    pl, f, k = len(mu_l), len(mu_f), shared["FY_head"].shape[2]
    A = block["gram"] + np.diag(shared["pen_q"])
    factor = _spd_factor(A)
    if factor is None:
        return None
    E = block["E"]  # (h - 1, q): step s adds the first h - s of these rows
    W = cho_solve(factor, E.T, check_finite=False)
    M = E @ W

    def solve_step(n_extra: int, R: np.ndarray) -> np.ndarray:
        X = cho_solve(factor, R, check_finite=False)
        if n_extra:
            X -= W[:, :n_extra] @ np.linalg.solve(np.eye(n_extra) + M[:n_extra, :n_extra], E[:n_extra] @ X)
        return X

    coef = np.empty((h, k, pl + f))
    intercept = np.zeros((h, k))
    for s in range(1, h + 1):
        a = block["ab"][:, s - 1, :k]
        if f:
            B = block["ab"][:, s - 1, k:]
            X = solve_step(h - s, np.hstack([B, a]))
            X1, x2 = X[:, :f], X[:, f:]
            C = block["FF"] - shared["FF_head"][s - 1] + alpha * np.eye(f)
            schur = _spd_factor(C - B.T @ X1)
            if schur is None:
                return None
            v = cho_solve(schur, block["FY"] - shared["FY_head"][s - 1] - B.T @ x2, check_finite=False)
            u = x2 - X1 @ v
        else:
            u, v = solve_step(h - s, a), np.empty((0, k))
        coef[s - 1, :, :pl] = u[:pl].T
        coef[s - 1, :, pl:] = v.T
        if shared["fit_intercept"]:
            intercept[s - 1] = u[pl] - mu_l @ u[:pl] - mu_f @ v
    if not np.isfinite(coef).all():
        return None
    return coef, intercept


def solve_direct_prefixes(
    L: np.ndarray, Fz: np.ndarray, Yz: np.ndarray, h: int, alpha: float, fit_intercept: bool,
    prefixes: list[int],
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """:func:`solve_direct` on the first ``S1_c`` rows of ``L, Fz, Yz`` for every
    ``S1_c`` in ``prefixes``, in one pass over the data.

    The solution for a prefix is what a fit on the series cut where that prefix ends
    gives (an expanding refit); the Gram blocks of the rows between two prefixes are
    accumulated (:func:`accumulate_prefixes`), so many expanding refits cost one pass
    plus one small factorisation each (:func:`solve_prefix`). Returns one
    ``(coef, intercept)`` per prefix (in the given order), or None when any system is
    too ill-conditioned.
    """
    shared, blocks = accumulate_prefixes(L, Fz, Yz, h, alpha, fit_intercept, prefixes)
    results = {c: solve_prefix(shared, b) for c, b in blocks.items()}
    if any(r is None for r in results.values()):
        return None
    return [results[int(c)] for c in prefixes]
