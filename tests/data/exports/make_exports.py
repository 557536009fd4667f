"""Regenerate the corpus of realistic exports: ``python tests/data/exports/make_exports.py [DIR]``.

Each file is shaped the way hospital information systems and laboratories write
exports (issue 12): title and note rows above the header, totals rows, separator-only
blank records, '+'/'-' signs, cp1251 with trailing separators, Turkish and English
headers and codes, censored laboratory values (``<50``), ages as text or as two dates,
patient codes that are names, Excel formulas with and without a stored result, hidden
columns, merged title cells, formatted empty rows and several sheets. Beside each file,
``<file>.expected.json`` says what b12cohort must do with it: the command-line options,
the exit status, the number of infants, the cleaning-log rules that must appear, the
failure rule of a refusal, and the identifiers that must never reach any output byte.
``tests/test_exports.py`` checks every one. Every value is invented: no real person.

Output is deterministic (fixed workbook timestamps), so a test regenerates the corpus
and compares it with the committed files.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bad"))
from make_corpus import _normalise_zip  # noqa: E402  (fixed zip timestamps, one copy)

# eight invented infants: code, sex, age (months), Hb g/L, B12 pg/mL, hypotonia,
# adynamia, delay, hyporeflexia, involuntary movements
INFANTS = [
    ("K01", "F", 3, 97, 58, 1, 1, 0, 1, 0),
    ("K02", "M", 5, 74, 67, 1, 0, 1, 0, 1),
    ("K03", "M", 8, 62, 41, 1, 1, 1, 1, 0),
    ("K04", "F", 11, 88, 75, 1, 0, 0, 0, 0),
    ("K05", "M", 14, 70, 52, 1, 1, 1, 0, 1),
    ("K06", "F", 6, 81, 39, 1, 0, 1, 1, 0),
    ("K07", "M", 9, 55, 30, 1, 1, 0, 0, 0),
    ("K08", "F", 18, 92, 80, 1, 1, 1, 0, 0),
]
N = len(INFANTS)
#: names and numbers that must never appear in any output (invented)
NAMES = [
    "Кузнецов Е.А.",
    "Ivanova M.",
    "Петрова Анна",
    "SMIRNOV PAVEL",
    "Орлова-Светлова",
    "Yılmaz Ayşe",
    "Sidorov I.I.",
    "+7 913 555-01-02",
]
SIGNS = ("Гипотония", "Адинамия", "ЗПМР", "Гипорефлексия", "Гиперкинезы")
SIGN_FIELDS = (
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "hyporeflexia",
    "involuntary_movements_on_treatment",
)
RU_MAPPING = {
    "Код": "patient_id",
    "Пол": "sex",
    "Возраст": "age_months",
    "Hb, г/дл": "hb_g_dl",
    "B12, пг/мл": "b12_pg_ml",
    **dict(zip(SIGNS, SIGN_FIELDS, strict=True)),
    "Судороги": "seizures",
}
_AGE_TEXT = {
    3: "3 мес.",
    5: "5 мес",
    8: "8 мес.",
    11: "11 мес.",
    14: "1 г. 2 мес.",
    6: "6 мес.",
    9: "9 мес",
    18: "1 год 6 мес.",
}


def _ru_rows(*, age_text: bool = True):
    rows = []
    for code, sex, age, hb, b12, *signs in INFANTS:
        rows.append(
            [
                code,
                {"F": "ж", "M": "м"}[sex],
                _AGE_TEXT[age] if age_text else str(age),
                f"{hb / 10:.1f}".replace(".", ","),
                str(b12),
                *("+" if s else "-" for s in signs),
                "-" if code != "K03" else "",
            ]
        )
    return rows


def ru_title_totals() -> dict[str, bytes]:
    """cp1251, semicolons, trailing separators, two title lines, '+'/'-', ages as text,
    a totals row, two separator-only blank records; a column of only '-' and empty."""
    header = ["Код", "Пол", "Возраст", "Hb, г/дл", "B12, пг/мл", *SIGNS, "Судороги"]
    width = len(header)
    lines = [
        "Отчёт по пациентам отделения раннего возраста за 2012-2019 гг." + ";" * width,
        "Сформирован: КГБУЗ ККДБ, выгрузка МИС" + ";" * width,
        ";".join(header) + ";",
        *(";".join(r) + ";" for r in _ru_rows()),
        "Итого;" + str(N) + ";" * (width - 1),
        ";" * width,
        ";" * width,
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1251")
    mapping = json.dumps(RU_MAPPING, ensure_ascii=False, indent=1).encode("cp1251")
    return {"ru_title_totals_cp1251.csv": data, "ru_title_totals.columns.json": mapping}


def names_as_codes() -> dict[str, bytes]:
    """patient codes that are names and a phone number (UTF-8, commas)."""
    header = ["patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml", *SIGN_FIELDS]
    out = [",".join(header)]
    for (_code, sex, age, hb, b12, *signs), name in zip(INFANTS, NAMES, strict=True):
        out.append(",".join([name, sex, str(age), str(hb), str(b12), *map(str, signs)]))
    return {"names_as_codes.csv": ("\n".join(out) + "\n").encode("utf-8")}


def turkish() -> dict[str, bytes]:
    """Turkish headers, Evet/Hayır, sex E/K through the mapping's values, Hb in g/dL."""
    header = [
        "Hasta kodu",
        "Cinsiyet",
        "Yaş (ay)",
        "Hb (g/dL)",
        "B12 (pg/mL)",
        "Hipotoni",
        "Adinami",
        "Gelişim geriliği",
        "Hiporefleksi",
        "İstemsiz hareketler",
    ]
    out = [";".join(header)]
    for code, sex, age, hb, b12, *signs in INFANTS:
        out.append(
            ";".join(
                [
                    code,
                    {"F": "K", "M": "E"}[sex],
                    str(age),
                    f"{hb / 10:.1f}".replace(".", ","),
                    str(b12),
                    *("Evet" if s else "Hayır" for s in signs),
                ]
            )
        )
    mapping = {
        "Hasta kodu": "patient_id",
        "Cinsiyet": {"column": "sex", "values": {"E": "M", "K": "F"}},
        "Yaş (ay)": "age_months",
        "Hb (g/dL)": "hb_g_dl",
        "B12 (pg/mL)": "b12_pg_ml",
        **dict(zip(header[5:], SIGN_FIELDS, strict=True)),
    }
    return {
        "turkish.csv": ("\r\n".join(out) + "\r\n").encode("utf-8-sig"),
        "turkish.columns.json": json.dumps(mapping, ensure_ascii=False, indent=1).encode(),
    }


