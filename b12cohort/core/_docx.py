"""The Word writer: tables with numbered captions, journal rules and footnotes (python-docx).

:func:`write_docx` writes one ``.docx`` holding tables in order, each as

- a caption paragraph (style ``Caption``): "Table N. title", the number a Word ``SEQ
  Table`` field, so that Word renumbers and cross-references it;
- the table (table style ``B12 Table``: three horizontal rules, above and below the
  header row and at the bottom, no vertical lines), its header row repeated on every
  page, cell text in paragraph style ``B12 Table Text``;
- its footnotes (paragraph style ``B12 Table Note``),

then the extra ``sections`` (a heading, paragraphs and/or a table each).

Formatting lives in styles, never in runs: the font and size come from ``Normal`` (and
``B12 Table Text``, ``B12 Table Note``), so a journal's template restyles everything.
With ``template=`` (a ``.docx`` or a Word template ``.dotx``), the template's styles and
page setup are used and its body text is dropped. A style the writer needs and the template lacks is added, based on the
template's ``Normal`` (documented fallback: the font stays the template's); a style of
that name but the wrong type (e.g. a character style ``Caption``) is an error naming it.

The bytes are deterministic: fixed core properties (author "b12cohort", revision 1,
created = modified = :func:`~b12cohort.core._export.fixed_timestamp`), fixed zip
timestamps and member order (:func:`~b12cohort.core._export.deterministic_zip`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from b12cohort.core._export import Section, as_content, deterministic_zip, fixed_timestamp
from b12cohort.core.errors import ArgumentError

__all__ = ["DOCX_STYLES", "check_template", "write_docx"]

#: Styles the writer uses: name -> (type, what it is for).
DOCX_STYLES = {
    "Caption": ("paragraph", "the 'Table N.' caption above each table"),
    "B12 Table": ("table", "each table: three horizontal rules, no vertical lines"),
    "B12 Table Text": ("paragraph", "the text in the table's cells"),
    "B12 Table Note": ("paragraph", "the footnotes under each table"),
}

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RULE = '<w:{side} w:val="single" w:sz="8" w:space="0" w:color="auto"/>'
_NIL = '<w:{side} w:val="nil"/>'

_TABLE_STYLE = (
    f'<w:style xmlns:w="{_W}" w:type="table" w:customStyle="1" w:styleId="B12Table">'
    '<w:name w:val="B12 Table"/><w:basedOn w:val="{base}"/><w:uiPriority w:val="99"/><w:qFormat/>'
    "<w:tblPr><w:tblBorders>"
    + _RULE.format(side="top")
    + _NIL.format(side="left")
    + _RULE.format(side="bottom")
    + _NIL.format(side="right")
    + _NIL.format(side="insideH")
    + _NIL.format(side="insideV")
    + '</w:tblBorders><w:tblCellMar><w:left w:w="85" w:type="dxa"/>'
    '<w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    '<w:tblStylePr w:type="firstRow"><w:tblPr/><w:tcPr><w:tcBorders>'
    + _RULE.format(side="top")
    + _RULE.format(side="bottom")
    + "</w:tcBorders></w:tcPr></w:tblStylePr></w:style>"
)


def _paragraph_style(name: str, style_id: str, base: str, size_half_points: int, after: int):
    return (
        f'<w:style xmlns:w="{_W}" w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{base}"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="{after}" w:line="240" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr><w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/></w:rPr>'
        "</w:style>"
    )


def _open(template):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if template is None:
        return _journal_defaults(docx.Document())
    path = Path(template)
    fix = "pass a Word document (.docx) whose styles the tables should use"
    if not path.is_file():
        raise ArgumentError(
            f"docx template {str(path)!r} does not exist (or is not a file); {fix}."
        )
    if not zipfile.is_zipfile(path):
        raise ArgumentError(f"docx template {str(path)!r} is not a .docx file (not a zip); {fix}.")
    try:
        return docx.Document(io.BytesIO(_as_document(path.read_bytes())))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ArgumentError(
            f"docx template {str(path)!r} is not a Word document python-docx can open ({exc}); "
            f"{fix}."
        ) from None


_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _as_document(payload: bytes) -> bytes:
    """A Word template (``.dotx``) read as the document it describes (``.docx``): only the
    main part's content type differs; anything else is returned unchanged."""
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        types = z.read("[Content_Types].xml") if "[Content_Types].xml" in z.namelist() else b""
        if _TEMPLATE_TYPE not in types:
            return payload
        members = [(i, z.read(i)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "[Content_Types].xml":
                data = data.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
            z.writestr(info, data)
    return out.getvalue()


def _journal_defaults(document):
    """The look without a template: Times New Roman 11 pt; captions and headings in the text's
    font and colour (python-docx's default document has blue ones in the theme's fonts)."""
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    for style in document.styles:
        if style.name == "Caption" or style.name.startswith("Heading "):
            rpr = style.element.rPr
            for tag in ("color", "rFonts"):
                for child in [] if rpr is None else rpr.findall(f"{{{_W}}}{tag}"):
                    rpr.remove(child)
    document.styles["Caption"].font.size = Pt(10)
    return document


def _style_id(document, name: str):
    from docx.enum.style import WD_STYLE_TYPE

    kinds = {
        WD_STYLE_TYPE.PARAGRAPH: "paragraph",
        WD_STYLE_TYPE.TABLE: "table",
        WD_STYLE_TYPE.CHARACTER: "character",
        WD_STYLE_TYPE.LIST: "numbering",
    }
    for style in document.styles:
        if style.name == name:
            return kinds.get(style.type, str(style.type)), style.style_id
    return None, None


def _ensure_styles(document, template, headings: Sequence[int]) -> None:
    """Add the styles the writer needs and the document lacks (see the module docstring)."""
    from docx.oxml import parse_xml

    styles_element = document.styles.element
    _, normal_id = _style_id(document, "Normal")
    _, table_base = _style_id(document, "Normal Table")
    needed = dict(DOCX_STYLES)
    for level in headings:
        needed[f"Heading {level}"] = ("paragraph", f"level-{level} section headings")
    for name, (kind, purpose) in needed.items():
        found, _ = _style_id(document, name)
        if found == kind:
            continue
        if found is not None:
            raise ArgumentError(
                f"docx template {str(template)!r}: style {name!r} is a {found} style, but the "
                f"tables need a {kind} style of that name ({purpose}). Rename that style in the "
                "template, or delete it and let b12cohort add its own."
            )
        base = normal_id or "Normal"
        if name == "B12 Table":
            xml = _TABLE_STYLE.replace("{base}", table_base or "TableNormal")
        elif name == "B12 Table Text":
            xml = _paragraph_style(name, "B12TableText", base, 18, 0)
        elif name == "B12 Table Note":
            xml = _paragraph_style(name, "B12TableNote", base, 16, 40)
        elif name == "Caption":
            xml = _paragraph_style(name, "Caption", base, 20, 120)
        else:  # Heading N
            size = max(22, 32 - 2 * (int(name.split()[-1]) - 1))
            xml = _paragraph_style(name, name.replace(" ", ""), base, size, 120)
        styles_element.append(parse_xml(xml))


def _clear_body(document) -> None:
    """Drop the template's body text, keeping its final page setup (``w:sectPr``)."""
    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{_W}}}sectPr":
            body.remove(child)


