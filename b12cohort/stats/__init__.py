"""Statistics, one module per family of methods: proportions (``proportions``),
Table 1 (``table_one``), contingency tables (``contingency``), trend (``trend``), rank tests
(``rank_tests``), correlation (``correlation``), power and equivalence (``power``),
regression, survival, meta-analysis (``meta``), and the association summary that reads
them. Private numerical engines sit beside the module that
uses them (``_fexact``, ``_trend``, ``_pairwise``); R's routines ported for exact agreement
are in ``_rports``.

May import: ``b12cohort.dictionary``, ``b12cohort.core`` (never the readers: statistics take
DataFrames). A new test (say McNemar) goes in the module of its family here.
"""
