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
# # 2. Describing the cohort, and reproducing the published figures
#
# The paper reports percentages without confidence intervals: hypotonia 100%, hypo-/adynamia and
# neurodevelopmental retardation 63%, hyporeflexia 42%, involuntary movements during treatment
# 32%. With 19 infants, each of those percentages is uncertain by tens of percentage points. This
# notebook
#
# 1. describes the cohort (Table 1),
# 2. gives every prevalence with an **exact** 95% confidence interval,
# 3. checks, item by item, that the data reproduce what the paper printed (the replication table).

# %% tags=["parameters"]
DATA = None
COLUMNS = None
SCHEME = "who-2011"
INVALID_ROWS = "raise"
READ_OPTIONS = {}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}

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
# ## Table 1
#
# Continuous variables are summarised by median [interquartile range] and range, not mean (SD):
# with 19 skewed values a mean and SD describe a distribution nobody has. Categorical variables are
# n (%), with percentages of the infants in whom the item was recorded; the last column counts the
# missing values (STROBE item 14b).

# %%
TABLE1 = [
    "sex", "age_months", "hb_g_l", "anemia_grade", "rbc_10e12_l", "mcv_fl", "b12_pg_ml", "folate_ng_ml",
    "homocysteine_umol_l", "hypotonia", "adynamia", "developmental_delay", "developmental_regression",
    "hyporeflexia", "seizures", "tremor_before_treatment", "involuntary_movements_on_treatment", "neuro_score",
    "brain_atrophy", "exclusive_breastfeeding", "maternal_b12_low", "cyanocobalamin_dose_ug",
]  # fmt: skip
variables = [v for v in TABLE1 if v in included.columns]  # optional columns may be absent
labels = {
    f.name: f"{f.title} ({f.unit})" if f.unit else f.title for f in b12cohort.load_schema().fields
}
labels.update(
    {
        "anemia_grade": f"Anaemia grade ({SCHEME})",
        "neuro_score": "Number of neurological signs (0-6)",
    }
)
table1 = b12cohort.table_one(included, variables=variables, labels=labels)
rpt.save_table(table1, "table_one", OUT)
table1.summary

# %% [markdown]
# The same table by anaemia grade. Each row names the test that produced its p-value: the exact
# Fisher–Freeman–Halton test for categorical rows (a chi-squared test is unreliable with expected
# counts this small) and Kruskal–Wallis for continuous rows, with its exact permutation p-value
# (every assignment of the values to groups of these sizes; the chi-squared approximation is
# unreliable with groups this small). Haemoglobin is not tested: the grades are defined by it, so
# a p-value would only restate how the groups were made. Read the rest as descriptions, not
# findings: 19 infants split three ways leaves little to test.

# %%
table1_grade = b12cohort.table_one(
    included,
    by="anemia_grade",
    variables=[v for v in variables if v != "anemia_grade"],
    labels=labels,
)
rpt.save_table(table1_grade, "table_one_by_grade", OUT)
table1_grade.summary

# %% [markdown]
# ## Prevalence of each sign, with exact confidence intervals
#
# The Clopper–Pearson interval is *exact*: it never covers the true proportion less often than
# 95%. It is conservative, which is the safe side with small samples. A sign present in every
# infant (hypotonia in 19 of 19 in the paper) does not mean "100% of such infants": the lower limit
# of its interval, printed below the table, says how low the true prevalence could be.

# %%
prev = b12cohort.prevalence(included)
rpt.save_table(
    prev,
    "prevalence",
    OUT,
    caption="Prevalence of each sign with exact (Clopper–Pearson) 95% confidence intervals",
)
for row in prev[(prev["events"] == prev["n"]) & (prev["n"] > 0)].itertuples():
    print(
        f"{row.variable}: {row.events} of {row.n}, yet compatible with a true prevalence as low as "
        f"{row.ci_low:.0%}."
    )
prev

# %% [markdown]
# Other intervals give different limits. The Wilson score interval is shorter on average and
# still behaves well for small n; the mid-p interval is less conservative than Clopper–Pearson.
# Whether the mid-p interval lies between the other two depends on the row (at n/N = N/N or
# 1/N the three can order differently), so the table below checks it row by row instead of
# asserting it. The choice should be made before looking at the data: here it is
# Clopper–Pearson throughout.

# %%
wilson = b12cohort.prevalence(included, ci_method="wilson")
mid_p = b12cohort.prevalence(included, ci_method="mid-p")
limits = prev[["variable", "events", "n"]].assign(
    cp_low=prev["ci_low"],
    cp_high=prev["ci_high"],
    wilson_low=wilson["ci_low"],
    wilson_high=wilson["ci_high"],
    mid_p_low=mid_p["ci_low"],
    mid_p_high=mid_p["ci_high"],
)
limits["mid_p_between"] = limits["mid_p_low"].between(
    limits[["cp_low", "wilson_low"]].min(axis=1), limits[["cp_low", "wilson_low"]].max(axis=1)
) & limits["mid_p_high"].between(
    limits[["cp_high", "wilson_high"]].min(axis=1),
    limits[["cp_high", "wilson_high"]].max(axis=1),
)
limits.round(3)

# %%
print(
    f"The mid-p interval lies between the Clopper–Pearson and Wilson limits in "
    f"{int(limits['mid_p_between'].sum())} of {len(limits)} rows"
    + (
        f"; not for {', '.join(limits.loc[~limits['mid_p_between'], 'variable'])}."
        if not limits["mid_p_between"].all()
        else "."
    )
)

# %%
ax = figures.plot_prevalence(included)
rpt.save_figure(ax, "prevalence", OUT, **FIGURES)

# %% [markdown]
# ## Replication of the published figures
#
# Each row compares a printed figure with the value computed from these data, rounded to the
# paper's precision. On the bundled reconstruction every row matches by design; on your own
# cohort the table shows where it differs.

# %%
replication = b12cohort.compare_with_published(included)
rpt.save_table(
    replication,
    "replication",
    OUT,
    caption="Published figures of Taranushenko et al. (2022) against the data",
)
replication

# %% [markdown]
# ## Laboratory values
#
# Serum B12 against haemoglobin, with the paper's inclusion threshold (83 pg/mL) and the anaemia
# grade cut-offs of the chosen scheme.

# %%
ax = figures.plot_b12_vs_hb(included, scheme=SCHEME)
rpt.save_figure(ax, "b12_vs_hb", OUT, **FIGURES)

# %%
rpt.write_summary(
    "02",
    {
        "replication_rows": len(replication),
        "replication_matches": int(replication["match"].fillna(False).astype(bool).sum()),
        "n_included": len(included),
    },
    OUT,
)
