/*
 * sweep.c: the sweep stage: every threshold and fit minimum against conversion, MQL volume and
 * capacity, and the rule it recommends (sweep.h).
 */
#include "mqlcal/sweep.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqlcal/clock.h"
#include "mqlcal/csvout.h"
#include "mqlcal/fit.h"
#include "mqlcal/forecast.h"
#include "mqlcal/period.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/validate.h"
#include "mqlcal/version.h"
#include "mqlcal/stats.h"

/* ---- loading ------------------------------------------------------------------------------- */

/* The latest fit: its id and how many leads it scored. */
/* The fit's scores, checked against the range the stages below rely on. */
static int load_scores(sqlite3 *db, struct sweep_result *res, struct mql_err *err)
{
    size_t n = res->data.n;
    int rc = store_array_take(db, res->fit_id, "fit:holdout", STORE_U8, n,
                              (void **)&res->in_holdout, err);
    if (!rc)
        rc =
            store_array_take(db, res->fit_id, "fit:score", STORE_I32, n, (void **)&res->score, err);
    if (!rc)
        rc = store_array_take(db, res->fit_id, "fit:fit_score", STORE_I32, n,
                              (void **)&res->fit_score, err);
    if (!rc)
        rc = store_array_take(db, res->fit_id, "fit:p", STORE_F64, n, (void **)&res->p, err);
    for (size_t r = 0; r < n && !rc; r++)
        if (res->in_holdout[r] > 1 || !(res->p[r] >= 0 && res->p[r] <= 1))
            rc = mql_err_set(err, MQL_EINPUT,
                             "store: lead %zu of fit %lld has holdout %d, p %g: out of range "
                             "(damaged store?): run 'mqlcal fit' again",
                             r + 1, res->fit_id, res->in_holdout[r], res->p[r]);
    return rc;
}

static void split_rule(const char *item, char **column, char **value)
{
    const char *col, *val;
    size_t ncol, nval;
    config_dq_item(item, &col, &ncol, &val, &nval);
    *column = text_ndup(col, ncol);
    *value = text_ndup(val, nval);
}

static int load(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                struct mql_err *err)
{
    /* the text columns: segments, then disqualifier columns, then feedback */
    size_t nnames = cfg->segments.n + cfg->disqualify.n + (cfg->feedback ? 1 : 0);
    const char **names = calloc(nnames ? nnames : 1, sizeof *names);
    res->dq = calloc(cfg->disqualify.n ? cfg->disqualify.n : 1, sizeof *res->dq);
    if (!names || !res->dq) {
        free(names);
        return mql_err_oom(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < cfg->segments.n; i++)
        names[k++] = cfg->segments.items[i];
    res->nseg_cols = k;
    res->ndq = cfg->disqualify.n;
    for (size_t i = 0; i < cfg->disqualify.n; i++) {
        struct sweep_disqualifier *q = &res->dq[i];
        q->rule = text_dup(cfg->disqualify.items[i]);
        split_rule(cfg->disqualify.items[i], &q->column, &q->value);
        if (!q->rule || !q->column || !q->value) {
            free(names);
            return mql_err_oom(err);
        }
        names[k++] = q->column;
    }
    res->feedback_col = -1;
    if (cfg->feedback) {
        res->feedback_col = (int)k;
        names[k++] = cfg->feedback;
    }
    size_t n = 0;
    int rc = fit_latest(db, &res->fit_id, &n, err);
    if (!rc)
        rc = data_load_arrays(db, res->fit_id, n, cfg, names, nnames, &res->data, err);
    free(names);
    if (rc)
        return rc;
    res->dq_flag = calloc(n ? n : 1, 1);
    res->period = malloc((n ? n : 1) * sizeof *res->period);
    if (!res->dq_flag || !res->period)
        return mql_err_oom(err);
    return load_scores(db, res, err);
}

/* Periods and disqualifiers per lead. */
static int classify(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct period_plan plan;
    if (period_plan_make(d->day, d->n, cfg->period, res->period, &plan)) {
        period_plan_release(&plan);
        return mql_err_oom(err);
    }
    res->nperiods = plan.nperiods;
    res->period0 = plan.period0;
    res->period_full = plan.full; /* the sweep keeps the mask; the plan's other fields are
                                     recomputed per sample (sample_ctx) */
    for (size_t q = res->ndq; q-- > 0;) {
        const struct data_column *col = &d->segments[res->nseg_cols + q];
        /* the rule rules_dq_match states: the same text ignoring case, or on a count or numeric
         * attribute the same number (the store keeps numbers, not their text) */
        const struct config_attr *at = config_attr_find(cfg, res->dq[q].column);
        double want = 0;
        int numeric = at && at->kind != ATTR_CATEGORICAL &&
                      text_parse_real(res->dq[q].value, strlen(res->dq[q].value), &want) == 0;
        unsigned char *hit = calloc(col->nvalues + 1, 1);
        if (!hit)
            return mql_err_oom(err);
        for (size_t v = 0; v < col->nvalues; v++) {
            double x;
            hit[v] = numeric ? text_parse_real(col->values[v], strlen(col->values[v]), &x) == 0 &&
                                   x == want
                             : text_ieq(col->values[v], res->dq[q].value);
        }
        for (size_t r = 0; r < d->n; r++) {
            uint32_t v = col->ids[r];
            if (v != DATA_MISSING && hit[v])
                res->dq_flag[r] = (unsigned char)(q + 1); /* the first rule that matches wins */
        }
        free(hit);
    }
    return 0;
}

/* ---- the sweep ----------------------------------------------------------------------------- */

/* The (rank)-th smallest of v[0..n) by quickselect; v is reordered. */
static double select_rank(double *v, size_t n, size_t rank)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (rank <= j)
            hi = j;
        else if (rank >= i)
            lo = i;
        else
            break;
    }
    return v[rank];
}

/* The 90th percentile (R's type 7: linear between the order statistics) of v[0..n). */
static double p90(double *v, size_t n)
{
    if (n == 1)
        return v[0];
    double h = 0.9 * (double)(n - 1);
    size_t k = (size_t)h;
    double a = select_rank(v, n, k);
    if (k + 1 >= n)
        return a;
    double b = INFINITY;
    for (size_t i = k + 1; i < n; i++) /* after selection, the rest are >= a */
        b = v[i] < b ? v[i] : b;
    return a + (h - (double)k) * (b - a);
}

