/*
 * period.h: calendar periods (week, month, quarter) as consecutive integers.
 *
 * period_index maps a day number (days since 1970-01-01) to an integer that grows by one per
 * period: weeks start on Monday; months and quarters are calendar ones. period_label writes
 * "2025-W03" style labels: "2025-01-13" (the Monday) for weeks, "2025-01" for months, "2025-Q1"
 * for quarters.
 */
#ifndef MQLCAL_PERIOD_H
#define MQLCAL_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"

int32_t period_index(int32_t day, enum calib_period kind);

/* The first and the last day (days since 1970-01-01) of period index. */
int32_t period_first_day(int32_t index, enum calib_period kind);
int32_t period_last_day(int32_t index, enum calib_period kind);

/* How a history's leads fall into periods, and which periods its volumes stand on (the one
 * definition the sweep, the audit and the review share):
 * - the periods run from the first lead's to the last lead's (a period without leads is one
 *   with 0); data without any date is one period;
 * - the first or the last period is partial when more of its days lie before the first lead
 *   (after the last) than the data's own rhythm explains: more than max(2, 3 x the mean gap
 *   between days with leads); a partial period is left out of volume figures (when no period
 *   is whole, every one counts);
 * - leads without a date are spread evenly over the whole periods (period_plan_mean), so a
 *   volume never under-counts them. */
struct period_plan {
    int has_dates;
    int32_t period0;     /* period_index of period 0 */
    size_t nperiods;     /* first .. last */
    unsigned char *full; /* nperiods: 1 when the period counts in volumes */
    size_t nfull;        /* how many do (>= 1) */
};

/* Fills plan and idx[r] (the period of lead r, 0 .. nperiods - 1, or -1 without a date:
 * day[r] == INT32_MIN) for n leads. -1 when out of memory. plan is the caller's
 * (period_plan_release). */
int period_plan_make(const int32_t *day, size_t n, enum calib_period kind, int32_t *idx,
                     struct period_plan *plan);
void period_plan_release(struct period_plan *plan);

/* The mean per whole period of count[0 .. nperiods) plus undated spread evenly. */
double period_plan_mean(const struct period_plan *plan, const double *count, double undated);

/* buf holds at least 16 bytes. */
void period_label(int32_t index, enum calib_period kind, char *buf, size_t cap);

#endif
