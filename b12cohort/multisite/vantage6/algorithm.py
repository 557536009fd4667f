"""The partial and central functions of the vantage6 algorithm (see the package docstring)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["central_pool", "partial_site_summary", "policy_from_environment"]

try:  # the optional extra: b12cohort[vantage6]
    from vantage6.algorithm.tools.decorators import algorithm_client, data
    from vantage6.algorithm.tools.util import get_env_var, info
except ImportError as _err:  # pragma: no cover - exercised when the extra is missing
    _MISSING = _err

    def _needs_vantage6(func):
        def run(*args, **kwargs):
            raise ImportError(
                f"{func.__name__}() needs vantage6-algorithm-tools 4.x: pip install "
                f"'b12cohort[vantage6]' ({_MISSING})"
            )

        run.__name__ = run.__qualname__ = func.__name__
        run.__doc__ = func.__doc__
        return run

    def data(number_of_databases: int = 1):
        return _needs_vantage6

    algorithm_client = _needs_vantage6

    def get_env_var(var_name, default=None, as_type="str"):
        return default

    def info(msg: str) -> None:
        return None


#: The node environment variables that set the site's policy (the node's, not the user's).
ENV = {
    "site": "B12COHORT_SITE",
    "min_infants": "B12COHORT_MIN_INFANTS",
    "min_cell_count": "B12COHORT_MIN_CELL_COUNT",
    "scheme": "B12COHORT_SCHEME",
}


def policy_from_environment():
    """The node's :class:`~b12cohort.multisite.policy.DisclosurePolicy` from its environment."""
    from b12cohort.multisite.policy import DisclosurePolicy

    default = DisclosurePolicy()
    return DisclosurePolicy(
        min_infants=int(get_env_var(ENV["min_infants"], str(default.min_infants))),
        min_cell_count=int(get_env_var(ENV["min_cell_count"], str(default.min_cell_count))),
    )


@data(1)
@algorithm_client
def partial_site_summary(client, df) -> dict:
    """Site summary of the node's data under the node's policy (a JSON-ready dict).

    ``df`` is the node's database as vantage6 hands it over (the raw export); it is
    validated and graded with :func:`b12cohort.load_cohort` first. The researcher passes
    nothing that changes the policy.
    """
    import warnings

    from b12cohort.core.errors import SchemeRangeWarning
    from b12cohort.multisite.summary import site_summary
    from b12cohort.reading.load import load_cohort

    policy = policy_from_environment()
    scheme = get_env_var(ENV["scheme"], "who-2011")
    site = get_env_var(ENV["site"], f"node-{client.organization_id}")
    info(f"b12cohort: site summary of {site!r} with {policy}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemeRangeWarning)
        cohort = load_cohort(df, scheme=scheme)
    return site_summary(cohort, site=site, policy=policy).to_dict()


def _records(frame) -> list[dict]:
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
        )
    return out


@algorithm_client
def central_pool(client, organizations: list[int] | None = None) -> dict[str, Any]:
    """Run ``partial_site_summary`` at the organizations and pool the summaries."""
    from b12cohort.multisite.pool import pool_sites
    from b12cohort.multisite.summary import SiteSummary

    if not organizations:
        organizations = [org["id"] for org in client.organization.list()]
    info(f"b12cohort: asking {len(organizations)} organization(s) for a site summary")
    task = client.task.create(
        input_={"method": "partial_site_summary", "kwargs": {}},
        organizations=organizations,
        name="b12cohort site summary",
        description="b12cohort site summary under the node's disclosure policy",
    )
    results = client.wait_for_results(task_id=task.get("id"))
    summaries = [SiteSummary(site=r["site"], content=r) for r in results]
    pooled = pool_sites(summaries)
    return {
        "sites": list(pooled.sites),
        "n": pooled.n,
        "table": _records(pooled.table),
        "site_use": _records(pooled.site_use),
        "flows": _records(pooled.flows),
        "site_summaries": [s.content for s in summaries],
    }
