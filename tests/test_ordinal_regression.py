"""Tests for b12cohort.stats.ordinal_regression against R 4.2.2 ``MASS::polr``.

Reference: tests/reference/ordinal_regression.R. Tolerances: estimates 1e-6 (polr run
with ``reltol = 1e-15``); standard errors and Wald limits 1e-6 relative against the
observed information computed in R by central differences of the analytic gradient, and
2e-3 relative (limits: 6e-3 of the SE, q <= 2.58 times the SE error) against polr's own ``vcov`` /
``confint.default`` (optim's Hessian uses a
1e-3 step; the refined SEs show polr's are off by up to 9e-4); Brant's test 1e-9.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError
from b12cohort.stats.ordinal_regression import ordinal_regression

REF = json.loads((REFERENCE / "ordinal_regression.json").read_text(encoding="utf-8"))
CASES = REF["cases"]


def _frame(case) -> pd.DataFrame:
    d = pd.DataFrame(case["data"])
    codes = np.asarray(d["y"], dtype=int) - 1
    d["y"] = pd.Categorical.from_codes(
        codes, categories=list(range(1, case["k"] + 1)), ordered=True
    )
    return d


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.slow
def test_ordinal_regression_against_R_polr(case):
    res = ordinal_regression(_frame(case), outcome="y", predictors=case["predictors"])
    coef = res.coefficients
    call = case["call"]
    assert coef["term"].tolist() == case["terms"], call
    assert [str(v) for v in res.levels] == case["levels"]
    np.testing.assert_allclose(coef["estimate"], case["estimate"], rtol=0, atol=1e-6, err_msg=call)
    np.testing.assert_allclose(coef["std_error"], case["se_refined"], rtol=1e-6, err_msg=call)
    np.testing.assert_allclose(coef["std_error"], case["se_polr"], rtol=2e-3, err_msg=call)
    assert res.log_likelihood == pytest.approx(case["loglik"], abs=1e-9)
    for ci in case["wald"]:
        other = ordinal_regression(
            _frame(case), outcome="y", predictors=case["predictors"], confidence=ci["level"]
        )
        got = other.coefficients
        np.testing.assert_allclose(got["ci_low"], ci["low_refined"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(got["ci_high"], ci["high_refined"], rtol=1e-6, atol=1e-6)
        slopes = got[got["kind"] == "slope"]  # confint.default(polr) covers the slopes
        tol = 2e-3 * 3 * float(slopes["std_error"].max())  # SE error times q <= 2.58
        np.testing.assert_allclose(slopes["ci_low"], np.atleast_1d(ci["low"]), rtol=0, atol=tol)
        np.testing.assert_allclose(slopes["ci_high"], np.atleast_1d(ci["high"]), rtol=0, atol=tol)
    brant = res.brant.set_index("term")
    for term, expected in case["brant"].items():
        assert brant.loc[term, "statistic"] == pytest.approx(expected["statistic"], rel=1e-9)
        assert brant.loc[term, "df"] == expected["df"]
        assert brant.loc[term, "p_value"] == pytest.approx(expected["p_value"], rel=1e-9)
    assert res.brant_p_value == brant.loc["omnibus", "p_value"]


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    fresh = rerun_reference("ordinal_regression.R", tmp_path)
    assert fresh.keys() == without_versions(REF).keys()
    for new, old in zip(fresh["cases"], REF["cases"], strict=True):
        np.testing.assert_allclose(new["estimate"], old["estimate"], atol=1e-12)
        np.testing.assert_allclose(new["se_refined"], old["se_refined"], rtol=1e-12)


def test_empty_outcome_level_is_dropped_and_named():
    case = next(c for c in CASES if c["id"] == "sim_empty_level")
    res = ordinal_regression(_frame(case), outcome="y", predictors="hb")
    assert res.levels == (1, 3, 4)
    assert "never observed were dropped: 2" in res.note


@pytest.mark.parametrize("values", [[1, 1, 2, 2, 1, 2], [3, 3, 3, 3, 3, 3]])
def test_fewer_than_three_observed_levels_is_refused(values):
    d = pd.DataFrame({"y": values, "hb": [70.0, 80, 90, 75, 85, 95]})
    with pytest.raises(ArgumentError, match="at least three.*logistic"):
        ordinal_regression(d, outcome="y", predictors=["hb"])


@pytest.mark.slow
def test_slope_sign_follows_polr_and_odds_ratio_is_its_exponential():
    case = CASES[0]
    res = ordinal_regression(_frame(case), outcome="y", predictors=case["predictors"])
    slope = res.coefficients.set_index("term").loc["hb"]
    assert slope["estimate"] < 0  # the data were simulated with higher Hb, lower level
    assert slope["odds_ratio"] == pytest.approx(np.exp(slope["estimate"]), rel=1e-15)
    assert res.method == "maximum-likelihood" and res.summary.loc[0, "n"] == 80


def test_non_numeric_predictor_is_refused():
    d = pd.DataFrame({"y": [1, 2, 3, 1, 2, 3], "g": list("abcabc")})
    with pytest.raises(ArgumentError, match="'g'"):
        ordinal_regression(d, outcome="y", predictors="g")
