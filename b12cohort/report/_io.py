"""Report outputs: atomic, byte-deterministic writes of tables and text.

Rounding and rendering happen in the presentation layer only, through the one table
writer :mod:`b12cohort.core.tables`: CSV files keep full precision (for re-analysis)
and are made safe to open in a spreadsheet; Markdown, LaTeX and HTML are rounded for
reading (:func:`b12cohort.core.tables.format_frame`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from b12cohort.core.tables import (
    format_frame,
    render_csv,
    render_html,
    render_latex,
    render_markdown,
)

__all__ = [
    "LISTED_ROWS_MAX",
    "atomic_write",
    "format_frame",
    "save_cleaning_log",
    "save_csv",
    "save_table",
    "sha256_file",
]

#: Rows of a table that lists infants shown in its Markdown, LaTeX and HTML versions
#: (``save_table(..., listing=True)``); the CSV always holds every row.
LISTED_ROWS_MAX = 50


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: a crash leaves the old file or the new one.

    The file gets the usual permissions (0666 minus the umask), not the private 0600 of
    a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_table(
    table,
    name: str,
    out: str | Path = ".",
    *,
    formats=("csv", "md", "tex", "html"),
    caption: str | None = None,
    listing: bool = False,
) -> list[Path]:
    """Write a table as ``tables/<name>.<fmt>`` under ``out``, atomically and deterministically.

    Parameters
    ----------
    table : pandas.DataFrame or an object with ``to_csv``/``to_markdown``/``to_latex``/``to_html``
        A tidy result table (written unrounded to CSV, rounded elsewhere) or a
        presentation object such as :class:`b12cohort.stats.table_one.TableOne` (its own exports
        are used).
    name : str
        File stem, e.g. ``"prevalence"``.
    out : path
        Report folder; files go to ``out/tables/``.
    formats : sequence of {"csv", "md", "tex", "html"}
    caption : str, optional
        Caption for the LaTeX table and the HTML fragment.
    listing : bool, default False
        The table lists infants, one row each (e.g. the treatment course by infant).
        Its Markdown, LaTeX and HTML versions then show the first
        :data:`LISTED_ROWS_MAX` (50) rows and a note pointing to the CSV, which holds
        every row: a page of 10^5 rows is read by nobody and takes minutes to write.

    Returns
    -------
    list of Path
        The files written. The table's content is also kept in ``out/.manuscript/`` for
        ``tables/tables.docx`` and ``tables/tables.xlsx``, which ``b12cohort report``
        assembles after the notebooks and then deletes that folder.
    """
    import pandas as pd

    folder = Path(out) / "tables"
    written = []
    if isinstance(table, pd.DataFrame):
        notes: tuple[str, ...] = ()
        head = table
        if listing and len(table) > LISTED_ROWS_MAX:
            head = table.head(LISTED_ROWS_MAX)
            notes = (
                f"The first {LISTED_ROWS_MAX} of {len(table):,} rows; every row is in {name}.csv.",
            )
        shown = format_frame(head)
        texts = {
            "csv": lambda: render_csv(table),
            "md": lambda: render_markdown(shown, notes),
            "tex": lambda: render_latex(shown, notes, caption=caption),
            "html": lambda: render_html(shown, notes, caption=caption),
        }
    else:  # a presentation object with its own exports (e.g. TableOne), same writer
        texts = {
            "csv": lambda: table.to_csv(),
            "md": lambda: table.to_markdown(),
            "tex": lambda: table.to_latex(),
            "html": lambda: table.to_html(),
        }
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        atomic_write(path, texts[fmt]())
        written.append(path)
    if name in MANUSCRIPT_TABLES:  # only these go into tables.docx/.xlsx (not the listings)
        _keep_for_manuscript(table, name, out, caption)
    return written


#: Rows :func:`save_csv` renders at a time (a registry's cleaning log has ~10 per infant).
CSV_CHUNK_ROWS = 100_000


#: The report tables in the manuscript files, in order: file stem -> caption used when the
#: table has none of its own.
MANUSCRIPT_TABLES = {
    "table_one": "Characteristics of the infants",
    "table_one_by_grade": "Characteristics of the infants by anaemia grade",
    "prevalence": "Prevalence of each sign",
    "association": "Neurological signs against the degree of anaemia",
    "replication": "Published figures against the data",
    "course_summary": "Involuntary movements during treatment",
    "literature_comparison": "Prevalence in the cohort against published series",
}


#: Where :func:`save_table` leaves each table for the Word/Excel assembly (removed by the build).
MANUSCRIPT_FOLDER = ".manuscript"


def _keep_for_manuscript(table, name: str, out, caption: str | None) -> None:
    """Keep the table's content (shown cells, data, notes) for ``tables.docx``/``tables.xlsx``.

    The notebooks run in their own kernels; the report process assembles the Word and
    Excel files after them (:func:`b12cohort.report._manuscript.write_manuscript_tables`)
    from these files, then deletes the folder.
    """
    import pickle

    import pandas as pd

    from b12cohort.core._export import as_content
    from b12cohort.core._result_table import ResultTable

    if isinstance(table, pd.DataFrame):
        table = ResultTable(table, caption=caption)
    content = as_content(table, name=name, title=caption)
    atomic_write(
        Path(out) / MANUSCRIPT_FOLDER / f"{name}.pickle", pickle.dumps(content, protocol=5)
    )


def save_cleaning_log(cohort, out: str | Path = ".", filename: str = "cleaning_log.csv") -> Path:
    """Write the cleaning log of a loaded cohort to ``out/filename``, one row per changed cell.

    The bytes of ``save_csv(b12cohort.cleaning_log(cohort), filename, out)``, written a
    window of input rows at a time (:meth:`CleaningLog.to_frames
    <b12cohort.dictionary.cleaning_log.CleaningLog.to_frames>`): a million-row export
    logs about ten million changed cells, which would otherwise be one frame and one text.
    """
    from b12cohort.dictionary.metadata import load_metadata

    return _write_frames(load_metadata(cohort).log.to_frames(), Path(out) / filename)


def _write_frames(frames, path: Path) -> Path:
    """Write the CSV of the concatenated ``frames`` atomically, one frame at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            header = None
            for frame in frames:
                text = render_csv(frame)
                if header is None:
                    header = render_csv(frame.iloc[:0])
                    fh.write(header)
                fh.write(text[len(header) :])  # every frame renders the same header line
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_csv(frame, filename: str, out: str | Path = ".") -> Path:
    """Write ``frame`` to ``out/filename`` as UTF-8 CSV, unrounded and spreadsheet-safe.

    The bytes of :func:`b12cohort.core.tables.render_csv`, written atomically and
    :data:`CSV_CHUNK_ROWS` rows at a time, so that a frame of millions of rows is never
    held as one text (nor its formula-guarded copy as one frame).
    """
    if len(frame) <= CSV_CHUNK_ROWS:
        return atomic_write(Path(out) / filename, render_csv(frame))
    chunks = (frame.iloc[k : k + CSV_CHUNK_ROWS] for k in range(0, len(frame), CSV_CHUNK_ROWS))
    return _write_frames(chunks, Path(out) / filename)
