"""Proportional-odds (cumulative logit) regression with Brant's test of the assumption.

:func:`ordinal_regression` fits ``logit P(Y <= j) = zeta_j - x'beta`` by maximum
likelihood with statsmodels ``OrderedModel`` (logit link), reports the thresholds and
slopes as R ``MASS::polr`` does (same parametrisation and sign), their standard errors
from the observed information, Wald intervals (R ``confint.default`` on the polr fit)
and Brant's (1990) test of proportional odds. Pinned in
``tests/reference/ordinal_regression.R``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import check_confidence, float_values, require_columns
from b12cohort.core.errors import ArgumentError
from b12cohort.core.results import Result

__all__ = ["OrdinalRegression", "ordinal_regression"]

TEST = "proportional-odds logistic regression"


@dataclass(frozen=True)
class OrdinalRegression(Result):
    """Result of :func:`ordinal_regression` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    outcome: str
    predictors: tuple[str, ...]
    levels: tuple
    n: int
    n_missing: int
    confidence: float
    log_likelihood: float
    aic: float
    brant_statistic: float
    brant_df: int
    brant_p_value: float
    converged: bool
    note: str
    coefficients: pd.DataFrame = field(repr=False)
    brant: pd.DataFrame = field(repr=False)


def _outcome_codes(series: pd.Series, column: str, function: str) -> tuple[np.ndarray, list]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.dtype.ordered:
            raise ArgumentError(
                f"{function}(): outcome '{column}' is an unordered categorical; make it "
                f"ordered (data['{column}'].cat.as_ordered()) with its levels in order."
            )
        levels = list(series.dtype.categories)
        codes = series.cat.codes.to_numpy(np.int64)
    elif pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64").to_numpy(na_value=np.nan)
        levels = [float(v) for v in np.unique(values[np.isfinite(values)])]
        codes = np.full(len(values), -1, dtype=np.int64)
        ok = np.isfinite(values)
        codes[ok] = np.searchsorted(levels, values[ok])
    else:
        raise ArgumentError(
            f"{function}(): outcome '{column}' must be an ordered categorical or numeric "
            f"column; got dtype {series.dtype}."
        )
    return codes, levels


def _predictor(data: pd.DataFrame, column: str, function: str) -> np.ndarray:
    """A numeric or boolean predictor as floats (True = 1, NaN = missing)."""
    if pd.api.types.is_bool_dtype(data[column].dtype):
        return data[column].astype("float64").to_numpy(na_value=np.nan)
    return float_values(data, column, function=function, expected="numbers or booleans")


def _cumulative_loglike(params: np.ndarray, y: np.ndarray, x: np.ndarray, k: int) -> float:
    """Log-likelihood in polr's parametrisation ``(beta, zeta_1..zeta_{k-1})``."""
    p = x.shape[1]
    beta, zeta = params[:p], params[p:]
    if np.any(np.diff(zeta) <= 0):
        return -np.inf
    cuts = np.concatenate([[-np.inf], zeta, [np.inf]])
    eta = x @ beta
    upper = stats.logistic.cdf(cuts[y + 1] - eta)
    lower = stats.logistic.cdf(cuts[y] - eta)
    return float(np.sum(np.log(upper - lower)))


