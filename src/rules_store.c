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

int rules_from_store(sqlite3 *db, struct rules *r, struct mql_err *err)
{
    memset(r, 0, sizeof *r);
    struct store_table sweep = {0}, fit = {0}, load = {0}, attrs = {0}, levels = {0}, values = {0},
                       metrics = {0};
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = 0;
    if (!store_table_exists(db, "sweeps"))
        return mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
    if ((rc = store_table_read(db, "SELECT * FROM sweeps ORDER BY sweep_id DESC LIMIT 1", &sweep,
                               err)))
        goto out;
    if (sweep.nrows == 0) {
        rc = mql_err_set(err, MQL_EINPUT, "the store has no sweep yet: run 'mqlcal sweep' first");
        goto out;
    }
    long long f = (long long)store_table_num(&sweep, 0, "fit_id");
    char q[512];
    snprintf(q, sizeof q, "SELECT * FROM fits WHERE fit_id = %lld", f);
    if ((rc = store_table_read(db, q, &fit, err)) ||
        (rc = store_table_read(db, "SELECT * FROM loads LIMIT 1", &load, err)))
        goto out;
    snprintf(q, sizeof q,
             "SELECT * FROM fit_attributes WHERE fit_id = %lld AND excluded = 0 ORDER BY position",
             f);
    if ((rc = store_table_read(db, q, &attrs, err)))
        goto out;
    snprintf(q, sizeof q,
             "SELECT l.position, l.level, l.label, l.lo, l.hi, l.points, l.is_missing FROM "
             "fit_levels l JOIN "
             "fit_attributes a ON a.fit_id = l.fit_id AND a.position = l.position WHERE l.fit_id "
             "= %lld AND a.excluded = 0 ORDER BY l.position, l.level",
             f);
    if ((rc = store_table_read(db, q, &levels, err)))
        goto out;
    snprintf(q, sizeof q,
             "SELECT a.position, v.value, v.level FROM fit_values v JOIN fit_attributes a ON "
             "a.fit_id = v.fit_id AND a.attribute = v.attribute WHERE v.fit_id = %lld AND "
             "a.excluded = 0 ORDER BY a.position, v.value",
             f);
    if ((rc = store_table_read(db, q, &values, err)))
        goto out;
    snprintf(q, sizeof q, "SELECT * FROM fit_metrics WHERE fit_id = %lld", f);
    if ((rc = store_table_read(db, q, &metrics, err)))
        goto out;
    if (fit.nrows == 0 || load.nrows == 0) {
        rc = mql_err_set(err, MQL_EINPUT, "the store lacks the fit (%lld) of its latest sweep", f);
        goto out;
    }
    /* a suspected leak the config has not decided on: no rule file for production until it is
     * marked after_outcome (left out) or force (kept on purpose) */
    if (store_table_exists(db, "fit_warnings")) {
        struct store_table lk = {0};
        snprintf(q, sizeof q,
                 "SELECT subject, message FROM fit_warnings WHERE fit_id = %lld AND kind = "
                 "'leak_suspect' LIMIT 1",
                 f);
        if ((rc = store_table_read(db, q, &lk, err)))
            goto out;
        if (lk.nrows) {
            rc = mql_err_set(err, MQL_EINPUT,
                             "no rule file: attribute '%s' may leak the outcome (%s). Mark it "
                             "after_outcome = yes in [attributes] if sales write it after the "
                             "outcome, or force = yes to keep it on purpose, and run the fit "
                             "again",
                             store_table_text(&lk, 0, "subject"),
                             store_table_text(&lk, 0, "message"));
            store_table_release(&lk);
            goto out;
        }
        store_table_release(&lk);
    }
    /* the input conventions, from the fit's own config */
    const char *ctext = store_table_text(&fit, 0, "config");
    if ((rc = config_load_string(ctext ? ctext : "", "the fit's config", &cfg, err)))
        goto out;
    r->version = RULES_VERSION;
    r->delimiter = cfg.delimiter;
    if (cfg.id && !(r->id_column = text_dup(cfg.id))) {
        rc = mql_err_oom(err);
        goto out;
    }
    r->missing_values = calloc(cfg.missing.n + 1, sizeof *r->missing_values);
    if (!r->missing_values) {
        rc = mql_err_oom(err);
        goto out;
    }
    for (size_t i = 0; i < cfg.missing.n; i++) {
        if (!(r->missing_values[i] = text_dup(cfg.missing.items[i]))) {
            rc = mql_err_oom(err);
            goto out;
        }
        r->nmissing++;
    }
    r->dq = calloc(cfg.disqualify.n + 1, sizeof *r->dq);
    if (!r->dq) {
        rc = mql_err_oom(err);
        goto out;
    }
    for (size_t i = 0; i < cfg.disqualify.n; i++) {
        const char *item = cfg.disqualify.items[i], *colon = strchr(item, ':');
        struct rules_disqualifier *d = &r->dq[r->ndq];
        d->column = text_ndup(item, colon ? (size_t)(colon - item) : strlen(item));
        d->value = text_dup(colon ? colon + 1 : "");
        r->ndq++;
        if (!d->column || !d->value) {
            rc = mql_err_oom(err);
            goto out;
        }
        text_trim(d->column);
        text_trim(d->value);
    }
    const char *scaling = store_table_text(&fit, 0, "scaling");
    r->scaling_method = text_dup(scaling ? scaling : "pdo");
    r->factor = store_table_num(&fit, 0, "factor");
    r->offset = store_table_num(&fit, 0, "offset");
    r->base = (int)store_table_num(&fit, 0, "base");
    /* attributes, levels, values */
    r->attrs = calloc(attrs.nrows + 1, sizeof *r->attrs);
    if (!r->attrs || !r->scaling_method) {
        rc = mql_err_oom(err);
        goto out;
    }
    size_t lv = 0, vv = 0;
    for (size_t i = 0; i < attrs.nrows && !rc; i++) {
        struct rules_attr *a = &r->attrs[r->nattrs++];
        double pos = store_table_num(&attrs, i, "position");
        const char *name = store_table_text(&attrs, i, "attribute");
        if (!(a->name = text_dup(name ? name : "")))
            rc = mql_err_oom(err);
        rules_kind_of(store_table_text(&attrs, i, "kind"), &a->kind);
        rules_group_of(store_table_text(&attrs, i, "grp"), &a->group);
        a->reference = (size_t)store_table_num(&attrs, i, "reference");
        a->missing = (size_t)store_table_num(&attrs, i, "missing_level");
        a->unseen = (size_t)store_table_num(&attrs, i, "unseen_level");
        size_t first = lv;
        while (lv < levels.nrows && store_table_num(&levels, lv, "position") == pos)
            lv++;
        a->nlevels = lv - first;
        a->levels = calloc(a->nlevels + 1, sizeof *a->levels);
        if (!a->levels) {
            rc = mql_err_oom(err);
            break;
        }
        for (size_t k = 0; k < a->nlevels && !rc; k++) {
            struct rules_level *L = &a->levels[k];
            const char *label = store_table_text(&levels, first + k, "label");
            if (!(L->label = text_dup(label ? label : "")))
                rc = mql_err_oom(err);
            L->points = (int)store_table_num(&levels, first + k, "points");
            double lo = store_table_num(&levels, first + k, "lo");
            double hi = store_table_num(&levels, first + k, "hi");
            L->lo = isnan(lo) ? -INFINITY : lo;
            L->hi = isnan(hi) ? INFINITY : hi;
            L->no_bin = a->kind != ATTR_CATEGORICAL &&
                        store_table_num(&levels, first + k, "is_missing") == 1;
        }
        while (!rc && vv < values.nrows && store_table_num(&values, vv, "position") < pos)
            vv++;
        for (; !rc && vv < values.nrows && store_table_num(&values, vv, "position") == pos; vv++) {
            size_t level = (size_t)store_table_num(&values, vv, "level");
            const char *v = store_table_text(&values, vv, "value");
            if (level < a->nlevels && v && rules_push_value(&a->levels[level], v))
                rc = mql_err_oom(err);
        }
    }
    if (!rc)
        rc = joins_from_store(db, r, err);
    if (rc)
        goto out;
    r->has_rule = store_table_num(&sweep, 0, "recommended") == 1;
    if (r->has_rule) {
        r->threshold = (int)store_table_num(&sweep, 0, "threshold");
        double fm = store_table_num(&sweep, 0, "fit_min");
        r->has_fit_min = isfinite(fm);
        r->fit_min = r->has_fit_min ? (int)fm : 0;
        r->has_expected = 1;
        struct rules_expected *e = &r->expected;
        const char *per = store_table_text(&sweep, 0, "period");
        e->period = text_dup(per ? per : "period");
        e->mqls = (long long)store_table_num(&sweep, 0, "mqls");
        e->sqls = (long long)store_table_num(&sweep, 0, "sqls");
        e->leads = (long long)store_table_num(&load, 0, "rows_loaded");
        const char *basis = store_table_text(&sweep, 0, "basis");
        e->basis = text_dup(basis ? basis : "in_sample");
        e->horizon = (long long)store_table_num(&sweep, 0, "horizon");
        e->mqls_per_period = store_table_num(&sweep, 0, "exp_mqls");
        e->mqls_lo = store_table_num(&sweep, 0, "exp_mqls_lo");
        e->mqls_hi = store_table_num(&sweep, 0, "exp_mqls_hi");
        e->conversion = store_table_num(&sweep, 0, "exp_conversion");
        e->conv_lo = store_table_num(&sweep, 0, "exp_conv_lo");
        e->conv_hi = store_table_num(&sweep, 0, "exp_conv_hi");
        e->sqls_per_period = store_table_num(&sweep, 0, "exp_sqls");
        e->sqls_lo = store_table_num(&sweep, 0, "exp_sqls_lo");
        e->sqls_hi = store_table_num(&sweep, 0, "exp_sqls_hi");
        e->feasible_share = store_table_num(&sweep, 0, "feasible_share");
        e->recall = store_table_num(&sweep, 0, "recall");
        if (!e->period || !e->basis)
            rc = mql_err_oom(err);
    }
    if (!rc && !(r->provenance_json = provenance(&load, &fit, &sweep, &metrics)))
        rc = mql_err_oom(err);
    if (!rc)
        rc = rules_compile(r, err);
out:
    store_table_release(&sweep);
    store_table_release(&fit);
    store_table_release(&load);
    store_table_release(&attrs);
    store_table_release(&levels);
    store_table_release(&values);
    store_table_release(&metrics);
    config_release(&cfg);
    if (rc)
        rules_release(r);
    return rc;
}
