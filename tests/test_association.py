"""Tests for b12cohort.stats.association: the re-exports and association_summary.

association_summary is a composition: each row must equal the function it calls, and
those functions are pinned to R in test_contingency / test_correlation / test_rank_tests.
Here: row-by-row equality with the direct calls (exact), the multiplicity family and
its adjustment against statsmodels ``multipletests``, the no-variation rows, regrading,
determinism, and the wording rule for readings.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

import b12cohort
from b12cohort import ApproximationWarning, ArgumentError, B12CohortWarning, DataQualityWarning
from b12cohort.dictionary.schema import NEURO_SIGNS as SIGNS
from b12cohort.stats import association as association
from b12cohort.stats import contingency as contingency
from b12cohort.stats import correlation as rc
from b12cohort.stats import power as power
from b12cohort.stats import rank_tests as groups
from b12cohort.stats import regression as regression
from b12cohort.stats import trend as trend_module
from b12cohort.stats.association import SUMMARY_COLUMNS, association_summary

GRADES = ["none", "mild", "moderate", "severe"]
HB = [62.4, 88.1, 71.0, 95.3, 103.2, 66.8, 84.5, 91.7, 78.2, 99.0,
      105.6, 74.9, 58.3, 86.6, 93.4, 80.1, 101.8, 69.5, 76.7]  # fmt: skip


def _who(hb: float) -> str:
    return "none" if hb >= 110 else "mild" if hb >= 100 else "moderate" if hb >= 70 else "severe"


def _cohort() -> pd.DataFrame:
    """19 infants with the canonical dtypes; hypotonia 19/19 as in the paper."""
    n = len(HB)
    b = lambda idx: pd.array([i in idx for i in range(n)], dtype="boolean")  # noqa: E731
    df = pd.DataFrame(
        {
            "patient_id": pd.array([f"P{i:02d}" for i in range(n)], dtype="string"),
            "age_months": np.linspace(3, 24, n).round(),
            "hb_g_l": HB,
            "hypotonia": b(range(n)),
            "adynamia": b({0, 1, 2, 5, 6, 8, 11, 12, 14, 15, 17, 18}),
            "developmental_delay": b({0, 2, 3, 5, 7, 8, 9, 12, 13, 16, 17, 18}),
            "developmental_regression": b({12}),
            "hyporeflexia": b({0, 2, 5, 11, 12, 15, 17, 18}),
            "seizures": b({12}),
        }
    )
    df["anemia_grade"] = pd.Categorical([_who(h) for h in HB], categories=GRADES, ordered=True)
    df["neuro_score"] = df[list(SIGNS)].fillna(False).astype(int).sum(axis=1).astype("int64")
    return df


def _summary(df=None, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return association_summary(_cohort() if df is None else df, **kwargs)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


# ---------------------------------------------------------------- public face
@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("fisher_exact", contingency),
        ("trend_test", trend_module),
        ("correlation", rc),
        ("detectable_correlation", power),
        ("correlation_equivalence", power),
        ("power_correlation", power),
        ("compare_groups", groups),
        ("logistic", regression),
    ],
)
def test_public_names_are_the_implementations_in_their_family_module(name, module):
    assert getattr(module, name).__module__ == module.__name__
    if name != "power_correlation":
        assert getattr(b12cohort, name) is getattr(module, name)


def test_top_level_correlation_is_the_function_after_submodule_imports():
    import b12cohort.stats.association
    import b12cohort.stats.correlation

    assert callable(b12cohort.correlation)
    assert b12cohort.association_summary is association_summary


# ---------------------------------------------------------------- the table
@pytest.mark.slow
def test_columns_rows_and_order():
    table = _summary()
    assert tuple(table.columns) == SUMMARY_COLUMNS
    assert len(table) == 3 * len(SIGNS) + 4
    assert table["analysis"].tolist()[:4] == ["primary"] * 2 + ["supporting the primary"] * 2
    assert table["outcome"].tolist()[:4] == ["neuro_score"] * 4
    assert table["exposure"].tolist()[:2] == ["hb_g_l", "anemia_grade"]
    assert table["outcome"].tolist()[4:7] == ["hypotonia", "hypotonia", "hb_g_l"]
    assert table["scheme"].unique().tolist() == ["as in data"]


@pytest.mark.parametrize("sign", SIGNS[1:])
@pytest.mark.slow
def test_sign_rows_equal_the_direct_calls(sign):
    df = _cohort()
    table = _summary(df)
    rows = table[(table["outcome"] == sign) | (table["exposure"] == sign)]
    fis = _quiet(contingency.fisher_exact, df, row=sign, col="anemia_grade")
    trend = _quiet(
        trend_module.trend_test, df, outcome=sign, ordinal="anemia_grade", p_method="auto"
    )
    cg = _quiet(groups.compare_groups, df, value="hb_g_l", by=sign)
    f, t, h = (rows.iloc[i] for i in range(3))
    assert (f["test"], f["method"], f["p_value"], f["n"]) == (
        fis.test,
        fis.method,
        fis.p_value,
        fis.n,
    )
    assert math.isnan(f["estimate"])  # R x C table: no single effect
    assert (t["test"], t["method"], t["estimate"], t["p_value"]) == (
        trend.test,
        trend.method,
        trend.z,
        trend.p_value,
    )
    assert (h["estimate"], h["ci_low"], h["ci_high"], h["p_value"], h["method"]) == (
        cg.estimate,
        cg.ci_low,
        cg.ci_high,
        cg.p_value,
        cg.method,
    )
    assert h["confidence"] == cg.confidence_achieved
    assert h["estimate_type"] == "Hodges–Lehmann shift, g/L (with minus without the sign)"
    assert h["n"] == cg.n1 + cg.n2 == 19


@pytest.mark.slow
def test_correlation_rows_equal_the_direct_calls():
    df = _cohort()
    table = _summary(df, equivalence_bound=0.4)
    cor_row, det_row, tost_row = (table.iloc[i] for i in (0, 2, 3))
    cor = _quiet(rc.correlation, df, x="neuro_score", y="hb_g_l")
    det = power.detectable_correlation(n=19, method="spearman")
    tost = power.correlation_equivalence(df, x="neuro_score", y="hb_g_l", bound=0.4)
    assert (cor_row["estimate"], cor_row["ci_low"], cor_row["ci_high"], cor_row["p_value"]) == (
        cor.estimate,
        cor.ci_low,
        cor.ci_high,
        cor.p_value,
    )
    assert cor_row["estimate_type"] == "Spearman rho"
    assert cor_row["method"] == cor.method
    assert cor.method_detail in cor_row["method_detail"]
    assert det_row["estimate"] == det.rho
    assert math.isnan(det_row["p_value"])
    assert (tost_row["estimate"], tost_row["ci_low"], tost_row["p_value"]) == (
        tost.estimate,
        tost.ci_low,
        tost.p_value,
    )
    assert tost_row["confidence"] == pytest.approx(0.9)
    assert "±0.4" in tost_row["estimate_type"]


@pytest.mark.slow
def test_constant_sign_is_kept_with_an_explanation():
    table = _summary()
    rows = table.iloc[4:7]
    assert (rows["test"] == "not tested").all()
    assert rows["p_value"].isna().all()
    assert not rows["in_family"].any()
    assert "19/19" in rows.iloc[0]["reading"]
    assert "say nothing either way" in rows.iloc[0]["reading"]


@pytest.mark.slow
def test_holm_adjustment_over_the_documented_family():
    table = _summary()
    family = table[table["in_family"]]
    varying_signs = len(SIGNS) - 1  # hypotonia has no variation
    assert len(family) == 3 * varying_signs  # the secondary tests only
    assert (family["analysis"] == "secondary").all()
    expected = multipletests(family["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_array_equal(family["p_adjusted"].to_numpy(), expected)
    outside = table[~table["in_family"] & (table["analysis"] != "primary")]
    assert outside["p_adjusted"].isna().all()
    assert (table["p_adjust"] == "holm").all()


def test_no_adjustment_and_other_methods():
    none = _summary(p_adjust="none")
    family = none[none["in_family"]]
    np.testing.assert_array_equal(family["p_adjusted"], family["p_value"])
    bh = _summary(p_adjust="fdr_bh")
    expected = multipletests(bh.loc[bh["in_family"], "p_value"], method="fdr_bh")[1]
    np.testing.assert_array_equal(bh.loc[bh["in_family"], "p_adjusted"], expected)


@pytest.mark.slow
def test_readings_never_claim_absence_without_ci_and_detectable_effect():
    table = _summary()
    for reading in table["reading"]:
        lowered = reading.lower()
        for phrase in ("no correlation", "no association", "unrelated"):
            assert phrase not in lowered, reading
    cor_reading = table.iloc[0]["reading"]
    assert "95% CI" in cor_reading
    assert "80% power only for |ρ| ≥" in cor_reading
    assert cor_reading.startswith("Spearman ρ = ")


def test_the_power_sentences_state_the_detectable_rho_of_spearmans_test():
    table = _summary()
    det_row = table[table["comparison"] == "detectable correlation at this n"].iloc[0]
    expected = power.detectable_correlation(n=int(det_row["n"]), method="spearman")
    assert det_row["estimate"] == expected.rho
    assert det_row["test"] == expected.test and "Spearman" in det_row["test"]
    primary = table[table["comparison"] == "neurological score against Hb"].iloc[0]
    stated = f"|ρ| ≥ {expected.rho:.2f}"
    for reading in (primary["reading"], det_row["reading"]):
        assert stated in reading and "Spearman's test" in reading
        assert "Pearson" not in reading and "lower bound" not in reading


def test_the_two_primary_analyses_are_a_family_of_their_own():
    table = _summary()
    primary = table[table["analysis"] == "primary"]
    assert primary["comparison"].tolist() == [
        "neurological score against Hb",
        "neurological score across the ordered anaemia grades",
    ]
    assert not primary["in_family"].any()
    expected = multipletests(primary["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_array_equal(primary["p_adjusted"].to_numpy(), expected)
    for reading, padj in zip(primary["reading"], primary["p_adjusted"], strict=True):
        shown = "p < 0.001" if padj < 0.001 else f"p = {padj:.3f}"
        assert f"Holm-adjusted over the two as their own family: {shown}" in reading
    secondary = table[(table["analysis"] == "secondary") & (table["test"] != "not tested")]
    assert secondary["in_family"].all()
    for reading in secondary["reading"]:
        assert "Holm-adjusted over the 15 secondary tests" in reading
        assert "makes a claim of absence weaker, not stronger" in reading
    supporting = table[table["analysis"] == "supporting the primary"]
    assert not supporting["in_family"].any()


def test_every_row_says_which_test_ran_why_and_its_ci_level():
    table = _summary()
    assert (table["method_detail"].str.len() > 0).all()
    assert (table["estimate_type"].str.len() > 0).all()
    with_ci = table["ci_low"].notna()
    assert table.loc[with_ci, "confidence"].between(0.5, 1).all()
    assert table.loc[~with_ci, "confidence"].isna().all()
    tested = table[table["test"] != "not tested"]
    for _, row in tested.iterrows():
        if "p-value: " in row["method_detail"]:
            assert f"p-value: {row['method']}" in row["method_detail"]


@pytest.mark.slow
def test_deterministic_and_does_not_mutate():
    df = _cohort()
    before = df.copy()
    first = _summary(df)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(first, _summary(df))


def test_warnings_of_the_parts_are_reraised_once():
    with pytest.warns(B12CohortWarning) as record:
        association_summary(_cohort())
    assert {w.category for w in record} >= {DataQualityWarning, ApproximationWarning}
    messages = [str(w.message) for w in record if "'none'" in str(w.message)]
    assert messages
    assert len(messages) == len(set(messages))


@pytest.mark.slow
def test_scheme_regrades_from_hb():
    df = _cohort()
    ru = _summary(df, scheme="ru-clinical")
    regraded = df.copy()
    regraded["anemia_grade"] = _quiet(
        b12cohort.grade_anemia, df["hb_g_l"], scheme="ru-clinical", age_months=df["age_months"]
    )
    fis = _quiet(contingency.fisher_exact, regraded, row="adynamia", col="anemia_grade")
    row = ru[(ru["outcome"] == "adynamia")].iloc[0]
    assert row["p_value"] == fis.p_value
    assert (ru["scheme"] == "ru-clinical").all()
    with pytest.raises(ArgumentError, match="scheme"):
        association_summary(df.drop(columns="anemia_grade"))


@pytest.mark.slow
def test_signs_subset_and_missing_neuro_score():
    df = _cohort()
    sub = _summary(df, signs=["adynamia"])
    assert len(sub) == 4 + 3
    without = _summary(df.drop(columns="neuro_score"), signs=["adynamia"])
    pd.testing.assert_frame_equal(sub, without)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p_adjust": "holmes"}, "p_adjust"),
        ({"confidence": 95}, "confidence"),
        ({"signs": ["hb_g_l"]}, "boolean"),
        ({"signs": ["adinamia"]}, "did you mean 'adynamia'"),
        ({"equivalence_bound": 1.5}, "equivalence_bound"),
        ({"p_method": "yes"}, "p_method"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        association_summary(_cohort(), **kwargs)


@pytest.mark.slow
def test_example_cohort_runs():
    df = b12cohort.load_example()
    table = _summary(df)
    assert len(table) == 22
    assert table.iloc[4]["test"] == "not tested"  # hypotonia 19/19
    assert table["p_value"].notna().sum() == 18


@pytest.mark.slow
def test_absent_sign_and_missing_values():
    df = _cohort()
    df["seizures"] = pd.array([False] * len(df), dtype="boolean")  # k = 0
    df.loc[[1, 4], "adynamia"] = pd.NA
    table = _summary(df)
    seizures = table[(table["outcome"] == "seizures") | (table["exposure"] == "seizures")]
    assert (seizures["test"] == "not tested").all()
    assert "None of the 19 infants" in seizures.iloc[0]["reading"]
    adynamia = table[table["outcome"] == "adynamia"]
    assert (adynamia["n"] == 17).all()
    assert (adynamia["n_missing"] == 2).all()
    hb_row = table[table["exposure"] == "adynamia"].iloc[0]
    assert (hb_row["n"], hb_row["n_missing"]) == (17, 2)


@pytest.mark.slow
def test_regrading_and_score_never_reach_the_callers_frame():
    # the summary works on a shallow copy: only whole columns are assigned to it
    df = _cohort().drop(columns="neuro_score")
    before = df.copy()
    _summary(df, scheme="ru-clinical")
    pd.testing.assert_frame_equal(df, before)
    assert "neuro_score" not in df


@pytest.mark.slow
def test_a_trend_switched_to_asymptotic_says_so_in_its_row(monkeypatch):
    from b12cohort.stats import _trend as _trend

    exact = _summary()
    monkeypatch.setattr(_trend, "trend_work_estimate", lambda *args, **kwargs: 1e12)
    table = _summary()
    trend = table[table["comparison"] == "trend of the sign with anaemia severity"]
    tested = trend[trend["test"] != "not tested"]
    assert len(tested) == len(SIGNS) - 1  # all but hypotonia (19/19)
    for _, row in tested.iterrows():
        assert row["method"] == "asymptotic"
        assert "exact distribution infeasible: about 1e+12" in row["method_detail"]
        assert "asymptotic test used instead" in row["note"]
        assert "asymptotic Cochran–Armitage test for trend" in row["reading"]
        assert "exact permutation test was infeasible" in row["reading"]
    assert (exact.loc[tested.index, "method"] == "exact").all()
    assert not exact.loc[tested.index, "reading"].str.contains("infeasible").any()


@pytest.mark.slow
def test_summary_of_a_hundred_thousand_infants_says_which_method_ran():
    # issue 7: no n1 x n2 differences, no O(n^2) distribution; every row names its method
    df = b12cohort.simulate_cohort(n=100_000, random_state=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = association_summary(df)
    assert len(table) == 3 * len(SIGNS) + 4
    by_comparison = dict(tuple(table.groupby("comparison", sort=False)))
    fisher = by_comparison["sign across anaemia grades"]
    trend = by_comparison["trend of the sign with anaemia severity"]
    hb = table[table["comparison"].str.startswith("Hb with vs without")]
    untested = table["test"] == "not tested"
    assert (table.loc[untested, "note"] != "").all()  # hypotonia: 100,000 / 100,000
    for _, row in fisher[fisher["test"] != "not tested"].iterrows():
        assert row["method"] in ("exact", "monte-carlo")
        if row["method"] == "monte-carlo":
            assert "Monte Carlo" in row["note"]
    for _, row in trend[trend["test"] != "not tested"].iterrows():
        # three grades: the exact test stays feasible at this size (see test_contingency)
        assert row["method"] == "exact", row["note"]
    for _, row in hb[hb["test"] != "not tested"].iterrows():
        assert row["method"] == "asymptotic"
        assert row["method_detail"].endswith("; normal approximation with continuity correction")
        assert "50 or more observations" in row["note"]
        assert math.isfinite(row["estimate"]) and row["ci_low"] <= row["ci_high"]
    rho = table[table["estimate_type"] == "Spearman rho"].iloc[0]
    assert rho["method"] == "asymptotic"
    assert "; auto: asymptotic (t approximation, " in rho["method_detail"]
    assert {w.category for w in caught} >= {ApproximationWarning}
