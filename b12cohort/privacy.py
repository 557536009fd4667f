"""Privacy guards: direct identifiers never enter the analysis, and exports are safe.

* :func:`identifier_kind` recognises column headers that hold direct identifiers
  (names, dates of birth, addresses, phone numbers, e-mails, record and insurance
  numbers), in English and Russian. The loader drops such columns before their values
  are even parsed and warns with the column name only.
* :func:`id_looks_identifying` flags pseudonymous codes that look like a name or a date.
* :func:`neutralise_csv_injection` makes exported text cells safe to open in a
  spreadsheet (OWASP, "CSV Injection": prefix cells starting with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return with a single quote).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["id_looks_identifying", "identifier_kind", "neutralise_csv_injection"]

# header (normalised: lower case, ё->е, punctuation -> spaces) -> kind of identifier
_IDENTIFIER_PHRASES = {
    "name": [
        "name",
        "full name",
        "fullname",
        "first name",
        "firstname",
        "given name",
        "last name",
        "lastname",
        "surname",
        "family name",
        "middle name",
        "patronymic",
        "patient name",
        "child name",
        "mother name",
        "father name",
        "фио",
        "ф и о",
        "имя",
        "фамилия",
        "отчество",
        "имя ребенка",
        "фио ребенка",
        "фио матери",
        "фио пациента",
    ],
    "date of birth": [
        "date of birth",
        "dob",
        "birth date",
        "birthdate",
        "birthday",
        "date birth",
        "дата рождения",
        "д р",
        "др",
        "дата рожд",
    ],
    "address": [
        "address",
        "home address",
        "street",
        "postcode",
        "zip code",
        "адрес",
        "место жительства",
        "адрес проживания",
        "адрес регистрации",
    ],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell phone",
        "phone number",
        "телефон",
        "тел",
        "моб телефон",
        "мобильный",
    ],
    "email": ["email", "e mail", "mail", "электронная почта", "эл почта", "почта"],
    "medical record number": [
        "medical record number",
        "mrn",
        "record number",
        "medical record",
        "case number",
        "chart number",
        "hospital number",
        "history number",
        "номер истории болезни",
        "история болезни",
        "n истории",
        "номер истории",
        "номер карты",
        "медицинская карта",
        "номер медицинской карты",
        "и б",
        "иб",
    ],
    "insurance/SNILS/policy number": [
        "insurance",
        "insurance number",
        "policy",
        "policy number",
        "snils",
        "passport",
        "ssn",
        "social security number",
        "полис",
        "полис омс",
        "номер полиса",
        "омс",
        "снилс",
        "паспорт",
    ],
}
_PHRASES = [(tuple(p.split()), kind) for kind, ps in _IDENTIFIER_PHRASES.items() for p in ps]


def _normalise(header: str) -> tuple[str, ...]:
    h = str(header).lower().replace("ё", "е").replace("№", " n ")
    h = re.sub(r"[^\w]+|_", " ", h)
    return tuple(h.split())


def identifier_kind(header: str) -> str | None:
    """The kind of direct identifier a column header names, or None.

    Matches whole words, so ``"Patient name"`` and ``"ФИО ребёнка"`` are caught while
    ``"hb_g_l"`` is not.

    Examples
    --------
    >>> identifier_kind("ФИО ребёнка"), identifier_kind("Date of birth"), identifier_kind("hb_g_l")
    ('name', 'date of birth', None)
    """
    words = _normalise(header)
    for phrase, kind in _PHRASES:
        n = len(phrase)
        if any(words[i : i + n] == phrase for i in range(len(words) - n + 1)):
            return kind
    return None


_DATE = re.compile(r"^\s*(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})(\s.*)?$")
_NAME = re.compile(
    r"^\s*[A-ZА-ЯЁ][a-zа-яё]+(\s+[A-ZА-ЯЁ][a-zа-яё]*\.?){1,3}\s*$|^\s*[A-ZА-ЯЁ][a-zа-яё]{2,}\s+[A-ZА-ЯЁ]\.\s*[A-ZА-ЯЁ]?\.?\s*$"
)


def id_looks_identifying(ids: pd.Series) -> dict[str, int]:
    """Count codes that look like a date or a personal name (for a warning without values).

    Examples
    --------
    >>> import pandas as pd
    >>> id_looks_identifying(pd.Series(["K01", "12.03.2019", "Иванов Иван", "K04"]))
    {'date': 1, 'name': 1}
    """
    s = ids.dropna().astype(str)
    out = {"date": int(s.str.match(_DATE).sum()), "name": int(s.str.match(_NAME).sum())}
    return {k: v for k, v in out.items() if v}


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv_injection(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    get a leading single quote, as the OWASP CSV Injection guidance recommends. Numbers
    (including negative ones) are not text and are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_csv_injection(pd.DataFrame({"v": ["=1+1", "ok", "-x"], "x": [-1.5, 2, 3]}))["v"].tolist()
    ["'=1+1", 'ok', "'-x"]
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        is_text = s.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
        text = s.where(is_text)
        risky = is_text & text.str.startswith(_DANGEROUS).fillna(False).astype(bool)
        if risky.any():
            out[col] = s.astype(object).where(~risky, "'" + text.astype(object))
    return out
