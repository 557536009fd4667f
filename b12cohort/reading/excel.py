"""Excel (XLSX) workbooks for :mod:`b12cohort.reading.sniff`: choose the sheet, read stored values.

openpyxl reads the workbook read-only. A formula is read as its cached result (logged);
a formula without one is refused. Title rows above the header are skipped (the header
is the first row naming schema columns, or ``header_row``), a merged multi-row header is
refused with a hint, and several filled sheets need ``sheet=...`` (name or number).
"""

from __future__ import annotations

import io
import warnings

from b12cohort.core.errors import CohortValidationError
from b12cohort.dictionary.failures import MAX_STRUCTURE_FAILURES as _MAX_STRUCTURE_FAILURES
from b12cohort.dictionary.failures import failure_frame
from b12cohort.dictionary.failures import structure_failure as _fail

__all__ = ["sniff_xlsx"]


def sniff_xlsx(shown: str, data: bytes, sheet, *, make, header_match=None, header_row=None):
    """Read the header and cells of one sheet of an XLSX workbook (see :func:`reading.sniff`).

    ``sheet`` is a name, a 0-based position (int) or a string of digits counted from 1
    (the command line's ``--sheet 2``) when no sheet has that name. ``header_match``
    scores a row of cells (how many name schema columns) to find the header below title
    rows; ``header_row`` (1-based) fixes it.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            cached_wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip/xml
        _fail(
            shown,
            f"the file looks like an Excel workbook but cannot be opened ({type(exc).__name__}: {exc}). Re-save it as .xlsx or CSV.",
            rule="format",
        )
    try:
        chosen = _choose_sheet(shown, wb, sheet)
        grid, formulas, cached, last_row = _read_sheet(wb[chosen], cached_wb[chosen])
    finally:
        wb.close()
        cached_wb.close()
    if not grid:
        _fail(shown, f"sheet {chosen!r} is empty.", rule="not-empty")
    notes = [f"Excel sheet: {chosen}"]
    at = find_header(
        [cells for _, cells in grid],
        header_match,
        header_row,
        shown=shown,
        where=[f"row {r}" for r, _ in grid],
        header_line=[r for r, _ in grid],
    )
    header_row, header = grid[at]
    header = [v.strip() if isinstance(v, str) else v for v in header]
    if at:
        notes.append(
            f"{at} title/note row(s) above the header skipped (sheet row(s) "
            f"{', '.join(str(r) for r, _ in grid[:at])})"
        )
    merged, hidden = _layout(data, chosen, grid, header_row)
    data_rows = grid[at + 1 :]
    rows = [cells for _, cells in data_rows]
    row_numbers = [r for r, _ in data_rows]
    if not rows:
        _fail(
            shown,
            f"sheet {chosen!r} has a header (row {header_row}) but no data rows.",
            rule="not-empty",
            line=header_row,
        )
    blank = (last_row - header_row) - len(data_rows)
    if blank:
        notes.append(
            f"{blank} empty row(s) below the header skipped (formatted but empty: not infants)"
        )
    _check_header(shown, chosen, header, header_row, rows)
    formulas = {
        c: [n, [(r, v) for r, v in cells if r >= header_row]] for c, (n, cells) in formulas.items()
    }
    formulas = {c: v for c, v in formulas.items() if v[1]}
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
        notes=notes,
        _payload=rows,
        _n_rows=len(rows),
    )
    sn._xlsx_rows = row_numbers
    sn._xlsx_formulas = formulas
    sn._xlsx_cached = cached
    sn._xlsx_merged = merged
    sn._xlsx_hidden = hidden
    return sn


_LAYOUT_BYTES = 8 << 20  # workbooks up to this size are also opened fully for their layout


def _layout(data: bytes, sheet: str, grid, header_row: int):
    """Merged ranges below the header (filled in ``grid``) and hidden columns of ``sheet``.

    openpyxl's read-only mode sees neither, so a workbook of moderate size is opened a
    second time in full. A merged range keeps its value in its top-left cell only; the
    other cells of the range get that value (logged by the loader), so that a sign
    written once for two rows is not read as missing in the second.
    Returns ([(range, 0-based column, [sheet rows filled])], {0-based hidden columns}).
    """
    if len(data) > _LAYOUT_BYTES:
        return [], set()
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    ws = wb[sheet]
    hidden = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min:
            hidden.update(range(dim.min - 1, (dim.max or dim.min)))
    rows = dict(grid)
    merged = []
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= header_row:
            continue  # a title or the header itself (refused there when it hides a name)
        top = rows.get(rng.min_row, [])
        value = top[rng.min_col - 1] if rng.min_col - 1 < len(top) else None
        for col in range(rng.min_col - 1, rng.max_col):
            filled = []
            for r in range(rng.min_row, rng.max_row + 1):
                if (r, col) == (rng.min_row, rng.min_col - 1) or r not in rows:
                    continue
                cells = rows[r]
                cells.extend([None] * (col + 1 - len(cells)))
                cells[col] = value
                filled.append(r)
            if filled:
                merged.append((str(rng), col, filled))
    wb.close()
    return merged, hidden


def _choose_sheet(shown, wb, sheet) -> str:
    names = wb.sheetnames
    listed = ", ".join(f"{i + 1}: {n!r}" for i, n in enumerate(names))
    if sheet is None:
        filled = [n for n in names if _sheet_has_data(wb[n])]
        if len(filled) > 1:
            _fail(
                shown,
                f"the workbook has {len(filled)} sheets with data ({listed}); say which one "
                "holds the cohort by name or number: --sheet NAME or --sheet 2 (Python: "
                "sheet='NAME').",
                rule="sheet",
            )
        return filled[0] if filled else names[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            _fail(
                shown,
                f"sheet {sheet} (counted from 0) does not exist; the workbook has sheets {listed}.",
                rule="sheet",
            )
        return names[sheet]
    if sheet in names:
        return sheet
    text = str(sheet).strip()
    if text.isdigit():
        k = int(text)
        if 1 <= k <= len(names):
            return names[k - 1]
        _fail(
            shown,
            f"sheet number {k} (counted from 1) does not exist; the workbook has sheets {listed}.",
            rule="sheet",
        )
    _fail(shown, f"sheet {sheet!r} does not exist; the workbook has sheets {listed}.", rule="sheet")
    return ""  # unreachable


def _read_sheet(ws, cached_ws):
    """Non-empty rows as (sheet row, cells); formulas without and with a cached value.

    A formula cell holds its formula in ``ws`` and, when the workbook was saved by a
    program that computes (Excel, LibreOffice), its last result in ``cached_ws``.
    """
    grid = []
    rnum = 0
    formulas: dict[int, list] = {}  # column -> [count, [(sheet row, formula)]]: no cached value
    cached: dict[int, list] = {}  # column -> [(sheet row, formula)]: cached value read
    # read-only iter_rows yields every row from 1, empty ones included
    for rnum, (cells, stored) in enumerate(
        zip(ws.iter_rows(), cached_ws.iter_rows(), strict=False), start=1
    ):
        values = []
        for col, c in enumerate(cells):
            v = getattr(c, "value", None)
            if getattr(c, "data_type", None) == "f":
                result = stored[col].value if col < len(stored) else None
                if result is None:
                    seen = formulas.setdefault(col, [0, []])
                    seen[0] += 1
                    if len(seen[1]) < _MAX_STRUCTURE_FAILURES:
                        seen[1].append((rnum, v))
                else:
                    cached.setdefault(col, []).append((rnum, v))
                    v = result
            values.append(v)
        while values and (
            values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())
        ):
            values.pop()
        if values:
            grid.append((rnum, values))
    return grid, formulas, cached, rnum


def find_header(rows, header_match, header_row, *, shown, where, header_line):
    """Index in ``rows`` of the header: ``header_row`` if given, else the first row of the
    first 30 that names at least two schema columns (``header_match``), else the first row.

    When no row matches and the first rows look like titles (one filled cell each), one
    failure names those rows and the fix.
    """
    if header_row is not None:
        for i, line in enumerate(header_line):
            if line == header_row:
                return i
        _fail(
            shown,
            f"--header-row {header_row}: that row is empty or beyond the data; the first non-empty rows are {', '.join(where[:5])}.",
            rule="header",
        )
    if header_match is None:
        return 0
    for i, cells in enumerate(rows[:30]):
        if header_match(cells) >= 2:
            return i
    titles, table = [], False
    for i, cells in enumerate(rows[:6]):
        if sum(c is not None and str(c).strip() != "" for c in cells) > 1:
            table = True
            break
        titles.append(i)
    if titles and table:
        lines = ", ".join(where[i] for i in titles)
        _fail(
            shown,
            f"no header row found: {lines} hold(s) a single cell each, like a title, and no row "
            "below names the schema's columns. Pass the header's row with --header-row N "
            "(Python: header_row=N) to validate, report or map, or "
            "name the header's columns in a --columns mapping.",
            rule="header",
        )
    return 0


def _check_header(shown, chosen, header, header_row, rows) -> None:
    from openpyxl.utils import get_column_letter

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
            "The first non-empty row looks like a title or a merged header cell; delete the rows above the real header, or pass --header-row N."
            if nonempty <= 1
            else "Merged or multi-row header cells are not supported: give every column a one-cell name in a single header row."
        )
        _fail(
            shown,
            f"sheet {chosen!r}: header cell(s) {cols} are empty but the column(s) below hold data. {hint}",
            rule="header",
            line=header_row,
        )


def check_formulas(sn, positions) -> list[tuple[int, list]]:  # sn: a reading.sniff.Sniffed
    """Refuse formula cells without a cached value in the columns that will be read.

    A formula saved by Excel or LibreOffice carries its last result, which is read (and
    logged by the loader: the returned (position, [(sheet row, formula)]) pairs). A
    formula never computed (written by a script) has no value to read. Formulas in
    columns the schema does not use do no harm.
    """
    used = {p: sn._xlsx_formulas[p] for p in positions if p in sn._xlsx_formulas}
    if used:
        _formula_failure(sn.source, sn.sheet, sn.headers, used)
    return [(p, sn._xlsx_cached[p]) for p in positions if p in sn._xlsx_cached]


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
            f"{v} without a stored result (the file was not saved by a program that computes "
            "formulas); open and save it in Excel or LibreOffice, or paste the column back as "
            "values (Paste Special > Values).",
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
