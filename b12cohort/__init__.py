"""b12cohort: retrospective cohort analysis of infant vitamin B12 deficiency.

Reproduces, and makes reusable, the analysis of Taranushenko TE, Falaleeva SO,
Borisova EV, Makarevskaya NYu. "Nervous System Lesion in Infants with Vitamin B12
Deficiency Anemia". EC Clinical and Medical Case Reports 5.8 (2022): 02-08.

The public functions are imported lazily: ``import b12cohort`` costs little more than
importing pandas, and SciPy, statsmodels and matplotlib load only when a function that
needs them is first called.

Main entry points
-----------------
load_cohort, validate
    Read a hospital export (CSV/TSV/XLSX, UTF-8 or cp1251, decimal commas, other units)
    into one validated, canonical DataFrame.
load_example
    The clearly labelled reconstruction of the Krasnoyarsk cohort (19 infants).
grade_anemia, apply_eligibility
    Derived variables and the paper's inclusion criteria.
prevalence, table_one, compare_with_published, treatment_course, case_profile
    Descriptive statistics with exact confidence intervals.
binomial_ci
    The vectorised binomial confidence interval behind every proportion.
correlation, fisher_exact, fisher_exact_table, unconditional_exact, trend_test, compare_groups,
logistic, power_correlation, detectable_correlation, correlation_equivalence, association_summary
    Exact small-sample association analysis with effect sizes.
load_literature, pool_prevalence, pool_correlation, compare_with_literature
    Comparison with published infant B12 cohorts (random-effects meta-analysis).
compatible_tables, audit_published_claim, recompute_published
    What the published summary alone allows: every table compatible with the paper's
    margins, each tested exactly; statcheck- and GRIM-style checks of printed results.
inline, manuscript_results, results_text, methods_text, references_bibtex,
manuscript_sections, manuscript_markdown, strobe_record_checklist
    From report to manuscript: results as a journal writes them, the results and
    methods text with its references, and the STROBE/RECORD checklist.
simulate_cohort, write_export
    Schema-valid synthetic cohorts of any size, written as a hospital would export them.
plot_prevalence, plot_b12_vs_hb, plot_hb_by_score, plot_sign_by_grade, plot_course,
plot_course_by_group, plot_flow, plot_forest, plot_audit
    The figures (matplotlib loads on first use).

Every function takes its data first and every other argument by keyword, with one
vocabulary (README, "One vocabulary"; ``DEFAULT_SEED`` is the default of every
``random_state``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    B12CohortError,
    B12CohortWarning,
    CohortValidationError,
    DataQualityWarning,
    ExactTestInfeasibleError,
    IdentifierWarning,
    NotebookFailed,
    ReportError,
    SchemeRangeWarning,
)
from b12cohort.core.version import __version__

# public name -> module that defines it (imported on first access, PEP 562)
_LAZY = {
    # reading
    "load_cohort": "b12cohort.reading.load",
    "read_table": "b12cohort.reading.load",
    "validate": "b12cohort.reading.load",
    "sniff": "b12cohort.reading.sniff",
    # the data dictionary
    "load_schema": "b12cohort.dictionary.schema",
    "Schema": "b12cohort.dictionary.schema",
    "cleaning_log": "b12cohort.dictionary.metadata",
    "load_metadata": "b12cohort.dictionary.metadata",
    "grade_anemia": "b12cohort.dictionary.derived",
    "register_scheme": "b12cohort.dictionary.derived",
    "anemia_schemes": "b12cohort.dictionary.derived",
    "neuro_score": "b12cohort.dictionary.derived",
    "neuro_items_missing": "b12cohort.dictionary.derived",
    # the cohort
    "apply_eligibility": "b12cohort.cohort.eligibility",
    "participant_flow": "b12cohort.cohort.eligibility",
    "load_example": "b12cohort.cohort.datasets",
    "example_path": "b12cohort.cohort.datasets",
    "simulate_cohort": "b12cohort.cohort.simulate",
    "population_spearman": "b12cohort.cohort.simulate",
    "write_export": "b12cohort.cohort.export",
    # statistics
    "binomial_ci": "b12cohort.stats.proportions",
    "prevalence": "b12cohort.stats.proportions",
    "table_one": "b12cohort.stats.table_one",
    "fisher_exact": "b12cohort.stats.contingency",
    "fisher_exact_table": "b12cohort.stats.contingency",
    "trend_test": "b12cohort.stats.trend",
    "compare_groups": "b12cohort.stats.rank_tests",
    "correlation": "b12cohort.stats.correlation",
    "power_correlation": "b12cohort.stats.power",
    "detectable_correlation": "b12cohort.stats.power",
    "correlation_equivalence": "b12cohort.stats.power",
    "logistic": "b12cohort.stats.regression",
    "treatment_course": "b12cohort.stats.survival",
    "pool_prevalence": "b12cohort.stats.meta",
    "pool_correlation": "b12cohort.stats.meta",
    "clopper_pearson": "b12cohort.stats.meta",
    "association_summary": "b12cohort.stats.association",
    "ordinal_association": "b12cohort.stats.ordinal",
    "ordinal_regression": "b12cohort.stats.ordinal_regression",
    "compare_paired": "b12cohort.stats.paired",
    "survival_compare": "b12cohort.stats.survival_compare",
    "sample_size_correlation": "b12cohort.stats.power",
    "unconditional_exact": "b12cohort.stats.unconditional",
    # the paper and the literature
    "published_facts": "b12cohort.paper.replication",
    "compare_with_published": "b12cohort.paper.replication",
    "case_profile": "b12cohort.paper.case_report",
    "load_literature": "b12cohort.paper.literature",
    # stratified (multi-site) tests
    "stratified_trend_test": "b12cohort.stats.stratified",
    "mantel_haenszel": "b12cohort.stats.mantel_haenszel",
    "stratified_compare_groups": "b12cohort.stats.stratified_rank",
    # several sites: summaries and pooling
    "site_summary": "b12cohort.multisite.summary",
    "SiteSummary": "b12cohort.multisite.summary",
    "DisclosurePolicy": "b12cohort.multisite.policy",
    "pool_sites": "b12cohort.multisite.pool",
    "MultiSiteResult": "b12cohort.multisite.pool",
    "compare_with_literature": "b12cohort.paper.literature",
    # audit of the published claim
    "compatible_tables": "b12cohort.paper.audit",
    "audit_published_claim": "b12cohort.paper.audit",
    "CompatibilityResult": "b12cohort.paper.audit",
    "recompute_published": "b12cohort.paper.recompute",
    # from report to manuscript
    "inline": "b12cohort.paper.inline",
    "manuscript_results": "b12cohort.paper.manuscript",
    "results_text": "b12cohort.paper.manuscript",
    "methods_text": "b12cohort.paper.manuscript",
    "references_bibtex": "b12cohort.paper.manuscript",
    "manuscript_sections": "b12cohort.paper.manuscript",
    "manuscript_markdown": "b12cohort.paper.manuscript",
    "strobe_record_checklist": "b12cohort.paper.strobe",
    # figures (matplotlib loads on first access)
    "plot_b12_vs_hb": "b12cohort.figures.anemia",
    "plot_hb_by_score": "b12cohort.figures.anemia",
    "plot_sign_by_grade": "b12cohort.figures.sign_grade",
    "plot_course": "b12cohort.figures.course",
    "plot_course_by_group": "b12cohort.figures.course_groups",
    "plot_flow": "b12cohort.figures.flow",
    "plot_forest": "b12cohort.figures.forest",
    "plot_prevalence": "b12cohort.figures.prevalence",
    "plot_audit": "b12cohort.figures.audit",
    # tables for the manuscript (Word, Excel)
    "result_table": "b12cohort.core._result_table",
    "Section": "b12cohort.core._export",
}

__all__ = [
    "DEFAULT_SEED",
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
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        if name in {"figures", "report", "cli"}:
            return importlib.import_module(f"b12cohort.{name}")
        raise AttributeError(f"module 'b12cohort' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: the next access is a plain attribute lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if (
    TYPE_CHECKING
):  # pragma: no cover - for static analysers and IDEs only (agrees with _LAZY: tested)
    from b12cohort.cohort.datasets import example_path, load_example
    from b12cohort.cohort.eligibility import apply_eligibility, participant_flow
    from b12cohort.cohort.export import write_export
    from b12cohort.cohort.simulate import population_spearman, simulate_cohort
    from b12cohort.core._export import Section
    from b12cohort.core._result_table import result_table
    from b12cohort.dictionary.derived import (
        anemia_schemes,
        grade_anemia,
        neuro_items_missing,
        neuro_score,
        register_scheme,
    )
    from b12cohort.dictionary.metadata import cleaning_log, load_metadata
    from b12cohort.dictionary.schema import Schema, load_schema
    from b12cohort.figures.anemia import plot_b12_vs_hb, plot_hb_by_score
    from b12cohort.figures.audit import plot_audit
    from b12cohort.figures.course import plot_course
    from b12cohort.figures.course_groups import plot_course_by_group
    from b12cohort.figures.flow import plot_flow
    from b12cohort.figures.forest import plot_forest
    from b12cohort.figures.prevalence import plot_prevalence
    from b12cohort.figures.sign_grade import plot_sign_by_grade
    from b12cohort.multisite.policy import DisclosurePolicy
    from b12cohort.multisite.pool import MultiSiteResult, pool_sites
    from b12cohort.multisite.summary import SiteSummary, site_summary
    from b12cohort.paper.audit import (
        CompatibilityResult,
        audit_published_claim,
        compatible_tables,
    )
    from b12cohort.paper.case_report import case_profile
    from b12cohort.paper.inline import inline
    from b12cohort.paper.literature import compare_with_literature, load_literature
    from b12cohort.paper.manuscript import (
        manuscript_markdown,
        manuscript_results,
        manuscript_sections,
        methods_text,
        references_bibtex,
        results_text,
    )
    from b12cohort.paper.recompute import recompute_published
    from b12cohort.paper.replication import compare_with_published, published_facts
    from b12cohort.paper.strobe import strobe_record_checklist
    from b12cohort.reading.load import load_cohort, read_table, validate
    from b12cohort.reading.sniff import sniff
    from b12cohort.stats.association import association_summary
    from b12cohort.stats.contingency import fisher_exact, fisher_exact_table
    from b12cohort.stats.correlation import correlation
    from b12cohort.stats.mantel_haenszel import mantel_haenszel
    from b12cohort.stats.meta import clopper_pearson, pool_correlation, pool_prevalence
    from b12cohort.stats.ordinal import ordinal_association
    from b12cohort.stats.ordinal_regression import ordinal_regression
    from b12cohort.stats.paired import compare_paired
    from b12cohort.stats.power import (
        correlation_equivalence,
        detectable_correlation,
        power_correlation,
        sample_size_correlation,
    )
    from b12cohort.stats.proportions import binomial_ci, prevalence
    from b12cohort.stats.rank_tests import compare_groups
    from b12cohort.stats.regression import logistic
    from b12cohort.stats.stratified import stratified_trend_test
    from b12cohort.stats.stratified_rank import stratified_compare_groups
    from b12cohort.stats.survival import treatment_course
    from b12cohort.stats.survival_compare import survival_compare
    from b12cohort.stats.table_one import table_one
    from b12cohort.stats.trend import trend_test
    from b12cohort.stats.unconditional import unconditional_exact
