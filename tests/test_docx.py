"""The Word writer (b12cohort.core._docx): every number as in the CSV, numbered captions, three
rules and no vertical lines, the template's styles, byte-identical across processes."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from _manuscript_checks import NAMES, check_docx_table, example_tables
from conftest import ROOT
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from b12cohort import ArgumentError
from b12cohort.core._docx import DOCX_STYLES, write_docx
from b12cohort.core._export import Section, as_content
from b12cohort.core._xlsx import write_xlsx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "tables.docx"
    write_docx(path, [t for t, _ in example_tables().values()])
    return path, docx.Document(str(path))


def test_every_cell_is_the_shown_cell_and_every_number_the_csvs(document):
    _, doc = document
    assert len(doc.tables) == len(NAMES)
    for table, (name, (exportable, frame)) in zip(
        doc.tables, example_tables().items(), strict=True
    ):
        content = as_content(exportable)
        cells = _cells(table)
        assert cells[0] == [str(c) for c in content.shown.columns], name
        assert cells[1:] == content.shown.astype(str).values.tolist(), name
        kind = "table_one" if frame is None else "association" if name == "association" else "frame"
        if kind == "table_one":
            cells = [list(exportable.summary.columns), *cells[1:]]
        checked = check_docx_table(cells, exportable.to_csv(), kind)
        assert checked >= (5 if kind != "frame" else len(content.shown)), name


def test_captions_are_numbered_seq_fields_in_order(document):
    path, doc = document
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c.split(".")[0] for c in captions] == [f"Table {i}" for i in range(1, len(NAMES) + 1)]
    assert captions[2] == "Table 3. prevalence"
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count("SEQ Table \\* ARABIC") == len(NAMES)


def test_three_horizontal_rules_and_no_vertical_lines(document):
    path, doc = document
    style = doc.styles["B12 Table"].element
    borders = style.find(f"{W}tblPr/{W}tblBorders")
    kinds = {b.tag.removeprefix(W): b.get(f"{W}val") for b in borders}
    assert kinds == {"top": "single", "bottom": "single", "left": "nil", "right": "nil",
                     "insideH": "nil", "insideV": "nil"}  # fmt: skip
    header = style.find(f"{W}tblStylePr[@{W}type='firstRow']/{W}tcPr/{W}tcBorders")
    assert {b.tag.removeprefix(W): b.get(f"{W}val") for b in header} == {
        "top": "single",
        "bottom": "single",
    }
    for table in doc.tables:
        assert table.style.name == "B12 Table"
        look = table._tbl.tblPr.find(f"{W}tblLook")
        assert look.get(f"{W}firstRow") == "1"
        assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # repeats on each page
    body = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "<w:tcBorders" not in body and "<w:tblBorders" not in body  # the style decides


def test_footnotes_follow_each_table_in_the_note_style(document):
    _, doc = document
    notes = [p.text for p in doc.paragraphs if p.style.name == "B12 Table Note"]
    for exportable, _ in example_tables().values():
        for note in as_content(exportable).notes:
            assert note in notes
    assert "Confidence intervals: clopper-pearson, 95%." in notes
    assert any(n.startswith("Tests: ") and "Fisher" in n for n in notes)
    assert any(n.startswith("Abbreviations: ") and "IQR, interquartile range" in n for n in notes)


def test_cell_text_takes_its_font_from_styles_not_runs(document):
    path, _ = document
    body = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "<w:rPr>" not in body and "<w:sz " not in body and "<w:rFonts" not in body


def _template(path: Path, *, char_caption: bool = False) -> Path:
    doc = docx.Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(12)
    text = doc.styles.add_style("B12 Table Text", WD_STYLE_TYPE.PARAGRAPH)
    text.font.name = "Courier New"
    text.font.size = Pt(7)
    if char_caption:
        doc.styles.add_style("B12 Table Note", WD_STYLE_TYPE.CHARACTER)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_paragraph("JOURNAL TEMPLATE BODY TEXT")
    doc.save(str(path))
    return path


def test_a_template_gives_its_styles_and_page_setup(tmp_path):
    template = _template(tmp_path / "journal.docx")
    out = tmp_path / "out.docx"
    exportable, _ = example_tables()["prevalence"]
    exportable.to_docx(out, template=template)
    doc = docx.Document(str(out))
    assert doc.styles["Normal"].font.name == "Arial"
    assert doc.styles["Normal"].font.size == Pt(12)
    assert doc.styles["B12 Table Text"].font.name == "Courier New"  # the template's own
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert "JOURNAL TEMPLATE BODY TEXT" not in [p.text for p in doc.paragraphs]
    for name, (kind, _) in DOCX_STYLES.items():  # what the template lacked was added
        assert doc.styles[name].type == getattr(WD_STYLE_TYPE, kind.upper())
    cell = doc.tables[0].rows[1].cells[0].paragraphs[0]
    assert cell.style.name == "B12 Table Text"
    # the added styles inherit the template's font: they are based on its Normal
    assert doc.styles["B12 Table Note"].base_style.name == "Normal"
    assert doc.styles["B12 Table Note"].font.name is None


def test_a_dotx_template_is_read_as_a_document(tmp_path):
    docx_template = _template(tmp_path / "journal.docx")
    dotx = tmp_path / "journal.dotx"
    with zipfile.ZipFile(docx_template) as zin, zipfile.ZipFile(dotx, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            zout.writestr(info, data)
    with pytest.raises(ValueError, match="not a Word file"):
        docx.Document(str(dotx))  # python-docx alone refuses it
    out = tmp_path / "out.docx"
    example_tables()["prevalence"][0].to_docx(out, template=dotx)
    assert docx.Document(str(out)).styles["Normal"].font.name == "Arial"
    assert b"template.main+xml" not in zipfile.ZipFile(out).read("[Content_Types].xml")


def test_the_default_document_sets_a_font_a_template_can_override(tmp_path):
    out = tmp_path / "out.docx"
    example_tables()["prevalence"][0].to_docx(out)
    doc = docx.Document(str(out))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["B12 Table Text"].font.size == Pt(9)
    for name in ("Caption", "Heading 1"):  # the text's font and colour, not the theme's
        assert doc.styles[name].font.color.rgb is None and doc.styles[name].font.name is None
    assert doc.styles["Caption"].font.size == Pt(10)


@pytest.mark.parametrize("kind", ["missing", "text", "zip", "wrong style"])
def test_a_bad_template_is_a_clear_error_naming_the_file(tmp_path, kind):
    path = tmp_path / "journal.docx"
    if kind == "text":
        path.write_text("not a document")
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    elif kind == "wrong style":
        _template(path, char_caption=True)
    with pytest.raises(ArgumentError) as info:
        write_docx(tmp_path / "out.docx", [example_tables()["prevalence"][0]], template=path)
    message = str(info.value)
    assert str(path) in message
    expected = {
        "missing": "does not exist",
        "text": "not a .docx file",
        "zip": "not a Word document",
        "wrong style": "'B12 Table Note' is a character style",
    }[kind]
    assert expected in message
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.parametrize("kind", ["missing", "text"])
def test_the_cli_rejects_a_bad_template_before_building_without_a_traceback(tmp_path, capsys, kind):
    from b12cohort.cli import main

    template = tmp_path / "journal.docx"
    if kind == "text":
        template.write_text("not a document")
    out = tmp_path / "rep"
    code = main(["report", "--docx-template", str(template), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: docx template {str(template)!r}")
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".rep*"))  # nothing was built


def _orientations(path) -> list[bool]:
    return [s.page_width > s.page_height for s in docx.Document(str(path)).sections]


def test_wide_tables_go_on_landscape_pages(tmp_path):
    narrow = pd.DataFrame({"a": [1], "b": [2]})
    wide = pd.DataFrame({f"c{i}": [i] for i in range(12)})
    out = tmp_path / "out.docx"
    write_docx(out, [narrow, wide, wide, narrow])
    assert _orientations(out) == [False, True, False]
    doc = docx.Document(str(out))
    landscape = doc.sections[1]
    assert landscape.orientation == WD_ORIENT.LANDSCAPE
    assert sum(c.width for c in doc.tables[1].columns) <= landscape.page_width  # fits the page
    write_docx(out, [wide, narrow])  # no empty portrait page first
    assert _orientations(out) == [True, False]
    write_docx(out, [narrow, wide], landscape_columns=None)
    assert _orientations(out) == [False]
    write_docx(out, [narrow, wide], template=_template(tmp_path / "landscape.docx"))
    assert _orientations(out) == [True]  # a landscape template stays landscape


def test_columns_are_as_wide_as_their_content_within_the_text_width(document):
    _, doc = document
    section = doc.sections[-1]
    available = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables:
        widths = [c.width for c in table.columns]
        assert sum(widths) <= available + 635 * len(widths)  # stored in twips (635 EMU)
        assert {c.width for row in table.rows for c in row.cells} <= set(widths)  # tcW too
    association = doc.tables[NAMES.index("association")]
    header = [c.text for c in association.rows[0].cells]
    widths = dict(zip(header, (c.width for c in association.columns), strict=True))
    assert widths["reading"] > 3 * widths["n"]
    assert widths["n"] >= 5 * 62865  # "19" and the cell margins: never wrapped


def test_sections_follow_the_tables(tmp_path):
    out = tmp_path / "out.docx"
    checklist = pd.DataFrame({"item": ["1a", "1b"], "where": ["title", "to be written"]})
    write_docx(
        out,
        [example_tables()["prevalence"][0]],
        sections=[
            Section("Results", ("First paragraph.", "Second paragraph.")),
            Section("Checklist", "One paragraph.", table=checklist, level=2),
        ],
    )
    doc = docx.Document(str(out))
    texts = [(p.style.name, p.text) for p in doc.paragraphs]
    start = texts.index(("Heading 1", "Results"))
    assert texts[start + 1 : start + 3] == [("Normal", "First paragraph."), ("Normal", "Second paragraph.")]  # fmt: skip
    assert ("Heading 2", "Checklist") in texts
    assert _cells(doc.tables[1]) == [["item", "where"], ["1a", "title"], ["1b", "to be written"]]
    assert sum(t.startswith("Table ") for _, t in texts) == 1  # section tables are not numbered
    with pytest.raises(ArgumentError, match="Section"):
        write_docx(out, [], sections=["Results"])
    with pytest.raises(ArgumentError, match="level"):
        Section("x", level=0)


_WRITE_BOTH = """
import pickle, sys
from b12cohort.core._docx import write_docx
from b12cohort.core._xlsx import write_xlsx
tables = pickle.loads(open(sys.argv[1], "rb").read())
write_docx(sys.argv[2] + ".docx", tables)
write_xlsx(sys.argv[2] + ".xlsx", tables)
"""


def test_fixed_zip_metadata_and_core_properties(tmp_path):
    tables = [t for t, _ in example_tables().values()]
    for ext, write in (("docx", write_docx), ("xlsx", write_xlsx)):
        write(tmp_path / f"one.{ext}", tables)
        payload = (tmp_path / f"one.{ext}").read_bytes()
        with zipfile.ZipFile(io.BytesIO(payload)) as z:
            infos = z.infolist()
            assert infos[0].filename == "[Content_Types].xml"
            assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
            assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core and ">b12cohort<" in core, ext
        assert "<cp:revision>1</cp:revision>" in core or ext == "xlsx", ext


@pytest.mark.slow
def test_two_processes_write_identical_bytes(tmp_path):
    import pickle

    contents = tmp_path / "contents.pickle"
    contents.write_bytes(pickle.dumps([as_content(t) for t, _ in example_tables().values()]))
    for run in ("a", "b"):  # separate interpreters: another hash seed, another clock
        subprocess.run(
            [sys.executable, "-c", _WRITE_BOTH, str(contents), str(tmp_path / run)],
            check=True,
            cwd=ROOT,
        )
    for ext in ("docx", "xlsx"):
        a, b = ((tmp_path / f"{run}.{ext}").read_bytes() for run in ("a", "b"))
        assert a == b, ext


def test_source_date_epoch_sets_the_document_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1659312000")  # 2022-08-01
    out = tmp_path / "out.docx"
    example_tables()["prevalence"][0].to_docx(out)
    assert "2022-08-01T00:00:00Z" in zipfile.ZipFile(out).read("docProps/core.xml").decode()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ArgumentError, match="SOURCE_DATE_EPOCH"):
        example_tables()["prevalence"][0].to_docx(out)
