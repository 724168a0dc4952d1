/*
 * rules_store.c: making struct rules from the store: the latest sweep's rule with its fit's
 * points, levels, values, joins and provenance (rules.h: rules_from_store).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mqlcal/rules.h"
#include "rules_impl.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlcal/fsx.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"

/* ---- from the store ------------------------------------------------------------------------ */

/* The provenance object: where the rule came from. */
static char *provenance(const struct store_table *load, const struct store_table *fit,
                        const struct store_table *sweep, const struct store_table *metrics)
{
    json_t *p = json_object();
    json_t *in = json_object();
    json_t *hold = json_object();
    const char *s;
#define SET_TEXT(obj, key, t, col)                                                                 \
    json_object_set_new(obj, key, (s = store_table_text(t, 0, col)) ? json_string(s) : json_null())
#define SET_INT(obj, key, t, col)                                                                  \
    json_object_set_new(obj, key,                                                                  \
                        isfinite(store_table_num(t, 0, col))                                       \
                            ? json_integer((json_int_t)store_table_num(t, 0, col))                 \
                            : json_null())
    SET_TEXT(in, "path", load, "source");
    SET_TEXT(in, "sha256", load, "sha256");
    SET_INT(in, "bytes", load, "bytes");
    SET_INT(in, "rows", load, "rows_loaded");
    SET_TEXT(in, "date_min", load, "date_min");
    SET_TEXT(in, "date_max", load, "date_max");
    json_object_set_new(p, "input", in);
    SET_TEXT(p, "fitted_at", fit, "created_at");
    SET_TEXT(p, "fitted_by", fit, "mqlcal_version");
    SET_TEXT(p, "swept_at", sweep, "created_at");
    SET_INT(p, "fit_id", fit, "fit_id");
    SET_INT(p, "sweep_id", sweep, "sweep_id");
    json_object_set_new(p, "exported_by", json_string("mqlcal " MQLCAL_VERSION));
    SET_TEXT(hold, "description", fit, "holdout");
    SET_INT(hold, "leads", fit, "n_holdout");
    SET_INT(hold, "sqls", fit, "sql_holdout");
    for (size_t r = 0; r < metrics->nrows; r++) {
        const char *sample = store_table_text(metrics, r, "sample");
        const char *m = store_table_text(metrics, r, "metric");
        double v = store_table_num(metrics, r, "value");
        if (sample && m && strcmp(sample, "holdout") == 0 && isfinite(v) &&
            (strcmp(m, "auc") == 0 || strcmp(m, "auc_points") == 0 || strcmp(m, "brier") == 0))
            json_object_set_new(hold, m, json_real(v));
    }
    json_object_set_new(p, "holdout", hold);
#undef SET_TEXT
#undef SET_INT
    char *text = json_dumps(p, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10) | JSON_COMPACT);
    json_decref(p);
    return text;
}

int rules_join_of(const struct rules *r, const char *column, const char **sub)
{
    for (size_t j = 0; j < r->njoins; j++) {
        size_t n = strlen(r->joins[j].name);
        if (strncmp(column, r->joins[j].name, n) == 0 && column[n] == '.' && column[n + 1]) {
            if (sub)
                *sub = column + n + 1;
            return (int)j;
        }
    }
    return -1;
}

size_t rules_join_columns(const struct rules *r, size_t j, const char **sub)
{
    size_t n = 0;
    for (size_t k = 0; k < r->nattrs + r->ndq; k++) {
        const char *c = k < r->nattrs ? r->attrs[k].name : r->dq[k - r->nattrs].column, *x;
        if (rules_join_of(r, c, &x) != (int)j)
            continue;
        int seen = 0;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(sub[i], x) == 0;
        if (!seen)
            sub[n++] = x;
    }
    return n;
}

