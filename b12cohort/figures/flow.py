"""Participant flow diagram (STROBE item 13c), drawn from :func:`b12cohort.participant_flow`."""

from __future__ import annotations

import pandas as pd

from b12cohort.cohort.eligibility import participant_flow
from b12cohort.core.arguments import check_dataframe
from b12cohort.core.errors import ArgumentError
from b12cohort.figures._style import OKABE_ITO, new_axes, set_alt_text, style

__all__ = ["plot_flow"]

_FLOW_COLUMNS = ("stage", "reason", "n")
_STAGES = ("assessed", "invalid", "excluded", "analysed")
_BOX = {"boxstyle": "round,pad=0.6", "facecolor": "white", "linewidth": 1.0}
_MAIN_X, _SIDE_X = 0.28, 0.58


def _flow_table(data: pd.DataFrame, *, age_months, b12_below, function: str) -> pd.DataFrame:
    if set(_FLOW_COLUMNS) <= set(data.columns):
        flow = data
    else:
        flow = participant_flow(data, age_months=age_months, b12_below=b12_below)
    unknown = sorted(set(flow["stage"]) - set(_STAGES))
    if unknown:
        raise ArgumentError(
            f"{function}(): unknown stage(s) {unknown} in the flow table; stages are "
            f"{', '.join(_STAGES)} (as b12cohort.participant_flow returns)."
        )
    for stage in ("assessed", "analysed"):
        if (flow["stage"] == stage).sum() != 1:
            raise ArgumentError(
                f"{function}(): the flow table needs exactly one '{stage}' row; "
                f"it has {(flow['stage'] == stage).sum()}."
            )
    return flow


def plot_flow(
    data: pd.DataFrame,
    *,
    age_months=(3, 24),
    b12_below: float | None = 83.0,
    ax=None,
):
    """Participant flow diagram: assessed, invalid and excluded with reasons, analysed.

    Parameters
    ----------
    data : pandas.DataFrame
        A cohort from :func:`b12cohort.load_cohort` (its flow is computed with
        :func:`b12cohort.participant_flow`), or a precomputed flow table with columns
        ``stage`` ("assessed", "invalid", "excluded", "analysed"), ``reason`` and ``n``.
    age_months, b12_below
        Eligibility criteria passed to :func:`b12cohort.participant_flow` (the paper's by
        default: 3-24 months, B12 < 83 pg/mL).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (its axis is switched off); a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The boxes are texts with gids ``"box:assessed"``, ``"box:invalid"`` (only when
        invalid records > 0), ``"box:excluded"`` and ``"box:analysed"``; each states its
        count as ``"n = <count>"`` and the exclusion box one line per reason.

    Raises
    ------
    ArgumentError
        A frame that is neither a loaded cohort (no metadata) nor a flow table, or a flow
        table with unknown stages or without exactly one "assessed" and "analysed" row.

    Notes
    -----
    STROBE item 13 asks for the numbers at each stage and the reasons for
    non-participation; 13c suggests a flow diagram. Rows set aside by validation are
    shown in their own box when there are any; the exclusion box is always drawn (with
    n = 0 if nobody was excluded), so the reader sees that the criteria were applied.
    ``assessed = invalid + excluded + analysed`` (checked by
    :func:`b12cohort.participant_flow`).

    References
    ----------
    von Elm E, Altman DG, Egger M, et al. The Strengthening the Reporting of
    Observational Studies in Epidemiology (STROBE) statement: guidelines for reporting
    observational studies. Lancet. 2007;370(9596):1453-1457.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_flow
    >>> ax = plot_flow(b12cohort.load_example())
    >>> [t.get_text().splitlines()[0] for t in ax.texts if t.get_gid()]
    ['Assessed for eligibility', 'Analysed', 'Excluded']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_flow"
    check_dataframe(data, function=function)
    flow = _flow_table(data, age_months=age_months, b12_below=b12_below, function=function)
    total = {stage: int(flow.loc[flow["stage"] == stage, "n"].sum()) for stage in _STAGES}
    excluded = flow[flow["stage"] == "excluded"]
    invalid = flow[flow["stage"] == "invalid"]

    lines = [f"• {r.reason}: {int(r.n)}" for r in excluded.itertuples(index=False) if r.n]
    side = []
    if total["invalid"] > 0:
        reasons = [f"• {r.reason}" for r in invalid.itertuples(index=False) if r.reason]
        side.append(
            ("invalid", "\n".join(["Invalid records", f"n = {total['invalid']}", *reasons]))
        )
    side.append(("excluded", "\n".join(["Excluded", f"n = {total['excluded']}", *lines])))

    with style():
        ax = new_axes(ax, figsize=(6.4, 3.0 + 0.8 * len(side)))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        top = ax.text(
            _MAIN_X,
            0.92,
            f"Assessed for eligibility\nn = {total['assessed']}",
            ha="center",
            va="top",
            bbox={**_BOX, "edgecolor": OKABE_ITO["blue"]},
            gid="box:assessed",
        )
        bottom = ax.text(
            _MAIN_X,
            0.08,
            f"Analysed\nn = {total['analysed']}",
            ha="center",
            va="bottom",
            bbox={**_BOX, "edgecolor": OKABE_ITO["blue"]},
            gid="box:analysed",
        )
        ax.annotate(
            "",
            xy=(0.5, 1.0),
            xycoords=bottom,
            xytext=(0.5, 0.0),
            textcoords=top,
            arrowprops={"arrowstyle": "-|>", "color": "0.2", "shrinkA": 6, "shrinkB": 6},
        )
        ys = [0.5] if len(side) == 1 else [0.64, 0.36]
        for (stage, text), y in zip(side, ys, strict=True):
            box = ax.text(
                _SIDE_X,
                y,
                text,
                ha="left",
                va="center",
                bbox={**_BOX, "edgecolor": OKABE_ITO["vermillion"]},
                gid=f"box:{stage}",
            )
            ax.annotate(
                "",
                xy=(0.0, 0.5),
                xycoords=box,
                xytext=(_MAIN_X, y),
                textcoords="data",
                arrowprops={"arrowstyle": "-|>", "color": "0.2", "shrinkA": 0, "shrinkB": 6},
            )
        reasons = "; ".join(
            f"{r.reason}: {int(r.n)}" for r in excluded.itertuples(index=False) if r.n
        )
        set_alt_text(
            ax,
            f"Participant flow: {total['assessed']} rows assessed for eligibility, "
            f"{total['invalid']} invalid, {total['excluded']} excluded"
            + (f" ({reasons})" if reasons else "")
            + f", {total['analysed']} analysed.",
        )
    return ax
