#include "mqlcal/period.h"

#include <stdio.h>

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
