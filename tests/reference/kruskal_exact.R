# Reference values for b12cohort.stats._kruskal_exact: the exact permutation distribution of
# the Kruskal-Wallis H given the pooled values and the group sizes.
#
# Exact p: full enumeration in base R of every assignment of the pooled values to groups
# of the given sizes (each labelled assignment equally likely), H computed as
# kruskal.test does (mid-ranks, tie correction; checked against kruskal.test on the
# observed data), p = share of assignments with H >= observed H (relative tolerance
# 1e-9, coin's convention). Monte Carlo p: coin::kruskal_test(distribution =
# approximate(nresample = 1e5)) with a fixed seed.
#
# Needs R >= 4.2 with r-cran-coin (1.4-2) and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/kruskal_exact.R [output.json]
# Default output: tests/reference/kruskal_exact.json beside this script.
suppressPackageStartupMessages({
  library(coin)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "kruskal_exact.json")

vec <- function(v) paste0("c(", paste(v, collapse = ", "), ")")

# H for many assignments at once: `members` is a list (one entry per group) of index
# matrices, one column per assignment.
h_stat <- function(ranks, members, sizes, n) {
  s <- 0
  for (j in seq_along(members)) {
    rj <- colSums(matrix(ranks[members[[j]]], nrow = sizes[j]))
    s <- s + rj^2 / sizes[j]
  }
  ties <- table(ranks)
  correction <- 1 - sum(ties^3 - ties) / (n^3 - n)
  (12 / (n * (n + 1)) * s - 3 * (n + 1)) / correction
}

# Every assignment of 1..n to groups of the given sizes, as one index matrix per group.
assignments <- function(sizes) {
  n <- sum(sizes)
  # for all but the last two groups recurse; the last two are enumerated as matrices
  build <- function(j, left, chosen) {
    if (j == length(sizes) - 1) {
      picks <- combn(length(left), sizes[j])
      a <- matrix(left[picks], nrow = sizes[j])
      b <- apply(picks, 2, function(p) left[-p])
      b <- matrix(b, nrow = sizes[j + 1])
      res <- lapply(chosen, function(m) m[, rep(1, ncol(a)), drop = FALSE])
      res[[j]] <- a
      res[[j + 1]] <- b
      return(list(res))
    }
    picks <- combn(length(left), sizes[j])
    out <- list()
    for (c in seq_len(ncol(picks))) {
      chosen[[j]] <- matrix(left[picks[, c]], ncol = 1)
      out <- c(out, build(j + 1, left[-picks[, c]], chosen))
    }
    out
  }
  blocks <- build(1, seq_len(n), vector("list", length(sizes)))
  lapply(seq_along(sizes), function(j) do.call(cbind, lapply(blocks, `[[`, j)))
}

exact_case <- function(id, values, sizes, mc = FALSE) {
  n <- sum(sizes)
  g <- factor(rep(seq_along(sizes), sizes))
  ranks <- rank(values)
  kt <- kruskal.test(values, g)
  members <- assignments(sizes)
  h_all <- h_stat(ranks, members, sizes, n)
  h_obs <- h_stat(ranks, lapply(split(seq_len(n), g), function(i) matrix(i, ncol = 1)), sizes, n)
  stopifnot(abs(h_obs - kt$statistic) < 1e-10)
  p <- mean(h_all >= h_obs * (1 - 1e-9))
  out <- list(
    id = id, values = values, sizes = sizes,
    call = sprintf("full enumeration of %d assignments; kruskal.test(%s, factor(rep(seq_along(%s), %s)))",
                   length(h_all), vec(values), vec(sizes), vec(sizes)),
    n_assignments = length(h_all), statistic = unname(kt$statistic),
    asymptotic_p_value = kt$p.value, exact_p_value = p
  )
  if (mc) {
    set.seed(20220801)
    ct <- kruskal_test(values ~ g, data = data.frame(values = values, g = g),
                       distribution = approximate(nresample = 1e5))
    out$coin_call <- sprintf(
      "set.seed(20220801); kruskal_test(values ~ g, distribution = approximate(nresample = 1e5)) with values = %s, g = factor(rep(seq_along(%s), %s))",
      vec(values), vec(sizes), vec(sizes))
    out$coin_p_value <- as.numeric(pvalue(ct))
    out$coin_n_resamples <- 1e5
  }
  out
}

cases <- list(
  exact_case("2-4-3 no ties", c(1.2, 3.4, 2.2, 5.1, 6.3, 4.4, 7.7, 8.1, 0.5), c(2, 4, 3)),
  exact_case("2-4-3 ties", c(1, 3, 2, 3, 5, 3, 5, 6, 1), c(2, 4, 3), mc = TRUE),
  exact_case("3-3-3 heavy ties", c(0, 0, 1, 1, 1, 2, 2, 2, 2), c(3, 3, 3)),
  exact_case("2-2-3-3 four groups", c(9.1, 8.7, 7.2, 6.6, 5.0, 4.9, 8.0, 3.3, 2.1, 1.0), c(2, 2, 3, 3)),
  exact_case("2-4-13 ties", c(3, 4, 2, 3, 5, 1, 0, 2, 1, 3, 2, 0, 1, 2, 4, 1, 0, 2, 3),
             c(2, 4, 13), mc = TRUE)
)

out <- list(
  generated_by = "tests/reference/kruskal_exact.R",
  r_version = R.version.string,
  coin_version = as.character(packageVersion("coin")),
  note = "exact_p_value: share of all assignments with H >= observed H * (1 - 1e-9)",
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path, useBytes = TRUE)
