"""Tests for b12cohort.stats.correlation and b12cohort.stats.power against R 4.2.2 (tests/reference/correlation.R).

Tolerances: p-values and statistics 1e-10 relative (R computes them in closed form or
exact arithmetic; p-values also 1e-14 absolute, see the cor.test test); estimates 1e-12 absolute; Fisher-z intervals and TOST 1e-12
absolute; pwr power 1e-12; detectable correlation 1e-9 against the equation solved by
R ``uniroot(tol = 1e-14)`` and 1e-4 against pwr's own (default-tolerance) root.
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

from b12cohort import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.stats.correlation import correlation
from b12cohort.stats.power import (
    correlation_equivalence,
    detectable_correlation,
    power_correlation,
)

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "correlation.json").read_text(encoding="utf-8"))


def _frame(x, y) -> pd.DataFrame:
    return pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)})


def _quiet(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        return correlation(**kwargs)


def _ids(cases):
    return [c["id"] for c in cases]


# ---------------------------------------------------------------- cor.test
@pytest.mark.parametrize("case", REF["cases"], ids=_ids(REF["cases"]))
@pytest.mark.slow
def test_correlation_against_R_cor_test(case):
    res = _quiet(
        data=_frame(case["x"], case["y"]),
        x="x",
        y="y",
        method=case["method"],
        p_method=case["p_method"],
        alternative=case["alternative"],
    )
    assert res.estimate == pytest.approx(case["estimate"], abs=1e-12), case["call"]
    # abs 1e-14: R's exact Kendall upper tail is 1 - pkendall(q - 1, n), which cancels
    # (5.1956106e-09 in R vs 5.1956113e-09 computed directly by scipy, n = 30).
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-10, abs=1e-14), case["call"]
    if case["method"] == "spearman" or case["p_method"] == "asymptotic":
        assert res.statistic_name == case["statistic_name"]
        assert res.statistic == pytest.approx(case["statistic"], rel=1e-10, abs=1e-9), case["call"]
    else:  # R's exact Kendall statistic T = number of concordant pairs (no ties)
        assert (res.statistic_name, res.statistic) == ("T", case["statistic"]), case["call"]
    assert res.n == case["n"]
    assert res.ties == case["ties"]


@pytest.mark.parametrize("case", REF["permutation"], ids=_ids(REF["permutation"]))
def test_permutation_with_ties_against_full_enumeration_in_R(case):
    res = _quiet(
        data=_frame(case["x"], case["y"]),
        x="x",
        y="y",
        method=case["method"],
        p_method="permutation",
        alternative=case["alternative"],
    )
    assert res.method == "permutation"
    assert res.method_detail == f"permutation (exact, {case['permutations']} permutations)"
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-10), case["call"]


@pytest.mark.parametrize("case", REF["fisher_ci"], ids=_ids(REF["fisher_ci"]))
def test_fisher_z_interval_against_R_formula(case):
    res = _quiet(
        data=_frame(case["x"], case["y"]),
        x="x",
        y="y",
        method=case["method"],
        p_method="asymptotic",
        confidence=case["confidence"],
        alternative=case["alternative"],
    )
    assert (res.ci_low, res.ci_high) == pytest.approx(
        (case["ci_low"], case["ci_high"]), abs=1e-12
    ), case["call"]


@pytest.mark.parametrize("case", REF["tost"], ids=_ids(REF["tost"]))
def test_equivalence_against_R_formula(case):
    res = correlation_equivalence(
        _frame(case["x"], case["y"]),
        x="x",
        y="y",
        bound=case["bound"],
        method=case["method"],
        confidence=1 - case["alpha"],
    )
    for name in ("estimate", "p_lower", "p_upper", "p_value", "ci_low", "ci_high"):
        assert getattr(res, name) == pytest.approx(case[name], abs=1e-12), (name, case["call"])
    assert res.se_z == pytest.approx(case["se"], rel=1e-12)
    assert res.equivalent == case["equivalent"]


@pytest.mark.parametrize("case", REF["power"], ids=_ids(REF["power"]))
def test_power_against_pwr(case):
    power = power_correlation(
        n=case["n"], rho=case["rho"], confidence=1 - case["alpha"], alternative=case["alternative"]
    )
    assert power == pytest.approx(case["power"], abs=1e-12), case["call"]


@pytest.mark.parametrize("case", REF["detectable"], ids=_ids(REF["detectable"]))
def test_detectable_correlation_against_pwr(case):
    res = detectable_correlation(
        n=case["n"],
        confidence=1 - case["alpha"],
        power=case["power"],
        alternative=case["alternative"],
    )
    assert res.rho == pytest.approx(case["rho"], abs=1e-9), case["precise_call"]
    assert res.rho == pytest.approx(case["rho_pwr"], abs=1e-4), case["call"]
    assert power_correlation(
        n=case["n"], rho=res.rho, confidence=1 - case["alpha"], alternative=case["alternative"]
    ) == pytest.approx(case["power"], abs=1e-12)


def test_detectable_correlation_for_the_cohort_size():
    # pwr.r.test(n = 19, power = 0.8): r = 0.595 (see correlation.json)
    res = detectable_correlation(n=19)
    assert 0.59 < res.rho < 0.60
    assert res.summary.shape == (1, 9)
    assert res.method == "asymptotic" and "pwr" in res.method_detail


# ---------------------------------------------------------------- auto rule
def _case(data_id, method, p_method="asymptotic", alternative="two-sided"):
    for c in REF["cases"]:
        if (c["data"], c["method"], c["p_method"], c["alternative"]) == (
            data_id,
            method,
            p_method,
            alternative,
        ):
            return c
    raise KeyError(data_id)


def test_auto_kendall_without_ties_is_R_exact():
    c = _case("noties_n19", "kendall", "exact")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no approximation: no warning
        res = correlation(_frame(c["x"], c["y"]), x="x", y="y", method="kendall")
    assert res.method == "exact"
    assert res.method_detail == "auto: exact (Kendall null distribution, no ties)"
    assert res.p_value == pytest.approx(c["p_value"], rel=1e-10)


@pytest.mark.slow
def test_auto_spearman_small_n_without_ties_is_R_exact():
    c = _case("noties_n9", "spearman", "exact")
    res = correlation(_frame(c["x"], c["y"]), x="x", y="y")
    assert res.method == "exact"
    assert res.method_detail == "auto: exact (all 362880 permutations, no ties)"
    assert res.p_value == pytest.approx(c["p_value"], rel=1e-10)


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_auto_small_n_with_ties_enumerates_without_warning(method):
    c = next(p for p in REF["permutation"] if p["data"] == "ties_n7" and p["method"] == method)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = correlation(_frame(c["x"], c["y"]), x="x", y="y", method=method)
    assert res.method == "permutation"
    assert res.method_detail == "auto: permutation (exact, 5040 permutations)"
    assert res.p_value == pytest.approx(c["p_value"], rel=1e-10)


def test_auto_cohort_size_with_ties_is_seeded_monte_carlo_and_warns():
    c = _case("hb_score_n19", "spearman")
    data = _frame(c["x"], c["y"])
    with pytest.warns(ApproximationWarning, match="Monte Carlo"):
        res = correlation(data, x="x", y="y")
    assert res.method == "permutation"
    assert res.method_detail == "auto: permutation (Monte Carlo, 9999 resamples, seed 20220801)"
    with pytest.warns(ApproximationWarning):
        again = correlation(data, x="x", y="y")
    assert again.p_value == res.p_value  # deterministic
    # a valid permutation p: never 0, and close to the asymptotic value here
    assert 1 / 10000 <= res.p_value < 0.01
    assert c["p_value"] < 0.001


def test_monte_carlo_permutation_agrees_with_R_exact_kendall():
    c = _case("noties_n12", "kendall", "exact")
    with pytest.warns(ApproximationWarning):
        res = correlation(
            _frame(c["x"], c["y"]), x="x", y="y", method="kendall", p_method="permutation"
        )
    se = math.sqrt(c["p_value"] * (1 - c["p_value"]) / 9999)
    assert abs(res.p_value - c["p_value"]) < 4 * se + 1e-4


def test_auto_large_n_is_asymptotic_with_warning():
    rng = np.random.default_rng(1)
    x = rng.normal(size=60)
    data = _frame(x, x + rng.normal(size=60))
    with pytest.warns(ApproximationWarning, match="n = 60"):
        res = correlation(data, x="x", y="y")
    assert res.method == "asymptotic"
    assert res.method_detail == "auto: asymptotic (t approximation, 58 df)"
    direct = correlation(data, x="x", y="y", p_method="asymptotic")
    assert res.p_value == direct.p_value


def test_exact_refused_with_ties():
    c = _case("ties_n7", "kendall")
    with pytest.raises(ExactTestInfeasibleError, match="ties"):
        correlation(_frame(c["x"], c["y"]), x="x", y="y", method="kendall", p_method="exact")
    c = _case("noties_n12", "spearman")
    with pytest.raises(ExactTestInfeasibleError, match="n = 12"):
        correlation(_frame(c["x"], c["y"]), x="x", y="y", p_method="exact")


# ---------------------------------------------------------------- data handling
def test_missing_pairs_dropped_and_counted_without_mutation():
    c = _case("hb_score_n19", "kendall")
    data = _frame(c["x"] + [np.nan, 80.0], c["y"] + [2.0, np.nan])
    data["y"] = data["y"].astype("Float64")  # nullable dtype with <NA>
    data.loc[20, "y"] = pd.NA
    before = data.copy()
    res = _quiet(data=data, x="x", y="y", method="kendall", p_method="asymptotic")
    pd.testing.assert_frame_equal(data, before)
    assert (res.n, res.n_missing) == (19, 2)
    assert res.p_value == pytest.approx(c["p_value"], rel=1e-10)


def test_boolean_and_ordered_categorical_columns():
    data = pd.DataFrame(
        {
            "grade": pd.Categorical(
                ["mild", "severe", "moderate", "mild", "severe", "moderate", "mild"],
                categories=["none", "mild", "moderate", "severe"],
                ordered=True,
            ),
            "sign": pd.array([False, True, True, False, True, False, pd.NA], dtype="boolean"),
        }
    )
    res = _quiet(data=data, x="grade", y="sign", p_method="asymptotic")
    codes = [1, 3, 2, 1, 3, 2]
    expected = _quiet(data=_frame(codes, [0, 1, 1, 0, 1, 0]), x="x", y="y", p_method="asymptotic")
    assert (res.n, res.n_missing) == (6, 1)
    assert res.estimate == pytest.approx(expected.estimate)
    with pytest.raises(ArgumentError, match="unordered categorical"):
        correlation(data.assign(grade=data["grade"].cat.as_unordered()), x="grade", y="sign")


def test_too_few_pairs_raises():
    with pytest.raises(ArgumentError, match="at least 3 complete"):
        correlation(_frame([1, 2, np.nan], [3, 1, 2]), x="x", y="y")


def test_constant_column_gives_nan_with_reason():
    with pytest.warns(DataQualityWarning, match="constant"):
        res = correlation(_frame([1, 2, 3, 4, 5], [2, 2, 2, 2, 2]), x="x", y="y")
    assert math.isnan(res.estimate)
    assert math.isnan(res.p_value)
    assert math.isnan(res.ci_low)
    assert "constant" in res.note


@pytest.mark.parametrize(("method", "n"), [("spearman", 3), ("kendall", 4)])
def test_fisher_interval_undefined_for_tiny_n(method, n):
    with pytest.warns(DataQualityWarning, match="Fisher-z interval needs"):
        res = correlation(_frame(range(n), [2, 1, 3, 4][:n]), x="x", y="y", method=method)
    assert math.isnan(res.ci_low)
    assert math.isnan(res.ci_high)
    assert math.isfinite(res.p_value)


@pytest.mark.slow
def test_bootstrap_interval_is_seeded_and_close_to_fisher_z_for_large_n():
    rng = np.random.default_rng(7)
    x = rng.normal(size=300)
    data = _frame(x, 0.5 * x + rng.normal(size=300))
    kw = {"p_method": "asymptotic", "n_resamples": 2000}
    boot = correlation(data, x="x", y="y", ci_method="bootstrap", **kw)
    fz = correlation(data, x="x", y="y", **kw)
    assert boot.ci_method == "bootstrap BCa (2000 resamples, seed 20220801)"
    assert boot.ci_low < boot.estimate < boot.ci_high
    assert boot.ci_low == pytest.approx(fz.ci_low, abs=0.03)
    assert boot.ci_high == pytest.approx(fz.ci_high, abs=0.03)
    again = correlation(data, x="x", y="y", ci_method="bootstrap", **kw)
    assert (again.ci_low, again.ci_high) == (boot.ci_low, boot.ci_high)
    other = correlation(data, x="x", y="y", ci_method="bootstrap", random_state=1, **kw)
    assert other.ci_low != boot.ci_low


def test_bootstrap_one_sided_interval_is_bounded():
    c = _case("hb_score_n19", "kendall")
    res = _quiet(
        data=_frame(c["x"], c["y"]),
        x="x",
        y="y",
        method="kendall",
        ci_method="bootstrap",
        alternative="less",
        n_resamples=999,
    )
    assert res.ci_low == -1.0
    assert -1 < res.ci_high < 1


def test_summary_is_one_tidy_row():
    c = _case("ties_n12", "spearman")
    res = _quiet(data=_frame(c["x"], c["y"]), x="x", y="y", p_method="asymptotic")
    row = res.summary
    assert row.shape[0] == 1
    assert {
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "test",
        "method",
        "method_detail",
        "ci_method",
    } <= set(row.columns)
    assert row.loc[0, "test"] == "Spearman's rank correlation rho"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "pearsn"}, "Did you mean 'pearson'"),
        ({"p_method": "exakt"}, "Did you mean 'exact'"),
        ({"confidence": 95}, "0.95"),
        ({"alternative": "two.sided"}, "alternative"),
        ({"n_resamples": 0}, "n_resamples"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        correlation(_frame([1, 2, 3, 4], [4, 3, 1, 2]), x="x", y="y", **kwargs)


def test_unknown_column_suggests_the_closest():
    with pytest.raises(ArgumentError, match="did you mean 'x'"):
        correlation(_frame([1, 2, 3], [3, 2, 1]), x="xx", y="y")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"bound": 1.2}, "bound"), ({"bound": 0.5, "confidence": 0.4}, "confidence")],
)
def test_equivalence_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        correlation_equivalence(_frame([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), x="x", y="y", **kwargs)


def test_equivalence_needs_enough_pairs():
    with pytest.raises(ArgumentError, match="at least 5"):
        correlation_equivalence(
            _frame([1, 2, 3, 4], [2, 1, 4, 3]), x="x", y="y", bound=0.5, method="kendall"
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 3}, "n"),
        ({"n": 19, "power": 1.5}, "power"),
        ({"n": 19, "power": 0.01}, "no correlation"),
        ({"n": 19, "confidence": 1.5}, "confidence"),
    ],
)
def test_detectable_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        detectable_correlation(**kwargs)


def test_power_rejects_impossible_rho():
    with pytest.raises(ArgumentError, match="rho"):
        power_correlation(n=19, rho=1.0)


# ---------------------------------------------------------------- the reference itself
@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("correlation.R", tmp_path) == without_versions(REF)
