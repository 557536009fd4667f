"""Rows that are not infants: blank records and totals rows, set aside before validation.

Hospital exports end with separator-only lines (``;;;;;;``) and formatted but empty
spreadsheet rows, and often with a totals row (``Итого``, ``Всего``, ``Total``,
``Toplam``). Such rows are skipped, counted and logged; they never appear as rows with
missing required values.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

__all__ = ["TOTALS_WORDS", "apply_value_maps", "rows_set_aside", "set_aside"]

#: First cell of a totals row (lower case, trailing colon removed).
TOTALS_WORDS = frozenset(
    {"итого", "всего", "итог", "total", "totals", "sum", "grand total", "toplam", "genel toplam"}
)
_TAIL = 5  # totals rows are looked for among the last rows


def rows_set_aside(sn, raw: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(keep mask, reason -> 0-based rows) for the rows of ``raw`` read from ``sn``.

    A row is *blank* when every cell of the file's row is empty (only separators,
    spaces or quotes), *totals* when it is one of the last five rows that are not blank
    and its first filled cell is a totals word.
    """
    n = len(raw)
    keep = np.ones(n, dtype=bool)
    reasons: dict[str, np.ndarray] = {}
    if n == 0:
        return keep, reasons
    candidates = _all_missing(raw)
    blank = [r for r in candidates.tolist() if not any(_cells(sn, r))]
    if blank:
        reasons["blank"] = np.asarray(blank, dtype=np.int64)
    totals = []
    for r in _last_filled(n, blank):
        cells = _cells(sn, r)
        first = next((c for c in cells if c), "")
        if first.lower().rstrip(":").strip() in TOTALS_WORDS:
            totals.append(r)
    if totals:
        reasons["totals"] = np.asarray(totals, dtype=np.int64)
    for rows in reasons.values():
        keep[rows] = False
    return keep, reasons


def _all_missing(raw: pd.DataFrame) -> np.ndarray:
    """0-based rows of ``raw`` whose every cell is missing.

    Column by column, each column looked at only in the rows still all-missing (none,
    in a usual export, after the first required column): no frame-wide ``isna``.
    """
    rows = np.arange(len(raw))
    for k in range(raw.shape[1]):
        if not len(rows):
            break
        col = raw.iloc[:, k]
        part = col if len(rows) == len(raw) else col.iloc[rows]
        rows = rows[np.asarray(part.isna(), dtype=bool)]
    return rows


def _last_filled(n: int, blank: list[int]) -> list[int]:
    """The last ``_TAIL`` rows (0-based, in order) of ``n`` that are not ``blank``."""
    skip = set(blank)
    tail = []
    r = n - 1
    while r >= 0 and len(tail) < _TAIL:
        if r not in skip:
            tail.append(r)
        r -= 1
    return tail[::-1]


def _cells(sn, r: int) -> list[str]:
    """The filled cells of data row ``r`` of the file, stripped (all columns, read or not)."""
    if sn.format == "xlsx":
        row = sn._payload[r]
        return [str(v).strip() for v in row if v is not None and str(v).strip()]
    if sn.format == "dataframe":
        row = sn._payload.iloc[r]
        return [str(v).strip() for v in row.tolist() if not pd.isna(v) and str(v).strip()]
    rec = sn._records
    if rec is None or rec.starts is None:
        return ["?"]  # spans unknown (quoting only Python's csv module follows): keep the row
    raw = sn._payload[rec.starts[r] : rec.ends[r]].rstrip(b"\r\n")
    text = raw.decode(sn._payload_encoding, "replace")
    cells = next(csv.reader([text], delimiter=sn.delimiter), [])
    return [c.strip() for c in cells if c.strip()]


def _where(sn, lines: np.ndarray) -> str:
    unit = "sheet row" if sn.format == "xlsx" else "line"
    shown = ", ".join(str(int(x)) for x in lines[:10]) + (" ..." if len(lines) > 10 else "")
    return f"{unit}(s) {shown}" if len(lines) and lines[0] >= 0 else f"{len(lines)} row(s)"


