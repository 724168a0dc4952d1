#include "mqlcal/sweep.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqlcal/csvout.h"
#include "mqlcal/fit.h"
#include "mqlcal/period.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/validate.h"
#include "mqlcal/version.h"

#define Z95 1.959963984540054

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
    const char *colon = strchr(item, ':');
    *column = text_ndup(item, (size_t)(colon - item));
    *value = text_dup(colon + 1);
    if (*column)
        text_trim(*column);
    if (*value)
        text_trim(*value);
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
        return mql_err_set(err, MQL_EIO, "out of memory");
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
            return mql_err_set(err, MQL_EIO, "out of memory");
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
        return mql_err_set(err, MQL_EIO, "out of memory");
    return load_scores(db, res, err);
}

/* Periods and disqualifiers per lead. */
static int classify(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct period_plan plan;
    if (period_plan_make(d->day, d->n, cfg->period, res->period, &plan)) {
        period_plan_release(&plan);
        return mql_err_set(err, MQL_EIO, "out of memory");
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
            return mql_err_set(err, MQL_EIO, "out of memory");
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
    int p90_rule;
    double *scratch; /* P */
};

/* Fills one row from the per-period volumes and totals: mqls of them, decided with a known
 * outcome (the conversion's denominator; the others are pending and count in the volumes). */
static void finish_row(const struct ctx *c, struct sweep_row *row, const double *vol, size_t mqls,
                       size_t decided, size_t sqls)
{
    row->mqls = mqls;
    row->pending = mqls - decided;
    row->sqls = sqls;
    if (decided > 0) {
        row->conversion = (double)sqls / (double)decided;
        validate_wilson(sqls, decided, Z95, &row->conv_lo, &row->conv_hi);
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
    row->vol_mean = sum / (double)c->Pf;
    row->vol_max = max;
    row->vol_p90 = p90(c->scratch, c->Pf);
    row->sqls_per_period = decided > 0 ? row->conversion * row->vol_mean : 0;
    row->share_fit = c->capacity > 0 ? (double)fit / (double)c->Pf : NAN;
    double vol_rule = c->p90_rule ? row->vol_p90 : row->vol_mean;
    row->feasible = mqls > 0 && (!(c->capacity > 0) || vol_rule <= c->capacity) &&
                    (!(c->target > 0) || row->conversion >= c->target);
    row->band_conv_lo = row->band_conv_hi = row->band_vol_lo = row->band_vol_hi = NAN;
}

/* Rows for every threshold from counts cnt/sq laid out [t * (P + 1) + p], p = P for leads
 * without a date (in the totals, not in the per-period volumes); un: the pending leads per
 * threshold (in cnt, not in the conversion), NULL when none. */
static void rows_from_counts(const struct ctx *c, const uint32_t *cnt, const uint32_t *sq,
                             const uint32_t *un, int fit_min, struct sweep_row *rows, double *run)
{
    size_t P1 = c->P + 1;
    for (size_t p = 0; p < P1; p++)
        run[p] = 0;
    size_t mqls = 0, sqls = 0, pending = 0;
    for (size_t t = c->T; t-- > 0;) {
        for (size_t p = 0; p < P1; p++) {
            run[p] += cnt[t * P1 + p];
            mqls += cnt[t * P1 + p];
            sqls += sq[t * P1 + p];
        }
        pending += un ? un[t] : 0;
        rows[t].threshold = c->min_score + (int)t;
        rows[t].fit_min = fit_min;
        finish_row(c, &rows[t], run, mqls, mqls - pending, sqls);
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
            return mql_err_set(err, MQL_EIO, "out of memory");
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
            return mql_err_set(err, MQL_EIO, "out of memory");
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
        return mql_err_set(err, MQL_EIO, "out of memory");
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

static void sample_ctx(const struct config *cfg, const struct sweep_result *res,
                       const unsigned char *in, struct ctx *c, int32_t *plo, double *scratch)
{
    const struct data *d = &res->data;
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
    c->p90_rule = cfg->capacity_p90;
    c->scratch = scratch;
}

/* The sweep without a fit minimum on one sample (in = NULL: all leads). */
static int sweep_sample(const struct config *cfg, struct sweep_result *res, const unsigned char *in,
                        struct sweep_sample *out, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *scratch = malloc((res->nperiods + 2) * sizeof *scratch);
    double *run = malloc((res->nperiods + 2) * sizeof *run);
    if (!scratch || !run) {
        free(scratch);
        free(run);
        return mql_err_set(err, MQL_EIO, "out of memory");
    }
    sample_ctx(cfg, res, in, &c, &plo, scratch);
    size_t P1 = c.P + 1;
    uint32_t *cnt = calloc(c.T * P1, sizeof *cnt), *sq = calloc(c.T * P1, sizeof *sq);
    uint32_t *un = calloc(c.T, sizeof *un);
    out->rows = calloc(c.T, sizeof *out->rows);
    if (!cnt || !sq || !un || !out->rows) {
        free(cnt);
        free(sq);
        free(un);
        free(scratch);
        free(run);
        return mql_err_set(err, MQL_EIO, "out of memory");
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
    rows_from_counts(&c, cnt, sq, un, SWEEP_NO_FIT_MIN, out->rows, run);
    free(un);
    out->nrows = c.T;
    out->leads = c.leads;
    out->sqls = c.sqls;
    out->nperiods = c.P;
    free(cnt);
    free(sq);
    free(scratch);
    free(run);
    return 0;
}

/* The grid on all leads: fit minimums from the highest down, each adding its class. */
static int sweep_grid(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *scratch = malloc((res->nperiods + 2) * sizeof *scratch);
    double *run = malloc((res->nperiods + 2) * sizeof *run);
    if (!scratch || !run) {
        free(scratch);
        free(run);
        return mql_err_set(err, MQL_EIO, "out of memory");
    }
    sample_ctx(cfg, res, NULL, &c, &plo, scratch);
    size_t P1 = c.P + 1, F = res->nfit_mins, cell = c.T * P1;
    uint32_t *cnt = calloc(F * cell, sizeof *cnt), *sq = calloc(F * cell, sizeof *sq);
    uint32_t *cum = calloc(cell, sizeof *cum), *cumsq = calloc(cell, sizeof *cumsq);
    /* pending leads per [f][t], only when there are any */
    size_t nun = d->nunknown ? F * c.T : 0;
    uint32_t *un = calloc(nun ? nun : 1, sizeof *un), *cumun = calloc(c.T, sizeof *cumun);
    res->grid = calloc(F * c.T, sizeof *res->grid);
    int rc = 0;
    if (!cnt || !sq || !cum || !cumsq || !un || !cumun || !res->grid) {
        rc = mql_err_set(err, MQL_EIO, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < d->n; r++) {
        if (res->dq_flag[r])
            continue;
        size_t f = fit_class(res, res->fit_score[r]);
        size_t t = (size_t)(res->score[r] - res->min_score);
        size_t p = res->period[r] >= 0 ? (size_t)(res->period[r] - plo) : c.P;
        cnt[f * cell + t * P1 + p]++;
        sq[f * cell + t * P1 + p] += d->y[r];
        if (nun && !d->known[r])
            un[f * c.T + t]++;
    }
    for (size_t f = F; f-- > 0;) {
        for (size_t i = 0; i < cell; i++) {
            cum[i] += cnt[f * cell + i];
            cumsq[i] += sq[f * cell + i];
        }
        for (size_t t = 0; nun && t < c.T; t++)
            cumun[t] += un[f * c.T + t];
        rows_from_counts(&c, cum, cumsq, nun ? cumun : NULL, res->fit_mins[f], res->grid + f * c.T,
                         run);
    }
    res->ngrid = F * c.T;
out:
    free(cnt);
    free(sq);
    free(cum);
    free(cumsq);
    free(un);
    free(cumun);
    free(scratch);
    free(run);
    return rc;
}

/* The fit's first leak suspect, for the headline. */
static int load_leak(sqlite3 *db, struct sweep_result *res, struct mql_err *err)
{
    res->leak[0] = '\0';
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
                 "'%s' (a level converts almost always, or the model is too good: see the fit's "
                 "warnings; export refuses until it is marked after_outcome or force)",
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
        if (g->mqls == 0)
            continue;
        double vol = cfg->capacity_p90 ? g->vol_p90 : g->vol_mean;
        int cap_ok = !(cfg->capacity > 0) || vol <= cfg->capacity;
        int tgt_ok = !(cfg->target_conversion > 0) || g->conversion >= cfg->target_conversion;
        any_cap |= cap_ok;
        any_target |= tgt_ok;
        if (g->feasible && (!best || better(g, best)))
            best = g;
        if (cap_ok && (!nc || g->conversion > nc->conversion ||
                       (g->conversion == nc->conversion && better(g, nc))))
            nc = g;
        double nvol = nt ? (cfg->capacity_p90 ? nt->vol_p90 : nt->vol_mean) : 0;
        if (tgt_ok && (!nt || vol < nvol || (vol == nvol && better(g, nt))))
            nt = g;
    }
    if (best) {
        res->has_rec = 1;
        res->rec = *best;
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

/* The recommended rule on the holdout. */
static void rule_on_holdout(const struct config *cfg, struct sweep_result *res)
{
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *scratch = malloc((res->nperiods + 2) * sizeof *scratch);
    double *vol = calloc(res->nperiods + 2, sizeof *vol);
    if (!scratch || !vol) {
        free(scratch);
        free(vol);
        return;
    }
    sample_ctx(cfg, res, res->in_holdout, &c, &plo, scratch);
    size_t mqls = 0, decided = 0, sqls = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (!res->in_holdout[r] || !sweep_is_mql(res, r))
            continue;
        mqls++;
        decided += d->known[r];
        sqls += d->y[r];
        vol[res->period[r] >= 0 ? (size_t)(res->period[r] - plo) : c.P] += 1;
    }
    res->rec_holdout.threshold = res->rec.threshold;
    res->rec_holdout.fit_min = res->rec.fit_min;
    if (c.leads > 0)
        finish_row(&c, &res->rec_holdout, vol, mqls, decided, sqls);
    free(scratch);
    free(vol);
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* 2.5 % and 97.5 % quantiles (type 7) of the non-NaN values of v (sorted in place). */
static void band(double *v, size_t n, double *lo, double *hi)
{
    qsort(v, n, sizeof *v, cmp_double);
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

static int bootstrap(const struct config *cfg, struct sweep_result *res, struct mql_err *err)
{
    int R = cfg->bootstrap;
    res->bootstrap = R;
    if (R <= 0)
        return 0;
    const struct data *d = &res->data;
    struct ctx c;
    int32_t plo;
    double *scratch = malloc((res->nperiods + 2) * sizeof *scratch);
    if (!scratch)
        return mql_err_set(err, MQL_EIO, "out of memory");
    sample_ctx(cfg, res, NULL, &c, &plo, scratch);
    /* Under the mean rule only the dated total matters, not its split over periods: the
     * cells then have one "period" for dated leads and one for the rest, 12 times fewer draws
     * on two years of months. */
    int split = cfg->capacity_p90;
    /* p: a period (split) or 0 for every whole period; P: no date; P + 1: a partial period
     * (in the conversion, not in the volumes) */
    size_t P = split ? c.P : 1, P1 = P + 2, T = c.T;
    /* cells: [t][in_rule_fit][p][y], y = 0, 1 or 2 for a pending lead (in the volumes, not in
     * the conversion) */
    size_t ncell = T * 2 * P1 * 3;
    uint32_t *cnt = calloc(ncell, sizeof *cnt), *draw = malloc(ncell * sizeof *draw);
    double *conv = malloc(T * (size_t)R * sizeof *conv), *vol = malloc(T * (size_t)R * sizeof *vol);
    double *rconv = malloc((size_t)R * sizeof *rconv), *rvol = malloc((size_t)R * sizeof *rvol);
    double *pv = calloc(c.P + 3, sizeof *pv);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = 0;
    if (!cnt || !draw || !conv || !vol || !rconv || !rvol || !pv || !rng) {
        rc = mql_err_set(err, MQL_EIO, "out of memory");
        goto out;
    }
    gsl_rng_set(rng, cfg->seed);
    int fm = res->has_rec ? res->rec.fit_min : SWEEP_NO_FIT_MIN;
    for (size_t r = 0; r < d->n; r++) {
        if (res->dq_flag[r])
            continue;
        size_t t = (size_t)(res->score[r] - res->min_score);
        size_t inf = fm == SWEEP_NO_FIT_MIN || res->fit_score[r] >= fm;
        size_t p = res->period[r] < 0                        ? P
                   : split                                   ? (size_t)(res->period[r] - plo)
                   : c.full && !c.full[res->period[r] - plo] ? P + 1
                                                             : 0;
        cnt[((t * 2 + inf) * P1 + p) * 3 + (d->known[r] ? d->y[r] : 2)]++;
    }
    size_t feasible = 0;
    for (int b = 0; b < R; b++) {
        for (size_t i = 0; i < ncell; i++)
            draw[i] = cnt[i] ? gsl_ran_poisson(rng, cnt[i]) : 0;
        /* no fit minimum: suffix sums over thresholds; leads without a date count in the
         * conversion, not in the volumes */
        double m = 0, s = 0, dated = 0;
        for (size_t t = T; t-- > 0;) {
            for (size_t k = 0; k < 2; k++)
                for (size_t p = 0; p < P1; p++) {
                    size_t base = ((t * 2 + k) * P1 + p) * 3;
                    double both = (double)draw[base] + draw[base + 1];
                    m += both;
                    s += draw[base + 1];
                    if (p == P || (p < P && (!split || !c.full || c.full[p])))
                        dated += both + draw[base + 2]; /* the volume: whole periods and
                                                           undated leads, pending ones too */
                }
            conv[t * (size_t)R + (size_t)b] = m > 0 ? s / m : NAN;
            vol[t * (size_t)R + (size_t)b] = dated / (double)c.Pf;
        }
        if (!res->has_rec)
            continue;
        /* the recommended rule: per-period volumes */
        double rm = 0, rd = 0, rs = 0;
        for (size_t p = 0; p < P1; p++)
            pv[p] = 0;
        for (size_t t = (size_t)(res->rec.threshold - res->min_score); t < T; t++)
            for (size_t p = 0; p < P1; p++) {
                size_t base = ((t * 2 + 1) * P1 + p) * 3;
                double all = (double)draw[base] + draw[base + 1] + draw[base + 2];
                pv[p] += all;
                rm += all;
                rd += draw[base] + draw[base + 1];
                rs += draw[base + 1];
            }
        if (!split) { /* the whole periods' total: each whole period gets the mean */
            double each = pv[0] / (double)c.Pf, undated = pv[P];
            for (size_t p = 0; p < c.P; p++)
                pv[p] = each;
            pv[c.P] = undated;
        }
        struct sweep_row row;
        memset(&row, 0, sizeof row);
        finish_row(&c, &row, pv, (size_t)rm, (size_t)rd, (size_t)rs);
        rconv[b] = row.conversion;
        rvol[b] = cfg->capacity_p90 ? row.vol_p90 : row.vol_mean;
        feasible += (size_t)row.feasible;
    }
    for (size_t t = 0; t < T; t++) {
        struct sweep_row *row = &res->all.rows[t];
        band(conv + t * (size_t)R, (size_t)R, &row->band_conv_lo, &row->band_conv_hi);
        band(vol + t * (size_t)R, (size_t)R, &row->band_vol_lo, &row->band_vol_hi);
    }
    if (res->has_rec) {
        band(rconv, (size_t)R, &res->rec.band_conv_lo, &res->rec.band_conv_hi);
        band(rvol, (size_t)R, &res->rec.band_vol_lo, &res->rec.band_vol_hi);
        res->feasible_share = (double)feasible / R;
    }
out:
    free(cnt);
    free(draw);
    free(conv);
    free(vol);
    free(rconv);
    free(rvol);
    free(pv);
    free(scratch);
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

/* The warnings that lead the headline: "" when none. */
static void check_promises(const struct config *cfg, const struct sweep_result *res, char *buf,
                           size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            int k = snprintf(buf + n, cap - n, __VA_ARGS__);                                       \
            n += k > 0 ? (size_t)k : 0;                                                            \
        }                                                                                          \
    } while (0)
    if (res->leak[0])
        ADD("Possible leak: %s. ", res->leak);
    const struct sweep_row *h = &res->rec_holdout;
    size_t known = h->mqls - h->pending;
    if (res->holdout.leads) {
        if (known < SWEEP_MIN_EVIDENCE_MQLS || h->sqls < SWEEP_MIN_EVIDENCE_SQLS)
            ADD("Too little evidence: on the holdout the rule has %zu MQLs with a known outcome "
                "and %zu SQLs (at least %d and %d are needed to confirm it). ",
                known, h->sqls, SWEEP_MIN_EVIDENCE_MQLS, SWEEP_MIN_EVIDENCE_SQLS);
        else if (cfg->target_conversion > 0 && h->conv_hi < cfg->target_conversion)
            ADD("Not confirmed: on the holdout the rule converts %.0f %% (%.0f-%.0f), below "
                "the target %.0f %%. ",
                100 * h->conversion, 100 * h->conv_lo, 100 * h->conv_hi,
                100 * cfg->target_conversion);
        else if (h->lift < SWEEP_WEAK_LIFT)
            ADD("Weak model: on the holdout the rule's MQLs convert only %.2f times as often as "
                "the leads in general. ",
                h->lift);
    } else {
        ADD("No holdout: every figure below is on the leads the rule was chosen on, and "
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
            ADD("Over capacity lately: %zu of the latest %zu whole %ss exceed capacity %g (%zu "
                "of all %zu). ",
                recent_over, recent, sweep_period_word(cfg, res), cfg->capacity, over, whole);
    }
    free(mq);
#undef ADD
}

static void explain(const struct config *cfg, struct sweep_result *res)
{
    char rule[64], cap[64], tgt[64];
    const char *per = sweep_period_word(cfg, res);
    if (cfg->capacity > 0)
        snprintf(cap, sizeof cap, " (capacity %g%s%s)", cfg->capacity,
                 cfg->capacity_p90 ? " for the 90th-percentile " : "",
                 cfg->capacity_p90 ? per : "");
    else
        snprintf(cap, sizeof cap, " (no capacity set)");
    if (cfg->target_conversion > 0)
        snprintf(tgt, sizeof tgt, " (target %.0f %%)", 100 * cfg->target_conversion);
    else
        snprintf(tgt, sizeof tgt, " (no target set)");
    if (res->has_rec) {
        const struct sweep_row *r = &res->rec;
        rule_words(r, rule, sizeof rule);
        /* what not to trust comes first, in words (issue 16): the rule failing on the holdout,
         * too little evidence there, recent months over capacity */
        char warn[512] = "";
        check_promises(cfg, res, warn, sizeof warn);
        int n = snprintf(res->reasoning, sizeof res->reasoning,
                         "%sAt %s: %g MQLs a %s%s, %.0f %% convert%s, %.0f %% of SQLs captured "
                         "(all leads, in sample).",
                         warn, rule, vround(cfg->capacity_p90 ? r->vol_p90 : r->vol_mean), per, cap,
                         100 * r->conversion, tgt, 100 * r->recall);
        const struct sweep_row *h = &res->rec_holdout;
        if (n > 0 && (size_t)n < sizeof res->reasoning && res->holdout.leads &&
            h->mqls > h->pending)
            n += snprintf(res->reasoning + n, sizeof res->reasoning - (size_t)n,
                          " On the holdout (the latest leads, which the points were not fitted "
                          "on): %.0f %% convert "
                          "(%.0f-%.0f), %g MQLs a %s.",
                          100 * h->conversion, 100 * h->conv_lo, 100 * h->conv_hi,
                          vround(h->vol_mean), per);
        if (n > 0 && (size_t)n < sizeof res->reasoning)
            snprintf(res->reasoning + n, sizeof res->reasoning - (size_t)n, "%s", NO_DATES(res));
        return;
    }
    int n = snprintf(res->reasoning, sizeof res->reasoning, "No rule meets both: %s binds.",
                     strcmp(res->binding, "both") == 0     ? "capacity and target together"
                     : strcmp(res->binding, "target") == 0 ? "the target conversion"
                                                           : "capacity");
    if (res->has_near_capacity && n > 0 && (size_t)n < sizeof res->reasoning) {
        const struct sweep_row *r = &res->near_capacity;
        rule_words(r, rule, sizeof rule);
        n += snprintf(res->reasoning + n, sizeof res->reasoning - (size_t)n,
                      " Within capacity the best conversion is %.0f %% (at %s, %g MQLs a %s)%s.",
                      100 * r->conversion, rule,
                      vround(cfg->capacity_p90 ? r->vol_p90 : r->vol_mean), per, tgt);
    }
    if (res->has_near_target && n > 0 && (size_t)n < sizeof res->reasoning) {
        const struct sweep_row *r = &res->near_target;
        rule_words(r, rule, sizeof rule);
        snprintf(res->reasoning + n, sizeof res->reasoning - (size_t)n,
                 " Reaching the target takes %.0f MQLs a %s (at %s, %.0f %% convert)%s.",
                 cfg->capacity_p90 ? r->vol_p90 : r->vol_mean, per, rule, 100 * r->conversion, cap);
    }
    n = (int)strlen(res->reasoning);
    snprintf(res->reasoning + n, sizeof res->reasoning - (size_t)n, "%s", NO_DATES(res));
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
    double t0 = store_seconds();
    int rc = load(db, cfg, res, err);
    if (rc)
        return rc;
    double t1 = store_seconds();
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
    if ((rc = sweep_sample(cfg, res, NULL, &res->all, err)) ||
        (nh && (rc = sweep_sample(cfg, res, res->in_holdout, &res->holdout, err))) ||
        (rc = choose_fit_mins(res, err)) || (rc = sweep_grid(cfg, res, err)))
        return rc;
    recommend(cfg, res);
    if ((rc = load_leak(db, res, err)))
        return rc;
    if (res->has_rec && nh)
        rule_on_holdout(cfg, res);
    if ((rc = bootstrap(cfg, res, err)))
        return rc;
    disqualifier_stats(res);
    explain(cfg, res);
    res->seconds_compute = store_seconds() - t1;
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
    memset(res, 0, sizeof *res);
}

/* ---- store and tables ---------------------------------------------------------------------- */

static const char *schema =
    "CREATE TABLE IF NOT EXISTS sweeps(sweep_id INTEGER PRIMARY KEY, fit_id INTEGER NOT NULL,"
    " created_at TEXT NOT NULL, period TEXT NOT NULL, periods INTEGER NOT NULL, capacity REAL,"
    " capacity_rule TEXT NOT NULL, target_conversion REAL, bootstrap INTEGER NOT NULL,"
    " seed INTEGER NOT NULL, recommended INTEGER NOT NULL, threshold INTEGER, fit_min INTEGER,"
    " mqls INTEGER, sqls INTEGER, conversion REAL, conv_lo REAL, conv_hi REAL, recall REAL,"
    " vol_mean REAL, vol_p90 REAL, band_conv_lo REAL, band_conv_hi REAL, band_vol_lo REAL,"
    " band_vol_hi REAL, feasible_share REAL, holdout_mqls INTEGER, holdout_conversion REAL,"
    " binding TEXT, reasoning TEXT NOT NULL, pending INTEGER, holdout_pending INTEGER) STRICT;"
    "CREATE TABLE IF NOT EXISTS sweep_thresholds(sweep_id INTEGER NOT NULL, sample TEXT NOT NULL,"
    " threshold INTEGER NOT NULL, mqls INTEGER NOT NULL, sqls INTEGER NOT NULL, conversion REAL,"
    " conv_lo REAL, conv_hi REAL, recall REAL, lift REAL, vol_mean REAL, vol_max REAL, vol_p90"
    " REAL, sqls_per_period REAL, share_fit REAL, band_conv_lo REAL, band_conv_hi REAL,"
    " band_vol_lo REAL, band_vol_hi REAL, pending INTEGER NOT NULL,"
    " PRIMARY KEY (sweep_id, sample, threshold)) STRICT;"
    "CREATE TABLE IF NOT EXISTS sweep_grid(sweep_id INTEGER NOT NULL, threshold INTEGER NOT NULL,"
    " fit_min INTEGER, mqls INTEGER NOT NULL, sqls INTEGER NOT NULL, conversion REAL, vol_mean"
    " REAL, vol_max REAL, vol_p90 REAL, sqls_per_period REAL, share_fit REAL, feasible INTEGER"
    " NOT NULL, pending INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS sweep_periods(sweep_id INTEGER NOT NULL, position INTEGER NOT"
    " NULL, period TEXT NOT NULL, leads INTEGER NOT NULL, mqls INTEGER NOT NULL, sqls INTEGER NOT"
    " NULL, conversion REAL, partial INTEGER NOT NULL, pending INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS sweep_disqualifiers(sweep_id INTEGER NOT NULL, rule TEXT NOT"
    " NULL, column_name TEXT NOT NULL, value TEXT NOT NULL, leads INTEGER NOT NULL, sqls INTEGER"
    " NOT NULL, conversion REAL, mqls_blocked INTEGER NOT NULL, sqls_blocked INTEGER NOT NULL,"
    " pending INTEGER NOT NULL) STRICT;";

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
                          "pending"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
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
            for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                csvout_real(&w, v[i]);
            csvout_int(&w, (long long)r->pending);
            csvout_row(&w);
        }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/sweep_grid.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *gh[] = {"threshold",       "fit_min",         "mqls",    "sqls",
                        "conversion",      "mqls_per_period", "busiest", "p90",
                        "sqls_per_period", "share_fit",       "feasible"};
    for (size_t i = 0; i < sizeof gh / sizeof gh[0]; i++)
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
        csvout_row(&w);
    }
    if ((rc = csvout_close(&w, err)))
        return rc;
    snprintf(path, sizeof path, "%s/disqualifiers.csv", cfg->out_dir);
    if ((rc = csvout_open(&w, path, err)))
        return rc;
    const char *dh[] = {"rule", "leads", "sqls", "conversion", "mqls_blocked", "sqls_blocked"};
    for (size_t i = 0; i < sizeof dh / sizeof dh[0]; i++)
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
        return mql_err_set(err, MQL_EIO, "out of memory");
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

int sweep_store(sqlite3 *db, const struct config *cfg, struct sweep_result *res,
                struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_exec(db, schema, err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err)))
        return rc;
    char created[32];
    store_now_iso(created, sizeof created);
    if ((rc = store_prepare(db,
                            "INSERT INTO sweeps VALUES(NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                            "?,?,?,?,?,?,?,?,?,?,?,?)",
                            &st, err)))
        goto out;
    const struct sweep_row *r = &res->rec;
    int i = 1;
    sqlite3_bind_int64(st, i++, res->fit_id);
    sqlite3_bind_text(st, i++, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, sweep_period_word(cfg, res), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)res->all.nperiods);
    store_bind_real(st, i++, cfg->capacity > 0 ? cfg->capacity : NAN);
    sqlite3_bind_text(st, i++, cfg->capacity_p90 ? "p90" : "mean", -1, SQLITE_STATIC);
    store_bind_real(st, i++, cfg->target_conversion > 0 ? cfg->target_conversion : NAN);
    sqlite3_bind_int(st, i++, res->bootstrap);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)cfg->seed);
    sqlite3_bind_int(st, i++, res->has_rec);
    if (res->has_rec) {
        sqlite3_bind_int(st, i++, r->threshold);
        bind_fit_min(st, i++, r->fit_min);
        sqlite3_bind_int64(st, i++, (sqlite3_int64)r->mqls);
        sqlite3_bind_int64(st, i++, (sqlite3_int64)r->sqls);
        double v[] = {r->conversion,  r->conv_lo,     r->conv_hi,         r->recall,
                      r->vol_mean,    r->vol_p90,     r->band_conv_lo,    r->band_conv_hi,
                      r->band_vol_lo, r->band_vol_hi, res->feasible_share};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            store_bind_real(st, i++, v[k]);
        sqlite3_bind_int64(st, i++, (sqlite3_int64)res->rec_holdout.mqls);
        store_bind_real(st, i++, res->rec_holdout.conversion);
    } else {
        i += 17;
    }
    if (res->binding[0])
        sqlite3_bind_text(st, i, res->binding, -1, SQLITE_STATIC);
    i++;
    sqlite3_bind_text(st, i++, res->reasoning, -1, SQLITE_STATIC);
    if (res->has_rec) {
        sqlite3_bind_int64(st, i, (sqlite3_int64)r->pending);
        sqlite3_bind_int64(st, i + 1, (sqlite3_int64)res->rec_holdout.pending);
    }
    if ((rc = store_step_done(db, st, err)))
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    res->sweep_id = sqlite3_last_insert_rowid(db);

    if ((rc = store_prepare(db,
                            "INSERT INTO sweep_thresholds VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                            "?,?,?,?)",
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
            for (size_t q = 0; q < sizeof v / sizeof v[0]; q++)
                store_bind_real(st, j++, v[q]);
            sqlite3_bind_int64(st, j++, (sqlite3_int64)x->pending);
            rc = store_step_done(db, st, err);
        }
    sqlite3_finalize(st);
    st = NULL;
    if (rc || (rc = store_prepare(db, "INSERT INTO sweep_grid VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                  &st, err)))
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
