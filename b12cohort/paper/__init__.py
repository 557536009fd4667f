"""The paper and the literature: the published facts of Taranushenko et al. (2022), the
replication table, the case report, and the published cohorts compared with the data.

May import: ``b12cohort.stats``, ``b12cohort.cohort``, ``b12cohort.dictionary``, ``b12cohort.core``.
"""
