"""Exact Gaussian likelihood of a short (seasonal) ARMA in numpy, for ``auto_arima``'s search.

``auto_arima`` ranks dozens of candidate models on the differenced series; on a short
series (M3 monthly: 50-130 rows) nearly all of its time went to statsmodels'
``SARIMAX`` fits: a Kalman filter per likelihood evaluation, model and results objects
per candidate. For ``n`` up to :data:`MAX_ROWS` rows the same likelihood is computed
here directly, as that of a Gaussian vector with the ARMA's Toeplitz covariance:

- the autocovariances ``gamma(0..n-1)`` of the ARMA with unit innovation variance
  (Brockwell & Davis, 1991, section 3.3: a ``(p+1)``-equation linear system, then the
  AR recursion by ``scipy.signal.lfilter``);
- one Cholesky factorisation of the ``n x n`` Toeplitz matrix (LAPACK), which gives the
  log-determinant and the whitened series;
- the mean (``trend="c"``) and the innovation variance concentrated out by generalised
  least squares: the optimiser sees only the ARMA coefficients.

It is the likelihood statsmodels maximises for ``SARIMAX(..., simple_differencing=True,
concentrate_scale=True)`` (stationary initialisation), so the maxima agree (to the
optimiser's tolerance); the constant is reported as SARIMAX's intercept ``c = mu * a(1)``.
Coefficients are optimised in the same unconstrained space as SARIMAX's
(``enforce_stationarity``/``enforce_invertibility``: Monahan's partial-autocorrelation
transform per polynomial), where adding a zero partial autocorrelation leaves a
polynomial unchanged; that is what makes a neighbour's estimate a good start value
(:func:`extend`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: the Toeplitz route costs O(n^3); beyond this many (differenced) rows SARIMAX's
#: O(n) Kalman filter is faster
MAX_ROWS = 240
#: iterations of the second estimate of a rejected fit (see :func:`fit_arma`)
RETRY_MAXITER = 15
_LOG_2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- polynomials
def pacf_to_coef(u: np.ndarray) -> np.ndarray:
    """Coefficients ``phi`` of a stationary ``1 - phi_1 L - ... - phi_k L^k`` from
    unconstrained values ``u`` (statsmodels' ``constrain_stationary_univariate``;
    plain floats: the blocks have at most a few values and this runs per evaluation)."""
    y: list[float] = []
    for x in np.asarray(u, dtype=float).tolist():
        r = x / math.sqrt(1.0 + x * x)
        y = [yi + r * yj for yi, yj in zip(y, y[::-1])] + [r]
    return -np.array(y)


def coef_to_pacf(phi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pacf_to_coef` (``phi`` strictly stationary)."""
    y = -np.asarray(phi, dtype=float)
    r = np.zeros(len(y))
    for k in range(len(y) - 1, -1, -1):
        r[k] = y[k]
        if k:
            y = (y[:k] - y[k] * y[:k][::-1]) / (1.0 - y[k] ** 2)
    return r / np.sqrt(1.0 - r * r)


def _block_poly(coef: np.ndarray, sign: float, lag: int) -> np.ndarray:
    """``1 + sign * (c_1 L^lag + c_2 L^(2 lag) + ...)``."""
    out = np.zeros(len(coef) * lag + 1)
    out[0] = 1.0
    out[lag::lag] = sign * coef
    return out


def _product(c: np.ndarray, s: np.ndarray, sign: float, m: int) -> np.ndarray:
    """``(1 + sign c(L)) (1 + sign s(L^m))``, without a product when a block is empty."""
    short = _block_poly(c, sign, 1)
    return np.convolve(short, _block_poly(s, sign, m)) if len(s) else short


