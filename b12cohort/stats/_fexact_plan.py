"""Up-front work estimate of the exact Fisher–Freeman–Halton p-value (private).

:func:`work_estimate` says, before any enumeration, how much work (in the units of
``max_work``, see :func:`b12cohort.stats._fexact.fexact_pvalue`) the exact p-value of a
table will take, so that ``p_method="auto"`` decides between the exact test and Monte
Carlo at once instead of after part of a hopeless enumeration. It returns two numbers:

* ``bound``: the work of the algorithm *without* any pruning by the bounds (every partial
  table kept, only identical row remainders merged). It is computed from exact split
  counts (a small dynamic programme over the rows) and the algorithm's own accounting,
  and is never below the work actually charged (``tests/test_contingency_plan.py``
  checks this on random tables). When ``bound <= max_work`` the exact run cannot exceed
  its budget.
* ``estimate``: what the run is expected to need once the bounds prune; deliberately on
  the low side, so that only tables that are hopeless go to Monte Carlo unenumerated.
  The pruning grows with every column placed and with the number of rows R; on random
  and reference tables (3×3 to 5×5, 3×6, 4×7; N = 16-600) the actual work was 1/1 to
  1/10^6 of ``bound``, and ``bound / (R (R - 1))^(C - 2)`` for C columns was within a
  factor ~3 above the actual work or below it. Two-row tables have their own
  estimate: per column the top cell is kept within the window where its hypergeometric
  mass is above 1e-20 of the largest (``± sd × sqrt(2 × 46)``), which is what the
  two-row path's cut-off at 1e-20 of the observed probability keeps for a table near
  independence (a table far from it keeps more, so its work is underestimated).

The estimate is an estimate, not a bound: ``p_method="auto"`` runs the exact test when
``estimate <= max_work``; if the run then meets its budget after all (its own check
before every step) it falls back to Monte Carlo and ``method_detail`` says so. Tables
whose estimate is beyond the budget go to Monte Carlo without any enumeration.
"""

from __future__ import annotations

import math

import numpy as np

from b12cohort.stats import _fexact_fast

__all__ = ["work_estimate"]


def split_count(caps, total: int) -> float:
    """Number of splits of ``total`` among rows of capacities ``caps`` (exact, as float).

    Inclusion-exclusion over the rows that overflow (``2^R`` binomials, exact integers) for
    up to 8 rows, else a dynamic programme over the rows.
    """
    caps = [int(c) for c in caps]
    k = len(caps) - 1
    if len(caps) <= 8:
        count = 0
        for mask in range(1 << len(caps)):
            over = total - sum(c + 1 for i, c in enumerate(caps) if mask >> i & 1)
            if over >= 0:
                count += (-1) ** mask.bit_count() * math.comb(over + k, k)
        return float(count)
    ways = np.zeros(total + 1)
    ways[0] = 1.0
    for c in caps:
        cum = np.cumsum(ways)
        if c + 1 <= total:
            cum[c + 1 :] -= cum[: total - c].copy()
        ways = cum
    return float(ways[total])


def network_bound(x: np.ndarray) -> float:
    """Work of :func:`~b12cohort.stats._fexact_network.network_pvalue` without pruning.

    ``x`` as the engine sees it (rows <= columns, columns ascending). Level ``j`` pairs at
    most every partial table of columns ``0..j`` (the product of the split counts) and
    builds the splits of at most every node (row remainders: the splits of the total
    placed so far); the last step builds at most ``nodes × width`` completions.
    """
    rows = [int(r) for r in x.sum(1)]
    cols = [int(c) for c in x.sum(0)]
    nrow, ncol = len(rows), len(cols)
    paths, work, placed = 1.0, 0.0, 0
    for j in range(ncol - 2):
        s = split_count(rows, cols[j])
        nodes = split_count(rows, placed) if j else 1.0
        paths *= s
        work += paths + min(paths, nodes * s) * (1 + nrow * (ncol - j - 1))
        placed += cols[j]
    nodes = min(paths, split_count(rows, placed))
    width = split_count([min(r, cols[-2]) for r in rows], cols[-2])
    comps = nodes * width
    direct = min(paths * width + comps, 9 * comps + 8 * paths)
    srt = 8 * comps + paths * (2 + int(width).bit_length())
    return work + max(direct, srt)


def _two_row_estimate(x: np.ndarray) -> float:
    """Expected work of :func:`~b12cohort.stats._fexact_fast.two_row_pvalue`."""
    top, n = int(x[0].sum()), int(x.sum())
    cols = x.sum(0).astype(float)
    half = math.sqrt(2.0 * 46.0)
    f = top / n
    sd = np.sqrt(cols * f * (1 - f) * (n - cols) / max(n - 1, 1))
    window = np.minimum(cols + 1, 2 * np.ceil(half * sd) + 1)
    entries, work = 1.0, 0.0
    for j in range(len(cols) - 2):
        entries *= float(window[j])
        work += entries * 4 + 1000 + 40.0 * (len(cols) - j - 1) * min(entries, top + 1)
    ca, cb = cols[-2], cols[-1]
    m = ca + cb
    sd_last = math.sqrt(max(m * 0.25, 0.0) * ca * cb / (m * m)) if m else 0.0
    return work + entries * (2 * int(math.log2(ca + 2)) + 17 + 16 * sd_last)


def work_estimate(x: np.ndarray) -> tuple[float, float]:
    """``(estimate, bound)`` of the work of the exact p-value of ``x`` (module notes).

    ``x``: the table as :func:`b12cohort.stats._fexact.prepare` returns it.
    """
    if x.shape[0] == 2:
        enum = _fexact_fast.table_count_bound(x)
        if enum <= _fexact_fast.ENUMERATE_LIMIT:
            return enum, enum
        est = _two_row_estimate(x)
        return est, float("inf")
    bound = network_bound(x)
    nrow = x.shape[0]
    return min(bound, bound / float(nrow * (nrow - 1)) ** (x.shape[1] - 2)), bound
