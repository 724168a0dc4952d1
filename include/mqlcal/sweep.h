/*
 * sweep.h: the MQL rule: thresholds against conversion, volume per period and capacity.
 *
 * Reads the scores of the latest fit beside the leads (outcome, date, the [rules] disqualify
 * columns, the [segments] columns and the feedback column) and computes, for every integer
 * threshold from the lowest score to the highest, on all leads and on the holdout: MQLs (leads
 * at or above it that no disqualifier excludes), SQLs among them, conversion with a Wilson 95 %
 * interval, recall (share of all SQLs in the sample), lift over the sample's base rate, MQLs
 * per period (mean over the sample's whole periods, the busiest, the 90th percentile), SQLs per
 * period (conversion x mean MQLs), and the share of periods whose volume fits capacity. A
 * period the data covers only in part (the first or last, as the leads' dates span them) is
 * left out of the volume figures (unless no period is whole); MQLs without a date are spread
 * evenly over the whole periods, so they count in the volume. The same on the grid of
 * (threshold, fit minimum) on all leads, the fit minimum being "none" or any fit score.
 *
 * The recommendation is the rule on all leads with the most SQLs, among those with MQLs, mean
 * MQLs per period (or the 90th percentile with capacity_rule = p90) at most capacity, and
 * conversion at least target_conversion (either constraint is dropped when not configured);
 * ties go to the higher conversion, then the higher threshold, then the higher fit minimum.
 * Pending leads (outcome not known yet, data.h) count as MQLs in every volume and capacity
 * figure and in no conversion: conversion is SQLs / (MQLs - pending), the base rate SQLs /
 * leads with a known outcome.
 * The headline (reasoning) states the rule in sample, then on the holdout, and leads with what
 * not to trust: too little evidence on the holdout, the holdout below the target, a weak model
 * (lift under SWEEP_WEAK_LIFT), no holdout at all, or a majority of the latest whole periods
 * (holdout_months of them) over capacity.
 * Without dates the data is one period. Bands come from a Poisson bootstrap (each lead weighted
 * by a Poisson(1) draw, seeded), done on counts so it costs little.
 */
#ifndef MQLCAL_SWEEP_H
#define MQLCAL_SWEEP_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/data.h"
#include "mqlcal/err.h"

#define SWEEP_NO_FIT_MIN INT32_MIN /* fit_min of a rule without a fit minimum */
#define SWEEP_MAX_FIT_MINS 200     /* fit minimums in the grid at most (evenly chosen) */
/* The headline's evidence rule (explain): the recommended rule on the holdout needs this many
 * MQLs with a known outcome and SQLs to be confirmed, and a lift over the holdout's base rate
 * of at least SWEEP_WEAK_LIFT, else the headline says so first. */
#define SWEEP_MIN_EVIDENCE_MQLS 30
#define SWEEP_MIN_EVIDENCE_SQLS 10
#define SWEEP_WEAK_LIFT 1.2

struct sweep_row {
    int threshold;
    int fit_min; /* SWEEP_NO_FIT_MIN: none */
    size_t mqls, sqls;
    size_t pending;                      /* of the MQLs, those whose outcome is not known yet */
    double conversion, conv_lo, conv_hi; /* SQLs / (MQLs - pending); NaN when none */
    double recall, lift;
    double vol_mean, vol_max, vol_p90;
    double sqls_per_period;
    double share_fit; /* share of periods with volume <= capacity (NaN without capacity) */
    int feasible;
    /* bootstrap 95 % bands (all leads, no fit minimum, and the recommended rule) */
    double band_conv_lo, band_conv_hi, band_vol_lo, band_vol_hi;
};

struct sweep_sample {
    const char *name; /* "all" or "holdout" */
    size_t leads, sqls, nperiods;
    struct sweep_row *rows; /* one per threshold, min_score .. max_score, no fit minimum */
    size_t nrows;
};

struct sweep_disqualifier {
    char *rule;                        /* "column:value" as configured */
    char *column;                      /* trimmed */
    char *value;                       /* trimmed; compared case-insensitively */
    size_t leads, sqls;                /* all leads it removes, and their SQLs */
    size_t pending;                    /* of those leads, outcome not known yet */
    size_t mqls_blocked, sqls_blocked; /* of them, those at or above the recommended rule */
};

struct sweep_result {
    long long sweep_id, fit_id;
    int min_score, max_score;
    struct sweep_sample all, holdout;
    struct sweep_row *grid; /* nfit_mins x (max_score - min_score + 1), fit minimum major */
    size_t ngrid;
    int *fit_mins; /* the grid's fit minimums, SWEEP_NO_FIT_MIN first */
    size_t nfit_mins;
    int has_rec;
    struct sweep_row rec;         /* the recommended rule (all leads), with its bands */
    struct sweep_row rec_holdout; /* the same rule on the holdout */
    char binding[32];             /* "", "capacity", "target", "both" */
    int has_near_capacity, has_near_target;
    struct sweep_row near_capacity; /* no feasible rule: the best conversion within capacity */
    struct sweep_row near_target;   /* and the lowest volume that reaches the target */
    char reasoning[1024];
    char leak[320]; /* the fit's first leak suspect (fit.h), "" when none: the headline's first
                       words */
    int bootstrap;
    double feasible_share; /* replicates in which the recommended rule stays feasible */
    struct sweep_disqualifier *dq;
    size_t ndq;

    /* per lead, for the audit (rows of data, in lead id order) */
    struct data data; /* segments[] holds the [segments] columns, then the disqualify columns,
                         then the feedback column */
    size_t nseg_cols; /* how many of data.segments are [segments] columns */
    int feedback_col; /* index in data.segments, or -1 */
    int *score, *fit_score;
    double *p;
    unsigned char *in_holdout, *dq_flag; /* dq_flag: 1 + the disqualifier's index, or 0 */
    int32_t *period;                     /* 0 .. nperiods - 1, or -1 without a date */
    size_t nperiods;
    int32_t period0;            /* period_index of period 0 */
    unsigned char *period_full; /* nperiods: 1 when the data covers the period whole; a partial
                                   (first or last) period is left out of the volume figures */
    double seconds_load, seconds_compute;
};

/* Loads and computes; res is the caller's (sweep_release, also after a failure). Fails with
 * MQL_EINPUT when the store has no fit ("run 'mqlcal fit' first") or a disqualifier names a
 * column the store lacks; MQL_EIO on store or memory failures. */
int sweep_compute(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                  struct mql_err *err);

/* Stores the sweep as a new run (sweeps, sweep_thresholds, sweep_grid, sweep_disqualifiers)
 * and writes sweep.csv, sweep_grid.csv and disqualifiers.csv into cfg->out_dir. */
int sweep_store(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                struct mql_err *err);

/* The word for a period: the config's ("month") or, when the data has no dates, "period"
 * (all of the data is one). */
const char *sweep_period_word(const struct config *cfg, const struct sweep_result *res);

/* SQLs among the leads a disqualifier removes whose outcome is known (NaN when none). */
double sweep_dq_conversion(const struct sweep_disqualifier *q);

/* Whether lead r is an MQL under the recommended rule (0 without one). */
int sweep_is_mql(const struct sweep_result *res, size_t r);

void sweep_release(struct sweep_result *res);

#endif
