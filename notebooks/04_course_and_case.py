# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Treatment course and the case report
#
# The paper reports that 32% of its infants developed involuntary movements *during* treatment with
# cyanocobalamin; the first cell below computes the figure for the data analysed here. In published
# series such movements begin a few days (typically 3–5) after the first dose and resolve within
# about 3–6 weeks. This notebook describes
#
# 1. how often they occurred (with an exact confidence interval),
# 2. when they began,
# 3. how long they lasted — estimated with the **Kaplan–Meier** method, so that an infant whose
#    movements had not yet resolved at the last visit still contributes the time observed
#    ("censored") instead of being dropped or counted as resolved,
#
# and then summarises the paper's case report: an 8-month-old boy with developmental regression and
# brain atrophy.

# %% tags=["parameters"]
DATA = None
COLUMNS = None
SCHEME = "who-2011"
INVALID_ROWS = "raise"
READ_OPTIONS = {}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}
CASE_ID = "K07"  # the case to profile; None to skip (K07 is the case report in the example)

# %%
import b12cohort
from b12cohort import figures
from b12cohort import report as rpt

OUT = rpt.start_notebook(OUT)  # where tables and figures go; warnings without file paths

cohort = rpt.report_cohort(
    DATA, columns=COLUMNS, scheme=SCHEME, invalid_rows=INVALID_ROWS, **READ_OPTIONS
)
included, excluded = b12cohort.apply_eligibility(cohort)

# %% [markdown]
# ## Incidence, onset and duration

# %%
course = b12cohort.treatment_course(included)
incidence = course.summary.set_index("statistic").loc["incidence"]
print(
    f"Involuntary movements on treatment: {int(incidence['n'])} of {int(incidence['N'])} infants "
    f"({incidence['estimate']:.0%}; {incidence['confidence']:.0%} CI {incidence['ci_low']:.0%} to "
    f"{incidence['ci_high']:.0%}, {incidence['method']})."
)
rpt.save_table(
    course.summary,
    "course_summary",
    OUT,
    caption="Involuntary movements during cyanocobalamin treatment",
)
course.summary

# %% [markdown]
# Per infant: onset and resolution (or the last observation, if unresolved), in days from the first
# dose. In a large cohort the table pages show the first rows; `tables/course_by_infant.csv` holds
# every infant.

# %%
rpt.save_table(course.infants, "course_by_infant", OUT, listing=True)
course.infants

# %% [markdown]
# The Kaplan–Meier table: the proportion of affected infants whose movements are still present at
# each time, with its confidence interval.

# %%
rpt.save_table(course.km_table, "course_kaplan_meier", OUT)
course.km_table

# %%
axes = figures.plot_course(included)
rpt.save_figure(axes, "treatment_course", OUT, **FIGURES)

# %% [markdown]
# ## The case report
#
# A structured profile of one infant, built from the same data as everything else. Only the
# pseudonymous code identifies the child.

# %%
case = b12cohort.case_profile(included, patient_id=CASE_ID) if CASE_ID else None
if case is not None:
    rpt.save_table(case.summary, "case_profile", OUT, caption=f"Case profile {CASE_ID}")
    print(case.to_text())

# %%
case.summary if case is not None else None

# %%
rpt.write_summary("04", {"case_text": case.to_text() if case is not None else None}, OUT)
