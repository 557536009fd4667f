"""The Limitations section: every sentence follows from the data and the report's tables.

Checked on the bundled example (a reconstruction) and on a simulated cohort treated as
real data.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import b12cohort
from b12cohort.report._limitations import limitations, limitations_from_build, missingness


def _inputs(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        included, _ = b12cohort.apply_eligibility(data)
        return {
            "data": included,
            "summary": b12cohort.association_summary(included, scheme="who-2011"),
            "other_summary": b12cohort.association_summary(included, scheme="ru-clinical"),
            "literature": b12cohort.compare_with_literature(included),
        }


@pytest.fixture(scope="module")
def example():
    return _inputs(b12cohort.load_example())


@pytest.fixture(scope="module")
def simulated():
    return _inputs(b12cohort.simulate_cohort(n=60, random_state=3, missing=0.1))


def _by_topic(items):
    return {item.topic: item.text for item in items}


def _regraded(data) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = b12cohort.grade_anemia(data["hb_g_l"], scheme="who-2011", age_months=data["age_months"])
        b = b12cohort.grade_anemia(
            data["hb_g_l"], scheme="ru-clinical", age_months=data["age_months"]
        )
    return int((a.astype(object) != b.astype(object)).sum())


def test_the_example_states_its_limitations_from_its_numbers(example):
    items = limitations(
        reconstruction=True, scheme="who-2011", other_scheme="ru-clinical", **example
    )
    text = _by_topic(items)
    assert list(text) == ["Data", "Design", "Missing data", "Size", "Grading", "Literature"]
    assert "reconstruction" in text["Data"] and "by construction" in text["Data"]
    assert "Retrospective" in text["Design"]
    atrophy = example["data"]["brain_atrophy"]
    assert (
        f"Brain atrophy on imaging in {atrophy.notna().sum()} of {len(atrophy)}"
        in text["Missing data"]
    )
    assert "in 4 of 19" in text["Missing data"]  # imaging recorded in 4 of the 19 infants
    assert f"{_regraded(example['data'])} of 19 infants change grade" in text["Grading"]
    assert "its estimate is the same under both schemes" in text["Grading"]
    lit = example["literature"]
    for row in lit[(lit["k"] > 0) & (lit["k"] < 3)].itertuples():
        assert f"{row.sign.replace('_', ' ')} ({row.k})" in text["Literature"]


def test_a_simulated_cohort_is_real_data_and_says_nothing_of_construction(simulated):
    items = limitations(
        reconstruction=False,
        scheme="who-2011",
        other_scheme="ru-clinical",
        source="mine.csv",
        **simulated,
    )
    text = _by_topic(items)
    data = simulated["data"]
    assert "construction" not in " ".join(text.values())
    assert text["Data"].startswith(f"Real data (mine.csv): {len(data)} infants analysed")
    for row in missingness(data).itertuples():
        assert f"{row.title} in {row.recorded} of {row.applicable}" in text["Missing data"]
    detectable = simulated["summary"]
    det = detectable.loc[detectable["comparison"] == "detectable correlation at this n", "estimate"]
    assert f"|ρ| ≥ {det.iloc[0]:.2f}" in text["Size"]
    assert f"{_regraded(data)} of {len(data)} infants change grade" in text["Grading"]


def test_crossing_p_005_is_named(example):
    other = example["other_summary"].copy()
    row = other.index[other["comparison"] == "sign across anaemia grades"][1]
    other.loc[row, "p_value"] = 0.001  # pretend the other grading made one test "significant"
    inputs = {**example, "other_summary": other}
    text = _by_topic(
        limitations(reconstruction=True, scheme="who-2011", other_scheme="ru-clinical", **inputs)
    )
    assert "1 crossed p = 0.05 (adynamia)" in text["Grading"]


def test_missingness_counts_treatment_days_among_the_infants_they_apply_to():
    data = pd.DataFrame(
        {
            "involuntary_movements_on_treatment": pd.array(
                [True, True, False, False], dtype="boolean"
            ),
            "im_onset_day": [3.0, float("nan"), float("nan"), float("nan")],
            "im_resolution_day": [20.0, float("nan"), float("nan"), float("nan")],
            "brain_atrophy": pd.array([True, None, None, None], dtype="boolean"),
        }
    )
    table = missingness(data).set_index("variable")
    assert table.loc["im_onset_day", ["recorded", "applicable"]].tolist() == [1, 2]
    assert table.loc["brain_atrophy", ["recorded", "applicable"]].tolist() == [1, 4]


def test_from_a_build_folder(example, tmp_path):
    from b12cohort import report as rpt

    rpt.save_table(example["summary"], "association", tmp_path)
    rpt.save_table(example["other_summary"], "association_other_scheme", tmp_path)
    rpt.save_table(example["literature"], "literature_comparison", tmp_path)
    items = limitations_from_build(
        tmp_path, {"DATA": None, "SCHEME": "who-2011"}, example["data"], other_scheme="ru-clinical"
    )
    direct = limitations(
        reconstruction=True, scheme="who-2011", other_scheme="ru-clinical", **example
    )
    assert [i.topic for i in items] == [i.topic for i in direct]
    assert _by_topic(items)["Missing data"] == _by_topic(direct)["Missing data"]
    assert limitations_from_build(tmp_path / "nothing", {"DATA": None}, example["data"]) == []
