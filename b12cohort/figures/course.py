"""Treatment course of involuntary movements: per-infant timeline and Kaplan-Meier curve.

Only draws: the per-infant course and the Kaplan-Meier estimate with its pointwise
interval and median come from :func:`b12cohort.treatment_course`. Above
:data:`~b12cohort.figures._scale.PER_INFANT_MAX` infants with movements the timeline is
replaced by a histogram of the onset day (:mod:`b12cohort.figures._scale`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from b12cohort.core.arguments import check_dataframe
from b12cohort.core.errors import ArgumentError
from b12cohort.figures._scale import PER_INFANT_MAX, set_caption, view_for
from b12cohort.figures._style import OKABE_ITO, finish, set_alt_text, style
from b12cohort.stats.survival import TreatmentCourse, treatment_course

__all__ = ["plot_course"]

_RESOLVED, _CENSORED, _CURVE = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["blue"]
_PRE_ONSET = "0.75"
#: Human names of the Kaplan-Meier interval types.
_CONF_TYPE = {"log": "log transform", "log-log": "log-log transform", "plain": "plain"}


def _day(x: float) -> str:
    """A day of the median or its limit; NaN there means the curve or band never reached 0.5."""
    return "not reached" if not math.isfinite(x) else f"{x:g}"


def plot_course(
    data,
    *,
    confidence: float = 0.95,
    ci_method: str = "log",
    origin: str = "first_dose",
    view: str = "auto",
    axes=None,
):
    """Two panels: each infant's involuntary movements over time, and their Kaplan-Meier curve.

    Parameters
    ----------
    data : pandas.DataFrame or TreatmentCourse
        The cohort (``patient_id``, ``involuntary_movements_on_treatment`` and, when
        recorded, ``im_onset_day``, ``im_resolution_day``, ``im_followup_day``), passed
        to :func:`b12cohort.treatment_course` with ``confidence``, ``ci_method`` and
        ``origin``; or a result of :func:`b12cohort.treatment_course`, drawn as it is
        (the three options are then ignored).
    confidence, ci_method, origin
        Passed to :func:`b12cohort.treatment_course`.
    view : {"auto", "per-infant", "aggregate"}, default "auto"
        The top panel: one row per infant (``"per-infant"``), or a histogram of the
        onset day (``"aggregate"``). ``"auto"``: per infant up to
        :data:`~b12cohort.figures._scale.PER_INFANT_MAX` (60) infants with movements,
        aggregate above (60 labelled rows is about what a reader can follow, and one
        artist per infant takes minutes to save at registry scale).
    axes : sequence of two matplotlib.axes.Axes, optional
        Axes for the timeline and the curve; a new figure (two rows, sharing the day
        axis when ``origin="first_dose"``) is made when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape (2,)
        ``[timeline, curve]``. Timeline artists: ``"course:<patient_id>"`` (a bar from the
        onset day to the day of resolution or of last follow-up), ``"censored:<id>"``
        (a marker at the last follow-up of unresolved movements), ``"resolved:<id>"``
        (a marker at resolution). Curve artists: ``"km"`` (the step curve through
        ``km_curve``), ``"km_band"`` (the pointwise interval), ``"km_censored"`` (marks at
        censoring times) and ``"km_median_line"`` (dotted, at the median); the median
        and its CI are the panel's left title (``get_title(loc="left")``). When there
        is no estimate, a text ``"km_note"`` says why instead. In the aggregate view
        the top panel holds ``"onset_histogram"`` (bars: infants by onset day) instead
        of the per-infant artists, and the figure's caption
        (:func:`b12cohort.figures._scale.caption_of`) says why.

    Raises
    ------
    ArgumentError
        ``axes`` that are not two Axes, or from :func:`b12cohort.treatment_course`.

    Warns
    -----
    DataQualityWarning
        From :func:`b12cohort.treatment_course` (infants left out of the estimate,
        contradictory records).

    Notes
    -----
    Timeline (a swimmer plot): one row per infant with movements, sorted by the day the
    course ended; a grey line from the first cyanocobalamin dose (day 0) to the onset,
    a bar while the movements lasted, a filled circle at resolution and an arrow head at
    the last follow-up when they had not resolved (censored). Infants without an end
    day are drawn to their onset and labelled. Curve: the Kaplan-Meier estimate of the
    proportion still with movements, with the pointwise interval of R ``survfit``
    (``ci_method``) as a band, censoring marks, and the median time to resolution with
    its Brookmeyer-Crowley interval. With a handful of infants the band is wide and the
    curve drops in large steps: read it together with the timeline.

    References
    ----------
    Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am
    Stat Assoc. 1958;53(282):457-481.
    Brookmeyer R, Crowley J. A confidence interval for the median survival time.
    Biometrics. 1982;38(1):29-41.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import b12cohort
    >>> from b12cohort.figures import plot_course
    >>> timeline, curve = plot_course(b12cohort.load_example())
    >>> len(timeline.patches), curve.get_ylabel()
    (6, 'Still with involuntary movements')
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    function = "plot_course"
    if isinstance(data, TreatmentCourse):
        result = data
    else:
        check_dataframe(data, function=function)
        result = treatment_course(data, confidence=confidence, ci_method=ci_method, origin=origin)
    infants = result.infants.copy()
    infants = infants.sort_values(["end_day", "onset_day"], na_position="last", kind="stable")
    infants = infants.reset_index(drop=True)

    drawn = view_for(view, len(infants), PER_INFANT_MAX, function=function)
    with style():
        if axes is None:
            import matplotlib.pyplot as plt

            rows = max(len(infants), 1) if drawn == "per-infant" else 8
            _, axes = plt.subplots(
                2,
                1,
                figsize=(6.0, 3.4 + 0.28 * rows),
                sharex=result.origin == "first_dose",
                height_ratios=[0.6 + 0.28 * rows, 2.6],
                layout="constrained",
            )
        axes = _two_axes(axes, function=function)
        if drawn == "per-infant":
            _timeline(axes[0], infants)
            top = (
                f"involuntary movements per infant ({len(infants)} infants), days after the "
                f"first dose: {_spans(infants) or 'none'}"
            )
        else:
            top = _onsets(axes[0], infants)
            set_caption(
                axes[0],
                f"Involuntary movements during cyanocobalamin treatment: onset histogram and "
                f"Kaplan–Meier ({len(infants):,} infants with movements, more than the "
                f"{PER_INFANT_MAX} a per-infant timeline can show)",
            )
        _curve(axes[1], result)
        set_alt_text(
            axes[0],
            f"Two panels. Top: {top}. Bottom: Kaplan-Meier proportion "
            f"still with movements; median {_day(result.median)} days "
            f"({result.confidence:.0%} CI {_day(result.median_ci_low)} to "
            f"{_day(result.median_ci_high)}), {result.events} of {result.n_km} resolved.",
        )
        for ax in axes:
            finish(ax)
    return axes


