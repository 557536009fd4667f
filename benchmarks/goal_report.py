#!/usr/bin/env python
"""Issue 18, goal 1: ``b12cohort report`` at registry scale, against the analysis stack's import.

    python benchmarks/goal_report.py            # 10^3 ... 10^6 rows (about 15 min)
    python benchmarks/goal_report.py --quick    # 10^3 ... 10^5 rows, one report each
    python benchmarks/goal_report.py --smoke    # 200 rows, end to end (the test suite runs this)

The goals (issue 18):

* at 10^5 rows the report takes at most 3x the wall time of
  ``python -c "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"`` and its
  peak memory stays under 2 GB;
* at 10^6 rows it completes, with peak memory at most 3x that of loading the cohort
  (``load_cohort(path)`` in a fresh process).

Method. Every command runs as a fresh process with ``PYTHONPYCACHEPREFIX`` set and
``PYTHONDONTWRITEBYTECODE`` unset (Python's bytecode cached, as on a machine that has run
the package once). The stack import and the
report alternate, so that a burst of load from other jobs on this shared machine hits
both; medians are reported. Peak memory is the peak of the resident memory summed over
the whole process tree (the report and its notebook kernels), sampled from /proc every
0.1 s. The cohorts are ``simulate_cohort(n=n, random_state=2022, missing=0.05,
validate=False)`` written by ``write_export`` as a UTF-8 comma file.

``run(mode)`` returns one dict per goal (``goal`` with its number first, ``number``,
``measured, target, ratio, verdict``, ``detail`` in words, ``records`` = the scaling rows)
for ``benchmarks/run.py``; the first also carries ``scaling = {n: {"time_s", "peak_mb"}}``,
the report column of run.py's scaling table. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT_NAME = Path(__file__).name
STACK = "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"
SEED = 2022
GOAL_N = 10**5
TIME_RATIO_MAX = 3.0
MEMORY_MB_MAX = 2000.0  # "under 2 GB"
LARGEST_N = 10**6
LOAD_RATIO_MAX = 3.0

MODES = {
    "full": {"sizes": [10**3, 10**4, 10**5, 10**6], "reps": {10**5: 3}, "stack_reps": 5},
    "quick": {"sizes": [10**3, 10**4, 10**5], "reps": {}, "stack_reps": 3},
    "smoke": {"sizes": [200], "reps": {}, "stack_reps": 1},
}
_LOAD = "import sys, b12cohort, warnings; warnings.simplefilter('ignore'); b12cohort.load_cohort(sys.argv[1])"


# ---------------------------------------------------------------------------------------
# one process tree: wall time and peak resident memory
# ---------------------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, MB."""
    children = _children()
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        total += _rss_bytes(p)
        todo.extend(children.get(p, []))
    return total / 2**20


