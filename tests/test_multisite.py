"""Site summaries and their pooling: federated equals centralised, the disclosure policy,
the schema checks of ``pool``, and the offline route end to end (simulate -> export ->
site-summary -> pool)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privacy_scan import assert_no_leak

from b12cohort.cli import main
from b12cohort.cohort.eligibility import apply_eligibility
from b12cohort.cohort.simulate import simulate_cohort
from b12cohort.core.errors import CohortValidationError
from b12cohort.multisite.policy import DisclosurePolicy, trend_revealed_cells
from b12cohort.multisite.pool import pool_sites
from b12cohort.multisite.summary import analysis_frame, load_site_summary, site_summary
from b12cohort.reading.load import load_cohort
from b12cohort.stats.mantel_haenszel import mantel_haenszel
from b12cohort.stats.stratified import stratified_trend_test

try:  # the export writer may live in cohort/export.py (issue 11 branch)
    from b12cohort import write_export
except ImportError:
    from b12cohort.cohort.export import write_export

OPEN = DisclosurePolicy(min_infants=0, min_cell_count=0)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _parts(cohort, sizes):
    bounds = np.cumsum([0, *sizes])
    parts = []
    for i in range(len(sizes)):
        part = cohort.iloc[bounds[i] : bounds[i + 1]].copy()
        part.attrs = {}  # a site's own frame: its row accounting is its own rows
        parts.append(part)
    return parts


def _centralised(parts):
    frames = []
    for i, part in enumerate(parts):
        included, _ = apply_eligibility(part)
        frames.append(analysis_frame(included).assign(site=f"S{i:02d}"))
    return pd.concat(frames, ignore_index=True)


def _eq(a, b, tol=1e-12):
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(b))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    sizes=st.lists(st.integers(1, 40), min_size=3, max_size=10),
)
@pytest.mark.slow
def test_federated_equals_centralised(seed, sizes):
    cohort = simulate_cohort(n=sum(sizes), random_state=seed)
    parts = _parts(cohort, sizes)
    summaries = [
        _quiet(site_summary, p, site=f"S{i:02d}", policy=OPEN) for i, p in enumerate(parts)
    ]
    pooled = _quiet(pool_sites, summaries).table.set_index(["outcome", "analysis"])
    rows = _centralised(parts)
    for sign in summaries[0].content["analyses"]["signs"]:
        tr = _quiet(
            stratified_trend_test, rows, outcome=sign, ordinal="anemia_grade", strata="site",
            p_method="exact",
        )  # fmt: skip
        got = pooled.loc[(sign, "trend")]
        assert _eq(got["p_value"], tr.p_value), (sign, "trend p")
        assert _eq(got["estimate"], tr.statistic), (sign, "trend z")
        mh = _quiet(
            mantel_haenszel, rows, outcome=sign, exposure="moderate_or_severe", strata="site",
            p_method="exact",
        )  # fmt: skip
        got = pooled.loc[(sign, "mantel_haenszel")]
        if mh.method == "not-tested":
            assert got["method"] == "not-tested"
            continue
        for key, want in (
            ("p_value", mh.p_value), ("estimate", mh.estimate), ("ci_low", mh.ci_low),
            ("ci_high", mh.ci_high),
        ):  # fmt: skip
            assert _eq(got[key], want), (sign, key, got[key], want)
        if math.isfinite(mh.breslow_day_p_value):
            assert _eq(got["heterogeneity_p_value"], mh.breslow_day_p_value)


def test_trend_revealed_cells():
    # 2 infants in mild, 1 in severe, one event: the statistic says where it is
    assert trend_revealed_cells([0, 2, 0, 1], 1, [0, 1, 2, 3], 3) == (1, [0, 2, 1, 0])
    n, revealed = trend_revealed_cells([0, 5, 5, 5], 6, [0, 1, 2, 3], 12)
    assert n > 1 and len(revealed) < 6


def test_the_policy_withholds_what_it_must_and_pool_says_which_site():
    cohort = simulate_cohort(n=60, random_state=4)
    small = _parts(cohort, [7])[0]
    big = _parts(cohort, [7, 53])[1]
    strict = DisclosurePolicy(min_infants=3, min_cell_count=5)
    s_small = _quiet(site_summary, small, site="Small", policy=strict)
    s_big = _quiet(site_summary, big, site="Big", policy=OPEN)
    doc = s_small.content
    assert len(s_small.withheld) > 0
    for w in doc["withheld"]:
        item = doc["analyses"]["signs"].get(w["item"], {}).get(w["analysis"], "gone")
        assert item in (None, "gone")
        assert w["reason"]
    # nothing released breaks the policy
    for sign, items in doc["analyses"]["signs"].items():
        for name, item in items.items():
            if item is None:
                continue
            counts = (
                [item["events"], item["n"] - item["events"]] if name == "prevalence"
                else [item[k] for k in "abcd"] if name == "mantel_haenszel"
                else item["n_i"]
            )  # fmt: skip
            assert not strict.small(counts), (sign, name, counts)
    use = _quiet(pool_sites, [s_small, s_big]).site_use
    left_out = use[(use["site"] == "Small") & ~use["used"]]
    assert len(left_out) == len(
        [w for w in doc["withheld"] if w["analysis"] not in ("flow", "all")]
    )
    assert left_out["reason"].str.startswith("withheld by the site's policy").all()


def test_a_tiny_site_releases_only_its_flow():
    cohort = _parts(simulate_cohort(n=20, random_state=1), [2])[0]
    s = _quiet(site_summary, cohort, site="Tiny", policy=DisclosurePolicy(min_infants=5))
    assert s.content["analyses"]["correlation"] is None
    assert all(v == {"prevalence": None, "trend": None, "mantel_haenszel": None}
               for v in s.content["analyses"]["signs"].values())  # fmt: skip


def make_exports(folder, sizes=(40, 55, 70), seed=30, *, messy=()):
    """Site exports as hospitals would write them: simulate_cohort + the export writer
    (the sites numbered in ``messy``: the Russian cp1251 export with a column mapping)."""
    paths = []
    for i, n in enumerate(sizes):
        p = folder / f"site{i + 1}.csv"
        dialect = "cp1251-semicolon" if i + 1 in messy else "utf8-comma"
        write_export(simulate_cohort(n=n, random_state=seed + i), path=p, dialect=dialect)
        paths.append(p)
    return paths


@pytest.fixture
def exports(tmp_path):
    return make_exports(tmp_path, messy=(2,))


@pytest.mark.slow
def test_offline_route_end_to_end(tmp_path, exports, capsys):
    jsons = []
    for i, p in enumerate(exports):
        out = tmp_path / f"site{i + 1}.json"
        mapping = p.with_suffix(".columns.json")
        extra = ["--columns", str(mapping)] if mapping.exists() else []
        argv = ["site-summary", str(p), "--site", f"Site {i + 1}", *extra, "--out", str(out)]
        assert main(argv) == 0
        jsons.append(out)
    assert (tmp_path / "site2.columns.json").exists()
    report = tmp_path / "pooled"
    assert main(["pool", *map(str, jsons), "--out", str(report)]) == 0
    for name in ("index.html", "MANIFEST.json", "tables/pooled_results.csv",
                 "tables/site_use.csv", "tables/flows.csv", "figures/flow_01.svg"):  # fmt: skip
        assert (report / name).is_file(), name
    manifest = json.loads((report / "MANIFEST.json").read_text())
    import hashlib

    assert [i["sha256"] for i in manifest["inputs"]] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in jsons
    ]
    assert list((report / "figures").glob("forest_*.svg"))
    table = pd.read_csv(report / "tables" / "pooled_results.csv")
    assert set(table["analysis"]) == {"trend", "mantel_haenszel", "prevalence", "correlation"}
    # the same numbers as pooling the summaries in Python
    direct = _quiet(pool_sites, [load_site_summary(p) for p in jsons]).table
    assert np.allclose(table["p_value"], direct["p_value"], rtol=1e-11, equal_nan=True)
    # no patient row, identifier or free text left the sites
    ids = []
    for p in exports:
        ids += _quiet(load_cohort, p, columns=_mapping(p))["patient_id"].astype(str).tolist()
    assert_no_leak([*jsons, report], [i for i in ids if len(i) >= 4])
    for p in jsons:
        doc = json.loads(p.read_text())
        assert "patient_id" not in p.read_text()
        assert (
            doc["input_sha256"] == hashlib.sha256(exports[jsons.index(p)].read_bytes()).hexdigest()
        )


def _mapping(p):
    mapping = p.with_suffix(".columns.json")
    return mapping if mapping.exists() else None


def _write(doc, path):
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version="0.9"), "site_summary.schema.json"),
        (lambda d: d["grading"].update(scheme="ru-clinical"), "different anaemia gradings"),
        (lambda d: d.update(patients=[{"id": "K07"}]), "site_summary.schema.json"),
        (
            lambda d: d["flow"][0].update(reason="Ivanov Ivan, born 2021"),
            "site_summary.schema.json",
        ),
    ],
)
def test_pool_refuses_bad_or_mixed_files(tmp_path, change, message, capsys):
    cohort = simulate_cohort(n=50, random_state=2)
    a = _quiet(site_summary, _parts(cohort, [25])[0], site="A").to_dict()
    b = _quiet(site_summary, _parts(cohort, [25, 25])[1], site="B").to_dict()
    change(b)
    files = [_write(a, tmp_path / "a.json"), _write(b, tmp_path / "b.json")]
    with pytest.raises(CohortValidationError, match=message):
        pool_sites(files)
    assert main(["pool", *map(str, files), "--out", str(tmp_path / "out")]) == 2
    assert message.split()[0] in capsys.readouterr().err


def test_exclusions_and_a_cyrillic_site_name_fit_the_schema():
    from b12cohort.multisite.summary import validate_content

    cohort = _parts(simulate_cohort(n=40, random_state=8), [40])[0]
    cohort.loc[cohort.index[:4], "age_months"] = 30.0
    cohort.loc[cohort.index[3:6], "b12_pg_ml"] = 150.0
    s = _quiet(site_summary, cohort, site="Красноярск", policy=OPEN)
    reasons = {r["reason"] for r in s.content["flow"] if r["stage"] == "excluded"}
    assert {"age above 24 months", "B12 83 pg/mL or more"} <= reasons
    validate_content(s.to_dict(), source="test")
    with pytest.raises(Exception, match="short name"):
        site_summary(cohort, site="<script>", policy=OPEN)


def test_withheld_exclusion_reasons_are_drawn_as_one_box():
    from b12cohort.multisite.report import _drawable_flow

    flow = pd.DataFrame(
        [("assessed", "", 20), ("invalid", "", 1), ("excluded", "age above 24 months", None),
         ("excluded", "B12 83 pg/mL or more", 5), ("excluded", "total", 7), ("analysed", "", 12)],
        columns=["stage", "reason", "n"],
    )  # fmt: skip
    drawn = _drawable_flow(flow)
    assert drawn["n"].tolist() == [20, 1, 5, 2, 12]
    assert drawn["n"].iloc[0] == drawn["n"].iloc[1:].sum()


def test_pool_refuses_an_edited_null_distribution(tmp_path):
    cohort = simulate_cohort(n=60, random_state=5)
    a, b = (_quiet(site_summary, p, site=n, policy=OPEN).to_dict()
            for p, n in zip(_parts(cohort, [30, 30]), "AB", strict=True))  # fmt: skip
    sign = next(
        s for s, v in b["analyses"]["signs"].items() if v["trend"] and len(v["trend"]["prob"]) > 2
    )
    prob = b["analyses"]["signs"][sign]["trend"]["prob"]
    prob[0], prob[1] = prob[1], prob[0]
    files = [_write(a, tmp_path / "a.json"), _write(b, tmp_path / "b.json")]
    with pytest.raises(CohortValidationError, match=f"{sign}/trend"):
        pool_sites(files)
