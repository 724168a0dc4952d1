/*
 * Unit tests for forecast.h on series worked out by hand: the capacity statistics, the recent
 * periods, the growth per block, and a rule's next quarter with its intervals.
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/forecast.h"

#define Z95 1.959963984540054
#define T975_DF2 4.302652729749462 /* qt(0.975, 2) in R */

static void test_capacity_stat(void **state)
{
    (void)state;
    double v[3] = {5, 0, 4};
    assert_true(forecast_capacity_stat(v, 3, CAPACITY_MEAN, 1) == 3.0);
    double w[3] = {5, 0, 4};
    assert_near(forecast_capacity_stat(w, 3, CAPACITY_P90, 1), 4.8, 1e-12); /* 4 + 0.8 (5 - 4) */
    double x[3] = {5, 0, 4};
    assert_true(forecast_capacity_stat(x, 3, CAPACITY_MAX, 2) == 10.0);
    double one = 7;
    assert_true(forecast_capacity_stat(&one, 1, CAPACITY_P90, 1) == 7.0);
    assert_true(isnan(forecast_capacity_stat(NULL, 0, CAPACITY_MEAN, 1)));
}

static void test_recent(void **state)
{
    (void)state;
    /* periods 0 .. 5, the last one partial: the latest whole ones are 4, 3, 2 */
    const unsigned char whole[6] = {1, 1, 1, 1, 1, 0};
    size_t idx[6];
    assert_int_equal(forecast_recent(whole, 6, 3, idx), 3);
    assert_int_equal(idx[0], 4);
    assert_int_equal(idx[1], 3);
    assert_int_equal(idx[2], 2);
    assert_int_equal(forecast_recent(NULL, 2, 3, idx), 2); /* fewer periods than k */
    assert_int_equal(idx[0], 1);
}

/* Lead volume doubling from one block of 3 months to the next (100, 200, 400 a month): the
 * growth per block is 2. The oldest leftover period (10 periods, 3 blocks) is not a block. */
static void test_growth(void **state)
{
    (void)state;
    const double leads[10] = {7, 100, 100, 100, 200, 200, 200, 400, 400, 400};
    int measured = 0;
    assert_near(forecast_growth(leads, NULL, 10, 3, &measured), 2.0, 1e-12);
    assert_true(measured);
    /* two blocks: too short to measure */
    assert_true(forecast_growth(leads + 4, NULL, 6, 3, &measured) == 1.0);
    assert_false(measured);
}

/* 12 months of 300 leads, the rule's 30 MQLs a month, 10 of them decided with 4 SQLs: the
 * four blocks are alike, so no change beyond counting noise (var D = 0 < its Poisson part) and
 * no drift of conversion (every block converts 0.4: tau2 = 0). The forecast: 30 a month, log
 * variance 1/(3 x 30) + 1/(3 x 30), t with 3 - 1 = 2 degrees of freedom; conversion on the basis
 * 40 of 100: 0.4 +- z sqrt(0.24 (1/100 + 1/90)); SQLs 12 a month, log variance 2/90 + the
 * conversion's variance / 0.16. */
static void test_rule(void **state)
{
    (void)state;
    double leads[12], mqls[12], dec[12], sqls[12];
    for (int i = 0; i < 12; i++) {
        leads[i] = 300;
        mqls[i] = 30;
        dec[i] = 10;
        sqls[i] = 4;
    }
    struct forecast_input in = {.n = 12,
                                .leads = leads,
                                .mqls = mqls,
                                .decided = dec,
                                .sqls = sqls,
                                .k = 3,
                                .basis_decided = 100,
                                .basis_sqls = 40,
                                .capacity = 1000,
                                .rule = CAPACITY_P90,
                                .seed = 1,
                                .draws = 2000};
    struct forecast f;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(forecast_rule(&in, &f, &err), 0);
    assert_int_equal(f.recent, 3);
    assert_int_equal(f.blocks, 4);
    assert_true(f.growth_measured);
    assert_true(f.growth == 1.0);
    assert_true(f.level == 30.0);
    assert_true(f.tau2 == 0.0);
    double V = 2.0 / 90.0;
    assert_near(f.mqls, 30, 1e-12);
    assert_near(f.mqls_lo, 30 * exp(-T975_DF2 * sqrt(V)), 1e-9);
    assert_near(f.mqls_hi, 30 * exp(T975_DF2 * sqrt(V)), 1e-9);
    double varp = 0.24 * (0.01 + 1.0 / 90.0);
    assert_near(f.conversion, 0.4, 1e-15);
    assert_near(f.conv_lo, 0.4 - Z95 * sqrt(varp), 1e-12);
    assert_near(f.conv_hi, 0.4 + Z95 * sqrt(varp), 1e-12);
    double Vs = V + varp / 0.16;
    assert_near(f.sqls, 12, 1e-12);
    assert_near(f.sqls_lo, 12 * exp(-T975_DF2 * sqrt(Vs)), 1e-9);
    assert_near(f.sqls_hi, 12 * exp(T975_DF2 * sqrt(Vs)), 1e-9);
    /* capacity 1000, no target: every draw fits */
    assert_true(f.feasible_share == 1.0);
    /* the same seed, the same chance; capacity at the level: about half */
    in.capacity = 30;
    struct forecast a, b;
    assert_int_equal(forecast_rule(&in, &a, &err), 0);
    assert_int_equal(forecast_rule(&in, &b, &err), 0);
    assert_true(a.feasible_share == b.feasible_share);
    assert_true(a.feasible_share > 0.1 && a.feasible_share < 0.6);
}

/* Conversion drifting between blocks (0.2, 0.6, 0.2, 0.6 on 100 decided each): tau2 =
 * var(0.2, 0.6, 0.2, 0.6) - 0.4 x 0.6 / 100 = 0.05333 - 0.0024; no basis: no conversion. */
static void test_drift_and_no_basis(void **state)
{
    (void)state;
    double leads[12], mqls[12], dec[12], sqls[12];
    for (int i = 0; i < 12; i++) {
        leads[i] = 300;
        mqls[i] = 40;
        dec[i] = 100.0 / 3;
        sqls[i] = (i / 3) % 2 ? 20 : 20.0 / 3;
    }
    struct forecast_input in = {.n = 12,
                                .leads = leads,
                                .mqls = mqls,
                                .decided = dec,
                                .sqls = sqls,
                                .k = 3,
                                .basis_decided = 0,
                                .seed = 1,
                                .draws = 0};
    struct forecast f;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(forecast_rule(&in, &f, &err), 0);
    assert_near(f.tau2, 0.16 / 3 - 0.0024, 1e-12);
    assert_true(isnan(f.conversion) && isnan(f.sqls));
    assert_true(isnan(f.feasible_share));
    assert_near(f.mqls, 40, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_stat),
        cmocka_unit_test(test_recent),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_drift_and_no_basis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
