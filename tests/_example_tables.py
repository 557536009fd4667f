"""The seven report tables of the example cohort, as the report's notebooks make them (shared by
test_docx, test_xlsx and test_export)."""

from __future__ import annotations

import functools
import warnings

import b12cohort
from b12cohort.core._result_table import result_table
from b12cohort.report import association_table

NAMES = (
    "table_one",
    "table_one_by_grade",
    "prevalence",
    "association",
    "replication",
    "course_summary",
    "literature_comparison",
)


@functools.cache
def example_tables() -> dict:
    """name -> (exportable table, the tidy frame its CSV holds or None for a Table 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = b12cohort.load_example()
        assoc = b12cohort.association_summary(data)
        frames = {
            "prevalence": b12cohort.prevalence(data),
            "replication": b12cohort.compare_with_published(data),
            "course_summary": b12cohort.treatment_course(data).summary,
            "literature_comparison": b12cohort.compare_with_literature(data),
        }
        tables = {
            "table_one": (b12cohort.table_one(data), None),
            "table_one_by_grade": (
                b12cohort.table_one(
                    data,
                    by="anemia_grade",
                    variables=["sex", "age_months", "hb_g_l", "hypotonia", "adynamia"],
                ),
                None,
            ),
            "association": (association_table(assoc, caption="Association"), assoc),
        }
        for name, frame in frames.items():
            tables[name] = (result_table(frame, caption=name.replace("_", " ")), frame)
    return {name: tables[name] for name in NAMES}
