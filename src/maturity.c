/* maturity.c: conversion windows, immature leads, time to SQL (maturity.h). */
#include "mqlcal/maturity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/stats.h"

/* ---- Kaplan-Meier -------------------------------------------------------------------------- */

void km_release(struct km_curve *k)
{
    if (!k)
        return;
    free(k->s);
    memset(k, 0, sizeof *k);
}

int km_estimate(const int32_t *time, const unsigned char *event, size_t n, struct km_curve *k)
{
    memset(k, 0, sizeof *k);
    int32_t tmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (time[i] < 0)
            return -1;
        tmax = time[i] > tmax ? time[i] : tmax;
    }
    /* events and censorings per day: times are days, so a count per day sorts them */
    uint64_t *ev = calloc((size_t)tmax + 1, sizeof *ev);
    uint64_t *ce = calloc((size_t)tmax + 1, sizeof *ce);
    if (!ev || !ce) {
        free(ev);
        free(ce);
        return -1;
    }
    size_t steps = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t *c = event[i] ? &ev[time[i]] : &ce[time[i]];
        steps += ev[time[i]] == 0 && ce[time[i]] == 0;
        (*c)++;
        k->events += event[i] != 0;
    }
    k->subjects = n;
    if (!(k->s = calloc(steps + 1, sizeof *k->s))) {
        free(ev);
        free(ce);
        return -1;
    }
    uint64_t at_risk = n;
    double surv = 1.0, gw = 0.0; /* Greenwood: the sum of d / (n (n - d)) */
    for (int32_t t = 0; t <= tmax; t++) {
        if (!ev[t] && !ce[t])
            continue;
        struct km_step *s = &k->s[k->n++];
        s->t = t;
        s->at_risk = at_risk;
        s->events = ev[t];
        s->censored = ce[t];
        if (ev[t]) {
            surv *= 1.0 - (double)ev[t] / (double)at_risk;
            gw = ev[t] < at_risk
                     ? gw + (double)ev[t] / ((double)at_risk * (double)(at_risk - ev[t]))
                     : INFINITY;
        }
        s->surv = surv;
        s->se_log = sqrt(gw);
        if (surv > 0 && isfinite(s->se_log)) {
            s->lo = surv * exp(-STATS_Z95 * s->se_log);
            s->hi = fmin(1.0, surv * exp(STATS_Z95 * s->se_log));
        } else {
            s->lo = s->hi = NAN;
        }
        at_risk -= ev[t] + ce[t];
    }
    free(ev);
    free(ce);
    return 0;
}

