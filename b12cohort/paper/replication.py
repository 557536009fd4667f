"""Replication of the published figures, and the structured case profile.

:func:`compare_with_published` sets every figure Taranushenko et al. (2022) printed
(the facts table ``b12cohort/resources/published_krasnoyarsk_2022.csv``) beside the value
computed from a cohort and says, row by row, whether the computed value rounded to the
paper's precision reproduces the printed one. :func:`case_profile` collects everything
recorded about one infant (the paper's case report is infant ``K07`` of the example) as
named fields, a tidy table and a short clinical paragraph.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import check_dataframe, float_values
from b12cohort.core.errors import ArgumentError
from b12cohort.core.text import NOT_RECORDED as _NOT_RECORDED
from b12cohort.core.text import number as _number
from b12cohort.dictionary.schema import load_schema
from b12cohort.stats.proportions import prevalence

__all__ = [
    "FACT_KINDS",
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
            f"needs {', '.join(_FACT_COLUMNS)} (see b12cohort.paper.replication.published_facts())."
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


def _decimals(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _unit(variable: str) -> str:
    try:
        unit = load_schema().field(variable).unit
    except ArgumentError:  # a column that is not in the data dictionary
        return ""
    return "" if unit in (None, "year") else f" {unit}"


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
    row = prevalence(data, variables=[var]).iloc[0]
    n, total = int(row["events"]), int(row["n"])
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
