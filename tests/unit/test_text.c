/* Unit tests for include/mqlcal/text.h. */
#include "testutil.h"

#include <math.h>

#include "mqlcal/text.h"

#define SENTINEL_INT ((int64_t)424242)
#define SENTINEL_DAY ((int32_t)-99999)

/* text_parse_int on a whole NUL-terminated string; *out starts as a sentinel. */
static int pint(const char *s, int64_t *out)
{
    *out = SENTINEL_INT;
    return text_parse_int(s, strlen(s), out);
}

static int preal(const char *s, double *out)
{
    *out = -12345.0;
    return text_parse_real(s, strlen(s), out);
}

static int pdate(const char *s, int32_t *out)
{
    *out = SENTINEL_DAY;
    return text_parse_date(s, strlen(s), out);
}

static int utf8(const char *s, size_t n)
{
    return text_utf8_valid(s, n);
}

/* ---- text_parse_int ---- */

static void test_int_valid(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(pint("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pint("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(pint("+42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(pint("-42", &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(pint("-0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pint("007", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(pint("1234567890123", &v), 0);
    assert_true(v == INT64_C(1234567890123));
}

static void test_int_bounds(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(pint("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(pint("+9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(pint("-9223372036854775807", &v), 0);
    assert_true(v == -INT64_MAX);
    assert_int_equal(pint("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(pint("0009223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);

    assert_int_not_equal(pint("9223372036854775808", &v), 0);
    assert_true(v == SENTINEL_INT);
    assert_int_not_equal(pint("+9223372036854775808", &v), 0);
    assert_int_not_equal(pint("-9223372036854775809", &v), 0);
    assert_true(v == SENTINEL_INT);
    assert_int_not_equal(pint("9223372036854775810", &v), 0);
    assert_int_not_equal(pint("18446744073709551616", &v), 0); /* 2^64 does not wrap to 0 */
    assert_int_not_equal(pint("18446744073709551615", &v), 0);
    assert_int_not_equal(pint("99999999999999999999999999", &v), 0);
    assert_true(v == SENTINEL_INT);
}

static void test_int_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {"",    "+",   "-",    "--1", "+-1", "1.0", "1.", ".5",
                                "0x10", "1e3", "12a", "a12", "1 2", "- 1", "1,000", "one",
                                "\xd9\xa3" /* Arabic-Indic digit three */};
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        if (pint(bad[i], &v) == 0 || v != SENTINEL_INT) {
            print_error("text_parse_int accepted '%s'\n", bad[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_int_spaces(void **state)
{
    (void)state;
    /* Callers trim first; surrounding space may be refused or ignored, but must never
     * change the value. Space inside the number is always refused. */
    static const char *padded[] = {" 12", "12 ", "\t12\n", " -12 "};
    for (size_t i = 0; i < sizeof padded / sizeof padded[0]; i++) {
        int64_t v;
        if (pint(padded[i], &v) == 0)
            assert_true(v == 12 || v == -12);
        else
            assert_true(v == SENTINEL_INT);
    }
    int64_t v;
    assert_int_not_equal(pint("1 2", &v), 0);
    assert_int_not_equal(pint("   ", &v), 0);
    assert_true(v == SENTINEL_INT);
}

static void test_int_uses_span_length(void **state)
{
    (void)state;
    int64_t v = SENTINEL_INT;
    assert_int_equal(text_parse_int("123abc", 3, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(text_parse_int("-7,8", 2, &v), 0);
    assert_int_equal(v, -7);
    v = SENTINEL_INT;
    assert_int_not_equal(text_parse_int("123", 0, &v), 0);
    assert_true(v == SENTINEL_INT);
}

/* ---- text_parse_real ---- */

static void test_real_valid(void **state)
{
    (void)state;
    double v;
    assert_int_equal(preal("0", &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(preal("1.5", &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(preal("+1.5", &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(preal("-2.25", &v), 0);
    assert_true(v == -2.25);
    assert_int_equal(preal(".5", &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(preal("-.5", &v), 0);
    assert_true(v == -0.5);
    assert_int_equal(preal("5.", &v), 0);
    assert_true(v == 5.0);
    assert_int_equal(preal("42", &v), 0);
    assert_true(v == 42.0);
    assert_int_equal(preal("007.25", &v), 0);
    assert_true(v == 7.25);
}

static void test_real_exponents(void **state)
{
    (void)state;
    double v;
    assert_int_equal(preal("1e3", &v), 0);
    assert_true(v == 1000.0);
    assert_int_equal(preal("1E3", &v), 0);
    assert_true(v == 1000.0);
    assert_int_equal(preal("2.5e+2", &v), 0);
    assert_true(v == 250.0);
    assert_int_equal(preal("25e-1", &v), 0);
    assert_true(v == 2.5);
    assert_int_equal(preal(".5e1", &v), 0);
    assert_true(v == 5.0);
    assert_int_equal(preal("5.e1", &v), 0);
    assert_true(v == 50.0);
    assert_int_equal(preal("1e308", &v), 0);
    assert_true(v == 1e308);
    assert_int_equal(preal("-1.7976931348623157e308", &v), 0);
    assert_true(v == -1.7976931348623157e308);

    /* overflow is not a finite number */
    assert_int_not_equal(preal("1e309", &v), 0);
    assert_true(v == -12345.0);
    assert_int_not_equal(preal("-1e400", &v), 0);
    assert_true(v == -12345.0);
}

static void test_real_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",     "+",      "-",     ".",     "+.",       "e5",       ".e5",      "1e",
        "1e+",  "1e-",    "1E",    "1e5.",  "1e2e3",    "1.2.3",    "1,5",      "1..2",
        "inf",  "-inf",   "+inf",  "INF",   "infinity", "Infinity", "nan",      "NaN",
        "-nan", "nan(1)", "0x1p3", "0X1P3", "0x10",     "0x1.8p1",  "1 2",      "1.5 x",
        "abc",  "1f",     "1d",    "--1",   "+-1",      "1e 5",     "\xd9\xa3",
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        if (preal(bad[i], &v) == 0 || v != -12345.0) {
            print_error("text_parse_real accepted '%s' as %g\n", bad[i], v);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_real_spaces(void **state)
{
    (void)state;
    static const char *padded[] = {" 1.5", "1.5 ", "\t1.5\n"};
    for (size_t i = 0; i < sizeof padded / sizeof padded[0]; i++) {
        double v;
        if (preal(padded[i], &v) == 0)
            assert_true(v == 1.5);
        else
            assert_true(v == -12345.0);
    }
    double v;
    assert_int_not_equal(preal("1. 5", &v), 0);
    assert_int_not_equal(preal("- 1", &v), 0);
    assert_int_not_equal(preal("   ", &v), 0);
}

static void test_real_span_and_length(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(text_parse_real("2.5xyz", 3, &v), 0);
    assert_true(v == 2.5);
    assert_int_equal(text_parse_real("7 8", 1, &v), 0);
    assert_true(v == 7.0);

    /* a long but ordinary numeral */
    char buf[4096];
    memset(buf, '0', 120);
    buf[0] = '1';
    buf[120] = '\0';
    assert_int_equal(preal(buf, &v), 0);
    assert_true(fabs(v / 1e119 - 1.0) < 1e-12);

    /* far too long: refused or read right, never out of bounds (checked under ASan) */
    memset(buf, '1', sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    assert_int_not_equal(preal(buf, &v), 0); /* 4095 digits: not finite anyway */
    memset(buf, '0', 300);
    buf[0] = '0';
    buf[1] = '.';
    buf[299] = '1';
    buf[300] = '\0';
    if (preal(buf, &v) == 0)
        assert_true(fabs(v / 1e-298 - 1.0) < 1e-12);
    else
        assert_true(v == -12345.0);
    memset(buf, '1', 2000);
    buf[2000] = 'x';
    buf[2001] = '\0';
    assert_int_not_equal(preal(buf, &v), 0);
    assert_true(v == -12345.0);
}

/* ---- dates ---- */

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(text_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(text_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(text_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(text_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(text_days_from_civil(2000, 1, 1), 10957);
    assert_int_equal(text_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(text_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(text_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(text_days_from_civil(2100, 12, 31), 47846);
    assert_int_equal(text_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(text_days_from_civil(9999, 12, 31), 2932896);
}

static void test_date_valid(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(pdate("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(pdate("1969-12-31", &d), 0);
    assert_int_equal(d, -1);
    assert_int_equal(pdate("2000-03-01", &d), 0);
    assert_int_equal(d, 11017);
    assert_int_equal(pdate("2100-12-31", &d), 0);
    assert_int_equal(d, 47846);
    assert_int_equal(pdate("2024-12-31", &d), 0);
    assert_int_equal(d, text_days_from_civil(2024, 12, 31));
    assert_int_equal(pdate("2023-04-30", &d), 0);
    assert_int_equal(pdate("2023-01-31", &d), 0);
}

static void test_date_leap_years(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(pdate("2024-02-29", &d), 0);
    assert_int_equal(d, 19782);
    assert_int_equal(pdate("2000-02-29", &d), 0);
    assert_int_equal(d, 11016);
    assert_int_equal(pdate("1600-02-29", &d), 0);
    assert_int_not_equal(pdate("2025-02-29", &d), 0);
    assert_int_equal(d, SENTINEL_DAY);
    assert_int_not_equal(pdate("1900-02-29", &d), 0);
    assert_int_not_equal(pdate("2100-02-29", &d), 0);
    assert_int_not_equal(pdate("2024-02-30", &d), 0);
    assert_int_equal(d, SENTINEL_DAY);
}

static void test_date_bad_calendar(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2024-00-10", "2024-13-01",  "2024-99-01",  "2024-01-00", "2024-01-32", "2024-04-31",
        "2024-06-31", "2024-09-31",  "2024-11-31",  "2023-02-29", "2024-1-01",  "2024-01-1",
        "24-01-01",   "2024/01/01",  "2024.01.01",  "20240101",   "2024-01",    "2024",
        "",           "-2024-01-01", "+2024-01-01", "2024-0a-01", "abcd-01-01", "2024--1-01",
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d;
        if (pdate(bad[i], &d) == 0 || d != SENTINEL_DAY) {
            print_error("text_parse_date accepted '%s'\n", bad[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_date_with_time(void **state)
{
    (void)state;
    static const char *good[] = {
        "2024-03-05T10:20",
        "2024-03-05 10:20",
        "2024-03-05T10:20:30",
        "2024-03-05 10:20:30",
        "2024-03-05T00:00:00",
        "2024-03-05T23:59:59",
        "2024-03-05T10:20:30Z",
        "2024-03-05T10:20Z",
        "2024-03-05T10:20:30.123",
        "2024-03-05T10:20:30.1",
        "2024-03-05T10:20:30.123456789",
        "2024-03-05T10:20:30,5",
        "2024-03-05T10:20:30.123Z",
        "2024-03-05T10:20:30+02:00",
        "2024-03-05T10:20:30-05:30",
        "2024-03-05T10:20:30+0200",
        "2024-03-05T10:20:30+02",
        "2024-03-05 10:20:30.250+01:00",
        "2024-03-05T10:20+00:00",
    };
    int32_t want = text_days_from_civil(2024, 3, 5);
    int wrong = 0;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int32_t d;
        if (pdate(good[i], &d) != 0 || d != want) {
            print_error("text_parse_date refused '%s'\n", good[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_date_bad_time(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2024-03-05T",
        "2024-03-05T25:00",
        "2024-03-05T24:30",
        "2024-03-05T10:60",
        "2024-03-05T10:20:61",
        "2024-03-05T10",
        "2024-03-05T10:",
        "2024-03-05T10:2",
        "2024-03-05T1:20",
        "2024-03-05T1020",
        "2024-03-05T10:20:",
        "2024-03-05T10:20:3",
        "2024-03-05T10:20:30.",
        "2024-03-05T10:20.5",
        "2024-03-05T10:20:30.12a",
        "2024-03-05T10:20:30ZZ",
        "2024-03-05T10:20:30Z+01:00",
        "2024-03-05T10:20:30+",
        "2024-03-05T10:20:30+1",
        "2024-03-05T10:20:30+24:00",
        "2024-03-05T10:20:30+02:60",
        "2024-03-05T10:20:30+02:0",
        "2024-03-05T10:20:30+02:00:00",
        "2024-03-05T10:20:30+02:00Z",
        "2024-03-05T10:20:30 +02:00",
        "2024-03-05X10:20",
        "2024-03-05t10:20:30 extra",
        "2024-03-05T10:20:30 extra",
        "2024-03-05junk",
        "2024-03-05T10:20:30z1",
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d;
        if (pdate(bad[i], &d) == 0 || d != SENTINEL_DAY) {
            print_error("text_parse_date accepted '%s'\n", bad[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_date_uses_span_length(void **state)
{
    (void)state;
    int32_t d = SENTINEL_DAY;
    assert_int_equal(text_parse_date("1970-01-02,next", 10, &d), 0);
    assert_int_equal(d, 1);
    d = SENTINEL_DAY;
    assert_int_not_equal(text_parse_date("1970-01-02", 9, &d), 0);
    assert_int_equal(d, SENTINEL_DAY);
}

static void test_format_date_known(void **state)
{
    (void)state;
    char buf[16];
    text_format_date(0, buf);
    assert_string_equal(buf, "1970-01-01");
    text_format_date(-1, buf);
    assert_string_equal(buf, "1969-12-31");
    text_format_date(19782, buf);
    assert_string_equal(buf, "2024-02-29");
    text_format_date(-25567, buf);
    assert_string_equal(buf, "1900-01-01");
    text_format_date(47846, buf);
    assert_string_equal(buf, "2100-12-31");
    text_format_date(-719162, buf);
    assert_string_equal(buf, "0001-01-01");
    text_format_date(2932896, buf);
    assert_string_equal(buf, "9999-12-31");
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walks the calendar day by day from 1900-01-01 to 2100-12-31 independently of the code
 * under test and checks days_from_civil, format and parse against it. */
static void test_date_round_trip_1900_2100(void **state)
{
    (void)state;
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int32_t day = text_days_from_civil(1900, 1, 1);
    assert_int_equal(day, -25567);
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            int last = dm[m - 1] + (m == 2 && is_leap(y));
            for (int d = 1; d <= last; d++, day++) {
                char want[32], got[16];
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                assert_int_equal(text_days_from_civil(y, (unsigned)m, (unsigned)d), day);
                memset(got, 'x', sizeof got);
                text_format_date(day, got);
                if (strcmp(got, want) != 0)
                    fail_msg("text_format_date(%d) = '%s', want '%s'", (int)day, got, want);
                int32_t back = SENTINEL_DAY;
                if (text_parse_date(got, strlen(got), &back) != 0 || back != day)
                    fail_msg("parse(format(%d)) = %d", (int)day, (int)back);
            }
        }
    }
    assert_int_equal(day, 47846 + 1);
}

/* Every day of years 0000..9999: parse(format(d)) == d. */
static void test_date_round_trip_all_years(void **state)
{
    (void)state;
    int32_t first = text_days_from_civil(0, 1, 1), last = text_days_from_civil(9999, 12, 31);
    char buf[16];
    text_format_date(first, buf);
    assert_string_equal(buf, "0000-01-01");
    for (int32_t day = first; day <= last; day++) {
        text_format_date(day, buf);
        assert_int_equal(strlen(buf), 10);
        int32_t back = SENTINEL_DAY;
        if (text_parse_date(buf, 10, &back) != 0 || back != day)
            fail_msg("parse(format(%d)) = %d ('%s')", (int)day, (int)back, buf);
    }
}

/* ---- UTF-8 ---- */

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8("", 0), 1);
    assert_int_equal(utf8("hello, world", 12), 1);
    assert_int_equal(utf8("a\0b", 3), 1); /* NUL is a valid code point */
    assert_int_equal(utf8("\x7f", 1), 1);
    assert_int_equal(utf8("\xc2\x80", 2), 1);         /* U+0080 */
    assert_int_equal(utf8("caf\xc3\xa9", 5), 1);      /* é */
    assert_int_equal(utf8("\xdf\xbf", 2), 1);         /* U+07FF */
    assert_int_equal(utf8("\xe0\xa0\x80", 3), 1);     /* U+0800 */
    assert_int_equal(utf8("\xe2\x82\xac", 3), 1);     /* € */
    assert_int_equal(utf8("\xed\x9f\xbf", 3), 1);     /* U+D7FF */
    assert_int_equal(utf8("\xee\x80\x80", 3), 1);     /* U+E000 */
    assert_int_equal(utf8("\xef\xbf\xbf", 3), 1);     /* U+FFFF */
    assert_int_equal(utf8("\xf0\x90\x80\x80", 4), 1); /* U+10000 */
    assert_int_equal(utf8("\xf0\x9f\x98\x80", 4), 1); /* 😀 */
    assert_int_equal(utf8("\xf4\x8f\xbf\xbf", 4), 1); /* U+10FFFF */
    const char *mixed = "M\xc3\xbcnchen \xe2\x82\xac \xf0\x9f\x98\x80!";
    assert_int_equal(utf8(mixed, strlen(mixed)), 1);
}

static void test_utf8_invalid(void **state)
{
    (void)state;
    /* overlong forms */
    assert_int_equal(utf8("\xc0\x80", 2), 0);
    assert_int_equal(utf8("\xc1\xbf", 2), 0);
    assert_int_equal(utf8("\xe0\x80\x80", 3), 0);
    assert_int_equal(utf8("\xe0\x9f\xbf", 3), 0);
    assert_int_equal(utf8("\xf0\x80\x80\x80", 4), 0);
    assert_int_equal(utf8("\xf0\x8f\xbf\xbf", 4), 0);
    /* surrogates */
    assert_int_equal(utf8("\xed\xa0\x80", 3), 0);
    assert_int_equal(utf8("\xed\xbf\xbf", 3), 0);
    assert_int_equal(utf8("\xed\xa0\xbd\xed\xb8\x80", 6), 0); /* a CESU-8 pair */
    /* beyond U+10FFFF and bytes that never occur */
    assert_int_equal(utf8("\xf4\x90\x80\x80", 4), 0);
    assert_int_equal(utf8("\xf5\x80\x80\x80", 4), 0);
    assert_int_equal(utf8("\xf7\xbf\xbf\xbf", 4), 0);
    assert_int_equal(utf8("\xf8\x88\x80\x80\x80", 5), 0);
    assert_int_equal(utf8("\xfe", 1), 0);
    assert_int_equal(utf8("\xff", 1), 0);
    /* lone continuation bytes */
    assert_int_equal(utf8("\x80", 1), 0);
    assert_int_equal(utf8("a\xbf", 2), 0);
    /* truncated sequences, at the end and in the middle */
    assert_int_equal(utf8("\xc3", 1), 0);
    assert_int_equal(utf8("\xe2\x82", 2), 0);
    assert_int_equal(utf8("\xf0\x9f\x98", 3), 0);
    assert_int_equal(utf8("caf\xc3", 4), 0);
    assert_int_equal(utf8("\xc3"
                          "A",
                          2),
                     0);
    assert_int_equal(utf8("\xe2\x82"
                          "A",
                          3),
                     0);
    assert_int_equal(utf8("\xf0\x9f\x98"
                          "A",
                          4),
                     0);
    assert_int_equal(utf8("\xe2\x82\xac", 2), 0); /* the span ends mid-character */
    /* Latin-1 text */
    assert_int_equal(utf8("caf\xe9", 4), 0);
}

/* Every position in ASCII runs of many lengths, so that word-at-a-time scanning and the
 * byte-by-byte tail are both covered, and sequences straddle word boundaries. */
static void test_utf8_positions(void **state)
{
    (void)state;
    char buf[64];
    for (size_t n = 1; n <= 40; n++) {
        for (size_t p = 0; p < n; p++) {
            memset(buf, 'a', n);
            buf[p] = (char)0x80; /* a lone continuation byte */
            if (utf8(buf, n) != 0)
                fail_msg("lone 0x80 at %zu of %zu accepted", p, n);
            buf[p] = (char)0xff;
            if (utf8(buf, n) != 0)
                fail_msg("0xff at %zu of %zu accepted", p, n);
            if (p + 2 <= n) {
                memset(buf, 'a', n);
                memcpy(buf + p, "\xc3\xa9", 2);
                if (utf8(buf, n) != 1)
                    fail_msg("valid 2-byte sequence at %zu of %zu refused", p, n);
            }
            if (p + 4 <= n) {
                memset(buf, 'a', n);
                memcpy(buf + p, "\xf0\x9f\x98\x80", 4);
                if (utf8(buf, n) != 1)
                    fail_msg("valid 4-byte sequence at %zu of %zu refused", p, n);
                memcpy(buf + p, "\xed\xa0\x80", 3); /* surrogate */
                if (utf8(buf, n) != 0)
                    fail_msg("surrogate at %zu of %zu accepted", p, n);
            }
        }
        /* a sequence cut off by the end of the span */
        memset(buf, 'a', n + 3);
        memcpy(buf + n - 1, "\xe2\x82\xac", 3);
        if (utf8(buf, n) != 0)
            fail_msg("truncated sequence at the end of %zu bytes accepted", n);
        if (utf8(buf, n + 2) != 1)
            fail_msg("whole sequence at the end of %zu bytes refused", n + 2);
    }
}

/* ---- trimming and comparison ---- */

static void test_trim(void **state)
{
    (void)state;
    char a[] = "  a b  ";
    assert_ptr_equal(text_trim(a), a);
    assert_string_equal(a, "a b");
    char b[] = "";
    assert_string_equal(text_trim(b), "");
    char c[] = " \t\r\n\v\f";
    assert_string_equal(text_trim(c), "");
    char d[] = "\t\r\n x \v\f";
    assert_string_equal(text_trim(d), "x");
    char e[] = "plain";
    assert_string_equal(text_trim(e), "plain");
    char f[] = "x   ";
    assert_string_equal(text_trim(f), "x");
    char g[] = "   x";
    assert_string_equal(text_trim(g), "x");
    char h[] = "\xc2\xa0x\xc2\xa0"; /* a no-break space is not ASCII white space */
    assert_string_equal(text_trim(h), "\xc2\xa0x\xc2\xa0");
}

static void test_trim_span(void **state)
{
    (void)state;
    const char *text = "  ab c \t|rest";
    const char *s = text;
    size_t n = 8; /* "  ab c \t" */
    text_trim_span(&s, &n);
    assert_ptr_equal(s, text + 2);
    assert_int_equal(n, 4);
    assert_memory_equal(s, "ab c", 4);

    s = "   ";
    n = 3;
    text_trim_span(&s, &n);
    assert_int_equal(n, 0);

    s = "";
    n = 0;
    text_trim_span(&s, &n);
    assert_int_equal(n, 0);

    const char *word = "word";
    s = word;
    n = 4;
    text_trim_span(&s, &n);
    assert_ptr_equal(s, word);
    assert_int_equal(n, 4);

    /* space after the span is not looked at */
    const char *x = "x  ";
    s = x;
    n = 1;
    text_trim_span(&s, &n);
    assert_ptr_equal(s, x);
    assert_int_equal(n, 1);
}

static void test_ieq(void **state)
{
    (void)state;
    assert_true(text_ieq("yes", "yes"));
    assert_true(text_ieq("Yes", "yES"));
    assert_true(text_ieq("SEMICOLON", "semicolon"));
    assert_true(text_ieq("", ""));
    assert_true(text_ieq("a1-_", "A1-_"));
    assert_false(text_ieq("yes", "ye"));
    assert_false(text_ieq("ye", "yes"));
    assert_false(text_ieq("yes", ""));
    assert_false(text_ieq("", "yes"));
    assert_false(text_ieq("yes", "no"));
    assert_false(text_ieq("[", "{")); /* 0x5B and 0x7B differ by 0x20 but are not letters */
    assert_false(text_ieq("@", "`"));
    assert_true(text_ieq("\xc3\xa9", "\xc3\xa9"));
    assert_false(text_ieq("\xc3\xa9", "\xc3\x89")); /* only ASCII folds */
}

static void test_ieq_span(void **state)
{
    (void)state;
    assert_true(text_ieq_span("abc", "ABCdef", 3));
    assert_false(text_ieq_span("ab", "ABC", 3));
    assert_false(text_ieq_span("abcd", "ABC", 3));
    assert_true(text_ieq_span("", "xyz", 0));
    assert_false(text_ieq_span("a", "xyz", 0));
    assert_true(text_ieq_span("Month", "mONTH,quarter", 5));
    assert_false(text_ieq_span("month", "mONTH,quarter", 6));
}

static void test_dup(void **state)
{
    (void)state;
    assert_null(text_dup(NULL));
    char *a = text_dup("hello");
    assert_non_null(a);
    assert_string_equal(a, "hello");
    free(a);
    char *b = text_ndup("hello world", 5);
    assert_non_null(b);
    assert_string_equal(b, "hello");
    free(b);
    char *c = text_ndup("", 0);
    assert_non_null(c);
    assert_string_equal(c, "");
    free(c);
}

/* An offset is "+hh" or "+hh:mm": a colon with no minutes after it is not one. */
static void test_date_offset_dangling_colon(void **state)
{
    (void)state;
    int32_t d;
    assert_int_not_equal(pdate("2024-03-05T10:20:30+02:", &d), 0);
    assert_int_equal(d, SENTINEL_DAY);
    assert_int_not_equal(pdate("2024-03-05T10:20-05:", &d), 0);
    assert_int_equal(d, SENTINEL_DAY);
}

static void test_format_number(void **state)
{
    (void)state;
    static const struct {
        double v;
        int d;
        const char *want;
    } cases[] = {
        {0, 0, "0"},
        {1234, 0, "1234"},
        {12345, 0, "12,345"},
        {-12345.67, 1, "-12,345.7"},
        {1234567.891, 2, "1,234,567.89"},
        {-0.04, 1, "0.0"},
        {-0.4, 0, "0"},
        {0.125, 3, "0.125"},
        {1000000, 0, "1,000,000"},
        {99999.5, 0, "100,000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        text_format_number(cases[i].v, cases[i].d, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%g with %d decimals: got %s, want %s", cases[i].v, cases[i].d, buf,
                     cases[i].want);
    }
    char small[5];
    text_format_number(123456, 0, small, sizeof small); /* cut, still terminated */
    assert_true(strlen(small) < sizeof small);
}

/* The missing-value rule: empty, or exactly a token (case and length matter). */
static void test_is_missing(void **state)
{
    (void)state;
    char na[] = "NA", sel[] = "Select";
    char *tok[] = {na, sel};
    const size_t lens[] = {2, 6};
    assert_true(text_is_missing("", 0, tok, lens, 2));
    assert_true(text_is_missing("NA", 2, tok, lens, 2));
    assert_true(text_is_missing("Selectx", 6, tok, NULL, 2)); /* the span, not the string */
    assert_false(text_is_missing("na", 2, tok, lens, 2));
    assert_false(text_is_missing("N", 1, tok, lens, 2));
    assert_false(text_is_missing("NAN", 3, tok, NULL, 2));
    assert_false(text_is_missing("x", 1, NULL, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_missing),
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_int_valid),
        cmocka_unit_test(test_int_bounds),
        cmocka_unit_test(test_int_invalid),
        cmocka_unit_test(test_int_spaces),
        cmocka_unit_test(test_int_uses_span_length),
        cmocka_unit_test(test_real_valid),
        cmocka_unit_test(test_real_exponents),
        cmocka_unit_test(test_real_invalid),
        cmocka_unit_test(test_real_spaces),
        cmocka_unit_test(test_real_span_and_length),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_leap_years),
        cmocka_unit_test(test_date_bad_calendar),
        cmocka_unit_test(test_date_with_time),
        cmocka_unit_test(test_date_bad_time),
        cmocka_unit_test(test_date_offset_dangling_colon),
        cmocka_unit_test(test_date_uses_span_length),
        cmocka_unit_test(test_format_date_known),
        cmocka_unit_test(test_date_round_trip_1900_2100),
        cmocka_unit_test(test_date_round_trip_all_years),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_positions),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_trim_span),
        cmocka_unit_test(test_ieq),
        cmocka_unit_test(test_ieq_span),
        cmocka_unit_test(test_dup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
