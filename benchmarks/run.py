#!/usr/bin/env python
"""Benchmarks of b12cohort against the tools it stands in for, and issue 18's goals.

    python benchmarks/run.py            # the published run: benchmarks/results.json (10^3...10^7)
    python benchmarks/run.py --quick    # fewer repetitions, up to 10^6, no tableone at 10^6
    python benchmarks/run.py --smoke    # tiny sizes, end to end in seconds (for the tests)
    python benchmarks/run.py --readme   # also rewrite benchmarks/README.md and the README's Speed

In-process measurements run in a fresh Python process each (``--worker``, see
``_worker.py``): one untimed warm-up call on small data, then the timed repetitions, and
the peak resident memory above the level reached after set-up. Paired measurements
(ours and theirs) alternate in rounds, so that a burst of load from other processes on
this shared machine hits both. Medians are reported. Workers run under an address-space
limit (``--memory-limit``) so that a runaway measurement fails with MemoryError instead of
exhausting the machine. Goal 2 (loading) is measured as whole processes (``_fresh.py``).
Every ``benchmarks/goal_*.py`` module adds its own goals (``_goals.py``); the run ends by
printing every goal of issue 18 with its measured ratio and verdict.

The synthetic data come from :func:`b12cohort.cohort.simulate.simulate_cohort` (seed 2022,
5% of optional cells missing) and :func:`b12cohort.cohort.export.write_export`; with
``--data-dir`` they are kept and reused by later runs.
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _fresh  # noqa: E402  (benchmarks/_fresh.py: whole-process load measurements)
import _goals  # noqa: E402  (benchmarks/_goals.py: issue 18's goals, goal modules, scaling)
import _report  # noqa: E402  (benchmarks/_report.py: environment, tables, markdown)
import _worker  # noqa: E402  (benchmarks/_worker.py: one measurement in a fresh process)
from _worker import SEED, ffh_table  # noqa: E402

STACK = "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"

HUGE = 10**7  # at this size only the scaling table's measurements run, once each
HUGE_MEASUREMENTS = {"pandas.read_csv utf8", "load_cohort utf8", "table_one", "association_summary"}
HUGE_MEMORY_LIMIT = 20 * 2**30  # address space of a worker at 10^7 rows

MODES = {
    "full": {
        "sizes": [10**3, 10**4, 10**5, 10**6, 10**7],
        "reps": {10**3: 3, 10**4: 3, 10**5: 3, 10**6: 3, 10**7: 1},
        "rounds": 1,  # one worker per contender; the whole-process goal runs interleave
        "fresh_n": 10**6,  # goal 2: whole-process load time
        "fresh_reps": 3,
        "memory_n": 10**7,  # goal 2: whole-process peak memory
        "memory_reps": 1,
        "calls_n": [10**4, 10**5, 10**6],  # goal 2: Python calls of one load
        "tableone_max": 10**6,
        "association_max": 10**6,
        "import_reps": 3,
        "report_reps": 1,
        "ffh_n": [19, 100, 500, 2_000, 5_000, 10_000, 20_000],
        "ffh_reps": 3,
        "profile": False,  # --profile: cProfile of the loads at 10^6 and table_one at 10^5
    },
    "quick": {
        "sizes": [10**3, 10**4, 10**5, 10**6],
        "reps": {10**3: 3, 10**4: 3, 10**5: 3, 10**6: 2},
        "rounds": 1,
        "fresh_n": 10**6,
        "fresh_reps": 3,
        "memory_n": 10**6,
        "memory_reps": 1,
        "calls_n": [10**4, 10**5],
        "tableone_max": 10**5,
        "association_max": 10**5,
        "import_reps": 7,
        "report_reps": 3,
        "ffh_n": [19, 100, 500, 2_000, 10_000, 20_000],
        "ffh_reps": 5,
        "profile": False,
    },
    "smoke": {
        "sizes": [200],
        "reps": {200: 1},
        "rounds": 1,
        "fresh_n": 200,
        "fresh_reps": 1,
        "memory_n": 200,
        "memory_reps": 1,
        "calls_n": [200],
        "tableone_max": 200,
        "association_max": 200,
        "import_reps": 1,
        "report_reps": 0,
        "ffh_n": [19],
        "ffh_reps": 1,
        "profile": False,
    },
}


# =======================================================================================
# parent side
# =======================================================================================
def run_worker(spec: dict, *, timeout: float = 3600) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return {"error": f"worker exited with {proc.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


def make_data(sizes: list[int], directory: Path, log) -> dict[int, dict]:
    """Exports and pickled canonical frames for every size; files already there are reused.

    The canonical frame is ``load_cohort`` of the UTF-8 export (what a user gets from the
    file), pickled for the measurements that start from a loaded cohort.
    """
    import warnings

    import b12cohort
    from b12cohort.cohort.export import write_export
    from b12cohort.cohort.simulate import simulate_cohort

    files = {}
    for n in sizes:
        t0 = time.perf_counter()
        utf8 = directory / f"cohort_{n}_utf8.csv"
        messy = directory / f"cohort_{n}_cp1251.csv"
        mapping = directory / f"cohort_{n}_cp1251.columns.json"
        frame = directory / f"cohort_{n}.pkl"
        stamp = directory / f"cohort_{n}.done"
        if not stamp.exists():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                raw = simulate_cohort(n=n, random_state=SEED, missing=0.05, validate=False)
                write_export(raw, path=utf8)
                write_export(raw, path=messy, dialect="cp1251-semicolon", columns_path=mapping)
                del raw
                b12cohort.load_cohort(utf8).to_pickle(frame)
            stamp.write_text(f"simulate_cohort(n={n}, random_state={SEED}, missing=0.05)\n")
        files[n] = {
            "n": n,
            "utf8": str(utf8),
            "cp1251": str(messy),
            "mapping": str(mapping),
            "frame": str(frame),
            "utf8_mb": utf8.stat().st_size / 2**20,
            "cp1251_mb": messy.stat().st_size / 2**20,
        }
        log(f"data n={n:>10,}: {time.perf_counter() - t0:.1f} s")
    return files


def measure(sides, n, files, cfg, args, log) -> list[dict]:
    """Time each side at size n, alternating the sides in rounds; one record per side."""
    reps = cfg["reps"][n]
    rounds = min(cfg["rounds"], reps)
    per_round = [reps // rounds + (1 if r < reps % rounds else 0) for r in range(rounds)]
    records = {s["name"]: {**s, "n": n, "times": [], "peak_mb": 0.0, "base_mb": None, "error": None}
               for s in sides}  # fmt: skip
    smallest = files[min(files)]
    for k in per_round:
        for s in sides:
            rec = records[s["name"]]
            if rec["error"] or (s.get("once") and rec["times"]):
                continue
            limit = max(args.memory_limit, HUGE_MEMORY_LIMIT) if n >= HUGE else args.memory_limit
            spec = {**s["spec"], "reps": s.get("reps", k), "data": files[n], "warm": smallest,
                    "memory_limit": limit}  # fmt: skip
            out = run_worker(spec)
            rec["error"] = out.get("error")
            rec["times"] += out.get("times", [])
            rec["peak_mb"] = max(rec["peak_mb"], out.get("peak_mb") or 0.0)
            if out.get("base_mb") is not None:
                rec["base_mb"] = out["base_mb"]
            if "methods" in out:
                rec["methods"] = out["methods"]
    result = []
    for rec in records.values():
        rec.pop("spec")
        rec["median"] = statistics.median(rec["times"]) if rec["times"] else None
        shown = f"{rec['median']:.4f} s" if rec["median"] is not None else rec["error"]
        log(f"  {rec['name']:<28} n={n:>9,}: {shown}  (peak {rec['peak_mb']:.0f} MB)")
        result.append(rec)
    return result


def time_commands(commands: dict[str, list[str]], reps: int, log, *, fresh_dir=False) -> dict:
    """Wall time of fresh processes, the commands interleaved; medians."""
    times: dict[str, list[float]] = {k: [] for k in commands}
    errors: dict[str, str] = {}
    for _ in range(reps):
        for name, cmd in commands.items():
            if name in errors:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                argv = [a.replace("{tmp}", tmp) for a in cmd] if fresh_dir else cmd
                t0 = time.perf_counter()
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
                elapsed = time.perf_counter() - t0
            if proc.returncode != 0:
                errors[name] = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]
                errors[name] = f"exit {proc.returncode}: {errors[name][0]}"
                continue
            times[name].append(elapsed)
    out = {}
    for name in commands:
        med = statistics.median(times[name]) if times[name] else None
        out[name] = {"command": " ".join(commands[name]), "times": times[name], "median": med,
                     "error": errors.get(name)}  # fmt: skip
        log(f"  {name:<40} {f'{med:.3f} s' if med is not None else errors.get(name)}")
    return out


def measure_imports(cfg, log) -> dict:
    py = sys.executable
    deps = _report.required_import_names(ROOT / "pyproject.toml")
    commands = {
        "python (no import)": [py, "-c", "pass"],
        "import b12cohort": [py, "-c", "import b12cohort"],
        "import numpy, pandas": [py, "-c", "import numpy, pandas"],
        "required dependencies": [py, "-c", "import " + ", ".join(deps)],
        "analysis stack": [py, "-c", STACK],
        "import b12cohort + load_example()": [
            py,
            "-c",
            "import b12cohort; b12cohort.load_example()",
        ],
    }
    log("imports (fresh processes)")
    out = {
        "required_dependencies": deps,
        "commands": time_commands(commands, cfg["import_reps"], log),
    }
    probe = subprocess.run(
        [py, "-X", "importtime", "-c", "import sys, b12cohort; print(len(sys.modules), 'pandas' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    n_modules, has_pandas = probe.stdout.split()
    out["b12cohort_importtime_us"] = _report.importtime_cumulative(probe.stderr, "b12cohort")
    out["modules_after_import"] = int(n_modules)
    out["pandas_imported_by_import"] = has_pandas == "True"
    return out


KERNEL = "import ipykernel.kernelapp, matplotlib_inline.backend_inline, " + STACK[len("import ") :]


def measure_report(cfg, log) -> dict:
    if cfg["report_reps"] == 0:
        return {"skipped": "not run in smoke mode"}
    py = sys.executable
    log("report (fresh processes)")
    commands = {
        "b12cohort report --out tmp": [py, "-m", "b12cohort", "report", "--out", "{tmp}/report"],
        "analysis stack import": [py, "-c", STACK],
        "kernel imports + analysis stack": [py, "-c", KERNEL],
    }
    out = time_commands(commands, cfg["report_reps"], log, fresh_dir=True)
    if cfg["profile"] and out["b12cohort report --out tmp"]["median"] is not None:
        out["profile"] = _report_profile(py)
        log(f"  report profile: {out['profile']}")
        out["notebooks"] = _notebook_times(py)
        log(f"  notebooks' own work: {out['notebooks']}")
    return out


_NOTEBOOK = """
import builtins, runpy, sys, time
builtins.display = lambda *a, **k: None  # IPython's display, outside a kernel
t0 = time.perf_counter()
{stack}
t1 = time.perf_counter()
runpy.run_path(sys.argv[1], run_name="__main__")
print(t1 - t0, time.perf_counter() - t1)
"""


def _notebook_times(py: str) -> dict:
    """Each report notebook run as a plain script in a fresh process: seconds after the stack import.

    The notebooks' own work, without a kernel; lazy imports of b12cohort's modules are
    counted in every notebook (a shared kernel pays them once).
    """
    from importlib import resources

    out = {}
    from b12cohort._bundled import bundled_file

    folder = bundled_file("notebooks", "01_cleaning_validation.py").parent
    for script in sorted(p for p in folder.iterdir() if p.name.endswith(".py")):
        with tempfile.TemporaryDirectory() as tmp, resources.as_file(script) as path:
            proc = subprocess.run(
                [py, "-c", _NOTEBOOK.format(stack=STACK), str(path)],
                capture_output=True, text=True, cwd=tmp, timeout=900,
                env={**os.environ, "MPLBACKEND": "Agg"},
            )  # fmt: skip
        last = proc.stdout.strip().splitlines()[-1:] if proc.returncode == 0 else []
        out[script.name] = float(last[0].split()[1]) if last else f"failed (exit {proc.returncode})"
    return out


def _report_profile(py: str) -> dict:
    """Where the report's wall time goes: the main process's work vs waiting for the kernels."""
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "report.prof"
        cmd = [
            py,
            "-m",
            "cProfile",
            "-o",
            str(prof),
            "-m",
            "b12cohort",
            "report",
            "--out",
            f"{tmp}/r",
        ]
        subprocess.run(cmd, capture_output=True, check=True, timeout=1800)
        stats = pstats.Stats(str(prof))
        total = stats.total_tt
        waiting = sum(
            tt
            for (_, _, func), (_, _, tt, _, _) in stats.stats.items()
            if "poll" in func or "select" in func
        )
        try:  # the report's own list (private; the count of executed notebooks otherwise)
            from b12cohort.report._notebooks import NOTEBOOKS

            notebooks = len(NOTEBOOKS)
        except ImportError:
            notebooks = len(list((Path(tmp) / "r").rglob("*.ipynb")))
    return {"total_s": total, "waiting_for_kernels_s": waiting, "main_process_s": total - waiting,
            "notebooks": notebooks}  # fmt: skip


def measure_ffh(cfg, args, log) -> dict:
    log("Fisher-Freeman-Halton, 2 x 4 tables")
    ours = run_worker({"task": "ffh", "ffh_n": cfg["ffh_n"], "ffh_reps": cfg["ffh_reps"],
                       "memory_limit": args.memory_limit})  # fmt: skip
    r = (
        _report.r_fisher([ffh_table(n) for n in cfg["ffh_n"]], cfg["ffh_reps"])
        if not args.no_r
        else None
    )
    rows = []
    for k, row in enumerate(ours.get("ffh", [])):
        rr = r[k] if r else {"error": "R not run"}
        row["r"] = rr
        log(f"  N={row['n']:>6}: ours {row['method']:<11} {row['median'] * 1e3:8.2f} ms   R "
            + (f"{rr['median'] * 1e3:8.2f} ms" if rr.get("median") is not None else str(rr.get("error"))))  # fmt: skip
        rows.append(row)
    return {"tables": rows, "r_version": _report.r_version() if not args.no_r else None,
            "error": ours.get("error")}  # fmt: skip


def groups_at(n: int, cfg: dict) -> list[list[dict]]:
    """The measurements at size n, as groups of contenders that alternate."""
    groups = [
        [{"name": "simulate_cohort", "spec": {"task": "simulate"}},
         {"name": "simulate_cohort(validate=False)", "spec": {"task": "simulate_raw"}}],
        [{"name": "pandas.read_csv utf8", "spec": {"task": "read_csv", "dialect": "utf8"}},
         {"name": "load_cohort utf8", "spec": {"task": "load_cohort", "dialect": "utf8"}}],
        [{"name": "pandas.read_csv cp1251", "spec": {"task": "read_csv", "dialect": "cp1251"}},
         {"name": "load_cohort cp1251", "spec": {"task": "load_cohort", "dialect": "cp1251"}}],
        [{"name": "prevalence", "spec": {"task": "prevalence"}}],
    ]  # fmt: skip
    pair = [{"name": "table_one", "spec": {"task": "table_one"}}]
    if n <= 10**5:
        pair.append({"name": "table_one(max_work=10**7)", "spec": {"task": "table_one_exact"}})
    if n <= cfg["tableone_max"]:
        tableone = {"name": "tableone.TableOne", "spec": {"task": "tableone"}}
        if n >= 10**6:
            tableone |= {"reps": 1, "once": True}  # about a minute a run: one run
        pair.append(tableone)
    groups.append(pair)
    lean = cfg.get("lean_from") or HUGE
    if n <= cfg["association_max"] or n >= lean:
        groups.append([{"name": "association_summary", "spec": {"task": "association_summary"}}])
    if n >= lean:  # the scaling table's columns only, once each
        groups = [[s for s in g if s["name"] in HUGE_MEASUREMENTS] for g in groups]
        groups = [[dict(s, reps=1) for s in g] for g in groups if g]
    return groups


def measure_load_goal(cfg, files, directory: Path, args, log) -> dict:
    """Goal 2 of issue 18: whole-process time and memory, and the calls of one load."""
    out = {}
    cache = directory / "pycache"
    n = cfg["fresh_n"]
    if n in files:
        log(f"load_cohort vs pandas.read_csv, whole processes, n = {n:,} (time)")
        out["fresh_load"] = _fresh.measure(files[n], cfg["fresh_reps"], warm=files[min(files)],
                                           cache=cache, memory_limit=args.memory_limit, log=log)  # fmt: skip
    n = cfg["memory_n"]
    if n == cfg["fresh_n"] and "fresh_load" in out:
        out["fresh_memory"] = out["fresh_load"]  # the same processes' peaks
    elif n in files:
        log(f"load_cohort vs pandas.read_csv, whole processes, n = {n:,} (peak memory)")
        limit = max(args.memory_limit, HUGE_MEMORY_LIMIT) if n >= HUGE else args.memory_limit
        out["fresh_memory"] = _fresh.measure(files[n], cfg["memory_reps"], warm=files[min(files)],
                                             cache=cache, memory_limit=limit, log=log)  # fmt: skip
    sizes = [n for n in cfg["calls_n"] if n in files]
    if sizes:
        got = run_worker({"task": "load_calls", "files": [files[n] for n in sizes],
                          "memory_limit": args.memory_limit})  # fmt: skip
        out["load_calls"] = got.get("load_calls") or []
        for c in out["load_calls"]:
            log(f"  load_cohort n={c['n']:>9,}: {c['calls']:,} Python calls, "
                f"check_unique {c['check_unique_calls']}x")  # fmt: skip
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repetitions; up to 10^6 rows")
    mode.add_argument("--smoke", action="store_true", help="tiny sizes, end to end")
    parser.add_argument(
        "--out",
        help="results JSON (default benchmarks/results.json; -quick/-smoke for those modes)",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="rewrite the results of benchmarks/README.md and the README's Speed section",
    )
    parser.add_argument("--data-dir", help="keep (and reuse) the generated files here")
    parser.add_argument("--max-rows", type=int, help="leave out the sizes above this")
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=8.0,
        help="GiB of address space per worker (default 8)",
    )
    parser.add_argument("--no-r", action="store_true", help="skip R fisher.test")
    parser.add_argument("--profile", action="store_true", help="also profile the largest loads")
    parser.add_argument(
        "--no-goal-modules", action="store_true", help="do not run benchmarks/goal_*.py"
    )
    parser.add_argument(
        "--goal-dir",
        default=str(HERE),
        help="where the goal_*.py modules are (default: benchmarks/)",
    )
    parser.add_argument(
        "--lean-from",
        type=int,
        help="from this size on, only the scaling table's measurements, once each (a short run)",
    )
    parser.add_argument(
        "--resume",
        metavar="JSON",
        help="keep a stopped run's measurements; measure the other sizes",
    )
    parser.add_argument(
        "--scaling-max", type=int, help="in-process measurements only up to this size"
    )
    parser.add_argument(
        "--no-stack", action="store_true", help="skip the import, report and R measurements"
    )
    parser.add_argument("--render-only", metavar="JSON", help="only recompute a run's verdicts")
    parser.add_argument(
        "--goal-json",
        action="append",
        default=[],
        metavar="JSON",
        help="with --render-only: a goal module's --json rows replace that module's rows",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _fresh.cached_bytecode()  # every process started from here caches its bytecode
    if args.worker:
        print(json.dumps(_worker.worker(json.loads(args.worker))))
        return 0
    if args.render_only:  # verdicts and READMEs again from a finished run's JSON
        path = Path(args.render_only)
        results = json.loads(path.read_text(encoding="utf-8"))
        results["measurements"] = [dict(m, n=int(m["n"])) for m in results["measurements"]]
        results.setdefault("goal_modules", [])  # a run stopped early: what it measured
        results["goal_modules"] = _goals.fold(results["goal_modules"], args.goal_json)
        results.setdefault("elapsed_s", 0.0)
        results["environment"].setdefault("load_average_end", list(os.getloadavg()))
        finish(results, path, readme=args.readme)
        return 0
    name = "smoke" if args.smoke else "quick" if args.quick else "full"
    cfg = dict(MODES[name])
    if args.profile:
        cfg["profile"] = True
    if args.lean_from:
        cfg["lean_from"] = args.lean_from
    if args.max_rows:
        cfg["sizes"] = [n for n in cfg["sizes"] if n <= args.max_rows]
        cfg["memory_n"] = min(cfg["memory_n"], max(cfg["sizes"]))
    args.memory_limit = int(args.memory_limit * 2**30)
    out_path = Path(args.out) if args.out else HERE / (
        "results.json" if name == "full" else f"results-{name}.json"
    )  # fmt: skip
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:7.1f}s] {msg}", flush=True)

    results = {"mode": name, "config": cfg, "environment": _report.environment(ROOT),
               "measurements": []}  # fmt: skip
    done: set[tuple] = set()  # (name, n) measured by the run resumed
    if args.resume:  # the earlier run's measurements, by size; its environment is recorded too
        earlier = json.loads(Path(args.resume).read_text(encoding="utf-8"))
        results["measurements"] = [dict(m, n=int(m["n"])) for m in earlier["measurements"]]
        results["resumed_from"] = {"environment": earlier["environment"], "path": args.resume}
        done = {(m["name"], m["n"]) for m in results["measurements"] if m["median"] is not None}
        results["measurements"] = [
            m for m in results["measurements"] if (m["name"], m["n"]) in done
        ]  # a failed measurement is measured again
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.data_dir or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        files: dict[int, dict] = {}
        for n in cfg["sizes"]:  # each size's data made (or found) just before it is measured
            files |= make_data([n], directory, log)
            results["files"] = {
                k: {x: v for x, v in f.items() if x.endswith("_mb")} for k, f in files.items()
            }
            if n > (args.scaling_max or n):
                continue
            log(f"n = {n:,}")
            for sides in groups_at(n, cfg):
                if all((s["name"], n) in done for s in sides):
                    continue  # a group runs again whole when any side is missing: side by side
                results["measurements"] = [
                    m for m in results["measurements"]
                    if not (m["n"] == n and m["name"] in {s["name"] for s in sides})
                ]  # fmt: skip
                results["measurements"] += measure(sides, n, files, cfg, args, log)
            out_path.write_text(json.dumps(results, default=str) + "\n", encoding="utf-8")  # so far
        results |= measure_load_goal(cfg, files, directory, args, log)
        if cfg["profile"]:
            largest = min(max(cfg["sizes"]), 10**6)
            results["profiles"] = {}
            for label, spec, n in [
                ("load_cohort utf8", {"task": "load_cohort", "dialect": "utf8"}, largest),
                ("load_cohort cp1251", {"task": "load_cohort", "dialect": "cp1251"}, largest),
                ("table_one", {"task": "table_one"}, 10**5),
            ]:
                if n in files:
                    spec = {**spec, "profile": True, "reps": 1, "data": files[n], "warm": files[min(files)],
                            "memory_limit": args.memory_limit}  # fmt: skip
                    results["profiles"][f"{label} n={n}"] = run_worker(spec).get("profile")
                    log(f"profiled {label} at n={n:,}")
    if not args.no_stack:
        results["imports"] = measure_imports(cfg, log)
        results["report"] = measure_report(cfg, log)
        results["ffh"] = measure_ffh(cfg, args, log)
    out_path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    results["goal_modules"] = _goals.discover(
        name, log, skip=args.no_goal_modules, folder=Path(args.goal_dir)
    )
    results["environment"]["load_average_end"] = list(os.getloadavg())
    results["elapsed_s"] = time.time() - started
    finish(results, out_path, readme=args.readme, log=log)
    return 0


def finish(results: dict, out_path: Path, *, readme: bool, log=print) -> None:
    """Goals and verdicts from the measurements; the JSON; the printout; the READMEs."""
    results["goals"] = _report.goals(results)
    results["issue18_goals"] = _goals.issue_goals(results, results["goal_modules"])
    out_path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    log(f"wrote {out_path}")
    print("\nIssue 18 goals:")
    for g in results["issue18_goals"]:
        ratio = "" if g.get("ratio") is None else f" (ratio {g['ratio']:.3g})"
        print(f"  {g['goal']}\n      {g['measured']}\n      -> {_goals.shout(g['verdict'])}{ratio}")
        for line in str(g.get("detail") or "").splitlines():
            print(f"         {line}")
        print(f"         [from {_goals.run_label(g)}]")
    if readme:
        _report.update_readme(HERE / "README.md", results)
        _goals.update_speed(ROOT / "README.md", results)
        log(f"updated {HERE / 'README.md'} and {ROOT / 'README.md'} (Speed)")


if __name__ == "__main__":
    sys.exit(main())
