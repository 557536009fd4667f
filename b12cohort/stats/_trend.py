"""Numerical engines of the Cochran–Armitage trend test (private; see ``b12cohort.stats.trend.trend_test``).

* :func:`trend_exact_pvalue`: the exact conditional (permutation) p-value, as
  ``coin::independence_test(distribution = "exact")``;
* :func:`trend_work_estimate`: an upper estimate of its work, made before any of it is done;
* :func:`trend_asymptotic_pvalue`: R ``prop.trend.test``.

The exact test
--------------
Given the margins, the numbers of events ``a_1..a_k`` in the ``k`` levels (sizes ``n_i``,
``Σ a_i = m``) are multivariate hypergeometric, and the statistic is ``T = Σ a_i s_i``.
The p-value is the probability of the values of ``T`` whose standardised statistic is at
least as extreme as the observed one.

*Levels but the two largest*: a dynamic programme over (events placed so far ``j``,
partial sum ``t``) with probabilities; level ``i`` receives ``a`` events with the
hypergeometric probability given ``j``. States with equal ``(j, t)`` are pooled.

*The two largest levels* are resolved in closed form, in the spirit of the
meet-in-the-middle step of :func:`b12cohort.stats._fexact.fexact_pvalue`: given a state, the
events ``a`` of one of the two levels are hypergeometric and ``T`` is linear in ``a``, so
the region counted is ``a <= A`` or ``a >= A`` for a boundary ``A`` found by solving the
linear equation and then checked on the standardised statistic itself (coin's tie rule,
``COIN_EPS`` on the Z scale). Its probability is a hypergeometric tail, summed from ``A``
away from the mode by the ratio recurrence of consecutive terms (as Boost's
``hypergeometric_cdf`` does; the tail on the mode's side is 1 minus the other one), so
every tail keeps its relative accuracy. With three levels (the anaemia grades) the
programme has one level: its states are the values of ``a`` in the smallest level.

*Pruning* (what makes 10^5-10^6 subjects feasible): the p-value is at least the
probability ``P(x)`` of the observed table, since the observed ``T`` is in the region.
With ``delta = TREND_REL_TOL * P(x) / budget``, a state whose probability is below
``delta`` is dropped; a level's events are only enumerated within ``mu ± h`` with
``h = sqrt(V log(pi / delta) / 2)``, ``V = n' (1 - (n' - 1) / R)``, ``n' = min(draws,
level size)``, ``R`` the subjects left, because Serfling's (1974) inequality for sampling
without replacement bounds the mass outside by ``2 delta``; a tail sum stops when the
geometric bound on what is left (``term * r / (1 - r)``, valid beyond the mode because
the hypergeometric is log-concave) is below ``delta`` or ``1e-17`` of the sum. At most
``budget`` states and tails are visited, each in error by at most ``3 delta`` (dropped
states and windows lower the p-value; a truncated tail on the other side of a ``1 -
tail`` raises it), so the error is at most ``3 budget delta = 3 TREND_REL_TOL P(x) <=
3e-12 p``: the p-value is exact to a relative ``3e-12`` (floored at an absolute
``1e-290`` for astronomically small p-values).

Hypergeometric probabilities use Loader's binomial identity, as R's ``dhyper`` does:
``P(a) = b(a; n_A, p) b(d - a; n_B, p) / b(d; n_A + n_B, p)`` with ``p = d / (n_A + n_B)``
and scipy's binomial pmf (Boost's ``ibeta_derivative``): about 1e-14 relative accuracy at
any size, where ``exp`` of ``gammaln`` differences loses ~1e-9 at 10^6 subjects and
:func:`scipy.stats.hypergeom.pmf` costs ~0.1 ms a value below 104,729 subjects (Boost
factorises into primes there).

*Work*: one unit per state enumerated, ``TAIL_TERM_COST`` per term of a tail sum (a term
is one multiply-add on a vector, a state a hypergeometric probability, a sort and a
merge). :func:`trend_work_estimate` bounds it before anything is computed, from the
widths of the enumeration windows; the caller decides from it whether the exact test is
feasible, and the computation itself stops with :class:`WorkLimitExceeded` if it ever
exceeded the budget all the same.

References
----------
Cochran WG. Some methods for strengthening the common χ² tests. Biometrics.
1954;10(4):417-451. Armitage P. Tests for linear trends in proportions and frequencies.
Biometrics. 1955;11(3):375-386.
Hothorn T, Hornik K, van de Wiel MA, Zeileis A. Implementing a class of permutation tests:
the coin package. J Stat Softw. 2008;28(8):1-23.
Serfling RJ. Probability inequalities for the sum in sampling without replacement. Ann
Stat. 1974;2(1):39-48.
Loader C. Fast and accurate computation of binomial probabilities. 2000 (the algorithm of
R's dbinom / dhyper).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln
from scipy.stats import binom

from b12cohort.stats._fexact import WorkLimitExceeded

#: coin's tolerance for ties of the standardised statistic (``sqrt(.Machine$double.eps)``).
COIN_EPS = float(np.sqrt(np.finfo(float).eps))
#: Relative accuracy of the exact p-value (a third of the bound on the neglected mass).
TREND_REL_TOL = 1e-12
#: Smallest pruning threshold times the budget: p-values below ~1e-278 are exact to an
#: absolute 1e-290 rather than relatively.
_DELTA_FLOOR = 1e-290
#: Work units per term of a tail sum (a vector multiply-add; a state costs 1).
TAIL_TERM_COST = 0.05
#: A tail sum stops when what is left is below this fraction of it.
_TAIL_REL = 1e-17


def _moments(n_i, x_i, s):
    n, m = float(np.sum(n_i)), float(np.sum(x_i))
    sbar = float(np.sum(n_i * s)) / n
    ss = float(np.sum(n_i * (s - sbar) ** 2))
    return n, m, sbar, ss, float(np.sum(x_i * s))


def _dhyper(a, total, good, draws):
    """Hypergeometric pmf of ``a`` events among ``good`` of ``total``, ``draws`` drawn.

    Loader's identity with scipy's binomial pmf (see the module notes); vectorised.
    """
    a, total, good, draws = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.int64) for v in (a, total, good, draws))
    )
    p = draws / total
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (
            binom.pmf(a, good, p)
            * binom.pmf(draws - a, total - good, p)
            / binom.pmf(draws, total, p)
        )
    return np.where((a < 0) | (a > good) | (draws - a > total - good), 0.0, out)


def _log_prob_table(n_i, x_i) -> float:
    """log P(observed events per level | margins), multivariate hypergeometric."""
    n_i = np.asarray(n_i, dtype=float)
    x_i = np.asarray(x_i, dtype=float)
    n, m = n_i.sum(), x_i.sum()

    def lchoose(a, b):
        return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)

    return float(np.sum(lchoose(n_i, x_i)) - lchoose(n, m))


def _delta(n_i, x_i, budget: int) -> float:
    """Pruning threshold: TREND_REL_TOL * P(observed table) / budget (floored)."""
    log_delta = math.log(TREND_REL_TOL) + _log_prob_table(n_i, x_i) - math.log(budget)
    return max(math.exp(max(log_delta, -745.0)), _DELTA_FLOOR / budget)


def _half_width(nprime, remaining, log_ratio):
    """Serfling half-width outside which a level's events carry at most delta / pi each."""
    nprime = np.asarray(nprime, dtype=float)
    var = nprime * (1.0 - (np.maximum(nprime, 1.0) - 1.0) / remaining)
    return np.sqrt(np.maximum(var, 0.0) * np.maximum(log_ratio, 0.0) / 2.0)


