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
# # 3. Does neurology track the degree of anaemia?
#
# The paper concludes that the neurological disorders "do not correlate with the degree of
# anemia". That is a claim of **absence**, and a small study can rarely support one: a p-value
# above 0.05 only says the data are compatible with no association — they may be just as
# compatible with a strong one. This notebook asks the honest questions:
#
# 1. What association do the data show, and how precisely (effect sizes with confidence intervals)?
# 2. What could a cohort this size have detected at all (power)?
# 3. Do the data positively *exclude* a strong association (an equivalence test)?

# %% tags=["parameters"]
DATA = None
COLUMNS = None
SCHEME = "who-2011"
INVALID_ROWS = "raise"
READ_OPTIONS = {}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}
EQUIVALENCE_BOUND = 0.5  # |rho| we would call a strong correlation

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
# ## The association table
#
# For each neurological sign, three views of "does it go with worse anaemia?":
#
# * the **exact Fisher–Freeman–Halton test** of the sign against the anaemia grade (any pattern);
# * the **exact Cochran–Armitage trend test** (a monotone trend across mild < moderate < severe);
# * the **Hodges–Lehmann shift** in haemoglobin between infants with and without the sign, with its
#   confidence interval (an effect size in g/L, not just a p-value).
#
# The table leads with the two **primary** analyses, the paper's question asked with both measures
# of the degree of anaemia: the number of signs (`neuro_score`) against haemoglobin (**Spearman's
# ρ** with its confidence interval) and against the ordered anaemia grade (the **exact
# linear-by-linear association test**, which uses the order of both the grade and the number of
# signs; its reading says the smallest correlation it could have detected at these margins).
# A claim that neurology tracks anaemia could rest on either, so the two are adjusted together
# (Holm) as a family of their own. Exact tests are used because the counts are tiny
# (chi-squared approximations are unreliable here, and SciPy's R×C Fisher test is Monte Carlo). The
# per-sign tests are **secondary**: their p-values are adjusted together for the number of tests
# (Holm). Each row says which test ran and why (`method`, `method_detail`), what its estimate is
# (`estimate_type`) and the level of its interval (`confidence`), and reads the result in words.

# %%
assoc = b12cohort.association_summary(included, scheme=SCHEME, equivalence_bound=EQUIVALENCE_BOUND)
rpt.save_table(
    rpt.association_table(assoc, caption="Neurological signs against the degree of anaemia"),
    "association",
    OUT,
)
assoc[
    [
        "analysis",
        "outcome",
        "exposure",
        "test",
        "method",
        "estimate",
        "estimate_type",
        "ci_low",
        "ci_high",
        "confidence",
        "p_value",
        "p_adjusted",
    ]
]

# %% [markdown]
# The reading of every row, in full: what the estimate and its interval say on each side, and
# what a large p does *not* say. Two analyses are primary (the number of signs against Hb and
# against the grade, the paper's question): they are adjusted together (Holm) as their own family.
# The per-sign tests are secondary and adjusted together (Holm); adjustment guards against false
# claims of an association, and makes a claim of absence weaker, not stronger.

# %%
rpt.show_readings(assoc)

# %% [markdown]
# ## What can a cohort this size detect?
#
# A study this size has 80% power only for large correlations. Anything weaker can easily go
# unnoticed, so "not significant" must not be read as "absent". The number below is for Spearman's
# test, the one that ran (`method="spearman"`: Fisher z of ρ with the Bonett–Wright variance,
# checked against simulation); Pearson's test (the default, R `pwr.r.test`) would detect a slightly
# weaker correlation, because a rank test is less efficient on normal data.

# %%
detectable = b12cohort.detectable_correlation(n=len(included), method="spearman")
detectable.summary

# %% [markdown]
# Power of the same test for a few true correlations (the chance of p < 0.05 if ρ really were that
# large; an approximation, coarser far from 80% power):

# %%
{
    rho: round(b12cohort.power_correlation(n=len(included), rho=rho, method="spearman"), 2)
    for rho in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
}

# %% [markdown]
# ## Equivalence: do the data exclude a strong correlation?
#
# The two one-sided tests (TOST) procedure turns the question around: it asks whether the data are
# incompatible with a correlation at least as strong as the bound. Only a significant TOST would
# support "does not correlate".

# %%
equivalence = b12cohort.correlation_equivalence(
    included, x="neuro_score", y="hb_g_l", bound=EQUIVALENCE_BOUND
)
equivalence.summary

# %% [markdown]
# ## Sensitivity to the anaemia grading
#
# The paper does not say which grading it used. Russian clinical practice grades mild anaemia from
# 90 g/L, WHO (2011) from 100 g/L, so the same infant can be "mild" or "moderate". The table below
# repeats the analysis with the other scheme; conclusions that flip with the grading are fragile.

# %%
other = "ru-clinical" if SCHEME != "ru-clinical" else "who-2011"
sensitivity = b12cohort.association_summary(
    included, scheme=other, equivalence_bound=EQUIVALENCE_BOUND
)
rpt.save_table(
    rpt.association_table(
        sensitivity, caption=f"Sensitivity analysis: anaemia graded with {other}"
    ),
    "association_other_scheme",
    OUT,
)
sensitivity[
    [
        "analysis",
        "outcome",
        "exposure",
        "test",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
    ]
]

# %% [markdown]
# ## Figures

# %%
ax = figures.plot_hb_by_score(included)
rpt.save_figure(ax, "hb_by_neuro_score", OUT, **FIGURES)

# %%
ax = figures.plot_sign_by_grade(included, scheme=SCHEME)
rpt.save_figure(ax, "sign_by_grade", OUT, **FIGURES)

# %%
primary = assoc[assoc["analysis"] == "primary"]
rpt.write_summary(
    "03",
    {
        "headline": " ".join(primary["reading"]),  # both primary analyses, in table order
        "detectable_rho": detectable.summary.to_dict("records"),
        "equivalent": bool(equivalence.equivalent),
        "bound": EQUIVALENCE_BOUND,
        "other_scheme": other,
    },
    OUT,
)
