"""Helpers of benchmarks/run.py: the environment, R's fisher.test, the goals, the README table."""

from __future__ import annotations

import itertools
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "b12cohort",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "tableone",
    "openpyxl",
)
START, END = "<!-- results:start -->", "<!-- results:end -->"


# ---------------------------------------------------------------------------------------
# environment
# ---------------------------------------------------------------------------------------
def _run(cmd, **kw) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def r_version() -> str | None:
    out = _run(["Rscript", "-e", "cat(R.version.string)"]).strip()
    return out or None


def environment(root: Path) -> dict:
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    dirty = _run(["git", "-C", str(root), "status", "--porcelain", "--", "b12cohort"])
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "r": r_version(),
        "git_commit": _run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]).strip(),
        "uncommitted_package_files": [line[3:] for line in dirty.splitlines()],
        "load_average_start": list(os.getloadavg()),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS"),
    }


def required_import_names(pyproject: Path) -> list[str]:
    """Top-level import names of the project's required dependencies (pyproject.toml)."""
    import tomllib

    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return [
        re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].strip().lower().replace("-", "_") for d in deps
    ]


def importtime_cumulative(stderr: str, package: str) -> int | None:
    """Cumulative microseconds of ``package`` in ``python -X importtime`` output."""
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == package:
            return int(parts[1].strip())
    return None


# ---------------------------------------------------------------------------------------
# R
# ---------------------------------------------------------------------------------------
_R_FISHER = r"""
tabs <- list(%s)
reps <- %d
for (k in seq_along(tabs)) {
  tab <- tabs[[k]]
  line <- tryCatch({
    p <- fisher.test(tab)$p.value
    t1 <- system.time(fisher.test(tab))[["elapsed"]]
    kk <- max(1, ceiling(0.05 / max(t1, 1e-4)))
    times <- sapply(seq_len(reps), function(i)
      system.time(for (j in seq_len(kk)) fisher.test(tab))[["elapsed"]] / kk)
    sprintf("%%d\t%%.17g\t%%s\t", k, p, paste(format(times, digits = 6), collapse = ","))
  }, error = function(e) sprintf("%%d\tNA\t\t%%s", k, gsub("[\t\n]+", " ", conditionMessage(e))))
  cat(line, "\n", sep = "")
}
"""


