"""Tests for b12cohort.stats._fexact_fast: the fast paths of the exact R×C p-value.

Reference: tests/reference/fexact_two_row.R (R 4.2.2): p-values of 2×C tables by full
enumeration in base R (and fisher.test where its workspace allows), so the two-row path
is pinned to R beyond what fisher.test can do. Tolerances: 1e-9 relative against the R
enumeration (both sum the same probabilities in a different order; ``lchoose`` and
``lgamma`` round differently at N in the thousands, ~1e-12); 1e-12 relative between our
own paths (full enumeration vs the two-row network vs the general network).
"""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions
from scipy.special import gammaln

from b12cohort.stats import _fexact, _fexact_fast
from b12cohort.stats.contingency import fisher_exact_table

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "fexact_two_row.json").read_text(encoding="utf-8"))


def _setup(table):
    """The engine's own preparation (transposed, columns by total) and its constants."""
    x = np.asarray(table, dtype=np.int64)
    if x.shape[0] > x.shape[1]:
        x = x.T
    rows0 = x.sum(1)
    x = x[:, np.argsort(x.sum(0), kind="stable")]
    cols = x.sum(0)
    n = int(cols.sum())
    lf = gammaln(np.arange(n + 2, dtype=float) + 1.0)
    thr = -lf[x].sum() + _fexact.TOL_LOG
    const = lf[rows0].sum() + lf[cols].sum() - lf[n]
    return x, lf, thr, const


def _two_row(table, max_work=10**9):
    x, lf, thr, const = _setup(table)
    spent = []

    def spend(amount):
        spent.append(amount)
        if sum(spent) > max_work:
            raise _fexact.WorkLimitExceeded(0, int(amount), max_work)

    return _fexact_fast.two_row_pvalue(x, lf, thr, const, spend, _fexact._bounds, _fexact._merge)


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: c["name"])
def test_two_row_tables_against_R_enumeration(case):
    res = fisher_exact_table(case["table"])
    assert res.method == "exact"
    assert res.p_value == pytest.approx(case["p_value"], rel=1e-9, abs=0)
    # the two-row path itself, whatever the dispatcher chose
    assert _two_row(case["table"]) == pytest.approx(case["p_value"], rel=1e-9, abs=0)
    if "fisher_test" in case:  # R fisher.test (FEXACT) on the same table
        assert res.p_value == pytest.approx(case["fisher_test"], rel=1e-9, abs=1e-12)


TABLES = [
    [[2, 3, 1], [5, 0, 8]],
    [[1, 2, 4, 2], [1, 3, 4, 2]],
    [[3, 10, 20, 10], [7, 15, 25, 10]],
    [[0, 5, 1], [6, 0, 7]],
    [[12, 1, 9, 4, 3], [2, 8, 3, 9, 6]],
    [[5, 3, 8], [6, 2, 7], [4, 9, 6]],
    [[2, 3, 1, 4], [1, 2, 4, 3], [3, 1, 2, 4]],
]


@pytest.mark.parametrize("table", TABLES, ids=str)
def test_enumeration_equals_the_other_paths(table):
    x, lf, thr, const = _setup(table)
    p_enum, work = _fexact_fast.enumerate_pvalue(x, lf, thr, const, 10**7)
    assert 0 < work <= _fexact_fast.table_count_bound(x)
    if len(table) == 2:  # the two-row network with its closed-form last step
        assert _two_row(table) == pytest.approx(p_enum, rel=1e-12, abs=1e-300)
    else:  # the general network, which the dispatcher skips for so few tables
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_fexact_fast, "table_count_bound", lambda x: float("inf"))
            p_net, _ = _fexact.fexact_pvalue(table)
        assert p_enum == pytest.approx(p_net, rel=1e-12, abs=1e-300)


def test_large_two_row_tables_are_exact_and_fast_to_decide():
    # Table 1 at 10^5 rows: a sign (2 levels) by three anaemia grades
    table = [[4000, 20000, 2400], [10663, 57249, 5688]]
    res = fisher_exact_table(table, max_work=10**6)
    assert res.method == "exact"
    assert 0 < res.work <= 10**6
    assert 0 < res.p_value < 1e-12
    # 2x4 at N = 2,000: R's default workspace copes; ours within the default budget
    res = fisher_exact_table([[60, 190, 405, 208], [140, 310, 495, 192]])
    assert res.method == "exact"


def test_two_row_budget_is_checked_before_the_work():
    with pytest.raises(_fexact.WorkLimitExceeded):
        _two_row([[600, 1900, 4050, 2080], [1400, 3100, 4950, 1920]], max_work=10**5)


def test_enumeration_gives_up_beyond_its_limit():
    x, lf, thr, const = _setup([[5, 10, 9, 4], [3, 2, 6, 15], [8, 7, 12, 19]])
    assert _fexact_fast.enumerate_pvalue(x, lf, thr, const, 1000) is None


def test_table_is_built_only_when_read_and_equals_the_dataframe():
    frame = pd.DataFrame(
        [[2, 0, 1], [5, 0, 8]],
        index=pd.Index(["yes", "no"], name="sign"),
        columns=pd.Index(["mild", "moderate", "severe"], name="grade"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fisher_exact_table(frame)
        plain = fisher_exact_table([[2, 0, 1], [5, 0, 8]])
    assert res.__dict__["_table_store"]._frame is None  # nothing built yet
    assert res.summary.loc[0, "n_cols"] == 2
    assert res.__dict__["_table_store"]._frame is None  # the summary needs no DataFrame
    pd.testing.assert_frame_equal(res.table, frame.loc[:, ["mild", "severe"]])
    assert res.dropped_levels == {"rows": (), "columns": ("moderate",)}
    assert plain.dropped_levels == {"rows": (), "columns": (1,)}
    pd.testing.assert_frame_equal(plain.table, pd.DataFrame([[2, 0, 1], [5, 0, 8]]).loc[:, [0, 2]])
    again = pickle.loads(pickle.dumps(res))
    pd.testing.assert_frame_equal(again.table, res.table)
    assert again.p_value == res.p_value
    assert res.to_dict()["table"] == [{"mild": 2, "severe": 1}, {"mild": 5, "severe": 8}]


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("fexact_two_row.R", tmp_path) == without_versions(REF)
