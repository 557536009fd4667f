"""The report pipeline: complete, byte-deterministic, atomic, self-verifying, and usable in a browser."""

from __future__ import annotations

import ast
import functools
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE_CSV, ROOT

from b12cohort import CohortValidationError, load_schema
from b12cohort.report import build_report, check_report, verify_report
from b12cohort.report._check import (
    EXIT_IDENTICAL,
    EXIT_NUMBERS,
    EXIT_RENDERING,
    compare_reports,
    explain,
)
from b12cohort.report._notebooks import NOTEBOOKS

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")]

EXPECTED_FILES = [
    "index.html",
    "MANIFEST.json",
    "cleaning_log.csv",
    "participant_flow.csv",
    "strobe_record_checklist.csv",
    "text/results.md",
    "text/references.bib",
    "tables/tables.docx",
    "tables/tables.xlsx",
    *(f"notebooks/{n}.html" for n in NOTEBOOKS),
    *(
        f"tables/{t}.{ext}"
        for t in (
            "table_one",
            "prevalence",
            "replication",
            "association",
            "course_summary",
            "literature_comparison",
        )
        for ext in ("csv", "md", "tex")
    ),
    *(
        f"figures/{f}.{ext}"
        for f in (
            "prevalence",
            "hb_by_neuro_score",
            "sign_by_grade",
            "b12_vs_hb",
            "participant_flow",
            "treatment_course",
        )
        for ext in ("png", "svg", "pdf")
    ),
]


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "reports"
    result = build_report(out=out)
    return out, result


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_example_report_has_every_output(example_report):
    out, result = example_report
    missing = [f for f in EXPECTED_FILES if not (out / f).is_file()]
    assert not missing
    assert set(result.files) == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    }
    assert not list(out.parent.glob(".reports.*"))  # no build or backup folders left behind
    from b12cohort.report._io import _umask

    for p, full in (
        (out, 0o777),
        (out / "index.html", 0o666),
        (out / "tables" / "prevalence.csv", 0o666),
    ):
        assert p.stat().st_mode & 0o777 == full & ~_umask(), f"{p} has private permissions"


def test_manifest_accounts_for_every_output_and_row(example_report):
    out, _ = example_report
    manifest = json.loads((out / "MANIFEST.json").read_text("utf-8"))
    assert manifest["input"]["sha256"] == _sha(EXAMPLE_CSV)
    assert manifest["input"]["reconstruction"] is True
    assert manifest["rows"] == {"assessed": 19, "invalid": 0, "excluded": 0, "analysed": 19}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        "MANIFEST.json"
    }
    assert set(manifest["outputs"]) == files
    for rel, digest in manifest["outputs"].items():
        assert _sha(out / rel) == digest, rel
    assert manifest["versions"]["pandas"] == pd.__version__
    assert manifest["parameters"]["SCHEME"] == "who-2011"
    from matplotlib import ft2font

    assert manifest["platform"]["freetype"] == ft2font.__freetype_version__
    assert set(manifest["platform"]) >= {"os", "machine", "python", "freetype"}
    commit = manifest["source"]["git_commit"]
    assert commit == "not a git checkout" or len(commit) == 40
    assert manifest["mapping"] is None
    bundled = manifest["bundled_inputs"]
    for rel in (
        "data/schema/cohort.schema.json",
        "data/literature/published_cohorts.csv",
        "data/literature/neurology_vs_hb.csv",
        "b12cohort/resources/anemia_schemes.csv",
        "b12cohort/resources/published_krasnoyarsk_2022.csv",
        *(f"notebooks/{n}.py" for n in NOTEBOOKS),
    ):
        assert bundled[rel] == _sha(ROOT / rel), rel


