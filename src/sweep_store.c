/* sweep_store.c: a computed sweep into the store (sweeps, sweep_thresholds, sweep_grid,
 * sweep_periods, sweep_disqualifiers) and its CSV tables (sweep.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvout.h"
#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"
#include "mqlcal/validate.h"

static void bind_fit_min(sqlite3_stmt *st, int i, int fm)
{
    if (fm == SWEEP_NO_FIT_MIN)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, fm);
}

static int write_csvs(const struct config *cfg, const struct sweep_result *res, struct mql_err *err)
{
    char path[4096];
    struct csvout w;
    int rc;
    snprintf(path, sizeof path, "%s/sweep.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *head[] = {"sample",
                          "threshold",
                          "mqls",
                          "sqls",
                          "conversion",
                          "conv_lo",
                          "conv_hi",
                          "recall",
                          "lift",
                          "mqls_per_period",
                          "busiest",
                          "p90",
                          "sqls_per_period",
                          "share_fit",
                          "band_conv_lo",
                          "band_conv_hi",
                          "band_vol_lo",
                          "band_vol_hi",
                          "pending",
                          "recent",
                          "capacity_stat"};
    for (size_t i = 0; i < ARRAY_SIZE(head); i++)
        csvout_text(&w, head[i]);
    csvout_row(&w);
    const struct sweep_sample *ss[2] = {&res->all, &res->holdout};
    for (int k = 0; k < 2; k++)
        for (size_t t = 0; t < ss[k]->nrows; t++) {
            const struct sweep_row *r = &ss[k]->rows[t];
            csvout_text(&w, ss[k]->name);
            csvout_int(&w, r->threshold);
            csvout_int(&w, (long long)r->mqls);
            csvout_int(&w, (long long)r->sqls);
            double v[] = {
                r->conversion,   r->conv_lo,      r->conv_hi,     r->recall,          r->lift,
                r->vol_mean,     r->vol_max,      r->vol_p90,     r->sqls_per_period, r->share_fit,
                r->band_conv_lo, r->band_conv_hi, r->band_vol_lo, r->band_vol_hi};
            for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                csvout_real(&w, v[i]);
            csvout_int(&w, (long long)r->pending);
            csvout_real(&w, r->vol_recent);
            csvout_real(&w, r->vol_cap);
            csvout_row(&w);
        }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/sweep_grid.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *gh[] = {"threshold",       "fit_min",         "mqls",     "sqls",
                        "conversion",      "mqls_per_period", "busiest",  "p90",
                        "sqls_per_period", "share_fit",       "feasible", "decided",
                        "recent",          "capacity_stat"};
    for (size_t i = 0; i < ARRAY_SIZE(gh); i++)
        csvout_text(&w, gh[i]);
    csvout_row(&w);
    for (size_t i = 0; i < res->ngrid; i++) {
        const struct sweep_row *r = &res->grid[i];
        if (r->mqls == 0) /* above every lead of the fit class: nothing to show */
            continue;
        csvout_int(&w, r->threshold);
        if (r->fit_min == SWEEP_NO_FIT_MIN)
            csvout_text(&w, "none");
        else
            csvout_int(&w, r->fit_min);
        csvout_int(&w, (long long)r->mqls);
        csvout_int(&w, (long long)r->sqls);
        csvout_real(&w, r->conversion);
        csvout_real(&w, r->vol_mean);
        csvout_real(&w, r->vol_max);
        csvout_real(&w, r->vol_p90);
        csvout_real(&w, r->sqls_per_period);
        csvout_real(&w, r->share_fit);
        csvout_int(&w, r->feasible);
        csvout_int(&w, (long long)r->decided);
        csvout_real(&w, r->vol_recent);
        csvout_real(&w, r->vol_cap);
        csvout_row(&w);
    }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/disqualifiers.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *dh[] = {"rule", "leads", "sqls", "conversion", "mqls_blocked", "sqls_blocked"};
    for (size_t i = 0; i < ARRAY_SIZE(dh); i++)
        csvout_text(&w, dh[i]);
    csvout_row(&w);
    for (size_t i = 0; i < res->ndq; i++) {
        const struct sweep_disqualifier *q = &res->dq[i];
        csvout_text(&w, q->rule);
        csvout_int(&w, (long long)q->leads);
        csvout_int(&w, (long long)q->sqls);
        csvout_real(&w, sweep_dq_conversion(q));
        csvout_int(&w, (long long)q->mqls_blocked);
        csvout_int(&w, (long long)q->sqls_blocked);
        csvout_row(&w);
    }
    return csvout_close(&w, err);
}

/* Leads, MQLs and SQLs per period at the recommended rule (every period, also those without
 * leads), into sweep_periods. */
