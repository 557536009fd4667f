"""Identifiers in kept text columns: refused, or replaced by stable pseudonyms.

A free-text column the analysis keeps (``patient_id``) must hold study codes. When some
of its cells look like a name, a date, an e-mail address or a phone or document number
(:func:`b12cohort.dictionary.privacy.counts_of`), :func:`screen_identifiers` refuses the
column, naming it and the number of cells but never a value, unless the user asked for
pseudonyms: then every code is replaced by ``P001``, ``P002``, ... in order of first
appearance (the same file gives the same pseudonyms) and the key is written only to the
file the user named.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError, CohortValidationError
from b12cohort.dictionary.cleaning_log import CleaningLog
from b12cohort.dictionary.failures import failure_frame
from b12cohort.dictionary.privacy import counts_of

__all__ = ["pseudonymise_codes", "screen_identifiers"]


def screen_identifiers(
    values, *, column: str, field: str, candidates: np.ndarray | None, source: str, pseudonymise
) -> dict[str, int]:
    """What the cells of a kept text column look like; refuse identifiers unless pseudonymised.

    Parameters
    ----------
    values : pandas string array
        The parsed column.
    candidates : numpy.ndarray of bool, optional
        Cells that may look identifying (from the whitespace pass); all cells when None.
    pseudonymise : path or None
        Where the user wants the key of the pseudonyms written.

    Returns
    -------
    dict
        Kind of identifier -> number of cells (empty when none look identifying).

    Raises
    ------
    CohortValidationError
        Some cells look identifying and ``pseudonymise`` is None. The failure names the
        column and the counts, never a value (``value`` is empty).
    """
    arr = pd.array(values, dtype="string")
    present = ~np.asarray(arr.isna(), dtype=bool)
    maybe = present if candidates is None else present & candidates
    looks = {k: v for k, v in counts_of(np.asarray(arr, dtype=object)[maybe].tolist()).items() if v}
    if not looks or pseudonymise is not None:
        return looks
    what = ", ".join(f"{v} cell(s) that look like a {k}" for k, v in looks.items())
    message = (
        f"column {column!r} (read as {field}) holds {what}; b12cohort never reads "
        "identifiers into an analysis, and does not show them. Replace them by study codes "
        "(e.g. K01) in the export, or pass --pseudonymise MAPFILE (Python: "
        "pseudonymise='MAPFILE') to replace every code by P001, P002, ... and write the key "
        "only to MAPFILE (keep it outside the report folder)."
    )
    failures = failure_frame(
        [
            {
                "row": None,
                "line": None,
                "column": column,
                "value": None,
                "rule": "no-identifiers",
                "message": message,
            }
        ]
    )
    raise CohortValidationError(f"{source}: {message}", failures, source=source)


def pseudonymise_codes(values, *, column: str, path, log: CleaningLog):
    """Replace every code by ``P001``, ``P002``, ... (order of first appearance).

    The key (``code,pseudonym``, UTF-8 CSV) is written to ``path`` and nowhere else; the
    cleaning log records how many codes were replaced, never a code. Entries of the log
    that quote the column's cells (stripped whitespace) are removed.
    """
    path = Path(path)
    arr = pd.array(values, dtype="string")
    codes, uniques = pd.factorize(np.asarray(arr, dtype=object), use_na_sentinel=True)
    width = max(3, len(str(len(uniques))))
    names = np.array([f"P{i + 1:0{width}d}" for i in range(len(uniques))], dtype=object)
    out = np.full(len(arr), None, dtype=object)
    out[codes >= 0] = names[codes[codes >= 0]]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["code", "pseudonym"])
            writer.writerows(zip(uniques.tolist(), names.tolist(), strict=True))
    except OSError as exc:
        raise ArgumentError(
            f"cannot write the pseudonym key {path}: {exc.strerror or exc}; pass "
            "--pseudonymise with a file in a folder you can write to."
        ) from None
    log.forget(column)
    log.add(
        column,
        "pseudonymise",
        rows=np.flatnonzero(codes >= 0),
        original="(withheld)",
        new="(pseudonym)",
        detail="code replaced by a pseudonym; the key is only in the file named by --pseudonymise",
    )
    log.warn(
        column,
        f"column {column!r}: {len(uniques)} code(s) were replaced by pseudonyms "
        f"(P{1:0{width}d}...); the key was written only to the file named by --pseudonymise.",
        n_cells=int((codes >= 0).sum()),
    )
    return pd.array(out, dtype="string")
