"""Exceptions and warnings raised by b12cohort.

Every error the package raises on purpose derives from :class:`B12CohortError`, so a
caller (and the command-line interface) can tell a problem with the *data* or the
*arguments* from a bug. Every warning derives from :class:`B12CohortWarning`, so a user
can silence or escalate them as a family::

    import warnings, b12cohort
    warnings.simplefilter("error", b12cohort.B12CohortWarning)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

__all__ = [
    "FAILURE_COLUMNS",
    "ApproximationWarning",
    "ArgumentError",
    "B12CohortError",
    "B12CohortWarning",
    "CohortValidationError",
    "DataQualityWarning",
    "ExactTestInfeasibleError",
    "IdentifierWarning",
    "NotebookFailed",
    "ReportError",
    "SchemeRangeWarning",
]

#: Columns of :attr:`CohortValidationError.failures`, in order.
FAILURE_COLUMNS = ("row", "line", "column", "value", "rule", "message")


class B12CohortError(Exception):
    """Base class of every error b12cohort raises on purpose."""


class ArgumentError(B12CohortError, ValueError):
    """A function was called with an argument it cannot use.

    The message names the argument, what was received and what is accepted.
    """


class ExactTestInfeasibleError(B12CohortError, RuntimeError):
    """``p_method="exact"`` was requested but the exact computation exceeds its work budget
    (``max_work``) or does not exist for the data (for example ties). Use
    ``p_method="auto"`` to switch, with a recorded note and an :class:`ApproximationWarning`,
    or raise ``max_work``."""


class CohortValidationError(B12CohortError, ValueError):
    """The data (or the file holding them) break one or more rules.

    Validation is *lazy*: every failure found is collected before this is raised,
    so one run shows everything that needs fixing.

    Parameters
    ----------
    message : str
        One-paragraph summary (what failed, how many, what to do).
    failures : pandas.DataFrame, optional
        One row per failure with the columns of :data:`FAILURE_COLUMNS`:

        ``row``
            1-based data row (the first row below the header is 1); missing for
            failures that concern the whole file or a whole column.
        ``line``
            1-based line of the file where that row starts (header and comment
            lines included); missing when the source is not a text file.
        ``column``
            Column name as it appears in the source (or the canonical name).
        ``value``
            The offending value as text, exactly as read.
        ``rule``
            Short identifier of the rule broken (``"maximum"``, ``"unique"``, ...).
        ``message``
            A sentence that quotes the value and says what to do.
    source : str, optional
        The file (or ``"<DataFrame>"``) the failures refer to.
    """

    def __init__(
        self, message: str, failures: pd.DataFrame | None = None, *, source: str | None = None
    ):
        super().__init__(message)
        self.source = source
        if failures is None:
            import pandas as pd

            failures = pd.DataFrame(columns=list(FAILURE_COLUMNS))
        self.failures = failures

    def __reduce__(self):  # keep the failures when pickled (multiprocessing, pytest-xdist)
        return (_rebuild_validation_error, (str(self), self.failures, self.source))


def _rebuild_validation_error(message, failures, source):
    return CohortValidationError(message, failures, source=source)


class ReportError(B12CohortError):
    """The report could not be built; the previous report (if any) is untouched."""


class NotebookFailed(B12CohortError):
    """A report notebook's cell raised; ``ename``/``evalue`` are the kernel's exception.

    Parameters
    ----------
    name : str
        The notebook (e.g. ``"03_association"``).
    ename, evalue : str
        Class name and message of the exception raised in the kernel.
    traceback : str
        The kernel's traceback, as text.
    """

    def __init__(self, name: str, ename: str, evalue: str, traceback: str):
        super().__init__(f"notebook {name} failed: {ename}: {evalue}")
        self.name, self.ename, self.evalue, self.traceback = name, ename, evalue, traceback

    def __reduce__(self):
        return (type(self), (self.name, self.ename, self.evalue, self.traceback))


class B12CohortWarning(UserWarning):
    """Base class of every warning b12cohort emits."""


class ApproximationWarning(B12CohortWarning):
    """An exact method was infeasible or inapplicable and an approximation ran instead.

    The result object always records which method ran; this warning makes the switch
    visible at the moment it happens.
    """


class IdentifierWarning(B12CohortWarning):
    """A column that looks like a direct identifier was dropped, or an id looks like one.

    The message names the column, never a value from it.
    """


class DataQualityWarning(B12CohortWarning):
    """The data are valid but something deserves a human look (ambiguous codes, outliers)."""


class SchemeRangeWarning(B12CohortWarning):
    """An anaemia grading scheme was applied outside the age range it was defined for."""
