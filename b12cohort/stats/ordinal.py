"""Association between two ordered variables: Kendall's tau-b, Goodman-Kruskal gamma,
the linear-by-linear association test and the Jonckheere-Terpstra test.

:func:`ordinal_association` takes both orderings into account at once (the number of
neurological signs against the anaemia grade, say), which a per-level test cannot. The
exact p-values are conditional on both margins and computed by the column-wise dynamic
programme of :mod:`b12cohort.stats._lbl_exact`; the asymptotic ones are the normal
approximations R uses. Every number is pinned to R in ``tests/reference/ordinal.R``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_confidence,
    check_positive_int,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ApproximationWarning, ArgumentError, ExactTestInfeasibleError
from b12cohort.core.results import Result
from b12cohort.stats import _lbl_exact
from b12cohort.stats.contingency import _rng_and_seed

__all__ = ["OrdinalAssociation", "ordinal_association", "ordinal_reading"]

METHODS = ("kendall", "gamma", "linear-by-linear", "jonckheere")
P_METHODS = ("auto", "exact", "asymptotic", "monte-carlo")
#: Budget of the exact dynamic programme (see :func:`_lbl_exact.work_estimate`).
DEFAULT_MAX_WORK = 20_000_000
DEFAULT_RESAMPLES = 100_000
#: Numeric scores are made integers by the smallest power of ten up to this one.
_MAX_SCALE_DIGITS = 6
TESTS = {
    "kendall": "Kendall's tau-b",
    "gamma": "Goodman-Kruskal gamma",
    "linear-by-linear": "linear-by-linear association test",
    "jonckheere": "Jonckheere-Terpstra test",
}


@dataclass(frozen=True)
class OrdinalAssociation(Result):
    """Result of :func:`ordinal_association` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    estimand: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    statistic: float
    z: float
    p_value: float
    alternative: str
    n: int
    n_missing: int
    outcome: str
    exposure: str
    n_resamples: int | None
    mc_standard_error: float | None
    work: int | None
    note: str
    table: pd.DataFrame = field(repr=False)


# --------------------------------------------------------------------------- the data
def _ordered(series: pd.Series, column: str, function: str) -> tuple[np.ndarray, list, np.ndarray]:
    """Codes (-1 = missing), levels and scores of an ordered column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not dtype.ordered:
            raise ArgumentError(
                f"{function}(): column '{column}' is an unordered categorical; the test needs "
                f"an order. Make it ordered (data['{column}'].cat.as_ordered(), after putting "
                "the categories in their order with .cat.reorder_categories())."
            )
        levels = list(dtype.categories)
        return series.cat.codes.to_numpy(np.int64), levels, np.arange(1.0, len(levels) + 1)
    if pd.api.types.is_bool_dtype(dtype):
        values = series.astype("boolean")
        codes = np.where(values.isna(), -1, values.fillna(False).astype(int)).astype(np.int64)
        return codes, [False, True], np.array([0.0, 1.0])
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        levels = np.unique(values[finite])
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[finite] = np.searchsorted(levels, values[finite])
        return codes, [float(v) for v in levels], levels.astype(float)
    raise ArgumentError(
        f"{function}(): column '{column}' must be ordered: an ordered categorical, boolean "
        f"or numeric column; got dtype {dtype}. Convert it with pd.Categorical(..., "
        "categories=[...in order...], ordered=True)."
    )


def _table(data, x, y, function) -> tuple[np.ndarray, list, list, np.ndarray, np.ndarray, int]:
    cx, lx, sx = _ordered(data[x], x, function)
    cy, ly, sy = _ordered(data[y], y, function)
    keep = (cx >= 0) & (cy >= 0)
    table = np.zeros((len(lx), len(ly)), dtype=np.int64)
    np.add.at(table, (cx[keep], cy[keep]), 1)
    return table, lx, ly, sx, sy, int((~keep).sum())


# --------------------------------------------------------------------------- statistics
def _pair_counts(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: counts concordant (A) and discordant (D) with it (Agresti's notation)."""
    r, c = t.shape
    cum = np.zeros((r + 1, c + 1))
    cum[1:, 1:] = t.cumsum(0).cumsum(1)  # cum[i, j] = sum of t[:i, :j]
    total = cum[r, c]
    a = np.empty(t.shape)
    d = np.empty(t.shape)
    for i in range(r):
        for j in range(c):
            lower_left = cum[i, j]  # rows < i, cols < j
            upper_right = total - cum[i + 1, c] - cum[r, j + 1] + cum[i + 1, j + 1]
            lower_right = cum[i, c] - cum[i, j + 1]  # rows < i, cols > j
            upper_left = cum[r, j] - cum[i + 1, j]  # rows > i, cols < j
            a[i, j] = lower_left + upper_right
            d[i, j] = lower_right + upper_left
    return a, d


