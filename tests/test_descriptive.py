"""Tests for b12cohort.stats.proportions and b12cohort.stats.table_one: prevalence intervals and Table 1.

Reference values come from R 4.2 (tests/reference/descriptive.R -> descriptive.json; every
case carries the R call). Tolerances: confidence limits rtol 1e-8 / atol 1e-12 (R's
uniroot runs at tol 1e-14; the JSON holds 15 significant digits); rank-test statistics
and p-values, quantiles, means and SDs rtol 1e-10; Fisher-Freeman-Halton p-values rtol
1e-7 (R's fisher.test counts tables with probability <= observed * (1 + 1e-7)).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_close_nested, requires_r, rerun_reference, without_versions
from statsmodels.stats.proportion import proportion_confint

from b12cohort import ApproximationWarning, ArgumentError, DataQualityWarning
from b12cohort.stats.proportions import PREVALENCE_METHODS, binomial_ci, prevalence
from b12cohort.stats.table_one import TableOne, table_one

REF = Path(__file__).parent / "reference"
R_JSON = json.loads((REF / "descriptive.json").read_text(encoding="utf-8"))
BOOLEANS = ["hypotonia", "adynamia", "hyporeflexia", "brain_atrophy"]


def read_cohort(name: str) -> pd.DataFrame:
    """A reference cohort with the canonical frame's dtypes."""
    path = REF / f"descriptive_cohort_{name}.csv"
    frame = pd.read_csv(path, dtype={"patient_id": "string"})
    frame["sex"] = pd.Categorical(frame["sex"], categories=["F", "M"])
    grades = pd.CategoricalDtype(["none", "mild", "moderate", "severe"], ordered=True)
    frame["anemia_grade"] = frame["anemia_grade"].astype(grades)
    for col in BOOLEANS:
        if col in frame:
            frame[col] = frame[col].astype("boolean")
    if "hb_g_l" in frame:
        frame["hb_g_l"] = frame["hb_g_l"].astype("float64")
    return frame


def has_contingency() -> bool:
    try:
        from b12cohort.stats.contingency import fisher_exact_table  # noqa: F401
    except ImportError:
        return False
    return True


needs_contingency = pytest.mark.skipif(
    not has_contingency(),
    reason="b12cohort.stats.contingency (fisher_exact_table) not available yet",
)


def signs(k: int, n: int, n_missing: int = 0) -> pd.Series:
    return pd.Series([True] * k + [False] * (n - k) + [None] * n_missing, dtype="boolean")


# ---------------------------------------------------------------------------------------
# prevalence: confidence intervals against R
# ---------------------------------------------------------------------------------------

CI_CASES = R_JSON["prevalence"]


@pytest.mark.parametrize(
    "case", CI_CASES, ids=[f"{c['method']}-{c['k']}/{c['N']}-{c['confidence']}" for c in CI_CASES]
)
def test_binomial_ci_against_R(case):
    low, high = binomial_ci(
        events=case["k"], n=case["N"], ci_method=case["method"], confidence=case["confidence"]
    )
    np.testing.assert_allclose(
        [low, high], [case["ci_low"], case["ci_high"]], rtol=1e-8, atol=1e-12, err_msg=case["call"]
    )


