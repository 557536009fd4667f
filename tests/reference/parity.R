# Reference values for the R-parity options: Pearson's cor.test, fisher.test(or = ) on
# 2x2 tables, binom.test(p = ) and Blaker's test and interval (written out below).
#
# Needs R >= 4.2 with r-cran-jsonlite. Usage: Rscript tests/reference/parity.R [output.json]
# Each record carries its R call.
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "parity.json")
vec <- function(v) paste0("c(", paste(format(v, digits = 15, trim = TRUE), collapse = ", "), ")")
alts <- c("two.sided", "less", "greater")
py <- function(a) if (a == "two.sided") "two-sided" else a

set.seed(5)
pear_data <- list(
  n3 = list(x = c(1, 2, 4), y = c(2, 1, 5)),
  n4 = list(x = c(1, 2, 3, 4), y = c(1.5, 1, 3.5, 3)),
  ties_n10 = list(x = c(1, 1, 2, 2, 3, 3, 4, 4, 5, 5), y = c(2, 3, 2, 4, 5, 3, 6, 5, 7, 9)),
  negative_n19 = list(x = round(rnorm(19, 85, 12), 1), y = NULL)
)
pear_data$negative_n19$y <- round(-0.05 * pear_data$negative_n19$x + rnorm(19, 0, 0.8), 2)
pearson <- list()
for (id in names(pear_data)) for (a in alts) for (level in c(0.9, 0.95, 0.99)) {
  d <- pear_data[[id]]
  ct <- cor.test(d$x, d$y, method = "pearson", alternative = a, conf.level = level)
  pearson[[length(pearson) + 1]] <- list(
    id = id, x = d$x, y = d$y, alternative = py(a), confidence = level,
    call = sprintf('cor.test(%s, %s, method = "pearson", alternative = "%s", conf.level = %s)', vec(d$x), vec(d$y), a, level),
    estimate = unname(ct$estimate), statistic = unname(ct$statistic), df = unname(ct$parameter),
    p_value = ct$p.value,
    ci_low = if (is.null(ct$conf.int)) NA else ct$conf.int[1],
    ci_high = if (is.null(ct$conf.int)) NA else ct$conf.int[2])
}
tables <- list(paper = matrix(c(6, 0, 7, 6), 2), balanced = matrix(c(5, 3, 2, 6), 2),
               zero_cell = matrix(c(0, 4, 5, 3), 2), larger = matrix(c(25, 12, 14, 30), 2))
fisher <- list()
for (id in names(tables)) for (or0 in c(0.5, 1, 2.5, 10)) for (a in alts) {
  x <- tables[[id]]
  fisher[[length(fisher) + 1]] <- list(
    id = id, table = x, odds_ratio_null = or0, alternative = py(a),
    call = sprintf('fisher.test(matrix(%s, 2), or = %s, alternative = "%s")', vec(as.vector(x)), or0, a),
    p_value = fisher.test(x, or = or0, alternative = a)$p.value)
}
binom <- list()
for (kn in list(c(12, 19), c(19, 19), c(0, 19), c(8, 19), c(3, 40))) for (p0 in c(0.1, 0.3, 0.5, 0.9)) for (a in alts) {
  binom[[length(binom) + 1]] <- list(
    k = kn[1], n = kn[2], null = p0, alternative = py(a),
    call = sprintf('binom.test(%d, %d, p = %s, alternative = "%s")', kn[1], kn[2], p0, a),
    p_value = binom.test(kn[1], kn[2], p = p0, alternative = a)$p.value)
}
out <- list(r_version = R.version.string, pearson = pearson, fisher = fisher, binom = binom)

# ---- Blaker (2000): acceptability and interval, written out from the definition.
# gamma(p0) = P_p0(min(F(X), S(X)) <= min(F(k), S(k)) * (1 + 1e-7)); the interval is
# {p0 : gamma(p0) > alpha}, its limits found on a 1e-4 grid and refined by uniroot on the
# jump (tol = 1e-13).
blaker_gamma <- function(k, n, p0) {
  x <- 0:n; pmf <- dbinom(x, n, p0)
  tails <- pmin(pbinom(x, n, p0), pbinom(x - 1, n, p0, lower.tail = FALSE))
  min(1, sum(pmf[tails <= tails[k + 1] * (1 + 1e-7)]))
}
blaker_ci <- function(k, n, level) {
  alpha <- 1 - level; grid <- seq(0, 1, by = 1e-4)
  ok <- sapply(grid, function(p) blaker_gamma(k, n, p) > alpha)
  f <- function(p) (blaker_gamma(k, n, p) > alpha) - 0.5
  first <- which(ok)[1]; last <- tail(which(ok), 1)
  lo <- if (first == 1) 0 else uniroot(f, c(grid[first - 1], grid[first]), tol = 1e-13)$root
  hi <- if (last == length(grid)) 1 else uniroot(f, c(grid[last], grid[last + 1]), tol = 1e-13)$root
  c(lo, hi)
}
blaker <- list()
for (kn in list(c(12, 19), c(19, 19), c(0, 19), c(8, 19), c(6, 19), c(3, 40), c(1, 3))) {
  for (level in c(0.9, 0.95, 0.99)) {
    ci <- blaker_ci(kn[1], kn[2], level)
    blaker[[length(blaker) + 1]] <- list(k = kn[1], n = kn[2], confidence = level,
      call = sprintf("blaker_ci(%d, %d, %s) (definition above)", kn[1], kn[2], level),
      ci_low = ci[1], ci_high = ci[2],
      cp = unname(binom.test(kn[1], kn[2], conf.level = level)$conf.int[1:2]))
  }
  for (p0 in c(0.1, 0.3, 0.5, 0.9))
    blaker[[length(blaker) + 1]] <- list(k = kn[1], n = kn[2], null = p0,
      call = sprintf("blaker_gamma(%d, %d, %s)", kn[1], kn[2], p0), p_value = blaker_gamma(kn[1], kn[2], p0))
}
out$blaker <- blaker

