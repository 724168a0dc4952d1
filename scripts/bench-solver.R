# Times R's glm(family = binomial) on the design that `mqlcal fit --dump-design PREFIX` wrote
# (training rows, factors with mqlcal's reference levels) and prints: the median seconds of RUNS
# fits, the largest absolute coefficient difference from mqlcal's (COEF_CSV: column,coef from
# the store), and glm's iteration count.
# Usage: Rscript bench-solver.R PREFIX COEF_CSV RUNS
args <- commandArgs(trailingOnly = TRUE)
prefix <- args[1]; coef_csv <- args[2]; runs <- as.integer(args[3])
lv <- read.csv(paste0(prefix, "-levels.csv"), stringsAsFactors = FALSE)
d <- read.csv(paste0(prefix, ".csv"), check.names = FALSE)
d <- d[d$holdout == 0, ]
df <- data.frame(y = d$y)
for (a in unique(lv$attribute)) {
  l <- lv[lv$attribute == a, ]
  ref <- l$level[l$reference == 1]
  df[[a]] <- factor(d[[a]], levels = c(ref, l$level[l$reference == 0]))
}
times <- numeric(runs)
for (i in seq_len(runs)) {
  times[i] <- system.time(fit <- glm(y ~ ., data = df, family = binomial))[["elapsed"]]
}
ours <- read.csv(coef_csv)
b <- coef(fit)
diff <- max(abs(b[ours$column + 1] - ours$coef), na.rm = TRUE)
cat(sprintf("%.3f %.2e %d\n", median(times), diff, fit$iter))
