"""Mantel–Haenszel analysis of 2 x 2 x K tables: exact conditional test and common odds ratio.

The exact test conditions on every stratum's margins; ``S = Σ a_k`` then has the
convolution of the strata's hypergeometric distributions as its null distribution, so
the pooled analysis of released site tables (:func:`pooled_mantel_haenszel`) runs the
same code as the analysis of the concatenated rows (:func:`mantel_haenszel`).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_alternative,
    check_confidence,
    check_positive_int,
    require_distinct_columns,
)
from b12cohort.core.errors import DataQualityWarning
from b12cohort.core.results import Result
from b12cohort.stats import _stratified_exact as _sx
from b12cohort.stats.stratified import (
    DEFAULT_MAX_WORK,
    TablePiece,
    _decide_exact,
    _p_method,
    _strata_codes,
)
from b12cohort.stats.trend import _binary_outcome

__all__ = [
    "MantelHaenszelResult",
    "mantel_haenszel",
    "pooled_mantel_haenszel",
    "table_piece",
]

MH_TEST = "Mantel–Haenszel test (2 x 2 x K)"


# ------------------------------------------------------------------ Mantel-Haenszel
@dataclasses.dataclass(frozen=True)
class MantelHaenszelResult(Result):
    """Result of :func:`mantel_haenszel`.

    Attributes
    ----------
    statistic : float
        Exact: ``S = Σ a_k`` (R's ``S``); asymptotic: the continuity-corrected
        Mantel–Haenszel ``X-squared`` (1 df).
    p_value : float
    test, method, method_detail, alternative : str
    estimate : float
        Common odds ratio (event, exposed vs unexposed): exact, the conditional maximum
        likelihood estimate; asymptotic, the Mantel–Haenszel estimate (as R).
    ci_low, ci_high : float
        Its ``confidence`` interval: exact conditional (exact) or Robins–Breslow–Greenland
        (asymptotic), as R.
    mh_odds_ratio, mh_ci_low, mh_ci_high : float
        The Mantel–Haenszel estimate and its RGB interval, whichever ``method`` ran.
    breslow_day_statistic, breslow_day_p_value : float
        Breslow–Day test of equal odds ratios across strata (no Tarone correction),
        over the strata whose four margins are all positive; ``breslow_day_df`` = those
        strata − 1. NaN with fewer than two such strata.
    breslow_day_df : int
    confidence : float
    n, n_missing, n_strata : int
    dropped_strata : tuple
        Strata with fewer than two subjects (R refuses them).
    tables : pandas.DataFrame
        One row per stratum: ``stratum, a, b, c, d`` (a: exposed with the event, b:
        exposed without, c: unexposed with, d: unexposed without).
    note : str
    outcome, exposure, strata : str
    """

    statistic: float
    p_value: float
    test: str
    method: str
    method_detail: str
    alternative: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    mh_odds_ratio: float
    mh_ci_low: float
    mh_ci_high: float
    breslow_day_statistic: float
    breslow_day_df: int
    breslow_day_p_value: float
    n: int
    n_missing: int
    n_strata: int
    dropped_strata: tuple
    tables: pd.DataFrame
    note: str = ""
    outcome: str | None = None
    exposure: str | None = None
    strata: str | None = None


def table_piece_null(piece: TablePiece) -> tuple[int, np.ndarray]:
    """The null distribution of ``a`` given the piece's margins."""
    return _sx.hypergeometric_distribution(piece.a + piece.c, piece.b + piece.d, piece.a + piece.b)


def table_piece(a, b, c, d) -> TablePiece:
    return TablePiece(int(a), int(b), int(c), int(d))


def _mh_asymptotic(x: np.ndarray, alternative: str):
    """R ``mantelhaen.test(correct = TRUE)`` on ``x`` of shape (K, 4) = a, b, c, d."""
    from scipy.stats import chi2, norm

    a, b, c, d = (x[:, i].astype(float) for i in range(4))
    n = a + b + c + d
    delta = float(np.sum(a - (a + b) * (a + c) / n))
    yates = 0.5 if abs(delta) >= 0.5 else 0.0
    var = float(np.sum((a + b) * (c + d) * (a + c) * (b + d) / (n**2 * (n - 1))))
    stat = (abs(delta) - yates) ** 2 / var if var > 0 else float("nan")
    if not math.isfinite(stat):
        return stat, float("nan")
    if alternative == "two-sided":
        return stat, float(chi2.sf(stat, 1))
    z = math.copysign(math.sqrt(stat), delta)
    return stat, float(norm.cdf(z) if alternative == "less" else norm.sf(z))


def _mh_rgb(x: np.ndarray, confidence: float, alternative: str):
    """Mantel–Haenszel odds ratio with the Robins–Breslow–Greenland interval (as R)."""
    from scipy.stats import norm

    a, b, c, d = (x[:, i].astype(float) for i in range(4))
    n = a + b + c + d
    r, s = a * d / n, b * c / n
    sr, ss = float(r.sum()), float(s.sum())
    if sr == 0 or ss == 0:
        est = 0.0 if sr == 0 and ss > 0 else (math.inf if ss == 0 and sr > 0 else math.nan)
        return est, math.nan, math.nan
    est = sr / ss
    sd = math.sqrt(
        float(np.sum((a + d) * r / n)) / (2 * sr**2)
        + float(np.sum(((a + d) * s + (b + c) * r) / n)) / (2 * sr * ss)
        + float(np.sum((b + c) * s / n)) / (2 * ss**2)
    )
    if alternative == "less":
        return est, 0.0, est * math.exp(norm.ppf(confidence) * sd)
    if alternative == "greater":
        return est, est * math.exp(norm.isf(confidence) * sd), math.inf
    q = norm.isf((1 - confidence) / 2)
    return est, est * math.exp(-q * sd), est * math.exp(q * sd)


def _breslow_day(x: np.ndarray) -> tuple[float, int, float]:
    """Breslow–Day (statsmodels ``StratifiedTable.test_equal_odds``) over informative strata."""
    informative = (
        (x[:, 0] + x[:, 1] > 0)
        & (x[:, 2] + x[:, 3] > 0)
        & (x[:, 0] + x[:, 2] > 0)
        & (x[:, 1] + x[:, 3] > 0)
    )
    y = x[informative]
    if len(y) < 2 or (y[:, 1] * y[:, 2]).sum() == 0 or (y[:, 0] * y[:, 3]).sum() == 0:
        return math.nan, max(len(y) - 1, 0), math.nan
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = np.stack([y[:, :2], y[:, 2:]], axis=1).transpose(1, 2, 0).astype(float)
    res = StratifiedTable(tables).test_equal_odds(adjust=False)
    return float(res.statistic), len(y) - 1, float(res.pvalue)


def pooled_mantel_haenszel(
    pieces: Sequence[TablePiece], *, exact: bool, alternative: str, confidence: float
) -> dict:
    """Every number of :class:`MantelHaenszelResult` from the strata's 2x2 tables."""
    x = np.array([[p.a, p.b, p.c, p.d] for p in pieces], dtype=np.int64).reshape(-1, 4)
    mh, mh_lo, mh_hi = _mh_rgb(x, confidence, alternative)
    bd, bd_df, bd_p = _breslow_day(x)
    out = {
        "mh_odds_ratio": mh, "mh_ci_low": mh_lo, "mh_ci_high": mh_hi,
        "breslow_day_statistic": bd, "breslow_day_df": bd_df, "breslow_day_p_value": bd_p,
    }  # fmt: skip
    if exact:
        offset, dc = _sx.convolve(table_piece_null(p) for p in pieces)
        model = _sx.Conditional2x2xK(int(x[:, 0].sum()), offset, dc)
        lo, hi = model.conf_int(alternative, confidence)
        out.update(
            statistic=float(x[:, 0].sum()), p_value=float(min(1.0, model.p_value(alternative))),
            estimate=float(model.mle()), ci_low=float(lo), ci_high=float(hi),
        )  # fmt: skip
    else:
        stat, p = _mh_asymptotic(x, alternative)
        out.update(statistic=stat, p_value=p, estimate=mh, ci_low=mh_lo, ci_high=mh_hi)
    return out


def mantel_haenszel(
    data: pd.DataFrame,
    *,
    outcome: str,
    exposure: str,
    strata: str,
    p_method: str = "auto",
    confidence: float = 0.95,
    alternative: str = "two-sided",
    max_work: int = DEFAULT_MAX_WORK,
) -> MantelHaenszelResult:
    """Mantel–Haenszel test and common odds ratio of a binary outcome and exposure, 2 x 2 x K.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject. Not modified.
    outcome, exposure : str
        Boolean columns (0/1 accepted); the odds ratio compares the odds of the outcome in
        the exposed (``True``) with the unexposed.
    strata : str
        Stratum of each subject (e.g. the site).
    p_method : {"auto", "exact", "asymptotic"}
        ``"exact"``: R ``mantelhaen.test(exact = TRUE)`` (p-value, conditional MLE and exact
        interval); ``"asymptotic"``: ``mantelhaen.test(correct = TRUE)``; ``"auto"``: exact
        within ``max_work``.
    confidence : float
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: common odds ratio above 1.
    max_work : int
        Budget of the exact convolution (product of support sizes).

    Returns
    -------
    MantelHaenszelResult

    Raises
    ------
    ArgumentError
        Unknown or non-binary columns; bad options.
    ExactTestInfeasibleError
        ``p_method="exact"`` beyond ``max_work``.

    Notes
    -----
    Exact: ``S = Σ_k a_k`` given every stratum's margins has the convolution of the strata's
    hypergeometric distributions as its null distribution (R's ``d2x2xk``); the two-sided
    p-value sums the outcomes no more probable than the observed one (relative tolerance
    1e-7), the estimate is the conditional MLE and the interval inverts the two one-sided
    tests, with R's closures and root finder (``uniroot``'s tolerance). Asymptotic: the
    Mantel–Haenszel chi-squared with a continuity correction of 1/2 when ``|Σ(a − E a)| >=
    1/2``, the Mantel–Haenszel estimate with the Robins–Breslow–Greenland interval. The
    Breslow–Day test (statsmodels ``StratifiedTable.test_equal_odds``) checks whether one
    common odds ratio is tenable; with a handful of sites it has little power. Strata of
    one subject are dropped (R refuses them). Checked against R ``mantelhaen.test``
    (``tests/reference/stratified.R``).

    References
    ----------
    Mantel N, Haenszel W. Statistical aspects of the analysis of data from retrospective
    studies of disease. J Natl Cancer Inst. 1959;22:719-748. Robins J, Breslow N,
    Greenland S. Estimators of the Mantel-Haenszel variance consistent in both sparse data
    and large-strata limiting models. Biometrics. 1986;42:311-323. Breslow NE, Day NE.
    Statistical Methods in Cancer Research, vol. 1. IARC; 1980. Mehta CR, Patel NR, Gray R.
    Computing an exact confidence interval for the common odds ratio in several 2 x 2
    contingency tables. J Am Stat Assoc. 1985;80:969-973.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0], "x": [1, 1, 1, 0, 0, 1, 1, 0, 0, 0],
    ...                   "site": list("AAAAABBBBB")})
    >>> r = mantel_haenszel(d, outcome="y", exposure="x", strata="site")
    >>> r.method, round(r.p_value, 4), round(r.estimate, 3)
    ('exact', 1.0, 1.732)
    """
    fn = "mantel_haenszel"
    require_distinct_columns(
        data, {"outcome": outcome, "exposure": exposure, "strata": strata}, function=fn
    )
    alternative = check_alternative(alternative, function=fn)
    confidence = check_confidence(confidence, function=fn)
    p_method = _p_method(p_method, fn)
    max_work = check_positive_int(max_work, name="max_work", function=fn)
    y = _binary_outcome(data[outcome], outcome, fn)
    e = _binary_outcome(data[exposure], exposure, fn)
    mask = (y.notna() & e.notna()).to_numpy()
    present, labels = _strata_codes(data, strata, mask, fn)
    mask = mask & present
    yv, ev = y[mask].to_numpy(dtype=bool), e[mask].to_numpy(dtype=bool)
    sv = data.loc[mask, strata].to_numpy()
    rows = []
    for lab in labels:
        h = sv == lab
        a, b = int(np.sum(h & ev & yv)), int(np.sum(h & ev & ~yv))
        c, d = int(np.sum(h & ~ev & yv)), int(np.sum(h & ~ev & ~yv))
        rows.append((lab, a, b, c, d))
    dropped = tuple(r[0] for r in rows if sum(r[1:]) < 2)
    rows = [r for r in rows if sum(r[1:]) >= 2]
    notes = []
    if dropped:
        msg = f"dropped {len(dropped)} stratum/strata with fewer than two subjects: {', '.join(map(str, dropped))}"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
    pieces = [table_piece(*r[1:]) for r in rows]
    work = float(np.prod([min(p.a + p.b, p.a + p.c) + 1.0 for p in pieces])) if pieces else 1.0
    work = min(work, sum(p.a + p.b + p.c + p.d for p in pieces) ** 2)
    exact, detail = _decide_exact(p_method, work, max_work, fn, "conditional distribution")
    tables = pd.DataFrame(rows, columns=["stratum", "a", "b", "c", "d"])
    common = {
        "test": MH_TEST, "alternative": alternative, "confidence": confidence,
        "n": int(tables[["a", "b", "c", "d"]].to_numpy().sum()), "n_missing": int((~mask).sum()),
        "n_strata": len(rows), "dropped_strata": dropped, "tables": tables,
        "outcome": outcome, "exposure": exposure, "strata": strata,
    }  # fmt: skip
    numbers = pooled_mantel_haenszel(
        pieces, exact=exact, alternative=alternative, confidence=confidence
    )
    method = "exact" if exact else "asymptotic"
    if not pieces or not math.isfinite(numbers["p_value"]) or _no_variation(tables):
        method = "not-tested"
        why = "no stratum has both outcome values and both exposure values"
        notes.append(why)
        detail = f"not tested: {why}"
        numbers.update(p_value=math.nan, statistic=math.nan)
        warnings.warn(f"{fn}(): {why}; nothing to test.", DataQualityWarning, stacklevel=2)
    return MantelHaenszelResult(
        method=method, method_detail=detail, note="; ".join(notes), **numbers, **common
    )


def _no_variation(tables: pd.DataFrame) -> bool:
    """True when every stratum has a zero margin (the conditional distribution is a point)."""
    a, b, c, d = (tables[k].to_numpy() for k in "abcd")
    informative = (a + b > 0) & (c + d > 0) & (a + c > 0) & (b + d > 0)
    return not bool(informative.any())
