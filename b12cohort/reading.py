"""Reading raw tables: CSV/TSV/XLSX files (or DataFrames) into untouched values.

This module only *reads*. It never writes to, renames or locks the input, and it
changes no value: it detects how the file is written (format from its first bytes,
encoding, delimiter, decimal mark, comment lines above the header) and hands the
cells to :mod:`b12cohort.loading`, which validates and cleans them.

Two passes keep a million-row export fast: :func:`sniff` reads the header and decides
how to parse, then :meth:`Sniffed.read` parses only the columns the schema uses
(identifier columns are never even parsed) with pandas' C parser.

Every problem is raised as :class:`~b12cohort.exceptions.CohortValidationError` with a
failures table (file, row, line, column, value, rule, message).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import FAILURE_COLUMNS, CohortValidationError

__all__ = ["Sniffed", "failure_frame", "sniff"]

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_MAX_STRUCTURE_FAILURES = 1000  # ragged rows listed individually; beyond this, counted
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_STRAY_CR = re.compile(r"\r(?!\n)")


def failure_frame(rows: list[dict]) -> pd.DataFrame:
    """A failures DataFrame (columns of FAILURE_COLUMNS) from a list of dicts."""
    df = pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))
    df["row"] = df["row"].astype("Int64")
    df["line"] = df["line"].astype("Int64")
    return df


def _fail(source: str, message: str, *, rule: str, row=None, line=None, column=None, value=None):
    """Raise a one-failure CohortValidationError about the file's structure."""
    failures = failure_frame(
        [
            {
                "row": row,
                "line": line,
                "column": column,
                "value": value,
                "rule": rule,
                "message": message,
            }
        ]
    )
    raise CohortValidationError(f"{source}: {message}", failures, source=source)