# Blaker's interval has its own R reference (tests/reference/parity.R, test_parity.py).
@pytest.mark.parametrize("method", [m for m in PREVALENCE_METHODS if m != "blaker"])
def test_prevalence_against_R_through_a_frame(method):
    # every (k, N) with N <= 1000 at 95%, as boolean columns padded with missing values
    cases = [
        c for c in CI_CASES if c["method"] == method and c["confidence"] == 0.95 and c["N"] <= 1000
    ]
    size = max(c["N"] for c in cases)
    frame = pd.DataFrame(
        {f"v{i}": signs(c["k"], c["N"], size - c["N"]) for i, c in enumerate(cases)}
    )
    out = prevalence(frame, ci_method=method)
    assert list(out["variable"]) == list(frame.columns)
    assert list(out["events"]) == [c["k"] for c in cases]
    assert list(out["n"]) == [c["N"] for c in cases]
    assert list(out["n_missing"]) == [size - c["N"] for c in cases]
    np.testing.assert_allclose(out["ci_low"], [c["ci_low"] for c in cases], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(out["ci_high"], [c["ci_high"] for c in cases], rtol=1e-8, atol=1e-12)
    assert (out["ci_method"] == method).all()


PAIRS = sorted({(c["k"], c["N"]) for c in CI_CASES})


@pytest.mark.parametrize(
    ("method", "sm_name"),
    [("clopper-pearson", "beta"), ("wilson", "wilson"), ("agresti-coull", "agresti_coull")],
)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_binomial_ci_equals_statsmodels(method, sm_name, confidence):
    k, n = np.array(PAIRS).T
    low, high = binomial_ci(events=k, n=n, ci_method=method, confidence=confidence)
    sm_low, sm_high = proportion_confint(k, n, alpha=1 - confidence, method=sm_name)
    np.testing.assert_allclose(low, sm_low, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, sm_high, rtol=1e-12, atol=1e-15)


def test_jeffreys_equals_statsmodels_except_at_the_edges():
    k, n = np.array(PAIRS).T
    low, high = binomial_ci(events=k, n=n, ci_method="jeffreys")
    sm_low, sm_high = proportion_confint(k, n, alpha=0.05, method="jeffreys")
    inner = (k > 0) & (k < n)
    np.testing.assert_allclose(low[inner], sm_low[inner], rtol=1e-12)
    np.testing.assert_allclose(high[inner], sm_high[inner], rtol=1e-12)
    # Brown, Cai & DasGupta's modification, which statsmodels does not apply
    assert np.all(low[k == 0] == 0.0)
    assert np.all(sm_low[k == 0] > 0.0)
    assert np.all(high[k == n] == 1.0)
    assert np.all(sm_high[k == n] < 1.0)


@pytest.mark.parametrize("n", [1, 2, 7, 19, 250])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_midp_closed_form_at_the_edges(n, confidence):
    # k = 0: P(X = 0)/2 = (1 - p)^n / 2 = alpha/2  =>  p = 1 - alpha^(1/n); k = n mirrors it
    alpha = 1 - confidence
    low, high = binomial_ci(events=[0, n], n=[n, n], ci_method="mid-p", confidence=confidence)
    np.testing.assert_allclose(high[0], 1 - alpha ** (1 / n), rtol=1e-12)
    np.testing.assert_allclose(low[1], alpha ** (1 / n), rtol=1e-12)
    assert low[0] == 0.0
    assert high[1] == 1.0


def test_midp_is_inside_clopper_pearson():
    k, n = np.array(PAIRS).T
    lo_m, hi_m = binomial_ci(events=k, n=n, ci_method="mid-p")
    lo_e, hi_e = binomial_ci(events=k, n=n, ci_method="clopper-pearson")
    assert np.all(lo_m >= lo_e)
    assert np.all(hi_m <= hi_e)


# ---------------------------------------------------------------------------------------
# prevalence: edge cases and arguments
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", PREVALENCE_METHODS)
def test_prevalence_all_missing_gives_nan_with_a_reason(method):
    frame = pd.DataFrame({"seizures": signs(0, 0, 5), "hypotonia": signs(3, 5)})
    with pytest.warns(DataQualityWarning, match="seizures"):
        out = prevalence(frame, ci_method=method)
    row = out.iloc[0]
    assert (row["events"], row["n"], row["n_missing"]) == (0, 0, 5)
    assert np.isnan(row["proportion"])
    assert np.isnan(row["ci_low"])
    assert np.isnan(row["ci_high"])
    assert "n = 0" in row["note"]
    assert pd.isna(out.iloc[1]["note"])
    assert out.iloc[1]["proportion"] == 0.6


def test_prevalence_columns_and_default_order():
    frame = pd.DataFrame(
        {
            "patient_id": pd.array(["a", "b", "c"], dtype="string"),
            "adynamia": signs(2, 3),
            "hb_g_l": [70.0, 80.0, 90.0],
            "hypotonia": signs(3, 3),
        }
    )
    out = prevalence(frame)
    assert list(out.columns[:7]) == [
        "variable",
        "events",
        "n",
        "proportion",
        "ci_low",
        "ci_high",
        "ci_method",
    ]
    assert {"n_missing", "confidence", "note"} <= set(out.columns)
    assert list(out["variable"]) == ["adynamia", "hypotonia"]  # frame order, booleans only
    assert out["confidence"].eq(0.95).all()


def test_prevalence_accepts_numeric_zero_one_and_numpy_bool():
    frame = pd.DataFrame(
        {
            "a": pd.array([1, 0, None, 1], dtype="Int64"),
            "b": [1.0, np.nan, 0.0, 0.0],
            "c": np.array([True, False, True, True]),
        }
    )
    out = prevalence(frame, variables=["a", "b", "c"])
    assert list(out["events"]) == [2, 1, 3]
    assert list(out["n"]) == [3, 3, 4]


@pytest.mark.parametrize(
    ("column", "values"),
    [("hb_g_l", [70.0, 0.0, 1.0]), ("sex", ["F", "M", "F"]), ("grade", [0, 1, 2])],
)
def test_prevalence_rejects_non_binary_columns(column, values):
    frame = pd.DataFrame({column: values})
    with pytest.raises(ArgumentError, match=f"'{column}'.*not binary"):
        prevalence(frame, variables=[column])


def test_prevalence_argument_errors():
    frame = pd.DataFrame({"hypotonia": signs(1, 2)})
    with pytest.raises(ArgumentError, match=r"hypotnia.*did you mean 'hypotonia'"):
        prevalence(frame, variables=["hypotnia"])
    with pytest.raises(ArgumentError, match="ci_method"):
        prevalence(frame, ci_method="exact")
    with pytest.raises(ArgumentError, match=r"0\.95"):
        prevalence(frame, confidence=95)
    with pytest.raises(ArgumentError, match="no boolean column"):
        prevalence(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ArgumentError, match="DataFrame"):
        prevalence(frame["hypotonia"])


def test_prevalence_does_not_mutate_and_scales():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {f"s{i}": pd.array(rng.random(10**5) < 0.3, dtype="boolean") for i in range(3)}
    )
    frame.iloc[::7, 0] = pd.NA
    before = frame.copy()
    out = prevalence(frame, ci_method="mid-p")
    pd.testing.assert_frame_equal(frame, before)
    assert out["n"].iloc[0] == 10**5 - len(range(0, 10**5, 7))
    assert out["events"].tolist() == [int(frame[c].sum()) for c in frame]


