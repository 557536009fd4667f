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
column (the last is then determined). They are enumerated once per node, sorted by value
with cumulative probabilities, and every entry of the node is answered by one binary search
(``numpy.searchsorted``): a meet-in-the-middle step that costs ``O((m + L) log L)`` per node
instead of ``O(m × L)``.

Tolerance: like FEXACT (R ``fisher.test`` for tables other than 2×2), a table counts when
``log P(table) <= log P(observed) + 3.45254e-7`` (FEXACT's ``tol``, "the square root of
the smallest relative spacing", added to the observed path length ``obs``).

Bounds are computed once per distinct child node of a level (many nodes share children).

Work budget: before each level the algorithm counts what the step will create (partial
tables = entries × splits, bound evaluations, plus ``NODE_COST`` per node for the Python
overhead) and raises :class:`WorkLimitExceeded` *before* doing a step that would take the
total beyond ``max_work``, so the call never hangs and hopeless tables fail at once; the
caller then switches to Monte Carlo. One unit is roughly 0.03-0.05 µs on one core.

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
from b12cohort.stats._rports import r_zeroin

#: FEXACT's tolerance on the log-probability scale (R src/library/stats/src/fexact.c).
TOL_LOG = 3.45254e-7
#: Entries whose path values differ by less than this are merged (mass preserved).
_MERGE_TOL = 1e-9
_MAX_KEY = 2**62
#: Work units charged per node visited (its fixed Python cost, ~1000 partial tables).
NODE_COST = 1000


class WorkLimitExceeded(RuntimeError):
    """The exact enumeration would exceed its work budget; ``work`` says how far it got."""

    def __init__(self, work: int, needed: int, budget: int):
        super().__init__(
            f"exact enumeration needs more than {budget:,} partial tables "
            f"(had done {work:,}, next step needs {needed:,})"
        )
        self.work = work
        self.needed = needed
        self.budget = budget


def _allocations(rows: np.ndarray, total: int, budget: int) -> np.ndarray:
    """Every split of ``total`` into ``len(rows)`` parts with ``0 <= x_i <= rows[i]``.

    Returns an ``(L, R)`` int64 array. Built row by row with numpy ``repeat``; each partial
    split has at least one completion (the lower bound keeps enough for the rows left), so
    the partial arrays never exceed the final size, which is checked against ``budget``.
    """
    nrow = len(rows)
    suffix = np.concatenate([np.cumsum(rows[::-1])[::-1][1:], [0]])  # capacity after row i
    alloc = np.zeros((1, 0), dtype=np.int64)
    rem = np.array([total], dtype=np.int64)
    for i in range(nrow - 1):
        lo = np.maximum(0, rem - suffix[i])
        hi = np.minimum(rows[i], rem)
        counts = hi - lo + 1
        size = int(counts.sum())
        if size > budget:
            raise WorkLimitExceeded(0, size, budget)
        idx = np.repeat(np.arange(len(rem)), counts)
        start = np.repeat(np.cumsum(counts) - counts, counts)
        vals = lo[idx] + (np.arange(size) - start)
        alloc = np.column_stack([alloc[idx], vals])
        rem = rem[idx] - vals
    return np.column_stack([alloc, rem])


def _count_allocations(rows: np.ndarray, total: int) -> np.ndarray:
    """Number of splits of ``total`` among rows with capacities ``rows`` (K, R), as floats.

    Exact for two rows (closed form) and, when small enough, by a dynamic programme over the
    rows; otherwise the upper bound ``min(C(total + R - 1, R - 1), Π (r_i + 1))``. Used only
    to estimate the work of a step before doing it.
    """
    nnode, nrow = rows.shape
    if nrow == 2:
        return (np.minimum(total, rows[:, 0]) - np.maximum(0, total - rows[:, 1]) + 1).astype(float)
    if nnode * (total + 1) * nrow <= 20_000_000:
        ways = np.zeros((nnode, total + 1))
        ways[:, 0] = 1.0
        grid = np.arange(total + 1)
        for i in range(nrow):
            cum = np.cumsum(ways, axis=1)
            lag = grid[None, :] - rows[:, i : i + 1] - 1
            ways = cum - np.where(lag >= 0, np.take_along_axis(cum, np.maximum(lag, 0), 1), 0.0)
        return ways[:, total]
    stars = float(np.exp(gammaln(total + nrow) - gammaln(total + 1) - gammaln(nrow)))
    return np.minimum(stars, np.prod(rows + 1.0, axis=1))


def _waterfill_max(t: np.ndarray, caps: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """max of ``−Σ log x_i!`` over ``Σ x_i = t``, ``0 <= x_i <= caps_i`` (caps ascending).

    ``t``: (L,), ``caps``: (L, n) sorted ascending along axis 1, ``t <= caps.sum(1)``.
    The optimum is the most even split: the smallest rows are saturated, the others share
    the rest equally (integer water-filling, optimal because ``log x!`` is convex).
    """
    n = caps.shape[1]
    prefix = np.concatenate([np.zeros((len(t), 1), dtype=np.int64), np.cumsum(caps, 1)], 1)
    lfprefix = np.concatenate([np.zeros((len(t), 1)), np.cumsum(lf[caps], 1)], 1)
    out = np.full(len(t), np.nan)
    todo = np.ones(len(t), dtype=bool)
    for k in range(n):
        rem = t - prefix[:, k]
        ok = todo & (caps[:, k] * (n - k) >= rem)
        if ok.any():
            r, w = rem[ok], n - k
            q, b = r // w, r % w
            out[ok] = -(lfprefix[ok, k] + b * lf[q + 1] + (w - b) * lf[q])
            todo &= ~ok
    return out


def _concentrate_max(t: np.ndarray, caps_desc: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """max of ``Σ log x_i!`` over the same set (caps descending): greedy fill."""
    before = np.cumsum(caps_desc, 1) - caps_desc
    x = np.clip(t[:, None] - before, 0, caps_desc)
    return lf[x].sum(1)


def _dual_max(rows: np.ndarray, cols: np.ndarray, lf: np.ndarray, iters: int = 4) -> np.ndarray:
    """Lagrangian upper bound on the largest completion value (both margins relaxed).

    For any multipliers ``a_i``, ``b_j``: ``max V <= Σ_ij max_x [−log x! + (a_i + b_j) x]
    − Σ a_i r_i − Σ b_j c_j`` (x integer in ``[0, min(r_i, c_j)]``; the inner maximum is at
    ``x = floor(exp(a_i + b_j))``). Multipliers start at the log of the independence table
    and take a few proportional-fitting steps; every step gives a valid bound, the smallest
    is returned.
    """
    n_rem = float(cols.sum())
    cap = np.minimum(rows[:, :, None], cols[None, None, :])
    a = np.log(rows + 0.5) - 0.5 * np.log(n_rem + 1.0)
    b = np.broadcast_to(np.log(cols + 0.5) - 0.5 * np.log(n_rem + 1.0), (len(rows), len(cols)))
    best = np.full(len(rows), np.inf)
    for _ in range(iters):
        mu = a[:, :, None] + b[:, None, :]
        x = np.clip(np.floor(np.exp(np.minimum(mu, 50.0))), 0, cap).astype(np.int64)
        val = (mu * x - lf[x]).sum((1, 2)) - (a * rows).sum(1) - (b * cols[None, :]).sum(1)
        best = np.minimum(best, val)
        a = a + 0.5 * np.log((rows + 0.5) / (x.sum(2) + 0.5))
        b = b + 0.5 * np.log((cols[None, :] + 0.5) / (x.sum(1) + 0.5))
    return best


def _bounds(rows: np.ndarray, cols: np.ndarray, lf: np.ndarray):
    """Bounds for the completions of nodes ``rows`` (L, R ascending) with columns ``cols``.

    Returns ``(upper, lower, log_total)``: an upper bound on the largest completion value,
    a lower bound on the smallest one, and ``log Σ exp(V)`` over all completions.
    """
    n_rem = int(cols.sum())
    log_total = lf[n_rem] - lf[rows].sum(1) - lf[cols].sum()
    nnode = rows.shape[0]
    cols_asc = np.sort(cols)
    cols_desc = cols_asc[::-1]
    rows_desc = rows[:, ::-1]
    # columns split among rows
    up_c = np.zeros(nnode)
    lo_c = np.zeros(nnode)
    for c in cols:
        t = np.full(nnode, c, dtype=np.int64)
        up_c += _waterfill_max(t, rows, lf)
        lo_c += _concentrate_max(t, rows_desc, lf)
    # rows split among columns
    up_r = np.zeros(nnode)
    lo_r = np.zeros(nnode)
    capc = np.broadcast_to(cols_asc, (nnode, len(cols)))
    capd = np.broadcast_to(cols_desc, (nnode, len(cols)))
    for i in range(rows.shape[1]):
        up_r += _waterfill_max(rows[:, i], capc, lf)
        lo_r += _concentrate_max(rows[:, i], capd, lf)
    upper = np.minimum(np.minimum(up_c, up_r), _dual_max(rows, cols, lf))
    return upper, -np.minimum(lo_c, lo_r), log_total


class _Keys:
    """Mixed-radix integer codes for sorted remaining row totals (FEXACT's hash keys)."""

    def __init__(self, rows0_sorted: np.ndarray):
        base = rows0_sorted.astype(np.int64) + 1
        mult = np.ones(len(base), dtype=object)
        for i in range(1, len(base)):
            mult[i] = mult[i - 1] * int(base[i - 1])
        if mult[-1] * int(base[-1]) >= _MAX_KEY:
            raise WorkLimitExceeded(0, int(mult[-1] * int(base[-1])), _MAX_KEY)
        self.base = base
        self.mult = mult.astype(np.int64)

    def encode(self, rows: np.ndarray) -> np.ndarray:
        return rows @ self.mult

    def decode(self, keys: np.ndarray) -> np.ndarray:
        return (keys[:, None] // self.mult[None, :]) % self.base[None, :]


def _merge(keys, vals, wts):
    """Sort entries by (key, value); merge equal keys whose values agree to _MERGE_TOL."""
    order = np.lexsort((vals, keys))
    keys, vals, wts = keys[order], vals[order], wts[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (np.diff(vals) > _MERGE_TOL)
    group = np.cumsum(new) - 1
    rep = vals[new]
    # exact mass: w * exp(v) = w * exp(v - rep) * exp(rep)
    mass = wts * np.exp(vals - rep[group])
    return keys[new], rep, np.bincount(group, weights=mass)


def _nodes(keys: np.ndarray, codec: _Keys):
    """Start/end offsets of each node's entries (entries sorted by key) and its rows."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return starts, ends, codec.decode(keys[starts])


def fexact_pvalue(table, *, max_work: int = 10_000_000) -> tuple[float, int]:
    """Exact Fisher–Freeman–Halton p-value of an R×C table of counts.

    ``table`` must have no all-zero row or column and at least 2 rows and 2 columns.
    Returns ``(p_value, work)`` where ``work`` counts the partial tables generated (plus
    ``NODE_COST`` per node visited, the fixed cost of a node in Python).
    Raises :class:`WorkLimitExceeded` *before* a step whose estimated work would take the
    total beyond ``max_work``.
    """
    x = np.asarray(table, dtype=np.int64)
    if x.shape[0] > x.shape[1]:
        x = x.T
    rows0 = x.sum(1)
    x = x[:, np.argsort(x.sum(0), kind="stable")]
    cols = x.sum(0)
    n = int(cols.sum())
    ncol = len(cols)
    lf = gammaln(np.arange(n + 2, dtype=float) + 1.0)
    thr = -lf[x].sum() + TOL_LOG
    const = lf[rows0].sum() + lf[cols].sum() - lf[n]

    work = 0

    def spend(amount: float) -> None:
        nonlocal work
        if work + amount > max_work:
            raise WorkLimitExceeded(work, int(min(amount, 2**62)), max_work)
        work += int(amount)

    limit = min(_fexact_fast.ENUMERATE_LIMIT, max_work)
    if _fexact_fast.table_count_bound(x) <= limit:  # few tables: build them all at once
        small = _fexact_fast.enumerate_pvalue(x, lf, thr, const, limit)
        if small is not None:
            return small
    if x.shape[0] == 2:  # two rows: closed-form last step (hypergeometric tails)
        p = _fexact_fast.two_row_pvalue(x, lf, thr, const, spend, _bounds, _merge)
        return p, work

    codec = _Keys(np.sort(rows0))
    p = 0.0
    keys = codec.encode(np.sort(rows0)[None, :])
    vals = np.zeros(1)
    wts = np.ones(1)
    for j in range(ncol - 2):
        rest = cols[j + 1 :]
        starts, ends, node_rows = _nodes(keys, codec)
        sizes = _count_allocations(node_rows, int(cols[j]))
        # partial tables made, bounds for (at most) every child (~R × C' each), node overhead
        bound_cost = float(np.sum(sizes)) * node_rows.shape[1] * len(rest)
        spend(float(np.sum(sizes * (ends - starts))) + bound_cost + NODE_COST * len(starts))
        allocs, children = [], []
        for r in node_rows:
            alloc = _allocations(r, int(cols[j]), max_work)
            allocs.append(alloc)
            children.append(codec.encode(np.sort(r[None, :] - alloc, axis=1)))
        ukeys = np.unique(np.concatenate(children))
        upper, lower, log_total = _bounds(codec.decode(ukeys), rest, lf)
        out_k, out_v, out_w = [], [], []
        for s, e, alloc, ck in zip(starts, ends, allocs, children, strict=True):
            at = np.searchsorted(ukeys, ck)
            tot = vals[s:e, None] - lf[alloc].sum(1)[None, :]  # (m, L) path values
            w = np.broadcast_to(wts[s:e, None], tot.shape)
            accept = tot + upper[at][None, :] <= thr
            if accept.any():
                mass = np.exp((tot + log_total[at][None, :] + const)[accept])
                p += float(np.sum(w[accept] * mass))
            keep = ~accept & (tot + lower[at][None, :] <= thr)
            if keep.any():
                out_k.append(np.broadcast_to(ck[None, :], tot.shape)[keep])
                out_v.append(tot[keep])
                out_w.append(w[keep])
        if not out_k:
            return min(p, 1.0), work
        keys, vals, wts = _merge(
            np.concatenate(out_k), np.concatenate(out_v), np.concatenate(out_w)
        )

    # two columns left: answer every entry of a node from its sorted completion values
    c_pen = int(cols[ncol - 2])
    starts, ends, node_rows = _nodes(keys, codec)
    sizes = _count_allocations(node_rows, c_pen)
    spend(float(np.sum(sizes + (ends - starts))) + NODE_COST * len(starts))
    for s, e, r in zip(starts, ends, node_rows, strict=True):
        alloc = _allocations(r, c_pen, max_work)
        comp = np.sort(-lf[alloc].sum(1) - lf[r[None, :] - alloc].sum(1))
        top = comp[-1]
        cum = np.cumsum(np.exp(comp - top))
        idx = np.searchsorted(comp, thr - vals[s:e], side="right")
        hit = idx > 0
        if hit.any():
            mass = cum[idx[hit] - 1] * np.exp(vals[s:e][hit] + top + const)
            p += float(np.sum(wts[s:e][hit] * mass))
    return min(p, 1.0), work


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