/* The store's [join] tables that the rule's attributes or disqualifiers read, in config order. */
static int joins_from_store(sqlite3 *db, struct rules *r, struct mql_err *err)
{
    if (!store_table_exists(db, "joins"))
        return 0;
    struct store_table t = {0};
    int rc = store_table_read(
        db, "SELECT name, source, key, on_column, sha256 FROM joins ORDER BY rowid", &t, err);
    if (!rc && !(r->joins = calloc(t.nrows + 1, sizeof *r->joins)))
        rc = mql_err_oom(err);
    for (size_t i = 0; !rc && i < t.nrows; i++) {
        const char *name = store_table_text(&t, i, "name");
        size_t n = name ? strlen(name) : 0;
        int used = 0;
        for (size_t k = 0; name && k < r->nattrs + r->ndq && !used; k++) {
            const char *c = k < r->nattrs ? r->attrs[k].name : r->dq[k - r->nattrs].column;
            used = strncmp(c, name, n) == 0 && c[n] == '.' && c[n + 1];
        }
        if (!used)
            continue;
        struct rules_join *j = &r->joins[r->njoins++];
        const char *src = store_table_text(&t, i, "source");
        const char *sha = store_table_text(&t, i, "sha256");
        char *abs = src ? realpath(src, NULL) : NULL;
        j->name = text_dup(name);
        j->key = text_dup(store_table_text(&t, i, "key"));
        j->on = text_dup(store_table_text(&t, i, "on_column"));
        j->file = abs ? abs : text_dup(src ? src : "");
        j->sha256 = sha ? text_dup(sha) : NULL;
        if (!j->name || !j->key || !j->on || !j->file || (sha && !j->sha256))
            rc = mql_err_oom(err);
    }
    store_table_release(&t);
    return rc;
}

/* The store's tables a rule is made from. */
struct sources {
    struct store_table sweep, fit, load, attrs, levels, values, metrics;
};

/* Every table of t, for releasing and checking them alike. */
#define SOURCES 7
static void sources_all(struct sources *t, struct store_table **all)
{
    struct store_table *list[SOURCES] = {&t->sweep,  &t->fit,    &t->load,   &t->attrs,
                                         &t->levels, &t->values, &t->metrics};
    memcpy(all, list, sizeof list);
}

static void sources_release(struct sources *t)
{
    struct store_table *all[SOURCES];
    sources_all(t, all);
    for (size_t i = 0; i < SOURCES; i++)
        store_table_release(all[i]);
}

/* MQL_EIO when making the rule asked any table for a column it lacks (store.h). */
static int sources_check(struct sources *t, struct mql_err *err)
{
    struct store_table *all[SOURCES];
    sources_all(t, all);
    int rc = 0;
    for (size_t i = 0; i < SOURCES && !rc; i++)
        rc = store_table_check(all[i], "the rule file", err);
    return rc;
}

/* The latest sweep, its fit, the load and the fit's kept attributes, levels and values. */
static int read_sources(sqlite3 *db, struct sources *t, long long *fit_id, struct mql_err *err)
{
    if (!store_table_exists(db, "sweeps"))
        return mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
    int rc =
        store_table_read_all(db, "sweeps", " ORDER BY sweep_id DESC LIMIT 1", 0, &t->sweep, err);
    if (rc)
        return rc;
    if (t->sweep.nrows == 0)
        return mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
    long long f = *fit_id = (long long)store_table_num(&t->sweep, 0, "fit_id");
    char q[512];
    snprintf(q, sizeof q, " WHERE fit_id = %lld", f);
    if ((rc = store_table_read_all(db, "fits", q, 0, &t->fit, err)) ||
        (rc = store_table_read_all(db, "loads", " LIMIT 1", 0, &t->load, err)) ||
        (rc = store_table_read_all(db, "fit_metrics", q, 0, &t->metrics, err)))
        return rc;
    snprintf(q, sizeof q, " WHERE fit_id = %lld AND excluded = 0 ORDER BY position", f);
    if ((rc = store_table_read_all(db, "fit_attributes", q, 0, &t->attrs, err)))
        return rc;
    snprintf(q, sizeof q,
             "SELECT l.position, l.level, l.label, l.lo, l.hi, l.points, l.is_missing FROM "
             "fit_levels l JOIN "
             "fit_attributes a ON a.fit_id = l.fit_id AND a.position = l.position WHERE l.fit_id "
             "= %lld AND a.excluded = 0 ORDER BY l.position, l.level",
             f);
    if ((rc = store_table_read(db, q, &t->levels, err)))
        return rc;
    snprintf(q, sizeof q,
             "SELECT a.position, v.value, v.level FROM fit_values v JOIN fit_attributes a ON "
             "a.fit_id = v.fit_id AND a.attribute = v.attribute WHERE v.fit_id = %lld AND "
             "a.excluded = 0 ORDER BY a.position, v.value",
             f);
    if ((rc = store_table_read(db, q, &t->values, err)))
        return rc;
    if (t->fit.nrows == 0 || t->load.nrows == 0)
        return mql_err_set(err, MQL_EINPUT, "the store lacks the fit (%lld) of its latest sweep",
                           f);
    return 0;
}

