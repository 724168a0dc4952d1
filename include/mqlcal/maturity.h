/*
 * maturity.h: outcomes take time. The outcome is "an SQL within `window` days of creation", and
 * a lead whose window has not closed by `as_of` (the day the export was taken) is immature: its
 * outcome is not known yet.
 *
 * Active when the leads have a creation date ([data] date) and SQL dates ([data] outcome_date,
 * or [outcomes] date). Run by ingest after the rows are loaded (maturity_apply), it:
 * - takes as_of from [data] as_of, else the latest creation or SQL date of the loaded leads;
 * - estimates the time from creation to SQL by Kaplan-Meier over every dated lead: an SQL with
 *   its date is an event at its lag, every other lead (not an SQL yet, or pending) is censored
 *   at as_of - created; an SQL without a date (an outcome column says SQL, outcome_date is
 *   empty) and a lead without a creation date are left out of the curve. The share converted by
 *   day t is F(t) = 1 - S(t), with R's default 95 % band (survfit conf.type = "log": S exp(+-1.96
 *   se), se the Greenwood standard error of log S). The percentiles of time to SQL are those of
 *   the leads that convert: the first day t with F(t) >= q F(t_last), t_last the curve's last
 *   day (maturity_quantile);
 * - takes the window from [data] window, else proposes the 95th percentile (rounded up to a
 *   whole day) and uses it;
 * - classifies each lead (leads._maturity) and sets its outcome (leads._outcome):
 *     sql          an SQL whose date is at most window days after creation: 1
 *     late_sql     an SQL later than that: 0 (the definition's negative)
 *     sql_undated  an SQL without a date, whose window has closed: 1 (the flag is trusted)
 *     mature       not an SQL, its window closed (as_of - created >= window): 0
 *     immature     its window still open (as_of - created < window), SQL so far or not: NULL
 *     undated      no creation date: NULL (it cannot be placed in time)
 *     pending      an open deal ([data] / [outcomes] pending): NULL, as before
 *   An immature lead that has converted already is NULL too, not 1: keeping the converters of
 *   the latest weeks and dropping their non-converting neighbours would select on the outcome
 *   and inflate every conversion (docs/maturity.md measures by how much). Every NULL lead is
 *   scored and counted in MQL volume and capacity, and left out of the fit, calibration,
 *   holdout metrics and every conversion (data.h: known);
 * - writes the tables maturity (one row), maturity_curve and maturity_periods (docs/store.md).
 */
#ifndef MQLCAL_MATURITY_H
#define MQLCAL_MATURITY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

#define MATURITY_MAX_WINDOW CONFIG_MAX_WINDOW /* days */

/* One step of a Kaplan-Meier curve: the leads at risk at day t, the events (SQLs) and the
 * censored on t, S just after t, the Greenwood standard error of log S, and the band of S. */
struct km_step {
    int32_t t;
    uint64_t at_risk, events, censored;
    double surv, se_log, lo, hi; /* lo, hi: NAN where S = 0 */
};

struct km_curve {
    struct km_step *s; /* one per distinct time (events or censorings), ascending */
    size_t n;
    uint64_t subjects, events;
};

/* The curve of n subjects (time[i] >= 0 days, event[i] 1 for an SQL, 0 for censored); k is the
 * caller's (km_release). -1 when out of memory or a time is negative. */
int km_estimate(const int32_t *time, const unsigned char *event, size_t n, struct km_curve *k);
void km_release(struct km_curve *k);

/* F(t) = 1 - S(t): the share converted by day t (0 before the first step). */
double km_converted(const struct km_curve *k, int32_t t);

/* The first day t with F(t) >= q F(t_last) (the q-quantile of time to SQL among the leads that
 * convert), or -1 when the curve has no event. */
int32_t km_quantile(const struct km_curve *k, double q);

/* One loaded lead, as ingest saw it. */
struct maturity_lead {
    int32_t created; /* days since 1970-01-01, INT32_MIN without a date */
    int32_t sql;     /* the SQL day, INT32_MIN without one */
    int8_t outcome;  /* 1 SQL, 0 not, -1 pending */
};

struct maturity_stats {
    int active;
    int32_t as_of;
    char as_of_source[160];
    int window;
    char window_source[160];
    int as_of_given, window_given; /* from the config, else from the data */
    int32_t median, p90, p95;      /* days; -1 without an event */
    uint64_t sqls, late_sqls, sqls_undated, mature, immature, immature_sqls, undated, pending;
    int32_t immature_from; /* the first creation day still immature: as_of - window + 1 */
};

/* True when cfg gives creation dates and SQL dates. */
int maturity_active(const struct config *cfg);

/* The state ingest stores with a row (leads._maturity) before as_of and the window are known:
 * pending, undated, sql, sql_undated or mature; maturity_apply then moves the immature leads
 * and the late SQLs. outcome: 1, 0, or -1 pending. */
const char *maturity_first_state(int outcome, int has_created, int has_sql_date);

/* Everything above, on the n leads just loaded into db (inside ingest's transaction), whose
 * rows hold their first state: one UPDATE moves the leads whose state changes, and the states
 * are then counted back from the table against the C classification (a mismatch is MQL_EIO: a
 * bug, never a silent difference). today
 * bounds an explicit as_of. MQL_EINPUT when no window can be proposed (no SQL has a date) or
 * the config's as_of is after today. */
int maturity_apply(sqlite3 *db, const struct config *cfg, const struct maturity_lead *leads,
                   size_t n, int32_t today, struct maturity_stats *st, struct mql_err *err);

/* Without SQL dates mqlcal cannot tell an immature lead from a failure. The check: the leads of
 * the last MATURITY_RECENT_MONTHS calendar months with a known outcome against every earlier
 * one, a one-sided two-proportion z-test (pooled variance) at MATURITY_ALPHA, and a fall to
 * less than MATURITY_FALL of the earlier rate. Under no change it fires at most MATURITY_ALPHA
 * of the time (docs/maturity.md: the simulation). Returns 1 and fills the rates and z when it
 * fires, 0 when not (or without enough leads: at least 30 in each part), -1 out of memory. */
#define MATURITY_RECENT_MONTHS 2
#define MATURITY_ALPHA 0.001
#define MATURITY_FALL 0.75
struct maturity_decline {
    uint64_t recent_leads, recent_sqls, earlier_leads, earlier_sqls;
    double recent_rate, earlier_rate, z, p;
    int32_t recent_from; /* the first day of the recent months */
};
int maturity_decline(const int32_t *day, const unsigned char *y, const unsigned char *known,
                     size_t n, struct maturity_decline *out);

#endif
