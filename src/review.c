/*
 * review.c: the review stage: this quarter's rule against the last one on the same leads, its
 * tests, summary and tables (review.h).
 */
#include "mqlcal/review.h"

#include <gsl/gsl_cdf.h>

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/clock.h"
#include "mqlcal/data.h"
#include "mqlcal/fit.h"
#include "mqlcal/model.h"
#include "mqlcal/period.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/strbuf.h"
#include "mqlcal/text.h"
#include "mqlcal/validate.h"
#include "mqlcal/version.h"
#include "mqlcal/stats.h"

const char *review_band_name(enum review_band b)
{
    switch (b) {
    case REVIEW_STABLE:
        return "stable";
    case REVIEW_INVESTIGATE:
        return "investigate";
    case REVIEW_SHIFTED:
        return "shifted";
    case REVIEW_NO_BAND:
        break;
    }
    return "";
}

const char *review_change_name(enum review_change c)
{
    static const char *const names[] = {"same", "changed", "sign flip", "added", "removed"};
    return names[c];
}

static enum review_band band_of(double v)
{
    if (!isfinite(v))
        return REVIEW_NO_BAND;
    return v >= REVIEW_BAND_SHIFTED       ? REVIEW_SHIFTED
           : v >= REVIEW_BAND_INVESTIGATE ? REVIEW_INVESTIGATE
                                          : REVIEW_STABLE;
}

double review_psi(const size_t *base, const size_t *cur, size_t nbins)
{
    size_t nb = 0, nc = 0;
    for (size_t i = 0; i < nbins; i++) {
        nb += base[i];
        nc += cur[i];
    }
    if (!nb || !nc)
        return NAN;
    double psi = 0;
    for (size_t i = 0; i < nbins; i++) {
        if (base[i] == cur[i] && nb == nc)
            continue; /* exactly 0, also for bins empty on both sides */
        double b = (base[i] ? (double)base[i] : 0.5) / (double)nb;
        double c = (cur[i] ? (double)cur[i] : 0.5) / (double)nc;
        psi += (c - b) * log(c / b);
    }
    return psi;
}

/* ---- the columns ----------------------------------------------------------------------------- */

/* The names of the store's leads columns, for "does the data have it". */
static int leads_columns(sqlite3 *db, struct store_table *t, struct mql_err *err)
{
    return store_table_read(db, "SELECT name FROM pragma_table_info('leads')", t, err);
}

static int has_column(const struct store_table *t, const char *name)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (t->text[i] && strcmp(t->text[i], name) == 0)
            return 1;
    return 0;
}

/* Adds name to the list unless it is there. */
static int add_name(const char ***names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return 0;
    const char **v = realloc(*names, (*n + 1) * sizeof *v);
    if (!v)
        return -1;
    v[(*n)++] = name;
    *names = v;
    return 0;
}

