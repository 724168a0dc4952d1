/*
 * audit.c: the segment audit: per segment value, MQLs, SQLs and conversion at the recommended
 * rule, calibration and low-conversion tests with Holm's correction, stored in audit_* and
 * written as audit CSVs (audit.h).
 */
#include "mqlcal/audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/csvout.h"
#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/validate.h"
#include "mqlcal/stats.h"

#define MISSING "(missing)"

const char *audit_flag_name(enum audit_flag f)
{
    switch (f) {
    case AUDIT_OK:
        return "";
    case AUDIT_OVER:
        return "over-rated";
    case AUDIT_UNDER:
        return "under-rated";
    case AUDIT_NO_MQL:
        return "no MQL";
    }
    return "?";
}

static int cmp_values(const void *a, const void *b)
{
    const struct audit_value *x = a, *y = b;
    if (x->leads != y->leads)
        return x->leads > y->leads ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* One segment column: values indexed by data id, the missing value last. */
static int audit_column(const struct sweep_result *sw, const struct data_column *col,
                        const struct data_column *fb, size_t nfb, struct audit_segment *seg)
{
    const struct data *d = &sw->data;
    size_t nv = col->nvalues + 1, P = sw->nperiods;
    struct audit_value *v = calloc(nv, sizeof *v);
    double *psum = calloc(nv, sizeof *psum), *pq = calloc(nv, sizeof *pq);
    size_t *pm = calloc(nv * P, sizeof *pm), *ps = calloc(nv * P, sizeof *ps);
    size_t *pu = calloc(nv * P, sizeof *pu);
    size_t *fbc = calloc(nv * (nfb ? nfb : 1), sizeof *fbc);
    if (!v || !psum || !pq || !pm || !ps || !pu || !fbc) {
        free(v);
        free(psum);
        free(pq);
        free(pm);
        free(ps);
        free(pu);
        free(fbc);
        return -1;
    }
    size_t total_sqls = 0;
    for (size_t r = 0; r < d->n; r++) {
        size_t k = col->ids[r] == DATA_MISSING ? nv - 1 : col->ids[r];
        v[k].leads++;
        v[k].known += d->known[r];
        v[k].all_sqls += d->y[r];
        total_sqls += d->y[r];
        if (!sweep_is_mql(sw, r))
            continue;
        v[k].mqls++;
        v[k].sqls += d->y[r];
        v[k].pending += !d->known[r];
        if (d->known[r]) { /* the prediction is compared with known outcomes only */
            psum[k] += sw->p[r];
            pq[k] += sw->p[r] * (1 - sw->p[r]);
        }
        if (sw->period[r] >= 0) {
            pm[k * P + (size_t)sw->period[r]]++;
            ps[k * P + (size_t)sw->period[r]] += d->y[r];
            pu[k * P + (size_t)sw->period[r]] += !d->known[r];
        }
        if (fb) {
            size_t f = fb->ids[r] == DATA_MISSING ? nfb - 1 : fb->ids[r];
            fbc[k * nfb + f]++;
        }
    }
    size_t m = 0;
    int oom = 0;
    for (size_t k = 0; k < nv && !oom; k++) {
        if (v[k].leads == 0)
            continue;
        struct audit_value *x = &v[m++];
        *x = v[k]; /* compacts: m <= k */
        x->value = k == nv - 1 ? MISSING : col->values[k];
        x->mql_rate = (double)x->mqls / (double)x->leads;
        x->all_conversion = x->known ? (double)x->all_sqls / (double)x->known : NAN;
        x->sum_p = psum[k];
        x->sum_pq = pq[k];
        x->p_calib = x->p_calib_holm = x->p_low = x->p_low_holm = NAN;
        x->share_sqls = total_sqls ? (double)x->sqls / (double)total_sqls : NAN;
        size_t decided = x->mqls - x->pending;
        if (decided) {
            x->conversion = (double)x->sqls / (double)decided;
            validate_wilson(x->sqls, decided, STATS_Z95, &x->conv_lo, &x->conv_hi);
            x->predicted = psum[k] / (double)decided;
            x->flag = AUDIT_OK; /* set with the tests of every value (audit_run) */
        } else {
            x->conversion = x->conv_lo = x->conv_hi = x->predicted = NAN;
            x->flag = AUDIT_NO_MQL;
        }
        x->period_mqls = malloc((P ? P : 1) * sizeof(size_t));
        x->period_sqls = malloc((P ? P : 1) * sizeof(size_t));
        x->period_pending = malloc((P ? P : 1) * sizeof(size_t));
        x->feedback = calloc(nfb ? nfb : 1, sizeof(size_t));
        if (!x->period_mqls || !x->period_sqls || !x->period_pending || !x->feedback) {
            oom = 1;
            break;
        }
        memcpy(x->period_mqls, pm + k * P, P * sizeof(size_t));
        memcpy(x->period_sqls, ps + k * P, P * sizeof(size_t));
        memcpy(x->period_pending, pu + k * P, P * sizeof(size_t));
        if (nfb)
            memcpy(x->feedback, fbc + k * nfb, nfb * sizeof(size_t));
    }
    free(psum);
    free(pq);
    free(pm);
    free(ps);
    free(pu);
    free(fbc);
    seg->values = v;
    seg->nvalues = m;
    if (oom)
        return -1;
    qsort(v, m, sizeof *v, cmp_values);
    return 0;
}

struct ptest {
    double p;
    double *adj;
};

/* Holm's step-down adjustment (stats.h) of the n p-values, written through adj. */
static int holm(struct ptest *t, size_t n)
{
    if (n == 0)
        return 0;
    double *p = calloc(2 * n, sizeof *p);
    if (!p)
        return -1;
    double *adj = p + n;
    for (size_t i = 0; i < n; i++)
        p[i] = t[i].p;
    int rc = stats_holm(p, n, adj);
    for (size_t i = 0; !rc && i < n; i++)
        *t[i].adj = adj[i];
    free(p);
    return rc;
}

/* The two tests of every value, corrected over all of them (audit.h). */
static int flag_values(const struct config *cfg, const struct sweep_result *sw,
                       struct audit_result *res)
{
    size_t total = 0;
    for (size_t s = 0; s < res->nsegments; s++)
        total += res->segments[s].nvalues;
    struct ptest *cal = malloc((total + 1) * sizeof *cal), *low = malloc((total + 1) * sizeof *low);
    if (!cal || !low) {
        free(cal);
        free(low);
        return -1;
    }
    double ref = cfg->target_conversion > 0 ? cfg->target_conversion : sw->rec.conversion;
    size_t nc = 0, nl = 0;
    for (size_t s = 0; s < res->nsegments; s++)
        for (size_t i = 0; i < res->segments[s].nvalues; i++) {
            struct audit_value *x = &res->segments[s].values[i];
            size_t decided = x->mqls - x->pending;
            if (!decided)
                continue;
            if (x->sum_pq > 0) {
                double z = ((double)x->sqls - x->sum_p) / sqrt(x->sum_pq);
                x->p_calib = erfc(fabs(z) / sqrt(2.0));
                cal[nc++] = (struct ptest){x->p_calib, &x->p_calib_holm};
            }
            if (ref > 0 && ref < 1) {
                double z = ((double)x->sqls - (double)decided * ref) /
                           sqrt((double)decided * ref * (1 - ref));
                x->p_low = 0.5 * erfc(-z / sqrt(2.0)); /* P(Z <= z) */
                low[nl++] = (struct ptest){x->p_low, &x->p_low_holm};
            }
        }
    int bad = holm(cal, nc) || holm(low, nl);
    free(cal);
    free(low);
    if (bad)
        return -1;
    for (size_t s = 0; s < res->nsegments; s++)
        for (size_t i = 0; i < res->segments[s].nvalues; i++) {
            struct audit_value *x = &res->segments[s].values[i];
            if (x->flag == AUDIT_NO_MQL)
                continue;
            if (x->p_calib_holm < AUDIT_ALPHA)
                x->flag = x->predicted > x->conversion ? AUDIT_OVER : AUDIT_UNDER;
            x->low = x->p_low_holm < AUDIT_ALPHA;
        }
    return 0;
}

int audit_run(const struct config *cfg, const struct sweep_result *sw, struct audit_result *res,
              struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    if (!sw->has_rec)
        return mql_err_set(err, MQL_EINPUT,
                           "no recommended rule to audit: the sweep found none that meets "
                           "capacity and target");
    res->nperiods = sw->nperiods;
    const struct data_column *fb =
        sw->feedback_col >= 0 ? &sw->data.segments[sw->feedback_col] : NULL;
    if (fb) {
        res->nfeedback = fb->nvalues + 1;
        res->feedback_values = malloc(res->nfeedback * sizeof *res->feedback_values);
        if (!res->feedback_values)
            return mql_err_oom(err);
        for (size_t i = 0; i < fb->nvalues; i++)
            res->feedback_values[i] = fb->values[i];
        res->feedback_values[fb->nvalues] = MISSING;
    }
    res->nsegments = sw->nseg_cols;
    res->segments = calloc(res->nsegments ? res->nsegments : 1, sizeof *res->segments);
    if (!res->segments)
        return mql_err_oom(err);
    for (size_t s = 0; s < sw->nseg_cols; s++) {
        res->segments[s].column = sw->data.segments[s].name;
        if (audit_column(sw, &sw->data.segments[s], fb, res->nfeedback, &res->segments[s]))
            return mql_err_oom(err);
    }
    if (flag_values(cfg, sw, res))
        return mql_err_oom(err);
    return 0;
}

void audit_release(struct audit_result *res)
{
    if (!res)
        return;
    for (size_t s = 0; s < res->nsegments; s++) {
        for (size_t i = 0; i < res->segments[s].nvalues; i++) {
            free(res->segments[s].values[i].period_mqls);
            free(res->segments[s].values[i].period_sqls);
            free(res->segments[s].values[i].period_pending);
            free(res->segments[s].values[i].feedback);
        }
        free(res->segments[s].values);
    }
    free(res->segments);
    free(res->feedback_values);
    memset(res, 0, sizeof *res);
}

double audit_period_conversion(const struct audit_value *v, size_t p)
{
    return validate_conversion(v->period_sqls[p], v->period_mqls[p], v->period_pending[p]);
}

static int write_csvs(const struct config *cfg, const struct sweep_result *sw,
                      const struct audit_result *a, struct mql_err *err)
{
    char path[4096], label[32];
    struct csvout w;
    int rc;
    snprintf(path, sizeof path, "%s/audit.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *h[] = {"segment",    "value",
                       "leads",      "all_conversion",
                       "mqls",       "mql_rate",
                       "sqls",       "conversion",
                       "conv_lo",    "conv_hi",
                       "share_sqls", "predicted",
                       "flag",       "p_calibration_holm",
                       "low",        "p_low_holm"};
    for (size_t i = 0; i < ARRAY_SIZE(h); i++)
        csvout_text(&w, h[i]);
    csvout_row(&w);
    for (size_t s = 0; s < a->nsegments; s++)
        for (size_t i = 0; i < a->segments[s].nvalues; i++) {
            const struct audit_value *v = &a->segments[s].values[i];
            csvout_text(&w, a->segments[s].column);
            csvout_text(&w, v->value);
            csvout_int(&w, (long long)v->leads);
            csvout_real(&w, v->all_conversion);
            csvout_int(&w, (long long)v->mqls);
            csvout_real(&w, v->mql_rate);
            csvout_int(&w, (long long)v->sqls);
            csvout_real(&w, v->conversion);
            csvout_real(&w, v->conv_lo);
            csvout_real(&w, v->conv_hi);
            csvout_real(&w, v->share_sqls);
            csvout_real(&w, v->predicted);
            csvout_text(&w, audit_flag_name(v->flag));
            csvout_real(&w, v->p_calib_holm);
            csvout_int(&w, v->low);
            csvout_real(&w, v->p_low_holm);
            csvout_row(&w);
        }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/audit_periods.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *hp[] = {"segment", "value", "period", "mqls", "sqls", "conversion"};
    for (size_t i = 0; i < ARRAY_SIZE(hp); i++)
        csvout_text(&w, hp[i]);
    csvout_row(&w);
    for (size_t s = 0; s < a->nsegments; s++)
        for (size_t i = 0; i < a->segments[s].nvalues; i++)
            for (size_t p = 0; p < a->nperiods; p++) {
                const struct audit_value *v = &a->segments[s].values[i];
                period_label(sw->period0 + (int32_t)p, cfg->period, label, sizeof label);
                csvout_text(&w, a->segments[s].column);
                csvout_text(&w, v->value);
                csvout_text(&w, sw->data.has_dates ? label : "all");
                csvout_int(&w, (long long)v->period_mqls[p]);
                csvout_int(&w, (long long)v->period_sqls[p]);
                csvout_real(&w, audit_period_conversion(v, p));
                csvout_row(&w);
            }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/audit_feedback.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *hf[] = {"segment", "value", "feedback", "mqls"};
    for (size_t i = 0; i < ARRAY_SIZE(hf); i++)
        csvout_text(&w, hf[i]);
    csvout_row(&w);
    for (size_t s = 0; s < a->nsegments; s++)
        for (size_t i = 0; i < a->segments[s].nvalues; i++)
            for (size_t f = 0; f < a->nfeedback; f++) {
                const struct audit_value *v = &a->segments[s].values[i];
                if (!v->feedback[f])
                    continue;
                csvout_text(&w, a->segments[s].column);
                csvout_text(&w, v->value);
                csvout_text(&w, a->feedback_values[f]);
                csvout_int(&w, (long long)v->feedback[f]);
                csvout_row(&w);
            }
    return csvout_close(&w, err);
}

/* The three audit tables' writers. */
struct audit_rows {
    struct schema_row seg, per, fb;
};

/* Value v of segment column col: its row of audit_segments, its periods and its feedback. */
static int store_value(struct audit_rows *w, const struct config *cfg,
                       const struct sweep_result *sw, const struct audit_result *a, const char *col,
                       const struct audit_value *v)
{
    schema_put_int(&w->seg, sw->sweep_id);
    schema_put_text(&w->seg, col);
    schema_put_text(&w->seg, v->value);
    schema_put_int(&w->seg, (long long)v->leads);
    schema_put_int(&w->seg, (long long)v->mqls);
    schema_put_real(&w->seg, v->mql_rate);
    schema_put_int(&w->seg, (long long)v->sqls);
    schema_put_real(&w->seg, v->conversion);
    schema_put_real(&w->seg, v->conv_lo);
    schema_put_real(&w->seg, v->conv_hi);
    schema_put_real(&w->seg, v->share_sqls);
    schema_put_real(&w->seg, v->predicted);
    schema_put_text(&w->seg, audit_flag_name(v->flag));
    schema_put_int(&w->seg, (long long)v->pending);
    schema_put_int(&w->seg, (long long)v->known);
    schema_put_int(&w->seg, (long long)v->all_sqls);
    schema_put_real(&w->seg, v->all_conversion);
    schema_put_real(&w->seg, v->p_calib);
    schema_put_real(&w->seg, v->p_calib_holm);
    schema_put_real(&w->seg, v->p_low);
    schema_put_real(&w->seg, v->p_low_holm);
    schema_put_int(&w->seg, v->low);
    int rc = schema_row_end(&w->seg);
    for (size_t p = 0; p < a->nperiods && !rc; p++) {
        char label[32];
        period_label(sw->period0 + (int32_t)p, cfg->period, label, sizeof label);
        schema_put_int(&w->per, sw->sweep_id);
        schema_put_text(&w->per, col);
        schema_put_text(&w->per, v->value);
        schema_put_text(&w->per, sw->data.has_dates ? label : "all");
        schema_put_int(&w->per, (long long)v->period_mqls[p]);
        schema_put_int(&w->per, (long long)v->period_sqls[p]);
        schema_put_real(&w->per, audit_period_conversion(v, p));
        schema_put_int(&w->per, (long long)v->period_pending[p]);
        rc = schema_row_end(&w->per);
    }
    for (size_t f = 0; f < a->nfeedback && !rc; f++) {
        if (!v->feedback[f])
            continue;
        schema_put_int(&w->fb, sw->sweep_id);
        schema_put_text(&w->fb, col);
        schema_put_text(&w->fb, v->value);
        schema_put_text(&w->fb, a->feedback_values[f]);
        schema_put_int(&w->fb, (long long)v->feedback[f]);
        rc = schema_row_end(&w->fb);
    }
    return rc;
}

int audit_store(sqlite3 *db, const struct config *cfg, const struct sweep_result *sw,
                const struct audit_result *a, struct mql_err *err)
{
    struct audit_rows w;
    memset(&w, 0, sizeof w);
    int rc = schema_create(db, "audit", err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err)))
        return rc;
    if (!(rc = schema_row_open(&w.seg, db, "audit_segments", err)) &&
        !(rc = schema_row_open(&w.per, db, "audit_periods", err)))
        rc = schema_row_open(&w.fb, db, "audit_feedback", err);
    for (size_t s = 0; s < a->nsegments && !rc; s++)
        for (size_t i = 0; i < a->segments[s].nvalues && !rc; i++)
            rc = store_value(&w, cfg, sw, a, a->segments[s].column, &a->segments[s].values[i]);
    if (!rc)
        rc = store_exec(db, "COMMIT", err);
    schema_row_close(&w.seg);
    schema_row_close(&w.per);
    schema_row_close(&w.fb);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return write_csvs(cfg, sw, a, err);
}
