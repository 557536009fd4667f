"""Issue 18's goals for benchmarks/run.py: verdicts, the other goal modules, the scaling table.

A goal row is a dict with the keys ``goal``, ``measured``, ``target``, ``ratio``,
``verdict`` and ``detail``. run.py computes goals 2, 4 and 5 from its own measurements;
every ``benchmarks/goal_*.py`` module exposing ``run(mode) -> list[dict]`` adds its rows
(goal 1, the report, from goal_report.py; goal 3, the exact tests, from goal_exact.py).
A module's row may carry ``scaling = {rows: {"time_s": ..., "peak_mb": ...}}`` and
``scaling_label``: that column then joins the scaling table. A module's row for a goal
run.py also measures (same leading number) replaces run.py's.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEED = ("<!-- speed:start -->", "<!-- speed:end -->")
SCALING = [  # (measurement in run.py, column title)
    ("load_cohort utf8", "load_cohort"),
    ("table_one", "table_one"),
    ("association_summary", "association_summary"),
]


def verdict(ratio: float | None, target: float) -> str:
    """ "met (x% under)" or "not met (by x%)" for a ratio that must not exceed ``target``."""
    if ratio is None:
        return "not measured"
    if ratio <= target:
        return f"met ({100 * (1 - ratio / target):.0f}% under the target)"
    return f"not met (by {100 * (ratio / target - 1):.0f}%)"


def _row(goal, measured, target, ratio, detail="") -> dict:
    return {"goal": goal, "measured": measured, "target": target, "ratio": ratio,
            "verdict": verdict(ratio, target) if isinstance(target, float) else target,
            "detail": detail}  # fmt: skip


def _number(goal) -> int | None:
    """A row's goal number: its ``number`` key, else the leading number of its ``goal``."""
    if isinstance(goal, dict):
        if goal.get("number") is not None:
            return int(goal["number"])
        goal = goal.get("goal", "")
    m = re.match(r"\s*(?:goal\s*)?(\d+)", str(goal), flags=re.IGNORECASE)
    return int(m.group(1)) if m else None


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def stamp(rows: list[dict], script: str, mode: str, started: str, load_start: float) -> list[dict]:
    """Say on each row which run measured it: script, mode, start time, load average."""
    run = {"script": script, "mode": mode, "started_utc": started,
           "load_average": [round(load_start, 1), round(os.getloadavg()[0], 1)]}  # fmt: skip
    return [{**r, "source": script, "run": r.get("run") or run} for r in rows]


def shout(verdict: str) -> str:
    """ "MET (18% under the target)": the verdict's words before any bracket in capitals."""
    head, sep, tail = str(verdict).partition("(")
    return head.upper() + sep + tail


def run_label(row: dict) -> str:
    """ "goal_exact.py --quick, 2026-12-02 02:02 UTC, load average 1.7-2.1" (or the source)."""
    run = row.get("run")
    if not run:
        return row.get("source", "-")
    mode = "" if run["mode"] == "full" else f" --{run['mode']}"
    lo, hi = sorted(run["load_average"])
    return f"{run['script']}{mode}, {run['started_utc']}, load average {lo:.1f}-{hi:.1f}"


# ---------------------------------------------------------------------------------------
# goal 2: loading
# ---------------------------------------------------------------------------------------
def _shared(block: dict, cores: int) -> bool:
    return max(block["load_average"]) >= cores


DIALECTS = (("utf8", "UTF-8"), ("cp1251", "cp1251 ';' decimal-comma"))


def _contenders(block: dict, key: str, goal: str, target: float):
    """(goal, ours, theirs) per dialect with both medians of ``key``, else an error row."""
    for dialect, title in DIALECTS:
        a = block["commands"][f"load_cohort {dialect}"]
        b = block["commands"][f"pandas.read_csv {dialect}"]
        name = goal.format(title=title, n=block["n"])
        if a[key] is None or b[key] is None:
            yield _row(name, a["error"] or b["error"], target, None), None, None
        else:
            yield name, a, b


