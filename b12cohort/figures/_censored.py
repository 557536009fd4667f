"""Censored laboratory values (``<50``, ``>2000``) drawn as such: at the limit, their own marker."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b12cohort.figures._style import OKABE_ITO
from b12cohort.stats._censoring import censoring

_MARKERS = {
    "left": ("v", "below the assay's limit", "<"),
    "right": ("^", "above the assay's limit", ">"),
}


def draw_censored(ax, data: pd.DataFrame, column: str, x, y, index, **style) -> np.ndarray:
    """Draw the rows of ``index`` whose ``column`` is censored at the limit (``y``), one
    marker and legend entry per direction; return the mask of the exact rows (drawn by the
    caller as usual)."""
    flags = censoring(data, column)
    flags = pd.Series(None, index=index, dtype=object) if flags is None else flags.reindex(index)
    style = {"s": 34, "color": OKABE_ITO["blue"], "zorder": 3, **style}
    for side, (marker, words, sign) in _MARKERS.items():
        mask = (flags == side).to_numpy()
        if not mask.any():
            continue
        limits = ", ".join(f"{sign}{v:g}" for v in sorted(set(np.asarray(y, dtype=float)[mask])))
        ax.scatter(
            np.asarray(x)[mask], np.asarray(y)[mask], marker=marker, label=f"{words} ({limits})",
            gid=f"censored:{side}", **style,
        )  # fmt: skip
    return flags.isna().to_numpy()
