"""Delimited text files (CSV, TSV, semicolons): header, dialect and the fields of every row.

:func:`sniff_text` finds the header below comment lines, the delimiter and the decimal
mark; :func:`check_field_counts` counts the fields of every row with vectorised byte
scans (:mod:`b12cohort.reading._csvscan`) and refuses ragged rows with their cause, never
quoting the row.
"""

from __future__ import annotations

import csv
import io
import re
import threading

import numpy as np

from b12cohort.core.errors import CohortValidationError
from b12cohort.dictionary.failures import MAX_STRUCTURE_FAILURES as _MAX_STRUCTURE_FAILURES
from b12cohort.dictionary.failures import failure_frame
from b12cohort.dictionary.failures import structure_failure as _fail
from b12cohort.reading._csvscan import Irregular, Records, scan_records
from b12cohort.reading.encoding import decode, line_of

__all__ = ["DELIMITERS", "check_field_counts", "sniff_text"]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DELIMITERS = DELIMITERS
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_STRAY_CR = re.compile(rb"\r(?!\n)")
_HEAD_BYTES = 1 << 18  # bytes decoded to find the header and sniff the dialect


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


def sniff_text(
    shown,
    data,
    *,
    encoding,
    delimiter,
    decimal,
    background=False,
    make,
    header_match=None,
    header_row=None,
):
    """Sniff a delimited text file; ``make`` builds the :class:`~b12cohort.reading.sniff.Sniffed`.

    The header is the first line below comments that names at least two schema columns
    (``header_match``), or line ``header_row``; title and note lines above it are skipped
    and logged.
    """
    enc, payload, payload_enc = decode(shown, data, encoding)
    if b"\n" not in payload and b"\r" in payload:  # classic Mac line endings
        payload = payload.replace(b"\r", b"\n")
    if b"\r" in payload and payload.count(b"\r") != payload.count(b"\r\n"):
        stray = _STRAY_CR.search(payload)
        line = line_of(payload, stray.start())
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
    comments = skip
    skip, found = _find_header_line(shown, head, skip, delimiter, header_match, header_row)
    delimiter = delimiter or found
    header = head[skip].lstrip("\ufeff").rstrip("\r")
    notes = [f"encoding: {enc}"]
    if comments:
        notes.append(f"{comments} comment/blank line(s) above the header skipped")
    if skip > comments:
        notes.append(
            f"{skip - comments} title/note line(s) above the header skipped (line(s) "
            f"{', '.join(str(i + 1) for i in range(comments, skip))}); the header is line {skip + 1}"
        )
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
    sn = make(
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
        check_field_counts(sn)
    return sn


def _cells(line: str, delimiter: str) -> list[str]:
    return [c.strip() for c in _split_header(line.lstrip("\ufeff"), delimiter)]


def _find_header_line(shown, head, skip, delimiter, header_match, header_row):
    """(index of the header line, its delimiter or None): see :func:`sniff_text`."""
    if header_row is not None:
        if not 1 <= header_row <= len(head) or not head[header_row - 1].strip():
            _fail(
                shown,
                f"--header-row {header_row}: line {header_row} is empty or beyond the start of "
                f"the file; the first non-blank line is line {skip + 1}.",
                rule="header",
            )
        return header_row - 1, None
    if header_match is None:
        return skip, None
    delimiters = [delimiter] if delimiter else list(_DELIMITERS)
    for i in range(skip, min(len(head), skip + 30)):
        line = head[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        best = max(delimiters, key=lambda d: (header_match(_cells(line, d)), len(_cells(line, d))))
        if header_match(_cells(line, best)) >= 2:
            return i, None if delimiter else best
    titles, table = [], False
    for i in range(skip, min(len(head), skip + 6)):
        line = head[i]
        if not line.strip():
            continue
        if max(sum(bool(c) for c in _cells(line, d)) for d in delimiters) > 1:
            table = True  # title lines above a table whose header names nothing known
            break
        titles.append(i + 1)
    if titles and table:
        _fail(
            shown,
            f"no header row found: line(s) {', '.join(map(str, titles))} hold a single cell "
            "each, like a title, and no line below names the schema's columns. Pass the "
            "header's line with --header-row N (Python: header_row=N) to "
            "validate, report or map, or name the header's columns in a --columns mapping.",
            rule="header",
            line=titles[0],
        )
    return skip, None


def _scan_in_background(sn) -> None:
    try:
        check_field_counts(sn)
    except Exception as exc:  # handed to the caller by Sniffed.check_rows
        sn._scan_error.append(exc)


def _header_offset(payload: bytes, skip: int) -> int:
    """Byte offset of the header: just after the first ``skip`` line breaks."""
    pos = 0
    for _ in range(skip):
        pos = payload.index(b"\n", pos) + 1
    return pos


def check_field_counts(sn) -> None:
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
    if len(bad) and rec.starts is not None:  # separator-only lines are blank records, not ragged
        filler = set(b' \t\r\n"') | {ord(sn.delimiter)}
        blank = [
            i
            for i in bad[:_MAX_STRUCTURE_FAILURES].tolist()
            if fields[i] < expected and set(sn._payload[rec.starts[i] : rec.ends[i]]) <= filler
        ]
        bad = np.setdiff1d(bad, blank)
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


def _ragged_cause(sn, i: int, n: int) -> str:
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


def _records_csv(sn) -> Records:
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
