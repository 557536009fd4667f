"""Tests for the R-parity options of issue 17 against R 4.2.2.

``correlation(method="pearson")`` = ``cor.test``; ``fisher_exact_table(odds_ratio_null=)``
= ``fisher.test(or = )``; ``prevalence(null=)`` = ``binom.test(p = )``; Blaker's test and
interval (``prevalence(ci_method="blaker")``, the definition written out in R);
``compare_groups(mu=)`` = ``wilcox.test(mu = )``; ``logistic(ci_method="profile")`` =
exact profile limits (uniroot in R), ``drop1(test = "LRT")`` and MASS's ``confint``.

Reference: tests/reference/parity.R. Tolerances: exact p-values and Blaker limits 1e-9;
closed forms (Pearson) 1e-9; asymptotic p-values, root-finder limits and profile limits
1e-6; MASS's interpolated profile 5e-3 on the log-odds scale.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError, compare_groups, correlation, logistic, prevalence
from b12cohort.stats._blaker import blaker_interval, blaker_pvalue
from b12cohort.stats._pearson import pearson_test
from b12cohort.stats.contingency import fisher_exact_table

REF = json.loads((REFERENCE / "parity.json").read_text(encoding="utf-8"))


def _num(v):
    return math.nan if v is None else v


@pytest.mark.parametrize("case", REF["pearson"], ids=[c["call"] for c in REF["pearson"]])
def test_pearson_against_R_cor_test(case):
    got = pearson_test(
        case["x"], case["y"], confidence=case["confidence"], alternative=case["alternative"]
    )
    for name in ("estimate", "statistic", "df", "p_value"):
        assert got[name] == pytest.approx(case[name], rel=1e-9, abs=1e-12), (name, case["call"])
    for name in ("ci_low", "ci_high"):
        assert got[name] == pytest.approx(_num(case[name]), abs=1e-9, nan_ok=True), (
            name,
            case["call"],
        )


@pytest.mark.parametrize("case", REF["fisher"], ids=[c["call"] for c in REF["fisher"]])
def test_fisher_odds_ratio_null_against_R(case):
    table = np.array(case["table"])
    res = fisher_exact_table(
        table, odds_ratio_null=case["odds_ratio_null"], alternative=case["alternative"]
    )
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9, abs=1e-15), case["call"]
    plain = fisher_exact_table(table, alternative=case["alternative"])
    assert (res.odds_ratio, res.ci_low, res.ci_high) == (
        plain.odds_ratio,
        plain.ci_low,
        plain.ci_high,
    )


def test_odds_ratio_null_is_refused_beyond_2x2():
    with pytest.raises(ArgumentError, match="only for 2×2"):
        fisher_exact_table(np.array([[3, 1, 2], [1, 4, 2]]), odds_ratio_null=2.0)
    with pytest.raises(ArgumentError, match=">= 0"):
        fisher_exact_table(np.array([[3, 1], [1, 4]]), odds_ratio_null=-1)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("parity.R", tmp_path) == without_versions(REF)


BLAKER_CI = [c for c in REF["blaker"] if "ci_low" in c]
BLAKER_P = [c for c in REF["blaker"] if "p_value" in c]


@pytest.mark.parametrize("case", BLAKER_CI, ids=[c["call"] for c in BLAKER_CI])
def test_blaker_interval_against_R(case):
    lo, hi = blaker_interval(case["k"], case["n"], case["confidence"])
    assert (lo, hi) == pytest.approx((case["ci_low"], case["ci_high"]), abs=1e-9), case["call"]
    cp_lo, cp_hi = case["cp"]  # binom.test's Clopper-Pearson interval contains Blaker's
    assert cp_lo - 1e-12 <= lo and hi <= cp_hi + 1e-12


@pytest.mark.parametrize("case", BLAKER_P, ids=[c["call"] for c in BLAKER_P])
def test_blaker_pvalue_against_R(case):
    got = blaker_pvalue(case["k"], case["n"], case["null"])
    assert got == pytest.approx(case["p_value"], rel=1e-9, abs=1e-15), case["call"]


@pytest.mark.parametrize(("k", "n"), [(12, 19), (0, 19), (6, 19), (1, 3)])
def test_blaker_p_and_interval_never_disagree(k, n):
    lo, hi = blaker_interval(k, n, 0.95)
    for p0 in np.linspace(0.001, 0.999, 400):
        inside = lo <= p0 <= hi
        assert inside == (blaker_pvalue(k, n, p0) > 0.05) or min(abs(p0 - lo), abs(p0 - hi)) < 1e-9


@pytest.mark.parametrize("case", REF["pearson"], ids=[c["call"] for c in REF["pearson"]])
def test_correlation_method_pearson_against_R_cor_test(case):
    d = pd.DataFrame({"x": case["x"], "y": case["y"]}, dtype=float)
    res = correlation(
        d, x="x", y="y", method="pearson", confidence=case["confidence"],
        alternative=case["alternative"],
    )  # fmt: skip
    assert res.estimate == pytest.approx(case["estimate"], rel=1e-9), case["call"]
    assert res.statistic == pytest.approx(case["statistic"], rel=1e-9)
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9, abs=1e-12)
    assert res.ci_low == pytest.approx(_num(case["ci_low"]), abs=1e-9, nan_ok=True)
    assert res.ci_high == pytest.approx(_num(case["ci_high"]), abs=1e-9, nan_ok=True)
    assert res.test == "Pearson's product-moment correlation" and res.method == "asymptotic"


def test_correlation_pearson_refuses_permutation_with_the_alternatives():
    d = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 1, 4, 3]})
    with pytest.raises(ArgumentError, match="method='spearman'"):
        correlation(d, x="x", y="y", method="pearson", p_method="permutation")


def _cohort(k: int, n: int) -> pd.DataFrame:
    return pd.DataFrame({"sign": pd.array([True] * k + [False] * (n - k), dtype="boolean")})


BINOM_TWO_SIDED = [c for c in REF["binom"] if c["alternative"] == "two-sided"]


@pytest.mark.parametrize("case", BINOM_TWO_SIDED, ids=[c["call"] for c in BINOM_TWO_SIDED])
def test_prevalence_null_against_R_binom_test(case):
    row = prevalence(_cohort(case["k"], case["n"]), null=case["null"]).iloc[0]
    assert row["p_value"] == pytest.approx(case["p_value"], rel=1e-9, abs=1e-15), case["call"]
    assert row["test"] == "exact binomial test" and row["null"] == case["null"]


@pytest.mark.parametrize("case", BLAKER_CI, ids=[c["call"] for c in BLAKER_CI])
def test_prevalence_blaker_interval_against_R(case):
    row = prevalence(
        _cohort(case["k"], case["n"]), ci_method="blaker", confidence=case["confidence"]
    ).iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (case["ci_low"], case["ci_high"]), abs=1e-9
    )


def test_involuntary_movements_6_of_19_show_the_disagreement_at_0_14():
    row = prevalence(_cohort(6, 19), null=0.14).iloc[0]
    assert row["p_value"] < 0.05 and row["ci_low"] < 0.14  # binom.test rejects, its CI keeps
    assert "disagree" in row["note"]
    blaker = prevalence(_cohort(6, 19), null=0.14, ci_method="blaker").iloc[0]
    assert blaker["p_value"] < 0.05 and blaker["ci_low"] > 0.14 and pd.isna(blaker["note"])


@pytest.mark.parametrize(("k", "n"), [(12, 19), (6, 19), (8, 19), (3, 40)])
@pytest.mark.slow
def test_prevalence_says_when_interval_and_p_value_disagree(k, n):
    for p0 in np.round(np.linspace(0.02, 0.98, 49), 4):
        cp = prevalence(_cohort(k, n), null=p0).iloc[0]
        inside = cp["ci_low"] <= p0 <= cp["ci_high"]
        disagree = (cp["p_value"] < 0.05) == inside
        assert ("disagree" in str(cp["note"])) == disagree
        bl = prevalence(_cohort(k, n), null=p0, ci_method="blaker").iloc[0]
        assert (bl["p_value"] < 0.05) != (bl["ci_low"] <= p0 <= bl["ci_high"])
        assert bl["test"] == "Blaker's exact test"


@pytest.mark.parametrize("case", REF["groups"], ids=[c["call"] for c in REF["groups"]])
def test_compare_groups_mu_against_R_wilcox_test(case):
    first, second = case["first"], case["second"]
    d = pd.DataFrame(
        {"hb": np.array(first + second, dtype=float),
         "sign": pd.array([False] * len(first) + [True] * len(second), dtype="boolean")}
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = compare_groups(
            d, value="hb", by="sign", mu=case["mu"], alternative=case["alternative"],
            p_method=case["p_method"],
        )  # fmt: skip
    exact = case["method"] == "Wilcoxon rank sum exact test"
    assert (res.method == "exact") == exact, case["call"]
    assert res.statistic == case["statistic"], case["call"]
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9 if exact else 1e-6, abs=1e-12)
    tol = 1e-12 if exact else 1e-6
    # jsonlite writes the infinite limit of a one-sided interval as null
    low, high = case["ci_low"], case["ci_high"]
    expected = {
        "estimate": case["estimate"],
        "ci_low": -math.inf if low is None else low,
        "ci_high": math.inf if high is None else high,
    }
    for name, value in expected.items():
        assert getattr(res, name) == pytest.approx(value, abs=tol), (name, case["call"])
    assert res.mu == case["mu"]


@pytest.mark.parametrize(
    "case", REF["logistic"], ids=[f"{c['id']}/{c['confidence']}" for c in REF["logistic"]]
)
def test_logistic_profile_intervals_and_lr_p_against_R(case):
    d = pd.DataFrame({"y": np.array(case["y"], dtype=bool), **case["data"]})
    res = logistic(d, outcome="y", predictors=case["predictors"], confidence=case["confidence"],
                   ci_method="profile")  # fmt: skip
    t = res.table
    assert res.ci_method == "profile likelihood" and res.p_test == "likelihood ratio"
    np.testing.assert_allclose(t["ci_low"], case["ci_low"], rtol=1e-6, err_msg=case["call"])
    np.testing.assert_allclose(t["ci_high"], case["ci_high"], rtol=1e-6, err_msg=case["call"])
    np.testing.assert_allclose(t["p_value"], case["lr_p"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(t["p_value"].iloc[1:], np.atleast_1d(case["drop1_p"]), rtol=1e-6)
    # MASS's confint interpolates the profile: within 5e-3 on the log-odds scale
    np.testing.assert_allclose(np.log(t["ci_low"]), np.log(case["mass_low"]), rtol=0, atol=5e-3)
    np.testing.assert_allclose(np.log(t["ci_high"]), np.log(case["mass_high"]), rtol=0, atol=5e-3)