static int column_of(const struct data *d, const char *name)
{
    for (size_t i = 0; i < d->nsegments; i++)
        if (strcmp(d->segments[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Per value id of col (and one more slot, the last, for a missing value): the level of rule
 * attribute a, and whether a level lists it (categorical) / whether it could be read. */
static int level_map(const struct rules *r, size_t a, const struct data_column *col, uint16_t **map,
                     unsigned char **listed, unsigned char **bad)
{
    size_t nv = col->nvalues;
    *map = malloc((nv + 1) * sizeof **map);
    *listed = malloc(nv + 1);
    *bad = calloc(nv + 1, 1);
    if (!*map || !*listed || !*bad)
        return -1;
    for (size_t v = 0; v <= nv; v++) {
        const char *s = v < nv ? col->values[v] : "";
        size_t level;
        int lst;
        if (rules_attr_level(r, a, s, strlen(s), &level, &lst)) {
            level = r->attrs[a].missing; /* as missing; counted as unscorable */
            lst = 1;
            (*bad)[v] = 1;
        }
        (*map)[v] = (uint16_t)level;
        (*listed)[v] = (unsigned char)lst;
    }
    return 0;
}

static inline size_t value_slot(const struct data_column *col, size_t r)
{
    uint32_t v = col->ids[r];
    return v == DATA_MISSING ? col->nvalues : v;
}

/* ---- one rule on the history ----------------------------------------------------------------- */

struct hist {
    const struct data *d;
    const int32_t *period; /* per lead, -1 without a date */
    size_t nperiods;
    const struct period_plan *plan; /* which periods the volumes stand on, as the sweep's */
};

/* Each lead's score and fit score by the side's rule, and the values it cannot read. */
static int side_points(const struct hist *h, struct review_side *s, struct mql_err *err)
{
    const struct data *d = h->d;
    const struct rules *r = &s->rules;
    size_t n = d->n;
    for (size_t i = 0; i < n; i++)
        s->score[i] = r->base;
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        int c = column_of(d, at->name), fit = at->group == GROUP_FIT;
        if (c < 0) { /* the data lacks it: missing for every lead */
            int p = at->pts[at->missing];
            for (size_t i = 0; i < n; i++) {
                s->score[i] += p;
                s->fit_score[i] += fit ? p : 0;
            }
            continue;
        }
        const struct data_column *col = &d->segments[c];
        uint16_t *map = NULL;
        unsigned char *listed = NULL, *bad = NULL;
        int *pts = NULL;
        int rc = level_map(r, a, col, &map, &listed, &bad) ||
                         !(pts = malloc((col->nvalues + 1) * sizeof *pts))
                     ? mql_err_oom(err)
                     : 0;
        /* points per value, then one pass over the leads */
        for (size_t v = 0; v <= col->nvalues && !rc; v++)
            pts[v] = at->pts[map[v]];
        for (size_t i = 0; i < n && !rc; i++) {
            size_t v = value_slot(col, i);
            s->score[i] += pts[v];
            if (fit)
                s->fit_score[i] += pts[v];
            s->unscorable += bad[v];
        }
        free(pts);
        free(map);
        free(listed);
        free(bad);
        if (rc)
            return rc;
    }
    return 0;
}

/* dq[i] = 1 when lead i meets one of the rule's disqualifiers. */
static int side_disqualified(const struct hist *h, const struct rules *r, unsigned char *dq,
                             struct mql_err *err)
{
    const struct data *d = h->d;
    for (size_t q = 0; q < r->ndq; q++) {
        int c = column_of(d, r->dq[q].column);
        if (c < 0)
            continue;
        const struct data_column *col = &d->segments[c];
        unsigned char *match = calloc(col->nvalues + 1, 1);
        if (!match)
            return mql_err_oom(err);
        for (size_t v = 0; v < col->nvalues; v++)
            match[v] = (unsigned char)rules_dq_match(r, q, col->values[v], strlen(col->values[v]));
        for (size_t i = 0; i < d->n; i++)
            dq[i] |= match[value_slot(col, i)];
        free(match);
    }
    return 0;
}

/* The rule's MQLs and their periods, and its curve: MQLs, SQLs, pending and volume at or above
 * every score (the fit minimum and the disqualifiers kept). *all_sqls counts every SQL. */
static int side_curve(const struct hist *h, struct review_side *s, const unsigned char *dq,
                      size_t *all_sqls, struct mql_err *err)
{
    const struct data *d = h->d;
    const struct rules *r = &s->rules;
    size_t n = d->n;
    int lo = n ? s->score[0] : 0, hi = lo;
    for (size_t i = 0; i < n; i++) {
        lo = s->score[i] < lo ? s->score[i] : lo;
        hi = s->score[i] > hi ? s->score[i] : hi;
    }
    s->min_score = lo;
    s->max_score = hi;
    size_t nt = (size_t)(hi - lo + 1);
    s->curve_mqls = calloc(nt, sizeof *s->curve_mqls);
    s->curve_sqls = calloc(nt, sizeof *s->curve_sqls);
    s->curve_vol = calloc(nt, sizeof *s->curve_vol);
    s->curve_pending = calloc(nt, sizeof *s->curve_pending);
    if (!s->curve_mqls || !s->curve_sqls || !s->curve_vol || !s->curve_pending)
        return mql_err_oom(err);
    size_t sqls = 0;
    for (size_t i = 0; i < n; i++) {
        sqls += d->y[i];
        if (dq[i] || (r->has_fit_min && s->fit_score[i] < r->fit_min))
            continue;
        size_t t = (size_t)(s->score[i] - lo);
        s->curve_mqls[t]++;
        s->curve_sqls[t] += d->y[i];
        s->curve_pending[t] += !d->known[i];
        /* the volume counts leads of whole periods and undated ones (spread over those) */
        if (h->period[i] < 0 || h->plan->full[h->period[i]])
            s->curve_vol[t] += 1;
        if (r->has_rule && s->score[i] >= r->threshold) {
            s->mql[i] = 1;
            s->mqls++;
            s->sqls += d->y[i];
            s->pending += !d->known[i];
            if (h->period[i] >= 0) {
                s->period_mqls[h->period[i]]++;
                s->period_sqls[h->period[i]] += d->y[i];
                s->period_pending[h->period[i]] += !d->known[i];
            }
        }
    }
    for (size_t t = nt - 1; t-- > 0;) { /* cumulative from the top: at or above t */
        s->curve_mqls[t] += s->curve_mqls[t + 1];
        s->curve_sqls[t] += s->curve_sqls[t + 1];
        s->curve_vol[t] += s->curve_vol[t + 1];
        s->curve_pending[t] += s->curve_pending[t + 1];
    }
    for (size_t t = 0; t < nt; t++)
        s->curve_vol[t] /= (double)h->plan->nfull;
    *all_sqls = sqls;
    return 0;
}

/* The rule's conversion (among the MQLs whose outcome is known; the volumes count them all),
 * recall, and MQLs and SQLs per period as the sweep counts them. */
static int side_figures(const struct hist *h, struct review_side *s, size_t sqls,
                        struct mql_err *err)
{
    size_t decided = s->mqls - s->pending;
    s->conversion = validate_conversion(s->sqls, s->mqls, s->pending);
    s->conv_lo = s->conv_hi = NAN;
    if (decided)
        validate_wilson(s->sqls, decided, STATS_Z95, &s->conv_lo, &s->conv_hi);
    s->recall = sqls ? (double)s->sqls / (double)sqls : NAN;
    /* the sweep's volume: whole periods, undated MQLs spread; SQLs = conversion x MQLs */
    size_t pm = 0;
    double *vol = malloc((h->nperiods ? h->nperiods : 1) * sizeof *vol);
    if (!vol)
        return mql_err_oom(err);
    for (size_t p = 0; p < h->nperiods; p++) {
        pm += s->period_mqls[p];
        vol[p] = (double)s->period_mqls[p];
    }
    s->mqls_per_period = period_plan_mean(h->plan, vol, (double)(s->mqls - pm));
    s->sqls_per_period = decided ? s->conversion * s->mqls_per_period : 0;
    free(vol);
    return 0;
}

/* Scores the history with the side's rule: points, MQLs, curve and figures. */
static int score_side(const struct hist *h, struct review_side *s, struct mql_err *err)
{
    size_t n = h->d->n;
    unsigned char *dq = calloc(n ? n : 1, 1);
    s->score = malloc((n ? n : 1) * sizeof *s->score);
    s->fit_score = calloc(n ? n : 1, sizeof *s->fit_score);
    s->mql = calloc(n ? n : 1, 1);
    s->period_mqls = calloc(h->nperiods, sizeof *s->period_mqls);
    s->period_sqls = calloc(h->nperiods, sizeof *s->period_sqls);
    s->period_pending = calloc(h->nperiods, sizeof *s->period_pending);
    int rc = 0;
    if (!dq || !s->score || !s->fit_score || !s->mql || !s->period_mqls || !s->period_sqls ||
        !s->period_pending)
        rc = mql_err_oom(err);
    s->has_rule = s->rules.has_rule;
    s->threshold = s->rules.threshold;
    s->has_fit_min = s->rules.has_fit_min;
    s->fit_min = s->rules.fit_min;
    size_t sqls = 0;
    if (!rc && !(rc = side_points(h, s, err)) && !(rc = side_disqualified(h, &s->rules, dq, err)) &&
        !(rc = side_curve(h, s, dq, &sqls, err)))
        rc = side_figures(h, s, sqls, err);
    free(dq);
    return rc;
}

/* ---- the points of both rules ------------------------------------------------------------------
 */

static const struct rules_attr *find_attr(const struct rules *r, const char *name)
{
    for (size_t a = 0; a < r->nattrs; a++)
        if (strcmp(r->attrs[a].name, name) == 0)
            return &r->attrs[a];
    return NULL;
}

static const struct rules_level *find_level(const struct rules_attr *at, const char *label,
                                            size_t *index)
{
    for (size_t l = 0; at && l < at->nlevels; l++)
        if (strcmp(at->levels[l].label, label) == 0) {
            *index = l;
            return &at->levels[l];
        }
    return NULL;
}

static int push_point(struct review_result *res, const char *attr, const char *level,
                      const struct rules_attr *pa, size_t pl, const struct rules_attr *ca,
                      size_t cl)
{
    struct review_point *v = realloc(res->points, (res->npoints + 1) * sizeof *v);
    if (!v)
        return -1;
    res->points = v;
    struct review_point *p = &v[res->npoints++];
    memset(p, 0, sizeof *p);
    p->attribute = text_dup(attr);
    p->level = text_dup(level);
    if (!p->attribute || !p->level)
        return -1;
    p->has_prev = pa != NULL;
    p->has_cur = ca != NULL;
    if (pa) {
        p->prev = pa->levels[pl].points;
        p->prev_above = pa->levels[pl].points - pa->levels[pa->reference].points;
    }
    if (ca) {
        p->cur = ca->levels[cl].points;
        p->cur_above = ca->levels[cl].points - ca->levels[ca->reference].points;
    }
    if (!pa)
        p->change = REVIEW_ADDED;
    else if (!ca)
        p->change = REVIEW_REMOVED;
    else if (p->prev_above && p->cur_above && (p->prev_above > 0) != (p->cur_above > 0))
        p->change = REVIEW_SIGN_FLIP;
    else
        p->change = p->prev != p->cur ? REVIEW_CHANGED : REVIEW_SAME;
    return 0;
}

/* Every (attribute, level) of both rules: the current rule's order, then what only the
 * previous one has. */
static int diff_points(struct review_result *res)
{
    const struct rules *pr = &res->prev.rules, *cr = &res->cur.rules;
    for (size_t a = 0; a < cr->nattrs; a++) {
        const struct rules_attr *ca = &cr->attrs[a], *pa = find_attr(pr, ca->name);
        for (size_t l = 0; l < ca->nlevels; l++) {
            size_t pl = 0;
            const struct rules_level *m = find_level(pa, ca->levels[l].label, &pl);
            if (push_point(res, ca->name, ca->levels[l].label, m ? pa : NULL, pl, ca, l))
                return -1;
        }
        for (size_t l = 0; pa && l < pa->nlevels; l++) {
            size_t cl;
            if (!find_level(ca, pa->levels[l].label, &cl) &&
                push_point(res, ca->name, pa->levels[l].label, pa, l, NULL, 0))
                return -1;
        }
    }
    for (size_t a = 0; a < pr->nattrs; a++) {
        const struct rules_attr *pa = &pr->attrs[a];
        if (find_attr(cr, pa->name))
            continue;
        for (size_t l = 0; l < pa->nlevels; l++)
            if (push_point(res, pa->name, pa->levels[l].label, pa, l, NULL, 0))
                return -1;
    }
    return 0;
}

/* ---- stability ----------------------------------------------------------------------------- */

static int32_t quarter_first_day(int32_t q)
{
    int32_t y = q >= 0 ? q / 4 : -((-q + 3) / 4);
    return text_days_from_civil((int)y, (unsigned)((q - y * 4) * 3 + 1), 1);
}

static void span_label(int32_t from, int32_t to, char *buf, size_t cap)
{
    int32_t q = period_index(from, PERIOD_QUARTER);
    if (quarter_first_day(q) == from && quarter_first_day(q + 1) - 1 == to) {
        period_label(q, PERIOD_QUARTER, buf, cap);
        return;
    }
    char a[11], b[11];
    text_format_date(from, a);
    text_format_date(to, b);
    snprintf(buf, cap, "%s..%s", a, b);
}

/* What the previous rule promised and what it delivered since (review.h: review_promise). */
static int promise(const struct config *cfg, const struct data *d, const int32_t *period,
                   const struct period_plan *plan, struct review_result *res)
{
    struct review_promise *pr = &res->promise;
    memset(pr, 0, sizeof *pr);
    const struct rules *r = &res->prev.rules;
    if (!r->has_expected || !r->provenance_json)
        return 0;
    json_t *prov = json_loads(r->provenance_json, 0, NULL);
    json_t *in = prov ? json_object_get(prov, "input") : NULL;
    const char *dm = in ? json_string_value(json_object_get(in, "date_max")) : NULL;
    int32_t since;
    int ok = dm && text_parse_date(dm, strlen(dm), &since) == 0;
    if (ok)
        snprintf(pr->since, sizeof pr->since, "%s", dm);
    json_decref(prov);
    if (!ok)
        return 0;
    pr->has = 1;
    snprintf(pr->period, sizeof pr->period, "%s", r->expected.period ? r->expected.period : "");
    pr->promised_conversion = r->expected.conversion;
    pr->promised_lo = r->expected.conv_lo;
    pr->promised_hi = r->expected.conv_hi;
    pr->promised_per_period = r->expected.mqls_per_period;
    size_t np = plan->has_dates ? plan->nperiods : 0;
    size_t *vol = calloc(np + 1, sizeof *vol);
    if (!vol)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        if (d->day[i] == INT32_MIN || d->day[i] <= since)
            continue;
        pr->leads++;
        if (!res->prev.mql[i])
            continue;
        pr->mqls++;
        pr->pending += !d->known[i];
        pr->sqls += d->y[i];
        if (period[i] >= 0)
            vol[period[i]]++;
    }
    /* whole periods that start after since, as the sweep counts volumes (period.h) */
    double sum = 0;
    for (size_t p = 0; p < np; p++)
        if (plan->full[p] && period_first_day(plan->period0 + (int32_t)p, cfg->period) > since) {
            sum += (double)vol[p];
            pr->whole_periods++;
        }
    free(vol);
    pr->per_period = pr->whole_periods ? sum / (double)pr->whole_periods : NAN;
    size_t decided = pr->mqls - pr->pending;
    pr->conversion = validate_conversion(pr->sqls, pr->mqls, pr->pending);
    pr->conv_lo = pr->conv_hi = NAN;
    if (decided)
        validate_wilson(pr->sqls, decided, STATS_Z95, &pr->conv_lo, &pr->conv_hi);
    return 0;
}

/* The spans: configured, or the last two complete quarters of the leads whose outcome is known
 * (the months after the latest such lead hold only immature or pending leads: maturity.h). */
static void choose_spans(const struct config *cfg, const struct data *d, struct review_result *res)
{
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < d->n; i++)
        if (d->day[i] != INT32_MIN && d->known[i]) {
            lo = d->day[i] < lo ? d->day[i] : lo;
            hi = d->day[i] > hi ? d->day[i] : hi;
        }
    if (cfg->has_review_baseline) {
        res->base_from = cfg->review_baseline[0];
        res->base_to = cfg->review_baseline[1];
        res->cur_from = cfg->review_current[0];
        res->cur_to = cfg->review_current[1];
    } else if (lo == INT32_MAX) {
        snprintf(res->span_note, sizeof res->span_note,
                 "the data has no dates, so it cannot be split into a baseline and a current "
                 "span");
        return;
    } else {
        int32_t q = period_index(hi, PERIOD_QUARTER);
        if (quarter_first_day(q + 1) - 1 > hi)
            q--; /* the last quarter is not over */
        if (quarter_first_day(q - 1) < lo) {
            char a[11], b[11];
            text_format_date(lo, a);
            text_format_date(hi, b);
            snprintf(res->span_note, sizeof res->span_note,
                     "the data (%s to %s) holds fewer than two complete quarters: set [review] "
                     "baseline and current",
                     a, b);
            return;
        }
        res->base_from = quarter_first_day(q - 1);
        res->base_to = quarter_first_day(q) - 1;
        res->cur_from = quarter_first_day(q);
        res->cur_to = quarter_first_day(q + 1) - 1;
    }
    span_label(res->base_from, res->base_to, res->base_label, sizeof res->base_label);
    span_label(res->cur_from, res->cur_to, res->cur_label, sizeof res->cur_label);
    res->has_spans = 1;
}

/* 0 outside both spans, 1 baseline, 2 current. */
static unsigned char *span_of_leads(const struct data *d, const struct review_result *res)
{
    unsigned char *span = calloc(d->n ? d->n : 1, 1);
    if (!span)
        return NULL;
    for (size_t i = 0; i < d->n; i++) {
        int32_t day = d->day[i];
        if (day == INT32_MIN || !d->known[i]) /* drift is judged on known outcomes */
            continue;
        if (day >= res->base_from && day <= res->base_to)
            span[i] |= 1;
        if (day >= res->cur_from && day <= res->cur_to)
            span[i] |= 2;
    }
    return span;
}

/* PSI of the distribution of sa over the leads in group a against that of sb over the leads in
 * group b (group g: grp[i] & g, or every lead when grp is NULL), in bins cut at the first
 * distribution's deciles; the bins go to out when it is not NULL. */
static double score_psi(const int *sa, const int *sb, size_t n, const unsigned char *grp,
                        unsigned ga, unsigned gb, struct review_psi_bin **out, size_t *nout,
                        struct mql_err *err)
{
    int lo = 0, hi = -1;
    for (size_t i = 0; i < n; i++) {
        int x = sa[i] < sb[i] ? sa[i] : sb[i], y = sa[i] > sb[i] ? sa[i] : sb[i];
        if (hi < lo || x < lo)
            lo = x;
        if (hi < lo || y > hi)
            hi = y;
    }
    if (hi < lo)
        return NAN;
    size_t nt = (size_t)(hi - lo + 1), n1 = 0, n2 = 0, nb = 0;
    size_t *h1 = calloc(nt, sizeof *h1), *h2 = calloc(nt, sizeof *h2), *b1 = NULL, *b2 = NULL;
    int upper[11];
    double psi = NAN;
    if (!h1 || !h2) {
        mql_err_oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned g = grp ? grp[i] : (ga | gb);
        if (g & ga) {
            h1[sa[i] - lo]++;
            n1++;
        }
        if (g & gb) {
            h2[sb[i] - lo]++;
            n2++;
        }
    }
    if (!n1 || !n2)
        goto out;
    /* the deciles of the first as inclusive upper edges, merged when tied */
    size_t cum = 0, t = 0;
    for (int j = 1; j <= 9; j++) {
        size_t want = (size_t)ceil((double)j * (double)n1 / 10.0);
        while (t < nt && cum + h1[t] < want)
            cum += h1[t++];
        int edge = lo + (int)(t < nt ? t : nt - 1);
        if (!nb || edge > upper[nb - 1])
            upper[nb++] = edge;
    }
    if (upper[nb - 1] < hi)
        upper[nb++] = hi;
    b1 = calloc(nb, sizeof *b1);
    b2 = calloc(nb, sizeof *b2);
    if (!b1 || !b2) {
        mql_err_oom(err);
        goto out;
    }
    for (size_t k = 0, b = 0; k < nt; k++) {
        while (lo + (int)k > upper[b])
            b++;
        b1[b] += h1[k];
        b2[b] += h2[k];
    }
    psi = review_psi(b1, b2, nb);
    if (out) {
        if (!(*out = calloc(nb, sizeof **out))) {
            mql_err_oom(err);
            psi = NAN;
            goto out;
        }
        for (size_t b = 0; b < nb; b++) {
            (*out)[b].lo = b ? upper[b - 1] + 1 : lo;
            (*out)[b].hi = upper[b];
            (*out)[b].base = (double)b1[b] / (double)n1;
            (*out)[b].cur = (double)b2[b] / (double)n2;
        }
        *nout = nb;
    }
out:
    free(h1);
    free(h2);
    free(b1);
    free(b2);
    return psi;
}

static struct review_attr *attr_entry(struct review_result *res, const char *name)
{
    for (size_t i = 0; i < res->nattrs; i++)
        if (strcmp(res->attrs[i].name, name) == 0)
            return &res->attrs[i];
    struct review_attr *v = realloc(res->attrs, (res->nattrs + 1) * sizeof *v);
    if (!v)
        return NULL;
    res->attrs = v;
    struct review_attr *a = &v[res->nattrs];
    memset(a, 0, sizeof *a);
    a->csi = a->score_shift = a->new_share = a->min_detectable = NAN;
    a->csi_band = REVIEW_NO_BAND;
    a->worst = -1;
    if (!(a->name = text_dup(name)))
        return NULL;
    res->nattrs++;
    return a;
}

#define REVIEW_RARE_SHARE 0.005 /* categorical values under this share in both spans pool */

static int push_bucket(struct review_attr *out, const char *label, size_t b, size_t c, size_t tb,
                       size_t tc)
{
    struct review_bucket *k = &out->buckets[out->nbuckets];
    if (!(k->label = text_dup(label)))
        return -1;
    k->base = tb ? (double)b / (double)tb : NAN;
    k->cur = tc ? (double)c / (double)tc : NAN;
    out->nbuckets++;
    return 0;
}

/* CSI of one attribute between the spans: over its values for a categorical attribute (values
 * under REVIEW_RARE_SHARE in both spans pooled as "(rare values)"), over the bins of rule
 * attribute ra (of rules r) for a count or numeric one. Also the score shift by the rule's
 * points and, for a categorical attribute, the current span's share of values the baseline
 * never had (and the largest of them). */
static int attr_csi(const struct rules *r, size_t ra, const struct data_column *col,
                    const unsigned char *span, size_t n, struct review_attr *out)
{
    const struct rules_attr *at = &r->attrs[ra];
    size_t nv = col->nvalues + 1, nl = at->nlevels;
    size_t *vb = calloc(nv, sizeof *vb), *vc = calloc(nv, sizeof *vc);
    size_t *lb = calloc(nl + 1, sizeof *lb), *lc = calloc(nl + 1, sizeof *lc);
    size_t *kb = calloc(nv + 1, sizeof *kb), *kc = calloc(nv + 1, sizeof *kc);
    uint16_t *map = NULL;
    unsigned char *listed = NULL, *bad = NULL;
    int rc = -1;
    if (!vb || !vc || !lb || !lc || !kb || !kc || level_map(r, ra, col, &map, &listed, &bad))
        goto out;
    size_t tb = 0, tc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!span[i])
            continue;
        size_t v = value_slot(col, i);
        if (span[i] & 1) {
            vb[v]++;
            tb++;
        }
        if (span[i] & 2) {
            vc[v]++;
            tc++;
        }
    }
    out->score_shift = 0;
    for (size_t v = 0; v < nv; v++) {
        lb[map[v]] += vb[v];
        lc[map[v]] += vc[v];
        if (tb && tc)
            out->score_shift +=
                ((double)vc[v] / (double)tc - (double)vb[v] / (double)tb) * at->pts[map[v]];
    }
    size_t nk = 0;
    if (at->kind == ATTR_CATEGORICAL) {
        out->buckets = calloc(nv + 1, sizeof *out->buckets);
        if (!out->buckets)
            goto out;
        size_t rare_b = 0, rare_c = 0, fresh = 0, top = SIZE_MAX;
        for (size_t v = 0; v < nv; v++) {
            if (!vb[v] && vc[v]) {
                fresh += vc[v];
                if (top == SIZE_MAX || vc[v] > vc[top])
                    top = v;
            }
            int rare = (!tb || (double)vb[v] < REVIEW_RARE_SHARE * (double)tb) &&
                       (!tc || (double)vc[v] < REVIEW_RARE_SHARE * (double)tc);
            if (rare) {
                rare_b += vb[v];
                rare_c += vc[v];
                continue;
            }
            kb[nk] = vb[v];
            kc[nk++] = vc[v];
            if (push_bucket(out, v < col->nvalues ? col->values[v] : "(missing)", vb[v], vc[v], tb,
                            tc))
                goto out;
        }
        if (rare_b || rare_c) {
            kb[nk] = rare_b;
            kc[nk++] = rare_c;
            if (push_bucket(out, "(rare values)", rare_b, rare_c, tb, tc))
                goto out;
        }
        out->new_share = tc ? (double)fresh / (double)tc : NAN;
        if (top != SIZE_MAX &&
            !(out->new_value = text_dup(top < col->nvalues ? col->values[top] : "(missing)")))
            goto out;
    } else {
        out->buckets = calloc(nl, sizeof *out->buckets);
        if (!out->buckets)
            goto out;
        for (size_t l = 0; l < nl; l++) {
            kb[nk] = lb[l];
            kc[nk++] = lc[l];
            if (push_bucket(out, at->levels[l].label, lb[l], lc[l], tb, tc))
                goto out;
        }
    }
    out->csi = review_psi(kb, kc, nk);
    out->csi_band = band_of(out->csi);
    rc = 0;
