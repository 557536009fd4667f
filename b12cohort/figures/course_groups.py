"""Kaplan-Meier curves of resolution by group (dose group, anaemia grade...).

Only draws: the curves, medians and log-rank test come from
:func:`b12cohort.treatment_course` with ``by=``.
"""

from __future__ import annotations

import math

from b12cohort.core.errors import ArgumentError
from b12cohort.figures._style import PALETTE, finish, new_axes, set_alt_text, style
from b12cohort.figures.course import _day
from b12cohort.stats.survival import TreatmentCourse, treatment_course

__all__ = ["plot_course_by_group"]

_LINESTYLES = ("-", "--", "-.", ":")


def _group_text(row, curve) -> str:
    steps = "; ".join(
        f"day {t:g}: {s:.2f}" + (f" ({int(c)} censored)" if c else "")
        for t, s, c in zip(curve["time"], curve["survival"], curve["n_censor"], strict=True)
    )
    return (
        f"{row.group}: {row.events} of {row.n_km} resolved, median {_day(row.median)} days "
        f"(CI {_day(row.median_ci_low)} to {_day(row.median_ci_high)}); curve {steps}"
    )


def plot_course_by_group(
    data,
    *,
    by: str | None = None,
    confidence: float = 0.95,
    ci_method: str = "log",
    origin: str = "first_dose",
    ax=None,
):
    """Kaplan-Meier curves of the time to resolution of involuntary movements, one per group.

    Parameters
    ----------
    data : pandas.DataFrame or TreatmentCourse
        The cohort, passed to :func:`b12cohort.treatment_course` with ``by``,
        ``confidence``, ``ci_method`` and ``origin``; or a result of
        ``treatment_course(..., by=...)``, drawn as it is (the options are then ignored).
    by : str
        The column of groups (required with a DataFrame).
    confidence, ci_method, origin
        Passed to :func:`b12cohort.treatment_course`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``"km:<group>"`` (the step curve from 1 at day 0, colour and line style
        per group, Okabe-Ito), ``"km_censored:<group>"`` (a tick at each censoring time)
        and ``"km_note:<group>"`` for a group without infants (named in the legend only).
        The title gives the log-rank test; the alt text (:func:`b12cohort.figures.alt_text`)
        carries every group's counts, median with its interval and every step of its
        curve.

    Raises
    ------
    ArgumentError
        A DataFrame without ``by``, or a result computed without ``by``.

    Notes
    -----
    No pointwise bands: overlapping bands of several groups hide the curves; each
    group's median and its interval are in the legend. With a handful of infants per
    group the curves drop in large steps and the log-rank p is rough.

    Examples
    --------
    >>> import warnings, b12cohort
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ax = plot_course_by_group(b12cohort.load_example(), by="anemia_grade")
    >>> sorted(line.get_gid() for line in ax.get_lines() if line.get_gid())
    ['km:moderate', 'km:severe', 'km_note:mild', 'km_note:none']
    """
    if isinstance(data, TreatmentCourse):
        result = data
    else:
        if by is None:
            raise ArgumentError(
                "plot_course_by_group(): pass by='<column of groups>' (e.g. "
                "by='anemia_grade'), or a treatment_course(..., by=...) result."
            )
        result = treatment_course(
            data, by=by, confidence=confidence, ci_method=ci_method, origin=origin
        )
    if result.by is None:
        raise ArgumentError(
            "plot_course_by_group(): the treatment_course result has no groups; compute "
            "it with treatment_course(data, by='<column>')."
        )
    with style():
        ax = new_axes(ax, figsize=(5.5, 3.6))
        origin_words = "first dose" if result.origin == "first_dose" else "onset of the movements"
        ax.set_xlabel(f"Days after the {origin_words}")
        ax.set_ylabel("Still with involuntary movements")
        ax.set_ylim(-0.02, 1.05)
        parts = []
        for i, row in enumerate(result.groups.itertuples(index=False)):
            colour = PALETTE[i % len(PALETTE)]
            style_ = _LINESTYLES[i % len(_LINESTYLES)]
            table = result.km_by_group[result.km_by_group["group"] == row.group]
            if table.empty:
                ax.plot([], [], color=colour, linestyle=style_, gid=f"km_note:{row.group}",
                        label=f"{row.group}: no infant")  # fmt: skip
                parts.append(f"{row.group}: no infant in the estimate")
                continue
            time = [0.0, *table["time"].astype(float)]
            surv = [1.0, *table["survival"].astype(float)]
            ax.step(time, surv, where="post", color=colour, linestyle=style_, linewidth=1.6,
                    gid=f"km:{row.group}",
                    label=f"{row.group} (n = {row.n_km}; median {_day(row.median)})")  # fmt: skip
            censored = table[table["n_censor"] > 0]
            if not censored.empty:
                ax.plot(censored["time"].astype(float), censored["survival"].astype(float),
                        marker="|", markersize=9, markeredgewidth=1.4, linestyle="none",
                        color=colour, gid=f"km_censored:{row.group}")  # fmt: skip
            parts.append(_group_text(row, table))
        ax.set_xlim(left=0.0)
        lr = result.log_rank
        test = (
            f"log-rank χ² = {lr.statistic:.2f}, df = {lr.df}, p = {lr.p_value:.3f}"
            if lr is not None and math.isfinite(lr.p_value)
            else "log-rank test not run"
        )
        ax.set_title(f"Resolution by {result.by}; {test}", loc="left", fontsize=8.0)
        ax.legend(loc="upper right", fontsize=7.5, frameon=False)
        set_alt_text(
            ax,
            f"Kaplan-Meier proportion still with involuntary movements by {result.by}, "
            f"days after the {origin_words} ({result.confidence:.0%} CIs of the medians). "
            + ". ".join(parts)
            + f". {test[0].upper()}{test[1:]}.",
        )
        finish(ax)
    return ax