def _check_manuscript_tables(out: Path) -> None:
    """tables.docx and tables.xlsx hold the report tables in order, with the CSVs' numbers."""
    import docx
    import openpyxl
    from _manuscript_checks import check_docx_table, check_xlsx_sheet

    from b12cohort.report._manuscript import MANUSCRIPT_TABLES

    names = list(MANUSCRIPT_TABLES)
    document = docx.Document(str(out / "tables" / "tables.docx"))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert [c.split(". ")[0] for c in captions] == [f"Table {i}" for i in range(1, len(names) + 1)]
    assert captions[0] == "Table 1. Characteristics of the infants"
    workbook = openpyxl.load_workbook(out / "tables" / "tables.xlsx")
    assert workbook.sheetnames == names
    assert len(document.tables) == len(names) + 1  # the tables, then the checklist (a section)
    for name, table in zip(names, document.tables[: len(names)], strict=True):
        csv_text = (out / "tables" / f"{name}.csv").read_text("utf-8")
        assert check_xlsx_sheet(workbook[name], csv_text) > 0, name
        cells = [[c.text for c in row.cells] for row in table.rows]
        kind = "table_one" if name.startswith("table_one") else "frame"
        if kind == "table_one":
            cells[0] = csv_text.splitlines()[0].split(",")
        elif name == "association":
            kind = "association"
        checked = check_docx_table(cells, csv_text, kind)
        assert checked > 0 or name == "replication", name  # replication shows text only
    assert not (out / ".manuscript").exists()


def test_the_manuscript_tables_hold_the_csvs_numbers(example_report):
    out, result = example_report
    _check_manuscript_tables(out)
    for name in ("tables/tables.docx", "tables/tables.xlsx"):
        assert result.manifest["outputs"][name] == _sha(out / name)
    page = (out / "index.html").read_text("utf-8")
    assert 'href="tables/tables.docx"' in page and 'href="tables/tables.xlsx"' in page


def test_the_example_report_says_it_is_a_reconstruction(example_report):
    out, _ = example_report
    page = (out / "index.html").read_text("utf-8")
    assert "These data are a reconstruction, not patient data." in page
    assert "11 of 11 published figures are reproduced" in page
    assert "this holds by construction" in page  # next to the number (issue 13, item 6)
    for section in (
        'id="methods"',
        'id="replication"',
        'id="table1"',
        'id="prevalence"',
        'id="association"',
        'id="course"',
        'id="literature"',
        'id="limitations"',
    ):
        assert section in page


def test_the_example_page_reads_the_association_and_its_limitations(example_report):
    out, _ = example_report
    page = (out / "index.html").read_text("utf-8")
    association = page[page.index('id="association"') : page.index('id="course"')]
    for column in ("<th>estimate kind</th>", "<th>CI level</th>", "<th>p (adjusted)</th>"):
        assert column in association
    assert association.count("(primary; holm over the 2 primaries ") == 2
    lead = association[association.index('class="reading"') :]
    lead = lead[: lead.index("</p>")]
    assert lead.count("one of the 2 primary analyses") == 2  # both primaries read up front
    assert "Linear-by-linear association test (exact)" in lead
    assert association.count("19/19") >= 3  # hypotonia: untestable rows kept, with readings
    limits = page[page.index('id="limitations"') : page.index('id="files"')]
    assert "Brain atrophy on imaging in 4 of 19" in limits
    assert "Retrospective cohort" in limits and "change grade" in limits
    assert "fewer than three published series" in limits
    alts = re.findall(r'<img src="figures/([a-z_]+)\.svg" alt="([^"]*)"', page)
    captions = dict(
        re.findall(r'<img src="figures/([a-z_]+)\.svg"[^>]*></a><figcaption>([^<(]*)', page)
    )
    assert len(alts) >= 6
    for name, alt in alts:
        assert alt.strip() != captions.get(name, "").strip(), name  # the data, not the caption
        assert re.search(r"\d", alt), name
    for name, _ in alts:
        assert (out / "figures" / f"{name}.pdf").exists()


