"""Age at admission from a date of birth and an admission date.

Exports often give the two dates instead of an age. The date of birth is a direct
identifier: it is read only to compute ``age_months`` (days / 30.4375, to 0.01 month),
then dropped; it never reaches the cohort, a message or an output, and the cleaning log
says that the age was derived (never the dates).
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings

import numpy as np
import pandas as pd

from b12cohort.dictionary.privacy import identifier_kind

__all__ = ["DERIVED_AGE", "derive_age", "find_age_dates"]

#: Name of the derived column fed to the age_months parser.
DERIVED_AGE = "age_months (derived from the date of birth and the admission date)"
_ADMISSION = re.compile(
    r"^(дата (поступления|госпитализации|обращения)|поступил[аи]?|admission( date)?|"
    r"date of admission|admitted|yatış tarihi|yatis tarihi|başvuru tarihi)\b",
    re.IGNORECASE,
)
_DAYS_PER_MONTH = 30.4375  # 365.25 / 12


def find_age_dates(headers, mapping: dict, taken: set[int]) -> tuple[int, int] | None:
    """Positions of (date of birth, admission date) columns, or None.

    A column is the date of birth when the mapping names it ``birth_date`` or its header
    names a date of birth (``Дата рождения``, ``DOB``); the admission date when the
    mapping names it ``admission_date`` or its header says so (``Дата поступления``).
    """
    target = {h: mapping.get(h) for h in headers}
    dob = [
        i
        for i, h in enumerate(headers)
        if i not in taken
        and (target[h] == "birth_date" or (not target[h] and identifier_kind(h) == "date of birth"))
    ]
    adm = [
        i
        for i, h in enumerate(headers)
        if i not in taken
        and (target[h] == "admission_date" or (not target[h] and _ADMISSION.match(h.strip())))
    ]
    return (dob[0], adm[0]) if dob and adm else None


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})")


def date_order(*columns: pd.Series) -> str:
    """How the text dates of the columns are written: "day-first", "month-first" or
    "ambiguous" (every first and second number is 12 or less: read day first, as
    Russian and Turkish exports write them, and say so)."""
    first = second = 0
    for col in columns:
        for v in col.astype(object):
            m = _NUMERIC_DATE.match(str(v).strip()) if isinstance(v, str) else None
            if m:
                first = max(first, int(m.group(1)))
                second = max(second, int(m.group(2)))
    if first > 12:
        return "day-first"
    if second > 12:
        return "month-first"
    return "ambiguous"


def _dates(col: pd.Series, *, dayfirst: bool) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pd.NaT
        if isinstance(v, _dt.datetime | _dt.date):
            return pd.Timestamp(v)
        text = str(v).strip()
        if not text:
            return pd.NaT
        iso = re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.to_datetime(text, dayfirst=dayfirst and not iso, errors="coerce")

    return col.astype(object).map(one)


def derive_age(raw: pd.DataFrame, dob: str, admission: str, log) -> pd.Series:
    """``age_months`` from the two date columns of ``raw`` (which are then removed from it)."""
    order = date_order(raw[dob], raw[admission])
    dayfirst = order != "month-first"
    born, admitted = _dates(raw[dob], dayfirst=dayfirst), _dates(raw[admission], dayfirst=dayfirst)
    days = (admitted - born).dt.days.astype("float64")
    months = (days / _DAYS_PER_MONTH).round(2)
    bad = months.isna() | (months < 0)
    months[bad] = np.nan
    del raw[dob], raw[admission]  # the date of birth goes no further
    ok = np.flatnonzero(~bad.to_numpy())
    log.add(
        DERIVED_AGE,
        "age-derived",
        rows=ok,
        original="(dates withheld)",
        new=months.to_numpy()[ok],
        detail=f"age_months = (admission date - date of birth) in days / {_DAYS_PER_MONTH}; "
        "the date of birth was dropped after use",
    )
    n_bad = int(bad.sum())
    log.warn(
        "age_months",
        f"age_months was derived for {len(ok)} infant(s) from the columns {dob!r} and "
        f"{admission!r} (days / {_DAYS_PER_MONTH}); the date of birth was then dropped"
        + (
            f"; {n_bad} row(s) had a missing, unreadable or later-than-admission date"
            if n_bad
            else ""
        )
        + (
            "; every date could be day.month or month.day: they were read day first"
            if order == "ambiguous"
            else f"; the dates were read {order} (a first or second number above 12 says so)"
        )
        + ".",
        n_cells=len(ok),
    )
    return months
