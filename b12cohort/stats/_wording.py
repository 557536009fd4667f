"""Words for numbers: the strength scale of a correlation, intervals read side by side,
and the pattern of proportions across ordered groups.

Pure functions, no statistics: every phrase is chosen from the numbers passed in, so
the readings of :func:`b12cohort.stats.association.association_summary` can be tested
against those numbers (tests/test_readings.py, with Hypothesis).

The strength words follow one stated scale, :data:`STRENGTH_SCALE`, on |rho|:

======================  =====================
|rho|                   word
======================  =====================
below 0.1               negligible
0.1 to below 0.3        weak
0.3 to below 0.5        moderate
0.5 to below 0.7        moderately strong
0.7 and above           strong
======================  =====================

(the cut-offs of Cohen 1988 at 0.1, 0.3 and 0.5, with 0.7 added as in many clinical
texts, e.g. Schober P, Boer C, Schwarte LA. Correlation coefficients: appropriate use
and interpretation. Anesth Analg 2018;126:1763-1768). The scale is a convention for
words, not a test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

__all__: list[str] = []

#: Upper limits (exclusive) of |rho| for each strength word; the last word has no limit.
STRENGTH_SCALE: tuple[tuple[float, str], ...] = (
    (0.1, "negligible"),
    (0.3, "weak"),
    (0.5, "moderate"),
    (0.7, "moderately strong"),
    (math.inf, "strong"),
)
#: |rho| below which a correlation is called negligible.
NEGLIGIBLE = STRENGTH_SCALE[0][0]
#: The scale in one sentence, for readings and footnotes.
SCALE_TEXT = (
    "strength words for |ρ|: below 0.1 negligible, below 0.3 weak, below 0.5 moderate, "
    "below 0.7 moderately strong, 0.7 and above strong"
)


def num(x: float | None, digits: int) -> str:
    """A number for a reading: fixed decimals, a true minus sign."""
    if x is None or not math.isfinite(x):
        return "not estimable" if x is None or math.isnan(x) else ("∞" if x > 0 else "−∞")
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no "−0.00"
    return text.replace("-", "−")


def strength(r: float) -> str:
    """The word of :data:`STRENGTH_SCALE` for a correlation ``r`` (by |r|)."""
    size = abs(float(r))
    for limit, word in STRENGTH_SCALE:
        if size < limit:
            return word
    return STRENGTH_SCALE[-1][1]


def direction(r: float) -> str:
    """``"inverse"`` (r < 0), ``"positive"`` (r > 0) or ``"zero"``."""
    return "inverse" if r < 0 else "positive" if r > 0 else "zero"


def relation(r: float) -> str:
    """``"a moderately strong inverse relation"``, ``"a weak positive relation"``, ...

    A correlation of exactly 0 is "a correlation of zero"; a negligible one keeps its
    direction ("a negligible inverse relation"), which its sign determines.
    """
    if r == 0:
        return "a correlation of zero"
    word = strength(r)
    article = "an" if word[0] in "aeiou" else "a"
    return f"{article} {word} {direction(r)} relation"


def interval_reading(low: float, high: float, *, digits: int = 2) -> str:
    """What a CI (low, high) for a correlation is compatible with, each side separately.

    Examples
    --------
    >>> interval_reading(-0.62, 0.26)
    'compatible with correlations from −0.62 to 0.26: from a moderately strong inverse relation to a weak positive one'
    >>> interval_reading(0.12, 0.71)
    'compatible with correlations from 0.12 to 0.71, all positive: from a weak to a strong positive relation'
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "without a finite interval, the compatible correlations cannot be stated"
    head = f"compatible with correlations from {num(low, digits)} to {num(high, digits)}"
    if low < 0 < high:
        return f"{head}: from {relation(low)} to {relation(high).removesuffix(' relation')} one"
    if high < 0 or low > 0:
        side = "inverse" if high < 0 else "positive"
        first, second = strength(low), strength(high)
        if first == second:
            return f"{head}, all {side}: {relation(low)} throughout"
        return f"{head}, all {side}: from a {first} to a {second} {side} relation"
    # an end exactly at 0
    if low == high:
        return f"{head}: only a correlation of zero"
    if low == 0:
        return f"{head}: from a correlation of zero to {relation(high)}"
    return f"{head}: from {relation(low)} to a correlation of zero"


def excluded_sides(low: float, high: float, bound: float) -> tuple[bool, bool]:
    """(excludes rho <= -bound, excludes rho >= +bound) for an interval (low, high)."""
    return (low > -bound, high < bound)


def is_nondecreasing(values: Sequence[float]) -> bool:
    return all(b >= a for a, b in itertools.pairwise(values))


def is_nonincreasing(values: Sequence[float]) -> bool:
    return all(b <= a for a, b in itertools.pairwise(values))


def pattern_reading(levels: Sequence[str], proportions: Sequence[float]) -> str:
    """Describe proportions across ordered levels: "rises"/"falls" only when monotone.

    "rises" needs the proportions non-decreasing and not all equal, "falls"
    non-increasing and not all equal; otherwise the pattern is described by where the
    proportion is highest or lowest.

    Examples
    --------
    >>> pattern_reading(["mild", "moderate", "severe"], [0.25, 0.5, 0.5])
    'the proportion rises with severity (non-decreasing from grade to grade)'
    >>> pattern_reading(["mild", "moderate", "severe"], [0.5, 0.38, 0.5])
    'the proportion does not change steadily with severity: lower in moderate than in mild and severe'
    >>> pattern_reading(["mild", "moderate", "severe"], [0.0, 0.08, 0.0])
    'the proportion does not change steadily with severity: higher in moderate than in mild and severe'
    """
    values = [float(p) for p in proportions]
    names = [str(level) for level in levels]
    if len(values) < 2:
        return "only one grade is observed, so no change with severity can be described"
    if all(v == values[0] for v in values):
        return "the proportion is the same in every grade"
    if is_nondecreasing(values):
        return "the proportion rises with severity (non-decreasing from grade to grade)"
    if is_nonincreasing(values):
        return "the proportion falls with severity (non-increasing from grade to grade)"
    top, bottom = max(values), min(values)
    highest = [n for n, v in zip(names, values, strict=True) if v == top]
    lowest = [n for n, v in zip(names, values, strict=True) if v == bottom]
    head = "the proportion does not change steadily with severity"
    if len(highest) == 1:
        others = [n for n in names if n != highest[0]]
        return f"{head}: higher in {highest[0]} than in {_and(others)}"
    if len(lowest) == 1:
        others = [n for n in names if n != lowest[0]]
        return f"{head}: lower in {lowest[0]} than in {_and(others)}"
    return f"{head}: highest in {_and(highest)}, lowest in {_and(lowest)}"


def _and(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
