# reference-km.R: R's Kaplan-Meier curve of time to SQL, the reference for mqlcal's
# (tests/cli/test_maturity.sh compares it with the store's maturity_curve to 1e-10).
#
#   Rscript scripts/reference-km.R LEADS.csv AS_OF OUT.csv
#
# LEADS.csv: gen-demo's plain columns with sql_at (created_at, became_sql, sql_at). Each lead
# is a subject: an SQL with its date an event at sql_at - created_at days, every other lead
# censored at AS_OF - created_at (survival::Surv, survfit with its defaults: conf.type "log",
# 95 %). Written by R from the raw file alone, sharing nothing with mqlcal.
suppressPackageStartupMessages(library(survival))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1], colClasses = "character")
as_of <- as.Date(a[2])
created <- as.Date(d$created_at)
event <- d$became_sql == "1" & d$sql_at != ""
time <- ifelse(event, as.numeric(as.Date(ifelse(event, d$sql_at, a[2])) - created),
               as.numeric(as_of - created))
f <- survfit(Surv(time, as.integer(event)) ~ 1)
out <- data.frame(day = f$time, at_risk = f$n.risk, events = f$n.event, censored = f$n.censor,
                  surv = f$surv, se_log = f$std.err, lower = f$lower, upper = f$upper)
write.csv(out, a[3], row.names = FALSE)
q <- quantile(f, probs = c(0.5, 0.9, 0.95) * (1 - min(f$surv)), conf.int = FALSE)
cat(sprintf("R %s, survival %s: %d subjects, %d events; conditional quantiles (days): %s\n",
            paste(R.version$major, R.version$minor, sep = "."), packageVersion("survival"),
            length(time), sum(event), paste(q, collapse = " ")))
