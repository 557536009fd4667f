# Reference values for the detection threshold in the second primary row of
# association_summary (b12cohort.stats._ordinal_primary.exact_critical_correlation):
# the smallest score correlation |r| at which the exact two-sided linear-by-linear test
# gives p <= alpha, given both margins of the observed table.
#
# Written out by full enumeration: every table with the observed margins, its
# multivariate hypergeometric probability, its statistic T = sum u_i v_j n_ij, its
# two-sided p P(|T - E T| >= |t - E T|) (tolerance 1e-7, as tests/reference/ordinal.R),
# and r = (T - E T) / sqrt(SS_u SS_v / (n - 1) * (n - 1)); the threshold is the minimum
# |r| over the tables whose p <= alpha (Inf when there are none). Scores are the declared
# level positions (empty levels keep their place) or the numeric values.
#
# Needs R >= 4.2 with r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/ordinal_primary.R [output.json]
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "ordinal_primary.json")

# x: grade positions (kx declared levels), y: number of signs (numeric: its values)
cases <- list(
  example_n19 = list(  # b12cohort.load_example(): anemia_grade codes + 1, neuro_score
    x = c(3, 3, 2, 4, 3, 2, 3, 3, 3, 3, 3, 2, 4, 3, 3, 2, 3, 3, 3),
    y = c(1, 4, 1, 4, 2, 4, 5, 1, 3, 2, 3, 3, 3, 4, 1, 4, 3, 2, 3), kx = 4),
  ties_n8 = list(x = c(1, 1, 2, 2, 3, 3, 3, 1), y = c(1, 2, 2, 3, 3, 4, 1, 1), kx = 3),
  n3 = list(x = c(1, 2, 3), y = c(1, 3, 2), kx = 3),
  n6_two_grades = list(x = c(1, 1, 1, 2, 2, 2), y = c(0, 1, 1, 2, 3, 3), kx = 2),
  negative_n10 = list(x = c(1, 1, 1, 2, 2, 2, 3, 3, 3, 3), y = c(3, 3, 2, 2, 3, 1, 1, 2, 1, 1),
                      kx = 3)
)

compositions <- function(total, bounds) {
  if (length(bounds) == 1) return(if (total <= bounds) list(total) else list())
  out <- list()
  for (k in max(0, total - sum(bounds[-1])):min(bounds[1], total))
    for (rest in compositions(total - k, bounds[-1])) out[[length(out) + 1]] <- c(k, rest)
  out
}
enumerate <- function(rs, cs) {
  out <- list()
  walk <- function(j, rem, cols) {
    if (j > length(cs)) { out[[length(out) + 1]] <<- matrix(cols, nrow = length(rs)); return(invisible()) }
    for (v in compositions(cs[j], rem)) walk(j + 1, rem - v, c(cols, v))
  }
  walk(1, rs, numeric(0))
  out
}

records <- list()
for (id in names(cases)) {
  d <- cases[[id]]
  u <- seq_len(d$kx); v <- sort(unique(d$y))
  t <- table(factor(d$x, levels = u), factor(d$y, levels = v))
  keep_r <- rowSums(t) > 0
  tt <- matrix(t[keep_r, ], nrow = sum(keep_r)); uu <- u[keep_r]
  rs <- rowSums(tt); cs <- colSums(tt); n <- sum(tt)
  all <- enumerate(rs, cs)
  logk <- sum(lfactorial(rs)) + sum(lfactorial(cs)) - lfactorial(n)
  pr <- sapply(all, function(m) exp(logk - sum(lfactorial(m))))
  st <- sapply(all, function(m) sum(outer(uu, v) * m))
  et <- sum(rs * uu) * sum(cs * v) / n
  ssu <- sum(rs * (uu - sum(rs * uu) / n)^2); ssv <- sum(cs * (v - sum(cs * v) / n)^2)
  r <- (st - et) / sqrt(ssu * ssv)
  p2 <- sapply(st, function(s) sum(pr[abs(st - et) >= abs(s - et) - 1e-7 * max(1, abs(s - et))]))
  for (alpha in c(0.05, 0.1, 0.01)) {
    hit <- p2 <= alpha * (1 + 1e-7)
    crit <- if (any(hit)) min(abs(r[hit])) else Inf
    records[[length(records) + 1]] <- list(
      case = id, x = d$x, y = d$y, kx = d$kx, alpha = alpha,
      critical_r = if (is.finite(crit)) crit else "Inf", tables = length(all),
      call = "full enumeration: min |r| over tables with the observed margins whose two-sided exact p <= alpha"
    )
  }
}
out <- list(generated_by = "tests/reference/ordinal_primary.R", r_version = R.version.string,
            records = records)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", length(records), "records to", out_path, "\n")
