"""Censored laboratory values (<50, >2000) in Table 1, rank tests and correlations (issue 12 item 6)."""

import numpy as np
import pytest

from b12cohort import load_cohort
from b12cohort.core.errors import ArgumentError
from b12cohort.stats.correlation import correlation
from b12cohort.stats.rank_tests import compare_groups
from b12cohort.stats.table_one import table_one

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")

HEADER = (
    "patient_id,sex,age_months,hb_g_l,b12_pg_ml,hypotonia,adynamia,developmental_delay,"
    "hyporeflexia,involuntary_movements_on_treatment\n"
)


def _cohort(tmp_path, b12, hb=None):
    hb = hb or [60 + 3 * i for i in range(len(b12))]
    lines = [
        f"K{i:02d},{'MF'[i % 2]},{4 + i % 8},{h},{b},{'yes' if i % 3 else 'no'},yes,no,no,no"
        for i, (b, h) in enumerate(zip(b12, hb, strict=True))
    ]
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return load_cohort(path)


def _median_cell(t, group="Overall"):
    s = t.summary
    return s.loc[(s["variable"] == "b12_pg_ml") & (s["level"] == "median [IQR]"), group].iloc[0]


def test_table_one_shows_a_quartile_reached_by_censoring_as_the_limit(tmp_path):
    cohort = _cohort(tmp_path, ["<50", "<50", "<50", 55, 60, 62, 70, 75])
    t = table_one(cohort, variables=["b12_pg_ml"])
    # type 7 on 8 values: Q1 between the 2nd and 3rd (both <50), median between the
    # 4th and 5th (55, 60: exact), Q3 between the 6th and 7th (62, 70: exact)
    assert _median_cell(t) == "57.5 [<50.0, 64.0]"
    overall = t.statistics[t.statistics["group"] == "Overall"].iloc[0]
    assert np.isnan(overall["q1"]) and overall["median"] == 57.5
    assert any("3 left-censored" in n for n in t.notes)


def test_a_median_between_a_censored_and_an_exact_value_is_below_the_exact_one(tmp_path):
    cohort = _cohort(tmp_path, ["<50", "<50", "<50", "<50", 60, 62, 70, 75])
    assert _median_cell(table_one(cohort, variables=["b12_pg_ml"])).startswith("<60.0 [<50.0")


def test_an_exact_value_below_a_left_limit_is_not_a_determined_quartile(tmp_path):
    cohort = _cohort(tmp_path, ["<100", 40, 45, 120, 130, 140, 150, 160])
    # Q1 interpolates the 2nd and 3rd values, whose ranks against <100 are unknown
    assert _median_cell(table_one(cohort, variables=["b12_pg_ml"])).split(" [")[1].startswith("<")


def test_without_censoring_table_one_is_unchanged(tmp_path):
    cohort = _cohort(tmp_path, [40, 45, 50, 55, 60, 62, 70, 75])
    assert "b12_pg_ml_censored" not in cohort.columns
    t = table_one(cohort, variables=["b12_pg_ml"])
    assert "<" not in _median_cell(t)
    assert not any("censored" in n for n in t.notes)


def test_rank_tests_tie_left_censored_values_at_the_bottom(tmp_path):
    cohort = _cohort(tmp_path, ["<50", "<40", 55, 60, 62, 70, 75, 80, "<50", 90])
    tied = cohort.assign(b12_pg_ml=[30, 30, 55, 60, 62, 70, 75, 80, 30, 90]).drop(
        columns="b12_pg_ml_censored"
    )
    res = compare_groups(cohort, value="b12_pg_ml", by="sex")
    ref = compare_groups(tied, value="b12_pg_ml", by="sex")
    assert res.statistic == ref.statistic and res.p_value == ref.p_value
    assert "3 left-censored value(s) of 'b12_pg_ml' ranked as tied at the bottom" in res.note
    r = correlation(cohort, x="b12_pg_ml", y="hb_g_l")
    r_ref = correlation(tied, x="b12_pg_ml", y="hb_g_l")
    assert r.estimate == r_ref.estimate and "tied at the bottom" in r.note
    t = table_one(cohort, variables=["b12_pg_ml"], by="sex")
    assert "tied at the bottom" in t.tests["note"].iloc[0]


def test_an_undetermined_order_is_refused_or_not_tested(tmp_path):
    cohort = _cohort(tmp_path, ["<100", 40, 45, 120, 130, 140, 150, 160])
    with pytest.raises(ArgumentError, match=r"left limit \(<100\) is above the smallest exact"):
        compare_groups(cohort, value="b12_pg_ml", by="sex")
    with pytest.raises(ArgumentError, match="ranks are undetermined"):
        correlation(cohort, x="hb_g_l", y="b12_pg_ml")
    t = table_one(cohort, variables=["b12_pg_ml"], by="sex")
    assert t.tests["test"].iloc[0] == "none"
    assert "not tested" in t.tests["note"].iloc[0] and "<100" in t.tests["note"].iloc[0]


def _legend(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_figures_draw_censored_points_at_the_limit_with_their_own_marker(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from b12cohort.figures.anemia import plot_b12_vs_hb, plot_hb_by_score

    cohort = _cohort(tmp_path, ["<50", "<40", 55, 60, 62, 70, 75, 80, "<50", 90])
    ax = plot_b12_vs_hb(cohort)
    (left,) = [c for c in ax.collections if c.get_gid() == "censored:left"]
    assert sorted(left.get_offsets()[:, 1].tolist()) == [40.0, 50.0, 50.0]
    (infants,) = [c for c in ax.collections if c.get_gid() == "infants"]
    assert len(infants.get_offsets()) == 7
    assert "below the assay's limit (<40, <50)" in _legend(ax)
    plt.close("all")
    exact = _cohort(tmp_path, [45, 40, 55, 60, 62, 70, 75, 80, 50, 90])
    ax = plot_b12_vs_hb(exact)
    assert not any("assay" in t for t in _legend(ax))
    assert not [c for c in ax.collections if str(c.get_gid()).startswith("censored")]
    hb = [f"<{60}" if i == 0 else 62 + i for i in range(10)]
    ax = plot_hb_by_score(_cohort(tmp_path, [40] * 10, hb=hb))
    assert "below the assay's limit (<60)" in _legend(ax)
    ax = plot_hb_by_score(exact)
    assert _legend(ax) == []
    plt.close("all")


@pytest.mark.parametrize(
    ("b12", "expected"),
    [
        (["<50", "<50", "<50", 55, 60, 62, 70, 75], "<50.0, 75.0"),
        (["<83", "<40", 52, 67, 75, 80], "<40.0, <83.0"),
        (["<60", 55, 70, 80, ">2000", 90], "<=55.0, >2000.0"),
    ],
)
def test_table_one_min_and_max_say_what_the_censoring_allows(tmp_path, b12, expected):
    s = table_one(_cohort(tmp_path, b12), variables=["b12_pg_ml"]).summary
    row = s.loc[(s["level"] == "min, max"), "Overall"].iloc[0]
    assert row == expected
