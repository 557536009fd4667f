"""Tests for b12cohort.figures: artists carry the analysis modules' numbers; saving is deterministic.

Every figure is checked on the published example, on a small cohort without the optional
(and derived) columns, and on an Axes passed in. Numbers drawn are compared with the
function that computes them (prevalence, correlation, grade_anemia, participant_flow) or
with an independent count (pd.crosstab); the published percentages with the paper's
abstract. Saved files are compared byte for byte within a process and across two fresh
interpreters.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, fresh_interpreter_runs, sha256
from matplotlib.colors import to_hex

import b12cohort
from b12cohort import ArgumentError, DataQualityWarning
from b12cohort.dictionary.derived import grade_anemia
from b12cohort.figures import (
    plot_b12_vs_hb,
    plot_course,
    plot_flow,
    plot_hb_by_score,
    plot_prevalence,
    plot_sign_by_grade,
    save_figure,
)
from b12cohort.figures._style import OKABE_ITO, PALETTE
from b12cohort.figures.anemia import sign_grade_counts
from b12cohort.figures.prevalence import published_percentages
from b12cohort.stats.correlation import correlation
from b12cohort.stats.survival import treatment_course

SIGNS = ["hypotonia", "adynamia", "developmental_delay", "hyporeflexia"]


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return b12cohort.load_example()


@pytest.fixture(scope="module")
def rho(example):
    """The correlation the figure must annotate (computed once: a Monte Carlo p-value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return correlation(example, x="neuro_score", y="hb_g_l", method="spearman")


@pytest.fixture(autouse=True)
def _quiet():
    # Monte Carlo p-values and out-of-range ages warn; the tests that care catch them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", b12cohort.ApproximationWarning)
        warnings.simplefilter("ignore", b12cohort.SchemeRangeWarning)
        yield


def small_cohort() -> pd.DataFrame:
    """Six infants, required columns only (no optional, no derived columns), some NA."""
    return pd.DataFrame(
        {
            "patient_id": pd.array([f"S{i}" for i in range(1, 7)], dtype="string"),
            "sex": pd.Categorical(["F", "M", "M", "F", "M", "F"], categories=["F", "M"]),
            "age_months": [5.0, 12.0, 20.0, 8.0, 10.0, 7.0],
            "hb_g_l": [95.0, 68.0, 88.0, 115.0, np.nan, 80.0],
            "b12_pg_ml": [50.0, 40.0, 60.0, 75.0, 70.0, np.nan],
            "hypotonia": pd.array([True, True, False, True, True, None], dtype="boolean"),
            "adynamia": pd.array([False, True, True, None, False, True], dtype="boolean"),
            "developmental_delay": pd.array(
                [True, False, False, True, True, False], dtype="boolean"
            ),
            "hyporeflexia": pd.array([False, True, None, False, True, False], dtype="boolean"),
            "involuntary_movements_on_treatment": pd.array(
                [False, True, False, False, True, False], dtype="boolean"
            ),
        }
    )


def by_gid(ax, gid):
    artists = [*ax.lines, *ax.collections, *ax.texts, *ax.patches]
    return [a for a in artists if a.get_gid() == gid]


def one(ax, gid):
    found = by_gid(ax, gid)
    assert len(found) == 1, f"{gid}: {len(found)} artists"
    return found[0]


# --------------------------------------------------------------------------- prevalence
@pytest.mark.parametrize("cohort", ["example", "small"])
def test_prevalence_dots_and_intervals_come_from_prevalence(cohort, example):
    data = example if cohort == "example" else small_cohort()
    variables = [*SIGNS, "involuntary_movements_on_treatment"]
    expected = b12cohort.prevalence(data, variables=variables)
    ax = plot_prevalence(data, variables=variables)
    for row in expected.itertuples(index=False):
        ci = one(ax, f"ci:{row.variable}")
        np.testing.assert_allclose(ci.get_xdata(), [row.ci_low, row.ci_high], rtol=0, atol=0)
        dot = one(ax, f"estimate:{row.variable}")
        assert dot.get_xdata()[0] == row.proportion
        assert dot.get_ydata()[0] == ci.get_ydata()[0]
        assert one(ax, f"count:{row.variable}").get_text() == f"{row.events}/{row.n}"
        assert to_hex(dot.get_color()) == OKABE_ITO["blue"].lower()


def test_prevalence_default_rows_and_published_overlay(example):
    ax = plot_prevalence(example)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Muscular hypotonia"
    assert len(labels) == 7  # six signs + involuntary movements
    # the abstract: hypotonia 100%, adynamia 63%, developmental delay 63%, hyporeflexia
    # 42%, involuntary movements 32%
    abstract = {
        "hypotonia": 1.00,
        "adynamia": 0.63,
        "developmental_delay": 0.63,
        "hyporeflexia": 0.42,
        "involuntary_movements_on_treatment": 0.32,
    }
    for variable, share in abstract.items():
        marker = one(ax, f"published:{variable}")
        assert marker.get_xdata()[0] == pytest.approx(share, abs=1e-12)
        assert marker.get_ydata()[0] == one(ax, f"estimate:{variable}").get_ydata()[0]
    assert not by_gid(ax, "published:seizures")  # not published
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("published" in t for t in legend)
    table = published_percentages()
    assert table["count"].tolist() == [19, 12, 12, 8, 6]
    assert (table["total"] == 19).all()


def test_prevalence_precomputed_table_other_published_and_none(example):
    table = b12cohort.prevalence(example, variables=SIGNS, ci_method="wilson", confidence=0.9)
    ax = plot_prevalence(table, published={"adynamia": 0.5})
    np.testing.assert_array_equal(
        one(ax, "ci:adynamia").get_xdata(), table.loc[1, ["ci_low", "ci_high"]].to_numpy(float)
    )
    assert one(ax, "published:adynamia").get_xdata()[0] == 0.5
    assert not by_gid(ax, "published:hypotonia")
    assert ax.get_xlabel() == "Prevalence with Wilson 90% CI"
    bare = plot_prevalence(example, variables=["adynamia"], published=False)
    assert not by_gid(bare, "published:adynamia")
    assert bare.get_legend().get_texts()[0].get_text() == "this cohort, 95% CI"


def test_prevalence_unrecorded_sign_is_labelled_not_drawn():
    data = small_cohort().assign(seizures=pd.array([None] * 6, dtype="boolean"))
    with pytest.warns(DataQualityWarning, match="seizures"):
        ax = plot_prevalence(data, variables=["adynamia", "seizures"])
    assert not by_gid(ax, "ci:seizures")
    assert one(ax, "count:seizures").get_text() == "0/0"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"variables": ["tremor"]}, "tremor"),
        ({"published": 3}, "published"),
        ({"confidence": 95}, "confidence"),
    ],
)
def test_prevalence_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        plot_prevalence(small_cohort(), **kwargs)


