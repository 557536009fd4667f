"""Tests for b12cohort.stats._meta_models against R metafor 3.8-1 / lme4 1.1-31.

Reference: tests/reference/meta_models.R -> meta_models.json (the R call of every case is
in the JSON beside its numbers and is printed on failure).

Tolerances:
- Hartung-Knapp: 1e-10 absolute. The engine is given R's yi, vi and tau², so nothing but
  the formula is compared.
- Q-profile: 1e-8 absolute against ``confint(res, control = list(tol = 1e-12))``; against
  metafor's default uniroot tolerance (eps^0.25) 1e-3.
- GLMM: 1e-4 absolute on mu, se and the interval limits (logit scale), tau² within 1e-4
  absolute or 1e-5 relative. Both sides use 7-point adaptive Gauss-Hermite quadrature,
  so they maximise the same function; what is left is lme4's optimiser stopping rule
  (bobyqa / Nelder-Mead on the deviance) and its finite-difference Hessian (the observed
  differences are up to 2e-5 on mu and se, 7e-5 on a tau² of 9.7).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import requires_r, rerun_reference, without_versions
from scipy import integrate, special, stats

from b12cohort.stats import _meta_models as mm

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "meta_models.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
IDS = [c["id"] for c in CASES]


def _arrays(case):
    return np.asarray(case["yi"], dtype=float), np.asarray(case["vi"], dtype=float)


@pytest.mark.parametrize("method", ["REML", "DL"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hartung_knapp_against_R(case, method):
    ref = case["knha"][method]
    yi, vi = _arrays(case)
    got = mm.hartung_knapp(yi, vi, ref["tau2"], confidence=case["confidence"])
    assert got["df"] == ref["df"] == len(yi) - 1
    for name in ("mu", "se", "ci_low", "ci_high", "pi_low", "pi_high", "p_value"):
        assert got[name] == pytest.approx(ref[name], abs=1e-10), f"{name}; R: {ref['call']}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tau2_qprofile_against_R(case):
    ref = case["qprofile"]
    yi, vi = _arrays(case)
    got = mm.tau2_qprofile(yi, vi, tau2=ref["tau2"], confidence=case["confidence"])
    for name in ("tau2_low", "tau2_high", "i2_low", "i2_high"):
        assert got[name] == pytest.approx(ref[name], abs=1e-8), f"{name}; R: {ref['call']}"
    assert got["tau2_low"] == pytest.approx(ref["tau2_low_default_tol"], abs=1e-3)
    assert got["tau2_high"] == pytest.approx(ref["tau2_high_default_tol"], abs=1e-3)
    # metafor returns its search limit, max(100, 10 tau2), when Q stays above the quantile
    assert got["high_beyond"] == (ref["tau2_high"] == got["search_max"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_glmm_logit_against_R(case):
    ref = case["glmm"]
    fit = mm.glmm_logit(case["xi"], case["ni"], n_nodes=ref["n_agq"])
    assert fit.converged
    z = stats.norm.ppf(0.5 + case["confidence"] / 2)
    got = {
        "mu": fit.mu,
        "se": fit.se,
        "ci_low": fit.mu - z * fit.se,
        "ci_high": fit.mu + z * fit.se,
        "pi_low": fit.mu - z * np.sqrt(fit.se**2 + fit.tau2),
        "pi_high": fit.mu + z * np.sqrt(fit.se**2 + fit.tau2),
    }
    for name, value in got.items():
        assert value == pytest.approx(ref[name], abs=1e-4), f"{name}; R: {ref['call']}"
    assert fit.tau2 == pytest.approx(ref["tau2"], abs=1e-4, rel=1e-5), f"tau2; R: {ref['call']}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_glmm_maximum_is_at_least_as_high_as_R_estimates(case):
    # Same quadrature on both sides: the Python maximum cannot be below the likelihood at
    # lme4's estimates (up to the optimiser tolerance).
    ref = case["glmm"]
    x, n = np.asarray(case["xi"], float), np.asarray(case["ni"], float)
    fit = mm.glmm_logit(x, n)
    nodes, weights = np.polynomial.hermite.hermgauss(7)
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    at_r = mm._glmm_loglik(ref["mu"], np.sqrt(ref["tau2"]), x, n, log_choose, nodes, weights)
    assert fit.loglik >= at_r - 1e-9


def test_glmm_quadrature_equals_direct_integration():
    # 7-point adaptive quadrature against scipy.integrate.quad of the binomial-normal
    # marginal likelihood at a point away from the maximum, for a 0/9 and a 9/9 study.
    x, n = np.array([0.0, 9.0, 5.0]), np.array([9.0, 9.0, 12.0])
    mu, tau = -0.3, 1.7
    exact = 0.0
    for xi, ni in zip(x, n, strict=True):

        def density(u, xi=xi, ni=ni):
            return stats.binom.pmf(xi, ni, special.expit(mu + u)) * stats.norm.pdf(u, 0, tau)

        exact += np.log(integrate.quad(density, -30 * tau, 30 * tau, epsabs=1e-15, limit=200)[0])
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    for n_nodes, tol in ((7, 1e-3), (40, 1e-10)):
        nodes, weights = np.polynomial.hermite.hermgauss(n_nodes)
        got = mm._glmm_loglik(mu, tau, x, n, log_choose, nodes, weights)
        assert got == pytest.approx(exact, abs=tol), n_nodes


@pytest.mark.parametrize(
    ("events", "totals"), [([0, 0, 0], [5, 9, 7]), ([4, 9], [4, 9]), ([3], [10])]
)
def test_glmm_without_a_finite_maximum_raises(events, totals):
    with pytest.raises(ValueError, match="studies|finite maximum"):
        mm.glmm_logit(events, totals)


def test_one_study_has_no_hartung_knapp_or_qprofile():
    with pytest.raises(ValueError, match="two studies"):
        mm.hartung_knapp([0.1], [0.2], 0.0)
    with pytest.raises(ValueError, match="two studies"):
        mm.tau2_qprofile([0.1], [0.2])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_qprofile_interval_holds_the_reml_estimate(case):
    yi, vi = _arrays(case)
    tau2 = case["qprofile"]["tau2"]
    got = mm.tau2_qprofile(yi, vi, tau2=tau2, confidence=case["confidence"])
    assert got["tau2_low"] <= tau2 + 1e-9
    assert tau2 <= got["tau2_high"] + 1e-9 or got["tau2_high"] == 0.0


@requires_r
@pytest.mark.slow
def test_meta_models_reference_script_reproduces(tmp_path):
    assert rerun_reference("meta_models.R", tmp_path) == without_versions(REF)
