"""Cochran–Armitage test for trend in a binary outcome across ordered levels.

Asymptotic (R ``prop.trend.test``) or exact conditional (R ``coin::independence_test``;
engine in :mod:`b12cohort.stats._trend`, exact for three levels up to 10^6 subjects and
beyond). No maintained Python package offers the Cochran–Armitage trend test (statsmodels
has no trend test for 2×k tables), so it is written here. Split from
:mod:`b12cohort.stats.contingency`, which re-exports :func:`trend_test` and :class:`TrendResult`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_positive_int,
    require_columns,
)
from b12cohort.core.categories import codes as _codes
from b12cohort.core.categories import levels as _levels
from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.core.results import Result
from b12cohort.stats import _fexact, _trend

__all__ = ["TrendResult", "trend_test"]

#: Values of ``p_method`` accepted by :func:`trend_test`.
TREND_P_METHODS = ("asymptotic", "auto", "exact")
#: Default work budget of the exact trend distribution (work units; about 1-3 s).
DEFAULT_MAX_STATES = 10_000_000


@dataclass(frozen=True)
class TrendResult(Result):
    """Result of :func:`trend_test`.

    Attributes
    ----------
    statistic : float
        Chi-squared statistic with 1 df. Asymptotic: R ``prop.trend.test``'s
        ``X-squared``; exact: the square of ``z`` (standardised with the permutation
        variance, as ``coin``'s quadratic form). NaN when no trend can be tested.
    z : float
        Signed standardised statistic, positive when the proportion of ``True`` rises with
        the score. Asymptotic: ``sqrt(statistic)`` with the sign of the trend; exact:
        ``coin``'s ``Z`` (permutation variance, i.e. with the ``N/(N-1)`` factor).
    p_value : float
        p-value for ``alternative``.
    test : str
        ``"Cochran–Armitage test for trend"``.
    method : str
        ``"exact"`` or ``"asymptotic"`` (a token of
        :data:`~b12cohort.core.results.METHOD_TOKENS`).
    method_detail : str
        Prose about what ran: when ``p_method="auto"`` could not run the exact
        distribution within ``max_work``, ``"exact distribution infeasible: about N
        states > max_work=B"`` (also in ``note``); "" otherwise.
    alternative : str
        ``"two-sided"``, ``"greater"`` (proportion increases with the score) or ``"less"``.
    df : int
        Degrees of freedom of ``statistic`` (1).
    scores : tuple of float
        Score of each analysed level, in level order.
    levels : tuple
        The analysed (observed) levels in order.
    table : pandas.DataFrame
        One row per analysed level (index: level) with columns ``n`` (observations),
        ``events`` (``True`` outcomes), ``proportion`` and ``score``.
    dropped_levels : tuple
        Empty levels of ``ordinal`` that were dropped.
    n : int
        Observations analysed.
    n_missing : int
        Rows dropped because ``outcome`` or ``ordinal`` was missing.
    note : str
        Plain-language remarks ("" if none).
    outcome, exposure : str
        The column names: the binary ``outcome`` and the ``ordinal`` exposure.
    """

    statistic: float
    z: float
    p_value: float
    test: str
    method: str
    alternative: str
    df: int
    scores: tuple
    levels: tuple
    table: pd.DataFrame
    dropped_levels: tuple
    n: int
    n_missing: int
    note: str = ""
    outcome: str | None = None
    exposure: str | None = None
    method_detail: str = ""

    summary_fields = (
        "outcome", "exposure", "test", "method", "alternative", "n", "n_missing", "n_levels",
        "statistic", "df", "z", "p_value", "scores", "dropped_levels", "note",
    )  # fmt: skip

    def _summary_extra(self) -> dict[str, Any]:
        """The number of levels, and the scores and dropped levels as text."""
        return {
            "n_levels": len(self.levels),
            "scores": ", ".join(
                f"{lv}={sc:g}" for lv, sc in zip(self.levels, self.scores, strict=True)
            ),
            "dropped_levels": ", ".join(map(str, self.dropped_levels)),
        }


TREND_TEST = "Cochran–Armitage test for trend"


def _binary_outcome(series: pd.Series, name: str, function: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series
    values = series.dropna()
    if pd.api.types.is_numeric_dtype(series.dtype) and values.isin([0, 1]).all():
        return series.astype("boolean")
    raise ArgumentError(
        f"{function}(): `outcome` column {name!r} must be boolean (True = event) or 0/1; "
        f"got dtype {series.dtype} with values such as {list(pd.unique(values))[:5]!r}."
    )


def _ordinal_levels(series: pd.Series, name: str, function: str) -> list:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not dtype.ordered:
            raise ArgumentError(
                f"{function}(): `ordinal` column {name!r} is an unordered Categorical; a "
                "trend needs ordered levels. If the category order is meaningful use "
                f"data[{name!r}].cat.as_ordered() (or pass a numeric column)."
            )
        return list(dtype.categories)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return _levels(series)
    raise ArgumentError(
        f"{function}(): `ordinal` column {name!r} must be an ordered Categorical or numeric; "
        f"got dtype {dtype}. Convert it with pd.Categorical(..., categories=[...], "
        "ordered=True)."
    )


def _trend_scores(scores, levels: list, all_levels: list, function: str) -> np.ndarray:
    k = len(levels)
    if scores is None:
        return np.arange(1.0, k + 1.0)
    if isinstance(scores, Mapping):
        missing = [lv for lv in levels if lv not in scores]
        if missing:
            raise ArgumentError(
                f"{function}(): `scores` has no score for observed level(s) "
                f"{', '.join(map(repr, missing))}; give one for each of {levels!r}."
            )
        out = [scores[lv] for lv in levels]
    elif isinstance(scores, Sequence | np.ndarray | pd.Series) and not isinstance(scores, str):
        out = list(scores)
        if len(out) != k:
            extra = (
                f" (the column has {len(all_levels)} categories but only {k} are observed; "
                "pass a dict level -> score to be explicit)"
                if len(out) == len(all_levels)
                else ""
            )
            raise ArgumentError(
                f"{function}(): `scores` must have one value per observed level ({k}: "
                f"{levels!r}); got {len(out)}{extra}."
            )
    else:
        raise ArgumentError(
            f"{function}(): `scores` must be None, a dict level -> score or a sequence; "
            f"got {type(scores).__name__}."
        )
    try:
        arr = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        arr = np.array([np.nan])
    if not np.isfinite(arr).all():
        raise ArgumentError(f"{function}(): `scores` must be finite numbers; got {out!r}.")
    return arr


def trend_test(
    data: pd.DataFrame,
    *,
    outcome: str,
    ordinal: str,
    scores: Mapping | Sequence[float] | None = None,
    p_method: str = "auto",
    alternative: str = "two-sided",
    max_work: int = DEFAULT_MAX_STATES,
) -> TrendResult:
    """Cochran–Armitage test for a trend in a binary outcome across ordered levels.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject. Not modified.
    outcome : str
        Boolean column (``True`` = event; 0/1 accepted).
    ordinal : str
        Ordered Categorical (e.g. ``anemia_grade``) or numeric column (its distinct values
        are the levels, in increasing order).
    scores : dict or sequence, optional
        Score of each level. Default ``1, 2, ..., k`` over the *observed* levels in order
        (empty levels are dropped first). A dict maps level -> score (levels not observed
        may be included); a sequence gives the scores of the observed levels in order.
    p_method : {"auto", "exact", "asymptotic"}
        ``"auto"`` (default, as every test of the package): exact where feasible within
        ``max_work``, else the asymptotic test, recorded in ``method_detail`` and
        ``note`` and warned (:class:`ApproximationWarning`). ``"exact"``: exact
        conditional (permutation) test, as R
        ``coin::independence_test(..., distribution = "exact")`` (see Notes), or
        :class:`~b12cohort.core.errors.ExactTestInfeasibleError` when it would exceed
        ``max_work``. ``"asymptotic"``: chi-squared test, as R ``prop.trend.test``
        (the default until the unreleased change in CHANGELOG.md).
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: the proportion of ``True`` increases with the score.
    max_work : int
        Work budget of the exact test, in states of its dynamic programme (a term of a
        hypergeometric tail sum counts 1/20; 10^7 is about 1-3 s). The work is bounded
        before anything is computed (see ``p_method`` for what happens beyond it).

    Returns
    -------
    TrendResult
        Frozen dataclass; see :class:`TrendResult` (``statistic``, ``z``, ``p_value``,
        ``test``, ``method``, ``scores``, ``levels``, ``table``, ``dropped_levels``, ``n``,
        ``n_missing``, ``.summary``).

    Raises
    ------
    ArgumentError
        Unknown column, outcome not binary, ordinal not ordered, bad scores or options.

    Warns
    -----
    DataQualityWarning
        Empty levels dropped; or no trend can be tested (one level, one outcome value or
        constant scores), in which case p = 1 and the statistic is NaN.
    ApproximationWarning
        ``p_method="auto"`` and the exact test would exceed ``max_work``: the asymptotic
        test ran (never silently: ``method`` and ``method_detail`` say so).

    Notes
    -----
    With ``x_i`` events out of ``n_i`` at score ``s_i``, ``N = Σ n_i``, ``p = Σ x_i / N`` and
    ``s̄ = Σ n_i s_i / N``, the statistic is ``T = Σ x_i s_i`` and the asymptotic test uses
    ``z = Σ x_i (s_i − s̄) / sqrt(p (1 − p) Σ n_i (s_i − s̄)²)`` and ``X² = z²`` with 1 df —
    exactly R ``prop.trend.test(x, n, score)`` (checked against it); one-sided p-values use
    the normal tail of ``z``.

    The exact test conditions on both margins: under the null the events are a random
    subset of size ``Σ x_i``, so the events per level are multivariate hypergeometric and
    ``T`` has a permutation distribution, summed exactly (no simulation): a dynamic
    programme over all levels but the two largest, whose events are then a single
    hypergeometric variable given the others, so that the region counted is a
    hypergeometric tail (:mod:`b12cohort.stats._trend`). States and tail terms that cannot
    change the p-value by more than ``3e-12`` of itself are skipped (the bound is
    rigorous: the p-value is at least the probability of the observed table). With the
    three anaemia grades this stays exact for 10^6 infants (about 0.2 s); four or more
    levels reach the budget near 10^4 subjects, where the asymptotic test runs instead
    (see ``max_work``). ``z`` is then standardised with the
    permutation variance ``Σx (N − Σx) / (N (N − 1)) Σ n_i (s_i − s̄)²`` and the p-values are
    those of ``coin``: two-sided ``P(|Z| >= |z|)``, ``"greater"`` ``P(Z >= z)``, ``"less"``
    ``P(Z <= z)``, with ties within ``sqrt(.Machine$double.eps)`` on the ``Z`` scale.
    Reference call (R, coin 1.4)::

        d$grp <- factor(d$ordinal, ordered = TRUE)
        d$y <- factor(d$outcome, levels = c(TRUE, FALSE))
        independence_test(grp ~ y, data = d, distribution = "exact",
                          scores = list(grp = scores))

    (the binary outcome is coin's two-sample grouping and the scored ordered factor its
    response; with ``TRUE`` as first level coin's ``Z`` has our sign.) Checked against coin
    1.4-2 to 1e-10 absolute and 1e-9 relative up to n = 1000 (coin overflows from n ~ 3000),
    against exact rational arithmetic, and at n = 3500 against the whole distribution.

    The test is sensitive to a linear trend in the scores only; it says nothing about a
    non-monotone association (use :func:`fisher_exact`). The default equally spaced scores
    are a choice: results depend on it. No maintained Python package offers this test,
    hence our own implementation.

    References
    ----------
    Cochran WG. Some methods for strengthening the common χ² tests. Biometrics.
    1954;10(4):417-451.
    Armitage P. Tests for linear trends in proportions and frequencies. Biometrics.
    1955;11(3):375-386.
    Hothorn T, Hornik K, van de Wiel MA, Zeileis A. Implementing a class of permutation
    tests: the coin package. J Stat Softw. 2008;28(8):1-23.
    Serfling RJ. Probability inequalities for the sum in sampling without replacement.
    Ann Stat. 1974;2(1):39-48 (the bound behind the skipped states).

    Examples
    --------
    >>> import pandas as pd
    >>> from b12cohort.stats.trend import trend_test
    >>> df = pd.DataFrame({
    ...     "sign": pd.array([False, True, False, True, True, True, False, True, True],
    ...                      dtype="boolean"),
    ...     "grade": pd.Categorical(["mild"] * 3 + ["moderate"] * 3 + ["severe"] * 3,
    ...                             categories=["mild", "moderate", "severe"], ordered=True),
    ... })
    >>> res = trend_test(df, outcome="sign", ordinal="grade")
    >>> res.method, round(res.p_value, 6)
    ('exact', 0.666667)
    >>> res = trend_test(df, outcome="sign", ordinal="grade", p_method="asymptotic")
    >>> res.method, round(res.statistic, 6), round(res.p_value, 6)
    ('asymptotic', 0.75, 0.386476)
    """
    function = "trend_test"
    require_columns(data, [outcome, ordinal], function=function)
    if outcome == ordinal:
        raise ArgumentError(f"{function}(): `outcome` and `ordinal` are the same column.")
    alternative = check_alternative(alternative, function=function)
    max_states = check_positive_int(max_work, name="max_work", function=function)
    p_method = check_choice(p_method, TREND_P_METHODS, name="p_method", function=function)
    exact = p_method != "asymptotic"
    y = _binary_outcome(data[outcome], outcome, function)
    g = data[ordinal]
    all_levels = _ordinal_levels(g, ordinal, function)
    mask = (y.notna() & g.notna()).to_numpy()
    codes = _codes(g[mask], all_levels)
    events_all = np.bincount(codes, weights=y[mask].to_numpy(dtype=bool), minlength=len(all_levels))
    n_all = np.bincount(codes, minlength=len(all_levels))
    observed = n_all > 0
    levels = [lv for lv, o in zip(all_levels, observed, strict=True) if o]
    dropped = tuple(lv for lv, o in zip(all_levels, observed, strict=True) if not o)
    notes = []
    if dropped:
        msg = f"dropped empty level(s) of {ordinal!r}: {', '.join(map(repr, dropped))}"
        notes.append(msg)
        warnings.warn(f"{function}(): {msg}.", DataQualityWarning, stacklevel=2)
    s = _trend_scores(scores, levels, all_levels, function)
    n_i = n_all[observed].astype(np.int64)
    x_i = events_all[observed].round().astype(np.int64)
    n, m = int(n_i.sum()), int(x_i.sum())
    table = pd.DataFrame(
        {"n": n_i, "events": x_i, "proportion": x_i / np.maximum(n_i, 1), "score": s},
        index=pd.Index(levels, name=ordinal, dtype=object),
    )
    common = {
        "test": TREND_TEST, "alternative": alternative, "df": 1, "scores": tuple(float(v) for v in s),
        "levels": tuple(levels), "table": table, "dropped_levels": dropped, "n": n,
        "n_missing": int((~mask).sum()), "outcome": outcome, "exposure": ordinal,
    }  # fmt: skip
    method = "exact" if exact else "asymptotic"
    sbar = float(np.sum(n_i * s) / n) if n else float("nan")
    ss = float(np.sum(n_i * (s - sbar) ** 2)) if n else 0.0
    degenerate = None
    if n == 0:
        degenerate = "no observations"
    elif len(levels) < 2:
        degenerate = f"only {len(levels)} observed level(s) of {ordinal!r}"
    elif m in (0, n):
        degenerate = f"{outcome!r} takes a single value ({'True' if m else 'False'} for all)"
    elif ss <= 0:
        degenerate = "all scores are equal"
    if degenerate:
        p = float("nan") if n == 0 else 1.0
        msg = f"{degenerate}: no trend can be tested (p = {p:g}, statistic NaN)"
        warnings.warn(f"{function}(): {msg}.", DataQualityWarning, stacklevel=2)
        return TrendResult(
            statistic=float("nan"), z=float("nan"), p_value=p, method=method,
            note="; ".join([*notes, msg]), **common,
        )  # fmt: skip
    statistic = z = p = None
    if exact:
        # decide up front from a bound on the work (no partial computation is wasted)
        estimate = _trend.trend_work_estimate(n_i, x_i, s, max_states, alternative)
        needed = estimate
        if estimate <= max_states:
            try:
                statistic, z, p, _ = _trend.trend_exact_pvalue(n_i, x_i, s, alternative, max_states)
            except _fexact.WorkLimitExceeded as err:  # the estimate is a bound: not expected
                needed = err.work + err.needed
        if p is None:
            detail = (
                f"exact distribution infeasible: about {needed:.3g} states > "
                f"max_work={max_states:,}"
            )
            if p_method == "exact":
                raise ExactTestInfeasibleError(
                    f"{function}(): p_method='exact', but the exact permutation distribution "
                    f"would need about {needed:.3g} states (n = {n:,}), more than "
                    f"max_work={max_states:,}. Raise max_work or use p_method='auto' "
                    "(asymptotic beyond the budget) or 'asymptotic'."
                )
            method = "asymptotic"
            common["method_detail"] = detail
            msg = (
                f"the exact permutation distribution would need about {needed:.3g} states "
                f"(n = {n:,}), more than max_work={max_states:,}; asymptotic test used "
                "instead"
            )
            notes.append(msg)
            warnings.warn(f"{function}(): {msg}.", ApproximationWarning, stacklevel=2)
    if p is None:
        statistic, z, p = _trend.trend_asymptotic_pvalue(n_i, x_i, s, alternative)
    return TrendResult(
        statistic=float(statistic), z=float(z), p_value=float(min(1.0, p)), method=method,
        note="; ".join(notes), **common,
    )  # fmt: skip
