"""Column parsing and validation against the schema, collecting every failure.

Each ``parse_*`` function turns one raw column (as read by :mod:`b12cohort.reading.sniff`)
into its canonical dtype, vectorised, and reports:

* failures (row, column, value, rule, message) into a :class:`Failures` collector:
  validation is lazy, so every problem in the file is found in one pass;
* changes (recoded spellings, converted units, decimal commas) into the
  :class:`~b12cohort.dictionary.cleaning_log.CleaningLog`.

Columns with few distinct spellings (yes/no, codes) are handled per distinct value:
each spelling is classified once and the verdict is spread to its rows by integer
codes, so a million-row column costs a few array operations, not a million calls.

:func:`validate` is the public entry point that returns the failures table instead of
raising.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from b12cohort.dictionary.cleaning_log import CleaningLog, CodeRows
from b12cohort.dictionary.failures import Failures
from b12cohort.dictionary.schema import AlternativeUnit, Field

__all__ = [
    "Failures",
    "check_required",
    "check_rules",
    "check_unique",
    "parse_boolean",
    "parse_number",
    "parse_text",
]

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?P<sep>[ \u00a0\u202f'.,])\d{3}((?P=sep)\d{3})*([.,]\d+)?$")
_GROUPING = re.compile("[ \u00a0\u202f']")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+$")
# one separator followed by exactly three digits: "1,250" is 1.25 or 1250
_AMBIGUOUS = {",": re.compile(r"^[-+]?\d{1,3},\d{3}$"), ".": re.compile(r"^[-+]?\d{1,3}\.\d{3}$")}
_NOT_FINITE = "is not a finite number (too large to represent, or infinity); check the cell."
_DATE_TEXT = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_NUMBER_WITH_UNIT = re.compile(r"^[-+]?\d+([.,]\d+)?\s*[^\d\s.,].*$")
_NOT_A_VALUE = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "null", "none", "nil"}
_SPREADSHEET_ERRORS = {"#n/a", "#value!", "#div/0!", "#ref!", "#name?", "#num!", "#null!"}
_MAX_SHOWN_ROWS = 10  # rows listed in one duplicate-id message


def _fmt(x: float) -> str:
    """A number as a person would write it (no trailing .0, at most 6 significant digits)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{x:.6g}"


def _cell_text(v) -> str:
    """A cell as text: Excel numbers without ".0", dates as ISO dates, times as ISO times."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    if isinstance(v, _dt.datetime):  # also pandas.Timestamp
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    return str(v)


def _present_text(raw: pd.Series, missing_values) -> tuple[np.ndarray, pd.Series]:
    """Positions and stripped text of the non-missing cells of an object/string column."""
    mask = raw.notna().to_numpy()
    pos = np.flatnonzero(mask)
    cells = raw if len(pos) == len(raw) else raw.iloc[pos]
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        cells = cells.map(_cell_text)  # Excel or DataFrame cells: numbers, dates, bools
    text = cells.astype(str).str.strip()
    keep = ~text.isin(list(missing_values)).to_numpy()
    if keep.all():
        return pos, text
    return pos[keep], text[keep]


def _codes(raw: pd.Series) -> tuple[np.ndarray, list]:
    """Integer code per row (-1 for NA) and the distinct cells, in code order."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return raw.cat.codes.to_numpy(), list(raw.cat.categories)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    return codes, list(uniques)


def _rows_of(codes: np.ndarray, code: int) -> np.ndarray:
    return np.flatnonzero(codes == code)


