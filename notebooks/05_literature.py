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
# # 5. How does the cohort compare with other infant B12 series?
#
# The Krasnoyarsk paper cites several comparable case series. This notebook puts the cohort's
# prevalence of each sign beside what the published series report. How much can be said depends on
# how many series report the sign:
#
# - **one series**: it is shown alone with its exact interval; nothing is pooled, and there is no
#   heterogeneity to speak of. The two exact intervals either overlap or not — a description, not
#   a test.
# - **two series**: they are pooled (random-effects meta-analysis of proportions, logit scale,
#   REML — as R's `metafor` does it), but two studies cannot say how much series differ: no
#   prediction interval, and τ² is not read.
# - **three or more**: the prediction interval gives the range in which a *new* comparable series
#   would be expected to fall. A cohort outside it is unusual for a comparable series (or defines
#   the sign differently); a cohort inside it is not shown to be the same.
#
# The `reading` column says this for each sign.
#
# Every literature row carries its source and the sentence the number came from
# (`data/literature/README.md`); counts derived from printed percentages are marked.

# %% tags=["parameters"]
DATA = None
COLUMNS = None
SCHEME = "who-2011"
INVALID_ROWS = "raise"
READ_OPTIONS = {}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}
SIGNS = [
    "hypotonia",
    "developmental_delay",
    "tremor_before_treatment",
    "involuntary_movements_on_treatment",
    "brain_atrophy",
]

# %%
import b12cohort
from b12cohort import figures
from b12cohort import report as rpt

OUT = rpt.start_notebook(OUT)  # where tables and figures go; warnings without file paths

cohort = rpt.report_cohort(
    DATA, columns=COLUMNS, scheme=SCHEME, invalid_rows=INVALID_ROWS, **READ_OPTIONS
)
included, excluded = b12cohort.apply_eligibility(cohort)
literature = b12cohort.load_literature()

# %% [markdown]
# ## The cohort against the pooled literature

# %%
comparison = b12cohort.compare_with_literature(included)
rpt.save_table(
    comparison,
    "literature_comparison",
    OUT,
    caption="Prevalence in the cohort against published series (pooled only where two or more report the sign)",
)
comparison[
    [
        "sign",
        "events",
        "total",
        "proportion",
        "ci_low",
        "ci_high",
        "k",
        "synthesis",
        "comparator_estimate",
        "pooled_estimate",
        "pooled_ci_low",
        "pooled_ci_high",
        "pi_low",
        "pi_high",
        "i2",
    ]
]

# %%
for sign, reading in zip(comparison["sign"], comparison["reading"], strict=True):
    print(f"{sign}: {reading}")

# %% [markdown]
# ## Forest plots
#
# One plot per sign with at least one comparable published series. The cohort is highlighted. With
# one series the plot shows that study alone; from two, the diamond is the pooled estimate; from
# three, the capped bar on its own row below the diamond is the prediction interval.

# %%
forest_plots = []
for sign in SIGNS:
    row = comparison[comparison["sign"] == sign]
    if row.empty or row["k"].iloc[0] < 1:
        continue
    studies = literature[
        (literature["sign"] == row["literature_sign"].iloc[0])
        & (literature["role"] == "comparator")
    ]
    if row["timing"].notna().iloc[0]:
        studies = studies[studies["timing"] == row["timing"].iloc[0]]
    studies = studies[~studies["by_selection"]]
    ax = figures.plot_forest(
        studies,
        highlight=("This cohort", int(row["events"].iloc[0]), int(row["total"].iloc[0])),
        title=sign.replace("_", " "),
    )
    forest_plots.append(rpt.save_figure(ax, f"forest_{sign}", OUT, **FIGURES))
rpt.show_figures(forest_plots)  # every forest plot, as saved for the report

# %% [markdown]
# ## Neurology against haemoglobin in other studies
#
# What other series found on the question of notebook 3 (with sources to check):

# %%
neuro_hb = b12cohort.load_literature(table="neurology_vs_hb")
rpt.save_table(neuro_hb, "literature_neurology_vs_hb", OUT)
neuro_hb

# %%
rpt.write_summary("05", {"signs_compared": int((comparison["k"] > 0).sum())}, OUT)