def test_the_results_text_prints_the_numbers_of_the_tables(example_report):
    """text/results.md: each sign's prevalence and the primary correlation as the CSVs hold
    them, the checklist and the references linked from the page with the citation."""
    from b12cohort import inline

    out, _ = example_report
    text = (out / "text" / "results.md").read_text("utf-8")
    prev = pd.read_csv(out / "tables" / "prevalence.csv")
    for row in prev[prev["variable"].isin(["hypotonia", "adynamia", "hyporeflexia"])].to_dict(
        "records"
    ):
        assert f"{row['variable']} in {inline(row)}" in text
    assoc = pd.read_csv(out / "tables" / "association.csv")
    assert inline(assoc[assoc["analysis"] == "primary"].iloc[0]) in text
    checklist = pd.read_csv(out / "strobe_record_checklist.csv", dtype=str)
    assert len(checklist) == 47
    page = (out / "index.html").read_text("utf-8")
    for href in ("text/results.md", "text/references.bib", "strobe_record_checklist.csv"):
        assert f'href="{href}"' in page
    assert "Suggested citation" in page and "Taranushenko TE" in page
    assert (out / "text" / "references.bib").read_text("utf-8").startswith("@article{")
    # every place the checklist names exists: in the report folder, or in the repository
    ids = set(re.findall(r'id="([^"]+)"', page))
    for where in checklist["where"].fillna(""):
        if where == "to be written by the authors":
            continue
        for place in where.split("; "):
            in_repo = place.startswith("b12cohort repository: ")
            path = place.removeprefix("b12cohort repository: ").split(" (")[0]
            path, _, anchor = path.partition("#")
            assert ((ROOT if in_repo else out) / path).exists(), place
            assert not anchor or anchor in ids, place


def _markdown_blocks(text: str, start: str, stop: str) -> list[str]:
    """The paragraphs of results.md between two headings (exclusive)."""
    lines = text.splitlines()
    body = lines[lines.index(start) + 1 : lines.index(stop)]
    return [line for line in body if line and not line.startswith("#")]


def _docx_paragraphs(document, start: str, stop: str | None) -> list[str]:
    """The body paragraphs of a Word document between two level-1/2 headings (exclusive)."""
    out, inside = [], False
    for p in document.paragraphs:
        heading = p.style.name.startswith("Heading")
        if heading and p.text == start:
            inside = True
            continue
        if heading and p.text == stop:
            break
        if inside and not heading and p.text:
            out.append(p.text)
    return out


def test_the_word_file_holds_the_text_and_the_checklist(example_report):
    """tables.docx: the tables, then the methods/results/references of text/results.md, then
    the STROBE/RECORD checklist with the rows of strobe_record_checklist.csv (issue 14)."""
    import docx

    from b12cohort.report._text import CHECKLIST_HEADING

    out, _ = example_report
    document = docx.Document(str(out / "tables" / "tables.docx"))
    markdown = (out / "text" / "results.md").read_text("utf-8")
    results = _markdown_blocks(markdown, "## Results", "### References")
    assert len(results) >= 8
    assert _docx_paragraphs(document, "Results", "References") == results
    methods = _markdown_blocks(markdown, "### Statistical analysis", "## Results")
    assert _docx_paragraphs(document, "Statistical analysis", "Results") == methods
    references = _markdown_blocks(markdown, "### References", "### References") or [
        line for line in markdown.split("### References", 1)[1].splitlines() if line
    ]
    assert _docx_paragraphs(document, "References", CHECKLIST_HEADING) == references
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Methods") < headings.index("Results") < headings.index(CHECKLIST_HEADING)
    assert headings[-1] == CHECKLIST_HEADING  # the checklist comes last
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    body = list(document.element.body)
    assert body.index(captions[-1]._p) < body.index(  # the tables come first
        next(p for p in document.paragraphs if p.text == "Methods")._p
    )
    checklist = pd.read_csv(out / "strobe_record_checklist.csv", dtype=str, keep_default_na=False)
    table = document.tables[-1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == list(checklist.columns)
    assert cells[1:] == checklist.values.tolist()
    assert len(cells) - 1 == len(checklist) == 47


@pytest.mark.parametrize(
    ("name", "column", "row", "new", "message"),
    [
        ("table_one", "Overall", "Age at admission (months)", "99.0 [6.5, 13.5]",
         "table_one.csv row .*Age at admission"),
        ("table_one", "Overall", "Serum vitamin B12 (pg/mL)", "29.0, 83.0",
         "table_one.csv row .*Serum vitamin B12"),
        ("table_one", "Overall", "Sex", "9 (47.4%)", "table_one.csv row .*Sex"),
        ("course_summary", "estimate", 1, "5", "course_summary.csv row 2, column estimate"),
        ("course_summary", "ci_low", 2, "23", "course_summary.csv row 3, column ci_low"),
        ("course_by_infant", "in_km", 0, "False", "course_by_infant.csv, column in_km"),
        ("association", "p_value", 1, "0.5", "association.csv row 2, column p_value"),
        ("association", "p_adjusted", 0, "0.5", "association.csv row 1, column p_adjusted"),
        ("participant_flow", "n", 0, "20", "participant_flow.csv row 1, column n"),
    ],
)  # fmt: skip
def test_the_text_guard_checks_every_table_the_text_reports(
    example_report, tmp_path, name, column, row, new, message
):
    """The guard compares the text's numbers with Table 1, the course, the association and the
    flow CSVs: a build whose table differs from the text stops with the file, row and column."""
    import warnings

    import b12cohort
    from b12cohort import ReportError
    from b12cohort.paper.manuscript import manuscript_results
    from b12cohort.report._text_checks import check_against_tables

    out, _ = example_report
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = manuscript_results(b12cohort.load_example(), literature=True)
    build = tmp_path / "build"
    shutil.copytree(out / "tables", build / "tables")
    check_against_tables(build, results)  # the build's own tables: no difference
    path = build / "tables" / f"{name}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    index = table.index[table["variable"] == row][0] if isinstance(row, str) else row
    if name == "table_one" and row == "Serum vitamin B12 (pg/mL)":
        index += 1  # its "min, max" row
    assert table.loc[index, column] != new
    table.loc[index, column] = new
    table.to_csv(path, index=False)
    with pytest.raises(ReportError, match=message):
        check_against_tables(build, results)


def test_outputs_hold_no_local_paths(example_report):
    out, _ = example_report
    needles = [str(ROOT).encode(), str(out.parent).encode(), b"/tmp/", b"ipykernel_"]
    for p in out.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} in {p.relative_to(out)}"


