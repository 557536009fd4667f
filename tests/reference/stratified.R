# Reference values for b12cohort.stats.stratified and stratified_rank.
#
# Needs R >= 4.2 with coin (>= 1.4), metafor and jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/stratified.R [output.json]
# Default output: tests/reference/stratified.json beside this script.
#
# Every case is a small multi-site cohort (site, score of the anaemia grade 1..3,
# outcome = a neurological sign, exposure = grade >= 2, value = Hb). Recorded beside each
# value is the R call that produced it:
#   trend   coin::independence_test(score ~ y | site, distribution = "exact") and without
#           `distribution` (asymptotic), y = factor(outcome, levels = c(TRUE, FALSE));
#   MH      mantelhaen.test(tab, exact = TRUE) and mantelhaen.test(tab, correct = TRUE),
#           tab = table(exposure (TRUE first), outcome (TRUE first), site);
#   BD      the Breslow-Day statistic by its formula (uniroot to 1e-14), over the strata
#           with four positive margins, with the Mantel-Haenszel estimate;
#   VE      van Elteren's statistic by its formula (weights 1/(n_k + 1), mid-ranks);
#   blocked coin::wilcox_test(value ~ g | site) (g = factor(by, levels = c(TRUE, FALSE))),
#           asymptotic and distribution = "exact".
# Sites with a single infant are dropped before every call (coin and mantelhaen.test
# refuse them) and sites where one group is absent before the rank tests; the dropped
# sites are listed in the case.
# correlation_pooling: metafor::rma(yi = atanh(rho), vi = 1/(n - 3), method = "REML") of
# site Spearman correlations, back-transformed with tanh.
suppressPackageStartupMessages({library(coin); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "stratified.json")

make <- function(sizes, p_event = c(0.3, 0.5, 0.7), p_grade = c(0.4, 0.35, 0.25)) {
  rows <- lapply(seq_along(sizes), function(k) {
    n <- sizes[k]
    grade <- sample(1:3, n, replace = TRUE, prob = p_grade)
    data.frame(site = sprintf("S%02d", k), score = grade,
               outcome = runif(n) < p_event[grade],
               value = round(rnorm(n, 100 - 10 * grade, 8)))
  })
  do.call(rbind, rows)
}

set.seed(2022)
datasets <- list()
datasets$three_sites <- make(c(19, 24, 31))
datasets$krasnoyarsk_like <- make(c(19, 19, 19), p_event = c(0.4, 0.6, 0.8))
datasets$ten_sites <- make(c(5, 7, 9, 6, 12, 8, 10, 5, 11, 6))
datasets$four_sites <- make(c(20, 25, 40, 15))
s1 <- make(c(14, 17)); s1 <- rbind(s1, data.frame(site = "S03", score = 2, outcome = TRUE, value = 90))
datasets$single_infant_site <- s1
s2 <- make(c(15, 21)); s2 <- rbind(s2, data.frame(site = "S03", score = c(1, 2, 3, 2, 1), outcome = FALSE, value = c(99, 88, 70, 85, 101)))
datasets$no_events_site <- s2
s3 <- make(c(16, 22)); s3 <- rbind(s3, data.frame(site = "S03", score = 1, outcome = c(TRUE, FALSE, TRUE, FALSE), value = c(98, 104, 91, 99)))
datasets$one_level_site <- s3
datasets$strong_trend <- make(c(18, 22, 20), p_event = c(0.1, 0.5, 0.95))

pick <- function(x) unname(x)
cases <- list()
for (id in names(datasets)) {
  d <- datasets[[id]]
  d$exposure <- d$score >= 2
  counts <- table(d$site)
  single <- names(counts)[counts < 2]
  u <- d[!(d$site %in% single), ]
  u$site <- factor(u$site)
  u$y <- factor(u$outcome, levels = c(TRUE, FALSE))
  case <- list(id = id, data = list(site = d$site, score = d$score, outcome = d$outcome,
                                    value = d$value), dropped_single = as.list(single))
  # --- trend
  tr <- list()
  for (alt in c("two.sided", "greater", "less")) {
    ex <- independence_test(score ~ y | site, data = u, distribution = "exact", alternative = alt)
    as <- independence_test(score ~ y | site, data = u, alternative = alt)
    tr[[alt]] <- list(
      exact_call = sprintf('independence_test(score ~ y | site, data = u, distribution = "exact", alternative = "%s")', alt),
      exact_z = pick(statistic(ex)), exact_p = pvalue(ex),
      asymptotic_call = sprintf('independence_test(score ~ y | site, data = u, alternative = "%s")', alt),
      asymptotic_z = pick(statistic(as)), asymptotic_p = pick(pvalue(as)))
  }
  case$trend <- tr
  # --- Mantel-Haenszel
  tab <- table(factor(u$exposure, levels = c(TRUE, FALSE)), factor(u$outcome, levels = c(TRUE, FALSE)), u$site)
  mh <- list()
  for (alt in c("two.sided", "greater", "less")) {
    ex <- mantelhaen.test(tab, exact = TRUE, alternative = alt)
    as <- mantelhaen.test(tab, correct = TRUE, alternative = alt)
    mh[[alt]] <- list(
      exact_call = sprintf('mantelhaen.test(tab, exact = TRUE, alternative = "%s")', alt),
      exact_p = ex$p.value, exact_statistic = pick(ex$statistic), exact_estimate = pick(ex$estimate),
      exact_ci = as.numeric(ex$conf.int),
      asymptotic_call = sprintf('mantelhaen.test(tab, correct = TRUE, alternative = "%s")', alt),
      asymptotic_p = as$p.value, asymptotic_statistic = pick(as$statistic),
      mh_estimate = pick(as$estimate), mh_ci = as.numeric(as$conf.int))
  }
  case$mh <- mh
  keep <- apply(tab, 3, function(t) all(rowSums(t) > 0) && all(colSums(t) > 0))
  bt <- tab[, , keep, drop = FALSE]
  if (dim(bt)[3] >= 2) {
    psi <- unname(mantelhaen.test(bt, correct = FALSE)$estimate)
    stat <- 0
    for (k in seq_len(dim(bt)[3])) {
      a <- bt[1, 1, k]; r1 <- sum(bt[1, , k]); c1 <- sum(bt[, 1, k]); N <- sum(bt[, , k])
      f <- function(E) E * (N - r1 - c1 + E) - psi * (r1 - E) * (c1 - E)
      E <- uniroot(f, c(max(0, r1 + c1 - N), min(r1, c1)), tol = 1e-14)$root
      V <- 1 / (1 / E + 1 / (r1 - E) + 1 / (c1 - E) + 1 / (N - r1 - c1 + E))
      stat <- stat + (a - E)^2 / V
    }
    case$breslow_day <- list(call = "sum((a - E)^2 / V) over the strata with positive margins; E solves the MH odds ratio",
                             statistic = stat, df = dim(bt)[3] - 1,
                             p = pchisq(stat, dim(bt)[3] - 1, lower.tail = FALSE))
  }
  # --- rank tests (by = outcome, value = Hb)
  both <- tapply(u$outcome, u$site, function(v) any(v) && any(!v))
  both[is.na(both)] <- FALSE
  w <- u[u$site %in% names(both)[both], ]
  w$site <- factor(w$site)
  w$g <- factor(w$outcome, levels = c(TRUE, FALSE))
  case$dropped_one_group <- as.list(setdiff(levels(u$site), levels(w$site)))
  num <- 0; den <- 0
  for (s in levels(w$site)) {
    v <- w[w$site == s, ]; r <- rank(v$value); N <- nrow(v)
    n2 <- sum(v$outcome); n1 <- N - n2
    W <- sum(r[v$outcome]); E <- n2 * (N + 1) / 2; V <- n1 * n2 / (N * (N - 1)) * sum((r - mean(r))^2)
    num <- num + (W - E) / (N + 1); den <- den + V / (N + 1)^2
  }
  z <- num / sqrt(den)
  case$van_elteren <- list(call = "sum((W_k - E_k)/(N_k + 1)) / sqrt(sum(V_k/(N_k + 1)^2)); W_k = rank sum of outcome TRUE",
                           z = z, p = 2 * pnorm(-abs(z)), p_greater = pnorm(z, lower.tail = FALSE))
  bl <- wilcox_test(value ~ g | site, data = w)
  ble <- wilcox_test(value ~ g | site, data = w, distribution = "exact")
  case$blocked <- list(call = "wilcox_test(value ~ g | site, data = w)", z = pick(statistic(bl)), p = pick(pvalue(bl)),
                       exact_call = 'wilcox_test(value ~ g | site, data = w, distribution = "exact")',
                       exact_z = pick(statistic(ble)), exact_p = pvalue(ble))
  cases[[length(cases) + 1]] <- case
}

# --- random-effects pooling of site correlations (b12cohort.multisite.pool.pool_correlation)
suppressPackageStartupMessages(library(metafor))
pooling <- list()
for (cs in list(list(id = "homogeneous", rho = c(0.12, 0.35, -0.05, 0.22), n = c(19, 40, 25, 60)),
                list(id = "heterogeneous", rho = c(-0.4, 0.6, 0.1), n = c(30, 45, 22)))) {
  fit <- rma(yi = atanh(cs$rho), vi = 1 / (cs$n - 3), method = "REML")
  pr <- predict(fit, transf = tanh)
  pooling[[length(pooling) + 1]] <- list(
    id = cs$id, call = 'rma(yi = atanh(rho), vi = 1 / (n - 3), method = "REML"); predict(fit, transf = tanh)',
    rho = cs$rho, n = cs$n, estimate = pr$pred, ci_low = pr$ci.lb, ci_high = pr$ci.ub,
    tau2 = fit$tau2, i2 = fit$I2 / 100, q = fit$QE, q_p_value = fit$QEp, p_value = fit$pval)
}

out <- list(generated_by = "tests/reference/stratified.R", r_version = R.version.string,
            coin_version = as.character(packageVersion("coin")), cases = cases,
            correlation_pooling = pooling)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_path, useBytes = TRUE)