struct ctx {
    size_t P;                  /* dated periods */
    const unsigned char *full; /* P: 1 for a period the data covers whole; NULL: all are */
    size_t Pf;                 /* how many are whole (the volumes' denominator) */
    size_t T;                  /* thresholds */
    int min_score;
    size_t leads, sqls; /* of the sample, disqualified leads included */
    size_t decided;     /* of them, leads whose outcome is known (the base rate's denominator) */
    double capacity, target;
    enum capacity_rule rule;
    double cap_growth; /* the capacity statistic's factor, >= 1 */
    size_t *recent;    /* the latest k whole periods (indexes into 0..P), latest first */
    size_t nrecent;
    double *scratch, *rbuf; /* P + 2 each */
};

/* Fills one row from the per-period volumes and totals: mqls of them, pending whose outcome is
 * not known yet, decided MQLs with a known outcome (the conversion's denominator: mqls -
 * pending on a sample, the training leads' on the grid) and their sqls. */
static void finish_row(const struct ctx *c, struct sweep_row *row, const double *vol, size_t mqls,
                       size_t pending, size_t decided, size_t sqls)
{
    row->mqls = mqls;
    row->pending = pending;
    row->decided = decided;
    row->sqls = sqls;
    if (decided > 0) {
        row->conversion = (double)sqls / (double)decided;
        validate_wilson(sqls, decided, STATS_Z95, &row->conv_lo, &row->conv_hi);
    } else {
        row->conversion = row->conv_lo = row->conv_hi = NAN;
    }
    row->recall = c->sqls ? (double)sqls / (double)c->sqls : NAN;
    double base = c->decided ? (double)c->sqls / (double)c->decided : NAN;
    row->lift = decided > 0 && base > 0 ? row->conversion / base : NAN;
    /* vol[P] holds the MQLs without a date: spread evenly over the whole periods, so that
     * they count in the volume (never under-counted); partial periods are left out */
    double sum = 0, max = 0, extra = vol[c->P] / (double)c->Pf;
    size_t fit = 0, k = 0;
    for (size_t p = 0; p < c->P; p++) {
        if (c->full && !c->full[p])
            continue;
        double v = vol[p] + extra;
        sum += v;
        max = v > max ? v : max;
        fit += c->capacity > 0 && v <= c->capacity;
        c->scratch[k++] = v;
    }
    row->over = c->capacity > 0 ? c->Pf - fit : 0;
    row->whole = c->Pf;
    double rsum = 0;
    for (size_t i = 0; i < c->nrecent; i++) {
        c->rbuf[i] = vol[c->recent[i]] + extra;
        rsum += c->rbuf[i];
    }
    row->vol_recent = c->nrecent ? rsum / (double)c->nrecent : row->vol_mean;
    row->vol_cap = c->nrecent ? forecast_capacity_stat(c->rbuf, c->nrecent, c->rule, c->cap_growth)
                              : row->vol_mean * c->cap_growth;
    row->vol_mean = sum / (double)c->Pf;
    row->vol_max = max;
    row->vol_p90 = p90(c->scratch, c->Pf);
    row->sqls_per_period = decided > 0 ? row->conversion * row->vol_mean : 0;
    row->share_fit = c->capacity > 0 ? (double)fit / (double)c->Pf : NAN;
    /* a rule without an MQL lately is no rule sales can work, whatever its past */
    row->feasible = mqls > 0 && row->vol_recent > 0 &&
                    (!(c->capacity > 0) || row->vol_cap <= c->capacity) &&
                    (!(c->target > 0) || row->conversion >= c->target);
    row->band_conv_lo = row->band_conv_hi = row->band_vol_lo = row->band_vol_hi = NAN;
}

/* Rows for every threshold from counts cnt/sq laid out [t * (P + 1) + p], p = P for leads
 * without a date (in the totals, not in the per-period volumes); un: the pending leads per
 * threshold (in cnt, not in the conversion), NULL when none. cd/cs (per threshold, NULL: the
 * sample's own): the decided MQLs and SQLs the conversion counts (the grid's training leads),
 * in which case sq may be NULL. */
static void rows_from_counts(const struct ctx *c, const uint32_t *cnt, const uint32_t *sq,
                             const uint32_t *un, const uint32_t *cd, const uint32_t *cs,
                             int fit_min, struct sweep_row *rows, double *run)
{
    size_t P1 = c->P + 1;
    for (size_t p = 0; p < P1; p++)
        run[p] = 0;
    size_t mqls = 0, sqls = 0, pending = 0, tdec = 0, tsq = 0;
    for (size_t t = c->T; t-- > 0;) {
        for (size_t p = 0; p < P1; p++) {
            run[p] += cnt[t * P1 + p];
            mqls += cnt[t * P1 + p];
            sqls += sq ? sq[t * P1 + p] : 0;
        }
        pending += un ? un[t] : 0;
        tdec += cd ? cd[t] : 0;
        tsq += cs ? cs[t] : 0;
        rows[t].threshold = c->min_score + (int)t;
        rows[t].fit_min = fit_min;
        finish_row(c, &rows[t], run, mqls, pending, cd ? tdec : mqls - pending, cd ? tsq : sqls);
    }
}

/* The grid's fit minimums: none, then distinct fit scores above the lowest (at most
 * SWEEP_MAX_FIT_MINS, evenly chosen by rank). */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The grid's fit minimums: none, then distinct fit scores above the lowest (at most
 * SWEEP_MAX_FIT_MINS, evenly chosen by rank). Distinct values come from a presence table when
 * the fit scores span a small range, as they do with points, and from a sort otherwise. */
static int choose_fit_mins(struct sweep_result *res, struct mql_err *err)
{
    size_t n = res->data.n, u = 0;
    long long lo = LLONG_MAX, hi = LLONG_MIN;
    for (size_t r = 0; r < n; r++)
        if (!res->dq_flag[r]) {
            lo = res->fit_score[r] < lo ? res->fit_score[r] : lo;
            hi = res->fit_score[r] > hi ? res->fit_score[r] : hi;
        }
    size_t span = lo <= hi ? (size_t)(hi - lo + 1) : 0;
    int *v;
    if (span <= ((size_t)1 << 22)) {
        unsigned char *seen = calloc(span ? span : 1, 1);
        v = malloc((span ? span : 1) * sizeof *v);
        if (!seen || !v) {
            free(seen);
            free(v);
            return mql_err_oom(err);
        }
        for (size_t r = 0; r < n; r++)
            if (!res->dq_flag[r])
                seen[(long long)res->fit_score[r] - lo] = 1;
        for (size_t i = 0; i < span; i++)
            if (seen[i])
                v[u++] = (int)(lo + (long long)i);
        free(seen);
    } else {
        size_t m = 0;
        if (!(v = malloc((n ? n : 1) * sizeof *v)))
            return mql_err_oom(err);
        for (size_t r = 0; r < n; r++)
            if (!res->dq_flag[r])
                v[m++] = res->fit_score[r];
        qsort(v, m, sizeof *v, cmp_int);
        for (size_t i = 0; i < m; i++)
            if (u == 0 || v[i] != v[u - 1])
                v[u++] = v[i];
    }
    /* v[0] is the lowest: "fit >= lowest" is the same rule as none */
    size_t cand = u > 1 ? u - 1 : 0, take = cand < SWEEP_MAX_FIT_MINS ? cand : SWEEP_MAX_FIT_MINS;
    res->fit_mins = malloc((take + 1) * sizeof *res->fit_mins);
    if (!res->fit_mins) {
        free(v);
        return mql_err_oom(err);
    }
    res->fit_mins[0] = SWEEP_NO_FIT_MIN;
    for (size_t i = 0; i < take; i++)
        res->fit_mins[i + 1] = v[1 + (take == cand ? i : i * cand / take)];
    res->nfit_mins = take + 1;
    free(v);
    return 0;
}

