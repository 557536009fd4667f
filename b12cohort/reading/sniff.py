"""Reading raw tables: CSV/TSV/XLSX files (or DataFrames) into untouched values.

This module only *reads*. It never writes to, renames or locks the input, and it
changes no value: it detects how the file is written (format from its first bytes,
encoding, delimiter, decimal mark, comment lines above the header) and hands the
cells to :mod:`b12cohort.reading.load`, which validates and cleans them.

Two passes keep a million-row export fast: :func:`sniff` reads the header, checks the
encoding and counts the fields of every row with vectorised byte scans
(:mod:`b12cohort.reading._csvscan`), then :meth:`Sniffed.read` parses only the columns the
schema uses (identifier columns are never even parsed) with pandas' C parser. The raw
bytes are held once; the file is never decoded into one big string, except for the rare
file whose quoting only Python's csv module can follow.

Every problem is raised as :class:`~b12cohort.core.errors.CohortValidationError` with a
failures table (file, row, line, column, value, rule, message).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.errors import CohortValidationError
from b12cohort.dictionary.failures import MAX_STRUCTURE_FAILURES as _MAX_STRUCTURE_FAILURES
from b12cohort.dictionary.failures import failure_frame
from b12cohort.dictionary.failures import structure_failure as _fail
from b12cohort.reading._csvscan import (
    CODE_PAGES,
    Irregular,
    Records,
    cyrillic_code_page,
    scan_records,
    utf16_without_bom,
    valid_prefix_length,
)

__all__ = ["Sniffed", "sniff"]

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_STRAY_CR = re.compile(rb"\r(?!\n)")
_HEAD_BYTES = 1 << 18  # bytes decoded to find the header and sniff the dialect
_SPECIAL = '\n\r\t,;"#'  # bytes the scans rely on: must encode as themselves
_CONTROL = bytes([*range(9), *range(14, 32)])  # control bytes that no text table holds


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
    _sha256: str | None = None
    notes: list[str] = field(default_factory=list)
    _payload: Any = field(default=None, repr=False)  # bytes, rows (xlsx) or the DataFrame
    _skip: int = 0  # lines above the header (comments, blank lines)
    _lines: np.ndarray | None = field(default=None, repr=False)  # data row -> file line
    _n_rows: int | None = None
    _payload_encoding: str = "utf-8"  # encoding of the bytes pandas reads
    _raw_headers: list[str] = field(default_factory=list, repr=False)
    _records: Records | None = field(default=None, repr=False)  # byte spans of the rows
    _xlsx_rows: list[int] = field(default_factory=list, repr=False)
    _xlsx_formulas: dict = field(default_factory=dict, repr=False)
    _digest: Any = field(default=None, repr=False)  # the SHA-256 being computed
    _scan: threading.Thread | None = field(default=None, repr=False)  # background row scan
    _scan_error: list = field(default_factory=list, repr=False)

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the input's bytes (None for a DataFrame)."""
        if self._digest is not None:
            self._sha256, self._digest = self._digest.result(), None
        return self._sha256

    def check_rows(self) -> None:
        """Wait for the row scan started by ``sniff(..., background=True)``; raise its failures.

        Raises
        ------
        CohortValidationError
            Ragged rows (too many or too few fields).
        """
        if self._scan is not None:
            self._scan.join()
            self._scan = None
        if self._scan_error:
            raise self._scan_error[0]

    # -- reading -------------------------------------------------------------------------
    def read(
        self,
        positions: list[int],
        *,
        text_positions: tuple[int, ...] = (),
        category_positions: tuple[int, ...] = (),
        na_values: dict | None = None,
    ) -> pd.DataFrame:
        """Parse the columns at ``positions`` (0-based).

        ``text_positions`` are read as strings, ``category_positions`` as a categorical
        of strings (fast for columns with few distinct values: each distinct spelling
        becomes one Python string, not one per cell); the others are parsed as numbers
        by pandas where a whole column is numeric, else kept as text. The result has a
        RangeIndex over the data rows (blank lines skipped) and the stripped header names
        as columns. Values are as written: missing markers (``na_values``, per position)
        become NA; everything else is left for :mod:`b12cohort.dictionary.validation`.
        """
        names = [self.headers[p] for p in positions]
        if self.format == "dataframe":
            frame = self._payload.iloc[:, positions]
            frame = frame.set_axis(names, axis=1).reset_index(drop=True)
            return frame
        if self.format == "xlsx":
            from b12cohort.reading.excel import check_formulas

            check_formulas(self, positions)
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
        dtype: dict[int, Any] = dict.fromkeys(text_positions, str)
        dtype.update(dict.fromkeys(category_positions, "category"))
        try:
            frame = self._read_csv(positions, dtype, na_values)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OverflowError) as exc:
            self.check_rows()  # ragged rows explain pandas' error better than pandas does
            _fail(
                self.source,
                f"pandas could not parse the file ({type(exc).__name__}: {exc}); check the rows "
                "around the line it names.",
                rule="csv-syntax",
            )
        self.check_rows()
        if len(frame) != self.n_rows:  # pandas and the line map disagree: never guess
            _fail(
                self.source,
                f"the file's rows could not be counted consistently ({len(frame)} parsed, "
                f"{self.n_rows} found by line); look for unbalanced quotes or stray line breaks.",
                rule="csv-syntax",
            )
        # usecols returns columns in file order; put them in the order asked for
        frame.columns = [self.headers[p] for p in sorted(positions)]
        return frame[names] if names != list(frame.columns) else frame

    def _read_csv(self, positions, dtype, na_values):
        # low_memory (pandas' default) parses in chunks: faster and leaner than one pass.
        # A column with text in one chunk and numbers in another comes back as objects
        # (pandas warns DtypeWarning); validation handles mixed cells, so it is silenced.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return self._read_csv_chunked(positions, dtype, na_values)

    def _read_csv_chunked(self, positions, dtype, na_values):
        return pd.read_csv(
            io.BytesIO(self._payload),
            sep=self.delimiter,
            decimal=self.decimal or ".",
            encoding=self._payload_encoding,
            skiprows=self._skip,
            header=0,
            usecols=positions,
            dtype=dtype,
            na_values={self._raw_headers[p]: v for p, v in (na_values or {}).items()},
            keep_default_na=False,
            index_col=False,
            skip_blank_lines=True,
            engine="c",
        )

    @property
    def n_rows(self) -> int:
        self.check_rows()
        if self._n_rows is None:
            self._n_rows = len(self.lines())
        return self._n_rows

    def lines(self) -> np.ndarray:
        """File line (1-based; sheet row for Excel) of every data row; -1 for DataFrames."""
        self.check_rows()
        if self._lines is None:
            if self.format == "dataframe":
                self._lines = np.full(len(self._payload), -1, dtype=np.int64)
            elif self.format == "xlsx":
                self._lines = np.asarray(self._xlsx_rows, dtype=np.int64)
        return self._lines

    def cell_texts(self, rows: np.ndarray, position: int) -> list[str] | None:
        """The cells of column ``position`` in data ``rows`` (0-based), as written.

        For failure messages about values pandas parsed as numbers: ``1e309`` is shown as
        written, not as ``inf``. None when the source is not a delimited text file whose
        row spans are known.
        """
        self.check_rows()
        rec = self._records
        if self.format != "csv" or rec is None or rec.starts is None:
            return None
        out = []
        delim = self.delimiter.encode()
        for r in np.asarray(rows, dtype=np.int64).tolist():
            raw = self._payload[rec.starts[r] : rec.ends[r]].rstrip(b"\r")
            if b'"' in raw:
                text = raw.decode(self._payload_encoding, "replace")
                cells = next(csv.reader([text], delimiter=self.delimiter), [])
            else:
                cells = [c.decode(self._payload_encoding, "replace") for c in raw.split(delim)]
            out.append(cells[position].strip() if position < len(cells) else "")
        return out


