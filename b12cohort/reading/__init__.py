"""Reading hospital exports: format and encoding sniffing, CSV scanning, Excel workbooks and
the load pipeline (:func:`~b12cohort.reading.load.load_cohort`) that maps headers, calls the
dictionary's parsers and rules and returns one canonical DataFrame.

May import: ``b12cohort.dictionary``, ``b12cohort.core``. A new input format goes here.
"""