def _plan(n_i):
    """Levels of the dynamic programme (in order) and the two resolved in closed form."""
    order = np.argsort(np.asarray(n_i), kind="stable")
    return sorted(order[:-2].tolist()), int(order[-2]), int(order[-1])


def trend_work_estimate(n_i, x_i, s, budget: int, alternative: str) -> float:
    """Upper estimate of the work of :func:`trend_exact_pvalue`, before doing any of it.

    Each enumerated level contributes at most ``min(n_i, m) + 1`` values, or the width
    ``2 h + 1`` of its Serfling window at the largest ``log(1 / delta)``; the states are
    at most the product over the levels enumerated so far and, for integer scores, at
    most (values of ``j``) x (values of ``t`` on the lattice of the scores), since states
    with equal ``(j, t)`` are pooled. Each final state costs one tail sum per rejection
    region, no longer than the window of the level resolved in closed form.
    """
    n_i = np.asarray(n_i, dtype=np.int64)
    s = np.asarray(s, dtype=float)
    m = int(np.sum(x_i))
    log_ratio = -math.log(_delta(n_i, x_i, budget))
    dp_levels, level_a, _ = _plan(n_i)
    lattice = bool(np.all(s == np.round(s)) and np.all(np.abs(s) < 2**31))
    step = int(np.gcd.reduce(np.abs(s - s[0]).astype(np.int64))) if lattice else 0

    def width(size: int) -> float:
        nprime = min(int(size), m)
        wide = 2 * math.floor(float(_half_width(nprime, 1.0e300, log_ratio))) + 1
        return float(min(nprime + 1, wide))

    states, work, done = 1.0, 0.0, []
    for level in dp_levels:
        states *= width(n_i[level])
        work += states  # candidates enumerated at this level
        done.append(level)
        if lattice and step:
            placed = int(n_i[done].sum())
            span = (s[done].max() - s[done].min()) / step
            states = min(states, width(placed) * (min(placed, m) * span + 1))
    regions = 2 if alternative == "two-sided" else 1
    return work + regions * states * width(n_i[level_a]) * TAIL_TERM_COST


