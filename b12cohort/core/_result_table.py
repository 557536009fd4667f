"""A tidy result frame (``prevalence``, ``compare_with_published``, ...) as an exportable table."""

from __future__ import annotations

import pandas as pd

from b12cohort.core._export import TableContent, frame_content
from b12cohort.core._exportable import Exportable
from b12cohort.core.errors import ArgumentError
from b12cohort.core.tables import (
    format_frame,
    render_csv,
    render_html,
    render_latex,
    render_markdown,
)

__all__ = ["ResultTable", "result_table"]


class ResultTable(Exportable):
    """A tidy result frame (``prevalence``, ``compare_with_published``, ...) as an exportable table.

    Made by :func:`result_table`. Every export goes through the one table writer:
    the CSV is the frame unrounded, the other formats show
    :func:`~b12cohort.core.tables.format_frame`.
    """

    def __init__(self, frame: pd.DataFrame, *, caption: str | None = None, notes=None):
        if not isinstance(frame, pd.DataFrame):
            raise ArgumentError(
                f"result_table expects a pandas DataFrame, got {type(frame).__name__}."
            )
        self.frame = frame
        self.caption = caption
        self._notes = None if notes is None else tuple(notes)

    @property
    def view(self) -> pd.DataFrame:
        return format_frame(self.frame)

    @property
    def notes(self) -> tuple[str, ...]:
        if self._notes is not None:
            return self._notes
        return self._content().notes

    def _content(self) -> TableContent:
        return frame_content(self.frame, title=self.caption or "", notes=self._notes)

    def to_csv(self, path=None):
        return render_csv(self.frame, path)

    def to_markdown(self, path=None) -> str:
        return render_markdown(self.view, (), path)

    def to_latex(self, path=None) -> str:
        return render_latex(self.view, (), path, caption=self.caption)

    def to_html(self, path=None) -> str:
        return render_html(self.view, (), path, caption=self.caption)

    def _repr_html_(self) -> str:
        return self.to_html()


def result_table(frame: pd.DataFrame, *, caption: str | None = None, notes=None) -> ResultTable:
    """Wrap a tidy result frame so that it exports like a Table 1 (``to_docx``, ``to_xlsx``, ...).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table the package returns, e.g. :func:`b12cohort.prevalence`. Not modified.
    caption : str, optional
        Caption (Word: after "Table N."; Excel: the sheet's first line).
    notes : sequence of str, optional
        Footnotes; by default read off the frame (tests, interval method and level,
        multiplicity adjustment, missing counts, abbreviations).

    Examples
    --------
    >>> import b12cohort
    >>> table = b12cohort.result_table(b12cohort.prevalence(b12cohort.load_example()))
    >>> table.notes[0]
    'Confidence intervals: clopper-pearson, 95%.'
    """
    return ResultTable(frame, caption=caption, notes=notes)
