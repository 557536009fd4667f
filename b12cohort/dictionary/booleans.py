"""Yes/no columns: the spellings of clinical records to pandas' nullable boolean.

Each distinct spelling is classified once (yes, no, missing or unknown) and the verdict
is spread to its rows by integer codes; every spelling that is not Table Schema's own is
logged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b12cohort.dictionary.cells import cell_text, codes_of, fmt, rows_of
from b12cohort.dictionary.cleaning_log import CleaningLog, CodeRows
from b12cohort.dictionary.failures import Failures
from b12cohort.dictionary.schema import Field

__all__ = ["parse_boolean"]

# -- booleans ------------------------------------------------------------------------------
_YES, _NO, _MISSING = 1, 0, 2
_DASHES = {"-", "\u2212", "\u2013"}  # hyphen, minus sign, en dash: a sign written as absent


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
            [fmt(x) for x in v[bad]],
            "boolean",
            "is not a yes/no value; use 1/0, yes/no or да/нет.",
        )
        return pd.arrays.BooleanArray(v == 1.0, ~ok)
    codes, uniques = codes_of(raw)
    truthy, falsy = set(true_values), set(false_values)
    missing = {m.lower() for m in missing_values} - truthy - falsy
    canonical = {"true", "false", "1", "0"}  # Table Schema's own spellings: not a change
    state = np.full(len(uniques) + 1, _MISSING, dtype=np.int8)  # the last slot: code -1 (NA)
    unknown: list[tuple[int, str]] = []
    dashes = 0
    for k, u in enumerate(uniques):
        is_bool = isinstance(u, bool | np.bool_)
        text = ("true" if u else "false") if is_bool else cell_text(u)
        key = text.strip().lower()
        if key in truthy or key in falsy:
            yes = key in truthy
            state[k] = _YES if yes else _NO
            if key in _DASHES and not yes:
                dashes += len(CodeRows(codes, k))
            if key not in canonical and not is_bool:
                log.add(
                    column,
                    "boolean-code",
                    rows=CodeRows(codes, k),
                    original=text,
                    new=yes,
                    detail=f"'{text.strip()}' read as {'yes' if yes else 'no'}"
                    + (" (a sign written '-' is absent)" if key in _DASHES else ""),
                )
        elif key not in missing:
            unknown.append((k, text))
    if unknown:
        from b12cohort.dictionary.privacy import kind_of

        shown = [(k, t) for k, t in unknown if not kind_of(t.strip())]
        unknown_shown = shown or [(-1, "(withheld)")]
        found = ", ".join(repr(t) for _, t in unknown_shown[:8]) + (
            " ..." if len(unknown_shown) > 8 else ""
        )
        first = unknown_shown[0][1].strip() if shown else "CODE"
        fix = (
            f"if {first!r} means yes, pass --true-values {first} (Python: true_values=[{first!r}]), "
            f"if it means no --false-values {first}; or add to the column mapping "
            f'{{"{column}": {{"column": "{field.name}", "values": {{"{first}": "yes"}}}}}}'
        )
        for k, text in unknown:
            failures.add(
                rows_of(codes, k),
                column,
                text,
                "boolean",
                f"is not a recognised yes/no code (codes found in this column that are not "
                f"yes/no: {found}); {fix}.",
            )
    st = state[codes]  # code -1 picks the last slot: missing
    if dashes:
        present = st != _MISSING
        if not (present & (st == _YES)).any():
            sentence = (
                f"column {column!r} holds only '-' and empty cells: {dashes} '-' cell(s) read as "
                f"no and {int((~present).sum())} empty cell(s) as not recorded; check that '-' "
                "means absent in this export."
            )
            log.add(column, "only-dashes", detail=sentence)
            log.warn(column, sentence, n_cells=dashes)
        else:
            log.warn(
                column,
                f"column {column!r}: {dashes} cell(s) written '-' were read as no (absent).",
                n_cells=dashes,
            )
    return pd.arrays.BooleanArray(st == _YES, st == _MISSING)
