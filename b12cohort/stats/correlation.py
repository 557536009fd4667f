"""Rank correlation with exact/permutation p-values and a Fisher-z or bootstrap interval.

One public function, pinned to R (``tests/reference/correlation.R``):
:func:`correlation`, Spearman's rho or Kendall's tau-b with a p-value whose method is
chosen and *recorded* (asymptotic as R ``cor.test(exact = FALSE)``, the exact null
distribution, or a permutation test) and a Fisher-z or BCa bootstrap confidence interval.
Its power and the equivalence test are in :mod:`b12cohort.stats.power`.
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
    check_positive_int,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.core.results import Result
from b12cohort.stats._censoring import rank_ready

__all__ = [
    "EXACT_PERMUTATION_MAX_N",
    "CorrelationResult",
    "correlation",
    "fisher_z_interval",
    "fisher_z_se",
    "paired_values",
]

#: Largest n for which a permutation p-value enumerates all n! pairings (9! = 362 880).
EXACT_PERMUTATION_MAX_N = 9
#: Below this n, ``p_method="auto"`` prefers exact or permutation p-values to asymptotics
#: (R's own switch for Kendall's exact test, ``cor.test(exact = NULL)``).
AUTO_ASYMPTOTIC_MIN_N = 50
#: Fieller, Hartley & Pearson (1957): var(atanh(tau)) ~ 0.437 / (n - 4).
FIELLER_KENDALL_VARIANCE = 0.437

METHODS = ("spearman", "kendall", "pearson")
P_METHODS = ("auto", "asymptotic", "exact", "permutation")
CI_METHODS = ("fisher-z", "bootstrap")
TESTS = {
    "spearman": "Spearman's rank correlation rho",
    "kendall": "Kendall's rank correlation tau-b",
    "pearson": "Pearson's product-moment correlation",
}


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CorrelationResult(Result):
    """Result of :func:`correlation` (see there for the meaning of every field)."""

    outcome: str
    exposure: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    statistic: float
    statistic_name: str
    n: int
    n_missing: int
    ties: bool
    estimator: str
    test: str
    method: str
    method_detail: str
    ci_method: str
    alternative: str
    confidence: float
    note: str


# --------------------------------------------------------------------------- helpers
def paired_values(data, x: str, y: str, *, function: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Complete (x, y) pairs as float arrays, and how many rows were dropped."""
    require_columns(data, [x, y], function=function)
    arrays = []
    for name in (x, y):
        col = rank_ready(data, name, function=function)[0]
        if isinstance(col.dtype, pd.CategoricalDtype):
            if not col.cat.ordered:
                raise ArgumentError(
                    f"{function}(): column '{name}' is an unordered categorical; a rank "
                    "correlation needs numbers, booleans or an ordered categorical."
                )
            col = col.cat.codes.where(col.notna())
        try:
            arrays.append(pd.to_numeric(col, errors="raise").astype("Float64"))
        except (TypeError, ValueError) as err:
            raise ArgumentError(
                f"{function}(): column '{name}' must be numeric (or boolean / ordered "
                f"categorical); got dtype {col.dtype}."
            ) from err
    frame = pd.DataFrame({"x": arrays[0].to_numpy(), "y": arrays[1].to_numpy()})
    ok = frame.notna().all(axis=1).to_numpy()
    xv = frame["x"].to_numpy(dtype=float)[ok]
    yv = frame["y"].to_numpy(dtype=float)[ok]
    return xv, yv, int((~ok).sum())


def fisher_z_se(estimate: float, n: int, method: str) -> float:
    """Standard error of ``atanh(estimate)`` for a rank correlation.

    Spearman: Bonett & Wright (2000), ``sqrt((1 + r**2 / 2) / (n - 3))`` (needs n >= 4).
    Kendall: Fieller, Hartley & Pearson (1957), ``sqrt(0.437 / (n - 4))`` (needs n >= 5).
    Returns NaN when n is too small.
    """
    if method == "spearman":
        return math.sqrt((1.0 + estimate**2 / 2.0) / (n - 3)) if n > 3 else math.nan
    return math.sqrt(FIELLER_KENDALL_VARIANCE / (n - 4)) if n > 4 else math.nan


