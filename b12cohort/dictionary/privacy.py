"""Privacy guards: direct identifiers never enter the analysis, and exports are safe.

* :func:`identifier_kind` recognises column headers that hold direct identifiers
  (names, dates of birth, addresses, phone numbers, e-mails, record, insurance and
  document numbers), in English and Russian. The loader drops such columns before their
  values are even parsed and warns with the column name only.
* :func:`id_looks_identifying` flags pseudonymous codes that look like a name, a date,
  an e-mail address or a phone/document number.
* Exports are made safe to open in a spreadsheet by the one table writer,
  :func:`b12cohort.core.tables.neutralise_csv_injection`.

Whatever is unknown to the schema is dropped unread anyway; the vocabulary decides
whether the user is *told* that a column was an identifier (an
:class:`~b12cohort.core.errors.IdentifierWarning`) and what the cleaning log says.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

__all__ = ["counts_of", "id_looks_identifying", "identifier_kind", "kind_of"]

# header (normalised: lower case, ё->е, № -> n, punctuation -> spaces) -> kind of identifier.
# A phrase matches whole words anywhere in the header ("ФИО ребёнка", "Patient name").
_IDENTIFIER_PHRASES = {
    "name": [
        "name",
        "names",
        "full name",
        "fullname",
        "first name",
        "firstname",
        "forename",
        "given name",
        "last name",
        "lastname",
        "surname",
        "family name",
        "middle name",
        "patronymic",
        "initials",
        "patient name",
        "child name",
        "mother name",
        "father name",
        "фио",
        "ф и о",
        "имя",
        "фамилия",
        "отчество",
        "инициалы",
        "имя ребенка",
        "фио ребенка",
        "фио матери",
        "фио отца",
        "фио пациента",
        "фамилия имя отчество",
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
        "день рождения",
    ],
    "address": [
        "address",
        "home address",
        "street",
        "postcode",
        "post code",
        "postal code",
        "zip code",
        "zip",
        "адрес",
        "место жительства",
        "адрес проживания",
        "адрес регистрации",
        "прописка",
        "регистрация по месту жительства",
        "улица",
        "индекс",
    ],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell phone",
        "phone number",
        "fax",
        "телефон",
        "тел",
        "моб телефон",
        "мобильный",
        "контактный телефон",
        "сотовый",
    ],
    "email": ["email", "e mail", "mail", "электронная почта", "эл почта", "почта", "емейл"],
    "medical record number": [
        "medical record number",
        "mrn",
        "record number",
        "medical record",
        "case number",
        "chart number",
        "hospital number",
        "history number",
        "nhs number",
        "номер истории болезни",
        "история болезни",
        "истории болезни",
        "n истории",
        "номер истории",
        "номер карты",
        "медицинская карта",
        "мед карта",
        "номер медицинской карты",
        "амбулаторная карта",
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
        "national id",
        "полис",
        "полис омс",
        "номер полиса",
        "омс",
        "снилс",
        "паспорт",
        "инн",
        "свидетельство о рождении",
    ],
}
# headers that name an identifier only when they are the whole header: "Пациент" in a
# Russian export holds the patient's name, but "Возраст пациента" does not.
_EXACT_HEADERS = {
    "patient": "name",
    "пациент": "name",
    "ребенок": "name",
    "мать": "name",
    "mother": "name",
    "контакты": "phone",
    "contact": "phone",
    "contacts": "phone",
}
_PHRASES = [(tuple(p.split()), kind) for kind, ps in _IDENTIFIER_PHRASES.items() for p in ps]


def _normalise(header: str) -> tuple[str, ...]:
    h = str(header).lower().replace("ё", "е").replace("№", " n ")
    h = re.sub(r"[^\w]+|_", " ", h)
    return tuple(h.split())


def identifier_kind(header: str) -> str | None:
    """The kind of direct identifier a column header names, or None.

    Matches whole words, so ``"Patient name"`` and ``"ФИО ребёнка"`` are caught while
    ``"hb_g_l"`` is not. Recognised kinds: ``"name"``, ``"date of birth"``,
    ``"address"``, ``"phone"``, ``"email"``, ``"medical record number"`` and
    ``"insurance/SNILS/policy number"``.

    Examples
    --------
    >>> identifier_kind("ФИО ребёнка"), identifier_kind("Date of birth"), identifier_kind("hb_g_l")
    ('name', 'date of birth', None)
    >>> identifier_kind("№ истории болезни"), identifier_kind("Полис ОМС")
    ('medical record number', 'insurance/SNILS/policy number')
    """
    words = _normalise(header)
    exact = _EXACT_HEADERS.get(" ".join(words))
    if exact:
        return exact
    for phrase, kind in _PHRASES:
        n = len(phrase)
        if any(words[i : i + n] == phrase for i in range(len(words) - n + 1)):
            return kind
    return None


# -- codes that look like identifiers ------------------------------------------------------
_DATE = re.compile(
    r"^(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4}|\d{2})"
    r"|(?P<Y>\d{4})[./-](?P<M>\d{1,2})[./-](?P<D>\d{1,2}))(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# capital and small letters of Latin (with diacritics, Turkish İ/ı) and Cyrillic scripts
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŹŻŽА-ЯЁ"
_LOW = "a-zß-öø-ÿāăąćčďđēęěğīıłńňōőœřśşšţťūůűźżžа-яё"
_WORD = rf"(?:[{_UP}]')?[{_UP}][{_LOW}]+(?:[-'][{_UP}{_LOW}][{_LOW}]*)?"
_CAPS_WORD = rf"[{_UP}]{{2,}}(?:[-'][{_UP}]+)?"
_INITIALS = rf"[{_UP}]\.\s*(?:[{_UP}]\.?)?"
_NAME = re.compile(
    rf"^(?:{_WORD}(?:\s+(?:{_WORD}|{_INITIALS})){{1,3}}"  # Иванов Иван (Иванович), Ivanov I.I.
    rf"|{_INITIALS}\s*{_WORD}"  # И.И. Иванов
    rf"|{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{1,3}}"  # IVANOV IVAN
    rf"|(?:[{_UP}]')?[{_UP}][{_LOW}]{{2,}}(?:-[{_UP}][{_LOW}]+)?"  # Smith, Yılmaz, O'Brien
    rf"|[{_UP}]{{4,}})\.?$"  # IVANOV
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LONG_NUMBER = re.compile(r"^\+?[\d\s().-]+$")
_CHUNK = 1 << 17  # ids examined at a time (bounds the code-point matrix)
_KINDS = ("date", "name", "e-mail address", "phone or document number")


def id_looks_identifying(ids: pd.Series) -> dict[str, int]:
    """Count codes that look like a date, a name, an e-mail or a phone/document number.

    The counts feed a warning that never quotes a value. What is flagged, and what is not:

    * **date**: ``12.03.2019``, ``3/12/19``, ``2019-03-12`` (optionally with a time),
      and eight-digit ``20190312`` / ``12032019`` when they are calendar dates
      (years 1900-2099). A year with a serial number (``2019-017``), a code with one
      separator (``17/2019``) or an impossible date (``12-40-2019``) is not a date.
    * **name**: two to four capitalised words or initials (``Иванов Иван``,
      ``Ivanov I.I.``, ``И.И. Иванов``, ``IVANOV IVAN``), one capitalised word of three
      or more letters (``Smith``), or one all-capital word of four or more letters
      (``IVANOV``). Any code with a digit (``K01``, ``B12-017``, ``P0000001``) is not a
      name.
    * **e-mail address**: ``x@y.z``.
    * **phone or document number**: ten or more digits, possibly with ``+``, spaces,
      brackets or dashes (phones, SNILS, insurance policies).

    Codes are screened with array operations on their characters; only candidates go
    through the regular expressions, so a million codes take a fraction of a second.

    Examples
    --------
    >>> import pandas as pd
    >>> id_looks_identifying(pd.Series(["K01", "12.03.2019", "Иванов Иван", "K04"]))
    {'date': 1, 'name': 1}
    >>> id_looks_identifying(pd.Series(["B12-017", "2019-017", "P0000001", "k01"]))
    {}
    """
    s = pd.Series(ids).dropna()
    if s.empty:
        return {}
    obj = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(obj, skipna=True) != "string":
        obj = np.array([str(x).strip() for x in obj], dtype=object)
    counts = dict.fromkeys(_KINDS, 0)
    for lo in range(0, len(obj), _CHUNK):
        _screen(obj[lo : lo + _CHUNK], counts)
    return {k: v for k, v in counts.items() if v}


def _screen(chunk: np.ndarray, counts: dict) -> None:
    cp = chunk.astype("U")  # fixed width: a (n, width) matrix of code points
    width = cp.dtype.itemsize // 4
    if width > 64:  # a few long values would blow up the matrix: examine those one by one
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        counts_of(chunk[lengths > 64].tolist(), counts)
        chunk = chunk[lengths <= 64]
        cp = chunk.astype("U")
        width = cp.dtype.itemsize // 4
    if width == 0 or not len(chunk):
        return
    cp = cp.view(np.uint32).reshape(len(chunk), width)
    counts_of(chunk[candidate_mask(cp)].tolist(), counts)


# weight of each character in one row sum that counts digits, separators, @ and the
# rest at once (a row has at most 64 characters, so no count spills into the next field)
_W_DIGIT, _W_SEP, _W_AT, _W_OTHER = 1, 1 << 7, 1 << 14, 1 << 21
_WEIGHT = np.full(129, _W_OTHER, dtype=np.int32)
_WEIGHT[0] = 0  # padding of NumPy's fixed-width strings
_WEIGHT[ord("0") : ord("9") + 1] = _W_DIGIT
_WEIGHT[[ord("."), ord("/"), ord("-")]] = _W_SEP
_WEIGHT[ord("@")] = _W_AT


def candidate_mask(cp: np.ndarray) -> np.ndarray:
    """Which codes may look identifying, from their (n, width <= 64) matrix of code points.

    A superset: every code :func:`id_looks_identifying` would count is a candidate
    (a date has four or more digits and two separators, or is eight digits; a name has
    no digit; an e-mail has an @; a phone or document number ten or more digits). The
    loader computes it from the matrix it builds anyway to strip whitespace.
    """
    total = row_sum(_WEIGHT[np.minimum(cp, 128)])
    n_digit = total & 127
    n_sep = (total >> 7) & 127
    has_at = ((total >> 14) & 127) > 0
    length = n_digit + n_sep + ((total >> 14) & 127) + (total >> 21)
    return (
        ((n_digit >= 4) & ((n_sep >= 2) | ((n_digit == 8) & (length == 8))))  # date
        | ((n_digit == 0) & (length >= 3))  # name
        | has_at  # e-mail
        | (n_digit >= 10)  # phone or document number
    )


def row_sum(matrix: np.ndarray) -> np.ndarray:
    """Sum of each row, column by column (far faster than a reduction along short rows)."""
    out = np.zeros(len(matrix), dtype=np.int64 if matrix.dtype != bool else np.int32)
    for j in range(matrix.shape[1]):
        out += matrix[:, j]
    return out


def counts_of(codes, counts: dict | None = None) -> dict:
    """Add to ``counts`` (kind -> number) what each of ``codes`` looks like."""
    counts = dict.fromkeys(_KINDS, 0) if counts is None else counts
    for x in codes:
        kind = kind_of(x)
        if kind:
            counts[kind] += 1
    return counts


def kind_of(code: str) -> str | None:
    """What a single code looks like (None for a plausible pseudonymous code).

    >>> kind_of("Кузнецов Е.А."), kind_of("Ivanova M."), kind_of("K01")
    ('name', 'name', None)
    """
    if _is_date(code):
        return "date"
    if _EMAIL.match(code):
        return "e-mail address"
    if _NAME.match(code):
        return "name"
    if _LONG_NUMBER.match(code) and sum(c.isdigit() for c in code) >= 10:
        return "phone or document number"
    return None


def _is_date(code: str) -> bool:
    m = _DATE.match(code)
    if m:
        if m.group("Y"):
            return _valid(int(m.group("Y")), int(m.group("M")), int(m.group("D")))
        d, mo, y = int(m.group("d")), int(m.group("m")), int(m.group("y"))
        y = y if y >= 100 else 2000 + y
        return _valid(y, mo, d) or _valid(y, d, mo)  # day-month or month-day order
    if len(code) == 8 and code.isdigit():
        n = [int(code[:4]), int(code[4:6]), int(code[6:]), int(code[4:]), int(code[2:4])]
        return (1900 <= n[0] <= 2099 and _valid(n[0], n[1], n[2])) or (
            1900 <= n[3] <= 2099 and _valid(n[3], n[4], int(code[:2]))
        )
    return False


def _valid(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True