def measure(argv: list[str], *, cwd: str | None = None, timeout: float = 3600) -> dict:
    """Run ``argv`` in a fresh process; its wall time (s) and the peak RSS of its tree (MB)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see _fresh.cached_bytecode: it stops the cache
    env["PYTHONPYCACHEPREFIX"] = _pycache()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            if time.perf_counter() - t0 > timeout:
                proc.kill()
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-1:]
    error = None if proc.returncode == 0 else f"exit {proc.returncode}: {' '.join(tail)}"
    return {"wall_s": wall, "peak_mb": peak, "error": error}


def _pycache() -> str:
    return os.environ.get("PYTHONPYCACHEPREFIX") or str(
        Path(tempfile.gettempdir()) / "b12cohort-bench-pycache"
    )


# ---------------------------------------------------------------------------------------
# the runs
# ---------------------------------------------------------------------------------------
def make_cohort(n: int, folder: Path) -> Path:
    import warnings

    from b12cohort.cohort.export import write_export
    from b12cohort.cohort.simulate import simulate_cohort

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = simulate_cohort(n=n, random_state=SEED, missing=0.05, validate=False)
    return write_export(raw, path=folder / f"cohort_{n}.csv").data


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r["error"] is None]
    return statistics.median(values) if values else None


def measure_size(n: int, path: Path, folder: Path, *, reps: int, stack_reps: int, log) -> dict:
    """The report on ``path`` ``reps`` times, interleaved with the stack import; loading once."""
    py = sys.executable
    report, stack = [], []
    for k in range(max(reps, stack_reps)):
        if k < stack_reps:
            stack.append(measure([py, "-c", STACK]))
        if k < reps:
            out = folder / f"report_{n}_{k}"
            report.append(measure([py, "-m", "b12cohort", "report", "--data", str(path), "--out", str(out)], cwd=str(folder)))  # fmt: skip
            subprocess.run(["rm", "-rf", str(out)], check=False)
    load = measure([py, "-c", _LOAD, str(path)])
    row = {
        "n": n,
        "report_s": _median(report, "wall_s"),
        "report_peak_mb": max((r["peak_mb"] for r in report), default=None),
        "stack_s": _median(stack, "wall_s"),
        "load_peak_mb": load["peak_mb"] if load["error"] is None else None,
        "report_runs": [round(r["wall_s"], 2) for r in report],
        "stack_runs": [round(r["wall_s"], 2) for r in stack],
        "error": next((r["error"] for r in report if r["error"]), None) or load["error"],
    }
    if row["report_s"] and row["stack_s"]:
        row["ratio"] = row["report_s"] / row["stack_s"]
    log(
        f"  n={n:>9,}: report {row['report_s'] or float('nan'):7.1f} s, peak "
        f"{row['report_peak_mb'] or float('nan'):6.0f} MB; stack import {row['stack_s'] or float('nan'):5.1f} s; "
        f"load_cohort peak {row['load_peak_mb'] or float('nan'):6.0f} MB"
        + (f"  ERROR {row['error']}" if row["error"] else "")
    )
    return row


def goals(rows: list[dict], mode: str) -> list[dict]:
    """The two goals from the rows of the scaling table."""
    by_n = {r["n"]: r for r in rows}
    table = [{k: r.get(k) for k in ("n", "report_s", "report_peak_mb", "stack_s", "ratio", "load_peak_mb", "error")} for r in rows]  # fmt: skip
    out = []
    row = by_n.get(GOAL_N)
    goal = {"goal": f"report at {GOAL_N:,} rows <= {TIME_RATIO_MAX:g}x the stack import's wall time and < 2 GB peak",
            "target": f"<= {TIME_RATIO_MAX:g}x and < {MEMORY_MB_MAX:,.0f} MB", "detail": {"scaling": table}}  # fmt: skip
    if row is None or row.get("ratio") is None:
        why = "not run in this mode" if row is None else (row.get("error") or "no timing")
        goal.update(measured=why, ratio=None, verdict="NOT MEASURED")
    else:
        met = row["ratio"] <= TIME_RATIO_MAX and row["report_peak_mb"] < MEMORY_MB_MAX
        goal.update(
            measured=f"{row['report_s']:.1f} s / {row['stack_s']:.1f} s = {row['ratio']:.2f}x; "
            f"peak {row['report_peak_mb']:,.0f} MB (process tree)",
            ratio=row["ratio"],
            verdict="MET" if met else "MISSED",
        )
    out.append(goal)
    row = by_n.get(LARGEST_N)
    goal = {"goal": f"report at {LARGEST_N:,} rows completes, peak <= {LOAD_RATIO_MAX:g}x loading the cohort",
            "target": f"completes; <= {LOAD_RATIO_MAX:g}x load_cohort's peak", "detail": {"scaling": table}}  # fmt: skip
    if row is None:
        goal.update(measured=f"not run in {mode} mode", ratio=None, verdict="NOT MEASURED")
    elif row.get("report_s") is None or not row.get("load_peak_mb"):
        goal.update(measured=row.get("error") or "did not complete", ratio=None, verdict="MISSED")
    else:
        ratio = row["report_peak_mb"] / row["load_peak_mb"]
        goal.update(
            measured=f"{row['report_s']:.0f} s; peak {row['report_peak_mb']:,.0f} MB / "
            f"{row['load_peak_mb']:,.0f} MB = {ratio:.2f}x",
            ratio=ratio,
            verdict="MET" if ratio <= LOAD_RATIO_MAX else "MISSED",
        )
    out.append(goal)
    return out


def _size_line(r: dict) -> str:
    if r.get("report_s") is None:
        return f"n = {r['n']:,}: {r.get('error') or 'no timing'}"
    load = f", load_cohort {r['load_peak_mb']:,.0f} MB" if r.get("load_peak_mb") else ""
    return (f"n = {r['n']:,}: {r['report_s']:.1f} s, {r['report_peak_mb']:,.0f} MB "
            f"(stack import {r['stack_s'] or float('nan'):.1f} s{load})")  # fmt: skip


def finalise(rows: list[dict]) -> list[dict]:
    """Raw goal rows (``detail = {"scaling": table}``) as run.py shows them."""
    out = []
    for row in rows:  # both are goal 1: 10^5 rows, and 10^6 rows
        records = row["detail"]["scaling"] if isinstance(row["detail"], dict) else row["records"]
        goal = row["goal"] if row["goal"].startswith("1 ") else f"1 {row['goal']}"
        out.append({**row, "goal": goal, "number": 1, "records": records,
                    "detail": "\n".join(map(_size_line, records))})  # fmt: skip
    out[0]["scaling"] = {
        str(r["n"]): {"time_s": r["report_s"], "peak_mb": r["report_peak_mb"]}
        for r in out[0]["records"] if r.get("report_s") is not None
    }  # fmt: skip
    out[0]["scaling_label"] = "report (process tree)"
    out[0]["scaling_note"] = ("report (process tree): wall time of one fresh `b12cohort report` "
                              "process (median where repeated), MB = peak resident memory of the "
                              "report and its notebook kernels together, from goal_report.py")  # fmt: skip
    out[1]["detail"] = ""  # the same sizes: said once, on the first row
    return out


def run(mode: str = "full", *, log=print) -> list[dict]:
    """Measure in ``mode`` ("full", "quick" or "smoke"); one dict per goal."""
    cfg = MODES[mode]
    rows = []
    with tempfile.TemporaryDirectory(prefix="b12cohort-goal-report-") as tmp:
        folder = Path(tmp)
        measure([sys.executable, "-c", STACK])  # warm the bytecode cache and the page cache
        for n in cfg["sizes"]:
            path = make_cohort(n, folder)
            rows.append(measure_size(n, path, folder, reps=cfg["reps"].get(n, 1),
                                     stack_reps=cfg["stack_reps"], log=log))  # fmt: skip
            path.unlink()
    return finalise(goals(rows, mode))


def _print(results: list[dict]) -> None:
    print()
    for g in results:
        print(f"{g['verdict']:<13} {g['goal']}\n              measured: {g['measured']}")
    table = results[0]["records"]
    print("\n| rows | report (s) | peak (MB) | stack import (s) | ratio | load_cohort peak (MB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in table:

        def f(v, spec):
            return "–" if v is None else format(v, spec)

        print(f"| {r['n']:,} | {f(r['report_s'], '.1f')} | {f(r['report_peak_mb'], ',.0f')} | "
              f"{f(r['stack_s'], '.1f')} | {f(r['ratio'], '.2f')} | {f(r['load_peak_mb'], ',.0f')} |")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="10^3 to 10^5 rows, one report each")
    mode.add_argument("--smoke", action="store_true", help="200 rows, end to end")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    chosen = "smoke" if args.smoke else "quick" if args.quick else "full"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"goal_report ({chosen}): {os.cpu_count()} cores, load average {load:.1f}")
    sys.path.insert(0, str(HERE))
    import _goals

    started = _goals._now()
    results = _goals.stamp(run(chosen), SCRIPT_NAME, chosen, started, load)
    _print(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