def _gradient(params: np.ndarray, y: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """Analytic gradient of :func:`_cumulative_loglike`."""
    p = x.shape[1]
    beta, zeta = params[:p], params[p:]
    cuts = np.concatenate([[-np.inf], zeta, [np.inf]])
    eta = x @ beta
    a, b = cuts[y + 1] - eta, cuts[y] - eta
    prob = stats.logistic.cdf(a) - stats.logistic.cdf(b)
    fa, fb = stats.logistic.pdf(a) / prob, stats.logistic.pdf(b) / prob
    g_zeta = np.array([fa[y == j].sum() - fb[y == j + 1].sum() for j in range(k - 1)])
    return np.concatenate([-(x * (fa - fb)[:, None]).sum(axis=0), g_zeta])


def _hessian(params: np.ndarray, y: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """Observed Hessian: central differences (step 1e-6) of the analytic gradient."""
    cols = []
    for i in range(len(params)):
        step = np.zeros(len(params))
        step[i] = 1e-6 * max(1.0, abs(params[i]))
        up, down = _gradient(params + step, y, x, k), _gradient(params - step, y, x, k)
        cols.append((up - down) / (2 * step[i]))
    h = np.column_stack(cols)
    return (h + h.T) / 2


def _brant(y: np.ndarray, x: np.ndarray, k: int, names: list[str]) -> pd.DataFrame:
    """Brant's Wald test that the k-1 binary logits ``Y > j`` share their slopes."""
    import statsmodels.api as sm

    n, p = x.shape
    design = np.column_stack([np.ones(n), x])
    fits, pis = [], []
    for j in range(k - 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.Logit((y > j).astype(float), design).fit(
                disp=False, method="newton", tol=1e-12, maxiter=200
            )
        fits.append(res.params)
        pis.append(res.predict(design))
    m = k - 1
    info = [np.linalg.inv(design.T @ (design * (pi * (1 - pi))[:, None])) for pi in pis]
    cov = np.zeros((m * p, m * p))
    for a in range(m):
        for b in range(a, m):
            if a == b:
                block = info[a]
            else:  # Y > b implies Y > a (b > a): P(both) = pi_b
                w = pis[b] - pis[a] * pis[b]
                block = info[a] @ (design.T @ (design * w[:, None])) @ info[b]
            cov[a * p : (a + 1) * p, b * p : (b + 1) * p] = block[1:, 1:]
            cov[b * p : (b + 1) * p, a * p : (a + 1) * p] = block[1:, 1:].T
    beta = np.concatenate([f[1:] for f in fits])
    rows = []
    for label, idx in [("omnibus", list(range(p)))] + [(nm, [i]) for i, nm in enumerate(names)]:
        # contrasts beta_1 - beta_j (j = 2..m) for the chosen slopes
        d = []
        for j in range(1, m):
            for i in idx:
                r = np.zeros(m * p)
                r[i] = 1.0
                r[j * p + i] = -1.0
                d.append(r)
        d = np.array(d)
        diff = d @ beta
        chi2 = float(diff @ np.linalg.solve(d @ cov @ d.T, diff))
        df = len(d)
        rows.append(
            {"term": label, "statistic": chi2, "df": df, "p_value": float(stats.chi2.sf(chi2, df))}
        )
    return pd.DataFrame(rows)


def ordinal_regression(
    data: pd.DataFrame, *, outcome: str, predictors: Sequence[str] | str, confidence: float = 0.95
) -> OrdinalRegression:
    """Proportional-odds model ``logit P(Y <= j) = zeta_j - x'beta``, as R ``MASS::polr``.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Ordered outcome: an ordered categorical (levels in order) or a numeric column
        (its distinct values in order), e.g. ``"neuro_score"``. Levels never observed are
        dropped (as polr does) and named in ``note``.
    predictors : str or list of str
        Numeric or boolean columns (True = 1).
    confidence : float
        Level of the Wald intervals.

    Returns
    -------
    OrdinalRegression
        ``coefficients``: one row per term (``term``, ``kind`` = ``"slope"`` or
        ``"threshold"``, ``estimate``, ``std_error``, ``z``, ``p_value`` (Wald, two-sided),
        ``ci_low``, ``ci_high`` (Wald, ``confint.default``), ``odds_ratio``,
        ``or_ci_low``, ``or_ci_high`` (``exp`` of the slope and its limits; NaN for
        thresholds)). A positive slope means higher values of the predictor go with
        higher outcome levels. ``brant``: Brant's test, one row for all slopes together
        (``"omnibus"``) and one per predictor (``statistic`` chi-squared, ``df``,
        ``p_value``); ``brant_statistic``, ``brant_df``, ``brant_p_value`` repeat the
        omnibus row. ``levels`` (observed outcome levels), ``n``, ``n_missing``,
        ``log_likelihood``, ``aic``, ``converged``, ``test``, ``method``
        (``"maximum-likelihood"``), ``method_detail``, ``note``.

    Raises
    ------
    ArgumentError
        Fewer than three observed outcome levels (use :func:`b12cohort.logistic` for
        two), a non-numeric predictor, unknown columns.

    Notes
    -----
    The fit is statsmodels ``OrderedModel(distr="logit")`` (BFGS, then Newton); the
    thresholds are reported on polr's scale (``zeta_j`` themselves, not statsmodels'
    log-increments) and the covariance is the inverse observed information in that
    parametrisation (central differences of the analytic gradient, after a Newton
    polish of the statsmodels estimates). Brant's test fits the
    ``k - 1`` binary logistic regressions of ``Y > j``, estimates the joint covariance of
    their slopes (Brant 1990, eq. 2.3) and tests ``beta_1 = ... = beta_{k-1}`` by Wald;
    a small p-value says the odds ratio is not the same at every cut. With 19 subjects
    the test has little power: a large p-value does not show that the odds are
    proportional.

    References
    ----------
    McCullagh P. Regression models for ordinal data. J R Stat Soc B. 1980;42:109-142.
    Brant R. Assessing proportionality in the proportional odds model for ordinal
    logistic regression. Biometrics. 1990;46:1171-1178.
    Venables WN, Ripley BD. Modern Applied Statistics with S. 4th ed. Springer; 2002.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    fn = "ordinal_regression"
    preds = [predictors] if isinstance(predictors, str) else list(predictors)
    if not preds:
        raise ArgumentError(f"{fn}(): `predictors` must name at least one column.")
    require_columns(data, [outcome, *preds], function=fn)
    confidence = check_confidence(confidence, function=fn)
    codes, levels = _outcome_codes(data[outcome], outcome, fn)
    x = np.column_stack([_predictor(data, p, fn) for p in preds])
    keep = (codes >= 0) & np.all(np.isfinite(x), axis=1)
    n_missing = int((~keep).sum())
    codes, x = codes[keep], x[keep]
    observed = np.unique(codes)
    notes = []
    if len(observed) < 3:
        raise ArgumentError(
            f"{fn}(): outcome '{outcome}' has {len(observed)} observed level(s) among the "
            f"{len(codes)} complete rows; a proportional-odds model needs at least three. "
            "With two levels use b12cohort.logistic()."
        )
    dropped = [levels[i] for i in range(len(levels)) if i not in set(observed)]
    if dropped:
        notes.append(f"Outcome levels never observed were dropped: {', '.join(map(str, dropped))}.")
    y = np.searchsorted(observed, codes)
    kept_levels = tuple(levels[i] for i in observed)
    k = len(observed)
    endog = pd.Series(pd.Categorical.from_codes(y, categories=list(range(k)), ordered=True))
    model = OrderedModel(endog, pd.DataFrame(x, columns=preds), distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = model.fit(method="bfgs", disp=False, maxiter=10_000, gtol=1e-10)
        fit = model.fit(
            start_params=first.params, method="newton", disp=False, maxiter=100, tol=1e-12
        )
    p = len(preds)
    zeta = model.transform_threshold_params(fit.params)[1:-1]
    theta = np.concatenate([fit.params[:p], zeta])
    for _ in range(3):  # Newton polish on the analytic gradient
        step = np.linalg.solve(_hessian(theta, y, x, k), _gradient(theta, y, x, k))
        if not np.all(np.isfinite(step)) or _cumulative_loglike(theta - step, y, x, k) < (
            _cumulative_loglike(theta, y, x, k) - 1e-12
        ):
            break
        theta = theta - step
    cov = np.linalg.inv(-_hessian(theta, y, x, k))
    se = np.sqrt(np.diag(cov))
    q = stats.norm.ppf((1 + confidence) / 2)
    z = theta / se
    labels = list(preds) + [f"{kept_levels[j]}|{kept_levels[j + 1]}" for j in range(k - 1)]
    coef = pd.DataFrame(
        {
            "term": labels,
            "kind": ["slope"] * p + ["threshold"] * (k - 1),
            "estimate": theta,
            "std_error": se,
            "z": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": theta - q * se,
            "ci_high": theta + q * se,
        }
    )
    slope = coef["kind"] == "slope"
    for col, src in [
        ("odds_ratio", "estimate"),
        ("or_ci_low", "ci_low"),
        ("or_ci_high", "ci_high"),
    ]:
        coef[col] = np.where(slope, np.exp(coef[src]), math.nan)
    brant = _brant(y, x, k, preds)
    if k == 3:
        notes.append("Brant's test compares the slopes of the two cuts.")
    loglik = _cumulative_loglike(theta, y, x, k)
    converged = bool(fit.mle_retvals.get("converged", True))
    return OrdinalRegression(
        test=TEST,
        method="maximum-likelihood",
        method_detail=(
            "statsmodels OrderedModel (logit), thresholds on MASS::polr's scale; Wald "
            "standard errors from the observed information; Brant's Wald test"
        ),
        outcome=outcome,
        predictors=tuple(preds),
        levels=kept_levels,
        n=len(y),
        n_missing=n_missing,
        confidence=confidence,
        log_likelihood=loglik,
        aic=2 * len(theta) - 2 * loglik,
        brant_statistic=float(brant["statistic"].iloc[0]),
        brant_df=int(brant["df"].iloc[0]),
        brant_p_value=float(brant["p_value"].iloc[0]),
        converged=converged,
        note=" ".join(notes),
        coefficients=coef,
        brant=brant,
    )
