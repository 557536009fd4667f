"""Neurological signs against the degree of anaemia, and B12 against haemoglobin.

Only draws: the correlation comes from :func:`b12cohort.correlation`, the grades from
:func:`b12cohort.grade_anemia` and its threshold table
(:func:`b12cohort.anemia_schemes`), the counts are plain cross-tabulations.

* :func:`plot_hb_by_score`: Hb against the neurological score, with Spearman's rho.
* :func:`plot_sign_by_grade`: each sign against anaemia grade as a heat map of "k/n"
  (defined in :mod:`b12cohort.figures.sign_grade`, re-exported here).
* :func:`plot_b12_vs_hb`: serum B12 against Hb with the inclusion threshold and the
  grade cut-offs of the scheme.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_choice,
    check_confidence,
    check_dataframe,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ArgumentError
from b12cohort.dictionary.derived import ANEMIA_GRADES, anemia_schemes, neuro_score
from b12cohort.figures._censored import draw_censored
from b12cohort.figures._scale import POINTS_MAX, set_caption, view_for
from b12cohort.figures._style import (
    OKABE_ITO,
    finish,
    new_axes,
    set_alt_text,
    style,
)
from b12cohort.figures.sign_grade import data_scheme, plot_sign_by_grade, sign_grade_counts
from b12cohort.stats.correlation import CorrelationResult, correlation

__all__ = ["plot_b12_vs_hb", "plot_hb_by_score", "plot_sign_by_grade", "sign_grade_counts"]

_POINT = OKABE_ITO["blue"]
_REFERENCE = OKABE_ITO["vermillion"]
_CUTOFF = OKABE_ITO["black"]


def _p_kind(p_method: str) -> str:
    """How a p-value was obtained, in two words ("permutation p", "exact p", ...)."""
    for word in ("permutation", "exact", "asymptotic", "monte-carlo"):
        if word in str(p_method):
            return f"{word.replace('monte-carlo', 'Monte Carlo')} p"
    return "p"


def _num(x: float, digits: int = 2) -> str:
    """A number for an annotation: fixed decimals and a true minus sign."""
    if x is None or not math.isfinite(x):
        return "NA"
    return f"{x:.{digits}f}".replace("-", "−")


# --------------------------------------------------------------------------- Hb by score
def plot_hb_by_score(
    data: pd.DataFrame,
    *,
    kind: str = "strip",
    jitter: float = 0.15,
    confidence: float = 0.95,
    random_state: Any = DEFAULT_SEED,
    result: CorrelationResult | None = None,
    view: str = "auto",
    ax=None,
):
    """Haemoglobin against the neurological score, annotated with Spearman's rho.

    Parameters
    ----------
    data : pandas.DataFrame
        The cohort: ``hb_g_l`` and ``neuro_score`` (computed with
        :func:`b12cohort.dictionary.derived.neuro_score` from the sign columns when absent). Not
        modified.
    kind : {"strip", "box"}, default "strip"
        A jittered strip of the infants, or boxes (median, quartiles, 1.5 IQR whiskers)
        with the strip on top.
    jitter : float, default 0.15
        Half-width of the horizontal jitter, in score units (0: none).
    confidence : float, default 0.95
        Level of the confidence interval of rho.
    random_state : int or numpy.random.Generator, default DEFAULT_SEED
        Seed of the jitter (``numpy.random.default_rng(random_state)``: the same figure
        on every run), also passed to :func:`b12cohort.correlation` for its permutation
        p-value.
    result : CorrelationResult, optional
        A precomputed ``correlation(data, x="neuro_score", y="hb_g_l", method="spearman")``
        to annotate instead of computing it here.
    view : {"auto", "per-infant", "aggregate"}, default "auto"
        One point per infant, or boxes only (no points; ``kind`` is then ignored).
        ``"auto"``: points up to :data:`~b12cohort.figures._scale.POINTS_MAX` (1,000)
        infants, boxes above; the figure's caption then says why.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids: ``"infants"`` (the points, offsets (score + jitter, Hb)),
        ``"correlation"`` (the annotation text), and with ``kind="box"`` the box lines.

    Raises
    ------
    ArgumentError
        Absent ``hb_g_l``, an unknown ``kind``, a negative ``jitter``, or from
        :func:`b12cohort.correlation`.

    Warns
    -----
    ApproximationWarning
        From :func:`b12cohort.correlation` when its p-value is a Monte Carlo estimate.

    Notes
    -----
    The annotation gives Spearman's rho, its Fisher-z confidence interval (Bonett &
    Wright 2000), the p-value and how it was obtained, and n, all from
    :func:`b12cohort.correlation` (the same call as the association summary makes). The
    x tick labels give the number of infants with each score. Jitter only moves points
    sideways inside their score column; Hb values are drawn exactly.

    References
    ----------
    Spearman C. The proof and measurement of association between two things. Am J
    Psychol. 1904;15(1):72-101.
    Bonett DG, Wright TA. Sample size requirements for estimating Pearson, Kendall and
    Spearman correlations. Psychometrika. 2000;65(1):23-28.

    Examples
    --------
    >>> import warnings, matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_hb_by_score
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ax = plot_hb_by_score(b12cohort.load_example())
    >>> ax.get_xlabel()
    'Neurological score (number of signs)'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_hb_by_score"
    check_dataframe(data, function=function)
    require_columns(data, ["hb_g_l"], function=function)
    if kind not in ("strip", "box"):
        raise ArgumentError(f"{function}(): `kind` must be 'strip' or 'box'; got {kind!r}.")
    if not (isinstance(jitter, int | float) and math.isfinite(jitter) and jitter >= 0):
        raise ArgumentError(f"{function}(): `jitter` must be a number >= 0; got {jitter!r}.")
    level = check_confidence(confidence, function=function)
    work = data
    if "neuro_score" not in data.columns:
        work = data.assign(neuro_score=neuro_score(data))
    if result is None:
        result = correlation(
            work,
            x="neuro_score",
            y="hb_g_l",
            method="spearman",
            confidence=level,
            random_state=random_state,
        )
    pairs = pd.DataFrame(
        {
            "score": pd.to_numeric(work["neuro_score"], errors="coerce"),
            "hb": pd.to_numeric(work["hb_g_l"], errors="coerce"),
        }
    ).dropna()
    score = pairs["score"].to_numpy(dtype=float)
    hb = pairs["hb"].to_numpy(dtype=float)
    offsets = np.random.default_rng(random_state).uniform(-jitter, jitter, size=score.size)
    drawn = view_for(view, score.size, POINTS_MAX, function=function)

    with style():
        ax = new_axes(ax, figsize=(5.0, 3.6))
        levels = np.unique(score)
        if (kind == "box" or drawn == "aggregate") and levels.size:
            groups = [hb[score == lv] for lv in levels]
            ax.boxplot(
                groups,
                positions=levels,
                widths=0.5,
                showfliers=False,
                patch_artist=False,
                medianprops={"color": _REFERENCE},
                boxprops={"color": "0.35"},
                whiskerprops={"color": "0.35"},
                capprops={"color": "0.35"},
            )
        if drawn == "per-infant":
            exact = draw_censored(ax, work, "hb_g_l", score + offsets, hb, pairs.index)
            ax.scatter(
                (score + offsets)[exact],
                hb[exact],
                s=28,
                color=_POINT,
                alpha=0.85,
                edgecolor="white",
                linewidth=0.5,
                zorder=3,
                gid="infants",
            )
        else:
            exact = np.ones(score.size, dtype=bool)
            set_caption(
                ax,
                f"Haemoglobin against the number of neurological signs: boxes (median, "
                f"quartiles, 1.5 IQR whiskers) for {score.size:,} infants, more than the "
                f"{POINTS_MAX:,} drawn one point each",
            )
        ticks = np.arange(levels.min(), levels.max() + 1) if levels.size else np.array([])
        counts = {lv: int((score == lv).sum()) for lv in ticks}
        ax.set_xticks(ticks, [f"{int(t)}\n(n = {counts[t]})" for t in ticks])
        if ticks.size:
            ax.set_xlim(ticks.min() - 0.6, ticks.max() + 0.6)
        ax.set_xlabel("Neurological score (number of signs)")
        ax.set_ylabel("Haemoglobin (g/L)")
        text = (
            f"Spearman ρ = {_num(result.estimate)} "
            f"({result.confidence:.0%} CI {_num(result.ci_low)} to {_num(result.ci_high)})\n"
            f"p = {_num(result.p_value, 3)} ({_p_kind(result.method)}), n = {result.n}"
        )
        ax.text(
            0.0,
            1.02,
            text,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=7.5,
            gid="correlation",
        )
        if not exact.all():
            ax.legend(loc="upper right", fontsize=7.5, frameon=False)
        by_score = "; ".join(
            f"score {int(t)}: {counts[t]} infant{'' if counts[t] == 1 else 's'}"
            + (f", median Hb {np.median(hb[score == t]):.0f} g/L" if counts[t] else "")
            for t in ticks
        )
        shape = "Scatter" if drawn == "per-infant" else "Box plots (no points)"
        set_alt_text(
            ax,
            f"{shape} of haemoglobin (g/L) against the number of neurological signs for "
            f"{score.size} infants. {by_score}. Spearman ρ = {_num(result.estimate)} "
            f"({result.confidence:.0%} CI {_num(result.ci_low)} to {_num(result.ci_high)}).",
        )
        finish(ax)
    return ax


