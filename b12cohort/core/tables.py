"""The one table writer: number formatting and CSV, Markdown, LaTeX and HTML rendering.

The statistics modules compute unrounded numbers; this module turns them into the
strings a presentation table shows and writes those tables as CSV, Markdown, LaTeX
and HTML. It is the only renderer in the package: :meth:`TableOne.to_csv` and the
report's ``save_table`` both go through :func:`render_csv`, :func:`render_markdown`,
:func:`render_latex` and :func:`render_html`. Every CSV passes the spreadsheet
formula guard (:func:`neutralise_csv_injection`); LaTeX is escaped by one function
(:func:`latex_escape`), HTML by :func:`html.escape`. Every export is
byte-deterministic: no timestamps, no random ids, ``\\n`` line ends, UTF-8.

It also holds :class:`TableOne`, the result of :func:`b12cohort.table_one`, and
:func:`summary_table`, which turns its tidy statistics into the presentation table.

Number formatting (documented in :func:`b12cohort.table_one`):

- percentages: one decimal (``12 (63.2%)``);
- p-values: three decimals, ``<0.001`` below 0.001;
- continuous summaries: :func:`auto_decimals` per variable;
- any other cell of a tidy result table: :func:`format_cell`.

The number formatters (:func:`format_number`, :func:`format_significant`,
:func:`format_p`, :func:`format_count`, :func:`format_cell`) are the one family the
package formats numbers with.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core._cells import (  # noqa: F401  (the formatters and the guard, re-exported)
    _DANGEROUS,
    _THREE_DECIMALS,
    _is_p,
    _neutral,
    format_cell,
    format_frame,
    format_p,
    format_significant,
)
from b12cohort.core._export import TableContent, abbreviations
from b12cohort.core._exportable import Exportable

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


def format_number(
    value: float,
    decimals: int,
    *,
    missing: str = MISSING_CELL,
    minus: str = "-",
    infinity: str | None = None,
) -> str:
    """Fixed decimals, ``missing`` for NaN/None, no negative zero.

    ``minus="\u2212"`` writes a true minus sign (for prose); ``infinity="\u221e"`` writes
    ±infinity as that symbol (signed with ``minus``) instead of ``missing``.

    >>> format_number(-0.0004, 3), format_number(float("nan"), 1), format_number(-1.5, 1, minus="\u2212")
    ('0.000', '-', '\u22121.5')
    >>> format_number(float("-inf"), 2, minus="\u2212", infinity="\u221e")
    '\u2212\u221e'
    """
    if value is not None and infinity is not None and math.isinf(value):
        return infinity if value > 0 else minus + infinity
    if value is None or not math.isfinite(value):
        return missing
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text.replace("-", minus) if minus != "-" else text


def format_count(n: int, total: int) -> str:
    """``n (p%)`` with one decimal; ``n (-)`` when the denominator is 0."""
    if total <= 0:
        return f"{n} ({MISSING_CELL})"
    return f"{n} ({100.0 * n / total:.1f}%)"


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
class TableOne(Exportable):
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
        return render_markdown(_display(self.summary), self.notes, path)

    def to_latex(self, path=None) -> str:
        """Render as a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``) plus the notes."""
        return render_latex(_display(self.summary), self.notes, path)

    def to_html(self, path=None) -> str:
        """Render as an HTML fragment (``<div>`` holding the ``<table>`` and notes), text escaped."""
        return render_html(_display(self.summary), self.notes, path)

    def _content(self) -> TableContent:
        """For ``to_docx``/``to_xlsx`` (:class:`~b12cohort.core._export.Exportable`)."""
        shown = _display(self.summary)
        found = abbreviations(shown)
        title = "Characteristics of the infants" + (f" by {self.by}" if self.by else "")
        notes = (*self.notes, found) if found else self.notes
        return TableContent(title, shown, self.summary, notes, numeric_text=True)


# ---------------------------------------------------------------------------------------
# the table writer
# ---------------------------------------------------------------------------------------

#: Floats in CSVs: 12 significant digits. Far beyond any clinical precision, and it keeps
#: the files byte-identical across CPUs whose vectorised maths may differ in the last
#: bit of a double (17 digits would expose that).
CSV_FLOAT_FORMAT = "%.12g"


def neutralise_csv_injection(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
    the full-width ``＝ ＋ － ＠``) get a leading single quote, as the OWASP "CSV
    Injection" guidance recommends; so do text column labels and index labels, which
    are cells of the exported file too. Numbers (including negative ones) are not text
    and are left alone; the caller's frame is not modified.

    Notes
    -----
    :func:`render_csv` applies it to every CSV the package writes. Quoting by the CSV
    writer is not enough: a spreadsheet evaluates ``"=1+1"`` as a formula whether or not
    it was quoted in the file.

    References
    ----------
    OWASP Foundation. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_csv_injection(pd.DataFrame({"v": ["=1+1", "ok", "-x"], "x": [-1.5, 2, 3]}))["v"].tolist()
    ["'=1+1", 'ok', "'-x"]
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if not (
            pd.api.types.is_object_dtype(s)
            or pd.api.types.is_string_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype)
        ):
            continue
        values = s.astype(object).to_numpy()
        risky = _risky(s, values)
        if risky.any():
            values = values.copy()
            values[risky] = ["'" + v for v in values[risky]]
            out.isetitem(i, pd.Series(values, index=out.index, dtype=object))
    for axis in ("columns", "index"):
        labels = getattr(out, axis)
        if labels.dtype == object or pd.api.types.is_string_dtype(labels.dtype):
            setattr(out, axis, labels.map(_neutral))
    return out


def _risky(s: pd.Series, values: np.ndarray) -> np.ndarray:
    """Mask of the cells of ``s`` (``values`` its object array) that start like a formula.

    Distinct values are tested once (a registry's cleaning log repeats a few texts a
    million times); cells that are not strings are never risky.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.fromiter(
        (isinstance(v, str) and v.startswith(_DANGEROUS) for v in uniques),
        dtype=bool,
        count=len(uniques),
    )
    return np.append(flags, False)[codes]  # code -1 (missing) -> the appended False


