/*
 * Unit tests for schema.h and the checked reads of store.h: every declared table can be
 * created and has the declared columns; the row writer refuses a row with a value missing,
 * extra or of the wrong type; a read of a column the schema does not declare is an error, and
 * a stored table that lacks a declared column is refused; docs/store.md names every column of
 * every table.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "mqlcal/schema.h"
#include "mqlcal/store.h"

static sqlite3 *memdb(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    return db;
}

/* Each table's CREATE runs, and SQLite reports the declared names and types in order. */
static void test_create_all(void **state)
{
    (void)state;
    sqlite3 *db = memdb();
    struct mql_err err;
    assert_true(schema_count() >= 38);
    for (size_t i = 0; i < schema_count(); i++) {
        const struct schema_table *t = schema_at(i);
        assert_int_equal(schema_create_table(db, t->name, &err), 0);
        char q[256];
        snprintf(q, sizeof q, "SELECT name, type FROM pragma_table_info('%s') ORDER BY cid",
                 t->name);
        struct store_table r;
        assert_int_equal(store_table_read(db, q, &r, &err), 0);
        assert_int_equal(r.nrows, t->ncols);
        for (size_t c = 0; c < t->ncols; c++) {
            assert_string_equal(store_table_text(&r, c, "name"), t->cols[c].name);
            assert_string_equal(store_table_text(&r, c, "type"), schema_type_name(t->cols[c].type));
        }
        assert_int_equal(store_table_check(&r, "the test", &err), 0);
        store_table_release(&r);
        assert_ptr_equal(schema_find(t->name), t);
    }
    assert_null(schema_find("no_such_table"));
    assert_int_equal(schema_create(db, "no_such_stage", &err), MQL_EIO);
    assert_err_contains(&err, "no_such_stage");
    sqlite3_close(db);
}

/* A stage's name creates all of its tables but the open-ended leads. */
static void test_create_stage(void **state)
{
    (void)state;
    sqlite3 *db = memdb();
    struct mql_err err;
    assert_int_equal(schema_create(db, "ingest", &err), 0);
    assert_true(store_table_exists(db, "loads") && store_table_exists(db, "rejects"));
    assert_false(store_table_exists(db, "leads"));
    assert_false(store_table_exists(db, "fits"));
    /* a stage and a table may share a name: the stage makes all of its tables */
    assert_int_equal(schema_create(db, "maturity", &err), 0);
    assert_true(store_table_exists(db, "maturity_curve") &&
                store_table_exists(db, "maturity_periods"));
    char *sql = schema_create_sql(schema_find("leads"), "\"channel\" TEXT");
    assert_non_null(strstr(sql, "_maturity TEXT, \"channel\" TEXT) STRICT, WITHOUT ROWID"));
    free(sql);
    sqlite3_close(db);
}

/* The writer: a whole row goes in; a short row, a long row and a real into an INTEGER column
 * are internal errors naming the table and the column, and nothing is inserted. */
static void test_row_writer(void **state)
{
    (void)state;
    sqlite3 *db = memdb();
    struct mql_err err;
    assert_int_equal(schema_create_table(db, "fit_histogram", &err), 0);
    struct schema_row w;
    assert_int_equal(schema_row_open(&w, db, "fit_histogram", &err), 0);
    schema_put_int(&w, 1);
    schema_put_text(&w, "training");
    schema_put_int(&w, 42);
    schema_put_int(&w, 10);
    schema_put_int(&w, 3);
    assert_int_equal(schema_row_end(&w), 0);
    schema_row_close(&w);

    assert_int_equal(schema_row_open(&w, db, "fit_histogram", &err), 0);
    schema_put_int(&w, 1);
    schema_put_text(&w, "training");
    assert_int_equal(schema_row_end(&w), MQL_EIO);
    assert_err_contains(&err, "'score' unfilled");
    schema_row_close(&w);

    assert_int_equal(schema_row_open(&w, db, "fit_histogram", &err), 0);
    for (int i = 0; i < 6; i++)
        schema_put_int(&w, i);
    assert_int_equal(schema_row_end(&w), MQL_EIO);
    assert_err_contains(&err, "more than its 5 columns");
    schema_row_close(&w);

    assert_int_equal(schema_row_open(&w, db, "fit_histogram", &err), 0);
    schema_put_int(&w, 1);
    schema_put_text(&w, "holdout");
    schema_put_real(&w, 2.5); /* score is INTEGER */
    schema_put_int(&w, 1);
    schema_put_int(&w, 1);
    assert_int_equal(schema_row_end(&w), MQL_EIO);
    assert_err_contains(&err, "column 'score' of 'fit_histogram' is INTEGER, given a REAL");
    schema_row_close(&w);

    /* NaN is NULL; NULL text is NULL */
    assert_int_equal(schema_create_table(db, "fit_metrics", &err), 0);
    assert_int_equal(schema_row_open(&w, db, "fit_metrics", &err), 0);
    schema_put_int(&w, 1);
    schema_put_text(&w, "holdout");
    schema_put_text(&w, "auc");
    schema_put_real(&w, NAN);
    schema_put_null(&w);
    schema_put_opt_int(&w, 0, 7);
    assert_int_equal(schema_row_end(&w), 0);
    schema_row_close(&w);

    assert_int_equal(schema_row_open(&w, db, "no_such_table", &err), MQL_EIO);
    schema_row_close(&w);

    struct store_table t;
    assert_int_equal(store_table_read_all(db, "fit_histogram", NULL, 0, &t, &err), 0);
    assert_int_equal(t.nrows, 1);
    assert_near(store_table_num(&t, 0, "score"), 42, 0);
    store_table_release(&t);
    assert_int_equal(store_table_read_all(db, "fit_metrics", NULL, 0, &t, &err), 0);
    assert_true(isnan(store_table_num(&t, 0, "value")) && isnan(store_table_num(&t, 0, "hi")));
    store_table_release(&t);
    sqlite3_close(db);
}