_CENSORED = {"K01": "<50", "K03": "< 83", "K06": "less than 100", "K07": "менее 40"}


def english_censored() -> dict[str, bytes]:
    """English headers, B12 outside the assay's range, ages as '1 year 2 months'."""
    header = [
        "Patient code",
        "Sex",
        "Age",
        "Hemoglobin (g/L)",
        "Vitamin B12 (pg/mL)",
        "Hypotonia",
        "Lethargy",
        "Developmental delay",
        "Hyporeflexia",
        "Involuntary movements",
    ]
    out = ["Laboratory export,,,,,,,,,", ",".join(header)]
    for code, sex, age, hb, b12, *signs in INFANTS:
        age_text = f"{age} months" if age < 12 else f"1 year {age - 12} months"
        out.append(
            ",".join(
                [
                    code,
                    {"F": "female", "M": "male"}[sex],
                    age_text,
                    str(hb),
                    _CENSORED.get(code, str(b12)),
                    *("yes" if s else "no" for s in signs),
                ]
            )
        )
    mapping = dict(
        zip(
            header,
            ["patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml", *SIGN_FIELDS],
            strict=True,
        )
    )
    return {
        "english_censored.csv": ("\n".join(out) + "\n").encode(),
        "english_censored.columns.json": json.dumps(mapping, indent=1).encode(),
    }


DATES = [
    ("12.03.2018", "15.06.2018"),
    ("02.01.2017", "10.06.2017"),
    ("20.09.2015", "28.05.2016"),
    ("05.07.2013", "11.06.2014"),
    ("30.01.2018", "02.04.2019"),
    ("14.11.2016", "19.05.2017"),
    ("03.08.2014", "09.05.2015"),
    ("21.12.2011", "25.06.2013"),
]


