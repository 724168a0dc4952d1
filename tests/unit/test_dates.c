/* Unit tests for include/mqlcal/dates.h: every layout against hand-computed days, times and
 * formats, the calendar's edges, and the choice of a column's layout (with its ambiguity). */
#include "testutil.h"

#include "mqlcal/dates.h"
#include "mqlcal/text.h"

/* The day of s in layout kind (format for DATE_FORMAT) as YYYY-MM-DD, or "-" when refused. */
static const char *read_as(enum date_kind kind, const char *format, const char *s)
{
    static char out[11];
    struct date_layout l = {kind, format};
    int32_t day;
    if (dates_parse(&l, s, strlen(s), &day))
        return "-";
    text_format_date(day, out);
    return out;
}

static void test_layouts(void **state)
{
    (void)state;
    assert_string_equal(read_as(DATE_ISO, NULL, "2016-10-20"), "2016-10-20");
    assert_string_equal(read_as(DATE_ISO, NULL, "2016-10-20T23:30:00-05:00"), "2016-10-20");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016"), "2016-10-20");
    assert_string_equal(read_as(DATE_MDY, NULL, "1/2/2016"), "2016-01-02");
    assert_string_equal(read_as(DATE_DMY, NULL, "20/10/2016"), "2016-10-20");
    assert_string_equal(read_as(DATE_DMY_DOT, NULL, "01.02.2018"), "2018-02-01");
    assert_string_equal(read_as(DATE_YMD_SLASH, NULL, "2018/02/01"), "2018-02-01");
    /* the wrong layout refuses */
    assert_string_equal(read_as(DATE_MDY, NULL, "20/10/2016"), "-");
    assert_string_equal(read_as(DATE_DMY, NULL, "10/20/2016"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "2016-10-20"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/16"), "-"); /* two-digit years: a format */
    assert_string_equal(read_as(DATE_YMD_SLASH, NULL, "18/02/01"), "-");
}

static void test_times(void **state)
{
    (void)state;
    /* a timestamp keeps its own date: the time is checked and dropped */
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 23:59"), "2016-10-20");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 11:59:59 PM"), "2016-10-20");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 12:00 am"), "2016-10-20");
    assert_string_equal(read_as(DATE_DMY_DOT, NULL, "20.10.2016 08:15:00.250"), "2016-10-20");
    assert_string_equal(read_as(DATE_YMD_SLASH, NULL, "2016/10/20T08:15"), "2016-10-20");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 24:00"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 13:00 PM"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 9:60"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 later"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "10/20/2016 "), "-"); /* values come trimmed */
}

static void test_calendar(void **state)
{
    (void)state;
    assert_string_equal(read_as(DATE_MDY, NULL, "2/29/2024"), "2024-02-29");
    assert_string_equal(read_as(DATE_MDY, NULL, "2/29/2023"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "2/29/1900"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "2/29/2000"), "2000-02-29");
    assert_string_equal(read_as(DATE_DMY, NULL, "31/04/2020"), "-");
    assert_string_equal(read_as(DATE_DMY, NULL, "0/04/2020"), "-");
    assert_string_equal(read_as(DATE_MDY, NULL, "13/01/2020"), "-");
}

