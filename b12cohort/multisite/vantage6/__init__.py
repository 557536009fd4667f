"""b12cohort as a vantage6 algorithm (optional extra ``b12cohort[vantage6]``, 4.x line).

Two functions, as vantage6's own algorithms are built (e.g. ``v6-crosstab-py``):

``partial_site_summary``
    Runs at each node on the node's data: :func:`b12cohort.site_summary` with the node's
    disclosure policy, read from the node's algorithm environment (set by the node
    administrator in the node configuration, never by the researcher):
    ``B12COHORT_SITE`` (the site name; default ``node-<organization id>``),
    ``B12COHORT_MIN_INFANTS`` and ``B12COHORT_MIN_CELL_COUNT`` (default 3 and 3, see
    :class:`b12cohort.DisclosurePolicy`), ``B12COHORT_SCHEME`` (anaemia grading,
    default ``who-2011``). Returns the site summary document (the same JSON as
    ``b12cohort site-summary`` writes).
``central_pool``
    Creates the partial task at the chosen organizations, waits for their summaries and
    pools them with :func:`b12cohort.pool_sites`; returns the pooled table, which site
    could not enter which analysis, the flows, and the site summaries themselves (so the
    coordinator can build the same report offline with ``b12cohort pool``).

The module imports without vantage6; calling a function then raises an ImportError that
says what to install.
"""

from b12cohort.multisite.vantage6.algorithm import central_pool, partial_site_summary

__all__ = ["central_pool", "partial_site_summary"]
