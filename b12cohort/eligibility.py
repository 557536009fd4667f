"""Eligibility: the paper's inclusion criteria, and the participant flow (STROBE item 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._args import require_columns
from .exceptions import ArgumentError

__all__ = ["apply_eligibility"]


def apply_eligibility(data: pd.DataFrame, *, age_months=(3, 24), b12_below: float | None = 83.0):
    """Split a cohort into included and excluded infants.

    The defaults are the inclusion criteria of Taranushenko et al. (2022): age 3 to 24
    months (both inclusive) and serum B12 below 83 pg/mL.

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
        The other rows, with an added ``reason`` column listing every criterion the row
        fails ("; "-separated, in the order age, B12). A missing age or B12 excludes the
        row ("age not recorded").

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
    reasons = pd.Series("", index=data.index, dtype=object)

    def add(mask, texts):
        nonlocal reasons
        texts = pd.Series(texts, index=data.index)
        joined = np.where(reasons == "", texts, reasons + "; " + texts)
        reasons = pd.Series(np.where(mask, joined, reasons), index=data.index, dtype=object)

    if age_months is not None:
        try:
            lo, hi = (float(v) for v in age_months)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"apply_eligibility(): `age_months` must be a (min, max) pair of numbers or None; got {age_months!r}."
            ) from None
        age = pd.to_numeric(data["age_months"], errors="coerce").astype(float)
        shown = age.map(lambda v: f"{v:g}")
        add(age.isna(), "age not recorded")
        add(age < lo, "age " + shown + f" months is below {lo:g}")
        add(age > hi, "age " + shown + f" months is above {hi:g}")
    if b12_below is not None:
        b12 = pd.to_numeric(data["b12_pg_ml"], errors="coerce").astype(float)
        add(b12.isna(), "B12 not recorded")
        add(
            b12 >= float(b12_below),
            "B12 " + b12.map(lambda v: f"{v:g}") + f" pg/mL is not below {float(b12_below):g}",
        )
    keep = (reasons == "").to_numpy()
    excluded = data[~keep].copy()
    excluded["reason"] = reasons[~keep].astype(str)
    return data[keep].copy(), excluded
