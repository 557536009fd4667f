"""Tests for treatment_course(..., by=) and plot_course_by_group against R survival 3.5.

Reference: tests/reference/course_groups.R (survfit(Surv(time, status) ~ group) by
stratum, print(fit)'s medians and limits, survdiff). Tolerances: 1e-9 on the curve, its
standard error and interval (R's own precision), exact on counts and medians; 1e-9 on the
log-rank chi-squared and p (the test is asymptotic, the arithmetic is exact).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

import b12cohort
from b12cohort import ArgumentError

REF = json.loads((REFERENCE / "course_groups.json").read_text(encoding="utf-8"))
RECORDS = REF["records"]


def _cohort(rec) -> pd.DataFrame:
    n = len(rec["time"])
    status = np.asarray(rec["status"], dtype=bool)
    time = np.asarray(rec["time"], dtype=float)
    return pd.DataFrame(
        {
            "patient_id": pd.array([f"P{i:02d}" for i in range(n)], dtype="string"),
            "involuntary_movements_on_treatment": pd.array([True] * n, dtype="boolean"),
            "im_onset_day": pd.array([2] * n, dtype="Int64"),
            "im_resolution_day": np.where(status, time, np.nan),
            "im_followup_day": np.where(status, np.nan, time),
            "group": pd.Categorical(rec["group"], categories=rec["levels"]),
        }
    )


def _nan(values):
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _course(rec):
    return b12cohort.treatment_course(
        _cohort(rec), by="group", ci_method=rec["conf_type"], confidence=rec["confidence"]
    )


@pytest.mark.parametrize(
    "rec", RECORDS, ids=[f"{r['case']}-{r['conf_type']}-{r['confidence']}" for r in RECORDS]
)
def test_curves_medians_and_log_rank_against_R(rec):
    course = _course(rec)
    got = course.km_by_group
    want = rec["table"]
    assert got["group"].astype(str).tolist() == want["group"]
    for col in ("time", "n_risk", "n_event", "n_censor"):
        np.testing.assert_array_equal(got[col].to_numpy(dtype=float), _nan(want[col]))
    for col in ("survival", "std_err", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            got[col].to_numpy(dtype=float), _nan(want[col]), atol=1e-9, rtol=0, err_msg=col
        )
    groups = course.groups.set_index(course.groups["group"].astype(str))
    for m in rec["medians"]:
        row = groups.loc[m["group"]]
        for key in ("median", "median_ci_low", "median_ci_high"):
            expected = math.nan if m[key] is None else m[key]
            assert (math.isnan(row[key]) and math.isnan(expected)) or row[key] == expected, key
    lr = course.log_rank
    assert lr.statistic == pytest.approx(rec["logrank"]["statistic"], abs=1e-9)
    assert lr.df == rec["logrank"]["df"]
    assert lr.p_value == pytest.approx(rec["logrank"]["p_value"], abs=1e-9)
    assert lr.by == "group" and lr.test == "log-rank test"


def test_the_reference_covers_ties_censoring_n3_empty_levels_and_levels():
    assert {r["case"] for r in RECORDS} == {"example_by_grade", "dose_censored_ties", "n3"}
    assert {r["confidence"] for r in RECORDS} == {0.9, 0.95, 0.99}
    assert {r["conf_type"] for r in RECORDS} == {"log", "log-log", "plain"}


def test_empty_levels_are_kept_with_a_note_and_all_censored_groups_have_no_median():
    rec = next(r for r in RECORDS if r["case"] == "example_by_grade")
    groups = _course(rec).groups
    assert groups["group"].astype(str).tolist() == ["none", "mild", "moderate", "severe"]
    empty = groups[groups["n_km"] == 0]
    assert empty["group"].astype(str).tolist() == ["none", "mild"]
    assert (empty["note"] != "").all() and empty["median"].isna().all()
    mid = next(r for r in RECORDS if r["case"] == "dose_censored_ties")
    row = _course(mid).groups.set_index("group").loc["mid"]
    assert row["events"] == 0 and row["n_censored"] == 2 and math.isnan(row["median"])


def test_groups_add_up_to_the_overall_estimate():
    rec = next(r for r in RECORDS if r["case"] == "dose_censored_ties")
    course = _course(rec)
    assert course.groups["n_km"].sum() == course.n_km
    assert course.groups["events"].sum() == course.events
    assert course.log_rank.n == course.n_km


def test_without_by_nothing_changes_and_unknown_by_is_named():
    rec = RECORDS[0]
    course = b12cohort.treatment_course(_cohort(rec))
    assert course.by is None and course.km_by_group is None and course.log_rank is None
    with pytest.raises(ArgumentError, match="dose_group"):
        b12cohort.treatment_course(_cohort(rec), by="dose_group")


def test_one_group_only_gives_no_log_rank_and_says_why():
    rec = dict(RECORDS[0])
    d = _cohort(rec)
    d["group"] = pd.Categorical(["moderate"] * len(d), categories=["mild", "moderate"])
    course = b12cohort.treatment_course(d, by="group")
    assert course.log_rank is None
    assert "Log-rank test not run" in course.groups_note


def test_example_by_grade_runs():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        course = b12cohort.treatment_course(b12cohort.load_example(), by="anemia_grade")
    assert course.log_rank.p_value == pytest.approx(RECORDS[0]["logrank"]["p_value"], abs=1e-9)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("course_groups.R", tmp_path) == without_versions(REF)


# ---------------------------------------------------------------- the figure
def test_figure_draws_one_step_curve_per_group_with_censoring_marks():
    from b12cohort.figures import alt_text, plot_course_by_group

    rec = next(r for r in RECORDS if r["case"] == "dose_censored_ties")
    course = _course(rec)
    ax = plot_course_by_group(course)
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    assert {"km:low", "km:mid", "km:high"} <= set(lines)
    for g in ("low", "mid", "high"):
        table = course.km_by_group[course.km_by_group["group"] == g]
        x, y = lines[f"km:{g}"].get_data()
        assert list(x) == [0.0, *table["time"]] and list(y) == [1.0, *table["survival"]]
        censored = table[table["n_censor"] > 0]
        if len(censored):
            cx, cy = lines[f"km_censored:{g}"].get_data()
            assert list(cx) == list(censored["time"]) and list(cy) == list(censored["survival"])
    colours = {lines[f"km:{g}"].get_color() for g in ("low", "mid", "high")}
    assert len(colours) == 3
    text = alt_text(ax)
    lr = course.log_rank
    assert f"p = {lr.p_value:.3f}" in text and f"p = {lr.p_value:.3f}" in ax.get_title(loc="left")
    for row in course.groups.itertuples(index=False):
        assert f"{row.group}: {row.events} of {row.n_km} resolved" in text
    last = course.km_by_group[course.km_by_group["group"] == "high"].iloc[-1]
    assert f"day {last['time']:g}: {last['survival']:.2f}" in text


def test_figure_names_empty_groups_and_refuses_a_result_without_groups():
    from b12cohort.figures import plot_course_by_group

    rec = next(r for r in RECORDS if r["case"] == "example_by_grade")
    ax = plot_course_by_group(_cohort(rec), by="group")
    gids = {line.get_gid() for line in ax.get_lines()}
    assert {"km_note:none", "km_note:mild", "km:moderate", "km:severe"} <= gids
    with pytest.raises(ArgumentError, match="by="):
        plot_course_by_group(_cohort(rec))
    with pytest.raises(ArgumentError, match="has no groups"):
        plot_course_by_group(b12cohort.treatment_course(_cohort(rec)))