def load_speed(results: dict) -> list[dict]:
    block = results.get("fresh_load")
    if not block:
        return [_row("2 load_cohort <= 1.5x pandas.read_csv", "not measured", 1.5, None)]
    cores = results["environment"].get("cores_available") or results["environment"]["cores"]
    shared = _shared(block, cores)
    loads = f"load average {min(block['load_average']):.1f}-{max(block['load_average']):.1f} on {cores} cores"
    how = (
        f"verdict on the CPU-time ratio: the machine was shared ({loads}), so wall time "
        "measured other jobs' scheduling"
        if shared
        else f"verdict on the wall-time ratio ({loads})"
    ) + f"; medians of {block['reps']} interleaved fresh processes"
    rows = []
    goal = "2 load_cohort <= 1.5x pandas.read_csv, {title}, whole process, n = {n:,}"
    for name, a, b in _contenders(block, "median_wall", goal, 1.5):
        if a is None:
            rows.append(name)
            continue
        wall, cpu = a["median_wall"] / b["median_wall"], a["median_cpu"] / b["median_cpu"]
        measured = (f"wall {a['median_wall']:.2f} s / {b['median_wall']:.2f} s = {wall:.2f}x; "
                    f"CPU {a['median_cpu']:.2f} s / {b['median_cpu']:.2f} s = {cpu:.2f}x")  # fmt: skip
        rows.append(_row(name, measured, 1.5, cpu if shared else wall, how))
    return rows


def load_memory(results: dict) -> list[dict]:
    block = results.get("fresh_memory")
    if not block:
        return [_row("2 peak memory <= 1.2x pandas.read_csv", "not measured", 1.2, None)]
    how = "peak resident set of the whole process (ru_maxrss), imports included"
    if block["n"] < 10**7:
        how += "; the goal is stated at 10^7 rows, measured here at fewer (not the full mode)"
    rows = []
    goal = "2 peak memory <= 1.2x pandas.read_csv, {title}, n = {n:,}"
    for name, a, b in _contenders(block, "median_peak_mb", goal, 1.2):
        if a is None:
            rows.append(name)
            continue
        ratio = a["median_peak_mb"] / b["median_peak_mb"]
        measured = f"{a['median_peak_mb']:,.0f} MB / {b['median_peak_mb']:,.0f} MB = {ratio:.2f}x"
        rows.append(_row(name, measured, 1.2, ratio, how))
    return rows


def load_vectorised(results: dict) -> list[dict]:
    calls = results.get("load_calls") or []
    goal = "2 per-row work vectorised: one uniqueness check, no Python loop over rows"
    if not calls:
        return [_row(goal, "not measured", "not measured", None)]
    calls = sorted(calls, key=lambda c: c["n"])
    small, big = calls[0], calls[-1]
    growth = ", ".join(f"{c['calls']:,} calls at n = {c['n']:,}" for c in calls)
    unique = sorted({c["check_unique_calls"] for c in calls})
    if big["n"] > small["n"]:
        per_row = (big["calls"] - small["calls"]) / (big["n"] - small["n"])
        growth += f" ({per_row:.3f} more per added row)"
        ok = per_row < 1 and unique == [1]
    else:
        ok = unique == [1]
        growth += " (one size only: growth not measured)"
    measured = f"{growth}; check_unique calls per load: {', '.join(map(str, unique))}"
    detail = ("a Python loop over the rows of one column adds >= 1 call per added row; the calls "
              "that do grow are pandas' C parser's, per chunk of rows")  # fmt: skip
    return [_row(goal, measured, "met" if ok else "not met", None, detail)]


# ---------------------------------------------------------------------------------------
# goal 4 and 5
# ---------------------------------------------------------------------------------------
def _meas(results: dict) -> dict:
    return {(m["name"], m["n"]): m for m in results["measurements"]}


def table_one_exact(results: dict) -> list[dict]:
    meas = _meas(results)
    n = 10**5 if ("table_one(max_work=10**7)", 10**5) in meas else None
    goal = "4 table_one, every Fisher-Freeman-Halton p exact, <= 0.1x tableone at 10^5"
    if n is None:
        return [_row(goal, "not measured at 10^5 rows (smoke mode)", 0.1, None)]
    a, b = meas[("table_one(max_work=10**7)", n)], meas.get(("tableone.TableOne", n))
    if not (a["median"] and b and b["median"]):
        return [_row(goal, a.get("error") or "tableone not measured", 0.1, None)]
    ratio = a["median"] / b["median"]
    methods = ", ".join(f"{k} {v}" for k, v in (a.get("methods") or {}).items())
    default = meas.get(("table_one", n), {}).get("methods") or {}
    detail = (f"rows by method with max_work=10**7: {methods}; by default: "
              + ", ".join(f"{k} {v}" for k, v in default.items()))  # fmt: skip
    measured = f"{a['median']:.3g} s / {b['median']:.3g} s = {ratio:.2f}x"
    return [_row(goal, measured, 0.1, ratio, detail)]


