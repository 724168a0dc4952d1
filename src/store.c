#include "mqlcal/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    if (unlink(path) != 0 && errno != ENOENT)
        return mql_err_set(err, MQL_EIO, "cannot remove '%s': %s", path, strerror(errno));
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        int rc = sqlite_fail(*db, err, path);
        store_close(*db);
        *db = NULL;
        return rc;
    }
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

int store_replace(const char *tmp_path, const char *path, struct mql_err *err)
{
    int rc = fsync_path(tmp_path, 0, err);
    if (rc)
        return rc;
    struct stat st;
    if (stat(path, &st) == 0) {
        /* Opening and reading the old store rolls back a hot journal that a killed writer left,
         * so that it is gone before the new file takes the name. */
        sqlite3 *old = NULL;
        if (sqlite3_open_v2(path, &old, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
            sqlite3_exec(old, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
        sqlite3_close(old);
    }
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
        return mql_err_set(err, MQL_EIO, "out of memory");
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

int store_mkdirs(const char *path, struct mql_err *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return mql_err_set(err, MQL_EIO, "bad folder name '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return mql_err_set(err, MQL_EIO, "cannot create folder '%s': %s", buf, strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return mql_err_set(err, MQL_EIO, "'%s' is not a folder", path);
    return 0;
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

void store_now_iso(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double store_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