# ---------------------------------------------------------------------------------------
def sniff(
    source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    background: bool = False,
) -> Sniffed:
    """Inspect a source and read its header, without parsing the data.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A CSV/TSV/TXT or XLSX file (the format is recognised from the first bytes, not
        the extension), or a DataFrame (read as is, never modified).
    encoding : str, optional
        Force a text encoding. By default UTF-8 (with or without BOM), UTF-16 with BOM,
        then Windows-1251 are tried, in that order; a file that reads as Russian only in
        KOI8-R or DOS cp866, or UTF-16 without a byte-order mark, is refused with the
        encoding to pass.
    delimiter : {",", ";", "\\t"}, optional
        Force the field delimiter; by default the most frequent of the three in the
        header line (outside quotes).
    decimal : {".", ","}, optional
        Force the decimal mark; by default a comma when the delimiter is not a comma and
        the first data lines hold numbers such as ``12,5``.
    sheet : str or int, optional
        Excel sheet (name or 0-based position); needed when several sheets hold data.
    background : bool
        Count the fields of every row of a text file in a background thread (NumPy and
        pandas release the GIL, so the scan overlaps with :meth:`Sniffed.read`). Ragged
        rows are then raised by :meth:`Sniffed.read` or :meth:`Sniffed.check_rows`
        instead of here.

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
    digest = _Digest(data)  # in a thread while the file is sniffed, scanned and parsed
    if not data[:65536].strip() and not data.strip():
        _fail(
            shown,
            "the file is empty; export the table again (with a header row and one row per infant).",
            rule="not-empty",
        )
    if data[:4] == b"PK\x03\x04":
        from b12cohort.reading.excel import sniff_xlsx

        sn = sniff_xlsx(shown, data, sheet, make=Sniffed)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _fail(
            shown,
            "this is a legacy Excel 97-2003 (.xls) workbook, which b12cohort does not read; "
            "open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8).",
            rule="format",
        )
    else:
        try:
            sn = _sniff_text(
                shown,
                data,
                encoding=encoding,
                delimiter=delimiter,
                decimal=decimal,
                background=background,
            )
        except csv.Error as exc:  # e.g. a quoted field larger than the csv module allows
            _fail(
                shown,
                f"the file is not a well-formed CSV ({exc}); check for unbalanced quotes.",
                rule="csv-syntax",
            )
    sn._digest = digest
    return sn


class _Digest:
    """SHA-256 of the input, computed in a thread (hashlib releases the GIL)."""

    def __init__(self, data: bytes):
        self._out: list[str] = []
        self._thread = threading.Thread(
            target=lambda: self._out.append(hashlib.sha256(data).hexdigest()), daemon=True
        )
        self._thread.start()

    def result(self) -> str:
        self._thread.join()
        return self._out[0]


# -- text files -----------------------------------------------------------------------------
def _ascii_compatible(encoding: str) -> bool:
    """True when the delimiter, quote, CR and LF bytes mean the same in ``encoding``."""
    try:
        return _SPECIAL.encode(encoding) == _SPECIAL.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(shown: str, data: bytes, encoding: str | None) -> tuple[str, bytes, str]:
    """Check the encoding. Returns (encoding, bytes for pandas, encoding of those bytes).

    The bytes pandas reads are the file itself whenever its encoding is ASCII-compatible
    (UTF-8, Windows-1251, KOI8-R, ...); only UTF-16/32 text is re-encoded as UTF-8.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            _fail(
                shown,
                f"unknown encoding {encoding!r}; use for example 'utf-8' or 'cp1251'.",
                rule="encoding",
            )
        if not _ascii_compatible(encoding):
            try:
                return encoding, data.decode(encoding).encode("utf-8"), "utf-8"
            except UnicodeDecodeError as exc:
                bad = exc.start
        else:
            bad = valid_prefix_length(data, encoding)
            if bad is None:
                return encoding, data, encoding
        line = _line_of(data, bad)
        _fail(
            shown,
            f"the file is not valid {encoding}: byte 0x{data[bad]:02x} at line {line} "
            f"(offset {bad}) cannot be decoded. Leave the encoding out to let b12cohort "
            "detect it, or re-save the file as UTF-8.",
            rule="encoding",
            line=line,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return "utf-16", data.decode("utf-16").encode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            _fail(
                shown,
                f"the file starts with a UTF-16 byte-order mark but is not valid UTF-16 (offset "
                f"{exc.start}); re-save it as UTF-8.",
                rule="encoding",
            )
    bom = data.startswith(codecs.BOM_UTF8)
    sample = data[:65536]
    nul = sample.find(b"\x00")
    head = sample[:4096]
    if nul >= 0 or len(head) - len(head.translate(None, _CONTROL)) > 8:
        utf16 = utf16_without_bom(sample)
        if utf16:
            _fail(
                shown,
                f"the file looks like {utf16.upper()} text without a byte-order mark (every other "
                f"byte is NUL). Pass encoding='{utf16}' (command line: --encoding {utf16}), or "
                "re-save it as UTF-8.",
                rule="encoding",
            )
        nul_line = _line_of(data, nul) if nul >= 0 else None
        where = f", the first at offset {nul} (line {nul_line})" if nul >= 0 else ""
        _fail(
            shown,
            f"the file looks binary (it contains NUL or control bytes{where}), not a CSV. Export "
            "the table as CSV (UTF-8) or XLSX; a UTF-16 text file needs a byte-order mark or "
            "encoding='utf-16'.",
            rule="text-file",
            line=nul_line,
        )
    bad = valid_prefix_length(data, "utf-8", start=len(codecs.BOM_UTF8) if bom else 0)
    if bad is None:
        return ("utf-8-sig" if bom else "utf-8"), data, "utf-8"
    line = _line_of(data, bad)
    if bom:
        _fail(
            shown,
            f"the file starts with a UTF-8 byte-order mark but byte 0x{data[bad]:02x} at line "
            f"{line} (offset {bad}) is not UTF-8; re-save it as UTF-8 (or pass the encoding it "
            "was written in, e.g. encoding='cp1251').",
            rule="encoding",
            line=line,
        )
    guess = cyrillic_code_page(sample)
    if guess not in (None, "cp1251"):
        _fail(
            shown,
            f"the file is not UTF-8, and its Cyrillic letters read as gibberish in Windows-1251 "
            f"but as Russian text in {CODE_PAGES[guess]}. b12cohort does not guess beyond UTF-8 "
            f"and Windows-1251: pass encoding='{guess}' (command line: --encoding {guess}) if "
            "that is right, or re-save the file as UTF-8.",
            rule="encoding",
        )
    undefined = data.find(b"\x98")  # the one byte Windows-1251 leaves undefined
    if undefined >= 0:
        _fail(
            shown,
            f"cannot tell the file's encoding: it is neither UTF-8 (byte 0x{data[bad]:02x} at "
            f"line {line}) nor Windows-1251 (byte 0x98 at line {_line_of(data, undefined)}). "
            "Re-save it as UTF-8, or pass the encoding (encoding=... / --encoding).",
            rule="encoding",
            line=line,
        )
    return "cp1251", data, "cp1251"


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
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [""])


