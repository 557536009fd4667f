"""load_cohort: from a hospital export to one validated, canonical cohort DataFrame.

The pipeline, each step in its own module:

1. :mod:`b12cohort.reading.sniff` detects the format, encoding, delimiter and decimal mark
   and reads the header (the input is opened read-only and never changed);
2. :mod:`b12cohort.reading.headers` maps the headers to schema fields (the user's
   ``columns`` mapping first, then names the schema knows); identifier columns are
   dropped unparsed, other unknown columns are dropped and logged;
3. the parsers of :mod:`b12cohort.dictionary` (numbers, booleans, texts) turn each column
   into its canonical dtype and :mod:`b12cohort.dictionary.validation` checks every rule,
   collecting *all* failures;
4. :mod:`b12cohort.dictionary.derived` adds ``anemia_grade``, ``neuro_score``,
   ``neuro_items_missing`` and ``b12_pmol_l``.

Every change is recorded in the :class:`~b12cohort.dictionary.cleaning_log.CleaningLog`, which travels
with the result (``b12cohort.cleaning_log(cohort)``).
"""

from __future__ import annotations

import gc
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from b12cohort.core.errors import (
    FAILURE_COLUMNS,
    CohortValidationError,
    DataQualityWarning,
    SchemeRangeWarning,
)
from b12cohort.dictionary.booleans import parse_boolean
from b12cohort.dictionary.cleaning_log import CleaningLog
from b12cohort.dictionary.derived import grade_anemia, neuro_items_missing, neuro_score
from b12cohort.dictionary.failures import Failures, summary_message
from b12cohort.dictionary.metadata import METADATA_ATTR, CohortMetadata, cleaning_log, load_metadata
from b12cohort.dictionary.numbers import parse_number
from b12cohort.dictionary.pseudonyms import pseudonymise_codes, screen_identifiers
from b12cohort.dictionary.schema import Schema, load_schema
from b12cohort.dictionary.texts import parse_text
from b12cohort.dictionary.validation import check_required, check_rules, check_unique
from b12cohort.reading.age import DERIVED_AGE, derive_age
from b12cohort.reading.headers import header_score, load_mapping, map_headers
from b12cohort.reading.rows import apply_value_maps, set_aside
from b12cohort.reading.sniff import sniff

__all__ = [
    "CohortMetadata",
    "cleaning_log",
    "load_cohort",
    "load_metadata",
    "read_table",
    "validate",
]

