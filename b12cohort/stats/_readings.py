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


# --------------------------------------------------------------------------- formatting
def _num(x: float, digits: int) -> str:
    """A number for a reading: fixed decimals, a true minus sign."""
    if x is None or not math.isfinite(x):
        return "not estimable" if x is None or math.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.{digits}f}".replace("-", "−")


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


def _no_variation_rows(sign, n, n_missing, scheme_label, conf, why):
    reading = (
        f"{why}: without variation, an association with anaemia grade or Hb can be "
        "neither estimated nor tested. This is not evidence that the sign is unrelated "
        "to anaemia."
    )
    common = {
        "outcome": sign, "n": n, "n_missing": n_missing, "scheme": scheme_label,
        "reading": reading, "note": why, "test": "not tested", "method": "not-tested",
        "estimate_type": "none (no variation)", "confidence": conf,
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


def sign_rows(data, sign, *, scheme_label, confidence, p_method, random_state, caught):
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
        fisher_exact, data, row=sign, col="anemia_grade", confidence=confidence,
        p_method="exact" if p_method == "exact" else "auto", random_state=random_state,
    )  # fmt: skip
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
            test=fis.test,
            method=fis.method,
            method_detail=fis.note if fis.method != "exact" else "",
            estimate=fis.odds_ratio if two_by_two else math.nan,
            estimate_type=(
                "conditional odds ratio (sign, higher vs lower grade)"
                if two_by_two
                else "none (R×C table: p-value only)"
            ),
            ci_low=fis.ci_low if two_by_two else math.nan,
            ci_high=fis.ci_high if two_by_two else math.nan,
            confidence=confidence,
            p_value=fis.p_value,
            in_family=True,
            n=fis.n,
            n_missing=fis.n_missing,
            scheme=scheme_label,
            note=fis.note,
            _reading=lambda padj, fis=fis, per_grade=per_grade, two=two_by_two: (
                f"{_label(sign).capitalize()} in {per_grade}"
                + (
                    f"; odds ratio {_num(fis.odds_ratio, 2)} ({confidence:.0%} CI "
                    f"{_num(fis.ci_low, 2)} to {_num(fis.ci_high, 2)})"
                    if two
                    else ""
                )
                + f"; {fis.test}, {p_text(fis.p_value)}{padj}. "
                + (
                    "The frequency seems to differ between grades (before adjustment)."
                    if fis.p_value < 0.05
                    else "A large p here does not show that the sign is unrelated to the "
                    "grade: with groups this small only large differences between grades "
                    "are detectable."
                )
            ),
        )
    )
    # --- Cochran-Armitage trend
    tr, w = _capture(trend_test, data, outcome=sign, ordinal="anemia_grade", p_method=p_method)
    caught += w
    shares = ", ".join(f"{p:.0%}" for p in tr.table["proportion"])
    direction = "rises" if tr.z > 0 else "falls" if tr.z < 0 else "does not change"
    rows.append(
        _row(
            outcome=sign,
            exposure="anemia_grade",
            comparison="trend of the sign with anaemia severity",
            test=tr.test,
            method=tr.method,
            method_detail=tr.method_detail,
            estimate=tr.z,
            estimate_type="standardised trend z (positive: more frequent in more severe grades)",
            confidence=confidence,
            p_value=tr.p_value,
            in_family=True,
            n=tr.n,
            n_missing=tr.n_missing,
            scheme=scheme_label,
            note=tr.note,
            _reading=lambda padj, tr=tr, shares=shares, direction=direction: (
                f"Share with {_label(sign)} from {tr.levels[0]} to {tr.levels[-1]} "
                f"anaemia: {shares}; the proportion {direction} with severity "
                f"(z = {_num(tr.z, 2)}, {tr.method} {tr.test}, "
                f"{p_text(tr.p_value)}{padj})."
                + (
                    " The exact permutation test was infeasible at this size: the "
                    "asymptotic test ran instead."
                    if p_method != "asymptotic" and tr.method != "exact"
                    else ""
                )
            ),
        )
    )
    # --- Hb by sign: Hodges-Lehmann shift
    cg, w = _capture(
        compare_groups, data, value="hb_g_l", by=sign, confidence=confidence, p_method=p_method
    )
    caught += w
    if isinstance(cg, ArgumentError):
        rows.append(
            _row(
                outcome="hb_g_l",
                exposure=sign,
                comparison=f"Hb with vs without {_label(sign)}",
                test="not tested",
                method="not-tested",
                estimate_type="none",
                n=n,
                n_missing=n_missing,
                scheme=scheme_label,
                confidence=confidence,
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
            test=cg.test,
            method=cg.method,
            method_detail=cg.method_detail,
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
            _reading=lambda padj, cg=cg: (
                f"Hb in the {_infants(cg.n2)} with {_label(sign)} minus the {cg.n1} without: "
                f"{_num(cg.estimate, 1)} g/L ({cg.confidence_achieved:.0%} CI "
                f"{_num(cg.ci_low, 1)} to {_num(cg.ci_high, 1)}); Wilcoxon rank-sum "
                f"{p_text(cg.p_value)}{padj}. Shifts anywhere in that interval are compatible "
                "with the data."
            ),
        )
    )
    return rows


