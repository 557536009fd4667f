"""The numbers of a random-effects pooled prevalence, for :func:`pool_prevalence`.

Private engine: plain functions on whole-number arrays of events and totals, validated by
the caller. :func:`fit_pool` applies the rules of issue 13 on how many studies make
which statement:

- k = 1: nothing is pooled. The estimate is the study's own proportion with its exact
  (Clopper-Pearson) interval, passed in by the caller; no tau², I², Q or prediction
  interval (all NaN).
- k = 2: pooled, with tau² estimated (and its Q-profile interval, which shows how little
  two studies say about it) but no prediction interval (NaN).
- k >= 3: pooled with the prediction interval for a new comparable series.

The normal-normal model (``method`` "REML" or "DL") follows ``metafor::rma`` step by step
(escalc, Fisher scoring with metafor's stopping rule, DL moments); ``ci_method="hksj"``
is ``test="knha"``. ``method="GLMM"`` is the binomial-normal model of
:func:`b12cohort.stats._meta_models.glmm_logit` (``rma.glmm(measure="PLO")``): it uses the
counts as they are, so 0 % and 100 % studies need no continuity correction; its Q, I²
and Q-profile interval are not defined (NaN).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize, special, stats

from b12cohort.core.errors import ApproximationWarning
from b12cohort.stats import _meta_models

__all__ = ["CI_METHODS", "METHODS", "TRANSFORMS", "escalc", "fit_pool"]

METHODS = ("REML", "DL", "GLMM")
TRANSFORMS = ("logit", "ft")
#: ``"wald"``: normal quantile (metafor's default ``test="z"``); ``"hksj"``:
#: Hartung-Knapp-Sidik-Jonkman, t with k - 1 df (``test="knha"``).
CI_METHODS = ("wald", "hksj")
# metafor::rma control defaults (threshold, maxiter, tol = .Machine$double.eps^0.25)
_THRESHOLD = 1e-5
_MAXITER = 100
_LL_TOL = np.finfo(float).eps ** 0.25
_NAN = float("nan")


def escalc(x: np.ndarray, n: np.ndarray, transform: str):
    """Transformed proportions and sampling variances, as ``metafor::escalc``."""
    if transform == "logit":  # measure="PLO", add=1/2, to="only0": both cells of a 0 / all study
        corrected = (x == 0) | (x == n)
        events = x + 0.5 * corrected
        non_events = n - x + 0.5 * corrected
        return np.log(events / non_events), 1 / events + 1 / non_events, corrected
    # measure="PFT" (Freeman-Tukey double arcsine); metafor adds nothing here
    yi = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
    return yi, 1 / (4 * n + 2), np.zeros(len(x), dtype=bool)


def _pft(p: float, n: float) -> float:
    """``metafor::transf.pft``: double arcsine of a proportion for sample size n."""
    x = p * n
    return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))


def _ipft(t: float, n: float) -> float:
    """``metafor::transf.ipft``: Miller's (1978) inverse of the double arcsine."""
    if t > _pft(1.0, n):
        return 1.0
    if t < _pft(0.0, n):
        return 0.0
    s = np.sin(2 * t)
    inner = 1 - (s + (s - 1 / s) / n) ** 2
    return (
        float(0.5 * (1 - np.sign(np.cos(2 * t)) * np.sqrt(inner))) if inner >= 0 else float("nan")
    )


def _reml_loglik(tau2: float, yi: np.ndarray, vi: np.ndarray) -> float:
    """Restricted log-likelihood of the intercept-only random-effects model."""
    w = 1 / (vi + tau2)
    mu = np.sum(w * yi) / np.sum(w)
    return float(
        -0.5
        * (
            (len(yi) - 1) * np.log(2 * np.pi)
            + np.sum(np.log(vi + tau2))
            + np.log(np.sum(w))
            + np.sum(w * (yi - mu) ** 2)
        )
    )


