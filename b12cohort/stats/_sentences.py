"""The sentences of :func:`b12cohort.stats.association.association_summary`.

Each builder takes the result of a test and returns its ``reading`` (or a function of
the multiplicity clause that returns it). The phrases come from
:mod:`b12cohort.stats._wording`; tests/test_readings.py checks them against the numbers
with Hypothesis. Private to the summary.
"""

from __future__ import annotations

import math

from b12cohort.stats._wording import (
    NEGLIGIBLE,
    SCALE_TEXT,
    excluded_sides,
    interval_reading,
    num,
    pattern_reading,
    relation,
)

__all__: list[str] = []

_num = num

ADJUST_LABEL = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini-Hochberg"}
#: The ``analysis`` labels: the two primary tests, the per-sign family, and the rows
#: that support the reading of the primary test without being tests of its null.
PRIMARY, SECONDARY, SUPPORTING = "primary", "secondary", "supporting the primary"
#: Caveat of every row whose test of "no association" gave a large p.
ABSENCE_CAVEAT = (
    "A large p here is not evidence of absence: with groups this small only large "
    "{what} are detectable."
)


def p_text(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def label_words(name: str) -> str:
    return name.replace("_", " ")


def infants(k: int) -> str:
    return f"{k} infant" if k == 1 else f"{k} infants"


def adjustment_text(row: dict, *, label: str, family_size: int) -> str:
    """The multiplicity clause of a reading: which family, the adjusted p, what it means."""
    if row.get("analysis") == PRIMARY:
        padj = row.get("p_adjusted", math.nan)
        if label == "none" or family_size < 2 or not math.isfinite(padj):
            return " (a primary analysis: not adjusted for multiplicity)"
        return (
            f" (one of the {family_size} primary analyses, {label}-adjusted over the two as "
            f"their own family: {p_text(padj)})"
        )
    if not row.get("in_family") or label == "none":
        return ""
    return (
        f" ({label}-adjusted over the {family_size} secondary tests: "
        f"{p_text(row['p_adjusted'])}; the adjustment guards against false claims of an "
        "association, and makes a claim of absence weaker, not stronger)"
    )


def fisher_reading(sign, fis, per_grade, two, confidence):
    def reading(padj):
        text = f"{label_words(sign).capitalize()} in {per_grade}"
        if two:
            text += (
                f"; odds ratio {_num(fis.odds_ratio, 2)} ({confidence:.0%} CI "
                f"{_num(fis.ci_low, 2)} to {_num(fis.ci_high, 2)})"
            )
        text += f"; {fis.test}, {p_text(fis.p_value)}{padj}. "
        if fis.p_value < 0.05:
            return text + "The frequency seems to differ between grades (before adjustment)."
        return text + ABSENCE_CAVEAT.format(what="differences between grades")

    return reading


def trend_reading(sign, tr, p_method):
    shares = ", ".join(
        f"{p:.0%} ({int(e)}/{int(m)})"
        for p, e, m in zip(tr.table["proportion"], tr.table["events"], tr.table["n"], strict=True)
    )
    pattern = pattern_reading([str(v) for v in tr.levels], list(tr.table["proportion"]))

    def reading(padj):
        text = (
            f"Share with {label_words(sign)} from {tr.levels[0]} to {tr.levels[-1]} anaemia: "
            f"{shares}; {pattern}. Trend z = {_num(tr.z, 2)}, {tr.method} "
            f"{tr.test}, {p_text(tr.p_value)}{padj}."
        )
        if p_method != "asymptotic" and tr.method != "exact":
            text += (
                " The exact permutation test was infeasible at this size: the asymptotic "
                "test ran instead."
            )
        if math.isfinite(tr.p_value) and tr.p_value < 0.05:
            side = "more" if tr.z > 0 else "less"
            return text + (
                f" The test indicates a linear trend (before adjustment): the sign is {side} "
                "frequent in more severe grades by the trend scores."
            )
        return text + " " + ABSENCE_CAVEAT.format(what="trends across grades")

    return reading


def shift_reading(sign, cg):
    low, high = cg.ci_low, cg.ci_high

    def side(x):
        if x == 0:
            return "no difference"
        return f"{_num(abs(x), 1)} g/L {'lower' if x < 0 else 'higher'}"

    def reading(padj):
        text = (
            f"Hb in the {infants(cg.n2)} with {label_words(sign)} minus the {cg.n1} without: "
            f"{_num(cg.estimate, 1)} g/L ({cg.confidence_achieved:.0%} CI "
            f"{_num(low, 1)} to {_num(high, 1)}); Wilcoxon rank-sum {p_text(cg.p_value)}{padj}."
        )
        if math.isfinite(low) and math.isfinite(high):
            text += (
                f" Compatible with the data: Hb from {side(low)} to {side(high)} in infants "
                "with the sign."
            )
        if math.isfinite(cg.p_value) and cg.p_value >= 0.05:
            text += " " + ABSENCE_CAVEAT.format(what="shifts in Hb")
        return text

    return reading


def correlation_reading(estimate, ci_low, ci_high, confidence, p_value, det_text):
    """The headline: rho, its CI read side by side, the power of the test that ran."""

    def reading(padj):
        text = (
            f"Spearman ρ = {_num(estimate, 2)} ({confidence:.0%} CI {_num(ci_low, 2)} to "
            f"{_num(ci_high, 2)}), {p_text(p_value)}{padj}."
        )
        if math.isfinite(estimate):
            text += f" The estimate is {relation(estimate)};"
            text += f" the data are {interval_reading(ci_low, ci_high)}."
        if math.isfinite(ci_low) and (ci_low > 0 or ci_high < 0):
            side = "an inverse" if ci_high < 0 else "a positive"
            text += f" The interval excludes 0: the data indicate {side} correlation."
        elif math.isfinite(ci_low) and max(abs(ci_low), abs(ci_high)) < NEGLIGIBLE:
            text += " Every correlation the interval contains is negligible."
        return f"{text} {det_text} ({SCALE_TEXT}.)"

    return reading


def tost_reading(tost, bound, alpha):
    """Equivalence read per side: which side of ±bound the interval excludes."""
    level = f"{1 - 2 * alpha:.0%}"
    low_out, high_out = excluded_sides(tost.ci_low, tost.ci_high, bound)
    b = _num(bound, 2)
    parts = []
    if high_out:
        parts.append(f"it excludes positive correlations of {b} and above ({p_text(tost.p_upper)})")
    else:
        parts.append(
            f"it does not exclude positive correlations of {b} and above "
            f"({p_text(tost.p_upper)}): up to {_num(tost.ci_high, 2)} remains compatible"
        )
    if low_out:
        parts.append(f"it excludes inverse correlations of −{b} and below ({p_text(tost.p_lower)})")
    else:
        parts.append(
            f"it does not exclude inverse correlations of −{b} and below "
            f"({p_text(tost.p_lower)}): down to {_num(tost.ci_low, 2)} remains compatible"
        )
    verdict = (
        f"equivalence within ±{b} is shown at α = {alpha:g}"
        if tost.equivalent
        else f"equivalence within ±{b} is not shown"
    )
    return (
        f"Equivalence test (two one-sided tests, bounds −{b} and {b}): {level} CI "
        f"{_num(tost.ci_low, 2)} to {_num(tost.ci_high, 2)}; {'; '.join(parts)}; {verdict}."
    )
