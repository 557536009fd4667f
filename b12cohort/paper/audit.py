"""Audit a published claim from what was published: every table the margins allow.

Taranushenko et al. (2022) published margins only: 19 infants, all anaemic, and the
number with each sign. Whether a sign "correlates with the degree of anaemia" depends on
the joint distribution (sign × anaemia grade), which was not published. This module
enumerates, exactly, every 2 × G table (sign present/absent × grade, grades ordered mild
< moderate < severe) that honours the published margins, and runs on each the exact test
the report uses: the Fisher–Freeman–Halton test or the exact Cochran–Armitage trend test.
The spread of the p-values says what the published numbers alone can support.

Public functions
----------------
compatible_tables
    Every table compatible with one sign's published margins, each tested.
audit_published_claim
    :func:`compatible_tables` for every sign the paper published, with a reading.
count_tables
    The number of compatible tables, in closed form (used for the work budget).
"""

from __future__ import annotations

import functools
import html
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_alternative,
    check_between,
    check_choice,
    check_confidence,
    check_positive_int,
)
from b12cohort.core.errors import ArgumentError, ExactTestInfeasibleError
from b12cohort.core.results import Result
from b12cohort.dictionary.derived import ANEMIA_GRADES, anemia_schemes
from b12cohort.paper._tables import (
    allocations,
    audit_reading,
    compositions,
    count_tables,
    effects,
    label_table,
    pick_largest,
    reading_text,
    sign_facts,
    trend_p_values,
)
from b12cohort.paper._tables import (
    as_int as _int,
)
from b12cohort.stats import _fexact
from b12cohort.stats.contingency import DEFAULT_MAX_TABLES, TEST_2X2, TEST_RXC
from b12cohort.stats.trend import TREND_TEST

__all__ = [
    "AUDIT_TESTS",
    "DEFAULT_MAX_WORK",
    "CompatibilityResult",
    "audit_published_claim",
    "cached_compatible_tables",
    "compatible_tables",
    "count_tables",
]

#: Tests :func:`compatible_tables` can run on each table.
AUDIT_TESTS = ("fisher", "trend")
#: Default work budget: the number of tables enumerated and tested.
DEFAULT_MAX_WORK = 100_000
#: Default |risk difference| (most minus least severe grade) called a strong association.
STRONG_EFFECT = 0.5
#: p-values of the FFH engine by its (sorted) input: deterministic, so shared across calls.
_FISHER_P: dict[tuple, float] = {}
_TEST_NAMES = {"fisher": TEST_RXC, "trend": TREND_TEST}


# --------------------------------------------------------------------------------------
# the engine (the only call site of the package's exact tests in this module)
# --------------------------------------------------------------------------------------


