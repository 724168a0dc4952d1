/*
 * fit.c: the fit stage: encodes the leads, fits the logistic model, turns it into points,
 * checks it on the holdout, warns of leaks, and stores it all (fit.h).
 */
#include "mqlcal/fit.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqlcal/clock.h"
#include "mqlcal/maturity.h"
#include "mqlcal/schema.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"
#include "mqlcal/stats.h"

/* the scores are stored as 32-bit arrays (store_array_put) straight from the int arrays */
_Static_assert(sizeof(int) == 4, "mqlcal needs a 32-bit int");

static int warn(struct fit_result *res, const char *kind, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int warn(struct fit_result *res, const char *kind, const char *subject, const char *fmt, ...)
{
    struct fit_warning *w = realloc(res->warnings, (res->nwarnings + 1) * sizeof *w);
    if (!w)
        return -1;
    res->warnings = w;
    w = &res->warnings[res->nwarnings++];
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    snprintf(w->subject, sizeof w->subject, "%s", subject);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
    return 0;
}

/* ---- holdout ------------------------------------------------------------------------------ */

static int month_index(int32_t day)
{
    char iso[11];
    text_format_date(day, iso);
    return atoi(iso) * 12 + atoi(iso + 5) - 1;
}

struct order_item {
    int32_t day;
    int64_t line;
    size_t row;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order_item *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Marks the holdout rows; leads without a date stay in training. */
static int split(const struct config *cfg, struct fit_result *res, struct mql_err *err)
{
    const struct data *d = &res->data;
    if (cfg->no_holdout) {
        snprintf(res->holdout_desc, sizeof res->holdout_desc, "none (validation in sample)");
        return 0;
    }
    /* the latest months of leads whose outcome is known: the months after them hold only
     * immature or pending leads, which no metric can use (maturity.h) */
    int have_day = 0;
    int32_t max_day = INT32_MIN, max_known = INT32_MIN;
    for (size_t r = 0; r < d->n; r++)
        if (d->day[r] != INT32_MIN) {
            have_day = 1;
            max_day = d->day[r] > max_day ? d->day[r] : max_day;
            if (d->known[r] && d->day[r] > max_known)
                max_known = d->day[r];
        }
    if (cfg->holdout_months > 0 && have_day) {
        int32_t anchor = max_known != INT32_MIN ? max_known : max_day;
        int last = month_index(anchor), first = last - cfg->holdout_months + 1;
        for (size_t r = 0; r < d->n; r++)
            res->holdout[r] = d->day[r] != INT32_MIN && month_index(d->day[r]) >= first &&
                              month_index(d->day[r]) <= last;
        char from[11], to[11];
        text_format_date(text_days_from_civil(first / 12, (unsigned)(first % 12) + 1, 1), from);
        int n = snprintf(res->holdout_desc, sizeof res->holdout_desc,
                         "the last %d month%s of leads (created from %s)", cfg->holdout_months,
                         cfg->holdout_months == 1 ? "" : "s", from);
        if (max_day > anchor && n > 0 && (size_t)n < sizeof res->holdout_desc) {
            /* every lead created after the latest known one is immature or pending */
            text_format_date(anchor, to);
            snprintf(res->holdout_desc + n, sizeof res->holdout_desc - (size_t)n,
                     " with a known outcome; the leads created after %s, none known yet, are in "
                     "neither",
                     to);
        }
        return 0;
    }
    double share = cfg->holdout_share > 0 ? cfg->holdout_share : 0.2;
    if (cfg->holdout_months > 0 &&
        warn(res, "holdout", "holdout",
             "no lead has a date, so the holdout is the last %.0f %% of leads in file order "
             "instead of the last %d months",
             100 * share, cfg->holdout_months))
        return mql_err_oom(err);
    struct order_item *o = malloc(d->n * sizeof *o);
    if (!o)
        return mql_err_oom(err);
    for (size_t r = 0; r < d->n; r++)
        o[r] = (struct order_item){have_day ? d->day[r] : 0, d->line[r], r};
    qsort(o, d->n, sizeof *o, cmp_order);
    size_t nh = (size_t)llround(share * (double)d->n);
    for (size_t i = d->n - nh; i < d->n; i++)
        res->holdout[o[i].row] = 1;
    free(o);
    snprintf(res->holdout_desc, sizeof res->holdout_desc, "the latest %.0f %% of leads (%s)",
             100 * share, have_day ? "by creation date" : "in file order");
    return 0;
}

/* ---- leakage and separation ---------------------------------------------------------------- */

/* A level's training counts, for the AUC of its attribute alone. */
struct level_rate {
    double rate;
    size_t pos, neg;
};

static int cmp_rate(const void *a, const void *b)
{
    double x = ((const struct level_rate *)a)->rate, y = ((const struct level_rate *)b)->rate;
    return (x > y) - (x < y);
}

/* AUC of each attribute alone on the training leads, scoring each lead by its level's training
 * conversion rate. Every lead of a level has the same score, so the Mann-Whitney sum comes
 * from the level counts: sort the levels by rate, and each level's positives outrank the
 * negatives of the levels below and tie with its own (equal rates are exact ties, since a
 * correctly rounded division gives equal doubles for equal fractions). */
static int single_auc(struct fit_result *res, struct mql_err *err)
{
    size_t npos = 0, nneg = 0;
    for (size_t r = 0; r < res->data.n; r++)
        if (!res->holdout[r] && res->data.known[r]) {
            npos += res->data.y[r];
            nneg += !res->data.y[r];
        }
    for (size_t a = 0; a < res->enc.nattrs; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        struct level_rate *lv = malloc(ea->nlevels * sizeof *lv);
        if (!lv)
            return mql_err_oom(err);
        for (size_t l = 0; l < ea->nlevels; l++) {
            const struct encode_level *x = &ea->levels[l];
            lv[l] = (struct level_rate){x->count ? (double)x->positives / (double)x->count : 0,
                                        x->positives, x->count - x->positives};
        }
        qsort(lv, ea->nlevels, sizeof *lv, cmp_rate);
        double sum = 0, below = 0;
        for (size_t i = 0; i < ea->nlevels;) {
            size_t j = i, tp = 0, tn = 0;
            for (; j < ea->nlevels && lv[j].rate == lv[i].rate; j++) {
                tp += lv[j].pos;
                tn += lv[j].neg;
            }
            sum += (double)tp * (below + 0.5 * (double)tn);
            below += (double)tn;
            i = j;
        }
        res->single_auc[a] = sum / ((double)npos * (double)nneg);
        free(lv);
    }
    return 0;
}

static int guard_leakage(const struct config *cfg, struct fit_result *res, struct mql_err *err)
{
    for (size_t a = 0; a < res->enc.nattrs; a++) {
        struct encode_attr *ea = &res->enc.attrs[a];
        const struct config_attr *ca = res->data.attrs[a].attr;
        double au = res->single_auc[a];
        char why[256];
        int leaks = 0;
        if (ca->after_outcome) {
            snprintf(why, sizeof why,
                     "marked after_outcome: known only after the outcome (AUC alone %.3f)", au);
            leaks = 1;
        } else if (au > cfg->leak_auc) {
            snprintf(why, sizeof why,
                     "leaks the outcome: its AUC alone is %.3f, above leak_auc %.2f", au,
                     cfg->leak_auc);
            leaks = 1;
        }
        if (!leaks)
            continue;
        if (ca->force) {
            if (warn(res, "leakage", ea->name, "%s; kept because the config says force = yes", why))
                return mql_err_oom(err);
            continue;
        }
        if (warn(res, "leakage", ea->name, "%s; left out of the model (force = yes keeps it)", why))
            return mql_err_oom(err);
        encode_exclude(&res->enc, a, why);
    }
    return 0;
}

/* Leaks that pass the AUC guard (issue 16, item 4): a column filled by sales for some of the
 * winners has a level (its filled values, or its pool) that converts almost always, or, its
 * values spread over levels that each stay under the bar, its filled/empty pattern does
 * (FIT_SUSPECT_FILLED), yet its AUC alone stays under leak_auc; a model too good to be true
 * (holdout AUC above FIT_SUSPECT_AUC) points at its strongest attribute. Each suspect is a
 * "leak_suspect" warning, which the sweep's headline leads with and export refuses, until the
 * config marks the column after_outcome = yes (left out) or force = yes (kept on purpose: then only
 * noted). A level that never converts where the overall rate gives FIT_SUSPECT_NEVER_EXPECTED
 * SQLs is one too (a lost reason filled for losers) unless [rules] disqualify names it: that is
 * what a real disqualifier (students) looks like, and declaring it is the way out. */
/* A suspect's kind and the way out its message ends with (force = yes makes it a note). */
static const char *suspect_kind(const struct config_attr *ca)
{
    return ca->force ? "leak_forced" : "leak_suspect";
}

static const char *suspect_way_out(const struct config_attr *ca)
{
    return ca->force ? "kept because the config says force = yes"
                     : "mark it after_outcome = yes if it is written after the outcome, or "
                       "force = yes to keep it (export refuses until then)";
}

/* Whether [rules] disqualify names column = value (the text compared ignoring case). */
static int declared_disqualifier(const struct config *cfg, const char *column, const char *value)
{
    for (size_t i = 0; i < cfg->disqualify.n; i++) {
        const char *col, *val;
        size_t ncol, nval;
        config_dq_item(cfg->disqualify.items[i], &col, &ncol, &val, &nval);
        if (strlen(column) == ncol && memcmp(col, column, ncol) == 0 &&
            text_ieq_span(value, val, nval))
            return 1;
    }
    return 0;
}

static int suspect_leaks(const struct config *cfg, struct fit_result *res)
{
    size_t n = 0, pos = 0;
    for (size_t r = 0; r < res->data.n; r++)
        if (!res->holdout[r] && res->data.known[r]) {
            n++;
            pos += res->data.y[r];
        }
    double base = n ? (double)pos / (double)n : 0;
    int strongest = -1;
    unsigned char *named = calloc(res->enc.nattrs ? res->enc.nattrs : 1, 1); /* one per column */
    if (!named)
        return -1;
    for (size_t a = 0; a < res->enc.nattrs; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        const struct config_attr *ca = res->data.attrs[a].attr;
        if (ea->excluded)
            continue;
        if (strongest < 0 || res->single_auc[a] > res->single_auc[strongest])
            strongest = (int)a;
        for (size_t l = 0; l < ea->nlevels && base > 0; l++) {
            const struct encode_level *lv = &ea->levels[l];
            if (lv->count < FIT_SUSPECT_LEADS)
                continue;
            /* never: no SQL where FIT_SUSPECT_NEVER_EXPECTED were due at the overall rate (a
             * "lost reason" filled for losers), unless the config already disqualifies it */
            if (lv->positives == 0 && (double)lv->count * base >= FIT_SUSPECT_NEVER_EXPECTED &&
                !lv->is_missing && !lv->is_other &&
                !declared_disqualifier(cfg, ea->name, lv->label)) {
                if (warn(res, suspect_kind(ca), ea->name,
                         "%s = %s: none of its %zu training leads converted, where %.0f would "
                         "have at the overall rate (%.1f %%), as a column that sales fill for "
                         "losers would (a lost reason); %s",
                         ea->name, lv->label, lv->count, (double)lv->count * base, 100 * base,
                         ca->force ? "kept because the config says force = yes"
                                   : "if it is a real disqualifier, name it in [rules] disqualify; "
                                     "if it is written after the outcome, mark the column "
                                     "after_outcome = yes; or force = yes to keep it (export "
                                     "refuses until then)")) {
                    free(named);
                    return -1;
                }
                named[a] = 1;
                break;
            }
            if (base > 0.5 || (double)lv->positives < FIT_SUSPECT_SHARE * (double)lv->count)
                continue;
            if (warn(res, suspect_kind(ca), ea->name,
                     "%s = %s: %zu of its %zu training leads converted (%.1f %% against %.1f %% "
                     "overall), as a column that sales fill for winners would; %s",
                     ea->name, lv->label, lv->positives, lv->count,
                     100 * (double)lv->positives / (double)lv->count, 100 * base,
                     suspect_way_out(ca))) {
                free(named);
                return -1;
            }
            named[a] = 1;
            break;
        }
    }
    /* the filled/empty pattern: a column that sales fill in for (some of) the winners converts
     * almost always where filled, whatever its values; or almost always where empty */
    for (size_t a = 0; a < res->enc.nattrs && base <= 0.5; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        const struct data_column *col = &res->data.attrs[a];
        if (ea->excluded || named[a])
            continue;
        size_t cnt[2] = {0, 0}, sq[2] = {0, 0}; /* [filled, empty] */
        for (size_t r = 0; r < res->data.n; r++) {
            if (res->holdout[r] || !res->data.known[r])
                continue;
            int empty = col->categorical ? col->ids[r] == DATA_MISSING : isnan(col->num[r]);
            cnt[empty]++;
            sq[empty] += res->data.y[r];
        }
        for (int e = 0; e < 2; e++) {
            if (cnt[e] < FIT_SUSPECT_LEADS || cnt[!e] < FIT_SUSPECT_LEADS ||
                (double)sq[e] < FIT_SUSPECT_FILLED * (double)cnt[e])
                continue;
            const struct config_attr *ca = col->attr;
            if (warn(res, suspect_kind(ca), ea->name,
                     "%s is %s for %zu training leads, %.1f %% of which converted (%s: %.1f %% of "
                     "%zu; %.1f %% overall): whether it is filled predicts the outcome, as a "
                     "column that sales fill in for winners would; %s",
                     ea->name, e ? "empty" : "filled", cnt[e], 100 * (double)sq[e] / (double)cnt[e],
                     e ? "filled" : "empty", 100 * (double)sq[!e] / (double)cnt[!e], cnt[!e],
                     100 * base, suspect_way_out(ca))) {
                free(named);
                return -1;
            }
            break;
        }
    }
    free(named);
    if (res->hold.present && res->hold.auc.auc > FIT_SUSPECT_AUC && strongest >= 0) {
        const struct encode_attr *ea = &res->enc.attrs[strongest];
        const struct config_attr *ca = res->data.attrs[strongest].attr;
        if (warn(res, suspect_kind(ca), ea->name,
                 "holdout AUC %.3f: too good for lead scoring; the strongest attribute, %s (AUC "
                 "alone %.3f), is the first suspect; %s",
                 res->hold.auc.auc, ea->name, res->single_auc[strongest], suspect_way_out(ca)))
            return -1;
    }
    return 0;
}

/* Levels whose training leads all converted or none did: their coefficient would run off to
 * infinity. Returns how many. */
static int find_separation(struct fit_result *res, size_t *count)
{
    *count = 0;
    for (size_t a = 0; a < res->enc.nattrs; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        if (ea->excluded)
            continue;
        for (size_t l = 0; l < ea->nlevels; l++) {
            const struct encode_level *lv = &ea->levels[l];
            if (lv->count == 0 || (lv->positives > 0 && lv->positives < lv->count))
                continue;
            char subject[160];
            snprintf(subject, sizeof subject, "%s = %s", ea->name, lv->label);
            if (warn(res, "separation", subject,
                     "%s of its %zu training leads converted: the fit adds an L2 penalty so "
                     "that its points stay finite",
                     lv->positives ? "all" : "none", lv->count))
                return -1;
            (*count)++;
        }
    }
    return 0;
}

/* ---- validation ---------------------------------------------------------------------------- */

static int metrics(const struct fit_result *res, int holdout, double *pp, double *pi,
                   unsigned char *yy, struct fit_metrics *m, struct mql_err *err)
{
    const struct data *d = &res->data;
    size_t n = 0, npos = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (res->holdout[r] != holdout || !d->known[r])
            continue;
        pp[n] = res->p[r];
        pi[n] = points_probability(&res->points, res->score[r]);
        yy[n] = d->y[r];
        npos += d->y[r];
        n++;
    }
    memset(m, 0, sizeof *m);
    m->n = n;
    m->n_pos = npos;
    if (n == 0 || npos == 0 || npos == n)
        return 0;
    struct validate_auc ai;
    int rc;
    if ((rc = validate_auc(pp, yy, n, &m->auc, err)) || (rc = validate_auc(pi, yy, n, &ai, err)) ||
        (rc = validate_ks(pp, yy, n, &m->ks, &m->ks_at, err)) ||
        (rc = validate_calibration(pp, yy, n, FIT_CAL_BINS, m->cal, &m->ncal, err)))
        return rc;
    m->auc_points = ai.auc;
    m->brier = validate_brier(pp, yy, n);
    m->log_loss = validate_log_loss(pp, yy, n);
    m->log_loss_points = validate_log_loss(pi, yy, n);
    m->present = 1;
    return 0;
}

/* ---- store --------------------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void hash_hex(const char *s, char *out)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Leads and SQLs per score, on the training and the holdout leads (fit_histogram): the score
 * distributions, ROC and gains of the points without the per-lead rows. */
static int store_histogram(sqlite3 *db, long long id, const struct fit_result *res,
                           struct mql_err *err)
{
    const struct data *d = &res->data;
    if (d->n == 0)
        return 0;
    int lo = res->score[0], hi = res->score[0];
    for (size_t r = 1; r < d->n; r++) {
        lo = res->score[r] < lo ? res->score[r] : lo;
        hi = res->score[r] > hi ? res->score[r] : hi;
    }
    if ((long long)hi - lo > 1000000)
        return mql_err_set(err, MQL_EINPUT, "scores run from %d to %d: too wide for a histogram",
                           lo, hi);
    size_t span = (size_t)((long long)hi - lo + 1);
    size_t *c = calloc(4 * span, sizeof *c); /* [sample][score][leads, sqls] */
    if (!c)
        return mql_err_oom(err);
    for (size_t r = 0; r < d->n; r++) {
        if (!d->known[r]) /* leads and SQLs of known outcomes: the calibration's counts */
            continue;
        size_t k = 2 * (res->holdout[r] ? span : 0) + 2 * (size_t)((long long)res->score[r] - lo);
        c[k]++;
        c[k + 1] += d->y[r];
    }
    struct schema_row w;
    int rc = schema_row_open(&w, db, "fit_histogram", err);
    for (int h = 0; h < 2 && !rc; h++)
        for (size_t v = 0; v < span && !rc; v++) {
            const size_t *x = &c[2 * (h ? span : 0) + 2 * v];
            if (x[0] == 0)
                continue;
            schema_put_int(&w, id);
            schema_put_text(&w, h ? "holdout" : "training");
            schema_put_int(&w, (long long)lo + (long long)v);
            schema_put_int(&w, (long long)x[0]);
            schema_put_int(&w, (long long)x[1]);
            rc = schema_row_end(&w);
        }
    schema_row_close(&w);
    free(c);
    return rc;
}

/* The fit's row of fits; sets res->fit_id. */
static int store_fit_row(sqlite3 *db, const char *text, struct fit_result *res, struct mql_err *err)
{
    char created[32], hash[17];
    clock_now_iso(created, sizeof created);
    hash_hex(text, hash);
    const struct data *d = &res->data;
    int32_t dmin = INT32_MAX, dmax = INT32_MIN;
    size_t pos_train = 0, pos_hold = 0;
    for (size_t r = 0; r < d->n; r++) {
        if (d->day[r] != INT32_MIN) {
            dmin = d->day[r] < dmin ? d->day[r] : dmin;
            dmax = d->day[r] > dmax ? d->day[r] : dmax;
        }
        if (res->holdout[r])
            pos_hold += d->y[r];
        else
            pos_train += d->y[r];
    }
    char dmin_s[11] = "", dmax_s[11] = "";
    if (dmin != INT32_MAX) {
        text_format_date(dmin, dmin_s);
        text_format_date(dmax, dmax_s);
    }
    const struct model_result *m = &res->model;
    struct schema_row w;
    int rc = schema_row_open(&w, db, "fits", err);
    if (!rc) {
        schema_put_null(&w); /* fit_id: the next */
        schema_put_text(&w, created);
        schema_put_text(&w, MQLCAL_VERSION);
        schema_put_text(&w, text);
        schema_put_text(&w, hash);
        schema_put_int(&w, (long long)d->n);
        schema_put_text(&w, dmin_s[0] ? dmin_s : NULL);
        schema_put_text(&w, dmax_s[0] ? dmax_s : NULL);
        schema_put_text(&w, res->holdout_desc);
        schema_put_int(&w, (long long)res->n_train);
        schema_put_int(&w, (long long)res->n_holdout);
        schema_put_int(&w, (long long)pos_train);
        schema_put_int(&w, (long long)pos_hold);
        schema_put_int(&w, (long long)m->p);
        schema_put_int(&w, (long long)m->naliased);
        schema_put_real(&w, m->l2);
        schema_put_int(&w, m->iterations);
        schema_put_int(&w, m->converged);
        schema_put_real(&w, m->deviance);
        schema_put_real(&w, m->null_deviance);
        schema_put_real(&w, m->aic);
        schema_put_real(&w, m->beta[0]);
        schema_put_real(&w, m->se[0]);
        schema_put_text(&w, res->points.use_range ? "range" : "pdo");
        schema_put_int(&w, res->points.base);
        schema_put_real(&w, res->points.factor);
        schema_put_real(&w, res->points.offset);
        schema_put_int(&w, res->points.min_score);
        schema_put_int(&w, res->points.max_score);
        schema_put_int(&w, (long long)res->n_unknown);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    res->fit_id = sqlite3_last_insert_rowid(db);
    return rc;
}

/* One row of fit_levels: level l of attribute a, with its coefficient when it has a column. */
static void put_level(struct schema_row *w, long long id, const struct fit_result *res, size_t a,
                      size_t l)
{
    const struct encode_attr *ea = &res->enc.attrs[a];
    const struct encode_level *lv = &ea->levels[l];
    const struct model_result *m = &res->model;
    int c = lv->column;
    schema_put_int(w, id);
    schema_put_text(w, ea->name);
    schema_put_int(w, (long long)a);
    schema_put_int(w, (long long)l);
    schema_put_text(w, lv->label);
    schema_put_real(w, lv->lo);
    schema_put_real(w, lv->hi);
    schema_put_int(w, lv->is_missing);
    schema_put_int(w, lv->is_other);
    schema_put_int(w, l == ea->reference);
    schema_put_int(w, (long long)lv->count);
    schema_put_int(w, (long long)lv->positives);
    double b = c > 0 ? m->beta[c] : NAN, se = c > 0 ? m->se[c] : NAN;
    schema_put_opt_int(w, c > 0, c);
    schema_put_real(w, c > 0 && !m->aliased[c] ? b : NAN);
    schema_put_real(w, se);
    schema_put_real(w, b / se);
    schema_put_real(w, c > 0 && isfinite(se) ? 2 * gsl_cdf_ugaussian_Q(fabs(b / se)) : NAN);
    schema_put_real(w, b - STATS_Z95 * se);
    schema_put_real(w, b + STATS_Z95 * se);
    schema_put_int(w, c > 0 && m->aliased[c]);
    schema_put_int(w, res->points.points[a][l]);
}

/* fit_attributes, fit_levels and fit_values. */
static int store_attributes(sqlite3 *db, long long id, const struct fit_result *res,
                            struct mql_err *err)
{
    struct schema_row wa, wl, wv;
    int rc = schema_row_open(&wa, db, "fit_attributes", err);
    if (!rc)
        rc = schema_row_open(&wl, db, "fit_levels", err);
    else
        wl.st = NULL;
    if (!rc)
        rc = schema_row_open(&wv, db, "fit_values", err);
    else
        wv.st = NULL;
    for (size_t a = 0; a < res->enc.nattrs && !rc; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        schema_put_int(&wa, id);
        schema_put_int(&wa, (long long)a);
        schema_put_text(&wa, ea->name);
        schema_put_text(&wa, config_kind_name(ea->kind));
        schema_put_text(&wa, config_group_name(ea->group));
        schema_put_int(&wa, ea->excluded);
        schema_put_text(&wa, ea->excluded ? ea->why : NULL);
        schema_put_real(&wa, res->single_auc[a]);
        schema_put_int(&wa, (long long)ea->reference);
        schema_put_int(&wa, (long long)ea->missing_level);
        schema_put_int(&wa, (long long)ea->unseen_level);
        rc = schema_row_end(&wa);
        for (size_t l = 0; l < ea->nlevels && !rc; l++) {
            put_level(&wl, id, res, a, l);
            rc = schema_row_end(&wl);
        }
        const struct data_column *col = &res->data.attrs[a];
        for (size_t v = 0; col->categorical && v < col->nvalues && !rc; v++) {
            schema_put_int(&wv, id);
            schema_put_text(&wv, ea->name);
            schema_put_text(&wv, col->values[v]);
            schema_put_int(&wv, ea->level_of_value[v]);
            rc = schema_row_end(&wv);
        }
    }
    schema_row_close(&wa);
    schema_row_close(&wl);
    schema_row_close(&wv);
    return rc;
}

/* fit_metrics and fit_calibration, of the training leads and of the holdout. */
static int store_metrics(sqlite3 *db, long long id, const struct fit_result *res,
                         struct mql_err *err)
{
    const struct fit_metrics *ms[2] = {&res->train, &res->hold};
    const char *names[2] = {"training", "holdout"};
    struct schema_row w;
    int rc = schema_row_open(&w, db, "fit_metrics", err);
    for (int s = 0; s < 2 && !rc; s++) {
        const struct fit_metrics *x = ms[s];
        struct {
            const char *name;
            double v, lo, hi;
        } rows[] = {{"leads", (double)x->n, NAN, NAN},
                    {"sqls", (double)x->n_pos, NAN, NAN},
                    {"auc", x->auc.auc, x->auc.lo, x->auc.hi},
                    {"auc_points", x->auc_points, NAN, NAN},
                    {"brier", x->brier, NAN, NAN},
                    {"log_loss", x->log_loss, NAN, NAN},
                    {"log_loss_points", x->log_loss_points, NAN, NAN},
                    {"ks", x->ks, NAN, NAN}};
        size_t nrows = x->present ? ARRAY_SIZE(rows) : 2;
        for (size_t j = 0; j < nrows && !rc; j++) {
            schema_put_int(&w, id);
            schema_put_text(&w, names[s]);
            schema_put_text(&w, rows[j].name);
            schema_put_real(&w, rows[j].v);
            schema_put_real(&w, rows[j].lo);
            schema_put_real(&w, rows[j].hi);
            rc = schema_row_end(&w);
        }
    }
    schema_row_close(&w);
    if (rc || (rc = schema_row_open(&w, db, "fit_calibration", err)))
        return rc;
    for (int s = 0; s < 2 && !rc; s++)
        for (size_t b = 0; b < ms[s]->ncal && !rc; b++) {
            const struct validate_bin *cb = &ms[s]->cal[b];
            schema_put_int(&w, id);
            schema_put_text(&w, names[s]);
            schema_put_int(&w, (long long)b + 1);
            schema_put_int(&w, (long long)cb->n);
            schema_put_int(&w, (long long)cb->positives);
            schema_put_real(&w, cb->p_min);
            schema_put_real(&w, cb->p_max);
            schema_put_real(&w, cb->predicted);
            schema_put_real(&w, cb->observed);
            schema_put_real(&w, cb->lo);
            schema_put_real(&w, cb->hi);
            rc = schema_row_end(&w);
        }
    schema_row_close(&w);
    return rc;
}

static int store_warnings(sqlite3 *db, long long id, const struct fit_result *res,
                          struct mql_err *err)
{
    struct schema_row w;
    int rc = schema_row_open(&w, db, "fit_warnings", err);
    for (size_t i = 0; i < res->nwarnings && !rc; i++) {
        schema_put_int(&w, id);
        schema_put_text(&w, res->warnings[i].kind);
        schema_put_text(&w, res->warnings[i].subject);
        schema_put_text(&w, res->warnings[i].message);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    return rc;
}

/* The scores of the latest fit (the table keeps no other), a row per lead, and the same as
 * arrays, with the data's own columns, for the stages after the fit. */
static int store_scores(sqlite3 *db, long long id, const struct fit_result *res,
                        struct mql_err *err)
{
    const struct data *d = &res->data;
    struct schema_row w;
    int rc = store_exec(db, "DELETE FROM scores", err);
    if (rc || (rc = schema_row_open(&w, db, "scores", err)))
        return rc;
    /* the leads are in id order (data_load), so the rows append to the table's b-tree, and
     * scores and leads can be read side by side in id order */
    for (size_t r = 0; r < d->n && !rc; r++) {
        schema_put_text(&w, d->lead_id[r]);
        schema_put_int(&w, d->line[r]);
        schema_put_int(&w, id);
        schema_put_int(&w, res->holdout[r]);
        schema_put_int(&w, res->score[r]);
        schema_put_int(&w, res->fit_score[r]);
        schema_put_int(&w, res->engagement_score[r]);
        schema_put_real(&w, res->p[r]);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    const struct {
        const char *name;
        enum store_array_type type;
        const void *data;
    } arrays[] = {
        {"fit:holdout", STORE_U8, res->holdout},
        {"fit:score", STORE_I32, res->score},
        {"fit:fit_score", STORE_I32, res->fit_score},
        {"fit:engagement_score", STORE_I32, res->engagement_score},
        {"fit:p", STORE_F64, res->p},
    };
    if (!rc)
        rc = store_array_keep_only(db, id, err);
    if (!rc)
        rc = data_save_arrays(db, id, d, err);
    for (size_t i = 0; i < ARRAY_SIZE(arrays) && !rc; i++)
        rc = store_array_put(db, id, arrays[i].name, arrays[i].type, arrays[i].data, d->n, NULL, 0,
                             err);
    return rc;
}

/* Every table of the fit, in one transaction. */
static int store_fit(sqlite3 *db, const struct config *cfg, struct fit_result *res,
                     struct mql_err *err)
{
    char *text = read_file(cfg->path);
    int rc = schema_create(db, "fit", err);
    if (rc || (rc = store_exec(db, "BEGIN IMMEDIATE", err))) {
        free(text);
        return rc;
    }
    if (!(rc = store_fit_row(db, text ? text : "", res, err))) {
        long long id = res->fit_id;
        if (!(rc = store_attributes(db, id, res, err)) && !(rc = store_metrics(db, id, res, err)) &&
            !(rc = store_warnings(db, id, res, err)) && !(rc = store_scores(db, id, res, err)) &&
            !(rc = store_histogram(db, id, res, err)))
            rc = store_exec(db, "COMMIT", err);
    }
    if (rc)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    free(text);
    return rc;
}

/* ---- the stage ----------------------------------------------------------------------------- */

static int sign_surprises(struct fit_result *res)
{
    for (size_t a = 0; a < res->enc.nattrs; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        if (ea->excluded)
            continue;
        const struct encode_level *ref = &ea->levels[ea->reference];
        double rref = (double)ref->positives / (double)ref->count;
        for (size_t l = 0; l < ea->nlevels; l++) {
            const struct encode_level *lv = &ea->levels[l];
            int pts = res->points.points[a][l];
            if (l == ea->reference || lv->count == 0 || pts == 0)
                continue;
            double rate = (double)lv->positives / (double)lv->count;
            if ((pts > 0) == (rate > rref) || rate == rref)
                continue;
            /* only when both are clear: a coefficient of at least 0.1 (10 % in odds) and an
             * observed difference two standard errors from zero */
            double pool =
                (double)(lv->positives + ref->positives) / (double)(lv->count + ref->count);
            double se =
                sqrt(pool * (1 - pool) * (1.0 / (double)lv->count + 1.0 / (double)ref->count));
            int c = lv->column;
            if (c <= 0 || fabs(res->model.beta[c]) < 0.1 || !(se > 0) || fabs(rate - rref) < 2 * se)
                continue;
            char subject[160];
            snprintf(subject, sizeof subject, "%s = %s", ea->name, lv->label);
            if (warn(res, "sign", subject,
                     "%+d points, yet %.1f %% of its leads converted against %.1f %% at the "
                     "reference '%s': other attributes explain the difference",
                     pts, 100 * rate, 100 * rref, ref->label))
                return -1;
        }
    }
    return 0;
}

/* fit_run's per-lead scratch arrays. */
struct fit_scratch {
    uint16_t *codes, *cols; /* level and design column of each lead's attributes */
    unsigned char *train, *yy;
    double *s1, *s2;
};

static void scratch_release(struct fit_scratch *x)
{
    free(x->codes);
    free(x->cols);
    free(x->train);
    free(x->yy);
    free(x->s1);
    free(x->s2);
}

/* The result's per-lead arrays and the scratch, for n leads of k attributes. */
static int fit_alloc(struct fit_result *res, size_t n, size_t k, struct fit_scratch *x,
                     struct mql_err *err)
{
    res->holdout = calloc(n, 1);
    x->train = malloc(n);
    x->codes = malloc(n * (k ? k : 1) * sizeof *x->codes);
    x->cols = malloc(n * (k ? k : 1) * sizeof *x->cols);
    res->single_auc = calloc(k ? k : 1, sizeof *res->single_auc);
    res->score = malloc(n * sizeof *res->score);
    res->fit_score = malloc(n * sizeof *res->fit_score);
    res->engagement_score = malloc(n * sizeof *res->engagement_score);
    res->p = malloc(n * sizeof *res->p);
    x->s1 = malloc(n * sizeof *x->s1);
    x->s2 = malloc(n * sizeof *x->s2);
    x->yy = malloc(n);
    if (!res->holdout || !x->train || !x->codes || !x->cols || !res->single_auc || !res->score ||
        !res->fit_score || !res->engagement_score || !res->p || !x->s1 || !x->s2 || !x->yy)
        return mql_err_oom(err);
    return 0;
}

/* Without SQL dates, a fresh export's youngest leads look bad: a warning when they do. */
static int warn_decline(const struct config *cfg, struct fit_result *res, struct mql_err *err)
{
    if (maturity_active(cfg))
        return 0;
    const struct data *d = &res->data;
    struct maturity_decline dc;
    char from[11];
    int fired = maturity_decline(d->day, d->y, d->known, d->n, &dc);
    text_format_date(dc.recent_from, from);
    if (fired < 0 ||
        (fired &&
         warn(res, "immature", "outcome",
              "the leads created from %s convert at %.1f %% against %.1f %% before (one-sided "
              "z-test p %.1g; it alarms falsely at most %.1f %% of the time): most likely "
              "they have not had time to become SQLs and count as failures, which biases the "
              "holdout and the rule; give [data] outcome_date so that immature leads are left "
              "out (docs/maturity.md)",
              from, 100 * dc.recent_rate, 100 * dc.earlier_rate, dc.p, 100 * MATURITY_ALPHA)))
        return mql_err_oom(err);
    return 0;
}

/* The training leads: not in the holdout, outcome known (a lead whose outcome is not known yet
 * is in neither sample's figures); both classes must be there. */
static int training_leads(struct fit_result *res, unsigned char *train, struct mql_err *err)
{
    const struct data *d = &res->data;
    size_t train_pos = 0;
    for (size_t r = 0; r < d->n; r++) {
        train[r] = !res->holdout[r] && d->known[r];
        res->n_holdout += res->holdout[r] && d->known[r];
        res->n_train += train[r];
        train_pos += train[r] && d->y[r];
    }
    res->n_unknown = d->nunknown;
    if (res->n_train == 0 || train_pos == 0 || train_pos == res->n_train)
        return mql_err_set(err, MQL_EINPUT,
                           "%s of the %zu training leads converted: the outcome has one class, "
                           "so there is nothing to learn (check [data] outcome, positive and "
                           "negative)",
                           train_pos ? "every one" : "none", res->n_train);
    return 0;
}

/* The levels and design columns of every lead (x->codes, x->cols), with the attributes left
 * out (one level, leakage) and *nsep, the levels that separate the outcome. */
static int encode_leads(const struct config *cfg, struct fit_result *res, struct fit_scratch *x,
                        size_t *nsep, struct mql_err *err)
{
    const struct data *d = &res->data;
    size_t n = d->n, k = d->nattrs;
    int rc = encode_build(d, cfg, x->train, &res->enc, err);
    if (rc)
        return rc;
    for (size_t a = 0; a < k; a++)
        if (res->enc.attrs[a].excluded &&
            warn(res, "one_level", res->enc.attrs[a].name, "%s", res->enc.attrs[a].why))
            return mql_err_oom(err);
    encode_apply(&res->enc, d, x->codes);
    if ((rc = single_auc(res, err)) || (rc = guard_leakage(cfg, res, err)))
        return rc;
    if (find_separation(res, nsep))
        return mql_err_oom(err);
    size_t p = res->enc.ncols;
    if (p < 2)
        return mql_err_set(err, MQL_EINPUT,
                           "no attribute left to fit: every attribute has one level or leaks the "
                           "outcome");
    if (p > FIT_MAX_COLUMNS || k > 255)
        /* level indexes are 16-bit, and XᵀWX is p x p: beyond this the model is not a
         * scorecard anyone can read anyway */
        return mql_err_set(err, MQL_EINPUT,
                           "%zu model columns from %zu attributes: more than %d columns or 255 "
                           "attributes; raise [model] min_level_count or leave attributes out",
                           p, k, FIT_MAX_COLUMNS);
    for (size_t r = 0; r < n; r++)
        for (size_t a = 0; a < k; a++) {
            int c = res->enc.attrs[a].levels[x->codes[r * k + a]].column;
            x->cols[r * k + a] = (uint16_t)(c > 0 ? (size_t)c : p);
        }
    return 0;
}

/* The logistic regression on the training leads, with warnings for aliased columns and a
 * fit that did not converge. */
static int solve(const struct config *cfg, struct fit_result *res, const struct fit_scratch *x,
                 size_t nsep, struct mql_err *err)
{
    const struct data *d = &res->data;
    size_t n = d->n, k = d->nattrs, p = res->enc.ncols;
    struct model_opts mo = {.l2 = cfg->l2, .max_iter = cfg->max_iter, .tol = cfg->tolerance};
    if (mo.l2 == 0 && nsep > 0)
        mo.l2 = cfg->separation_l2;
    struct model_ws *ws = model_ws_new(n, k, p);
    if (!ws)
        return mql_err_oom(err);
    struct model_design md = {.n = n, .k = k, .p = p, .cols = x->cols, .y = d->y, .use = x->train};
    double t1 = clock_seconds();
    int rc = model_fit(&md, &mo, ws, &res->model, err);
    res->seconds_solve = clock_seconds() - t1;
    model_ws_free(ws);
    for (size_t a = 0; a < k && !rc; a++) {
        const struct encode_attr *ea = &res->enc.attrs[a];
        for (size_t l = 0; l < ea->nlevels; l++) {
            int c = ea->levels[l].column;
            if (c <= 0 || !res->model.aliased[c])
                continue;
            char subject[160];
            snprintf(subject, sizeof subject, "%s = %s", ea->name, ea->levels[l].label);
            if (warn(res, "aliased", subject,
                     "a linear combination of earlier columns (collinear): dropped, 0 points"))
                rc = mql_err_oom(err);
        }
    }
    if (!rc && !res->model.converged &&
        warn(res, "convergence", "model", "did not converge in %d iterations",
             res->model.iterations))
        rc = mql_err_oom(err);
    return rc;
}

/* Every lead's points, fit and engagement scores and model probability. */
static void score_leads(struct fit_result *res, const struct fit_scratch *x)
{
    size_t n = res->data.n, k = res->data.nattrs, p = res->enc.ncols;
    for (size_t r = 0; r < n; r++) {
        res->score[r] = points_score(&res->points, x->codes + r * k, &res->fit_score[r],
                                     &res->engagement_score[r]);
        double eta = model_eta(res->model.beta, p, x->cols + r * k, k);
        res->p[r] = 1 / (1 + exp(-eta));
    }
}

int fit_run(sqlite3 *db, const struct config *cfg, struct fit_result *res, struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    double t0 = clock_seconds();
    struct fit_scratch x = {0};
    int rc = data_load(db, cfg, &res->data, err);
    if (rc)
        return rc;
    res->seconds_load = clock_seconds() - t0;
    size_t nsep = 0;
    if (!(rc = fit_alloc(res, res->data.n, res->data.nattrs, &x, err)) &&
        !(rc = split(cfg, res, err)) && !(rc = warn_decline(cfg, res, err)) &&
        !(rc = training_leads(res, x.train, err)) &&
        !(rc = encode_leads(cfg, res, &x, &nsep, err)) && !(rc = solve(cfg, res, &x, nsep, err)) &&
        !(rc = points_build(&res->enc, &res->model, cfg, &res->points, err))) {
        score_leads(res, &x);
        if (!(rc = metrics(res, 0, x.s1, x.s2, x.yy, &res->train, err)) &&
            !(rc = metrics(res, 1, x.s1, x.s2, x.yy, &res->hold, err))) {
            if (sign_surprises(res) || suspect_leaks(cfg, res))
                rc = mql_err_oom(err);
            else
                rc = store_fit(db, cfg, res, err);
        }
    }
    res->seconds_total = clock_seconds() - t0;
    scratch_release(&x);
    return rc;
}

void fit_release(struct fit_result *res)
{
    if (!res)
        return;
    data_release(&res->data);
    encode_release(&res->enc);
    model_result_release(&res->model);
    points_release(&res->points);
    free(res->holdout);
    free(res->single_auc);
    free(res->warnings);
    free(res->score);
    free(res->fit_score);
    free(res->engagement_score);
    free(res->p);
    memset(res, 0, sizeof *res);
}

static void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int fit_dump_design(const struct fit_result *res, const char *prefix, struct mql_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s-levels.csv", prefix);
    FILE *f = fopen(path, "w");
    if (!f)
        return mql_err_set(err, MQL_EIO, "cannot write '%s'", path);
    fprintf(f, "attribute,level,label,reference,column\n");
    const struct encoding *enc = &res->enc;
    for (size_t a = 0; a < enc->nattrs; a++) {
        const struct encode_attr *ea = &enc->attrs[a];
        if (ea->excluded)
            continue;
        for (size_t l = 0; l < ea->nlevels; l++) {
            csv_text(f, ea->name);
            fprintf(f, ",%zu,", l);
            csv_text(f, ea->levels[l].label);
            fprintf(f, ",%d,%d\n", l == ea->reference, ea->levels[l].column);
        }
    }
    int bad = fclose(f) != 0;
    snprintf(path, sizeof path, "%s.csv", prefix);
    if (bad || !(f = fopen(path, "w")))
        return mql_err_set(err, MQL_EIO, "cannot write '%s'", path);
    fprintf(f, "y,holdout");
    for (size_t a = 0; a < enc->nattrs; a++)
        if (!enc->attrs[a].excluded) {
            fputc(',', f);
            csv_text(f, enc->attrs[a].name);
        }
    fputc('\n', f);
    const struct data *d = &res->data;
    for (size_t r = 0; r < d->n; r++) {
        if (d->known[r])
            fprintf(f, "%d,%d", d->y[r], res->holdout[r]);
        else /* not known yet: NA to R's read.csv, left out of the fit */
            fprintf(f, ",%d", res->holdout[r]);
        for (size_t a = 0; a < enc->nattrs; a++)
            if (!enc->attrs[a].excluded)
                fprintf(f, ",%u", (unsigned)encode_level_of(&enc->attrs[a], &d->attrs[a], r));
        fputc('\n', f);
    }
    if (fclose(f) != 0)
        return mql_err_set(err, MQL_EIO, "cannot write '%s'", path);
    return 0;
}

int fit_latest(sqlite3 *db, long long *fit_id, size_t *n, struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    if (!store_table_exists(db, "fits"))
        return mql_err_set(err, MQL_EINPUT, "the store has no fit yet: run 'mqlcal fit' first");
    int prc =
        store_prepare(db, "SELECT fit_id, leads FROM fits ORDER BY fit_id DESC LIMIT 1", &st, err);
    if (prc)
        return prc;
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *fit_id = sqlite3_column_int64(st, 0);
        *n = (size_t)sqlite3_column_int64(st, 1);
    } else if (step == SQLITE_DONE) {
        rc = mql_err_set(err, MQL_EINPUT, "the store has no fit yet: run 'mqlcal fit' first");
    } else {
        rc = mql_err_set(err, MQL_EIO, "store: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}