def dates_for_age() -> dict[str, bytes]:
    """Date of birth and admission date instead of an age."""
    header = [
        "patient_id",
        "sex",
        "Дата рождения",
        "Дата поступления",
        "hb_g_l",
        "b12_pg_ml",
        *SIGN_FIELDS,
    ]
    out = [",".join(header)]
    for (code, sex, _age, hb, b12, *signs), (born, admitted) in zip(INFANTS, DATES, strict=True):
        out.append(",".join([code, sex, born, admitted, str(hb), str(b12), *map(str, signs)]))
    return {"dates_for_age.csv": ("\n".join(out) + "\n").encode()}


def title_no_header() -> dict[str, bytes]:
    """Title lines and a table whose header names nothing the schema knows."""
    lines = [
        "Сводка по отделению;;;",
        "за 2019 год;;;",
        "Показатель;Январь;Февраль;Март",
        "Поступило;12;9;14",
        "Выписано;11;10;13",
    ]
    return {"title_no_header.csv": ("\r\n".join(lines) + "\r\n").encode("cp1251")}


def broken_mapping() -> dict[str, bytes]:
    """The Russian mapping saved with a trailing comma (not JSON)."""
    text = json.dumps(RU_MAPPING, ensure_ascii=False, indent=1)
    return {"broken.columns.json": text.replace('"seizures"\n}', '"seizures",\n}').encode("cp1251")}


# -- workbooks -----------------------------------------------------------------------------
def _workbook(*, cached: bool):
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Пациенты"
    ws["A1"] = "Отчёт по пациентам отделения за 2012-2019 гг."
    ws.merge_cells("A1:J1")
    header = [
        "Код",
        "ФИО",
        "Пол",
        "Возраст",
        "Hb, г/л",
        "Hb, г/дл (расчёт)",
        "B12, пг/мл",
        *SIGNS,
    ]
    for j, h in enumerate(header, start=1):
        ws.cell(3, j, h)
    ws.column_dimensions["B"].hidden = True  # the names: hidden, never read
    for i, ((code, sex, age, hb, b12, *signs), name) in enumerate(zip(INFANTS, NAMES, strict=True)):
        r = 4 + i
        values = [
            code,
            name,
            {"F": "ж", "M": "м"}[sex],
            age,
            hb,
            f"=E{r}/10",
            b12,
            *("да" if s else "нет" for s in signs),
        ]
        for j, v in enumerate(values, start=1):
            ws.cell(r, j, v)
    ws.merge_cells("H4:H5")  # Гипотония: "да" written once for two infants
    ws.cell(4 + N, 1, "Итого")
    ws.cell(4 + N, 5, f"=AVERAGE(E4:E{3 + N})")
    fill = PatternFill("solid", fgColor="FFFF99")
    for r in range(5 + N, 9 + N):  # formatted but empty rows
        for j in range(1, 12):
            ws.cell(r, j).fill = fill
    notes = wb.create_sheet("Примечания")
    notes["A1"] = "Выгрузка из МИС; значения Hb в г/л"
    data = _save(wb)
    if cached:  # what Excel stores with a formula: its last result
        for i, (_code, _sex, _age, hb, *_rest) in enumerate(INFANTS):
            data = _set_cached(data, f"F{4 + i}", f"{hb / 10:g}")
        data = _set_cached(data, f"E{4 + N}", f"{sum(x[3] for x in INFANTS) / N:g}")
    return _normalise_zip(data)


def _save(wb) -> bytes:
    import datetime as dt

    epoch = dt.datetime(2020, 1, 1)
    wb.properties.created = wb.properties.modified = epoch
    wb.properties.creator = "b12cohort test corpus"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set_cached(data: bytes, ref: str, value: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = payload.decode()
                text = re.sub(
                    rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)(?:<v\s*/>|<v></v>)',
                    rf"\g<1><v>{value}</v>",
                    text,
                )
                payload = text.encode()
            z.writestr(info, payload)
    return out.getvalue()


