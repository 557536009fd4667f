"""Tests for b12cohort.cohort.simulate (simulate_cohort, population_spearman, write_export).

References and tolerances:

* population_spearman against tests/reference/simulate.R (R 4.2.2): R's adaptive
  quadrature ``integrate`` of the same expectation, to 1e-9 absolute; and a Monte Carlo
  of the model written independently in R (10^6 infants, R's generator), within 4.5
  standard errors.
* Sample Spearman correlation of a large simulated cohort (200,000 infants) against
  population_spearman, within 0.01 (about 4 standard errors).
* Marginal prevalences within 4.5 binomial standard errors of their targets
  (two-sided probability of a false alarm per check below 1e-5); the Hb mean against
  scipy.stats.truncnorm within 4.5 standard errors plus 0.05 g/L for the rounding.
* The power check: with rho = 0 the rejection rate of Spearman's test (R cor.test's
  t approximation, as scipy.stats.spearmanr with ties) at n = 19 and alpha = 0.05 lies
  in the central 99.98% binomial range of 200 tests at 0.05; with rho = -0.9
  (population Spearman -0.70) it is at least 0.80 (expected about 0.93).
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_r, rerun_reference, without_versions
from scipy import stats

import b12cohort
from b12cohort import ArgumentError, SchemeRangeWarning
from b12cohort.cohort.export import ExportFiles, write_export
from b12cohort.cohort.simulate import (
    ATTR,
    DEFAULT_PREVALENCE,
    SimulationSettings,
    population_spearman,
    simulate_cohort,
)
from b12cohort.dictionary.schema import NEURO_SIGNS, load_schema
from b12cohort.reading.load import load_metadata

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
REF = json.loads((REFERENCE / "simulate.json").read_text(encoding="utf-8"))
SCHEMA_COLUMNS = load_schema().names
DERIVED = ["b12_pmol_l", "anemia_grade", "neuro_score", "neuro_items_missing"]
Z = 4.5  # standard errors allowed in the statistical checks


def _load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemeRangeWarning)  # infants under 6 months (WHO 2011)
        return b12cohort.load_cohort(path, **kwargs)


# ---------------------------------------------------------------- validity
@pytest.mark.filterwarnings("ignore::b12cohort.SchemeRangeWarning")
@pytest.mark.parametrize("n", [1, 10, 19, 1000])
@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("missing", [0.0, 0.3])
def test_raw_frame_passes_validation(n, seed, missing):
    raw = simulate_cohort(n=n, random_state=seed, missing=missing, validate=False)
    assert list(raw.columns) == SCHEMA_COLUMNS
    assert len(raw) == n
    assert len(b12cohort.validate(raw)) == 0


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (19, 3), (2000, 11)])
def test_canonical_frame(n, seed):
    cohort = simulate_cohort(n=n, random_state=seed, missing=0.1)
    assert list(cohort.columns) == SCHEMA_COLUMNS + DERIVED
    assert list(cohort.index) == list(range(1, n + 1))
    assert cohort["patient_id"].dtype == "string"
    assert cohort["patient_id"].is_unique
    assert cohort["sex"].cat.categories.tolist() == ["F", "M"]
    assert cohort["anemia_grade"].cat.ordered
    for sign in NEURO_SIGNS:
        assert cohort[sign].dtype == "boolean"
    for col in ("admission_year", "im_onset_day", "im_resolution_day", "im_followup_day"):
        assert cohort[col].dtype == "Int64"
    for col in ("patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml"):
        assert cohort[col].notna().all()
    assert cohort["b12_pg_ml"].lt(83).all()  # the paper's inclusion criterion
    assert cohort["hb_g_l"].between(40, 109).all()  # every infant anaemic by default
    assert cohort["age_months"].between(3, 24).all()
    settings = cohort.attrs[ATTR]
    assert isinstance(settings, SimulationSettings)
    assert (settings.n, settings.seed, settings.missing) == (n, seed, 0.1)
    assert load_metadata(cohort).source == "<DataFrame>"


def test_validate_false_gives_the_same_values_as_the_loader():
    raw = simulate_cohort(n=300, random_state=4, missing=0.2, validate=False)
    cohort = simulate_cohort(n=300, random_state=4, missing=0.2)
    again = _load(raw)
    pd.testing.assert_frame_equal(again, cohort)


def test_timing_only_for_movements_and_consistent():
    cohort = simulate_cohort(n=5000, random_state=2, missing=0.2)
    im = cohort["involuntary_movements_on_treatment"].fillna(False).to_numpy(dtype=bool)
    onset, res, fup = (cohort[c] for c in ("im_onset_day", "im_resolution_day", "im_followup_day"))
    assert onset.notna().to_numpy().tolist() == im.tolist()
    assert (res.notna() ^ fup.notna()).to_numpy().tolist() == im.tolist()
    assert onset.dropna().between(3, 5).all()
    assert res.dropna().between(21, 42).all()
    assert (res.dropna() >= onset[res.notna()]).all()


def test_hb_range_can_include_non_anaemic_infants():
    cohort = simulate_cohort(n=2000, random_state=1, hb_range=(40, 140), hb_mean=100, hb_sd=15)
    assert (cohort["anemia_grade"] == "none").sum() > 0
    assert cohort["hb_g_l"].max() <= 140


def test_scheme_is_passed_to_the_loader():
    who = simulate_cohort(n=500, random_state=9)
    ru = simulate_cohort(n=500, random_state=9, scheme="ru-clinical")
    assert load_metadata(ru).scheme == "ru-clinical"
    expected = b12cohort.grade_anemia(who["hb_g_l"], scheme="ru-clinical")
    assert ru["anemia_grade"].tolist() == expected.tolist()


# ---------------------------------------------------------------- determinism
def test_same_seed_identical_frame():
    a = simulate_cohort(n=500, random_state=5, rho=-0.3, missing=0.1)
    b = simulate_cohort(n=500, random_state=5, rho=-0.3, missing=0.1)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs[ATTR] == b.attrs[ATTR]
    pd.testing.assert_frame_equal(
        simulate_cohort(n=50, random_state=5, validate=False),
        simulate_cohort(n=50, random_state=5, validate=False),
    )


def test_different_seed_different_frame():
    a = simulate_cohort(n=200, random_state=5)
    b = simulate_cohort(n=200, random_state=6)
    assert not a["hb_g_l"].equals(b["hb_g_l"])


def test_generator_seed():
    a = simulate_cohort(n=100, random_state=np.random.default_rng(3))
    b = simulate_cohort(n=100, random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs[ATTR].seed is None
    assert len(simulate_cohort(n=10, random_state=None)) == 10


def test_settings_change_only_their_own_columns():
    base = simulate_cohort(n=400, random_state=8)
    other = simulate_cohort(n=400, random_state=8, prevalence={"adynamia": 0.2}, rho=-0.7)
    changed = {c for c in base.columns if not base[c].equals(other[c])}
    # Hb does not depend on rho (the severity is built around it); adynamia and the
    # other neurological variables follow the severity, which rho changes
    assert "hb_g_l" not in changed
    assert changed <= {
        "adynamia",
        "neuro_score",
        *NEURO_SIGNS,
        "tremor_before_treatment",
        "involuntary_movements_on_treatment",
        "im_onset_day",
        "im_resolution_day",
        "im_followup_day",
        "brain_atrophy",
    }
    only_prevalence = simulate_cohort(n=400, random_state=8, prevalence={"adynamia": 0.2})
    changed = {c for c in base.columns if not base[c].equals(only_prevalence[c])}
    assert changed == {"adynamia", "neuro_score"}


# ---------------------------------------------------------------- margins
@pytest.fixture(scope="module")
def big():
    return simulate_cohort(n=20_000, random_state=11)


def _within(k: int, n: int, p: float) -> bool:
    if p in (0.0, 1.0):
        return k == n * p
    return abs(k / n - p) <= Z * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("column", sorted(DEFAULT_PREVALENCE))
def test_prevalence_close_to_target(big, column):
    s = big[column].dropna()
    assert _within(int(s.sum()), len(s), DEFAULT_PREVALENCE[column]), (column, s.mean())


def test_prevalence_override():
    cohort = simulate_cohort(
        n=20_000, random_state=12, prevalence={"hypotonia": 0.8, "seizures": 0.0}
    )
    assert _within(int(cohort["hypotonia"].sum()), 20_000, 0.8)
    assert not cohort["seizures"].any()


def test_design_fractions(big):
    n = len(big)
    assert _within(int((big["sex"] == "M").sum()), n, 0.57)
    assert _within(int(big["brain_atrophy"].notna().sum()), n, 0.25)  # imaged
    assert _within(int(big["maternal_b12_low"].notna().sum()), n, 12 / 19)  # mother tested
    im = int(big["involuntary_movements_on_treatment"].sum())
    # censored when resolution (uniform 21..42) is after follow-up (uniform 21..120):
    # P = mean over t of (t - 21) / 100 = 10.5 / 100
    assert _within(int(big["im_followup_day"].notna().sum()), im, 0.105)
    assert (big.loc[big["hb_g_l"] < 70, "cyanocobalamin_dose_ug"] == 200).all()
    assert (big.loc[big["hb_g_l"] >= 70, "cyanocobalamin_dose_ug"] == 100).all()


def test_hb_margin_is_the_truncated_normal(big):
    lo, hi, mean, sd = 39.5, 109.5, 88.0, 13.0
    dist = stats.truncnorm((lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
    hb = big["hb_g_l"].to_numpy()
    assert abs(hb.mean() - dist.mean()) <= Z * dist.std() / np.sqrt(hb.size) + 0.05


def test_missing_fraction():
    cohort = simulate_cohort(n=20_000, random_state=13, missing=0.2)
    for col in ("folate_ng_ml", "adynamia", "admission_year", "exclusive_breastfeeding"):
        assert _within(int(cohort[col].isna().sum()), 20_000, 0.2), col
    assert _within(int(cohort["brain_atrophy"].isna().sum()), 20_000, 1 - 0.25 * 0.8)
    for col in ("patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml"):
        assert cohort[col].notna().all()


# ---------------------------------------------------------------- association
@pytest.mark.parametrize("case", REF["cases"], ids=[c["id"] for c in REF["cases"]])
def test_population_spearman_against_R(case):
    value = population_spearman(
        rho=case["rho"],
        loading=case["loading"],
        missing=case["missing"],
        prevalence=case["prevalence"],
    )
    assert value == pytest.approx(case["integrate"], abs=1e-9), case["call"]
    assert abs(value - case["monte_carlo"]) <= Z * case["monte_carlo_se"], case["call"]


@pytest.mark.parametrize(
    ("rho", "loading", "missing"), [(-0.6, 0.7, 0.0), (0.5, 0.5, 0.3), (0.0, 0.7, 0.0)]
)
@pytest.mark.slow
def test_sample_spearman_converges_to_population_value(rho, loading, missing):
    cohort = simulate_cohort(n=200_000, random_state=21, rho=rho, loading=loading, missing=missing)
    sample = stats.spearmanr(cohort["hb_g_l"], cohort["neuro_score"]).statistic
    target = cohort.attrs[ATTR].population_spearman
    assert target == population_spearman(rho=rho, loading=loading, missing=missing)
    assert abs(sample - target) < 0.01


def test_population_spearman_properties():
    values = [population_spearman(rho=r) for r in np.linspace(-1, 1, 9)]
    assert np.all(np.diff(values) > 0)  # increasing in rho
    assert population_spearman(rho=0.4) == pytest.approx(-population_spearman(rho=-0.4), abs=1e-12)
    assert population_spearman(rho=-0.8, loading=0.0) == pytest.approx(0.0, abs=1e-12)
    constant = dict.fromkeys(NEURO_SIGNS, 1.0)
    assert np.isnan(population_spearman(rho=-0.5, prevalence=constant))


@pytest.mark.parametrize(("rho", "low", "high"), [(0.0, 2, 22), (-0.9, 160, 200)])
def test_power_of_spearman_test_at_n19(rho, low, high):
    # rows are independent and identically distributed, so one cohort of 19 x 200
    # infants is 200 independent cohorts of 19
    reps, n = 200, 19
    cohort = simulate_cohort(n=reps * n, random_state=2022, rho=rho)
    hb = cohort["hb_g_l"].to_numpy().reshape(reps, n)
    score = cohort["neuro_score"].to_numpy().reshape(reps, n)
    p = np.array([stats.spearmanr(h, s).pvalue for h, s in zip(hb, score, strict=True)])
    rejections = int((p < 0.05).sum())
    # rho = 0: [2, 22] holds 99.98% of Binomial(200, 0.05); rho = -0.9: power about 0.93
    assert low <= rejections <= high, rejections


# ---------------------------------------------------------------- exports
def _compare_round_trip(again: pd.DataFrame, cohort: pd.DataFrame):
    exact = [c for c in cohort.columns if c not in ("b12_pg_ml", "b12_pmol_l")]
    pd.testing.assert_frame_equal(again[exact], cohort[exact])
    # B12 written in pmol/L with one decimal (the laboratory's rounding)
    assert np.abs(again["b12_pmol_l"] - cohort["b12_pmol_l"]).max() <= 0.05 + 1e-9
    assert np.abs(again["b12_pg_ml"] - cohort["b12_pg_ml"]).max() <= 0.05 / 0.7378 + 1e-9


@pytest.mark.parametrize("dialect", ["utf8-comma", "cp1251-semicolon", "xlsx"])
@pytest.mark.parametrize("validated", [True, False])
def test_export_round_trip(tmp_path, dialect, validated):
    n = 120 if dialect == "xlsx" else 400
    cohort = simulate_cohort(n=n, random_state=31, missing=0.15, rho=-0.4)
    source = (
        cohort
        if validated
        else simulate_cohort(n=n, random_state=31, missing=0.15, rho=-0.4, validate=False)
    )
    before = source.copy()
    path = tmp_path / ("export.xlsx" if dialect == "xlsx" else "export.csv")
    files = write_export(source, path=path, dialect=dialect)
    pd.testing.assert_frame_equal(source, before)  # not modified
    assert isinstance(files, ExportFiles)
    again = _load(files.data, columns=files.columns)
    _compare_round_trip(again, cohort)
    if dialect == "utf8-comma":
        assert files.columns is None
        np.testing.assert_array_equal(again["b12_pg_ml"], cohort["b12_pg_ml"])


def test_messy_export_is_messy(tmp_path):
    cohort = simulate_cohort(n=60, random_state=32, missing=0.1)
    files = write_export(cohort, path=tmp_path / "x.csv", dialect="cp1251-semicolon")
    raw = files.data.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1251")
    header, first = text.split("\r\n")[:2]
    assert "Гемоглобин, г/дл" in header.split(";")
    assert "Витамин B12, пмоль/л" in header.split(";")
    assert "," in first and ("да" in first or "нет" in first)
    mapping = json.loads(files.columns.read_text(encoding="utf-8"))
    assert mapping["Гемоглобин, г/дл"] == "hb_g_dl"
    assert mapping["Витамин B12, пмоль/л"] == "b12_pmol_l"
    meta = load_metadata(_load(files.data, columns=files.columns))
    assert (meta.encoding, meta.delimiter, meta.decimal) == ("cp1251", ";", ",")


def test_export_custom_mapping_path(tmp_path):
    cohort = simulate_cohort(n=20, random_state=1)
    files = write_export(
        cohort,
        path=tmp_path / "a.csv",
        dialect="cp1251-semicolon",
        columns_path=tmp_path / "map.json",
    )
    assert files.columns == tmp_path / "map.json"
    assert files.columns.exists()


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, "`n`"),
        ({"n": 2.5}, "`n`"),
        ({"n": 10, "rho": 1.5}, "`rho`"),
        ({"n": 10, "rho": "high"}, "`rho`"),
        ({"n": 10, "loading": 1.0}, "`loading`"),
        ({"n": 10, "missing": 1.0}, "`missing`"),
        ({"n": 10, "missing": -0.1}, "`missing`"),
        ({"n": 10, "prevalence": {"adinamia": 0.5}}, "adynamia"),
        ({"n": 10, "prevalence": {"adynamia": 1.2}}, "prevalence"),
        ({"n": 10, "prevalence": [0.5]}, "prevalence"),
        ({"n": 10, "hb_range": (10, 100)}, "hb_range"),
        ({"n": 10, "hb_range": (100, 90)}, "hb_range"),
        ({"n": 10, "hb_sd": 0}, "hb_sd"),
        ({"n": 10, "hb_mean": 300, "hb_sd": 1}, "hb_mean"),
        ({"n": 10, "random_state": -1}, "random_state"),
        ({"n": 10, "validate": "yes"}, "validate"),
        ({"n": 10, "scheme": "who"}, "scheme"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        simulate_cohort(**kwargs)


def test_write_export_argument_errors(tmp_path):
    with pytest.raises(ArgumentError, match="dialect"):
        write_export(simulate_cohort(n=5), path=tmp_path / "x.csv", dialect="latin1")
    with pytest.raises(ArgumentError, match="frame"):
        write_export([1, 2], path=tmp_path / "x.csv")


# ---------------------------------------------------------------- the R reference itself
@requires_r
@pytest.mark.slow
def test_reference_script_reproduces_committed_json(tmp_path):
    assert rerun_reference("simulate.R", tmp_path) == without_versions(REF)


# ---------------------------------------------------------------- benchmarks smoke test
@pytest.mark.slow
def test_benchmark_script_smoke(tmp_path):
    """run.py --smoke end to end: every goal of issue 18 with a verdict, goal modules found."""
    goals = tmp_path / "goals"
    goals.mkdir()
    (goals / "goal_fake.py").write_text(
        "def run(mode):\n"
        "    return [{'goal': '1 fake report goal', 'measured': mode, 'target': 3.0, 'ratio': 2.0,\n"
        "             'verdict': 'met', 'detail': '', 'scaling': {'200': {'time_s': 1.5, 'peak_mb': 9}}}]\n",
        encoding="utf-8",
    )
    (goals / "goal_broken.py").write_text("def run(mode):\n    raise RuntimeError('no')\n")
    out = tmp_path / "results.json"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out),
         "--goal-dir", str(goals), "--no-r"],
        check=True,
        capture_output=True,
        timeout=2400,  # about 2 min on an idle 2-core machine; 20 min at load average 14
    )  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["mode"] == "smoke"
    assert results["measurements"]
    rows = results["issue18_goals"]
    numbers = [int(r["goal"].split()[0]) for r in rows if r["goal"][0].isdigit()]
    assert set(numbers) >= {1, 2, 3, 4, 5}
    assert all(r["verdict"] for r in rows)
    fake = next(r for r in rows if r["goal"] == "1 fake report goal")
    assert fake["measured"] == "smoke" and fake["source"] == "goal_fake.py"
    assert fake["run"]["script"] == "goal_fake.py" and fake["run"]["mode"] == "smoke"
    assert not any(r["goal"].startswith("1 report") for r in rows)  # the module's row replaces it
    assert next(r for r in rows if r["goal"] == "goal_broken")["verdict"] == "error"
    loading = [r for r in rows if r["goal"].startswith("2 ")]
    assert len(loading) == 5 and all(r["ratio"] is not None for r in loading[:4])
    calls = results["load_calls"]
    assert [c["check_unique_calls"] for c in calls] == [1] * len(calls)


def _bench_goals():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_b12_goals", ROOT / "benchmarks" / "_goals.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_goal_module_row_replaces_run_py_s_row_by_its_number(tmp_path):
    """Issue 18's table: a module's goal 4 (numbered by key or by prefix) shows once."""
    goals = _bench_goals()
    results = {"measurements": [], "environment": {"cores": 2}, "config": {"sizes": [200]}}
    row = {"measured": "0.5 s / 10 s", "target": "<= 0.1x", "ratio": 0.05, "verdict": "MET",
           "detail": "n = 100,000: exact ...", "source": "goal_exact.py"}  # fmt: skip
    for module_row in ({**row, "goal": "table_one at 10^5", "number": 4},
                       {**row, "goal": "4 table_one at 10^5"}):  # fmt: skip
        rows = goals.issue_goals(results, [module_row])
        fours = [r for r in rows if goals._number(r) == 4]
        assert [r["source"] for r in fours] == ["goal_exact.py"]
    # a module's --json folded into a finished run replaces that module's earlier rows
    old = [
        {**row, "goal": "4 old", "source": "goal_exact.py"},
        {**row, "goal": "1 r", "source": "r.py"},
    ]
    path = tmp_path / "exact.json"
    path.write_text(json.dumps([{**row, "goal": "4 new"}]), encoding="utf-8")
    assert [r["goal"] for r in goals.fold(old, [str(path)])] == ["1 r", "4 new"]
    assert goals.shout("met (18% under the target)") == "MET (18% under the target)"