static int store_periods(sqlite3 *db, const struct config *cfg, const struct sweep_result *res,
                         struct mql_err *err)
{
    size_t P = res->nperiods;
    size_t *c = calloc(4 * (P ? P : 1), sizeof *c); /* leads, MQLs, SQLs, pending MQLs */
    if (!c)
        return mql_err_oom(err);
    for (size_t r = 0; r < res->data.n; r++) {
        if (res->period[r] < 0)
            continue;
        size_t *x = c + 4 * (size_t)res->period[r];
        x[0]++;
        if (res->has_rec && sweep_is_mql(res, r)) {
            x[1]++;
            x[2] += res->data.y[r];
            x[3] += !res->data.known[r];
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO sweep_periods VALUES(?,?,?,?,?,?,?,?,?)", &st, err);
    for (size_t p = 0; p < P && !rc; p++) {
        char label[32];
        if (res->data.has_dates)
            period_label(res->period0 + (int32_t)p, cfg->period, label, sizeof label);
        else
            snprintf(label, sizeof label, "all");
        sqlite3_bind_int64(st, 1, res->sweep_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)p);
        sqlite3_bind_text(st, 3, label, -1, SQLITE_TRANSIENT);
        const size_t *x = c + 4 * p;
        sqlite3_bind_int64(st, 4, (sqlite3_int64)x[0]);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)x[1]);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)x[2]);
        store_bind_real(st, 7, validate_conversion(x[2], x[1], x[3]));
        sqlite3_bind_int(st, 8, res->period_full && !res->period_full[p]);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)x[3]);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    free(c);
    return rc;
}

static const char *sweeps_insert =
    "INSERT INTO sweeps(fit_id, created_at, period, periods, capacity, capacity_rule,"
    " target_conversion, bootstrap, seed, recommended, threshold, fit_min, mqls, sqls,"
    " conversion, conv_lo, conv_hi, recall, vol_mean, vol_p90, vol_recent, vol_cap, months_over,"
    " months_whole, train_mqls, train_sqls, train_conversion, holdout_mqls, holdout_sqls,"
    " holdout_conversion, holdout_conv_lo, holdout_conv_hi, basis, horizon, recent_periods,"
    " growth, exp_mqls, exp_mqls_lo, exp_mqls_hi, exp_conversion, exp_conv_lo, exp_conv_hi,"
    " exp_sqls, exp_sqls_lo, exp_sqls_hi, feasible_share, binding, reasoning, warnings, pending,"
    " holdout_pending) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* The sweeps row, bound in the column order of sweeps_insert; the count of binds is checked
 * against the statement's parameters. */
static int bind_sweep(sqlite3_stmt *st, const struct config *cfg, const struct sweep_result *res,
                      const char *created, struct mql_err *err)
{
    const struct sweep_row *r = &res->rec, *t = &res->rec_train, *h = &res->rec_holdout;
    const struct sweep_expect *e = &res->expect;
    int i = 1, rec = res->has_rec, hold = rec && res->holdout.leads > 0;
#define INT(cond, v) ((cond) ? sqlite3_bind_int64(st, i++, (sqlite3_int64)(v)) : (i++, 0))
#define REAL(cond, v) (store_bind_real(st, i++, (cond) ? (double)(v) : NAN))
#define TEXT(cond, v) ((cond) ? sqlite3_bind_text(st, i++, (v), -1, SQLITE_STATIC) : (i++, 0))
    INT(1, res->fit_id);
    TEXT(1, created);
    TEXT(1, sweep_period_word(cfg, res));
    INT(1, res->all.nperiods);
    REAL(cfg->capacity > 0, cfg->capacity);
    TEXT(1, cfg->capacity_rule == CAPACITY_MEAN  ? "mean"
            : cfg->capacity_rule == CAPACITY_MAX ? "max"
                                                 : "p90");
    REAL(cfg->target_conversion > 0, cfg->target_conversion);
    INT(1, res->bootstrap);
    INT(1, cfg->seed);
    INT(1, rec);
    INT(rec, r->threshold);
    INT(rec && r->fit_min != SWEEP_NO_FIT_MIN, r->fit_min);
    INT(rec, r->mqls);
    INT(rec, r->sqls);
    REAL(rec, r->conversion);
    REAL(rec, r->conv_lo);
    REAL(rec, r->conv_hi);
    REAL(rec, r->recall);
    REAL(rec, r->vol_mean);
    REAL(rec, r->vol_p90);
    REAL(rec, t->vol_recent);
    REAL(rec, t->vol_cap);
    INT(rec && cfg->capacity > 0, r->over);
    INT(rec, r->whole);
    INT(rec, t->decided);
    INT(rec, t->sqls);
    REAL(rec, t->conversion);
    INT(hold, h->mqls);
    INT(hold, h->sqls);
    REAL(hold, h->conversion);
    REAL(hold, h->conv_lo);
    REAL(hold, h->conv_hi);
    TEXT(rec, e->basis == SWEEP_BASIS_HOLDOUT ? "holdout" : "in_sample");
    INT(rec, e->horizon);
    INT(rec, e->recent);
    REAL(rec && e->growth_measured, e->growth);
    REAL(rec, e->mqls);
    REAL(rec, e->mqls_lo);
    REAL(rec, e->mqls_hi);
    REAL(rec, e->conversion);
    REAL(rec, e->conv_lo);
    REAL(rec, e->conv_hi);
    REAL(rec, e->sqls);
    REAL(rec, e->sqls_lo);
    REAL(rec, e->sqls_hi);
    REAL(rec, e->feasible_share);
    TEXT(res->binding[0], res->binding);
    TEXT(1, res->reasoning);
    TEXT(res->warnings[0], res->warnings);
    INT(rec, r->pending);
    INT(hold, h->pending);
#undef INT
#undef REAL
#undef TEXT
    if (i - 1 != sqlite3_bind_parameter_count(st))
        return mql_err_set(err, MQL_EIO, "internal: %d values bound for the %d columns of sweeps",
                           i - 1, sqlite3_bind_parameter_count(st));
    return 0;
}

