"""Meta-analysis of proportions: the random-effects pooled prevalence across studies.

:func:`pool_prevalence`
    Random-effects meta-analysis of proportions (DerSimonian-Laird or REML, logit or
    Freeman-Tukey double-arcsine), numerically the same as R ``metafor::rma``.
:func:`clopper_pearson`
    The exact per-study intervals the forest plot draws.

The comparison of a cohort with the published series is
:func:`b12cohort.paper.literature.compare_with_literature`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from b12cohort.core.arguments import check_choice, check_confidence, require_columns
from b12cohort.core.errors import ApproximationWarning, ArgumentError
from b12cohort.core.results import Result
from b12cohort.stats.proportions import binomial_ci

__all__ = [
    "METHODS",
    "POOLING_TEST",
    "TRANSFORMS",
    "PooledPrevalence",
    "clopper_pearson",
    "pool_prevalence",
]

METHODS = ("REML", "DL")
TRANSFORMS = ("logit", "ft")
POOLING_TEST = "random-effects meta-analysis of proportions"
# metafor::rma control defaults (threshold, maxiter, tol = .Machine$double.eps^0.25)
_THRESHOLD = 1e-5
_MAXITER = 100
_LL_TOL = np.finfo(float).eps ** 0.25


# --------------------------------------------------------------------------- pooling
def clopper_pearson(*, events, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) confidence limits of binomial proportions.

    The same limits as :func:`b12cohort.stats.proportions.binomial_ci` (R ``binom.test``),
    which computes them; kept here for the literature and forest-plot code.

    Examples
    --------
    >>> lo, hi = clopper_pearson(events=[6], n=[19])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.1258, 0.5655)
    """
    level = check_confidence(confidence, function="clopper_pearson")
    x = np.atleast_1d(np.asarray(events, dtype=int))
    total = np.atleast_1d(np.asarray(n, dtype=int))
    return binomial_ci(events=x, n=total, ci_method="clopper-pearson", confidence=level)


@dataclass(frozen=True, eq=False)
class PooledPrevalence(Result):
    """Result of :func:`pool_prevalence` (all proportions on the 0-1 scale, unrounded).

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        Pooled prevalence and its confidence interval, back-transformed.
    pi_low, pi_high : float
        Prediction interval for the prevalence in a new comparable series (normal
        quantile, as ``metafor::predict.rma`` with the default ``test="z"``).
    mu, se : float
        Pooled estimate and its standard error on the transformed (logit or double
        arcsine) scale.
    tau2 : float
        Between-study variance on the transformed scale (truncated at 0).
    i2 : float
        I² as a fraction (0-1): tau2 / (tau2 + typical within-study variance).
    q, q_df, q_p_value : float, int, float
        Cochran's Q (inverse-variance fixed-effect weights), its degrees of freedom
        (k - 1) and chi-squared p-value (1.0 when k = 1).
    k : int
        Number of studies.
    estimator, transform : str
        ``"REML"`` or ``"DL"`` (the ``method`` argument: the tau² estimator);
        ``"logit"`` or ``"ft"``.
    confidence : float
        Level of the confidence and prediction intervals.
    n_corrected : int
        Studies that received the 0.5 continuity correction (logit only).
    tau2_algorithm : str
        ``"fisher-scoring"`` (REML, as metafor), ``"bounded-brent"`` (REML fallback),
        ``"moments"`` (DL) or ``"fixed-k1"`` (k = 1: tau2 set to 0).
    test : str
        ``"random-effects meta-analysis of proportions"``.
    method : str
        ``"random-effects"``.
    studies : pandas.DataFrame
        One row per study: ``study``, ``events``, ``total``, ``proportion``,
        ``ci_low``, ``ci_high`` (exact Clopper-Pearson), ``yi``, ``vi`` (transformed
        outcome and its sampling variance), ``corrected`` (0.5 added), ``weight``
        (random-effects weight, fractions summing to 1).
    """

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    mu: float
    se: float
    tau2: float
    i2: float
    q: float
    q_df: int
    q_p_value: float
    k: int
    estimator: str
    transform: str
    confidence: float
    n_corrected: int
    tau2_algorithm: str
    studies: pd.DataFrame
    test: str = POOLING_TEST
    method: str = "random-effects"

    summary_fields = (
        "k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "q_df",
        "q_p_value", "estimator", "method", "transform", "confidence", "n_corrected", "test",
    )  # fmt: skip


def _escalc(x: np.ndarray, n: np.ndarray, transform: str):
    """Transformed proportions and sampling variances, as ``metafor::escalc``."""
    if transform == "logit":  # measure="PLO", add=1/2, to="only0": both cells of a 0 / all study
        corrected = (x == 0) | (x == n)
        events = x + 0.5 * corrected
        non_events = n - x + 0.5 * corrected
        return np.log(events / non_events), 1 / events + 1 / non_events, corrected
    # measure="PFT" (Freeman-Tukey double arcsine); metafor adds nothing here
    yi = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
    return yi, 1 / (4 * n + 2), np.zeros(len(x), dtype=bool)


