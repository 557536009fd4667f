"""Tests for b12cohort.stats.unconditional (Boschloo's and Barnard's exact tests) against R.

Reference: tests/reference/unconditional.R, brute force in R (R's Exact package is not in
Debian): the supremum over the nuisance of the binomial probability of the tables at
least as extreme, on a grid of 20,001 points refined with optimize(). Tolerance: 1e-9
absolute on p (the two agree to ~1e-14), 1e-12 on the statistic.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions
from scipy import stats

import b12cohort
from b12cohort import ArgumentError, ExactTestInfeasibleError
from b12cohort.stats.unconditional import unconditional_exact

REF = json.loads((REFERENCE / "unconditional.json").read_text(encoding="utf-8"))
RECORDS = REF["records"]


def _frame(k0, n0, k1, n1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": [False] * n0 + [True] * n1,
            "event": [True] * k0 + [False] * (n0 - k0) + [True] * k1 + [False] * (n1 - k1),
        }
    )


@pytest.mark.parametrize(
    "rec", RECORDS, ids=[f"{r['case']}-{r['method']}-{r['alternative']}" for r in RECORDS]
)
def test_p_value_against_R_brute_force(rec):
    d = _frame(rec["k0"], rec["n0"], rec["k1"], rec["n1"])
    res = unconditional_exact(
        d, x="group", y="event", method=rec["method"], alternative=rec["alternative"]
    )
    assert res.method == "exact"
    assert res.p_value == pytest.approx(rec["p_value"], abs=1e-9), rec["call"]
    assert res.statistic == pytest.approx(rec["statistic"], abs=1e-12)
    assert res.n == rec["n0"] + rec["n1"]
    assert res.estimate == pytest.approx(rec["k1"] / rec["n1"] - rec["k0"] / rec["n0"])
    assert 0.0 <= res.nuisance <= 1.0


def test_the_reference_covers_the_brief():
    cases = {r["case"] for r in RECORDS}
    assert {"n3", "all_one_level", "no_difference", "negative", "chan1998"} <= cases
    assert {r["alternative"] for r in RECORDS} == {"two-sided", "less", "greater"}
    assert {r["method"] for r in RECORDS} == {"boschloo", "barnard"}


def test_scipy_agrees_where_no_statistic_is_tied_in_floating_point():
    """Same definitions as SciPy; it differs only where it misses float-tied tables."""
    rec = next(
        r for r in RECORDS if (r["case"], r["method"], r["alternative"]) == (
            "paper_like", "barnard", "greater")
    )  # fmt: skip
    table = [[rec["k1"], rec["k0"]], [rec["n1"] - rec["k1"], rec["n0"] - rec["k0"]]]
    assert stats.barnard_exact(table, alternative="greater").pvalue == pytest.approx(
        rec["p_value"], abs=1e-7
    )
    assert stats.boschloo_exact(table, alternative="greater").pvalue == pytest.approx(
        unconditional_exact(_frame(2, 9, 6, 10), x="group", y="event", alternative="greater")
        .p_value, abs=1e-7,
    )  # fmt: skip


def test_published_example_mehta_senchaudhuri():
    # vaccine 7/15 infected vs placebo 12/15: Barnard one-sided p = 0.0341 (Mehta &
    # Senchaudhuri 2003; SciPy's docstring example gives 0.0341 too)
    d = _frame(12, 15, 7, 15)
    res = unconditional_exact(d, x="group", y="event", method="barnard", alternative="less")
    assert round(res.p_value, 4) == 0.0341
    # Fisher's one-sided p for the same table is 0.0641: Barnard is more powerful here
    fis = b12cohort.fisher_exact(d, row="group", col="event", alternative="less")
    assert fis.p_value > res.p_value


def test_never_less_powerful_than_fisher_one_sided():
    for k0, n0, k1, n1 in [(2, 9, 6, 10), (0, 7, 7, 7), (4, 15, 14, 25)]:
        d = _frame(k0, n0, k1, n1)
        bos = unconditional_exact(d, x="group", y="event", alternative="greater")
        fis = b12cohort.fisher_exact(d, row="group", col="event", alternative="greater")
        assert bos.p_value <= fis.p_value + 1e-12


def test_categorical_levels_missing_values_and_the_data_is_not_modified():
    d = _frame(2, 9, 6, 10)
    d["group"] = pd.Categorical(
        np.where(d["group"], "high", "low"), categories=["low", "high"], ordered=True
    )
    d["event"] = d["event"].astype("boolean")
    d.loc[0, "event"] = pd.NA
    before = d.copy()
    res = unconditional_exact(d, x="group", y="event")
    pd.testing.assert_frame_equal(d, before)
    assert (res.group_low, res.group_high) == ("low", "high")
    assert res.n_missing == 1 and res.n == 18 and res.events_low == 1
    assert res.table.shape == (2, 2)


def test_an_empty_group_is_not_tested():
    d = pd.DataFrame(
        {
            "group": pd.Categorical(["a"] * 4, categories=["a", "b"]),
            "event": [True, False, True, True],
        }
    )
    res = unconditional_exact(d, x="group", y="event")
    assert res.method == "not-tested" and math.isnan(res.p_value)
    assert "'b' has no complete observation" in res.note


def test_all_one_outcome_gives_one_and_says_why():
    res = unconditional_exact(_frame(0, 5, 0, 4), x="group", y="event", method="barnard")
    assert res.p_value == pytest.approx(1.0)
    assert "same outcome" in res.note


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "fisher"}, ArgumentError, "method"),
        ({"alternative": "bigger"}, ArgumentError, "alternative"),
        ({"n_points": 1}, ArgumentError, "n_points"),
        ({"max_work": 10}, ExactTestInfeasibleError, "max_work=10"),
        ({"x": "grade"}, ArgumentError, "exactly two levels"),
        ({"x": "nope"}, ArgumentError, "nope"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    d = _frame(2, 9, 6, 10).assign(grade=[1, 2, 3] * 6 + [1])
    args = {"x": "group", "y": "event", **kwargs}
    with pytest.raises(error, match=match):
        unconditional_exact(d, **args)


def test_exported_keyword_only():
    assert b12cohort.unconditional_exact is unconditional_exact
    with pytest.raises(TypeError):
        unconditional_exact(_frame(1, 2, 1, 2), "group", "event")  # type: ignore[misc]


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("unconditional.R", tmp_path, timeout=900) == without_versions(REF)
