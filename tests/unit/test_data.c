/* Unit tests for include/mqlcal/data.h: a real ingest into a temporary store, read back. */
#include "testutil.h"

#include <math.h>

#include "mqlcal/data.h"
#include "mqlcal/ingest.h"
#include "mqlcal/store.h"

/*
 * Line 1 is the header. Line 5 (L3) is rejected (bad outcome). In the store the rows are in
 * lead id order, by bytes: L1, L10, L2, L20, L4.
 *
 *   id   line  y  date (days since 1970)        job       visits time   channel
 *   L1    4    0  1970-01-01 (0)                missing   0      -      web
 *   L10   3    0  missing (INT32_MIN)           director  -      7      email
 *   L2    2    1  2024-01-02 (19724)            manager   3      12.5   web
 *   L20   6    1  2000-03-01T10:00Z (11017)     manager   2      0.5    missing
 *   L4    7    0  1969-12-31 (-1)               analyst   5      -3.25  partner
 *
 * 2024-01-02: 1704153600 s / 86400 = 19724; 2000-03-01: 10957 (2000-01-01) + 31 + 29 = 11017.
 */
static const char csv_text[] = "lead_id,became_sql,created_at,job_level,visits,time_on_site,"
                               "channel,notes\n"
                               "L2,1,2024-01-02,manager,3,12.5,web,x\n"
                               "L10,0,,director,,7,email,y\n"
                               "L1,0,1970-01-01,NA,0,,web,z\n"
                               "L3,maybe,2024-01-05,staff,1,1,web,w\n"
                               "L20,1,2000-03-01T10:00:00Z,manager,2,0.5,,v\n"
                               "\"L4\",0,1969-12-31, analyst ,5,-3.25,partner,u\n";

#define CONFIG_HEAD                                                                                \
    "[data]\n"                                                                                     \
    "leads = leads.csv\n"                                                                          \
    "id = lead_id\n"                                                                               \
    "outcome = became_sql\n"                                                                       \
    "positive = 1\n"                                                                               \
    "negative = 0\n"                                                                               \
    "missing = NA\n"                                                                               \
    "earliest_date = 1900-01-01\n" /* the fixture's 1969 and 1970 dates test day arithmetic */

#define CONFIG_ATTRS                                                                               \
    "[attributes]\n"                                                                               \
    "job_level = categorical, fit\n"                                                               \
    "visits = count, engagement\n"                                                                 \
    "time_on_site = numeric\n"

static const char config_text[] = CONFIG_HEAD "date = created_at\n" CONFIG_ATTRS "[segments]\n"
                                              "by = channel, job_level\n";

/* Writes the config text as dir/name and loads it; fails the test when it does not load. */
static void load_config(const char *dir, const char *name, const char *text, struct config *cfg)
{
    char path[512];
    tu_write_text(dir, name, text, path, sizeof path);
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(path, cfg, &err) != 0)
        fail_msg("config_load: %s", err.msg);
}

/* Ingests cfg's CSV into dir/db_name and opens that store. */
static sqlite3 *ingest_and_open(const char *dir, const char *db_name, const struct config *cfg,
                                struct ingest_stats *stats)
{
    char db_path[512];
    tu_path(db_path, sizeof db_path, dir, db_name);
    struct ingest_opts opts = {.db_path = db_path};
    struct mql_err err;
    mql_err_clear(&err);
    if (ingest_run(cfg, &opts, stats, &err) != 0)
        fail_msg("ingest_run: %s", err.msg);
    sqlite3 *db = NULL;
    mql_err_clear(&err);
    if (store_open(db_path, &db, &err) != 0)
        fail_msg("store_open: %s", err.msg);
    return db;
}

static void load_ok(sqlite3 *db, const struct config *cfg, struct data *d)
{
    struct mql_err err;
    mql_err_clear(&err);
    int rc = data_load(db, cfg, d, &err);
    if (rc) {
        data_release(d);
        fail_msg("data_load failed (%d): %s", rc, err.msg);
    }
}