# --------------------------------------------------------------------------- Hb by score
def test_hb_by_score_annotates_the_correlation(example, rho):
    ax = plot_hb_by_score(example)  # computes the correlation itself
    text = one(ax, "correlation").get_text()
    minus = "−"  # true minus sign in the annotation
    assert f"ρ = {rho.estimate:.2f}".replace("-", minus) in text
    ci = f"{rho.ci_low:.2f} to {rho.ci_high:.2f}".replace("-", minus)
    assert ci in text
    assert f"n = {rho.n}" in text
    assert f"p = {rho.p_value:.3f}" in text


@pytest.mark.parametrize("kind", ["strip", "box"])
def test_hb_by_score_points_and_deterministic_jitter(example, rho, kind):
    ax = plot_hb_by_score(example, kind=kind, jitter=0.2, random_state=7, result=rho)
    points = one(ax, "infants").get_offsets()
    np.testing.assert_array_equal(points[:, 1], example["hb_g_l"].to_numpy())
    score = example["neuro_score"].to_numpy(float)
    assert np.all(np.abs(points[:, 0] - score) <= 0.2)
    assert np.any(points[:, 0] != score)
    again = one(
        plot_hb_by_score(example, kind=kind, jitter=0.2, random_state=7, result=rho), "infants"
    )
    np.testing.assert_array_equal(again.get_offsets(), points)
    other = one(plot_hb_by_score(example, jitter=0.2, random_state=8, result=rho), "infants")
    assert not np.array_equal(other.get_offsets(), points)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    counts = example["neuro_score"].value_counts()
    assert ticks[0] == f"{score.min():.0f}\n(n = {counts[score.min()]})"
    if kind == "box":
        assert len(ax.lines) > 0


