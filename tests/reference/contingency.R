# Reference values for b12cohort.contingency (fisher_exact_table, fisher_exact, trend_test).
#
# Needs R >= 4.2 with the Debian packages r-cran-coin (1.4-2; pulls in r-cran-survival etc.)
# and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/contingency.R [output.json]
# Default output: tests/reference/contingency.json beside this script.
#
# What is pinned, and to what:
#   * fisher.test(x, alternative, conf.level[, workspace]): p-value for every table; for
#     2 x 2 tables also the conditional MLE odds ratio ($estimate) and its exact conditional
#     interval ($conf.int). Tables other than 2 x 2 go through FEXACT; when the default
#     workspace (2e5) is too small the script retries with 2e6, 2e7, 2e8 and records the
#     value used in the call. Cases where R stops with an error record the message.
#   * prop.trend.test(x, n, score): Cochran-Armitage chi-squared (1 df) and p-value.
#   * coin::independence_test(grp ~ y, distribution = "exact", scores = list(grp = s)):
#     the exact conditional Cochran-Armitage test, with the binary outcome as a factor
#     whose first level is TRUE (coin's two-sample grouping) and the ordered factor of
#     levels scored by s (coin's response). Records the standardised statistic Z and the
#     p-value for each alternative.
# Every case carries the exact R call (evaluated from that string) beside the values.
suppressPackageStartupMessages({
  library(coin)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "contingency.json")

num <- function(v) format(v, digits = 15, trim = TRUE)
vec <- function(v) paste0("c(", paste(num(v), collapse = ", "), ")")
strvec <- function(v) paste0("c(", paste0("\"", v, "\"", collapse = ", "), ")")
mat <- function(x) sprintf("matrix(%s, nrow = %d, byrow = TRUE)", vec(as.vector(t(x))), nrow(x))
py_alt <- function(a) if (a == "two.sided") "two-sided" else a
fin <- function(v) lapply(v, function(z) if (is.finite(z)) z else if (z > 0) "Inf" else "-Inf")

# ---------------------------------------------------------------- Fisher
fisher_cases <- list()
add_fisher <- function(id, x, alternative = "two.sided", conf.level = 0.95, note = "") {
  x <- as.matrix(x)
  storage.mode(x) <- "integer"
  workspaces <- c(2e5, 2e6, 2e7, 2e8)
  for (ws in workspaces) {
    call <- sprintf("fisher.test(%s, alternative = \"%s\", conf.level = %s%s)",
                    mat(x), alternative, num(conf.level),
                    if (ws != 2e5) sprintf(", workspace = %s", format(ws, scientific = FALSE)) else "")
    res <- tryCatch(eval(parse(text = call)), error = function(e) e)
    if (!inherits(res, "error") || !grepl("FEXACT|LDKEY|LDSTP|workspace", conditionMessage(res))) break
  }
  entry <- list(id = id, call = call, table = lapply(seq_len(nrow(x)), function(i) x[i, ]),
                alternative = py_alt(alternative), confidence = conf.level, note = note)
  if (inherits(res, "error")) {
    entry$r_error <- conditionMessage(res)
  } else {
    entry$p_value <- res$p.value
    if (!is.null(res$estimate)) {
      entry$estimate <- fin(unname(res$estimate))[[1]]
      entry$conf_int <- fin(as.numeric(res$conf.int))
    }
  }
  fisher_cases[[length(fisher_cases) + 1]] <<- entry
}
m2 <- function(...) matrix(c(...), nrow = 2, byrow = TRUE)

# 2 x 2, every alternative
for (a in c("two.sided", "less", "greater")) {
  add_fisher(sprintf("2x2_3113_%s", py_alt(a)), m2(3, 1, 1, 3), a)
  add_fisher(sprintf("2x2_7237_%s", py_alt(a)), m2(7, 2, 3, 7), a)
  add_fisher(sprintf("2x2_zero_cell_%s", py_alt(a)), m2(0, 5, 4, 2), a)
  add_fisher(sprintf("2x2_two_zeros_%s", py_alt(a)), m2(10, 0, 0, 10), a)
  add_fisher(sprintf("2x2_zero_corner_%s", py_alt(a)), m2(12, 5, 3, 0), a)
  add_fisher(sprintf("2x2_hyporeflexia_im_n19_%s", py_alt(a)), m2(4, 4, 2, 9), a,
             note = "hyporeflexia (rows yes/no) x involuntary movements (cols yes/no), 19 infants")
  add_fisher(sprintf("2x2_large_%s", py_alt(a)), m2(120, 80, 95, 105), a)
  add_fisher(sprintf("2x2_rare_%s", py_alt(a)), m2(40, 460, 20, 480), a)
  add_fisher(sprintf("2x2_n3_%s", py_alt(a)), m2(1, 0, 1, 1), a, note = "n = 3")
}
add_fisher("2x2_ones", m2(1, 1, 1, 1))
add_fisher("2x2_conf90", m2(7, 2, 3, 7), conf.level = 0.90)
add_fisher("2x2_conf99_greater", m2(7, 2, 3, 7), "greater", conf.level = 0.99)
add_fisher("2x2_ties_2332", m2(2, 3, 3, 2), note = "symmetric margins: tables tie in probability")
add_fisher("2x2_ties_5555", m2(5, 5, 5, 5), note = "symmetric margins: tables tie in probability")
add_fisher("2x2_ties_1441", m2(1, 4, 4, 1), note = "symmetric margins: tables tie in probability")
add_fisher("2x2_empty_row", m2(0, 0, 3, 4), note = "R keeps the empty row: p = 1, estimate 0")
add_fisher("2x2_empty_column", m2(3, 0, 5, 0), note = "R keeps the empty column: p = 1")

# R x C
add_fisher("2x3_n19", m2(2, 3, 1, 5, 0, 8))
add_fisher("2x3_sign_by_grade_n19", m2(3, 4, 5, 2, 1, 4),
           note = "sign present/absent x anaemia grade mild/moderate/severe, 19 infants")
add_fisher("2x3_im_by_grade_n19", m2(1, 2, 3, 4, 5, 4),
           note = "involuntary movements yes/no x mild/moderate/severe, 19 infants")
add_fisher("2x3_n3", m2(1, 0, 0, 0, 1, 1), note = "n = 3")
add_fisher("2x3_ties", m2(1, 2, 3, 3, 2, 1), note = "mirror-image tables tie in probability")
add_fisher("2x3_ties_flat", m2(2, 2, 2, 2, 2, 2), note = "many tables tie in probability")
add_fisher("3x3_a", matrix(c(3, 1, 0, 2, 4, 1, 0, 2, 5), 3, byrow = TRUE))
add_fisher("3x3_b", matrix(c(5, 2, 1, 3, 3, 3, 1, 2, 6), 3, byrow = TRUE))
add_fisher("3x3_diagonal_ties", diag(3, 3), note = "permutation-symmetric: ties")
add_fisher("2x4_n19", m2(2, 3, 4, 1, 3, 2, 1, 3))
add_fisher("2x4_ties", m2(1, 1, 1, 1, 1, 1, 1, 1), note = "all tables with these margins tie in pairs")
add_fisher("2x4_n100", m2(12, 14, 11, 13, 13, 12, 15, 10))
add_fisher("2x4_n500", m2(60, 70, 55, 65, 65, 60, 75, 50))
add_fisher("2x4_n500_extreme", m2(80, 70, 55, 45, 45, 60, 75, 70))
add_fisher("2x4_n2000", m2(240, 270, 230, 260, 255, 250, 265, 230))
add_fisher("2x4_n2000_extreme", m2(300, 270, 230, 200, 195, 250, 265, 290))
add_fisher("3x4_a", matrix(c(4, 2, 0, 1, 2, 3, 3, 0, 1, 0, 4, 5), 3, byrow = TRUE))
add_fisher("3x4_n100", matrix(c(10, 8, 9, 6, 7, 9, 8, 10, 12, 7, 6, 8), 3, byrow = TRUE))
add_fisher("4x2_rows_gt_cols", matrix(c(3, 1, 2, 4, 0, 5, 6, 2), 4, byrow = TRUE))
add_fisher("4x2_ties", matrix(c(2, 1, 1, 2, 2, 1, 1, 2), 4, byrow = TRUE), note = "ties")
add_fisher("4x5_sparse", matrix(c(3, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, 1, 0, 0, 3, 2),
                                4, byrow = TRUE), note = "many zeros")
add_fisher("3x6_sparse", matrix(c(0, 1, 0, 3, 0, 0, 2, 0, 0, 0, 1, 4, 0, 0, 5, 1, 0, 0),
                                3, byrow = TRUE), note = "many zeros")
add_fisher("2x7_n60", m2(5, 3, 6, 2, 4, 7, 3, 4, 6, 2, 7, 5, 3, 3))
add_fisher("3x5_n60", matrix(c(5, 3, 4, 2, 6, 4, 5, 3, 6, 2, 3, 4, 5, 4, 4), 3, byrow = TRUE))
add_fisher("5x5_n40", matrix(c(2, 1, 0, 3, 1, 1, 2, 2, 0, 1, 0, 3, 1, 2, 2, 3, 0, 2, 1, 2, 1, 2, 3, 1, 0),
                             5, byrow = TRUE))
add_fisher("4x4_n100", matrix(c(8, 5, 7, 6, 4, 9, 6, 7, 7, 6, 5, 8, 5, 7, 6, 4), 4, byrow = TRUE))
add_fisher("4x7_n100_workspace", matrix(c(5, 2, 3, 3, 7, 4, 2, 6, 4, 0, 1, 5, 7, 4, 2, 1, 2, 4,
                                          3, 2, 5, 3, 1, 4, 5, 4, 7, 4), 4, byrow = TRUE),
           note = "FEXACT needs more than the default workspace")
add_fisher("3x3_empty_row", matrix(c(2, 3, 1, 0, 0, 0, 5, 0, 8), 3, byrow = TRUE),
           note = "R keeps the empty row (FEXACT); same p as without it")
add_fisher("2x4_empty_column", m2(2, 0, 3, 1, 4, 0, 1, 5),
           note = "R keeps the empty column (FEXACT); same p as without it")
add_fisher("1x3_one_row", matrix(c(3, 4, 5), 1), note = "R refuses a table with one row")
add_fisher("3x3_collapses_to_column", matrix(c(0, 4, 0, 0, 2, 0, 0, 3, 0), 3, byrow = TRUE),
           note = "only one non-empty column")

# ---------------------------------------------------------------- Cochran-Armitage
trend_cases <- list()
add_trend <- function(id, levels, x, n, scores = NULL, note = "") {
  s <- if (is.null(scores)) seq_along(levels) else scores
  call_a <- sprintf("prop.trend.test(%s, %s, score = %s)", vec(x), vec(n), vec(s))
  # (prop.trend.test warns "essentially perfect fit" when the proportions are exactly
  # linear in the scores; the statistic is still right)
  a <- suppressWarnings(eval(parse(text = call_a)))
  data_call <- sprintf(paste0(
    "d <- data.frame(grp = factor(rep(%s, %s), levels = %s, ordered = TRUE), ",
    "y = factor(rep(rep(c(TRUE, FALSE), %d), %s), levels = c(TRUE, FALSE)))"),
    strvec(levels), vec(n), strvec(levels), length(levels), vec(as.vector(rbind(x, n - x))))
  exact <- list()
  for (alt in c("two.sided", "less", "greater")) {
    call_e <- sprintf("%s; independence_test(grp ~ y, data = d, distribution = \"exact\", scores = list(grp = %s), alternative = \"%s\")",
                      data_call, vec(s), alt)
    e <- eval(parse(text = call_e))
    exact[[py_alt(alt)]] <- list(call = call_e, z = unname(statistic(e)), p_value = pvalue(e)[1])
  }
  trend_cases[[length(trend_cases) + 1]] <<- list(
    id = id, levels = levels, events = x, n = n, scores = if (is.null(scores)) NULL else scores,
    scores_used = s, note = note,
    asymptotic = list(call = call_a, statistic = unname(a$statistic), p_value = a$p.value),
    exact = exact)
}
add_trend("monotone_n19", c("mild", "moderate", "severe"), c(1, 3, 5), c(5, 6, 8))
add_trend("monotone_custom_scores", c("mild", "moderate", "severe"), c(1, 3, 5), c(5, 6, 8),
          scores = c(0, 1, 3))
add_trend("decreasing_n19", c("mild", "moderate", "severe"), c(4, 3, 1), c(5, 6, 8))
add_trend("non_monotone_n19", c("mild", "moderate", "severe"), c(1, 6, 2), c(5, 7, 7),
          note = "inverted U: no linear trend")
add_trend("doc_example_n9", c("mild", "moderate", "severe"), c(1, 3, 2), c(3, 3, 3))
add_trend("small_n4", c("a", "b"), c(0, 2), c(2, 2), note = "n = 4, two levels")
add_trend("small_n5_three_levels", c("a", "b", "c"), c(0, 1, 2), c(2, 1, 2))
add_trend("four_levels_n40", c("none", "mild", "moderate", "severe"), c(2, 4, 6, 8), c(10, 10, 10, 10))
add_trend("four_levels_real_scores", c("none", "mild", "moderate", "severe"), c(2, 4, 6, 8),
          c(10, 10, 10, 10), scores = c(0, 1.3, 2.2360679774997898, 4.75),
          note = "real-valued scores (coin's split-up algorithm)")
add_trend("non_monotone_scores", c("l1", "l2", "l3", "l4"), c(3, 1, 4, 2), c(6, 5, 7, 4),
          scores = c(2, 1, 4, 3))
add_trend("unbalanced_n60", c("g1", "g2", "g3", "g4", "g5"), c(1, 2, 5, 4, 9), c(5, 10, 20, 10, 15))
add_trend("null_exact_centre", c("a", "b", "c"), c(1, 2, 1), c(2, 4, 2), note = "z = 0")
add_trend("larger_n200", c("g1", "g2", "g3", "g4"), c(10, 15, 18, 25), c(50, 50, 50, 50))
# n = 1000: large enough that the exact test prunes negligible states and sums hypergeometric
# tails only as far as they matter (b12cohort._trend); coin's shift algorithm still copes
# here (it overflows from n ~ 3000, and real-valued scores exhaust its memory at n = 1000)
add_trend("grades_n1000", c("mild", "moderate", "severe"), c(90, 480, 60), c(150, 770, 80),
          note = "the paper's three grades, n = 1000")
add_trend("grades_n1000_small_p", c("mild", "moderate", "severe"), c(60, 480, 70), c(150, 770, 80),
          note = "p ~ 3e-13: relative accuracy of a small p-value")
add_trend("four_levels_n1000", c("g1", "g2", "g3", "g4"), c(60, 75, 80, 100), c(250, 250, 250, 250))

out <- list(
  r_version = R.version.string,
  coin_version = as.character(packageVersion("coin")),
  fisher = fisher_cases,
  trend = trend_cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_path,
           useBytes = TRUE)
