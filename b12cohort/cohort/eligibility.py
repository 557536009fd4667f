"""Eligibility: the paper's inclusion criteria, and the participant flow (STROBE item 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b12cohort.core.arguments import require_columns
from b12cohort.core.constants import ELIGIBLE_AGE_MONTHS, ELIGIBLE_B12_BELOW_PG_ML
from b12cohort.core.errors import ArgumentError, B12CohortError

__all__ = ["apply_eligibility", "participant_flow"]


def apply_eligibility(
    data: pd.DataFrame,
    *,
    age_months=ELIGIBLE_AGE_MONTHS,
    b12_below: float | None = ELIGIBLE_B12_BELOW_PG_ML,
):
    """Split a cohort into included and excluded infants.

    The defaults are the inclusion criteria of Taranushenko et al. (2022): age 3 to 24
    months (both inclusive) and serum B12 below 83 pg/mL. A B12 value censored at the
    assay's limit (``b12_pg_ml_censored``: ``"left"`` for ``<50``, ``"right"`` for
    ``>2000``) is below the cut when its limit says so (``<50`` is below 83), and is
    excluded as undecidable when it does not (``<100`` against 83).

    Parameters
    ----------
    data : pandas.DataFrame
        A cohort with ``age_months`` and ``b12_pg_ml`` (as from :func:`b12cohort.load_cohort`).
    age_months : (float, float) or None
        Inclusive age window in months; None disables the criterion.
    b12_below : float or None
        Strict upper limit for serum B12 in pg/mL; None disables the criterion.

    Returns
    -------
    included : pandas.DataFrame
        The rows meeting every criterion (same columns and index as ``data``).
    excluded : pandas.DataFrame
        The other rows, with two added columns: ``reason`` lists every criterion the row
        fails with its value ("; "-separated, in the order age, B12), and ``criterion``
        the same without values (e.g. "age above 24 months"), for counting in a
        participant flow. A missing age or B12 excludes the row ("age not recorded").

    Notes
    -----
    Every input row lands in exactly one of the two frames, so
    ``len(included) + len(excluded) == len(data)``. ``data`` is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age_months": [2.0, 8.0, 30.0, 12.0], "b12_pg_ml": [50.0, 60.0, 70.0, 150.0]})
    >>> inc, exc = apply_eligibility(df)
    >>> len(inc), exc["reason"].tolist()
    (1, ['age 2 months is below 3', 'age 30 months is above 24', 'B12 150 pg/mL is not below 83'])
    """
    need = (["age_months"] if age_months is not None else []) + (
        ["b12_pg_ml"] if b12_below is not None else []
    )
    require_columns(data, need, function="apply_eligibility")
    # reasons are written only for the rows that fail a criterion (few, in a registry):
    # one Python string per failing row, none per passing row
    reasons = np.full(len(data), "", dtype=object)
    criteria = np.full(len(data), "", dtype=object)

    def add(mask, texts, criterion):
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not rows.size:
            return
        new = np.asarray(texts(rows) if callable(texts) else [texts] * rows.size, dtype=object)
        old = reasons[rows]
        reasons[rows] = np.where(old == "", new, old + "; " + new)
        old = criteria[rows]
        criteria[rows] = np.where(old == "", criterion, old + "; " + criterion)

    def numbers(values: np.ndarray, rows: np.ndarray, prefix=None) -> list[str]:
        signs = prefix[rows] if prefix is not None else [""] * rows.size
        return [f"{s}{v:g}" for s, v in zip(signs, values[rows], strict=True)]

    if age_months is not None:
        try:
            lo, hi = (float(v) for v in age_months)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"apply_eligibility(): `age_months` must be a (min, max) pair of numbers or None; got {age_months!r}."
            ) from None
        age = pd.to_numeric(data["age_months"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        add(np.isnan(age), "age not recorded", "age not recorded")
        with np.errstate(invalid="ignore"):
            below, above = age < lo, age > hi
        add(below, lambda r: [f"age {v} months is below {lo:g}" for v in numbers(age, r)],
            f"age below {lo:g} months")  # fmt: skip
        add(above, lambda r: [f"age {v} months is above {hi:g}" for v in numbers(age, r)],
            f"age above {hi:g} months")  # fmt: skip
    if b12_below is not None:
        cut = float(b12_below)
        b12 = pd.to_numeric(data["b12_pg_ml"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        side = (
            data["b12_pg_ml_censored"].astype(object).to_numpy()
            if "b12_pg_ml_censored" in data
            else np.full(len(data), None, dtype=object)
        )
        left, right = side == "left", side == "right"
        add(np.isnan(b12), "B12 not recorded", "B12 not recorded")
        # "<L" is below the cut when L <= cut; ">L" is not below it when L >= cut; otherwise
        # the laboratory's limit does not say on which side of the cut the value lies
        with np.errstate(invalid="ignore"):
            undecidable = (left & (b12 > cut)) | (right & (b12 < cut))
            high = (b12 >= cut) & ~left & ~undecidable
        sign = np.where(left, "<", np.where(right, ">", ""))
        add(
            undecidable,
            lambda r: [
                f"B12 {v} pg/mL cannot be compared with {cut:g} (the value is censored at the "
                "assay's limit)"
                for v in numbers(b12, r, sign)
            ],
            f"B12 censored at a limit that does not decide < {cut:g}",
        )
        add(
            high,
            lambda r: [f"B12 {v} pg/mL is not below {cut:g}" for v in numbers(b12, r, sign)],
            f"B12 {cut:g} pg/mL or more",
        )
    keep = reasons == ""
    excluded = data[~keep].copy()
    excluded["reason"] = pd.Series(reasons[~keep], index=excluded.index, dtype=object).astype(str)
    excluded["criterion"] = pd.Series(criteria[~keep], index=excluded.index, dtype=object).astype(
        str
    )
    return data[keep].copy(), excluded


def participant_flow(
    cohort: pd.DataFrame,
    *,
    age_months=ELIGIBLE_AGE_MONTHS,
    b12_below: float | None = ELIGIBLE_B12_BELOW_PG_ML,
) -> pd.DataFrame:
    """Participant flow (STROBE item 13): every input row accounted for exactly once.

    Parameters
    ----------
    cohort : pandas.DataFrame
        A frame from :func:`b12cohort.load_cohort` (its metadata supplies the number of
        input rows and the rows set aside as invalid).
    age_months, b12_below
        Eligibility criteria, as in :func:`apply_eligibility`.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage`` ("assessed", "invalid", "excluded", "analysed"), ``reason``
        (the failed validation, or the eligibility criterion; empty for the totals) and
        ``n``. ``assessed = invalid + excluded + analysed``.

    Examples
    --------
    >>> import b12cohort
    >>> participant_flow(b12cohort.load_example())
          stage reason   n
    0  assessed         19
    1   invalid          0
    2  analysed         19
    """
    from b12cohort.dictionary.metadata import load_metadata

    meta = load_metadata(cohort)
    included, excluded = apply_eligibility(cohort, age_months=age_months, b12_below=b12_below)
    rows = [
        ("assessed", "", meta.n_rows),
        (
            "invalid",
            "" if meta.n_invalid_rows == 0 else "failed validation (see the failures table)",
            meta.n_invalid_rows,
        ),
    ]
    for criterion, n in excluded["criterion"].value_counts(sort=False).sort_index().items():
        rows.append(("excluded", criterion, int(n)))
    rows.append(("analysed", "", len(included)))
    flow = pd.DataFrame(rows, columns=["stage", "reason", "n"])
    accounted = meta.n_invalid_rows + len(excluded) + len(included)
    if accounted != meta.n_rows:  # pragma: no cover - guards the accounting invariant
        raise B12CohortError(
            f"participant_flow(): the flow does not add up: {meta.n_invalid_rows} invalid + "
            f"{len(excluded)} excluded + {len(included)} analysed = {accounted}, but the cohort's "
            f"metadata say {meta.n_rows} rows were assessed. The frame was probably filtered after "
            "load_cohort(); pass the frame load_cohort() returned, or filter with apply_eligibility()."
        )
    return flow
