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
# # 1. Cleaning and validation: from a hospital export to an analysable cohort
#
# This notebook is the first step of the b12cohort report. It reproduces the data handling behind
# Taranushenko et al., *Nervous System Lesion in Infants with Vitamin B12 Deficiency Anemia*
# (EC Clinical and Medical Case Reports 5.8, 2022): 19 infants aged 3–24 months, treated in
# Krasnoyarsk in 2012–2019, all with serum B12 < 83 pg/mL.
#
# **If you run it on the bundled example, remember that those data are a reconstruction.** The
# authors never published patient-level data. The example honours every published figure and fills
# the rest with plausible, illustrative values (see `data/example/README.md`).
#
# What this notebook shows:
#
# 1. how the raw export is read without ever being changed,
# 2. the data dictionary every file is checked against,
# 3. what the cleaner changed, cell by cell (the *cleaning log*),
# 4. who was assessed, excluded and analysed (the *participant flow*, STROBE item 13).

# %% tags=["parameters"]
DATA = None  # path to your cohort (CSV, TSV or XLSX); None = the bundled reconstruction
COLUMNS = None  # JSON file mapping your column names to the schema's, or None
SCHEME = "who-2011"  # anaemia grading scheme: "who-2011" or "ru-clinical"
INVALID_ROWS = "raise"  # "raise": stop on any invalid row; "exclude": set them aside and count them
READ_OPTIONS = {}  # e.g. {"sheet": "Data", "false_values": ["-"]}
OUT = None  # output folder; None: a new temporary folder (nothing is written into notebooks/)
FIGURES = {}  # print options of rpt.save_figure, e.g. {"formats": "png,pdf,tiff", "column": "single"}

# %%
import b12cohort
from b12cohort import figures
from b12cohort import report as rpt

OUT = rpt.start_notebook(OUT)  # where tables and figures go; warnings without file paths

# %% [markdown]
# ## Reading the export
#
# `load_cohort` detects how the file is written (format, encoding such as UTF-8 or Windows-1251,
# the delimiter, a decimal comma), maps the column names, converts other units (Hb in g/dL or
# mmol/L, B12 in pmol/L) and checks every value against the data dictionary. It never writes to the
# input file.
#
# Validation is *lazy*: if anything is wrong, you get **every** problem at once, each with its row,
# file line, column, value and what to do — not just the first one. (Try it on a broken copy with
# `b12cohort validate FILE` on the command line.)

# %%
cohort = rpt.report_cohort(
    DATA, columns=COLUMNS, scheme=SCHEME, invalid_rows=INVALID_ROWS, **READ_OPTIONS
)
meta = b12cohort.load_metadata(cohort)
meta.summary

# %% [markdown]
# ## The data dictionary
#
# Every column is checked against one schema, `data/schema/cohort.schema.json` (Frictionless Table
# Schema). Its plausibility ranges catch unit mistakes early: a haemoglobin of 9.5 "g/L" is almost
# certainly 9.5 g/dL, and the error message says so.

# %%
b12cohort.load_schema().summary

# %% [markdown]
# ## What the cleaner changed
#
# Nothing is changed silently. Renamed columns, recoded spellings ("да" → yes, "муж" → M), converted
# units and dropped columns are all in the cleaning log, which the report publishes as
# `cleaning_log.csv`. Columns that look like direct identifiers (names, dates of birth, record
# numbers) are dropped before their values are even read.

# %%
rpt.save_cleaning_log(cohort, OUT)  # cleaning_log.csv: b12cohort.cleaning_log(cohort), in parts
meta.log.summary()

# %% [markdown]
# Rows set aside as invalid (only with `INVALID_ROWS = "exclude"`); each failure says what to fix:

# %%
rpt.save_csv(meta.invalid, "invalid_rows.csv", OUT)
meta.invalid

# %% [markdown]
# ## Participant flow
#
# Every input row ends up in exactly one place: invalid, excluded by the eligibility criteria (with
# the reason), or analysed. The criteria are the paper's: age 3–24 months and serum B12 below
# 83 pg/mL. Counting them explicitly is what STROBE item 13 asks for, and it is how a reader can
# judge selection.

# %%
flow = b12cohort.participant_flow(cohort)
rpt.save_csv(flow, "participant_flow.csv", OUT)
rpt.save_table(flow, "participant_flow", OUT, caption="Participant flow (STROBE item 13)")
flow

# %%
ax = figures.plot_flow(cohort)
rpt.save_figure(ax, "participant_flow", OUT, **FIGURES)

# %% [markdown]
# ## Missing values
#
# Missing values are kept as missing (never filled in). A sign that was not recorded counts as
# "not present" in `neuro_score`, and `neuro_items_missing` says how many signs were unknown, so
# you can see how much that assumption matters.

# %%
cohort.isna().sum().rename("missing").to_frame().T

# %%
rpt.write_summary(
    "01",
    {
        "n_rows": meta.n_rows,
        "n_invalid": meta.n_invalid_rows,
        "n_analysed": int(flow["n"].iloc[-1]),
        "scheme": meta.scheme,
    },
    OUT,
)
