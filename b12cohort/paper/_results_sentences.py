"""The sentences of :func:`b12cohort.paper.manuscript.results_text`, one builder per topic.

Each builder takes the :class:`~b12cohort.paper.manuscript.ManuscriptResults` (``res``;
not imported here, which would make an import cycle) and returns
sentences whose every number is the results' own, formatted by
:func:`b12cohort.inline`; the honesty rules are those of the readings
(:mod:`b12cohort.stats._sentences`, :mod:`b12cohort.stats._wording`). Private.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from b12cohort.core.constants import ELIGIBLE_AGE_MONTHS, ELIGIBLE_B12_BELOW_PG_ML
from b12cohort.core.text import number
from b12cohort.dictionary.schema import NEURO_SIGNS
from b12cohort.paper.inline import format_p_inline, format_pct, inline
from b12cohort.stats._sentences import (
    ADJUST_LABEL,
    PRIMARY,
    SECONDARY,
    adjustment_text,
    label_words,
)
from b12cohort.stats._wording import excluded_sides, interval_reading, num, relation

__all__: list[str] = []

#: The variables whose prevalence the results text reports as neurological findings.
_SIGNS = (*NEURO_SIGNS, "tremor_before_treatment", "brain_atrophy")
#: The Table 1 rows the opening sentence summarises (continuous: median, IQR, range).
TABLE1 = ("sex", "age_months", "hb_g_l", "b12_pg_ml")
_UNITS = {"age_months": "months", "hb_g_l": "g/L", "b12_pg_ml": "pg/mL"}
_CI_NAMES = {"clopper-pearson": "exact Clopper–Pearson", "wilson": "Wilson score",
             "jeffreys": "Jeffreys", "agresti-coull": "Agresti–Coull", "mid-p": "mid-p",
             "blaker": "Blaker"}  # fmt: skip
_TITLES = {"age_months": "age", "hb_g_l": "haemoglobin", "b12_pg_ml": "serum vitamin B12"}


def _g(x: float) -> str:
    """A summary number as recorded (no padding zeros): 10, 6.5, 3.25; 'not estimable'."""
    if x is None or not math.isfinite(x):
        return "not estimable"
    return number(round(float(x), 2)).replace("-", "−")


def _range(low: float, high: float) -> str:
    sep = " to " if (low < 0 or high < 0) else "–"
    return f"{_g(low)}{sep}{_g(high)}"


def _infants(k: int) -> str:
    return f"{k} infant" if k == 1 else f"{k} infants"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def flow_sentence(res: Any) -> str:
    flow = res.flow
    count = {s: int(flow.loc[flow["stage"] == s, "n"].sum()) for s in dict.fromkeys(flow["stage"])}
    lo, hi = ELIGIBLE_AGE_MONTHS
    named = f", {res.source}," if res.source else ""
    text = f"The data{named} hold {_infants(count.get('assessed', 0))}" + (
        f", admitted {res.years[0]}–{res.years[1]}" if res.years else ""
    )
    parts = []
    if count.get("invalid", 0):
        parts.append(f"{count['invalid']} had records that failed validation")
    excluded = flow[flow["stage"] == "excluded"]
    if len(excluded):
        reasons = _and([f"{int(r.n)} {r.reason}" for r in excluded.itertuples()])
        parts.append(
            f"{int(excluded['n'].sum())} did not meet the eligibility criteria ({reasons})"
        )
    text += ("; " + _and(parts) + ";" if parts else ";") + (
        f" {count.get('analysed', 0)} met the criteria (age {lo:g}–{hi:g} months, serum vitamin "
        f"B12 below {ELIGIBLE_B12_BELOW_PG_ML:g} pg/mL) and were analysed (figure: participant flow)."
    )
    return text


def table_one_sentence(res: Any) -> str:
    st = res.table_one.statistics
    st = st[st["group"] == "Overall"]
    parts = []
    sex = st[st["variable"] == "sex"]
    if len(sex):
        words = {"F": "girls", "M": "boys"}
        shares = [
            f"{int(r.n)} {words.get(str(r.level), str(r.level))} ({format_pct(r.proportion)})"
            for r in sex.itertuples()
        ]
        parts.append(_and(shares))
    for var in ("age_months", "hb_g_l", "b12_pg_ml"):
        row = st[st["variable"] == var]
        if row.empty or not math.isfinite(row["median"].iloc[0]):
            continue
        r = row.iloc[0]
        unit = _UNITS[var]
        missing = f"; not recorded in {int(r.n_missing)}" if r.n_missing else ""
        parts.append(
            f"median {_TITLES[var]} {_g(r['median'])} {unit} (IQR {_range(r.q1, r.q3)}; "
            f"range {_range(r['min'], r['max'])}{missing})"
        )
    n = int(st["N"].max()) if len(st) else 0
    return f"Table 1 describes the {_infants(n)} analysed: " + "; ".join(parts) + "."


def _prevalence_phrase(row) -> str:
    label = label_words(str(row["variable"]))
    n, events = int(row["n"]), int(row["events"])
    missing = f", not recorded in {int(row['n_missing'])}" if row["n_missing"] else ""
    text = f"{label} in {inline(row)}{missing}"
    if n and events == n:
        text += f", compatible with a true prevalence as low as {format_pct(row['ci_low'])}"
    elif n and events == 0:
        text += f", compatible with a true prevalence up to {format_pct(row['ci_high'])}"
    return text


def prevalence_sentences(res: Any) -> list[str]:
    prev = res.prevalence
    signs = prev[prev["variable"].isin(_SIGNS) & (prev["n"] > 0)]
    if signs.empty:
        return []
    level = format_pct(signs["confidence"].iloc[0])
    method = _CI_NAMES.get(str(signs["ci_method"].iloc[0]), str(signs["ci_method"].iloc[0]))
    order = {v: i for i, v in enumerate(_SIGNS)}
    signs = signs.assign(_o=signs["variable"].map(order)).sort_values(["_o"], kind="stable")
    phrases = [_prevalence_phrase(r) for _, r in signs.iterrows()]
    text = (
        f"Neurological findings (with {level} {method} confidence intervals): "
        + "; ".join(phrases)
        + "."
    )
    unrecorded = prev[prev["variable"].isin(_SIGNS) & (prev["n"] == 0)]
    if len(unrecorded):
        text += (
            " Not recorded in any infant: "
            + ", ".join(label_words(v) for v in unrecorded["variable"])
            + "."
        )
    return [text[0].upper() + text[1:]]


def _rows(frame: pd.DataFrame, *, analysis: str, test: str | None = None) -> pd.DataFrame:
    rows = frame[frame["analysis"] == analysis]
    if test is not None:
        rows = rows[rows["test"].astype(str).str.startswith(test)]
    return rows


def _family(primaries: pd.DataFrame) -> int:
    """How many primary analyses were adjusted together (those with a p-value)."""
    return int(pd.to_numeric(primaries["p_value"], errors="coerce").notna().sum())


def _adjusted(row, *, family: int) -> str:
    """The multiplicity clause of a primary row, as its reading in the association table."""
    method = str(row.get("p_adjust", "none"))
    return adjustment_text(
        dict(row), label=ADJUST_LABEL.get(method, method), family_size=family
    ).strip()


def primary_sentence(row, *, bound: float | None, family: int = 1) -> str:
    """The primary correlation: the estimate, its interval read on each side, what it excludes."""
    est, lo, hi = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
    which = "the primary analysis" if family < 2 else "the first primary analysis"
    head = (
        f"The number of neurological signs and haemoglobin ({_infants(int(row['n']))}; "
        f"{which}): {inline(row)}."
    )
    if family >= 2:
        head = head[:-1] + " " + _adjusted(row, family=family) + "."
    if not math.isfinite(est):
        return head + " The correlation could not be estimated."
    text = f"{head} The estimate is {relation(est)}; the data are {interval_reading(lo, hi)}."
    if math.isfinite(lo) and math.isfinite(hi):
        if lo > 0 or hi < 0:
            side = "an inverse" if hi < 0 else "a positive"
            text += f" The interval excludes 0: the data indicate {side} correlation."
        else:
            text += (
                " The interval includes 0, so the data show no clear association; this is not "
                "evidence of no association, since correlations from "
                f"{num(lo, 2)} to {num(hi, 2)} remain compatible."
            )
        if bound is not None:
            low_out, high_out = excluded_sides(lo, hi, bound)
            b = num(bound, 2)
            sides = []
            sides.append(
                f"excludes inverse correlations of −{b} or stronger"
                if low_out
                else f"does not exclude inverse correlations of −{b} or stronger"
            )
            sides.append(
                f"excludes positive correlations of {b} or stronger"
                if high_out
                else f"does not exclude positive correlations of {b} or stronger"
            )
            text += f" The {format_pct(row['confidence'])} interval " + " and ".join(sides) + "."
    return text


def association_sentences(res: Any) -> list[str]:
    assoc = res.association
    out = []
    primary = _rows(assoc, analysis=PRIMARY)
    tost = assoc[assoc["test"].astype(str).str.startswith("TOST")]
    bound = None
    if len(tost):
        bound = _bound(tost.iloc[0])
    family = _family(primary)
    if len(primary):
        out.append(primary_sentence(primary.iloc[0], bound=bound, family=family))
    for _, row in primary.iloc[1:].iterrows():
        out.append(ordinal_sentence(row, family=family))
    for r in assoc[assoc["analysis"] == "supporting the primary"].itertuples():
        if str(r.reading):
            out.append(str(r.reading))
    out.append(secondary_sentence(assoc, scheme=res.scheme))
    return out


def ordinal_sentence(row, *, family: int) -> str:
    """The second primary analysis (the linear-by-linear test across the ordered grades):
    its statistic M² = (n − 1)r² and p from the row, then the row's own reading."""
    n, r = int(row["n"]), float(row["estimate"])
    reading = str(row["reading"])
    if str(row["method"]) == "not-tested" or not math.isfinite(r):
        return f"The number of neurological signs across the ordered anaemia grades: {reading}"
    which = "the second primary analysis" if family >= 2 else "a primary analysis"
    return (
        f"The number of neurological signs across the ordered anaemia grades "
        f"({_infants(n)}; {which}, the {row['method']} {row['test']}): M² = (n − 1)r² = "
        f"{num((n - 1) * r * r, 2)} on 1 degree of freedom. {reading}"
    )


