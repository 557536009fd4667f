"""Package-wide constants, each defined once and documented here.

A flat list of named values that are not data-dictionary facts (those, such as unit
conversion factors, live in the schema, ``data/schema/cohort.schema.json``). Every
module that needs one of these values imports it from here.
"""

from __future__ import annotations

__all__ = ["ELIGIBLE_AGE_MONTHS", "ELIGIBLE_B12_BELOW_PG_ML"]

#: Inclusive age window of the paper's inclusion criterion, in months (Taranushenko et
#: al. 2022, Patients and Methods: "from 3 - 24 months of age"). The default of
#: :func:`b12cohort.apply_eligibility` and :func:`b12cohort.participant_flow`.
ELIGIBLE_AGE_MONTHS: tuple[float, float] = (3, 24)

#: Strict upper limit of serum vitamin B12 of the paper's inclusion criterion, in pg/mL
#: ("All participants had serum levels of vitamin B12 < 83 pg/mL"). The default of
#: :func:`b12cohort.apply_eligibility` and :func:`b12cohort.participant_flow`.
ELIGIBLE_B12_BELOW_PG_ML: float = 83.0
