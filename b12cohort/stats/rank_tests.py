"""Two-group comparison: Wilcoxon rank-sum test with the Hodges-Lehmann shift, as R does it.

:func:`compare_groups` reproduces R ``wilcox.test(x, y, conf.int = TRUE)`` (R 4.2.2,
``stats:::wilcox.test.default``) number for number: the W statistic, the p-value (exact
or normal approximation, R's rule for choosing), the location-shift estimate and its
confidence interval, plus the rank-biserial correlation. Pinned in
``tests/reference/groups.R``.

scipy's ``mannwhitneyu`` supplies the asymptotic p-value; the exact one is the ratio of exact
integer tail counts of W, computed once per pair of group sizes
(:mod:`b12cohort.stats._wilcoxon_exact`). Neither scipy nor statsmodels gives the
Hodges-Lehmann estimate or its interval, so they are written here: the exact interval
from order statistics of the pairwise differences (Bauer 1972) with quantiles of the
exact null distribution of W (R ``qwilcox``, ported in
:mod:`b12cohort.stats._rports`), and the asymptotic interval by inverting
the normal-approximation statistic with R's own root finder (R's ``R_zeroin2``, ported
in ``b12cohort.stats._rports.r_zeroin`` and shared with :mod:`b12cohort.stats.contingency`), so that
the results agree with R to rounding: R stops at ``tol.root = 1e-4``, so any other root
finder would differ from R in the fourth decimal.

Scale: nothing of size ``n1 * n2`` is ever formed (R's ``outer(x, y, "-")`` needs 19 GB
at 10^5 subjects). The Hodges-Lehmann median and the exact interval's order statistics
are selected from the implicitly sorted matrix of differences
(:mod:`b12cohort.stats._pairwise`: Johnson & Mizoguchi 1978, Monahan 1984, with Floyd-Rivest
pivots), and R's root finder evaluates the rank-sum statistic from the distinct values
and their counts (:class:`_RankCounts`), both bit-identical to the direct computation.
10^6 subjects take about 0.3 s per comparison.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_confidence,
    require_columns,
)
from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.core.results import Result
from b12cohort.stats._pairwise import median_difference
from b12cohort.stats._rports import r_zeroin
from b12cohort.stats._wilcoxon_exact import exact_interval, exact_p

__all__ = ["GroupComparison", "compare_groups"]

#: R ``wilcox.test``: exact p-values and intervals when both groups have fewer than 50.
EXACT_MAX_N = 50
#: R ``wilcox.test(tol.root = 1e-4)``: tolerance of the root finder for the asymptotic CI.
TOL_ROOT = 1e-4
# r_zeroin (b12cohort.stats._rports) is R's R_zeroin2 ported statement by statement, shared with
# fisher_exact's odds-ratio limits; it evaluates f at both ends itself, which here gives
# the same values R passes as f.lower / f.upper.

TEST = "Wilcoxon rank-sum (Mann-Whitney) test"


@dataclass(frozen=True)
class GroupComparison(Result):
    """Result of :func:`compare_groups` (see there for every field)."""

    outcome: str
    exposure: str
    groups: tuple
    n1: int
    n2: int
    statistic: float
    p_value: float
    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    confidence_achieved: float
    hodges_lehmann: float
    rank_biserial: float
    alternative: str
    ties: bool
    test: str
    method: str
    n_missing: int
    note: str
    method_detail: str = ""
    mu: float = 0.0

    summary_fields = (
        "outcome", "exposure", "group1", "group2", "n1", "n2", "statistic", "p_value",
        "estimate", "ci_low", "ci_high", "confidence", "confidence_achieved",
        "hodges_lehmann", "rank_biserial", "alternative", "ties", "test", "method",
        "method_detail", "n_missing", "note",
    )  # fmt: skip

    def _summary_extra(self) -> dict[str, Any]:
        """``groups`` split into ``group1`` and ``group2``."""
        return {"group1": self.groups[0], "group2": self.groups[1]}


#: Values of ``p_method`` accepted by :func:`compare_groups`.
RANK_P_METHODS = ("auto", "exact", "asymptotic")


# --------------------------------------------------------------------------- data
def _levels(col: pd.Series, present: pd.Series) -> tuple[list, list]:
    """(observed levels in order, empty declared levels) of the grouping column."""
    observed = present.dropna()
    if isinstance(col.dtype, pd.CategoricalDtype):
        seen = set(observed.tolist())
        cats = list(col.cat.categories)
        return [c for c in cats if c in seen], [c for c in cats if c not in seen]
    if pd.api.types.is_bool_dtype(col.dtype) or set(observed.unique()) <= {True, False}:
        values = set(observed.astype(bool).tolist())
        return [v for v in (False, True) if v in values], []
    try:
        return sorted(observed.unique().tolist()), []
    except TypeError:
        return sorted(observed.unique().tolist(), key=str), []


def _values(data, value: str, *, function: str) -> pd.Series:
    col = data[value]
    if pd.api.types.is_bool_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype):
        raise ArgumentError(
            f"{function}(): `value` column '{value}' must be numeric (dtype {col.dtype}); "
            "compare a boolean or categorical outcome with fisher_exact() instead."
        )
    try:
        return pd.to_numeric(col, errors="raise").astype("Float64")
    except (TypeError, ValueError) as err:
        raise ArgumentError(
            f"{function}(): `value` column '{value}' must be numeric; got dtype {col.dtype}."
        ) from err


# --------------------------------------------------------------------------- the test
class _RankCounts:
    """Rank-sum quantities of ``(x - d, y)`` from the distinct values of x and y, in O(k log k).

    R ranks ``c(x - d, y)`` afresh for every shift ``d`` that ``uniroot`` tries (some 60
    per call, O(n log n) each). The same numbers come from the sorted distinct values
    ``u`` and their counts ``c`` (k of them; Hb in whole g/L has fewer than 200):

    * the rank sum of ``x - d`` minus ``nx (nx + 1) / 2`` is the Mann-Whitney count
      ``Σ_i #{y < x_i - d} + #{y == x_i - d} / 2`` (binary searches of ``u_x - d``,
      computed in floating point exactly as R's ``x - d``);
    * the tie groups of the pooled sample are the groups of ``u_x - d`` (distinct values
      may coincide after the subtraction), each joined by the y's equal to it, and the
      values of y matched by none.

    Both are exact integers (or half-integers), so the statistic is the value R computes,
    bit for bit.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.ux, self.cx = np.unique(x, return_counts=True)
        self.uy, cy = np.unique(y, return_counts=True)
        self.cum_y = np.r_[0, np.cumsum(cy)]
        self.nx, self.ny = len(x), len(y)
        self.yy_ties = self._cubes(cy)

    def _cubes(self, t: np.ndarray) -> int:
        """Σ (t³ − t), exactly (int64 while it cannot overflow, else Python ints)."""
        t = t[t > 1]
        if self.nx + self.ny < 2_000_000:  # Σ t³ <= n³ < 2**63
            return int(np.sum(t**3 - t))
        return sum(int(v) ** 3 - int(v) for v in t.tolist())

    def at(self, d: float) -> tuple[float, float]:
        """``(U - nx ny / 2, Σ (t³ − t) over the tie groups of the pooled x - d, y)``."""
        xv = self.ux - d  # ascending, as floating-point subtraction is monotone
        below = self.cum_y[np.searchsorted(self.uy, xv, side="left")]
        upto = self.cum_y[np.searchsorted(self.uy, xv, side="right")]
        count = int(np.dot(self.cx, below)) + int(np.dot(self.cx, upto))
        dz = float(count - self.nx * self.ny) / 2  # exact: half-integers below 2**52
        starts = np.flatnonzero(np.r_[True, xv[1:] != xv[:-1]])
        a = np.add.reduceat(self.cx, starts)
        b = (upto - below)[starts]  # y's tied with that value of x - d
        ties = self._cubes(a + b) + self.yy_ties - self._cubes(b)
        return dz, float(ties)


