"""What a table carries into Word and Excel (b12cohort.core._export): footnotes read off the
table, never invented; the content of every exportable kind of table; the shared base."""

from __future__ import annotations

import docx
import openpyxl
import pandas as pd
import pytest
from _manuscript_checks import example_tables

import b12cohort
from b12cohort import ArgumentError
from b12cohort.core._export import Section, as_content, derived_notes


def test_notes_name_tests_interval_adjustment_missing_and_abbreviations():
    frame = pd.DataFrame(
        {
            "variable": ["a", "b", "c"],
            "test": ["Fisher's exact test", "Fisher's exact test", "Spearman rho"],
            "ci_low": [0.1, 0.2, 0.3],
            "ci_method": ["wilson"] * 3,
            "confidence": [0.9] * 3,
            "p_adjust": ["holm"] * 3,
            "n_missing": pd.array([0, pd.NA, 3], dtype="Int64"),
            "label": ["median [IQR]", "Hb", ""],
        }
    )
    assert derived_notes(frame) == (
        "Tests: Fisher's exact test; Spearman rho.",
        "Confidence intervals: wilson, 90%.",
        "Multiplicity adjustment: holm.",
        "Missing (n_missing): c 3.",
        "Abbreviations: IQR, interquartile range; Hb, haemoglobin.",
    )


def test_a_frame_without_those_columns_gets_no_notes():
    assert derived_notes(pd.DataFrame({"x": [1, 2], "y": ["CIA", "HbA1c"]})) == ()


def test_every_kind_of_table_gives_its_content():
    tables = example_tables()
    one = as_content(tables["table_one"][0])
    assert one.numeric_text and one.shown.columns[0] == "Variable"
    assert one.notes[: len(tables["table_one"][0].notes)] == tables["table_one"][0].notes
    frame = tables["prevalence"][1]
    content = as_content(frame)  # a bare DataFrame: the same as result_table(frame)
    assert content.shown.equals(b12cohort.result_table(frame)._content().shown)
    assert content.data is frame and content.title == ""
    assert as_content(frame, title="T", name="p").title == "T"
    with pytest.raises(ArgumentError, match="cannot export a dict"):
        as_content({"a": 1})


@pytest.mark.filterwarnings("ignore::b12cohort.ApproximationWarning")
def test_every_result_exports_its_summary(tmp_path):
    data = b12cohort.load_example()
    result = b12cohort.correlation(data, x="hb_g_l", y="neuro_score")
    result.to_docx(tmp_path / "r.docx")
    result.to_xlsx(tmp_path / "r.xlsx")
    doc = docx.Document(str(tmp_path / "r.docx"))
    assert doc.paragraphs[0].text == f"Table 1. {result.test}"
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header == [str(c) for c in result.summary.columns]
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    row = next(sheet.iter_rows(min_row=4, max_row=4, values_only=True))
    assert row[header.index("estimate")] == pytest.approx(result.estimate, rel=1e-15)


def test_a_section_takes_one_paragraph_or_many():
    assert Section("h", "one").paragraphs == ("one",)
    assert Section("h", ["a", "b"]).paragraphs == ("a", "b")
