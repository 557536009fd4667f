"""Tests for b12cohort.cohort.eligibility: the paper's inclusion criteria and the participant flow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b12cohort import ArgumentError, apply_eligibility


def test_eligibility_defaults_are_the_papers_criteria():
    df = pd.DataFrame(
        {
            "age_months": [3.0, 24.0, 2.9, 24.1, np.nan, 10.0, 10.0, 30.0],
            "b12_pg_ml": [82.9, 10.0, 50.0, 50.0, 50.0, 83.0, np.nan, 100.0],
        },
        index=pd.Index(range(1, 9), name="row"),
    )
    inc, exc = apply_eligibility(df)
    assert inc.index.tolist() == [1, 2]
    assert exc["reason"].tolist() == [
        "age 2.9 months is below 3",
        "age 24.1 months is above 24",
        "age not recorded",
        "B12 83 pg/mL is not below 83",
        "B12 not recorded",
        "age 30 months is above 24; B12 100 pg/mL is not below 83",
    ]
    assert len(inc) + len(exc) == len(df) and "reason" not in df.columns


def test_eligibility_criteria_can_be_switched_off():
    df = pd.DataFrame({"age_months": [1.0, 50.0], "b12_pg_ml": [500.0, 10.0]})
    inc, exc = apply_eligibility(df, age_months=None, b12_below=None)
    assert len(inc) == 2 and len(exc) == 0
    with pytest.raises(ArgumentError, match="age_months"):
        apply_eligibility(df, age_months=3)


@pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")
def test_participant_flow_accounts_for_every_row():
    from conftest import EXAMPLE_CSV

    from b12cohort import load_cohort, participant_flow

    raw = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
    raw.loc[0, "hb_g_l"] = "1500"  # invalid
    raw.loc[1, "age_months"] = "30"  # excluded by age
    raw.loc[2, "b12_pg_ml"] = "150"  # excluded by B12
    raw.loc[3, ["age_months", "b12_pg_ml"]] = ["2", "90"]  # both
    flow = participant_flow(load_cohort(raw, invalid_rows="exclude"))
    assert flow.values.tolist() == [
        ["assessed", "", 19],
        ["invalid", "failed validation (see the failures table)", 1],
        ["excluded", "B12 83 pg/mL or more", 1],
        ["excluded", "age above 24 months", 1],
        ["excluded", "age below 3 months; B12 83 pg/mL or more", 1],
        ["analysed", "", 15],
    ]
    assert flow.loc[flow["stage"] != "assessed", "n"].sum() == 19