int sweep_store(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = schema_create(db, "sweep", err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err)))
        return rc;
    char created[32];
    store_now_iso(created, sizeof created);
    if ((rc = store_prepare(db, sweeps_insert, &st, err)) ||
        (rc = bind_sweep(st, cfg, res, created, err)))
        goto out;
    if ((rc = store_step_done(db, st, err)))
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    res->sweep_id = sqlite3_last_insert_rowid(db);

    if ((rc = store_prepare(db,
                            "INSERT INTO sweep_thresholds VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                            "?,?,?,?,?,?)",
                            &st, err)))
        goto out;
    const struct sweep_sample *ss[2] = {&res->all, &res->holdout};
    for (int k = 0; k < 2 && !rc; k++)
        for (size_t t = 0; t < ss[k]->nrows && !rc; t++) {
            const struct sweep_row *x = &ss[k]->rows[t];
            int j = 1;
            sqlite3_bind_int64(st, j++, res->sweep_id);
            sqlite3_bind_text(st, j++, ss[k]->name, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, j++, x->threshold);
            sqlite3_bind_int64(st, j++, (sqlite3_int64)x->mqls);
            sqlite3_bind_int64(st, j++, (sqlite3_int64)x->sqls);
            double v[] = {
                x->conversion,   x->conv_lo,      x->conv_hi,     x->recall,          x->lift,
                x->vol_mean,     x->vol_max,      x->vol_p90,     x->sqls_per_period, x->share_fit,
                x->band_conv_lo, x->band_conv_hi, x->band_vol_lo, x->band_vol_hi};
            for (size_t q = 0; q < ARRAY_SIZE(v); q++)
                store_bind_real(st, j++, v[q]);
            sqlite3_bind_int64(st, j++, (sqlite3_int64)x->pending);
            store_bind_real(st, j++, x->vol_recent);
            store_bind_real(st, j++, x->vol_cap);
            rc = store_step_done(db, st, err);
        }
    sqlite3_finalize(st);
    st = NULL;
    if (rc || (rc = store_prepare(
                   db, "INSERT INTO sweep_grid VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, err)))
        goto out;
    for (size_t g = 0; g < res->ngrid && !rc; g++) {
        const struct sweep_row *x = &res->grid[g];
        if (x->mqls == 0)
            continue;
        sqlite3_bind_int64(st, 1, res->sweep_id);
        sqlite3_bind_int(st, 2, x->threshold);
        bind_fit_min(st, 3, x->fit_min);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)x->mqls);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)x->sqls);
        store_bind_real(st, 6, x->conversion);
        store_bind_real(st, 7, x->vol_mean);
        store_bind_real(st, 8, x->vol_max);
        store_bind_real(st, 9, x->vol_p90);
        store_bind_real(st, 10, x->sqls_per_period);
        store_bind_real(st, 11, x->share_fit);
        sqlite3_bind_int(st, 12, x->feasible);
        sqlite3_bind_int64(st, 13, (sqlite3_int64)x->pending);
        sqlite3_bind_int64(st, 14, (sqlite3_int64)x->decided);
        store_bind_real(st, 15, x->vol_recent);
        store_bind_real(st, 16, x->vol_cap);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc || (rc = store_prepare(db, "INSERT INTO sweep_disqualifiers VALUES(?,?,?,?,?,?,?,?,?,?)",
                                  &st, err)))
        goto out;
    for (size_t q = 0; q < res->ndq && !rc; q++) {
        const struct sweep_disqualifier *x = &res->dq[q];
        sqlite3_bind_int64(st, 1, res->sweep_id);
        sqlite3_bind_text(st, 2, x->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, x->column, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, x->value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)x->leads);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)x->sqls);
        store_bind_real(st, 7, sweep_dq_conversion(x));
        sqlite3_bind_int64(st, 8, (sqlite3_int64)x->mqls_blocked);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)x->sqls_blocked);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)x->pending);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc)
        rc = store_periods(db, cfg, res, err);
    if (!rc)
        rc = store_exec(db, "COMMIT", err);
out:
    sqlite3_finalize(st);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return write_csvs(cfg, res, err);
}
