"""Tests for b12cohort.stats.regression.logistic (tests/reference/regression.R).

Maximum likelihood against R 4.2.2 ``glm(family = binomial, control = glm.control(
epsilon = 1e-14))``: coefficients, SEs, Wald p-values and ``exp(confint.default)``, 1e-6
relative. Firth against the plain-R implementation in the reference script
(penalised Newton-Raphson, penalised LR tests and profile intervals with the full-model
penalty, as logistf): 1e-5 (firthmodels stops at a gradient of 1e-6); and against the
logistf output published in firthmodels' test suite: 1e-4 relative (the tolerance used
there; logistf itself stops at xconv = 1e-4).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions

from b12cohort import ArgumentError, DataQualityWarning
from b12cohort.stats.regression import logistic

REFERENCE = Path(__file__).resolve().parent / "reference"
REF = json.loads((REFERENCE / "regression.json").read_text(encoding="utf-8"))
CASES = REF["cases"]
MLE_CASES = [c for c in CASES if "mle" in c]


def _frame(case) -> pd.DataFrame:
    df = pd.DataFrame(case["data"])
    for name in df.columns:
        if df[name].dtype == bool:
            df[name] = df[name].astype("boolean")
    if "sex" in df:
        df["sex"] = pd.Categorical(df["sex"], categories=["F", "M"])
    return df


def _model(case):
    outcome, rhs = (part.strip() for part in case["formula"].split("~"))
    return outcome, [p.strip() for p in rhs.split("+")]


def _python_term(r_term: str, predictors: list[str]) -> str:
    """R's model-matrix names -> ours: sexM -> sex[M], severeTRUE -> severe, gb -> g[b]."""
    if r_term == "(Intercept)" or r_term in predictors:
        return r_term
    for p in sorted(predictors, key=len, reverse=True):
        if r_term.startswith(p):
            rest = r_term[len(p) :]
            return p if rest == "TRUE" else f"{p}[{rest}]"
    raise KeyError(r_term)


