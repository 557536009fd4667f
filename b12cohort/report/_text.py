"""The report's manuscript files: ``text/results.md``, ``text/references.bib`` and
``strobe_record_checklist.csv``, and the suggested citation of the landing page.

The results are computed by :func:`b12cohort.manuscript_results` on the cohort the
notebooks analysed (the same functions with the same arguments); before anything is
written, the numbers are checked against the tables the notebooks wrote (the
prevalence and association CSVs), so the text cannot say something the tables do not.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from b12cohort.core.errors import ReportError
from b12cohort.core.tables import render_csv
from b12cohort.report._io import atomic_write

__all__ = ["MANUSCRIPT_FILES", "citation", "write_manuscript"]

#: The files :func:`write_manuscript` writes, relative to the report folder.
MANUSCRIPT_FILES = ("text/results.md", "text/references.bib", "strobe_record_checklist.csv")


def citation() -> dict[str, str]:
    """The suggested citation of the software and of the paper it reproduces.

    The same data as ``CITATION.cff`` at the root of the repository (tests/test_manuscript.py
    checks that they agree); the installed package does not ship that file.
    """
    from b12cohort.core.version import __version__
    from b12cohort.paper._references import REFERENCES, formatted

    software = REFERENCES["b12cohort"]
    return {
        "software": (
            f"b12cohort developers. {software.title}. Version {__version__}. Python package."
        ),
        "paper": formatted(REFERENCES["taranushenko2022"]),
    }


def _same(a, b) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _check_against_tables(build: Path, results) -> None:
    """The manuscript's numbers equal the tables of the build, or a ReportError."""
    checks = (
        ("prevalence", results.prevalence, ("events", "n", "proportion", "ci_low", "ci_high")),
        ("association", results.association, ("estimate", "ci_low", "ci_high", "p_value")),
        ("literature_comparison", results.literature, ("proportion", "pooled_estimate")),
    )
    for name, frame, columns in checks:
        path = build / "tables" / f"{name}.csv"
        if frame is None or not path.exists():
            continue
        table = pd.read_csv(path)
        if len(table) != len(frame):
            raise ReportError(
                f"tables/{name}.csv has {len(table)} rows but the results text was computed "
                f"from {len(frame)}: the notebooks and the text disagree. Rebuild the report; "
                "if it persists, report it as a bug."
            )
        for col in columns:
            for i, (a, b) in enumerate(zip(table[col], frame[col], strict=True)):
                if not _same(a, b):
                    raise ReportError(
                        f"tables/{name}.csv row {i + 1}, column {col}: the table has {a}, the "
                        f"results text {b}. The text must use the numbers of the tables; "
                        "rebuild the report, and report it as a bug if it persists."
                    )


def write_manuscript(build: Path, *, parameters: dict, meta) -> dict:
    """Write the manuscript files into ``build``; return the landing page's values.

    Returns
    -------
    dict
        ``sections`` (:func:`b12cohort.manuscript_sections`: the headings and paragraphs of
        the methods, results and references, for a Word document), ``checklist_table``
        (:func:`b12cohort.strobe_record_checklist`, a DataFrame), ``files`` (written),
        ``citation`` (:func:`citation`) and ``checklist`` (counts by status).
    """
    from b12cohort.paper.manuscript import (
        manuscript_markdown,
        manuscript_results,
        manuscript_sections,
        references_bibtex,
    )
    from b12cohort.paper.strobe import strobe_record_checklist
    from b12cohort.report._cohort import report_cohort
    from b12cohort.report._site import source_name

    cohort = report_cohort(  # cached: the build loaded it once already
        parameters["DATA"],
        columns=parameters["COLUMNS"],
        scheme=parameters["SCHEME"],
        invalid_rows=parameters["INVALID_ROWS"],
        **parameters["READ_OPTIONS"],
    )
    name = source_name(meta, parameters)
    results = manuscript_results(
        cohort,
        scheme=parameters["SCHEME"],
        source=name,
        literature=True,
        reconstruction=parameters["DATA"] is None,
    )
    _check_against_tables(build, results)
    title = f"Results and methods: {name}"
    atomic_write(build / "text" / "results.md", manuscript_markdown(results, title=title))
    atomic_write(build / "text" / "references.bib", references_bibtex(results))
    checklist = strobe_record_checklist(results)
    atomic_write(build / "strobe_record_checklist.csv", render_csv(checklist))
    counts = checklist["status"].value_counts()
    return {
        # for the Word document: the headings and paragraphs, and the checklist table
        "sections": manuscript_sections(results),
        "checklist_table": checklist,
        "files": list(MANUSCRIPT_FILES),
        "citation": citation(),
        "checklist": {
            "n_items": len(checklist),
            "answered": int(counts.get("answered by the report", 0)),
            "partly": int(counts.get("partly answered by the report", 0)),
            "authors": int(counts.get("to be written by the authors", 0)),
        },
    }
