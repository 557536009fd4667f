"""Issue 18, goals 3 and 4: the exact engines against R, and Table 1 against tableone.

```
python benchmarks/goal_exact.py            # full: R per-call ratios, Table 1 at 10^5 and 10^6
python benchmarks/goal_exact.py --quick    # fewer rounds, Table 1 at 10^5 only
python benchmarks/goal_exact.py --smoke    # tiny: end to end in seconds (the test suite runs it)
```

Goal 3: small exact tests within 2x R per call. Each case is timed as many calls inside
one process: R (``Rscript``; ``fisher.test(tab)`` and ``wilcox.test(x, y, conf.int = TRUE)``
in a loop, ``proc.time()`` CPU seconds) and ours (``fisher_exact_table(tab)`` and
``compare_groups(frame, value=, by=)`` in a loop, ``time.process_time()``), R and ours
alternating in rounds so that load from other jobs hits both. CPU time, not wall time,
because the machine is shared. The ratio of a case is ours / R (medians over rounds);
the goal's ratio is the worst case. The p-values of both are printed side by side.

Goal 4: ``table_one(frame, by="anemia_grade", variables=..., max_work=10**7)`` (the
Fisher-Freeman-Halton budget that keeps every categorical row exact) against
``tableone.TableOne(..., groupby="anemia_grade", pval=True)`` on
``simulate_cohort(n, random_state=2022, missing=0.05)``, alternating, CPU time; the
detail lists which rows were exact and which were not (and what ran instead).

``run(mode)`` returns one dict per goal with ``goal`` (its number first), ``number``,
``measured, target, ratio, verdict``, ``detail`` (lines of words) and ``records`` (every
case measured); ``benchmarks/run.py`` collects it. Nothing here is asserted in a timed test.
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
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT_NAME = Path(__file__).name
ROOT = HERE.parent
for _path in (ROOT, HERE):  # run from a checkout without installing; benchmarks/_goals.py
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

MODES = {
    "full": {"rounds": 5, "budget": 0.3, "t1_sizes": [10**5, 10**6], "t1_reps": 3},
    "quick": {"rounds": 3, "budget": 0.15, "t1_sizes": [10**5], "t1_reps": 2},
    "smoke": {"rounds": 1, "budget": 0.01, "t1_sizes": [500], "t1_reps": 1},
}
CONTINUOUS = ["age_months", "hb_g_l", "rbc_10e12_l", "mcv_fl", "b12_pg_ml", "folate_ng_ml",
              "homocysteine_umol_l"]  # fmt: skip
CATEGORICAL = ["sex", "hypotonia", "adynamia", "developmental_delay", "developmental_regression",
               "hyporeflexia", "seizures", "tremor_before_treatment",
               "involuntary_movements_on_treatment", "brain_atrophy", "exclusive_breastfeeding",
               "maternal_b12_low"]  # fmt: skip
#: Small tables of goal 3 (rows as lists): 2x2 to 3x4, N <= 100.
FISHER_CASES = {
    "2x2 N=8": [[3, 1], [1, 3]],
    "2x2 N=100": [[20, 30], [35, 15]],
    "2x3 N=20": [[2, 3, 1], [5, 1, 8]],
    "2x3 N=100": [[10, 20, 15], [25, 12, 18]],
    "2x4 N=19": [[1, 2, 4, 2], [1, 3, 4, 2]],
    "2x4 N=100": [[3, 10, 20, 10], [7, 15, 25, 10]],
    "3x3 N=50": [[5, 3, 8], [6, 2, 7], [4, 9, 6]],
    "3x4 N=30": [[2, 3, 1, 4], [1, 2, 4, 3], [3, 1, 2, 4]],
    "3x4 N=100": [[5, 10, 9, 4], [3, 2, 6, 15], [8, 7, 12, 19]],
}
#: Exact Wilcoxon cases: two groups of n without ties.
WILCOX_N = [10, 25, 49]
TARGET_R = 2.0
TARGET_TABLEONE = 0.1

_R_SCRIPT = r"""
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }
per_call <- function(f, budget) {
  f(); t0 <- cpu(); k <- 0
  repeat { f(); k <- k + 1; if (cpu() - t0 >= budget) break }
  (cpu() - t0) / k
}
cases <- jsonlite::fromJSON(commandArgs(TRUE)[1], simplifyVector = FALSE)
budget <- as.numeric(commandArgs(TRUE)[2])
out <- list()
for (name in names(cases$fisher)) {
  rows <- cases$fisher[[name]]
  tab <- do.call(rbind, lapply(rows, unlist))
  out[[name]] <- list(p = fisher.test(tab)$p.value,
                      s = per_call(function() fisher.test(tab), budget))
}
for (name in names(cases$wilcox)) {
  g <- cases$wilcox[[name]]
  x <- unlist(g$x); y <- unlist(g$y)
  out[[name]] <- list(p = wilcox.test(x, y, conf.int = TRUE)$p.value,
                      s = per_call(function() wilcox.test(x, y, conf.int = TRUE), budget))
}
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def _wilcox_samples(n: int) -> dict:
    """Two groups of n distinct values (no ties), the second shifted up."""
    import numpy as np

    rng = np.random.default_rng(20220801 + n)
    values = rng.permutation(np.arange(2 * n) * 1.0 + 0.5)
    x, y = values[:n] + 3.25, values[n:]  # R: wilcox.test(x = second group, y = first)
    return {"x": x.tolist(), "y": y.tolist()}


