"""Comparison of time-to-event curves between groups: the log-rank test, as R
``survival::survdiff(Surv(time, event) ~ by)`` computes it (``rho = 0``). Pinned in
``tests/reference/survival_compare.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import float_values, require_columns
from b12cohort.core.categories import levels as _levels
from b12cohort.core.errors import ArgumentError
from b12cohort.core.results import Result

__all__ = ["SurvivalComparison", "survival_compare"]

TEST = "log-rank test"


@dataclass(frozen=True)
class SurvivalComparison(Result):
    """Result of :func:`survival_compare` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    time: str
    event: str
    by: str
    n: int
    n_missing: int
    events: int
    statistic: float
    df: int
    p_value: float
    note: str
    groups: pd.DataFrame = field(repr=False)


def _events(data: pd.DataFrame, column: str, function: str) -> np.ndarray:
    s = data[column]
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64").to_numpy(na_value=np.nan)
    values = float_values(data, column, function=function, expected="booleans or 0/1")
    bad = np.isfinite(values) & ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise ArgumentError(
            f"{function}(): column '{column}' must hold 0/1 or True/False (1 = the event "
            f"happened); row {int(np.flatnonzero(bad)[0])} holds {values[bad][0]!r}."
        )
    return values


def survival_compare(data: pd.DataFrame, *, time: str, event: str, by: str) -> SurvivalComparison:
    """Log-rank test that the groups of ``by`` share one survival curve (= R ``survdiff``).

    Parameters
    ----------
    data : pandas.DataFrame
    time : str
        Follow-up time (numeric, >= 0), e.g. days until the involuntary movements
        resolved or the last visit.
    event : str
        True / 1 when the event happened at ``time``, False / 0 when the subject was
        censored then.
    by : str
        The groups (categorical, boolean or discrete values). Levels with no subject are
        dropped and named in ``note``.

    Returns
    -------
    SurvivalComparison
        ``statistic`` (chi-squared), ``df`` (groups - 1), ``p_value``, ``n``,
        ``n_missing`` (rows with time, event or group missing), ``events``, ``test``,
        ``method`` (``"asymptotic"``), ``method_detail``, ``note`` and ``groups``: one row
        per group with ``group``, ``n``, ``observed``, ``expected`` (events expected
        under one common curve), ``oe2_e`` (``(O - E)^2 / E``) and ``oe2_v``
        (``(O - E)^2 / V``), the columns of R's printout.

    Raises
    ------
    ArgumentError
        Unknown columns, negative times, events not 0/1, fewer than two groups.

    Notes
    -----
    At each distinct event time ``t`` with ``n`` at risk (``n_g`` in group ``g``) and ``d``
    events, ``E_g += d n_g / n`` and ``V_gh += d (n - d) / (n - 1) (n_g / n)(delta_gh -
    n_h / n)``; the statistic is ``(O - E)' V^- (O - E)`` over the first ``k - 1`` groups,
    chi-squared with ``k - 1`` degrees of freedom. A subject censored at ``t`` is at risk
    at ``t`` (R's convention). The approximation needs a fair number of events; with a
    handful, read the p-value as rough.

    References
    ----------
    Mantel N. Evaluation of survival data and two new rank order statistics arising in
    its consideration. Cancer Chemother Rep. 1966;50:163-170.
    Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc
    A. 1972;135:185-207.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"days": [3, 5, 7, 9, 4, 8, 12, 15], "done": [1, 1, 1, 0, 1, 0, 1, 1],
    ...                   "high_dose": [True] * 4 + [False] * 4})
    >>> res = survival_compare(d, time="days", event="done", by="high_dose")
    >>> res.df, round(res.statistic, 4), round(res.p_value, 4)
    (1, 1.3933, 0.2379)
    """
    fn = "survival_compare"
    require_columns(data, [time, event, by], function=fn)
    t = float_values(data, time, function=fn, expected="follow-up times")
    e = _events(data, event, fn)
    groups_all = data[by]
    levels = _levels(groups_all)
    ok = np.isfinite(t) & np.isfinite(e) & groups_all.notna().to_numpy()
    if (t[ok] < 0).any():
        raise ArgumentError(f"{fn}(): column '{time}' holds negative times; times must be >= 0.")
    t, e = t[ok], e[ok].astype(bool)
    codes = pd.Categorical(groups_all[ok], categories=levels).codes
    present = [i for i in range(len(levels)) if (codes == i).any()]
    dropped = [levels[i] for i in range(len(levels)) if i not in present]
    if len(present) < 2:
        raise ArgumentError(
            f"{fn}(): column '{by}' has {len(present)} group(s) with data; the log-rank test "
            "compares at least two."
        )
    g = np.searchsorted(present, codes)
    k = len(present)
    observed = np.bincount(g[e], minlength=k).astype(float)
    expected = np.zeros(k)
    var = np.zeros((k, k))
    for tt in np.unique(t[e]):
        at_risk = np.bincount(g[t >= tt], minlength=k).astype(float)
        n_risk = at_risk.sum()
        d = float(np.sum(e & (t == tt)))
        expected += d * at_risk / n_risk
        if n_risk > 1:
            frac = at_risk / n_risk
            var += d * (n_risk - d) / (n_risk - 1) * (np.diag(frac) - np.outer(frac, frac))
    diff = observed - expected
    sub = var[: k - 1, : k - 1]
    statistic = float(diff[: k - 1] @ np.linalg.pinv(sub) @ diff[: k - 1]) if k > 1 else math.nan
    df = int(np.linalg.matrix_rank(sub))
    p = float(stats.chi2.sf(statistic, df)) if df > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame(
            {
                "group": [levels[i] for i in present],
                "n": np.bincount(g, minlength=k),
                "observed": observed,
                "expected": expected,
                "oe2_e": diff**2 / expected,
                "oe2_v": diff**2 / np.diag(var),
            }
        )
    notes = []
    if dropped:
        notes.append(f"Groups with no subject dropped: {', '.join(map(str, dropped))}.")
    if observed.sum() == 0:
        notes.append("No event: there is nothing to compare.")
    return SurvivalComparison(
        test=TEST,
        method="asymptotic",
        method_detail="chi-squared approximation with k - 1 degrees of freedom (survdiff, rho = 0)",
        time=time,
        event=event,
        by=by,
        n=len(t),
        n_missing=int((~ok).sum()),
        events=int(observed.sum()),
        statistic=statistic,
        df=df,
        p_value=p,
        note=" ".join(notes),
        groups=table,
    )
