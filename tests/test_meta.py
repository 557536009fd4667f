"""Tests for b12cohort.stats.meta.pool_correlation against R ``metafor::rma`` (metafor 4.x).

Reference: tests/reference/stratified.R (``correlation_pooling``: ``rma(yi = atanh(rho),
vi = 1/(n - 3), method = "REML")``). Tolerance 1e-6 relative: metafor stops Fisher
scoring at a change of 1e-5 in tau², as the shared REML engine does. The multi-site
pooling (:func:`b12cohort.pool_sites`) calls this function.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import REFERENCE

import b12cohort
from b12cohort import ArgumentError
from b12cohort.stats.meta import pool_correlation

REF = json.loads((REFERENCE / "stratified.json").read_text(encoding="utf-8"))
CASES = REF["correlation_pooling"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
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
