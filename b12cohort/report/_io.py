"""Report outputs: atomic, byte-deterministic writes of tables and text.

Rounding and formatting happen here, in the report layer, and nowhere in the analysis
modules: CSV files keep full precision (for re-analysis), Markdown, LaTeX and HTML are
rounded for reading. Every CSV is made safe to open in a spreadsheet
(:func:`b12cohort.dictionary.privacy.neutralise_csv_injection`).
"""

from __future__ import annotations

import hashlib
import html
import math
import os
import tempfile
from pathlib import Path

#: Floats in report CSVs: 12 significant digits. Far beyond any clinical precision, and
#: it keeps the files byte-identical across CPUs whose vectorised maths may differ in the
#: last bit of a double (17 digits would expose that).
CSV_FLOAT_FORMAT = "%.12g"

__all__ = ["atomic_write", "format_frame", "save_csv", "save_table", "sha256_file"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: a crash leaves the old file or the new one.

    The file gets the usual permissions (0666 minus the umask), not the private 0600 of
    a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_p(col: str) -> bool:
    return col.startswith("p_") or col.endswith("p_value") or col in {"p", "p_adjusted"}


def _fmt_number(value, col: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e9 and not _is_p(col):
            return str(int(value))
        if _is_p(col):
            return "<0.001" if value < 0.001 else f"{value:.3f}"
        if col in {"proportion", "ci_low", "ci_high", "estimate", "i2"} or col.endswith(
            ("_low", "_high")
        ):
            return f"{value:.3f}"
        return f"{value:.3g}"
    return str(value)


def format_frame(frame):
    """A copy of ``frame`` with every cell as display text (rounded numbers, empty for missing).

    p-values get three decimals (or "<0.001"); proportions, estimates and interval bounds
    three decimals; other numbers three significant digits; whole numbers stay whole.
    """
    import numpy as np
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        out[col] = [
            _fmt_number(
                v.item() if isinstance(v, np.generic) else (None if v is pd.NA else v), str(col)
            )
            for v in s.tolist()
        ]
    return out


def save_table(
    table,
    name: str,
    out: str | Path = ".",
    *,
    formats=("csv", "md", "tex", "html"),
    caption: str | None = None,
) -> list[Path]:
    """Write a table as ``tables/<name>.<fmt>`` under ``out``, atomically and deterministically.

    Parameters
    ----------
    table : pandas.DataFrame or an object with ``to_csv``/``to_markdown``/``to_latex``/``to_html``
        A tidy result table (written unrounded to CSV, rounded elsewhere) or a
        presentation object such as :class:`b12cohort.stats.table_one.TableOne` (its own exports
        are used).
    name : str
        File stem, e.g. ``"prevalence"``.
    out : path
        Report folder; files go to ``out/tables/``.
    formats : sequence of {"csv", "md", "tex", "html"}
    caption : str, optional
        Caption for the LaTeX table and the HTML fragment.

    Returns
    -------
    list of Path
        The files written.
    """
    import pandas as pd

    from b12cohort.dictionary.privacy import neutralise_csv_injection

    folder = Path(out) / "tables"
    written = []
    if isinstance(table, pd.DataFrame):
        shown = format_frame(table)
        texts = {
            "csv": lambda: neutralise_csv_injection(table).to_csv(
                index=False, lineterminator="\n", float_format=CSV_FLOAT_FORMAT
            ),
            "md": lambda: shown.to_markdown(index=False) + "\n",
            "tex": lambda: _latex(shown, caption),
            "html": lambda: _html_table(shown, caption),
        }
    else:  # a presentation object with its own exports (e.g. TableOne)
        texts = {
            "csv": lambda: _csv_text(table),
            "md": lambda: table.to_markdown(),
            "tex": lambda: table.to_latex(),
            "html": lambda: table.to_html(),
        }
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        atomic_write(path, texts[fmt]())
        written.append(path)
    return written


def _csv_text(obj) -> str:
    import pandas as pd

    from b12cohort.dictionary.privacy import neutralise_csv_injection

    frame = obj.summary if hasattr(obj, "summary") else pd.DataFrame(obj)
    return neutralise_csv_injection(frame).to_csv(
        index=False, lineterminator="\n", float_format=CSV_FLOAT_FORMAT
    )


def _latex(shown, caption: str | None) -> str:
    styler = shown.style.hide(axis="index").format(escape="latex")
    return styler.to_latex(hrules=True, caption=caption)


def _html_table(shown, caption: str | None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>\n"
        for row in shown.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="b12-table">{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody></table>\n'


def save_csv(frame, filename: str, out: str | Path = ".") -> Path:
    """Write ``frame`` to ``out/filename`` as UTF-8 CSV, unrounded and spreadsheet-safe."""
    from b12cohort.dictionary.privacy import neutralise_csv_injection

    return atomic_write(
        Path(out) / filename,
        neutralise_csv_injection(frame).to_csv(
            index=False, lineterminator="\n", float_format=CSV_FLOAT_FORMAT
        ),
    )
