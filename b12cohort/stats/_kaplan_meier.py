"""The Kaplan-Meier engine of :func:`b12cohort.stats.survival.treatment_course`.

The curve and its Greenwood standard errors come from statsmodels
(:class:`statsmodels.duration.survfunc.SurvfuncRight`); the pointwise intervals and the
median follow R ``survival::survfit`` exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

__all__ = ["KM_COLUMNS", "KM_DTYPES", "first_below_half", "km_table", "pointwise_ci"]

# R's survmean()/quantile() tolerance for "the curve is exactly 0.5"
TOL = math.sqrt(np.finfo(float).eps)

KM_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "ci_low", "ci_high")
KM_DTYPES = dict.fromkeys(KM_COLUMNS, "float64") | dict.fromkeys(
    ("n_risk", "n_event", "n_censor"), "int64"
)


def pointwise_ci(surv, se, *, ci_method: str, confidence: float):
    """Pointwise limits of the survival curve, as R ``survival:::survfit_confint``.

    statsmodels returns Greenwood standard errors but no pointwise interval
    (``simultaneous_cb`` is a Hall-Wellner band), so the three transforms of R's
    ``survfit`` are applied here to its standard errors. ``sigma = se / S`` is the
    standard error of log S.
    """
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    surv = np.asarray(surv, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(se == 0, 0.0, se / surv)
        if ci_method == "plain":
            half = z * sigma * surv
            low, high = np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        elif ci_method == "log":
            xx = np.where(surv == 0, np.nan, surv)
            low = np.exp(np.log(xx) - z * sigma)
            high = np.minimum(np.exp(np.log(xx) + z * sigma), 1.0)
        else:  # log-log (Kalbfleisch-Prentice): undefined at S = 0 and S = 1
            xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
            half = z * sigma / np.log(xx)
            low = np.exp(-np.exp(np.log(-np.log(xx)) - half))
            high = np.exp(-np.exp(np.log(-np.log(xx)) + half))
    bad = np.isnan(se) | (surv == 0)  # R: std.err Inf at S = 0 -> NA/NaN limits
    low, high = np.where(bad, np.nan, low), np.where(bad, np.nan, high)
    return low, high


def first_below_half(times: np.ndarray, y: np.ndarray) -> float:
    """R ``survival:::survmean``'s ``minmin``: first time a curve is <= 0.5.

    If the curve sits exactly at 0.5 (within sqrt(eps)) and drops later, the midpoint
    between that time and the time of the drop (R ``print.survfit``'s convention).
    """
    keep = ~np.isnan(y) & (y < 0.5 + TOL)
    if not keep.any():
        return math.nan
    x, yy = times[keep], y[keep]
    if abs(yy[0] - 0.5) < TOL and (yy < yy[0]).any():
        return float((x[0] + x[np.argmax(yy < yy[0])]) / 2)
    return float(x[0])


def km_table(time: np.ndarray, event: np.ndarray, *, ci_method: str, confidence: float):
    """The Kaplan-Meier table at every distinct time (events and censorings), as R."""
    fit = SurvfuncRight(time, event.astype(float))
    utimes = np.unique(time)
    # statsmodels keeps event times only; at a censoring-only time the curve and its
    # standard error are those of the last event time before it (a step function)
    # (no event at all: statsmodels returns empty arrays and the curve stays at 1)
    curve = np.concatenate([[1.0], fit.surv_prob])
    curve_se = np.concatenate([[0.0], fit.surv_prob_se])
    idx = np.searchsorted(fit.surv_times, utimes, side="right")
    surv, se = curve[idx], curve_se[idx]
    n_risk = time.size - np.searchsorted(np.sort(time), utimes, side="left")
    codes = np.searchsorted(utimes, time)
    n_event = np.bincount(codes, weights=event, minlength=utimes.size).astype(np.int64)
    n_censor = np.bincount(codes, weights=~event, minlength=utimes.size).astype(np.int64)
    low, high = pointwise_ci(surv, se, ci_method=ci_method, confidence=confidence)
    return pd.DataFrame(
        {"time": utimes.astype(float), "n_risk": n_risk.astype(np.int64), "n_event": n_event,
         "n_censor": n_censor, "survival": surv, "std_err": se, "ci_low": low, "ci_high": high}
    )  # fmt: skip