def r_fisher(tables: list[list[list[int]]], reps: int) -> list[dict]:
    """R ``fisher.test`` (default workspace) on each table: p-value and per-call seconds.

    Timed inside R with ``system.time`` over batches of >= 0.05 s (R start-up excluded);
    median of ``reps`` batches.
    """
    mats = ", ".join(
        f"matrix(c({', '.join(str(v) for col in zip(*t, strict=True) for v in col)}), nrow = {len(t)})"
        for t in tables
    )
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(_R_FISHER % (mats, reps))
        script = fh.name
    try:
        out = subprocess.run(["Rscript", script], capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        return [{"error": f"Rscript failed: {exc}"} for _ in tables]
    finally:
        os.unlink(script)
    rows = [{"error": "no output from R"} for _ in tables]
    for line in out.stdout.splitlines():
        k, p, times, err = ([*line.split("\t"), "", "", ""])[:4]
        if not k.strip().isdigit():
            continue
        i = int(k) - 1
        if p == "NA":
            rows[i] = {"error": err.strip(), "call": "fisher.test(tab)"}
        else:
            ts = [float(x) for x in times.split(",")]
            rows[i] = {"p_value": float(p), "times": ts, "median": statistics.median(ts),
                       "call": "fisher.test(tab)", "error": None}  # fmt: skip
    return rows


# ---------------------------------------------------------------------------------------
# goals
# ---------------------------------------------------------------------------------------
def _median(results: dict, name: str, n: int, stat=None):
    for m in results["measurements"]:
        if m["name"] == name and m["n"] == n:
            if stat is not None:
                return (stat(m["times"]) if m["times"] else None), m.get("error")
            return m["median"], m.get("error")
    return None, "not measured"


def _ratio_goal(results, goal, ours, theirs, n, limit, profile_key=None) -> dict:
    a, ea = _median(results, ours, n)
    b, eb = _median(results, theirs, n)
    row = {"goal": goal, "limit": limit, "n": n}
    if a is None or b is None:
        row.update(status="NOT MEASURED", measured=ea or eb, ratio=None)
        return row
    ratio = a / b
    a_min, _ = _median(results, ours, n, min)
    b_min, _ = _median(results, theirs, n, min)
    row.update(
        ratio=ratio,
        ratio_of_minima=a_min / b_min,
        status="MET" if ratio <= limit else "MISSED",
        measured=f"{ours} {a:.3g} s / {theirs} {b:.3g} s = {ratio:.2f}x at n = {n:,} "
        f"(fastest runs: {a_min / b_min:.2f}x)",
    )
    prof = (results.get("profiles") or {}).get(profile_key or "")
    if row["status"] == "MISSED" and prof:
        row["profile_top"] = [
            f"{p['function']}: {p['tottime']:.2f} s ({100 * p['share']:.0f}%)" for p in prof[:5]
        ]
    return row


def goals(results: dict) -> list[dict]:
    sizes = results["config"]["sizes"]
    big = max(sizes)
    mid = 10**5 if 10**5 in sizes else big
    out = [
        _ratio_goal(results, "load_cohort <= 2x read_csv (UTF-8 comma)", "load_cohort utf8",
                    "pandas.read_csv utf8", big, 2.0, f"load_cohort utf8 n={big}"),
        _ratio_goal(results, "load_cohort <= 2x read_csv (cp1251 messy export)", "load_cohort cp1251",
                    "pandas.read_csv cp1251", big, 2.0, f"load_cohort cp1251 n={big}"),
        _ratio_goal(results, "table_one <= 0.1x tableone", "table_one", "tableone.TableOne", mid, 0.1,
                    f"table_one n={mid}"),
        _ratio_goal(results, "table_one <= 0.1x tableone, every Fisher-Freeman-Halton p exact",
                    "table_one(max_work=10**7)", "tableone.TableOne", mid, 0.1),
    ]  # fmt: skip
    imp = results.get("imports", {}).get("commands", {})
    a = (imp.get("import b12cohort") or {}).get("median")
    b = (imp.get("required dependencies") or {}).get("median")
    base = (imp.get("python (no import)") or {}).get("median")
    row = {"goal": "import b12cohort <= 1.2x import of its required dependencies", "limit": 1.2}
    if a and b:
        net = (a - base) / (b - base) if base is not None and b > base else None
        row.update(
            ratio=a / b,
            status="MET" if a / b <= 1.2 else "MISSED",
            measured=f"{a:.3f} s / {b:.3f} s = {a / b:.2f}x (fresh processes)"
            + (f"; net of interpreter start-up {net:.2f}x" if net is not None else ""),
        )
    else:
        row.update(status="NOT MEASURED", measured="import timings missing", ratio=None)
    out.append(row)
    out.append(_exact_goal(results))
    rep = results.get("report", {})
    row = {"goal": "report <= 3x the analysis stack's import time", "limit": 3.0}
    r = rep.get("b12cohort report --out tmp") or {}
    s = rep.get("analysis stack import") or {}
    if r.get("median") and s.get("median"):
        ratio = r["median"] / s["median"]
        row.update(ratio=ratio, status="MET" if ratio <= 3 else "MISSED",
                   measured=f"{r['median']:.2f} s / {s['median']:.2f} s = {ratio:.1f}x")  # fmt: skip
        prof = rep.get("profile")
        if prof:
            row["measured"] += (
                f" (profile of one run: {prof['total_s']:.1f} s, of which {prof['waiting_for_kernels_s']:.1f} s "
                f"waiting for the Jupyter kernels executing {prof['notebooks']} notebooks)"
            )
    else:
        why = rep.get("skipped") or r.get("error") or "not measured"
        row.update(status="NOT MEASURED", measured=why, ratio=None)
    out.append(row)
    return out


def _exact_goal(results: dict) -> dict:
    rows = (results.get("ffh") or {}).get("tables") or []
    row = {"goal": "exact tests stay exact where feasible and report when not"}
    if not rows:
        row.update(status="NOT MEASURED", measured="no Fisher-Freeman-Halton timings")
        return row
    problems = []
    for t in rows:
        r_ok = (t.get("r") or {}).get("error") is None
        if t["method"] != "exact" and r_ok:
            problems.append(f"N = {t['n']}: Monte Carlo although R's exact fisher.test runs")
        if t["method"] != "exact" and not t["approximation_warning"]:
            problems.append(f"N = {t['n']}: switched to {t['method']} without ApproximationWarning")
        if (
            t["method"] == "exact"
            and r_ok
            and abs(t["p_value"] - t["r"]["p_value"])
            > 1e-6 * max(t["r"]["p_value"], 1e-300) + 1e-12
        ):
            problems.append(f"N = {t['n']}: p = {t['p_value']:.6g}, R {t['r']['p_value']:.6g}")
    exact = [t["n"] for t in rows if t["method"] == "exact"]
    switched = [t["n"] for t in rows if t["method"] != "exact"]
    r_failed = [t["n"] for t in rows if (t.get("r") or {}).get("error")]
    text = f"2x4 tables exact up to N = {max(exact):,}" if exact else "no exact result"
    if switched:
        text += (
            f"; Monte Carlo (recorded in .method, ApproximationWarning) from N = {min(switched):,}"
        )
    if r_failed:
        text += f"; R fisher.test (default workspace) fails from N = {min(r_failed):,}"
    for m in results["measurements"]:
        if m["name"].startswith("table_one") and m.get("methods"):
            exact, mc = m["methods"].get("exact", 0), m["methods"].get("monte-carlo", 0)
            text += f"; {m['name']} n = {m['n']:,}: FFH exact {exact}, Monte Carlo {mc}"
    row.update(status="MISSED" if problems else "MET", measured=text, problems=problems)
    return row


# ---------------------------------------------------------------------------------------
# markdown
# ---------------------------------------------------------------------------------------
def _s(x, scale: float = 1.0) -> str:
    """Three significant figures (seconds; ``scale=1e3`` for milliseconds)."""
    if x is None:
        return "–"
    v = x * scale
    return f"{v:.0f}" if v >= 100 else f"{v:.3g}"


def _pairs(results):
    return [
        ("load_cohort utf8", "pandas.read_csv utf8", "`load_cohort` vs `pandas.read_csv`, UTF-8 comma file"),
        ("load_cohort cp1251", "pandas.read_csv cp1251", "`load_cohort` vs `pandas.read_csv`, cp1251 messy export (`;`, decimal comma)"),
        ("table_one", "tableone.TableOne", "`table_one(by=\"anemia_grade\")` vs `TableOne(..., groupby=\"anemia_grade\", pval=True)`"),
        ("table_one(max_work=10**7)", "tableone.TableOne", "`table_one(by=\"anemia_grade\", max_work=10**7)` (every Fisher–Freeman–Halton p exact) vs `TableOne`"),
        ("simulate_cohort", "simulate_cohort(validate=False)", "`simulate_cohort` (validated) vs its raw frame"),
        ("prevalence", None, "`prevalence` (all yes/no columns)"),
        ("association_summary", None, "`association_summary`"),
    ]  # fmt: skip


def render(results: dict) -> str:
    env = results["environment"]
    sizes = results["config"]["sizes"]
    meas = {(m["name"], m["n"]): m for m in results["measurements"]}
    lines = [
        f"Run: `python benchmarks/run.py{'' if results['mode'] == 'full' else ' --' + results['mode']}` "
        f"on {env['date_utc']}, {results['elapsed_s'] / 60:.0f} min.",
        "",
        f"- Machine: {env['cpu']}, {env['cores']} cores (shared with other jobs: load average "
        f"{env['load_average_start'][0]:.1f} at the start, {env['load_average_end'][0]:.1f} at the end), "
        f"{env['ram_gib']:.0f} GiB RAM, {env['os']}",
        f"- Python {env['python']}; " + ", ".join(f"{k} {v}" for k, v in env["packages"].items() if v),
        f"- {env['r'] or 'R not found'}",
        f"- b12cohort at commit {env['git_commit']}"
        + (f" with uncommitted changes in {', '.join(env['uncommitted_package_files'])}" if env["uncommitted_package_files"] else ""),
        "",
        *([results["note"], ""] if results.get("note") else []),
        "Median wall time in seconds of repeated runs, each measurement in a fresh "
        "process after an untimed warm-up; peak = peak resident memory of the process above its level "
        "after set-up, MB.",
        "",
    ]  # fmt: skip
    for ours, theirs, title in _pairs(results):
        if not any((ours, n) in meas for n in sizes):
            continue
        lines += [f"#### {title}", ""]
        if theirs:
            lines += [
                "| rows | ours | reference | ratio | ours peak | reference peak |",
                "|---:|---:|---:|---:|---:|---:|",
            ]
        else:
            lines += ["| rows | time | peak |", "|---:|---:|---:|"]
        for n in sizes:
            a = meas.get((ours, n))
            if a is None:
                continue
            pa = f"{a['peak_mb'] - (a['base_mb'] or 0):.0f}" if a["times"] else "–"
            ta = _s(a["median"]) if a["median"] is not None else f"failed: {a['error']}"
            if theirs:
                b = meas.get((theirs, n))
                tb = (
                    (_s(b["median"]) if b["median"] is not None else f"failed: {b['error']}")
                    if b
                    else "not run"
                )
                ratio = (
                    f"{a['median'] / b['median']:.2f}" if b and a["median"] and b["median"] else "–"
                )
                pb = f"{b['peak_mb'] - (b['base_mb'] or 0):.0f}" if b and b["times"] else "–"
                lines.append(f"| {n:,} | {ta} | {tb} | {ratio} | {pa} | {pb} |")
            else:
                lines.append(f"| {n:,} | {ta} | {pa} |")
        lines.append("")
    lines += (
        _growth(results, sizes, meas) + _imports(results) + _report_rows(results) + _ffh(results)
    )
    if results.get("issue18_goals"):
        import _goals

        lines += ["#### Issue 18: every goal, measured ratio and verdict", "",
                  _goals.runs_line(results), "",
                  *_goals.goal_table(results["issue18_goals"]), "",
                  "#### Scaling (issue 18, goal 5)", "",
                  *_goals.scaling_table(results, results.get("goal_modules") or []), ""]  # fmt: skip
    lines += ["#### Standing goals (issue 7)", "", "| goal | measured | status |", "|---|---|---|"]
    for g in results["goals"]:
        extra = ""
        if g.get("profile_top"):
            extra = "<br>profile (tottime): " + "; ".join(g["profile_top"][:3])
        if g.get("problems"):
            extra = "<br>" + "; ".join(g["problems"])
        lines.append(f"| {g['goal']} | {g['measured']}{extra} | **{g['status']}** |")
    return "\n".join(lines) + "\n"


def _growth(results, sizes, meas) -> list[str]:
    steps = [(a, b) for a, b in itertools.pairwise(sizes) if b == 10 * a]
    if not steps:
        return []
    names = list(dict.fromkeys(m["name"] for m in results["measurements"]))
    out = ["#### Growth per 10x more rows (time ratio)", "",
           "| measurement | " + " | ".join(f"{a:,} -> {b:,}" for a, b in steps) + " |",
           "|---|" + "---:|" * len(steps)]  # fmt: skip
    for name in names:
        cells = []
        for a, b in steps:
            x, y = meas.get((name, a)), meas.get((name, b))
            ok = x and y and x["median"] and y["median"]
            cells.append(f"{y['median'] / x['median']:.1f}" if ok else "–")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*out, ""]


