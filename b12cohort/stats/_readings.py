"""The rows and readings of :func:`b12cohort.stats.association.association_summary`.

One function per block of rows (the tests for one sign; the correlation of the
neurological score with Hb), each calling the public tests and writing, beside the
numbers, the sentence (``reading``) that says what they show. Private to the summary.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from b12cohort.core.errors import ArgumentError
from b12cohort.stats._wording import (
    NEGLIGIBLE,
    SCALE_TEXT,
    excluded_sides,
    interval_reading,
    num,
    pattern_reading,
    relation,
)
from b12cohort.stats.contingency import fisher_exact
from b12cohort.stats.correlation import correlation
from b12cohort.stats.power import (
    correlation_equivalence,
    detectable_correlation,
    power_correlation,
)
from b12cohort.stats.rank_tests import compare_groups
from b12cohort.stats.trend import trend_test

__all__: list[str] = []

#: Columns of :func:`association_summary`, in order.
SUMMARY_COLUMNS = (
    "outcome",
    "exposure",
    "comparison",
    "analysis",
    "test",
    "method",
    "method_detail",
    "estimate",
    "estimate_type",
    "ci_low",
    "ci_high",
    "confidence",
    "p_value",
    "p_adjusted",
    "p_adjust",
    "in_family",
    "n",
    "n_missing",
    "scheme",
    "reading",
    "note",
)
#: Power used for the detectable correlation in the summary.
SUMMARY_POWER = 0.8
#: Significance level of the detectable correlation and the TOST in the summary.
SUMMARY_ALPHA = 0.05
ADJUST_LABEL = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini-Hochberg"}
#: The ``analysis`` labels: the one primary test, the per-sign family, and the rows
#: that support the reading of the primary test without being tests of its null.
PRIMARY, SECONDARY, SUPPORTING = "primary", "secondary", "supporting the primary"
#: Caveat of every row whose test of "no association" gave a large p.
ABSENCE_CAVEAT = (
    "A large p here is not evidence of absence: with groups this small only large "
    "{what} are detectable."
)


# --------------------------------------------------------------------------- formatting
_num = num


def p_text(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _label(name: str) -> str:
    return name.replace("_", " ")


def _pct(k: int, n: int) -> str:
    return f"{k}/{n}"


# --------------------------------------------------------------------------- rows
def _row(**kw) -> dict[str, Any]:
    row = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    row.update(note="", in_family=False)
    row.update(kw)
    return row


def _capture(func: Callable, *args, **kwargs):
    """Run ``func``; return (result or the ArgumentError, the warnings it raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(*args, **kwargs)
        except ArgumentError as err:
            result = err
    return result, list(caught)


def _infants(k: int) -> str:
    return f"{k} infant" if k == 1 else f"{k} infants"


def adjustment_text(row: dict, *, label: str, family_size: int) -> str:
    """The multiplicity clause of a reading: which family, the adjusted p, what it means."""
    if row.get("analysis") == PRIMARY:
        return " (the primary analysis: not adjusted for multiplicity)"
    if not row.get("in_family") or label == "none":
        return ""
    return (
        f" ({label}-adjusted over the {family_size} secondary tests: "
        f"{p_text(row['p_adjusted'])}; the adjustment guards against false claims of an "
        "association, and makes a claim of absence weaker, not stronger)"
    )


def _why(result, reason: str) -> str:
    """``method_detail``: why this test, how its p-value was obtained, any prose it gives."""
    own = str(getattr(result, "method_detail", "") or "")
    method = str(getattr(result, "method", "") or "")
    parts = [reason, f"p-value: {method}" if method else "", own]
    return "; ".join(p for p in parts if p)


def _no_variation_rows(sign, n, n_missing, scheme_label, conf, why):
    reading = (
        f"{why}: without variation, an association with anaemia grade or Hb can be "
        "neither estimated nor tested. The data say nothing either way about such an "
        "association."
    )
    common = {
        "outcome": sign, "n": n, "n_missing": n_missing, "scheme": scheme_label,
        "reading": reading, "note": why, "test": "not tested", "method": "not tested",
        "method_detail": f"not tested: {why}", "analysis": SECONDARY,
        "estimate_type": "none (no variation)",
    }  # fmt: skip
    return [
        _row(exposure="anemia_grade", comparison="sign across anaemia grades", **common),
        _row(
            exposure="anemia_grade", comparison="trend of the sign with anaemia severity", **common
        ),
        _row(
            **{**common, "outcome": "hb_g_l"},
            exposure=sign,
            comparison=f"Hb with vs without {_label(sign)}",
        ),
    ]


def _fisher_reading(sign, fis, per_grade, two, confidence):
    def reading(padj):
        text = f"{_label(sign).capitalize()} in {per_grade}"
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


def _trend_reading(sign, tr, exact_trend):
    shares = ", ".join(
        f"{p:.0%} ({int(e)}/{int(m)})"
        for p, e, m in zip(tr.table["proportion"], tr.table["events"], tr.table["n"], strict=True)
    )
    pattern = pattern_reading([str(v) for v in tr.levels], list(tr.table["proportion"]))

    def reading(padj):
        text = (
            f"Share with {_label(sign)} from {tr.levels[0]} to {tr.levels[-1]} anaemia: "
            f"{shares}; {pattern}. Trend z = {_num(tr.z, 2)}, {tr.method.split(' (')[0]} "
            f"{tr.test}, {p_text(tr.p_value)}{padj}."
        )
        if exact_trend and tr.method != "exact":
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


def _shift_reading(sign, cg):
    low, high = cg.ci_low, cg.ci_high

    def side(x):
        if x == 0:
            return "no difference"
        return f"{_num(abs(x), 1)} g/L {'lower' if x < 0 else 'higher'}"

    def reading(padj):
        text = (
            f"Hb in the {_infants(cg.n2)} with {_label(sign)} minus the {cg.n1} without: "
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


def sign_rows(data, sign, *, scheme_label, confidence, exact_trend, random_state, caught):
    """Fisher, trend and Hodges-Lehmann rows for one sign (readings filled in later)."""
    present = data[sign].notna() & data["anemia_grade"].notna()
    values = data.loc[present, sign].astype(bool)
    n, n_missing = int(present.sum()), int((~present).sum())
    k = int(values.sum())
    grades = data.loc[present, "anemia_grade"]
    observed_grades = [g for g in grades.cat.categories if (grades == g).any()]
    if n == 0 or k in (0, n):
        if n == 0:
            why = f"No infant has both {_label(sign)} and the anaemia grade recorded"
        elif k == n:
            why = f"All {_infants(n)} with it recorded had {_label(sign)} ({k}/{n})"
        else:
            why = f"None of the {_infants(n)} with it recorded had {_label(sign)} (0/{n})"
        return _no_variation_rows(sign, n, n_missing, scheme_label, confidence, why)
    if len(observed_grades) < 2:
        why = (
            f"All {_infants(n)} with {_label(sign)} recorded have the same anaemia grade "
            f"({observed_grades[0]})"
        )
        return _no_variation_rows(sign, n, n_missing, scheme_label, confidence, why)

    rows = []
    # --- Fisher-Freeman-Halton across grades
    fis, w = _capture(
        fisher_exact, data, sign, "anemia_grade", confidence=confidence, random_state=random_state
    )
    caught += w
    counts = fis.table
    per_grade = ", ".join(
        f"{_pct(int(counts.loc[True, g]), int(counts[g].sum()))} {g}" for g in counts.columns
    )
    two_by_two = counts.shape == (2, 2)
    rows.append(
        _row(
            outcome=sign,
            exposure="anemia_grade",
            comparison="sign across anaemia grades",
            analysis=SECONDARY,
            test=fis.test,
            method=fis.method,
            method_detail=_why(
                fis,
                f"exact conditional test of the {counts.shape[0]}×{counts.shape[1]} table of "
                "sign by grade: expected counts this small make the χ² test unreliable",
            ),
            estimate=fis.odds_ratio if two_by_two else math.nan,
            estimate_type=(
                "conditional odds ratio (sign, higher vs lower grade)"
                if two_by_two
                else "none (R×C table: p-value only)"
            ),
            ci_low=fis.ci_low if two_by_two else math.nan,
            ci_high=fis.ci_high if two_by_two else math.nan,
            confidence=confidence if two_by_two else math.nan,
            p_value=fis.p_value,
            in_family=True,
            n=fis.n,
            n_missing=fis.n_missing,
            scheme=scheme_label,
            note=fis.note,
            _reading=_fisher_reading(sign, fis, per_grade, two_by_two, confidence),
        )
    )
    # --- Cochran-Armitage trend
    tr, w = _capture(trend_test, data, sign, "anemia_grade", exact=exact_trend)
    caught += w
    rows.append(
        _row(
            outcome=sign,
            exposure="anemia_grade",
            comparison="trend of the sign with anaemia severity",
            analysis=SECONDARY,
            test=tr.test,
            method=tr.method,
            method_detail=_why(
                tr,
                "test for a linear trend of the proportion across the ordered grades "
                "(scores 1, 2, 3...), more powerful than the R×C test against a steady trend",
            ),
            estimate=tr.z,
            estimate_type="standardised trend z (positive: more frequent in more severe grades)",
            p_value=tr.p_value,
            in_family=True,
            n=tr.n,
            n_missing=tr.n_missing,
            scheme=scheme_label,
            note=tr.note,
            _reading=_trend_reading(sign, tr, exact_trend),
        )
    )
    # --- Hb by sign: Hodges-Lehmann shift
    cg, w = _capture(compare_groups, data, "hb_g_l", by=sign, confidence=confidence, exact=None)
    caught += w
    if isinstance(cg, ArgumentError):
        rows.append(
            _row(
                outcome="hb_g_l",
                exposure=sign,
                comparison=f"Hb with vs without {_label(sign)}",
                analysis=SECONDARY,
                test="not tested",
                method="not tested",
                method_detail=f"not tested: {cg}",
                estimate_type="none",
                n=n,
                n_missing=n_missing,
                scheme=scheme_label,
                note=str(cg),
                reading=f"Hb could not be compared by {_label(sign)}: {cg}",
            )
        )
        return rows
    rows.append(
        _row(
            outcome="hb_g_l",
            exposure=sign,
            comparison=f"Hb with vs without {_label(sign)}",
            analysis=SECONDARY,
            test=cg.test,
            method=cg.method,
            method_detail=_why(
                cg,
                "rank test of Hb between infants with and without the sign (no normality "
                "assumed), with the Hodges–Lehmann shift as its effect size",
            ),
            estimate=cg.estimate,
            estimate_type="Hodges–Lehmann shift, g/L (with minus without the sign)",
            ci_low=cg.ci_low,
            ci_high=cg.ci_high,
            confidence=cg.confidence_achieved,
            p_value=cg.p_value,
            in_family=True,
            n=cg.n1 + cg.n2,
            n_missing=cg.n_missing,
            scheme=scheme_label,
            note=cg.note,
            _reading=_shift_reading(sign, cg),
        )
    )
    return rows


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


def correlation_rows(data, *, scheme_label, confidence, random_state, bound, caught):
    score = "neuro_score"
    cor, w = _capture(
        correlation, data, score, "hb_g_l", method="spearman", confidence=confidence,
        random_state=random_state,
    )  # fmt: skip
    caught += w
    if isinstance(cor, ArgumentError):
        return [
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="neurological score against Hb",
                analysis=PRIMARY,
                test="not tested",
                method="not tested",
                method_detail=f"not tested: {cor}",
                estimate_type="Spearman rho",
                scheme=scheme_label,
                note=str(cor),
                reading=f"The correlation could not be computed: {cor}",
            )
        ]
    n = cor.n
    det = detectable_correlation(n, alpha=SUMMARY_ALPHA, power=SUMMARY_POWER) if n >= 5 else None
    det_text = (
        f"With {n} infants a test of ρ = 0 had {SUMMARY_POWER:.0%} power only for |ρ| ≥ "
        f"{_num(det.rho, 2)} as computed for Pearson's r; Spearman's test needs a stronger "
        f"correlation still, so {_num(det.rho, 2)} is a lower bound for the test that ran."
        if det
        else f"With {n} infants no detectable correlation can be computed."
    )
    rows = [
        _row(
            outcome=score,
            exposure="hb_g_l",
            comparison="neurological score against Hb",
            analysis=PRIMARY,
            test=cor.test,
            method=f"{cor.p_method}; CI {cor.ci_method}",
            method_detail=_why(
                None,
                "the primary question (does the neurological score track Hb?): rank "
                "correlation, as the score is a count of 0-6 with ties; p-value "
                f"{cor.p_method}, CI {cor.ci_method}",
            ),
            estimate=cor.estimate,
            estimate_type="Spearman rho",
            ci_low=cor.ci_low,
            ci_high=cor.ci_high,
            confidence=confidence,
            p_value=cor.p_value,
            n=n,
            n_missing=cor.n_missing,
            scheme=scheme_label,
            note=cor.note,
            _reading=correlation_reading(
                cor.estimate, cor.ci_low, cor.ci_high, confidence, cor.p_value, det_text
            ),
        )
    ]
    if det is not None:
        power_at = power_correlation(n, 0.3, alpha=SUMMARY_ALPHA)
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="detectable correlation at this n",
                analysis=SUPPORTING,
                test=det.test,
                method=det.method,
                method_detail=(
                    "not a test: the smallest correlation a test of ρ = 0 at this n detects "
                    f"with {SUMMARY_POWER:.0%} power ({det.method}); computed for Pearson's r, "
                    "a lower bound for Spearman's ρ"
                ),
                estimate=det.rho,
                estimate_type=(
                    f"smallest |rho| detectable with {SUMMARY_POWER:.0%} power "
                    f"(two-sided alpha {SUMMARY_ALPHA:g}; Pearson's r: a lower bound for Spearman)"
                ),
                n=n,
                n_missing=cor.n_missing,
                scheme=scheme_label,
                reading=(
                    f"With n = {n} and two-sided α = {SUMMARY_ALPHA:g}, a test of Pearson's "
                    f"r = 0 has {SUMMARY_POWER:.0%} power only for |r| ≥ {_num(det.rho, 2)} "
                    f"(and {power_at:.0%} power for |r| = 0.30). Spearman's test, the one that "
                    "ran, is less efficient (the variance of its Fisher z is larger by the "
                    "Bonett–Wright factor 1 + ρ²/2), so the correlation it detects with "
                    f"{SUMMARY_POWER:.0%} power is at least {_num(det.rho, 2)}."
                ),
            )
        )
    if n >= 4 and math.isfinite(cor.estimate):
        tost = correlation_equivalence(
            data, score, "hb_g_l", bound=bound, method="spearman", alpha=SUMMARY_ALPHA
        )
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison=f"equivalence: is |rho| < {bound:g}?",
                analysis=SUPPORTING,
                test=tost.test,
                method=tost.method,
                method_detail=(
                    "two one-sided tests of H0: ρ ≤ −bound and H0: ρ ≥ +bound; only a test "
                    f"like this can support a claim of absence ({tost.method})"
                ),
                estimate=tost.estimate,
                estimate_type=f"Spearman rho (TOST, bound ±{bound:g})",
                ci_low=tost.ci_low,
                ci_high=tost.ci_high,
                confidence=1 - 2 * SUMMARY_ALPHA,
                p_value=tost.p_value,
                n=tost.n,
                n_missing=tost.n_missing,
                scheme=scheme_label,
                note=tost.note,
                reading=tost_reading(tost, bound, SUMMARY_ALPHA),
            )
        )
    return rows
