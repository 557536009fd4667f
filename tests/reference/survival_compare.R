# Reference values for b12cohort.stats.survival_compare (the log-rank test).
#
# Needs R >= 4.2 with survival (recommended package) and r-cran-jsonlite.
# Usage: Rscript tests/reference/survival_compare.R [output.json]
# Every case is fit <- survival::survdiff(Surv(time, event) ~ group); pinned: fit$chisq,
# its df (length(fit$n) - 1), the p-value pchisq(fit$chisq, df, lower.tail = FALSE),
# fit$n, fit$obs, fit$exp and diag(fit$var).
suppressPackageStartupMessages({ library(jsonlite); library(survival) })
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "survival_compare.json")
vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")

set.seed(11)
data <- list(
  two_groups = list(time = c(3, 5, 7, 9, 4, 8, 12, 15), event = c(1, 1, 1, 0, 1, 0, 1, 1),
                    group = c(1, 1, 1, 1, 2, 2, 2, 2)),
  tied_times = list(time = c(2, 2, 3, 3, 3, 5, 5, 6, 7, 7, 8, 9), event = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1),
                    group = c(1, 2, 1, 2, 2, 1, 1, 2, 1, 2, 2, 1)),
  three_groups = list(time = round(rexp(45, 0.1), 1), event = rbinom(45, 1, 0.8),
                      group = rep(1:3, each = 15)),
  censored_at_event_time = list(time = c(4, 4, 6, 6, 8, 10, 4, 6, 9, 12), event = c(1, 0, 1, 0, 1, 0, 1, 1, 1, 0),
                                group = c(1, 1, 1, 1, 1, 1, 2, 2, 2, 2))
)
data$three_groups$time <- data$three_groups$time * (1 + 0.5 * (data$three_groups$group - 1))
cases <- list()
for (id in names(data)) {
  d <- data[[id]]
  fit <- survdiff(Surv(d$time, d$event) ~ d$group)
  df <- length(fit$n) - 1
  cases[[length(cases) + 1]] <- list(
    id = id, time = d$time, event = d$event, group = d$group,
    call = sprintf("survdiff(Surv(%s, %s) ~ %s)", vec(d$time), vec(d$event), vec(d$group)),
    chisq = fit$chisq, df = df, p_value = pchisq(fit$chisq, df, lower.tail = FALSE),
    n = as.numeric(fit$n), obs = as.numeric(fit$obs), exp = as.numeric(fit$exp),
    var_diag = diag(fit$var))
}
writeLines(toJSON(list(r_version = R.version.string, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
