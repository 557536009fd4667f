"""Several hospitals, one analysis, no patient rows shared.

:func:`~b12cohort.multisite.summary.site_summary` (run at each site) releases counts,
exact null distributions and observed statistics under the site's
:class:`~b12cohort.multisite.policy.DisclosurePolicy`;
:func:`~b12cohort.multisite.pool.pool_sites` (run by the coordinator) combines them into
the same exact stratified tests as on the concatenated rows, and
:mod:`b12cohort.multisite.report` writes the pooled report. The optional
:mod:`b12cohort.multisite.vantage6` runs the same two steps on a vantage6 network.

May import: figures, paper, stats, cohort, reading, dictionary, core (the layers below);
never report or cli. ``multisite.vantage6`` alone imports the optional vantage6 package.
"""
