/*
 * report_data.c: loads what the report reads from the store (report_data.h).
 */
#include "mqlcal/report_data.h"

#include <stdio.h>
#include <string.h>

/* One table of the report's data: `SELECT * FROM table` with tail (where %lld is id), checked
 * against the schema, or a query of its own (sql) when it picks or computes columns. An
 * optional table the store lacks (an older stage did not run) reads as empty. */
struct load_item {
    struct store_table *t;
    const char *table;
    int optional;
    const char *tail, *sql;
    long long id;
};

static int load_items(sqlite3 *db, const struct load_item *q, size_t n, struct mql_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char text[1024];
        snprintf(text, sizeof text, q[i].sql ? q[i].sql : q[i].tail, q[i].id);
        if (!q[i].sql)
            rc = store_table_read_all(db, q[i].table, text, q[i].optional, q[i].t, err);
        else if (q[i].optional && !store_table_exists(db, q[i].table))
            memset(q[i].t, 0, sizeof *q[i].t);
        else
            rc = store_table_read(db, text, q[i].t, err);
    }
    return rc;
}

/* The latest review and its tables (none when the store has no review yet). */
static int load_review(sqlite3 *db, struct report_data *d, struct mql_err *err)
{
    int rc =
        store_table_read_all(db, "reviews", " ORDER BY review_id DESC LIMIT 1", 1, &d->review, err);
    if (rc || d->review.nrows == 0)
        return rc;
    long long v = (long long)store_table_num(&d->review, 0, "review_id");
    d->review_id = v;
    const struct load_item q[] = {
        {&d->rv_rules, "review_rules", 1, " WHERE review_id = %lld ORDER BY rule = 'current', rule",
         NULL, v},
        {&d->rv_flips, "review_flips", 1,
         " WHERE review_id = %lld ORDER BY previous_mql DESC, current_mql DESC", NULL, v},
        {&d->rv_points, "review_points", 1, " WHERE review_id = %lld ORDER BY rowid", NULL, v},
        {&d->rv_attrs, "review_attributes", 1, " WHERE review_id = %lld ORDER BY rowid", NULL, v},
        {&d->rv_periods, "review_periods", 1, " WHERE review_id = %lld ORDER BY rowid", NULL, v},
        {&d->rv_curve, "review_curve", 1,
         " WHERE review_id = %lld ORDER BY rule = 'current', rule, threshold", NULL, v},
        {&d->rv_promise, "review_promise", 1, " WHERE review_id = %lld", NULL, v},
    };
    return load_items(db, q, ARRAY_SIZE(q), err);
}

