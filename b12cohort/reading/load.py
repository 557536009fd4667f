"""load_cohort: from a hospital export to one validated, canonical cohort DataFrame.

The pipeline, each step in its own module:

1. :mod:`b12cohort.reading.sniff` detects the format, encoding, delimiter and decimal mark
   and reads the header (the input is opened read-only and never changed);
2. headers are mapped to schema fields here: the user's ``columns`` mapping first, then
   case- and spacing-insensitive matches to canonical or alternative-unit names.
   Identifier columns are dropped unparsed (warning names the column, never a value);
   other unknown columns are dropped and logged;
3. :mod:`b12cohort.dictionary.validation` parses each column into its canonical dtype and checks
   every rule, collecting *all* failures;
4. :mod:`b12cohort.dictionary.derived` adds ``anemia_grade``, ``neuro_score``,
   ``neuro_items_missing`` and ``b12_pmol_l``.

Every change is recorded in the :class:`~b12cohort.dictionary.cleaning_log.CleaningLog`, which travels
with the result (``b12cohort.cleaning_log(cohort)``).
"""

from __future__ import annotations

import gc
import json
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort.core.arguments import closest
from b12cohort.core.errors import (
    FAILURE_COLUMNS,
    ArgumentError,
    CohortValidationError,
    DataQualityWarning,
    IdentifierWarning,
    SchemeRangeWarning,
)
from b12cohort.dictionary.cleaning_log import CleaningLog
from b12cohort.dictionary.derived import grade_anemia, neuro_items_missing, neuro_score
from b12cohort.dictionary.metadata import METADATA_ATTR, CohortMetadata, cleaning_log, load_metadata
from b12cohort.dictionary.privacy import counts_of, id_looks_identifying, identifier_kind
from b12cohort.dictionary.schema import Schema, load_schema
from b12cohort.dictionary.validation import (
    Failures,
    check_required,
    check_rules,
    check_unique,
    parse_boolean,
    parse_number,
    parse_text,
)
from b12cohort.reading.sniff import Sniffed, sniff

__all__ = [
    "CohortMetadata",
    "cleaning_log",
    "load_cohort",
    "load_metadata",
    "read_table",
    "validate",
]

DERIVED_COLUMNS = ("b12_pmol_l", "anemia_grade", "neuro_score", "neuro_items_missing")


