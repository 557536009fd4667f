# Reference values for b12cohort.groups (compare_groups).
#
# Needs R >= 4.2 with the Debian package r-cran-jsonlite (base R otherwise).
# Usage (from the repository root):
#   Rscript tests/reference/groups.R [output.json]
# Default output: tests/reference/groups.json beside this script.
#
# Every case is wilcox.test(x, y, conf.int = TRUE, ...) with x = the SECOND group
# (True for a boolean `by`) and y = the FIRST group, so that W, the estimate and the
# interval are "second minus first", as compare_groups reports them. Pinned: statistic
# (W), p.value, estimate, conf.int, attr(conf.int, "conf.level") (lowered by R when the
# requested level is not achievable), the method string and R's warnings. Where R stops
# with an error while computing the interval (n1 = n2 = 1 under the normal approximation)
# the error and the p-value of the same call without conf.int are recorded.
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "groups.json")

vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")
py_alt <- function(a) if (a == "two.sided") "two-sided" else a

set.seed(19)
datasets <- list()
add <- function(id, x, y) datasets[[id]] <<- list(id = id, x = x, y = y)
# no ties
add("noties_1v1", 5, 3)
add("noties_1v3", 7.5, c(3.1, 9.2, 4.4))
add("noties_2v1", c(2, 6), 4)
add("noties_3v3", c(81, 95.5, 70), c(99, 102, 88))
add("noties_4v4", c(66, 59, 71, 88), c(92, 85, 78, 101))
add("noties_5v8", c(12.1, 15.3, 9.8, 20.4, 11), c(8.2, 7.7, 13.9, 6.1, 10.5, 9.1, 5.5, 14.2))
add("noties_10v9", sample(seq(55, 109, by = 0.5), 10), NULL)
datasets$noties_10v9$y <- sample(setdiff(seq(55.25, 109.25, by = 0.5), datasets$noties_10v9$x), 9)
add("noties_12v7", round(rnorm(12, 80, 12), 2), round(rnorm(7, 90, 12), 2) + 0.001)
# ties
add("ties_1v5", 4, c(2, 4, 4, 7, 9))
add("ties_3v3", c(1, 2, 2), c(2, 3, 3))
add("ties_4v5", c(10, 12, 12, 15), c(9, 10, 11, 12, 14))
add("ties_8v11", round(runif(8, 55, 90)), round(runif(11, 65, 109)))
add("ties_hb_12v7", c(78.5, 66.0, 91.2, 70.0, 70.0, 88.4, 59.9, 95.0, 101.3, 66.0, 73.7, 84.1),
    c(99.0, 104.2, 91.2, 87.5, 108.0, 70.0, 96.3))
add("ties_heavy_9v10", sample(1:4, 9, replace = TRUE), sample(2:5, 10, replace = TRUE))
add("constant_within_groups", c(5, 5, 5), c(3, 3, 4))
# large (R's rule: normal approximation when a group has >= 50)
add("large_55v60", round(rnorm(55, 85, 10), 3), round(rnorm(60, 90, 10), 3) + 0.0005)
add("large_ties_50v12", round(rnorm(50, 85, 10)), round(rnorm(12, 92, 10)))

settings <- list(
  list(exact = "NULL", correct = TRUE, level = 0.95),
  list(exact = "NULL", correct = FALSE, level = 0.95),
  list(exact = "FALSE", correct = TRUE, level = 0.95),
  list(exact = "FALSE", correct = FALSE, level = 0.9),
  list(exact = "TRUE", correct = TRUE, level = 0.8)
)

cases <- list()
for (d in datasets) {
  x <- d$x; y <- d$y
  for (s in settings) {
    for (alt in c("two.sided", "less", "greater")) {
      exact <- eval(parse(text = s$exact))
      call <- sprintf("wilcox.test(%s, %s, alternative = \"%s\", exact = %s, correct = %s, conf.int = TRUE, conf.level = %s)",
                      vec(x), vec(y), alt, s$exact, s$correct, s$level)
      warns <- character(0)
      res <- withCallingHandlers(
        tryCatch(wilcox.test(x, y, alternative = alt, exact = exact, correct = s$correct,
                             conf.int = TRUE, conf.level = s$level),
                 error = function(e) conditionMessage(e)),
        warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") }
      )
      case <- list(
        id = sprintf("%s/exact=%s/correct=%s/%s/%s", d$id, s$exact, s$correct, s$level, alt),
        data = d$id, call = call, x = x, y = y, alternative = py_alt(alt),
        exact = if (s$exact == "NULL") NULL else exact, correct = s$correct,
        confidence = s$level, warnings = as.list(warns)
      )
      if (is.character(res)) {
        # R stops while computing the interval; the test itself is still defined:
        case$error <- res
        p_only <- suppressWarnings(wilcox.test(x, y, alternative = alt, exact = exact, correct = s$correct))
        case$p_only_call <- sub(", conf.int = TRUE, conf.level = [0-9.]+", "", call)
        case$statistic <- unname(p_only$statistic)
        case$p_value <- p_only$p.value
        case$method <- p_only$method
      } else {
        case <- c(case, list(
          statistic = unname(res$statistic), p_value = res$p.value,
          estimate = unname(res$estimate), ci_low = res$conf.int[1], ci_high = res$conf.int[2],
          confidence_achieved = attr(res$conf.int, "conf.level"), method = res$method,
          hodges_lehmann = median(outer(x, y, "-"))
        ))
      }
      cases[[length(cases) + 1]] <- case
    }
  }
}

out <- list(
  generated_by = "tests/reference/groups.R",
  r_version = R.version.string,
  note = paste("x = second group (True), y = first group (False); alternative uses Python spelling;",
               "exact is omitted when R's default (NULL) was used; hodges_lehmann = median(outer(x, y, '-'))"),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_path, useBytes = TRUE)
