"""Time load_cohort against a bare pandas.read_csv of the same file, side by side.

    python benchmarks/loader/bench.py [--repeat 3] [--profile] FILE...

Each measurement runs in a fresh subprocess (so peak memory is per run and caches of
one reader do not help the other), with its imports done before the clock starts. The
two readers alternate; reported are medians, the ratio load_cohort / read_csv, the CPU
time (user + system, all threads) and the peak resident memory (ru_maxrss) of each child.

The "bare" read is what a user would type: ``pd.read_csv(path)`` for a UTF-8 comma file,
``pd.read_csv(path, sep=";", decimal=",", encoding="cp1251")`` for a Russian export;
``load_cohort`` gets the column mapping ``FILE.columns.json`` when there is one (the
messy exports of ``b12cohort.cohort.export.write_export``). ``--profile`` prints a cProfile
of one load_cohort run instead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, warnings
from pathlib import Path
path, what = sys.argv[1], sys.argv[2]
mapping = Path(path).with_suffix(".columns.json")
import pandas as pd
from b12cohort import load_cohort  # imports the loader modules outside the timing
warnings.simplefilter("ignore")
with open(path, "rb") as fh:
    head = fh.read(4096)
kw = {}
if what == "read_csv" and b";" in head.split(b"\n")[0]:
    kw = {"sep": ";", "decimal": ",", "encoding": "cp1251"}
r0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
if what == "read_csv":
    frame = pd.read_csv(path, **kw)
else:
    frame = load_cohort(path, columns=mapping if mapping.exists() else None)
elapsed = time.perf_counter() - t
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rows": len(frame),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(path: str, what: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, path, what], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_mb() -> float:
    """Peak memory of a child that only imports pandas and b12cohort."""
    code = "import resource, pandas, b12cohort; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if args.profile:
        import cProfile
        import pstats
        import warnings

        import b12cohort

        warnings.simplefilter("ignore")
        for f in args.files:
            prof = cProfile.Profile()
            mapping = Path(f).with_suffix(".columns.json")
            prof.runcall(b12cohort.load_cohort, f, columns=mapping if mapping.exists() else None)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        return
    base = baseline_mb()
    print(f"import-only peak memory: {base:.0f} MB")
    for f in args.files:
        times = {"read_csv": [], "load_cohort": []}
        cpu = {"read_csv": [], "load_cohort": []}
        peak = {"read_csv": [], "load_cohort": []}
        for _ in range(args.repeat):
            for what in times:
                r = run(f, what)
                times[what].append(r["seconds"])
                cpu[what].append(r["cpu"])
                peak[what].append(r["peak_mb"])
        rc, lc = (statistics.median(times[w]) for w in ("read_csv", "load_cohort"))
        rcpu, lcpu = (statistics.median(cpu[w]) for w in ("read_csv", "load_cohort"))
        print(
            f"{f}: read_csv {rc:.2f} s (CPU {rcpu:.2f} s, peak {max(peak['read_csv']):.0f} MB), "
            f"load_cohort {lc:.2f} s (CPU {lcpu:.2f} s, peak {max(peak['load_cohort']):.0f} MB), "
            f"ratio {lc / rc:.2f}  [runs: read_csv {', '.join(f'{t:.2f}' for t in times['read_csv'])}; "
            f"load_cohort {', '.join(f'{t:.2f}' for t in times['load_cohort'])}]"
        )


if __name__ == "__main__":
    main()
