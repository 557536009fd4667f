"""Tests for b12cohort.stats.rank_tests.compare_groups against R 4.2.2 ``wilcox.test``.

Reference: tests/reference/groups.R (every case is ``wilcox.test(x, y, conf.int = TRUE,
...)`` with x = the second group, y = the first). Tolerances: W exact; p-values 1e-10
relative (1e-15 absolute); exact-method estimate and interval 1e-12 (order statistics of
the differences); normal-approximation estimate and interval 1e-6 as documented (R finds
them with ``uniroot(tol = 1e-4)``; our port of R's root finder reproduces them to
rounding, so the test would catch any other root finder).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from b12cohort import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.stats._pairwise import difference_order_statistics, median_difference
from b12cohort.stats.rank_tests import _RankCounts, compare_groups

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "groups.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
# R's method -> (our method token, our method_detail)
R_METHOD = {
    "Wilcoxon rank sum exact test": ("exact", ""),
    "Wilcoxon rank sum test with continuity correction": (
        "asymptotic",
        "normal approximation with continuity correction",
    ),
    "Wilcoxon rank sum test": ("asymptotic", "normal approximation"),
}
# R's exact = NULL / TRUE / FALSE -> our p_method
P_METHOD = {None: "auto", True: "exact", False: "asymptotic"}


def _has_ties(case) -> bool:
    pooled = np.concatenate([np.atleast_1d(case["x"]), np.atleast_1d(case["y"])]).astype(float)
    return len(np.unique(pooled)) != len(pooled)


def _num(v) -> float:
    """jsonlite writes non-finite numbers as strings."""
    return {"Inf": math.inf, "-Inf": -math.inf, "NA": math.nan, "NaN": math.nan}.get(v, v)


def _frame(first, second) -> pd.DataFrame:
    first, second = np.atleast_1d(first), np.atleast_1d(second)
    return pd.DataFrame(
        {
            "hb": np.concatenate([first, second]).astype(float),
            "sign": pd.array([False] * len(first) + [True] * len(second), dtype="boolean"),
        }
    )


def _run(case):
    p_method = P_METHOD[case.get("exact")]
    if p_method == "exact" and _has_ties(case):
        # R falls back to the normal approximation with a warning; we refuse, and
        # p_method="auto" is the fallback with the warning
        with pytest.raises(ExactTestInfeasibleError, match="ties"):
            compare_groups(_frame(case["y"], case["x"]), value="hb", by="sign", p_method="exact")
        p_method = "auto"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = compare_groups(
            _frame(case["y"], case["x"]),
            value="hb",
            by="sign",
            alternative=case["alternative"],
            confidence=case["confidence"],
            p_method=p_method,
            correct=case["correct"],
        )
    return res, [w.category for w in caught]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_compare_groups_against_R_wilcox_test(case):
    res, categories = _run(case)
    call = case["call"]
    assert res.statistic == case["statistic"], call
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-10, abs=1e-15), call
    assert (res.method, res.method_detail) == R_METHOD[case["method"]], call
    assert (res.n1, res.n2) == (len(np.atleast_1d(case["y"])), len(np.atleast_1d(case["x"])))
    if "cannot compute exact p-value with ties" in case["warnings"]:
        assert ApproximationWarning in categories
    if "error" in case:  # R stops in the interval; we report the test and say why
        assert "R stops" in res.note, case["error"]
        return
    tol = 1e-12 if res.method == "exact" else 1e-6
    assert res.estimate == pytest.approx(_num(case["estimate"]), abs=tol), call
    assert res.ci_low == pytest.approx(_num(case["ci_low"]), abs=tol), call
    assert res.ci_high == pytest.approx(_num(case["ci_high"]), abs=tol), call
    assert res.confidence_achieved == pytest.approx(case["confidence_achieved"], abs=1e-12)
    assert res.hodges_lehmann == pytest.approx(case["hodges_lehmann"], abs=1e-12)
    if "Requested conf.level not achievable" in case["warnings"]:
        assert DataQualityWarning in categories
        assert "not achievable" in res.note


@pytest.mark.slow
def test_normal_approximation_matches_R_to_rounding_not_just_tolerance():
    # the port of R's root finder reproduces uniroot's stopping point exactly
    worst = 0.0
    for case in CASES:
        if "error" in case or case["method"] == "Wilcoxon rank sum exact test":
            continue
        res, _ = _run(case)
        for name in ("estimate", "ci_low", "ci_high"):
            ref = _num(case[name])
            if math.isfinite(ref):
                worst = max(worst, abs(getattr(res, name) - ref) / max(1.0, abs(ref)))
    assert worst < 1e-12


def test_estimate_differs_from_hl_median_under_normal_approximation_as_in_R():
    case = next(c for c in CASES if c["id"] == "ties_4v5/exact=NULL/correct=TRUE/0.95/two.sided")
    res, _ = _run(case)
    assert res.hodges_lehmann == case["hodges_lehmann"]
    assert res.estimate == pytest.approx(case["estimate"], abs=1e-6)


# ---------------------------------------------------------------- semantics
def test_statistic_rank_biserial_and_direction_from_pair_counts():
    first = np.array([92.0, 85, 78, 101, 70])
    second = np.array([66.0, 59, 71, 88, 70, 64])
    with pytest.warns(ApproximationWarning):  # tie at 70
        res = compare_groups(_frame(first, second), value="hb", by="sign")
    diff = second[:, None] - first[None, :]
    u = np.sum(diff > 0) + 0.5 * np.sum(diff == 0)
    assert res.statistic == u
    assert res.rank_biserial == pytest.approx((np.sum(diff > 0) - np.sum(diff < 0)) / diff.size)
    assert res.groups == (False, True)
    assert res.estimate < 0  # Hb lower with the sign: True minus False
    assert res.hodges_lehmann == np.median(diff)


@pytest.mark.filterwarnings("ignore:.*requested confidence level")
def test_categorical_by_uses_category_order_and_drops_empty_levels():
    data = pd.DataFrame(
        {
            "hb": [60.0, 65, 72, 80, 95, 99, 104, 91],
            "grade": pd.Categorical(
                ["severe", "severe", "moderate", "severe", "mild", "mild", "mild", "moderate"],
                categories=["none", "mild", "moderate", "severe"],
                ordered=True,
            ),
        }
    )
    two = data[data["grade"] != "moderate"]
    with pytest.warns(DataQualityWarning, match="empty level"):
        res = compare_groups(two, value="hb", by="grade")
    assert res.groups == ("mild", "severe")
    assert (res.n1, res.n2) == (3, 3)
    assert res.estimate < 0  # severe minus mild
    assert "'none'" in res.note
    with pytest.raises(ArgumentError, match=r"found 3: 'mild' \(n = 3\), 'moderate' \(n = 2\)"):
        compare_groups(data, value="hb", by="grade")


def test_text_by_is_sorted():
    data = pd.DataFrame({"hb": [1.0, 2, 3, 4, 5, 6, 7, 8], "sex": ["M", "F"] * 4})
    res = compare_groups(data, value="hb", by="sex")
    assert res.groups == ("F", "M")
    assert res.summary.loc[0, ["group1", "group2"]].tolist() == ["F", "M"]


def test_single_observed_level_is_named():
    data = _frame([], [70.0, 80, 90])
    with pytest.raises(ArgumentError, match=r"found 1: True \(n = 3\)"):
        compare_groups(data, value="hb", by="sign")


def test_missing_values_dropped_and_counted_without_mutation():
    data = _frame([92.0, 85, 78, 101], [66.0, 59, 71, 88])
    extra = pd.DataFrame(
        {"hb": [np.nan, 75.0], "sign": pd.array([True, pd.NA], dtype="boolean")}, index=[8, 9]
    )
    data = pd.concat([data, extra])
    before = data.copy()
    res = compare_groups(data, value="hb", by="sign")
    pd.testing.assert_frame_equal(data, before)
    assert res.n_missing == 2
    ref = next(c for c in CASES if c["id"] == "noties_4v4/exact=NULL/correct=TRUE/0.95/two.sided")
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-12)


def test_all_values_tied_gives_nan_with_reason():
    with (
        pytest.warns(DataQualityWarning, match="all values are tied"),
        pytest.warns(ApproximationWarning, match="ties"),
    ):
        res = compare_groups(_frame([5.0, 5, 5], [5.0, 5]), value="hb", by="sign")
    assert math.isnan(res.p_value)
    assert math.isnan(res.ci_low)


def test_large_groups_switch_to_normal_approximation_with_warning():
    case = next(c for c in CASES if c["id"] == "large_55v60/exact=NULL/correct=TRUE/0.95/two.sided")
    with pytest.warns(ApproximationWarning, match="50 or more"):
        res = compare_groups(_frame(case["y"], case["x"]), value="hb", by="sign")
    assert res.method == "asymptotic"
    assert res.method_detail == "normal approximation with continuity correction"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": "nope"}, "not found"),
        ({"by": "sign", "p_method": "yes"}, "p_method"),
        ({"by": "sign", "correct": None}, "correct"),
        ({"by": "sign", "confidence": 95}, "0.95"),
        ({"by": "sign", "alternative": "bigger"}, "alternative"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        compare_groups(_frame([1.0, 2], [3.0, 4]), value="hb", **kwargs)


def test_non_numeric_value_is_refused():
    data = _frame([1.0, 2], [3.0, 4])
    with pytest.raises(ArgumentError, match="fisher_exact"):
        compare_groups(data, value="sign", by="sign")


# ---------------------------------------------------------------- the reference itself
# ---------------------------------------------------------------- scale: no n1 x n2 object
# Samples with many ties (whole g/L), continuous values, and magnitudes at which x - y
# rounds (1e16 + small steps), where a split found from y > x - p must be corrected on
# the computed differences.
_VALUES = st.one_of(
    st.integers(40, 60).map(float),
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 1e-17, 1e16, 1e16 + 2, -1e16, 7.0]),
)
_SAMPLES = st.lists(_VALUES, min_size=1, max_size=40)


@given(_SAMPLES, _SAMPLES, st.sampled_from([0, 1, 7, 100]))
@pytest.mark.slow
def test_selection_equals_brute_force_median_of_all_differences(x, y, materialise_max):
    # materialise_max below n1 * n2 forces the selection (the default forms <= 2**20)
    brute = np.median(np.subtract.outer(np.array(x), np.array(y)))
    assert median_difference(x, y, materialise_max=materialise_max) == brute  # bit for bit


@given(_SAMPLES, _SAMPLES, st.sampled_from([0, 3, 50]), st.data())
@pytest.mark.slow
def test_selection_equals_brute_force_order_statistics(x, y, materialise_max, data):
    diffs = np.sort(np.subtract.outer(np.array(x), np.array(y)).ravel())
    ranks = data.draw(st.lists(st.integers(0, diffs.size - 1), min_size=1, max_size=4))
    got = difference_order_statistics(x, y, ranks, materialise_max=materialise_max)
    assert got == diffs[ranks].tolist()


@pytest.mark.parametrize("kind", ["whole g/L", "continuous"])
def test_hodges_lehmann_without_forming_a_million_differences(kind):
    # 1100 x 1000 = 1.1e6 differences > 2**20: the selection runs inside compare_groups
    rng = np.random.default_rng(2022)
    first, second = rng.normal(92, 12, 1000), rng.normal(88, 12, 1100)
    if kind == "whole g/L":
        first, second = first.round(), second.round()
    with pytest.warns(ApproximationWarning):
        res = compare_groups(_frame(first, second), value="hb", by="sign")
    assert res.hodges_lehmann == np.median(np.subtract.outer(second, first))
    assert res.method == "asymptotic"
    assert res.method_detail == "normal approximation with continuity correction"


@given(_SAMPLES, _SAMPLES, st.lists(st.sampled_from([0.0, 0.5, -1.0, 1e16, 2.5, -0.1]), max_size=3))
@pytest.mark.slow
def test_rank_counts_equal_rs_ranking_of_the_shifted_samples(x, y, shifts):
    # R's wilcox.test: r <- rank(c(x - d, y)); dz <- sum(r[seq_along(x)]) - nx(nx+1)/2 - nx ny/2;
    # NTIES <- table(r): the O(k) counts must give these numbers exactly
    x, y = np.array(x), np.array(y)
    counts = _RankCounts(x, y)
    nx, ny = len(x), len(y)
    for d in [0.0, float(x[0] - y[-1]), *shifts]:
        r = stats.rankdata(np.concatenate([x - d, y]))
        ties = np.unique(r, return_counts=True)[1].astype(np.int64)
        dz = float(np.sum(r[:nx])) - nx * (nx + 1) / 2 - nx * ny / 2
        assert counts.at(d) == (dz, float(np.sum(ties**3 - ties)))


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("groups.R", tmp_path) == without_versions(REF)
