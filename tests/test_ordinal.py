"""Tests for b12cohort.stats.ordinal.ordinal_association against R 4.2.2 and enumeration.

Reference: tests/reference/ordinal.R (each record carries the R call or the formula that
produced it). Tolerances: exact p-values, estimates, z and intervals 1e-9 (absolute);
asymptotic p-values 1e-6 (relative; they agree to rounding in practice); the coin Monte
Carlo pins within 4.5 binomial standard errors of 10^6 resamples.
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

from b12cohort import ApproximationWarning, ArgumentError, ExactTestInfeasibleError
from b12cohort.stats.ordinal import _gamma, _pair_counts, _tau_b, ordinal_association

REF = json.loads((REFERENCE / "ordinal.json").read_text(encoding="utf-8"))
CASES = {c["id"]: c for c in REF["cases"]}
RECORDS = REF["records"]


def _column(values, k):
    values = np.asarray(values, dtype=float)
    if k is None:
        return values
    return pd.Categorical.from_codes(
        values.astype(int) - 1, categories=list(range(1, k + 1)), ordered=True
    )


def _frame(case) -> pd.DataFrame:
    return pd.DataFrame({"x": _column(case["x"], case["kx"]), "y": _column(case["y"], case["ky"])})


def _run(record, p_method):
    case = CASES[record["case"]]
    kwargs = {"alternative": record["alternative"] or "two-sided"}
    if record["confidence"] is not None:
        kwargs["confidence"] = record["confidence"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return ordinal_association(
            _frame(case), x="x", y="y", method=record["method"], p_method=p_method, **kwargs
        )


def _id(r) -> str:
    parts = [r["case"], r["method"], r["quantity"], r["alternative"], r["confidence"]]
    return "/".join(str(p) for p in parts if p is not None)


@pytest.mark.parametrize("record", RECORDS, ids=[_id(r) for r in RECORDS])
def test_ordinal_association_against_R(record):
    quantity, call, expected = record["quantity"], record["call"], record["value"]
    if quantity == "p_asymptotic":
        res = _run(record, "asymptotic")
        assert res.method == "asymptotic"
        assert res.p_value == pytest.approx(expected, rel=1e-6, abs=1e-12), call
    elif quantity == "p_exact":
        res = _run(record, "exact")
        assert res.method == "exact"
        assert res.p_value == pytest.approx(expected, abs=1e-9), call
    elif quantity == "p_coin_monte_carlo":
        res = _run(record, "exact")
        se = math.sqrt(expected * (1 - expected) / 1e6)
        assert abs(res.p_value - expected) <= 4.5 * se, (res.p_value, call)
    else:
        res = _run(record, "asymptotic")
        assert getattr(res, quantity) == pytest.approx(expected, abs=1e-9), call


def test_the_reference_covers_what_the_issue_asks():
    ids = set(CASES)
    assert {"n3", "n3_ties", "noties_n6", "ties_n8", "empty_levels"} <= ids
    confidences = {r["confidence"] for r in RECORDS}
    assert {0.9, 0.95, 0.99} <= confidences
    alternatives = {r["alternative"] for r in RECORDS if r["quantity"] == "p_exact"}
    assert alternatives == {"two-sided", "less", "greater"}
    assert any(r["quantity"] == "p_coin_monte_carlo" for r in RECORDS)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    fresh = rerun_reference("ordinal.R", tmp_path)
    assert fresh == without_versions(REF)


# ---------------------------------------------------------------- brute force
def _brute_p(x, y, stat, alternative):
    observed = stat(y)
    sims = np.array([stat(np.array(p)) for p in itertools.permutations(y)])
    centre = sims.mean()
    tol = 1e-9 * max(1.0, abs(observed))
    if alternative == "greater":
        return float(np.mean(sims >= observed - tol))
    if alternative == "less":
        return float(np.mean(sims <= observed + tol))
    return float(np.mean(np.abs(sims - centre) >= abs(observed - centre) - tol))


def _s(x):
    return lambda y: float(
        np.sum(np.sign(np.subtract.outer(x, x)) * np.sign(np.subtract.outer(y, y))) / 2
    )


SMALL = [
    ([1, 1, 2, 2, 3, 3, 3], [0, 1, 1, 2, 2, 3, 0]),  # ties on both
    ([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]),  # no ties
    ([1, 2, 3], [3, 1, 2]),  # n = 3
    ([0, 0, 0, 1, 1, 2, 2], [1.5, 2.0, 2.0, 0.5, 3.0, 3.0, 4.25]),  # non-integer scores
]


@pytest.mark.parametrize(("x", "y"), SMALL)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("method", ["kendall", "gamma", "linear-by-linear", "jonckheere"])
def test_exact_p_against_brute_force_enumeration(x, y, alternative, method):
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    stat = (lambda yy: float(np.sum(x * yy))) if method == "linear-by-linear" else _s(x)
    res = ordinal_association(
        pd.DataFrame({"x": x, "y": y}), x="x", y="y", method=method, p_method="exact",
        alternative=alternative,
    )  # fmt: skip
    assert res.p_value == pytest.approx(_brute_p(x, y, stat, alternative), abs=1e-12)


@pytest.mark.parametrize("method", ["kendall", "linear-by-linear"])
@pytest.mark.slow
def test_monte_carlo_agrees_with_exact_within_its_error(method):
    case = _frame(CASES["grade_signs_n19"])
    exact = ordinal_association(case, x="x", y="y", method=method, p_method="exact")
    mc = ordinal_association(case, x="x", y="y", method=method, p_method="monte-carlo",
                             n_resamples=20_000, random_state=3)  # fmt: skip
    assert mc.method == "monte-carlo" and mc.n_resamples == 20_000
    assert abs(mc.p_value - exact.p_value) <= 4.5 * mc.mc_standard_error + 1 / 20_001


# ---------------------------------------------------------------- standard errors
def _delta_method_se(t, estimator):
    """Numerical delta method: var = (sum p g^2 - (sum p g)^2) / n, g the gradient."""
    n = t.sum()
    p = t / n

    def f(pp):
        a, d = _pair_counts(pp)
        return estimator(pp, a, d)[0]

    grad = np.zeros_like(p)
    h = 1e-6
    for idx in np.ndindex(p.shape):
        up, dn = p.copy(), p.copy()
        up[idx] += h
        dn[idx] -= h
        grad[idx] = (f(up) - f(dn)) / (2 * h)
    return math.sqrt(((p * grad**2).sum() - (p * grad).sum() ** 2) / n)


@pytest.mark.parametrize("estimator", [_tau_b, _gamma])
@pytest.mark.parametrize(
    "table", [[[3, 1, 0], [1, 2, 2], [0, 1, 4]], [[5, 2], [1, 3], [2, 2], [0, 4]]]
)
def test_asymptotic_standard_errors_are_the_delta_method(estimator, table):
    t = np.array(table, dtype=float)
    a, d = _pair_counts(t)
    assert estimator(t, a, d)[1] == pytest.approx(_delta_method_se(t, estimator), rel=1e-6)


# ---------------------------------------------------------------- semantics
def test_all_one_level_is_not_tested_and_says_why():
    d = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 2, 2, 2]})
    res = ordinal_association(d, x="x", y="y", method="linear-by-linear")
    assert res.method == "not-tested" and math.isnan(res.p_value)
    assert "'y' takes a single observed value" in res.note


def test_missing_pairs_are_dropped_and_counted():
    d = pd.DataFrame({"x": [1, 2, 3, np.nan, 5], "y": [1.0, 3, 2, 4, np.nan]})
    res = ordinal_association(d, x="x", y="y")
    assert (res.n, res.n_missing) == (3, 2)


def test_auto_switches_to_asymptotic_beyond_max_work_with_a_warning():
    d = _frame(CASES["grade_signs_n19"])
    with pytest.warns(ApproximationWarning, match="max_work=10"):
        res = ordinal_association(d, x="x", y="y", method="linear-by-linear", max_work=10)
    assert res.method == "asymptotic" and "switched" in res.method_detail
    assert res.work > 10
    with pytest.raises(ExactTestInfeasibleError, match="max_work"):
        ordinal_association(
            d, x="x", y="y", method="linear-by-linear", p_method="exact", max_work=10
        )


def test_empty_levels_keep_their_scores_and_the_note_says_so():
    res = ordinal_association(
        _frame(CASES["empty_levels"]), x="x", y="y", method="linear-by-linear"
    )
    assert "Empty levels (2)" in res.note
    assert res.table.shape == (4, 3)


def test_unordered_and_text_columns_are_refused_with_the_fix():
    d = pd.DataFrame({"g": pd.Categorical(["a", "b", "a"]), "s": ["x", "y", "z"], "v": [1, 2, 3]})
    with pytest.raises(ArgumentError, match="as_ordered"):
        ordinal_association(d, x="g", y="v")
    with pytest.raises(ArgumentError, match="must be ordered"):
        ordinal_association(d, x="s", y="v")
    with pytest.raises(ArgumentError, match="method"):
        ordinal_association(d, x="v", y="v", method="spearman")


def test_result_derives_from_the_package_result_base():
    res = ordinal_association(_frame(CASES["ties_n8"]), x="x", y="y", method="gamma")
    row = res.summary.iloc[0]
    assert row["test"] == "Goodman-Kruskal gamma" and row["method"] == "exact"
    assert res.to_dict()["outcome"] == "y" and res.exposure == "x"


@pytest.mark.parametrize("case", ["grade_signs_n19", "ties_n8", "negative", "larger_n40"])
@pytest.mark.parametrize("method", ["kendall", "linear-by-linear"])
def test_the_reading_follows_from_the_numbers(case, method):
    from b12cohort.stats.ordinal import ordinal_reading

    res = ordinal_association(
        _frame(CASES[case]), x="x", y="y", method=method, p_method="asymptotic"
    )
    text = ordinal_reading(res)
    assert f"{res.estimate:.2f}" in text and f"p = {res.p_value:.2g}" in text
    if method == "kendall":
        excludes = res.ci_low > 0 or res.ci_high < 0
        assert ("excludes 0" in text) == excludes
        assert f"{res.ci_low:.2f} to {res.ci_high:.2f}" in text
    else:
        assert ("no trend was detected" in text) == (res.p_value >= 0.05)
        if res.p_value < 0.05:
            assert ("positive" in text) == (res.z > 0)


def test_the_work_bound_is_cheap_at_registry_size_and_never_below_the_count():
    """At 10^5 infants counting the network's states took minutes; past
    EXACT_COUNT_STEPS the closed-form bound is used, which is never below the count."""
    import math
    import random

    from b12cohort.stats import _lbl_exact

    rng = random.Random(20221)
    for _ in range(300):
        k = rng.randint(1, 5)
        bounds = [rng.randint(0, 30) for _ in range(k)]
        total = rng.randint(0, sum(bounds) + 3)
        count = _lbl_exact._bounded_count(bounds, total)
        brute = (
            sum(1 for v in itertools.product(*(range(b + 1) for b in bounds)) if sum(v) == total)
            if math.prod(b + 1 for b in bounds) <= 20_000
            else count
        )
        assert count == brute
        loose = min(math.prod(min(b, total) + 1 for b in bounds), math.comb(total + k - 1, k - 1))
        assert loose >= count
    big = np.array([[20_000, 15_000, 5_000], [25_000, 20_000, 15_000]])
    assert _lbl_exact.work_estimate(big, lambda j: 1) > 10**9  # decided without counting
