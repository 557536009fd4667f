# Reference values for b12cohort.stats.ordinal (ordinal_association).
#
# Needs R >= 4.2 with r-cran-coin and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/ordinal.R [output.json]
# Default output: tests/reference/ordinal.json beside this script.
#
# One record per pinned number: case, method, quantity, alternative, confidence, value
# and the R call (or the formula) that produced it. Sources:
#   kendall   estimate, z, asymptotic p: cor.test(x, y, method = "kendall", exact = FALSE)
#             exact p with no ties: cor.test(..., exact = TRUE)
#             interval: tau-b +- q * ASE1, ASE1 by the delta-method formula written out below
#             (Agresti 2010; SAS PROC FREQ), clipped to [-1, 1]
#   gamma     estimate and interval: the formula written out below (ASE1), clipped
#   linear-by-linear  Z and asymptotic p: coin::lbl_test(y ~ x, scores = ...) with the
#             declared level positions as scores (empty levels keep their place)
#   jonckheere JT and its tie-corrected normal z (Hollander & Wolfe 1999, eq. 6.19),
#             written out from the raw data (clinfun is not in Debian)
#   exact p (every method): full enumeration of every table with the observed margins,
#             each with its multivariate hypergeometric probability (below: enumerate())
#   monte-carlo pins: coin::lbl_test(distribution = approximate(nresample = 1e6)), seeded
suppressPackageStartupMessages({
  library(jsonlite)
  library(coin)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "ordinal.json")
vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")
py_alt <- function(a) if (a == "two.sided") "two-sided" else a
r_alt <- c("two-sided" = "two.sided", less = "less", greater = "greater")

records <- list()
rec <- function(case, method, quantity, value, call, alternative = NA, confidence = NA) {
  records[[length(records) + 1]] <<- list(
    case = case, method = method, quantity = quantity, alternative = alternative,
    confidence = confidence, value = value, call = call
  )
}

# ---------------------------------------------------------------- the cases
# x, y: 1-based level codes (or values when numeric); kx, ky: number of declared levels
# (NULL when numeric: the distinct values are the levels and the scores).
cases <- list(
  noties_n6 = list(x = c(1, 2, 3, 4, 5, 6), y = c(2, 1, 4, 3, 6, 5), kx = NULL, ky = NULL),
  ties_n8 = list(x = c(1, 1, 2, 2, 3, 3, 3, 1), y = c(1, 2, 2, 3, 3, 4, 1, 1), kx = 3, ky = 4),
  n3 = list(x = c(1, 2, 3), y = c(1, 3, 2), kx = 3, ky = 3),
  n3_ties = list(x = c(1, 1, 2), y = c(1, 2, 2), kx = 2, ky = 2),
  empty_levels = list(x = c(1, 1, 3, 4, 4, 1, 3, 4, 3), y = c(1, 2, 2, 3, 1, 1, 3, 2, 3),
                      kx = 4, ky = 3),
  negative = list(x = c(1, 1, 1, 2, 2, 2, 3, 3, 3, 3), y = c(3, 3, 2, 2, 3, 1, 1, 2, 1, 1),
                  kx = 3, ky = 3),
  numeric_scores = list(x = c(1, 1, 2, 2, 2, 3, 3, 3), y = c(0, 1.5, 1.5, 2.5, 4, 2.5, 4, 6),
                        kx = 3, ky = NULL),
  grade_signs_n19 = list(
    x = c(1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3),
    y = c(1, 2, 3, 3, 5, 1, 2, 2, 3, 4, 4, 6, 2, 3, 3, 4, 5, 6, 7), kx = 3, ky = 7),
  larger_n40 = list(x = NULL, y = NULL, kx = 4, ky = 4)
)
set.seed(20220801)
cases$larger_n40$x <- sample(1:4, 40, replace = TRUE)
cases$larger_n40$y <- pmin(4, pmax(1, cases$larger_n40$x + sample(-2:1, 40, replace = TRUE)))

# ---------------------------------------------------------------- helpers
scores_of <- function(v, k) if (is.null(k)) sort(unique(v)) else seq_len(k)
table_of <- function(d) {
  lx <- scores_of(d$x, d$kx); ly <- scores_of(d$y, d$ky)
  table(factor(d$x, levels = lx), factor(d$y, levels = ly))
}
pair_counts <- function(t) {  # A_ij (concordant with cell ij), D_ij (discordant)
  r <- nrow(t); cc <- ncol(t)
  A <- D <- matrix(0, r, cc)
  for (i in 1:r) for (j in 1:cc) for (k in 1:r) for (l in 1:cc) {
    if ((k - i) * (l - j) > 0) A[i, j] <- A[i, j] + t[k, l]
    if ((k - i) * (l - j) < 0) D[i, j] <- D[i, j] + t[k, l]
  }
  list(A = A, D = D)
}
S_of <- function(t) { pc <- pair_counts(t); (sum(t * pc$A) - sum(t * pc$D)) / 2 }
tau_b_ase1 <- function(t) {
  pc <- pair_counts(t); n <- sum(t); P <- sum(t * pc$A); Q <- sum(t * pc$D)
  wr <- n^2 - sum(rowSums(t)^2); wc <- n^2 - sum(colSums(t)^2); w <- sqrt(wr * wc)
  tau <- (P - Q) / w
  v <- outer(rowSums(t) * wc, rep(1, ncol(t))) + outer(rep(1, nrow(t)), colSums(t) * wr)
  sqrt(sum(t * (2 * w * (pc$A - pc$D) + tau * v)^2) - n^3 * tau^2 * (wr + wc)^2) / w^2
}
gamma_ase1 <- function(t) {
  pc <- pair_counts(t); P <- sum(t * pc$A); Q <- sum(t * pc$D)
  c(gamma = (P - Q) / (P + Q), ase = 4 / (P + Q)^2 * sqrt(sum(t * (Q * pc$A - P * pc$D)^2)))
}
wald <- function(est, se, level, alt) {
  if (alt == "two-sided") { q <- qnorm((1 + level) / 2); c(max(-1, est - q * se), min(1, est + q * se)) }
  else if (alt == "greater") c(max(-1, est - qnorm(level) * se), 1)
  else c(-1, min(1, est + qnorm(level) * se))
}
compositions <- function(total, bounds) {
  if (length(bounds) == 1) return(if (total <= bounds) list(total) else list())
  out <- list()
  for (k in max(0, total - sum(bounds[-1])):min(bounds[1], total))
    for (rest in compositions(total - k, bounds[-1])) out[[length(out) + 1]] <- c(k, rest)
  out
}
enumerate <- function(rs, cs) {  # every table with row sums rs and column sums cs
  out <- list()
  walk <- function(j, rem, cols) {
    if (j > length(cs)) { out[[length(out) + 1]] <<- matrix(cols, nrow = length(rs)); return(invisible()) }
    for (v in compositions(cs[j], rem)) walk(j + 1, rem - v, c(cols, v))
  }
  walk(1, rs, numeric(0))
  out
}
exact_p <- function(t, stat, centre) {  # P(T >= t), P(T <= t), P(|T - centre| >= |t - centre|)
  rs <- rowSums(t); cs <- colSums(t); n <- sum(t)
  all <- enumerate(rs, cs)
  logk <- sum(lfactorial(rs)) + sum(lfactorial(cs)) - lfactorial(n)
  pr <- sapply(all, function(m) exp(logk - sum(lfactorial(m))))
  st <- sapply(all, stat)
  obs <- stat(t); tol <- 1e-7 * max(1, abs(obs))
  c(greater = sum(pr[st >= obs - tol]), less = sum(pr[st <= obs + tol]),
    "two-sided" = sum(pr[abs(st - centre) >= abs(obs - centre) - tol]), tables = length(all))
}
jt_hollander_wolfe <- function(g, y) {  # JT with ties counted 1/2, and its null variance
  N <- length(y); JT <- 0
  for (a in seq_along(y)) for (b in seq_along(y)) if (g[a] < g[b])
    JT <- JT + (y[b] > y[a]) + 0.5 * (y[b] == y[a])
  ni <- as.numeric(table(g)); tj <- as.numeric(table(y))
  v <- (N * (N - 1) * (2 * N + 5) - sum(ni * (ni - 1) * (2 * ni + 5)) -
          sum(tj * (tj - 1) * (2 * tj + 5))) / 72 +
    sum(ni * (ni - 1) * (ni - 2)) * sum(tj * (tj - 1) * (tj - 2)) / (36 * N * (N - 1) * (N - 2)) +
    sum(ni * (ni - 1)) * sum(tj * (tj - 1)) / (8 * N * (N - 1))
  mean <- (N^2 - sum(ni^2)) / 4
  c(JT = JT, mean = mean, z = (JT - mean) / sqrt(v))
}

# ---------------------------------------------------------------- the records
for (id in names(cases)) {
  d <- cases[[id]]
  x <- d$x; y <- d$y; t <- table_of(d); tm <- unclass(t)[, , drop = FALSE]
  n_small <- length(x) <= 12
  xs <- scores_of(x, d$kx); ys <- scores_of(y, d$ky)
  # Kendall (asymptotic) and, with no ties, R's exact test
  for (alt in names(r_alt)) {
    ct <- suppressWarnings(cor.test(x, y, method = "kendall", exact = FALSE, alternative = r_alt[[alt]]))
    call <- sprintf('cor.test(%s, %s, method = "kendall", exact = FALSE, alternative = "%s")',
                    vec(x), vec(y), r_alt[[alt]])
    rec(id, "kendall", "p_asymptotic", unname(ct$p.value), call, alt)
    if (alt == "two-sided") {
      rec(id, "kendall", "estimate", unname(ct$estimate), call)
      rec(id, "kendall", "z", unname(ct$statistic), call)
    }
    if (!any(duplicated(x)) && !any(duplicated(y))) {
      ce <- cor.test(x, y, method = "kendall", exact = TRUE, alternative = r_alt[[alt]])
      rec(id, "kendall", "p_exact", ce$p.value,
          sprintf('cor.test(%s, %s, method = "kendall", exact = TRUE, alternative = "%s")',
                  vec(x), vec(y), r_alt[[alt]]), alt)
    }
  }
  tau <- suppressWarnings(unname(cor.test(x, y, method = "kendall", exact = FALSE)$estimate))
  ase_tau <- tau_b_ase1(tm); g <- gamma_ase1(tm)
  for (level in c(0.9, 0.95, 0.99)) for (alt in names(r_alt)) {
    ci <- wald(tau, ase_tau, level, alt)
    rec(id, "kendall", "ci_low", ci[1], "tau_b +- qnorm * tau_b_ase1(table) (formula above)", alt, level)
    rec(id, "kendall", "ci_high", ci[2], "tau_b +- qnorm * tau_b_ase1(table) (formula above)", alt, level)
    ci <- wald(g[["gamma"]], g[["ase"]], level, alt)
    rec(id, "gamma", "ci_low", ci[1], "gamma +- qnorm * gamma_ase1(table) (formula above)", alt, level)
    rec(id, "gamma", "ci_high", ci[2], "gamma +- qnorm * gamma_ase1(table) (formula above)", alt, level)
  }
  rec(id, "gamma", "estimate", g[["gamma"]], "(P - Q) / (P + Q), gamma_ase1(table)")
  # linear-by-linear (coin), declared level positions as scores
  df <- data.frame(x = factor(x, levels = xs, ordered = TRUE), y = factor(y, levels = ys, ordered = TRUE))
  df <- droplevels(df)
  sc <- list(x = xs[xs %in% x], y = ys[ys %in% y])
  for (alt in names(r_alt)) {
    lt <- lbl_test(y ~ x, data = df, scores = sc, alternative = r_alt[[alt]])
    call <- sprintf('coin::lbl_test(y ~ x, data = <x = %s, y = %s as ordered factors>, scores = list(x = %s, y = %s), alternative = "%s")',
                    vec(x), vec(y), vec(sc$x), vec(sc$y), r_alt[[alt]])
    rec(id, "linear-by-linear", "p_asymptotic", pvalue(lt), call, alt)
    if (alt == "two-sided") {
      rec(id, "linear-by-linear", "z", statistic(lt), call)
      rec(id, "linear-by-linear", "statistic", sum(outer(xs, ys) * tm),
          sprintf("sum(outer(%s, %s) * table(x, y))", vec(xs), vec(ys)))
    }
  }
  # Jonckheere-Terpstra (Hollander & Wolfe), x = groups
  jt <- jt_hollander_wolfe(x, y)
  rec(id, "jonckheere", "statistic", jt[["JT"]], sprintf("jt_hollander_wolfe(%s, %s)", vec(x), vec(y)))
  rec(id, "jonckheere", "z", jt[["z"]], sprintf("jt_hollander_wolfe(%s, %s)", vec(x), vec(y)))
  for (alt in names(r_alt)) {
    p <- switch(alt, greater = pnorm(jt[["z"]], lower.tail = FALSE), less = pnorm(jt[["z"]]),
                "two-sided" = min(1, 2 * pnorm(-abs(jt[["z"]]))))
    rec(id, "jonckheere", "p_asymptotic", p, "pnorm(z) of jt_hollander_wolfe", alt)
  }
  # exact p by full enumeration (small cases)
  if (n_small) {
    ex_s <- exact_p(tm, S_of, 0)
    u <- xs; v <- ys
    ex_t <- exact_p(tm, function(m) sum(outer(u, v) * m), sum(rowSums(tm) * u) * sum(colSums(tm) * v) / sum(tm))
    for (alt in names(r_alt)) {
      for (m in c("kendall", "gamma", "jonckheere"))
        rec(id, m, "p_exact", ex_s[[alt]], sprintf("enumerate(): %d tables, S = C - D", ex_s[["tables"]]), alt)
      rec(id, "linear-by-linear", "p_exact", ex_t[[alt]],
          sprintf("enumerate(): %d tables, T = sum(outer(%s, %s) * table)", ex_t[["tables"]], vec(u), vec(v)), alt)
    }
  } else {
    set.seed(1)
    mc <- lbl_test(y ~ x, data = df, scores = sc, distribution = approximate(nresample = 1e6))
    rec(id, "linear-by-linear", "p_coin_monte_carlo", pvalue(mc)[1],
        "set.seed(1); coin::lbl_test(..., distribution = approximate(nresample = 1e6))", "two-sided")
  }
}

cases_out <- lapply(names(cases), function(id) {
  d <- cases[[id]]
  list(id = id, x = d$x, y = d$y, kx = d$kx, ky = d$ky)
})
out <- list(r_version = R.version.string, coin_version = as.character(packageVersion("coin")),
            cases = cases_out, records = records)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE), out_path)
