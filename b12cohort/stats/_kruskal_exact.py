"""Exact and Monte Carlo permutation p-values of the Kruskal-Wallis test.

Private engine: plain functions on a list of samples (no argument checking beyond what
the algorithm needs). Under the null hypothesis every assignment of the pooled values to
groups of the observed sizes is equally likely; the p-value is the share of assignments
whose H is at least the observed H. Ties take mid-ranks, and the tie correction of H is
the same for every assignment, so H orders assignments as :math:`S = \\sum_j R_j^2 / n_j`
does (R_j: rank sum of group j). The engine works with doubled ranks (whole numbers even
with mid-ranks) and compares :math:`L \\cdot S` in exact integer arithmetic
(L: least common multiple of the group sizes).

Exact algorithm: the g - 2 smallest groups are enumerated as combinations; for each, the
distribution of the rank sum of the next group among the items left is counted by a
subset-sum recursion over (group size, rank sum), and the last group's sum follows. The
work, decided before anything runs, counts the cells that recursion updates plus a fixed
bookkeeping charge per enumerated partial assignment:
``(enumerated partial assignments) x ((items left) x (size + 1) x (rank-sum range) + 20,000)``.

Monte Carlo: ``n_resamples`` random permutations of the pooled ranks (numpy Generator),
p = share with H >= observed H (as ``coin::kruskal_test(distribution = approximate())``,
no +1), standard error :math:`\\sqrt{p(1-p)/B}`.

Pinned to full enumeration in R and to coin 1.4-2 in ``tests/reference/kruskal_exact.R``.

References
----------
Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. J Am Stat Assoc.
1952;47(260):583-621.
Hothorn T, Hornik K, van de Wiel MA, Zeileis A. A Lego system for conditional inference.
Am Stat. 2006;60(3):257-263.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations, pairwise

import numpy as np
from scipy import stats

__all__ = [
    "DEFAULT_MAX_WORK",
    "KruskalPermutation",
    "WorkLimitExceeded",
    "exact_work",
    "kruskal_permutation",
]

#: Default work budget of the exact enumeration (see the module notes); about a second on
#: one core.
DEFAULT_MAX_WORK = 100_000_000
_PER_PARTIAL = 20_000  # work charged per enumerated partial assignment (Python overhead)
_INT_LIMIT = 2**62


class WorkLimitExceeded(Exception):
    """The exact enumeration would need more than ``max_work``; ``.work`` says how much."""

    def __init__(self, work: int, max_work: int):
        super().__init__(f"exact Kruskal-Wallis needs {work:,} work units > max_work={max_work:,}")
        self.work = work
        self.max_work = max_work


@dataclass(frozen=True)
class KruskalPermutation:
    """``statistic`` (tie-corrected H, as R ``kruskal.test``), ``p_value``, ``method``
    (``"exact"`` or ``"monte-carlo"``), ``work`` (exact work units, computed in both
    cases), ``n_assignments`` (distinct labelled assignments), ``n_resamples`` and
    ``mc_standard_error`` (Monte Carlo only, else None), ``random_state`` (the seed when
    one was given)."""

    statistic: float
    p_value: float
    method: str
    work: int
    n_assignments: int
    n_resamples: int | None = None
    mc_standard_error: float | None = None
    random_state: int | None = None


def _doubled_ranks(samples: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    pooled = np.concatenate([np.asarray(s, dtype=float) for s in samples])
    doubled = np.rint(2 * stats.rankdata(pooled)).astype(np.int64)
    return doubled, [int(np.asarray(s).size) for s in samples]


def _order(sizes: list[int]) -> list[int]:
    """Group indices, smallest first: the g - 2 smallest are enumerated."""
    return sorted(range(len(sizes)), key=lambda j: sizes[j])


def exact_work(sizes: list[int], n_total: int | None = None) -> int:
    """Work units the exact enumeration needs for these group sizes (see module notes)."""
    sizes = [sizes[j] for j in _order(sizes)]
    n = sum(sizes) if n_total is None else n_total
    outer, left = 1, n
    for size in sizes[:-2]:
        outer *= math.comb(left, size)
        left -= size
    size_a = sizes[-2] if len(sizes) >= 2 else 0
    span = 2 * n * size_a + 1  # doubled rank sums of size_a items lie in [0, 2 n size_a]
    return outer * (left * (size_a + 1) * span + _PER_PARTIAL)


def _n_assignments(sizes: list[int]) -> int:
    total, left = 1, sum(sizes)
    for size in sizes:
        total *= math.comb(left, size)
        left -= size
    return total


def _h_statistic(doubled: np.ndarray, sizes: list[int]) -> float:
    n = doubled.size
    ranks = doubled / 2.0
    bounds = np.cumsum([0, *sizes])
    s = sum(ranks[a:b].sum() ** 2 / (b - a) for a, b in pairwise(bounds))
    _, ties = np.unique(doubled, return_counts=True)
    correction = 1 - np.sum(ties**3 - ties) / (n**3 - n)
    return float((12 / (n * (n + 1)) * s - 3 * (n + 1)) / correction)


def _scaled_s(sums, sizes, lcm: int):
    """L * sum_j (2 R_j)^2 / n_j, exact in int64 (each term is a whole number)."""
    return sum(
        np.asarray(r, dtype=np.int64) ** 2 * (lcm // m) for r, m in zip(sums, sizes, strict=True)
    )


def _exact_p(doubled: np.ndarray, sizes: list[int]) -> float:
    order = _order(sizes)
    ordered = [sizes[j] for j in order]
    bounds = np.cumsum([0, *sizes])
    observed_sums = [int(doubled[bounds[j] : bounds[j + 1]].sum()) for j in order]
    lcm = math.lcm(*ordered)
    observed = int(_scaled_s(observed_sums, ordered, lcm))
    head, (size_a, size_b) = ordered[:-2], ordered[-2:]
    total_count = 0.0

    def recurse(items: np.ndarray, level: int, partial: int) -> None:
        nonlocal total_count
        if level < len(head):
            for chosen in combinations(range(items.size), head[level]):
                mask = np.ones(items.size, dtype=bool)
                mask[list(chosen)] = False
                term = int(items[list(chosen)].sum()) ** 2 * (lcm // head[level])
                recurse(items[mask], level + 1, partial + term)
            return
        span = int(items.sum()) + 1
        ways = np.zeros((size_a + 1, span))
        ways[0, 0] = 1.0
        for r in items:
            ways[1:, r:] += ways[:-1, : span - r].copy()
        sums_a = np.flatnonzero(ways[size_a])
        sums_b = int(items.sum()) - sums_a
        scaled = partial + sums_a**2 * (lcm // size_a) + sums_b**2 * (lcm // size_b)
        total_count += float(ways[size_a, sums_a][scaled >= observed].sum())

    recurse(doubled, 0, 0)
    return total_count / _n_assignments(sizes)


def _monte_carlo_p(doubled, sizes, n_resamples: int, rng: np.random.Generator) -> float:
    bounds = np.cumsum([0, *sizes])
    lcm = math.lcm(*sizes)
    observed = int(_scaled_s([doubled[a:b].sum() for a, b in pairwise(bounds)], sizes, lcm))
    hits, done, chunk = 0, 0, max(1, 2_000_000 // doubled.size)
    while done < n_resamples:
        m = min(chunk, n_resamples - done)
        perms = rng.permuted(np.broadcast_to(doubled, (m, doubled.size)), axis=1)
        sums = np.add.reduceat(perms, bounds[:-1], axis=1)
        scaled = _scaled_s(sums.T, sizes, lcm)
        hits += int(np.count_nonzero(scaled >= observed))
        done += m
    return hits / n_resamples


def kruskal_permutation(
    samples,
    *,
    p_method: str = "auto",
    max_work: int = DEFAULT_MAX_WORK,
    n_resamples: int = 100_000,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> KruskalPermutation:
    """Permutation p-value of the Kruskal-Wallis H for ``samples`` (two or more groups).

    ``p_method``: ``"exact"`` (raises :class:`WorkLimitExceeded` beyond ``max_work``),
    ``"monte-carlo"``, or ``"auto"`` (exact within ``max_work``, else Monte Carlo; the
    caller records and warns). ``rng`` (or ``seed``) drives the Monte Carlo draws.
    """
    doubled, sizes = _doubled_ranks(samples)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("kruskal_permutation needs two or more non-empty groups.")
    bound = math.lcm(*sizes) * int(doubled.sum()) ** 2 * len(sizes)
    if bound >= _INT_LIMIT:
        raise ValueError("kruskal_permutation: sample too large for exact integer statistics.")
    statistic = _h_statistic(doubled, sizes)
    work = exact_work(sizes)
    n_assign = _n_assignments(sizes)
    if p_method == "exact" or (p_method == "auto" and work <= max_work):
        if work > max_work:
            raise WorkLimitExceeded(work, max_work)
        return KruskalPermutation(statistic, _exact_p(doubled, sizes), "exact", work, n_assign)
    generator = rng if rng is not None else np.random.default_rng(seed)
    p = _monte_carlo_p(doubled, sizes, n_resamples, generator)
    return KruskalPermutation(
        statistic,
        p,
        "monte-carlo",
        work,
        n_assign,
        n_resamples=n_resamples,
        mc_standard_error=float(np.sqrt(p * (1 - p) / n_resamples)),
        random_state=seed,
    )
