"""Exact engines of the stratified tests: per-stratum null distributions and their convolution.

Every stratified exact test here conditions on each stratum's margins. Under the null
hypothesis the strata are independent, so the pooled statistic ``T = Σ_k T_k`` has the
convolution of the per-stratum null distributions as its exact distribution, and each of
those depends only on its own stratum's margins. This is what lets a site release its
own distribution (plus the observed ``T_k``) instead of its rows: the pooled p-value is
computed from the released pieces with the same code as from the concatenated rows.

A distribution is a pair ``(offset, prob)``: ``prob[j]`` is ``P(T = offset + j)`` on an
integer lattice (scores are integers, see :func:`integer_scores`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from b12cohort.stats._fexact import Conditional2x2
from b12cohort.stats._trend import COIN_EPS

__all__ = [
    "Conditional2x2xK",
    "convolve",
    "hypergeometric_distribution",
    "integer_scores",
    "lattice_pvalue",
    "score_sum_distribution",
    "score_sum_work",
]


def integer_scores(scores, *, max_denominator: int = 1000) -> tuple[np.ndarray, float] | None:
    """Scores as integers on a common lattice: ``(k, step)`` with ``scores = min + k * step``.

    The trend statistic is invariant to a shift and a positive rescaling of the scores,
    so the exact distribution may be computed for ``k``. None when the scores are not
    rational with a denominator up to ``max_denominator`` (to 1e-12).
    """
    s = np.asarray(scores, dtype=float)
    base = float(s.min())
    fracs = []
    for v in s - base:
        f = Fraction(float(v)).limit_denominator(max_denominator)
        if abs(float(f) - v) > 1e-12 * max(1.0, abs(v)):
            return None
        fracs.append(f)
    den = math.lcm(*(f.denominator for f in fracs)) if fracs else 1
    k = np.array([int(f * den) for f in fracs], dtype=np.int64)
    g = math.gcd(*(int(v) for v in k)) if k.any() else 1
    return k // max(g, 1), float(g) / den if k.any() else 1.0


def score_sum_work(n_i, m: int, k) -> float:
    """Array cells the dynamic programme of :func:`score_sum_distribution` touches."""
    n_i = np.asarray(n_i, dtype=np.int64)
    width = m * int(np.max(k)) + 1 if len(k) else 1
    return float(np.sum(n_i + 1)) * (m + 1) * width


def score_sum_distribution(n_i, m: int, k) -> tuple[int, np.ndarray]:
    """Exact null distribution of ``T = Σ_i x_i k_i`` in one stratum.

    ``n_i`` subjects at integer score ``k_i``; ``m`` of them have the event. Under the null
    (margins fixed) the events per level are multivariate hypergeometric; they are drawn
    level by level (each a hypergeometric given the ones before), so the programme holds
    ``P(j events so far, score sum t)`` as an ``(m + 1) x (t_max + 1)`` array.
    """
    from scipy.stats import hypergeom

    n_i = np.asarray(n_i, dtype=np.int64)
    k = np.asarray(k, dtype=np.int64)
    width = m * int(k.max()) + 1 if len(k) else 1
    prob = np.zeros((m + 1, width))
    prob[0, 0] = 1.0
    remaining = int(n_i.sum())
    j = np.arange(m + 1)
    for ni, ki in zip(n_i.tolist(), k.tolist(), strict=True):
        if ni == 0:  # an empty level takes no events (and scipy's pmf is NaN there)
            continue
        new = np.zeros_like(prob)
        need = m - j
        for a in range(min(ni, m) + 1):
            # P(a of the `need` remaining events fall in this level); impossible states are 0
            w = np.nan_to_num(hypergeom.pmf(a, remaining, ni, need))
            w = np.where(need >= a, w, 0.0)
            rows = j[: m + 1 - a]
            if not np.any(w[rows] > 0):
                continue
            shift = a * ki
            new[a:, shift:] += (prob[rows, : width - shift]) * w[rows, None]
        prob = new
        remaining -= ni
    dist = prob[m]
    nz = np.flatnonzero(dist > 0)
    if not len(nz):  # pragma: no cover - the margins always allow one table
        return 0, np.ones(1)
    dist = dist[nz[0] : nz[-1] + 1]
    return int(nz[0]), dist / dist.sum()


def hypergeometric_distribution(m: int, n: int, t: int) -> tuple[int, np.ndarray]:
    """Null distribution of the top-left cell of a 2x2 table with column totals ``m, n``
    and first row total ``t`` (as R ``mantelhaen.test(exact = TRUE)``)."""
    from scipy.stats import hypergeom

    lo, hi = max(0, t - n), min(t, m)
    support = np.arange(lo, hi + 1)
    return lo, hypergeom.pmf(support, m + n, m, t)


def convolve(dists) -> tuple[int, np.ndarray]:
    """The distribution of a sum of independent lattice variables ``[(offset, prob), ...]``."""
    offset, prob = 0, np.ones(1)
    for off, p in dists:
        offset += int(off)
        prob = np.convolve(prob, np.asarray(p, dtype=float))
        prob /= prob.sum()
    return offset, prob


def lattice_pvalue(offset: int, prob, t_obs: float, mean: float, sd: float, alternative: str):
    """coin's exact p-value of the standardised statistic ``z = (T − mean) / sd``.

    Ties within ``sqrt(.Machine$double.eps)`` on the ``z`` scale count, as coin's ``%GE%``
    and ``%LE%``: two-sided ``P(|Z| >= |z|)``, ``"greater"`` ``P(Z >= z)``, ``"less"``
    ``P(Z <= z)``.
    """
    prob = np.asarray(prob, dtype=float)
    z_support = (offset + np.arange(len(prob)) - mean) / sd
    z = (t_obs - mean) / sd
    if alternative == "greater":
        hit = z_support >= z - COIN_EPS
    elif alternative == "less":
        hit = z_support <= z + COIN_EPS
    else:
        hit = np.abs(z_support) >= abs(z) - COIN_EPS
    return z, float(min(1.0, prob[hit].sum()))


class Conditional2x2xK(Conditional2x2):
    """R ``mantelhaen.test(exact = TRUE)``'s model: the noncentral distribution of
    ``S = Σ_k a_k`` given every stratum's margins, with its conditional MLE and exact CI.

    The null distribution ``dc`` is the convolution of the strata's hypergeometrics (R's
    ``C_d2x2xk``); the closures ``dn2x2xk``, ``mn2x2xk``, ``pn2x2xk``, ``mle``, ``ncp.U``,
    ``ncp.L`` are those of the 2x2 case (inherited), with R's root finder.
    """

    def __init__(self, x: int, offset: int, dc):
        dc = np.asarray(dc, dtype=float)
        self.x = int(x)
        self.lo, self.hi = int(offset), int(offset) + len(dc) - 1
        self.support = np.arange(self.lo, self.hi + 1, dtype=float)
        self._dc = dc
        with np.errstate(divide="ignore"):
            self.logdc = np.log(dc)

    def pnhyper(self, q: int, ncp: float = 1.0, upper_tail: bool = False) -> float:
        if ncp == 1:
            d = self._dc
            return float(np.sum(d[self.support >= q] if upper_tail else d[self.support <= q]))
        return super().pnhyper(q, ncp, upper_tail)

    def dnhyper(self, ncp: float) -> np.ndarray:
        if ncp == 1:
            return self._dc
        return super().dnhyper(ncp)
