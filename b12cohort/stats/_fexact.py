"""Numerical engines of :mod:`b12cohort.stats.contingency` (private).

* :func:`fexact_pvalue`: exact Fisher–Freeman–Halton p-value for R×C tables, a vectorised
  network algorithm (described below);
* :class:`Conditional2x2` and :func:`r_zeroin`: R ``fisher.test``'s 2×2 code path (p-value,
  conditional MLE odds ratio and exact conditional interval, with R's root finder);
* :func:`monte_carlo_pvalue`: the seeded Monte Carlo fallback.

The Cochran–Armitage trend test has its own engines in :mod:`b12cohort.stats._trend`.

Why our own R×C algorithm:
SciPy's :func:`scipy.stats.fisher_exact` is exact only for 2×2 tables; for R×C it offers
Monte Carlo or a full permutation enumeration, neither of which reproduces R's
``fisher.test`` (FEXACT) p-value deterministically or fast enough.

Algorithm (Mehta & Patel 1983 network algorithm, breadth-first and vectorised)
---------------------------------------------------------------------------------
Given the margins, the probability of a table is ``exp(K + V)`` with
``K = Σ log r_i! + Σ log c_j! − log N!`` and ``V = −Σ_ij log x_ij!``. The p-value is the
total probability of the tables with ``V <= V_obs + TOL``.

The table is transposed so that rows are the shorter dimension and the columns are
processed one at a time, smallest total first (as FEXACT does). A *node* at level ``j``
is the multiset of row totals still to be filled after columns ``0..j-1`` are placed —
every completion of two partial tables leading to the same node is the same, so they
share one sub-problem. Each node carries a list of *past* path values ``a`` (the ``V``
accumulated so far), with multiplicities; entries whose values coincide (to 1e-9 on the
log scale) are merged, preserving their exact mass.

Moving a node to the next level enumerates every split of the next column total among
the rows (numpy arrays, no Python loop over tables). Every child entry is then checked
against bounds on what its completions can still contribute:

* if ``a + U <= thr`` where ``U`` bounds from above the largest completion value, every
  completion is in the rejection region: its whole mass ``exp(K + a + log T)`` is added
  at once, with ``T = N'! / (Π r'_i! Π c'_l!)`` the closed-form sum of ``exp(V)`` over all
  completions (the multinomial identity);
* if ``a + L > thr`` where ``L`` bounds from below the smallest completion value, no
  completion can count and the entry is dropped;
* otherwise the entry goes on to the next level.

``U`` is the smallest of three upper bounds: two relaxations solved exactly by
water-filling (each remaining column split among the rows as evenly as the row totals
allow, or each row split among the remaining columns as evenly as the column totals allow;
``−log x!`` is concave so even splits maximise it) and a Lagrangian bound with multipliers
started at the independence table. ``L`` is the larger of the two "most concentrated" relaxations
(``log x!`` is convex, so the greedy fill of the largest capacities maximises it — the
greedy allocation majorises every other feasible one).

When two columns remain, the completions of a node are the splits of the penultimate
column (the last is then determined). They are enumerated once per node; when a node has
few entries every entry is paired with every completion, otherwise the completions are
sorted by value with cumulative probabilities and every entry is answered by one binary
search: a meet-in-the-middle step that costs ``O((m + L) log L)`` per node instead of
``O(m × L)``. Every step runs for all the nodes of a level at once
(:mod:`b12cohort.stats._fexact_network`), and a level of fewer than
``BOUNDS_FROM`` partial tables skips the bounds (they cost more than they save there).

Tolerance: like FEXACT (R ``fisher.test`` for tables other than 2×2), a table counts when
``log P(table) <= log P(observed) + 3.45254e-7`` (FEXACT's ``tol``, "the square root of
the smallest relative spacing", added to the observed path length ``obs``).

Bounds are computed once per distinct child node of a level (many nodes share children).

Work budget: before each level the algorithm counts what the step will create (partial
tables = entries × splits, completions, bound evaluations) and raises
:class:`WorkLimitExceeded` *before* doing a step that would take the total beyond
``max_work``, so the call never hangs. The caller decides up front from
:func:`b12cohort.stats._fexact_plan.work_estimate` whether to try at all.

References
----------
Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
contingency tables. J Am Stat Assoc. 1983;78(382):427-434.
Mehta CR, Patel NR. Algorithm 643: FEXACT: a FORTRAN subroutine for Fisher's exact test on
unordered r × c contingency tables. ACM Trans Math Softw. 1986;12(2):154-161.
Joe H. Extreme probabilities for contingency tables under row and column independence with
application to Fisher's exact test. Commun Stat Theory Methods. 1988;17(11):3677-3685.
Brent RP. Algorithms for Minimization without Derivatives. Prentice-Hall; 1973 (zeroin).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln
from scipy.special._ufuncs import _hypergeom_cdf, _hypergeom_sf

from b12cohort.stats import _fexact_fast
from b12cohort.stats._fexact_network import (  # WorkLimitExceeded, _bounds, _merge: re-exported
    WorkLimitExceeded,
    _bounds,
    _merge,
    network_pvalue,
)
from b12cohort.stats._rports import r_zeroin

#: FEXACT's tolerance on the log-probability scale (R src/library/stats/src/fexact.c).
TOL_LOG = 3.45254e-7


def fexact_pvalue(table, *, max_work: int = 10_000_000, prepared=None) -> tuple[float, int]:
    """Exact Fisher–Freeman–Halton p-value of an R×C table of counts.

    ``table`` must have no all-zero row or column and at least 2 rows and 2 columns.
    Returns ``(p_value, work)`` where ``work`` counts the partial tables generated,
    completions built and bounds evaluated.
    Raises :class:`WorkLimitExceeded` *before* a step whose work would take the total
    beyond ``max_work``. ``prepared``: :func:`prepare`'s result for ``table``, if at hand.
    """
    x, lf, thr, const = prepare(table) if prepared is None else prepared
    work = 0

    def spend(amount: float) -> None:
        nonlocal work
        if work + amount > max_work:
            raise WorkLimitExceeded(work, int(min(amount, 2**62)), max_work)
        work += int(amount)

    if x.shape[0] == 2:
        limit = min(_fexact_fast.ENUMERATE_LIMIT, max_work)
        if _fexact_fast.table_count_bound(x) <= limit:  # few tables: build them all at once
            small = _fexact_fast.enumerate_pvalue(x, lf, thr, const, limit)
            if small is not None:
                return small
        # closed-form last step (hypergeometric tails)
        p = _fexact_fast.two_row_pvalue(x, lf, thr, const, spend, _bounds, _merge)
        return p, work
    return network_pvalue(x, lf, thr, const, spend), work


def prepare(table):
    """The engine's view of a table: transposed so that rows <= columns, columns sorted by
    total (ascending, so the two largest are resolved last), ``log i!`` up to N + 1, the
    threshold ``−Σ log x_ij! + TOL_LOG`` and the constant ``Σ log r_i! + Σ log c_j! − log N!``.
    """
    x = np.asarray(table, dtype=np.int64)
    if x.shape[0] > x.shape[1]:
        x = x.T
    x = x[:, np.argsort(x.sum(0), kind="stable")]
    rows0, cols = x.sum(1), x.sum(0)
    n = int(cols.sum())
    lf = gammaln(np.arange(n + 2, dtype=float) + 1.0)
    thr = -lf[x].sum() + TOL_LOG
    const = lf[rows0].sum() + lf[cols].sum() - lf[n]
    return x, lf, thr, const


# ---------------------------------------------------------------------------------------
# 2×2 tables: R's fisher.test code path (p-value, conditional MLE and exact conditional CI)
# ---------------------------------------------------------------------------------------

#: R's relative tolerance for ties in the 2×2 two-sided p-value (``relErr <- 1 + 10^(-7)``).
REL_ERR_2X2 = 1.0 + 1e-7
_DBL_EPS = float(np.finfo(float).eps)


class Conditional2x2:
    """The noncentral hypergeometric model of a 2×2 table, as in R ``fisher.test``.

    ``x`` is the top-left count, ``m`` and ``n`` the column totals, ``k`` the first row
    total. Mirrors R's closures ``dnhyper``, ``mnhyper``, ``pnhyper``, ``mle``, ``ncp.U``
    and ``ncp.L`` line by line (same branches, same root-finder).
    """

    def __init__(self, x: int, m: int, n: int, k: int):
        self.x, self.m, self.n, self.k = int(x), int(m), int(n), int(k)
        self.lo = max(0, self.k - self.n)
        self.hi = min(self.k, self.m)
        self.support = np.arange(self.lo, self.hi + 1, dtype=float)
        # scipy.stats.hypergeom(m + n, m, k).logpmf(support), term for term (its _logpmf),
        # without building a frozen distribution on every call
        tot, good, draws, sup = self.m + self.n, self.m, self.k, self.support
        bad = tot - good
        self.logdc = (
            betaln(good + 1, 1) + betaln(bad + 1, 1) + betaln(tot - draws + 1, draws + 1)
            - betaln(sup + 1, good - sup + 1) - betaln(draws - sup + 1, bad - draws + sup + 1)
            - betaln(tot + 1, 1)
        )  # fmt: skip

    def _cdf(self, q: int) -> float:
        """``hypergeom(m + n, m, k).cdf(q)`` (SciPy's Boost kernel, SciPy's edge rules)."""
        if q >= self.hi:
            return 1.0
        if q < self.lo:
            return 0.0
        return float(np.clip(_hypergeom_cdf(q, self.m, self.k, self.m + self.n), 0.0, 1.0))

    def _sf(self, q: int) -> float:
        """``hypergeom(m + n, m, k).sf(q)``."""
        if q < self.lo:
            return 1.0
        if q >= self.hi:
            return 0.0
        return float(np.clip(_hypergeom_sf(q, self.m, self.k, self.m + self.n), 0.0, 1.0))

    def dnhyper(self, ncp: float) -> np.ndarray:
        d = self.logdc + np.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mnhyper(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if ncp == np.inf:
            return float(self.hi)
        return float(np.sum(self.support * self.dnhyper(ncp)))

    def pnhyper(self, q: int, ncp: float = 1.0, upper_tail: bool = False) -> float:
        if ncp == 1:
            return self._sf(self.x - 1) if upper_tail else self._cdf(self.x)
        if ncp == 0:
            return float(q <= self.lo if upper_tail else q >= self.lo)
        if ncp == np.inf:
            return float(q <= self.hi if upper_tail else q >= self.hi)
        d = self.dnhyper(ncp)
        return float(np.sum(d[self.support >= q] if upper_tail else d[self.support <= q]))

    def p_value(self, alternative: str, odds_ratio: float = 1.0) -> float:
        """R ``fisher.test(x, or = odds_ratio, alternative = ...)$p.value``."""
        if alternative == "less":
            return self.pnhyper(self.x, odds_ratio)
        if alternative == "greater":
            return self.pnhyper(self.x, odds_ratio, upper_tail=True)
        if odds_ratio == 0:
            return float(self.x == self.lo)
        if odds_ratio == np.inf:
            return float(self.x == self.hi)
        d = self.dnhyper(odds_ratio)
        return float(min(1.0, np.sum(d[d <= d[self.x - self.lo] * REL_ERR_2X2])))

    def mle(self) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        if x == self.hi:
            return np.inf
        mu = self.mnhyper(1.0)
        if mu > x:
            return r_zeroin(lambda t: self.mnhyper(t) - x, 0.0, 1.0)
        if mu < x:
            return 1.0 / r_zeroin(lambda t: self.mnhyper(1.0 / t) - x, _DBL_EPS, 1.0)
        return 1.0

    def ncp_upper(self, alpha: float) -> float:
        x = self.x
        if x == self.hi:
            return np.inf
        p = self.pnhyper(x, 1.0)
        if p < alpha:
            return r_zeroin(lambda t: self.pnhyper(x, t) - alpha, 0.0, 1.0)
        if p > alpha:
            return 1.0 / r_zeroin(lambda t: self.pnhyper(x, 1.0 / t) - alpha, _DBL_EPS, 1.0)
        return 1.0

    def ncp_lower(self, alpha: float) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        p = self.pnhyper(x, 1.0, upper_tail=True)
        if p > alpha:
            return r_zeroin(lambda t: self.pnhyper(x, t, upper_tail=True) - alpha, 0.0, 1.0)
        if p < alpha:
            return 1.0 / r_zeroin(
                lambda t: self.pnhyper(x, 1.0 / t, upper_tail=True) - alpha, _DBL_EPS, 1.0
            )
        return 1.0

    def conf_int(self, alternative: str, confidence: float) -> tuple[float, float]:
        if alternative == "less":
            return 0.0, self.ncp_upper(1.0 - confidence)
        if alternative == "greater":
            return self.ncp_lower(1.0 - confidence), np.inf
        alpha = (1.0 - confidence) / 2.0
        return self.ncp_lower(alpha), self.ncp_upper(alpha)


# ---------------------------------------------------------------------------------------
# Monte Carlo fallback
# ---------------------------------------------------------------------------------------


def monte_carlo_pvalue(x: np.ndarray, n_resamples: int, rng) -> tuple[float, float]:
    """Monte Carlo Fisher–Freeman–Halton p-value: tables drawn under the margins.

    Tables are sampled with :func:`scipy.stats.random_table` (Patefield's algorithm) and
    counted when ``log P <= log P_obs + tol``. As in R's ``simulate.p.value``, the observed
    table counts as one draw: ``p = (1 + hits) / (B + 1)``.
    """
    from scipy.stats import random_table

    n = int(x.sum())
    lf = gammaln(np.arange(n + 1, dtype=float) + 1.0)
    thr = -lf[x].sum() + TOL_LOG
    dist = random_table(x.sum(1), x.sum(0), seed=rng)
    chunk = max(1, min(n_resamples, 4_000_000 // x.size))
    hits = done = 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        sims = dist.rvs(b, method="patefield")
        hits += int(np.count_nonzero(-lf[sims].sum(axis=(1, 2)) <= thr))
        done += b
    p = (hits + 1) / (n_resamples + 1)
    return p, float(np.sqrt(p * (1 - p) / n_resamples))
