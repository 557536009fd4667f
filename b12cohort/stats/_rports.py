"""Numerical routines of R ported statement by statement, shared by the statistics modules.

They exist so that results reproduce R to the last digits where R's own algorithm
(not just its mathematics) decides the answer, e.g. the root ``uniroot`` stops at.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["R_UNIROOT_TOL", "pwilcox", "qwilcox", "r_zeroin", "wilcox_counts"]

#: ``uniroot``'s default tolerance, ``.Machine$double.eps^0.25``.
R_UNIROOT_TOL = float(np.finfo(float).eps) ** 0.25
_DBL_EPS = float(np.finfo(float).eps)


def r_zeroin(f, ax: float, bx: float, tol: float = R_UNIROOT_TOL, maxit: int = 1000) -> float:
    """Brent's root finder exactly as R's ``uniroot`` runs it (R_zeroin2, zeroin.c).

    Ported so that the conditional odds-ratio estimate and its limits reproduce R
    ``fisher.test`` to many digits: ``uniroot``'s default tolerance (~1.2e-4 on the search
    variable) means R's values can differ from the exact roots in the 4th-5th significant
    digit (up to ~1% for very large upper limits), and a tighter solver would not match R.
    """
    fa, fb = f(ax), f(bx)
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _DBL_EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


# --------------------------------------------------------------------------- Wilcoxon (R)
def wilcox_counts(m: int, n: int) -> list[int]:
    """Exact null frequencies of W (Mann-Whitney U) for group sizes m, n (R ``cwilcox``).

    Coefficients of the Gaussian binomial [m + n choose m]_q, built as the product of
    (1 - q^(n+i)) / (1 - q^i), i = 1..m, in exact integer arithmetic.
    """
    size = m * n + 1
    coef = np.zeros(size, dtype=object)
    coef[0] = 1
    for i in range(1, m + 1):
        k = n + i
        if k < size:
            coef[k:] = coef[k:] - coef[: size - k]
        for r in range(i):  # divide by (1 - q^i): running sums with step i
            coef[r::i] = np.cumsum(coef[r::i])
    return [int(c) for c in coef]


def pwilcox(q: float, counts: list[int]) -> float:
    """P(W <= q) from exact counts."""
    q = math.floor(q + 1e-7)
    if q < 0:
        return 0.0
    if q >= len(counts) - 1:
        return 1.0
    return sum(counts[: q + 1]) / sum(counts)


def qwilcox(x: float, counts: list[int]) -> int:
    """R ``qwilcox(x, m, n)`` (nmath/wilcox.c), including its 10 * DBL_DBL_EPSILON fuzz."""
    mn = len(counts) - 1
    if x <= 0:
        return 0
    if x >= 1:
        return mn
    total = float(sum(counts))
    p, q = 0.0, 0
    if x <= 0.5:
        x = x - 10 * _DBL_EPS
        while True:
            p += counts[q] / total
            if p >= x:
                return q
            q += 1
    x = 1 - x + 10 * _DBL_EPS
    while True:
        p += counts[q] / total
        if p > x:
            return mn - q
        q += 1