def _var_s(t: np.ndarray) -> float:
    """Variance of S under independence with ties (Kendall 1945; R ``cor.test``)."""
    n = float(t.sum())
    tx = t.sum(1).astype(float)
    ty = t.sum(0).astype(float)
    v0 = n * (n - 1) * (2 * n + 5)
    vt = np.sum(tx * (tx - 1) * (2 * tx + 5))
    vu = np.sum(ty * (ty - 1) * (2 * ty + 5))
    v1 = np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1))
    v2 = np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2))
    third = v2 / (9 * n * (n - 1) * (n - 2)) if n > 2 else 0.0
    return float((v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + third)


def _tau_b(t, a, d) -> tuple[float, float]:
    """Kendall's tau-b and its non-null asymptotic standard error (delta method)."""
    n = float(t.sum())
    p, q = float((t * a).sum()), float((t * d).sum())
    wr = n**2 - float((t.sum(1) ** 2).sum())
    wc = n**2 - float((t.sum(0) ** 2).sum())
    w = math.sqrt(wr * wc)
    tau = (p - q) / w
    v = t.sum(1)[:, None] * wc + t.sum(0)[None, :] * wr
    inner = float((t * (2 * w * (a - d) + tau * v) ** 2).sum()) - n**3 * tau**2 * (wr + wc) ** 2
    return tau, math.sqrt(max(inner, 0.0)) / w**2


def _gamma(t, a, d) -> tuple[float, float]:
    """Goodman-Kruskal gamma and its non-null asymptotic standard error (delta method)."""
    p, q = float((t * a).sum()), float((t * d).sum())
    if p + q == 0:
        return math.nan, math.nan
    g = (p - q) / (p + q)
    return g, 4.0 / (p + q) ** 2 * math.sqrt(float((t * (q * a - p * d) ** 2).sum()))


def _wald(estimate, se, confidence, alternative) -> tuple[float, float]:
    if not (math.isfinite(estimate) and math.isfinite(se)):
        return math.nan, math.nan
    if alternative == "two-sided":
        q = stats.norm.ppf((1 + confidence) / 2)
        return max(-1.0, estimate - q * se), min(1.0, estimate + q * se)
    q = stats.norm.ppf(confidence)
    if alternative == "greater":
        return max(-1.0, estimate - q * se), 1.0
    return -1.0, min(1.0, estimate + q * se)


def _normal_p(z: float, alternative: str) -> float:
    if not math.isfinite(z):
        return math.nan
    if alternative == "less":
        return float(stats.norm.cdf(z))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    return float(min(1.0, 2 * stats.norm.sf(abs(z))))


def _integer_scores(scores: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``(round(scores * 10**k), k)`` for the smallest k making them integers, else None."""
    for k in range(_MAX_SCALE_DIGITS + 1):
        scaled = scores * 10**k
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return np.round(scaled).astype(np.int64), k
    return None


def _tail_p(keys, probs, observed, centre2, alternative) -> float:
    """Exact p from integer keys: ``centre2`` is twice the mean times the key's scale."""
    if alternative == "greater":
        return float(min(1.0, probs[keys >= observed].sum()))
    if alternative == "less":
        return float(min(1.0, probs[keys <= observed].sum()))
    return float(min(1.0, probs[np.abs(2 * keys - centre2) >= abs(2 * observed - centre2)].sum()))


# --------------------------------------------------------------------------- engines
class _Engine:
    """The statistic of one method: observed value, null moments, exact and MC p."""

    def __init__(self, method, t, sx, sy):
        self.method, self.t = method, t
        self.n = int(t.sum())
        if method == "linear-by-linear":
            r, c = t.sum(1), t.sum(0)
            self.ints = (_integer_scores(sx), _integer_scores(sy))
            self.sx, self.sy = sx, sy
            ex = (r * sx).sum() * (c * sy).sum() / self.n
            self.stat = float(sx @ t @ sy)
            self.mean = float(ex)
            ssx = float((r * (sx - (r * sx).sum() / self.n) ** 2).sum())
            ssy = float((c * (sy - (c * sy).sum() / self.n) ** 2).sum())
            self.var = ssx * ssy / (self.n - 1)
        else:
            a, d = _pair_counts(t)
            self.stat = float((t * a).sum() - (t * d).sum()) / 2  # S = C - D
            self.mean = 0.0
            self.var = _var_s(t)

    def z(self) -> float:
        return (self.stat - self.mean) / math.sqrt(self.var) if self.var > 0 else math.nan

    def _reduced(self):
        """The table without empty rows/columns, rows the shorter side, and its scores."""
        keep_r, keep_c = self.t.sum(1) > 0, self.t.sum(0) > 0
        t = self.t[keep_r][:, keep_c]
        a = b = None
        if self.method == "linear-by-linear":
            (a, _), (b, _) = self.ints
            a, b = a[keep_r], b[keep_c]
        if t.shape[0] > t.shape[1]:
            t, a, b = t.T, b, a
        return t, a, b

    def exact_feasible(self) -> bool:
        return self.method != "linear-by-linear" or None not in self.ints

    def work(self) -> int:
        t, a, b = self._reduced()
        cols = t.sum(0)
        if self.method == "linear-by-linear":
            spread = int(a.max() - a.min())
            cum = np.cumsum(np.abs(b) * cols)
            return _lbl_exact.work_estimate(t, lambda j: 1 + spread * int(cum[j]))
        used = np.cumsum(cols)
        return _lbl_exact.work_estimate(t, lambda j: 1 + int(used[j]) * self.n)

    def exact_p(self, alternative) -> float:
        t, a, b = self._reduced()
        if self.method != "linear-by-linear":
            keys, probs = _lbl_exact.distribution(t, kind="kendall")
            return _tail_p(keys, probs, round(self.stat), 0, alternative)
        keys, probs = _lbl_exact.distribution(t, kind="lbl", row_scores=a, col_scores=b)
        observed = int(a @ t @ b)
        # n (T - E T) is an integer: compare |n T - A| exactly, A = sum r a * sum c b
        centre = int(t.sum(1) @ a) * int(t.sum(0) @ b)
        return _tail_p(keys * self.n, probs, observed * self.n, 2 * centre, alternative)

    def monte_carlo_p(self, alternative, n_resamples, rng) -> tuple[float, float]:
        tables = stats.random_table(self.t.sum(1), self.t.sum(0), seed=rng).rvs(size=n_resamples)
        if self.method == "linear-by-linear":
            sims = np.einsum("i,bij,j->b", self.sx, tables.astype(float), self.sy)
        else:
            sims = np.array([_s_of(tab) for tab in tables])
        tol = 1e-7 * max(1.0, abs(self.stat))
        if alternative == "greater":
            hits = np.sum(sims >= self.stat - tol)
        elif alternative == "less":
            hits = np.sum(sims <= self.stat + tol)
        else:
            hits = np.sum(np.abs(sims - self.mean) >= abs(self.stat - self.mean) - tol)
        p = (1 + int(hits)) / (n_resamples + 1)
        return p, math.sqrt(p * (1 - p) / n_resamples)


def _s_of(t: np.ndarray) -> float:
    a, d = _pair_counts(t)
    return float((t * a).sum() - (t * d).sum()) / 2


# --------------------------------------------------------------------------- public
def ordinal_association(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    method: str = "kendall",
    p_method: str = "auto",
    confidence: float = 0.95,
    alternative: str = "two-sided",
    random_state: Any = DEFAULT_SEED,
    max_work: int = DEFAULT_MAX_WORK,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> OrdinalAssociation:
    """Association between two ordered variables (or one ordered and one numeric).

    Parameters
    ----------
    data : pandas.DataFrame
    x : str
        The exposure (for ``"jonckheere"``: the ordered groups), e.g. ``"anemia_grade"``.
        An ordered categorical (scores 1..k by level, empty levels included), a boolean
        (False < True, scores 0, 1) or a numeric column (scores = the values).
    y : str
        The outcome (for ``"jonckheere"``: the response), e.g. ``"neuro_score"``; same
        types as ``x``.
    method : {"kendall", "gamma", "linear-by-linear", "jonckheere"}
        The statistic: Kendall's tau-b, Goodman-Kruskal gamma, the linear-by-linear
        association statistic ``T = sum_ij u_i v_j n_ij`` (Agresti's M^2 test) or the
        Jonckheere-Terpstra statistic (pairs from a lower and a higher group with the
        higher response, ties counted one half).
    p_method : {"auto", "exact", "asymptotic", "monte-carlo"}
        ``"exact"``: the exact distribution of the statistic over the tables with both
        margins fixed (permutations of ``y`` against ``x``), or
        :class:`ExactTestInfeasibleError` when its work estimate exceeds ``max_work``.
        ``"asymptotic"``: the normal approximation with the tie-corrected null variance.
        ``"monte-carlo"``: ``n_resamples`` tables drawn under the margins (seeded).
        ``"auto"``: exact when the work estimate is within ``max_work``, else asymptotic,
        with an :class:`ApproximationWarning`; the switch is recorded in ``method_detail``.
    confidence : float
        Level of the interval for tau-b and gamma (Wald, non-null standard error).
    alternative : {"two-sided", "less", "greater"}
        "greater": positive association (higher ``x``, higher ``y``). One-sided
        alternatives give one-sided intervals.
    random_state : int, None or numpy.random.Generator
        Seed of the Monte Carlo p-value.
    max_work : int
        Budget of the exact computation (states x column vectors x partial values).
    n_resamples : int
        Number of simulated tables for ``p_method="monte-carlo"``.

    Returns
    -------
    OrdinalAssociation
        ``test``, ``method`` (``"exact"``, ``"asymptotic"``, ``"monte-carlo"`` or
        ``"not-tested"``), ``method_detail`` (what ran and why), ``estimand``,
        ``estimate`` (tau-b; gamma; for linear-by-linear the Pearson correlation ``r`` of
        the scores, with ``M^2 = (n - 1) r^2``; for Jonckheere ``JT / sum_{i<k} n_i n_k``,
        the probability that a subject of the higher group has the higher response, ties
        one half), ``ci_low``/``ci_high`` (tau-b and gamma only; NaN otherwise),
        ``confidence``, ``statistic`` (``S = C - D`` for tau-b and gamma, ``T`` for
        linear-by-linear, ``JT``), ``z`` (the standardised statistic), ``p_value``,
        ``alternative``, ``n`` (complete pairs), ``n_missing``, ``outcome`` (``y``),
        ``exposure`` (``x``), ``n_resamples``/``mc_standard_error`` (Monte Carlo only),
        ``work`` (the exact work estimate), ``note`` and ``table`` (the ``x`` by ``y``
        counts).

    Raises
    ------
    ArgumentError
        Unknown column or option, a column that is not ordered.
    ExactTestInfeasibleError
        ``p_method="exact"`` beyond ``max_work``, or linear-by-linear scores that are not
        multiples of 10^-6.

    Notes
    -----
    Under independence, conditional on both margins, ``E(S) = 0`` and ``var(S)`` is
    Kendall's tie-corrected variance, exactly as R ``cor.test(method = "kendall",
    exact = FALSE)`` computes it (its z and p); the Jonckheere-Terpstra statistic is
    ``JT = (sum_{i<k} n_i n_k + S) / 2`` with ``S`` between group and response, so its
    tie-corrected normal test (Hollander & Wolfe) is the same z. Tau-b and gamma share
    the numerator ``S`` and, with the margins fixed, one test: the p-value of gamma is
    that of ``S``. The linear-by-linear test has ``E(T) = sum r_i u_i sum c_j v_j / n``
    and ``var(T) = SS_u SS_v / (n - 1)``, as R ``coin::lbl_test``. The exact two-sided
    p-value is ``P(|T - E T| >= |t - E T|)`` (``P(|S| >= |s|)``), computed with integer
    arithmetic on the statistic; the exact one-sided ones are the tails. Standard errors
    of tau-b and gamma are the delta-method (non-null) ones of Agresti (2010), as SAS
    PROC FREQ reports them (ASE1); the intervals are clipped to [-1, 1].

    References
    ----------
    Agresti A. Analysis of Ordinal Categorical Data. 2nd ed. Wiley; 2010.
    Kendall MG. The treatment of ties in ranking problems. Biometrika. 1945;33:239-251.
    Goodman LA, Kruskal WH. Measures of association for cross classifications.
    J Am Stat Assoc. 1954;49:732-764.
    Jonckheere AR. A distribution-free k-sample test against ordered alternatives.
    Biometrika. 1954;41:133-145.
    Hollander M, Wolfe DA. Nonparametric Statistical Methods. 2nd ed. Wiley; 1999.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"grade": [1, 1, 2, 2, 3, 3], "signs": [0, 1, 1, 2, 2, 3]})
    >>> res = ordinal_association(d, x="grade", y="signs", method="kendall")
    >>> res.method, round(res.estimate, 4), round(res.p_value, 4)
    ('exact', 0.8006, 0.0889)
    """
    fn = "ordinal_association"
    require_columns(data, [x, y], function=fn)
    method = check_choice(method, METHODS, name="method", function=fn)
    p_method = check_choice(p_method, P_METHODS, name="p_method", function=fn)
    confidence = check_confidence(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    max_work = check_positive_int(max_work, name="max_work", function=fn)
    n_resamples = check_positive_int(n_resamples, name="n_resamples", function=fn)
    t, lx, ly, sx, sy, n_missing = _table(data, x, y, fn)
    table = pd.DataFrame(t, index=pd.Index(lx, name=x), columns=pd.Index(ly, name=y))
    n = int(t.sum())
    base = {
        "test": TESTS[method],
        "confidence": confidence,
        "alternative": alternative,
        "n": n,
        "n_missing": n_missing,
        "outcome": y,
        "exposure": x,
        "table": table,
    }
    estimand = {
        "kendall": "tau-b",
        "gamma": "gamma",
        "linear-by-linear": "correlation of the scores",
        "jonckheere": "P(higher group has the higher response)",
    }[method]
    observed_x = int((t.sum(1) > 0).sum())
    observed_y = int((t.sum(0) > 0).sum())
    if n < 2 or observed_x < 2 or observed_y < 2:
        why = (
            f"{n} complete pair(s)"
            if n < 2
            else f"'{x if observed_x < 2 else y}' takes a single observed value"
        )
        return OrdinalAssociation(
            **base,
            method="not-tested",
            method_detail="nothing to test",
            estimand=estimand,
            estimate=math.nan,
            ci_low=math.nan,
            ci_high=math.nan,
            statistic=math.nan,
            z=math.nan,
            p_value=math.nan,
            n_resamples=None,
            mc_standard_error=None,
            work=None,
            note=f"Not tested: {why}, so there is no ordering to associate.",
        )
    engine = _Engine("kendall" if method != "linear-by-linear" else method, t, sx, sy)
    notes: list[str] = []
    work = engine.work() if engine.exact_feasible() else None
    chosen, detail = p_method, ""
    if p_method in ("auto", "exact"):
        if work is None or work > max_work:
            why = (
                "the scores are not multiples of 10^-6"
                if work is None
                else f"its work estimate {work:,} exceeds max_work={max_work:,}"
            )
            if p_method == "exact":
                raise ExactTestInfeasibleError(
                    f"{fn}(): the exact {TESTS[method]} is infeasible: {why}. Raise max_work "
                    "(slower), or use p_method='asymptotic' or 'monte-carlo'."
                )
            chosen = "asymptotic"
            detail = f"; exact test not run ({why}), switched to the normal approximation"
            warnings.warn(f"{fn}(): {detail[2:]}.", ApproximationWarning, stacklevel=2)
        else:
            chosen = "exact"
    z = engine.z()
    mc_se = None
    if chosen == "exact":
        p = engine.exact_p(alternative)
        detail = "exact conditional distribution given both margins" + detail
    elif chosen == "monte-carlo":
        rng, seed = _rng_and_seed(random_state, fn)
        p, mc_se = engine.monte_carlo_p(alternative, n_resamples, rng)
        seed_text = "a caller's Generator" if seed is None else f"seed {seed}"
        detail = f"Monte Carlo, {n_resamples:,} tables drawn under the margins ({seed_text})"
    else:
        p = _normal_p(z, alternative)
        detail = "normal approximation, tie-corrected null variance" + detail
    statistic = engine.stat
    estimate = ci_low = ci_high = math.nan
    if method in ("kendall", "gamma"):
        a, d = _pair_counts(t)
        estimate, se = (_tau_b if method == "kendall" else _gamma)(t, a, d)
        ci_low, ci_high = _wald(estimate, se, confidence, alternative)
        if method == "gamma":
            notes.append("The p-value is that of S = C - D, shared with tau-b.")
    elif method == "linear-by-linear":
        estimate = (statistic - engine.mean) / math.sqrt(engine.var * (n - 1))
        empty = [str(v) for v, k in zip(lx, t.sum(1), strict=True) if k == 0]
        empty += [str(v) for v, k in zip(ly, t.sum(0), strict=True) if k == 0]
        if empty:
            notes.append(
                f"Empty levels ({', '.join(empty)}) keep their place in the scores "
                "(coin::lbl_test drops them unless given scores=)."
            )
    else:
        pairs = (n**2 - float((t.sum(1) ** 2).sum())) / 2
        statistic = (pairs + engine.stat) / 2
        estimate = statistic / pairs
    return OrdinalAssociation(
        **base,
        method=chosen,
        method_detail=detail,
        estimand=estimand,
        estimate=float(estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        statistic=float(statistic),
        z=float(z),
        p_value=float(p),
        n_resamples=n_resamples if chosen == "monte-carlo" else None,
        mc_standard_error=mc_se,
        work=work,
        note=" ".join(notes),
    )


def ordinal_reading(res: OrdinalAssociation) -> str:
    """One sentence that says what an :class:`OrdinalAssociation` shows, from its numbers.

    The interval (tau-b, gamma) is read on both sides; without one (linear-by-linear,
    Jonckheere) a large p-value is said not to show the absence of a trend.
    """
    if res.method == "not-tested":
        return res.note
    level = 1 - res.confidence
    p_text = f"{'exact ' if res.method == 'exact' else ''}p = {res.p_value:.2g}"
    head = f"{res.test} of {res.outcome} with {res.exposure} (n = {res.n}): {res.estimand} = {res.estimate:.2f}"
    if math.isfinite(res.ci_low):
        head += f" ({res.confidence:.0%} CI {res.ci_low:.2f} to {res.ci_high:.2f})"
        if res.ci_low > 0 or res.ci_high < 0:
            sign = "positive" if res.ci_low > 0 else "negative"
            return f"{head}, {p_text}; the interval excludes 0: a {sign} association."
        return (
            f"{head}, {p_text}; associations from {res.ci_low:.2f} to {res.ci_high:.2f} are "
            "compatible with the data."
        )
    if res.p_value < level:
        sign = "positive" if res.z > 0 else "negative"
        return f"{head}, {p_text}: the data indicate a {sign} trend."
    return (
        f"{head}, {p_text}: no trend was detected, which with {res.n} subjects does not show "
        "that there is none (the test gives no interval)."
    )
