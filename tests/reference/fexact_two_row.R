# Reference values for the two-row fast path of b12cohort.stats._fexact (_fexact_fast):
# exact Fisher-Freeman-Halton p-values of 2 x C tables too large for R fisher.test's
# default workspace, by full enumeration in base R.
#
# Every table with the observed margins is enumerated (the top row, x_1 .. x_{C-1}, the
# last cell determined; vectorised with outer()), its probability computed from lchoose
# (prod_j choose(c_j, x_j) / choose(N, r_1)), and p = sum of the probabilities of the
# tables with log P <= log P(observed) + 3.45254e-7 (FEXACT's tolerance, as
# fisher.test). Small tables are also run through fisher.test itself as a check of the
# enumeration.
#
# Needs R >= 4.2 with r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/fexact_two_row.R [output.json]
# Default output: tests/reference/fexact_two_row.json beside this script.
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "fexact_two_row.json")

TOL <- 3.45254e-7

enumerate_p <- function(top, bottom) {
  cols <- top + bottom
  r1 <- sum(top)
  n <- sum(cols)
  logp_obs <- sum(lchoose(cols, top)) - lchoose(n, r1)
  # partial sums over the first C - 1 columns: (value, top count) pairs
  vals <- 0
  used <- 0
  for (j in seq_len(length(cols) - 1)) {
    y <- 0:cols[j]
    v <- outer(vals, lchoose(cols[j], y), "+")
    u <- outer(used, y, "+")
    keep <- u <= r1
    vals <- v[keep]
    used <- u[keep]
  }
  last <- r1 - used
  ok <- last >= 0 & last <= cols[length(cols)]
  logp <- vals[ok] + lchoose(cols[length(cols)], last[ok]) - lchoose(n, r1)
  sum(exp(logp[logp <= logp_obs + TOL]))
}

cases <- list(
  list(name = "2x3 N=60", top = c(3, 10, 12), bottom = c(9, 11, 15), fisher = TRUE),
  list(name = "2x3 N=300", top = c(20, 60, 45), bottom = c(40, 70, 65), fisher = TRUE),
  list(name = "2x4 N=200", top = c(5, 20, 30, 25), bottom = c(15, 30, 40, 35), fisher = TRUE),
  list(name = "2x3 N=3000", top = c(150, 700, 210), bottom = c(330, 1400, 210), fisher = FALSE),
  list(name = "2x3 N=6000 small p", top = c(300, 1300, 450), bottom = c(700, 2800, 450),
       fisher = FALSE),
  list(name = "2x4 N=800", top = c(30, 80, 120, 75), bottom = c(50, 120, 200, 125),
       fisher = FALSE)
)

out <- list()
for (case in cases) {
  p <- enumerate_p(case$top, case$bottom)
  row <- list(name = case$name, table = list(case$top, case$bottom), p_value = p,
              call = "full enumeration (see the header)")
  if (case$fisher) {
    row$fisher_test <- fisher.test(rbind(case$top, case$bottom))$p.value
  }
  out[[length(out) + 1]] <- row
}
result <- list(r_version = R.version.string, cases = out)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