# -- numbers -------------------------------------------------------------------------------
def _why_not_number(text: str, original, unit: str | None, field: Field) -> tuple[str, str]:
    """(rule, message body) for a cell that is not a number."""
    low = text.lower()
    try:  # a number too large for a float: pandas 3 reads it as inf, pandas 2 refuses it
        if math.isinf(float(text)) and low.lstrip("+-") not in _NOT_A_VALUE:
            return "finite", _NOT_FINITE
    except ValueError:
        pass
    unit_s = f" in {unit}" if unit else ""
    if isinstance(original, _dt.date | _dt.time | _dt.timedelta):
        stored = _excel_number(original)
        shown = (
            f" (the number stored in it is {_fmt(stored)})"
            if stored is not None and _plausible(stored, field)
            else ""
        )
        return (
            "type",
            "is a date or time: the spreadsheet cell has a date or time format" + shown + "; store "
            f"the number{unit_s} itself and format the cell as a number.",
        )
    if low in _SPREADSHEET_ERRORS:
        return (
            "type",
            "is a spreadsheet error value; fix the formula in the source sheet or leave the cell empty.",
        )
    if low in _NOT_A_VALUE:
        return "type", "is not a value; leave the cell empty (or write NA) for a missing value."
    m = _THOUSANDS.match(text)
    if m:
        sep = m.group("sep")
        digits = text.replace(sep, "") if sep in ",." else _GROUPING.sub("", text)
        digits = digits.replace(",", ".")
        return (
            "type",
            f"looks like a number with a thousands separator; write it without separators (e.g. {digits}).",
        )
    if _DATE_TEXT.match(text):
        return "type", f"looks like a date; a number{unit_s} is expected."
    if _NUMBER_WITH_UNIT.match(text):
        return (
            "type",
            f"has text after the number; write the number only{unit_s} (the column's unit is fixed by its name).",
        )
    return "type", f"is not a number; a number{unit_s} is expected (empty or NA for missing)."


def _excel_number(value) -> float | None:
    """The serial number Excel stores for a date, time or duration cell."""
    try:
        from openpyxl.utils.datetime import to_excel

        return float(to_excel(value))
    except Exception:  # not an Excel-representable date
        return None


