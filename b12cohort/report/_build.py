"""Building, checking and publishing the report folder."""

from __future__ import annotations

import asyncio
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
from b12cohort.report._figures import figure_manifest, figure_parameters
from b12cohort.report._io import atomic_write, sha256_file
from b12cohort.report._notebooks import (
    NOTEBOOKS,
    execute,
    export_html,
    html_exporter,
    prepare,
    redact_local_paths,
)

#: Packages whose versions the manifest records (the report's bytes depend on them).
RECORDED_PACKAGES = (
    "b12cohort",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "pillow",
    "openpyxl",
    "python-docx",
    "lxml",
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


def _parameters(data, columns, scheme, invalid_rows, read_kwargs, case=None, figures=None) -> dict:
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
        "FIGURES": figures if figures is not None else figure_parameters(None, None, None),
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


#: Cohorts up to this many rows stay in the main process while the kernels run, and the
#: manuscript's results are computed meanwhile (on the core the kernels leave idle at
#: times); larger ones are let go of first and the results computed after the kernels,
#: so that three copies of a registry-sized cohort never sit in memory at once. The
#: outputs are the same either way.
OVERLAP_ROWS_MAX = 200_000


def _load_and_account(build: Path, parameters: dict):
    """Validate the data in the main process (clear errors before any notebook runs).

    Returns the metadata, the participant flow, its counts and the cohort (None when it
    has more than :data:`OVERLAP_ROWS_MAX` rows: then it is let go of here).
    """
    from b12cohort.cohort.eligibility import participant_flow
    from b12cohort.dictionary.metadata import load_metadata
    from b12cohort.report._cohort import _cached_cohort, cohort_key, share_cohort

    key = cohort_key(
        parameters["DATA"],
        columns=parameters["COLUMNS"],
        scheme=parameters["SCHEME"],
        invalid_rows=parameters["INVALID_ROWS"],
        **parameters["READ_OPTIONS"],
    )
    cohort = _cached_cohort(*key)
    meta = load_metadata(cohort)
    flow = participant_flow(cohort)
    counts = {
        row.stage: int(flow.loc[flow["stage"] == row.stage, "n"].sum()) for row in flow.itertuples()
    }
    # the kernels read the validated cohort from here instead of validating it again; this
    # process lets go of it while they run (the landing page reads it back at the end)
    share_cohort(cohort, shared_path(build), key)
    _cached_cohort.cache_clear()
    return meta, flow, counts, (cohort if len(cohort) <= OVERLAP_ROWS_MAX else None)


def shared_path(build: Path) -> Path:
    """Where a build leaves the validated cohort for its kernels (removed with ``_site``)."""
    return Path(build).resolve() / "_site" / "cohort.pickle"


#: The notebooks whose tables the manuscript files use (the results text is checked
#: against them, and tables.docx/.xlsx assemble them); the audit's are not among them, so
#: the manuscript is written while the audit notebook still runs.
MANUSCRIPT_NOTEBOOKS = frozenset(NOTEBOOKS) - {"06_audit"}


def _write_manuscript_files(build: Path, parameters: dict, meta, results, docx_template):
    """``text/``, the checklist and ``tables/tables.docx``/``.xlsx`` (once their tables exist)."""
    from b12cohort.report._manuscript import write_manuscript_tables
    from b12cohort.report._text import docx_sections, write_manuscript

    manuscript = write_manuscript(build, parameters=parameters, meta=meta, results=results)
    write_manuscript_tables(build, docx_template=docx_template, sections=docx_sections(manuscript))
    return manuscript


async def _build_async(build: Path, parameters: dict, jobs: int, docx_template=None):
    from b12cohort.report._notebooks import _start_kernel, shutdown_kernel

    warm = threading.Thread(target=_warm_imports, daemon=True)
    warm.start()
    kernel_tasks = [asyncio.create_task(_start_kernel(build)) for _ in range(jobs)]
    try:
        meta, flow, counts, cohort = await asyncio.to_thread(_load_and_account, build, parameters)
    except BaseException:
        for t in kernel_tasks:
            await shutdown_kernel(await t)
        raise
    manuscript = None
    if cohort is not None:  # the manuscript's analyses run while the kernels work
        from b12cohort.report._text import compute_manuscript

        manuscript = asyncio.create_task(
            asyncio.to_thread(compute_manuscript, parameters=parameters, meta=meta, cohort=cohort)
        )
        del cohort
    kernels = [await t for t in kernel_tasks]
    warm.join()
    notebooks = [(name, prepare(name, parameters)) for name in NOTEBOOKS]
    exporter = html_exporter()
    exports, done, files = [], set(), []

    async def write_files():
        results = None if manuscript is None else await manuscript
        return await asyncio.to_thread(
            _write_manuscript_files, build, parameters, meta, results, docx_template
        )

    async def on_done(name, nb):
        redact_local_paths(nb, (parameters["DATA"], parameters["COLUMNS"]))

        async def export():
            page = await asyncio.to_thread(export_html, exporter, nb)
            atomic_write(build / "notebooks" / f"{name}.html", page)

        exports.append(asyncio.create_task(export()))
        done.add(name)
        if not files and done >= MANUSCRIPT_NOTEBOOKS:  # their tables are all written
            files.append(asyncio.create_task(write_files()))

    try:
        await execute(notebooks, cwd=build, jobs=jobs, kernels=kernels, on_done=on_done)
        await asyncio.gather(*exports)
    except BaseException:
        await asyncio.gather(*files, *([manuscript] if manuscript else []), return_exceptions=True)
        raise
    # the notebooks' errors come first (they name the notebook); then the manuscript's
    return meta, flow, counts, await files[0]


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
    docx_template=None,
    figure_formats=None,
    figure_width_mm: float | None = None,
    journal_column: str | None = None,
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
    docx_template : path, optional
        A Word document (``.docx``) whose styles and page setup ``tables/tables.docx``
        uses (see :func:`b12cohort.core._docx.write_docx`); checked before anything runs.
    figure_formats : str or sequence of str, optional
        Figure files to write, some of png, svg, pdf, tiff (``"png,pdf,svg,tiff"``);
        default PNG, SVG and PDF. SVG or PNG must be among them (the page shows them).
    figure_width_mm : float, optional
        Print width of every figure in millimetres (40 to 250); heights follow each
        figure's aspect. Default: each figure's own size.
    journal_column : {"single", "double"}, optional
        Instead of ``figure_width_mm``: 85 or 175 mm. Not both.
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
    key = read_kwargs.get("pseudonymise")
    if key and (Path(key).resolve() == out or out in Path(key).resolve().parents):
        raise ArgumentError(
            f"pseudonymise={str(key)!r} is inside the report folder {out.name!r}, which is "
            "meant to be shared; the key of the pseudonyms must stay private. Write it "
            "elsewhere, e.g. pseudonymise='../pseudonym_key.csv'."
        )
    if docx_template is not None:
        from b12cohort.core._docx import check_template

        check_template(docx_template)
    figures = figure_parameters(figure_formats, figure_width_mm, journal_column)
    out.parent.mkdir(parents=True, exist_ok=True)
    parameters = _parameters(data, columns, scheme, invalid_rows, read_kwargs, case, figures)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    from b12cohort.report._io import _umask

    build.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the report is an ordinary folder
    try:
        meta, flow, counts, manuscript = _run(
            build, parameters, jobs or _default_jobs(), docx_template
        )
        from b12cohort.report._site import write_site

        write_site(build, parameters=parameters, meta=meta, flow=flow, manuscript=manuscript)
        manifest = _write_manifest(
            build, parameters=parameters, meta=meta, counts=counts, docx_template=docx_template
        )
        _swap(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    files = tuple(sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()))
    return ReportResult(out=out, files=files, manifest=manifest)


def _run(build: Path, parameters: dict, jobs: int, docx_template=None):
    try:
        return asyncio.run(_build_async(build, parameters, jobs, docx_template))
    except NotebookFailed as exc:
        from b12cohort.core.errors import CohortValidationError

        if exc.ename == "CohortValidationError":
            raise CohortValidationError(exc.evalue) from None
        raise ReportError(
            f"notebook {exc.name} failed with {exc.ename}: {exc.evalue}. The previous report was left "
            "untouched. Run the notebook interactively (notebooks/) or rerun with --debug for the traceback."
        ) from exc


def _git_source() -> dict:
    """The git commit the package was imported from, or ``"not a git checkout"``."""
    import subprocess

    package = Path(__file__).resolve().parents[1]
    root = package.parent
    if not (root / ".git").exists() or not (root / "pyproject.toml").is_file():
        return {"git_commit": "not a git checkout"}
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "b12cohort",
                "notebooks",
                "data",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "not a git checkout"}
    return {"git_commit": commit, "git_modified": bool(changed)}  # fmt: skip


