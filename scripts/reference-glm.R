#!/usr/bin/env Rscript
# reference-glm.R: fits R's glm on the design mqlcal dumps, as an independent reference for
# `mqlcal fit`.
#
#   Rscript scripts/reference-glm.R PREFIX OUT.csv
#
# PREFIX.csv and PREFIX-levels.csv are what `mqlcal fit CONFIG --dump-design PREFIX` writes:
# PREFIX.csv has y, holdout and one column per attribute in the model holding each lead's level
# index (0 .. L-1); PREFIX-levels.csv has attribute, level, label, reference (1 for the
# reference level) and column (the design column 1 .. p-1, -1 for the reference).
#
# Only the training rows (holdout == 0) are used, as mqlcal does. Each attribute becomes a
# factor whose levels are c(reference, the others in design-column order), so that R's
# treatment contrasts give the same columns in the same order as mqlcal; the script stops if
# they do not. The model is glm(y ~ ., family = binomial, control = glm.control(epsilon = 1e-14,
# maxit = 100)) on the columns that are not aliased (found first by qr(tol = 1e-7): see below).
# There is no penalty: where mqlcal finds separation it adds an L2 penalty, and the two differ.
#
# OUT.csv has the header term,estimate,se and one row per coefficient: "(Intercept)" and
# "attribute=label" in design-column order (estimate NA and se empty when R finds the column
# aliased), then .deviance, .null_deviance and .aic (the value in estimate, se empty). The term
# is always quoted (a double quote inside it doubled); estimate and se never are, so a reader
# can take the last two comma-separated fields as the numbers. Values are printed with %.17g.
# Warnings from glm (e.g. fitted probabilities 0 or 1, no convergence) go to stderr.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
    cat("usage: Rscript scripts/reference-glm.R PREFIX OUT.csv\n", file = stderr())
    quit(status = 1)
}
prefix <- args[1]
out <- args[2]

design <- read.csv(paste0(prefix, ".csv"), check.names = FALSE, stringsAsFactors = FALSE,
                   na.strings = character(0))
levels_df <- read.csv(paste0(prefix, "-levels.csv"), check.names = FALSE,
                      stringsAsFactors = FALSE, na.strings = character(0),
                      colClasses = c("character", "integer", "character", "integer", "integer"))

attrs <- setdiff(names(design), c("y", "holdout"))
if (!all(c("y", "holdout") %in% names(design)) || length(attrs) == 0)
    stop("PREFIX.csv must have the columns y, holdout and at least one attribute")
if (!setequal(attrs, unique(levels_df$attribute)))
    stop("the attributes of PREFIX.csv and PREFIX-levels.csv differ")

train <- design[design$holdout == 0, , drop = FALSE]
if (anyNA(train)) stop("PREFIX.csv has empty or non-numeric cells in training rows")

# Safe names x1, x2, ... so that attribute names with spaces or symbols cannot upset the
# formula; terms are named from the levels file afterwards.
df <- data.frame(y = as.integer(train$y))
term_names <- "(Intercept)"
expected_cols <- integer(0)
for (i in seq_along(attrs)) {
    a <- attrs[i]
    lv <- levels_df[levels_df$attribute == a, , drop = FALSE]
    ref <- lv$level[lv$reference == 1]
    if (length(ref) != 1) stop(sprintf("attribute '%s': expected one reference level", a))
    others <- lv[lv$reference != 1, , drop = FALSE]
    others <- others[order(others$column), , drop = FALSE]
    bad <- setdiff(unique(train[[a]]), lv$level)
    if (length(bad)) stop(sprintf("attribute '%s': level index %s not in the levels file", a,
                                  paste(bad, collapse = " ")))
    df[[paste0("x", i)]] <- factor(train[[a]], levels = c(ref, others$level))
    term_names <- c(term_names, paste0(a, "=", others$label))
    expected_cols <- c(expected_cols, others$column)
}
if (!identical(expected_cols, seq_along(expected_cols)))
    stop("the design columns of PREFIX-levels.csv are not 1 .. p-1 in attribute order")

# The model matrix must have exactly the columns expected, in order: x<i><level index>.
X <- model.matrix(y ~ ., data = df)
want <- "(Intercept)"
for (i in seq_along(attrs)) {
    lv <- levels(df[[paste0("x", i)]])
    want <- c(want, paste0("x", i, lv[-1]))
}
if (!identical(colnames(X), want)) stop("R's model matrix columns differ from mqlcal's design")

# Aliased columns. glm.fit's QR uses the tolerance min(1e-7, epsilon / 1000), which is 1e-17
# with epsilon = 1e-14: far below rounding error, so exactly collinear columns (bank-marketing's
# pdays / previous / poutcome, X Education's two "(missing)" levels) would not be detected and
# the fit would wander off to coefficients of 1e12. They are found here the way lm() and glm()
# with default settings find them, by R's LINPACK QR (dqrdc2, limited column pivoting: a column
# is dropped when it is a combination of earlier ones) with tolerance 1e-7, and the model is
# then fitted on the other columns.
qx <- qr(X, tol = 1e-7, LAPACK = FALSE)
keep <- sort(qx$pivot[seq_len(qx$rank)])
if (!(1 %in% keep)) stop("the intercept is aliased")
kept <- as.data.frame(X[, keep[-1], drop = FALSE])
names(kept) <- paste0("c", keep[-1] - 1)
kept$y <- df$y

fit <- glm(y ~ ., data = kept, family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
if (!fit$converged) warning("glm did not converge")
if (anyNA(coef(fit))) stop("glm found aliased columns that qr(tol = 1e-7) did not")

co <- rep(NA_real_, ncol(X))
se <- rep(NA_real_, ncol(X))
co[keep] <- unname(coef(fit))
se[keep] <- unname(sqrt(diag(vcov(fit))))

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
q <- function(s) paste0('"', gsub('"', '""', s, fixed = TRUE), '"')
lines <- c("term,estimate,se",
           paste(q(term_names), num(co), ifelse(is.na(se), "", num(se)), sep = ","),
           paste(q(".deviance"), num(fit$deviance), "", sep = ","),
           paste(q(".null_deviance"), num(fit$null.deviance), "", sep = ","),
           paste(q(".aic"), num(fit$aic), "", sep = ","))
writeLines(lines, out)

cat(sprintf("%s: %d training rows, %d columns (%d aliased), %d iterations, %s; deviance %.6f\n",
            out, nrow(df), length(co), sum(is.na(co)), fit$iter,
            if (fit$converged) "converged" else "NOT converged", fit$deviance), file = stderr())