def _head_text(payload: bytes, encoding: str) -> str:
    """The start of the file as text, cut at a line break (never inside a character)."""
    head = payload[:_HEAD_BYTES]
    if len(payload) > _HEAD_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head.decode(encoding, "replace")


def _sniff_text(shown, data, *, encoding, delimiter, decimal, background=False) -> Sniffed:
    enc, payload, payload_enc = _decode(shown, data, encoding)
    if b"\n" not in payload and b"\r" in payload:  # classic Mac line endings
        payload = payload.replace(b"\r", b"\n")
    if b"\r" in payload and payload.count(b"\r") != payload.count(b"\r\n"):
        stray = _STRAY_CR.search(payload)
        line = _line_of(payload, stray.start())
        _fail(
            shown,
            f"line {line} contains a stray carriage return (CR) inside the line; the file mixes "
            "line endings. Re-save it from a spreadsheet or text editor with one kind of line "
            "ending.",
            rule="line-endings",
            line=line,
        )
    head = _first_lines(_head_text(payload, payload_enc), 400)
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
        _payload_encoding=payload_enc,
        _raw_headers=raw_headers,
    )
    if background:
        sn._scan = threading.Thread(target=_scan_in_background, args=(sn,), daemon=True)
        sn._scan.start()
    else:
        _check_field_counts(sn)
    return sn


