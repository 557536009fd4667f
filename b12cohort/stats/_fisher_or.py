"""Fisher's exact test of a 2x2 table against an odds ratio other than 1 (private).

R ``fisher.test(x, or = or0)`` (R 4.2.2 ``stats::fisher.test``): the conditional
(non-central hypergeometric) distribution of ``x[0, 0]`` given the margins, with
``P(x) proportional to C(m, x) C(n, k - x) or0^x``; the two-sided p-value sums the
tables no more probable than the observed one, to R's relative tolerance 1e-7. Pinned
in ``tests/reference/parity.R``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["fisher_or_pvalue"]

REL_ERR = 1 + 1e-7


def fisher_or_pvalue(table, odds_ratio_null: float, alternative: str) -> float:
    """p-value of ``H0: odds ratio = odds_ratio_null`` for a 2x2 table of counts."""
    x = np.asarray(table, dtype=np.int64)
    m, n, k, obs = int(x[:, 0].sum()), int(x[:, 1].sum()), int(x[0, :].sum()), int(x[0, 0])
    lo, hi = max(0, k - n), min(k, m)
    support = np.arange(lo, hi + 1)
    or0 = float(odds_ratio_null)
    if or0 == 1.0:
        if alternative == "less":
            return float(stats.hypergeom.cdf(obs, m + n, m, k))
        if alternative == "greater":
            return float(stats.hypergeom.sf(obs - 1, m + n, m, k))
    if or0 == 0.0 or math.isinf(or0):  # R's pnhyper / two-sided at the boundary
        edge = lo if or0 == 0.0 else hi
        return float({"less": obs >= edge, "greater": obs <= edge}.get(alternative, obs == edge))
    logdc = stats.hypergeom.logpmf(support, m + n, m, k)
    d = logdc + math.log(or0) * support
    d = np.exp(d - d.max())
    d /= d.sum()
    if alternative == "less":
        return float(d[support <= obs].sum())
    if alternative == "greater":
        return float(d[support >= obs].sum())
    return float(min(1.0, d[d <= d[obs - lo] * REL_ERR].sum()))
