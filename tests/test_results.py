"""Every result class derives from core.results.Result, names its test and a method token.

The tokens are checked on results computed from the bundled example cohort, so a result
whose ``method`` is prose (as it was before 0.2.0) fails here.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import warnings

import pandas as pd
import pytest

import b12cohort
from b12cohort.core.results import METHOD_TOKENS, Result


def _all_result_classes() -> list[type]:
    for info in pkgutil.walk_packages(b12cohort.__path__, "b12cohort."):
        if info.name.split(".")[1] in {"cli", "report", "__main__"}:
            continue
        importlib.import_module(info.name)
    found, todo = [], list(Result.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


RESULT_CLASSES = _all_result_classes()
EXPECTED = {
    "FisherResult",
    "TrendResult",
    "GroupComparison",
    "CorrelationResult",
    "DetectableCorrelation",
    "CorrelationEquivalence",
    "LogisticResult",
    "TreatmentCourse",
    "PooledPrevalence",
    "CaseProfile",
    "CompatibilityResult",
}


def test_every_result_class_of_stats_and_paper_derives_from_result():
    assert {c.__name__ for c in RESULT_CLASSES} >= EXPECTED


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_result_class_has_test_and_method_fields(cls):
    names = {f.name for f in dataclasses.fields(cls)}
    assert {"test", "method"} <= names, cls
    # multi-row summaries by contract: CompatibilityResult's is one row per table (issue 16)
    multi_row = {"TreatmentCourse", "CaseProfile", "CompatibilityResult"}
    assert "summary" not in cls.__dict__ or cls.__name__ in multi_row


@pytest.fixture(scope="module")
def example_results() -> dict[str, Result]:
    df = b12cohort.load_example()
    df = df.assign(neuro_score=b12cohort.neuro_score(df))
    lit = b12cohort.load_literature()
    hyp = lit[(lit["sign"] == "hypotonia") & (lit["role"] == "comparator")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "fisher": b12cohort.fisher_exact(df, row="adynamia", col="anemia_grade"),
            "fisher_table": b12cohort.fisher_exact_table([[3, 1], [1, 3]]),
            "trend": b12cohort.trend_test(df, outcome="adynamia", ordinal="anemia_grade"),
            "trend_auto": b12cohort.trend_test(
                df, outcome="adynamia", ordinal="anemia_grade", p_method="auto"
            ),
            "groups": b12cohort.compare_groups(df, value="hb_g_l", by="adynamia"),
            "correlation": b12cohort.correlation(df, x="neuro_score", y="hb_g_l"),
            "correlation_exact": b12cohort.correlation(
                df.head(8), x="neuro_score", y="hb_g_l", p_method="permutation"
            ),
            "detectable": b12cohort.detectable_correlation(n=len(df)),
            "equivalence": b12cohort.correlation_equivalence(
                df, x="neuro_score", y="hb_g_l", bound=0.5
            ),
            "logistic": b12cohort.logistic(df, outcome="developmental_delay", predictors="hb_g_l"),
            "firth": b12cohort.logistic(
                df, outcome="developmental_delay", predictors="hb_g_l", firth=True
            ),
            "course": b12cohort.treatment_course(df),
            "pooled": b12cohort.pool_prevalence(hyp),
            "case": b12cohort.case_profile(df, patient_id=str(df["patient_id"].iloc[0])),
            "audit": b12cohort.compatible_tables(n_with=12, grade_counts=[4, 13, 2]),
        }


def test_the_example_results_cover_every_result_class(example_results):
    assert {type(r).__name__ for r in example_results.values()} == EXPECTED


@pytest.mark.parametrize(
    "name",
    ["fisher", "fisher_table", "trend", "trend_auto", "groups", "correlation",
     "correlation_exact", "detectable", "equivalence", "logistic", "firth", "course",
     "pooled", "case", "audit"],
)  # fmt: skip
def test_method_is_a_token_and_the_summary_and_dict_derive_from_the_fields(example_results, name):
    res = example_results[name]
    assert res.method in METHOD_TOKENS, (name, res.method)
    assert isinstance(res.test, str) and res.test
    assert " (" not in res.method
    assert isinstance(res.summary, pd.DataFrame)
    assert res.to_dict()["method"] == res.method
    assert "<table" in res._repr_html_()


def test_association_summary_methods_are_tokens():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = b12cohort.association_summary(b12cohort.load_example())
    assert set(table["method"]) <= set(METHOD_TOKENS)
