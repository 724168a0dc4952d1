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

/* buf holds at least 16 bytes. */
void period_label(int32_t index, enum calib_period kind, char *buf, size_t cap);

#endif
