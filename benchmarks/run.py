#!/usr/bin/env python
"""Benchmarks of b12cohort against the tools it stands in for.

    python benchmarks/run.py            # the published run: benchmarks/results.json
    python benchmarks/run.py --quick    # fewer repetitions, no tableone at 10^6
    python benchmarks/run.py --smoke    # tiny sizes, end to end in seconds (for the tests)
    python benchmarks/run.py --readme   # also rewrite the results section of README.md

Every measurement runs in a fresh Python process (``--worker``), which reports the wall
times of its repetitions (after one untimed warm-up call on small data, so that lazy
imports are not timed) and its peak resident memory (``ru_maxrss``) above the level
reached after set-up. Paired measurements (ours and theirs) alternate in rounds, so that
a burst of load from other processes on this shared machine hits both. Medians are
reported. Workers run under an address-space limit (``--memory-limit``) so that a
runaway measurement fails with MemoryError instead of exhausting the machine.

The synthetic data come from :func:`b12cohort.cohort.simulate.simulate_cohort` (seed 2022,
5% of optional cells missing) and :func:`b12cohort.cohort.export.write_export`.
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

import _report  # noqa: E402  (benchmarks/_report.py: environment, goals, markdown)

SEED = 2022
CONTINUOUS = ["age_months", "hb_g_l", "rbc_10e12_l", "mcv_fl", "b12_pg_ml", "folate_ng_ml",
              "homocysteine_umol_l"]  # fmt: skip
CATEGORICAL = ["sex", "hypotonia", "adynamia", "developmental_delay", "developmental_regression",
               "hyporeflexia", "seizures", "tremor_before_treatment",
               "involuntary_movements_on_treatment", "brain_atrophy", "exclusive_breastfeeding",
               "maternal_b12_low"]  # fmt: skip
# 2 x 4 tables (sign x anaemia grade none/mild/moderate/severe) with a mild trend
FFH_COLUMNS = (0.10, 0.25, 0.45, 0.20)
FFH_SIGN = (0.30, 0.38, 0.45, 0.52)
STACK = "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"

MODES = {
    "full": {
        "sizes": [10**3, 10**4, 10**5, 10**6],
        "reps": {10**3: 7, 10**4: 7, 10**5: 6, 10**6: 6},
        "rounds": 3,
        "tableone_max": 10**6,
        "association_max": 10**6,
        "import_reps": 9,
        "report_reps": 5,
        "ffh_n": [19, 100, 500, 2_000, 5_000, 10_000, 20_000],
        "ffh_reps": 7,
        "profile": True,
    },
    "quick": {
        "sizes": [10**3, 10**4, 10**5, 10**6],
        "reps": {10**3: 3, 10**4: 3, 10**5: 3, 10**6: 2},
        "rounds": 1,
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
# worker side: one measurement in a fresh process
# =======================================================================================
def _maxrss_mb() -> float:
    """Peak resident memory of this process, MB.

    ``VmHWM`` of /proc/self/status belongs to this process's own address space; the
    ``ru_maxrss`` of ``getrusage`` survives ``exec`` on Linux and would report the peak of
    the parent that started the worker. ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _operation(spec: dict, data: dict):
    """The callable to time for ``spec`` on the files in ``data``, and a summary of a result."""
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")
    task = spec["task"]
    if task == "read_csv":
        if spec["dialect"] == "utf8":
            return (lambda: pd.read_csv(data["utf8"])), None
        return (lambda: pd.read_csv(data["cp1251"], sep=";", decimal=",", encoding="cp1251")), None
    import b12cohort

    if task == "load_cohort":
        if spec["dialect"] == "utf8":
            return (lambda: b12cohort.load_cohort(data["utf8"])), None
        return (lambda: b12cohort.load_cohort(data["cp1251"], columns=data["mapping"])), None
    if task in ("simulate", "simulate_raw"):
        from b12cohort.cohort.simulate import simulate_cohort

        validate = task == "simulate"
        return (lambda: simulate_cohort(n=data["n"], random_state=SEED, validate=validate)), None
    frame = pd.read_pickle(data["frame"])
    if task == "table_one":

        def methods(t1):
            return t1.tests["method"].value_counts().to_dict()

        return (
            lambda: b12cohort.table_one(
                frame, by="anemia_grade", variables=CONTINUOUS + CATEGORICAL
            )
        ), methods
    if task == "table_one_exact":  # fisher_exact_table's own budget: every FFH p exact

        def methods(t1):
            return t1.tests["method"].value_counts().to_dict()

        return (
            lambda: b12cohort.table_one(
                frame, by="anemia_grade", variables=CONTINUOUS + CATEGORICAL, max_work=10**7
            )
        ), methods
    if task == "tableone":
        from tableone import TableOne

        # tableone does not drop empty groups (the paper's design has no "none" grade)
        # and then tests nothing; ours drops them itself, so this is not timed
        frame = frame.assign(anemia_grade=frame["anemia_grade"].cat.remove_unused_categories())
        return (
            lambda: TableOne(
                frame,
                columns=CONTINUOUS + CATEGORICAL,
                categorical=CATEGORICAL,
                groupby="anemia_grade",
                pval=True,
            )
        ), None
    if task == "prevalence":
        return (lambda: b12cohort.prevalence(frame)), None
    if task == "association_summary":

        def methods(table):
            return (table["test"] + ": " + table["method"].astype(str)).value_counts().to_dict()

        return (lambda: b12cohort.association_summary(frame)), methods
    raise ValueError(f"unknown task {task!r}")