def _write(text: str, path) -> None:
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="\n")


def _display(summary: pd.DataFrame) -> pd.DataFrame:
    """Presentation copy of a Table 1: a variable's name only on its first row; friendly headers."""
    out = summary.copy()
    repeated = out["variable"].eq(out["variable"].shift())
    out.loc[repeated, "variable"] = ""
    return out.rename(columns=_DISPLAY_HEADERS)


def render_csv(frame: pd.DataFrame, path=None, *, float_format: str = CSV_FLOAT_FORMAT):
    """``frame`` as UTF-8 CSV, spreadsheet-safe (:func:`neutralise_csv_injection`), unrounded.

    Floats are written with :data:`CSV_FLOAT_FORMAT`. Returns the text when ``path``
    is None, else writes ``path`` and returns None.
    """
    text = neutralise_csv_injection(frame).to_csv(
        index=False, lineterminator="\n", float_format=float_format
    )
    if path is None:
        return text
    _write(text, path)
    return None


def render_markdown(frame: pd.DataFrame, notes: Sequence[str] = (), path=None) -> str:
    """GitHub Markdown table (tabulate, cells verbatim, ``|`` escaped) followed by the notes."""
    shown = frame.astype(object).map(lambda s: str(s).replace("|", "\\|"))
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


def render_latex(
    frame: pd.DataFrame, notes: Sequence[str] = (), path=None, *, caption: str | None = None
) -> str:
    """booktabs ``tabular`` (every cell and header through :func:`latex_escape`), then the notes.

    With ``caption``, a ``table`` environment with that (escaped) caption.
    """
    shown = frame.astype(object).map(str)
    styler = shown.style.hide(axis="index").format(latex_escape).format_index(latex_escape, axis=1)
    text = styler.to_latex(
        hrules=True,
        column_format="l" * shown.shape[1],
        caption=None if caption is None else latex_escape(caption),
    )
    if notes:
        body = " \\\\\n".join(latex_escape(n) for n in notes)
        text += "\\par\\smallskip\n{\\footnotesize\n" + body + "\n\\par}\n"
    _write(text, path)
    return text


#: Cells longer than this (characters) are prose: ``<td class="prose">`` in HTML.
PROSE_CELL = 60

_IDENTIFIER = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")


def _breakable(text: str) -> str:
    """Escaped ``text``; a snake_case name (``developmental_regression``) may break after
    its underscores (``<wbr>``), so that a narrow column need not cut it mid-word."""
    if _IDENTIFIER.fullmatch(text):
        return "_<wbr>".join(html.escape(part) for part in text.split("_"))
    return html.escape(text)


def render_html(
    frame: pd.DataFrame, notes: Sequence[str] = (), path=None, *, caption: str | None = None
) -> str:
    """HTML fragment: ``<div class="b12cohort-table">`` holding ``<table class="b12-table">``
    (every cell, header and the caption escaped) and a notes list.

    Cells longer than :data:`PROSE_CELL` characters get ``class="prose"``, so that a
    stylesheet can keep sentences from being squeezed into a narrow column.
    """
    esc = html.escape

    def td(value) -> str:
        text = str(value)
        cls = ' class="prose"' if len(text) > PROSE_CELL else ""
        return f"<td{cls}>{_breakable(text)}</td>"

    head = "".join(f"<th>{_breakable(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(td(v) for v in row) + "</tr>\n"
        for row in frame.astype(object).fillna("").itertuples(index=False)
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    parts = [
        '<div class="b12cohort-table">',
        f'<table class="b12-table">{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody></table>',
    ]
    if notes:
        parts.append('<ul class="b12cohort-table-notes">')
        parts.extend(f"<li>{esc(n)}</li>" for n in notes)
        parts.append("</ul>")
    parts.append("</div>")
    text = "\n".join(parts) + "\n"
    _write(text, path)
    return text
