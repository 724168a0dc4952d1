/*
 * review_store.c: storing a review (review.h): its row of reviews and its review_* tables,
 * through the schema's checked row writer, in one transaction.
 */
#include "mqlcal/review.h"

#include <math.h>
#include <stdio.h>

#include "mqlcal/clock.h"
#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/validate.h"
#include "mqlcal/version.h"

int review_create_tables(sqlite3 *db, struct mql_err *err)
{
    return schema_create(db, "review", err);
}

/* The review's row of reviews; sets res->review_id. Span columns are NULL without spans. */
static int store_head(sqlite3 *db, const struct config *cfg, struct review_result *res,
                      struct mql_err *err)
{
    char now[32], bf[11] = "", bt[11] = "", cf[11] = "", ct[11] = "";
    clock_now_iso(now, sizeof now);
    int sp = res->has_spans;
    if (sp) {
        text_format_date(res->base_from, bf);
        text_format_date(res->base_to, bt);
        text_format_date(res->cur_from, cf);
        text_format_date(res->cur_to, ct);
    }
    struct schema_row w;
    int rc = schema_row_open(&w, db, "reviews", err);
    if (!rc) {
        schema_put_null(&w); /* review_id: the next */
        schema_put_text(&w, now);
        schema_put_int(&w, res->fit_id);
        schema_put_text(&w, res->prev.source);
        schema_put_text(&w, res->cur.source);
        schema_put_int(&w, (long long)res->n);
        schema_put_int(&w, (long long)res->sqls);
        schema_put_int(&w, (long long)res->nperiods);
        schema_put_text(&w, res->has_dates ? config_period_name(cfg->period) : "period");
        schema_put_text(&w, sp ? res->base_label : NULL);
        schema_put_text(&w, sp ? bf : NULL);
        schema_put_text(&w, sp ? bt : NULL);
        schema_put_opt_int(&w, sp, (long long)res->base_n);
        schema_put_text(&w, sp ? res->cur_label : NULL);
        schema_put_text(&w, sp ? cf : NULL);
        schema_put_text(&w, sp ? ct : NULL);
        schema_put_opt_int(&w, sp, (long long)res->cur_n);
        schema_put_real(&w, res->cur.psi);
        schema_put_text(&w, sp ? review_band_name(res->psi_band) : NULL);
        schema_put_real(&w, res->prev.psi);
        schema_put_real(&w, res->psi_rules);
        schema_put_int(&w, res->flagged);
        schema_put_text(&w, sp ? NULL : res->span_note);
        schema_put_text(&w, res->summary);
        schema_put_text(&w, res->todo);
        schema_put_real(&w, res->seconds);
        schema_put_text(&w, MQLCAL_VERSION);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    res->review_id = sqlite3_last_insert_rowid(db);
    return rc;
}

/* One rule's row of review_rules and its curve (review_curve). */
static int store_side(sqlite3 *db, const char *name, const struct review_result *res,
                      const struct review_side *s, struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "review_rules", err);
    if (!rc) {
        schema_put_int(&w, res->review_id);
        schema_put_text(&w, name);
        schema_put_text(&w, s->source);
        schema_put_int(&w, s->has_rule);
        schema_put_opt_int(&w, s->has_rule, s->threshold);
        schema_put_opt_int(&w, s->has_rule && s->has_fit_min, s->fit_min);
        schema_put_int(&w, (long long)s->mqls);
        schema_put_int(&w, (long long)s->sqls);
        schema_put_real(&w, s->conversion);
        schema_put_real(&w, s->conv_lo);
        schema_put_real(&w, s->conv_hi);
        schema_put_real(&w, s->recall);
        schema_put_real(&w, s->mqls_per_period);
        schema_put_real(&w, s->sqls_per_period);
        schema_put_real(&w, s->psi);
        schema_put_int(&w, (long long)s->unscorable);
        schema_put_int(&w, (long long)s->pending);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    if (rc || (rc = schema_row_open(&w, db, "review_curve", err)))
        return rc;
    for (int t = s->min_score; t <= s->max_score && !rc; t++) {
        size_t m = s->curve_mqls[t - s->min_score], q = s->curve_sqls[t - s->min_score];
        size_t u = s->curve_pending[t - s->min_score];
        schema_put_int(&w, res->review_id);
        schema_put_text(&w, name);
        schema_put_int(&w, t);
        schema_put_int(&w, (long long)m);
        schema_put_int(&w, (long long)q);
        schema_put_real(&w, s->curve_vol[t - s->min_score]);
        schema_put_real(&w, validate_conversion(q, m, u));
        schema_put_int(&w, (long long)u);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* The promise kept (review_promise), when the previous rule file made one. */
static int store_promise(sqlite3 *db, const struct review_result *res, struct mql_err *err)
{
    const struct review_promise *pr = &res->promise;
    if (!pr->has)
        return 0;
    struct schema_row w;
    int rc = schema_row_open(&w, db, "review_promise", err);
    if (!rc) {
        schema_put_int(&w, res->review_id);
        schema_put_text(&w, pr->since);
        schema_put_text(&w, pr->period);
        schema_put_real(&w, pr->promised_conversion);
        schema_put_real(&w, pr->promised_lo);
        schema_put_real(&w, pr->promised_hi);
        schema_put_real(&w, pr->promised_per_period);
        schema_put_int(&w, (long long)pr->leads);
        schema_put_int(&w, (long long)pr->mqls);
        schema_put_int(&w, (long long)pr->pending);
        schema_put_int(&w, (long long)pr->sqls);
        schema_put_real(&w, pr->conversion);
        schema_put_real(&w, pr->conv_lo);
        schema_put_real(&w, pr->conv_hi);
        schema_put_real(&w, pr->per_period);
        schema_put_int(&w, (long long)pr->whole_periods);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* The MQL flips (review_flips) and the changed points (review_points). */
static int store_changes(sqlite3 *db, const struct review_result *res, struct mql_err *err)
{
    long long id = res->review_id;
    struct schema_row w;
    int rc = schema_row_open(&w, db, "review_flips", err);
    for (int a = 0; a < 2 && !rc; a++)
        for (int b = 0; b < 2 && !rc; b++) {
            const struct review_cell *c = &res->flips[a][b];
            schema_put_int(&w, id);
            schema_put_int(&w, a);
            schema_put_int(&w, b);
            schema_put_int(&w, (long long)c->leads);
            schema_put_int(&w, (long long)c->sqls);
            schema_put_real(&w, c->conversion);
            schema_put_real(&w, c->conv_lo);
            schema_put_real(&w, c->conv_hi);
            schema_put_int(&w, (long long)c->pending);
            rc = schema_row_end(&w);
        }
    schema_row_close(&w);
    if (rc || (rc = schema_row_open(&w, db, "review_points", err)))
        return rc;
    for (size_t i = 0; i < res->npoints && !rc; i++) {
        const struct review_point *p = &res->points[i];
        schema_put_int(&w, id);
        schema_put_text(&w, p->attribute);
        schema_put_text(&w, p->level);
        schema_put_opt_int(&w, p->has_prev, p->prev);
        schema_put_opt_int(&w, p->has_cur, p->cur);
        schema_put_opt_int(&w, p->has_prev, p->prev_above);
        schema_put_opt_int(&w, p->has_cur, p->cur_above);
        schema_put_text(&w, review_change_name(p->change));
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* One attribute's row of review_attributes. */
static void put_attribute(struct schema_row *w, long long id, const struct review_attr *a)
{
    const struct review_level_test *x = a->worst >= 0 ? &a->tests[a->worst] : NULL;
    schema_put_int(w, id);
    schema_put_text(w, a->name);
    schema_put_int(w, a->in_prev);
    schema_put_int(w, a->in_cur);
    schema_put_int(w, a->in_data);
    schema_put_real(w, a->csi);
    schema_put_text(w, a->csi_band == REVIEW_NO_BAND ? NULL : review_band_name(a->csi_band));
    schema_put_real(w, a->score_shift);
    schema_put_real(w, a->new_share);
    schema_put_text(w, a->new_value);
    schema_put_int(w, (long long)a->ntests);
    schema_put_int(w, a->flagged);
    schema_put_text(w, x ? x->level : NULL);
    schema_put_real(w, x ? x->z : NAN);
    schema_put_real(w, x ? x->p_holm : NAN);
    schema_put_real(w, x ? x->points_change : NAN);
    schema_put_real(w, a->min_detectable);
}

/* Per attribute: review_attributes, its tested levels (review_levels) and its value mix
 * (review_buckets). */
static int store_attributes(sqlite3 *db, const struct review_result *res, struct mql_err *err)
{
    long long id = res->review_id;
    struct schema_row wa, wl, wb;
    int rc = schema_row_open(&wa, db, "review_attributes", err);
    wl.st = wb.st = NULL;
    if (!rc)
        rc = schema_row_open(&wl, db, "review_levels", err);
    if (!rc)
        rc = schema_row_open(&wb, db, "review_buckets", err);
    for (size_t i = 0; i < res->nattrs && !rc; i++) {
        const struct review_attr *a = &res->attrs[i];
        put_attribute(&wa, id, a);
        rc = schema_row_end(&wa);
        for (size_t t = 0; t < a->ntests && !rc; t++) {
            const struct review_level_test *x = &a->tests[t];
            schema_put_int(&wl, id);
            schema_put_text(&wl, a->name);
            schema_put_text(&wl, x->level);
            schema_put_real(&wl, x->b_base);
            schema_put_real(&wl, x->se_base);
            schema_put_real(&wl, x->b_cur);
            schema_put_real(&wl, x->se_cur);
            schema_put_real(&wl, x->z);
            schema_put_real(&wl, x->p);
            schema_put_real(&wl, x->p_holm);
            schema_put_real(&wl, x->points_change);
            schema_put_int(&wl, x->flagged);
            schema_put_real(&wl, x->detectable);
            rc = schema_row_end(&wl);
        }
        for (size_t k = 0; k < a->nbuckets && !rc; k++) {
            schema_put_int(&wb, id);
            schema_put_text(&wb, a->name);
            schema_put_text(&wb, a->buckets[k].label);
            schema_put_real(&wb, a->buckets[k].base);
            schema_put_real(&wb, a->buckets[k].cur);
            rc = schema_row_end(&wb);
        }
    }
    schema_row_close(&wa);
    schema_row_close(&wl);
    schema_row_close(&wb);
    return rc;
}

/* The score bins of the PSI (review_psi) and the periods (review_periods). */
static int store_periods(sqlite3 *db, const struct config *cfg, const struct review_result *res,
                         struct mql_err *err)
{
    long long id = res->review_id;
    struct schema_row w;
    int rc = schema_row_open(&w, db, "review_psi", err);
    for (size_t b = 0; b < res->npsi_bins && !rc; b++) {
        const struct review_psi_bin *p = &res->psi_bins[b];
        schema_put_int(&w, id);
        schema_put_int(&w, p->lo);
        schema_put_int(&w, p->hi);
        schema_put_real(&w, p->base);
        schema_put_real(&w, p->cur);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    if (rc || (rc = schema_row_open(&w, db, "review_periods", err)))
        return rc;
    for (size_t p = 0; p < res->nperiods && !rc; p++) {
        char label[32];
        if (res->has_dates)
            period_label(res->period0 + (int32_t)p, cfg->period, label, sizeof label);
        else
            snprintf(label, sizeof label, "all");
        const size_t v[] = {
            res->period_leads[p],     res->period_sqls[p],         res->prev.period_mqls[p],
            res->prev.period_sqls[p], res->cur.period_mqls[p],     res->cur.period_sqls[p],
            res->period_pending[p],   res->prev.period_pending[p], res->cur.period_pending[p]};
        schema_put_int(&w, id);
        schema_put_text(&w, label);
        for (size_t k = 0; k < ARRAY_SIZE(v); k++)
            schema_put_int(&w, (long long)v[k]);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

int review_store(sqlite3 *db, const struct config *cfg, struct review_result *res,
                 struct mql_err *err)
{
    int rc = review_create_tables(db, err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err)))
        return rc;
    if (!(rc = store_head(db, cfg, res, err)) &&
        !(rc = store_side(db, "previous", res, &res->prev, err)) &&
        !(rc = store_side(db, "current", res, &res->cur, err)) &&
        !(rc = store_promise(db, res, err)) && !(rc = store_changes(db, res, err)) &&
        !(rc = store_attributes(db, res, err)) && !(rc = store_periods(db, cfg, res, err)))
        rc = store_exec(db, "COMMIT", err);
    if (rc)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