def _column(results: dict, name: str) -> dict[int, tuple]:
    return {n: (m["median"], m["peak_mb"] - (m["base_mb"] or 0)) for (k, n), m in _meas(results).items()
            if k == name and m["median"] is not None}  # fmt: skip


def scaling_columns(results: dict, modules: list[dict]) -> list[tuple[str, dict]]:
    cols = [(title, _column(results, name)) for name, title in SCALING]
    extra = [r for r in modules if r.get("scaling")]
    for r in extra:
        data = {int(k): (v.get("time_s"), v.get("peak_mb")) for k, v in r["scaling"].items()}
        cols.append((r.get("scaling_label", "report"), data))
    if not extra:
        cols.append(("report", {}))
    return cols


def scaling_goal(results: dict, modules: list[dict]) -> list[dict]:
    cols = scaling_columns(results, modules)
    want = [10**k for k in range(3, 8)]
    have = {title: sorted(c) for title, c in cols if c or title != "report"}
    missing = {t: [n for n in want if n not in c] for t, c in have.items()}
    measured = "; ".join(
        f"{t}: {min(c):,}-{max(c):,}" if c else f"{t}: see goal_report" for t, c in have.items()
    )
    ok = not any(missing.values())
    detail = "; ".join(
        f"{t} lacks {', '.join(f'{n:,}' for n in m)}" for t, m in missing.items() if m
    )
    if not any(r.get("scaling") for r in modules):
        measured += "; report: see goal_report (no goal module gave its scaling)"
    return [_row("5 scaling table 10^3...10^7 rows (time, peak memory, growth per 10x)",
                 measured, "met" if ok else "not met", None, detail)]  # fmt: skip


# ---------------------------------------------------------------------------------------
# the other helpers' modules
# ---------------------------------------------------------------------------------------
def discover(mode: str, log, *, skip: bool = False, folder: Path = HERE) -> list[dict]:
    """Rows of every ``goal_*.py`` in ``folder`` (``run(mode)``); a failing module gives an error row."""
    rows = []
    for path in sorted(Path(folder).glob("goal_*.py")):
        if skip:
            log(f"goal module {path.name}: skipped (--no-goal-modules)")
            continue
        log(f"goal module {path.name}")
        started, load = _now(), os.getloadavg()[0]
        try:
            spec = importlib.util.spec_from_file_location(f"_b12bench_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            got = list(module.run(mode))
        except Exception as exc:  # one broken module must not end the run
            tail = traceback.format_exception_only(exc)[-1].strip()
            got = [{"goal": f"{path.stem}", "measured": f"error: {tail}", "target": None,
                    "ratio": None, "verdict": "error", "detail": ""}]  # fmt: skip
        rows += stamp(got, path.name, mode, started, load)
    return rows


def fold(modules: list[dict], paths: list[str]) -> list[dict]:
    """``modules`` with the rows of each JSON (a goal module's ``--json``) in place of its source's."""
    for path in paths:
        got = json.loads(Path(path).read_text(encoding="utf-8"))
        sources = {r.get("source") for r in got}
        if None in sources:
            raise SystemExit(f"{path}: a row has no 'source'; write it with the module's --json")
        modules = [r for r in modules if r.get("source") not in sources] + got
    return modules


def issue_goals(results: dict, modules: list[dict]) -> list[dict]:
    """Every goal of issue 18, in order; a module's row replaces run.py's for its number."""
    ours = (load_speed(results) + load_memory(results) + load_vectorised(results)
            + table_one_exact(results) + scaling_goal(results, modules))  # fmt: skip
    taken = {_number(r) for r in modules} - {None}
    rows = [dict(r, source="run.py") for r in ours if _number(r) not in taken] + modules
    for k, title in ((1, "report at 10^5 and 10^6 rows"), (3, "small exact tests within 2x R")):
        if not any(_number(r) == k for r in rows):
            rows.append(_row(f"{k} {title}", "no benchmarks/goal_*.py module reports it",
                             "not measured", None) | {"source": "-"})  # fmt: skip
    return sorted(rows, key=lambda r: _number(r) or 99)


# ---------------------------------------------------------------------------------------
# markdown
# ---------------------------------------------------------------------------------------
def _cell(x, prev, unit: str) -> str:
    if x is None:
        return "–"
    shown = f"{x:.3g}" if unit == "s" else f"{x:,.0f}"
    if prev and x and (unit == "s" or prev >= 5):
        shown += f" (×{x / prev:.1f})"
    return shown


def scaling_table(results: dict, modules: list[dict]) -> list[str]:
    cols = scaling_columns(results, modules)
    sizes = sorted(set(results["config"]["sizes"]) | {n for _, c in cols for n in c})
    head = "| rows | " + " | ".join(f"{t}: s | {t}: MB" for t, _ in cols) + " |"
    lines = [head, "|---:|" + "---:|---:|" * len(cols)]
    for prev, n in itertools.pairwise([None, *sizes]):
        cells = []
        for _, c in cols:
            t, m = c.get(n, (None, None))
            pt, pm = c.get(prev, (None, None)) if prev and n == 10 * prev else (None, None)
            cells += [_cell(t, pt, "s"), _cell(m, pm, "MB")]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    notes = [t for t, c in cols if not c]
    lines += ["", "Median time in seconds; MB = peak resident memory above the process's level after "
              "set-up (for table_one and association_summary the loaded cohort is set-up); (×k) = growth "
              "from the row 10x smaller."]  # fmt: skip
    lines += [
        r["scaling_note"] + "." for r in modules if r.get("scaling") and r.get("scaling_note")
    ]
    if notes:
        lines.append(
            f"{', '.join(notes)}: see goal_report (benchmarks/goal_report.py not present in this run)."
        )
    if max(sizes) < 10**7:
        lines.append(
            f"Measured up to {max(sizes):,} rows in this run: 10^7 runs only in the full mode, "
            "and in this run only if the note above does not say it was left out."
        )
    return lines


def _span(values) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.1f}" if round(lo, 1) == round(hi, 1) else f"{lo:.1f}-{hi:.1f}"


