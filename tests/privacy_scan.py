"""Scan outputs for leaked identifiers: ``assert_no_leak(paths_or_texts, secrets)``.

Reusable by any test that writes something a person will read (reports, tables,
figures, logs, command-line output)::

    from privacy_scan import assert_no_leak
    assert_no_leak([out_dir, result.stdout], ["Иванов Иван", "+7 913 555-01-02"])

Every source is searched as bytes, for each secret written in UTF-8, Windows-1251,
UTF-16 (LE and BE, with or without a byte-order mark) and in the escaped forms an
output format may use: JSON ``\\uXXXX``, HTML/XML character references, percent-encoding.
Text is also compared case-insensitively after decoding. Folders are scanned
recursively; zip archives (XLSX, DOCX, notebooks zipped), gzip files and the
Flate-compressed streams of PDF files are opened and scanned inside.

Known blind spots: text drawn as glyph outlines or with subset-font glyph ids (PDF,
SVG with text converted to paths) and pixels of raster images cannot be searched.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import io
import json
import os
import re
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Leak", "assert_no_leak", "find_leaks"]

_ENCODINGS = ("utf-8", "cp1251", "utf-16-le", "utf-16-be")
_MIN_SECRET = 4  # shorter secrets would match anywhere
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


@dataclass(frozen=True)
class Leak:
    """A secret found in a source: where, which secret, in which form."""

    where: str
    secret: str
    form: str

    def __str__(self) -> str:
        return f"{self.secret!r} found in {self.where} ({self.form})"


def _forms(secret: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of every way the secret may be written."""
    out = []
    for enc in _ENCODINGS:
        with contextlib.suppress(UnicodeEncodeError):  # a character cp1251 cannot write
            out.append((enc, secret.encode(enc)))
    escaped = {
        "JSON \\u escapes": json.dumps(secret, ensure_ascii=True)[1:-1],
        "HTML escapes": html.escape(secret),
        "decimal character references": "".join(
            f"&#{ord(c)};" if ord(c) > 127 else c for c in secret
        ),
        "hex character references": "".join(
            f"&#x{ord(c):x};" if ord(c) > 127 else c for c in secret
        ),
        "percent-encoding": urllib.parse.quote(secret),
        "percent-encoding (+ for space)": urllib.parse.quote_plus(secret),
    }
    for name, text in escaped.items():
        if text != secret:
            out.append((name, text.encode("ascii", "backslashreplace")))
            if name.startswith("JSON"):
                out.append(("JSON \\u escapes, upper case", text.upper().encode("ascii")))
    return out


def _texts(blob: bytes) -> list[tuple[str, str]]:
    """The blob decoded in each encoding (lower case), for case-insensitive matching."""
    out = []
    for enc in _ENCODINGS:
        text = blob.decode(enc, "ignore")
        if text:
            out.append((enc, text.casefold()))
    return out


def _inner(where: str, blob: bytes) -> Iterable[tuple[str, bytes]]:
    """The blob itself and whatever it contains (zip members, gzip, PDF streams)."""
    yield where, blob
    if blob[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                for info in z.infolist():
                    yield from _inner(f"{where}!{info.filename}", z.read(info))
        except (zipfile.BadZipFile, OSError, RuntimeError):
            pass
    elif blob[:2] == b"\x1f\x8b":
        try:
            unzipped = gzip.decompress(blob)
        except (OSError, EOFError):
            unzipped = None
        if unzipped is not None:
            yield from _inner(f"{where}!gunzip", unzipped)
    elif blob[:5] == b"%PDF-":
        for k, m in enumerate(_PDF_STREAM.finditer(blob)):
            try:
                yield f"{where}!stream{k}", zlib.decompress(m.group(1))
            except zlib.error:
                continue


def _sources(paths_or_texts) -> Iterable[tuple[str, bytes]]:
    items = (
        [paths_or_texts]
        if isinstance(paths_or_texts, str | bytes | os.PathLike)
        or not isinstance(paths_or_texts, Iterable)
        else paths_or_texts
    )
    for k, item in enumerate(items):
        if isinstance(item, os.PathLike) or (
            isinstance(item, str) and len(item) < 1024 and "\n" not in item and os.path.exists(item)
        ):
            path = Path(item)
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for f in files:
                yield str(f), f.read_bytes()
        elif isinstance(item, bytes):
            yield f"bytes #{k}", item
        elif isinstance(item, str):
            yield f"text #{k}", item.encode("utf-8")
        else:  # DataFrames, warnings, metadata objects: their text forms
            texts = [repr(item), str(item)]
            to_csv = getattr(item, "to_csv", None)
            if callable(to_csv):
                texts.append(to_csv())
            yield f"{type(item).__name__} #{k}", "\n".join(texts).encode("utf-8")


def find_leaks(paths_or_texts, secrets: Iterable[str]) -> list[Leak]:
    """Every occurrence of a secret in the sources (see the module docstring)."""
    secrets = list(secrets)
    short = [s for s in secrets if len(s.strip()) < _MIN_SECRET]
    if short:
        raise ValueError(f"secrets shorter than {_MIN_SECRET} characters match anywhere: {short!r}")
    forms = {s: _forms(s) for s in secrets}
    leaks = []
    for where, blob in _sources(paths_or_texts):
        for inner_where, inner in _inner(where, blob):
            texts = None
            for secret in secrets:
                hit = next((name for name, b in forms[secret] if b in inner), None)
                if hit is None:
                    texts = texts if texts is not None else _texts(inner)
                    folded = secret.casefold()
                    hit = next((f"{enc}, ignoring case" for enc, t in texts if folded in t), None)
                if hit is not None:
                    leaks.append(Leak(inner_where, secret, hit))
    return leaks


def assert_no_leak(paths_or_texts, secrets: Iterable[str]) -> None:
    """Fail with every leak found: which secret, where, and in which encoding or form.

    Parameters
    ----------
    paths_or_texts : path, str, bytes, object, or an iterable of them
        Files and folders (scanned recursively), texts (e.g. captured stdout), bytes,
        or objects such as DataFrames and warnings (their repr, str and CSV are scanned).
        A str is taken as a path only when such a file or folder exists.
    secrets : iterable of str
        Values that must not appear (at least four characters each).
    """
    leaks = find_leaks(paths_or_texts, secrets)
    if leaks:
        shown = "\n".join(f"  {leak}" for leak in leaks[:50])
        more = f"\n  ... and {len(leaks) - 50} more" if len(leaks) > 50 else ""
        raise AssertionError(f"{len(leaks)} identifier leak(s):\n{shown}{more}")