/* Index of the highest grid fit minimum that a fit score reaches (0 = none). */
static size_t fit_class(const struct sweep_result *res, int fit)
{
    size_t lo = 0, hi = res->nfit_mins - 1;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (fit >= res->fit_mins[mid])
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int better(const struct sweep_row *a, const struct sweep_row *b)
{
    if (a->sqls != b->sqls)
        return a->sqls > b->sqls;
    if (a->conversion != b->conversion)
        return a->conversion > b->conversion;
    if (a->threshold != b->threshold)
        return a->threshold > b->threshold;
    return a->fit_min > b->fit_min;
}

static void ctx_free(struct ctx *c)
{
    free(c->scratch);
    free(c->rbuf);
    free(c->recent);
    c->scratch = c->rbuf = NULL;
    c->recent = NULL;
}

/* The context of one sample (in = NULL: all leads): its periods, totals, the recent whole
 * periods and the scratch its rows need. -1 when out of memory (nothing left allocated). */
static int ctx_init(const struct config *cfg, const struct sweep_result *res,
                    const unsigned char *in, struct ctx *c, int32_t *plo)
{
    const struct data *d = &res->data;
    memset(c, 0, sizeof *c);
    c->scratch = malloc((res->nperiods + 2) * sizeof *c->scratch);
    c->rbuf = malloc((res->nperiods + 2) * sizeof *c->rbuf);
    c->recent = malloc((res->nperiods + 2) * sizeof *c->recent);
    if (!c->scratch || !c->rbuf || !c->recent) {
        ctx_free(c);
        return -1;
    }
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    c->leads = c->sqls = c->decided = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (in && !in[r])
            continue;
        c->leads++;
        c->sqls += d->y[r];
        c->decided += d->known[r];
        if (res->period[r] >= 0) {
            lo = res->period[r] < lo ? res->period[r] : lo;
            hi = res->period[r] > hi ? res->period[r] : hi;
        }
    }
    if (lo == INT32_MAX)
        lo = hi = 0;
    *plo = lo;
    c->P = (size_t)(hi - lo + 1);
    c->full = res->period_full && res->nperiods > (size_t)lo ? res->period_full + lo : NULL;
    c->Pf = 0;
    for (size_t p = 0; c->full && p < c->P; p++)
        c->Pf += c->full[p];
    if (c->Pf == 0) { /* no whole period: every one counts, rather than none */
        c->full = NULL;
        c->Pf = c->P;
    }
    c->T = (size_t)(res->max_score - res->min_score + 1);
    c->min_score = res->min_score;
    c->capacity = cfg->capacity;
    c->target = cfg->target_conversion;
    c->rule = cfg->capacity_rule;
    c->cap_growth = res->cap_growth > 1 ? res->cap_growth : 1;
    c->nrecent = forecast_recent(c->full, c->P, res->k ? res->k : 1, c->recent);
    return 0;
}

/* The sweep without a fit minimum on one sample (in = NULL: all leads). */
static int sweep_sample(const struct config *cfg, struct sweep_result *res, const unsigned char *in,
                        struct sweep_sample *out, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *run = malloc((res->nperiods + 2) * sizeof *run);
    if (!run || ctx_init(cfg, res, in, &c, &plo)) {
        free(run);
        return mql_err_oom(err);
    }
    size_t P1 = c.P + 1;
    uint32_t *cnt = calloc(c.T * P1, sizeof *cnt), *sq = calloc(c.T * P1, sizeof *sq);
    uint32_t *un = calloc(c.T, sizeof *un);
    out->rows = calloc(c.T, sizeof *out->rows);
    if (!cnt || !sq || !un || !out->rows) {
        free(cnt);
        free(sq);
        free(un);
        ctx_free(&c);
        free(run);
        return mql_err_oom(err);
    }
    for (size_t r = 0; r < d->n; r++) {
        if ((in && !in[r]) || res->dq_flag[r])
            continue;
        size_t t = (size_t)(res->score[r] - res->min_score);
        size_t p = res->period[r] >= 0 ? (size_t)(res->period[r] - plo) : c.P;
        cnt[t * P1 + p]++;
        sq[t * P1 + p] += d->y[r];
        un[t] += !d->known[r];
    }
    rows_from_counts(&c, cnt, sq, un, NULL, NULL, SWEEP_NO_FIT_MIN, out->rows, run);
    free(un);
    out->nrows = c.T;
    out->leads = c.leads;
    out->sqls = c.sqls;
    out->nperiods = c.P;
    free(cnt);
    free(sq);
    ctx_free(&c);
    free(run);
    return 0;
}

/* The selection grid: fit minimums from the highest down, each adding its class. Volumes
 * count every lead (the recent level needs no outcome); conversion and SQLs count the
 * training leads only (train: 1 for a lead the rule may be chosen on), so that the holdout
 * stays out of the choice. */