def fisher_z_interval(estimate, se, confidence, alternative) -> tuple[float, float]:
    if not (math.isfinite(se) and math.isfinite(estimate)):
        return math.nan, math.nan
    z = math.atanh(estimate) if abs(estimate) < 1 else math.copysign(math.inf, estimate)
    if alternative == "two-sided":
        q = stats.norm.ppf((1 + confidence) / 2)
        return math.tanh(z - q * se), math.tanh(z + q * se)
    q = stats.norm.ppf(confidence)
    if alternative == "greater":
        return math.tanh(z - q * se), 1.0
    return -1.0, math.tanh(z + q * se)


def _spearman_stat(x, y, axis=-1):
    """Pearson correlation of (already ranked) x and y along ``axis`` (vectorised)."""
    xm = x - x.mean(axis=axis, keepdims=True)
    ym = y - y.mean(axis=axis, keepdims=True)
    return (xm * ym).sum(axis=axis) / np.sqrt((xm**2).sum(axis=axis) * (ym**2).sum(axis=axis))


def _spearman_resampled(x, y, axis=-1):
    """Spearman's rho of raw values (re-ranked; for bootstrap resamples, which add ties)."""
    return _spearman_stat(stats.rankdata(x, axis=axis), stats.rankdata(y, axis=axis), axis)


def _kendall_stat(x, y, axis=-1):
    """Kendall's tau-b along the last axis, vectorised over leading (batch) axes."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    y = np.moveaxis(np.asarray(y, dtype=float), axis, -1)
    i, j = np.triu_indices(x.shape[-1], 1)
    sx = np.sign(x[..., i] - x[..., j])
    sy = np.sign(y[..., i] - y[..., j])
    return (sx * sy).sum(axis=-1) / np.sqrt((sx**2).sum(axis=-1) * (sy**2).sum(axis=-1))


def _kendall_asymptotic(x, y, tau) -> tuple[float, float]:
    """R ``cor.test(method = "kendall", exact = FALSE)``: S / sqrt(var_S), ties corrected.

    Written out (rather than calling scipy, whose p-value is the same) because R reports
    the z statistic, which scipy does not expose. Kendall (1945)'s tie-corrected variance.
    """
    n = len(x)
    tx = np.unique(x, return_counts=True)[1].astype(float)
    ty = np.unique(y, return_counts=True)[1].astype(float)
    t0 = n * (n - 1) / 2
    t1 = np.sum(tx * (tx - 1)) / 2
    t2 = np.sum(ty * (ty - 1)) / 2
    s = tau * math.sqrt((t0 - t1) * (t0 - t2))
    v0 = n * (n - 1) * (2 * n + 5)
    vt = np.sum(tx * (tx - 1) * (2 * tx + 5))
    vu = np.sum(ty * (ty - 1) * (2 * ty + 5))
    v1 = np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1))
    v2 = np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2))
    return s / math.sqrt(var_s), var_s


def _normal_p(z: float, alternative: str) -> float:
    if alternative == "less":
        return float(stats.norm.cdf(z))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    return float(min(1.0, 2 * min(stats.norm.cdf(z), stats.norm.sf(z))))


def _seed_text(random_state) -> str:
    if random_state is None:
        return "unseeded"
    if isinstance(random_state, int | np.integer):
        return f"seed {int(random_state)}"
    return "seeded by the Generator passed"


def _permutation(x, y, method, alternative, n_resamples, random_state):
    """Permutation p-value over pairings; exact enumeration when n <= 9."""
    n = len(x)
    exact = n <= EXACT_PERMUTATION_MAX_N
    if method == "spearman":
        fixed, moving, func = stats.rankdata(x), stats.rankdata(y), _spearman_stat
    else:
        fixed, moving, func = x, y, _kendall_stat

    def stat(yy, axis=-1):
        return func(fixed, yy, axis=axis)

    # One sample permuted against fixed x: scipy then enumerates n! pairings (with both
    # samples passed it would enumerate n!^2, the same distribution n! times over).
    resamples = math.factorial(n) if exact else n_resamples
    res = stats.permutation_test(
        (moving,),
        stat,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=resamples,
        batch=50_000,
        alternative=alternative.replace("-", "_").replace("two_sided", "two-sided"),
        rng=random_state,
    )
    if exact:
        label = f"permutation (exact, {resamples} permutations)"
    else:
        label = f"permutation (Monte Carlo, {n_resamples} resamples, {_seed_text(random_state)})"
    return float(res.pvalue), label, exact


def _auto_p_method(n: int, ties: bool, method: str) -> str:
    if n >= AUTO_ASYMPTOTIC_MIN_N:
        return "asymptotic"
    if not ties and (method == "kendall" or n <= EXACT_PERMUTATION_MAX_N):
        return "exact"
    return "permutation"


def _pearson_result(xv, yv, x, y, n_missing, ties, p_method, ci_method, confidence, alternative):
    """Pearson's r exactly as R ``cor.test(method = "pearson")``: t test, Fisher-z CI."""
    from b12cohort.stats._pearson import pearson_test

    fn = "correlation"
    if p_method not in ("auto", "asymptotic") or ci_method != "fisher-z":
        raise ArgumentError(
            f"{fn}(): method='pearson' offers p_method='auto'/'asymptotic' (the t test of "
            f"cor.test) and ci_method='fisher-z'; got p_method={p_method!r}, "
            f"ci_method={ci_method!r}. For a permutation or exact test use method='spearman' "
            "or 'kendall'."
        )
    res = pearson_test(xv, yv, confidence=confidence, alternative=alternative)
    note = "" if len(xv) > 3 else "the Fisher-z interval needs n >= 4 (R omits it)"
    return CorrelationResult(
        outcome=x, exposure=y, estimate=res["estimate"], ci_low=res["ci_low"],
        ci_high=res["ci_high"], p_value=res["p_value"], statistic=res["statistic"],
        statistic_name="t", n=len(xv), n_missing=n_missing, ties=bool(ties),
        estimator="pearson", test=TESTS["pearson"], method="asymptotic",
        method_detail=(
            f"t test with {len(xv) - 2} df, as cor.test (exact only under bivariate normality)"
        ),
        ci_method="Fisher z, SE 1/sqrt(n - 3)", alternative=alternative,
        confidence=confidence, note=note,
    )  # fmt: skip


