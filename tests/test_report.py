"""The report pipeline: complete, byte-deterministic, atomic, self-verifying, and usable in a browser."""

from __future__ import annotations

import ast
import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE_CSV, ROOT

from b12cohort import CohortValidationError, load_schema
from b12cohort.report import build_report, check_report
from b12cohort.report._notebooks import NOTEBOOKS

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")]

EXPECTED_FILES = [
    "index.html",
    "MANIFEST.json",
    "cleaning_log.csv",
    "participant_flow.csv",
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


def test_the_example_report_says_it_is_a_reconstruction(example_report):
    out, _ = example_report
    page = (out / "index.html").read_text("utf-8")
    assert "These data are a reconstruction, not patient data." in page
    assert "11 of 11 published figures are reproduced" in page
    for section in (
        'id="methods"',
        'id="replication"',
        'id="table1"',
        'id="prevalence"',
        'id="association"',
        'id="course"',
        'id="literature"',
    ):
        assert section in page


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
    assert check_report(out, jobs=1) == []


def test_check_reports_each_difference(example_report, tmp_path):
    out, _ = example_report
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "tables" / "prevalence.csv").write_text("tampered\n", encoding="utf-8")
    (copy / "extra.txt").write_text("x", encoding="utf-8")
    (copy / "figures" / "prevalence.png").unlink()
    problems = dict(check_report(copy))
    assert problems == {
        "tables/prevalence.csv": "differs",
        "extra.txt": "missing from the rebuild",
        "figures/prevalence.png": "not in the committed report",
    }


def test_the_committed_report_reproduces():
    """CI's `report --check`: the published reports/ folder is exactly what the code builds."""
    assert (ROOT / "reports" / "index.html").exists(), "build it with: b12cohort report"
    assert check_report(ROOT / "reports") == []


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
    """Any valid cohort works, including one with only the required columns."""
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    required = load_schema().required_columns
    data = tmp_path / "mine.csv"
    raw[required].to_csv(data, index=False, sep=";")
    out = tmp_path / "rep"
    result = build_report(data, out=out, scheme="ru-clinical")
    assert result.manifest["input"]["reconstruction"] is False
    assert result.manifest["parameters"]["DATA"] == "mine.csv"
    page = (out / "index.html").read_text("utf-8")
    assert "reconstruction, not patient data" not in page
    assert (out / "tables" / "association.csv").exists()


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
                if target == "index.html":
                    page.screenshot(path=str(artifacts / "index.png"), full_page=False)
                    images = page.evaluate("document.images.length")
                    assert images >= 6
                    hrefs = page.evaluate(
                        "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
                    )
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
