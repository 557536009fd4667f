"""The results and methods text, its references and CITATION.cff.

The text is generated for a simulated cohort unlike the example (another size, seed and
some ineligible infants), and every number it prints is looked up in the results it
came from: nothing here is a hard-coded result.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import tomllib

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

import b12cohort
from b12cohort import ArgumentError, inline
from b12cohort.paper import _references as refs
from b12cohort.paper._results_sentences import primary_sentence, secondary_sentence
from b12cohort.paper.inline import format_p_inline
from b12cohort.paper.manuscript import (
    manuscript_markdown,
    manuscript_results,
    manuscript_sections,
    methods_text,
    references,
    references_bibtex,
    results_text,
)
from b12cohort.stats._wording import num

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")


@pytest.fixture(scope="module")
def data():
    cohort = b12cohort.simulate_cohort(n=64, random_state=41)
    cohort.loc[cohort.index[:3], "age_months"] = 30  # three infants too old: excluded
    return cohort


@pytest.fixture(scope="module")
def res(data):
    return manuscript_results(data, source="a simulated cohort")


@pytest.fixture(scope="module")
def text(res):
    return {s.heading: " ".join(s.paragraphs) for s in results_text(res)}


def test_the_flow_sentence_counts_what_the_flow_counts(res, text):
    flow = res.flow.set_index("stage")["n"].groupby(level=0).sum()
    assert flow["excluded"] == 3  # the fixture's exclusions reach the text
    participants = text["Participants"]
    assert f"hold {flow['assessed']} infants" in participants
    assert f"{flow['excluded']} did not meet the eligibility criteria" in participants
    assert f"; {flow['analysed']} met the criteria" in participants
    assert f"admitted {res.years[0]}–{res.years[1]}" in participants


def test_table_one_numbers_are_the_statistics(res, text):
    st_ = res.table_one.statistics
    st_ = st_[st_["group"] == "Overall"].set_index(["variable", "level"], drop=False)
    girls = st_.loc[("sex", "F")]
    assert f"{int(girls['n'])} girls ({100 * girls['proportion']:.0f}%)" in text["Participants"]
    for var in ("age_months", "hb_g_l"):
        row = st_[st_["variable"] == var].iloc[0]
        shown = re.search(
            rf"median {'age' if var == 'age_months' else 'haemoglobin'} ([\d.]+) \S+ "
            r"\(IQR ([\d.]+)–([\d.]+); range ([\d.]+)–([\d.]+)",
            text["Participants"],
        )
        assert shown is not None
        values = [float(x) for x in shown.groups()]
        assert values == pytest.approx(
            [row["median"], row["q1"], row["q3"], row["min"], row["max"]], abs=0.005
        )


def test_each_sign_is_reported_with_its_own_interval(res, text):
    findings = text["Neurological findings"]
    prev = res.prevalence.set_index("variable")
    for sign in ("hypotonia", "adynamia", "developmental_delay", "hyporeflexia", "seizures"):
        row = prev.loc[sign]
        assert f"{sign.replace('_', ' ')} in {inline(row)}" in findings
        if row["events"] == row["n"]:
            assert f"as low as {100 * row['ci_low']:.0f}%" in findings


def test_the_primary_analysis_is_read_from_its_own_row(res, text):
    assoc = res.association
    primary = assoc[assoc["analysis"] == "primary"].iloc[0]
    section = text["Association with the degree of anaemia"]
    assert inline(primary) in section
    lo, hi = primary["ci_low"], primary["ci_high"]
    if lo > 0 or hi < 0:
        assert "The interval excludes 0" in section
    else:
        assert "this is not evidence of no association" in section
    for row in assoc[assoc["analysis"] == "supporting the primary"].itertuples():
        assert row.reading in section  # the readings of the power and TOST rows, unchanged


def test_the_secondary_count_and_the_sensitivity_analysis_match_the_tables(res, text):
    section = text["Association with the degree of anaemia"]

    def small(frame):
        sec = frame[(frame["analysis"] == "secondary") & (frame["method"] != "not-tested")]
        return int((pd.to_numeric(sec["p_value"]) < 0.05).sum()), len(sec)

    k, n = small(res.association)
    assert f"Secondary analyses, {n} tests" in section
    assert (f"{k} gave p < 0.05 before adjustment" in section) or (
        k == 0 and "none gave p < 0.05" in section
    )
    ks, ns = small(res.sensitivity)
    assert f"{ks} of {ns} secondary tests gave p < 0.05 before adjustment ({k} of {n}" in section


def test_the_treatment_course_is_the_course(res, text):
    course = res.course
    section = text["Treatment course"]
    assert inline(course) in section
    assert f"onset recorded in {int(course.onset['n'].iloc[0])}" in section
    if math.isfinite(course.median):
        assert f"median time to resolution was {course.median:g} days" in section
    assert f"{course.events} resolved and {course.n_censored} censored of {course.n_km}" in section


def test_replication_counts_the_matches(res, text):
    rep = res.replication
    matches = int(rep["match"].fillna(False).astype(bool).sum())
    assert (
        f"Replication: {matches} of {len(rep)} figures"
        in text["Replication of the published figures"]
    )


def test_both_primary_analyses_are_read_from_their_rows(res, text):
    """The second primary (linear-by-linear across the grades): its statistic from its own
    row, the row's reading unchanged, and the Holm family of the two primaries named."""
    primary = res.association[res.association["analysis"] == "primary"]
    assert len(primary) == 2
    section = text["Association with the degree of anaemia"]
    first, second = primary.iloc[0], primary.iloc[1]
    assert second["test"] == "linear-by-linear association test"
    assert f"one of the 2 primary analyses, Holm-adjusted over the two as their own family: " \
           f"{format_p_inline(first['p_adjusted'])}" in section  # fmt: skip
    m2 = (second["n"] - 1) * second["estimate"] ** 2
    assert f"M² = (n − 1)r² = {num(m2, 2)} on 1 degree of freedom" in section
    assert f"the {second['method']} linear-by-linear association test" in section
    assert second["reading"] in section  # the table's reading, with its adjusted p
    assert f"Holm-adjusted over the two as their own family: " \
           f"{format_p_inline(second['p_adjusted'])}" in second["reading"]  # fmt: skip
    sens = res.sensitivity[res.sensitivity["analysis"] == "primary"].iloc[1]
    assert (
        f"the second is computed on the grades: {format_p_inline(sens['p_value'])} with "
        f"{res.sensitivity_scheme} ({format_p_inline(second['p_value'])} with {res.scheme})"
    ) in section