@dataclass
class Sniffed:
    """How a source is written, and its header. Produced by :func:`sniff`.

    Attributes
    ----------
    source : str
        Display name: the path, or ``"<DataFrame>"``.
    format : {"csv", "xlsx", "dataframe"}
    headers : list of str
        Column names as written (surrounding whitespace removed).
    encoding, delimiter, decimal : str or None
        Detected (or given) text encoding, field delimiter and decimal mark.
    sheet : str or None
        Excel sheet read.
    header_line : int or None
        1-based file line (or sheet row) of the header.
    sha256 : str or None
        SHA-256 of the input's bytes.
    notes : list of str
        What was detected, in words, for the cleaning log and the report.
    """

    source: str
    format: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    header_line: int | None = None
    sha256: str | None = None
    notes: list[str] = field(default_factory=list)
    _payload: Any = field(default=None, repr=False)  # bytes, rows (xlsx) or the DataFrame
    _skip: int = 0  # lines above the header (comments, blank lines)
    _lines: np.ndarray | None = field(default=None, repr=False)  # data row -> file line
    _n_rows: int | None = None

    # -- reading -------------------------------------------------------------------------
    def read(
        self,
        positions: list[int],
        *,
        text_positions: tuple[int, ...] = (),
        na_values: dict | None = None,
    ) -> pd.DataFrame:
        """Parse the columns at ``positions`` (0-based); text columns are read as strings.

        The result has a RangeIndex over the data rows (blank lines skipped) and the
        stripped header names as columns. Values are as written: missing markers become
        NA, numbers are parsed by pandas where a whole column is numeric, everything
        else stays text for :mod:`b12cohort.validation` to interpret.
        """
        names = [self.headers[p] for p in positions]
        if self.format == "dataframe":
            frame = self._payload.iloc[:, positions]
            frame = frame.set_axis(names, axis=1).reset_index(drop=True)
            return frame
        if self.format == "xlsx":
            rows = self._payload
            cols = {
                name: pd.Series([r[p] if p < len(r) else None for r in rows], dtype=object)
                for name, p in zip(names, positions, strict=True)
            }
            for name, col in cols.items():  # all-number columns become float64, like a CSV
                kinds = {type(v) for v in col if v is not None}
                if kinds and kinds <= {int, float} and col.notna().any():
                    cols[name] = col.astype("float64")
            return pd.DataFrame(cols, index=pd.RangeIndex(len(rows)))
        # csv / tsv
        if not positions:
            return pd.DataFrame(index=pd.RangeIndex(self.n_rows))
        dtype = dict.fromkeys(text_positions, str)
        try:
            frame = self._read_csv(positions, dtype, na_values)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OverflowError) as exc:
            _fail(
                self.source,
                f"pandas could not parse the file ({type(exc).__name__}: {exc}); check the rows around the line it names.",
                rule="csv-syntax",
            )
        if len(frame) != self.n_rows:  # pandas and the line map disagree: never guess
            _fail(
                self.source,
                f"the file's rows could not be counted consistently ({len(frame)} parsed, {self.n_rows} "
                "found by line); look for unbalanced quotes or stray line breaks.",
                rule="csv-syntax",
            )
        # usecols returns columns in file order; put them in the order asked for
        frame.columns = [self.headers[p] for p in sorted(positions)]
        return frame[names]

    def _read_csv(self, positions, dtype, na_values):
        return pd.read_csv(
            io.BytesIO(self._payload),
            sep=self.delimiter,
            decimal=self.decimal or ".",
            encoding=self._pandas_encoding(),
            skiprows=self._skip,
            header=0,
            usecols=positions,
            dtype=dtype,
            na_values={self._raw_headers[p]: v for p, v in (na_values or {}).items()},
            keep_default_na=False,
            index_col=False,
            skip_blank_lines=True,
            engine="c",
            low_memory=False,
        )

    def _pandas_encoding(self) -> str:
        enc = (self.encoding or "utf-8").lower().replace("_", "-")
        return "utf-8" if enc.startswith(("utf-16", "utf-32")) else enc  # re-encoded on decode

    @property
    def n_rows(self) -> int:
        if self._n_rows is None:
            self._n_rows = len(self.lines())
        return self._n_rows

    def lines(self) -> np.ndarray:
        """File line (1-based; sheet row for Excel) of every data row; NA for DataFrames."""
        if self._lines is None:
            if self.format == "dataframe":
                self._lines = np.full(len(self._payload), -1, dtype=np.int64)
            elif self.format == "xlsx":
                self._lines = np.asarray(self._xlsx_rows, dtype=np.int64)
            else:
                self._lines = _csv_record_lines(self)
        return self._lines


# ---------------------------------------------------------------------------------------
def sniff(
    source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
) -> Sniffed:
    """Inspect a source and read its header, without parsing the data.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A CSV/TSV/TXT or XLSX file (the format is recognised from the first bytes, not
        the extension), or a DataFrame (read as is, never modified).
    encoding : str, optional
        Force a text encoding. By default UTF-8 (with or without BOM), UTF-16 with BOM,
        then cp1251 are tried, in that order.
    delimiter : {",", ";", "\\t"}, optional
        Force the field delimiter; by default the most frequent of the three in the
        header line (outside quotes).
    decimal : {".", ","}, optional
        Force the decimal mark; by default a comma when the delimiter is not a comma and
        the first data lines hold numbers such as ``12,5``.
    sheet : str or int, optional
        Excel sheet (name or 0-based position); needed when several sheets hold data.

    Raises
    ------
    CohortValidationError
        Unreadable source: missing, empty, header-only, binary, undecodable, ragged rows,
        ambiguous sheets, merged header cells, formulas.
    """
    if isinstance(source, pd.DataFrame):
        headers = [str(c).strip() for c in source.columns]
        return Sniffed("<DataFrame>", "dataframe", headers, _payload=source, _n_rows=len(source))
    path = Path(source)
    shown = str(path)
    if not path.exists():
        _fail(
            shown,
            f"file not found: {shown}. Check the path (current folder: {Path.cwd()}).",
            rule="file-exists",
        )
    if path.is_dir():
        _fail(
            shown, f"{shown} is a folder; give the path of a CSV or XLSX file.", rule="file-exists"
        )
    try:
        data = path.read_bytes()  # read-only: the input is never opened for writing
    except OSError as exc:
        _fail(shown, f"cannot read {shown}: {exc.strerror or exc}.", rule="file-readable")
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        _fail(
            shown,
            "the file is empty; export the table again (with a header row and one row per infant).",
            rule="not-empty",
        )
    if data[:4] == b"PK\x03\x04":
        sn = _sniff_xlsx(shown, data, sheet)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _fail(
            shown,
            "this is a legacy Excel 97-2003 (.xls) workbook, which b12cohort does not read; "
            "open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8).",
            rule="format",
        )
    else:
        try:
            sn = _sniff_text(shown, data, encoding=encoding, delimiter=delimiter, decimal=decimal)
        except csv.Error as exc:  # e.g. a quoted field larger than the csv module allows
            _fail(
                shown,
                f"the file is not a well-formed CSV ({exc}); check for unbalanced quotes.",
                rule="csv-syntax",
            )
    sn.sha256 = digest
    return sn


