"""The second primary row of :func:`b12cohort.stats.association.association_summary`.

``neuro_score`` against the anaemia grade by the exact linear-by-linear association test
(:func:`b12cohort.stats.ordinal.ordinal_association`), with its reading. The reading
says what the exact test could detect at these margins: :func:`exact_critical_correlation`
gives the smallest score correlation ``|r|`` that would have reached ``p < alpha``, read
off the same exact conditional distribution the p-value comes from. The power against a
given alternative is not computed (it needs a model of how the score depends on the
grade), and the reading says so. Private to the summary.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from b12cohort.core.errors import ArgumentError
from b12cohort.stats import _lbl_exact
from b12cohort.stats._readings import _capture, _why
from b12cohort.stats._sentences import PRIMARY, p_text
from b12cohort.stats._wording import num
from b12cohort.stats.ordinal import (
    DEFAULT_MAX_WORK,
    _Engine,
    _table,
    ordinal_association,
)

__all__: list[str] = []

#: Significance level of the detection threshold in the reading.
ALPHA = 0.05
COMPARISON = "neurological score across the ordered anaemia grades"
ESTIMATE_TYPE = "linear-by-linear score correlation r (grade scores 1, 2, 3...; number of signs)"


def exact_critical_correlation(
    data, *, x: str, y: str, alpha: float = ALPHA, max_work: int = DEFAULT_MAX_WORK
) -> tuple[float, float]:
    """Smallest ``|r|`` at which the exact two-sided linear-by-linear test gives ``p <= alpha``.

    Conditional on both observed margins (the test's own reference set), the two-sided
    p-value ``P(|T - E T| >= |t - E T|)`` falls as ``|t - E T|`` grows; the threshold is
    the smallest attainable ``|t - E T|`` whose tail is at most ``alpha``, returned as the
    score correlation ``r = (T - E T) / sqrt(var(T) (n - 1))`` with its tail
    probability. ``(nan, nan)`` when the exact distribution is infeasible or there is
    nothing to test; ``(inf, nan)`` when no table with these margins reaches ``alpha``.
    """
    t, _, _, sx, sy, _ = _table(data, x, y, "association_summary")
    if int(t.sum()) < 2 or (t.sum(1) > 0).sum() < 2 or (t.sum(0) > 0).sum() < 2:
        return math.nan, math.nan
    engine = _Engine("linear-by-linear", t, sx, sy)
    if not engine.exact_feasible() or engine.work() > max_work:
        return math.nan, math.nan
    reduced, a, b = engine._reduced()
    keys, probs = _lbl_exact.distribution(reduced, kind="lbl", row_scores=a, col_scores=b)
    n = int(reduced.sum())
    centre = int(reduced.sum(1) @ a) * int(reduced.sum(0) @ b)
    dev = np.abs(keys * n - centre)  # n (T - E T) on the integer scale of the scores
    order = np.argsort(-dev, kind="stable")
    dev, probs = dev[order], probs[order]
    distinct, first = np.unique(-dev, return_index=True)
    tails = np.cumsum(probs)[np.r_[first[1:], len(dev)] - 1]  # P(|.| >= d), d descending
    ok = np.flatnonzero(tails <= alpha * (1 + 1e-7))
    if len(ok) == 0:
        return math.inf, math.nan
    d = -distinct[ok[-1]]
    (_, kx), (_, ky) = engine.ints
    deviation = d / n / 10 ** (kx + ky)
    return float(deviation / math.sqrt(engine.var * (n - 1))), float(tails[ok[-1]])


def _threshold_text(r_crit: float, n: int) -> str:
    if math.isnan(r_crit):
        return (
            "What the exact test could detect at this n was not computed (its exact "
            "distribution was not run)"
        )
    if math.isinf(r_crit):
        return (
            f"With these margins no table reaches p ≤ {ALPHA:g}: the exact test could not "
            "have detected any trend"
        )
    return (
        f"With these margins the exact test gives p ≤ {ALPHA:g} only for a score "
        f"correlation |r| ≥ {num(r_crit, 2)}: a weaker observed trend cannot reach "
        f"significance with {n} infants; its power against a given trend was not computed "
        "(that needs a model of how the score depends on the grade)"
    )


def ordinal_primary_row(data, *, scheme_label, p_method, caught, row) -> dict[str, Any]:
    """The row (built with the summary's ``row`` factory) and its reading function."""
    res, w = _capture(
        ordinal_association, data, x="anemia_grade", y="neuro_score",
        method="linear-by-linear", p_method=p_method,
    )  # fmt: skip
    caught += w
    common = {
        "outcome": "neuro_score",
        "exposure": "anemia_grade",
        "comparison": COMPARISON,
        "analysis": PRIMARY,
        "estimate_type": ESTIMATE_TYPE,
        "scheme": scheme_label,
    }
    if isinstance(res, ArgumentError) or res.method == "not-tested":
        why = str(res) if isinstance(res, ArgumentError) else res.note
        return row(
            **common, test="not tested", method="not-tested", method_detail=f"not tested: {why}",
            n=getattr(res, "n", math.nan), n_missing=getattr(res, "n_missing", math.nan),
            note=why, reading=f"The neurological score could not be tested across grades: {why}",
        )  # fmt: skip
    r_crit = math.nan
    if res.method == "exact":
        r_crit, _ = exact_critical_correlation(data, x="anemia_grade", y="neuro_score")
    counts = res.table
    per_grade = ", ".join(
        f"{g} {num(float((counts.loc[g] * counts.columns.astype(float)).sum() / k), 1)} "
        f"(n = {int(k)})"
        for g, k in counts.sum(axis=1).items()
        if k > 0
    )

    def reading(padj: str) -> str:
        text = (
            f"Mean number of signs by grade: {per_grade}. Linear-by-linear association "
            f"test ({res.method}): score correlation r = {num(res.estimate, 2)}, "
            f"{p_text(res.p_value)}{padj}."
        )
        if res.p_value < ALPHA:
            side = "more" if res.estimate > 0 else "fewer"
            return text + (
                f" The test indicates a trend (before adjustment): {side} signs in more "
                "severe grades."
            )
        return text + (
            " A large p here is not evidence of absence, and the test gives no interval. "
            f"{_threshold_text(r_crit, res.n)}."
        )

    return row(
        **common,
        test=res.test,
        method=res.method,
        method_detail=_why(
            res,
            "the primary question with both orderings at once: does the number of signs "
            "rise with the anaemia grade? (exact: the counts are small)",
        ),
        estimate=res.estimate,
        p_value=res.p_value,
        n=res.n,
        n_missing=res.n_missing,
        note=res.note,
        _reading=reading,
    )
