"""Order statistics of the pairwise differences ``x_i - y_j`` without forming them (private).

The Hodges-Lehmann shift and the exact Wilcoxon interval of :mod:`b12cohort.stats.rank_tests` are
order statistics of the ``n1 * n2`` differences. Formed explicitly (R does
``median(outer(x, y, "-"))``), they need ``O(n1 n2)`` memory: 19 GB at 10^5 subjects. Here
they are selected exactly in ``O((n1 + n2) log(n1 + n2))`` time per step and ``O(n1 + n2)``
memory.

Algorithm
---------
With ``x`` and ``y`` sorted, the differences form an implicitly sorted matrix: row ``i``
(``x_i``) holds ``fl(x_i - y_j)``, non-increasing in ``j``; since floating-point rounding is
monotone, this holds for the *computed* differences too, which are the values
``numpy.subtract.outer`` produces. The k-th smallest is found by selection in that matrix
(Johnson & Mizoguchi 1978; Monahan 1984, ACM Algorithm 616, for the one-sample Walsh
averages), keeping for each row the interval of columns whose values may still be the
answer:

1. A pivot value ``p`` splits every row at one column, found by binary search
   (``numpy.searchsorted`` of ``x_i - p`` in ``y``, then corrected on the computed
   differences themselves, in whole blocks of tied ``y``: the guess can be off for ``y``
   within a few ulps of ``x_i - p``). Summing over rows gives ``#{d < p}`` and
   ``#{d <= p}``: the answer is below ``p``, equal to ``p``, or above it, and every row's
   interval shrinks accordingly.
2. Pivots are chosen as in Floyd & Rivest's (1975) SELECT: a seeded uniform sample of the
   remaining candidates, and the two sample quantiles ``3 sqrt(s)`` ranks either side of
   the target, so that the answer lies between them with high probability and the
   candidates shrink by a factor of about ``6 / sqrt(s)`` per round.
3. When at most ``MATERIALISE_MAX`` candidates remain, they are formed and the answer
   selected with ``numpy.partition``.

The result is exact whatever the pivots (the sample affects the running time only), and
deterministic (fixed seed). Small problems (``n1 n2 <= MATERIALISE_MAX``) are formed at
once, exactly as before.

References
----------
Johnson DB, Mizoguchi T. Selecting the Kth element in X + Y and X1 + X2 + ... + Xm.
SIAM J Comput. 1978;7(2):147-153.
Monahan JF. Algorithm 616: fast computation of the Hodges-Lehmann location estimator.
ACM Trans Math Softw. 1984;10(3):265-270.
Floyd RW, Rivest RL. Expected time bounds for selection. Commun ACM. 1975;18(3):165-172.
"""

from __future__ import annotations

import numpy as np

from b12cohort.core.constants import DEFAULT_SEED

#: At most this many candidate differences are formed explicitly (8 MB of doubles).
MATERIALISE_MAX = 1 << 20
#: Size of the sample from which the pivots are taken.
_SAMPLE = 4096
_SEED = DEFAULT_SEED


