"""Pearson's product-moment correlation test, as R ``cor.test(method = "pearson")`` (private).

The t test with ``n - 2`` degrees of freedom and Fisher's z interval (R 4.2.2
``stats:::cor.test.default``), pinned in ``tests/reference/parity.R``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["pearson_test"]


def pearson_test(x, y, *, confidence: float, alternative: str) -> dict[str, float]:
    """Estimate, t statistic, df, p-value and interval of Pearson's r (complete pairs).

    The interval needs n >= 4 (NaN otherwise, as R omits it); one-sided alternatives give
    one-sided intervals, as R.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    xm, ym = x - x.mean(), y - y.mean()
    r = float((xm * ym).sum() / math.sqrt((xm**2).sum() * (ym**2).sum()))
    r = max(-1.0, min(1.0, r))
    df = n - 2
    t = math.sqrt(df) * r / math.sqrt(1 - r**2) if abs(r) < 1 else math.copysign(math.inf, r)
    if alternative == "less":
        p = float(stats.t.cdf(t, df))
    elif alternative == "greater":
        p = float(stats.t.sf(t, df))
    else:
        p = float(2 * min(stats.t.cdf(t, df), stats.t.sf(t, df)))
    lo = hi = math.nan
    if n > 3:
        z = math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r)
        sigma = 1 / math.sqrt(n - 3)
        if alternative == "less":
            lo, hi = -1.0, math.tanh(z + sigma * stats.norm.ppf(confidence))
        elif alternative == "greater":
            lo, hi = math.tanh(z - sigma * stats.norm.ppf(confidence)), 1.0
        else:
            q = stats.norm.ppf((1 + confidence) / 2)
            lo, hi = math.tanh(z - sigma * q), math.tanh(z + sigma * q)
    return {"estimate": r, "statistic": t, "df": df, "p_value": p, "ci_low": lo, "ci_high": hi}
