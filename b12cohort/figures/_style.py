"""Shared look of every b12cohort figure, and byte-deterministic saving.

* :data:`OKABE_ITO`: the colour-blind-safe palette of Okabe & Ito (2008), by name, and
  :data:`PALETTE`, the same colours in the order used for successive series.
* :func:`style`: a :func:`matplotlib.rc_context` with the house font sizes, no top/right
  spines and the Okabe-Ito colour cycle. Every plotting function draws inside it, so
  the global ``rcParams`` are never changed.
* :func:`finish`: applies to an Axes what matplotlib only reads at draw time (tick label
  sizes) or at Axes creation (spines), so an Axes passed in by the caller looks the
  same as one made here.
* :func:`save_figure`: writes PNG, SVG, PDF and TIFF whose bytes depend only on the
  figure (fixed metadata, no timestamps, fixed SVG hash salt, fixed DPI); SVG text stays
  text, PDF fonts are embedded; at a print width (``width_mm=``, ``column=``) through
  :mod:`b12cohort.figures._print`.
* :func:`set_alt_text` / :func:`alt_text`: the text alternative of a figure, written by
  the function that drew it from the numbers it drew (not its caption), and saved into
  the files' metadata.
* :func:`contrast_ratio` / :func:`text_colour_on`: WCAG 2 contrast, so that text on a
  coloured background keeps a ratio of at least 4.5:1.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler

from b12cohort.core.errors import ArgumentError
from b12cohort.figures._pdf_fonts import lean_pdf_fonts
from b12cohort.figures._print import (
    DEFAULT_FORMATS,
    PNG_DPI,
    TIFF_DPI,
    at_width,
    check_print_options,
    write_tiff,
)

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "OKABE_ITO",
    "PALETTE",
    "RC",
    "SAVE_RC",
    "alt_text",
    "contrast_ratio",
    "finish",
    "new_axes",
    "save_figure",
    "set_alt_text",
    "style",
    "text_colour_on",
    "variable_label",
]

#: Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colour order for successive series (yellow last: it is faint on white).
PALETTE = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "bluish_green",
        "orange",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    )
)

#: Sequential colour map for heat maps: perceptually uniform and readable with
#: colour-vision deficiency (Nuñez, Anderton & Renslow 2018).
SEQUENTIAL_CMAP = "cividis"

_FONT_SIZE = 9.0
_TICK_SIZE = 8.0

#: The rc settings every plotting function draws with (inside ``rc_context``).
RC: dict[str, Any] = {
    "font.size": _FONT_SIZE,
    "axes.titlesize": 10.0,
    "axes.titlelocation": "left",
    "axes.labelsize": _FONT_SIZE,
    "xtick.labelsize": _TICK_SIZE,
    "ytick.labelsize": _TICK_SIZE,
    "legend.fontsize": _TICK_SIZE,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.dpi": 100.0,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
}

#: Formats :func:`save_figure` writes, and the metadata that makes each deterministic.
#: matplotlib writes a creation date into SVG ("Date") and PDF ("CreationDate") unless
#: told not to, and its own version into every format; both are replaced here.
FORMATS = {
    "png": {"Software": "b12cohort"},
    "svg": {"Date": None, "Creator": "b12cohort"},
    "pdf": {"CreationDate": None, "Creator": "b12cohort", "Producer": "b12cohort"},
    "tiff": {},  # written by :func:`b12cohort.figures._print.write_tiff` (no date, no version)
}

#: Metadata key that carries the figure's alt text in each format.
_DESCRIPTION_KEY = {"png": "Description", "svg": "Description", "pdf": "Subject"}

#: rc settings read when a figure is saved: a fixed SVG id salt (otherwise a random
#: UUID), text kept as text in SVG (selectable, searchable, editable in a journal's
#: workflow; the viewer's fonts render it), TrueType (Type 42) fonts in PDF.
SAVE_RC: dict[str, Any] = {
    "svg.hashsalt": "b12cohort",
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw with the house style; the global ``rcParams`` are restored on exit.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with style():
    ...     inside = mpl.rcParams["font.size"]
    >>> inside, mpl.rcParams["font.size"] == before
    (9.0, True)
    """
    with mpl.rc_context(RC):
        yield


