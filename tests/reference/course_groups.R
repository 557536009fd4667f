# Reference values for treatment_course(..., by=) (b12cohort.stats._course_groups):
# Kaplan-Meier curves by group, each group's median with its interval, and the log-rank
# test of one common curve.
#
#   Rscript tests/reference/course_groups.R [output.json]
#
# Needs R >= 4.2 with survival (Debian: r-cran-survival) and jsonlite. Per case and
# setting: fit <- survfit(Surv(time, status) ~ group, conf.type = ..., conf.int = ...);
# the table of summary(fit, censored = TRUE) split by stratum; summary(fit)$table per
# stratum (median and its limits, as print(fit)); survdiff(Surv(time, status) ~ group).
# status 1 = movements resolved, 0 = unresolved at the last follow-up (censored).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "course_groups.json")

cases <- list(
  example_by_grade = list(  # b12cohort.load_example(): the six infants with movements
    time = c(28, 35, 42, 21, 24, 30), status = rep(1, 6),
    group = c("moderate", "severe", "moderate", "moderate", "moderate", "moderate"),
    levels = c("none", "mild", "moderate", "severe")),
  dose_censored_ties = list(
    time = c(21, 21, 28, 28, 35, 42, 42, 14, 30, 30, 18, 25),
    status = c(1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0),
    group = c("low", "high", "low", "high", "low", "high", "low", "high", "low", "high", "mid", "mid"),
    levels = c("low", "mid", "high")),
  n3 = list(time = c(10, 20, 30), status = c(1, 1, 0), group = c("a", "b", "b"),
            levels = c("a", "b"))
)
settings <- list(
  list(conf_type = "log", confidence = 0.95),
  list(conf_type = "log-log", confidence = 0.9),
  list(conf_type = "plain", confidence = 0.99)
)

records <- list()
for (id in names(cases)) {
  d <- cases[[id]]
  g <- factor(d$group, levels = d$levels)
  for (s in settings) {
    fit <- survfit(Surv(d$time, d$status) ~ g, conf.type = s$conf_type, conf.int = s$confidence)
    sm <- summary(fit, censored = TRUE)
    stratum <- sub("^g=", "", as.character(sm$strata))
    tab <- summary(fit)$table
    med_names <- paste0(s$confidence, c("LCL", "UCL"))
    present <- sub("^g=", "", rownames(tab))
    medians <- lapply(seq_along(present), function(i) list(
      group = present[i], median = unname(tab[i, "median"]),
      median_ci_low = unname(tab[i, med_names[1]]), median_ci_high = unname(tab[i, med_names[2]])))
    sd <- survdiff(Surv(d$time, d$status) ~ g)
    records[[length(records) + 1]] <- list(
      case = id, time = d$time, status = d$status, group = d$group, levels = d$levels,
      conf_type = s$conf_type, confidence = s$confidence,
      call = sprintf("survfit(Surv(time, status) ~ group, conf.type = '%s', conf.int = %s)",
                     s$conf_type, s$confidence),
      table = list(group = stratum, time = sm$time, n_risk = sm$n.risk, n_event = sm$n.event,
                   n_censor = sm$n.censor, survival = sm$surv, std_err = sm$std.err,
                   ci_low = sm$lower, ci_high = sm$upper),
      medians = medians,
      logrank = list(statistic = sd$chisq, df = length(sd$n) - 1,
                     p_value = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE),
                     call = "survdiff(Surv(time, status) ~ group)")
    )
  }
}
out <- list(generated_by = "tests/reference/course_groups.R", r_version = R.version.string,
            survival_version = as.character(packageVersion("survival")), records = records)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), out_path)
cat("wrote", length(records), "records to", out_path, "\n")
