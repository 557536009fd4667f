"""Tests for b12cohort.stats.paired.compare_paired against R 4.2.2 ``wilcox.test(paired = TRUE)``.

Reference: tests/reference/paired.R (every case is ``wilcox.test(after, before, paired =
TRUE, mu = ..., conf.int = TRUE, ...)``). Tolerances: V exact; p-values 1e-9 (exact) and
1e-6 relative (asymptotic; they agree to rounding); exact intervals and estimates 1e-12
(order statistics of the Walsh averages); asymptotic ones 1e-6 (R's root finder, ported,
stops at tol.root = 1e-4: the test pins R's stopping point, not the true root).
"""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.stats.paired import compare_paired

REF = json.loads((REFERENCE / "paired.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
R_METHOD = {
    "Wilcoxon signed rank exact test": "exact",
    "Wilcoxon signed rank test": "asymptotic",
    "Wilcoxon signed rank test with continuity correction": "asymptotic",
}


def _num(v) -> float:
    return {"Inf": math.inf, "-Inf": -math.inf, "NA": math.nan, "NaN": math.nan}.get(v, v)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_compare_paired_against_R(case):
    d = pd.DataFrame({"before": case["before"], "after": case["after"]}, dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = compare_paired(
            d, before="before", after="after", mu=case["mu"], p_method=case["p_method"],
            correct=case["correct"], confidence=case["confidence"],
            alternative=case["alternative"],
        )  # fmt: skip
    kinds = {w.category for w in caught}
    call = case["call"]
    assert res.method == R_METHOD[case["method"]], call
    assert res.statistic == case["statistic"], call
    exact = res.method == "exact"
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9 if exact else 1e-6, abs=1e-12), (
        call
    )
    tol = 1e-12 if exact else 1e-6
    for name in ("estimate", "ci_low", "ci_high"):
        assert getattr(res, name) == pytest.approx(_num(case[name]), abs=tol), (name, call)
    assert res.confidence_achieved == pytest.approx(case["confidence_achieved"], abs=1e-12)
    if "cannot compute exact p-value with ties" in case["warnings"]:
        assert ApproximationWarning in kinds
    if "requested conf.level not achievable" in case["warnings"]:
        assert DataQualityWarning in kinds and "not achievable" in res.note


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("paired.R", tmp_path) == without_versions(REF)


@pytest.mark.parametrize(
    "diffs",
    [[1.5, -0.5, 2.0, 3.25, -1.0, 4.0, 0.75], [2.0, 1.0, 3.0], [-1.0, -2.0, 3.0, -4.0, -5.0]],
)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_exact_p_against_brute_force_sign_flips(diffs, alternative):
    diffs = np.array(diffs)
    n = len(diffs)
    ranks = np.argsort(np.argsort(np.abs(diffs))) + 1.0
    v = ranks[diffs > 0].sum()
    sims = np.array(
        [ranks[np.array(s, dtype=bool)].sum() for s in itertools.product([0, 1], repeat=n)]
    )
    if alternative == "greater":
        expected = np.mean(sims >= v)
    elif alternative == "less":
        expected = np.mean(sims <= v)
    else:
        expected = min(1.0, 2 * min(np.mean(sims >= v), np.mean(sims <= v)))
    d = pd.DataFrame({"b": np.zeros(n), "a": diffs})
    res = compare_paired(d, before="b", after="a", alternative=alternative, p_method="exact")
    assert res.p_value == pytest.approx(expected, abs=1e-12)


def test_exact_with_ties_is_refused_and_auto_says_why():
    d = pd.DataFrame({"b": [0.0, 0, 0, 0], "a": [1.0, 1, 2, -3]})
    with pytest.raises(ExactTestInfeasibleError, match="ties"):
        compare_paired(d, before="b", after="a", p_method="exact")
    with pytest.warns(ApproximationWarning, match="ties"):
        res = compare_paired(d, before="b", after="a")
    assert res.method == "asymptotic" and "ties" in res.note


def test_all_differences_zero_is_a_clear_error():
    d = pd.DataFrame({"b": [1.0, 2, 3], "a": [1.0, 2, 3]})
    with pytest.raises(ArgumentError, match="no non-zero difference"):
        compare_paired(d, before="b", after="a")
