"""Tests for b12cohort.paper.replication: the published figures against the data, case profile.

The reference is the paper itself (Taranushenko et al. 2022, as tabulated in
b12cohort/resources/published_krasnoyarsk_2022.csv): the bundled reconstruction must
reproduce every printed figure, and changing one infant must break exactly the figures
that depend on it. Percentages are compared after rounding half up, computed by hand
in each test (e.g. 7/19 = 36.84% -> 37%, not the printed 42%).
"""

from __future__ import annotations

import pandas as pd
import pytest

import b12cohort
from b12cohort import ArgumentError
from b12cohort.paper.case_report import CaseProfile, case_profile
from b12cohort.paper.replication import compare_with_published, published_facts

ITEMS = {
    "n": "Number of infants",
    "age": "Age range",
    "years": "Years of treatment",
    "b12": "Serum vitamin B12",
    "hb": "Anaemia",
    "hypotonia": "Muscular hypotonia",
    "adynamia": "Hypo- or adynamia",
    "delay": "Neurodevelopmental retardation",
    "hyporeflexia": "Hyporeflexia",
    "im": "Involuntary movements during cyanocobalamin treatment",
}


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return b12cohort.load_example()


def by_item(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("item")


def mismatches(table: pd.DataFrame) -> set[str]:
    return set(table.loc[~table["match"], "item"])


def infant(**values) -> pd.DataFrame:
    """One extra infant in canonical dtypes (defaults: a hypotonic 10-month-old girl)."""
    row = {
        "patient_id": "X01", "sex": "F", "age_months": 10.0, "admission_year": 2018,
        "hb_g_l": 90.0, "b12_pg_ml": 60.0, "hypotonia": True, "adynamia": False,
        "developmental_delay": False, "developmental_regression": False,
        "hyporeflexia": False, "involuntary_movements_on_treatment": False,
    }  # fmt: skip
    row.update(values)
    return pd.DataFrame({k: [v] for k, v in row.items()})


def add(data: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    out = pd.concat([data, extra.astype({c: data[c].dtype for c in extra.columns})],
                    ignore_index=True)  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------
# compare_with_published
# ---------------------------------------------------------------------------------------


def test_every_published_figure_is_reproduced_by_the_example(example):
    table = compare_with_published(example)
    assert len(table) == len(published_facts()) == 11
    assert table["match"].dtype == bool and table["match"].all(), table.loc[~table["match"]]
    assert (table["status"] == "match").all()
    got = by_item(table)
    assert got.loc[ITEMS["n"], "computed"] == "N = 19"
    assert got.loc[ITEMS["age"], "computed"] == "3–24 months"
    assert got.loc[ITEMS["years"], "computed"] == "2012–2019"
    assert got.loc[ITEMS["b12"], "computed"] == "max 82 pg/mL"
    assert got.loc[ITEMS["adynamia"], "computed"] == "12/19 (63.2%)"
    assert got.loc[ITEMS["adynamia"], "published"] == "63%"
    assert got.loc[ITEMS["adynamia"], "computed_value"] == pytest.approx(1200 / 19)
    assert got.loc[ITEMS["adynamia"], "published_value"] == 63
    assert got.loc[ITEMS["im"], ["n", "N", "n_missing"]].tolist() == [6, 19, 0]
    case = table[table["kind"] == "case"].iloc[0]
    assert case["computed"].startswith("K07:") and case["n"] == 1
    assert list(table.columns[:8]) == ["item", "variable", "kind", "published", "computed",
                                       "match", "status", "rule"]  # fmt: skip


def test_one_fewer_hyporeflexia_breaks_only_that_figure(example):
    data = example.copy()
    k = data.index[data["hyporeflexia"].fillna(False).to_numpy(dtype=bool)][0]
    data.loc[k, "hyporeflexia"] = False  # 7/19 = 36.8% -> 37%, printed 42%
    table = compare_with_published(data)
    assert mismatches(table) == {ITEMS["hyporeflexia"]}
    row = by_item(table).loc[ITEMS["hyporeflexia"]]
    assert row["computed"] == "7/19 (36.8%)" and row["status"] == "mismatch"


def test_an_extra_infant_breaks_the_count_and_the_percentages_it_changes(example):
    # 20 infants: hypotonia 20/20 = 100% (still matches); adynamia 12/20 = 60%;
    # delay 12/20 = 60%; hyporeflexia 8/20 = 40%; movements 6/20 = 30%; the girl
    # aged 10, admitted 2018, B12 60, Hb 90 keeps every range and bound
    data = add(example, infant())
    table = compare_with_published(data)
    assert mismatches(table) == {ITEMS[k] for k in ("n", "adynamia", "delay", "hyporeflexia", "im")}
    got = by_item(table)
    assert got.loc[ITEMS["n"], "computed"] == "N = 20"
    assert got.loc[ITEMS["hypotonia"], "computed"] == "20/20 (100.0%)"
    assert got.loc[ITEMS["im"], "computed"] == "6/20 (30.0%)"


def test_an_extra_infant_outside_the_published_ranges(example):
    extra = infant(age_months=30.0, admission_year=2020, b12_pg_ml=83.0, hb_g_l=110.0)
    table = compare_with_published(add(example, extra))
    assert {ITEMS[k] for k in ("age", "years", "b12", "hb")} <= mismatches(table)
    got = by_item(table)
    assert got.loc[ITEMS["age"], "computed"] == "3–30 months"
    assert got.loc[ITEMS["b12"], ["n", "N"]].tolist() == [19, 20]  # 83 is not < 83


def test_absent_optional_column_is_not_recorded_and_does_not_crash(example):
    data = example.drop(columns=["admission_year", "developmental_regression"])
    table = compare_with_published(data)
    got = by_item(table)
    row = got.loc[ITEMS["years"]]
    assert row["computed"] == "not recorded" and row["status"] == "not recorded"
    assert not row["match"] and "absent" in row["note"] and pd.isna(row["n"])
    case = table[table["kind"] == "case"].iloc[0]
    assert case["status"] == "not recorded" and "developmental_regression" in case["note"]
    assert (table.loc[table["status"] != "not recorded", "match"]).all()


def test_missing_values_are_excluded_from_N_and_fail_a_bound(example):
    data = example.copy()
    first_false = data.index[~data["hyporeflexia"].fillna(True).to_numpy(dtype=bool)][0]
    data.loc[first_false, "hyporeflexia"] = pd.NA  # 8/18 = 44.4% -> 44%, printed 42%
    data.loc[data.index[0], "b12_pg_ml"] = float("nan")
    got = by_item(compare_with_published(data))
    row = got.loc[ITEMS["hyporeflexia"]]
    assert row[["n", "N", "n_missing"]].tolist() == [8, 18, 1]
    assert row["computed"] == "8/18 (44.4%)" and not row["match"]
    assert "1 infant(s) not recorded" in row["note"]
    b12 = got.loc[ITEMS["b12"]]
    assert not b12["match"] and b12["computed"] == "max 82 pg/mL; 1 not recorded"


def test_all_missing_variable_is_not_recorded(example):
    data = example.copy()
    data["hyporeflexia"] = pd.array([None] * len(data), dtype="boolean")
    with pytest.warns(b12cohort.DataQualityWarning):
        row = by_item(compare_with_published(data)).loc[ITEMS["hyporeflexia"]]
    assert row["status"] == "not recorded" and row["N"] == 0


def test_the_case_needs_every_published_feature(example):
    data = example.copy()
    k07 = data.index[data["patient_id"] == "K07"][0]
    data.loc[k07, "brain_atrophy"] = False
    case = compare_with_published(data).query("kind == 'case'").iloc[0]
    assert case["computed"] == "no infant matches" and case["status"] == "mismatch"
    data = example.copy()
    data.loc[k07, "sex"] = "F"
    assert not compare_with_published(data).query("kind == 'case'").iloc[0]["match"]
    data = example.copy()
    data.loc[k07, "age_months"] = 8.4  # rounds to 8: still "8-month-old"
    assert compare_with_published(data).query("kind == 'case'").iloc[0]["match"]


@pytest.mark.parametrize(
    ("k", "n", "printed", "expected"),
    [
        (1, 8, "13%", True),  # 12.5% rounds half up to 13%
        (1, 8, "12%", False),
        (3, 8, "37.5%", True),
        (2, 3, "67%", True),  # 66.67%
        (1, 40, "3%", True),  # 2.5%
        (1, 40, "2%", False),
    ],
)
def test_percentages_round_half_up(k, n, printed, expected):
    data = pd.DataFrame({"hypotonia": pd.array([True] * k + [False] * (n - k), dtype="boolean")})
    decimals = 1 if "." in printed else 0
    facts = pd.DataFrame({"item": ["x"], "variable": ["hypotonia"], "kind": ["percent"],
                          "published": [printed], "low": [None], "high": [None],
                          "count": [None], "total": [None], "decimals": [decimals]})  # fmt: skip
    row = compare_with_published(data, published=facts).iloc[0]
    assert bool(row["match"]) is expected


def test_a_users_facts_table_with_case_criteria_and_from_a_file(tmp_path):
    data = pd.DataFrame({
        "patient_id": pd.array(["A", "B"], dtype="string"),
        "sex": pd.Categorical(["F", "M"], categories=["F", "M"]),
        "age_months": [5.0, 14.6],
        "seizures": pd.array([False, True], dtype="boolean"),
    })  # fmt: skip
    facts = pd.DataFrame({
        "item": ["n", "case", "ages"], "variable": [None, None, "age_months"],
        "kind": ["count", "case", "range"], "published": ["N = 2", "15-month-old boy", "5–15"],
        "low": [None, 15, 5], "high": [None, 15, 15], "count": [2, None, None],
        "total": [None] * 3, "decimals": [0, 0, 0], "criteria": [None, "sex=M; seizures", None],
    })  # fmt: skip
    table = compare_with_published(data, published=facts)
    assert table["match"].tolist() == [True, True, True]
    assert table.loc[1, "computed"].startswith("B:")
    path = tmp_path / "facts.csv"
    facts.assign(criteria=[None, "sex=F; seizures", None]).to_csv(path, index=False)
    from_file = compare_with_published(data, published=path)
    assert from_file["match"].tolist() == [True, False, True]


def test_empty_cohort_does_not_crash():
    data = pd.DataFrame({
        "patient_id": pd.array([], dtype="string"), "age_months": pd.Series([], dtype=float),
        "hypotonia": pd.array([], dtype="boolean"),
    })  # fmt: skip
    with pytest.warns(b12cohort.DataQualityWarning):
        table = compare_with_published(data)
    assert not table["match"].any()
    assert by_item(table).loc[ITEMS["n"], "computed"] == "N = 0"


@pytest.mark.parametrize(
    ("facts", "match"),
    [
        (pd.DataFrame({"item": ["x"]}), "lacks column"),
        (published_facts().assign(kind="median"), "unknown `kind`"),
        ("not a file.csv", "cannot read"),
        (published_facts().assign(variable=None), "names no `variable`"),
    ],
)
def test_bad_facts_tables(example, facts, match):
    with pytest.raises(ArgumentError, match=match):
        compare_with_published(example, published=facts)


def test_input_is_not_modified(example):
    data = example.copy(deep=True)
    compare_with_published(data)
    case_profile(data, patient_id="K07")
    pd.testing.assert_frame_equal(data, example)


# ---------------------------------------------------------------------------------------
# case_profile
# ---------------------------------------------------------------------------------------


def test_case_profile_of_the_papers_case(example):
    case = case_profile(example, patient_id="K07")
    assert isinstance(case, CaseProfile)
    assert (case.patient_id, case.sex, case.age_months, case.admission_year) == (
        "K07",
        "M",
        8.0,
        2015,
    )
    assert case.brain_atrophy is True and "developmental_regression" in case.signs_present
    assert case.signs_absent == ("seizures",) and case.signs_not_recorded == ()
    assert (case.neuro_score, case.neuro_items_missing) == (5, 0)
    assert (case.anemia_grade, case.anemia_scheme) == ("moderate", "who-2011")  # Hb 88
    labs = case.labs.set_index("variable")
    assert labs.loc["b12_pg_ml", ["value", "unit"]].tolist() == [38.0, "pg/mL"]
    assert labs.loc["hb_g_l", "unit"] == "g/L"
    assert (case.im_onset_day, case.im_resolution_day, case.im_course) == (5.0, 42.0, "resolved")
    summary = case.summary
    assert list(summary.columns) == ["field", "value", "unit", "note"]
    values = summary.set_index("field")["value"]
    assert values["age_months"] == 8.0 and values["brain_atrophy"] is True
    text = case.to_text()
    assert text.startswith("K07: a boy aged 8 months")
    for phrase in ("developmental regression", "brain atrophy", "38 pg/mL", "moderate anaemia",
                   "day 5", "day 42"):  # fmt: skip
        assert phrase in text
    with pytest.raises(AttributeError):
        case.sex = "F"  # frozen


def test_case_profile_is_exported():
    assert b12cohort.case_profile is case_profile
    assert b12cohort.compare_with_published is compare_with_published


def test_unknown_id_names_the_closest(example):
    with pytest.raises(ArgumentError, match=r"no infant with patient_id 'K7'.*closest: 'K07'"):
        case_profile(example, patient_id="K7")


def test_duplicate_id(example):
    data = pd.concat([example, example.iloc[[6]]], ignore_index=True)
    with pytest.raises(ArgumentError, match="occurs in 2 rows"):
        case_profile(data, patient_id="K07")


def test_case_profile_of_a_sparse_record():
    data = pd.DataFrame({
        "patient_id": pd.array(["A1"], dtype="string"),
        "sex": pd.Categorical([None], categories=["F", "M"]),
        "age_months": [4.0], "hb_g_l": [95.0], "b12_pg_ml": [float("nan")],
        "hypotonia": pd.array([True], dtype="boolean"),
        "adynamia": pd.array([None], dtype="boolean"),
        "involuntary_movements_on_treatment": pd.array([True], dtype="boolean"),
        "im_onset_day": pd.array([4], dtype="Int64"),
        "im_followup_day": pd.array([20], dtype="Int64"),
    })  # fmt: skip
    with pytest.warns(b12cohort.SchemeRangeWarning):  # WHO 2011 starts at 6 months
        case = case_profile(data, patient_id="A1")
    assert case.sex is None and case.brain_atrophy is None
    assert (case.anemia_grade, case.anemia_scheme) == ("moderate", "who-2011")
    assert case.signs_present == ("hypotonia",)
    assert set(case.signs_not_recorded) >= {"adynamia", "seizures", "developmental_regression"}
    assert (case.neuro_score, case.neuro_items_missing) == (1, 5)
    assert case.im_course == "unresolved at last follow-up"
    text = case.to_text()
    assert text.startswith("A1: an infant aged 4 months.")
    assert "had not resolved at the last follow-up, day 20" in text
    assert "Not recorded:" in text
    labs = case.labs.set_index("variable")
    assert pd.isna(labs.loc["b12_pg_ml", "value"])
    notes = case.summary.set_index("field")["note"]
    assert notes["b12_pg_ml"] == "not recorded" and notes["brain_atrophy"] == "not imaged"


@pytest.mark.parametrize(
    ("youngest", "expected", "n_inside"),
    [(2.5, True, 20), (2.4, False, 19), (3.0, True, 20)],  # 2.5 rounds half up to 3
)
def test_ranges_compare_after_rounding_to_the_printed_precision(
    example, youngest, expected, n_inside
):
    data = add(example, infant(age_months=youngest))
    row = by_item(compare_with_published(data)).loc[ITEMS["age"]]
    assert row["match"] == expected
    assert row["n"] == n_inside and row["computed_low"] == youngest
