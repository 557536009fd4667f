# Reference values for b12cohort.regression (logistic).
#
# Needs R >= 4.2 with the Debian package r-cran-jsonlite (base R otherwise).
# Usage (from the repository root):
#   Rscript tests/reference/regression.R [output.json]
# Default output: tests/reference/regression.json beside this script. Reads
# firth_separation.csv beside this script.
#
# What is pinned, and to what:
#   * maximum likelihood: glm(y ~ ..., family = binomial) with a tight convergence
#     criterion (epsilon = 1e-14): coefficients, SEs, Wald z p-values (summary), and
#     confint.default (Wald) at 95% and 90%;
#   * Firth: logistf is on CRAN, which is not reachable here, so Firth's penalised
#     likelihood is written below in plain R after Heinze & Schemper (2002): the
#     estimate maximises l(b) + 0.5 log|I(b)| (Newton-Raphson on the modified score,
#     step halving); SEs from the inverse of X' diag(w (1 + h)) X (the information of
#     logistf's augmented data, h the hat values); penalised likelihood-ratio p-values and profile
#     penalised-likelihood intervals refit the model with one coefficient fixed while
#     keeping the penalty of the full model, as logistf does. This code is itself checked
#     (stopifnot, 1e-4 relative, the tolerance firthmodels uses) against logistf output
#     published in the firthmodels test suite (jzluo/firthmodels, tests/test_logistic.py,
#     test_matches_logistf_with_separation) on the data in firth_separation.csv.
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "regression.json")

# ---------------------------------------------------------------- Firth in plain R
firth_quant <- function(X, y, beta) {
  eta <- drop(X %*% beta)
  p <- plogis(eta)
  w <- p * (1 - p)
  XW <- X * sqrt(w)
  I <- crossprod(XW)
  L <- chol(I)
  Iinv <- chol2inv(L)
  h <- rowSums((XW %*% Iinv) * XW)
  ll <- sum(ifelse(y == 1, plogis(eta, log.p = TRUE), plogis(-eta, log.p = TRUE)))
  # information of the "augmented data" (weights w (1 + h)): logistf's Newton matrix and
  # the inverse of which is logistf's covariance matrix
  Iaug <- crossprod(X * sqrt(w * (1 + h)))
  list(pll = ll + sum(log(diag(L))), U = drop(crossprod(X, y - p + h * (0.5 - p))), I = Iaug)
}
firth_fit <- function(X, y, beta = rep(0, ncol(X)), fixed = integer(0), maxit = 500) {
  free <- setdiff(seq_len(ncol(X)), fixed)
  q <- firth_quant(X, y, beta)
  for (it in seq_len(maxit)) {
    delta <- rep(0, ncol(X))
    delta[free] <- solve(q$I[free, free, drop = FALSE], q$U[free])
    big <- max(abs(delta))
    if (big > 5) delta <- delta * 5 / big  # logistf's maxstep
    step <- 1
    repeat {
      nq <- tryCatch(firth_quant(X, y, beta + step * delta), error = function(e) NULL)
      # halve only on a real decrease: near the optimum the change in the penalised
      # log-likelihood is below rounding (uncentred predictors) while the step is sound
      if (!is.null(nq) && nq$pll >= q$pll - 1e-10) break
      step <- step / 2
      if (step < 1e-12) stop("step halving failed")
    }
    beta <- beta + step * delta
    q <- nq
    if (max(abs(delta)) < 1e-11) break
  }
  if (it == maxit) stop("Firth fit did not converge")
  cov <- solve(q$I)
  list(beta = beta, pll = q$pll, se = sqrt(diag(cov)), cov = cov)
}
firth_profile <- function(X, y, full, k, b) {
  # start on the line of steepest ascent through the estimate (the others move with
  # b_k by cov[, k] / cov[k, k]), so that far-out b_k keep the linear predictor sane
  start <- full$beta + (b - full$beta[k]) * full$cov[, k] / full$cov[k, k]
  firth_fit(X, y, beta = start, fixed = k)$pll
}
firth_all <- function(X, y, levels = c(0.95, 0.9)) {
  full <- firth_fit(X, y)
  k_all <- seq_len(ncol(X))
  p <- sapply(k_all, function(k) {
    pll0 <- firth_profile(X, y, full, k, 0)
    pchisq(2 * (full$pll - pll0), 1, lower.tail = FALSE)
  })
  ci <- lapply(levels, function(level) {
    crit <- qchisq(level, 1)
    t(sapply(k_all, function(k) {
      g <- function(b) 2 * (full$pll - firth_profile(X, y, full, k, b)) - crit
      side <- function(dir) {
        step <- full$se[k]
        far <- full$beta[k] + dir * step
        while (g(far) < 0) far <- far + dir * step
        uniroot(g, sort(c(full$beta[k], far)), tol = 1e-12)$root
      }
      c(side(-1), side(1))
    }))
  })
  names(ci) <- levels
  list(beta = full$beta, se = full$se, pll = full$pll, p = p, ci = ci)
}

