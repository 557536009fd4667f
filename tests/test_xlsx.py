"""The Excel writer (b12cohort.core._xlsx): a sheet per table, every cell equal to the CSV's
(numbers as numbers, formatted), footnotes under each table, the formula guard on every text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from _manuscript_checks import HEADER_ROW, NAMES, check_xlsx_sheet, example_tables

from b12cohort import ArgumentError
from b12cohort.core._export import as_content
from b12cohort.core._result_table import result_table
from b12cohort.core._xlsx import P_FORMAT, THREE_DECIMALS, WHOLE, sheet_names, write_xlsx


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "tables.xlsx"
    write_xlsx(path, [t for t, _ in example_tables().values()], names=list(NAMES))
    return openpyxl.load_workbook(path)


def _csv_rows(exportable) -> list[list[str]]:
    return list(csv.reader(io.StringIO(exportable.to_csv())))


def test_a_sheet_per_table_in_order(workbook):
    assert workbook.sheetnames == list(NAMES)
    for i, name in enumerate(NAMES, start=1):
        assert workbook[name]["A1"].value.startswith(f"Table {i}.")


def test_every_cell_equals_the_csvs_cell(workbook):
    for name, (exportable, _) in example_tables().items():
        numbers = check_xlsx_sheet(workbook[name], exportable.to_csv())
        rows = len(_csv_rows(exportable))
        assert numbers >= (1 if name.startswith("table_one") else rows - 1), name  # not text
        assert workbook[name].cell(row=HEADER_ROW + rows, column=1).value is None  # then a gap


def test_numbers_are_formatted_as_the_other_exports_round_them(workbook):
    sheet = workbook["prevalence"]
    header = [c.value for c in sheet[HEADER_ROW]]
    formats = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 6):
        for column, cell in zip(header, row, strict=False):
            if isinstance(cell.value, float) and not cell.value.is_integer():
                formats.setdefault(column, set()).add(cell.number_format)
            elif isinstance(cell.value, int):
                assert cell.number_format == WHOLE, (column, cell.value)
    assert formats["proportion"] == formats["ci_low"] == {THREE_DECIMALS}
    sheet = workbook["association"]
    header = [c.value for c in sheet[HEADER_ROW]]
    p = header.index("p_value") + 1
    ps = [sheet.cell(row=r, column=p) for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    assert {c.number_format for c in ps if isinstance(c.value, float)} == {P_FORMAT}


def test_table_one_counts_and_p_values_are_numbers(workbook):
    sheet = workbook["table_one_by_grade"]
    n_row = [c.value for c in sheet[HEADER_ROW + 1]]
    assert n_row[0] == "n" and all(isinstance(v, int) for v in n_row[2:6])
    header = [c.value for c in sheet[HEADER_ROW]]
    p = [
        sheet.cell(row=r, column=header.index("p_value") + 1).value
        for r in range(4, sheet.max_row + 1)
    ]
    assert any(isinstance(v, float) for v in p)
    assert isinstance(sheet.cell(row=HEADER_ROW + 2, column=3).value, str)  # "8 (42.1%)"


def test_footnotes_under_each_table(workbook):
    for name, (exportable, _) in example_tables().items():
        sheet = workbook[name]
        notes = as_content(exportable).notes
        first = HEADER_ROW + len(_csv_rows(exportable)) + 1
        got = [sheet.cell(row=first + i, column=1).value for i in range(len(notes))]
        assert got == list(notes), name
        rest = range(first + len(notes), sheet.max_row + 1)
        assert all(v is None for r in rest for v in next(sheet.iter_rows(r, r, values_only=True)))


def test_the_formula_guard_covers_every_text_cell(tmp_path):
    frame = pd.DataFrame(
        {
            "=name": ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-x", "\uff1d1", "ok"],
            "value": [-1.5, 2.0, float("nan"), float("inf"), 3, 4],
        }
    )
    table = result_table(frame, caption="=caption", notes=["-note", "@note"])
    path = tmp_path / "guard.xlsx"
    table.to_xlsx(path)
    sheet = openpyxl.load_workbook(path).active
    texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None} <= {
        "s",
        "n",
        "b",
    }
    for cell in texts:
        assert not cell.value.startswith(("=", "+", "-", "@", "\uff1d")), cell.coordinate
    assert sheet["A1"].value == "Table 1. =caption" and sheet["A3"].value == "'=name"
    assert [sheet.cell(row=r, column=1).value for r in range(4, 10)] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-x", "'\uff1d1", "ok",
    ]  # fmt: skip
    assert [sheet.cell(row=r, column=2).value for r in range(4, 10)] == [
        -1.5,
        2,
        None,
        "inf",
        3,
        4,
    ]  # fmt: skip: negative numbers stay numbers; Excel has no infinity
    assert [sheet.cell(row=r, column=1).value for r in (11, 12)] == ["'-note", "'@note"]
    assert [r[0] for r in _csv_rows(table)[1:]] == [
        sheet.cell(row=r, column=1).value for r in range(4, 10)
    ]  # the same guard as the CSV


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["a" * 40, "a" * 40, "x[1]:y*?/\\", "", "Table 5", "TABLE 5"])
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[2] == "x_1__y____"
    assert names[3] == "Table 4"


def test_argument_errors():
    table = example_tables()["prevalence"][0]
    with pytest.raises(ArgumentError, match="names: 2 given for 1 tables"):
        write_xlsx("x.xlsx", [table], names=["a", "b"])
    with pytest.raises(ArgumentError, match="no tables"):
        write_xlsx("x.xlsx", [])
    with pytest.raises(ArgumentError, match="cannot export a str"):
        write_xlsx("x.xlsx", ["prevalence"])
