/*
 * store.c: the SQLite store: opening, creating and replacing it, statements, per-lead arrays as
 * blobs, and small query results read back by column name (store.h).
 */
#include "mqlcal/schema.h"
#include "mqlcal/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mqlcal/fsx.h"
#include "mqlcal/text.h"

/* mqlcal uses SQLite from one thread only, so SQLite's mutexes (taken on every allocation and
 * page fetch) are pure cost. This only works before SQLite initialises, so each store entry
 * point calls it first; later calls are no-ops. */
static void global_config(void)
{
    static int done;
    if (!done) {
        sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        done = 1;
    }
}

/* Every connection: a double-quoted name that is no column is an error, never a string (SQLite
 * otherwise reads "lead_id" as the text 'lead_id' when the store has no such column). */
static void strict_names(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
}

static int sqlite_fail(sqlite3 *db, struct mql_err *err, const char *what)
{
    return mql_err_set(err, MQL_EIO, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

int store_exec(sqlite3 *db, const char *sql, struct mql_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mql_err_set(err, MQL_EIO, "store: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return MQL_EIO;
    }
    return 0;
}

int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct mql_err *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return sqlite_fail(db, err, "store: prepare");
    return 0;
}

int store_quote_ident(const char *name, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap < 3)
        return -1;
    buf[n++] = '"';
    for (const char *p = name; *p; p++) {
        /* room for this character (twice if a quote), the closing quote and the NUL */
        if (n + (*p == '"' ? 2 : 1) + 2 > cap)
            return -1;
        if (*p == '"')
            buf[n++] = '"';
        buf[n++] = *p;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return (int)n;
}

int store_open(const char *path, sqlite3 **db, struct mql_err *err)
{
    global_config();
    *db = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return mql_err_set(err, MQL_EINPUT, "no store at '%s': run 'mqlcal ingest' first", path);
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        int rc = sqlite_fail(*db, err, path);
        store_close(*db);
        *db = NULL;
        return rc;
    }
    strict_names(*db);
    sqlite3_busy_timeout(*db, 5000);
    sqlite3_stmt *st_v = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(*db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st_v,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st_v) != SQLITE_ROW) {
        rc = mql_err_set(err, MQL_EINPUT, "'%s' is not an mqlcal store: %s", path,
                         sqlite3_errmsg(*db));
    } else if (sqlite3_column_int(st_v, 0) != STORE_SCHEMA_VERSION) {
        rc = mql_err_set(err, MQL_EINPUT,
                         "store '%s' has schema version %d, this mqlcal needs %d: run 'mqlcal "
                         "ingest' again",
                         path, sqlite3_column_int(st_v, 0), STORE_SCHEMA_VERSION);
    }
    sqlite3_finalize(st_v);
    if (rc) {
        store_close(*db);
        *db = NULL;
    }
    return rc;
}

int store_create_bulk(const char *path, sqlite3 **db, struct mql_err *err)
{
    global_config();
    *db = NULL;
    struct stat st;
    if (lstat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size != 0))
        return mql_err_set(err, MQL_EINPUT,
                           "'%s' exists and is not an empty file: mqlcal builds a store only in a "
                           "new file",
                           path);
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        int rc = sqlite_fail(*db, err, path);
        store_close(*db);
        *db = NULL;
        return rc;
    }
    strict_names(*db);
    /* Safe without a journal: the file is private until store_replace renames it into place,
     * and a crash before that leaves only a temporary file behind. */
    int rc = store_exec(*db,
                        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -8192;"
                        "PRAGMA temp_store = FILE; PRAGMA page_size = 16384;",
                        err);
    if (rc) {
        store_close(*db);
        *db = NULL;
    }
    return rc;
}

