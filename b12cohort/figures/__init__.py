"""Figures for b12cohort: each ``plot_x(data, *, ..., ax=None) -> matplotlib.axes.Axes``.

Note for the report: what each figure shows
-------------------------------------------
plot_prevalence(data)
    Prevalence of each neurological sign (and involuntary movements on treatment) as a
    dot with its exact Clopper-Pearson 95% CI and the n/N label; the percentages printed
    in Taranushenko et al. (2022) overlaid as open diamonds.
plot_hb_by_score(data)
    Haemoglobin (g/L) against the neurological score (0-6 signs), jittered strip (or box
    + strip, ``kind="box"``), annotated with Spearman's rho, its 95% CI, p and n.
plot_sign_by_grade(data, scheme=None)
    Heat map, sign x anaemia grade: cells "k/n" (infants with the sign / recorded in the
    grade), coloured by k/n, hatched where fewer than 5 infants were recorded (so 2/2
    does not read like 13/13); cell text black or white for a contrast of at least
    4.5:1; empty grades dropped with a note; ``scheme=`` regrades.
plot_b12_vs_hb(data)
    Serum B12 (pg/mL) against Hb (g/L): the 83 pg/mL inclusion threshold and the three
    Hb cut-offs of the anaemia scheme as reference lines (each named in the legend),
    grade names inside the top of the axes.
plot_flow(cohort)
    STROBE 13c participant flow: assessed, invalid records (if any), excluded with
    reasons, analysed.
plot_course(data, axes=None)
    Treatment course of involuntary movements (two panels): a swimmer plot from onset
    to resolution (or censoring) per infant, and the Kaplan-Meier curve of resolution
    with its confidence band.
plot_course_by_group(data, by=...)
    Kaplan-Meier curves of resolution, one per group (dose group, anaemia grade), with
    censoring ticks, each group's median in the legend and the log-rank test in the title.
plot_forest(data, highlight=...)
    Forest plot of a sign's prevalence in published series, random-effects pool and
    prediction interval, with this cohort highlighted.
plot_audit(result_or_frame, test=..., effect=...)
    For each published sign: the p of every 2 × G table compatible with the published
    margins against its effect (risk difference or trend slope), the significance level
    as a dashed line, and the largest effect still compatible with p >= alpha circled.
save_figure(fig, path, *, formats=, width_mm= or column=)
    Write PNG (300 dpi), SVG (text kept as text), PDF (fonts embedded) and/or TIFF
    (600 dpi line art, RGB, LZW) whose bytes are the same on every run, with the
    figure's alt text in their metadata; at a print width (``column="single"``: 85 mm,
    ``"double"``: 175 mm) every file is exactly that wide (``figures/_print.py``).
alt_text(fig)
    The text alternative each plotting function writes from the numbers it draws.

Past what a reader can see as individuals (``b12cohort.figures._scale``: 60 infants for
the course timeline, 1,000 for a scatter) the per-infant views are replaced by aggregates
(an onset histogram, boxes, infants per grid cell), and the caption says so.

The statistics come from the analysis modules; this package only draws. Every figure
uses the Okabe-Ito colour-blind-safe palette and the house rc settings (applied with
``matplotlib.rc_context``; the global rcParams are never changed). Importing this
package does not import matplotlib: each plotting function is loaded on first use.

May import: ``b12cohort.paper``, ``b12cohort.stats``, ``b12cohort.cohort``,
``b12cohort.dictionary``, ``b12cohort.core``. A new figure goes here; what it shows is
computed in ``stats`` or ``paper``.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule that defines it
_LAZY = {
    "plot_audit": "b12cohort.figures.audit",
    "plot_b12_vs_hb": "b12cohort.figures.anemia",
    "plot_course": "b12cohort.figures.course",
    "plot_course_by_group": "b12cohort.figures.course_groups",
    "plot_flow": "b12cohort.figures.flow",
    "plot_forest": "b12cohort.figures.forest",
    "plot_hb_by_score": "b12cohort.figures.anemia",
    "plot_prevalence": "b12cohort.figures.prevalence",
    "plot_sign_by_grade": "b12cohort.figures.sign_grade",
    "save_figure": "b12cohort.figures._style",
    "alt_text": "b12cohort.figures._style",
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
