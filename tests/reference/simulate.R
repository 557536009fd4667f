# Reference values for b12cohort.simulate.population_spearman: the Spearman correlation
# between haemoglobin and neuro_score in the population defined by simulate_cohort's
# Gaussian copula.
#
# Needs R >= 4.2 with the Debian package r-cran-jsonlite (base R otherwise).
# Usage (from the repository root):
#   Rscript tests/reference/simulate.R [output.json]
# Default output: tests/reference/simulate.json beside this script.
#
# The model (simulate_cohort's Notes): (Z, L) standard bivariate normal with correlation
# rho; Hb a monotone transform of Z; sign j of the six in neuro_score present when
# loading * L + sqrt(1 - loading^2) * e_j > qnorm(1 - p_j), e_j iid N(0, 1); a sign not
# recorded (probability `missing`, independently) counts as absent. Two independent
# computations per case:
#   * `integrate`: R's adaptive quadrature (QUADPACK) of
#       rho_S = (E_L[E[F(Z) | L] E[G(Y) | L]] - 1/4) / sqrt(Var G(Y) / 12),
#     E[F(Z) | L] = pnorm(rho L / sqrt(2 - rho^2)), Y | L Poisson-binomial,
#     G the mid-distribution function of Y (Kruskal 1958);
#   * `monte_carlo`: the model simulated with R's own generator (set.seed below) and
#     Spearman's rho of the sample (cor of average ranks), n = 10^6, with its standard
#     error sqrt((1 + rho^2 / 2) / (n - 3)) * (1 - rho^2) (Bonett & Wright 2000).
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "simulate.json")

signs <- c("hypotonia", "adynamia", "developmental_delay", "developmental_regression",
           "hyporeflexia", "seizures")
default_p <- c(hypotonia = 19 / 19, adynamia = 12 / 19, developmental_delay = 12 / 19,
               developmental_regression = 0.05, hyporeflexia = 8 / 19, seizures = 0.05)

pmf_given_l <- function(l, p, loading, missing) {
  # Poisson-binomial pmf of the number of signs counted, for each l (rows), 0..6 (columns)
  d <- matrix(0, length(l), length(p) + 1)
  d[, 1] <- 1
  for (j in seq_along(p)) {
    q <- (1 - missing) * pnorm((loading * l - qnorm(1 - p[j])) / sqrt(1 - loading^2))
    d[, 2:(j + 1)] <- d[, 2:(j + 1)] * (1 - q) + d[, 1:j] * q
    d[, 1] <- d[, 1] * (1 - q)
  }
  d
}

by_integrate <- function(rho, p, loading, missing) {
  k <- length(p) + 1
  py <- sapply(seq_len(k), function(y) integrate(function(l)
    dnorm(l) * pmf_given_l(l, p, loading, missing)[, y], -Inf, Inf, rel.tol = 1e-12)$value)
  g <- cumsum(py) - py / 2
  var_g <- sum(py * g^2) - 1 / 4
  e_ug <- integrate(function(l)
    dnorm(l) * pnorm(rho * l / sqrt(2 - rho^2)) * as.vector(pmf_given_l(l, p, loading, missing) %*% g),
    -Inf, Inf, rel.tol = 1e-12)$value
  (e_ug - 1 / 4) / sqrt(var_g / 12)
}

by_simulation <- function(rho, p, loading, missing, n) {
  z <- rnorm(n)
  l <- rho * z + sqrt(1 - rho^2) * rnorm(n)
  score <- numeric(n)
  for (j in seq_along(p)) {
    present <- loading * l + sqrt(1 - loading^2) * rnorm(n) > qnorm(1 - p[j])
    recorded <- runif(n) >= missing
    score <- score + (present & recorded)
  }
  cor(rank(z), rank(score))
}

settings <- list(
  list(id = "default_rho0", rho = 0, loading = 0.7, missing = 0, p = list()),
  list(id = "default_rho-0.6", rho = -0.6, loading = 0.7, missing = 0, p = list()),
  list(id = "default_rho-1", rho = -1, loading = 0.7, missing = 0, p = list()),
  list(id = "loading0.5_missing0.2_rho0.8", rho = 0.8, loading = 0.5, missing = 0.2, p = list()),
  list(id = "loading0.9_rho-0.95", rho = -0.95, loading = 0.9, missing = 0, p = list()),
  list(id = "prevalence_override_rho-0.4", rho = -0.4, loading = 0.6, missing = 0.1,
       p = list(hypotonia = 0.8, seizures = 0.3, developmental_regression = 0))
)

set.seed(20221208)
n_mc <- 1e6
cases <- lapply(settings, function(s) {
  p <- default_p
  for (nm in names(s$p)) p[[nm]] <- s$p[[nm]]
  exact <- by_integrate(s$rho, p, s$loading, s$missing)
  mc <- by_simulation(s$rho, p, s$loading, s$missing, n_mc)
  se <- sqrt((1 + mc^2 / 2) / (n_mc - 3)) * (1 - mc^2)
  prevalence_arg <- if (length(s$p)) s$p else NULL
  list(
    id = s$id,
    call = sprintf(paste0("by_integrate(rho = %s, p = c(%s), loading = %s, missing = %s); ",
                          "by_simulation(..., n = %d) after set.seed(20221208)"),
                   format(s$rho), paste(sprintf("%s = %s", names(p), format(p, digits = 15)),
                                         collapse = ", "),
                   format(s$loading), format(s$missing), as.integer(n_mc)),
    rho = s$rho, loading = s$loading, missing = s$missing,
    prevalence = prevalence_arg,
    integrate = exact,
    monte_carlo = mc,
    monte_carlo_se = se,
    monte_carlo_n = as.integer(n_mc)
  )
})

out <- list(
  generated_by = "tests/reference/simulate.R",
  r_version = R.version.string,
  note = paste("population Spearman correlation between Hb and neuro_score under",
               "simulate_cohort's Gaussian copula; prevalence lists only the overrides of",
               "the defaults (hypotonia 19/19, adynamia 12/19, developmental_delay 12/19,",
               "developmental_regression 0.05, hyporeflexia 8/19, seizures 0.05)"),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           out_path, useBytes = TRUE)
