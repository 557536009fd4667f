"""Formatting and export of presentation tables (Table 1).

The statistics modules compute unrounded numbers; this module turns them into the
strings a presentation table shows and writes those tables as CSV, Markdown, LaTeX
and HTML. Every export is byte-deterministic: no timestamps, no random ids, ``\\n``
line ends, UTF-8.

It also holds :class:`TableOne`, the result of :func:`b12cohort.table_one`, and
:func:`summary_table`, which turns its tidy statistics into the presentation table.

Number formatting (documented in :func:`b12cohort.table_one`):

- percentages: one decimal (``12 (63.2%)``);
- p-values: three decimals, ``<0.001`` below 0.001;
- continuous summaries: :func:`auto_decimals` per variable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MISSING_CELL = "-"

# Headers shown in the rendered (not CSV) tables.
_DISPLAY_HEADERS = {"variable": "Variable", "level": "", "test": "Test", "p_value": "p",
                    "missing": "Missing"}  # fmt: skip


def auto_decimals(values: np.ndarray, typical: float) -> int:
    """Decimals for a continuous variable's summaries.

    Three significant figures of the typical magnitude (``typical``, e.g. the largest
    absolute quartile), capped at 3 decimals, and never more than one decimal beyond
    the precision the values were recorded with (integers -> at most 1 decimal;
    values with 2 decimals -> at most 3).

    Examples
    --------
    >>> import numpy as np
    >>> auto_decimals(np.array([72.0, 65.0, 81.0]), 81.0)   # Hb, g/L: 72.0 [65.5, 81.0]
    1
    >>> auto_decimals(np.array([100.0, 500.0]), 500.0)      # dose: 500 [100, 500]
    0
    >>> auto_decimals(np.array([2.85, 3.1]), 3.1)           # RBC: 2.85
    2
    """
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 1
    recorded = 4  # "more than 3 decimals" (e.g. unit conversions)
    for d in range(4):
        scaled = values * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))):
            recorded = d
            break
    if not math.isfinite(typical) or typical <= 0:
        typical = float(np.max(np.abs(values)))
    sig = 3 if typical <= 0 else int(min(3, max(0, 2 - math.floor(math.log10(typical)))))
    return min(recorded + 1, sig)


def format_number(value: float, decimals: int) -> str:
    """Fixed decimals, ``-`` for NaN, no negative zero."""
    if value is None or not math.isfinite(value):
        return MISSING_CELL
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def format_count(n: int, total: int) -> str:
    """``n (p%)`` with one decimal; ``n (-)`` when the denominator is 0."""
    if total <= 0:
        return f"{n} ({MISSING_CELL})"
    return f"{n} ({100.0 * n / total:.1f}%)"


def format_p(p: float) -> str:
    """``<0.001`` below 0.001, else three decimals; empty for NaN."""
    if p is None or not math.isfinite(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


# ---------------------------------------------------------------------------------------
# Table 1: result object and presentation table
# ---------------------------------------------------------------------------------------

_SHORT_METHOD = {
    "exact": "exact",
    "monte-carlo": "Monte Carlo",
    "normal approximation, continuity correction": "normal approx., cont. corr.",
    "chi-squared approximation": "chi-squared approx.",
}


def format_test(row: Mapping[str, Any]) -> str:
    """What a Table 1 row shows in its ``test`` cell: test name and method, or why none ran."""
    if row["test"] == "none":
        return f"none ({row['note']})"
    if row["method"] == "exact" and "exact" in row["test"].lower():  # "Fisher's exact test"
        return row["test"]
    return f"{row['test']} ({_SHORT_METHOD.get(row['method'], row['method'])})"


def summary_table(
    statistics: pd.DataFrame,
    tests: pd.DataFrame,
    *,
    kinds: Mapping[str, str],
    columns: Sequence[str],
    sizes: Sequence[int],
    labels: Mapping[str, str],
    decimals: Mapping[str, int],
    mean_sd: bool,
    missing: bool,
    tested: bool,
) -> pd.DataFrame:
    """Format :attr:`TableOne.statistics` (and tests) into :attr:`TableOne.summary`."""
    rows = [
        {"variable": "n", "level": "", **{c: str(s) for c, s in zip(columns, sizes, strict=True)}}
    ]
    by_test = {r["variable"]: r for r in tests.to_dict("records")}
    blocks = dict(tuple(statistics.groupby("variable", sort=False)))
    for var, kind in kinds.items():
        label = str(labels.get(var, var))
        block = blocks[var]
        var_rows = []
        if kind == "continuous":
            cells = block.set_index("group").loc[list(columns)]
            d = decimals[var]

            def num(x, d=d):
                return format_number(x, d)

            shown = (
                [("mean (SD)", lambda c: f"{num(c['mean'])} ({num(c['sd'])})")] if mean_sd else []
            )
            shown += [
                ("median [IQR]", lambda c: f"{num(c['median'])} [{num(c['q1'])}, {num(c['q3'])}]"),
                ("min, max", lambda c: f"{num(c['min'])}, {num(c['max'])}"),
            ]
            for level, make in shown:
                row = {"variable": label, "level": level}
                row.update(
                    {col: make(c) if c["N"] > 0 else MISSING_CELL for col, c in cells.iterrows()}
                )
                var_rows.append(row)
        else:
            for level, rows_level in block.groupby("level", sort=False):
                cells = rows_level.set_index("group").loc[list(columns)]
                row = {"variable": label, "level": level}
                row.update(
                    {col: format_count(int(c["n"]), int(c["N"])) for col, c in cells.iterrows()}
                )
                var_rows.append(row)
        if var in by_test:
            var_rows[0]["test"] = format_test(by_test[var])
            var_rows[0]["p_value"] = format_p(by_test[var]["p_value"])
        if missing:
            overall = block[block["group"] == "Overall"]
            var_rows[0]["missing"] = str(int(overall["n_missing"].iloc[0]))
        rows.extend(var_rows)
    names = ["variable", "level", *columns]
    if tested:
        names += ["test", "p_value"]
    if missing:
        names.append("missing")
    return pd.DataFrame(rows).reindex(columns=names).fillna("").astype(object)


@dataclass(frozen=True)
class TableOne:
    """A Table 1 (cohort description), overall and optionally per group.

    Attributes
    ----------
    summary : pandas.DataFrame
        The presentation table, every cell a string. Columns: ``variable`` (the label),
        ``level`` (what the row shows: ``"median [IQR]"``, ``"min, max"``,
        ``"mean (SD)"``, ``"yes"`` for a boolean, or a category), ``Overall``, one
        column per non-empty group of ``by`` (in category order), then with ``by``
        ``test`` (the test that ran, or why none did) and ``p_value`` (formatted),
        and with ``missing=True`` ``missing`` (number of missing values of the
        variable, STROBE item 14b). The first row (variable ``"n"``) gives the number
        of infants per column. Test, p-value and missing count sit on the first row
        of each variable.
    statistics : pandas.DataFrame
        The same numbers unformatted, one row per variable x level x column
        (``group`` is ``"Overall"`` or a group label); columns ``variable, kind``
        (``"continuous"``, ``"binary"``, ``"categorical"``), ``level`` (missing for
        continuous), ``group, N`` (non-missing values), ``n_missing, n`` (count at the
        level), ``proportion = n / N, ci_low, ci_high`` (interval by ``ci_method`` at
        ``confidence``), ``mean, sd, median, q1, q3, min, max`` (continuous; quantiles
        as R type 7).
    tests : pandas.DataFrame
        One row per variable when ``by`` was given (else empty): ``variable, test``
        (name), ``method`` (``"exact"``, ``"monte-carlo"``, ``"normal approximation,
        continuity correction"``, ``"chi-squared approximation"`` or ``"none"``),
        ``statistic`` (U of the first group, Kruskal-Wallis H; NaN for Fisher),
        ``df``, ``p_value``, ``n_groups`` (groups with data that entered the test),
        ``note`` (why the method was chosen or why no test ran).
    by : str or None
        The grouping column.
    groups : tuple of str
        Group labels, in column order (empty groups dropped).
    notes : tuple of str
        Footnotes: what the cells show, dropped groups, rows without a group,
        variables skipped by default, which tests ran. The exports print them under
        the table (not in CSV).
    """

    summary: pd.DataFrame
    statistics: pd.DataFrame
    tests: pd.DataFrame
    by: str | None
    groups: tuple[str, ...]
    notes: tuple[str, ...]

    def to_csv(self, path=None) -> str | None:
        """Write :attr:`summary` as UTF-8 CSV (``\\n`` line ends); return the text if ``path`` is None."""
        return render_csv(self.summary, path)

    def to_markdown(self, path=None) -> str:
        """Render as a GitHub-flavoured Markdown table followed by the notes; also write ``path``."""
        return render_markdown(self.summary, self.notes, path)

    def to_latex(self, path=None) -> str:
        """Render as a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``) plus the notes."""
        return render_latex(self.summary, self.notes, path)

    def to_html(self, path=None) -> str:
        """Render as an HTML fragment (``<div>`` holding the ``<table>`` and notes), text escaped."""
        return render_html(self.summary, self.notes, path)


# ---------------------------------------------------------------------------------------
# exports
# ---------------------------------------------------------------------------------------


def _write(text: str, path) -> None:
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="\n")


def _display(summary: pd.DataFrame) -> pd.DataFrame:
    """Presentation copy: a variable's name only on its first row; friendly headers."""
    out = summary.copy()
    repeated = out["variable"].eq(out["variable"].shift())
    out.loc[repeated, "variable"] = ""
    return out.rename(columns=_DISPLAY_HEADERS)