static int sweep_grid(const struct config *cfg, struct sweep_result *res,
                      const unsigned char *train, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *run = malloc((res->nperiods + 2) * sizeof *run);
    if (!run || ctx_init(cfg, res, NULL, &c, &plo)) {
        free(run);
        return mql_err_oom(err);
    }
    size_t P1 = c.P + 1, F = res->nfit_mins, cell = c.T * P1;
    uint32_t *cnt = calloc(F * cell, sizeof *cnt), *cum = calloc(cell, sizeof *cum);
    /* pending leads, and the training leads' decided MQLs and SQLs, per [f][t] */
    uint32_t *un = calloc(F * c.T, sizeof *un), *cumun = calloc(c.T, sizeof *cumun);
    uint32_t *td = calloc(F * c.T, sizeof *td), *cumtd = calloc(c.T, sizeof *cumtd);
    uint32_t *ts = calloc(F * c.T, sizeof *ts), *cumts = calloc(c.T, sizeof *cumts);
    res->grid = calloc(F * c.T, sizeof *res->grid);
    int rc = 0;
    if (!cnt || !cum || !un || !cumun || !td || !cumtd || !ts || !cumts || !res->grid) {
        rc = mql_err_oom(err);
        goto out;
    }
    c.sqls = c.decided = 0; /* recall and lift against the training leads */
    for (size_t r = 0; r < d->n; r++) {
        if (train[r]) {
            c.sqls += d->y[r];
            c.decided += d->known[r];
        }
        if (res->dq_flag[r])
            continue;
        size_t f = fit_class(res, res->fit_score[r]);
        size_t t = (size_t)(res->score[r] - res->min_score);
        size_t p = res->period[r] >= 0 ? (size_t)(res->period[r] - plo) : c.P;
        cnt[f * cell + t * P1 + p]++;
        un[f * c.T + t] += !d->known[r];
        if (train[r] && d->known[r]) {
            td[f * c.T + t]++;
            ts[f * c.T + t] += d->y[r];
        }
    }
    for (size_t f = F; f-- > 0;) {
        for (size_t i = 0; i < cell; i++)
            cum[i] += cnt[f * cell + i];
        for (size_t t = 0; t < c.T; t++) {
            cumun[t] += un[f * c.T + t];
            cumtd[t] += td[f * c.T + t];
            cumts[t] += ts[f * c.T + t];
        }
        rows_from_counts(&c, cum, NULL, cumun, cumtd, cumts, res->fit_mins[f], res->grid + f * c.T,
                         run);
    }
    res->ngrid = F * c.T;
out:
    free(cnt);
    free(cum);
    free(un);
    free(cumun);
    free(td);
    free(cumtd);
    free(ts);
    free(cumts);
    ctx_free(&c);
    free(run);
    return rc;
}

/* What the fit says the headline must lead with: its first leak suspect and its holdout AUC. */
static int load_fit_flags(sqlite3 *db, struct sweep_result *res, struct mql_err *err)
{
    res->leak[0] = '\0';
    res->auc = res->auc_lo = res->auc_hi = NAN;
    if (store_table_exists(db, "fit_metrics")) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT value, lo, hi FROM fit_metrics WHERE fit_id = %lld AND sample = "
                 "'holdout' AND metric = 'auc'",
                 res->fit_id);
        struct store_table m;
        int rc = store_table_read(db, sql, &m, err);
        res->auc = store_table_num(&m, 0, "value"); /* NaN when there is no row */
        res->auc_lo = store_table_num(&m, 0, "lo");
        res->auc_hi = store_table_num(&m, 0, "hi");
        store_table_release(&m);
        if (rc)
            return rc;
    }
    if (!store_table_exists(db, "fit_warnings"))
        return 0;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "SELECT subject FROM fit_warnings WHERE fit_id = ? AND kind = "
                           "'leak_suspect' LIMIT 1",
                           &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, res->fit_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(res->leak, sizeof res->leak,
                 "'%s' (a level or its filled/empty pattern converts almost always or never, or "
                 "the model is too good: see the fit's warnings; export refuses until it is "
                 "marked after_outcome or force)",
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return 0;
}

static void recommend(const struct config *cfg, struct sweep_result *res)
{
    const struct sweep_row *best = NULL, *nc = NULL, *nt = NULL;
    int any_cap = 0, any_target = 0;
    for (size_t i = 0; i < res->ngrid; i++) {
        const struct sweep_row *g = &res->grid[i];
        if (g->mqls == 0 || !(g->vol_recent > 0))
            continue;
        double vol = g->vol_cap;
        int cap_ok = !(cfg->capacity > 0) || vol <= cfg->capacity;
        int tgt_ok = !(cfg->target_conversion > 0) || g->conversion >= cfg->target_conversion;
        any_cap |= cap_ok;
        any_target |= tgt_ok;
        if (g->feasible && (!best || better(g, best)))
            best = g;
        if (cap_ok && (!nc || g->conversion > nc->conversion ||
                       (g->conversion == nc->conversion && better(g, nc))))
            nc = g;
        double nvol = nt ? nt->vol_cap : 0;
        if (tgt_ok && (!nt || vol < nvol || (vol == nvol && better(g, nt))))
            nt = g;
    }
    if (best) {
        res->has_rec = 1;
        res->rec_train = *best;
        res->rec.threshold = best->threshold; /* what sweep_is_mql reads; rule_row fills it */
        res->rec.fit_min = best->fit_min;
        res->binding[0] = '\0';
        return;
    }
    snprintf(res->binding, sizeof res->binding, "%s",
             !any_cap      ? "capacity"
             : !any_target ? "target"
                           : "both");
    if (nc) {
        res->has_near_capacity = 1;
        res->near_capacity = *nc;
    }
    if (nt) {
        res->has_near_target = 1;
        res->near_target = *nt;
    }
}

/* The recommended rule on a sample (in = NULL: all leads) into out. */
static int rule_row(const struct config *cfg, struct sweep_result *res, const unsigned char *in,
                    struct sweep_row *out)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *vol = calloc(res->nperiods + 2, sizeof *vol);
    if (!vol || ctx_init(cfg, res, in, &c, &plo)) {
        free(vol);
        return -1;
    }
    size_t mqls = 0, decided = 0, sqls = 0;
    for (size_t r = 0; r < d->n; r++) {
        if ((in && !in[r]) || !sweep_is_mql(res, r))
            continue;
        mqls++;
        decided += d->known[r];
        sqls += d->y[r];
        vol[res->period[r] >= 0 ? (size_t)(res->period[r] - plo) : c.P] += 1;
    }
    int threshold = res->rec.threshold, fit_min = res->rec.fit_min;
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    out->fit_min = fit_min;
    if (c.leads > 0)
        finish_row(&c, out, vol, mqls, mqls - decided, decided, sqls);
    ctx_free(&c);
    free(vol);
    return 0;
}

/* What the rule is expected to do over the next k periods (forecast.h): conversion on the
 * holdout (in sample when there is none), MQLs from the recent level of all leads. */
