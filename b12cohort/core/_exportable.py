"""``to_docx`` and ``to_xlsx`` for every table the package shows: one implementation.

:class:`Exportable` is the base of :class:`~b12cohort.core.tables.TableOne`, the
association table (:func:`b12cohort.report.association_table`) and
:func:`b12cohort.result_table`; each defines ``_content()`` (a
:class:`~b12cohort.core._export.TableContent`), the writers do the rest.
"""

from __future__ import annotations

import dataclasses

from b12cohort.core._export import TableContent

__all__ = ["Exportable"]


class Exportable:
    """Mixin: ``to_docx`` and ``to_xlsx`` for any table that can give its :class:`TableContent`.

    A subclass defines ``_content(self) -> TableContent``.
    """

    def _content(self) -> TableContent:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def to_docx(self, path, *, title: str | None = None, template=None) -> None:
        """Write the table as a Word document: "Table 1." caption, three rules, footnotes.

        Parameters
        ----------
        path : path
            The ``.docx`` file to write (byte-deterministic).
        title : str, optional
            Caption text (default: the table's own caption, if any).
        template : path, optional
            A ``.docx`` whose styles and page setup are used; see
            :func:`b12cohort.core._docx.write_docx`.
        """
        from b12cohort.core._docx import write_docx

        write_docx(path, [_retitled(self._content(), title)], template=template)

    def to_xlsx(self, path, *, title: str | None = None) -> None:
        """Write the table as an Excel workbook: numbers as numbers, footnotes under it.

        See :func:`b12cohort.core._xlsx.write_xlsx`.
        """
        from b12cohort.core._xlsx import write_xlsx

        write_xlsx(path, [_retitled(self._content(), title)])


def _retitled(content: TableContent, title: str | None) -> TableContent:
    if title is None:
        return content
    return dataclasses.replace(content, title=title)
