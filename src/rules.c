/*
 * rules.c: struct rules, the recommended rule: made from the store, written to and read from
 * rules.json, and used to score a lead (rules.h).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mqlcal/rules.h"

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

static const char *const kind_names[] = {"categorical", "count", "numeric"};
static const char *const group_names[] = {"none", "fit", "engagement"};

void rules_release(struct rules *r)
{
    if (!r)
        return;
    free(r->provenance_json);
    free(r->id_column);
    for (size_t i = 0; i < r->nmissing; i++)
        free(r->missing_values[i]);
    free(r->missing_values);
    for (size_t j = 0; j < r->njoins; j++) {
        free(r->joins[j].name);
        free(r->joins[j].key);
        free(r->joins[j].on);
        free(r->joins[j].file);
        free(r->joins[j].sha256);
    }
    free(r->joins);
    free(r->missing_len);
    free(r->dq_attr);
    free(r->dq_number);
    free(r->scaling_method);
    for (size_t a = 0; a < r->nattrs; a++) {
        struct rules_attr *at = &r->attrs[a];
        free(at->name);
        for (size_t l = 0; l < at->nlevels; l++) {
            free(at->levels[l].label);
            for (size_t v = 0; v < at->levels[l].nvalues; v++)
                free(at->levels[l].values[v]);
            free(at->levels[l].values);
        }
        free(at->levels);
        free(at->slots);
        free(at->pts);
        free(at->delta);
        free(at->edge_hi);
        free(at->edge_level);
    }
    free(r->attrs);
    for (size_t q = 0; q < r->ndq; q++) {
        free(r->dq[q].column);
        free(r->dq[q].value);
    }
    free(r->dq);
    free(r->expected.period);
    free(r->expected.basis);
    memset(r, 0, sizeof *r);
}

/* ---- from the store ------------------------------------------------------------------------ */

static int oom(struct mql_err *err)
{
    return mql_err_oom(err);
}

static int push_value(struct rules_level *l, const char *v)
{
    char **nv = realloc(l->values, (l->nvalues + 1) * sizeof *nv);
    if (!nv)
        return -1;
    l->values = nv;
    if (!(l->values[l->nvalues] = text_dup(v)))
        return -1;
    l->nvalues++;
    return 0;
}

static int kind_of(const char *s, enum attr_kind *k)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (enum attr_kind)i;
            return 0;
        }
    return -1;
}

static int group_of(const char *s, enum attr_group *g)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, group_names[i]) == 0) {
            *g = (enum attr_group)i;
            return 0;
        }
    return -1;
}

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
        rc = oom(err);
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
            rc = oom(err);
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
        rc = oom(err);
        goto out;
    }
    r->missing_values = calloc(cfg.missing.n + 1, sizeof *r->missing_values);
    if (!r->missing_values) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < cfg.missing.n; i++) {
        if (!(r->missing_values[i] = text_dup(cfg.missing.items[i]))) {
            rc = oom(err);
            goto out;
        }
        r->nmissing++;
    }
    r->dq = calloc(cfg.disqualify.n + 1, sizeof *r->dq);
    if (!r->dq) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < cfg.disqualify.n; i++) {
        const char *item = cfg.disqualify.items[i], *colon = strchr(item, ':');
        struct rules_disqualifier *d = &r->dq[r->ndq];
        d->column = text_ndup(item, colon ? (size_t)(colon - item) : strlen(item));
        d->value = text_dup(colon ? colon + 1 : "");
        r->ndq++;
        if (!d->column || !d->value) {
            rc = oom(err);
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
        rc = oom(err);
        goto out;
    }
    size_t lv = 0, vv = 0;
    for (size_t i = 0; i < attrs.nrows && !rc; i++) {
        struct rules_attr *a = &r->attrs[r->nattrs++];
        double pos = store_table_num(&attrs, i, "position");
        const char *name = store_table_text(&attrs, i, "attribute");
        if (!(a->name = text_dup(name ? name : "")))
            rc = oom(err);
        kind_of(store_table_text(&attrs, i, "kind"), &a->kind);
        group_of(store_table_text(&attrs, i, "grp"), &a->group);
        a->reference = (size_t)store_table_num(&attrs, i, "reference");
        a->missing = (size_t)store_table_num(&attrs, i, "missing_level");
        a->unseen = (size_t)store_table_num(&attrs, i, "unseen_level");
        size_t first = lv;
        while (lv < levels.nrows && store_table_num(&levels, lv, "position") == pos)
            lv++;
        a->nlevels = lv - first;
        a->levels = calloc(a->nlevels + 1, sizeof *a->levels);
        if (!a->levels) {
            rc = oom(err);
            break;
        }
        for (size_t k = 0; k < a->nlevels && !rc; k++) {
            struct rules_level *L = &a->levels[k];
            const char *label = store_table_text(&levels, first + k, "label");
            if (!(L->label = text_dup(label ? label : "")))
                rc = oom(err);
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
            if (level < a->nlevels && v && push_value(&a->levels[level], v))
                rc = oom(err);
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
            rc = oom(err);
    }
    if (!rc && !(r->provenance_json = provenance(&load, &fit, &sweep, &metrics)))
        rc = oom(err);
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

/* ---- writing ------------------------------------------------------------------------------- */

static json_t *bound(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

char *rules_to_json(const struct rules *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string(RULES_FORMAT));
    json_object_set_new(root, "version", json_integer(RULES_VERSION));
    json_t *prov = r->provenance_json ? json_loads(r->provenance_json, 0, NULL) : NULL;
    json_object_set_new(root, "provenance", prov ? prov : json_object());
    json_t *in = json_object();
    json_object_set_new(in, "id_column", r->id_column ? json_string(r->id_column) : json_null());
    char delim[2] = {r->delimiter ? r->delimiter : ',', 0};
    json_object_set_new(in, "delimiter", json_string(delim));
    json_t *miss = json_array();
    for (size_t i = 0; i < r->nmissing; i++)
        json_array_append_new(miss, json_string(r->missing_values[i]));
    json_object_set_new(in, "missing_values", miss);
    if (r->njoins) {
        json_t *js = json_array();
        for (size_t j = 0; j < r->njoins; j++) {
            const struct rules_join *rj = &r->joins[j];
            json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", rj->name, "key", rj->key, "on",
                                  rj->on, "file", rj->file);
            json_object_set_new(o, "sha256", rj->sha256 ? json_string(rj->sha256) : json_null());
            json_array_append_new(js, o);
        }
        json_object_set_new(in, "joins", js);
    }
    json_object_set_new(root, "input", in);
    json_t *sc = json_object();
    json_object_set_new(sc, "method", json_string(r->scaling_method ? r->scaling_method : "pdo"));
    json_object_set_new(sc, "factor", json_real(r->factor));
    json_object_set_new(sc, "offset", json_real(r->offset));
    json_object_set_new(sc, "base", json_integer(r->base));
    json_object_set_new(root, "scaling", sc);
    json_t *attrs = json_array();
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(at->name));
        json_object_set_new(o, "kind", json_string(kind_names[at->kind]));
        json_object_set_new(o, "group", json_string(group_names[at->group]));
        json_object_set_new(o, "reference", json_string(at->levels[at->reference].label));
        json_object_set_new(o, "missing", json_string(at->levels[at->missing].label));
        if (at->kind == ATTR_CATEGORICAL)
            json_object_set_new(o, "unseen", json_string(at->levels[at->unseen].label));
        json_t *ls = json_array();
        for (size_t l = 0; l < at->nlevels; l++) {
            const struct rules_level *L = &at->levels[l];
            json_t *lo = json_object();
            json_object_set_new(lo, "label", json_string(L->label));
            json_object_set_new(lo, "points", json_integer(L->points));
            if (at->kind == ATTR_CATEGORICAL) {
                json_t *vs = json_array();
                for (size_t v = 0; v < L->nvalues; v++)
                    json_array_append_new(vs, json_string(L->values[v]));
                json_object_set_new(lo, "values", vs);
            } else if (!L->no_bin) {
                json_object_set_new(lo, "lo", bound(L->lo));
                json_object_set_new(lo, "hi", bound(L->hi));
            }
            json_array_append_new(ls, lo);
        }
        json_object_set_new(o, "levels", ls);
        json_array_append_new(attrs, o);
    }
    json_object_set_new(root, "attributes", attrs);
    json_t *dqs = json_array();
    for (size_t q = 0; q < r->ndq; q++)
        json_array_append_new(
            dqs, json_pack("{s:s, s:s}", "column", r->dq[q].column, "value", r->dq[q].value));
    json_object_set_new(root, "disqualifiers", dqs);
    json_t *rule = json_object();
    json_object_set_new(rule, "threshold", r->has_rule ? json_integer(r->threshold) : json_null());
    json_object_set_new(rule, "fit_min",
                        r->has_rule && r->has_fit_min ? json_integer(r->fit_min) : json_null());
    json_object_set_new(root, "rule", rule);
    if (r->has_expected) {
        const struct rules_expected *e = &r->expected;
        json_t *x = json_object();
        json_object_set_new(x, "period", json_string(e->period ? e->period : "period"));
        json_object_set_new(x, "basis", json_string(e->basis ? e->basis : "in_sample"));
        json_object_set_new(x, "horizon", json_integer(e->horizon));
        json_object_set_new(x, "leads", json_integer(e->leads));
        json_object_set_new(x, "mqls", json_integer(e->mqls));
        json_object_set_new(x, "sqls", json_integer(e->sqls));
        json_object_set_new(x, "mqls_per_period", bound(e->mqls_per_period));
        json_object_set_new(x, "mqls_per_period_ci",
                            json_pack("[o, o]", bound(e->mqls_lo), bound(e->mqls_hi)));
        json_object_set_new(x, "sqls_per_period", bound(e->sqls_per_period));
        json_object_set_new(x, "sqls_per_period_ci",
                            json_pack("[o, o]", bound(e->sqls_lo), bound(e->sqls_hi)));
        json_object_set_new(x, "conversion", bound(e->conversion));
        json_object_set_new(x, "conversion_ci",
                            json_pack("[o, o]", bound(e->conv_lo), bound(e->conv_hi)));
        json_object_set_new(x, "feasible_share", bound(e->feasible_share));
        json_object_set_new(x, "recall", bound(e->recall));
        json_object_set_new(root, "expected", x);
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    return text;
}

