"""Stratified (site-adjusted) tests: Cochran–Armitage trend and Mantel–Haenszel across strata.

Each stratum (a hospital, a site) is analysed given its own margins and the strata are
combined by summing their statistics; the exact null distribution of the sum is the
convolution of the strata's exact null distributions (engines in
:mod:`b12cohort.stats._stratified_exact`). The same per-stratum pieces
(:class:`TrendPiece`, :class:`TablePiece`) are what a site releases in a site summary
(:mod:`b12cohort.multisite`), and :func:`pooled_trend` / :func:`pooled_mantel_haenszel`
combine them: a pooled analysis of released summaries runs the very code that analyses
the concatenated rows. The Mantel–Haenszel analysis is in
:mod:`b12cohort.stats.mantel_haenszel`, the stratified rank tests in
:mod:`b12cohort.stats.stratified_rank`.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_alternative,
    check_choice,
    check_positive_int,
    require_distinct_columns,
)
from b12cohort.core.categories import codes as _codes
from b12cohort.core.errors import ApproximationWarning, DataQualityWarning
from b12cohort.core.results import Result
from b12cohort.stats import _stratified_exact as _sx
from b12cohort.stats.contingency import ExactTestInfeasibleError
from b12cohort.stats.trend import _binary_outcome, _ordinal_levels, _trend_scores

__all__ = [
    "StratifiedTrendResult",
    "TablePiece",
    "TrendPiece",
    "pooled_trend",
    "stratified_trend_test",
    "trend_piece",
]

P_METHODS = ("auto", "exact", "asymptotic")
#: Default work budget of the exact stratified distributions (array cells; ~1 s).
DEFAULT_MAX_WORK = 100_000_000
TREND_TEST = "stratified Cochran–Armitage test for trend"


# ------------------------------------------------------------------------------ pieces
@dataclasses.dataclass(frozen=True)
class TrendPiece:
    """What one stratum contributes to the stratified trend test.

    ``n_i`` subjects per level and ``events`` in all (the margins); ``t`` the observed
    ``Σ x_i k_i`` on the integer score lattice ``k``; ``mean`` and ``var`` its permutation
    moments; ``offset`` and ``prob`` its exact null distribution (``prob`` None when not
    computed).
    """

    n_i: tuple[int, ...]
    events: int
    t: int
    mean: float
    var: float
    offset: int = 0
    prob: tuple[float, ...] | None = None


@dataclasses.dataclass(frozen=True)
class TablePiece:
    """One stratum's 2x2 table: ``a`` (exposed, event), ``b`` (exposed, no event), ``c``
    (unexposed, event), ``d`` (unexposed, no event)."""

    a: int
    b: int
    c: int
    d: int


def trend_piece(n_i, x_i, k, *, exact: bool) -> TrendPiece:
    """The :class:`TrendPiece` of one stratum (``k``: integer scores of its levels)."""
    n_i = np.asarray(n_i, dtype=np.int64)
    x_i = np.asarray(x_i, dtype=np.int64)
    k = np.asarray(k, dtype=np.int64)
    n, m = int(n_i.sum()), int(x_i.sum())
    kbar = float(np.sum(n_i * k)) / n
    ss = float(np.sum(n_i * (k - kbar) ** 2))
    var = m * (n - m) / (n * (n - 1.0)) * ss if n > 1 else 0.0
    offset, prob = 0, None
    if exact:
        offset, dist = _sx.score_sum_distribution(n_i, m, k)
        prob = tuple(float(v) for v in dist)
    return TrendPiece(
        n_i=tuple(int(v) for v in n_i), events=m, t=int(np.sum(x_i * k)), mean=m * kbar,
        var=var, offset=offset, prob=prob,
    )  # fmt: skip


def _p_method(p_method, function):
    return check_choice(p_method, P_METHODS, name="p_method", function=function)


def _normal_p(z: float, alternative: str) -> float:
    from scipy.stats import norm

    if alternative == "greater":
        return float(norm.sf(z))
    if alternative == "less":
        return float(norm.cdf(z))
    return float(2.0 * norm.sf(abs(z)))


def pooled_trend(pieces: Sequence[TrendPiece], *, alternative: str, exact: bool):
    """``(z, p)`` of the stratified trend statistic from the strata's pieces.

    ``exact``: the convolution of the pieces' null distributions (each must carry
    ``prob``); else the normal approximation of ``z = (Σ t − Σ mean) / sqrt(Σ var)``.
    """
    mean = math.fsum(p.mean for p in pieces)
    var = math.fsum(p.var for p in pieces)
    t = sum(p.t for p in pieces)
    if var <= 0:
        return float("nan"), float("nan")
    sd = math.sqrt(var)
    if not exact:
        z = (t - mean) / sd
        return z, _normal_p(z, alternative)
    offset, prob = _sx.convolve((p.offset, p.prob) for p in pieces)
    return _sx.lattice_pvalue(offset, prob, t, mean, sd, alternative)


def trend_work(pieces_margins, k) -> float:
    """Work of the exact stratified trend test (DP cells plus convolution products)."""
    work, width = 0.0, 1
    for n_i, m in pieces_margins:
        work += _sx.score_sum_work(n_i, m, k)
        w_k = m * int(np.max(k)) + 1
        work += width * w_k
        width += w_k - 1
    return work


def _decide_exact(p_method, work, max_work, function, what) -> tuple[bool, str]:
    """Whether to run the exact test, and the prose recorded in ``method_detail``."""
    if p_method == "asymptotic":
        return False, "asymptotic (normal approximation), as requested"
    if work <= max_work:
        return True, "exact: convolution of the strata's exact conditional distributions"
    msg = (
        f"the exact {what} would need about {work:.3g} work units, more than max_work={max_work:,}"
    )
    if p_method == "exact":
        raise ExactTestInfeasibleError(
            f"{function}(): {msg}. Raise `max_work` or pass p_method='auto' (asymptotic "
            "beyond the budget) or 'asymptotic'."
        )
    warnings.warn(f"{function}(): {msg}; asymptotic test used.", ApproximationWarning, stacklevel=3)
    return False, f"asymptotic: {msg} (p_method='auto')"


def _strata_codes(data, strata, mask, function):
    col = data[strata]
    present = col.notna().to_numpy()
    labels = pd.unique(col[mask & present])
    try:
        labels = sorted(labels)
    except TypeError:
        labels = list(labels)
    return present, labels


# ------------------------------------------------------------------- trend: results
@dataclasses.dataclass(frozen=True)
class StratifiedTrendResult(Result):
    """Result of :func:`stratified_trend_test`.

    Attributes
    ----------
    statistic : float
        The standardised statistic ``z`` (coin's ``Z``): positive when the events are more
        frequent at higher scores within strata. NaN when nothing could be tested.
    p_value : float
        p-value for ``alternative`` (NaN when nothing could be tested).
    test : str
        ``"stratified Cochran–Armitage test for trend"``.
    method : str
        ``"exact"``, ``"asymptotic"`` or ``"not-tested"``.
    method_detail : str
        What ran, and why (an automatic switch is said here).
    alternative : str
    n : int
        Subjects analysed (in the strata used).
    n_missing : int
        Rows dropped because the outcome, ordinal or stratum was missing.
    n_strata : int
        Strata used.
    dropped_strata : tuple
        Strata with a single subject (no conditional information; coin refuses them).
    levels, scores : tuple
        The ordinal's levels and their scores.
    strata_table : pandas.DataFrame
        One row per stratum used: ``stratum``, ``n``, ``events``, ``statistic_t`` (the
        stratum's ``Σ x_i s_i`` in score units), ``expected``, ``variance``.
    note : str
    outcome, ordinal, strata : str
        The column names.
    """

    statistic: float
    p_value: float
    test: str
    method: str
    method_detail: str
    alternative: str
    n: int
    n_missing: int
    n_strata: int
    dropped_strata: tuple
    levels: tuple
    scores: tuple
    strata_table: pd.DataFrame
    note: str = ""
    outcome: str | None = None
    ordinal: str | None = None
    strata: str | None = None


def trend_scores(data, *, ordinal, scores, function):
    """The ordinal's levels and scores as the stratified test uses them.

    Default scores ``1..k`` over *all* categories of an ordered Categorical (every stratum
    scores a level alike, observed there or not) or over the distinct values of a numeric
    column.
    """
    levels = _ordinal_levels(data[ordinal], ordinal, function)
    if scores is None:
        return levels, np.arange(1.0, len(levels) + 1.0)
    return levels, _trend_scores(scores, levels, levels, function)


def stratified_trend_test(
    data: pd.DataFrame,
    *,
    outcome: str,
    ordinal: str,
    strata: str,
    scores: Mapping | Sequence[float] | None = None,
    p_method: str = "auto",
    alternative: str = "two-sided",
    max_work: int = DEFAULT_MAX_WORK,
) -> StratifiedTrendResult:
    """Cochran–Armitage test for a trend across ordered levels, stratified by ``strata``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject. Not modified.
    outcome : str
        Boolean column (``True`` = event; 0/1 accepted).
    ordinal : str
        Ordered Categorical (e.g. ``anemia_grade``) or numeric column.
    strata : str
        Column naming each subject's stratum (e.g. the site).
    scores : dict or sequence, optional
        Scores of the levels; default ``1..k`` over all categories of an ordered
        Categorical (so that every stratum scores a level alike), or over the distinct
        values of a numeric column. The exact test needs rational scores (denominator up
        to 1000).
    p_method : {"auto", "exact", "asymptotic"}
        ``"auto"``: exact within ``max_work``, else asymptotic with an
        :class:`ApproximationWarning`; ``"exact"`` raises
        :class:`~b12cohort.stats.contingency.ExactTestInfeasibleError` beyond it.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: the events become more frequent with the score.
    max_work : int
        Work budget of the exact distribution (array cells; 10^8 is about a second).

    Returns
    -------
    StratifiedTrendResult
        ``statistic`` (z), ``p_value``, ``method``, ``strata_table``, ... (see the class).

    Raises
    ------
    ArgumentError
        Unknown column, outcome not binary, ordinal not ordered, bad options.
    ExactTestInfeasibleError
        ``p_method="exact"`` beyond ``max_work``.

    Warns
    -----
    DataQualityWarning
        Strata with a single subject dropped; nothing to test.
    ApproximationWarning
        ``p_method="auto"`` switched to the asymptotic test.

    Notes
    -----
    In stratum ``k`` with ``n_ki`` subjects and ``x_ki`` events at score ``s_i`` (``N_k``,
    ``m_k`` in all), ``T_k = Σ_i x_ki s_i`` has, given the margins, the permutation mean
    ``m_k s̄_k`` and variance ``m_k (N_k − m_k) / (N_k (N_k − 1)) Σ_i n_ki (s_i − s̄_k)²``;
    ``z = (Σ T_k − Σ E_k) / sqrt(Σ V_k)``. Asymptotic: normal ``z``. Exact: ``T_k`` is a sum
    of scores of ``m_k`` subjects drawn without replacement, its distribution is computed
    by a dynamic programme over the levels, and the strata's distributions are convolved;
    p-values are coin's (two-sided ``P(|Z| >= |z|)``, ties within
    ``sqrt(.Machine$double.eps)``). A stratum of one subject carries no information (its
    conditional distribution is a point) and is dropped, as coin refuses it. Strata with no
    events or one level contribute a point mass (variance 0). Checked against R coin 1.4::

        independence_test(score ~ y | site, data = d, distribution = "exact")
        # y = factor(outcome, levels = c(TRUE, FALSE)); score = the level's score

    and the same without ``distribution`` (asymptotic), to 1e-10
    (``tests/reference/stratified.R``).

    References
    ----------
    Cochran WG. Some methods for strengthening the common χ² tests. Biometrics.
    1954;10(4):417-451. Armitage P. Tests for linear trends in proportions and
    frequencies. Biometrics. 1955;11(3):375-386. Hothorn T, Hornik K, van de Wiel MA,
    Zeileis A. Implementing a class of permutation tests: the coin package. J Stat Softw.
    2008;28(8):1-23.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [True, False, True, False, True, True, False, False],
    ...                   "g": [1, 2, 3, 1, 3, 3, 1, 2], "site": list("AAAABBBB")})
    >>> r = stratified_trend_test(d, outcome="y", ordinal="g", strata="site")
    >>> r.method, round(r.statistic, 4), round(r.p_value, 4)
    ('exact', 1.4771, 0.2778)
    """
    fn = "stratified_trend_test"
    require_distinct_columns(
        data, {"outcome": outcome, "ordinal": ordinal, "strata": strata}, function=fn
    )
    alternative = check_alternative(alternative, function=fn)
    p_method = _p_method(p_method, fn)
    max_work = check_positive_int(max_work, name="max_work", function=fn)
    y = _binary_outcome(data[outcome], outcome, fn)
    levels, s = trend_scores(data, ordinal=ordinal, scores=scores, function=fn)
    mask = (y.notna() & data[ordinal].notna()).to_numpy()
    present, labels = _strata_codes(data, strata, mask, fn)
    mask = mask & present
    codes = _codes(data.loc[mask, ordinal], levels)
    yv = y[mask].to_numpy(dtype=bool)
    sv = data.loc[mask, strata].to_numpy()
    tables = []
    for lab in labels:
        here = sv == lab
        tables.append(
            (
                lab,
                np.bincount(codes[here], minlength=len(levels)),
                np.bincount(codes[here], weights=yv[here], minlength=len(levels)).round(),
            )
        )
    dropped = tuple(lab for lab, n_i, _ in tables if n_i.sum() < 2)
    tables = [t for t in tables if t[1].sum() >= 2]
    notes = []
    if dropped:
        msg = f"dropped {len(dropped)} stratum/strata with a single subject: {', '.join(map(str, dropped))}"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
    lattice = _sx.integer_scores(s)
    if not tables:
        work = 0.0  # nothing to compute: reported as not tested below
    elif lattice is None:
        work = math.inf
        if p_method == "exact":
            raise ExactTestInfeasibleError(
                f"{fn}(): the exact distribution needs rational scores (denominator up to "
                f"1000); got {tuple(float(v) for v in s)}. Pass such scores or "
                "p_method='asymptotic'."
            )
    else:
        work = trend_work([(n_i, int(x_i.sum())) for _, n_i, x_i in tables], lattice[0])
    exact, detail = _decide_exact(p_method, work, max_work, fn, "stratified distribution")
    # the exact pieces live on the integer lattice of the scores; the asymptotic test and
    # the per-stratum table need only the moments, on the scores themselves
    moments = [_moment_piece(n_i, x_i, s) for _, n_i, x_i in tables]
    pieces = (
        [trend_piece(n_i, x_i, lattice[0], exact=True) for _, n_i, x_i in tables]
        if exact
        else moments
    )
    z, p = pooled_trend(pieces, alternative=alternative, exact=exact)
    method = "exact" if exact else "asymptotic"
    if not math.isfinite(z):
        method = "not-tested"
        why = "no stratum has variation in both the outcome and the ordinal"
        notes.append(why)
        detail = f"not tested: {why}"
        warnings.warn(f"{fn}(): {why}; nothing to test.", DataQualityWarning, stacklevel=2)
    table = pd.DataFrame(
        {
            "stratum": [lab for lab, _, _ in tables],
            "n": [int(n_i.sum()) for _, n_i, _ in tables],
            "events": [int(x_i.sum()) for _, n_i, x_i in tables],
            "statistic_t": [pc.t for pc in moments],
            "expected": [pc.mean for pc in moments],
            "variance": [pc.var for pc in moments],
        }
    )
    return StratifiedTrendResult(
        statistic=float(z), p_value=float(p), test=TREND_TEST, method=method,
        method_detail=detail, alternative=alternative, n=int(table["n"].sum()),
        n_missing=int((~mask).sum()), n_strata=len(tables), dropped_strata=dropped,
        levels=tuple(levels), scores=tuple(float(v) for v in s), strata_table=table,
        note="; ".join(notes), outcome=outcome, ordinal=ordinal, strata=strata,
    )  # fmt: skip


def _moment_piece(n_i, x_i, s) -> TrendPiece:
    n_i = np.asarray(n_i, dtype=np.int64)
    x_i = np.asarray(x_i, dtype=np.int64)
    n, m = int(n_i.sum()), int(x_i.sum())
    sbar = float(np.sum(n_i * s)) / n
    var = m * (n - m) / (n * (n - 1.0)) * float(np.sum(n_i * (s - sbar) ** 2))
    return TrendPiece(
        n_i=tuple(int(v) for v in n_i), events=m, t=float(np.sum(x_i * s)), mean=m * sbar, var=var
    )
