"""Proportions: binomial confidence intervals and the prevalence of binary variables.

:func:`prevalence` gives, for each binary variable (a neurological sign, say), the
number of infants with it, the number in whom it was recorded, the proportion and a
confidence interval by one of five methods; :func:`binomial_ci` is the vectorised
interval it uses (also used by Table 1 and the treatment course).

Vectorised over variables, so it runs on simulated cohorts of 10^5-10^6 infants as well
as on the 19 of the published series.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from b12cohort.core.arguments import (
    check_between,
    check_choice,
    check_confidence,
    check_dataframe,
    require_columns,
)
from b12cohort.core.errors import ArgumentError, DataQualityWarning

__all__ = ["PREVALENCE_METHODS", "binomial_ci", "prevalence"]

#: Interval methods accepted by :func:`prevalence` (``ci_method=``).
PREVALENCE_METHODS = ("clopper-pearson", "wilson", "jeffreys", "agresti-coull", "mid-p", "blaker")

# our method name -> statsmodels.stats.proportion.proportion_confint name
_STATSMODELS = {
    "clopper-pearson": "beta",
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "agresti-coull": "agresti_coull",
}


# ---------------------------------------------------------------------------------------
# binomial confidence intervals
# ---------------------------------------------------------------------------------------


def _midp_bounds(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Mid-p exact interval for one (k, n), n >= 1, by root-finding.

    Neither scipy nor statsmodels offers the mid-p interval, hence this function.
    The lower bound solves P(X > k) + P(X = k)/2 = alpha/2 and the upper bound
    P(X < k) + P(X = k)/2 = alpha/2, with X ~ Binomial(n, p); both tails are monotone
    in p, so brentq on [0, 1] finds the unique root.
    """
    tol = {"xtol": 1e-15, "rtol": 4 * np.finfo(float).eps, "maxiter": 500}
    if k == 0:
        low = 0.0
    else:

        def upper_tail(p):
            return stats.binom.sf(k, n, p) + 0.5 * stats.binom.pmf(k, n, p) - alpha / 2

        low = optimize.brentq(upper_tail, 0.0, 1.0, **tol)
    if k == n:
        high = 1.0
    else:

        def lower_tail(p):
            return stats.binom.cdf(k - 1, n, p) + 0.5 * stats.binom.pmf(k, n, p) - alpha / 2

        high = optimize.brentq(lower_tail, 0.0, 1.0, **tol)
    return float(low), float(high)


def binomial_ci(*, events, n, ci_method: str = "clopper-pearson", confidence: float = 0.95):
    """Two-sided confidence limits for binomial proportions ``events / n`` (vectorised).

    Parameters
    ----------
    events, n : array_like of int
        Successes and trials, broadcast against each other. Where ``n == 0`` the
        limits are NaN.
    ci_method : {"clopper-pearson", "wilson", "jeffreys", "agresti-coull", "mid-p"}
        See :func:`prevalence`.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits, as float arrays of the broadcast shape.

    Examples
    --------
    >>> low, high = binomial_ci(events=[0, 12], n=[19, 19])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.3836], [0.1765, 0.8371])
    """
    method = check_choice(ci_method, PREVALENCE_METHODS, name="ci_method", function="binomial_ci")
    level = check_confidence(confidence, function="binomial_ci")
    k_arr, n_arr = np.broadcast_arrays(
        np.asarray(events, dtype=np.int64), np.asarray(n, dtype=np.int64)
    )
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ArgumentError("binomial_ci(): `events` must satisfy 0 <= events <= n for every pair.")
    alpha = 1.0 - level
    low = np.full(k_arr.shape, np.nan)
    high = np.full(k_arr.shape, np.nan)
    ok = n_arr > 0
    if not ok.any():
        return low, high
    kk, nn = k_arr[ok], n_arr[ok]
    if method in ("mid-p", "blaker"):
        from b12cohort.stats._blaker import blaker_interval

        def one(a: int, b: int) -> tuple[float, float]:
            return _midp_bounds(a, b, alpha) if method == "mid-p" else blaker_interval(a, b, level)

        bounds = [one(int(a), int(b)) for a, b in zip(kk, nn, strict=True)]
        lo, hi = (np.array(v, dtype=float) for v in zip(*bounds, strict=True))
    else:
        lo, hi = proportion_confint(kk, nn, alpha=alpha, method=_STATSMODELS[method])
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        # statsmodels' Jeffreys interval keeps the beta quantiles at k = 0 and k = n;
        # Brown, Cai & DasGupta (2001, sec. 4.1.2) set the limit to 0 (k = 0) and 1
        # (k = n). Its Wilson limits at the edges can miss 0/1 by rounding (R's prop.test
        # sets them exactly). Both are set here.
        lo = np.where(kk == 0, 0.0, lo)
        hi = np.where(kk == nn, 1.0, hi)
    low[ok], high[ok] = lo, hi
    return low, high