def parse_number(
    raw: pd.Series,
    field: Field,
    *,
    column: str,
    alt: AlternativeUnit | None,
    missing_values,
    failures: Failures,
    log: CleaningLog,
    originals: dict | None = None,
    decimal: str = ".",
    cell_texts: Callable[[np.ndarray], list[str] | None] | None = None,
) -> np.ndarray:
    """Parse a numeric column to canonical float64 (converting other units), checking its rules.

    When ``originals`` is a dict, the values before unit conversion are stored in it
    under the field's name. ``decimal`` is the file's decimal mark: a cell written with
    the *other* mark and exactly three digits after it (``1.250`` in a decimal-comma
    file, ``1,250`` otherwise) could be a thousands separator and is refused as
    ambiguous; other cells with a decimal comma are read and logged. ``cell_texts``
    returns the cells of given rows as written in the file, to quote values that pandas
    parsed as numbers (so that ``1e309`` is not shown as ``inf``).
    """
    n = len(raw)
    unit = alt.unit if alt else field.unit
    if pd.api.types.is_bool_dtype(raw):
        vals = np.full(n, np.nan)
        pos = np.flatnonzero(raw.notna().to_numpy())
        failures.add(
            pos,
            column,
            raw.iloc[pos].astype(str).tolist(),
            "type",
            f"is not a number; a number in {unit} is expected.",
        )
        return vals
    if pd.api.types.is_numeric_dtype(raw):
        vals = raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        texts = None
    else:
        vals = np.full(n, np.nan)
        pos, text = _present_text(raw, missing_values)
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", copy=True)
        # pandas parses the words "NaN"/"inf": a word is not a value
        word = text.str.lower().isin(_NOT_A_VALUE).to_numpy()
        num[word] = np.nan
        other = "." if decimal == "," else ","
        ambiguous = text.str.match(_AMBIGUOUS[other]).to_numpy()
        num[ambiguous] = np.nan
        failed = np.isnan(num) & ~word & ~ambiguous
        comma = failed & text.str.match(_DECIMAL_COMMA).to_numpy()
        if comma.any():
            fixed = pd.to_numeric(
                text[comma].str.replace(",", ".", regex=False), errors="coerce"
            ).to_numpy("float64")
            num[comma] = fixed
            log.add(
                column,
                "decimal-comma",
                rows=pos[comma],
                original=text[comma].to_numpy(),
                new=fixed,
                detail="decimal comma read as a decimal point",
            )
        if ambiguous.any():
            amb = text[ambiguous]
            mark = "comma" if decimal == "," else "point"
            failures.add(
                pos[ambiguous],
                column,
                amb.tolist(),
                "type",
                [
                    f"is ambiguous: the file's decimal mark is a {mark}, so '{other}' here could "
                    f"be a thousands separator ({t.replace(other, '')}) or a decimal mark "
                    f"({t.replace(',', '.')}); write the number without separators, with a "
                    f"decimal {mark}."
                    for t in amb.tolist()
                ],
            )
        bad = np.isnan(num) & ~ambiguous
        if bad.any():
            bad_pos = pos[bad]
            bad_text = text[bad]
            codes, uniques = pd.factorize(bad_text)
            originals_of = raw.iloc[bad_pos].tolist()
            first = {}
            for i, c in enumerate(codes.tolist()):
                first.setdefault(c, i)
            for k, t in enumerate(uniques):
                rule, body = _why_not_number(t, originals_of[first[k]], unit, field)
                failures.add(bad_pos[codes == k], column, t, rule, body)
        ok = ~np.isnan(num)
        vals[pos[ok]] = num[ok]
        texts = (pos, text)
    as_written = _as_written(texts, cell_texts)
    # finite
    inf = np.flatnonzero(np.isinf(vals))
    if inf.size:
        failures.add(
            inf,
            column,
            as_written(inf, vals),
            "finite",
            _NOT_FINITE,
        )
        vals[inf] = np.nan
    # unit conversion
    if alt is not None:
        present = np.flatnonzero(~np.isnan(vals))
        converted = alt.to_canonical(vals)
        log.add(
            column,
            "unit-conversion",
            rows=present,
            original=vals[present],
            new=converted[present],
            detail=f"{alt.name} ({alt.unit}) -> {field.name} ({field.unit}): {alt.formula}",
        )
        original_vals, vals = vals, converted
    else:
        original_vals = vals
    if originals is not None:
        originals[field.name] = original_vals
    _check_range(
        vals, original_vals, field, column=column, alt=alt, shown=as_written, failures=failures
    )
    if field.type == "integer":
        frac = np.flatnonzero(~np.isnan(vals) & (np.floor(vals) != vals))
        failures.add(
            frac,
            column,
            as_written(frac, original_vals),
            "integer",
            f"is not a whole number; {field.title.lower() or field.name} is counted in whole "
            f"{_plural(field.unit or 'unit')}.",
        )
    return vals


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") else unit + "s"


_MAX_QUOTED = 1000  # cells re-read from the file to quote them as written


def _as_written(texts, cell_texts):
    """A function (rows, values) -> the cells of those rows as written, for messages."""

    def shown(rows: np.ndarray, vals: np.ndarray) -> list[str]:
        rows = np.asarray(rows, dtype=np.int64)
        out = [_fmt(v) for v in vals[rows]]
        if texts is not None:
            pos, text = texts
            idx = np.searchsorted(pos, rows)  # pos is sorted
            idx = np.minimum(idx, max(len(pos) - 1, 0))
            hit = (pos[idx] == rows) if len(pos) else np.zeros(len(rows), dtype=bool)
            arr = text.to_numpy(dtype=object)
            for i in np.flatnonzero(hit).tolist():
                out[i] = arr[idx[i]]
        elif cell_texts is not None and len(rows):
            quoted = cell_texts(rows[:_MAX_QUOTED])
            if quoted is not None:
                out[: len(quoted)] = [q if q else o for q, o in zip(quoted, out, strict=False)]
        return out

    return shown


