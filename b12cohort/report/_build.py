"""Building, checking and publishing the report folder."""

from __future__ import annotations

import asyncio
import filecmp
import json
import os
import platform
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from b12cohort.core.errors import ArgumentError, NotebookFailed, ReportError
from b12cohort.report._io import atomic_write, sha256_file
from b12cohort.report._notebooks import (
    NOTEBOOKS,
    execute,
    export_html,
    html_exporter,
    prepare,
)

#: Packages whose versions the manifest records (the report's bytes depend on them).
RECORDED_PACKAGES = (
    "b12cohort",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "openpyxl",
    "firthmodels",
    "scikit-learn",
    "tabulate",
    "jinja2",
    "nbformat",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "jupytext",
)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` produced."""

    out: Path
    files: tuple[str, ...]
    manifest: dict


def _parameters(data, columns, scheme, invalid_rows, read_kwargs, case=None) -> dict:
    return {
        "DATA": None if data is None else str(data),
        "COLUMNS": None if columns is None else str(columns),
        "SCHEME": scheme,
        "INVALID_ROWS": invalid_rows,
        "READ_OPTIONS": {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in sorted(read_kwargs.items())
            if v not in (None, (), [])
        },
        "OUT": ".",
        # the paper's case report is infant K07 of the reconstruction; users name their own
        "CASE_ID": case if case is not None else ("K07" if data is None else None),
    }


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _warm_imports():
    """Import what the main process needs later while the kernels start."""
    import jupytext  # noqa: F401
    import nbconvert  # noqa: F401


def _load_and_account(parameters: dict):
    """Validate the data in the main process (clear errors before any notebook runs)."""
    from b12cohort.cohort.eligibility import participant_flow
    from b12cohort.dictionary.metadata import load_metadata
    from b12cohort.report._cohort import report_cohort

    cohort = report_cohort(
        parameters["DATA"],
        columns=parameters["COLUMNS"],
        scheme=parameters["SCHEME"],
        invalid_rows=parameters["INVALID_ROWS"],
        **parameters["READ_OPTIONS"],
    )
    meta = load_metadata(cohort)
    flow = participant_flow(cohort)
    counts = {
        row.stage: int(flow.loc[flow["stage"] == row.stage, "n"].sum()) for row in flow.itertuples()
    }
    return meta, flow, counts


async def _build_async(build: Path, parameters: dict, jobs: int):
    from b12cohort.report._notebooks import _start_kernel, shutdown_kernel

    warm = threading.Thread(target=_warm_imports, daemon=True)
    warm.start()
    kernel_tasks = [asyncio.create_task(_start_kernel(build)) for _ in range(jobs)]
    try:
        meta, flow, counts = await asyncio.to_thread(_load_and_account, parameters)
    except BaseException:
        for t in kernel_tasks:
            await shutdown_kernel(await t)
        raise
    kernels = [await t for t in kernel_tasks]
    warm.join()
    notebooks = [(name, prepare(name, parameters)) for name in NOTEBOOKS]
    exporter = html_exporter()
    exports = []

    async def on_done(name, nb):
        async def export():
            page = await asyncio.to_thread(export_html, exporter, nb)
            atomic_write(build / "notebooks" / f"{name}.html", page)

        exports.append(asyncio.create_task(export()))

    await execute(notebooks, cwd=build, jobs=jobs, kernels=kernels, on_done=on_done)
    await asyncio.gather(*exports)
    return meta, flow, counts


def _default_jobs() -> int:
    return 1 if (os.cpu_count() or 1) < 2 else 2


def build_report(
    data=None,
    *,
    out="reports",
    columns=None,
    scheme: str = "who-2011",
    invalid_rows: str = "raise",
    case: str | None = None,
    jobs: int | None = None,
    **read_kwargs,
) -> ReportResult:
    """Build the report into ``out`` (replaced atomically, only on success).

    Parameters
    ----------
    data : path, optional
        The cohort file; the bundled reconstructed example when None.
    out : path
        Output folder (default ``./reports``).
    columns : dict or path, optional
        Column mapping, as for :func:`b12cohort.load_cohort`.
    scheme : str
        Anaemia grading scheme.
    invalid_rows : {"raise", "exclude"}
        Stop on invalid rows, or set them aside and account for them in the flow.
    case : str, optional
        patient_id of the infant to profile as a case report (K07 for the example).
    jobs : int, optional
        Kernels executing notebooks in parallel (default: 2, or 1 on a single-CPU
        machine). Each kernel imports the scientific stack once; the notebooks are split
        over the kernels by their measured cost, deterministically.
    **read_kwargs
        ``sheet``, ``encoding``, ``delimiter``, ``decimal``, ``true_values``,
        ``false_values``, as for :func:`b12cohort.load_cohort`.

    Returns
    -------
    ReportResult

    Raises
    ------
    CohortValidationError
        The data are invalid (nothing is written).
    ReportError
        A notebook failed (nothing is replaced; the message names the notebook and error).
    """
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise ArgumentError(f"--out {out} exists and is not a folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    parameters = _parameters(data, columns, scheme, invalid_rows, read_kwargs, case)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    from b12cohort.report._io import _umask

    build.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the report is an ordinary folder
    try:
        meta, flow, counts = _run(build, parameters, jobs or _default_jobs())
        from b12cohort.report._site import write_site

        write_site(build, parameters=parameters, meta=meta, flow=flow)
        manifest = _write_manifest(build, parameters=parameters, meta=meta, counts=counts)
        _swap(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    files = tuple(sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()))
    return ReportResult(out=out, files=files, manifest=manifest)


def _run(build: Path, parameters: dict, jobs: int):
    try:
        return asyncio.run(_build_async(build, parameters, jobs))
    except NotebookFailed as exc:
        from b12cohort.core.errors import CohortValidationError

        if exc.ename == "CohortValidationError":
            raise CohortValidationError(exc.evalue) from None
        raise ReportError(
            f"notebook {exc.name} failed with {exc.ename}: {exc.evalue}. The previous report was left "
            "untouched. Run the notebook interactively (notebooks/) or rerun with --debug for the traceback."
        ) from exc


def _write_manifest(build: Path, *, parameters: dict, meta, counts: dict) -> dict:
    shutil.rmtree(build / "_site", ignore_errors=True)
    outputs = {}
    for p in sorted(build.rglob("*")):
        if p.is_file() and p.name != "MANIFEST.json":
            outputs[p.relative_to(build).as_posix()] = sha256_file(p)
    manifest = {
        "generator": "b12cohort report",
        "input": {
            "source": meta.source if parameters["DATA"] is None else Path(meta.source).name,
            "sha256": meta.sha256,
            "format": meta.format,
            "encoding": meta.encoding,
            "delimiter": meta.delimiter,
            "decimal": meta.decimal,
            "sheet": meta.sheet,
            "reconstruction": parameters["DATA"] is None,
        },
        "parameters": {k: v for k, v in parameters.items() if k != "OUT"},
        "rows": {
            "assessed": counts.get("assessed", 0),
            "invalid": counts.get("invalid", 0),
            "excluded": counts.get("excluded", 0),
            "analysed": counts.get("analysed", 0),
        },
        "versions": _versions(),
        "outputs": outputs,
    }
    if parameters["DATA"] is not None:
        manifest["parameters"]["DATA"] = Path(parameters["DATA"]).name  # no local paths in outputs
    atomic_write(
        build / "MANIFEST.json",
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
    )
    return manifest


def _swap(build: Path, out: Path) -> None:
    """Replace ``out`` by ``build`` with renames only (same filesystem)."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    try:
        os.replace(build, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_report(
    out="reports",
    *,
    data=None,
    columns=None,
    scheme: str = "who-2011",
    invalid_rows: str = "raise",
    case: str | None = None,
    jobs: int | None = None,
    **read_kwargs,
) -> list[tuple[str, str]]:
    """Rebuild the report in a temporary folder and compare it with ``out`` byte for byte.

    Returns
    -------
    list of (path, problem)
        Empty when every file is identical; otherwise each differing, missing or extra
        file with ``"differs"``, ``"missing from the rebuild"`` or ``"not in the committed report"``.
    """
    out = Path(out)
    if not out.is_dir():
        raise ArgumentError(
            f"there is no report at {out} to check; build it first with `b12cohort report --out {out}`."
        )
    with tempfile.TemporaryDirectory(prefix="b12cohort-check-") as tmp:
        rebuilt = Path(tmp) / "report"
        build_report(
            data,
            out=rebuilt,
            columns=columns,
            scheme=scheme,
            invalid_rows=invalid_rows,
            case=case,
            jobs=jobs,
            **read_kwargs,
        )
        a = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        b = {p.relative_to(rebuilt).as_posix() for p in rebuilt.rglob("*") if p.is_file()}
        problems = [(f, "not in the committed report") for f in sorted(b - a)]
        problems += [(f, "missing from the rebuild") for f in sorted(a - b)]
        problems += [
            (f, "differs")
            for f in sorted(a & b)
            if not filecmp.cmp(out / f, rebuilt / f, shallow=False)
        ]
    return sorted(problems)


def run_report_command(args, *, read_kwargs: dict) -> int:
    kwargs = {k: v for k, v in read_kwargs.items() if k not in {"columns", "schema"}}
    if read_kwargs.get("schema"):
        raise ArgumentError(
            "`report` uses the bundled data dictionary; --schema is only for `validate`."
        )
    common = {
        "data": args.data,
        "columns": read_kwargs.get("columns"),
        "scheme": args.scheme,
        "invalid_rows": args.invalid_rows,
        "case": args.case,
        "jobs": args.jobs,
        **kwargs,
    }
    if args.check:
        problems = check_report(args.out, **common)
        if not problems:
            print(f"OK  {args.out}: every file is identical to a fresh rebuild")
            return 0
        print(f"DIFFERENT  {args.out}: {len(problems)} file(s) differ from a fresh rebuild")
        for path, what in problems:
            print(f"  {path}: {what}")
        return 1
    result = build_report(out=args.out, **common)
    rows = result.manifest["rows"]
    print(
        f"report written to {result.out} ({len(result.files)} files): "
        f"{rows['assessed']} rows assessed, {rows['invalid']} invalid, {rows['excluded']} excluded, "
        f"{rows['analysed']} analysed. Open {result.out / 'index.html'}"
    )
    return 0