def _bundled_inputs() -> dict:
    """SHA-256 of every bundled file the report reads, by its path in the repository."""
    from importlib import resources

    from b12cohort._bundled import bundled_file
    from b12cohort.report._notebooks import NOTEBOOKS

    files = {
        "data/schema/cohort.schema.json": bundled_file("schema", "cohort.schema.json"),
        "data/example/krasnoyarsk_2022_reconstructed.csv": bundled_file(
            "example", "krasnoyarsk_2022_reconstructed.csv"
        ),
    }
    for name in NOTEBOOKS:
        files[f"notebooks/{name}.py"] = bundled_file("notebooks", f"{name}.py")
    literature = bundled_file("literature", "README.md")
    for p in sorted(Path(str(literature)).parent.glob("*.csv")):
        files[f"data/literature/{p.name}"] = p
    own = resources.files("b12cohort") / "resources"
    for rel in (
        "anemia_schemes.csv",
        "published_krasnoyarsk_2022.csv",
        "site/index.html.j2",
        "strobe_record_items.csv",
        "nbconvert/b12report/index.html.j2",
        "nbconvert/b12report/conf.json",
    ):
        files[f"b12cohort/resources/{rel}"] = own.joinpath(*rel.split("/"))
    return {k: sha256_file(Path(str(v))) for k, v in sorted(files.items())}