def correlation(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    method: str = "spearman",
    p_method: str = "auto",
    ci_method: str = "fisher-z",
    confidence: float = 0.95,
    alternative: str = "two-sided",
    n_resamples: int = 9999,
    random_state: Any = DEFAULT_SEED,
) -> CorrelationResult:
    """Spearman's rho, Kendall's tau-b or Pearson's r between two columns, with a recorded p-method.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject (for example :func:`b12cohort.load_cohort`). Not modified.
    x, y : str
        Column names: numeric, boolean (False < True) or ordered categorical (by code).
    method : {"spearman", "kendall", "pearson"}
        Spearman's rho (Pearson correlation of mid-ranks), Kendall's tau-b, or Pearson's
        r exactly as R ``cor.test(method = "pearson")`` (t test with ``n - 2`` df,
        Fisher-z interval with SE ``1 / sqrt(n - 3)``; ``p_method`` "auto"/"asymptotic"
        and ``ci_method="fisher-z"`` only; pinned in ``tests/reference/parity.R``).
    p_method : {"auto", "asymptotic", "exact", "permutation"}
        How the p-value is obtained (what actually ran is recorded in ``p_method``):

        ``"asymptotic"``
            Exactly R ``cor.test(x, y, method = ..., exact = FALSE)``: for Spearman the
            t approximation ``t = r / sqrt((1 - r^2) / (n - 2))`` on n - 2 df; for Kendall
            ``z = S / sqrt(var(S))`` with S = tau_b * sqrt((T0 - T1)(T0 - T2)) and the
            tie-corrected variance of Kendall (1945) (R's ``continuity = FALSE``).
        ``"exact"``
            The exact null distribution, available without ties only: Kendall for any n
            (scipy ``kendalltau(method="exact")``, identical to R ``cor.test(exact =
            TRUE)``); Spearman for n <= 9 by enumerating all n! pairings (identical to R
            ``cor.test(exact = TRUE)``, whose AS 89 enumerates for n <= 9; for n > 9 R
            switches to an Edgeworth series, which this function does not reproduce).
            Raises :class:`ArgumentError` when not available.
        ``"permutation"``
            A permutation test of the pairings (``scipy.stats.permutation_test``),
            conditional on the observed ties: all n! pairings when n <= 9, otherwise
            ``n_resamples`` Monte Carlo pairings with ``random_state``, p-value
            (b + 1) / (m + 1) (Phipson & Smyth 2010; an :class:`ApproximationWarning`
            says so).
        ``"auto"`` (default)
            n >= 50: asymptotic. n < 50 without ties: exact (Kendall: exact
            distribution; Spearman: exact when n <= 9, else a permutation test). n < 50
            with ties: a permutation test (exact when n <= 9, else Monte Carlo). With
            ties the asymptotic approximations' accuracy is unknown for n ~ 20, while the
            permutation test is valid at any n given the ties; with n >= 50 (R's own
            threshold for Kendall's exact test) the approximations are adequate. Whenever
            the rule ends on an approximation (asymptotic or Monte Carlo) an
            :class:`ApproximationWarning` is raised.
    ci_method : {"fisher-z", "bootstrap"}
        ``"fisher-z"``: ``tanh(atanh(r) -/+ z * se)`` with the Bonett & Wright (2000)
        se ``sqrt((1 + r^2 / 2) / (n - 3))`` for Spearman (n >= 4) and the Fieller,
        Hartley & Pearson (1957) se ``sqrt(0.437 / (n - 4))`` for Kendall (n >= 5).
        ``"bootstrap"``: BCa interval of ``scipy.stats.bootstrap(paired=True)`` with
        ``n_resamples`` and ``random_state`` (resamples re-ranked).
    confidence : float
        Confidence level of the interval.
    alternative : {"two-sided", "less", "greater"}
        "greater": positive association. One-sided alternatives give one-sided
        intervals, (lower, 1) or (-1, upper).
    n_resamples : int
        Monte Carlo permutations or bootstrap resamples.
    random_state : int, numpy.random.Generator or None
        Seed for Monte Carlo permutation and bootstrap (default
        :data:`~b12cohort.core.constants.DEFAULT_SEED`: deterministic).

    Returns
    -------
    CorrelationResult
        Frozen dataclass with fields

        ``outcome``, ``exposure``
            The column names (``x``, ``y``).
        ``estimate``
            rho or tau-b (NaN when a column is constant).
        ``ci_low``, ``ci_high``
            Confidence limits (NaN when n is too small for the SE, or a column is
            constant).
        ``p_value``
            p-value for H0: no association, by ``method``.
        ``statistic``, ``statistic_name``
            R's statistic: Spearman "S" = (n^3 - n)(1 - rho) / 6; Kendall "z" when
            asymptotic, "T" (number of concordant pairs) otherwise.
        ``n``, ``n_missing``
            Complete pairs used; rows dropped because x or y was missing.
        ``ties``
            Whether x or y has tied values (R's definition).
        ``estimator``
            "spearman" or "kendall" (the ``method`` argument).
        ``test``
            "Spearman's rank correlation rho" / "Kendall's rank correlation tau-b".
        ``method``
            How the p-value was computed: "asymptotic", "exact" or "permutation"
            ("not-tested" when a column is constant).
        ``method_detail``
            What ran, e.g. "asymptotic (t approximation, 17 df)", "exact (Kendall null
            distribution)", "permutation (exact, 5040 permutations)", "permutation
            (Monte Carlo, 9999 resamples, seed 20220801)"; prefixed "auto: " when chosen
            by the rule above.
        ``ci_method``
            "Fisher z, Bonett-Wright SE", "Fisher z, Fieller SE" or "bootstrap BCa (9999
            resamples, seed 0)".
        ``alternative``, ``confidence``
            As requested.
        ``note``
            Why a value is NaN, or other caveats ("" when none).

        ``.summary`` is a one-row DataFrame with these columns.

    Raises
    ------
    ArgumentError
        Unknown columns or options; fewer than 3 complete pairs.
    ExactTestInfeasibleError
        ``p_method="exact"`` where no exact distribution is available.

    Warns
    -----
    ApproximationWarning
        When a Monte Carlo or asymptotic p-value replaces an exact one automatically,
        or Monte Carlo permutation is requested.
    DataQualityWarning
        When x or y is constant (estimate, p and CI are NaN, as in R).

    Notes
    -----
    Censored values (a ``<column>_censored`` column from :func:`b12cohort.load_cohort`,
    such as ``<50``): ranked as tied at the bottom (or top) when every left limit is at or
    below the smallest exact value (every right limit at or above the largest), said in
    ``note``; otherwise their order is unknown and ArgumentError is raised.

    Missing values are dropped pairwise (complete cases), and counted. Tested against R
    4.2.2 ``cor.test`` (asymptotic: 1e-10 relative; exact Kendall/Spearman: 1e-10
    relative) and against full enumeration written in R for permutation p-values with
    ties; the Fisher-z intervals against the formulas evaluated in R. Bootstrap
    intervals depend on numpy's random stream, so they are not compared with R's
    ``boot``.

    References
    ----------
    Kendall MG (1945). The treatment of ties in ranking problems. Biometrika 33:239-251.
    Best DJ, Roberts DE (1975). Algorithm AS 89: the upper tail probabilities of
    Spearman's rho. Applied Statistics 24:377-379.
    Fieller EC, Hartley HO, Pearson ES (1957). Tests for rank correlation coefficients. I.
    Biometrika 44:470-481.
    Bonett DG, Wright TA (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. Psychometrika 65:23-28.
    Phipson B, Smyth GK (2010). Permutation p-values should never be zero. Statistical
    Applications in Genetics and Molecular Biology 9:39.
    Efron B (1987). Better bootstrap confidence intervals. JASA 82:171-185.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"hb": [62, 75, 81, 90, 98, 104, 70.5],
    ...                    "score": [4, 3, 3, 2, 2, 1, 3]})
    >>> res = correlation(df, x="hb", y="score")
    >>> round(res.estimate, 3), res.method, res.method_detail
    (-0.954, 'permutation', 'auto: permutation (exact, 5040 permutations)')
    >>> round(res.p_value, 4)
    0.0048
    """
    fn = "correlation"
    method = check_choice(method, METHODS, name="method", function=fn)
    p_method = check_choice(p_method, P_METHODS, name="p_method", function=fn)
    ci_method = check_choice(ci_method, CI_METHODS, name="ci_method", function=fn)
    confidence = check_confidence(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    n_resamples = check_positive_int(n_resamples, name="n_resamples", function=fn)
    xv, yv, n_missing = paired_values(data, x, y, function=fn)
    n = len(xv)
    if n < 3:
        raise ArgumentError(
            f"{fn}(): needs at least 3 complete ({x}, {y}) pairs; got {n} "
            f"({n_missing} rows dropped for missing values)."
        )
    ties = min(len(np.unique(xv)), len(np.unique(yv))) < n
    test = TESTS[method]
    notes: list[str] = [
        note
        for note in (rank_ready(data, c, function=fn)[1] for c in dict.fromkeys((x, y)))
        if note
    ]

    constant = [name for name, v in ((x, xv), (y, yv)) if np.ptp(v) == 0]
    if constant:
        msg = f"column(s) {', '.join(constant)} constant over the {n} complete pairs: no rank correlation is defined"
        warnings.warn(
            f"{fn}(): {msg}; estimate, p-value and CI are NaN.", DataQualityWarning, stacklevel=2
        )
        return CorrelationResult(
            x, y, math.nan, math.nan, math.nan, math.nan, math.nan,
            {"spearman": "S", "kendall": "T", "pearson": "t"}[method], n, n_missing, ties, method, test,
            "not-tested", "not computed", "not computed", alternative, confidence, msg,
        )  # fmt: skip

    if method == "pearson":
        return _pearson_result(
            xv, yv, x, y, n_missing, ties, p_method, ci_method, confidence, alternative
        )
    if method == "spearman":
        estimate = float(stats.spearmanr(xv, yv).statistic)
        statistic, statistic_name = (n**3 - n) * (1 - estimate) / 6, "S"
    else:
        estimate = float(stats.kendalltau(xv, yv).statistic)
        i, j = np.triu_indices(n, 1)
        concordant = np.sign(xv[i] - xv[j]) * np.sign(yv[i] - yv[j]) > 0
        statistic, statistic_name = float(concordant.sum()), "T"

    # ---- p-value
    chosen = _auto_p_method(n, ties, method) if p_method == "auto" else p_method
    prefix = "auto: " if p_method == "auto" else ""
    if chosen == "exact":
        if ties or (method == "spearman" and n > EXACT_PERMUTATION_MAX_N):
            why = "the data have ties" if ties else f"n = {n} > {EXACT_PERMUTATION_MAX_N}"
            raise ExactTestInfeasibleError(
                f"{fn}(): p_method='exact', but there is no exact null distribution for "
                f"{test} here ({why}); use p_method='auto', 'permutation' (conditional on "
                "ties) or 'asymptotic'."
            )
        if method == "kendall":
            p_value = float(
                stats.kendalltau(xv, yv, method="exact", alternative=alternative).pvalue
            )
            label = "exact (Kendall null distribution, no ties)"
        else:
            p_value, label, _ = _permutation(xv, yv, method, alternative, n_resamples, random_state)
            label = f"exact (all {math.factorial(n)} permutations, no ties)"
    elif chosen == "permutation":
        p_value, label, exact = _permutation(xv, yv, method, alternative, n_resamples, random_state)
        if not exact:
            why = f"n = {n} > {EXACT_PERMUTATION_MAX_N} is too large to enumerate all {n}! pairings"
            if p_method == "auto":
                why = f"{why}{' and the data have ties' if ties else ''}"
            warnings.warn(
                f"{fn}(): {why}; the p-value is a Monte Carlo permutation estimate "
                f"({n_resamples} resamples, {_seed_text(random_state)}).",
                ApproximationWarning,
                stacklevel=2,
            )
    else:
        if method == "spearman":
            p_value = float(stats.spearmanr(xv, yv, alternative=alternative).pvalue)
            label = f"asymptotic (t approximation, {n - 2} df)"
        else:
            z, _ = _kendall_asymptotic(xv, yv, estimate)
            statistic, statistic_name = z, "z"
            p_value = _normal_p(z, alternative)
            label = "asymptotic (normal approximation, tie-corrected variance)"
        if p_method == "auto":
            warnings.warn(
                f"{fn}(): n = {n} >= {AUTO_ASYMPTOTIC_MIN_N}: the p-value uses the "
                f"{label} instead of an exact or permutation distribution.",
                ApproximationWarning,
                stacklevel=2,
            )
    p_label = prefix + label

    # ---- confidence interval
    if ci_method == "fisher-z":
        se = fisher_z_se(estimate, n, method)
        ci_low, ci_high = fisher_z_interval(estimate, se, confidence, alternative)
        ci_label = "Fisher z, " + ("Bonett-Wright SE" if method == "spearman" else "Fieller SE")
        if not math.isfinite(se):
            notes.append(
                f"Fisher-z interval needs n >= {4 if method == 'spearman' else 5}; got n = {n}"
            )
        elif abs(estimate) == 1:
            notes.append("|estimate| = 1: the Fisher-z interval degenerates to a point")
    else:
        stat = _spearman_resampled if method == "spearman" else _kendall_stat
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = stats.bootstrap(
                    (xv, yv),
                    stat,
                    paired=True,
                    vectorized=True,
                    n_resamples=n_resamples,
                    confidence_level=confidence,
                    alternative=alternative,
                    method="BCa",
                    rng=random_state,
                )
        ci_low = float(np.clip(boot.confidence_interval.low, -1, 1))
        ci_high = float(np.clip(boot.confidence_interval.high, -1, 1))
        ci_label = f"bootstrap BCa ({n_resamples} resamples, {_seed_text(random_state)})"
        if caught or not (math.isfinite(ci_low) and math.isfinite(ci_high)):
            notes.append(
                "the BCa bootstrap was degenerate (constant resamples or too few distinct "
                "values)" + (f": {caught[0].message}" if caught else "")
            )
    if notes:
        warnings.warn(f"{fn}(): {'; '.join(notes)}.", DataQualityWarning, stacklevel=2)

    return CorrelationResult(
        outcome=x,
        exposure=y,
        estimate=estimate,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=p_value,
        statistic=float(statistic),
        statistic_name=statistic_name,
        n=n,
        n_missing=n_missing,
        ties=bool(ties),
        estimator=method,
        test=test,
        method=chosen,
        method_detail=p_label,
        ci_method=ci_label,
        alternative=alternative,
        confidence=confidence,
        note="; ".join(notes),
    )