int rules_write_json(const struct rules *r, const char *path, int flags, struct mql_err *err)
{
    char *text = rules_to_json(r);
    if (!text)
        return oom(err);
    size_t n = strlen(text);
    text[n] = '\n'; /* the NUL becomes the last line's end: written as n + 1 bytes */
    int rc = fsx_write_file(path, text, n + 1, flags, err);
    free(text);
    return rc;
}

/* ---- reading and checking ------------------------------------------------------------------ */

struct reader {
    const char *name; /* the file, for messages */
    struct mql_err *err;
    char path[256]; /* the JSON path being read */
};

static int bad(struct reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct reader *rd, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mql_err_set(rd->err, MQL_EINPUT, "%s: %s: %s", rd->name,
                       rd->path[0] ? rd->path : "(top)", msg);
}

/* Appends ".key" or "[i]" to the path; returns the old length, to restore it. */
static size_t enter_key(struct reader *rd, const char *key)
{
    size_t n = strlen(rd->path);
    snprintf(rd->path + n, sizeof rd->path - n, "%s%s", n ? "." : "", key);
    return n;
}

static size_t enter_index(struct reader *rd, size_t i)
{
    size_t n = strlen(rd->path);
    snprintf(rd->path + n, sizeof rd->path - n, "[%zu]", i);
    return n;
}

static void leave(struct reader *rd, size_t n)
{
    rd->path[n] = '\0';
}

static const char *type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* The member key of object o, required (or optional: NULL when absent). */
static json_t *member(struct reader *rd, json_t *o, const char *key, int required)
{
    json_t *v = json_object_get(o, key);
    if (!v && required) {
        size_t n = enter_key(rd, key);
        bad(rd, "missing");
        leave(rd, n);
    }
    return v;
}

static int get_string(struct reader *rd, json_t *o, const char *key, int required, int nullable,
                      char **out)
{
    json_t *v = member(rd, o, key, required);
    *out = NULL;
    if (!v)
        return required ? MQL_EINPUT : 0;
    if (json_is_null(v) && nullable)
        return 0;
    if (!json_is_string(v)) {
        size_t n = enter_key(rd, key);
        int rc = bad(rd, "expected a string%s, got %s", nullable ? " or null" : "", type_name(v));
        leave(rd, n);
        return rc;
    }
    return (*out = text_dup(json_string_value(v))) ? 0 : oom(rd->err);
}