def test_two_builds_are_byte_identical_whatever_the_parallelism(example_report, tmp_path):
    out, _ = example_report  # built with the default two kernels
    result = check_report(out, jobs=1)
    assert (result.status, result.problems, result.verdict) == (0, (), "identical")


def test_check_reports_each_difference(example_report, tmp_path):
    out, _ = example_report
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "tables" / "prevalence.csv").write_text("tampered\n", encoding="utf-8")
    (copy / "extra.txt").write_text("x", encoding="utf-8")
    (copy / "figures" / "prevalence.png").unlink()
    result = compare_reports(copy, out)
    assert dict(result.problems) == {
        "tables/prevalence.csv": "differs",
        "extra.txt": "missing from the rebuild",
        "figures/prevalence.png": "not in the committed report",
    }
    assert result.status == EXIT_NUMBERS
    assert (
        "no longer match its MANIFEST: extra.txt, figures/prevalence.png, tables/prevalence.csv"
        in (result.causes[0])
    )


def _copy(out: Path, where: Path) -> Path:
    shutil.copytree(out, where)
    return where


def _edit_manifest(folder: Path, edit) -> None:
    path = folder / "MANIFEST.json"
    manifest = json.loads(path.read_text("utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_check_identical_says_why_the_manifest_differs(example_report, tmp_path):
    """Other versions, platform or commit with identical files: exit 0, causes named."""
    out, _ = example_report
    rebuilt = _copy(out, tmp_path / "rebuilt")

    def elsewhere(m):
        m["versions"]["matplotlib"] = "0.0.1"
        m["platform"]["freetype"] = "1.0.0"
        m["source"] = {"git_commit": "0" * 40, "git_modified": False}

    _edit_manifest(rebuilt, elsewhere)
    result = compare_reports(out, rebuilt)
    assert (result.status, result.problems) == (EXIT_IDENTICAL, ())
    text = " | ".join(result.causes)
    assert f"matplotlib {_manifest(out)['versions']['matplotlib']} → 0.0.1" in text
    assert "freetype" in text and "→ 1.0.0" in text
    assert "0" * 40 in text


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "MANIFEST.json").read_text("utf-8"))


