"""The vectorised byte scans behind the loader (b12cohort.reading._csvscan), against a model.

Hypothesis writes random delimited files (quoted fields with delimiters, doubled quotes
and line breaks inside, blank lines, LF or CRLF, ragged rows, no final line break) and
knows where every record starts and how many fields it has; the scan, run with tiny
chunks so that records and quoted fields straddle chunk boundaries, must agree.
"""

from __future__ import annotations

import codecs

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from b12cohort.reading._csvscan import (
    Irregular,
    cyrillic_code_page,
    quote_parity,
    scan_records,
    utf16_without_bom,
    valid_prefix_length,
)

_field_text = st.text(alphabet='ab я,;"\n\t', max_size=6)


def _render(field: str, delim: str, force_quote: bool) -> str:
    if force_quote or any(c in field for c in (delim, '"', "\n")):
        return '"' + field.replace('"', '""') + '"'
    return field


@st.composite
def documents(draw):
    delim = draw(st.sampled_from([",", ";", "\t"]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    records = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("blank"), st.sampled_from(["", " ", "\t ", "  "])),
                st.tuples(
                    st.just("row"),
                    st.lists(st.tuples(_field_text, st.booleans()), min_size=1, max_size=5),
                ),
            ),
            min_size=1,
            max_size=12,
        )
    )
    header = [(f"h{i}", False) for i in range(draw(st.integers(1, 5)))]
    text, expected = "", []
    for kind, content in [("row", header), *records]:
        line = text.count("\n") + 1
        if kind == "blank":
            rendered = content
            if delim in content:  # a tab-only line of a TSV is a row of empty fields
                kind, content = "row", [("", False)] * (content.count(delim) + 1)
        else:
            cells = [_render(f, delim, q) for f, q in content]
            rendered = delim.join(cells)
            if len(cells) == 1 and not rendered.strip(" \t"):
                kind = "blank"  # a lone empty field is a blank line, for pandas too
        if kind == "row":
            expected.append((line, len(content)))
        text += rendered + eol
    if draw(st.booleans()):
        text = text[: -len(eol)]  # no line break after the last record
    return text.encode("utf-8"), delim, expected


@given(documents(), st.sampled_from([1, 2, 3, 7, 64, 1 << 20]))
@pytest.mark.slow
def test_records_lines_and_field_counts_match_the_model(doc, chunk):
    data, delim, expected = doc
    rec = scan_records(data, offset=0, first_line=1, delimiter=delim, chunk=chunk)
    assert rec.header_fields == expected[0][1]
    assert list(zip(rec.lines.tolist(), rec.fields.tolist(), strict=True)) == expected[1:]
    for start, end in zip(rec.starts.tolist(), rec.ends.tolist(), strict=True):
        assert 0 <= start <= end <= len(data)
        assert end == len(data) or data[end : end + 1] == b"\n"


def test_a_quote_inside_an_unquoted_field_is_irregular():
    with pytest.raises(Irregular):
        scan_records(b'a,b\n5" tall,1\n', offset=0, first_line=1, delimiter=",")
    rec = scan_records(b'a,b\n"5"" tall",1\n', offset=0, first_line=1, delimiter=",")
    assert rec.fields.tolist() == [2]


def test_the_scan_starts_at_the_header_offset():
    data = b'# a "comment\nx;y\n1;2\n'
    rec = scan_records(data, offset=data.index(b"x"), first_line=2, delimiter=";")
    assert rec.lines.tolist() == [3] and rec.fields.tolist() == [2]


_unicode = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@given(_unicode, st.integers(0, 40), st.sampled_from([1, 2, 3, 5, 1 << 20]))
def test_valid_prefix_length_finds_the_first_bad_byte(text, at, chunk):
    good = text.encode("utf-8")
    assert valid_prefix_length(good, "utf-8", chunk=chunk) is None
    at = min(at, len(good))
    bad = good[:at] + b"\xff" + good[at:]
    try:
        bad.decode("utf-8")
    except UnicodeDecodeError as exc:
        expected = exc.start
    assert valid_prefix_length(bad, "utf-8", chunk=chunk) == expected
    cut = good + "é".encode()[:1]  # a character cut at the very end
    assert valid_prefix_length(cut, "utf-8", chunk=chunk) == len(good)


def test_valid_prefix_length_with_a_start_offset():
    data = codecs.BOM_UTF8 + "ок".encode("cp1251")
    assert valid_prefix_length(data, "utf-8", start=3) == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(encoding):
    text = "patient_id;пол;hb_g_l\nK01;ж;97\nK02;м;101\n" * 3
    assert utf16_without_bom(text.encode(encoding)) == encoding
    assert utf16_without_bom(text.encode("utf-8")) is None
    assert utf16_without_bom(bytes(range(256)) * 4) is None


RUSSIAN = "Пол;Гипотония;Адинамия\nжен;да;нет\nмуж;нет;да\nжен;да;да\nмуж;нет;нет\n"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_cyrillic_code_pages_are_told_apart(encoding):
    assert cyrillic_code_page(RUSSIAN.encode(encoding)) == encoding


def test_too_few_letters_to_tell_the_code_page():
    assert cyrillic_code_page("a,b\nда,1\n".encode("koi8_r")) is None
    assert cyrillic_code_page(b"a,b\n1,2\n") is None


def test_all_capital_russian_stays_windows_1251():
    text = "ПОЛ;ЗПМР;ФИО\n" + "ЖЕН;ДА;НЕТ\n" * 10
    assert cyrillic_code_page(text.encode("cp1251")) == "cp1251"


@given(st.lists(st.booleans(), max_size=300), st.booleans())
@pytest.mark.slow
def test_quote_parity_is_a_running_xor(flags, dense):
    q = np.array(flags * (40 if dense else 1), dtype=bool)
    expected = np.logical_xor.accumulate(q) if len(q) else np.zeros(0, dtype=bool)
    got = quote_parity(q)
    assert got.dtype == bool and got.shape == q.shape
    np.testing.assert_array_equal(got, expected)
