# Reference values for b12cohort.paper.audit (compatible_tables) and
# b12cohort.paper.recompute (recompute_published).
#
# Needs R >= 4.2 with the Debian packages r-cran-coin and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/audit.R [output.json]
# Default output: tests/reference/audit.json beside this script.
#
# What is pinned, and to what:
#   * "margins": for a few published margins, R enumerates every 2 x G table independently
#     of b12cohort (grade counts given, or every composition of N into G grades with at
#     least `min_per_grade` each, then every allocation of the infants with the sign) and
#     runs on each table
#       fisher.test(matrix(c(with, without), nrow = 2, byrow = TRUE))$p.value
#     and the exact Cochran-Armitage test of coin,
#       independence_test(grp ~ y, data = d, distribution = "exact")
#     with grp the ordered grade factor (scores 1, 2, 3: coin's default for an ordered
#     factor) and y a factor with TRUE as first level (coin's Z then has b12cohort's sign).
#     Each table is stored as [events per grade..., infants per grade...] with both p-values.
#   * "recompute": published-style test results and the p-values R gives for them:
#     2 * pt(-|t|, df), pchisq(x, df, lower.tail = FALSE), 2 * pnorm(-|z|), the t of a
#     correlation r with n (t = r sqrt((n - 2) / (1 - r^2)), df = n - 2), fisher.test on a
#     2 x 2 table and wilcox's exact two-sided p from pwilcox; each also at the two ends of
#     the rounding interval of the printed statistic (statistic -/+ half a unit of its last
#     printed digit), which is what a statcheck-style check compares the printed p with.
suppressPackageStartupMessages({
  library(coin)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "audit.json")

compositions <- function(total, g, min_per) {
  if (g == 1) return(if (total >= min_per) matrix(total, 1, 1) else matrix(0L, 0, 1))
  out <- list()
  for (first in min_per:(total - min_per * (g - 1))) {
    rest <- compositions(total - first, g - 1, min_per)
    if (nrow(rest)) out[[length(out) + 1]] <- cbind(first, rest)
  }
  do.call(rbind, out)
}
allocations <- function(k, sizes) {
  if (length(sizes) == 1) return(if (k <= sizes) matrix(k, 1, 1) else matrix(0L, 0, 1))
  out <- list()
  for (first in 0:min(k, sizes[1])) {
    rest <- allocations(k - first, sizes[-1])
    if (nrow(rest)) out[[length(out) + 1]] <- cbind(first, rest)
  }
  if (!length(out)) return(matrix(0L, 0, length(sizes)))
  do.call(rbind, out)
}
trend_p <- function(x, n) {
  g <- length(n)
  d <- data.frame(
    grp = factor(rep(seq_len(g), n), levels = seq_len(g), ordered = TRUE),
    y = factor(unlist(lapply(seq_len(g), function(i) c(rep(TRUE, x[i]), rep(FALSE, n[i] - x[i])))),
               levels = c(TRUE, FALSE))
  )
  pvalue(independence_test(grp ~ y, data = d, distribution = "exact"))[1]
}
margin_case <- function(id, n_with, grade_counts = NULL, n_total = NULL, n_grades = 3,
                        min_per_grade = 1) {
  comps <- if (is.null(grade_counts)) compositions(n_total, n_grades, min_per_grade) else
    matrix(grade_counts, nrow = 1)
  tables <- list()
  for (i in seq_len(nrow(comps))) {
    n <- comps[i, ]
    al <- allocations(n_with, n)
    for (j in seq_len(nrow(al))) {
      x <- al[j, ]
      f <- fisher.test(matrix(c(x, n - x), nrow = 2, byrow = TRUE))$p.value
      tables[[length(tables) + 1]] <- c(x, n, f, trend_p(x, n))
    }
  }
  list(id = id, n_with = n_with, grade_counts = grade_counts, n_total = n_total,
       n_grades = n_grades, min_per_grade = min_per_grade,
       call = "fisher.test(matrix(c(x, n - x), nrow = 2, byrow = TRUE))$p.value; pvalue(independence_test(grp ~ y, data = d, distribution = \"exact\"))",
       columns = c(paste0("events_", seq_len(n_grades)), paste0("n_", seq_len(n_grades)),
                   "fisher_p", "trend_p"),
       tables = tables)
}

margins <- list(
  margin_case("adynamia_12_of_4_13_2", 12, grade_counts = c(4, 13, 2)),
  margin_case("hyporeflexia_8_of_6_7_6", 8, grade_counts = c(6, 7, 6)),
  margin_case("small_4_of_9_unknown", 4, n_total = 9),
  margin_case("small_3_of_8_unknown_min2", 3, n_total = 8, min_per_grade = 2),
  margin_case("two_grades_5_of_11_unknown", 5, n_total = 11, n_grades = 2),
  margin_case("movements_6_of_19_unknown", 6, n_total = 19)
)

# ------------------------------------------------------------------ recompute_published
ends <- function(stat, decimals) stat + c(-0.5, 0.5) * 10^(-decimals)
rec <- list()
add <- function(id, test, call, p, p_at_ends = NULL, ...) {
  rec[[length(rec) + 1]] <<- c(list(id = id, test = test, call = call, p = p,
                                    p_at_ends = p_at_ends), list(...))
}
t_p <- function(t, df) 2 * pt(-abs(t), df)
for (case in list(list("t_consistent", 2.20, 28, 2), list("t_inconsistent", 2.20, 28, 2),
                  list("t_decision_error", 1.80, 28, 2), list("welch_t", 2.51, 17.3, 2))) {
  add(case[[1]], "t", sprintf("2 * pt(-abs(%s), %s)", case[[2]], case[[3]]),
      t_p(case[[2]], case[[3]]), t_p(rev(ends(case[[2]], case[[4]])), case[[3]]),
      statistic = case[[2]], df = case[[3]], decimals = case[[4]])
}
for (case in list(list("chisq_consistent", 4.12, 1, 2), list("chisq_inconsistent", 4.12, 1, 2),
                  list("chisq_df3", 7.9, 3, 1))) {
  add(case[[1]], "chisq", sprintf("pchisq(%s, %s, lower.tail = FALSE)", case[[2]], case[[3]]),
      pchisq(case[[2]], case[[3]], lower.tail = FALSE),
      pchisq(rev(ends(case[[2]], case[[4]])), case[[3]], lower.tail = FALSE),
      statistic = case[[2]], df = case[[3]], decimals = case[[4]])
}
add("z_test", "z", "2 * pnorm(-abs(2.43))", 2 * pnorm(-2.43),
    2 * pnorm(-rev(ends(2.43, 2))), statistic = 2.43, decimals = 2)
r_t <- function(r, n) r * sqrt((n - 2) / (1 - r^2))
add("correlation", "r", "2 * pt(-abs(0.41 * sqrt(17 / (1 - 0.41^2))), 17)",
    t_p(r_t(0.41, 19), 17), t_p(r_t(rev(ends(0.41, 2)), 19), 17), statistic = 0.41, n = 19,
    decimals = 2)
for (case in list(list("fisher_2x2", c(8, 4, 1, 6)), list("fisher_2x2_inconsistent", c(3, 1, 1, 3)))) {
  x <- matrix(case[[2]], 2, byrow = TRUE)
  add(case[[1]], "fisher",
      sprintf("fisher.test(matrix(c(%s), 2, byrow = TRUE))$p.value", paste(case[[2]], collapse = ", ")),
      fisher.test(x)$p.value, counts = case[[2]])
}
# exact two-sided Mann-Whitney as wilcox.test(exact = TRUE) computes it from U (no ties)
mw_p <- function(u, n1, n2) {
  p <- if (u > n1 * n2 / 2) pwilcox(u - 1, n1, n2, lower.tail = FALSE) else pwilcox(u, n1, n2)
  min(2 * p, 1)
}
add("mann_whitney", "mann_whitney", "min(2 * pwilcox(12, 7, 12), 1)", mw_p(12, 7, 12),
    statistic = 12, n1 = 7, n2 = 12)

# Welch t from printed means +- SD when the group sizes are not printed: the p-value for
# every split of the n infants into groups of at least 2 (Denver-II series, n = 89)
welch_split_p <- function(m1, s1, m2, s2, n) {
  sapply(2:(n - 2), function(n1) {
    n2 <- n - n1
    v1 <- s1^2 / n1; v2 <- s2^2 / n2
    df <- (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1))
    2 * pt(-abs(m1 - m2) / sqrt(v1 + v2), df)
  })
}
denver <- welch_split_p(7.49, 3.13, 9.87, 1.77, 89)
add("welch_splits_denver", "welch_splits",
    "range(sapply(2:87, function(n1) 2 * pt(-|m1 - m2| / sqrt(v1 + v2), Welch df)))",
    NULL, range(denver), means = c(7.49, 3.13, 9.87, 1.77), n = 89)

out <- list(
  r_version = R.version.string,
  coin_version = as.character(packageVersion("coin")),
  margins = margins,
  recompute = rec
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"), out_path, useBytes = TRUE)
