"""The association table as the report writes it (tables/association.*, the page).

Every row says what its estimate is and the level of its interval; an estimate and its
interval are rounded alike; untestable rows stay, with their reading; the CSV stays the
tidy, unrounded summary.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import b12cohort
from b12cohort import report as rpt


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return b12cohort.association_summary(b12cohort.load_example())


def _decimals(text: str) -> set[int]:
    return {len(m) for m in re.findall(r"\d\.(\d+)", text)}


def test_every_row_has_an_estimate_kind_and_a_ci_level(summary):
    view = rpt.association_table(summary).view
    assert len(view) == len(summary) == 22
    assert view["estimate kind"].iloc[1] == "score correlation r (linear-by-linear)"
    assert (view["estimate kind"] != "").all()
    assert (view["CI level"] != "").all()
    with_ci = summary["ci_low"].notna().to_numpy()
    assert view.loc[with_ci, "CI level"].str.match(r"\d+%").all()
    assert (view.loc[~with_ci, "CI level"] == "no interval").all()
    tost = view[view["estimate kind"].str.contains("TOST")]
    assert tost["CI level"].tolist() == ["90% (TOST)"]
    achieved = view[view["CI level"].str.contains("achieved")]
    assert set(achieved["CI level"]) == {"89% (exact, achieved)"}


def test_an_estimate_and_its_interval_are_rounded_alike(summary):
    view = rpt.association_table(summary).view
    for row in view.to_dict("records"):
        if row["estimate"] and row["CI"]:
            assert _decimals(row["estimate"]) == _decimals(row["CI"]), row
        if "g/L" in row["estimate kind"]:  # Hodges-Lehmann shift: 0.1 g/L
            assert _decimals(row["estimate"]) == {1}


def test_untestable_rows_are_kept_with_their_reading(summary):
    view = rpt.association_table(summary).view
    hypotonia = view[view["variables"].str.contains("hypotonia")]
    assert len(hypotonia) == 3
    assert hypotonia["reading"].str.contains("19/19").all()
    primary = view[view["analysis"] == "primary"]
    assert len(primary) == 2
    assert primary["p (adjusted)"].str.contains(r" \(primary; holm over the 2 primaries ").all()
    secondary = view[(view["analysis"] == "secondary") & (view["test"] != "not tested")]
    assert secondary["p (adjusted)"].str.contains(r" \(holm \d\.\d{3}\)").all()


def test_save_table_writes_tidy_csv_and_rounded_views(summary, tmp_path):
    rpt.save_table(rpt.association_table(summary, caption="Association"), "association", tmp_path)
    csv = pd.read_csv(tmp_path / "tables" / "association.csv")
    assert {"estimate_type", "confidence", "analysis", "method_detail"} <= set(csv.columns)
    assert csv["estimate"].dropna().iloc[0] == pytest.approx(summary["estimate"].dropna().iloc[0])
    md = (tmp_path / "tables" / "association.md").read_text("utf-8")
    assert "| estimate kind" in md and "CI level" in md and "19/19" in md
    html = (tmp_path / "tables" / "association.html").read_text("utf-8")
    assert "<caption>Association</caption>" in html
    assert "\\caption{Association}" in (tmp_path / "tables" / "association.tex").read_text("utf-8")