# ---------------------------------------------------------------------------------------
# table_one: numbers and tests against R
# ---------------------------------------------------------------------------------------

DESIGNS = sorted({(s["cohort"], s["by"]) for s in R_JSON["summaries"]})


@pytest.mark.parametrize(("cohort", "by"), DESIGNS)
def test_table_one_continuous_statistics_against_R(cohort, by):
    ref = [s for s in R_JSON["summaries"] if s["cohort"] == cohort and s["by"] == by]
    variables = list(dict.fromkeys(s["variable"] for s in ref))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ApproximationWarning, DataQualityWarning))
        t1 = table_one(read_cohort(cohort), by=by, variables=variables)
    stats = t1.statistics.set_index(["variable", "group"])
    for s in ref:
        got = stats.loc[(s["variable"], s["group"])]
        assert got["N"] == s["N"], s["call"]
        for key in ("q1", "median", "q3", "mean", "sd", "min", "max"):
            np.testing.assert_allclose(got[key], s[key], rtol=1e-10, err_msg=s["call"])


CONT_TESTS = [t for t in R_JSON["tests"] if not t["call"].startswith("fisher")]
CAT_TESTS = [t for t in R_JSON["tests"] if t["call"].startswith("fisher")]


def _tests_for(cohort, by, variables):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ApproximationWarning, DataQualityWarning))
        t1 = table_one(read_cohort(cohort), by=by, variables=variables)
    return t1, t1.tests.set_index("variable")


@pytest.mark.parametrize("ref", CONT_TESTS, ids=[t["call"] for t in CONT_TESTS])
def test_table_one_rank_tests_against_R(ref):
    _, tests = _tests_for(ref["cohort"], ref["by"], [ref["variable"]])
    got = tests.loc[ref["variable"]]
    if ref["p_value"] is None:  # R: NaN (all values equal)
        assert got["test"] == "none"
        assert np.isnan(got["p_value"])
        assert "all values equal" in got["note"]
        return
    if (ref["by"], ref["variable"]) == ("anemia_grade", "hb_g_l"):
        # issue 13: anemia_grade is graded from Hb, so Table 1 never tests Hb across it
        # (R ran kruskal.test on the reference cohort, whose grades are synthetic)
        assert got["test"] == "none" and np.isnan(got["p_value"])
        assert "circular" in got["note"]
        return
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=1e-10, err_msg=ref["call"])
    np.testing.assert_allclose(got["statistic"], ref["statistic"], rtol=1e-10, err_msg=ref["call"])
    if ref["method"].startswith("Wilcoxon"):
        assert got["test"] == "Mann-Whitney U"
        exact = "exact" in ref["method"]
        assert (got["method"] == "exact") == exact
        assert ("continuity correction" in got["method"]) == ("continuity" in ref["method"])
    else:
        assert got["test"] == "Kruskal-Wallis"
        assert got["method"] == "chi-squared approximation"
        assert got["df"] == got["n_groups"] - 1


