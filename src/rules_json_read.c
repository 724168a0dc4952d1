/*
 * rules_json_read.c: reading and checking a rules.json into struct rules, every error naming
 * the JSON path (rules.h: rules_parse_json, rules_load_json).
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
    return (*out = text_dup(json_string_value(v))) ? 0 : mql_err_oom(rd->err);
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
        rc = mql_err_oom(rd->err);
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

/* A categorical level's "values": strings. */
static int read_values(struct reader *rd, json_t *lo, struct rules_level *L)
{
    json_t *vs = get_typed(rd, lo, "values", 1);
    if (!vs)
        return MQL_EINPUT;
    int rc = 0;
    size_t vb = enter_key(rd, "values");
    for (size_t v = 0; v < json_array_size(vs) && !rc; v++) {
        json_t *s = json_array_get(vs, v);
        if (!json_is_string(s)) {
            size_t n = enter_index(rd, v);
            rc = bad(rd, "expected a string, got %s", type_name(s));
            leave(rd, n);
        } else if (rules_push_value(L, json_string_value(s))) {
            rc = mql_err_oom(rd->err);
        }
    }
    leave(rd, vb);
    return rc;
}

/* A count or numeric level's bin [lo, hi) (null for minus or plus infinity), or no bin. */
static int read_bin(struct reader *rd, json_t *lo, struct rules_level *L)
{
    L->lo = L->hi = NAN;
    L->no_bin = !json_object_get(lo, "lo") && !json_object_get(lo, "hi");
    if (L->no_bin)
        return 0;
    int rc = get_number(rd, lo, "lo", 1, &L->lo);
    if (!rc)
        rc = get_number(rd, lo, "hi", 1, &L->hi);
    if (isnan(L->lo))
        L->lo = -INFINITY;
    if (isnan(L->hi))
        L->hi = INFINITY;
    if (!rc && !(L->lo < L->hi))
        rc = bad(rd, "empty bin: lo %g is not below hi %g", L->lo, L->hi);
    return rc;
}

/* Level l of attribute a: label (unique), points, and its values or its bin. */
static int read_level(struct reader *rd, json_t *lo, struct rules_attr *a, size_t l)
{
    struct rules_level *L = &a->levels[l];
    if (!json_is_object(lo))
        return bad(rd, "expected an object, got %s", type_name(lo));
    int rc = get_string(rd, lo, "label", 1, 0, &L->label);
    if (!rc)
        rc = get_int(rd, lo, "points", 1, 0, &L->points, NULL);
    for (size_t k = 0; k < l && !rc; k++)
        if (strcmp(a->levels[k].label, L->label) == 0) {
            size_t n = enter_key(rd, "label");
            rc = bad(rd, "duplicate level '%s' (also levels[%zu])", L->label, k);
            leave(rd, n);
        }
    if (rc)
        return rc;
    return a->kind == ATTR_CATEGORICAL ? read_values(rd, lo, L) : read_bin(rd, lo, L);
}

/* The bins of a count or numeric attribute: every level with lo and hi is a bin [lo, hi);
 * together, in order, they cover the line; a level without them can only be the missing
 * level. */
