"""Shared test fixtures. Tests never use the network; figures use the Agg backend."""

from __future__ import annotations

import hashlib
import os
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
