"""Headers to schema fields: the user's column mapping, then names the schema knows.

:func:`map_headers` decides which source column feeds which field: the user's ``columns``
mapping first, then case- and spacing-insensitive matches to canonical or
alternative-unit names. Identifier columns are dropped unparsed (the warning names the
column, never a value); other unknown columns are dropped and logged. Structural
problems (duplicate headers, two columns for one field, a missing required column) are
raised together.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd

from b12cohort.core.arguments import closest
from b12cohort.core.errors import (
    ArgumentError,
    CohortValidationError,
    DataQualityWarning,
    IdentifierWarning,
)
from b12cohort.dictionary.cleaning_log import CleaningLog
from b12cohort.dictionary.failures import Failures, summary_message
from b12cohort.dictionary.privacy import identifier_kind
from b12cohort.dictionary.schema import Schema
from b12cohort.reading.age import find_age_dates
from b12cohort.reading.synonyms import guess_target

__all__ = ["load_mapping", "map_headers"]


_EXAMPLE = (
    '{"Гемоглобин, г/дл": "hb_g_dl", "Cinsiyet": {"column": "sex", "values": {"E": "M", "K": "F"}}}'
)


def _read_json(path: Path):
    """A mapping file as saved by people: UTF-8, UTF-8 with BOM, or Windows-1251."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArgumentError(
            f"cannot read the column mapping {path}: {exc.strerror or exc}."
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", "replace")  # Notepad's "ANSI" on a Russian Windows
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        shown = lines[exc.lineno - 1].strip() if 0 < exc.lineno <= len(lines) else ""
        hint = (
            "remove the comma before the closing brace"
            if exc.msg.startswith("Expecting property name") or "trailing" in exc.msg
            else 'names and values need double quotes ("..."), pairs are separated by commas'
        )
        raise ArgumentError(
            f"the column mapping {path} is not valid JSON: line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg} (the line reads: {shown[:80]!r}). Fix: {hint}. A mapping "
            f"is one object, e.g. {_EXAMPLE}."
        ) from None