@needs_contingency
@pytest.mark.parametrize("ref", CAT_TESTS, ids=[t["call"] for t in CAT_TESTS])
def test_table_one_fisher_against_R(ref):
    t1, tests = _tests_for(ref["cohort"], ref["by"], [ref["variable"]])
    got = tests.loc[ref["variable"]]
    if ref["p_value"] is None:
        assert got["test"] == "none"
        assert "one level" in got["note"]
        return
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=1e-7, err_msg=ref["call"])
    row = t1.summary[t1.summary["variable"] == ref["variable"]].iloc[0]
    assert got["method"] in row["test"] or "Monte Carlo" in row["test"]


def test_table_one_counts_and_percentages_over_non_missing():
    data = read_cohort("small")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        t1 = table_one(data, variables=["adynamia", "anemia_grade", "b12_pg_ml"])
    s = t1.summary.set_index(["variable", "level"])
    recorded = data["adynamia"].dropna()
    k, n = int(recorded.sum()), len(recorded)
    assert s.loc[("adynamia", "yes"), "Overall"] == f"{k} ({100 * k / n:.1f}%)"
    assert s.loc[("adynamia", "yes"), "missing"] == str(data["adynamia"].isna().sum()) == "2"
    assert s.loc[("b12_pg_ml", "median [IQR]"), "missing"] == "3"
    # declared but empty category is shown with 0, levels in category order
    grades = s.loc["anemia_grade"]
    assert list(grades.index) == ["none", "mild", "moderate", "severe"]
    assert grades.loc["none", "Overall"] == "0 (0.0%)"
    counts = data["anemia_grade"].value_counts()
    assert grades.loc["mild", "Overall"].startswith(f"{counts['mild']} (")
    stats = t1.statistics.set_index(["variable", "level", "group"])
    row = stats.loc[("adynamia", "yes", "Overall")]
    assert (row["n"], row["N"], row["n_missing"]) == (k, n, 2)
    low, high = binomial_ci(events=k, n=n)
    assert (row["ci_low"], row["ci_high"]) == (low, high)


def test_table_one_layout_and_formatting():
    data = pd.DataFrame(
        {
            "patient_id": pd.array([f"P{i}" for i in range(6)], dtype="string"),
            "hb_g_l": [72.0, 65.0, 81.0, 90.0, 101.0, np.nan],
            "dose": [100.0, 500.0, 500.0, 100.0, 100.0, 100.0],
            "sex": pd.Categorical(["F", "M", "F", "M", "F", "F"], categories=["F", "M"]),
        }
    )
    t1 = table_one(data, mean_sd=True, labels={"hb_g_l": "Haemoglobin, g/L"})
    assert isinstance(t1, TableOne)
    assert list(t1.summary.columns) == ["variable", "level", "Overall", "missing"]
    rows = t1.summary.values.tolist()
    assert rows[0] == ["n", "", "6", ""]
    assert rows[1] == ["Haemoglobin, g/L", "mean (SD)", "81.8 (14.3)", "1"]
    assert rows[2] == ["Haemoglobin, g/L", "median [IQR]", "81.0 [72.0, 90.0]", ""]
    assert rows[3] == ["Haemoglobin, g/L", "min, max", "65.0, 101.0", ""]
    assert rows[4][1:] == ["mean (SD)", "233 (207)", "0"]
    assert rows[5] == ["dose", "median [IQR]", "100 [100, 400]", ""]
    assert rows[-2:] == [["sex", "F", "4 (66.7%)", "0"], ["sex", "M", "2 (33.3%)", ""]]
    assert any("patient_id" in n for n in t1.notes)  # identifier not described, and said so
    assert t1.tests.empty
    assert t1.by is None
    assert t1.groups == ()
    # decimals override, no missing column
    t2 = table_one(data, variables=["hb_g_l"], decimals=2, missing=False)
    assert list(t2.summary.columns) == ["variable", "level", "Overall"]
    assert t2.summary.iloc[1]["Overall"] == "81.00 [72.00, 90.00]"