def set_aside(sn, raw: pd.DataFrame, log) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Drop blank records and totals rows from ``raw``, logging them and the formulas read.

    Returns the remaining rows (a new RangeIndex), their file lines and their 1-based data
    row numbers (counted over the file's data rows, blank ones included, so that "row N"
    is the N-th row below the header).
    """
    lines = sn.lines()
    _log_formulas(sn, lines, log)
    _log_layout(sn, raw, lines, log)
    keep, reasons = rows_set_aside(sn, raw)
    labels = np.arange(1, len(raw) + 1)
    if keep.all():
        return raw, lines, labels
    for reason, rows in reasons.items():
        where = _where(sn, lines[rows])
        if reason == "blank":
            sentence = f"{len(rows)} blank record(s) (empty cells only) skipped: {where}; they are not infants."
        else:
            sentence = f"{len(rows)} totals row(s) (Итого/Total/Toplam) set aside: {where}; they are not infants."
        log.add("(file)", f"skip-{reason}", detail=sentence)
        log.warn("(file)", sentence, n_cells=len(rows))
    raw = raw[keep].reset_index(drop=True)
    return raw, lines[keep], labels[keep]


def _log_formulas(sn, lines: np.ndarray, log) -> None:
    from openpyxl.utils import get_column_letter

    for pos, cells in getattr(sn, "cached_formulas", []) or []:
        header = sn.headers[pos]
        sheet_rows = np.asarray([r for r, _ in cells], dtype=np.int64)
        rows = np.flatnonzero(np.isin(lines, sheet_rows))
        first_row, formula = cells[0]
        log.add(
            header,
            "formula",
            rows=rows,
            original="(formula)",
            new="(its stored result)",
            detail="formula cell read as the result Excel stored with it",
        )
        log.warn(
            header,
            f"column {header!r}: {len(cells)} formula cell(s) read as the result stored with "
            f"them (first: cell {get_column_letter(pos + 1)}{first_row}, {formula}); check "
            "that the workbook was recalculated before it was saved.",
            n_cells=len(cells),
        )


def _log_layout(sn, raw: pd.DataFrame, lines: np.ndarray, log) -> None:
    """Merged cells filled and hidden columns read, in the columns the cohort uses."""
    read = {sn.headers.index(h) for h in raw.columns if h in sn.headers}
    for rng, col, filled in getattr(sn, "_xlsx_merged", []):
        if col not in read:
            continue
        header = sn.headers[col]
        rows = np.flatnonzero(np.isin(lines, np.asarray(filled, dtype=np.int64)))
        log.add(
            header,
            "merged-cell",
            rows=rows,
            detail=f"cell of the merged range {rng}: given the range's value",
        )
        log.warn(
            header,
            f"column {header!r}: {len(filled)} cell(s) of the merged range {rng} were given the "
            "value of its first cell; check that the merge meant the same value for each row.",
            n_cells=len(filled),
        )
    for col in sorted(getattr(sn, "_xlsx_hidden", set()) & read):
        header = sn.headers[col]
        log.add(header, "hidden-column", detail="the column is hidden in the sheet; it was read")
        log.warn(
            header,
            f"column {header!r} is hidden in the sheet; it was read like the others.",
        )


def apply_value_maps(raw: pd.DataFrame, value_maps: dict, log) -> None:
    """Replace the export's codes by the spellings the schema accepts (mapping ``values``)."""
    for header, codes in value_maps.items():
        if header not in raw.columns:
            continue
        col = raw[header]
        text = col.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
        hit = text.isin(list(codes)).to_numpy()
        if not hit.any():
            continue
        new = text.where(~hit, text.map(codes))
        for code, value in codes.items():
            rows = np.flatnonzero((text == code).to_numpy())
            log.add(
                header,
                "value-map",
                rows=rows,
                original=code,
                new=value,
                detail="code recoded by the column mapping's values",
            )
        raw[header] = pd.Series(new.to_numpy(dtype=object), index=raw.index, dtype=object)
