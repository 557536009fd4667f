# Reference values for the R-parity helpers: Pearson's cor.test, fisher.test(or = ) on
# 2x2 tables and binom.test(p = ).
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
writeLines(toJSON(list(r_version = R.version.string, pearson = pearson, fisher = fisher, binom = binom),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), out_path)
