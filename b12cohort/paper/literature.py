"""Comparison with published infant B12 cohorts.

Three pieces, kept apart so each can be checked on its own:

:func:`load_literature`
    The bundled, sourced table of sign prevalences in published series of infants with
    vitamin B12 deficiency (``data/literature/published_cohorts.csv``, codebook in
    ``data/literature/README.md``), or the short table of what those series found on
    neurology against haemoglobin (``table="neurology_vs_hb"``).
:func:`pool_prevalence`
    Random-effects meta-analysis of proportions (DerSimonian-Laird or REML, logit or
    Freeman-Tukey double-arcsine), numerically the same as R ``metafor::rma``.
:func:`compare_with_literature`
    For each sign: the cohort's prevalence with its exact confidence interval beside the
    pooled published prevalence, its confidence and prediction intervals and the
    heterogeneity (k, I², tau²).

The forest plot that draws these numbers is :func:`b12cohort.figures.plot_forest`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort._bundled import bundled_file
from b12cohort.core.arguments import check_choice, check_confidence, require_columns
from b12cohort.core.errors import ApproximationWarning, ArgumentError, CohortValidationError
from b12cohort.paper._literature_readings import comparison_reading
from b12cohort.stats._meta_pool import CI_METHODS, TRANSFORMS, fit_pool
from b12cohort.stats._meta_pool import METHODS as _METHODS

__all__ = [
    "COHORT_SIGNS",
    "SIGN_VOCABULARY",
    "TIMINGS",
    "PooledPrevalence",
    "clopper_pearson",
    "compare_with_literature",
    "load_literature",
    "pool_prevalence",
]

#: Sign names used in the ``sign`` column of the literature table, with their meaning.
#: Names shared with the cohort frame mean the same finding there.
SIGN_VOCABULARY: dict[str, str] = {
    "hypotonia": "muscular hypotonia",
    "adynamia": "hypo- or adynamia (reduced spontaneous motor activity)",
    "developmental_delay": "delayed psychomotor / neurodevelopment ('neurodevelopmental retardation')",
    "developmental_regression": "loss of acquired milestones",
    "developmental_delay_or_regression": "delay or regression, not separated by the source",
    "hypotonia_with_developmental_delay": "hypotonia together with developmental delay (one combined count)",
    "hyporeflexia": "reduced tendon reflexes",
    "seizures": "epileptic seizures",
    "tremor": "tremor (see `timing`)",
    "involuntary_movements": "involuntary movements: tremor, myoclonus, chorea, twitching (see `timing`)",
    "brain_atrophy": "cerebral atrophy on imaging (denominator: infants imaged)",
    "microcephaly": "head circumference below the reference range",
    "anemia": "anaemia",
    "anorexia": "anorexia / refusal to feed",
    "social_retardation": "delayed social development",
    "irritability": "irritability",
    "low_serum_b12": "serum B12 below the laboratory's reference range at referral",
}

#: Values of the ``timing`` column: when a movement sign appeared relative to B12 treatment.
#: Missing (<NA>) for signs where timing does not apply.
TIMINGS = ("before_treatment", "on_treatment", "any", "not_stated")

#: Cohort-frame column -> (literature ``sign``, ``timing`` or None when timing does not apply).
COHORT_SIGNS: dict[str, tuple[str, str | None]] = {
    "hypotonia": ("hypotonia", None),
    "adynamia": ("adynamia", None),
    "developmental_delay": ("developmental_delay", None),
    "developmental_regression": ("developmental_regression", None),
    "hyporeflexia": ("hyporeflexia", None),
    "seizures": ("seizures", None),
    "tremor_before_treatment": ("tremor", "before_treatment"),
    "involuntary_movements_on_treatment": ("involuntary_movements", "on_treatment"),
    "brain_atrophy": ("brain_atrophy", None),
}

_TABLES = {"cohorts": "published_cohorts.csv", "neurology_vs_hb": "neurology_vs_hb.csv"}
_COHORT_COLUMNS = {
    "study": "string",
    "year": "Int64",
    "country": "string",
    "N": "Int64",
    "sign": "string",
    "timing": "string",
    "events": "Int64",
    "total": "Int64",
    "age_range": "string",
    "timing_definition": "string",
    "derived_from_percent": "boolean",
    "by_selection": "boolean",
    "role": "category",
    "source": "string",
    "quote": "string",
    "note": "string",
}
_ROLES = ("index", "comparator")
_TEST = "random-effects meta-analysis of proportions"
# fmt: off
_SUMMARY_FIELDS = [
    "k", "pooled", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "tau2_ci_low",
    "tau2_ci_high", "i2", "q", "q_df", "q_p_value", "method", "ci_method", "transform",
    "confidence", "n_corrected", "test", "note",
]
_COMPARE_COLUMNS = [
    "sign", "literature_sign", "timing", "events", "total", "proportion", "ci_low", "ci_high",
    "k", "studies", "synthesis", "comparator_estimate", "comparator_ci_low",
    "comparator_ci_high", "pooled_estimate", "pooled_ci_low", "pooled_ci_high", "pi_low",
    "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "i2", "q_p_value", "method",
    "ci_method", "transform", "confidence", "n_corrected", "test", "reading",
]
# fmt: on


# --------------------------------------------------------------------------- loading
def load_literature(*, table: str = "cohorts", path: str | Path | None = None) -> pd.DataFrame:
    """Published infant B12 series: sign prevalences, or neurology against haemoglobin.

    Parameters
    ----------
    table : {"cohorts", "neurology_vs_hb"}, default "cohorts"
        ``"cohorts"``: one row per study x sign (x timing), the input of
        :func:`pool_prevalence` and :func:`compare_with_literature`.
        ``"neurology_vs_hb"``: what other studies found on neurological findings against
        haemoglobin, with sources and quotes (all columns text except ``year`` and ``N``).
    path : str or Path, optional
        Read this CSV instead of the bundled copy (for instance the bundled table with
        studies of your own added); it is validated the same way. Only for
        ``table="cohorts"``.

    Returns
    -------
    pandas.DataFrame
        For ``table="cohorts"`` (codebook: ``data/literature/README.md``):

        ``study`` (string)
            First author and year, or journal and year when the stored abstract gave no
            author ("Klin Padiatr 2023").
        ``year``, ``N`` (Int64)
            Publication year; number of infants in the series.
        ``country``, ``age_range`` (string)
            As reported; <NA> when the abstract does not say.
        ``sign`` (string)
            A key of :data:`SIGN_VOCABULARY`.
        ``timing`` (string)
            One of :data:`TIMINGS` for tremor / involuntary movements, <NA> otherwise.
        ``events``, ``total`` (Int64)
            Infants with the sign and infants assessed for it (``total`` <= ``N``).
        ``timing_definition`` (string)
            The source's own wording of the timing.
        ``derived_from_percent`` (boolean)
            True when ``events`` was computed from a printed percentage.
        ``by_selection`` (boolean)
            True when the sign defines the series (title or inclusion criterion), so its
            prevalence reflects selection; :func:`compare_with_literature` leaves such
            rows out unless asked.
        ``role`` (category: "index", "comparator")
            "index" marks Taranushenko 2022, the cohort being compared.
        ``source``, ``quote``, ``note`` (string)
            DOI / PMID / URL, the sentence the number came from, and caveats.

    Raises
    ------
    ArgumentError
        Unknown ``table``.
    CohortValidationError
        The CSV breaks the codebook (unknown sign or timing, events > total > N,
        a study listed twice for one sign and timing); ``.failures`` lists every problem.

    Examples
    --------
    >>> from b12cohort import load_literature
    >>> lit = load_literature()
    >>> first = lit[lit["role"] == "index"].iloc[0]
    >>> first["study"], first["sign"], int(first["events"]), int(first["total"])
    ('Taranushenko 2022', 'hypotonia', 19, 19)
    >>> sorted(lit.loc[lit["role"] == "comparator", "study"].unique())[:2]
    ['Acıpayam 2020', 'Akcaboy 2015']
    """
    function = "load_literature"
    table = check_choice(table, tuple(_TABLES), name="table", function=function)
    if path is not None and table != "cohorts":
        raise ArgumentError(
            f"{function}(): `path` is only used with table='cohorts'; got table={table!r}."
        )
    if path is None:
        source = bundled_file("literature", _TABLES[table])
        with source.open("r", encoding="utf-8") as handle:
            raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
        origin = f"data/literature/{_TABLES[table]}"
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        origin = str(path)
    raw = raw.replace("", pd.NA)
    if table == "neurology_vs_hb":
        out = raw.astype("string")
        for column in ("year", "N"):
            out[column] = pd.to_numeric(out[column]).astype("Int64")
        return out
    return _validate_cohorts(raw, origin)


def _validate_cohorts(raw: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Convert the text table to typed columns, collecting every rule broken (lazily)."""
    missing = [c for c in _COHORT_COLUMNS if c not in raw.columns]
    if missing:
        raise CohortValidationError(
            f"{origin}: column(s) {', '.join(missing)} missing; see data/literature/README.md.",
            source=origin,
        )
    out = raw[list(_COHORT_COLUMNS)].copy()
    bad: list[tuple[str, str, pd.Series, str]] = []  # (column, rule, mask, message)
    for column, dtype in _COHORT_COLUMNS.items():
        if dtype == "Int64":
            numbers = pd.to_numeric(out[column], errors="coerce")
            bad.append(
                (column, "integer", numbers.isna() | (numbers % 1 != 0), "not a whole number")
            )
            out[column] = numbers.round().astype("Int64")
        elif dtype == "boolean":
            text = out[column].str.lower()
            bad.append((column, "boolean", ~text.isin(["true", "false"]), "not True or False"))
            out[column] = text.map({"true": True, "false": False}).astype("boolean")
        elif dtype == "category":
            out[column] = pd.Categorical(out[column], categories=_ROLES)
            bad.append((column, "enum", out[column].isna(), "role must be 'index' or 'comparator'"))
        else:
            out[column] = out[column].astype("string")
    timing = out["timing"]
    bad += [
        ("sign", "vocabulary", ~out["sign"].isin(list(SIGN_VOCABULARY)), "unknown sign"),
        ("timing", "vocabulary", timing.notna() & ~timing.isin(TIMINGS), "unknown timing"),
        ("events", "events<=total", out["events"] > out["total"], "more events than assessed"),
        ("total", "total<=N", out["total"] > out["N"], "more assessed than in the series"),
        ("total", "minimum", out["total"] < 1, "total must be at least 1"),
        ("events", "minimum", out["events"] < 0, "events must be >= 0"),
        (
            "study",
            "unique",
            out.duplicated(["study", "sign", "timing"], keep=False),
            "study listed twice for one sign and timing",
        ),
    ]
    failures = [
        {
            "row": i + 1,
            "line": i + 2,
            "column": column,
            "value": raw[column].iloc[i],
            "rule": rule,
            "message": f"{message} (see data/literature/README.md).",
        }
        for column, rule, mask, message in bad
        for i in np.flatnonzero(
            np.asarray(pd.array(mask, dtype="boolean").fillna(False), dtype=bool)
        )
    ]
    if failures:
        raise CohortValidationError(
            f"{origin}: {len(failures)} problem(s) in the literature table; see .failures.",
            pd.DataFrame(failures),
            source=origin,
        )
    return out


