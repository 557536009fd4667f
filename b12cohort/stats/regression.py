"""Logistic regression for small cohorts: maximum likelihood or Firth's penalised likelihood.

:func:`logistic` fits ``outcome ~ predictors`` by maximum likelihood (statsmodels
``Logit``; pinned to R ``glm(family = binomial)`` and ``confint.default``) or by Firth's
penalised likelihood (the ``firthmodels`` package; pinned to a plain-R implementation of
Heinze & Schemper (2002) in ``tests/reference/regression.R`` and to logistf output
published in firthmodels' test suite). Separation, common with 19 infants, is detected
by linear programming (Konis 2007, ``firthmodels.detect_separation``) and reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import check_choice, check_confidence, require_columns
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.core.results import Result

__all__ = ["INTERCEPT", "LogisticResult", "logistic"]

#: Name of the intercept term (as in R).
INTERCEPT = "(Intercept)"
#: Convergence tolerances: statsmodels Newton (parameter change) and firthmodels
#: (gradient and parameter change; tried in turn, the second being logistf's own
#: xconv); tight enough to pin to R at 1e-6. Tighter Firth tolerances fail to converge
#: on uncentred predictors (step-halving cannot improve at machine precision).
MLE_TOL = 1e-10
FIRTH_TOLS = (1e-6, 1e-4)
PROFILE_TOL = 1e-8
MAX_ITER = 100

SUMMARY_COLUMNS = ["estimate", "std_error", "odds_ratio", "ci_low", "ci_high", "p_value"]


@dataclass(frozen=True)
class LogisticResult(Result):
    """Result of :func:`logistic` (see there for every field)."""

    outcome: str
    predictors: tuple[str, ...]
    table: pd.DataFrame
    test: str
    method: str
    p_test: str
    ci_method: str
    confidence: float
    n: int
    events: int
    n_missing: int
    converged: bool
    separation: bool
    separated_terms: tuple[str, ...]
    note: str
    method_detail: str = ""


def _outcome(data: pd.DataFrame, outcome: str, *, function: str) -> pd.Series:
    col = data[outcome]
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype("Float64")
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = set(pd.unique(col.dropna()))
        if values <= {0, 1}:
            return col.astype("Float64")
    raise ArgumentError(
        f"{function}(): `outcome` column '{outcome}' must be boolean or coded 0/1; got "
        f"dtype {col.dtype}."
    )


def _design(data: pd.DataFrame, predictors: list[str], rows: np.ndarray, notes: list[str]):
    """Model matrix with an intercept; treatment (dummy) coding for categoricals."""
    columns = {INTERCEPT: np.ones(int(rows.sum()))}
    for name in predictors:
        col = data[name][rows]
        if pd.api.types.is_bool_dtype(col.dtype):
            columns[name] = col.astype(float).to_numpy()
        elif isinstance(col.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
            col.dtype
        ):
            if isinstance(col.dtype, pd.CategoricalDtype):
                present = set(col.dropna().tolist())
                levels = [c for c in col.cat.categories if c in present]
                empty = [c for c in col.cat.categories if c not in present]
                if empty:
                    notes.append(
                        f"empty level(s) of '{name}' dropped: {', '.join(map(str, empty))}"
                    )
            else:
                levels = sorted(col.dropna().unique().tolist(), key=str)
            for level in levels[1:]:
                columns[f"{name}[{level}]"] = (col == level).to_numpy(dtype=float)
        else:
            columns[name] = col.to_numpy(dtype=float)
    return pd.DataFrame(columns)


def _separation(X: pd.DataFrame, y: np.ndarray) -> tuple[bool, tuple[str, ...]]:
    from firthmodels import detect_separation

    res = detect_separation(X.to_numpy(), y, fit_intercept=False)
    terms = tuple(t for t, finite in zip(X.columns, res.is_finite, strict=True) if not finite)
    return bool(res.separation), terms


def _fit_mle(X: pd.DataFrame, y: np.ndarray, confidence: float):
    import statsmodels.api as sm

    q = stats.norm.ppf((1 + confidence) / 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            try:
                res = sm.Logit(y, X).fit(method="newton", maxiter=MAX_ITER, tol=MLE_TOL, disp=0)
            except (np.linalg.LinAlgError, ValueError) as err:
                return None, False, f"statsmodels Logit failed: {err}"
            est = np.asarray(res.params, dtype=float)
            se = np.asarray(res.bse, dtype=float)
            table = pd.DataFrame(
                {
                    "estimate": est,
                    "std_error": se,
                    "odds_ratio": np.exp(est),
                    "ci_low": np.exp(est - q * se),
                    "ci_high": np.exp(est + q * se),
                    "p_value": np.asarray(res.pvalues, dtype=float),
                },
                index=pd.Index(X.columns, name="term"),
            )
    converged = bool(res.mle_retvals.get("converged", False))
    msgs = sorted({str(w.message).splitlines()[0] for w in caught})
    return table, converged, "; ".join(msgs)


def _profile_loglik(X: pd.DataFrame, y: np.ndarray, j: int, b: float) -> float:
    """Maximum log-likelihood with coefficient ``j`` fixed at ``b`` (offset b * x_j)."""
    import statsmodels.api as sm

    x = X.to_numpy(dtype=float)
    offset = b * x[:, j]
    rest = np.delete(x, j, axis=1)
    if rest.shape[1] == 0:
        p = 1 / (1 + np.exp(-offset))
        return float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, rest, family=sm.families.Binomial(), offset=offset).fit(
            tol=1e-12, maxiter=200
        )
    return float(res.llf)


def _profile_rows(X: pd.DataFrame, y: np.ndarray, table: pd.DataFrame, confidence: float):
    """Profile-likelihood limits and likelihood-ratio p-values (Venzon & Moolgavkar)."""
    from scipy.optimize import brentq

    full = _profile_loglik(X, y, 0, float(table["estimate"].iloc[0]))
    crit = stats.chi2.ppf(confidence, 1)
    lows, highs, pvals = [], [], []
    for j, (est, se) in enumerate(zip(table["estimate"], table["std_error"], strict=True)):

        def gap(b, j=j):
            return 2 * (full - _profile_loglik(X, y, j, b)) - crit

        limits = []
        for sign in (-1, 1):
            step = max(se, 1e-3)
            far = est + sign * step
            while gap(far) < 0 and abs(far - est) < 1e3 * step:
                step *= 2
                far = est + sign * step
            limits.append(
                brentq(gap, min(est, far), max(est, far), xtol=1e-12)
                if gap(far) > 0
                else sign * np.inf
            )
        lows.append(limits[0])
        highs.append(limits[1])
        lr = max(0.0, 2 * (full - _profile_loglik(X, y, j, 0.0)))
        pvals.append(float(stats.chi2.sf(lr, 1)))
    out = table.copy()
    out["ci_low"], out["ci_high"] = np.exp(lows), np.exp(highs)
    out["p_value"] = pvals
    return out


def _fit_firth(X: pd.DataFrame, y: np.ndarray, confidence: float):
    from firthmodels import FirthLogisticRegression

    for tol in FIRTH_TOLS:
        model = FirthLogisticRegression(fit_intercept=False, gtol=tol, xtol=tol, max_iter=MAX_ITER)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X.to_numpy(), y)
            if model.converged_:
                model.lrt()
                ci = model.conf_int(
                    alpha=1 - confidence, method="pl", tol=PROFILE_TOL, max_iter=MAX_ITER
                )
        if model.converged_:
            break
    else:
        ci = np.full((X.shape[1], 2), np.nan)
    est = np.asarray(model.coef_, dtype=float)
    table = pd.DataFrame(
        {
            "estimate": est,
            "std_error": np.asarray(model.bse_, dtype=float),
            "odds_ratio": np.exp(est),
            "ci_low": np.exp(ci[:, 0]),
            "ci_high": np.exp(ci[:, 1]),
            "p_value": np.asarray(model.lrt_pvalues_, dtype=float),
        },
        index=pd.Index(X.columns, name="term"),
    )
    msgs = sorted({str(w.message).splitlines()[0] for w in caught})
    return table, bool(model.converged_), "; ".join(msgs)


def logistic(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors,
    firth: bool = False,
    confidence: float = 0.95,
    ci_method: str = "wald",
) -> LogisticResult:
    """Logistic regression of a binary outcome, by maximum likelihood or Firth's method.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject. Not modified. Rows with a missing outcome or predictor
        are dropped (and counted).
    outcome : str
        Boolean column (or numeric coded 0/1); the model is for P(outcome is True).
    predictors : str or sequence of str
        Columns. Numeric: one slope each. Boolean: one term, True vs False. Categorical
        or text: treatment (dummy) coding against the first observed level (category
        order, else sorted), terms named ``"column[level]"``; empty categories are
        dropped. Ordered categoricals get treatment coding too (R's default for
        ordered factors is polynomial contrasts: compare with ``factor(x, ordered =
        FALSE)`` in R).
    firth : bool
        False: maximum likelihood. True: Firth's penalised likelihood (bias-reduced,
        finite under separation), with profile penalised-likelihood intervals and
        penalised likelihood-ratio p-values, as R ``logistf`` does by default.
    confidence : float
        Confidence level of the intervals.
    ci_method : {"wald", "profile"}
        Ordinary fit only. ``"wald"``: ``exp(confint.default(fit))`` and Wald z
        p-values. ``"profile"``: profile-likelihood intervals (the limits where twice the
        drop in the profile log-likelihood equals the chi-squared(1) quantile, found by
        root finding on refits with the coefficient as an offset) and likelihood-ratio
        p-values, the test those intervals invert (R ``drop1(fit, test = "LRT")``;
        ``confint(fit)`` in R interpolates the same profile and agrees to about 1e-3).

    Returns
    -------
    LogisticResult
        Frozen dataclass with fields

        ``outcome``, ``predictors``
            As given.
        ``table``
            DataFrame indexed by ``term`` (``"(Intercept)"`` first) with columns
            ``estimate`` (log odds ratio), ``std_error`` (Wald SE of the estimate: from
            the inverse information at the estimate, penalised fit included, as in
            logistf), ``odds_ratio`` (exp(estimate)), ``ci_low``, ``ci_high`` (limits
            on the odds-ratio scale: MLE, Wald ``exp(b -/+ z se)`` as R
            ``exp(confint.default(fit))``; Firth, profile penalised likelihood as
            logistf) and ``p_value`` (MLE: Wald z test as ``summary(glm)``; Firth:
            penalised likelihood-ratio test as logistf).
        ``test``
            "logistic regression".
        ``method``
            "maximum-likelihood" or "penalised-likelihood" (Firth).
        ``method_detail``
            "maximum likelihood (statsmodels Logit)" or "Firth penalised likelihood".
        ``p_test``, ``ci_method``
            The test behind the p-values and the interval: "Wald z" / "Wald
            (confint.default)", "likelihood ratio" / "profile likelihood"
            (``ci_method="profile"``), or "penalised likelihood ratio" / "profile
            penalised likelihood".
        ``confidence``
            As requested.
        ``n``, ``events``, ``n_missing``
            Subjects used, of whom with the outcome True; rows dropped for missing values.
        ``converged``
            Whether the optimiser converged.
        ``separation``, ``separated_terms``
            Whether the data are (quasi-)completely separated, and the terms whose
            maximum-likelihood estimate is infinite (linear-programming check of Konis
            2007, as R ``detectseparation``).
        ``note``
            Warnings from the fit and other caveats ("" when none).

    Raises
    ------
    ArgumentError
        Unknown columns; an outcome that is not binary or has no variation; collinear
        predictors; more parameters than subjects.

    Warns
    -----
    DataQualityWarning
        Separation in a maximum-likelihood fit (estimates infinite; use
        ``firth=True``), non-convergence, dropped empty levels.

    Notes
    -----
    Tested against R 4.2.2 ``glm(y ~ ..., family = binomial, control =
    glm.control(epsilon = 1e-14, maxit = 100))`` (coefficients, SEs, Wald p-values and
    ``confint.default``: 1e-6 relative) and, for ``firth=True``, against Firth's
    method written in plain R after Heinze & Schemper (2002) (penalised
    Newton-Raphson; penalised LR tests and profile intervals with the penalty of the
    full model, as logistf) at 1e-5, that R code itself being checked against logistf
    values (published in firthmodels' tests) at 1e-6.

    With few events per variable, maximum likelihood is biased away from zero and
    undefined under separation: prefer ``firth=True``, and keep models to one or two
    predictors with 19 subjects.

    References
    ----------
    Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80:27-38.
    Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
    regression. Statistics in Medicine 21:2409-2419.
    Venzon DJ, Moolgavkar SH (1988). A method for computing profile-likelihood-based
    confidence intervals. Applied Statistics 37:87-94.
    Konis K (2007). Linear programming algorithms for detecting separated data in
    binary logistic regression models. DPhil thesis, University of Oxford.
    Albert A, Anderson JA (1984). On the existence of maximum likelihood estimates in
    logistic regression models. Biometrika 71:1-10.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"delay": [True, False, True, True, False, True, False, False],
    ...                    "hb": [62.0, 95, 70, 81, 88, 66, 79, 99]})
    >>> res = logistic(df, outcome="delay", predictors="hb", firth=True)
    >>> res.method, res.n, res.separation
    ('penalised-likelihood', 8, False)
    >>> res.table.round(3).loc["hb", ["estimate", "p_value"]].tolist()
    [-0.144, 0.03]
    """
    fn = "logistic"
    preds = [predictors] if isinstance(predictors, str) else list(predictors)
    if not preds:
        raise ArgumentError(f"{fn}(): `predictors` must name at least one column.")
    if outcome in preds:
        raise ArgumentError(f"{fn}(): the outcome '{outcome}' cannot also be a predictor.")
    require_columns(data, [outcome, *preds], function=fn)
    confidence = check_confidence(confidence, function=fn)
    if not isinstance(firth, bool | np.bool_):
        raise ArgumentError(f"{fn}(): `firth` must be True or False; got {firth!r}.")

    profile = (
        check_choice(ci_method, ("wald", "profile"), name="ci_method", function=fn) == "profile"
    )
    if profile and firth:
        raise ArgumentError(
            f"{fn}(): ci_method='profile' is for the ordinary fit; Firth's fit always uses "
            "profile penalised-likelihood intervals."
        )
    yser = _outcome(data, outcome, function=fn)
    rows = (yser.notna() & data[preds].notna().all(axis=1)).to_numpy()
    n_missing = int((~rows).sum())
    y = yser[rows].to_numpy(dtype=float)
    n = len(y)
    n_events = int(y.sum())
    if n == 0 or n_events in (0, n):
        raise ArgumentError(
            f"{fn}(): the outcome '{outcome}' has no variation among the {n} complete rows "
            f"({n_events} True); a logistic model cannot be fitted."
        )
    notes: list[str] = []
    X = _design(data, preds, rows, notes)
    for note in notes:  # dropped empty levels
        warnings.warn(f"{fn}(): {note}.", DataQualityWarning, stacklevel=2)
    if X.shape[1] > n:
        raise ArgumentError(f"{fn}(): {X.shape[1]} parameters but only {n} complete rows.")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ArgumentError(
            f"{fn}(): the model matrix is rank deficient (terms {', '.join(X.columns)}): a "
            "predictor is constant or collinear with others among the complete rows."
        )
    separation, separated_terms = _separation(X, y)

    if firth:
        table, converged, fit_msg = _fit_firth(X, y, confidence)
        method = "Firth penalised likelihood"
        p_method, ci_method = "penalised likelihood ratio", "profile penalised likelihood"
        if separation:
            notes.append(
                f"separation by {', '.join(separated_terms)}: maximum-likelihood estimates "
                "would be infinite; Firth's estimates are finite"
            )
    else:
        table, converged, fit_msg = _fit_mle(X, y, confidence)
        if table is None:
            table = pd.DataFrame(
                np.nan, index=pd.Index(X.columns, name="term"), columns=SUMMARY_COLUMNS
            )
        method = "maximum likelihood (statsmodels Logit)"
        if profile and converged and not separation:
            table = _profile_rows(X, y, table, confidence)
            p_method, ci_method = "likelihood ratio", "profile likelihood"
        else:
            p_method, ci_method = "Wald z", "Wald (confint.default)"
            if profile:
                notes.append(
                    "profile intervals need a converged fit without separation: Wald shown"
                )
        if separation:
            msg = (
                f"'{outcome}' is (quasi-)completely separated by {', '.join(separated_terms)}: "
                "the maximum-likelihood estimates are infinite, so the reported values are "
                "where the optimiser stopped and their SEs, CIs and p-values are "
                "meaningless; use firth=True"
            )
            notes.append(msg)
            warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
    if fit_msg:
        notes.append(f"fit messages: {fit_msg}")
    if not converged:
        msg = f"the {method} fit did not converge in {MAX_ITER} iterations"
        notes.append(msg)
        if not (separation and not firth):  # already warned about separation
            warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)
    bad_p = table.index[~np.isfinite(table["p_value"].to_numpy())].tolist()
    if firth and bad_p:
        msg = f"penalised likelihood-ratio test failed for {', '.join(bad_p)} (p-value NaN)"
        notes.append(msg)
        warnings.warn(f"{fn}(): {msg}.", DataQualityWarning, stacklevel=2)

    return LogisticResult(
        outcome=outcome,
        predictors=tuple(preds),
        table=table[SUMMARY_COLUMNS],
        test="logistic regression",
        method="penalised-likelihood" if firth else "maximum-likelihood",
        method_detail=method,
        p_test=p_method,
        ci_method=ci_method,
        confidence=confidence,
        n=n,
        events=n_events,
        n_missing=n_missing,
        converged=bool(converged),
        separation=separation,
        separated_terms=separated_terms,
        note="; ".join(notes),
    )
