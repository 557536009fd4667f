"""Forest plot of prevalences: published series, their random-effects pool, and a cohort.

Only draws. The per-study exact intervals, the pooled estimate, its confidence and
prediction intervals and the heterogeneity all come from
:func:`b12cohort.stats.meta.pool_prevalence` (and
:func:`b12cohort.stats.meta.clopper_pearson` for a highlighted cohort that is not pooled).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.ticker import PercentFormatter

from b12cohort.core.arguments import check_confidence, require_columns
from b12cohort.core.errors import ArgumentError
from b12cohort.figures._style import OKABE_ITO, finish, new_axes, set_alt_text, style
from b12cohort.stats.meta import PooledPrevalence, clopper_pearson, pool_prevalence

__all__ = ["OKABE_ITO", "plot_forest"]

_STUDY, _HIGHLIGHT, _POOLED, _PI = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["black"],
    OKABE_ITO["orange"],
)


def plot_forest(
    data: pd.DataFrame | None = None,
    *,
    events: Any = "events",
    totals: Any = "total",
    labels: Any = "study",
    pooled: PooledPrevalence | bool | None = None,
    highlight: Any = None,
    method: str = "REML",
    ci_method: str = "wald",
    transform: str = "logit",
    confidence: float = 0.95,
    title: str | None = None,
    ax=None,
):
    """Draw a forest plot of prevalences with the pooled diamond and a highlighted cohort.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per study, for example ``load_literature()`` filtered to one sign and
        ``role == "comparator"``. When None, ``events``, ``totals`` and ``labels`` are
        the values themselves.
    events, totals, labels : str or array-like
        Column names in ``data`` (defaults ``"events"``, ``"total"``, ``"study"``) or
        sequences of the same length.
    pooled : PooledPrevalence, bool or None, default None
        None or True: pool the rows with :func:`~b12cohort.stats.meta.pool_prevalence`
        (``method``, ``transform``, ``confidence``). A :class:`PooledPrevalence`: draw
        that result (its study table gives the rows; ``data`` is then not needed).
        False: draw the studies only.
    highlight : str, tuple or mapping, optional
        The cohort to draw distinctly: the label of one of the rows, or
        ``(label, events, total)`` / ``{"label": ..., "events": ..., "total": ...}`` for
        a cohort that is not pooled (drawn in its own row, between the studies and the
        pooled diamond), e.g. ``("Krasnoyarsk", 6, 19)``.
    method, ci_method, transform : str
        Passed to :func:`~b12cohort.stats.meta.pool_prevalence` when it is called here.
    confidence : float, default 0.95
        Level of every interval drawn.
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids for inspection: ``"study:<label>"`` (one marker per row),
        ``"highlight"``, ``"pooled"`` (the diamond, a Polygon spanning the CI with its
        widest point at the estimate; only from two studies) and
        ``"prediction_interval"`` (a line with end caps on its own row below the diamond;
        only from three studies).

    Raises
    ------
    ArgumentError
        Missing columns, lengths that differ, a highlight label not among the rows, or a
        ``pooled`` result whose confidence differs from ``confidence``.

    Notes
    -----
    Squares: study prevalence, area proportional to its random-effects weight, with the
    exact (Clopper-Pearson) interval. Diamond: pooled prevalence and its confidence
    interval, labelled with the model that ran. Below it, on its own row so the diamond
    cannot hide it: the prediction interval for a new series. What is drawn follows the
    number of studies: one study is drawn alone (no pooled row, no I², tau² or
    prediction interval); two are pooled, without a prediction interval or a reading of
    tau²; from three the pooled row states I² and tau² with its Q-profile interval (on
    the transformed scale) and the prediction interval is drawn. Colours are Okabe-Ito
    and the look is the house style of :mod:`b12cohort.figures._style`.

    References
    ----------
    Lewis S, Clarke M. Forest plots: trying to see the wood and the trees. BMJ.
    2001;322(7300):1479-1480.
    Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations
    that are friendly to colorblind people. J*Fly, 2008.

    Examples
    --------
    >>> import warnings, matplotlib
    >>> matplotlib.use("Agg")
    >>> from b12cohort import load_literature
    >>> from b12cohort.figures import plot_forest
    >>> lit = load_literature()
    >>> anemia = lit[(lit["sign"] == "anemia") & (lit["role"] == "comparator")]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ax = plot_forest(anemia, highlight=("Krasnoyarsk", 19, 19))
    >>> [t.get_text() for t in ax.get_yticklabels()][:2]
    ['Acıpayam 2020  21/21', 'Akcaboy 2015  16/20']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_forest"
    level = check_confidence(confidence, function=function)
    result = None
    if isinstance(pooled, PooledPrevalence):
        if abs(pooled.confidence - level) > 1e-12:
            raise ArgumentError(
                f"{function}(): `pooled` was computed at confidence={pooled.confidence}, but "
                f"confidence={level}; pass the same level."
            )
        result = pooled
        table = pooled.studies
    else:
        table = _study_table(data, events, totals, labels, function=function)
        if pooled is None or pooled is True:
            result = pool_prevalence(
                table["events"].to_numpy(),
                totals=table["total"].to_numpy(),
                method=method,
                ci_method=ci_method,
                transform=transform,
                confidence=level,
                studies=table["study"].tolist(),
            )
            table = result.studies
        else:
            low, high = clopper_pearson(events=table["events"], n=table["total"], confidence=level)
            table = table.assign(
                proportion=table["events"] / table["total"], ci_low=low, ci_high=high
            )
    extra, highlighted = _highlight(highlight, table, level, function=function)
    if result is not None and not result.pooled:
        result = None  # one study: drawn alone, nothing pooled
    has_pi = result is not None and bool(np.isfinite([result.pi_low, result.pi_high]).all())
    rows = len(table) + (extra is not None) + (result is not None) + has_pi
    with style():
        ax = new_axes(ax, figsize=(7.0, 1.6 + 0.42 * rows))
        _draw(ax, table, extra, highlighted, result, level)
        finish(ax, left=False)
        if title:
            ax.set_title(title, loc="left")
    return ax


