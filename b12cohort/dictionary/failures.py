"""The failures collector of validation: every problem found, then one table.

:class:`Failures` gathers failures column by column as arrays (rows, values, message
bodies) and builds the table of :data:`~b12cohort.core.errors.FAILURE_COLUMNS` once, with
vectorised string operations, so that a file with a million bad cells is reported in
seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from b12cohort.core.errors import FAILURE_COLUMNS, CohortValidationError

__all__ = [
    "MAX_STRUCTURE_FAILURES",
    "Failures",
    "failure_frame",
    "structure_failure",
    "summary_message",
]

MAX_STRUCTURE_FAILURES = 1000  # ragged rows listed individually; beyond this, counted


def failure_frame(rows: list[dict]) -> pd.DataFrame:
    """A failures DataFrame (columns of FAILURE_COLUMNS) from a list of dicts."""
    df = pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    df["line"] = df["line"].astype("Int64")
    return df


def structure_failure(
    source: str, message: str, *, rule: str, row=None, line=None, column=None, value=None
):
    """Raise a one-failure CohortValidationError about the file's structure."""
    failures = failure_frame(
        [
            {
                "row": row,
                "line": line,
                "column": column,
                "value": value,
                "rule": rule,
                "message": message,
            }
        ]
    )
    raise CohortValidationError(f"{source}: {message}", failures, source=source)


