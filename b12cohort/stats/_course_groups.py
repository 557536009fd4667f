"""Kaplan-Meier curves by group for :func:`b12cohort.stats.survival.treatment_course`.

With ``by=`` (a dose group, the anaemia grade...), the infants that entered the overall
Kaplan-Meier estimate are split by their group: one curve per group (the table of R
``summary(survfit(Surv(time, status) ~ group), censored = TRUE)`` by stratum), each
group's median with its Brookmeyer-Crowley interval (R ``print(survfit)``), and the
log-rank test of one common curve (:func:`b12cohort.stats.survival_compare.survival_compare`,
= R ``survival::survdiff``). Pinned to R in ``tests/reference/course_groups.R``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError
from b12cohort.stats._kaplan_meier import KM_COLUMNS, first_below_half, km_table
from b12cohort.stats.survival_compare import SurvivalComparison, survival_compare

__all__ = ["GROUP_COLUMNS", "course_by_group"]

#: Columns of ``TreatmentCourse.groups``.
GROUP_COLUMNS = (
    "group", "n_km", "events", "n_censored", "median", "median_ci_low", "median_ci_high", "note",
)  # fmt: skip


def _levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.dtype.categories)
    if pd.api.types.is_bool_dtype(values.dtype):
        return [False, True]
    return sorted(values.dropna().unique().tolist())


def course_by_group(
    groups: pd.Series,
    time: np.ndarray,
    event: np.ndarray,
    in_km: np.ndarray,
    *,
    by: str,
    ci_method: str,
    confidence: float,
) -> tuple[pd.DataFrame, pd.DataFrame, SurvivalComparison | None, str]:
    """``(km_by_group, groups, log_rank, note)`` for the infants with movements.

    ``groups``, ``time``, ``event``, ``in_km`` are aligned, one entry per infant with
    movements (``time`` NaN where the infant is not in the estimate).
    """
    values = groups.reset_index(drop=True)
    levels = _levels(values)
    known = values.notna().to_numpy()
    use = in_km & known
    tables, rows = [], []
    for level in levels:
        member = use & (values == level).fillna(False).to_numpy(dtype=bool)
        t, e = time[member], event[member].astype(bool)
        row = {"group": level, "n_km": int(member.sum()), "events": int(e.sum()),
               "n_censored": int((~e).sum()), "median": math.nan, "median_ci_low": math.nan,
               "median_ci_high": math.nan, "note": ""}  # fmt: skip
        if member.any():
            km = km_table(t, e, ci_method=ci_method, confidence=confidence)
            times = km["time"].to_numpy()
            row["median"] = first_below_half(times, km["survival"].to_numpy())
            row["median_ci_low"] = first_below_half(times, km["ci_low"].to_numpy())
            row["median_ci_high"] = first_below_half(times, km["ci_high"].to_numpy())
            tables.append(km.assign(group=level))
        else:
            row["note"] = "no infant of this group in the Kaplan-Meier estimate"
        rows.append(row)
    km_by_group = (
        pd.concat(tables, ignore_index=True)[["group", *KM_COLUMNS]]
        if tables
        else pd.DataFrame(columns=["group", *KM_COLUMNS])
    )
    notes = []
    missing = int((in_km & ~known).sum())
    if missing:
        notes.append(f"{missing} infant(s) in the estimate have no '{by}' and are in no group.")
    log_rank = None
    frame = pd.DataFrame({"time_to_resolution": time[use], "resolved": event[use].astype(bool),
                          by: pd.Categorical(values[use], categories=levels)})  # fmt: skip
    try:
        log_rank = survival_compare(frame, time="time_to_resolution", event="resolved", by=by)
    except ArgumentError as err:
        notes.append(f"Log-rank test not run: {err}")
    return km_by_group, pd.DataFrame(rows, columns=list(GROUP_COLUMNS)), log_rank, " ".join(notes)