out:
    free(vb);
    free(vc);
    free(lb);
    free(lc);
    free(kb);
    free(kc);
    free(map);
    free(listed);
    free(bad);
    return rc;
}

/* The current rule's levels refitted on each span; z-test of each level's change, Holm. */
/* Each lead's level of each attribute of the current rule: level[i * k + a]. */
static int lead_levels(const struct rules *r, const struct data *d, uint16_t *level,
                       struct mql_err *err)
{
    size_t k = r->nattrs;
    for (size_t a = 0; a < k; a++) {
        const struct rules_attr *at = &r->attrs[a];
        int c = column_of(d, at->name);
        uint16_t *map = NULL;
        unsigned char *listed = NULL, *bad = NULL;
        int rc =
            c >= 0 && level_map(r, a, &d->segments[c], &map, &listed, &bad) ? mql_err_oom(err) : 0;
        for (size_t i = 0; i < d->n && !rc; i++)
            level[i * k + a] = c < 0 ? (uint16_t)at->missing : map[value_slot(&d->segments[c], i)];
        free(map);
        free(listed);
        free(bad);
        if (rc)
            return rc;
    }
    return 0;
}

/* The design column of level l of attribute a (first[a] is its first column; the reference
 * level has none). */
static size_t design_col(const struct rules_attr *at, const size_t *first, size_t a, size_t l)
{
    return l < at->reference ? first[a] + l : first[a] + l - 1;
}