# ---------------------------------------------------------------- data sets
set.seed(2022)
n <- 19
hb <- round(runif(n, 55, 109), 1)
age <- round(runif(n, 3, 24))
sex <- factor(sample(c("F", "M"), n, replace = TRUE), levels = c("F", "M"))
breastfed <- sample(c(TRUE, FALSE), n, replace = TRUE, prob = c(0.7, 0.3))
delay <- rbinom(n, 1, plogis(4 - 0.05 * hb)) == 1
adynamia <- rbinom(n, 1, plogis(-1 + 0.08 * age)) == 1
# quasi-complete separation: every infant with Hb < 70 has the sign
severe <- hb < 70
sep_sign <- ifelse(severe, TRUE, rbinom(n, 1, 0.4) == 1)
cohort <- data.frame(hb = hb, age_months = age, sex = sex, exclusive_breastfeeding = breastfed,
                     developmental_delay = delay, adynamia = adynamia, severe = severe,
                     sep_sign = sep_sign)
set.seed(60)
big <- data.frame(x = round(rnorm(60), 3), g = factor(sample(c("a", "b", "c"), 60, replace = TRUE)))
big$y <- rbinom(60, 1, plogis(0.3 + 0.9 * big$x - 0.6 * (big$g == "c"))) == 1
small <- data.frame(delay = c(TRUE, FALSE, TRUE, TRUE, FALSE, TRUE, FALSE, FALSE),
                    hb = c(62, 95, 70, 81, 88, 66, 79, 99))
sepdata <- read.csv(file.path(here, "firth_separation.csv"), comment.char = "#")

models <- list(
  list(id = "n19/delay~hb", data = "cohort", formula = developmental_delay ~ hb, mle = TRUE),
  list(id = "n19/adynamia~age+hb", data = "cohort", formula = adynamia ~ age_months + hb, mle = TRUE),
  list(id = "n19/delay~sex+hb", data = "cohort", formula = developmental_delay ~ sex + hb, mle = TRUE),
  list(id = "n19/adynamia~breastfeeding", data = "cohort", formula = adynamia ~ exclusive_breastfeeding, mle = TRUE),
  list(id = "n19/sep_sign~severe", data = "cohort", formula = sep_sign ~ severe, mle = FALSE),
  list(id = "n19/sep_sign~severe+age", data = "cohort", formula = sep_sign ~ severe + age_months, mle = FALSE),
  list(id = "n60/y~x+g", data = "big", formula = y ~ x + g, mle = TRUE),
  list(id = "n8/delay~hb", data = "small", formula = delay ~ hb, mle = TRUE),
  list(id = "firthmodels/y~x1+x2+x3+x4", data = "sepdata", formula = y ~ x1 + x2 + x3 + x4, mle = FALSE)
)
frames <- list(cohort = cohort, big = big, small = small, sepdata = sepdata)