def _tail(start, direction, good, other, draws, weight, delta):
    """Σ of the hypergeometric pmf from ``start`` outwards (direction −1 or +1).

    ``start`` must be on the tail side of the mode (terms decrease from it). Returns
    ``(sums, terms)``; a sum stops at the end of the support or when the bound on what is
    left, ``term * r / (1 - r)``, is below ``max(1e-17 * sum, delta / weight)``.
    """
    total = good + other
    term = _dhyper(start, total, good, draws)
    sums = term.copy()
    a = start.astype(np.int64).copy()
    lo = np.maximum(0, draws - other)
    hi = np.minimum(good, draws)
    with np.errstate(divide="ignore"):
        floor_abs = np.where(weight > 0, delta / weight, np.inf)
    active = np.flatnonzero(term > 0)
    terms = len(start)
    while active.size:
        aa, dd = a[active], draws[active]
        g, o = good[active], other[active]
        if direction > 0:
            ok = aa < hi[active]
            r = (g - aa) * (dd - aa) / ((aa + 1.0) * (o - dd + aa + 1.0))
        else:
            ok = aa > lo[active]
            r = aa * (o - dd + aa) / ((g - aa + 1.0) * (dd - aa + 1.0))
        r = np.where(ok, r, 0.0)
        left = np.where(r < 1, term[active] * r / np.maximum(1 - r, 1e-300), np.inf)
        more = ok & (left > np.maximum(_TAIL_REL * sums[active], floor_abs[active]))
        active = active[more]
        if not active.size:
            break
        term[active] *= r[more]
        a[active] += direction
        sums[active] += term[active]
        terms += active.size
    return sums, terms


def _region_probability(c, side, base, slope, lo, hi, mu, sd, good, other, draws, weight, delta):
    """P(standardised T on ``side`` of ``c`` | state) for T = base + a * slope, a in [lo, hi].

    ``side`` "le": (T - mu) / sd <= c; "ge": >= c. Returns (probabilities, tail terms).
    """

    def holds(a):
        zs = (base + a * slope - mu) / sd
        return zs <= c if side == "le" else zs >= c

    nstate = len(base)
    if slope == 0:
        return np.where(holds(np.zeros(nstate)), 1.0, 0.0), 0
    # a lower set of a (a <= edge) when T rises with a and the low side counts, or falls
    # with a and the high side counts; otherwise an upper set (a >= edge)
    lower = (slope > 0) == (side == "le")
    with np.errstate(invalid="ignore"):
        root = (mu + c * sd - base) / slope
    if lower:  # edge = largest a in the region
        edge = np.clip(np.floor(root), lo - 1, hi).astype(np.int64)
        while True:
            up = (edge < hi) & holds(edge + 1)
            down = (edge >= lo) & ~holds(edge) & ~up
            if not (up.any() or down.any()):
                break
            edge = edge + up - down
    else:  # edge = smallest a in the region
        edge = np.clip(np.ceil(root), lo, hi + 1).astype(np.int64)
        while True:
            down = (edge > lo) & holds(edge - 1)
            up = (edge <= hi) & ~holds(edge) & ~down
            if not (up.any() or down.any()):
                break
            edge = edge + up - down
    mode = np.floor((draws + 1.0) * (good + 1.0) / (good + other + 2.0)).astype(np.int64)
    prob = np.zeros(nstate)
    if lower:
        prob[edge >= hi] = 1.0
        mid = np.flatnonzero((edge >= lo) & (edge < hi))
        direct = edge[mid] < mode[mid]  # the lower tail itself; else 1 - the upper tail
        start = np.where(direct, edge[mid], edge[mid] + 1)
    else:
        prob[edge <= lo] = 1.0
        mid = np.flatnonzero((edge > lo) & (edge <= hi))
        direct = edge[mid] > mode[mid]
        start = np.where(direct, edge[mid], edge[mid] - 1)
    terms = 0
    for want_direct, sign in ((True, 1), (False, -1)):
        sel = mid[direct == want_direct]
        if not sel.size:
            continue
        st = start[direct == want_direct]
        direction = (-1 if want_direct else 1) * (1 if lower else -1)
        sums, used = _tail(st, direction, good[sel], other[sel], draws[sel], weight[sel], delta)
        terms += used
        prob[sel] = sums if sign > 0 else np.maximum(1.0 - sums, 0.0)
    return prob, terms


