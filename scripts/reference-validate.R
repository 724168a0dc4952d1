#!/usr/bin/env Rscript
# Reference numbers for tests/unit/test_validate.c, computed with pROC (Debian: r-cran-proc).
#
# The two fixtures are made by the same 32-bit LCG as the C test (fixture() there), so nothing
# has to be stored: x <- (1664525 x + 1013904223) mod 2^32, which R's doubles hold exactly.
#   ties:  score = floor(x1 / 2^27) / 8   (32 levels, many ties), y = x2 / 2^32 < 0.15 + 0.7 b / 31
#   cont:  score = x1 / 2^32              (no ties),              y = x2 / 2^32 < 0.2 + 0.6 score
# Prints C initialisers to paste into the test. Usage: Rscript scripts/reference-validate.R
suppressPackageStartupMessages(library(pROC))

lcg_fixture <- function(n, seed, ties) {
  x <- seed
  nxt <- function() {
    x <<- (1664525 * x + 1013904223) %% 4294967296
    x
  }
  score <- numeric(n)
  y <- integer(n)
  for (i in seq_len(n)) {
    x1 <- nxt()
    x2 <- nxt()
    if (ties) {
      b <- floor(x1 / 2^27)
      score[i] <- b / 8
      y[i] <- as.integer(x2 / 2^32 < 0.15 + 0.7 * b / 31)
    } else {
      score[i] <- x1 / 2^32
      y[i] <- as.integer(x2 / 2^32 < 0.2 + 0.6 * score[i])
    }
  }
  list(score = score, y = y)
}

z <- 1.959964 # the project's 95 % quantile (validate.h); pROC itself uses qnorm(0.975)

report <- function(name, f) {
  r <- roc(response = f$y, predictor = f$score, levels = c(0, 1), direction = "<", quiet = TRUE)
  a <- as.numeric(auc(r))
  v <- var(r, method = "delong")
  se <- sqrt(v)
  lo <- max(0, a - z * se)
  hi <- min(1, a + z * se)
  ci <- as.numeric(ci.auc(r, method = "delong"))

  pos <- f$score[f$y == 1]
  neg <- f$score[f$y == 0]
  t <- sort(unique(f$score))
  gap <- abs(ecdf(pos)(t) - ecdf(neg)(t))
  k <- which.max(gap) # first maximum: the lowest threshold

  # Scores of the continuous fixture are in [0, 1), so they double as probabilities.
  p <- pmin(pmax(f$score, 1e-15), 1 - 1e-15)
  brier <- mean((f$score - f$y)^2)
  ll <- -mean(f$y * log(p) + (1 - f$y) * log(1 - p))

  cat(sprintf("/* %s: n = %d, %d positives; pROC ci.auc(delong) = [%.17g, %.17g] */\n",
              name, length(f$y), sum(f$y), ci[1], ci[3]))
  cat(sprintf("static const struct ref ref_%s = {\n", name))
  cat(sprintf("    .n_pos = %d, .n_neg = %d,\n", length(pos), length(neg)))
  cat(sprintf("    .auc = %.17g,\n    .se = %.17g,\n", a, se))
  cat(sprintf("    .lo = %.17g,\n    .hi = %.17g,\n", lo, hi))
  cat(sprintf("    .ks = %.17g,\n    .ks_at = %.17g,\n", gap[k], t[k]))
  if (all(f$score <= 1)) {
    cat(sprintf("    .brier = %.17g,\n    .log_loss = %.17g,\n", brier, ll))
  }
  cat("};\n")
}

wilson <- function(k, n) {
  if (n == 0) return(c(0, 1))
  centre <- (k + z^2 / 2) / (n + z^2)
  half <- z / (n + z^2) * sqrt(k * (n - k) / n + z^2 / 4)
  c(max(0, centre - half), min(1, centre + half))
}

# Quantile bins as validate.h describes them, written independently of the C: bin b ends once
# the leads so far reach ceil(b n / m), m = min(nbins, n); a run of equal p is never split.
calibration <- function(name, p, y, nbins) {
  n <- length(p)
  m <- min(nbins, n)
  v <- sort(unique(p))
  cnt <- as.integer(table(factor(p, levels = v)))
  pos <- as.integer(tapply(y, factor(p, levels = v), sum))
  cum <- cumsum(cnt)
  edges <- ceiling(seq_len(m) * n / m)
  # A run closes a bin when it reaches the first edge not already passed by the runs before it.
  closes <- vapply(seq_along(v), function(i) {
    before <- if (i == 1) 0 else cum[i - 1]
    e <- edges[edges > before][1]
    cum[i] >= e
  }, logical(1))
  bin <- c(1, 1 + cumsum(closes)[-length(v)])
  cat(sprintf("/* %s: n = %d, nbins = %d */\n", name, n, nbins))
  cat(sprintf("static const struct validate_bin ref_%s[] = {\n", name))
  for (b in unique(bin)) {
    s <- bin == b
    nb <- sum(cnt[s])
    kb <- sum(pos[s])
    w <- wilson(kb, nb)
    cat(sprintf("    {%d, %d, %.17g, %.17g, %.17g, %.17g, %.17g, %.17g},\n", nb, kb,
                min(v[s]), max(v[s]), sum(v[s] * cnt[s]) / nb, kb / nb, w[1], w[2]))
  }
  cat("};\n")
}

ties <- lcg_fixture(400, 20261126, TRUE)
cont <- lcg_fixture(500, 12345, FALSE)
report("ties", ties)
report("cont", cont)
# Probabilities with ties: the ties fixture's scores divided by 4 lie in [0, 0.97].
calibration("calib_ties", ties$score / 4, ties$y, 10)
calibration("calib_cont", cont$score, cont$y, 7)

cat("/* Wilson at z = 1.959964: {k, n, lo, hi} */\nstatic const double ref_wilson[][4] = {\n")
for (kn in list(c(0, 10), c(5, 10), c(10, 10), c(1, 1), c(3, 7), c(81, 263))) {
  w <- wilson(kn[1], kn[2])
  cat(sprintf("    {%d, %d, %.17g, %.17g},\n", kn[1], kn[2], w[1], w[2]))
}
cat("};\n")