def _load_mapping(columns) -> dict[str, str]:
    if columns is None:
        return {}
    if isinstance(columns, str | Path):
        path = Path(columns)
        try:
            columns = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise ArgumentError(
                f"cannot read the column mapping {path}: {exc.strerror or exc}."
            ) from None
        except json.JSONDecodeError as exc:
            raise ArgumentError(
                f'the column mapping {path} is not valid JSON ({exc}); it must be an object like {{"Гемоглобин, г/л": "hb_g_l"}}.'
            ) from None
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise ArgumentError(
            '`columns` must map source column names to schema names, e.g. {"Гемоглобин, г/дл": "hb_g_dl"}.'
        )
    return {k.strip(): v.strip() for k, v in columns.items()}


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _map_headers(sn: Sniffed, schema: Schema, mapping: dict, log: CleaningLog):
    """Decide which source column feeds which field; structural failures are raised."""
    targets = set(schema.names) | set(schema.alternative_columns)
    bad_targets = sorted({v for v in mapping.values() if v not in targets})
    if bad_targets:
        hints = [
            f"{t!r}" + (f" (did you mean {closest(t, targets)!r}?)" if closest(t, targets) else "")
            for t in bad_targets
        ]
        raise ArgumentError(
            f"the column mapping names unknown schema column(s) {', '.join(hints)}; targets must be schema names such as hb_g_l or hb_g_dl."
        )
    norm_map = {_norm(k): v for k, v in mapping.items()}
    canonical = {_norm(t): t for t in targets}
    used: dict[str, int] = {}
    dropped = []
    failures = Failures.for_rows(0)
    seen_headers: dict[str, int] = {}
    for pos, header in enumerate(sn.headers):
        if header in seen_headers:
            failures.add_table(
                header,
                "unique-header",
                f"column {header!r} appears twice in the header (positions {seen_headers[header] + 1} and {pos + 1}); rename or delete one.",
                value=header,
            )
            continue
        seen_headers[header] = pos
        target = mapping.get(header) or norm_map.get(_norm(header)) or canonical.get(_norm(header))
        if target is None:
            if not header:
                dropped.append((f"(unnamed column {pos + 1})", "no header"))
                continue
            kind = identifier_kind(header)
            if kind:
                dropped.append((header, f"direct identifier ({kind}): dropped unread"))
                warnings.warn(
                    f"column {header!r} looks like a direct identifier ({kind}); it was dropped without reading its values.",
                    IdentifierWarning,
                    stacklevel=4,
                )
            else:
                dropped.append((header, "not in the schema: not used"))
            continue
        if target in used:
            failures.add_table(
                header,
                "unique-target",
                f"columns {sn.headers[used[target]]!r} and {header!r} both map to {target}; keep one of them (or fix the column mapping).",
                value=header,
            )
            continue
        used[target] = pos
        kind = identifier_kind(header) if header != target else None
        if kind:  # mapped on purpose, so it is read: but say what it looks like
            warnings.warn(
                f"column {header!r} is read as {target} but its name says it holds a direct "
                f"identifier ({kind}); {target} should hold pseudonymous codes (e.g. K01), "
                "never names, record numbers or dates of birth.",
                IdentifierWarning,
                stacklevel=4,
            )
        if header != target:
            log.add(
                header,
                "rename",
                original=header,
                new=target,
                detail="column renamed to its schema name",
            )
    for f in schema.fields:
        alts = [a.name for a in f.alternative_units if a.name in used]
        if f.name in used and alts:
            failures.add_table(
                f.name,
                "one-unit",
                f"both {f.name} and {alts[0]} are present; keep one column per measurement (b12cohort converts {alts[0]} to {f.name}).",
            )
        if f.column_required and f.name not in used and not alts:
            options = [f.name, *[a.name for a in f.alternative_units]]
            near = _closest_header(
                options, [h for h in sn.headers if h not in {sn.headers[p] for p in used.values()}]
            )
            failures.add_table(
                f.name,
                "required-column",
                f"required column {' or '.join(options)} is missing"
                + (
                    f"; closest column in the file: {near!r} (map it with columns={{{near!r}: {f.name!r}}} / --columns)"
                    if near
                    else ""
                )
                + f". Columns present: {', '.join(sn.headers)}.",
            )
    unused = sorted(
        k
        for k in mapping
        if k not in seen_headers and _norm(k) not in {_norm(h) for h in sn.headers}
    )
    if unused:
        warnings.warn(
            f"the column mapping mentions column(s) not in the file: {', '.join(map(repr, unused))}.",
            DataQualityWarning,
            stacklevel=4,
        )
    if failures:
        table = failures.frame()
        raise CohortValidationError(_summary(sn.source, table), table, source=sn.source)
    for name, reason in dropped:
        log.add(name, "drop-column", original=name, new=None, detail=reason)
    dropped_df = pd.DataFrame(dropped, columns=["column", "reason"])
    return used, dropped_df


def _closest_header(names: list[str], headers: list[str]) -> str | None:
    """The unused header most like one of ``names``, compared as words ("B12 (pg/mL)" ~ b12_pg_ml)."""
    words = {re.sub(r"[\W_]+", "_", h.lower()).strip("_"): h for h in headers}
    for name in names:
        near = closest(name, words)
        if near is not None:
            return words[near]
    return None


def _summary(source: str, failures: pd.DataFrame) -> str:
    n = len(failures)
    rows = failures["row"].dropna().nunique()
    counts = (
        failures.groupby(["column", "rule"], dropna=False, sort=True)
        .size()
        .sort_values(ascending=False, kind="stable")
    )
    parts = [f"{c} ({r}) x{k}" for (c, r), k in counts.head(6).items()]
    first = failures["message"].iloc[0]
    return (
        f"{source}: {n} problem(s)"
        + (f" in {rows} row(s)" if rows else "")
        + f": {', '.join(parts)}{', ...' if len(counts) > 6 else ''}. First: {first} "
        "Every failure is in the error's .failures table (or run `b12cohort validate FILE`)."
    )