/* A suspected leak the config has not decided on: no rule file for production until it is
 * marked after_outcome (left out) or force (kept on purpose). */
static int refuse_leaks(sqlite3 *db, long long f, struct mql_err *err)
{
    if (!store_table_exists(db, "fit_warnings"))
        return 0;
    struct store_table lk = {0};
    char q[256];
    snprintf(q, sizeof q,
             "SELECT subject, message FROM fit_warnings WHERE fit_id = %lld AND kind = "
             "'leak_suspect' LIMIT 1",
             f);
    int rc = store_table_read(db, q, &lk, err);
    if (!rc && lk.nrows)
        rc = mql_err_set(err, MQL_EINPUT,
                         "no rule file: attribute '%s' may leak the outcome (%s). Mark it "
                         "after_outcome = yes in [attributes] if sales write it after the "
                         "outcome, or force = yes to keep it on purpose, and run the fit "
                         "again",
                         store_table_text(&lk, 0, "subject"), store_table_text(&lk, 0, "message"));
    store_table_release(&lk);
    return rc;
}

/* The input conventions, from the fit's own config: id column, missing values, disqualifiers. */
static int conventions(struct rules *r, const struct config *cfg, struct mql_err *err)
{
    r->delimiter = cfg->delimiter;
    if (cfg->id && !(r->id_column = text_dup(cfg->id)))
        return mql_err_oom(err);
    r->missing_values = calloc(cfg->missing.n + 1, sizeof *r->missing_values);
    r->dq = calloc(cfg->disqualify.n + 1, sizeof *r->dq);
    if (!r->missing_values || !r->dq)
        return mql_err_oom(err);
    for (size_t i = 0; i < cfg->missing.n; i++) {
        if (!(r->missing_values[i] = text_dup(cfg->missing.items[i])))
            return mql_err_oom(err);
        r->nmissing++;
    }
    for (size_t i = 0; i < cfg->disqualify.n; i++) {
        const char *col, *val;
        size_t ncol, nval;
        config_dq_item(cfg->disqualify.items[i], &col, &ncol, &val, &nval);
        struct rules_disqualifier *d = &r->dq[r->ndq++];
        d->column = text_ndup(col, ncol);
        d->value = text_ndup(val, nval);
        if (!d->column || !d->value)
            return mql_err_oom(err);
    }
    return 0;
}

/* Attribute a's levels: rows first.. of levels that have its position. */
static int levels_of(struct rules_attr *a, const struct store_table *levels, size_t first,
                     struct mql_err *err)
{
    a->levels = calloc(a->nlevels + 1, sizeof *a->levels);
    if (!a->levels)
        return mql_err_oom(err);
    for (size_t k = 0; k < a->nlevels; k++) {
        struct rules_level *L = &a->levels[k];
        const char *label = store_table_text(levels, first + k, "label");
        if (!(L->label = text_dup(label ? label : "")))
            return mql_err_oom(err);
        L->points = (int)store_table_num(levels, first + k, "points");
        double lo = store_table_num(levels, first + k, "lo");
        double hi = store_table_num(levels, first + k, "hi");
        L->lo = isnan(lo) ? -INFINITY : lo;
        L->hi = isnan(hi) ? INFINITY : hi;
        L->no_bin =
            a->kind != ATTR_CATEGORICAL && store_table_num(levels, first + k, "is_missing") == 1;
    }
    return 0;
}

/* The attributes with their levels and, for categorical ones, the values of each level. */
static int attributes(struct rules *r, const struct sources *t, struct mql_err *err)
{
    r->attrs = calloc(t->attrs.nrows + 1, sizeof *r->attrs);
    if (!r->attrs)
        return mql_err_oom(err);
    size_t lv = 0, vv = 0;
    int rc = 0;
    for (size_t i = 0; i < t->attrs.nrows && !rc; i++) {
        struct rules_attr *a = &r->attrs[r->nattrs++];
        double pos = store_table_num(&t->attrs, i, "position");
        const char *name = store_table_text(&t->attrs, i, "attribute");
        if (!(a->name = text_dup(name ? name : "")))
            return mql_err_oom(err);
        rules_kind_of(store_table_text(&t->attrs, i, "kind"), &a->kind);
        rules_group_of(store_table_text(&t->attrs, i, "grp"), &a->group);
        a->reference = (size_t)store_table_num(&t->attrs, i, "reference");
        a->missing = (size_t)store_table_num(&t->attrs, i, "missing_level");
        a->unseen = (size_t)store_table_num(&t->attrs, i, "unseen_level");
        size_t first = lv;
        while (lv < t->levels.nrows && store_table_num(&t->levels, lv, "position") == pos)
            lv++;
        a->nlevels = lv - first;
        rc = levels_of(a, &t->levels, first, err);
        while (!rc && vv < t->values.nrows && store_table_num(&t->values, vv, "position") < pos)
            vv++;
        for (; !rc && vv < t->values.nrows && store_table_num(&t->values, vv, "position") == pos;
             vv++) {
            size_t level = (size_t)store_table_num(&t->values, vv, "level");
            const char *v = store_table_text(&t->values, vv, "value");
            if (level < a->nlevels && v && rules_push_value(&a->levels[level], v))
                rc = mql_err_oom(err);
        }
    }
    return rc;
}

