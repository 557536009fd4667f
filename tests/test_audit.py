"""Tests for b12cohort.paper.audit (compatible_tables, audit_published_claim).

Reference: tests/reference/audit.R, which enumerates the tables of each margin itself and
runs on every one ``fisher.test(matrix(c(x, n - x), nrow = 2, byrow = TRUE))$p.value`` and
``pvalue(independence_test(grp ~ y, data = d, distribution = "exact"))`` (coin 1.4,
ordered grade factor, scores 1..G). Tolerances: p-values 1e-10 relative (1e-14
absolute); the set of tables exactly.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions

from b12cohort import (
    ArgumentError,
    DataQualityWarning,
    audit_published_claim,
    compatible_tables,
)
from b12cohort.core.errors import ExactTestInfeasibleError
from b12cohort.paper.audit import CompatibilityResult, count_tables
from b12cohort.stats.contingency import fisher_exact_table
from b12cohort.stats.trend import trend_test

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "audit.json").read_text(encoding="utf-8"))
MARGINS = REF["margins"]


def _run(margin, test):
    g = margin["n_grades"]
    return compatible_tables(
        n_with=margin["n_with"],
        grade_counts=margin["grade_counts"],
        n_total=margin["n_total"],
        n_grades=g,
        min_per_grade=margin["min_per_grade"],
        test=test,
        grades=[f"g{i + 1}" for i in range(g)],
    )


def _keyed(res: CompatibilityResult, g: int) -> dict[tuple, float]:
    cols = [f"events_g{i + 1}" for i in range(g)] + [f"n_g{i + 1}" for i in range(g)]
    frame = res.summary
    return {
        tuple(int(v) for v in row): p
        for row, p in zip(frame[cols].to_numpy(), frame["p_value"], strict=True)
    }


@pytest.mark.parametrize("test", ["fisher", "trend"])
@pytest.mark.parametrize("margin", MARGINS, ids=[m["id"] for m in MARGINS])
@pytest.mark.slow
def test_every_table_against_R(margin, test):
    g = margin["n_grades"]
    column = 2 * g if test == "fisher" else 2 * g + 1
    expected = {tuple(int(v) for v in row[: 2 * g]): row[column] for row in margin["tables"]}
    res = _run(margin, test)
    got = _keyed(res, g)
    assert got.keys() == expected.keys(), margin["call"]  # the same tables, independently
    assert res.n_tables == len(expected)
    for key, p in expected.items():
        assert got[key] == pytest.approx(p, rel=1e-10, abs=1e-14), (margin["call"], key)


def _independent_count(n_with, n_total, g, minimum):
    """Σ over compositions (itertools) of the allocations, by inclusion–exclusion."""
    total = 0
    for comp in itertools.product(range(minimum, n_total + 1), repeat=g):
        if sum(comp) != n_total:
            continue
        ways = 0
        for subset in itertools.product((0, 1), repeat=g):  # grades forced over capacity
            rest = n_with - sum(c + 1 for c, s in zip(comp, subset, strict=True) if s)
            if rest >= 0:
                ways += (-1) ** sum(subset) * math.comb(rest + g - 1, g - 1)
        total += ways
    return total


@pytest.mark.parametrize(
    ("n_with", "n_total", "g", "minimum"),
    [(12, 19, 3, 1), (8, 19, 3, 1), (6, 19, 3, 1), (19, 19, 3, 1), (0, 7, 3, 1),
     (4, 9, 3, 0), (3, 8, 3, 2), (5, 11, 2, 1), (5, 12, 4, 1), (7, 15, 3, 3)],
)  # fmt: skip
def test_count_against_closed_form(n_with, n_total, g, minimum):
    res = compatible_tables(
        n_with=n_with, n_total=n_total, n_grades=g, min_per_grade=minimum, test="trend"
    )
    closed = _independent_count(n_with, n_total, g, minimum)
    assert res.n_tables == len(res.summary) == closed
    assert count_tables(n_with=n_with, n_total=n_total, n_grades=g, min_per_grade=minimum) == closed
    # with given grade counts: the allocations of that composition only
    comp = (2, n_total - 4, 2) if g == 3 else None
    if comp is not None and min(comp) >= 0:
        given = compatible_tables(n_with=n_with, grade_counts=comp, test="trend")
        assert given.n_tables == _independent_count_given(n_with, comp)


def _independent_count_given(n_with, comp):
    return sum(1 for x in itertools.product(*(range(c + 1) for c in comp)) if sum(x) == n_with)


def test_paper_margins_sizes():
    """N = 19, three grades: a few thousand tables per sign, as the issue expects."""
    sizes = {k: count_tables(n_with=k, n_total=19) for k in (12, 8, 6, 19)}
    assert sizes == {12: 2967, 8: 3189, 6: 2649, 19: 153}


def _frame(events, sizes):
    g, y = [], []
    for j, lv in enumerate(["mild", "moderate", "severe"]):
        g += [lv] * int(sizes[j])
        y += [True] * int(events[j]) + [False] * int(sizes[j] - events[j])
    grade = pd.Categorical(g, categories=["mild", "moderate", "severe"], ordered=True)
    return pd.DataFrame({"y": pd.array(y, dtype="boolean"), "g": grade})


@pytest.mark.parametrize("test", ["fisher", "trend"])
@pytest.mark.slow
def test_p_values_equal_the_public_tests(test):
    """A sample of the tables: the same p as fisher_exact_table / trend_test(p_method="exact")."""
    res = compatible_tables(n_with=8, n_total=19, test=test)
    frame = res.summary
    rng = np.random.default_rng(20220801)
    for i in rng.choice(len(frame), 40, replace=False):
        row = frame.iloc[i]
        events = row[["events_mild", "events_moderate", "events_severe"]].to_numpy(int)
        sizes = row[["n_mild", "n_moderate", "n_severe"]].to_numpy(int)
        if test == "fisher":  # the engine itself: bit for bit
            assert fisher_exact_table(np.vstack([events, sizes - events])).p_value == row.p_value
        else:  # the full permutation support vs the engine (exact to 3e-12 relative)
            public = trend_test(_frame(events, sizes), outcome="y", ordinal="g", p_method="exact")
            assert row.p_value == pytest.approx(public.p_value, rel=1e-11, abs=0)
            assert row.z == pytest.approx(public.z, rel=1e-12)


def test_empty_grades_are_dropped_as_the_public_tests_do():
    res = compatible_tables(n_with=3, n_total=6, min_per_grade=0, test="trend")
    frame = res.summary
    row = frame[(frame.n_mild == 0) & (frame.n_moderate == 3) & (frame.events_moderate == 0)]
    with pytest.warns(DataQualityWarning, match="dropped empty level"):
        public = trend_test(
            _frame([0, 0, 3], [0, 3, 3]), outcome="y", ordinal="g", p_method="exact"
        )
    assert row.p_value.item() == pytest.approx(public.p_value, rel=1e-11)


@pytest.mark.slow
def test_result_fields_follow_from_the_tables():
    res = compatible_tables(n_with=12, n_total=19, test="fisher")
    frame = res.summary
    assert res.method == "exact" and "exact enumeration of all 2,967" in res.method_detail
    assert res.n_reject == int((frame.p_value < 0.05).sum())
    assert res.p_min == frame.p_value.min() and res.p_max == frame.p_value.max()
    low = res.min_p_table
    assert low.loc["with"].sum() == 12 and low.to_numpy().sum() == 19
    ok = frame[frame.p_value >= 0.05]
    assert abs(res.largest_risk_difference) == ok.risk_difference.abs().max()
    assert abs(res.largest_slope) == ok.slope.abs().max()
    assert res.largest_effect_p >= 0.05
    assert res.verdict == "either" and res.strong_effect_undetected
    assert isinstance(res, CompatibilityResult)
    assert set(res.overview.columns) >= {"n_tables", "p_min", "p_max", "n_reject", "verdict"}
    assert res.to_dict()["n_tables"] == 2967
    assert "<table" in res._repr_html_()


def test_deterministic():
    a = compatible_tables(n_with=6, n_total=19, test="trend").summary
    b = compatible_tables(n_with=6, n_total=19, test="trend").summary
    pd.testing.assert_frame_equal(a, b)


def test_refuses_beyond_the_work_budget():
    with pytest.raises(ExactTestInfeasibleError, match="max_work=1,000"):
        compatible_tables(n_with=12, n_total=19, max_work=1000)
    with pytest.raises(ExactTestInfeasibleError, match="2,967 tables"):
        compatible_tables(n_with=12, n_total=19, max_work=2966)
    assert compatible_tables(n_with=12, n_total=19, max_work=2967, test="trend").n_tables == 2967


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_with": 3}, "grade_counts"),
        ({"n_with": 20, "n_total": 19}, "only 19"),
        ({"n_with": 3, "grade_counts": [2, -1, 3]}, "non-negative"),
        ({"n_with": 3, "grade_counts": [2, 1.5, 3]}, "whole"),
        ({"n_with": 3, "grade_counts": [2, 2, 3], "n_total": 8}, "sum"),
        ({"n_with": 3, "n_total": 5, "min_per_grade": 2}, "more than"),
        ({"n_with": 3, "n_total": 9, "alternative": "greater"}, "2 × 2"),
        ({"n_with": 3, "n_total": 9, "test": "chisq"}, "test"),
        ({"n_with": 3, "n_total": 9, "confidence": 1.5}, "confidence"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        compatible_tables(**kwargs)


def test_one_sided_trend():
    two = compatible_tables(n_with=4, n_total=9, test="trend").summary
    up = compatible_tables(n_with=4, n_total=9, test="trend", alternative="greater").summary
    down = compatible_tables(n_with=4, n_total=9, test="trend", alternative="less").summary
    moving = two.z.abs() > 1e-9
    assert (up.p_value + down.p_value >= 1 - 1e-12).all()
    assert (two.p_value[moving] <= 2 * np.minimum(up.p_value, down.p_value)[moving] + 1e-12).all()


def test_forced_no_association_reading():
    res = compatible_tables(n_with=1, n_total=6, test="fisher")
    assert res.verdict == "forced_no_association" and res.n_reject == 0
    assert "could not have shown an association" in res.reading
    assert f"{res.p_min:.3f}" in res.reading


# ---------------------------------------------------------------- the paper's claim
@pytest.fixture(scope="module")
def audit():
    return audit_published_claim()


@pytest.mark.slow
def test_audit_one_row_per_published_sign(audit):
    assert list(audit["sign"]) == [
        "hypotonia", "adynamia", "developmental_delay", "hyporeflexia",
        "involuntary_movements_on_treatment",
    ]  # fmt: skip
    assert list(audit["events"]) == [19, 12, 12, 8, 6] and set(audit["n"]) == {19}
    for row in audit.itertuples():
        assert (
            row.fisher_n_tables == row.trend_n_tables == count_tables(n_with=row.events, n_total=19)
        )
    same = audit.set_index("sign").loc[["adynamia", "developmental_delay"]]
    num = same.select_dtypes("number")
    assert (num.iloc[0] == num.iloc[1]).all()


def test_audit_readings_follow_from_the_numbers(audit):
    hyp = audit.set_index("sign").loc["hypotonia"]
    assert hyp.verdict == "untestable" and hyp.method == "not-tested"
    assert "19/19" in hyp.reading and "cannot be tested" in hyp.reading
    for row in audit[audit.sign != "hypotonia"].itertuples():
        assert row.verdict == "either" and row.method == "exact"
        low = min(row.fisher_p_min, row.trend_p_min)
        assert f"compatible with p from {low:.1e} to 1.000" in row.reading
        assert f"p < 0.05 in {row.fisher_n_reject:,}" in row.reading
        assert f"p < 0.05 in {row.trend_n_reject:,}" in row.reading
        assert "rests on the unpublished joint distribution" in row.reading
        assert row.strong_effect_undetected == ("could have gone undetected" in row.reading)
    for text in audit.reading:
        assert "confirm" not in text.lower()


def test_audit_arguments():
    with pytest.raises(ArgumentError, match="scheme"):
        audit_published_claim(scheme="nope")
    with pytest.raises(ArgumentError, match="lacks column"):
        audit_published_claim(pd.DataFrame({"item": ["x"]}))
    one = audit_published_claim(test="trend", min_per_grade=3)
    assert "fisher_p_min" not in one.columns
    assert (one.trend_n_tables < count_tables(n_with=12, n_total=19)).all()


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("audit.R", tmp_path) == without_versions(REF)


# ---------------------------------------------------------------- the figure
def test_plot_audit_from_a_result_and_from_the_audit(audit):
    import matplotlib

    matplotlib.use("Agg")
    from b12cohort.figures import plot_audit

    res = compatible_tables(n_with=12, grade_counts=[4, 13, 2])
    ax = plot_audit(res)
    assert ax.get_yscale() == "log"
    points = [c for c in ax.collections if str(c.get_gid()).startswith("tables:")]
    assert len(points) == 1 and len(points[0].get_offsets()) == res.n_tables
    (largest,) = [c for c in ax.collections if str(c.get_gid()).startswith("largest:")]
    x, y = largest.get_offsets()[0]
    assert x == pytest.approx(res.largest_risk_difference) and y >= res.alpha
    assert [line.get_gid() for line in ax.lines] == ["alpha:0.05"]

    ax = plot_audit(audit.head(3), test="trend", effect="slope")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("Muscular hypotonia (19/19): untestable")
    assert labels[1].startswith("Hypo- or adynamia, Neurodevelopmental retardation (12/19)")
    assert "2,967 tables, 806 with p < 0.05" in labels[1]
    with pytest.raises(ArgumentError, match="CompatibilityResult"):
        plot_audit("nope")
    with pytest.raises(ArgumentError, match="lacks column"):
        plot_audit(pd.DataFrame({"sign": ["x"]}))
