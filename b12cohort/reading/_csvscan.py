"""Vectorised byte scans of a delimited text file, for :mod:`b12cohort.reading.sniff`.

pandas' C parser reads the values, but it silently pads rows with too few fields and
does not say which file line a row came from. This module finds, for every record of
the file, its byte span, its number of fields and its file line, with NumPy over the
raw bytes (no Python loop per row), in chunks so that memory stays bounded.

It works on the bytes pandas reads, which are always in an ASCII-compatible encoding
(UTF-8, Windows-1251, KOI8-R, ...; UTF-16 input is re-encoded first). In such encodings
the delimiter, quote, CR and LF bytes never occur inside another character.

Quoted fields (RFC 4180) are handled by quote parity: a delimiter or line break is
inside a quoted field when an odd number of quote characters precede it (a doubled
quote ``""`` inside a field toggles twice). That is exact as long as every opening quote
starts a field, which is how spreadsheets and pandas write CSV; when a file has a quote
in the middle of an unquoted field (``5" tall``) the scan reports it as irregular and
the caller falls back to Python's csv module.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CODE_PAGES",
    "Irregular",
    "Records",
    "cyrillic_code_page",
    "quote_parity",
    "scan_records",
    "utf16_without_bom",
    "valid_prefix_length",
]

_CHUNK = 1 << 20  # 1 MiB of bytes per step: the temporaries stay in the CPU cache
_QUOTE, _LF, _CR = 34, 10, 13
_BLANK = b" \t\r"


class Irregular(Exception):
    """The file has a quote that does not start a field; parity scanning is not exact."""


@dataclass
class Records:
    """Data records below the header (blank lines removed).

    Attributes
    ----------
    starts, ends : numpy.ndarray of int64
        Byte span ``data[start:end]`` of each record, line break excluded.
    fields : numpy.ndarray of int64
        Number of fields of each record (delimiters outside quotes + 1).
    lines : numpy.ndarray of int64
        1-based file line on which each record starts.
    header_fields : int
        Number of fields of the header record.
    trailing : numpy.ndarray of bool or None
        Whether each record ends with an empty field (only when ``starts`` is None: the
        records came from Python's csv module and have no byte spans).
    """

    starts: np.ndarray | None
    ends: np.ndarray | None
    fields: np.ndarray
    lines: np.ndarray
    header_fields: int
    trailing: np.ndarray | None = None


def valid_prefix_length(
    data: bytes, encoding: str, *, start: int = 0, chunk: int = _CHUNK
) -> int | None:
    """None when ``data[start:]`` decodes in ``encoding``; else the offset of the first bad byte.

    Decodes chunk by chunk with an incremental decoder and throws the text away, so
    checking a 100 MB file never holds its decoded copy.
    """
    if data.isascii() and _ascii_compatible(encoding):  # one fast C pass
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)[start:]
    lo, pending = 0, b""
    try:
        for lo in range(0, len(view), chunk):
            pending = decoder.getstate()[0]  # bytes of a character cut by the last chunk
            decoder.decode(view[lo : lo + chunk], final=lo + chunk >= len(view))
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        # the exact offset: decode the failing chunk again, with the bytes it continues
        try:
            (pending + bytes(view[lo : lo + chunk])).decode(encoding)
        except UnicodeDecodeError as again:
            return start + lo - len(pending) + again.start
        return start + lo + exc.start  # pragma: no cover - a failure only at the very end
    return None


# encodings in which pure-ASCII bytes always decode (to the same characters)
_ASCII_SUPERSETS = {
    "ascii",
    "utf-8",
    "utf-8-sig",
    "cp1251",
    "cp1252",
    "koi8-r",
    "cp866",
    "iso8859-1",
    "iso8859-5",
}


def _ascii_compatible(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _ASCII_SUPERSETS
    except LookupError:
        return False


def scan_records(
    data: bytes,
    *,
    offset: int,
    first_line: int,
    delimiter: str,
    chunk: int = _CHUNK,
) -> Records:
    """Split ``data[offset:]`` (the header record first) into records and count fields.

    Raises
    ------
    Irregular
        A quote character opens a field in the middle (see the module docstring).
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    n = len(arr)
    delim = ord(delimiter)
    quoted = data.find(b'"', offset) >= 0
    ends_parts, count_parts, inner_lf_parts = [], [], []
    partial = 0  # delimiters of the record running into the next chunk
    inside_carry = False
    pos = offset
    while pos < n:
        hi = min(n, pos + chunk)
        b = arr[pos:hi]
        lf = b == _LF
        dm = b == delim
        if quoted:
            q = b == _QUOTE
            if q.any():
                inside = quote_parity(q)  # parity, each quote included
                if inside_carry:
                    np.logical_not(inside, out=inside)
                _check_openings(arr, b, q, inside, pos, offset, delim)
                inside_carry = bool(inside[-1])
            elif inside_carry:
                inside = np.ones(len(b), dtype=bool)
            else:
                inside = None
            if inside is not None:
                inner = lf & inside
                if inner.any():
                    inner_lf_parts.append(np.flatnonzero(inner) + pos)
                np.logical_not(inside, out=inside)  # now: outside quotes
                lf &= inside
                dm &= inside
        ends = np.flatnonzero(lf)
        dpos = np.flatnonzero(dm)
        before = np.searchsorted(dpos, ends)  # delimiters of this chunk before each LF
        counts = np.diff(before, prepend=0)
        if len(counts):
            counts[0] += partial
            partial = len(dpos) - int(before[-1])
        else:
            partial += len(dpos)
        ends_parts.append(ends + pos)
        count_parts.append(counts)
        pos = hi
    ends = np.concatenate(ends_parts) if ends_parts else np.empty(0, np.int64)
    counts = np.concatenate(count_parts) if count_parts else np.empty(0, np.int64)
    starts = np.concatenate(([offset], ends + 1)).astype(np.int64)
    if starts[-1] < n:  # a last record without a final line break
        ends = np.append(ends, n)
        counts = np.append(counts, partial)
    else:
        starts = starts[:-1]
    ends = ends.astype(np.int64)
    fields = counts.astype(np.int64) + 1
    k = np.arange(len(starts), dtype=np.int64)
    lines = first_line + k
    if inner_lf_parts:
        inner = np.concatenate(inner_lf_parts)
        if len(inner):
            lines = lines + np.searchsorted(inner, starts)
    header_fields = int(fields[0]) if len(fields) else 0
    starts, ends, fields, lines = starts[1:], ends[1:], fields[1:], lines[1:]
    # blank records (only spaces, tabs or CR, no delimiter) are skipped, like pandas does
    maybe_blank = np.flatnonzero((fields == 1) & (ends - starts <= 64))
    if len(maybe_blank):
        blank = [i for i in maybe_blank.tolist() if not data[starts[i] : ends[i]].strip(_BLANK)]
        if blank:
            keep = np.ones(len(starts), dtype=bool)
            keep[blank] = False
            starts, ends, fields, lines = starts[keep], ends[keep], fields[keep], lines[keep]
    return Records(starts, ends, fields, lines, header_fields)


_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


def quote_parity(q: np.ndarray) -> np.ndarray:
    """Running parity of ``q``: ``out[i]`` is True when ``q[: i + 1]`` has an odd count.

    The same as ``np.logical_xor.accumulate(q)``, four times faster: the flags are packed
    64 to a word, each word gets its prefix parity by six shift-and-xor steps (the
    carry-less trick of simdjson), and the words' carries are chained with one
    accumulate over an array 64 times shorter.
    """
    n = len(q)
    if n == 0:
        return np.zeros(0, dtype=bool)
    packed = np.packbits(q, bitorder="little")
    words = np.zeros((len(packed) + 7) // 8, dtype="<u8")
    words.view(np.uint8)[: len(packed)] = packed
    for shift in (1, 2, 4, 8, 16, 32):
        words ^= words << np.uint64(shift)
    top = words >> np.uint64(63)  # parity of each whole word
    carry = np.bitwise_xor.accumulate(top)
    carry[1:] = carry[:-1].copy()
    carry[0] = 0
    words ^= carry * _ALL_ONES
    return np.unpackbits(words.view(np.uint8), bitorder="little", count=n).view(bool)


def _check_openings(arr, b, q, inside, pos: int, offset: int, delim: int) -> None:
    """Raise Irregular unless every opening quote of the chunk ``b`` starts a field.

    ``inside`` is the quote parity *including* each position: a quote where it is True
    opened a quoted stretch. An opening quote must follow a delimiter, a line break, the
    start of the scan, or the closing quote of a doubled ``""``.
    """
    n_quotes = int(np.count_nonzero(q))
    if n_quotes * 16 < len(b):  # few quotes: look at their positions only
        qpos = np.flatnonzero(q)
        opening = qpos[inside[qpos]] + pos
        if not len(opening):
            return
        prev = arr[np.maximum(opening - 1, 0)]
        ok = (opening - 1 < offset) | _follows_boundary(prev, delim)
    else:  # quote-heavy (every field quoted): whole-chunk masks are cheaper
        prev = np.empty_like(b)
        prev[1:] = b[:-1]
        prev[0] = arr[pos - 1] if pos > offset else _LF
        ok = _follows_boundary(prev, delim) | ~(q & inside)
    if not ok.all():
        raise Irregular()


def _follows_boundary(prev: np.ndarray, delim: int) -> np.ndarray:
    return (prev == delim) | (prev == _LF) | (prev == _CR) | (prev == _QUOTE)


# -- encodings ------------------------------------------------------------------------------
def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``sample`` is UTF-16 text without a BOM, else None.

    In UTF-16 text of a table (digits, delimiters, Latin or Cyrillic letters) every
    other byte is the high byte of a character: NUL for ASCII, 0x04 for Cyrillic.
    """
    s = sample[: min(len(sample), 8192) & ~1]
    if len(s) < 8:
        return None
    for enc, high, low in (("utf-16-le", s[1::2], s[0::2]), ("utf-16-be", s[0::2], s[1::2])):
        n = len(high)
        if (
            high.count(0) >= 0.3 * n
            and high.count(0) + high.count(4) >= 0.95 * n
            and low.count(0) <= 0.05 * n
        ):
            try:
                s.decode(enc)
            except UnicodeDecodeError:
                continue
            return enc
    return None


# Letter frequencies of Russian text (per cent; Lyashevskaya & Sharov 2009 frequency
# dictionary, rounded), used only to tell which single-byte Cyrillic code page a
# non-UTF-8 file is in.
_RU_LETTERS = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (
            10.97,
            8.45,
            8.01,
            7.35,
            6.70,
            6.26,
            5.47,
            4.73,
            4.54,
            4.40,
            3.49,
            3.21,
            2.98,
            2.81,
            2.62,
            2.01,
            1.90,
            1.74,
            1.70,
            1.65,
            1.59,
            1.44,
            1.21,
            0.97,
            0.94,
            0.73,
            0.64,
            0.48,
            0.36,
            0.32,
            0.26,
            0.04,
            0.04,
        ),
        strict=True,
    )
)
CODE_PAGES = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R", "cp866": "DOS (cp866)"}


def cyrillic_code_page(sample: bytes) -> str | None:
    """The Cyrillic code page under which ``sample`` reads most like Russian, or None.

    Each candidate decoding is scored by the mean log frequency of its non-ASCII
    characters (Russian letters by their frequency; other characters as rare). Mojibake
    (KOI8-R read as Windows-1251 turns "нет" into "ОЕФ") scores far lower than the
    right decoding. None when there are too few non-ASCII bytes to tell, or when the
    best candidate is not clearly better than Windows-1251.
    """
    from collections import Counter
    from math import log

    if sum(b > 127 for b in sample[:16384]) < 20:
        return None
    scores = {}
    for enc in CODE_PAGES:
        counts = Counter(sample.decode(enc, "replace"))
        total = score = 0.0
        for ch, k in counts.items():
            if ord(ch) < 128:
                continue
            low = ch.lower()
            if low in _RU_LETTERS:
                p = _RU_LETTERS[low] / 100
            elif ch.isalpha():
                p = 5e-4
            elif ch in "\u00a0\u2116\u00ab\u00bb\u2013\u2014\u00b0\u00b1":  # NBSP № « » – — ° ±
                p = 1e-3
            else:
                p = 1e-5
            score += k * log(p)
            total += k
        scores[enc] = score / total
    best = max(scores, key=scores.get)
    if best != "cp1251" and scores[best] - scores["cp1251"] < 0.3:
        return "cp1251"
    return best
