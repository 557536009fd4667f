# Reference values for b12cohort.stats.ordinal_regression (ordinal_regression).
#
# Needs R >= 4.2 with MASS (recommended package) and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/ordinal_regression.R [output.json]
#
# Each case: fit <- MASS::polr(y ~ <predictors>, data = droplevels(d), Hess = TRUE,
#   control = list(reltol = 1e-15, maxit = 10000)) (optim converged tightly: at the
#   default reltol = 1e-8 polr stops up to 0.03 away from the maximum on 19 subjects).
# Pinned: coef(fit) and fit$zeta (estimates), sqrt(diag(vcov(fit))) (SEs; vcov comes from
# optim's finite-difference Hessian, see the tolerance in the test), confint.default(fit,
# level = ...) (Wald, polr's SEs) and theta +- qnorm * refined SE, logLik(fit), and Brant's test written out below from the k - 1
# binary glm fits (Brant 1990; the formula of the CRAN package `brant`, which is not in
# Debian), plus refined SEs: polr's vcov comes from optim's finite-difference Hessian
# (step 1e-3), accurate to about 1e-3 only, so the observed information is also computed
# here at polr's estimates by central differences (step 1e-6) of the analytic gradient
# written out below; those SEs are pinned at 1e-6, polr's at 2e-3.
suppressPackageStartupMessages({ library(jsonlite); library(MASS) })
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "ordinal_regression.json")

set.seed(20220801)
n <- 80
hb <- round(rnorm(n, 85, 12), 1)
male <- rbinom(n, 1, 0.5)
lat <- -0.06 * (hb - 85) + 0.4 * male + rlogis(n)
y4 <- cut(lat, c(-Inf, -1, 0.3, 1.5, Inf), labels = FALSE)
d19 <- data.frame(
  hb = c(78.5, 66.0, 91.2, 70.0, 70.5, 88.4, 59.9, 95.0, 101.3, 66.2, 73.7, 84.1, 99.0, 104.2,
         91.7, 87.5, 108.0, 71.0, 96.3),
  y = c(3, 3, 2, 3, 2, 1, 3, 1, 1, 3, 2, 2, 1, 2, 1, 2, 1, 3, 1))
cases <- list(
  sim_4levels = list(data = data.frame(y = y4, hb = hb, male = male), predictors = c("hb", "male"), k = 4),
  sim_empty_level = list(data = data.frame(y = ifelse(y4 == 2, 1, y4), hb = hb), predictors = "hb", k = 4),
  cohort19_3levels = list(data = d19, predictors = "hb", k = 3)
)

brant <- function(d, preds, lev) {
  X <- cbind(1, as.matrix(d[, preds, drop = FALSE])); p <- length(preds)
  y <- as.integer(d$y); m <- length(lev) - 1
  fits <- lapply(1:m, function(j) glm(I(y > j) ~ ., data = d[, preds, drop = FALSE], family = binomial,
                                        control = glm.control(epsilon = 1e-14, maxit = 100)))
  pis <- lapply(fits, fitted)
  inv <- lapply(pis, function(pi) solve(t(X) %*% (X * (pi * (1 - pi)))))
  V <- matrix(0, m * p, m * p)
  for (a in 1:m) for (b in a:m) {
    blk <- if (a == b) inv[[a]] else inv[[a]] %*% (t(X) %*% (X * (pis[[b]] - pis[[a]] * pis[[b]]))) %*% inv[[b]]
    V[(a - 1) * p + 1:p, (b - 1) * p + 1:p] <- blk[-1, -1]
    V[(b - 1) * p + 1:p, (a - 1) * p + 1:p] <- t(blk[-1, -1])
  }
  beta <- unlist(lapply(fits, function(f) coef(f)[-1]))
  test <- function(idx) {
    D <- do.call(rbind, lapply(2:m, function(j) do.call(rbind, lapply(idx, function(i) {
      r <- numeric(m * p); r[i] <- 1; r[(j - 1) * p + i] <- -1; r }))))
    dd <- D %*% beta
    chi <- drop(t(dd) %*% solve(D %*% V %*% t(D), dd))
    list(statistic = chi, df = nrow(D), p_value = pchisq(chi, nrow(D), lower.tail = FALSE))
  }
  c(list(omnibus = test(1:p)), setNames(lapply(1:p, test), preds))
}

out_cases <- list()
for (id in names(cases)) {
  cs <- cases[[id]]; d <- cs$data
  d$y <- droplevels(factor(d$y, levels = 1:cs$k, ordered = TRUE))
  f <- as.formula(paste("y ~", paste(cs$predictors, collapse = " + ")))
  fit <- polr(f, data = d, Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))
  p <- length(cs$predictors)
  theta <- c(coef(fit), fit$zeta)
  X <- as.matrix(d[, cs$predictors, drop = FALSE]); yi <- as.integer(d$y)
  grad <- function(th) {  # analytic gradient of the log-likelihood in (beta, zeta)
    beta <- th[1:p]; zeta <- th[-(1:p)]; cuts <- c(-Inf, zeta, Inf)
    eta <- drop(X %*% beta); a <- cuts[yi + 1] - eta; b <- cuts[yi] - eta
    pr <- plogis(a) - plogis(b); fa <- dlogis(a); fb <- dlogis(b)
    g <- c(-colSums(X * (fa - fb) / pr), numeric(length(zeta)))
    for (j in seq_along(zeta)) g[p + j] <- sum((fa / pr)[yi == j]) - sum((fb / pr)[yi == j + 1])
    g
  }
  H <- sapply(seq_along(theta), function(i) {  # central differences of the gradient
    h <- 1e-6 * max(1, abs(theta[i])); e <- replace(numeric(length(theta)), i, h)
    (grad(theta + e) - grad(theta - e)) / (2 * h)
  })
  H <- (H + t(H)) / 2
  ci <- lapply(c(0.9, 0.95, 0.99), function(l) {
    m <- confint.default(fit, level = l); q <- qnorm((1 + l) / 2); se <- sqrt(diag(solve(-H)))
    list(level = l, low = unname(m[, 1]), high = unname(m[, 2]),
         low_refined = unname(theta - q * se), high_refined = unname(theta + q * se))
  })
  out_cases[[id]] <- list(
    id = id, k = cs$k, predictors = cs$predictors,
    data = lapply(as.list(cs$data), function(v) v),
    call = sprintf("MASS::polr(%s, data = droplevels(d), Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))", deparse(f)),
    terms = names(theta), estimate = unname(theta), se_polr = unname(sqrt(diag(vcov(fit)))),
    se_refined = unname(sqrt(diag(solve(-H)))), wald = ci,
    loglik = as.numeric(logLik(fit)), levels = levels(d$y),
    brant = brant(d, cs$predictors, levels(d$y))
  )
}
out <- list(r_version = R.version.string, mass_version = as.character(packageVersion("MASS")),
            cases = unname(out_cases))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
