# Reference values for b12cohort.stats.paired (compare_paired).
#
# Needs R >= 4.2 with r-cran-jsonlite. Usage (from the repository root):
#   Rscript tests/reference/paired.R [output.json]
# Every case is wilcox.test(after, before, paired = TRUE, mu = mu, exact = <NULL|FALSE>,
# correct = ..., conf.int = TRUE, conf.level = ..., alternative = ...): the differences are
# after - before. Pinned: statistic (V), p.value, estimate, conf.int, the achieved
# conf.level, the method string and R's warnings.
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "paired.json")
vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")

set.seed(17)
data <- list(
  n3 = list(before = c(70, 82, 65), after = c(75, 80, 79), mu = 0),
  noties_n8 = list(before = c(70.2, 82.5, 65.1, 90.3, 77.4, 68.8, 88.1, 72.6),
                   after = c(95.1, 101.4, 88.0, 99.2, 104.7, 67.3, 91.6, 80.5), mu = 0),
  ties_n10 = list(before = c(70, 82, 65, 90, 77, 68, 88, 72, 81, 75),
                  after = c(75, 87, 70, 88, 79, 73, 88, 77, 85, 80), mu = 0),
  zeros_mu = list(before = c(70, 82, 65, 90, 77, 68, 88), after = c(73, 85, 66, 93, 80, 75, 88), mu = 3),
  mu_noties = list(before = c(70.2, 82.5, 65.1, 90.3, 77.4, 68.8),
                   after = c(95.1, 101.4, 88.0, 99.2, 104.7, 67.3), mu = 10),
  large_n60 = list(before = round(rnorm(60, 85, 10), 2), after = NULL, mu = 0)
)
data$large_n60$after <- round(data$large_n60$before + rnorm(60, 3, 6), 2)
settings <- list(list(exact = "NULL", correct = TRUE), list(exact = "FALSE", correct = TRUE),
                 list(exact = "FALSE", correct = FALSE))
cases <- list()
for (id in names(data)) {
  d <- data[[id]]
  for (s in settings) for (level in c(0.9, 0.95, 0.99)) for (alt in c("two.sided", "less", "greater")) {
    call <- sprintf('wilcox.test(%s, %s, paired = TRUE, mu = %s, exact = %s, correct = %s, conf.int = TRUE, conf.level = %s, alternative = "%s")',
                    vec(d$after), vec(d$before), d$mu, s$exact, s$correct, level, alt)
    warns <- character(0)
    res <- withCallingHandlers(
      wilcox.test(d$after, d$before, paired = TRUE, mu = d$mu, exact = eval(parse(text = s$exact)),
                  correct = s$correct, conf.int = TRUE, conf.level = level, alternative = alt),
      warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
    cases[[length(cases) + 1]] <- list(
      id = sprintf("%s/exact=%s/correct=%s/%s/%s", id, s$exact, s$correct, level, alt),
      call = call, before = d$before, after = d$after, mu = d$mu,
      p_method = if (s$exact == "NULL") "auto" else "asymptotic", correct = s$correct,
      confidence = level, alternative = if (alt == "two.sided") "two-sided" else alt,
      statistic = unname(res$statistic), p_value = res$p.value, estimate = unname(res$estimate),
      ci_low = res$conf.int[1], ci_high = res$conf.int[2],
      confidence_achieved = attr(res$conf.int, "conf.level"), method = res$method,
      warnings = as.list(warns))
  }
}
out <- list(r_version = R.version.string, cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
