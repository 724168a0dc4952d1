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
 * The recommendation is chosen on the training leads (those not in the fit's holdout; all
 * leads when there is none) and measured on the holdout, which took no part in choosing it or
 * the points: the selection grid's conversion and SQLs are the training leads', its volumes
 * the recent level of all leads (volumes need no outcome). The rule is the grid cell with the
 * most training SQLs among those with MQLs in the recent periods, a capacity statistic at most
 * capacity and a training conversion at least target_conversion (either constraint dropped when not
 * configured); ties go to the higher conversion, then the higher threshold, then the higher
 * fit minimum. The capacity statistic (capacity_rule: mean, p90 by default, or max) is taken
 * over the latest k whole periods (k: the holdout's length in periods, a quarter by default),
 * scaled up by the lead volume's growth per k periods when it grows (forecast.h; a decline is
 * not counted on), so the default never lets most of the months sales face now exceed
 * capacity. What the rule is expected to do next quarter (struct sweep_expect) comes from
 * forecast.h: conversion on the holdout, MQLs per period from the recent level carried one
 * quarter on, with prediction intervals and the chance of meeting both.
 * Pending leads (outcome not known yet, data.h) count as MQLs in every volume and capacity
 * figure and in no conversion: conversion is SQLs / (MQLs - pending), the base rate SQLs /
 * leads with a known outcome.
 * The headline (reasoning) leads with what not to trust: too little evidence on the holdout,
 * the holdout below the target, a weak model (lift under SWEEP_WEAK_LIFT, or a holdout AUC
 * whose interval starts under SWEEP_WEAK_AUC_LO), no holdout at all,
 * a majority of the latest whole periods over capacity, an MQL forecast too wide to plan on
 * (its interval's high over its low above SWEEP_VOLUME_SPREAD), or a chance of meeting both
 * under one half; then the expected figures, then the rule in sample.
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
#define SWEEP_WEAK_AUC_LO 0.55    /* a holdout AUC whose 95 % interval starts below: a weak model */
#define SWEEP_FORECAST_DRAWS 4000 /* draws for the chance of meeting capacity and target */
#define SWEEP_VOLUME_SPREAD 4 /* MQL interval high / low above this: "Volume hard to forecast" */
#define SWEEP_UNLIKELY                                                                             \
    0.35 /* a chance of meeting both under this: "Unlikely to hold"; under one                     \
           half: "A coin toss" */

struct sweep_row {
    int threshold;
    int fit_min; /* SWEEP_NO_FIT_MIN: none */
    size_t mqls, sqls;
    size_t pending;                      /* of the MQLs, those whose outcome is not known yet */
    double conversion, conv_lo, conv_hi; /* SQLs / (MQLs - pending); NaN when none */
    double recall, lift;
    double vol_mean, vol_max, vol_p90;
    double sqls_per_period;
    double share_fit;  /* share of periods with volume <= capacity (NaN without capacity) */
    size_t over;       /* whole periods with volume above capacity */
    size_t whole;      /* whole periods (the volumes' denominator) */
    double vol_recent; /* mean over the latest k whole periods */
    double vol_cap;    /* the capacity statistic of those, growth included (forecast.h) */
    size_t decided;    /* MQLs whose outcome the conversion counts (grid: training leads) */
    int feasible;
    /* bootstrap 95 % bands (all leads, no fit minimum) */
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

/* What the recommended rule is expected to do over the next k periods (forecast.h). */
enum sweep_basis {
    SWEEP_BASIS_HOLDOUT,  /* conversion measured on the holdout, which chose nothing */
    SWEEP_BASIS_IN_SAMPLE /* no holdout with known outcomes: on the leads it was chosen on */
};
struct sweep_expect {
    enum sweep_basis basis;
    size_t horizon;                /* k periods */
    size_t recent;                 /* whole periods the recent level stands on */
    int growth_measured;           /* enough history (three blocks of k) to measure the growth */
    double growth;                 /* lead volume's factor per k periods (1 when not measured) */
    double mqls, mqls_lo, mqls_hi; /* MQLs per period, 95 % prediction interval */
    double conversion, conv_lo, conv_hi; /* of next quarter's MQLs */
    double sqls, sqls_lo, sqls_hi;       /* SQLs per period */
    double feasible_share;         /* chance of meeting capacity and target (NaN: neither set) */
    size_t basis_mqls, basis_sqls; /* the conversion's evidence: decided MQLs and SQLs */
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
    struct sweep_row rec;         /* the recommended rule on all leads (in sample) */
    struct sweep_row rec_train;   /* the grid cell it was chosen as (training conversion) */
    struct sweep_row rec_holdout; /* the same rule on the holdout */
    struct sweep_expect expect;   /* and what it is expected to do next quarter */
    size_t k;                     /* periods in the recent level and the horizon */
    double cap_growth;            /* the capacity statistic's growth factor, >= 1 */
    char binding[32];             /* "", "capacity", "target", "both" */
    int has_near_capacity, has_near_target;
    struct sweep_row near_capacity; /* no feasible rule: the best conversion within capacity */
    struct sweep_row near_target;   /* and the lowest volume that reaches the target */
    char reasoning[1536];           /* the headline: warnings first, then the expected figures */
    char warnings[768];             /* the headline's warnings alone, "" when none */
    char leak[320]; /* the fit's first leak suspect (fit.h), "" when none: the headline's first
                       words */
    double auc, auc_lo, auc_hi; /* the fit's holdout AUC and its DeLong interval (NaN: none) */
    int bootstrap;
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
    double *period_leads;       /* nperiods: every lead, disqualified too, per period */
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
