/* Unit tests for include/mqlcal/store.h. */
#include "testutil.h"

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "mqlcal/fsx.h"
#include "mqlcal/store.h"

/* Runs sql on the database at path (created when missing) with the plain SQLite API. */
static void sql_on(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

/* The first column of the first row of sql, as an int (-1 when there is no row). */
static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void query_text(sqlite3 *db, const char *sql, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, cap, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
}

/* the current version, so that a schema change needs no edit here */
#define STR_(x) #x
#define STR(x) STR_(x)
#define GOOD_STORE_SQL                                                                             \
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"                                         \
    "INSERT INTO meta VALUES('schema_version','" STR(STORE_SCHEMA_VERSION) "');"

/* ---- store_quote_ident ---- */

static void test_quote_ident(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(store_quote_ident("plain", buf, sizeof buf), 7);
    assert_string_equal(buf, "\"plain\"");
    assert_int_equal(store_quote_ident("Lead Source", buf, sizeof buf), 13);
    assert_string_equal(buf, "\"Lead Source\"");
    assert_int_equal(store_quote_ident("a\"b", buf, sizeof buf), 6);
    assert_string_equal(buf, "\"a\"\"b\"");
    assert_int_equal(store_quote_ident("\"", buf, sizeof buf), 4);
    assert_string_equal(buf, "\"\"\"\"");
    assert_int_equal(store_quote_ident("\"\"x\"", buf, sizeof buf), 9);
    assert_string_equal(buf, "\"\"\"\"\"x\"\"\"");
    assert_int_equal(store_quote_ident("", buf, sizeof buf), 2);
    assert_string_equal(buf, "\"\"");
    assert_int_equal(store_quote_ident("caf\xc3\xa9; DROP TABLE x", buf, sizeof buf), 21);
    assert_string_equal(buf, "\"caf\xc3\xa9; DROP TABLE x\"");
}

static void test_quote_ident_small_buffer(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(store_quote_ident("abc", buf, 0), -1);
    assert_int_equal(store_quote_ident("abc", buf, 1), -1);
    assert_int_equal(store_quote_ident("abc", buf, 2), -1);
    assert_int_equal(store_quote_ident("abc", buf, 4), -1);
    assert_int_equal(store_quote_ident("abc", buf, 5), -1);
    assert_int_equal(store_quote_ident("", buf, 2), -1);
    assert_int_equal(store_quote_ident("a\"b", buf, 6), -1);
    assert_int_equal(store_quote_ident("a\"b", buf, 4), -1);
}

/* A buffer of exactly the length + 1 for the NUL is enough. */
static void test_quote_ident_exact_fit(void **state)
{
    (void)state;
    static const char *names[] = {"", "a", "abc", "Lead Source", "\"", "a\"b", "ab\"", "\"\""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char big[64], exact[64];
        int n = store_quote_ident(names[i], big, sizeof big);
        assert_true(n >= 2);
        int m = store_quote_ident(names[i], exact, (size_t)n + 1);
        if (m != n)
            fail_msg("'%s' quoted needs %d bytes + NUL, but a buffer of %d gives %d", names[i], n,
                     n + 1, m);
        assert_string_equal(exact, big);
        assert_int_equal(store_quote_ident(names[i], exact, (size_t)n), -1);
    }
}

/* The quoted name really is one identifier to SQLite. */
static void test_quote_ident_round_trip(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    static const char *names[] = {"plain", "with space", "a\"b", "\"", "x\"); DROP TABLE t; --"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char q[128], sql[512];
        assert_true(store_quote_ident(names[i], q, sizeof q) > 0);
        snprintf(sql, sizeof sql, "CREATE TABLE t(%s INTEGER); INSERT INTO t VALUES(1);", q);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM t", -1, &st, NULL), SQLITE_OK);
        assert_string_equal(sqlite3_column_name(st, 0), names[i]);
        sqlite3_finalize(st);
        assert_int_equal(sqlite3_exec(db, "DROP TABLE t", NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_close(db);
}

/* ---- store_mkdirs ---- */

static void test_mkdirs_nested(void **state)
{
    const char *dir = *state;
    char path[512], deep[600];
    struct mql_err err;
    tu_path(path, sizeof path, dir, "a/b/c");
    assert_int_equal(fsx_mkdirs(path, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    /* again: existing folders are fine */
    assert_int_equal(fsx_mkdirs(path, &err), 0);
    tu_path(path, sizeof path, dir, "a");
    assert_int_equal(fsx_mkdirs(path, &err), 0);
    assert_int_equal(fsx_mkdirs(dir, &err), 0);

    /* trailing and doubled slashes */
    snprintf(deep, sizeof deep, "%s/x//y/z/", dir);
    assert_int_equal(fsx_mkdirs(deep, &err), 0);
    tu_path(path, sizeof path, dir, "x/y/z");
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
}

static void test_mkdirs_file_in_the_way(void **state)
{
    const char *dir = *state;
    char file[512], below[600];
    struct mql_err err;
    tu_write_text(dir, "file", "x", file, sizeof file);

    mql_err_clear(&err);
    assert_int_equal(fsx_mkdirs(file, &err), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    assert_err_contains(&err, file);

    snprintf(below, sizeof below, "%s/sub/deeper", file);
    mql_err_clear(&err);
    assert_int_equal(fsx_mkdirs(below, &err), MQL_EIO);
    assert_err_contains(&err, "file");
}

static void test_mkdirs_bad_name(void **state)
{
    (void)state;
    struct mql_err err;
    assert_int_not_equal(fsx_mkdirs("", &err), 0);
    assert_int_not_equal(err.code, 0);
}

/* ---- store_open ---- */

static void test_open_missing(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "mqlcal.db");
    sqlite3 *db = (sqlite3 *)&db; /* must be reset */
    struct mql_err err;
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_err_contains(&err, path);
    assert_err_contains(&err, "ingest");
    assert_false(tu_exists(path)); /* opening does not create it */
}

static void test_open_not_sqlite(void **state)
{
    const char *dir = *state;
    char path[512], text[4096];
    memset(text, 'z', sizeof text);
    memcpy(text, "id,outcome\n", 11);
    tu_write_file(dir, "mqlcal.db", text, sizeof text, path, sizeof path);
    sqlite3 *db = NULL;
    struct mql_err err;
    int rc = store_open(path, &db, &err);
    assert_true(rc == MQL_EINPUT || rc == MQL_EIO);
    assert_int_equal(err.code, rc);
    assert_null(db);
    assert_err_contains(&err, path);
}

static void test_open_empty_file(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_write_file(dir, "mqlcal.db", "", 0, path, sizeof path);
    sqlite3 *db = NULL;
    struct mql_err err;
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_err_contains(&err, path);
}

static void test_open_no_meta(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "other.db");
    sql_on(path, "CREATE TABLE leads(x INTEGER); INSERT INTO leads VALUES(1);");
    sqlite3 *db = NULL;
    struct mql_err err;
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_err_contains(&err, path);
}

static void test_open_meta_without_version(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "other.db");
    sql_on(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                 "INSERT INTO meta VALUES('created_by','someone');");
    sqlite3 *db = NULL;
    struct mql_err err;
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_err_contains(&err, path);
}

static void test_open_wrong_version(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "old.db");
    sql_on(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                 "INSERT INTO meta VALUES('schema_version','99');");
    sqlite3 *db = NULL;
    struct mql_err err;
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_err_contains(&err, path);
    assert_err_contains(&err, "ingest");

    tu_path(path, sizeof path, dir, "zero.db");
    sql_on(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                 "INSERT INTO meta VALUES('schema_version','1');");
    assert_int_equal(store_open(path, &db, &err), MQL_EINPUT);
    assert_null(db);
}

static void test_open_good(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "mqlcal.db");
    sql_on(path, GOOD_STORE_SQL "CREATE TABLE leads(_id TEXT); INSERT INTO leads VALUES('L1');");
    sqlite3 *db = NULL;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = store_open(path, &db, &err);
    if (rc)
        fail_msg("store_open failed: %s", err.msg);
    assert_non_null(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM leads"), 1);

    /* store_exec and store_prepare on it */
    assert_int_equal(store_exec(db, "INSERT INTO leads VALUES('L2')", &err), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM leads"), 2);
    sqlite3_stmt *st = NULL;
    assert_int_equal(store_prepare(db, "SELECT _id FROM leads ORDER BY _id", &st, &err), 0);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "L1");
    sqlite3_finalize(st);
    store_close(db);
}

static void test_exec_prepare_errors(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(store_exec(db, "SELEKT 1", &err), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    assert_err_contains(&err, "SELEKT");
    mql_err_clear(&err);
    sqlite3_stmt *st = NULL;
    assert_int_equal(store_prepare(db, "SELECT * FROM no_such_table", &st, &err), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    assert_err_contains(&err, "no_such_table");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_close_null(void **state)
{
    (void)state;
    store_close(NULL);
}

/* ---- store_create_bulk and store_replace ---- */

/* Builds a complete store at tmp with a leads table holding n rows. */
static void build_store(const char *tmp, int n)
{
    sqlite3 *db = NULL;
    struct mql_err err;
    mql_err_clear(&err);
    if (store_create_bulk(tmp, &db, &err) != 0)
        fail_msg("store_create_bulk: %s", err.msg);
    assert_non_null(db);
    assert_int_equal(
        store_exec(db, GOOD_STORE_SQL "CREATE TABLE leads(_id TEXT, v INTEGER);", &err), 0);
    char sql[128];
    assert_int_equal(store_exec(db, "BEGIN", &err), 0);
    for (int i = 0; i < n; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO leads VALUES('L%d', %d)", i, i);
        assert_int_equal(store_exec(db, sql, &err), 0);
    }
    assert_int_equal(store_exec(db, "COMMIT", &err), 0);
    store_close(db);
}

static void check_store(const char *path, int n)
{
    sqlite3 *db = NULL;
    struct mql_err err;
    mql_err_clear(&err);
    if (store_open(path, &db, &err) != 0)
        fail_msg("store_open after replace: %s", err.msg);
    char ok[64];
    query_text(db, "PRAGMA integrity_check", ok, sizeof ok);
    assert_string_equal(ok, "ok");
    assert_int_equal(query_int(db, "SELECT count(*) FROM leads"), n);
    assert_int_equal(query_int(db, "SELECT sum(v) FROM leads"), n * (n - 1) / 2);
    store_close(db);
}

static void test_create_bulk(void **state)
{
    const char *dir = *state;
    char path[512];
    /* a file that holds anything is refused and left as it was (issue 13: never overwrite
     * what mqlcal did not write); an empty one (the caller's fresh temporary file) is used */
    tu_write_text(dir, "new.db.tmp", "not a database at all, just text\n", path, sizeof path);
    sqlite3 *db = NULL;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(store_create_bulk(path, &db, &err), MQL_EINPUT);
    assert_null(db);
    assert_err_contains(&err, "not an empty file");
    tu_write_text(dir, "new.db.tmp", "", path, sizeof path);
    if (store_create_bulk(path, &db, &err) != 0)
        fail_msg("store_create_bulk: %s", err.msg);
    assert_non_null(db);
    char mode[32];
    query_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "off");
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 0);
    assert_int_equal(store_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(42);", &err), 0);
    store_close(db);

    /* no journal file was left beside it, and the table is there for a plain reader */
    char side[600];
    snprintf(side, sizeof side, "%s-journal", path);
    assert_false(tu_exists(side));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT x FROM t"), 42);
    sqlite3_close(db);
}

static void test_create_bulk_bad_folder(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_path(path, sizeof path, dir, "no/such/folder/new.db");
    sqlite3 *db = (sqlite3 *)&db;
    struct mql_err err;
    assert_int_equal(store_create_bulk(path, &db, &err), MQL_EIO);
    assert_null(db);
    assert_int_equal(err.code, MQL_EIO);
}

static void test_replace_new(void **state)
{
    const char *dir = *state;
    char tmp[512], path[512];
    tu_path(tmp, sizeof tmp, dir, "mqlcal.db.tmp");
    tu_path(path, sizeof path, dir, "mqlcal.db");
    build_store(tmp, 10);
    struct mql_err err;
    mql_err_clear(&err);
    if (store_replace(tmp, path, &err) != 0)
        fail_msg("store_replace: %s", err.msg);
    assert_false(tu_exists(tmp));
    check_store(path, 10);
}

static void test_replace_old_store(void **state)
{
    const char *dir = *state;
    char tmp[512], path[512];
    tu_path(tmp, sizeof tmp, dir, "mqlcal.db.tmp");
    tu_path(path, sizeof path, dir, "mqlcal.db");
    sql_on(path, GOOD_STORE_SQL "CREATE TABLE old_only(x); CREATE TABLE leads(_id TEXT, v INTEGER);"
                                "INSERT INTO leads VALUES('old', 1000);");
    build_store(tmp, 25);
    struct mql_err err;
    mql_err_clear(&err);
    if (store_replace(tmp, path, &err) != 0)
        fail_msg("store_replace: %s", err.msg);
    assert_false(tu_exists(tmp));
    check_store(path, 25);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'old_only'"),
                     0);
    sqlite3_close(db);
}

static void test_replace_removes_stale_side_files(void **state)
{
    const char *dir = *state;
    char tmp[512], path[512], side[600];
    tu_path(tmp, sizeof tmp, dir, "mqlcal.db.tmp");
    tu_path(path, sizeof path, dir, "mqlcal.db");
    sql_on(path, GOOD_STORE_SQL "CREATE TABLE leads(_id TEXT, v INTEGER);");
    static const char *suffixes[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        FILE *f = fopen(side, "wb");
        assert_non_null(f);
        for (int k = 0; k < 512; k++)
            fputs("stale bytes ", f);
        fclose(f);
    }
    build_store(tmp, 5);
    struct mql_err err;
    mql_err_clear(&err);
    if (store_replace(tmp, path, &err) != 0)
        fail_msg("store_replace: %s", err.msg);
    for (size_t i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        if (tu_exists(side))
            fail_msg("'%s' is still there after store_replace", side);
    }
    check_store(path, 5);
}

/* A writer killed in the middle of a transaction leaves a hot journal beside the old store;
 * it must never be played back into the new file. */
static void test_replace_with_hot_journal(void **state)
{
    const char *dir = *state;
    char tmp[512], path[512], journal[600];
    tu_path(tmp, sizeof tmp, dir, "mqlcal.db.tmp");
    tu_path(path, sizeof path, dir, "mqlcal.db");
    snprintf(journal, sizeof journal, "%s-journal", path);
    sql_on(path,
           GOOD_STORE_SQL "CREATE TABLE leads(_id TEXT, v INTEGER);"
                          "CREATE TABLE filler(b BLOB);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 2000) INSERT INTO filler SELECT randomblob(400) FROM n;");

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = NULL;
        if (sqlite3_open(path, &db) != SQLITE_OK)
            _exit(2);
        /* a tiny cache makes SQLite write changed pages to the file before the commit */
        if (sqlite3_exec(db,
                         "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 5; BEGIN;"
                         "UPDATE filler SET b = randomblob(400);",
                         NULL, NULL, NULL) != SQLITE_OK)
            _exit(3);
        _exit(0); /* no commit, no close: the journal stays hot */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(tu_exists(journal));

    build_store(tmp, 7);
    struct mql_err err;
    mql_err_clear(&err);
    if (store_replace(tmp, path, &err) != 0)
        fail_msg("store_replace: %s", err.msg);
    assert_false(tu_exists(journal));
    assert_false(tu_exists(tmp));
    check_store(path, 7);
}

static void test_replace_missing_tmp(void **state)
{
    const char *dir = *state;
    char tmp[512], path[512];
    tu_path(tmp, sizeof tmp, dir, "nothing.tmp");
    tu_path(path, sizeof path, dir, "mqlcal.db");
    sql_on(path, GOOD_STORE_SQL "CREATE TABLE leads(_id TEXT, v INTEGER);");
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(store_replace(tmp, path, &err), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    assert_err_contains(&err, tmp);
    /* the old store is untouched */
    check_store(path, 0);
}

/* ---- arrays ---- */

static void test_array_round_trip(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct mql_err err;
    mql_err_clear(&err);
    const int32_t scores[5] = {-153, 0, 7, INT32_MAX, INT32_MIN};
    const double p[3] = {0.0, 0.125, 1.0 / 3.0};
    const uint8_t codes[4] = {0, 2, UINT8_MAX, 1};
    const char *const dict[3] = {"a", "", "b c"};
    assert_int_equal(store_array_put(db, 7, "fit:score", STORE_I32, scores, 5, NULL, 0, &err), 0);
    assert_int_equal(store_array_put(db, 7, "fit:p", STORE_F64, p, 3, NULL, 0, &err), 0);
    assert_int_equal(store_array_put(db, 7, "text:x", STORE_U8, codes, 4, dict, 3, &err), 0);
    assert_int_equal(store_array_put(db, 7, "empty", STORE_U16, NULL, 0, NULL, 0, &err), 0);

    struct store_array a;
    assert_int_equal(store_array_get(db, 7, "fit:score", &a, &err), 0);
    assert_true(a.found);
    assert_int_equal(a.type, STORE_I32);
    assert_int_equal(a.n, 5);
    assert_memory_equal(a.data, scores, sizeof scores);
    assert_false(a.has_dict);
    store_array_release(&a);
    /* the blob is little-endian: -153 = 0x67 0xff 0xff 0xff */
    char hex[64];
    query_text(db, "SELECT hex(substr(data, 1, 4)) FROM fit_arrays WHERE name = 'fit:score'", hex,
               sizeof hex);
    assert_string_equal(hex, "67FFFFFF");

    assert_int_equal(store_array_get(db, 7, "fit:p", &a, &err), 0);
    assert_memory_equal(a.data, p, sizeof p); /* bit for bit */
    store_array_release(&a);

    assert_int_equal(store_array_get(db, 7, "text:x", &a, &err), 0);
    assert_int_equal(a.type, STORE_U8);
    assert_memory_equal(a.data, codes, sizeof codes);
    assert_true(a.has_dict);
    assert_int_equal(a.ndict, 3);
    assert_string_equal(a.dict[0], "a");
    assert_string_equal(a.dict[1], "");
    assert_string_equal(a.dict[2], "b c");
    store_array_release(&a);

    assert_int_equal(store_array_get(db, 7, "empty", &a, &err), 0);
    assert_true(a.found);
    assert_int_equal(a.n, 0);
    store_array_release(&a);

    /* another fit, or another name: not found, no error */
    assert_int_equal(store_array_get(db, 8, "fit:score", &a, &err), 0);
    assert_false(a.found);
    assert_int_equal(store_array_get(db, 7, "fit:nothing", &a, &err), 0);
    assert_false(a.found);

    /* only the latest fit keeps its arrays */
    assert_int_equal(store_array_put(db, 8, "fit:score", STORE_I32, scores, 2, NULL, 0, &err), 0);
    assert_int_equal(store_array_keep_only(db, 8, &err), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM fit_arrays"), 1);
    assert_int_equal(query_int(db, "SELECT n FROM fit_arrays WHERE fit_id = 8"), 2);
    sqlite3_close(db);
}

static void test_array_damaged(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct mql_err err;
    mql_err_clear(&err);
    const int32_t v[3] = {1, 2, 3};
    const char *const dict[2] = {"x", "y"};
    assert_int_equal(store_array_put(db, 1, "a", STORE_I32, v, 3, NULL, 0, &err), 0);
    assert_int_equal(store_array_put(db, 1, "d", STORE_U8, "\0\1", 2, dict, 2, &err), 0);
    struct store_array a;
    /* a blob one byte short */
    assert_int_equal(
        sqlite3_exec(db, "UPDATE fit_arrays SET data = substr(data, 1, 11) WHERE name = 'a'", NULL,
                     NULL, NULL),
        SQLITE_OK);
    assert_int_equal(store_array_get(db, 1, "a", &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "'a' of fit 1 is damaged (type i32, 3 elements, 11 bytes)");
    assert_null(a.data);
    /* an unknown type */
    mql_err_clear(&err);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE fit_arrays SET type = 'i128' WHERE name = 'a'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(store_array_get(db, 1, "a", &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "type i128");
    /* a dictionary without its last NUL */
    mql_err_clear(&err);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE fit_arrays SET dict = CAST('x' AS BLOB) WHERE name = 'd'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_array_get(db, 1, "d", &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "dictionary of fit_arrays row 'd' of fit 1 is damaged");
    assert_null(a.dict);
    sqlite3_close(db);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_dir, tu_teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_ident),
        cmocka_unit_test(test_quote_ident_small_buffer),
        cmocka_unit_test(test_quote_ident_exact_fit),
        cmocka_unit_test(test_quote_ident_round_trip),
        T(test_mkdirs_nested),
        T(test_mkdirs_file_in_the_way),
        cmocka_unit_test(test_mkdirs_bad_name),
        T(test_open_missing),
        T(test_open_not_sqlite),
        T(test_open_empty_file),
        T(test_open_no_meta),
        T(test_open_meta_without_version),
        T(test_open_wrong_version),
        T(test_open_good),
        cmocka_unit_test(test_exec_prepare_errors),
        cmocka_unit_test(test_close_null),
        T(test_create_bulk),
        T(test_create_bulk_bad_folder),
        T(test_replace_new),
        T(test_replace_old_store),
        T(test_replace_removes_stale_side_files),
        T(test_replace_with_hot_journal),
        T(test_replace_missing_tmp),
        cmocka_unit_test(test_array_round_trip),
        cmocka_unit_test(test_array_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
