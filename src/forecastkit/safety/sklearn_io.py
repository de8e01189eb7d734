"""scikit-learn estimators in saved state: ``skops.io`` files, loaded only when every
type they contain is a class from scikit-learn (or a module the user trusted), never
a function, never anything from ``builtins`` beyond what skops trusts by default."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from forecastkit.errors import DataError

#: module prefixes whose classes a saved estimator may contain
TRUSTED_PREFIXES = ("sklearn.",)
#: numpy / scipy types skops reports as untrusted but that hold only data
TRUSTED_TYPES = frozenset({
    "numpy.dtype", "numpy.ndarray", "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32",
    "numpy.bool_", "numpy.uint8", "numpy.intp", "numpy.random._mt19937.MT19937",
    "numpy.random.mtrand.RandomState", "numpy.random._pcg64.PCG64", "numpy.random._generator.Generator",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix",
})


def dump_estimator(estimator: Any, path: Path) -> None:
    import skops.io as sio

    sio.dump(estimator, path)


def _trusted(name: str, modules: tuple[str, ...]) -> bool:
    if name in TRUSTED_TYPES:
        return True
    prefixes = TRUSTED_PREFIXES + tuple(f"{m}." for m in modules)
    if not name.startswith(prefixes):
        return False
    module, _, attr = name.rpartition(".")
    try:  # the module is on the allow-list, so importing it is safe
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return False
    return inspect.isclass(obj)


def load_estimator(path: Path, modules: tuple[str, ...] = ()) -> Any:
    """Load an estimator written by :func:`dump_estimator`, refusing untrusted types."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as err:  # a damaged archive: say which file
        raise DataError(f"{path}: unreadable estimator file ({type(err).__name__}: {err})") from None
    refused = [t for t in untrusted if not _trusted(t, modules)]
    if refused:
        raise DataError(f"{path}: refusing to load type(s) {refused}: not scikit-learn classes")
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as err:
        raise DataError(f"{path}: unreadable estimator file ({type(err).__name__}: {err})") from None
