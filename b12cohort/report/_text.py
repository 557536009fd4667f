"""The report's manuscript files: ``text/results.md``, ``text/references.bib`` and
``strobe_record_checklist.csv``, and the suggested citation of the landing page.

The results are computed by :func:`b12cohort.manuscript_results` on the cohort the
notebooks analysed (the same functions with the same arguments); before anything is
written, every number of the text is checked against the tables the notebooks wrote
(:mod:`b12cohort.report._text_checks`: the flow, Table 1, prevalence, association,
sensitivity, treatment course, literature and replication CSVs), so the text cannot say
something the tables do not.
"""

from __future__ import annotations

from pathlib import Path

from b12cohort.core.tables import render_csv
from b12cohort.report._io import atomic_write
from b12cohort.report._text_checks import check_against_tables

__all__ = [
    "MANUSCRIPT_FILES",
    "citation",
    "compute_manuscript",
    "docx_sections",
    "write_manuscript",
]

#: The heading of the checklist section of ``tables/tables.docx``.
CHECKLIST_HEADING = "Reporting checklist (STROBE and RECORD)"

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


def docx_sections(manuscript: dict) -> tuple:
    """What ``tables/tables.docx`` holds after the tables: the methods, results and
    references of :func:`write_manuscript`, then the checklist as a section with its table.

    Parameters
    ----------
    manuscript : dict
        What :func:`write_manuscript` returned (``sections`` and ``checklist_table``).
    """
    from b12cohort.core._export import Section

    checklist = Section(
        CHECKLIST_HEADING,
        (
            "Each item of the STROBE statement and of its RECORD extension, with where this "
            "report answers it; the same rows as strobe_record_checklist.csv.",
        ),
        table=manuscript["checklist_table"],
        level=1,
    )
    return (*manuscript["sections"], checklist)


def compute_manuscript(*, parameters: dict, meta, cohort=None):
    """:func:`b12cohort.manuscript_results` for the report's cohort (no file is written).

    ``cohort``: the cohort the build validated; None reads it again (cached per process).
    The build runs this while the notebook kernels work, when the cohort is small enough
    to keep in memory beside them (see :data:`b12cohort.report._build.OVERLAP_ROWS_MAX`).
    """
    from b12cohort.paper.manuscript import manuscript_results
    from b12cohort.report._cohort import report_cohort
    from b12cohort.report._site import source_name

    if cohort is None:
        cohort = report_cohort(  # cached: the build loaded it once already
            parameters["DATA"],
            columns=parameters["COLUMNS"],
            scheme=parameters["SCHEME"],
            invalid_rows=parameters["INVALID_ROWS"],
            **parameters["READ_OPTIONS"],
        )
    return manuscript_results(
        cohort,
        scheme=parameters["SCHEME"],
        source=source_name(meta, parameters),
        literature=True,
        reconstruction=parameters["DATA"] is None,
    )


def write_manuscript(build: Path, *, parameters: dict, meta, results=None) -> dict:
    """Write the manuscript files into ``build``; return the landing page's values.

    ``results``: what :func:`compute_manuscript` returned, or None to compute it here.
    Either way every number is checked against the tables the notebooks wrote first.

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
        manuscript_sections,
        references_bibtex,
    )
    from b12cohort.paper.strobe import strobe_record_checklist
    from b12cohort.report._site import source_name

    name = source_name(meta, parameters)
    if results is None:
        results = compute_manuscript(parameters=parameters, meta=meta)
    check_against_tables(build, results)
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
