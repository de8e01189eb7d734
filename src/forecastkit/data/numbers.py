"""Turn the value columns of a raw frame into float64, as the user wrote the numbers.

Numbers written with a decimal comma (``226,01``) or a thousands separator
(``1,234.50``) are read when ``decimal`` / ``thousands`` say so, checked strictly
(``1,23,4`` is not a number under ``thousands=','``), and otherwise recognised
only to name the option that reads them: never one-hot encoded, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecastkit.errors import DataError

_SEPARATORS = (",", ".", " ", "'")
# (decimal, thousands) conventions recognised in a hint, most common first.
_CONVENTIONS = ((".", ","), (",", None), (",", "."), (",", " "), (".", " "), (".", "'"))


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written: the decimal mark and the thousands separator."""

    decimal: str = "."
    thousands: str | None = None

    def check(self) -> NumberFormat:
        """Validate; DataError with one line if the marks are unknown or equal."""
        if self.decimal not in (".", ","):
            raise DataError(f"decimal must be '.' or ',', got {self.decimal!r}")
        if self.thousands is not None and self.thousands not in _SEPARATORS:
            raise DataError(f"thousands must be one of {list(_SEPARATORS)} or None, got {self.thousands!r}")
        if self.thousands == self.decimal:
            raise DataError(f"decimal and thousands cannot both be {self.decimal!r}")
        return self

    @property
    def default(self) -> bool:
        return self.decimal == "." and self.thousands is None

    def pattern(self) -> re.Pattern[str]:
        d = re.escape(self.decimal)
        whole = r"\d+"
        if self.thousands is not None:
            whole = rf"(?:\d{{1,3}}(?:{re.escape(self.thousands)}\d{{3}})+|\d+)"
        return re.compile(rf"^[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?$")

    def to_float(self, text: pd.Series) -> pd.Series:
        """Parse text (already stripped); NaN where a cell is not a number in this format."""
        ok = text.str.match(self.pattern().pattern).fillna(False).to_numpy(dtype=bool)
        clean = text.where(ok)
        if self.thousands is not None:
            clean = clean.str.replace(self.thousands, "", regex=False)
        if self.decimal != ".":
            clean = clean.str.replace(self.decimal, ".", regex=False)
        out = pd.to_numeric(clean, errors="coerce").astype("float64")
        special = ~ok & text.str.lower().isin(["inf", "+inf", "-inf", "infinity", "-infinity"]).to_numpy()
        out[special] = pd.to_numeric(text[special], errors="coerce").astype("float64")
        return out


def _text(col: pd.Series) -> pd.Series:
    present = col.dropna()
    return present.astype("str").str.strip()


def sample(col: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in pd.unique(col.dropna())[:2])


def is_text(col: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_complex_dtype(col))


def separator_hint(col: pd.Series, name: str, what: str = "column") -> DataError | None:
    """If the text cells of a column are all numbers with separators, the error that
    names the ``decimal`` / ``thousands`` option reading them; None otherwise."""
    if not is_text(col) or pd.api.types.is_datetime64_any_dtype(col):
        return None
    text = _text(col)
    odd = text[pd.to_numeric(text, errors="coerce").isna().to_numpy()]
    odd = odd[odd != ""]
    if odd.empty or not odd.str.contains(r"\d[,. ']\d", regex=True).all():
        return None
    readings: dict[tuple, NumberFormat] = {}
    for decimal, thousands in _CONVENTIONS:
        fmt = NumberFormat(decimal, thousands)
        values = fmt.to_float(text)
        if values.isna().any():
            continue
        if thousands is not None and not text.str.contains(re.escape(thousands), regex=True).any():
            continue  # a separator that never occurs says nothing
        readings.setdefault(tuple(values.to_numpy()), fmt)
    if not readings:
        return None
    example = str(odd.iloc[0])
    options = [_option(f) for f in readings.values()]
    if len(options) == 1:
        fmt = next(iter(readings.values()))
        return DataError(
            f"{what} {name!r} holds numbers written like {example!r} "
            f"({_describe(fmt)}); pass {options[0]}"
        )
    shown = " or ".join(f"{_option(f)} ({example!r} = {f.to_float(pd.Series([example])).iloc[0]:g})" for f in readings.values())
    return DataError(f"{what} {name!r} holds numbers like {example!r} that read two ways; pass {shown}")


def _option(fmt: NumberFormat) -> str:
    parts = []
    if fmt.decimal != ".":
        parts.append(f"decimal={fmt.decimal!r} (--decimal '{fmt.decimal}')")
    if fmt.thousands is not None:
        parts.append(f"thousands={fmt.thousands!r} (--thousands '{fmt.thousands}')")
    return " and ".join(parts)


