"""Stratified tests against R (tests/reference/stratified.R: coin, mantelhaen.test, formulas).

Tolerances: p-values and statistics 1e-9 relative (1e-12 absolute); the exact conditional
odds-ratio estimate and limits 1e-9 relative (the same R root finder is ported); the
Breslow-Day statistic 1e-8 relative (R solves each stratum's quadratic with uniroot to 1e-14).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions

from b12cohort.core.errors import ArgumentError
from b12cohort.stats.contingency import ExactTestInfeasibleError
from b12cohort.stats.mantel_haenszel import mantel_haenszel
from b12cohort.stats.stratified import stratified_trend_test
from b12cohort.stats.stratified_rank import stratified_compare_groups

REF = json.loads(
    (Path(__file__).resolve().parent / "reference" / "stratified.json").read_text("utf-8")
)
CASES = {c["id"]: c for c in REF["cases"]}
ALTS = {"two.sided": "two-sided", "greater": "greater", "less": "less"}


def _frame(case):
    d = pd.DataFrame(case["data"])
    d["exposure"] = d["score"] >= 2
    return d


def _run(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _close(got, expected, rel=1e-9, abs_tol=1e-12):
    if expected in ("Inf", "-Inf"):  # jsonlite writes infinities as strings
        assert got == float(expected)
        return
    assert got == pytest.approx(expected, rel=rel, abs=abs_tol)


@pytest.mark.parametrize("alt", list(ALTS))
@pytest.mark.parametrize("case_id", list(CASES))
def test_stratified_trend_against_coin(case_id, alt):
    case, d = CASES[case_id], _frame(CASES[case_id])
    ref = case["trend"][alt]
    kw = {"outcome": "outcome", "ordinal": "score", "strata": "site", "alternative": ALTS[alt]}
    ex = _run(stratified_trend_test, d, p_method="exact", **kw)
    assert ex.method == "exact"
    _close(ex.statistic, ref["exact_z"])
    _close(ex.p_value, ref["exact_p"])
    asy = _run(stratified_trend_test, d, p_method="asymptotic", **kw)
    assert asy.method == "asymptotic"
    _close(asy.statistic, ref["asymptotic_z"])
    _close(asy.p_value, ref["asymptotic_p"])
    assert list(ex.dropped_strata) == case["dropped_single"]


@pytest.mark.parametrize("alt", list(ALTS))
@pytest.mark.parametrize("case_id", list(CASES))
def test_mantel_haenszel_against_mantelhaen_test(case_id, alt):
    case, d = CASES[case_id], _frame(CASES[case_id])
    ref = case["mh"][alt]
    kw = {"outcome": "outcome", "exposure": "exposure", "strata": "site", "alternative": ALTS[alt]}
    ex = _run(mantel_haenszel, d, p_method="exact", **kw)
    _close(ex.p_value, ref["exact_p"])
    assert ex.statistic == ref["exact_statistic"]
    _close(ex.estimate, ref["exact_estimate"])
    _close(ex.ci_low, ref["exact_ci"][0])
    _close(ex.ci_high, ref["exact_ci"][1])
    asy = _run(mantel_haenszel, d, p_method="asymptotic", **kw)
    _close(asy.p_value, ref["asymptotic_p"])
    _close(asy.statistic, ref["asymptotic_statistic"])
    _close(asy.estimate, ref["mh_estimate"])
    _close(asy.ci_low, ref["mh_ci"][0])
    _close(asy.ci_high, ref["mh_ci"][1])
    assert ex.mh_odds_ratio == asy.estimate
    if "breslow_day" in case:
        bd = case["breslow_day"]
        _close(ex.breslow_day_statistic, bd["statistic"], rel=1e-8)
        _close(ex.breslow_day_p_value, bd["p"], rel=1e-8)
        assert ex.breslow_day_df == bd["df"]


@pytest.mark.parametrize("case_id", list(CASES))
def test_stratified_rank_tests_against_r(case_id):
    case, d = CASES[case_id], _frame(CASES[case_id])
    kw = {"value": "value", "by": "outcome", "strata": "site"}
    ve = _run(stratified_compare_groups, d, **kw)
    assert ve.weighting == "1/(n_k + 1)" and ve.method == "asymptotic"
    _close(ve.statistic, case["van_elteren"]["z"])
    _close(ve.p_value, case["van_elteren"]["p"])
    ve_g = _run(stratified_compare_groups, d, alternative="greater", **kw)
    _close(ve_g.p_value, case["van_elteren"]["p_greater"])
    bl = _run(stratified_compare_groups, d, method="blocked", p_method="asymptotic", **kw)
    assert bl.weighting == "equal" and "equal stratum weights" in bl.test
    _close(bl.statistic, case["blocked"]["z"])
    _close(bl.p_value, case["blocked"]["p"])
    ble = _run(stratified_compare_groups, d, method="blocked", p_method="exact", **kw)
    assert ble.method == "exact"
    _close(ble.p_value, case["blocked"]["exact_p"])
    assert sorted(map(str, ve.dropped_strata)) == sorted(
        set(case["dropped_one_group"]) | set(case["dropped_single"])
    )


def test_cases_cover_the_edge_strata():
    assert {"single_infant_site", "no_events_site", "one_level_site", "ten_sites"} <= set(CASES)
    sizes = [len(set(c["data"]["site"])) for c in CASES.values()]
    assert min(sizes) == 3 and max(sizes) == 10


def test_exact_beyond_the_budget_raises_and_auto_switches():
    d = _frame(CASES["three_sites"])
    kw = {"outcome": "outcome", "ordinal": "score", "strata": "site"}
    with pytest.raises(ExactTestInfeasibleError, match="max_work"):
        stratified_trend_test(d, p_method="exact", max_work=10, **kw)
    with pytest.warns(Warning, match="asymptotic test used"):
        r = stratified_trend_test(d, max_work=10, **kw)
    assert r.method == "asymptotic" and "max_work" in r.method_detail


def test_van_elteren_has_no_exact_option():
    d = _frame(CASES["three_sites"])
    with pytest.raises(ArgumentError, match="method='blocked'"):
        stratified_compare_groups(d, value="value", by="outcome", strata="site", p_method="exact")


def test_nothing_to_test_is_said():
    d = pd.DataFrame({"y": [False] * 6, "g": [1, 2, 3] * 2, "s": list("AABBCC")})
    with pytest.warns(Warning, match="nothing to test"):
        r = stratified_trend_test(d, outcome="y", ordinal="g", strata="s")
    assert r.method == "not-tested" and math.isnan(r.p_value)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("stratified.R", tmp_path) == without_versions(REF)


def test_scores_enter_only_through_their_spacing():
    """z and the exact p are invariant to shifting and rescaling the scores (the lattice)."""
    d = _frame(CASES["four_sites"])
    kw = {"outcome": "outcome", "ordinal": "score", "strata": "site", "p_method": "exact"}
    a = _run(stratified_trend_test, d, scores={1: 0, 2: 1, 3: 3}, **kw)
    b = _run(stratified_trend_test, d, scores={1: 2.5, 2: 3.0, 3: 4.0}, **kw)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)
    assert a.p_value == pytest.approx(b.p_value, rel=1e-12)
    with pytest.raises(ExactTestInfeasibleError, match="rational scores"):
        stratified_trend_test(d, scores={1: 0, 2: math.pi, 3: 4}, **kw)
    table = a.strata_table
    assert table["statistic_t"].sum() - table["expected"].sum() == pytest.approx(
        a.statistic * math.sqrt(table["variance"].sum()), rel=1e-12
    )


@pytest.mark.parametrize(
    ("function", "kwargs", "named"),
    [
        (mantel_haenszel, {"outcome": "y", "exposure": "y", "strata": "site"}, "`outcome` and `exposure`"),
        (mantel_haenszel, {"outcome": "y", "exposure": "x", "strata": "x"}, "`exposure` and `strata`"),
        (stratified_trend_test, {"outcome": "y", "ordinal": "site", "strata": "site"}, "`ordinal` and `strata`"),
        (stratified_compare_groups, {"value": "v", "by": "x", "strata": "x"}, "`by` and `strata`"),
        (stratified_compare_groups, {"value": "v", "by": "x", "strata": "nope"}, "'nope'"),
    ],
)  # fmt: skip
def test_the_stratified_tests_share_one_column_check(function, kwargs, named):
    """Issue 11: one helper (core.arguments.require_distinct_columns) for the three tests."""
    df = pd.DataFrame(
        {"y": [True, False] * 4, "x": [True, True, False, False] * 2, "site": ["a"] * 4 + ["b"] * 4,
         "v": [float(i) for i in range(8)]}
    )  # fmt: skip
    with pytest.raises(ArgumentError, match=named):
        function(df, **kwargs)
