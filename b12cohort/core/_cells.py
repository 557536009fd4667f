"""The cell formatters and the spreadsheet formula guard, below every table writer.

:mod:`b12cohort.core.tables` (CSV, Markdown, LaTeX, HTML), :mod:`b12cohort.core._docx` and
:mod:`b12cohort.core._xlsx` all format cells and guard text through these functions
(re-exported by :mod:`b12cohort.core.tables`, where they are documented as the one family
the package formats numbers with).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def format_significant(value: float, digits: int = 3, *, missing: str = "") -> str:
    """``digits`` significant digits (``%g``: no trailing zeros), ``missing`` for NaN/None.

    >>> format_significant(0.123456), format_significant(82.9, 6), format_significant(None)
    ('0.123', '82.9', '')
    """
    if value is None or not math.isfinite(value):
        return missing
    return f"{value:.{digits}g}"


def format_p(p: float, *, prose: bool = False) -> str:
    """``<0.001`` below 0.001, else three decimals; empty for NaN.

    With ``prose=True`` the form a sentence uses: ``p = 0.042``, ``p < 0.001``,
    ``p not computed``.

    >>> format_p(0.0421), format_p(1e-5), format_p(0.0421, prose=True), format_p(float("nan"))
    ('0.042', '<0.001', 'p = 0.042', '')
    """
    if p is None or not math.isfinite(p):
        return "p not computed" if prose else ""
    if prose:
        return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _is_p(column: str) -> bool:
    return column.startswith("p_") or column.endswith("p_value") or column in {"p", "p_adjusted"}


#: Columns of tidy tables shown with three decimals (proportions, estimates, bounds).
_THREE_DECIMALS = frozenset({"proportion", "ci_low", "ci_high", "estimate", "i2"})


def format_cell(value, column: str = "") -> str:
    """A cell of a tidy result table as display text, by its column name.

    p-values (``p_value``, ``p_*``, ``*p_value``, ``p``, ``p_adjusted``): :func:`format_p`;
    proportions, estimates and interval bounds (``*_low``, ``*_high``): three decimals;
    whole numbers stay whole; other numbers: three significant digits; booleans
    ``yes``/``no``; missing values empty; text unchanged.

    >>> [format_cell(v, c) for v, c in [(0.00012, "p_value"), (0.63157, "proportion"),
    ...                                 (19.0, "n"), (82.94, "b12"), (True, "match"), (None, "x")]]
    ['<0.001', '0.632', '19', '82.9', 'yes', '']
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if _is_p(column):
            return format_p(value)
        if value.is_integer() and abs(value) < 1e9:
            return str(int(value))
        if column in _THREE_DECIMALS or column.endswith(("_low", "_high")):
            return f"{value:.3f}"
        return format_significant(value, 3)
    return str(value)


def format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as display text (:func:`format_cell` by column)."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        out[col] = [format_cell(v, str(col)) for v in frame[col].tolist()]
    return out


# OWASP's list, plus the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) that
# spreadsheet programs in East Asian locales also read as the start of a formula.
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _neutral(value):
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value
