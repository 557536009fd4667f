"""Table 1: the cohort description a paper opens with (STROBE item 14).

:func:`table_one` describes the cohort overall and, with ``by=``, per group, with one
small-sample test per variable; the result renders to CSV, Markdown, LaTeX and HTML
(see :mod:`b12cohort.core.tables`). Counts and quantiles come from numpy/pandas group
aggregations, so it runs on simulated cohorts of 10^5-10^6 infants as well as on the 19
of the published series.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_choice,
    check_confidence,
    check_dataframe,
    check_positive_int,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ApproximationWarning, ArgumentError, DataQualityWarning
from b12cohort.core.tables import TableOne, auto_decimals, format_test, summary_table
from b12cohort.stats import _kruskal_exact
from b12cohort.stats._censoring import censoring, show_censoring
from b12cohort.stats._group_tests import footnotes, group_tests
from b12cohort.stats.contingency import fisher_exact_table
from b12cohort.stats.proportions import PREVALENCE_METHODS, binomial_ci

__all__ = ["TableOne", "table_one"]

# Columns whose name marks a direct identifier; never summarised by default.
_IDENTIFIERS = ("patient_id",)

# Mann-Whitney: R's wilcox.test uses the exact null distribution when both samples are
# smaller than this and there are no ties.


_RESERVED_COLUMNS = ("variable", "level", "Overall", "test", "p_value", "missing")
_STAT_COLUMNS = ("variable", "kind", "level", "group", "N", "n_missing", "n", "proportion",
                 "ci_low", "ci_high", "mean", "sd", "median", "q1", "q3", "min", "max")  # fmt: skip
_TEST_COLUMNS = ("variable", "test", "method", "statistic", "df", "p_value", "n_groups", "note")


def _as_list(value, *, name: str, data, function: str) -> list[str]:
    if value is None:
        return []
    cols = require_columns(data, value, function=function)
    if len(set(cols)) != len(cols):
        raise ArgumentError(f"{function}(): `{name}` names a column twice: {cols}.")
    return cols


def _kind(series: pd.Series, name: str, forced: str | None, *, function: str) -> str | None:
    """continuous / binary / categorical, or None for a type Table 1 cannot summarise."""
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if forced == "continuous":
        if not numeric:
            raise ArgumentError(
                f"{function}(): `continuous` lists '{name}', but its dtype is {dtype}, not "
                "numeric. Convert it (e.g. pd.to_numeric) or list it in `categorical`."
            )
        return "continuous"
    if forced == "categorical":
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype):
        return "binary"
    if numeric:
        return "continuous"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return "categorical"  # (object columns count as strings here)
    return None


def _levels(series: pd.Series) -> list:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [False, True]
    if isinstance(dtype, pd.CategoricalDtype):
        return list(dtype.categories)
    values = pd.unique(series.dropna().to_numpy())
    try:
        return sorted(values.tolist())
    except TypeError:  # mixed types: order by text
        return sorted(values.tolist(), key=str)


def _level_label(level) -> str:
    if isinstance(level, bool | np.bool_):
        return "yes" if level else "no"
    return str(level)


def _groups(data: pd.DataFrame, by: str, *, function: str, notes: list[str]):
    """Group codes (-1 = no group) and labels of the non-empty groups of ``by``."""
    series = data[by]
    if pd.api.types.is_float_dtype(series.dtype):
        raise ArgumentError(
            f"{function}(): `by` column '{by}' is continuous (dtype {series.dtype}); group by "
            "a categorical, boolean or integer column (e.g. 'anemia_grade', or pd.cut first)."
        )
    levels = _levels(series)
    codes = pd.Categorical(series, categories=levels).codes.astype(np.int64)
    sizes = np.bincount(codes[codes >= 0], minlength=len(levels))
    keep = sizes > 0
    if not keep.any():
        raise ArgumentError(f"{function}(): `by` column '{by}' has no non-missing value.")
    dropped = [_level_label(lv) for lv, k in zip(levels, keep, strict=True) if not k]
    if dropped:
        msg = f"Empty group(s) of {by} dropped: {', '.join(dropped)}."
        notes.append(msg)
        warnings.warn(f"{function}(): {msg}", DataQualityWarning, stacklevel=3)
    kept = [lv for lv, k in zip(levels, keep, strict=True) if k]
    codes = np.where(codes >= 0, (np.cumsum(keep) - 1)[codes], -1)  # renumber kept groups
    labels = [_level_label(lv) for lv in kept]
    if any(lab in _RESERVED_COLUMNS for lab in labels):
        labels = [f"{by}={lab}" for lab in labels]
    n_no_group = int((codes < 0).sum())
    if n_no_group:
        notes.append(
            f"{n_no_group} infant(s) with {by} missing are counted in Overall only (not in a "
            "group, not in the tests)."
        )
    return codes, labels


def _describe(frame: pd.DataFrame, codes: np.ndarray, n_groups: int):
    """Continuous summaries per group (rows with code -1 left out), NaN skipped.

    Returns a dict statistic -> DataFrame (index 0..n_groups-1, one column per variable).
    """
    sel = codes >= 0
    grouped = frame[sel].groupby(codes[sel])
    q = grouped.quantile([0.25, 0.5, 0.75])
    parts = {
        "N": grouped.count(),
        "mean": grouped.mean(),
        "sd": grouped.std(),
        "median": q.xs(0.5, level=1),
        "q1": q.xs(0.25, level=1),
        "q3": q.xs(0.75, level=1),
        "min": grouped.min(),
        "max": grouped.max(),
    }
    out = {k: v.reindex(range(n_groups)) for k, v in parts.items()}
    out["N"] = out["N"].fillna(0)
    return out


def _continuous_rows(num: pd.DataFrame, codes: np.ndarray, columns: list[str], sizes: list[int]):
    """Statistics rows of every continuous variable: overall, then per group."""
    if num.shape[1] == 0:
        return []
    overall = _describe(num, np.zeros(len(num), dtype=np.int64), 1)
    parts = [{k: v.loc[0] for k, v in overall.items()}]
    if len(columns) > 1:
        per_group = _describe(num, codes, len(columns) - 1)
        parts += [{k: v.loc[g] for k, v in per_group.items()} for g in range(len(columns) - 1)]
    rows = []
    for var in num.columns:
        for col, part, size in zip(columns, parts, sizes, strict=True):
            cell = {k: float(v[var]) for k, v in part.items()}
            n_obs = int(cell.pop("N"))
            rows.append(
                {"variable": var, "kind": "continuous", "level": None, "group": col,
                 "N": n_obs, "n_missing": size - n_obs, **cell}
            )  # fmt: skip
    return rows


def _level_counts(series: pd.Series, codes: np.ndarray, n_groups: int):
    """Levels, and counts per level overall (row 0) and per group (rows 1..n_groups)."""
    levels = _levels(series)
    n_levels = len(levels)
    vcodes = pd.Categorical(series, categories=levels).codes.astype(np.int64)
    seen = vcodes >= 0
    sel = seen & (codes >= 0)
    per_group = np.bincount(codes[sel] * n_levels + vcodes[sel], minlength=n_groups * n_levels)
    overall = np.bincount(vcodes[seen], minlength=n_levels)
    return levels, np.vstack([overall, per_group.reshape(n_groups, n_levels)])


def _categorical_rows(var, kind, levels, counts, columns, sizes, *, ci_method, confidence):
    """Statistics rows of one binary/categorical variable (binary: the ``yes`` level only)."""
    totals = counts.sum(axis=1)
    low, high = binomial_ci(
        events=counts, n=np.broadcast_to(totals[:, None], counts.shape), ci_method=ci_method,
        confidence=confidence,
    )  # fmt: skip
    rows = []
    for j in [len(levels) - 1] if kind == "binary" else range(len(levels)):
        for i, col in enumerate(columns):
            rows.append(
                {"variable": var, "kind": kind, "level": _level_label(levels[j]), "group": col,
                 "N": int(totals[i]), "n_missing": int(sizes[i] - totals[i]),
                 "n": int(counts[i, j]),
                 "proportion": counts[i, j] / totals[i] if totals[i] else np.nan,
                 "ci_low": low[i, j], "ci_high": high[i, j]}
            )  # fmt: skip
    return rows


def table_one(
    data: pd.DataFrame,
    *,
    by: str | None = None,
    variables: Sequence[str] | str | None = None,
    categorical: Sequence[str] | str | None = None,
    continuous: Sequence[str] | str | None = None,
    mean_sd: bool = False,
    confidence: float = 0.95,
    missing: bool = True,
    labels: Mapping[str, str] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    ci_method: str = "clopper-pearson",
    max_work: int = 1_000_000,
    random_state: Any = DEFAULT_SEED,
) -> TableOne:
    """Table 1: the cohort described overall and, optionally, by group, with tests.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per infant. Not modified.
    by : str, optional
        Grouping column (categorical, boolean or integer), e.g. ``"sex"`` or
        ``"anemia_grade"``. Groups appear in category order (booleans: no, yes;
        others sorted); empty groups are dropped and noted. Infants with ``by``
        missing count in Overall only.
    variables : str or sequence of str, optional
        Columns to describe, in this order. Default: every column in frame order
        except ``by``, ``patient_id``, text columns whose values are all distinct
        (more than 10; identifier-like) and types Table 1 cannot summarise (dates);
        the skipped ones are named in :attr:`TableOne.notes`.
    categorical, continuous : str or sequence of str, optional
        Override the type detection (boolean -> binary, i.e. one ``yes`` row;
        categorical/text -> one row per level; numeric -> continuous). A boolean
        listed in ``categorical`` shows both levels; an integer column listed there
        (e.g. ``admission_year``) one row per value.
    mean_sd : bool
        Also show mean (SD) for continuous variables. Default False (median [IQR]
        and min, max only: small skewed samples).
    confidence : float
        Level of the confidence intervals in :attr:`TableOne.statistics`.
    missing : bool
        Show the ``missing`` column (STROBE item 14b). Default True.
    labels : mapping, optional
        Display names for variables in :attr:`TableOne.summary` (statistics keep the
        column names).
    decimals : int or mapping, optional
        Decimals of continuous summaries, for all or per variable; default see Notes.
    ci_method : str
        Interval method for proportions in :attr:`TableOne.statistics` (as in
        :func:`prevalence`). Default Clopper-Pearson.
    max_work : int
        Work budget (partial tables) of each exact Fisher-Freeman-Halton test; a table
        needing more gets a seeded Monte Carlo p-value, named so in its row. The
        default, 10^6, is a tenth of :func:`~b12cohort.stats.contingency.fisher_exact_table`'s
        own: it is ample for cohorts of hundreds (a 4 x 3 table of 19 infants needs
        about 10^4) and keeps ``by=`` on 10^5 rows under a second.
    random_state : int, numpy.random.Generator or None, default DEFAULT_SEED
        Seed of the Monte Carlo p-values (Fisher-Freeman-Halton beyond ``max_work``,
        Kruskal-Wallis beyond its enumeration budget).

    Returns
    -------
    TableOne
        Frozen result: ``summary`` (formatted strings), ``statistics`` (numbers),
        ``tests``, ``by``, ``groups``, ``notes``; see :class:`TableOne` for every
        column. Export with ``to_csv``, ``to_markdown``, ``to_latex``, ``to_html``.

    Raises
    ------
    ArgumentError
        Absent columns, a variable both categorical and continuous, a non-numeric
        ``continuous`` column, ``by`` listed among the variables, ``by`` continuous
        or entirely missing, an unsupported dtype named in ``variables``.

    Warns
    -----
    DataQualityWarning
        Empty groups of ``by`` were dropped.
    ApproximationWarning
        A Mann-Whitney test used the normal approximation (ties, or a group >= 50), or a
        Kruskal-Wallis p-value was estimated by Monte Carlo.

    Notes
    -----
    Cells. Continuous: median [Q1, Q3] (quartiles as R ``quantile`` type 7 /
    numpy ``linear``) and min, max; with ``mean_sd`` also mean (SD, n - 1
    denominator). Binary/categorical: n (%), the percentage of the *non-missing*
    values of that column (so percentages of one variable sum to 100 and the
    ``missing`` column gives the rest). Percentages have one decimal, p-values three
    (``<0.001`` below that). Continuous summaries get three significant figures of
    the variable's typical magnitude (largest absolute quartile), at most 3 decimals
    and at most one decimal more than the data were recorded with (Hb in whole g/L
    -> ``72.0 [65.5, 81.0]``, a dose of 500 ug -> ``500 [100, 500]``).

    Tests (with ``by``), one per variable, chosen for small samples and named in
    the row: categorical and binary variables, the Fisher-Freeman-Halton exact test
    on the groups x levels table (empty rows/columns removed) from
    :func:`b12cohort.stats.contingency.fisher_exact_table`, which falls back to a seeded
    Monte Carlo p-value only when enumeration is infeasible and says so; continuous
    variables with two groups, the Mann-Whitney U test, chosen as R ``wilcox.test``
    does -- exact when both groups have fewer than 50 values and there are no ties,
    otherwise the normal approximation with continuity correction and tie-corrected
    variance; three or more groups, the Kruskal-Wallis test with the exact permutation
    p-value (every assignment of the pooled values to groups of the observed sizes,
    mid-ranks for ties; :mod:`b12cohort.stats._kruskal_exact`) when the enumeration
    fits its budget (10^8 work units, about a second); beyond it the chi-squared
    approximation with tie correction (as R ``kruskal.test``) when every group has at
    least 5 values, otherwise a Monte Carlo permutation p-value from 10,000 resamples
    seeded by ``random_state`` (the row's ``method`` and ``note`` say which, with the
    standard error). A variable the grouping column is derived from (Hb for
    ``anemia_grade``, the signs for ``neuro_score``; see
    :data:`b12cohort.dictionary.derived.DERIVED_FROM`), or derived from it, is not
    tested: the p-value would only restate how the groups were made; the row and a
    footnote say so. The test compares
    distributions, not means; no multiplicity adjustment is made (Table 1 tests
    describe, they do not confirm). Checked against R ``fisher.test``,
    ``wilcox.test``, ``kruskal.test`` and ``quantile`` on a reference cohort.

    References
    ----------
    .. [1] von Elm E, Altman DG, Egger M, et al. The Strengthening the Reporting of
       Observational Studies in Epidemiology (STROBE) statement. Lancet.
       2007;370(9596):1453-1457.
    .. [2] Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness
       of fit and other problems of significance. Biometrika. 1951;38(1/2):141-149.
    .. [3] Mann HB, Whitney DR. On a test of whether one of two random variables is
       stochastically larger than the other. Ann Math Stat. 1947;18(1):50-60.
    .. [4] Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis.
       J Am Stat Assoc. 1952;47(260):583-621.
    .. [5] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat.
       1996;50(4):361-365.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({
    ...     "hb_g_l": [72.0, 65.0, 81.0, 90.0, None],
    ...     "hypotonia": pd.array([True, True, True, False, True], dtype="boolean"),
    ... })
    >>> t1 = table_one(cohort)
    >>> t1.summary
        variable         level            Overall missing
    0          n                                5
    1     hb_g_l  median [IQR]  76.5 [70.2, 83.2]       1
    2     hb_g_l      min, max         65.0, 90.0
    3  hypotonia           yes          4 (80.0%)       0
    """
    function = "table_one"
    check_dataframe(data, function=function)
    level = check_confidence(confidence, function=function)
    ci_method = check_choice(ci_method, PREVALENCE_METHODS, name="ci_method", function=function)
    max_work = check_positive_int(max_work, name="max_work", function=function)
    cat_cols = _as_list(categorical, name="categorical", data=data, function=function)
    cont_cols = _as_list(continuous, name="continuous", data=data, function=function)
    both = sorted(set(cat_cols) & set(cont_cols))
    if both:
        raise ArgumentError(
            f"{function}(): {', '.join(both)} listed in both `categorical` and `continuous`; "
            "list each column in one of them."
        )
    forced = {**dict.fromkeys(cat_cols, "categorical"), **dict.fromkeys(cont_cols, "continuous")}
    if by is not None:
        if not isinstance(by, str):
            raise ArgumentError(f"{function}(): `by` must be one column name, got {by!r}.")
        require_columns(data, by, function=function)
    labels = dict(labels or {})
    notes: list[str] = []

    kinds: dict[str, str] = {}
    if variables is None:
        skipped = []
        for col in data.columns:
            if col == by:
                continue
            series = data[col]
            kind = _kind(series, col, forced.get(col), function=function)
            identifier_like = (
                kind == "categorical"
                and col not in forced
                and not isinstance(series.dtype, pd.CategoricalDtype)
                and series.count() > 10
                and series.nunique() == series.count()
            )
            if kind is None or (col in _IDENTIFIERS and col not in forced) or identifier_like:
                skipped.append(str(col))
                continue
            kinds[col] = kind
        if skipped:
            notes.append(f"Not described (identifier or unsupported type): {', '.join(skipped)}.")
    else:
        columns = _as_list(variables, name="variables", data=data, function=function)
        if by in columns:
            raise ArgumentError(f"{function}(): `by` column '{by}' is also in `variables`.")
        stray = [c for c in forced if c not in columns]
        if stray:
            raise ArgumentError(
                f"{function}(): {', '.join(stray)} listed in `categorical`/`continuous` but not "
                "in `variables`; add them to `variables` (or leave `variables` unset)."
            )
        for col in columns:
            kind = _kind(data[col], col, forced.get(col), function=function)
            if kind is None:
                raise ArgumentError(
                    f"{function}(): cannot describe '{col}' (dtype {data[col].dtype}); list it "
                    "in `categorical`, or convert it to numbers."
                )
            kinds[col] = kind
    if not kinds:
        raise ArgumentError(f"{function}(): no column to describe.")
    if len(data) == 0:
        raise ArgumentError(f"{function}(): `data` has no rows.")

    # groups ---------------------------------------------------------------------------
    if by is None:
        codes, group_labels = np.full(len(data), -1, dtype=np.int64), []
    else:
        codes, group_labels = _groups(data, by, function=function, notes=notes)

    # numbers -------------------------------------------------------------------------
    sizes = [len(data), *np.bincount(codes[codes >= 0], minlength=len(group_labels)).tolist()]
    columns = ["Overall", *group_labels]
    cont = [c for c, k in kinds.items() if k == "continuous"]
    num = pd.DataFrame(
        {c: data[c].to_numpy(dtype="float64", na_value=np.nan) for c in cont}, index=data.index
    )
    censored = {c: data for c in cont if censoring(data, c) is not None}
    stat_rows = _continuous_rows(num, codes, columns, sizes)
    group_counts = {}
    for var in (c for c, k in kinds.items() if k != "continuous"):
        levels, counts = _level_counts(data[var], codes, len(group_labels))
        group_counts[var] = counts[1:]
        stat_rows += _categorical_rows(
            var, kinds[var], levels, counts, columns, sizes, ci_method=ci_method, confidence=level
        )
    statistics = pd.DataFrame(stat_rows).reindex(columns=list(_STAT_COLUMNS))
    statistics["n"] = statistics["n"].astype("Int64")
    statistics = statistics.iloc[
        np.argsort(statistics["variable"].map({v: i for i, v in enumerate(kinds)}), kind="stable")
    ].reset_index(drop=True)
    tests = pd.DataFrame(
        group_tests(
            num,
            kinds,
            codes,
            len(group_labels),
            group_counts,
            by=by,
            fisher=partial(fisher_exact_table, max_work=max_work, random_state=random_state),
            max_work=_kruskal_exact.DEFAULT_MAX_WORK,
            random_state=random_state,
            censored=censored,
        )
        if by is not None
        else [],
        columns=list(_TEST_COLUMNS),
    )

    # presentation ----------------------------------------------------------------------
    decimal_places = {}
    for var in cont:
        d = decimals.get(var) if isinstance(decimals, Mapping) else decimals
        if d is None:
            overall = statistics[
                (statistics["variable"] == var) & (statistics["group"] == "Overall")
            ]
            quartiles = np.abs(overall[["q1", "median", "q3"]].to_numpy(dtype=float))
            typical = float(np.max(quartiles)) if np.isfinite(quartiles).all() else np.nan
            d = auto_decimals(num[var].to_numpy(), typical)
        decimal_places[var] = check_positive_int(d, name="decimals", function=function, minimum=0)
    summary = summary_table(
        statistics, tests, kinds=kinds, columns=columns, sizes=sizes, labels=labels,
        decimals=decimal_places, mean_sd=mean_sd, missing=missing, tested=by is not None,
    )  # fmt: skip
    show_censoring(summary, statistics, censored, codes, columns, labels, decimal_places, notes)
    cells = "Continuous: " + ("mean (SD); " if mean_sd else "") + "median [IQR]; min, max. "
    cells += "Categorical: n (%), % of non-missing values."
    notes.insert(0, cells)
    if missing:
        notes.insert(1, "Missing: infants in whom the variable was not recorded.")
    if by is not None:
        used = sorted({format_test(r) for r in tests.to_dict("records") if r["test"] != "none"})
        if used:
            notes.append(
                "Tests: " + "; ".join(used) + ". Two-sided; not adjusted for multiplicity."
            )
        notes += footnotes(tests.to_dict("records"), by)
        approx = tests.loc[
            (tests["test"] == "Mann-Whitney U") & (tests["method"] != "exact"), "variable"
        ].tolist()
        if approx:
            warnings.warn(
                f"{function}(): Mann-Whitney p-values for {', '.join(approx)} use the normal "
                "approximation with continuity correction (ties or a group of >= 50), as R "
                "wilcox.test does; see the `test` column.",
                ApproximationWarning,
                stacklevel=2,
            )
    return TableOne(
        summary=summary,
        statistics=statistics,
        tests=tests,
        by=by,
        groups=tuple(group_labels),
        notes=tuple(notes),
    )