static int expect(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    const struct data *d = &res->data;
    size_t P = res->nperiods ? res->nperiods : 1, undated = 0;
    double *buf = calloc(3 * P, sizeof *buf);
    if (!buf)
        return mql_err_oom(err);
    double *mq = buf, *dec = buf + P, *sq = buf + 2 * P;
    for (size_t r = 0; r < d->n; r++) {
        int32_t p = res->period[r];
        int m = sweep_is_mql(res, r);
        if (p < 0) {
            undated += (size_t)m;
            continue;
        }
        mq[p] += m;
        dec[p] += m && d->known[r];
        sq[p] += m && d->y[r];
    }
    const unsigned char *whole = res->period_full;
    size_t nwhole = 0;
    for (size_t p = 0; whole && p < P; p++)
        nwhole += whole[p];
    if (nwhole == 0) { /* no whole period: every one counts, as in the volumes */
        whole = NULL;
        nwhole = P;
    }
    for (size_t p = 0; p < P; p++) /* undated MQLs spread over the whole periods */
        if (!whole || whole[p])
            mq[p] += (double)undated / (double)nwhole;
    const struct sweep_row *h = &res->rec_holdout;
    struct sweep_expect *e = &res->expect;
    int on_holdout = res->holdout.leads > 0 && h->decided > 0;
    e->basis = on_holdout ? SWEEP_BASIS_HOLDOUT : SWEEP_BASIS_IN_SAMPLE;
    e->basis_mqls = on_holdout ? h->decided : res->rec.decided;
    e->basis_sqls = on_holdout ? h->sqls : res->rec.sqls;
    struct forecast_input in = {.n = P,
                                .whole = whole,
                                .leads = res->period_leads, /* capacity_growth's */
                                .mqls = mq,
                                .decided = dec,
                                .sqls = sq,
                                .k = res->k,
                                .basis_decided = e->basis_mqls,
                                .basis_sqls = e->basis_sqls,
                                .capacity = cfg->capacity > 0 ? cfg->capacity : 0,
                                .target = cfg->target_conversion > 0 ? cfg->target_conversion : 0,
                                .rule = cfg->capacity_rule,
                                .seed = cfg->seed,
                                .draws = SWEEP_FORECAST_DRAWS};
    struct forecast f;
    int rc = forecast_rule(&in, &f, err);
    free(buf);
    if (rc)
        return rc;
    e->horizon = res->k;
    e->recent = f.recent;
    e->growth_measured = f.growth_measured;
    e->growth = f.growth;
    e->mqls = f.mqls;
    e->mqls_lo = f.mqls_lo;
    e->mqls_hi = f.mqls_hi;
    e->conversion = f.conversion;
    e->conv_lo = f.conv_lo;
    e->conv_hi = f.conv_hi;
    e->sqls = f.sqls;
    e->sqls_lo = f.sqls_lo;
    e->sqls_hi = f.sqls_hi;
    e->feasible_share = cfg->capacity > 0 || cfg->target_conversion > 0 ? f.feasible_share : NAN;
    return 0;
}

/* The periods in the recent level and the horizon: the holdout's length (3 months unless
 * configured) in the calibration's periods. */
static size_t horizon_periods(const struct config *cfg, const struct sweep_result *res)
{
    if (!res->data.has_dates)
        return 1;
    int months = cfg->holdout_months > 0 ? cfg->holdout_months : 3;
    double k = cfg->period == PERIOD_WEEK      ? months * 52.0 / 12.0
               : cfg->period == PERIOD_QUARTER ? months / 3.0
                                               : months;
    return k < 1 ? 1 : (size_t)lround(k);
}

/* Leads per period (res->period_leads, which the forecast reads too) and the lead volume's
 * growth per k periods, for the capacity statistic (a decline is not counted on: the factor is
 * at least 1). */
static int capacity_growth(struct sweep_result *res, struct mql_err *err)
{
    size_t P = res->nperiods ? res->nperiods : 1;
    double *leads = res->period_leads = calloc(P, sizeof *leads);
    if (!leads)
        return mql_err_oom(err);
    for (size_t r = 0; r < res->data.n; r++)
        if (res->period[r] >= 0)
            leads[res->period[r]] += 1;
    const unsigned char *whole = res->period_full;
    size_t nwhole = 0;
    for (size_t p = 0; whole && p < P; p++)
        nwhole += whole[p];
    int measured;
    double g = forecast_growth(leads, nwhole ? whole : NULL, P, res->k, &measured);
    res->cap_growth = g > 1 ? g : 1;
    return 0;
}

double sweep_dq_conversion(const struct sweep_disqualifier *q)
{
    return validate_conversion(q->sqls, q->leads, q->pending);
}

int sweep_is_mql(const struct sweep_result *res, size_t r)
{
    return res->has_rec && !res->dq_flag[r] && res->score[r] >= res->rec.threshold &&
           (res->rec.fit_min == SWEEP_NO_FIT_MIN || res->fit_score[r] >= res->rec.fit_min);
}

/* ---- bootstrap ----------------------------------------------------------------------------- */

/* 2.5 % and 97.5 % quantiles (type 7) of the non-NaN values of v (sorted in place). */
static void band(double *v, size_t n, double *lo, double *hi)
{
    qsort(v, n, sizeof *v, stats_cmp_double);
    while (n > 0 && isnan(v[n - 1]))
        n--;
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    double h1 = 0.025 * (double)(n - 1), h2 = 0.975 * (double)(n - 1);
    size_t k1 = (size_t)h1, k2 = (size_t)h2;
    *lo = v[k1] + (k1 + 1 < n ? (h1 - (double)k1) * (v[k1 + 1] - v[k1]) : 0);
    *hi = v[k2] + (k2 + 1 < n ? (h2 - (double)k2) * (v[k2 + 1] - v[k2]) : 0);
}

/* Poisson bootstrap bands of conversion and mean volume per threshold (all leads, no fit
 * minimum): what the sweep's curves would look like on another draw of the same history. */
