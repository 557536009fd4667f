"""The provenance a loaded cohort carries: :class:`CohortMetadata`, in ``DataFrame.attrs``.

The loader (:mod:`b12cohort.reading`) creates it; every upper layer reads it through
:func:`load_metadata` without importing the loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from b12cohort.core.errors import ArgumentError
from b12cohort.dictionary.cleaning_log import CleaningLog

__all__ = ["METADATA_ATTR", "CohortMetadata", "cleaning_log", "load_metadata"]

METADATA_ATTR = "b12cohort"


@dataclass(frozen=True, eq=False)
class CohortMetadata:
    """Provenance of a loaded cohort (``b12cohort.load_metadata(cohort)``).

    Attributes
    ----------
    source : str
        Path of the input, or ``"<DataFrame>"``.
    sha256 : str or None
        SHA-256 of the input file's bytes.
    format, encoding, delimiter, decimal, sheet
        How the input was read.
    n_rows : int
        Data rows in the input that are records (blank records and totals rows, set
        aside and counted in ``warnings``, are not rows of the cohort).
    columns : dict
        Canonical field -> source column used.
    dropped_columns : pandas.DataFrame
        ``column`` (name only) and ``reason`` of every source column not used.
    scheme : str
        Anaemia grading scheme used for ``anemia_grade``.
    invalid : pandas.DataFrame
        Failures of rows set aside with ``invalid_rows="exclude"`` (empty otherwise).
    log : CleaningLog
        Every change made.
    notes : tuple of str
        What was detected and decided, in words.
    warnings : tuple of str
        Every cleaning rule applied that can change a conclusion ('-' read as no,
        censored laboratory values, blank or totals rows set aside, formulas read from
        their cached value, age derived from dates, pseudonymised codes), one plain
        sentence each with the number of affected cells and never a value from the
        data. The report shows them as "Data warnings".
    """

    source: str
    sha256: str | None
    format: str
    encoding: str | None
    delimiter: str | None
    decimal: str | None
    sheet: str | None
    n_rows: int
    columns: dict
    dropped_columns: pd.DataFrame
    scheme: str
    invalid: pd.DataFrame
    log: CleaningLog
    notes: tuple = field(default=())

    def __deepcopy__(self, memo):  # immutable: shared when pandas copies DataFrame.attrs
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """Provenance as a two-column table (item, value), for display and reports."""
        rows = [
            ("source", self.source),
            ("SHA-256 of the input", self.sha256 or ""),
            ("format", self.format),
            ("encoding", self.encoding or ""),
            (
                "delimiter",
                {",": "comma", ";": "semicolon", "\t": "tab"}.get(self.delimiter or "", ""),
            ),
            ("decimal mark", {".": "point", ",": "comma"}.get(self.decimal or "", "")),
            ("Excel sheet", self.sheet or ""),
            ("rows in the input", str(self.n_rows)),
            ("rows set aside as invalid", str(self.n_invalid_rows)),
            (
                "columns used",
                ", ".join(
                    f"{src} -> {dst}" if src != dst else dst for dst, src in self.columns.items()
                ),
            ),
            (
                "columns not used",
                "; ".join(f"{c} ({r})" for c, r in self.dropped_columns.itertuples(index=False))
                or "none",
            ),
            ("anaemia grading scheme", self.scheme),
            *(("note", n) for n in self.notes),
            *(("data warning", w) for w in self.warnings),
        ]
        return pd.DataFrame(rows, columns=["item", "value"])

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.log.warnings

    @property
    def n_invalid_rows(self) -> int:
        return int(self.invalid["row"].nunique()) if len(self.invalid) else 0


def load_metadata(cohort: pd.DataFrame) -> CohortMetadata:
    """The :class:`CohortMetadata` of a frame returned by :func:`load_cohort`."""
    meta = getattr(cohort, "attrs", {}).get(METADATA_ATTR)
    if meta is None:
        raise ArgumentError(
            "this DataFrame was not produced by b12cohort.load_cohort() (or lost its metadata); load it with load_cohort()."
        )
    return meta


def cleaning_log(cohort: pd.DataFrame) -> pd.DataFrame:
    """The cleaning log of a loaded cohort: one row per changed cell.

    Columns: ``row`` (1-based data row of the input; missing for changes to a whole
    column or the file), ``column`` (source column), ``original``, ``new``, ``rule`` and
    ``detail``.

    Examples
    --------
    >>> import b12cohort
    >>> log = b12cohort.cleaning_log(b12cohort.load_example())
    >>> list(log.columns)
    ['row', 'column', 'original', 'new', 'rule', 'detail']
    """
    return load_metadata(cohort).log.to_frame()
