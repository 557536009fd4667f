"""Free-text and coded columns: stripped strings, recoded spellings, identifier screening.

:func:`parse_text` returns a pandas ``string`` array for free text (patient codes) and a
Categorical for a coded field (``sex``), logging every stripped or recoded cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b12cohort.dictionary.cells import cell_text, codes_of
from b12cohort.dictionary.cleaning_log import CleaningLog, CodeRows
from b12cohort.dictionary.failures import Failures
from b12cohort.dictionary.schema import Field

__all__ = ["parse_text"]


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
        cells = cells.map(cell_text)  # Excel or DataFrame cells: numbers, dates, bools
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
    codes, uniques = codes_of(raw)
    target = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot: code -1 (NA)
    for k, u in enumerate(uniques):
        original = cell_text(u)
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