def test_hb_by_score_computes_the_score_when_absent():
    data = small_cohort()
    ax = plot_hb_by_score(data, jitter=0)
    score = b12cohort.neuro_score(data)
    keep = data["hb_g_l"].notna().to_numpy()
    points = one(ax, "infants").get_offsets()
    np.testing.assert_array_equal(points[:, 0], score[keep].to_numpy(float))
    np.testing.assert_array_equal(points[:, 1], data["hb_g_l"][keep].to_numpy())
    expected = correlation(data.assign(neuro_score=score), x="neuro_score", y="hb_g_l")
    assert f"n = {expected.n}" in one(ax, "correlation").get_text()
    assert "neuro_score" not in data.columns  # caller's frame untouched


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"kind": "violin"}, "kind"), ({"jitter": -1}, "jitter")]
)
def test_hb_by_score_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        plot_hb_by_score(small_cohort(), **kwargs)


# --------------------------------------------------------------------------- sign by grade
def _crosstab_cells(grade: pd.Series, data: pd.DataFrame, signs) -> dict[tuple[str, str], str]:
    """Independent count: pd.crosstab of grade x sign (missing sign values left out)."""
    cells = {}
    for sign in signs:
        table = pd.crosstab(grade.astype(object), data[sign].astype(object), dropna=True)
        for level in grade.dropna().unique():  # every grade with an infant, even 0/0
            row = table.loc[level] if level in table.index else pd.Series(dtype=int)
            cells[(sign, str(level))] = f"{int(row.get(True, 0))}/{int(row.sum())}"
    return cells


def _cells(ax) -> dict[tuple[str, str], str]:
    out = {}
    for t in ax.texts:
        gid = t.get_gid() or ""
        if gid.startswith("cell:"):
            _, sign, level = gid.split(":")
            out[(sign, level)] = t.get_text()
    return out


def test_sign_by_grade_cells_equal_the_crosstab_and_empty_grade_is_dropped(example):
    with pytest.warns(DataQualityWarning, match="none"):
        ax = plot_sign_by_grade(example)
    signs = list(b12cohort.dictionary.schema.NEURO_SIGNS)
    cells = _cells(ax)
    assert cells == _crosstab_cells(example["anemia_grade"], example, signs)
    assert {level for _, level in cells} == {"mild", "moderate", "severe"}
    assert "none" in one(ax, "note").get_text()
    image = ax.images[0].get_array()
    k = np.array(
        [[int(cells[(s, g)].split("/")[0]) for g in ("mild", "moderate", "severe")] for s in signs]
    )
    n = np.array(
        [[int(cells[(s, g)].split("/")[1]) for g in ("mild", "moderate", "severe")] for s in signs]
    )
    np.testing.assert_allclose(np.ma.filled(image, np.nan), k / n)
    assert ax.get_xticklabels()[0].get_text() == "mild\n(n = 4)"
    assert "who-2011" in ax.get_xlabel()


def test_sign_by_grade_regrades_with_scheme(example):
    with pytest.warns(DataQualityWarning, match="none"):
        ax = plot_sign_by_grade(example, scheme="ru-clinical", signs=SIGNS, colorbar=False)
    grade = grade_anemia(example["hb_g_l"], scheme="ru-clinical", age_months=example["age_months"])
    assert _cells(ax) == _crosstab_cells(grade, example, SIGNS)
    assert "ru-clinical" in ax.get_xlabel()
    assert len(ax.figure.axes) == 1  # no colour bar


def test_sign_by_grade_small_cohort_grades_from_hb_and_counts_recorded_only():
    data = small_cohort()
    with pytest.warns(DataQualityWarning, match="mild"):
        ax = plot_sign_by_grade(data)
    grade = grade_anemia(data["hb_g_l"], scheme="who-2011", age_months=data["age_months"])
    cells = _cells(ax)
    assert cells == _crosstab_cells(grade, data, SIGNS)
    assert cells[("adynamia", "none")] == "0/0"  # the one infant graded "none" lacks it
    note = one(ax, "note").get_text()
    assert "dropped: mild" in note and "1 infant(s) without a grade" in note
    counts = sign_grade_counts(data, signs=["adynamia"])
    assert counts.set_index("grade").loc["severe", ["k", "n", "n_grade"]].tolist() == [1, 1, 1]


def test_sign_by_grade_without_any_grade_is_an_error():
    data = small_cohort().assign(hb_g_l=np.nan)
    with pytest.raises(ArgumentError, match="no infant has an anaemia grade"):
        plot_sign_by_grade(data)