def _scan_in_background(sn: Sniffed) -> None:
    try:
        _check_field_counts(sn)
    except Exception as exc:  # handed to the caller by Sniffed.check_rows
        sn._scan_error.append(exc)


def _header_offset(payload: bytes, skip: int) -> int:
    """Byte offset of the header: just after the first ``skip`` line breaks."""
    pos = 0
    for _ in range(skip):
        pos = payload.index(b"\n", pos) + 1
    return pos


def _check_field_counts(sn: Sniffed) -> None:
    """Every data row must have as many fields as the header (ragged rows are errors).

    pandas raises on rows with too many fields but silently pads rows with too few, so
    the count is checked here, and the file line of every row is recorded for messages.
    Failures never quote the row (it may hold a name from an identifier column): they
    give its row, line, number of fields and the likely cause.
    """
    expected = len(sn.headers)
    try:
        rec = scan_records(
            sn._payload,
            offset=_header_offset(sn._payload, sn._skip),
            first_line=sn._skip + 1,
            delimiter=sn.delimiter,
        )
    except Irregular:  # a quote inside an unquoted field: follow Python's csv module
        rec = _records_csv(sn)
    sn._records = rec
    sn._lines = rec.lines
    sn._n_rows = len(rec.lines)
    fields = rec.fields
    odd = fields != expected
    if not odd.any():
        return
    if rec.starts is not None:  # a trailing delimiter on a row is not an extra field
        trailing = np.flatnonzero(odd & (fields == expected + 1))
        if len(trailing):
            arr = np.frombuffer(sn._payload, dtype=np.uint8)
            last = arr[rec.ends[trailing] - 1]
            cr = (last == 13) & (rec.ends[trailing] - 2 >= rec.starts[trailing])
            last = np.where(cr, arr[np.maximum(rec.ends[trailing] - 2, 0)], last)
            odd[trailing[last == ord(sn.delimiter)]] = False
    else:
        odd &= ~rec.trailing
    bad = np.flatnonzero(odd)
    if not len(bad):
        return
    failures = []
    for i in bad[:_MAX_STRUCTURE_FAILURES].tolist():
        row, line, n = i + 1, int(rec.lines[i]), int(fields[i])
        what = "more" if n > expected else "fewer"
        failures.append(
            {
                "row": row,
                "line": line,
                "column": None,
                "value": f"{n} field{'s' if n != 1 else ''}",
                "rule": "field-count",
                "message": f"row {row} (line {line}) has {n} field{'s' if n != 1 else ''}, "
                f"{what} than the {expected} columns of the header: {_ragged_cause(sn, i, n)}",
            }
        )
    more = len(bad) - len(failures)
    raise CohortValidationError(
        f"{sn.source}: {len(bad)} row(s) do not have {expected} fields like the header"
        + (f" ({more} more not listed)" if more > 0 else "")
        + f". First: {failures[0]['message']}",
        failure_frame(failures),
        source=sn.source,
    )