def _bound(row) -> float | None:
    text = str(row.get("estimate_type", ""))
    if "±" not in text:
        return None
    try:
        return float(text.split("±", 1)[1].rstrip(")").strip())
    except ValueError:
        return None


def _sign(row) -> str:
    """The sign a secondary row is about (its outcome, or its exposure when Hb is the outcome)."""
    outcome, exposure = str(row["outcome"]), str(row["exposure"])
    return exposure if outcome in ("hb_g_l", "anemia_grade") else outcome


def secondary_sentence(assoc: pd.DataFrame, *, scheme: str) -> str:
    """The per-sign tests in one sentence: how many ran, which gave small p, what that means."""
    sec = assoc[(assoc["analysis"] == SECONDARY) & (assoc["method"] != "not-tested")]
    untested = assoc[(assoc["analysis"] == SECONDARY) & (assoc["method"] == "not-tested")]
    signs_untested = list(dict.fromkeys(_sign(r) for _, r in untested.iterrows()))
    finite = sec[pd.to_numeric(sec["p_value"], errors="coerce").notna()]
    small = finite[finite["p_value"] < 0.05]
    small_adj = finite[pd.to_numeric(finite["p_adjusted"], errors="coerce") < 0.05]
    family = int(sec["in_family"].astype(bool).sum())
    method = str(sec["p_adjust"].iloc[0]) if len(sec) else "holm"
    label = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini–Hochberg"}.get(
        method, method
    )
    text = (
        f"Secondary analyses, {len(sec)} tests of single signs against the anaemia grade "
        f"({scheme} scheme) or haemoglobin, {family} of them {label}-adjusted together: "
    )
    if small.empty:
        text += (
            "none gave p < 0.05. With groups this small only large differences are detectable, "
            "so this is not evidence that the signs are unrelated to the degree of anaemia."
        )
    else:
        listed = [
            f"{label_words(_sign(r._asdict()))} ({r.comparison}: "
            f"{format_p_inline(r.p_value)}, {label}-adjusted {format_p_inline(r.p_adjusted)})"
            for r in small.itertuples()
        ]
        text += (
            f"{len(small)} gave p < 0.05 before adjustment ({'; '.join(listed)}), "
            f"{len(small_adj)} after."
        )
        if small_adj.empty:
            text += " After adjustment no per-sign test supports an association."
    if signs_untested:
        text += (
            " Not tested, for lack of variation: "
            + ", ".join(label_words(s) for s in signs_untested)
            + " (the data say nothing either way about their association with anaemia)."
        )
    return text


