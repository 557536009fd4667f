"""The association layer: exact small-sample tests with effect sizes, and the summary table.

This module is the public face of the association analysis. It re-exports

* :func:`~b12cohort.stats.contingency.fisher_exact` and :func:`~b12cohort.stats.trend.trend_test`
  (Fisher-Freeman-Halton and Cochran-Armitage, :mod:`b12cohort.stats.contingency`);
* :func:`~b12cohort.stats.correlation.correlation`,
  :func:`~b12cohort.stats.correlation.detectable_correlation`,
  :func:`~b12cohort.stats.correlation.power_correlation` and
  :func:`~b12cohort.stats.correlation.correlation_equivalence` (:mod:`b12cohort.stats.correlation`);
* :func:`~b12cohort.stats.rank_tests.compare_groups` (Wilcoxon rank-sum with the Hodges-Lehmann
  shift, :mod:`b12cohort.stats.rank_tests`);
* :func:`~b12cohort.stats.regression.logistic` (maximum likelihood or Firth,
  :mod:`b12cohort.stats.regression`);

and defines :func:`association_summary`, the one table the report shows: every
neurological sign against the degree of anaemia, read with confidence intervals and the
effect the cohort could have detected, never as "no association" from a p-value alone.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_between,
    check_confidence,
    check_dataframe,
    check_p_adjust,
    require_columns,
)
from b12cohort.core.errors import ArgumentError
from b12cohort.stats.contingency import fisher_exact
from b12cohort.stats.correlation import (
    correlation,
    correlation_equivalence,
    detectable_correlation,
    power_correlation,
)
from b12cohort.stats.rank_tests import compare_groups
from b12cohort.stats.trend import trend_test

__all__ = ["SUMMARY_COLUMNS", "association_summary"]

#: Columns of :func:`association_summary`, in order.
SUMMARY_COLUMNS = (
    "outcome",
    "exposure",
    "comparison",
    "test",
    "method",
    "estimate",
    "estimate_type",
    "ci_low",
    "ci_high",
    "confidence",
    "p_value",
    "p_adjusted",
    "p_adjust",
    "in_family",
    "n",
    "n_missing",
    "scheme",
    "reading",
    "note",
)
#: Power used for the detectable correlation in the summary.
SUMMARY_POWER = 0.8
#: Significance level of the detectable correlation and the TOST in the summary.
SUMMARY_ALPHA = 0.05
_ADJUST_LABEL = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini-Hochberg"}


# --------------------------------------------------------------------------- formatting
def _num(x: float, digits: int) -> str:
    """A number for a reading: fixed decimals, a true minus sign."""
    if x is None or not math.isfinite(x):
        return "not estimable" if x is None or math.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.{digits}f}".replace("-", "−")


def _p(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _label(name: str) -> str:
    return name.replace("_", " ")


def _pct(k: int, n: int) -> str:
    return f"{k}/{n}"


# --------------------------------------------------------------------------- rows
def _row(**kw) -> dict[str, Any]:
    row = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    row.update(note="", in_family=False)
    row.update(kw)
    return row


def _capture(func: Callable, *args, **kwargs):
    """Run ``func``; return (result or the ArgumentError, the warnings it raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(*args, **kwargs)
        except ArgumentError as err:
            result = err
    return result, list(caught)


def _infants(k: int) -> str:
    return f"{k} infant" if k == 1 else f"{k} infants"


def _no_variation_rows(sign, n, n_missing, scheme_label, conf, why):
    reading = (
        f"{why}: without variation, an association with anaemia grade or Hb can be "
        "neither estimated nor tested. This is not evidence that the sign is unrelated "
        "to anaemia."
    )
    common = {
        "outcome": sign, "n": n, "n_missing": n_missing, "scheme": scheme_label,
        "reading": reading, "note": why, "test": "not tested", "method": "not tested",
        "estimate_type": "none (no variation)", "confidence": conf,
    }  # fmt: skip
    return [
        _row(exposure="anemia_grade", comparison="sign across anaemia grades", **common),
        _row(
            exposure="anemia_grade", comparison="trend of the sign with anaemia severity", **common
        ),
        _row(
            **{**common, "outcome": "hb_g_l"},
            exposure=sign,
            comparison=f"Hb with vs without {_label(sign)}",
        ),
    ]


def _sign_rows(data, sign, *, scheme_label, confidence, exact_trend, random_state, caught):
    """Fisher, trend and Hodges-Lehmann rows for one sign (readings filled in later)."""
    present = data[sign].notna() & data["anemia_grade"].notna()
    values = data.loc[present, sign].astype(bool)
    n, n_missing = int(present.sum()), int((~present).sum())
    k = int(values.sum())
    grades = data.loc[present, "anemia_grade"]
    observed_grades = [g for g in grades.cat.categories if (grades == g).any()]
    if n == 0 or k in (0, n):
        if n == 0:
            why = f"No infant has both {_label(sign)} and the anaemia grade recorded"
        elif k == n:
            why = f"All {_infants(n)} with it recorded had {_label(sign)} ({k}/{n})"
        else:
            why = f"None of the {_infants(n)} with it recorded had {_label(sign)} (0/{n})"
        return _no_variation_rows(sign, n, n_missing, scheme_label, confidence, why)
    if len(observed_grades) < 2:
        why = (
            f"All {_infants(n)} with {_label(sign)} recorded have the same anaemia grade "
            f"({observed_grades[0]})"
        )
        return _no_variation_rows(sign, n, n_missing, scheme_label, confidence, why)

    rows = []
    # --- Fisher-Freeman-Halton across grades
    fis, w = _capture(
        fisher_exact, data, sign, "anemia_grade", confidence=confidence, random_state=random_state
    )
    caught += w
    counts = fis.table
    per_grade = ", ".join(
        f"{_pct(int(counts.loc[True, g]), int(counts[g].sum()))} {g}" for g in counts.columns
    )
    two_by_two = counts.shape == (2, 2)
    rows.append(
        _row(
            outcome=sign,
            exposure="anemia_grade",
            comparison="sign across anaemia grades",
            test=fis.test,
            method=fis.method,
            estimate=fis.odds_ratio if two_by_two else math.nan,
            estimate_type=(
                "conditional odds ratio (sign, higher vs lower grade)"
                if two_by_two
                else "none (R×C table: p-value only)"
            ),
            ci_low=fis.ci_low if two_by_two else math.nan,
            ci_high=fis.ci_high if two_by_two else math.nan,
            confidence=confidence,
            p_value=fis.p_value,
            in_family=True,
            n=fis.n,
            n_missing=fis.n_missing,
            scheme=scheme_label,
            note=fis.note,
            _reading=lambda padj, fis=fis, per_grade=per_grade, two=two_by_two: (
                f"{_label(sign).capitalize()} in {per_grade}"
                + (
                    f"; odds ratio {_num(fis.odds_ratio, 2)} ({confidence:.0%} CI "
                    f"{_num(fis.ci_low, 2)} to {_num(fis.ci_high, 2)})"
                    if two
                    else ""
                )
                + f"; {fis.test}, {_p(fis.p_value)}{padj}. "
                + (
                    "The frequency seems to differ between grades (before adjustment)."
                    if fis.p_value < 0.05
                    else "A large p here does not show that the sign is unrelated to the "
                    "grade: with groups this small only large differences between grades "
                    "are detectable."
                )
            ),
        )
    )
    # --- Cochran-Armitage trend
    tr, w = _capture(trend_test, data, sign, "anemia_grade", exact=exact_trend)
    caught += w
    shares = ", ".join(f"{p:.0%}" for p in tr.table["proportion"])
    direction = "rises" if tr.z > 0 else "falls" if tr.z < 0 else "does not change"
    rows.append(
        _row(
            outcome=sign,
            exposure="anemia_grade",
            comparison="trend of the sign with anaemia severity",
            test=tr.test,
            method=tr.method,
            estimate=tr.z,
            estimate_type="standardised trend z (positive: more frequent in more severe grades)",
            confidence=confidence,
            p_value=tr.p_value,
            in_family=True,
            n=tr.n,
            n_missing=tr.n_missing,
            scheme=scheme_label,
            note=tr.note,
            _reading=lambda padj, tr=tr, shares=shares, direction=direction: (
                f"Share with {_label(sign)} from {tr.levels[0]} to {tr.levels[-1]} "
                f"anaemia: {shares}; the proportion {direction} with severity "
                f"(z = {_num(tr.z, 2)}, {tr.method.split(' (')[0]} {tr.test}, "
                f"{_p(tr.p_value)}{padj})."
                + (
                    " The exact permutation test was infeasible at this size: the "
                    "asymptotic test ran instead."
                    if exact_trend and tr.method != "exact"
                    else ""
                )
            ),
        )
    )
    # --- Hb by sign: Hodges-Lehmann shift
    cg, w = _capture(compare_groups, data, "hb_g_l", by=sign, confidence=confidence, exact=None)
    caught += w
    if isinstance(cg, ArgumentError):
        rows.append(
            _row(
                outcome="hb_g_l",
                exposure=sign,
                comparison=f"Hb with vs without {_label(sign)}",
                test="not tested",
                method="not tested",
                estimate_type="none",
                n=n,
                n_missing=n_missing,
                scheme=scheme_label,
                confidence=confidence,
                note=str(cg),
                reading=f"Hb could not be compared by {_label(sign)}: {cg}",
            )
        )
        return rows
    rows.append(
        _row(
            outcome="hb_g_l",
            exposure=sign,
            comparison=f"Hb with vs without {_label(sign)}",
            test=cg.test,
            method=cg.method,
            estimate=cg.estimate,
            estimate_type="Hodges–Lehmann shift, g/L (with minus without the sign)",
            ci_low=cg.ci_low,
            ci_high=cg.ci_high,
            confidence=cg.confidence_achieved,
            p_value=cg.p_value,
            in_family=True,
            n=cg.n1 + cg.n2,
            n_missing=cg.n_missing,
            scheme=scheme_label,
            note=cg.note,
            _reading=lambda padj, cg=cg: (
                f"Hb in the {_infants(cg.n2)} with {_label(sign)} minus the {cg.n1} without: "
                f"{_num(cg.estimate, 1)} g/L ({cg.confidence_achieved:.0%} CI "
                f"{_num(cg.ci_low, 1)} to {_num(cg.ci_high, 1)}); Wilcoxon rank-sum "
                f"{_p(cg.p_value)}{padj}. Shifts anywhere in that interval are compatible "
                "with the data."
            ),
        )
    )
    return rows


def _correlation_rows(data, *, scheme_label, confidence, random_state, bound, caught):
    score = "neuro_score"
    cor, w = _capture(
        correlation, data, score, "hb_g_l", method="spearman", confidence=confidence,
        random_state=random_state,
    )  # fmt: skip
    caught += w
    if isinstance(cor, ArgumentError):
        return [
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="neurological score against Hb",
                test="not tested",
                method="not tested",
                estimate_type="Spearman rho",
                confidence=confidence,
                scheme=scheme_label,
                note=str(cor),
                reading=f"The correlation could not be computed: {cor}",
            )
        ]
    n = cor.n
    det = detectable_correlation(n, alpha=SUMMARY_ALPHA, power=SUMMARY_POWER) if n >= 5 else None
    det_text = (
        f"with {n} infants only |ρ| ≥ {_num(det.rho, 2)} was detectable with "
        f"{SUMMARY_POWER:.0%} power"
        if det
        else f"with {n} infants no detectable correlation can be computed"
    )
    widest = max(abs(cor.ci_low), abs(cor.ci_high)) if math.isfinite(cor.ci_low) else math.nan

    def cor_reading(padj, cor=cor):
        text = (
            f"ρ = {_num(cor.estimate, 2)} ({confidence:.0%} CI {_num(cor.ci_low, 2)} to "
            f"{_num(cor.ci_high, 2)}), {_p(cor.p_value)}{padj}; {det_text}"
        )
        if math.isfinite(cor.ci_low) and (cor.ci_low > 0 or cor.ci_high < 0):
            sign = "negative" if cor.ci_high < 0 else "positive"
            return f"{text}. The interval excludes 0: the data indicate a {sign} correlation."
        if math.isfinite(widest) and widest < 0.3:
            return f"{text}. The interval excludes correlations of |ρ| ≥ 0.30."
        return (
            f"{text}, so a correlation as strong as |ρ| = {_num(widest, 2)} is not "
            "excluded by the data."
        )

    rows = [
        _row(
            outcome=score,
            exposure="hb_g_l",
            comparison="neurological score against Hb",
            test=cor.test,
            method=f"{cor.p_method}; CI {cor.ci_method}",
            estimate=cor.estimate,
            estimate_type="Spearman rho",
            ci_low=cor.ci_low,
            ci_high=cor.ci_high,
            confidence=confidence,
            p_value=cor.p_value,
            in_family=True,
            n=n,
            n_missing=cor.n_missing,
            scheme=scheme_label,
            note=cor.note,
            _reading=cor_reading,
        )
    ]
    if det is not None:
        power_at = power_correlation(n, 0.3, alpha=SUMMARY_ALPHA)
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison="detectable correlation at this n",
                test=det.test,
                method=det.method,
                estimate=det.rho,
                estimate_type=(
                    f"smallest |rho| detectable with {SUMMARY_POWER:.0%} power "
                    f"(two-sided alpha {SUMMARY_ALPHA:g})"
                ),
                n=n,
                n_missing=cor.n_missing,
                scheme=scheme_label,
                reading=(
                    f"With n = {n} and two-sided α = {SUMMARY_ALPHA:g}, a test of ρ = 0 has "
                    f"{SUMMARY_POWER:.0%} power only for |ρ| ≥ {_num(det.rho, 2)} (and "
                    f"{power_at:.0%} power for |ρ| = 0.30); for Spearman's ρ the detectable "
                    "value is somewhat larger still."
                ),
            )
        )
    if n >= 4 and math.isfinite(cor.estimate):
        tost = correlation_equivalence(
            data, score, "hb_g_l", bound=bound, method="spearman", alpha=SUMMARY_ALPHA
        )
        verdict = (
            f"the data exclude |ρ| ≥ {bound:g}"
            if tost.equivalent
            else f"the data do not exclude |ρ| ≥ {bound:g}"
        )
        rows.append(
            _row(
                outcome=score,
                exposure="hb_g_l",
                comparison=f"equivalence: is |rho| < {bound:g}?",
                test=tost.test,
                method=tost.method,
                estimate=tost.estimate,
                estimate_type=f"Spearman rho (TOST, bound ±{bound:g})",
                ci_low=tost.ci_low,
                ci_high=tost.ci_high,
                confidence=1 - 2 * SUMMARY_ALPHA,
                p_value=tost.p_value,
                n=tost.n,
                n_missing=tost.n_missing,
                scheme=scheme_label,
                note=tost.note,
                reading=(
                    f"Equivalence test against |ρ| ≥ {bound:g}: {1 - 2 * SUMMARY_ALPHA:.0%} CI "
                    f"{_num(tost.ci_low, 2)} to {_num(tost.ci_high, 2)}, {_p(tost.p_value)}: "
                    f"{verdict}."
                ),
            )
        )
    return rows


