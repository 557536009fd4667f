"""Enumeration of the 2 × G tables compatible with published margins (private helpers of
:mod:`b12cohort.paper.audit`): their number in closed form, the effects of a table, the
reading of a result."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import check_dataframe
from b12cohort.core.errors import ArgumentError
from b12cohort.paper.replication import published_facts
from b12cohort.stats import _trend

__all__ = [
    "allocations",
    "as_int",
    "audit_reading",
    "compositions",
    "count_tables",
    "effects",
    "label_table",
    "pick_largest",
    "reading_text",
    "sign_facts",
    "trend_p_values",
]


# --------------------------------------------------------------------------------------


def compositions(total: int, parts: int, minimum: int) -> list[tuple[int, ...]]:
    """Every composition of ``total`` into ``parts`` parts >= ``minimum``, lexicographic."""
    if parts == 1:
        return [(total,)] if total >= minimum else []
    out = []
    for first in range(minimum, total - minimum * (parts - 1) + 1):
        out += [(first, *rest) for rest in compositions(total - first, parts - 1, minimum)]
    return out


def allocations(k: int, sizes: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every way to place ``k`` events in groups of ``sizes``, lexicographic."""
    if len(sizes) == 1:
        return [(k,)] if k <= sizes[0] else []
    out = []
    for first in range(min(k, sizes[0]) + 1):
        out += [(first, *rest) for rest in allocations(k - first, sizes[1:])]
    return out


def _countallocations(k: int, sizes) -> int:
    ways = [1] + [0] * k  # polynomial product of (1 + u + ... + u^size)
    for size in sizes:
        ways = [sum(ways[max(0, j - size) : j + 1]) for j in range(k + 1)]
    return ways[k]


def count_tables(
    *, n_with: int, grade_counts=None, n_total: int | None = None, n_grades: int = 3,
    min_per_grade: int = 1,
) -> int:  # fmt: skip
    """The number of 2 × G tables with these margins, in closed form (exact integer).

    With ``grade_counts``: the coefficient of ``u^n_with`` in ``Π_g (1 + u + ... +
    u^n_g)``. Without: the number of pairs of compositions ``(x, y)`` of ``n_with`` and
    ``n_total - n_with`` into ``G`` non-negative parts with ``x_g + y_g >= min_per_grade``,
    by inclusion–exclusion on the grades below the minimum:
    ``Σ_j (-1)^j C(G, j) [u^a v^b] B^j A^(G-j)`` with ``A = 1 / ((1 - u)(1 - v))`` and
    ``B = Σ_{x + y < min} u^x v^y``; for ``min_per_grade = 1``,
    ``Σ_j (-1)^j C(G, j) C(a + G - j - 1, G - j - 1) C(b + G - j - 1, G - j - 1)``.

    Examples
    --------
    >>> count_tables(n_with=12, n_total=19)
    2967
    >>> count_tables(n_with=12, grade_counts=[4, 13, 2])
    15
    """
    if grade_counts is not None:
        return _countallocations(n_with, grade_counts)
    a, b, g, m = n_with, n_total - n_with, n_grades, min_per_grade
    # small[i][k]: coefficients of B^j, grown one factor at a time
    small = {(0, 0): 1}
    total = 0
    for j in range(g + 1):
        r = g - j
        term = 0
        for (i, k), c in small.items():
            if i > a or k > b:
                continue
            if r == 0:
                term += c if (i, k) == (a, b) else 0
            else:
                term += c * math.comb(a - i + r - 1, r - 1) * math.comb(b - k + r - 1, r - 1)
        total += (-1) ** j * math.comb(g, j) * term
        grown: dict[tuple[int, int], int] = {}
        for (i, k), c in small.items():
            for x in range(m):
                for y in range(m - x):
                    grown[(i + x, k + y)] = grown.get((i + x, k + y), 0) + c
        small = grown
    return total


def _pfmt(p: float) -> str:
    return f"{p:.1e}" if p < 0.001 else f"{p:.3f}"


def _pct(v: float) -> str:
    return f"{abs(v) * 100:.0f} percentage points"


def label_table(x: np.ndarray, grades) -> pd.DataFrame:
    return pd.DataFrame(
        x, index=pd.Index(["with", "without"], name="sign"), columns=pd.Index(grades, name="grade")
    )


