/*
 * stats.h: the small statistical rules every stage shares, in one place.
 *
 * STATS_Z95 is the 97.5 % quantile of the standard normal (R's qnorm(0.975) to 16 digits), the
 * z of every two-sided 95 % interval mqlcal prints but validate.h's (which keeps 1.959964, the
 * value its R references were made with). stats_cmp_double orders doubles ascending with NaN
 * last, for qsort. stats_holm and stats_bh adjust n p-values for multiplicity: Holm's step-down
 * (family-wise error) and Benjamini-Hochberg's step-up (false discovery rate); each writes adj[i]
 * for p[i], in [0, 1], ties handled by their order in p (the adjusted values of equal p-values
 * are equal), and allocates O(n) scratch (-1 when out of memory, adj untouched). NaN p-values
 * are not allowed.
 */
#ifndef MQLCAL_STATS_H
#define MQLCAL_STATS_H

#include <stddef.h>

#define STATS_Z95 1.959963984540054

int stats_cmp_double(const void *a, const void *b);

int stats_holm(const double *p, size_t n, double *adj);
int stats_bh(const double *p, size_t n, double *adj);

#endif
