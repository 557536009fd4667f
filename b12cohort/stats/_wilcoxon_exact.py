"""The exact Wilcoxon rank-sum distribution, once per pair of group sizes (private).

Used by :func:`b12cohort.stats.rank_tests.compare_groups` when R ``wilcox.test`` would
use the exact distribution (no ties, both groups < 50): the null frequencies of W (R
``cwilcox``, exact integers) and their cumulative sums are computed once per pair of
sizes and cached, so a repeated call costs a few look-ups. The p-value is the ratio of
exact integer tail counts (correctly rounded); the interval takes order statistics of the
pairwise differences at R ``qwilcox`` quantiles (:func:`b12cohort.stats._rports.qwilcox`,
unchanged), selected without forming the differences
(:mod:`b12cohort.stats._pairwise`).
"""

from __future__ import annotations

import functools
import itertools
import math

from b12cohort.stats._pairwise import difference_order_statistics, median_difference
from b12cohort.stats._rports import qwilcox, wilcox_counts

__all__ = ["exact_interval", "exact_p"]


@functools.lru_cache(maxsize=256)
def _null_counts(nx: int, ny: int) -> tuple[int, ...]:
    """Exact null frequencies of W (R ``cwilcox``), computed once per pair of sizes."""
    return tuple(wilcox_counts(nx, ny))


@functools.lru_cache(maxsize=256)
def _null_cumulative(nx: int, ny: int) -> tuple[int, ...]:
    """Exact cumulative frequencies of W: ``cum[q] = #{W <= q}`` (Python integers)."""
    return tuple(itertools.accumulate(_null_counts(nx, ny)))


@functools.lru_cache(maxsize=1024)
def _quantile(alpha: float, nx: int, ny: int) -> int:
    """R ``qwilcox(alpha, nx, ny)`` (:func:`qwilcox`), once per level and sizes."""
    return qwilcox(alpha, _null_counts(nx, ny))


def _lower_tail(q: int, nx: int, ny: int) -> float:
    """R ``pwilcox(q, nx, ny)``: exactly :func:`pwilcox` (the same integer ratio)."""
    if q < 0:
        return 0.0
    cum = _null_cumulative(nx, ny)
    return 1.0 if q >= len(cum) - 1 else cum[q] / cum[-1]


def exact_p(u: float, nx: int, ny: int, alternative: str) -> float:
    """R's exact p-value of W = u (no ties): ``pwilcox`` tails from the exact counts.

    Sums of the exact integer counts, divided once, so the p-value is the correctly
    rounded ratio (what SciPy's exact ``mannwhitneyu`` approximates in floating point).
    """
    cum = _null_cumulative(nx, ny)
    total = cum[-1]
    k = round(u)
    lower = cum[k] / total  # P(W <= u)
    upper = (total - (cum[k - 1] if k > 0 else 0)) / total  # P(W >= u)
    if alternative == "less":
        return lower
    if alternative == "greater":
        return upper
    return min(1.0, 2 * (upper if u > (len(cum) - 1) / 2 else lower))


def exact_interval(x, y, alternative, confidence):
    """R's exact CI from order statistics of the pairwise differences x_i - y_j.

    The order statistics are selected without forming the nx * ny differences
    (:mod:`b12cohort.stats._pairwise`); the values are those of R's ``sort(outer(x, y, "-"))``.
    """
    nx, ny = len(x), len(y)
    alpha = 1 - confidence
    if alternative == "two-sided":
        qu = _quantile(alpha / 2, nx, ny) or 1
        ql = nx * ny - qu
        achieved = 2 * _lower_tail(qu - 1, nx, ny)
        lo, hi = difference_order_statistics(x, y, [qu - 1, ql])
    else:
        qu = _quantile(alpha, nx, ny) or 1
        achieved = _lower_tail(qu - 1, nx, ny)
        if alternative == "greater":
            lo, hi = difference_order_statistics(x, y, [qu - 1])[0], math.inf
        else:
            lo, hi = -math.inf, difference_order_statistics(x, y, [nx * ny - qu])[0]
    achieved_conf = confidence if achieved - alpha <= alpha / 2 else 1 - achieved
    return median_difference(x, y), float(lo), float(hi), achieved_conf
