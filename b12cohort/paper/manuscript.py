"""From results to a manuscript: the results text, the methods paragraph and its references.

:func:`manuscript_results` runs the analyses of the report on a cohort (the same
functions with the same arguments as the report's notebooks) and keeps their unrounded
results; :func:`results_text` writes the sentences a results section needs from them,
every number formatted by :func:`b12cohort.inline`; :func:`methods_text` writes the
statistical-methods paragraph for the methods that ran (read from the results'
``test`` and ``method``), citing :func:`references`, which :func:`references_bibtex`
writes as BibTeX. :func:`manuscript_sections` gives all of it as headings and
paragraphs (for a Word document), :func:`manuscript_markdown` as Markdown.

The sentences follow the honesty rules of the readings
(:mod:`b12cohort.stats._sentences`): a large p is never read as absence, an interval is
read on both sides (which correlations it excludes, which it leaves compatible), and the
size of the cohort is stated with what it could have detected.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from b12cohort.core._export import Section
from b12cohort.core.errors import ArgumentError
from b12cohort.core.results import Result
from b12cohort.paper import _references as refs
from b12cohort.paper import _results_sentences as sentences
from b12cohort.paper.inline import format_pct

__all__ = [
    "ManuscriptResults",
    "manuscript_markdown",
    "manuscript_results",
    "manuscript_sections",
    "methods_text",
    "references",
    "references_bibtex",
    "results_text",
]


#: Heading level of a topic under "Methods" / "Results" (level 1).
TOPIC = 2


@dataclass(frozen=True)
class ManuscriptResults(Result):
    """The unrounded results a manuscript reports (see :func:`manuscript_results`).

    Attributes
    ----------
    flow : pandas.DataFrame
        :func:`b12cohort.participant_flow` of the data (``stage, reason, n``).
    table_one : TableOne
        Table 1 of :data:`~b12cohort.paper._results_sentences.TABLE1` (sex, age, haemoglobin, B12), overall.
    table_one_by_grade : TableOne
        Table 1 by anaemia grade, with its tests.
    prevalence : pandas.DataFrame
        :func:`b12cohort.prevalence` of the analysed infants.
    association : pandas.DataFrame
        :func:`b12cohort.association_summary` with ``scheme``.
    sensitivity : pandas.DataFrame or None
        The same with ``sensitivity_scheme`` (None when not run).
    course : TreatmentCourse or None
        :func:`b12cohort.treatment_course` (None without involuntary movements recorded).
    replication : pandas.DataFrame or None
        :func:`b12cohort.compare_with_published`.
    literature : pandas.DataFrame or None
        :func:`b12cohort.compare_with_literature` (None when not run).
    scheme, sensitivity_scheme : str
        The anaemia grading schemes.
    source : str
        How the data are named in the text.
    years : tuple of int, or None
        First and last admission year of the analysed infants.
    cleaning_summary : pandas.DataFrame or None
        The cleaning log of the data by kind of change (``column, rule, original, new,
        detail, n_cells``; ``n_cells`` missing for a change to a whole column or the
        file), None when the data carry none. :func:`b12cohort.cleaning_log` expands it to
        one row per changed cell (about ten per infant of an export: at 10^5 rows that
        took seconds for what the text uses, its counts).
    reconstruction : bool
        The data are the bundled reconstruction (:func:`b12cohort.load_example`), which
        was built to reproduce the published figures: the replication holds by construction.
    test, method : str
        ``"manuscript results"`` and ``"descriptive"`` (a bundle, not a test).
    """

    flow: pd.DataFrame
    table_one: object
    table_one_by_grade: object
    prevalence: pd.DataFrame
    association: pd.DataFrame
    sensitivity: pd.DataFrame | None
    course: object | None
    replication: pd.DataFrame | None
    literature: pd.DataFrame | None
    scheme: str
    sensitivity_scheme: str | None
    source: str
    years: tuple[int, int] | None
    cleaning_summary: pd.DataFrame | None = None
    reconstruction: bool = False
    test: str = "manuscript results"
    method: str = "descriptive"
    notes: tuple[str, ...] = field(default=())

    def ran(self) -> pd.DataFrame:
        """Every (test, method) that produced a number, with the table it is in."""
        rows = [
            {"test": f"{m} interval", "method": "exact", "table": "prevalence"}
            for m in dict.fromkeys(self.prevalence["ci_method"].astype(str))
        ]
        tests = self.table_one_by_grade.tests
        for r in tests.itertuples():
            if r.method != "none":
                rows.append({"test": r.test, "method": r.method, "table": "table_one_by_grade"})
        for name, frame in (("association", self.association), ("sensitivity", self.sensitivity)):
            if frame is None:
                continue
            for r in frame.itertuples():
                if r.method != "not-tested":
                    rows.append({"test": r.test, "method": r.method, "table": name})
            if frame["in_family"].astype(bool).any():
                label = str(frame.loc[frame["in_family"].astype(bool), "p_adjust"].iloc[0])
                rows.append({"test": label, "method": "adjustment", "table": name})
            primary = frame[frame["analysis"] == "primary"]
            adjusted = pd.to_numeric(primary["p_adjusted"], errors="coerce").notna()
            if adjusted.sum() >= 2:  # the primaries, Holm-adjusted as their own family
                label = str(primary.loc[adjusted, "p_adjust"].iloc[0])
                rows.append({"test": label, "method": "primary adjustment", "table": name})
        if self.course is not None and self.course.n_km > 0:
            rows.append({"test": self.course.test, "method": self.course.method, "table": "course"})
        if self.literature is not None:
            for r in self.literature.itertuples():
                if r.synthesis == "pooled":
                    rows.append({"test": r.test, "method": r.method, "table": "literature"})
        return pd.DataFrame(rows, columns=["test", "method", "table"]).drop_duplicates(
            ignore_index=True
        )


def manuscript_results(
    data: pd.DataFrame,
    *,
    scheme: str = "who-2011",
    sensitivity_scheme: str | None = "auto",
    literature: bool = False,
    source: str | None = None,
    equivalence_bound: float = 0.5,
    reconstruction: bool | None = None,
) -> ManuscriptResults:
    """Run the analyses a manuscript reports, as the report's notebooks run them.

    Parameters
    ----------
    data : pandas.DataFrame
        The validated cohort (:func:`b12cohort.load_cohort`, :func:`b12cohort.load_example`,
        :func:`b12cohort.simulate_cohort`), before the eligibility criteria (the flow
        counts the exclusions).
    scheme : str
        Anaemia grading scheme of the association analysis.
    sensitivity_scheme : str or None
        The other scheme of the sensitivity analysis: ``"auto"`` (``"ru-clinical"``, or
        ``"who-2011"`` when ``scheme`` is ``"ru-clinical"``, as notebook 03), a scheme, or
        None to skip it.
    literature : bool
        Also compare the prevalences with the published cohorts.
    source : str, optional
        How the text names the data (e.g. the file name); None: "the data".
    equivalence_bound : float
        |ρ| of the equivalence test (as notebook 03).
    reconstruction : bool, optional
        Whether ``data`` are the bundled reconstruction (the replication sentence then
        says that its match holds by construction). None: true when the data were read
        from the bundled example file (same SHA-256) and no row was dropped since.

    Returns
    -------
    ManuscriptResults

    Raises
    ------
    ArgumentError
        ``data`` is not a DataFrame, or no infant meets the eligibility criteria.
    """
    from b12cohort.cohort.eligibility import apply_eligibility, participant_flow
    from b12cohort.paper.replication import compare_with_published
    from b12cohort.stats.association import association_summary
    from b12cohort.stats.proportions import prevalence
    from b12cohort.stats.survival import treatment_course
    from b12cohort.stats.table_one import table_one

    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"manuscript_results(): `data` must be a pandas DataFrame (a loaded cohort), got "
            f"{type(data).__name__}. Load it with b12cohort.load_cohort(path)."
        )
    included, _ = apply_eligibility(data)
    if included.empty:
        raise ArgumentError(
            "manuscript_results(): no infant of `data` meets the eligibility criteria, so "
            "there is nothing to report; see b12cohort.participant_flow(data) for why."
        )
    if sensitivity_scheme == "auto":
        sensitivity_scheme = "ru-clinical" if scheme != "ru-clinical" else "who-2011"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t1_vars = [v for v in sentences.TABLE1 if v in included.columns]
        t1 = table_one(included, variables=t1_vars)
        grade_vars = [v for v in included.columns if v not in ("patient_id", "anemia_grade")]
        t1_grade = table_one(included, by="anemia_grade", variables=grade_vars)
        assoc = association_summary(included, scheme=scheme, equivalence_bound=equivalence_bound)
        sens = (
            None
            if sensitivity_scheme is None
            else association_summary(
                included, scheme=sensitivity_scheme, equivalence_bound=equivalence_bound
            )
        )
        course = (
            treatment_course(included) if "involuntary_movements_on_treatment" in included else None
        )
        replication = compare_with_published(included)
        lit = None
        if literature:
            from b12cohort.paper.literature import compare_with_literature

            lit = compare_with_literature(included)
    years = None
    if "admission_year" in included and included["admission_year"].notna().any():
        y = included["admission_year"].dropna()
        years = (int(y.min()), int(y.max()))
    return ManuscriptResults(
        flow=participant_flow(data),
        table_one=t1,
        table_one_by_grade=t1_grade,
        prevalence=prevalence(included),
        association=assoc,
        sensitivity=sens,
        course=course,
        replication=replication,
        literature=lit,
        scheme=scheme,
        sensitivity_scheme=sensitivity_scheme,
        source=source or "",
        years=years,
        cleaning_summary=_cleaning_summary(data),
        reconstruction=_is_reconstruction(data) if reconstruction is None else bool(reconstruction),
        notes=tuple(dict.fromkeys(str(w.message) for w in caught)),
    )


def _is_reconstruction(data: pd.DataFrame) -> bool:
    """The data were read from the bundled example file and keep all of its rows."""
    import hashlib

    from b12cohort.cohort.datasets import example_path

    meta = data.attrs.get("b12cohort")
    sha = getattr(meta, "sha256", None)
    if not sha or getattr(meta, "n_rows", None) != len(data):
        return False
    with example_path() as path:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha


def _cleaning_summary(data: pd.DataFrame) -> pd.DataFrame | None:
    from b12cohort.dictionary.metadata import load_metadata

    try:
        return load_metadata(data).log.summary()
    except ArgumentError:
        return None


def check_results(results, *, function: str) -> None:
    """Raise :class:`ArgumentError` unless ``results`` is a :class:`ManuscriptResults`."""
    if not isinstance(results, ManuscriptResults):
        raise ArgumentError(
            f"{function}(): `results` must come from b12cohort.manuscript_results(data), got "
            f"{type(results).__name__}. Run results = b12cohort.manuscript_results(cohort) first."
        )


def results_text(results: ManuscriptResults) -> list[Section]:
    """The results section: one :class:`Section` per topic, in the order a paper reports them.

    Sections (those without data are left out): "Participants" (flow and Table 1),
    "Neurological findings" (each sign's prevalence with its interval), "Association with
    the degree of anaemia" (the primary correlation read on both sides, what the cohort
    could detect, the equivalence test, the secondary tests, the sensitivity analysis),
    "Treatment course", "Comparison with the literature" (with ``literature=True``: the
    reading of each compared sign), "Replication of the published figures".

    Raises
    ------
    ArgumentError
        ``results`` is not a :class:`ManuscriptResults`.
    """
    check_results(results, function="results_text")
    sections = [
        Section(
            "Participants",
            (sentences.flow_sentence(results), sentences.table_one_sentence(results)),
            level=TOPIC,
        ),
        Section(
            "Neurological findings", tuple(sentences.prevalence_sentences(results)), level=TOPIC
        ),
        Section(
            "Association with the degree of anaemia",
            tuple(
                s
                for s in (
                    *sentences.association_sentences(results),
                    sentences.sensitivity_sentence(results),
                )
                if s
            ),
            level=TOPIC,
        ),
        Section("Treatment course", tuple(sentences.course_sentences(results)), level=TOPIC),
        Section(
            "Comparison with the literature",
            tuple(sentences.literature_sentences(results)),
            level=TOPIC,
        ),
        Section(
            "Replication of the published figures",
            tuple(s for s in (sentences.replication_sentence(results),) if s),
            level=TOPIC,
        ),
    ]
    return [s for s in sections if s.paragraphs]


# --------------------------------------------------------------------------- methods
def _applied_rules(results: ManuscriptResults) -> list[refs.MethodRule]:
    ran = results.ran()
    tests = [(str(t).lower(), str(m)) for t, m in zip(ran["test"], ran["method"], strict=True)]
    chosen = []
    families = set()
    for rule in refs.METHOD_RULES:
        hit = any(rule.test in t and (rule.method is None or rule.method == m) for t, m in tests)
        if not hit:
            continue
        # a more specific rule of the same test (e.g. Kruskal-Wallis exact) replaces the general one
        key = (rule.family, rule.test)
        if key in families:
            continue
        families.add(key)
        chosen.append(rule)
    return chosen


def references(results: ManuscriptResults) -> list[refs.Reference]:
    """The references of :func:`methods_text`, in the order it cites them."""
    check_results(results, function="references")
    keys: list[str] = []
    for rule in _applied_rules(results):
        keys.extend(k for k in rule.keys if k not in keys)
    keys.extend(k for k in ("taranushenko2022", "vonelm2007", "benchimol2015") if k not in keys)
    return [refs.REFERENCES[k] for k in keys]


def methods_text(results: ManuscriptResults) -> Section:
    """The statistical-methods paragraph, one sentence per method that ran, cited [n]."""
    from b12cohort.core.version import __version__

    check_results(results, function="methods_text")
    order = {r.key: i + 1 for i, r in enumerate(references(results))}

    def cite(keys) -> str:
        return "[" + ",".join(str(order[k]) for k in keys) + "]"

    parts = [
        f"{rule.sentence} {cite(rule.keys)}." if rule.keys else f"{rule.sentence}."
        for rule in _applied_rules(results)
    ]
    level = format_pct(float(results.prevalence["confidence"].iloc[0]))
    parts.append(
        f"Every interval is at the {level} level; tests are two-sided. The analysis follows the "
        f"design of Taranushenko et al. {cite(['taranushenko2022'])} and is reported following "
        f"STROBE {cite(['vonelm2007'])} and its RECORD extension {cite(['benchimol2015'])}."
    )
    parts.append(
        f"All analyses were run with b12cohort {__version__} (Python), which records every "
        "test, its method and every automatic switch beside the numbers."
    )
    return Section("Statistical analysis", (" ".join(parts),), level=TOPIC)


def references_bibtex(results: ManuscriptResults) -> str:
    """The references of :func:`methods_text` as a BibTeX file (citation order)."""
    return "\n".join(refs.bibtex(r) for r in references(results))


def manuscript_sections(results: ManuscriptResults) -> list[Section]:
    """Methods, results and references as headings and paragraphs (for a Word document).

    The first section is "Statistical analysis" (level 2 under "Methods"), then the
    results sections of :func:`results_text`, then "References" (one paragraph per
    reference, numbered as cited).
    """
    refs_section = Section(
        "References",
        tuple(f"{i}. {refs.formatted(r)}" for i, r in enumerate(references(results), 1)),
        level=TOPIC,
    )
    return [
        Section("Methods", level=1),
        methods_text(results),
        Section("Results", level=1),
        *results_text(results),
        refs_section,
    ]


def manuscript_markdown(results: ManuscriptResults, *, title: str | None = None) -> str:
    """:func:`manuscript_sections` as Markdown (``#`` headings, one paragraph per block)."""
    lines = [f"# {title}", ""] if title else []
    for section in manuscript_sections(results):
        lines += ["#" * (section.level + (1 if title else 0)) + " " + section.heading, ""]
        for p in section.paragraphs:
            lines += [p, ""]
    return "\n".join(lines).rstrip("\n") + "\n"