DERIVED_COLUMNS = ("b12_pmol_l", "anemia_grade", "neuro_score", "neuro_items_missing")


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
    pseudonymise=None,
    header_row: int | None = None,
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
        Extra spellings for yes/no fields (e.g. ``true_values=["есть"]``); "-" already means no.
    invalid_rows : {"raise", "exclude"}
        ``"raise"`` (default): any failure raises :class:`CohortValidationError` listing
        them all. ``"exclude"``: rows with failures are set aside (their failures in
        ``load_metadata(cohort).invalid``) and the valid rows are returned; column-level
        problems still raise.
    pseudonymise : path, optional
        Replace every patient code by a stable pseudonym (``P001``, ``P002``, ... in order
        of first appearance) and write the key (``code,pseudonym``) only to this file.
        Without it, a kept text column whose cells look like names, dates, e-mail
        addresses or phone/document numbers is refused (the error names the column and
        the number of cells, never a value).
    header_row : int, optional
        1-based line (CSV) or sheet row (XLSX) of the header. By default the header is
        the first row whose cells name schema columns (title and note rows above it are
        skipped and logged).

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
        A direct-identifier column was dropped (patient codes that look like names,
        dates or phone numbers are refused instead, see ``pseudonymise``).
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
            pseudonymise=pseudonymise,
            header_row=header_row,
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
    pseudonymise,
    header_row,
) -> pd.DataFrame:
    from b12cohort.core.arguments import check_choice

    invalid_rows = check_choice(
        invalid_rows, ("raise", "exclude"), name="invalid_rows", function="load_cohort"
    )
    sch = load_schema(schema)
    mapping, value_maps = load_mapping(columns)
    sn = sniff(
        source,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        sheet=sheet,
        background=True,
        header_match=header_score(sch, mapping),
        header_row=header_row,
    )
    log = CleaningLog()
    for note in sn.notes:
        log.add("(file)", "read", detail=note)
    try:
        used, dropped, age_dates = map_headers(sn, sch, mapping, log)
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
    if age_dates is not None:
        positions += list(age_dates)
        text_positions += tuple(age_dates)
    raw = sn.read(
        positions,
        text_positions=text_positions,
        category_positions=category_positions,
        na_values=na_values,
    )
    raw, lines, labels = set_aside(sn, raw, log)
    if age_dates is not None:
        dob, admission = (sn.headers[p] for p in age_dates)
        raw[DERIVED_AGE] = derive_age(raw, dob, admission, log)
        age_field = next(f for f in sch.fields if f.name == "age_months")
        before = sum(sch.names.index(f.name) < sch.names.index("age_months") for f, _, _ in plan)
        plan.insert(before, (age_field, DERIVED_AGE, None))
    apply_value_maps(raw, value_maps, log)
    n = len(raw)
    failures = Failures.for_rows(n, lines=lines, labels=labels)
    if sn.format == "xlsx":  # a spreadsheet cell is shown as people find it: E4
        from openpyxl.utils import get_column_letter

        failures.cells = {h: get_column_letter(i + 1) for i, h in enumerate(sn.headers)}
    values: dict[str, object] = {}
    originals: dict[str, np.ndarray] = {}
    censored: dict[str, np.ndarray] = {}  # field -> "left"/"right"/None per row
    screen: dict[str, np.ndarray] = {}  # cells of free-text columns that may look identifying
    source_of: dict[str, str] = {}
    extra_true = tuple(str(v).strip().lower() for v in true_values)
    extra_false = tuple(str(v).strip().lower() for v in false_values)
    for f, target, alt in plan:
        pos = used.get(target)
        header = sn.headers[pos] if pos is not None else target
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
                cell_texts=None
                if pos is None
                else (lambda rows, pos=pos: sn.cell_texts(rows, pos)),
                censored=censored,
                copy=sn.format == "dataframe",  # the caller's frame: never share its arrays
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
                screen=screen,
            )
            if not f.enum:  # free text the analysis keeps: never an identifier
                screen_identifiers(
                    v,
                    column=header,
                    field=f.name,
                    candidates=screen.get(f.name),
                    source=sn.source,
                    pseudonymise=pseudonymise,
                )
                if pseudonymise is not None:
                    v = pseudonymise_codes(v, column=header, path=pseudonymise, log=log)
        check_required(v, f, column=header, failures=failures)
        if f.unique:
            check_unique(v, f, column=header, failures=failures)
        values[f.name] = v
    check_rules(values, columns=source_of, failures=failures)
    table = failures.frame() if failures else None
    # the file's bytes and the raw columns are not needed past this point: freeing them
    # here keeps them out of the peak while the frame is assembled and derived
    raw = col = None
    sn.release()
    keep = np.ones(n, dtype=bool)
    invalid = pd.DataFrame(columns=["row", "line", "column", "value", "rule", "message"])
    if table is not None:
        if invalid_rows == "raise" or table["row"].isna().any():
            raise CohortValidationError(summary_message(sn.source, table), table, source=sn.source)
        keep[failures.bad_rows] = False
        invalid = table
        warnings.warn(
            f"{sn.source}: {int((~keep).sum())} of {n} row(s) failed validation and were set aside "
            "(the report lists them in invalid_rows.csv) (Python: load_metadata(cohort).invalid).",
            DataQualityWarning,
            stacklevel=3,
        )
    frame = _assemble(values, sch, keep, labels=labels)
    for name, side in censored.items():
        frame[f"{name}_censored"] = pd.Categorical(side[keep], categories=["left", "right"])
    pmol = originals.get("b12_pg_ml") if "b12_pmol_l" in used else None
    frame, derive_notes = _derive(
        frame, b12_pmol=None if pmol is None else pmol[keep], scheme=scheme
    )
    log._row_labels = labels
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
    return _frame_of_columns(cols, index)


def _frame_of_columns(cols: dict, index: pd.Index) -> pd.DataFrame:
    """A DataFrame holding each array of ``cols`` as it is (one block per column).

    ``pd.DataFrame(cols)`` consolidates the float64 columns into one 2-D block, a copy of
    every number column while the parsed arrays are still alive (the peak of the load at
    10^7 rows). pandas >= 3 builds a frame from given blocks without it; older pandas
    takes the consolidating path.
    """
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pandas < 3
        return pd.DataFrame(cols, index=index, copy=False)
    blocks = [
        (arr.reshape(1, -1) if isinstance(arr, np.ndarray) else arr, np.array([k]))
        for k, arr in enumerate(cols.values())
    ]
    return create_dataframe_from_blocks(blocks, index=index, columns=pd.Index(list(cols)))


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
