"""What a notebook shows: readings in full and several saved figures in one output.

The notebooks only import and call b12cohort (tests/test_report.py), so the display
objects they need live here. Each has the ``_repr_*_`` methods Jupyter uses, and a
plain ``__repr__`` for a terminal.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

__all__ = ["FigureGallery", "Readings", "show_figures", "show_readings"]


class Readings:
    """Every reading of a table, in full, as a Markdown list (no column width cut)."""

    def __init__(self, items: Sequence[tuple[str, str]]):
        self.items = tuple(items)

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- **{label}**: {text}" for label, text in self.items)

    def __repr__(self) -> str:
        return "\n".join(f"* {label}: {text}" for label, text in self.items)


def show_readings(table, *, label: Sequence[str] = ("analysis", "comparison")) -> Readings:
    """The ``reading`` column of ``table`` in full, each labelled by the ``label`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = show_readings(pd.DataFrame({"analysis": ["primary"], "comparison": ["x vs y"],
    ...                                     "reading": ["A long sentence."]}))
    >>> shown._repr_markdown_()
    '- **primary, x vs y**: A long sentence.'
    """
    cols = [c for c in label if c in table.columns]
    items = [
        (", ".join(str(row[c]) for c in cols), str(row["reading"])) for _, row in table.iterrows()
    ]
    return Readings(items)


class FigureGallery:
    """Saved figures shown one below the other (the PNGs written to the report)."""

    def __init__(self, saved: Iterable):
        self.saved = tuple(saved)

    def _repr_html_(self) -> str:
        parts = []
        for figure in self.saved:
            png = figure._repr_png_()
            if png is None:
                continue
            if isinstance(png, tuple):
                png = png[0]
            name = html.escape(next(iter(figure.paths)).stem)
            alt = html.escape(getattr(figure, "alt", "") or name)
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{alt}" '
                f'style="max-width:100%"><figcaption>{name}</figcaption></figure>'
            )
        return "\n".join(parts)

    def __repr__(self) -> str:
        return "\n".join(repr(f) for f in self.saved)


def show_figures(saved: Iterable) -> FigureGallery:
    """Show several :class:`~b12cohort.report.SavedFigure` at once (e.g. made in a loop)."""
    return FigureGallery(saved)
