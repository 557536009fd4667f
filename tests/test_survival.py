"""Tests for b12cohort.stats.survival: the treatment course of involuntary movements.

Reference values come from R 4.2 with survival 3.5 (tests/reference/course.R ->
course.json; every case carries the R call). Tolerances: survival probabilities,
standard errors and pointwise limits rtol 1e-10 (R prints 15 significant digits; both
sides compute the same closed forms); times, counts, medians and their limits exactly
(they are observed times or midpoints of two); Clopper-Pearson limits rtol 1e-8 (beta
quantiles), quartiles rtol 1e-12.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_close_nested, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError, DataQualityWarning
from b12cohort.stats.survival import CI_METHODS, TreatmentCourse, treatment_course

REF = Path(__file__).parent / "reference"
R_JSON = json.loads((REF / "course.json").read_text(encoding="utf-8"))
KM_CASES = R_JSON["km"]
IM = "involuntary_movements_on_treatment"


def cohort(time, status, *, onset=None, n_without=0, followup=True) -> pd.DataFrame:
    """Infants with movements resolved (status 1) or censored (0) at ``time`` days after
    the first dose, plus ``n_without`` infants without movements; canonical dtypes."""
    time = list(time)
    status = list(status)
    n = len(time)
    if onset is None:
        onset = [min(2, t) for t in time]
    resolution = [t if s else None for t, s in zip(time, status, strict=True)]
    follow = [None if s else t for t, s in zip(time, status, strict=True)]
    frame = pd.DataFrame(
        {
            "patient_id": pd.array([f"P{i:02d}" for i in range(1, n + n_without + 1)], "string"),
            IM: pd.array([True] * n + [False] * n_without, dtype="boolean"),
            "im_onset_day": pd.array(list(onset) + [None] * n_without, dtype="Int64"),
            "im_resolution_day": pd.array(resolution + [None] * n_without, dtype="Int64"),
        }
    )
    if followup:
        frame["im_followup_day"] = pd.array(follow + [None] * n_without, dtype="Int64")
    return frame


def km_case(name: str, conf_type: str = "log", confidence: float = 0.95) -> dict:
    return next(
        c for c in KM_CASES
        if (c["name"], c["conf_type"], c["confidence"]) == (name, conf_type, confidence)
    )  # fmt: skip


def _ids(case) -> str:
    return f"{case['name']}-{case['conf_type']}-{case['confidence']}"


def _nan(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in np.atleast_1d(values)], dtype=float)


def run_case(case, **kwargs) -> TreatmentCourse:
    if case["name"] == "example_onset":
        ex_onset = [4, 3, 5, 4, 3, 4]
        ex_resolution = [28, 35, 42, 21, 24, 30]
        data = cohort(ex_resolution, [1] * 6, onset=ex_onset)
        origin = "onset"
    else:
        data = cohort(case["time"], case["status"])
        origin = "first_dose"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of the reference cohorts deserves a warning
        return treatment_course(
            data, origin=origin, ci_method=case["conf_type"], confidence=case["confidence"],
            **kwargs,
        )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Kaplan-Meier against R survfit
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", KM_CASES, ids=_ids)
def test_km_table_against_R_survfit(case):
    got = run_case(case).km_table
    ref = case["table"]
    np.testing.assert_array_equal(got["time"], _nan(ref["time"]))
    for col in ("n_risk", "n_event", "n_censor"):
        np.testing.assert_array_equal(got[col], np.atleast_1d(ref[col]), err_msg=col)
    for col in ("survival", "std_err", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            got[col], _nan(ref[col]), rtol=1e-10, atol=1e-14, equal_nan=True, err_msg=col
        )


@pytest.mark.parametrize("case", KM_CASES, ids=_ids)
def test_median_and_its_interval_against_R_print_survfit(case):
    got = run_case(case)
    for ours, theirs in (("median", "median"), ("median_ci_low", "median_ci_low"),
                         ("median_ci_high", "median_ci_high")):  # fmt: skip
        np.testing.assert_array_equal(getattr(got, ours), _nan(case[theirs])[0], err_msg=ours)


def test_median_follows_print_not_quantile_when_the_curve_ends_at_one_half():
    # R: print(fit) median 10, quantile(fit, 0.5) 15 (midpoint to the last time)
    case = km_case("half_at_end")
    assert (case["median"], case["quantile"]) == (10, 15)
    assert run_case(case).median == 10.0


def test_median_midpoint_when_the_curve_sits_at_one_half_then_drops():
    case = km_case("half_then_drop")
    assert case["median"] == case["quantile"] == 25
    assert run_case(case).median == 25.0


@pytest.mark.parametrize("case", KM_CASES, ids=_ids)
def test_horizons_against_R_summary_times(case):
    got = run_case(case, horizons=case["horizons"]["time"]).horizons
    ref = case["horizons"]
    last_time = max(case["time"]) if case["name"] != "example_onset" else 37
    for i, day in enumerate(ref["time"]):
        row = got.iloc[i]
        assert row["day"] == day
        assert row["n_risk"] == ref["n_risk"][i]
        surv = ref["survival"][i]
        if day > last_time and surv > 0:
            # R's extend = TRUE carries the curve past the last observation; we do not
            assert math.isnan(row["survival"]) and math.isnan(row["proportion_resolved"])
            assert "beyond the last observation" in row["note"]
            continue
        assert row["survival"] == pytest.approx(surv, rel=1e-10)
        assert row["proportion_resolved"] == pytest.approx(1 - surv, rel=1e-10, abs=1e-14)
        for ours, theirs, flip in (("survival_ci_low", "ci_low", False),
                                   ("survival_ci_high", "ci_high", False),
                                   ("ci_high", "ci_low", True), ("ci_low", "ci_high", True)):  # fmt: skip
            want = _nan(ref[theirs][i])[0]
            want = 1 - want if flip else want
            np.testing.assert_allclose(row[ours], want, rtol=1e-10, atol=1e-14, equal_nan=True)


def test_km_uses_statsmodels_and_tables_are_tidy_for_plotting():
    case = km_case("censored_ties")
    got = run_case(case)
    assert list(got.km_table.columns) == ["time", "n_risk", "n_event", "n_censor", "survival",
                                    "std_err", "ci_low", "ci_high"]  # fmt: skip
    curve = got.km_curve
    assert curve.iloc[0][["time", "survival", "ci_low", "ci_high"]].tolist() == [0, 1, 1, 1]
    assert len(curve) == len(got.km_table) + 1
    assert got.n_km == 10 and got.events == 7 and got.n_censored == 3
    assert got.infants["status"].value_counts().to_dict() == {"resolved": 7, "unresolved": 3}
    assert got.method == "kaplan-meier"
    assert "statsmodels" in got.method_detail and "conf.type = 'log'" in got.method_detail


# ---------------------------------------------------------------------------------------
# incidence and onset
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", R_JSON["incidence"], ids=lambda c: c["call"])
def test_incidence_against_R_binom_test(case):
    k, n = case["k"], case["N"]
    data = cohort([30] * k, [1] * k, n_without=n - k)
    got = treatment_course(data, confidence=case["confidence"]).incidence.iloc[0]
    assert (got["events"], got["n"]) == (k, n)
    assert got["ci_low"] == pytest.approx(case["ci_low"], rel=1e-8, abs=1e-15)
    assert got["ci_high"] == pytest.approx(case["ci_high"], rel=1e-8, abs=1e-15)


def test_exact_interval_at_a_horizon_when_nobody_was_censored():
    # 6 of 6 resolved by day 42 and 1 of 6 by day 21: Clopper-Pearson = binom.test
    ref = {(c["k"], c["N"]): c for c in R_JSON["incidence"] if c["confidence"] == 0.95}
    case = km_case("example_first_dose")
    got = run_case(case).horizons.set_index("day")
    for day, k in ((21.0, 1), (42.0, 6)):
        assert got.loc[day, "n_resolved"] == k
        assert got.loc[day, "exact_ci_low"] == pytest.approx(
            ref[(k, 6)]["ci_low"], rel=1e-8, abs=1e-15
        )
        assert got.loc[day, "exact_ci_high"] == pytest.approx(ref[(k, 6)]["ci_high"], rel=1e-8)
    assert math.isnan(got.loc[42.0, "ci_low"])  # the Kaplan-Meier limits are undefined at S = 0


def test_no_exact_interval_after_a_censoring():
    case = km_case("censored_ties")
    got = run_case(case, horizons=(21, 42)).horizons.set_index("day")
    assert got.loc[21.0, "n_censored_before"] == 0 and not math.isnan(got.loc[21.0, "exact_ci_low"])
    assert got.loc[42.0, "n_censored_before"] == 2 and math.isnan(got.loc[42.0, "exact_ci_low"])


@pytest.mark.parametrize("case", R_JSON["onset"], ids=lambda c: c["call"])
def test_onset_summary_against_R_quantile(case):
    onset = case["onset"]
    data = cohort([40] * len(onset), [1] * len(onset), onset=onset)
    got = treatment_course(data).onset.iloc[0]
    for col in ("q1", "median", "q3", "min", "max"):
        assert got[col] == pytest.approx(case[col], rel=1e-12), col
    assert (got["n"], got["n_missing"]) == (len(onset), 0)


def test_onset_counts_infants_without_an_onset_day():
    data = cohort([20, 30, 40], [1, 1, 1], onset=[3, None, 5])
    got = treatment_course(data)
    assert got.onset.iloc[0][["n", "n_missing", "median"]].tolist() == [2, 1, 4.0]
    row = got.summary.set_index("statistic").loc["onset_day"]
    assert "1 infant(s) with movements lack an onset day" in row["note"]
    assert got.n_km == 3  # the onset day is not needed from the first dose


# ---------------------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------------------


def test_no_infant_with_movements_gives_zero_incidence_and_no_km():
    ref = next(c for c in R_JSON["incidence"] if (c["k"], c["N"], c["confidence"]) == (0, 19, 0.95))
    data = cohort([], [], n_without=19)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = treatment_course(data)
    inc = got.incidence.iloc[0]
    assert (inc["events"], inc["n"], inc["proportion"]) == (0, 19, 0.0)
    assert inc["ci_high"] == pytest.approx(ref["ci_high"], rel=1e-8)
    assert got.km_table.empty and got.km_curve.empty
    assert got.km_note == "no infant had involuntary movements"
    assert math.isnan(got.median) and got.infants.empty
    assert list(got.infants.columns) == ["patient_id", "onset_day", "resolution_day",
                                         "followup_day", "end_day", "status", "event", "time",
                                         "in_km", "note"]  # fmt: skip
    assert got.horizons["proportion_resolved"].isna().all()
    summary = got.summary.set_index("statistic")
    assert summary.loc["median_time_to_resolution", "note"] == got.km_note
    assert summary.loc["incidence", "n"] == 0


def test_movements_never_recorded_warns_and_gives_nan():
    data = cohort([], [], n_without=3)
    data[IM] = pd.array([None] * 3, dtype="boolean")
    with pytest.warns(DataQualityWarning, match="no recorded value"):
        got = treatment_course(data)
    assert got.incidence.iloc[0]["n"] == 0 and math.isnan(got.incidence.iloc[0]["proportion"])
    assert got.km_table.empty and "not recorded" in got.km_note


def test_unresolved_without_followup_is_excluded_with_a_warning():
    data = cohort([21, 28, 35], [1, 1, 0], followup=False)
    with pytest.warns(DataQualityWarning, match="censoring time.*unknown.*P03"):
        got = treatment_course(data)
    assert (got.n_km, got.n_excluded, got.n_censored) == (2, 1, 0)
    row = got.infants.set_index("patient_id").loc["P03"]
    assert row["status"] == "unresolved, no follow-up" and not row["in_km"]
    assert math.isnan(row["time"]) and "im_followup_day" in row["note"]
    assert got.km_table["time"].tolist() == [21.0, 28.0]
    assert got.summary.set_index("statistic").loc["median_time_to_resolution", "n_missing"] == 1


def test_only_unresolved_without_followup_gives_no_km():
    data = cohort([35], [0], followup=False)
    with pytest.warns(DataQualityWarning):
        got = treatment_course(data)
    assert got.km_table.empty and "usable" in got.km_note


def test_origin_onset_excludes_infants_without_an_onset_day():
    data = cohort([21, 28, 35], [1, 1, 1], onset=[3, None, 5])
    with pytest.warns(DataQualityWarning, match="origin='onset'"):
        got = treatment_course(data, origin="onset")
    assert got.km_table["time"].tolist() == [18.0, 30.0]
    assert got.infants["time"].isna().tolist() == [False, True, False]


def test_contradictory_records_are_flagged():
    data = cohort([21, 28], [1, 1])
    data.loc[0, "im_followup_day"] = 40  # resolved and censored at once
    data.loc[1, "im_onset_day"] = 30  # resolves before it starts
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = treatment_course(data)
        onset_course = treatment_course(data, origin="onset")
    messages = " ".join(str(w.message) for w in caught if w.category is DataQualityWarning)
    assert "both a resolution and a follow-up day" in messages
    assert "before the onset day" in messages
    assert got.km_table["time"].tolist() == [21.0, 28.0]  # from the first dose both still count
    assert onset_course.n_km == 1  # negative duration dropped
    assert "negative" in onset_course.infants.loc[1, "note"]
    assert len(got.notes) == 2


def test_days_of_infants_without_movements_are_ignored_with_a_warning():
    data = cohort([21], [1], n_without=1)
    data.loc[1, "im_resolution_day"] = 30
    with pytest.warns(DataQualityWarning, match="ignored"):
        got = treatment_course(data)
    assert got.infants["patient_id"].tolist() == ["P01"]


def test_absent_optional_columns():
    data = cohort([21], [1])[["patient_id", IM]]
    with pytest.warns(DataQualityWarning):
        got = treatment_course(data)
    assert got.km_table.empty and got.onset.iloc[0]["n_missing"] == 1


def test_single_infant():
    got = treatment_course(cohort([30], [1]))
    assert got.km_table["survival"].tolist() == [0.0]
    assert got.median == 30.0 and math.isnan(got.median_ci_low)


def test_input_is_not_modified():
    data = cohort([21, 28, 35], [1, 0, 1], n_without=2)
    before = data.copy(deep=True)
    treatment_course(data, origin="onset")
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"origin": "admission"}, "origin"),
        ({"ci_method": "logit"}, "ci_method"),
        ({"confidence": 95}, "confidence"),
        ({"horizons": (21, -1)}, "horizons"),
        ({"horizons": ("3 weeks",)}, "horizons"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        treatment_course(cohort([21], [1]), **kwargs)


def test_missing_column_and_non_numeric_days():
    with pytest.raises(ArgumentError, match="involuntary_movements_on_treatment"):
        treatment_course(pd.DataFrame({"patient_id": ["A"]}))
    data = cohort([21], [1])
    data["im_resolution_day"] = ["three weeks"]
    with pytest.raises(ArgumentError, match="im_resolution_day"):
        treatment_course(data)


def test_conf_types_are_those_checked_against_R():
    assert set(CI_METHODS) == {c["conf_type"] for c in KM_CASES}


def test_summary_rows_and_columns():
    case = km_case("example_first_dose")
    s = run_case(case).summary
    assert s["statistic"].tolist() == ["incidence", "onset_day", "median_time_to_resolution",
                                       "resolved_by_day_21", "resolved_by_day_42"]  # fmt: skip
    assert {"estimate", "ci_low", "ci_high", "n", "N", "method", "confidence"} <= set(s.columns)
    assert s.set_index("statistic").loc["median_time_to_resolution", "estimate"] == 29.0


# ---------------------------------------------------------------------------------------
# the references are real and current
# ---------------------------------------------------------------------------------------


@requires_r
@pytest.mark.slow
def test_R_reference_script_reproduces_committed_file(tmp_path):
    fresh = rerun_reference("course.R", tmp_path, into_folder=True)
    assert_close_nested(without_versions(R_JSON), fresh)
