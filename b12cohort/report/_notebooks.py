"""Executing the report notebooks: parameters, one warm kernel, deterministic output.

The notebooks are the pipeline. They ship inside the package as Jupytext "percent"
scripts (``notebooks/*.py``, installed as ``b12cohort._bundled.notebooks``), are
parameterised the papermill way (a cell tagged ``parameters``; an ``injected-parameters``
cell is inserted after it) and executed with nbclient.

Speed: starting a kernel and importing the scientific stack costs seconds, the
notebooks' own work little. So each kernel runs several notebooks in turn, with its
namespace reset in between (``%reset -f``; imported modules stay loaded). papermill
starts one kernel per notebook, which is why we drive nbclient directly and inject the
parameters ourselves (the cell convention stays papermill's, so ``papermill`` can still
run any notebook on its own).

Determinism: cell ids are renumbered, execution counts start at 1 in every notebook,
warnings are printed without file paths (which would carry the kernel's process id),
and figures are rendered without timestamps.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from b12cohort._bundled import bundled_file
from b12cohort.core.errors import NotebookFailed

#: Relative cost of each notebook (seconds of its own work, measured in one process at
#: 19 and 10^5 rows with the figures saved in three formats: the audit's enumeration and
#: figures do not depend on the cohort's size, the cleaning log does), used to split the
#: notebooks over the kernels. Every kernel also imports the scientific stack once.
COST = {
    "01_cleaning_validation": 2,
    "02_descriptive": 2,
    "03_association": 2,
    "04_course_and_case": 1,
    "05_literature": 2,
    "06_audit": 5,
}

#: The notebooks of the report, in reading order.
NOTEBOOKS = (
    "01_cleaning_validation",
    "02_descriptive",
    "03_association",
    "04_course_and_case",
    "05_literature",
    "06_audit",
)

_SETUP = """\
get_ipython().run_line_magic("reset", "-f")
import warnings as _w
_w.resetwarnings()
_w.simplefilter("default")
_w.formatwarning = lambda message, category, filename, lineno, line=None: f"{category.__name__}: {message}\\n"
import matplotlib as _mpl
_mpl.rcParams["svg.hashsalt"] = "b12cohort"
import matplotlib.pyplot as _plt
_plt.close("all")
del _w, _mpl, _plt
"""


def notebook_source(name: str) -> str:
    """The Jupytext percent-format source of a bundled notebook."""
    return bundled_file("notebooks", f"{name}.py").read_text(encoding="utf-8")


def prepare(name: str, parameters: dict):
    """Read a bundled notebook and inject ``parameters`` after its ``parameters`` cell."""
    import jupytext
    import nbformat

    nb = jupytext.reads(notebook_source(name), fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.pop("jupytext", None)
    index = next(
        (i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), None
    )
    declared = _declared(nb.cells[index].source) if index is not None else set(parameters)
    lines = ["# Parameters injected by `b12cohort report`"] + [
        f"{k} = {v!r}" for k, v in parameters.items() if k in declared
    ]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(0 if index is None else index + 1, cell)
    for i, c in enumerate(nb.cells):
        c.id = f"{name[:2]}-{i:03d}"
    nb.metadata["title"] = name
    return nb


def redact_local_paths(nb, paths) -> None:
    """Show the user's files by name only: drop their folders from every cell and output.

    The kernels read the input and the mapping file from their local paths (the injected
    parameters, ``load_metadata(cohort).summary``); the exported notebooks must not carry
    those paths, which may name a person, a hospital or a home folder.
    """
    prefixes = set()
    for p in paths:
        if p is None or not isinstance(p, str | os.PathLike) or not Path(p).is_file():
            continue
        for folder in {Path(p).parent, Path(p).resolve().parent}:
            if str(folder) in ("", "."):
                continue
            text = str(folder) + os.sep
            prefixes |= {text, text.replace("\\", "\\\\"), folder.as_posix().rstrip("/") + "/"}
    prefixes = sorted(prefixes, key=len, reverse=True)
    if not prefixes:
        return

    def clean(text):
        if isinstance(text, list):
            return [clean(t) for t in text]
        if not isinstance(text, str):
            return text
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    for cell in nb.cells:
        cell.source = clean(cell.source)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = clean(output["text"])
            for key, value in output.get("data", {}).items():
                output["data"][key] = clean(value)


def _declared(source: str) -> set[str]:
    """Names assigned in a parameters cell (only those are injected, as papermill does)."""
    import ast

    return {
        t.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }


def _kernel_spec_manager():
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class _ThisPython(KernelSpecManager):
        """Always run kernels with this interpreter (never a user's other "python3" kernel)."""

        def get_kernel_spec(self, kernel_name):
            return KernelSpec(
                argv=[
                    sys.executable,
                    "-Xfrozen_modules=off",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                display_name="Python 3",
                language="python",
                resource_dir="",
            )

    return _ThisPython()


def _kernel_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "B12COHORT_REPORT": "1",
        }
    )
    env.pop("MPLBACKEND", None)
    return env


