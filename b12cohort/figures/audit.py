"""What the published margins allow: the p of every compatible table against its effect.

Only draws: the tables and their p-values come from
:func:`b12cohort.paper.audit.compatible_tables` (directly, or recomputed from the rows of
:func:`b12cohort.paper.audit.audit_published_claim`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from b12cohort.core.arguments import check_choice
from b12cohort.core.errors import ArgumentError
from b12cohort.figures._style import (
    PALETTE,
    finish,
    new_axes,
    set_alt_text,
    style,
    variable_label,
)
from b12cohort.paper.audit import AUDIT_TESTS, CompatibilityResult, cached_compatible_tables

__all__ = ["plot_audit"]

_EFFECTS = {
    "risk_difference": "Risk difference, most minus least severe grade",
    "slope": "Trend slope (change in the proportion per grade)",
}
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _series(result_or_frame, test: str) -> list[tuple[str, CompatibilityResult]]:
    """(label, result) pairs; signs with the same margins share one series."""
    function = "plot_audit"
    if isinstance(result_or_frame, CompatibilityResult):
        r = result_or_frame
        return [(f"{r.n_with}/{r.n_total}", r)]
    if isinstance(result_or_frame, pd.DataFrame):
        need = {"sign", "events", "n", "n_grades", "min_per_grade", "confidence"}
        missing = need - set(result_or_frame.columns)
        if missing:
            raise ArgumentError(
                f"{function}(): the frame lacks column(s) {', '.join(sorted(missing))}; pass "
                "the result of audit_published_claim() or a CompatibilityResult."
            )
        groups: dict[tuple, list[str]] = {}
        for row in result_or_frame.itertuples(index=False):
            key = (int(row.events), int(row.n), int(row.n_grades), int(row.min_per_grade),
                   float(row.confidence))  # fmt: skip
            groups.setdefault(key, []).append(variable_label(str(row.sign)))
        out = []
        for (events, n, g, minimum, confidence), names in groups.items():
            res = cached_compatible_tables(
                n_with=events, n_total=n, n_grades=g, min_per_grade=minimum, test=test,
                confidence=confidence,
            )  # fmt: skip
            out.append((f"{', '.join(names)} ({events}/{n})", res))
        return out
    if isinstance(result_or_frame, Mapping):
        items = list(result_or_frame.items())
    elif isinstance(result_or_frame, Sequence) and not isinstance(result_or_frame, str):
        items = [(f"{r.n_with}/{r.n_total}", r) for r in result_or_frame]
    else:
        items = []
    if not items or not all(isinstance(r, CompatibilityResult) for _, r in items):
        raise ArgumentError(
            f"{function}(): expected a CompatibilityResult, a list or dict of them, or the "
            f"frame of audit_published_claim(); got {type(result_or_frame).__name__}."
        )
    return [(str(k), r) for k, r in items]


def plot_audit(
    result_or_frame,
    *,
    ax=None,
    test: str = "fisher",
    effect: str = "risk_difference",
    title: str | None = None,
):
    """p of every table compatible with the published margins against its effect.

    Parameters
    ----------
    result_or_frame : CompatibilityResult, list or dict of them, or pandas.DataFrame
        One result of :func:`~b12cohort.paper.audit.compatible_tables`, several (a dict
        labels them), or the frame of :func:`~b12cohort.paper.audit.audit_published_claim`
        (the tables of each sign are enumerated again from its margins; signs with the
        same margins are drawn once, labelled together).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    test : {"fisher", "trend"}
        Which test's p-values to draw from an audit frame (a result carries its own).
    effect : {"risk_difference", "slope"}
        The x axis: risk difference between the most and least severe grade, or the
        trend slope per grade.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One point per table (p on a log scale), the significance level as a dashed
        line, and per series the largest effect still compatible with p >= alpha as a
        larger open marker. Untestable signs (all or none with the sign) sit at p = 1,
        effect 0.

    Examples
    --------
    >>> from b12cohort.paper.audit import compatible_tables
    >>> ax = plot_audit(compatible_tables(n_with=12, grade_counts=[4, 13, 2]))
    >>> ax.get_yscale()
    'log'
    """
    function = "plot_audit"
    test = check_choice(test, AUDIT_TESTS, name="test", function=function)
    effect = check_choice(effect, tuple(_EFFECTS), name="effect", function=function)
    series = _series(result_or_frame, test)
    alphas = {r.alpha for _, r in series}
    with style():
        ax = new_axes(ax, figsize=(6.4, 4.0))
        rng = np.random.default_rng(20220801)  # fixed jitter: the same picture every run
        handles = []
        described = []
        for i, (label, res) in enumerate(series):
            frame = res.summary
            colour, marker = PALETTE[i % len(PALETTE)], _MARKERS[i % len(_MARKERS)]
            x = frame[effect].to_numpy(float) + rng.uniform(-0.006, 0.006, len(frame))
            y = np.clip(frame["p_value"].to_numpy(float), 1e-300, 1.0)
            ax.scatter(x, y, s=7, color=colour, marker=marker, alpha=0.35, linewidths=0,
                       gid=f"tables:{label}")  # fmt: skip
            largest = res.largest_risk_difference if effect == "risk_difference" else (
                res.largest_slope
            )  # fmt: skip
            hit = (frame["p_value"] >= res.alpha) & np.isclose(frame[effect], largest)
            if hit.any():
                j = hit.idxmax()
                ax.scatter([frame.loc[j, effect]], [frame.loc[j, "p_value"]], s=70,
                           facecolors="none", edgecolors=colour, marker=marker, linewidths=1.6,
                           zorder=4, gid=f"largest:{label}")  # fmt: skip
            if res.method == "not-tested":
                label = f"{label}: untestable ({res.n_tables:,} tables, all p = 1)"
            else:
                label = f"{label}: {res.n_tables:,} tables, {res.n_reject:,} with p < {res.alpha:g}"
            handles.append(Line2D([], [], color=colour, marker=marker, linestyle="none",
                                  label=label))  # fmt: skip
            p = frame["p_value"].to_numpy(float)
            described.append(
                f"{label}; p from {np.nanmin(p):.2g} to {np.nanmax(p):.2g}"
                + (f", largest effect with p ≥ {res.alpha:g}: {largest:.2f}" if hit.any() else "")
            )
        for a in sorted(alphas):
            ax.axhline(a, color="0.3", linestyle="--", linewidth=1.0, gid=f"alpha:{a:g}")
            ax.text(0.995, a, f" α = {a:g}", transform=ax.get_yaxis_transform(), ha="right",
                    va="bottom", color="0.3")  # fmt: skip
        handles.append(Line2D([], [], color="0.3", marker="o", markerfacecolor="none",
                              linestyle="none", markersize=8,
                              label="largest effect with p ≥ α"))  # fmt: skip
        ax.set_yscale("log")
        ax.set_ylim(top=1.6)
        ax.set_xlabel(_EFFECTS[effect])
        ax.set_ylabel(f"p ({series[0][1].test})")
        ax.grid(color="0.92", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1,
                  frameon=False)  # fmt: skip
        finish(ax)
        ax.set_title(title or "Every table compatible with the published margins")
        set_alt_text(
            ax,
            f"Scatter plot of the p-value ({series[0][1].test}, log scale) of every table "
            f"compatible with the published margins against its {_EFFECTS[effect].lower()}, "
            f"the level α marked: {'; '.join(described)}.",
        )
    return ax