static void check_dictionary(const struct data_column *c, const char *const *want, size_t n)
{
    assert_true(c->categorical);
    assert_non_null(c->ids);
    assert_null(c->num);
    assert_int_equal(c->nvalues, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c->values[i], want[i]);
}

/* The value of row r of a categorical column, or NULL when missing. */
static const char *value_at(const struct data_column *c, size_t r)
{
    if (c->ids[r] == DATA_MISSING)
        return NULL;
    assert_true(c->ids[r] < c->nvalues);
    return c->values[c->ids[r]];
}

static void check_value(const struct data_column *c, size_t r, const char *want)
{
    const char *got = value_at(c, r);
    if (!want) {
        if (got)
            fail_msg("column '%s' row %zu: '%s', want missing", c->name, r, got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("column '%s' row %zu: '%s', want '%s'", c->name, r, got ? got : "(missing)", want);
}

static void check_number(const struct data_column *c, size_t r, double want)
{
    if (isnan(want)) {
        if (!isnan(c->num[r]))
            fail_msg("column '%s' row %zu: %g, want missing (NaN)", c->name, r, c->num[r]);
        return;
    }
    if (c->num[r] != want)
        fail_msg("column '%s' row %zu: %.17g, want %.17g", c->name, r, c->num[r], want);
}

static void test_load(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_write_text(dir, "leads.csv", csv_text, path, sizeof path);
    struct config cfg;
    load_config(dir, "leads.ini", config_text, &cfg);
    struct ingest_stats stats;
    sqlite3 *db = ingest_and_open(dir, "store.db", &cfg, &stats);
    assert_int_equal(stats.read, 6);
    assert_int_equal(stats.loaded, 5);
    assert_int_equal(stats.rejected, 1);

    struct data d;
    load_ok(db, &cfg, &d);
    assert_int_equal(d.n, 5);
    assert_true(d.has_dates);

    static const char *const ids[5] = {"L1", "L10", "L2", "L20", "L4"};
    static const int64_t lines[5] = {4, 3, 2, 6, 7};
    static const unsigned char ys[5] = {0, 0, 1, 1, 0};
    static const int32_t days[5] = {0, INT32_MIN, 19724, 11017, -1};
    for (size_t r = 0; r < 5; r++) {
        assert_string_equal(d.lead_id[r], ids[r]);
        assert_int_equal(d.line[r], lines[r]);
        assert_int_equal(d.y[r], ys[r]);
        if (d.day[r] != days[r])
            fail_msg("row %zu (%s): day %d, want %d", r, ids[r], (int)d.day[r], (int)days[r]);
    }

    /* the attributes, in config order */
    assert_int_equal(d.nattrs, 3);
    assert_string_equal(d.attrs[0].name, "job_level");
    assert_string_equal(d.attrs[1].name, "visits");
    assert_string_equal(d.attrs[2].name, "time_on_site");
    for (size_t i = 0; i < 3; i++)
        assert_ptr_equal(d.attrs[i].attr, &cfg.attrs[i]);

    const struct data_column *job = &d.attrs[0];
    static const char *const job_dict[] = {"analyst", "director", "manager"};
    check_dictionary(job, job_dict, 3);
    static const char *const job_rows[5] = {NULL, "director", "manager", "manager", "analyst"};
    for (size_t r = 0; r < 5; r++)
        check_value(job, r, job_rows[r]);
    assert_int_equal(job->ids[0], DATA_MISSING);
    assert_int_equal(job->ids[4], 0);
    assert_int_equal(job->ids[2], job->ids[3]);

    const struct data_column *visits = &d.attrs[1], *tos = &d.attrs[2];
    assert_false(visits->categorical);
    assert_non_null(visits->num);
    assert_null(visits->ids);
    assert_int_equal(visits->nvalues, 0);
    static const double visit_rows[5] = {0, NAN, 3, 2, 5};
    static const double time_rows[5] = {NAN, 7, 12.5, 0.5, -3.25};
    for (size_t r = 0; r < 5; r++) {
        check_number(visits, r, visit_rows[r]);
        check_number(tos, r, time_rows[r]);
    }

    /* segments: channel (not an attribute) and job_level (an attribute, read as text) */
    assert_int_equal(d.nsegments, 2);
    const struct data_column *channel = &d.segments[0], *jobseg = &d.segments[1];
    assert_string_equal(channel->name, "channel");
    assert_null(channel->attr);
    static const char *const channel_dict[] = {"email", "partner", "web"};
    check_dictionary(channel, channel_dict, 3);
    static const char *const channel_rows[5] = {"web", "email", "web", NULL, "partner"};
    for (size_t r = 0; r < 5; r++)
        check_value(channel, r, channel_rows[r]);
    assert_string_equal(jobseg->name, "job_level");
    assert_ptr_equal(jobseg->attr, &cfg.attrs[0]);
    check_dictionary(jobseg, job_dict, 3);
    for (size_t r = 0; r < 5; r++)
        assert_int_equal(jobseg->ids[r], job->ids[r]);

    assert_ptr_equal(data_attr(&d, "visits"), &d.attrs[1]);
    assert_ptr_equal(data_attr(&d, "job_level"), &d.attrs[0]);
    assert_null(data_attr(&d, "channel")); /* a segment, not an attribute */
    assert_null(data_attr(&d, "nope"));

    data_release(&d);
    data_release(&d); /* zeroed: fine */
    data_release(NULL);

    /* loading twice gives the same thing */
    struct data d2;
    load_ok(db, &cfg, &d2);
    load_ok(db, &cfg, &d);
    assert_int_equal(d.n, d2.n);
    assert_memory_equal(d.day, d2.day, d.n * sizeof *d.day);
    assert_memory_equal(d.attrs[0].ids, d2.attrs[0].ids, d.n * sizeof *d.attrs[0].ids);
    data_release(&d);
    data_release(&d2);
    store_close(db);
    config_release(&cfg);
}

/* Without a date column every day is INT32_MIN and has_dates is 0. A count that is also a
 * segment is read as text there. */
static void test_no_dates(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_write_text(dir, "leads.csv", csv_text, path, sizeof path);
    struct config cfg;
    load_config(dir, "nodate.ini", CONFIG_HEAD CONFIG_ATTRS "[segments]\nby = visits\n", &cfg);
    struct ingest_stats stats;
    sqlite3 *db = ingest_and_open(dir, "nodate.db", &cfg, &stats);
    struct data d;
    load_ok(db, &cfg, &d);
    assert_int_equal(d.n, 5);
    assert_false(d.has_dates);
    for (size_t r = 0; r < d.n; r++)
        assert_int_equal(d.day[r], INT32_MIN);
    assert_int_equal(d.nsegments, 1);
    static const char *const visit_dict[] = {"0", "2", "3", "5"};
    check_dictionary(&d.segments[0], visit_dict, 4);
    static const char *const visit_rows[5] = {"0", NULL, "3", "2", "5"};
    for (size_t r = 0; r < 5; r++)
        check_value(&d.segments[0], r, visit_rows[r]);
    data_release(&d);
    store_close(db);
    config_release(&cfg);
}

/* A config naming a column the store lacks (changed since the ingest): MQL_EINPUT, naming the
 * column and asking for a new ingest. */
static void test_column_not_in_store(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_write_text(dir, "leads.csv", csv_text, path, sizeof path);
    struct config cfg;
    load_config(dir, "leads.ini", config_text, &cfg);
    struct ingest_stats stats;
    sqlite3 *db = ingest_and_open(dir, "store.db", &cfg, &stats);

    static const char *const changed[] = {
        /* an attribute that is in the CSV but was not ingested */
        CONFIG_HEAD "date = created_at\n" CONFIG_ATTRS "notes = categorical\n",
        /* an attribute in neither */
        CONFIG_HEAD CONFIG_ATTRS "notes = count\n",
        /* a segment */
        CONFIG_HEAD CONFIG_ATTRS "[segments]\nby = notes\n",
    };
    for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++) {
        struct config other;
        load_config(dir, "changed.ini", changed[i], &other);
        struct data d;
        struct mql_err err;
        mql_err_clear(&err);
        int rc = data_load(db, &other, &d, &err);
        data_release(&d);
        config_release(&other);
        assert_int_equal(rc, MQL_EINPUT);
        assert_int_equal(err.code, MQL_EINPUT);
        assert_err_contains(&err, "ingest");
        assert_err_contains(&err, "'notes'");
    }
    store_close(db);
    config_release(&cfg);
}

/* A store whose leads table is empty: MQL_EINPUT. */
static void test_empty_store(void **state)
{
    const char *dir = *state;
    char path[512];
    tu_write_text(dir, "leads.csv", csv_text, path, sizeof path);
    struct config cfg;
    load_config(dir, "leads.ini", config_text, &cfg);
    struct ingest_stats stats;
    sqlite3 *db = ingest_and_open(dir, "store.db", &cfg, &stats);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM leads", NULL, NULL, NULL), SQLITE_OK);
    struct data d;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = data_load(db, &cfg, &d, &err);
    data_release(&d);
    assert_int_equal(rc, MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    store_close(db);
    config_release(&cfg);
}

/*
 * 500 leads with long ids (past the id block's first guess of 16 bytes a lead) in reverse file
 * order, and a categorical with 150 distinct values (past the intern table's first size): the
 * rows come back sorted by id, each with its own line and value, and the dictionary sorted.
 */
static void test_many_rows(void **state)
{
    const char *dir = *state;
    const size_t n = 500, nv = 150;
    size_t cap = n * 128 + 128, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "lead_id,became_sql,job_level,visits\n");
    for (size_t i = 0; i < n; i++) {
        size_t k = n - 1 - i; /* file row i holds lead k */
        len += (size_t)snprintf(text + len, cap - len,
                                "lead-with-a-rather-long-identifier-%05zu,%d,value-%03zu,%zu\n", k,
                                k % 3 == 0, (k * 7) % nv, k % 11 == 0 ? 99 : k % 4);
    }
    char path[512];
    tu_write_text(dir, "leads.csv", text, path, sizeof path);
    free(text);
    struct config cfg;
    load_config(dir, "many.ini",
                "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\n"
                "[attributes]\njob_level = categorical\nvisits = count\n",
                &cfg);
    struct ingest_stats stats;
    sqlite3 *db = ingest_and_open(dir, "many.db", &cfg, &stats);
    assert_int_equal(stats.loaded, n);
    struct data d;
    load_ok(db, &cfg, &d);
    assert_int_equal(d.n, n);
    const struct data_column *job = &d.attrs[0];
    assert_int_equal(job->nvalues, nv);
    for (size_t v = 0; v < nv; v++) {
        char want[32];
        snprintf(want, sizeof want, "value-%03zu", v);
        assert_string_equal(job->values[v], want);
    }
    for (size_t r = 0; r < n; r++) {
        char want[64];
        snprintf(want, sizeof want, "lead-with-a-rather-long-identifier-%05zu", r);
        assert_string_equal(d.lead_id[r], want);
        /* lead r is on file row n - 1 - r, line n - r + 1 (the header is line 1) */
        assert_int_equal(d.line[r], (int64_t)(n - r + 1));
        assert_int_equal(d.y[r], r % 3 == 0);
        assert_int_equal(job->ids[r], (uint32_t)((r * 7) % nv));
        assert_true(d.attrs[1].num[r] == (double)(r % 11 == 0 ? 99 : r % 4));
        assert_int_equal(d.day[r], INT32_MIN);
    }
    data_release(&d);
    store_close(db);
    config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, tu_setup_dir, tu_teardown_dir),
        cmocka_unit_test_setup_teardown(test_no_dates, tu_setup_dir, tu_teardown_dir),
        cmocka_unit_test_setup_teardown(test_column_not_in_store, tu_setup_dir, tu_teardown_dir),
        cmocka_unit_test_setup_teardown(test_empty_store, tu_setup_dir, tu_teardown_dir),
        cmocka_unit_test_setup_teardown(test_many_rows, tu_setup_dir, tu_teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