static void test_formats(void **state)
{
    (void)state;
    assert_string_equal(read_as(DATE_FORMAT, "%m/%d/%Y %H:%M", "10/20/2016 19:58"), "2016-10-20");
    assert_string_equal(read_as(DATE_FORMAT, "%d %b %Y", "5 Oct 2016"), "2016-10-05");
    assert_string_equal(read_as(DATE_FORMAT, "%d %B %Y", "5 october 2016"), "2016-10-05");
    assert_string_equal(read_as(DATE_FORMAT, "%y%m%d", "161020"), "2016-10-20");
    assert_string_equal(read_as(DATE_FORMAT, "%y-%m-%d", "69-01-01"), "1969-01-01");
    assert_string_equal(read_as(DATE_FORMAT, "%Y-%m-%dT%H:%M:%S%z", "2016-10-20T23:30:00+05:30"),
                        "2016-10-20");
    assert_string_equal(read_as(DATE_FORMAT, "%I:%M %p %m/%d/%Y", "11:05 pm 10/20/2016"),
                        "2016-10-20");
    assert_string_equal(read_as(DATE_FORMAT, "%m/%d/%Y", "10/20/2016 19:58"), "-"); /* whole */
    assert_string_equal(read_as(DATE_FORMAT, "%d %b %Y", "5 Okt 2016"), "-");
    assert_string_equal(read_as(DATE_FORMAT, "%I:%M %p %m/%d/%Y", "13:05 pm 10/20/2016"), "-");
    struct mql_err err;
    assert_int_equal(dates_check_format("%m/%d/%Y", &err), 0);
    assert_int_equal(dates_check_format("%m/%d/%Q", &err), MQL_EINPUT);
    assert_err_contains(&err, "'%Q'");
    assert_int_equal(dates_check_format("%m/%Y", &err), MQL_EINPUT);
    assert_err_contains(&err, "a day");
    assert_int_equal(dates_check_format("%d/%m/%", &err), MQL_EINPUT);
}

static void vote_all(struct dates_votes *v, const char *const *values, size_t n)
{
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < n; i++)
        dates_vote(v, values[i], strlen(values[i]));
}

static void test_detect(void **state)
{
    (void)state;
    struct dates_votes v;
    struct date_layout l;
    struct mql_err err;
    /* one value with a day above 12 decides M/D; a typo does not outvote the column */
    static const char *const us[] = {"1/2/2016", "3/4/2016", "10/20/2016", "bad"};
    vote_all(&v, us, 4);
    assert_int_equal(dates_detect(&v, "c", &l, &err), 0);
    assert_int_equal(l.kind, DATE_MDY);
    static const char *const eu[] = {"1/2/2016", "20/10/2016"};
    vote_all(&v, eu, 2);
    assert_int_equal(dates_detect(&v, "c", &l, &err), 0);
    assert_int_equal(l.kind, DATE_DMY);
    static const char *const dots[] = {"01.02.2018", "31.12.2017"};
    vote_all(&v, dots, 2);
    assert_int_equal(dates_detect(&v, "c", &l, &err), 0);
    assert_int_equal(l.kind, DATE_DMY_DOT);
    /* the majority decides: ISO with one US value */
    static const char *const mostly_iso[] = {"2016-01-02", "2016-01-03", "1/4/2016"};
    vote_all(&v, mostly_iso, 3);
    assert_int_equal(dates_detect(&v, "c", &l, &err), 0);
    assert_int_equal(l.kind, DATE_ISO);
    /* ambiguous: named, with two values and both readings */
    static const char *const amb[] = {"1/2/2016", "1/2/2016", "3/4/2016", "5/5/2016"};
    vote_all(&v, amb, 4);
    assert_int_equal(dates_detect(&v, "Created Date", &l, &err), MQL_EINPUT);
    assert_err_contains(&err, "column 'Created Date': ambiguous dates");
    assert_err_contains(&err, "'1/2/2016' is 2016-01-02 or 2016-02-01");
    assert_err_contains(&err, "'3/4/2016' is 2016-03-04 or 2016-04-03");
    /* the same day either way is no ambiguity */
    static const char *const same[] = {"5/5/2016", "7/7/2017"};
    vote_all(&v, same, 2);
    assert_int_equal(dates_detect(&v, "c", &l, &err), 0);
    static const char *const none[] = {"soon", "later"};
    vote_all(&v, none, 2);
    assert_int_equal(dates_detect(&v, "c", &l, &err), MQL_EINPUT);
    assert_err_contains(&err, "no value reads as a date");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),  cmocka_unit_test(test_times),
        cmocka_unit_test(test_calendar), cmocka_unit_test(test_formats),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