def _imports(results) -> list[str]:
    imp = results.get("imports")
    if not imp:
        return []
    out = ["#### Import time (fresh processes, median)", "", "| command | time |", "|---|---:|"]
    for name, c in imp["commands"].items():
        out.append(f"| `{name}` | {_s(c['median']) if c['median'] is not None else c['error']} |")
    out += ["", f"Required dependencies (pyproject.toml): {', '.join(imp['required_dependencies'])}. "
            f"`python -X importtime`: b12cohort {imp['b12cohort_importtime_us'] / 1e3:.1f} ms cumulative; "
            f"{imp['modules_after_import']} modules loaded after `import b12cohort`, pandas "
            f"{'among them' if imp['pandas_imported_by_import'] else 'not among them'}.", ""]  # fmt: skip
    return out


def _report_rows(results) -> list[str]:
    rep = results.get("report") or {}
    if rep.get("skipped"):
        return []
    out = ["#### Report (fresh processes, median)", "", "| command | time |", "|---|---:|"]
    for name, c in rep.items():
        if name in ("profile", "notebooks"):
            continue
        out.append(f"| `{name}` | {_s(c['median']) if c['median'] is not None else c['error']} |")
    nbs = rep.get("notebooks")
    if nbs:
        cells = ", ".join(
            f"{k[:-3]} {_s(v) if isinstance(v, float) else v}" for k, v in nbs.items()
        )
        out += [
            "",
            f"The notebooks' own work (each run as a plain script after the stack import, s): {cells}.",
        ]
    return [*out, ""]


def _ffh(results) -> list[str]:
    f = results.get("ffh") or {}
    if not f.get("tables"):
        return []
    out = ["#### Fisher–Freeman–Halton, 2 x 4 tables (per call; R timed inside R, start-up excluded)", "",
           "| N | table | ours: method | ours, ms | R `fisher.test`, ms | ratio | p ours | p R |",
           "|---:|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for t in f["tables"]:
        r = t.get("r") or {}
        rt = (
            _s(r["median"], 1e3)
            if r.get("median") is not None
            else f"error: {(r.get('error') or '')[:60]}"
        )
        ratio = f"{t['median'] / r['median']:.1f}" if r.get("median") else "–"
        rp = f"{r['p_value']:.4g}" if r.get("p_value") is not None else "–"
        out.append(
            f"| {t['n']:,} | {t['table']} | {t['method']} | {_s(t['median'], 1e3)} | {rt} | {ratio} | {t['p_value']:.4g} | {rp} |"
        )
    return [*out, ""]


def update_readme(path: Path, results: dict) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{render(results)}{END}{tail}", encoding="utf-8")
