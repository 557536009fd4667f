"""Replication of the published figures, and the structured case profile.

:func:`compare_with_published` sets every figure Taranushenko et al. (2022) printed
(the facts table ``b12cohort/resources/published_krasnoyarsk_2022.csv``) beside the value
computed from a cohort and says, row by row, whether the computed value rounded to the
paper's precision reproduces the printed one. :func:`case_profile` collects everything
recorded about one infant (the paper's case report is infant ``K07`` of the example) as
named fields, a tidy table and a short clinical paragraph.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._args import check_dataframe, require_columns
from .descriptive import prevalence
from .exceptions import ArgumentError
from .schema import NEURO_SIGNS, load_schema

__all__ = [
    "FACT_KINDS",
    "CaseProfile",
    "case_profile",
    "compare_with_published",
    "published_facts",
]

#: Kinds of published fact understood by :func:`compare_with_published`.
FACT_KINDS = ("count", "range", "below", "percent", "case")
_FACT_COLUMNS = ("item", "variable", "kind", "published", "low", "high", "count", "total",
                 "decimals")  # fmt: skip
_RESULT_COLUMNS = ("item", "variable", "kind", "published", "computed", "match", "status",
                   "rule", "n", "N", "n_missing", "computed_value", "published_value",
                   "computed_low", "computed_high", "published_low", "published_high",
                   "decimals", "note", "source")  # fmt: skip
_FACTS_FILE = "published_krasnoyarsk_2022.csv"
# The bundled table gives the case's age only; what else the paper says about the boy
# ("an 8 month old boy with developmental regression and brain atrophy"), in the syntax
# of the optional `criteria` column (see compare_with_published).
_BUNDLED_CASE_CRITERIA = "sex=M; developmental_regression; brain_atrophy"
_NOT_RECORDED = "not recorded"


# ---------------------------------------------------------------------------------------
# the published facts
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bundled_facts() -> pd.DataFrame:
    with (
        resources.files("b12cohort")
        .joinpath("resources", _FACTS_FILE)
        .open("r", encoding="utf-8") as fh
    ):
        return pd.read_csv(fh, dtype={"variable": "object", "published": "object"})


def published_facts() -> pd.DataFrame:
    """The figures Taranushenko et al. (2022) published, one row per fact.

    Returns
    -------
    pandas.DataFrame
        ``item`` (what the fact is), ``variable`` (cohort column; empty for the number
        of infants and the case report), ``kind`` (one of :data:`FACT_KINDS`),
        ``published`` (as printed), ``low``, ``high`` (range limits; the upper bound of
        ``below``; the case's age), ``count``, ``total`` (the counts behind a percentage,
        as reconstructed), ``decimals`` (precision printed), ``source`` (where in the
        paper, quoted).

    Examples
    --------
    >>> published_facts()[["item", "kind", "published"]].head(3)
                    item   kind    published
    0  Number of infants  count       N = 19
    1          Age range  range  3–24 months
    2  Years of treatment  range    2012–2019
    """
    return _bundled_facts().copy()


def _check_facts(published: Any) -> tuple[pd.DataFrame, bool]:
    function = "compare_with_published"
    if published is None:
        return published_facts(), True
    if isinstance(published, str | Path):
        try:
            published = pd.read_csv(published, dtype={"variable": "object", "published": "object"})
        except (OSError, ValueError) as exc:
            raise ArgumentError(
                f"{function}(): cannot read `published` {str(published)!r}: {exc}"
            ) from exc
    check_dataframe(published, function=function, name="published")
    missing = [c for c in _FACT_COLUMNS if c not in published.columns]
    if missing:
        raise ArgumentError(
            f"{function}(): the `published` table lacks column(s) {', '.join(missing)}; it "
            f"needs {', '.join(_FACT_COLUMNS)} (see b12cohort.replication.published_facts())."
        )
    kinds = published["kind"].astype("string").str.strip().str.lower()
    bad = [f"row {i + 1}: {k!r}" for i, k in enumerate(kinds) if k not in FACT_KINDS]
    if bad:
        raise ArgumentError(
            f"{function}(): unknown `kind` in the `published` table ({'; '.join(bad)}); use "
            f"one of {', '.join(FACT_KINDS)}."
        )
    facts = published.copy()
    facts["kind"] = kinds.astype(object)
    return facts, False


# ---------------------------------------------------------------------------------------
# rounding and formatting
# ---------------------------------------------------------------------------------------


def _round_half_up(value, decimals: int) -> Decimal:
    """Round as printed tables do (0.5 away from zero).

    A float is taken at its shortest decimal representation (2.675 -> "2.675" -> 2.68,
    as a reader of the number would round it); a Decimal is used as it is.
    """
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _percent(n: int, total: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(100 * n) / Decimal(total)


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


def _decimals(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _unit(variable: str) -> str:
    try:
        unit = load_schema().field(variable).unit
    except ArgumentError:  # a column that is not in the data dictionary
        return ""
    return "" if unit in (None, "year") else f" {unit}"


def float_values(data: pd.DataFrame, column: str, *, function: str, expected: str) -> np.ndarray:
    """A numeric column as a float array (NaN = missing); ArgumentError for other dtypes."""
    s = data[column]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise ArgumentError(
            f"{function}(): column '{column}' must hold {expected}, got dtype {s.dtype}. "
            "Load the data with b12cohort.load_cohort()."
        )
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _numeric(data: pd.DataFrame, variable: str) -> np.ndarray:
    return float_values(data, variable, function="compare_with_published",
                        expected="numbers (a range or bound is compared)")  # fmt: skip


# ---------------------------------------------------------------------------------------
# one function per kind: each returns the computed columns of one row
# ---------------------------------------------------------------------------------------


def _count(data, fact) -> dict:
    n = len(data)
    target = fact["count"]
    return {
        "computed": f"N = {n}", "match": bool(pd.notna(target) and n == target),
        "rule": "number of infants (rows) equals the published count",
        "n": n, "N": n, "n_missing": 0, "computed_value": float(n),
        "published_value": float(target),
    }  # fmt: skip


def _rounds_within(x: np.ndarray, lo, hi, d: int) -> np.ndarray:
    """Which values, rounded half up to ``d`` decimals, lie in [round(lo), round(hi)].

    Rounding is monotone, so this compares with the edges of the rounding cells
    (vectorised; NaN is never within).
    """
    half = 0.5 * 10.0**-d
    ok = ~np.isnan(x)
    if pd.notna(lo):
        ok &= x >= float(_round_half_up(lo, d)) - half
    if pd.notna(hi):
        ok &= x < float(_round_half_up(hi, d)) + half
    return ok


def _range(data, fact) -> dict:
    var, d = fact["variable"], _decimals(fact["decimals"])
    x = _numeric(data, var)
    known = x[~np.isnan(x)]
    lo, hi = float(fact["low"]), float(fact["high"])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ArgumentError(
            f"compare_with_published(): range row {fact['item']!r} needs numbers in `low` "
            "and `high`."
        )
    rule = (f"observed minimum and maximum, rounded to {d} decimal(s) (half up), equal the "
            "published limits; range of the recorded values")  # fmt: skip
    out = {"rule": rule, "N": known.size, "n_missing": x.size - known.size,
           "published_low": lo, "published_high": hi}  # fmt: skip
    if not known.size:
        return out
    mn, mx = float(known.min()), float(known.max())
    out.update(
        computed=f"{_number(mn)}–{_number(mx)}{_unit(var)}",
        match=bool(_round_half_up(mn, d) == _round_half_up(lo, d)
                   and _round_half_up(mx, d) == _round_half_up(hi, d)),
        n=int(_rounds_within(known, lo, hi, d).sum()), computed_low=mn, computed_high=mx,
    )  # fmt: skip
    return out


def _below(data, fact) -> dict:
    var = fact["variable"]
    x = _numeric(data, var)
    known = x[~np.isnan(x)]
    bound = float(fact["high"])
    if not math.isfinite(bound):
        raise ArgumentError(
            f"compare_with_published(): below row {fact['item']!r} needs the bound in `high`."
        )
    n_missing = x.size - known.size
    out = {"rule": f"every infant has a recorded value, all strictly below {_number(bound)}",
           "N": known.size, "n_missing": n_missing, "published_value": bound}  # fmt: skip
    if not known.size:
        return out
    n_below = int((known < bound).sum())
    computed = f"max {_number(float(known.max()))}{_unit(var)}"
    if n_missing:
        computed += f"; {n_missing} not recorded"
    out.update(computed=computed, match=bool(n_below == known.size and n_missing == 0),
               n=n_below, computed_value=float(known.max()))  # fmt: skip
    return out


def _percent_row(data, fact) -> dict:
    var, d = fact["variable"], _decimals(fact["decimals"])
    row = prevalence(data, [var]).iloc[0]
    n, total = int(row["n"]), int(row["N"])
    printed = re.search(r"(\d+(?:\.\d+)?)\s*%", str(fact["published"]))
    if printed:
        target = Decimal(printed.group(1))
    elif pd.notna(fact["count"]) and pd.notna(fact["total"]) and fact["total"] > 0:
        target = _round_half_up(_percent(int(fact["count"]), int(fact["total"])), d)
    else:
        raise ArgumentError(
            f"compare_with_published(): percent row {fact['item']!r} needs a percentage in "
            "`published` (e.g. '63%') or `count` and `total`."
        )
    out = {"rule": f"100·n/N rounded to {d} decimal(s) (half up) equals the published "
                   "percentage; N = infants in whom it was recorded",
           "n": n, "N": total, "n_missing": int(row["n_missing"]),
           "published_value": float(target)}  # fmt: skip
    if total == 0:
        return out
    pct = _percent(n, total)
    out.update(computed=f"{n}/{total} ({float(pct):.1f}%)",
               match=bool(_round_half_up(pct, d) == target), computed_value=float(pct))  # fmt: skip
    return out


def _criteria(text: str) -> list[tuple[str, str | None]]:
    """``"sex=M; developmental_regression"`` -> [("sex", "M"), ("developmental_regression", None)]."""
    out = []
    for part in str(text).split(";"):
        part = part.strip()
        if not part:
            continue
        col, _, value = part.partition("=")
        out.append((col.strip().rstrip("="), value.strip().lstrip("=").strip() or None))
    return out


def _case(data, fact, criteria_text) -> dict:
    d = _decimals(fact["decimals"])
    criteria = _criteria(criteria_text) if criteria_text else []
    lo, hi = fact["low"], fact["high"]
    by_age = pd.notna(lo) or pd.notna(hi)
    wanted = ["age_months"] * by_age + [c for c, _ in criteria]
    described = [f"{c} = {v}" if v is not None else f"{c} true" for c, v in criteria]
    rule = f"at least one infant with {', '.join(described)}"
    if by_age:
        ages = _number(lo) if lo == hi else f"{_number(lo)}–{_number(hi)}"
        described.insert(0, f"age {ages} months")
        rule = f"at least one infant with {', '.join(described)} (age rounded to {d} decimal(s), half up)"
    out = {"rule": rule, "published_low": float(lo), "published_high": float(hi)}
    absent = [c for c in wanted if c not in data.columns]
    if absent:
        out["note"] = f"column(s) absent: {', '.join(absent)}"
        return out
    ok = np.ones(len(data), dtype=bool)
    recorded = np.ones(len(data), dtype=bool)
    if by_age:
        age = _numeric(data, "age_months")
        recorded &= ~np.isnan(age)
        ok &= _rounds_within(age, lo, hi, d)
    for col, value in criteria:
        s = data[col]
        recorded &= s.notna().to_numpy()
        if value is None:
            ok &= s.astype("boolean").fillna(False).to_numpy(dtype=bool)
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            ok &= (s.astype("float64") == float(value)).fillna(False).to_numpy(dtype=bool)
        else:
            ok &= (
                (s.astype("string").str.strip().str.lower() == value.lower())
                .fillna(False)
                .to_numpy(dtype=bool)
            )
    ids = data["patient_id"].astype("string").to_numpy()[ok] if "patient_id" in data else []
    n = int(ok.sum())
    if n:
        computed = ", ".join(map(str, ids[:3])) + (f" and {n - 3} more" if n > 3 else "")
        computed += f": {', '.join(described)}"
    else:
        computed = "no infant matches"
    n_unknown = int((~recorded).sum())
    out.update(computed=computed, match=n >= 1, n=n, N=len(data), n_missing=n_unknown,
               computed_value=float(n))  # fmt: skip
    if n_unknown:
        out["note"] = (f"{n_unknown} infant(s) with a criterion not recorded (they cannot "
                       "match)")  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------
# compare_with_published
# ---------------------------------------------------------------------------------------


def compare_with_published(data: pd.DataFrame, *, published=None) -> pd.DataFrame:
    """Each published figure beside the value computed from ``data``, and whether it matches.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per infant (for example :func:`b12cohort.load_cohort`). Optional columns
        may be absent. Not modified.
    published : pandas.DataFrame or path, optional
        A facts table of the shape of :func:`published_facts` (columns ``item,
        variable, kind, published, low, high, count, total, decimals``; ``source`` and
        ``criteria`` optional). Default: the figures of Taranushenko et al. (2022).

    Returns
    -------
    pandas.DataFrame
        One row per published fact, in the table's order:

        ``item``, ``variable``, ``kind``, ``published``
            From the facts table (``published`` as printed: ``"63%"``,
            ``"3–24 months"``, ``"< 83 pg/mL"``, ``"N = 19"``, ...).
        ``computed``
            The computed value as text: ``"12/19 (63.2%)"``, the observed range
            ``"3–24 months"``, ``"max 82 pg/mL"``, ``"N = 19"``, the matching infant(s)
            for the case; ``"not recorded"`` when the data cannot say.
        ``match``
            bool: True when the computed value, rounded to the paper's precision,
            reproduces the published one (see ``rule``); False otherwise, *including*
            when the variable is not recorded (see ``status``).
        ``status``
            ``"match"``, ``"mismatch"`` or ``"not recorded"`` (column absent, or no
            recorded value): the three-way reading of ``match``.
        ``rule``
            How the match was judged, in words.
        ``n``, ``N``, ``n_missing``
            Percent: infants with the sign / in whom it was recorded / not recorded (as
            :func:`b12cohort.prevalence`). Range: recorded values inside the published
            limits (after rounding) / recorded values / missing. Below: values under the
            bound / recorded values / missing. Count: number of infants (twice), 0.
            Case: matching infants / all infants / infants with a criterion not
            recorded (they cannot match).
            ``<NA>`` when not recorded.
        ``computed_value``, ``published_value``
            On the published scale: percentage (unrounded / as printed), count, the
            largest value / the bound (below), number of matching infants (case). NaN
            where not applicable.
        ``computed_low``, ``computed_high``, ``published_low``, ``published_high``
            Observed and published limits of a range (case: the published age).
        ``decimals``
            Precision of the published figure.
        ``note``
            Missing values or absent columns; empty otherwise.
        ``source``
            Where the paper says it (quoted), if the facts table has it.

    Raises
    ------
    ArgumentError
        ``data`` is not a DataFrame; the facts table lacks a column or has an unknown
        ``kind``; a percent fact names a non-binary column or a range/bound fact a
        non-numeric one.

    Notes
    -----
    Rules by ``kind`` (numbers are rounded half away from zero, as printed tables are;
    exact decimal arithmetic, so 12/19 = 63.157...% -> 63%):

    - ``count``: the number of rows equals ``count``.
    - ``percent``: ``100 n / N``, rounded to ``decimals``, equals the printed
      percentage. Missing values are excluded from ``N``, as in
      :func:`b12cohort.prevalence` (so 12 of 19 recorded among 20 infants still
      matches 63%; ``n_missing`` and ``note`` show it).
    - ``range``: the minimum and maximum of the recorded values, each rounded to
      ``decimals``, equal ``low`` and ``high``. Missing values are ignored and noted.
    - ``below``: every infant has a value and every value is strictly below ``high``
      (the paper's "all participants had ... < 83 pg/mL": a missing value cannot be
      shown to satisfy it, so it fails the row).
    - ``case``: at least one infant whose age rounded to ``decimals`` lies in
      [``low``, ``high``] and who meets every criterion of the optional ``criteria``
      column: ``;``-separated ``column=value`` (``sex=M``) or ``column`` (a boolean
      column that must be true). For the bundled table the paper's case is
      ``sex=M; developmental_regression; brain_atrophy``.

    A row whose column is absent from ``data`` or has no recorded value shows
    ``computed = "not recorded"``, ``status = "not recorded"`` and ``match = False``:
    the figure is not reproduced, though not contradicted either (``match`` stays a
    plain bool so that ``table["match"].all()`` answers "is every figure reproduced?").

    A match shows the data are *consistent* with what was printed, not that they are
    the paper's data: the bundled example was built to match every row.

    References
    ----------
    .. [1] Taranushenko TE, Falaleeva SO, Borisova EV, Makarevskaya NYu. Nervous System
       Lesion in Infants with Vitamin B12 Deficiency Anemia. EC Clinical and Medical Case
       Reports 2022;5(8):02-08.

    Examples
    --------
    >>> import b12cohort
    >>> table = compare_with_published(b12cohort.load_example())
    >>> table[["item", "published", "computed", "match"]].iloc[[0, 3, 6]]
                    item   published       computed  match
    0  Number of infants      N = 19         N = 19   True
    3  Serum vitamin B12  < 83 pg/mL  max 82 pg/mL   True
    6  Hypo- or adynamia         63%  12/19 (63.2%)   True
    >>> bool(table["match"].all())
    True
    """
    check_dataframe(data, function="compare_with_published")
    facts, bundled = _check_facts(published)
    has_criteria = "criteria" in facts.columns
    rows = []
    for fact in facts.to_dict("records"):
        kind = fact["kind"]
        variable = fact["variable"] if isinstance(fact["variable"], str) else ""
        variable = variable.strip()
        base = {"item": fact["item"], "variable": variable or None, "kind": kind,
                "published": fact["published"], "decimals": _decimals(fact["decimals"]),
                "source": fact.get("source")}  # fmt: skip
        if kind != "count" and kind != "case" and not variable:
            raise ArgumentError(
                f"compare_with_published(): the {kind} row {fact['item']!r} names no `variable`."
            )
        if variable and variable not in data.columns:
            computed = {"note": f"column '{variable}' absent"}
        elif kind == "count":
            computed = _count(data, fact)
        elif kind == "range":
            computed = _range(data, fact)
        elif kind == "below":
            computed = _below(data, fact)
        elif kind == "percent":
            computed = _percent_row(data, fact)
        else:
            criteria = fact.get("criteria") if has_criteria else None
            if (criteria is None or pd.isna(criteria)) and bundled:
                criteria = _BUNDLED_CASE_CRITERIA
            computed = _case(data, fact, None if pd.isna(criteria) else criteria)
        row = {**base, **computed}
        if "match" not in row:  # nothing recorded to judge
            row.update(computed=_NOT_RECORDED, match=False, status=_NOT_RECORDED)
            row.setdefault("rule", "not judged: " + _NOT_RECORDED)
            if not row.get("note"):
                row["note"] = f"no recorded value of '{variable}'"
        else:
            row["status"] = "match" if row["match"] else "mismatch"
            if row.get("n_missing") and not row.get("note"):
                row["note"] = f"{row['n_missing']} infant(s) not recorded"
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=list(_RESULT_COLUMNS))
    out["match"] = out["match"].astype(bool)
    for col in ("n", "N", "n_missing"):
        out[col] = pd.array(
            [None if v is None or pd.isna(v) else int(v) for v in out[col]], dtype="Int64"
        )
    for col in ("computed_value", "published_value", "computed_low", "computed_high",
                "published_low", "published_high"):  # fmt: skip
        out[col] = out[col].astype("float64")
    out["decimals"] = out["decimals"].astype("int64")
    out["note"] = pd.Series([n if isinstance(n, str) else "" for n in out["note"]], dtype=object)
    return out


# ---------------------------------------------------------------------------------------
# case profile
# ---------------------------------------------------------------------------------------

# laboratory columns shown in a case profile (those present in the frame), with units
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
class CaseProfile:
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

    @property
    def summary(self) -> pd.DataFrame:
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
        >>> print(case_profile(b12cohort.load_example(), "K07").to_text())  # doctest: +ELLIPSIS
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


def case_profile(data: pd.DataFrame, patient_id: str) -> CaseProfile:
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
    >>> case = case_profile(b12cohort.load_example(), "K07")
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
        from .derived import grade_anemia

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