/* The current rule's attributes refitted on the leads of span s (bit s of span[i]); *ok = 1
 * when the fit converged. */
static int fit_span(const struct config *cfg, const struct rules *r, const struct data *d,
                    const unsigned char *span, int s, const uint16_t *level, const size_t *first,
                    size_t p, struct model_result *fit, int *ok, struct mql_err *err)
{
    size_t k = r->nattrs, n = d->n, m = 0;
    for (size_t i = 0; i < n; i++)
        m += (span[i] >> s) & 1;
    uint16_t *cols = malloc((m ? m : 1) * k * sizeof *cols);
    unsigned char *y = malloc(m ? m : 1);
    int rc = 0;
    if (!cols || !y) {
        free(cols);
        free(y);
        return mql_err_oom(err);
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (!((span[i] >> s) & 1))
            continue;
        for (size_t a = 0; a < k; a++) {
            const struct rules_attr *at = &r->attrs[a];
            size_t l = level[i * k + a];
            cols[j * k + a] =
                l == at->reference ? (uint16_t)p : (uint16_t)design_col(at, first, a, l);
        }
        y[j++] = d->y[i];
    }
    struct model_design des = {m, k, p, cols, y, NULL};
    struct model_opts opts = {cfg->l2, cfg->max_iter, cfg->tolerance};
    struct model_ws *ws = m ? model_ws_new(m, k, p) : NULL;
    struct mql_err ferr;
    mql_err_clear(&ferr);
    if (ws && model_fit(&des, &opts, ws, fit, &ferr) == 0)
        *ok = 1;
    else if (m && !ws)
        rc = mql_err_oom(err);
    model_ws_free(ws);
    free(cols);
    free(y);
    return rc;
}

