"""The report on a simulated registry-sized cohort (issue 18): aggregates, capped listings, one load.

A 2,000-row simulated export is past both figure thresholds (about 600 infants with
movements on treatment > PER_INFANT_MAX; 2,000 > POINTS_MAX): the landing page's captions
must say which figures were drawn as aggregates and why, the per-infant listing must show
LISTED_ROWS_MAX rows and point to its complete CSV, and the kernels must read the cohort the
main process validated (no pickle is left in the report). The benchmark of goal 1 runs end
to end at smoke size; nothing is asserted about its speed.
"""

from __future__ import annotations

import importlib.util
import re
import warnings

import pandas as pd
import pytest
from conftest import ROOT

from b12cohort.cohort.export import write_export
from b12cohort.cohort.simulate import simulate_cohort
from b12cohort.figures._scale import PER_INFANT_MAX, POINTS_MAX
from b12cohort.report import build_report
from b12cohort.report._cohort import SHARED_ENV, cohort_key, report_cohort, share_cohort
from b12cohort.report._io import LISTED_ROWS_MAX

N = 2_000


@pytest.fixture(scope="module")
def registry_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registry")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = simulate_cohort(n=N, random_state=2022, missing=0.05, validate=False)
    export = write_export(raw, path=folder / "registry.csv").data
    out = folder / "report"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = build_report(export, out=out)
    return out, result


@pytest.mark.slow
def test_a_registry_sized_report_draws_aggregates_and_says_why(registry_report):
    out, result = registry_report
    assert result.manifest["rows"]["assessed"] == N
    page = (out / "index.html").read_text("utf-8")
    infants = pd.read_csv(out / "tables" / "course_by_infant.csv")
    assert len(infants) > PER_INFANT_MAX
    assert (
        f"onset histogram and Kaplan–Meier ({len(infants):,} infants with movements, more "
        f"than the {PER_INFANT_MAX} a per-infant timeline can show)"
    ) in page
    analysed = result.manifest["rows"]["analysed"]
    assert analysed > POINTS_MAX
    assert f"more than the {POINTS_MAX:,} drawn one point each" in page
    assert page.count(f"more than the {POINTS_MAX:,} drawn one point each") == 2  # both scatters
    # the per-infant figure's default caption is not shown for the histogram
    assert "per infant and Kaplan–Meier" not in page


@pytest.mark.slow
def test_a_registry_sized_listing_is_capped_and_its_csv_is_complete(registry_report):
    out, _ = registry_report
    infants = pd.read_csv(out / "tables" / "course_by_infant.csv")
    md = (out / "tables" / "course_by_infant.md").read_text("utf-8")
    rows = [line for line in md.splitlines() if re.match(r"\| S\d", line)]
    assert len(rows) == LISTED_ROWS_MAX < len(infants)
    assert (
        f"The first {LISTED_ROWS_MAX} of {len(infants):,} rows; every row is in "
        "course_by_infant.csv."
    ) in md
    assert (out / "cleaning_log.csv").stat().st_size > 0


@pytest.mark.slow
def test_the_shared_cohort_is_not_left_in_the_report(registry_report):
    out, result = registry_report
    assert not list(out.rglob("*.pickle"))
    assert not (out / "_site").exists()
    assert not any("pickle" in name for name in result.manifest["outputs"])


def test_a_kernel_reads_the_shared_cohort_only_for_the_same_input(tmp_path, monkeypatch):
    from b12cohort.report import _cohort

    example = report_cohort()  # the bundled example
    marked = example.assign(marker=1)
    path = share_cohort(marked, tmp_path / "cohort.pickle", cohort_key(None))
    monkeypatch.setenv(SHARED_ENV, str(path))
    _cohort._cached_cohort.cache_clear()
    try:
        assert "marker" in report_cohort().columns  # same key: the shared frame
        assert "marker" not in report_cohort(scheme="ru-clinical").columns  # other key: loaded
        got = report_cohort()
        got.loc[got.index[0], "hb_g_l"] = -1.0  # a notebook's change stays in its copy
        assert report_cohort()["hb_g_l"].iloc[0] == example["hb_g_l"].iloc[0]
    finally:
        _cohort._cached_cohort.cache_clear()


@pytest.mark.slow
def test_the_goal_benchmark_runs_end_to_end_at_smoke_size():
    spec = importlib.util.spec_from_file_location(
        "goal_report", ROOT / "benchmarks" / "goal_report.py"
    )
    goal_report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(goal_report)
    lines = []
    results = goal_report.run("smoke", log=lines.append)
    assert [
        set(r) >= {"goal", "measured", "target", "ratio", "verdict", "detail"} for r in results
    ] == [True, True]
    (row,) = results[0]["records"]
    assert row["n"] == 200 and row["error"] is None
    assert row["report_s"] > 0 and row["stack_s"] > 0 and row["report_peak_mb"] > 0
    assert [r["goal"].split()[0] for r in results] == ["1", "1"]  # run.py's goal 1, replaced
    assert results[0]["scaling"] == {
        "200": {"time_s": row["report_s"], "peak_mb": row["report_peak_mb"]}
    }  # the report column of run.py's scaling table
    assert results[0]["detail"] == (
        f"n = 200: {row['report_s']:.1f} s, {row['report_peak_mb']:,.0f} MB (stack import "
        f"{row['stack_s']:.1f} s, load_cohort {row['load_peak_mb']:,.0f} MB)"
    )
    assert {r["verdict"] for r in results} == {"NOT MEASURED"}  # the goals' sizes are not run
    assert lines and "n=      200" in lines[0]


def test_a_long_csv_is_written_in_chunks_with_the_same_bytes(tmp_path, monkeypatch):
    import numpy as np

    from b12cohort.core.tables import render_csv
    from b12cohort.report import _io

    frame = pd.DataFrame(
        {
            "=col": ["=1+1", "ok", "-x", "@a"] * 50,
            "value": np.linspace(-1.0, 1.0, 200),
            "row": pd.array([1, None] * 100, dtype="Int64"),
        }
    )
    monkeypatch.setattr(_io, "CSV_CHUNK_ROWS", 7)
    path = _io.save_csv(frame, "long.csv", tmp_path)
    assert path.read_text("utf-8") == render_csv(frame)
    assert path.read_text("utf-8").count("'=1+1") == 50  # the guard applies in every chunk
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("window", [1, 97, 20_000])
def test_the_cleaning_log_in_windows_is_the_cleaning_log(window, tmp_path):
    import b12cohort
    from b12cohort.core.tables import render_csv
    from b12cohort.dictionary.metadata import load_metadata
    from b12cohort.report import save_cleaning_log

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = simulate_cohort(n=300, random_state=5, missing=0.05, validate=False)
        export = write_export(raw, path=tmp_path / "in.csv", dialect="cp1251-semicolon")
        cohort = b12cohort.load_cohort(export.data, columns=export.columns)
    log = load_metadata(cohort).log
    whole = log.to_frame()
    assert len(whole) > 300  # recodes, unit conversions and decimal commas, cell by cell
    parts = list(log.to_frames(window))
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    if window == 97:
        assert len(parts) == 1 + -(-300 // 97)  # the file-level changes, then each window
    path = save_cleaning_log(cohort, tmp_path)
    assert path.read_text("utf-8") == render_csv(b12cohort.cleaning_log(cohort))
