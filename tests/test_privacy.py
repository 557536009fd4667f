"""Privacy: identifiers never enter the cohort, its metadata, log, warnings or CLI output.

* the header vocabulary (English and Russian exports) and what it must not catch;
* patient codes that look like names, dates, e-mails or phone/document numbers;
* OWASP CSV-injection neutralising;
* end to end: fake names, dates of birth, phones, record and insurance numbers are
  seeded into identifier columns, a free-text column and a comment line; no trace of
  them may appear anywhere a person could read (scanned with tests/privacy_scan.py,
  in UTF-8, cp1251 and UTF-16, escaped forms and case-insensitively).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLE_CSV
from hypothesis import given
from hypothesis import strategies as st
from privacy_scan import assert_no_leak, find_leaks

from b12cohort import (
    CohortValidationError,
    IdentifierWarning,
    cleaning_log,
    load_cohort,
    load_metadata,
)
from b12cohort.core.tables import neutralise_csv_injection
from b12cohort.dictionary.privacy import id_looks_identifying, identifier_kind

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.SchemeRangeWarning")


# -- header vocabulary -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "kind"),
    [
        # the usual Russian hospital export
        ("Фамилия", "name"),
        ("Имя", "name"),
        ("Отчество", "name"),
        ("ФИО", "name"),
        ("Ф.И.О.", "name"),
        ("ФИО ребёнка", "name"),
        ("Фамилия, имя, отчество", "name"),
        ("Пациент", "name"),
        ("Дата рождения", "date of birth"),
        ("Дата рожд.", "date of birth"),
        ("Д.р.", "date of birth"),
        ("Адрес", "address"),
        ("Адрес проживания", "address"),
        ("Место жительства", "address"),
        ("Телефон", "phone"),
        ("Контактный телефон", "phone"),
        ("Моб. тел.", "phone"),
        ("Номер истории болезни", "medical record number"),
        ("№ истории болезни", "medical record number"),
        ("№ и/б", "medical record number"),
        ("Мед. карта №", "medical record number"),
        ("Полис ОМС", "insurance/SNILS/policy number"),
        ("СНИЛС", "insurance/SNILS/policy number"),
        ("Паспорт", "insurance/SNILS/policy number"),
        ("Свидетельство о рождении", "insurance/SNILS/policy number"),
        ("E-mail", "email"),
        ("Эл. почта", "email"),
        # English
        ("Patient name", "name"),
        ("first_name", "name"),
        ("Surname", "name"),
        ("Patronymic", "name"),
        ("DOB", "date of birth"),
        ("Date of birth", "date of birth"),
        ("Home address", "address"),
        ("Postcode", "address"),
        ("Phone number", "phone"),
        ("email", "email"),
        ("MRN", "medical record number"),
        ("Medical record number", "medical record number"),
        ("NHS number", "medical record number"),
        ("Insurance number", "insurance/SNILS/policy number"),
        ("SSN", "insurance/SNILS/policy number"),
    ],
)
def test_identifier_headers_are_recognised(header, kind):
    assert identifier_kind(header) == kind


@pytest.mark.parametrize(
    "header",
    [
        # every schema column and alternative unit
        *[f.name for f in __import__("b12cohort").load_schema().fields],
        "hb_g_dl",
        "hb_mmol_l",
        "b12_pmol_l",
        "folate_nmol_l",
        # ordinary clinical export headers
        "Код",
        "Пол",
        "Возраст, мес",
        "Возраст пациента",
        "Hb, г/дл",
        "B12, пмоль/л",
        "Гипотония",
        "ЗПМР",
        "Гиперкинезы на лечении",
        "Дата поступления",
        "Отделение",
        "Patient ID",
        "Patient code",
        "Study number",
        "Комментарий",
    ],
)
def test_ordinary_headers_are_not_identifiers(header):
    assert identifier_kind(header) is None


# -- codes that look like identifiers --------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("12.03.2019", "date"),
        ("3/12/19", "date"),
        ("2019-03-12", "date"),
        ("2019-03-12 10:30", "date"),
        ("20190312", "date"),
        ("12032019", "date"),
        ("Иванов Иван", "name"),
        ("Иванов Иван Иванович", "name"),
        ("Ivanov I.I.", "name"),
        ("И.И. Иванов", "name"),
        ("IVANOV IVAN", "name"),
        ("Smith", "name"),
        ("IVANOV", "name"),
        ("Петрова-Водкина", "name"),
        ("ivan.petrov@mail.example", "e-mail address"),
        ("+7 (913) 555-01-02", "phone or document number"),
        ("123-456-789 01", "phone or document number"),  # SNILS
        ("1234567890123456", "phone or document number"),  # OMS policy
    ],
)
def test_identifying_codes_are_counted(code, kind):
    assert id_looks_identifying(pd.Series(["K01", code, "K03"])) == {kind: 1}


@pytest.mark.parametrize(
    "code",
    # Decided: codes with a digit are never names; a year with a serial number
    # ("2019-017") or a code with one separator is not a date; impossible dates are not.
    [
        "K01",
        "k01",
        "B12-017",
        "2019-017",
        "17/2019",
        "P0000001",
        "12-40-2019",
        "ABC",
        "K-01",
        "A1B2",
    ],
)
def test_pseudonymous_codes_are_not_flagged(code):
    assert id_looks_identifying(pd.Series([code])) == {}


def test_id_screening_handles_missing_long_and_non_text_values():
    ids = pd.Series(["K01", None, "x" * 500 + " Ivanov", 17, "Иванов Иван"], dtype=object)
    assert id_looks_identifying(ids) == {"name": 1}
    assert id_looks_identifying(pd.Series([], dtype="string")) == {}


def test_mapping_an_identifier_column_to_patient_id_warns():
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    frame = raw.rename(columns={"patient_id": "Номер истории болезни"})
    with pytest.warns(IdentifierWarning, match="'Номер истории болезни' is read as patient_id"):
        load_cohort(frame, columns={"Номер истории болезни": "patient_id"})


# -- CSV injection ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ('=HYPERLINK("http://x.invalid","click")', '\'=HYPERLINK("http://x.invalid","click")'),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
        ("K01", "K01"),
        ("a=b", "a=b"),
        (" =1", " =1"),  # a leading space: not a formula in any spreadsheet
        ("", ""),
    ],
)
def test_text_cells_that_start_a_formula_are_quoted(cell, expected):
    out = neutralise_csv_injection(pd.DataFrame({"v": [cell]}))
    assert out["v"].iloc[0] == expected


def test_csv_injection_leaves_numbers_missing_values_and_the_input_alone():
    frame = pd.DataFrame(
        {
            "text": pd.array(["=cmd", None, "ok"], dtype="string"),
            "obj": ["-x", np.nan, 5],
            "num": [-1.5, np.nan, 3.0],
            "int": pd.array([-1, None, 2], dtype="Int64"),
            "cat": pd.Categorical(["+a", "b", "+a"]),
            "=evil": [1, 2, 3],
        },
        index=pd.Index(["@r", "s", "t"]),
    )
    snapshot = frame.copy(deep=True)
    out = neutralise_csv_injection(frame)
    pd.testing.assert_frame_equal(frame, snapshot)
    assert out["text"].tolist()[0] == "'=cmd" and out["text"].isna().tolist()[1]
    assert out["obj"].tolist()[0] == "'-x" and out["obj"].tolist()[2] == 5
    assert out["num"].tolist()[0] == -1.5 and out["int"].tolist()[0] == -1
    assert out["cat"].tolist() == ["'+a", "b", "'+a"]
    assert "'=evil" in out.columns and out.index[0] == "'@r"
    rows = list(csv.reader(io.StringIO(out.to_csv())))
    dangerous = ("=", "+", "@", "\t", "\r")  # "-" is allowed on the (numeric) cells
    assert not any(c.startswith(dangerous) for row in rows for c in row)


# -- privacy_scan itself ---------------------------------------------------------------------
SECRET = "Иванова Мария"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251", "utf-16", "utf-16-le", "utf-8-sig"])
def test_scan_finds_a_secret_in_every_encoding(tmp_path, encoding):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "out.txt").write_bytes(f"x,{SECRET},y".encode(encoding))
    with pytest.raises(AssertionError, match="Иванова Мария"):
        assert_no_leak(tmp_path, [SECRET])


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"n": SECRET}),  # \u escapes
        "&#1048;&#1074;&#1072;&#1085;&#1086;&#1074;&#1072; &#1052;&#1072;&#1088;&#1080;&#1103;",
        "ИВАНОВА МАРИЯ",
        "https://x.invalid/?q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0%20%D0%9C%D0%B0%D1%80%D0%B8%D1%8F",
    ],
)
def test_scan_finds_escaped_and_upper_case_forms(text):
    assert find_leaks([text], [SECRET])


def test_scan_looks_inside_zip_archives(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", f"<t>{SECRET}</t>")
    (tmp_path / "report.xlsx").write_bytes(buf.getvalue())
    leaks = find_leaks(tmp_path, [SECRET])
    assert leaks and leaks[0].where.endswith("report.xlsx!xl/sharedStrings.xml")


def test_scan_is_quiet_when_there_is_nothing_and_refuses_short_secrets(tmp_path):
    (tmp_path / "a.txt").write_text("Иванов Пётр, K01", "utf-8")
    assert_no_leak([tmp_path, "some text", b"bytes"], [SECRET, "+7 913 555-01-02"])
    with pytest.raises(ValueError, match="shorter"):
        find_leaks(["x"], ["K1"])


# -- end to end: a Russian export with identifiers everywhere --------------------------------
NAMES = ["Иванова Мария Петровна", "Petrov Ivan", "Сидоров Алексей", "Кузнецова Анна"]
SURNAMES = ["Иванова", "Petrov", "Сидоров", "Кузнецова"]
DOBS = ["12.03.2018", "01.07.2017", "23.11.2018", "05.05.2019"]
PHONES = ["+7 913 555-01-02", "+7 (391) 222-33-44", "89135550199", "8-902-111-22-33"]
RECORDS = ["ИБ-2019/4471", "MRN 9934521", "И/Б 20188-17", "ИБ-2019/5532"]
SNILS = ["112-233-445 95", "123-456-789 01", "987-654-321 00", "111-222-333 44"]
POLICIES = ["5456789012345678", "7788990011223344", "1029384756102938", "5647382910564738"]
EMAILS = ["m.ivanova@mail.example", "petrov@hospital.example", "s.a@x.example", "ak@y.example"]
ADDRESSES = ["ул. Ленина, д. 5, кв. 12", "ул. Мира 7-3", "пр. Свободный 44", "ул. Карла Маркса 1"]
SECRETS = [*NAMES, *DOBS, *PHONES, *RECORDS, *SNILS, *POLICIES, *EMAILS, *ADDRESSES, *SURNAMES]


def _export(n: int = 4, *, hb=None) -> pd.DataFrame:
    """A Russian hospital export: identifier columns around the schema columns."""
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False).head(n)
    out = pd.DataFrame(
        {
            "ФИО": NAMES[:n],
            "Фамилия": SURNAMES[:n],
            "Дата рождения": DOBS[:n],
            "Адрес": ADDRESSES[:n],
            "Телефон": PHONES[:n],
            "Номер истории болезни": RECORDS[:n],
            "СНИЛС": SNILS[:n],
            "Полис ОМС": POLICIES[:n],
            "E-mail": EMAILS[:n],
            "Пациент": NAMES[:n],
            # free text that is not an identifier column, but holds identifiers
            "Примечание": [f"мать {NAMES[i]}, тел. {PHONES[i]}" for i in range(n)],
        }
    )
    for c in raw.columns:
        out[c] = raw[c]
    if hb is not None:
        out.loc[hb[0], "hb_g_l"] = hb[1]
    return out


def _write(frame: pd.DataFrame, path, **kw):
    comment = f"# выгрузка: врач {NAMES[0]}, тел. {PHONES[0]}\n"
    with open(path, "w", encoding=kw.pop("encoding", "utf-8"), newline="") as fh:
        fh.write(comment)
        frame.to_csv(fh, index=False, **kw)
    return path


def _everything_a_person_can_read(cohort, caught) -> list:
    meta = load_metadata(cohort)
    return [
        cohort,
        cohort.to_csv(),
        repr(cohort.attrs),
        meta.dropped_columns,
        meta.summary,
        "\n".join(meta.notes),
        cleaning_log(cohort),
        meta.log.summary(),
        meta.invalid,
        *[str(w.message) for w in caught],
    ]


@pytest.mark.parametrize(
    ("kind", "kw"),
    [("utf-8 comma", {}), ("cp1251 semicolon", {"sep": ";", "encoding": "cp1251"})],
)
def test_identifiers_in_a_csv_export_leave_no_trace(tmp_path, kind, kw):
    path = _write(_export(), tmp_path / "export.csv", **kw)
    leaked = {leak.secret for leak in find_leaks(path, SECRETS)}
    assert leaked == set(SECRETS)  # positive control: the scan sees every one in the input
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = load_cohort(path)
    idw = [str(w.message) for w in caught if issubclass(w.category, IdentifierWarning)]
    assert any("'ФИО'" in m for m in idw) and any("'СНИЛС'" in m for m in idw)
    assert any("'Пациент'" in m for m in idw) and any("'Полис ОМС'" in m for m in idw)
    dropped = load_metadata(cohort).dropped_columns.set_index("column")["reason"]
    assert dropped["Примечание"] == "not in the schema: not used"
    assert dropped["Номер истории болезни"].startswith("direct identifier")
    assert_no_leak(_everything_a_person_can_read(cohort, caught), SECRETS)


def test_identifiers_in_an_excel_export_and_a_dataframe_leave_no_trace(tmp_path):
    frame = _export()
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    for source in (path, frame):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cohort = load_cohort(source)
        assert_no_leak(_everything_a_person_can_read(cohort, caught), SECRETS)


def test_invalid_rows_set_aside_leave_no_trace(tmp_path):
    path = _write(_export(hb=(1, "1500")), tmp_path / "export.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = load_cohort(path, invalid_rows="exclude")
    assert load_metadata(cohort).n_invalid_rows == 1
    assert_no_leak(_everything_a_person_can_read(cohort, caught), SECRETS)


def _validate(*args):
    return subprocess.run(
        [sys.executable, "-m", "b12cohort", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
@pytest.mark.slow
def test_validate_output_leaves_no_trace(tmp_path, fmt):
    valid = _write(_export(), tmp_path / "valid.csv")
    invalid = _write(_export(hb=(2, "1500")), tmp_path / "invalid.csv")
    ragged = tmp_path / "ragged.csv"
    lines = invalid.read_text("utf-8").splitlines()
    lines[3] += ",лишнее поле," + NAMES[2]  # one data row with extra fields
    ragged.write_text("\n".join(lines) + "\n", "utf-8")
    outputs = []
    for path, code in ((valid, 0), (invalid, 2), (ragged, 2)):
        r = _validate(path, "--format", fmt)
        assert r.returncode == code, r.stdout + r.stderr
        assert "Traceback" not in r.stdout + r.stderr
        outputs += [r.stdout, r.stderr]
    assert find_leaks(ragged, SECRETS)  # the inputs are full of identifiers ...
    assert_no_leak(outputs, SECRETS)  # ... the outputs hold none


def test_the_loader_counts_identifying_codes_like_id_looks_identifying():
    """The loader screens candidates while stripping; the counts must not differ."""
    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    codes = [" Иванов Иван ", "12.03.2019", "K03", "x@y.example", "+7 913 555-01-02", "Smith"]
    codes += [f"K{i:02d}" for i in range(len(codes), len(raw))]
    frame = raw.assign(patient_id=codes)
    expected = id_looks_identifying(pd.Series([c.strip() for c in codes]))
    assert expected == {
        "name": 2,
        "date": 1,
        "e-mail address": 1,
        "phone or document number": 1,
    }
    with pytest.raises(CohortValidationError) as info:
        load_cohort(frame)
    text = str(info.value) + info.value.failures.to_csv()
    for kind, n in expected.items():
        assert f"{n} cell(s) that look like a {kind}" in text
    assert not any(c.strip() in text for c in codes[:6])


@given(
    st.lists(
        st.text(alphabet="0123456789./-@ +()aZяЖ.I'", min_size=0, max_size=20),
        min_size=1,
        max_size=30,
    )
)
def test_the_candidate_screen_never_misses_an_identifying_code(codes):
    """candidate_mask is a superset of what the regular expressions count."""
    from b12cohort.dictionary.privacy import candidate_mask, kind_of

    cells = np.array(codes, dtype=object)
    width = max(1, max(len(c) for c in codes))
    cp = cells.astype(f"U{width}").view(np.uint32).reshape(len(cells), width)
    mask = candidate_mask(cp)
    for code, candidate in zip(codes, mask.tolist(), strict=True):
        if kind_of(code) is not None:
            assert candidate, code
