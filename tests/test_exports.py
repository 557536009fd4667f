"""Realistic hospital exports (issue 12): loaded right or refused clearly, never a leak.

Every file of ``tests/data/exports`` (written by its ``make_exports.py``) has an
``.expected.json`` beside it: the command line, the exit status, the number of infants,
the cleaning-log rules and data warnings that must appear, the failure rule of a refusal
and the identifiers that must never reach any output byte. Each case runs
``b12cohort validate`` in-process, then the same load through the Python API.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from privacy_scan import assert_no_leak

from b12cohort import (
    B12CohortWarning,
    CohortValidationError,
    cleaning_log,
    load_cohort,
    load_metadata,
)
from b12cohort.cli import main
from b12cohort.cohort.eligibility import apply_eligibility

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
sys.path.insert(0, str(EXPORTS))
import make_exports  # noqa: E402

CASES = make_exports.EXPECTED


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_committed_corpus_is_what_the_script_writes(tmp_path):
    for path in make_exports.main(tmp_path):
        committed = EXPORTS / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{path.name} differs: run python tests/data/exports/make_exports.py"
        )


def _run(case: str, tmp_path: Path, capsys):
    """Copy the corpus into tmp_path, run the case's command there; (code, out, err, key)."""
    for p in EXPORTS.iterdir():
        if p.suffix in {".csv", ".xlsx", ".json"}:
            shutil.copy(p, tmp_path / p.name)
    key = tmp_path / "private" / "key.csv"
    args = [a if a != "KEY" else str(key) for a in CASES[case]["args"]]
    args[1] = str(tmp_path / args[1])
    args = [str(tmp_path / a) if a.endswith(".columns.json") else a for a in args]
    inputs = {p: _sha(p) for p in tmp_path.iterdir() if p.is_file()}
    code = main(args)
    out, err = capsys.readouterr()
    for p, digest in inputs.items():
        assert _sha(p) == digest, f"{p.name} was changed"  # inputs are read-only
    return code, out, err, key