def _asymptotic_w(counts: _RankCounts, alternative: str, correct: bool):
    """R's ``W(d)``: the standardised rank-sum statistic of (x - d, y), ties corrected."""
    nx, ny = float(counts.nx), float(counts.ny)
    nxy = nx + ny

    def w(d: float) -> float:
        dz, ties = counts.at(d)
        if correct:
            corr = {
                "two-sided": math.copysign(0.5, dz) if dz else 0.0,
                "greater": 0.5,
                "less": -0.5,
            }[alternative]
        else:
            corr = 0.0
        sigma = math.sqrt((nx * ny / 12) * ((nxy + 1) - ties / (nxy * (nxy - 1))))
        if sigma == 0:  # all tied at this shift: R divides by 0 (and warns)
            return math.copysign(math.inf, dz - corr) if dz != corr else math.nan
        return (dz - corr) / sigma

    return w


def _asymptotic_interval(x, y, alternative, confidence, correct, counts):
    """R's asymptotic CI (roots of W(d) = z_q) and estimate (root of W(d) = 0, no correction)."""
    alpha = 1 - confidence
    mumin = float(np.min(x) - np.max(y))
    mumax = float(np.max(x) - np.min(y))
    w = _asymptotic_w(counts, alternative, correct)
    w_min, w_max = w(mumin), w(mumax)

    def root(zq: float) -> float:
        if math.isnan(w_min) or math.isnan(
            w_max
        ):  # R stops: "missing value where TRUE/FALSE needed"
            return math.nan
        if w_min - zq <= 0:
            return mumin
        if w_max - zq >= 0:
            return mumax
        return r_zeroin(lambda d: w(d) - zq, mumin, mumax, tol=TOL_ROOT)

    if alternative == "two-sided":
        lo = root(stats.norm.isf(alpha / 2))
        hi = root(stats.norm.ppf(alpha / 2))
    elif alternative == "greater":
        lo, hi = root(stats.norm.isf(alpha)), math.inf
    else:
        lo, hi = -math.inf, root(stats.norm.ppf(alpha))
    w0 = _asymptotic_w(counts, alternative, correct=False)
    # mumin == mumax: R stops ("lower < upper is not fulfilled"); the only value possible:
    est = r_zeroin(w0, mumin, mumax, tol=TOL_ROOT) if mumin < mumax else mumin
    return float(est), float(lo), float(hi)


