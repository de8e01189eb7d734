"""Forecast origins of the two evaluation schemes: holdout and rolling origin.

Every position is a 0-based row position in the full series of length ``n``. A
:class:`Fold` says which rows the forecaster is fitted on, which rows form the
history it forecasts from, and which rows it forecasts. Nothing here looks at the
data, so the plans can be checked (and tested) on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from forecastkit._validation import check_int
from forecastkit.errors import DataError, ForecastkitTypeError


@dataclass(frozen=True)
class Fold:
    """One forecast origin of a backtest.

    Attributes
    ----------
    fold : int
        0-based fold number.
    fit_start, fit_end : int
        Rows ``[fit_start, fit_end)`` the parameters are estimated on. When ``refit``
        is False they describe the last refit, whose parameters are kept.
    origin : int
        The forecast origin: the history is rows ``[hist_start, origin)`` and the
        forecasts cover rows ``origin .. origin + horizon - 1``.
    hist_start : int
        First history row: ``fit_start`` of an expanding window, ``origin - window``
        of a sliding one.
    horizon : int
        Number of steps forecast from the origin.
    refit : bool
        Fit a fresh clone on ``[fit_start, fit_end)`` at this fold; otherwise
        ``update`` the fitted forecaster with the history.
    """

    fold: int
    fit_start: int
    fit_end: int
    origin: int
    hist_start: int
    horizon: int
    refit: bool

    @property
    def test_end(self) -> int:
        """One past the last forecast row."""
        return self.origin + self.horizon


def _check_common(n: Any, horizon: Any, step: Any, refit_every: Any) -> tuple[int, int, int, int]:
    """The arguments both schemes share, validated; ``step`` defaults to ``horizon``."""
    horizon = check_int("horizon", horizon, 1, error=None)
    n = check_int("n", n, 1, error=None)
    step = horizon if step is None else check_int("step", step, 1, error=None)
    refit_every = check_int("refit_every", refit_every, 0, error=None)
    return n, horizon, step, refit_every


def _plan(
    origins: list[int],
    horizon: int,
    refit_every: int,
    first_fit: tuple[int, int],
    history_start,
) -> list[Fold]:
    """Turn origins into folds: refit at folds 0, k, 2k, ... (k = 0: only fold 0)."""
    folds: list[Fold] = []
    fit_start, fit_end = first_fit
    for i, origin in enumerate(origins):
        hist = history_start(origin)
        refit = i == 0 or (refit_every > 0 and i % refit_every == 0)
        if refit and i > 0:
            fit_start, fit_end = hist, origin
        folds.append(Fold(i, fit_start, fit_end, origin, hist, horizon, refit))
    return folds


def holdout_folds(
    n: int,
    horizon: int,
    *,
    test_size: float | int | None = None,
    train_end: int | None = None,
    step: int | None = None,
    refit_every: int = 0,
    window: int | None = None,
) -> list[Fold]:
    """Holdout evaluation: fit on the first ``n_train`` rows, forecast the rest.

    Parameters
    ----------
    n : int
        Number of rows of the series.
    horizon : int
        Steps forecast from every origin.
    test_size : float or int, optional
        A fraction in (0, 1): ``n_train = int(n * (1 - test_size))`` (rounded to 10
        decimals first, so 0.33 of 144 rows keeps ``int(144 * 0.67) = 96`` rows as
        in the tutorial); an integer >= 1: the number of test rows,
        ``n_train = n - test_size``.
    train_end : int, optional
        Instead of ``test_size``: the training rows are ``[0, train_end)``.
    step : int, optional
        Rows between consecutive origins (default ``horizon``). Origins are
        ``n_train, n_train + step, ...`` while ``origin + horizon <= n``.
    refit_every : int
        0 (default): fit once, then only ``update`` the history at later origins
        (walk-forward with fixed parameters); k > 0: refit every k folds on the
        history before the origin.
    window : int, optional
        Use only the last ``window`` rows before each origin (fit and history);
        default: every row from the start.

    Returns
    -------
    list of Fold
    """
    n, horizon, step, refit_every = _check_common(n, horizon, step, refit_every)
    if window is not None:
        window = check_int("window", window, 1, error=None)
    if (test_size is None) == (train_end is None):
        raise DataError(
            f"holdout needs exactly one of test_size or train_end, got test_size={test_size!r}, "
            f"train_end={train_end!r}"
        )
    if test_size is not None:
        if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
            raise ForecastkitTypeError(f"test_size must be a fraction in (0, 1) or a row count, got {test_size!r}")
        if isinstance(test_size, (float, np.floating)) and not float(test_size).is_integer():
            if not 0 < test_size < 1:
                raise DataError(f"test_size as a fraction must be in (0, 1), got {test_size}")
            n_train = int(round(n * (1 - float(test_size)), 10))
        else:
            rows = check_int("test_size", int(test_size), 1, error=None)
            if rows >= n:
                raise DataError(f"test_size={rows} rows leaves no training rows out of n={n}")
            n_train = n - rows
    else:
        n_train = check_int("train_end", train_end, 1, error=None)
    if n_train < 1:
        raise DataError(f"holdout leaves no training rows (n={n}, test_size={test_size!r})")
    if n_train + horizon > n:
        raise DataError(
            f"holdout with {n_train} training rows and horizon={horizon} needs at least "
            f"{n_train + horizon} rows, the data has {n}"
        )
    origins = list(range(n_train, n - horizon + 1, step))
    first_start = 0 if window is None else max(0, n_train - window)

    def hist(origin: int) -> int:
        return 0 if window is None else max(0, origin - window)

    return _plan(origins, horizon, refit_every, (first_start, n_train), hist)


def rolling_folds(
    n: int,
    horizon: int,
    *,
    folds: int | None = None,
    start: int | None = None,
    step: int | None = None,
    window: str = "expanding",
    window_length: int | None = None,
    refit_every: int = 1,
    min_train: int = 1,
) -> list[Fold]:
    """Rolling-origin backtest.

    With ``folds``, the origins are placed so that the last fold ends exactly at the
    end of the data (``origin_last = n - horizon``) and the others precede it by
    ``step`` rows each. With ``start`` (a row position), origins run forward
    ``start, start + step, ...`` while ``origin + horizon <= n``; with both, the
    first ``folds`` of those.

    Parameters
    ----------
    n : int
        Number of rows.
    horizon : int
        Steps forecast from every origin.
    folds : int, optional
        Number of folds (origins).
    start : int, optional
        Position of the first origin.
    step : int, optional
        Rows between consecutive origins (default ``horizon``: non-overlapping tests).
    window : {"expanding", "sliding"}
        Expanding: fit and history on ``[0, origin)``; sliding: on
        ``[origin - window_length, origin)``.
    window_length : int, optional
        Length of the sliding window (required for, and only valid with, sliding).
    refit_every : int
        k > 0: refit at folds 0, k, 2k, ...; in between, ``update`` the history and
        keep the parameters. 0: fit once at the first fold.
    min_train : int
        Fewest rows a fit may use (e.g. the forecaster's ``min_train_size()``).

    Returns
    -------
    list of Fold
    """
    n, horizon, step, refit_every = _check_common(n, horizon, step, refit_every)
    min_train = check_int("min_train", min_train, 1, error=None)
    if window not in ("expanding", "sliding"):
        raise DataError(f"window must be 'expanding' or 'sliding', got {window!r}")
    if window == "sliding":
        if window_length is None:
            raise DataError("window='sliding' needs window_length (the number of rows in each window)")
        window_length = check_int("window_length", window_length, 1, error=None)
        if window_length < min_train:
            raise DataError(f"window_length={window_length} is shorter than min_train={min_train}")
    elif window_length is not None:
        raise DataError(f"window_length={window_length!r} is only used with window='sliding', got window={window!r}")
    if folds is None and start is None:
        raise DataError("a rolling backtest needs folds or start")
    need_train = min_train if window == "expanding" else window_length
    if folds is not None:
        folds = check_int("folds", folds, 1, error=None)
    if start is None:
        first = n - horizon - step * (folds - 1)
        if first < need_train:
            what = f"min_train={min_train}" if window == "expanding" else f"window_length={window_length}"
            raise DataError(
                f"a rolling backtest with folds={folds}, horizon={horizon}, step={step} and {what} needs at "
                f"least {need_train + horizon + step * (folds - 1)} rows, the data has {n}"
            )
        origins = [first + step * i for i in range(folds)]
    else:
        start = check_int("start", start, 0, error=None)
        if start < need_train:
            what = f"min_train={min_train}" if window == "expanding" else f"window_length={window_length}"
            raise DataError(f"start={start} leaves fewer training rows than {what}")
        if start + horizon > n:
            raise DataError(
                f"start={start} with horizon={horizon} needs at least {start + horizon} rows, the data has {n}"
            )
        origins = list(range(start, n - horizon + 1, step))
        if folds is not None:
            if len(origins) < folds:
                raise DataError(
                    f"folds={folds} from start={start} with horizon={horizon}, step={step} needs at least "
                    f"{start + step * (folds - 1) + horizon} rows, the data has {n}"
                )
            origins = origins[:folds]

    def hist(origin: int) -> int:
        return 0 if window == "expanding" else origin - window_length

    return _plan(origins, horizon, refit_every, (hist(origins[0]), origins[0]), hist)
