#!/usr/bin/env Rscript
# check-demo-model.R: fits the generator's TRUE MODEL by glm() on a file written by
# scripts/gen-demo.c and checks that every estimate lies near the true effect.
#
#   Rscript scripts/check-demo-model.R [leads.csv]     (default datasets/demo/leads.csv)
#
# The encoding is the true model's (datasets/README.md): the same reference levels, the same
# engagement bins, and a missing value as a level of its own ("(missing)"). The rare industries
# agriculture and mining share the effect of "other" by construction and are pooled into it.
# site_visits and time_on_site have no effect in the true model; they are fitted here in bins
# with a true value of 0 so that the check also tests the "no effect" claim.
#
# Prints one line per effect: the true value, the estimate, its standard error, z and whether
# the true value is within 3 standard errors. Exits 1 when more than 2 effects are further than
# that (about 0.3 % of effects are, by chance alone), 2 when the file can't be used. Base R only.

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) >= 1) args[1] else "datasets/demo/leads.csv"
if (!file.exists(path)) {
  message("check-demo-model: no file '", path, "' (run `make datasets/demo/leads.csv`)")
  quit(status = 2)
}

# The TRUE MODEL, in logit units; keep in step with the tables in scripts/gen-demo.c.
truth <- list(
  intercept = -2.3,
  channel = c(paid_search = 0, organic_search = 0.2, paid_social = -0.6, webinar = 0.3,
              events = 0.5, referral = 0.8, content_syndication = -0.8, outbound = -0.2),
  job_level = c(manager = 0, c_level = 0.6, vp = 0.8, director = 0.7,
                individual_contributor = -0.4, student = -2.0, "(missing)" = -0.5),
  company_size = c("51-200" = 0, "1-10" = -0.8, "11-50" = -0.3, "201-1000" = 0.3,
                   "1001-5000" = 0.5, "5000+" = 0.4, "(missing)" = -0.3),
  industry = c(software = 0, financial_services = 0.3, healthcare = 0.1, manufacturing = -0.1,
               retail = -0.3, education = -0.5, public_sector = -0.4, other = -0.3,
               "(missing)" = -0.2),
  country = c(US = 0, GB = -0.1, DE = -0.2, FR = -0.3, CA = 0, AU = -0.1, NL = -0.1, IN = -0.8,
              BR = -0.6, ES = -0.4, SE = 0, JP = -0.5, "(missing)" = -0.4),
  email_type = c(business = 0, free = -0.7, edu = -1.5),
  pricing_page_views = c("0" = 0, "1" = 0.6, "2-3" = 1.1, "4+" = 1.6),
  guide_downloads = c("0" = 0, "1" = 0.2, "2+" = 0.4),
  webinar_signups = c("0" = 0, "1+" = 0.5),
  email_clicks = c("0" = 0, "1-2" = 0.3, "3+" = 0.6),
  demo_request = c("0" = 0, "1" = 2.0),
  site_visits = c("0" = 0, "1-2" = 0, "3-5" = 0, "6+" = 0),
  time_on_site = c("0-59" = 0, "60-299" = 0, "300-899" = 0, "900+" = 0, "(missing)" = 0)
)

d <- tryCatch(read.csv(path, colClasses = "character", na.strings = character(0)),
              error = function(e) NULL)
need <- c("channel", "job_level", "company_size", "industry", "country", "email_type",
          "pricing_page_views", "guide_downloads", "webinar_signups", "email_clicks",
          "site_visits", "time_on_site", "demo_request", "became_sql")
if (is.null(d) || !all(need %in% names(d)) || nrow(d) == 0) {
  message("check-demo-model: '", path, "' is not a gen-demo lead export")
  quit(status = 2)
}

# A categorical column as a factor with the true model's levels, reference first.
as_level <- function(x, name, missing_codes = "") {
  x[x %in% missing_codes] <- "(missing)"
  lev <- names(truth[[name]])
  bad <- setdiff(unique(x), lev)
  if (length(bad)) stop("column '", name, "': unexpected level '", bad[1], "'")
  factor(x, levels = lev)
}
# A count in bins given by lower edges, labelled as in the truth table.
as_bin <- function(x, edges, name) {
  v <- as.integer(x)
  lab <- names(truth[[name]])
  out <- rep("(missing)", length(v))
  ok <- !is.na(v)
  out[ok] <- lab[findInterval(v[ok], edges)]
  factor(out, levels = lab)
}

industry <- d$industry
industry[industry %in% c("agriculture", "mining")] <- "other"
m <- data.frame(
  y = as.integer(d$became_sql),
  channel = as_level(d$channel, "channel"),
  job_level = as_level(d$job_level, "job_level"),
  company_size = as_level(d$company_size, "company_size", "NA"),
  industry = as_level(industry, "industry", "Select"),
  country = as_level(d$country, "country"),
  email_type = as_level(d$email_type, "email_type"),
  pricing_page_views = as_bin(d$pricing_page_views, c(0, 1, 2, 4), "pricing_page_views"),
  guide_downloads = as_bin(d$guide_downloads, c(0, 1, 2), "guide_downloads"),
  webinar_signups = as_bin(d$webinar_signups, c(0, 1), "webinar_signups"),
  email_clicks = as_bin(d$email_clicks, c(0, 1, 3), "email_clicks"),
  demo_request = as_bin(d$demo_request, c(0, 1), "demo_request"),
  site_visits = as_bin(d$site_visits, c(0, 1, 3, 6), "site_visits"),
  time_on_site = as_bin(d$time_on_site, c(0, 60, 300, 900), "time_on_site")
)
rm(d)

# Drop levels no lead has (a short file), so that glm estimates only what the data can tell.
for (v in names(m)[-1]) m[[v]] <- droplevels(m[[v]])
fit <- glm(y ~ ., family = binomial, data = m)
co <- summary(fit)$coefficients

rows <- list(data.frame(effect = "(Intercept)", true = truth$intercept))
for (v in names(truth)[-1]) {
  lev <- levels(m[[v]])[-1]
  if (length(lev))
    rows[[length(rows) + 1]] <- data.frame(effect = paste0(v, lev), true = truth[[v]][lev])
}
tab <- do.call(rbind, rows)
rownames(tab) <- NULL
tab$estimate <- co[tab$effect, "Estimate"]
tab$se <- co[tab$effect, "Std. Error"]
tab$z <- (tab$estimate - tab$true) / tab$se
tab$within3 <- abs(tab$z) <= 3

cat(sprintf("%s: %d leads, SQL rate %.4f, %d effects\n", path, nrow(m), mean(m$y), nrow(tab)))
cat(sprintf("%-34s %7s %9s %8s %7s  %s\n", "effect", "true", "estimate", "se", "z", "within 3 se"))
for (i in seq_len(nrow(tab)))
  cat(sprintf("%-34s %7.2f %9.4f %8.4f %7.2f  %s\n", tab$effect[i], tab$true[i],
              tab$estimate[i], tab$se[i], tab$z[i], if (tab$within3[i]) "yes" else "NO"))
n2 <- sum(abs(tab$z) <= 2)
n3 <- sum(tab$within3)
cat(sprintf("within 2 se: %d of %d; within 3 se: %d of %d\n", n2, nrow(tab), n3, nrow(tab)))
if (nrow(tab) - n3 > 2) {
  cat("FAIL: more than 2 effects are further than 3 se from the true model\n")
  quit(status = 1)
}
cat("ok\n")
