"""Exceptions raised by forecastkit.

Every error the toolkit raises on bad input derives from :class:`ForecastkitError`
(a ``ValueError``), so callers can catch one type; the CLI turns them into a
one-line message and exit code 2.
"""

from __future__ import annotations


class ForecastkitError(ValueError):
    """Base class for all errors raised by forecastkit on bad input."""


class DataError(ForecastkitError):
    """The data cannot be used as given (missing file, bad column, NaN, gaps ...)."""


class ConfigError(ForecastkitError):
    """A configuration file or value is invalid."""


class NotFittedError(ForecastkitError):
    """A forecaster was used before ``fit`` was called."""


class ForecastkitTypeError(ForecastkitError, TypeError):
    """An argument has the wrong type (also a ``TypeError``)."""
