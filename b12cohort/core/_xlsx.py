"""The Excel writer: one sheet per table, numbers as numbers, footnotes under each (openpyxl).

:func:`write_xlsx` writes one ``.xlsx`` with a sheet per table, named after the table
(at most 31 characters, unique, without the characters Excel forbids). Each sheet holds

- row 1: the caption, "Table N. title";
- row 3: the column headers (bold, frozen), then one row per row of the CSV export:
  numbers as numbers (unrounded, as the CSV holds them) with a number format that shows
  them as the other exports round them (p-values three decimals or "<0.001";
  proportions, estimates and bounds three decimals; whole numbers without decimals),
  booleans as booleans, missing values as empty cells, text as text;
- after one empty row, the footnotes, one per row.

Every text cell (caption, headers, cells, footnotes) passes the CSV formula guard
(:func:`~b12cohort.core.tables.neutralise_csv_injection`'s rule: a leading ``'`` before
``= + - @``, tab, carriage return and their full-width forms), so no cell can run as a
formula; cells are also written with the data type "string", never "formula".

The bytes are deterministic: fixed core properties and zip layout
(:func:`~b12cohort.core._export.deterministic_zip`).
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

from b12cohort.core._cells import _neutral
from b12cohort.core._export import as_content, deterministic_zip, fixed_timestamp
from b12cohort.core.errors import ArgumentError

__all__ = ["sheet_names", "write_xlsx"]

#: Number formats, by what :func:`b12cohort.core.tables.format_cell` does with the column.
P_FORMAT = '[<0.001]"<0.001";0.000'
THREE_DECIMALS = "0.000"
WHOLE = "0"

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_HEADER_ROW = 3


def sheet_names(names) -> list[str]:
    """Excel sheet names for ``names``: forbidden characters replaced, <= 31 characters, unique.

    >>> sheet_names(["table_one", "a" * 40, "a" * 40, "p/q"])
    ['table_one', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2', 'p_q']
    """
    out: list[str] = []
    taken: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = _FORBIDDEN.sub("_", str(name)).strip("'").strip() or f"Table {i}"
        candidate, k = base[:31], 1
        while candidate.lower() in taken:
            k += 1
            suffix = f" {k}"
            candidate = base[: 31 - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _number_format(column: str, value) -> str | None:
    from b12cohort.core._cells import _THREE_DECIMALS, _is_p

    if isinstance(value, int):
        return WHOLE
    if _is_p(column):
        return P_FORMAT
    if float(value).is_integer() and abs(value) < 1e9:
        return WHOLE
    if column in _THREE_DECIMALS or column.endswith(("_low", "_high")):
        return THREE_DECIMALS
    return None  # General: as many digits as needed


def _cell_value(value, column: str, *, numeric_text: bool):
    """(value, number format) of one data cell; text already guarded."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        if isinstance(value, float) and math.isinf(value):
            return ("inf" if value > 0 else "-inf"), None  # Excel has no infinity
        return value, _number_format(column, value)
    text = str(value)
    if numeric_text and _PLAIN_NUMBER.fullmatch(text):
        number = int(text) if "." not in text else float(text)
        decimals = len(text.split(".")[1]) if "." in text else 0
        return number, ("0." + "0" * decimals) if decimals else WHOLE
    return _neutral(text), None


def _text(value) -> str:
    return _neutral(str(value))


def _fill(sheet, number: int, content) -> None:
    from openpyxl.styles import Font

    caption = f"Table {number}. {content.title}" if content.title else f"Table {number}."
    sheet.cell(row=1, column=1).value = _text(caption)
    bold = Font(bold=True)
    data = content.data
    columns = [str(c) for c in data.columns]
    widths = [len(c) for c in columns]
    for j, name in enumerate(columns, start=1):
        cell = sheet.cell(row=_HEADER_ROW, column=j)
        cell.value = _text(name)
        cell.font = bold
    numeric_text = getattr(content, "numeric_text", False)
    for i, row in enumerate(data.astype(object).itertuples(index=False), start=_HEADER_ROW + 1):
        for j, (name, value) in enumerate(zip(columns, row, strict=True), start=1):
            shown, fmt = _cell_value(value, name, numeric_text=numeric_text)
            if shown is None:
                continue
            cell = sheet.cell(row=i, column=j)
            cell.value = shown
            if isinstance(shown, str):
                cell.data_type = "s"
            if fmt is not None:
                cell.number_format = fmt
            widths[j - 1] = max(widths[j - 1], min(60, len(str(shown))))
    row = _HEADER_ROW + len(data) + 2
    for note in content.notes:
        sheet.cell(row=row, column=1).value = _text(note)
        row += 1
    from openpyxl.utils import get_column_letter

    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = max(8, width + 2)
    sheet.freeze_panes = sheet.cell(row=_HEADER_ROW + 1, column=1)


def write_xlsx(path, tables, *, names=None, titles=None) -> Path:
    """Write ``tables`` to one Excel workbook, a sheet per table.

    Parameters
    ----------
    path : path
        The ``.xlsx`` to write.
    tables : sequence
        As for :func:`b12cohort.core._docx.write_docx`; numbered "Table 1.", ... in order.
    names : sequence of str, optional
        Sheet names (default: each table's name, else "Table N"); made valid and unique
        by :func:`sheet_names`.
    titles : sequence of str, optional
        Captions replacing the tables' own.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    tables = list(tables)
    for label, given in (("names", names), ("titles", titles)):
        if given is not None and len(given) != len(tables):
            raise ArgumentError(f"{label}: {len(given)} given for {len(tables)} tables.")
    if not tables:
        raise ArgumentError("write_xlsx: no tables given; a workbook needs at least one sheet.")
    contents = [
        as_content(t, title=None if titles is None else titles[i]) for i, t in enumerate(tables)
    ]
    wanted = names or [c.name or f"Table {i}" for i, c in enumerate(contents, start=1)]
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, (content, name) in enumerate(
        zip(contents, sheet_names(wanted), strict=True), start=1
    ):
        _fill(workbook.create_sheet(title=name), number, content)
    when = fixed_timestamp().replace(tzinfo=None)
    props = workbook.properties
    props.creator = "b12cohort"
    props.lastModifiedBy = "b12cohort"
    props.created = when
    props.modified = when
    props.revision = "1"
    buffer = io.BytesIO()
    import zipfile

    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    path = Path(path)
    path.write_bytes(deterministic_zip(buffer.getvalue()))
    return path
