/*
 * clock.h: the two clocks the stages read: the wall clock for the timestamps they store, and a
 * monotonic one for how long a step took.
 */
#ifndef MQLCAL_CLOCK_H
#define MQLCAL_CLOCK_H

#include <stddef.h>

/* The current UTC time as "2026-11-26T18:53:00Z" into buf (at least 21 bytes). */
void clock_now_iso(char *buf, size_t cap);

/* Seconds on a monotonic clock, for stage timings. */
double clock_seconds(void);

#endif