def test_the_methods_name_the_second_primary_test_by_its_method(res):
    paragraph = methods_text(res).paragraphs[0]
    keys = [r.key for r in references(res)]
    assert "linear-by-linear association test" in paragraph
    assert "agresti2002" in keys and "mehta1983" in keys and "holm1979" in keys
    assert "The primary p-values were adjusted with Holm's method as a family of their own" in (
        paragraph
    )
    method = res.association.loc[res.association["analysis"] == "primary", "method"].iloc[1]
    exact = "Its p-value is exact: the conditional distribution of the statistic given both " \
            "margins, computed by the network algorithm"  # fmt: skip
    assert (exact in paragraph) == (method == "exact")
    # the sentence follows the result's method token, not a fixed text
    assoc = res.association.copy()
    assoc.loc[assoc.index[assoc["analysis"] == "primary"][1], "method"] = "asymptotic"
    other = dataclasses.replace(res, association=assoc, sensitivity=None)
    paragraph = methods_text(other).paragraphs[0]
    assert exact not in paragraph
    assert "Its p-value is asymptotic (M² against the χ² distribution on 1 degree" in paragraph


def test_the_replication_sentence_says_what_the_count_means(res, text):
    from b12cohort.paper._results_sentences import ELSEWHERE, RECONSTRUCTED

    assert not res.reconstruction
    section = text["Replication of the published figures"]
    assert section.endswith(ELSEWHERE) and RECONSTRUCTED not in section
    example = manuscript_results(b12cohort.load_example(), sensitivity_scheme=None)
    assert example.reconstruction
    rep = example.replication
    sentence = results_text(example)[-1]
    assert sentence.heading == "Replication of the published figures"
    matches = int(rep["match"].fillna(False).astype(bool).sum())
    assert sentence.paragraphs[0] == (
        f"Replication: {matches} of {len(rep)} figures printed by Taranushenko et al. (2022) "
        f"are reproduced by these data.{RECONSTRUCTED}"
    )
    assert "holds by construction" in RECONSTRUCTED and "construction" not in ELSEWHERE
    told = dataclasses.replace(example, reconstruction=False)
    assert results_text(told)[-1].paragraphs[0].endswith(ELSEWHERE)