def test_table_one_by_drops_empty_groups_and_keeps_missing_by_in_overall():
    data = read_cohort("small")
    data.loc[[0, 1], "anemia_grade"] = np.nan
    with pytest.warns(DataQualityWarning, match="none"):
        t1 = table_one(data, by="anemia_grade", variables=["age_months"])
    assert t1.groups == ("mild", "moderate", "severe")
    assert list(t1.summary.columns) == [
        "variable", "level", "Overall", "mild", "moderate", "severe", "test", "p_value", "missing",
    ]  # fmt: skip
    first = t1.summary.iloc[0]
    sizes = data["anemia_grade"].value_counts()
    assert first["Overall"] == "30"
    assert [first[g] for g in t1.groups] == [str(sizes[g]) for g in t1.groups]
    assert any("none" in n and "dropped" in n for n in t1.notes)
    assert any("2 infant(s)" in n for n in t1.notes)
    row = t1.summary.iloc[1]
    assert row["test"] == "Kruskal-Wallis (chi-squared approx.)"
    assert float(row["p_value"]) == pytest.approx(t1.tests["p_value"].iloc[0], abs=5e-4)


def test_table_one_warns_when_mann_whitney_is_approximate():
    data = read_cohort("small")
    with pytest.warns(ApproximationWarning, match="hb_g_l"):
        t1 = table_one(data, by="sex", variables=["age_months", "hb_g_l"])
    tests = t1.summary.set_index("variable")["test"]
    assert tests.loc["age_months"].iloc[0] == "Mann-Whitney U (exact)"
    assert tests.loc["hb_g_l"].iloc[0] == "Mann-Whitney U (normal approx., cont. corr.)"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)
        table_one(data, by="sex", variables=["age_months"])  # exact: no warning


def test_table_one_untestable_rows_say_why():
    data = read_cohort("small")
    data["only_f"] = np.where(data["sex"] == "F", 1.0, np.nan)
    t1 = table_one(data, by="sex", variables=["cyanocobalamin_dose_ug", "only_f"])
    tests = t1.tests.set_index("variable")
    assert tests.loc["cyanocobalamin_dose_ug", "note"].startswith("all values equal")
    assert tests.loc["only_f", "note"] == "fewer than two groups with data"
    assert t1.summary.iloc[1]["test"].startswith("none (all values equal")
    assert t1.summary.iloc[1]["p_value"] == ""
    # the group without data shows a dash, not NaN
    only = t1.summary[t1.summary["variable"] == "only_f"].iloc[0]
    assert only["M"] == "-"
    assert only["F"] == "1.0 [1.0, 1.0]"


def test_table_one_one_level_binary_is_not_tested():
    data = read_cohort("small")
    tests = table_one(data, by="sex", variables=["hypotonia"]).tests
    assert tests.iloc[0]["test"] == "none"
    assert tests.iloc[0]["note"] == "only one level observed"


def test_table_one_argument_errors():
    data = read_cohort("small")
    with pytest.raises(ArgumentError, match="both"):
        table_one(data, categorical=["hb_g_l"], continuous=["hb_g_l"])
    with pytest.raises(ArgumentError, match="also in `variables`"):
        table_one(data, by="sex", variables=["sex", "hb_g_l"])
    with pytest.raises(ArgumentError, match="not numeric"):
        table_one(data, continuous=["sex"])
    with pytest.raises(ArgumentError, match="continuous"):
        table_one(data, by="hb_g_l")
    with pytest.raises(ArgumentError, match="not in `variables`"):
        table_one(data, variables=["hb_g_l"], categorical=["age_months"])
    with pytest.raises(ArgumentError, match="sexx"):
        table_one(data, by="sexx")


def test_table_one_forced_categorical_and_does_not_mutate():
    data = read_cohort("small")
    before = data.copy()
    t1 = table_one(data, variables=["hb_g_l", "adynamia"], categorical=["adynamia"])
    pd.testing.assert_frame_equal(data, before)
    levels = t1.summary[t1.summary["variable"] == "adynamia"]["level"].tolist()
    assert levels == ["no", "yes"]


# ---------------------------------------------------------------------------------------
# exports
# ---------------------------------------------------------------------------------------


def _export_table():
    data = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "grp": pd.Categorical(["a", "b", "a", "b"]),
            "odd": pd.Categorical(["<b>&", "50%_x|y", "<b>&", "<b>&"]),
        }
    )
    return table_one(data, by="grp", variables=["x"], labels={"x": "<script>x & y_1"})