def _tau2_reml(
    yi: np.ndarray, vi: np.ndarray, *, function: str = "pool_prevalence", stacklevel: int = 4
) -> tuple[float, str]:
    # statsmodels' combine_effects has no REML (only DL and Paule-Mandel), so this follows
    # metafor::rma.uni step by step: Hedges (HE) start truncated at 0, Fisher scoring with
    # step halving at the boundary, stop when the change is <= 1e-5, then the check that
    # tau2 = 0 does not have a higher restricted likelihood.
    k = len(yi)
    ymc = yi - yi.mean()
    tau2 = max(0.0, (np.sum(ymc**2) - np.sum(vi) * (k - 1) / k) / (k - 1))
    for _ in range(_MAXITER):
        w = 1 / (vi + tau2)
        p = np.diag(w) - np.outer(w, w) / np.sum(w)
        pp = p @ p
        adj = (ymc @ pp @ ymc - np.trace(p)) / np.trace(pp)
        while tau2 + adj < 0:
            adj /= 2
        tau2, old = tau2 + adj, tau2
        if abs(tau2 - old) <= _THRESHOLD:
            break
    else:  # metafor stops with an error here; a bounded 1-D search is the safer fallback
        upper = max(100.0, 10 * float(np.var(yi, ddof=1)))
        fit = optimize.minimize_scalar(
            lambda t: -_reml_loglik(t, yi, vi),
            bounds=(0.0, upper),
            method="bounded",
            options={"xatol": 1e-10},
        )
        warnings.warn(
            f"{function}(): REML Fisher scoring did not converge in 100 iterations; tau2 "
            "was found by a bounded 1-D search of the restricted likelihood instead.",
            ApproximationWarning,
            stacklevel=stacklevel,
        )
        return float(fit.x), "bounded-brent"
    if tau2 > _THRESHOLD and _reml_loglik(0.0, yi, vi) - _reml_loglik(tau2, yi, vi) > _LL_TOL:
        tau2 = 0.0  # metafor's ll0check: Fisher scoring stuck at a local maximum
    return max(0.0, float(tau2)), "fisher-scoring"


def _tau2_dl(yi: np.ndarray, vi: np.ndarray, q: float) -> float:
    # statsmodels' combine_effects(method_re="dl") gives the same moment estimate but
    # does not truncate it at 0 (a negative tau2 then enters the weights) and fails for
    # k = 1, so the three-line formula is written out here.
    w = 1 / vi
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, float((q - (len(yi) - 1)) / c))


def _back(transform: str, n: np.ndarray):
    if transform == "logit":
        return lambda t: float(special.expit(t))
    n_hm = float(1 / np.mean(1 / n))
    return lambda t: _ipft(t, n_hm)


def _single_study(x, n, ci_low, ci_high, yi, vi, corrected) -> dict:
    return {
        "pooled": False,
        "estimate": float(x[0] / n[0]),
        "ci_low": float(ci_low[0]),
        "ci_high": float(ci_high[0]),
        "pi_low": _NAN,
        "pi_high": _NAN,
        "mu": _NAN,
        "se": _NAN,
        "df": None,
        "tau2": _NAN,
        "tau2_ci_low": _NAN,
        "tau2_ci_high": _NAN,
        "i2": _NAN,
        "i2_ci_low": _NAN,
        "i2_ci_high": _NAN,
        "q": _NAN,
        "q_df": 0,
        "q_p_value": _NAN,
        "tau2_algorithm": "none",
        "weights": np.ones(1),
        "yi": yi,
        "vi": vi,
        "corrected": corrected,
        "note": "one study: shown alone with its exact (Clopper-Pearson) interval; nothing "
        "is pooled, so there is no heterogeneity, tau² or prediction interval",
    }