@pytest.mark.parametrize("case", list(CASES))
def test_each_export_gives_the_expected_outcome(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    want = CASES[case]
    code, out, err, key = _run(case, tmp_path, capsys)
    assert code == want["exit"], out + err
    assert "internal error" not in err and "Traceback" not in out + err
    if "infants" in want:
        assert f"{want['infants']} infant(s)" in out, out
    if "refusal" in want:
        assert f": {want['refusal']}" in out, out
        assert out.count("\n- ") == want.get("n_messages", out.count("\n- ")), out
    for text in want.get("stderr", []):
        assert text in err, err
    written = [
        p
        for p in tmp_path.iterdir()
        if p != key.parent and p.suffix not in {".csv", ".xlsx", ".json"}
    ]
    outputs = [out, err, *written]
    assert_no_leak(outputs, want.get("secrets", []))
    if key.exists():  # the key holds the codes, and nothing else was written beside it
        assert list(key.parent.iterdir()) == [key]


def _load(case: str, tmp_path: Path):
    args = CASES[case]["args"]
    options = dict(zip(args[2::2], args[3::2], strict=True))
    kwargs = {}
    if "--columns" in options:
        kwargs["columns"] = EXPORTS / options["--columns"]
    if "--sheet" in options:
        kwargs["sheet"] = options["--sheet"]
    if "--pseudonymise" in options:
        kwargs["pseudonymise"] = tmp_path / "key.csv"
    return load_cohort(EXPORTS / args[1], **kwargs)


@pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")
@pytest.mark.parametrize("case", [c for c, w in CASES.items() if w["exit"] == 0])
def test_each_loaded_export_logs_every_conversion(case, tmp_path):
    want = CASES[case]
    cohort = _load(case, tmp_path)
    meta = load_metadata(cohort)
    assert len(cohort) == want["infants"]
    rules = set(cleaning_log(cohort)["rule"])
    assert set(want["rules"]) <= rules, rules
    for text in want.get("warnings", []):
        assert any(text in w for w in meta.warnings), (text, meta.warnings)
    for name, n in want.get("counts", {}).items():
        assert int(cohort[name].sum()) == n and cohort[name].notna().all()
    for side, n in want.get("censored", {}).items():
        assert int((cohort["b12_pg_ml_censored"] == side).sum()) == n
    readable = [cohort.to_csv(), cleaning_log(cohort).to_csv(), meta.summary.to_csv()]
    assert_no_leak(readable, want.get("secrets", []))


@pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")
def test_censored_b12_against_the_83_cut_off(tmp_path):
    cohort = _load("english_censored.csv", tmp_path)
    included, excluded = apply_eligibility(cohort, age_months=None)
    # '<50', '< 83' and 'менее 40' are below 83; 'less than 100' cannot be compared with it
    assert excluded["reason"].tolist() == [
        "B12 <100 pg/mL cannot be compared with 83 (the value is censored at the assay's limit)"
    ]
    assert len(included) == make_exports.N - 1


@pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")
def test_age_from_dates_drops_the_birth_date(tmp_path):
    cohort = _load("dates_for_age.csv", tmp_path)
    assert not any("рожд" in c.lower() for c in cohort.columns)
    import datetime as dt

    for (born, admitted), age in zip(make_exports.DATES, cohort["age_months"], strict=True):
        b = dt.datetime.strptime(born, "%d.%m.%Y")
        a = dt.datetime.strptime(admitted, "%d.%m.%Y")
        assert age == pytest.approx((a - b).days / 30.4375, abs=0.005)


def test_a_title_without_a_header_is_one_message_naming_the_lines():
    with pytest.raises(CohortValidationError) as info:
        load_cohort(EXPORTS / "title_no_header.csv")
    failures = info.value.failures
    assert len(failures) == 1 and failures["rule"].iloc[0] == "header"
    assert "line(s) 1, 2 hold a single cell each" in failures["message"].iloc[0]


def test_the_pseudonym_key_is_refused_inside_the_report_folder(tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--data",
            str(EXPORTS / "names_as_codes.csv"),
            "--out",
            str(out),
            "--pseudonymise",
            str(out / "key.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "inside the report folder" in err
    assert not (out / "key.csv").exists()


def test_map_writes_a_mapping_marking_every_guess(tmp_path, capsys):
    target = tmp_path / "mapping.json"
    assert main(["map", str(EXPORTS / "ru_title_totals_cp1251.csv"), "--out", str(target)]) == 0
    mapping = json.loads(target.read_text(encoding="utf-8"))
    assert mapping["Hb, г/дл"] == {"column": "hb_g_dl", "guess": True}
    assert mapping["ЗПМР"]["column"] == "developmental_delay"
    assert all(entry["guess"] is True for entry in mapping.values())
    out = capsys.readouterr().out
    assert f"b12cohort validate {EXPORTS / 'ru_title_totals_cp1251.csv'} --columns {target}" in out
    assert main(["map", str(EXPORTS / "ru_title_totals_cp1251.csv"), "--out", str(target)]) == 2
    capsys.readouterr()
    # the guesses, once checked, load the export
    code = main(["validate", str(EXPORTS / "ru_title_totals_cp1251.csv"), "--columns", str(target)])
    assert code == 0 and f"{make_exports.N} infant(s)" in capsys.readouterr().out


def _example_frame():
    import pandas as pd
    from conftest import EXAMPLE_CSV

    return pd.read_csv(EXAMPLE_CSV, comment="#", dtype=str, keep_default_na=False)


def test_unknown_yes_no_codes_name_the_codes_and_the_fix():
    frame = _example_frame()
    frame.loc[[0, 1], "hypotonia"] = "есть"
    with pytest.raises(CohortValidationError) as info:
        load_cohort(frame)
    message = info.value.failures["message"].iloc[0]
    assert "codes found in this column that are not yes/no: 'есть'" in message
    assert "--true-values есть" in message
    assert '{"hypotonia": {"column": "hypotonia", "values": {"есть": "yes"}}}' in message
    cohort = load_cohort(frame, true_values=["есть"])  # the fix it names works
    assert int(cohort["hypotonia"].sum()) == 19


def test_header_row_is_taken_as_given(tmp_path):
    frame = _example_frame()
    text = "A note;\nAnother note, with a comma\n" + frame.to_csv(index=False)
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    cohort = load_cohort(path, header_row=3)
    assert len(cohort) == 19
    assert any("the header is line 3" in n for n in load_metadata(cohort).notes)
    with pytest.raises(CohortValidationError, match="--header-row 40"):
        load_cohort(path, header_row=40)


def test_a_mapping_to_an_unknown_target_names_the_closest_valid_targets():
    from b12cohort import ArgumentError

    with pytest.raises(ArgumentError, match="closest valid targets: age_weeks, age_years"):
        load_cohort(_example_frame(), columns={"age_months": "age_week"})


def test_dates_written_month_first_are_read_month_first(tmp_path):
    frame = _example_frame().drop(columns=["age_months"])
    frame.insert(1, "Date of birth", "03/25/2018")  # month 3, day 25: month first
    frame.insert(2, "Admission date", "09/25/2018")
    with pytest.warns(B12CohortWarning):
        cohort = load_cohort(frame)
    assert cohort["age_months"].iloc[0] == pytest.approx(184 / 30.4375, abs=0.005)
    assert any("read month-first" in w for w in load_metadata(cohort).warnings)
    assert not any("birth" in c.lower() for c in cohort.columns)


def test_ambiguous_dates_are_read_day_first_and_said_so():
    frame = _example_frame().drop(columns=["age_months"])
    frame.insert(1, "Дата рождения", "01.02.2018")
    frame.insert(2, "Дата поступления", "01.08.2018")
    with pytest.warns(B12CohortWarning):
        cohort = load_cohort(frame)
    assert cohort["age_months"].iloc[0] == pytest.approx(181 / 30.4375, abs=0.005)
    assert any("they were read day first" in w for w in load_metadata(cohort).warnings)