def sensitivity_sentence(res: Any) -> str | None:
    if res.sensitivity is None:
        return None

    def count(frame):
        sec = frame[(frame["analysis"] == SECONDARY) & (frame["method"] != "not-tested")]
        p = pd.to_numeric(sec["p_value"], errors="coerce")
        return int((p < 0.05).sum()), len(sec)

    a, na = count(res.association)
    b, nb = count(res.sensitivity)
    same = "the same" if (a, na) == (b, nb) else "different"
    text = (
        f"Sensitivity analysis: with anaemia graded by {res.sensitivity_scheme} instead of "
        f"{res.scheme}, {b} of {nb} secondary tests gave p < 0.05 before adjustment ({a} of "
        f"{na} with {res.scheme}): the count is {same}."
    )
    main, other = (_rows(f, analysis=PRIMARY) for f in (res.association, res.sensitivity))
    if len(main) < 2 or len(other) < 2:
        return text + (
            " The primary analysis uses haemoglobin, not the grade, and does not depend on "
            "the scheme."
        )
    graded = [f.iloc[1] for f in (other, main)]
    if any(str(g["method"]) == "not-tested" for g in graded):
        across = "the second, across the grades, was not tested under both schemes"
    else:
        ps = [format_p_inline(g["p_value"]) for g in graded]
        across = (
            f"the second is computed on the grades: {ps[0]} with "
            f"{res.sensitivity_scheme} ({ps[1]} with {res.scheme}), before adjustment"
        )
    return text + (
        " The first primary analysis uses haemoglobin, not the grade, and does not depend on "
        f"the scheme; {across}."
    )


