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
# # 6. What a published summary can and cannot tell you
#
# The Krasnoyarsk paper printed margins only: 19 infants, all anaemic, and how many had each
# sign. It concluded that the neurological disorders "do not correlate with the degree of
# anaemia". Whether they do depends on *which* infants had the sign in *which* grade of anaemia —
# the joint distribution — and that was not printed. The bundled example cohort is one
# reconstruction among many that honour the printed numbers, so its association results describe
# the reconstruction, not the infants. (When the report runs on your own data, notebooks 1–5
# analyse those data; this notebook still audits only the paper's printed numbers.)
#
# This notebook asks the reviewer's question instead, from the printed numbers alone:
#
# 1. **Are the printed numbers possible?** Each percentage must be a whole number of infants out
#    of 19 (a GRIM check), and a printed p-value must follow from its printed statistic (a
#    statcheck-style check).
# 2. **Could the conclusion have come out otherwise?** Every 2 × 3 table (sign present/absent ×
#    mild, moderate, severe anaemia) compatible with the printed margins is enumerated — no
#    sampling — and each is tested with the exact tests of notebook 3. If some compatible tables
#    give small p-values and others large ones, the printed summary cannot tell which happened.
#
# Nothing here uses the cohort's data: only the paper's printed facts. None of it can confirm or
# refute the claim; it shows how much the printed summary constrains it.

# %% tags=["parameters"]
DATA = None
COLUMNS = None
SCHEME = "who-2011"
INVALID_ROWS = "raise"
READ_OPTIONS = {}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}
CONFIDENCE = 0.95
MIN_PER_GRADE = 1
SENSITIVITY_MIN_PER_GRADE = 3
DETAIL_SIGN = "adynamia"
ILLUSTRATIVE_GRADE_COUNTS = [4, 13, 2]

# %%
import b12cohort
from b12cohort import figures
from b12cohort import report as rpt
from b12cohort.paper.replication import published_facts

OUT = rpt.start_notebook(OUT)  # where tables and figures go; warnings without file paths

facts = published_facts()
facts[["item", "kind", "published", "count", "total"]]

# %% [markdown]
# ## 1. Are the printed percentages possible with 19 infants?
#
# A percentage printed with no decimals is possible when some whole number of infants out of 19
# rounds to it. The column `possible_counts` lists every such count: where it holds a single
# number, the printed percentage pins the count down.

# %%
grim = b12cohort.recompute_published(facts)
rpt.save_table(
    grim, "audit_grim", OUT, caption="GRIM check of the percentages printed by the paper"
)
grim[["label", "printed", "n", "consistent", "possible_counts", "note"]]

# %% [markdown]
# ## 2. One sign in detail
#
# All tables with the printed number of infants with the sign, for every way of splitting the 19
# infants into three grades with at least `MIN_PER_GRADE` each. The table with the smallest p is
# the most association the printed margins allow; the largest effect with p ≥ α (α = 1 −
# `CONFIDENCE`) is an association that the same test would have missed.

# %%
detail_row = facts[facts["variable"] == DETAIL_SIGN].iloc[0]
detail = b12cohort.compatible_tables(
    n_with=int(detail_row["count"]),
    n_total=int(detail_row["total"]),
    min_per_grade=MIN_PER_GRADE,
    test="fisher",
    confidence=CONFIDENCE,
)
print(detail.method_detail)
print(detail.reading)
detail.min_p_table

# %%
detail.largest_effect_table

# %%
detail.summary.head(10)

# %% [markdown]
# ## 3. Every printed sign, both exact tests
#
# One row per sign: how many tables the printed margins allow, the range of p-values of the
# Fisher–Freeman–Halton test and of the exact Cochran–Armitage trend test over them, and how many
# tables would have given p < α. The counts of tables are not probabilities: the tables are not
# equally likely, and nothing printed says which is nearer the truth.