def read_table(source, *, encoding=None, delimiter=None, decimal=None, sheet=None) -> pd.DataFrame:
    """Read a CSV/TSV/XLSX file as written (no validation), with b12cohort's detection.

    Useful to look at an export before mapping its columns. Identifier columns are *not*
    dropped here: do not publish the result.
    """
    sn = sniff(source, encoding=encoding, delimiter=delimiter, decimal=decimal, sheet=sheet)
    return sn.read(list(range(len(sn.headers))), text_positions=tuple(range(len(sn.headers))))


def load_cohort(
    source,
    *,
    columns=None,
    schema=None,
    scheme: str = "who-2011",
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    true_values=(),
    false_values=(),
    invalid_rows: str = "raise",
) -> pd.DataFrame:
    """Read a hospital export into one validated, canonical cohort DataFrame.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        CSV, TSV or XLSX file (format recognised from the content), or a DataFrame
        (never modified).
    columns : dict or path to a JSON file, optional
        Source column name -> schema name, e.g. ``{"Гемоглобин, г/дл": "hb_g_dl"}``.
        Targets may be canonical names or alternative-unit names (``hb_g_dl``,
        ``hb_mmol_l``, ``b12_pmol_l``, ``folate_nmol_l``), converted on load. Headers that
        already equal a schema name (ignoring case and spacing) need no mapping.
    schema : path, dict or Schema, optional
        A Table Schema; the bundled data dictionary by default.
    scheme : str
        Anaemia grading scheme for the derived ``anemia_grade``. The default
        ``"who-2011"`` is the internationally cited WHO 2011 grading; ``"ru-clinical"`` is
        the Russian paediatric grading the paper most likely used (see
        :func:`b12cohort.anemia_schemes`).
    sheet : str or int, optional
        Excel sheet; required when several sheets hold data.
    encoding, delimiter, decimal : str, optional
        Override the detection (see :func:`b12cohort.reading.sniff`).
    true_values, false_values : sequence of str
        Extra spellings for yes/no fields (e.g. ``false_values=["-"]`` when "-" means no).
    invalid_rows : {"raise", "exclude"}
        ``"raise"`` (default): any failure raises :class:`CohortValidationError` listing
        them all. ``"exclude"``: rows with failures are set aside (their failures in
        ``load_metadata(cohort).invalid``) and the valid rows are returned; column-level
        problems still raise.

    Returns
    -------
    pandas.DataFrame
        One row per infant, indexed by ``row`` (the 1-based data row of the input). Columns
        in schema order, only those present in the input: ``patient_id`` (string), ``sex``
        (categorical F/M), numbers as float64 in canonical units, counts of days and the
        year as nullable Int64, yes/no fields as nullable boolean; then the derived
        ``b12_pmol_l``, ``anemia_grade`` (ordered categorical none < mild < moderate <
        severe), ``neuro_score`` and ``neuro_items_missing``. Provenance and the cleaning
        log travel in ``attrs`` (read them with :func:`load_metadata` and
        :func:`cleaning_log`).

    Raises
    ------
    CohortValidationError
        The file is unreadable or the data break the schema; ``.failures`` lists every
        problem with row, line, column, value, rule and a message saying what to do.
    ArgumentError
        Wrong arguments (e.g. a mapping to an unknown column).

    Warns
    -----
    IdentifierWarning
        A direct-identifier column was dropped, or patient codes look like names/dates.
    DataQualityWarning
        Valid but doubtful data (ambiguous codes, rows excluded as invalid).
    SchemeRangeWarning
        Some infants are outside the age range of the grading scheme.

    Examples
    --------
    >>> import b12cohort
    >>> from b12cohort._bundled import bundled_file
    >>> path = bundled_file("example", "krasnoyarsk_2022_reconstructed.csv")
    >>> cohort = b12cohort.load_cohort(path)
    >>> len(cohort), int(cohort["hypotonia"].sum())
    (19, 19)
    """
    # Loading frees its temporaries by reference counting and makes no reference cycles;
    # the cyclic garbage collector would only walk the million-object arrays it builds
    # again and again (about 10% of the time at 10^6 rows). It is paused meanwhile.
    with _gc_paused():
        return _load_cohort(
            source,
            columns=columns,
            schema=schema,
            scheme=scheme,
            sheet=sheet,
            encoding=encoding,
            delimiter=delimiter,
            decimal=decimal,
            true_values=true_values,
            false_values=false_values,
            invalid_rows=invalid_rows,
        )


@contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_cohort(
    source,
    *,
    columns,
    schema,
    scheme,
    sheet,
    encoding,
    delimiter,
    decimal,
    true_values,
    false_values,
    invalid_rows,
) -> pd.DataFrame:
    from b12cohort.core.arguments import check_choice

    invalid_rows = check_choice(
        invalid_rows, ("raise", "exclude"), name="invalid_rows", function="load_cohort"
    )
    sch = load_schema(schema)
    mapping = _load_mapping(columns)
    sn = sniff(
        source,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        sheet=sheet,
        background=True,
    )
    log = CleaningLog()
    for note in sn.notes:
        log.add("(file)", "read", detail=note)
    try:
        used, dropped = _map_headers(sn, sch, mapping, log)
    except CohortValidationError:
        sn.check_rows()  # a ragged file is reported as such before its header is judged
        raise
    # which field each used column feeds, in schema order
    plan = []
    for f in sch.fields:
        if f.name in used:
            plan.append((f, f.name, None))
        else:
            for alt in f.alternative_units:
                if alt.name in used:
                    plan.append((f, alt.name, alt))
    positions = [used[target] for _, target, _ in plan]
    # free text as strings; yes/no and coded columns as categoricals (one Python string
    # per distinct spelling, not per cell); numbers parsed by pandas
    text_positions = tuple(used[t] for f, t, _ in plan if f.type == "string" and not f.enum)
    category_positions = tuple(
        used[t] for f, t, _ in plan if f.type == "boolean" or (f.type == "string" and f.enum)
    )
    boolean_positions = {used[t] for f, t, _ in plan if f.type == "boolean"}
    # "-" stays visible in yes/no columns so that "+"/"-" coding can be flagged
    na_values = {
        p: [m for m in sch.missing_values if m != "-"]
        if p in boolean_positions
        else list(sch.missing_values)
        for p in positions
    }
    raw = sn.read(
        positions,
        text_positions=text_positions,
        category_positions=category_positions,
        na_values=na_values,
    )
    lines = sn.lines()
    n = len(raw)
    failures = Failures.for_rows(n, lines=lines)
    values: dict[str, object] = {}
    originals: dict[str, np.ndarray] = {}
    screen: dict[str, np.ndarray] = {}  # rows whose patient_id may look identifying
    source_of: dict[str, str] = {}
    extra_true = tuple(str(v).strip().lower() for v in true_values)
    extra_false = tuple(str(v).strip().lower() for v in false_values)
    for (f, _target, alt), pos in zip(plan, positions, strict=True):
        header = sn.headers[pos]
        col = raw[header]
        source_of[f.name] = header
        if f.is_numeric:
            v = parse_number(
                col,
                f,
                column=header,
                alt=alt,
                missing_values=sch.missing_values,
                failures=failures,
                log=log,
                originals=originals,
                decimal=sn.decimal or ".",
                cell_texts=lambda rows, pos=pos: sn.cell_texts(rows, pos),
            )
        elif f.type == "boolean":
            missing = tuple(
                m
                for m in sch.missing_values
                if m.lower() not in extra_false and m.lower() not in extra_true
            )
            v = parse_boolean(
                col,
                f,
                column=header,
                missing_values=missing,
                true_values=f.true_values + extra_true,
                false_values=f.false_values + extra_false,
                failures=failures,
                log=log,
            )
        else:
            v = parse_text(
                col,
                f,
                column=header,
                missing_values=sch.missing_values,
                failures=failures,
                log=log,
                screen=screen if f.name == "patient_id" else None,
            )
        check_required(v, f, column=header, failures=failures)
        if f.unique:
            check_unique(v, f, column=header, failures=failures)
        values[f.name] = v
    check_rules(values, columns=source_of, failures=failures)
    table = failures.frame() if failures else None
    keep = np.ones(n, dtype=bool)
    invalid = pd.DataFrame(columns=["row", "line", "column", "value", "rule", "message"])
    if table is not None:
        if invalid_rows == "raise" or table["row"].isna().any():
            raise CohortValidationError(_summary(sn.source, table), table, source=sn.source)
        keep[failures.bad_rows] = False
        invalid = table
        warnings.warn(
            f"{sn.source}: {int((~keep).sum())} of {n} row(s) failed validation and were set aside "
            "(see load_metadata(cohort).invalid).",
            DataQualityWarning,
            stacklevel=3,
        )
    frame = _assemble(values, sch, keep, labels=np.arange(1, n + 1))
    if "patient_id" in frame.columns:
        ids = frame["patient_id"]
        if "patient_id" in screen:  # only the candidates found while stripping
            maybe = screen["patient_id"][keep] & ids.notna().to_numpy()
            looks = counts_of(ids.to_numpy(dtype=object)[maybe].tolist())
            looks = {k: v for k, v in looks.items() if v}
        else:
            looks = id_looks_identifying(ids)
        if looks:
            what = " and ".join(f"{k} ({v} code(s))" for k, v in looks.items())
            warnings.warn(
                f"patient_id values look like a {what}; use pseudonymous codes (e.g. K01) so that no identifier reaches an output.",
                IdentifierWarning,
                stacklevel=3,
            )
    pmol = originals.get("b12_pg_ml") if "b12_pmol_l" in used else None
    frame, derive_notes = _derive(
        frame, b12_pmol=None if pmol is None else pmol[keep], scheme=scheme
    )
    log._row_labels = np.arange(1, n + 1)
    frame.attrs[METADATA_ATTR] = CohortMetadata(
        source=sn.source,
        sha256=sn.sha256,
        format=sn.format,
        encoding=sn.encoding,
        delimiter=sn.delimiter,
        decimal=sn.decimal,
        sheet=sn.sheet,
        n_rows=n,
        columns=dict(source_of),
        dropped_columns=dropped,
        scheme=scheme,
        invalid=invalid,
        log=log,
        notes=tuple(sn.notes) + tuple(derive_notes),
    )
    return frame