def _check_range(vals, original_vals, field: Field, *, column, alt, shown, failures) -> None:
    unit = field.unit or ""
    for bound, rule in ((field.minimum, "minimum"), (field.maximum, "maximum")):
        if bound is None:
            continue
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(vals < bound if rule == "minimum" else vals > bound)
        if rows.size == 0:
            continue
        side = "below the plausible minimum" if rule == "minimum" else "above the plausible maximum"
        codes, uniques = pd.factorize(vals[rows])  # one message body per distinct value
        bodies = []
        for v in uniques.tolist():
            body = (f"(= {_fmt(v)} {unit}) " if alt else "") + f"is {side} {_fmt(bound)} {unit}"
            body = (
                body.rstrip()
                + f"; {unit or 'the schema unit'} expected"
                + _unit_hint(v, field, alt)
                + "."
            )
            if v < 0 and field.minimum is not None and field.minimum >= 0:
                body = body.rstrip(".") + " (a negative value is impossible here)."
            bodies.append(body)
        failures.add(
            rows, column, shown(rows, original_vals), rule, np.asarray(bodies, dtype=object)[codes]
        )


def _plausible(v: float, field: Field) -> bool:
    lo = -np.inf if field.minimum is None else field.minimum
    hi = np.inf if field.maximum is None else field.maximum
    return bool(lo <= v <= hi)


def _unit_hint(v: float, field: Field, alt: AlternativeUnit | None) -> str:
    """Suggest the unit or decimal slip that would make ``v`` (canonical) plausible."""
    hints = []
    if alt is None:
        for other in field.alternative_units:
            if v > 0 and _plausible(other.to_canonical(v), field):
                hints.append(
                    f"if the column is in {other.unit}, name it {other.name} ({_fmt(v)} {other.unit} = {_fmt(other.to_canonical(v))} {field.unit})"
                )
    if field.unit == "year" and 3000 < v < 100000 and float(v).is_integer():
        year = _excel_year(v)
        if year is not None:
            hints.append(
                f"{_fmt(v)} looks like a spreadsheet date serial number (the date "
                f"{year}); enter the year itself and format the cell as a number"
            )
    elif v > 0 and field.maximum is not None and v > field.maximum:
        for k in (10, 100, 1000):
            if _plausible(v / k, field):
                hints.append(
                    f"check for a misplaced decimal point ({_fmt(v)} / {k} = {_fmt(v / k)} {field.unit})"
                )
                break
    return (". Hint: " + "; or ".join(hints)) if hints else ""


def _excel_year(serial: float) -> str | None:
    """The ISO date of a spreadsheet serial day number (1900 date system), if plausible."""
    try:
        date = _dt.date(1899, 12, 30) + _dt.timedelta(days=int(serial))
    except OverflowError:
        return None
    return date.isoformat() if 1980 <= date.year <= 2035 else None


# -- booleans ------------------------------------------------------------------------------
_YES, _NO, _MISSING = 1, 0, 2