# --------------------------------------------------------------------------- pooling
def clopper_pearson(events, totals, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) confidence limits of binomial proportions.

    The same limits as :func:`b12cohort.stats.descriptive.binomial_ci` (R ``binom.test``),
    which computes them; kept here for the literature and forest-plot code.

    Examples
    --------
    >>> lo, hi = clopper_pearson([6], [19])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.1258, 0.5655)
    """
    from b12cohort.stats.descriptive import binomial_ci

    level = check_confidence(confidence, function="clopper_pearson")
    x = np.atleast_1d(np.asarray(events, dtype=int))
    n = np.atleast_1d(np.asarray(totals, dtype=int))
    return binomial_ci(x, n, method="clopper-pearson", confidence=level)


@dataclass(frozen=True, eq=False)
class PooledPrevalence:
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
    method, ci_method, transform : str
        What ran: ``"REML"``, ``"DL"`` or ``"GLMM"``; ``"wald"`` or ``"hksj"``;
        ``"logit"`` or ``"ft"``.
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
        ``"random-effects meta-analysis of proportions"``.
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
    method: str
    transform: str
    confidence: float
    n_corrected: int
    tau2_algorithm: str
    studies: pd.DataFrame
    test: str = _TEST
    pooled: bool = True
    ci_method: str = "wald"
    df: int | None = None
    tau2_ci_low: float = float("nan")
    tau2_ci_high: float = float("nan")
    i2_ci_low: float = float("nan")
    i2_ci_high: float = float("nan")
    note: str = ""

    @property
    def summary(self) -> pd.DataFrame:
        """One-row tidy DataFrame of the pooled result (no per-study rows)."""
        return pd.DataFrame([{name: getattr(self, name) for name in _SUMMARY_FIELDS}])


def pool_prevalence(
    events,
    totals=None,
    *,
    method: str = "REML",
    ci_method: str = "wald",
    transform: str = "logit",
    confidence: float = 0.95,
    studies=None,
) -> PooledPrevalence:
    """Random-effects pooled prevalence across studies (R ``metafor::rma``).

    Parameters
    ----------
    events : array-like of int, or pandas.DataFrame
        Infants with the sign in each study. A DataFrame with columns ``events`` and
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
    >>> res = pool_prevalence([7, 18], [21, 27], method="DL")
    >>> res.k, res.method, res.transform
    (2, 'DL', 'logit')
    >>> round(res.estimate, 3), round(res.tau2, 3)  # R metafor: 0.504, 0.770
    (0.504, 0.77)
    """
    function = "pool_prevalence"
    method = check_choice(method, _METHODS, name="method", function=function)
    ci_method = check_choice(ci_method, CI_METHODS, name="ci_method", function=function)
    transform = check_choice(transform, TRANSFORMS, name="transform", function=function)
    level = check_confidence(confidence, function=function)
    if method == "GLMM" and (transform != "logit" or ci_method != "wald"):
        raise ArgumentError(
            f"{function}(): method='GLMM' is the binomial-normal model on the logit scale with "
            f"normal-quantile intervals; got transform={transform!r}, ci_method={ci_method!r}. "
            "Use transform='logit', ci_method='wald' (or method='REML' for the other options)."
        )
    x, n, labels = _counts(events, totals, studies, function=function)
    ci_lo, ci_hi = clopper_pearson(x, n, confidence=level)
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
    return PooledPrevalence(
        **{name: fit[name] for name in fields},
        k=len(x),
        method=method,
        ci_method=ci_method,
        transform=transform,
        confidence=level,
        n_corrected=int(corrected.sum()) if fit["pooled"] else 0,
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


# --------------------------------------------------------------------------- comparison
def compare_with_literature(
    data,
    *,
    literature: pd.DataFrame | None = None,
    signs=None,
    method: str = "REML",
    ci_method: str = "wald",
    transform: str = "logit",
    confidence: float = 0.95,
    include_selected: bool = False,
) -> pd.DataFrame:
    """For each sign, the cohort's prevalence beside the pooled published prevalence.

    Parameters
    ----------
    data : pandas.DataFrame or mapping
        The cohort: a canonical cohort frame (boolean sign columns; <NA> = not recorded
        and left out of the denominator), or a mapping ``{sign: (events, total)}``.
        Sign names are the cohort-frame columns of :data:`COHORT_SIGNS`.
    literature : pandas.DataFrame, optional
        The table to compare with (default :func:`load_literature`). Only rows with
        ``role == "comparator"`` are pooled, matched on ``sign`` and, for movement signs,
        ``timing`` (``involuntary_movements_on_treatment`` is compared only with series
        that counted movements appearing on treatment).
    signs : sequence of str, optional
        Cohort signs to compare (default: every sign of :data:`COHORT_SIGNS` present in
        ``data``).
    method, ci_method, transform, confidence
        Passed to :func:`pool_prevalence`.
    include_selected : bool, default False
        Also pool rows flagged ``by_selection`` (sign defines the series).

    Returns
    -------
    pandas.DataFrame
        One row per sign, columns: ``sign`` (cohort name), ``literature_sign``,
        ``timing``, ``events``, ``total``, ``proportion``, ``ci_low``, ``ci_high``
        (exact Clopper-Pearson for the cohort), ``k``, ``studies`` (labels joined by
        "; "), ``synthesis`` ("none" for k = 0, "single study" for k = 1, "pooled" from
        k = 2), ``comparator_estimate``, ``comparator_ci_low``, ``comparator_ci_high``
        (the single study's proportion and exact interval when k = 1, the pooled
        estimate and interval from k = 2), ``pooled_estimate``, ``pooled_ci_low``,
        ``pooled_ci_high`` (NaN unless k >= 2), ``pi_low``, ``pi_high`` (NaN unless
        k >= 3), ``tau2``, ``tau2_ci_low``, ``tau2_ci_high`` (Q-profile), ``i2``
        (fraction), ``q_p_value`` (NaN unless k >= 2), ``method``, ``ci_method``,
        ``transform``, ``confidence``, ``n_corrected``, ``test`` and ``reading`` (one
        sentence that says only what these numbers show; see Notes).

    Raises
    ------
    ArgumentError
        Unknown sign, a sign absent from ``data``, bad counts or options.

    Warns
    -----
    ApproximationWarning
        From :func:`pool_prevalence` (continuity correction).

    Notes
    -----
    The comparison is descriptive: no test of the cohort against the literature is made.
    One study is shown alone with its exact interval (a pooled "meta-analysis" of one
    study would only restate it, with a continuity correction at 0 % or 100 %); two are
    pooled without a prediction interval; from three on, a cohort prevalence outside
    the prediction interval is unusual for a comparable series, and one inside it is
    not evidence of sameness. The ``reading`` follows these rules
    (:mod:`b12cohort.paper._literature_readings`). Numbers pinned to R
    (``binom.test`` and ``metafor::rma``) in ``tests/reference/literature.R``.

    Examples
    --------
    >>> import warnings
    >>> from b12cohort.paper.literature import compare_with_literature
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     table = compare_with_literature({"involuntary_movements_on_treatment": (6, 19)})
    >>> table[["sign", "events", "total", "k", "studies"]].to_dict("records")
    [{'sign': 'involuntary_movements_on_treatment', 'events': 6, 'total': 19, 'k': 1, 'studies': 'Klin Padiatr 2023'}]
    """
    function = "compare_with_literature"
    check_choice(method, _METHODS, name="method", function=function)
    check_choice(ci_method, CI_METHODS, name="ci_method", function=function)
    check_choice(transform, TRANSFORMS, name="transform", function=function)
    level = check_confidence(confidence, function=function)
    counts = _cohort_counts(data, signs, function=function)
    lit = load_literature() if literature is None else literature
    require_columns(
        lit,
        ["study", "sign", "timing", "events", "total", "role", "by_selection"],
        function=function,
    )
    pool_rows = lit[
        (lit["role"] == "comparator")
        & (include_selected | ~lit["by_selection"].fillna(False).astype(bool))
    ]

    rows = []
    for sign, (x, n) in counts.items():
        lit_sign, timing = COHORT_SIGNS[sign]
        match = pool_rows["sign"] == lit_sign
        match &= pool_rows["timing"].isna() if timing is None else pool_rows["timing"] == timing
        subset = pool_rows[match.fillna(False).astype(bool)]
        lo, hi = clopper_pearson([x], [n], confidence=level)
        row = {
            "sign": sign,
            "literature_sign": lit_sign,
            "timing": timing,
            "events": x,
            "total": n,
            "proportion": x / n,
            "ci_low": lo[0],
            "ci_high": hi[0],
            "k": len(subset),
            "studies": "; ".join(subset["study"].astype(str)),
        }
        row["synthesis"] = ("none", "single study", "pooled")[min(len(subset), 2)]
        if len(subset):
            res = pool_prevalence(
                subset, method=method, ci_method=ci_method, transform=transform,
                confidence=level,
            )  # fmt: skip
            row.update(
                comparator_estimate=res.estimate,
                comparator_ci_low=res.ci_low,
                comparator_ci_high=res.ci_high,
                pi_low=res.pi_low,
                pi_high=res.pi_high,
                tau2=res.tau2,
                tau2_ci_low=res.tau2_ci_low,
                tau2_ci_high=res.tau2_ci_high,
                i2=res.i2,
                q_p_value=res.q_p_value,
                n_corrected=res.n_corrected,
            )
            if res.pooled:
                row.update(
                    pooled_estimate=res.estimate,
                    pooled_ci_low=res.ci_low,
                    pooled_ci_high=res.ci_high,
                )
        row |= {
            "method": method,
            "ci_method": ci_method,
            "transform": transform,
            "confidence": level,
            "test": _TEST,
        }
        rows.append(row | {"reading": comparison_reading(pd.Series(row).reindex(_COMPARE_COLUMNS))})
    out = pd.DataFrame(rows).reindex(columns=_COMPARE_COLUMNS)
    out["n_corrected"] = out["n_corrected"].astype("Int64")
    for column in (
        "sign", "literature_sign", "timing", "studies", "synthesis", "method", "ci_method",
        "transform", "test", "reading",
    ):  # fmt: skip
        out[column] = out[column].astype("string")
    return out


def _cohort_counts(data, signs, *, function: str) -> dict[str, tuple[int, int]]:
    if isinstance(data, pd.DataFrame):
        wanted = (
            list(signs) if signs is not None else [s for s in COHORT_SIGNS if s in data.columns]
        )
        _check_signs(wanted, function=function)
        require_columns(data, wanted, function=function)
        counts = {}
        for sign in wanted:
            values = data[sign].astype("boolean")
            counts[sign] = (int(values.sum()), int(values.notna().sum()))
    elif isinstance(data, Mapping):
        wanted = list(signs) if signs is not None else list(data)
        _check_signs(wanted, function=function)
        missing = [s for s in wanted if s not in data]
        if missing:
            raise ArgumentError(f"{function}(): no counts given for sign(s) {', '.join(missing)}.")
        counts = {s: tuple(int(v) for v in data[s]) for s in wanted}
    else:
        raise ArgumentError(
            f"{function}(): `data` must be a cohort DataFrame or a mapping {{sign: (events, total)}}; "
            f"got {type(data).__name__}."
        )
    if not counts:
        raise ArgumentError(
            f"{function}(): none of the signs {', '.join(COHORT_SIGNS)} is in `data`."
        )
    for sign, (x, n) in counts.items():
        if n < 1 or not 0 <= x <= n:
            raise ArgumentError(
                f"{function}(): sign {sign!r} has events={x}, total={n}; need 0 <= events <= total, total >= 1."
            )
    return counts


def _check_signs(signs, *, function: str) -> None:
    for sign in signs:
        check_choice(sign, tuple(COHORT_SIGNS), name="signs", function=function)