static int get_int(struct reader *rd, json_t *o, const char *key, int required, int nullable,
                   int *out, int *present)
{
    json_t *v = member(rd, o, key, required);
    if (present)
        *present = 0;
    if (!v)
        return required ? MQL_EINPUT : 0;
    if (json_is_null(v) && nullable)
        return 0;
    size_t n = enter_key(rd, key);
    int rc = 0;
    if (!json_is_integer(v))
        rc = bad(rd, "expected an integer%s, got %s", nullable ? " or null" : "", type_name(v));
    else if (json_integer_value(v) < -1000000000 || json_integer_value(v) > 1000000000)
        rc = bad(rd, "%lld is out of range (|points| <= 1e9)", (long long)json_integer_value(v));
    leave(rd, n);
    if (rc)
        return rc;
    *out = (int)json_integer_value(v);
    if (present)
        *present = 1;
    return 0;
}

static int get_number(struct reader *rd, json_t *o, const char *key, int nullable, double *out)
{
    json_t *v = member(rd, o, key, 1);
    if (!v)
        return MQL_EINPUT;
    if (json_is_null(v) && nullable) {
        *out = NAN;
        return 0;
    }
    if (!json_is_number(v)) {
        size_t n = enter_key(rd, key);
        int rc = bad(rd, "expected a number%s, got %s", nullable ? " or null" : "", type_name(v));
        leave(rd, n);
        return rc;
    }
    *out = json_number_value(v);
    return 0;
}

static json_t *get_typed(struct reader *rd, json_t *o, const char *key, int want_array)
{
    json_t *v = member(rd, o, key, 1);
    if (!v)
        return NULL;
    if (want_array ? !json_is_array(v) : !json_is_object(v)) {
        size_t n = enter_key(rd, key);
        bad(rd, "expected %s, got %s", want_array ? "an array" : "an object", type_name(v));
        leave(rd, n);
        return NULL;
    }
    return v;
}

/* The index of the level labelled by member key (a string), into *out. */
static int level_ref(struct reader *rd, json_t *o, const struct rules_attr *a, const char *key,
                     size_t *out)
{
    char *label = NULL;
    int rc = get_string(rd, o, key, 1, 0, &label);
    if (rc)
        return rc;
    for (size_t l = 0; l < a->nlevels; l++)
        if (strcmp(a->levels[l].label, label) == 0) {
            *out = l;
            free(label);
            return 0;
        }
    size_t n = enter_key(rd, key);
    rc = bad(rd, "no level is labelled '%s'", label);
    leave(rd, n);
    free(label);
    return rc;
}

/* A CSV column name: not empty, no white space around it (headers are trimmed before they are
 * compared, so such a name could never be found). */
static int get_column(struct reader *rd, json_t *o, const char *key, int nullable, char **out)
{
    int rc = get_string(rd, o, key, 1, nullable, out);
    if (rc || !*out)
        return rc;
    const char *t = *out;
    size_t n = strlen(t), tn = n;
    text_trim_span(&t, &tn);
    if (!n || tn != n) {
        size_t k = enter_key(rd, key);
        rc = n ? bad(rd,
                     "a column name with white space around it ('%s'): CSV headers are "
                     "trimmed, so it would never be found",
                     *out)
               : bad(rd, "empty");
        leave(rd, k);
    }
    return rc;
}

/* input.joins: optional; each {name, key, on, file, sha256}, names [A-Za-z0-9_]+ and unique. */
static int read_joins(struct reader *rd, json_t *in, struct rules *r)
{
    json_t *js = json_object_get(in, "joins");
    if (!js)
        return 0;
    size_t b = enter_key(rd, "joins");
    int rc = 0;
    if (!json_is_array(js) || json_array_size(js) > CONFIG_MAX_JOINS)
        rc = json_is_array(js)
                 ? bad(rd, "at most %d tables, got %zu", CONFIG_MAX_JOINS, json_array_size(js))
                 : bad(rd, "expected an array, got %s", type_name(js));
    if (!rc && !(r->joins = calloc(json_array_size(js) + 1, sizeof *r->joins)))
        rc = oom(rd->err);
    for (size_t i = 0; !rc && i < json_array_size(js); i++) {
        json_t *o = json_array_get(js, i);
        size_t at = enter_index(rd, i);
        struct rules_join *j = &r->joins[r->njoins++];
        if (!json_is_object(o))
            rc = bad(rd, "expected an object, got %s", type_name(o));
        if (!rc)
            rc = get_string(rd, o, "name", 1, 0, &j->name);
        if (!rc) {
            size_t n = strlen(j->name), ok = n > 0;
            for (size_t k = 0; k < n && ok; k++)
                ok = (j->name[k] >= 'a' && j->name[k] <= 'z') ||
                     (j->name[k] >= 'A' && j->name[k] <= 'Z') ||
                     (j->name[k] >= '0' && j->name[k] <= '9') || j->name[k] == '_';
            for (size_t k = 0; k + 1 < r->njoins && ok; k++)
                if (strcmp(r->joins[k].name, j->name) == 0) {
                    size_t e = enter_key(rd, "name");
                    rc = bad(rd, "'%s' is also joins[%zu]'s name", j->name, k);
                    leave(rd, e);
                }
            if (!ok && !rc) {
                size_t e = enter_key(rd, "name");
                rc = bad(rd, "'%s': a table name is letters, digits and _", j->name);
                leave(rd, e);
            }
        }
        if (!rc)
            rc = get_column(rd, o, "key", 0, &j->key);
        if (!rc)
            rc = get_column(rd, o, "on", 0, &j->on);
        if (!rc)
            rc = get_string(rd, o, "file", 1, 0, &j->file);
        if (!rc)
            rc = get_string(rd, o, "sha256", 0, 1, &j->sha256);
        leave(rd, at);
    }
    leave(rd, b);
    return rc;
}