def _pft(p: float, n: float) -> float:
    """``metafor::transf.pft``: double arcsine of a proportion for sample size n."""
    x = p * n
    return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))


def _ipft(t: float, n: float) -> float:
    """``metafor::transf.ipft``: Miller's (1978) inverse of the double arcsine."""
    if t > _pft(1.0, n):
        return 1.0
    if t < _pft(0.0, n):
        return 0.0
    s = np.sin(2 * t)
    inner = 1 - (s + (s - 1 / s) / n) ** 2
    return (
        float(0.5 * (1 - np.sign(np.cos(2 * t)) * np.sqrt(inner))) if inner >= 0 else float("nan")
    )


def _reml_loglik(tau2: float, yi: np.ndarray, vi: np.ndarray) -> float:
    """Restricted log-likelihood of the intercept-only random-effects model."""
    w = 1 / (vi + tau2)
    mu = np.sum(w * yi) / np.sum(w)
    return float(
        -0.5
        * (
            (len(yi) - 1) * np.log(2 * np.pi)
            + np.sum(np.log(vi + tau2))
            + np.log(np.sum(w))
            + np.sum(w * (yi - mu) ** 2)
        )
    )


def _tau2_reml(yi: np.ndarray, vi: np.ndarray) -> tuple[float, str]:
    # statsmodels' combine_effects has no REML (only DL and Paule-Mandel), so this follows
    # metafor::rma.uni step by step: Hedges (HE) start truncated at 0, Fisher scoring with
    # step halving at the boundary, stop when the change is <= 1e-5, then the check that
    # tau2 = 0 does not have a higher restricted likelihood.
    k = len(yi)
    ymc = yi - yi.mean()
    tau2 = max(0.0, (np.sum(ymc**2) - np.sum(vi) * (k - 1) / k) / (k - 1))
    for _ in range(_MAXITER):
        w = 1 / (vi + tau2)
        p = np.diag(w) - np.outer(w, w) / np.sum(w)
        pp = p @ p
        adj = (ymc @ pp @ ymc - np.trace(p)) / np.trace(pp)
        while tau2 + adj < 0:
            adj /= 2
        tau2, old = tau2 + adj, tau2
        if abs(tau2 - old) <= _THRESHOLD:
            break
    else:  # metafor stops with an error here; a bounded 1-D search is the safer fallback
        upper = max(100.0, 10 * float(np.var(yi, ddof=1)))
        fit = optimize.minimize_scalar(
            lambda t: -_reml_loglik(t, yi, vi),
            bounds=(0.0, upper),
            method="bounded",
            options={"xatol": 1e-10},
        )
        warnings.warn(
            "pool_prevalence(): REML Fisher scoring did not converge in 100 iterations; tau2 "
            "was found by a bounded 1-D search of the restricted likelihood instead.",
            ApproximationWarning,
            stacklevel=3,
        )
        return float(fit.x), "bounded-brent"
    if tau2 > _THRESHOLD and _reml_loglik(0.0, yi, vi) - _reml_loglik(tau2, yi, vi) > _LL_TOL:
        tau2 = 0.0  # metafor's ll0check: Fisher scoring stuck at a local maximum
    return max(0.0, float(tau2)), "fisher-scoring"


def _tau2_dl(yi: np.ndarray, vi: np.ndarray, q: float) -> float:
    # statsmodels' combine_effects(method_re="dl") gives the same moment estimate but
    # does not truncate it at 0 (a negative tau2 then enters the weights) and fails for
    # k = 1, so the three-line formula is written out here.
    w = 1 / vi
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, float((q - (len(yi) - 1)) / c))


