"""Paired (one-sample) comparison: Wilcoxon signed-rank test with the Hodges-Lehmann
pseudo-median and its interval, as R ``wilcox.test(after, before, paired = TRUE,
conf.int = TRUE)`` computes them (R 4.2.2 ``stats:::wilcox.test.default``, ported
statement by statement where R's algorithm decides the digits; pinned in
``tests/reference/paired.R``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_confidence,
    float_values,
    require_columns,
)
from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.core.results import Result
from b12cohort.stats._rports import r_zeroin

__all__ = ["PairedComparison", "compare_paired"]

TEST = "Wilcoxon signed-rank test"
#: R: exact p-value and interval when fewer than 50 non-zero differences (and no ties).
EXACT_MAX_N = 50
TOL_ROOT = 1e-4  # wilcox.test(tol.root = 1e-4)
_EPS = float(np.finfo(float).eps)
P_METHODS = ("auto", "exact", "asymptotic")


@dataclass(frozen=True)
class PairedComparison(Result):
    """Result of :func:`compare_paired` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    before: str
    after: str
    n: int
    n_zero: int
    n_missing: int
    mu: float
    statistic: float
    p_value: float
    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    confidence_achieved: float
    alternative: str
    correct: bool
    note: str


@lru_cache(maxsize=64)
def _signrank_counts(n: int) -> tuple[int, ...]:
    """Frequencies of V = 0..n(n+1)/2 over the 2^n sign patterns (R ``csignrank``)."""
    top = n * (n + 1) // 2
    w = [0] * (top + 1)
    w[0] = 1
    for k in range(1, n + 1):
        for s in range(min(k * (k + 1) // 2, top), k - 1, -1):
            w[s] += w[s - k]
    return tuple(w)


def _psignrank(q: float, n: int, lower_tail: bool = True) -> float:
    """R ``psignrank(q, n, lower.tail)`` (signrank.c), summed in R's order with R's
    factor ``exp(-n log 2)`` so that the last bits agree (R's ``signif`` of the achieved
    level depends on them)."""
    counts = _signrank_counts(n)
    x = float(np.rint(q + 1e-7))
    top = n * (n + 1) / 2
    if x < 0:
        return 0.0 if lower_tail else 1.0
    if x >= top:
        return 1.0 if lower_tail else 0.0
    f = math.exp(-n * math.log(2))
    p = 0.0
    if x <= top / 2:
        for i in range(int(x) + 1):
            p += counts[i] * f
    else:
        for i in range(int(top - x)):
            p += counts[i] * f
        lower_tail = not lower_tail
    return p if lower_tail else 0.5 - p + 0.5


def _psignrank_above(q: float, n: int) -> float:
    """P(V > q): R ``psignrank(q, n, lower.tail = FALSE)``."""
    return _psignrank(q, n, lower_tail=False)


def _qsignrank(p: float, n: int) -> int:
    """R ``qsignrank(p, n)`` (signrank.c, with its 10 * DBL_EPSILON fuzz)."""
    counts = _signrank_counts(n)
    f = math.exp(-n * math.log(2))
    acc, q = 0.0, 0
    if p <= 0.5:
        p = p - 10 * _EPS
        while True:
            acc += counts[q] * f
            if acc >= p:
                return q
            q += 1
    p = 1 - p + 10 * _EPS
    while True:
        acc += counts[q] * f
        if acc > p:
            return n * (n + 1) // 2 - q
        q += 1


def _exact(x, n, v, alternative, confidence):
    """Exact p-value, Walsh-average interval and pseudo-median (x: differences + mu)."""
    if alternative == "two-sided":
        p = _psignrank_above(v - 1, n) if v > n * (n + 1) / 4 else _psignrank(v, n)
        p = min(2 * p, 1.0)
    elif alternative == "greater":
        p = _psignrank_above(v - 1, n)
    else:
        p = _psignrank(v, n)
    i, j = np.triu_indices(n)
    walsh = np.sort((x[i] + x[j]) / 2)
    alpha = 1 - confidence
    top = n * (n + 1) // 2
    qu = max(1, _qsignrank(alpha / 2 if alternative == "two-sided" else alpha, n))
    ql = top - qu
    achieved = (2 if alternative == "two-sided" else 1) * _psignrank(qu - 1, n)
    lo = walsh[qu - 1] if alternative != "less" else -math.inf
    hi = walsh[ql] if alternative != "greater" else math.inf
    return p, float(lo), float(hi), float(np.median(walsh)), achieved


def _w_of(x, correct, alternative):
    """R's ``W(d)``: the standardised signed-rank statistic of ``x - d``."""

    def w(d, use_correct=correct):
        xd = x - d
        xd = xd[xd != 0]
        nx = len(xd)
        dr = stats.rankdata(np.abs(xd))
        zd = dr[xd > 0].sum() - nx * (nx + 1) / 4
        ties = np.unique(dr, return_counts=True)[1].astype(float)
        sigma = math.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - np.sum(ties**3 - ties) / 48)
        corr = 0.0
        if use_correct:
            corr = {"two-sided": np.sign(zd) * 0.5, "greater": 0.5, "less": -0.5}[alternative]
        return (zd - corr) / sigma if sigma > 0 else math.copysign(math.inf, zd - corr)

    return w


def _asymptotic_interval(x, correct, alternative, confidence):
    w = _w_of(x, correct, alternative)
    mumin, mumax = float(x.min()), float(x.max())
    w_min, w_max = w(mumin), w(mumax)
    alpha = 1 - confidence
    level = confidence
    notes = []

    def root(zq):
        return r_zeroin(lambda d: w(d) - zq, mumin, mumax, tol=TOL_ROOT)

    if alternative == "two-sided":
        while w_min - stats.norm.isf(alpha / 2) < 0 or w_max - stats.norm.ppf(alpha / 2) > 0:
            alpha *= 2
    elif alternative == "greater":
        while w_min - stats.norm.isf(alpha) < 0:
            alpha *= 2
    else:
        while w_max - stats.norm.ppf(alpha / 2) > 0:  # R checks alpha/2 here, as written
            alpha *= 2
    if alpha >= 1 or 1 - confidence < alpha * 0.75:
        level = 1 - min(1.0, alpha)
        notes.append(f"The requested confidence {confidence:g} is not achievable; {level:g} is.")
    med = float(np.median(x))
    if alternative == "two-sided":
        lo, hi = (
            (root(stats.norm.isf(alpha / 2)), root(stats.norm.ppf(alpha / 2)))
            if alpha < 1
            else (med, med)
        )
    elif alternative == "greater":
        lo, hi = (root(stats.norm.isf(alpha)) if alpha < 1 else med), math.inf
    else:
        lo, hi = -math.inf, (root(stats.norm.ppf(alpha)) if alpha < 1 else med)
    w0 = _w_of(x, False, alternative)
    est = r_zeroin(w0, mumin, mumax, tol=TOL_ROOT) if mumin < mumax else mumin
    return float(lo), float(hi), float(est), level, notes


def compare_paired(
    data: pd.DataFrame,
    *,
    before: str,
    after: str,
    mu: float = 0.0,
    p_method: str = "auto",
    correct: bool = True,
    confidence: float = 0.95,
    alternative: str = "two-sided",
) -> PairedComparison:
    """Wilcoxon signed-rank test of ``after - before`` against ``mu``, as R does it.

    Parameters
    ----------
    data : pandas.DataFrame
    before, after : str
        Numeric columns measured on the same subjects (rows with either missing are
        dropped and counted).
    mu : float
        Location shift under the null hypothesis (R ``mu``).
    p_method : {"auto", "exact", "asymptotic"}
        ``"auto"``: R's rule — exact when fewer than 50 non-zero differences and no ties
        among their absolute values, else the normal approximation; a switch forced by
        ties or zeros raises :class:`ApproximationWarning`. ``"exact"`` raises
        :class:`ExactTestInfeasibleError` with ties or zeros (R has no exact test then).
    correct : bool
        Continuity correction of the normal approximation (R's default TRUE).
    confidence : float
    alternative : {"two-sided", "less", "greater"}
        "greater": ``after`` tends to exceed ``before + mu``.

    Returns
    -------
    PairedComparison
        ``statistic`` (R's V, the sum of the ranks of the positive differences),
        ``p_value``, ``estimate`` (the pseudo-median of the differences: the median of the
        Walsh averages for the exact method, R's root of the normal statistic
        otherwise), ``ci_low``/``ci_high``, ``confidence`` and ``confidence_achieved``
        (R lowers it when the requested level cannot be reached), ``n`` (complete
        pairs), ``n_zero`` (differences equal to ``mu``, dropped as R drops them),
        ``n_missing``, ``mu``, ``alternative``, ``correct``, ``test``, ``method``
        (``"exact"`` or ``"asymptotic"``), ``method_detail``, ``note``.

    Raises
    ------
    ArgumentError
        Unknown or non-numeric columns, no non-zero difference.
    ExactTestInfeasibleError
        ``p_method="exact"`` with ties or zeros.

    Notes
    -----
    Tested against R ``wilcox.test(after, before, paired = TRUE, mu = mu, exact = ...,
    correct = ..., conf.int = TRUE)``. The normal approximation uses the tie-corrected
    variance ``n(n+1)(2n+1)/24 - sum(t^3 - t)/48``; its interval inverts that statistic
    with R's own root finder (``uniroot``, ``tol.root = 1e-4``), so its limits carry R's
    1e-4 tolerance (reproduced, not improved). As in R, differences equal to ``mu`` are
    dropped before the interval is computed as well as before the test.

    References
    ----------
    Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bull. 1945;1:80-83.
    Hodges JL, Lehmann EL. Estimates of location based on rank tests. Ann Math Stat.
    1963;34:598-611.
    Bauer DF. Constructing confidence sets using rank statistics. J Am Stat Assoc.
    1972;67:687-690.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"hb0": [70.0, 82, 65, 90, 77], "hb1": [95.0, 101, 88, 99, 104]})
    >>> res = compare_paired(d, before="hb0", after="hb1")
    >>> res.method, res.statistic, round(res.p_value, 4), res.estimate
    ('exact', 15.0, 0.0625, 22.0)
    """
    fn = "compare_paired"
    require_columns(data, [before, after], function=fn)
    p_method = check_choice(p_method, P_METHODS, name="p_method", function=fn)
    confidence = check_confidence(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    try:
        mu = float(mu)
    except (TypeError, ValueError):
        mu = math.nan
    if not math.isfinite(mu):
        raise ArgumentError(f"{fn}(): `mu` must be a finite number; got {mu!r}.")
    b = float_values(data, before, function=fn, expected="numbers")
    a = float_values(data, after, function=fn, expected="numbers")
    ok = np.isfinite(a) & np.isfinite(b)
    n_missing = int((~ok).sum())
    d = a[ok] - b[ok] - mu
    n_pairs = len(d)
    zeros = d == 0
    x = d[~zeros]
    n = len(x)
    if n == 0:
        raise ArgumentError(
            f"{fn}(): no non-zero difference '{after}' - '{before}' - mu among {n_pairs} "
            "complete pair(s); there is nothing to rank."
        )
    r = stats.rankdata(np.abs(x))
    v = float(r[x > 0].sum())
    ties = len(np.unique(r)) != n
    notes = []
    exact_possible = not ties and not zeros.any()
    if p_method == "exact" and not exact_possible:
        raise ExactTestInfeasibleError(
            f"{fn}(): the exact signed-rank test needs distinct, non-zero differences; "
            f"found {'ties' if ties else ''}{' and ' if ties and zeros.any() else ''}"
            f"{'zeros' if zeros.any() else ''}. Use p_method='asymptotic' (or 'auto')."
        )
    wants_exact = p_method == "exact" or (p_method == "auto" and n < EXACT_MAX_N)
    method = "exact" if wants_exact and exact_possible else "asymptotic"
    if wants_exact and method == "asymptotic":
        why = "ties among the differences" if ties else "differences equal to mu"
        msg = f"exact p-value impossible with {why}: normal approximation used, as in R"
        warnings.warn(f"{fn}(): {msg}.", ApproximationWarning, stacklevel=2)
        notes.append(msg[0].upper() + msg[1:] + ".")
    x_ci = x + mu
    if method == "exact":
        p, lo, hi, est, achieved = _exact(x_ci, n, v, alternative, confidence)
        level = confidence
        alpha = 1 - confidence
        if achieved - alpha > alpha / 2:
            level = 1 - float(f"{achieved:.2g}")
            notes.append(
                f"The requested confidence {confidence:g} is not achievable; {level:g} is."
            )
        detail = "exact null distribution of V; Walsh-average interval"
    else:
        z = v - n * (n + 1) / 4
        ranks_ties = np.unique(r, return_counts=True)[1].astype(float)
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(ranks_ties**3 - ranks_ties) / 48)
        corr = 0.0
        if correct:
            corr = {"two-sided": np.sign(z) * 0.5, "greater": 0.5, "less": -0.5}[alternative]
        zstat = (z - corr) / sigma
        p = {
            "less": stats.norm.cdf(zstat),
            "greater": stats.norm.sf(zstat),
            "two-sided": 2 * min(stats.norm.cdf(zstat), stats.norm.sf(zstat)),
        }[alternative]
        lo, hi, est, level, more = _asymptotic_interval(x_ci, correct, alternative, confidence)
        notes += more
        detail = "normal approximation, tie-corrected variance" + (
            ", continuity correction" if correct else ""
        )
    if level != confidence:
        warnings.warn(f"{fn}(): {notes[-1]}", DataQualityWarning, stacklevel=2)
    if zeros.any():
        notes.append(f"{int(zeros.sum())} difference(s) equal to mu dropped, as R does.")
    return PairedComparison(
        test=TEST,
        method=method,
        method_detail=detail,
        before=before,
        after=after,
        n=n_pairs,
        n_zero=int(zeros.sum()),
        n_missing=n_missing,
        mu=mu,
        statistic=v,
        p_value=float(p),
        estimate=float(est),
        ci_low=float(lo),
        ci_high=float(hi),
        confidence=confidence,
        confidence_achieved=float(level),
        alternative=alternative,
        correct=bool(correct),
        note=" ".join(notes),
    )
