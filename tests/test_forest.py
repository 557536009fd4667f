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
    assert f"k = 5, I² = {pooled.i2:.0%}" in labels[-1]


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
