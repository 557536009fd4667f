"""The command line: exit status 0/2, readable output, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import EXAMPLE_CSV, sha256


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "b12cohort", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.slow
def test_validate_the_example():
    r = run("validate", EXAMPLE_CSV)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("VALID") and "19 infant(s)" in r.stdout


@pytest.mark.slow
def test_validate_invalid_file_lists_every_failure(tmp_path):
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    raw.loc[4, "hb_g_l"] = "1500"
    raw.loc[8, "patient_id"] = "K01"
    path = tmp_path / "bad.csv"
    raw.to_csv(path, index=False)
    before = sha256(path)
    r = run("validate", path)
    assert r.returncode == 2
    assert "Traceback" not in r.stdout + r.stderr
    assert "row 5 (line 6): hb_g_l = 1500 is above the plausible maximum 200 g/L" in r.stdout
    assert "K01 is used by 2 rows: row 1 (line 2), row 9 (line 10)" in r.stdout
    assert sha256(path) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.slow
def test_machine_readable_failures(tmp_path, fmt):
    path = tmp_path / "bad.csv"
    path.write_text("patient_id,sex\n=HYPERLINK(1),M\n", encoding="utf-8")
    r = run("validate", path, "--format", fmt)
    assert r.returncode == 2 and "required-column" in r.stdout


@pytest.mark.slow
def test_unreadable_and_missing_files_exit_2_without_traceback(tmp_path):
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02PK\x00" * 50)
    for target in (tmp_path / "bin.csv", tmp_path / "nope.csv"):
        r = run("validate", target)
        assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout


@pytest.mark.slow
def test_bad_arguments_exit_2(tmp_path):
    r = run("validate", EXAMPLE_CSV, "--columns", tmp_path / "missing.json")
    assert r.returncode == 2 and "cannot read the column mapping" in r.stderr


def test_schema_command_writes_generated_documents(tmp_path):
    r = run("schema", "--write", tmp_path)
    assert r.returncode == 0
    assert (tmp_path / "README.md").read_text("utf-8").startswith("# Data dictionary")
    assert (tmp_path / "cohort_template.csv").read_text("utf-8").startswith("patient_id,sex,")
    assert (tmp_path / "cohort.schema.json").exists()


def test_no_command_prints_help():
    r = run()
    assert r.returncode == 2 and "validate" in r.stdout
