/*
 * outcomes.h: the outcome from a second file ([outcomes]: deals, opportunities), joined on the
 * lead id.
 *
 * The file is read whole (mqlcal's CSV grammar, the leads file's delimiter) before the leads:
 * its id column names the lead; a lead with a row is an SQL, or, with stage and its positive /
 * negative / pending lists, a lead with a positive row is an SQL, one without a positive row
 * but with a pending row (an open deal) is pending (its outcome is not known yet), and one with
 * only negative rows (or none) is not. A stage in neither list is an error naming the file, line
 * and value (it would otherwise decide nothing silently). With date, the lead's SQL date is the
 * earliest date of its positive rows, read in the column's layout (dates.h: date_format, or auto
 * from the file's values). Rows without an id, and ids no lead has, are counted, never lost: the
 * load reports matched and unmatched ids. Memory: one entry per distinct id.
 */
#ifndef MQLCAL_OUTCOMES_H
#define MQLCAL_OUTCOMES_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"

struct outcome_entry {
    char *id;
    int positive;  /* a positive row (every row without stage) */
    int pending;   /* a pending row (an open deal): without a positive row, not known yet */
    int has_day;   /* a positive row had a date */
    int32_t day;   /* the earliest one */
    uint64_t line; /* its first row's line */
    int matched;   /* set by the caller when a lead takes it */
};

struct outcomes {
    struct outcome_entry *e;
    size_t n, cap; /* open addressing, cap a power of two */
    uint64_t rows, rows_no_id, positive_rows, pending_rows;
    char sha256[65];
};

/* Reads cfg->outcomes.file into o (the caller's: outcomes_release, also after a failure).
 * MQL_EINPUT naming the file, line, column and value for a missing id, date or stage column
 * (with the nearest header names), a stage in neither list, a date that does not read, or an
 * ambiguous date column; MQL_EIO when the file cannot be read. */
int outcomes_load(const struct config *cfg, struct outcomes *o, struct mql_err *err);

/* The entry of lead id s[0..n), or NULL. */
struct outcome_entry *outcomes_find(const struct outcomes *o, const char *s, size_t n);

void outcomes_release(struct outcomes *o);

#endif