# --------------------------------------------------------------------------- honesty
@given(
    est=st.floats(-0.99, 0.99),
    half=st.floats(0.01, 0.9),
    shift=st.floats(-0.5, 0.5),
    bound=st.sampled_from([0.3, 0.5]),
)
def test_a_primary_sentence_states_the_side_its_numbers_show(est, half, shift, bound):
    lo, hi = max(-1.0, est - half + shift * half), min(1.0, est + half + shift * half)
    lo, hi = min(lo, est), max(hi, est)
    row = {"estimate": est, "ci_low": lo, "ci_high": hi, "confidence": 0.95, "p_value": 0.2,
           "test": "Spearman's rank correlation rho", "n": 30}  # fmt: skip
    text = primary_sentence(row, bound=bound)
    if est < 0:
        assert "inverse relation" in text.split("the data are")[0]
    elif est > 0:
        assert "positive relation" in text.split("the data are")[0]
    assert ("The interval excludes 0" in text) == (lo > 0 or hi < 0)
    if lo > 0 or hi < 0:
        assert ("an inverse correlation" in text) == (hi < 0)
    else:
        assert "not evidence of no association" in text
    b = num(bound, 2)
    assert (f" excludes inverse correlations of −{b}" in text) == (lo > -bound)
    assert (f" excludes positive correlations of {b}" in text) == (hi < bound)


@given(st.lists(st.floats(0.0001, 1.0), min_size=1, max_size=12))
def test_the_secondary_sentence_counts_small_p_values(ps):
    from statsmodels.stats.multitest import multipletests

    adjusted = multipletests(ps, method="holm")[1]
    frame = pd.DataFrame({
        "analysis": "secondary", "method": "exact", "outcome": [f"s{i}" for i in range(len(ps))],
        "exposure": "anemia_grade", "comparison": "sign across anaemia grades", "p_value": ps,
        "p_adjusted": adjusted, "p_adjust": "holm", "in_family": True,
    })  # fmt: skip
    text = secondary_sentence(frame, scheme="who-2011")
    k = sum(p < 0.05 for p in ps)
    if k == 0:
        assert "none gave p < 0.05" in text and "not evidence that the signs are unrelated" in text
    else:
        k_adj = int((adjusted < 0.05).sum())
        assert f"{k} gave p < 0.05 before adjustment" in text and f", {k_adj} after." in text
        for p in ps:
            if p < 0.05:
                assert format_p_inline(p) in text


# --------------------------------------------------------------------------- methods
def test_every_method_that_ran_has_a_reference(res):
    ran = res.ran()
    for test, method in zip(ran["test"], ran["method"], strict=True):
        hits = [
            r for r in refs.METHOD_RULES
            if r.test in str(test).lower() and (r.method is None or r.method == method)
        ]  # fmt: skip
        assert hits, f"no reference rule for {test!r} ({method})"
    cited = {r.key for r in references(res)}
    for rule in refs.METHOD_RULES:
        if any(rule.test in str(t).lower() for t in ran["test"]):
            assert set(rule.keys) <= cited or rule.method is not None


def test_methods_cite_every_reference_in_order(res):
    paragraph = methods_text(res).paragraphs[0]
    numbers = [int(n) for group in re.findall(r"\[([\d,]+)\]", paragraph) for n in group.split(",")]
    n_refs = len(references(res))
    assert set(numbers) == set(range(1, n_refs + 1))
    first = list(dict.fromkeys(numbers))
    assert first == sorted(first)  # numbered in the order of first citation


def _parse_bibtex(text: str) -> dict[str, dict[str, str]]:
    """A strict little BibTeX reader: entries, balanced braces, one key each."""
    entries = {}
    for match in re.finditer(r"@(\w+)\{([^,\s]+),\n(.*?)\n\}\n", text, flags=re.S):
        kind, key, body = match.groups()
        assert key not in entries, f"duplicate key {key}"
        fields = {}
        for line in body.split(",\n"):
            name, _, value = line.strip().partition(" = ")
            assert value.startswith("{") and value.endswith("}"), line
            depth = 0
            for ch in value:
                depth += {"{": 1, "}": -1}.get(ch, 0)
                assert depth >= 0, line
            assert depth == 0, line
            fields[name] = value[1:-1]
        assert {"author", "title", "year"} <= set(fields), key
        entries[key] = {"kind": kind, **fields}
    assert sum(1 for _ in re.finditer(r"^@", text, flags=re.M)) == len(entries)
    return entries


