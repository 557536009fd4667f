# Reference values for the power of Spearman's test in b12cohort.stats.power
# (power_correlation(method = "spearman"), detectable_correlation(method = "spearman")).
#
# Needs R >= 4.2 with r-cran-jsonlite.
# Usage: Rscript tests/reference/spearman_power.R [output.json]
#
# The formula: the test rejects when |r_s| exceeds the critical value
# r_c = sqrt(t^2 / (t^2 + n - 2)) of the t approximation on n - 2 df (the cut-off of
# cor.test(method = "spearman", exact = FALSE)); under a true Spearman correlation rho_s,
# atanh(r_s) is normal with mean atanh(rho_s) and the Bonett-Wright (2000) variance
# (1 + rho_s^2 / 2) / (n - 3). Two-sided power:
#   pnorm((atanh(rho) - atanh(r_c)) / s) + pnorm((-atanh(rho) - atanh(r_c)) / s).
# "formula" cases evaluate it; "detectable" cases solve it for rho with
# uniroot(tol = 1e-14). "simulation" cases check it: bivariate normal samples whose
# population Spearman correlation is rho_s (Pearson r = 2 sin(pi rho_s / 6)), the p of
# cor.test(x, y, method = "spearman") (exact for n < 1290, no ties), B replicates from
# set.seed(20220801); the rejection rate and its Monte Carlo SE sqrt(p (1 - p) / B).
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "spearman_power.json")

power_spearman <- function(rho, n, alpha, alternative) {
  if (alternative == "less") rho <- -rho
  two <- alternative == "two-sided"
  t <- qt(1 - (if (two) alpha / 2 else alpha), n - 2)
  zc <- atanh(sqrt(t^2 / (t^2 + n - 2)))
  s <- sqrt((1 + rho^2 / 2) / (n - 3))
  z <- atanh(if (two) abs(rho) else rho)
  p <- pnorm((z - zc) / s)
  if (two) p <- p + pnorm((-z - zc) / s)
  p
}
detectable <- function(n, power, alpha, alternative) {
  side <- if (alternative == "two-sided") "two-sided" else "greater"
  r <- uniroot(function(r) power_spearman(r, n, alpha, side) - power,
               c(1e-10, 1 - 1e-10), tol = 1e-14)$root
  if (alternative == "less") -r else r
}

formula <- list()
for (n in c(5, 10, 19, 40)) for (rho in c(0.1, 0.3, 0.6, -0.5)) for (level in c(0.95, 0.99))
  for (alt in c("two-sided", "greater", "less")) {
    formula[[length(formula) + 1]] <- list(
      n = n, rho = rho, confidence = level, alternative = alt,
      call = sprintf('power_spearman(rho = %s, n = %d, alpha = %s, alternative = "%s")', rho, n, 1 - level, alt),
      power = power_spearman(rho, n, 1 - level, alt))
  }

det <- list()
for (n in c(6, 10, 19, 30, 100)) for (power in c(0.8, 0.9)) for (level in c(0.95, 0.99))
  for (alt in c("two-sided", "greater", "less")) {
    ok <- power_spearman(1 - 1e-10, n, 1 - level, if (alt == "two-sided") alt else "greater") > power
    if (!ok) next
    det[[length(det) + 1]] <- list(
      n = n, power = power, confidence = level, alternative = alt,
      call = sprintf('uniroot(function(r) power_spearman(r, %d, %s, "%s") - %s, c(1e-10, 1 - 1e-10), tol = 1e-14)$root',
                     n, 1 - level, if (alt == "two-sided") alt else "greater", power),
      rho = detectable(n, power, 1 - level, alt))
  }

simulate <- function(n, rho_s, alpha, alternative, B) {
  r <- 2 * sin(pi * rho_s / 6)
  alt <- if (alternative == "two-sided") "two.sided" else alternative
  set.seed(20220801)
  rejected <- replicate(B, {
    x <- rnorm(n)
    y <- r * x + sqrt(1 - r^2) * rnorm(n)
    cor.test(x, y, method = "spearman", alternative = alt)$p.value < alpha
  })
  p <- mean(rejected)
  list(rate = p, mc_se = sqrt(p * (1 - p) / B))
}
sims <- list()
B <- 20000
for (case in list(list(10, "two-sided"), list(19, "two-sided"), list(40, "two-sided"),
                  list(19, "greater"))) {
  n <- case[[1]]; alt <- case[[2]]
  rho <- detectable(n, 0.8, 0.05, alt)
  s <- simulate(n, rho, 0.05, alt, B)
  sims[[length(sims) + 1]] <- list(
    n = n, rho = rho, confidence = 0.95, alternative = alt, replicates = B,
    call = sprintf('mean(replicate(%d, cor.test(x, y, method = "spearman", alternative = "%s")$p.value < 0.05)), x, y bivariate normal, n = %d, Pearson r = 2 sin(pi * %.6f / 6), set.seed(20220801)',
                   B, if (alt == "two-sided") "two.sided" else alt, n, rho),
    formula_power = 0.8, simulated_power = s$rate, mc_se = s$mc_se)
}
# the power the headline quotes for |rho_s| = 0.3 at n = 19
s <- simulate(19, 0.3, 0.05, "two-sided", B)
sims[[length(sims) + 1]] <- list(
  n = 19, rho = 0.3, confidence = 0.95, alternative = "two-sided", replicates = B,
  call = sprintf('mean(replicate(%d, cor.test(x, y, method = "spearman")$p.value < 0.05)), n = 19, rho_s = 0.3, set.seed(20220801)', B),
  formula_power = power_spearman(0.3, 19, 0.05, "two-sided"), simulated_power = s$rate, mc_se = s$mc_se)

writeLines(toJSON(list(r_version = R.version.string, formula = formula, detectable = det,
                       simulation = sims), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
