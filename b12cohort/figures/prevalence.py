"""Prevalence of each neurological sign with exact intervals, beside the published figures.

Only draws: proportions and intervals come from :func:`b12cohort.stats.proportions.prevalence`;
the published percentages from the bundled table of the paper's facts
(``b12cohort/resources/published_krasnoyarsk_2022.csv``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from b12cohort.core.arguments import check_confidence, check_dataframe
from b12cohort.core.errors import ArgumentError
from b12cohort.dictionary.schema import NEURO_SIGNS
from b12cohort.figures._style import (
    OKABE_ITO,
    finish,
    new_axes,
    set_alt_text,
    style,
    variable_label,
)
from b12cohort.stats.proportions import prevalence

__all__ = ["PUBLISHED_SOURCE", "plot_prevalence", "published_percentages"]

#: Citation of the bundled published percentages.
PUBLISHED_SOURCE = "Taranushenko et al. 2022"
_PREVALENCE_COLUMNS = ("variable", "events", "n", "proportion", "ci_low", "ci_high")
_ESTIMATE, _PUBLISHED = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
#: Width of the figure (inches), of a sign's label (characters) and every text's size
#: (points). The landing page shows the figure as wide as a phone allows (about 366 CSS
#: px at 390 px): with 4.2 in, wrapped labels and 9 pt text throughout, no text renders
#: below 9 px there (tests/test_figures.py checks the saved SVG).
_WIDTH_IN, _LABEL_CHARS, _TEXT_PT = 4.2, 18, 9.0
#: Human names of the interval methods, for axis labels and legends.
INTERVAL_NAMES = {
    "clopper-pearson": "Clopper–Pearson",
    "wilson": "Wilson",
    "mid-p": "mid-p",
    "jeffreys": "Jeffreys",
    "agresti-coull": "Agresti–Coull",
}


def interval_name(method: str) -> str:
    """ "clopper-pearson" -> "Clopper–Pearson" (unknown names unchanged)."""
    key = str(method).lower().split(" ")[0]
    return INTERVAL_NAMES.get(key, str(method))


@lru_cache(maxsize=1)
def _facts() -> pd.DataFrame:
    path = resources.files("b12cohort").joinpath("resources/published_krasnoyarsk_2022.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"variable": "string", "published": "string"})


def published_percentages() -> pd.DataFrame:
    """The sign prevalences printed in Taranushenko et al. (2022), as proportions.

    Returns
    -------
    pandas.DataFrame
        One row per sign: ``variable`` (cohort column), ``item`` (the paper's wording),
        ``published`` (the printed text, e.g. "63%"), ``proportion`` (that percentage
        / 100, as printed: rounded to whole percent), ``count`` and ``total`` (the
        counts it implies in 19 infants).

    Examples
    --------
    >>> published_percentages()[["variable", "published", "proportion"]].head(2)
        variable published  proportion
    0  hypotonia      100%        1.00
    1   adynamia       63%        0.63
    """
    facts = _facts()
    rows = facts[facts["kind"] == "percent"].reset_index(drop=True)
    percent = rows["published"].map(lambda s: float(re.sub(r"[^0-9.]", "", str(s))))
    return pd.DataFrame(
        {
            "variable": rows["variable"].astype(object),
            "item": rows["item"],
            "published": rows["published"].astype(object),
            "proportion": percent / 100.0,
            "count": rows["count"].astype("Int64"),
            "total": rows["total"].astype("Int64"),
        }
    )


def _published_map(published) -> dict[str, float]:
    if published is False or published is None:
        return {}
    if published is True:
        table = published_percentages()
        return dict(zip(table["variable"], table["proportion"], strict=True))
    if isinstance(published, Mapping):
        return {str(k): float(v) for k, v in published.items()}
    if isinstance(published, pd.DataFrame) and {"variable", "proportion"} <= set(published):
        return dict(zip(published["variable"], published["proportion"].astype(float), strict=True))
    raise ArgumentError(
        "plot_prevalence(): `published` must be True (the bundled published percentages), "
        "False, a mapping {variable: proportion} or a DataFrame with columns 'variable' and "
        f"'proportion'; got {type(published).__name__}."
    )


def _default_variables(data: pd.DataFrame) -> list[str]:
    names = [*NEURO_SIGNS, "involuntary_movements_on_treatment"]
    present = [c for c in names if c in data.columns]
    if not present:
        raise ArgumentError(
            "plot_prevalence(): `data` has none of the sign columns "
            f"({', '.join(names)}); pass `variables=[...]`."
        )
    return present


def plot_prevalence(
    data: pd.DataFrame,
    *,
    variables: Sequence[str] | None = None,
    published=True,
    ci_method: str = "clopper-pearson",
    confidence: float = 0.95,
    title: str | None = None,
    ax=None,
):
    """Dot-and-interval plot of the prevalence of each sign, with published percentages.

    Parameters
    ----------
    data : pandas.DataFrame
        Either the cohort (one row per infant; prevalences are computed with
        :func:`b12cohort.prevalence`) or a precomputed prevalence table (columns
        ``variable, n, N, proportion, ci_low, ci_high``, as :func:`b12cohort.prevalence`
        returns), drawn as it is. Not modified.
    variables : sequence of str, optional
        Sign columns, drawn top to bottom. Default: the six neurological signs of
        :data:`b12cohort.dictionary.schema.NEURO_SIGNS` and ``involuntary_movements_on_treatment``,
        those present in ``data``; for a prevalence table, its rows.
    published : bool, mapping or DataFrame, default True
        Published proportions to overlay as open diamonds. True: the percentages printed
        by Taranushenko et al. (2022) (:func:`published_percentages`); a mapping
        ``{variable: proportion}`` or a DataFrame with ``variable`` and ``proportion``
        columns for another source; False: none.
    ci_method : str, default "clopper-pearson"
        Interval method passed to :func:`b12cohort.prevalence` (exact Clopper-Pearson by
        default).
    confidence : float, default 0.95
        Confidence level passed to :func:`b12cohort.prevalence`.
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids for inspection: ``"estimate:<variable>"`` (the dot, at the
        proportion), ``"ci:<variable>"`` (a line from ``ci_low`` to ``ci_high``),
        ``"published:<variable>"`` (the open diamond) and ``"count:<variable>"`` (the
        ``n/N`` text at the right margin).

    Raises
    ------
    ArgumentError
        From :func:`b12cohort.prevalence` (absent or non-binary column, bad method or
        confidence), or a ``published`` value of the wrong type.

    Warns
    -----
    DataQualityWarning
        From :func:`b12cohort.prevalence` when a sign has no recorded value (it is drawn
        without dot or interval, labelled ``0/0``).

    Notes
    -----
    Dots: proportion n/N among the infants in whom the sign was recorded; lines: its
    confidence interval by ``ci_method`` (Clopper-Pearson: exact, conservative, and the only
    informative bound at 19/19 is the lower one). The published percentages are printed
    values rounded to whole percent, so they differ from n/N by up to half a percent.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the
    case of the binomial. Biometrika. 1934;26(4):404-413.
    Taranushenko TE, Falaleeva SO, Borisova EV, Makarevskaya NYu. Nervous System Lesion
    in Infants with Vitamin B12 Deficiency Anemia. EC Clinical and Medical Case Reports.
    2022;5(8):02-08.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_prevalence
    >>> ax = plot_prevalence(b12cohort.load_example())
    >>> [t.get_text() for t in ax.texts][:2]
    ['19/19', '12/19']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_prevalence"
    check_dataframe(data, function=function)
    level = check_confidence(confidence, function=function)
    if set(_PREVALENCE_COLUMNS) <= set(data.columns):
        table = data
        if variables is not None:
            wanted = list(variables)
            unknown = [v for v in wanted if v not in set(table["variable"])]
            if unknown:
                raise ArgumentError(
                    f"{function}(): variables {unknown} are not rows of the prevalence table "
                    f"({', '.join(map(str, table['variable']))})."
                )
            table = table.set_index("variable").loc[wanted].reset_index()
        if "confidence" in table.columns and table["confidence"].notna().any():
            level = float(table["confidence"].dropna().iloc[0])
    else:
        wanted = _default_variables(data) if variables is None else list(variables)
        table = prevalence(data, variables=wanted, ci_method=ci_method, confidence=level)
    table = table.reset_index(drop=True)
    shown = _published_map(published)
    interval = str(table["ci_method"].iloc[0]) if "ci_method" in table.columns else ci_method

    with style():
        ax = new_axes(ax, figsize=(_WIDTH_IN, 1.3 + 0.42 * len(table)))
        _draw(ax, table, shown, level, interval)
        finish(ax, left=False)
        ax.tick_params(labelsize=_TEXT_PT)  # the house 8 pt would be 8.6 px on a phone
        if title:
            ax.set_title(title)
    return ax


def _draw(ax, table: pd.DataFrame, shown: dict[str, float], level: float, interval: str) -> None:
    rows = len(table)
    ys = np.arange(rows, 0, -1, dtype=float)
    any_published = False
    for y, row in zip(ys, table.itertuples(index=False), strict=True):
        name = str(row.variable)
        if np.isfinite(row.proportion):
            ax.plot(
                [row.ci_low, row.ci_high],
                [y, y],
                color=_ESTIMATE,
                linewidth=1.6,
                solid_capstyle="butt",
                gid=f"ci:{name}",
            )
            ax.plot(
                [row.proportion],
                [y],
                marker="o",
                markersize=6,
                linestyle="none",
                color=_ESTIMATE,
                zorder=3,
                gid=f"estimate:{name}",
            )
        if name in shown:
            any_published = True
            ax.plot(
                [shown[name]],
                [y],
                marker="D",
                markersize=6,
                linestyle="none",
                markerfacecolor="none",
                markeredgecolor=_PUBLISHED,
                markeredgewidth=1.4,
                zorder=4,
                gid=f"published:{name}",
            )
        ax.text(
            1.06,
            y,
            f"{int(row.events)}/{int(row.n)}",
            ha="left",
            va="center",
            fontsize=_TEXT_PT,
            gid=f"count:{name}",
        )
    labels = [textwrap.fill(variable_label(str(v)), _LABEL_CHARS) for v in table["variable"]]
    ax.set_yticks(ys, labels)
    ax.set_ylim(0.4, rows + 0.6)
    ax.set_xlim(-0.02, 1.2)  # the n/N labels sit inside the axes, right of 100%
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    ax.spines["bottom"].set_bounds(0.0, 1.0)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"Prevalence with {interval_name(interval)} {level:.0%} CI", fontsize=_TEXT_PT)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)
    handles = [
        Line2D([], [], color=_ESTIMATE, marker="o", label=f"this cohort, {level:.0%} CI"),
    ]
    if any_published:
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                linestyle="none",
                markerfacecolor="none",
                markeredgecolor=_PUBLISHED,
                markeredgewidth=1.4,
                label=f"published ({PUBLISHED_SOURCE})",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=1,
        frameon=False,
        fontsize=_TEXT_PT,
    )
    rows_text = "; ".join(
        f"{variable_label(str(r.variable))} {int(r.events)}/{int(r.n)}"
        + (f" = {r.proportion:.0%} (CI {r.ci_low:.0%} to {r.ci_high:.0%})" if r.n else "")
        + (f", published {shown[str(r.variable)]:.0%}" if str(r.variable) in shown else "")
        for r in table.itertuples(index=False)
    )
    set_alt_text(
        ax,
        f"Dot-and-interval plot of the prevalence of each sign with its "
        f"{interval_name(interval)} {level:.0%} confidence interval: {rows_text}.",
    )
