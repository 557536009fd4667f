"""Figures for print: the options, laying a figure out again at a journal's width, and TIFF.

:func:`check_print_options` is the one place the print options are validated (the
Python API and ``b12cohort report --figure-formats/--figure-width/--journal-column``
both go through it); :func:`at_width` lays a figure out at a width in millimetres for the
time of a save; :func:`write_tiff` writes the LZW-compressed RGB TIFF journals ask for.
:func:`b12cohort.figures.save_figure` uses all three; nothing else saves a figure.

Every b12cohort figure is *line art* in the journals' sense: lines, markers, text and
flat colour fills, no photograph or continuous-tone image. Journals ask for line art at
600 dpi or more (halftones at 300 dpi), hence :data:`TIFF_DPI`; the PNG stays at 300 dpi
for the screen and the landing page.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from b12cohort.core.errors import ArgumentError

__all__ = [
    "DEFAULT_FORMATS",
    "JOURNAL_COLUMNS",
    "PNG_DPI",
    "PRINT_FORMATS",
    "TIFF_DPI",
    "WIDTH_RANGE_MM",
    "at_width",
    "check_print_options",
    "write_tiff",
]

#: Every format the saver writes.
PRINT_FORMATS = ("png", "svg", "pdf", "tiff")
#: What it writes when not told otherwise (and what ``b12cohort report`` writes by default).
DEFAULT_FORMATS = ("png", "svg", "pdf")
#: Journal column widths in millimetres (the usual single- and double-column widths of
#: clinical journals, e.g. 85 and 175 mm in the BMJ, Elsevier and Springer Nature guides).
JOURNAL_COLUMNS = {"single": 85.0, "double": 175.0}
#: Widths a figure can be laid out at, in millimetres (narrower: the 8-9 pt text of the
#: figures no longer fits beside the axes; wider: more than a printed page).
WIDTH_RANGE_MM = (40.0, 250.0)
#: Resolution of the PNG (screen, landing page).
PNG_DPI = 300
#: Resolution of the TIFF: every b12cohort figure is line art (see the module notes).
TIFF_DPI = 600
#: The TIFF's colour mode and compression: RGB (no alpha channel, which many journal
#: systems reject) and LZW (lossless; the compression journals name).
TIFF_MODE, TIFF_COMPRESSION = "RGB", "tiff_lzw"

_MM_PER_INCH = 25.4


def check_print_options(
    formats: Sequence[str] | str | None = None,
    *,
    width_mm: float | str | None = None,
    column: str | None = None,
    function: str = "save_figure()",
    names: tuple[str, str, str] = ("formats", "width_mm", "column"),
) -> tuple[tuple[str, ...], float | None]:
    """Validate the print options: the formats, and one width (in mm or a journal column).

    Parameters
    ----------
    formats : str or sequence of str, optional
        Some of ``"png"``, ``"svg"``, ``"pdf"``, ``"tiff"``, as a sequence or one
        comma-separated string (``"png,pdf,tiff"``); None: :data:`DEFAULT_FORMATS`.
    width_mm : float, optional
        The printed width in millimetres, from 40 to 250.
    column : {"single", "double"}, optional
        A journal column instead of a width: 85 or 175 mm (:data:`JOURNAL_COLUMNS`).
    function : str
        The caller named in error messages.
    names : (str, str, str)
        The caller's names of the three arguments, for its error messages.

    Returns
    -------
    (tuple of str, float or None)
        The formats (lower case, without repetitions, in the order given) and the width
        in millimetres (None: the figure's own size).

    Raises
    ------
    ArgumentError
        An unknown or empty format list, a width that is not a number in range, an
        unknown column, or both a width and a column.

    Examples
    --------
    >>> check_print_options("PNG, tiff", column="single")
    (('png', 'tiff'), 85.0)
    >>> check_print_options(None)
    (('png', 'svg', 'pdf'), None)
    """
    f_name, w_name, c_name = names
    if formats is None:
        chosen = list(DEFAULT_FORMATS)
    else:
        items = formats.split(",") if isinstance(formats, str) else list(formats)
        chosen = [str(f).strip().lower().lstrip(".") for f in items]
        chosen = [f for f in chosen if f]
    unknown = [f for f in chosen if f not in PRINT_FORMATS]
    if unknown or not chosen:
        raise ArgumentError(
            f"{function}: the figure formats (`{f_name}`, --figure-formats) must be one or more "
            f"of {', '.join(PRINT_FORMATS)}, separated by commas; got "
            f"{', '.join(map(repr, unknown)) if unknown else repr(formats)}. "
            "Example: --figure-formats png,pdf,tiff."
        )
    chosen = list(dict.fromkeys(chosen))
    if width_mm is not None and column is not None:
        raise ArgumentError(
            f"{function}: give the figure width either in millimetres (`{w_name}`, "
            f"--figure-width {width_mm}) or as a journal column (`{c_name}`, --journal-column "
            f"{column}), not both."
        )
    if column is not None:
        if column not in JOURNAL_COLUMNS:
            raise ArgumentError(
                f"{function}: the journal column (`{c_name}`, --journal-column) must be "
                f"{' or '.join(map(repr, JOURNAL_COLUMNS))} "
                f"({', '.join(f'{k}: {v:g} mm' for k, v in JOURNAL_COLUMNS.items())}); "
                f"got {column!r}. For another width give --figure-width MM."
            )
        return tuple(chosen), JOURNAL_COLUMNS[column]
    if width_mm is None:
        return tuple(chosen), None
    lo, hi = WIDTH_RANGE_MM
    try:
        width = float(width_mm)
    except (TypeError, ValueError):
        width = math.nan
    if isinstance(width_mm, bool) or not (lo <= width <= hi):
        raise ArgumentError(
            f"{function}: the figure width (`{w_name}`, --figure-width) must be a number of "
            f"millimetres from {lo:g} to {hi:g}; got {width_mm!r}. Journal columns are "
            f"{' and '.join(f'{v:g} mm' for v in JOURNAL_COLUMNS.values())} "
            "(--journal-column single|double)."
        )
    return tuple(chosen), width


@contextlib.contextmanager
def at_width(figure, width_mm: float | None) -> Iterator:
    """Lay ``figure`` out ``width_mm`` wide for the time of the block, then restore it.

    The height follows the figure's aspect: the area the axes cover keeps the
    height-to-width ratio it had as drawn, and the figure is as much taller as its
    labels and legends need. Text keeps its size in points, so that it prints at the
    size it was drawn with (8-10 pt): only the axes grow or shrink. The axes are laid
    out again so that every label fits inside the new size (the figure's own layout
    engine when it has one, else ``tight_layout``); a legend placed outside its axes
    keeps its distance from them in inches, one wider than the figure is set in a
    single column with its labels wrapped, and y tick labels longer than about 40% of
    the width and titles longer than about 70% of it are wrapped.
    Yields the box to save (``bbox_inches``): everything drawn, padded by 0.05 in, and
    exactly ``width_mm`` wide (the figure is narrowed until what sticks out of its
    axes fits). ``width_mm=None`` changes nothing and yields ``"tight"``.
    """
    if width_mm is None:
        yield "tight"
        return
    width = float(width_mm) / _MM_PER_INCH
    old_size = figure.get_size_inches().copy()
    axes = list(figure.axes)
    positions = [
        (ax, ax.get_position(original=True).frozen(), ax.get_position().frozen()) for ax in axes
    ]
    engine = figure.get_layout_engine()
    plot_aspect = _plot_area(figure)  # height / width of the area the axes cover, as drawn
    legends = _anchor_legends(figure, axes)
    replaced, labels, thinned = [], [], []
    try:
        figure.set_size_inches(width, old_size[1] * width / old_size[0], forward=False)
        labels = _wrap_long_labels(axes, width)
        replaced = _single_column_when_too_wide(figure, legends, width)
        _lay_out(figure, engine)
        # the axes keep their aspect (taller where their labels need it); the text
        # around them keeps its size in inches
        for _ in range(4):
            plot = _plot_area(figure, height=True)
            extra = figure.get_tightbbox().height + 2 * _PAD - plot
            wanted = max(_plot_area(figure, width=True) * plot_aspect, _needed_plot_height(figure))
            wanted = min(wanted, 3.0 * width - extra)  # never taller than a page
            if abs(wanted - plot) < 0.01:
                break
            before = figure.get_size_inches().copy()
            figure.set_size_inches(width, wanted + extra, forward=False)
            _lay_out(figure, engine)
            if abs(_plot_area(figure, height=True) - plot) < 0.5 * abs(wanted - plot):
                # the axes do not follow the height (a fixed aspect, e.g. a heat map)
                figure.set_size_inches(*before, forward=False)
                _lay_out(figure, engine)
                break
        box = _exact_width(figure, engine, width)
        thinned = _thin_crowded_x_ticks(figure)
        yield box
    finally:
        figure.set_size_inches(*old_size, forward=False)
        for ax, legend in replaced:
            ax.legend_ = legend
        for legend, anchor, transform in legends:
            legend.set_bbox_to_anchor(anchor, transform=transform)
        for restore in (*thinned, *labels):
            restore()
        for ax, original, active in positions:
            ax._set_position(original, which="original")
            ax._set_position(active, which="active")
        if engine is None:
            figure.set_layout_engine("none")


_PAD = 0.05  # inches around what is drawn, as bbox_inches="tight" with pad_inches=0.05


def _exact_width(figure, engine, width: float):
    """Narrow the figure until what it draws is ``width`` inches wide; return that box."""
    from matplotlib.transforms import Bbox

    previous = fits = None
    for _ in range(12):
        over = figure.get_tightbbox().width + 2 * _PAD - width
        w, h = figure.get_size_inches()
        if over <= 0 and (fits is None or w > fits):
            fits = w  # the widest figure whose drawing fits (it may jump: wrapped text)
        if abs(over) < 0.1 / 600:
            break
        slope = 1.0  # how much what is drawn narrows per inch the figure narrows (secant)
        if previous is not None and previous[0] != w:
            slope = (over - previous[1]) / (w - previous[0])
        previous = (w, over)
        step = over / slope if 0.2 <= slope <= 5 else over
        figure.set_size_inches(max(w - step, 0.75 * width), h, forward=False)
        _lay_out(figure, engine)
    else:
        if fits is not None:
            figure.set_size_inches(fits, figure.get_size_inches()[1], forward=False)
            _lay_out(figure, engine)
    tight = figure.get_tightbbox()
    needed = tight.width + 2 * _PAD
    if needed > width + 0.01:
        from b12cohort.core.errors import B12CohortWarning

        warnings.warn(
            B12CohortWarning(
                f"save_figure(): at {width * _MM_PER_INCH:.0f} mm wide what this figure draws "
                f"needs {needed * _MM_PER_INCH:.0f} mm; the files keep the width asked for and "
                "cut what sticks out on the right. Give a larger `width_mm` (--figure-width) or "
                "`column='double'`."
            ),
            stacklevel=4,
        )
    return Bbox.from_bounds(tight.x0 - _PAD, tight.y0 - _PAD, width, tight.height + 2 * _PAD)


def _needed_plot_height(figure) -> float:
    """The height (inches) the axes must cover together for every axes' y tick labels and
    y label to fit beside it, each axes keeping its share of that height."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    total = _plot_area(figure, height=True)
    need = 0.0
    for ax in figure.axes:
        height = ax.get_window_extent(renderer).height
        if not ax.get_visible() or height <= 0 or total <= 0 or hasattr(ax, "_colorbar"):
            continue  # a colorbar's label may be cut into lines; it follows its axes
        ticks = [t for t in ax.yaxis.get_majorticklabels() if t.get_visible() and t.get_text()]
        stacked = 1.25 * sum(t.get_window_extent(renderer).height for t in ticks)
        label = (
            ax.yaxis.label.get_window_extent(renderer).height if ax.yaxis.label.get_text() else 0
        )
        share = height / figure.dpi / total
        need = max(need, max(stacked, 1.05 * label) / figure.dpi / share)
    return need


def _thin_crowded_x_ticks(figure) -> list:
    """Keep every other x tick where neighbouring tick labels touch; return how to undo."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter

    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    undo = []
    for ax in figure.axes:
        ticks = [t for t in ax.xaxis.get_majorticklabels() if t.get_visible() and t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in ticks]
        gap = 0.25 * ax.xaxis.get_ticklabels()[0].get_fontsize() if ticks else 0
        if not any(b.x1 + gap > c.x0 for b, c in itertools.pairwise(boxes)):
            continue
        if isinstance(ax.xaxis.get_major_formatter(), FixedFormatter | FuncFormatter):
            continue  # labels tied to the ticks one by one (set_xticks with labels)
        locator = ax.xaxis.get_major_locator()
        undo.append(lambda a=ax, loc=locator: a.xaxis.set_major_locator(loc))
        ax.xaxis.set_major_locator(FixedLocator(list(ax.get_xticks())[::2]))
    return undo


def _lay_out(figure, engine) -> None:
    if engine is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "not compatible with tight_layout"
            figure.tight_layout(pad=0.4)
    figure.draw_without_rendering()


def _plot_area(figure, *, width: bool = False, height: bool = False) -> float:
    """The union of the axes' boxes, as drawn: its height/width, or its width or height in inches."""
    from matplotlib.transforms import Bbox

    figure.draw_without_rendering()
    boxes = [ax.get_window_extent() for ax in figure.axes if ax.get_visible()]
    if not boxes:
        return 0.0 if (width or height) else 1.0
    union = Bbox.union(boxes)
    if width:
        return union.width / figure.dpi
    if height:
        return union.height / figure.dpi
    return union.height / union.width if union.width else 1.0


def _wrap_long_labels(axes, width_in: float) -> list:
    """Wrap y tick labels longer than about 40% of the width, and titles wider than the
    figure, onto several lines; return how to undo."""
    import textwrap

    from matplotlib.ticker import FixedFormatter, FixedLocator

    limit = max(12, int(0.4 * width_in * 72 / (0.55 * 8.0)))  # characters of 8 pt text
    undo = []
    for ax in axes:
        if not isinstance(ax.yaxis.get_major_locator(), FixedLocator):
            continue  # labels set with the ticks (set_yticks), not numbers placed by a locator
        formatter = ax.yaxis.get_major_formatter()
        texts = [t.get_text() for t in ax.yaxis.get_majorticklabels()]
        if not any(len(t) > limit and "$" not in t for t in texts):
            continue
        undo.append((lambda f=formatter, a=ax: a.yaxis.set_major_formatter(f)))
        wrapped = [t if "$" in t else textwrap.fill(t, limit) for t in texts]
        ax.yaxis.set_major_formatter(FixedFormatter(wrapped))
    titles_limit = max(20, int(0.7 * width_in * 72 / (0.55 * 10.0)))  # 10 pt titles
    for ax in axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            text = title.get_text()
            if len(text) > titles_limit and "\n" not in text:
                undo.append((lambda t=title, old=text: t.set_text(old)))
                title.set_text(textwrap.fill(text, titles_limit))
    return undo


def _anchor_legends(figure, axes) -> list:
    """Re-anchor legends outside their axes at a fixed distance in inches; return how to undo."""
    from matplotlib.transforms import Bbox, ScaledTranslation

    figure.draw_without_rendering()  # the axes' sizes as drawn
    undo = []
    for ax in axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        given = legend._bbox_to_anchor  # None unless bbox_to_anchor was given
        if given is None or not _in_axes_fraction(given._transform, ax):
            continue
        anchor = given._bbox.frozen()
        undo.append((legend, anchor, given._transform))
        x, y = anchor.x0, anchor.y0
        if 0.0 <= y <= 1.0:
            continue
        height = ax.get_window_extent().height / figure.dpi  # inches
        edge = 0.0 if y < 0 else 1.0
        shift = ScaledTranslation(0.0, (y - edge) * height, figure.dpi_scale_trans)
        legend.set_bbox_to_anchor(
            Bbox.from_bounds(x, edge, anchor.width, anchor.height), transform=ax.transAxes + shift
        )
    return undo


def _in_axes_fraction(transform, ax) -> bool:
    """Whether a legend's anchor transform is the axes fraction (transAxes or its equal)."""
    from matplotlib.transforms import BboxTransformTo

    if transform is ax.transAxes:
        return True
    return isinstance(transform, BboxTransformTo) and transform._boxout is ax.bbox


def _single_column_when_too_wide(figure, legends, width_in: float) -> list:
    """Set a legend wider than the figure in one column, its labels wrapped to the width
    (a new legend, the old one kept for the undo); return how to undo."""
    import textwrap

    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    undo = []
    for legend, *_ in legends:
        if legend.get_window_extent(renderer).width / figure.dpi <= 0.95 * width_in:
            continue
        ax = legend.axes
        given = legend._bbox_to_anchor
        size = float(legend._fontsize)
        limit = max(16, int((0.95 * width_in - 0.5) * 72 / (0.55 * size)))  # after the handle
        narrow = ax.legend(
            handles=legend.legend_handles,
            labels=[textwrap.fill(t.get_text(), limit) for t in legend.texts],
            loc=legend._loc,
            bbox_to_anchor=given._bbox,
            bbox_transform=given._transform,
            ncols=1,
            fontsize=size,
            frameon=legend.get_frame_on(),
        )
        narrow.set_title(
            legend.get_title().get_text(), prop=legend.get_title().get_fontproperties()
        )
        undo.append((ax, legend))
    return undo


def write_tiff(
    figure, target: Path, *, dpi: float, description: str = "", bbox_inches="tight"
) -> Path:
    """Write ``figure`` as an RGB TIFF, LZW-compressed, at ``dpi``; the bytes depend on the figure only.

    Rendered by Agg like the PNG, then written by Pillow with only the tags the image
    needs: the resolution (``dpi`` per inch), ``ImageDescription`` (the alt text) and
    ``Software`` ("b12cohort"); Pillow writes no date.
    """
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="png",
        dpi=dpi,
        bbox_inches=bbox_inches,
        pad_inches=0.05,
        metadata={"Software": None},
        pil_kwargs={"compress_level": 0},
    )
    buffer.seek(0)
    with Image.open(buffer) as image:
        rgb = image.convert(TIFF_MODE)
    options = {"compression": TIFF_COMPRESSION, "dpi": (dpi, dpi), "software": "b12cohort"}
    if description:
        options["description"] = description
    rgb.save(target, format="TIFF", **options)
    return target