def correlation_rows(data, *, scheme_label, confidence, random_state, bound, caught):
    score = "neuro_score"
    cor, w = _capture(
        correlation, data, x=score, y="hb_g_l", method="spearman", confidence=confidence,
        random_state=random_state,
    )  # fmt: skip
    caught += w
    if isinstance(cor, ArgumentError):
        return [
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="neurological score against Hb",
                test="not tested",
                method="not-tested",
                estimate_type="Spearman rho",
                confidence=confidence,
                scheme=scheme_label,
                note=str(cor),
                reading=f"The correlation could not be computed: {cor}",
            )
        ]
    n = cor.n
    det = (
        detectable_correlation(n=n, confidence=1 - SUMMARY_ALPHA, power=SUMMARY_POWER)
        if n >= 5
        else None
    )
    det_text = (
        f"with {n} infants only |ρ| ≥ {_num(det.rho, 2)} was detectable with "
        f"{SUMMARY_POWER:.0%} power"
        if det
        else f"with {n} infants no detectable correlation can be computed"
    )
    widest = max(abs(cor.ci_low), abs(cor.ci_high)) if math.isfinite(cor.ci_low) else math.nan

    def cor_reading(padj, cor=cor):
        text = (
            f"ρ = {_num(cor.estimate, 2)} ({confidence:.0%} CI {_num(cor.ci_low, 2)} to "
            f"{_num(cor.ci_high, 2)}), {p_text(cor.p_value)}{padj}; {det_text}"
        )
        if math.isfinite(cor.ci_low) and (cor.ci_low > 0 or cor.ci_high < 0):
            sign = "negative" if cor.ci_high < 0 else "positive"
            return f"{text}. The interval excludes 0: the data indicate a {sign} correlation."
        if math.isfinite(widest) and widest < 0.3:
            return f"{text}. The interval excludes correlations of |ρ| ≥ 0.30."
        return (
            f"{text}, so a correlation as strong as |ρ| = {_num(widest, 2)} is not "
            "excluded by the data."
        )

    rows = [
        _row(
            outcome=score,
            exposure="hb_g_l",
            comparison="neurological score against Hb",
            test=cor.test,
            method=cor.method,
            method_detail=f"{cor.method_detail}; CI {cor.ci_method}",
            estimate=cor.estimate,
            estimate_type="Spearman rho",
            ci_low=cor.ci_low,
            ci_high=cor.ci_high,
            confidence=confidence,
            p_value=cor.p_value,
            in_family=True,
            n=n,
            n_missing=cor.n_missing,
            scheme=scheme_label,
            note=cor.note,
            _reading=cor_reading,
        )
    ]
    if det is not None:
        power_at = power_correlation(n=n, rho=0.3, confidence=1 - SUMMARY_ALPHA)
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="detectable correlation at this n",
                test=det.test,
                method=det.method,
                method_detail=det.method_detail,
                estimate=det.rho,
                estimate_type=(
                    f"smallest |rho| detectable with {SUMMARY_POWER:.0%} power "
                    f"(two-sided alpha {SUMMARY_ALPHA:g})"
                ),
                n=n,
                n_missing=cor.n_missing,
                scheme=scheme_label,
                reading=(
                    f"With n = {n} and two-sided α = {SUMMARY_ALPHA:g}, a test of ρ = 0 has "
                    f"{SUMMARY_POWER:.0%} power only for |ρ| ≥ {_num(det.rho, 2)} (and "
                    f"{power_at:.0%} power for |ρ| = 0.30); for Spearman's ρ the detectable "
                    "value is somewhat larger still."
                ),
            )
        )
    if n >= 4 and math.isfinite(cor.estimate):
        tost = correlation_equivalence(
            data,
            x=score,
            y="hb_g_l",
            bound=bound,
            method="spearman",
            confidence=1 - SUMMARY_ALPHA,
        )
        verdict = (
            f"the data exclude |ρ| ≥ {bound:g}"
            if tost.equivalent
            else f"the data do not exclude |ρ| ≥ {bound:g}"
        )
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison=f"equivalence: is |rho| < {bound:g}?",
                test=tost.test,
                method=tost.method,
                method_detail=tost.method_detail,
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
                reading=(
                    f"Equivalence test against |ρ| ≥ {bound:g}: {1 - 2 * SUMMARY_ALPHA:.0%} CI "
                    f"{_num(tost.ci_low, 2)} to {_num(tost.ci_high, 2)}, {p_text(tost.p_value)}: "
                    f"{verdict}."
                ),
            )
        )
    return rows
