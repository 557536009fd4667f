"""The STROBE and RECORD checklist, filled with what the software knows.

:func:`strobe_record_checklist` lists every item of the STROBE statement (von Elm et
al. 2007; 22 items with their sub-items, in the cohort/cross-sectional wording) and of
its RECORD extension for routinely collected health data (Benchimol et al. 2015), each
with where the report answers it (a table, figure, section or file) and what the
software could fill in from the analysis: the setting and dates from the data, the
eligibility criteria, the cleaning methods from the cleaning log, the participant
flow, the missing data per variable, the tests that ran with their references, the
sensitivity analyses, and access to code and data (the MANIFEST). What only the authors
know (the title, the rationale, funding, ...) is marked "to be written by the authors".

The item texts are a data file, ``b12cohort/resources/strobe_record_items.csv``
(``guideline, item, section, topic, recommendation``); its ``#`` header names the sources the
texts were checked against.

References
----------
von Elm E, Altman DG, Egger M, Pocock SJ, Gøtzsche PC, Vandenbroucke JP. The
Strengthening the Reporting of Observational Studies in Epidemiology (STROBE) statement:
guidelines for reporting observational studies. Lancet. 2007;370(9596):1453-1457.

Benchimol EI, Smeeth L, Guttmann A, et al. The REporting of studies Conducted using
Observational Routinely-collected health Data (RECORD) statement. PLoS Med.
2015;12(10):e1001885.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from b12cohort.core.constants import ELIGIBLE_AGE_MONTHS, ELIGIBLE_B12_BELOW_PG_ML
from b12cohort.paper.manuscript import ManuscriptResults, check_results, references

__all__ = ["CHECKLIST_COLUMNS", "TO_BE_WRITTEN", "checklist_items", "strobe_record_checklist"]

#: Columns of :func:`strobe_record_checklist`, in order.
CHECKLIST_COLUMNS = (
    "guideline", "item", "section", "topic", "recommendation", "status", "where", "content",
)  # fmt: skip
#: The ``where`` of an item only the authors can answer.
TO_BE_WRITTEN = "to be written by the authors"

_RESULTS = "text/results.md"
#: Marks a ``where`` that is a file of the package's repository, not of the report folder.
_PACKAGE = "b12cohort repository: "


def checklist_items() -> pd.DataFrame:
    """The STROBE and RECORD items as published (the bundled CSV), every cell a string."""
    path = resources.files("b12cohort") / "resources" / "strobe_record_items.csv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False, comment="#")


def _missing_text(res: ManuscriptResults) -> str:
    st = res.table_one_by_grade.statistics
    st = st[st["group"] == "Overall"].drop_duplicates("variable")
    missing = st[st["n_missing"] > 0]
    if missing.empty:
        return "no variable has missing values"
    return "missing values: " + "; ".join(
        f"{r.variable} {int(r.n_missing)}" for r in missing.itertuples()
    )


def _flow_text(res: ManuscriptResults) -> str:
    flow = res.flow
    parts = [
        f"{r.stage}{f' ({r.reason})' if isinstance(r.reason, str) and r.reason else ''}: {int(r.n)}"
        for r in flow.itertuples()
    ]
    return "; ".join(parts)


def _cleaning_text(res: ManuscriptResults) -> str:
    log = res.cleaning_summary
    if log is None or log.empty:
        return "the cleaning log is empty: no value was changed"
    # a change to a whole column or the file is one entry of the log (n_cells missing)
    cells = log["n_cells"].fillna(1).astype("int64")
    counts = cells.groupby(log["rule"], sort=True).sum()
    return (
        f"{int(cells.sum())} entries in the cleaning log, by rule: "
        + ", ".join(f"{rule} {int(k)}" for rule, k in counts.items())
        + "; every changed cell with its row, column, original and new value"
    )


def _filled(res: ManuscriptResults, *, report: bool) -> dict[str, tuple[str, str, str]]:
    """item -> (status, where, content) for the items the software answers (fully or partly)."""
    lo, hi = ELIGIBLE_AGE_MONTHS
    where = (lambda *places: "; ".join(places)) if report else (lambda *places: "")
    years = f"admissions {res.years[0]}–{res.years[1]}" if res.years else "dates not recorded"
    n = int(res.flow.loc[res.flow["stage"] == "analysed", "n"].sum())
    ran = res.ran()
    tests = "; ".join(dict.fromkeys(ran["test"].astype(str)))
    cited = ", ".join(r.key for r in references(res))
    sens = (
        f"association analysis repeated with the {res.sensitivity_scheme} anaemia grading "
        f"(primary: {res.scheme})"
        if res.sensitivity is not None
        else "no sensitivity analysis was run"
    )
    part, done = "partly answered by the report", "answered by the report"
    return {
        "4": (part, where(f"{_RESULTS} (Statistical analysis)", "index.html#methods"),
              "retrospective analysis of routinely collected clinical records"),
        "5": (part, where("index.html#data", "MANIFEST.json"),
              f"{res.source}; {years}; the locations are to be written by the authors"),
        "6a": (done, where(f"{_RESULTS} (Participants)", "index.html#flow"),
               f"age {lo:g}–{hi:g} months and serum vitamin B12 below "
               f"{ELIGIBLE_B12_BELOW_PG_ML:g} pg/mL (b12cohort.apply_eligibility)"),
        "7": (part, where(f"{_PACKAGE}data/schema/cohort.schema.json (the data dictionary)", "index.html#data"),
              f"every variable with its unit and allowed values in the data dictionary; anaemia "
              f"graded by {res.scheme}"),
        "8": (part, where(f"{_PACKAGE}data/schema/cohort.schema.json", "cleaning_log.csv"),
              "units and conversions of every laboratory value in the data dictionary and the "
              "cleaning log; the assessment methods are to be written by the authors"),
        "10": (part, where(f"{_RESULTS} (Association with the degree of anaemia)"),
               f"{n} infants analysed (all eligible records); what this size can detect is "
               "stated with the primary analysis"),
        "11": (done, where(f"{_RESULTS} (Statistical analysis)", "tables/table_one_by_grade.csv"),
               f"haemoglobin analysed as measured (Spearman, Hodges–Lehmann) and grouped into "
               f"anaemia grades by {res.scheme}"),
        "12a": (done, where(f"{_RESULTS} (Statistical analysis)", "text/references.bib"),
                f"{tests} (references: {cited}); no adjustment for confounding"),
        "12b": (part, where("tables/table_one_by_grade.csv", "tables/association.csv"),
                "comparisons across anaemia grades; no interaction analysis"),
        "12c": (done, where("tables/table_one.csv (missing column)", "index.html#limitations"),
                "complete-case analysis per variable; infants without a value are counted as "
                "missing and left out of that variable's test only"),
        "12d": (part, where("tables/course_kaplan_meier.csv", f"{_RESULTS} (Treatment course)"),
                "unresolved involuntary movements are censored at the last follow-up "
                "(Kaplan–Meier)"),
        "12e": (done if res.sensitivity is not None else part,
                where("tables/association_other_scheme.csv"), sens),
        "13a": (done, where("participant_flow.csv", f"{_RESULTS} (Participants)"),
                _flow_text(res)),
        "13b": (done, where("participant_flow.csv", "invalid_rows.csv"),
                "every exclusion and invalid row with its reason"),
        "13c": (done, where("figures/participant_flow.svg"), "participant flow diagram"),
        "14a": (done, where("tables/table_one.csv", "tables/table_one_by_grade.csv"),
                "Table 1 overall and by anaemia grade"),
        "14b": (done, where("tables/table_one.csv (missing column)"), _missing_text(res)),
        "14c": (part, where("tables/course_by_infant.csv", "tables/course_summary.csv"),
                "follow-up of infants with involuntary movements on treatment"),
        "15": (done, where("tables/prevalence.csv", "tables/course_summary.csv"),
               "number and proportion of infants with each sign, with exact intervals"),
        "16a": (done, where("tables/association.csv", f"{_RESULTS} (Association with the degree "
                            "of anaemia)"),
                "unadjusted estimates with their confidence intervals; no confounder adjustment"),
        "16b": (done, where("tables/table_one_by_grade.csv", "index.html#association"),
                f"haemoglobin grade boundaries of the {res.scheme} scheme "
                "(b12cohort.anemia_schemes())"),
        "17": (done if res.sensitivity is not None else part,
               where("tables/association_other_scheme.csv", "tables/replication.csv"),
               f"{sens}; replication of the published figures"),
        "18": (part, where(f"{_RESULTS} (Results)"), "the results text states the key numbers; "
               "the discussion is to be written by the authors"),
        "19": (part, where("index.html#limitations"), "limitations computed from the data (design, "
               "missingness, grading, power); their discussion is to be written by the authors"),
        "20": (part, where("tables/literature_comparison.csv", "index.html#literature"),
               "comparison with published cohorts; the interpretation is to be written by the "
               "authors"),
        "1.2": (part, where("index.html#data"), f"{years}; the region is to be written by the authors"),
        "6.1": (done, where(f"{_RESULTS} (Participants)", "participant_flow.csv"),
                "the selection is an algorithm on the export: validation against the data "
                "dictionary, then b12cohort.apply_eligibility"),
        "7.1": (done, where(f"{_PACKAGE}data/schema/cohort.schema.json", f"{_PACKAGE}b12cohort/resources/anemia_schemes.csv"),
                "every variable's definition and the anaemia grading algorithm are files of the "
                "package"),
        "12.2": (done, where("cleaning_log.csv", "invalid_rows.csv"), _cleaning_text(res)),
        "12.3": (part, where("MANIFEST.json"), "one export, no linkage by the software; "
                 "linkage done before the export is to be described by the authors"),
        "13.1": (done, where("participant_flow.csv", "figures/participant_flow.svg", "invalid_rows.csv"),
                 _flow_text(res)),
        "19.1": (part, where("index.html#limitations", "index.html#data-warnings"),
                 "missing data and data warnings computed; the discussion is to be written by "
                 "the authors"),
        "22.1": (done, where("MANIFEST.json", "notebooks/", f"{_PACKAGE}CITATION.cff"),
                 "code: the b12cohort package and the notebooks (versions and SHA-256 of every "
                 "input and output in MANIFEST.json); the raw data stay with the authors"),
    }  # fmt: skip


def strobe_record_checklist(results: ManuscriptResults, *, report: bool = True) -> pd.DataFrame:
    """Every STROBE and RECORD item with where the report answers it.

    Parameters
    ----------
    results : ManuscriptResults
        From :func:`b12cohort.manuscript_results` (what ran, the flow, the missing data).
    report : bool
        Fill ``where`` with the files of a ``b12cohort report`` folder (default); with
        False ``where`` is empty and only ``content`` says what the software knows.

    Returns
    -------
    pandas.DataFrame
        One row per item, STROBE (1a-22) then RECORD (1.1-22.1), with columns
        ``guideline`` ("STROBE" or "RECORD"), ``item`` (its number), ``section``,
        ``topic``, ``recommendation`` (the item's text), ``status`` ("answered by the
        report", "partly answered by the report" or "to be written by the authors"),
        ``where`` (files, tables, figures and sections of the report that answer it;
        "to be written by the authors" when none does) and ``content`` (what the
        software filled in, from the data and the analysis).

    Raises
    ------
    ArgumentError
        ``results`` is not a :class:`ManuscriptResults`.
    """
    check_results(results, function="strobe_record_checklist")
    items = checklist_items()
    filled = _filled(results, report=report)
    rows = []
    for item in items.to_dict("records"):
        status, where, content = filled.get(item["item"], (TO_BE_WRITTEN, "", ""))
        if status == TO_BE_WRITTEN and report:
            where = TO_BE_WRITTEN
        rows.append({**item, "status": status, "where": where, "content": content})
    return pd.DataFrame(rows, columns=list(CHECKLIST_COLUMNS))
