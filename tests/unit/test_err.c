/* Unit tests for include/mqlcal/err.h. */
#include "testutil.h"

#include "mqlcal/err.h"

static void fill(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
}

static void test_clear(void **state)
{
    (void)state;
    struct mql_err err;
    err.code = MQL_EIO;
    snprintf(err.msg, sizeof err.msg, "something failed");
    mql_err_clear(&err);
    assert_int_equal(err.code, MQL_OK);
    assert_string_equal(err.msg, "");
}

static void test_clear_null(void **state)
{
    (void)state;
    mql_err_clear(NULL);
}

static void test_set_formats_and_returns_code(void **state)
{
    (void)state;
    struct mql_err err;
    mql_err_clear(&err);
    int rc = mql_err_set(&err, MQL_EINPUT, "%s:%d: column '%s': expected 0/1, got '%s'",
                         "leads.csv", 1204, "became_sql", "maybe");
    assert_int_equal(rc, MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_string_equal(err.msg, "leads.csv:1204: column 'became_sql': expected 0/1, got 'maybe'");

    /* a second set replaces the first */
    assert_int_equal(mql_err_set(&err, MQL_EIO, "disk full"), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    assert_string_equal(err.msg, "disk full");

    /* a percent sign that comes in through an argument is not a format */
    mql_err_set(&err, MQL_EUSAGE, "bad option '%s'", "100%d");
    assert_string_equal(err.msg, "bad option '100%d'");
}

static void test_set_null_err(void **state)
{
    (void)state;
    assert_int_equal(mql_err_set(NULL, MQL_EIO, "x %d", 1), MQL_EIO);
    assert_int_equal(mql_err_set(NULL, MQL_EINPUT, "y"), MQL_EINPUT);
}

static void test_set_exact_fit_not_truncated(void **state)
{
    (void)state;
    struct mql_err err;
    char longest[MQL_ERR_MAX];
    fill(longest, MQL_ERR_MAX - 1, 'a');
    mql_err_set(&err, MQL_EIO, "%s", longest);
    assert_int_equal(strlen(err.msg), MQL_ERR_MAX - 1);
    assert_string_equal(err.msg, longest);
}

static void test_set_truncates_with_dots(void **state)
{
    (void)state;
    struct mql_err err;
    static char big[3 * MQL_ERR_MAX];
    fill(big, sizeof big - 1, 'b');
    int rc = mql_err_set(&err, MQL_EINPUT, "start %s", big);
    assert_int_equal(rc, MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    size_t n = strlen(err.msg);
    assert_int_equal(n, MQL_ERR_MAX - 1);
    assert_memory_equal(err.msg, "start bbb", 9);
    assert_string_equal(err.msg + n - 3, "...");
    assert_int_equal(err.msg[n - 4], 'b');

    /* one character too many is enough to be marked */
    char just_over[MQL_ERR_MAX + 1];
    fill(just_over, MQL_ERR_MAX, 'c');
    mql_err_set(&err, MQL_EIO, "%s", just_over);
    n = strlen(err.msg);
    assert_int_equal(n, MQL_ERR_MAX - 1);
    assert_string_equal(err.msg + n - 3, "...");
}

static void test_prefix(void **state)
{
    (void)state;
    struct mql_err err;
    mql_err_set(&err, MQL_EINPUT, "unknown key '%s'", "foo");
    int rc = mql_err_prefix(&err, "%s:%d", "config.ini", 12);
    assert_int_equal(rc, MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_string_equal(err.msg, "config.ini:12: unknown key 'foo'");

    /* prefixes stack, outermost first */
    assert_int_equal(mql_err_prefix(&err, "run"), MQL_EINPUT);
    assert_string_equal(err.msg, "run: config.ini:12: unknown key 'foo'");

    /* the old message is kept as text, never reinterpreted as a format */
    mql_err_set(&err, MQL_EIO, "100%% sure %s", "%s%n");
    assert_string_equal(err.msg, "100% sure %s%n");
    assert_int_equal(mql_err_prefix(&err, "x"), MQL_EIO);
    assert_string_equal(err.msg, "x: 100% sure %s%n");
}

static void test_prefix_on_cleared(void **state)
{
    (void)state;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(mql_err_prefix(&err, "p"), MQL_OK);
    assert_int_equal(err.code, MQL_OK);
    assert_string_equal(err.msg, "p: ");
}

static void test_prefix_truncates_with_dots(void **state)
{
    (void)state;
    struct mql_err err;
    char old[MQL_ERR_MAX];
    fill(old, MQL_ERR_MAX - 1, 'o');
    mql_err_set(&err, MQL_EIO, "%s", old);
    assert_int_equal(mql_err_prefix(&err, "%s:%d", "leads.csv", 7), MQL_EIO);
    assert_int_equal(err.code, MQL_EIO);
    size_t n = strlen(err.msg);
    assert_int_equal(n, MQL_ERR_MAX - 1);
    assert_memory_equal(err.msg, "leads.csv:7: ooo", 16);
    assert_string_equal(err.msg + n - 3, "...");

    /* a prefix longer than the whole buffer */
    static char big[2 * MQL_ERR_MAX];
    fill(big, sizeof big - 1, 'p');
    mql_err_set(&err, MQL_EINPUT, "short");
    assert_int_equal(mql_err_prefix(&err, "%s", big), MQL_EINPUT);
    n = strlen(err.msg);
    assert_int_equal(n, MQL_ERR_MAX - 1);
    assert_int_equal(err.msg[0], 'p');
    assert_string_equal(err.msg + n - 3, "...");
}

static void test_prefix_null_err(void **state)
{
    (void)state;
    /* must not crash; there is no code to return */
    (void)mql_err_prefix(NULL, "%s", "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_clear_null),
        cmocka_unit_test(test_set_formats_and_returns_code),
        cmocka_unit_test(test_set_null_err),
        cmocka_unit_test(test_set_exact_fit_not_truncated),
        cmocka_unit_test(test_set_truncates_with_dots),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_prefix_on_cleared),
        cmocka_unit_test(test_prefix_truncates_with_dots),
        cmocka_unit_test(test_prefix_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