def runs_line(results: dict) -> str:
    """Which run measured what, when, and the load average (1-minute) at the time."""
    env = results["environment"]
    ends = f", {env['load_average_end'][0]:.1f} at its end" if env.get("load_average_end") else ""
    parts = [f"run.py ({results.get('mode', 'full')}; the in-process scaling and the import, report "
             f"and R rows) on {env['date_utc']}, load average {env['load_average_start'][0]:.1f} "
             f"at its start{ends}"]  # fmt: skip
    if results.get("resumed_from"):
        earlier = results["resumed_from"]["environment"]
        parts[0] += (f", resuming the run of {earlier['date_utc']} (load average "
                     f"{earlier['load_average_start'][0]:.1f} at its start)")  # fmt: skip
    for key, what in (("fresh_load", "goal 2's time"), ("fresh_memory", "goal 2's memory")):
        if results.get(key):
            b = results[key]
            parts.append(f"{what} (fresh processes, n = {b['n']:,}): load average "
                         f"{_span(b['load_average'])}")  # fmt: skip
    seen = []
    for r in results.get("goal_modules") or []:
        if r.get("run") and run_label(r) not in seen:
            seen.append(run_label(r))
    parts += [f"{label} (its goals' rows)" for label in seen]
    return "Measurements by run: " + "; ".join(parts) + "."


def goal_table(rows: list[dict]) -> list[str]:
    out = ["| goal | measured | verdict | how |", "|---|---|---|---|"]
    for r in rows:
        detail = str(r.get("detail") or "").replace("\n", "<br>")
        how = "; ".join(x for x in (detail, f"from {run_label(r)}") if x)
        out.append(f"| {r['goal']} | {r['measured']} | **{r['verdict']}** | {how} |")
    return out


def update_speed(path: Path, results: dict) -> None:
    """Rewrite the README's Speed section (between the markers) with the goals and the scaling."""
    text = path.read_text(encoding="utf-8")
    if SPEED[0] not in text or SPEED[1] not in text:
        raise SystemExit(f"{path}: the markers {SPEED[0]} and {SPEED[1]} are missing")
    head, rest = text.split(SPEED[0], 1)
    _, tail = rest.split(SPEED[1], 1)
    env = results["environment"]
    body = [f"Issue 18's goals, from `python benchmarks/run.py --readme` (its own measurements on "
            f"{env['date_utc']}, commit {env['git_commit']}; {env['cores']} shared cores):", "",
            *([results["note"], ""] if results.get("note") else []),
            runs_line(results), "",
            *goal_table(results["issue18_goals"]), "", "Scaling:", "",
            *scaling_table(results, results["goal_modules"])]  # fmt: skip
    path.write_text(
        head + SPEED[0] + "\n" + "\n".join(body) + "\n" + SPEED[1] + tail, encoding="utf-8"
    )