static int read_attr(struct reader *rd, json_t *o, struct rules_attr *a)
{
    if (!json_is_object(o))
        return bad(rd, "expected an object, got %s", type_name(o));
    char *kind = NULL, *group = NULL;
    int rc = get_column(rd, o, "name", 0, &a->name);
    if (!rc)
        rc = get_string(rd, o, "kind", 1, 0, &kind);
    if (!rc && kind_of(kind, &a->kind)) {
        size_t n = enter_key(rd, "kind");
        rc = bad(rd, "unknown attribute kind '%s' (expected categorical, count or numeric)", kind);
        leave(rd, n);
    }
    if (!rc)
        rc = get_string(rd, o, "group", 1, 0, &group);
    if (!rc && group_of(group, &a->group)) {
        size_t n = enter_key(rd, "group");
        rc = bad(rd, "unknown group '%s' (expected fit, engagement or none)", group);
        leave(rd, n);
    }
    free(kind);
    free(group);
    json_t *ls = rc ? NULL : get_typed(rd, o, "levels", 1);
    if (!rc && !ls)
        return MQL_EINPUT;
    if (rc)
        return rc;
    size_t nl = json_array_size(ls);
    if (nl == 0 || nl > RULES_MAX_LEVELS) {
        size_t n = enter_key(rd, "levels");
        rc = bad(rd, "expected 1 to %d levels, got %zu", RULES_MAX_LEVELS, nl);
        leave(rd, n);
        return rc;
    }
    a->levels = calloc(nl, sizeof *a->levels);
    if (!a->levels)
        return oom(rd->err);
    size_t base = enter_key(rd, "levels");
    for (size_t l = 0; l < nl && !rc; l++) {
        json_t *lo = json_array_get(ls, l);
        struct rules_level *L = &a->levels[l];
        a->nlevels++;
        size_t at = enter_index(rd, l);
        if (!json_is_object(lo)) {
            rc = bad(rd, "expected an object, got %s", type_name(lo));
            break;
        }
        rc = get_string(rd, lo, "label", 1, 0, &L->label);
        if (!rc)
            rc = get_int(rd, lo, "points", 1, 0, &L->points, NULL);
        for (size_t k = 0; k < l && !rc; k++)
            if (strcmp(a->levels[k].label, L->label) == 0) {
                size_t n = enter_key(rd, "label");
                rc = bad(rd, "duplicate level '%s' (also levels[%zu])", L->label, k);
                leave(rd, n);
            }
        if (!rc && a->kind == ATTR_CATEGORICAL) {
            json_t *vs = get_typed(rd, lo, "values", 1);
            if (!vs) {
                rc = MQL_EINPUT;
                break;
            }
            size_t vb = enter_key(rd, "values");
            for (size_t v = 0; v < json_array_size(vs) && !rc; v++) {
                json_t *s = json_array_get(vs, v);
                if (!json_is_string(s)) {
                    size_t n = enter_index(rd, v);
                    rc = bad(rd, "expected a string, got %s", type_name(s));
                    leave(rd, n);
                } else if (push_value(L, json_string_value(s))) {
                    rc = oom(rd->err);
                }
            }
            leave(rd, vb);
        } else if (!rc) {
            L->lo = L->hi = NAN;
            L->no_bin = !json_object_get(lo, "lo") && !json_object_get(lo, "hi");
            if (!L->no_bin) {
                rc = get_number(rd, lo, "lo", 1, &L->lo);
                if (!rc)
                    rc = get_number(rd, lo, "hi", 1, &L->hi);
                if (isnan(L->lo))
                    L->lo = -INFINITY;
                if (isnan(L->hi))
                    L->hi = INFINITY;
                if (!rc && !(L->lo < L->hi))
                    rc = bad(rd, "empty bin: lo %g is not below hi %g", L->lo, L->hi);
            }
        }
        leave(rd, at);
    }
    leave(rd, base);
    if (rc)
        return rc;
    rc = level_ref(rd, o, a, "reference", &a->reference);
    if (!rc)
        rc = level_ref(rd, o, a, "missing", &a->missing);
    if (!rc && a->kind == ATTR_CATEGORICAL)
        rc = level_ref(rd, o, a, "unseen", &a->unseen);
    if (rc || a->kind == ATTR_CATEGORICAL)
        return rc;
    /* bins: every level with lo and hi is a bin [lo, hi); together, in order, they cover the
     * line; a level without them can only be the missing level */
    double at = -INFINITY;
    size_t b = enter_key(rd, "levels");
    for (size_t l = 0; l < a->nlevels && !rc; l++) {
        const struct rules_level *L = &a->levels[l];
        size_t n = enter_index(rd, l);
        if (L->no_bin) {
            if (l != a->missing)
                rc = bad(rd, "a bin needs lo and hi (null for minus or plus infinity); only the "
                             "missing level may have neither");
        } else if (L->lo != at) {
            rc = bad(rd, "bins must follow each other: lo %g, expected %g", L->lo, at);
        }
        if (!L->no_bin)
            at = L->hi;
        leave(rd, n);
    }
    if (!rc && at != INFINITY)
        rc = bad(rd, "the last bin must reach plus infinity (hi null), not %g", at);
    leave(rd, b);
    return rc;
}