/* A z test per level of every attribute between the two spans' fits; *ntests counts them. */
static int level_tests(const struct rules *r, const struct model_result *fits, const size_t *first,
                       struct review_result *res, size_t *ntests, struct mql_err *err)
{
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        struct review_attr *ra = attr_entry(res, at->name);
        if (!ra || !(ra->tests = calloc(at->nlevels, sizeof *ra->tests)))
            return mql_err_oom(err);
        for (size_t l = 0; l < at->nlevels; l++) {
            if (l == at->reference)
                continue;
            size_t c = design_col(at, first, a, l);
            double b0 = fits[0].beta[c], s0 = fits[0].se[c], b1 = fits[1].beta[c],
                   s1 = fits[1].se[c];
            if (!isfinite(s0) || !isfinite(s1) || fits[0].aliased[c] || fits[1].aliased[c])
                continue;
            struct review_level_test *t = &ra->tests[ra->ntests++];
            if (!(t->level = text_dup(at->levels[l].label)))
                return mql_err_oom(err);
            t->b_base = b0;
            t->se_base = s0;
            t->b_cur = b1;
            t->se_cur = s1;
            t->z = (b1 - b0) / sqrt(s0 * s0 + s1 * s1);
            t->p = erfc(fabs(t->z) / sqrt(2.0));
            t->points_change = (b1 - b0) * r->factor;
            (*ntests)++;
        }
    }
    return 0;
}

/* Holm over every test; each test's detectable change (80 % power at Holm's strictest step);
 * per attribute, whether any test is flagged, its worst test and its smallest detectable. */