# -- text files -----------------------------------------------------------------------------
def _decode(shown: str, data: bytes, encoding: str | None) -> tuple[str, str, bytes]:
    """Return (encoding, text, bytes for pandas)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            _fail(
                shown,
                f"unknown encoding {encoding!r}; use for example 'utf-8' or 'cp1251'.",
                rule="encoding",
            )
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            _fail(
                shown,
                f"the file is not valid {encoding}: byte 0x{data[exc.start]:02x} at line {line} "
                f"(offset {exc.start}) cannot be decoded. Leave the encoding out to let b12cohort "
                "detect it, or re-save the file as UTF-8.",
                rule="encoding",
                line=line,
            )
        enc = encoding
        if enc.lower().replace("_", "-") in {"utf-16", "utf-16-le", "utf-16-be", "utf-32"}:
            return enc, text, text.encode("utf-8")
        return enc, text, data
    if data.startswith(codecs.BOM_UTF8):
        enc, body = "utf-8-sig", data
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return "utf-16", text, text.encode("utf-8")
    else:
        enc, body = None, data
    sample = data[:65536]
    nul = sample.find(b"\x00")
    if nul >= 0 or sum(b < 9 or 13 < b < 32 for b in sample[:4096]) > 8:
        _fail(
            shown,
            "the file looks binary (it contains NUL or control bytes"
            + (f", the first at offset {nul}" if nul >= 0 else "")
            + "), not a CSV. Export the table as CSV (UTF-8) or XLSX; a UTF-16 text file "
            "needs a byte-order mark or encoding='utf-16'.",
            rule="text-file",
        )
    if enc:
        try:
            return enc, data.decode(enc), body
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            _fail(
                shown,
                f"the file starts with a UTF-8 byte-order mark but byte 0x{data[exc.start]:02x} at line {line} is not UTF-8; re-save it as UTF-8.",
                rule="encoding",
                line=line,
            )
    try:
        return "utf-8", data.decode("utf-8"), data
    except UnicodeDecodeError as utf8_error:
        try:
            return "cp1251", data.decode("cp1251"), data
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            _fail(
                shown,
                f"cannot tell the file's encoding: it is neither UTF-8 (byte 0x{data[utf8_error.start]:02x} "
                f"at line {line}) nor Windows-1251. Re-save it as UTF-8, or pass the encoding "
                "(encoding=... / --encoding).",
                rule="encoding",
                line=line,
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (split on newline only, like the CSV parsers)."""
    out, pos = [], 0
    while len(out) < n and pos <= len(text):
        end = text.find("\n", pos)
        if end < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:end].rstrip("\r"))
        pos = end + 1
    return out


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'))


