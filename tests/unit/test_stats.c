/*
 * Unit tests for stats.h on values worked out by hand: the NaN-last ordering, Holm's step-down
 * and Benjamini-Hochberg's step-up adjustments, with a tie.
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/stats.h"

static void test_order(void **state)
{
    (void)state;
    double v[] = {3, NAN, -1, 2, NAN, 0};
    qsort(v, 6, sizeof *v, stats_cmp_double);
    assert_true(v[0] == -1 && v[1] == 0 && v[2] == 2 && v[3] == 3);
    assert_true(isnan(v[4]) && isnan(v[5]));
}

/* p = 0.01, 0.04, 0.03, 0.005. Holm: sorted 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06,
 * 0.04 x 1 = 0.04 -> 0.06 (monotone). BH: from the largest, 0.04 x 4/4 = 0.04, 0.03 x 4/3 =
 * 0.04, 0.01 x 4/2 = 0.02, 0.005 x 4/1 = 0.02. */
static void test_adjust(void **state)
{
    (void)state;
    const double p[] = {0.01, 0.04, 0.03, 0.005};
    double h[4], b[4];
    assert_int_equal(stats_holm(p, 4, h), 0);
    assert_near(h[0], 0.03, 1e-15);
    assert_near(h[1], 0.06, 1e-15);
    assert_near(h[2], 0.06, 1e-15);
    assert_near(h[3], 0.02, 1e-15);
    assert_int_equal(stats_bh(p, 4, b), 0);
    assert_near(b[0], 0.02, 1e-15);
    assert_near(b[1], 0.04, 1e-15);
    assert_near(b[2], 0.04, 1e-15);
    assert_near(b[3], 0.02, 1e-15);
}

/* Ties get equal adjusted values; large p-values stop at 1; n = 0 writes nothing. */
static void test_ties_and_bounds(void **state)
{
    (void)state;
    const double p[] = {0.2, 0.01, 0.2, 0.9};
    double h[4], b[4];
    assert_int_equal(stats_holm(p, 4, h), 0);
    assert_true(h[0] == h[2]);
    assert_near(h[1], 0.04, 1e-15);
    assert_near(h[0], 0.6, 1e-15); /* 0.2 x 3 */
    assert_near(h[3], 0.9, 1e-15); /* 0.9 x 1, above the 0.6 before it */
    const double q[] = {0.5, 0.6};
    double hq[2];
    assert_int_equal(stats_holm(q, 2, hq), 0);
    assert_true(hq[0] == 1.0 && hq[1] == 1.0); /* 0.5 x 2 = 1, then kept: capped at 1 */
    assert_int_equal(stats_bh(p, 4, b), 0);
    assert_true(b[0] == b[2]);
    assert_near(b[0], 0.2 * 4 / 3, 1e-15);
    assert_near(b[3], 0.9, 1e-15);
    double none = -1;
    assert_int_equal(stats_holm(p, 0, &none), 0);
    assert_true(none == -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_adjust),
        cmocka_unit_test(test_ties_and_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