def test_check_a_figure_that_differs_is_rendering_only(example_report, tmp_path):
    out, _ = example_report
    rebuilt = _copy(out, tmp_path / "rebuilt")
    _flip_a_byte(rebuilt / "figures" / "prevalence.png")
    _edit_manifest(rebuilt, lambda m: m["versions"].update(matplotlib="9.9.9"))
    result = compare_reports(out, rebuilt)
    assert result.status == EXIT_RENDERING == 3
    assert result.problems == (("figures/prevalence.png", "differs"),)
    assert result.verdict == "same numbers, different rendering"
    assert any("matplotlib" in c and "9.9.9" in c for c in result.causes)
    text = explain(result, out, rebuilt=True)
    assert "every CSV table is identical" in text and "[exit 3]" in text


def test_check_a_number_that_differs_is_different_numbers(example_report, tmp_path):
    out, _ = example_report
    rebuilt = _copy(out, tmp_path / "rebuilt")
    table = rebuilt / "tables" / "prevalence.csv"
    text = table.read_text("utf-8")
    assert "hypotonia,19,19" in text
    table.write_text(text.replace("hypotonia,19,19", "hypotonia,18,19"), encoding="utf-8")
    _edit_manifest(rebuilt, lambda m: m["input"].update(sha256="f" * 64))
    result = compare_reports(out, rebuilt)
    assert result.status == EXIT_NUMBERS == 4
    assert result.numbers == ("tables/prevalence.csv",)
    assert result.causes[0].startswith("the input differs")
    assert "DIFFERENT NUMBERS" in explain(result, out, rebuilt=True)


