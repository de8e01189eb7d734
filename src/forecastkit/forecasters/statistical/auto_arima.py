"""Automatic ARIMA order selection: :class:`AutoARIMAForecaster`.

The order is chosen by :mod:`forecastkit.forecasters.statistical.order_selection` (Hyndman &
Khandakar 2008); the chosen model is then an :class:`~forecastkit.forecasters.statistical.arima.ARIMAForecaster`,
so the notes of :mod:`forecastkit.forecasters.statistical.arima` (one model per target, per-target
attributes, transforms, regressors, ``update``) apply here too.

``transform="auto"`` (the default) chooses between no transform and the log by the
one-step forecast errors of the two chosen models on the original scale, after one
set of unit-root and seasonal tests shared by both searches; the log is searched only
when the series' spread grows with its level (Guerrero's lambda); why, and why not by
the information criterion, is in :mod:`forecastkit.forecasters.statistical.transform_choice`.

Speed: the search ranks models on the differenced series (exact likelihood, loose
tolerance) and refines only the chosen one; without regressors each candidate's
likelihood is computed in numpy (:mod:`~forecastkit.forecasters.statistical.arma_likelihood`,
the same maximum as SARIMAX's; a banded factorisation on long series) from the best of its
nearest fitted neighbour's estimate and SARIMAX's start values: 4-5x less CPU per fit on
M3 monthly at the same accuracy (``benchmarks/bench_auto_arima_m3.py``), 5-15x on
500-730-row monthly and daily series (``benchmarks/bench_accuracy.py``); ``search_window`` searches on the last rows
of a long series and refits the chosen order on all of them; :meth:`AutoARIMAForecaster.warm_start`
starts a search from an earlier fit's model and parameters (backtest folds).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.statistical import order_selection as sel
from forecastkit.forecasters.statistical._common import calendar_names, exog_matrix, fit_sarimax, per_target
from forecastkit.forecasters.statistical.arima import ARIMAForecaster
from forecastkit.forecasters.statistical.transform_choice import (
    LOG_LAMBDA_BELOW,
    guerrero_lambda,
    one_step_mae,
    original_scale_ic,
)
from forecastkit.forecasters.statistical.transforms import TRANSFORMS, check_transform, transform_target

__all__ = ["AutoARIMAForecaster"]


class AutoARIMAForecaster(Forecaster):
    """ARIMA with automatic order selection (Hyndman & Khandakar 2008).

    1. ``D`` (when ``season_length > 1`` and ``D`` is None): seasonal differences while
       the STL seasonal strength exceeds 0.64 (``seasonal_test="seas"``) or the OCSB
       test does not reject a seasonal unit root (``"ocsb"``), up to ``max_D``;
    2. ``d`` (when None): first differences of the seasonally differenced series while
       a KPSS test rejects level stationarity at 5 %, up to ``max_d``;
       with regressors, both tests run on the residuals of their linear regression,
       and a difference that would make a regressor constant is not taken;
    3. the stepwise search over ``p, q, P, Q`` and the constant (the constant is
       considered only when ``d + D <= 1``), ranked by ``information_criterion`` on the
       same (transformed) data; fits that fail or have AR/MA roots within 1.01 of the
       unit circle are skipped, except a seasonal MA root on it (a seasonal pattern
       that does not change; see ``arma_fit.fit_arma``). ``stepwise=False`` searches every model with
       ``p + q + P + Q <= 5``.

    As in ``forecast::auto.arima``, ``max_p, max_q`` are capped at ``n // 3`` (and at
    ``m - 1`` when seasonal terms are searched) and ``max_P, max_Q`` at ``n // 3 // m``.
    The chosen model is then fitted as an :class:`ARIMAForecaster` (``model_``), which
    serves ``predict``, intervals and ``update``.

    Parameters
    ----------
    season_length : int, default 1
        Seasonal period ``m`` (1 = non-seasonal).
    max_p, max_q, max_P, max_Q, max_d, max_D : int
        Search bounds.
    d, D : int, optional
        Fix the differencing orders instead of testing.
    stepwise : bool, default True
    information_criterion : {"aicc", "aic", "bic"}, default "aicc"
    transform : {"auto", None, "log", "boxcox"}, default "auto"
        ``"auto"``: the log if the spread grows with the level and it forecasts one step
        better, else none. Recommended: airline 1960 hold-out MAPE 2.90 % vs 4.18 %
        untransformed; ten real series, geometric-mean MASE 0.739 vs 0.752 over 5
        origins. In detail: one set of unit-root/seasonal tests on the series, then a
        search with no transform and, for a strictly positive series whose Guerrero
        lambda (``guerrero_lambda_``) is below 0.5, one on the log; the model whose
        one-step forecasts over the training rows have the lower mean absolute error
        on the original scale is kept (no transform on a tie). Why this
        rule and not the AICc, and why the gate:
        :mod:`forecastkit.forecasters.statistical.transform_choice`. The others as in
        :class:`ARIMAForecaster`, the search running on the transformed series.
    boxcox_lambda : float, optional
        As in :class:`ARIMAForecaster` (``transform="boxcox"`` only).
    seasonal_test : {"seas", "ocsb"}, default "seas"
    trend : {"auto", "n", "c"} or None, default "auto"
        ``"auto"``: a constant (a drift when ``d + D = 1``) is searched when
        ``d + D <= 1``; ``"n"``/None: never; ``"c"``: always.
    future_known, calendar : as in :class:`ARIMAForecaster`.
    search_window : int, optional
        For long series: run the tests and the search on the last ``search_window``
        rows only, then estimate the chosen order on every row (start values: the
        window's estimate). None (default): search on every row. Must be at least
        ``max(20, 3 * season_length)``.

    seasonal_arma : {"always", "tested"}, default "always"
        Whether seasonal ``P, Q`` may be searched without a seasonal difference:
        ``"always"`` (as R's ``auto.arima``) or ``"tested"``: only when the differenced
        series is autocorrelated at lag ``m`` beyond its short memory
        (:func:`~forecastkit.forecasters.statistical.differencing.seasonal_acf_significant`).
        ``"tested"`` keeps seasonal MA terms out of a series with no seasonality
        (monthly sunspots, ``m = 12``: no seasonal terms, a 10x faster search, the same
        MASE) but was worse on the seasonally adjusted quarterly series of
        ``bench_accuracy.py`` (geometric-mean MASE 0.806 vs 0.784 with "always").

    :meth:`warm_start` (called by the backtest engine before each refit) starts the
    search from the previous fold's model and parameters.

    Attributes
    ----------
    order_, seasonal_order_, trend_, d_, D_ : the chosen model.
    transform_ : "log", "boxcox" or None
        The transform of the chosen model (``transform`` itself unless ``"auto"``).
    transform_scores_ : dict
        ``{transform: one-step MAE on the original scale}`` for each transform searched
        (``{None: ..., "log": ...}`` with ``"auto"``; ``"log"`` is absent when the series
        is not strictly positive or its spread does not grow with its level; NaN when
        only one was searched).
    guerrero_lambda_ : float
        With ``"auto"``: Guerrero's Box-Cox lambda of the searched rows, which decides
        whether the log is searched (NaN when not computed).
    transform_ic_ : dict
        ``{transform: information_criterion of the data on the original scale}`` (the
        log's likelihood plus its Jacobian over the rows it covers): a diagnostic.
    warm_started_ : whether the search started from :meth:`warm_start`'s model.
    search_ : list of ``(order, seasonal_order, trend, criterion)`` for every model
        tried, in order (criterion ``inf`` for skipped fits), on the chosen
        transform's scale.
    n_fits_ : number of models fitted by the chosen transform's search.
    model_ : the fitted :class:`ARIMAForecaster`.
    aic_, aicc_, bic_, boxcox_lambda_, converged_ : those of ``model_``.
    search_seconds_ : time spent selecting the order (every transform searched).

    With several target columns the search runs per target: the attributes above are
    then dicts keyed by target name.
    """

    _tags = {"intervals": True, "past_covariates": False, "future_covariates": True, "warm_from_copy": True}
    param_choices = {
        "information_criterion": ("aicc", "aic", "bic"), "seasonal_test": ("seas", "ocsb"),
        "trend": ("auto", "n", "c", None), "transform": (None, *TRANSFORMS, "auto"),
        "seasonal_arma": ("always", "tested"),
    }

    def __init__(
        self,
        season_length=1,
        max_p=5,
        max_q=5,
        max_P=2,
        max_Q=2,
        max_d=2,
        max_D=1,
        d=None,
        D=None,
        stepwise=True,
        information_criterion="aicc",
        transform="auto",
        boxcox_lambda=None,
        seasonal_test="seas",
        trend="auto",
        future_known=None,
        calendar=None,
        search_window=None,
        seasonal_arma="always",
    ) -> None:
        self.season_length = season_length
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.d = d
        self.D = D
        self.stepwise = stepwise
        self.information_criterion = information_criterion
        self.transform = transform
        self.boxcox_lambda = boxcox_lambda
        self.seasonal_test = seasonal_test
        self.trend = trend
        self.future_known = future_known
        self.calendar = calendar
        self.search_window = search_window
        self.seasonal_arma = seasonal_arma

    # -- validation -----------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        def nonneg(name: str, allow_none: bool = False) -> int | None:
            v = getattr(self, name)
            if v is None and allow_none:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ConfigError(f"{name} must be a non-negative integer{' or None' if allow_none else ''}, got {v!r}")
            return int(v)

        m = nonneg("season_length")
        if m < 1:
            raise ConfigError(f"season_length must be >= 1, got {m}")
        out = {k: nonneg(k) for k in ("max_p", "max_q", "max_P", "max_Q", "max_d", "max_D")}
        out.update(m=m, d=nonneg("d", True), D=nonneg("D", True))
        if self.information_criterion not in ("aicc", "aic", "bic"):
            raise ConfigError(f"information_criterion must be 'aicc', 'aic' or 'bic', got {self.information_criterion!r}")
        if self.seasonal_test not in ("seas", "ocsb"):
            raise ConfigError(f"seasonal_test must be 'seas' or 'ocsb', got {self.seasonal_test!r}")
        if self.trend not in ("auto", "n", "c", None):
            raise ConfigError(f"trend must be 'auto', 'n', 'c' or None, got {self.trend!r}")
        if not isinstance(self.stepwise, (bool, np.bool_)):
            raise ConfigError(f"stepwise must be True or False, got {self.stepwise!r}")
        check_transform(self.transform, self.boxcox_lambda, allowed=(*TRANSFORMS, "auto"))
        if self.seasonal_arma not in ("always", "tested"):
            raise ConfigError(f"seasonal_arma must be 'always' or 'tested', got {self.seasonal_arma!r}")
        w = self.search_window
        if w is not None and (isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < max(20, 3 * m)):
            raise ConfigError(f"search_window must be None or an integer >= max(20, 3 * season_length) = "
                              f"{max(20, 3 * m)}, got {w!r}")
        return out

    def min_train_size(self) -> int:
        s = self._settings()
        return max(6, (s["d"] or 0) + (s["D"] or 0) * s["m"] + 3)

    def _inner(self, order, seasonal_order, trend, transform) -> ARIMAForecaster:
        return ARIMAForecaster(
            order=order, seasonal_order=seasonal_order, trend=trend, transform=transform,
            boxcox_lambda=self.boxcox_lambda, future_known=self.future_known, calendar=self.calendar,
        )

    # -- fit ------------------------------------------------------------------------
    def _candidates(self, col: np.ndarray, wcol: np.ndarray, m: int) -> tuple[list[str | None], float]:
        """The transforms to search and Guerrero's lambda of the searched rows (``nan``
        where not computed): with "auto", the log only for a strictly positive series
        whose spread grows with its level (lambda below :data:`LOG_LAMBDA_BELOW`, or too
        few rows to tell)."""
        if self.transform != "auto":
            return [self.transform], math.nan
        if not bool((col > 0).all()):  # every row is refitted on the chosen scale
            return [None], math.nan
        lam = guerrero_lambda(wcol, m)
        return ([None] if lam >= LOG_LAMBDA_BELOW else [None, "log"]), lam

    def _search(self, col, transform, target, exog, s, dD, warm) -> sel.OrderChoice:
        z, lam = transform_target(col, transform, self.boxcox_lambda, target)
        choice = sel.select_order(
            z, exog, fit_sarimax, m=s["m"], d=dD[0], D=dD[1],
            max_p=s["max_p"], max_q=s["max_q"], max_P=s["max_P"], max_Q=s["max_Q"], max_d=s["max_d"],
            max_D=s["max_D"], seasonal_test=self.seasonal_test, trend=self.trend,
            criterion=self.information_criterion, stepwise=bool(self.stepwise), warm=warm,
            seasonal_arma=self.seasonal_arma,
        )
        return replace(choice, boxcox_lambda=lam)

    def warm_start(self, previous: "AutoARIMAForecaster") -> "AutoARIMAForecaster":
        """Start the next :meth:`fit`'s search from ``previous``'s chosen models (an
        earlier fit with the same settings, e.g. the previous backtest fold's): when the
        tests give the same ``d`` and ``D``, the stepwise search starts from that model,
        with its parameters as start values, and (0,d,0)(0,D,0), instead of the four
        standard starting models. The ranking is unchanged; only where the search starts
        and how fast its fits converge depend on ``previous``. A model loaded from disk
        carries no search state and gives a cold start. Returns self."""
        if isinstance(previous, AutoARIMAForecaster) and previous.get_params() == self.get_params():
            self._warm = dict(getattr(previous, "_searched", {}))
        return self

    def _window(self, n: int) -> int:
        w = self.search_window
        return 0 if w is None or n <= w else n - int(w)

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        s = self._settings()
        index = self.history_index()
        calendar = calendar_names(self.calendar)
        exog, _ = exog_matrix(index, self.freq_, X, self.future_known_columns(), calendar)
        t0 = time.perf_counter()
        warm = getattr(self, "_warm", {})
        models, chosen, transforms, scores, searched, ics, lambdas = {}, {}, {}, {}, {}, {}, {}
        w0 = self._window(len(y))  # the search runs on rows w0: (search_window)
        wexog = None if exog is None else exog[w0:]
        for j, target in enumerate(self.targets_):
            col = y[:, j]
            wcol = col[w0:]
            candidates, lambdas[target] = self._candidates(col, wcol, s["m"])
            # one set of unit-root and seasonal tests, on the series, for every candidate
            dD = (s["d"], s["D"])
            if len(candidates) > 1:
                dD = sel.differencing_orders(
                    wcol, wexog, m=s["m"], d=s["d"], D=s["D"], max_d=s["max_d"], max_D=s["max_D"],
                    seasonal_test=self.seasonal_test,
                )
            choices, failures = {}, []
            for tf in candidates:
                try:
                    choices[tf] = self._search(wcol, tf, target, wexog, s, dD, warm.get(target, {}).get(tf))
                except DataError as exc:  # with "auto", the other candidate may still fit
                    if self.transform != "auto":
                        raise
                    failures.append(exc)
            if not choices:
                raise failures[0]
            scores[target] = one_step_mae(wcol, choices) if len(choices) > 1 else {
                tf: math.nan for tf in choices}
            ics[target] = original_scale_ic(
                wcol, choices, self.information_criterion, self.boxcox_lambda is None)
            # the log must do strictly better than no transform
            best = min(choices, key=lambda tf: (scores[target][tf], tf is not None))
            choice = choices[best]
            if w0:  # the chosen order, estimated on every row (start values: the window's)
                z, _ = transform_target(col, best, choice.boxcox_lambda, target)
                choice = replace(sel.refit_order(z, exog, fit_sarimax, choice), boxcox_lambda=choice.boxcox_lambda)
            inner = self._inner(choice.order, choice.seasonal_order, choice.trend, best)
            # the estimate is that of the differenced data (the exact likelihood, d and D
            # fixed); the full model is only smoothed at it, not re-optimised
            inner.fit_at(
                pd.DataFrame({target: col}, index=index), X, {target: (choice.params, choice.converged)}
            )
            models[target], chosen[target], transforms[target] = inner, choice, best
            searched[target] = {**choices, best: choice}
        self._searched = searched
        self.search_seconds_ = time.perf_counter() - t0
        self.models_ = models
        self.model_ = per_target(models)
        self.transform_ = per_target(transforms)
        self.transform_scores_ = per_target(scores)
        self.transform_ic_ = per_target(ics)
        self.guerrero_lambda_ = per_target(lambdas)
        self.warm_started_ = bool(warm)
        for key in ("order", "seasonal_order", "trend", "d", "D", "search", "n_fits"):
            setattr(self, f"{key}_", per_target({t: getattr(c, key) for t, c in chosen.items()}))
        for attr in ("aic_", "aicc_", "bic_", "converged_", "boxcox_lambda_"):
            setattr(self, attr, per_target({t: getattr(mod, attr) for t, mod in models.items()}))

    # -- description ----------------------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """The chosen orders, trend, differences and transform (with lambda), the
        criterion it was chosen by and the number of fits the search made; per target
        where several (the criteria themselves are in ``aicc_``, ``transform_scores_``)."""
        return {
            **super().fitted_info(),
            "order": self.order_, "seasonal_order": self.seasonal_order_, "trend": self.trend_,
            "d": self.d_, "D": self.D_, "transform": self.transform_, "boxcox_lambda": self.boxcox_lambda_,
            "criterion": self.information_criterion, "converged": self.converged_, "n_fits": self.n_fits_,
            "warm_start": self.warm_started_,
            **({"guerrero_lambda": self.guerrero_lambda_} if self.transform == "auto" else {}),
        }

    # -- delegation -----------------------------------------------------------------
    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        index = self.history_index()
        for j, target in enumerate(self.targets_):
            self.models_[target].update(pd.DataFrame({target: y[:, j]}, index=index), X)

    def _predict(self, h: int, X_future: pd.DataFrame | None) -> np.ndarray:
        return np.column_stack([self.models_[t].predict(h, X_future)[t].to_numpy() for t in self.targets_])

    def _predict_interval(self, h: int, X_future: pd.DataFrame | None, level: float):
        frames = [self.models_[t].predict_interval(h, X_future, level=level) for t in self.targets_]
        def stack(suffix: str) -> np.ndarray:
            return np.column_stack([f[f"{t}{suffix}"].to_numpy() for f, t in zip(frames, self.targets_)])

        return stack(""), stack("_lower"), stack("_upper")

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins, h: int, level: float | None):
        """The chosen models' :meth:`ARIMAForecaster._forecast_origins
        <forecastkit.forecasters.statistical.arima.ARIMAForecaster._forecast_origins>`,
        one column per target; None when one declines."""
        self._check_fitted()
        parts = [self.models_[t]._forecast_origins(y[[t]], X, origins, h, level) for t in self.targets_]
        if any(p is None for p in parts):
            return None
        return tuple(None if parts[0][i] is None else np.concatenate([p[i] for p in parts], axis=-1)
                     for i in range(3))

    def _structure_copy(self, y: pd.DataFrame, X: pd.DataFrame | None, n0: int) -> ARIMAForecaster | None:
        """The conformal wrapper's calibration copy: the chosen model (orders, constant,
        transform) re-estimated on the first ``n0`` rows of ``y`` / ``X``, from this
        fit's estimate, so that the calibration errors are those of the model that
        forecasts (a copy that searched again on those rows chose weaker models, whose
        errors made the band too wide: airline, 99 % coverage at a nominal 80 %). None
        when the targets chose different models or the copy's rows cannot fit the
        chosen one (the wrapper then fits a copy that searches)."""
        models = [self.models_[t] for t in self.targets_]
        params = models[0].get_params()
        if any(mod.get_params() != params for mod in models[1:]):
            return None
        copy = ARIMAForecaster(**params)
        if len(models) == 1:
            copy.warm_start(models[0])
        copy._numpy_any_length = True  # as the search estimated it: a tenth of a SARIMAX fit
        return copy._fit_prefix(y, X, n0)

    # -- persistence ----------------------------------------------------------------
    def _save_state(self, directory) -> dict[str, Any]:
        # the inner ARIMA models save themselves; model_ is a view of models_
        from forecastkit.safety.codec import save_values

        return save_values(directory, self._state_attributes(exclude=("model_", "_warm", "_searched")))

    def _load_state(self, directory, state: dict[str, Any]) -> None:
        super()._load_state(directory, state)
        self.model_ = per_target(self.models_)

    def _transform_audit(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for mod in self.models_.values():
            for name, entry in mod._transform_audit().items():
                if name not in merged:
                    merged[name] = {**entry, "params": {k: dict(v) for k, v in entry["params"].items()}}
                else:
                    for k, v in entry["params"].items():
                        merged[name]["params"].setdefault(k, {}).update(v)
        return merged
