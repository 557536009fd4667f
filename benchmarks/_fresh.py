"""Whole-process measurements for benchmarks/run.py: ``load_cohort`` against ``pandas.read_csv``.

Each command is a fresh ``python -c`` process, the contenders interleaved (read_csv,
load_cohort, read_csv, ...) so that a burst of load from other jobs hits both. Measured
per process by ``os.wait4``: wall time, CPU time (user + system, every thread) and the
peak resident set (``ru_maxrss`` of that child alone). ``PYTHONPYCACHEPREFIX`` points at
one folder for the whole run and an untimed first run of every command fills it, so the
timed runs load cached bytecode, as an installed package does.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cached_bytecode(folder: str | os.PathLike | None = None) -> str:
    """Let every process started from here on cache its bytecode, as a user's machine does.

    These machines set ``PYTHONDONTWRITEBYTECODE``: with it, a ``PYTHONPYCACHEPREFIX`` folder
    is never filled and every fresh process compiles the package (and, under the prefix,
    every installed dependency) again, which made the stack import 8 s instead of 2 s.
    This drops it from ``os.environ`` and points ``PYTHONPYCACHEPREFIX`` at one folder
    (``folder``, the one already set, or a fixed folder under the temporary directory).
    Returns the folder.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    chosen = (
        folder
        or os.environ.get("PYTHONPYCACHEPREFIX")
        or (Path(tempfile.gettempdir()) / "b12cohort-bench-pycache")
    )
    os.environ["PYTHONPYCACHEPREFIX"] = str(chosen)
    return str(chosen)


DIALECTS = {
    "utf8": ("UTF-8 comma file", "pd.read_csv({utf8!r})", "b12cohort.load_cohort({utf8!r})"),
    "cp1251": (
        "cp1251 ';' decimal-comma export",
        "pd.read_csv({cp1251!r}, sep=';', decimal=',', encoding='cp1251')",
        "b12cohort.load_cohort({cp1251!r}, columns={mapping!r})",
    ),
}


def commands(files: dict) -> dict[str, list[str]]:
    """The four fresh-process commands on the files of one size."""
    py = sys.executable
    out = {}
    for dialect, (_title, theirs, ours) in DIALECTS.items():
        out[f"pandas.read_csv {dialect}"] = [
            py, "-W", "ignore", "-c", "import pandas as pd; " + theirs.format(**files),
        ]  # fmt: skip
        out[f"load_cohort {dialect}"] = [
            py, "-W", "ignore", "-c", "import b12cohort; " + ours.format(**files),
        ]  # fmt: skip
    return out


def run_once(argv: list[str], env: dict, memory_limit: int | None) -> dict:
    """One fresh process: wall and CPU seconds, peak MB, or the error it ended with."""

    def limit():  # pragma: no cover - runs in the child
        if memory_limit:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=err, env=env, preexec_fn=limit
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            return {"error": f"exit {proc.returncode}: {tail[0][:200]}"}
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def measure(
    files: dict, reps: int, *, warm: dict, cache: Path, memory_limit: int | None, log
) -> dict:
    """Interleaved fresh-process runs of :func:`commands`; per command the lists and medians.

    Each command first runs untimed on the ``warm`` files (the smallest size), which fills
    the bytecode cache.
    """
    cached_bytecode(cache)
    env = dict(os.environ)
    cmds = commands(files)
    for argv in commands(warm).values():
        run_once(argv, env, memory_limit)
    runs: dict[str, list[dict]] = {k: [] for k in cmds}
    loads = [os.getloadavg()[0]]
    for _ in range(reps):
        for name, argv in cmds.items():
            if runs[name] and "error" in runs[name][-1]:
                continue
            runs[name].append(run_once(argv, env, memory_limit))
        loads.append(os.getloadavg()[0])
    out = {"n": files["n"], "reps": reps, "load_average": loads, "commands": {}}
    for name, rs in runs.items():
        ok = [r for r in rs if "error" not in r]
        rec = {key: [r[key] for r in ok] for key in ("wall", "cpu", "peak_mb")} | {
            "error": next((r["error"] for r in rs if "error" in r), None)
        }
        for key in ("wall", "cpu", "peak_mb"):
            rec[f"median_{key}"] = statistics.median(rec[key]) if rec[key] else None
        out["commands"][name] = rec
        shown = (
            f"wall {rec['median_wall']:.2f} s, CPU {rec['median_cpu']:.2f} s, "
            f"peak {rec['median_peak_mb']:.0f} MB"
            if ok
            else rec["error"]
        )
        log(f"  {name:<26} n={files['n']:>10,}: {shown}")
    return out
