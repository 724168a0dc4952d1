/*
 * forecast.h: what a rule will do next quarter, with prediction intervals.
 *
 * The sweep chooses a rule on history; this module turns the rule's history into a promise
 * about the next `k` periods (k = the holdout's length in periods, a quarter by default):
 *
 * - MQLs per period. The level is the mean of the rule's latest k whole periods (the recent
 *   level: the volume sales face now, growth to date included). The history's whole periods
 *   are cut, back from the latest, into blocks of k; D_j is the change of log lead volume (all
 *   leads, the rule's driver, steadier than the rule's own counts) from one block to the next.
 *   The forecast is level x exp(mean D) (the growth per block carried one block on), and its
 *   prediction interval on the log scale is  +- t(0.975, nD - 1) x sqrt(V),
 *     V = max(0, var D - Poisson part of var D) x (1 + 1/nD) + 1/(k m) + 1/(k mu)
 *   (the block-to-block change beyond counting noise, its mean's uncertainty, and the rule's
 *   own counting noise in the recent block, m a period, and in the next, mu). With fewer than
 *   three blocks no change is measured: no growth, counting noise only, z instead of t, and
 *   `growth_measured` is 0 (the caller says so).
 * - Conversion. p = SQLs / decided MQLs on the basis (the holdout, which took no part in
 *   choosing the rule); the fresh cohort's realised conversion differs from p by p's own error
 *   and the cohort's binomial noise, and by any drift between blocks:
 *     var = p(1-p)/n + p(1-p)/(k mu) + 2 tau2,
 *   tau2 the between-block variance of the rule's conversion beyond binomial noise (moments,
 *   0 when under 3 blocks have decided MQLs); the interval is p +- z sqrt(var), in [0, 1].
 * - SQLs per period: mu x p, its log variance V + var / p^2 (the two errors independent).
 * - feasible_share: the chance that next quarter meets both capacity (the capacity_rule
 *   statistic of its k periods) and the target, by simulating the two predictive
 *   distributions (seeded; `draws` draws; month-to-month spread within a block measured on the
 *   history's blocks).
 *
 * Pure: arrays in, a struct out; allocates only scratch (MQL_EIO when out of memory).
 */
#ifndef MQLCAL_FORECAST_H
#define MQLCAL_FORECAST_H

#include <stddef.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

/* The capacity statistic of periods v[0..n) scaled by `scale`: mean, 90th percentile (type 7)
 * or maximum; v is reordered. NaN for n = 0. */
double forecast_capacity_stat(double *v, size_t n, enum capacity_rule rule, double scale);

/* The latest k whole periods' indexes, latest first, into out (at most k); returns how many
 * (fewer when the history has fewer whole periods). whole may be NULL (every period is). */
size_t forecast_recent(const unsigned char *whole, size_t n, size_t k, size_t *out);

/* Lead volume's growth per block of k whole periods: exp(mean D) as above, 1 with fewer than
 * three blocks (*measured = 0). */
double forecast_growth(const double *leads, const unsigned char *whole, size_t n, size_t k,
                       int *measured);

struct forecast_input {
    size_t n;                         /* periods of the history */
    const unsigned char *whole;       /* n: 1 for a whole period (NULL: all are) */
    const double *leads;              /* n: all leads per period (the volume's driver) */
    const double *mqls;               /* n: the rule's MQLs per period (pending ones included) */
    const double *decided;            /* n: the rule's MQLs with a known outcome, per period */
    const double *sqls;               /* n: their SQLs */
    size_t k;                         /* the recent level's and the horizon's length, periods */
    size_t basis_decided, basis_sqls; /* the conversion's basis (the holdout's counts) */
    double capacity, target;          /* 0: none */
    enum capacity_rule rule;
    unsigned long seed;
    int draws; /* for feasible_share; 0: not computed (NaN) */
};

struct forecast {
    size_t recent;       /* whole periods in the recent level (<= k) */
    size_t blocks;       /* blocks of k whole periods in the history */
    int growth_measured; /* three blocks or more */
    double growth;       /* lead volume's factor per block (1 when not measured) */
    double level;        /* the rule's mean MQLs over the recent periods */
    double mqls, mqls_lo, mqls_hi;
    double conversion, conv_lo, conv_hi;
    double sqls, sqls_lo, sqls_hi;
    double tau2;           /* between-block variance of conversion beyond binomial noise */
    double feasible_share; /* NaN when draws = 0 */
};

int forecast_rule(const struct forecast_input *in, struct forecast *out, struct mql_err *err);

#endif
