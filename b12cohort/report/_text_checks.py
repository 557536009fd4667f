"""The guard of the report's text: every number of ``text/results.md`` against a table file.

:func:`check_against_tables` runs before the text is written. The text is computed by
:func:`b12cohort.manuscript_results` (the notebooks' functions with the notebooks'
arguments); this compares what it computed with what the notebooks wrote, section by
section of the text:

* participants: ``participant_flow.csv`` (the counts of the flow sentence) and
  ``table_one.csv`` (sex, age, haemoglobin and B12 as Table 1 shows them: each shown
  number is the text's value rounded to the decimals Table 1 prints);
* neurological findings: ``prevalence.csv``;
* association: ``association.csv`` (both primary rows, the supporting and the secondary
  rows) and ``association_other_scheme.csv`` (the sensitivity sentence);
* treatment course: ``course_summary.csv`` (incidence, onset, median and its interval) and
  ``course_by_infant.csv`` (how many entered the Kaplan-Meier estimate, resolved, censored);
* literature: ``literature_comparison.csv``; replication: ``replication.csv``.

A difference is a :class:`~b12cohort.core.errors.ReportError` naming the file, row, column
and both values. Private to :mod:`b12cohort.report._text`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from b12cohort.core.errors import ReportError

__all__: list[str] = []

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
#: The frames the text uses, their table file and the columns compared (numbers).
_FRAME_CHECKS = (
    ("participant_flow", "flow", ("n",)),
    ("prevalence", "prevalence", ("events", "n", "proportion", "ci_low", "ci_high")),
    ("association", "association", ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "n")),
    ("association_other_scheme", "sensitivity",
     ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "n")),
    ("literature_comparison", "literature", ("proportion", "pooled_estimate")),
    ("replication", "replication", ("match",)),
)  # fmt: skip
_COURSE_COLUMNS = ("estimate", "ci_low", "ci_high", "q1", "q3", "min", "max", "n", "N", "n_missing")


def _fail(name: str, row: int, column: str, table, text) -> ReportError:
    return ReportError(
        f"tables/{name}.csv row {row}, column {column}: the table has {table}, the results "
        f"text {text}. The text must use the numbers of the tables; rebuild the report, and "
        "report it as a bug if it persists."
    )


def _value(x) -> float:
    if isinstance(x, str):
        if x.strip().lower() in ("true", "false"):
            return float(x.strip().lower() == "true")
        return float(x) if x.strip() else math.nan
    if x is None or x is pd.NA:
        return math.nan
    return float(x)


def same(a, b) -> bool:
    a, b = _value(a), _value(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _compare(build: Path, name: str, frame: pd.DataFrame | None, columns) -> None:
    path = build / "tables" / f"{name}.csv"
    if frame is None or not path.exists():
        return
    table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=object)
    if len(table) != len(frame):
        raise ReportError(
            f"tables/{name}.csv has {len(table)} rows but the results text was computed "
            f"from {len(frame)}: the notebooks and the text disagree. Rebuild the report; "
            "if it persists, report it as a bug."
        )
    for col in columns:
        if col not in frame.columns:
            continue
        for i, (a, b) in enumerate(zip(table[col], frame[col], strict=True)):
            a = math.nan if isinstance(a, float) and math.isnan(a) else a
            if not same(a, b):
                raise _fail(name, i + 1, col, a, b)


def _shows(text: str, value: float) -> bool:
    """``text`` (a number as Table 1 prints it) is ``value`` rounded to its decimals."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return math.isfinite(value) and abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-9


def _table_one_label(variable: str) -> str:
    """The row label of a variable in the report's Table 1 (notebook 02's labels)."""
    from b12cohort.dictionary.schema import load_schema

    for f in load_schema().fields:
        if f.name == variable:
            return f"{f.title} ({f.unit})" if f.unit else f.title
    return variable


def _check_table_one(build: Path, table_one) -> None:
    """The Table 1 numbers of the text (sex, age, Hb, B12, overall) as table_one.csv shows them."""
    path = build / "tables" / "table_one.csv"
    if table_one is None or not path.exists():
        return
    table = pd.read_csv(path, keep_default_na=False, dtype=str)
    st = table_one.statistics
    st = st[st["group"] == "Overall"]
    n_row = table.index[table["variable"] == "n"]
    if len(st) and len(n_row) and not same(table.loc[n_row[0], "Overall"], st["N"].max()):
        raise _fail("table_one", int(n_row[0]) + 1, "Overall", table.loc[n_row[0], "Overall"],
                    int(st["N"].max()))  # fmt: skip
    for variable in dict.fromkeys(st["variable"]):
        rows = st[st["variable"] == variable]
        label = _table_one_label(variable)
        mine = table[table["variable"] == label]
        if mine.empty:
            raise ReportError(
                f"tables/table_one.csv has no row {label!r} ({variable}), which the results "
                "text describes: the notebooks and the text disagree. Rebuild the report; if it "
                "persists, report it as a bug."
            )
        if "missing" in mine.columns and not same(mine["missing"].iloc[0],
                                                  rows["n_missing"].iloc[0]):  # fmt: skip
            raise _fail("table_one", int(mine.index[0]) + 1, "missing", mine["missing"].iloc[0],
                        int(rows["n_missing"].iloc[0]))  # fmt: skip
        if rows["kind"].iloc[0] == "continuous":
            r = rows.iloc[0]
            expected = {"median [IQR]": (r["median"], r["q1"], r["q3"]),
                        "min, max": (r["min"], r["max"])}  # fmt: skip
        else:
            expected = {str(r.level): (r.n, 100 * r.proportion) for r in rows.itertuples()}
        for level, values in expected.items():
            line = mine[mine["level"] == level]
            if line.empty:
                continue
            shown = _NUMBER.findall(line["Overall"].iloc[0])
            if len(shown) != len(values) or not all(
                _shows(s, float(v)) for s, v in zip(shown, values, strict=True)
            ):
                raise _fail("table_one", int(line.index[0]) + 1, f"Overall ({label}, {level})",
                            line["Overall"].iloc[0], ", ".join(f"{float(v):g}" for v in values))  # fmt: skip


def _check_course(build: Path, course) -> None:
    """The treatment-course numbers: course_summary.csv and the Kaplan-Meier counts of
    course_by_infant.csv."""
    if course is None:
        return
    _compare(build, "course_summary", course.summary, _COURSE_COLUMNS)
    path = build / "tables" / "course_by_infant.csv"
    if not path.exists() or course.n_km == 0:
        return
    infants = pd.read_csv(path, keep_default_na=False, dtype=str)
    in_km = infants["in_km"].str.lower() == "true"
    resolved = in_km & (infants["event"].str.lower() == "true")
    counts = {"in_km (infants in the Kaplan-Meier estimate)": (int(in_km.sum()), course.n_km),
              "event (resolved)": (int(resolved.sum()), course.events),
              "event (censored)": (int((in_km & ~resolved).sum()), course.n_censored)}  # fmt: skip
    for column, (table, text) in counts.items():
        if table != text:
            raise ReportError(
                f"tables/course_by_infant.csv, column {column}: the table counts {table}, the "
                f"results text {text}. The text must use the numbers of the tables; rebuild the "
                "report, and report it as a bug if it persists."
            )


def check_against_tables(build: Path, results) -> None:
    """Every number the results text prints equals the tables of the build, or a ReportError."""
    build = Path(build)
    for name, attribute, columns in _FRAME_CHECKS:
        _compare(build, name, getattr(results, attribute), columns)
    _check_table_one(build, results.table_one)
    _check_course(build, results.course)
