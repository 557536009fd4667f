"""The text encoding of a delimited file: detected, checked, never guessed beyond reason.

UTF-8 (with or without BOM), UTF-16 with BOM, then Windows-1251 are tried, in that
order; KOI8-R / cp866 Russian text, UTF-16 without a byte-order mark and binary files are
refused with the encoding to pass or the way to re-save the file.
"""

from __future__ import annotations

import codecs

from b12cohort.dictionary.failures import structure_failure as _fail
from b12cohort.reading._csvscan import (
    CODE_PAGES,
    cyrillic_code_page,
    utf16_without_bom,
    valid_prefix_length,
)

__all__ = ["decode", "line_of"]

_SPECIAL = '\n\r\t,;"#'  # bytes the scans rely on: must encode as themselves
_CONTROL = bytes([*range(9), *range(14, 32)])  # control bytes that no text table holds


def _ascii_compatible(encoding: str) -> bool:
    """True when the delimiter, quote, CR and LF bytes mean the same in ``encoding``."""
    try:
        return _SPECIAL.encode(encoding) == _SPECIAL.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(shown: str, data: bytes, encoding: str | None) -> tuple[str, bytes, str]:
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
        line = line_of(data, bad)
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
        nul_line = line_of(data, nul) if nul >= 0 else None
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
    line = line_of(data, bad)
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
            f"line {line}) nor Windows-1251 (byte 0x98 at line {line_of(data, undefined)}). "
            "Re-save it as UTF-8, or pass the encoding (encoding=... / --encoding).",
            rule="encoding",
            line=line,
        )
    return "cp1251", data, "cp1251"
