"""The worker side of benchmarks/run.py: one measurement in a fresh Python process.

``python benchmarks/run.py --worker SPEC`` runs :func:`worker` on the JSON ``SPEC`` and
prints its result as one JSON line. Each worker makes one untimed warm-up call on the
smallest data set (lazy imports and caches), then times its repetitions, and reports its
peak resident memory (``VmHWM``) above the level reached after set-up.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def ffh_table(n: int) -> list[list[int]]:
    """A deterministic 2 x 4 table of n infants (sign yes/no x anaemia grade)."""
    cols = [round(n * p) for p in FFH_COLUMNS]
    cols[2] += n - sum(cols)
    top = [round(c * p) for c, p in zip(cols, FFH_SIGN, strict=True)]
    return [top, [c - t for c, t in zip(cols, top, strict=True)]]


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
    if spec["task"] == "load_calls":
        return _load_calls(spec)
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


def _load_calls(spec: dict) -> dict:
    """Python function calls made by ``load_cohort`` on each file of ``spec["files"]``.

    Vectorised per-row work shows as a number of calls that does not grow with the rows
    (pandas' chunked C parser adds a few per chunk); a Python loop over the rows of any
    one column adds at least one call per row. Also counted: the uniqueness checks.
    """
    import cProfile
    import pstats
    import warnings

    import b12cohort

    warnings.simplefilter("ignore")
    out = []
    for f in spec["files"]:
        b12cohort.load_cohort(f["utf8"])  # warm-up: lazy imports
        prof = cProfile.Profile()
        prof.runcall(b12cohort.load_cohort, f["utf8"])
        stats = pstats.Stats(prof).stats
        calls = sum(nc for (_cc, nc, _tt, _ct, _callers) in stats.values())
        unique = sum(
            nc
            for (file, _line, func), (_cc, nc, *_rest) in stats.items()
            if func == "check_unique" and file.endswith("validation.py")
        )
        out.append({"n": f["n"], "calls": calls, "check_unique_calls": unique})
    return {"load_calls": out, "error": None}