def _sniff_text(shown, data, *, encoding, delimiter, decimal) -> Sniffed:
    enc, text, payload = _decode(shown, data, encoding)
    if "\n" not in text and "\r" in text:  # classic Mac line endings
        text = text.replace("\r", "\n")
        payload = text.encode("utf-8") if enc in {"utf-8", "utf-8-sig"} else text.encode(enc)
    stray = _STRAY_CR.search(text)
    if stray:
        line = text.count("\n", 0, stray.start()) + 1
        _fail(
            shown,
            f"line {line} contains a stray carriage return (CR) inside the line; the file mixes line "
            "endings. Re-save it from a spreadsheet or text editor with one kind of line ending.",
            rule="line-endings",
            line=line,
        )
    head = _first_lines(text, 400)
    skip = 0
    while skip < len(head) and (not head[skip].strip() or head[skip].lstrip().startswith("#")):
        skip += 1
    if skip == len(head):
        _fail(shown, "the file has no header row (only comments or blank lines).", rule="header")
    header = head[skip].lstrip("\ufeff").rstrip("\r")
    notes = [f"encoding: {enc}"]
    if skip:
        notes.append(f"{skip} comment/blank line(s) above the header skipped")
    if delimiter is None:
        counts = {d: len(_split_header(header, d)) - 1 for d in _DELIMITERS}
        delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
        if counts[delimiter] == 0:
            _fail(
                shown,
                f"no delimiter (comma, semicolon or tab) found in the header at line {skip + 1}: "
                f"{header[:80]!r}. Is this a table? Pass delimiter=... if it uses another one.",
                rule="delimiter",
                line=skip + 1,
            )
    elif delimiter not in _DELIMITERS:
        _fail(
            shown,
            f"delimiter must be one of ',', ';' or a tab; got {delimiter!r}.",
            rule="delimiter",
        )
    notes.append(f"delimiter: {_DELIMITERS[delimiter]}")
    raw_headers = _split_header(header, delimiter)
    headers = [h.strip().lstrip("\ufeff").strip() for h in raw_headers]
    # a trailing delimiter on every line gives an unnamed last column
    data_lines = [ln for ln in head[skip + 1 :] if ln.strip()]
    if not data_lines:
        _fail(
            shown,
            f"the file has a header (line {skip + 1}) but no data rows.",
            rule="not-empty",
            line=skip + 1,
        )
    if decimal is None:
        decimal = "."
        if delimiter != ",":
            for ln in data_lines:
                if any(_DECIMAL_COMMA.match(cell) for cell in ln.split(delimiter)):
                    decimal = ","
                    break
    elif decimal not in {".", ","}:
        _fail(shown, f"decimal must be '.' or ','; got {decimal!r}.", rule="decimal")
    if decimal == ",":
        notes.append("decimal mark: comma")
    sn = Sniffed(
        shown,
        "csv",
        headers,
        encoding=enc,
        delimiter=delimiter,
        decimal=decimal,
        header_line=skip + 1,
        notes=notes,
        _payload=payload,
        _skip=skip,
    )
    sn._text = text
    sn._raw_headers = raw_headers
    _check_field_counts(sn)
    return sn


def _csv_records(sn: Sniffed):
    """Yield (start line, fields) for every non-blank record below the header."""
    reader = csv.reader(io.StringIO(sn._text), delimiter=sn.delimiter, quotechar='"')
    prev = 0
    for i, rec in enumerate(reader):
        start = prev + 1
        prev = reader.line_num
        if i <= sn._skip_records:
            continue
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            continue
        yield start, rec


def _check_field_counts(sn: Sniffed) -> None:
    """Every data row must have as many fields as the header (ragged rows are errors).

    pandas raises on rows with too many fields but silently pads rows with too few, so
    the count is checked here. Files without quote characters (the usual export) are
    checked with vectorised byte counts; quoted files with the csv module.
    """
    expected = len(sn.headers)
    sn._skip_records = sn._skip
    if '"' not in sn._text:
        lines, bad, n_bad = _field_counts_fast(sn, expected)
    else:
        lines, bad, n_bad = _field_counts_csv(sn, expected)
    sn._lines = lines
    sn._n_rows = len(lines)
    if not bad:
        return
    failures = []
    for row, line, n, text in bad:
        what = "more" if n > expected else "fewer"
        failures.append(
            {
                "row": row,
                "line": line,
                "column": None,
                "value": text[:120],
                "rule": "field-count",
                "message": f"row {row} (line {line}) has {n} fields, {what} than the {expected} "
                f"columns of the header: a ragged row (a stray or missing {_DELIMITERS[sn.delimiter]}, "
                "an unquoted delimiter inside a value, or mixed delimiters). Fix the row or quote the value.",
            }
        )
    more = n_bad - len(bad)
    raise CohortValidationError(
        f"{sn.source}: {n_bad} row(s) do not have {expected} fields like the header"
        + (f" ({more} more not listed)" if more > 0 else "")
        + f"; the first at line {bad[0][1]}.",
        failure_frame(failures),
        source=sn.source,
    )


