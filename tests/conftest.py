"""Shared test fixtures. Tests never use the network; figures use the Agg backend."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CSV = ROOT / "data" / "example" / "krasnoyarsk_2022_reconstructed.csv"

# Deterministic property tests: the same examples on every run and every machine.
settings.register_profile(
    "b12cohort",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
# Bug hunting on a developer machine: HYPOTHESIS_PROFILE=hunt pytest tests/test_properties.py
settings.register_profile(
    "hunt",
    derandomize=False,
    deadline=None,
    max_examples=2000,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "b12cohort"))


@pytest.fixture
def example_csv() -> Path:
    return EXAMPLE_CSV


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- R reference scripts ----------------------------------------------------------------------
REFERENCE = ROOT / "tests" / "reference"
#: Keys of a reference JSON that record software versions rather than results.
VERSION_KEYS = ("r_version", "survival_version")

requires_r = pytest.mark.skipif(
    shutil.which("Rscript") is None, reason="Rscript not on PATH (CI installs r-base-core)"
)


def without_versions(reference: dict) -> dict:
    """A reference JSON without the keys that record software versions."""
    return {k: v for k, v in reference.items() if k not in VERSION_KEYS}


def rerun_reference(
    script: str, tmp_path: Path, *, into_folder: bool = False, timeout: int = 600
) -> dict:
    """Run ``tests/reference/<script>`` afresh and return its JSON output without versions.

    The scripts take one argument: the JSON file to write, or (``into_folder=True``)
    the folder to write their outputs into. A missing R package skips the test.
    """
    name = Path(script).with_suffix(".json").name
    target = tmp_path if into_folder else tmp_path / name
    result = subprocess.run(
        ["Rscript", str(REFERENCE / script), str(target)],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0 and b"there is no package called" in result.stderr:
        pytest.skip(
            f"an R package needed by {script} is not installed: {result.stderr.decode()[-200:]}"
        )
    assert result.returncode == 0, result.stderr.decode()
    return without_versions(json.loads((tmp_path / name).read_text(encoding="utf-8")))


def assert_close_nested(
    expected, got, path: str = "$", *, rel: float = 1e-12, abs_tol: float = 1e-15
) -> None:
    """Compare nested JSON-like structures; numbers within ``rel``/``abs_tol``, the rest exactly."""
    if isinstance(expected, dict):
        assert expected.keys() == got.keys(), path
        for key in expected:
            assert_close_nested(expected[key], got[key], f"{path}.{key}", rel=rel, abs_tol=abs_tol)
    elif isinstance(expected, list):
        assert len(expected) == len(got), path
        for i, (x, y) in enumerate(zip(expected, got, strict=True)):
            assert_close_nested(x, y, f"{path}[{i}]", rel=rel, abs_tol=abs_tol)
    elif isinstance(expected, float | int) and not isinstance(expected, bool):
        assert got == pytest.approx(expected, rel=rel, abs=abs_tol), path
    else:
        assert expected == got, path


def fresh_interpreter_runs(script: str, folder: Path, *, runs: int = 2, timeout: float = 300):
    """Run ``script`` in ``runs`` fresh interpreters at once, each writing into its own
    subfolder of ``folder`` (its ``sys.argv[1]``); return what each printed, as JSON."""
    procs = []
    for i in range(1, runs + 1):
        (folder / str(i)).mkdir()
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", script, str(folder / str(i))],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, stderr
        outputs.append(json.loads(stdout))
    return outputs
