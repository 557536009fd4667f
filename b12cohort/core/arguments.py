"""Argument checks shared by every public function.

One vocabulary across the package: ``confidence`` (a level in (0, 1)), ``alternative``
(``"two-sided"``, ``"less"``, ``"greater"``), ``method``, ``p_adjust`` (statsmodels'
``multipletests`` names). Each check raises :class:`~b12cohort.core.errors.ArgumentError`
with a message that names the argument, what was received and what is accepted.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError

ALTERNATIVES = ("two-sided", "less", "greater")

#: Names accepted by :func:`statsmodels.stats.multitest.multipletests`, plus "none".
P_ADJUST_METHODS = (
    "none",
    "bonferroni",
    "sidak",
    "holm-sidak",
    "holm",
    "simes-hochberg",
    "hommel",
    "fdr_bh",
    "fdr_by",
    "fdr_tsbh",
    "fdr_tsbky",
)


def check_dataframe(data: Any, *, function: str, name: str = "data"):
    """Return ``data`` if it is a pandas DataFrame, else raise a helpful error."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"{function}(): `{name}` must be a pandas DataFrame (for example the result of "
            f"b12cohort.load_cohort()), got {type(data).__name__}."
        )
    return data


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to ``name`` (difflib ratio >= 0.6), or None."""
    matches = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return matches[0] if matches else None


def require_columns(data, columns: Sequence[str] | str, *, function: str) -> list[str]:
    """Check that every name in ``columns`` is a column of ``data``; return them as a list."""
    check_dataframe(data, function=function)
    cols = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        hints = []
        for c in missing:
            near = closest(c, data.columns)
            hints.append(f"'{c}'" + (f" (did you mean '{near}'?)" if near else ""))
        raise ArgumentError(
            f"{function}(): column(s) {', '.join(hints)} not found in the data. "
            f"Available columns: {', '.join(map(str, data.columns))}."
        )
    return cols


def require_distinct_columns(data, columns: Mapping[str, Any], *, function: str) -> list[str]:
    """:func:`require_columns` for named column arguments that must be different columns.

    ``columns`` maps each argument name to the column it names, e.g.
    ``{"outcome": "y", "exposure": "x", "strata": "site"}`` (the stratified tests).
    """
    names = list(columns.values())
    require_columns(data, names, function=function)
    seen: dict[Any, str] = {}
    for argument, column in columns.items():
        if column in seen:
            arguments = ", ".join(f"`{a}`" for a in columns)
            raise ArgumentError(
                f"{function}(): `{seen[column]}` and `{argument}` both name column {column!r}; "
                f"{arguments} must be {len(columns)} different columns."
            )
        seen[column] = argument
    return names


def check_choice(value: Any, choices: Sequence[str], *, name: str, function: str) -> str:
    """Check that ``value`` is one of ``choices`` (case-insensitive); return its canonical spelling."""
    if isinstance(value, str):
        for c in choices:
            if value.lower() == c.lower():
                return c
    near = closest(value, choices) if isinstance(value, str) else None
    hint = f" Did you mean '{near}'?" if near else ""
    raise ArgumentError(
        f"{function}(): `{name}` must be one of {', '.join(repr(c) for c in choices)}; "
        f"got {value!r}.{hint}"
    )


def check_confidence(confidence: Any, *, function: str) -> float:
    """Check a confidence level: a number strictly between 0 and 1 (0.95, not 95)."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0.0 < level < 1.0:
        hint = f" Did you mean {level / 100:g}?" if 1.0 < level < 100.0 else ""
        raise ArgumentError(
            f"{function}(): `confidence` must be a number strictly between 0 and 1 "
            f"(for example 0.95); got {confidence!r}.{hint}"
        )
    return level


def check_alternative(alternative: Any, *, function: str) -> str:
    """Check ``alternative`` against ``"two-sided"``, ``"less"``, ``"greater"``."""
    return check_choice(alternative, ALTERNATIVES, name="alternative", function=function)


def check_p_adjust(method: Any, *, function: str) -> str:
    """Check a multiplicity-adjustment method name (statsmodels' ``multipletests`` names)."""
    if method is None:
        return "none"
    return check_choice(method, P_ADJUST_METHODS, name="p_adjust", function=function)


def check_positive_int(value: Any, *, name: str, function: str, minimum: int = 1) -> int:
    """Check a whole number >= ``minimum`` (bools are refused)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or value < minimum
    ):
        raise ArgumentError(
            f"{function}(): `{name}` must be a whole number >= {minimum}; got {value!r}."
        )
    return int(value)


def float_values(data: pd.DataFrame, column: str, *, function: str, expected: str) -> np.ndarray:
    """A numeric column as a float array (NaN = missing); ArgumentError for other dtypes."""
    s = data[column]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise ArgumentError(
            f"{function}(): column '{column}' must hold {expected}, got dtype {s.dtype}. "
            "Load the data with b12cohort.load_cohort()."
        )
    return s.to_numpy(dtype="float64", na_value=np.nan)


def check_between(
    value, low: float, high: float, *, name: str, function: str, example: str
) -> float:
    """A number strictly between ``low`` and ``high``, else an :class:`ArgumentError`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not low < number < high:
        raise ArgumentError(
            f"{function}(): `{name}` must be a number strictly between {low:g} and {high:g} "
            f"(for example {example}); got {value!r}."
        )
    return number
