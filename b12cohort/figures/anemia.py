"""Neurological signs against the degree of anaemia, and B12 against haemoglobin.

Only draws: the correlation comes from :func:`b12cohort.correlation`, the grades from
:func:`b12cohort.grade_anemia` and its threshold table
(:func:`b12cohort.anemia_schemes`), the counts are plain cross-tabulations.

* :func:`plot_hb_by_score`: Hb against the neurological score, with Spearman's rho.
* :func:`plot_sign_by_grade`: each sign against anaemia grade as a heat map of "k/n".
* :func:`plot_b12_vs_hb`: serum B12 against Hb with the inclusion threshold and the
  grade cut-offs of the scheme.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

from b12cohort.core.arguments import (
    check_choice,
    check_confidence,
    check_dataframe,
    require_columns,
)
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.dictionary.derived import ANEMIA_GRADES, anemia_schemes, grade_anemia, neuro_score
from b12cohort.dictionary.schema import NEURO_SIGNS
from b12cohort.figures._style import (
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    finish,
    new_axes,
    style,
    variable_label,
)
from b12cohort.stats.correlation import CorrelationResult, correlation

__all__ = ["plot_b12_vs_hb", "plot_hb_by_score", "plot_sign_by_grade", "sign_grade_counts"]

_POINT = OKABE_ITO["blue"]
_REFERENCE = OKABE_ITO["vermillion"]
_CUTOFF = OKABE_ITO["black"]
_MISSING_CELL = "#DDDDDD"


def _num(x: float, digits: int = 2) -> str:
    """A number for an annotation: fixed decimals and a true minus sign."""
    if x is None or not math.isfinite(x):
        return "NA"
    return f"{x:.{digits}f}".replace("-", "−")


def _data_scheme(data: pd.DataFrame) -> str | None:
    """The grading scheme a loaded cohort was graded with, if it says."""
    from b12cohort.dictionary.metadata import load_metadata

    try:
        return load_metadata(data).scheme
    except (ArgumentError, AttributeError):
        return None


def _grades(data: pd.DataFrame, scheme: str | None, *, function: str) -> tuple[pd.Series, str]:
    """Anaemia grade per infant and a label of where it came from."""
    if scheme is None and "anemia_grade" in data.columns:
        known = _data_scheme(data)
        return data["anemia_grade"], (known or "as in data")
    require_columns(data, ["hb_g_l"], function=function)
    scheme = scheme or "who-2011"
    ages = data["age_months"] if "age_months" in data.columns else None
    return grade_anemia(data["hb_g_l"], scheme=scheme, age_months=ages), scheme


# --------------------------------------------------------------------------- Hb by score
def plot_hb_by_score(
    data: pd.DataFrame,
    *,
    kind: str = "strip",
    jitter: float = 0.15,
    confidence: float = 0.95,
    random_state: Any = DEFAULT_SEED,
    result: CorrelationResult | None = None,
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

    with style():
        ax = new_axes(ax, figsize=(5.0, 3.6))
        levels = np.unique(score)
        if kind == "box" and levels.size:
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
        ax.scatter(
            score + offsets,
            hb,
            s=28,
            color=_POINT,
            alpha=0.85,
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
            gid="infants",
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
            f"p = {_num(result.p_value, 3)} ({result.method_detail}), n = {result.n}"
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
        finish(ax)
    return ax


# --------------------------------------------------------------------------- sign x grade
def sign_grade_counts(
    data: pd.DataFrame, *, signs: Sequence[str] | None = None, scheme: str | None = None
) -> pd.DataFrame:
    """Counts of each sign by anaemia grade: the numbers :func:`plot_sign_by_grade` draws.

    Parameters
    ----------
    data : pandas.DataFrame
        The cohort. Not modified.
    signs : sequence of str, optional
        Boolean sign columns; default those of :data:`b12cohort.dictionary.schema.NEURO_SIGNS`
        present in ``data`` (as :func:`b12cohort.association_summary`).
    scheme : str, optional
        None: ``data["anemia_grade"]`` (graded with "who-2011" from ``hb_g_l`` when the
        column is absent). A scheme name: regrade with :func:`b12cohort.grade_anemia`
        (with ``age_months`` when present).

    Returns
    -------
    pandas.DataFrame
        One row per sign and grade (all four grades, empty ones included), columns
        ``sign``, ``grade``, ``k`` (infants in the grade with the sign), ``n`` (infants
        in the grade in whom the sign was recorded), ``n_grade`` (infants in the grade)
        and ``scheme``. Infants without a grade (Hb missing) are left out.

    Examples
    --------
    >>> import b12cohort
    >>> counts = sign_grade_counts(b12cohort.load_example(), signs=["adynamia"])
    >>> counts[["grade", "k", "n"]].to_numpy().tolist()
    [['none', 0, 0], ['mild', 3, 4], ['moderate', 8, 13], ['severe', 1, 2]]
    """
    function = "sign_grade_counts"
    check_dataframe(data, function=function)
    if signs is None:
        signs = [s for s in NEURO_SIGNS if s in data.columns]
        if not signs:
            raise ArgumentError(
                f"{function}(): `data` has none of the sign columns ({', '.join(NEURO_SIGNS)}); "
                "pass `signs=[...]`."
            )
    signs = require_columns(data, signs, function=function)
    grade, label = _grades(data, scheme, function=function)
    levels = (
        list(grade.cat.categories) if isinstance(grade.dtype, pd.CategoricalDtype) else None
    ) or list(ANEMIA_GRADES)
    grade = pd.Categorical(np.asarray(grade, dtype=object), categories=levels, ordered=True)
    graded = ~pd.isna(grade)
    n_grade = pd.Series(grade[graded]).value_counts().reindex(levels, fill_value=0)
    rows = []
    for sign in signs:
        values = data[sign]
        recorded = values.notna().to_numpy() & graded
        present = values.fillna(False).to_numpy(dtype=bool) & recorded
        n = pd.Series(grade[recorded]).value_counts().reindex(levels, fill_value=0)
        k = pd.Series(grade[present]).value_counts().reindex(levels, fill_value=0)
        for level in levels:
            rows.append((sign, level, int(k[level]), int(n[level]), int(n_grade[level]), label))
    return pd.DataFrame(rows, columns=["sign", "grade", "k", "n", "n_grade", "scheme"])


def plot_sign_by_grade(
    data: pd.DataFrame,
    *,
    signs: Sequence[str] | None = None,
    scheme: str | None = None,
    colorbar: bool = True,
    ax=None,
):
    """Heat map of each neurological sign against anaemia grade, cells labelled "k/n".

    Parameters
    ----------
    data : pandas.DataFrame
        The cohort. Not modified.
    signs : sequence of str, optional
        Sign columns (rows of the map); default the neurological signs present.
    scheme : str, optional
        None: the grades in ``data["anemia_grade"]``; a scheme name (e.g.
        ``"ru-clinical"``): regrade with :func:`b12cohort.grade_anemia`.
    colorbar : bool, default True
        Add a colour bar (proportion k/n) beside the map.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The image is the proportion k/n per cell (NaN where n = 0). Each cell's text
        has gid ``"cell:<sign>:<grade>"`` and reads ``"k/n"``; the note about dropped
        grades has gid ``"note"``.

    Raises
    ------
    ArgumentError
        Absent columns, an unknown scheme, or no infant with a grade.

    Warns
    -----
    DataQualityWarning
        When grades without any infant are dropped (in the published example every
        infant is anaemic, so "none" is empty); the figure says so in a note as well.
    SchemeRangeWarning
        From :func:`b12cohort.grade_anemia` when regrading infants outside the scheme's
        age range.

    Notes
    -----
    Columns are the grades in order of severity with the number of infants graded;
    cells count the infants with the sign (k) among those in the grade in whom it was
    recorded (n), coloured by k/n on a fixed 0-1 scale (cividis, readable with colour
    vision deficiency). The counts are :func:`sign_grade_counts`. The tests of
    association for this table are in :func:`b12cohort.association_summary`.

    Examples
    --------
    >>> import warnings, matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_sign_by_grade
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ax = plot_sign_by_grade(b12cohort.load_example())
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "cell:adynamia:mild"]
    ['3/4']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_sign_by_grade"
    counts = sign_grade_counts(data, signs=signs, scheme=scheme)
    order = list(dict.fromkeys(counts["sign"]))
    levels = list(dict.fromkeys(counts["grade"]))
    per_grade = counts.drop_duplicates("grade").set_index("grade")["n_grade"]
    kept = [lv for lv in levels if per_grade[lv] > 0]
    if not kept:
        raise ArgumentError(
            f"{function}(): no infant has an anaemia grade (is hb_g_l missing throughout?)."
        )
    notes = []
    dropped = [lv for lv in levels if per_grade[lv] == 0]
    if dropped:
        msg = f"Empty anaemia grade(s) dropped: {', '.join(dropped)} (no infant)."
        notes.append(msg)
        warnings.warn(f"{function}(): {msg}", DataQualityWarning, stacklevel=2)
    n_ungraded = len(data) - int(per_grade.sum())
    if n_ungraded:
        notes.append(f"{n_ungraded} infant(s) without a grade (Hb missing) left out.")
    k = counts.pivot(index="sign", columns="grade", values="k").loc[order, kept]
    n = counts.pivot(index="sign", columns="grade", values="n").loc[order, kept]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n.to_numpy() > 0, k.to_numpy() / np.maximum(n.to_numpy(), 1), np.nan)
    scheme_label = str(counts["scheme"].iloc[0])

    with style():
        ax = new_axes(ax, figsize=(1.8 + 1.1 * len(kept), 1.2 + 0.45 * len(order)))
        cmap = _cmap()
        image = ax.imshow(
            np.ma.masked_invalid(share),
            cmap=cmap,
            norm=Normalize(0.0, 1.0),
            aspect="auto",
            interpolation="nearest",
        )
        for i, sign in enumerate(order):
            for j, level in enumerate(kept):
                value = share[i, j]
                dark = math.isfinite(value) and value < 0.55
                ax.text(
                    j,
                    i,
                    f"{int(k.iloc[i, j])}/{int(n.iloc[i, j])}",
                    ha="center",
                    va="center",
                    color="white" if dark else "black",
                    gid=f"cell:{sign}:{level}",
                )
        ax.set_xticks(range(len(kept)), [f"{lv}\n(n = {int(per_grade[lv])})" for lv in kept])
        ax.set_yticks(range(len(order)), [variable_label(s) for s in order])
        ax.set_xlabel(f"Anaemia grade ({scheme_label})")
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        if colorbar:
            bar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
            bar.set_label("Proportion with the sign (k/n)")
            bar.ax.tick_params(labelsize=8)
            bar.outline.set_visible(False)
        if notes:
            ax.annotate(
                " ".join(notes),
                xy=(0.0, 0.0),
                xycoords="axes fraction",
                xytext=(0.0, -44.0),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=7.5,
                color="0.3",
                gid="note",
            )
        finish(ax, left=False)
        ax.spines["bottom"].set_visible(False)
    return ax