async def _start_kernel(cwd: Path):
    """Start a kernel in ``cwd``; its connection file and IPC sockets live in a short temp path.

    (Unix socket paths are limited to about 100 characters, so they cannot live in a
    deeply nested output folder.)
    """
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    runtime = tempfile.mkdtemp(prefix="b12k-")
    km = AsyncKernelManager(
        kernel_spec_manager=_kernel_spec_manager(), kernel_name="python3", transport="ipc"
    )
    km.connection_file = os.path.join(runtime, "kernel.json")
    from b12cohort.report._cohort import SHARED_ENV

    # the cohort the main process validated, written there before any notebook runs
    env = {**_kernel_env(), SHARED_ENV: str(Path(cwd).resolve() / "_site" / "cohort.pickle")}
    await km.start_kernel(cwd=str(cwd), env=env)
    # one client per kernel, reused by every notebook: nbclient would otherwise open new
    # channels and wait for the kernel to be ready again for each notebook (~0.3 s each)
    km.b12_client = km.client()
    km.b12_client.start_channels()
    await km.b12_client.wait_for_ready(timeout=120)
    return km


async def shutdown_kernel(km) -> None:
    """Stop a kernel and remove its runtime folder."""
    import shutil

    try:
        client = getattr(km, "b12_client", None)
        if client is not None:
            client.stop_channels()
        await km.shutdown_kernel(now=True)
    finally:
        shutil.rmtree(os.path.dirname(km.connection_file), ignore_errors=True)


def _normalise(nb) -> None:
    """Make an executed notebook's bytes independent of timing.

    Execution counts start at 1; consecutive stream outputs of the same stream are
    merged (the kernel may deliver one warning in one message or in two, depending on
    timing); timing metadata is dropped.
    """
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
        merged = []
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = count
            if (
                merged
                and out.get("output_type") == "stream"
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")
            ):
                merged[-1]["text"] = merged[-1]["text"] + out["text"]
            else:
                merged.append(out)
        cell.outputs = merged
        cell.metadata.pop("execution", None)


async def execute(
    notebooks: list[tuple[str, object]],
    *,
    cwd: Path,
    jobs: int = 1,
    kernels=None,
    on_done: Callable | None = None,
    timeout: int = 900,
) -> None:
    """Execute ``(name, notebook)`` pairs in place on ``jobs`` kernels (static round-robin).

    ``kernels`` may be a list of already started kernel managers (started early so that
    their start-up overlaps other work); they are shut down at the end either way.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    jobs = max(1, min(jobs, len(notebooks)))
    groups = _balance(notebooks, jobs)
    kernels = list(kernels or [])

    async def worker(k: int, group):
        km = kernels[k] if k < len(kernels) else await _start_kernel(cwd)
        try:
            for name, nb in group:
                setup = nbformat.v4.new_code_cell(_SETUP)
                setup.id = "setup"
                nb.cells.insert(0, setup)
                client = NotebookClient(
                    nb,
                    km=km,
                    timeout=timeout,
                    record_timing=False,
                    allow_errors=False,
                    kernel_name="python3",
                )
                client.kc = km.b12_client
                try:
                    await client.async_execute()
                except CellExecutionError as exc:
                    raise NotebookFailed(name, exc.ename, exc.evalue, str(exc)) from None
                finally:
                    del nb.cells[0]
                _normalise(nb)
                if on_done is not None:
                    await on_done(name, nb)
        finally:
            await shutdown_kernel(km)

    # start any missing kernels together, then run the groups in parallel
    await asyncio.gather(*(worker(k, g) for k, g in enumerate(groups)))
    for km in kernels[len(groups) :]:  # more kernels started than needed
        await shutdown_kernel(km)


def _balance(notebooks, jobs: int):
    """Split the notebooks over ``jobs`` kernels so that the most loaded kernel has least work.

    Exact for the report's handful of notebooks (every assignment is tried: 2^6 for six
    notebooks on two kernels), longest-processing-time-first beyond 4096 assignments.
    Deterministic: among equally good splits the first in reading order wins, so every
    build runs each notebook in the same kernel after the same predecessors. Each group
    keeps reading order.
    """
    import itertools

    costs = [COST.get(name, 1) for name, _ in notebooks]
    if jobs ** len(notebooks) <= 4096:
        best = min(
            itertools.product(range(jobs), repeat=len(notebooks)),
            key=lambda a: (
                max(sum(c for c, k in zip(costs, a, strict=True) if k == j) for j in range(jobs)),
                a,
            ),
        )
    else:  # longest first, each to the least loaded kernel
        best, load = [0] * len(notebooks), [0] * jobs
        for i in sorted(range(len(notebooks)), key=lambda i: -costs[i]):
            best[i] = min(range(jobs), key=lambda j: (load[j], j))
            load[best[i]] += costs[i]
    groups = [
        [item for item, k in zip(notebooks, best, strict=True) if k == j] for j in range(jobs)
    ]
    return [g for g in groups if g]


def html_exporter():
    """An nbconvert HTML exporter whose pages load nothing from the network."""
    from nbconvert import HTMLExporter

    base = resources.files("b12cohort").joinpath("resources", "nbconvert")
    exporter = HTMLExporter(template_name="b12report", extra_template_basedirs=[str(base)])
    exporter.exclude_input_prompt = False
    return exporter


def export_html(exporter, nb) -> str:
    body, _ = exporter.from_notebook_node(nb)
    return body