# --------------------------------------------------------------------------- B12 vs Hb
@pytest.mark.parametrize(
    ("scheme", "cutoffs"),
    # frame contract: who-2011 mild < 110, moderate < 100, severe < 70 g/L;
    # ru-clinical mild < 110, moderate < 90, severe < 70 g/L
    [
        (None, (110.0, 100.0, 70.0)),
        ("who-2011", (110.0, 100.0, 70.0)),
        ("ru-clinical", (110.0, 90.0, 70.0)),
    ],
)
def test_b12_vs_hb_points_threshold_and_cutoffs(example, scheme, cutoffs):
    ax = plot_b12_vs_hb(example, scheme=scheme)
    points = one(ax, "infants").get_offsets()
    np.testing.assert_array_equal(points, example[["hb_g_l", "b12_pg_ml"]].to_numpy())
    assert list(one(ax, "threshold").get_ydata()) == [83.0, 83.0]
    names = ("anemia_below", "moderate_below", "severe_below")
    for name, value in zip(names, cutoffs, strict=True):
        assert list(one(ax, f"cutoff:{name}").get_xdata()) == [value, value]
    assert ax.get_ylim()[1] > 83.0


def test_b12_vs_hb_small_cohort_drops_incomplete_pairs():
    data = small_cohort()
    ax = plot_b12_vs_hb(data, threshold=None)
    keep = data[["hb_g_l", "b12_pg_ml"]].notna().all(axis=1)
    np.testing.assert_array_equal(
        one(ax, "infants").get_offsets(), data.loc[keep, ["hb_g_l", "b12_pg_ml"]].to_numpy()
    )
    assert not by_gid(ax, "threshold")
    assert "n = 4" in ax.get_legend().get_texts()[0].get_text()


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"scheme": "who"}, "scheme"), ({"threshold": "83"}, "threshold")]
)
def test_b12_vs_hb_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        plot_b12_vs_hb(small_cohort(), **kwargs)


# --------------------------------------------------------------------------- flow
def test_flow_of_the_example(example):
    ax = plot_flow(example)
    assert one(ax, "box:assessed").get_text() == "Assessed for eligibility\nn = 19"
    assert one(ax, "box:excluded").get_text() == "Excluded\nn = 0"
    assert one(ax, "box:analysed").get_text() == "Analysed\nn = 19"
    assert not by_gid(ax, "box:invalid")


def test_flow_boxes_carry_participant_flow_counts():
    raw = small_cohort().astype({"sex": object, "patient_id": object})
    raw.loc[2, "age_months"] = 30.0  # ineligible: too old
    raw.loc[3, "b12_pg_ml"] = 150.0  # ineligible: B12 not below 83
    raw.loc[5, "b12_pg_ml"] = 45.0
    raw.loc[0, "sex"] = "X"  # invalid record
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        cohort = b12cohort.load_cohort(raw, invalid_rows="exclude")
    flow = b12cohort.participant_flow(cohort)
    ax = plot_flow(cohort)
    total = flow.groupby("stage")["n"].sum()
    for stage in ("assessed", "invalid", "excluded", "analysed"):
        assert f"n = {total[stage]}" in one(ax, f"box:{stage}").get_text()
    excluded = one(ax, "box:excluded").get_text()
    for row in flow[flow["stage"] == "excluded"].itertuples():
        assert f"• {row.reason}: {row.n}" in excluded
    assert total["invalid"] > 0 and total["excluded"] == 2


def test_flow_from_a_table_and_errors():
    table = pd.DataFrame(
        {
            "stage": ["assessed", "excluded", "analysed"],
            "reason": ["", "age above 24 months", ""],
            "n": [25, 6, 19],
        }
    )
    ax = plot_flow(table)
    assert "• age above 24 months: 6" in one(ax, "box:excluded").get_text()
    with pytest.raises(ArgumentError, match="load_cohort"):
        plot_flow(small_cohort())  # no loader metadata
    with pytest.raises(ArgumentError, match="stage"):
        plot_flow(table.assign(stage=["assessed", "dropped", "analysed"]))


# --------------------------------------------------------------------------- course
def course_cohort() -> pd.DataFrame:
    """Four infants with movements (two resolved, one censored, one without follow-up)."""
    data = small_cohort().drop(columns="involuntary_movements_on_treatment")
    return data.assign(
        involuntary_movements_on_treatment=pd.array(
            [True, True, True, True, False, False], dtype="boolean"
        ),
        im_onset_day=pd.array([3, 4, 5, 2, None, None], dtype="Int64"),
        im_resolution_day=pd.array([20, None, 31, None, None, None], dtype="Int64"),
        im_followup_day=pd.array([None, 26, None, None, None, None], dtype="Int64"),
    )


