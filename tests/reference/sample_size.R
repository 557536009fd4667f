# Reference values for b12cohort.stats.power.sample_size_correlation and the power
# of the test of zero correlation (power_correlation).
#
# Needs R >= 4.2 with r-cran-pwr and r-cran-jsonlite.
# Usage: Rscript tests/reference/sample_size.R [output.json]
# Every case is pwr::pwr.r.test(r = rho, power = power, sig.level = 1 - confidence,
# alternative = ...)$n and, at its ceiling, pwr.r.test(n = ceiling(n), r = rho, ...)$power.
suppressPackageStartupMessages({ library(jsonlite); library(pwr) })
args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
here <- dirname(script)
trailing <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(trailing) >= 1) trailing[1] else file.path(here, "sample_size.json")
cases <- list()
for (rho in c(0.3, 0.5, 0.7, -0.4)) for (power in c(0.8, 0.9)) for (level in c(0.9, 0.95, 0.99))
  for (alt in c("two.sided", "greater", "less")) {
    if ((alt == "greater" && rho < 0) || (alt == "less" && rho > 0)) next
    res <- pwr.r.test(r = rho, power = power, sig.level = 1 - level, alternative = alt)
    n_req <- ceiling(res$n)
    cases[[length(cases) + 1]] <- list(
      rho = rho, power = power, confidence = level,
      alternative = if (alt == "two.sided") "two-sided" else alt,
      call = sprintf('pwr.r.test(r = %s, power = %s, sig.level = %s, alternative = "%s")', rho, power, 1 - level, alt),
      n_exact = res$n, n = n_req,
      power_achieved = pwr.r.test(n = n_req, r = rho, sig.level = 1 - level, alternative = alt)$power)
  }
writeLines(toJSON(list(r_version = R.version.string, pwr_version = as.character(packageVersion("pwr")),
                       cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