def new_axes(ax, *, figsize: tuple[float, float]):
    """Return ``ax``, or the Axes of a new figure of ``figsize`` inches when it is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def finish(ax, *, left: bool = True) -> None:
    """House look on ``ax`` whoever created it: no top/right spines, fixed tick label size.

    Tick labels are created lazily when the figure is drawn, outside :func:`style`, so
    their size is set here explicitly. ``left=False`` also hides the left spine (for
    axes whose y axis is a list of labels).
    """
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    if not left:
        ax.spines["left"].set_visible(False)
    ax.tick_params(labelsize=_TICK_SIZE)


#: Minimum contrast ratio of text against its background (WCAG 2, level AA).
MIN_CONTRAST = 4.5

_ALT_TEXT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _luminance(colour) -> float:
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("black", "white"), 1), round(contrast_ratio("#767676", "white"), 2)
    (21.0, 4.54)
    """
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    black = contrast_ratio("black", background)
    white = contrast_ratio("white", background)
    return "black" if black >= white else "white"


def set_alt_text(fig, text: str) -> None:
    """Attach the text alternative of a figure (an Axes stands for its figure)."""
    _ALT_TEXT[_figure_of(fig)] = str(text)


def alt_text(fig) -> str:
    """The text alternative the plotting function wrote for ``fig`` ("" when none)."""
    return _ALT_TEXT.get(_figure_of(fig), "")


def variable_label(name: str) -> str:
    """Human label of a cohort column: its schema title, else the name without underscores.

    Examples
    --------
    >>> variable_label("hypotonia"), variable_label("my_sign")
    ('Muscular hypotonia', 'my sign')
    """
    from b12cohort.dictionary.schema import load_schema

    try:
        title = load_schema().field(name).title
    except ArgumentError:
        title = ""
    return title or str(name).replace("_", " ")


def _targets(path: str | Path, formats: tuple[str, ...] | None) -> list[tuple[Path, str]]:
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    stem = path.with_suffix("") if suffix in FORMATS else path
    if formats is None:
        formats = (suffix,) if suffix in FORMATS else DEFAULT_FORMATS
    return [(stem.with_name(f"{stem.name}.{fmt}"), fmt) for fmt in formats]