def pool_prevalence(
    data,
    *,
    totals=None,
    method: str = "REML",
    transform: str = "logit",
    confidence: float = 0.95,
    studies=None,
) -> PooledPrevalence:
    """Random-effects pooled prevalence across studies (R ``metafor::rma``).

    Parameters
    ----------
    data : pandas.DataFrame, or array-like of int
        Infants with the sign in each study (the events). A DataFrame with columns ``events`` and
        ``total`` (and optionally ``study``), such as :func:`load_literature` filtered to
        one sign, may be passed instead, with ``totals`` left out.
    totals : array-like of int
        Infants assessed in each study (>= 1, >= events).
    method : {"REML", "DL"}, default "REML"
        Estimator of the between-study variance tau²: restricted maximum likelihood
        (metafor's default) or DerSimonian-Laird.
    transform : {"logit", "ft"}, default "logit"
        Scale on which studies are pooled: log-odds (``escalc(measure="PLO")``) or the
        Freeman-Tukey double arcsine (``measure="PFT"``).
    confidence : float, default 0.95
        Level of the confidence and prediction intervals.
    studies : array-like of str, optional
        Study labels for the per-study table (default "study 1", "study 2", ...).

    Returns
    -------
    PooledPrevalence
        Frozen result; see its attributes. ``.summary`` is a one-row DataFrame.

    Raises
    ------
    ArgumentError
        No studies, lengths differ, negative or non-integer counts, events > totals,
        unknown ``method`` / ``transform``, bad ``confidence``.

    Warns
    -----
    ApproximationWarning
        When 0.5 is added to the events and non-events of studies with 0 or all events
        (logit transform; the count is in ``n_corrected``), or when REML falls back to a
        bounded search.

    Notes
    -----
    Logit: :math:`y_i = \\log(x_i / (n_i - x_i))`, :math:`v_i = 1/x_i + 1/(n_i - x_i)`,
    with 0.5 added to both cells of studies with :math:`x_i \\in \\{0, n_i\\}`
    (``escalc`` defaults ``add=1/2, to="only0"``); back-transformed with the inverse
    logit. Freeman-Tukey: :math:`y_i = \\tfrac12[\\arcsin\\sqrt{x_i/(n_i+1)} +
    \\arcsin\\sqrt{(x_i+1)/(n_i+1)}]`, :math:`v_i = 1/(4n_i+2)`; back-transformed with
    Miller's inverse at the harmonic mean of the :math:`n_i` (``transf.ipft.hm``), which
    can misbehave when the totals differ a lot (Schwarzer et al. 2019).

    With weights :math:`w_i = 1/(v_i + \\hat\\tau^2)`, :math:`\\hat\\mu = \\sum w_i y_i /
    \\sum w_i`, :math:`SE = (\\sum w_i)^{-1/2}`; CI :math:`\\hat\\mu \\pm z\\,SE`, PI
    :math:`\\hat\\mu \\pm z\\sqrt{SE^2 + \\hat\\tau^2}` (metafor's default ``test="z"``;
    no Hartung-Knapp adjustment). Q uses the fixed-effect weights :math:`1/v_i`;
    :math:`I^2 = \\hat\\tau^2 / (\\hat\\tau^2 + s^2)` with
    :math:`s^2 = (k-1)\\sum w^0_i / ((\\sum w^0_i)^2 - \\sum (w^0_i)^2)`. With k = 1,
    tau² = 0, Q = 0 and the PI equals the CI, as in metafor.

    Checked against R ``metafor`` 3.8-1 (``rma(yi, vi, method=...)`` and
    ``predict(res, transf=transf.ilogit)`` / ``transf.ipft.hm``): estimate, CI, PI, tau²,
    I² and Q within 1e-6 (DL) and 1e-4 (REML); see ``tests/reference/literature.R``.
    With few studies (k < 5) tau² is poorly estimated and the normal-quantile intervals
    are too narrow; read the prediction interval, not only the CI.

    References
    ----------
    DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials.
    1986;7(3):177-188.
    Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. J Educ Behav Stat. 2005;30(3):261-293.
    Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw.
    2010;36(3):1-48.
    Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med.
    2002;21(11):1539-1558.
    Riley RD, Higgins JPT, Deeks JJ. Interpretation of random effects meta-analyses.
    BMJ. 2011;342:d549.
    Freeman MF, Tukey JW. Transformations related to the angular and the square root.
    Ann Math Stat. 1950;21(4):607-611.
    Miller JJ. The inverse of the Freeman-Tukey double arcsine transformation. Am Stat.
    1978;32(4):138.
    Schwarzer G, Chemaitelly H, Abu-Raddad LJ, Rücker G. Seriously misleading results
    using inverse of Freeman-Tukey double arcsine transformation in meta-analysis of
    single proportions. Res Synth Methods. 2019;10(3):476-483.

    Examples
    --------
    >>> from b12cohort import pool_prevalence
    >>> res = pool_prevalence([7, 18], totals=[21, 27], method="DL")
    >>> res.k, res.estimator, res.transform
    (2, 'DL', 'logit')
    >>> round(res.estimate, 3), round(res.tau2, 3)  # R metafor: 0.504, 0.770
    (0.504, 0.77)
    """
    function = "pool_prevalence"
    method = check_choice(method, METHODS, name="method", function=function)
    transform = check_choice(transform, TRANSFORMS, name="transform", function=function)
    level = check_confidence(confidence, function=function)
    x, n, labels = _counts(data, totals, studies, function=function)
    k = len(x)

    yi, vi, corrected = _escalc(x.astype(float), n.astype(float), transform)
    if corrected.any():
        warnings.warn(
            f"{function}(): added 0.5 to the events and non-events of {int(corrected.sum())} "
            "study(ies) with 0 or all events before the logit (metafor escalc default "
            "add=1/2, to='only0'); use transform='ft' to avoid the correction.",
            ApproximationWarning,
            stacklevel=2,
        )
    w0 = 1 / vi
    mu0 = np.sum(w0 * yi) / np.sum(w0)
    q = float(np.sum(w0 * (yi - mu0) ** 2)) if k > 1 else 0.0
    if k == 1:
        tau2, algorithm = 0.0, "fixed-k1"
    elif method == "DL":
        tau2, algorithm = _tau2_dl(yi, vi, q), "moments"
    else:
        tau2, algorithm = _tau2_reml(yi, vi)
    w = 1 / (vi + tau2)
    mu = float(np.sum(w * yi) / np.sum(w))
    se = float(np.sqrt(1 / np.sum(w)))
    z = float(stats.norm.ppf(0.5 + level / 2))
    pred_se = float(np.sqrt(se**2 + tau2))
    if k > 1:
        s2 = (k - 1) * np.sum(w0) / (np.sum(w0) ** 2 - np.sum(w0**2))
        i2 = float(tau2 / (tau2 + s2))
        q_p = float(stats.chi2.sf(q, k - 1))
    else:
        i2, q_p = 0.0, 1.0

    if transform == "logit":

        def back(t: float) -> float:
            return float(stats.logistic.cdf(t))
    else:
        n_hm = float(1 / np.mean(1 / n))

        def back(t: float) -> float:
            return _ipft(t, n_hm)

    ci_lo, ci_hi = clopper_pearson(events=x, n=n, confidence=level)
    table = pd.DataFrame(
        {
            "study": pd.array(labels, dtype="string"),
            "events": x,
            "total": n,
            "proportion": x / n,
            "ci_low": ci_lo,
            "ci_high": ci_hi,
            "yi": yi,
            "vi": vi,
            "corrected": corrected,
            "weight": w / np.sum(w),
        }
    )
    return PooledPrevalence(
        estimate=back(mu),
        ci_low=back(mu - z * se),
        ci_high=back(mu + z * se),
        pi_low=back(mu - z * pred_se),
        pi_high=back(mu + z * pred_se),
        mu=mu,
        se=se,
        tau2=float(tau2),
        i2=i2,
        q=q,
        q_df=k - 1,
        q_p_value=q_p,
        k=k,
        estimator=method,
        transform=transform,
        confidence=level,
        n_corrected=int(corrected.sum()),
        tau2_algorithm=algorithm,
        studies=table,
    )


