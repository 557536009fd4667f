"""Tests for b12cohort.stats.survival_compare against R 4.2.2 ``survival::survdiff``.

Reference: tests/reference/survival_compare.R. Tolerance 1e-9 (relative) on the
chi-squared statistic, p-value, observed and expected events and the variance diagonal
(the same sums in a different order).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError
from b12cohort.stats.survival_compare import survival_compare

REF = json.loads((REFERENCE / "survival_compare.json").read_text(encoding="utf-8"))
CASES = REF["cases"]


def _frame(case) -> pd.DataFrame:
    return pd.DataFrame({"time": case["time"], "event": case["event"], "group": case["group"]})


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_survival_compare_against_R_survdiff(case):
    res = survival_compare(_frame(case), time="time", event="event", by="group")
    call = case["call"]
    assert res.statistic == pytest.approx(case["chisq"], rel=1e-9), call
    assert res.df == case["df"]
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9), call
    g = res.groups
    np.testing.assert_allclose(g["n"], case["n"])
    np.testing.assert_allclose(g["observed"], case["obs"])
    np.testing.assert_allclose(g["expected"], case["exp"], rtol=1e-9)
    np.testing.assert_allclose(
        g["observed"] - g["expected"], np.array(case["obs"]) - case["exp"], atol=1e-9
    )
    var = (g["observed"] - g["expected"]) ** 2 / g["oe2_v"]
    np.testing.assert_allclose(var, case["var_diag"], rtol=1e-9)


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("survival_compare.R", tmp_path) == without_versions(REF)


def test_boolean_events_and_empty_groups():
    case = CASES[0]
    d = _frame(case)
    d["event"] = d["event"].astype(bool)
    d["group"] = pd.Categorical(d["group"], categories=[1, 2, 3])
    res = survival_compare(d, time="time", event="event", by="group")
    assert res.statistic == pytest.approx(case["chisq"], rel=1e-9)
    assert "dropped: 3" in res.note


def test_bad_inputs_are_refused_with_the_rule():
    d = pd.DataFrame({"t": [1.0, 2, 3], "e": [1, 2, 0], "g": [1, 1, 2]})
    with pytest.raises(ArgumentError, match="0/1"):
        survival_compare(d, time="t", event="e", by="g")
    d["e"] = [1, 1, 0]
    d["g"] = [1, 1, 1]
    with pytest.raises(ArgumentError, match="at least two"):
        survival_compare(d, time="t", event="e", by="g")