def _bar(ax, pid):
    (bar,) = [p for p in ax.patches if p.get_gid() == f"course:{pid}"]
    return bar.get_x(), bar.get_x() + bar.get_width()


def test_course_timeline_and_curve_come_from_treatment_course(example):
    timeline, curve = plot_course(example)
    result = treatment_course(example)
    for row in result.infants.itertuples():
        assert _bar(timeline, row.patient_id) == (row.onset_day, row.end_day)
        assert one(timeline, f"resolved:{row.patient_id}").get_xdata()[0] == row.end_day
    assert not any((p.get_gid() or "").startswith("censored:") for p in timeline.lines)
    km = one(curve, "km")
    np.testing.assert_array_equal(km.get_xdata(), result.km_curve["time"].to_numpy(float))
    np.testing.assert_array_equal(km.get_ydata(), result.km_curve["survival"].to_numpy(float))
    band = np.concatenate([p.vertices for p in one(curve, "km_band").get_paths()])
    finite = result.km_curve[["ci_low", "ci_high"]].to_numpy(float)
    for value in finite[np.isfinite(finite)]:
        assert np.any(np.isclose(band[:, 1], value, rtol=0, atol=1e-12))
    title = curve.get_title(loc="left")
    assert f"Median {result.median:g} days" in title
    assert f"{result.events} of {result.n_km} resolved" in title
    assert result.n_censored == 0 and "censored" not in title and "not yet" not in title
    legend = [t.get_text() for t in timeline.get_legend().get_texts()]
    assert not any("censored" in t for t in legend)  # nothing censored is drawn


def test_course_censoring_and_missing_follow_up():
    data = course_cohort()
    with pytest.warns(DataQualityWarning, match="im_followup_day"):
        timeline, curve = plot_course(data, ci_method="log-log")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        result = treatment_course(data, ci_method="log-log")
    assert _bar(timeline, "S1") == (3.0, 20.0)
    assert _bar(timeline, "S2") == (4.0, 26.0)
    assert one(timeline, "censored:S2").get_xdata()[0] == 26.0
    assert not by_gid(timeline, "course:S4")  # unresolved, no follow-up: no end day
    assert "no follow-up" in one(timeline, "note:S4").get_text()
    censor = one(curve, "km_censored")
    table = result.km_table.set_index("time")
    assert censor.get_xdata()[0] == 26.0
    assert censor.get_ydata()[0] == table.loc[26.0, "survival"]
    assert "(log-log transform)" in curve.get_legend().get_texts()[1].get_text()
    legend = [t.get_text() for t in timeline.get_legend().get_texts()]
    assert "not resolved (censored)" in legend
    assert f"{result.n_censored} not yet resolved" in curve.get_title(loc="left")


def test_course_without_optional_columns_says_there_is_no_estimate():
    with pytest.warns(DataQualityWarning):
        timeline, curve = plot_course(small_cohort())
    assert "No Kaplan-Meier estimate" in one(curve, "km_note").get_text()
    assert len(timeline.get_yticklabels()) == 2  # S2 and S5 had movements


def test_course_on_given_axes_and_from_a_result(example):
    before = {k: v for k, v in mpl.rcParams.items() if k != "backend"}
    _, axes = plt.subplots(1, 2)
    result = treatment_course(example, origin="onset")
    out = plot_course(result, axes=axes)
    assert list(out) == list(axes)
    assert not axes[1].spines["top"].get_visible()
    assert {k: v for k, v in mpl.rcParams.items() if k != "backend"} == before
    assert "onset of the movements" in axes[1].get_xlabel()
    with pytest.raises(ArgumentError, match="two matplotlib Axes"):
        plot_course(example, axes=axes[:1])


# --------------------------------------------------------------------------- common behaviour
DRAWERS = {
    "prevalence": lambda d, **kw: plot_prevalence(d, **kw),
    "hb_by_score": lambda d, **kw: plot_hb_by_score(d, **kw),
    "sign_by_grade": lambda d, **kw: plot_sign_by_grade(d, **kw),
    "b12_vs_hb": lambda d, **kw: plot_b12_vs_hb(d, **kw),
    "flow": lambda d, **kw: plot_flow(d, **kw),
    "course": lambda d, **kw: plot_course(d, **kw)[0],  # two panels: see the course tests
}


