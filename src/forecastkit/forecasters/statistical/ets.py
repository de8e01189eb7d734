"""Exponential smoothing state-space models (statsmodels ``ETSModel``): :class:`ETSForecaster`.

Automatic selection in the style of R's ``forecast::ets()`` (Hyndman et al. 2002,
2008): every admissible form ``ETS(error, trend, season)`` with error in
{A, M}, trend in {N, A, Ad} and season in {N, A, M} is estimated by maximum
likelihood and the one with the lowest ``information_criterion`` (AICc by default)
is kept. As in R's ``restrict=TRUE`` the numerically unstable forms with additive
errors and multiplicative seasonality, ``ETS(A,*,M)``, are not searched;
multiplicative forms (error or season) are tried only on strictly positive data;
seasonal forms only with ``season_length > 1`` and at least two full seasons; a
form with as many parameters as observations minus one is skipped (its AICc is
undefined). The likelihoods of additive- and multiplicative-error models are both
of the data on its original scale, so their criteria are comparable.

Each form is estimated as statsmodels' ``ETSModel.fit`` estimates it (L-BFGS-B, same
start values, bounds and difference gradient), through the cheaper evaluation path of
:mod:`~forecastkit.forecasters.statistical.ets_estimate`: the same estimate, bit for
bit, in about half the time.

``update`` keeps every estimated parameter (smoothing, damping and initial states)
and only runs the smoother over the new history, so the next forecast starts from
the new origin. Intervals are statsmodels' own: analytic for the linear forms,
simulated (1,000 paths, a fixed random state) for the multiplicative ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.base import Forecaster
from forecastkit.forecasters.statistical._common import per_target, quiet_statsmodels

__all__ = ["ETSForecaster"]

ERRORS = ("auto", "add", "mul")
TRENDS = ("auto", "none", "add", "damped")
SEASONALS = ("auto", "none", "add", "mul")
CRITERIA = ("aicc", "aic", "bic")
INITIALIZATIONS = ("estimated", "heuristic")
_LETTER = {"none": "N", "add": "A", "damped": "Ad", "mul": "M"}

#: ``warm_start`` uses an earlier fit on at least this share of the new fit's rows. On
#: 200 M3 monthly series a start at the estimate on 18 fewer rows (the previous fold's)
#: needed 43 % fewer likelihood evaluations at the same accuracy (test MASE 0.897 vs
#: 0.901 cold); a start at the estimate on the first half (a conformal calibration copy's)
#: ended in other local optima, a fifth of the chosen forms changed and MASE rose by
#: 0.07: such a fit starts cold.
WARM_MIN_SHARE = 0.7


def form_name(error: str, trend: str, seasonal: str) -> str:
    """``ETS(M,Ad,M)``-style name of a form."""
    return f"ETS({_LETTER[error]},{_LETTER[trend]},{_LETTER[seasonal]})"


def _n_params(trend: str, seasonal: str, m: int) -> int:
    """Free parameters of a form: smoothing, damping, initial states and the variance."""
    k = 2 + 1  # alpha, initial level, sigma
    if trend != "none":
        k += 2 + (trend == "damped")  # beta, initial slope (phi)
    if seasonal != "none":
        k += 1 + (m - 1)  # gamma, m - 1 free initial seasonal states
    return k


class ETSForecaster(Forecaster):
    """ETS exponential smoothing with automatic form selection (see the module notes).

    Parameters
    ----------
    season_length : int, default 1
        Seasonal period ``m`` (1 = non-seasonal).
    error : {"auto", "add", "mul"}, default "auto"
    trend : {"auto", "none", "add", "damped"}, default "auto"
    seasonal : {"auto", "none", "add", "mul"}, default "auto"
        Fix a component instead of selecting it; a fixed ``"mul"`` on data with zeros
        or negative values is an error.
    information_criterion : {"aicc", "aic", "bic"}, default "aicc"
    maxiter : int, default 1000
        Iterations of the likelihood optimiser per form.
    initialization : {"estimated", "heuristic"}, default "estimated"
        ``"estimated"``: the initial level, slope and seasonal states are estimated with
        the smoothing parameters by maximum likelihood (as R's ``ets()``); ``"heuristic"``:
        they are set from the first seasons by statsmodels' heuristic (Hyndman et al.
        2008, section 2.6) and only the smoothing and damping parameters are estimated
        (far fewer likelihood evaluations; the criterion then counts fewer parameters);
        ``update`` keeps the fitted initial states in both cases.

    Attributes
    ----------
    form_ : the chosen form, e.g. ``"ETS(M,Ad,M)"`` (per target where several).
    params_ : smoothing/damping parameters of the chosen form (per target).
    criteria_ : ``{form: criterion}`` of every form estimated (per target).
    evaluations_ : likelihood evaluations of the fit, all forms and targets together.
    warm_started_ : whether the estimates started from :meth:`warm_start`'s model.
    results_ : dict of statsmodels ``ETSResults`` per target (without the covariance of
        the estimate: ``cov_params()`` is NaN; statsmodels' numerical Hessian cost a
        quarter of a fit and every ``update``).
    """

    _tags = {"intervals": True}
    _min_obs = 4
    param_choices = {"error": ERRORS, "trend": TRENDS, "seasonal": SEASONALS,
                     "information_criterion": CRITERIA, "initialization": INITIALIZATIONS}

    def __init__(self, season_length=1, error="auto", trend="auto", seasonal="auto",
                 information_criterion="aicc", maxiter=1000, initialization="estimated") -> None:
        self.season_length = season_length
        self.error = error
        self.trend = trend
        self.seasonal = seasonal
        self.information_criterion = information_criterion
        self.maxiter = maxiter
        self.initialization = initialization

    def _check_params(self) -> int:
        m = self.season_length
        if not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1:
            raise ConfigError(f"ets: season_length must be an integer >= 1, got {m!r}")
        for name, choices in self.param_choices.items():
            if getattr(self, name) not in choices:
                raise ConfigError(f"ets: {name} must be one of {', '.join(map(repr, choices))}, got {getattr(self, name)!r}")
        if self.seasonal in ("add", "mul") and m == 1:
            raise ConfigError(f"ets: seasonal={self.seasonal!r} needs season_length > 1")
        if self.error == "add" and self.seasonal == "mul":
            raise ConfigError("ets: the form ETS(A,*,M) is numerically unstable; use error='mul' with seasonal='mul'")
        return int(m)

    def min_train_size(self) -> int:
        m = self._check_params()
        if self.seasonal in ("add", "mul"):
            return 2 * m
        return self._min_obs

    # -- the forms searched ----------------------------------------------------------
    def _candidates(self, y: np.ndarray, m: int, target: str) -> list[tuple[str, str, str]]:
        positive = bool((y > 0).all())
        for comp in ("error", "seasonal"):
            if getattr(self, comp) == "mul" and not positive:
                bad = int(np.flatnonzero(y <= 0)[0])
                when = self.history_index()[bad]
                raise DataError(
                    f"ets: {comp}='mul' needs strictly positive data, but target {target!r} has the value "
                    f"{y[bad]:g} at {when}; use {comp}='add' or 'auto' (which tries multiplicative forms "
                    "only on positive data), or shift the series to be positive"
                )
        errors = ["add", "mul"] if self.error == "auto" else [self.error]
        trends = ["none", "add", "damped"] if self.trend == "auto" else [self.trend]
        seasonal_ok = m > 1 and len(y) >= 2 * m
        if self.seasonal == "auto":
            seasons = ["none"] + (["add", "mul"] if seasonal_ok else [])
        else:
            seasons = [self.seasonal]
        out = []
        for e in errors:
            for t in trends:
                for s in seasons:
                    if e == "add" and s == "mul":
                        continue
                    if "mul" in (e, s) and not positive:
                        continue
                    out.append((e, t, s))
        return out

    def _model(self, y: np.ndarray, form: tuple[str, str, str], m: int, target: str | None = None):
        """The form's model for ``y``; with ``target``, at the fitted target's heuristic
        initial states (``update`` keeps them, as it keeps estimated ones)."""
        from forecastkit.forecasters.statistical.ets_estimate import lean_model

        initial = None if target is None else getattr(self, "_initial", {}).get(target)
        return lean_model(y, form, m, self.initialization, initial)

    def _form_model(self, y: np.ndarray, form: tuple[str, str, str], m: int, shared: dict):
        """The form's model in the selection. Heuristic initial states depend on the
        trend's presence and the season only (not on the error or the damping), so
        they are computed once per such pair, kept in ``shared``, and given to the
        other forms as known states: the same states and estimates, bit for bit, at a
        quarter of the model's construction cost (a third of a heuristic fit's time
        went to recomputing them for every form)."""
        from forecastkit.forecasters.statistical.ets_estimate import initial_states, lean_model

        if self.initialization != "heuristic":
            return self._model(y, form, m)
        key = (form[1] != "none", form[2])
        model = lean_model(y, form, m, "heuristic", shared.get(key))
        if key not in shared:
            shared[key] = initial_states(model)
        return model

    def _select(self, y: np.ndarray, m: int, target: str):
        forms = self._candidates(y, m, target)
        fixed = len(forms) == 1
        best, best_score, scores, estimates, initials = None, np.inf, {}, {}, {}
        warm = self._starts.get(target, {})
        from statsmodels.tools import eval_measures

        from forecastkit.forecasters.statistical.ets_estimate import fit_form

        for form in forms:
            if not fixed and _n_params(form[1], form[2], m) >= len(y) - 1:
                continue
            try:
                # the estimate only: the results object is built for the chosen form alone
                model = self._form_model(y, form, m, initials)
                params, evaluations = fit_form(model, warm.get(form), maxiter=self.maxiter)
            except (np.linalg.LinAlgError, ValueError) as exc:
                if fixed:
                    raise DataError(f"ets: {form_name(*form)} could not be fitted to target {target!r}: {exc}") from exc
                continue
            # the criterion as ETSResults computes it (every parameter free, plus the variance)
            score = float(getattr(eval_measures, self.information_criterion)(
                model.loglike(params), model.nobs, model.k_params + 1))
            if not np.isfinite(score) and not fixed:
                continue
            scores[form_name(*form)] = score
            estimates[form] = params
            self.evaluations_ += evaluations
            if best is None or score < best_score:
                best, best_score = (form, model, params), score
        if best is None:
            raise DataError(f"ets: no exponential smoothing form could be fitted to target {target!r} "
                            f"({len(y)} observations); give more data or fix a simpler form")
        self._estimates[target] = estimates
        form, model, params = best
        if model.initialization_method != self.initialization:  # given shared heuristic states
            model = self._model(y, form, m)  # the same states, computed (what results_ reports)
        return form, model.smooth(params), scores

    # -- fit / update ----------------------------------------------------------------
    def warm_start(self, previous: "ETSForecaster") -> "ETSForecaster":
        """Start the next :meth:`fit`'s estimate of every form from ``previous``'s estimate
        of that form (an earlier fit with the same settings, e.g. the previous backtest
        fold's), when ``previous`` saw at least :data:`WARM_MIN_SHARE` of the next fit's
        rows. Every form is still estimated and the criterion still picks among them on
        the new data; only where each optimiser starts depends on ``previous``. A model
        loaded from disk carries no estimates and gives a cold start. Returns self."""
        if isinstance(previous, ETSForecaster) and previous.get_params() == self.get_params():
            estimates = getattr(previous, "_estimates", {})
            self._warm = (len(previous._hist_y), dict(estimates)) if estimates else None
        return self

    def _fit(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        m = self._check_params()
        self.m_ = m
        self._estimates, self.evaluations_ = {}, 0
        rows, starts = getattr(self, "_warm", None) or (0, {})
        self._starts = starts if rows >= WARM_MIN_SHARE * len(y) else {}
        self._warm = None  # used once
        forms, results, scores, params = {}, {}, {}, {}
        with quiet_statsmodels():
            for j, target in enumerate(self.targets_):
                forms[target], results[target], scores[target] = self._select(y[:, j], m, target)
                params[target] = np.asarray(results[target].params, dtype=float)
        self._forms, self._params, self.results_ = forms, params, results
        self._initial = {}
        if self.initialization == "heuristic":
            from forecastkit.forecasters.statistical.ets_estimate import initial_states

            self._initial = {t: initial_states(r.model) for t, r in results.items()}
        self.warm_started_ = bool(self._starts)
        self._hist_y = y.copy()
        self.form_ = per_target({t: form_name(*f) for t, f in forms.items()})
        self.criteria_ = per_target(scores)
        self.params_ = per_target({t: self._named_params(t) for t in self.targets_})

    def _structure_copy(self, y: pd.DataFrame, X: pd.DataFrame | None, n0: int) -> "ETSForecaster | None":
        """The conformal wrapper's calibration copy: the chosen form estimated on the
        first ``n0`` rows of ``y`` (one form, not the whole selection), so that the
        calibration errors are those of the form that forecasts; None when the targets
        chose different forms or the copy's rows cannot fit it (the wrapper then fits a
        copy that selects again)."""
        forms = {self._forms[t] for t in self.targets_}
        if len(forms) != 1:
            return None
        error, trend, seasonal = forms.pop()
        copy = type(self)(**{**self.get_params(), "error": error, "trend": trend, "seasonal": seasonal})
        return copy._fit_prefix(y, X, n0)

    def _named_params(self, target: str) -> dict[str, float]:
        res = self.results_[target]
        names = list(res.model.param_names)
        keep = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")
        return {n: float(v) for n, v in zip(names, res.params) if n in keep}

    def _smooth(self, target: str, y: np.ndarray):
        with quiet_statsmodels():
            return self._model(y, self._forms[target], self.m_, target).smooth(self._params[target])

    def _update(self, y: np.ndarray, X: pd.DataFrame | None) -> None:
        for j, target in enumerate(self.targets_):
            if self._forms[target][0] == "mul" or self._forms[target][2] == "mul":
                if not (y[:, j] > 0).all():
                    raise DataError(f"ets: the fitted form {form_name(*self._forms[target])} needs strictly "
                                    f"positive data; the new history of target {target!r} is not")
        self.results_ = {t: self._smooth(t, y[:, j]) for j, t in enumerate(self.targets_)}
        self._hist_y = y.copy()

    # -- predict ---------------------------------------------------------------------
    def _predict(self, h: int, X: pd.DataFrame | None) -> np.ndarray:
        with quiet_statsmodels():
            return np.column_stack([np.asarray(self.results_[t].forecast(h), dtype=float).ravel()
                                    for t in self.targets_])

    def _predict_interval(self, h: int, X: pd.DataFrame | None, level: float):
        mean = self._predict(h, X)
        lowers, uppers = [], []
        with quiet_statsmodels():
            for t in self.targets_:
                res = self.results_[t]
                n = int(res.model.nobs)
                pred = res.get_prediction(start=n, end=n + h - 1, rng=np.random.default_rng(0))
                frame = pred.summary_frame(alpha=1.0 - level)
                lowers.append(frame["pi_lower"].to_numpy(dtype=float))
                uppers.append(frame["pi_upper"].to_numpy(dtype=float))
        return mean, np.column_stack(lowers), np.column_stack(uppers)

    def _forecast_origins(self, y: pd.DataFrame, X: pd.DataFrame | None, origins: Any, h: int,
                          level: float | None):
        """Forecasts (and bands at ``level``) from many origins at once: row ``i`` of each
        ``(n_origins, h, k)`` array equals ``update(y[:o])`` then ``predict_interval(h,
        level=level)`` (``predict`` and None bounds without ``level``), ``o = origins[i]``,
        up to rounding (see :mod:`~forecastkit.forecasters.statistical.ets_origins`).
        None (the caller loops) on data a multiplicative form cannot take."""
        from forecastkit.forecasters.statistical.ets_origins import origin_forecasts

        self._check_fitted()
        origins = np.asarray(origins, dtype=int)
        if [str(c) for c in y.columns] != self.targets_ or len(origins) == 0:
            return None
        if origins.min() < self.min_train_size() or origins.max() > len(y):
            raise DataError(f"origins {origins.min()}..{origins.max()} do not fit {len(y)} rows")
        values = y.to_numpy(dtype=float)[: origins.max()]
        out = []
        for j, target in enumerate(self.targets_):
            form = self._forms[target]
            if "mul" in (form[0], form[2]) and not (values[:, j] > 0).all():
                return None  # update raises its error
            with quiet_statsmodels():
                out.append(origin_forecasts(self._model(values[:, j], form, self.m_, target), self._params[target],
                                            origins, h, level))
        mean = np.stack([o[0] for o in out], axis=-1)
        if level is None:
            return mean, None, None
        return mean, np.stack([o[1] for o in out], axis=-1), np.stack([o[2] for o in out], axis=-1)

    # -- description and persistence -------------------------------------------------
    def fitted_info(self) -> dict[str, Any]:
        """The chosen form (``ETS(M,Ad,M)``), its smoothing/damping parameters and the
        criterion it was chosen by; per target where several."""
        return {**super().fitted_info(), "form": self.form_, "params": self.params_,
                "criterion": self.information_criterion}

    def _save_state(self, directory) -> dict[str, Any]:
        # statsmodels results are not stored: the forms, parameters and history are
        from forecastkit.safety.codec import save_values

        return save_values(directory, self._state_attributes(
            exclude=("results_", "_estimates", "_warm", "_starts")))

    def _load_state(self, directory, state: dict[str, Any]) -> None:
        super()._load_state(directory, state)
        self._forms = {t: tuple(f) for t, f in self._forms.items()}
        self.results_ = {t: self._smooth(t, self._hist_y[:, j]) for j, t in enumerate(self.targets_)}