def _ragged_cause(sn: Sniffed, i: int, n: int) -> str:
    """Why row ``i`` (0-based) has ``n`` fields, in words (without quoting the row)."""
    expected = len(sn.headers)
    name = _DELIMITERS[sn.delimiter]
    rec = sn._records
    raw = sn._payload[rec.starts[i] : rec.ends[i]] if rec.starts is not None else b""
    if raw.count(b"\n"):
        end = int(rec.lines[i]) + raw.count(b"\n")
        to_end = i == len(rec.starts) - 1
        return (
            'a quote (") opened in this row is never closed, so the row runs '
            + ("to the end of the file" if to_end else f"on to line {end}")
            + '. Close the quote, or delete it if it is part of a value (write it twice, "", '
            "inside a quoted value)."
        )
    for other, other_name in _DELIMITERS.items():
        if other != sn.delimiter and raw.count(other.encode()) + 1 == expected:
            return (
                f"its values are separated by {other_name}s while the header uses {name}s "
                "(mixed delimiters). Export the table again with one delimiter."
            )
    return (
        f"a ragged row (a stray or missing {name}, or an unquoted {name} inside a value). "
        f"Fix the row, or put the value in double quotes."
    )


def _records_csv(sn: Sniffed) -> Records:
    """Records by Python's csv module, for files whose quoting the byte scan cannot follow."""
    text = sn._payload.decode(sn._payload_encoding)
    reader = csv.reader(io.StringIO(text), delimiter=sn.delimiter, quotechar='"')
    lines, fields, trailing = [], [], []
    prev = 0
    for i, rec in enumerate(reader):
        start = prev + 1
        prev = reader.line_num
        if i <= sn._skip:
            continue
        if not rec or (len(rec) == 1 and not rec[0].strip(" \t\r")):
            continue
        lines.append(start)
        fields.append(len(rec))
        trailing.append(rec[-1] == "")
    return Records(
        None,
        None,
        np.asarray(fields, dtype=np.int64),
        np.asarray(lines, dtype=np.int64),
        len(sn.headers),
        trailing=np.asarray(trailing, dtype=bool),
    )