# ---------------------------------------------------------------- published logistf values
# jzluo/firthmodels tests/test_logistic.py::test_matches_logistf_with_separation; firthmodels
# orders (separator, x1, x2, x3, intercept) = our (x1, x2, x3, x4, (Intercept)).
published <- list(
  source = "logistf output quoted in jzluo/firthmodels tests/test_logistic.py (test_matches_logistf_with_separation)",
  terms = c("(Intercept)", "x1", "x2", "x3", "x4"),
  estimate = c(-0.4434562830, 3.6577140153, 0.6759781501, -0.8633119501, 0.3385788510),
  std_error = c(0.3452906671, 1.4822786334, 0.2687886213, 0.3874453554, 0.1370778814),
  p_value = c(0.1997147194, 0.0002084147149, 0.0093173148959, 0.0236385713206, 0.0055887969164),
  ci_low = c(-1.16089382506, 1.3901042899, 0.1602568036, -1.6677883758, 0.0893054012),
  ci_high = c(0.2295139209, 8.5876062114, 1.2568999211, -0.1135186948, 0.6572681313)
)

cases <- list()
for (m in models) {
  df <- frames[[m$data]]
  mf <- model.frame(m$formula, df)
  X <- model.matrix(m$formula, mf)
  y <- as.numeric(model.response(mf))
  case <- list(id = m$id, formula = deparse(m$formula), data = as.list(df[, all.vars(m$formula), drop = FALSE]),
               terms = colnames(X), n = nrow(X))
  if (m$mle) {
    fit <- glm(m$formula, data = df, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
    s <- summary(fit)$coefficients
    case$mle <- list(
      call = sprintf("fit <- glm(%s, data = %s, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)); summary(fit)$coefficients; confint.default(fit, level = 0.95 | 0.9)",
                     deparse(m$formula), m$data),
      estimate = unname(s[, 1]), std_error = unname(s[, 2]), z = unname(s[, 3]), p_value = unname(s[, 4]),
      ci_low_95 = unname(confint.default(fit, level = 0.95)[, 1]), ci_high_95 = unname(confint.default(fit, level = 0.95)[, 2]),
      ci_low_90 = unname(confint.default(fit, level = 0.9)[, 1]), ci_high_90 = unname(confint.default(fit, level = 0.9)[, 2]),
      converged = fit$converged
    )
  }
  f <- firth_all(X, y)
  case$firth <- list(
    call = sprintf("X <- model.matrix(%s, %s); firth_all(X, y)  # plain-R Firth, see script", deparse(m$formula), m$data),
    estimate = f$beta, std_error = f$se, p_value = f$p, penalised_loglik = f$pll,
    ci_low_95 = f$ci[["0.95"]][, 1], ci_high_95 = f$ci[["0.95"]][, 2],
    ci_low_90 = f$ci[["0.9"]][, 1], ci_high_90 = f$ci[["0.9"]][, 2]
  )
  if (m$data == "sepdata") {
    rel <- function(a, b) max(abs(a - b) / abs(b))
    stopifnot(rel(f$beta, published$estimate) < 1e-4, rel(f$se, published$std_error) < 1e-4,
              rel(f$p, published$p_value) < 1e-4, rel(f$ci[["0.95"]][, 1], published$ci_low) < 1e-4,
              rel(f$ci[["0.95"]][, 2], published$ci_high) < 1e-4)
    case$logistf_published <- published
  }
  cases[[length(cases) + 1]] <- case
}

out <- list(
  generated_by = "tests/reference/regression.R",
  r_version = R.version.string,
  note = paste("CIs are on the log-odds scale here (compare exp() with the odds-ratio limits);",
               "terms are R's names (sexM, exclusive_breastfeedingTRUE, gb, gc)"),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path, useBytes = TRUE)
