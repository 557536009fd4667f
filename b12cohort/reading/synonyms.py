"""Guessing which schema column a header names: Russian, English and Turkish words, units.

Used to find the header row below title lines and by ``b12cohort map`` to write a
column mapping for the user to check. A guess is never used to load data: a header maps
only when it is a schema name or the user's mapping names it.

A header is split into a name (``Гемоглобин``) and a unit (``г/дл``: after a comma or in
brackets); the name picks the field, the unit picks the canonical column or one of its
other-unit columns (``Hb, г/дл`` -> ``hb_g_dl``).
"""

from __future__ import annotations

import re

__all__ = ["guess_mapping", "guess_target"]

# field -> words that name it (lower case, ё as е); a header matches when it starts with
# one of them or equals it
_NAMES = {
    "patient_id": [
        "patient_id",
        "код пациента",
        "код",
        "шифр",
        "id",
        "patient code",
        "code",
        "study code",
        "hasta kodu",
        "kod",
        "no",
        "n",
        "№",
    ],
    "sex": ["пол", "sex", "gender", "cinsiyet"],
    "age_months": ["возраст", "age", "yaş", "yas"],
    "admission_year": [
        "год поступления",
        "год госпитализации",
        "admission year",
        "year",
        "yatış yılı",
        "yil",
        "yıl",
    ],
    "hb_g_l": ["гемоглобин", "hb", "hgb", "haemoglobin", "hemoglobin", "hemoglobin (hb)"],
    "rbc_10e12_l": ["эритроциты", "rbc", "red blood cells", "eritrosit"],
    "mcv_fl": ["mcv", "средний объем эритроцита", "ср. объем эритроцита"],
    "b12_pg_ml": [
        "витамин b12",
        "витамин в12",
        "b12",
        "в12",
        "vitamin b12",
        "cobalamin",
        "кобаламин",
        "b12 vitamini",
    ],
    "folate_ng_ml": ["фолиевая кислота", "фолаты", "folate", "folic acid", "folat"],
    "homocysteine_umol_l": ["гомоцистеин", "homocysteine", "homosistein"],
    "hypotonia": ["мышечная гипотония", "гипотония", "hypotonia", "hipotoni"],
    "adynamia": ["адинамия", "гипо-/адинамия", "гиподинамия", "adynamia", "lethargy", "adinami"],
    "developmental_delay": [
        "задержка психомоторного развития",
        "зпмр",
        "задержка развития",
        "developmental delay",
        "gelişim geriliği",
    ],
    "developmental_regression": [
        "регресс навыков",
        "регресс",
        "developmental regression",
        "regression",
        "gerileme",
    ],
    "hyporeflexia": ["гипорефлексия", "hyporeflexia", "hiporefleksi"],
    "seizures": ["судороги", "seizures", "convulsions", "nöbet", "konvülziyon"],
    "tremor_before_treatment": ["тремор", "tremor"],
    "involuntary_movements_on_treatment": [
        "гиперкинезы",
        "involuntary movements",
        "istemsiz hareketler",
    ],
    "brain_atrophy": ["атрофия мозга", "атрофия", "brain atrophy", "beyin atrofisi"],
    "exclusive_breastfeeding": [
        "грудное вскармливание",
        "исключительно грудное",
        "breastfeeding",
        "anne sütü",
    ],
    "maternal_b12_low": ["дефицит b12 у матери", "b12 у матери", "maternal b12", "anne b12"],
    "cyanocobalamin_dose_ug": [
        "доза цианокобаламина",
        "цианокобаламин",
        "cyanocobalamin",
        "siyanokobalamin",
    ],
}
# unit as written (lower case, no spaces) -> the column name it selects, per field
_UNITS = {
    "hb_g_l": {
        "г/л": "hb_g_l",
        "g/l": "hb_g_l",
        "г/дл": "hb_g_dl",
        "g/dl": "hb_g_dl",
        "ммоль/л": "hb_mmol_l",
        "mmol/l": "hb_mmol_l",
    },
    "b12_pg_ml": {
        "пг/мл": "b12_pg_ml",
        "pg/ml": "b12_pg_ml",
        "нг/л": "b12_pg_ml",
        "ng/l": "b12_pg_ml",
        "пмоль/л": "b12_pmol_l",
        "pmol/l": "b12_pmol_l",
    },
    "folate_ng_ml": {
        "нг/мл": "folate_ng_ml",
        "ng/ml": "folate_ng_ml",
        "нмоль/л": "folate_nmol_l",
        "nmol/l": "folate_nmol_l",
    },
    "age_months": {
        "мес": "age_months",
        "мес.": "age_months",
        "месяцев": "age_months",
        "months": "age_months",
        "month": "age_months",
        "ay": "age_months",
        "нед": "age_weeks",
        "недель": "age_weeks",
        "weeks": "age_weeks",
        "hafta": "age_weeks",
        "лет": "age_years",
        "год": "age_years",
        "годы": "age_years",
        "years": "age_years",
        "yıl": "age_years",
    },
}
_SPLIT = re.compile(r"^(?P<name>.*?)\s*(?:[,;]\s*(?P<u1>[^,;()]+)|\((?P<u2>[^()]+)\))?\s*$")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower().replace("ё", "е"))


def guess_target(header: str, schema=None) -> str | None:
    """The schema column ``header`` most likely names, or None.

    >>> guess_target("Hb, г/дл"), guess_target("Витамин B12 (пмоль/л)"), guess_target("Cinsiyet")
    ('hb_g_dl', 'b12_pmol_l', 'sex')
    >>> guess_target("Отчёт по пациентам") is None
    True
    """
    text = _norm(header)
    if not text:
        return None
    m = _SPLIT.match(text)
    name = (m.group("name") if m else text).strip(" .:")
    unit = ((m.group("u1") or m.group("u2") or "") if m else "").replace(" ", "")
    field = None
    for candidate, words in _NAMES.items():
        for w in words:
            if name == w or (len(w) > 3 and name.startswith(w)):
                field = candidate
                break
        if field:
            break
    if field is None:
        return None
    if schema is not None and field not in schema.names:
        return None
    return _UNITS.get(field, {}).get(unit, field)


def guess_mapping(headers, schema) -> dict[str, dict]:
    """For ``b12cohort map``: header -> {"column": target, "guess": True} for every header
    that is not already a schema name but names one; each target is used once."""
    targets = set(schema.names) | set(schema.alternative_columns)
    out, used = {}, set()
    for h in headers:
        if not h or h in targets or h.lower() in targets:
            used.add(h.lower())
            continue
        t = guess_target(h, schema)
        if t is not None and t in targets and t not in used:
            out[h] = {"column": t, "guess": True}
            used.add(t)
    return out
