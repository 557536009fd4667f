# Reference values for b12cohort.rank_correlation (correlation, detectable_correlation,
# power_correlation, correlation_equivalence).
#
# Needs R >= 4.2 with the Debian packages r-cran-pwr (1.3-0) and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/correlation.R [output.json]
# Default output: tests/reference/correlation.json beside this script.
#
# What is pinned, and to what:
#   * cor.test(x, y, method = "spearman" | "kendall", exact = FALSE): estimate, statistic,
#     p-value (Spearman: t approximation; Kendall: tie-corrected normal, continuity = FALSE);
#   * cor.test(..., exact = TRUE) where R's value is exact: Kendall without ties (any n here),
#     Spearman without ties for n <= 9 (AS 89 enumerates for n <= 9; for larger n it is an
#     Edgeworth series, not pinned);
#   * permutation p-values with ties (n <= 8) by full enumeration of all n! pairings,
#     written below (two-sided p = min(1, 2 * min(P(T <= t), P(T >= t))));
#   * Fisher-z intervals with the Bonett-Wright (Spearman) and Fieller (Kendall) SEs and
#     the TOST equivalence test, both as formulas evaluated here;
#   * pwr::pwr.r.test: power for given r, and the detectable r (pwr's own uniroot, whose
#     default tolerance gives ~4 digits, and the same equation solved to tol = 1e-14).
suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "correlation.json")

vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")
alts <- c("two.sided", "less", "greater")
py_alt <- function(a) if (a == "two.sided") "two-sided" else a

# ---------------------------------------------------------------- data sets
set.seed(20220801)
datasets <- list()
add <- function(id, x, y) datasets[[id]] <<- list(id = id, x = x, y = y)
for (n in c(3, 4, 5, 6, 7, 8, 9, 12, 19, 30)) {
  x <- sample(n)
  y <- rank(x + rnorm(n, sd = n / 3))
  add(sprintf("noties_n%d", n), x, y)
}
for (n in c(5, 6, 7, 8, 12, 19, 30)) {
  x <- sample(0:3, n, replace = TRUE)
  y <- round(100 - 8 * x + rnorm(n, sd = 12))
  add(sprintf("ties_n%d", n), x, y)
}
# Hb (g/L, one decimal) against a 0-6 neurological score, n = 19, many ties
hb <- round(runif(19, 55, 109), 1)
hb[c(4, 11)] <- hb[2]
score <- pmin(6, pmax(0, round(5 - (hb - 55) / 20 + rnorm(19, sd = 0.8))))
add("hb_score_n19", hb, score)
add("perfect_n6", c(1, 2, 3, 4, 5, 6), c(2, 4, 6, 8, 10, 12))
add("reverse_ties_n7", c(1, 1, 2, 3, 3, 4, 5), c(9, 9, 7, 5, 5, 2, 1))

# ---------------------------------------------------------------- helpers
all_perms <- function(n) {
  if (n == 1) return(matrix(1L, 1, 1))
  p <- all_perms(n - 1)
  do.call(rbind, lapply(seq_len(n), function(i) cbind(i, ifelse(p >= i, p + 1L, p))))
}
enumerate_p <- function(x, y, method) {
  P <- all_perms(length(x))
  stat <- function(yy) if (method == "spearman") cor(rank(x), rank(yy)) else cor(x, yy, method = "kendall")
  t0 <- stat(y)
  null <- apply(P, 1, function(pp) stat(y[pp]))
  tol <- 1e-9 * max(1, abs(t0))
  pl <- mean(null <= t0 + tol)
  pu <- mean(null >= t0 - tol)
  list(two.sided = min(1, 2 * min(pl, pu)), less = pl, greater = pu, permutations = nrow(P))
}
fisher_ci <- function(r, se, level, alt) {
  z <- atanh(r)
  switch(alt,
    two.sided = tanh(z + c(-1, 1) * qnorm((1 + level) / 2) * se),
    greater = c(tanh(z - qnorm(level) * se), 1),
    less = c(-1, tanh(z + qnorm(level) * se))
  )
}
se_of <- function(r, n, method) {
  if (method == "spearman") sqrt((1 + r^2 / 2) / (n - 3)) else sqrt(0.437 / (n - 4))
}

