"""Regenerate the bad-input corpus: ``python tests/data/bad/make_corpus.py [DIR]``.

Every file here is a small, *broken* hospital export; ``tests/test_bad_inputs.py`` says
what b12cohort must report for each (rule, row, line, column, value). Text files are
written byte for byte; Excel files are written with openpyxl and their zip entries get a
fixed timestamp, so the output is identical on every run (a test regenerates the corpus
into a temporary folder and compares it with the committed files).

Each file holds ONE kind of problem, so a failure points at one loader behaviour. The
files that are otherwise well-formed (CRLF, byte-order mark, stray whitespace, ...) carry
one planted data error, ``hb_g_l = 1500`` in data row 3; the test also checks that the
same file with that cell restored (``RESTORE``) loads cleanly. No value here belongs to
a real person: names, dates, phones and numbers are invented.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = [
    "patient_id",
    "sex",
    "age_months",
    "admission_year",
    "hb_g_l",
    "mcv_fl",
    "b12_pg_ml",
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "hyporeflexia",
    "involuntary_movements_on_treatment",
]
ROWS = [
    ["K01", "F", "3", "2012", "97", "104", "58", "true", "false", "false", "false", "false"],
    ["K02", "M", "5", "2012", "74", "112", "67", "true", "true", "true", "true", "true"],
    ["K03", "M", "11", "2013", "101", "101", "46", "true", "false", "false", "false", "false"],
    ["K04", "F", "7", "2013", "62", "118", "29", "true", "true", "true", "true", "true"],
    ["K05", "F", "14", "2014", "88", "109", "71", "true", "true", "false", "false", "false"],
    ["K06", "M", "20", "2015", "93", "106", "52", "true", "false", "true", "false", "false"],
]
HB = HEADER.index("hb_g_l")
#: the planted error of the otherwise well-formed files, and the value it replaced
PLANTED, RESTORE = "1500", "101"

RU_SEX = {"M": "муж", "F": "жен"}
RU_BOOL = {"true": "да", "false": "нет"}


def table(rows=ROWS, header=HEADER, sep=",", eol="\n") -> str:
    return eol.join(sep.join(r) for r in [header, *rows]) + eol


def with_cell(rows, row: int, column: str, value: str):
    """A copy of ``rows`` with data row ``row`` (1-based) of ``column`` set to ``value``."""
    out = [list(r) for r in rows]
    out[row - 1][HEADER.index(column)] = value
    return out


def russian(rows=ROWS):
    """Rows with Russian sex and yes/no codes (what a Russian hospital system exports)."""
    return [
        [RU_SEX.get(v, v) if i == 1 else RU_BOOL.get(v, v) for i, v in enumerate(r)] for r in rows
    ]


PLANTED_ROWS = with_cell(ROWS, 3, "hb_g_l", PLANTED)


def text_files() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    # -- not a table at all ------------------------------------------------------------
    f["empty.csv"] = b""
    f["blank_lines_only.csv"] = b"\n  \r\n\t\n"
    f["comments_only.csv"] = b"# export of 2019-05-01\n# no rows\n"
    f["header_only.csv"] = table(rows=[]).encode()
    f["binary.csv"] = bytes(range(256)) * 4  # NUL and control bytes: not text
    f["png_renamed.csv"] = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
    f["legacy_excel.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    f["zip_not_workbook.xlsx"] = _zip({"readme.txt": b"not a workbook"})
    f["truncated_workbook.xlsx"] = _workbook_bytes(_plain_workbook())[:700]
    f["no_delimiter.csv"] = b"patient_id sex age_months hb_g_l\nK01 F 3 97\n"
    # -- encodings ------------------------------------------------------------------------
    ru = table(russian())
    f["koi8r.csv"] = ru.encode("koi8_r")
    f["utf16le_no_bom.csv"] = ru.encode("utf-16-le")
    f["utf16be_no_bom.csv"] = ru.encode("utf-16-be")
    # valid cp1251; the test reads it with encoding="utf-8" (--encoding utf-8)
    f["cp1251_declared_utf8.csv"] = ru.encode("cp1251")
    f["bom_then_cp1251.csv"] = b"\xef\xbb\xbf" + ru.encode("cp1251")
    f["nul_bytes_inside.csv"] = table().encode().replace(b"K04", b"K0\x004")
    # -- structure -------------------------------------------------------------------------
    lines = table().splitlines()
    lines[3] = lines[3].replace(",", ";")  # data row 2 uses semicolons
    f["mixed_delimiters.csv"] = ("\n".join(lines) + "\n").encode()
    lines = table().splitlines()
    lines[4] += ",extra,1"  # data row 3: two fields too many
    f["ragged_too_many.csv"] = ("\n".join(lines) + "\n").encode()
    lines = table().splitlines()
    lines[5] = lines[5].rsplit(",", 2)[0]  # data row 4: two fields too few
    f["ragged_too_few.csv"] = ("\n".join(lines) + "\n").encode()
    lines = table().splitlines()
    lines[2] = lines[2].replace("K02", '"K02', 1)  # a quote that is never closed
    f["unbalanced_quote.csv"] = ("\n".join(lines) + "\n").encode()
    lines = table().splitlines()
    lines[3] = lines[3].replace(",M,", ",M\r,", 1)  # a lone CR inside data row 3
    f["stray_cr.csv"] = ("\n".join(lines) + "\n").encode()
    f["duplicate_header.csv"] = table(
        rows=[[*r, "1"] for r in ROWS], header=[*HEADER, "hb_g_l"]
    ).encode()
    header = ["B12 (pg/mL)" if h == "b12_pg_ml" else h for h in HEADER]  # not a schema name
    f["missing_required_column.csv"] = table(header=header).encode()
    # -- well-formed, with one planted data error (hb_g_l = 1500 in data row 3) -----------
    f["crlf.csv"] = table(PLANTED_ROWS, eol="\r\n").encode()
    f["bom.csv"] = b"\xef\xbb\xbf" + table(PLANTED_ROWS).encode()
    spaced_header = [f"  {h} " for h in HEADER]
    spaced_rows = [[f" {v}  " if i % 2 else v for i, v in enumerate(r)] for r in PLANTED_ROWS]
    f["stray_whitespace.csv"] = table(spaced_rows, header=spaced_header).encode()
    f["cr_only_mac.csv"] = table(PLANTED_ROWS, eol="\r").encode()
    f["semicolon_cp1251.csv"] = table(russian(PLANTED_ROWS), sep=";").encode("cp1251")
    # -- values ----------------------------------------------------------------------------
    rows = with_cell(ROWS, 2, "b12_pg_ml", '"1,250"')  # quoted: a thousands separator
    rows = with_cell(rows, 5, "hb_g_l", '"1,045.5"')
    f["thousands_comma.csv"] = table(rows).encode()
    rows = with_cell(russian(ROWS), 4, "b12_pg_ml", "1 250")  # space-grouped thousands
    rows = with_cell(rows, 6, "mcv_fl", "1\u00a0050")  # no-break space, as Excel exports
    f["thousands_space_semicolon.csv"] = table(rows, sep=";").encode("cp1251")
    # "1.250" in a decimal-comma file is a thousands separator, not 1.25
    rows = with_cell(russian(ROWS), 2, "b12_pg_ml", "1.250")
    rows = with_cell(rows, 1, "hb_g_l", "97,5")
    f["thousands_dot_decimal_comma.csv"] = table(rows, sep=";").encode("cp1251")
    f["duplicate_ids.csv"] = table(with_cell(ROWS, 5, "patient_id", "K02")).encode()
    rows = with_cell(ROWS, 1, "hb_g_l", "1500")
    rows = with_cell(rows, 2, "hb_g_l", "1e309")
    rows = with_cell(rows, 3, "b12_pg_ml", "NaN")
    rows = with_cell(rows, 4, "age_months", "-3")
    rows = with_cell(rows, 5, "mcv_fl", "inf")
    rows = with_cell(rows, 6, "admission_year", "2013.5")
    f["impossible_values.csv"] = table(rows).encode()
    rows = with_cell(ROWS, 2, "sex", "X")
    rows = with_cell(rows, 4, "hypotonia", "maybe")
    rows = with_cell(rows, 6, "adynamia", "2")
    f["unknown_codes.csv"] = table(rows).encode()
    rows = with_cell(ROWS, 1, "hb_g_l", "#DIV/0!")
    rows = with_cell(rows, 2, "b12_pg_ml", "<30")
    rows = with_cell(rows, 3, "age_months", "12.03.2019")
    f["text_in_numbers.csv"] = table(rows).encode()
    rows = with_cell(ROWS, 2, "patient_id", "")
    rows = with_cell(rows, 4, "sex", "NA")
    f["missing_required_values.csv"] = table(rows).encode()
    rows = with_cell(ROWS, 1, "patient_id", '=HYPERLINK("http://x.invalid")')
    rows = with_cell(rows, 1, "hb_g_l", "-1")
    f["formula_injection.csv"] = table(rows).encode()
    return f


# -- Excel ---------------------------------------------------------------------------------
def _typed(rows):
    """Cells as Excel would hold them: numbers as numbers, the rest as text."""
    out = []
    for r in rows:
        cells = []
        for h, v in zip(HEADER, r, strict=True):
            if h in {"age_months", "admission_year", "hb_g_l", "mcv_fl", "b12_pg_ml"}:
                cells.append(float(v) if "." in v else int(v))
            else:
                cells.append(v)
        out.append(cells)
    return out


def _plain_workbook(rows=ROWS):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cohort"
    ws.append(HEADER)
    for r in _typed(rows):
        ws.append(r)
    return wb


def excel_files() -> dict[str, bytes]:
    import openpyxl

    f: dict[str, bytes] = {}
    # two sheets with data and no sheet named
    wb = _plain_workbook()
    extra = wb.create_sheet("2019")
    extra.append(HEADER)
    for r in _typed(ROWS[:2]):
        extra.append(r)
    f["several_sheets.xlsx"] = _workbook_bytes(wb)
    # a title row merged across the table, above the header
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Cohort export, paediatric ward, 2012-2019"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for r in _typed(ROWS):
        ws.append(r)
    f["merged_title.xlsx"] = _workbook_bytes(wb)
    # a two-row header: group names merged over their columns, field names below
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Patient", None, None, None, "Laboratory", None, None, "Neurology"])
    ws.merge_cells("A1:D1")
    ws.merge_cells("E1:G1")
    ws.merge_cells(start_row=1, start_column=8, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for r in _typed(ROWS):
        ws.append(r)
    f["merged_header_rows.xlsx"] = _workbook_bytes(wb)
    # formulas instead of values
    wb = _plain_workbook()
    ws = wb.active
    ws["E3"] = "=7.4*10"  # hb_g_l of data row 2 (sheet row 3) computed from g/dL
    ws["C6"] = "=AVERAGE(C2:C5)"
    f["formulas.xlsx"] = _workbook_bytes(wb)
    # dates: a numeric cell formatted as a date, a date in a number column, a year stored
    # as an Excel serial date number
    wb = _plain_workbook()
    ws = wb.active
    ws["E4"].number_format = "DD.MM.YYYY"  # hb_g_l 101 shown as 10.04.1900
    ws["G5"] = dt.datetime(2019, 3, 12)  # b12_pg_ml: a date typed into a number column
    ws["G5"].number_format = "DD.MM.YYYY"
    ws["D6"] = 41640  # admission_year stored as the serial number of 2014-01-01
    ws["F7"] = dt.time(12, 30)  # mcv_fl: a time of day
    ws["C2"] = dt.timedelta(days=3)  # age_months: a duration
    f["dates_in_numbers.xlsx"] = _workbook_bytes(wb)
    # spreadsheet error values and booleans in number columns, a planted range error
    wb = _plain_workbook(PLANTED_ROWS)
    ws = wb.active
    ws["G2"] = "#N/A"
    ws["C3"] = True
    f["error_values.xlsx"] = _workbook_bytes(wb)
    # header only; an empty workbook
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    f["excel_header_only.xlsx"] = _workbook_bytes(wb)
    f["excel_empty.xlsx"] = _workbook_bytes(openpyxl.Workbook())
    # the planted error in an otherwise clean workbook (the restore test loads it fixed)
    f["excel_planted.xlsx"] = _workbook_bytes(_plain_workbook(PLANTED_ROWS))
    return f


_EPOCH = dt.datetime(2020, 1, 1)


def _workbook_bytes(wb) -> bytes:
    wb.properties.created = wb.properties.modified = _EPOCH
    wb.properties.creator = "b12cohort test corpus"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so regenerating gives identical bytes.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = {info.filename: src.read(info) for info in src.infolist()}
    if "docProps/core.xml" in entries:
        entries["docProps/core.xml"] = re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>2020-01-01T00:00:00Z\g<2>",
            entries["docProps/core.xml"],
        )
    return _zip(entries)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, payload in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, payload)
    return out.getvalue()


def corpus() -> dict[str, bytes]:
    return {**text_files(), **excel_files()}


def main(directory: Path = HERE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(corpus().items()):
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
