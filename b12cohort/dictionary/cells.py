"""Cells as text: the small helpers every column parser shares.

A cell may come from a CSV (a string), an Excel sheet (a number, a date, a bool) or a
DataFrame; these functions show it the way a person wrote it and split a column into its
distinct spellings, so that a parser classifies each spelling once.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

__all__ = ["cell_text", "codes_of", "fmt", "present_text", "rows_of"]


def fmt(x: float) -> str:
    """A number as a person would write it (no trailing .0, at most 6 significant digits)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{x:.6g}"


def cell_text(v) -> str:
    """A cell as text: Excel numbers without ".0", dates as ISO dates, times as ISO times."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    if isinstance(v, _dt.datetime):  # also pandas.Timestamp
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    return str(v)


def present_text(raw: pd.Series, missing_values) -> tuple[np.ndarray, pd.Series]:
    """Positions and stripped text of the non-missing cells of an object/string column."""
    mask = raw.notna().to_numpy()
    pos = np.flatnonzero(mask)
    cells = raw if len(pos) == len(raw) else raw.iloc[pos]
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        cells = cells.map(cell_text)  # Excel or DataFrame cells: numbers, dates, bools
    text = cells.astype(str).str.strip()
    keep = ~text.isin(list(missing_values)).to_numpy()
    if keep.all():
        return pos, text
    return pos[keep], text[keep]


def codes_of(raw: pd.Series) -> tuple[np.ndarray, list]:
    """Integer code per row (-1 for NA) and the distinct cells, in code order."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return raw.cat.codes.to_numpy(), list(raw.cat.categories)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    return codes, list(uniques)


def rows_of(codes: np.ndarray, code: int) -> np.ndarray:
    return np.flatnonzero(codes == code)
