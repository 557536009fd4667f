"""Numeric columns: cells to canonical float64, with unit conversion and range checks.

:func:`parse_number` reads decimal commas (logged), refuses ambiguous thousands
separators, dates, words and numbers with text after them with a message saying what to
write, converts alternative units (``hb_g_dl`` -> ``hb_g_l``) and checks the plausible
range of every value, collecting every failure in a
:class:`~b12cohort.dictionary.failures.Failures`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from b12cohort.dictionary.cells import fmt, present_text
from b12cohort.dictionary.cleaning_log import CleaningLog
from b12cohort.dictionary.failures import Failures
from b12cohort.dictionary.schema import AlternativeUnit, Field

__all__ = ["parse_number"]

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?P<sep>[ \u00a0\u202f'.,])\d{3}((?P=sep)\d{3})*([.,]\d+)?$")
_GROUPING = re.compile("[ \u00a0\u202f']")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+$")
# one separator followed by exactly three digits: "1,250" is 1.25 or 1250
_AMBIGUOUS = {",": re.compile(r"^[-+]?\d{1,3},\d{3}$"), ".": re.compile(r"^[-+]?\d{1,3}\.\d{3}$")}
# a laboratory's value outside the assay's range: "<50", "< 83", "менее 100", ">2000"
_CENSORED = re.compile(
    r"^(?P<op><=?|>=?|\u2264|\u2265|менее|меньше|ниже|более|больше|выше|less than|below|under|"
    r"more than|greater than|above|over)\s*(?P<num>\d+(?:[.,]\d+)?)$",
    re.IGNORECASE,
)
_LEFT = {"<", "<=", "\u2264", "менее", "меньше", "ниже", "less than", "below", "under"}
# an age written as text: "1 г. 2 мес.", "8 мес.", "10 months", "1 yaş 2 ay"
_AGE_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?,?\s*")
_AGE_UNITS = {
    12.0: {"г", "год", "года", "лет", "y", "yr", "yrs", "year", "years", "yaş", "yas", "yıl"},
    1.0: {"м", "мес", "месяц", "месяца", "месяцев", "m", "mo", "mon", "month", "months", "ay"},
    1 / 4.348125: {"н", "нед", "неделя", "недели", "недель", "w", "wk", "week", "weeks", "hafta"},
    1 / 30.4375: {"д", "дн", "день", "дня", "дней", "d", "day", "days", "gün", "gun"},
}
_AGE_FACTOR = {u: f for f, units in _AGE_UNITS.items() for u in units}
_NOT_FINITE = "is not a finite number (too large to represent, or infinity); check the cell."
_DATE_TEXT = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_NUMBER_WITH_UNIT = re.compile(r"^[-+]?\d+([.,]\d+)?\s*[^\d\s.,].*$")
_NOT_A_VALUE = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "null", "none", "nil"}
_SPREADSHEET_ERRORS = {"#n/a", "#value!", "#div/0!", "#ref!", "#name?", "#num!", "#null!"}


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
            f" (the number stored in it is {fmt(stored)})"
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
    censored: dict | None = None,
    copy: bool = True,
) -> np.ndarray:
    """Parse a numeric column to canonical float64 (converting other units), checking its rules.

    When ``originals`` is a dict, the values before unit conversion are stored in it
    under the field's name. ``decimal`` is the file's decimal mark: a cell written with
    the *other* mark and exactly three digits after it (``1.250`` in a decimal-comma
    file, ``1,250`` otherwise) could be a thousands separator and is refused as
    ambiguous; other cells with a decimal comma are read and logged. ``cell_texts``
    returns the cells of given rows as written in the file, to quote values that pandas
    parsed as numbers (so that ``1e309`` is not shown as ``inf``).

    A laboratory field (schema role ``laboratory``) may hold values outside the assay's
    range, written ``<50``, ``< 83``, ``менее 100``, ``>2000`` or ``более 1500``: the
    limit is kept as the value and, when ``censored`` is a dict, an object array under
    the field's name says ``"left"`` (the value is below the limit), ``"right"`` (above)
    or None per row. Every such cell is logged, and the rule is a data warning.

    ``copy=False`` lets a float64 column come back as the very array of ``raw`` (no
    copy of a million values), for a ``raw`` that the caller owns and never reuses (the
    loader's own parse of a file); the default copies, so a caller's data are never
    changed.
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
        vals = raw.to_numpy(dtype="float64", na_value=np.nan, copy=copy)
        if not vals.flags.writeable:  # a read-only view of the caller-owned column
            try:
                vals.flags.writeable = True
            except ValueError:
                vals = vals.copy()
        texts = None
    else:
        vals = np.full(n, np.nan)
        pos, text = present_text(raw, missing_values)
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
        if field.unit == "months" and alt is None:
            _read_age_text(text, num, pos, column, log)
        if field.role == "laboratory" and censored is not None:
            _read_censored(text, num, pos, n, field, column, alt, censored, log)
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


def age_in_months(text: str) -> float | None:
    """Months in an age written as text, or None when it is not one.

    >>> age_in_months("1 г. 2 мес."), age_in_months("8 мес."), age_in_months("10 months")
    (14.0, 8.0, 10.0)
    >>> age_in_months("2 недели") is None, age_in_months("K01") is None
    (False, True)
    """
    low = text.strip().lower()
    total, end = 0.0, 0
    for m in _AGE_PART.finditer(low):
        if m.start() != end or m.group(2) not in _AGE_FACTOR:
            return None
        total += float(m.group(1).replace(",", ".")) * _AGE_FACTOR[m.group(2)]
        end = m.end()
    return round(total, 2) if end and end == len(low) else None


def _read_age_text(text, num, pos, column, log) -> None:
    """Ages written as text ("1 г. 2 мес.") into ``num`` (months), each logged."""
    failed = np.flatnonzero(np.isnan(num))
    if not len(failed):
        return
    cells = text.to_numpy(dtype=object)[failed]
    months = np.array(
        [age_in_months(c) if isinstance(c, str) else None for c in cells], dtype=object
    )
    hit = np.array([m is not None for m in months], dtype=bool)
    if not hit.any():
        return
    idx = failed[hit]
    num[idx] = months[hit].astype("float64")
    log.add(
        column,
        "age-text",
        rows=pos[idx],
        original=cells[hit],
        new=num[idx],
        detail="age written as text read in months (a year = 12 months, a week = 1/4.348 month)",
    )
    log.warn(
        column,
        f"column {column!r}: {len(idx)} age(s) written as text (like '1 г. 2 мес.') were read "
        "in months.",
        n_cells=len(idx),
    )


def _read_censored(text, num, pos, n, field, column, alt, censored, log) -> None:
    """Cells like "<50": the limit into ``num``, the direction into ``censored``."""
    failed = np.isnan(num)
    if not failed.any():
        return
    parts = text[failed].str.extract(_CENSORED)
    hit = parts["op"].notna().to_numpy()
    if not hit.any():
        return
    idx = np.flatnonzero(failed)[hit]
    limits = pd.to_numeric(parts["num"][hit].str.replace(",", ".", regex=False)).to_numpy("float64")
    ops = parts["op"][hit].str.lower().to_numpy(dtype=object)
    side = np.where(np.isin(ops, list(_LEFT)), "left", "right")
    num[idx] = limits
    out = censored.setdefault(field.name, np.full(n, None, dtype=object))
    out[pos[idx]] = side
    name = f"{field.name}_censored"
    for direction in ("left", "right"):
        rows = idx[side == direction]
        if not len(rows):
            continue
        log.add(
            column,
            "censored",
            rows=pos[rows],
            original=text.to_numpy(dtype=object)[rows],
            new=limits[side == direction],
            detail=f"outside the assay's range: the limit is kept, {name} = {direction}"
            + (f" (limit in {alt.unit}, converted like the column)" if alt else ""),
        )
    n_left, n_right = int((side == "left").sum()), int((side == "right").sum())
    log.warn(
        column,
        f"column {column!r}: {len(idx)} value(s) outside the assay's range (written like "
        f"'<50' or '>2000') are kept as the limit with {name} = left ({n_left}) or right "
        f"({n_right}); a median, a rank test or a cut-off that reaches them must treat them "
        "as censored.",
        n_cells=len(idx),
    )


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") else unit + "s"


_MAX_QUOTED = 1000  # cells re-read from the file to quote them as written


def _as_written(texts, cell_texts):
    """A function (rows, values) -> the cells of those rows as written, for messages."""

    def shown(rows: np.ndarray, vals: np.ndarray) -> list[str]:
        rows = np.asarray(rows, dtype=np.int64)
        out = [fmt(v) for v in vals[rows]]
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
            body = (f"(= {fmt(v)} {unit}) " if alt else "") + f"is {side} {fmt(bound)} {unit}"
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
                    f"if the column is in {other.unit}, name it {other.name} ({fmt(v)} {other.unit} = {fmt(other.to_canonical(v))} {field.unit})"
                )
    if field.unit == "year" and 3000 < v < 100000 and float(v).is_integer():
        year = _excel_year(v)
        if year is not None:
            hints.append(
                f"{fmt(v)} looks like a spreadsheet date serial number (the date "
                f"{year}); enter the year itself and format the cell as a number"
            )
    elif v > 0 and field.maximum is not None and v > field.maximum:
        for k in (10, 100, 1000):
            if _plausible(v / k, field):
                hints.append(
                    f"check for a misplaced decimal point ({fmt(v)} / {k} = {fmt(v / k)} {field.unit})"
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
