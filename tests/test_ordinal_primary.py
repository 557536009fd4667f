"""Tests for the second primary row of association_summary (b12cohort.stats._ordinal_primary).

The detection threshold of the reading (the smallest score correlation |r| at which the
exact linear-by-linear test reaches p <= alpha at the observed margins) is pinned to full
enumeration in R (tests/reference/ordinal_primary.R) within 1e-9; the row equals the
direct ordinal_association call; the reading states the numbers of the row; the two
primary tests are adjusted as their own family.
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions
from statsmodels.stats.multitest import multipletests

import b12cohort
from b12cohort.stats._ordinal_primary import exact_critical_correlation

REF = json.loads((REFERENCE / "ordinal_primary.json").read_text(encoding="utf-8"))


def _frame(record) -> pd.DataFrame:
    k = record["kx"]
    grade = pd.Categorical.from_codes(
        np.asarray(record["x"], dtype=int) - 1, categories=list(range(1, k + 1)), ordered=True
    )
    return pd.DataFrame({"grade": grade, "score": np.asarray(record["y"], dtype=float)})


@pytest.mark.parametrize(
    "record", REF["records"], ids=[f"{r['case']}-{r['alpha']}" for r in REF["records"]]
)
def test_critical_correlation_against_R_enumeration(record):
    r_crit, tail = exact_critical_correlation(
        _frame(record), x="grade", y="score", alpha=record["alpha"]
    )
    expected = record["critical_r"]
    if expected == "Inf":
        assert math.isinf(r_crit) and math.isnan(tail)
        return
    assert r_crit == pytest.approx(expected, abs=1e-9)
    assert tail <= record["alpha"] * (1 + 1e-7)


def test_the_reference_covers_ties_n3_empty_levels_and_unreachable_levels():
    cases = {r["case"] for r in REF["records"]}
    assert {"example_n19", "n3", "ties_n8"} <= cases
    assert {r["alpha"] for r in REF["records"]} == {0.01, 0.05, 0.1}
    assert any(r["critical_r"] == "Inf" for r in REF["records"])
    example = next(r for r in REF["records"] if r["case"] == "example_n19")
    assert 1 not in example["x"]  # the empty level "none" keeps its place in the scores


def test_threshold_is_where_the_exact_p_crosses_alpha():
    """At the threshold the exact p of a table is <= alpha, just below it > alpha."""
    rec = next(r for r in REF["records"] if r["case"] == "negative_n10" and r["alpha"] == 0.05)
    d = _frame(rec)
    r_crit, _ = exact_critical_correlation(d, x="grade", y="score", alpha=0.05)
    res = b12cohort.ordinal_association(
        d, x="grade", y="score", method="linear-by-linear", p_method="exact"
    )
    assert (abs(res.estimate) >= r_crit - 1e-12) == (res.p_value <= 0.05)


def test_nothing_to_test_gives_nan():
    d = pd.DataFrame(
        {"grade": pd.Categorical([1, 1, 1], categories=[1, 2], ordered=True), "score": [0, 1, 2]}
    )
    r_crit, tail = exact_critical_correlation(d, x="grade", y="score")
    assert math.isnan(r_crit) and math.isnan(tail)


def _summary(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return b12cohort.association_summary(b12cohort.load_example(), **kw)


def test_the_table_leads_with_the_two_primary_analyses():
    table = _summary()
    assert table["analysis"].tolist()[:2] == ["primary", "primary"]
    assert table["exposure"].tolist()[:2] == ["hb_g_l", "anemia_grade"]
    assert (table["analysis"] == "primary").sum() == 2
    assert table["analysis"].tolist()[2:4] == ["supporting the primary"] * 2


def test_the_row_equals_the_direct_call():
    df = b12cohort.load_example()
    row = _summary().iloc[1]
    res = b12cohort.ordinal_association(
        df, x="anemia_grade", y="neuro_score", method="linear-by-linear", p_method="exact"
    )
    assert row["test"] == res.test == "linear-by-linear association test"
    assert row["method"] == "exact"
    assert row["estimate"] == res.estimate and row["p_value"] == res.p_value
    assert row["n"] == res.n == 19
    assert math.isnan(row["ci_low"]) and math.isnan(row["confidence"])


@pytest.mark.parametrize("p_adjust", ["holm", "bonferroni", "none"])
def test_the_two_primaries_are_their_own_family(p_adjust):
    table = _summary(p_adjust=p_adjust)
    primary = table[table["analysis"] == "primary"]
    expected = (
        primary["p_value"].to_numpy()
        if p_adjust == "none"
        else multipletests(primary["p_value"].to_numpy(), method=p_adjust)[1]
    )
    np.testing.assert_array_equal(primary["p_adjusted"].to_numpy(), expected)
    assert not primary["in_family"].any()  # in_family: the secondary family
    secondary = table[table["in_family"]]
    assert (secondary["analysis"] == "secondary").all()
    np.testing.assert_array_equal(
        secondary["p_adjusted"].to_numpy(),
        secondary["p_value"].to_numpy()
        if p_adjust == "none"
        else multipletests(secondary["p_value"].to_numpy(), method=p_adjust)[1],
    )


def test_the_reading_follows_from_the_numbers():
    table = _summary()
    row = table.iloc[1]
    reading = row["reading"]
    r_crit, _ = exact_critical_correlation(
        b12cohort.load_example(), x="anemia_grade", y="neuro_score"
    )
    assert f"r = {row['estimate']:.2f}" in reading
    assert f"p = {row['p_value']:.3f}" in reading
    assert f"Holm-adjusted over the two as their own family: p = {row['p_adjusted']:.3f}" in reading
    assert row["p_value"] >= 0.05
    assert "not evidence of absence" in reading
    assert f"|r| ≥ {r_crit:.2f}" in reading
    assert "power against a given trend was not computed" in reading
    means = dict(re.findall(r"(mild|moderate|severe) (\d\.\d) \(n = \d+\)", reading))
    df = b12cohort.load_example()
    from b12cohort.dictionary.derived import neuro_score

    score = df["neuro_score"] if "neuro_score" in df else neuro_score(df)
    for grade, mean in means.items():
        assert float(mean) == pytest.approx(score[df["anemia_grade"] == grade].mean(), abs=0.05)
    assert set(means) == {"mild", "moderate", "severe"}
    for phrase in ("no association", "no correlation", "unrelated"):
        assert phrase not in reading.lower()


def test_a_detected_trend_is_read_as_one():
    grades = ["mild"] * 6 + ["moderate"] * 6 + ["severe"] * 6
    d = pd.DataFrame(
        {
            "hb_g_l": np.linspace(110, 50, 18),
            "anemia_grade": pd.Categorical(
                grades, categories=["none", "mild", "moderate", "severe"], ordered=True
            ),
            "neuro_score": [0, 0, 1, 0, 1, 1, 2, 2, 3, 2, 3, 3, 4, 5, 4, 5, 6, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = b12cohort.association_summary(d, signs=[])
    row = table.iloc[1]
    assert row["p_value"] < 0.05 and row["estimate"] > 0
    assert (
        "The test indicates a trend (before adjustment): more signs in more severe"
        in (row["reading"])
    )


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("ordinal_primary.R", tmp_path) == without_versions(REF)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_threshold_separates_significant_tables_with_decimal_scores(alpha):
    """Every permutation of y (same margins): exact p <= alpha exactly when |r| >= r_crit."""
    x = pd.Categorical([1, 1, 2, 2, 2, 3, 3, 3], categories=[1, 2, 3], ordered=True)
    y = np.array([0, 1.5, 1.5, 2.5, 4, 2.5, 4, 6])
    r_crit, _ = exact_critical_correlation(
        pd.DataFrame({"g": x, "s": y}), x="g", y="s", alpha=alpha
    )
    assert 0 < r_crit < 1
    rng = np.random.default_rng(20220801)
    for _ in range(60):
        d = pd.DataFrame({"g": x, "s": rng.permutation(y)})
        res = b12cohort.ordinal_association(
            d, x="g", y="s", method="linear-by-linear", p_method="exact"
        )
        assert (res.p_value <= alpha * (1 + 1e-7)) == (abs(res.estimate) >= r_crit - 1e-9)


def test_asymptotic_row_says_the_threshold_was_not_computed():
    table = _summary(p_method="asymptotic")
    row = table.iloc[1]
    direct = b12cohort.ordinal_association(
        b12cohort.load_example(), x="anemia_grade", y="neuro_score",
        method="linear-by-linear", p_method="asymptotic",
    )  # fmt: skip
    assert row["method"] == "asymptotic" and row["p_value"] == direct.p_value
    assert "could detect at this n was not computed" in row["reading"]
    assert "|r| ≥" not in row["reading"]
