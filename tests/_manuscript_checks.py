"""Shared by test_docx, test_xlsx and test_report: the seven report tables of the example cohort
(as the notebooks make them), and the checks that a Word table or an Excel sheet holds exactly
the numbers of the table's CSV."""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import warnings

import pandas as pd

import b12cohort
from b12cohort.core._result_table import result_table
from b12cohort.report import association_table

NAMES = (
    "table_one",
    "table_one_by_grade",
    "prevalence",
    "association",
    "replication",
    "course_summary",
    "literature_comparison",
)


@functools.cache
def example_tables() -> dict:
    """name -> (exportable table, the tidy frame its CSV holds or None for a Table 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = b12cohort.load_example()
        assoc = b12cohort.association_summary(data)
        frames = {
            "prevalence": b12cohort.prevalence(data),
            "replication": b12cohort.compare_with_published(data),
            "course_summary": b12cohort.treatment_course(data).summary,
            "literature_comparison": b12cohort.compare_with_literature(data),
        }
        tables = {
            "table_one": (b12cohort.table_one(data), None),
            "table_one_by_grade": (
                b12cohort.table_one(
                    data,
                    by="anemia_grade",
                    variables=["sex", "age_months", "hb_g_l", "hypotonia", "adynamia"],
                ),
                None,
            ),
            "association": (association_table(assoc, caption="Association"), assoc),
        }
        for name, frame in frames.items():
            tables[name] = (result_table(frame, caption=name.replace("_", " ")), frame)
    return {name: tables[name] for name in NAMES}


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
HEADER_ROW = 3  # of an Excel sheet: caption, empty row, headers


def shows(text: str, value: float) -> bool:
    """``text`` shows ``value`` rounded to the decimals ``text`` has (format_cell's rule)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-12


def check_docx_table(cells: list[list[str]], csv_text: str, kind: str) -> int:
    """Assert that a Word table's cells (header row first) show the CSV's values; return the
    number of numbers compared. ``kind``: "table_one", "association" or "frame"."""
    frame = pd.read_csv(io.StringIO(csv_text), keep_default_na=False, dtype=str)
    body = cells[1:]
    assert len(body) == len(frame)
    if kind == "table_one":  # the CSV holds the shown strings; the name on a variable's first row
        repeated = frame["variable"].eq(frame["variable"].shift())
        frame.loc[repeated, "variable"] = ""
        assert body == frame.values.tolist()
        return sum(bool(NUMBER.search(v)) for row in body for v in row)
    checked = 0
    if kind == "association":  # the view: estimate and interval rounded from the CSV's values
        for row, (_, src) in zip(body, frame.iterrows(), strict=True):
            estimate, ci = row[4].replace("\u2212", "-"), row[5].replace("\u2212", "-")
            if estimate:
                assert shows(estimate, float(src["estimate"])), row
                checked += 1
            if ci:
                low, high = ci.split(" to ")
                assert shows(low, float(src["ci_low"])) and shows(high, float(src["ci_high"])), row
                checked += 2
            assert row[8] == src["n"], row
        return checked
    header = cells[0]
    for row, (_, src) in zip(body, frame.iterrows(), strict=True):
        for column, text in zip(header, row, strict=True):
            value = src[column]
            if NUMBER.fullmatch(text):
                assert shows(text, float(value)), (column, text, value)
                checked += 1
            elif text == "<0.001":
                assert float(value) < 0.001, (column, value)
            elif text in ("yes", "no"):
                assert value == ("True" if text == "yes" else "False"), (column, value)
            else:
                assert value in (text, "'" + text), (column, text, value)  # CSV: guarded
    return checked


def _equal(value, text: str) -> bool:
    if value is None:
        return text == ""
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, int | float):
        return math.isclose(value, float(text), rel_tol=1e-11, abs_tol=1e-300)
    return value == text


def check_xlsx_sheet(sheet, csv_text: str) -> int:
    """Assert that an Excel sheet holds the CSV cell for cell (numbers equal to 11 significant
    digits, text identical, empty as empty) from :data:`HEADER_ROW`; return how many numbers."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    numbers = 0
    for r, row in enumerate(rows, start=HEADER_ROW):
        values = next(sheet.iter_rows(min_row=r, max_row=r, values_only=True))
        values = list(values) + [None] * max(0, len(row) - len(values))
        for c, text in enumerate(row):
            assert _equal(values[c], text), (sheet.title, r, c + 1, values[c], text)
            numbers += isinstance(values[c], int | float) and not isinstance(values[c], bool)
        assert all(v is None for v in values[len(row) :]), (sheet.title, r)
    return numbers
