"""The report's tables for the manuscript: ``tables/tables.docx`` and ``tables/tables.xlsx``.

The notebooks save each table through :func:`b12cohort.report.save_table`, which also
keeps its content (shown cells, data, footnotes) in ``.manuscript/``. After the
notebooks ran, :func:`write_manuscript_tables` puts the tables a paper reports, in the
order of :data:`MANUSCRIPT_TABLES`, into one Word document
(:func:`b12cohort.core._docx.write_docx`, with the user's template if given) and one
Excel workbook (:func:`b12cohort.core._xlsx.write_xlsx`), and removes ``.manuscript/``.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

from b12cohort.report._io import MANUSCRIPT_FOLDER, MANUSCRIPT_TABLES

__all__ = ["MANUSCRIPT_TABLES", "write_manuscript_tables"]


#: The columns the Word tables show of the widest tables (Excel and the CSVs keep every column); the
#: interval method, level and tests are in the footnotes.
DOCX_COLUMNS = {
    "prevalence": ("variable", "events", "n", "proportion", "ci_low", "ci_high", "n_missing", "note"),
    "replication": ("item", "published", "computed", "match", "status"),
    "course_summary": ("statistic", "estimate", "ci_low", "ci_high", "q1", "q3", "min", "max", "n",
                       "N", "n_missing", "unit"),
    "literature_comparison": ("sign", "events", "total", "proportion", "ci_low", "ci_high", "k",
                              "studies", "synthesis", "comparator_estimate", "comparator_ci_low",
                              "comparator_ci_high"),
}  # fmt: skip

#: Captions given by the notebooks that a table object cannot carry (a Table 1 has none).
_OWN_TITLE_FIRST = frozenset({"prevalence", "association", "replication", "course_summary",
                              "literature_comparison"})  # fmt: skip


def manuscript_contents(build: Path) -> list:
    """The kept tables of a build folder, in manuscript order (those that were saved)."""
    folder = Path(build) / MANUSCRIPT_FOLDER
    contents = []
    for name, default in MANUSCRIPT_TABLES.items():
        path = folder / f"{name}.pickle"
        if not path.is_file():
            continue
        content = pickle.loads(path.read_bytes())
        title = content.title if (name in _OWN_TITLE_FIRST and content.title) else default
        contents.append((name, title, content))
    return contents


def _for_word(name: str, content):
    """The Word version of a table: the columns of :data:`DOCX_COLUMNS`, with a note saying so."""
    import dataclasses

    columns = [c for c in DOCX_COLUMNS.get(name, ()) if c in content.shown.columns]
    if not columns or len(columns) == content.shown.shape[1]:
        return content
    note = (
        f"Columns shown: {', '.join(columns)}. All {content.data.shape[1]} columns, unrounded: "
        f"sheet {name} of tables.xlsx and tables/{name}.csv."
    )
    return dataclasses.replace(content, shown=content.shown[columns], notes=(*content.notes, note))


def write_manuscript_tables(build: Path, *, docx_template=None, sections=()) -> tuple[Path, Path]:
    """Write ``tables/tables.docx`` and ``tables/tables.xlsx`` into ``build``; drop ``.manuscript/``.

    Parameters
    ----------
    build : path
        The report folder being built.
    docx_template : path, optional
        A Word document whose styles and page setup ``tables.docx`` uses.
    sections : sequence of :class:`b12cohort.core._export.Section`
        Parts after the tables (results text, reporting checklist).
    """
    from b12cohort.core._docx import write_docx
    from b12cohort.core._xlsx import write_xlsx

    build = Path(build)
    found = manuscript_contents(build)
    tables = [c for _, _, c in found]
    titles = [t for _, t, _ in found]
    names = [n for n, _, _ in found]
    out = build / "tables"
    out.mkdir(parents=True, exist_ok=True)
    docx = write_docx(
        out / "tables.docx",
        [_for_word(n, c) for n, c in zip(names, tables, strict=True)],
        template=docx_template,
        sections=sections,
        titles=titles,
    )
    xlsx = write_xlsx(out / "tables.xlsx", tables, names=names, titles=titles)
    shutil.rmtree(build / MANUSCRIPT_FOLDER, ignore_errors=True)
    return docx, xlsx
