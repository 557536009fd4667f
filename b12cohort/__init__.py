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
correlation, fisher_exact, trend_test, compare_groups, logistic,
detectable_correlation, correlation_equivalence, association_summary
    Exact small-sample association analysis with effect sizes.
load_literature, pool_prevalence
    Comparison with published infant B12 cohorts (random-effects meta-analysis).
simulate_cohort
    Schema-valid synthetic cohorts of any size.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from b12cohort.core.errors import (
    ApproximationWarning,
    ArgumentError,
    B12CohortError,
    B12CohortWarning,
    CohortValidationError,
    DataQualityWarning,
    IdentifierWarning,
    SchemeRangeWarning,
)
from b12cohort.core.version import __version__

# public name -> module that defines it (imported on first access, PEP 562)
_LAZY = {
    # loading, validation, cleaning
    "load_cohort": "b12cohort.reading.load",
    "read_table": "b12cohort.reading.load",
    "cleaning_log": "b12cohort.dictionary.metadata",
    "load_metadata": "b12cohort.dictionary.metadata",
    "validate": "b12cohort.reading.load",
    "load_schema": "b12cohort.dictionary.schema",
    "Schema": "b12cohort.dictionary.schema",
    # derived variables and eligibility
    "grade_anemia": "b12cohort.dictionary.derived",
    "register_scheme": "b12cohort.dictionary.derived",
    "anemia_schemes": "b12cohort.dictionary.derived",
    "neuro_score": "b12cohort.dictionary.derived",
    "apply_eligibility": "b12cohort.cohort.eligibility",
    "participant_flow": "b12cohort.cohort.eligibility",
    # bundled data
    "load_example": "b12cohort.cohort.datasets",
    "load_literature": "b12cohort.paper.literature",
    # descriptive
    "prevalence": "b12cohort.stats.descriptive",
    "table_one": "b12cohort.stats.descriptive",
    "compare_with_published": "b12cohort.paper.replication",
    "case_profile": "b12cohort.paper.case_report",
    "treatment_course": "b12cohort.stats.survival",
    # association
    "correlation": "b12cohort.stats.correlation",
    "fisher_exact": "b12cohort.stats.contingency",
    "trend_test": "b12cohort.stats.trend",
    "compare_groups": "b12cohort.stats.rank_tests",
    "logistic": "b12cohort.stats.regression",
    "detectable_correlation": "b12cohort.stats.correlation",
    "correlation_equivalence": "b12cohort.stats.correlation",
    "association_summary": "b12cohort.stats.association",
    "ordinal_association": "b12cohort.stats.ordinal",
    "ordinal_regression": "b12cohort.stats.ordinal_regression",
    "compare_paired": "b12cohort.stats.paired",
    "survival_compare": "b12cohort.stats.survival_compare",
    "sample_size_correlation": "b12cohort.stats.sample_size",
    # literature
    "pool_prevalence": "b12cohort.paper.literature",
    "compare_with_literature": "b12cohort.paper.literature",
    # simulation
    "simulate_cohort": "b12cohort.cohort.simulate",
}

__all__ = [
    "ApproximationWarning",
    "ArgumentError",
    "B12CohortError",
    "B12CohortWarning",
    "CohortValidationError",
    "DataQualityWarning",
    "IdentifierWarning",
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


if TYPE_CHECKING:  # pragma: no cover - for static analysers and IDEs only
    from b12cohort.cohort.datasets import load_example
    from b12cohort.cohort.eligibility import apply_eligibility, participant_flow
    from b12cohort.cohort.simulate import simulate_cohort
    from b12cohort.dictionary.derived import (
        anemia_schemes,
        grade_anemia,
        neuro_score,
        register_scheme,
    )
    from b12cohort.dictionary.schema import Schema, load_schema
    from b12cohort.paper.case_report import case_profile
    from b12cohort.paper.literature import compare_with_literature, load_literature, pool_prevalence
    from b12cohort.paper.replication import compare_with_published
    from b12cohort.reading.load import (
        cleaning_log,
        load_cohort,
        load_metadata,
        read_table,
        validate,
    )
    from b12cohort.stats.association import (
        association_summary,
        compare_groups,
        correlation,
        correlation_equivalence,
        detectable_correlation,
        fisher_exact,
        logistic,
        trend_test,
    )
    from b12cohort.stats.descriptive import prevalence, table_one
    from b12cohort.stats.ordinal import ordinal_association
    from b12cohort.stats.ordinal_regression import ordinal_regression
    from b12cohort.stats.paired import compare_paired
    from b12cohort.stats.sample_size import sample_size_correlation
    from b12cohort.stats.survival import treatment_course
    from b12cohort.stats.survival_compare import survival_compare