def _binary_counts(data: pd.DataFrame, columns: list[str], *, function: str):
    """Successes, non-missing counts and missing counts for binary columns (vectorised)."""
    k, n_obs = [], []
    for col in columns:
        s = data[col]
        dtype = s.dtype
        if pd.api.types.is_bool_dtype(dtype):
            k.append(int(s.sum()))
            n_obs.append(int(s.count()))
            continue
        if pd.api.types.is_numeric_dtype(dtype):
            values = s.dropna()
            bad = values[~values.isin([0, 1])]
            if bad.empty:
                k.append(int(values.sum()))
                n_obs.append(len(values))
                continue
            example = ", ".join(map(repr, pd.unique(bad.to_numpy())[:3].tolist()))
        else:
            example = ", ".join(map(repr, pd.unique(s.dropna().to_numpy())[:3].tolist()))
        raise ArgumentError(
            f"{function}(): column '{col}' (dtype {dtype}) is not binary: it holds values "
            f"such as {example}. Pass only boolean columns (dtype 'boolean', <NA> = not "
            f"recorded) or 0/1 columns, e.g. convert with data['{col}'] == <level>."
        )
    k_arr = np.array(k, dtype=np.int64)
    n_arr = np.array(n_obs, dtype=np.int64)
    return k_arr, n_arr, len(data) - n_arr