def _fit(case, **kwargs):
    outcome, predictors = _model(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        res = logistic(_frame(case), outcome=outcome, predictors=predictors, **kwargs)
    terms = [_python_term(t, predictors) for t in case["terms"]]
    return res, res.table.loc[terms]


@pytest.mark.parametrize("case", MLE_CASES, ids=[c["id"] for c in MLE_CASES])
@pytest.mark.parametrize("level", [0.95, 0.9])
@pytest.mark.slow
def test_mle_against_R_glm(case, level):
    ref = case["mle"]
    res, table = _fit(case, confidence=level)
    suffix = "95" if level == 0.95 else "90"
    assert res.method == "maximum-likelihood"
    assert res.method_detail == "maximum likelihood (statsmodels Logit)"
    assert res.converged == ref["converged"]
    assert not res.separation
    np.testing.assert_allclose(table["estimate"], ref["estimate"], rtol=1e-6, err_msg=ref["call"])
    np.testing.assert_allclose(table["std_error"], ref["std_error"], rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], ref["p_value"], rtol=1e-6)
    np.testing.assert_allclose(table["odds_ratio"], np.exp(ref["estimate"]), rtol=1e-6)
    np.testing.assert_allclose(table["ci_low"], np.exp(ref[f"ci_low_{suffix}"]), rtol=1e-6)
    np.testing.assert_allclose(table["ci_high"], np.exp(ref[f"ci_high_{suffix}"]), rtol=1e-6)
    assert res.n == case["n"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("level", [0.95, 0.9])
@pytest.mark.slow
def test_firth_against_plain_R_firth(case, level):
    ref = case["firth"]
    res, table = _fit(case, firth=True, confidence=level)
    suffix = "95" if level == 0.95 else "90"
    assert res.method == "penalised-likelihood"
    assert res.method_detail == "Firth penalised likelihood"
    assert res.converged
    assert (res.p_test, res.ci_method) == (
        "penalised likelihood ratio",
        "profile penalised likelihood",
    )
    np.testing.assert_allclose(table["estimate"], ref["estimate"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(table["std_error"], ref["std_error"], rtol=1e-5)
    np.testing.assert_allclose(table["p_value"], ref["p_value"], rtol=1e-5)
    np.testing.assert_allclose(
        np.log(table["ci_low"]), ref[f"ci_low_{suffix}"], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        np.log(table["ci_high"]), ref[f"ci_high_{suffix}"], rtol=1e-5, atol=1e-6
    )


def test_firth_against_published_logistf_output():
    case = next(c for c in CASES if "logistf_published" in c)
    pub = case["logistf_published"]
    res, table = _fit(case, firth=True)
    table = table.loc[pub["terms"]]
    assert res.separation
    assert res.separated_terms == ("x1",)
    for name in ("estimate", "std_error", "p_value"):
        np.testing.assert_allclose(table[name], pub[name], rtol=1e-4, err_msg=name)
    np.testing.assert_allclose(np.log(table["ci_low"]), pub["ci_low"], rtol=1e-4)
    np.testing.assert_allclose(np.log(table["ci_high"]), pub["ci_high"], rtol=1e-4)


# ---------------------------------------------------------------- separation
def _separated():
    return next(c for c in CASES if c["id"] == "n19/sep_sign~severe")


def test_mle_under_separation_warns_and_recommends_firth():
    case = _separated()
    with pytest.warns(DataQualityWarning, match="firth=True"):
        res = logistic(_frame(case), outcome="sep_sign", predictors="severe")
    assert res.separation
    assert res.separated_terms == ("severe",)
    assert "separated" in res.note
    assert res.table.loc["severe", "estimate"] > 10  # heading for +infinity


def test_firth_under_separation_is_finite_and_quiet():
    case = _separated()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = logistic(_frame(case), outcome="sep_sign", predictors=["severe"], firth=True)
    assert res.separation
    assert np.isfinite(res.table.to_numpy()).all()
    assert res.table.loc["severe", "estimate"] == pytest.approx(
        case["firth"]["estimate"][1], rel=1e-5
    )


# ---------------------------------------------------------------- data handling
def test_missing_rows_dropped_and_counted_without_mutation():
    case = MLE_CASES[0]
    data = _frame(case)
    extra = pd.DataFrame({"developmental_delay": pd.array([pd.NA, True], dtype="boolean")})
    extra["hb"] = [80.0, np.nan]
    data = pd.concat([data, extra], ignore_index=True)
    before = data.copy()
    res = logistic(data, outcome="developmental_delay", predictors="hb")
    pd.testing.assert_frame_equal(data, before)
    assert (res.n, res.n_missing) == (case["n"], 2)
    assert res.events == sum(case["data"]["developmental_delay"])
    np.testing.assert_allclose(res.table["estimate"], case["mle"]["estimate"], rtol=1e-6)


def test_summary_columns_and_index():
    res, _ = _fit(MLE_CASES[2])
    assert list(res.table.columns) == [
        "estimate",
        "std_error",
        "odds_ratio",
        "ci_low",
        "ci_high",
        "p_value",
    ]
    assert res.table.index.name == "term"
    assert list(res.table.index) == ["(Intercept)", "sex[M]", "hb"]


def test_empty_category_is_dropped_with_warning():
    case = next(c for c in CASES if c["id"] == "n19/delay~sex+hb")
    data = _frame(case)
    data["sex"] = data["sex"].cat.add_categories(["unknown"])
    with pytest.warns(DataQualityWarning, match="empty level"):
        res = logistic(data, outcome="developmental_delay", predictors=["sex", "hb"])
    np.testing.assert_allclose(res.table["estimate"], case["mle"]["estimate"], rtol=1e-6)


def test_numeric_zero_one_outcome_is_accepted():
    case = MLE_CASES[0]
    data = _frame(case)
    data["developmental_delay"] = data["developmental_delay"].astype(int)
    res = logistic(data, outcome="developmental_delay", predictors="hb")
    np.testing.assert_allclose(res.table["estimate"], case["mle"]["estimate"], rtol=1e-6)


@pytest.mark.parametrize(
    ("outcome", "predictors", "match"),
    [
        ("hb", ["age_months"], "boolean or coded 0/1"),
        ("developmental_delay", [], "at least one"),
        ("developmental_delay", ["developmental_delay"], "cannot also be a predictor"),
        ("developmental_delay", ["hemoglobin"], "not found"),
        ("always", ["hb"], "no variation"),
        ("developmental_delay", ["hb", "hb2"], "rank deficient"),
    ],
)
def test_argument_errors(outcome, predictors, match):
    data = _frame(MLE_CASES[0]).assign(always=True)
    data["hb2"] = 2 * data["hb"]
    data["age_months"] = np.arange(len(data), dtype=float)
    with pytest.raises(ArgumentError, match=match):
        logistic(data, outcome=outcome, predictors=predictors)


def test_confidence_checked():
    with pytest.raises(ArgumentError, match="0.95"):
        logistic(
            _frame(MLE_CASES[0]), outcome="developmental_delay", predictors="hb", confidence=95
        )


def test_wald_interval_matches_estimate_and_se():
    _, table = _fit(MLE_CASES[1])
    z = 1.959963984540054
    lo = np.exp(table["estimate"] - z * table["std_error"])
    np.testing.assert_allclose(table["ci_low"], lo, rtol=1e-12)
    assert all(math.isfinite(v) for v in table["p_value"])


# ---------------------------------------------------------------- the reference itself
@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("regression.R", tmp_path) == without_versions(REF)