def parse_boolean(
    raw: pd.Series,
    field: Field,
    *,
    column: str,
    missing_values,
    true_values,
    false_values,
    failures: Failures,
    log: CleaningLog,
):
    """Parse a yes/no column into pandas' nullable boolean dtype."""
    n = len(raw)
    if pd.api.types.is_bool_dtype(raw) and not pd.api.types.is_object_dtype(raw):
        values = np.zeros(n, dtype=bool)
        present = raw.notna().to_numpy()
        values[present] = raw[present].astype(bool).to_numpy()
        return pd.arrays.BooleanArray(values, ~present)
    if pd.api.types.is_numeric_dtype(raw):
        v = raw.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isin(v, (0.0, 1.0))
        bad = np.flatnonzero(~ok & ~np.isnan(v))
        failures.add(
            bad,
            column,
            [_fmt(x) for x in v[bad]],
            "boolean",
            "is not a yes/no value; use 1/0, yes/no or да/нет.",
        )
        return pd.arrays.BooleanArray(v == 1.0, ~ok)
    codes, uniques = _codes(raw)
    truthy, falsy = set(true_values), set(false_values)
    missing = {m.lower() for m in missing_values}
    if "-" not in truthy | falsy:
        missing.add("-")
    accepted = "yes/no, 1/0, да/нет or +/\u2212"
    saw_plus = saw_hyphen = False
    canonical = {"true", "false", "1", "0"}  # Table Schema's own spellings: not a change
    state = np.full(len(uniques) + 1, _MISSING, dtype=np.int8)  # the last slot: code -1 (NA)
    for k, u in enumerate(uniques):
        is_bool = isinstance(u, bool | np.bool_)
        text = ("true" if u else "false") if is_bool else _cell_text(u)
        key = text.strip().lower()
        if key in truthy or key in falsy:
            yes = key in truthy
            state[k] = _YES if yes else _NO
            saw_plus |= yes and key == "+"
            if key not in canonical and not is_bool:
                log.add(
                    column,
                    "boolean-code",
                    rows=CodeRows(codes, k),
                    original=text,
                    new=yes,
                    detail=f"yes/no spelling read as {yes}",
                )
        elif key in missing:
            saw_hyphen |= key == "-"
            if key == "-":
                log.add(
                    column,
                    "missing-code",
                    rows=CodeRows(codes, k),
                    original=text,
                    new=None,
                    detail="'-' is a missing-value marker",
                )
        else:
            failures.add(
                _rows_of(codes, k),
                column,
                text,
                "boolean",
                f"is not a recognised yes/no code; use {accepted} (empty or NA when not recorded).",
            )
    if saw_plus and saw_hyphen:
        import warnings

        from b12cohort.core.errors import DataQualityWarning

        warnings.warn(
            f"column {column!r} writes 'yes' as '+' and also has '-' cells, which the schema reads as "
            "MISSING (not recorded). If '-' means 'no' in this export, pass false_values=['-'] "
            "(command line: --false-values -).",
            DataQualityWarning,
            stacklevel=4,
        )
    st = state[codes]  # code -1 picks the last slot: missing
    return pd.arrays.BooleanArray(st == _YES, st == _MISSING)


# -- text and codes ------------------------------------------------------------------------
def parse_text(
    raw: pd.Series,
    field: Field,
    *,
    column: str,
    missing_values,
    failures: Failures,
    log: CleaningLog,
    screen: dict | None = None,
):
    """Parse a free-text or coded (enum) column; recode spellings listed in ``codes``.

    Returns a Categorical (categories: the sorted enum) for a coded field, else a pandas
    ``string`` array. When ``screen`` is a dict, a free-text field also stores in it,
    under the field's name, a boolean array marking the rows whose value may look like
    a personal identifier (for :func:`b12cohort.dictionary.privacy.counts_of`).
    """
    if field.enum:
        return _parse_code(
            raw, field, column=column, missing_values=missing_values, failures=failures, log=log
        )
    n = len(raw)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)
    mask = raw.notna().to_numpy()
    pos = np.flatnonzero(mask)
    cells = raw if len(pos) == n else raw.iloc[pos]
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        cells = cells.map(_cell_text)  # Excel or DataFrame cells: numbers, dates, bools
    cells = cells.to_numpy(dtype=object)
    text, trimmed, lengths, candidates = _strip_cells(cells, screen=screen is not None)
    if screen is not None:
        screen[field.name] = np.zeros(n, dtype=bool)
        screen[field.name][pos] = candidates
    if trimmed.any():
        log.add(
            column,
            "whitespace",
            rows=pos[trimmed],
            original=cells[trimmed],
            new=text[trimmed],
            detail="surrounding whitespace removed",
        )
    present = np.ones(len(text), dtype=bool)
    short = np.flatnonzero(lengths <= max((len(m) for m in missing_values), default=-1))
    if len(short):  # only short cells can be missing-value markers ("", "NA", "n/a", ...)
        present[short] = ~pd.Series(text[short], dtype=object).isin(list(missing_values))
    if not present.all():
        pos, text, lengths = pos[present], text[present], lengths[present]
    if field.max_length:
        long = np.flatnonzero(lengths > field.max_length)
        failures.add(
            pos[long],
            column,
            text[long].tolist(),
            "maxLength",
            f"is longer than {field.max_length} characters; use a short pseudonymous code.",
        )
    if len(pos) == n and not trimmed.any() and pd.api.types.is_string_dtype(raw.dtype):
        return raw.astype("string").array  # unchanged text: no per-cell conversion
    values = text
    if len(pos) < n:
        values = np.full(n, None, dtype=object)
        values[pos] = text
    return pd.array(values, dtype="string")


