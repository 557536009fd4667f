"""Tests for b12cohort.stats.meta: pool_prevalence against R metafor (tests/reference/literature.R)
and pool_correlation against R metafor (tests/reference/stratified.R).

pool_prevalence: DL 1e-6 absolute on every pinned number; REML 1e-4 (metafor stops its
Fisher scoring when tau2 changes by <= 1e-5, so the last digits depend on the stopping
rule); exact Clopper-Pearson limits against R binom.test 1e-9. The comparison with the
published series (paper.literature) is tested in tests/test_literature.py.

pool_correlation: ``rma(yi = atanh(rho), vi = 1/(n - 3), method = "REML")``, 1e-6
relative (the same stopping rule). The multi-site pooling (:func:`b12cohort.pool_sites`)
calls this function.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import b12cohort
from b12cohort import ApproximationWarning, ArgumentError
from b12cohort.stats.meta import clopper_pearson, pool_correlation, pool_prevalence

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


def test_reml_fallback_to_bounded_search_finds_the_same_optimum(monkeypatch):
    import b12cohort.stats._meta_pool as meta_pool

    case = next(c for c in CASES if c["id"] == "heterogeneous/REML/PLO")
    monkeypatch.setattr(meta_pool, "_MAXITER", 1)  # Fisher scoring cannot converge in one step
    with pytest.warns(ApproximationWarning, match="bounded 1-D search"):
        res = pool_prevalence(case["xi"], totals=case["ni"], method="REML")
    assert res.tau2_algorithm == "bounded-brent"
    assert res.tau2 == pytest.approx(case["tau2"], abs=1e-4), case["call"]
    assert res.estimate == pytest.approx(case["estimate"], abs=1e-4)


# ---------------------------------------------------------------- pool_correlation
CORRELATION = json.loads((REFERENCE / "stratified.json").read_text(encoding="utf-8"))[
    "correlation_pooling"
]


@pytest.mark.parametrize("case", CORRELATION, ids=[c["id"] for c in CORRELATION])
def test_pooled_correlation_against_metafor(case):
    r = pool_correlation(np.arctanh(case["rho"]), n=case["n"])
    for key in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p_value", "p_value"):
        assert getattr(r, key) == pytest.approx(case[key], rel=1e-6, abs=1e-9), key
    assert (r.k, r.q_df, r.pooled) == (len(case["n"]), len(case["n"]) - 1, True)
    assert (r.method, r.estimator) == ("random-effects", "REML")
    assert r.n == sum(case["n"])


def test_one_study_is_shown_alone_with_its_fisher_z_interval():
    r = pool_correlation([math.atanh(-0.22)], n=[19])
    assert (r.pooled, r.method, r.k) == (False, "asymptotic", 1)
    assert r.estimate == pytest.approx(-0.22, abs=1e-15)
    half = 1.959963984540054 / 4  # qnorm(0.975) * sqrt(1 / (19 - 3))
    assert r.ci_low == pytest.approx(math.tanh(math.atanh(-0.22) - half), abs=1e-12)
    assert all(math.isnan(v) for v in (r.tau2, r.i2, r.q, r.q_p_value))


def test_it_is_exported_and_the_site_pooling_uses_it():
    assert b12cohort.pool_correlation is pool_correlation
    import b12cohort.multisite.pool as pool

    assert not hasattr(pool, "pool_correlation")  # one copy, in stats.meta


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ([[]], {"n": []}, "k = 0"),
        ([[0.1, 0.2]], {"n": [19]}, "2 values but `n` has 1"),
        ([[0.1]], {"n": [3]}, "above 3"),
        ([[np.inf]], {"n": [19]}, "finite"),
        ([[0.1]], {"n": [19], "confidence": 95}, "confidence"),
    ],
)
def test_bad_arguments_name_the_problem(args, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        pool_correlation(*args, **kwargs)


def test_pool_correlation_names_itself_when_reml_falls_back(monkeypatch):
    import b12cohort.stats._meta_pool as meta_pool

    case = CORRELATION[0]
    expected = pool_correlation(np.arctanh(case["rho"]), n=case["n"])
    monkeypatch.setattr(meta_pool, "_MAXITER", 0)
    with pytest.warns(ApproximationWarning, match=r"^pool_correlation\(\): REML Fisher scoring"):
        res = pool_correlation(np.arctanh(case["rho"]), n=case["n"])
    assert "bounded 1-D search" in res.method_detail
    assert res.tau2 == pytest.approx(expected.tau2, abs=1e-6)
