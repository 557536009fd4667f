# Reference values for b12cohort.course (treatment course of involuntary movements).
#
#   Rscript tests/reference/course.R [output_dir]
#
# Writes course.json into output_dir (default: this script's folder). Every case carries
# the exact R call that produced its values. Needs R >= 4.2 with survival (Debian:
# r-cran-survival) and jsonlite (Debian: r-cran-jsonlite).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
script <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
outdir <- if (length(args) >= 1) args[1] else dirname(normalizePath(script))

vec <- function(x) paste0("c(", paste(format(x, scientific = FALSE, trim = TRUE), collapse = ", "), ")")

# --------------------------------------------------------------------------------------
# 1. Kaplan-Meier: survfit(Surv(time, status) ~ 1, conf.type = ...)
#    status 1 = movements resolved (event), 0 = unresolved at last follow-up (censored)
# --------------------------------------------------------------------------------------
# The example cohort's six infants with involuntary movements (K02, K04, K07, K10, K14,
# K19): onset and resolution days after the first cyanocobalamin dose.
ex_onset <- c(4, 3, 5, 4, 3, 4)
ex_resolution <- c(28, 35, 42, 21, 24, 30)

set.seed(20221108)
big_time <- sample(7:60, 40, replace = TRUE)
big_status <- rbinom(40, 1, 0.75)

datasets <- list(
  list(name = "example_first_dose", time = ex_resolution, status = rep(1, 6),
       note = "example cohort, days from the first dose; all resolved, no ties"),
  list(name = "example_onset", time = ex_resolution - ex_onset, status = rep(1, 6),
       note = "example cohort, days from onset (resolution - onset)"),
  list(name = "censored_ties", time = c(21, 21, 28, 28, 35, 42, 42, 14, 30, 30),
       status = c(1, 1, 1, 0, 1, 1, 0, 1, 0, 1),
       note = "tied events, events tied with censorings, censoring at the end"),
  list(name = "censored_first", time = c(5, 10, 20, 30), status = c(0, 1, 1, 1),
       note = "a censoring before the first event"),
  list(name = "half_at_end", time = c(10, 20), status = c(1, 0),
       note = "survival stays exactly 0.5 until the last (censored) time"),
  list(name = "half_then_drop", time = c(10, 20, 30, 40), status = c(1, 1, 1, 1),
       note = "survival exactly 0.5 at 20, then drops: the median is the midpoint 25"),
  list(name = "single_event", time = c(30), status = c(1), note = "one infant, resolved"),
  list(name = "single_censored", time = c(30), status = c(0), note = "one infant, unresolved"),
  list(name = "all_censored", time = c(10, 20, 30), status = c(0, 0, 0), note = "no resolution"),
  list(name = "random_40", time = big_time, status = big_status,
       note = "40 infants, set.seed(20221108); times sample(7:60, 40, TRUE), status rbinom(40, 1, 0.75)")
)
settings <- list(
  list(conf_type = "log", confidence = 0.95),
  list(conf_type = "log-log", confidence = 0.95),
  list(conf_type = "plain", confidence = 0.95),
  list(conf_type = "log", confidence = 0.9)
)
horizons <- c(3, 21, 42)

km <- list()
for (d in datasets) {
  for (s in settings) {
    fit_call <- sprintf("survfit(Surv(%s, %s) ~ 1, conf.type = \"%s\", conf.int = %s)",
                        vec(d$time), vec(d$status), s$conf_type, s$confidence)
    fit <- eval(parse(text = fit_call))
    sm <- summary(fit, censored = TRUE)
    tab <- summary(fit)$table
    q <- quantile(fit, probs = 0.5)
    # horizons within follow-up (summary(times =) with extend = TRUE carries the curve
    # past the last time; b12cohort reports NaN there unless the curve has reached 0)
    hz <- summary(fit, times = horizons, extend = TRUE)
    km[[length(km) + 1]] <- list(
      name = d$name, note = d$note, time = I(d$time), status = I(d$status),
      conf_type = s$conf_type, confidence = s$confidence,
      call = fit_call,
      table_call = "summary(fit, censored = TRUE)[c('time', 'n.risk', 'n.event', 'n.censor', 'surv', 'std.err', 'lower', 'upper')]",
      table = lapply(list(time = sm$time, n_risk = sm$n.risk, n_event = sm$n.event,
                          n_censor = sm$n.censor, survival = sm$surv, std_err = sm$std.err,
                          ci_low = sm$lower, ci_high = sm$upper), I),
      median_call = "summary(fit)$table[c('median', paste0(conf.int, c('LCL', 'UCL')))]  # as print(fit)",
      median = unname(tab["median"]),
      median_ci_low = unname(tab[grep("LCL$", names(tab))]),
      median_ci_high = unname(tab[grep("UCL$", names(tab))]),
      quantile_call = "quantile(fit, probs = 0.5)",
      quantile = unname(q$quantile), quantile_ci_low = unname(q$lower),
      quantile_ci_high = unname(q$upper),
      horizons_call = sprintf("summary(fit, times = %s, extend = TRUE)", vec(horizons)),
      horizons = lapply(list(time = hz$time, n_risk = hz$n.risk, survival = hz$surv,
                             ci_low = hz$lower, ci_high = hz$upper), I)
    )
  }
}

# --------------------------------------------------------------------------------------
# 2. Incidence of involuntary movements: exact Clopper-Pearson interval
# --------------------------------------------------------------------------------------
incidence <- list()
for (kn in list(c(6, 19), c(0, 19), c(19, 19), c(1, 1), c(0, 5), c(3, 7), c(6, 6), c(1, 6))) {
  for (conf in c(0.95, 0.9)) {
    call <- sprintf("binom.test(%d, %d, conf.level = %s)$conf.int", kn[1], kn[2], conf)
    ci <- eval(parse(text = call))
    incidence[[length(incidence) + 1]] <- list(k = kn[1], N = kn[2], confidence = conf,
                                               call = call, ci_low = ci[1], ci_high = ci[2])
  }
}

# --------------------------------------------------------------------------------------
# 3. Onset day: median and quartiles (type 7, R's default)
# --------------------------------------------------------------------------------------
onset <- list()
for (x in list(ex_onset, c(2, 7), c(5), c(3, 3, 4, 10))) {
  call <- sprintf("quantile(%s, c(0.25, 0.5, 0.75), type = 7)", vec(x))
  q <- eval(parse(text = call))
  onset[[length(onset) + 1]] <- list(onset = I(x), call = call, q1 = unname(q[1]),
                                     median = unname(q[2]), q3 = unname(q[3]),
                                     min = min(x), max = max(x))
}

out <- list(
  generated_by = "tests/reference/course.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  km = km,
  incidence = incidence,
  onset = onset
)
# (vectors are wrapped in I() so that auto_unbox keeps length-1 vectors as JSON arrays)
write_json(out, file.path(outdir, "course.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE, na = "null")
