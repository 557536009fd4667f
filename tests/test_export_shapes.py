"""Hypothesis strategies for the shapes of real hospital exports (issue 12).

:func:`exports` draws a small cohort and writes it the way hospital systems do: zero to
four title lines above the header, trailing separators, '+'/'-' or да/нет or Evet/Hayır
signs, ages as numbers or text, B12 values below the assay's limit (``<50``), a totals
row and separator-only blank records under the data, in UTF-8, UTF-8 with BOM or
Windows-1251, with commas or semicolons; :func:`workbooks` does the same in an XLSX
sheet (title rows, formatted empty rows, a totals row). Whatever the shape, the loader
must find the same infants with the same signs, and say what it did.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12cohort import (
    B12CohortWarning,
    CohortValidationError,
    cleaning_log,
    load_cohort,
    load_metadata,
)

SIGNS = [
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "hyporeflexia",
    "involuntary_movements_on_treatment",
]
TITLES = [
    "Отчёт по пациентам отделения раннего возраста за 2012-2019 гг.",
    "Выгрузка МИС от 01.02.2020",
    "Laboratory export - haematology",
    "Hasta listesi 2019",
    "Примечание: данные обезличены",
]
SIGN_CODES = {
    "plus-minus": ("+", "-"),
    "russian": ("да", "нет"),
    "turkish": ("Evet", "Hayır"),
    "english": ("yes", "no"),
}
AGE_TEXT = {3: "3 мес.", 14: "1 г. 2 мес.", 10: "10 months", 18: "1 год 6 мес."}
HEADER = ["patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml", *SIGNS]


@st.composite
def infants(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        censored = draw(st.sampled_from([None, None, None, "<50", "< 40", "менее 60"]))
        rows.append(
            {
                "patient_id": f"K{i + 1:02d}",
                "sex": draw(st.sampled_from(["M", "F"])),
                "age_months": draw(st.sampled_from([3, 5, 8, 10, 14, 18])),
                "hb_g_l": draw(st.integers(40, 110)),
                "b12_pg_ml": censored or str(draw(st.integers(20, 82))),
                "signs": draw(st.lists(st.booleans(), min_size=len(SIGNS), max_size=len(SIGNS))),
            }
        )
    return rows


@st.composite
def shapes(draw):
    return {
        "titles": draw(st.lists(st.sampled_from(TITLES), max_size=4)),
        "blank": draw(st.integers(0, 3)),
        "totals": draw(st.sampled_from([None, "Итого", "Total", "Toplam", "ВСЕГО:"])),
        "codes": draw(st.sampled_from(sorted(SIGN_CODES))),
        "age_text": draw(st.booleans()),
    }


def _cells(r, shape):
    yes, no = SIGN_CODES[shape["codes"]]
    age = (
        AGE_TEXT.get(r["age_months"], str(r["age_months"]))
        if shape["age_text"]
        else str(r["age_months"])
    )
    return [
        r["patient_id"],
        r["sex"],
        age,
        str(r["hb_g_l"]),
        r["b12_pg_ml"],
        *(yes if s else no for s in r["signs"]),
    ]


def _text_export(rows, shape, sep, trailing):
    tail = sep if trailing else ""
    width = len(HEADER)
    lines = [t + sep * (width if trailing else 0) for t in shape["titles"]]
    lines.append(sep.join(HEADER) + tail)
    lines += [sep.join(_cells(r, shape)) + tail for r in rows]
    if shape["totals"]:
        lines.append(sep.join([shape["totals"], str(len(rows))] + [""] * (width - 2)) + tail)
    lines += [sep * (width - 1) + tail] * shape["blank"]
    return "\r\n".join(lines) + "\r\n"


def _check(cohort, rows, shape):
    meta = load_metadata(cohort)
    assert len(cohort) == len(rows)
    assert cohort["patient_id"].tolist() == [r["patient_id"] for r in rows]
    for j, sign in enumerate(SIGNS):  # never a '-' read as missing: the counts are exact
        assert cohort[sign].notna().all()
        assert int(cohort[sign].sum()) == sum(r["signs"][j] for r in rows)
    n_censored = sum(not r["b12_pg_ml"].isdigit() for r in rows)
    got = int(cohort["b12_pg_ml_censored"].notna().sum()) if "b12_pg_ml_censored" in cohort else 0
    assert got == n_censored
    rules = set(cleaning_log(cohort)["rule"])
    if shape["totals"]:
        assert "skip-totals" in rules and any("totals row" in w for w in meta.warnings)
    if shape["blank"]:
        assert "skip-blank" in rules
    if n_censored:
        assert any("outside the assay's range" in w for w in meta.warnings)
    if shape["codes"] == "plus-minus" and any(not s for r in rows for s in r["signs"]):
        assert any("read as no" in w for w in meta.warnings)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    infants(),
    shapes(),
    st.sampled_from([";", ","]),
    st.booleans(),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
@pytest.mark.slow
def test_text_exports_of_any_shape_give_the_same_infants(
    tmp_path, rows, shape, sep, trailing, encoding
):
    text = _text_export(rows, shape, sep, trailing)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # Turkish letters have no Windows-1251 byte
        data = text.encode("utf-8")
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", B12CohortWarning)
        cohort = load_cohort(path)
    assert path.read_bytes() == data  # the input is never changed
    _check(cohort, rows, shape)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(infants(), shapes(), st.integers(0, 4))
@pytest.mark.slow
def test_workbooks_of_any_shape_give_the_same_infants(tmp_path, rows, shape, formatted):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    for t in shape["titles"]:
        ws.append([t])
    ws.append(HEADER)
    for r in rows:
        ws.append(_cells(r, shape))
    if shape["totals"]:
        ws.append([shape["totals"], len(rows)])
    start = ws.max_row + 1
    for k in range(formatted):  # formatted but empty rows
        for j in range(1, len(HEADER) + 1):
            ws.cell(start + k, j).fill = PatternFill("solid", fgColor="FFFF99")
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "export.xlsx"
    path.write_bytes(buf.getvalue())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", B12CohortWarning)
        cohort = load_cohort(path)
    _check(cohort, rows, {**shape, "blank": 0})


SURNAMES = ["Кузнецов", "Иванова", "Smirnov", "Petrova", "Yılmaz", "Орлова-Светлова", "O'Brien"]


@st.composite
def identifiers(draw):
    """A name (Cyrillic or Latin, with or without initials), a date or a phone number."""
    kind = draw(st.sampled_from(["name", "initials", "caps", "date", "phone"]))
    surname = draw(st.sampled_from(SURNAMES))
    if kind == "name":
        return surname
    if kind == "initials":
        first = draw(st.sampled_from("АЕИМПKMIP"))
        return f"{surname} {first}." + draw(st.sampled_from(["", "А.", "I."]))
    if kind == "caps":
        return f"{surname.upper()} {draw(st.sampled_from(['ANNA', 'ИВАН', 'PAVEL']))}"
    if kind == "date":
        d = draw(st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2020, 12, 31)))
        return draw(
            st.sampled_from([d.strftime("%d.%m.%Y"), d.isoformat(), d.strftime("%d/%m/%Y")])
        )
    digits = draw(st.text(alphabet="0123456789", min_size=10, max_size=11))
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:10]}"


@settings(max_examples=60, deadline=None)
@given(infants(), identifiers(), st.data())
@pytest.mark.slow
def test_an_identifier_in_any_kept_column_is_never_echoed(rows, secret, data):
    import pandas as pd

    frame = pd.DataFrame(
        [_cells(r, {"codes": "english", "age_text": False}) for r in rows], columns=HEADER
    )
    where = data.draw(st.sampled_from(["patient_id", "hb_g_l", "sex", "hypotonia"]))
    frame.loc[data.draw(st.integers(0, len(rows) - 1)), where] = secret
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CohortValidationError) as info:
            load_cohort(frame)
    shown = (
        str(info.value) + info.value.failures.to_csv() + " ".join(str(w.message) for w in caught)
    )
    assert secret not in shown
    if where == "patient_id":
        assert list(info.value.failures["rule"]) == ["no-identifiers"]
