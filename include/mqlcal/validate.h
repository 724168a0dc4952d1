/*
 * validate.h: how well predicted probabilities (or scores) separate and calibrate outcomes.
 *
 * Pure functions over arrays: y[i] in {0, 1}, p[i] a predicted probability in [0, 1] or, for
 * the ranking measures, any score where higher means more likely. They never allocate unless
 * stated, never print, and are deterministic (ties are handled exactly, not by random order).
 * The functions that return a status refuse NaN scores, y outside {0, 1} and (calibration) p
 * outside [0, 1] with MQL_EINPUT naming the position; validate_brier and validate_log_loss
 * return NaN for n = 0 and treat any nonzero y as 1.
 */
#ifndef MQLCAL_VALIDATE_H
#define MQLCAL_VALIDATE_H

#include <stddef.h>

#include "mqlcal/err.h"

/* Area under the ROC curve with ties counted one half (the Mann-Whitney statistic), and its
 * 95 % interval by DeLong's method (the variance of the structural components, z = 1.959964;
 * the interval is clipped to [0, 1]). n_pos and n_neg are filled, also on failure. Needs at
 * least one of each class, else MQL_EINPUT; with a single member in a class the variance is
 * undefined: se is NaN and the interval [0, 1]. Sorts with a radix sort on the scores' bits:
 * O(n) time and scratch memory (MQL_EIO when out). */
struct validate_auc {
    double auc, lo, hi, se;
    size_t n_pos, n_neg;
};
int validate_auc(const double *score, const unsigned char *y, size_t n, struct validate_auc *out,
                 struct mql_err *err);

/* Mean squared error of p against y. n > 0. */
double validate_brier(const double *p, const unsigned char *y, size_t n);

/* Mean negative log-likelihood, with p clipped to [1e-15, 1 - 1e-15]. n > 0. */
double validate_log_loss(const double *p, const unsigned char *y, size_t n);

/* Kolmogorov-Smirnov statistic: the largest gap between the score distributions of positives
 * and negatives, max over thresholds t of |F_pos(t) - F_neg(t)|, ties kept together. Fills the
 * threshold where it occurs (a score value: the gap is measured at score <= threshold; on equal
 * gaps the lowest threshold). Needs both classes (MQL_EINPUT); allocates O(n) scratch memory. */
int validate_ks(const double *score, const unsigned char *y, size_t n, double *ks, double *at_score,
                struct mql_err *err);

/* One calibration bin: leads whose predicted probability falls in the bin. */
struct validate_bin {
    size_t n;         /* leads in the bin */
    size_t positives; /* of which converted */
    double p_min, p_max;
    double predicted; /* mean predicted probability */
    double observed;  /* positives / n */
    double lo, hi;    /* Wilson 95 % interval of observed */
};

/* Calibration by quantile bins (deciles for nbins = 10): leads sorted by p (ties kept in one
 * bin, so bins can differ in size and fewer than nbins can come back), each bin's mean
 * predicted probability against its observed rate with a Wilson interval. With m = min(nbins,
 * n), bin b closes once it reaches ceil(b n / m) leads, so no bin is empty. bins must hold
 * nbins entries; *nout is set to the number filled. n > 0, nbins > 0; allocates O(n). */
int validate_calibration(const double *p, const unsigned char *y, size_t n, size_t nbins,
                         struct validate_bin *bins, size_t *nout, struct mql_err *err);

/* Wilson score interval for k successes in n trials at z (1.959964 for 95 %). n = 0 or k > n
 * gives [0, 1]; k = 0 gives exactly 0 as the low end and k = n exactly 1 as the high end. */
void validate_wilson(size_t k, size_t n, double z, double *lo, double *hi);

/* Conversion of a group of leads of which pending have no known outcome yet: sqls / (leads -
 * pending), NaN when no outcome is known. The one rule every stage's conversion uses. */
double validate_conversion(size_t sqls, size_t leads, size_t pending);

#endif