static int bootstrap(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    int R = cfg->bootstrap;
    res->bootstrap = R;
    if (R <= 0)
        return 0;
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    if (ctx_init(cfg, res, NULL, &c, &plo))
        return mql_err_oom(err);
    /* Only the dated total of whole periods matters for the mean volume, not its split over
     * periods. p: 0 a whole period; 1 no date (in the conversion, not the volume); 2 a partial
     * period (likewise). Cells [t][p][y], y = 0, 1 or 2 for a pending lead (in the volumes,
     * not in the conversion). */
    size_t T = c.T, ncell = T * 3 * 3;
    uint32_t *cnt = calloc(ncell, sizeof *cnt), *draw = malloc(ncell * sizeof *draw);
    double *conv = malloc(T * (size_t)R * sizeof *conv), *vol = malloc(T * (size_t)R * sizeof *vol);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = 0;
    if (!cnt || !draw || !conv || !vol || !rng) {
        rc = mql_err_oom(err);
        goto out;
    }
    gsl_rng_set(rng, cfg->seed);
    for (size_t r = 0; r < d->n; r++) {
        if (res->dq_flag[r])
            continue;
        size_t t = (size_t)(res->score[r] - res->min_score);
        size_t p = res->period[r] < 0 ? 1 : c.full && !c.full[res->period[r] - plo] ? 2 : 0;
        cnt[(t * 3 + p) * 3 + (d->known[r] ? d->y[r] : 2)]++;
    }
    for (int b = 0; b < R; b++) {
        for (size_t i = 0; i < ncell; i++)
            draw[i] = cnt[i] ? gsl_ran_poisson(rng, cnt[i]) : 0;
        /* suffix sums over thresholds; the volume counts whole periods and undated leads
         * (spread over them), pending ones too */
        double m = 0, s = 0, dated = 0;
        for (size_t t = T; t-- > 0;) {
            for (size_t p = 0; p < 3; p++) {
                size_t base = (t * 3 + p) * 3;
                double both = (double)draw[base] + draw[base + 1];
                m += both;
                s += draw[base + 1];
                if (p < 2)
                    dated += both + draw[base + 2];
            }
            conv[t * (size_t)R + (size_t)b] = m > 0 ? s / m : NAN;
            vol[t * (size_t)R + (size_t)b] = dated / (double)c.Pf;
        }
    }
    for (size_t t = 0; t < T; t++) {
        struct sweep_row *row = &res->all.rows[t];
        band(conv + t * (size_t)R, (size_t)R, &row->band_conv_lo, &row->band_conv_hi);
        band(vol + t * (size_t)R, (size_t)R, &row->band_vol_lo, &row->band_vol_hi);
    }
out:
    free(cnt);
    free(draw);
    free(conv);
    free(vol);
    ctx_free(&c);
    if (rng)
        gsl_rng_free(rng);
    return rc;
}

/* ---- the stage ----------------------------------------------------------------------------- */

/* A volume for a sentence: whole numbers, one decimal below 10. */
static double vround(double v)
{
    return v < 10 ? round(v * 10) / 10 : round(v);
}

static void rule_words(const struct sweep_row *r, char *buf, size_t cap)
{
    if (r->fit_min == SWEEP_NO_FIT_MIN)
        snprintf(buf, cap, "%d points", r->threshold);
    else
        snprintf(buf, cap, "%d points with fit >= %d", r->threshold, r->fit_min);
}

const char *sweep_period_word(const struct config *cfg, const struct sweep_result *res)
{
    return res->data.has_dates ? config_period_name(cfg->period) : "period";
}

#define NO_DATES(res)                                                                              \
    ((res)->data.has_dates ? "" : " The data has no dates, so all of it is one period.")

/* Appends a formatted sentence to buf (cap bytes, *n used; truncates at cap). */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t cap, size_t *n,
                                                         const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
    va_end(ap);
    *n += k > 0 ? (size_t)k : 0;
    if (*n >= cap)
        *n = cap - 1;
}

/* The next k periods in words: "next quarter", "next month", "the next 13 weeks" (plural:
 * returns 1), "next period" without dates; with possessive, "next quarter's", "the next 13
 * weeks'". The headline's one naming of its horizon. */
static int horizon_words(const struct config *cfg, const struct sweep_result *res, int possessive,
                         char *buf, size_t cap)
{
    const char *per = sweep_period_word(cfg, res);
    if (res->data.has_dates && cfg->period == PERIOD_MONTH && res->k == 3)
        snprintf(buf, cap, "next quarter%s", possessive ? "'s" : "");
    else if (res->k <= 1)
        snprintf(buf, cap, "next %s%s", per, possessive ? "'s" : "");
    else {
        snprintf(buf, cap, "the next %zu %ss%s", res->k, per, possessive ? "'" : "");
        return 1;
    }
    return 0;
}

