"""The cohort as a study population: eligibility and the participant flow, simulated cohorts
and export files, and the bundled example dataset.

May import: ``b12cohort.reading``, ``b12cohort.dictionary``, ``b12cohort.core``.
"""
