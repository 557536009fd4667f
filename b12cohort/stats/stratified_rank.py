"""Stratified two-sample rank tests: van Elteren's test and coin's blocked Wilcoxon test."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_positive_int,
    require_distinct_columns,
)
from b12cohort.core.categories import levels as _levels
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.core.results import Result
from b12cohort.stats import _stratified_exact as _sx
from b12cohort.stats.stratified import (
    DEFAULT_MAX_WORK,
    P_METHODS,
    _decide_exact,
    _normal_p,
    pooled_trend,
    trend_piece,
)

__all__ = ["StratifiedComparison", "stratified_compare_groups"]

METHODS = ("van-elteren", "blocked")
TESTS = {
    "van-elteren": "van Elteren stratified Wilcoxon test",
    "blocked": "stratified Wilcoxon rank-sum test (equal stratum weights)",
}


@dataclasses.dataclass(frozen=True)
class StratifiedComparison(Result):
    """Result of :func:`stratified_compare_groups`.

    Attributes
    ----------
    statistic : float
        Standardised statistic ``z``: positive when ``group2`` has the larger values.
    p_value : float
    test : str
        Names the statistic: van Elteren's (weights ``1/(n_k + 1)``) or the equally
        weighted blocked Wilcoxon (coin).
    method : str
        ``"exact"`` (blocked only), ``"asymptotic"`` or ``"not-tested"``.
    method_detail, alternative : str
    weighting : str
        ``"1/(n_k + 1)"`` or ``"equal"``.
    group1, group2 : object
        The two levels of ``by`` (the statistic sums the ranks of ``group2``).
    n, n_missing, n_strata : int
    dropped_strata : tuple
        Strata where one group is absent (no information; dropped, as coin cannot use them).
    strata_table : pandas.DataFrame
        Per stratum: ``stratum, n1, n2, rank_sum`` (of group2), ``expected``, ``variance``.
    note : str
    value, by, strata : str
    """

    statistic: float
    p_value: float
    test: str
    method: str
    method_detail: str
    alternative: str
    weighting: str
    group1: object
    group2: object
    n: int
    n_missing: int
    n_strata: int
    dropped_strata: tuple
    strata_table: pd.DataFrame
    note: str = ""
    value: str | None = None
    by: str | None = None
    strata: str | None = None


def stratified_compare_groups(
    data: pd.DataFrame,
    *,
    value: str,
    by: str,
    strata: str,
    method: str = "van-elteren",
    p_method: str = "auto",
    alternative: str = "two-sided",
    max_work: int = DEFAULT_MAX_WORK,
) -> StratifiedComparison:
    """Compare a numeric value between two groups within strata (a stratified Wilcoxon test).

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified.
    value : str
        Numeric column.
    by : str
        Column with exactly two levels (boolean: ``False`` is ``group1``, ``True`` ``group2``).
    strata : str
        Stratum of each row (e.g. the site).
    method : {"van-elteren", "blocked"}
        ``"van-elteren"``: each stratum's rank sum weighted by ``1/(n_k + 1)`` (locally
        most powerful when the shift is the same in every stratum; the usual choice with
        strata of unequal size). ``"blocked"``: equal weights, R
        ``coin::wilcox_test(value ~ by | strata)``.
    p_method : {"auto", "exact", "asymptotic"}
        The exact distribution exists for ``"blocked"`` (convolution of the strata's exact
        rank-sum distributions, coin's ``distribution = "exact"``); van Elteren's test is
        asymptotic (``"exact"`` raises an ArgumentError).
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: ``group2`` has larger values.
    max_work : int

    Returns
    -------
    StratifiedComparison

    Notes
    -----
    Mid-ranks, taken within each stratum for van Elteren's test and over the pooled sample
    for the blocked test (coin's rank transformation ignores the blocks; the permutation
    is within them). Stratum ``k`` with group sizes ``n1, n2`` (``N = n1 + n2``) gives
    ``W_k`` (rank sum of group2), ``E_k = n2 r̄_k`` and ``V_k = n1 n2 / (N (N − 1)) Σ (r −
    r̄_k)²`` (the tie-corrected variance). With
    weights ``w_k`` (``1/(N_k + 1)`` or 1), ``z = Σ w_k (W_k − E_k) / sqrt(Σ w_k² V_k)``,
    referred to the normal distribution (van Elteren 1960; the formula is computed in R in
    ``tests/reference/stratified.R``); with equal weights this is coin's
    ``wilcox_test(value ~ by | strata)`` statistic and, exact, its
    ``distribution = "exact"`` p-value.

    References
    ----------
    van Elteren PH. On the combination of independent two-sample tests of Wilcoxon. Bull
    Int Stat Inst. 1960;37:351-361. Hothorn T, Hornik K, van de Wiel MA, Zeileis A.
    Implementing a class of permutation tests: the coin package. J Stat Softw.
    2008;28(8):1-23.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"hb": [80, 95, 70, 100, 60, 85, 90, 75], "sign": [True, False] * 4,
    ...                   "site": list("AAAABBBB")})
    >>> r = stratified_compare_groups(d, value="hb", by="sign", strata="site")
    >>> r.test, round(r.statistic, 4)
    ('van Elteren stratified Wilcoxon test', -1.0954)
    """
    fn = "stratified_compare_groups"
    require_distinct_columns(data, {"value": value, "by": by, "strata": strata}, function=fn)
    method = check_choice(method, METHODS, name="method", function=fn)
    p_method = check_choice(p_method, P_METHODS, name="p_method", function=fn)
    alternative = check_alternative(alternative, function=fn)
    max_work = check_positive_int(max_work, name="max_work", function=fn)
    if method == "van-elteren" and p_method == "exact":
        raise ArgumentError(
            f"{fn}(): van Elteren's test has no exact distribution here; pass "
            "p_method='asymptotic' (or 'auto'), or method='blocked' for the exact blocked test."
        )
    if not pd.api.types.is_numeric_dtype(data[value].dtype) or pd.api.types.is_bool_dtype(
        data[value].dtype
    ):
        raise ArgumentError(
            f"{fn}(): `value` column {value!r} must be numeric; got {data[value].dtype}."
        )
    x = data[value].astype("float64")
    g = data[by]
    mask = (x.notna() & g.notna() & data[strata].notna()).to_numpy()
    groups = [lv for lv in _levels(g) if (g[mask] == lv).any()]
    if len(groups) != 2:
        raise ArgumentError(
            f"{fn}(): `by` column {by!r} must have exactly two observed levels; got {groups!r}."
        )
    g1, g2 = groups
    xv, gv, sv = x[mask].to_numpy(), (g[mask] == g2).to_numpy(), data.loc[mask, strata].to_numpy()
    labels = sorted(pd.unique(sv), key=str)
    dropped = [
        lab for lab in labels if not (((sv == lab) & gv).any() and ((sv == lab) & ~gv).any())
    ]
    kept = ~np.isin(sv, dropped)
    # van Elteren ranks within each stratum; coin's blocked test ranks the pooled sample
    # (its rank transformation ignores the blocks) and conditions within them
    pooled_ranks = rankdata(xv[kept])
    rows, ranks = [], []
    for lab in (lab for lab in labels if lab not in dropped):
        h = sv == lab
        n1, n2 = int(np.sum(h & ~gv)), int(np.sum(h & gv))
        r = rankdata(xv[h]) if method == "van-elteren" else pooled_ranks[h[kept]]
        big_n = n1 + n2
        var = n1 * n2 / (big_n * (big_n - 1.0)) * float(np.sum((r - r.mean()) ** 2))
        rows.append((lab, n1, n2, float(r[gv[h]].sum()), n2 * float(r.mean()), var))
        ranks.append((r, gv[h]))
    notes = []
    if dropped:
        msg = f"dropped {len(dropped)} stratum/strata where one group is absent: {', '.join(map(str, dropped))}"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
    table = pd.DataFrame(rows, columns=["stratum", "n1", "n2", "rank_sum", "expected", "variance"])
    if method == "van-elteren":
        w = 1.0 / (table["n1"] + table["n2"] + 1.0).to_numpy()
        detail = "asymptotic (normal approximation); van Elteren weights 1/(n_k + 1)"
        exact = False
    else:
        w = np.ones(len(table))
        # rank sums on the half-integer lattice: 2 r is an integer
        work = sum(_sx.score_sum_work(n_i, int(s.sum()), k) for (n_i, k, _), s in _ties(ranks))
        exact, detail = _decide_exact(p_method, work, max_work, fn, "rank-sum distribution")
    num = float(np.sum(w * (table["rank_sum"] - table["expected"]))) if len(table) else 0.0
    var = float(np.sum(w**2 * table["variance"])) if len(table) else 0.0
    if var <= 0:
        z, p, mname = math.nan, math.nan, "not-tested"
        why = "no stratum has both groups with differing values"
        notes.append(why)
        detail = f"not tested: {why}"
        warnings.warn(f"{fn}(): {why}; nothing to test.", DataQualityWarning, stacklevel=2)
    elif exact:
        pieces = [trend_piece(n_i, x_i, k, exact=True) for (n_i, k, x_i), _ in _ties(ranks)]
        z, p = pooled_trend(pieces, alternative=alternative, exact=True)
        mname = "exact"
    else:
        z = num / math.sqrt(var)
        p, mname = _normal_p(z, alternative), "asymptotic"
    return StratifiedComparison(
        statistic=float(z), p_value=float(p), test=TESTS[method], method=mname,
        method_detail=detail, alternative=alternative,
        weighting="1/(n_k + 1)" if method == "van-elteren" else "equal", group1=g1, group2=g2,
        n=int(table["n1"].sum() + table["n2"].sum()), n_missing=int((~mask).sum()),
        n_strata=len(table), dropped_strata=tuple(dropped), strata_table=table,
        note="; ".join(notes), value=value, by=by, strata=strata,
    )  # fmt: skip


def _ties(ranks):
    """Each stratum's tie groups as lattice levels: ``(counts, k, group2 counts), in_group2``.

    Mid-ranks are multiples of 1/2, so ``k = 2 r − 2 min r`` are integers and the rank sum
    is a score sum on that lattice (the statistic is invariant to the shift and scale).
    """
    for r, in_g2 in ranks:
        doubled = np.round(2 * r).astype(np.int64)
        vals, inv, counts = np.unique(doubled, return_inverse=True, return_counts=True)
        x_i = np.bincount(inv, weights=in_g2.astype(float), minlength=len(vals)).round()
        yield (counts, vals - vals.min(), x_i.astype(np.int64)), in_g2