def _describe(fmt: NumberFormat) -> str:
    mark = "a decimal comma" if fmt.decimal == "," else "a decimal point"
    return mark + (f" and {fmt.thousands!r} between thousands" if fmt.thousands else "")


def stray_text(col: pd.Series, fmt: NumberFormat) -> tuple[int, str, int] | None:
    """For a text column that is mostly numbers, the first cell that is not one:
    ``(row position, value, number of such cells)``; None otherwise."""
    if not is_text(col):
        return None
    present = np.flatnonzero(col.notna().to_numpy())
    text = col.iloc[present].astype("str").str.strip()
    bad = fmt.to_float(text).isna().to_numpy()
    if not bad.any() or bad.sum() * 2 >= len(bad):  # none, or a categorical column
        return None
    first = int(np.flatnonzero(bad)[0])
    return int(present[first]), str(text.iloc[first]), int(bad.sum())


def not_a_number(c: str, stray: tuple[int, str, int], what: str = "column") -> DataError:
    pos, value, count = stray
    return DataError(
        f"{what} {c!r}: row {pos + 1} value {value!r} is not a number ({count} such "
        "value(s)); fix it, or leave the cell empty to mark a missing value"
    )


def numeric(col: pd.Series, fmt: NumberFormat) -> pd.Series | None:
    """The column as float64, or None if it is not numeric."""
    if pd.api.types.is_complex_dtype(col):
        return None
    if pd.api.types.is_numeric_dtype(col):  # includes bool
        return col.astype("float64")
    if col.isna().all():  # an all-empty CSV column is read as strings
        return pd.Series(np.nan, index=col.index, name=col.name)
    if col.dtype == object and fmt.default:  # in-memory frames may hold numbers as objects
        try:
            return pd.to_numeric(col, errors="raise").astype("float64")
        except (ValueError, TypeError):
            return None
    if not fmt.default:
        present = col.notna().to_numpy()
        text = col.astype("str").str.strip()
        values = fmt.to_float(text)
        if values[present].isna().any():
            return None
        return values.where(present).rename(col.name)
    return None


def _refuse_text(c: str, col: pd.Series, fmt: NumberFormat, what: str, fallback: str) -> DataError:
    """The most useful error for a column that is not numeric."""
    hint = separator_hint(col, c, what) if fmt.default else None
    if hint is not None:
        return hint
    stray = stray_text(col, fmt)
    if stray is not None:
        return not_a_number(c, stray, what)
    return DataError(f"{what} {c!r} is not numeric (values like {sample(col)}); {fallback}")


def encode(
    df: pd.DataFrame, chosen: list[str], targets: list[str], onehot: bool | list[str], fmt: NumberFormat
) -> pd.DataFrame:
    """The chosen columns as float64, categorical ones one-hot encoded.

    ``onehot`` is True (every non-numeric non-target column that is no typo'd or
    separator-written number) or a list of columns.
    """
    if onehot is True:
        hot = {
            c
            for c in chosen
            if c not in targets
            and numeric(df[c], fmt) is None
            and stray_text(df[c], fmt) is None
            and separator_hint(df[c], c) is None
        }
    else:
        hot = set(onehot or ())
        unknown = sorted(hot - set(chosen))
        if unknown:
            raise DataError(f"onehot column(s) {unknown} are not among the selected columns {chosen}")
    parts = []
    for c in chosen:
        if c in targets and (c in hot or numeric(df[c], fmt) is None):
            raise _refuse_text(
                c, df[c], fmt, "target column", "a target must be numeric and cannot be one-hot encoded"
            )
        if c in hot:
            dummies = pd.get_dummies(df[c].astype("str"), prefix=c, prefix_sep="_", dtype="float64")
            dummies.loc[df[c].isna().to_numpy()] = np.nan  # keep missing categories visible
            parts.append(dummies)
            continue
        num = numeric(df[c], fmt)
        if num is None:
            raise _refuse_text(c, df[c], fmt, "column", f"pass onehot=[{c!r}] / --onehot {c} or drop it")
        parts.append(num.rename(c))
    out = pd.concat(parts, axis=1)
    _refuse_empty(out, chosen, targets)
    return out


def _refuse_empty(out: pd.DataFrame, chosen: list[str], targets: list[str]) -> None:
    """An all-empty column cannot be filled: say it is empty, not 'fill'."""
    empty = [c for c in chosen if c in out.columns and out[c].isna().all()]
    if not empty:
        return
    c = empty[0]
    what = "target column" if c in targets else "column"
    others = f" (so are {empty[1:]})" if len(empty) > 1 else ""
    fix = (
        "give it values in the file or choose another target"
        if c in targets
        else "leave it out with features=[...] (--features) or give it values in the file"
    )
    raise DataError(f"{what} {c!r} is empty: none of its {len(out)} rows has a value{others}; {fix}")
