"""The cleaning log: every change b12cohort makes between the raw input and the cohort.

A change is anything a reader of the raw file could not see in the cohort frame as it
was written: a renamed or dropped column, a value recoded ("да" -> True, "муж" -> "M"),
a unit converted (g/dL -> g/L), a decimal comma read as a point, whitespace trimmed.
The log is stored compactly (one entry per column, rule and value, with the rows it
applies to) and expanded to one row per cell on demand, so logging stays cheap on a
million-row export: a recoded spelling ("да" -> True in half a million cells) keeps a
reference to the column's category codes (:class:`CodeRows`), not a list of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["LOG_COLUMNS", "CleaningLog", "CodeRows"]

#: Columns of :meth:`CleaningLog.to_frame`.
LOG_COLUMNS = ("row", "column", "original", "new", "rule", "detail")


class CodeRows:
    """The rows whose category code is ``code``, found only when needed.

    ``codes`` is one integer code per row (shared by every entry of a column), so a
    change that touches most of a million-row column costs no extra memory until the
    log is expanded with :meth:`CleaningLog.to_frame`.
    """

    __slots__ = ("code", "codes", "n")

    def __init__(self, codes: np.ndarray, code: int, n: int | None = None):
        self.codes, self.code = codes, code
        self.n = int(np.count_nonzero(codes == code)) if n is None else int(n)

    def forget(self, column: str) -> None:
        """Drop the entries of ``column`` (its cells are about to be replaced by pseudonyms)."""
        self._entries = [e for e in self._entries if e.column != column]

    def __len__(self) -> int:
        return self.n

    def positions(self) -> np.ndarray:
        return np.flatnonzero(self.codes == self.code)


def _positions(rows) -> np.ndarray:
    return rows.positions() if isinstance(rows, CodeRows) else rows


@dataclass(frozen=True)
class _Entry:
    column: str
    rule: str
    detail: str
    rows: np.ndarray | CodeRows | None  # 0-based positions; None = the whole column/file
    original: object  # scalar, or an array aligned with rows
    new: object


@dataclass(eq=False)
class CleaningLog:
    """What the cleaner changed, entry by entry (append-only while loading).

    Use :meth:`to_frame` for one row per changed cell (the ``row`` is the 1-based data
    row of the input, as in validation messages) and :meth:`summary` for one row per
    kind of change with its count.
    """

    _entries: list[_Entry] = field(default_factory=list)
    _row_labels: np.ndarray | None = None  # 1-based data-row numbers of the raw input
    _warnings: dict = field(default_factory=dict)  # (column, sentence) -> cells, in order

    def warn(self, column: str, sentence: str, *, n_cells: int | None = None) -> None:
        """Record a cleaning rule that can change a conclusion, as one plain sentence.

        The sentence names the column and the number of affected cells, never a value
        from the data; the same sentence for the same column is kept once.
        """
        self._warnings.setdefault((column, sentence), n_cells)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The sentences of :meth:`warn`, in the order they were recorded."""
        return tuple(sentence for _, sentence in self._warnings)

    def add(
        self, column: str, rule: str, *, original=None, new=None, rows=None, detail: str = ""
    ) -> None:
        """Record a change.

        ``rows`` are 0-based positions (or a :class:`CodeRows`); ``original``/``new`` are
        scalars, or arrays aligned with ``rows`` when it is an array of positions.
        """
        if isinstance(rows, CodeRows):
            if len(rows) == 0:
                return
        elif rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            if rows.size == 0:
                return
        self._entries.append(_Entry(column, rule, detail, rows, original, new))

    def forget(self, column: str) -> None:
        """Drop the entries of ``column`` (its cells are about to be replaced by pseudonyms)."""
        self._entries = [e for e in self._entries if e.column != column]

    def __len__(self) -> int:
        return sum(1 if e.rows is None else len(e.rows) for e in self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __deepcopy__(self, memo):  # shared, not copied, when pandas copies DataFrame.attrs
        return self

    def summary(self) -> pd.DataFrame:
        """One row per logged change kind: column, rule, original, new, detail, n_cells."""
        recs = []
        for e in self._entries:
            n = None if e.rows is None else len(e.rows)
            scalar = not isinstance(e.original, np.ndarray)
            recs.append(
                {
                    "column": e.column,
                    "rule": e.rule,
                    "original": _text(e.original) if scalar else "(per cell)",
                    "new": _text(e.new) if scalar else "(per cell)",
                    "detail": e.detail,
                    "n_cells": n,
                }
            )
        return pd.DataFrame(
            recs, columns=["column", "rule", "original", "new", "detail", "n_cells"]
        ).astype({"n_cells": "Int64"})

    def to_frame(self) -> pd.DataFrame:
        """One row per changed cell (or per column/file-level change, with ``row`` missing).

        Sorted by row, then column, so two runs on the same input give the same table.
        """
        parts = []
        for order, e in enumerate(self._entries):
            if e.rows is None:
                parts.append(
                    pd.DataFrame(
                        {
                            "row": pd.array([pd.NA], dtype="Int64"),
                            "column": [e.column],
                            "original": [_text(e.original)],
                            "new": [_text(e.new)],
                            "rule": [e.rule],
                            "detail": [e.detail],
                            "_order": [order],
                        }
                    )
                )
                continue
            rows = _positions(e.rows)
            n = len(rows)
            labels = self._row_labels[rows] if self._row_labels is not None else rows + 1
            parts.append(
                pd.DataFrame(
                    {
                        "row": pd.array(labels, dtype="Int64"),
                        "column": np.repeat(e.column, n),
                        "original": _texts(e.original, n),
                        "new": _texts(e.new, n),
                        "rule": np.repeat(e.rule, n),
                        "detail": np.repeat(e.detail, n),
                        "_order": np.repeat(order, n),
                    }
                )
            )
        if not parts:
            return pd.DataFrame(
                {c: pd.Series(dtype="Int64" if c == "row" else "object") for c in LOG_COLUMNS}
            )
        df = pd.concat(parts, ignore_index=True)
        df["_file_level"] = df["row"].isna()
        df = df.sort_values(
            ["_file_level", "row", "_order"], ascending=[False, True, True], kind="stable"
        )
        return df[list(LOG_COLUMNS)].reset_index(drop=True)

    def to_frames(self, rows_per_frame: int = 20_000):
        """The rows of :meth:`to_frame`, in the same order, a window of input rows at a time.

        Yields frames with the columns of :meth:`to_frame`: first the file- and
        column-level changes, then the changes of ``rows_per_frame`` input rows at a
        time (a million-row export logs about ten million cells; this keeps one window's
        worth of them in memory). ``pd.concat`` of the frames equals :meth:`to_frame`.
        """
        whole = [(order, e) for order, e in enumerate(self._entries) if e.rows is None]
        cells = []
        for order, e in enumerate(self._entries):
            if e.rows is None:
                continue
            rows = _positions(e.rows)
            labels = self._row_labels[rows] if self._row_labels is not None else rows + 1
            cells.append((order, e, np.asarray(labels, dtype=np.int64)))
        if whole or not cells:
            yield _frame([
                {"labels": pd.array([pd.NA], dtype="Int64"), "e": e, "order": order, "take": None}
                for order, e in whole
            ])  # fmt: skip
        if not cells:
            return
        top = max(int(labels.max()) for _, _, labels in cells if labels.size)
        for low in range(0, top + 1, rows_per_frame):
            parts = []
            for order, e, labels in cells:
                take = np.flatnonzero((labels >= low) & (labels < low + rows_per_frame))
                if take.size:
                    parts.append({"labels": pd.array(labels[take], dtype="Int64"), "e": e,
                                  "order": order, "take": take})  # fmt: skip
            if parts:
                yield _frame(parts)


def _frame(parts: list[dict]) -> pd.DataFrame:
    """Rows of :meth:`CleaningLog.to_frame` for ``parts`` (an entry and the rows it takes)."""
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype="Int64" if c == "row" else "object") for c in LOG_COLUMNS}
        )
    frames = []
    for part in parts:
        e, take, n = part["e"], part["take"], len(part["labels"])

        def values(v, take=take, n=n):
            if isinstance(v, np.ndarray | pd.Series | pd.api.extensions.ExtensionArray):
                return _texts(np.asarray(v, dtype=object)[take], n)
            return _texts(v, n)

        frames.append(
            pd.DataFrame(
                {
                    "row": part["labels"],
                    "column": np.repeat(e.column, n),
                    "original": values(e.original),
                    "new": values(e.new),
                    "rule": np.repeat(e.rule, n),
                    "detail": np.repeat(e.detail, n),
                    "_order": np.repeat(part["order"], n),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["row", "_order"], kind="stable")
    return df[list(LOG_COLUMNS)].reset_index(drop=True)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _texts(values, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray | pd.Series | pd.api.extensions.ExtensionArray):
        return np.array([_text(v) for v in values], dtype=object)
    return np.repeat(np.array([_text(values)], dtype=object), n)