int rules_parse_json(const char *text, size_t len, const char *name, struct rules *r,
                     struct mql_err *err)
{
    memset(r, 0, sizeof *r);
    struct reader rd = {name, err, ""};
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return mql_err_set(err, MQL_EINPUT, "%s:%d:%d: not valid JSON: %s", name, je.line,
                           je.column, je.text);
    int rc = 0;
    char *format = NULL;
    if (!json_is_object(root)) {
        rc = bad(&rd, "expected an object, got %s", type_name(root));
        goto out;
    }
    if ((rc = get_string(&rd, root, "format", 1, 0, &format)))
        goto out;
    if (strcmp(format, RULES_FORMAT) != 0) {
        size_t n = enter_key(&rd, "format");
        rc = bad(&rd, "'%s' is not a mqlcal rule file (expected '%s')", format, RULES_FORMAT);
        leave(&rd, n);
        goto out;
    }
    if ((rc = get_int(&rd, root, "version", 1, 0, &r->version, NULL)))
        goto out;
    if (r->version != RULES_VERSION) {
        size_t n = enter_key(&rd, "version");
        rc = bad(&rd, "version %d is not supported (this mqlcal reads version %d)", r->version,
                 RULES_VERSION);
        leave(&rd, n);
        goto out;
    }
    json_t *prov = json_object_get(root, "provenance");
    if (prov && !json_is_object(prov)) { /* json_dumps would fail, as if out of memory */
        size_t n = enter_key(&rd, "provenance");
        rc = bad(&rd, "expected an object, got %s", type_name(prov));
        leave(&rd, n);
        goto out;
    }
    if (prov && !(r->provenance_json = json_dumps(prov, JSON_PRESERVE_ORDER | JSON_COMPACT))) {
        rc = oom(err);
        goto out;
    }
    /* input */
    json_t *in = get_typed(&rd, root, "input", 0);
    if (!in) {
        rc = MQL_EINPUT;
        goto out;
    }
    size_t b = enter_key(&rd, "input");
    char *delim = NULL;
    rc = get_column(&rd, in, "id_column", 1, &r->id_column);
    if (!rc)
        rc = get_string(&rd, in, "delimiter", 1, 0, &delim);
    if (!rc && strlen(delim) != 1) {
        size_t n = enter_key(&rd, "delimiter");
        rc = bad(&rd, "expected one character, got '%s'", delim);
        leave(&rd, n);
    }
    if (!rc)
        r->delimiter = delim[0];
    free(delim);
    json_t *miss = rc ? NULL : get_typed(&rd, in, "missing_values", 1);
    if (!rc && !miss)
        rc = MQL_EINPUT;
    if (!rc) {
        r->missing_values = calloc(json_array_size(miss) + 1, sizeof *r->missing_values);
        if (!r->missing_values)
            rc = oom(err);
        size_t mb = enter_key(&rd, "missing_values");
        for (size_t i = 0; !rc && i < json_array_size(miss); i++) {
            json_t *s = json_array_get(miss, i);
            if (!json_is_string(s)) {
                size_t n = enter_index(&rd, i);
                rc = bad(&rd, "expected a string, got %s", type_name(s));
                leave(&rd, n);
            } else if (!(r->missing_values[r->nmissing++] = text_dup(json_string_value(s)))) {
                rc = oom(err);
            }
        }
        leave(&rd, mb);
    }
    if (!rc)
        rc = read_joins(&rd, in, r);
    leave(&rd, b);
    if (rc)
        goto out;
    /* scaling */
    json_t *sc = get_typed(&rd, root, "scaling", 0);
    if (!sc) {
        rc = MQL_EINPUT;
        goto out;
    }
    b = enter_key(&rd, "scaling");
    rc = get_string(&rd, sc, "method", 1, 0, &r->scaling_method);
    if (!rc)
        rc = get_number(&rd, sc, "factor", 0, &r->factor);
    if (!rc)
        rc = get_number(&rd, sc, "offset", 0, &r->offset);
    if (!rc)
        rc = get_int(&rd, sc, "base", 1, 0, &r->base, NULL);
    leave(&rd, b);
    if (rc)
        goto out;
    /* attributes */
    json_t *attrs = get_typed(&rd, root, "attributes", 1);
    if (!attrs) {
        rc = MQL_EINPUT;
        goto out;
    }
    size_t na = json_array_size(attrs);
    if (na > RULES_MAX_ATTRS) {
        size_t n = enter_key(&rd, "attributes");
        rc = bad(&rd, "%zu attributes, at most %d", na, RULES_MAX_ATTRS);
        leave(&rd, n);
        goto out;
    }
    r->attrs = calloc(na + 1, sizeof *r->attrs);
    if (!r->attrs) {
        rc = oom(err);
        goto out;
    }
    b = enter_key(&rd, "attributes");
    for (size_t a = 0; a < na && !rc; a++) {
        size_t n = enter_index(&rd, a);
        r->nattrs++;
        rc = read_attr(&rd, json_array_get(attrs, a), &r->attrs[a]);
        for (size_t k = 0; k < a && !rc; k++)
            if (strcmp(r->attrs[k].name, r->attrs[a].name) == 0)
                rc = bad(&rd, "attribute '%s' twice (also attributes[%zu])", r->attrs[a].name, k);
        leave(&rd, n);
    }
    leave(&rd, b);
    if (rc)
        goto out;
    /* disqualifiers */
    json_t *dqs = get_typed(&rd, root, "disqualifiers", 1);
    if (!dqs) {
        rc = MQL_EINPUT;
        goto out;
    }
    r->dq = calloc(json_array_size(dqs) + 1, sizeof *r->dq);
    if (!r->dq) {
        rc = oom(err);
        goto out;
    }
    b = enter_key(&rd, "disqualifiers");
    for (size_t q = 0; q < json_array_size(dqs) && !rc; q++) {
        json_t *o = json_array_get(dqs, q);
        size_t n = enter_index(&rd, q);
        r->ndq++;
        if (!json_is_object(o))
            rc = bad(&rd, "expected an object, got %s", type_name(o));
        if (!rc)
            rc = get_column(&rd, o, "column", 0, &r->dq[q].column);
        if (!rc)
            rc = get_string(&rd, o, "value", 1, 0, &r->dq[q].value);
        leave(&rd, n);
    }
    leave(&rd, b);
    if (rc)
        goto out;
    /* the rule */
    json_t *rule = get_typed(&rd, root, "rule", 0);
    if (!rule) {
        rc = MQL_EINPUT;
        goto out;
    }
    b = enter_key(&rd, "rule");
    rc = get_int(&rd, rule, "threshold", 1, 1, &r->threshold, &r->has_rule);
    if (!rc)
        rc = get_int(&rd, rule, "fit_min", 1, 1, &r->fit_min, &r->has_fit_min);
    leave(&rd, b);
    if (rc)
        goto out;
    /* expected: optional, kept when well formed */
    json_t *x = json_object_get(root, "expected");
    if (x && json_is_object(x)) {
        struct rules_expected *e = &r->expected;
        json_t *v;
        r->has_expected = 1;
        if ((v = json_object_get(x, "period")) && json_is_string(v))
            e->period = text_dup(json_string_value(v));
#define NUM(key, field)                                                                            \
    e->field = (v = json_object_get(x, key)) && json_is_number(v) ? json_number_value(v) : NAN
        NUM("mqls_per_period", mqls_per_period);
        NUM("sqls_per_period", sqls_per_period);
        NUM("conversion", conversion);
        NUM("recall", recall);
        NUM("feasible_share", feasible_share);
#undef NUM
        if ((v = json_object_get(x, "basis")) && json_is_string(v))
            e->basis = text_dup(json_string_value(v));
        e->horizon =
            (v = json_object_get(x, "horizon")) && json_is_integer(v) ? json_integer_value(v) : 0;
#define PAIR(key, lo, hi)                                                                          \
    do {                                                                                           \
        json_t *a = json_object_get(x, key);                                                       \
        e->lo = a && json_is_number(json_array_get(a, 0))                                          \
                    ? json_number_value(json_array_get(a, 0))                                      \
                    : NAN;                                                                         \
        e->hi = a && json_is_number(json_array_get(a, 1))                                          \
                    ? json_number_value(json_array_get(a, 1))                                      \
                    : NAN;                                                                         \
    } while (0)
        PAIR("mqls_per_period_ci", mqls_lo, mqls_hi);
        PAIR("sqls_per_period_ci", sqls_lo, sqls_hi);
#undef PAIR
        e->mqls =
            (v = json_object_get(x, "mqls")) && json_is_integer(v) ? json_integer_value(v) : 0;
        e->sqls =
            (v = json_object_get(x, "sqls")) && json_is_integer(v) ? json_integer_value(v) : 0;
        e->leads =
            (v = json_object_get(x, "leads")) && json_is_integer(v) ? json_integer_value(v) : 0;
        json_t *ci = json_object_get(x, "conversion_ci");
        e->conv_lo = ci && json_is_number(json_array_get(ci, 0))
                         ? json_number_value(json_array_get(ci, 0))
                         : NAN;
        e->conv_hi = ci && json_is_number(json_array_get(ci, 1))
                         ? json_number_value(json_array_get(ci, 1))
                         : NAN;
    }
    rc = rules_compile(r, err);
out:
    free(format);
    json_decref(root);
    if (rc)
        rules_release(r);
    return rc;
}

