"""The data dictionary: the schema (``data/schema/cohort.schema.json``), how each cell is
parsed and which rules it must keep, the failure collector, the cleaning log, the privacy
guards, the derived variables the dictionary defines (anaemia grade, neuro score) and the
provenance (:class:`~b12cohort.dictionary.metadata.CohortMetadata`) a loaded cohort carries.

May import: ``b12cohort.core``. A new validation rule or a new derived variable goes here.
"""