def test_the_bib_parses_and_holds_every_cited_reference(res):
    entries = _parse_bibtex(references_bibtex(res))
    assert list(entries) == [r.key for r in references(res)]
    for key in ("vonelm2007", "benchimol2015", "taranushenko2022"):
        assert key in entries


def test_the_text_is_deterministic_and_structured(res):
    md = manuscript_markdown(res, title="t")
    assert md == manuscript_markdown(res, title="t")
    sections = manuscript_sections(res)
    assert [s.heading for s in sections][:3] == ["Methods", "Statistical analysis", "Results"]
    assert sections[-1].heading == "References"
    assert all(isinstance(p, str) and p for s in sections for p in s.paragraphs)


def test_wrong_inputs_are_named():
    with pytest.raises(ArgumentError, match="manuscript_results"):
        results_text({"not": "results"})
    with pytest.raises(ArgumentError, match="DataFrame"):
        manuscript_results("cohort.csv")


# --------------------------------------------------------------------------- CITATION.cff
def test_citation_cff_is_valid_and_names_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "type"):
        assert cff[key], key
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(cff["version"]) == project["version"]
    paper = cff["references"][0]
    assert paper["type"] == "article"
    assert paper["journal"] == "EC Clinical and Medical Case Reports"
    assert (paper["volume"], paper["issue"], paper["year"]) == (5, 8, 2022)
    assert paper["authors"][0]["family-names"] == "Taranushenko"
    ref = refs.REFERENCES["taranushenko2022"]
    assert (ref.volume, ref.number, ref.year) == ("5", "8", 2022)
    assert ref.title.lower() == paper["title"].lower()


def test_the_landing_page_citation_agrees_with_citation_cff():
    from b12cohort.report._text import citation

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    text = citation()
    assert cff["title"] in text["software"] and f"Version {cff['version']}" in text["software"]
    assert cff["authors"][0]["name"] in text["software"]
    assert "Taranushenko TE" in text["paper"]


@pytest.mark.skipif(shutil.which("cffconvert") is None, reason="cffconvert is not installed")
def test_citation_cff_passes_cffconvert():
    run = subprocess.run(
        ["cffconvert", "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_literature_comparison_reuses_its_readings(data, res):
    import dataclasses

    included, _ = b12cohort.apply_eligibility(data)
    lit = b12cohort.compare_with_literature(included)
    with_lit = dataclasses.replace(res, literature=lit)
    text = {s.heading: " ".join(s.paragraphs) for s in results_text(with_lit)}
    section = text["Comparison with the literature"]
    for row in lit[lit["synthesis"] != "none"].itertuples():
        assert row.reading in section
    pooled = (lit["synthesis"] == "pooled").any()
    keys = {r.key for r in references(with_lit)}
    assert ("dersimonian1986" in keys) == pooled
    assert "Comparison with the literature" not in {s.heading for s in results_text(res)}


def test_the_checklist_counts_the_cleaning_log_cell_by_cell(tmp_path):
    """STROBE 12.2 counts from the compact summary equal the expanded log's (b12cohort.cleaning_log)."""
    import warnings

    from b12cohort.paper.strobe import _cleaning_text

    raw = b12cohort.simulate_cohort(n=300, random_state=7, missing=0.1, validate=False)
    path = b12cohort.write_export(raw, path=tmp_path / "c.csv").data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = b12cohort.load_cohort(path)
        res = manuscript_results(cohort)
    log = b12cohort.cleaning_log(cohort)
    counts = log.groupby("rule", sort=True).size()
    expected = f"{len(log)} entries in the cleaning log, by rule: " + ", ".join(
        f"{rule} {int(k)}" for rule, k in counts.items()
    )
    assert len(log) > 300  # the export's yes/no and units are recoded cell by cell
    assert _cleaning_text(res).startswith(expected + ";")
