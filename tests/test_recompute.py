"""Tests for b12cohort.paper.recompute.recompute_published.

p-values pinned to R 4.2 (tests/reference/audit.R, "recompute": ``2 * pt(-abs(t), df)``,
``pchisq(x, df, lower.tail = FALSE)``, ``2 * pnorm(-abs(z))``, the t of r,
``fisher.test`` on 2 × 2 tables and ``pwilcox``), each also at both ends of the printed
statistic's rounding interval. Tolerance 1e-10 relative. The printed p-values of the
cases are constructed here: consistent ones, and inconsistent ones (a wrong p, a decision
error, a one-sided p printed as two-sided). GRIM checks are pinned to the paper's own
percentages (12/19 = 63% etc.) and to the literature table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import b12cohort
from b12cohort import ArgumentError, recompute_published
from b12cohort.paper.recompute import RECOMPUTE_COLUMNS
from b12cohort.paper.replication import published_facts

REF = json.loads((Path(__file__).resolve().parent / "reference" / "audit.json").read_text())
R = {case["id"]: case for case in REF["recompute"]}

#: The printed result each R case is checked as: (row fields, consistent, decision error).
PRINTED = {
    "t_consistent": ({"p": "0.036"}, True, False),
    "t_inconsistent": ({"p": "0.015"}, False, False),
    "t_decision_error": ({"p": "< 0.05"}, False, True),
    "welch_t": ({"p": "= .022"}, True, False),
    "chisq_consistent": ({"p": "0.042"}, True, False),
    "chisq_inconsistent": ({"p": "0.024"}, False, False),
    "chisq_df3": ({"p": "< .05"}, True, False),
    "z_test": ({"p": "0.015"}, True, False),
    "correlation": ({"p": "ns"}, True, False),
    "fisher_2x2": ({"p": "0.057"}, True, False),
    "fisher_2x2_inconsistent": ({"p": "0.029"}, False, True),
    "mann_whitney": ({"p": "< 0.01"}, True, False),
}


def _row(case: dict, extra: dict) -> dict:
    row = {"label": case["id"], "test": case["test"], **extra}
    if "statistic" in case:  # as printed: with its decimals
        row["statistic"] = f"{case['statistic']:.{case.get('decimals', 0)}f}"
    for key in ("df", "n", "n1", "n2"):
        if key in case:
            row[key] = case[key]
    if "counts" in case:
        row["counts"] = ",".join(map(str, case["counts"]))
    return row


@pytest.fixture(scope="module")
def checked():
    table = pd.DataFrame([_row(R[k], PRINTED[k][0]) for k in PRINTED])
    return recompute_published(table).set_index("label")


@pytest.mark.parametrize("case_id", list(PRINTED))
def test_p_values_against_R(checked, case_id):
    case, row = R[case_id], checked.loc[case_id]
    assert row.p_recomputed == pytest.approx(case["p"], rel=1e-10), case["call"]
    ends = case["p_at_ends"] or [case["p"], case["p"]]
    assert row.p_low == pytest.approx(ends[0], rel=1e-10), case["call"]
    assert row.p_high == pytest.approx(ends[1], rel=1e-10), case["call"]


@pytest.mark.parametrize("case_id", list(PRINTED))
def test_consistency_flags(checked, case_id):
    _, consistent, decision = PRINTED[case_id]
    row = checked.loc[case_id]
    assert row.check == "p-value"
    assert bool(row.consistent) is consistent
    assert bool(row.decision_error) is decision


def test_one_sided_p_is_named(checked):
    table = pd.DataFrame([{"test": "t", "statistic": "2.20", "df": 28, "p": "0.018"}])
    row = recompute_published(table).iloc[0]
    assert not row.consistent and "one-sided" in row.note
    assert "one-sided" not in checked.loc["t_inconsistent"].note


def test_rounding_of_the_statistic_is_allowed():
    # t(28) = 2.2 printed with one decimal: true t in [2.15, 2.25], p from 0.031 to 0.040
    wide = recompute_published(pd.DataFrame([{"test": "t", "statistic": "2.2", "df": 28,
                                              "p": "0.032"}]))  # fmt: skip
    narrow = recompute_published(pd.DataFrame([{"test": "t", "statistic": "2.20", "df": 28,
                                                "p": "0.032"}]))  # fmt: skip
    assert wide.consistent.item() and not narrow.consistent.item()


def test_columns_and_types(checked):
    assert list(checked.reset_index().columns) == list(RECOMPUTE_COLUMNS)
    assert str(checked["consistent"].dtype) == "boolean"


# ---------------------------------------------------------------- GRIM
def test_grim_on_the_papers_percentages():
    out = recompute_published(published_facts())
    assert list(out["printed"]) == ["100%", "63%", "63%", "42%", "32%"]
    assert out["check"].eq("GRIM").all() and out["consistent"].all()
    # with n = 19 each printed percentage allows one count only: the published counts
    assert list(out["possible_counts"]) == ["19", "12", "12", "8", "6"]
    assert "12/19 = 63.16%" in out.loc[1, "note"]


@pytest.mark.parametrize(
    ("value", "n", "events", "ok", "possible"),
    [
        ("63%", 19, 12, True, "12"),
        ("63%", 19, 13, False, "12"),
        ("83%", 27, None, False, ""),  # Goraya 2015: 22/27 = 81.5%, 23/27 = 85.2%
        ("12.3%", 122, 15, True, "15"),  # Denver-II: 15/122 = 12.295%
        ("33.3%", 3, None, True, "1"),
        ("50%", 7, None, False, ""),
    ],
)
def test_grim_percent(value, n, events, ok, possible):
    row = {"test": "percent", "value": value, "n": n}
    if events is not None:
        row["events"] = events
    out = recompute_published(pd.DataFrame([row])).iloc[0]
    assert bool(out.consistent) is ok and out.possible_counts == possible


@pytest.mark.parametrize(
    ("mean", "n", "items", "ok"),
    [("5.19", 28, 1, False), ("5.18", 28, 1, True), ("5.21", 28, 1, True),
     ("3.47", 15, 2, True), ("3.48", 15, 2, False), ("2.345", 2000, 1, True)],
)  # fmt: skip
def test_grim_mean(mean, n, items, ok):
    # 145/28 = 5.1786 and 146/28 = 5.2143: no whole sum gives 5.19; 104/30 = 3.4667
    out = recompute_published(
        pd.DataFrame([{"test": "mean", "value": mean, "n": n, "items": items}])
    ).iloc[0]
    assert bool(out.consistent) is ok
    if n * items >= 1000:
        assert "cannot fail" in out.note


# ---------------------------------------------------------------- the literature table
def test_the_literature_table():
    table = b12cohort.load_literature(table="neurology_vs_hb")
    out = recompute_published(table)
    assert set(out["label"]) == set(table["study"])  # every study has a row
    index = out[out.label == "Taranushenko 2022"].iloc[0]
    assert index.check == "none" and "nothing to recompute" in index.note
    denver = out[out.label.str.startswith("2020 Denver")].iloc[0]
    assert denver.test == "welch_t" and denver.n == 89 and denver.p_printed == "= 0.015"
    assert denver.p_low < 0.015 < denver.p_high and bool(denver.consistent)
    assert "group sizes not printed" in denver.note
    goraya = out[out.label == "Goraya 2015"]
    assert list(goraya.printed) == ["83%", "71%"] and not goraya.consistent.any()
    assert "22/27 = 81.5%" in goraya.iloc[0].note
    assert out[out.label == "Ertaş 2011"].check.item() == "none"


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"test": "anova"}, "anova"),
        ({"test": "t", "statistic": "2.1", "df": 10, "p": "about .04"}, "printed p"),
        ({"test": "t", "statistic": "2.1", "p": ".04"}, "df"),
        ({"test": "fisher", "counts": "1,2,3", "p": ".04"}, "a,b,c,d"),
        ({"test": "mann_whitney", "statistic": "12", "p": ".04"}, "n1"),
        ({"test": "percent", "value": "63%"}, "n"),
    ],
)
def test_errors_name_the_row_and_the_fix(row, match):
    with pytest.raises(ArgumentError, match=match):
        recompute_published(pd.DataFrame([row]))
    with pytest.raises(ArgumentError, match="layouts"):
        recompute_published(pd.DataFrame({"x": [1]}))


def test_welch_over_every_split_against_R():
    """The Denver-II row: means ± SD and P printed, group sizes not (R: pt, Welch df)."""
    case = R["welch_splits_denver"]
    out = recompute_published(b12cohort.load_literature(table="neurology_vs_hb"))
    denver = out[out.label.str.startswith("2020 Denver")].iloc[0]
    assert denver.n == case["n"]
    assert denver.p_low == pytest.approx(case["p_at_ends"][0], rel=1e-10), case["call"]
    assert denver.p_high == pytest.approx(case["p_at_ends"][1], rel=1e-10), case["call"]