def save_figure(
    fig,
    path: str | Path,
    *,
    formats: Sequence[str] | str | None = None,
    dpi: float = PNG_DPI,
    width_mm: float | None = None,
    column: str | None = None,
    tiff_dpi: float = TIFF_DPI,
    close: bool = False,
) -> list[Path]:
    """Save a figure as PNG, SVG, PDF and/or TIFF, byte for byte the same on every run.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure (an Axes or an array of Axes stands for its figure).
    path : str or pathlib.Path
        Target file. With a ``.png``, ``.svg``, ``.pdf`` or ``.tiff`` suffix and
        ``formats=None``, only that format is written; without one of these suffixes,
        every format in ``formats`` is written next to it (``fig1`` -> ``fig1.png``,
        ``fig1.svg``, ``fig1.pdf``). Parent directories must exist.
    formats : str or sequence of {"png", "svg", "pdf", "tiff"}, optional
        Formats to write, as a sequence or a comma-separated string (default: the
        suffix of ``path``, else PNG, SVG and PDF).
    dpi : float, default 300
        Resolution of the PNG (and of any raster element embedded in SVG/PDF).
    width_mm : float, optional
        Printed width in millimetres (40 to 250): the figure is laid out again at that
        width for the save, its height following its aspect, its text keeping its size
        in points; every file is then exactly that wide (PNG and TIFF: ``width_mm / 25.4
        * dpi`` pixels; PDF: ``width_mm / 25.4 * 72`` points). Default: the figure's own
        size, cropped to what is drawn.
    column : {"single", "double"}, optional
        A journal column instead of ``width_mm``: 85 or 175 mm. Not both.
    tiff_dpi : float, default 600
        Resolution of the TIFF: 600 dpi, what journals ask for line art (every b12cohort
        figure is line art: lines, markers, text and flat fills).
    close : bool, default False
        Close the figure after saving (frees it and keeps a notebook from drawing it
        once more). The report's :func:`b12cohort.report.save_figure` closes.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ArgumentError
        An unknown format, a width out of range, both ``width_mm`` and ``column``, or a
        ``fig`` that is neither a Figure nor an Axes.

    Notes
    -----
    The figure's alt text (:func:`alt_text`, when its plotting function set one) is
    written into the metadata: PNG and SVG ``Description``, PDF ``Subject``, TIFF
    ``ImageDescription``. SVG text is kept as text (``svg.fonttype = "none"``); PDF
    fonts are embedded as TrueType (``pdf.fonttype = 42``). The TIFF is RGB (no alpha
    channel) and LZW-compressed. With a width the figure is restored to its own size
    and layout after the save.

    Determinism: no creation date (SVG ``Date``, PDF ``CreationDate`` removed; Pillow
    writes none into the TIFF), fixed ``Creator``/``Producer``/``Software``
    ("b12cohort") instead of the matplotlib version, a fixed ``svg.hashsalt``
    (matplotlib otherwise salts SVG ids with a random UUID), fixed DPI, a tight bounding
    box (or the exact width) and a white background. The bytes still depend on the
    matplotlib, FreeType and Pillow versions and on the fonts installed, so compare
    files made in the same environment. The global ``rcParams`` are not changed.

    Examples
    --------
    >>> import tempfile, pathlib, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = save_figure(fig, pathlib.Path(tmp) / "line", dpi=50)
    ...     [f.name for f in files]
    ['line.png', 'line.svg', 'line.pdf']
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = save_figure(fig, pathlib.Path(tmp) / "line", formats="pdf,tiff", column="single")
    ...     [f.name for f in files]
    ['line.pdf', 'line.tiff']
    >>> plt.close(fig)
    """
    figure = _figure_of(fig)
    chosen, width = check_print_options(formats, width_mm=width_mm, column=column)
    targets = _targets(path, None if formats is None else chosen)  # None: the suffix decides
    description = alt_text(figure)
    written = []
    with (
        mpl.rc_context(SAVE_RC),
        at_width(figure, width) as bbox,
        _laid_out_once(figure, bbox, len(targets), dpi) as bbox,
        lean_pdf_fonts(),
    ):
        for target, fmt in targets:
            if fmt == "tiff":
                write_tiff(figure, target, dpi=tiff_dpi, description=description, bbox_inches=bbox)
                written.append(target)
                continue
            metadata = dict(FORMATS[fmt])
            if description:
                metadata[_DESCRIPTION_KEY[fmt]] = description
            figure.savefig(
                target,
                format=fmt,
                dpi=dpi,
                metadata=metadata,
                bbox_inches=bbox,
                pad_inches=0.05,
            )
            written.append(target)
    if close:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return written


@contextlib.contextmanager
def _laid_out_once(figure, bbox, n_files: int, dpi: float):
    """Lay the figure out once for all the files of one save; yield the box to save.

    ``savefig`` runs the layout engine and, for ``bbox_inches="tight"``, a dry draw to
    measure what is drawn, once per file: for PNG, SVG and PDF that is three layouts and
    three dry draws of the same figure. Here the layout runs once
    (``draw_without_rendering`` at the PNG's ``dpi``), the tight box is measured once (padded by 0.05 in, as
    ``pad_inches=0.05`` pads it), and the layout engine is off while the files are drawn
    (what matplotlib itself does between its layout and its drawing), then restored.
    One file: nothing changes.
    """
    if n_files < 2:
        yield bbox
        return
    engine, own_dpi = figure.get_layout_engine(), figure.dpi
    figure.dpi = dpi  # text is measured at the resolution the PNG is drawn at
    try:
        figure.draw_without_rendering()
        if isinstance(bbox, str):  # "tight"
            bbox = figure.get_tightbbox().padded(0.05)
    finally:
        figure.dpi = own_dpi
    figure.set_layout_engine("none")
    try:
        yield bbox
    finally:
        figure.set_layout_engine(engine)


def _figure_of(fig):
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    if isinstance(fig, Figure):
        return fig
    if isinstance(fig, Artist) and isinstance(fig.figure, Figure):
        return fig.figure
    try:  # an array/list of Axes from a multi-panel function
        first = next(iter(getattr(fig, "flat", fig)))
    except (TypeError, StopIteration):
        first = None
    if isinstance(first, Artist) and isinstance(first.figure, Figure):
        return first.figure
    raise ArgumentError(
        f"save_figure(): `fig` must be a matplotlib Figure or Axes; got {type(fig).__name__}."
    )
