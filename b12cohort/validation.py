"""Column parsing and validation against the schema, collecting every failure.

Each ``parse_*`` function turns one raw column (as read by :mod:`b12cohort.reading`)
into its canonical dtype, vectorised, and reports:

* failures (row, column, value, rule, message) into a :class:`Failures` collector:
  validation is lazy, so every problem in the file is found in one pass;
* changes (recoded spellings, converted units, decimal commas) into the
  :class:`~b12cohort.cleaning.CleaningLog`.

:func:`validate` is the public entry point that returns the failures table instead of
raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cleaning import CleaningLog
from .exceptions import FAILURE_COLUMNS, CohortValidationError
from .reading import failure_frame
from .schema import AlternativeUnit, Field

__all__ = ["Failures", "validate"]

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}([ \u00a0\u202f'.,]\d{3})+([.,]\d+)?$")
_SEPARATORS = re.compile("[ \u00a0\u202f,.']")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+$")
_DATE_TEXT = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_NUMBER_WITH_UNIT = re.compile(r"^[-+]?\d+([.,]\d+)?\s*[^\d\s.,].*$")
_NOT_A_VALUE = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "null", "none", "nil"}
_SPREADSHEET_ERRORS = {"#n/a", "#value!", "#div/0!", "#ref!", "#name?", "#num!", "#null!"}


def _fmt(x: float) -> str:
    """A number as a person would write it (no trailing .0, at most 6 significant digits)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{x:.6g}"


