"""Smoke test of benchmarks/goal_exact.py (issue 18, goals 3 and 4): it runs end to end
and reports every goal with the agreed keys. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "goal_exact.py"
KEYS = {
    "goal",
    "number",
    "measured",
    "target",
    "ratio",
    "verdict",
    "detail",
    "records",
    "source",
    "run",
}


def _module():
    spec = importlib.util.spec_from_file_location("goal_exact", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cases_are_the_goal_s_inputs():
    goal = _module()
    for name, table in goal.FISHER_CASES.items():
        shape = f"{len(table)}x{len(table[0])}"
        n = sum(map(sum, table))
        assert name == f"{shape} N={n}"
        assert 2 <= len(table) <= 3 and 2 <= len(table[0]) <= 4 and n <= 100
    for n in goal.WILCOX_N:
        sample = goal._wilcox_samples(n)
        pooled = sample["x"] + sample["y"]
        assert len(set(pooled)) == len(pooled) == 2 * n < 100  # no ties: exact in R too
    with pytest.raises(ValueError, match="mode"):
        goal.run("fastest")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH")
def test_goal_exact_smoke(tmp_path):
    out = tmp_path / "goal_exact.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--json", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 2
    for row in rows:
        assert set(row) == KEYS
        assert row["verdict"] in {"MET", "MISSED", "NOT MEASURED"}
    assert [r["goal"].split()[0] for r in rows] == ["3", "4"] == [str(r["number"]) for r in rows]
    assert all(r["source"] == "goal_exact.py" and r["run"]["mode"] == "smoke" for r in rows)
    small = {d["case"]: d for d in rows[0]["records"]}
    worst = max(small.values(), key=lambda d: d["ratio"])
    assert rows[0]["detail"].splitlines()[0] == (
        f"worst {worst['case']}: {worst['ours_ms']:.3g} ms vs R {worst['r_ms']:.3g} ms "
        f"({worst['ratio']:.2f}x)"
    )
    assert set(small) >= {"2x2 N=8", "3x4 N=100", "wilcoxon exact n=49+49"}
    for d in small.values():  # the same p-value as R, measured in the same run
        assert d["method"] == "exact"
        assert d["p_rel_diff"] < 1e-6
    table_one = rows[1]["records"][0]
    assert table_one["rows_exact"]  # the categorical rows of Table 1
    exact_line, other_line, *rest = rows[1]["detail"].splitlines()
    assert rest == ["n = 1,000,000: not run here (only the full mode runs it)"]  # smoke: 500
    assert exact_line.endswith(", ".join(table_one["rows_exact"]))
    assert other_line.endswith(", ".join(table_one["rows_not_exact"]) or "-")