def prevalence(
    data: pd.DataFrame,
    *,
    variables: Sequence[str] | str | None = None,
    ci_method: str = "clopper-pearson",
    confidence: float = 0.95,
    null: float | None = None,
) -> pd.DataFrame:
    """Prevalence of binary variables with a confidence interval (and a test of ``null``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per infant (for example :func:`b12cohort.load_cohort`). Not modified.
    variables : str or sequence of str, optional
        Binary columns to summarise: pandas ``"boolean"``/``bool`` columns, or numeric
        columns holding only 0 and 1 (missing values allowed). Default: every boolean
        column of ``data``, in the order of the frame's columns (for the canonical
        cohort frame this is schema order, the six neurological signs first).
    ci_method : {"clopper-pearson", "wilson", "jeffreys", "agresti-coull", "mid-p"}
        Interval method (see Notes). Default the exact Clopper-Pearson interval.
    confidence : float
        Confidence level, strictly between 0 and 1. Default 0.95.
    null : float, optional
        A prevalence to test, in (0, 1): adds ``null``, ``test`` and ``p_value``, the
        two-sided exact binomial p-value — R ``binom.test(k, n, p = null)`` (probabilities
        no larger than the observed one's, to R's relative tolerance 1e-7), or, with
        ``ci_method="blaker"``, Blaker's test, which is the test that interval inverts
        (the p-value is below ``1 - confidence`` exactly when ``null`` lies outside the
        interval). With any other interval the two can disagree near the limits; a row
        where they do says so in ``note``.

    Returns
    -------
    pandas.DataFrame
        One row per variable, with columns

        ``variable``
            Column name.
        ``events``
            Number of ``True`` (1) values.
        ``n``
            Number of non-missing values (the denominator, the sample size).
        ``proportion``
            ``events / n``; NaN when ``n == 0``.
        ``ci_low``, ``ci_high``
            Confidence limits for the proportion; NaN when ``n == 0``.
        ``ci_method``
            The interval method (as passed in ``ci_method``).
        ``confidence``
            The confidence level.
        ``n_missing``
            Number of missing values (not recorded), excluded from ``n``.
        ``note``
            Why the proportion is undefined (``n == 0``), else missing.

    Raises
    ------
    ArgumentError
        If ``data`` is not a DataFrame, a column is absent or not binary, no boolean
        column exists (``variables=None``), or ``ci_method``/``confidence`` is invalid.

    Warns
    -----
    DataQualityWarning
        When a variable has no recorded value (``n == 0``).

    Notes
    -----
    With ``k`` successes among ``N`` and ``alpha = 1 - confidence``:

    - ``clopper-pearson``: the exact interval inverting two one-sided binomial tests,
      ``[Beta(alpha/2; k, N-k+1), Beta(1-alpha/2; k+1, N-k)]``, 0 at k = 0 and 1 at
      k = N. Guaranteed coverage >= the nominal level; conservative. Equals R
      ``binom.test(k, N)$conf.int`` (checked in the tests).
    - ``wilson``: the score interval without continuity correction; equals R
      ``prop.test(k, N, correct = FALSE)$conf.int``. Coverage close to nominal on
      average, occasionally below it for small N.
    - ``jeffreys``: equal-tailed Bayesian interval under a Beta(1/2, 1/2) prior,
      ``[Beta(alpha/2; k+1/2, N-k+1/2), Beta(1-alpha/2; k+1/2, N-k+1/2)]`` with the
      lower limit 0 at k = 0 and the upper 1 at k = N (Brown, Cai & DasGupta 2001);
      statsmodels omits that modification, so it is applied here.
    - ``agresti-coull``: the Wald interval around ``(k + z^2/2) / (N + z^2)`` with
      ``N + z^2`` trials, truncated to [0, 1] (as statsmodels).
    - ``blaker``: Blaker's (2000) exact interval, the set of prevalences that Blaker's
      test (the acceptability ``P(min tail <= observed min tail)``) does not reject;
      inside Clopper-Pearson, never wider, and consistent with its own p-value.
    - ``mid-p``: the exact interval whose tails count only half the probability of
      the observed ``k``: the lower limit solves ``P(X > k) + P(X = k)/2 = alpha/2``,
      the upper ``P(X < k) + P(X = k)/2 = alpha/2`` (root-finding, ``brentq``); less
      conservative than Clopper-Pearson with coverage near nominal.

    The first four come from :func:`statsmodels.stats.proportion.proportion_confint`;
    mid-p is computed here. Tested against R (``binom.test``, ``prop.test``,
    ``qbeta``, the closed-form Agresti-Coull limits and ``uniroot`` on the mid-p tails)
    and against statsmodels, including k = 0, k = N and N = 1.

    For a sign present in every recorded infant (hypotonia 19/19) the point estimate
    is 1 and only the lower limit is informative. Missing values are excluded, which
    assumes they are missing at random; report ``n_missing`` alongside.

    References
    ----------
    .. [1] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated
       in the case of the binomial. Biometrika. 1934;26(4):404-413.
    .. [2] Wilson EB. Probable inference, the law of succession, and statistical
       inference. J Am Stat Assoc. 1927;22(158):209-212.
    .. [3] Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion.
       Stat Sci. 2001;16(2):101-133.
    .. [4] Agresti A, Coull BA. Approximate is better than "exact" for interval
       estimation of binomial proportions. Am Stat. 1998;52(2):119-126.
    .. [5] Berry G, Armitage P. Mid-P confidence intervals: a brief review. J R Stat
       Soc Ser D (The Statistician). 1995;44(4):417-423.
    .. [6] Blaker H. Confidence curves and improved exact confidence intervals for
       discrete distributions. Can J Stat. 2000;28(4):783-798.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({
    ...     "hypotonia": pd.array([True] * 19, dtype="boolean"),
    ...     "adynamia": pd.array([True] * 12 + [False] * 7, dtype="boolean"),
    ... })
    >>> prevalence(cohort)[["variable", "events", "n", "proportion", "ci_low", "ci_high"]].round(3)
        variable  events   n  proportion  ci_low  ci_high
    0  hypotonia      19  19       1.000   0.824    1.000
    1   adynamia      12  19       0.632   0.384    0.837
    """
    function = "prevalence"
    check_dataframe(data, function=function)
    method = check_choice(ci_method, PREVALENCE_METHODS, name="ci_method", function=function)
    level = check_confidence(confidence, function=function)
    if variables is None:
        columns = [c for c in data.columns if pd.api.types.is_bool_dtype(data[c].dtype)]
        if not columns:
            raise ArgumentError(
                f"{function}(): `data` has no boolean column, so there is nothing to summarise "
                "by default. Pass `variables=[...]` naming binary (boolean or 0/1) columns."
            )
    else:
        columns = require_columns(data, variables, function=function)
        if len(set(columns)) != len(columns):
            raise ArgumentError(f"{function}(): `variables` names a column twice: {columns}.")
    k, n_obs, n_missing = _binary_counts(data, columns, function=function)
    low, high = binomial_ci(events=k, n=n_obs, ci_method=method, confidence=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = np.where(n_obs > 0, k / np.maximum(n_obs, 1), np.nan)
    empty = n_obs == 0
    note = pd.Series(
        np.where(empty, "no recorded value (n = 0): proportion undefined", None), dtype="object"
    )
    if empty.any():
        names = ", ".join(c for c, e in zip(columns, empty, strict=True) if e)
        warnings.warn(
            f"{function}(): no recorded value for {names}; proportion and interval are NaN.",
            DataQualityWarning,
            stacklevel=2,
        )
    out = pd.DataFrame(
        {
            "variable": pd.Series(columns, dtype="object"),
            "events": k,
            "n": n_obs,
            "proportion": proportion,
            "ci_low": low,
            "ci_high": high,
            "ci_method": method,
            "confidence": level,
            "n_missing": n_missing.astype(np.int64),
            "note": note,
        }
    )
    if null is not None:
        out = _test_null(out, null, method, level, function)
    return out


def _test_null(out: pd.DataFrame, null, method: str, level: float, function: str) -> pd.DataFrame:
    """Add ``null``, ``test`` and ``p_value`` (binom.test, or Blaker's with its interval)."""
    from scipy.stats import binomtest

    from b12cohort.stats._blaker import blaker_pvalue

    p0 = check_between(null, 0.0, 1.0, name="null", function=function, example="0.5")
    blaker = method == "blaker"
    pvals, notes = [], []
    for row in out.itertuples(index=False):
        if row.n == 0:
            pvals.append(np.nan)
            notes.append(row.note)
            continue
        p = (
            blaker_pvalue(int(row.events), int(row.n), p0)
            if blaker
            else float(binomtest(int(row.events), int(row.n), p0).pvalue)
        )
        pvals.append(p)
        inside = row.ci_low <= p0 <= row.ci_high
        if (p < 1 - level) == inside:
            notes.append(
                f"the {method} interval and the two-sided binomial p-value disagree about "
                f"{p0:g} (p = {p:.3g}, interval {'contains' if inside else 'excludes'} it): "
                "they invert different tests; ci_method='blaker' makes them agree"
            )
        else:
            notes.append(row.note)
    out = out.assign(
        null=p0,
        test="Blaker's exact test" if blaker else "exact binomial test",
        p_value=pvals,
    )
    out["note"] = pd.Series(notes, dtype="object")
    return out
