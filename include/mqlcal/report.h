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
#include "mqlcal/report_data.h"

struct report_result {
    char *dir;   /* the report's folder */
    char *index; /* its index.html */
    size_t ncharts, ntables;
    double seconds_load, seconds_charts, seconds_html;
};

/* Writes the report of d into dir (created when missing); the review section only when
 * cfg->review_previous is set. MQL_EIO when a file can't be written. res is the caller's
 * (report_result_release). */
int report_write(const struct config *cfg, const struct report_data *d, const char *dir,
                 struct report_result *res, struct mql_err *err);

/* report_load, then report_write into a temporary folder swapped in as <cfg->out_dir>/report. */
int report_run(sqlite3 *db, const struct config *cfg, struct report_result *res,
               struct mql_err *err);

void report_result_release(struct report_result *res);

#endif
