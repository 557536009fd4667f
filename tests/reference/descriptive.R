# Reference values for b12cohort.descriptive (prevalence intervals, Table 1 statistics and tests).
#
#   Rscript tests/reference/descriptive.R [output_dir]
#
# Writes descriptive_cohort_small.csv, descriptive_cohort_large.csv (deterministic reference
# cohorts, set.seed) and descriptive.json into output_dir (default: this script's folder).
# Every case in the JSON carries the exact R call that produced its values.
# Needs base R (stats) and jsonlite (Debian: r-cran-jsonlite). Written for R 4.2.
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = TRUE)
script <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
outdir <- if (length(args) >= 1) args[1] else dirname(normalizePath(script))

# --------------------------------------------------------------------------------------
# 1. Binomial confidence intervals
# --------------------------------------------------------------------------------------
ci_call <- function(method, k, n, conf) {
  a <- 1 - conf
  switch(method,
    "clopper-pearson" = sprintf("binom.test(%d, %d, conf.level = %s)$conf.int", k, n, conf),
    "wilson" = sprintf("prop.test(%d, %d, correct = FALSE, conf.level = %s)$conf.int", k, n, conf),
    "jeffreys" = sprintf(paste0(
      "c(if (%1$d == 0) 0 else qbeta(%3$s / 2, %1$d + 0.5, %2$d - %1$d + 0.5), ",
      "if (%1$d == %2$d) 1 else qbeta(1 - %3$s / 2, %1$d + 0.5, %2$d - %1$d + 0.5))"), k, n, a),
    "agresti-coull" = sprintf(paste0(
      "{z <- qnorm(1 - %3$s / 2); nt <- %2$d + z^2; pt <- (%1$d + z^2 / 2) / nt; ",
      "c(max(0, pt - z * sqrt(pt * (1 - pt) / nt)), min(1, pt + z * sqrt(pt * (1 - pt) / nt)))}"),
      k, n, a),
    "mid-p" = sprintf(paste0(
      "c(if (%1$d == 0) 0 else uniroot(function(p) pbinom(%1$d, %2$d, p, lower.tail = FALSE) + ",
      "0.5 * dbinom(%1$d, %2$d, p) - %3$s / 2, c(0, 1), tol = 1e-14)$root, ",
      "if (%1$d == %2$d) 1 else uniroot(function(p) pbinom(%1$d - 1, %2$d, p) + ",
      "0.5 * dbinom(%1$d, %2$d, p) - %3$s / 2, c(0, 1), tol = 1e-14)$root)"), k, n, a)
  )
}

pairs <- list(c(0, 1), c(1, 1), c(0, 5), c(1, 5), c(5, 5), c(0, 19), c(1, 19), c(6, 19),
              c(8, 19), c(12, 19), c(19, 19), c(3, 10), c(50, 100), c(1, 1000), c(999, 1000),
              c(12345, 100000))
levels_extra <- list(c(0, 19), c(6, 19), c(19, 19), c(1, 1))
methods <- c("clopper-pearson", "wilson", "jeffreys", "agresti-coull", "mid-p")
cases <- list()
add_cases <- function(kn, conf) {
  for (m in methods) {
    call <- ci_call(m, kn[1], kn[2], conf)
    ci <- suppressWarnings(eval(parse(text = call)))  # prop.test warns for small n
    cases[[length(cases) + 1]] <<- list(method = m, k = kn[1], N = kn[2], confidence = conf,
                                        call = call, ci_low = ci[1], ci_high = ci[2])
  }
}
for (kn in pairs) add_cases(kn, 0.95)
for (kn in levels_extra) for (conf in c(0.9, 0.99)) add_cases(kn, conf)

# --------------------------------------------------------------------------------------
# 2. Reference cohorts for Table 1
# --------------------------------------------------------------------------------------
set.seed(20220726)
n <- 30
small <- data.frame(
  patient_id = sprintf("R%02d", 1:n),
  sex = rep(c("F", "M"), c(13, 17))[sample(n)],
  anemia_grade = rep(c("mild", "moderate", "severe"), c(9, 14, 7))[sample(n)],
  age_months = round(runif(n, 3, 24), 2),                 # continuous, no ties
  hb_g_l = round(rnorm(n, 85, 12)),                       # whole g/L: ties
  b12_pg_ml = round(runif(n, 20, 82)),
  cyanocobalamin_dose_ug = 100,                           # constant: rank tests undefined
  hypotonia = TRUE,                                       # one level only
  adynamia = runif(n) < 0.6,
  hyporeflexia = runif(n) < 0.4,
  brain_atrophy = runif(n) < 0.3,
  stringsAsFactors = FALSE
)
stopifnot(!anyDuplicated(small$age_months))
small$b12_pg_ml[c(4, 17, 25)] <- NA
small$adynamia[c(2, 9)] <- NA
small$hypotonia[11] <- NA
small$brain_atrophy[-c(1, 5, 8, 13, 21, 27, 30)] <- NA
write.csv(small, file.path(outdir, "descriptive_cohort_small.csv"), row.names = FALSE, na = "")

