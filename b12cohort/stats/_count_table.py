"""A validated table of counts for the contingency tests, without pandas on the hot path.

:func:`_count_table` checks a 2-D table of non-negative whole counts (a numpy fast path
for integer arrays, the DataFrame path keeping labels) and returns a :class:`_Counts`;
:func:`_drop_empty` marks the empty rows and columns. :class:`_LazyTable` is the data
descriptor of ``FisherResult.table``: the result stores the :class:`_Counts` and the
DataFrame is built the first time it is read, so a call that only needs the p-value
builds none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError

__all__ = ["_Counts", "_LazyTable", "_count_table", "_drop_empty"]


class _Counts:
    """A validated table of counts without pandas: the int64 values, the labels (None for
    an array: positions) and which rows/columns are kept after dropping empty ones.

    :class:`FisherResult` stores this and builds its ``table`` DataFrame only when it is
    read (once), so that a call that only needs the p-value builds no DataFrame.
    """

    __slots__ = ("_frame", "columns", "index", "keep_c", "keep_r", "values")

    def __init__(self, values, index=None, columns=None):
        self.values = values
        self.index, self.columns = index, columns
        self.keep_r = self.keep_c = None
        self._frame = None

    def __getstate__(self):
        return (self.values, self.index, self.columns, self.keep_r, self.keep_c)

    def __setstate__(self, state):
        self.values, self.index, self.columns, self.keep_r, self.keep_c = state
        self._frame = None

    @property
    def names(self):
        return (
            getattr(self.index, "name", None),
            getattr(self.columns, "name", None),
        )

    def kept(self) -> np.ndarray:
        return self.values[self.keep_r][:, self.keep_c]

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.keep_r.sum()), int(self.keep_c.sum())

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            if self.index is None:
                full = pd.DataFrame(self.values)
            else:
                full = pd.DataFrame(self.values, index=self.index, columns=self.columns)
            self._frame = full.loc[self.keep_r, self.keep_c]
        return self._frame


class _LazyTable:
    """Data descriptor of ``FisherResult.table``: stores a :class:`_Counts` (or a
    DataFrame) and hands out the DataFrame, built on first access."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name + "_store"

    def __get__(self, obj, owner=None):
        if obj is None:  # no class-level default: the field stays required
            raise AttributeError(self.slot)
        value = obj.__dict__[self.slot]
        return value.frame() if isinstance(value, _Counts) else value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


def _count_table(table: Any, function: str) -> _Counts:
    """Validate a 2-D table of non-negative whole counts; return its int64 values and labels."""
    if not isinstance(table, pd.DataFrame):
        try:  # the cheap path: an integer (or whole float) array, checked by numpy alone
            arr = np.asarray(table)
        except (TypeError, ValueError):
            arr = None
        if (
            arr is not None
            and arr.ndim == 2
            and arr.size
            and arr.dtype.kind in "iuf"
            and (arr.dtype.kind != "f" or bool(np.isfinite(arr).all()))
            and bool((arr >= 0).all())
            and (arr.dtype.kind != "f" or bool((arr == np.round(arr)).all()))
        ):
            return _Counts(arr.astype(np.int64))
    if isinstance(table, pd.DataFrame):
        frame = table
    else:
        arr = np.asarray(table, dtype=object)
        if arr.ndim != 2:
            raise ArgumentError(
                f"{function}(): `table` must be 2-dimensional (rows × columns of counts); "
                f"got an array with {arr.ndim} dimension(s). For two columns of a DataFrame "
                "use fisher_exact(data, row=..., col=...)."
            )
        frame = pd.DataFrame(arr)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ArgumentError(f"{function}(): `table` is empty (shape {frame.shape}).")
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"{function}(): `table` must hold numbers (counts); {err}.") from None
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ArgumentError(
            f"{function}(): every cell of `table` must be a non-negative whole count; "
            f"cell [{frame.index[i]!r}, {frame.columns[j]!r}] is {values[i, j]!r}."
        )
    return _Counts(values.astype(np.int64), frame.index, frame.columns)


def _drop_empty(counts: _Counts):
    """Mark the rows and columns with a zero total as dropped; their labels."""
    keep_r = counts.values.sum(axis=1) > 0
    keep_c = counts.values.sum(axis=0) > 0
    counts.keep_r, counts.keep_c = keep_r, keep_c
    if keep_r.all() and keep_c.all():
        return counts, {"rows": (), "columns": ()}
    rows = range(len(keep_r)) if counts.index is None else counts.index
    cols = range(len(keep_c)) if counts.columns is None else counts.columns
    dropped = {
        "rows": tuple(v for v, k in zip(rows, keep_r, strict=True) if not k),
        "columns": tuple(v for v, k in zip(cols, keep_c, strict=True) if not k),
    }
    return counts, dropped
