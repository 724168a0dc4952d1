/*
 * Unit tests for the Kaplan-Meier estimate of time to SQL (maturity.h), on a curve computed by
 * hand: 8 leads, ties of events and of an event with a censoring on day 1, a day with only a
 * censoring, and a last step of censorings alone. R's survfit (survival 3.5.3) gives the same
 * values to 15 digits (its std.err is the Greenwood standard error of log S; lower and upper its
 * default "log" band).
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/maturity.h"

static const int32_t T8[] = {1, 1, 1, 2, 3, 4, 4, 5};
static const unsigned char E8[] = {1, 1, 0, 1, 0, 1, 1, 0};

static void test_curve(void **state)
{
    (void)state;
    struct km_curve k;
    assert_int_equal(km_estimate(T8, E8, 8, &k), 0);
    assert_int_equal(k.n, 5);
    assert_int_equal(k.subjects, 8);
    assert_int_equal(k.events, 5);
    /* day, at risk, events, censored, S, se(log S) */
    static const struct {
        int32_t t;
        uint64_t r, d, c;
        double s, se, lo;
    } want[] = {
        {1, 8, 2, 1, 0.75, 0.204124145231932, 0.5027018412940469},
        {2, 5, 1, 0, 0.60, 0.302765035409749, 0.3314646243432969},
        {3, 4, 0, 1, 0.60, 0.302765035409749, 0.3314646243432969},
        {4, 3, 2, 0, 0.20, 0.870823365174209, 0.0362897355443254},
        {5, 1, 0, 1, 0.20, 0.870823365174209, 0.0362897355443254},
    };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(k.s[i].t, want[i].t);
        assert_int_equal(k.s[i].at_risk, want[i].r);
        assert_int_equal(k.s[i].events, want[i].d);
        assert_int_equal(k.s[i].censored, want[i].c);
        assert_true(fabs(k.s[i].surv - want[i].s) < 1e-14);
        assert_true(fabs(k.s[i].se_log - want[i].se) < 1e-14);
        assert_true(fabs(k.s[i].lo - want[i].lo) < 1e-14);
        assert_true(k.s[i].hi == 1.0); /* clipped at 1, as R does */
    }
    /* F(t) = 1 - S(t), a step function */
    assert_true(km_converted(&k, 0) == 0.0);
    assert_true(fabs(km_converted(&k, 1) - 0.25) < 1e-15);
    assert_true(fabs(km_converted(&k, 3) - 0.40) < 1e-15);
    assert_true(fabs(km_converted(&k, 100) - 0.80) < 1e-15);
    /* quantiles among the leads that convert: the first day F reaches q of F's last value */
    assert_int_equal(km_quantile(&k, 0.30), 1); /* 0.24 */
    assert_int_equal(km_quantile(&k, 0.50), 2); /* 0.40 */
    assert_int_equal(km_quantile(&k, 0.95), 4); /* 0.76 */
    assert_int_equal(km_quantile(&k, 1.00), 4); /* the last event, despite rounding */
    km_release(&k);
}

static void test_edges(void **state)
{
    (void)state;
    struct km_curve k;
    /* no event: no quantile */
    static const int32_t t[] = {3, 5};
    static const unsigned char none[] = {0, 0};
    assert_int_equal(km_estimate(t, none, 2, &k), 0);
    assert_int_equal(km_quantile(&k, 0.95), -1);
    assert_true(km_converted(&k, 10) == 0.0);
    km_release(&k);
    /* every lead converts: S reaches 0, its band is undefined (NaN), not a division by zero */
    static const unsigned char all[] = {1, 1};
    assert_int_equal(km_estimate(t, all, 2, &k), 0);
    assert_true(k.s[1].surv == 0.0);
    assert_true(isnan(k.s[1].lo) && isnan(k.s[1].hi));
    assert_int_equal(km_quantile(&k, 0.5), 3);
    km_release(&k);
    /* nothing at all, and a negative time */
    assert_int_equal(km_estimate(t, all, 0, &k), 0);
    assert_int_equal(k.n, 0);
    assert_int_equal(km_quantile(&k, 0.5), -1);
    km_release(&k);
    static const int32_t neg[] = {-1};
    assert_int_equal(km_estimate(neg, all, 1, &k), -1);
    km_release(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