static int adjust_tests(const struct config *cfg, const struct rules *r, struct review_result *res,
                        size_t ntests, struct mql_err *err)
{
    struct review_level_test **all = malloc(ntests * sizeof *all);
    double *pv = malloc(ntests * sizeof *pv), *adj = malloc(ntests * sizeof *adj);
    int rc = !all || !pv || !adj ? mql_err_oom(err) : 0;
    size_t j = 0;
    for (size_t i = 0; i < res->nattrs && !rc; i++)
        for (size_t t = 0; t < res->attrs[i].ntests; t++)
            all[j++] = &res->attrs[i].tests[t];
    for (size_t x = 0; x < ntests && !rc; x++)
        pv[x] = all[x]->p;
    if (!rc && stats_holm(pv, ntests, adj))
        rc = mql_err_oom(err);
    for (size_t x = 0; x < ntests && !rc; x++) {
        all[x]->p_holm = adj[x];
        all[x]->flagged =
            adj[x] < cfg->review_alpha && fabs(all[x]->points_change) >= cfg->review_min_change;
    }
    free(pv);
    free(adj);
    free(all);
    if (rc)
        return rc;
    double zk = gsl_cdf_ugaussian_Qinv(cfg->review_alpha / (2.0 * (double)ntests)) +
                gsl_cdf_ugaussian_Pinv(0.8);
    for (size_t i = 0; i < res->nattrs; i++) {
        struct review_attr *ra = &res->attrs[i];
        ra->min_detectable = NAN;
        for (size_t t = 0; t < ra->ntests; t++) {
            struct review_level_test *x = &ra->tests[t];
            x->detectable =
                fmax(cfg->review_min_change,
                     zk * sqrt(x->se_base * x->se_base + x->se_cur * x->se_cur) * r->factor);
            if (!(x->detectable >= ra->min_detectable))
                ra->min_detectable = x->detectable;
            ra->flagged |= ra->tests[t].flagged;
            if (ra->worst < 0 || ra->tests[t].p < ra->tests[ra->worst].p)
                ra->worst = (int)t;
        }
    }
    return 0;
}

/* Has each attribute's relationship with conversion changed between the spans? The current
 * rule's attributes refitted on each span, and a test per level (level_tests, adjust_tests). */
static int coefficient_tests(const struct config *cfg, const struct hist *h,
                             const unsigned char *span, struct review_result *res,
                             struct mql_err *err)
{
    const struct rules *r = &res->cur.rules;
    const struct data *d = h->d;
    size_t k = r->nattrs, n = d->n;
    if (!k)
        return 0;
    /* design columns: per attribute, every level but the reference */
    size_t *first = malloc(k * sizeof *first);
    if (!first)
        return mql_err_oom(err);
    size_t p = 1;
    for (size_t a = 0; a < k; a++) {
        first[a] = p;
        p += r->attrs[a].nlevels - 1;
    }
    if (p >= UINT16_MAX) {
        free(first);
        return 0;
    }
    uint16_t *level = malloc((n ? n : 1) * k * sizeof *level);
    int rc = level ? lead_levels(r, d, level, err) : mql_err_oom(err);
    struct model_result fits[2];
    memset(fits, 0, sizeof fits);
    int ok[2] = {0, 0};
    for (int s = 0; s < 2 && !rc; s++)
        rc = fit_span(cfg, r, d, span, s, level, first, p, &fits[s], &ok[s], err);
    size_t ntests = 0;
    if (!rc && ok[0] && ok[1])
        rc = level_tests(r, fits, first, res, &ntests, err);
    if (!rc && ntests)
        rc = adjust_tests(cfg, r, res, ntests, err);
    model_result_release(&fits[0]);
    model_result_release(&fits[1]);
    free(level);
    free(first);
    return rc;
}

static int stability(const struct config *cfg, const struct hist *h, struct review_result *res,
                     struct mql_err *err)
{
    const struct data *d = h->d;
    /* between the rules, on every lead: 0 for a rule against itself */
    res->psi_rules = score_psi(res->prev.score, res->cur.score, d->n, NULL, 1, 2, NULL, NULL, err);
    choose_spans(cfg, d, res);
    res->prev.psi = res->cur.psi = NAN;
    res->psi_band = REVIEW_NO_BAND;
    if (!res->has_spans)
        return err->code;
    unsigned char *span = span_of_leads(d, res);
    if (!span)
        return mql_err_oom(err);
    for (size_t i = 0; i < d->n; i++) {
        res->base_n += span[i] & 1;
        res->cur_n += (span[i] >> 1) & 1;
    }
    if (!res->base_n || !res->cur_n) {
        snprintf(res->span_note, sizeof res->span_note,
                 "the baseline (%s) holds %zu leads and the current span (%s) %zu: stability "
                 "needs leads in both",
                 res->base_label, res->base_n, res->cur_label, res->cur_n);
        res->has_spans = 0;
        free(span);
        return 0;
    }
    res->cur.psi = score_psi(res->cur.score, res->cur.score, d->n, span, 1, 2, &res->psi_bins,
                             &res->npsi_bins, err);
    res->prev.psi = score_psi(res->prev.score, res->prev.score, d->n, span, 1, 2, NULL, NULL, err);
    res->psi_band = band_of(res->cur.psi);
    int rc = err->code;
    /* CSI per attribute, by the current rule's levels (else the previous one's) */
    for (size_t i = 0; i < res->nattrs && !rc; i++) {
        struct review_attr *a = &res->attrs[i];
        int c = column_of(d, a->name);
        if (c < 0)
            continue;
        const struct rules *r = a->in_cur ? &res->cur.rules : &res->prev.rules;
        size_t ra = 0;
        while (strcmp(r->attrs[ra].name, a->name) != 0)
            ra++;
        if (attr_csi(r, ra, &d->segments[c], span, d->n, a))
            rc = mql_err_oom(err);
    }
    if (!rc)
        rc = coefficient_tests(cfg, h, span, res, err);
    free(span);
    return rc;
}

/* ---- the summary in words ----------------------------------------------------------------------
 */