def workbooks() -> dict[str, bytes]:
    xlsx_mapping = {
        "Код": "patient_id",
        "Пол": "sex",
        "Возраст": "age_months",
        "Hb, г/дл (расчёт)": "hb_g_dl",
        "B12, пг/мл": "b12_pg_ml",
        **dict(zip(SIGNS, SIGN_FIELDS, strict=True)),
    }
    return {
        "excel_title_formulas.xlsx": _workbook(cached=True),
        "excel_formula_uncached.xlsx": _workbook(cached=False),
        "excel.columns.json": json.dumps(xlsx_mapping, ensure_ascii=False, indent=1).encode(),
    }


# -- what must happen --------------------------------------------------------------------------
def _cli(name, *options):
    return ["validate", name, *options]


EXPECTED = {
    "ru_title_totals_cp1251.csv": {
        "args": _cli("ru_title_totals_cp1251.csv", "--columns", "ru_title_totals.columns.json"),
        "exit": 0,
        "infants": N,
        "rules": [
            "only-dashes",
            "boolean-code",
            "skip-blank",
            "skip-totals",
            "age-text",
            "unit-conversion",
            "code",
        ],
        "warnings": [
            "were read as no",
            "holds only '-' and empty cells",
            "blank record",
            "totals row",
            "written as text",
        ],
        "counts": {"developmental_delay": 5, "hypotonia": 8},
    },
    "names_as_codes.csv": {
        "args": _cli("names_as_codes.csv"),
        "exit": 2,
        "refusal": "no-identifiers",
        "secrets": NAMES,
    },
    "names_as_codes.csv#pseudonymise": {
        "args": _cli("names_as_codes.csv", "--pseudonymise", "KEY"),
        "exit": 0,
        "infants": N,
        "rules": ["pseudonymise"],
        "warnings": ["replaced by pseudonyms"],
        "secrets": NAMES,
    },
    "turkish.csv": {
        "args": _cli("turkish.csv", "--columns", "turkish.columns.json"),
        "exit": 0,
        "infants": N,
        "rules": ["value-map", "boolean-code", "unit-conversion"],
        "counts": {"developmental_delay": 5},
    },
    "english_censored.csv": {
        "args": _cli("english_censored.csv", "--columns", "english_censored.columns.json"),
        "exit": 0,
        "infants": N,
        "rules": ["censored", "age-text", "code"],
        "warnings": ["outside the assay's range"],
        "censored": {"left": 4, "right": 0},
    },
    "dates_for_age.csv": {
        "args": _cli("dates_for_age.csv"),
        "exit": 0,
        "infants": N,
        "rules": ["age-derived"],
        "warnings": ["was derived"],
        "secrets": [born for born, _ in DATES],
    },
    "title_no_header.csv": {
        "args": _cli("title_no_header.csv"),
        "exit": 2,
        "refusal": "header",
        "n_messages": 1,
    },
    "excel_title_formulas.xlsx": {
        "args": _cli(
            "excel_title_formulas.xlsx", "--sheet", "1", "--columns", "excel.columns.json"
        ),
        "exit": 0,
        "infants": N,
        "rules": ["merged-cell", "formula", "skip-totals", "unit-conversion"],
        "warnings": ["formula cell(s) read as the result", "totals row"],
        "secrets": NAMES,
    },
    "excel_title_formulas.xlsx#no-sheet": {
        "args": _cli("excel_title_formulas.xlsx", "--columns", "excel.columns.json"),
        "exit": 2,
        "refusal": "sheet",
    },
    "excel_formula_uncached.xlsx": {
        "args": _cli(
            "excel_formula_uncached.xlsx", "--sheet", "Пациенты", "--columns", "excel.columns.json"
        ),
        "exit": 2,
        "refusal": "no-formulas",
        "secrets": NAMES,
    },
    "broken.columns.json": {
        "args": _cli("ru_title_totals_cp1251.csv", "--columns", "broken.columns.json"),
        "exit": 2,
        "stderr": ["line ", "not valid JSON", "Fix:"],
    },
}


def corpus() -> dict[str, bytes]:
    files = {}
    for make in (
        ru_title_totals,
        names_as_codes,
        turkish,
        english_censored,
        dates_for_age,
        title_no_header,
        broken_mapping,
        workbooks,
    ):
        files.update(make())
    return files


def main(directory: Path = HERE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in corpus().items():
        (directory / name).write_bytes(data)
        written.append(directory / name)
    for case, expected in EXPECTED.items():
        path = directory / (case.replace("#", ".") + ".expected.json")
        path.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