def _study_table(data, events, totals, labels, *, function: str) -> pd.DataFrame:
    if data is not None:
        names = [c for c in (events, totals, labels) if isinstance(c, str)]
        require_columns(data, names, function=function)

        def pick(spec):
            return data[spec].to_numpy() if isinstance(spec, str) else np.asarray(spec)

        events, totals, labels = pick(events), pick(totals), pick(labels)
    values = [np.atleast_1d(np.asarray(v, dtype=object)) for v in (events, totals, labels)]
    if len({len(v) for v in values}) != 1 or len(values[0]) == 0:
        raise ArgumentError(
            f"{function}(): `events`, `totals` and `labels` must be non-empty and of the same "
            f"length; got {', '.join(str(len(v)) for v in values)}."
        )
    return pd.DataFrame(
        {
            "study": [str(v) for v in values[2]],
            "events": values[0].astype(int),
            "total": values[1].astype(int),
        }
    )


def _highlight(highlight, table: pd.DataFrame, level: float, *, function: str):
    """Return (extra row or None, label of a highlighted existing row or None)."""
    if highlight is None:
        return None, None
    if isinstance(highlight, str):
        if highlight not in set(table["study"]):
            raise ArgumentError(
                f"{function}(): highlight={highlight!r} is not one of the rows "
                f"({', '.join(table['study'])}); pass (label, events, total) to add a cohort."
            )
        return None, highlight
    if isinstance(highlight, Mapping):
        try:
            highlight = (highlight["label"], highlight["events"], highlight["total"])
        except KeyError as missing:
            raise ArgumentError(f"{function}(): `highlight` mapping needs key {missing}.") from None
    try:
        label, x, n = highlight
        x, n = int(x), int(n)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{function}(): `highlight` must be a row label, (label, events, total) or a mapping; "
            f"got {highlight!r}."
        ) from None
    if n < 1 or not 0 <= x <= n:
        raise ArgumentError(
            f"{function}(): highlight has events={x}, total={n}; need 0 <= events <= total."
        )
    low, high = clopper_pearson(events=[x], n=[n], confidence=level)
    row = {
        "study": str(label),
        "events": x,
        "total": n,
        "proportion": x / n,
        "ci_low": low[0],
        "ci_high": high[0],
    }
    return row, None