# ---------------------------------------------------------------- cor.test cases
cases <- list()
for (d in datasets) {
  x <- d$x; y <- d$y; n <- length(x)
  ties <- min(length(unique(x)), length(unique(y))) < n
  for (method in c("spearman", "kendall")) {
    for (alt in alts) {
      for (exact in c(FALSE, TRUE)) {
        if (exact && (ties || (method == "spearman" && n > 9))) next
        call <- sprintf("cor.test(%s, %s, method = \"%s\", exact = %s, alternative = \"%s\")",
                        vec(x), vec(y), method, exact, alt)
        ct <- suppressWarnings(cor.test(x, y, method = method, exact = exact, alternative = alt))
        cases[[length(cases) + 1]] <- list(
          id = sprintf("%s/%s/%s/%s", d$id, method, if (exact) "exact" else "asymptotic", alt),
          data = d$id, call = call, x = x, y = y, n = n, ties = ties, method = method,
          p_method = if (exact) "exact" else "asymptotic", alternative = py_alt(alt),
          estimate = unname(ct$estimate), statistic = unname(ct$statistic),
          statistic_name = names(ct$statistic), p_value = ct$p.value
        )
      }
    }
  }
}

# ---------------------------------------------------------------- permutation with ties
perm_cases <- list()
for (d in datasets) {
  x <- d$x; y <- d$y; n <- length(x)
  ties <- min(length(unique(x)), length(unique(y))) < n
  if (!ties || n > 8) next
  for (method in c("spearman", "kendall")) {
    e <- enumerate_p(x, y, method)
    for (alt in alts) {
      perm_cases[[length(perm_cases) + 1]] <- list(
        id = sprintf("%s/%s/permutation/%s", d$id, method, alt), data = d$id,
        call = sprintf("enumerate_p(%s, %s, \"%s\")$%s  # all %d pairings, see script",
                       vec(x), vec(y), method, alt, e$permutations),
        x = x, y = y, n = n, method = method, alternative = py_alt(alt),
        permutations = e$permutations, p_value = e[[alt]]
      )
    }
  }
}

# ---------------------------------------------------------------- Fisher-z CI and TOST
ci_cases <- list()
tost_cases <- list()
for (d in datasets) {
  x <- d$x; y <- d$y; n <- length(x)
  for (method in c("spearman", "kendall")) {
    if (n < (if (method == "spearman") 4 else 5)) next
    r <- if (method == "spearman") cor(rank(x), rank(y)) else cor(x, y, method = "kendall")
    se <- se_of(r, n, method)
    se_call <- if (method == "spearman") "sqrt((1 + r^2 / 2) / (n - 3))" else "sqrt(0.437 / (n - 4))"
    r_call <- if (method == "spearman") sprintf("r <- cor(rank(%s), rank(%s))", vec(x), vec(y)) else
      sprintf("r <- cor(%s, %s, method = \"kendall\")", vec(x), vec(y))
    for (level in c(0.95, 0.9)) {
      for (alt in alts) {
        if (abs(r) == 1) next
        ci <- fisher_ci(r, se, level, alt)
        ci_cases[[length(ci_cases) + 1]] <- list(
          id = sprintf("%s/%s/%s/%s", d$id, method, level, alt), data = d$id,
          call = sprintf("%s; n <- %d; se <- %s; tanh(atanh(r) -/+ qnorm(...) * se)  # level %s, %s",
                         r_call, n, se_call, level, alt),
          x = x, y = y, n = n, method = method, confidence = level, alternative = py_alt(alt),
          estimate = r, se = se, ci_low = ci[1], ci_high = ci[2]
        )
      }
    }
    if (abs(r) == 1) next
    for (bound in c(0.3, 0.5, 0.8)) {
      for (alpha in c(0.05, 0.1)) {
        z <- atanh(r); zb <- atanh(bound)
        p_lower <- pnorm((z + zb) / se, lower.tail = FALSE)
        p_upper <- pnorm((z - zb) / se)
        ci <- tanh(z + c(-1, 1) * qnorm(1 - alpha) * se)
        tost_cases[[length(tost_cases) + 1]] <- list(
          id = sprintf("%s/%s/bound%s/alpha%s", d$id, method, bound, alpha), data = d$id,
          call = sprintf(paste0("%s; n <- %d; se <- %s; z <- atanh(r); zb <- atanh(%s); ",
                                "p_lower <- pnorm((z + zb) / se, lower.tail = FALSE); ",
                                "p_upper <- pnorm((z - zb) / se); ci <- tanh(z + c(-1, 1) * qnorm(1 - %s) * se)"),
                         r_call, n, se_call, bound, alpha),
          x = x, y = y, n = n, method = method, bound = bound, alpha = alpha,
          estimate = r, se = se, p_lower = p_lower, p_upper = p_upper,
          p_value = max(p_lower, p_upper), equivalent = max(p_lower, p_upper) < alpha,
          ci_low = ci[1], ci_high = ci[2]
        )
      }
    }
  }
}

