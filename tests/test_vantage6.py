"""The vantage6 algorithm with vantage6's MockAlgorithmClient (no server, no Docker).

Marked ``vantage6``; skipped when vantage6-algorithm-tools is not importable (the main
suite). ``.ci/vantage6.sh`` runs them in their own venv (vantage6-algorithm-tools 4.x pins
click and python-dateutil below the report's pins).
"""

from __future__ import annotations

import json
import math
import warnings

import pytest

pytest.importorskip("vantage6.algorithm.tools.mock_client")
pytestmark = pytest.mark.vantage6

from test_multisite import make_exports  # noqa: E402
from vantage6.algorithm.tools.mock_client import MockAlgorithmClient  # noqa: E402

from b12cohort.multisite.pool import pool_sites  # noqa: E402
from b12cohort.multisite.summary import SiteSummary, site_summary  # noqa: E402
from b12cohort.reading.load import load_cohort  # noqa: E402

MODULE = "b12cohort.multisite.vantage6"


@pytest.fixture
def exports(tmp_path):
    return make_exports(tmp_path, (45, 60, 75), seed=100)


def _client(paths):
    return MockAlgorithmClient(
        datasets=[[{"database": str(p), "db_type": "csv"}] for p in paths], module=MODULE
    )


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b or (a is None and isinstance(b, float) and not math.isfinite(b))


def test_mock_run_gives_the_offline_numbers(exports, monkeypatch):
    monkeypatch.setenv("B12COHORT_MIN_CELL_COUNT", "1")
    client = _client(exports)
    orgs = [o["id"] for o in client.organization.list()]
    task = client.task.create(
        input_={"method": "central_pool", "kwargs": {"organizations": orgs}},
        organizations=[orgs[0]],
    )
    (result,) = client.wait_for_results(task.get("id"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        offline = pool_sites(
            [
                site_summary(load_cohort(p), site=f"node-{org}", policy=_policy(1))
                for org, p in zip(orgs, exports, strict=True)
            ]
        )
    assert result["sites"] == [f"node-{o}" for o in orgs]
    got = result["table"]
    want = json.loads(json.dumps(offline.table.to_dict("records"), default=str))
    assert len(got) == len(want)
    for g, w in zip(got, offline.table.to_dict("records"), strict=True):
        for key in ("p_value", "estimate", "ci_low", "ci_high", "heterogeneity"):
            assert _same(g[key], w[key]), (g["outcome"], g["analysis"], key)
        assert g["reading"] == w["reading"]
    # the node's policy came from its environment
    assert {s["policy"]["min_cell_count"] for s in result["site_summaries"]} == {1}


def _policy(cells):
    from b12cohort.multisite.policy import DisclosurePolicy

    return DisclosurePolicy(min_cell_count=cells)


def test_partial_uses_the_node_policy(exports, monkeypatch):
    monkeypatch.setenv("B12COHORT_MIN_INFANTS", "1000")
    monkeypatch.setenv("B12COHORT_SITE", "Hospital-A")
    client = _client(exports[:1])
    task = client.task.create(
        input_={"method": "partial_site_summary", "kwargs": {}}, organizations=[0]
    )
    (summary,) = client.wait_for_results(task.get("id"))
    s = SiteSummary(site=summary["site"], content=summary)
    assert s.site == "Hospital-A"
    assert list(s.withheld["rule"]) == ["min_infants"]
    assert all(v["trend"] is None for v in summary["analyses"]["signs"].values())
