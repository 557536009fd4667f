"""What a table carries into a Word document or an Excel workbook, and the shared exports.

A table the package shows (:class:`~b12cohort.core.tables.TableOne`, the association
table, any tidy result frame wrapped by :func:`result_table`) becomes a
:class:`TableContent`: its title, the *shown* cells (every cell a string, exactly as the
Markdown/HTML writers show them), the *data* (exactly what its CSV holds: numbers
unrounded) and its footnotes. :mod:`b12cohort.core._docx` writes the shown cells,
:mod:`b12cohort.core._xlsx` the data with number formats; both put the footnotes under
the table. :class:`~b12cohort.core._exportable.Exportable` gives every such table
``to_docx`` and ``to_xlsx``: one implementation.

The footnotes are taken from the table itself, never invented: the tests that ran (its
``test``/``method`` columns), the interval method and level (``ci_method``,
``confidence``), the multiplicity adjustment (``p_adjust``), the missing counts
(``n_missing``/``missing``), and the abbreviations that appear in its shown cells.

Both formats are zip files; :func:`deterministic_zip` rewrites one with fixed
timestamps, fixed member order and fixed permissions, so that the same tables give the
same bytes on every run.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from b12cohort.core.errors import ArgumentError

__all__ = [
    "Section",
    "TableContent",
    "abbreviations",
    "as_content",
    "derived_notes",
    "deterministic_zip",
    "fixed_timestamp",
    "frame_content",
]

#: Abbreviations explained in a footnote when they appear in a table's shown cells.
ABBREVIATIONS = {
    "CI": "confidence interval",
    "IQR": "interquartile range",
    "SD": "standard deviation",
    "Hb": "haemoglobin",
    "REML": "restricted maximum likelihood",
    "TOST": "two one-sided tests (equivalence)",
    "SE": "standard error",
    "KM": "Kaplan-Meier",
}


@dataclass(frozen=True)
class TableContent:
    """One table as the Word and Excel writers receive it.

    Attributes
    ----------
    title : str
        The caption without its number (the writer adds "Table N.").
    shown : pandas.DataFrame
        The cells a reader sees, every one a string (as in the Markdown export).
    data : pandas.DataFrame
        The values of the CSV export: numbers unrounded, text as text.
    notes : tuple of str
        Footnotes, printed under the table in both formats.
    name : str
        A short name (the report's file stem), used for the Excel sheet name.
    numeric_text : bool
        The data are display strings (a Table 1): Excel gets those that are plain
        numbers (counts, p-values) as numbers.
    """

    title: str
    shown: pd.DataFrame
    data: pd.DataFrame
    notes: tuple[str, ...] = ()
    name: str = ""
    numeric_text: bool = False


@dataclass(frozen=True)
class Section:
    """A part of a Word document after the tables: a heading, paragraphs and/or a table.

    Parameters
    ----------
    heading : str
        The section's heading (paragraph style ``Heading {level}``).
    paragraphs : sequence of str
        Paragraphs, in order (style ``Normal``).
    table : TableContent, a table with ``to_docx``, or a pandas.DataFrame, optional
        A table printed after the paragraphs (without a "Table N." number: it is part of
        the section, such as a checklist).
    level : int
        Heading level, 1 to 9.
    """

    heading: str
    paragraphs: tuple[str, ...] = ()
    table: Any = None
    level: int = 1

    def __post_init__(self):
        if isinstance(self.paragraphs, str):
            object.__setattr__(self, "paragraphs", (self.paragraphs,))
        else:
            object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        if not (isinstance(self.level, int) and 1 <= self.level <= 9):
            raise ArgumentError(f"Section level={self.level!r}: must be an integer 1 to 9.")


def _distinct(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    seen = []
    for v in frame[column].tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            continue
        text = str(v).strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def _level(values: list[str]) -> str:
    out = []
    for v in values:
        try:
            out.append(f"{100 * float(v):g}%")
        except ValueError:
            out.append(v)
    return ", ".join(out)


def abbreviations(shown: pd.DataFrame) -> str | None:
    text = " ".join([*map(str, shown.columns), *map(str, shown.to_numpy().ravel().tolist())])
    found = [
        f"{k}, {v}" for k, v in ABBREVIATIONS.items() if re.search(rf"(?<![\w]){k}(?![\w])", text)
    ]
    return "Abbreviations: " + "; ".join(found) + "." if found else None


def derived_notes(data: pd.DataFrame, shown: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Footnotes read off a tidy result table (see the module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"variable": ["a", "b"], "ci_low": [0.1, 0.2],
    ...                       "ci_method": ["clopper-pearson"] * 2, "confidence": [0.95] * 2,
    ...                       "n_missing": [0, 2]})
    >>> derived_notes(frame)
    ('Confidence intervals: clopper-pearson, 95%.', 'Missing (n_missing): b 2.')
    """
    notes = []
    tests = _distinct(data, "test")
    methods = _distinct(data, "method")
    if tests:
        notes.append("Tests: " + "; ".join(tests) + ".")
    if methods:
        notes.append("Methods: " + "; ".join(methods) + ".")
    ci = _distinct(data, "ci_method")
    level = _level(_distinct(data, "confidence"))
    if ci or (level and any(c.endswith(("_low", "_high")) for c in map(str, data.columns))):
        notes.append(
            "Confidence intervals: " + ", ".join([x for x in (", ".join(ci), level) if x]) + "."
        )
    adjust = _distinct(data, "p_adjust")
    if adjust:
        notes.append("Multiplicity adjustment: " + ", ".join(adjust) + ".")
    for col in ("n_missing", "missing"):
        if col in data.columns:
            values = pd.to_numeric(data[col], errors="coerce").astype("float64")  # NA -> NaN
            key = data.iloc[:, 0].astype(str).tolist()
            nonzero = [
                f"{k} {int(v)}" for k, v in zip(key, values, strict=True) if v == v and v > 0
            ]
            notes.append(f"Missing ({col}): " + (", ".join(nonzero) if nonzero else "none") + ".")
            break
    found = abbreviations(data if shown is None else shown)
    if found:
        notes.append(found)
    return tuple(notes)


def frame_content(frame: pd.DataFrame, *, title: str = "", notes=None) -> TableContent:
    """The content of a tidy result frame: cells as :func:`~b12cohort.core._cells.format_frame`
    shows them, the frame as data, footnotes given or read off it (:func:`derived_notes`)."""
    from b12cohort.core._cells import format_frame

    shown = format_frame(frame)
    notes = derived_notes(frame, shown) if notes is None else tuple(notes)
    return TableContent(title, shown, frame, notes)


def as_content(table, *, name: str = "", title: str | None = None) -> TableContent:
    """A :class:`TableContent` from a TableContent, an :class:`Exportable` or a DataFrame."""
    if isinstance(table, TableContent):
        content = table
    elif callable(getattr(table, "_content", None)):  # an Exportable (TableOne, ...)
        content = table._content()
    elif isinstance(table, pd.DataFrame):
        content = frame_content(table)
    else:
        raise ArgumentError(
            f"cannot export a {type(table).__name__} as a table: pass a pandas DataFrame, "
            "a TableOne (b12cohort.table_one), an association table or b12cohort.result_table(frame)."
        )
    return dataclasses.replace(
        content, title=content.title if title is None else title, name=name or content.name
    )


#: Default timestamp of the exported documents (overridden by SOURCE_DATE_EPOCH).
FIXED_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)


def fixed_timestamp() -> datetime:
    """The date written into documents: ``SOURCE_DATE_EPOCH`` if set, else 2000-01-01 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ArgumentError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970."
            ) from None
    return FIXED_TIMESTAMP


def deterministic_zip(payload: bytes, *, first: Sequence[str] = ("[Content_Types].xml",)) -> bytes:
    """Rewrite a zip (an OOXML package) with fixed timestamps, order and permissions.

    Members keep their bytes; ``first`` come first (``[Content_Types].xml`` by
    convention), the rest in sorted order. Every member gets the DOS date 1980-01-01,
    permissions 0644 and deflate compression.
    """
    with zipfile.ZipFile(io.BytesIO(payload)) as zin:
        members = {info.filename: zin.read(info) for info in zin.infolist()}
    order = [n for n in first if n in members] + sorted(n for n in members if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zout.writestr(info, members[name], compresslevel=6)
    return out.getvalue()


def zip_members(payload: bytes) -> tuple[str, ...]:
    """Member names of a zip, in stored order."""
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        return tuple(i.filename for i in z.infolist())
