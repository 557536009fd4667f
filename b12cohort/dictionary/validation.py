"""Validation rules: required values, unique codes and the rules across fields.

The cells are parsed beside this module, one module per kind of column
(:mod:`~b12cohort.dictionary.numbers`, :mod:`~b12cohort.dictionary.booleans`,
:mod:`~b12cohort.dictionary.texts`); each turns one raw column (as read by
:mod:`b12cohort.reading.sniff`) into its canonical dtype, vectorised, and reports
failures (row, column, value, rule, message) into a
:class:`~b12cohort.dictionary.failures.Failures` collector and changes into the
:class:`~b12cohort.dictionary.cleaning_log.CleaningLog`. The checks here run on the
parsed columns. Validation is lazy: every problem in the file is found in one pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b12cohort.dictionary.cells import fmt
from b12cohort.dictionary.failures import Failures
from b12cohort.dictionary.schema import Field

__all__ = ["check_required", "check_rules", "check_unique"]

_MAX_SHOWN_ROWS = 10  # rows listed in one duplicate-id message


def check_required(values, field: Field, *, column: str, failures: Failures) -> None:
    """Empty cells in a field whose values are required."""
    if not field.required:
        return
    isna = np.asarray(pd.isna(values), dtype=bool)
    if not isna.any():
        return
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


def check_unique(values, field: Field, *, column: str, failures: Failures) -> None:
    """Duplicate values in a unique field: each repeat names the id and its rows."""
    if not field.unique:
        return
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    present = values.notna().to_numpy()
    if present.all() and pd.Index(values.to_numpy(dtype=object)).is_unique:
        return  # the usual case, decided by one hash pass
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    repeated = np.flatnonzero(counts > 1)
    if not len(repeated):
        return
    rows = np.flatnonzero(np.isin(codes, repeated))
    rows = rows[np.argsort(codes[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(codes[rows])) + 1
    unit = f"cell {failures.cells[column]}" if column in failures.cells else "line "
    for group in np.split(rows, bounds):
        shown = group[:_MAX_SHOWN_ROWS]
        where = ", ".join(
            f"row {failures.labels[r]}"
            + (f" ({unit}{failures.lines[r]})" if failures.lines[r] >= 0 else "")
            for r in shown.tolist()
        )
        if len(group) > len(shown):
            where += f" and {len(group) - len(shown)} more"
        failures.add(
            group[1:],
            column,
            str(uniques[codes[group[0]]]),
            "unique",
            f"is used by {len(group)} rows: {where}; every infant needs a unique code.",
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
                [fmt(vals[r]) for r in rows],
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
                [fmt(vals[r]) for r in rows],
                "resolution_after_onset",
                [
                    f"is earlier than im_onset_day = {fmt(onset[r])}; it cannot precede the onset."
                    for r in rows
                ],
            )
    if followup is not None and resolution is not None:
        rows = np.flatnonzero(~np.isnan(followup) & ~np.isnan(resolution))
        failures.add(
            rows,
            columns["im_followup_day"],
            [fmt(followup[r]) for r in rows],
            "followup_only_if_unresolved",
            "is given although im_resolution_day is filled; follow-up (censoring) time is only for movements that had not resolved.",
        )