def compare_groups(
    data: pd.DataFrame,
    *,
    value: str,
    by: str,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    p_method: str = "auto",
    correct: bool = True,
    mu: float = 0.0,
) -> GroupComparison:
    """Compare a numeric variable between two groups: Wilcoxon rank-sum test, HL shift.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject. Not modified.
    value : str
        Numeric column compared (for example ``"hb_g_l"``).
    by : str
        Grouping column with exactly two observed levels. Boolean: the shift is
        True minus False. Categorical: second observed category minus first (in the
        category order). Anything else: larger minus smaller sorted value.
    alternative : {"two-sided", "less", "greater"}
        "greater": the second group tends to have larger values.
    confidence : float
        Confidence level of the interval for the shift.
    p_method : {"auto", "exact", "asymptotic"}
        ``"auto"`` (default): R's rule, exact p-value and interval when both groups have
        fewer than 50 observations and there are no ties, else the normal approximation
        (recorded in ``method_detail`` and ``note``, with an
        :class:`ApproximationWarning`). ``"exact"`` forces the exact method and raises
        :class:`~b12cohort.core.errors.ExactTestInfeasibleError` when the data have ties
        (no exact distribution); ``"asymptotic"`` forces the normal approximation.
    correct : bool
        Continuity correction of the normal approximation, in the p-value and in the
        interval (R's ``correct``); the estimate never uses it (as in R).
    mu : float
        The shift (second minus first) under the null hypothesis, as R ``wilcox.test(x, y,
        mu = )``: the statistic, the ties and the p-value use ``second - mu`` against the
        first group; the estimate and the interval do not depend on it.

    Returns
    -------
    GroupComparison
        Frozen dataclass with fields

        ``value``, ``by``
            Column names.
        ``groups``
            ``(first, second)`` levels of ``by``; every shift is second minus first.
        ``n1``, ``n2``
            Observations in the first and in the second group.
        ``statistic``
            R's W for ``wilcox.test(x = second group, y = first group)``: the rank sum
            of the second group minus n2 (n2 + 1) / 2, i.e. the Mann-Whitney U of the
            second group (number of pairs where it is larger, ties counting 1/2).
        ``p_value``
            p-value for H0: identical distributions.
        ``estimate``
            R's ``$estimate``, the location shift (second minus first): exact method,
            the Hodges-Lehmann median of the n1 * n2 differences; normal approximation,
            R's root of the uncorrected standardised statistic (``uniroot``,
            ``tol = 1e-4``), which approximates that median.
        ``ci_low``, ``ci_high``
            R's ``$conf.int`` (one-sided alternatives give an infinite limit).
        ``confidence``
            The level requested.
        ``confidence_achieved``
            The level the exact interval actually has when the requested one is not
            achievable with such small groups (R's warning "Requested conf.level not
            achievable"), else equal to ``confidence``.
        ``hodges_lehmann``
            The Hodges-Lehmann estimate proper, the median of all pairwise differences
            (equal to ``estimate`` in the exact case), exactly ``np.median`` of them,
            selected without forming them.
        ``rank_biserial``
            ``2 W / (n1 n2) - 1`` in [-1, 1], positive when the second group tends to
            be larger (Glass 1966; Kerby 2014). No confidence interval is given: none
            is pinned to a reference implementation.
        ``alternative``
            As requested.
        ``ties``
            Whether the pooled values have ties.
        ``test``
            "Wilcoxon rank-sum (Mann-Whitney) test".
        ``method``
            "exact" or "asymptotic".
        ``method_detail``
            For the asymptotic method, "normal approximation with continuity
            correction" or "normal approximation"; "" for the exact one.
        ``n_missing``
            Rows dropped because ``value`` or ``by`` was missing.
        ``note``
            Caveats ("" when none).

        ``.summary`` is a one-row DataFrame (``groups`` as ``group1``, ``group2``).

    Raises
    ------
    ArgumentError
        Unknown columns; a non-numeric ``value``; ``by`` without exactly two observed
        levels (the message lists the levels seen and their counts).

    Warns
    -----
    ApproximationWarning
        When the exact method was requested or is R's default but cannot run (ties,
        or a group of 50 or more), and the normal approximation runs instead.
    DataQualityWarning
        Empty categories of ``by`` dropped; the requested confidence level not
        achievable exactly; all values tied (p, CI and estimate are NaN).

    Notes
    -----
    Censored values (a ``<column>_censored`` column from :func:`b12cohort.load_cohort`,
    such as ``<50``): ranked as tied at the bottom (or top) when every left limit is at or
    below the smallest exact value (every right limit at or above the largest), said in
    ``note``; otherwise their order is unknown and ArgumentError is raised.

    Exact case: ``p`` from the exact null distribution of W (scipy), CI
    ``(d[k], d[n1 n2 + 1 - k])`` of the sorted differences with ``k =
    qwilcox(alpha / 2, n2, n1)`` (1-based; k = 0 is raised to 1 as R does). Normal case:
    ``z = (W - n1 n2 / 2 - c) / sigma`` with ``c = sign(.) / 2`` when ``correct`` and
    the tie-corrected ``sigma``; the CI limits are the shifts d at which the statistic
    of (x - d, y) equals the normal quantiles, found as R does with Brent's method at
    ``tol = 1e-4`` (ported from R, so it matches R to rounding, not just to 1e-4).
    Tested against R 4.2.2 ``wilcox.test(x, y, conf.int = TRUE, ...)``: p-values 1e-10
    relative, exact CIs and estimates 1e-12, asymptotic CIs and estimates 1e-6.

    Memory and time are O(n log n): the pairwise differences are never formed (see the
    module notes). The exact method (R's default below 50 per group) needs the exact
    null distribution of W, which grows as ``n1² n2``; forcing ``p_method="exact"`` on large
    groups is slow for that reason, not for the interval.

    References
    ----------
    Wilcoxon F (1945). Individual comparisons by ranking methods. Biometrics Bulletin
    1:80-83. Mann HB, Whitney DR (1947). On a test of whether one of two random
    variables is stochastically larger than the other. Ann Math Stat 18:50-60.
    Hodges JL, Lehmann EL (1963). Estimates of location based on rank tests. Ann Math
    Stat 34:598-611. Bauer DF (1972). Constructing confidence sets using rank
    statistics. JASA 67:687-690. Hollander M, Wolfe DA (1973). Nonparametric
    Statistical Methods. New York: Wiley. Glass GV (1966). Note on rank biserial
    correlation. Educ Psychol Meas 26:623-631. Kerby DS (2014). The simple difference
    formula: an approach to teaching nonparametric correlation. Comprehensive
    Psychology 3:11. Johnson DB, Mizoguchi T (1978). Selecting the Kth element in
    X + Y and X1 + X2 + ... + Xm. SIAM J Comput 7:147-153. Monahan JF (1984). Algorithm
    616: fast computation of the Hodges-Lehmann location estimator. ACM Trans Math Softw
    10:265-270. Floyd RW, Rivest RL (1975). Expected time bounds for selection. Commun
    ACM 18:165-172.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"hb": [92.0, 85, 78, 101, 66, 59, 71, 88],
    ...                    "sign": [False, False, False, False, True, True, True, True]})
    >>> res = compare_groups(df, value="hb", by="sign")
    >>> res.statistic, round(res.p_value, 4), res.method
    (2.0, 0.1143, 'exact')
    >>> res.estimate, (res.ci_low, res.ci_high)
    (-19.0, (-42.0, 10.0))
    """
    fn = "compare_groups"
    require_columns(data, [value, by], function=fn)
    alternative = check_alternative(alternative, function=fn)
    confidence = check_confidence(confidence, function=fn)
    p_method = check_choice(p_method, RANK_P_METHODS, name="p_method", function=fn)
    if not isinstance(correct, bool | np.bool_):
        raise ArgumentError(f"{fn}(): `correct` must be True or False; got {correct!r}.")

    from b12cohort.stats._censoring import rank_ready

    ranked, censor_note = rank_ready(data, value, function=fn)
    group = data[by]
    fast = _numpy_groups(ranked, group) if not censor_note else None
    if fast is not None:  # plain numeric values and a numpy bool group: no pandas work
        x, y, n_missing = fast
        notes: list[str] = []
        first, second = False, True
    else:
        x, y, first, second, n_missing, notes = _pandas_groups(
            data, value, by, ranked, censor_note, fn
        )
    return _compare(x, y, first, second, n_missing, notes, value=value, by=by,
                    alternative=alternative, confidence=confidence, p_method=p_method,
                    correct=correct, mu=mu, fn=fn)  # fmt: skip


