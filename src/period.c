/*
 * period.c: calendar periods (week, month, quarter) of a day number, and their labels
 * (period.h).
 */
#include "mqlcal/period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/text.h"

/* Year and month of a day number (Howard Hinnant's civil_from_days). */
static void civil(int32_t day, int *y, int *m)
{
    int32_t z = day + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    uint32_t doe = (uint32_t)(z - era * 146097);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (*m <= 2);
}

static int32_t floor_div(int32_t a, int32_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t period_index(int32_t day, enum calib_period kind)
{
    int y, m;
    switch (kind) {
    case PERIOD_WEEK:
        /* 1970-01-01 was a Thursday: day + 3 counts from the Monday before it */
        return floor_div(day + 3, 7);
    case PERIOD_MONTH:
        civil(day, &y, &m);
        return y * 12 + m - 1;
    case PERIOD_QUARTER:
        civil(day, &y, &m);
        return y * 4 + (m - 1) / 3;
    }
    return 0;
}

void period_label(int32_t index, enum calib_period kind, char *buf, size_t cap)
{
    switch (kind) {
    case PERIOD_WEEK: {
        char iso[11];
        text_format_date(index * 7 - 3, iso);
        snprintf(buf, cap, "%s", iso);
        return;
    }
    case PERIOD_MONTH:
        snprintf(buf, cap, "%04d-%02d", (int)floor_div(index, 12),
                 (int)(index - floor_div(index, 12) * 12 + 1));
        return;
    case PERIOD_QUARTER:
        snprintf(buf, cap, "%04d-Q%d", (int)floor_div(index, 4),
                 (int)(index - floor_div(index, 4) * 4 + 1));
        return;
    }
    snprintf(buf, cap, "?");
}

int32_t period_first_day(int32_t index, enum calib_period kind)
{
    switch (kind) {
    case PERIOD_WEEK:
        return index * 7 - 3;
    case PERIOD_MONTH:
        return text_days_from_civil((int)floor_div(index, 12),
                                    (unsigned)(index - floor_div(index, 12) * 12 + 1), 1);
    case PERIOD_QUARTER:
        return text_days_from_civil((int)floor_div(index, 4),
                                    (unsigned)((index - floor_div(index, 4) * 4) * 3 + 1), 1);
    }
    return 0;
}

int32_t period_last_day(int32_t index, enum calib_period kind)
{
    return period_first_day(index + 1, kind) - 1;
}

int period_plan_make(const int32_t *day, size_t n, enum calib_period kind, int32_t *idx,
                     struct period_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    int32_t lo = INT32_MAX, hi = INT32_MIN, dlo = INT32_MAX, dhi = INT32_MIN;
    for (size_t r = 0; r < n; r++) {
        if (day[r] == INT32_MIN) {
            idx[r] = -1;
            continue;
        }
        int32_t ix = period_index(day[r], kind);
        idx[r] = ix;
        lo = ix < lo ? ix : lo;
        hi = ix > hi ? ix : hi;
        dlo = day[r] < dlo ? day[r] : dlo;
        dhi = day[r] > dhi ? day[r] : dhi;
    }
    plan->has_dates = lo != INT32_MAX;
    plan->nperiods = plan->has_dates ? (size_t)(hi - lo + 1) : 1;
    plan->period0 = plan->has_dates ? lo : 0;
    for (size_t r = 0; r < n; r++)
        idx[r] = !plan->has_dates ? 0 : idx[r] == -1 ? -1 : idx[r] - lo;
    if (!(plan->full = malloc(plan->nperiods)))
        return -1;
    memset(plan->full, 1, plan->nperiods);
    plan->nfull = plan->nperiods;
    if (!plan->has_dates)
        return 0;
    /* the data's rhythm: the mean gap between days with leads */
    unsigned char *seen = calloc((size_t)(dhi - dlo) + 1, 1);
    if (!seen)
        return -1;
    size_t days = 0;
    for (size_t r = 0; r < n; r++)
        if (day[r] != INT32_MIN && !seen[day[r] - dlo]) {
            seen[day[r] - dlo] = 1;
            days++;
        }
    free(seen);
    double gap = days > 1 ? (double)(dhi - dlo) / (double)(days - 1) : 0;
    double slack = 3 * gap > 2 ? 3 * gap : 2;
    if ((double)(dlo - period_first_day(plan->period0, kind)) > slack)
        plan->full[0] = 0;
    if ((double)(period_last_day(hi, kind) - dhi) > slack)
        plan->full[plan->nperiods - 1] = 0;
    plan->nfull = 0;
    for (size_t p = 0; p < plan->nperiods; p++)
        plan->nfull += plan->full[p];
    if (plan->nfull == 0) { /* no whole period: every one counts, rather than none */
        memset(plan->full, 1, plan->nperiods);
        plan->nfull = plan->nperiods;
    }
    return 0;
}

void period_plan_release(struct period_plan *plan)
{
    free(plan->full);
    memset(plan, 0, sizeof *plan);
}

double period_plan_mean(const struct period_plan *plan, const double *count, double undated)
{
    double sum = undated;
    for (size_t p = 0; p < plan->nperiods; p++)
        if (plan->full[p])
            sum += count[p];
    return sum / (double)plan->nfull;
}
