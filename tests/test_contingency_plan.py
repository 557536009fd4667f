"""The up-front exact / Monte Carlo decision of fisher_exact_table (b12cohort.stats._fexact_plan).

No R reference here: these pin the decision's behaviour (the p-values themselves are
pinned to R fisher.test in tests/test_contingency.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from b12cohort.core.errors import ApproximationWarning, ExactTestInfeasibleError
from b12cohort.stats import _fexact, _fexact_plan
from b12cohort.stats.contingency import fisher_exact_table


def test_bound_is_never_below_the_work_charged():
    rng = np.random.default_rng(20220801)
    for _ in range(60):
        r, c = int(rng.integers(3, 5)), int(rng.integers(3, 6))
        t = rng.multinomial(int(rng.integers(10, 60)), rng.dirichlet(np.ones(r * c))).reshape(r, c)
        t = t[t.sum(1) > 0][:, t.sum(0) > 0]
        if min(t.shape) < 2:
            continue
        _, bound = _fexact_plan.work_estimate(_fexact.prepare(t)[0])
        _, work = _fexact.fexact_pvalue(t, max_work=10**9)
        assert work <= bound


def test_hopeless_table_goes_to_monte_carlo_without_enumerating(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("enumeration started")

    monkeypatch.setattr(_fexact, "fexact_pvalue", refuse)
    table = [[110, 100, 120], [105, 115, 95], [120, 110, 125]]
    with pytest.warns(ApproximationWarning, match="no enumeration done"):
        res = fisher_exact_table(table)
    assert res.method == "monte-carlo" and res.work > res.max_work
    assert res.method_detail.startswith("Monte Carlo (10,000 resamples, seed 20220801)")
    assert "beyond max_work=10,000,000" in res.method_detail
    with pytest.raises(ExactTestInfeasibleError, match="estimated before enumerating"):
        fisher_exact_table(table, p_method="exact")


def test_wrong_estimate_falls_back_and_says_so(monkeypatch):
    monkeypatch.setattr(_fexact_plan, "work_estimate", lambda x: (1.0, float("inf")))
    table = [[110, 100, 120], [105, 115, 95], [120, 110, 125]]
    with pytest.warns(ApproximationWarning, match="estimate"):
        res = fisher_exact_table(table, max_work=100_000)
    assert res.method == "monte-carlo"
    assert "met the budget" in res.method_detail and "fell back" in res.method_detail
    with pytest.raises(ExactTestInfeasibleError, match="beforehand"):
        fisher_exact_table(table, max_work=100_000, p_method="exact")


def test_exact_result_says_its_work():
    res = fisher_exact_table([[5, 3, 8], [6, 2, 7], [4, 9, 6]])
    assert res.method == "exact"
    assert res.method_detail.startswith("exact: at most ")
    assert f"{res.work:,} used" in res.method_detail
    assert fisher_exact_table([[3, 1], [1, 3]]).method_detail.startswith("exact: R fisher.test")
