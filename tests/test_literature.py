"""Tests for b12cohort.paper.literature: the bundled tables and the comparison with published series.

The pooled numbers are pinned to R metafor 3.8-1 (tests/reference/literature.R); the
pooling itself (b12cohort.stats.meta.pool_prevalence) is tested in tests/test_meta.py.
Tolerances: DL 1e-6 absolute, REML 1e-4 (metafor's stopping rule); exact
Clopper-Pearson limits against R binom.test: 1e-9.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions

from b12cohort import ApproximationWarning, ArgumentError, CohortValidationError
from b12cohort.paper.literature import (
    COHORT_SIGNS,
    SIGN_VOCABULARY,
    TIMINGS,
    compare_with_literature,
    load_literature,
)
from b12cohort.stats.meta import clopper_pearson

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
REF = json.loads((REFERENCE / "literature.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
INDEX_COUNTS = {
    "hypotonia": (19, 19),
    "adynamia": (12, 19),
    "developmental_delay": (12, 19),
    "hyporeflexia": (8, 19),
    "involuntary_movements_on_treatment": (6, 19),
}


def _lit_key(entry) -> str:
    sign = entry["sign"]
    if sign == "involuntary_movements_on_treatment":
        return "involuntary_movements/on_treatment"
    return f"{sign}/"


def test_compare_with_literature_against_R():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        table = compare_with_literature(INDEX_COUNTS)
    assert table["sign"].tolist() == [e["sign"] for e in REF["compare"]]
    for (_, row), entry in zip(table.iterrows(), REF["compare"], strict=True):
        assert (row["events"], row["total"], row["k"]) == (
            entry["events"],
            entry["total"],
            entry["k"],
        )
        assert row["studies"] == entry["studies"]
        assert row["ci_low"] == pytest.approx(entry["ci_low"], abs=1e-9)
        assert row["ci_high"] == pytest.approx(entry["ci_high"], abs=1e-9)
        assert row["synthesis"] == ("none", "single study", "pooled")[min(entry["k"], 2)]
        if entry["k"] == 1:  # issue 13: the study alone, with R binom.test's exact interval
            (study,) = [c for c in CASES if c["id"].startswith(f"literature/{_lit_key(entry)}/")][
                :1
            ]
            x, n = study["xi"], study["ni"]
            low, high = clopper_pearson(events=[x], n=[n])
            assert row["comparator_estimate"] == x / n
            assert (row["comparator_ci_low"], row["comparator_ci_high"]) == (low[0], high[0])
            assert pd.isna(row["pooled_estimate"]) and pd.isna(row["pi_low"])
            assert pd.isna(row["tau2"]) and pd.isna(row["i2"])
            continue
        for name in (
            "pooled_estimate",
            "pooled_ci_low",
            "pooled_ci_high",
            "pi_low",
            "pi_high",
            "tau2",
            "i2",
            "q_p_value",
        ):
            if entry["k"] == 2 and name.startswith("pi_"):
                assert pd.isna(row[name])
            elif entry["k"]:
                assert row[name] == pytest.approx(entry[name], abs=1e-4), (
                    f"{entry['sign']} {name}: {entry['pool_call']}"
                )
            else:
                assert pd.isna(row[name])


def _cohort_frame(n=6):
    flags = [True, False, True, pd.NA, True, False][:n]
    return pd.DataFrame(
        {
            "patient_id": pd.array([f"P{i}" for i in range(n)], dtype="string"),
            "hypotonia": pd.array([True] * n, dtype="boolean"),
            "involuntary_movements_on_treatment": pd.array(flags, dtype="boolean"),
            "brain_atrophy": pd.array([pd.NA] * n, dtype="boolean"),
        }
    )


def test_compare_from_cohort_frame_counts_and_missing():
    frame = _cohort_frame()
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        table = compare_with_literature(
            frame, signs=["hypotonia", "involuntary_movements_on_treatment"]
        )
    pd.testing.assert_frame_equal(frame, before)  # caller's frame untouched
    assert table.set_index("sign")[["events", "total"]].to_dict("index") == {
        "hypotonia": {"events": 6, "total": 6},
        "involuntary_movements_on_treatment": {"events": 3, "total": 5},  # <NA> not in denominator
    }


def test_compare_sign_without_comparator_gives_nan_pooled():
    table = compare_with_literature({"seizures": (2, 19)})
    assert table["k"].iloc[0] == 0
    assert pd.isna(table["pooled_estimate"].iloc[0])


def test_compare_selected_rows_only_on_request():
    kwargs = {"signs": ["brain_atrophy"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        default = compare_with_literature({"brain_atrophy": (1, 1)}, **kwargs)
        selected = compare_with_literature(
            {"brain_atrophy": (1, 1)}, include_selected=True, **kwargs
        )
    assert default["studies"].iloc[0] == "Goraya 2015"
    assert selected["k"].iloc[0] == 2


@pytest.mark.parametrize(
    ("data", "kwargs", "match"),
    [
        ({"hypotension": (1, 2)}, {}, "signs"),
        ({"hypotonia": (3, 2)}, {}, "events"),
        ({"hypotonia": (1, 2)}, {"signs": ["adynamia"]}, "no counts"),
        ([1, 2], {}, "mapping"),
        (pd.DataFrame({"x": [1]}), {}, "none of the signs"),
        ({"hypotonia": (1, 2)}, {"method": "ML"}, "method"),
    ],
)
def test_compare_argument_errors(data, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        compare_with_literature(data, **kwargs)


# ----------------------------------------------------------------------------- data
def test_literature_table_dtypes_and_codebook():
    lit = load_literature()
    assert str(lit["events"].dtype) == "Int64"
    assert str(lit["total"].dtype) == "Int64"
    assert str(lit["derived_from_percent"].dtype) == "boolean"
    assert list(lit["role"].cat.categories) == ["index", "comparator"]
    assert set(lit["sign"]) <= set(SIGN_VOCABULARY)
    assert set(lit["timing"].dropna()) <= set(TIMINGS)
    assert (lit["events"] <= lit["total"]).all()
    assert (lit["total"] <= lit["N"]).all()
    assert lit["source"].notna().all()
    assert lit["quote"].notna().all()
    for sign, timing in COHORT_SIGNS.values():
        assert sign in SIGN_VOCABULARY
        assert timing is None or timing in TIMINGS
    codebook = (ROOT / "data" / "literature" / "README.md").read_text(encoding="utf-8")
    for name in [*lit.columns, *SIGN_VOCABULARY, *TIMINGS]:
        assert f"`{name}`" in codebook, f"{name} not documented in data/literature/README.md"


def test_index_rows_are_the_published_krasnoyarsk_counts():
    lit = load_literature()
    index = lit[lit["role"] == "index"]
    assert set(index["study"]) == {"Taranushenko 2022"}
    got = {
        (s, t if pd.notna(t) else None): (e, n)
        for s, t, e, n in index[["sign", "timing", "events", "total"]].itertuples(index=False)
    }
    want = {COHORT_SIGNS[k]: v for k, v in INDEX_COUNTS.items()}
    assert got == want


def test_derived_counts_reproduce_a_printed_percentage():
    # every count computed from a percentage must give that percentage back (1 decimal, rounded or truncated)
    lit = load_literature()
    derived = lit[lit["derived_from_percent"]]
    assert len(derived) >= 10
    for row in derived.itertuples():
        percent = 100 * row.events / row.total
        printed = {round(percent), round(percent, 1), np.floor(percent * 10) / 10}
        assert any(f"{p:g}%" in row.quote or f"{p:g} %" in row.quote for p in printed), row


def test_neurology_vs_hb_table():
    table = load_literature(table="neurology_vs_hb")
    assert {"study", "finding", "direction", "source", "quote"} <= set(table.columns)
    assert table["source"].notna().all()
    assert (
        "7.49" in table.loc[table["direction"] == "lower_hb_worse_neurology", "statistic"].iloc[0]
    )


def test_invalid_literature_file_reports_every_problem(tmp_path):
    lit = pd.read_csv(
        ROOT / "data" / "literature" / "published_cohorts.csv", dtype=str, keep_default_na=False
    )
    lit.loc[0, "sign"] = "hypotonya"
    lit.loc[1, "events"] = "40"
    lit.loc[2, "timing"] = "later"
    path = tmp_path / "lit.csv"
    lit.to_csv(path, index=False)
    with pytest.raises(CohortValidationError) as info:
        load_literature(path=path)
    failures = info.value.failures
    assert {"vocabulary", "events<=total"} <= set(failures["rule"])
    assert len(failures) >= 3


def test_load_literature_argument_errors():
    with pytest.raises(ArgumentError, match="table"):
        load_literature(table="papers")
    with pytest.raises(ArgumentError, match="path"):
        load_literature(table="neurology_vs_hb", path="x.csv")


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("literature.R", tmp_path) == without_versions(REF)


def test_every_study_is_labelled_by_first_author_and_year_or_documented():
    """Issue 13: labels are "<first author> <year>"; the exceptions are named in the codebook."""
    import re

    codebook = (ROOT / "data" / "literature" / "README.md").read_text(encoding="utf-8")
    section = codebook.split("## Labels without a first author", 1)[1].split("\n## ", 1)[0]
    undocumented = []
    for table in ("cohorts", "neurology_vs_hb"):
        lit = load_literature(table=table)
        for study, year in lit[["study", "year"]].drop_duplicates().itertuples(index=False):
            by_author = re.fullmatch(rf"[A-ZÀ-ÝİŞÇĞÖÜ][\w\-ıçğöşü]+ {int(year)}", str(study))
            if by_author is None and f"`{study}`" not in section:
                undocumented.append(study)
            if by_author is not None:
                assert f"`{study}`" not in section, f"{study} has an author: drop it from the list"
            else:
                assert str(int(year)) in str(study), f"{study}: the label must carry the year"
    assert undocumented == []
