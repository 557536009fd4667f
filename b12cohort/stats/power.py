"""Power of the correlation test and an equivalence test for correlation.

:func:`detectable_correlation`, :func:`power_correlation`
    The smallest correlation ``n`` subjects detect with the requested power, and the
    power for a given correlation: for Pearson's r exactly as R ``pwr::pwr.r.test``,
    for Spearman's rho (``method="spearman"``) through the Fisher z of rho with the
    Bonett-Wright variance, checked against simulation.
:func:`sample_size_correlation`
    The subjects needed for a given correlation and power (``pwr.r.test(n = NULL)``).
:func:`correlation_equivalence`
    Two one-sided tests (TOST) of whether the data exclude ``|rho| >= bound``.

All pinned to R (``tests/reference/correlation.R``, ``tests/reference/sample_size.R``,
``tests/reference/spearman_power.R``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from b12cohort.core.arguments import (
    check_alternative,
    check_between,
    check_choice,
    check_confidence,
    check_positive_int,
)
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.core.results import Result
from b12cohort.stats._rports import r_zeroin
from b12cohort.stats.correlation import (
    METHODS,
    TESTS,
    fisher_z_interval,
    fisher_z_se,
    paired_values,
)

__all__ = [
    "CorrelationEquivalence",
    "CorrelationSampleSize",
    "DetectableCorrelation",
    "correlation_equivalence",
    "detectable_correlation",
    "power_correlation",
    "sample_size_correlation",
]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class DetectableCorrelation(Result):
    """Result of :func:`detectable_correlation` (see there)."""

    rho: float
    n: int
    confidence: float
    power: float
    alternative: str
    estimator: str
    test: str
    method: str
    method_detail: str


@dataclass(frozen=True)
class CorrelationEquivalence(Result):
    """Result of :func:`correlation_equivalence` (see there)."""

    outcome: str
    exposure: str
    estimate: float
    se_z: float
    ci_low: float
    ci_high: float
    bound: float
    p_lower: float
    p_upper: float
    p_value: float
    equivalent: bool
    confidence: float
    n: int
    n_missing: int
    estimator: str
    method: str
    method_detail: str
    test: str
    note: str


# --------------------------------------------------------------------------- power
def _check_n_for_power(n, *, function: str) -> int:
    return check_positive_int(n, name="n", function=function, minimum=4)


def _alpha(confidence, *, function: str, lower: float = 0.0) -> tuple[float, float]:
    """``(confidence, alpha = 1 - confidence)``, with confidence in (lower, 1)."""
    level = check_between(
        confidence, lower, 1.0, name="confidence", function=function, example="0.95"
    )
    return level, 1.0 - level


def _pwr_r_power(r: float, n: int, alpha: float, alternative: str) -> float:
    """The body of R ``pwr::pwr.r.test`` (pwr 1.3-0), term for term."""
    if alternative == "two-sided":
        r = abs(r)
        ttt = stats.t.isf(alpha / 2, n - 2)
    else:
        if alternative == "less":
            r = -r
        ttt = stats.t.isf(alpha, n - 2)
    rc = math.sqrt(ttt**2 / (ttt**2 + n - 2))
    zr = math.atanh(r) + r / (2 * (n - 1))
    zrc = math.atanh(rc)
    power = stats.norm.cdf((zr - zrc) * math.sqrt(n - 3))
    if alternative == "two-sided":
        power += stats.norm.cdf((-zr - zrc) * math.sqrt(n - 3))
    return float(power)


def _spearman_power(r: float, n: int, alpha: float, alternative: str) -> float:
    """Power of Spearman's test: Fisher z of rho with the Bonett-Wright variance.

    The test rejects when |r_s| exceeds the cut-off of the t approximation on n - 2 df
    (R ``cor.test(method = "spearman", exact = FALSE)``); under a true Spearman rho,
    ``atanh(r_s)`` is normal with mean ``atanh(rho)`` and variance
    ``(1 + rho**2 / 2) / (n - 3)`` (Bonett & Wright 2000). As tests/reference/spearman_power.R.
    """
    two = alternative == "two-sided"
    if alternative == "less":
        r = -r
    ttt = stats.t.isf(alpha / 2 if two else alpha, n - 2)
    zc = math.atanh(math.sqrt(ttt**2 / (ttt**2 + n - 2)))
    sd = math.sqrt((1 + r**2 / 2) / (n - 3))
    z = math.atanh(abs(r) if two else r)
    power = stats.norm.cdf((z - zc) / sd)
    if two:
        power += stats.norm.cdf((-z - zc) / sd)
    return float(power)


#: The power function of each correlation test (``method=``).
_POWER = {"pearson": _pwr_r_power, "spearman": _spearman_power}
_POWER_DETAIL = {
    "pearson": "pwr::pwr.r.test approximation (arctanh with bias correction)",
    "spearman": (
        "Fisher z of Spearman's rho with the Bonett-Wright variance (1 + rho^2/2)/(n - 3), "
        "cut-off of the t approximation on n - 2 df; checked against simulated "
        "cor.test(method = 'spearman')"
    ),
}
_POWER_TEST = {
    "pearson": "power of the test of zero correlation",
    "spearman": "power of Spearman's test of zero correlation",
}


def _check_power_method(method, *, function: str) -> str:
    return check_choice(method, tuple(_POWER), name="method", function=function)


def power_correlation(
    *,
    n: int,
    rho: float,
    confidence: float = 0.95,
    alternative: str = "two-sided",
    method: str = "pearson",
) -> float:
    """Power of the test of zero correlation with ``n`` subjects when the truth is ``rho``.

    For ``method="pearson"`` exactly R ``pwr::pwr.r.test(n = n, r = rho, sig.level =
    1 - confidence, alternative = ...)$power``; for ``method="spearman"`` the power of
    Spearman's test when the true Spearman correlation is ``rho`` (see
    :func:`detectable_correlation` for both formulas).

    Parameters
    ----------
    n : int
        Number of subjects (>= 4, as in pwr).
    rho : float
        True correlation, in (-1, 1). For ``alternative="less"`` a negative value is
        the detectable direction.
    confidence : float
        ``1 - confidence`` is the two-sided (or one-sided) significance level (default
        0.95: alpha 0.05).
    alternative : {"two-sided", "less", "greater"}
    method : {"pearson", "spearman"}
        The test whose power is computed (default Pearson's, as pwr).

    Returns
    -------
    float
        Power, in (0, 1).

    Raises
    ------
    ArgumentError
        n < 4, |rho| >= 1, confidence outside (0, 1), an unknown ``method``.

    Examples
    --------
    >>> round(power_correlation(n=19, rho=0.5), 4)
    0.6126
    >>> round(power_correlation(n=19, rho=0.5, method="spearman"), 4)
    0.5861
    """
    fn = "power_correlation"
    n = _check_n_for_power(n, function=fn)
    _, alpha = _alpha(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    method = _check_power_method(method, function=fn)
    rho = check_between(rho, -1.0, 1.0, name="rho", function=fn, example="0.3")
    return _POWER[method](rho, n, alpha, alternative)


#: pwr.r.test searches n in (4 + 1e-10, 1e9) with uniroot's default tolerance.
_N_RANGE = (4 + 1e-10, 1e9)


@dataclass(frozen=True)
class CorrelationSampleSize(Result):
    """Result of :func:`sample_size_correlation` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    rho: float
    power: float
    confidence: float
    alternative: str
    n_exact: float
    n: int
    power_achieved: float
    note: str


def sample_size_correlation(
    *, rho: float, power: float = 0.8, confidence: float = 0.95, alternative: str = "two-sided"
) -> CorrelationSampleSize:
    """Subjects needed to detect a true correlation ``rho`` with the given power.

    Parameters
    ----------
    rho : float
        The correlation to detect, in (-1, 1), not 0. For ``alternative="less"`` a
        negative value is the detectable direction.
    power : float
        Target power, in (0, 1).
    confidence : float
        One minus the significance level (``sig.level = 1 - confidence``).
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    CorrelationSampleSize
        ``n_exact`` (R's ``pwr.r.test(...)$n``: the root, not an integer, where uniroot
        stops), ``n`` (its ceiling, the subjects to recruit), ``power_achieved`` (power
        with ``n`` subjects), ``rho``, ``power``, ``confidence``, ``alternative``,
        ``test``, ``method`` (``"asymptotic"``: Fisher's z approximation), ``method_detail``
        and ``note``.

    Raises
    ------
    ArgumentError
        ``rho`` outside (-1, 1) or 0; ``power`` or ``confidence`` outside (0, 1).

    Notes
    -----
    Solves ``power(n) = power`` for the power function of R ``pwr::pwr.r.test`` (pwr
    1.3-0: the critical correlation from the t distribution with ``n - 2`` df and the
    bias-corrected Fisher z ``atanh(r) + r / (2(n - 1))``) with R's root finder (ported,
    same interval and tolerance), so that ``n_exact`` equals R's to rounding.

    References
    ----------
    Cohen J. Statistical Power Analysis for the Behavioral Sciences. 2nd ed. Erlbaum; 1988.

    Examples
    --------
    >>> res = sample_size_correlation(rho=0.5, power=0.8)
    >>> res.n, round(res.n_exact, 3)
    (29, 28.248)
    """
    fn = "sample_size_correlation"
    rho = check_between(rho, -1.0, 1.0, name="rho", function=fn, example="0.3")
    if rho == 0:
        check_between(rho, 0.0, 1.0, name="rho (non-zero)", function=fn, example="0.3")
    power = check_between(power, 0.0, 1.0, name="power", function=fn, example="0.8")
    confidence = check_confidence(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    alpha = 1 - confidence
    n_exact = r_zeroin(lambda n: _pwr_r_power(rho, n, alpha, alternative) - power, *_N_RANGE)
    n = max(4, math.ceil(n_exact - 1e-9))
    return CorrelationSampleSize(
        test="test of zero correlation (power by Fisher's z, pwr.r.test)",
        method="asymptotic",
        method_detail="pwr::pwr.r.test solved for n with R's uniroot",
        rho=rho,
        power=power,
        confidence=confidence,
        alternative=alternative,
        n_exact=float(n_exact),
        n=int(n),
        power_achieved=_pwr_r_power(rho, n, alpha, alternative),
        note="",
    )


def detectable_correlation(
    *,
    n: int,
    confidence: float = 0.95,
    power: float = 0.8,
    alternative: str = "two-sided",
    method: str = "pearson",
) -> DetectableCorrelation:
    """The smallest correlation a test of zero correlation detects with ``n`` subjects.

    Pearson's test (the default) as R ``pwr::pwr.r.test``; Spearman's test with
    ``method="spearman"``.

    Parameters
    ----------
    n : int
        Number of subjects (>= 4).
    confidence : float
        ``1 - confidence`` is the significance level (two-sided unless ``alternative``
        says otherwise); default 0.95 (alpha 0.05).
    power : float
        Required power, strictly between ``1 - confidence`` (roughly) and 1.
    alternative : {"two-sided", "less", "greater"}
    method : {"pearson", "spearman"}
        The test that will run: Pearson's (default, pwr's formula) or Spearman's (the
        detectable value is then a Spearman correlation).

    Returns
    -------
    DetectableCorrelation
        Frozen dataclass: ``rho`` (the detectable correlation; positive for "two-sided"
        (read as |rho|) and "greater", negative for "less", as pwr reports it), ``n``,
        ``confidence``, ``power``, ``alternative``, ``estimator`` ("pearson" or
        "spearman"), ``test`` ("power of the test of zero correlation", or "... of
        Spearman's test ..."), ``method`` ("asymptotic"), ``method_detail`` (the
        approximation used), and ``.summary``.

    Raises
    ------
    ArgumentError
        n < 4; confidence or power outside (0, 1); a power that no correlation in (0, 1)
        reaches; an unknown ``method``.

    Notes
    -----
    pwr's approximation (Cohen 1988, ch. 3): the test rejects when |r| exceeds the
    critical value ``r_c = sqrt(t^2 / (t^2 + n - 2))`` of the t test on n - 2 df, and
    ``atanh(r)`` is normal with mean ``atanh(rho) + rho / (2 (n - 1))`` (the bias
    correction) and variance ``1 / (n - 3)``; two-sided power is
    ``Phi((z_rho - z_c) sqrt(n - 3)) + Phi((-z_rho - z_c) sqrt(n - 3))``. The root is
    found with Brent's method to 1e-15 (pwr's ``uniroot`` default tolerance,
    ``.Machine$double.eps^0.25``, gives only about 4 digits; tested against pwr 1.3-0 at
    1e-4 and against the same formula solved by R ``uniroot(tol = 1e-14)`` at 1e-9).

    pwr's formula is for Pearson's r under bivariate normality. For Spearman's test
    (``method="spearman"``) the test rejects when ``|r_s|`` exceeds the same t-based
    cut-off ``r_c`` (that of R ``cor.test(method = "spearman", exact = FALSE)``), and
    ``atanh(r_s)`` is taken as normal with mean ``atanh(rho_s)`` and the Bonett-Wright
    variance ``(1 + rho_s**2 / 2) / (n - 3)``, so two-sided power is
    ``Phi((z - z_c) / s) + Phi((-z - z_c) / s)`` with ``s`` that SD; ``rho_s`` is the
    population Spearman correlation. Pinned to the same formula evaluated and solved in
    R (1e-10), and checked against simulation (tests/reference/spearman_power.R: 20,000
    bivariate normal samples per case, R ``cor.test(method = "spearman")``): at the 80%
    design point for n = 10, 19 and 40 the simulated power is within 3 Monte Carlo SE
    of 0.80 (0.792, 0.800, 0.804). Far from the design point the approximation is
    coarser (n = 19, rho_s = 0.3: 0.239 by formula, 0.226 simulated). With n = 19 the
    detectable Spearman rho is 0.62, against Pearson's 0.60.

    References
    ----------
    Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed.
    Hillsdale, NJ: Lawrence Erlbaum.
    Champely S (2020). pwr: Basic functions for power analysis. R package version 1.3-0.
    Bonett DG, Wright TA (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. Psychometrika 65:23-28.

    Examples
    --------
    >>> round(detectable_correlation(n=19).rho, 4)
    0.5951
    >>> round(detectable_correlation(n=19, method="spearman").rho, 4)
    0.6177
    """
    fn = "detectable_correlation"
    n = _check_n_for_power(n, function=fn)
    level, alpha = _alpha(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    method = _check_power_method(method, function=fn)
    target = check_between(power, 0.0, 1.0, name="power", function=fn, example="0.8")
    side = "two-sided" if alternative == "two-sided" else "greater"
    power_of = _POWER[method]
    lo, hi = 1e-10, 1 - 1e-10
    f_lo = power_of(lo, n, alpha, side) - target
    f_hi = power_of(hi, n, alpha, side) - target
    if f_lo > 0 or f_hi < 0:
        raise ArgumentError(
            f"{fn}(): no correlation in (0, 1) gives power {target:g} with n = {n} and "
            f"confidence = {level:g} (power ranges from {f_lo + target:.3g} to {f_hi + target:.3g})."
        )
    root = optimize.brentq(
        lambda r: power_of(r, n, alpha, side) - target, lo, hi, xtol=1e-15, rtol=1e-15
    )
    return DetectableCorrelation(
        rho=float(-root if alternative == "less" else root),
        n=n,
        confidence=level,
        power=target,
        alternative=alternative,
        estimator=method,
        test=_POWER_TEST[method],
        method="asymptotic",
        method_detail=_POWER_DETAIL[method],
    )


# --------------------------------------------------------------------------- equivalence
def correlation_equivalence(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    bound: float,
    method: str = "spearman",
    confidence: float = 0.95,
) -> CorrelationEquivalence:
    """Equivalence (TOST) test: do the data exclude a correlation of ``|rho| >= bound``?

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified. Missing pairs are dropped and counted.
    x, y : str
        Column names (as in :func:`correlation`).
    bound : float
        Equivalence bound, in (0, 1): correlations with ``|rho| < bound`` are treated as
        negligible. Choose it before seeing the data (0.3 = "moderate", 0.5 = "large" in
        Cohen's terms).
    method : {"spearman", "kendall"}
    confidence : float
        ``1 - confidence`` is the level alpha of each one-sided test; in (0.5, 1),
        default 0.95 (alpha 0.05, so the interval is the 90% one).

    Returns
    -------
    CorrelationEquivalence
        Frozen dataclass with ``outcome``, ``exposure`` (``x``, ``y``), ``estimate`` (rho
        or tau-b), ``se_z`` (SE of atanh(estimate)), ``ci_low``, ``ci_high`` (the
        1 - 2 alpha Fisher-z interval), ``bound``, ``p_lower`` (H0: rho <= -bound),
        ``p_upper`` (H0: rho >= bound), ``p_value`` (the larger), ``equivalent``
        (``p_value < alpha``: the data exclude |rho| >= bound), ``confidence``, ``n``,
        ``n_missing``, ``estimator`` ("spearman"/"kendall"), ``method``
        ("asymptotic"), ``method_detail`` (the SE used), ``test`` and ``note``;
        ``.summary`` is a one-row DataFrame.

    Raises
    ------
    ArgumentError
        Unknown columns; bound outside (0, 1); confidence outside (0.5, 1); fewer than
        4 (Spearman) or 5 (Kendall) complete pairs.

    Notes
    -----
    With ``z = atanh(r)``, ``z_b = atanh(bound)`` and the Fisher-z SE of
    :func:`correlation` (Bonett-Wright for Spearman, Fieller for Kendall):
    ``p_lower = 1 - Phi((z + z_b) / se)`` and ``p_upper = Phi((z - z_b) / se)``.
    Equivalence at level alpha holds exactly when the 1 - 2 alpha interval lies inside
    (-bound, bound). Tested against the same formulas evaluated in R (1e-12).
    A non-significant correlation test is *not* evidence of no correlation; this test
    is, provided the bound is meaningful and n is large enough (with n = 19 even
    ``bound = 0.5`` is hard to establish).

    References
    ----------
    Schuirmann DJ (1987). A comparison of the two one-sided tests procedure and the
    power approach for assessing the equivalence of average bioavailability. Journal of
    Pharmacokinetics and Biopharmaceutics 15:657-680.
    Goertzen JR, Cribbie RA (2010). Detecting a lack of association: an equivalence
    testing approach. British Journal of Mathematical and Statistical Psychology
    63:527-537.
    Lakens D (2017). Equivalence tests: a practical primer for t tests, correlations,
    and meta-analyses. Social Psychological and Personality Science 8:355-362.
    Bonett DG, Wright TA (2000). Psychometrika 65:23-28.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": range(30), "b": [(7 * i) % 30 for i in range(30)]})
    >>> res = correlation_equivalence(df, x="a", y="b", bound=0.5)
    >>> round(res.estimate, 3), round(res.p_value, 4), res.equivalent
    (0.119, 0.013, True)
    """
    fn = "correlation_equivalence"
    method = check_choice(method, METHODS, name="method", function=fn)
    level, alpha = _alpha(confidence, function=fn, lower=0.5)
    bound_value = check_between(bound, 0.0, 1.0, name="bound", function=fn, example="0.5")
    xv, yv, n_missing = paired_values(data, x, y, function=fn)
    n = len(xv)
    minimum = 4 if method == "spearman" else 5
    if n < minimum:
        raise ArgumentError(
            f"{fn}(): the Fisher-z SE for {method} needs at least {minimum} complete "
            f"pairs; got {n}."
        )
    test = f"TOST equivalence test for {TESTS[method]} (Fisher z)"
    label = "Fisher z, " + ("Bonett-Wright SE" if method == "spearman" else "Fieller SE")
    if np.ptp(xv) == 0 or np.ptp(yv) == 0:
        msg = "a column is constant: no rank correlation is defined"
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
        nan = math.nan
        return CorrelationEquivalence(
            x, y, nan, nan, nan, nan, bound_value, nan, nan, nan, False, level, n,
            n_missing, method, "not-tested", label, test, msg,
        )  # fmt: skip
    if method == "spearman":
        r = float(stats.spearmanr(xv, yv).statistic)
    else:
        r = float(stats.kendalltau(xv, yv).statistic)
    se = fisher_z_se(r, n, method)
    z = math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r)
    zb = math.atanh(bound_value)
    p_lower = float(stats.norm.sf((z + zb) / se))
    p_upper = float(stats.norm.cdf((z - zb) / se))
    p_value = max(p_lower, p_upper)
    ci_low, ci_high = fisher_z_interval(r, se, 1 - 2 * alpha, "two-sided")
    return CorrelationEquivalence(
        outcome=x,
        exposure=y,
        estimate=r,
        se_z=se,
        ci_low=ci_low,
        ci_high=ci_high,
        bound=bound_value,
        p_lower=p_lower,
        p_upper=p_upper,
        p_value=p_value,
        equivalent=bool(p_value < alpha),
        confidence=level,
        n=n,
        n_missing=n_missing,
        estimator=method,
        method="asymptotic",
        method_detail=label,
        test=test,
        note="",
    )