double km_converted(const struct km_curve *k, int32_t t)
{
    /* the last step at or before t, by bisection: called once per immature lead */
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->s[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? 1.0 - k->s[lo - 1].surv : 0.0;
}

int32_t km_quantile(const struct km_curve *k, double q)
{
    if (!k->events || !k->n)
        return -1;
    double last = 1.0 - k->s[k->n - 1].surv;
    for (size_t i = 0; i < k->n; i++)
        /* a relative tolerance, so that q = 1 finds the last event despite rounding */
        if (1.0 - k->s[i].surv >= q * last * (1.0 - 1e-12))
            return k->s[i].t;
    return k->s[k->n - 1].t;
}

/* ---- the store ----------------------------------------------------------------------------- */

int maturity_active(const struct config *cfg)
{
    return cfg->date && (cfg->outcome_date || (cfg->line_outcomes && cfg->outcomes.date));
}

/* The lead's state and outcome (maturity.h), as the leads table keeps them. */
enum state { S_SQL, S_LATE, S_SQL_UNDATED, S_MATURE, S_IMMATURE, S_UNDATED, S_PENDING };
static const char *const state_name[] = {"sql",      "late_sql", "sql_undated", "mature",
                                         "immature", "undated",  "pending"};

const char *maturity_first_state(int outcome, int has_created, int has_sql_date)
{
    return state_name[outcome < 0    ? S_PENDING
                      : !has_created ? S_UNDATED
                      : outcome == 1 ? (has_sql_date ? S_SQL : S_SQL_UNDATED)
                                     : S_MATURE];
}

static enum state classify(const struct maturity_lead *l, int32_t as_of, int window)
{
    if (l->outcome < 0)
        return S_PENDING;
    if (l->created == INT32_MIN)
        return S_UNDATED;
    int open = as_of - l->created < window;
    if (l->outcome == 1 && l->sql != INT32_MIN && l->sql - l->created > window)
        return S_LATE; /* later than the window: a negative whatever the lead's age */
    if (open)
        return S_IMMATURE;
    if (l->outcome == 1)
        return l->sql != INT32_MIN ? S_SQL : S_SQL_UNDATED;
    return S_MATURE;
}

/* The row of maturity: as_of, the window, the percentiles and the counts. */
static int store_summary(sqlite3 *db, size_t n, const struct km_curve *k,
                         const struct maturity_stats *ms, struct mql_err *err)
{
    char as_of[11], from[11];
    text_format_date(ms->as_of, as_of);
    text_format_date(ms->immature_from, from);
    struct schema_row w;
    int rc = schema_row_open(&w, db, "maturity", err);
    if (!rc) {
        schema_put_text(&w, as_of);
        schema_put_text(&w, ms->as_of_source);
        schema_put_int(&w, ms->window);
        schema_put_text(&w, ms->window_source);
        const int32_t pc[3] = {ms->median, ms->p90, ms->p95};
        for (int j = 0; j < 3; j++)
            schema_put_opt_int(&w, pc[j] >= 0, pc[j]);
        const uint64_t c[] = {n,          ms->sqls,     ms->late_sqls,     ms->sqls_undated,
                              ms->mature, ms->immature, ms->immature_sqls, ms->undated,
                              ms->pending};
        for (size_t j = 0; j < ARRAY_SIZE(c); j++)
            schema_put_int(&w, (long long)c[j]);
        schema_put_text(&w, from);
        schema_put_int(&w, (long long)k->subjects);
        schema_put_int(&w, (long long)k->events);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* The Kaplan-Meier curve of time to SQL, a row per step (maturity_curve). */
static int store_curve(sqlite3 *db, const struct km_curve *k, struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "maturity_curve", err);
    for (size_t i = 0; i < k->n && !rc; i++) {
        const struct km_step *s = &k->s[i];
        schema_put_int(&w, s->t);
        schema_put_int(&w, (long long)s->at_risk);
        schema_put_int(&w, (long long)s->events);
        schema_put_int(&w, (long long)s->censored);
        schema_put_real(&w, 1.0 - s->surv);
        schema_put_real(&w, 1.0 - s->hi); /* NULL when the band is open */
        schema_put_real(&w, 1.0 - s->lo);
        schema_put_real(&w, s->se_log);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* One creation period's counts. */
struct per {
    uint64_t leads, pending, mature, immature, sqls, late, so_far;
    double known, expected;
};

/* Counts lead l (state st) into its period x; fw is the curve's conversion at the window. */
static void count_period(struct per *x, const struct maturity_lead *l, enum state st, double fw,
                         const struct km_curve *k, const struct maturity_stats *ms)
{
    x->leads++;
    x->pending += st == S_PENDING;
    x->immature += st == S_IMMATURE;
    x->late += st == S_LATE;
    int sql_in = st == S_SQL || st == S_SQL_UNDATED;
    x->sqls += (uint64_t)sql_in;
    x->mature += st == S_SQL || st == S_SQL_UNDATED || st == S_MATURE || st == S_LATE;
    if (st == S_PENDING)
        return;
    /* so far: an SQL within the window by as_of, mature or not */
    int so_far = l->outcome == 1 && (l->sql == INT32_MIN || l->sql - l->created <= ms->window);
    x->so_far += (uint64_t)so_far;
    x->known += 1;
    if (st != S_IMMATURE) {
        x->expected += sql_in;
    } else if (so_far) {
        x->expected += 1;
    } else {
        double fa = km_converted(k, ms->as_of - l->created);
        x->expected += fa < 1.0 ? fmax(0.0, (fw - fa) / (1.0 - fa)) : 0.0;
    }
}

/* The rows of maturity_periods from the periods' counts p[0..np). */
static int store_periods(sqlite3 *db, const struct config *cfg, const struct period_plan *plan,
                         const struct per *p, size_t np, struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "maturity_periods", err);
    for (size_t i = 0; i < np && !rc; i++) {
        const struct per *x = &p[i];
        char label[32], first[11];
        int32_t pi = plan->period0 + (int32_t)i;
        period_label(pi, cfg->period, label, sizeof label);
        text_format_date(period_first_day(pi, cfg->period), first);
        schema_put_int(&w, (long long)i);
        schema_put_text(&w, label);
        schema_put_text(&w, first);
        schema_put_text(&w, x->immature ? "maturing" : "mature");
        const uint64_t c[] = {x->leads, x->pending, x->mature, x->immature,
                              x->sqls,  x->late,    x->so_far};
        for (size_t j = 0; j < ARRAY_SIZE(c); j++)
            schema_put_int(&w, (long long)c[j]);
        schema_put_real(&w, x->mature ? (double)x->sqls / (double)x->mature : NAN);
        schema_put_real(&w, x->known > 0 ? x->expected / x->known : NAN);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* Per creation period: the counts, the mature leads' conversion, and for a period still
 * maturing the Kaplan-Meier expectation of what it will reach within the window. */
static int write_periods(sqlite3 *db, const struct config *cfg, const struct maturity_lead *leads,
                         size_t n, const enum state *st, const struct km_curve *k,
                         const struct maturity_stats *ms, struct mql_err *err)
{
    int32_t *day = malloc((n ? n : 1) * sizeof *day), *idx = malloc((n ? n : 1) * sizeof *idx);
    struct period_plan plan = {0};
    int rc = !day || !idx ? mql_err_oom(err) : 0;
    for (size_t i = 0; !rc && i < n; i++)
        day[i] = leads[i].created;
    if (!rc && period_plan_make(day, n, cfg->period, idx, &plan))
        rc = mql_err_oom(err);
    size_t np = plan.has_dates ? plan.nperiods : 0;
    struct per *p = calloc(np + 1, sizeof *p);
    if (!rc && !p)
        rc = mql_err_oom(err);
    double fw = km_converted(k, ms->window);
    for (size_t i = 0; !rc && i < n; i++)
        if (idx[i] >= 0)
            count_period(&p[idx[i]], &leads[i], st[i], fw, k, ms);
    if (!rc)
        rc = store_periods(db, cfg, &plan, p, np, err);
    free(p);
    free(day);
    free(idx);
    period_plan_release(&plan);
    return rc;
}

static int write_tables(sqlite3 *db, const struct config *cfg, const struct maturity_lead *leads,
                        size_t n, const enum state *st, const struct km_curve *k,
                        const struct maturity_stats *ms, struct mql_err *err)
{
    int rc = schema_create(db, "maturity", err);
    if (!rc && !(rc = store_summary(db, n, k, ms, err)) && !(rc = store_curve(db, k, err)))
        rc = write_periods(db, cfg, leads, n, st, k, ms, err);
    return rc;
}

/* as_of: the config's, else the latest date the data holds. */
static int decide_as_of(const struct config *cfg, const struct maturity_lead *leads, size_t n,
                        int32_t today, struct maturity_stats *ms, struct mql_err *err)
{
    char a[11], b[11];
    if (cfg->has_as_of) {
        if (cfg->as_of_day > today) {
            text_format_date(cfg->as_of_day, a);
            text_format_date(today, b);
            return mql_err_set(err, MQL_EINPUT,
                               "%s:%d: as_of %s is after today (%s): the export cannot have been "
                               "taken in the future",
                               cfg->path, cfg->line_as_of, a, b);
        }
        ms->as_of = cfg->as_of_day;
        ms->as_of_given = 1;
        snprintf(ms->as_of_source, sizeof ms->as_of_source, "%s:%d: as_of", cfg->path,
                 cfg->line_as_of);
        return 0;
    }
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        last = leads[i].created > last ? leads[i].created : last;
        last = leads[i].sql > last ? leads[i].sql : last;
    }
    if (last == INT32_MIN)
        return mql_err_set(err, MQL_EINPUT, "%s: no lead has a creation date", cfg->leads);
    ms->as_of = last;
    snprintf(ms->as_of_source, sizeof ms->as_of_source,
             "the latest creation or SQL date in the data");
    return 0;
}

/* The Kaplan-Meier curve of time to SQL over every dated lead, its percentiles, and the
 * window: the config's, else the 95th percentile. */
static int time_to_sql(const struct config *cfg, const struct maturity_lead *leads, size_t n,
                       struct maturity_stats *ms, struct km_curve *k, struct mql_err *err)
{
    int32_t *t = malloc((n ? n : 1) * sizeof *t);
    unsigned char *e = malloc(n ? n : 1);
    int rc = !t || !e ? mql_err_oom(err) : 0;
    size_t m = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const struct maturity_lead *l = &leads[i];
        if (l->created == INT32_MIN || (l->outcome == 1 && l->sql == INT32_MIN))
            continue;
        int ev = l->outcome == 1;
        t[m] = ev ? l->sql - l->created : ms->as_of - l->created;
        e[m] = (unsigned char)ev;
        if (t[m] < 0) { /* a lead created after as_of: ingest rejects those */
            char a[11];
            text_format_date(l->created, a);
            rc = mql_err_set(err, MQL_EINPUT, "a lead created on %s, after as_of", a);
            break;
        }
        m++;
    }
    if (!rc && km_estimate(t, e, m, k))
        rc = mql_err_oom(err);
    free(t);
    free(e);
    if (rc)
        return rc;
    ms->median = km_quantile(k, 0.5);
    ms->p90 = km_quantile(k, 0.9);
    ms->p95 = km_quantile(k, 0.95);
    if (cfg->window) {
        ms->window = cfg->window;
        ms->window_given = 1;
        snprintf(ms->window_source, sizeof ms->window_source, "%s:%d: window", cfg->path,
                 cfg->line_window);
    } else if (ms->p95 >= 0) {
        ms->window = ms->p95 > 0 ? ms->p95 : 1;
        snprintf(ms->window_source, sizeof ms->window_source,
                 "proposed: the 95th percentile of time to SQL");
    } else {
        return mql_err_set(err, MQL_EINPUT,
                           "%s: no SQL has a date, so no conversion window can be proposed: "
                           "give [data] window (days)",
                           cfg->leads);
    }
    return 0;
}

/* Each lead's state (st[i]) and the counts of each state. */
static void classify_all(const struct maturity_lead *leads, size_t n, enum state *st,
                         struct maturity_stats *ms)
{
    for (size_t i = 0; i < n; i++) {
        const struct maturity_lead *l = &leads[i];
        st[i] = classify(l, ms->as_of, ms->window);
        switch (st[i]) {
        case S_SQL:
            ms->sqls++;
            break;
        case S_LATE:
            ms->late_sqls++;
            break;
        case S_SQL_UNDATED:
            ms->sqls_undated++;
            break;
        case S_MATURE:
            ms->mature++;
            break;
        case S_IMMATURE:
            ms->immature++;
            ms->immature_sqls += l->outcome == 1;
            break;
        case S_UNDATED:
            ms->undated++;
            break;
        case S_PENDING:
            ms->pending++;
            break;
        }
    }
}

/* The rows whose state the window changes: the late SQLs (whatever their age) and the leads
 * whose window is still open; the same rule as classify, checked against its counts. */
static int move_rows(sqlite3 *db, const struct maturity_stats *ms, struct mql_err *err)
{
    char from[11];
    text_format_date(ms->immature_from, from);
    sqlite3_stmt *up = NULL;
#define LATE "(_maturity = 'sql' AND julianday(_sql_at) - julianday(_created) > ?1)"
    int rc = store_prepare(
        db,
        "UPDATE leads SET _outcome = CASE WHEN " LATE " THEN 0 END, _maturity = CASE WHEN " LATE
        " THEN 'late_sql' ELSE 'immature' END WHERE _maturity IN ('sql', 'sql_undated', "
        "'mature') AND (" LATE " OR _created >= ?2)",
        &up, err);
#undef LATE
    if (!rc) {
        sqlite3_bind_int(up, 1, ms->window);
        sqlite3_bind_text(up, 2, from, 10, SQLITE_TRANSIENT);
        rc = store_step_done(db, up, err);
        /* every immature lead and late SQL moved, nothing else: the SQL and classify agree */
        uint64_t moved = (uint64_t)sqlite3_changes(db);
        if (!rc && moved != ms->immature + ms->late_sqls)
            rc = mql_err_set(err, MQL_EIO,
                             "internal error: the window moved %llu leads, the classification "
                             "%llu",
                             (unsigned long long)moved,
                             (unsigned long long)(ms->immature + ms->late_sqls));
    }
    sqlite3_finalize(up);
    return rc;
}

int maturity_apply(sqlite3 *db, const struct config *cfg, const struct maturity_lead *leads,
                   size_t n, int32_t today, struct maturity_stats *ms, struct mql_err *err)
{
    memset(ms, 0, sizeof *ms);
    ms->active = 1;
    int rc = decide_as_of(cfg, leads, n, today, ms, err);
    if (rc)
        return rc;
    enum state *st = malloc((n ? n : 1) * sizeof *st);
    struct km_curve k = {0};
    rc = st ? time_to_sql(cfg, leads, n, ms, &k, err) : mql_err_oom(err);
    if (!rc) {
        ms->immature_from = ms->as_of - ms->window + 1;
        classify_all(leads, n, st, ms);
        rc = move_rows(db, ms, err);
    }
    if (!rc)
        rc = write_tables(db, cfg, leads, n, st, &k, ms, err);
    km_release(&k);
    free(st);
    return rc;
}

/* ---- without SQL dates --------------------------------------------------------------------- */

int maturity_decline(const int32_t *day, const unsigned char *y, const unsigned char *known,
                     size_t n, struct maturity_decline *out)
{
    memset(out, 0, sizeof *out);
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < n; i++)
        if (known[i] && day[i] != INT32_MIN && day[i] > last)
            last = day[i];
    if (last == INT32_MIN)
        return 0;
    int32_t m = period_index(last, PERIOD_MONTH) - MATURITY_RECENT_MONTHS + 1;
    out->recent_from = period_first_day(m, PERIOD_MONTH);
    for (size_t i = 0; i < n; i++) {
        if (!known[i] || day[i] == INT32_MIN)
            continue;
        if (day[i] >= out->recent_from) {
            out->recent_leads++;
            out->recent_sqls += y[i];
        } else {
            out->earlier_leads++;
            out->earlier_sqls += y[i];
        }
    }
    if (out->recent_leads < 30 || out->earlier_leads < 30)
        return 0;
    double n1 = (double)out->recent_leads, n0 = (double)out->earlier_leads;
    out->recent_rate = (double)out->recent_sqls / n1;
    out->earlier_rate = (double)out->earlier_sqls / n0;
    double pool = (double)(out->recent_sqls + out->earlier_sqls) / (n0 + n1);
    double se = sqrt(pool * (1 - pool) * (1 / n0 + 1 / n1));
    out->z = se > 0 ? (out->recent_rate - out->earlier_rate) / se : 0;
    out->p = 0.5 * erfc(-out->z / sqrt(2.0)); /* one-sided: P(Z <= z) */
    return out->p < MATURITY_ALPHA && out->recent_rate < MATURITY_FALL * out->earlier_rate;
}
