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

import csv
import hashlib
import io
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.dictionary.failures import structure_failure as _fail
from b12cohort.reading._csvscan import Records
from b12cohort.reading.delimited import sniff_text

__all__ = ["Sniffed", "sniff"]


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
    _xlsx_formulas: dict = field(default_factory=dict, repr=False)  # without a cached value
    _xlsx_cached: dict = field(default_factory=dict, repr=False)  # formulas read as their value
    cached_formulas: list = field(default_factory=list, repr=False)  # in the columns read
    _xlsx_merged: list = field(default_factory=list, repr=False)  # (range, column, rows filled)
    _xlsx_hidden: set = field(default_factory=set, repr=False)  # hidden columns (0-based)
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

            self.cached_formulas = check_formulas(self, positions)
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

    def release(self) -> None:
        """Free the file's bytes and row spans once every column is parsed.

        The facts (headers, encoding, line numbers, ...) stay; :meth:`cell_texts` and
        :meth:`read` need the bytes and must not be called afterwards. A DataFrame
        source is the caller's and is kept.
        """
        self.check_rows()
        self.lines()
        if self.format == "csv":
            self._payload = None
            self._records = None

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
    header_match=None,
    header_row: int | None = None,
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
        Excel sheet: a name, a 0-based position (int), or a string of digits counted from
        1 (``"2"``, as the command line's ``--sheet 2``) when no sheet has that name;
        needed when several sheets hold data.
    header_match : callable, optional
        Scores a row of cells (how many of them name schema columns); the header is the
        first row scoring at least 2, below any title and note rows. Without it the header
        is the first non-comment line (CSV) or non-empty row (XLSX).
    header_row : int, optional
        The header's 1-based file line (CSV) or sheet row (XLSX).
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

        sn = sniff_xlsx(
            shown, data, sheet, make=Sniffed, header_match=header_match, header_row=header_row
        )
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _fail(
            shown,
            "this is a legacy Excel 97-2003 (.xls) workbook, which b12cohort does not read; "
            "open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8).",
            rule="format",
        )
    else:
        try:
            sn = sniff_text(
                shown,
                data,
                make=Sniffed,
                header_match=header_match,
                header_row=header_row,
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
