/*
 * data.c: loading the leads of a store into columns in memory for the fit and the stages after
 * it (data.h).
 */
#include "mqlcal/data.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/store.h"
#include "mqlcal/strbuf.h"
#include "mqlcal/text.h"
#include "mqlcal/stats.h"

/* Interning of one categorical column: an open-addressing hash of the distinct values to
 * provisional ids, renumbered in sorted order at the end so that ids do not depend on the
 * order of the rows. */
struct intern {
    char **values;
    size_t n, cap;
    uint32_t *slots; /* provisional id + 1, 0 = empty */
    size_t nslots;
};

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int intern_rehash(struct intern *t, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = hash_str(t->values[i], strlen(t->values[i])) & (nslots - 1);
        while (slots[h])
            h = (h + 1) & (nslots - 1);
        slots[h] = (uint32_t)(i + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

/* Returns the provisional id of s, adding it when new; UINT32_MAX when out of memory. */
static uint32_t intern_get(struct intern *t, const char *s, size_t n)
{
    if (2 * (t->n + 1) > t->nslots && intern_rehash(t, t->nslots ? 2 * t->nslots : 64))
        return UINT32_MAX;
    size_t h = hash_str(s, n) & (t->nslots - 1);
    while (t->slots[h]) {
        const char *v = t->values[t->slots[h] - 1];
        if (strncmp(v, s, n) == 0 && v[n] == '\0')
            return t->slots[h] - 1;
        h = (h + 1) & (t->nslots - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char **v = realloc(t->values, cap * sizeof *v);
        if (!v)
            return UINT32_MAX;
        t->values = v;
        t->cap = cap;
    }
    if (!(t->values[t->n] = text_ndup(s, n)))
        return UINT32_MAX;
    t->slots[h] = (uint32_t)(t->n + 1);
    return (uint32_t)t->n++;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Moves the interned values into col in sorted order and renumbers the row ids. */
static int intern_finish(struct intern *t, struct data_column *col, size_t nrows)
{
    char ***order = malloc((t->n ? t->n : 1) * sizeof *order);
    uint32_t *renum = malloc((t->n ? t->n : 1) * sizeof *renum);
    col->values = malloc((t->n ? t->n : 1) * sizeof *col->values);
    if (!order || !renum || !col->values) {
        free(order);
        free(renum);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++)
        order[i] = &t->values[i];
    qsort(order, t->n, sizeof *order, cmp_str_ptr);
    for (size_t i = 0; i < t->n; i++) {
        size_t old = (size_t)(order[i] - t->values);
        renum[old] = (uint32_t)i;
        col->values[i] = t->values[old];
    }
    col->nvalues = t->n;
    for (size_t r = 0; r < nrows; r++)
        if (col->ids[r] != DATA_MISSING)
            col->ids[r] = renum[col->ids[r]];
    free(order);
    free(renum);
    free(t->values);
    free(t->slots);
    memset(t, 0, sizeof *t);
    return 0;
}

static int init_column(struct data_column *c, const char *name, const struct config_attr *a,
                       int categorical, size_t n)
{
    c->attr = a;
    c->categorical = categorical;
    if (!(c->name = text_dup(name)))
        return -1;
    if (categorical)
        c->ids = malloc((n ? n : 1) * sizeof *c->ids);
    else
        c->num = malloc((n ? n : 1) * sizeof *c->num);
    return (categorical ? (void *)c->ids : (void *)c->num) ? 0 : -1;
}

static void release_column(struct data_column *c)
{
    free(c->name);
    free(c->ids);
    free(c->num);
    for (size_t i = 0; i < c->nvalues; i++)
        free(c->values[i]);
    free(c->values);
}

static int count_rows(sqlite3 *db, size_t *n, struct mql_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT count(*) FROM leads", &st, err);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = mql_err_set(err, MQL_EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

/* The kind the store holds the column as: "categorical", "count", "numeric", "" for a column
 * that is no attribute (text), or NULL when the store lacks it. Kept in buf. */
static const char *stored_kind(sqlite3 *db, const char *name, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    const char *kind = NULL;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(kind, '') FROM columns WHERE name = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            kind = buf;
        }
    }
    sqlite3_finalize(st);
    return kind;
}

/* Loads outcome, dates, lines, ids, the attributes when with_attrs, and the named columns as
 * text (in d->segments). */
/* What load() keeps while it reads the leads table. */
struct loader {
    struct data *d;
    struct data_column **cols; /* attributes, then segments */
    size_t ncols;
    struct intern *tabs;   /* the value ids of each categorical column */
    size_t id_cap, id_len; /* the block of lead ids */
};

/* The data's arrays for d->n leads and the loader's column list. */
static int alloc_data(const struct config *cfg, int with_attrs, size_t nnames, struct loader *L,
                      struct mql_err *err)
{
    struct data *d = L->d;
    d->nattrs = with_attrs ? cfg->nattrs : 0;
    d->nsegments = nnames;
    d->attrs = calloc(d->nattrs ? d->nattrs : 1, sizeof *d->attrs);
    d->segments = calloc(d->nsegments ? d->nsegments : 1, sizeof *d->segments);
    d->lead_id = calloc(d->n, sizeof *d->lead_id);
    d->line = malloc(d->n * sizeof *d->line);
    L->id_cap = 16 * d->n + 16;
    d->id_block = malloc(L->id_cap);
    d->y = malloc(d->n);
    d->known = malloc(d->n);
    d->day = malloc(d->n * sizeof *d->day);
    L->ncols = d->nattrs + d->nsegments;
    L->tabs = calloc(L->ncols ? L->ncols : 1, sizeof *L->tabs);
    L->cols = malloc((L->ncols ? L->ncols : 1) * sizeof *L->cols);
    if (!d->attrs || !d->segments || !d->lead_id || !d->line || !d->id_block || !d->y ||
        !d->known || !d->day || !L->tabs || !L->cols)
        return mql_err_oom(err);
    d->has_dates = cfg->date != NULL;
    return 0;
}

/* The attribute and segment columns, each checked against the store's columns table (present,
 * and of the kind the config says), and the SELECT that reads them into *sql (malloc'd):
 * _id, _outcome, _created, _line, then the columns. */
static int prepare_columns(sqlite3 *db, const struct config *cfg, const char *const *names,
                           struct loader *L, char **sql, struct mql_err *err)
{
    struct data *d = L->d;
    size_t c = 0;
    for (size_t i = 0; i < d->nattrs; i++) {
        const struct config_attr *a = &cfg->attrs[i];
        if (init_column(&d->attrs[i], a->column, a, a->kind == ATTR_CATEGORICAL, d->n))
            return mql_err_oom(err);
        L->cols[c++] = &d->attrs[i];
    }
    for (size_t i = 0; i < d->nsegments; i++) {
        /* a segment that is an attribute shares its values, read as text */
        if (init_column(&d->segments[i], names[i], config_attr_find(cfg, names[i]), 1, d->n))
            return mql_err_oom(err);
        L->cols[c++] = &d->segments[i];
    }
    struct strbuf q = {0};
    strbuf_add(&q, "SELECT _id, _outcome, _created, _line");
    for (size_t i = 0; i < L->ncols; i++) {
        char kind[32];
        const char *stored = stored_kind(db, L->cols[i]->name, kind, sizeof kind);
        const char *want = L->cols[i]->attr ? config_kind_name(L->cols[i]->attr->kind) : NULL;
        int rc = 0;
        if (!stored)
            rc = mql_err_set(err, MQL_EINPUT,
                             "column '%s' is in the config but not in the store: run 'mqlcal "
                             "ingest' again",
                             L->cols[i]->name);
        else if (want && stored[0] && strcmp(want, stored) != 0)
            rc = mql_err_set(err, MQL_EINPUT,
                             "attribute '%s' is %s in the config but was ingested as %s: run "
                             "'mqlcal ingest' again",
                             L->cols[i]->name, want, stored);
        if (rc) {
            free(q.s);
            return rc;
        }
        strbuf_add(&q, ", ");
        strbuf_sql_ident(&q, L->cols[i]->name);
    }
    /* the table's key order: no sort, and the order other tables keyed by _id share */
    strbuf_add(&q, " FROM leads ORDER BY _id");
    if (q.oom) {
        free(q.s);
        return mql_err_oom(err);
    }
    *sql = q.s;
    return 0;
}

/* Lead r from the current row of st. */
static int read_lead(sqlite3_stmt *st, struct loader *L, size_t r, struct mql_err *err)
{
    struct data *d = L->d;
    const char *id = (const char *)sqlite3_column_text(st, 0);
    size_t idn = id ? (size_t)sqlite3_column_bytes(st, 0) : 0;
    if (L->id_len + idn + 1 > L->id_cap) {
        /* grow the block; the pointers are set once it is complete */
        size_t ncap = 2 * (L->id_len + idn + 1);
        char *nb = realloc(d->id_block, ncap);
        if (!nb)
            return mql_err_oom(err);
        d->id_block = nb;
        L->id_cap = ncap;
    }
    memcpy(d->id_block + L->id_len, id ? id : "", idn);
    d->id_block[L->id_len + idn] = '\0';
    d->lead_id[r] = (char *)(uintptr_t)L->id_len; /* an offset until the block is done */
    L->id_len += idn + 1;
    d->line[r] = sqlite3_column_int64(st, 3);
    /* NULL: pending, the outcome is not known yet */
    d->known[r] = sqlite3_column_type(st, 1) != SQLITE_NULL;
    d->y[r] = (unsigned char)(d->known[r] && sqlite3_column_int(st, 1) == 1);
    d->nunknown += !d->known[r];
    int32_t day = INT32_MIN;
    const char *created = (const char *)sqlite3_column_text(st, 2);
    if (created)
        text_parse_date(created, strlen(created), &day);
    d->day[r] = day;
    for (size_t i = 0; i < L->ncols; i++) {
        struct data_column *col = L->cols[i];
        int k = (int)i + 4;
        int type = sqlite3_column_type(st, k);
        if (!col->categorical) {
            col->num[r] = type == SQLITE_NULL ? NAN : sqlite3_column_double(st, k);
        } else if (type == SQLITE_NULL) {
            col->ids[r] = DATA_MISSING;
        } else {
            const char *v = (const char *)sqlite3_column_text(st, k);
            size_t vn = (size_t)sqlite3_column_bytes(st, k);
            uint32_t id2 = intern_get(&L->tabs[i], v ? v : "", v ? vn : 0);
            if (id2 == UINT32_MAX)
                return mql_err_oom(err);
            col->ids[r] = id2;
        }
    }
    return 0;
}

static void loader_release(struct loader *L)
{
    if (L->tabs) {
        for (size_t i = 0; i < L->ncols; i++) {
            for (size_t v = 0; v < L->tabs[i].n; v++)
                free(L->tabs[i].values[v]);
            free(L->tabs[i].values);
            free(L->tabs[i].slots);
        }
        free(L->tabs);
    }
    free(L->cols);
}

static int load(sqlite3 *db, const struct config *cfg, int with_attrs, const char *const *names,
                size_t nnames, struct data *d, struct mql_err *err)
{
    memset(d, 0, sizeof *d);
    sqlite3_stmt *st = NULL;
    char *sql = NULL;
    struct loader L = {d, NULL, 0, NULL, 0, 0};
    int rc = count_rows(db, &d->n, err);
    if (rc)
        return rc;
    if (d->n == 0)
        return mql_err_set(err, MQL_EINPUT, "the store holds no lead: ingest first");
    /* the columns: attributes, then the segments (an attribute that is also a segment is read
     * twice: as its kind, and as text) */
    if (!(rc = alloc_data(cfg, with_attrs, nnames, &L, err)) &&
        !(rc = prepare_columns(db, cfg, names, &L, &sql, err)))
        rc = store_prepare(db, sql, &st, err);
    size_t r = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW && r < d->n)
        if (!(rc = read_lead(st, &L, r, err)))
            r++;
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = mql_err_set(err, MQL_EIO, "store: %s", sqlite3_errmsg(db));
    if (!rc && r != d->n)
        rc = mql_err_set(err, MQL_EIO, "store: expected %zu leads, read %zu", d->n, r);
    for (size_t i = 0; i < r; i++)
        d->lead_id[i] = d->id_block + (uintptr_t)d->lead_id[i];
    for (size_t i = 0; i < L.ncols && !rc; i++)
        if (L.cols[i]->categorical && intern_finish(&L.tabs[i], L.cols[i], d->n))
            rc = mql_err_oom(err);
    sqlite3_finalize(st);
    loader_release(&L);
    free(sql);
    return rc;
}

size_t data_text_columns(const struct config *cfg, char ***names)
{
    size_t cap = cfg->segments.n + cfg->disqualify.n + 1, n = 0;
    char **v = calloc(cap, sizeof *v);
    *names = v;
    if (!v)
        return SIZE_MAX;
    for (size_t i = 0; i < cfg->segments.n + cfg->disqualify.n + 1; i++) {
        char *name;
        if (i < cfg->segments.n) {
            name = text_dup(cfg->segments.items[i]);
        } else if (i < cfg->segments.n + cfg->disqualify.n) {
            const char *col, *val;
            size_t ncol, nval;
            config_dq_item(cfg->disqualify.items[i - cfg->segments.n], &col, &ncol, &val, &nval);
            name = text_ndup(col, ncol);
        } else if (cfg->feedback) {
            name = text_dup(cfg->feedback);
        } else {
            break;
        }
        if (!name) {
            data_free_names(v, n);
            *names = NULL;
            return SIZE_MAX;
        }
        int seen = 0;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(v[j], name) == 0;
        if (seen)
            free(name);
        else
            v[n++] = name;
    }
    return n;
}

void data_free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int data_load(sqlite3 *db, const struct config *cfg, struct data *d, struct mql_err *err)
{
    char **names = NULL;
    size_t n = data_text_columns(cfg, &names);
    if (n == SIZE_MAX) {
        memset(d, 0, sizeof *d);
        return mql_err_oom(err);
    }
    int rc = load(db, cfg, 1, (const char *const *)names, n, d, err);
    data_free_names(names, n);
    return rc;
}

/* ---- the fit's arrays ---------------------------------------------------------------------- */

#define ARRAY_OUTCOME "lead:_outcome"
#define ARRAY_DAY "lead:_day"

/* Stores the value ids of col in the narrowest width that holds them and the missing mark. */
static int save_ids(sqlite3 *db, long long fit_id, const struct data_column *col, size_t n,
                    struct mql_err *err)
{
    char name[600];
    snprintf(name, sizeof name, "text:%s", col->name);
    const char *const *dict = (const char *const *)col->values;
    if (col->nvalues >= UINT16_MAX)
        return store_array_put(db, fit_id, name, STORE_U32, col->ids, n, dict, col->nvalues, err);
    size_t width = col->nvalues < UINT8_MAX ? 1 : 2;
    void *v = malloc(n * width + 1);
    if (!v)
        return mql_err_oom(err);
    if (width == 1)
        for (size_t r = 0; r < n; r++)
            ((uint8_t *)v)[r] = col->ids[r] == DATA_MISSING ? UINT8_MAX : (uint8_t)col->ids[r];
    else
        for (size_t r = 0; r < n; r++)
            ((uint16_t *)v)[r] = col->ids[r] == DATA_MISSING ? UINT16_MAX : (uint16_t)col->ids[r];
    int rc = store_array_put(db, fit_id, name, width == 1 ? STORE_U8 : STORE_U16, v, n, dict,
                             col->nvalues, err);
    free(v);
    return rc;
}

/* A number as the shortest text that reads back to it exactly ("3", "0.1", "1e+20"). */
static void format_exact(double v, char *buf, size_t cap)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, cap, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, cap, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* The values of a count or numeric column as value ids and a dictionary of their exact texts
 * (in numeric order), so that the later stages read every attribute the same way. */
static int numbers_to_ids(const struct data_column *src, size_t n, struct data_column *out)
{
    size_t nslots = 64, nu = 0;
    uint64_t *keys = NULL;
    uint32_t *slot_id = NULL; /* id + 1 per slot, 0 = empty */
    double *uniq = NULL;
    int rc = -1;
    out->ids = malloc((n ? n : 1) * sizeof *out->ids);
    if (!out->ids)
        return -1;
    for (;;) { /* grow the table until the distinct values fill at most half of it */
        free(keys);
        free(slot_id);
        free(uniq);
        keys = malloc(nslots * sizeof *keys);
        slot_id = calloc(nslots, sizeof *slot_id);
        uniq = malloc((nslots / 2 + 1) * sizeof *uniq);
        if (!keys || !slot_id || !uniq)
            goto out;
        nu = 0;
        size_t r = 0;
        for (; r < n; r++) {
            double v = src->num[r];
            if (isnan(v)) {
                out->ids[r] = DATA_MISSING;
                continue;
            }
            if (v == 0)
                v = 0.0; /* -0 and 0 are one value */
            uint64_t k;
            memcpy(&k, &v, sizeof k);
            size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 40) & (nslots - 1);
            while (slot_id[h] && keys[h] != k)
                h = (h + 1) & (nslots - 1);
            if (!slot_id[h]) {
                if (2 * (nu + 1) > nslots)
                    break;
                keys[h] = k;
                uniq[nu] = v;
                slot_id[h] = (uint32_t)++nu;
            }
            out->ids[r] = slot_id[h] - 1;
        }
        if (r == n)
            break;
        nslots *= 2;
    }
    /* renumber in numeric order */
    double *sorted = malloc((nu ? nu : 1) * sizeof *sorted);
    uint32_t *renum = malloc((nu ? nu : 1) * sizeof *renum);
    out->values = calloc(nu ? nu : 1, sizeof *out->values);
    if (!sorted || !renum || !out->values) {
        free(sorted);
        free(renum);
        goto out;
    }
    memcpy(sorted, uniq, nu * sizeof *sorted);
    qsort(sorted, nu, sizeof *sorted, stats_cmp_double);
    for (size_t i = 0; i < nu; i++) {
        double *at = bsearch(&uniq[i], sorted, nu, sizeof *sorted, stats_cmp_double);
        renum[i] = (uint32_t)(at - sorted);
    }
    out->nvalues = nu;
    int ok = 1;
    for (size_t i = 0; i < nu && ok; i++) {
        char buf[40];
        format_exact(sorted[i], buf, sizeof buf);
        ok = (out->values[i] = text_dup(buf)) != NULL;
    }
    for (size_t r = 0; r < n && ok; r++)
        if (out->ids[r] != DATA_MISSING)
            out->ids[r] = renum[out->ids[r]];
    free(sorted);
    free(renum);
    rc = ok ? 0 : -1;
out:
    free(keys);
    free(slot_id);
    free(uniq);
    return rc;
}

static int has_segment(const struct data *d, const char *name)
{
    for (size_t i = 0; i < d->nsegments; i++)
        if (strcmp(d->segments[i].name, name) == 0)
            return 1;
    return 0;
}

int data_save_arrays(sqlite3 *db, long long fit_id, const struct data *d, struct mql_err *err)
{
    /* the outcome in one array: 0, 1, or DATA_UNKNOWN (not known yet) */
    unsigned char *o = malloc(d->n ? d->n : 1);
    if (!o)
        return mql_err_oom(err);
    for (size_t r = 0; r < d->n; r++)
        o[r] = d->known[r] ? d->y[r] : DATA_UNKNOWN;
    int rc = store_array_put(db, fit_id, ARRAY_OUTCOME, STORE_U8, o, d->n, NULL, 0, err);
    free(o);
    if (!rc)
        rc = store_array_put(db, fit_id, ARRAY_DAY, STORE_I32, d->day, d->n, NULL, 0, err);
    for (size_t i = 0; i < d->nsegments && !rc; i++)
        rc = save_ids(db, fit_id, &d->segments[i], d->n, err);
    /* every attribute too, as text (the review scores rule files from them) */
    for (size_t i = 0; i < d->nattrs && !rc; i++) {
        const struct data_column *col = &d->attrs[i];
        if (has_segment(d, col->name))
            continue;
        if (col->categorical) {
            rc = save_ids(db, fit_id, col, d->n, err);
            continue;
        }
        struct data_column tmp = {.name = col->name};
        if (numbers_to_ids(col, d->n, &tmp))
            rc = mql_err_oom(err);
        else
            rc = save_ids(db, fit_id, &tmp, d->n, err);
        tmp.name = NULL;
        release_column(&tmp);
    }
    return rc;
}

static int damaged(struct mql_err *err, const char *name, long long fit_id)
{
    return mql_err_set(err, MQL_EINPUT,
                       "store: the array '%s' of fit %lld does not match the fit's leads: run "
                       "'mqlcal fit' again",
                       name, fit_id);
}

/* Fills col from the array a (value ids and dictionary), checking every id. */
static int ids_from_array(struct store_array *a, struct data_column *col, size_t n,
                          struct mql_err *err, long long fit_id)
{
    if (a->n != n || !a->has_dict || a->type > STORE_U32)
        return damaged(err, col->name, fit_id);
    for (size_t r = 0; r < n; r++) {
        uint32_t v = a->type == STORE_U8    ? ((uint8_t *)a->data)[r]
                     : a->type == STORE_U16 ? ((uint16_t *)a->data)[r]
                                            : ((uint32_t *)a->data)[r];
        uint32_t miss = a->type == STORE_U8    ? UINT8_MAX
                        : a->type == STORE_U16 ? UINT16_MAX
                                               : DATA_MISSING;
        if (v == miss)
            v = DATA_MISSING;
        else if (v >= a->ndict)
            return damaged(err, col->name, fit_id);
        col->ids[r] = v;
    }
    col->values = a->dict; /* moved */
    col->nvalues = a->ndict;
    a->dict = NULL;
    a->ndict = 0;
    return 0;
}

int data_load_arrays(sqlite3 *db, long long fit_id, size_t n, const struct config *cfg,
                     const char *const *names, size_t nnames, struct data *d, struct mql_err *err)
{
    memset(d, 0, sizeof *d);
    struct store_array a;
    struct data rest;
    memset(&rest, 0, sizeof rest);
    const char **missing = NULL;
    size_t nmissing = 0;
    int rc = store_array_get(db, fit_id, ARRAY_OUTCOME, &a, err);
    if (rc)
        return rc;
    if (!a.found) {
        store_array_release(&a);
        return mql_err_set(err, MQL_EINPUT,
                           "the store's latest fit (%lld) kept no columns for the later stages "
                           "(made by an older mqlcal?): run 'mqlcal fit' again",
                           fit_id);
    }
    if (a.n != n || a.type != STORE_U8) {
        store_array_release(&a);
        return damaged(err, ARRAY_OUTCOME, fit_id);
    }
    d->n = n;
    d->y = a.data;
    a.data = NULL;
    store_array_release(&a);
    if (!(d->known = malloc(n ? n : 1)))
        return mql_err_oom(err);
    for (size_t r = 0; r < n; r++) {
        if (d->y[r] > 1 && d->y[r] != DATA_UNKNOWN)
            return damaged(err, ARRAY_OUTCOME, fit_id);
        d->known[r] = d->y[r] != DATA_UNKNOWN;
        d->nunknown += !d->known[r];
        d->y[r] = d->y[r] == 1;
    }
    if ((rc = store_array_take(db, fit_id, ARRAY_DAY, STORE_I32, n, (void **)&d->day, err)))
        return rc;
    d->has_dates = cfg->date != NULL;

    d->nsegments = nnames;
    d->segments = calloc(nnames ? nnames : 1, sizeof *d->segments);
    missing = malloc((nnames ? nnames : 1) * sizeof *missing);
    if (!d->segments || !missing) {
        free(missing);
        return mql_err_oom(err);
    }
    for (size_t i = 0; i < nnames && !rc; i++) {
        struct data_column *col = &d->segments[i];
        if (init_column(col, names[i], config_attr_find(cfg, names[i]), 1, n)) {
            rc = mql_err_oom(err);
            break;
        }
        char name[600];
        snprintf(name, sizeof name, "text:%s", names[i]);
        if ((rc = store_array_get(db, fit_id, name, &a, err)))
            break;
        if (a.found)
            rc = ids_from_array(&a, col, n, err, fit_id);
        else
            missing[nmissing++] = names[i]; /* configured since the fit */
        store_array_release(&a);
    }
    /* the columns configured since the fit: read from the leads, in the same order */
    if (!rc && nmissing) {
        rc = data_load_texts(db, cfg, missing, nmissing, &rest, err);
        if (!rc && rest.n != n)
            rc = mql_err_set(err, MQL_EINPUT,
                             "the store holds %zu leads but its latest fit scored %zu (changed "
                             "since the fit?): run 'mqlcal fit' again",
                             rest.n, n);
        for (size_t i = 0, k = 0; i < nnames && !rc; i++) {
            struct data_column *col = &d->segments[i];
            if (col->values || k >= nmissing || strcmp(col->name, missing[k]) != 0)
                continue;
            struct data_column *src = &rest.segments[k++];
            free(col->ids);
            col->ids = src->ids;
            col->values = src->values;
            col->nvalues = src->nvalues;
            src->ids = NULL;
            src->values = NULL;
            src->nvalues = 0;
        }
    }
    data_release(&rest);
    free(missing);
    return rc;
}

int data_load_texts(sqlite3 *db, const struct config *cfg, const char *const *names, size_t n,
                    struct data *d, struct mql_err *err)
{
    return load(db, cfg, 0, names, n, d, err);
}

void data_release(struct data *d)
{
    if (!d)
        return;
    free(d->lead_id);
    free(d->id_block);
    free(d->line);
    free(d->y);
    free(d->known);
    free(d->day);
    for (size_t i = 0; i < d->nattrs; i++)
        release_column(&d->attrs[i]);
    free(d->attrs);
    for (size_t i = 0; i < d->nsegments; i++)
        release_column(&d->segments[i]);
    free(d->segments);
    memset(d, 0, sizeof *d);
}

const struct data_column *data_attr(const struct data *d, const char *name)
{
    for (size_t i = 0; i < d->nattrs; i++)
        if (strcmp(d->attrs[i].name, name) == 0)
            return &d->attrs[i];
    return NULL;
}
