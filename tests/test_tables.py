"""The one table writer (b12cohort.core.tables): every export path guards and escapes."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from b12cohort import table_one
from b12cohort.core.tables import (
    format_cell,
    format_number,
    format_p,
    format_significant,
    latex_escape,
    render_csv,
    render_html,
    render_latex,
    render_markdown,
)
from b12cohort.report import save_csv, save_table

EVIL = "=HYPERLINK(1)"
SPECIAL = "<b>&_50%#$"


def _tidy():
    return pd.DataFrame({"outcome": [EVIL, SPECIAL], "p_value": [0.0004, 0.25], "n": [19, 12]})


def _table_one():
    data = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "grp": pd.Categorical(["a", "b", "a", "b"]),
            "odd": pd.Categorical([EVIL, SPECIAL, EVIL, EVIL]),
        }
    )
    return table_one(data, by="grp", variables=["x", "odd"], labels={"x": SPECIAL})


def _csv_paths(tmp_path):
    t1 = _table_one()
    yield "render_csv", render_csv(_tidy())
    yield "TableOne.to_csv", t1.to_csv()
    t1.to_csv(tmp_path / "t1.csv")
    yield "TableOne.to_csv(path)", (tmp_path / "t1.csv").read_text("utf-8")
    save_table(_tidy(), "tidy", tmp_path, formats=("csv",))
    yield "save_table(DataFrame)", (tmp_path / "tables" / "tidy.csv").read_text("utf-8")
    save_table(t1, "one", tmp_path, formats=("csv",))
    yield "save_table(TableOne)", (tmp_path / "tables" / "one.csv").read_text("utf-8")
    yield "save_csv", save_csv(_tidy(), "plain.csv", tmp_path).read_text("utf-8")


def test_every_csv_path_neutralises_a_formula(tmp_path):
    for where, text in _csv_paths(tmp_path):
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert "'" + EVIL in cells, where
        assert not any(c.startswith("=") for c in cells), where


def _markup_paths(tmp_path):
    t1 = _table_one()
    yield "latex", "render_latex", render_latex(_tidy(), [SPECIAL], caption=SPECIAL)
    yield "latex", "TableOne.to_latex", t1.to_latex()
    save_table(_tidy(), "tidy", tmp_path, formats=("tex", "html"), caption=SPECIAL)
    yield "latex", "save_table(DataFrame)", (tmp_path / "tables" / "tidy.tex").read_text("utf-8")
    save_table(t1, "one", tmp_path, formats=("tex", "html"))
    yield "latex", "save_table(TableOne)", (tmp_path / "tables" / "one.tex").read_text("utf-8")
    yield "html", "render_html", render_html(_tidy(), [SPECIAL], caption=SPECIAL)
    yield "html", "TableOne.to_html", t1.to_html()
    yield "html", "save_table(DataFrame)", (tmp_path / "tables" / "tidy.html").read_text("utf-8")
    yield "html", "save_table(TableOne)", (tmp_path / "tables" / "one.html").read_text("utf-8")


def test_every_latex_and_html_path_escapes(tmp_path):
    for kind, where, text in _markup_paths(tmp_path):
        if kind == "latex":
            assert latex_escape(SPECIAL) in text, where
            assert SPECIAL not in text and "<b>" not in text, where
        else:
            assert "&lt;b&gt;&amp;_50%#$" in text, where
            assert "<b>" not in text, where


def test_latex_escape_handles_every_special_character():
    assert latex_escape(r"\&%$#_{}~^<>") == (
        r"\textbackslash{}\&\%\$\#\_\{\}\textasciitilde{}\textasciicircum{}"
        r"\textless{}\textgreater{}"
    )


def test_markdown_escapes_pipes_and_keeps_cells_verbatim():
    text = render_markdown(pd.DataFrame({"a|b": ["x|y", "0010"]}), ["a note"])
    assert "a\\|b" in text and "x\\|y" in text and "0010" in text  # no number parsing
    assert text.endswith("\n- a note\n")


def test_html_fragment_without_notes_has_no_empty_list():
    text = render_html(pd.DataFrame({"a": [1]}))
    assert text.startswith('<div class="b12cohort-table">\n<table class="b12-table">')
    assert "<ul" not in text and text.endswith("</div>\n")


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (0.0004, "p_value", "<0.001"),
        (0.04249, "p_adjusted", "0.042"),
        (1.0, "p", "1.000"),  # a p-value of 1 is not a count
        (0.631578, "proportion", "0.632"),
        (-0.1234, "ci_low", "-0.123"),
        (82.94, "b12_pg_ml", "82.9"),
        (19.0, "n", "19"),
        (np.int64(7), "events", "7"),
        (np.float64(0.5), "estimate", "0.500"),
        (True, "match", "yes"),
        (False, "match", "no"),
        (None, "x", ""),
        (float("nan"), "x", ""),
        (pd.NA, "x", ""),
        ("text", "x", "text"),
    ],
)
def test_format_cell(value, column, expected):
    assert format_cell(value, column) == expected


def test_number_formatters():
    assert format_number(-0.0001, 2) == "0.00"  # no negative zero
    assert format_number(float("nan"), 2) == "-"
    assert format_number(None, 2, missing="not estimable") == "not estimable"
    assert format_number(-1.25, 1, minus="\u2212") == "\u22121.2"
    assert format_number(float("inf"), 1, infinity="\u221e") == "\u221e"
    assert format_number(float("inf"), 1) == "-"
    assert format_significant(1234567.0, 6) == "1.23457e+06"
    assert format_significant(float("nan")) == ""
    assert format_p(0.00099) == "<0.001"
    assert format_p(0.001) == "0.001"
    assert format_p(0.5, prose=True) == "p = 0.500"
    assert format_p(None, prose=True) == "p not computed"
