"""How many differences ``auto_arima`` takes: ``d`` by repeated KPSS tests
(``forecast::ndiffs``), ``D`` by the seasonal strength of an STL decomposition or
the OCSB seasonal unit-root test (``forecast::nsdiffs``)."""

from __future__ import annotations

import math
import warnings

import numpy as np

#: seasonal strength above which a seasonal difference is taken (forecast::nsdiffs)
SEASONAL_STRENGTH_THRESHOLD = 0.64


def is_constant(x: np.ndarray) -> bool:
    x = np.asarray(x, dtype=float)
    return x.size == 0 or bool(np.all(x == x[0]))


def seasonal_diff(x: np.ndarray, m: int, times: int = 1) -> np.ndarray:
    """Apply ``times`` seasonal differences of lag ``m`` along the first axis."""
    out = np.asarray(x, dtype=float)
    for _ in range(times):
        out = out[m:] - out[:-m]
    return out


def difference(x: np.ndarray, d: int, D: int, m: int) -> np.ndarray:
    """``x`` after ``D`` seasonal differences of lag ``m`` and ``d`` ordinary ones."""
    out = seasonal_diff(x, m, D) if D else np.asarray(x, dtype=float)
    return np.diff(out, n=d) if d else out


# --------------------------------------------------------------------------- d: KPSS
def kpss_needs_diff(x: np.ndarray, alpha: float = 0.05) -> bool:
    """KPSS level-stationarity test: True when stationarity is rejected at ``alpha``.

    Uses ``trunc(3 * sqrt(n) / 13)`` Newey-West lags, as ``forecast::ndiffs`` does.
    """
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss

    n = len(x)
    lags = int(3 * math.sqrt(n) / 13)
    with warnings.catch_warnings():
        # the p-value is interpolated in [0.01, 0.1]; outside it is clipped, which is
        # all the decision needs
        warnings.simplefilter("ignore", InterpolationWarning)
        # statsmodels >= 0.15 announces a change of kpss's return type; the p-value
        # stays the second item of the tuple returned today
        warnings.filterwarnings("ignore", message="kpss currently returns", category=FutureWarning)
        pvalue = kpss(x, regression="c", nlags=lags)[1]
    return bool(pvalue < alpha)


def ndiffs(x: np.ndarray, alpha: float = 0.05, max_d: int = 2) -> int:
    """Number of first differences from repeated KPSS tests (``forecast::ndiffs``)."""
    x = np.asarray(x, dtype=float)
    d = 0
    if is_constant(x) or len(x) < 3:
        return d
    dodiff = kpss_needs_diff(x, alpha)
    while dodiff and d < max_d:
        d += 1
        x = np.diff(x)
        if is_constant(x):
            return d
        if len(x) < 3:
            return d
        dodiff = kpss_needs_diff(x, alpha)
    return d


# --------------------------------------------------------------------------- D: seasonal tests
def seasonal_strength(x: np.ndarray, m: int) -> float:
    """Seasonal strength ``max(0, 1 - var(R) / var(S + R))`` of an STL decomposition
    (Wang, Smith & Hyndman 2006), with STL's seasonal window 11 as in ``forecast::mstl``."""
    from statsmodels.tsa.seasonal import STL

    res = STL(np.asarray(x, dtype=float), period=m, seasonal=11).fit()
    remainder = np.asarray(res.resid)
    denom = np.var(remainder + np.asarray(res.seasonal), ddof=1)
    if denom <= 0:
        return 0.0
    return float(min(1.0, max(0.0, 1.0 - np.var(remainder, ddof=1) / denom)))


def ocsb_critical_value(m: int) -> float:
    """5 % critical value of the OCSB test (smoothed simulation fit used by ``forecast``)."""
    lm = math.log(m) - 0.7656451
    return -0.2937411 * math.exp(-0.2850853 * lm - 0.05983644 * lm**2) - 1.652202


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their t-values and the residual sum of squares (no intercept)."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    rss = float(resid @ resid)
    dof = X.shape[0] - X.shape[1]
    sigma2 = rss / dof if dof > 0 else np.nan
    cov = sigma2 * np.linalg.pinv(X.T @ X)
    with np.errstate(invalid="ignore", divide="ignore"):
        tvals = beta / np.sqrt(np.diag(cov))
    return beta, tvals, rss


def _lagged(v: np.ndarray, lags: int, rows: np.ndarray, offset: int) -> np.ndarray:
    """Columns ``v[t - 1], ..., v[t - lags]`` for series times ``rows``; ``v[i]`` is time ``i + offset``."""
    return np.column_stack([v[rows - k - offset] for k in range(1, lags + 1)]) if lags else np.empty((len(rows), 0))


