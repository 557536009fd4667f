"""Faster TrueType embedding in PDF figures (private).

Every PDF figure embeds the subset of DejaVu Sans it uses (``pdf.fonttype = 42``, so that
journals get real fonts). matplotlib subsets the font with fontTools on every save:
it parses the whole font file again and subsets its OpenType layout tables (``GSUB``,
``GPOS``, ``GDEF``, ``kern``) as well, which is two thirds of the cost of writing a PDF
figure (about 0.15 s of 0.22 s for a small plot here, 13 figures per report).

A PDF never uses those tables: matplotlib lays the text out itself and the PDF places
glyphs by their index. :func:`lean_pdf_fonts` therefore makes matplotlib subset a copy
of the font without them, parsed once per process and kept as bytes. The glyphs, their
outlines, metrics and names are the font's own, so the PDF shows the same text; only the
embedded font program is smaller. This is our own code because matplotlib offers no
option for the subsetter (its ``get_glyphs_subset`` builds the fontTools options
itself); it replaces that function only inside the ``with`` block and only when it has
the signature this was written for (matplotlib 3.10+), otherwise it changes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
from collections.abc import Iterator

#: OpenType layout tables a PDF never reads (matplotlib shapes the text itself).
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "JSTF", "MATH", "BASE")


@functools.lru_cache(maxsize=8)
def _font_without_layout(path: str, face_index: int) -> bytes:
    """The font file at ``path`` without :data:`LAYOUT_TABLES`, as bytes (parsed once)."""
    from fontTools import ttLib

    # no recalculated timestamp or bounds: the bytes (and so every PDF) stay the same
    font = ttLib.TTFont(path, fontNumber=face_index, recalcTimestamp=False, recalcBBoxes=False)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def _compatible(module) -> bool:
    original = getattr(module, "get_glyphs_subset", None)
    if original is None or not hasattr(module, "SubsetResults"):
        return False
    try:
        return list(inspect.signature(original).parameters) == ["fontfile", "glyphs"]
    except (TypeError, ValueError):
        return False


@contextlib.contextmanager
def lean_pdf_fonts() -> Iterator[None]:
    """Inside the block, PDF saves embed font subsets made without the layout tables."""
    try:
        from matplotlib.backends import _backend_pdf_ps as module
    except ImportError:  # pragma: no cover - matplotlib without its PDF backend
        yield
        return
    if not _compatible(module):
        yield
        return
    original = module.get_glyphs_subset

    def get_glyphs_subset(fontfile, glyphs):
        from fontTools import subset

        face = getattr(fontfile, "face_index", 0)
        try:
            data = _font_without_layout(str(fontfile), int(face))
        except Exception:  # an unusual font: matplotlib's own way
            return original(fontfile, glyphs)
        options = subset.Options(glyph_names=True, recommended_glyphs=True)
        options.drop_tables += ["FFTM", "PfEd", "BDF", "meta", *LAYOUT_TABLES]
        font = subset.load_font(io.BytesIO(data), options)  # as matplotlib loads it
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(gids=glyphs)
        subsetter.subset(font)
        return module.SubsetResults(font, subsetter.glyph_index_map)._as_cm()

    module.get_glyphs_subset = get_glyphs_subset
    try:
        yield
    finally:
        module.get_glyphs_subset = original
