"""Each neurological sign against the anaemia grade: the counts and their heat map.

Only draws: the grades come from :func:`b12cohort.grade_anemia`, the counts are plain
cross-tabulations (:func:`sign_grade_counts`); the tests of association for this table
are in :func:`b12cohort.association_summary`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

from b12cohort.core.arguments import check_dataframe, require_columns
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.dictionary.derived import ANEMIA_GRADES, grade_anemia
from b12cohort.dictionary.schema import NEURO_SIGNS
from b12cohort.figures._style import (
    SEQUENTIAL_CMAP,
    finish,
    new_axes,
    set_alt_text,
    style,
    text_colour_on,
    variable_label,
)

__all__ = ["SMALL_CELL", "plot_sign_by_grade", "sign_grade_counts"]

_MISSING_CELL = "#DDDDDD"
#: Cells of the sign-by-grade map with fewer infants recorded than this are hatched.
SMALL_CELL = 5


def data_scheme(data: pd.DataFrame) -> str | None:
    """The grading scheme a loaded cohort was graded with, if it says."""
    from b12cohort.dictionary.metadata import load_metadata

    try:
        return load_metadata(data).scheme
    except (ArgumentError, AttributeError):
        return None


def cohort_grades(
    data: pd.DataFrame, scheme: str | None, *, function: str
) -> tuple[pd.Series, str]:
    """Anaemia grade per infant and a label of where it came from."""
    if scheme is None and "anemia_grade" in data.columns:
        known = data_scheme(data)
        return data["anemia_grade"], (known or "as in data")
    require_columns(data, ["hb_g_l"], function=function)
    scheme = scheme or "who-2011"
    ages = data["age_months"] if "age_months" in data.columns else None
    return grade_anemia(data["hb_g_l"], scheme=scheme, age_months=ages), scheme


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
    grade, label = cohort_grades(data, scheme, function=function)
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
        from matplotlib.patches import Rectangle

        for i, sign in enumerate(order):
            for j, level in enumerate(kept):
                value = share[i, j]
                background = cmap(value) if math.isfinite(value) else _MISSING_CELL
                colour = text_colour_on(background)
                if int(n.iloc[i, j]) < SMALL_CELL:
                    ax.add_patch(
                        Rectangle(
                            (j - 0.5, i - 0.5),
                            1.0,
                            1.0,
                            fill=False,
                            hatch="///",
                            edgecolor=colour,
                            linewidth=0.0,
                            alpha=0.45,
                            gid=f"small:{sign}:{level}",
                        )
                    )
                ax.text(
                    j,
                    i,
                    f"{int(k.iloc[i, j])}/{int(n.iloc[i, j])}",
                    ha="center",
                    va="center",
                    color=colour,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": background, "linewidth": 0},
                    gid=f"cell:{sign}:{level}",
                )
        ax.set_xticks(range(len(kept)), [f"{lv}\n(n = {int(per_grade[lv])})" for lv in kept])
        ax.set_yticks(range(len(order)), [variable_label(s) for s in order])
        ax.set_xlabel(f"Anaemia grade ({scheme_label})")
        if (n.to_numpy() < SMALL_CELL).any():
            notes.append(
                f"Hatched: fewer than {SMALL_CELL} infants recorded in the cell, so its "
                "proportion is very uncertain."
            )
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        if colorbar:
            bar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
            bar.set_label("Proportion with the sign, k/n (n printed in each cell)")
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
                wrap=True,
                gid="note",
            )
        cells = "; ".join(
            f"{variable_label(sign)}: "
            + ", ".join(
                f"{level} {int(k.loc[sign, level])}/{int(n.loc[sign, level])}" for level in kept
            )
            for sign in order
        )
        set_alt_text(
            ax,
            f"Heat map of the proportion of infants with each neurological sign by anaemia "
            f"grade ({scheme_label}); each cell gives infants with the sign / infants recorded. "
            f"{cells}." + (" " + " ".join(notes) if notes else ""),
        )
        finish(ax, left=False)
        ax.spines["bottom"].set_visible(False)
    return ax


def _cmap():
    import matplotlib as mpl

    return mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad=_MISSING_CELL)
