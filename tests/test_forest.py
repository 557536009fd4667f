"""Tests for b12cohort.figures.forest: artists drawn from pool_prevalence, deterministic SVG."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Polygon

from b12cohort import ApproximationWarning, ArgumentError
from b12cohort.figures import plot_forest
from b12cohort.figures.forest import OKABE_ITO
from b12cohort.stats.meta import clopper_pearson, pool_prevalence

STUDIES = pd.DataFrame(
    {"study": ["A", "B", "C", "D", "E"], "events": [2, 30, 8, 40, 1], "total": [25, 35, 40, 50, 30]}
)


@pytest.fixture(autouse=True)
def _agg_and_close():
    plt.switch_backend("Agg")
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _quiet_corrections():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        yield


def _by_gid(ax, prefix):
    artists = [*ax.collections, *ax.lines, *ax.patches]
    return [a for a in artists if (a.get_gid() or "").startswith(prefix)]


def test_rows_diamond_and_prediction_interval_come_from_pool_prevalence():
    ax = plot_forest(STUDIES, method="DL")
    pooled = pool_prevalence(STUDIES, method="DL")
    studies = _by_gid(ax, "study:")
    assert sorted(a.get_gid() for a in studies) == [f"study:{s}" for s in STUDIES["study"]]
    (diamond,) = _by_gid(ax, "pooled")
    assert isinstance(diamond, Polygon)
    xs = diamond.get_xy()[:, 0]
    assert xs.min() == pytest.approx(pooled.ci_low)
    assert xs.max() == pytest.approx(pooled.ci_high)
    assert np.median(xs) == pytest.approx(pooled.estimate)
    (pi_line,) = _by_gid(ax, "prediction_interval")
    np.testing.assert_allclose(pi_line.get_xdata(), [pooled.pi_low, pooled.pi_high])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:5] == [f"{s}  {e}/{n}" for s, e, n in STUDIES.itertuples(index=False)]
    assert "DerSimonian–Laird" in labels[-2] and "k = 5" in labels[-2]
    assert f"I² = {pooled.i2:.0%}" in labels[-2]
    assert f"(95% CI {pooled.tau2_ci_low:.2g} to {pooled.tau2_ci_high:.2g})" in labels[-2]
    assert labels[-1].startswith("Prediction interval")


def test_prediction_interval_has_its_own_row_below_the_diamond():
    # issue 13: the PI used to be drawn through the diamond, hidden behind it
    ax = plot_forest(STUDIES)
    (diamond,) = _by_gid(ax, "pooled")
    (pi_line,) = _by_gid(ax, "prediction_interval")
    y_diamond = diamond.get_xy()[:, 1]
    y_pi = pi_line.get_ydata()[0]
    assert y_pi < y_diamond.min()
    assert pi_line.get_marker() == "|"  # end caps show where it stops


def test_one_study_is_drawn_alone_with_its_exact_interval():
    one = STUDIES.iloc[[1]]
    ax = plot_forest(one, highlight=("This cohort", 6, 19))
    assert not _by_gid(ax, "pooled")
    assert not _by_gid(ax, "prediction_interval")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("Pooled" in t or "I²" in t or "τ²" in t for t in labels)
    (line,) = [a for a in ax.lines if a.get_color() == OKABE_ITO["blue"]]
    low, high = clopper_pearson(events=[30], n=[35])
    np.testing.assert_allclose(line.get_xdata(), [low[0], high[0]])


def test_two_studies_are_pooled_without_prediction_interval_or_tau2_reading():
    ax = plot_forest(STUDIES.iloc[:2])
    assert len(_by_gid(ax, "pooled")) == 1
    assert not _by_gid(ax, "prediction_interval")
    label = [t.get_text() for t in ax.get_yticklabels()][-1]
    assert "k = 2" in label and "too few studies" in label
    assert "I²" not in label and "τ²" not in label
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("prediction" in t for t in legend)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({"method": "GLMM"}, "binomial-normal GLMM"), ({"ci_method": "hksj"}, "Hartung–Knapp")],
)
def test_the_pooled_row_names_the_model_that_ran(kwargs, expected):
    ax = plot_forest(STUDIES, **kwargs)
    pooled = pool_prevalence(STUDIES, **kwargs)
    label = [t.get_text() for t in ax.get_yticklabels()][-2]
    assert expected in label
    (pi_line,) = _by_gid(ax, "prediction_interval")
    np.testing.assert_allclose(pi_line.get_xdata(), [pooled.pi_low, pooled.pi_high])


def test_study_markers_sit_at_prevalence_with_exact_intervals():
    ax = plot_forest(STUDIES, pooled=False)
    assert not _by_gid(ax, "pooled")
    assert not _by_gid(ax, "prediction_interval")
    low, high = clopper_pearson(events=STUDIES["events"], n=STUDIES["total"])
    markers = {a.get_gid(): a.get_offsets()[0] for a in _by_gid(ax, "study:")}
    for (name, x, n), lo, hi in zip(STUDIES.itertuples(index=False), low, high, strict=True):
        point = markers[f"study:{name}"]
        assert point[0] == pytest.approx(x / n)
        (segment,) = [line for line in ax.lines if list(line.get_ydata()) == [point[1], point[1]]]
        np.testing.assert_allclose(segment.get_xdata(), [lo, hi])


def test_extra_cohort_is_highlighted_and_not_pooled():
    ax = plot_forest(STUDIES, highlight=("Krasnoyarsk", 6, 19))
    highlights = _by_gid(ax, "highlight")
    assert len(highlights) == 1
    assert to_hex(highlights[0].get_facecolor()[0]) == OKABE_ITO["vermillion"].lower()
    assert highlights[0].get_offsets()[0][0] == pytest.approx(6 / 19)
    assert len(_by_gid(ax, "study:")) == 5  # the cohort is drawn, not pooled
    assert "Krasnoyarsk  6/19" in [t.get_text() for t in ax.get_yticklabels()]
    (diamond,) = _by_gid(ax, "pooled")
    assert diamond.get_xy()[:, 0].min() == pytest.approx(pool_prevalence(STUDIES).ci_low)


@pytest.mark.parametrize("highlight", ["C", {"label": "C2", "events": 8, "total": 40}])
def test_highlight_forms(highlight):
    ax = plot_forest(STUDIES, highlight=highlight)
    assert len(_by_gid(ax, "highlight")) == 1
    n_study = 4 if highlight == "C" else 5
    assert len(_by_gid(ax, "study:")) == n_study


def test_arrays_without_data_and_given_pooled_result():
    pooled = pool_prevalence([7, 18], totals=[21, 27], studies=["X", "Y"], confidence=0.9)
    ax = plot_forest(pooled=pooled, confidence=0.9)
    assert sorted(a.get_gid() for a in _by_gid(ax, "study:")) == ["study:X", "study:Y"]
    ax2 = plot_forest(events=[7, 18], totals=[21, 27], labels=["X", "Y"])
    assert len(_by_gid(ax2, "study:")) == 2


def test_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_forest(STUDIES, ax=ax) is ax
    assert len(fig.axes) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"data": STUDIES, "events": "cases"}, "cases"),
        ({"events": [1, 2], "totals": [3], "labels": ["a", "b"]}, "same length"),
        ({"data": STUDIES, "highlight": "Z"}, "not one of the rows"),
        ({"data": STUDIES, "highlight": ("K", 7, 5)}, "events"),
        ({"data": STUDIES, "highlight": {"label": "K"}}, "key"),
        ({"data": STUDIES, "highlight": 3}, "highlight"),
        ({"pooled": pool_prevalence([1, 2], totals=[3, 4]), "confidence": 0.9}, "confidence"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        plot_forest(**kwargs)


def _svg() -> bytes:
    ax = plot_forest(STUDIES, highlight=("Krasnoyarsk", 6, 19), title="Involuntary movements")
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(ax.figure)
    return buffer.getvalue()


def test_svg_is_byte_identical_across_runs():
    with plt.rc_context({"svg.hashsalt": "b12cohort-forest", "svg.fonttype": "path"}):
        first, second = _svg(), _svg()
    assert first == second
    assert b"<svg" in first