# --------------------------------------------------------------------------- B12 vs Hb
def plot_b12_vs_hb(
    data: pd.DataFrame,
    *,
    scheme: str | None = None,
    threshold: float | None = 83.0,
    view: str = "auto",
    ax=None,
):
    """Serum B12 against haemoglobin with the inclusion threshold and grade cut-offs.

    Parameters
    ----------
    data : pandas.DataFrame
        The cohort: ``b12_pg_ml`` and ``hb_g_l``. Not modified.
    scheme : str, optional
        Anaemia scheme whose cut-offs are drawn (:func:`b12cohort.anemia_schemes`).
        Default: the scheme the cohort was graded with (:func:`b12cohort.load_cohort`
        records it), else "who-2011".
    threshold : float or None, default 83.0
        B12 inclusion threshold in pg/mL (Taranushenko et al. 2022: B12 < 83 pg/mL),
        drawn as a horizontal line; None: no line.
    view : {"auto", "per-infant", "aggregate"}, default "auto"
        One point per infant, or a two-dimensional histogram (gid ``"density"``:
        infants per cell of a 40 x 40 grid, empty cells blank, with a colour bar). ``"auto"``: points up to
        :data:`~b12cohort.figures._scale.POINTS_MAX` (1,000) infants, the histogram
        above; the figure's caption then says why.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        Artists carry gids: ``"infants"`` (points at (Hb, B12)), ``"threshold"`` (the B12
        line) and ``"cutoff:<name>"`` for ``anemia_below``, ``moderate_below`` and
        ``severe_below`` (vertical lines at the scheme's Hb cut-offs).

    Raises
    ------
    ArgumentError
        Absent columns or an unknown scheme.

    Notes
    -----
    Infants with B12 or Hb missing are not drawn (the legend gives the n drawn). For a
    scheme whose cut-offs depend on age, the cut-offs of its first age band are drawn
    (the band :func:`b12cohort.grade_anemia` uses without ages) and the legend names it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_b12_vs_hb
    >>> ax = plot_b12_vs_hb(b12cohort.load_example())
    >>> sorted(line.get_xdata()[0] for line in ax.lines if line.get_gid().startswith("cutoff"))
    [70.0, 100.0, 110.0]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_b12_vs_hb"
    check_dataframe(data, function=function)
    require_columns(data, ["b12_pg_ml", "hb_g_l"], function=function)
    table = anemia_schemes()
    scheme_name = scheme or data_scheme(data) or "who-2011"
    scheme_name = check_choice(
        scheme_name, list(dict.fromkeys(table["scheme"])), name="scheme", function=function
    )
    bands = table[table["scheme"] == scheme_name].sort_values("age_min_months")
    band = bands.iloc[0]
    if threshold is not None and not (
        isinstance(threshold, int | float) and math.isfinite(threshold)
    ):
        raise ArgumentError(
            f"{function}(): `threshold` must be a number or None; got {threshold!r}."
        )
    pairs = pd.DataFrame(
        {
            "hb": pd.to_numeric(data["hb_g_l"], errors="coerce"),
            "b12": pd.to_numeric(data["b12_pg_ml"], errors="coerce"),
        }
    ).dropna()

    drawn = view_for(view, len(pairs), POINTS_MAX, function=function)

    with style():
        ax = new_axes(ax, figsize=(5.0, 3.6))
        if drawn == "per-infant":
            exact = draw_censored(ax, data, "b12_pg_ml", pairs["hb"], pairs["b12"], pairs.index)
            ax.scatter(
                pairs["hb"].to_numpy(dtype=float)[exact],
                pairs["b12"].to_numpy(dtype=float)[exact],
                s=28,
                color=_POINT,
                edgecolor="white",
                linewidth=0.5,
                zorder=3,
                label=f"infants (n = {len(pairs)})",
                gid="infants",
            )
        else:
            _density(ax, pairs["hb"].to_numpy(dtype=float), pairs["b12"].to_numpy(dtype=float))
        if threshold is not None:
            ax.axhline(
                float(threshold),
                color=_REFERENCE,
                linestyle="--",
                linewidth=1.2,
                label=f"inclusion: B12 < {float(threshold):g} pg/mL",
                gid="threshold",
            )
        age_note = ""
        if len(bands) > 1:
            age_note = f", ages {band['age_min_months']:g}-{band['age_max_months']:g} months"
        styles = {"anemia_below": ":", "moderate_below": "--", "severe_below": "-"}
        meaning = {
            "anemia_below": "anaemia (mild)",
            "moderate_below": "moderate",
            "severe_below": "severe",
        }
        for column, line_style in styles.items():
            value = float(band[column])
            ax.axvline(
                value,
                color=_CUTOFF,
                linestyle=line_style,
                linewidth=0.9,
                label=f"{meaning[column]}: Hb < {value:g} g/L ({scheme_name}{age_note})",
                gid=f"cutoff:{column}",
            )
        # grade names between the cut-offs, along the top of the axes
        cuts = [float(band[c]) for c in ("severe_below", "moderate_below", "anemia_below")]
        low_x = min(cuts[0] - 15.0, float(pairs["hb"].min()) - 5.0) if len(pairs) else cuts[0] - 15
        high_x = max(cuts[2] + 15.0, float(pairs["hb"].max()) + 5.0) if len(pairs) else cuts[2] + 15
        ax.set_xlim(low_x, high_x)
        edges = [low_x, *cuts, high_x]
        for name, left, right in zip(reversed(ANEMIA_GRADES), edges[:-1], edges[1:], strict=True):
            ax.text(
                (left + right) / 2,
                0.985,
                name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize=7.5,
                color="0.3",
                gid=f"grade:{name}",
            )
        ax.set_xlabel("Haemoglobin (g/L)")
        ax.set_ylabel("Serum vitamin B12 (pg/mL)")
        top = max([float(pairs["b12"].max()) if len(pairs) else 0.0, float(threshold or 0.0)])
        ax.set_ylim(0, top * 1.22 if top > 0 else 1.0)  # room for the grade names inside
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
        below = (
            f", {int((pairs['b12'] < threshold).sum())} below {float(threshold):g} pg/mL"
            if threshold is not None
            else ""
        )
        shape = "Scatter" if drawn == "per-infant" else "Two-dimensional histogram"
        if drawn == "aggregate":
            set_caption(
                ax,
                f"Serum B12 against haemoglobin: infants per cell of a grid (at most 40 × 40) for "
                f"{len(pairs):,} infants, more than the {POINTS_MAX:,} drawn one point each",
            )
        set_alt_text(
            ax,
            f"{shape} of serum vitamin B12 (pg/mL) against haemoglobin (g/L) for {len(pairs)} "
            f"infants"
            + below
            + (
                f"; Hb from {pairs['hb'].min():g} to {pairs['hb'].max():g} g/L, B12 from "
                f"{pairs['b12'].min():g} to {pairs['b12'].max():g} pg/mL"
                if len(pairs)
                else ""
            )
            + f". Vertical lines: the {scheme_name} Hb cut-offs at "
            + ", ".join(f"{float(band[c]):g}" for c in styles)
            + " g/L.",
        )
        finish(ax)
    return ax


def _density(ax, hb: np.ndarray, b12: np.ndarray) -> None:
    """Infants per cell of a 40 x 40 grid (empty cells blank), with a colour bar.

    Whole-number values (Hb in g/L, as laboratories report it) get cells of a whole
    number of units, so that no cell holds one more possible value than its neighbours.
    """

    def edges(values: np.ndarray) -> np.ndarray | int:
        if not values.size or not np.all(values == np.round(values)):
            return 40
        low, high = float(values.min()), float(values.max())
        width = max(1.0, math.ceil((high - low + 1.0) / 40.0))
        return np.arange(low - 0.5, high + 0.5 + width, width)

    counts, x_edges, y_edges = np.histogram2d(hb, b12, bins=[edges(hb), edges(b12)])
    counts = np.where(counts > 0, counts, np.nan)
    mesh = ax.pcolormesh(x_edges, y_edges, counts.T, cmap="Blues", zorder=2, gid="density")
    bar = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
    bar.set_label("Infants per cell")