def association_summary(
    data: pd.DataFrame,
    *,
    scheme: str | None = None,
    signs: Sequence[str] | None = None,
    p_adjust: str = "holm",
    confidence: float = 0.95,
    exact_trend: bool = True,
    random_state: Any = 0,
    equivalence_bound: float = 0.5,
) -> pd.DataFrame:
    """One table of every association between the neurological signs and anaemia.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical cohort frame (:func:`b12cohort.load_cohort`): needs ``hb_g_l``,
        the sign columns, ``anemia_grade`` (unless ``scheme`` is given) and
        ``neuro_score`` (computed with :func:`b12cohort.dictionary.derived.neuro_score` if absent).
        Not modified.
    scheme : str, optional
        None: use ``data["anemia_grade"]``. A scheme name (``"who-2011"``,
        ``"ru-clinical"``, ...): regrade with
        ``grade_anemia(data["hb_g_l"], scheme=scheme, age_months=data.get("age_months"))``.
    signs : sequence of str, optional
        Boolean sign columns. Default: those of :data:`b12cohort.dictionary.schema.NEURO_SIGNS`
        present in ``data``. Signs without variation (hypotonia in 19/19) are kept, with
        rows that say why nothing was tested.
    p_adjust : str
        Multiplicity adjustment (statsmodels ``multipletests`` names, or "none") over the
        family defined in Notes.
    confidence : float
        Level of the confidence intervals.
    exact_trend : bool
        Exact (permutation) Cochran-Armitage test (default) or its asymptotic version.
        When the exact test would exceed its work budget (see :func:`trend_test`; with
        the three anaemia grades not before ~10^6 infants, with four or more grades from
        ~10^4), the asymptotic test runs and the row's ``method`` says so ("asymptotic
        (exact distribution infeasible: ...)"), as do ``note``, ``reading`` and an
        ApproximationWarning.
    random_state : int, numpy.random.Generator or None
        Seed for any Monte Carlo p-value (permutation test of the correlation when n >= 10
        with ties; Fisher when the exact network algorithm exceeds its budget).
    equivalence_bound : float
        Bound of the equivalence (TOST) test of the correlation (default 0.5: the data
        must exclude a "large" correlation in Cohen's terms; smaller bounds cannot be
        established with ~20 subjects).

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in this order: for each sign, (1) the sign across
        anaemia grades (Fisher-Freeman-Halton exact test, :func:`fisher_exact`), (2)
        the trend of the sign with severity (Cochran-Armitage, :func:`trend_test`), (3)
        Hb with minus without the sign (Hodges-Lehmann shift and CI,
        :func:`compare_groups`); then ``neuro_score`` against Hb: (4) Spearman's rho
        with its Fisher-z CI (:func:`correlation`), (5) the correlation detectable with
        80% power at this n (:func:`detectable_correlation`), (6) the TOST equivalence
        test (:func:`correlation_equivalence`). Columns:

        ``outcome``, ``exposure``
            Column names (the sign and ``anemia_grade``; ``hb_g_l`` and the sign;
            ``neuro_score`` and ``hb_g_l``).
        ``comparison``
            What is compared, in words.
        ``test``, ``method``
            The test that ran and how (exact, Monte Carlo, asymptotic...), from the
            underlying result; "not tested" with the reason in ``note``.
        ``estimate``, ``estimate_type``
            The effect and what it is (e.g. "Hodges–Lehmann shift, g/L (with minus
            without the sign)", "Spearman rho"); NaN when the test has no single effect
            (R×C Fisher).
        ``ci_low``, ``ci_high``, ``confidence``
            Interval and its level (the achieved level for small exact Wilcoxon
            intervals; 1 - 2 alpha for the TOST).
        ``p_value``
            Unadjusted p-value (TOST: the larger one-sided p; NaN when not tested).
        ``p_adjusted``, ``p_adjust``, ``in_family``
            Adjusted p-value and method; only rows with ``in_family`` True are adjusted
            (NaN elsewhere).
        ``n``, ``n_missing``
            Subjects analysed and rows dropped for missing values.
        ``scheme``
            The grading used ("as in data" or the scheme name).
        ``reading``
            Plain-language reading with the estimate, its CI and (for the correlation)
            the detectable effect; numbers rounded for reading only (rho to 2 decimals, Hb
            to 0.1 g/L, p to 3 decimals).
        ``note``
            Caveats from the underlying functions ("" when none).

    Raises
    ------
    ArgumentError
        Missing columns, non-boolean signs, invalid options.

    Warns
    -----
    Every warning of the underlying functions (ApproximationWarning,
    DataQualityWarning, SchemeRangeWarning) is re-raised once, and recorded in ``note``.

    Notes
    -----
    *Family for the adjustment*: every test of a null hypothesis of no association in
    the table, i.e. the three tests per sign with variation and the Spearman test (3 x
    signs + 1). The equivalence test (a different null) and the detectable correlation
    (not a test) are outside it; so are rows not tested.

    *Readings* never conclude "no association" from a large p-value: they give the
    interval, and for the correlation the effect the cohort could have detected
    (``pwr.r.test``) and the equivalence test. The Fisher and trend rows have no
    interval (R×C table), so their readings only warn that a large p is not evidence of
    absence.

    Deterministic for a fixed ``random_state``.

    *Size*: built for cohorts of tens to hundreds, the table also scales to registry
    extracts: time and memory grow about linearly with the rows (on one core, about 0.2
    s at 10^4 rows, 1 s at 10^5, 3 s at 10^6; peak memory a few tens of MB above the
    frame, which is not copied). Nothing quadratic is formed: the Hodges-Lehmann shift
    is selected from the pairwise differences without forming them, and the exact trend
    test sums only the parts of its distribution that matter. What switches with size,
    row by row in ``method`` and ``note``: the Wilcoxon rows use the normal
    approximation from 50 per group (R's rule), the Spearman p-value is asymptotic from
    n = 50, and the Fisher–Freeman–Halton p-value is estimated by Monte Carlo when the
    exact network algorithm exceeds its budget (2 x 3 tables from N ~ 10^5-10^6).

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
    6:65-70. Altman DG, Bland JM (1995). Absence of evidence is not evidence of absence.
    BMJ 311:485. Lakens D (2017). Equivalence tests. Soc Psychol Personal Sci 8:355-362.
    See the functions called for the methods' own references.

    Examples
    --------
    >>> import warnings
    >>> import b12cohort
    >>> df = b12cohort.load_example()
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     table = association_summary(df)
    >>> table.shape[0]
    21
    >>> table.loc[table["outcome"] == "neuro_score", "estimate_type"].tolist()
    ['Spearman rho', 'smallest |rho| detectable with 80% power (two-sided alpha 0.05)', 'Spearman rho (TOST, bound ±0.5)']
    """
    fn = "association_summary"
    check_dataframe(data, function=fn)
    require_columns(data, ["hb_g_l"], function=fn)
    confidence = check_confidence(confidence, function=fn)
    p_adjust = check_p_adjust(p_adjust, function=fn)
    if not isinstance(exact_trend, bool | np.bool_):
        raise ArgumentError(f"{fn}(): `exact_trend` must be True or False; got {exact_trend!r}.")
    bound = check_between(
        equivalence_bound, 0.0, 1.0, name="equivalence_bound", function=fn, example="0.5"
    )

    caught: list[warnings.WarningMessage] = []
    # Only whole columns are assigned below (anemia_grade, neuro_score), which never
    # writes into the caller's arrays (pandas >= 1.5 __setitem__ inserts a new array; 3.x
    # is copy-on-write): no need to duplicate a cohort of 10^6 rows.
    work = data.copy(deep=False)
    if scheme is None:
        if "anemia_grade" not in work:
            raise ArgumentError(
                f"{fn}(): column 'anemia_grade' not found; pass scheme='who-2011' (or "
                "another scheme name) to grade anaemia from 'hb_g_l'."
            )
        scheme_label = "as in data"
    else:
        from b12cohort.dictionary.derived import grade_anemia

        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            work["anemia_grade"] = grade_anemia(
                work["hb_g_l"], scheme=scheme, age_months=work.get("age_months")
            )
        caught += w
        scheme_label = str(scheme)
    if not isinstance(work["anemia_grade"].dtype, pd.CategoricalDtype):
        raise ArgumentError(
            f"{fn}(): 'anemia_grade' must be an ordered categorical (none < mild < "
            f"moderate < severe); got dtype {work['anemia_grade'].dtype}."
        )
    if "neuro_score" not in work:
        from b12cohort.dictionary.derived import neuro_score

        work["neuro_score"] = neuro_score(work)

    if signs is None:
        from b12cohort.dictionary.schema import NEURO_SIGNS

        sign_list = [s for s in NEURO_SIGNS if s in work.columns]
    else:
        sign_list = [signs] if isinstance(signs, str) else list(signs)
        require_columns(work, sign_list, function=fn)
    for s in sign_list:
        if not pd.api.types.is_bool_dtype(work[s].dtype):
            raise ArgumentError(
                f"{fn}(): sign column '{s}' must be boolean (True = present); got dtype "
                f"{work[s].dtype}."
            )

    rows: list[dict[str, Any]] = []
    for s in sign_list:
        rows += _sign_rows(
            work, s, scheme_label=scheme_label, confidence=confidence,
            exact_trend=bool(exact_trend), random_state=random_state, caught=caught,
        )  # fmt: skip
    rows += _correlation_rows(
        work, scheme_label=scheme_label, confidence=confidence, random_state=random_state,
        bound=bound, caught=caught,
    )  # fmt: skip

    # ---- multiplicity adjustment over the family
    family = [i for i, r in enumerate(rows) if r["in_family"] and math.isfinite(r["p_value"])]
    for r in rows:
        r["in_family"] = False
        r["p_adjust"] = p_adjust
    if family:
        pvals = np.array([rows[i]["p_value"] for i in family], dtype=float)
        if p_adjust == "none":
            adjusted = pvals
        else:
            from statsmodels.stats.multitest import multipletests

            adjusted = multipletests(pvals, method=p_adjust)[1]
        for i, p in zip(family, adjusted, strict=True):
            rows[i]["p_adjusted"] = float(p)
            rows[i]["in_family"] = True
    label = _ADJUST_LABEL.get(p_adjust, p_adjust)
    for r in rows:
        reading = r.pop("_reading", None)
        if reading is not None:
            padj = (
                f", {label}-adjusted {_p(r['p_adjusted'])[2:]} over {len(family)} tests"
                if p_adjust != "none" and r["in_family"]
                else ""
            )
            r["reading"] = reading(padj)

    # ---- re-raise what the underlying functions warned, once each
    seen: set[tuple[type, str]] = set()
    for w in caught:
        key = (w.category, str(w.message))
        if key not in seen:
            seen.add(key)
            warnings.warn(str(w.message), w.category, stacklevel=2)
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    out["in_family"] = out["in_family"].astype(bool)
    return out