static void say(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

static void describe_rule(char *buf, size_t cap, const struct review_side *s, const char *per)
{
    if (!s->has_rule) {
        say(buf, cap, "no rule (no lead is an MQL)");
        return;
    }
    char num[32];
    text_format_number(s->mqls_per_period, 0, num, sizeof num);
    say(buf, cap, "%d points%s: %s MQLs a %s converting at %.1f %% (%.1f-%.1f), %.0f %% of SQLs",
        s->threshold, s->has_fit_min ? " with a fit minimum" : "", num, per, 100 * s->conversion,
        100 * s->conv_lo, 100 * s->conv_hi, 100 * s->recall);
}

/* Whether anything drifted: the scores' PSI band, an attribute's mix (CSI), or a flagged
 * change of an attribute's relationship with conversion. Decided here, before any text is
 * written; summarize() only reads it. */
static int decide_flagged(const struct review_result *res)
{
    if (!res->has_spans)
        return 0;
    int any = res->psi_band != REVIEW_STABLE;
    for (size_t i = 0; i < res->nattrs; i++) {
        const struct review_attr *a = &res->attrs[i];
        any |= a->csi_band == REVIEW_INVESTIGATE || a->csi_band == REVIEW_SHIFTED;
        any |= a->flagged && a->worst >= 0;
    }
    return any;
}

/* How many of the rules' levels changed, changed sign, were added and removed. */
struct point_changes {
    size_t changed, flips, added, removed;
};

static struct point_changes count_changes(const struct review_result *res)
{
    struct point_changes c = {0};
    for (size_t i = 0; i < res->npoints; i++) {
        c.changed += res->points[i].change == REVIEW_CHANGED;
        c.flips += res->points[i].change == REVIEW_SIGN_FLIP;
        c.added += res->points[i].change == REVIEW_ADDED;
        c.removed += res->points[i].change == REVIEW_REMOVED;
    }
    return c;
}

/* The summary's first part: the two rules, the leads that change MQL status, the points. */
static void say_rules(char *b, size_t cap, const struct config *cfg,
                      const struct review_result *res, struct point_changes pc)
{
    const char *per = res->has_dates ? config_period_name(cfg->period) : "period";
    say(b, cap, "Previous rule: ");
    describe_rule(b, cap, &res->prev, per);
    say(b, cap, ". Current rule: ");
    describe_rule(b, cap, &res->cur, per);
    say(b, cap, ". ");
    const struct review_cell *gain = &res->flips[0][1], *lose = &res->flips[1][0];
    if (!gain->leads && !lose->leads) {
        say(b, cap, "No lead changes MQL status. ");
    } else {
        say(b, cap, "%zu leads become MQLs only under the current rule", gain->leads);
        if (gain->leads)
            say(b, cap, " (%.1f %% of them convert)", 100 * gain->conversion);
        say(b, cap, " and %zu lose MQL status", lose->leads);
        if (lose->leads)
            say(b, cap, " (%.1f %% convert)", 100 * lose->conversion);
        say(b, cap, ". ");
    }
    if (!pc.changed && !pc.flips && !pc.added && !pc.removed)
        say(b, cap, "The points are the same. ");
    else
        say(b, cap, "Points: %zu levels changed, %zu changed sign, %zu added, %zu removed. ",
            pc.changed, pc.flips, pc.added, pc.removed);
    for (size_t i = 0; i < res->nattrs; i++) {
        const struct review_attr *a = &res->attrs[i];
        if (!a->in_data)
            say(b, cap, "The data has no column '%s' (in the %s rule): scored as missing. ",
                a->name,
                a->in_prev && a->in_cur ? "previous and current"
                : a->in_prev            ? "previous"
                                        : "current");
    }
    if (res->prev.unscorable || res->cur.unscorable)
        say(b, cap,
            "Values the rules cannot read are scored as missing (previous rule: %zu, current: "
            "%zu). ",
            res->prev.unscorable, res->cur.unscorable);
}

/* The drift between the spans: the scores' PSI, each attribute that moved or changed. */
static void say_drift(char *b, size_t cap, const struct review_result *res)
{
    say(b, cap,
        "Between %s (%zu leads) and %s (%zu leads) the current rule's scores are %s (PSI "
        "%.3f). ",
        res->base_label, res->base_n, res->cur_label, res->cur_n, review_band_name(res->psi_band),
        res->cur.psi);
    for (size_t i = 0; i < res->nattrs; i++) {
        const struct review_attr *a = &res->attrs[i];
        if (a->csi_band == REVIEW_INVESTIGATE || a->csi_band == REVIEW_SHIFTED) {
            say(b, cap, "%s: the mix of values %s (CSI %.3f", a->name,
                a->csi_band == REVIEW_SHIFTED ? "shifted" : "moved", a->csi);
            if (isfinite(a->new_share) && a->new_share >= 0.01)
                say(b, cap, "; %.0f %% of %s's leads have values %s never had, most often '%s'",
                    100 * a->new_share, res->cur_label, res->base_label, a->new_value);
            say(b, cap, "). ");
        }
        if (a->flagged && a->worst >= 0) {
            const struct review_level_test *w = &a->tests[a->worst];
            say(b, cap,
                "%s: the relationship with conversion changed: level %s is worth %+.0f points "
                "in %s and %+.0f in %s (z = %.1f, Holm p = %.2g). ",
                a->name, w->level, w->b_base * res->cur.rules.factor, res->base_label,
                w->b_cur * res->cur.rules.factor, res->cur_label, w->z, w->p_holm);
        }
    }
}

/* Nothing drifted: what the tests could have seen (never "nothing changed"), and what to do. */
static void say_stable(char *b, size_t cap, char *t, size_t tcap, const struct config *cfg,
                       const struct review_result *res, struct point_changes pc)
{
    const struct review_attr *lo = NULL, *hi = NULL;
    for (size_t i = 0; i < res->nattrs; i++) {
        const struct review_attr *a = &res->attrs[i];
        if (!isfinite(a->min_detectable))
            continue;
        if (!lo || a->min_detectable < lo->min_detectable)
            lo = a;
        if (!hi || a->min_detectable > hi->min_detectable)
            hi = a;
    }
    say(b, cap,
        "No change detected: no attribute's mix moved, and no relationship with "
        "conversion changed by as much as the tests can see");
    if (lo && hi && lo != hi)
        say(b, cap,
            " (a change of %.0f points or more for %s, to %.0f for %s, at alpha %g; "
            "smaller ones would pass unseen)",
            lo->min_detectable, lo->name, hi->min_detectable, hi->name, cfg->review_alpha);
    else if (lo)
        say(b, cap, " (a change of %.0f points or more for %s, at alpha %g)", lo->min_detectable,
            lo->name, cfg->review_alpha);
    say(b, cap, ". ");
    if (res->flips[0][1].leads || res->flips[1][0].leads || pc.changed || pc.flips || pc.added ||
        pc.removed)
        say(t, tcap,
            "The definition is stable: adopt the current rule (the same meaning, "
            "fitted on more history). ");
    else
        say(t, tcap, "The definition is stable and unchanged: keep it. ");
}

/* Something drifted: what to do about each attribute and the scores. */
static void say_todo(char *t, size_t tcap, const struct review_result *res)
{
    for (size_t i = 0; i < res->nattrs; i++) {
        const struct review_attr *a = &res->attrs[i];
        if (a->flagged)
            say(t, tcap,
                "%s no longer means what it did: ask sales what changed, then refit on leads "
                "from after the change (the history before it teaches the old meaning) or drop "
                "the attribute. ",
                a->name);
        if (a->csi_band == REVIEW_SHIFTED && isfinite(a->new_share) && a->new_share >= 0.01)
            say(t, tcap,
                "%s has new values ('%s' and others): see which level the rule gives them "
                "(rules.json) and refit once they have a quarter of history. ",
                a->name, a->new_value);
        else if (a->csi_band == REVIEW_SHIFTED || a->csi_band == REVIEW_INVESTIGATE)
            say(t, tcap, "Check why the mix of %s moved (a campaign, a form change, a data fix). ",
                a->name);
    }
    if (res->psi_band == REVIEW_SHIFTED || res->psi_band == REVIEW_INVESTIGATE)
        say(t, tcap,
            "Scores moved: recheck MQL volume against capacity before keeping the threshold. ");
}

/* The review's summary and to-do in words, from res (res->flagged decided before). */
static void summarize(const struct config *cfg, struct review_result *res)
{
    char *b = res->summary, *t = res->todo;
    size_t cap = sizeof res->summary, tcap = sizeof res->todo;
    b[0] = t[0] = '\0';
    struct point_changes pc = count_changes(res);
    say_rules(b, cap, cfg, res, pc);
    if (!res->has_spans) {
        say(b, cap, "No stability check: %s. ", res->span_note);
        say(t, tcap,
            res->has_dates ? "Set [review] baseline and current to check stability. "
                           : "Configure the lead creation date ([data] date) to check "
                             "stability between periods. ");
    } else {
        say_drift(b, cap, res);
        if (!res->flagged)
            say_stable(b, cap, t, tcap, cfg, res, pc);
        else
            say_todo(t, tcap, res);
    }
    for (char *x = b; x; x = x == b ? t : NULL) /* no trailing space */
        for (size_t len = strlen(x); len && x[len - 1] == ' ';)
            x[--len] = '\0';
}

/* ---- the review ------------------------------------------------------------------------------ */

static int load_side(sqlite3 *db, const char *path, struct review_side *s, struct mql_err *err)
{
    int rc;
    if (path) {
        rc = rules_load_json(path, &s->rules, err);
        s->source = text_dup(path);
    } else {
        rc = rules_from_store(db, &s->rules, err);
        if (!rc)
            rc = rules_compile(&s->rules, err);
        s->source = text_dup("the store's latest sweep");
    }
    if (!rc && !s->source)
        rc = mql_err_oom(err);
    return rc;
}

int review_run(sqlite3 *db, const struct config *cfg, const char *previous_path,
               const char *current_path, struct review_result *res, struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    double t0 = clock_seconds();
    struct store_table cols;
    memset(&cols, 0, sizeof cols);
    struct data d;
    memset(&d, 0, sizeof d);
    const char **names = NULL;
    size_t nnames = 0, n = 0;
    int32_t *period = NULL;
    struct period_plan plan;
    memset(&plan, 0, sizeof plan);
    int rc = fit_latest(db, &res->fit_id, &n, err);
    if (!rc && (rc = load_side(db, previous_path, &res->prev, err)))
        mql_err_prefix(err, "previous rule");
    if (!rc && (rc = load_side(db, current_path, &res->cur, err)))
        mql_err_prefix(err, "current rule");
    if (!rc)
        rc = leads_columns(db, &cols, err);
    if (rc)
        goto out;
    /* the attributes of both rules and whether the data has them */
    for (int side = 1; side >= 0; side--) {
        const struct rules *r = side ? &res->cur.rules : &res->prev.rules;
        for (size_t a = 0; a < r->nattrs; a++) {
            struct review_attr *e = attr_entry(res, r->attrs[a].name);
            if (!e) {
                rc = mql_err_oom(err);
                goto out;
            }
            if (side)
                e->in_cur = 1;
            else
                e->in_prev = 1;
            e->in_data = has_column(&cols, e->name);
            if (e->in_data && add_name(&names, &nnames, e->name)) {
                rc = mql_err_oom(err);
                goto out;
            }
        }
        for (size_t q = 0; q < r->ndq; q++)
            if (has_column(&cols, r->dq[q].column) && add_name(&names, &nnames, r->dq[q].column)) {
                rc = mql_err_oom(err);
                goto out;
            }
    }
    if ((rc = data_load_arrays(db, res->fit_id, n, cfg, names, nnames, &d, err)))
        goto out;
    /* periods as the sweep counts them (period.h) */
    period = malloc((n ? n : 1) * sizeof *period);
    if (!period || period_plan_make(d.day, n, cfg->period, period, &plan)) {
        rc = mql_err_oom(err);
        goto out;
    }
    res->has_dates = plan.has_dates;
    res->nperiods = plan.nperiods;
    res->period0 = plan.period0;
    struct hist h = {&d, period, res->nperiods, &plan};
    res->n = n;
    res->period_leads = calloc(res->nperiods, sizeof *res->period_leads);
    res->period_sqls = calloc(res->nperiods, sizeof *res->period_sqls);
    res->period_pending = calloc(res->nperiods, sizeof *res->period_pending);
    if (!res->period_leads || !res->period_sqls || !res->period_pending) {
        rc = mql_err_oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        res->sqls += d.y[i];
        res->pending += !d.known[i];
        if (period[i] >= 0) {
            res->period_leads[period[i]]++;
            res->period_sqls[period[i]] += d.y[i];
            res->period_pending[period[i]] += !d.known[i];
        }
    }
    if ((rc = score_side(&h, &res->prev, err)) || (rc = score_side(&h, &res->cur, err)))
        goto out;
    if (promise(cfg, &d, period, &plan, res)) {
        rc = mql_err_oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct review_cell *c = &res->flips[res->prev.mql[i]][res->cur.mql[i]];
        c->leads++;
        c->sqls += d.y[i];
        c->pending += !d.known[i];
    }
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            struct review_cell *c = &res->flips[a][b];
            size_t decided = c->leads - c->pending;
            c->conversion = validate_conversion(c->sqls, c->leads, c->pending);
            c->conv_lo = c->conv_hi = NAN;
            if (decided)
                validate_wilson(c->sqls, decided, STATS_Z95, &c->conv_lo, &c->conv_hi);
        }
    if (diff_points(res)) {
        rc = mql_err_oom(err);
        goto out;
    }
    if ((rc = stability(cfg, &h, res, err)))
        goto out;
    res->flagged = decide_flagged(res);
    summarize(cfg, res);
    res->seconds = clock_seconds() - t0;
out:
    period_plan_release(&plan);
    free(period);
    free(names);
    data_release(&d);
    store_table_release(&cols);
    return rc;
}

