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
from b12cohort.stats._sentences import (
    PRIMARY,
    SECONDARY,
    SUPPORTING,
    correlation_reading,
    fisher_reading,
    infants,
    label_words,
    shift_reading,
    tost_reading,
    trend_reading,
)
from b12cohort.stats._wording import num
from b12cohort.stats.contingency import fisher_exact
from b12cohort.stats.correlation import correlation
from b12cohort.stats.power import (
    correlation_equivalence,
    detectable_correlation,
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


# --------------------------------------------------------------------------- formatting
_num = num


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


def _why(result, reason: str) -> str:
    """``method_detail``: why this test, how its p-value was obtained, any prose it gives."""
    own = str(getattr(result, "method_detail", "") or "")
    method = str(getattr(result, "method", "") or "")
    if method and own.startswith(f"{method}:"):  # the result's own detail names its method
        return "; ".join(p for p in (reason, f"p-value: {own}") if p)
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
        "reading": reading, "note": why, "test": "not tested", "method": "not-tested",
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
            comparison=f"Hb with vs without {label_words(sign)}",
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
            why = f"No infant has both {label_words(sign)} and the anaemia grade recorded"
        elif k == n:
            why = f"All {infants(n)} with it recorded had {label_words(sign)} ({k}/{n})"
        else:
            why = f"None of the {infants(n)} with it recorded had {label_words(sign)} (0/{n})"
        return _no_variation_rows(sign, n, n_missing, scheme_label, confidence, why)
    if len(observed_grades) < 2:
        why = (
            f"All {infants(n)} with {label_words(sign)} recorded have the same anaemia grade "
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
            _reading=fisher_reading(sign, fis, per_grade, two_by_two, confidence),
        )
    )
    # --- Cochran-Armitage trend
    tr, w = _capture(trend_test, data, outcome=sign, ordinal="anemia_grade", p_method=p_method)
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
            _reading=trend_reading(sign, tr, p_method),
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
                comparison=f"Hb with vs without {label_words(sign)}",
                analysis=SECONDARY,
                test="not tested",
                method="not-tested",
                method_detail=f"not tested: {cg}",
                estimate_type="none",
                n=n,
                n_missing=n_missing,
                scheme=scheme_label,
                note=str(cg),
                reading=f"Hb could not be compared by {label_words(sign)}: {cg}",
            )
        )
        return rows
    rows.append(
        _row(
            outcome="hb_g_l",
            exposure=sign,
            comparison=f"Hb with vs without {label_words(sign)}",
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
            _reading=shift_reading(sign, cg),
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
                analysis=PRIMARY,
                test="not tested",
                method="not-tested",
                method_detail=f"not tested: {cor}",
                estimate_type="Spearman rho",
                scheme=scheme_label,
                note=str(cor),
                reading=f"The correlation could not be computed: {cor}",
            )
        ]
    n = cor.n
    det = (
        detectable_correlation(
            n=n, confidence=1 - SUMMARY_ALPHA, power=SUMMARY_POWER, method="spearman"
        )
        if n >= 5
        else None
    )
    det_text = (
        f"With {n} infants Spearman's test of ρ = 0 had {SUMMARY_POWER:.0%} power only for "
        f"|ρ| ≥ {_num(det.rho, 2)} (Fisher z with the Bonett–Wright variance)."
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
            method=cor.method,
            method_detail=_why(
                cor,
                "the primary question (does the neurological score track Hb?): rank "
                f"correlation, as the score is a count of 0-6 with ties; CI {cor.ci_method}",
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
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="detectable correlation at this n",
                analysis=SUPPORTING,
                test=det.test,
                method=det.method,
                method_detail=(
                    "not a test: the smallest Spearman correlation the test of ρ = 0 that ran "
                    f"detects at this n with {SUMMARY_POWER:.0%} power ({det.method_detail})"
                ),
                estimate=det.rho,
                estimate_type=(
                    f"smallest |rho| detectable with {SUMMARY_POWER:.0%} power "
                    f"(two-sided alpha {SUMMARY_ALPHA:g}; Spearman's test)"
                ),
                n=n,
                n_missing=cor.n_missing,
                scheme=scheme_label,
                reading=(
                    f"With n = {n} and two-sided α = {SUMMARY_ALPHA:g}, Spearman's test of "
                    f"ρ = 0 (the test that ran) has {SUMMARY_POWER:.0%} power only for "
                    f"|ρ| ≥ {_num(det.rho, 2)} (Fisher z of ρ with the Bonett–Wright variance "
                    "(1 + ρ²/2)/(n − 3), checked against simulation): weaker correlations "
                    "could easily go unnoticed."
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
                    f"like this can support a claim of absence ({tost.method_detail})"
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
