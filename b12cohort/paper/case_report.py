"""The case report: a structured profile of one infant (the paper's 8-month-old boy).

Split from :mod:`b12cohort.paper.replication`, which re-exports :func:`case_profile` and
:class:`CaseProfile`.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from b12cohort.core.arguments import require_columns
from b12cohort.core.errors import ArgumentError
from b12cohort.core.results import Result
from b12cohort.core.text import NOT_RECORDED as _NOT_RECORDED
from b12cohort.core.text import number as _number
from b12cohort.dictionary.schema import NEURO_SIGNS, load_schema

__all__ = ["CaseProfile", "case_profile"]


_LABS = ("hb_g_l", "rbc_10e12_l", "mcv_fl", "b12_pg_ml", "b12_pmol_l", "folate_ng_ml",
         "homocysteine_umol_l")  # fmt: skip
_DERIVED_LABELS = {"b12_pmol_l": ("Serum vitamin B12", "pmol/L")}
_CASE_SIGNS = (*NEURO_SIGNS, "tremor_before_treatment")
_TEXT_UNITS = {"10^12/L": "× 10^12/L", "ug": "µg", "umol/L": "µmol/L"}
_SCHEME_NAMES = {"who-2011": "WHO 2011 grading", "ru-clinical": "Russian clinical grading"}


def _sentence(clauses: list[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


def _reading(value: float) -> str:
    """A lab value for reading: 2 decimals below 10, 1 below 100, none above."""
    return _number(round(value, 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0))


def _label_unit(column: str) -> tuple[str, str]:
    if column in _DERIVED_LABELS:
        return _DERIVED_LABELS[column]
    try:
        f = load_schema().field(column)
    except ArgumentError:
        return column, ""
    return f.title or column, f.unit or ""


def _scalar(row: pd.Series, column: str):
    """A cell as a plain Python value: None when absent or missing."""
    if column not in row.index:
        return None
    value = row[column]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


@dataclass(frozen=True)
class CaseProfile(Result):
    """Everything recorded about one infant; the result of :func:`case_profile`.

    Attributes
    ----------
    patient_id : str
        The pseudonymous study code (the only identifier a cohort frame holds).
    sex : str or None
        ``"M"``, ``"F"``; None if not recorded.
    age_months : float or None
        Age at admission.
    admission_year : int or None
    labs : pandas.DataFrame
        One row per laboratory column present in the data: ``variable``, ``label``,
        ``value`` (float, NaN = not recorded), ``unit``.
    anemia_grade : str or None
        ``"none"``, ``"mild"``, ``"moderate"`` or ``"severe"``.
    anemia_scheme : str or None
        The grading scheme that produced ``anemia_grade`` (from the frame's metadata, or
        ``"who-2011"`` when the grade was computed here); None if unknown.
    signs_present, signs_absent, signs_not_recorded : tuple of str
        The six neurological signs and ``tremor_before_treatment`` (column names) by
        status; an absent column counts as not recorded.
    neuro_score : int
        Number of the six signs present (the frame's ``neuro_score``).
    neuro_items_missing : int
        How many of the six were not recorded.
    brain_atrophy : bool or None
        Brain atrophy on imaging; None = not imaged (or not recorded).
    involuntary_movements : bool or None
        Involuntary movements during cyanocobalamin treatment.
    im_onset_day, im_resolution_day, im_followup_day : float or None
        Days after the first cyanocobalamin dose.
    im_course : str
        ``"resolved"``, ``"unresolved at last follow-up"``, ``"unresolved, no
        follow-up recorded"``, ``"none"`` (no movements) or ``"not recorded"``.
    cyanocobalamin_dose_ug : float or None
    exclusive_breastfeeding, maternal_b12_low : bool or None
    test : str
        ``"case profile"``.
    method : str
        ``"descriptive"`` (the recorded values, no test).
    """

    patient_id: str
    sex: str | None
    age_months: float | None
    admission_year: int | None
    labs: pd.DataFrame
    anemia_grade: str | None
    anemia_scheme: str | None
    signs_present: tuple[str, ...]
    signs_absent: tuple[str, ...]
    signs_not_recorded: tuple[str, ...]
    neuro_score: int
    neuro_items_missing: int
    brain_atrophy: bool | None
    involuntary_movements: bool | None
    im_onset_day: float | None
    im_resolution_day: float | None
    im_followup_day: float | None
    im_course: str
    cyanocobalamin_dose_ug: float | None
    exclusive_breastfeeding: bool | None
    maternal_b12_low: bool | None
    test: str = "case profile"
    method: str = "descriptive"

    @property
    def summary(self) -> pd.DataFrame:  # a table of the profile, not one row of fields
        """The profile as a tidy table: ``field``, ``value`` (unformatted: numbers,
        booleans, text; None = not recorded), ``unit``, ``note``."""

        def row(field, value, unit="", note=""):
            return {"field": field, "value": value, "unit": unit, "note": note}

        rows = [
            row("patient_id", self.patient_id, note="pseudonymous study code"),
            row("sex", self.sex),
            row("age_months", self.age_months, "months"),
            row("admission_year", self.admission_year),
        ]
        for lab in self.labs.to_dict("records"):
            value = None if pd.isna(lab["value"]) else lab["value"]
            rows.append(row(lab["variable"], value, lab["unit"], "" if value is not None
                            else _NOT_RECORDED))  # fmt: skip
        scheme = f"scheme {self.anemia_scheme}" if self.anemia_scheme else "scheme unknown"
        rows.append(row("anemia_grade", self.anemia_grade, note=scheme))
        for sign in _CASE_SIGNS:
            value = (
                True if sign in self.signs_present else False if sign in self.signs_absent else None
            )
            rows.append(row(sign, value, note="" if value is not None else _NOT_RECORDED))
        rows.append(row("neuro_score", self.neuro_score, "signs of 6",
                        f"{self.neuro_items_missing} not recorded" if self.neuro_items_missing
                        else ""))  # fmt: skip
        rows.append(row("brain_atrophy", self.brain_atrophy,
                        note="not imaged" if self.brain_atrophy is None else ""))  # fmt: skip
        rows += [
            row("exclusive_breastfeeding", self.exclusive_breastfeeding),
            row("maternal_b12_low", self.maternal_b12_low),
            row("cyanocobalamin_dose_ug", self.cyanocobalamin_dose_ug, "ug"),
            row("involuntary_movements_on_treatment", self.involuntary_movements),
            row("im_onset_day", self.im_onset_day, "days after the first dose"),
            row("im_resolution_day", self.im_resolution_day, "days after the first dose"),
            row("im_followup_day", self.im_followup_day, "days after the first dose"),
            row("im_course", self.im_course),
        ]
        out = pd.DataFrame(rows)
        out["value"] = out["value"].astype(object)
        return out

    def to_text(self) -> str:
        """A short clinical paragraph in English (numbers formatted for reading).

        Examples
        --------
        >>> import b12cohort
        >>> print(case_profile(b12cohort.load_example(), patient_id="K07").to_text())  # doctest: +ELLIPSIS
        K07: a boy aged 8 months, admitted in 2015. Haemoglobin 88 g/L (moderate anaemia, WHO ...
        """
        who = {"M": "a boy", "F": "a girl"}.get(self.sex or "", "an infant")
        age = f" aged {_number(self.age_months)} months" if self.age_months is not None else ""
        year = f", admitted in {self.admission_year}" if self.admission_year is not None else ""
        parts = [f"{self.patient_id}: {who}{age}{year}."]

        labs = {r["variable"]: r for r in self.labs.to_dict("records") if pd.notna(r["value"])}

        def lab(column):
            r = labs[column]
            unit = _TEXT_UNITS.get(r["unit"], r["unit"])
            return f"{_reading(r['value'])} {unit}"

        sentences = []
        if "hb_g_l" in labs:
            grade = ""
            if self.anemia_grade and self.anemia_grade != "none":
                name = _SCHEME_NAMES.get(self.anemia_scheme, f"{self.anemia_scheme} grading")
                scheme = f", {name}" if self.anemia_scheme else ""
                grade = f" ({self.anemia_grade} anaemia{scheme})"
            elif self.anemia_grade == "none":
                grade = " (no anaemia)"
            sentences.append(f"Haemoglobin {lab('hb_g_l')}{grade}")
        sentences += [f"{name} {lab(c)}" for c, name in (("mcv_fl", "MCV"),
                      ("rbc_10e12_l", "red cells"))if c in labs]  # fmt: skip
        if "b12_pg_ml" in labs:
            extra = f" ({lab('b12_pmol_l')})" if "b12_pmol_l" in labs else ""
            sentences.append(f"serum vitamin B12 {lab('b12_pg_ml')}{extra}")
        sentences += [f"{name} {lab(c)}" for c, name in (("folate_ng_ml", "folate"),
                      ("homocysteine_umol_l", "homocysteine"))if c in labs]  # fmt: skip
        if sentences:
            parts.append(_sentence(sentences))

        def names(signs, conjunction="and"):
            words = [_label_unit(s)[0].lower() for s in signs]
            if len(words) == 1:
                return words[0]
            return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]

        neuro = [s for s in self.signs_present if s in NEURO_SIGNS]
        text = (f"Neurological signs: {names(neuro)} ({self.neuro_score} of 6)" if neuro
                else "No neurological sign recorded as present")  # fmt: skip
        absent = [s for s in self.signs_absent if s in NEURO_SIGNS]
        if absent:
            text += f"; no {names(absent, 'or')}"
        parts.append(text + ".")
        if self.signs_not_recorded:
            parts.append(f"Not recorded: {names(self.signs_not_recorded)}.")
        if "tremor_before_treatment" in self.signs_present:
            parts.append("Tremor before treatment.")
        if self.brain_atrophy is not None:
            parts.append("Imaging showed brain atrophy." if self.brain_atrophy
                         else "Imaging showed no brain atrophy.")  # fmt: skip
        history = []
        if self.exclusive_breastfeeding is not None:
            history.append("exclusively breastfed" if self.exclusive_breastfeeding
                           else "not exclusively breastfed")  # fmt: skip
        if self.maternal_b12_low:
            history.append("maternal vitamin B12 deficiency documented")
        if history:
            parts.append(_sentence(history))
        dose = (f" {_number(self.cyanocobalamin_dose_ug)} µg"
                if self.cyanocobalamin_dose_ug is not None else "")  # fmt: skip
        onset = ""
        if self.im_onset_day is not None:
            onset = f" on day {_number(self.im_onset_day)} after the first dose"
        day = "" if onset else " after the first dose"
        course = {
            "resolved": f"involuntary movements appeared{onset} and resolved by day "
                        f"{_number(self.im_resolution_day or 0)}{day}",
            "unresolved at last follow-up": f"involuntary movements appeared{onset} and "
                        "had not resolved at the last follow-up, day "
                        f"{_number(self.im_followup_day or 0)}{day}",
            "unresolved, no follow-up recorded": f"involuntary movements appeared{onset}; "
                        "their resolution is not recorded",
            "none": "no involuntary movements developed",
            "not recorded": "involuntary movements on treatment not recorded",
        }[self.im_course]  # fmt: skip
        parts.append(f"Treated with cyanocobalamin{dose}: {course}.")
        return " ".join(parts)


def _closest_ids(code: str, known: list[str], n: int = 3) -> list[str]:
    """Codes equal up to case and leading zeros first ("k7" -> "K07"), then by similarity."""

    def norm(text: str) -> str:
        return re.sub(r"0+(\d)", r"\1", text.strip().upper())

    same = [k for k in known if norm(k) == norm(code)]
    rest = difflib.get_close_matches(code, [k for k in known if k not in same], n=n, cutoff=0.0)
    return (same + rest)[:n]


def case_profile(data: pd.DataFrame, *, patient_id: str) -> CaseProfile:
    """Structured summary of one infant, for a case report.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per infant with a ``patient_id`` column (for example
        :func:`b12cohort.load_cohort`). Optional columns may be absent. Not modified.
    patient_id : str
        The infant's pseudonymous code (e.g. ``"K07"``, the paper's case report in
        the example cohort). Matched exactly.

    Returns
    -------
    CaseProfile
        Frozen result with named fields, ``.summary`` (field, value, unit, note) and
        ``.to_text()``.

    Raises
    ------
    ArgumentError
        ``data`` is not a DataFrame or lacks ``patient_id``; no infant has this code (the
        message names the closest codes); more than one row has it.

    Notes
    -----
    No statistics: the profile reports the recorded values. The anaemia grade is the
    frame's ``anemia_grade`` (scheme from the frame's metadata when it was loaded with
    :func:`b12cohort.load_cohort`); without that column it is computed with
    :func:`b12cohort.grade_anemia` and the WHO 2011 scheme. Only the pseudonymous code
    identifies the infant; the canonical frame holds no other identifier.

    Examples
    --------
    >>> import b12cohort
    >>> case = case_profile(b12cohort.load_example(), patient_id="K07")
    >>> case.sex, case.age_months, case.brain_atrophy, case.im_course
    ('M', 8.0, True, 'resolved')
    >>> case.signs_present
    ('hypotonia', 'adynamia', 'developmental_delay', 'developmental_regression', 'hyporeflexia', 'tremor_before_treatment')
    """
    function = "case_profile"
    require_columns(data, "patient_id", function=function)
    ids = data["patient_id"].astype("string")
    hits = np.flatnonzero((ids == str(patient_id)).fillna(False).to_numpy(dtype=bool))
    if hits.size == 0:
        known = [str(i) for i in ids.dropna().unique()]
        near = _closest_ids(str(patient_id), known)
        raise ArgumentError(
            f"{function}(): no infant with patient_id {patient_id!r} among {len(known)} "
            f"infant(s); closest: {', '.join(repr(n) for n in near) or 'none (no codes)'}."
        )
    if hits.size > 1:
        raise ArgumentError(
            f"{function}(): patient_id {patient_id!r} occurs in {hits.size} rows; codes must "
            "be unique (validate the data with b12cohort.validate())."
        )
    row = data.iloc[hits[0]]

    labs = []
    for col in _LABS:
        if col in data.columns:
            label, unit = _label_unit(col)
            value = _scalar(row, col)
            labs.append({"variable": col, "label": label,
                         "value": math.nan if value is None else float(value), "unit": unit})  # fmt: skip
    labs = pd.DataFrame(labs, columns=["variable", "label", "value", "unit"])

    grade, scheme = _scalar(row, "anemia_grade"), None
    meta = data.attrs.get("b12cohort")
    if "anemia_grade" in data.columns:
        scheme = getattr(meta, "scheme", None)
    elif _scalar(row, "hb_g_l") is not None:
        from b12cohort.dictionary.derived import grade_anemia

        age = _scalar(row, "age_months")
        graded = grade_anemia([row["hb_g_l"]], age_months=None if age is None else [age])
        grade, scheme = str(graded.iloc[0]), graded.attrs["anemia_scheme"]
    grade = None if grade is None else str(grade)

    present, absent, unknown = [], [], []
    for sign in _CASE_SIGNS:
        value = _scalar(row, sign)
        (unknown if value is None else present if value else absent).append(sign)
    if "neuro_score" in data.columns:
        score = int(row["neuro_score"])
    else:
        score = sum(1 for s in present if s in NEURO_SIGNS)
    if "neuro_items_missing" in data.columns:
        items_missing = int(row["neuro_items_missing"])
    else:
        items_missing = sum(1 for s in unknown if s in NEURO_SIGNS)

    im = _scalar(row, "involuntary_movements_on_treatment")
    onset, resolution, followup = (
        None if _scalar(row, c) is None else float(_scalar(row, c))
        for c in ("im_onset_day", "im_resolution_day", "im_followup_day")
    )
    if im is None:
        course = "not recorded"
    elif not im:
        course = "none"
    elif resolution is not None:
        course = "resolved"
    elif followup is not None:
        course = "unresolved at last follow-up"
    else:
        course = "unresolved, no follow-up recorded"
    age = _scalar(row, "age_months")
    year = _scalar(row, "admission_year")
    dose = _scalar(row, "cyanocobalamin_dose_ug")
    return CaseProfile(
        patient_id=str(row["patient_id"]),
        sex=None if _scalar(row, "sex") is None else str(row["sex"]),
        age_months=None if age is None else float(age),
        admission_year=None if year is None else int(year),
        labs=labs,
        anemia_grade=grade,
        anemia_scheme=scheme,
        signs_present=tuple(present),
        signs_absent=tuple(absent),
        signs_not_recorded=tuple(unknown),
        neuro_score=score,
        neuro_items_missing=items_missing,
        brain_atrophy=_scalar(row, "brain_atrophy"),
        involuntary_movements=im,
        im_onset_day=onset,
        im_resolution_day=resolution,
        im_followup_day=followup,
        im_course=course,
        cyanocobalamin_dose_ug=None if dose is None else float(dose),
        exclusive_breastfeeding=_scalar(row, "exclusive_breastfeeding"),
        maternal_b12_low=_scalar(row, "maternal_b12_low"),
    )