def _fisher_p(x: np.ndarray, alternative: str, cache: dict) -> float:
    """p of ``fisher_exact_table(x, alternative=alternative)`` (empty grades dropped)."""
    x = x[:, x.sum(0) > 0]
    if x.shape[1] < 2 or x[0].sum() in (0, x.sum()):
        return 1.0
    if x.shape == (2, 2):
        model = _fexact.Conditional2x2(x[0, 0], m=x[:, 0].sum(), n=x[:, 1].sum(), k=x[0].sum())
        return float(model.p_value(alternative))
    # the engine sorts the columns stably by total: equal sorted inputs, identical p
    key = (x.shape, x[:, np.argsort(x.sum(0), kind="stable")].tobytes())
    if key not in cache:
        try:
            cache[key] = float(_fexact.fexact_pvalue(x, max_work=DEFAULT_MAX_TABLES)[0])
        except _fexact.WorkLimitExceeded:
            raise ExactTestInfeasibleError(
                f"compatible_tables(): the exact Fisher–Freeman–Halton test of the table "
                f"{x.tolist()} exceeds its work budget ({DEFAULT_MAX_TABLES:,}); use "
                "test='trend' or fewer grades."
            ) from None
    return cache[key]


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompatibilityResult(Result):
    """Result of :func:`compatible_tables` (frozen; derives from :class:`Result`).

    Attributes
    ----------
    test : str
        ``"Fisher–Freeman–Halton exact test"`` or ``"Cochran–Armitage test for trend"``.
    method : str
        ``"exact"`` (every table enumerated, each tested exactly), or ``"not-tested"``
        when the sign is present in all or none (every table then has p = 1).
    method_detail : str
        What was enumerated and how each table was tested.
    n_with, n_total, n_grades, min_per_grade, grade_counts
        The margins (``grade_counts`` None when they were not published).
    grades : tuple of str
        Grade labels, least severe first.
    confidence, alternative
        ``1 - confidence`` (property ``alpha``): significance level; test alternative.
        Significance level and alternative of the tests.
    n_tables : int
        Number of compatible tables (checked against :func:`count_tables`).
    n_compositions : int
        Number of grade-count vectors enumerated (1 when ``grade_counts`` was given).
    n_reject : int
        Tables with p < ``alpha``. A count of tables, not a probability: the tables are
        not equally likely.
    p_min, p_max : float
        Smallest and largest p over the tables.
    min_p_table : pandas.DataFrame
        The table with the smallest p (rows ``with``, ``without``; one column per
        grade): the most association the published margins allow.
    largest_risk_difference : float
        Among tables with p >= ``alpha``: the risk difference (proportion with the sign in
        the most minus the least severe grade) largest in absolute value, signed.
    largest_slope : float
        Among tables with p >= ``alpha``: the trend slope (change in the proportion with
        the sign per grade, least squares on scores 1..G) largest in absolute value.
    largest_effect_p : float
        p of that table (NaN when every table has p < alpha).
    largest_effect_table : pandas.DataFrame
        The table of ``largest_risk_difference``.
    verdict : str
        ``"untestable"``, ``"forced_no_association"`` (no table reaches p < alpha),
        ``"forced_association"`` (every table does) or ``"either"``.
    strong_effect_undetected : bool
        A table with p >= alpha has ``|risk difference| >= strong_effect``.
    reading : str
        One paragraph that follows from the numbers above.
    seconds : float
        Computing time.
    tables : pandas.DataFrame
        One row per table, as :attr:`summary`.
    """

    test: str
    method: str
    method_detail: str
    n_with: int
    n_total: int
    n_grades: int
    min_per_grade: int
    grade_counts: tuple | None
    grades: tuple
    confidence: float
    alternative: str
    n_tables: int
    n_compositions: int
    n_reject: int
    p_min: float
    p_max: float
    largest_risk_difference: float
    largest_slope: float
    largest_effect_p: float
    verdict: str
    strong_effect: float
    strong_effect_undetected: bool
    reading: str
    seconds: float
    min_p_table: pd.DataFrame = field(repr=False)
    largest_effect_table: pd.DataFrame = field(repr=False)
    tables: pd.DataFrame = field(repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per compatible table: ``table`` (1, 2, ...), ``n_<grade>`` (infants per
        grade), ``events_<grade>`` (with the sign), ``p_value``, ``rejected`` (p <
        alpha), ``risk_difference`` (most minus least severe grade), ``slope`` (per
        grade) and, for the trend test, ``z``."""
        return self.tables

    alpha = property(lambda self: round(1.0 - self.confidence, 12), doc="1 - confidence")

    @property
    def overview(self) -> pd.DataFrame:
        """One-row DataFrame of the scalar fields (what :class:`Result` calls summary)."""
        return Result.summary.fget(self)

    def _repr_html_(self) -> str:
        """The overview as an HTML table (the per-table rows stay on :attr:`summary`)."""
        body = self.overview.T.rename(columns={0: "value"}).to_html(na_rep="NaN")
        return (
            f"<div><strong>{html.escape(f'CompatibilityResult: {self.test}')}</strong>{body}</div>"
        )


def compatible_tables(
    *,
    n_with: int,
    grade_counts=None,
    n_total: int | None = None,
    n_grades: int = 3,
    min_per_grade: int = 1,
    test: str = "fisher",
    confidence: float = 0.95,
    alternative: str = "two-sided",
    strong_effect: float = STRONG_EFFECT,
    max_work: int = DEFAULT_MAX_WORK,
    grades=None,
) -> CompatibilityResult:
    """Every 2 × G table compatible with a sign's published margins, each tested exactly.

    Parameters
    ----------
    n_with : int
        Published number of infants with the sign.
    grade_counts : sequence of int, optional
        Published number of infants per grade, least severe first (e.g. ``[4, 13, 2]``).
        None when they were not published: every composition of ``n_total`` into
        ``n_grades`` grades with at least ``min_per_grade`` each is enumerated.
    n_total : int, optional
        Number of infants; required without ``grade_counts`` (else their sum).
    n_grades : int
        Number of ordered grades (3: mild, moderate, severe).
    min_per_grade : int
        Smallest number of infants per grade when ``grade_counts`` is None (default 1:
        every grade occurs; 0 allows empty grades, which the tests drop as the report's do).
    test : {"fisher", "trend"}
        The exact test run on each table: Fisher–Freeman–Halton (as
        :func:`~b12cohort.stats.contingency.fisher_exact_table`) or the exact
        Cochran–Armitage trend test with scores 1..G (as
        :func:`~b12cohort.stats.trend.trend_test` with ``p_method="exact"``).
    confidence : float
        ``1 - confidence`` is the significance level of ``n_reject`` and of the largest
        compatible effect (default 0.95: p < 0.05).
    alternative : {"two-sided", "less", "greater"}
        One-sided alternatives only for the trend test (and 2 × 2 Fisher tables).
    strong_effect : float
        |Risk difference| called strong in ``strong_effect_undetected`` (default 0.5).
    max_work : int
        Work budget: the largest number of tables enumerated and tested. Beyond it the
        function refuses (it never samples).
    grades : sequence of str, optional
        Labels of the grades (default mild, moderate, severe for three grades).

    Returns
    -------
    CompatibilityResult
        See :class:`CompatibilityResult`; ``.summary`` has one row per table.

    Raises
    ------
    ArgumentError
        Inconsistent margins or invalid options.
    ExactTestInfeasibleError
        More tables than ``max_work`` (the number is in the message), or one table's
        exact test exceeds its own budget.

    Notes
    -----
    The tables are enumerated exactly and deterministically: grade-count vectors in
    lexicographic order, then the events per grade in lexicographic order. Their number
    is :func:`count_tables`. Each p-value is the one the package's public test gives on
    that table, bit for bit (the engines are called directly, with the public tests'
    defaults, and tables whose engine input is identical are computed once); checked in
    the tests against the public functions and against R ``fisher.test`` and
    ``coin::independence_test(distribution = "exact")`` on every table of several margins.

    It does not weight the tables (they are not equally likely under any model of how
    the data arose), so ``n_reject`` is a count, not a probability; it audits the
    report's tests, not whatever the authors ran (the paper names none).

    References
    ----------
    Freeman GH, Halton JH. Biometrika. 1951;38:141-149. Cochran WG. Biometrics.
    1954;10:417-451. Armitage P. Biometrics. 1955;11:375-386. Brown NJL, Heathers JAJ.
    The GRIM test. Soc Psychol Personal Sci. 2017;8(4):363-369.

    Examples
    --------
    >>> res = compatible_tables(n_with=12, grade_counts=[4, 13, 2])
    >>> res.n_tables, res.method, round(res.p_min, 5), res.p_max
    (15, 'exact', 0.00026, 1.0)
    """
    function = "compatible_tables"
    started = time.perf_counter()
    test = check_choice(test, AUDIT_TESTS, name="test", function=function)
    alternative = check_alternative(alternative, function=function)
    confidence = check_confidence(confidence, function=function)
    alpha = round(1.0 - confidence, 12)
    strong_effect = check_between(
        strong_effect, 0.0, 1.0, name="strong_effect", function=function, example="0.5"
    )
    max_work = check_positive_int(_int(max_work), name="max_work", function=function)
    n_with = check_positive_int(_int(n_with), name="n_with", function=function, minimum=0)
    if grade_counts is not None:
        try:
            sizes0 = tuple(int(v) for v in grade_counts)
        except (TypeError, ValueError):
            sizes0 = ()
        if not sizes0 or any(v < 0 for v in sizes0) or sizes0 != tuple(grade_counts):
            raise ArgumentError(
                f"{function}(): `grade_counts` must be whole non-negative counts, one per "
                f"grade; got {grade_counts!r}."
            )
        if n_total is not None and int(n_total) != sum(sizes0):
            raise ArgumentError(
                f"{function}(): `n_total`={n_total!r} but `grade_counts` {list(sizes0)} sum "
                f"to {sum(sizes0)}; give one or make them agree."
            )
        n_total, n_grades = sum(sizes0), len(sizes0)
    else:
        if n_total is None:
            raise ArgumentError(
                f"{function}(): give `grade_counts` (infants per grade) or `n_total` (all "
                "infants, grade counts unknown)."
            )
        n_total = check_positive_int(_int(n_total), name="n_total", function=function)
        n_grades = check_positive_int(_int(n_grades), name="n_grades", function=function, minimum=2)
        min_per_grade = check_positive_int(
            _int(min_per_grade), name="min_per_grade", function=function, minimum=0
        )
        if min_per_grade * n_grades > n_total:
            raise ArgumentError(
                f"{function}(): {n_grades} grades of at least {min_per_grade} infants need "
                f"{n_grades * min_per_grade}, more than `n_total`={n_total}."
            )
    if n_with > n_total:
        raise ArgumentError(
            f"{function}(): `n_with`={n_with} infants with the sign but only {n_total} in all."
        )
    if test == "fisher" and alternative != "two-sided" and n_grades > 2:
        raise ArgumentError(
            f"{function}(): alternative={alternative!r} exists only for 2 × 2 tables in the "
            f"Fisher test; with {n_grades} grades use alternative='two-sided' or test='trend'."
        )
    grades = tuple(grades) if grades is not None else (
        ANEMIA_GRADES[1:] if n_grades == 3 else tuple(f"grade_{g + 1}" for g in range(n_grades))
    )  # fmt: skip
    if len(grades) != n_grades:
        raise ArgumentError(f"{function}(): `grades` needs {n_grades} labels; got {grades!r}.")

    expected = count_tables(
        n_with=n_with, grade_counts=None if grade_counts is None else sizes0,
        n_total=n_total, n_grades=n_grades, min_per_grade=min_per_grade,
    )  # fmt: skip
    if expected > max_work:
        raise ExactTestInfeasibleError(
            f"{function}(): {expected:,} tables are compatible with these margins "
            f"(n_with={n_with}, n_total={n_total}, {n_grades} grades), more than "
            f"max_work={max_work:,}; raise max_work (each table is one exact test) or "
            "publish/give grade_counts. Nothing is sampled."
        )
    comps = [sizes0] if grade_counts is not None else compositions(
        n_total, n_grades, min_per_grade
    )  # fmt: skip
    sizes_rows, events_rows = [], []
    for comp in comps:
        for alloc in allocations(n_with, comp):
            sizes_rows.append(comp)
            events_rows.append(alloc)
    sizes = np.array(sizes_rows, dtype=np.int64).reshape(-1, n_grades)
    events = np.array(events_rows, dtype=np.int64).reshape(-1, n_grades)
    if len(events) != expected:  # the enumeration and its closed form disagree: a bug
        raise RuntimeError(f"{function}(): enumerated {len(events)} tables, expected {expected}.")

    untestable = n_with in (0, n_total)
    cache = _FISHER_P if len(_FISHER_P) < 500_000 else {}
    p = np.ones(len(events))
    z = np.full(len(events), np.nan)
    if not untestable and test == "fisher":
        for t in range(len(events)):
            p[t] = _fisher_p(np.vstack([events[t], sizes[t] - events[t]]), alternative, cache)
    elif not untestable:
        start = 0
        for comp in comps:  # the allocations of one composition are consecutive rows
            stop = start + int(np.all(sizes[start:] == comp, axis=1).cumprod().sum())
            p[start:stop], z[start:stop] = trend_p_values(comp, events[start:stop], alternative)
            start = stop
    rd, slope = effects(events, sizes)
    table = pd.DataFrame({"table": np.arange(1, len(events) + 1)})
    for g, name in enumerate(grades):
        table[f"n_{name}"] = sizes[:, g]
    for g, name in enumerate(grades):
        table[f"events_{name}"] = events[:, g]
    table["p_value"] = p
    table["rejected"] = p < alpha
    table["risk_difference"] = rd
    table["slope"] = slope
    if test == "trend":
        table["z"] = z

    def as_table(i):
        return label_table(np.vstack([events[i], sizes[i] - events[i]]), grades)

    ok = p >= alpha
    i_rd, i_slope = pick_largest(rd, ok), pick_largest(slope, ok)
    i_min = int(np.argmin(p))
    n_reject = int((~ok).sum())
    if untestable:
        verdict = "untestable"
    elif n_reject == 0:
        verdict = "forced_no_association"
    elif n_reject == len(p):
        verdict = "forced_association"
    else:
        verdict = "either"
    largest_rd = float(rd[i_rd]) if i_rd is not None else float("nan")
    strong = bool(not untestable and i_rd is not None and abs(largest_rd) >= strong_effect)
    if grade_counts is not None:
        margins_text = f"grade counts {', '.join(map(str, sizes0))} as given"
    else:
        margins_text = (
            f"grade counts unknown: {len(comps):,} ways to split {n_total} infants into "
            f"{n_grades} grades with at least {min_per_grade} each"
        )
    fields = {
        "n_with": n_with, "n_total": n_total, "n_tables": len(p), "test": _TEST_NAMES[test]
        if not (test == "fisher" and n_grades == 2) else TEST_2X2, "p_min": float(p.min()),
        "p_max": float(p.max()), "n_reject": n_reject, "alpha": alpha, "verdict": verdict,
        "largest_risk_difference": largest_rd, "strong_effect_undetected": strong,
        "margins_text": margins_text, "effect_p": float(p[i_rd]) if i_rd is not None else 1.0,
        "effect_table_text": "" if i_rd is None else ", ".join(
            f"{events[i_rd, g]}/{sizes[i_rd, g]} {name}" for g, name in enumerate(grades)
        ),
    }  # fmt: skip
    detail = (
        f"exact enumeration of all {len(p):,} 2 × {n_grades} tables compatible with the "
        f"margins ({margins_text}); each tested with the {fields['test']}"
        + (" (scores 1..G over the observed grades)" if test == "trend" else "")
        + f", {alternative}, "
        + (
            "as fisher_exact_table computes it (its engine, called once per distinct input)"
            if test == "fisher"
            else "by summing its exact permutation distribution (the compatible tables of "
            "each grade split are its whole support), as trend_test(p_method='exact') defines it"
        )
    )
    return CompatibilityResult(
        test=fields["test"], method="not-tested" if untestable else "exact",
        method_detail=detail, n_with=n_with, n_total=n_total, n_grades=n_grades,
        min_per_grade=min_per_grade,
        grade_counts=None if grade_counts is None else sizes0, grades=grades, confidence=confidence,
        alternative=alternative, n_tables=len(p), n_compositions=len(comps),
        n_reject=n_reject, p_min=fields["p_min"], p_max=fields["p_max"],
        largest_risk_difference=largest_rd,
        largest_slope=float(slope[i_slope]) if i_slope is not None else float("nan"),
        largest_effect_p=fields["effect_p"] if i_rd is not None else float("nan"),
        verdict=verdict, strong_effect=strong_effect, strong_effect_undetected=strong,
        reading=reading_text(fields), seconds=time.perf_counter() - started,
        min_p_table=as_table(i_min),
        largest_effect_table=as_table(i_rd) if i_rd is not None else as_table(i_min),
        tables=table,
    )  # fmt: skip


@functools.lru_cache(maxsize=32)
def cached_compatible_tables(**kwargs) -> CompatibilityResult:
    """:func:`compatible_tables`, remembered (shared between callers: do not modify)."""
    return compatible_tables(**kwargs)


# --------------------------------------------------------------------------------------
# the paper's claim
# --------------------------------------------------------------------------------------


def audit_published_claim(
    published: pd.DataFrame | None = None,
    *,
    scheme: str = "who-2011",
    confidence: float = 0.95,
    test: str = "both",
    min_per_grade: int = 1,
    strong_effect: float = STRONG_EFFECT,
    max_work: int = DEFAULT_MAX_WORK,
) -> pd.DataFrame:
    """Could the paper's "no correlation with the degree of anaemia" have come out otherwise?

    For every sign whose count the paper published, :func:`compatible_tables` with the
    grade counts unknown (they were not published): every split of the infants into the
    scheme's three anaemia grades (all infants were anaemic) and every placement of the
    infants with the sign, each tested exactly.

    Parameters
    ----------
    published : pandas.DataFrame, optional
        Published facts (columns ``item, variable, kind, count, total``); default the
        paper's, :func:`~b12cohort.paper.replication.published_facts`. Rows of kind
        ``"percent"`` are the signs.
    scheme : str
        Anaemia grading scheme (:func:`~b12cohort.anemia_schemes`). Its Hb cut-offs do
        not enter, since no Hb was published; it names the grades and fixes their number
        (three for an anaemic infant).
    confidence : float
        ``1 - confidence`` is the significance level (default 0.95: p < 0.05).
    test : {"both", "fisher", "trend"}
        Which exact tests to audit (the report runs both).
    min_per_grade : int
        Smallest number of infants in a grade (default 1: every grade occurred).
    strong_effect, max_work
        As in :func:`compatible_tables`.

    Returns
    -------
    pandas.DataFrame
        One row per sign: ``sign`` (cohort column), ``item`` (the paper's wording),
        ``events``, ``n`` (infants with the sign, infants), ``n_grades``,
        ``min_per_grade``, ``scheme``, ``confidence``; for each test run (prefix ``fisher_``
        or ``trend_``): ``n_tables``, ``n_reject``, ``p_min``, ``p_max``,
        ``largest_risk_difference``, ``largest_slope``, ``verdict`` (see
        :class:`CompatibilityResult`); then ``verdict`` (``"untestable"`` if untestable,
        ``"forced_no_association"`` if every test is forced so, else ``"either"``),
        ``strong_effect_undetected`` (by any test), ``method`` (``"exact"`` or
        ``"not-tested"``) and ``reading``. (Deterministic: the same frame on every run.)

    Notes
    -----
    Signs with the same margins (adynamia and developmental delay, 12/19) are enumerated
    once. Each reading says what the margins allow; none says the claim is confirmed or
    refuted, since the joint distribution that would decide it was not published.

    Examples
    --------
    >>> audit = audit_published_claim(test="trend")
    >>> audit[["sign", "events", "trend_n_tables", "verdict"]].head(2)
            sign  events  trend_n_tables     verdict
    0  hypotonia      19             153  untestable
    1   adynamia      12            2967      either
    """
    function = "audit_published_claim"
    scheme = check_choice(
        scheme, list(anemia_schemes()["scheme"]), name="scheme", function=function
    )
    test = check_choice(test, ("both", *AUDIT_TESTS), name="test", function=function)
    tests = AUDIT_TESTS if test == "both" else (test,)
    rows = sign_facts(published, function)
    done: dict[tuple, CompatibilityResult] = {}
    out = []
    for fact in rows.itertuples(index=False):
        n_with, n_total = int(fact.count), int(fact.total)
        row: dict[str, Any] = {
            "sign": fact.variable, "item": fact.item, "events": n_with, "n": n_total,
            "n_grades": len(ANEMIA_GRADES) - 1, "min_per_grade": min_per_grade,
            "scheme": scheme, "confidence": confidence,
        }  # fmt: skip
        verdicts, strong = [], False
        for t in tests:
            key = (n_with, n_total, t)
            if key not in done:
                done[key] = cached_compatible_tables(
                    n_with=n_with, n_total=n_total, n_grades=len(ANEMIA_GRADES) - 1,
                    min_per_grade=min_per_grade, test=t, confidence=confidence,
                    strong_effect=strong_effect, max_work=max_work,
                )  # fmt: skip
            res = done[key]
            for name in ("n_tables", "n_reject", "p_min", "p_max", "largest_risk_difference",
                         "largest_slope", "verdict"):  # fmt: skip
                row[f"{t}_{name}"] = getattr(res, name)
            verdicts.append(res.verdict)
            strong = strong or res.strong_effect_undetected
        results = [done[(n_with, n_total, t)] for t in tests]
        if "untestable" in verdicts:
            verdict = "untestable"
        elif all(v == "forced_no_association" for v in verdicts):
            verdict = "forced_no_association"
        else:
            verdict = "either"
        row.update(
            verdict=verdict, strong_effect_undetected=strong,
            method="not-tested" if verdict == "untestable" else "exact",
            reading=audit_reading(str(fact.item).strip(), results),
        )  # fmt: skip
        out.append(row)
    return pd.DataFrame(out)
