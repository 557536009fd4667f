"""Tests for b12cohort.stats.contingency against R 4.2.2 (tests/reference/contingency.R).

Tolerances:
- Fisher p-values: 1e-9 absolute and 1e-7 relative against R ``fisher.test`` (FEXACT for
  R×C, R's own code for 2×2); the brief's contract is 1e-9.
- 2×2 odds ratio and confidence limits: 1e-9 relative. They reproduce R *including* its
  ``uniroot`` tolerance (our port of R's zeroin), so they agree far better than R's own
  accuracy of ~1e-4.
- Cochran–Armitage: statistic 1e-10 relative and p-value 1e-12 absolute against
  ``prop.trend.test``; exact ``z`` 1e-10 absolute and p-value 1e-10 absolute against
  ``coin::independence_test(distribution = "exact")``.
- Independent checks of the algorithms by brute-force enumeration in Python: 1e-12.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from b12cohort import (
    ApproximationWarning,
    ArgumentError,
    DataQualityWarning,
    ExactTestInfeasibleError,
)
from b12cohort.stats import _fexact as _fexact
from b12cohort.stats.contingency import (
    FisherResult,
    fisher_exact,
    fisher_exact_table,
)
from b12cohort.stats.trend import trend_test

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "contingency.json").read_text(encoding="utf-8"))
GRADES = ["none", "mild", "moderate", "severe"]


def _num(v):
    return math.inf if v == "Inf" else -math.inf if v == "-Inf" else float(v)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        return func(*args, **kwargs)


def _close_rel(a: float, b: float, rel: float) -> bool:
    if math.isinf(a) or math.isinf(b) or a == 0 or b == 0:
        return a == b or abs(a - b) <= rel
    return abs(a / b - 1) <= rel


def _trend_frame(levels, events, n, *, dtype="boolean"):
    grp, y = [], []
    for lv, x, k in zip(levels, events, n, strict=True):
        grp += [lv] * k
        y += [True] * x + [False] * (k - x)
    return pd.DataFrame(
        {
            "grade": pd.Categorical(grp, categories=list(levels), ordered=True),
            "sign": pd.array(y, dtype=dtype),
        }
    )


# ---------------------------------------------------------------- Fisher against R
FISHER = REF["fisher"]


@pytest.mark.parametrize("case", FISHER, ids=[c["id"] for c in FISHER])
@pytest.mark.slow
def test_fisher_against_R_fisher_test(case):
    table = np.array(case["table"])
    big = "workspace" in case["call"]  # FEXACT needed more workspace; so do we
    res = _quiet(
        fisher_exact_table,
        table,
        alternative=case["alternative"],
        confidence=case["confidence"],
        max_work=10**9 if big else 10_000_000,
    )
    assert res.method == "exact"
    if "r_error" in case:  # R refuses a one-row table; we report the trivial p = 1
        assert res.p_value == 1.0
        assert "collapses" in res.note
        return
    ref = case["p_value"]
    assert abs(res.p_value - ref) <= 1e-9, case["call"]
    assert abs(res.p_value - ref) <= 1e-7 * ref + 1e-300, case["call"]
    if "estimate" in case:
        if math.isnan(res.odds_ratio):  # empty row/column: R reports 0 and [0, Inf]
            assert min(res.table.shape) < 2
            return
        assert _close_rel(res.odds_ratio, _num(case["estimate"]), 1e-9), case["call"]
        lo, hi = (_num(v) for v in case["conf_int"])
        assert _close_rel(res.ci_low, lo, 1e-9), case["call"]
        assert _close_rel(res.ci_high, hi, 1e-9), case["call"]
        assert res.test == "Fisher's exact test"
    else:
        assert math.isnan(res.odds_ratio) and math.isnan(res.ci_low)


def test_default_budget_switches_to_monte_carlo_with_warning():
    case = next(c for c in FISHER if c["id"] == "4x7_n100_workspace")
    with pytest.warns(ApproximationWarning, match="max_work"):
        res = fisher_exact_table(np.array(case["table"]), max_work=1_000_000)
    assert res.method == "monte-carlo"
    assert res.n_resamples == 10_000 and res.random_state == 20220801
    assert res.work > res.max_work == 1_000_000  # where the switch happened
    assert "Monte Carlo" in res.note and f"{res.work:,}" in res.note
    # the simulated p-value estimates R's exact one
    assert abs(res.p_value - case["p_value"]) < 4 * res.mc_standard_error
    again = _quiet(fisher_exact_table, np.array(case["table"]), max_work=1_000_000)
    assert again.p_value == res.p_value  # seeded: deterministic
    with pytest.raises(ExactTestInfeasibleError, match="max_work"):
        fisher_exact_table(np.array(case["table"]), p_method="exact", max_work=1_000_000)


def test_forced_monte_carlo_estimates_the_exact_p():
    table = np.array([[3, 1, 0], [2, 4, 1], [0, 2, 5]])
    exact = fisher_exact_table(table)
    mc = fisher_exact_table(table, p_method="monte-carlo", n_resamples=20_000, random_state=7)
    assert mc.method == "monte-carlo" and mc.random_state == 7 and mc.n_resamples == 20_000
    assert mc.mc_standard_error == pytest.approx(math.sqrt(mc.p_value * (1 - mc.p_value) / 20_000))
    assert abs(mc.p_value - exact.p_value) < 4 * mc.mc_standard_error
    gen = fisher_exact_table(table, p_method="monte-carlo", random_state=np.random.default_rng(1))
    assert gen.random_state is None and 0 < gen.p_value <= 1
    with pytest.raises(ArgumentError, match="two-sided"):
        fisher_exact_table([[3, 1], [1, 3]], p_method="monte-carlo", alternative="less")


# ---------------------------------------------------------------- Fisher: brute force
def _all_tables(rows, cols):
    """Every table with the given margins (small problems only)."""
    if len(cols) == 1:
        yield [[r] for r in rows]
        return
    for first in itertools.product(*(range(min(r, cols[0]) + 1) for r in rows)):
        if sum(first) != cols[0]:
            continue
        rest = [r - f for r, f in zip(rows, first, strict=True)]
        for tail in _all_tables(rest, cols[1:]):
            yield [[f, *t] for f, t in zip(first, tail, strict=True)]


def _brute_force_p(table):
    x = np.asarray(table)
    rows, cols = x.sum(1), x.sum(0)
    n = int(x.sum())

    def logp(t):
        t = np.asarray(t)
        return (
            gammaln(rows + 1).sum()
            + gammaln(cols + 1).sum()
            - gammaln(n + 1)
            - gammaln(t + 1).sum()
        )

    obs = logp(x)
    return sum(
        math.exp(lp) for t in _all_tables(list(rows), list(cols)) if (lp := logp(t)) <= obs + 1e-7
    )


@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.lists(st.integers(0, 4), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )
)
@pytest.mark.slow
def test_network_algorithm_equals_brute_force_enumeration(table):
    if table.sum() > 18:  # keep the brute force quick
        table = np.minimum(table, 1) + (table.sum() % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        res = fisher_exact_table(table)
    kept = table[table.sum(1) > 0][:, table.sum(0) > 0]
    if min(kept.shape) < 2:
        assert res.p_value == 1.0 or (kept.size == 0 and math.isnan(res.p_value))
        return
    assert res.p_value == pytest.approx(_brute_force_p(kept), abs=1e-12)


def test_p_value_invariant_to_transposition_and_permutation():
    table = np.array([[4, 2, 0, 1], [2, 3, 3, 0], [1, 0, 4, 5]])
    p = fisher_exact_table(table).p_value
    assert fisher_exact_table(table.T).p_value == pytest.approx(p, abs=1e-14)
    assert fisher_exact_table(table[[2, 0, 1]][:, [3, 1, 0, 2]]).p_value == pytest.approx(
        p, abs=1e-14
    )


# ---------------------------------------------------------------- Fisher: tables and frames
def test_dropped_empty_levels_are_reported_and_warned():
    table = pd.DataFrame(
        [[2, 0, 3, 1], [4, 0, 1, 5], [0, 0, 0, 0]],
        index=pd.Index(["yes", "no", "unknown"], name="sign"),
        columns=pd.Index(GRADES, name="grade"),
    )
    with pytest.warns(DataQualityWarning, match="unknown"):
        res = fisher_exact_table(table)
    assert res.dropped_levels == {"rows": ("unknown",), "columns": ("mild",)}
    assert list(res.table.columns) == ["none", "moderate", "severe"]
    ref = next(c for c in FISHER if c["id"] == "2x4_empty_column")
    assert abs(res.p_value - ref["p_value"]) <= 1e-9
    row = res.summary.iloc[0]
    assert row["dropped_levels"] == "rows: unknown; columns: mild"
    assert row["outcome"] == "sign" and row["exposure"] == "grade"


def test_collapsed_and_empty_tables():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fisher_exact_table([[0, 4], [0, 3]])
    messages = [str(w.message) for w in caught if w.category is DataQualityWarning]
    assert len(messages) == 2 and "dropped empty" in messages[0] and "collapses" in messages[1]
    assert res.p_value == 1.0 and res.method == "exact" and math.isnan(res.odds_ratio)
    assert res.test == "Fisher's exact test" and "p = 1" in res.note
    with pytest.warns(DataQualityWarning, match="no observations"):
        res = fisher_exact_table([[0, 0, 0], [0, 0, 0]])
    assert math.isnan(res.p_value) and res.n == 0


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ([[1, -1], [2, 3]], "non-negative whole"),
        ([[1.5, 1], [2, 3]], "non-negative whole"),
        ([[np.nan, 1], [2, 3]], "non-negative whole"),
        ([1, 2, 3], "2-dimensional"),
        (np.zeros((2, 2, 2)), "2-dimensional"),
        ([["a", 1], [2, 3]], "numbers"),
        (np.zeros((0, 3)), "empty"),
    ],
)
def test_bad_tables_are_refused(table, match):
    with pytest.raises(ArgumentError, match=match):
        fisher_exact_table(table)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alternative": "less"}, "only for 2×2"),
        ({"alternative": "bigger"}, "alternative"),
        ({"p_method": "simulate"}, "p_method"),
        ({"confidence": 95}, "confidence"),
        ({"n_resamples": 0}, "n_resamples"),
        ({"max_work": -1}, "max_work"),
        ({"p_method": "monte-carlo", "random_state": "seed"}, "random_state"),
    ],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        fisher_exact_table([[2, 3, 1], [5, 0, 8]], **kwargs)


def _cohort() -> pd.DataFrame:
    """19 infants: adynamia x anaemia grade (no 'none'), with one missing grade."""
    grade = ["mild"] * 5 + ["moderate"] * 6 + ["severe"] * 7 + [None]
    adyn = [True, True, True, False, False] + [True] * 4 + [False] * 2 + [True] * 5 + [False] * 2
    return pd.DataFrame(
        {
            "adynamia": pd.array([*adyn, True], dtype="boolean"),
            "hypotonia": pd.array([True] * 19, dtype="boolean"),
            "anemia_grade": pd.Categorical(grade, categories=GRADES, ordered=True),
        }
    )


def test_fisher_exact_from_a_frame_keeps_level_order_and_counts_missing():
    df = _cohort()
    before = df.copy()
    with pytest.warns(DataQualityWarning, match="'none'"):
        res = fisher_exact(df, row="adynamia", col="anemia_grade")
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is untouched
    assert res.n == 18 and res.n_missing == 1
    assert list(res.table.index) == [False, True]
    assert list(res.table.columns) == ["mild", "moderate", "severe"]
    assert res.table.to_numpy().tolist() == [[2, 2, 2], [3, 4, 5]]
    assert res.dropped_levels == {"rows": (), "columns": ("none",)}
    assert res.p_value == pytest.approx(
        fisher_exact_table([[2, 2, 2], [3, 4, 5]]).p_value, abs=1e-15
    )
    assert res.summary.loc[0, "n_missing"] == 1


def test_sign_present_in_everyone_gives_p_one():
    with pytest.warns(DataQualityWarning):
        res = fisher_exact(_cohort(), row="hypotonia", col="anemia_grade")
    assert res.p_value == 1.0
    assert res.dropped_levels["rows"] == (False,)


def test_fisher_exact_argument_errors():
    with pytest.raises(ArgumentError, match="did you mean"):
        fisher_exact(_cohort(), row="adynamia", col="anemia_grad")
    with pytest.raises(ArgumentError, match="same column"):
        fisher_exact(_cohort(), row="adynamia", col="adynamia")


def test_result_is_frozen_and_summary_is_tidy():
    res = fisher_exact_table([[3, 1], [1, 3]])
    assert isinstance(res, FisherResult)
    with pytest.raises(AttributeError):
        res.p_value = 0.0
    s = res.summary
    assert s.shape[0] == 1
    for col in ("test", "method", "n", "estimate", "ci_low", "ci_high", "p_value", "confidence"):
        assert col in s.columns


# ---------------------------------------------------------------- trend against R
TREND = REF["trend"]


@pytest.mark.parametrize("case", TREND, ids=[c["id"] for c in TREND])
def test_trend_asymptotic_against_R_prop_trend_test(case):
    df = _trend_frame(case["levels"], case["events"], case["n"])
    res = trend_test(
        df, outcome="sign", ordinal="grade", scores=case["scores"], p_method="asymptotic"
    )
    ref = case["asymptotic"]
    assert res.method == "asymptotic"
    assert res.scores == tuple(float(s) for s in case["scores_used"])
    assert res.statistic == pytest.approx(ref["statistic"], rel=1e-10, abs=1e-13), ref["call"]
    assert res.p_value == pytest.approx(ref["p_value"], abs=1e-12), ref["call"]
    from scipy.stats import norm

    greater = trend_test(
        df, outcome="sign", ordinal="grade", scores=case["scores"], alternative="greater",
        p_method="asymptotic",
    )  # fmt: skip
    assert greater.p_value == pytest.approx(norm.sf(res.z), abs=1e-15)
    assert abs(res.z) == pytest.approx(math.sqrt(ref["statistic"]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", TREND, ids=[c["id"] for c in TREND])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_trend_exact_against_R_coin(case, alternative):
    df = _trend_frame(case["levels"], case["events"], case["n"])
    res = trend_test(
        df,
        outcome="sign",
        ordinal="grade",
        scores=case["scores"],
        p_method="auto",
        alternative=alternative,
    )
    ref = case["exact"][alternative]
    assert res.method == "exact"
    assert res.z == pytest.approx(ref["z"], abs=1e-10), ref["call"]
    assert res.p_value == pytest.approx(ref["p_value"], abs=1e-10), ref["call"]
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-9), ref["call"]
    assert res.statistic == pytest.approx(ref["z"] ** 2, abs=1e-9)


def _brute_force_trend(events, n, scores, alternative):
    """Permutation p-value by enumerating every subset of subjects who could be the cases."""
    s = np.repeat(scores, n)
    m = sum(events)
    t_obs = float(np.dot(events, scores))
    stats = np.array([s[list(c)].sum() for c in itertools.combinations(range(len(s)), m)])
    mu = stats.mean()
    if alternative == "greater":
        return np.mean(stats >= t_obs - 1e-9)
    if alternative == "less":
        return np.mean(stats <= t_obs + 1e-9)
    return np.mean(np.abs(stats - mu) >= abs(t_obs - mu) - 1e-9)


@pytest.mark.parametrize(
    ("events", "n", "scores"),
    [
        ([1, 3, 2], [3, 3, 3], [1, 2, 3]),
        ([0, 2, 3, 1], [2, 3, 4, 2], [0, 1, 2, 5]),
        ([2, 0, 3], [4, 2, 5], [1.5, 2.25, 7.0]),
        ([4, 1], [5, 6], [1, 2]),
    ],
)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_trend_exact_equals_full_permutation_enumeration(events, n, scores, alternative):
    df = _trend_frame(["a", "b", "c", "d"][: len(n)], events, n)
    res = trend_test(
        df, outcome="sign", ordinal="grade", scores=scores, p_method="auto", alternative=alternative
    )
    assert res.p_value == pytest.approx(
        _brute_force_trend(events, n, scores, alternative), abs=1e-12
    )


# ---------------------------------------------------------------- trend: data handling
def test_trend_drops_empty_levels_and_counts_missing():
    df = _cohort()
    with pytest.warns(DataQualityWarning, match="'none'"):
        res = trend_test(df, outcome="adynamia", ordinal="anemia_grade")
    assert res.levels == ("mild", "moderate", "severe") and res.dropped_levels == ("none",)
    assert res.scores == (1.0, 2.0, 3.0)  # 1..k over the observed levels
    assert res.n == 18 and res.n_missing == 1
    assert res.table["events"].tolist() == [3, 4, 5] and res.table["n"].tolist() == [5, 6, 7]
    s = res.summary
    assert s.loc[0, "scores"] == "mild=1, moderate=2, severe=3"
    assert s.loc[0, "dropped_levels"] == "none"
    scores = {"none": 0, "mild": 1, "moderate": 2, "severe": 4}
    by_dict = _quiet(trend_test, df, outcome="adynamia", ordinal="anemia_grade", scores=scores)
    by_list = _quiet(trend_test, df, outcome="adynamia", ordinal="anemia_grade", scores=[1, 2, 4])
    assert by_dict.scores == by_list.scores == (1.0, 2.0, 4.0)
    assert by_dict.p_value == by_list.p_value != res.p_value


def test_trend_numeric_ordinal_and_zero_one_outcome():
    df = pd.DataFrame(
        {
            "y": [0, 1, 0, 1, 1, 1, 0, 1, 1],
            "score": pd.array([0, 0, 0, 2, 2, 2, 5, 5, 5], dtype="Int64"),
        }
    )
    res = trend_test(df, outcome="y", ordinal="score", p_method="asymptotic")
    assert res.levels == (0, 2, 5) and res.scores == (1.0, 2.0, 3.0)
    ref = next(c for c in TREND if c["id"] == "doc_example_n9")
    assert res.p_value == pytest.approx(ref["asymptotic"]["p_value"], abs=1e-12)


@pytest.mark.parametrize(
    ("events", "n", "match"),
    [([0, 0, 0], [3, 3, 3], "single value"), ([3, 3], [3, 3], "single value")],
)
def test_trend_without_variation_gives_p_one(events, n, match):
    df = _trend_frame(["a", "b", "c"][: len(n)], events, n)
    for p_method in ("asymptotic", "auto", "exact"):
        with pytest.warns(DataQualityWarning, match=match):
            res = trend_test(df, outcome="sign", ordinal="grade", p_method=p_method)
        assert res.p_value == 1.0 and math.isnan(res.statistic)


def test_trend_single_level_and_constant_scores():
    df = _trend_frame(["a", "b"], [1, 0], [3, 0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = trend_test(df, outcome="sign", ordinal="grade")
    assert [str(w.message).split(":")[1].split()[0] for w in caught] == ["dropped", "only"]
    assert res.p_value == 1.0 and res.dropped_levels == ("b",)
    df = _trend_frame(["a", "b"], [1, 2], [3, 3])
    with pytest.warns(DataQualityWarning, match="scores are equal"):
        assert trend_test(df, outcome="sign", ordinal="grade", scores=[2, 2]).p_value == 1.0


def test_trend_without_observations_gives_nan():
    df = _trend_frame(["a", "b"], [1, 2], [3, 3])
    df["sign"] = pd.array([pd.NA] * len(df), dtype="boolean")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = trend_test(df, outcome="sign", ordinal="grade")
    assert "no observations" in str(caught[-1].message)
    assert math.isnan(res.p_value) and res.n == 0 and res.n_missing == 6


def _exact_rational_trend(events, n, scores, alternative):
    """Exact p-value in integer arithmetic: subsets of cases counted by (cases, score sum).

    Independent of b12cohort.stats._trend (no pruning, no hypergeometric tails): the null
    frequencies are sums of products of binomial coefficients over every split of the
    cases among the levels; only the classification uses coin's Z and tolerance.
    """
    from collections import defaultdict
    from fractions import Fraction

    m, big_n = sum(events), sum(n)
    ways = {(0, Fraction(0)): 1}
    for ni, si in zip(n, scores, strict=True):
        new = defaultdict(int)
        for (j, t), w in ways.items():
            for a in range(min(ni, m - j) + 1):
                new[(j + a, t + a * Fraction(si))] += w * math.comb(ni, a)
        ways = new
    s = np.asarray(scores, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    sbar = float(np.sum(n_arr * s)) / big_n
    ss = float(np.sum(n_arr * (s - sbar) ** 2))
    mu = m * sbar
    sd = math.sqrt(m * (big_n - m) / (big_n * (big_n - 1.0)) * ss)
    z = (float(np.dot(events, s)) - mu) / sd
    eps = math.sqrt(np.finfo(float).eps)
    if alternative == "two-sided" and z == 0:
        return 1.0
    hits = 0
    for (j, t), w in ways.items():
        if j != m:
            continue
        zs = (float(t) - mu) / sd
        if alternative == "less":
            hits += w * (zs <= z + eps)
        elif alternative == "greater":
            hits += w * (zs >= z - eps)
        else:
            hits += w * ((zs <= -abs(z) + eps) + (zs >= abs(z) - eps))
    return min(1.0, float(Fraction(hits, math.comb(big_n, m))))


@st.composite
def _trend_tables(draw, max_level=25):
    k = draw(st.integers(2, 4))
    n = draw(st.lists(st.integers(1, max_level), min_size=k, max_size=k))
    events = [draw(st.integers(0, ni)) for ni in n]
    if sum(events) in (0, sum(n)):
        events[0] = 1 - events[0] if n[0] == 1 else max(1, events[0] - 1)
    scores = draw(
        st.one_of(
            st.just(list(range(1, k + 1))),
            st.lists(
                st.sampled_from([0.0, 1.3, 2.25, 2.2360679774997898, 4.75, 7.0, -1.0]),
                min_size=k,
                max_size=k,
                unique=True,
            ),
        )
    )
    return events, n, scores


@given(_trend_tables(), st.sampled_from(["two-sided", "less", "greater"]))
@pytest.mark.slow
def test_trend_exact_equals_exact_rational_arithmetic(table, alternative):
    from b12cohort.stats import _trend as _trend

    events, n, scores = table
    n_arr, x_arr, s = np.array(n), np.array(events), np.array(scores, dtype=float)
    if sum(events) in (0, sum(n)) or np.sum(n_arr * (s - np.sum(n_arr * s) / sum(n)) ** 2) <= 0:
        return  # no trend to test (covered elsewhere)
    p = _trend.trend_exact_pvalue(n_arr, x_arr, s, alternative, 10**7)[2]
    assert p == pytest.approx(_exact_rational_trend(events, n, scores, alternative), rel=1e-11)


@settings(max_examples=60)  # the rational oracle is slow; ~1 in 5 examples is pruned
@given(_trend_tables(max_level=40), st.sampled_from(["two-sided", "less", "greater"]))
@pytest.mark.slow
def test_trend_pruning_error_stays_within_its_bound(table, alternative):
    # with a loose tolerance and a small budget the pruning bites hard; the error must
    # still be at most 3 * TREND_REL_TOL * p (module notes of b12cohort.stats._trend)
    from b12cohort.stats import _trend as _trend

    events, n, scores = table
    n_arr, x_arr, s = np.array(n), np.array(events), np.array(scores, dtype=float)
    if sum(events) in (0, sum(n)) or np.sum(n_arr * (s - np.sum(n_arr * s) / sum(n)) ** 2) <= 0:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_trend, "TREND_REL_TOL", 1e-4)
        try:
            p = _trend.trend_exact_pvalue(n_arr, x_arr, s, alternative, 2_000)[2]
        except _fexact.WorkLimitExceeded:
            return
    exact = _exact_rational_trend(events, n, scores, alternative)
    assert abs(p - exact) <= 3e-4 * exact + 1e-15


def _grid_trend_pvalue(events, n, alternative):
    """Three levels, scores 1-2-3: the whole (a1, a2) grid in log-space (gammaln)."""
    n1, n2, n3 = n
    m, big_n = sum(events), sum(n)
    a1 = np.arange(n1 + 1)[:, None]
    a2 = np.arange(n2 + 1)[None, :]
    a3 = m - a1 - a2
    ok = (a3 >= 0) & (a3 <= n3)
    a3c = np.clip(a3, 0, n3)

    def lchoose(a, b):
        return gammaln(a + 1.0) - gammaln(b + 1.0) - gammaln(a - b + 1.0)

    logp = lchoose(n1, a1) + lchoose(n2, a2) + lchoose(n3, a3c) - lchoose(big_n, m)
    prob = np.where(ok, np.exp(logp), 0.0)
    s = np.array([1.0, 2.0, 3.0])
    sbar = float(np.dot(n, s)) / big_n
    ss = float(np.sum(np.array(n) * (s - sbar) ** 2))
    mu, sd = m * sbar, math.sqrt(m * (big_n - m) / (big_n * (big_n - 1.0)) * ss)
    zs = (a1 + 2.0 * a2 + 3.0 * a3c - mu) / sd
    z = (float(np.dot(events, s)) - mu) / sd
    eps = math.sqrt(np.finfo(float).eps)
    if alternative == "less":
        return float(prob[zs <= z + eps].sum())
    if alternative == "greater":
        return float(prob[zs >= z - eps].sum())
    return float(prob[zs <= -abs(z) + eps].sum() + prob[zs >= abs(z) - eps].sum())


@pytest.mark.parametrize(
    ("events", "n"),
    [
        ([420, 1300, 190], [800, 2400, 300]),  # the paper's grades, n = 3500, no trend
        ([380, 1300, 200], [800, 2400, 300]),  # p ~ 1e-6
        ([300, 1350, 230], [800, 2400, 300]),  # p ~ 1e-30
    ],
)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.slow
def test_trend_exact_against_the_whole_grid_beyond_coin(events, n, alternative):
    # coin's exact algorithm overflows from n ~ 3000; the full (a1, a2) grid does not
    df = _trend_frame(["mild", "moderate", "severe"], events, n)
    res = trend_test(df, outcome="sign", ordinal="grade", p_method="auto", alternative=alternative)
    assert res.method == "exact"
    ref = _grid_trend_pvalue(events, n, alternative)
    assert res.p_value == pytest.approx(ref, rel=1e-9, abs=1e-300)  # gammaln: ~1e-11


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_trend_exact_two_levels_is_a_hypergeometric_tail_at_large_n(alternative):
    # two levels: the exact test is one hypergeometric law, summed here over its whole
    # support with Boost's pmf (scipy.stats.hypergeom; fast and accurate above 104,729)
    from scipy.stats import hypergeom

    from b12cohort.stats import _trend as _trend

    n_i, x_i = np.array([60_000, 90_000]), np.array([18_300, 26_500])
    s = np.array([1.0, 2.0])
    _, z, p, _ = _trend.trend_exact_pvalue(n_i, x_i, s, alternative, 10**7)
    m, big_n = int(x_i.sum()), int(n_i.sum())
    a = np.arange(max(0, m - n_i[0]), min(n_i[1], m) + 1)  # cases in the second level
    pmf = hypergeom.pmf(a, big_n, n_i[1], m)
    sbar = float(np.dot(n_i, s)) / big_n
    ss = float(np.sum(n_i * (s - sbar) ** 2))
    zs = ((m - a) * 1.0 + a * 2.0 - m * sbar) / math.sqrt(
        m * (big_n - m) / (big_n * (big_n - 1)) * ss
    )
    eps = math.sqrt(np.finfo(float).eps)
    region = {
        "less": zs <= z + eps,
        "greater": zs >= z - eps,
        "two-sided": (zs <= -abs(z) + eps) | (zs >= abs(z) - eps),
    }[alternative]
    assert p == pytest.approx(float(pmf[region].sum()), rel=1e-11)


@pytest.mark.slow
def test_trend_exact_stays_feasible_for_three_grades_at_a_million():
    # the paper's design at registry size: exact within the default budget
    from b12cohort.stats import _trend as _trend
    from b12cohort.stats.contingency import DEFAULT_MAX_TABLES

    n_i = np.array([146_622, 772_597, 80_781])
    for x_i in ([92_455, 487_548, 50_962], [44_205, 247_265, 27_487]):  # null; p ~ 1e-84
        x_i = np.array(x_i)
        s = np.array([1.0, 2.0, 3.0])
        estimate = _trend.trend_work_estimate(n_i, x_i, s, DEFAULT_MAX_TABLES, "two-sided")
        assert estimate <= DEFAULT_MAX_TABLES
        _, _, p, work = _trend.trend_exact_pvalue(n_i, x_i, s, "two-sided", DEFAULT_MAX_TABLES)
        assert work <= estimate and 0 <= p <= 1


def test_trend_exact_switches_to_asymptotic_up_front_when_infeasible(monkeypatch):
    from b12cohort.stats import _trend as _trend

    def not_called(*args, **kwargs):
        raise AssertionError("the exact engine ran although its estimate exceeds the budget")

    monkeypatch.setattr(_trend, "trend_exact_pvalue", not_called)
    df = _trend_frame(["a", "b", "c"], [10, 20, 30], [60, 60, 60])
    with pytest.warns(ApproximationWarning, match=r"max_work=50; asymptotic test used"):
        res = trend_test(df, outcome="sign", ordinal="grade", p_method="auto", max_work=50)
    assert res.method == "asymptotic"
    assert res.method_detail.startswith("exact distribution infeasible: about ")
    assert res.method_detail.endswith("states > max_work=50")
    assert "asymptotic test used instead" in res.note
    asymptotic = trend_test(df, outcome="sign", ordinal="grade", p_method="asymptotic")
    assert asymptotic.method == "asymptotic"
    assert (res.p_value, res.statistic, res.z) == (
        asymptotic.p_value,
        asymptotic.statistic,
        asymptotic.z,
    )


def test_trend_switch_is_recorded_when_the_engine_exceeds_its_budget(monkeypatch):
    # the estimate is an upper bound; should it ever be wrong, the engine stops itself
    from b12cohort.stats import _trend as _trend

    monkeypatch.setattr(_trend, "trend_work_estimate", lambda *args, **kwargs: 0.0)
    df = _trend_frame(["a", "b", "c", "d"], [10, 20, 30, 35], [60, 60, 60, 60])
    with pytest.warns(ApproximationWarning, match="max_work=100"):
        res = trend_test(df, outcome="sign", ordinal="grade", p_method="auto", max_work=100)
    assert res.method == "asymptotic"
    assert res.method_detail.startswith("exact distribution infeasible")
    with pytest.raises(ExactTestInfeasibleError, match="max_work=100"):
        trend_test(df, outcome="sign", ordinal="grade", p_method="exact", max_work=100)
    asymptotic = trend_test(df, outcome="sign", ordinal="grade", p_method="asymptotic")
    assert res.p_value == asymptotic.p_value


def test_trend_exact_at_large_n_is_exact_not_asymptotic():
    df = _trend_frame(["mild", "moderate", "severe"], [380, 1300, 200], [800, 2400, 300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no switch, no warning
        res = trend_test(df, outcome="sign", ordinal="grade", p_method="auto")
    assert res.method == "exact" and res.note == ""
    asymptotic = trend_test(df, outcome="sign", ordinal="grade", p_method="asymptotic")
    assert res.p_value != asymptotic.p_value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default = trend_test(df, outcome="sign", ordinal="grade")  # issue 11: "auto"
    assert (default.method, default.p_value) == ("exact", res.p_value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scores": [1, 2]}, "one value per observed level"),
        ({"scores": {"a": 1, "b": 2}}, "no score"),
        ({"scores": [1, 2, np.nan]}, "finite"),
        ({"scores": "123"}, "dict"),
        ({"p_method": "yes"}, "p_method"),
        ({"alternative": "up"}, "alternative"),
    ],
)
def test_trend_bad_options(kwargs, match):
    df = _trend_frame(["a", "b", "c"], [1, 2, 3], [3, 3, 3])
    with pytest.raises(ArgumentError, match=match):
        trend_test(df, outcome="sign", ordinal="grade", **kwargs)


def test_trend_bad_columns():
    df = _trend_frame(["a", "b", "c"], [1, 2, 3], [3, 3, 3])
    df["unordered"] = df["grade"].cat.as_unordered()
    df["text"] = df["grade"].astype(str)
    df["count"] = np.arange(len(df))
    with pytest.raises(ArgumentError, match="unordered"):
        trend_test(df, outcome="sign", ordinal="unordered")
    with pytest.raises(ArgumentError, match="ordered Categorical or numeric"):
        trend_test(df, outcome="sign", ordinal="text")
    with pytest.raises(ArgumentError, match="boolean"):
        trend_test(df, outcome="count", ordinal="grade")
    with pytest.raises(ArgumentError, match="same column"):
        trend_test(df, outcome="sign", ordinal="sign")


# ---------------------------------------------------------------- the reference itself
@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("contingency.R", tmp_path) == without_versions(REF)


def test_the_2x2_note_says_when_the_two_sided_p_and_the_central_interval_disagree():
    """R's two-sided Fisher p (tables no more likely) and its central CI can disagree
    about the null odds ratio; the result says so exactly when they do."""
    from b12cohort.stats.contingency import fisher_exact_table

    disagreements = 0
    for a, b, c, d in itertools.product(range(0, 9), repeat=4):
        if min(a + b, c + d, a + c, b + d) == 0:
            continue
        res = fisher_exact_table([[a, b], [c, d]])
        rejects = res.p_value < 0.05
        excludes = not (res.ci_low <= 1 <= res.ci_high)
        stated = "disagree" in res.note
        assert stated == (rejects != excludes), ((a, b, c, d), res.p_value, res.note)
        disagreements += stated
        one_sided = fisher_exact_table([[a, b], [c, d]], alternative="greater")
        assert "disagree" not in one_sided.note
    assert disagreements > 0  # the scan contains tables where they disagree