static int fsync_path(const char *path, int is_dir, struct mql_err *err)
{
    int fd = open(path, is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return mql_err_set(err, MQL_EIO, "cannot open '%s': %s", path, strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0 && !(is_dir && (errno == EINVAL || errno == EROFS)))
        rc = mql_err_set(err, MQL_EIO, "cannot sync '%s': %s", path, strerror(errno));
    close(fd);
    return rc;
}

int store_check_target(const char *path, struct mql_err *err)
{
    int rc = fsx_check_output(path, err);
    struct stat st;
    if (rc || lstat(path, &st) != 0)
        return rc;
    global_config();
    char head[16] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    int ours = 0;
    if (got == sizeof head && memcmp(head, "SQLite format 3", 16) == 0) {
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        /* read-write: a hot journal a killed writer left is rolled back, as a reader would */
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'schema_version'", -1, &q,
                               NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            ours = 1;
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    if (!ours)
        return mql_err_set(err, MQL_EINPUT,
                           "'%s' exists and is not an mqlcal store: mqlcal will not replace it; "
                           "choose another --db or move the file away",
                           path);
    return 0;
}

int store_replace(const char *tmp_path, const char *path, struct mql_err *err)
{
    /* the check opens and reads an old store read-write, which rolls back a hot journal a
     * killed writer left, so that it is gone before the new file takes the name */
    int rc = store_check_target(path, err);
    if (rc || (rc = fsync_path(tmp_path, 0, err)))
        return rc;
    char side[4096];
    static const char *suffixes[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        if (unlink(side) != 0 && errno != ENOENT)
            return mql_err_set(err, MQL_EIO, "cannot remove '%s': %s", side, strerror(errno));
    }
    if (rename(tmp_path, path) != 0)
        return mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", tmp_path, path,
                           strerror(errno));
    char *dir = text_dup(path);
    if (!dir)
        return mql_err_oom(err);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    rc = fsync_path(dir, 1, err);
    free(dir);
    return rc;
}

void store_close(sqlite3 *db)
{
    if (db)
        sqlite3_close_v2(db);
}

void store_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int store_step_done(sqlite3 *db, sqlite3_stmt *st, struct mql_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : mql_err_set(err, MQL_EIO, "store: %s", sqlite3_errmsg(db));
}

/* ---- arrays -------------------------------------------------------------------------------- */

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Reverses each elem-byte element of p[0..n) in place (for a big-endian host). */
static void swap_bytes(unsigned char *p, size_t elem, size_t n)
{
    for (size_t i = 0; i < n; i++, p += elem)
        for (size_t a = 0, b = elem - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

static size_t array_elem(enum store_array_type t)
{
    static const size_t sizes[] = {1, 2, 4, 4, 8, 8};
    return sizes[t];
}

static const char *const array_type_names[] = {"u8", "u16", "u32", "i32", "i64", "f64"};

int store_array_put(sqlite3 *db, long long fit_id, const char *name, enum store_array_type type,
                    const void *data, size_t n, const char *const *dict, size_t ndict,
                    struct mql_err *err)
{
    int rc = schema_create_table(db, "fit_arrays", err);
    if (rc)
        return rc;
    size_t elem = array_elem(type), bytes = elem * n;
    unsigned char *copy = NULL;
    if (!host_is_little_endian() && elem > 1) {
        if (!(copy = malloc(bytes ? bytes : 1)))
            return mql_err_oom(err);
        memcpy(copy, data, bytes);
        swap_bytes(copy, elem, n);
        data = copy;
    }
    char *block = NULL;
    size_t dict_len = 0;
    if (dict) {
        for (size_t i = 0; i < ndict; i++)
            dict_len += strlen(dict[i]) + 1;
        if (!(block = malloc(dict_len ? dict_len : 1))) {
            free(copy);
            return mql_err_oom(err);
        }
        for (size_t i = 0, at = 0; i < ndict; i++) {
            size_t len = strlen(dict[i]) + 1;
            memcpy(block + at, dict[i], len);
            at += len;
        }
    }
    struct schema_row w;
    rc = schema_row_replace(&w, db, "fit_arrays", err);
    if (!rc) {
        schema_put_int(&w, fit_id);
        schema_put_text(&w, name);
        schema_put_text(&w, array_type_names[type]);
        schema_put_int(&w, (long long)n);
        schema_put_blob(&w, bytes ? data : "", bytes);
        if (dict)
            schema_put_blob(&w, dict_len ? block : "", dict_len);
        else
            schema_put_null(&w);
        rc = schema_row_end(&w);
    }
    schema_row_close(&w);
    free(copy);
    free(block);
    return rc;
}

int store_array_get(sqlite3 *db, long long fit_id, const char *name, struct store_array *a,
                    struct mql_err *err)
{
    memset(a, 0, sizeof *a);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            db, "SELECT type, n, data, dict FROM fit_arrays WHERE fit_id = ? AND name = ?", -1, &st,
            NULL) != SQLITE_OK) {
        /* an older fit, or none: no table */
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_bind_int64(st, 1, fit_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        sqlite3_int64 n = sqlite3_column_int64(st, 1);
        int t = -1;
        for (int i = 0; i < (int)ARRAY_SIZE(array_type_names); i++)
            if (type && strcmp(type, array_type_names[i]) == 0)
                t = i;
        const void *blob = sqlite3_column_blob(st, 2);
        size_t bytes = (size_t)sqlite3_column_bytes(st, 2);
        if (t < 0 || n < 0 || bytes != (size_t)n * array_elem((enum store_array_type)t)) {
            rc = mql_err_set(err, MQL_EINPUT,
                             "store: fit_arrays row '%s' of fit %lld is damaged (type %s, %lld "
                             "elements, %zu bytes): run 'mqlcal fit' again",
                             name, fit_id, type ? type : "NULL", (long long)n, bytes);
            goto out;
        }
        a->type = (enum store_array_type)t;
        a->n = (size_t)n;
        a->data = malloc(bytes ? bytes : 1);
        if (!a->data) {
            rc = mql_err_oom(err);
            goto out;
        }
        if (bytes)
            memcpy(a->data, blob, bytes);
        if (!host_is_little_endian())
            swap_bytes(a->data, array_elem(a->type), a->n);
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            const char *dict = sqlite3_column_blob(st, 3);
            size_t len = (size_t)sqlite3_column_bytes(st, 3);
            if (len && dict[len - 1] != '\0') {
                rc = mql_err_set(err, MQL_EINPUT,
                                 "store: the dictionary of fit_arrays row '%s' of fit %lld is "
                                 "damaged: run 'mqlcal fit' again",
                                 name, fit_id);
                goto out;
            }
            size_t count = 0;
            for (size_t i = 0; i < len; i++)
                count += dict[i] == '\0';
            a->dict = calloc(count ? count : 1, sizeof *a->dict);
            if (!a->dict) {
                rc = mql_err_oom(err);
                goto out;
            }
            for (size_t i = 0, at = 0; i < count; i++) {
                size_t l = strlen(dict + at);
                if (!(a->dict[i] = text_ndup(dict + at, l))) {
                    a->ndict = i;
                    rc = mql_err_oom(err);
                    goto out;
                }
                at += l + 1;
            }
            a->ndict = count;
            a->has_dict = 1;
        }
        a->found = 1;
    } else if (step != SQLITE_DONE) {
        rc = sqlite_fail(db, err, "store");
    }
out:
    sqlite3_finalize(st);
    if (rc)
        store_array_release(a);
    return rc;
}

void store_array_release(struct store_array *a)
{
    if (!a)
        return;
    free(a->data);
    for (size_t i = 0; i < a->ndict; i++)
        free(a->dict[i]);
    free(a->dict);
    memset(a, 0, sizeof *a);
}

int store_array_keep_only(sqlite3 *db, long long fit_id, struct mql_err *err)
{
    int rc = schema_create_table(db, "fit_arrays", err);
    sqlite3_stmt *st = NULL;
    if (rc || (rc = store_prepare(db, "DELETE FROM fit_arrays WHERE fit_id <> ?", &st, err)))
        return rc;
    sqlite3_bind_int64(st, 1, fit_id);
    rc = store_step_done(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- small query results ------------------------------------------------------------------- */

int store_table_read(sqlite3 *db, const char *sql, struct store_table *t, struct mql_err *err)
{
    memset(t, 0, sizeof *t);
    if (!(t->miss = calloc(1, sizeof *t->miss)))
        return mql_err_oom(err);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    t->ncols = (size_t)sqlite3_column_count(st);
    t->names = calloc(t->ncols ? t->ncols : 1, sizeof *t->names);
    if (!t->names) {
        sqlite3_finalize(st);
        return mql_err_oom(err);
    }
    for (size_t c = 0; c < t->ncols && !rc; c++)
        if (!(t->names[c] = text_dup(sqlite3_column_name(st, (int)c))))
            rc = mql_err_oom(err);
    size_t cap = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (t->nrows == cap) {
            cap = cap ? 2 * cap : 16;
            double *num = realloc(t->num, cap * t->ncols * sizeof *num + 1);
            if (num)
                t->num = num;
            char **text = realloc(t->text, cap * t->ncols * sizeof *text + 1);
            if (text)
                t->text = text;
            if (!num || !text) {
                rc = mql_err_oom(err);
                break;
            }
        }
        for (size_t c = 0; c < t->ncols; c++) {
            size_t k = t->nrows * t->ncols + c;
            int type = sqlite3_column_type(st, (int)c);
            t->num[k] = type == SQLITE_NULL ? NAN : sqlite3_column_double(st, (int)c);
            t->text[k] = NULL;
            if (type == SQLITE_TEXT) {
                const char *s = (const char *)sqlite3_column_text(st, (int)c);
                if (!(t->text[k] = text_dup(s ? s : "")))
                    rc = mql_err_oom(err);
            }
        }
        t->nrows++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sqlite_fail(db, err, "store");
    sqlite3_finalize(st);
    if (rc)
        store_table_release(t);
    return rc;
}

int store_table_read_all(sqlite3 *db, const char *table, const char *tail, int optional,
                         struct store_table *t, struct mql_err *err)
{
    const struct schema_table *decl = schema_find(table);
    if (!decl) {
        memset(t, 0, sizeof *t);
        return mql_err_set(err, MQL_EIO, "internal: the schema declares no table '%s'", table);
    }
    if (optional && !store_table_exists(db, table)) {
        memset(t, 0, sizeof *t);
        t->miss = calloc(1, sizeof *t->miss);
        t->names = calloc(decl->ncols + 1, sizeof *t->names);
        if (!t->miss || !t->names)
            return mql_err_oom(err);
        for (size_t c = 0; c < decl->ncols; c++, t->ncols++)
            if (!(t->names[c] = text_dup(decl->cols[c].name)))
                return mql_err_oom(err);
        return 0;
    }
    char q[1024];
    if (snprintf(q, sizeof q, "SELECT * FROM %s%s", table, tail ? tail : "") >= (int)sizeof q)
        return mql_err_set(err, MQL_EIO, "internal: the query of '%s' is too long", table);
    int rc = store_table_read(db, q, t, err);
    if (!rc)
        rc = schema_check_result(decl, t->names, t->ncols, err);
    return rc;
}

size_t store_table_col(const struct store_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    if (t->miss && !t->miss->name[0])
        snprintf(t->miss->name, sizeof t->miss->name, "%s", name);
    return SIZE_MAX;
}

int store_table_check(const struct store_table *t, const char *what, struct mql_err *err)
{
    if (t->miss && t->miss->name[0])
        return mql_err_set(err, MQL_EIO,
                           "internal: %s asked for column '%s', which its query does not give "
                           "(schema.h declares the store's columns)",
                           what, t->miss->name);
    return 0;
}

double store_table_num(const struct store_table *t, size_t row, const char *name)
{
    size_t c = store_table_col(t, name);
    return c == SIZE_MAX || row >= t->nrows ? NAN : t->num[row * t->ncols + c];
}

const char *store_table_text(const struct store_table *t, size_t row, const char *name)
{
    size_t c = store_table_col(t, name);
    return c == SIZE_MAX || row >= t->nrows ? NULL : t->text[row * t->ncols + c];
}

void store_table_release(struct store_table *t)
{
    if (!t)
        return;
    if (t->text)
        for (size_t i = 0; i < t->nrows * t->ncols; i++)
            free(t->text[i]);
    free(t->text);
    free(t->num);
    if (t->names)
        for (size_t c = 0; c < t->ncols; c++)
            free(t->names[c]);
    free(t->names);
    free(t->miss);
    memset(t, 0, sizeof *t);
}

int store_array_take(sqlite3 *db, long long fit_id, const char *name, enum store_array_type type,
                     size_t n, void **dst, struct mql_err *err)
{
    struct store_array a;
    int rc = store_array_get(db, fit_id, name, &a, err);
    if (rc)
        return rc;
    if (!a.found || a.type != type || a.n != n) {
        rc = mql_err_set(err, MQL_EINPUT,
                         "store: the array '%s' of fit %lld is missing or does not match its "
                         "%zu leads: run 'mqlcal fit' again",
                         name, fit_id, n);
    } else {
        free(*dst);
        *dst = a.data;
        a.data = NULL;
    }
    store_array_release(&a);
    return rc;
}

int store_table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}