@pytest.mark.parametrize("name", sorted(set(DRAWERS) - {"course"}))
def test_draws_on_the_given_axes_with_house_style_and_leaves_rcparams(name, example):
    before = {k: v for k, v in mpl.rcParams.items() if k != "backend"}
    _, (left, right) = plt.subplots(1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        ax = DRAWERS[name](example, ax=right)
    assert ax is right
    assert not left.has_data() and not left.texts
    if name == "flow":
        assert not ax.axison  # a diagram: no axes drawn
    else:
        assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert {k: v for k, v in mpl.rcParams.items() if k != "backend"} == before


@pytest.mark.parametrize("name", sorted(DRAWERS))
@pytest.mark.slow
def test_save_is_byte_identical_within_a_process(name, example, tmp_path):
    digests = []
    for run in ("a", "b"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            ax = DRAWERS[name](example)
        files = save_figure(ax.figure, tmp_path / f"{run}_{name}", dpi=40)
        plt.close(ax.figure)
        assert [f.suffix for f in files] == [".png", ".svg", ".pdf"]
        digests.append([sha256(f) for f in files])
    assert digests[0] == digests[1]


_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys, warnings
    import matplotlib
    matplotlib.use("Agg")
    import b12cohort
    from b12cohort import figures
    warnings.simplefilter("ignore")
    data = b12cohort.load_example()
    out = {}
    for name in ("plot_prevalence", "plot_hb_by_score", "plot_sign_by_grade",
                 "plot_b12_vs_hb", "plot_flow", "plot_course"):
        ax = getattr(figures, name)(data)
        ax = ax[0] if name == "plot_course" else ax
        for path in figures.save_figure(ax.figure, f"{sys.argv[1]}/{name}", dpi=40):
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_save_is_byte_identical_across_fresh_interpreters(tmp_path):
    outputs = fresh_interpreter_runs(_SCRIPT, tmp_path, timeout=120)
    assert len(outputs[0]) == 18
    assert outputs[0] == outputs[1]


def test_importing_figures_does_not_import_matplotlib():
    code = "import sys, b12cohort.figures as f; f.__all__; print('matplotlib' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- save_figure
@pytest.mark.slow
def test_save_figure_formats_and_targets(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    assert save_figure(ax, tmp_path / "one.svg") == [tmp_path / "one.svg"]
    assert save_figure(fig, tmp_path / "two", formats="pdf") == [tmp_path / "two.pdf"]
    assert save_figure(np.array([ax]), tmp_path / "fig.v2", formats=["png"]) == [
        tmp_path / "fig.v2.png"
    ]
    svg = (tmp_path / "one.svg").read_text()
    assert "<dc:date>" not in svg and "b12cohort" in svg
    pdf = (tmp_path / "two.pdf").read_bytes()
    assert b"CreationDate" not in pdf and b"(b12cohort)" in pdf
    assert (tmp_path / "fig.v2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ArgumentError, match="formats"):
        save_figure(fig, tmp_path / "x", formats=["jpg"])
    with pytest.raises(ArgumentError, match="Figure or Axes"):
        save_figure("figure", tmp_path / "x")


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008), the eight colours of the Color Universal Design palette
    assert set(PALETTE) == {
        "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    }  # fmt: skip


# --------------------------------------------------------------------------- fit for print
@pytest.mark.slow
def test_svg_keeps_text_as_text_and_the_alt_text_in_its_metadata(example, tmp_path):
    ax = plot_prevalence(example)
    svg, pdf = save_figure(ax, tmp_path / "prev", formats=["svg", "pdf"])
    text = svg.read_text("utf-8")
    assert "<text" in text and "19/19" in text  # text, not glyph paths
    assert "<dc:description>Dot-and-interval plot" in text
    assert "Dot-and-interval plot".encode("utf-16-be") in pdf.read_bytes()  # PDF Subject
    plt.close("all")


def test_report_figures_are_300_dpi_png_with_pdf_beside_svg(example, tmp_path):
    from PIL import Image

    from b12cohort import report as rpt

    saved = rpt.save_figure(plot_b12_vs_hb(example), "b12_vs_hb", tmp_path)
    assert sorted(p.suffix for p in saved.paths) == [".pdf", ".png", ".svg"]
    png = next(p for p in saved.paths if p.suffix == ".png")
    assert Image.open(png).info["dpi"] == pytest.approx((300, 300), abs=0.1)
    alt = (tmp_path / "_site" / "alt" / "b12_vs_hb.txt").read_text("utf-8")
    assert "19 infants" in alt and "110, 100, 70 g/L" in alt


@pytest.mark.filterwarnings("ignore::b12cohort.DataQualityWarning")
def test_alt_texts_carry_the_data_not_the_caption(example):
    from b12cohort.figures import alt_text

    prevalence = alt_text(plot_prevalence(example))
    assert "Muscular hypotonia 19/19 = 100%" in prevalence and "published" in prevalence
    grid = alt_text(plot_sign_by_grade(example))
    for cell in _cells(plot_sign_by_grade(example)).values():
        assert cell in grid
    hb = alt_text(plot_hb_by_score(example))
    assert f"for {len(example)} infants" in hb and "Spearman ρ" in hb
    timeline, _ = plot_course(example)
    course = alt_text(timeline)
    assert "K07: onset day" in course and "resolved day" in course
    assert alt_text(plot_flow(example)).startswith("Participant flow: 19 rows assessed")
    plt.close("all")


def test_b12_vs_hb_legend_names_every_line_drawn(example):
    ax = plot_b12_vs_hb(example)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    drawn = [
        line for line in ax.lines if (line.get_gid() or "").startswith(("cutoff", "threshold"))
    ]
    assert len(drawn) == 4
    for line in drawn:
        assert line.get_label() in legend
    styles = {
        one(ax, f"cutoff:{c}").get_linestyle()
        for c in ("anemia_below", "moderate_below", "severe_below")
    }
    assert len(styles) == 3  # three distinguishable cut-off styles
    for t in ax.texts:  # grade names inside the axes
        assert t.get_position()[1] < 1.0


@pytest.mark.filterwarnings("ignore::b12cohort.DataQualityWarning")
def test_sign_by_grade_shows_n_and_keeps_text_contrast(example):
    from matplotlib.colors import to_rgba

    from b12cohort.figures._style import MIN_CONTRAST, contrast_ratio
    from b12cohort.figures.sign_grade import SMALL_CELL

    ax = plot_sign_by_grade(example)
    counts = sign_grade_counts(example)
    small = {
        f"small:{r.sign}:{r.grade}" for r in counts.itertuples() if r.n_grade and r.n < SMALL_CELL
    }
    hatched = {p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("small:")}
    assert hatched == small and small  # 2/2 is marked as few infants; 13/13 is not
    assert "Hatched" in one(ax, "note").get_text()
    for t in ax.texts:
        if (t.get_gid() or "").startswith("cell:"):
            background = t.get_bbox_patch().get_facecolor()
            assert contrast_ratio(to_rgba(t.get_color()), background) >= MIN_CONTRAST
    plt.close("all")


def test_prevalence_counts_sit_inside_the_axes_and_the_axis_label_is_human(example):
    ax = plot_prevalence(example)
    low, high = ax.get_xlim()
    for t in ax.texts:
        assert low <= t.get_position()[0] <= high
    assert ax.get_xlabel() == "Prevalence with Clopper–Pearson 95% CI"
    plt.close("all")


def test_prevalence_text_stays_readable_on_a_phone(example, tmp_path):
    """Issue 13: at 390 px the landing page shows the SVG 364 CSS px wide (390 minus the
    body padding of 12 px a side at that width, minus the 1 px image border a side); every
    text of the figure must render at >= 9 px there (it was about 4 px at 6 in with 8 pt)."""
    import re

    ax = plot_prevalence(example)
    (svg,) = save_figure(ax.figure, tmp_path / "prevalence", formats="svg")
    text = svg.read_text(encoding="utf-8")
    width_pt = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', text).group(1))
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:[^;\"]*?([\d.]+)px", text)]
    assert sizes, "no text found in the SVG"
    on_screen = min(sizes) * 364 / width_pt  # user units = pt; the viewBox scales to 364 px
    assert on_screen >= 9.0, (min(sizes), width_pt, on_screen)
    long_labels = [t.get_text() for t in ax.get_yticklabels() if len(t.get_text()) > 18]
    assert all("\n" in label for label in long_labels)  # long sign names wrap
    plt.close("all")
