"""Bundled example data, loaded through :mod:`importlib.resources` (no downloads)."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pandas as pd

from b12cohort._bundled import bundled_file

__all__ = ["EXAMPLE_NAME", "example_path", "load_example"]

#: File name of the bundled reconstruction.
EXAMPLE_NAME = "krasnoyarsk_2022_reconstructed.csv"


def example_path():
    """A context manager giving a filesystem path to the bundled example CSV."""
    return resources.as_file(bundled_file("example", EXAMPLE_NAME))


def load_example(*, scheme: str = "who-2011") -> pd.DataFrame:
    """The reconstructed Krasnoyarsk cohort: 19 infants, validated and cleaned.

    **This is a reconstruction, not patient data.** The individual data of Taranushenko
    et al. (2022) were never published. The file honours every published figure and
    fills the rest with clinically plausible, illustrative values.

    Codebook
    --------
    Published (reproduced exactly):

    - 19 infants aged 3-24 months, admitted 2012-2019, every serum B12 < 83 pg/mL and
      every Hb < 110 g/L (all anaemic);
    - hypotonia 19/19 (100%), adynamia 12/19 (63%), developmental_delay 12/19 (63%),
      hyporeflexia 8/19 (42%), involuntary_movements_on_treatment 6/19 (32%);
    - infant ``K07``: the 8-month-old boy with developmental regression and brain atrophy
      (the paper's case report);
    - involuntary movements start 3-5 days after the first cyanocobalamin dose and resolve
      within 3-6 weeks (21-42 days).

    Illustrative (chosen, not published): sex (11 boys, 8 girls), the other infants'
    ages and admission years, Hb (62-106 g/L), red cell count, MCV (98-118 fL), B12
    (29-82 pg/mL), folate, the other signs (regression, seizures, tremor before
    treatment), imaging, feeding, maternal B12 and doses. Their rationale is in
    ``data/example/README.md``. Columns are those of the data dictionary
    (``b12cohort schema``); homocysteine is absent (not a routine test in the setting).

    Parameters
    ----------
    scheme : str
        Anaemia grading scheme for the derived ``anemia_grade`` (see
        :func:`b12cohort.anemia_schemes`).

    Returns
    -------
    pandas.DataFrame
        As :func:`b12cohort.load_cohort` returns it.

    References
    ----------
    Taranushenko TE, Falaleeva SO, Borisova EV, Makarevskaya NYu. Nervous System Lesion in
    Infants with Vitamin B12 Deficiency Anemia. EC Clinical and Medical Case Reports
    2022;5(8):02-08.

    Examples
    --------
    >>> import b12cohort
    >>> cohort = b12cohort.load_example()
    >>> len(cohort), int(cohort["adynamia"].sum()), int(cohort["hyporeflexia"].sum())
    (19, 12, 8)
    """
    import warnings

    from b12cohort.core.errors import SchemeRangeWarning
    from b12cohort.reading.load import load_cohort

    with example_path() as path, warnings.catch_warnings():
        # documented above: WHO 2011 starts at 6 months, so 4 infants aged 3-5 months are
        # graded with its 6-59 month thresholds (load_cohort records this in the metadata)
        warnings.simplefilter("ignore", SchemeRangeWarning)
        cohort = load_cohort(path, scheme=scheme)
    # a stable name instead of this machine's install path (reports must not depend on it)
    meta = cohort.attrs["b12cohort"]
    cohort.attrs["b12cohort"] = dataclasses.replace(
        meta, source=f"b12cohort example data ({EXAMPLE_NAME})"
    )
    return cohort
