"""Tests for b12cohort.dictionary.derived: anaemia grading (half-open bands, schemes as data), neuro_score.

Eligibility (b12cohort.cohort.eligibility) is tested in tests/test_eligibility.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b12cohort import (
    ArgumentError,
    SchemeRangeWarning,
    anemia_schemes,
    grade_anemia,
    register_scheme,
)
from b12cohort.dictionary.derived import _user_schemes, neuro_items_missing, neuro_score


@pytest.mark.parametrize(
    ("scheme", "hb", "grade"),
    [
        ("who-2011", 110.0, "none"),
        ("who-2011", 109.9, "mild"),
        ("who-2011", 100.0, "mild"),
        ("who-2011", 99.9, "moderate"),
        ("who-2011", 70.0, "moderate"),
        ("who-2011", 69.9, "severe"),
        ("ru-clinical", 110.0, "none"),
        ("ru-clinical", 109.9, "mild"),
        ("ru-clinical", 90.0, "mild"),
        ("ru-clinical", 89.9, "moderate"),
        ("ru-clinical", 70.0, "moderate"),
        ("ru-clinical", 69.9, "severe"),
    ],
)
def test_bands_are_half_open(scheme, hb, grade):
    assert grade_anemia([hb], scheme=scheme).tolist() == [grade]


def test_result_is_ordered_and_records_the_scheme():
    s = grade_anemia(pd.Series([120.0, np.nan, 60.0], index=[5, 6, 7]), scheme="ru-clinical")
    assert s.cat.ordered and list(s.cat.categories) == ["none", "mild", "moderate", "severe"]
    assert s.index.tolist() == [5, 6, 7] and pd.isna(s.iloc[1])
    assert s.attrs["anemia_scheme"] == "ru-clinical" and s.name == "anemia_grade"


def test_ages_outside_the_scheme_warn_and_are_counted():
    with pytest.warns(SchemeRangeWarning, match="2 infant"):
        s = grade_anemia([95, 95, 95], age_months=[3, 5, 12])
    assert s.attrs["outside_scheme_ages"] == 2 and s.tolist() == ["moderate"] * 3


def test_unknown_scheme_suggests_the_closest():
    with pytest.raises(ArgumentError, match="(?i)did you mean 'who-2011'"):
        grade_anemia([90], scheme="who2011")


def test_register_a_custom_age_dependent_scheme():
    try:
        register_scheme(
            "test-2024",
            bands=[
                {
                    "age_min_months": 6,
                    "age_max_months": 24,
                    "anemia_below": 105,
                    "moderate_below": 95,
                    "severe_below": 70,
                },
                {
                    "age_min_months": 24,
                    "age_max_months": 60,
                    "anemia_below": 110,
                    "moderate_below": 100,
                    "severe_below": 70,
                },
            ],
            citation="a test",
        )
        assert "test-2024" in set(anemia_schemes()["scheme"])
        assert grade_anemia(
            [107, 107, 96], scheme="test-2024", age_months=[12, 30, 12]
        ).tolist() == ["none", "mild", "mild"]
        with pytest.raises(ArgumentError, match="exists"):
            register_scheme("test-2024", bands=[], citation="x")
    finally:
        _user_schemes.pop("test-2024", None)


@pytest.mark.parametrize(
    ("bands", "match"),
    [
        (
            [
                {
                    "age_min_months": 0,
                    "age_max_months": 60,
                    "anemia_below": 100,
                    "moderate_below": 110,
                    "severe_below": 70,
                }
            ],
            "decrease",
        ),
        ([{"age_min_months": 0, "age_max_months": 60}], "missing"),
        (
            [
                {
                    "age_min_months": 0,
                    "age_max_months": 30,
                    "anemia_below": 110,
                    "moderate_below": 100,
                    "severe_below": 70,
                },
                {
                    "age_min_months": 20,
                    "age_max_months": 60,
                    "anemia_below": 110,
                    "moderate_below": 100,
                    "severe_below": 70,
                },
            ],
            "overlap",
        ),
    ],
)
def test_register_scheme_rejects_bad_tables(bands, match):
    with pytest.raises(ArgumentError, match=match):
        register_scheme("bad", bands=bands, citation="x")
    assert "bad" not in _user_schemes


def test_builtin_schemes_cannot_be_replaced():
    with pytest.raises(ArgumentError, match="exists"):
        register_scheme("who-2011", bands=[], citation="x", replace=True)


def test_neuro_score_counts_true_and_missing_items():
    df = pd.DataFrame(
        {
            "hypotonia": pd.array([True, True, None], dtype="boolean"),
            "adynamia": pd.array([True, False, None], dtype="boolean"),
            "seizures": pd.array([False, True, True], dtype="boolean"),
        }
    )
    assert neuro_score(df).tolist() == [2, 2, 1]
    assert neuro_items_missing(df).tolist() == [
        3,
        3,
        5,
    ]  # 3 absent columns (+2 missing cells in row 3)