def trend_exact_pvalue(n_i, x_i, s, alternative: str, max_work: int):
    """Exact Cochran–Armitage p-value, as coin does; returns ``(z², z, p, work)``.

    ``z`` is standardised with the permutation variance; ties within ``COIN_EPS`` on the
    ``z`` scale count (coin's ``%LE%`` / ``%GE%``); two-sided is ``P(Z <= −|z|) + P(Z >=
    |z|)`` and exactly 1 at ``z = 0``. Raises :class:`WorkLimitExceeded` if the work would
    exceed ``max_work`` (see :func:`trend_work_estimate` to decide beforehand).
    """
    n_i = np.asarray(n_i, dtype=np.int64)
    x_i = np.asarray(x_i, dtype=np.int64)
    s = np.asarray(s, dtype=float)
    n, m_f, sbar, ss, t_obs = _moments(n_i, x_i, s)
    m = int(m_f)
    mu = m_f * sbar
    sd = math.sqrt(m_f * (n - m_f) / (n * (n - 1.0)) * ss)
    z = (t_obs - mu) / sd
    if alternative == "less":
        regions = [(z + COIN_EPS, "le")]
    elif alternative == "greater":
        regions = [(z - COIN_EPS, "ge")]
    elif z == 0:
        return 0.0, z, 1.0, 0
    else:
        q = abs(z)
        regions = [(-q + COIN_EPS, "le"), (q - COIN_EPS, "ge")]

    delta = _delta(n_i, x_i, max_work)
    dp_levels, level_a, level_b = _plan(n_i)
    work = 0.0

    def spend(amount: float) -> None:
        nonlocal work
        if work + amount > max_work:
            raise WorkLimitExceeded(int(work), int(amount), max_work)
        work += amount

    # dynamic programme over the levels but the two largest
    remaining = int(n_i.sum())
    scale = 1e-10 * (float(np.abs(s).max()) * m + 1.0)
    j = np.zeros(1, dtype=np.int64)
    t = np.zeros(1)
    prob = np.ones(1)
    for level in dp_levels:
        ni, si = int(n_i[level]), float(s[level])
        need = m - j
        lo = np.maximum(0, need - (remaining - ni))
        hi = np.minimum(ni, need)
        h = _half_width(np.minimum(need, ni), remaining, np.log(prob / delta))
        centre = need * (ni / remaining)
        lo = np.maximum(lo, np.ceil(centre - h)).astype(np.int64)
        hi = np.minimum(hi, np.floor(centre + h)).astype(np.int64)
        counts = np.maximum(hi - lo + 1, 0)
        size = int(counts.sum())
        spend(size)
        idx = np.repeat(np.arange(len(j)), counts)
        a = lo[idx] + (np.arange(size) - np.repeat(np.cumsum(counts) - counts, counts))
        p_new = prob[idx] * _dhyper(a, remaining, ni, need[idx])
        keep = p_new >= delta
        j, t, prob = (j[idx] + a)[keep], (t[idx] + a * si)[keep], p_new[keep]
        order = np.lexsort((t, j))
        j, t, prob = j[order], t[order], prob[order]
        new = np.ones(len(j), dtype=bool)
        new[1:] = (j[1:] != j[:-1]) | (np.diff(t) > scale)
        group = np.cumsum(new) - 1
        j, t, prob = j[new], t[new], np.bincount(group, weights=prob)
        remaining -= ni
        if not len(j):
            return z * z, z, 0.0, int(work)

    # the two largest levels in closed form: a events in level A, the rest in level B
    good, other = int(n_i[level_a]), int(n_i[level_b])
    draws = m - j
    base = t + draws * float(s[level_b])
    slope = float(s[level_a]) - float(s[level_b])
    lo = np.maximum(0, draws - other)
    hi = np.minimum(good, draws)
    goods = np.full(len(j), good, dtype=np.int64)
    others = np.full(len(j), other, dtype=np.int64)
    # the tail sums are bounded by the window width: charge that before summing
    h = _half_width(np.minimum(draws, good), good + other, np.log(prob / delta))
    spend(len(regions) * float(np.sum(np.minimum(hi - lo + 1, 2 * h + 1))) * TAIL_TERM_COST)
    p = 0.0
    for c, side in regions:
        cond, _ = _region_probability(
            c, side, base, slope, lo, hi, mu, sd, goods, others, draws, prob, delta
        )
        p += float(np.sum(prob * cond))
    return z * z, z, min(1.0, p), int(work)


def trend_asymptotic_pvalue(n_i, x_i, s, alternative: str):
    """R ``prop.trend.test``'s chi-squared (1 df) and the signed ``z``; one-sided: normal."""
    from scipy.stats import chi2, norm

    n, m, sbar, ss, t_obs = _moments(n_i, x_i, s)
    pbar = m / n
    z = (t_obs - m * sbar) / np.sqrt(pbar * (1.0 - pbar) * ss)
    if alternative == "two-sided":
        p = chi2.sf(z * z, 1)
    elif alternative == "greater":
        p = norm.sf(z)
    else:
        p = norm.cdf(z)
    return z * z, z, float(p)
