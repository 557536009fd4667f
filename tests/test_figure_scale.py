"""Figures at scale (b12cohort.figures._scale): per infant for small cohorts, aggregates above.

Each figure switches at its documented threshold (PER_INFANT_MAX rows, POINTS_MAX points),
draws the same numbers as the analysis (onset counts, box medians, cell counts), and its
caption and alt text say which view was drawn and why. The example cohort (n = 19) is drawn
per infant and carries no caption of its own. The report's tables that list infants show
LISTED_ROWS_MAX rows and point to the complete CSV.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import b12cohort
from b12cohort import ArgumentError
from b12cohort.cohort.simulate import simulate_cohort
from b12cohort.figures import alt_text, plot_b12_vs_hb, plot_course, plot_hb_by_score
from b12cohort.figures._scale import PER_INFANT_MAX, POINTS_MAX, caption_of
from b12cohort.report import save_figure, save_table
from b12cohort.report._io import LISTED_ROWS_MAX
from b12cohort.stats.survival import treatment_course


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", b12cohort.B12CohortWarning)
        yield


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    """A simulated cohort past both thresholds (about 30% have movements on treatment)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return simulate_cohort(n=POINTS_MAX + 200, random_state=7)


def _with_movements(large: pd.DataFrame, k: int) -> pd.DataFrame:
    """``k`` infants with movements on treatment and 20 without, from ``large``."""
    moved = large["involuntary_movements_on_treatment"].fillna(False).astype(bool)
    return pd.concat([large[moved].head(k), large[~moved].head(20)])


def _gids(ax) -> set[str]:
    return {a.get_gid() or "" for a in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]}


@pytest.mark.parametrize("k", [PER_INFANT_MAX, PER_INFANT_MAX + 1])
def test_course_is_per_infant_up_to_the_threshold_and_a_histogram_above(large, k):
    data = _with_movements(large, k)
    top, _ = plot_course(data)
    per_infant = k <= PER_INFANT_MAX
    assert any(g.startswith("course:") for g in _gids(top)) is per_infant
    assert ("onset_histogram" in _gids(top)) is not per_infant
    assert (len(top.get_yticklabels()) == k) is per_infant
    caption = caption_of(top)
    if per_infant:
        assert caption == ""
        assert f"per infant ({k} infants)" in alt_text(top)
    else:
        assert f"{k:,} infants with movements" in caption
        assert f"more than the {PER_INFANT_MAX}" in caption
        assert "onset histogram and Kaplan–Meier" in caption
        assert "onset of involuntary movements" in alt_text(top)


def test_the_onset_histogram_counts_the_infants_by_onset_day(large):
    data = _with_movements(large, 200)
    result = treatment_course(data)
    top, curve = plot_course(result)
    bars = [p for p in top.patches if p.get_gid() == "onset_histogram"]
    drawn = {p.get_x() + p.get_width() / 2: p.get_height() for p in bars}
    expected = result.infants["onset_day"].dropna().value_counts()
    assert drawn == {float(d): float(c) for d, c in expected.items()}
    assert sum(drawn.values()) == result.infants["onset_day"].notna().sum()
    text = alt_text(top)
    assert f"median day {np.median(result.infants['onset_day'].dropna()):g}" in text
    assert f"{result.events} of {result.n_km} resolved" in text
    # the Kaplan-Meier panel is the same at every n
    km = next(line for line in curve.lines if line.get_gid() == "km")
    np.testing.assert_array_equal(km.get_xdata(), result.km_curve["time"].to_numpy(float))


def test_the_views_can_be_chosen_and_are_checked(large):
    example = b12cohort.load_example()
    top, _ = plot_course(example, view="aggregate")
    assert "onset_histogram" in _gids(top)
    top, _ = plot_course(_with_movements(large, 100), view="per-infant")
    assert len(top.get_yticklabels()) == 100
    with pytest.raises(ArgumentError, match="`view` must be one of"):
        plot_course(example, view="summary")
    with pytest.raises(ArgumentError, match="`view` must be one of"):
        plot_b12_vs_hb(example, view="hexbin")


