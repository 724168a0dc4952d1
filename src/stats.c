/* stats.c: the shared statistical rules: NaN-aware ordering, Holm and Benjamini-Hochberg
 * (stats.h). */
#include "mqlcal/stats.h"

#include <math.h>
#include <stdlib.h>

int stats_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

struct ranked {
    double p;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p)
        return (x->p > y->p) - (x->p < y->p);
    return (x->i > y->i) - (x->i < y->i);
}

static struct ranked *ranks(const double *p, size_t n)
{
    struct ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){p[i], i};
    qsort(r, n, sizeof *r, cmp_ranked);
    return r;
}

int stats_holm(const double *p, size_t n, double *adj)
{
    struct ranked *r = ranks(p, n);
    if (!r)
        return -1;
    double run = 0;
    for (size_t k = 0; k < n; k++) { /* the k-th smallest, times the tests left, kept monotone */
        run = fmax(run, fmin(1.0, (double)(n - k) * r[k].p));
        adj[r[k].i] = run;
    }
    free(r);
    return 0;
}

int stats_bh(const double *p, size_t n, double *adj)
{
    struct ranked *r = ranks(p, n);
    if (!r)
        return -1;
    double run = 1;
    for (size_t k = n; k-- > 0;) { /* from the largest: n / rank times p, kept monotone */
        run = fmin(run, (double)n / (double)(k + 1) * r[k].p);
        adj[r[k].i] = fmin(1.0, run);
    }
    free(r);
    return 0;
}