static int check_bins(struct reader *rd, const struct rules_attr *a)
{
    int rc = 0;
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

/* "name", "kind", "group" of an attribute. */
static int read_attr_head(struct reader *rd, json_t *o, struct rules_attr *a)
{
    char *kind = NULL, *group = NULL;
    int rc = get_column(rd, o, "name", 0, &a->name);
    if (!rc)
        rc = get_string(rd, o, "kind", 1, 0, &kind);
    if (!rc && rules_kind_of(kind, &a->kind)) {
        size_t n = enter_key(rd, "kind");
        rc = bad(rd, "unknown attribute kind '%s' (expected categorical, count or numeric)", kind);
        leave(rd, n);
    }
    if (!rc)
        rc = get_string(rd, o, "group", 1, 0, &group);
    if (!rc && rules_group_of(group, &a->group)) {
        size_t n = enter_key(rd, "group");
        rc = bad(rd, "unknown group '%s' (expected fit, engagement or none)", group);
        leave(rd, n);
    }
    free(kind);
    free(group);
    return rc;
}

static int read_attr(struct reader *rd, json_t *o, struct rules_attr *a)
{
    if (!json_is_object(o))
        return bad(rd, "expected an object, got %s", type_name(o));
    int rc = read_attr_head(rd, o, a);
    if (rc)
        return rc;
    json_t *ls = get_typed(rd, o, "levels", 1);
    if (!ls)
        return MQL_EINPUT;
    size_t nl = json_array_size(ls);
    if (nl == 0 || nl > RULES_MAX_LEVELS) {
        size_t n = enter_key(rd, "levels");
        rc = bad(rd, "expected 1 to %d levels, got %zu", RULES_MAX_LEVELS, nl);
        leave(rd, n);
        return rc;
    }
    a->levels = calloc(nl, sizeof *a->levels);
    if (!a->levels)
        return mql_err_oom(rd->err);
    size_t base = enter_key(rd, "levels");
    for (size_t l = 0; l < nl && !rc; l++) {
        a->nlevels++;
        size_t at = enter_index(rd, l);
        rc = read_level(rd, json_array_get(ls, l), a, l);
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
    return check_bins(rd, a);
}

/* "format", "version" and "provenance" (kept as compact JSON text). */
static int read_header(struct reader *rd, json_t *root, struct rules *r)
{
    char *format = NULL;
    int rc = get_string(rd, root, "format", 1, 0, &format);
    if (!rc && strcmp(format, RULES_FORMAT) != 0) {
        size_t n = enter_key(rd, "format");
        rc = bad(rd, "'%s' is not a mqlcal rule file (expected '%s')", format, RULES_FORMAT);
        leave(rd, n);
    }
    free(format);
    if (rc || (rc = get_int(rd, root, "version", 1, 0, &r->version, NULL)))
        return rc;
    if (r->version != RULES_VERSION) {
        size_t n = enter_key(rd, "version");
        rc = bad(rd, "version %d is not supported (this mqlcal reads version %d)", r->version,
                 RULES_VERSION);
        leave(rd, n);
        return rc;
    }
    json_t *prov = json_object_get(root, "provenance");
    if (prov && !json_is_object(prov)) { /* json_dumps would fail, as if out of memory */
        size_t n = enter_key(rd, "provenance");
        rc = bad(rd, "expected an object, got %s", type_name(prov));
        leave(rd, n);
        return rc;
    }
    if (prov && !(r->provenance_json = json_dumps(prov, JSON_PRESERVE_ORDER | JSON_COMPACT)))
        return mql_err_oom(rd->err);
    return 0;
}

/* "input.missing_values": strings. */
static int read_missing(struct reader *rd, json_t *in, struct rules *r)
{
    json_t *miss = get_typed(rd, in, "missing_values", 1);
    if (!miss)
        return MQL_EINPUT;
    r->missing_values = calloc(json_array_size(miss) + 1, sizeof *r->missing_values);
    if (!r->missing_values)
        return mql_err_oom(rd->err);
    int rc = 0;
    size_t mb = enter_key(rd, "missing_values");
    for (size_t i = 0; !rc && i < json_array_size(miss); i++) {
        json_t *s = json_array_get(miss, i);
        if (!json_is_string(s)) {
            size_t n = enter_index(rd, i);
            rc = bad(rd, "expected a string, got %s", type_name(s));
            leave(rd, n);
        } else if (!(r->missing_values[r->nmissing++] = text_dup(json_string_value(s)))) {
            rc = mql_err_oom(rd->err);
        }
    }
    leave(rd, mb);
    return rc;
}

/* "input": the id column, the delimiter, the missing values and the joins. */
static int read_input(struct reader *rd, json_t *root, struct rules *r)
{
    json_t *in = get_typed(rd, root, "input", 0);
    if (!in)
        return MQL_EINPUT;
    size_t b = enter_key(rd, "input");
    char *delim = NULL;
    int rc = get_column(rd, in, "id_column", 1, &r->id_column);
    if (!rc)
        rc = get_string(rd, in, "delimiter", 1, 0, &delim);
    if (!rc && strlen(delim) != 1) {
        size_t n = enter_key(rd, "delimiter");
        rc = bad(rd, "expected one character, got '%s'", delim);
        leave(rd, n);
    }
    if (!rc)
        r->delimiter = delim[0];
    free(delim);
    if (!rc)
        rc = read_missing(rd, in, r);
    if (!rc)
        rc = read_joins(rd, in, r);
    leave(rd, b);
    return rc;
}

/* "scaling": method, factor, offset, base. */
static int read_scaling(struct reader *rd, json_t *root, struct rules *r)
{
    json_t *sc = get_typed(rd, root, "scaling", 0);
    if (!sc)
        return MQL_EINPUT;
    size_t b = enter_key(rd, "scaling");
    int rc = get_string(rd, sc, "method", 1, 0, &r->scaling_method);
    if (!rc)
        rc = get_number(rd, sc, "factor", 0, &r->factor);
    if (!rc)
        rc = get_number(rd, sc, "offset", 0, &r->offset);
    if (!rc)
        rc = get_int(rd, sc, "base", 1, 0, &r->base, NULL);
    leave(rd, b);
    return rc;
}

/* "attributes": each read by read_attr; no name twice. */
static int read_attributes(struct reader *rd, json_t *root, struct rules *r)
{
    json_t *attrs = get_typed(rd, root, "attributes", 1);
    if (!attrs)
        return MQL_EINPUT;
    size_t na = json_array_size(attrs);
    int rc = 0;
    if (na > RULES_MAX_ATTRS) {
        size_t n = enter_key(rd, "attributes");
        rc = bad(rd, "%zu attributes, at most %d", na, RULES_MAX_ATTRS);
        leave(rd, n);
        return rc;
    }
    r->attrs = calloc(na + 1, sizeof *r->attrs);
    if (!r->attrs)
        return mql_err_oom(rd->err);
    size_t b = enter_key(rd, "attributes");
    for (size_t a = 0; a < na && !rc; a++) {
        size_t n = enter_index(rd, a);
        r->nattrs++;
        rc = read_attr(rd, json_array_get(attrs, a), &r->attrs[a]);
        for (size_t k = 0; k < a && !rc; k++)
            if (strcmp(r->attrs[k].name, r->attrs[a].name) == 0)
                rc = bad(rd, "attribute '%s' twice (also attributes[%zu])", r->attrs[a].name, k);
        leave(rd, n);
    }
    leave(rd, b);
    return rc;
}

/* "disqualifiers": objects with a column and a value. */
static int read_disqualifiers(struct reader *rd, json_t *root, struct rules *r)
{
    json_t *dqs = get_typed(rd, root, "disqualifiers", 1);
    if (!dqs)
        return MQL_EINPUT;
    r->dq = calloc(json_array_size(dqs) + 1, sizeof *r->dq);
    if (!r->dq)
        return mql_err_oom(rd->err);
    int rc = 0;
    size_t b = enter_key(rd, "disqualifiers");
    for (size_t q = 0; q < json_array_size(dqs) && !rc; q++) {
        json_t *o = json_array_get(dqs, q);
        size_t n = enter_index(rd, q);
        r->ndq++;
        if (!json_is_object(o))
            rc = bad(rd, "expected an object, got %s", type_name(o));
        if (!rc)
            rc = get_column(rd, o, "column", 0, &r->dq[q].column);
        if (!rc)
            rc = get_string(rd, o, "value", 1, 0, &r->dq[q].value);
        leave(rd, n);
    }
    leave(rd, b);
    return rc;
}

/* "rule": threshold and fit minimum, each a whole number or null. */
static int read_rule(struct reader *rd, json_t *root, struct rules *r)
{
    json_t *rule = get_typed(rd, root, "rule", 0);
    if (!rule)
        return MQL_EINPUT;
    size_t b = enter_key(rd, "rule");
    int rc = get_int(rd, rule, "threshold", 1, 1, &r->threshold, &r->has_rule);
    if (!rc)
        rc = get_int(rd, rule, "fit_min", 1, 1, &r->fit_min, &r->has_fit_min);
    leave(rd, b);
    return rc;
}

/* Member key of x as a number (NaN when absent or not a number), and as a whole number (0). */
static double x_number(json_t *x, const char *key)
{
    json_t *v = json_object_get(x, key);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

static long long x_integer(json_t *x, const char *key)
{
    json_t *v = json_object_get(x, key);
    return v && json_is_integer(v) ? json_integer_value(v) : 0;
}

/* An interval [lo, hi] under key: each NaN when absent or not a number. */
static void x_pair(json_t *x, const char *key, double *lo, double *hi)
{
    json_t *a = json_object_get(x, key);
    json_t *l = a ? json_array_get(a, 0) : NULL, *h = a ? json_array_get(a, 1) : NULL;
    *lo = l && json_is_number(l) ? json_number_value(l) : NAN;
    *hi = h && json_is_number(h) ? json_number_value(h) : NAN;
}

/* "expected": optional, kept when well formed, never an error. */
static void read_expected(json_t *root, struct rules *r)
{
    json_t *x = json_object_get(root, "expected"), *v;
    if (!x || !json_is_object(x))
        return;
    struct rules_expected *e = &r->expected;
    r->has_expected = 1;
    if ((v = json_object_get(x, "period")) && json_is_string(v))
        e->period = text_dup(json_string_value(v));
    e->mqls_per_period = x_number(x, "mqls_per_period");
    e->sqls_per_period = x_number(x, "sqls_per_period");
    e->conversion = x_number(x, "conversion");
    e->recall = x_number(x, "recall");
    e->feasible_share = x_number(x, "feasible_share");
    if ((v = json_object_get(x, "basis")) && json_is_string(v))
        e->basis = text_dup(json_string_value(v));
    e->horizon = x_integer(x, "horizon");
    x_pair(x, "mqls_per_period_ci", &e->mqls_lo, &e->mqls_hi);
    x_pair(x, "sqls_per_period_ci", &e->sqls_lo, &e->sqls_hi);
    e->mqls = x_integer(x, "mqls");
    e->sqls = x_integer(x, "sqls");
    e->leads = x_integer(x, "leads");
    x_pair(x, "conversion_ci", &e->conv_lo, &e->conv_hi);
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
    if (!json_is_object(root))
        rc = bad(&rd, "expected an object, got %s", type_name(root));
    if (!rc && !(rc = read_header(&rd, root, r)) && !(rc = read_input(&rd, root, r)) &&
        !(rc = read_scaling(&rd, root, r)) && !(rc = read_attributes(&rd, root, r)) &&
        !(rc = read_disqualifiers(&rd, root, r)) && !(rc = read_rule(&rd, root, r))) {
        read_expected(root, r);
        rc = rules_compile(r, err);
    }
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
        return mql_err_oom(err);
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