/* A stage that reads a column its table does not have gets an error naming it, and a read of
 * a declared column of an optional table the store lacks is no error. */
static void test_undeclared_read(void **state)
{
    (void)state;
    sqlite3 *db = memdb();
    struct mql_err err;
    assert_int_equal(schema_create(db, "sweep", &err), 0);
    struct store_table t;
    assert_int_equal(store_table_read_all(db, "sweeps", NULL, 0, &t, &err), 0);
    assert_int_equal(store_table_check(&t, "the report", &err), 0);
    assert_true(store_table_col(&t, "vol_cap") != SIZE_MAX);
    assert_true(isnan(store_table_num(&t, 0, "vol_cap"))); /* no rows */
    assert_int_equal(store_table_check(&t, "the report", &err), 0);
    assert_null(store_table_text(&t, 0, "headline_text")); /* not a column of sweeps */
    assert_int_equal(store_table_check(&t, "the report", &err), MQL_EIO);
    assert_err_contains(&err, "the report asked for column 'headline_text'");
    store_table_release(&t);

    assert_int_equal(store_table_read_all(db, "review_rules", " WHERE review_id = 1", 1, &t, &err),
                     0);
    assert_int_equal(t.nrows, 0);
    assert_true(isnan(store_table_num(&t, 0, "conversion")));
    assert_int_equal(store_table_check(&t, "the report", &err), 0);
    store_table_num(&t, 0, "conversoin");
    assert_int_equal(store_table_check(&t, "the report", &err), MQL_EIO);
    assert_err_contains(&err, "'conversoin'");
    store_table_release(&t);
    assert_int_equal(store_table_read_all(db, "review_rules", NULL, 0, &t, &err), MQL_EIO);
    store_table_release(&t);

    /* a store whose table lacks a declared column (written by another version) is refused */
    assert_int_equal(store_exec(db, "CREATE TABLE loads(load_id INTEGER, source TEXT)", &err), 0);
    assert_int_equal(store_table_read_all(db, "loads", NULL, 0, &t, &err), MQL_EINPUT);
    assert_err_contains(&err, "the store's table 'loads' has no column 'config'");
    store_table_release(&t);
    sqlite3_close(db);
}

/* The text of docs/store.md that documents table name: its row in a table of tables, or the
 * section whose heading names it. */
static char *docs_of(const char *md, const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "\n| `%s` |", name);
    const char *p = strstr(md, key);
    if (p) {
        const char *e = strchr(p + 1, '\n');
        return strndup(p, e ? (size_t)(e - p) : strlen(p));
    }
    for (p = md; (p = strstr(p, "\n#")); p++) {
        const char *eol = strchr(p + 1, '\n');
        if (!eol)
            break;
        char head[512];
        snprintf(head, sizeof head, "%.*s", (int)(eol - p), p);
        /* the name as a whole word of the heading */
        const char *h = head;
        while ((h = strstr(h, name))) {
            char after = h[strlen(name)];
            char before = h == head ? ' ' : h[-1];
            if ((after == ':' || after == ',' || after == ' ' || after == '\0') &&
                (before == ' ' || before == ','))
                break;
            h++;
        }
        if (!h)
            continue;
        const char *e = strstr(eol, "\n#");
        return strndup(p, e ? (size_t)(e - p) : strlen(p));
    }
    return NULL;
}

static void test_docs(void **state)
{
    (void)state;
    char *md = tu_read_file("docs/store.md");
    assert_non_null(md);
    int missing = 0;
    for (size_t i = 0; i < schema_count(); i++) {
        const struct schema_table *t = schema_at(i);
        char *doc = docs_of(md, t->name);
        if (!doc) {
            fprintf(stderr, "docs/store.md does not document table %s\n", t->name);
            missing++;
            continue;
        }
        for (size_t c = 0; c < t->ncols; c++) {
            char tick[96];
            snprintf(tick, sizeof tick, "`%s`", t->cols[c].name);
            if (!strstr(doc, tick)) {
                fprintf(stderr, "docs/store.md: table %s: no column `%s`\n", t->name,
                        t->cols[c].name);
                missing++;
            }
        }
        free(doc);
    }
    char ver[64];
    snprintf(ver, sizeof ver, "Schema version %d ", STORE_SCHEMA_VERSION);
    assert_non_null(strstr(md, ver));
    free(md);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_all), cmocka_unit_test(test_create_stage),
        cmocka_unit_test(test_row_writer), cmocka_unit_test(test_undeclared_read),
        cmocka_unit_test(test_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
