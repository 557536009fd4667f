# Reference values for b12cohort.literature (pool_prevalence, compare_with_literature).
#
# Needs R >= 4.2 with the Debian packages r-cran-metafor (3.8-1) and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/literature.R [output.json]
# Default output: tests/reference/literature.json beside this script. The literature
# cases read data/literature/published_cohorts.csv (found relative to this script).
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "literature.json")
csv_path <- file.path(here, "..", "..", "data", "literature", "published_cohorts.csv")

vec <- function(v) paste0("c(", paste(v, collapse = ", "), ")")

pool_case <- function(id, xi, ni, method, measure, level = 95) {
  es <- escalc(measure = measure, xi = xi, ni = ni)
  res <- rma(yi, vi, data = es, method = method, level = level)
  if (measure == "PLO") {
    pred <- predict(res, transf = transf.ilogit)
    pred_call <- "predict(res, transf = transf.ilogit)"
  } else {
    pred <- predict(res, transf = transf.ipft.hm, targs = list(ni = ni))
    pred_call <- sprintf("predict(res, transf = transf.ipft.hm, targs = list(ni = %s))", vec(ni))
  }
  call <- sprintf(
    "es <- escalc(measure = \"%s\", xi = %s, ni = %s); res <- rma(yi, vi, data = es, method = \"%s\", level = %s); %s",
    measure, vec(xi), vec(ni), method, level, pred_call
  )
  list(
    id = id, call = call, xi = xi, ni = ni, method = method,
    transform = if (measure == "PLO") "logit" else "ft", confidence = level / 100,
    k = res$k, yi = as.numeric(es$yi), vi = as.numeric(es$vi),
    mu = as.numeric(res$b), se = res$se, tau2 = res$tau2, i2 = res$I2 / 100,
    q = res$QE, q_df = res$k - 1, q_p_value = res$QEp,
    estimate = as.numeric(pred$pred), ci_low = as.numeric(pred$ci.lb), ci_high = as.numeric(pred$ci.ub),
    pi_low = as.numeric(pred$pi.lb), pi_high = as.numeric(pred$pi.ub)
  )
}

synthetic <- list(
  mixed = list(xi = c(19, 12, 0, 5), ni = c(19, 20, 15, 30)),
  k1 = list(xi = 5, ni = 20),
  k1_all_events = list(xi = 19, ni = 19),
  k2 = list(xi = c(5, 7), ni = c(20, 22)),
  k2_heterogeneous = list(xi = c(2, 18), ni = c(30, 25)),
  all_zero = list(xi = c(0, 0, 0), ni = c(10, 20, 15)),
  all_events = list(xi = c(19, 42, 21), ni = c(19, 42, 21)),
  tau2_zero = list(xi = c(10, 10, 11), ni = c(20, 20, 21)),
  heterogeneous = list(xi = c(2, 30, 8, 40, 1), ni = c(25, 35, 40, 50, 30)),
  tiny_n = list(xi = c(1, 3, 0), ni = c(3, 3, 3))
)

cases <- list()
for (name in names(synthetic)) {
  s <- synthetic[[name]]
  for (method in c("DL", "REML")) for (measure in c("PLO", "PFT")) {
    cases[[length(cases) + 1]] <- pool_case(paste(name, method, measure, sep = "/"), s$xi, s$ni, method, measure)
  }
}
cases[[length(cases) + 1]] <- pool_case("heterogeneous/REML/PLO/90", synthetic$heterogeneous$xi,
                                        synthetic$heterogeneous$ni, "REML", "PLO", level = 90)
cases[[length(cases) + 1]] <- pool_case("mixed/DL/PFT/99", synthetic$mixed$xi, synthetic$mixed$ni,
                                        "DL", "PFT", level = 99)

# The bundled literature: comparators, not selected on the sign, grouped by sign and timing.
lit <- read.csv(csv_path, stringsAsFactors = FALSE, na.strings = "", encoding = "UTF-8")
comp <- lit[lit$role == "comparator" & lit$by_selection == "False", ]
comp$timing[is.na(comp$timing)] <- ""
groups <- unique(comp[, c("sign", "timing")])
for (g in seq_len(nrow(groups))) {
  rows <- comp[comp$sign == groups$sign[g] & comp$timing == groups$timing[g], ]
  for (method in c("DL", "REML")) for (measure in c("PLO", "PFT")) {
    id <- paste("literature", groups$sign[g], groups$timing[g], method, measure, sep = "/")
    cases[[length(cases) + 1]] <- pool_case(id, rows$events, rows$total, method, measure)
  }
}

# compare_with_literature: the Krasnoyarsk published counts against the literature.
index <- list(hypotonia = c(19, 19), adynamia = c(12, 19), developmental_delay = c(12, 19),
              hyporeflexia = c(8, 19), involuntary_movements_on_treatment = c(6, 19))
lit_key <- list(hypotonia = c("hypotonia", ""), adynamia = c("adynamia", ""),
                developmental_delay = c("developmental_delay", ""), hyporeflexia = c("hyporeflexia", ""),
                involuntary_movements_on_treatment = c("involuntary_movements", "on_treatment"))
compare <- list()
for (sign in names(index)) {
  x <- index[[sign]][1]; n <- index[[sign]][2]
  bt <- binom.test(x, n)
  key <- lit_key[[sign]]
  rows <- comp[comp$sign == key[1] & comp$timing == key[2], ]
  entry <- list(sign = sign, events = x, total = n,
                binom_call = sprintf("binom.test(%d, %d)$conf.int", x, n),
                ci_low = bt$conf.int[1], ci_high = bt$conf.int[2], k = nrow(rows),
                studies = paste(rows$study, collapse = "; "))
  if (nrow(rows) > 0) {
    p <- pool_case(paste("compare", sign, sep = "/"), rows$events, rows$total, "REML", "PLO")
    entry <- c(entry, list(pool_call = p$call, pooled_estimate = p$estimate, pooled_ci_low = p$ci_low,
                           pooled_ci_high = p$ci_high, pi_low = p$pi_low, pi_high = p$pi_high,
                           tau2 = p$tau2, i2 = p$i2, q_p_value = p$q_p_value))
  }
  compare[[length(compare) + 1]] <- entry
}

out <- list(
  generated_by = "tests/reference/literature.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  note = "i2 is metafor's I2 / 100; confidence is level / 100; predictions use metafor's default test = 'z'",
  cases = cases,
  compare = compare
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path, useBytes = TRUE)
