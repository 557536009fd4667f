"""The general network algorithm of the exact Fisher–Freeman–Halton p-value (private).

:func:`network_pvalue` is the R×C engine behind :func:`b12cohort.stats._fexact.fexact_pvalue`
(the algorithm is described there): nodes are the sorted remaining row totals, each with
its entries (past path values and multiplicities), and a column is placed for *every node
of a level at once*: the splits of the column total are built for all nodes together
(``numpy.repeat`` over rows, no Python loop over nodes), every entry is paired with the
splits of its node, checked against the bounds of its child (:func:`_bounds`, computed
once per distinct child) and the survivors are merged (:func:`_merge`). The last two
columns are resolved per node by a meet-in-the-middle step, also for all nodes at once:
the completions of every node are sorted within their node, their cumulative
probabilities are kept per node (a padded nodes × completions array, so every node's sum
starts at zero: no cancellation), and each entry is answered by a merged sort of the
completion values and the entries' thresholds (an exact integer count, the equivalent of
``numpy.searchsorted`` within each node).

Vectorising across nodes removes the fixed Python cost per node (~0.1-0.2 ms each) that
the node-by-node version paid, which was most of the time on 3×4 tables of N ≈ 100.

References
----------
Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
contingency tables. J Am Stat Assoc. 1983;78(382):427-434.
Joe H. Extreme probabilities for contingency tables under row and column independence with
application to Fisher's exact test. Commun Stat Theory Methods. 1988;17(11):3677-3685.
"""

from __future__ import annotations

import numpy as np

__all__ = ["WorkLimitExceeded", "network_pvalue", "splits"]

#: Entries whose path values differ by less than this are merged (mass preserved).
_MERGE_TOL = 1e-9
_MAX_KEY = 2**62
#: Levels pairing fewer entries with splits than this skip the bounds (they cost ~0.1 ms
#: per level in numpy calls, more than the entries they would prune).
BOUNDS_FROM = 30000
#: The last step pairs every entry with every completion of its node while that is at most
#: this many times the completions plus entries (a sort per node costs about as much).
DIRECT_FACTOR = 8


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


