/*
 * report_data.h: what the report and its charts read from the store, loaded once.
 *
 * report_load reads the latest sweep, the fit and load it came from, the audit of that sweep
 * and the latest review into one struct report_data, every `SELECT *` table checked against
 * the schema (schema.h). The sections (report.c) and the charts (figures.c) only read it.
 * A read of a column a table does not have is recorded (store.h) and report_check_reads turns
 * it into an error, so the report fails rather than print a blank.
 */
#ifndef MQLCAL_REPORT_DATA_H
#define MQLCAL_REPORT_DATA_H

#include <sqlite3.h>

#include "mqlcal/err.h"
#include "mqlcal/store.h"

/* What the report reads, table by table (store.h's store_table). */
struct report_data {
    long long fit_id, sweep_id;
    struct store_table load;     /* loads: its one row */
    struct store_table columns;  /* columns, with missing counts */
    struct store_table rejects;  /* reason, leads, first_line, detail: one row per reason */
    struct store_table joins;    /* joins: one row per [join] table (maybe empty) */
    struct store_table maturity; /* maturity: its one row (empty without conversion windows) */
    struct store_table mat_curve, mat_periods; /* maturity_curve, maturity_periods */
    struct store_table fit;                    /* fits: the sweep's fit */
    struct store_table attrs;                  /* fit_attributes */
    struct store_table levels;                 /* fit_levels, with grp from fit_attributes */
    struct store_table metrics;                /* fit_metrics */
    struct store_table calib;                  /* fit_calibration */
    struct store_table hist;                   /* fit_histogram */
    struct store_table warnings;               /* fit_warnings */
    struct store_table sweep;                  /* sweeps: the latest */
    struct store_table thresholds, grid, dqs, periods;  /* sweep_* of that sweep */
    struct store_table segments, seg_periods, feedback; /* audit_* of that sweep (maybe empty) */
    /* the latest review (review.h), whatever sweep it was made after; review_id 0 (and the
     * tables empty) when the store holds none */
    long long review_id;
    struct store_table review;     /* reviews: its one row */
    struct store_table rv_rules;   /* review_rules: previous, then current */
    struct store_table rv_flips;   /* review_flips */
    struct store_table rv_points;  /* review_points */
    struct store_table rv_attrs;   /* review_attributes */
    struct store_table rv_periods; /* review_periods */
    struct store_table rv_curve;   /* review_curve, by rule then threshold */
    struct store_table rv_promise; /* review_promise: its one row, or none */
};

#define REPORT_TABLES 30 /* the store_tables of struct report_data */

/* Reads the latest sweep and what goes with it, and the latest review when there is one, into d
 * (the caller's: report_release, also after a failure). MQL_EINPUT when the store has no sweep
 * ("run 'mqlcal sweep' first") or a table lacks a declared column. */
int report_load(sqlite3 *db, struct report_data *d, struct mql_err *err);

/* MQL_EIO naming the column when anything asked a table of d for a column it lacks. */
int report_check_reads(struct report_data *d, struct mql_err *err);

void report_release(struct report_data *d);

#endif