@dataclass(frozen=True)
class Spec:
    """A candidate: orders, seasonal period and whether a mean is estimated."""

    p: int
    q: int
    P: int
    Q: int
    m: int
    const: bool

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        return self.p, self.q, self.P, self.Q

    def block(self, u: np.ndarray, j: int) -> np.ndarray:
        """Coefficient block ``j`` (0 AR, 1 MA, 2 seasonal AR, 3 seasonal MA) of ``u`` in
        statsmodels' sign convention (AR: ``phi``, MA: ``theta``)."""
        sizes = self.sizes
        i, k = sum(sizes[:j]), sizes[j]
        c = pacf_to_coef(u[i:i + k]) if k else np.zeros(0)
        return -c if j % 2 else c

    def side(self, blocks: list[np.ndarray], ma: bool) -> np.ndarray:
        """The full AR (``ma`` false, ``a[0] = 1``) or MA polynomial of the four blocks."""
        return _product(blocks[1], blocks[3], 1.0, self.m) if ma else _product(blocks[0], blocks[2], -1.0, self.m)

    def block_of(self, i: int) -> int:
        """The block coordinate ``i`` of ``u`` belongs to."""
        return int(np.searchsorted(np.cumsum(self.sizes), i, side="right"))

    def polys(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """The full AR polynomial ``a`` (``a[0] = 1``), MA polynomial ``b`` and the
        four coefficient blocks (:meth:`block`)."""
        blocks = [self.block(u, j) for j in range(4)]
        return self.side(blocks, False), self.side(blocks, True), blocks


# --------------------------------------------------------------------------- likelihood
_INDEX: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _system_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices into ``[a, 0]`` of the Yule-Walker-type system: row ``k``, column ``j``
    collects ``a_{k-j}`` and (``j >= 1``) ``a_{k+j}``; out of range points at the 0."""
    if p not in _INDEX:
        k = np.arange(p + 1)
        low, high = k[:, None] - k[None, :], k[:, None] + k[None, :]
        _INDEX[p] = (np.where(low >= 0, low, p + 1), np.where((k[None, :] > 0) & (high <= p), high, p + 1))
    return _INDEX[p]


def acov(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Autocovariances ``gamma(0..n-1)`` of ``a(L) x_t = b(L) e_t``, ``var(e) = 1``
    (``a``, ``b`` with leading 1; ``a`` stationary)."""
    from scipy.linalg import lapack
    from scipy.signal import lfilter

    p, q = len(a) - 1, len(b) - 1
    x = np.zeros(max(n, p + 1, q + 1))
    if p and q:  # MA(inf) weights 0..q
        impulse = np.zeros(q + 1)
        impulse[0] = 1.0
        psi = lfilter(b, a, impulse)
    else:
        psi = b
    x[: q + 1] = np.correlate(b, psi, "full")[q:]  # sum_j b_j psi_{j-k}
    if p:
        # two-sided equations sum_i a_i gamma(|k - i|) = x_k, k = 0..p, for gamma(0..p) ...
        low, high = _system_index(p)
        apad = np.append(a, 0.0)
        g0, info = lapack.dgesv(apad[low] + apad[high], x[: p + 1])[2:]
        if info != 0:
            return np.full(n, np.nan)
        # ... then the AR recursion; its one-sided start reproduces gamma(0..p)
        x[: p + 1] = np.convolve(a, g0)[: p + 1]
        x = lfilter([1.0], a, x)
    return x[:n]


def _toeplitz(g: np.ndarray) -> np.ndarray:
    """The symmetric Toeplitz matrix of ``g``, Fortran-ordered (for LAPACK, no copy):
    row ``i`` is a window of ``[g_{n-1} .. g_1, g_0, g_1 .. g_{n-1}]``, copied from a
    strided view (faster than fancy indexing)."""
    n = len(g)
    v = np.concatenate([g[:0:-1], g])
    return np.array(as_strided(v[n - 1:], shape=(n, n), strides=(-v.strides[0], v.strides[0])), order="F")


def design(w: np.ndarray, const: bool) -> np.ndarray:
    """``[w, 1]`` (``[w]`` without a mean), Fortran-ordered: the right-hand sides of
    :func:`profile_loglik`."""
    w = np.asarray(w, dtype=float)
    return np.asfortranarray(np.column_stack([w, np.ones(len(w))]) if const else w[:, None])


def profile_loglik(w: np.ndarray, a: np.ndarray, b: np.ndarray, const: bool,
                   rhs: np.ndarray | None = None) -> tuple[float, float, float]:
    """``(loglik, mu, sigma2)``: the exact Gaussian log-likelihood of ``w`` under the
    ARMA ``(a, b)``, maximised over the mean (``const``; else 0) and the innovation
    variance; ``-inf`` when the covariance is not numerically positive definite.
    ``rhs``: ``design(w, const)``, when the caller evaluates ``w`` many times."""
    from scipy.linalg import lapack

    n = len(w)
    L, info = lapack.dpotrf(_toeplitz(acov(a, b, n)), lower=1, overwrite_a=1, clean=0)
    if info != 0:
        return -math.inf, 0.0, math.nan
    e, info = lapack.dtrtrs(L, design(w, const) if rhs is None else rhs, lower=1)
    if info != 0:
        return -math.inf, 0.0, math.nan
    mu = 0.0
    r = e[:, 0]
    if const:
        g = e[:, 1]
        mu = float(g @ r) / float(g @ g)
        r = r - mu * g
    sigma2 = float(r @ r) / n
    diag = np.diagonal(L)
    if not sigma2 > 0 or not diag.min() > 0:
        return -math.inf, mu, sigma2
    return -0.5 * n * (_LOG_2PI + math.log(sigma2) + 1.0) - float(np.log(diag).sum()), mu, sigma2


# --------------------------------------------------------------------------- estimation
@dataclass
class ArmaFit:
    """One candidate's estimate: ``loglik`` (concentrated), ``u`` (unconstrained ARMA
    values, for start values), ``params`` in SARIMAX's layout and sign convention
    (``[intercept], ar, ma, seasonal ar, seasonal ma``; the variance concentrated out),
    ``min_root`` the smallest modulus of an AR or MA root (of the full polynomials),
    ``n_params`` as statsmodels counts them (the variance included) and ``nobs``."""

    spec: Spec
    loglik: float
    u: np.ndarray
    params: np.ndarray
    min_root: float
    n_params: int
    nobs: int
    converged: bool

    def criterion(self, name: str) -> float:
        k, n = self.n_params, self.nobs
        aic = -2.0 * self.loglik + 2.0 * k
        if name == "aic":
            return aic
        if name == "bic":
            return -2.0 * self.loglik + k * math.log(n)
        return aic + 2.0 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf


def _min_root(block: np.ndarray, lag: int, ma: bool) -> float:
    """Smallest modulus of the roots of ``1 -+ c_1 z^lag - ...`` (``inf`` if none)."""
    c = block if ma else -block
    nz = np.flatnonzero(np.abs(c) > 0)
    if not nz.size:
        return math.inf
    coefs = np.r_[1.0, c[: nz[-1] + 1]]
    roots = np.roots(coefs[::-1])
    return float(np.min(np.abs(roots))) ** (1.0 / lag) if roots.size else math.inf


def _stationary(c: np.ndarray) -> bool:
    """Whether ``1 - c_1 z - ... - c_k z^k`` has every root outside the unit circle."""
    roots = np.roots(np.r_[-np.asarray(c, dtype=float)[::-1], 1.0]) if len(c) else np.zeros(0)
    return bool(np.all(np.isfinite(c))) and (roots.size == 0 or float(np.min(np.abs(roots))) > 1.0)


def extend(u: np.ndarray, src: Spec, dst: Spec) -> np.ndarray:
    """Start values for ``dst`` from ``src``'s unconstrained estimate: each polynomial's
    partial autocorrelations, padded with zeros (the same polynomial) or truncated."""
    out, i = [], 0
    for ks, kd in zip(src.sizes, dst.sizes):
        block = u[i:i + ks]
        out.append(np.r_[block[:kd], np.zeros(max(0, kd - ks))])
        i += ks
    return np.concatenate(out) if out else np.zeros(0)


def unconstrained_from_params(params: np.ndarray, spec: Spec) -> np.ndarray | None:
    """SARIMAX-layout ``params`` (as :attr:`ArmaFit.params`) to the unconstrained
    values; None when a polynomial is not strictly stationary/invertible."""
    i = int(spec.const)
    out = []
    for k, ma in zip(spec.sizes, (False, True, False, True)):
        c = np.asarray(params[i:i + k], dtype=float)
        c = -c if ma else c
        if not _stationary(c):
            return None
        out.append(coef_to_pacf(c))
        i += k
    u = np.concatenate(out) if out else np.zeros(0)
    return u if np.all(np.isfinite(u)) else None


def _lags(x: np.ndarray, k: int, lags: np.ndarray) -> np.ndarray:
    """Columns ``x[t - l]`` for ``l`` in ``lags``, ``t = k..len(x)-1`` (statsmodels' ``lagmat`` rows ``k:``)."""
    return np.column_stack([x[k - l: len(x) - l] for l in lags]) if len(lags) else np.zeros((len(x) - k, 0))


def _css_block(w: np.ndarray, k_ar: int, k_ma: int, lag: int, const: bool) -> tuple[np.ndarray, np.ndarray]:
    """SARIMAX's ``_conditional_sum_squares`` start values for one ARMA part (lags
    ``lag, 2 lag, ...``): a long AR's residuals as the MA regressors, then OLS."""
    ar_lags, ma_lags = lag * np.arange(1, k_ar + 1), lag * np.arange(1, k_ma + 1)
    p, q = k_ar * lag, k_ma * lag
    k = 2 * q
    r = max(k + q, p)
    if k_ar + k_ma + const == 0 or len(w) <= r + k_ar + k_ma + const:
        return np.zeros(k_ar), np.zeros(k_ma)
    cols = [np.ones((len(w) - r, 1))] if const else []
    if k_ar:
        cols.append(_lags(w, r, ar_lags))
    if k_ma:
        X = _lags(w, k, np.arange(1, k + 1))
        resid = w[k:] - X @ np.linalg.lstsq(X, w[k:], rcond=None)[0]
        cols.append(_lags(resid, r - k, ma_lags))
    beta = np.linalg.lstsq(np.column_stack(cols), w[r:], rcond=None)[0][int(const):]
    return beta[:k_ar], beta[k_ar:]


def css_start(w: np.ndarray, spec: Spec) -> np.ndarray:
    """SARIMAX's default start values for ``spec`` (unconstrained; a polynomial that
    is not stationary/invertible starts at zero, as in SARIMAX)."""
    ar, ma = _css_block(w, spec.p, spec.q, 1, spec.const)
    sar, sma = _css_block(w, spec.P, spec.Q, spec.m, False)
    out = []
    for c, ma_part in ((ar, False), (ma, True), (sar, False), (sma, True)):
        c = -c if ma_part else c
        out.append(coef_to_pacf(c) if _stationary(c) else np.zeros(len(c)))
    u = np.concatenate(out)
    return np.where(np.isfinite(u), u, 0.0)


def fit_arma(w: np.ndarray, spec: Spec, starts: list[np.ndarray], *, maxiter: int = 50,
             factr: float = 1e10, min_root: float = 1.01) -> ArmaFit:
    """Maximum likelihood for ``spec`` on the (differenced, stationary) series ``w``.

    The coefficients are estimated by L-BFGS-B with forward-difference gradients on
    ``-loglik / n`` (as statsmodels' ``fit(method="lbfgs")``, tolerance ``factr``),
    from the best of ``starts`` (unconstrained vectors), SARIMAX's own start values
    and zeros. When that estimate has a root within ``min_root`` of the unit circle
    (which ``auto_arima`` rejects; MA estimates pile up there on short series), it is
    estimated again from SARIMAX's start values."""
    from scipy.optimize import fmin_l_bfgs_b

    w = np.asarray(w, dtype=float)
    n = len(w)
    k = sum(spec.sizes)
    rhs = design(w, spec.const)

    def loss(a: np.ndarray, b: np.ndarray) -> float:
        ll = profile_loglik(w, a, b, spec.const, rhs)[0]
        return -ll / n if np.isfinite(ll) else 1e10

    def objective(u: np.ndarray) -> float:
        a, b, _ = spec.polys(u)
        return loss(a, b)

    owner = [spec.block_of(i) for i in range(k)]

    def with_gradient(u: np.ndarray) -> tuple[float, np.ndarray]:
        # forward differences with an absolute step of 1e-8, exactly as L-BFGS-B's
        # approx_grad=True computes them (same evaluations, same steps) without
        # scipy's general finite-difference machinery around each one; a step in one
        # coordinate recomputes only its own block's polynomial (same values)
        a0, b0, blocks = spec.polys(u)
        f0 = loss(a0, b0)
        grad = np.empty(k)
        for i in range(k):
            x = u.copy()
            x[i] = u[i] + 1e-8
            j = owner[i]
            moved = blocks.copy()
            moved[j] = spec.block(x, j)
            ma = bool(j % 2)
            f = loss(a0, spec.side(moved, True)) if ma else loss(spec.side(moved, False), b0)
            grad[i] = (f - f0) / (x[i] - u[i])
        return f0, grad

    def estimate(u: np.ndarray, maxiter: int = maxiter) -> ArmaFit:
        converged = True
        if k:
            u, _, info = fmin_l_bfgs_b(with_gradient, u, maxiter=maxiter, factr=factr)
            converged = info["warnflag"] == 0
        a, b, blocks = spec.polys(u)
        ll, mu, _ = profile_loglik(w, a, b, spec.const, rhs)
        roots = [_min_root(blocks[0], 1, False), _min_root(blocks[1], 1, True),
                 _min_root(blocks[2], spec.m, False), _min_root(blocks[3], spec.m, True)]
        params = np.concatenate([np.array([mu * float(np.sum(a))] if spec.const else []), *blocks])
        return ArmaFit(spec, ll, u, params, min(roots), k + int(spec.const) + 1, n, converged)

    css = css_start(w, spec) if k else np.zeros(0)
    candidates = [np.asarray(s, dtype=float) for s in starts if s is not None and len(s) == k] + [css, np.zeros(k)]
    first = min(candidates, key=objective)
    best = estimate(first)
    if best.min_root < min_root and first is not css:
        # rejected: SARIMAX's own start (what a SARIMAX fit would have done) may find an
        # interior optimum; the other starts rarely do and cost as much again
        again = estimate(css, RETRY_MAXITER)
        best = again if again.min_root >= min_root and again.converged else best
    return best


class CandidateFits:
    """The candidates of one search on ``w`` (period ``m``), each estimated
    (:func:`fit_arma`) from the best of zeros, SARIMAX's start values and the
    estimate of the nearest candidate already fitted (fewest order changes, then
    lowest criterion), extended by :func:`extend`. ``warm_key`` ``(p, q, P, Q,
    constant)`` and ``warm_params`` (SARIMAX layout, e.g. the previous backtest
    fold's model) add a start for that candidate."""

    def __init__(self, w: np.ndarray, criterion: str, m: int, warm_key: tuple | None = None,
                 warm_params: np.ndarray | None = None) -> None:
        self.w = np.asarray(w, dtype=float)
        self.criterion = criterion
        self.m = m
        self.fits: dict[Spec, tuple[ArmaFit, float]] = {}
        self.warm = None if warm_key is None else (Spec(*warm_key[:4], m, bool(warm_key[4])), warm_params)

    def _nearest(self, spec: Spec) -> ArmaFit | None:
        def distance(item):
            s, (_, ic) = item
            return sum(abs(x - y) for x, y in zip(s.sizes, spec.sizes)) + abs(s.const - spec.const), ic

        return min(self.fits.items(), key=distance)[1][0] if self.fits else None

    def fit(self, spec: Spec) -> ArmaFit:
        """Estimate ``spec``; a fit with a finite criterion is kept as a start for later candidates."""
        from forecastkit.forecasters.statistical._common import _single_thread_blas

        starts = []
        near = self._nearest(spec)
        if near is not None:
            starts.append(extend(near.u, near.spec, spec))
        if self.warm is not None and self.warm[0] == spec:
            starts.append(unconstrained_from_params(self.warm[1], spec))
        with _single_thread_blas():  # tiny matrices: extra BLAS threads only contend
            res = fit_arma(self.w, spec, starts)
        ic = res.criterion(self.criterion)
        if np.isfinite(ic) and np.isfinite(res.loglik):
            self.fits[spec] = (res, ic)
        return res

    def score(self, p: int, q: int, P: int, Q: int, const: bool,
              min_root: float = 1.01) -> tuple[float, np.ndarray | None]:
        """``(criterion, SARIMAX-layout params)`` of ARMA(p, q)(P, Q) (with a mean when
        ``const``), or ``(inf, None)`` when the fit failed or has a root within
        ``min_root`` of the unit circle (rejected, as ``auto_arima`` rejects such
        SARIMAX fits)."""
        res = self.fit(Spec(p, q, P, Q, self.m, bool(const)))
        ic = res.criterion(self.criterion)
        if not (np.isfinite(ic) and np.isfinite(res.loglik)) or res.min_root < min_root:
            return math.inf, None
        return ic, res.params
