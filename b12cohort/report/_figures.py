"""The report's figure options: checked before any notebook runs, and recorded in the MANIFEST.

``b12cohort report --figure-formats/--figure-width/--journal-column`` (Python:
``build_report(figure_formats=, figure_width_mm=, journal_column=)``) become the notebooks'
``FIGURES`` parameter, which each notebook passes to :func:`b12cohort.report.save_figure`
and so to the one figure saver, :func:`b12cohort.figures.save_figure`.
"""

from __future__ import annotations

from b12cohort.core.errors import ArgumentError

__all__ = ["figure_manifest", "figure_parameters"]


def figure_parameters(formats, width_mm, column) -> dict:
    """The notebooks' ``FIGURES`` parameter: :func:`b12cohort.report.save_figure`'s print options.

    Validated here, before any notebook runs, by the figure saver's own check. The
    landing page shows each figure from its SVG or PNG, so one of them must be written.
    """
    from b12cohort.figures._print import check_print_options

    chosen, width = check_print_options(
        formats,
        width_mm=width_mm,
        column=column,
        function="report",
        names=("figure_formats", "figure_width_mm", "journal_column"),
    )
    if not {"svg", "png"} & set(chosen):
        raise ArgumentError(
            f"report: the figure formats (`figure_formats`, --figure-formats) must include "
            f"svg or png, which the landing page and the notebooks show; got {','.join(chosen)}. "
            f"Example: --figure-formats svg,{','.join(chosen)}."
        )
    out = {"formats": list(chosen)}
    if column is not None:
        out["column"] = column
    elif width is not None:
        out["width_mm"] = width
    return out


def figure_manifest(figures: dict) -> dict:
    """What the MANIFEST records about the figure files: formats, width, resolutions, modes."""
    from b12cohort.figures._print import (
        JOURNAL_COLUMNS,
        PNG_DPI,
        TIFF_COMPRESSION,
        TIFF_DPI,
        TIFF_MODE,
    )

    width = figures.get("width_mm", JOURNAL_COLUMNS.get(figures.get("column")))
    formats = figures["formats"]
    return {
        "formats": list(formats),
        "width_mm": width,
        "journal_column": figures.get("column"),
        "height": "each figure's aspect" if width is not None else "each figure's own size",
        "png_dpi": PNG_DPI if "png" in formats else None,
        "tiff": (
            {"dpi": TIFF_DPI, "mode": TIFF_MODE, "compression": TIFF_COMPRESSION.removeprefix("tiff_").upper(),
             "line_art": "all figures (lines, markers, text, flat fills)"}
            if "tiff" in formats
            else None
        ),
        "pdf_fonts": "embedded, TrueType (pdf.fonttype 42)" if "pdf" in formats else None,
        "svg_text": "kept as text (svg.fonttype none)" if "svg" in formats else None,
    }  # fmt: skip
