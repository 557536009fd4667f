"""Meta-analysis: the random-effects pooled prevalence and pooled correlation across studies.

:func:`pool_prevalence`
    Random-effects meta-analysis of proportions (DerSimonian-Laird or REML, logit or
    Freeman-Tukey double-arcsine, numerically the same as R ``metafor::rma``, with the
    Hartung-Knapp interval and the Q-profile interval of tau²), or the binomial-normal
    GLMM (``metafor::rma.glmm``). The engines are in :mod:`b12cohort.stats._meta_pool`
    and :mod:`b12cohort.stats._meta_models`.
:func:`pool_correlation`
    Random-effects (REML) pooling of correlations on Fisher's z scale, as
    ``metafor::rma(yi = atanh(r), vi = 1 / (n - 3), method = "REML")``: the sites of a
    multi-centre analysis (:func:`b12cohort.multisite.pool.pool_sites`) or published
    studies.
:func:`clopper_pearson`
    The exact per-study intervals the forest plot draws.

The comparison of a cohort with the published series is
:func:`b12cohort.paper.literature.compare_with_literature`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import check_choice, check_confidence, require_columns
from b12cohort.core.errors import ApproximationWarning, ArgumentError
from b12cohort.core.results import Result
from b12cohort.stats._meta_pool import CI_METHODS, METHODS, TRANSFORMS, _tau2_reml, fit_pool
from b12cohort.stats.proportions import binomial_ci

__all__ = [
    "CI_METHODS",
    "METHODS",
    "POOLING_TEST",
    "TRANSFORMS",
    "PooledCorrelation",
    "PooledPrevalence",
    "clopper_pearson",
    "pool_correlation",
    "pool_prevalence",
]

POOLING_TEST = "random-effects meta-analysis of proportions"
#: ``test`` of a "synthesis" of one study: nothing is pooled.
SINGLE_STUDY_TEST = "one study: its proportion with the exact (Clopper-Pearson) interval"


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
    pooled : bool
        False when there is one study: nothing is pooled, ``estimate``/``ci_low``/
        ``ci_high`` are that study's proportion and exact interval, and every
        heterogeneity field and the prediction interval are NaN.
    estimate, ci_low, ci_high : float
        Pooled prevalence and its confidence interval, back-transformed (k = 1: the
        study's own proportion and Clopper-Pearson interval).
    pi_low, pi_high : float
        Prediction interval for the prevalence in a new comparable series (normal
        quantile as ``metafor::predict.rma`` with ``test="z"``; t with k - 1 df with
        ``ci_method="hksj"``). NaN when k < 3: two studies cannot say how far a new
        series may fall.
    mu, se : float
        Pooled estimate and its standard error on the transformed (logit or double
        arcsine) scale (Hartung-Knapp adjusted with ``ci_method="hksj"``; NaN when k = 1).
    df : int or None
        Degrees of freedom of the t quantile (``ci_method="hksj"``), else None.
    tau2 : float
        Between-study variance on the transformed scale (truncated at 0; NaN when k = 1).
        With k = 2 it is estimated but too imprecise to read.
    tau2_ci_low, tau2_ci_high : float
        Q-profile confidence interval of tau² (Viechtbauer 2007; ``confint(rma(...))``);
        NaN for k = 1 and for the GLMM.
    i2, i2_ci_low, i2_ci_high : float
        I² as a fraction (0-1): tau2 / (tau2 + typical within-study variance), with the
        interval implied by the Q-profile limits; NaN for k = 1 and for the GLMM.
    q, q_df, q_p_value : float, int, float
        Cochran's Q (inverse-variance fixed-effect weights), its degrees of freedom
        (k - 1) and chi-squared p-value; NaN for k = 1 and for the GLMM.
    k : int
        Number of studies.
    estimator, ci_method, transform : str
        What ran: ``"REML"``, ``"DL"`` or ``"GLMM"`` (the ``method`` argument: the
        model); ``"wald"`` or ``"hksj"``; ``"logit"`` or ``"ft"``.
    confidence : float
        Level of the confidence and prediction intervals.
    n_corrected : int
        Studies that received the 0.5 continuity correction (logit REML/DL only).
    tau2_algorithm : str
        ``"fisher-scoring"`` (REML, as metafor), ``"bounded-brent"`` (REML fallback),
        ``"moments"`` (DL), ``"ml-agq7"`` (GLMM) or ``"none"`` (k = 1).
    note : str
        What the numbers can and cannot say (one study, two studies, GLMM, a Q-profile
        limit beyond its search range).
    test : str
        ``"random-effects meta-analysis of proportions"``; with one study
        ``"one study: its proportion with the exact (Clopper-Pearson) interval"``.
    method : str
        ``"random-effects"``; ``"exact"`` with one study (nothing is pooled: the
        interval is the study's exact binomial interval).
    ci_method : str
        ``"wald"`` or ``"hksj"`` (the ``ci_method`` argument); ``"clopper-pearson"``
        with one study.
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
    pooled: bool = True
    ci_method: str = "wald"
    df: int | None = None
    tau2_ci_low: float = float("nan")
    tau2_ci_high: float = float("nan")
    i2_ci_low: float = float("nan")
    i2_ci_high: float = float("nan")
    note: str = ""

    summary_fields = (
        "k", "pooled", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2",
        "tau2_ci_low", "tau2_ci_high", "i2", "q", "q_df", "q_p_value", "estimator", "method",
        "ci_method", "transform", "confidence", "n_corrected", "test", "note",
    )  # fmt: skip


def pool_prevalence(
    data,
    *,
    totals=None,
    method: str = "REML",
    ci_method: str = "wald",
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
    method : {"REML", "DL", "GLMM"}, default "REML"
        The model: the normal-normal random-effects model with tau² by restricted
        maximum likelihood (metafor's default) or DerSimonian-Laird, or the
        binomial-normal GLMM by maximum likelihood (``rma.glmm(measure="PLO")``), which
        uses the counts as they are and so needs no continuity correction for 0 % or
        100 % studies (logit only).
    ci_method : {"wald", "hksj"}, default "wald"
        Interval of the pooled mean: normal quantile (``test="z"``) or the
        Hartung-Knapp-Sidik-Jonkman adjustment with t on k - 1 df (``test="knha"``),
        which keeps its coverage with few studies (REML / DL only).
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
        unknown ``method`` / ``ci_method`` / ``transform``, bad ``confidence``,
        ``method="GLMM"`` with ``transform="ft"`` or ``ci_method="hksj"``, or a GLMM
        without a finite maximum (every study at 0 %, or every study at 100 %).

    Warns
    -----
    ApproximationWarning
        When 0.5 is added to the events and non-events of studies with 0 or all events
        (logit REML / DL with two or more studies; the count is in ``n_corrected``), or
        when REML falls back to a bounded search.

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
    :math:`\\hat\\mu \\pm z\\sqrt{SE^2 + \\hat\\tau^2}` (metafor's default ``test="z"``);
    with ``ci_method="hksj"`` the variance is scaled by
    :math:`\\sum w_i(y_i-\\hat\\mu)^2/(k-1)` and z is replaced by :math:`t_{k-1}`, for the
    PI too (metafor 3.8). Q uses the fixed-effect weights :math:`1/v_i`;
    :math:`I^2 = \\hat\\tau^2 / (\\hat\\tau^2 + s^2)` with
    :math:`s^2 = (k-1)\\sum w^0_i / ((\\sum w^0_i)^2 - \\sum (w^0_i)^2)`; the interval of
    tau² is the Q-profile interval (``confint``), I²'s follows from it.

    How many studies say what (issue 13): with k = 1 nothing is pooled (metafor would
    return the study itself on the transformed scale, with a continuity correction for
    0 % or 100 %): the result is the study's proportion with its exact interval and
    ``pooled`` False. With k = 2 the pool is given but no prediction interval (NaN), and
    ``note`` says tau² is too imprecise to read. From k = 3 the prediction interval is
    given; with fewer than about 5 studies tau² remains poorly estimated and the
    normal-quantile intervals too narrow, which ``ci_method="hksj"`` addresses.

    GLMM: :math:`x_i \\sim \\mathrm{Bin}(n_i, \\mathrm{expit}(\\mu + u_i))`,
    :math:`u_i \\sim N(0, \\tau^2)`, maximum likelihood with 7-point adaptive
    Gauss-Hermite quadrature (as ``lme4::glmer(nAGQ = 7)`` for metafor), the model
    Schwarzer et al. (2019) and Stijnen et al. (2010) recommend over transformations
    when studies have 0 % or 100 % events.

    Checked against R ``metafor`` 3.8-1 (``rma(yi, vi, method=...)`` and
    ``predict(res, transf=transf.ilogit)`` / ``transf.ipft.hm``): estimate, CI, PI, tau²,
    I² and Q within 1e-6 (DL) and 1e-4 (REML); see ``tests/reference/literature.R``.
    Hartung-Knapp (``test="knha"``), the Q-profile interval and ``rma.glmm`` are pinned
    in ``tests/reference/meta_models.R`` (1e-10, 1e-8 and 1e-4).

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

    Hartung J, Knapp G. A refined method for the meta-analysis of controlled clinical
    trials with binary outcome. Stat Med. 2001;20(24):3875-3889.
    Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis.
    Stat Med. 2007;26(1):37-52.
    Stijnen T, Hamza TH, Özdemir P. Random effects meta-analysis of event outcome in the
    framework of the generalized linear mixed model with applications in sparse data.
    Stat Med. 2010;29(29):3046-3067.

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
    ci_method = check_choice(ci_method, CI_METHODS, name="ci_method", function=function)
    transform = check_choice(transform, TRANSFORMS, name="transform", function=function)
    level = check_confidence(confidence, function=function)
    if method == "GLMM" and (transform != "logit" or ci_method != "wald"):
        raise ArgumentError(
            f"{function}(): method='GLMM' is the binomial-normal model on the logit scale with "
            f"normal-quantile intervals; got transform={transform!r}, ci_method={ci_method!r}. "
            "Use transform='logit', ci_method='wald' (or method='REML' for the other options)."
        )
    x, n, labels = _counts(data, totals, studies, function=function)
    ci_lo, ci_hi = clopper_pearson(events=x, n=n, confidence=level)
    try:
        fit = fit_pool(
            x, n, ci_lo, ci_hi, method=method, ci_method=ci_method, transform=transform,
            confidence=level,
        )  # fmt: skip
    except ValueError as error:  # the GLMM has no finite maximum
        raise ArgumentError(f"{function}(): {error} Use method='REML' or 'DL'.") from None
    corrected = fit["corrected"]
    if corrected.any() and fit["pooled"]:
        warnings.warn(
            f"{function}(): added 0.5 to the events and non-events of {int(corrected.sum())} "
            "study(ies) with 0 or all events before the logit (metafor escalc default "
            "add=1/2, to='only0'); use method='GLMM' (or transform='ft') to avoid the "
            "correction.",
            ApproximationWarning,
            stacklevel=2,
        )
    table = pd.DataFrame(
        {
            "study": pd.array(labels, dtype="string"),
            "events": x,
            "total": n,
            "proportion": x / n,
            "ci_low": ci_lo,
            "ci_high": ci_hi,
            "yi": fit["yi"],
            "vi": fit["vi"],
            "corrected": corrected,
            "weight": fit["weights"],
        }
    )
    fields = (
        "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "mu", "se", "tau2", "i2", "q",
        "q_df", "q_p_value", "tau2_algorithm", "pooled", "df", "tau2_ci_low", "tau2_ci_high",
        "i2_ci_low", "i2_ci_high", "note",
    )  # fmt: skip
    single = not fit["pooled"]
    return PooledPrevalence(
        **{name: fit[name] for name in fields},
        k=len(x),
        estimator=method,
        test=SINGLE_STUDY_TEST if single else POOLING_TEST,
        method="exact" if single else "random-effects",
        ci_method="clopper-pearson" if single else ci_method,
        transform=transform,
        confidence=level,
        n_corrected=int(corrected.sum()) if fit["pooled"] else 0,
        studies=table,
    )


@dataclass(frozen=True)
class PooledCorrelation(Result):
    """Result of :func:`pool_correlation` (see there for every field)."""

    estimate: float
    ci_low: float
    ci_high: float
    mu: float
    se: float
    tau2: float
    i2: float
    q: float
    q_df: int
    q_p_value: float
    p_value: float
    k: int
    n: int
    pooled: bool
    confidence: float
    estimator: str
    test: str
    method: str
    method_detail: str
    note: str


def pool_correlation(fisher_z, *, n, confidence: float = 0.95) -> PooledCorrelation:
    """Random-effects (REML) pooled correlation from Fisher's z of each study, as metafor.

    Parameters
    ----------
    fisher_z : array-like of float
        ``atanh(r)`` of each study's correlation (finite).
    n : array-like of int
        Subjects of each study (> 3, so that ``1 / (n - 3)`` is a variance).
    confidence : float
        Level of the interval of the pooled correlation.

    Returns
    -------
    PooledCorrelation
        ``estimate``, ``ci_low``, ``ci_high`` (``tanh`` of the pooled z and its Wald
        interval), ``mu`` and ``se`` (the pooled z and its SE), ``tau2`` (REML),
        ``i2`` (fraction), ``q``, ``q_df`` (k - 1), ``q_p_value`` (Cochran's Q), ``p_value``
        (Wald test of zero pooled correlation), ``k``, ``n`` (total subjects), ``pooled``
        (False for one study: it is shown alone with its Fisher-z interval, and tau²,
        I², Q are NaN), ``confidence``, ``estimator`` ("REML"), ``test``, ``method``
        ("random-effects"; "asymptotic" for one study), ``method_detail`` and ``note``.

    Raises
    ------
    ArgumentError
        No study; ``fisher_z`` and ``n`` of different lengths; a non-finite z; n <= 3.

    Notes
    -----
    ``yi = atanh(r)`` with ``vi = 1 / (n - 3)`` (the large-sample variance of Fisher's z
    of Pearson's r; for Spearman's rho it understates the variance slightly, by the
    Bonett-Wright factor ``1 + rho^2 / 2``). tau² by REML exactly as
    :func:`pool_prevalence` (Fisher scoring as ``metafor::rma.uni``), I² with metafor's
    typical within-study variance. Pinned to R ``metafor::rma(yi, vi, method = "REML")``
    (``tests/reference/stratified.R``, 1e-6 relative).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal
    of Statistical Software 36(3):1-48.
    Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
    Meta-Analysis, ch. 6 (correlations). Wiley.

    Examples
    --------
    >>> import numpy as np
    >>> res = pool_correlation(np.arctanh([-0.3, -0.1, -0.25]), n=[19, 40, 25])
    >>> res.k, res.method, round(res.estimate, 3)
    (3, 'random-effects', -0.188)
    """
    function = "pool_correlation"
    level = check_confidence(confidence, function=function)
    try:
        yi = np.atleast_1d(np.asarray(fisher_z, dtype=float))
        sizes = np.atleast_1d(np.asarray(n, dtype=float))
    except (TypeError, ValueError) as error:
        raise ArgumentError(
            f"{function}(): `fisher_z` and `n` must be numbers ({error})."
        ) from None
    if yi.size == 0:
        raise ArgumentError(f"{function}(): no studies to pool (k = 0); pass at least one z.")
    if yi.shape != sizes.shape:
        raise ArgumentError(
            f"{function}(): `fisher_z` has {yi.size} values but `n` has {sizes.size}."
        )
    bad = ~np.isfinite(yi) | ~np.isfinite(sizes) | (sizes <= 3) | (sizes % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ArgumentError(
            f"{function}(): study {i + 1} has fisher_z={yi[i]!r}, n={sizes[i]!r}; z must be "
            "finite (|r| < 1) and n a whole number above 3 (the variance is 1 / (n - 3))."
        )
    vi = 1.0 / (sizes - 3.0)
    k = yi.size
    crit = float(stats.norm.isf((1 - level) / 2))
    nan = math.nan
    algorithm = "fisher-scoring"
    if k == 1:
        mu, se = float(yi[0]), math.sqrt(float(vi[0]))
        tau2 = i2 = q = q_p = nan
    else:
        w0 = 1 / vi
        q = float(np.sum(w0 * (yi - np.sum(w0 * yi) / np.sum(w0)) ** 2))
        tau2, algorithm = _tau2_reml(yi, vi, function=function, stacklevel=3)
        tau2 = float(tau2)
        w = 1 / (vi + tau2)
        mu = float(np.sum(w * yi) / np.sum(w))
        se = math.sqrt(1 / float(np.sum(w)))
        typical = (k - 1) * np.sum(w0) / (np.sum(w0) ** 2 - np.sum(w0**2))
        i2 = float(tau2 / (tau2 + typical))
        q_p = float(stats.chi2.sf(q, k - 1))
    return PooledCorrelation(
        estimate=math.tanh(mu),
        ci_low=math.tanh(mu - crit * se),
        ci_high=math.tanh(mu + crit * se),
        mu=mu,
        se=se,
        tau2=tau2,
        i2=i2,
        q=q,
        q_df=k - 1,
        q_p_value=q_p,
        p_value=float(2 * stats.norm.sf(abs(mu / se))),
        k=k,
        n=int(sizes.sum()),
        pooled=k > 1,
        confidence=level,
        estimator="REML",
        test="random-effects meta-analysis of correlations (Fisher's z)"
        if k > 1
        else "one study: its correlation with the Fisher-z interval",
        method="random-effects" if k > 1 else "asymptotic",
        method_detail=(
            "REML tau² (Fisher scoring, as metafor::rma), Wald interval on the z scale"
            if algorithm == "fisher-scoring"
            else "REML tau² by a bounded 1-D search (Fisher scoring did not converge), "
            "Wald interval on the z scale"
        )
        if k > 1
        else "Fisher-z interval of the one study, variance 1/(n - 3); nothing is pooled",
        note="" if k > 1 else "one study: nothing is pooled, so there is no heterogeneity",
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