def _draw(ax, table: pd.DataFrame, extra, highlighted, result, level: float) -> None:
    k = len(table)
    # rows from the top: studies, a gap, the extra cohort (y = 0), the pooled row below it
    y_extra = 0.0
    y_pooled = -1.0 if extra is not None else 0.0
    y_studies = np.arange(k, 0, -1, dtype=float) + 0.5
    weights = table["weight"].to_numpy() if "weight" in table else np.full(k, 1 / k)
    sizes = 30 + 170 * weights / weights.max()
    tick_y, tick_labels = [], []
    for y, row, size in zip(y_studies, table.itertuples(index=False), sizes, strict=True):
        colour = _HIGHLIGHT if row.study == highlighted else _STUDY
        ax.plot(
            [row.ci_low, row.ci_high], [y, y], color=colour, linewidth=1.4, solid_capstyle="butt"
        )
        ax.scatter(
            [row.proportion],
            [y],
            s=size,
            marker="s",
            color=colour,
            zorder=3,
            gid="highlight" if row.study == highlighted else f"study:{row.study}",
        )
        tick_y.append(y)
        tick_labels.append(f"{row.study}  {row.events}/{row.total}")
    if extra is not None:
        ax.plot(
            [extra["ci_low"], extra["ci_high"]], [y_extra, y_extra], color=_HIGHLIGHT, linewidth=2.2
        )
        ax.scatter(
            [extra["proportion"]],
            [y_extra],
            s=110,
            marker="o",
            color=_HIGHLIGHT,
            zorder=4,
            edgecolor="white",
            linewidth=0.8,
            gid="highlight",
        )
        tick_y.append(y_extra)
        tick_labels.append(f"{extra['study']}  {extra['events']}/{extra['total']}")
    handles = [
        Line2D(
            [],
            [],
            color=_STUDY,
            marker="s",
            linestyle="-",
            label=f"study, Clopper–Pearson {level:.0%} CI",
        ),
    ]
    if extra is not None or highlighted is not None:
        handles.append(
            Line2D([], [], color=_HIGHLIGHT, marker="o", linestyle="-", label="highlighted cohort")
        )
    if result is not None:
        _draw_pooled(ax, result, y_pooled, level, tick_y, tick_labels, handles)
    ax.set_yticks(tick_y, tick_labels)
    bottom = min(tick_y) - 0.8
    ax.set_ylim(bottom, max(tick_y) + 0.8)
    ax.set_xlim(-0.03, 1.03)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Prevalence")
    ax.tick_params(axis="y", length=0)
    shown = [*table.itertuples(index=False)]
    studies = "; ".join(
        f"{r.study} {r.events}/{r.total} = {r.proportion:.0%} ({r.ci_low:.0%} to {r.ci_high:.0%})"
        for r in shown
    )
    text = f"Forest plot of prevalence, {level:.0%} CIs: {studies}"
    if extra is not None:
        text += (
            f"; {extra['study']} {extra['events']}/{extra['total']} = {extra['proportion']:.0%} "
            f"({extra['ci_low']:.0%} to {extra['ci_high']:.0%})"
        )
    if result is not None:
        text += (
            f"; pooled over {result.k} {'study' if result.k == 1 else 'studies'} "
            f"{result.estimate:.0%} ({result.ci_low:.0%} to {result.ci_high:.0%})"
        )
    set_alt_text(ax, text + ".")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)


_MODEL_LABEL = {"REML": "REML", "DL": "DerSimonian–Laird", "GLMM": "binomial-normal GLMM"}


def _pooled_label(result) -> str:
    chosen = getattr(result, "estimator", result.method)  # the model chosen with method=
    model = _MODEL_LABEL.get(chosen, chosen)
    if chosen != "GLMM":
        model += f", {result.transform}"
    if result.ci_method == "hksj":
        model += ", Hartung–Knapp"
    first = f"Pooled ({model}), k = {result.k}"
    if result.k < 3:
        return f"{first}\ntoo few studies for heterogeneity"
    if np.isnan(result.i2):
        return f"{first}\nτ² = {result.tau2:.2g}"
    tau = f"τ² = {result.tau2:.2g}"
    if np.isfinite(result.tau2_ci_low):
        tau += (
            f" ({result.confidence:.0%} CI {result.tau2_ci_low:.2g} to {result.tau2_ci_high:.2g})"
        )
    return f"{first}\nI² = {result.i2:.0%}, {tau}"


def _draw_pooled(ax, result, y_pooled: float, level: float, tick_y, tick_labels, handles):
    """The diamond and, from three studies, the prediction interval on its own row."""
    diamond = Polygon(
        [
            (result.ci_low, y_pooled),
            (result.estimate, y_pooled + 0.3),
            (result.ci_high, y_pooled),
            (result.estimate, y_pooled - 0.3),
        ],
        closed=True,
        facecolor=_POOLED,
        edgecolor=_POOLED,
        zorder=3,
        gid="pooled",
    )
    ax.add_patch(diamond)
    ax.axvline(result.estimate, color=_POOLED, linestyle=":", linewidth=0.8, zorder=1)
    tick_y.append(y_pooled)
    tick_labels.append(_pooled_label(result))
    handles.append(
        Line2D([], [], color=_POOLED, marker="D", linestyle="none", label=f"pooled, {level:.0%} CI")
    )
    if not np.isfinite([result.pi_low, result.pi_high]).all():
        return
    y_pi = y_pooled - 1.0
    ax.plot(
        [result.pi_low, result.pi_high],
        [y_pi, y_pi],
        color=_PI,
        linewidth=2.4,
        marker="|",
        markersize=12,
        markeredgewidth=2.4,
        solid_capstyle="butt",
        zorder=2,
        gid="prediction_interval",
    )
    tick_y.append(y_pi)
    tick_labels.append("Prediction interval\n(a new comparable series)")
    handles.append(
        Line2D(
            [], [], color=_PI, linewidth=2.4, marker="|", label=f"{level:.0%} prediction interval"
        )
    )