int report_load(sqlite3 *db, struct report_data *d, struct mql_err *err)
{
    memset(d, 0, sizeof *d);
    if (!store_table_exists(db, "sweeps"))
        return mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
    int rc =
        store_table_read_all(db, "sweeps", " ORDER BY sweep_id DESC LIMIT 1", 0, &d->sweep, err);
    if (rc)
        return rc;
    if (d->sweep.nrows == 0)
        return mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
    d->sweep_id = (long long)store_table_num(&d->sweep, 0, "sweep_id");
    d->fit_id = (long long)store_table_num(&d->sweep, 0, "fit_id");
    long long f = d->fit_id, s = d->sweep_id;
    const struct load_item q[] = {
        {&d->fit, "fits", 0, " WHERE fit_id = %lld", NULL, f},
        {&d->load, "loads", 0, " LIMIT 1", NULL, 0},
        {&d->columns, "columns", 0, " ORDER BY position", NULL, 0},
        {&d->rejects, "rejects", 0, NULL,
         "SELECT reason, count(*) AS leads, min(line) AS first_line, (SELECT detail FROM rejects "
         "x WHERE x.reason = r.reason ORDER BY x.line LIMIT 1) AS detail FROM rejects r "
         "GROUP BY reason ORDER BY leads DESC, reason",
         0},
        {&d->joins, "joins", 1, " ORDER BY rowid", NULL, 0},
        {&d->maturity, "maturity", 1, " LIMIT 1", NULL, 0},
        {&d->mat_curve, "maturity_curve", 1, " ORDER BY day", NULL, 0},
        {&d->mat_periods, "maturity_periods", 1, " ORDER BY position", NULL, 0},
        {&d->attrs, "fit_attributes", 0, " WHERE fit_id = %lld ORDER BY position", NULL, f},
        {&d->levels, "fit_levels", 0, NULL,
         "SELECT l.*, a.grp AS grp FROM fit_levels l JOIN fit_attributes a ON a.fit_id = l.fit_id "
         "AND a.position = l.position WHERE l.fit_id = %lld AND a.excluded = 0 ORDER BY "
         "l.position, l.level",
         f},
        {&d->metrics, "fit_metrics", 0, " WHERE fit_id = %lld", NULL, f},
        {&d->calib, "fit_calibration", 0, " WHERE fit_id = %lld ORDER BY sample, bin", NULL, f},
        {&d->hist, "fit_histogram", 1, NULL,
         "SELECT sample, score, leads, sqls FROM fit_histogram WHERE fit_id = %lld ORDER BY "
         "sample, score",
         f},
        {&d->warnings, "fit_warnings", 0, " WHERE fit_id = %lld ORDER BY rowid", NULL, f},
        {&d->thresholds, "sweep_thresholds", 0, " WHERE sweep_id = %lld ORDER BY sample, threshold",
         NULL, s},
        {&d->grid, "sweep_grid", 0, NULL,
         "SELECT threshold, fit_min, mqls, sqls, conversion, vol_mean, vol_p90, vol_cap, "
         "sqls_per_period, feasible FROM sweep_grid WHERE sweep_id = %lld",
         s},
        {&d->dqs, "sweep_disqualifiers", 0, " WHERE sweep_id = %lld ORDER BY rowid", NULL, s},
        {&d->periods, "sweep_periods", 1, " WHERE sweep_id = %lld ORDER BY position", NULL, s},
        {&d->segments, "audit_segments", 1, " WHERE sweep_id = %lld ORDER BY rowid", NULL, s},
        {&d->seg_periods, "audit_periods", 1, " WHERE sweep_id = %lld ORDER BY rowid", NULL, s},
        {&d->feedback, "audit_feedback", 1, " WHERE sweep_id = %lld ORDER BY rowid", NULL, s},
    };
    rc = load_items(db, q, ARRAY_SIZE(q), err);
    if (!rc && d->fit.nrows == 0)
        rc = mql_err_set(err, MQL_EINPUT, "sweep %lld names fit %lld, which the store lacks", s, f);
    if (!rc && d->load.nrows == 0)
        rc = mql_err_set(err, MQL_EINPUT, "the store records no load: run 'mqlcal ingest' again");
    if (!rc)
        rc = load_review(db, d, err);
    return rc;
}

/* Every table of d, for releasing and checking them alike. */
static size_t data_tables(struct report_data *d, struct store_table **t)
{
    struct store_table *all[] = {
        &d->load,       &d->columns,  &d->rejects,  &d->joins,     &d->fit,         &d->attrs,
        &d->levels,     &d->metrics,  &d->calib,    &d->hist,      &d->warnings,    &d->sweep,
        &d->thresholds, &d->grid,     &d->dqs,      &d->periods,   &d->segments,    &d->seg_periods,
        &d->feedback,   &d->review,   &d->rv_rules, &d->rv_flips,  &d->rv_points,   &d->rv_attrs,
        &d->rv_periods, &d->rv_curve, &d->maturity, &d->mat_curve, &d->mat_periods, &d->rv_promise};
    _Static_assert(ARRAY_SIZE(all) == REPORT_TABLES, "REPORT_TABLES counts the tables");
    memcpy(t, all, sizeof all);
    return ARRAY_SIZE(all);
}

/* MQL_EIO when the report asked any of its tables for a column it does not have. */
int report_check_reads(struct report_data *d, struct mql_err *err)
{
    struct store_table *t[REPORT_TABLES];
    size_t n = data_tables(d, t);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = store_table_check(t[i], "the report", err);
    return rc;
}

void report_release(struct report_data *d)
{
    if (!d)
        return;
    struct store_table *t[REPORT_TABLES];
    size_t n = data_tables(d, t);
    for (size_t i = 0; i < n; i++)
        store_table_release(t[i]);
    memset(d, 0, sizeof *d);
}
