/*
 * report.h: the review meeting's report: PNG charts and one self-contained HTML page.
 *
 * The report reads the store only, and no per-lead rows: the load (loads, columns, rejects),
 * the latest sweep, the fit it was made from, and the audit of that sweep when there is one.
 * It writes into <output dir>/report/: index.html (inline CSS, no script, every value from the
 * data HTML-escaped), the charts as PNG files beside it (figures.h), and each of the page's
 * tables as a CSV file. report_run writes the whole folder under a temporary name beside the
 * old one and swaps it in (renameat2 RENAME_EXCHANGE), so a reader or a crash sees the old
 * report or the new one, never a mix, and no chart of an older report lingers.
 *
 * Sections: summary, data quality, the model, validation, the sweep, disqualifiers, segment
 * audits, the quarterly review (only when the config names a previous rule file, [review]
 * previous: the latest stored review, or a sentence saying there is none yet), run provenance.
 */
#ifndef MQLCAL_REPORT_H
#define MQLCAL_REPORT_H

#include <sqlite3.h>
#include <stddef.h>

#include "mqlcal/config.h"
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

struct report_result {
    char *dir;   /* the report's folder */
    char *index; /* its index.html */
    size_t ncharts, ntables;
    double seconds_load, seconds_charts, seconds_html;
};

/* Reads the latest sweep and what goes with it, and the latest review when there is one, into d
 * (the caller's: report_release, also after a failure). MQL_EINPUT when the store has no sweep
 * ("run 'mqlcal sweep' first"). */
int report_load(sqlite3 *db, struct report_data *d, struct mql_err *err);

/* Writes the report of d into dir (created when missing); the review section only when
 * cfg->review_previous is set. MQL_EIO when a file can't be written. res is the caller's
 * (report_result_release). */
int report_write(const struct config *cfg, const struct report_data *d, const char *dir,
                 struct report_result *res, struct mql_err *err);

/* report_load, then report_write into a temporary folder swapped in as <cfg->out_dir>/report. */
int report_run(sqlite3 *db, const struct config *cfg, struct report_result *res,
               struct mql_err *err);

void report_release(struct report_data *d);
void report_result_release(struct report_result *res);

#endif