def render_csv(summary: pd.DataFrame, path=None) -> str | None:
    """The summary as CSV (every row keeps its variable name); text if ``path`` is None."""
    text = summary.to_csv(index=False, lineterminator="\n")
    if path is None:
        return text
    _write(text, path)
    return None


def render_markdown(summary: pd.DataFrame, notes: Sequence[str], path=None) -> str:
    """GitHub Markdown table (tabulate, cells verbatim) followed by the notes."""
    shown = _display(summary).map(lambda s: str(s).replace("|", "\\|"))
    shown.columns = [str(c).replace("|", "\\|") for c in shown.columns]
    text = shown.to_markdown(index=False, tablefmt="github", disable_numparse=True) + "\n"
    if notes:
        text += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    _write(text, path)
    return text


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text) -> str:
    r"""Escape LaTeX's special characters (pandas' escaper leaves ``<``/``>`` alone).

    >>> latex_escape("p <0.001 & 50%")
    'p \\textless{}0.001 \\& 50\\%'
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def render_latex(summary: pd.DataFrame, notes: Sequence[str], path=None) -> str:
    """booktabs ``tabular`` (pandas Styler) followed by the notes as a footnotesize paragraph."""
    shown = _display(summary)
    styler = shown.style.hide(axis="index").format(latex_escape).format_index(latex_escape, axis=1)
    text = styler.to_latex(hrules=True, column_format="l" * shown.shape[1])
    if notes:
        body = " \\\\\n".join(latex_escape(n) for n in notes)
        text += "\\par\\smallskip\n{\\footnotesize\n" + body + "\n\\par}\n"
    _write(text, path)
    return text


def render_html(summary: pd.DataFrame, notes: Sequence[str], path=None) -> str:
    """HTML fragment: ``<div class="b12cohort-table">`` with the table and a notes list."""
    shown = _display(summary)
    table = shown.to_html(index=False, escape=True, border=0, classes="b12cohort-table-one",
                          na_rep="")  # fmt: skip
    parts = ['<div class="b12cohort-table">', table]
    if notes:
        parts.append('<ul class="b12cohort-table-notes">')
        parts.extend(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append("</ul>")
    parts.append("</div>")
    text = "\n".join(parts) + "\n"
    _write(text, path)
    return text