@pytest.mark.slow
def test_exports_are_deterministic_and_written(tmp_path):
    t1 = _export_table()
    for fmt, ext in [("csv", "csv"), ("markdown", "md"), ("latex", "tex"), ("html", "html")]:
        export = getattr(t1, f"to_{fmt}")
        path = tmp_path / f"t1.{ext}"
        export(path)
        again = getattr(_export_table(), f"to_{fmt}")()
        assert path.read_bytes() == again.encode("utf-8")
        assert b"\r\n" not in path.read_bytes()


def test_csv_round_trips_the_summary(tmp_path):
    t1 = _export_table()
    t1.to_csv(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, t1.summary.astype(str), check_dtype=False)


def test_html_is_an_escaped_fragment():
    html = _export_table().to_html()
    assert html.startswith('<div class="b12cohort-table">')
    assert html.endswith("</div>\n")
    assert "<html" not in html
    assert "<style" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;x &amp; y_1" in html
    assert "Mann-Whitney" in html  # notes rendered below the table


def test_latex_and_markdown_escape_special_characters():
    latex = _export_table().to_latex()
    assert r"\textless{}script\textgreater{}x \& y\_1" in latex
    assert latex.startswith(r"\begin{tabular}")
    assert r"\toprule" in latex
    data = pd.DataFrame({"odd": pd.Categorical(["a|b", "c"])})
    md = table_one(data).to_markdown()
    assert r"a\|b" in md
    assert md.splitlines()[0].startswith("| Variable")


def test_repeated_variable_names_blank_in_rendered_tables_only():
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    t1 = table_one(data)
    assert t1.summary["variable"].tolist() == ["n", "x", "x"]
    md_rows = [line for line in t1.to_markdown().splitlines() if line.startswith("|")]
    assert md_rows[3].startswith("| x ")
    assert md_rows[4].startswith("|   ")


# ---------------------------------------------------------------------------------------
# the references are real and current
# ---------------------------------------------------------------------------------------


@requires_r
@pytest.mark.slow
def test_R_reference_script_reproduces_committed_files(tmp_path):
    fresh = rerun_reference("descriptive.R", tmp_path, into_folder=True)
    assert_close_nested(without_versions(R_JSON), fresh)
    for name in ("descriptive_cohort_small.csv", "descriptive_cohort_large.csv"):
        assert (tmp_path / name).read_bytes() == (REF / name).read_bytes(), name


@needs_contingency
def test_table_one_names_a_monte_carlo_fallback():
    data = read_cohort("small")
    data["anemia_grade"] = data["anemia_grade"].cat.remove_unused_categories()
    with pytest.warns(ApproximationWarning):
        t1 = table_one(data, by="anemia_grade", variables=["adynamia"], max_work=1)
    got = t1.tests.iloc[0]
    assert got["method"] == "monte-carlo"
    assert t1.summary.iloc[1]["test"] == f"{got['test']} (Monte Carlo)"
    ref = next(
        t for t in CAT_TESTS
        if (t["cohort"], t["by"], t["variable"]) == ("small", "anemia_grade", "adynamia")
    )  # fmt: skip
    assert got["p_value"] == pytest.approx(ref["p_value"], abs=0.03)  # 10^4 resamples: SE <= 0.005
    with pytest.raises(ArgumentError, match="max_work"):
        table_one(data, by="sex", max_work=0)


def test_table_one_all_missing_variable_and_empty_data():
    data = read_cohort("small")
    data["folate_ng_ml"] = np.nan
    data["maternal_b12_low"] = pd.array([pd.NA] * len(data), dtype="boolean")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        t1 = table_one(data, by="sex", variables=["folate_ng_ml", "maternal_b12_low"])
    rows = t1.summary.set_index("variable")
    assert rows.loc["folate_ng_ml", "Overall"].tolist() == ["-", "-"]
    assert rows.loc["folate_ng_ml", "missing"].iloc[0] == "30"
    assert rows.loc["maternal_b12_low", "Overall"] == "0 (-)"
    assert t1.tests["test"].tolist() == ["none", "none"]
    with pytest.raises(ArgumentError, match="no rows"):
        table_one(data.iloc[:0], variables=["hb_g_l"])
    with pytest.raises(ArgumentError, match="decimals"):
        table_one(data, variables=["hb_g_l"], decimals=-1)
