"""Formatting and export of presentation tables (Table 1).

The statistics modules compute unrounded numbers; this module turns them into the
strings a presentation table shows and writes those tables as CSV, Markdown, LaTeX
and HTML. Every export is byte-deterministic: no timestamps, no random ids, ``\\n``
line ends, UTF-8.

Number formatting (documented in :func:`b12cohort.table_one`):

- percentages: one decimal (``12 (63.2%)``);
- p-values: three decimals, ``<0.001`` below 0.001;
- continuous summaries: :func:`auto_decimals` per variable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

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
