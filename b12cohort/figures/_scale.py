"""When a figure shows infants one by one, and when it shows aggregates.

A per-infant panel (one labelled row per infant) is readable for a few dozen infants; a
scatter of points, with overlaps, for a few hundred. Past that a reader sees ink, not
infants, and drawing and saving one artist per infant costs minutes at registry scale.
So each figure of the report decides here, from the number of infants it would draw:

* :data:`PER_INFANT_MAX` = 60 rows: the treatment course's swimmer plot (one row, label
  and bar per infant) is drawn up to 60 infants with movements; above, an onset
  histogram replaces it (the Kaplan-Meier curve is an aggregate at every n).
* :data:`POINTS_MAX` = 1,000 points: the scatter plots (Hb by neurological score, B12
  against Hb) draw each infant up to 1,000 infants; above, a box plot by score and a
  two-dimensional histogram (counts per cell) replace the points.

The figure's caption (:func:`caption_of`, written by the report to the landing page) and
its alt text say which view was drawn and why. The cohort at n = 19 is drawn as before.
"""

from __future__ import annotations

import weakref

__all__ = ["PER_INFANT_MAX", "POINTS_MAX", "caption_of", "set_caption", "view_for"]

#: Largest number of infants drawn one labelled row each (the treatment course timeline).
PER_INFANT_MAX = 60
#: Largest number of infants drawn one point each (scatter and strip plots).
POINTS_MAX = 1_000
#: The views of :func:`view_for`.
VIEWS = ("auto", "per-infant", "aggregate")

_CAPTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def view_for(view: str, n: int, limit: int, *, function: str) -> str:
    """``"per-infant"`` or ``"aggregate"`` for ``n`` infants: ``view`` itself unless "auto"."""
    from b12cohort.core.arguments import check_choice

    view = check_choice(view, list(VIEWS), name="view", function=function)
    if view != "auto":
        return view
    return "per-infant" if n <= limit else "aggregate"


def set_caption(fig, text: str) -> None:
    """Attach the caption a report shows under ``fig`` (a Figure, Axes or array of Axes)."""
    from b12cohort.figures._style import _figure_of

    _CAPTIONS[_figure_of(fig)] = str(text)


def caption_of(fig) -> str:
    """The caption attached by :func:`set_caption`, or "" (the report's default caption)."""
    from b12cohort.figures._style import _figure_of

    return _CAPTIONS.get(_figure_of(fig), "")