def _caption(document, number: int | None, title: str):
    from docx.oxml import parse_xml

    paragraph = document.add_paragraph(style="Caption")
    if number is None:
        paragraph.add_run(title)
        return paragraph
    paragraph.add_run("Table ")
    ns = f'xmlns:w="{_W}"'
    for xml in (
        f'<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {ns}><w:instrText xml:space="preserve"> SEQ Table \\* ARABIC </w:instrText></w:r>',
        f'<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {ns}><w:t>{number}</w:t></w:r>",
        f'<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))
    paragraph.add_run(f". {title}" if title else ".")
    return paragraph


def _table(document, content) -> None:
    from docx.oxml import parse_xml

    shown = content.shown
    table = document.add_table(rows=1 + len(shown), cols=max(1, shown.shape[1]))
    table.style = document.styles["B12 Table"]
    look = table._tbl.tblPr.find(f"{{{_W}}}tblLook")
    if look is not None:
        for attr, value in (("firstRow", "1"), ("firstColumn", "0"), ("noVBand", "1")):
            look.set(f"{{{_W}}}{attr}", value)
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader xmlns:w="{_W}"/>'))
    rows = [list(map(str, shown.columns)), *shown.astype(object).fillna("").values.tolist()]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["B12 Table Text"]
            paragraph.add_run(str(value))
    _widths(document, table, rows)
    for note in content.notes:
        document.add_paragraph(str(note), style="B12 Table Note")


#: Width of one character of table text (9 pt, 0.55 em), in EMU, for the widths below.
_CHAR = 62865
_PADDING = 3  # characters: the cell margins


def _widths(document, table, rows) -> None:
    """Column widths by content. Each column needs its longest cell (prose capped at 40
    characters, so that it wraps) and at least its longest word (capped at 20). When all fit,
    the text width is shared in proportion to need; else short columns (numbers, p-values)
    get all they need and the others share the rest in proportion to their need."""
    section = document.sections[-1]
    available = section.page_width - section.left_margin - section.right_margin
    need, floor = [], []
    for j in range(len(rows[0])):
        texts = [str(r[j]) for r in rows if j < len(r)]
        longest = max((len(t) for t in texts), default=1)
        word = max((len(w) for t in texts for w in t.split()), default=1)
        floor.append(min(max(word, 1), 20) + _PADDING)
        need.append(max(min(longest, 40), 1) + _PADDING)
    capacity = available / _CHAR
    if sum(need) <= capacity:
        widths = [available * n / sum(need) for n in need]
    else:  # short columns keep what they need; the others share the rest
        short = [n <= 14 for n in need]
        fixed = sum(n for n, s in zip(need, short, strict=True) if s) * _CHAR
        wide = [max(f, n) if not s else 0 for n, f, s in zip(need, floor, short, strict=True)]
        if fixed >= available or not any(wide):
            widths = [available * n / sum(need) for n in need]
        else:
            scale = (available - fixed) / sum(wide)
            widths = [
                n * _CHAR if s else w * scale for n, w, s in zip(need, wide, short, strict=True)
            ]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = int(width)
        for cell in column.cells:
            cell.width = int(width)


class _Pages:
    """Page orientation per table: wide tables on landscape pages, the rest as the document's."""

    def __init__(self, document, landscape_columns: int | None):
        first = document.sections[-1]
        self.document = document
        self.limit = landscape_columns
        self.portrait = first.page_width <= first.page_height
        self.wide = not self.portrait  # the current section's orientation
        self.empty = True

    def before(self, columns: int) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        want = self.limit is not None and columns > self.limit
        want = want or not self.portrait  # a landscape template stays landscape
        if want != self.wide:
            section = (
                self.document.sections[-1]
                if self.empty
                else self.document.add_section(WD_SECTION.NEW_PAGE)
            )
            width, height = section.page_width, section.page_height
            section.page_width, section.page_height = height, width
            section.orientation = WD_ORIENT.LANDSCAPE if want else WD_ORIENT.PORTRAIT
            self.wide = want
        self.empty = False


def _fix_properties(document) -> None:
    props = document.core_properties
    when = fixed_timestamp().replace(tzinfo=None)
    props.author = "b12cohort"
    props.last_modified_by = "b12cohort"
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    props.comments = ""


def check_template(template) -> None:
    """Raise :class:`ArgumentError` now if ``template`` cannot be used (see :func:`write_docx`)."""
    _ensure_styles(_open(template), template, ())


def write_docx(
    path, tables, *, template=None, sections=(), titles=None, landscape_columns: int | None = 8
) -> Path:
    """Write ``tables`` (and then ``sections``) to one Word document.

    Parameters
    ----------
    path : path
        The ``.docx`` to write.
    tables : sequence
        Each a :class:`~b12cohort.core.tables.TableOne`, an association table, a
        :func:`~b12cohort.core._export.result_table`, a
        :class:`~b12cohort.core._export.TableContent` or a tidy pandas DataFrame; numbered
        "Table 1.", "Table 2.", ... in this order.
    template : path, optional
        A ``.docx`` whose styles (``Normal``, ``Caption``, ``Heading N``, and if it has
        them ``B12 Table``, ``B12 Table Text``, ``B12 Table Note``) and page setup are used;
        its body text is not copied. Missing styles are added, based on its ``Normal``.
    sections : sequence of Section
        Parts printed after the tables (a heading, paragraphs and/or an unnumbered table),
        e.g. the results text or a reporting checklist.
    titles : sequence of str, optional
        Captions replacing the tables' own (same length as ``tables``).
    landscape_columns : int or None
        A table with more columns than this is put on landscape pages (a section of its
        own; the page size and margins are the document's, turned); None: never.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ArgumentError
        The template is missing or not a Word document, or holds a needed style name as a
        style of another type; a section is not a :class:`Section`.
    """
    tables = list(tables)
    if titles is not None and len(titles) != len(tables):
        raise ArgumentError(f"titles: {len(titles)} given for {len(tables)} tables.")
    contents = [
        as_content(t, title=None if titles is None else titles[i]) for i, t in enumerate(tables)
    ]
    sections = list(sections)
    for s in sections:
        if not isinstance(s, Section):
            raise ArgumentError(
                f"sections: each must be a b12cohort Section(heading, paragraphs, table), "
                f"got {type(s).__name__}."
            )
    document = _open(template)
    if template is not None:
        _clear_body(document)
    _ensure_styles(document, template, sorted({s.level for s in sections}))
    pages = _Pages(document, landscape_columns)
    for number, content in enumerate(contents, start=1):
        pages.before(content.shown.shape[1])
        _caption(document, number, content.title)
        _table(document, content)
    for section in sections:
        table = None if section.table is None else as_content(section.table)
        pages.before(0 if table is None else table.shown.shape[1])
        document.add_paragraph(section.heading, style=f"Heading {section.level}")
        for text in section.paragraphs:
            document.add_paragraph(str(text), style="Normal")
        if table is not None:
            if table.title:
                _caption(document, None, table.title)
            _table(document, table)
    _fix_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    path = Path(path)
    path.write_bytes(deterministic_zip(buffer.getvalue()))
    return path
