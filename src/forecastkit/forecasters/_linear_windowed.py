"""The Gram blocks of the multi-output (MIMO) linear model without building its design.

A multi-output model of ``T`` steps regresses the targets at ``t+1 .. t+T`` on the lags
at ``t`` and the future-known covariates at ``t+1 .. t+T``: its covariate columns are
``T`` shifted copies of the same ``f`` base columns, and its outputs ``T`` shifted
copies of the ``k`` targets. Framed, that is an ``(S, T f)`` matrix (20,000 x 480 for
48 steps of 10 covariates, and its Gram matrix 4.6 GFlop); but every block
``sum_i A[i+s]' B[i+t]`` of two shifted copies follows from its neighbour on the
diagonal by one row in and one row out, so the whole ``(T f, T f)`` Gram matrix costs
``T`` products of the base columns plus a diagonal recursion, and nothing is copied.

:class:`Windowed` stands for the framed matrix (what ``linear_problem`` of the
multi-output strategy returns); :func:`accumulate_windowed` gives the same blocks
:func:`~forecastkit.forecasters._linear_direct.accumulate_prefixes` computes from the
framed arrays (checked to 1e-8 by a property test).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Windowed:
    """The framed ``(S, T * c)`` matrix whose row ``i`` is ``base[i:i + T]`` flattened
    time-major (``base`` has ``S + T - 1`` rows and ``c`` columns)."""

    def __init__(self, base: np.ndarray, steps: int):
        self.base = np.asarray(base, dtype=float)
        self.steps = int(steps)
        self.shape = (len(self.base) - self.steps + 1, self.steps * self.base.shape[1])

    def __len__(self) -> int:
        return self.shape[0]

    def dense(self) -> np.ndarray:
        """The framed matrix itself (a copy)."""
        from numpy.lib.stride_tricks import sliding_window_view

        win = sliding_window_view(self.base, self.steps, axis=0).swapaxes(1, 2)
        return win.reshape(self.shape)


def _shifted_products(Q: np.ndarray, B: np.ndarray, c: int, T: int) -> np.ndarray:
    """``(q, T * b)``: column block ``t`` is ``Q[:c]' B[t:t + c]``.

    One matrix product per column of ``B`` against its ``(c, T)`` sliding windows
    (``W[i, t] = B[i + t]``) rather than ``T`` matrix-vector products: the same sums,
    several times faster (BLAS level 3).
    """
    from numpy.lib.stride_tricks import sliding_window_view

    q, b = Q.shape[1], B.shape[1]
    out = np.empty((q, T, b))
    for j in range(b):
        out[:, :, j] = Q[:c].T @ sliding_window_view(B[:c + T - 1, j], T)
    return out.reshape(q, T * b)


def lagged_cross(A: np.ndarray, B: np.ndarray, c: int, T: int) -> np.ndarray:
    """``(T a, T b)``: block ``(s, t)`` is ``sum_{i < c} A[i+s]' B[i+t]``.

    The first block row and column are ``2 T`` products over ``c`` rows; every other
    block is its upper-left neighbour plus row ``c + s - 1`` and minus row ``s - 1``.
    """
    a, b = A.shape[1], B.shape[1]
    M = np.empty((T, a, T, b))
    for t in range(T):
        M[0, :, t] = A[:c].T @ B[t:t + c]
    for s in range(1, T):
        M[s, :, 0] = A[s:s + c].T @ B[:c]
    if T > 1:
        D = np.einsum("sa,tb->satb", A[c:c + T - 1], B[c:c + T - 1]) - np.einsum("sa,tb->satb", A[:T - 1], B[:T - 1])
        for s in range(1, T):
            M[s, :, 1:] = M[s - 1, :, :-1] + D[s - 1]
    return M.reshape(T * a, T * b)


def accumulate_windowed(
    L: np.ndarray, Fz: Windowed, Yz: Windowed, alpha: float, fit_intercept: bool, order: list[int],
) -> tuple[dict[str, Any], dict[int, dict[str, np.ndarray]]]:
    """:func:`~forecastkit.forecasters._linear_direct.accumulate_prefixes` with one step
    (``h = 1``) when the covariates and targets are framed windows (multi-output)."""
    S1, pl = L.shape
    T, Fb, Yb = Fz.steps, Fz.base, Yz.base
    if Yz.steps != T or len(Fz) != S1 or len(Yz) != S1:
        raise ValueError("the windowed covariates, targets and lag rows do not line up")
    f, k = Fz.shape[1], Yz.shape[1]
    if fit_intercept:
        mu_l, mu_b = L[:order[-1]].mean(axis=0), Fb[:order[-1] + T - 1].mean(axis=0)
        Q = np.empty((S1, pl + 1))  # [L - mu_l, 1] without the intermediate copies
        np.subtract(L, mu_l, out=Q[:, :pl])
        Q[:, pl] = 1.0
        pen_q = np.r_[np.full(pl, alpha), 0.0]
    else:
        mu_l, mu_b = np.zeros(pl), np.zeros(Fb.shape[1])
        Q, pen_q = L, np.full(pl, alpha)
    Fc = Fb - mu_b  # one shift per base column: the same for all its copies (absorbed by the intercept)
    shared = {
        "h": 1, "alpha": float(alpha), "fit_intercept": bool(fit_intercept), "mu_l": mu_l,
        "mu_f": np.tile(mu_b, T), "pen_q": pen_q, "FF_head": np.zeros((1, f, f)), "FY_head": np.zeros((1, f, k)),
    }
    q = Q.shape[1]
    gram, ab, FF, FY = np.zeros((q, q)), np.zeros((q, k + f)), np.zeros((f, f)), np.zeros((f, k))
    blocks, prev = {}, 0
    for c in order:  # every product is a sum over rows: accumulate between prefixes (one pass)
        n = c - prev
        if n:
            Qs, Ys, Fs = Q[prev:c], Yb[prev:], Fc[prev:]
            gram = gram + Qs.T @ Qs
            ab = ab + np.hstack([_shifted_products(Qs, Ys, n, T), _shifted_products(Qs, Fs, n, T)])
            if f:
                FF = FF + lagged_cross(Fs, Fs, n, T)
                FY = FY + lagged_cross(Fs, Ys, n, T)
        prev = c
        blocks[c] = {"gram": gram.copy(), "E": Q[c:c].copy(), "ab": ab.reshape(q, 1, k + f).copy(),
                     "FF": FF.copy(), "FY": FY.copy()}
    return shared, blocks


def accumulate_lagged(
    L: Windowed, Fz: np.ndarray, Yz: np.ndarray, alpha: float, fit_intercept: bool, order: list[int],
) -> tuple[dict[str, Any], dict[int, dict[str, np.ndarray]]]:
    """:func:`~forecastkit.forecasters._linear_direct.accumulate_prefixes` with one step
    (``h = 1``) when the lag rows are framed windows of their base columns (a recursive
    model without past covariates): the lag Gram block is a :func:`lagged_cross` of the
    base columns (``2 T`` products over the rows, not one over ``T c`` framed columns),
    its products with the targets and covariates one BLAS-3 product per base column, and
    the framed lag matrix is never built. Equal to the framed blocks up to rounding
    (every lag copy of a base column takes that column's shift)."""
    T, B = L.steps, L.base
    c, f, k = B.shape[1], Fz.shape[1], Yz.shape[1]
    pl = T * c
    top = order[-1]
    mu_b = B[:top + T - 1].mean(axis=0) if fit_intercept else np.zeros(c)
    mu_f = Fz[:top].mean(axis=0) if fit_intercept else np.zeros(f)
    Bc = B - mu_b  # one shift per base column, the same for all its lag copies
    Fc = Fz - mu_f
    R = np.hstack([Yz, Fc])  # the right-hand columns (targets, then centred covariates)
    q = pl + int(fit_intercept)
    shared = {
        "h": 1, "alpha": float(alpha), "fit_intercept": bool(fit_intercept), "mu_l": np.tile(mu_b, T),
        "mu_f": mu_f, "pen_q": np.r_[np.full(pl, alpha), [0.0] * int(fit_intercept)],
        "FF_head": np.zeros((1, f, f)), "FY_head": np.zeros((1, f, k)),
    }
    csum = np.concatenate([np.zeros((1, c)), np.cumsum(Bc, axis=0)])  # window sums: the intercept column
    gram, ab, FF, FY = np.zeros((q, q)), np.zeros((q, k + f)), np.zeros((f, f)), np.zeros((f, k))
    blocks, prev = {}, 0
    for end in order:  # sums over rows prev .. end - 1, accumulated between prefixes (one pass)
        n = end - prev
        if n:
            Bs, Rs = Bc[prev:], R[prev:end]
            gram[:pl, :pl] += lagged_cross(Bs, Bs, n, T)
            ab[:pl] += _shifted_products(Rs, Bs, n, T).reshape(k + f, T, c).transpose(1, 2, 0).reshape(pl, k + f)
            if fit_intercept:
                sums = (csum[end:end + T] - csum[prev:prev + T]).reshape(pl)
                gram[:pl, pl] += sums
                gram[pl, :pl] += sums
                gram[pl, pl] += n
                ab[pl] += Rs.sum(axis=0)
            if f:
                FF += Fc[prev:end].T @ Fc[prev:end]
                FY += Fc[prev:end].T @ Yz[prev:end]
        prev = end
        blocks[end] = {"gram": gram.copy(), "E": np.zeros((0, q)), "ab": ab.reshape(q, 1, k + f).copy(),
                       "FF": FF.copy(), "FY": FY.copy()}
    return shared, blocks