def test_the_example_figures_are_per_infant_without_a_caption_of_their_own():
    example = b12cohort.load_example()
    for axes in (plot_course(example), plot_hb_by_score(example), plot_b12_vs_hb(example)):
        assert caption_of(axes) == ""
    assert "infants" in _gids(plot_b12_vs_hb(example))


def test_hb_by_score_draws_boxes_not_points_past_the_threshold(large):
    ax = plot_hb_by_score(large)
    assert "infants" not in _gids(ax)  # no point per infant
    pairs = large[["neuro_score", "hb_g_l"]].dropna()
    medians = pairs.groupby("neuro_score")["hb_g_l"].median()
    drawn = sorted(
        (float(np.mean(line.get_xdata())), float(line.get_ydata()[0]))
        for line in ax.lines
        if len(line.get_xdata()) == 2 and line.get_color() == "#D55E00"  # median lines
    )
    assert drawn == [(float(s), float(m)) for s, m in medians.items()]
    assert f"for {len(pairs):,} infants, more than the {POINTS_MAX:,}" in caption_of(ax)
    assert alt_text(ax).startswith("Box plots (no points)")
    small = plot_hb_by_score(large.head(POINTS_MAX))
    assert "infants" in _gids(small) and caption_of(small) == ""


def test_b12_vs_hb_draws_cell_counts_past_the_threshold(large):
    ax = plot_b12_vs_hb(large)
    (mesh,) = [c for c in ax.collections if c.get_gid() == "density"]
    pairs = large[["hb_g_l", "b12_pg_ml"]].dropna()
    assert np.nansum(mesh.get_array()) == len(pairs)
    assert "infants" not in _gids(ax)
    assert f"for {len(pairs):,} infants, more than the {POINTS_MAX:,}" in caption_of(ax)
    assert alt_text(ax).startswith("Two-dimensional histogram")
    # cells of whole g/L: every cell of one column covers the same Hb values
    widths = np.diff(mesh.get_coordinates()[0, :, 0])
    assert np.all(widths == widths[0]) and widths[0] == round(widths[0])


def test_the_report_saver_writes_the_caption_for_the_landing_page(large, tmp_path):
    saved = save_figure(plot_b12_vs_hb(large), "b12_vs_hb", tmp_path, formats=("svg",))
    caption = (tmp_path / "_site" / "captions" / "b12_vs_hb.txt").read_text("utf-8")
    assert caption.startswith("Serum B12 against haemoglobin: infants per cell")
    assert saved.paths[0].name == "b12_vs_hb.svg"
    save_figure(plot_b12_vs_hb(b12cohort.load_example()), "small", tmp_path, formats=("svg",))
    assert not (tmp_path / "_site" / "captions" / "small.txt").exists()


@pytest.mark.parametrize("rows", [LISTED_ROWS_MAX, LISTED_ROWS_MAX + 1, 3 * LISTED_ROWS_MAX])
def test_a_listing_shows_the_first_rows_and_points_to_the_complete_csv(rows, tmp_path):
    table = pd.DataFrame({"patient_id": [f"P{i:04d}" for i in range(rows)], "day": range(rows)})
    save_table(table, "listing", tmp_path, listing=True)
    folder = tmp_path / "tables"
    assert len(pd.read_csv(folder / "listing.csv")) == rows  # the CSV is complete
    md = (folder / "listing.md").read_text("utf-8")
    html = (folder / "listing.html").read_text("utf-8")
    tex = (folder / "listing.tex").read_text("utf-8")
    shown = min(rows, LISTED_ROWS_MAX)
    assert md.count("| P") == shown and html.count("<td>P") == shown
    assert f"P{shown - 1:04d}" in tex and f"P{shown:04d}" not in tex
    note = f"The first {LISTED_ROWS_MAX} of {rows:,} rows; every row is in listing.csv."
    for text in (md, html, tex):
        assert (note in text) is (rows > LISTED_ROWS_MAX)


def test_a_table_that_is_not_a_listing_is_never_cut(tmp_path):
    table = pd.DataFrame({"item": [f"row {i}" for i in range(3 * LISTED_ROWS_MAX)]})
    save_table(table, "whole", tmp_path)
    assert (tmp_path / "tables" / "whole.md").read_text("utf-8").count("| row ") == len(table)