# ---------------------------------------------------------------- pwr.r.test
power_cases <- list()
for (n in c(4, 5, 10, 19, 30, 50, 100)) {
  for (alt in alts) {
    for (r in c(0.1, 0.3, 0.5, -0.4, 0.8)) {
      pw <- pwr.r.test(n = n, r = r, sig.level = 0.05, alternative = alt)$power
      power_cases[[length(power_cases) + 1]] <- list(
        id = sprintf("power/n%d/r%s/%s", n, r, alt),
        call = sprintf("pwr.r.test(n = %d, r = %s, sig.level = 0.05, alternative = \"%s\")$power", n, r, alt),
        n = n, rho = r, alpha = 0.05, alternative = py_alt(alt), power = pw
      )
    }
  }
}
detect_cases <- list()
for (n in c(5, 10, 19, 30, 50, 100)) {
  for (alt in alts) {
    for (target in c(0.8, 0.9)) {
      for (sig in c(0.05, 0.01)) {
        res <- tryCatch(pwr.r.test(n = n, power = target, sig.level = sig, alternative = alt)$r,
                        error = function(e) NA_real_)
        f <- function(r) pwr.r.test(n = n, r = r, sig.level = sig, alternative = alt)$power - target
        interval <- if (alt == "two.sided") c(1e-10, 1 - 1e-10) else c(-1 + 1e-10, 1 - 1e-10)
        precise <- tryCatch(uniroot(f, interval, tol = 1e-14)$root, error = function(e) NA_real_)
        if (is.na(precise)) next
        detect_cases[[length(detect_cases) + 1]] <- list(
          id = sprintf("detectable/n%d/power%s/alpha%s/%s", n, target, sig, alt),
          call = sprintf("pwr.r.test(n = %d, power = %s, sig.level = %s, alternative = \"%s\")$r", n, target, sig, alt),
          precise_call = sprintf(paste0("uniroot(function(r) pwr.r.test(n = %d, r = r, sig.level = %s, ",
                                        "alternative = \"%s\")$power - %s, %s, tol = 1e-14)$root"),
                                 n, sig, alt, target, vec(interval)),
          n = n, power = target, alpha = sig, alternative = py_alt(alt),
          rho_pwr = res, rho = precise
        )
      }
    }
  }
}

out <- list(
  generated_by = "tests/reference/correlation.R",
  r_version = R.version.string,
  pwr_version = as.character(packageVersion("pwr")),
  note = paste("alternative uses Python spelling ('two-sided'); Fisher-z SE: Bonett-Wright",
               "sqrt((1 + r^2/2)/(n - 3)) for Spearman, Fieller sqrt(0.437/(n - 4)) for Kendall"),
  cases = cases,
  permutation = perm_cases,
  fisher_ci = ci_cases,
  tost = tost_cases,
  power = power_cases,
  detectable = detect_cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path, useBytes = TRUE)
