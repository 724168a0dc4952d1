/* sweep_store.c: a computed sweep into the store (sweeps, sweep_thresholds, sweep_grid,
 * sweep_periods, sweep_disqualifiers) and its CSV tables (sweep.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvout.h"
#include "mqlcal/clock.h"
#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"
#include "mqlcal/validate.h"

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
    struct schema_row w;
    int rc = schema_row_open(&w, db, "sweep_periods", err);
    for (size_t p = 0; p < P && !rc; p++) {
        char label[32];
        if (res->data.has_dates)
            period_label(res->period0 + (int32_t)p, cfg->period, label, sizeof label);
        else
            snprintf(label, sizeof label, "all");
        const size_t *x = c + 4 * p;
        schema_put_int(&w, res->sweep_id);
        schema_put_int(&w, (long long)p);
        schema_put_text(&w, label);
        schema_put_int(&w, (long long)x[0]);
        schema_put_int(&w, (long long)x[1]);
        schema_put_int(&w, (long long)x[2]);
        schema_put_real(&w, validate_conversion(x[2], x[1], x[3]));
        schema_put_int(&w, res->period_full && !res->period_full[p]);
        schema_put_int(&w, (long long)x[3]);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    free(c);
    return rc;
}

/* The sweep's row of sweeps; sets res->sweep_id. */
static int store_sweep_row(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                           struct mql_err *err)
{
    const struct sweep_row *r = &res->rec, *t = &res->rec_train, *h = &res->rec_holdout;
    const struct sweep_expect *e = &res->expect;
    int rec = res->has_rec, hold = rec && res->holdout.leads > 0;
    char created[32];
    clock_now_iso(created, sizeof created);
    struct schema_row w;
    int rc = schema_row_open(&w, db, "sweeps", err);
    if (rc)
        return rc;
#define INT(cond, v) schema_put_opt_int(&w, (cond), (long long)(v))
#define REAL(cond, v) schema_put_real(&w, (cond) ? (double)(v) : NAN)
#define TEXT(cond, v) schema_put_text(&w, (cond) ? (v) : NULL)
    schema_put_null(&w); /* sweep_id: the next */
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
    rc = schema_row_end(&w);
    schema_row_close(&w);
    res->sweep_id = sqlite3_last_insert_rowid(db);
    return rc;
}

/* Every threshold of both samples (sweep_thresholds). */
static int store_thresholds(sqlite3 *db, const struct sweep_result *res, struct mql_err *err)
{
    const struct sweep_sample *ss[2] = {&res->all, &res->holdout};
    struct schema_row w;
    int rc = schema_row_open(&w, db, "sweep_thresholds", err);
    for (int k = 0; k < 2 && !rc; k++)
        for (size_t t = 0; t < ss[k]->nrows && !rc; t++) {
            const struct sweep_row *x = &ss[k]->rows[t];
            schema_put_int(&w, res->sweep_id);
            schema_put_text(&w, ss[k]->name);
            schema_put_int(&w, x->threshold);
            schema_put_int(&w, (long long)x->mqls);
            schema_put_int(&w, (long long)x->sqls);
            const double v[] = {
                x->conversion,   x->conv_lo,      x->conv_hi,     x->recall,          x->lift,
                x->vol_mean,     x->vol_max,      x->vol_p90,     x->sqls_per_period, x->share_fit,
                x->band_conv_lo, x->band_conv_hi, x->band_vol_lo, x->band_vol_hi};
            for (size_t q = 0; q < ARRAY_SIZE(v); q++)
                schema_put_real(&w, v[q]);
            schema_put_int(&w, (long long)x->pending);
            schema_put_real(&w, x->vol_recent);
            schema_put_real(&w, x->vol_cap);
            rc = schema_row_end(&w);
        }
    schema_row_close(&w);
    return rc;
}

/* The grid cells with MQLs (sweep_grid). */
static int store_grid(sqlite3 *db, const struct sweep_result *res, struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "sweep_grid", err);
    for (size_t g = 0; g < res->ngrid && !rc; g++) {
        const struct sweep_row *x = &res->grid[g];
        if (x->mqls == 0)
            continue;
        schema_put_int(&w, res->sweep_id);
        schema_put_int(&w, x->threshold);
        schema_put_opt_int(&w, x->fit_min != SWEEP_NO_FIT_MIN, x->fit_min);
        schema_put_int(&w, (long long)x->mqls);
        schema_put_int(&w, (long long)x->sqls);
        schema_put_real(&w, x->conversion);
        schema_put_real(&w, x->vol_mean);
        schema_put_real(&w, x->vol_max);
        schema_put_real(&w, x->vol_p90);
        schema_put_real(&w, x->sqls_per_period);
        schema_put_real(&w, x->share_fit);
        schema_put_int(&w, x->feasible);
        schema_put_int(&w, (long long)x->pending);
        schema_put_int(&w, (long long)x->decided);
        schema_put_real(&w, x->vol_recent);
        schema_put_real(&w, x->vol_cap);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* What each [rules] disqualify item removed (sweep_disqualifiers). */
static int store_disqualifiers(sqlite3 *db, const struct sweep_result *res, struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "sweep_disqualifiers", err);
    for (size_t q = 0; q < res->ndq && !rc; q++) {
        const struct sweep_disqualifier *x = &res->dq[q];
        schema_put_int(&w, res->sweep_id);
        schema_put_text(&w, x->rule);
        schema_put_text(&w, x->column);
        schema_put_text(&w, x->value);
        schema_put_int(&w, (long long)x->leads);
        schema_put_int(&w, (long long)x->sqls);
        schema_put_real(&w, sweep_dq_conversion(x));
        schema_put_int(&w, (long long)x->mqls_blocked);
        schema_put_int(&w, (long long)x->sqls_blocked);
        schema_put_int(&w, (long long)x->pending);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

int sweep_store(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                struct mql_err *err)
{
    int rc = schema_create(db, "sweep", err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err)))
        return rc;
    if (!(rc = store_sweep_row(db, cfg, res, err)) && !(rc = store_thresholds(db, res, err)) &&
        !(rc = store_grid(db, res, err)) && !(rc = store_disqualifiers(db, res, err)) &&
        !(rc = store_periods(db, cfg, res, err)))
        rc = store_exec(db, "COMMIT", err);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return write_csvs(cfg, res, err);
}