def _platform() -> dict:
    from matplotlib import ft2font

    return {
        "os": platform.system(),
        "os_release": platform.release(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "freetype": ft2font.__freetype_version__,
    }


def _mapping(columns) -> dict | None:
    """The column mapping by name and hash (a file) or by hash of its JSON (a dict)."""
    if columns is None:
        return None
    path = Path(str(columns))
    if path.is_file():
        return {"name": path.name, "sha256": sha256_file(path)}
    import hashlib

    text = json.dumps(columns, sort_keys=True, ensure_ascii=False, default=str)
    return {
        "name": "<mapping given as a dict>",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def _write_manifest(
    build: Path, *, parameters: dict, meta, counts: dict, docx_template=None
) -> dict:
    from b12cohort.report._site import source_name

    shutil.rmtree(build / "_site", ignore_errors=True)
    outputs = {}
    for p in sorted(build.rglob("*")):
        if p.is_file() and p.name != "MANIFEST.json":
            outputs[p.relative_to(build).as_posix()] = sha256_file(p)
    mapping = _mapping(parameters["COLUMNS"])
    shown = {k: v for k, v in parameters.items() if k != "OUT"}
    if parameters["DATA"] is not None:
        shown["DATA"] = Path(parameters["DATA"]).name  # no local paths in outputs
    if mapping is not None:
        shown["COLUMNS"] = mapping["name"]
    if docx_template is not None:  # recorded only when given: it changes tables.docx
        shown["DOCX_TEMPLATE"] = {
            "name": Path(docx_template).name,
            "sha256": sha256_file(docx_template),
        }
    manifest = {
        "generator": "b12cohort report",
        "source": _git_source(),
        "input": {
            "source": source_name(meta, parameters),
            "sha256": meta.sha256,
            "format": meta.format,
            "encoding": meta.encoding,
            "delimiter": meta.delimiter,
            "decimal": meta.decimal,
            "sheet": meta.sheet,
            "reconstruction": parameters["DATA"] is None,
        },
        "mapping": mapping,
        "bundled_inputs": _bundled_inputs(),
        "parameters": shown,
        "rows": {
            "assessed": counts.get("assessed", 0),
            "invalid": counts.get("invalid", 0),
            "excluded": counts.get("excluded", 0),
            "analysed": counts.get("analysed", 0),
        },
        "figures": figure_manifest(parameters["FIGURES"]),
        "platform": _platform(),
        "versions": _versions(),
        "outputs": outputs,
    }
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
    docx_template=None,
    figure_formats=None,
    figure_width_mm: float | None = None,
    journal_column: str | None = None,
    **read_kwargs,
):
    """Rebuild the report in a temporary folder and explain how ``out`` differs from it.

    Returns
    -------
    CheckResult
        ``status`` 0 (identical), 3 (same numbers, different rendering) or 4 (different
        numbers); ``causes`` what the two manifests say differs; ``problems`` each
        differing, missing or extra file with ``"differs"``, ``"missing from the
        rebuild"`` or ``"not in the committed report"``. See
        :func:`b12cohort.report._check.compare_reports`.
    """
    from b12cohort.report._check import compare_reports

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
            docx_template=docx_template,
            figure_formats=figure_formats,
            figure_width_mm=figure_width_mm,
            journal_column=journal_column,
            **read_kwargs,
        )
        return compare_reports(out, rebuilt)


def run_report_command(args, *, read_kwargs: dict) -> int:
    from b12cohort.report._check import explain

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
        "docx_template": getattr(args, "docx_template", None),
        "figure_formats": getattr(args, "figure_formats", None),
        "figure_width_mm": getattr(args, "figure_width", None),
        "journal_column": getattr(args, "journal_column", None),
        **kwargs,
    }
    if args.check:
        result = check_report(args.out, **common)
        print(explain(result, args.out, rebuilt=True))
        return result.status
    result = build_report(out=args.out, **common)
    rows = result.manifest["rows"]
    print(
        f"report written to {result.out} ({len(result.files)} files): "
        f"{rows['assessed']} rows assessed, {rows['invalid']} invalid, {rows['excluded']} excluded, "
        f"{rows['analysed']} analysed. Open {result.out / 'index.html'}"
    )
    return 0


def run_verify_command(args) -> int:
    """The ``b12cohort verify DIR`` command: the folder against its own MANIFEST."""
    from b12cohort.report._check import explain, verify_report

    result = verify_report(args.folder)
    print(explain(result, args.folder, rebuilt=False))
    return result.status
