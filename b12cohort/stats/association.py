"""The association layer: exact small-sample tests with effect sizes, and the summary table.

This module is the public face of the association analysis. It re-exports

* :func:`~b12cohort.stats.contingency.fisher_exact` and :func:`~b12cohort.stats.trend.trend_test`
  (Fisher-Freeman-Halton and Cochran-Armitage, :mod:`b12cohort.stats.contingency`);
* :func:`~b12cohort.stats.correlation.correlation`,
  :mod:`b12cohort.stats.correlation`),
  :func:`~b12cohort.stats.power.detectable_correlation`,
  :func:`~b12cohort.stats.power.power_correlation` and
  :func:`~b12cohort.stats.power.correlation_equivalence` (:mod:`b12cohort.stats.power`);
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
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_between,
    check_choice,
    check_confidence,
    check_dataframe,
    check_p_adjust,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ArgumentError
from b12cohort.stats._ordinal_primary import ordinal_primary_row
from b12cohort.stats._readings import SUMMARY_COLUMNS, _row, correlation_rows, sign_rows
from b12cohort.stats._sentences import ADJUST_LABEL, PRIMARY, adjustment_text

__all__ = ["SUMMARY_COLUMNS", "association_summary"]


def association_summary(
    data: pd.DataFrame,
    *,
    scheme: str | None = None,
    signs: Sequence[str] | None = None,
    p_adjust: str = "holm",
    confidence: float = 0.95,
    p_method: str = "auto",
    random_state: Any = DEFAULT_SEED,
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
    p_method : {"auto", "exact", "asymptotic"}
        How the p-values of the trend, Wilcoxon and linear-by-linear rows are computed
        (passed to :func:`trend_test`, :func:`compare_groups` and
        :func:`~b12cohort.stats.ordinal.ordinal_association`: under ``"auto"`` the
        linear-by-linear test is exact within its work budget, else asymptotic with an
        ApproximationWarning and no detection threshold; the Fisher rows use ``"auto"``,
        or ``"exact"`` when ``"exact"`` is asked, as Fisher's test has no asymptotic
        version here). ``"auto"`` (default): the exact (permutation) Cochran-Armitage
        test and R's rule for the Wilcoxon test; when the exact trend test would exceed
        its work budget (see :func:`trend_test`; with the three anaemia grades not
        before ~10^6 infants, with four or more grades from ~10^4), the asymptotic test
        runs and the row's ``method`` ("asymptotic") and ``method_detail`` ("exact
        distribution infeasible: ...") say so, as do ``note``, ``reading`` and an
        ApproximationWarning. ``"exact"``: raise
        :class:`~b12cohort.core.errors.ExactTestInfeasibleError` instead (the error is
        raised, not captured in a row). ``"asymptotic"``: the asymptotic tests.
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
        One row per comparison, in this order: the two primary analyses, (1)
        ``neuro_score`` against Hb, Spearman's rho with its Fisher-z CI
        (:func:`correlation`), and (2) ``neuro_score`` across the ordered anaemia
        grades, the exact linear-by-linear association test
        (:func:`~b12cohort.stats.ordinal.ordinal_association`, ``method=
        "linear-by-linear"``); then what supports the first, (3) the correlation
        detectable with 80% power by Spearman's test at this n
        (:func:`detectable_correlation` with ``method="spearman"``) and (4)
        the TOST equivalence test (:func:`correlation_equivalence`); then for each sign,
        (5) the sign across anaemia grades (Fisher-Freeman-Halton exact test,
        :func:`fisher_exact`), (6) the trend of the sign with severity
        (Cochran-Armitage, :func:`trend_test`), (7) Hb with minus without the sign
        (Hodges-Lehmann shift and CI, :func:`compare_groups`). Columns:

        ``outcome``, ``exposure``
            Column names (``neuro_score`` and ``hb_g_l`` or ``anemia_grade``; the sign
            and ``anemia_grade``; ``hb_g_l`` and the sign).
        ``comparison``
            What is compared, in words.
        ``analysis``
            ``"primary"`` (``neuro_score`` against Hb and against the grade: the paper's
            question, two tests adjusted as their own family), ``"secondary"`` (the
            per-sign tests: one family, adjusted with ``p_adjust``) or ``"supporting the
            primary"`` (the detectable correlation and the equivalence test: no test of
            the primary null).
        ``test``, ``method``, ``method_detail``
            The test that ran, how (a token: "exact", "monte-carlo", "asymptotic",
            "permutation"...), and in words why this test and what ran, from the
            underlying result; test "not tested" and method "not-tested" with the reason
            in ``note``.
        ``estimate``, ``estimate_type``
            The effect and what it is (e.g. "Hodges–Lehmann shift, g/L (with minus
            without the sign)", "Spearman rho"); NaN when the test has no single effect
            (R×C Fisher).
        ``ci_low``, ``ci_high``, ``confidence``
            Interval and its level (the achieved level for small exact Wilcoxon
            intervals; 1 - 2 alpha for the TOST); all three NaN on rows without an
            interval (R×C Fisher, trend, detectable correlation, not tested).
        ``p_value``
            Unadjusted p-value (TOST: the larger one-sided p; NaN when not tested).
        ``p_adjusted``, ``p_adjust``, ``in_family``
            Adjusted p-value and method. ``in_family`` is True on the secondary rows
            that were tested: they are adjusted together. The two primary rows are
            adjusted together as a family of their own (same ``p_adjust``; if only one
            was tested it keeps its p); ``in_family`` is False on them. NaN elsewhere.
        ``n``, ``n_missing``
            Subjects analysed and rows dropped for missing values.
        ``scheme``
            The grading used ("as in data" or the scheme name).
        ``reading``
            Plain-language reading with the estimate and its CI read on each side
            separately, the multiplicity clause (primary: the p adjusted over the two
            primaries; secondary: the adjusted p and what it means for a claim of
            absence) and (for the
            correlation) the detectable effect; numbers rounded for reading only (rho to
            2 decimals, Hb to 0.1 g/L, p to 3 decimals). Strength words for rho follow
            the scale of :data:`b12cohort.stats._wording.STRENGTH_SCALE` (|rho| below
            0.1 negligible, 0.3 weak, 0.5 moderate, 0.7 moderately strong, else strong);
            "rises"/"falls" are said of a trend only when the observed proportions are
            monotone.
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
    *Primary and secondary analyses*: the paper's question, does the neurology track the
    degree of anaemia, is asked twice, with the two measures of the degree:
    ``neuro_score`` against Hb (Spearman) and against the anaemia grade (the exact
    linear-by-linear test, which uses the order of both the grade and the number of
    signs). A claim that the neurology tracks anaemia could rest on either test, so the
    two are one family, adjusted with ``p_adjust`` (Holm by default: valid under any
    dependence; the grade is a function of Hb, so the two tests are positively
    dependent and Holm is conservative here), and the readings give both the unadjusted
    and the adjusted p. The reading of the grade test also says, from the same exact
    distribution, the smallest score correlation ``|r|`` that could have reached
    p <= 0.05 at the observed margins; its power against a given trend is not computed
    (that needs a model of the alternative) and the reading says so.
    The family for the secondary adjustment is the per-sign tests of a null of no
    association: the three tests per sign with variation (3 x signs). The equivalence
    test (a different null) and the detectable correlation (not a test) are outside it;
    so are rows not tested. An adjusted p-value protects against false claims of an
    association; it makes a large p even less informative about absence, and the
    readings say so.

    *Readings* never conclude "no association" from a large p-value: they give the
    interval, and for the correlation the effect the cohort could have detected
    (``pwr.r.test``) and the equivalence test; for the linear-by-linear test, the
    smallest correlation it could have detected at these margins. The Fisher and trend rows have no
    interval (R×C table), so their readings only warn that a large p is not evidence of
    absence. The readings avoid the words "no correlation", "no association" and
    "unrelated" altogether.

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
    22
    >>> table.loc[table["outcome"] == "neuro_score", "analysis"].tolist()
    ['primary', 'primary', 'supporting the primary', 'supporting the primary']
    >>> int(table["in_family"].sum())  # the secondary tests of the five varying signs
    15
    """
    fn = "association_summary"
    check_dataframe(data, function=fn)
    require_columns(data, ["hb_g_l"], function=fn)
    confidence = check_confidence(confidence, function=fn)
    p_adjust = check_p_adjust(p_adjust, function=fn)
    p_method = check_choice(p_method, ("auto", "exact", "asymptotic"), name="p_method", function=fn)
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

    # ---- the two primary analyses first, then what supports them, then the signs
    primary = correlation_rows(
        work, scheme_label=scheme_label, confidence=confidence, random_state=random_state,
        bound=bound, caught=caught,
    )  # fmt: skip
    ordinal_row = ordinal_primary_row(
        work, scheme_label=scheme_label, p_method=p_method, caught=caught, row=_row
    )
    rows: list[dict[str, Any]] = [primary[0], ordinal_row, *primary[1:]]
    for s in sign_list:
        rows += sign_rows(
            work, s, scheme_label=scheme_label, confidence=confidence,
            p_method=p_method, random_state=random_state, caught=caught,
        )  # fmt: skip

    # ---- multiplicity: the two primary tests are one family of their own, the
    # secondary per-sign tests another; the same p_adjust within each
    for r in rows:
        r["p_adjust"] = p_adjust
    primaries = [
        i for i, r in enumerate(rows) if r["analysis"] == PRIMARY and math.isfinite(r["p_value"])
    ]
    family = [i for i, r in enumerate(rows) if r["in_family"] and math.isfinite(r["p_value"])]
    for r in rows:
        r["in_family"] = False
    for members, flag in ((primaries, False), (family, True)):
        if not members:
            continue
        pvals = np.array([rows[i]["p_value"] for i in members], dtype=float)
        adjusted = pvals if p_adjust == "none" else _adjust(pvals, p_adjust)
        for i, p in zip(members, adjusted, strict=True):
            rows[i]["p_adjusted"] = float(p)
            rows[i]["in_family"] = flag
    label = ADJUST_LABEL.get(p_adjust, p_adjust)
    for r in rows:
        reading = r.pop("_reading", None)
        if reading is not None:
            size = len(primaries) if r["analysis"] == PRIMARY else len(family)
            r["reading"] = reading(adjustment_text(r, label=label, family_size=size))

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


def _adjust(pvals: np.ndarray, method: str) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    return multipletests(pvals, method=method)[1]
