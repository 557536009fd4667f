"""Treatment course of involuntary movements on cyanocobalamin.

Some infants with B12 deficiency develop involuntary movements (tremor, myoclonus,
choreoathetosis) a few days after the first cyanocobalamin dose; the movements resolve
within weeks. :func:`treatment_course` describes that course: how often it happens
(incidence with an exact interval), when it starts (onset day) and how long it lasts
(Kaplan-Meier estimate of the time to resolution, allowing for infants whose movements
had not resolved when follow-up ended), plus a per-infant table for a timeline plot.

The Kaplan-Meier curve and its Greenwood standard errors come from statsmodels
(:class:`statsmodels.duration.survfunc.SurvfuncRight`); the pointwise intervals, the
median and its interval follow R ``survival::survfit`` exactly (statsmodels offers no
pointwise interval, and its median uses another convention; see
:func:`treatment_course`, Notes).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from b12cohort.core.arguments import (
    check_choice,
    check_confidence,
    check_dataframe,
    float_values,
    require_columns,
)
from b12cohort.core.errors import ArgumentError, DataQualityWarning
from b12cohort.core.results import Result
from b12cohort.stats._kaplan_meier import KM_COLUMNS, KM_DTYPES, first_below_half, km_table
from b12cohort.stats.proportions import binomial_ci, prevalence

__all__ = ["CI_METHODS", "COURSE_ORIGINS", "TreatmentCourse", "treatment_course"]

#: Time origins accepted by :func:`treatment_course` (``origin=``).
COURSE_ORIGINS = ("first_dose", "onset")
#: Pointwise interval transforms (R ``survfit``'s ``conf.type``) accepted by ``ci_method=``.
CI_METHODS = ("log", "log-log", "plain")

_IM = "involuntary_movements_on_treatment"
_ONSET, _RESOLUTION, _FOLLOWUP = "im_onset_day", "im_resolution_day", "im_followup_day"
_INFANT_COLUMNS = ("patient_id", "onset_day", "resolution_day", "followup_day", "end_day",
                   "status", "event", "time", "in_km", "note")  # fmt: skip
_HORIZON_COLUMNS = ("day", "n_risk", "n_resolved", "n_censored_before", "survival",
                    "survival_ci_low", "survival_ci_high", "proportion_resolved", "ci_low",
                    "ci_high", "exact_ci_low", "exact_ci_high", "note")  # fmt: skip
_SUMMARY_COLUMNS = ("statistic", "estimate", "ci_low", "ci_high", "q1", "q3", "min", "max",
                    "n", "N", "n_missing", "unit", "confidence", "method", "note")  # fmt: skip


@dataclass(frozen=True)
class TreatmentCourse(Result):
    """Result of :func:`treatment_course`.

    Attributes
    ----------
    incidence : pandas.DataFrame
        One row, as :func:`b12cohort.prevalence` returns it for
        ``involuntary_movements_on_treatment``: ``n`` infants with movements among the
        ``N`` in whom it was recorded, ``proportion``, exact Clopper-Pearson ``ci_low``,
        ``ci_high``, ``n_missing``.
    onset : pandas.DataFrame
        One row: ``n`` (infants with movements and an onset day), ``n_missing``
        (infants with movements but no onset day), ``median``, ``q1``, ``q3`` (quantile
        type 7, as R ``quantile``), ``min``, ``max`` (days after the first dose; NaN
        when ``n == 0``).
    infants : pandas.DataFrame
        One row per infant with movements, in the order of ``data``: ``patient_id``;
        ``onset_day``, ``resolution_day``, ``followup_day`` (days after the first dose,
        as recorded, NaN if not); ``end_day`` (resolution day if resolved, else the
        follow-up day, else NaN); ``status`` (``"resolved"``, ``"unresolved"``: censored
        at ``followup_day``, or ``"unresolved, no follow-up"``); ``event`` (resolved);
        ``time`` (the time analysed, in days from ``origin``; NaN if excluded);
        ``in_km`` (entered the Kaplan-Meier estimate); ``note`` (why excluded, or a
        data problem; empty otherwise). Draw a timeline from day 0 (first dose) through
        ``onset_day`` to ``end_day``, marking ``status``.
    km_table : pandas.DataFrame
        The Kaplan-Meier table, one row per distinct time (event or censoring), as R
        ``summary(survfit(...), censored = TRUE)``: ``time``, ``n_risk``, ``n_event``
        (resolutions), ``n_censor``, ``survival`` (proportion still with movements just
        after ``time``), ``std_err`` (Greenwood, on the survival scale), ``ci_low``,
        ``ci_high`` (pointwise, ``ci_method`` transform; NaN where undefined, e.g. at
        survival 0). Empty (same columns) when no infant entered the estimate
        (``km_note`` says why).
    median : float
        Median time to resolution (R ``print(survfit)``); NaN if the curve does not
        reach 0.5 or there is no estimate.
    median_ci_low, median_ci_high : float
        Its confidence limits (Brookmeyer-Crowley, as R ``print(survfit)``); NaN when the
        pointwise band does not cross 0.5.
    horizons : pandas.DataFrame
        One row per horizon day (default 21 and 42 days, i.e. 3 and 6 weeks):
        ``day``; ``n_risk`` (still followed with movements at that day); ``n_resolved``
        (observed resolutions up to the day); ``n_censored_before`` (censored before the
        day, status at the day unknown); ``survival`` with ``survival_ci_low``,
        ``survival_ci_high`` (as R ``summary(fit, times = day)``);
        ``proportion_resolved = 1 - survival`` with ``ci_low``, ``ci_high``;
        ``exact_ci_low``, ``exact_ci_high``: when nobody was censored before the day the
        Kaplan-Meier estimate equals ``n_resolved / N`` and this is its exact
        Clopper-Pearson interval (NaN otherwise); ``note``.
    origin : str
        ``"first_dose"`` or ``"onset"``: where the time analysed starts.
    ci_method : str
        Pointwise interval transform (``"log"``, ``"log-log"``, ``"plain"``).
    confidence : float
        Confidence level of every interval.
    n_km, events, n_censored, n_excluded : int
        Infants in the Kaplan-Meier estimate; of those resolved and censored; infants with
        movements left out of it (see ``infants.note``).
    method_detail : str
        What ran, in words.
    km_note : str
        Why there is no Kaplan-Meier estimate ("" when there is one).
    notes : tuple of str
        Data remarks (exclusions, inconsistent records), also raised as warnings.
    test : str
        "Kaplan-Meier estimate of the time to resolution".
    method : str
        "kaplan-meier".
    by, km_by_group, groups, log_rank, groups_note
        With ``by=``: its name; the Kaplan-Meier table of each group (``group`` then the
        ``km_table`` columns); one row per level (``group``, ``n_km``, ``events``,
        ``n_censored``, ``median``, ``median_ci_low``, ``median_ci_high``, ``note``); the
        log-rank test (:class:`~b12cohort.stats.survival_compare.SurvivalComparison`,
        None when fewer than two groups have infants) and remarks. None / "" without.
    """

    incidence: pd.DataFrame
    onset: pd.DataFrame
    infants: pd.DataFrame
    km_table: pd.DataFrame
    median: float
    median_ci_low: float
    median_ci_high: float
    horizons: pd.DataFrame
    origin: str
    ci_method: str
    confidence: float
    n_km: int
    events: int
    n_censored: int
    n_excluded: int
    method_detail: str
    km_note: str
    notes: tuple[str, ...]
    test: str = "Kaplan-Meier estimate of the time to resolution"
    method: str = "kaplan-meier"
    by: str | None = None
    km_by_group: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    log_rank: Result | None = None
    groups_note: str = ""

    @property
    def km_curve(self) -> pd.DataFrame:
        """The Kaplan-Meier table with a first row at time 0 (survival 1), for plotting.

        Draw with ``ax.step(c["time"], c["survival"], where="post")`` and the band with
        ``ax.fill_between(c["time"], c["ci_low"], c["ci_high"], step="post")``; censored
        infants are the rows with ``n_censor > 0``. Empty when ``km_table`` is.
        """
        if self.km_table.empty:
            return self.km_table.copy()
        first = pd.DataFrame(
            {"time": [0.0], "n_risk": [self.n_km], "n_event": [0], "n_censor": [0],
             "survival": [1.0], "std_err": [0.0], "ci_low": [1.0], "ci_high": [1.0]}
        )  # fmt: skip
        return pd.concat([first, self.km_table], ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:  # a table of statistics, not one row of fields
        """Tidy overview, one row per statistic.

        Rows (``statistic``): ``incidence`` (proportion of infants with movements);
        ``onset_day`` (median with ``q1``, ``q3``, ``min``, ``max``);
        ``median_time_to_resolution``; ``resolved_by_day_<d>`` for each horizon.
        Columns: ``statistic, estimate, ci_low, ci_high, q1, q3, min, max, n, N,
        n_missing, unit, confidence, method, note`` (NaN/empty where not applicable).
        ``n``/``N``: infants with movements / recorded (incidence); with an onset day /
        with movements (onset); resolutions / infants in the estimate (Kaplan-Meier rows).
        """
        inc = self.incidence.iloc[0]
        ons = self.onset.iloc[0]
        origin = "first dose" if self.origin == "first_dose" else "onset of the movements"
        rows = [
            {"statistic": "incidence", "estimate": inc["proportion"], "ci_low": inc["ci_low"],
             "ci_high": inc["ci_high"], "n": inc["events"], "N": inc["n"],
             "n_missing": inc["n_missing"], "unit": "proportion",
             "method": "Clopper-Pearson exact interval", "note": inc["note"] if isinstance(inc["note"], str) else ""},
            {"statistic": "onset_day", "estimate": ons["median"], "q1": ons["q1"],
             "q3": ons["q3"], "min": ons["min"], "max": ons["max"], "n": ons["n"],
             "N": ons["n"] + ons["n_missing"], "n_missing": ons["n_missing"],
             "unit": "days after the first dose",
             "method": "median, quartiles (type 7), range",
             "note": f"{int(ons['n_missing'])} infant(s) with movements lack an onset day"
             if ons["n_missing"] else ""},
            {"statistic": "median_time_to_resolution", "estimate": self.median,
             "ci_low": self.median_ci_low, "ci_high": self.median_ci_high,
             "n": self.events, "N": self.n_km, "n_missing": self.n_excluded,
             "unit": f"days after the {origin}", "method": self.method_detail,
             "note": self.km_note},
        ]  # fmt: skip
        for h in self.horizons.to_dict("records"):
            rows.append(
                {"statistic": f"resolved_by_day_{h['day']:g}",
                 "estimate": h["proportion_resolved"], "ci_low": h["ci_low"],
                 "ci_high": h["ci_high"], "n": h["n_resolved"], "N": self.n_km,
                 "n_missing": self.n_excluded,
                 "unit": f"proportion resolved by day {h['day']:g} after the {origin}",
                 "method": self.method_detail, "note": self.km_note or h["note"]}
            )  # fmt: skip
        out = pd.DataFrame(rows).reindex(columns=list(_SUMMARY_COLUMNS))
        for col in ("n", "N", "n_missing"):
            out[col] = out[col].astype("Int64")
        out["confidence"] = self.confidence
        return out


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _days(data: pd.DataFrame, column: str, *, function: str) -> np.ndarray:
    """A day column as float (NaN = missing); an absent optional column is all NaN."""
    if column not in data.columns:
        return np.full(len(data), np.nan)
    return float_values(data, column, function=function, expected="numbers of days")


def _check_horizons(horizons, *, function: str) -> tuple[float, ...]:
    values = [horizons] if isinstance(horizons, int | float) else list(horizons)
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not v >= 0:
            raise ArgumentError(
                f"{function}(): `horizons` must be days >= 0 (for example (21, 42)); got "
                f"{horizons!r}."
            )
        out.append(float(v))
    return tuple(out)


def _horizon_rows(km, time, event, horizons, *, confidence: float) -> list[dict]:
    rows = []
    n = time.size
    for day in horizons:
        n_risk = int((time >= day).sum()) if n else 0
        n_resolved = int((event & (time <= day)).sum()) if n else 0
        n_cens = int((~event & (time < day)).sum()) if n else 0
        row = {"day": day, "n_risk": n_risk, "n_resolved": n_resolved,
               "n_censored_before": n_cens, "note": ""}  # fmt: skip
        if km is None:
            s = lo = hi = math.nan
            row["note"] = "no Kaplan-Meier estimate"
        else:
            upto = km[km["time"] <= day]
            if upto.empty:  # before the first time: R reports S = 1 and limits 1
                s, lo, hi = 1.0, 1.0, 1.0
            else:
                last = upto.iloc[-1]
                s, lo, hi = last["survival"], last["ci_low"], last["ci_high"]
                if day > km["time"].iloc[-1] and s > 0:
                    s = lo = hi = math.nan
                    row["note"] = "beyond the last observation: not estimable"
        row.update(survival=s, survival_ci_low=lo, survival_ci_high=hi,
                   proportion_resolved=1 - s, ci_low=1 - hi, ci_high=1 - lo)  # fmt: skip
        if n and n_cens == 0:
            elo, ehi = binomial_ci(events=n_resolved, n=n, confidence=confidence)
            row.update(exact_ci_low=float(elo), exact_ci_high=float(ehi))
        else:
            row.update(exact_ci_low=math.nan, exact_ci_high=math.nan)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(_HORIZON_COLUMNS))
    for col in ("n_risk", "n_resolved", "n_censored_before"):
        out[col] = out[col].astype(np.int64)
    return out


def _onset_row(onset: np.ndarray) -> pd.DataFrame:
    known = onset[~np.isnan(onset)]
    if known.size:
        q1, med, q3 = np.quantile(known, [0.25, 0.5, 0.75])  # linear = R type 7
        lo, hi = known.min(), known.max()
    else:
        q1 = med = q3 = lo = hi = math.nan
    return pd.DataFrame(
        {"n": [int(known.size)], "n_missing": [int(onset.size - known.size)],
         "median": [float(med)], "q1": [float(q1)], "q3": [float(q3)], "min": [float(lo)],
         "max": [float(hi)]}
    )  # fmt: skip


def _warn(notes: list[str], message: str, *, function: str) -> None:
    notes.append(message)
    warnings.warn(f"{function}(): {message}", DataQualityWarning, stacklevel=3)


def _ids(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(map(str, ids[:limit]))
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# ---------------------------------------------------------------------------------------
# public function
# ---------------------------------------------------------------------------------------


def treatment_course(
    data: pd.DataFrame,
    *,
    confidence: float = 0.95,
    origin: str = "first_dose",
    ci_method: str = "log",
    horizons: Sequence[float] = (21, 42),
    by: str | None = None,
) -> TreatmentCourse:
    """Course of involuntary movements during cyanocobalamin treatment.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per infant (for example :func:`b12cohort.load_cohort`). Needs
        ``patient_id`` and ``involuntary_movements_on_treatment``; uses
        ``im_onset_day``, ``im_resolution_day`` and ``im_followup_day`` when present
        (absent columns count as not recorded). Not modified.
    confidence : float
        Level of every interval, strictly between 0 and 1. Default 0.95.
    origin : {"first_dose", "onset"}
        Time zero of the time to resolution: the first cyanocobalamin dose (the
        recorded days as they are) or the onset of the movements (duration of the
        movements: resolution - onset, follow-up - onset).
    ci_method : {"log", "log-log", "plain"}
        Transform of the pointwise Kaplan-Meier interval, as R ``survfit``'s
        ``conf.type``; default ``"log"``, R's default (see Notes).
    horizons : sequence of float
        Days at which the proportion resolved is reported. Default (21, 42): 3 and 6
        weeks, the published window of resolution.
    by : str, optional
        A column of groups (dose group, anaemia grade...): one Kaplan-Meier curve per
        level, each with its median, and the log-rank test (R ``survdiff``) of one
        common curve, among the infants of the overall estimate (see
        :mod:`b12cohort.stats._course_groups`; pinned to R ``survfit(... ~ group)``).

    Returns
    -------
    TreatmentCourse
        Frozen result; see :class:`TreatmentCourse` for every field and column.
        ``.summary`` is a tidy overview; ``.km_table`` and ``.km_curve`` the Kaplan-Meier
        table; ``.infants`` the per-infant course.

    Raises
    ------
    ArgumentError
        ``data`` is not a DataFrame or lacks a needed column; a day column is not
        numeric; ``involuntary_movements_on_treatment`` is not binary; an invalid
        ``confidence``, ``origin``, ``ci_method`` or ``horizons``.

    Warns
    -----
    DataQualityWarning
        Infants with movements left out of the Kaplan-Meier estimate (unresolved without
        ``im_followup_day``: their censoring time is unknown; no onset day with
        ``origin="onset"``; a negative time), contradictory records (both resolution and
        follow-up day; days before the onset; days given for an infant without
        movements, which are ignored), or movements recorded for nobody (``N = 0``).

    Notes
    -----
    *Incidence*: infants with movements among those in whom it was recorded, with the
    exact Clopper-Pearson interval (:func:`b12cohort.prevalence`, pinned to R
    ``binom.test``). *Onset*: median, quartiles (R ``quantile`` type 7) and range of
    ``im_onset_day`` among infants with movements.

    *Time to resolution*: the Kaplan-Meier estimator; an infant whose movements
    resolved is an event at ``im_resolution_day``; one whose movements had not resolved
    is censored at ``im_followup_day`` (the last observation). Infants whose movements
    had not resolved and who have no follow-up day are excluded and counted: the
    estimate then assumes their resolution times resemble the others' (if they were
    followed longest, the median is biased downwards). ``survival`` is the proportion
    still with movements. The curve and Greenwood's standard error come from
    statsmodels ``SurvfuncRight``; the pointwise interval is computed from them exactly
    as R ``survfit`` does (statsmodels has none): ``"log"``, ``S exp(+-z sigma)``
    capped at 1, with ``sigma = se / S``; ``"log-log"`` (Kalbfleisch-Prentice),
    ``S^exp(+-z sigma / log S)``, inside (0, 1), undefined at S = 0 or 1; ``"plain"``,
    ``S +- z se`` clipped to [0, 1]. All are undefined (NaN) once S = 0. The log
    transform is R's default and the default here so that the numbers equal what an R
    user gets; log-log keeps the interval inside (0, 1) and is often preferred for
    small samples (Borgan & Liestøl 1990).

    The median is the first time the curve is at or below 0.5, or the midpoint to the
    next drop when it sits exactly at 0.5 (R ``print(survfit)``); its interval
    (Brookmeyer & Crowley 1982) runs from the first time the lower pointwise limit is
    <= 0.5 to the first time the upper limit is <= 0.5, NaN when it never is. This
    differs from statsmodels ``quantile`` (first time strictly below 0.5, as SAS: 30
    instead of 29 days on the example) and ``quantile_ci`` (an upper limit at the time
    the curve reaches 0 or infinity instead of NaN), hence our own few lines. R's
    ``quantile(fit, 0.5)`` differs from ``print(fit)`` only when the curve ends exactly
    at 0.5: it returns the midpoint to the last time.

    The proportion resolved by day ``d`` is ``1 - S(d)`` with the flipped pointwise
    interval (R ``summary(fit, times = d)``); before the first observed time it is 0
    with limits [0, 0]; past the last observed time it is NaN unless the curve has
    reached 0. When no infant was censored before ``d`` the estimate is the plain
    proportion ``n_resolved / N``, so its exact Clopper-Pearson interval is also given
    (``exact_ci_low``, ``exact_ci_high``): useful when every infant resolved and the
    Kaplan-Meier interval is undefined.

    With a handful of infants (six in the published series) every interval is wide and
    the upper limit of the median is usually undefined: read them as what the data
    cannot exclude. Checked against R ``survival::survfit``, ``summary.survfit``,
    ``print.survfit`` (survival 3.5) and ``binom.test`` with censoring, ties, all events,
    no events and a single infant (``tests/reference/course.R``).

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc. 1958;53(282):457-481.
    .. [2] Greenwood M. The natural duration of cancer. Reports on Public Health and
       Medical Subjects 33. London: HMSO; 1926.
    .. [3] Brookmeyer R, Crowley J. A confidence interval for the median survival time.
       Biometrics. 1982;38(1):29-41.
    .. [4] Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data.
       2nd ed. Hoboken: Wiley; 2002.
    .. [5] Borgan Ø, Liestøl K. A note on confidence intervals and bands for the
       survival function based on transformations. Scand J Stat. 1990;17(1):35-41.
    .. [6] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
       New York: Springer; 2000 (R package survival).
    .. [7] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated
       in the case of the binomial. Biometrika. 1934;26(4):404-413.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({
    ...     "patient_id": pd.array(["A", "B", "C", "D", "E"], dtype="string"),
    ...     "involuntary_movements_on_treatment": pd.array(
    ...         [True, True, True, False, True], dtype="boolean"),
    ...     "im_onset_day": pd.array([3, 4, 5, None, 4], dtype="Int64"),
    ...     "im_resolution_day": pd.array([21, 30, None, None, 28], dtype="Int64"),
    ...     "im_followup_day": pd.array([None, None, 25, None, None], dtype="Int64"),
    ... })
    >>> course = treatment_course(cohort)
    >>> course.km_table[["time", "n_risk", "n_event", "n_censor", "survival"]]
       time  n_risk  n_event  n_censor  survival
    0  21.0       4        1         0     0.750
    1  25.0       3        0         1     0.750
    2  28.0       2        1         0     0.375
    3  30.0       1        1         0     0.000
    >>> course.median
    28.0
    >>> course.infants[["patient_id", "status", "time"]]
      patient_id      status  time
    0          A    resolved  21.0
    1          B    resolved  30.0
    2          C  unresolved  25.0
    3          E    resolved  28.0
    """
    function = "treatment_course"
    check_dataframe(data, function=function)
    require_columns(data, ["patient_id", _IM], function=function)
    level = check_confidence(confidence, function=function)
    origin = check_choice(origin, COURSE_ORIGINS, name="origin", function=function)
    ci_method = check_choice(ci_method, CI_METHODS, name="ci_method", function=function)
    horizons = _check_horizons(horizons, function=function)
    if by is not None:
        require_columns(data, [by], function=function)
    notes: list[str] = []

    # incidence (prevalence raises if the column is not binary, warns if N = 0) -------
    incidence = prevalence(data, variables=[_IM], ci_method="clopper-pearson", confidence=level)
    onset_all = _days(data, _ONSET, function=function)
    resolution_all = _days(data, _RESOLUTION, function=function)
    followup_all = _days(data, _FOLLOWUP, function=function)
    has_im = data[_IM].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ids_all = data["patient_id"].astype("string").to_numpy(dtype=object)

    timing = ~np.isnan(onset_all) | ~np.isnan(resolution_all) | ~np.isnan(followup_all)
    stray = ids_all[timing & ~has_im]
    if stray.size:
        _warn(notes, f"{stray.size} infant(s) without recorded involuntary movements have "
              f"onset/resolution/follow-up days ({_ids(list(stray))}); the days are "
              "ignored (schema rule onset_requires_movements).", function=function)  # fmt: skip

    ids = ids_all[has_im]
    onset, resolution, followup = onset_all[has_im], resolution_all[has_im], followup_all[has_im]
    event = ~np.isnan(resolution)
    both = event & ~np.isnan(followup)
    if both.any():
        _warn(notes, f"{int(both.sum())} infant(s) have both a resolution and a follow-up day "
              f"({_ids(list(ids[both]))}); they are analysed as resolved at the resolution "
              "day (schema rule followup_only_if_unresolved).", function=function)  # fmt: skip
    end = np.where(event, resolution, followup)
    early = ~np.isnan(onset) & ~np.isnan(end) & (end < onset)
    if early.any():
        _warn(notes, f"{int(early.sum())} infant(s) have a resolution/follow-up day before "
              f"the onset day ({_ids(list(ids[early]))}); check the records (schema rule "
              "resolution_after_onset).", function=function)  # fmt: skip
    time = end - onset if origin == "onset" else end.copy()

    reasons = np.full(ids.size, "", dtype=object)
    no_followup = ~event & np.isnan(followup)
    reasons[no_followup] = "unresolved without im_followup_day: censoring time unknown"
    if origin == "onset":
        no_onset = ~no_followup & np.isnan(onset)
        reasons[no_onset] = "no im_onset_day (needed with origin='onset')"
    negative = (reasons == "") & (time < 0)
    reasons[negative] = "negative time to resolution"
    in_km = reasons == ""
    if no_followup.any():
        _warn(notes, f"{int(no_followup.sum())} infant(s) with involuntary movements that had "
              "not resolved have no im_followup_day, so the time at which they were last "
              "seen with movements (the censoring time) is unknown; they are excluded from the "
              f"Kaplan-Meier estimate ({_ids(list(ids[no_followup]))}). Record "
              "im_followup_day to include them.", function=function)  # fmt: skip
    other = ~in_km & ~no_followup
    if other.any():
        _warn(notes, f"{int(other.sum())} more infant(s) excluded from the Kaplan-Meier "
              f"estimate: {'; '.join(sorted(set(reasons[other])))} "
              f"({_ids(list(ids[other]))}).", function=function)  # fmt: skip
    reasons = np.where(early & in_km, "resolution/follow-up day before onset", reasons)

    infants = pd.DataFrame(
        {"patient_id": pd.array(ids, dtype="string"), "onset_day": onset,
         "resolution_day": resolution, "followup_day": np.where(event, np.nan, followup),
         "end_day": end,
         "status": np.select([event, ~np.isnan(followup)],
                             ["resolved", "unresolved"], "unresolved, no follow-up"),
         "event": event, "time": np.where(in_km, time, np.nan), "in_km": in_km,
         "note": reasons.astype(str)}
    )  # fmt: skip
    infants["status"] = infants["status"].astype(object)

    # Kaplan-Meier ----------------------------------------------------------------------
    t_km, e_km = time[in_km], event[in_km]
    km_note = ""
    if int(incidence["n"].iloc[0]) == 0:
        km_note = "involuntary movements not recorded for any infant"
    elif not has_im.any():
        km_note = "no infant had involuntary movements"
    elif not in_km.any():
        km_note = "no infant with involuntary movements has a usable resolution or follow-up day"
    if km_note:
        km = None
        km_frame = pd.DataFrame({c: pd.Series(dtype=KM_DTYPES[c]) for c in KM_COLUMNS})
        median = median_low = median_high = math.nan
    else:
        km = km_frame = km_table(t_km, e_km, ci_method=ci_method, confidence=level)
        times = km["time"].to_numpy()
        median = first_below_half(times, km["survival"].to_numpy())
        median_low = first_below_half(times, km["ci_low"].to_numpy())
        median_high = first_below_half(times, km["ci_high"].to_numpy())
    horizon_table = _horizon_rows(km, t_km, e_km, horizons, confidence=level)
    method = (
        f"Kaplan-Meier (statsmodels SurvfuncRight), Greenwood SE, pointwise {ci_method} "
        f"interval as R survfit(conf.type = '{ci_method}'); median and Brookmeyer-Crowley "
        "interval as R print(survfit)"
    )
    grouped = {}
    if by is not None:
        from b12cohort.stats._course_groups import course_by_group

        kmg, table, log_rank, gnote = course_by_group(
            data[by][has_im], time, event, in_km, by=by, ci_method=ci_method, confidence=level
        )
        grouped = {"by": by, "km_by_group": kmg, "groups": table, "log_rank": log_rank,
                   "groups_note": gnote}  # fmt: skip
    return TreatmentCourse(
        **grouped,
        incidence=incidence,
        onset=_onset_row(onset),
        infants=infants,
        km_table=km_frame,
        median=median,
        median_ci_low=median_low,
        median_ci_high=median_high,
        horizons=horizon_table,
        origin=origin,
        ci_method=ci_method,
        confidence=level,
        n_km=int(in_km.sum()),
        events=int(e_km.sum()),
        n_censored=int((~e_km).sum()),
        n_excluded=int((~in_km).sum()),
        method_detail=method,
        km_note=km_note,
        notes=tuple(notes),
    )