def _spans(infants: pd.DataFrame) -> str:
    return "; ".join(
        f"{r.patient_id}: onset day "
        + (f"{r.onset_day:g}" if math.isfinite(r.onset_day) else "not recorded")
        + (
            f", resolved day {r.end_day:g}"
            if math.isfinite(r.end_day) and r.event
            else f", not resolved at day {r.end_day:g}"
            if math.isfinite(r.end_day)
            else ", no follow-up recorded"
        )
        for r in infants.itertuples(index=False)
    )


def _onsets(ax, infants: pd.DataFrame) -> str:
    """The aggregate top panel: infants by onset day (one bar per day); returns its alt text."""
    onset = infants["onset_day"].to_numpy(float)
    known = onset[np.isfinite(onset)]
    n = len(infants)
    if known.size:
        days, counts = np.unique(known, return_counts=True)
        ax.bar(days, counts, width=0.8, color=_RESOLVED, alpha=0.85, gid="onset_histogram")
        top = days[np.argmax(counts)]
        median = float(np.median(known))
        shown = (
            f"onset of involuntary movements for {known.size:,} of {n:,} infants, days after "
            f"the first dose: from day {days.min():g} to {days.max():g}, median day "
            f"{median:g}, most often day {top:g} ({counts.max():,} infants)"
        )
    else:
        shown = f"no onset day recorded for the {n:,} infants with movements"
        ax.text(0.5, 0.5, shown, transform=ax.transAxes, ha="center", va="center",
                color="0.3", gid="note")  # fmt: skip
    missing = n - known.size
    ax.set_title(
        f"Onset, {n:,} infants with movements (more than {PER_INFANT_MAX} to draw one by one)"
        + (f"; {missing:,} without an onset day" if missing else ""),
        loc="left",
        fontsize=8.0,
    )
    ax.set_ylabel("Infants")
    return shown + (f"; {missing:,} without an onset day" if missing else "")


def _two_axes(axes, *, function: str) -> np.ndarray:
    from matplotlib.axes import Axes

    flat = list(np.asarray(axes, dtype=object).ravel())
    if len(flat) != 2 or not all(isinstance(a, Axes) for a in flat):
        raise ArgumentError(
            f"{function}(): `axes` must be two matplotlib Axes (timeline, curve), e.g. from "
            f"plt.subplots(2, 1); got {axes!r}."
        )
    out = np.empty(2, dtype=object)
    out[:] = flat
    return out