int rules_load_json(const char *path, struct rules *r, struct mql_err *err)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mql_err_set(err, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s",
                           path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > RULES_MAX_BYTES) {
        fclose(f);
        return mql_err_set(err, MQL_EINPUT, "%s: %lld bytes, over the %d MiB a rule file may have",
                           path, (long long)st.st_size, RULES_MAX_BYTES >> 20);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len > RULES_MAX_BYTES)
            break;
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int ioerr = ferror(f);
    fclose(f);
    if (!buf)
        return oom(err);
    int rc;
    if (ioerr)
        rc = mql_err_set(err, MQL_EIO, "cannot read '%s'", path);
    else if (len > RULES_MAX_BYTES)
        rc = mql_err_set(err, MQL_EINPUT, "%s: over the %d MiB a rule file may have", path,
                         RULES_MAX_BYTES >> 20);
    else
        rc = rules_parse_json(buf, len, path, r, err);
    free(buf);
    return rc;
}

/* ---- scoring ------------------------------------------------------------------------------- */

/* Byte order does not matter to a hash, but head8 must give the same number for the same bytes
 * whichever way it loads them: little-endian numbering throughout. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define htole_u32(x) __builtin_bswap32(x)
#define htole_u64(x) __builtin_bswap64(x)
#else
#define htole_u32(x) (x)
#define htole_u64(x) (x)
#endif

/* The first (up to) 8 bytes of s as a number, zero-padded: no libc call for a short copy. */
static inline uint64_t head8(const char *s, size_t n)
{
    uint64_t w = 0;
    if (n >= 8) {
        memcpy(&w, s, 8);
    } else if (n >= 4) { /* two overlapping 4-byte loads */
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        w = htole_u32(a) | (uint64_t)htole_u32(b) << (8 * (n - 4));
        return w;
    } else if (n) {
        const unsigned char *u = (const unsigned char *)s;
        return (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) |
               (uint64_t)u[n - 1] << (8 * (n - 1));
    }
    return htole_u64(w);
}

/* A hash of the n bytes at s whose head8 is w (values are short: most take one round). */
static inline uint64_t hash_span(const char *s, size_t n, uint64_t w)
{
    uint64_t h = (0x9E3779B97F4A7C15ull ^ n ^ w) * 0xFF51AFD7ED558CCDull;
    for (size_t i = 8; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        h = ((h ^ (h >> 32)) ^ x) * 0xFF51AFD7ED558CCDull;
    }
    if (n > 8 && n % 8)
        h = ((h ^ (h >> 32)) ^ head8(s + n - n % 8, n % 8)) * 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 29);
}

/* The level of the bin holding v: the first whose upper edge is above it (bins are in order
 * and follow each other, so this is the bin [lo, hi) with lo <= v < hi). */
