"""Figures for b12cohort: each ``plot_x(data, *, ..., ax=None) -> matplotlib.axes.Axes``.

The statistics come from the analysis modules; this package only draws. Importing it
does not import matplotlib: each plotting function is loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule that defines it
_LAZY = {
    "plot_forest": "b12cohort.figures.forest",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'b12cohort.figures' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