def _counts(events, totals, studies, *, function: str):
    """Validate events/totals (arrays or a DataFrame) and return int arrays and labels."""
    if isinstance(events, pd.DataFrame):
        if totals is not None:
            raise ArgumentError(
                f"{function}(): pass either a DataFrame or events and totals, not both."
            )
        frame = events
        require_columns(frame, ["events", "total"], function=function)
        if studies is None and "study" in frame.columns:
            studies = frame["study"].astype(str).tolist()
        events, totals = frame["events"], frame["total"]
    elif totals is None:
        raise ArgumentError(f"{function}(): `totals` is required when `events` is not a DataFrame.")
    try:
        x_raw = np.asarray(
            pd.array(np.atleast_1d(np.asarray(events, dtype=object)), dtype="Float64"), dtype=float
        )
        n_raw = np.asarray(
            pd.array(np.atleast_1d(np.asarray(totals, dtype=object)), dtype="Float64"), dtype=float
        )
    except (TypeError, ValueError) as error:
        raise ArgumentError(
            f"{function}(): `events` and `totals` must be whole numbers ({error})."
        ) from None
    if x_raw.size == 0:
        raise ArgumentError(
            f"{function}(): no studies to pool (k = 0); pass at least one events/totals pair."
        )
    if x_raw.shape != n_raw.shape:
        raise ArgumentError(
            f"{function}(): `events` has {x_raw.size} values but `totals` has {n_raw.size}."
        )
    bad = (
        np.isnan(x_raw)
        | np.isnan(n_raw)
        | (x_raw % 1 != 0)
        | (n_raw % 1 != 0)
        | (x_raw < 0)
        | (n_raw < 1)
        | (x_raw > n_raw)
    )
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ArgumentError(
            f"{function}(): study {i + 1} has events={x_raw[i]!r}, totals={n_raw[i]!r}; counts must be "
            "whole numbers with 0 <= events <= totals and totals >= 1 (drop missing rows first)."
        )
    labels = (
        [f"study {i + 1}" for i in range(x_raw.size)]
        if studies is None
        else [str(s) for s in studies]
    )
    if len(labels) != x_raw.size:
        raise ArgumentError(
            f"{function}(): `studies` has {len(labels)} labels for {x_raw.size} studies."
        )
    return x_raw.astype(int), n_raw.astype(int), labels