def _ocsb_fit(x: np.ndarray, m: int, lag: int, start: int):
    """OCSB regression (Osborn, Chui, Smith & Birchenhall 1988)::

        DD_m x_t = b1 Z4_{t-1} + b2 Z5_{t-m} + a_1 DD_m x_{t-1} + ... + a_p DD_m x_{t-p}

    with ``Z4 = lambda(B) D_m x`` and ``Z5 = lambda(B) D x``, ``lambda(B)`` the AR(p)
    filter fitted to ``DD_m x``. Rows are times ``t >= start`` so that fits with
    different ``lag`` use the same sample. Returns ``(tvalues, rss, n_rows, n_coef)``.
    """
    n = len(x)
    s = x[m:] - x[:-m]  # D_m x, time i + m
    f = x[1:] - x[:-1]  # D x, time i + 1
    w = s[1:] - s[:-1]  # D D_m x, time i + m + 1
    rows = np.arange(start, n)
    y = w[rows - (m + 1)]
    W = _lagged(w, lag, rows, m + 1)
    if lag:
        a, _, _ = _ols(y, W)
    else:
        a = np.zeros(0)

    def prewhiten(v: np.ndarray, offset: int, times: np.ndarray) -> np.ndarray:
        out = v[times - offset].copy()
        for k in range(1, lag + 1):
            out -= a[k - 1] * v[times - k - offset]
        return out

    z4 = prewhiten(s, m, rows - 1)
    z5 = prewhiten(f, 1, rows - m)
    X = np.column_stack([W, z4, z5])
    _, tvals, rss = _ols(y, X)
    return tvals, rss, len(rows), X.shape[1]


def ocsb_statistic(x: np.ndarray, m: int, max_lag: int = 3) -> tuple[float, float]:
    """OCSB test statistic (t-value of ``Z5``) and its 5 % critical value.

    The AR order is chosen in ``1..max_lag`` by AIC on a common sample. (``forecast``
    uses the order *one below* the AIC minimum, an off-by-one; the order with the
    lowest AIC is used here.) A seasonal unit root is not rejected (seasonal
    differencing needed) when the statistic exceeds the critical value.
    """
    x = np.asarray(x, dtype=float)
    lag = 0
    if max_lag > 0:
        start = m + 1 + max_lag
        best = math.inf
        for p in range(1, max_lag + 1):
            _, rss, nrow, k = _ocsb_fit(x, m, p, start)
            aic = nrow * math.log(rss / nrow) + 2 * (k + 1) if rss > 0 else -math.inf
            if aic < best:
                best, lag = aic, p
    tvals, _, _, _ = _ocsb_fit(x, m, lag, m + 1 + lag)
    return float(tvals[-1]), ocsb_critical_value(m)


def seasonal_needs_diff(x: np.ndarray, m: int, test: str = "seas") -> bool:
    if test == "seas":
        return seasonal_strength(x, m) > SEASONAL_STRENGTH_THRESHOLD
    if len(x) < 2 * m + 5:  # the OCSB regression needs a few rows beyond two seasons
        return False
    stat, crit = ocsb_statistic(x, m)
    return bool(np.isfinite(stat) and stat > crit)


def nsdiffs(x: np.ndarray, m: int, test: str = "seas", max_D: int = 1) -> int:
    """Number of seasonal differences (``forecast::nsdiffs``): difference while the
    test asks for it, up to ``max_D``; needs at least two full seasons."""
    x = np.asarray(x, dtype=float)
    D = 0
    if m < 2 or is_constant(x) or len(x) < 2 * m:
        return D
    dodiff = seasonal_needs_diff(x, m, test)
    while dodiff and D < max_D:
        D += 1
        x = seasonal_diff(x, m)
        if is_constant(x):
            return D
        dodiff = len(x) >= 2 * m and D < max_D and seasonal_needs_diff(x, m, test)
    return D


# --------------------------------------------------------------------------- seasonal ARMA terms
def seasonal_acf_significant(x: np.ndarray, m: int, max_lag: int = 8) -> bool:
    """Whether ``x`` is autocorrelated at the seasonal lag ``m`` beyond what its short
    memory explains: both its lag-``m`` autocorrelation is outside the 95 % band of an
    ACF plot (Bartlett: ``var(r_m) = (1 + 2 sum_{j<m} r_j^2) / n``) and the lag-``m``
    autocorrelation of the residuals of an AR(k) fitted by least squares (``k < m``, at
    most ``max_lag``, chosen by AIC) is outside the white-noise band ``1.96 / sqrt(n)``.

    ``auto_arima`` searches seasonal AR/MA terms without a seasonal difference only
    when this holds for the differenced series. The plain autocorrelation at lag ``m``
    would not do: a smooth cycle (the ~11-year sunspot cycle given ``m = 12``) is
    correlated at many lags (its AR(2) residuals are not), and seasonal MA terms then
    improve the AICc by a few points on thousands of rows and forecast worse."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    top = min(m - 1, max_lag)
    if m < 2 or n <= m + top + 10 or is_constant(x):
        return False
    c = x - x.mean()
    r = np.array([float(c[k:] @ c[: n - k]) for k in range(1, m + 1)]) / float(c @ c)
    if abs(r[m - 1]) <= 1.96 * math.sqrt((1.0 + 2.0 * float(np.sum(r[: m - 1] ** 2))) / n):
        return False
    rows = np.arange(top, n)
    best, resid = math.inf, c[rows]
    for k in range(top + 1):
        if k:
            lags = np.column_stack([c[rows - j] for j in range(1, k + 1)])
            beta, *_ = np.linalg.lstsq(lags, c[rows], rcond=None)
            e = c[rows] - lags @ beta
        else:
            e = c[rows]
        rss = float(e @ e)
        aic = len(rows) * math.log(rss / len(rows)) + 2 * k if rss > 0 else -math.inf
        if aic < best:
            best, resid = aic, e
    e = resid - resid.mean()
    denom = float(e @ e)
    if denom <= 0:
        return False
    r_m = float(e[m:] @ e[:-m]) / denom
    return bool(abs(r_m) > 1.96 / math.sqrt(len(e)))