def _cases() -> dict:
    wilcox = {f"wilcoxon exact n={n}+{n}": _wilcox_samples(n) for n in WILCOX_N}
    return {"fisher": FISHER_CASES, "wilcox": wilcox}


def _cpu_per_call(call, budget: float) -> float:
    call()
    t0 = time.process_time()
    k = 0
    while True:
        call()
        k += 1
        if time.process_time() - t0 >= budget:
            return (time.process_time() - t0) / k


def _ours(cases: dict, budget: float) -> dict:
    import pandas as pd

    from b12cohort.stats.contingency import fisher_exact_table
    from b12cohort.stats.rank_tests import compare_groups

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, table in cases["fisher"].items():
            out[name] = {
                "p": fisher_exact_table(table).p_value,
                "method": fisher_exact_table(table).method,
                "s": _cpu_per_call(lambda t=table: fisher_exact_table(t), budget),
            }
        for name, g in cases["wilcox"].items():
            frame = pd.DataFrame(
                {"v": g["y"] + g["x"], "g": [False] * len(g["y"]) + [True] * len(g["x"])}
            )
            res = compare_groups(frame, value="v", by="g")
            out[name] = {
                "p": res.p_value,
                "method": res.method,
                "s": _cpu_per_call(lambda f=frame: compare_groups(f, value="v", by="g"), budget),
            }
    return out


def _r(cases: dict, budget: float) -> dict | str:
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(_R_SCRIPT)
        script = fh.name
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(cases, fh)
        data = fh.name
    try:
        proc = subprocess.run(
            ["Rscript", script, data, str(budget)], capture_output=True, text=True, timeout=1800
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Rscript failed: {exc}"
    finally:
        Path(script).unlink()
        Path(data).unlink()
    if proc.returncode != 0:
        return f"Rscript failed: {proc.stderr.strip()[-300:]}"
    return json.loads(proc.stdout)


def goal_small(mode: str, log=print) -> dict:
    cfg = MODES[mode]
    cases = _cases()
    ours, theirs = [], []
    for k in range(cfg["rounds"]):
        r = _r(cases, cfg["budget"])
        if isinstance(r, str):
            return {"goal": "exact tests on small inputs <= 2x R per call", "measured": r,
                    "target": f"<= {TARGET_R}x", "ratio": None, "verdict": "NOT MEASURED",
                    "detail": []}  # fmt: skip
        theirs.append(r)
        ours.append(_ours(cases, cfg["budget"]))
        log(f"  round {k + 1}/{cfg['rounds']} done")
    detail = []
    for name in [*cases["fisher"], *cases["wilcox"]]:
        a = statistics.median(o[name]["s"] for o in ours)
        b = statistics.median(t[name]["s"] for t in theirs)
        p_ours, p_r = ours[0][name]["p"], theirs[0][name]["p"]
        detail.append({
            "case": name, "ours_ms": a * 1e3, "r_ms": b * 1e3, "ratio": a / b,
            "method": ours[0][name]["method"], "p_ours": p_ours, "p_r": p_r,
            "p_rel_diff": abs(p_ours - p_r) / max(abs(p_r), 1e-300),
        })  # fmt: skip
    worst = max(detail, key=lambda d: d["ratio"])
    return {
        "goal": "exact tests on small inputs <= 2x R per call (fisher_exact_table 2x2-3x4 "
        "N <= 100, exact Wilcoxon with HL CI n <= 50)",
        "measured": f"worst {worst['case']}: {worst['ours_ms']:.3f} ms vs R {worst['r_ms']:.3f} ms",
        "target": f"<= {TARGET_R}x R (CPU time per call, medians of {cfg['rounds']} rounds)",
        "ratio": worst["ratio"],
        "verdict": "MET" if worst["ratio"] <= TARGET_R else "MISSED",
        "detail": detail,
    }


_T1_WORKER = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[1])
import pandas as pd
spec = json.loads(sys.argv[2])
frame = pd.read_pickle(spec["frame"])
cont, cat = spec["continuous"], spec["categorical"]
if spec["side"] == "ours":
    import b12cohort
    def call():
        return b12cohort.table_one(frame, by="anemia_grade", variables=cont + cat,
                                   max_work=spec["max_work"])
