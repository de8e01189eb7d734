"""The regressors of :mod:`forecastkit.forecasters.reduction`: the explicit registry of
scikit-learn regressor aliases and the resolution of a regressor given by alias,
dotted class path, class or instance (classes are checked before they are built)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forecastkit.errors import ConfigError, ForecastkitTypeError


@dataclass(frozen=True)
class RegressorAlias:
    target: str  # "module:Class"
    defaults: dict[str, Any] = field(default_factory=dict)
    multi_output: bool = True  # fits a 2-D y natively


REGRESSORS: dict[str, RegressorAlias] = {
    "ridge": RegressorAlias("sklearn.linear_model:Ridge"),
    "linear": RegressorAlias("sklearn.linear_model:LinearRegression"),
    "random_forest": RegressorAlias("sklearn.ensemble:RandomForestRegressor"),
    "hist_gradient_boosting": RegressorAlias("sklearn.ensemble:HistGradientBoostingRegressor", multi_output=False),
    # MLPRegressor fits 2-D y natively although its tags do not say so.
    "mlp": RegressorAlias("sklearn.neural_network:MLPRegressor", {"hidden_layer_sizes": (64,), "max_iter": 1000}),
    "knn": RegressorAlias("sklearn.neighbors:KNeighborsRegressor"),
}


def _import_class(path: str, modules: Any = None) -> type:
    from forecastkit.safety.classes import resolve_regressor_class

    return resolve_regressor_class(path, modules)


def _is_regressor(est: Any) -> bool:
    from sklearn.base import is_regressor

    if not (callable(getattr(est, "fit", None)) and callable(getattr(est, "predict", None))):
        return False
    try:
        return bool(is_regressor(est))
    except Exception:  # objects without scikit-learn tags
        return False


def resolve_regressor(
    regressor: Any, params: dict[str, Any] | None, random_state: Any, n_jobs: Any, modules: Any = None
) -> tuple[Any, bool]:
    """Build the unfitted prototype estimator and say whether it is natively multi-output.

    ``regressor`` is an alias of :data:`REGRESSORS`, a dotted class path
    (``"sklearn.linear_model.Lasso"``; other packages only when listed in ``modules``),
    a class or an estimator instance. Classes are checked before they are instantiated.
    """
    from sklearn.base import clone
    from sklearn.utils import get_tags

    if params is not None and not isinstance(params, dict):
        raise ConfigError(f"regressor_params must be a mapping, got {params!r}")
    params = dict(params or {})
    alias = None
    if isinstance(regressor, str):
        if regressor in REGRESSORS:
            alias = REGRESSORS[regressor]
            cls = _import_class(alias.target)
            params = {**alias.defaults, **params}
        elif "." in regressor or ":" in regressor:
            cls = _import_class(regressor, modules)
        else:
            raise ConfigError(
                f"unknown regressor alias {regressor!r}; valid: {', '.join(REGRESSORS)} "
                "or a dotted class path such as 'sklearn.linear_model.Lasso'"
            )
    elif isinstance(regressor, type):
        cls = regressor
    elif _is_regressor(regressor):
        est = clone(regressor).set_params(**params) if params else clone(regressor)
        cls = None
    else:
        raise ForecastkitTypeError(f"regressor {regressor!r} is not a scikit-learn regressor")
    if cls is not None:
        if not isinstance(cls, type):
            raise ForecastkitTypeError(f"regressor {regressor!r} is not a class but {type(cls).__name__}")
        from forecastkit.safety.classes import is_regressor_class

        if not is_regressor_class(cls):
            raise ForecastkitTypeError(
                f"regressor {regressor!r} ({cls.__module__}.{cls.__name__}) is not a scikit-learn regressor class"
            )
        try:
            est = cls(**params)
        except TypeError as err:
            raise ConfigError(f"regressor {regressor!r} rejects regressor_params {params!r}: {err}") from None
        if not _is_regressor(est):
            raise ForecastkitTypeError(
                f"regressor {regressor!r} ({cls.__module__}.{cls.__name__}) is not a scikit-learn regressor "
                "(it needs fit/predict and the regressor estimator type)"
            )
    names = est.get_params(deep=False)
    extra = {}
    if "random_state" in names and "random_state" not in params:
        extra["random_state"] = random_state
    if "n_jobs" in names and "n_jobs" not in params and n_jobs is not None:
        extra["n_jobs"] = n_jobs
    if extra:
        est.set_params(**extra)
    multi = alias.multi_output if alias is not None else bool(get_tags(est).target_tags.multi_output)
    return est, multi