/* The warnings that lead the headline: "" when none. */
static void check_promises(const struct config *cfg, const struct sweep_result *res, char *buf,
                           size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    if (res->leak[0])
        append(buf, cap, &n, "Possible leak: %s. ", res->leak);
    const struct sweep_row *h = &res->rec_holdout;
    size_t known = h->mqls - h->pending;
    if (res->holdout.leads) {
        if (known < SWEEP_MIN_EVIDENCE_MQLS || h->sqls < SWEEP_MIN_EVIDENCE_SQLS)
            append(buf, cap, &n,
                   "Too little evidence: on the holdout the rule has %zu MQLs with a known outcome "
                   "and %zu SQLs (at least %d and %d are needed to confirm it). ",
                   known, h->sqls, SWEEP_MIN_EVIDENCE_MQLS, SWEEP_MIN_EVIDENCE_SQLS);
        else if (cfg->target_conversion > 0 && h->conv_hi < cfg->target_conversion)
            append(buf, cap, &n,
                   "Not confirmed: on the holdout the rule converts %.0f %% (%.0f-%.0f), below "
                   "the target %.0f %%. ",
                   100 * h->conversion, 100 * h->conv_lo, 100 * h->conv_hi,
                   100 * cfg->target_conversion);
        else if (h->lift < SWEEP_WEAK_LIFT && !(res->auc_lo < SWEEP_WEAK_AUC_LO))
            append(buf, cap, &n,
                   "Weak model: on the holdout the rule's MQLs convert only %.2f times as often as "
                   "the leads in general. ",
                   h->lift);
        /* the model itself, whatever the rule: an AUC whose interval reaches near 0.5 */
        if (res->auc_lo < SWEEP_WEAK_AUC_LO)
            append(buf, cap, &n,
                   "Weak model: the points barely tell converters from the rest (holdout AUC "
                   "%.2f, 95 %% interval %.2f-%.2f; 0.5 is a coin toss)%s. ",
                   res->auc, res->auc_lo, res->auc_hi,
                   isfinite(h->lift) && h->lift < SWEEP_WEAK_LIFT ? "; the rule's MQLs convert no "
                                                                    "better than other leads"
                                                                  : "");
    } else {
        append(buf, cap, &n,
               "No holdout: every figure below is on the leads the rule was chosen on, and "
               "optimistic. ");
    }
    /* capacity against the months sales will face: the latest whole periods */
    size_t *mq = cfg->capacity > 0 && res->data.has_dates && res->period_full
                     ? calloc(res->nperiods + 1, sizeof *mq)
                     : NULL;
    for (size_t r = 0; mq && r < res->data.n; r++) /* the rule's MQLs per period, in one pass */
        if (res->period[r] >= 0 && sweep_is_mql(res, r))
            mq[res->period[r]]++;
    if (mq) {
        size_t whole = 0, over = 0, recent = 0, recent_over = 0;
        size_t want = cfg->holdout_months > 0 ? (size_t)cfg->holdout_months : 3;
        for (size_t p = res->nperiods; p-- > 0;) {
            if (!res->period_full[p])
                continue;
            int o = (double)mq[p] > cfg->capacity;
            whole++;
            over += (size_t)o;
            if (recent < want) {
                recent++;
                recent_over += (size_t)o;
            }
        }
        if (recent && 2 * recent_over > recent)
            append(buf, cap, &n,
                   "Over capacity lately: %zu of the latest %zu whole %ss exceed capacity %g (%zu "
                   "of all %zu). ",
                   recent_over, recent, sweep_period_word(cfg, res), cfg->capacity, over, whole);
    }
    free(mq);
    /* a volume forecast too wide to plan on: the history's quarters swing too much (or are
     * too few) */
    const struct sweep_expect *e = &res->expect;
    char when[64];
    horizon_words(cfg, res, 1, when, sizeof when);
    if (e->mqls_lo > 0 && e->mqls_hi / e->mqls_lo > SWEEP_VOLUME_SPREAD)
        append(
            buf, cap, &n,
            "Volume hard to forecast: %s MQLs could be anywhere from %g to %g a %s (95 %%), as %s; "
            "plan on the latest %zu whole %ss, %g a %s, and watch the first month. ",
            when, vround(e->mqls_lo), vround(e->mqls_hi), sweep_period_word(cfg, res),
            res->rec_train.vol_recent * (double)e->recent < 30 ? "the rule gives too few MQLs to "
                                                                 "tell"
                                                               : "the history's quarters swung "
                                                                 "that much",
            e->recent, sweep_period_word(cfg, res), vround(res->rec_train.vol_recent),
            sweep_period_word(cfg, res));
    const char *both = cfg->capacity > 0 && cfg->target_conversion > 0 ? "both capacity and target"
                       : cfg->capacity > 0                             ? "capacity"
                                                                       : "the target";
    double fs = res->expect.feasible_share;
    if (isfinite(fs) && fs < SWEEP_UNLIKELY)
        append(buf, cap, &n, "Unlikely to hold: a %.0f %% chance that %s MQLs meet %s. ", 100 * fs,
               when, both);
    else if (isfinite(fs) && fs < 0.5)
        append(buf, cap, &n,
               "A coin toss: a %.0f %% chance that %s MQLs meet %s (a rule sized at capacity "
               "exceeds it about half the time: a lower capacity in the config leaves a margin). ",
               100 * fs, when, both);
}

static const char *capacity_rule_words(enum capacity_rule rule)
{
    return rule == CAPACITY_MEAN ? "mean" : rule == CAPACITY_MAX ? "busiest" : "90th percentile";
}

/* The expected figures, what they stand on, the capacity check and the rule in sample. */
static void explain_rule(const struct config *cfg, struct sweep_result *res, size_t *n)
{
    char rule[64], *buf = res->reasoning;
    size_t cap = sizeof res->reasoning;
    const char *per = sweep_period_word(cfg, res);
    const struct sweep_expect *e = &res->expect;
    const struct sweep_row *r = &res->rec;
    rule_words(r, rule, sizeof rule);
    char when[64];
    int plural = horizon_words(cfg, res, 0, when, sizeof when);
    append(buf, cap, n, "Expected %s%s at %s: ", plural ? "over " : "", when, rule);
    if (isfinite(e->conversion))
        append(buf, cap, n, "%.0f %% of MQLs convert (95 %% prediction interval %.0f-%.0f), ",
               100 * e->conversion, 100 * e->conv_lo, 100 * e->conv_hi);
    append(buf, cap, n, "%g MQLs a %s (%g-%g)", vround(e->mqls), per, vround(e->mqls_lo),
           vround(e->mqls_hi));
    if (isfinite(e->sqls))
        append(buf, cap, n, ", %g SQLs a %s (%g-%g)", vround(e->sqls), per, vround(e->sqls_lo),
               vround(e->sqls_hi));
    if (isfinite(e->feasible_share))
        append(buf, cap, n, "; a %.0f %% chance of meeting %s", 100 * e->feasible_share,
               cfg->capacity > 0 && cfg->target_conversion > 0 ? "capacity and target"
               : cfg->capacity > 0                             ? "capacity"
                                                               : "the target");
    append(buf, cap, n, ".");
    if (e->basis == SWEEP_BASIS_HOLDOUT)
        append(buf, cap, n,
               " The rule was chosen on the training leads; its conversion is measured on the "
               "holdout (%zu MQLs with a known outcome, %zu SQLs), which took no part in "
               "choosing it or the points;",
               e->basis_mqls, e->basis_sqls);
    else
        append(buf, cap, n,
               " Its conversion is measured on the leads it was chosen on (%zu MQLs with a known "
               "outcome), so it is optimistic;",
               e->basis_mqls);
    if (!res->data.has_dates)
        append(buf, cap, n, " the MQLs are the history's own count, as if it came again.");
    else
        append(buf, cap, n, " the MQLs are the latest %zu whole %ss' level", e->recent, per);
    if (!res->data.has_dates)
        ;
    else if (e->growth_measured)
        append(buf, cap, n, ", carried on by the lead volume's change (%+.0f %% per %zu %ss).",
               100 * (e->growth - 1), e->horizon, per);
    else
        append(buf, cap, n, " (too short a history to measure growth).");
    if (cfg->capacity > 0 && !res->data.has_dates)
        append(buf, cap, n, " Capacity %g: the rule gives %g MQLs.", cfg->capacity,
               vround(res->rec_train.vol_cap));
    else if (cfg->capacity > 0)
        append(buf, cap, n,
               " Capacity %g: the %s of the latest %zu %ss is %g%s; %zu of %zu past whole %ss "
               "would have exceeded it.",
               cfg->capacity, capacity_rule_words(cfg->capacity_rule), e->recent, per,
               vround(res->rec_train.vol_cap), res->cap_growth > 1 ? " with growth" : "", r->over,
               r->whole, per);
    append(buf, cap, n,
           " In sample (all leads): %.0f %% convert, %g MQLs a %s, %.0f %% of SQLs "
           "captured.",
           100 * r->conversion, vround(r->vol_mean), per, 100 * r->recall);
}