else:
    from tableone import TableOne
    frame = frame.assign(anemia_grade=frame["anemia_grade"].cat.remove_unused_categories())
    def call():
        return TableOne(frame, columns=cont + cat, categorical=cat, groupby="anemia_grade",
                        pval=True)
call()  # warm-up: imports, caches
times = []
for _ in range(spec["reps"]):
    t0 = time.process_time(); out = call(); times.append(time.process_time() - t0)
rows = None
if spec["side"] == "ours":
    rows = out.tests[["variable", "test", "method", "note"]].to_dict("records")
print(json.dumps({"times": times, "rows": rows}))
"""


def _t1(side: str, frame: Path, reps: int, max_work: int) -> dict:
    spec = {"side": side, "frame": str(frame), "reps": reps, "max_work": max_work,
            "continuous": CONTINUOUS, "categorical": CATEGORICAL}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", _T1_WORKER, str(ROOT), json.dumps(spec)],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def goal_table_one(mode: str, log=print) -> dict:
    cfg = MODES[mode]
    from b12cohort.cohort.simulate import simulate_cohort

    try:
        import tableone  # noqa: F401

        have_tableone = True
    except ImportError:
        have_tableone = False
    detail = []
    ratio = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in cfg["t1_sizes"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                path = Path(tmp) / f"cohort_{n}.pkl"
                simulate_cohort(n=n, random_state=2022, missing=0.05).to_pickle(path)
            first = n == cfg["t1_sizes"][0]
            ours_t, theirs_t, rows = [], [], None
            for _ in range(cfg["rounds"] if first else 1):
                o = _t1("ours", path, cfg["t1_reps"], 10**7)
                if "error" in o:
                    return {"goal": "table_one", "measured": o["error"], "target": "",
                            "ratio": None, "verdict": "NOT MEASURED", "detail": detail}  # fmt: skip
                ours_t += o["times"]
                rows = o["rows"]
                if first and have_tableone:
                    t = _t1("tableone", path, cfg["t1_reps"], 0)
                    theirs_t += t.get("times", [])
            tested = [r for r in rows if r["test"] != "none"]
            exact = [r["variable"] for r in tested if r["method"] == "exact"]
            other = [f"{r['variable']} ({r['test']}: {r['method']}; {r.get('note') or 'no reason given'})"
                     for r in tested if r["method"] != "exact"]  # fmt: skip
            entry = {"n": n, "ours_s": statistics.median(ours_t),
                     "tableone_s": statistics.median(theirs_t) if theirs_t else None,
                     "rows_tested": len(tested), "rows_exact": exact, "rows_not_exact": other,
                     "untested": [r["variable"] for r in rows if r["test"] == "none"]}  # fmt: skip
            if entry["tableone_s"]:
                entry["ratio"] = entry["ours_s"] / entry["tableone_s"]
                if first:
                    ratio = entry["ratio"]
            detail.append(entry)
            log(f"  table_one n={n:,}: {entry['ours_s']:.3f} s"
                + (f" vs tableone {entry['tableone_s']:.3f} s" if entry["tableone_s"] else "")
                + f"; exact {len(exact)}/{len(tested)} tested rows")  # fmt: skip
    first = detail[0]
    ffh_all_exact = all(
        r.split(" (")[1].startswith("Kruskal") for r in first["rows_not_exact"]
    )  # every categorical (Fisher-Freeman-Halton) row exact
    if ratio is None:
        verdict, measured = "NOT MEASURED", "tableone not installed (pip install tableone)"
    else:
        met = ratio <= TARGET_TABLEONE and ffh_all_exact
        verdict = "MET" if met else "MISSED"
        measured = (
            f"n = {first['n']:,}: {first['ours_s']:.3f} s vs tableone "
            f"{first['tableone_s']:.3f} s; exact rows {len(first['rows_exact'])} of "
            f"{first['rows_tested']} tested"
        )
    return {
        "goal": "table_one(by='anemia_grade') at 10^5 rows, every Fisher-Freeman-Halton p "
        "exact, <= 0.1x tableone; exact rows at 10^6 listed",
        "measured": measured,
        "target": f"<= {TARGET_TABLEONE}x tableone (CPU time), no Monte Carlo row",
        "ratio": ratio,
        "verdict": verdict,
        "detail": detail,
    }


def _case(d: dict) -> str:
    return f"{d['case']}: {d['ours_ms']:.3g} ms vs R {d['r_ms']:.3g} ms ({d['ratio']:.2f}x)"


def _small_detail(records: list[dict]) -> str:
    """Goal 3 in words: the worst case, the cases over the target, the p-values against R's."""
    if not records:
        return ""
    worst = max(records, key=lambda d: d["ratio"])
    over = [d for d in records if d["ratio"] > TARGET_R and d is not worst]
    lines = [f"worst {_case(worst)}"]
    if over:
        lines.append(f"also over {TARGET_R:g}x: " + "; ".join(map(_case, over)))
    else:
        lines.append(f"no other case over {TARGET_R:g}x")
    methods = sorted({d["method"] for d in records})
    diff = max(d["p_rel_diff"] for d in records)
    lines.append(f"{len(records)} cases, method {', '.join(methods)}; p-values = R's within "
                 f"{diff:.1g} relative")  # fmt: skip
    return "\n".join(lines)


