"""Fast paths of the exact Fisher–Freeman–Halton p-value (private).

:func:`b12cohort.stats._fexact.fexact_pvalue` dispatches here before its general network
algorithm:

* :func:`enumerate_pvalue`: small tables. Every table with the observed margins is built
  at once, column by column, as numpy arrays (each partial table expanded by every split
  of the next column total, the last column determined), and the probabilities of those
  no more probable than the observed one are summed. No bounds, no merging, no Python
  loop over nodes: a 2×3 or 3×3 table of 20-100 observations costs a few dozen numpy
  calls. Gives up (returns None) as soon as the partial tables would exceed ``limit``.
* :func:`two_row_pvalue`: tables with two rows (after transposing), any N. The network
  algorithm of :mod:`b12cohort.stats._fexact` on the remaining top-row total (one number
  per node), vectorised across every entry of a level, and a closed-form last step: given
  the top-row total ``k`` still to place in the last two columns ``(a, b)``, the top cell
  of column ``a`` is hypergeometric (``M = a + b``, ``K = a``, ``n = k``), whose
  log-probability is concave, so the completions no more probable than a threshold are
  its two tails. Their boundaries are found by a vectorised bisection on each side of the
  mode and their masses are the hypergeometric CDF and survival function (Boost's, through
  SciPy). A 2×3 table of 10^5 observations takes milliseconds instead of the seconds of
  enumerating every completion.

Both count a table when ``log P(table) <= log P(observed) + TOL_LOG`` (FEXACT's tolerance),
exactly as the general algorithm does, and agree with it (and with R ``fisher.test``) to
rounding; ``tests/test_contingency.py`` checks them against full enumeration and R.

References
----------
Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
contingency tables. J Am Stat Assoc. 1983;78(382):427-434.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["enumerate_pvalue", "two_row_pvalue"]

#: Largest number of partial tables :func:`enumerate_pvalue` builds before giving up.
ENUMERATE_LIMIT = 200_000
#: Entries handed to the last (two-column) step without bounds or merging.
_DIRECT_LIMIT = 200_000
#: log(1e20): entries whose total mass is below 1e-20 of the observed table's are dropped.
_NEGLIGIBLE = 46.0


def table_count_bound(x: np.ndarray) -> float:
    """Upper bound on the partial tables :func:`enumerate_pvalue` builds (cheap, exact ints).

    The product over all columns but the last of the splits of the column total among
    the rows, each split counted at most ``min(C(c + R - 1, R - 1), Π_i (min(r_i, c) + 1))``
    times; its running products bound every level.
    """
    rows = x.sum(1)
    nrow = len(rows)
    bound, total = 1, 0
    for c in x.sum(0)[:-1].tolist():
        splits = min(
            math.comb(c + nrow - 1, nrow - 1), math.prod(min(r, c) + 1 for r in rows.tolist())
        )
        bound *= splits
        total += bound
    return float(total)


def enumerate_pvalue(x: np.ndarray, lf: np.ndarray, thr: float, const: float, limit: int):
    """p-value by building every table with the margins of ``x`` (None beyond ``limit``).

    ``lf[i] = log i!``; a table counts when ``-Σ lf[x_ij] <= thr``; ``const`` is
    ``Σ log r_i! + Σ log c_j! − log N!``. Column by column, every partial table is
    extended by every split of the next column total among its remaining row totals
    (``0 <= y_i <= rem_i``), one row at a time with ``numpy.repeat``; the last column is
    what remains. Each row is kept as its own 1-D array (no 2-D gathers). Returns
    ``(p, work)`` with ``work`` the partial tables built.
    """
    rows = [np.array([r], dtype=np.int64) for r in x.sum(1).tolist()]
    nrow = len(rows)
    vals = np.zeros(1)
    work = 0
    for c in x.sum(0)[:-1].tolist():
        suffix = [np.zeros(len(vals), dtype=np.int64)]
        for r in rows[:0:-1]:  # capacity of rows i + 1 .. R - 1
            suffix.append(suffix[-1] + r)
        suffix.reverse()
        parent = np.arange(len(vals))
        left = np.full(len(vals), c, dtype=np.int64)
        add = np.zeros(len(vals))
        new_rows: list[np.ndarray] = []
        for i in range(nrow - 1):
            cap = rows[i][parent]
            lo = np.maximum(0, left - suffix[i][parent])
            hi = np.minimum(cap, left)
            counts = hi - lo + 1
            size = int(counts.sum())
            if work + size > limit:
                return None
            idx = np.repeat(np.arange(len(parent)), counts)
            y = lo[idx] + (np.arange(size) - np.repeat(np.cumsum(counts) - counts, counts))
            parent = parent[idx]
            left = left[idx] - y
            new_rows = [r[idx] for r in new_rows]
            new_rows.append(cap[idx] - y)
            add = add[idx] - lf[y]
        new_rows.append(rows[-1][parent] - left)
        vals = vals[parent] + (add - lf[left])
        rows = new_rows
        work += len(parent)
    for r in rows:  # the last column holds what remains of every row
        vals = vals - lf[r]
    p = float(np.exp(vals[vals <= thr] + const).sum())
    return min(p, 1.0), work


# ---------------------------------------------------------------------------------------
# two rows
# ---------------------------------------------------------------------------------------


def _series(y, stop, k, ca: int, cb: int, step: int, block: int = 64) -> np.ndarray:
    """``Σ_i h(y + i step) / h(y)`` down to (``step=-1``) or up to (``+1``) ``stop``.

    ``h`` is the hypergeometric law of the top cell of column ``ca`` given the top total
    ``k`` (one per entry). Terms follow the pmf ratio, which shrinks away from the mode;
    they are taken ``block`` at a time (running products of the ratios) and the sum stops,
    per entry, once a term is below 1e-17 of the total.
    """
    total = np.ones(len(y))
    term = np.ones(len(y))
    y = y.astype(float)
    k = k.astype(float)
    stop = stop.astype(float)
    offsets = np.arange(block, dtype=float)
    idx = np.flatnonzero(y != stop)
    while idx.size:
        yi, ki, si = y[idx, None], k[idx, None], stop[idx, None]
        if step < 0:  # h(y - 1) / h(y) at y, y - 1, ...
            yy = yi - offsets
            ratio = yy * (cb - ki + yy) / ((ca - yy + 1) * (ki - yy + 1))
            ratio[yy <= si] = 0.0  # past the end of the support
        else:  # h(y + 1) / h(y) at y, y + 1, ...
            yy = yi + offsets
            ratio = (ca - yy) * (ki - yy) / ((yy + 1) * (cb - ki + yy + 1))
            ratio[yy >= si] = 0.0
        terms = term[idx, None] * np.cumprod(ratio, axis=1)
        total[idx] += terms.sum(1)
        last = terms[:, -1]
        term[idx] = last
        y[idx] = y[idx] + step * block
        idx = idx[(last > 1e-17 * total[idx]) & ((y[idx] - stop[idx]) * step < 0)]
    return total


def _last_two(k, vals, wts, ca: int, cb: int, lf, thr: float, const: float, spend) -> float:
    """Mass of the completions of entries ``(k, vals, wts)`` over the last two columns.

    The top cell ``y`` of column ``ca`` ranges over ``[max(0, k - cb), min(ca, k)]`` and
    the completion value is ``V(y) = −log y! − log (ca − y)! − log (k − y)! −
    log (cb − k + y)!``, concave in y; an entry counts the ``y`` with
    ``vals + V(y) <= thr``: both tails of the hypergeometric law of y, each summed from
    its boundary outwards (:func:`_series`).
    """
    m = ca + cb
    # drop entries whose whole mass is below 1e-20 of the observed table's probability
    # (itself <= p): together they cannot move p by more than 1e-20 * their number
    keep = vals + lf[m] - lf[ca] - lf[cb] - lf[k] - lf[m - k] > thr - _NEGLIGIBLE
    if not keep.all():
        k, vals, wts = k[keep], vals[keep], wts[keep]
    # bisection (2 log2 L steps) and the tail series (up to ~8 standard deviations each)
    kf = k.astype(float)  # float: k (m - k) ca cb overflows int64 beyond N ~ 10^5
    sd = float(np.sqrt(np.max(kf * (m - kf), initial=0) * ca * cb / (m * m * max(m - 1, 1))))
    spend(float(len(k)) * (2 * int(np.log2(ca + 2)) + 16 + 16 * sd) + len(keep))
    lo = np.maximum(0, k - cb)
    hi = np.minimum(ca, k)
    t = thr - vals

    def value(y):
        return _value_at(y, k, ca, cb, lf)

    mode = np.clip((k + 1) * (ca + 1) // (m + 2), lo, hi)
    whole = value(mode) <= t  # every completion counts
    # left tail: the largest y in [lo, mode) with V(y) <= t (V increases up to the mode)
    has_left = ~whole & (value(lo) <= t)
    a_lo, a_hi = lo.copy(), mode.copy()  # V(a_lo) <= t < V(a_hi) where has_left
    # right tail: the smallest y in (mode, hi] with V(y) <= t
    has_right = ~whole & (value(hi) <= t)
    b_lo, b_hi = mode.copy(), hi.copy()  # V(b_lo) > t >= V(b_hi) where has_right
    while True:
        go_a = has_left & (a_hi - a_lo > 1)
        go_b = has_right & (b_hi - b_lo > 1)
        if not (go_a.any() or go_b.any()):
            break
        mid = (a_lo + a_hi) // 2
        ok = value(mid) <= t
        a_lo = np.where(go_a & ok, mid, a_lo)
        a_hi = np.where(go_a & ~ok, mid, a_hi)
        mid = (b_lo + b_hi) // 2
        ok = value(mid) <= t
        b_hi = np.where(go_b & ok, mid, b_hi)
        b_lo = np.where(go_b & ~ok, mid, b_lo)
    p = 0.0
    if whole.any():  # Σ_y exp(V(y)) = (ca + cb)! / (ca! cb! k! (m - k)!)
        log_total = lf[m] - lf[ca] - lf[cb] - lf[k[whole]] - lf[m - k[whole]]
        p += float(np.sum(wts[whole] * np.exp(vals[whole] + log_total + const)))
    for side, start, stop, step in ((has_left, a_lo, lo, -1), (has_right, b_hi, hi, 1)):
        if side.any():
            y, kk = start[side], k[side]
            series = _series(y, stop[side], kk, ca, cb, step)
            mass = np.exp(vals[side] + _value_at(y, kk, ca, cb, lf) + const)
            p += float(np.sum(wts[side] * series * mass))
    return p


def _value_at(y, k, ca: int, cb: int, lf) -> np.ndarray:
    return -(lf[y] + lf[ca - y] + lf[k - y] + lf[cb - k + y])


def two_row_pvalue(x: np.ndarray, lf, thr: float, const: float, spend, bounds, merge):
    """Exact p-value of a 2×C table (columns sorted by total, ascending).

    ``spend(units)`` charges the work budget (raising beyond it), ``bounds`` and ``merge``
    are the network algorithm's (:func:`b12cohort.stats._fexact._bounds`, ``_merge``).
    Nodes are the top-row total still to place; entries carry their past value ``V`` and
    multiplicity, merged when equal to 1e-9 as in the general algorithm.
    """
    cols = x.sum(0).astype(np.int64)
    ncol = len(cols)
    keys = np.array([int(x[0].sum())], dtype=np.int64)
    vals, wts = np.zeros(1), np.ones(1)
    p = 0.0
    for j in range(ncol - 2):
        c = int(cols[j])
        last = j == ncol - 3
        rest = cols[j + 1 :]
        rest_total = int(rest.sum())
        lo = np.maximum(0, keys - rest_total)
        hi = np.minimum(c, keys)
        counts = hi - lo + 1
        size = int(counts.sum())
        spend(float(size) * 4 + 1000)
        idx = np.repeat(np.arange(len(keys)), counts)
        y = lo[idx] + (np.arange(size) - np.repeat(np.cumsum(counts) - counts, counts))
        child = keys[idx] - y
        tot = vals[idx] - lf[y] - lf[c - y]
        w = wts[idx]
        if last and size <= _DIRECT_LIMIT:  # the last step classifies these itself
            keys, vals, wts = child, tot, w
            break
        ukeys, at = np.unique(child, return_inverse=True)
        spend(40.0 * len(rest) * len(ukeys))
        rows = np.sort(np.column_stack([ukeys, rest_total - ukeys]), axis=1)
        upper, lower, log_total = bounds(rows, rest, lf)
        accept = tot + upper[at] <= thr
        if accept.any():
            p += float(np.sum(w[accept] * np.exp(tot[accept] + log_total[at[accept]] + const)))
        keep = ~accept & (tot + lower[at] <= thr) & (tot + log_total[at] > thr - _NEGLIGIBLE)
        if not keep.any():
            return min(p, 1.0)
        keys, vals, wts = merge(child[keep], tot[keep], w[keep])
    ca, cb = int(cols[-2]), int(cols[-1])
    p += _last_two(keys, vals, wts, ca, cb, lf, thr, const, spend)
    return min(p, 1.0)