m <- 130
large <- data.frame(
  patient_id = sprintf("L%03d", 1:m),
  sex = rep(c("F", "M"), c(60, 70))[sample(m)],
  anemia_grade = rep(c("mild", "moderate", "severe"), c(40, 55, 35))[sample(m)],
  age_months = round(runif(m, 3, 24), 4),                 # no ties, groups >= 50
  hb_g_l = round(rnorm(m, 85, 12)),
  adynamia = runif(m) < 0.6,
  stringsAsFactors = FALSE
)
stopifnot(!anyDuplicated(large$age_months))
write.csv(large, file.path(outdir, "descriptive_cohort_large.csv"), row.names = FALSE, na = "")

# Read the committed files back, as a user would, and set the factor level order
# (grade "none" declared but empty, as in the published cohort).
read_cohort <- function(file) {
  d <- read.csv(file.path(outdir, file), stringsAsFactors = FALSE)
  d$sex <- factor(d$sex, levels = c("F", "M"))
  d$anemia_grade <- factor(d$anemia_grade, levels = c("none", "mild", "moderate", "severe"))
  d
}
cohorts <- list(small = read_cohort("descriptive_cohort_small.csv"),
                large = read_cohort("descriptive_cohort_large.csv"))

tests <- list()
summaries <- list()
designs <- list(
  list(cohort = "small", by = "sex", continuous = c("age_months", "hb_g_l", "b12_pg_ml",
       "cyanocobalamin_dose_ug"), categorical = c("anemia_grade", "hypotonia", "adynamia",
       "hyporeflexia", "brain_atrophy")),
  list(cohort = "small", by = "anemia_grade", continuous = c("age_months", "hb_g_l",
       "b12_pg_ml", "cyanocobalamin_dose_ug"), categorical = c("sex", "hypotonia", "adynamia",
       "hyporeflexia", "brain_atrophy")),
  list(cohort = "large", by = "sex", continuous = c("age_months", "hb_g_l"),
       categorical = c("anemia_grade", "adynamia")),
  list(cohort = "large", by = "anemia_grade", continuous = c("age_months", "hb_g_l"),
       categorical = c("sex", "adynamia"))
)
for (des in designs) {
  d <- cohorts[[des$cohort]]
  g <- droplevels(d[[des$by]])          # empty groups dropped, as table_one does
  for (v in des$continuous) {
    x <- d[[v]]
    if (nlevels(g) == 2) {
      call <- sprintf("wilcox.test(%s ~ %s, data = %s)", v, des$by, des$cohort)
      r <- suppressWarnings(wilcox.test(x ~ g))
    } else {
      call <- sprintf("kruskal.test(%s ~ droplevels(%s), data = %s)", v, des$by, des$cohort)
      r <- kruskal.test(x ~ g)
    }
    tests[[length(tests) + 1]] <- list(
      cohort = des$cohort, by = des$by, variable = v, call = call, method = r$method,
      statistic = unname(r$statistic), p_value = r$p.value)
    for (lev in c("Overall", levels(g))) {
      xs <- if (lev == "Overall") x else x[!is.na(g) & g == lev]
      xs <- xs[!is.na(xs)]
      q <- unname(quantile(xs, c(0.25, 0.5, 0.75), type = 7))
      summaries[[length(summaries) + 1]] <- list(
        cohort = des$cohort, by = des$by, variable = v, group = lev,
        call = sprintf("quantile(x, c(0.25, 0.5, 0.75), type = 7); mean(x); sd(x); range(x) for %s in group %s",
                       v, lev),
        N = length(xs), q1 = q[1], median = q[2], q3 = q[3], mean = mean(xs), sd = sd(xs),
        min = min(xs), max = max(xs))
    }
  }
  for (v in des$categorical) {
    tab <- table(d[[v]], g)
    tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    call <- sprintf("fisher.test(table(%1$s$%2$s, droplevels(%1$s$%3$s)))", des$cohort, v, des$by)
    if (nrow(tab) < 2 || ncol(tab) < 2) {
      p <- NA
      call <- paste(call, "# not run: fewer than two levels observed")
    } else {
      p <- fisher.test(tab)$p.value
    }
    tests[[length(tests) + 1]] <- list(
      cohort = des$cohort, by = des$by, variable = v, call = call,
      method = "Fisher's Exact Test for Count Data", statistic = NA, p_value = p)
  }
}

out <- list(
  generated_by = "tests/reference/descriptive.R",
  r_version = R.version.string,
  prevalence = cases,
  tests = tests,
  summaries = summaries
)
write_json(out, file.path(outdir, "descriptive.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE, na = "null")