def _table_one_detail(records: list[dict]) -> str:
    """Goal 4 in words: per size, the exact rows on one line, the others on the next."""
    lines = []
    for d in records:
        lines.append(f"n = {d['n']:,}: {d['ours_s']:.3g} s; exact ({len(d['rows_exact'])} of "
                     f"{d['rows_tested']}): {', '.join(d['rows_exact']) or '-'}")  # fmt: skip
        lines.append(f"n = {d['n']:,}, not exact: {', '.join(d['rows_not_exact']) or '-'}")
    if records and not any(d["n"] == 10**6 for d in records):
        lines.append("n = 1,000,000: not run here (only the full mode runs it)")
    return "\n".join(lines)


def finalise(rows: list[dict]) -> list[dict]:
    """Raw rows (``detail`` = the records) as run.py shows them: numbered goal, words, records."""
    out = []
    for number, row, words in zip((3, 4), rows, (_small_detail, _table_one_detail), strict=True):
        records = row["detail"] if isinstance(row["detail"], list) else row.get("records", [])
        goal = row["goal"] if row["goal"].startswith(f"{number} ") else f"{number} {row['goal']}"
        out.append({**row, "goal": goal, "number": number, "detail": words(records),
                    "records": records})  # fmt: skip
    return out


def run(mode: str = "full", log=print) -> list[dict]:
    """Measure goals 3 and 4 of issue 18; one dict per goal (see the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    import _fresh

    _fresh.cached_bytecode()  # the Table 1 workers are fresh processes
    log("goal 3: small exact tests vs R")
    rows = [goal_small(mode, log)]
    log("goal 4: table_one vs tableone")
    rows.append(goal_table_one(mode, log))
    return finalise(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true")
    group.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    import _goals

    started, load = _goals._now(), os.getloadavg()[0]
    results = _goals.stamp(run(mode), SCRIPT_NAME, mode, started, load)
    for row in results:
        ratio = f"{row['ratio']:.3g}x" if row["ratio"] is not None else "-"
        print(f"\n[{row['verdict']}] {row['goal']}\n  {row['measured']}; ratio {ratio}; "
              f"target {row['target']}")  # fmt: skip
        for d in row["records"]:
            if "case" in d:
                print(f"    {d['case']:<24} ours {d['ours_ms']:8.3f} ms  R {d['r_ms']:8.3f} ms"
                      f"  {d['ratio']:6.2f}x  {d['method']:<11} p {d['p_ours']:.6g} "
                      f"(R {d['p_r']:.6g})")  # fmt: skip
            else:
                print(f"    n = {d['n']:,}: exact: {', '.join(d['rows_exact']) or '-'}")
                print(f"      not exact: {', '.join(d['rows_not_exact']) or '-'}")
                print(f"      not tested: {', '.join(d['untested']) or '-'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
