"""One sentence per row of :func:`compare_with_literature`, saying only what the numbers show.

Rules (issue 13, item 7):

- no comparator: say so; nothing is compared;
- one study: the study alone with its exact interval, nothing pooled; the cohort's and
  the study's exact intervals overlap or not (the side is named), and no test is made;
- two studies: the pooled estimate and interval, with no prediction interval and no
  reading of tau² or I²; where the cohort's proportion lies relative to the pooled
  interval, which is an interval for the average across series, not for one series;
- three or more: also the prediction interval (the range for a new comparable series),
  tau² with its Q-profile interval, and whether the cohort's proportion lies inside, below
  or above the prediction interval: outside is unusual for a comparable series; inside is
  not evidence that the cohort is the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["comparison_reading", "position"]


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _interval(low: float, high: float) -> str:
    return f"{_pct(low)} to {_pct(high)}"


def position(value: float, low: float, high: float) -> str:
    """``"inside"``, ``"below"`` or ``"above"`` the interval [low, high]."""
    if value < low:
        return "below"
    if value > high:
        return "above"
    return "inside"


def _overlap(row: Mapping[str, Any]) -> str:
    low, high = row["comparator_ci_low"], row["comparator_ci_high"]
    if row["ci_high"] < low:
        return (
            "the two exact intervals do not overlap: the cohort's lies entirely below the "
            "study's (a description, no test made)"
        )
    if row["ci_low"] > high:
        return (
            "the two exact intervals do not overlap: the cohort's lies entirely above the "
            "study's (a description, no test made)"
        )
    return "the two exact intervals overlap (a description, no test made)"


def _model(row: Mapping[str, Any]) -> str:
    model = str(row.get("estimator", row["method"]))  # the model chosen with method=
    text = {"REML": "REML", "DL": "DerSimonian-Laird", "GLMM": "binomial-normal GLMM"}.get(
        model, model
    )
    if row.get("ci_method") == "hksj":
        text += ", Hartung-Knapp interval"
    return text


def comparison_reading(row: Mapping[str, Any]) -> str:
    """The reading of one :func:`compare_with_literature` row (see the module rules)."""
    sign = str(row["sign"]).replace("_", " ")
    level = f"{100 * row['confidence']:.0f}%"
    cohort = (
        f"The cohort's {row['events']}/{row['total']} ({_pct(row['proportion'])}, exact "
        f"{level} CI {_interval(row['ci_low'], row['ci_high'])})"
    )
    k = int(row["k"])
    if k == 0:
        return f"No comparable published series reports {sign}; nothing is compared."
    if k == 1:
        return (
            f"One published series reports {sign}: {row['studies']}, "
            f"{_pct(row['comparator_estimate'])} (exact {level} CI "
            f"{_interval(row['comparator_ci_low'], row['comparator_ci_high'])}); one study "
            f"is shown alone, not pooled. {cohort}: {_overlap(row)}."
        )
    pooled = (
        f"{k} published series pooled ({_model(row)}): {_pct(row['pooled_estimate'])} "
        f"({level} CI {_interval(row['pooled_ci_low'], row['pooled_ci_high'])}), an interval "
        "for the average prevalence across series, not for a single series."
    )
    where = position(row["proportion"], row["pooled_ci_low"], row["pooled_ci_high"])
    if k == 2:
        return (
            f"{pooled} Two studies cannot estimate how much series differ, so no prediction "
            f"interval is given and the heterogeneity is not read. {cohort} lies {where} "
            "the pooled interval."
        )
    spread = ""
    if not math.isnan(row["tau2"]):
        tau = f"τ² = {row['tau2']:.2g}"
        if not math.isnan(row.get("tau2_ci_low", math.nan)):
            tau += f" (Q-profile {level} CI {row['tau2_ci_low']:.2g} to {row['tau2_ci_high']:.2g})"
        spread = f" Between-series variance {tau}."
    inside = position(row["proportion"], row["pi_low"], row["pi_high"])
    verdict = (
        "inside it, which is what a comparable series would show (it does not show the "
        "series are alike)"
        if inside == "inside"
        else f"{inside} it: unusual for a comparable series, or the sign is defined differently"
    )
    return (
        f"{pooled}{spread} A new comparable series would be expected between "
        f"{_interval(row['pi_low'], row['pi_high'])} ({level} prediction interval). "
        f"{cohort} lies {verdict}."
    )