def _ffh_worker(spec: dict) -> dict:
    import warnings

    from b12cohort.core.errors import ApproximationWarning
    from b12cohort.stats.contingency import fisher_exact_table

    out = []
    for n in spec["ffh_n"]:
        table = ffh_table(n)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = fisher_exact_table(table)
        warned = any(issubclass(w.category, ApproximationWarning) for w in caught)
        times = _per_call_times(lambda t=table: fisher_exact_table(t), spec["ffh_reps"])
        out.append(
            {
                "n": n,
                "table": table,
                "method": res.method,
                "p_value": res.p_value,
                "work": int(getattr(res, "work", 0) or 0),
                "approximation_warning": warned,
                "times": times,
                "median": statistics.median(times),
            }
        )
    return {"ffh": out}


def _per_call_times(call, reps: int, budget: float = 0.05) -> list[float]:
    """Median-ready per-call times: each repetition times a batch lasting >= budget seconds."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        call()
        single = time.perf_counter() - t0
        k = max(1, int(budget / max(single, 1e-6)))
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(k):
                call()
            times.append((time.perf_counter() - t0) / k)
    return times


def _profile(op, top: int = 20) -> list[dict]:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(op)
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _) in stats.stats.items():
        where = file.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        rows.append(
            {"function": f"{where}:{line}({func})", "ncalls": nc, "tottime": tt, "cumtime": ct}
        )
    rows.sort(key=lambda r: r["tottime"], reverse=True)
    total = sum(r["tottime"] for r in rows)
    return [dict(r, share=r["tottime"] / total) for r in rows[:top]]


def worker(spec: dict) -> dict:
    if spec.get("memory_limit"):
        import resource

        limit = int(spec["memory_limit"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if spec["task"] == "ffh":
        return _ffh_worker(spec)
    result: dict = {"error": None}
    try:
        warm, _ = _operation(spec, spec["warm"])
        warm()  # lazy imports, caches
        op, summarise = _operation(spec, spec["data"])
        if spec.get("profile"):
            return {"profile": _profile(op), "error": None}
        base = _maxrss_mb()
        times = []
        out = None
        for _ in range(spec["reps"]):
            t0 = time.perf_counter()
            out = op()
            times.append(time.perf_counter() - t0)
        result.update(times=times, base_mb=base, peak_mb=_maxrss_mb())
        if summarise is not None:
            result["methods"] = summarise(out)
    except MemoryError:
        result["error"] = (
            f"MemoryError under the {spec.get('memory_limit', 0) / 2**30:.0f} GiB address-space limit"
        )
        result["peak_mb"] = _maxrss_mb()
    return result


# =======================================================================================
# parent side
# =======================================================================================
def ffh_table(n: int) -> list[list[int]]:
    """A deterministic 2 x 4 table of n infants (sign yes/no x anaemia grade)."""
    cols = [round(n * p) for p in FFH_COLUMNS]
    cols[2] += n - sum(cols)
    top = [round(c * p) for c, p in zip(cols, FFH_SIGN, strict=True)]
    return [top, [c - t for c, t in zip(cols, top, strict=True)]]


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
    """Exports and pickled canonical frames for every size."""
    import warnings

    from b12cohort.cohort.export import write_export
    from b12cohort.cohort.simulate import simulate_cohort

    files = {}
    for n in sizes:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = simulate_cohort(n=n, random_state=SEED, missing=0.05, validate=False)
            cohort = simulate_cohort(n=n, random_state=SEED, missing=0.05)
        utf8 = write_export(raw, path=directory / f"cohort_{n}_utf8.csv")
        messy = write_export(
            raw, path=directory / f"cohort_{n}_cp1251.csv", dialect="cp1251-semicolon"
        )
        frame = directory / f"cohort_{n}.pkl"
        cohort.to_pickle(frame)
        files[n] = {
            "n": n,
            "utf8": str(utf8.data),
            "cp1251": str(messy.data),
            "mapping": str(messy.columns),
            "frame": str(frame),
            "utf8_mb": utf8.data.stat().st_size / 2**20,
            "cp1251_mb": messy.data.stat().st_size / 2**20,
        }
        log(f"data n={n:>9,}: {time.perf_counter() - t0:.1f} s")
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
            if rec["error"]:
                continue
            spec = {**s["spec"], "reps": s.get("reps", k), "data": files[n], "warm": smallest,
                    "memory_limit": args.memory_limit}  # fmt: skip
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repetitions; tableone up to 10^5")
    mode.add_argument("--smoke", action="store_true", help="tiny sizes, end to end")
    parser.add_argument(
        "--out",
        help="results JSON (default benchmarks/results.json; -quick/-smoke for those modes)",
    )
    parser.add_argument(
        "--readme", action="store_true", help="rewrite the results section of benchmarks/README.md"
    )
    parser.add_argument(
        "--data-dir", help="keep the generated files here (default: a temporary folder)"
    )
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=8.0,
        help="GiB of address space per worker (default 8)",
    )
    parser.add_argument("--no-r", action="store_true", help="skip R fisher.test")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    name = "smoke" if args.smoke else "quick" if args.quick else "full"
    cfg = MODES[name]
    args.memory_limit = int(args.memory_limit * 2**30)
    out_path = (
        Path(args.out)
        if args.out
        else HERE / ("results.json" if name == "full" else f"results-{name}.json")
    )
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:7.1f}s] {msg}", flush=True)

    results = {
        "mode": name,
        "config": cfg,
        "environment": _report.environment(ROOT),
        "measurements": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.data_dir or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        files = make_data(cfg["sizes"], directory, log)
        results["files"] = {
            n: {k: v for k, v in f.items() if k.endswith("_mb")} for n, f in files.items()
        }
        for n in cfg["sizes"]:
            log(f"n = {n:,}")
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
                pair.append(
                    {"name": "table_one(max_work=10**7)", "spec": {"task": "table_one_exact"}}
                )
            if n <= cfg["tableone_max"]:
                tableone = {"name": "tableone.TableOne", "spec": {"task": "tableone"}}
                if n >= 10**6:
                    tableone["reps"] = 1  # about a minute a run (one per round)
                pair.append(tableone)
            groups.append(pair)
            if n <= cfg["association_max"]:
                groups.append(
                    [{"name": "association_summary", "spec": {"task": "association_summary"}}]
                )
            for sides in groups:
                results["measurements"] += measure(sides, n, files, cfg, args, log)
        if cfg["profile"]:
            largest = max(cfg["sizes"])
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
    results["imports"] = measure_imports(cfg, log)
    results["report"] = measure_report(cfg, log)
    results["ffh"] = measure_ffh(cfg, args, log)
    results["environment"]["load_average_end"] = list(os.getloadavg())
    results["elapsed_s"] = time.time() - started
    results["goals"] = _report.goals(results)
    out_path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    log(f"wrote {out_path}")
    for g in results["goals"]:
        log(f"  {g['status']:<8} {g['goal']}: {g['measured']}")
    if args.readme:
        _report.update_readme(HERE / "README.md", results)
        log(f"updated {HERE / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