def _assemble(values: dict, sch: Schema, keep: np.ndarray, *, labels: np.ndarray) -> pd.DataFrame:
    """The canonical frame from the parsed columns (rows where ``keep``), without copies
    when every row is kept."""
    every = bool(keep.all())
    cols = {}
    for f in sch.fields:
        if f.name not in values:
            continue
        v = values[f.name]
        if f.type == "number":
            arr = np.asarray(v, dtype="float64")
            cols[f.name] = arr if every else arr[keep]
        elif f.type == "integer":
            arr = np.asarray(v, dtype="float64")
            arr = arr if every else arr[keep]
            missing = np.isnan(arr)
            cols[f.name] = pd.arrays.IntegerArray(
                np.where(missing, 0, arr).astype(np.int64), missing
            )
        else:  # BooleanArray, Categorical (coded) or StringArray (free text)
            cols[f.name] = v if every else v[keep]
    index = pd.Index(labels if every else labels[keep], name="row")
    return pd.DataFrame(cols, index=index, copy=False)


def _derive(frame: pd.DataFrame, *, b12_pmol, scheme: str) -> tuple[pd.DataFrame, list[str]]:
    notes = []
    if "b12_pg_ml" in frame:
        if b12_pmol is not None:  # keep the laboratory's own pmol/L values, not a round trip
            frame["b12_pmol_l"] = b12_pmol
        else:
            pmol = load_schema().alternative_columns["b12_pmol_l"][1]  # the dictionary's factor
            frame["b12_pmol_l"] = pmol.from_canonical(frame["b12_pg_ml"])
    if "hb_g_l" in frame:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SchemeRangeWarning)
            grade = grade_anemia(frame["hb_g_l"], scheme=scheme, age_months=frame.get("age_months"))
        for w in caught:
            text = str(w.message).replace("grade_anemia()", "load_cohort(): anemia_grade")
            notes.append(text.replace("load_cohort(): ", ""))
            warnings.warn(text, w.category, stacklevel=4)
        frame["anemia_grade"] = grade
    frame["neuro_score"] = neuro_score(frame)
    frame["neuro_items_missing"] = neuro_items_missing(frame)
    return frame, notes


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
    >>> from b12cohort._bundled import bundled_file
    >>> path = bundled_file("example", "krasnoyarsk_2022_reconstructed.csv")
    >>> len(b12cohort.validate(path))
    0
    """
    try:
        load_cohort(source, columns=columns, schema=schema, **read_options)
    except CohortValidationError as exc:
        return exc.failures
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c in ("row", "line") else "object") for c in FAILURE_COLUMNS}
    )
