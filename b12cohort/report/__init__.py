"""The report pipeline: ``b12cohort report`` and the helpers its notebooks call.

:func:`build_report` validates the data, executes the bundled notebooks (they compute
through the library and write the tables and figures), exports them to HTML, writes the
landing page ``index.html`` and ``MANIFEST.json``, and only then replaces the output
folder, atomically. :func:`check_report` rebuilds into a temporary folder, compares the
manifests and every file and says why they differ; :func:`verify_report` checks a folder
against its own manifest without rebuilding.

The notebook-facing helpers (:func:`start_notebook`, :func:`report_cohort`, :func:`save_table`,
:func:`save_figure`, :func:`write_summary`) are light to import.

May import: every layer below it (figures, paper, stats, cohort, reading, dictionary,
core); only ``b12cohort.cli`` imports it.
"""

from __future__ import annotations

import json
from pathlib import Path

from b12cohort.core._docx import write_docx
from b12cohort.core._export import Section
from b12cohort.core._result_table import result_table
from b12cohort.core._xlsx import write_xlsx
from b12cohort.report._association import association_table
from b12cohort.report._cohort import report_cohort, start_notebook
from b12cohort.report._display import show_figures, show_readings
from b12cohort.report._io import (
    atomic_write,
    format_frame,
    save_cleaning_log,
    save_csv,
    save_table,
    sha256_file,
)

__all__ = [
    "Section",
    "association_table",
    "atomic_write",
    "build_report",
    "check_report",
    "format_frame",
    "report_cohort",
    "result_table",
    "save_cleaning_log",
    "save_csv",
    "save_figure",
    "save_table",
    "sha256_file",
    "show_figures",
    "show_readings",
    "start_notebook",
    "verify_report",
    "write_docx",
    "write_summary",
    "write_xlsx",
]


class SavedFigure:
    """The files of a saved figure; displays as the saved PNG in a notebook.

    Returning this instead of leaving the figure open means Jupyter shows the very
    image written to the report, and matplotlib does not render the figure once more
    for the notebook.
    """

    def __init__(self, paths: list[Path], alt: str = ""):
        self.paths = tuple(paths)
        self.alt = alt

    def _repr_png_(self):
        png = next((p for p in self.paths if p.suffix == ".png"), None)
        if png is None:
            return None
        # the alt text travels with the image into the exported notebook's <img alt>
        return (png.read_bytes(), {"alt": self.alt}) if self.alt else png.read_bytes()

    def __repr__(self) -> str:
        return "saved " + ", ".join(f"{p.parent.name}/{p.name}" for p in self.paths)


def save_figure(
    fig,
    name: str,
    out: str | Path = ".",
    *,
    formats=None,
    dpi: float = 300,
    width_mm: float | None = None,
    column: str | None = None,
    tiff_dpi: float = 600,
) -> SavedFigure:
    """Write ``figures/<name>.<fmt>`` under ``out`` byte-deterministically and close the figure.

    Print quality by default: PNG at 300 dpi, and a PDF beside the SVG (both keep text
    as text). ``formats`` (e.g. ``"png,pdf,svg,tiff"``), ``width_mm`` or ``column``
    (``"single"``: 85 mm, ``"double"``: 175 mm) and ``tiff_dpi`` are passed to
    :func:`b12cohort.figures.save_figure`, the one figure saver (fixed metadata,
    ``svg.hashsalt``, tight bounding box or exact width); ``b12cohort report`` passes
    its ``--figure-formats``, ``--figure-width`` and ``--journal-column`` this way (the
    notebooks' ``FIGURES`` parameter). The figure's alt text (written by the function
    that drew it, from the numbers drawn) goes to ``_site/alt/<name>.txt`` for the
    landing page, and a caption the figure carries (set when it drew aggregates instead
    of individual infants, :mod:`b12cohort.figures._scale`) to
    ``_site/captions/<name>.txt``. Returns a :class:`SavedFigure`, which a notebook
    displays as the saved PNG.
    """
    from b12cohort.figures._scale import caption_of
    from b12cohort.figures._style import alt_text
    from b12cohort.figures._style import save_figure as _save

    folder = Path(out) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    description = alt_text(fig)  # before the figure is closed
    caption = caption_of(fig)
    paths = _save(
        fig,
        folder / name,
        formats=("png", "svg", "pdf") if formats is None else formats,
        dpi=dpi,
        width_mm=width_mm,
        column=column,
        tiff_dpi=tiff_dpi,
        close=True,
    )
    if description:
        atomic_write(Path(out) / "_site" / "alt" / f"{name}.txt", description + "\n")
    if caption:
        atomic_write(Path(out) / "_site" / "captions" / f"{name}.txt", caption + "\n")
    return SavedFigure(paths, alt=description)


def write_summary(key: str, values: dict, out: str | Path = ".") -> None:
    """Record facts for the landing page (``_site/<key>.json``; removed after the build).

    Returns None, so that the last cell of a notebook shows nothing (not a path).
    """
    text = json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    atomic_write(Path(out) / "_site" / f"{key}.json", text + "\n")


def build_report(*args, **kwargs):
    """Build the full report; see :func:`b12cohort.report._build.build_report`."""
    from b12cohort.report._build import build_report as _build

    return _build(*args, **kwargs)


def check_report(*args, **kwargs):
    """Rebuild and compare byte for byte; see :func:`b12cohort.report._build.check_report`."""
    from b12cohort.report._build import check_report as _check

    return _check(*args, **kwargs)


def verify_report(folder):
    """Check a report folder against its own MANIFEST; see :func:`b12cohort.report._check.verify_report`."""
    from b12cohort.report._check import verify_report as _verify

    return _verify(folder)


def run_verify_command(args) -> int:
    """The ``b12cohort verify`` command (called by :mod:`b12cohort.cli`)."""
    from b12cohort.report._build import run_verify_command as _run

    return _run(args)


def run_report_command(args, *, read_kwargs: dict) -> int:
    """The ``b12cohort report`` command (called by :mod:`b12cohort.cli`)."""
    from b12cohort.report._build import run_report_command as _run

    return _run(args, read_kwargs=read_kwargs)