def _numpy_groups(values: pd.Series, group: pd.Series):
    """``(second group, first group, n_missing)`` for numeric values grouped by a numpy
    bool column with both levels present; None for anything else (the pandas path)."""
    if values.dtype.kind not in "fiu" or group.dtype != np.bool_:
        return None
    v = values.to_numpy(dtype=float)
    g = group.to_numpy()
    ok = ~np.isnan(v)
    x, y = v[ok & g], v[ok & ~g]
    if not (x.size and y.size):
        return None
    return x, y, int(v.size - ok.sum())


def _pandas_groups(data, value, by, ranked, censor_note, fn):
    """The groups from any column types (nullable, categorical, censored values)."""
    vals = _values(data.assign(**{value: ranked}), value, function=fn)
    group = data[by]
    ok = (vals.notna() & group.notna()).to_numpy()
    n_missing = int((~ok).sum())
    levels, empty = _levels(group, group[ok])
    if len(levels) != 2:
        counts = group[ok].value_counts(dropna=True)
        seen = ", ".join(f"{lvl!r} (n = {counts.get(lvl, 0)})" for lvl in levels) or "none"
        raise ArgumentError(
            f"{fn}(): `by` column '{by}' must have exactly 2 observed levels among the "
            f"{int(ok.sum())} rows with both '{value}' and '{by}' recorded; found "
            f"{len(levels)}: {seen}."
        )
    notes: list[str] = [censor_note] if censor_note else []
    if empty:
        msg = f"empty level(s) of '{by}' dropped: {', '.join(map(repr, empty))}"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=3)
    first, second = levels
    gv = group[ok]
    vv = vals[ok].to_numpy(dtype=float)
    if isinstance(group.dtype, pd.CategoricalDtype) or not set(levels) <= {True, False}:
        in_second = (gv == second).to_numpy(dtype=bool)
    else:
        in_second = gv.astype(bool).to_numpy(dtype=bool) == second
    x, y = vv[in_second], vv[~in_second]  # R: wilcox.test(x = second, y = first)
    return x, y, first, second, n_missing, notes