def course_sentences(res: Any) -> list[str]:
    course = res.course
    if course is None:
        return []
    inc = course.incidence.iloc[0]
    text = (
        f"Involuntary movements during cyanocobalamin treatment developed in {inline(course)}"
        + (f", not recorded in {int(inc['n_missing'])}" if inc["n_missing"] else "")
        + "."
    )
    ons = course.onset.iloc[0]
    if int(ons["n"]) > 0:
        text += (
            f" They began a median of {_g(ons['median'])} days after the first dose (IQR "
            f"{_range(ons['q1'], ons['q3'])}; range {_range(ons['min'], ons['max'])}; onset "
            f"recorded in {int(ons['n'])})."
        )
    if course.n_km > 0:
        level = format_pct(course.confidence)
        if math.isfinite(course.median):
            median = f"{_g(course.median)} days"
            ci = f"{level} CI {_g(course.median_ci_low)} to {_g(course.median_ci_high)}"
            text += (
                f" By Kaplan–Meier, the median time to resolution was {median} ({ci}; "
                f"{course.events} resolved and {course.n_censored} censored of {course.n_km})."
            )
        else:
            text += (
                f" By Kaplan–Meier the median time to resolution is not estimable: fewer than "
                f"half of the {course.n_km} resolved while followed ({course.events} resolved, "
                f"{course.n_censored} censored)."
            )
    return [text]


def replication_sentence(res: Any) -> str | None:
    rep = res.replication
    if rep is None or rep.empty:
        return None
    match = rep["match"].fillna(False).astype(bool)
    text = (
        f"Replication: {int(match.sum())} of {len(rep)} figures printed by Taranushenko et al. "
        "(2022) are reproduced by these data"
    )
    differing = rep[~match]
    if not differing.empty:
        items = [
            f"{r.item}: published {r.published}, here {r.computed}" for r in differing.itertuples()
        ]
        text += "; they differ for " + "; ".join(items)
    return text + "." + (RECONSTRUCTED if res.reconstruction else ELSEWHERE)


#: What the replication count means on the bundled reconstruction (as the landing page says).
RECONSTRUCTED = (
    " On the bundled reconstruction this holds by construction: the reconstruction was built "
    "to honour every published figure, so the match checks the software, not the paper."
)
#: What it means on any other cohort.
ELSEWHERE = (
    " These data are not the bundled example cohort, so the count compares them with the "
    "published cohort: a match means they give the figure the paper printed, a difference "
    "that they do not (expected for another cohort; for the paper's own infants, a published "
    "figure that these records do not reproduce)."
)


def literature_sentences(res: Any) -> list[str]:
    """The comparison with published cohorts: the reading of each compared sign, unchanged."""
    lit = res.literature
    if lit is None or lit.empty:
        return []
    compared = lit[lit["synthesis"] != "none"]
    out = []
    for sign, reading in zip(compared["sign"], compared["reading"], strict=True):
        label = label_words(str(sign))
        reading = str(reading)
        out.append(reading if label in reading else f"{label.capitalize()}: {reading}")
    alone = [label_words(str(s)) for s in lit.loc[lit["synthesis"] == "none", "sign"]]
    if alone:
        out.append(
            "No comparable published series reports " + _and(alone) + ", so these are not compared."
        )
    return out
