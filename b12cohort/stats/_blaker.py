"""Blaker's exact test and confidence interval for a binomial proportion (private).

Blaker (2000) inverts one test: the p-value of ``H0: pi = p0`` is the acceptability

    gamma(p0) = P_p0( min(F(X), S(X)) <= min(F(k), S(k)) ),   F(x) = P(X <= x), S(x) = P(X >= x),

the probability of outcomes whose smaller tail is no larger than the observed one's
(probabilities equal to R's relative tolerance 1e-7 count as equal). The interval is the
set of ``p0`` with ``gamma(p0) > alpha``, so the test rejects exactly the values outside
it: the p-value and the interval never disagree, which the central Clopper-Pearson
interval and ``binom.test``'s two-sided p-value can. The Blaker interval lies within the
Clopper-Pearson interval of the same level and is never wider.

Limits: gamma is evaluated on a grid between the Clopper-Pearson limit and ``k / n`` and
the first crossing refined by bisection to 1e-12. The acceptability set is an interval
for the binomial in every case checked here; the limits reported are those of the
smallest interval containing it.

Reference: Blaker H. Confidence curves and improved exact confidence intervals for
discrete distributions. Can J Stat. 2000;28(4):783-798.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["blaker_interval", "blaker_pvalue"]

REL_ERR = 1 + 1e-7
_GRID = 2000


def blaker_pvalue(k: int, n: int, p0: float) -> float:
    """Blaker's two-sided p-value of ``pi = p0`` for ``k`` events in ``n``."""
    if p0 <= 0.0:
        return float(k == 0)
    if p0 >= 1.0:
        return float(k == n)
    x = np.arange(n + 1)
    pmf = stats.binom.pmf(x, n, p0)
    lower = stats.binom.cdf(x, n, p0)
    upper = stats.binom.sf(x - 1, n, p0)
    tails = np.minimum(lower, upper)
    return float(min(1.0, pmf[tails <= tails[k] * REL_ERR].sum()))


def _crossing(k, n, alpha, outside, inside):
    """Bisect between ``outside`` (gamma <= alpha) and ``inside`` (gamma > alpha)."""
    for _ in range(200):
        mid = (outside + inside) / 2
        if blaker_pvalue(k, n, mid) > alpha:
            inside = mid
        else:
            outside = mid
        if abs(inside - outside) < 1e-13:
            break
    return inside


def blaker_interval(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Blaker's exact interval at level ``confidence`` for ``k`` events in ``n``."""
    alpha = 1 - confidence
    phat = k / n
    lo, hi = 0.0, 1.0
    if k > 0:
        start = stats.beta.ppf(alpha / 2, k, n - k + 1)  # Clopper-Pearson lower limit
        grid = np.linspace(start, phat, _GRID)
        inside = next(i for i, p in enumerate(grid) if blaker_pvalue(k, n, p) > alpha)
        lo = grid[0] if inside == 0 else _crossing(k, n, alpha, grid[inside - 1], grid[inside])
    if k < n:
        start = stats.beta.ppf(1 - alpha / 2, k + 1, n - k)  # Clopper-Pearson upper limit
        grid = np.linspace(start, phat, _GRID)
        inside = next(i for i, p in enumerate(grid) if blaker_pvalue(k, n, p) > alpha)
        hi = grid[0] if inside == 0 else _crossing(k, n, alpha, grid[inside - 1], grid[inside])
    return float(lo), float(hi)
