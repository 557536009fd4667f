"""Engines for random-effects meta-analysis of proportions beyond the normal-normal model.

Private: plain functions on arrays, no argument checking beyond what the formulas need
(the public functions check their inputs first). Three engines, each pinned to R
``metafor`` 3.8-1 in ``tests/reference/meta_models.R``:

:func:`hartung_knapp`
    The Hartung-Knapp(-Sidik-Jonkman) standard error and t-based confidence and
    prediction intervals of the pooled mean (``rma(..., test="knha")``).
:func:`tau2_qprofile`
    The Q-profile confidence interval for tau² (Viechtbauer 2007; ``confint(rma(...))``),
    with the matching interval for I².
:func:`glmm_logit`
    The binomial-normal (random-intercept logistic) model fitted by maximum likelihood
    with adaptive Gauss-Hermite quadrature
    (``rma.glmm(measure="PLO", xi, ni, method="ML")``, which calls ``lme4::glmer`` with
    ``nAGQ = 7``). Studies with 0 % or 100 % events enter as they are: no continuity
    correction.

References
----------
Hartung J, Knapp G. A refined method for the meta-analysis of controlled clinical trials
with binary outcome. Stat Med. 2001;20(24):3875-3889.
Sidik K, Jonkman JN. A simple confidence interval for meta-analysis. Stat Med.
2002;21(21):3153-3159.
Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis.
Stat Med. 2007;26(1):37-52.
Stijnen T, Hamza TH, Özdemir P. Random effects meta-analysis of event outcome in the
framework of the generalized linear mixed model with applications in sparse data.
Stat Med. 2010;29(29):3046-3067.
Pinheiro JC, Bates DM. Approximations to the log-likelihood function in the nonlinear
mixed-effects model. J Comput Graph Stat. 1995;4(1):12-35.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

__all__ = ["GlmmFit", "glmm_logit", "hartung_knapp", "q_statistic", "tau2_qprofile"]

_EPS = np.finfo(float).eps


def _weighted_mean(yi: np.ndarray, vi: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    w = 1.0 / (vi + tau2)
    return float(np.sum(w * yi) / np.sum(w)), w


def hartung_knapp(yi, vi, tau2: float, *, confidence: float = 0.95) -> dict[str, float]:
    """Hartung-Knapp-Sidik-Jonkman inference on the pooled mean, as ``test="knha"``.

    With :math:`w_i = 1/(v_i + \\hat\\tau^2)` and :math:`\\hat\\mu = \\sum w_i y_i / \\sum
    w_i`, the variance :math:`1/\\sum w_i` is multiplied by
    :math:`s^2_w = \\sum w_i (y_i - \\hat\\mu)^2 / (k - 1)` (set to 0 when the weighted
    residual sum of squares is below machine epsilon, as metafor does), and the
    intervals use the t distribution with k - 1 degrees of freedom, the prediction
    interval too (:math:`\\hat\\mu \\pm t_{k-1}\\sqrt{SE^2 + \\hat\\tau^2}`, metafor 3.8
    ``predict.rma``). Needs k >= 2.

    Returns
    -------
    dict
        ``mu``, ``se`` (adjusted), ``df``, ``ci_low``, ``ci_high``, ``pi_low``,
        ``pi_high`` (transformed scale), ``statistic`` (t) and ``p_value`` (two-sided),
        ``s2w`` (the multiplier).
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = y.size
    if k < 2:
        raise ValueError("hartung_knapp needs at least two studies (t with k - 1 df).")
    mu, w = _weighted_mean(y, v, tau2)
    rss = float(np.sum(w * (y - mu) ** 2))
    s2w = 0.0 if rss <= _EPS else rss / (k - 1)
    se = float(np.sqrt(s2w / np.sum(w)))
    crit = float(stats.t.ppf(0.5 + confidence / 2, k - 1))
    pred_se = float(np.sqrt(se**2 + tau2))
    statistic = mu / se if se > 0 else np.copysign(np.inf, mu) if mu != 0 else np.nan
    p_value = float(2 * stats.t.sf(abs(statistic), k - 1)) if np.isfinite(statistic) else 0.0
    return {
        "mu": mu,
        "se": se,
        "df": k - 1,
        "ci_low": mu - crit * se,
        "ci_high": mu + crit * se,
        "pi_low": mu - crit * pred_se,
        "pi_high": mu + crit * pred_se,
        "statistic": float(statistic),
        "p_value": p_value,
        "s2w": s2w,
    }


def q_statistic(tau2: float, yi: np.ndarray, vi: np.ndarray) -> float:
    """Generalised Cochran's Q at tau²: :math:`\\sum (y_i - \\hat\\mu)^2 / (v_i + \\tau^2)`."""
    mu, w = _weighted_mean(yi, vi, tau2)
    return float(np.sum(w * (yi - mu) ** 2))