# ---- compare_groups(mu = ): wilcox.test(x = second, y = first, mu = mu, conf.int = TRUE)
groups <- list()
gdata <- list(noties = list(first = c(66, 59, 71, 88), second = c(92, 85, 78, 101, 95.5)),
              ties = list(first = c(10, 12, 12, 15, 9), second = c(14, 15, 17, 17, 20, 12)))
for (id in names(gdata)) for (mu in c(-3, 2.5, 10)) for (a in alts) for (ex in c("NULL", "FALSE")) {
  g <- gdata[[id]]
  warns <- character(0)
  res <- withCallingHandlers(
    wilcox.test(g$second, g$first, mu = mu, alternative = a, exact = eval(parse(text = ex)), conf.int = TRUE),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  groups[[length(groups) + 1]] <- list(
    id = id, first = g$first, second = g$second, mu = mu, alternative = py(a),
    p_method = if (ex == "NULL") "auto" else "asymptotic",
    call = sprintf('wilcox.test(%s, %s, mu = %s, alternative = "%s", exact = %s, conf.int = TRUE)', vec(g$second), vec(g$first), mu, a, ex),
    statistic = unname(res$statistic), p_value = res$p.value, estimate = unname(res$estimate),
    ci_low = res$conf.int[1], ci_high = res$conf.int[2], method = res$method)
}
out$groups <- groups

# ---- logistic(ci_method = "profile"): profile-likelihood limits found exactly (uniroot on
# glm refits with the coefficient as an offset, tol 1e-12), likelihood-ratio p-values
# (drop1(fit, test = "LRT"), and for the intercept the LR test of the refit with offset
# 0), and MASS's interpolated confint(fit) for comparison.
set.seed(3)
hb <- round(rnorm(40, 85, 12), 1); male <- rbinom(40, 1, 0.5)
yy <- rbinom(40, 1, plogis(-4 + 0.05 * hb + 0.5 * male))
d19 <- data.frame(y = c(1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0),
                  hb = c(78.5, 66.0, 91.2, 70.0, 70.5, 88.4, 59.9, 95.0, 101.3, 66.2, 73.7, 84.1,
                         99.0, 104.2, 91.7, 87.5, 108.0, 71.0, 96.3))
prof_cases <- list(two = list(data = data.frame(y = yy, hb = hb, male = male), preds = c("hb", "male")),
                   cohort19 = list(data = d19, preds = "hb"))
logit <- list()
for (id in names(prof_cases)) for (level in c(0.9, 0.95, 0.99)) {
  cs <- prof_cases[[id]]; d <- cs$data
  f <- as.formula(paste("y ~", paste(cs$preds, collapse = " + ")))
  fit <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
  X <- model.matrix(fit); ll <- as.numeric(logLik(fit)); crit <- qchisq(level, 1)
  prof <- function(j, b) {
    off <- b * X[, j]; rest <- X[, -j, drop = FALSE]
    g <- glm.fit(rest, d$y, family = binomial(), offset = off, control = glm.control(epsilon = 1e-14, maxit = 100))
    sum(d$y * log(g$fitted.values) + (1 - d$y) * log(1 - g$fitted.values))
  }
  est <- coef(fit); se <- sqrt(diag(vcov(fit)))
  lims <- t(sapply(seq_along(est), function(j) {
    gap <- function(b) 2 * (ll - prof(j, b)) - crit
    c(uniroot(gap, c(est[j] - 10 * se[j], est[j]), tol = 1e-12)$root,
      uniroot(gap, c(est[j], est[j] + 10 * se[j]), tol = 1e-12)$root)
  }))
  lr_p <- sapply(seq_along(est), function(j) pchisq(2 * (ll - prof(j, 0)), 1, lower.tail = FALSE))
  drop <- drop1(fit, test = "LRT")
  mass <- suppressMessages(confint(fit, level = level))
  logit[[length(logit) + 1]] <- list(
    id = id, confidence = level, y = d$y, data = as.list(d[, cs$preds, drop = FALSE]), predictors = cs$preds,
    call = sprintf("glm(%s, family = binomial); uniroot on the profile; drop1(fit, test = 'LRT'); confint(fit, level = %s)", deparse(f), level),
    terms = names(est), ci_low = exp(lims[, 1]), ci_high = exp(lims[, 2]), lr_p = lr_p,
    drop1_p = unname(drop[["Pr(>Chi)"]][-1]), mass_low = exp(unname(mass[, 1])), mass_high = exp(unname(mass[, 2])))
}
out$logistic <- logit
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), out_path)
