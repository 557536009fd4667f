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

__all__ = ["load_mapping", "map_headers"]


def load_mapping(columns) -> dict[str, str]:
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


def map_headers(sn, schema: Schema, mapping: dict, log: CleaningLog):
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
        raise CohortValidationError(summary_message(sn.source, table), table, source=sn.source)
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