def splits(caps: np.ndarray, total: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every split of ``total`` among the rows of each node (``caps``: (K, R) capacities).

    Returns ``(owner, alloc)``: ``alloc`` is one (A,) int64 array per row (1-D arrays:
    numpy's gathers and sums along a short second axis are several times slower), split
    ``a`` being ``0 <= alloc[i][a] <= caps[owner[a], i]``, summing to ``total``, grouped by
    node in order. Built one row at a time with ``numpy.repeat`` for all nodes at once; the lower
    limit of each cell keeps enough room for the rows after it, so no partial split is a
    dead end (every node needs ``total <= caps.sum()``).
    """
    nnode, nrow = caps.shape
    suffix = caps[:, ::-1].cumsum(axis=1)[:, ::-1]  # capacity of rows i .. R - 1
    owner = np.arange(nnode)
    rem = np.full(nnode, total, dtype=np.int64)
    cols: list[np.ndarray] = []
    for i in range(nrow - 1):
        lo = np.maximum(rem - suffix[owner, i + 1], 0)
        counts = np.minimum(caps[owner, i], rem) - lo + 1
        idx, y = _pair(counts)
        y += lo[idx]
        owner, rem = owner[idx], rem[idx] - y
        cols = [c[idx] for c in cols]
        cols.append(y)
    cols.append(rem)
    return owner, cols


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
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    new[1:] |= vals[1:] - vals[:-1] > _MERGE_TOL
    group = new.cumsum() - 1
    rep = vals[new]
    # exact mass: w * exp(v) = w * exp(v - rep) * exp(rep)
    mass = wts * np.exp(vals - rep[group])
    return keys[new], rep, np.bincount(group, weights=mass)


def _nodes(keys: np.ndarray, codec: _Keys):
    """Start/end offsets of each node's entries (entries sorted by key) and its rows."""
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = new.nonzero()[0]
    ends = np.append(starts[1:], len(keys))
    return starts, ends, codec.decode(keys[starts])


def _pair(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of ``counts[g]`` items: the group of every item and its rank in it."""
    ends = counts.cumsum()
    group = np.arange(len(counts)).repeat(counts)
    return group, np.arange(int(ends[-1]) if len(ends) else 0) - (ends - counts).repeat(counts)


def network_pvalue(x: np.ndarray, lf, thr: float, const: float, spend) -> float:
    """Exact p-value of ``x`` (R <= C, R >= 3 or any, columns sorted by total, ascending).

    ``lf[i] = log i!``; a table counts when ``−Σ lf[x_ij] <= thr``; ``const`` is
    ``Σ log r_i! + Σ log c_j! − log N!``; ``spend(units)`` charges the work budget before
    each step (one unit per partial table paired, completion built or bound evaluated) and
    raises :class:`WorkLimitExceeded` beyond it.
    """
    rows0 = np.sort(x.sum(1))
    cols = x.sum(0)
    ncol = len(cols)
    codec = _Keys(rows0)
    keys = codec.encode(rows0[None, :])
    vals, wts = np.zeros(1), np.ones(1)
    p = 0.0
    for j in range(ncol - 2):
        rest = cols[j + 1 :]
        starts, ends, node_rows = _nodes(keys, codec)
        owner, alloc = splits(node_rows, int(cols[j]))
        width = np.bincount(owner, minlength=len(starts))
        per_entry = np.repeat(width, ends - starts)
        spend(float(per_entry.sum()) + float(len(owner)) * (1 + node_rows.shape[1] * len(rest)))
        left = np.column_stack([node_rows[owner, i] - y for i, y in enumerate(alloc)])
        child = codec.encode(np.sort(left, axis=1))
        entry, rank = _pair(per_entry)
        node_of = np.repeat(np.arange(len(starts)), ends - starts)
        a = (np.cumsum(width) - width)[node_of[entry]] + rank
        tot = vals[entry] - sum(lf[y] for y in alloc)[a]
        w = wts[entry]
        if len(tot) < BOUNDS_FROM:  # too few to pay for the bounds: carry every entry on
            keys, vals, wts = _merge(child[a], tot, w)
            continue
        ukeys, at = np.unique(child, return_inverse=True)
        upper, lower, log_total = _bounds(codec.decode(ukeys), rest, lf)
        at = at[a]
        accept = tot + upper[at] <= thr
        if accept.any():
            p += float(np.sum(w[accept] * np.exp(tot[accept] + log_total[at[accept]] + const)))
        keep = ~accept & (tot + lower[at] <= thr)
        if not keep.any():
            return min(p, 1.0)
        keys, vals, wts = _merge(ukeys[at[keep]], tot[keep], w[keep])
    # two columns left: the completions of every node (the last column is what remains)
    starts, ends, node_rows = _nodes(keys, codec)
    nnode = len(starts)
    owner, alloc = splits(node_rows, int(cols[-2]))
    comp = -sum(lf[y] + lf[node_rows[owner, i] - y] for i, y in enumerate(alloc))
    width = np.bincount(owner, minlength=nnode)
    first = np.cumsum(width) - width
    node_of = np.repeat(np.arange(nnode), ends - starts)
    per_entry = width[node_of]
    pairs = float(per_entry.sum())
    if pairs <= DIRECT_FACTOR * (len(comp) + len(vals)):  # few entries per node: pair them
        spend(pairs + len(comp))
        entry, rank = _pair(per_entry)
        tot = vals[entry] + comp[first[node_of[entry]] + rank]
        hit = tot <= thr
        return min(p + float(np.sum(wts[entry[hit]] * np.exp(tot[hit] + const))), 1.0)
    p += _sorted_last_step(comp, owner, width, first, node_of, vals, wts, thr, const, spend)
    return min(p, 1.0)


def _sorted_last_step(comp, owner, width, first, node_of, vals, wts, thr, const, spend):
    """Mass of the entries' completions by a sort per node (meet in the middle).

    The completions of every node are sorted within their node (a padded nodes ×
    completions array, sorted along its rows) with their cumulative probabilities per node
    (each node's sum starts at zero: no cancellation); each entry's count of completions
    no larger than ``thr − value`` comes from a binary search in its node's row, run for
    all entries at once (``numpy.searchsorted`` within each node, exact comparisons).
    """
    nnode, wide = len(width), int(width.max())
    spend(4.0 * (len(comp) + nnode * wide) + len(vals) * (2 + wide.bit_length()))
    _, rank = _pair(width)
    pad = np.full((nnode, wide), np.inf)
    pad[owner, rank] = comp
    pad.sort(axis=1)
    top = pad[np.arange(nnode), width - 1]
    cum = np.cumsum(np.exp(np.minimum(pad - top[:, None], 0.0)), axis=1)  # read below width
    t = thr - vals
    lo = np.zeros(len(vals), dtype=np.int64)
    hi = width[node_of]  # pad[node, lo - 1] <= t < pad[node, hi] (ties count)
    for _ in range(wide.bit_length()):
        mid = (lo + hi) >> 1
        ok = pad[node_of, np.minimum(mid, wide - 1)] <= t
        ok &= mid < hi
        lo = np.where(ok, mid + 1, lo)
        hi = np.where(ok | (mid >= hi), hi, mid)
    hit = lo > 0
    nd = node_of[hit]
    mass = cum[nd, lo[hit] - 1] * np.exp(vals[hit] + top[nd] + const)
    return float(np.sum(wts[hit] * mass))
