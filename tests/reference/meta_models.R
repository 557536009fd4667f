# Reference values for b12cohort.stats._meta_models: the Hartung-Knapp(-Sidik-Jonkman)
# adjustment, the Q-profile confidence interval for tau^2 and the binomial-normal GLMM.
#
# Needs R >= 4.2 with the Debian packages r-cran-metafor (3.8-1), r-cran-lme4 (1.1-31,
# used by rma.glmm) and r-cran-jsonlite.
# Usage (from the repository root):
#   Rscript tests/reference/meta_models.R [output.json]
# Default output: tests/reference/meta_models.json beside this script.
#
# Q-profile: confint() is run twice, with metafor's default uniroot tolerance
# (.Machine$double.eps^0.25, so the limits are good to about 1e-4) and with tol = 1e-12
# (the values the Python engine is pinned to at 1e-8).
suppressPackageStartupMessages({
  library(metafor)
  library(lme4)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "meta_models.json")

vec <- function(v) paste0("c(", paste(v, collapse = ", "), ")")

cases_in <- list(
  k2 = list(xi = c(5, 7), ni = c(20, 22)),
  k2_heterogeneous = list(xi = c(2, 18), ni = c(30, 25)),
  k3 = list(xi = c(10, 4, 12), ni = c(20, 18, 25)),
  k3_tau2_zero = list(xi = c(10, 10, 11), ni = c(20, 20, 21)),
  k4_zero_and_all = list(xi = c(0, 9, 5, 3), ni = c(9, 9, 12, 10)),
  k6 = list(xi = c(2, 30, 8, 40, 1, 12), ni = c(25, 35, 40, 50, 30, 20))
)
levels <- list(k2 = 95, k2_heterogeneous = 95, k3 = 90, k3_tau2_zero = 95,
               k4_zero_and_all = 95, k6 = 99)

one_case <- function(id, xi, ni, level) {
  es <- escalc(measure = "PLO", xi = xi, ni = ni)
  es_call <- sprintf("es <- escalc(measure = \"PLO\", xi = %s, ni = %s)", vec(xi), vec(ni))
  knha <- list()
  for (method in c("REML", "DL")) {
    res <- rma(yi, vi, data = es, method = method, test = "knha", level = level)
    pred <- predict(res)
    knha[[method]] <- list(
      call = sprintf("%s; res <- rma(yi, vi, data = es, method = \"%s\", test = \"knha\", level = %s); predict(res)",
                     es_call, method, level),
      tau2 = res$tau2, mu = as.numeric(res$b), se = res$se, df = res$ddf,
      ci_low = res$ci.lb, ci_high = res$ci.ub,
      pi_low = as.numeric(pred$pi.lb), pi_high = as.numeric(pred$pi.ub),
      p_value = res$pval
    )
  }
  res <- rma(yi, vi, data = es, method = "REML", level = level)
  ci_default <- confint(res)$random
  ci_tight <- confint(res, control = list(tol = 1e-12))$random
  qprofile <- list(
    call = sprintf("%s; res <- rma(yi, vi, data = es, method = \"REML\", level = %s); confint(res, control = list(tol = 1e-12))$random",
                   es_call, level),
    tau2 = res$tau2,
    tau2_low = ci_tight["tau^2", "ci.lb"], tau2_high = ci_tight["tau^2", "ci.ub"],
    i2_low = ci_tight["I^2(%)", "ci.lb"] / 100, i2_high = ci_tight["I^2(%)", "ci.ub"] / 100,
    tau2_low_default_tol = ci_default["tau^2", "ci.lb"],
    tau2_high_default_tol = ci_default["tau^2", "ci.ub"]
  )
  g <- rma.glmm(measure = "PLO", xi = xi, ni = ni, method = "ML", level = level)
  gp <- predict(g)
  glmm <- list(
    call = sprintf("res <- rma.glmm(measure = \"PLO\", xi = %s, ni = %s, method = \"ML\", level = %s); predict(res)",
                   vec(xi), vec(ni), level),
    mu = as.numeric(g$b), se = g$se, tau2 = g$tau2,
    ci_low = g$ci.lb, ci_high = g$ci.ub,
    pi_low = as.numeric(gp$pi.lb), pi_high = as.numeric(gp$pi.ub),
    n_agq = 7
  )
  list(id = id, xi = xi, ni = ni, confidence = level / 100,
       yi = as.numeric(es$yi), vi = as.numeric(es$vi),
       knha = knha, qprofile = qprofile, glmm = glmm)
}

cases <- lapply(names(cases_in), function(id) {
  s <- cases_in[[id]]
  one_case(id, s$xi, s$ni, levels[[id]])
})

out <- list(
  generated_by = "tests/reference/meta_models.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  lme4_version = as.character(packageVersion("lme4")),
  note = paste("confidence is level / 100; i2 limits are metafor's I^2(%) / 100; knha uses t with",
               "k - 1 df for the CI and the prediction interval (metafor 3.8 predict.rma);",
               "the GLMM is lme4::glmer with nAGQ = 7 (metafor's default); its logLik is not",
               "recorded (metafor reports it on another scale than the binomial likelihood)."),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path, useBytes = TRUE)