static size_t bin_of(const struct rules_attr *at, double v)
{
    size_t lo = 0, hi = at->nedges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v < at->edge_hi[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < at->nedges ? at->edge_level[lo] : at->missing;
}

int rules_compile(struct rules *r, struct mql_err *err)
{
    /* a score, a fit or an engagement sub-score is a sum of points in an int: each is at
     * most 1e9 in size, but 255 attributes of them are not */
    long long reach = r->base < 0 ? -(long long)r->base : r->base;
    for (size_t a = 0; a < r->nattrs; a++) {
        long long most = 0;
        for (size_t l = 0; l < r->attrs[a].nlevels; l++) {
            long long p = r->attrs[a].levels[l].points;
            most = p > most ? p : -p > most ? -p : most;
        }
        reach += most;
    }
    if (reach > INT_MAX)
        return mql_err_set(err, MQL_EINPUT,
                           "the base and the points could add up to %lld, more than a score can "
                           "hold (%d)",
                           reach, INT_MAX);
    free(r->missing_len);
    free(r->dq_attr);
    free(r->dq_number);
    r->missing_len = calloc(r->nmissing + 1, sizeof *r->missing_len);
    r->dq_attr = calloc(r->ndq + 1, sizeof *r->dq_attr);
    r->dq_number = calloc(r->ndq + 1, sizeof *r->dq_number);
    if (!r->missing_len || !r->dq_attr || !r->dq_number)
        return oom(err);
    r->missing_numeric = 0;
    for (size_t i = 0; i < r->nmissing; i++) {
        double v;
        r->missing_len[i] = strlen(r->missing_values[i]);
        r->missing_numeric |= text_parse_real(r->missing_values[i], r->missing_len[i], &v) == 0;
    }
    for (size_t q = 0; q < r->ndq; q++) {
        r->dq_attr[q] = -1;
        for (size_t a = 0; a < r->nattrs && r->dq_attr[q] < 0; a++)
            if (strcmp(r->attrs[a].name, r->dq[q].column) == 0)
                r->dq_attr[q] = (int)a;
        if (r->dq_attr[q] >= 0 && r->attrs[r->dq_attr[q]].kind != ATTR_CATEGORICAL &&
            text_parse_real(r->dq[q].value, strlen(r->dq[q].value), &r->dq_number[q]))
            return mql_err_set(err, MQL_EINPUT,
                               "disqualifier '%s:%s': '%s' is a %s attribute, so its value must "
                               "be a number",
                               r->dq[q].column, r->dq[q].value, r->dq[q].column,
                               config_kind_name(r->attrs[r->dq_attr[q]].kind));
    }
    for (size_t a = 0; a < r->nattrs; a++) {
        struct rules_attr *at = &r->attrs[a];
        free(at->pts);
        free(at->delta);
        free(at->edge_hi);
        free(at->edge_level);
        at->pts = calloc(at->nlevels + 1, sizeof *at->pts);
        at->delta = calloc(at->nlevels + 1, sizeof *at->delta);
        at->edge_hi = calloc(at->nlevels + 1, sizeof *at->edge_hi);
        at->edge_level = calloc(at->nlevels + 1, sizeof *at->edge_level);
        if (!at->pts || !at->delta || !at->edge_hi || !at->edge_level)
            return oom(err);
        at->nedges = 0;
        for (size_t l = 0; l < at->nlevels; l++) {
            at->pts[l] = at->levels[l].points;
            at->delta[l] = at->levels[l].points - at->levels[at->reference].points;
            if (at->kind != ATTR_CATEGORICAL && !at->levels[l].no_bin) {
                at->edge_hi[at->nedges] = at->levels[l].hi;
                at->edge_level[at->nedges++] = (uint16_t)l;
            }
        }
        if (at->kind == ATTR_COUNT)
            for (int v = 0; v < RULES_SMALL_COUNTS; v++)
                at->small[v] = (uint16_t)bin_of(at, (double)v);
        if (at->kind != ATTR_CATEGORICAL)
            continue;
        size_t nv = r->nmissing;
        for (size_t l = 0; l < at->nlevels; l++)
            nv += at->levels[l].nvalues;
        size_t ns = 16;
        while (ns < 2 * nv + 2)
            ns *= 2;
        free(at->slots);
        at->slots = calloc(ns, sizeof *at->slots);
        at->nslots = ns;
        if (!at->slots)
            return oom(err);
        /* the missing tokens first: they mean missing whatever a level says (as at ingest) */
        for (size_t i = 0; i < r->nmissing; i++) {
            const char *s = r->missing_values[i];
            size_t n = r->missing_len[i], h = hash_span(s, n, head8(s, n)) & (ns - 1);
            while (at->slots[h].level &&
                   !(at->slots[h].len == n && memcmp(at->slots[h].value, s, n) == 0))
                h = (h + 1) & (ns - 1);
            at->slots[h] =
                (struct rules_slot){head8(s, n), (uint32_t)n, (uint32_t)(at->missing + 1), s};
        }
        for (size_t l = 0; l < at->nlevels; l++)
            for (size_t v = 0; v < at->levels[l].nvalues; v++) {
                const char *s = at->levels[l].values[v];
                size_t n = strlen(s);
                size_t h = hash_span(s, n, head8(s, n)) & (ns - 1), dup = 0;
                for (size_t i = 0; i < r->nmissing && !dup; i++)
                    dup = n == r->missing_len[i] && memcmp(s, r->missing_values[i], n) == 0;
                if (dup)
                    continue; /* a missing token: missing wins */
                while (at->slots[h].level) {
                    if (at->slots[h].len == n && memcmp(at->slots[h].value, s, n) == 0)
                        return mql_err_set(err, MQL_EINPUT,
                                           "attribute '%s': value '%s' is in two levels ('%s' "
                                           "and '%s')",
                                           at->name, s, at->levels[at->slots[h].level - 1].label,
                                           at->levels[l].label);
                    h = (h + 1) & (ns - 1);
                }
                at->slots[h] = (struct rules_slot){head8(s, n), (uint32_t)n, (uint32_t)(l + 1), s};
            }
    }
    return 0;
}

/* The level + 1 of the categorical value s (a missing token gives the missing level), or 0
 * when no level lists it. */
static inline size_t probe(const struct rules_attr *at, const char *s, size_t n)
{
    uint64_t w = head8(s, n);
    size_t h = hash_span(s, n, w) & (at->nslots - 1);
    for (const struct rules_slot *sl; (sl = &at->slots[h])->level;) {
        if (sl->head == w && sl->len == n && (n <= 8 || memcmp(sl->value + 8, s + 8, n - 8) == 0))
            return sl->level;
        h = (h + 1) & (at->nslots - 1);
    }
    return 0;
}

static int span_eq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && memcmp(a, b, an) == 0;
}

int rules_bind_header(const struct rules *r, const char *const *names, const size_t *lens,
                      size_t nfields, size_t *cols, struct mql_err *err)
{
    size_t k = 0;
    const char *want = NULL;
    for (size_t i = 0; i < r->nattrs + r->ndq + (r->id_column ? 1 : 0); i++) {
        want = i < r->nattrs            ? r->attrs[i].name
               : i < r->nattrs + r->ndq ? r->dq[i - r->nattrs].column
                                        : r->id_column;
        size_t c = 0;
        for (; c < nfields; c++) {
            const char *s = names[c];
            size_t n = lens[c];
            text_trim_span(&s, &n);
            if (span_eq(s, n, want))
                break;
        }
        if (c == nfields) {
            char near[300] = "";
            text_nearest_names(want, names, lens, nfields, near, sizeof near);
            return mql_err_set(err, MQL_EINPUT,
                               "the header has no column '%s' (the rule file's %s)%s%s%s", want,
                               i < r->nattrs            ? "attribute"
                               : i < r->nattrs + r->ndq ? "disqualifier"
                                                        : "id column",
                               near[0] ? "; nearest: " : "", near,
                               nfields == 1 ? "; the header is one column: is the delimiter the "
                                              "rule file's?"
                                            : "");
        }
        /* a column named twice is refused, as ingest refuses it: which one would count? */
        for (size_t d = c + 1; d < nfields; d++) {
            const char *s = names[d];
            size_t n = lens[d];
            text_trim_span(&s, &n);
            if (span_eq(s, n, want))
                return mql_err_set(err, MQL_EINPUT,
                                   "column '%s' appears twice in the header (fields %zu and %zu)",
                                   want, c + 1, d + 1);
        }
        cols[k++] = c;
    }
    return 0;
}

static int is_missing(const struct rules *r, const char *s, size_t n)
{
    if (n == 0)
        return 1;
    for (size_t i = 0; i < r->nmissing; i++)
        if (r->missing_len[i] == n && memcmp(s, r->missing_values[i], n) == 0)
            return 1;
    return 0;
}

int rules_is_missing(const struct rules *r, const char *s, size_t n)
{
    return is_missing(r, s, n);
}

/* ASCII white space, as text_trim_span trims it */
static inline int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The disqualifier rule (rules_dq_match) on a trimmed value. */
static int dq_hit(const struct rules *r, size_t q, const char *s, size_t n)
{
    if (is_missing(r, s, n))
        return 0;
    if (r->dq_attr[q] >= 0 && r->attrs[r->dq_attr[q]].kind != ATTR_CATEGORICAL) {
        double v;
        return text_parse_number(s, n, &v) == 0 && v == r->dq_number[q];
    }
    return text_ieq_span(r->dq[q].value, s, n);
}

