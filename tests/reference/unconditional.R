# Reference values for b12cohort.stats.unconditional (unconditional_exact): Boschloo's and
# Barnard's unconditional exact tests of a 2x2 table (two independent binomial samples).
#
# R's Exact package is not in Debian (apt-cache policy r-cran-exact: no candidate), so the
# p-values are computed here by brute force, written out from the definitions:
#
#   p = sup_{0 <= pi <= 1} sum_{tables X at least as extreme as the observed}
#         dbinom(x0, n0, pi) * dbinom(x1, n1, pi)
#
# over every pair (x0, x1), 0 <= x0 <= n0, 0 <= x1 <= n1 (group sizes n0, n1 fixed), where
# "at least as extreme" is ordered by
#   barnard  the pooled Wald (score) z, (x1/n1 - x0/n0) / sqrt(p (1 - p) (1/n0 + 1/n1)),
#            p = (x0 + x1) / (n0 + n1), z = 0 when x1/n1 = x0/n0;
#            greater: z >= z_obs, less: z <= z_obs, two-sided: |z| >= |z_obs|
#            (relative tolerance 1e-7 on the comparison, as R's fisher.test relErr);
#   boschloo Fisher's one-sided p-value: greater P(X1 >= x1 | x0 + x1) (phyper upper
#            tail), less P(X1 <= x1 | x0 + x1); a table is as extreme when its Fisher p
#            is <= the observed one * (1 + 1e-7); two-sided = min(1, 2 * min(less, greater))
#            (SciPy's convention).
# The supremum: p(pi) evaluated on a grid of 20,001 points of [0, 1], then each of the
# five best grid points refined with optimize() (tol 1e-13) on its neighbouring cells.
# The refined maximum is the supremum to ~1e-12 unless a peak narrower than a grid cell
# (5e-5) exists, which a polynomial of degree n0 + n1 <= 60 does not have.
#
# Needs R >= 4.2 with r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/unconditional.R [output.json]
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "unconditional.json")

# k0 events of n0 in the first (lower) group, k1 of n1 in the second (higher) group
cases <- list(
  paper_like = c(k0 = 2, n0 = 9, k1 = 6, n1 = 10),
  n3 = c(k0 = 0, n0 = 1, k1 = 2, n1 = 2),
  no_difference = c(k0 = 2, n0 = 4, k1 = 3, n1 = 6),
  all_one_level = c(k0 = 0, n0 = 5, k1 = 0, n1 = 4),
  all_events = c(k0 = 3, n0 = 3, k1 = 5, n1 = 5),
  extreme = c(k0 = 0, n0 = 7, k1 = 7, n1 = 7),
  negative = c(k0 = 8, n0 = 12, k1 = 2, n1 = 9),
  chan1998 = c(k0 = 12, n0 = 15, k1 = 7, n1 = 15),
  unequal_n40 = c(k0 = 4, n0 = 15, k1 = 14, n1 = 25)
)

stat_of <- function(method, x0, x1, n0, n1, alt) {
  if (method == "barnard") {
    p0 <- x0 / n0; p1 <- x1 / n1; p <- (x0 + x1) / (n0 + n1)
    z <- (p1 - p0) / sqrt(p * (1 - p) * (1 / n0 + 1 / n1))
    z[p1 == p0] <- 0
    return(z)
  }
  t <- x0 + x1
  if (alt == "greater") phyper(x1 - 1, n1, n0, t, lower.tail = FALSE) else phyper(x1, n1, n0, t)
}

sup_p <- function(extreme, g, n0, n1) {
  pfun <- function(pi) sum(dbinom(g$x0[extreme], n0, pi) * dbinom(g$x1[extreme], n1, pi))
  grid <- seq(0, 1, length.out = 20001)
  vals <- vapply(grid, pfun, 0.0)
  best <- max(vals)
  for (i in head(order(vals, decreasing = TRUE), 5)) {
    lo <- grid[max(1, i - 1)]; hi <- grid[min(length(grid), i + 1)]
    o <- optimize(pfun, c(lo, hi), maximum = TRUE, tol = 1e-13)
    best <- max(best, o$objective)
  }
  min(1, best)
}

one_sided <- function(method, k0, n0, k1, n1, alt) {
  g <- expand.grid(x0 = 0:n0, x1 = 0:n1)
  s <- stat_of(method, g$x0, g$x1, n0, n1, alt)
  s0 <- stat_of(method, k0, k1, n0, n1, alt)
  tol <- 1e-7 * max(1, abs(s0))
  extreme <- if (method == "barnard") {
    switch(alt, greater = s >= s0 - tol, less = s <= s0 + tol, two.sided = abs(s) >= abs(s0) - tol)
  } else {
    s <= s0 * (1 + 1e-7)
  }
  list(p = sup_p(extreme, g, n0, n1), statistic = s0)
}

records <- list()
for (id in names(cases)) {
  v <- cases[[id]]
  for (method in c("barnard", "boschloo")) {
    for (alt in c("two.sided", "less", "greater")) {
      if (method == "boschloo" && alt == "two.sided") {
        lo <- one_sided(method, v[["k0"]], v[["n0"]], v[["k1"]], v[["n1"]], "less")
        hi <- one_sided(method, v[["k0"]], v[["n0"]], v[["k1"]], v[["n1"]], "greater")
        res <- if (lo$p < hi$p) lo else hi
        res$p <- min(1, 2 * res$p)
      } else {
        res <- one_sided(method, v[["k0"]], v[["n0"]], v[["k1"]], v[["n1"]], alt)
      }
      records[[length(records) + 1]] <- list(
        case = id, k0 = v[["k0"]], n0 = v[["n0"]], k1 = v[["k1"]], n1 = v[["n1"]],
        method = method, alternative = if (alt == "two.sided") "two-sided" else alt,
        p_value = res$p, statistic = res$statistic,
        call = sprintf(
          "sup over pi of sum dbinom(x0, %d, pi) dbinom(x1, %d, pi) over tables with %s %s the observed (k0 = %d, k1 = %d); grid 20001 + optimize",
          v[["n0"]], v[["n1"]],
          if (method == "barnard") "pooled Wald z" else "Fisher one-sided p",
          alt, v[["k0"]], v[["k1"]]
        )
      )
    }
  }
}
out <- list(
  generated_by = "tests/reference/unconditional.R",
  r_version = R.version.string,
  records = records
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", length(records), "records to", out_path, "\n")
