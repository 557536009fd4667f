"""Tests for b12cohort.stats.meta and b12cohort.paper.literature against R metafor 3.8-1 (tests/reference/literature.R).

Tolerances: DL 1e-6 absolute on every pinned number; REML 1e-4 (metafor stops its Fisher
scoring when tau2 changes by <= 1e-5, so the last digits depend on the stopping rule).
Exact Clopper-Pearson limits against R binom.test: 1e-9.
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
from b12cohort.stats.meta import clopper_pearson, pool_prevalence

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
REF = json.loads((REFERENCE / "literature.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
FIELDS = [
    "estimate",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "mu",
    "se",
    "tau2",
    "i2",
    "q",
    "q_df",
    "q_p_value",
    "k",
]
INDEX_COUNTS = {
    "hypotonia": (19, 19),
    "adynamia": (12, 19),
    "developmental_delay": (12, 19),
    "hyporeflexia": (8, 19),
    "involuntary_movements_on_treatment": (6, 19),
}


def _pool(case, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return pool_prevalence(
            np.atleast_1d(case["xi"]),
            totals=np.atleast_1d(case["ni"]),
            method=case["method"],
            transform=case["transform"],
            confidence=case["confidence"],
            **kwargs,
        )


POOLED_CASES = [c for c in CASES if c["k"] >= 2]
SINGLE_CASES = [c for c in CASES if c["k"] == 1]


@pytest.mark.parametrize("case", POOLED_CASES, ids=[c["id"] for c in POOLED_CASES])
def test_pool_prevalence_against_R(case):
    res = _pool(case)
    tol = 1e-6 if case["method"] == "DL" else 1e-4
    # issue 13: two studies get no prediction interval (metafor computes one)
    fields = FIELDS if case["k"] >= 3 else [f for f in FIELDS if not f.startswith("pi_")]
    for name in fields:
        assert getattr(res, name) == pytest.approx(case[name], abs=tol), (
            f"{name}; R: {case['call']}"
        )
    if case["k"] < 3:
        assert np.isnan(res.pi_low) and np.isnan(res.pi_high)
        assert "no prediction interval" in res.note
    assert res.pooled
    assert res.estimator == case["method"]
    assert res.method == "random-effects"
    assert res.transform == case["transform"]
    np.testing.assert_allclose(res.studies["yi"], np.atleast_1d(case["yi"]), atol=1e-12)
    np.testing.assert_allclose(res.studies["vi"], np.atleast_1d(case["vi"]), atol=1e-12)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["method"] == "DL" and c["k"] > 1 and c["tau2"] > 0],
    ids=lambda c: c["id"],
)
def test_dl_agrees_with_statsmodels_where_tau2_positive(case):
    # statsmodels' combine_effects does not truncate tau2 at 0, so compare only where it is positive
    from statsmodels.stats.meta_analysis import combine_effects

    res = _pool(case)
    sm = combine_effects(res.studies["yi"].to_numpy(), res.studies["vi"].to_numpy(), method_re="dl")
    assert res.tau2 == pytest.approx(sm.tau2, rel=1e-10)
    assert res.mu == pytest.approx(sm.mean_effect_re, rel=1e-10)
    assert res.q == pytest.approx(sm.q, rel=1e-10)


def test_logit_continuity_correction_is_recorded_and_warned():
    with pytest.warns(ApproximationWarning, match="added 0.5"):
        res = pool_prevalence([0, 5, 10], totals=[10, 20, 10], method="DL")
    assert res.n_corrected == 2
    assert res.studies["corrected"].tolist() == [True, False, True]
    # 0.5 goes to both cells (metafor to="only0"): 0/10 -> log(0.5 / 10.5), all events -> log(10.5 / 0.5)
    assert res.studies["yi"].iloc[0] == pytest.approx(np.log(0.5 / 10.5))
    assert res.studies["yi"].iloc[2] == pytest.approx(np.log(10.5 / 0.5))


def test_freeman_tukey_needs_no_correction():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)
        res = pool_prevalence([0, 0, 0], totals=[10, 20, 15], transform="ft", method="DL")
    assert res.n_corrected == 0
    assert res.estimate == 0.0  # below transf.pft(0, n_hm): metafor clamps to 0


@pytest.mark.parametrize("case", SINGLE_CASES, ids=[c["id"] for c in SINGLE_CASES])
def test_one_study_is_not_pooled(case):
    # issue 13: metafor "pools" one study (back-transforming it, with a 0.5 correction at
    # 0 % or 100 %: 19/19 became 97.5 %); pool_prevalence returns the study itself with its
    # exact interval, and no heterogeneity or prediction interval.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)  # no correction, no warning
        res = _pool(case)
    x, n = int(np.atleast_1d(case["xi"])[0]), int(np.atleast_1d(case["ni"])[0])
    low, high = clopper_pearson(events=[x], n=[n], confidence=case["confidence"])
    assert not res.pooled
    assert (res.estimate, res.ci_low, res.ci_high) == (x / n, low[0], high[0])
    for name in ("pi_low", "pi_high", "tau2", "i2", "q", "q_p_value", "tau2_ci_low", "mu"):
        assert np.isnan(getattr(res, name)), name
    assert res.n_corrected == 0 and res.tau2_algorithm == "none"
    assert "one study" in res.note


def test_k1_k2_and_truncation():
    k1 = pool_prevalence([5], totals=[20])
    assert (k1.k, k1.q_df, k1.pooled) == (1, 0, False)
    k2 = pool_prevalence([5, 7], totals=[20, 22], method="DL")
    assert k2.tau2 == 0.0
    assert k2.i2 == 0.0


def test_reml_and_dl_differ_on_heterogeneous_data():
    reml = pool_prevalence([2, 30, 8, 40, 1], totals=[25, 35, 40, 50, 30], method="REML")
    dl = pool_prevalence([2, 30, 8, 40, 1], totals=[25, 35, 40, 50, 30], method="DL")
    assert reml.tau2_algorithm == "fisher-scoring"
    assert dl.tau2_algorithm == "moments"
    assert reml.tau2 != pytest.approx(dl.tau2, abs=1e-3)


def test_result_and_summary_shape():
    res = pool_prevalence(
        pd.DataFrame({"study": ["A", "B"], "events": [7, 18], "total": [21, 27]}), method="DL"
    )
    assert res.studies["study"].tolist() == ["A", "B"]
    assert res.studies["weight"].sum() == pytest.approx(1.0)
    summary = res.summary
    assert summary.shape[0] == 1
    assert {
        "estimate",
        "ci_low",
        "ci_high",
        "pi_low",
        "pi_high",
        "tau2",
        "i2",
        "k",
        "method",
        "test",
    } <= set(summary)
    with pytest.raises(AttributeError):
        res.estimate = 0.5  # frozen


@pytest.mark.parametrize(
    ("events", "totals", "kwargs", "match"),
    [
        ([], [], {}, "k = 0"),
        ([1, 2], [3], {}, "values"),
        ([4], [3], {}, "events <= totals"),
        ([-1], [3], {}, "events <= totals"),
        ([1.5], [3], {}, "whole numbers"),
        ([1], [0], {}, "totals >= 1"),
        ([1, None], [3, 4], {}, "missing"),
        ([1], [3], {"method": "PM"}, "method"),
        ([1], [3], {"transform": "arcsine"}, "transform"),
        ([1], [3], {"confidence": 95}, "0.95"),
        ([1, 2], [3, 4], {"studies": ["a"]}, "labels"),
    ],
)
def test_pool_prevalence_argument_errors(events, totals, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        pool_prevalence(events, totals=totals, **kwargs)


def test_clopper_pearson_against_R():
    for entry in REF["compare"]:
        lo, hi = clopper_pearson(events=[entry["events"]], n=[entry["total"]])
        assert lo[0] == pytest.approx(entry["ci_low"], abs=1e-9), entry["binom_call"]
        assert hi[0] == pytest.approx(entry["ci_high"], abs=1e-9), entry["binom_call"]


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


def test_reml_fallback_to_bounded_search_finds_the_same_optimum(monkeypatch):
    import b12cohort.stats._meta_pool as meta_pool

    case = next(c for c in CASES if c["id"] == "heterogeneous/REML/PLO")
    monkeypatch.setattr(meta_pool, "_MAXITER", 1)  # Fisher scoring cannot converge in one step
    with pytest.warns(ApproximationWarning, match="bounded 1-D search"):
        res = pool_prevalence(case["xi"], totals=case["ni"], method="REML")
    assert res.tau2_algorithm == "bounded-brent"
    assert res.tau2 == pytest.approx(case["tau2"], abs=1e-4), case["call"]
    assert res.estimate == pytest.approx(case["estimate"], abs=1e-4)


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
