"""Tests for the R-parity helpers against R 4.2.2: ``cor.test(method = "pearson")``,
``fisher.test(or = )`` (2x2) and ``binom.test(p = )``.

Reference: tests/reference/parity.R. Tolerances: exact p-values 1e-9 (relative, they are
sums of the same terms); Pearson's t test and Fisher-z interval 1e-9 (closed forms).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions
from scipy import stats

from b12cohort.stats._fisher_or import fisher_or_pvalue
from b12cohort.stats._pearson import pearson_test

REF = json.loads((REFERENCE / "parity.json").read_text(encoding="utf-8"))


def _num(v):
    return math.nan if v is None else v


@pytest.mark.parametrize("case", REF["pearson"], ids=[c["call"] for c in REF["pearson"]])
def test_pearson_against_R_cor_test(case):
    got = pearson_test(
        case["x"], case["y"], confidence=case["confidence"], alternative=case["alternative"]
    )
    for name in ("estimate", "statistic", "df", "p_value"):
        assert got[name] == pytest.approx(case[name], rel=1e-9, abs=1e-12), (name, case["call"])
    for name in ("ci_low", "ci_high"):
        assert got[name] == pytest.approx(_num(case[name]), abs=1e-9, nan_ok=True), (
            name,
            case["call"],
        )


@pytest.mark.parametrize("case", REF["fisher"], ids=[c["call"] for c in REF["fisher"]])
def test_fisher_odds_ratio_null_against_R(case):
    table = np.array(case["table"])
    got = fisher_or_pvalue(table, case["odds_ratio_null"], case["alternative"])
    assert got == pytest.approx(case["p_value"], rel=1e-9, abs=1e-15), case["call"]


@pytest.mark.parametrize("case", REF["binom"], ids=[c["call"] for c in REF["binom"]])
def test_binomial_null_against_R_binom_test(case):
    got = stats.binomtest(
        case["k"], case["n"], case["null"], alternative=case["alternative"]
    ).pvalue
    assert got == pytest.approx(case["p_value"], rel=1e-9, abs=1e-15), case["call"]


def test_fisher_at_or_one_is_the_ordinary_test():
    table = np.array([[6, 7], [0, 6]])
    assert fisher_or_pvalue(table, 1.0, "two-sided") == pytest.approx(
        stats.fisher_exact(table).pvalue, rel=1e-12
    )


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("parity.R", tmp_path) == without_versions(REF)