def _field_counts_csv(sn: Sniffed, expected: int):
    lines, bad, n_bad = [], [], 0
    for start, rec in _csv_records(sn):
        lines.append(start)
        n = len(rec)
        if n == expected or (n == expected + 1 and rec[-1] == ""):
            continue
        n_bad += 1
        if len(bad) < _MAX_STRUCTURE_FAILURES:
            bad.append((len(lines), start, n, sn.delimiter.join(rec)))
    return np.asarray(lines, dtype=np.int64), bad, n_bad


def _field_counts_fast(sn: Sniffed, expected: int, chunk: int = 1 << 24):
    """Delimiters per line by byte counting (valid when no field is quoted).

    Works on the encoded bytes: in UTF-8 and cp1251 the delimiter and newline bytes never
    occur inside another character. Processes the file in chunks to bound memory.
    """
    text = sn._text
    data = (
        text.encode("utf-8") if sn.encoding not in {"utf-8", "utf-8-sig", "cp1251"} else sn._payload
    )
    arr = np.frombuffer(data, dtype=np.uint8)
    delim = ord(sn.delimiter)
    nl = np.flatnonzero(arr == 10)
    ends = np.append(nl, len(arr))  # end (exclusive) of every line
    starts = np.concatenate(([0], nl + 1))
    if starts[-1] >= len(arr):  # the file ends with a newline: no last, empty line
        starts, ends = starts[:-1], ends[:-1]
    counts = np.empty(len(starts), dtype=np.int64)
    i = 0
    while i < len(starts):  # chunked searchsorted over delimiter positions
        j = min(len(starts), int(np.searchsorted(starts, starts[i] + chunk, side="right")) or i + 1)
        j = max(j, i + 1)
        lo, hi = starts[i], ends[j - 1]
        dpos = np.flatnonzero(arr[lo:hi] == delim) + lo
        counts[i:j] = np.searchsorted(dpos, ends[i:j]) - np.searchsorted(dpos, starts[i:j])
        i = j
    first = sn._skip + 1  # 0-based index of the first line below the header
    fields = counts[first:] + 1
    line_no = np.arange(first + 1, len(counts) + 1, dtype=np.int64)
    odd = np.flatnonzero(fields != expected)
    keep = np.ones(len(fields), dtype=bool)
    bad, n_bad = [], 0
    for k in odd:
        raw = data[starts[first + k] : ends[first + k]]
        if not raw.strip():
            keep[k] = False  # blank line: pandas skips it too
            continue
        if fields[k] == expected + 1 and raw.rstrip(b"\r").endswith(bytes([delim])):
            continue  # trailing delimiter
        n_bad += 1
        if len(bad) < _MAX_STRUCTURE_FAILURES:
            bad.append(
                (
                    None,
                    int(line_no[k]),
                    int(fields[k]),
                    raw.decode(
                        sn.encoding if sn.encoding != "utf-16" else "utf-8", "replace"
                    ).rstrip("\r"),
                )
            )
    lines = line_no[keep]
    if bad:  # data-row numbers of the bad lines
        pos = {int(v): r + 1 for r, v in enumerate(lines)}
        bad = [(pos[line], line, n, t) for _, line, n, t in bad]
    return lines, bad, n_bad


def _csv_record_lines(sn: Sniffed) -> np.ndarray:
    return np.asarray([start for start, _ in _csv_records(sn)], dtype=np.int64)


