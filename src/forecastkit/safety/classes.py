"""Resolve a regressor class named in a config without running untrusted code.

Importing a module runs it, and instantiating an arbitrary class can do anything
(``subprocess.Popen``), so a dotted path is checked in two steps before anything is
built: its module must be scikit-learn or one the user listed in
``regressor_modules`` (checked before the import), and the attribute must be a
scikit-learn regressor class (checked before it is instantiated).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from forecastkit.errors import ConfigError, ForecastkitTypeError

#: packages whose regressors are always allowed
ALLOWED_PACKAGES = ("sklearn",)


def split_path(path: str) -> tuple[str, str]:
    """``"pkg.mod:Class"`` or ``"pkg.mod.Class"`` -> ``("pkg.mod", "Class")``."""
    module, sep, attr = path.partition(":")
    if not sep:
        module, _, attr = path.rpartition(".")
    return module, attr


def check_modules(modules: Any) -> tuple[str, ...]:
    """Validate ``regressor_modules``: a list of package names."""
    if modules is None:
        return ()
    if isinstance(modules, str) or not all(isinstance(m, str) and m for m in modules):
        raise ConfigError(f"regressor_modules must be a list of package names, got {modules!r}")
    return tuple(modules)


def _allowed(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def is_regressor_class(cls: Any) -> bool:
    """True for a class that is a scikit-learn regressor (``RegressorMixin`` or the
    regressor estimator type), without instantiating it."""
    if not inspect.isclass(cls):
        return False
    from sklearn.base import BaseEstimator, RegressorMixin

    if issubclass(cls, RegressorMixin):
        return True
    return issubclass(cls, BaseEstimator) and getattr(cls, "_estimator_type", None) == "regressor"


def resolve_regressor_class(path: str, modules: Any = None) -> type:
    """The regressor class a dotted path names, checked before import and before use."""
    packages = ALLOWED_PACKAGES + check_modules(modules)
    module, attr = split_path(path)
    if not module or not attr:
        raise ConfigError(f"regressor {path!r} is not a dotted class path such as 'sklearn.linear_model.Lasso'")
    if not _allowed(module, packages):
        raise ConfigError(
            f"regressor {path!r} is not from scikit-learn; if you trust its package, list it in the "
            f"model's regressor_modules (e.g. regressor_modules = [{module.split('.')[0]!r}])"
        )
    try:
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError) as err:
        raise ForecastkitTypeError(f"regressor {path!r} cannot be imported ({err})") from None
    if not is_regressor_class(obj):
        what = "class" if inspect.isclass(obj) else type(obj).__name__
        raise ForecastkitTypeError(
            f"regressor {path!r} is a {what} that is not a scikit-learn regressor "
            "(a RegressorMixin subclass); choose a regressor class"
        )
    return obj