def load_mapping(columns) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The user's column mapping: (header -> schema name, header -> {code: value}).

    An entry is ``"header": "target"`` or ``"header": {"column": "target", "values":
    {"E": "M", "K": "F"}}`` (codes of the export -> spellings the schema accepts);
    ``"guess"`` and ``"note"`` keys (written by ``b12cohort map``) are ignored. A file
    is read as UTF-8 (with or without BOM) or Windows-1251.
    """
    if columns is None:
        return {}, {}
    where = "`columns`"
    if isinstance(columns, str | Path):
        where = f"the column mapping {columns}"
        columns = _read_json(Path(columns))
    if not isinstance(columns, dict):
        raise ArgumentError(
            f"{where} must be a JSON object mapping source column names to schema names, e.g. {_EXAMPLE}."
        )
    mapping, values = {}, {}
    for key, entry in columns.items():
        if isinstance(entry, dict):
            extra = set(entry) - {"column", "values", "guess", "note"}
            target = entry.get("column")
            codes = entry.get("values", {})
            if (
                extra
                or not isinstance(target, str)
                or not isinstance(codes, dict)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in codes.items())
            ):
                raise ArgumentError(
                    f'{where}: the entry for {key!r} must look like {{"column": "sex", "values": '
                    f'{{"E": "M", "K": "F"}}}}'
                    + (f"; unknown key(s) {sorted(extra)}" if extra else "")
                    + "."
                )
            mapping[key.strip()] = target.strip()
            if codes:
                values[key.strip()] = {k.strip(): v.strip() for k, v in codes.items()}
        elif isinstance(entry, str):
            mapping[key.strip()] = entry.strip()
        else:
            raise ArgumentError(
                f"{where}: the entry for {key!r} must be a schema name or an object with "
                f'"column" and "values"; got {entry!r}. Example: {_EXAMPLE}.'
            )
    return mapping, values


def header_score(schema: Schema, mapping: dict):
    """A function counting the cells of a row that name schema columns (to find the header)."""
    targets = set(schema.names) | set(schema.alternative_columns)
    known = {_norm(k) for k in mapping} | {_norm(t) for t in targets}

    def score(cells) -> int:
        n = 0
        for c in cells:
            if c is None or not str(c).strip():
                continue
            text = str(c).strip()
            if _norm(text) in known or guess_target(text, schema) is not None:
                n += 1
        return n

    return score


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def map_headers(sn, schema: Schema, mapping: dict, log: CleaningLog):
    """Decide which source column feeds which field; structural failures are raised."""
    targets = set(schema.names) | set(schema.alternative_columns)
    targets |= {"birth_date", "admission_date"}  # read only to derive age_months
    bad_targets = sorted({v for v in mapping.values() if v not in targets})
    if bad_targets:
        hints = [
            f"{t!r} (did you mean {_nearest(t, targets)[0]!r}? closest valid targets: "
            f"{', '.join(_nearest(t, targets))})"
            for t in bad_targets
        ]
        raise ArgumentError(
            f"the column mapping names unknown schema column(s) {', '.join(hints)}; a target "
            "must be a schema name (`b12cohort schema` lists them) or an other-unit name such "
            "as hb_g_dl or age_weeks."
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
        if target in {"birth_date", "admission_date"}:
            continue  # read only to derive age_months (see reading.age)
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
    missing_required = 0
    age_dates = None
    for f in schema.fields:
        alts = [a.name for a in f.alternative_units if a.name in used]
        if f.name in used and alts:
            failures.add_table(
                f.name,
                "one-unit",
                f"both {f.name} and {alts[0]} are present; keep one column per measurement (b12cohort converts {alts[0]} to {f.name}).",
            )
        if f.name == "age_months" and f.name not in used and not alts:
            taken = set(used.values())
            age_dates = find_age_dates(sn.headers, mapping, taken)
            if age_dates is not None:
                continue
        if f.column_required and f.name not in used and not alts:
            options = [f.name, *[a.name for a in f.alternative_units]]
            free = [h for h in sn.headers if h not in {sn.headers[p] for p in used.values()}]
            guessed = [(h, guess_target(h, schema)) for h in free]
            guessed = [(h, t) for h, t in guessed if t in options]
            near, target = guessed[0] if guessed else (_closest_header(options, free), f.name)
            failures.add_table(
                f.name,
                "required-column",
                f"required column {' or '.join(options)} is missing"
                + (
                    f"; closest column in the file: {near!r} (map it in the --columns file as "
                    f'{{"{near}": "{target}"}})'
                    if near
                    else ""
                )
                + f". Columns present: {', '.join(sn.headers)}.",
            )
            missing_required += 1
    if missing_required and not used:  # nothing maps: the file needs a mapping
        failures.add_table(
            None,
            "column-mapping",
            f"{missing_required} required column(s) are not mapped. To write a mapping of every "
            f"column for you to check: b12cohort map {sn.source} --out mapping.json, then pass "
            "--columns mapping.json.",
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
        raise CohortValidationError(summary_message(sn.source, table), table, source=sn.source)
    for name, reason in dropped:
        log.add(name, "drop-column", original=name, new=None, detail=reason)
    dropped_df = pd.DataFrame(dropped, columns=["column", "reason"])
    if age_dates is not None:
        log.add(
            sn.headers[age_dates[0]],
            "drop-column",
            detail="date of birth: read only to derive age_months, then dropped",
        )
    return used, dropped_df, age_dates


def _nearest(name: str, targets) -> list[str]:
    """The three valid targets most like ``name``."""
    import difflib

    near = difflib.get_close_matches(name, sorted(targets), n=3, cutoff=0.0)
    return near or sorted(targets)[:3]


def _closest_header(names: list[str], headers: list[str]) -> str | None:
    """The unused header most like one of ``names``, compared as words ("B12 (pg/mL)" ~ b12_pg_ml)."""
    words = {re.sub(r"[\W_]+", "_", h.lower()).strip("_"): h for h in headers}
    for name in names:
        near = closest(name, words)
        if near is not None:
            return words[near]
    return None