static void explain(const struct config *cfg, struct sweep_result *res)
{
    char rule[64], cap[128], tgt[64];
    const char *per = sweep_period_word(cfg, res);
    if (cfg->capacity > 0)
        snprintf(cap, sizeof cap, " (capacity %g for the %s of the latest %ss)", cfg->capacity,
                 capacity_rule_words(cfg->capacity_rule), per);
    else
        snprintf(cap, sizeof cap, " (no capacity set)");
    if (cfg->target_conversion > 0)
        snprintf(tgt, sizeof tgt, " (target %.0f %%)", 100 * cfg->target_conversion);
    else
        snprintf(tgt, sizeof tgt, " (no target set)");
    size_t n = 0, cap_n = sizeof res->reasoning;
    res->reasoning[0] = '\0';
    if (res->has_rec) {
        /* what not to trust comes first, in words (issue 16) */
        check_promises(cfg, res, res->warnings, sizeof res->warnings);
        for (size_t w = strlen(res->warnings); w > 0 && res->warnings[w - 1] == ' ';)
            res->warnings[--w] = '\0';
        if (res->warnings[0])
            append(res->reasoning, cap_n, &n, "%s ", res->warnings);
        explain_rule(cfg, res, &n);
        append(res->reasoning, cap_n, &n, "%s", NO_DATES(res));
        return;
    }
    append(res->reasoning, cap_n, &n, "No rule meets both: %s binds.",
           strcmp(res->binding, "both") == 0     ? "capacity and target together"
           : strcmp(res->binding, "target") == 0 ? "the target conversion"
                                                 : "capacity");
    if (res->has_near_capacity) {
        const struct sweep_row *r = &res->near_capacity;
        rule_words(r, rule, sizeof rule);
        append(res->reasoning, cap_n, &n,
               " Within capacity the best conversion is %.0f %% on the training leads (at %s, %g "
               "MQLs a %s lately)%s.",
               100 * r->conversion, rule, vround(r->vol_cap), per, tgt);
    }
    if (res->has_near_target && !(cfg->target_conversion > 0)) { /* capacity alone binds */
        const struct sweep_row *r = &res->near_target;
        rule_words(r, rule, sizeof rule);
        append(res->reasoning, cap_n, &n, " The fewest MQLs any rule gives are %g a %s (at %s)%s.",
               vround(r->vol_cap), per, rule, cap);
    } else if (res->has_near_target) {
        const struct sweep_row *r = &res->near_target;
        rule_words(r, rule, sizeof rule);
        append(res->reasoning, cap_n, &n,
               " Reaching the target takes %g MQLs a %s (at %s, %.0f %% convert on the training "
               "leads)%s.",
               vround(r->vol_cap), per, rule, 100 * r->conversion, cap);
    }
    append(res->reasoning, cap_n, &n, "%s", NO_DATES(res));
}

static void disqualifier_stats(struct sweep_result *res)
{
    const struct data *d = &res->data;
    for (size_t r = 0; r < d->n; r++) {
        if (!res->dq_flag[r])
            continue;
        struct sweep_disqualifier *q = &res->dq[res->dq_flag[r] - 1];
        q->leads++;
        q->pending += !d->known[r];
        q->sqls += d->y[r];
        if (res->has_rec && res->score[r] >= res->rec.threshold &&
            (res->rec.fit_min == SWEEP_NO_FIT_MIN || res->fit_score[r] >= res->rec.fit_min)) {
            q->mqls_blocked++;
            q->sqls_blocked += d->y[r];
        }
    }
}

int sweep_compute(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                  struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    res->feedback_col = -1;
    double t0 = clock_seconds();
    int rc = load(db, cfg, res, err);
    if (rc)
        return rc;
    double t1 = clock_seconds();
    res->seconds_load = t1 - t0;
    if ((rc = classify(cfg, res, err)))
        return rc;
    const struct data *d = &res->data;
    res->min_score = INT32_MAX;
    res->max_score = INT32_MIN;
    for (size_t r = 0; r < d->n; r++) {
        res->min_score = res->score[r] < res->min_score ? res->score[r] : res->min_score;
        res->max_score = res->score[r] > res->max_score ? res->score[r] : res->max_score;
    }
    if ((long)res->max_score - res->min_score > 100000)
        return mql_err_set(err, MQL_EINPUT,
                           "scores run from %d to %d: too wide a range to sweep (check [points])",
                           res->min_score, res->max_score);
    res->all.name = "all";
    res->holdout.name = "holdout";
    size_t nh = 0;
    for (size_t r = 0; r < d->n; r++)
        nh += res->in_holdout[r];
    res->k = horizon_periods(cfg, res);
    if ((rc = capacity_growth(res, err)))
        return rc;
    /* the rule is chosen on the training leads: those outside the holdout */
    unsigned char *train = malloc(d->n ? d->n : 1);
    if (!train)
        return mql_err_oom(err);
    for (size_t r = 0; r < d->n; r++)
        train[r] = nh ? !res->in_holdout[r] : 1;
    if ((rc = sweep_sample(cfg, res, NULL, &res->all, err)) ||
        (nh && (rc = sweep_sample(cfg, res, res->in_holdout, &res->holdout, err))) ||
        (rc = choose_fit_mins(res, err)) || (rc = sweep_grid(cfg, res, train, err))) {
        free(train);
        return rc;
    }
    free(train);
    recommend(cfg, res);
    if ((rc = load_fit_flags(db, res, err)))
        return rc;
    if (res->has_rec && (rule_row(cfg, res, NULL, &res->rec) ||
                         (nh && rule_row(cfg, res, res->in_holdout, &res->rec_holdout))))
        return mql_err_oom(err);
    if ((res->has_rec && (rc = expect(cfg, res, err))) || (rc = bootstrap(cfg, res, err)))
        return rc;
    disqualifier_stats(res);
    explain(cfg, res);
    res->seconds_compute = clock_seconds() - t1;
    return 0;
}

void sweep_release(struct sweep_result *res)
{
    if (!res)
        return;
    free(res->all.rows);
    free(res->holdout.rows);
    free(res->grid);
    free(res->fit_mins);
    for (size_t i = 0; i < res->ndq; i++) {
        free(res->dq[i].rule);
        free(res->dq[i].column);
        free(res->dq[i].value);
    }
    free(res->dq);
    data_release(&res->data);
    free(res->score);
    free(res->fit_score);
    free(res->p);
    free(res->in_holdout);
    free(res->dq_flag);
    free(res->period);
    free(res->period_full);
    free(res->period_leads);
    memset(res, 0, sizeof *res);
}
