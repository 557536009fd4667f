"""Numerical routines of R ported statement by statement, shared by the statistics modules.

They exist so that results reproduce R to the last digits where R's own algorithm
(not just its mathematics) decides the answer, e.g. the root ``uniroot`` stops at.
"""

from __future__ import annotations

import numpy as np

__all__ = ["R_UNIROOT_TOL", "r_zeroin"]

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
