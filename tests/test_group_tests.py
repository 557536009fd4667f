"""Table 1's across-group tests (b12cohort.stats._group_tests), issue 13 item 8.

- The grading variable is never tested across its own grades.
- Kruskal-Wallis with small groups gives the exact permutation p, pinned to full
  enumeration in R (tests/reference/kruskal_exact.R) within 1e-12; beyond the work
  budget, with a group under 5, a seeded Monte Carlo p (10,000 resamples) within 4
  standard errors of R's exact p.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12cohort import ApproximationWarning, DataQualityWarning, table_one
from b12cohort.stats import _group_tests, _kruskal_exact

REF = json.loads(
    (Path(__file__).resolve().parent / "reference" / "kruskal_exact.json").read_text("utf-8")
)
CASE = next(c for c in REF["cases"] if c["id"] == "2-4-13 ties")


def _frame(case) -> pd.DataFrame:
    groups = np.repeat([f"g{i}" for i in range(len(case["sizes"]))], case["sizes"])
    return pd.DataFrame(
        {"score": np.asarray(case["values"], dtype=float), "grade": pd.Categorical(groups)}
    )


def _table_one(frame, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return table_one(frame, by="grade", variables=["score"], **kwargs)


def test_table_one_kruskal_is_exact_at_small_n_against_R():
    t1 = _table_one(_frame(CASE))
    row = t1.tests.set_index("variable").loc["score"]
    assert row["test"] == "Kruskal-Wallis"
    assert row["method"] == "exact"
    assert row["p_value"] == pytest.approx(CASE["exact_p_value"], abs=1e-12), CASE["call"]
    assert row["statistic"] == pytest.approx(CASE["statistic"], abs=1e-10), CASE["call"]
    assert f"{CASE['n_assignments']:,} assignments" in row["note"]
    assert t1.summary.set_index("variable").loc["score", "test"].iloc[0] == (
        "Kruskal-Wallis (exact)"
    )
    assert any("Kruskal-Wallis (exact)" in note for note in t1.notes)
    # the asymptotic p R's kruskal.test prints is not what the table reports
    assert abs(row["p_value"] - CASE["asymptotic_p_value"]) > 1e-3


def test_table_one_kruskal_monte_carlo_beyond_the_budget_against_R(monkeypatch):
    monkeypatch.setattr(_kruskal_exact, "DEFAULT_MAX_WORK", 1000)
    with pytest.warns(ApproximationWarning, match="Monte Carlo"):
        t1 = _table_one(_frame(CASE))
    row = t1.tests.set_index("variable").loc["score"]
    assert row["method"] == "monte-carlo"
    exact = CASE["exact_p_value"]
    se = np.sqrt(exact * (1 - exact) / _group_tests.KRUSKAL_RESAMPLES)
    assert abs(row["p_value"] - exact) <= 4 * se, CASE["call"]
    assert "seed 20220801" in row["note"] and "standard error" in row["note"]
    assert any("Monte Carlo" in note for note in t1.notes)
    with pytest.warns(ApproximationWarning):
        again = _table_one(_frame(CASE)).tests["p_value"].iloc[0]
    assert again == row["p_value"]  # seeded: the same p on every run


def test_table_one_kruskal_asymptotic_when_groups_are_large():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {"score": rng.normal(size=60), "grade": pd.Categorical(np.repeat(["a", "b", "c"], 20))}
    )
    row = _table_one(frame).tests.iloc[0]
    assert row["method"] == "chi-squared approximation"
    assert "every group >= 5" in row["note"]


def test_table_one_does_not_test_hb_across_grades_defined_by_hb():
    frame = pd.DataFrame(
        {
            "hb_g_l": [60.0, 65.0, 72.0, 85.0, 88.0, 95.0, 101.0, 104.0],
            "age_months": [5.0, 7.0, 9.0, 6.0, 8.0, 10.0, 12.0, 4.0],
            "anemia_grade": pd.Categorical(
                ["severe", "severe", "moderate", "moderate", "moderate", "mild", "mild", "mild"],
                categories=["none", "mild", "moderate", "severe"],
                ordered=True,
            ),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        t1 = table_one(frame, by="anemia_grade")
    tests = t1.tests.set_index("variable")
    assert tests.loc["hb_g_l", "test"] == "none"
    assert np.isnan(tests.loc["hb_g_l", "p_value"])
    assert "circular" in tests.loc["hb_g_l", "note"]
    assert tests.loc["age_months", "test"] == "Kruskal-Wallis"  # other rows still tested
    footnote = [n for n in t1.notes if n.startswith("Not tested: hb_g_l")]
    assert footnote and "anemia_grade is derived from it" in footnote[0]
    cell = t1.summary.set_index("variable").loc["hb_g_l", "p_value"].iloc[0]
    assert cell == ""


@pytest.mark.parametrize(
    ("variable", "by", "circular"),
    [
        ("hb_g_l", "anemia_grade", True),
        ("hypotonia", "neuro_score", True),
        ("neuro_score", "hypotonia", True),
        ("age_months", "anemia_grade", False),
        ("hb_g_l", "sex", False),
        ("hb_g_l", None, False),
    ],
)
def test_circular_reason(variable, by, circular):
    assert (_group_tests.circular_reason(variable, by) is not None) == circular
