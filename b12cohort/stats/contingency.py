"""Exact tests for contingency tables: Fisher's exact and Fisher–Freeman–Halton tests.

Public functions
----------------
fisher_exact_table
    Fisher's exact test (2×2) / Fisher–Freeman–Halton exact test (R×C) on a table of
    counts, with the conditional maximum-likelihood odds ratio and its exact conditional
    confidence interval for 2×2 tables. Reproduces R ``fisher.test``.
fisher_exact
    The same from two columns of a DataFrame (crosstab built with level order kept).

Why not SciPy alone: :func:`scipy.stats.fisher_exact` is exact only for 2×2 tables (and
uses a different tie tolerance from R); for R×C tables it is Monte Carlo or full
permutation, neither exact-and-fast nor deterministic. The exact R×C p-value is therefore
computed by our own network algorithm (:mod:`b12cohort.stats._fexact`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_confidence,
    check_positive_int,
    require_columns,
)
from b12cohort.core.categories import codes as _codes
from b12cohort.core.categories import levels as _levels
from b12cohort.core.categories import levels_text as _levels_text
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import (
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,  # noqa: F401  (re-exported: stratified, tests)
)
from b12cohort.core.results import Result
from b12cohort.stats import _fexact
from b12cohort.stats._count_table import _count_table, _Counts, _drop_empty, _LazyTable
from b12cohort.stats._fisher_rxc import rng_and_seed as _rng_and_seed  # noqa: F401 (ordinal)
from b12cohort.stats._fisher_rxc import rxc_pvalue

__all__ = [
    "FisherResult",
    "fisher_exact",
    "fisher_exact_table",
]

FISHER_METHODS = ("auto", "exact", "monte-carlo")
#: Default work budget of the exact R×C enumeration (partial tables); see Notes of
#: :func:`fisher_exact_table`. About 0.3-1 s of computing on one core.
DEFAULT_MAX_TABLES = 10_000_000
DEFAULT_RESAMPLES = 10_000
TEST_2X2 = "Fisher's exact test"
TEST_RXC = "Fisher–Freeman–Halton exact test"


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FisherResult(Result):
    """Result of :func:`fisher_exact_table` / :func:`fisher_exact`.

    Attributes
    ----------
    table : pandas.DataFrame
        The table analysed, with its labels, after empty rows/columns were dropped.
    p_value : float
        Exact (or Monte Carlo) p-value; NaN only when there are no observations.
    test : str
        ``"Fisher's exact test"`` (2×2) or ``"Fisher–Freeman–Halton exact test"`` (R×C).
    method : str
        ``"exact"`` or ``"monte-carlo"``.
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"`` (one-sided only for 2×2).
    odds_ratio, ci_low, ci_high : float
        2×2 only: conditional maximum-likelihood odds ratio and exact conditional
        confidence limits (R ``fisher.test``'s ``estimate`` and ``conf.int``); NaN otherwise.
    confidence : float
        Confidence level of the interval.
    n : int
        Total count analysed.
    n_missing : int
        Rows dropped because of a missing value (:func:`fisher_exact`; 0 for a table).
    dropped_levels : dict
        ``{"rows": (...), "columns": (...)}``: labels of empty rows/columns dropped.
    note : str
        Plain-language remarks (collapsed table, Monte Carlo switch, ...); "" if none.
    work : int or None
        Work spent by the exact algorithm, in units of about one partial table (see the
        Notes of :func:`fisher_exact_table`). After a switch to Monte Carlo: the work done
        plus the estimate of the step that was refused, i.e. a lower bound of what the
        exact test would need (compare with ``max_work``). None when not run.
    max_work : int
        Work budget of the exact algorithm; beyond it ``p_method="auto"`` switches to
        Monte Carlo.
    n_resamples, random_state, mc_standard_error
        Monte Carlo only (None otherwise): number of simulated tables, seed used and the
        binomial standard error ``sqrt(p (1 - p) / n_resamples)`` of the p-value.
    outcome, exposure : str or None
        Names of the variables crossed (:func:`fisher_exact`): the rows (``row``) and
        the columns (``col``).
    method_detail : str
        What ran and why, in words: the exact test within its estimated work ("exact: at
        most 12,345 work units (partial tables) within max_work=10,000,000; 9,876 used"),
        or Monte Carlo with its resamples and seed and the reason (the work estimated up
        front beyond ``max_work``, an exact run that met its budget after all, or
        ``p_method="monte-carlo"``); for a table with nothing to test, why.
    """

    table: pd.DataFrame = _LazyTable()  # noqa: RUF009  (a descriptor: built when read)
    p_value: float
    test: str
    method: str
    alternative: str
    odds_ratio: float
    ci_low: float
    ci_high: float
    confidence: float
    n: int
    n_missing: int = 0
    dropped_levels: dict = field(default_factory=lambda: {"rows": (), "columns": ()})
    note: str = ""
    work: int | None = None
    max_work: int = DEFAULT_MAX_TABLES
    n_resamples: int | None = None
    random_state: int | None = None
    mc_standard_error: float | None = None
    outcome: str | None = None
    exposure: str | None = None
    method_detail: str = ""

    summary_fields = (
        "outcome", "exposure", "test", "method", "alternative", "n", "n_missing", "n_rows",
        "n_cols", "estimate", "ci_low", "ci_high", "confidence", "p_value",
        "mc_standard_error", "n_resamples", "random_state", "work", "dropped_levels", "note",
    )  # fmt: skip

    def _summary_extra(self) -> dict[str, Any]:
        """The table's size, the odds ratio as ``estimate`` (2×2 only) and the dropped
        levels as text."""
        shape = self._table_shape()
        return {
            "n_rows": shape[0],
            "n_cols": shape[1],
            "estimate": self.odds_ratio,
            "dropped_levels": _levels_text(self.dropped_levels),
        }

    def _table_shape(self) -> tuple[int, int]:
        store = self.__dict__["_table_store"]
        return store.shape if isinstance(store, _Counts) else self.table.shape


# --------------------------------------------------------------------------------------
# Fisher's exact test
# --------------------------------------------------------------------------------------


def _fisher(
    counts: _Counts,
    *,
    alternative,
    confidence,
    p_method,
    n_resamples,
    random_state,
    max_work,
    function,
    names=(None, None),
    odds_ratio_null=1.0,
):
    alternative = check_alternative(alternative, function=function)
    confidence = check_confidence(confidence, function=function)
    method = check_choice(p_method, FISHER_METHODS, name="p_method", function=function)
    n_resamples = check_positive_int(n_resamples, name="n_resamples", function=function)
    max_work = check_positive_int(max_work, name="max_work", function=function)
    try:
        odds_ratio_null = float(odds_ratio_null)
    except (TypeError, ValueError):
        odds_ratio_null = float("nan")
    if not odds_ratio_null >= 0:
        raise ArgumentError(
            f"{function}(): `odds_ratio_null` must be a number >= 0 (1 = independence); "
            f"got {odds_ratio_null!r}."
        )
    original_shape = counts.values.shape
    table, dropped = _drop_empty(counts)
    if odds_ratio_null != 1 and table.shape != (2, 2):
        raise ArgumentError(
            f"{function}(): `odds_ratio_null` is defined only for 2×2 tables (as R "
            f"fisher.test(or = )); this table is {table.shape[0]}×{table.shape[1]}."
        )
    if odds_ratio_null != 1 and method == "monte-carlo":
        raise ArgumentError(
            f"{function}(): `odds_ratio_null` needs the exact 2×2 p-value; use p_method='auto'."
        )
    if alternative != "two-sided" and min(table.shape) >= 2 and table.shape != (2, 2):
        raise ArgumentError(
            f"{function}(): `alternative`={alternative!r} is defined only for 2×2 tables "
            f"(as in R fisher.test); this table is {table.shape[0]}×{table.shape[1]} "
            "(after dropping empty levels). Use alternative='two-sided'."
        )
    notes = []
    if dropped["rows"] or dropped["columns"]:
        what = []
        for kind, name in (("rows", names[0]), ("columns", names[1])):
            if dropped[kind]:
                label = f"'{name}'" if name else kind
                what.append(f"{label}: {', '.join(map(repr, dropped[kind]))}")
        msg = "dropped empty level(s) with no observations — " + "; ".join(what)
        notes.append(msg)
        warnings.warn(f"{function}(): {msg}.", DataQualityWarning, stacklevel=3)
    x = table.kept()
    n = int(x.sum())
    is_2x2 = table.shape == (2, 2)
    test = TEST_2X2 if is_2x2 or (original_shape == (2, 2) and min(table.shape) < 2) else TEST_RXC
    common = {
        "table": table,
        "test": test,
        "alternative": alternative,
        "confidence": confidence,
        "n": n,
        "dropped_levels": dropped,
        "max_work": max_work,
        "outcome": names[0],
        "exposure": names[1],
    }
    nan = float("nan")
    if n == 0 or min(table.shape) < 2:
        if n == 0:
            msg = "no observations: the test cannot be computed (p-value NaN)"
            p = nan
        else:
            msg = (
                f"the table collapses to {table.shape[0]}×{table.shape[1]} after dropping "
                "empty levels: only one table has these margins, so p = 1 (nothing to test)"
            )
            p = 1.0
        warnings.warn(f"{function}(): {msg}.", DataQualityWarning, stacklevel=3)
        return FisherResult(
            p_value=p, method="exact", odds_ratio=nan, ci_low=nan, ci_high=nan,
            note="; ".join([*notes, msg]), work=0, method_detail=f"nothing to test: {msg}",
            **common,
        )  # fmt: skip

    odds_ratio = ci_low = ci_high = nan
    if is_2x2:
        model = _fexact.Conditional2x2(x[0, 0], m=x[:, 0].sum(), n=x[:, 1].sum(), k=x[0, :].sum())
        odds_ratio = model.mle()
        ci_low, ci_high = model.conf_int(alternative, confidence)
        if method == "monte-carlo" and alternative != "two-sided":
            raise ArgumentError(
                f"{function}(): p_method='monte-carlo' computes the two-sided "
                f"Fisher–Freeman–Halton p-value only; got alternative={alternative!r}. The "
                "exact one-sided 2×2 p-value is cheap: use p_method='auto'."
            )
    if is_2x2 and method != "monte-carlo":
        p = model.p_value(alternative, odds_ratio_null)
        if alternative == "two-sided":
            notes.extend(_ci_p_disagreement(p, ci_low, ci_high, odds_ratio_null, confidence))
        run = {"p_value": p, "method": "exact", "work": int(model.support.size),
               "method_detail": "exact: R fisher.test's 2×2 code (hypergeometric law over "
               f"the {model.support.size} tables with these margins)"}  # fmt: skip
    else:
        run = rxc_pvalue(x, method=method, max_work=max_work, n_resamples=n_resamples,
                         random_state=random_state, function=function, notes=notes)  # fmt: skip
    run["p_value"] = float(run["p_value"])
    return FisherResult(
        odds_ratio=float(odds_ratio), ci_low=float(ci_low), ci_high=float(ci_high),
        note="; ".join(notes), **run, **common,
    )  # fmt: skip


def _ci_p_disagreement(p, ci_low, ci_high, odds_ratio_null, confidence) -> list[str]:
    """A note when the two-sided p and the interval disagree about ``odds_ratio_null``.

    As in R ``fisher.test``, the two-sided p sums the probabilities of the tables no more
    likely than the observed one, while the interval is central (each limit from a
    one-sided test at (1 - confidence) / 2), so near the limits one can exclude the null
    value while the other does not (Fay 2010, *R Journal* 2(1):53-58).
    """
    alpha = 1 - confidence
    inside = ci_low <= odds_ratio_null <= ci_high
    if math.isnan(p) or (p < alpha) != inside:
        return []
    verdict = "includes" if inside else "excludes"
    side = f"p = {p:.3g} < {alpha:g}" if p < alpha else f"p = {p:.3g} >= {alpha:g}"
    return [
        f"the two-sided p ({side}, R's sum of the tables no more likely than the observed one) "
        f"and the central {confidence:.0%} interval ({ci_low:.3g} to {ci_high:.3g}, R's "
        f"conditional-MLE interval) disagree: the interval {verdict} odds ratio = "
        f"{odds_ratio_null:g}; read them as two methods (the one-sided p-values match the "
        "interval's limits)"
    ]


def fisher_exact_table(
    table,
    *,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    p_method: str = "auto",
    n_resamples: int = DEFAULT_RESAMPLES,
    random_state: Any = DEFAULT_SEED,
    max_work: int = DEFAULT_MAX_TABLES,
    odds_ratio_null: float = 1.0,
) -> FisherResult:
    """Fisher's exact test on a table of counts (2×2 or any R×C), as R ``fisher.test``.

    Parameters
    ----------
    table : array-like or pandas.DataFrame
        2-D table of non-negative whole counts. DataFrame labels are kept in the result.
    alternative : {"two-sided", "less", "greater"}
        One-sided alternatives exist only for 2×2 tables and refer to the odds ratio
        (``"greater"``: odds ratio > 1), as in R.
    confidence : float
        Level of the odds-ratio confidence interval (2×2 only).
    p_method : {"auto", "exact", "monte-carlo"}
        ``"auto"``: exact, unless the exact enumeration would exceed ``max_work``, then
        Monte Carlo (with :class:`~b12cohort.core.errors.ApproximationWarning`).
        ``"exact"``: exact or :class:`ExactTestInfeasibleError`. ``"monte-carlo"``: always
        simulate (two-sided p-value only).
    n_resamples : int
        Number of simulated tables for Monte Carlo.
    random_state : int, None or numpy.random.Generator
        Seed of the Monte Carlo simulation (recorded in the result). ``None`` draws a fresh
        seed, which is still recorded.
    max_work : int
        Work budget of the exact algorithm, in partial tables enumerated (see Notes).
    odds_ratio_null : float
        2×2 only: the odds ratio under the null hypothesis (R ``fisher.test(or = )``);
        the p-value then comes from the non-central hypergeometric distribution with that
        odds ratio (the interval does not depend on it). Default 1: independence.

    Returns
    -------
    FisherResult
        Frozen dataclass; see :class:`FisherResult` for every field and ``.summary``
        for a one-row DataFrame.

    Raises
    ------
    ArgumentError
        The table is not 2-D, has negative / non-whole / missing counts, an option is
        invalid, or a one-sided alternative is asked for a table larger than 2×2.
    ExactTestInfeasibleError
        ``p_method="exact"`` and the enumeration exceeds ``max_work``.

    Warns
    -----
    DataQualityWarning
        Empty rows/columns were dropped, or the table collapsed to one row/column (p = 1).
    ApproximationWarning
        ``p_method="auto"`` switched to Monte Carlo.

    Notes
    -----
    The p-value is the probability, under independence and conditional on both margins
    (multivariate hypergeometric law ``P(x) = Π r_i! Π c_j! / (N! Π x_ij!)``), of the tables
    no more probable than the observed one. Ties count as in R: for 2×2 tables
    ``P(x) <= P(obs) (1 + 1e-7)`` (R's ``relErr``), for larger tables
    ``log P(x) <= log P(obs) + 3.45254e-7`` (FEXACT's ``tol``).

    *2×2 tables* follow R's own 2×2 code: the p-value sums hypergeometric probabilities
    (one-sided: a tail), the estimate is the conditional maximum-likelihood odds ratio
    (mean of the Fisher noncentral hypergeometric = observed count) and the interval
    inverts the two one-sided exact tests (Cornfield 1956). The roots are found with a
    port of R's ``uniroot`` (Brent, ``tol = eps^0.25``) so the values agree with R's to
    ~1e-10; they are therefore only as accurate as R's (about 4-5 significant digits).
    The estimate is 0 / Inf when the observed count is at the edge of its range.

    *R×C tables* use a vectorised network algorithm (Mehta & Patel 1983; see
    :mod:`b12cohort.stats._fexact`): columns are processed one at a time, partial tables reaching
    the same remaining row totals are pooled, whole sub-trees are counted or discarded at
    once from bounds on their most and least probable completions, and the last two columns
    are resolved by a sorted search. SciPy's R×C ``fisher_exact`` is Monte Carlo, not
    exact, which is why this is our own. Two fast paths come first
    (:mod:`b12cohort.stats._fexact_fast`): a table with few possible tables (at most
    200,000 partial tables by a cheap bound) has every table built at once in numpy and
    summed; a table with two rows (after transposing) runs the network on the remaining
    top-row total alone and resolves the last two columns in closed form, as the two
    tails of a hypergeometric law whose boundaries are found by bisection, so a 2×3 table
    of 10^5-10^6 observations takes milliseconds (entries carrying less than 1e-20 of the
    observed table's probability are dropped there: together they cannot move p by more
    than 1e-20 times their number).

    *Exact / Monte Carlo switch*: before each step the algorithm estimates the partial
    tables it would create (plus a fixed cost per node) and stops if the total would exceed
    ``max_work`` (default 10,000,000, about 0.3-0.5 s of work on one core; the check
    itself is immediate, so hopeless tables switch at once). ``p_method="auto"`` then
    simulates ``n_resamples`` tables (Patefield's algorithm, :func:`scipy.stats.random_table`)
    and reports ``p = (1 + hits) / (n_resamples + 1)`` with its standard error;
    ``result.work`` records the work done. Per-call times against R ``fisher.test`` are
    measured side by side in ``benchmarks/goal_exact.py``; 2×3 tables stay exact (within
    the default budget) up to N ≈ 10^6, 2×4 tables to N in the thousands. Larger tables
    (4×7 with N = 100, which R's default workspace cannot do either; anything R×C with N
    in the thousands and R, C >= 3) go to Monte Carlo.

    Agreement with R: 2×2 results agree to ~1e-15. For larger tables R's FEXACT pools
    partial tables whose log-probabilities agree within its ``tol`` and keeps the first
    one's value, so its p-value carries a relative error of up to ~1e-7 per pooling; on
    the tables R handles quickly the two agree to 1e-11 or better, on big ones (4×4,
    N = 200) to ~1e-9. Ours pools only values equal to 1e-9 and keeps their exact mass
    (checked against full enumeration to 1e-12).

    Rows or columns whose total is 0 are dropped (and reported); R keeps them, which does
    not change the p-value. For a table that is 2×2 after dropping, the odds ratio is
    reported (R would not, as its input was larger than 2×2).

    References
    ----------
    Fisher RA. Statistical Methods for Research Workers. 5th ed. Oliver & Boyd; 1934.
    Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness of fit and
    other problems of significance. Biometrika. 1951;38(1-2):141-149.
    Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
    contingency tables. J Am Stat Assoc. 1983;78(382):427-434.
    Cornfield J. A statistical problem arising from retrospective studies. Proc Third
    Berkeley Symp Math Stat Prob. 1956;4:135-148.
    Patefield WM. Algorithm AS 159: an efficient method of generating random r × c tables
    with given row and column totals. J R Stat Soc C. 1981;30(1):91-97.

    Examples
    --------
    >>> from b12cohort.stats.contingency import fisher_exact_table
    >>> res = fisher_exact_table([[3, 1], [1, 3]])
    >>> round(res.p_value, 6), round(res.odds_ratio, 4)
    (0.485714, 6.4083)
    >>> res = fisher_exact_table([[2, 3, 1], [5, 0, 8]])
    >>> res.test, res.method, round(res.p_value, 6)
    ('Fisher–Freeman–Halton exact test', 'exact', 0.027864)
    """
    counts = _count_table(table, "fisher_exact_table")
    names = counts.names
    return _fisher(
        counts,
        alternative=alternative,
        confidence=confidence,
        p_method=p_method,
        n_resamples=n_resamples,
        random_state=random_state,
        max_work=max_work,
        function="fisher_exact_table",
        names=names,
        odds_ratio_null=odds_ratio_null,
    )


def fisher_exact(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    p_method: str = "auto",
    n_resamples: int = DEFAULT_RESAMPLES,
    random_state: Any = DEFAULT_SEED,
    max_work: int = DEFAULT_MAX_TABLES,
    odds_ratio_null: float = 1.0,
) -> FisherResult:
    """Fisher's exact test of independence between two columns of a DataFrame.

    Builds the crosstab of ``row`` × ``col`` and calls :func:`fisher_exact_table`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject (e.g. :func:`b12cohort.load_cohort`). Not modified.
    row, col : str
        Column names. Levels keep their natural order: categories of a Categorical (the
        ordered ``anemia_grade``: none < mild < moderate < severe), ``False, True`` for
        booleans, sorted values otherwise.
    alternative, confidence, p_method, n_resamples, random_state, max_work, odds_ratio_null
        As in :func:`fisher_exact_table`.

    Returns
    -------
    FisherResult
        As :func:`fisher_exact_table`, with ``n_missing`` (rows dropped because ``row``
        or ``col`` is missing) and ``outcome`` (``row``) / ``exposure`` (``col``) filled in.
        Categories with no observation (e.g. ``"none"`` when every infant is anaemic,
        ``False`` when a sign is present in all) are dropped and listed in
        ``dropped_levels``.

    Raises
    ------
    ArgumentError
        Unknown column, ``row == col``, or invalid options (see
        :func:`fisher_exact_table`).

    Notes
    -----
    Complete-case analysis, like R ``fisher.test(x, y)``. Unlike R, empty levels are
    dropped and reported rather than kept; a variable with a single observed level gives
    p = 1 with a :class:`~b12cohort.core.errors.DataQualityWarning` (R stops with an error).
    See :func:`fisher_exact_table` for the method, tolerances and references.

    Examples
    --------
    >>> import pandas as pd
    >>> from b12cohort.stats.contingency import fisher_exact
    >>> df = pd.DataFrame({
    ...     "adynamia": pd.array([True] * 8 + [False] * 4 + [True] * 4 + [False] * 3,
    ...                          dtype="boolean"),
    ...     "anemia_grade": pd.Categorical(
    ...         ["mild"] * 3 + ["moderate"] * 4 + ["severe"] * 5 + ["mild"] * 2
    ...         + ["moderate"] * 3 + ["severe"] * 2,
    ...         categories=["none", "mild", "moderate", "severe"], ordered=True),
    ... })
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = fisher_exact(df, row="adynamia", col="anemia_grade")
    >>> res.dropped_levels["columns"], res.n, res.table.shape
    (('none',), 19, (2, 3))
    """
    function = "fisher_exact"
    require_columns(data, [row, col], function=function)
    if row == col:
        raise ArgumentError(f"{function}(): `row` and `col` are the same column ({row!r}).")
    rs, cs = data[row], data[col]
    mask = (rs.notna() & cs.notna()).to_numpy()
    rl, cl = _levels(rs), _levels(cs)
    counts = np.zeros((len(rl), len(cl)), dtype=np.int64)
    np.add.at(counts, (_codes(rs[mask], rl), _codes(cs[mask], cl)), 1)
    frame = _Counts(
        counts,
        pd.Index(rl, name=row, dtype=object),
        pd.Index(cl, name=col, dtype=object),
    )
    res = _fisher(
        frame,
        alternative=alternative,
        confidence=confidence,
        p_method=p_method,
        n_resamples=n_resamples,
        random_state=random_state,
        max_work=max_work,
        function=function,
        names=(row, col),
        odds_ratio_null=odds_ratio_null,
    )
    return replace(res, n_missing=int((~mask).sum()))


# --------------------------------------------------------------------------------------
# Cochran–Armitage trend test
# --------------------------------------------------------------------------------------