/* ---- storing it ---------------------------------------------------------------------------- */

static void release_side(struct review_side *s)
{
    free(s->source);
    rules_release(&s->rules);
    free(s->curve_mqls);
    free(s->curve_pending);
    free(s->curve_vol);
    free(s->curve_sqls);
    free(s->period_mqls);
    free(s->period_pending);
    free(s->period_sqls);
    free(s->score);
    free(s->fit_score);
    free(s->mql);
}

void review_release(struct review_result *res)
{
    if (!res)
        return;
    release_side(&res->prev);
    release_side(&res->cur);
    for (size_t i = 0; i < res->npoints; i++) {
        free(res->points[i].attribute);
        free(res->points[i].level);
    }
    free(res->points);
    for (size_t i = 0; i < res->nattrs; i++) {
        struct review_attr *a = &res->attrs[i];
        free(a->name);
        free(a->new_value);
        for (size_t k = 0; k < a->nbuckets; k++)
            free(a->buckets[k].label);
        free(a->buckets);
        for (size_t t = 0; t < a->ntests; t++)
            free(a->tests[t].level);
        free(a->tests);
    }
    free(res->attrs);
    free(res->psi_bins);
    free(res->period_leads);
    free(res->period_pending);
    free(res->period_sqls);
    memset(res, 0, sizeof *res);
}