int rules_score(const struct rules *r, const char *const *fields, const size_t *lens,
                const size_t *cols, struct rules_outcome *out, size_t *bad_attr, char *why,
                size_t why_cap)
{
    int score = r->base, fit = 0, eng = 0;
    const char *tv[RULES_MAX_ATTRS]; /* the trimmed values, for the disqualifiers */
    size_t tn[RULES_MAX_ATTRS];
    int dv[RULES_MAX_ATTRS]; /* points above the reference, for the reasons */
    out->nunseen = 0;
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        const char *s = fields[cols[a]];
        size_t n = lens[cols[a]];
        if (n && (is_space(s[0]) || is_space(s[n - 1])))
            text_trim_span(&s, &n);
        tv[a] = s;
        tn[a] = n;
        size_t level;
        if (n == 0) {
            level = at->missing;
        } else if (at->kind == ATTR_CATEGORICAL) {
            /* one probe: the missing tokens are in the table too */
            size_t found = probe(at, s, n);
            level = found ? found - 1 : at->unseen;
            if (!found)
                out->unseen[out->nunseen++] = (uint16_t)a;
        } else if (r->missing_numeric && is_missing(r, s, n)) {
            level = at->missing;
        } else {
            double v;
            int64_t iv;
            if (at->kind == ATTR_COUNT) {
                /* the common count: a few digits, read here; anything else as the ingest does */
                if (n <= 9) {
                    uint32_t u = 0;
                    size_t i = 0;
                    for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
                        u = u * 10 + (uint32_t)(s[i] - '0');
                    if (i == n) {
                        if (u < RULES_SMALL_COUNTS) {
                            out->level[a] = at->small[u];
                            goto points;
                        }
                        v = (double)u;
                        level = bin_of(at, v);
                        goto found;
                    }
                }
                if (text_parse_count(s, n, &iv)) {
                    if (is_missing(r, s, n)) {
                        out->level[a] = (uint16_t)at->missing;
                        goto points;
                    }
                    *bad_attr = a;
                    snprintf(why, why_cap, "column '%s': expected a whole number >= 0, got '%.*s'",
                             at->name, (int)(n > 40 ? 40 : n), s);
                    return -1;
                }
                if (iv < RULES_SMALL_COUNTS) {
                    out->level[a] = at->small[iv];
                    goto points;
                }
                v = (double)iv;
            } else if (text_parse_number(s, n, &v)) {
                if (is_missing(r, s, n)) {
                    out->level[a] = (uint16_t)at->missing;
                    goto points;
                }
                *bad_attr = a;
                snprintf(why, why_cap, "column '%s': expected a number, got '%.*s'", at->name,
                         (int)(n > 40 ? 40 : n), s);
                return -1;
            }
            level = bin_of(at, v);
        }
    found:
        out->level[a] = (uint16_t)level;
    points:;
        int p = at->pts[out->level[a]];
        score += p;
        fit += at->group == GROUP_FIT ? p : 0;
        eng += at->group == GROUP_ENGAGEMENT ? p : 0;
        dv[a] = at->delta[out->level[a]];
    }
    out->score = score;
    out->fit_score = fit;
    out->engagement_score = eng;
    out->disqualifier = -1;
    for (size_t q = 0; q < r->ndq && out->disqualifier < 0; q++) {
        const char *s;
        size_t n;
        if (r->dq_attr[q] >= 0) { /* an attribute's column: already trimmed */
            s = tv[r->dq_attr[q]];
            n = tn[r->dq_attr[q]];
        } else {
            s = fields[cols[r->nattrs + q]];
            n = lens[cols[r->nattrs + q]];
            text_trim_span(&s, &n);
        }
        if (dq_hit(r, q, s, n))
            out->disqualifier = (int)q;
    }
    out->mql = r->has_rule && out->disqualifier < 0 && score >= r->threshold &&
               (!r->has_fit_min || fit >= r->fit_min);
    /* reasons: points above the reference, most first, file order on ties (a later attribute
     * must beat, not equal, an earlier one); the top three kept in registers */
    _Static_assert(RULES_REASONS == 3, "the top three below");
    int d0 = 0, d1 = 0, d2 = 0, a0 = -1, a1 = -1, a2 = -1;
    for (size_t a = 0; a < r->nattrs; a++) {
        /* without branches (the comparisons are data-dependent): replace the third when
         * strictly above it, then bubble up on strictly greater (earlier wins ties) */
        int d = dv[a], t;
        int in = d > d2;
        d2 = in ? d : d2;
        a2 = in ? (int)a : a2;
        int up1 = d2 > d1;
        t = d1;
        d1 = up1 ? d2 : d1;
        d2 = up1 ? t : d2;
        t = a1;
        a1 = up1 ? a2 : a1;
        a2 = up1 ? t : a2;
        int up0 = d1 > d0;
        t = d0;
        d0 = up0 ? d1 : d0;
        d1 = up0 ? t : d1;
        t = a0;
        a0 = up0 ? a1 : a0;
        a1 = up0 ? t : a1;
    }
    out->reason[0] = a0;
    out->reason[1] = a1;
    out->reason[2] = a2;
    out->reason_points[0] = d0;
    out->reason_points[1] = d1;
    out->reason_points[2] = d2;
    return 0;
}

int rules_attr_level(const struct rules *r, size_t a, const char *s, size_t n, size_t *level,
                     int *listed)
{
    const struct rules_attr *at = &r->attrs[a];
    text_trim_span(&s, &n);
    *listed = 1;
    if (n == 0) {
        *level = at->missing;
        return 0;
    }
    if (at->kind == ATTR_CATEGORICAL) {
        size_t found = probe(at, s, n);
        *listed = found != 0;
        *level = found ? found - 1 : at->unseen;
        return 0;
    }
    if (is_missing(r, s, n)) {
        *level = at->missing;
        return 0;
    }
    double v;
    int64_t iv;
    if (at->kind == ATTR_COUNT) {
        if (text_parse_count(s, n, &iv))
            return -1;
        v = (double)iv;
    } else if (text_parse_number(s, n, &v)) {
        return -1;
    }
    *level = bin_of(at, v);
    return 0;
}

int rules_dq_match(const struct rules *r, size_t q, const char *s, size_t n)
{
    text_trim_span(&s, &n);
    return dq_hit(r, q, s, n);
}
