"""The STROBE/RECORD checklist: every item exactly once, and what it fills follows the data."""

from __future__ import annotations

import re
from collections import Counter

import pytest

import b12cohort
from b12cohort import ArgumentError, strobe_record_checklist
from b12cohort.paper.manuscript import manuscript_results
from b12cohort.paper.strobe import CHECKLIST_COLUMNS, TO_BE_WRITTEN, checklist_items

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")

#: The item numbers of STROBE (von Elm et al. 2007, cohort and cross-sectional checklists).
STROBE_ITEMS = [
    "1a", "1b", "2", "3", "4", "5", "6a", "6b", "7", "8", "9", "10", "11",
    "12a", "12b", "12c", "12d", "12e", "13a", "13b", "13c", "14a", "14b", "14c", "15",
    "16a", "16b", "16c", "17", "18", "19", "20", "21", "22",
]  # fmt: skip
#: The item numbers of RECORD (Benchimol et al. 2015, Table 1).
RECORD_ITEMS = ["1.1", "1.2", "1.3", "6.1", "6.2", "6.3", "7.1", "12.1", "12.2", "12.3", "13.1",
                "19.1", "22.1"]  # fmt: skip
STATUSES = {"answered by the report", "partly answered by the report", TO_BE_WRITTEN}


@pytest.fixture(scope="module")
def res():
    cohort = b12cohort.simulate_cohort(n=40, random_state=7)
    cohort.loc[cohort.index[:2], "b12_pg_ml"] = 120.0  # two infants above the B12 threshold
    return manuscript_results(cohort, source="a simulated cohort")


@pytest.fixture(scope="module")
def checklist(res):
    return strobe_record_checklist(res)


def test_every_item_appears_exactly_once(checklist):
    for guideline, expected in (("STROBE", STROBE_ITEMS), ("RECORD", RECORD_ITEMS)):
        items = checklist.loc[checklist["guideline"] == guideline, "item"].tolist()
        assert Counter(items) == Counter(expected)
        assert items == expected  # in the published order
    assert list(checklist.columns) == list(CHECKLIST_COLUMNS)
    assert len(checklist) == len(checklist_items()) == len(STROBE_ITEMS) + len(RECORD_ITEMS)


def test_every_item_says_where_it_is_answered(checklist):
    assert set(checklist["status"]) <= STATUSES
    assert (checklist["where"] != "").all()
    unanswered = checklist["status"] == TO_BE_WRITTEN
    assert ((checklist["where"] == TO_BE_WRITTEN) == unanswered).all()
    assert (checklist.loc[~unanswered, "content"] != "").all()
    funding = checklist[(checklist["guideline"] == "STROBE") & (checklist["item"] == "22")]
    assert funding["status"].iloc[0] == TO_BE_WRITTEN  # only the authors know


def _content(checklist, guideline, item) -> str:
    row = checklist[(checklist["guideline"] == guideline) & (checklist["item"] == item)]
    return row["content"].iloc[0]


def test_the_flow_and_the_missing_data_come_from_the_results(res, checklist):
    flow = _content(checklist, "STROBE", "13a")
    for r in res.flow.itertuples():
        assert f": {int(r.n)}" in flow and r.stage in flow
    assert "excluded" in flow and "2" in flow  # the fixture's two exclusions
    missing = _content(checklist, "STROBE", "14b")
    stats = res.table_one_by_grade.statistics
    overall = stats[stats["group"] == "Overall"].drop_duplicates("variable")
    for r in overall[overall["n_missing"] > 0].itertuples():
        assert f"{r.variable} {int(r.n_missing)}" in missing
    shown = dict(re.findall(r"(\w+) (\d+)", missing.removeprefix("missing values: ")))
    assert set(shown) == set(overall.loc[overall["n_missing"] > 0, "variable"])


def test_the_methods_and_dates_come_from_the_results(res, checklist):
    methods = _content(checklist, "STROBE", "12a")
    for test in res.ran()["test"]:
        assert str(test) in methods
    assert f"{res.years[0]}–{res.years[1]}" in _content(checklist, "STROBE", "5")
    assert res.sensitivity_scheme in _content(checklist, "STROBE", "12e")
    assert "cleaning log" in _content(checklist, "RECORD", "12.2")


def test_without_a_report_where_stays_empty(res):
    bare = strobe_record_checklist(res, report=False)
    assert (bare["where"] == "").all()
    with pytest.raises(ArgumentError, match="manuscript_results"):
        strobe_record_checklist(bare)


def test_the_item_texts_name_their_sources_and_follow_the_published_wording():
    """The bundled item texts cite the checklists they were checked against (CSV header), and
    a sample of items reads as published (von Elm et al. 2007; Benchimol et al. 2015)."""
    from importlib import resources

    path = resources.files("b12cohort") / "resources" / "strobe_record_items.csv"
    header = [line for line in path.read_text("utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    for source in ("strobe-statement.org", "10.1016/S0140-6736(07)61602-X",
                   "10.1371/journal.pmed.1001885", "record-statement.org"):  # fmt: skip
        assert source in text
    items = checklist_items().set_index(["guideline", "item"])["recommendation"]
    published = {
        ("STROBE", "13a"): "Report numbers of individuals at each stage of study—eg numbers "
        "potentially eligible, examined for eligibility, confirmed eligible, included in the "
        "study, completing follow-up, and analysed",
        ("STROBE", "12c"): "Explain how missing data were addressed",
        ("STROBE", "22"): "Give the source of funding and the role of the funders for the present "
        "study and, if applicable, for the original study on which the present article is based",
        ("RECORD", "12.2"): "Authors should provide information on the data cleaning methods "
        "used in the study",
        ("RECORD", "13.1"): "Describe in detail the selection of the persons included in the "
        "study (i.e., study population selection) including filtering based on data quality, "
        "data availability and linkage. The selection of included persons can be described in "
        "the text and/or by means of the study flow diagram",
    }
    for key, wording in published.items():
        assert items[key] == wording, key