# -- Excel ---------------------------------------------------------------------------------
def _sniff_xlsx(shown: str, data: bytes, sheet) -> Sniffed:
    import warnings

    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken zip/xml
        _fail(
            shown,
            f"the file looks like an Excel workbook but cannot be opened ({type(exc).__name__}: {exc}). Re-save it as .xlsx or CSV.",
            rule="format",
        )
    try:
        names = wb.sheetnames
        if sheet is None:
            filled = [n for n in names if _sheet_has_data(wb[n])]
            if len(filled) > 1:
                _fail(
                    shown,
                    f"the workbook has {len(filled)} sheets with data ({', '.join(repr(n) for n in filled)}); "
                    "say which one holds the cohort: sheet='NAME' (command line: --sheet NAME).",
                    rule="sheet",
                )
            chosen = filled[0] if filled else names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                _fail(
                    shown,
                    f"sheet {sheet} does not exist; the workbook has sheets {names}.",
                    rule="sheet",
                )
            chosen = names[sheet]
        else:
            if sheet not in names:
                _fail(
                    shown,
                    f"sheet {sheet!r} does not exist; the workbook has sheets {names}.",
                    rule="sheet",
                )
            chosen = sheet
        ws = wb[chosen]
        rows, row_numbers, formulas = [], [], []
        header, header_row = None, None
        for cells in ws.iter_rows():
            values = []
            for c in cells:
                v = getattr(c, "value", None)
                if getattr(c, "data_type", None) == "f" and len(formulas) < _MAX_STRUCTURE_FAILURES:
                    formulas.append((c.row, c.column, v))
                if isinstance(v, str):
                    v = v.strip() if v.strip() != v and header is None else v
                values.append(v)
            while values and (
                values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())
            ):
                values.pop()
            if not values:
                continue
            rnum = cells[0].row if cells else None
            if header is None:
                header, header_row = values, rnum
                continue
            rows.append(values)
            row_numbers.append(rnum)
    finally:
        wb.close()
    if header is None:
        _fail(shown, f"sheet {chosen!r} is empty.", rule="not-empty")
    if not rows:
        _fail(
            shown,
            f"sheet {chosen!r} has a header (row {header_row}) but no data rows.",
            rule="not-empty",
            line=header_row,
        )
    width = max(len(header), *(len(r) for r in rows))
    blanks = [
        i
        for i in range(width)
        if i >= len(header) or header[i] is None or not str(header[i]).strip()
    ]
    if blanks:
        cols = ", ".join(f"{get_column_letter(i + 1)}{header_row}" for i in blanks[:10])
        nonempty = sum(h is not None and str(h).strip() != "" for h in header)
        hint = (
            "The first non-empty row looks like a title or a merged header cell; delete the rows above the real header."
            if nonempty <= 1
            else "Merged or multi-row header cells are not supported: give every column a one-cell name in a single header row."
        )
        _fail(
            shown,
            f"sheet {chosen!r}: header cell(s) {cols} are empty but the column(s) below hold data. {hint}",
            rule="header",
            line=header_row,
        )
    if formulas:
        failures = [
            {
                "row": None,
                "line": r,
                "column": str(header[c - 1]) if c - 1 < len(header) else get_column_letter(c),
                "value": str(v),
                "rule": "no-formulas",
                "message": f"cell {get_column_letter(c)}{r} of sheet {chosen!r} holds the formula {v}; "
                "b12cohort reads stored values only. Copy the column and paste it back as values "
                "(Paste Special > Values), then save.",
            }
            for r, c, v in formulas
        ]
        raise CohortValidationError(
            f"{shown}: sheet {chosen!r} has {len(formulas)} formula cell(s), first at "
            f"{get_column_letter(formulas[0][1])}{formulas[0][0]}; save the values instead.",
            failure_frame(failures),
            source=shown,
        )
    headers = [str(h).strip() for h in header]
    sn = Sniffed(
        shown,
        "xlsx",
        headers,
        sheet=chosen,
        header_line=header_row,
        notes=[f"Excel sheet: {chosen}"],
        _payload=rows,
        _n_rows=len(rows),
    )
    sn._xlsx_rows = row_numbers
    return sn


def _sheet_has_data(ws) -> bool:
    for row in ws.iter_rows(values_only=True, max_row=50):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False