/* The recommended rule and what the sweep expects of it (rules.json's "expected"). */
static int expected(struct rules *r, const struct sources *t, struct mql_err *err)
{
    const struct store_table *sw = &t->sweep;
    r->has_rule = store_table_num(sw, 0, "recommended") == 1;
    if (!r->has_rule)
        return 0;
    r->threshold = (int)store_table_num(sw, 0, "threshold");
    double fm = store_table_num(sw, 0, "fit_min");
    r->has_fit_min = isfinite(fm);
    r->fit_min = r->has_fit_min ? (int)fm : 0;
    r->has_expected = 1;
    struct rules_expected *e = &r->expected;
    const char *per = store_table_text(sw, 0, "period");
    e->period = text_dup(per ? per : "period");
    e->mqls = (long long)store_table_num(sw, 0, "mqls");
    e->sqls = (long long)store_table_num(sw, 0, "sqls");
    e->leads = (long long)store_table_num(&t->load, 0, "rows_loaded");
    const char *basis = store_table_text(sw, 0, "basis");
    e->basis = text_dup(basis ? basis : "in_sample");
    e->horizon = (long long)store_table_num(sw, 0, "horizon");
    e->mqls_per_period = store_table_num(sw, 0, "exp_mqls");
    e->mqls_lo = store_table_num(sw, 0, "exp_mqls_lo");
    e->mqls_hi = store_table_num(sw, 0, "exp_mqls_hi");
    e->conversion = store_table_num(sw, 0, "exp_conversion");
    e->conv_lo = store_table_num(sw, 0, "exp_conv_lo");
    e->conv_hi = store_table_num(sw, 0, "exp_conv_hi");
    e->sqls_per_period = store_table_num(sw, 0, "exp_sqls");
    e->sqls_lo = store_table_num(sw, 0, "exp_sqls_lo");
    e->sqls_hi = store_table_num(sw, 0, "exp_sqls_hi");
    e->feasible_share = store_table_num(sw, 0, "feasible_share");
    e->recall = store_table_num(sw, 0, "recall");
    return e->period && e->basis ? 0 : mql_err_oom(err);
}

int rules_from_store(sqlite3 *db, struct rules *r, struct mql_err *err)
{
    memset(r, 0, sizeof *r);
    struct sources t;
    memset(&t, 0, sizeof t);
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    long long f = 0;
    int rc = read_sources(db, &t, &f, err);
    if (!rc)
        rc = refuse_leaks(db, f, err);
    if (!rc) {
        const char *ctext = store_table_text(&t.fit, 0, "config");
        rc = config_load_string(ctext ? ctext : "", "the fit's config", &cfg, err);
    }
    if (!rc) {
        r->version = RULES_VERSION;
        rc = conventions(r, &cfg, err);
    }
    if (!rc) {
        const char *scaling = store_table_text(&t.fit, 0, "scaling");
        r->scaling_method = text_dup(scaling ? scaling : "pdo");
        r->factor = store_table_num(&t.fit, 0, "factor");
        r->offset = store_table_num(&t.fit, 0, "offset");
        r->base = (int)store_table_num(&t.fit, 0, "base");
        rc = r->scaling_method ? attributes(r, &t, err) : mql_err_oom(err);
    }
    if (!rc && !(rc = joins_from_store(db, r, err)) && !(rc = expected(r, &t, err)) &&
        !(r->provenance_json = provenance(&t.load, &t.fit, &t.sweep, &t.metrics)))
        rc = mql_err_oom(err);
    if (!rc && !(rc = sources_check(&t, err)))
        rc = rules_compile(r, err);
    sources_release(&t);
    config_release(&cfg);
    if (rc)
        rules_release(r);
    return rc;
}
