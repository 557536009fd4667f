"""inline(): every result of the package as a journal prints it, numbers from the result."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import b12cohort
from b12cohort import ArgumentError, inline
from b12cohort.core.results import Result
from b12cohort.paper.inline import format_ci, format_p_inline, format_pct

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")


@pytest.fixture(scope="module")
def cohort():
    included, _ = b12cohort.apply_eligibility(b12cohort.load_example())
    rng = np.random.default_rng(1)
    k = np.arange(len(included))
    return included.assign(
        hb_after=included["hb_g_l"] + rng.integers(5, 30, len(included)),
        site=np.where(k % 2 == 0, "A", "B"),
        time=k % 7 + 1,
        event=k % 3 > 0,
    )


#: One way to obtain each Result type of the package (data: the example plus a few columns).
MAKERS = {
    "FisherResult": lambda d: b12cohort.fisher_exact(d, row="hyporeflexia", col="sex"),
    "TrendResult": lambda d: b12cohort.trend_test(d, outcome="adynamia", ordinal="anemia_grade"),
    "GroupComparison": lambda d: b12cohort.compare_groups(d, value="hb_g_l", by="adynamia"),
    "CorrelationResult": lambda d: b12cohort.correlation(d, x="neuro_score", y="hb_g_l"),
    "LogisticResult": lambda d: b12cohort.logistic(d, outcome="adynamia", predictors=["hb_g_l"]),
    "MantelHaenszelResult": lambda d: b12cohort.mantel_haenszel(
        d, outcome="adynamia", exposure="hyporeflexia", strata="sex"
    ),
    "StratifiedTrendResult": lambda d: b12cohort.stratified_trend_test(
        d, outcome="adynamia", ordinal="anemia_grade", strata="sex"
    ),
    "StratifiedComparison": lambda d: b12cohort.stratified_compare_groups(
        d, value="hb_g_l", by="adynamia", strata="sex"
    ),
    "OrdinalAssociation": lambda d: b12cohort.ordinal_association(
        d, x="neuro_score", y="anemia_grade"
    ),
    "OrdinalRegression": lambda d: b12cohort.ordinal_regression(
        d, outcome="anemia_grade", predictors=["neuro_score"]
    ),
    "PairedComparison": lambda d: b12cohort.compare_paired(d, before="hb_g_l", after="hb_after"),
    "SurvivalComparison": lambda d: b12cohort.survival_compare(
        d, time="time", event="event", by="sex"
    ),
    "PooledPrevalence": lambda d: b12cohort.pool_prevalence(
        pd.DataFrame({"events": [5, 8, 12], "total": [20, 30, 25]})
    ),
    "PooledCorrelation": lambda d: b12cohort.pool_correlation([0.2, 0.4, -0.1], n=[20, 35, 18]),
    "UnconditionalResult": lambda d: b12cohort.unconditional_exact(d, x="hyporeflexia", y="sex"),
    "DetectableCorrelation": lambda d: b12cohort.detectable_correlation(n=len(d)),
    "CorrelationEquivalence": lambda d: b12cohort.correlation_equivalence(
        d, x="neuro_score", y="hb_g_l", bound=0.5
    ),
    "CorrelationSampleSize": lambda d: b12cohort.sample_size_correlation(rho=0.5),
    "CompatibilityResult": lambda d: b12cohort.compatible_tables(n_with=12, n_total=19),
    "CaseProfile": lambda d: b12cohort.case_profile(d, patient_id="K07"),
    "TreatmentCourse": lambda d: b12cohort.treatment_course(d),
    "MultiSiteResult": lambda d: b12cohort.pool_sites(
        [b12cohort.site_summary(d[d["site"] == s], site=s) for s in "AB"]
    ),
}
#: Results holding one result per row of a table: inline needs row=.
TABLE_RESULTS = {
    "LogisticResult": "hb_g_l",
    "OrdinalRegression": "neuro_score",
    "MultiSiteResult": 2,
}


def _result_classes() -> set[str]:
    names = set()
    for info in pkgutil.walk_packages(b12cohort.__path__, "b12cohort."):
        if ".vantage6" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Result) and obj is not Result and obj.__module__ == info.name:
                names.add(name)
    return names - {"ManuscriptResults"}  # a bundle of results, not a result


def test_every_result_type_of_the_package_has_a_maker():
    assert _result_classes() == set(MAKERS)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_inline_formats_every_result_type(name, cohort):
    result = MAKERS[name](cohort)
    assert type(result).__name__ == name
    if name in TABLE_RESULTS:
        with pytest.raises(ArgumentError, match="row="):
            inline(result)
        text = inline(result, row=TABLE_RESULTS[name])
    else:
        text = inline(result)
    assert isinstance(text, str) and text
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    p = fields.get("p_value")
    if isinstance(p, float) and np.isfinite(p) and name not in TABLE_RESULTS:
        assert format_p_inline(p) in text  # the result's own p-value
        assert str(fields["test"]) in text  # and the test that produced it
    est = fields.get("estimate")
    if isinstance(est, float) and np.isfinite(est) and name not in ("PooledPrevalence",):
        assert f"{abs(est):.2f}" in text


def test_a_proportion_is_printed_as_journals_do(cohort):
    prev = b12cohort.prevalence(cohort)
    for row in prev.itertuples():
        text = inline(prev, row=row.variable)
        expected = (
            f"{row.events} of {row.n} ({100 * row.proportion:.0f}%; 95% CI "
            f"{100 * row.ci_low:.0f}–{100 * row.ci_high:.0f}%)"
        )
        assert text == expected


def test_all_19_of_19_gives_the_clopper_pearson_lower_limit():
    # Clopper-Pearson for 19/19: the lower limit solves p^19 = 0.025
    low = 0.025 ** (1 / 19)
    row = {"events": 19, "n": 19, "proportion": 1.0, "ci_low": low, "ci_high": 1.0,
           "confidence": 0.95}  # fmt: skip
    assert inline(row) == f"19 of 19 (100%; 95% CI {100 * low:.0f}–100%)"
    assert inline(row, pct_digits=1) == f"19 of 19 (100.0%; 95% CI {100 * low:.1f}–100.0%)"


def test_a_pattern_chooses_the_fields(cohort):
    res = b12cohort.correlation(cohort, x="neuro_score", y="hb_g_l")
    text = inline(res, pattern="{label} {estimate}, {conf_level} CI {ci_low}, {ci_high}; {p}")
    assert text.startswith("ρ ")
    assert format_p_inline(res.p_value) in text
    with pytest.raises(ArgumentError, match="placeholder"):
        inline(res, pattern="{rho}")


@pytest.mark.parametrize(
    ("p", "digits", "expected"),
    [
        (0.0004, 3, "p < 0.001"),
        (0.001, 3, "p = 0.001"),
        (0.0341, 3, "p = 0.034"),
        (0.5, 3, "p = 0.500"),
        (0.046, 2, "p = 0.046"),  # below 0.1 never rounded to 0.05
        (0.34, 2, "p = 0.34"),
        (0.996, 2, "p > 0.99"),
        (float("nan"), 3, "p not computed"),
    ],
)
def test_p_values(p, digits, expected):
    assert format_p_inline(p, p_digits=digits) == expected


@given(
    st.floats(-1, 1, allow_nan=False),
    st.floats(-1, 1, allow_nan=False),
)
def test_an_interval_uses_to_when_a_limit_is_negative(a, b):
    low, high = min(a, b), max(a, b)
    text = format_ci(low, high)
    shown_low, shown_high = f"{low:.2f}", f"{high:.2f}"
    negative = (shown_low.startswith("-") and float(shown_low) != 0) or (
        shown_high.startswith("-") and float(shown_high) != 0
    )
    assert (" to " in text) == negative and ("–" in text) == (not negative)
    assert "-" not in text  # a true minus sign, never a hyphen
    nums = [float(x.replace("−", "-")) for x in re.findall(r"−?\d+\.\d+", text)]
    assert nums == pytest.approx([low, high], abs=0.0051)  # rounded to 2 decimals


@given(st.floats(0, 1, allow_nan=False))
def test_a_percentage_rounds_the_proportion(p):
    assert format_pct(p) == f"{100 * p:.0f}%".replace("-0%", "0%")


def test_errors_name_the_problem(cohort):
    prev = b12cohort.prevalence(cohort)
    with pytest.raises(ArgumentError, match="choose one with row="):
        inline(prev)
    with pytest.raises(ArgumentError, match="holds: hypotonia"):
        inline(prev, row="not a sign")
    with pytest.raises(ArgumentError, match="out of range"):
        inline(prev, row=99)
    with pytest.raises(ArgumentError, match="cannot format a list"):
        inline([1, 2])
    with pytest.raises(ArgumentError, match="no proportion, estimate or p-value"):
        inline({"test": "none"})


def test_a_pooled_correlation_is_an_estimate_and_a_risk_difference_is_named(cohort):
    """A pooled correlation is not a pooled prevalence (no percentages), and the unconditional
    exact tests' estimate is named for what it is."""
    pooled = b12cohort.pool_correlation([0.2, 0.4, -0.1], n=[20, 35, 18])
    text = inline(pooled)
    assert text.startswith(f"pooled r = {pooled.estimate:.2f} (95% CI ")
    assert f"{100 * pooled.estimate:.0f}%" not in text  # not a percentage
    res = b12cohort.unconditional_exact(cohort, x="hyporeflexia", y="sex")
    assert inline(res).startswith(f"risk difference = {res.estimate:.2f}".replace("-", "−"))
