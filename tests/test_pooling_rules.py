"""pool_prevalence / compare_with_literature options and rules of issue 13, item 7.

Hartung-Knapp, the Q-profile interval and the GLMM through the public functions, against
the R values of tests/reference/meta_models.R (metafor 3.8-1, lme4 1.1-31):
DL + "hksj" 1e-6 (DL is closed-form), REML + "hksj" 1e-4 (metafor's REML stopping rule),
Q-profile 1e-6 (it depends on tau2 only through the search range), GLMM 1e-4.
Readings: property tests that every stated side matches the numbers.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from b12cohort import ApproximationWarning, ArgumentError, load_example
from b12cohort.paper._literature_readings import comparison_reading, position
from b12cohort.paper.literature import compare_with_literature, pool_prevalence
from b12cohort.stats.meta import POOLING_TEST, SINGLE_STUDY_TEST, clopper_pearson

REF = json.loads(
    (Path(__file__).resolve().parent / "reference" / "meta_models.json").read_text("utf-8")
)
CASES = REF["cases"]
IDS = [c["id"] for c in CASES]


def _pool(case, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return pool_prevalence(
            case["xi"], totals=case["ni"], confidence=case["confidence"], **kwargs
        )


@pytest.mark.parametrize("method", ["DL", "REML"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pool_prevalence_hksj_against_R(case, method):
    ref = case["knha"][method]
    res = _pool(case, method=method, ci_method="hksj")
    tol = 1e-6 if method == "DL" else 1e-4
    assert res.ci_method == "hksj" and res.df == ref["df"]
    assert res.mu == pytest.approx(ref["mu"], abs=tol), ref["call"]
    assert res.se == pytest.approx(ref["se"], abs=tol), ref["call"]
    assert res.ci_low == pytest.approx(special.expit(ref["ci_low"]), abs=tol), ref["call"]
    assert res.ci_high == pytest.approx(special.expit(ref["ci_high"]), abs=tol), ref["call"]
    if len(case["xi"]) >= 3:
        assert res.pi_low == pytest.approx(special.expit(ref["pi_low"]), abs=tol), ref["call"]
        assert res.pi_high == pytest.approx(special.expit(ref["pi_high"]), abs=tol), ref["call"]
    else:
        assert np.isnan(res.pi_low)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pool_prevalence_tau2_qprofile_against_R(case):
    ref = case["qprofile"]
    res = _pool(case, method="REML")
    assert res.tau2_ci_low == pytest.approx(ref["tau2_low"], abs=1e-6), ref["call"]
    if ref["tau2_high"] >= 100:  # metafor prints its search limit as ">100"
        assert res.tau2_ci_high == np.inf and "no upper bound" in res.note
    else:
        assert res.tau2_ci_high == pytest.approx(ref["tau2_high"], abs=1e-6), ref["call"]
        assert res.i2_ci_high == pytest.approx(ref["i2_high"], abs=1e-6), ref["call"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pool_prevalence_glmm_against_R(case):
    ref = case["glmm"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)  # no continuity correction
        res = pool_prevalence(
            case["xi"], totals=case["ni"], method="GLMM", confidence=case["confidence"]
        )
    assert res.estimator == "GLMM" and res.tau2_algorithm == "ml-agq7" and res.n_corrected == 0
    assert res.mu == pytest.approx(ref["mu"], abs=1e-4), ref["call"]
    assert res.tau2 == pytest.approx(ref["tau2"], abs=1e-4, rel=1e-5), ref["call"]
    for name in ("ci_low", "ci_high"):
        assert getattr(res, name) == pytest.approx(special.expit(ref[name]), abs=1e-4)
    assert np.isnan(res.q) and np.isnan(res.i2) and np.isnan(res.tau2_ci_low)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "GLMM", "transform": "ft"}, "logit"),
        ({"method": "GLMM", "ci_method": "hksj"}, "ci_method"),
        ({"ci_method": "knha"}, "ci_method"),
    ],
)
def test_option_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        pool_prevalence([3, 5, 7], totals=[10, 10, 10], **kwargs)


def test_glmm_without_finite_maximum_is_an_argument_error():
    with pytest.raises(ArgumentError, match="finite maximum"):
        pool_prevalence([9, 12], totals=[9, 12], method="GLMM")


def test_brain_atrophy_single_study_is_no_longer_a_pooled_95_percent():
    # issue 13: Goraya 2015's 9/9 was shown as a "pooled" 95 % (0.5 correction)
    table = compare_with_literature({"brain_atrophy": (1, 4)})
    row = table.iloc[0]
    assert (row["k"], row["synthesis"]) == (1, "single study")
    assert row["comparator_estimate"] == 1.0
    assert row["comparator_ci_low"] == pytest.approx(0.663732883, abs=1e-8)  # binom.test(9, 9)
    assert pd.isna(row["pooled_estimate"])
    assert "Goraya 2015, 100%" in row["reading"] and "not pooled" in row["reading"]


def test_a_single_study_carries_the_exact_method_not_random_effects():
    one = pool_prevalence([9], totals=[9], studies=["Goraya 2015"])
    assert (one.pooled, one.method, one.ci_method) == (False, "exact", "clopper-pearson")
    assert one.test == SINGLE_STUDY_TEST
    two = pool_prevalence([9, 12], totals=[10, 20])
    assert (two.method, two.test) == ("random-effects", POOLING_TEST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        table = compare_with_literature(load_example())
    assert set(table["k"]) >= {1, 2}  # the bundled literature has both cases
    for row in table.itertuples():
        expected = ("not-tested", "exact", "random-effects")[min(row.k, 2)]
        assert row.method == expected, row.sign
        if row.k == 1:
            assert (row.test, row.ci_method) == (SINGLE_STUDY_TEST, "clopper-pearson")
            assert "pooled" not in row.reading.replace("not pooled", ""), row.reading
        if row.k >= 2:
            assert row.test == POOLING_TEST and "pooled" in row.reading


def test_readings_follow_the_number_of_studies():
    counts = {"hypotonia": (19, 19), "developmental_delay": (12, 19), "seizures": (1, 19)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        table = compare_with_literature(counts).set_index("sign")
    assert "nothing is compared" in table.loc["seizures", "reading"]
    one = table.loc["hypotonia", "reading"]
    assert "One published series" in one and "prediction" not in one and "τ²" not in one
    two = table.loc["developmental_delay", "reading"]
    assert "2 published series pooled" in two and "no prediction interval" in two
    assert "τ²" not in two


_percent = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    p=_percent,
    bounds=st.tuples(_percent, _percent, _percent, _percent).map(sorted),
    k=st.integers(0, 6),
)
def test_reading_states_the_side_the_numbers_show(p, bounds, k):
    ci_lo, pi_lo, pi_hi, ci_hi = bounds[0], bounds[0], bounds[3], bounds[3]
    pooled_lo, pooled_hi = bounds[1], bounds[2]
    row = {
        "sign": "tremor", "confidence": 0.95, "events": 3, "total": 10, "proportion": p,
        "ci_low": min(p, ci_lo), "ci_high": max(p, ci_hi), "k": k, "studies": "A 2020",
        "comparator_estimate": (pooled_lo + pooled_hi) / 2, "comparator_ci_low": pooled_lo,
        "comparator_ci_high": pooled_hi, "pooled_estimate": (pooled_lo + pooled_hi) / 2,
        "pooled_ci_low": pooled_lo, "pooled_ci_high": pooled_hi, "pi_low": pi_lo,
        "pi_high": pi_hi, "tau2": 0.3, "tau2_ci_low": 0.0, "tau2_ci_high": 2.0,
        "method": "REML", "ci_method": "wald",
    }  # fmt: skip
    text = comparison_reading(row)
    if k == 1:
        overlap = not (row["ci_high"] < pooled_lo or row["ci_low"] > pooled_hi)
        assert ("intervals overlap" in text) == overlap
        assert ("entirely below" in text) == (row["ci_high"] < pooled_lo)
        assert ("entirely above" in text) == (row["ci_low"] > pooled_hi)
    elif k == 2:
        side = position(p, pooled_lo, pooled_hi)
        assert re.search(rf"lies {side} the pooled interval", text)
        assert "prediction interval is given" in text
    elif k >= 3:
        side = position(p, pi_lo, pi_hi)
        assert re.search(rf"lies {side} it", text)
        assert ("unusual" in text) == (side != "inside")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_multisite_prevalence_row_follows_the_same_rules(k):
    from b12cohort.multisite.pool import _prevalence_row

    used = [(f"site {i}", {"events": 3 + i, "n": 10 + i}) for i in range(k)]
    row = _prevalence_row("hypotonia", used, 0.95)
    reading = row["reading"]
    if k == 1:
        assert "one site only" in reading and "I²" not in reading
        low, high = clopper_pearson(events=[3], n=[10])
        assert (row["ci_low"], row["ci_high"]) == (low[0], high[0])
    elif k == 2:
        assert "heterogeneity is not read" in reading and "I²" not in reading
    else:
        assert "I² =" in reading