@dataclass
class Failures:
    """Collects failures; :meth:`frame` builds the table with full messages.

    ``rows`` are 0-based positions in the raw data; ``labels`` and ``lines`` map them to
    the 1-based data row and the file line shown to people.
    """

    labels: np.ndarray  # 1-based data-row numbers
    lines: np.ndarray  # file line per row (-1 when not a file)
    parts: list
    cells: dict = field(default_factory=dict)  # spreadsheet: column -> its letter (E for E4)

    @classmethod
    def for_rows(
        cls, n: int, lines: np.ndarray | None = None, labels: np.ndarray | None = None
    ) -> Failures:
        labels = np.arange(1, n + 1) if labels is None else labels
        lines = np.full(n, -1, dtype=np.int64) if lines is None else lines
        return cls(labels, lines, [])

    def add(self, rows, column: str, values, rule: str, bodies) -> None:
        """Record failures at 0-based ``rows``; ``values``/``bodies`` scalars or per-row sequences."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        n = rows.size
        values = _per_row(values, n)
        bodies = _per_row(bodies, n)
        self.parts.append((rows, column, values, rule, bodies))

    def add_table(self, column: str | None, rule: str, message: str, value=None) -> None:
        """A failure about a whole column or the file (no row)."""
        self.parts.append((None, column, value, rule, message))

    def __bool__(self) -> bool:
        return bool(self.parts)

    def failed_rows(self, column: str) -> np.ndarray:
        """0-based rows that already have a failure in ``column``."""
        rows = [p[0] for p in self.parts if p[0] is not None and p[1] == column]
        return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)

    @property
    def bad_rows(self) -> np.ndarray:
        """0-based positions of rows with at least one failure."""
        rows = [p[0] for p in self.parts if p[0] is not None]
        return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)

    def frame(self) -> pd.DataFrame:
        """The failures table (columns of FAILURE_COLUMNS), sorted by row, then column."""
        pieces = []
        for rows, column, values, rule, bodies in self.parts:
            if rows is None:
                pieces.append(
                    pd.DataFrame(
                        {
                            "row": pd.array([pd.NA], dtype="Int64"),
                            "line": pd.array([pd.NA], dtype="Int64"),
                            "column": [column],
                            "value": [values],
                            "rule": [rule],
                            "message": [bodies],
                        }
                    )
                )
                continue
            labels = self.labels[rows]
            lines = self.lines[rows]
            where = "row " + pd.Series(labels).astype(str)
            has_line = lines >= 0
            if has_line.any():
                unit = f"cell {self.cells[column]}" if column in self.cells else "line "
                where = where.where(
                    ~has_line, where + f" ({unit}" + pd.Series(lines).astype(str) + ")"
                )
            values = _withheld(values)
            value_text = pd.Series(values, dtype=object).astype(str)
            message = where + f": {column} = " + value_text + " " + pd.Series(bodies).astype(str)
            pieces.append(
                pd.DataFrame(
                    {
                        "row": pd.array(labels, dtype="Int64"),
                        "line": pd.arrays.IntegerArray(
                            np.where(has_line, lines, 0).astype(np.int64), ~has_line
                        ),
                        "column": column,
                        "value": pd.Series(values, dtype=object).to_numpy(),
                        "rule": rule,
                        "message": message.to_numpy(dtype=object),
                    }
                )
            )
        if not pieces:
            return failure_frame([])
        df = pd.concat(pieces, ignore_index=True)
        df = df.astype({"column": object, "rule": object, "message": object})
        order = df["row"].fillna(0).astype("int64").to_numpy()
        names = np.array([c if isinstance(c, str) else "" for c in df["column"]], dtype=object)
        return df.iloc[np.lexsort((names.astype(str), order))].reset_index(drop=True)


# words that a single-word name pattern would catch but that are codes, not people
_VOCABULARY = frozenset(
    {
        "true",
        "false",
        "yes",
        "no",
        "none",
        "null",
        "nan",
        "inf",
        "infinity",
        "male",
        "female",
        "boy",
        "girl",
        "unknown",
        "missing",
        "absent",
        "present",
        "есть",
        "нет",
        "да",
        "мужской",
        "женский",
        "evet",
        "hayır",
        "var",
        "yok",
        "erkek",
        "kadın",
        "kiz",
        "kız",
    }
)


def _withheld(values: np.ndarray) -> np.ndarray:
    """``values`` with every cell that looks like an identifier replaced by what it looks like.

    A failure quotes the cell it is about, so that the user can find it; a name, a date,
    an e-mail address or a phone number is never quoted, in any column.
    """
    from b12cohort.dictionary.privacy import kind_of

    texts = pd.Series(values, dtype=object)
    strings = texts.map(lambda v: isinstance(v, str))
    if not strings.any():
        return values
    distinct = pd.unique(texts[strings].to_numpy(dtype=object))
    kinds = {v: None if v.strip().lower() in _VOCABULARY else kind_of(v.strip()) for v in distinct}
    if not any(kinds.values()):
        return values
    out = np.asarray(values, dtype=object).copy()
    for i, v in enumerate(out):
        kind = kinds.get(v) if isinstance(v, str) else None
        if kind:
            out[i] = f"(withheld: looks like a {kind})"
    return out


def _per_row(value, n: int) -> np.ndarray:
    """``value`` repeated ``n`` times, or the sequence itself, as an object array."""
    if isinstance(value, str) or not hasattr(value, "__len__"):
        out = np.empty(n, dtype=object)
        out[:] = [value] if n else []
        return out
    out = np.empty(len(value), dtype=object)
    out[:] = list(value)
    return out


def summary_message(source: str, failures: pd.DataFrame) -> str:
    """One sentence for an exception: how many problems, where, of which kinds, the first."""
    n = len(failures)
    rows = failures["row"].dropna().nunique()
    counts = (
        failures.assign(column=failures["column"].fillna("(file)").astype(str))
        .groupby(["column", "rule"], sort=True)
        .size()
        .sort_values(ascending=False, kind="stable")
    )
    parts = [f"{c} ({r}) x{k}" for (c, r), k in counts.head(6).items()]
    first = failures["message"].iloc[0]
    return (
        f"{source}: {n} problem(s)"
        + (f" in {rows} row(s)" if rows else "")
        + f": {', '.join(parts)}{', ...' if len(counts) > 6 else ''}. First: {first} "
        f"Every failure: b12cohort validate {source} (Python: the error's .failures table)."
    )
