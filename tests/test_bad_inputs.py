"""Hostile exports: every file of tests/data/bad is refused with a precise, traceback-free report.

For each corpus file the expectations table says which failures b12cohort must report
(rule, data row, file line, column, a fragment of the value) and, where it matters, a
fragment of the message. Each file is checked twice:

* through the Python API: ``load_cohort`` raises ``CohortValidationError`` whose
  ``.failures`` hold exactly the expected failures (nothing else escapes);
* through the command line (``python -m b12cohort validate FILE``, in a subprocess):
  exit status 2, the file, row, line, column and value named in the output, no
  traceback, and the file's bytes unchanged.

The otherwise well-formed files (CRLF, byte-order mark, stray whitespace, ...) carry one
planted error; with that cell restored they must load cleanly.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from b12cohort import CohortValidationError, load_cohort, load_metadata

BAD = Path(__file__).parent / "data" / "bad"
sys.path.insert(0, str(BAD))
import make_corpus  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")


@dataclass(frozen=True)
class F:
    """One expected failure; None means "not applicable" (e.g. no row for a file error)."""

    rule: str
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None  # a fragment of the reported value


@dataclass(frozen=True)
class Case:
    file: str
    failures: tuple[F, ...]
    kwargs: dict = field(default_factory=dict)
    message: str | None = None  # a fragment of the first failure's message

    @property
    def cli_args(self) -> list[str]:
        args = []
        for k, v in self.kwargs.items():
            args += [f"--{k}", str(v)]
        return args


PLANTED = (F("maximum", 3, 4, "hb_g_l", "1500"),)
CASES = [
    # not a table
    Case("empty.csv", (F("not-empty"),), message="the file is empty"),
    Case("blank_lines_only.csv", (F("not-empty"),)),
    Case("comments_only.csv", (F("header"),), message="no header row"),
    Case("header_only.csv", (F("not-empty", line=1),), message="no data rows"),
    Case("binary.csv", (F("text-file", line=1),), message="looks binary"),
    Case("png_renamed.csv", (F("text-file", line=3),), message="looks binary"),
    Case("legacy_excel.xls", (F("format"),), message="save it as .xlsx"),
    Case("zip_not_workbook.xlsx", (F("format"),), message="cannot be opened"),
    Case("truncated_workbook.xlsx", (F("format"),), message="cannot be opened"),
    Case("no_delimiter.csv", (F("delimiter", line=1),), message="no delimiter"),
    # encodings
    Case("koi8r.csv", (F("encoding"),), message="encoding='koi8_r'"),
    Case("utf16le_no_bom.csv", (F("encoding"),), message="encoding='utf-16-le'"),
    Case("utf16be_no_bom.csv", (F("encoding"),), message="encoding='utf-16-be'"),
    Case(
        "cp1251_declared_utf8.csv",
        (F("encoding", line=2),),
        kwargs={"encoding": "utf-8"},
        message="not valid utf-8: byte 0xe6 at line 2",
    ),
    Case("bom_then_cp1251.csv", (F("encoding", line=2),), message="byte 0xe6 at line 2"),
    Case("nul_bytes_inside.csv", (F("text-file", line=5),), message="line 5"),
    # structure
    Case(
        "mixed_delimiters.csv",
        (F("field-count", 3, 4, None, "1 field"),),
        message="separated by semicolons",
    ),
    Case("ragged_too_many.csv", (F("field-count", 4, 5, None, "14 fields"),), message="more than"),
    Case("ragged_too_few.csv", (F("field-count", 5, 6, None, "10 fields"),), message="fewer than"),
    Case(
        "unbalanced_quote.csv",
        (F("field-count", 2, 3, None, "1 field"),),
        message="never closed",
    ),
    Case("stray_cr.csv", (F("line-endings", line=4),), message="stray carriage return"),
    Case("duplicate_header.csv", (F("unique-header", column="hb_g_l"),), message="twice"),
    Case(
        "missing_required_column.csv",
        (F("required-column", column="b12_pg_ml"),),
        message="closest column in the file: 'B12 (pg/mL)'",
    ),
    # well-formed, with the planted error
    Case("crlf.csv", PLANTED),
    Case("bom.csv", PLANTED),
    Case("stray_whitespace.csv", PLANTED),
    Case("cr_only_mac.csv", PLANTED),
    Case("semicolon_cp1251.csv", PLANTED),
    Case("excel_planted.xlsx", PLANTED),
    # values
    Case(
        "thousands_comma.csv",
        (F("type", 2, 3, "b12_pg_ml", "1,250"), F("type", 5, 6, "hb_g_l", "1,045.5")),
        message="is ambiguous",
    ),
    Case(
        "thousands_space_semicolon.csv",
        (F("type", 4, 5, "b12_pg_ml", "1 250"), F("type", 6, 7, "mcv_fl", "050")),
        message="thousands separator; write it without separators (e.g. 1250)",
    ),
    Case(
        "thousands_dot_decimal_comma.csv",
        (F("type", 2, 3, "b12_pg_ml", "1.250"),),
        message="could be a thousands separator (1250) or a decimal mark (1.250)",
    ),
    Case(
        "duplicate_ids.csv",
        (F("unique", 5, 6, "patient_id", "K02"),),
        message="row 2 (line 3), row 5 (line 6)",
    ),
    Case(
        "impossible_values.csv",
        (
            F("maximum", 1, 2, "hb_g_l", "1500"),
            F("finite", 2, 3, "hb_g_l", "1e309"),
            F("type", 3, 4, "b12_pg_ml", "NaN"),
            F("minimum", 4, 5, "age_months", "-3"),
            F("finite", 5, 6, "mcv_fl", "inf"),
            F("integer", 6, 7, "admission_year", "2013.5"),
        ),
        message="row 1 (line 2): hb_g_l = 1500 is above the plausible maximum 200 g/L",
    ),
    Case(
        "unknown_codes.csv",
        (
            F("enum", 2, 3, "sex", "X"),
            F("boolean", 4, 5, "hypotonia", "maybe"),
            F("boolean", 6, 7, "adynamia", "2"),
        ),
    ),
    Case(
        "text_in_numbers.csv",
        (
            F("type", 1, 2, "hb_g_l", "#DIV/0!"),
            F("type", 3, 4, "age_months", "(withheld: looks like a date)"),
        ),
        message="spreadsheet error value",
    ),
    Case(
        "missing_required_values.csv",
        (F("required", 2, 3, "patient_id"), F("required", 4, 5, "sex")),
    ),
    Case("formula_injection.csv", (F("minimum", 1, 2, "hb_g_l", "-1"),)),
    # Excel
    Case("several_sheets.xlsx", (F("sheet"),), message="--sheet NAME or --sheet 2"),
    Case(
        "formulas.xlsx",
        (
            F("no-formulas", line=3, column="hb_g_l", value="=7.4*10"),
            F("no-formulas", line=6, column="age_months", value="=AVERAGE"),
        ),
        message="cell E3 of sheet 'cohort' holds the formula",
    ),
    Case(
        "dates_in_numbers.xlsx",
        (
            F("type", 1, 2, "age_months", "3 days"),
            F("type", 3, 4, "hb_g_l", "(withheld: looks like a date)"),
            F("type", 4, 5, "b12_pg_ml", "(withheld: looks like a date)"),
            F("maximum", 5, 6, "admission_year", "41640"),
            F("type", 6, 7, "mcv_fl", "12:30"),
        ),
    ),
    Case(
        "error_values.xlsx",
        (
            F("type", 1, 2, "b12_pg_ml", "#N/A"),
            F("type", 2, 3, "age_months", "True"),
            F("maximum", 3, 4, "hb_g_l", "1500"),
        ),
    ),
    Case("excel_header_only.xlsx", (F("not-empty", line=1),)),
    Case("excel_empty.xlsx", (F("not-empty"),)),
]
IDS = [c.file for c in CASES]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_table_covers_the_whole_corpus():
    on_disk = {p.name for p in BAD.iterdir() if p.suffix != ".py" and p.is_file()}
    # the two workbooks with a title or group row above the header now load (issue 12)
    assert on_disk == set(IDS) | {"merged_title.xlsx", "merged_header_rows.xlsx"}


@pytest.mark.slow
def test_the_committed_corpus_is_what_the_script_writes(tmp_path):
    written = make_corpus.main(tmp_path)
    for path in written:
        assert path.read_bytes() == (BAD / path.name).read_bytes(), (
            f"{path.name} differs: run python tests/data/bad/make_corpus.py"
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_api_reports_exactly_the_expected_failures(case):
    path = BAD / case.file
    before = sha256(path)
    with pytest.raises(CohortValidationError) as info:
        load_cohort(path, **case.kwargs)
    got = info.value.failures
    assert sha256(path) == before
    assert len(got) == len(case.failures), got[["rule", "row", "column", "value"]].to_string()
    for want in case.failures:
        match = got[got["rule"] == want.rule]
        for attr in ("row", "line", "column"):
            expected = getattr(want, attr)
            if expected is None:
                assert match[attr].isna().all(), (want, attr, match[attr].tolist())
            else:
                match = match[match[attr] == expected]
        if want.value is not None:
            match = match[match["value"].astype(str).str.contains(want.value, regex=False)]
        assert len(match) == 1, (want, got[["rule", "row", "line", "column", "value"]])
    if case.message:
        assert case.message in got["message"].iloc[0]
        assert case.message in str(info.value)


@pytest.fixture(scope="module")
def cli_runs():
    """``b12cohort validate`` on every corpus file, two processes at a time."""

    def run(case: Case):
        path = BAD / case.file
        before = sha256(path)
        r = subprocess.run(
            [sys.executable, "-m", "b12cohort", "validate", str(path), *case.cli_args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return r, before, sha256(path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(IDS, pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.slow
def test_command_line_names_file_row_column_and_value(cli_runs, case):
    r, before, after = cli_runs[case.file]
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert before == after  # the input is never changed
    assert r.stdout.startswith(f"INVALID  {BAD / case.file}")
    for want in case.failures:
        assert f": {want.rule}" in r.stdout
        if want.row is not None:
            # a text file's line, or the spreadsheet cell (row 3 (cell E4)) - issue 12
            where = rf"row {want.row}" + (
                rf" \((line |cell [A-Z]{{1,3}}){want.line}\)" if want.line else ""
            )
            assert re.search(where, r.stdout), (where, r.stdout)
        elif want.line is not None:  # a file line, or a sheet row (row 3, cell E3)
            assert re.search(rf"(line |row |\b[A-Z]{{1,3}}){want.line}\b", r.stdout), r.stdout
        if want.column is not None:
            assert want.column in r.stdout
        if want.value is not None:
            assert want.value in r.stdout
    if case.message:
        assert case.message in r.stdout


@pytest.mark.parametrize("name", ["merged_title.xlsx", "merged_header_rows.xlsx"])
def test_a_title_or_group_row_above_the_header_is_skipped_and_logged(name):
    # issue 12: the header is the first row naming schema columns; rows above are logged
    cohort = load_cohort(BAD / name)
    meta = load_metadata(cohort)
    assert meta.n_rows == len(make_corpus.ROWS) and len(cohort) == len(make_corpus.ROWS)
    assert any(
        "1 title/note row(s) above the header skipped (sheet row(s) 1)" in n for n in meta.notes
    )


def test_a_censored_value_in_a_text_column_is_read_not_refused():
    # '<30' in b12_pg_ml is below the assay's limit: kept as 30, left-censored, logged
    with pytest.raises(CohortValidationError) as info:
        load_cohort(BAD / "text_in_numbers.csv")
    assert "b12_pg_ml" not in set(info.value.failures["column"])


# -- the well-formed variants load once the planted cell is restored ------------------------
@pytest.mark.parametrize(
    "name",
    ["crlf.csv", "bom.csv", "stray_whitespace.csv", "cr_only_mac.csv", "semicolon_cp1251.csv"],
)
def test_clean_variants_of_text_files_load(tmp_path, name):
    data = (BAD / name).read_bytes()
    assert data.count(make_corpus.PLANTED.encode()) == 1
    path = tmp_path / name
    path.write_bytes(data.replace(make_corpus.PLANTED.encode(), make_corpus.RESTORE.encode()))
    cohort = load_cohort(path)
    assert cohort["patient_id"].tolist() == [r[0] for r in make_corpus.ROWS]
    assert cohort["hb_g_l"].tolist() == [float(r[make_corpus.HB]) for r in make_corpus.ROWS]
    assert cohort["sex"].tolist() == [r[1] for r in make_corpus.ROWS]
    assert cohort["hypotonia"].all()
    meta = load_metadata(cohort)
    assert meta.n_rows == len(make_corpus.ROWS)


def test_clean_variant_of_the_workbook_loads(tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(make_corpus._workbook_bytes(make_corpus._plain_workbook()))
    cohort = load_cohort(path)
    assert cohort["hb_g_l"].tolist() == [float(r[make_corpus.HB]) for r in make_corpus.ROWS]
    assert load_metadata(cohort).sheet == "cohort"


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("koi8r.csv", "koi8_r"),
        ("utf16le_no_bom.csv", "utf-16-le"),
        ("utf16be_no_bom.csv", "utf-16-be"),
    ],
)
def test_the_suggested_encoding_loads_the_file(name, encoding):
    cohort = load_cohort(BAD / name, encoding=encoding)
    assert cohort["sex"].tolist() == [r[1] for r in make_corpus.ROWS]
    assert cohort["adynamia"].tolist() == [r[8] == "true" for r in make_corpus.ROWS]


def test_the_named_sheet_of_a_workbook_loads():
    cohort = load_cohort(BAD / "several_sheets.xlsx", sheet="2019")
    assert len(cohort) == 2


# -- pieces of the failure paths -------------------------------------------------------------
def test_ragged_rows_never_quote_the_row(tmp_path):
    """A ragged row may hold a name from an identifier column: never echo it."""
    path = tmp_path / "r.csv"
    path.write_text("patient_id,ФИО,sex\nK01,Иванов Иван,M\nK02,Петров,Пётр,M\n", "utf-8")
    with pytest.raises(CohortValidationError) as info:
        load_cohort(path)
    text = str(info.value) + info.value.failures.to_string()
    assert "Петров" not in text and "Пётр" not in text
    assert info.value.failures["line"].tolist() == [3]


def test_many_ragged_rows_are_counted_not_all_listed(tmp_path):
    body = "".join(f"K{i},M\n" for i in range(1500))
    path = tmp_path / "many.csv"
    path.write_text("patient_id,sex,age_months\n" + body, "utf-8")
    with pytest.raises(CohortValidationError, match="1500 row.s. do not have 3 fields") as info:
        load_cohort(path)
    assert len(info.value.failures) == 1000
    assert "500 more not listed" in str(info.value)


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ('a,b\n"x\ny",1\n2,3\n', [2, 4]),  # a quoted line break: the next row starts on line 4
        ('a,b\n"x ""q"" y",1\n', [2]),  # doubled quotes inside a quoted field
        ('a,b\n5" tall,1\n"z",2\n', [2, 3]),  # a quote inside an unquoted field: csv module
        ("a,b\n1,2\n\n   \n3,4", [2, 5]),  # blank lines skipped, no final line break
        ("a,b,\n1,2,\n3,4,\n", [2, 3]),  # trailing delimiters
    ],
)
def test_row_lines_follow_quotes_and_blank_lines(tmp_path, text, rows):
    from b12cohort.reading.sniff import sniff

    path = tmp_path / "q.csv"
    path.write_bytes(text.encode())
    sn = sniff(path)
    assert sn.lines().tolist() == rows
    table = sn.read(list(range(2)), text_positions=(0, 1))
    assert len(table) == len(rows)


def test_a_duplicate_id_message_lists_at_most_ten_rows():
    frame = pd.DataFrame(
        {
            "patient_id": ["K01"] * 30,
            "sex": "M",
            "age_months": "5",
            "hb_g_l": "90",
            "b12_pg_ml": "50",
            "hypotonia": "yes",
            "adynamia": "no",
            "developmental_delay": "no",
            "hyporeflexia": "no",
            "involuntary_movements_on_treatment": "no",
        }
    )
    with pytest.raises(CohortValidationError) as info:
        load_cohort(frame)
    f = info.value.failures
    assert len(f) == 29 and set(f["rule"]) == {"unique"}
    assert f["message"].iloc[0].endswith("row 10 and 20 more; every infant needs a unique code.")


def test_loading_in_a_warnings_as_errors_session_still_raises_validation_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CohortValidationError):
            load_cohort(BAD / "crlf.csv")


def test_formulas_in_columns_the_schema_does_not_use_are_ignored(tmp_path):
    wb = make_corpus._plain_workbook()
    ws = wb.active
    ws.cell(row=1, column=len(make_corpus.HEADER) + 1, value="bmi")
    for r in range(2, len(make_corpus.ROWS) + 2):
        ws.cell(row=r, column=len(make_corpus.HEADER) + 1, value=f"=E{r}/10")
    path = tmp_path / "helper_column.xlsx"
    path.write_bytes(make_corpus._workbook_bytes(wb))
    cohort = load_cohort(path)
    assert len(cohort) == len(make_corpus.ROWS) and "bmi" not in cohort.columns
