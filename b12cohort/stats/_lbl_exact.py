"""Exact conditional distributions of ordinal statistics of an R×C table (private).

Used by :mod:`b12cohort.stats.ordinal` for the exact linear-by-linear association test,
the exact Kendall / Goodman-Kruskal test (the statistic ``S`` = concordant minus
discordant pairs) and the exact Jonckheere-Terpstra test (``JT = S / 2 + E(JT)``).

Model
-----
Under independence with both margins fixed, a table has the multivariate hypergeometric
probability ``prod r_i! prod c_j! / (N! prod n_ij!)``. The table is filled one cell at a
time, column by column and, within a column, row by row. Cell ``(i, j)`` takes ``k`` of
the ``c`` units still to place in column ``j`` with the hypergeometric probability
``C(m_i, k) C(M, c - k) / C(m_i + M, c)``, where ``m_i`` is what row ``i`` has left and
``M`` what the rows below it (in the filling order) have left; the product of these over
the cells is the table's probability.

Both statistics are sums of per-cell increments that depend only on ``k`` and on the row
totals left:

* linear-by-linear ``T = sum_ij a_i b_j n_ij``: cell ``(i, j)`` adds ``k a_i b_j``;
* Kendall's ``S``: each pair of units in different rows and columns is counted once, from
  the unit of the lower row ``i``. The units of rows ``l > i`` outside column ``j`` number
  ``R_{>i} - (c - k)`` (the rest of column ``j`` must go to rows below ``i``); those of
  them already placed (earlier columns) number ``E = sum_{l>i} (r_l - m_l)`` and are
  discordant with the ``k`` units, the others concordant. So the cell adds
  ``k (R_{>i} - c + k - 2 E)``. Pairs tied on the row or the column add nothing.

So a dynamic programme whose state is the vector of row totals left, each state carrying
the distribution of the partial statistic on integer keys (probabilities merged when
state and key coincide), gives the exact distribution (Mehta & Patel's network algorithm
without its bounds: every path is kept, so one- and two-sided p-values alike come from
the whole distribution). Integer keys make the comparison with the observed value exact.
Each step is vectorised over all (state, key) entries at once.

Work
----
:func:`work_estimate` bounds, before anything runs, the number of (state, partial value)
entries the programme visits; the caller compares it with its ``max_work`` budget.

References
----------
Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
contingency tables. J Am Stat Assoc. 1983;78(382):427-434.
Agresti A, Mehta CR, Patel NR. Exact inference for contingency tables with ordered
categories. J Am Stat Assoc. 1990;85(410):453-458.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = ["distribution", "work_estimate"]


#: Above this many inner steps :func:`_bounded_count` returns a closed-form upper bound
#: instead of counting: the exact count costs O(total x sum(bounds)) Python steps, which at
#: 10^5 infants took minutes (the estimate is only compared with a work budget, and a
#: table that large is far beyond any budget, so the looser bound decides the same way).
EXACT_COUNT_STEPS = 2_000_000


def _bounded_count(bounds, total: int) -> int:
    """How many vectors ``0 <= v_i <= bounds_i`` sum to ``total`` (an upper bound when the
    exact count would take more than :data:`EXACT_COUNT_STEPS` steps)."""
    from math import comb, prod

    if total * sum(min(b, total) + 1 for b in bounds) > EXACT_COUNT_STEPS:
        k = len(bounds)
        return min(prod(min(b, total) + 1 for b in bounds), comb(total + k - 1, k - 1))
    ways = [1] + [0] * total
    for b in bounds:
        new = [0] * (total + 1)
        for s in range(total + 1):
            if ways[s]:
                for k in range(min(b, total - s) + 1):
                    new[s + k] += ways[s]
        ways = new
    return ways[total]


def work_estimate(table: np.ndarray, key_range) -> int:
    """Upper bound on the (state, partial value) entries times branches, over the cells.

    ``key_range(j)`` bounds the number of distinct partial values within column ``j``.
    """
    rows = [int(r) for r in np.asarray(table).sum(axis=1)]
    cols = [int(c) for c in np.asarray(table).sum(axis=0)]
    work, used = 0, 0
    for j, c in enumerate(cols):
        for i in range(len(rows)):
            states = min(_bounded_count(rows, used + c), _bounded_count(rows, used) * (c + 1) ** i)
            work += states * max(1, int(key_range(j))) * (min(rows[i], c) + 1)
            if work > 10**15:
                return int(work)
        used += c
    return int(work)


def _merge(rem: np.ndarray, keys: np.ndarray, probs: np.ndarray, radix: np.ndarray):
    """Sum the probabilities of equal (state, key) entries."""
    state = rem @ radix
    kmin = keys.min()
    span = int(keys.max() - kmin) + 1
    if int(state.max()) < (2**62) // span:
        code = state * span + (keys - kmin)
        uniq, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    else:  # too wide for one integer code: group on both columns
        pairs = np.stack([state, keys], axis=1)
        uniq, first, inverse = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    summed = np.bincount(inverse, weights=probs, minlength=len(uniq))
    return rem[first], keys[first], summed


def distribution(
    table: np.ndarray,
    *,
    kind: str,
    row_scores: np.ndarray | None = None,
    col_scores: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact conditional distribution of ``T`` (``kind="lbl"``, integer scores) or
    Kendall's ``S`` (``kind="kendall"``) given both margins of ``table``.

    Returns the distinct values (int64, ascending) and their probabilities.
    """
    t = np.asarray(table, dtype=np.int64)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    n = int(rows.sum())
    r = len(rows)
    lf = gammaln(np.arange(n + 2, dtype=float) + 1.0)
    radix = np.cumprod(np.concatenate([[1], rows[:-1] + 1])).astype(np.int64)
    below = np.concatenate([np.cumsum(rows[::-1])[::-1][1:], [0]])  # R_{>i}
    a = None if row_scores is None else np.asarray(row_scores, dtype=np.int64)
    b = None if col_scores is None else np.asarray(col_scores, dtype=np.int64)
    rem = rows[None, :].copy()
    keys = np.zeros(1, dtype=np.int64)
    probs = np.ones(1)
    for j, c in enumerate(int(v) for v in cols):
        left_total = n - int(cols[:j].sum())  # units left before column j
        for i in range(r):
            m = rem[:, i]
            rest = rem[:, i + 1 :].sum(axis=1)  # M: left in the rows after i
            c_left = c - (left_total - rem.sum(axis=1))  # of column j, still to place
            if kind == "kendall":
                placed_below = below[i] - rest  # E: rows > i, earlier columns
            parts_rem, parts_keys, parts_probs = [], [], []
            for k in range(min(int(rows[i]), c) + 1):
                ok = (m >= k) & (c_left >= k) & (rest >= c_left - k)
                if not ok.any():
                    continue
                mo, ro, co = m[ok], rest[ok], c_left[ok]
                logw = (
                    lf[mo] - lf[k] - lf[mo - k]
                    + lf[ro] - lf[co - k] - lf[ro - co + k]
                    - lf[mo + ro] + lf[co] + lf[mo + ro - co]
                )  # fmt: skip
                if kind == "kendall":
                    inc = k * (below[i] - co + k - 2 * placed_below[ok])
                else:
                    inc = np.full(len(mo), k * int(a[i]) * int(b[j]), dtype=np.int64)
                new_rem = rem[ok].copy()
                new_rem[:, i] -= k
                parts_rem.append(new_rem)
                parts_keys.append(keys[ok] + inc)
                parts_probs.append(probs[ok] * np.exp(logw))
            rem, keys, probs = _merge(
                np.concatenate(parts_rem), np.concatenate(parts_keys),
                np.concatenate(parts_probs), radix,
            )  # fmt: skip
    order = np.argsort(keys)
    return keys[order], probs[order]