def _cmap():
    import matplotlib as mpl

    return mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad=_MISSING_CELL)


# --------------------------------------------------------------------------- B12 vs Hb
def plot_b12_vs_hb(
    data: pd.DataFrame,
    *,
    scheme: str | None = None,
    threshold: float | None = 83.0,
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
    scheme_name = scheme or _data_scheme(data) or "who-2011"
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

    with style():
        ax = new_axes(ax, figsize=(5.0, 3.6))
        ax.scatter(
            pairs["hb"].to_numpy(dtype=float),
            pairs["b12"].to_numpy(dtype=float),
            s=28,
            color=_POINT,
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
            label=f"infants (n = {len(pairs)})",
            gid="infants",
        )
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
        styles = {"anemia_below": ":", "moderate_below": "-.", "severe_below": (0, (5, 2, 1, 2))}
        for i, (column, line_style) in enumerate(styles.items()):
            value = float(band[column])
            ax.axvline(
                value,
                color=_CUTOFF,
                linestyle=line_style,
                linewidth=0.9,
                label=(f"Hb grade cut-offs ({scheme_name}{age_note})" if i == 0 else None),
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
                1.01,
                name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7.5,
                color="0.3",
                gid=f"grade:{name}",
            )
        ax.set_xlabel("Haemoglobin (g/L)")
        ax.set_ylabel("Serum vitamin B12 (pg/mL)")
        top = max([float(pairs["b12"].max()) if len(pairs) else 0.0, float(threshold or 0.0)])
        ax.set_ylim(0, top * 1.12 if top > 0 else 1.0)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
        finish(ax)
    return ax
