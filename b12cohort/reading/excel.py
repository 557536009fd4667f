"""Excel (XLSX) workbooks for :mod:`b12cohort.reading.sniff`: choose the sheet, read stored values.

openpyxl reads the workbook read-only. Formulas are refused (b12cohort reads stored
values only), a title row or a merged multi-row header is refused with a hint, and
several filled sheets need ``sheet=...``.
"""

from __future__ import annotations

import io
import warnings

from b12cohort.core.errors import CohortValidationError
from b12cohort.dictionary.failures import MAX_STRUCTURE_FAILURES as _MAX_STRUCTURE_FAILURES
from b12cohort.dictionary.failures import failure_frame
from b12cohort.dictionary.failures import structure_failure as _fail

__all__ = ["sniff_xlsx"]


def sniff_xlsx(shown: str, data: bytes, sheet, *, make):
    """Read the header and cells of one sheet of an XLSX workbook (see :func:`reading.sniff`)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken zip/xml
        _fail(
            shown,
            f"the file looks like an Excel workbook but cannot be opened ({type(exc).__name__}: {exc}). Re-save it as .xlsx or CSV.",
            rule="format",
        )
    try:
        names = wb.sheetnames
        if sheet is None:
            filled = [n for n in names if _sheet_has_data(wb[n])]
            if len(filled) > 1:
                _fail(
                    shown,
                    f"the workbook has {len(filled)} sheets with data ({', '.join(repr(n) for n in filled)}); "
                    "say which one holds the cohort: sheet='NAME' (command line: --sheet NAME).",
                    rule="sheet",
                )
            chosen = filled[0] if filled else names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                _fail(
                    shown,
                    f"sheet {sheet} does not exist; the workbook has sheets {names}.",
                    rule="sheet",
                )
            chosen = names[sheet]
        else:
            if sheet not in names:
                _fail(
                    shown,
                    f"sheet {sheet!r} does not exist; the workbook has sheets {names}.",
                    rule="sheet",
                )
            chosen = sheet
        ws = wb[chosen]
        rows, row_numbers = [], []
        formulas: dict[int, list] = {}  # column -> [count, [(sheet row, formula)]]
        header, header_row = None, None
        # read-only iter_rows yields every row from 1, empty ones included
        for rnum, cells in enumerate(ws.iter_rows(), start=1):
            values = []
            for col, c in enumerate(cells):
                v = getattr(c, "value", None)
                if getattr(c, "data_type", None) == "f":
                    seen = formulas.setdefault(col, [0, []])
                    seen[0] += 1
                    if len(seen[1]) < _MAX_STRUCTURE_FAILURES:
                        seen[1].append((rnum, v))
                if isinstance(v, str):
                    v = v.strip() if v.strip() != v and header is None else v
                values.append(v)
            while values and (
                values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())
            ):
                values.pop()
            if not values:
                continue
            if header is None:
                header, header_row = values, rnum
                continue
            rows.append(values)
            row_numbers.append(rnum)
    finally:
        wb.close()
    if header is None:
        _fail(shown, f"sheet {chosen!r} is empty.", rule="not-empty")
    if not rows:
        _fail(
            shown,
            f"sheet {chosen!r} has a header (row {header_row}) but no data rows.",
            rule="not-empty",
            line=header_row,
        )
    width = max(len(header), *(len(r) for r in rows))
    blanks = [
        i
        for i in range(width)
        if i >= len(header) or header[i] is None or not str(header[i]).strip()
    ]
    if blanks:
        cols = ", ".join(f"{get_column_letter(i + 1)}{header_row}" for i in blanks[:10])
        nonempty = sum(h is not None and str(h).strip() != "" for h in header)
        hint = (
            "The first non-empty row looks like a title or a merged header cell; delete the rows above the real header."
            if nonempty <= 1
            else "Merged or multi-row header cells are not supported: give every column a one-cell name in a single header row."
        )
        _fail(
            shown,
            f"sheet {chosen!r}: header cell(s) {cols} are empty but the column(s) below hold data. {hint}",
            rule="header",
            line=header_row,
        )
    in_header = {
        c: [(r, v) for r, v in cells if r == header_row] for c, (_, cells) in formulas.items()
    }
    in_header = {c: cells for c, cells in in_header.items() if cells}
    if in_header:
        _formula_failure(shown, chosen, header, {c: [len(v), v] for c, v in in_header.items()})
    headers = [str(h).strip() for h in header]
    sn = make(
        shown,
        "xlsx",
        headers,
        sheet=chosen,
        header_line=header_row,
        notes=[f"Excel sheet: {chosen}"],
        _payload=rows,
        _n_rows=len(rows),
    )
    sn._xlsx_rows = row_numbers
    sn._xlsx_formulas = formulas
    return sn


def check_formulas(sn, positions) -> None:  # sn: a reading.sniff.Sniffed
    """Refuse formula cells in the columns that will be read (other columns are ignored).

    b12cohort reads what is stored in a cell; for a formula that is the formula itself
    (openpyxl does not compute, and a cached result may be stale), so its value is
    unknown. Formulas in columns the schema does not use do no harm.
    """
    used = {p: sn._xlsx_formulas[p] for p in positions if p in sn._xlsx_formulas}
    if used:
        _formula_failure(sn.source, sn.sheet, sn.headers, used)


def _formula_failure(shown, sheet, header, formulas: dict) -> None:
    from openpyxl.utils import get_column_letter

    failures = [
        {
            "row": None,
            "line": r,
            "column": str(header[c]) if c < len(header) else get_column_letter(c + 1),
            "value": str(v),
            "rule": "no-formulas",
            "message": f"cell {get_column_letter(c + 1)}{r} of sheet {sheet!r} holds the formula "
            f"{v}; b12cohort reads stored values only. Copy the column and paste it back as "
            "values (Paste Special > Values), then save.",
        }
        for c, (_, cells) in sorted(formulas.items())
        for r, v in cells
    ]
    failures.sort(key=lambda f: (f["line"], f["column"]))
    total = sum(count for count, _ in formulas.values())
    raise CohortValidationError(
        f"{shown}: sheet {sheet!r} has {total} formula cell(s) in the columns read. First: "
        + failures[0]["message"],
        failure_frame(failures),
        source=shown,
    )


def _sheet_has_data(ws) -> bool:
    for row in ws.iter_rows(values_only=True, max_row=50):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False
