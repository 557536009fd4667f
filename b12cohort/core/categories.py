"""Levels and codes of a categorical column, shared by the contingency and trend tests."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def levels_text(dropped: Mapping[str, tuple]) -> str:
    """``"rows: a, b; columns: c"`` for the dropped levels of a table (empty when none)."""
    parts = [f"{k}: {', '.join(map(str, v))}" for k, v in dropped.items() if v]
    return "; ".join(parts)


def levels(series: pd.Series) -> list:
    """Levels of a column in their natural order (categories / False, True / sorted)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    if pd.api.types.is_bool_dtype(series.dtype):
        return [False, True]
    values = pd.unique(series.dropna())
    try:
        return sorted(values)
    except TypeError:
        return list(values)


def codes(series: pd.Series, levels: list) -> np.ndarray:
    return pd.Categorical(series, categories=levels).codes.astype(np.int64)