def _split(xs: np.ndarray, ys: np.ndarray, p: float, strict: bool) -> np.ndarray:
    """Per row ``i``: the first ``j`` with ``fl(xs[i] - ys[j]) < p`` (``<=`` if not strict).

    ``xs``, ``ys`` ascending; the predicate is monotone in ``j`` (false, then true), so
    row ``i`` has ``len(ys) - result[i]`` differences below ``p``.
    """
    n2 = len(ys)
    # exact arithmetic: x - y < p  <=>  y > x - p; rounding can move the split by a few
    # distinct values of y near x - p, corrected below on the computed differences
    s = np.searchsorted(ys, xs - p, side="right" if strict else "left")

    def holds(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        d = xs[i] - ys[j]
        return d < p if strict else d <= p

    while True:
        i = np.flatnonzero(s > 0)
        left = i[holds(i, s[i] - 1)]  # the previous y also satisfies: split is further left
        if left.size:
            s[left] = np.searchsorted(ys, ys[s[left] - 1], side="left")
        i = np.flatnonzero(s < n2)
        right = i[~holds(i, s[i])]  # this y does not satisfy: split is further right
        if right.size:
            s[right] = np.searchsorted(ys, ys[s[right]], side="right")
        if not (left.size or right.size):
            return s


def _form(xs, ys, lo, hi) -> np.ndarray:
    """The candidate differences ``xs[i] - ys[j]``, ``lo[i] <= j < hi[i]``, as one array."""
    width = hi - lo
    total = int(width.sum())
    rows = np.repeat(np.arange(len(xs)), width)
    start = np.repeat(np.cumsum(width) - width, width)
    cols = lo[rows] + (np.arange(total) - start)
    return xs[rows] - ys[cols]


def _kth_sorted(xs, ys, k: int, materialise_max: int, rng) -> float:
    """The k-th smallest (0-based) of ``fl(xs[i] - ys[j])``; ``xs``, ``ys`` ascending."""
    n1, n2 = len(xs), len(ys)
    lo = np.zeros(n1, dtype=np.int64)  # columns j < lo[i] hold values above the answer
    hi = np.full(n1, n2, dtype=np.int64)  # columns j >= hi[i] hold values below it
    while True:
        width = hi - lo
        count = int(width.sum())
        rank = k - int((n2 - hi).sum())  # rank of the answer among the candidates
        if count <= materialise_max:
            vals = _form(xs, ys, lo, hi)
            return float(np.partition(vals, rank)[rank])
        size = min(count, _SAMPLE)
        pick = np.sort(rng.integers(0, count, size=size))
        ends = np.cumsum(width)
        rows = np.searchsorted(ends, pick, side="right")
        sample = np.sort(xs[rows] - ys[lo[rows] + pick - (ends[rows] - width[rows])])
        at = rank / count * size
        gap = 3.0 * np.sqrt(size)
        lower = sample[min(size - 1, max(0, int(np.floor(at - gap))))]
        upper = sample[min(size - 1, max(0, int(np.ceil(at + gap))))]
        for p in (lower, upper) if lower != upper else (lower,):
            s_lt = _split(xs, ys, p, strict=True)
            below = n1 * n2 - int(s_lt.sum())  # differences < p
            if k < below:
                np.maximum(lo, s_lt, out=lo)
                continue
            s_le = _split(xs, ys, p, strict=False)
            if k < n1 * n2 - int(s_le.sum()):  # differences <= p
                return float(p)
            np.minimum(hi, s_le, out=hi)


def _next_above(xs, ys, s_le: np.ndarray) -> float:
    """The smallest difference above a value, given its ``_split(..., strict=False)``.

    Columns ``j < s_le[i]`` of row ``i`` hold the values above it, the smallest at
    ``s_le[i] - 1``; inf if there is none.
    """
    s = s_le
    i = np.flatnonzero(s > 0)
    if not i.size:
        return float("inf")
    return float(np.min(xs[i] - ys[s[i] - 1]))


def difference_order_statistics(
    x, y, ranks, *, materialise_max: int = MATERIALISE_MAX
) -> list[float]:
    """Order statistics (0-based ``ranks``) of the ``len(x) * len(y)`` differences ``x_i - y_j``.

    Equal to ``np.sort(np.subtract.outer(x, y).ravel())[ranks]`` for finite inputs, without
    forming the differences when there are more than ``materialise_max``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = x.size * y.size
    ranks = [int(r) for r in np.atleast_1d(ranks)]
    if any(r < 0 or r >= total for r in ranks):
        raise IndexError(f"ranks must lie in [0, {total}); got {ranks}")
    if total <= materialise_max or not (np.isfinite(x).all() and np.isfinite(y).all()):
        vals = np.subtract.outer(x, y).ravel()
        return [float(v) for v in np.partition(vals, sorted(set(ranks)))[ranks]]
    xs, ys = np.sort(x), np.sort(y)
    rng = np.random.default_rng(_SEED)
    return [_kth_sorted(xs, ys, r, materialise_max, rng) for r in ranks]


def median_difference(x, y, *, materialise_max: int = MATERIALISE_MAX) -> float:
    """``np.median(np.subtract.outer(x, y))`` (the Hodges-Lehmann shift) in O(n) memory.

    Same value to the last bit: the middle order statistic, or for an even number of
    differences ``(a + b) / 2`` of the two middle ones, as ``np.median`` computes it.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = x.size * y.size
    if total <= materialise_max or not (np.isfinite(x).all() and np.isfinite(y).all()):
        return float(np.median(np.subtract.outer(x, y)))
    xs, ys = np.sort(x), np.sort(y)
    rng = np.random.default_rng(_SEED)
    half = total // 2
    if total % 2:
        return _kth_sorted(xs, ys, half, materialise_max, rng)
    a = _kth_sorted(xs, ys, half - 1, materialise_max, rng)
    s_le = _split(xs, ys, a, strict=False)
    b = a if half < total - int(s_le.sum()) else _next_above(xs, ys, s_le)
    return float(np.mean(np.array([a, b])))  # np.median's own arithmetic: (a + b) / 2