_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)  # ..U+3000


def _is_space(code_points: np.ndarray) -> np.ndarray:
    return _SPACE[np.minimum(code_points, len(_SPACE) - 1)]


_MATRIX_BYTES = 1 << 25  # code-point matrix per chunk (32 MiB)


def _strip_cells(
    cells: np.ndarray, *, screen: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """``str.strip`` of every cell, its "was trimmed" flag, its stripped length and,
    with ``screen``, whether it may look like a personal identifier
    (:func:`b12cohort.dictionary.privacy.candidate_mask`).

    Only the cells that start or end with whitespace are stripped in Python: they are
    found from a matrix of code points (NumPy's fixed-width strings), a few array
    operations for a million cells.
    """
    from b12cohort.dictionary.privacy import candidate_mask, row_sum

    n = len(cells)
    text = cells.copy()
    trimmed = np.zeros(n, dtype=bool)
    lengths = np.zeros(n, dtype=np.int64)
    candidates = np.zeros(n, dtype=bool) if screen else None
    lo = 0
    step = 1 << 16
    while lo < n:
        chunk = cells[lo : lo + step]
        u = chunk.astype("U")
        width = u.dtype.itemsize // 4
        if width * len(chunk) * 4 > _MATRIX_BYTES and len(chunk) > 1:
            step = max(1, len(chunk) // 8)  # long values: smaller chunks
            continue
        hi = lo + len(chunk)
        if width:
            cp = u.view(np.uint32).reshape(len(chunk), width)
            length = row_sum(cp != 0)
            last = cp[np.arange(len(chunk)), np.maximum(length - 1, 0)]
            flagged = (length > 0) & (_is_space(cp[:, 0]) | _is_space(last))
            lengths[lo:hi] = length
            if screen:
                candidates[lo:hi] = flagged  # trimmed: look again
                if width <= 64:
                    candidates[lo:hi] |= candidate_mask(cp)
                else:  # a long value somewhere: the screen takes the whole chunk
                    candidates[lo:hi] = True
            for i in np.flatnonzero(flagged).tolist():
                stripped = chunk[i].strip()
                text[lo + i] = stripped
                lengths[lo + i] = len(stripped)
                trimmed[lo + i] = True
        lo = hi
        step = 1 << 16
    return text, trimmed, lengths, candidates


def _parse_code(raw, field: Field, *, column, missing_values, failures, log) -> pd.Categorical:
    """A coded field: each distinct spelling is stripped, recoded and checked once."""
    categories = sorted(field.enum)
    lookup = {e.lower(): e for e in field.enum}
    for canonical, spellings in field.codes.items():
        lookup.update(dict.fromkeys(spellings, canonical))
    missing = set(missing_values)
    codes, uniques = _codes(raw)
    target = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot: code -1 (NA)
    for k, u in enumerate(uniques):
        original = _cell_text(u)
        text = original.strip()
        if text in missing:
            continue
        rows = CodeRows(codes, k)
        if text != original:
            log.add(
                column,
                "whitespace",
                rows=rows,
                original=original,
                new=text,
                detail="surrounding whitespace removed",
            )
        canonical = lookup.get(text.lower())
        if canonical is None:
            failures.add(
                rows.positions(),
                column,
                text,
                "enum",
                f"is not an accepted code; use {' or '.join(field.enum)} (see the data dictionary for accepted spellings).",
            )
            continue
        if field.max_length and len(text) > field.max_length:
            failures.add(
                rows.positions(),
                column,
                text,
                "maxLength",
                f"is longer than {field.max_length} characters; use a short pseudonymous code.",
            )
        target[k] = categories.index(canonical)
        if canonical != text:
            log.add(
                column,
                "code",
                rows=rows,
                original=text,
                new=canonical,
                detail=f"spelling recoded to {canonical}",
            )
    return pd.Categorical.from_codes(target[codes], categories=categories)


def check_required(values, field: Field, *, column: str, failures: Failures) -> None:
    """Empty cells in a field whose values are required."""
    if not field.required:
        return
    isna = np.asarray(pd.isna(values), dtype=bool)
    if not isna.any():
        return
    rows = np.setdiff1d(
        np.flatnonzero(isna), failures.failed_rows(column)
    )  # unparseable cells already reported
    failures.add(
        rows,
        column,
        "(empty)",
        "required",
        f"is missing; {field.title or field.name} is required for every infant.",
    )


def check_unique(values, field: Field, *, column: str, failures: Failures) -> None:
    """Duplicate values in a unique field: each repeat names the id and its rows."""
    if not field.unique:
        return
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    present = values.notna().to_numpy()
    if present.all() and pd.Index(values.to_numpy(dtype=object)).is_unique:
        return  # the usual case, decided by one hash pass
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    repeated = np.flatnonzero(counts > 1)
    if not len(repeated):
        return
    rows = np.flatnonzero(np.isin(codes, repeated))
    rows = rows[np.argsort(codes[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(codes[rows])) + 1
    for group in np.split(rows, bounds):
        shown = group[:_MAX_SHOWN_ROWS]
        where = ", ".join(
            f"row {failures.labels[r]}"
            + (f" (line {failures.lines[r]})" if failures.lines[r] >= 0 else "")
            for r in shown.tolist()
        )
        if len(group) > len(shown):
            where += f" and {len(group) - len(shown)} more"
        failures.add(
            group[1:],
            column,
            str(uniques[codes[group[0]]]),
            "unique",
            f"is used by {len(group)} rows: {where}; every infant needs a unique code.",
        )


def check_rules(frame: dict, *, columns: dict, failures: Failures) -> None:
    """Rules across fields (the schema's ``rules``)."""
    im = frame.get("involuntary_movements_on_treatment")
    onset = frame.get("im_onset_day")
    resolution = frame.get("im_resolution_day")
    followup = frame.get("im_followup_day")
    timing = {"im_onset_day": onset, "im_resolution_day": resolution, "im_followup_day": followup}
    if im is not None:
        not_yes = ~np.asarray(im.fillna(False), dtype=bool)
        for name, vals in timing.items():
            if vals is None:
                continue
            rows = np.flatnonzero(~np.isnan(vals) & not_yes)
            failures.add(
                rows,
                columns[name],
                [_fmt(vals[r]) for r in rows],
                "onset_requires_movements",
                "is given but involuntary_movements_on_treatment is not yes; fill it only for infants with "
                "involuntary movements (or correct that column).",
            )
    if onset is not None:
        for name, vals in (("im_resolution_day", resolution), ("im_followup_day", followup)):
            if vals is None:
                continue
            with np.errstate(invalid="ignore"):
                rows = np.flatnonzero(vals < onset)
            failures.add(
                rows,
                columns[name],
                [_fmt(vals[r]) for r in rows],
                "resolution_after_onset",
                [
                    f"is earlier than im_onset_day = {_fmt(onset[r])}; it cannot precede the onset."
                    for r in rows
                ],
            )
    if followup is not None and resolution is not None:
        rows = np.flatnonzero(~np.isnan(followup) & ~np.isnan(resolution))
        failures.add(
            rows,
            columns["im_followup_day"],
            [_fmt(followup[r]) for r in rows],
            "followup_only_if_unresolved",
            "is given although im_resolution_day is filled; follow-up (censoring) time is only for movements that had not resolved.",
        )
