"""Tests for b12cohort.stats.power.sample_size_correlation against R ``pwr::pwr.r.test`` (pwr 1.3-0).

Reference: tests/reference/sample_size.R. Tolerances: ``n_exact`` 1e-6 (R's uniroot
stopping point, reproduced by the ported root finder), ``n`` exactly, power 1e-9.
"""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE, requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError
from b12cohort.stats.power import sample_size_correlation

REF = json.loads((REFERENCE / "sample_size.json").read_text(encoding="utf-8"))
CASES = REF["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["call"] for c in CASES])
def test_sample_size_correlation_against_R_pwr(case):
    res = sample_size_correlation(
        rho=case["rho"], power=case["power"], confidence=case["confidence"],
        alternative=case["alternative"],
    )  # fmt: skip
    assert res.n_exact == pytest.approx(case["n_exact"], abs=1e-6), case["call"]
    assert res.n == case["n"]
    assert res.power_achieved == pytest.approx(case["power_achieved"], abs=1e-9)
    assert res.power_achieved >= case["power"]


@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_the_committed_json(tmp_path):
    assert rerun_reference("sample_size.R", tmp_path) == without_versions(REF)


@pytest.mark.parametrize("kwargs", [{"rho": 0}, {"rho": 1.2}, {"rho": 0.3, "power": 80}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ArgumentError):
        sample_size_correlation(**kwargs)