def _timeline(ax, infants: pd.DataFrame) -> None:
    n = len(infants)
    ys = np.arange(n, 0, -1, dtype=float)
    for y, row in zip(ys, infants.itertuples(index=False), strict=True):
        pid = str(row.patient_id)
        onset, end = float(row.onset_day), float(row.end_day)
        if math.isfinite(onset):
            ax.plot([0.0, onset], [y, y], color=_PRE_ONSET, linewidth=1.0, zorder=1)
        if math.isfinite(onset) and math.isfinite(end):
            ax.barh(
                [y],
                [end - onset],
                left=[onset],
                height=0.5,
                color=_RESOLVED if row.event else _CENSORED,
                alpha=0.85,
                gid=f"course:{pid}",
            )
        if math.isfinite(end) and row.event:
            ax.plot(
                [end],
                [y],
                marker="o",
                markersize=6,
                linestyle="none",
                color=_RESOLVED,
                zorder=3,
                gid=f"resolved:{pid}",
            )
        elif math.isfinite(end):
            ax.plot(
                [end],
                [y],
                marker=">",
                markersize=7,
                linestyle="none",
                color=_CENSORED,
                zorder=3,
                gid=f"censored:{pid}",
            )
        else:
            ax.text(
                onset + 1.0 if math.isfinite(onset) else 0.0,
                y,
                f"{row.status}",
                va="center",
                fontsize=7.5,
                color="0.3",
                gid=f"note:{pid}",
            )
    ax.set_yticks(ys, [str(p) for p in infants["patient_id"]])
    ax.set_ylim(0.3, n + 0.7)
    ax.set_xlim(left=0.0)
    ax.set_ylabel("Infant")
    ax.tick_params(axis="y", length=0)
    if n == 0:
        ax.text(
            0.5,
            0.5,
            "no infant with involuntary movements",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.3",
            gid="note",
        )
    handles = [
        Line2D([], [], color=_PRE_ONSET, label="first dose to onset"),
        Line2D([], [], color=_RESOLVED, marker="o", linewidth=4, label="resolved"),
    ]
    censored = infants["end_day"].notna() & ~infants["event"].fillna(False).astype(bool)
    if censored.any():  # no legend entry for what is not drawn
        handles.append(
            Line2D(
                [], [], color=_CENSORED, marker=">", linewidth=4, label="not resolved (censored)"
            )
        )
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=7.5)


def _curve(ax, result: TreatmentCourse) -> None:
    curve = result.km_curve
    origin = "first dose" if result.origin == "first_dose" else "onset of the movements"
    ax.set_xlabel(f"Days after the {origin}")
    ax.set_ylabel("Still with involuntary movements")
    ax.set_ylim(-0.02, 1.05)
    if curve.empty:
        ax.text(
            0.5,
            0.5,
            f"No Kaplan-Meier estimate: {result.km_note}",
            transform=ax.transAxes,
            ha="center",
            va="center",
            wrap=True,
            color="0.3",
            gid="km_note",
        )
        return
    time = curve["time"].to_numpy(float)
    ax.fill_between(
        time,
        curve["ci_low"].to_numpy(float),
        curve["ci_high"].to_numpy(float),
        step="post",
        color=_CURVE,
        alpha=0.2,
        linewidth=0,
        gid="km_band",
    )
    ax.step(
        time, curve["survival"].to_numpy(float), where="post", color=_CURVE, linewidth=1.6, gid="km"
    )
    censored = curve[curve["n_censor"] > 0]
    if not censored.empty:
        ax.plot(
            censored["time"].to_numpy(float),
            censored["survival"].to_numpy(float),
            marker="|",
            markersize=9,
            markeredgewidth=1.4,
            linestyle="none",
            color=_CENSORED,
            gid="km_censored",
        )
    ax.set_xlim(left=0.0)
    level = f"{result.confidence:.0%}"
    still = f", {result.n_censored} not yet resolved" if result.n_censored else ""
    ax.set_title(
        f"Median {_day(result.median)} days ({level} CI {_day(result.median_ci_low)} to "
        f"{_day(result.median_ci_high)}); {result.events} of {result.n_km} resolved{still}",
        loc="left",
        fontsize=8.0,
    )
    if math.isfinite(result.median):
        ax.plot(
            [0.0, result.median, result.median],
            [0.5, 0.5, 0.0],
            color="0.4",
            linestyle=":",
            linewidth=0.9,
            gid="km_median_line",
        )
    ax.legend(
        handles=[
            Line2D([], [], color=_CURVE, label="Kaplan-Meier"),
            Line2D(
                [],
                [],
                color=_CURVE,
                alpha=0.3,
                linewidth=6,
                label=f"{level} CI ({_CONF_TYPE.get(result.ci_method, result.ci_method)})",
            ),
        ],
        loc="lower left",
        fontsize=7.5,
    )
