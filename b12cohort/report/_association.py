"""The association table as a reader sees it: what each estimate is, its CI level, one rounding.

:func:`association_table` wraps the tidy result of
:func:`b12cohort.association_summary` for :func:`b12cohort.report.save_table`: the CSV
stays the tidy, unrounded frame; Markdown, LaTeX and HTML show one row per comparison
with the estimate's kind, the interval and its level on every row, the estimate and its
interval rounded alike (by what the estimate is), the multiplicity status, and the
reading, untestable rows (hypotonia in 19/19) included.
"""

from __future__ import annotations

import math

import pandas as pd

from b12cohort.core._export import TableContent, derived_notes
from b12cohort.core._exportable import Exportable
from b12cohort.core.tables import (
    format_number,
    format_p,
    render_csv,
    render_html,
    render_latex,
    render_markdown,
)

__all__ = ["AssociationTable", "association_table", "association_view"]

#: Decimals of an estimate and its interval, by the start of ``estimate_type``.
DECIMALS = (
    ("Hodges–Lehmann shift", 1),  # g/L
    ("Spearman rho", 2),
    ("smallest |rho|", 2),
    ("standardised trend z", 2),
    ("conditional odds ratio", 2),
    ("linear-by-linear score correlation", 2),
)
#: Short names of the estimate kinds, for the table's "estimate kind" column.
KINDS = (
    ("Hodges–Lehmann shift", "Hb shift, g/L (with − without)"),
    ("Spearman rho (TOST", "Spearman ρ, equivalence (TOST)"),
    ("Spearman rho", "Spearman ρ"),
    ("smallest |rho|", "detectable |ρ| (80% power, Spearman's test)"),
    ("standardised trend z", "trend z (+: more in severe grades)"),
    ("conditional odds ratio", "odds ratio"),
    ("linear-by-linear score correlation", "score correlation r (linear-by-linear)"),
    ("none", "none"),
)
COLUMNS = (
    "analysis",
    "variables",
    "test",
    "estimate kind",
    "estimate",
    "CI",
    "CI level",
    "p (adjusted)",
    "n",
    "reading",
)


_NAMES = {"hb_g_l": "Hb", "anemia_grade": "anaemia grade", "neuro_score": "neurological score"}


def _name(column: str) -> str:
    return _NAMES.get(str(column), str(column).replace("_", " "))


def _decimals(kind: str) -> int:
    return next((d for prefix, d in DECIMALS if kind.startswith(prefix)), 2)


def _kind(kind: str) -> str:
    return next((short for prefix, short in KINDS if kind.startswith(prefix)), kind)


def _level(row) -> str:
    if not math.isfinite(row.ci_low) or not math.isfinite(row.confidence):
        return "no interval"
    text = f"{row.confidence:.0%}"
    if "TOST" in str(row.estimate_type):
        return f"{text} (TOST)"
    if (
        row.estimate_type.startswith("Hodges")
        and abs(row.confidence - round(row.confidence, 2)) > 1e-9
    ):
        return f"{text} (exact, achieved)"
    return text


def _p(row) -> str:
    """The p-value and its multiplicity status in one cell: "0.472 (holm 1.000)"."""
    p = format_p(row.p_value)
    if not p:
        return ""
    if row.analysis == "primary":
        if row.p_adjust == "none" or not math.isfinite(row.p_adjusted):
            return f"{p} (primary: not adjusted)"
        return f"{p} (primary; {row.p_adjust} over the 2 primaries {format_p(row.p_adjusted)})"
    if bool(row.in_family):
        return f"{p} ({row.p_adjust} {format_p(row.p_adjusted)})"
    return f"{p} (not in the family)"


def association_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The display rows of :func:`association_table` (every cell a string)."""
    rows = []
    for row in summary.itertuples(index=False):
        d = _decimals(str(row.estimate_type))
        has_ci = math.isfinite(row.ci_low) and math.isfinite(row.ci_high)
        rows.append(
            {
                "analysis": row.analysis,
                "variables": f"{_name(row.outcome)} × {_name(row.exposure)}",
                "test": row.test,
                "estimate kind": _kind(str(row.estimate_type)),
                "estimate": format_number(row.estimate, d) if math.isfinite(row.estimate) else "",
                "CI": (
                    f"{format_number(row.ci_low, d)} to {format_number(row.ci_high, d)}"
                    if has_ci
                    else ""
                ),
                "CI level": _level(row),
                "p (adjusted)": _p(row),
                "n": str(int(row.n)) if math.isfinite(row.n) else "",
                "reading": row.reading,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


class AssociationTable(Exportable):
    """Presentation of an association summary for :func:`b12cohort.report.save_table`."""

    def __init__(self, summary: pd.DataFrame, caption: str | None = None):
        self.summary = summary
        self.caption = caption

    @property
    def view(self) -> pd.DataFrame:
        return association_view(self.summary)

    def to_csv(self) -> str:
        return render_csv(self.summary)

    def to_markdown(self) -> str:
        return render_markdown(self.view)

    def to_latex(self) -> str:
        return render_latex(self.view, caption=self.caption)

    def to_html(self) -> str:
        return render_html(self.view, caption=self.caption)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _content(self) -> TableContent:
        """For ``to_docx``/``to_xlsx``: the view shown, the tidy summary as data."""
        view = self.view
        return TableContent(
            self.caption or "", view, self.summary, derived_notes(self.summary, view)
        )


def association_table(summary: pd.DataFrame, *, caption: str | None = None) -> AssociationTable:
    """Wrap :func:`b12cohort.association_summary` output for the report's table writer.

    Examples
    --------
    >>> import warnings, b12cohort
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     summary = b12cohort.association_summary(b12cohort.load_example())
    >>> view = association_table(summary).view
    >>> view.loc[view["analysis"] == "primary", ["estimate", "CI", "CI level"]].values.tolist()
    [['-0.22', '-0.62 to 0.26', '95%'], ['0.05', '', 'no interval']]
    >>> view.loc[view["analysis"] == "primary", "p (adjusted)"].tolist()
    ['0.355 (primary; holm over the 2 primaries 0.710)', '0.872 (primary; holm over the 2 primaries 0.872)']
    >>> int((view["test"] == "not tested").sum())  # hypotonia 19/19 kept, with its reading
    3
    """
    return AssociationTable(summary, caption=caption)
