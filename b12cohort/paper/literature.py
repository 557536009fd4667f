"""Comparison with published infant B12 cohorts.

Two pieces, kept apart so each can be checked on its own (the pooling itself, a
statistic, is :func:`b12cohort.stats.meta.pool_prevalence`):

:func:`load_literature`
    The bundled, sourced table of sign prevalences in published series of infants with
    vitamin B12 deficiency (``data/literature/published_cohorts.csv``, codebook in
    ``data/literature/README.md``), or the short table of what those series found on
    neurology against haemoglobin (``table="neurology_vs_hb"``).
:func:`compare_with_literature`
    For each sign: the cohort's prevalence with its exact confidence interval beside the
    pooled published prevalence, its confidence and prediction intervals and the
    heterogeneity (k, I², tau²).

The forest plot that draws these numbers is :func:`b12cohort.figures.plot_forest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort._bundled import bundled_file
from b12cohort.core.arguments import check_choice, check_confidence, require_columns
from b12cohort.core.errors import ArgumentError, CohortValidationError
from b12cohort.paper._literature_readings import comparison_reading
from b12cohort.stats.meta import (
    CI_METHODS,
    METHODS,
    POOLING_TEST,
    SINGLE_STUDY_TEST,
    TRANSFORMS,
    clopper_pearson,
    pool_prevalence,
)

__all__ = [
    "COHORT_SIGNS",
    "SIGN_VOCABULARY",
    "TIMINGS",
    "compare_with_literature",
    "load_literature",
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
# fmt: off
_COMPARE_COLUMNS = [
    "sign", "literature_sign", "timing", "events", "total", "proportion", "ci_low", "ci_high",
    "k", "studies", "synthesis", "comparator_estimate", "comparator_ci_low",
    "comparator_ci_high", "pooled_estimate", "pooled_ci_low", "pooled_ci_high", "pi_low",
    "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "i2", "q_p_value", "estimator", "method",
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
        (fraction), ``q_p_value`` (NaN unless k >= 2), ``estimator`` (the ``method``
        argument), ``method`` ("random-effects" from k = 2; "exact" for one study, shown
        alone with its Clopper-Pearson interval; "not-tested" for k = 0), ``ci_method``
        ("clopper-pearson" for one study, "none" for k = 0), ``transform``,
        ``confidence``, ``n_corrected``, ``test`` and ``reading`` (one sentence that says
        only what these numbers show; see Notes).

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
    check_choice(method, METHODS, name="method", function=function)
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
        lo, hi = clopper_pearson(events=[x], n=[n], confidence=level)
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
        k = len(subset)
        row |= {
            "estimator": method,
            "method": ("not-tested", "exact", "random-effects")[min(k, 2)],
            "ci_method": ("none", "clopper-pearson", ci_method)[min(k, 2)],
            "transform": transform,
            "confidence": level,
            "test": ("no comparable series: nothing compared", SINGLE_STUDY_TEST, POOLING_TEST)[
                min(k, 2)
            ],
        }
        rows.append(row | {"reading": comparison_reading(pd.Series(row).reindex(_COMPARE_COLUMNS))})
    out = pd.DataFrame(rows).reindex(columns=_COMPARE_COLUMNS)
    out["n_corrected"] = out["n_corrected"].astype("Int64")
    for column in (
        "sign",
        "literature_sign",
        "timing",
        "studies",
        "synthesis",
        "estimator",
        "method",
        "ci_method",
        "transform",
        "test",
        "reading",
    ):
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
