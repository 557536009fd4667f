"""Tests for the power of Spearman's test in b12cohort.stats.power.

Reference: tests/reference/spearman_power.R (R 4.2). The formula (Fisher z of rho_s with
the Bonett-Wright variance, t-based cut-off) is pinned to the same formula evaluated in
R (power 1e-12) and solved with ``uniroot(tol = 1e-14)`` (detectable rho 1e-9); it is
checked against 20,000 simulated ``cor.test(method = "spearman")`` p-values per case:
at the 80% design point within 4 Monte Carlo SE, elsewhere (rho_s = 0.3 at n = 19,
power about 0.24) within 0.02 absolute, the coarser accuracy documented in
:func:`detectable_correlation`.
"""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError
from b12cohort.stats.power import detectable_correlation, power_correlation

REF = json.loads((REFERENCE / "spearman_power.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", REF["formula"], ids=[c["call"] for c in REF["formula"]])
def test_spearman_power_against_the_formula_in_R(case):
    got = power_correlation(
        n=case["n"], rho=case["rho"], confidence=case["confidence"],
        alternative=case["alternative"], method="spearman",
    )  # fmt: skip
    assert got == pytest.approx(case["power"], abs=1e-12), case["call"]


@pytest.mark.parametrize("case", REF["detectable"], ids=[c["call"] for c in REF["detectable"]])
def test_detectable_spearman_rho_against_R_uniroot(case):
    res = detectable_correlation(
        n=case["n"], power=case["power"], confidence=case["confidence"],
        alternative=case["alternative"], method="spearman",
    )  # fmt: skip
    assert res.rho == pytest.approx(case["rho"], abs=1e-9), case["call"]
    assert (res.estimator, res.method) == ("spearman", "asymptotic")
    assert "Spearman" in res.test
    assert power_correlation(
        n=case["n"], rho=res.rho, confidence=case["confidence"],
        alternative=case["alternative"], method="spearman",
    ) == pytest.approx(case["power"], abs=1e-12)  # fmt: skip


@pytest.mark.parametrize("case", REF["simulation"], ids=[c["call"] for c in REF["simulation"]])
def test_spearman_power_agrees_with_simulated_cor_test(case):
    formula = power_correlation(
        n=case["n"], rho=case["rho"], confidence=case["confidence"],
        alternative=case["alternative"], method="spearman",
    )  # fmt: skip
    assert formula == pytest.approx(case["formula_power"], abs=1e-9)
    design_point = case["formula_power"] == 0.8
    tolerance = 4 * case["mc_se"] if design_point else 0.02
    assert abs(case["simulated_power"] - formula) <= tolerance, case["call"]


def test_spearman_needs_a_stronger_correlation_than_pearson():
    # n = 19: Pearson (pwr.r.test) 0.595, Spearman 0.618 (spearman_power.json)
    pearson = detectable_correlation(n=19)
    spearman = detectable_correlation(n=19, method="spearman")
    assert pearson.estimator == "pearson"
    assert pearson.rho < spearman.rho
    det = {(c["n"], c["power"], c["confidence"], c["alternative"]): c for c in REF["detectable"]}
    assert spearman.rho == pytest.approx(det[(19, 0.8, 0.95, "two-sided")]["rho"], abs=1e-9)


@pytest.mark.parametrize("function", [detectable_correlation, power_correlation])
def test_unknown_method_is_refused(function):
    kwargs = {"n": 19, "method": "kendall"}
    if function is power_correlation:
        kwargs["rho"] = 0.3
    with pytest.raises(ArgumentError, match="method"):
        function(**kwargs)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("spearman_power.R", tmp_path) == without_versions(REF)