# %%
audit = b12cohort.audit_published_claim(
    confidence=CONFIDENCE, scheme=SCHEME, min_per_grade=MIN_PER_GRADE
)
rpt.save_table(
    audit.drop(columns=["reading"]),
    "audit_published_claim",
    OUT,
    caption="Every table compatible with the published margins, tested exactly",
)
rpt.save_table(
    audit[["sign", "verdict", "strong_effect_undetected", "reading"]],
    "audit_readings",
    OUT,
    caption="What the published margins allow, sign by sign",
)
for text in audit["reading"]:
    print(text, end="\n\n")

# %%
ax = figures.plot_audit(audit, test="fisher")
rpt.save_figure(ax, "audit_published_claim", OUT, **FIGURES)

# %%
ax = figures.plot_audit(audit, test="trend", effect="slope")
rpt.save_figure(ax, "audit_published_claim_trend", OUT, **FIGURES)

# %% [markdown]
# ## 4. Sensitivity: what if every grade held at least a few infants?
#
# Tables with one infant in a grade allow extreme risk differences. Requiring at least
# `SENSITIVITY_MIN_PER_GRADE` infants per grade removes them; the question is whether the range of
# p-values still spans α.

# %%
sensitivity = b12cohort.audit_published_claim(
    confidence=CONFIDENCE, scheme=SCHEME, min_per_grade=SENSITIVITY_MIN_PER_GRADE
)
rpt.save_table(
    sensitivity.drop(columns=["reading"]),
    "audit_published_claim_sensitivity",
    OUT,
    caption=f"As above, at least {SENSITIVITY_MIN_PER_GRADE} infants per grade",
)
sensitivity[["sign", "fisher_n_tables", "fisher_p_min", "fisher_p_max", "trend_p_min", "verdict"]]

# %% [markdown]
# ## 5. What one more printed line would have added
#
# Suppose the paper had also printed how many infants were in each grade. The numbers used here
# (`ILLUSTRATIVE_GRADE_COUNTS`) are the bundled reconstruction's, an illustration, not the
# paper's. The sign's infants can then be placed in fewer ways:

# %%
narrower = b12cohort.compatible_tables(
    n_with=int(detail_row["count"]),
    grade_counts=ILLUSTRATIVE_GRADE_COUNTS,
    test="fisher",
    confidence=CONFIDENCE,
)
print(
    f"{narrower.n_tables:,} compatible tables with these grade counts, "
    f"{detail.n_tables:,} without them."
)
print(narrower.reading)
narrower.summary

# %% [markdown]
# ## 6. Checking what other studies printed
#
# The same checks on the literature table of notebook 5: a printed p-value is recomputed from its
# statistic where the row gives what is needed, percentages are checked against the study's n, and
# rows with nothing to recompute say so.

# %%
literature_checks = b12cohort.recompute_published(
    b12cohort.load_literature(table="neurology_vs_hb"), confidence=CONFIDENCE
)
rpt.save_table(
    literature_checks,
    "audit_recompute_literature",
    OUT,
    caption="Printed results of the neurology-vs-Hb studies, recomputed",
)
literature_checks[["label", "check", "test", "printed", "n", "p_low", "p_high", "consistent"]]

# %%
for row in literature_checks.itertuples():
    print(f"{row.label}: {row.note}", end="\n\n")

# %%
rpt.write_summary(
    "06",
    {
        "signs_audited": len(audit),
        "untestable": [str(s) for s in audit.loc[audit["verdict"] == "untestable", "sign"]],
        "either": [str(s) for s in audit.loc[audit["verdict"] == "either", "sign"]],
        "p_min": float(audit[["fisher_p_min", "trend_p_min"]].min().min()),
        "readings": dict(zip(audit["sign"].astype(str), audit["reading"], strict=True)),
        "grim_all_possible": bool(grim["consistent"].all()),
        "literature_inconsistent": int((literature_checks["consistent"] == False).sum()),  # noqa: E712
    },
    OUT,
)