def effects(events: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Risk difference (last minus first non-empty grade) and least-squares slope."""
    rd = np.zeros(len(events))
    slope = np.zeros(len(events))
    for t, (x, n) in enumerate(zip(events, sizes, strict=True)):
        keep = n > 0
        x, n = x[keep].astype(float), n[keep].astype(float)
        if len(n) < 2:
            continue
        rd[t] = round(x[-1] / n[-1] - x[0] / n[0], 12)
        s = np.arange(1.0, len(n) + 1.0)
        sbar = float(np.sum(n * s) / n.sum())
        slope[t] = round(float(np.sum(x * (s - sbar)) / np.sum(n * (s - sbar) ** 2)), 12)
    return rd, slope


def pick_largest(effect: np.ndarray, ok: np.ndarray) -> int | None:
    """Index of the largest |effect| among ``ok`` (ties: positive, then first)."""
    idx = np.flatnonzero(ok)
    if not len(idx):
        return None
    order = np.lexsort((idx, -effect[idx], -np.round(np.abs(effect[idx]), 12)))
    return int(idx[order[0]])


def reading_text(r: dict) -> str:
    label = f"{r['n_with']}/{r['n_total']}"
    if r["verdict"] == "untestable":
        who = "every infant" if r["n_with"] == r["n_total"] else "no infant"
        return (
            f"{label}: {who} had the sign, so all {r['n_tables']:,} compatible tables give "
            "p = 1 whatever the grades: the claim cannot be tested for this sign, and the "
            "published numbers say nothing about its relation to anaemia."
        )
    head = (
        f"{label}: the margins are compatible with {r['n_tables']:,} tables "
        f"({r['margins_text']}); the {r['test']} gives p from {_pfmt(r['p_min'])} to "
        f"{_pfmt(r['p_max'])}, below {r['alpha']:g} in {r['n_reject']:,} of them "
        "(a count of tables, not a probability). "
    )
    if r["verdict"] == "forced_no_association":
        body = (
            f"No compatible table reaches p < {r['alpha']:g}: with these margins this test "
            "could not have shown an association, so its absence is no evidence either way."
        )
    elif r["verdict"] == "forced_association":
        body = f"Every compatible table gives p < {r['alpha']:g}."
    else:
        body = (
            f"Depending on where the infants with the sign were, the data "
            f"could have shown an association (p as low as {_pfmt(r['p_min'])}) or none: the "
            "conclusion rests on the unpublished joint distribution of sign and grade."
        )
    rd = r["largest_risk_difference"]
    if rd is not None and math.isfinite(rd):
        more = "more" if rd >= 0 else "less"
        body += (
            f" A table in which the sign is {_pct(rd)} {more} frequent in the most than in "
            f"the least severe grade ({r['effect_table_text']}) still gives p = "
            f"{_pfmt(r['effect_p'])} >= {r['alpha']:g}"
            + (
                ": an association that strong could have gone undetected."
                if r["strong_effect_undetected"]
                else "."
            )
        )
    return head + body


_FACT_NEEDS = ("item", "variable", "kind", "count", "total")


def sign_facts(published: Any, function: str) -> pd.DataFrame:
    facts = published_facts() if published is None else published
    check_dataframe(facts, function=function, name="published")
    missing = [c for c in _FACT_NEEDS if c not in facts.columns]
    if missing:
        raise ArgumentError(
            f"{function}(): the `published` table lacks column(s) {', '.join(missing)}; it "
            "needs one row per fact as b12cohort.paper.replication.published_facts() gives."
        )
    rows = facts[facts["kind"].astype(str).str.strip().str.lower() == "percent"]
    rows = rows[rows["count"].notna() & rows["total"].notna()]
    if rows.empty:
        raise ArgumentError(
            f"{function}(): no row of `published` has kind 'percent' with a count and a "
            "total: there is no sign to audit."
        )
    return rows.reset_index(drop=True)


def trend_p_values(sizes: tuple, events: np.ndarray, alternative: str) -> tuple[np.ndarray, ...]:
    """(p, z) of ``trend_test(..., p_method="exact")`` for every allocation of one composition.

    The rows of ``events`` are *every* placement of the events in grades of ``sizes``,
    i.e. the whole support of the conditional null distribution, so the exact
    permutation p-value of each is a sum over the others: ``P(Z <= -|z| + eps) + P(Z >=
    |z| - eps)`` with coin's ``eps`` (:data:`b12cohort.stats._trend.COIN_EPS`), ``z``
    standardised with the permutation variance exactly as
    :func:`b12cohort.stats._trend.trend_exact_pvalue` does, and the probabilities
    ``Π C(n_g, x_g) / C(N, m)`` summed as exact integers. As the public test: empty
    grades dropped, scores 1..k over the observed grades, p = 1 when nothing varies.
    Equal to the engine's p within its documented relative 3e-12 (tested on samples).
    """
    n_i = np.asarray(sizes, dtype=np.int64)
    keep = n_i > 0
    n_i, x = n_i[keep], events[:, keep]
    n, m = int(n_i.sum()), int(x[0].sum())
    ones, nan = np.ones(len(x)), np.full(len(x), np.nan)
    if len(n_i) < 2 or m in (0, n):
        return ones, nan
    s = np.arange(1.0, len(n_i) + 1.0)
    sbar = float(np.sum(n_i * s)) / n
    ss = float(np.sum(n_i * (s - sbar) ** 2))
    sd = math.sqrt(m * (n - m) / (n * (n - 1.0)) * ss)
    z = ((x * s).sum(1) - m * sbar) / sd
    weight = [
        math.prod(math.comb(int(a), int(b)) for a, b in zip(n_i, row, strict=True)) for row in x
    ]
    if sum(weight) != math.comb(n, m):  # not the whole support: a bug upstream
        raise RuntimeError("compatible_tables(): the allocations are not the whole support.")
    w = np.array(weight, dtype=float)
    eps = _trend.COIN_EPS
    if alternative == "less":
        region = z[None, :] <= z[:, None] + eps
    elif alternative == "greater":
        region = z[None, :] >= z[:, None] - eps
    else:
        q = np.abs(z)[:, None]
        region = (z[None, :] <= -q + eps) | (z[None, :] >= q - eps)
    p = np.minimum(1.0, (region @ w) / float(math.comb(n, m)))
    if alternative == "two-sided":
        p[z == 0] = 1.0
    return p, z


def _table_text(table: pd.DataFrame) -> str:
    return ", ".join(f"{table.loc['with', g]}/{table[g].sum()} {g}" for g in table.columns)


def audit_reading(item: str, results: list) -> str:
    """The reading of one sign of :func:`~b12cohort.paper.audit.audit_published_claim`."""
    first = results[0]
    label = f"{item} ({first.n_with}/{first.n_total})"
    if first.verdict == "untestable":
        return f"{label}: " + first.reading.split(": ", 1)[1]
    alpha = f"{first.alpha:g}"
    head = (
        f"{label}: {first.n_tables:,} tables are compatible with the published margins "
        f"(grade counts unknown: {first.n_compositions:,} ways to split {first.n_total} "
        f"infants into {first.n_grades} grades, at least {first.min_per_grade} each). "
        + "; ".join(
            f"{r.test}: p from {_pfmt(r.p_min)} to {_pfmt(r.p_max)}, p < {alpha} in {r.n_reject:,}"
            for r in results
        )
        + " (counts of tables, not probabilities). "
    )
    if all(r.verdict == "forced_no_association" for r in results):
        body = (
            f"No compatible table reaches p < {alpha}: these margins could not have shown "
            "an association, so its absence is no evidence either way."
        )
    else:
        best = min(results, key=lambda r: r.p_min)
        body = (
            f"The published margins are compatible with p from {_pfmt(best.p_min)} to "
            f"{_pfmt(max(r.p_max for r in results))}: the paper's data could have shown a "
            f"strong association ({_table_text(best.min_p_table)} gives "
            f"{best.test.split(' ')[0]} p = {_pfmt(best.p_min)}), and the conclusion rests "
            "on the unpublished joint distribution of sign and grade."
        )
    shown = [r for r in results if math.isfinite(r.largest_effect_p)]
    groups: dict[tuple, list] = {}
    for r in shown:  # the same table for several tests is described once
        groups.setdefault((r.largest_risk_difference, _table_text(r.largest_effect_table)), [])
        groups[(r.largest_risk_difference, _table_text(r.largest_effect_table))].append(r)
    if groups:
        body += f" Yet p >= {alpha} in " + "; and in ".join(
            f"a table with the sign {_pct(rd)} {'more' if rd >= 0 else 'less'} frequent in "
            f"the most than in the least severe grade ({text}: "
            + ", ".join(f"{r.test.split(' ')[0]} p = {_pfmt(r.largest_effect_p)}" for r in rs)
            + ")"
            for (rd, text), rs in groups.items()
        )
        body += (
            ": an association that strong could have gone undetected."
            if any(r.strong_effect_undetected for r in shown)
            else "."
        )
    return head + body


def as_int(value: Any) -> Any:
    """numpy integers as int (the argument checks accept Python numbers only)."""
    return int(value) if isinstance(value, np.integer) else value
