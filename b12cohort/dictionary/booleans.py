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
    missing = {m.lower() for m in missing_values}
    if "-" not in truthy | falsy:
        missing.add("-")
    accepted = "yes/no, 1/0, да/нет or +/\u2212"
    saw_plus = saw_hyphen = False
    canonical = {"true", "false", "1", "0"}  # Table Schema's own spellings: not a change
    state = np.full(len(uniques) + 1, _MISSING, dtype=np.int8)  # the last slot: code -1 (NA)
    for k, u in enumerate(uniques):
        is_bool = isinstance(u, bool | np.bool_)
        text = ("true" if u else "false") if is_bool else cell_text(u)
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
                rows_of(codes, k),
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