@dataclass
class Failures:
    """Collects failures; :meth:`frame` builds the table with full messages.

    ``rows`` are 0-based positions in the raw data; ``labels`` and ``lines`` map them to
    the 1-based data row and the file line shown to people.
    """

    labels: np.ndarray  # 1-based data-row numbers
    lines: np.ndarray  # file line per row (-1 when not a file)
    parts: list

    @classmethod
    def for_rows(
        cls, n: int, lines: np.ndarray | None = None, labels: np.ndarray | None = None
    ) -> Failures:
        labels = np.arange(1, n + 1) if labels is None else labels
        lines = np.full(n, -1, dtype=np.int64) if lines is None else lines
        return cls(labels, lines, [])

    def add(self, rows, column: str, values, rule: str, bodies) -> None:
        """Record failures at 0-based ``rows``; ``values``/``bodies`` scalars or per-row sequences."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        n = rows.size
        values = (
            [values] * n
            if isinstance(values, str) or not hasattr(values, "__len__")
            else list(values)
        )
        bodies = [bodies] * n if isinstance(bodies, str) else list(bodies)
        self.parts.append((rows, column, values, rule, bodies))

    def add_table(self, column: str | None, rule: str, message: str, value=None) -> None:
        """A failure about a whole column or the file (no row)."""
        self.parts.append((None, column, [value], rule, [message]))

    def __bool__(self) -> bool:
        return bool(self.parts)

    def failed_rows(self, column: str) -> np.ndarray:
        """0-based rows that already have a failure in ``column``."""
        rows = [p[0] for p in self.parts if p[0] is not None and p[1] == column]
        return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)

    @property
    def bad_rows(self) -> np.ndarray:
        """0-based positions of rows with at least one failure."""
        rows = [p[0] for p in self.parts if p[0] is not None]
        return np.unique(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)

    def frame(self) -> pd.DataFrame:
        recs = []
        for rows, column, values, rule, bodies in self.parts:
            if rows is None:
                recs.append(
                    {
                        "row": None,
                        "line": None,
                        "column": column,
                        "value": values[0],
                        "rule": rule,
                        "message": bodies[0],
                    }
                )
                continue
            for r, v, b in zip(rows, values, bodies, strict=True):
                label, line = int(self.labels[r]), int(self.lines[r])
                where = f"row {label}" + (f" (line {line})" if line >= 0 else "")
                recs.append(
                    {
                        "row": label,
                        "line": line if line >= 0 else None,
                        "column": column,
                        "value": v,
                        "rule": rule,
                        "message": f"{where}: {column} = {v} {b}",
                    }
                )
        df = failure_frame(recs)
        order = df["row"].fillna(0).astype("int64")
        return df.iloc[
            np.lexsort((df["column"].astype(str).to_numpy(), order.to_numpy()))
        ].reset_index(drop=True)


def _present_text(raw: pd.Series, missing_values) -> tuple[np.ndarray, pd.Series]:
    """Positions and stripped text of the non-missing cells of an object/string column."""
    mask = raw.notna().to_numpy()
    pos = np.flatnonzero(mask)
    cells = raw.iloc[pos]
    if not pd.api.types.is_string_dtype(cells) or pd.api.types.is_object_dtype(cells):
        cells = cells.map(_cell_text)  # Excel or DataFrame cells: numbers, dates, bools
    text = cells.astype(str).str.strip()
    keep = ~text.isin(list(missing_values)).to_numpy()
    return pos[keep], text[keep]


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    if hasattr(v, "isoformat") and not isinstance(v, str):  # Excel dates and times
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    return str(v)


# -- numbers -------------------------------------------------------------------------------
def _why_not_number(text: str, original, unit: str | None) -> tuple[str, str]:
    """(rule, message body) for a cell that is not a number."""
    low = text.lower()
    unit_s = f" in {unit}" if unit else ""
    if hasattr(original, "isoformat") and not isinstance(original, str):
        return (
            "type",
            f"is a date (the spreadsheet cell is formatted as a date); store the number{unit_s} itself and format the cell as a number.",
        )
    if low in _SPREADSHEET_ERRORS:
        return (
            "type",
            "is a spreadsheet error value; fix the formula in the source sheet or leave the cell empty.",
        )
    if low in _NOT_A_VALUE:
        return "type", "is not a value; leave the cell empty (or write NA) for a missing value."
    if _THOUSANDS.match(text):
        digits = _SEPARATORS.sub("", text)
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
) -> np.ndarray:
    """Parse a numeric column to canonical float64 (converting other units), checking its rules.

    When ``originals`` is a dict, the values before unit conversion are stored in it
    under the field's name.
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
        failed = np.isnan(num) & ~word
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
        bad = np.isnan(num)
        if bad.any():
            bad_pos = pos[bad]
            raw_cells = raw.iloc[bad_pos].tolist()
            for r, t, o in zip(bad_pos, text[bad].tolist(), raw_cells, strict=True):
                rule, body = _why_not_number(t, o, unit)
                failures.add([r], column, [t], rule, [body])
        vals[pos[~bad]] = num[~bad]
        texts = (pos, text)
    # finite
    inf = np.flatnonzero(np.isinf(vals))
    if inf.size:
        shown = _original_texts(inf, texts, vals)
        failures.add(
            inf,
            column,
            shown,
            "finite",
            "is not a finite number (too large to represent, or infinity); check the cell.",
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
    _check_range(vals, original_vals, field, column=column, alt=alt, texts=texts, failures=failures)
    if field.type == "integer":
        frac = np.flatnonzero(~np.isnan(vals) & (np.floor(vals) != vals))
        failures.add(
            frac,
            column,
            _original_texts(frac, texts, original_vals),
            "integer",
            f"is not a whole number; {field.title.lower() or field.name} is counted in whole {field.unit or 'units'}.",
        )
    return vals


def _original_texts(rows: np.ndarray, texts, vals: np.ndarray) -> list[str]:
    if texts is not None:
        pos, text = texts
        lookup = dict(zip(pos.tolist(), text.tolist(), strict=True))
        return [lookup.get(int(r), _fmt(vals[r])) for r in rows]
    return [_fmt(vals[r]) for r in rows]


def _check_range(
    vals, original_vals, field: Field, *, column, alt, texts, failures: Failures
) -> None:
    unit = field.unit or ""
    conv = f" (= {{conv}} {unit})" if alt else ""
    for bound, rule in ((field.minimum, "minimum"), (field.maximum, "maximum")):
        if bound is None:
            continue
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(vals < bound if rule == "minimum" else vals > bound)
        if rows.size == 0:
            continue
        shown = _original_texts(rows, texts, original_vals)
        bodies = []
        for r in rows:
            v = vals[r]
            side = (
                "below the plausible minimum"
                if rule == "minimum"
                else "above the plausible maximum"
            )
            body = (
                conv.format(conv=_fmt(v)) if alt else ""
            ) + f" is {side} {_fmt(bound)} {unit}".rstrip()
            body = (
                body.lstrip()
                + f"; {unit or 'the schema unit'} expected"
                + _unit_hint(v, field, alt)
                + "."
            )
            if v < 0 and field.minimum is not None and field.minimum >= 0:
                body = body.rstrip(".") + " (a negative value is impossible here)."
            bodies.append(body)
        failures.add(rows, column, shown, rule, bodies)


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
    if v > 0 and field.maximum is not None and v > field.maximum:
        for k in (10, 100, 1000):
            if _plausible(v / k, field):
                hints.append(
                    f"check for a misplaced decimal point ({_fmt(v)} / {k} = {_fmt(v / k)} {field.unit})"
                )
                break
    return (". Hint: " + "; or ".join(hints)) if hints else ""


# -- booleans ------------------------------------------------------------------------------
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
    values = np.zeros(n, dtype=bool)
    mask = np.ones(n, dtype=bool)  # True = missing
    if pd.api.types.is_bool_dtype(raw) and not pd.api.types.is_object_dtype(raw):
        present = raw.notna().to_numpy()
        values[present] = raw[present].astype(bool).to_numpy()
        mask = ~present
        return pd.arrays.BooleanArray(values, mask)
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
        values[ok] = v[ok] == 1.0
        mask = ~ok
        return pd.arrays.BooleanArray(values, mask)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    truthy, falsy = set(true_values), set(false_values)
    missing = {m.lower() for m in missing_values}
    if "-" not in truthy | falsy:
        missing.add("-")
    accepted = "yes/no, 1/0, да/нет or +/\u2212"
    saw_plus = saw_hyphen = False
    canonical = {"true", "false", "1", "0"}  # Table Schema's own spellings: not a change
    for k, u in enumerate(uniques):
        text = _cell_text(u) if not isinstance(u, bool | np.bool_) else ("true" if u else "false")
        key = text.strip().lower()
        rows = np.flatnonzero(codes == k)
        if key in truthy:
            values[rows], mask[rows] = True, False
            saw_plus |= key == "+"
            if key not in canonical and not isinstance(u, bool | np.bool_):
                log.add(
                    column,
                    "boolean-code",
                    rows=rows,
                    original=text,
                    new=True,
                    detail="yes/no spelling read as True",
                )
        elif key in falsy:
            values[rows], mask[rows] = False, False
            if key not in canonical and not isinstance(u, bool | np.bool_):
                log.add(
                    column,
                    "boolean-code",
                    rows=rows,
                    original=text,
                    new=False,
                    detail="yes/no spelling read as False",
                )
        elif key in missing:
            saw_hyphen |= key == "-"
            if key == "-":
                log.add(
                    column,
                    "missing-code",
                    rows=rows,
                    original=text,
                    new=None,
                    detail="'-' is a missing-value marker",
                )
        else:
            failures.add(
                rows,
                column,
                text,
                "boolean",
                f"is not a recognised yes/no code; use {accepted} (empty or NA when not recorded).",
            )
    if saw_plus and saw_hyphen:
        import warnings

        from .exceptions import DataQualityWarning

        warnings.warn(
            f"column {column!r} writes 'yes' as '+' and also has '-' cells, which the schema reads as "
            "MISSING (not recorded). If '-' means 'no' in this export, pass false_values=['-'] "
            "(command line: --false-values -).",
            DataQualityWarning,
            stacklevel=4,
        )
    return pd.arrays.BooleanArray(values, mask)


# -- text and codes ------------------------------------------------------------------------
def parse_text(
    raw: pd.Series,
    field: Field,
    *,
    column: str,
    missing_values,
    failures: Failures,
    log: CleaningLog,
) -> pd.Series:
    """Parse a free-text or coded (enum) column; recode spellings listed in ``codes``."""
    n = len(raw)
    out = np.full(n, None, dtype=object)
    pos, text = _present_text(raw, missing_values)
    original = raw.iloc[pos].map(_cell_text)
    trimmed = (original != text).to_numpy()
    if trimmed.any():
        log.add(
            column,
            "whitespace",
            rows=pos[trimmed],
            original=original[trimmed].to_numpy(),
            new=text[trimmed].to_numpy(),
            detail="surrounding whitespace removed",
        )
    values = text.to_numpy(dtype=object, copy=True)
    if field.enum:
        lookup = {e.lower(): e for e in field.enum}
        for canonical, spellings in field.codes.items():
            lookup.update(dict.fromkeys(spellings, canonical))
        codes, uniques = pd.factorize(text)
        for k, u in enumerate(uniques):
            rows = np.flatnonzero(codes == k)
            target = lookup.get(str(u).lower())
            if target is None:
                failures.add(
                    pos[rows],
                    column,
                    str(u),
                    "enum",
                    f"is not an accepted code; use {' or '.join(field.enum)} (see the data dictionary for accepted spellings).",
                )
                values[rows] = None
            elif target != u:
                values[rows] = target
                log.add(
                    column,
                    "code",
                    rows=pos[rows],
                    original=str(u),
                    new=target,
                    detail=f"spelling recoded to {target}",
                )
    if field.max_length:
        long = np.flatnonzero(text.str.len().to_numpy() > field.max_length)
        failures.add(
            pos[long],
            column,
            text.iloc[long].tolist(),
            "maxLength",
            f"is longer than {field.max_length} characters; use a short pseudonymous code.",
        )
    out[pos] = values
    return pd.Series(out, dtype="string")


def check_required(values, field: Field, *, column: str, failures: Failures) -> None:
    """Empty cells in a field whose values are required."""
    if not field.required:
        return
    isna = np.asarray(
        pd.isna(values) if not isinstance(values, pd.Series) else values.isna().to_numpy(),
        dtype=bool,
    )
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


def check_unique(values: pd.Series, field: Field, *, column: str, failures: Failures) -> None:
    """Duplicate values in a unique field: each repeat names the id and all its rows."""
    if not field.unique:
        return
    dup = values.duplicated(keep=False) & values.notna()
    if not dup.any():
        return
    groups = pd.Series(np.flatnonzero(dup.to_numpy()), index=values[dup].to_numpy()).groupby(
        level=0, sort=False
    )
    for value, rows in groups:
        rows = rows.to_numpy()
        where = ", ".join(
            f"row {failures.labels[r]}"
            + (f" (line {failures.lines[r]})" if failures.lines[r] >= 0 else "")
            for r in rows
        )
        failures.add(
            rows[1:],
            column,
            str(value),
            "unique",
            f"is used by {len(rows)} rows: {where}; every infant needs a unique code.",
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
                [f"is earlier than im_onset_day = {_fmt(onset[r])}; it cannot precede the onset." for r in rows],
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


def validate(source, *, columns=None, schema=None, **read_options) -> pd.DataFrame:
    """Validate a cohort file or DataFrame and return every failure (empty when valid).

    Same arguments as :func:`b12cohort.load_cohort`; instead of raising it returns the
    failures table, so a whole export can be checked in one go.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (1-based data row), ``line`` (file line, or sheet row),
        ``column``, ``value``, ``rule``, ``message``. Empty when the data are valid.

    Raises
    ------
    ArgumentError
        The arguments themselves are wrong (e.g. an unknown target in ``columns``).

    Examples
    --------
    >>> import b12cohort
    >>> from importlib.resources import files
    >>> path = files("b12cohort").joinpath("resources/krasnoyarsk_2022_reconstructed.csv")
    >>> len(b12cohort.validate(path))
    0
    """
    from .loading import load_cohort

    try:
        load_cohort(source, columns=columns, schema=schema, **read_options)
    except CohortValidationError as exc:
        return exc.failures
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c in ("row", "line") else "object") for c in FAILURE_COLUMNS}
    )
