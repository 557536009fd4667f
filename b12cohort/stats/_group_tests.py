"""The across-group test of each Table 1 row (used by :func:`b12cohort.stats.table_one`).

One row per variable: ``variable, test, method, statistic, df, p_value, n_groups, note``.

- A variable the grouping column is derived from (Hb across grades defined by Hb; a sign
  across ``neuro_score``), or derived from the grouping column, is not tested: the test
  would be circular. The row says so and Table 1's footnote repeats it.
- Continuous, two groups: Mann-Whitney U chosen as R ``wilcox.test``.
- Continuous, three or more groups: Kruskal-Wallis with the exact permutation p-value
  (:mod:`b12cohort.stats._kruskal_exact`) when the enumeration fits ``max_work``; else
  the chi-squared approximation when every group has at least 5 values, and otherwise a
  seeded Monte Carlo permutation p-value (recorded, with its standard error, and warned).
- Categorical: Fisher-Freeman-Halton (:func:`b12cohort.stats.contingency.fisher_exact_table`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from b12cohort.core.errors import ApproximationWarning, ArgumentError
from b12cohort.dictionary.derived import DERIVED_FROM
from b12cohort.stats import _kruskal_exact
from b12cohort.stats._censoring import rank_ready

__all__ = ["KRUSKAL_RESAMPLES", "circular_reason", "footnotes", "group_tests"]

_EXACT_MW_LIMIT = 50
_CIRCULAR = "circular: "
_KW_ASYMPTOTIC_MIN = 5  # smallest group from which the chi-squared approximation is used
#: Monte Carlo resamples of a Kruskal-Wallis p-value that cannot be enumerated.
KRUSKAL_RESAMPLES = 10_000


def circular_reason(variable: str, by: str | None) -> str | None:
    """Why ``variable`` must not be tested across the groups of ``by``, or None."""
    if by is None:
        return None
    if variable in DERIVED_FROM.get(by, ()):
        return f"{_CIRCULAR}{by} is derived from it"
    if by in DERIVED_FROM.get(variable, ()):
        return f"{_CIRCULAR}it is derived from {by}"
    return None


def untested(variable: str, reason: str) -> dict[str, Any]:
    return {
        "variable": variable,
        "test": "none",
        "method": "none",
        "statistic": np.nan,
        "df": np.nan,
        "p_value": np.nan,
        "n_groups": 0,
        "note": reason,
    }


def _mann_whitney(variable: str, x: np.ndarray, y: np.ndarray, ties: bool) -> dict[str, Any]:
    small = x.size < _EXACT_MW_LIMIT and y.size < _EXACT_MW_LIMIT
    if small and not ties:
        method, note = "exact", "no ties and both groups < 50"
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
    else:
        method = "normal approximation, continuity correction"
        note = "ties present" if ties else "a group has >= 50 values"
        if ties:
            note += "; variance corrected for ties"
        res = stats.mannwhitneyu(
            x, y, alternative="two-sided", use_continuity=True, method="asymptotic"
        )
    return {
        "variable": variable,
        "test": "Mann-Whitney U",
        "method": method,
        "statistic": float(res.statistic),
        "df": np.nan,
        "p_value": float(res.pvalue),
        "n_groups": 2,
        "note": note,
    }


def _count_text(work: int) -> str:
    """A work count in words: digits grouped, or its power of ten when it has 13+ digits."""
    digits = len(str(int(work)))
    return f"{int(work):,}" if digits <= 12 else f"about 10^{digits - 1}"


def _kruskal(variable, samples, ties, *, max_work, random_state, asymptotic_method):
    sizes = [s.size for s in samples]
    common = {
        "variable": variable,
        "test": "Kruskal-Wallis",
        "df": float(len(samples) - 1),
        "n_groups": len(samples),
    }
    tie_note = "mid-ranks for ties" if ties else "no ties"
    work = _kruskal_exact.exact_work(sizes)
    if work > max_work and min(sizes) >= _KW_ASYMPTOTIC_MIN:
        res = stats.kruskal(*samples)
        return common | {
            "method": asymptotic_method,
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "note": f"exact permutation p infeasible: {_count_text(work)} work units > its budget "
            f"of {max_work:,} (n = {sum(sizes):,}); chi-squared approximation, every group "
            f">= {_KW_ASYMPTOTIC_MIN}; " + ("ties corrected" if ties else "no ties"),
        }
    seed = random_state if isinstance(random_state, int) else None
    res = _kruskal_exact.kruskal_permutation(
        samples,
        p_method="auto",
        max_work=max_work,
        n_resamples=KRUSKAL_RESAMPLES,
        seed=seed,
        rng=random_state if isinstance(random_state, np.random.Generator) else None,
    )
    if res.method == "exact":
        note = (
            f"exact permutation p over all {res.n_assignments:,} assignments of the pooled "
            f"values to groups of {', '.join(map(str, sizes))}; {tie_note}"
        )
    else:
        note = (
            f"Monte Carlo permutation p from {res.n_resamples:,} resamples (seed {res.random_state}, "
            f"standard error {res.mc_standard_error:.4f}): exact enumeration needs {res.work:,} "
            f"work units > its budget of {max_work:,} and a group has < {_KW_ASYMPTOTIC_MIN} "
            "values; "
            f"{tie_note}"
        )
        warnings.warn(
            f"table_one(): Kruskal-Wallis p-value of {variable!r} estimated by Monte Carlo "
            f"({res.n_resamples:,} resamples, standard error {res.mc_standard_error:.4f}): "
            f"exact enumeration needs {res.work:,} work units, more than its budget of "
            f"{max_work:,}.",
            ApproximationWarning,
            stacklevel=4,
        )
    return common | {
        "method": res.method,
        "statistic": res.statistic,
        "p_value": res.p_value,
        "note": note,
    }


def continuous_test(
    variable: str,
    samples: list[np.ndarray],
    *,
    max_work: int,
    random_state,
    asymptotic_method: str = "chi-squared approximation",
) -> dict[str, Any]:
    """Mann-Whitney (two groups) or Kruskal-Wallis (three or more) on non-empty samples."""
    samples = [s for s in samples if s.size]
    if len(samples) < 2:
        return untested(variable, "fewer than two groups with data")
    pooled = np.concatenate(samples)
    if np.all(pooled == pooled[0]):
        return untested(variable, "all values equal: rank test undefined, as in R")
    ties = np.unique(pooled).size < pooled.size
    if len(samples) == 2:
        return _mann_whitney(variable, samples[0], samples[1], ties)
    return _kruskal(
        variable,
        samples,
        ties,
        max_work=max_work,
        random_state=random_state,
        asymptotic_method=asymptotic_method,
    )


def categorical_test(variable: str, counts: np.ndarray, fisher) -> dict[str, Any]:
    """Fisher-Freeman-Halton on a groups x levels count matrix (empty rows/columns dropped).

    ``fisher(table)`` runs the test (the caller binds its work budget).
    """
    table = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if table.shape[0] < 2:
        return untested(variable, "fewer than two groups with data")
    if table.shape[1] < 2:
        return untested(variable, "only one level observed")
    res = fisher(table.T.astype(np.int64))
    return {
        "variable": variable,
        "test": str(res.test),
        "method": str(res.method),
        "statistic": np.nan,
        "df": np.nan,
        "p_value": float(res.p_value),
        "n_groups": int(table.shape[0]),
        "note": str(getattr(res, "note", "") or ""),
    }


def group_tests(
    num,
    kinds,
    codes,
    n_groups,
    group_counts,
    *,
    by,
    fisher,
    max_work,
    random_state,
    censored=None,
    **options,
) -> list[dict[str, Any]]:
    """One test per variable across the groups (rows with a group only).

    ``censored`` maps a variable with censored values to its censoring (see
    :mod:`b12cohort.stats._censoring`): those are ranked as ties at the limit when the
    order is determined, and not tested otherwise, with the reason.
    """
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(n_groups), side="left")
    ends = np.searchsorted(sorted_codes, np.arange(n_groups), side="right")
    censored = censored or {}
    rows = []
    for var, kind in kinds.items():
        reason = circular_reason(var, by)
        if reason is not None:
            rows.append(untested(var, reason))
        elif kind == "continuous":
            note = ""
            if var in censored:  # censored values: ties at the limit, when the order is known
                try:
                    ranked, note = rank_ready(censored[var], var, function="table_one")
                except ArgumentError as err:
                    rows.append(untested(var, f"not tested: {str(err).split(': ', 1)[1]}"))
                    continue
                x = ranked.to_numpy(dtype=float)[order]
            else:
                x = num[var].to_numpy()[order]
            samples = [x[a:b] for a, b in zip(starts, ends, strict=True)]
            row = continuous_test(
                var,
                [s[~np.isnan(s)] for s in samples],
                max_work=max_work,
                random_state=random_state,
                **options,
            )
            rows.append({**row, "note": "; ".join(filter(None, (row["note"], note)))})
        else:
            rows.append(categorical_test(var, group_counts[var], fisher))
    return rows


def footnotes(rows: list[dict[str, Any]], by: str | None) -> list[str]:
    """Table 1 footnotes for untested grouping sources and for how Kruskal-Wallis ran."""
    notes = []
    circular = [r for r in rows if r["note"].startswith(_CIRCULAR)]
    if circular:
        which = "; ".join(
            f"{r['variable']} ({r['note'].removeprefix(_CIRCULAR)})" for r in circular
        )
        notes.append(
            f"Not tested: {which}. A test across groups made from a variable would only "
            "restate how the groups were made."
        )
    kw = {r["method"] for r in rows if r["test"] == "Kruskal-Wallis"}
    if "exact" in kw:
        notes.append(
            "Kruskal-Wallis (exact): the p-value is the share of all assignments of the pooled "
            "values to groups of the observed sizes with H at least the observed H, not the "
            "chi-squared approximation."
        )
    if "monte-carlo" in kw:
        notes.append(
            f"Kruskal-Wallis (Monte Carlo): the permutation p-value is estimated from "
            f"{KRUSKAL_RESAMPLES:,} seeded resamples (standard error in the row's note), "
            "because exact enumeration exceeded its work budget."
        )
    return notes