def _typical_variance(vi: np.ndarray) -> float:
    w = 1.0 / vi
    return float((vi.size - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2)))


def tau2_qprofile(
    yi, vi, *, tau2: float = 0.0, confidence: float = 0.95, tol: float = 1e-12
) -> dict[str, float | bool]:
    """Q-profile confidence interval for tau² (Viechtbauer 2007), as metafor ``confint``.

    The generalised Q statistic falls as tau² grows; the limits are where it crosses the
    chi-squared (k - 1 df) quantiles: the lower limit solves
    :math:`Q(\\tau^2) = \\chi^2_{k-1,\\,1-\\alpha/2}` and the upper one
    :math:`Q(\\tau^2) = \\chi^2_{k-1,\\,\\alpha/2}`. A limit is 0 when Q(0) is already below
    its quantile (both are 0 when Q(0) is below the lower quantile); the search runs over
    [0, max(100, 10 tau²)] as metafor's, and a limit beyond that range is returned as the
    range's end with ``*_beyond`` True. ``tau2`` is the point estimate, used only to set
    the range. Needs k >= 2.

    Returns
    -------
    dict
        ``tau2_low``, ``tau2_high``, ``i2_low``, ``i2_high`` (fractions, from the
        typical within-study variance as metafor's I²), ``low_beyond``, ``high_beyond``
        (the limit is the end of the search range, the true limit lies beyond),
        ``search_max``.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = y.size
    if k < 2:
        raise ValueError("tau2_qprofile needs at least two studies (chi-squared with k - 1 df).")
    tail = (1 - confidence) / 2
    crit_u = float(stats.chi2.isf(tail, k - 1))
    crit_l = float(stats.chi2.ppf(tail, k - 1))
    top = max(100.0, 10 * tau2)
    q_min, q_max = q_statistic(0.0, y, v), q_statistic(top, y, v)

    def solve(target: float) -> float:
        return float(
            optimize.brentq(lambda t: q_statistic(t, y, v) - target, 0.0, top, xtol=tol, rtol=tol)
        )

    low_beyond = high_beyond = False
    if q_min < crit_l:
        low, high = 0.0, 0.0
    else:
        if q_max > crit_l:
            high, high_beyond = top, True
        else:
            high = solve(crit_l)
        if q_max > crit_u:
            low, high, low_beyond, high_beyond = top, top, True, True
        elif q_min < crit_u:
            low = 0.0
        else:
            low = solve(crit_u)
    s2 = _typical_variance(v)
    return {
        "tau2_low": low,
        "tau2_high": high,
        "i2_low": low / (low + s2),
        "i2_high": high / (high + s2),
        "low_beyond": low_beyond,
        "high_beyond": high_beyond,
        "search_max": top,
    }


# --------------------------------------------------------------------------- GLMM
@dataclass(frozen=True)
class GlmmFit:
    """Maximum-likelihood fit of the binomial-normal model (logit scale).

    ``mu`` and ``se``: pooled log-odds and its standard error (from the inverse of the
    observed information of (tau, mu), the mu block, as ``lme4``'s ``vcov``);
    ``tau2``: between-study variance of the log-odds; ``loglik``: the maximised
    (quadrature) log-likelihood, binomial coefficients included; ``n_nodes``: quadrature
    points per study; ``iterations``: likelihood evaluations; ``converged``.
    """

    mu: float
    se: float
    tau2: float
    loglik: float
    n_nodes: int
    iterations: int
    converged: bool


def _conditional_modes(mu, tau, x, n, *, tol: float = 1e-12, max_iter: int = 100):
    """Mode of each study's conditional log density in b (u = tau b, b ~ N(0, 1))."""
    b = np.zeros_like(x)
    for _ in range(max_iter):
        p = special.expit(mu + tau * b)
        grad = tau * (x - n * p) - b
        hess = -(tau**2) * n * p * (1 - p) - 1.0
        step = grad / hess
        b = b - step
        if np.max(np.abs(step)) < tol:
            break
    p = special.expit(mu + tau * b)
    return b, np.sqrt(1.0 / (tau**2 * n * p * (1 - p) + 1.0))


def _glmm_loglik(mu: float, tau: float, x, n, log_choose, nodes, weights) -> float:
    """Adaptive Gauss-Hermite log-likelihood (nodes/weights for exp(-z^2))."""
    if tau == 0.0:
        eta = np.full_like(x, mu)
        return float(np.sum(log_choose + x * eta - n * np.logaddexp(0.0, eta)))
    mode, scale = _conditional_modes(mu, tau, x, n)
    b = mode[:, None] + np.sqrt(2.0) * scale[:, None] * nodes[None, :]
    eta = mu + tau * b
    log_f = x[:, None] * eta - n[:, None] * np.logaddexp(0.0, eta) - 0.5 * b**2
    log_terms = log_f + nodes[None, :] ** 2 + np.log(weights)[None, :]
    log_int = special.logsumexp(log_terms, axis=1) + np.log(np.sqrt(2.0) * scale)
    return float(np.sum(log_choose + log_int - 0.5 * np.log(2 * np.pi)))


def glmm_logit(events, totals, *, n_nodes: int = 7, tol: float = 1e-10) -> GlmmFit:
    """Binomial-normal random-intercept model by maximum likelihood (``rma.glmm``, PLO).

    :math:`x_i \\sim \\mathrm{Bin}(n_i, \\mathrm{expit}(\\mu + u_i))`,
    :math:`u_i \\sim N(0, \\tau^2)`. Each study's integral over :math:`u_i` is taken by
    adaptive Gauss-Hermite quadrature with ``n_nodes`` points centred at the
    conditional mode and scaled by the conditional curvature there (Pinheiro and Bates
    1995), the approximation ``lme4::glmer(nAGQ = 7)`` makes for metafor; more nodes
    approach the exact likelihood. The likelihood is maximised over tau >= 0 (profile:
    a bounded one-dimensional search over tau, each step maximising over mu), so tau² = 0
    is a possible answer. Needs at least two studies and not every study at 0 % (or every
    study at 100 %), where no finite maximum exists.

    Raises
    ------
    ValueError
        Fewer than two studies, or no finite maximum (all 0 % or all 100 %).
    """
    x = np.asarray(events, dtype=float)
    n = np.asarray(totals, dtype=float)
    if x.size < 2:
        raise ValueError("glmm_logit needs at least two studies.")
    if np.all(x == 0) or np.all(x == n):
        raise ValueError(
            "glmm_logit: every study has 0 % (or every study 100 %) events; the likelihood "
            "has no finite maximum."
        )
    nodes, weights = np.polynomial.hermite.hermgauss(n_nodes)
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    evaluations = 0

    def loglik(mu: float, tau: float) -> float:
        nonlocal evaluations
        evaluations += 1
        return _glmm_loglik(mu, tau, x, n, log_choose, nodes, weights)

    pooled = special.logit((x.sum() + 0.5) / (n.sum() + 1.0))
    logits = special.logit((x + 0.5) / (n + 1.0))
    spread = float(np.ptp(logits)) + 1.0

    def profile(tau: float) -> tuple[float, float]:
        fit = optimize.minimize_scalar(
            lambda m: -loglik(m, tau),
            bracket=(pooled - 1.0, pooled + 1.0),
            method="brent",
            tol=tol,
        )
        return float(fit.x), -float(fit.fun)

    upper = 3.0 * spread + 5.0
    outer = optimize.minimize_scalar(
        lambda t: -profile(t)[1], bounds=(0.0, upper), method="bounded", options={"xatol": tol}
    )
    tau = float(outer.x)
    mu_hat, ll = profile(tau)
    mu0, ll0 = profile(0.0)
    if ll0 >= ll:
        tau, mu_hat, ll = 0.0, mu0, ll0
    se = _glmm_se(loglik, mu_hat, tau)
    converged = bool(outer.success) and tau < upper * (1 - 1e-6)
    return GlmmFit(
        mu=mu_hat,
        se=se,
        tau2=tau**2,
        loglik=ll,
        n_nodes=n_nodes,
        iterations=evaluations,
        converged=converged,
    )


def _glmm_se(loglik, mu: float, tau: float, h: float = 1e-4) -> float:
    """SE of mu from the observed information of (tau, mu) by central differences.

    The likelihood is even in tau, so at tau = 0 the cross term vanishes and the mu
    block reduces to 1 / (-d²l/dmu²), the fixed-effect standard error.
    """
    d_mm = (loglik(mu + h, tau) - 2 * loglik(mu, tau) + loglik(mu - h, tau)) / h**2
    if tau == 0.0:
        return float(np.sqrt(-1.0 / d_mm))
    d_tt = (loglik(mu, tau + h) - 2 * loglik(mu, tau) + loglik(mu, tau - h)) / h**2
    d_mt = (
        loglik(mu + h, tau + h)
        - loglik(mu + h, tau - h)
        - loglik(mu - h, tau + h)
        + loglik(mu - h, tau - h)
    ) / (4 * h**2)
    info = -np.array([[d_mm, d_mt], [d_mt, d_tt]])
    return float(np.sqrt(np.linalg.inv(info)[0, 0]))
