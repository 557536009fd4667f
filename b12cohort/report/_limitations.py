"""The Limitations section of the landing page, built from the data and the report's tables.

Every sentence is computed: whether the data are the bundled reconstruction or a user's
file, the design, how many infants each variable was recorded in, what the grading
choice is and how the other scheme moved the grade-based results, the power of the
primary analysis, and which literature comparisons rest on fewer than three studies.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

__all__ = ["Limitation", "limitations", "missingness"]

#: Columns recorded only for infants with involuntary movements on treatment.
_ON_TREATMENT = ("im_onset_day", "im_resolution_day", "im_followup_day")
#: Bookkeeping columns that are not variables of the analysis.
_NOT_VARIABLES = ("patient_id", "neuro_items_missing")


class Limitation(NamedTuple):
    """One limitation: its topic and the sentence that states it."""

    topic: str
    text: str


def _title(name: str) -> str:
    from b12cohort.core.errors import ArgumentError
    from b12cohort.dictionary.schema import load_schema

    try:
        return load_schema().field(name).title or name.replace("_", " ")
    except ArgumentError:
        return name.replace("_", " ")


def missingness(data: pd.DataFrame) -> pd.DataFrame:
    """Variables with missing values: ``variable``, ``title``, ``recorded``, ``applicable``.

    ``applicable`` is the number of infants the variable applies to: all of them, except
    the treatment-course days, which apply only to infants with involuntary movements
    on treatment (the follow-up day only to those whose movements did not resolve).
    """
    rows = []
    moving = None
    if "involuntary_movements_on_treatment" in data:
        moving = data["involuntary_movements_on_treatment"].fillna(False).astype(bool)
    for col in data.columns:
        if col in _NOT_VARIABLES:
            continue
        values = data[col]
        if col in _ON_TREATMENT and moving is not None:
            applies = moving
            if col == "im_followup_day" and "im_resolution_day" in data:
                applies = moving & data["im_resolution_day"].isna()  # only if unresolved
            values = values[applies]
        applicable, recorded = len(values), int(values.notna().sum())
        if applicable and recorded < applicable:
            rows.append((col, _title(col), recorded, applicable))
    return pd.DataFrame(rows, columns=["variable", "title", "recorded", "applicable"])


def _grade_changes(summary: pd.DataFrame, other: pd.DataFrame) -> dict:
    keys = ["outcome", "exposure", "comparison"]
    graded = summary["comparison"].isin(
        ["sign across anaemia grades", "trend of the sign with anaemia severity"]
    )
    both = summary[graded].merge(other, on=keys, suffixes=("", "_other"))
    tested = both[both["p_value"].notna() & both["p_value_other"].notna()]
    crossed = tested[(tested["p_value"] < 0.05) != (tested["p_value_other"] < 0.05)]
    status = both[(both["test"] == "not tested") != (both["test_other"] == "not tested")]
    shift = (tested["p_value"] - tested["p_value_other"]).abs()
    return {
        "tests": len(tested),
        "crossed": crossed,
        "status_changed": status,
        "largest_shift": float(shift.max()) if len(shift) else math.nan,
    }


def _list(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def limitations(
    *,
    reconstruction: bool,
    data: pd.DataFrame,
    scheme: str,
    summary: pd.DataFrame,
    other_summary: pd.DataFrame | None = None,
    other_scheme: str | None = None,
    literature: pd.DataFrame | None = None,
    source: str | None = None,
) -> list[Limitation]:
    """The limitations of this analysis of ``data``, one sentence per topic.

    Parameters
    ----------
    reconstruction : bool
        True for the bundled reconstruction, False for a user's file.
    data : pandas.DataFrame
        The analysed infants.
    scheme, other_scheme : str
        The grading used and the one of the sensitivity analysis.
    summary, other_summary : pandas.DataFrame
        :func:`b12cohort.association_summary` with each scheme (as in
        ``tables/association.csv`` and ``tables/association_other_scheme.csv``).
    literature : pandas.DataFrame, optional
        :func:`b12cohort.compare_with_literature` (``tables/literature_comparison.csv``).
    source : str, optional
        The input file's name (for real data).

    Returns
    -------
    list of Limitation
        (topic, sentence) pairs, in reading order.
    """
    n = len(data)
    out = []
    if reconstruction:
        out.append(
            Limitation(
                "Data",
                f"The {n} infants are a reconstruction, not patient data: the published "
                "figures hold by construction (the reconstruction was built to honour them), "
                "and every other number describes the reconstruction, not the Krasnoyarsk "
                "infants.",
            )
        )
    else:
        name = f" ({source})" if source else ""
        out.append(
            Limitation(
                "Data",
                f"Real data{name}: {n} infants analysed. Agreement or disagreement with the "
                "published figures is a finding about these data, not a check of the software.",
            )
        )
    out.append(
        Limitation(
            "Design",
            "Retrospective cohort: the variables were recorded in routine care, not for this "
            "analysis, so the design cannot ensure that signs were assessed in a standardised "
            "way or blind to the degree of anaemia; there is no comparison group without "
            "B12 deficiency.",
        )
    )
    missing = missingness(data)
    if missing.empty:
        out.append(Limitation("Missing data", f"Every variable is recorded in all {n} infants."))
    else:
        parts = [
            f"{r.title} in {r.recorded} of {r.applicable}"
            + (" (infants with movements on treatment)" if r.variable in _ON_TREATMENT else "")
            for r in missing.itertuples(index=False)
        ]
        out.append(
            Limitation(
                "Missing data",
                f"Not every variable was recorded: {_list(parts)}. Missing values were kept "
                "missing (a sign not recorded counts as absent in the neurological score).",
            )
        )
    primary = summary[summary.get("analysis", pd.Series(dtype=object)) == "primary"]
    detectable = summary[summary["comparison"] == "detectable correlation at this n"]
    if len(detectable) and math.isfinite(float(detectable["estimate"].iloc[0])):
        out.append(
            Limitation(
                "Size",
                f"With {int(detectable['n'].iloc[0])} infants, Spearman's test of ρ = 0 (the "
                "test that ran) has 80% power only for "
                f"|ρ| ≥ {float(detectable['estimate'].iloc[0]):.2f}: a large p "
                "cannot show that neurology and anaemia are independent.",
            )
        )
    if other_summary is not None and other_scheme:
        changes = _grade_changes(summary, other_summary)
        text = f"Anaemia was graded with {scheme}; the paper does not say which scheme it used. "
        from b12cohort.core.errors import ArgumentError
        from b12cohort.dictionary.derived import grade_anemia

        ages = data.get("age_months")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = grade_anemia(data["hb_g_l"], scheme=scheme, age_months=ages)
                b = grade_anemia(data["hb_g_l"], scheme=other_scheme, age_months=ages)
            moved = int((a.astype(object) != b.astype(object)).sum())
            text += f"Under {other_scheme}, {moved} of {n} infants change grade. "
        except (ArgumentError, KeyError):  # a scheme that cannot grade these data: say less
            pass
        crossed = changes["crossed"]
        text += (
            f"Of the {changes['tests']} grade-based tests, "
            + (
                f"{len(crossed)} crossed p = 0.05 ({_list(crossed['outcome'].str.replace('_', ' '))})"
                if len(crossed)
                else "none crossed p = 0.05 in either direction"
            )
            + (
                f"; the largest change in a p-value was {changes['largest_shift']:.3f}"
                if math.isfinite(changes["largest_shift"])
                else ""
            )
            + "."
        )
        if len(changes["status_changed"]):
            text += (
                f" {len(changes['status_changed'])} comparison(s) became testable or untestable."
            )
        other_primary = other_summary[other_summary.get("analysis") == "primary"]
        if len(primary) and len(other_primary):
            same = primary["estimate"].iloc[0] == other_primary["estimate"].iloc[0] or (
                pd.isna(primary["estimate"].iloc[0]) and pd.isna(other_primary["estimate"].iloc[0])
            )
            text += " The first primary analysis (neurological score against Hb) does not use " + (
                "the grades: its estimate is the same under both schemes."
                if same
                else "the grades."
            )
            graded = primary[primary["exposure"] == "anemia_grade"]
            other_graded = other_primary[other_primary["exposure"] == "anemia_grade"]
            if len(graded) and len(other_graded):
                p_here, p_other = graded["p_value"].iloc[0], other_graded["p_value"].iloc[0]
                if math.isfinite(p_here) and math.isfinite(p_other):
                    text += (
                        " The second (neurological score across the grades) does: p = "
                        f"{p_here:.3f} under {scheme}, {p_other:.3f} under {other_scheme}."
                    )
        out.append(Limitation("Grading", text))
    if literature is not None and "k" in literature:
        few = literature[(literature["k"] > 0) & (literature["k"] < 3)]
        none = literature[literature["k"].fillna(0) == 0]
        parts = []
        if len(few):
            parts.append(
                "literature comparisons rest on fewer than three published series for "
                + _list(
                    [
                        f"{r.sign.replace('_', ' ')} ({int(r.k)})"
                        for r in few.itertuples(index=False)
                    ]
                )
                + ": with one or two studies, between-study heterogeneity and a prediction "
                "interval cannot be estimated, so 'other centres' means those studies only"
            )
        if len(none):
            parts.append(
                f"{_list(none['sign'].str.replace('_', ' ').tolist())} "
                f"{'has' if len(none) == 1 else 'have'} no comparable published series"
            )
        if parts:
            out.append(Limitation("Literature", "; ".join(parts).capitalize() + "."))
    return out


def limitations_from_build(
    build: Path, parameters: dict, data: pd.DataFrame, *, other_scheme: str | None = None
) -> list[Limitation]:
    """:func:`limitations` from the tables a report build wrote (``build/tables``).

    ``other_scheme`` is the scheme of the sensitivity table (notebook 03 records it).
    """

    def read(name: str) -> pd.DataFrame | None:
        path = Path(build) / "tables" / f"{name}.csv"
        return pd.read_csv(path) if path.exists() else None

    summary = read("association")
    if summary is None:
        return []
    scheme = parameters.get("SCHEME") or "who-2011"
    source = parameters.get("DATA")
    return limitations(
        reconstruction=parameters.get("DATA") is None,
        data=data,
        scheme=scheme,
        summary=summary,
        other_summary=read("association_other_scheme"),
        other_scheme=other_scheme,
        literature=read("literature_comparison"),
        source=Path(source).name if source else None,
    )