def fit_pool(
    x: np.ndarray,
    n: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    *,
    method: str,
    ci_method: str,
    transform: str,
    confidence: float,
) -> dict:
    """Every number of the pooled result (see the module notes for the k rules).

    ``ci_low``/``ci_high``: the studies' exact intervals (the k = 1 answer). Returns a
    dict with ``pooled``, ``estimate``, ``ci_low``, ``ci_high``, ``pi_low``, ``pi_high``
    (back-transformed), ``mu``, ``se``, ``df`` (t df with "hksj", else None), ``tau2``
    and its Q-profile ``tau2_ci_low``/``tau2_ci_high``, ``i2`` with ``i2_ci_low``/
    ``i2_ci_high``, ``q``, ``q_df``, ``q_p_value``, ``tau2_algorithm``, ``weights``
    (fractions), ``yi``, ``vi``, ``corrected`` and ``note``.
    """
    k = len(x)
    xf, nf = x.astype(float), n.astype(float)
    yi, vi, corrected = escalc(xf, nf, transform)
    if method == "GLMM":
        corrected = np.zeros(k, dtype=bool)  # the GLMM uses the counts; yi/vi only describe
    if k == 1:
        return _single_study(x, n, ci_low, ci_high, yi, vi, corrected)
    level = confidence
    z = float(stats.norm.ppf(0.5 + level / 2))
    back = _back(transform, nf)
    out: dict = {"pooled": True, "yi": yi, "vi": vi, "corrected": corrected, "df": None}
    notes = []
    if method == "GLMM":
        fit = _meta_models.glmm_logit(x, n)
        mu, se, tau2 = fit.mu, fit.se, fit.tau2
        w = 1 / (vi + tau2)  # descriptive weights only (the GLMM has no inverse-variance weights)
        crit = z
        out |= {
            "q": _NAN,
            "q_df": k - 1,
            "q_p_value": _NAN,
            "i2": _NAN,
            "tau2_ci_low": _NAN,
            "tau2_ci_high": _NAN,
            "i2_ci_low": _NAN,
            "i2_ci_high": _NAN,
            "tau2_algorithm": f"ml-agq{fit.n_nodes}",
        }
        notes.append(
            "binomial-normal GLMM by maximum likelihood (7-point adaptive Gauss-Hermite "
            "quadrature); no continuity correction; Q, I² and the Q-profile interval belong "
            "to the normal-normal model and are not given"
        )
        if not fit.converged:
            notes.append("the GLMM likelihood reached its search bound for tau (not converged)")
    else:
        w0 = 1 / vi
        mu0 = np.sum(w0 * yi) / np.sum(w0)
        q = float(np.sum(w0 * (yi - mu0) ** 2))
        if method == "DL":
            tau2, algorithm = _tau2_dl(yi, vi, q), "moments"
        else:
            tau2, algorithm = _tau2_reml(yi, vi)
        w = 1 / (vi + tau2)
        mu = float(np.sum(w * yi) / np.sum(w))
        se = float(np.sqrt(1 / np.sum(w)))
        crit = z
        if ci_method == "hksj":
            hk = _meta_models.hartung_knapp(yi, vi, tau2, confidence=level)
            se, crit, out["df"] = hk["se"], float(stats.t.ppf(0.5 + level / 2, k - 1)), k - 1
            notes.append(f"Hartung-Knapp-Sidik-Jonkman intervals (t with {k - 1} df)")
        s2 = (k - 1) * np.sum(w0) / (np.sum(w0) ** 2 - np.sum(w0**2))
        qp = _meta_models.tau2_qprofile(yi, vi, tau2=tau2, confidence=level)
        out |= {
            "q": q,
            "q_df": k - 1,
            "q_p_value": float(stats.chi2.sf(q, k - 1)),
            "i2": float(tau2 / (tau2 + s2)),
            "tau2_ci_low": qp["tau2_low"],
            "tau2_ci_high": qp["tau2_high"],
            "i2_ci_low": qp["i2_low"],
            "i2_ci_high": qp["i2_high"],
            "tau2_algorithm": algorithm,
        }
        if qp["high_beyond"]:  # metafor prints the search limit with ">"; say "unbounded"
            out |= {"tau2_ci_high": float("inf"), "i2_ci_high": 1.0}
            notes.append(
                f"the Q-profile upper limit of tau² lies beyond {qp['search_max']:g} (the "
                "search range): the data set no upper bound, reported as inf"
            )
    out |= {
        "mu": float(mu),
        "se": float(se),
        "tau2": float(tau2),
        "estimate": back(mu),
        "ci_low": back(mu - crit * se),
        "ci_high": back(mu + crit * se),
        "weights": w / np.sum(w),
    }
    if k >= 3:
        pred_se = float(np.sqrt(se**2 + tau2))
        out |= {"pi_low": back(mu - crit * pred_se), "pi_high": back(mu + crit * pred_se)}
    else:
        out |= {"pi_low": _NAN, "pi_high": _NAN}
        notes.append(
            "two studies: pooled, but tau² is too imprecise to read and no prediction "
            "interval is given (it needs at least three studies)"
        )
    out["note"] = "; ".join(notes)
    return out