def _compare(x, y, first, second, n_missing, notes, *, value, by, alternative, confidence,
             p_method, correct, mu, fn) -> GroupComparison:  # fmt: skip
    """The test on the two groups' values (x: second group, y: first)."""
    nx, ny = len(x), len(y)
    mu = float(mu) if isinstance(mu, int | float) and not isinstance(mu, bool) else math.nan
    if not math.isfinite(mu):
        raise ArgumentError(f"{fn}(): `mu` must be a finite number (the null shift).")
    xs = x - mu  # R: r <- rank(c(x - mu, y)) for the statistic and the p-value
    pooled = np.concatenate([xs, y])
    ties = len(np.unique(pooled)) != len(pooled)
    if p_method == "auto":
        want_exact = nx < EXACT_MAX_N and ny < EXACT_MAX_N
    else:
        want_exact = p_method == "exact"
    if p_method == "exact" and ties:
        raise ExactTestInfeasibleError(
            f"{fn}(): p_method='exact', but '{value}' has ties, so the exact distribution "
            "of the rank-sum statistic (and the exact interval) does not exist. Use "
            "p_method='auto' or 'asymptotic' (the normal approximation, as R wilcox.test "
            "with ties)."
        )
    use_exact = want_exact and not ties

    counts = _RankCounts(x, y)
    u = counts.at(0.0)[0] + nx * ny / 2  # Mann-Whitney U of x, exact
    rank_biserial = 2 * u / (nx * ny) - 1
    if mu != 0:
        u = counts.at(mu)[0] + nx * ny / 2  # R's W of x - mu
    hl = median_difference(x, y)  # np.median(np.subtract.outer(x, y)), in O(n) memory
    kw: dict[str, Any] = {
        "outcome": value,
        "exposure": by,
        "groups": (first, second),
        "n1": ny,
        "n2": nx,
        "statistic": u,
        "confidence": confidence,
        "hodges_lehmann": hl,
        "rank_biserial": rank_biserial,
        "alternative": alternative,
        "ties": bool(ties),
        "test": TEST,
        "n_missing": n_missing,
        "mu": mu,
    }

    if use_exact:
        p = exact_p(u, nx, ny, alternative)
        est, lo, hi, achieved = exact_interval(x, y, alternative, confidence)
        if achieved != confidence:
            msg = (
                f"the requested confidence level {confidence:g} is not achievable with "
                f"groups of {ny} and {nx}; the exact interval has level {achieved:.4g}"
            )
            notes.append(msg)
            warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=3)
        return GroupComparison(
            **kw, p_value=p, estimate=est, ci_low=lo, ci_high=hi,
            confidence_achieved=achieved, method="exact", note="; ".join(notes),
        )  # fmt: skip

    method = (
        "normal approximation with continuity correction" if correct else "normal approximation"
    )
    kw["method_detail"] = method
    if want_exact:
        why = "the data have ties" if ties else ""
        msg = f"exact p-value and interval impossible ({why}); {method} used"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", ApproximationWarning, stacklevel=3)
    elif p_method == "auto":
        msg = f"a group has {EXACT_MAX_N} or more observations; {method} used (R's rule)"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", ApproximationWarning, stacklevel=3)
    if np.ptp(pooled) == 0:
        msg = "all values are tied: the test and the interval are undefined"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=3)
        nan = math.nan
        return GroupComparison(
            **kw, p_value=nan, estimate=nan, ci_low=nan, ci_high=nan,
            confidence_achieved=confidence, method="asymptotic", note="; ".join(notes),
        )  # fmt: skip
    p = float(
        stats.mannwhitneyu(
            xs, y, alternative=alternative, method="asymptotic", use_continuity=bool(correct)
        ).pvalue
    )
    est, lo, hi = _asymptotic_interval(x, y, alternative, confidence, bool(correct), counts)
    if np.min(x) - np.max(y) == np.max(x) - np.min(y):
        notes.append(
            "each group is constant: the estimate is their difference (R stops with "
            "'lower < upper is not fulfilled' here)"
        )
    if math.isnan(lo) or math.isnan(hi):
        notes.append(
            "the interval is undefined: the shifted samples tie completely at a search "
            "limit (R stops with an error here)"
        )
    return GroupComparison(
        **kw, p_value=p, estimate=est, ci_low=lo, ci_high=hi, confidence_achieved=confidence,
        method="asymptotic", note="; ".join(notes),
    )  # fmt: skip