def _verify(folder: Path):
    return subprocess.run(
        [sys.executable, "-m", "b12cohort", "verify", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_verify_checks_a_folder_against_its_own_manifest(example_report, tmp_path):
    out, _ = example_report
    r = _verify(out)
    assert (r.returncode, r.stdout.split()[0]) == (0, "IDENTICAL"), r.stderr
    figure = _copy(out, tmp_path / "figure")
    _flip_a_byte(figure / "figures" / "sign_by_grade.svg")
    r = _verify(figure)
    assert r.returncode == 3
    assert "figures/sign_by_grade.svg: changed since the build (rendering)" in r.stdout
    number = _copy(out, tmp_path / "number")
    _flip_a_byte(number / "tables" / "association.csv")
    (number / "notebooks" / "02_descriptive.html").unlink()
    r = _verify(number)
    assert r.returncode == 4
    assert "tables/association.csv: changed since the build (numbers)" in r.stdout
    assert "notebooks/02_descriptive.html: missing" in r.stdout
    manifest = _copy(out, tmp_path / "manifest")
    _edit_manifest(manifest, lambda m: m["outputs"].update({"tables/prevalence.csv": "0" * 64}))
    r = _verify(manifest)
    assert r.returncode == 4 and "tables/prevalence.csv: changed since the build" in r.stdout
    (manifest / "MANIFEST.json").write_text("{not json", encoding="utf-8")
    r = _verify(manifest)
    assert r.returncode == 2 and "not valid JSON" in r.stderr and "Traceback" not in r.stderr
    assert verify_report(out).status == 0


def test_cli_check_explains_and_exits_with_the_verdict(example_report, tmp_path):
    out, _ = example_report
    copy = _copy(out, tmp_path / "reports")
    _flip_a_byte(copy / "figures" / "b12_vs_hb.png")
    r = subprocess.run(
        [sys.executable, "-m", "b12cohort", "report", "--check", "--out", str(copy)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stdout.startswith("SAME NUMBERS, DIFFERENT RENDERING")
    assert "no longer match its MANIFEST: figures/b12_vs_hb.png" in r.stdout
    assert "figures/b12_vs_hb.png: differs (rendering)" in r.stdout


def test_report_help_documents_the_exit_statuses():
    r = subprocess.run(
        [sys.executable, "-m", "b12cohort", "report", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for line in ("0  identical", "3  same numbers, different rendering", "4  different numbers"):
        assert line in r.stdout


def test_the_committed_report_reproduces():
    """CI's `report --check`: the published reports/ folder is exactly what the code builds."""
    assert (ROOT / "reports" / "index.html").exists(), "build it with: b12cohort report"
    result = check_report(ROOT / "reports")
    assert result.status == 0, explain(result, "reports", rebuilt=True)


def test_a_failed_build_leaves_the_previous_report_untouched(tmp_path, example_report):
    out = tmp_path / "reports"
    shutil.copytree(example_report[0], out)
    before = {p.relative_to(out).as_posix(): _sha(p) for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.csv"
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    raw.loc[0, "hb_g_l"] = "1500"
    raw.to_csv(bad, index=False)
    with pytest.raises(CohortValidationError, match="hb_g_l = 1500"):
        build_report(bad, out=out)
    after = {p.relative_to(out).as_posix(): _sha(p) for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.csv",
        "reports",
    ]  # no half-built folder


def test_cli_report_on_bad_data_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("patient_id,sex\nK1,M\n", encoding="utf-8")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "b12cohort",
            "report",
            "--data",
            str(bad),
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stdout + r.stderr
    assert "required column" in r.stderr
    assert not (tmp_path / "r").exists()


def test_a_user_cohort_without_optional_columns(tmp_path):
    """Any valid cohort works, including one with only the required columns; the outputs
    name the input and the mapping file by name, never by their (temporary) path."""
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    required = load_schema().required_columns
    data = tmp_path / "mine.csv"
    raw[required].rename(columns={"hb_g_l": "Hb"}).to_csv(data, index=False, sep=";")
    mapping = tmp_path / "my_columns.json"
    mapping.write_text(json.dumps({"Hb": "hb_g_l"}), encoding="utf-8")
    out = tmp_path / "rep"
    import docx

    template = tmp_path / "journal.docx"
    journal = docx.Document()
    journal.styles["Normal"].font.name = "Arial"
    journal.save(str(template))
    result = build_report(
        data, out=out, scheme="ru-clinical", columns=mapping, docx_template=template
    )
    assert result.manifest["input"]["reconstruction"] is False
    assert result.manifest["parameters"]["DOCX_TEMPLATE"] == {
        "name": "journal.docx",
        "sha256": _sha(template),
    }
    _check_manuscript_tables(out)
    assert docx.Document(str(out / "tables" / "tables.docx")).styles["Normal"].font.name == "Arial"
    assert result.manifest["input"]["source"] == "mine.csv"
    assert result.manifest["parameters"]["DATA"] == "mine.csv"
    assert result.manifest["mapping"] == {"name": "my_columns.json", "sha256": _sha(mapping)}
    assert result.manifest["parameters"]["COLUMNS"] == "my_columns.json"
    page = (out / "index.html").read_text("utf-8")
    assert "reconstruction, not patient data" not in page
    assert "construction" not in page  # real data: no "holds by construction"
    assert "Real data (mine.csv)" in page[page.index('id="limitations"') :]
    assert "<title>b12cohort report: mine.csv</title>" in page
    assert "<th>source</th><td>mine.csv</td>" in page
    assert (out / "tables" / "association.csv").exists()
    needles = {str(tmp_path), str(tmp_path.resolve()), tmp_path.name}
    for p in out.rglob("*"):
        if p.is_file():
            text = p.read_bytes().decode("utf-8", errors="replace")
            for needle in needles:
                assert needle not in text, f"{needle!r} in {p.relative_to(out)}"


def test_notebooks_only_call_the_library():
    for name in NOTEBOOKS:
        src = (ROOT / "notebooks" / f"{name}.py").read_text("utf-8")
        tree = ast.parse(src)
        defs = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert not defs, f"{name} defines functions"
        imports = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        imports |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imports == {"b12cohort"}, f"{name} imports {imports}"
        assert '# %% tags=["parameters"]' in src
        assert "pip install" not in src


# -- in a real browser --------------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


# what a reader sees: the page's width, and for every table the box it sits in
_LAYOUT_JS = """() => {
  const width = window.innerWidth;
  const tables = [...document.querySelectorAll('table')].map(t => {
    const box = t.closest('.scroll');
    const outer = (box || t).getBoundingClientRect();
    const cue = box ? getComputedStyle(box) : null;
    return {
      label: box ? box.getAttribute('aria-label') : t.className,
      width: Math.round(t.getBoundingClientRect().width),
      boxRight: Math.round(outer.right),
      fits: t.getBoundingClientRect().width <= outer.width + 1,
      scrollBox: !!box && ['auto', 'scroll'].includes(cue.overflowX)
        && cue.backgroundImage.includes('gradient'),
    };
  });
  const hash = [...document.querySelectorAll('table.kv td')].find(td => /^[0-9a-f]{64}$/.test(td.textContent));
  const lineHeight = hash ? parseFloat(getComputedStyle(hash).lineHeight) : 0;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    tables,
    hashWraps: !!hash && hash.getBoundingClientRect().height > 1.5 * lineHeight,
    imagesFit: [...document.images].every(i => i.getBoundingClientRect().right <= width),
  };
}"""


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (CI installs it)")
def test_index_in_headless_chromium(example_report):
    from playwright.sync_api import sync_playwright

    out, _ = example_report
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    artifacts = ROOT / "tests" / "_artifacts"
    artifacts.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems = []
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            for target in ["index.html", *(f"notebooks/{n}.html" for n in NOTEBOOKS)]:
                response = page.goto(f"{base}/{target}", wait_until="load")
                assert response.ok, target
                broken = page.evaluate(
                    "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
                )
                assert broken == [], f"{target}: images that did not load: {broken}"
                page.set_viewport_size({"width": 390, "height": 900})
                narrow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert narrow[0] <= narrow[1], f"{target} scrolls sideways at 390 px: {narrow}"
                page.set_viewport_size({"width": 1280, "height": 900})
                if target == "index.html":
                    page.screenshot(path=str(artifacts / "index.png"), full_page=False)
                    for width in (390, 1280):
                        page.set_viewport_size({"width": width, "height": 900})
                        layout = page.evaluate(_LAYOUT_JS)
                        page.screenshot(path=str(artifacts / f"index_{width}.png"), full_page=True)
                        assert layout["scrollWidth"] <= layout["innerWidth"], (width, layout)
                        for t in layout["tables"]:
                            assert t["boxRight"] <= layout["innerWidth"], (width, t)
                            assert t["fits"] or t["scrollBox"], (width, t)
                        assert layout["imagesFit"], (width, "a figure is wider than the page")
                        if width == 390:
                            assert layout["hashWraps"], "the SHA-256 of the input does not wrap"
                        else:  # the literature table used to be 1771 px wide at 1280
                            assert all(t["fits"] for t in layout["tables"]), [
                                t for t in layout["tables"] if not t["fits"]
                            ]
                    page.set_viewport_size({"width": 1280, "height": 900})
                    images = page.evaluate("document.images.length")
                    assert images >= 6
                    hrefs = page.evaluate(
                        "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
                    )
                    for name in ("tables.docx", "tables.xlsx"):
                        assert f"{base}/tables/{name}" in hrefs, f"no link to {name}"
                    for href in sorted(set(hrefs)):
                        if href.startswith(base):
                            assert page.request.get(href.split("#")[0]).ok, f"broken link {href}"
            browser.close()
    finally:
        server.shutdown()
    assert problems == []


def test_no_identifier_reaches_any_report_output(tmp_path):
    """Fake names, birth dates, phones and record numbers in the export never appear in the report."""
    from privacy_scan import assert_no_leak

    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    n = len(raw)
    secrets = {
        "ФИО": [f"Пономарёва Агафья Кузьминична {i:02d}" for i in range(n)],
        "Дата рождения": [f"{(i % 27) + 1:02d}.0{(i % 9) + 1}.2017" for i in range(n)],
        "Телефон": [f"+7 913 555-{i:02d}-77" for i in range(n)],
        "Номер истории болезни": [f"ИБ-88{i:04d}" for i in range(n)],
        "Address": [f"{i + 10} Quillfeather Lane, Krasnoyarsk" for i in range(n)],
    }
    export = pd.concat([pd.DataFrame(secrets), raw], axis=1)
    data = tmp_path / "export.csv"
    export.to_csv(data, index=False, sep=";", encoding="cp1251")
    out = tmp_path / "report"
    r = subprocess.run(
        [sys.executable, "-m", "b12cohort", "report", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    assert "ФИО" in r.stderr  # the warning names the column...
    values = [v for column in secrets.values() for v in column]
    assert_no_leak([out, r.stdout, r.stderr], values)  # ...never a value, anywhere


def test_the_example_report_says_no_data_warning_applied(example_report):
    out, _ = example_report
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "No cleaning rule that can change a conclusion applied to these data." in page
