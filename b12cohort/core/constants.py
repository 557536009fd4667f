"""Package-wide constants, each defined once and documented here.

A flat list of named values that are not data-dictionary facts (those, such as unit
conversion factors, live in the schema, ``data/schema/cohort.schema.json``). Every
module that needs one of these values imports it from here.

``DEFAULT_SEED`` is the package's one default for every ``random_state=`` (Monte Carlo
p-values, permutation tests, bootstrap intervals, simulation): results with randomness are
reproducible by default, and a caller who wants another stream passes ``random_state``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED", "ELIGIBLE_AGE_MONTHS", "ELIGIBLE_B12_BELOW_PG_ML"]

#: Default ``random_state`` of every function that draws random numbers (the date the
#: paper's series was published, 2022-08-01).
DEFAULT_SEED = 20220801

#: Inclusive age window of the paper's inclusion criterion, in months (Taranushenko et
#: al. 2022, Patients and Methods: "from 3 - 24 months of age"). The default of
#: :func:`b12cohort.apply_eligibility` and :func:`b12cohort.participant_flow`.
ELIGIBLE_AGE_MONTHS: tuple[float, float] = (3, 24)

#: Strict upper limit of serum vitamin B12 of the paper's inclusion criterion, in pg/mL
#: ("All participants had serum levels of vitamin B12 < 83 pg/mL"). The default of
#: :func:`b12cohort.apply_eligibility` and :func:`b12cohort.participant_flow`.
ELIGIBLE_B12_BELOW_PG_ML: float = 83.0
