/* Unit tests for include/mqlcal/validate.h. */
#include "testutil.h"

#include <math.h>

#include "mqlcal/validate.h"

#define Z95 1.959964
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define NEAR(got, want, tol) assert_near((got), (want), (tol)) /* testutil.h */

/* ---- a small fixture worked out by hand ----
 *
 * positives: 0.8 0.6 0.4          negatives: 0.6 0.4 0.4 0.2
 *
 * V10 (share of negatives a positive outranks, ties 1/2):
 *   0.8: 4/4 = 24/24     0.6: (3 + 1/2)/4 = 21/24     0.4: (1 + 2/2)/4 = 12/24
 * V01 (share of positives that outrank a negative, ties 1/2):
 *   0.6: (1 + 1/2)/3 = 12/24   0.4: (2 + 1/2)/3 = 20/24 (twice)   0.2: 3/3 = 24/24
 * AUC = mean V10 = 57/72 = 19/24 = mean V01 = 76/96 = 19/24.
 * S10 = ((5)^2 + (2)^2 + (-7)^2) / 24^2 / (3 - 1) = 78/1152 = 13/192
 * S01 = ((-7)^2 + 1 + 1 + 5^2) / 24^2 / (4 - 1) = 76/1728 = 19/432
 * var = S10/3 + S01/4 = 13/576 + 19/1728 = 58/1728 = 29/864, se = sqrt(29/864) = 0.18320...
 * interval: 19/24 - 1.959964 se = 0.43259..., 19/24 + 1.959964 se = 1.15 -> clipped to 1.
 *
 * KS over thresholds t = 0.2 0.4 0.6 0.8:
 *   F_pos = 0 1/3 2/3 1,  F_neg = 1/4 3/4 1 1,  gap = 1/4 5/12 1/3 0  -> 5/12 at 0.4.
 *
 * As probabilities: Brier = ((.2^2 + .4^2 + .6^2) + (.6^2 + .4^2 + .4^2 + .2^2)) / 7
 *                         = (0.56 + 0.72) / 7 = 1.28 / 7
 *   log loss = -(ln .8 + ln .6 + ln .4 + ln .4 + ln .6 + ln .6 + ln .8) / 7
 *            = -ln(.8^2 .6^3 .4^2) / 7 = -ln(0.0221184) / 7
 */
static const double hand_p[] = {0.8, 0.6, 0.6, 0.4, 0.4, 0.4, 0.2};
static const unsigned char hand_y[] = {1, 1, 0, 1, 0, 0, 0};

static void test_auc_hand(void **state)
{
    (void)state;
    struct validate_auc a;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(validate_auc(hand_p, hand_y, 7, &a, &err), 0);
    assert_int_equal(a.n_pos, 3);
    assert_int_equal(a.n_neg, 4);
    NEAR(a.auc, 19.0 / 24.0, 1e-15);
    NEAR(a.se, sqrt(29.0 / 864.0), 1e-15);
    NEAR(a.lo, 19.0 / 24.0 - Z95 * sqrt(29.0 / 864.0), 1e-15);
    assert_true(a.hi == 1.0);
}

static void test_auc_order_free(void **state)
{
    (void)state;
    /* The same leads in another order give bit-identical results. */
    static const double p[] = {0.4, 0.2, 0.6, 0.8, 0.4, 0.6, 0.4};
    static const unsigned char y[] = {0, 0, 1, 1, 1, 0, 0};
    struct validate_auc a, b;
    struct mql_err err;
    assert_int_equal(validate_auc(hand_p, hand_y, 7, &a, &err), 0);
    assert_int_equal(validate_auc(p, y, 7, &b, &err), 0);
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_auc_all_tied(void **state)
{
    (void)state;
    /* Every V10 and V01 is 1/2: AUC 1/2 with no variance. */
    double p[9];
    unsigned char y[9];
    for (int i = 0; i < 9; i++) {
        p[i] = 0.3;
        y[i] = (unsigned char)(i % 3 == 0);
    }
    struct validate_auc a;
    struct mql_err err;
    assert_int_equal(validate_auc(p, y, 9, &a, &err), 0);
    assert_true(a.auc == 0.5);
    assert_true(a.se == 0.0);
    assert_true(a.lo == 0.5 && a.hi == 0.5);
}

static void test_auc_perfect(void **state)
{
    (void)state;
    static const double p[] = {0.9, 0.1, 0.8, 0.2, 0.7, 0.3};
    static const unsigned char y[] = {1, 0, 1, 0, 1, 0};
    static const unsigned char flip[] = {0, 1, 0, 1, 0, 1};
    struct validate_auc a;
    struct mql_err err;
    assert_int_equal(validate_auc(p, y, 6, &a, &err), 0);
    assert_true(a.auc == 1.0 && a.se == 0.0 && a.lo == 1.0 && a.hi == 1.0);
    assert_int_equal(validate_auc(p, flip, 6, &a, &err), 0);
    assert_true(a.auc == 0.0 && a.se == 0.0 && a.lo == 0.0 && a.hi == 0.0);
}

static void test_auc_one_class(void **state)
{
    (void)state;
    static const double p[] = {0.1, 0.5, 0.9};
    static const unsigned char ones[] = {1, 1, 1}, zeros[] = {0, 0, 0};
    struct validate_auc a;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(validate_auc(p, ones, 3, &a, &err), MQL_EINPUT);
    assert_int_equal(err.code, MQL_EINPUT);
    assert_err_contains(&err, "both outcomes");
    assert_err_contains(&err, "3 positives and 0 negatives");
    assert_int_equal(validate_auc(p, zeros, 3, &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "0 positives and 3 negatives");
    assert_int_equal(validate_auc(p, zeros, 0, &a, &err), MQL_EINPUT);
}

static void test_auc_bad_input(void **state)
{
    (void)state;
    double p[] = {0.1, 0.5, 0.9};
    unsigned char y[] = {1, 0, 2};
    struct validate_auc a;
    struct mql_err err;
    assert_int_equal(validate_auc(p, y, 3, &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "outcome 2: expected 0 or 1, got 2");
    y[2] = 1;
    p[1] = NAN;
    assert_int_equal(validate_auc(p, y, 3, &a, &err), MQL_EINPUT);
    assert_err_contains(&err, "score 1");
    double ks, at;
    assert_int_equal(validate_ks(p, y, 3, &ks, &at, &err), MQL_EINPUT);
    assert_err_contains(&err, "score 1");
}

static void test_auc_singleton_class(void **state)
{
    (void)state;
    /* One positive: AUC is defined (2 of 3 negatives below it, one tied: 2.5/3) but the
     * positives' sample variance is not, so the interval says nothing. */
    static const double p[] = {0.5, 0.2, 0.3, 0.5};
    static const unsigned char y[] = {1, 0, 0, 0};
    struct validate_auc a;
    struct mql_err err;
    assert_int_equal(validate_auc(p, y, 4, &a, &err), 0);
    NEAR(a.auc, 2.5 / 3.0, 1e-15);
    assert_true(isnan(a.se));
    assert_true(a.lo == 0.0 && a.hi == 1.0);
}

static void test_auc_signed_zero_and_infinity(void **state)
{
    (void)state;
    /* -0.0 ties with +0.0; infinities rank at the ends. Positives: -0, +inf; negatives: +0,
     * -inf. V10: -0 -> (1 + 1/2)/2 = 3/4, +inf -> 1. AUC = 7/8. */
    static const double p[] = {-0.0, INFINITY, 0.0, -INFINITY};
    static const unsigned char y[] = {1, 1, 0, 0};
    struct validate_auc a;
    struct mql_err err;
    assert_int_equal(validate_auc(p, y, 4, &a, &err), 0);
    assert_true(a.auc == 0.875);
    double ks, at;
    /* F_pos at -inf, 0, inf: 0 1/2 1; F_neg: 1/2 1 1 -> 1/2 at -inf first. */
    assert_int_equal(validate_ks(p, y, 4, &ks, &at, &err), 0);
    assert_true(ks == 0.5);
    assert_true(isinf(at) && at < 0);
}

/* ---- DeLong against a plain O(n^2) reading of the definition ---- */

static uint32_t lcg_next(uint32_t *x)
{
    *x = 1664525u * *x + 1013904223u;
    return *x;
}

static void naive_delong(const double *s, const unsigned char *y, size_t n, double *auc, double *se)
{
    size_t np = 0, nn = 0;
    for (size_t i = 0; i < n; i++)
        np += y[i];
    nn = n - np;
    double *v10 = calloc(n, sizeof *v10), *v01 = calloc(n, sizeof *v01);
    assert_non_null(v10);
    assert_non_null(v01);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!y[i])
            continue;
        for (size_t j = 0; j < n; j++) {
            if (y[j])
                continue;
            double psi = s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
            v10[i] += psi / (double)nn;
            v01[j] += psi / (double)np;
            sum += psi;
        }
    }
    *auc = sum / ((double)np * (double)nn);
    double s10 = 0.0, s01 = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (y[i])
            s10 += (v10[i] - *auc) * (v10[i] - *auc);
        else
            s01 += (v01[i] - *auc) * (v01[i] - *auc);
    }
    *se = sqrt(s10 / (double)(np - 1) / (double)np + s01 / (double)(nn - 1) / (double)nn);
    free(v10);
    free(v01);
}

static void test_auc_matches_naive(void **state)
{
    (void)state;
    enum { N = 300 };
    double s[N];
    unsigned char y[N];
    uint32_t x = 7;
    for (int round = 0; round < 20; round++) {
        /* Odd rounds draw from 12 levels (many ties), even ones from a continuum; some rounds
         * have few positives. */
        unsigned levels = round % 2 ? 12u : 0u;
        double rate = round % 4 == 0 ? 0.05 : 0.4;
        for (int i = 0; i < N; i++) {
            uint32_t a = lcg_next(&x);
            s[i] = levels ? (double)(a % levels) - 5.0 : (double)a / 4294967296.0;
            double u = (double)lcg_next(&x) / 4294967296.0;
            double shift = levels ? (s[i] + 5.0) / 12.0 : s[i];
            y[i] = (unsigned char)(u < rate + 0.3 * shift);
        }
        double want_auc, want_se;
        naive_delong(s, y, N, &want_auc, &want_se);
        struct validate_auc a;
        struct mql_err err;
        assert_int_equal(validate_auc(s, y, N, &a, &err), 0);
        NEAR(a.auc, want_auc, 1e-12);
        NEAR(a.se, want_se, 1e-12);
        NEAR(a.lo, fmax(0.0, want_auc - Z95 * want_se), 1e-12);
        NEAR(a.hi, fmin(1.0, want_auc + Z95 * want_se), 1e-12);
    }
}

/* ---- pROC references (scripts/reference-validate.R prints these) ----
 *
 * The fixtures come from the same 32-bit LCG in C and in R; see the script for the rules. */

struct ref {
    size_t n_pos, n_neg;
    double auc, se, lo, hi, ks, ks_at, brier, log_loss;
};

/* ties: n = 400, 209 positives; pROC ci.auc(delong) = [0.71479604635577254, 0.80713586576627461]
 * (pROC uses qnorm(0.975); the bounds below use 1.959964) */
static const struct ref ref_ties = {
    .n_pos = 209,
    .n_neg = 191,
    .auc = 0.76096595606102357,
    .se = 0.023556509236615248,
    .lo = 0.71479604599159019,
    .hi = 0.80713586613045696,
    .ks = 0.40221448433076984,
    .ks_at = 1.875,
};
/* cont: n = 500, 248 positives; pROC ci.auc(delong) = [0.65302951480098281, 0.74411590250572468]
 */
static const struct ref ref_cont = {
    .n_pos = 248,
    .n_neg = 252,
    .auc = 0.69857270865335386,
    .se = 0.0232367503748078,
    .lo = 0.65302951444174406,
    .hi = 0.74411590286496365,
    .ks = 0.29429083461341526,
    .ks_at = 0.62414484657347202,
    .brier = 0.23249551043617728,
    .log_loss = 0.68943894382616933,
};
/* calib_ties: the ties fixture's scores / 4, nbins = 10 */
static const struct validate_bin ref_calib_ties[] = {
    {53, 6, 0, 0.125, 0.067216981132075471, 0.11320754716981132, 0.052930309167799755,
     0.22576519219817101},
    {30, 10, 0.15625, 0.21875, 0.18333333333333332, 0.33333333333333331, 0.19230497996726423,
     0.51219948495321976},
    {40, 18, 0.25, 0.34375, 0.296875, 0.45000000000000001, 0.30705307711089141,
     0.60170908313495497},
    {46, 19, 0.375, 0.4375, 0.40081521739130432, 0.41304347826086957, 0.28288603134699231,
     0.55660502329783557},
    {43, 21, 0.46875, 0.53125, 0.5, 0.48837209302325579, 0.34617447444439342, 0.63247691635591952},
    {39, 21, 0.5625, 0.625, 0.59615384615384615, 0.53846153846153844, 0.38569448158286379,
     0.6843311449559597},
    {38, 24, 0.65625, 0.71875, 0.69161184210526316, 0.63157894736842102, 0.47283959433926359,
     0.76615780841311043},
    {37, 26, 0.75, 0.8125, 0.77027027027027029, 0.70270270270270274, 0.54216863958686934,
     0.82510521425848127},
    {47, 39, 0.84375, 0.90625, 0.87433510638297873, 0.82978723404255317, 0.69860223909286634,
     0.91113636168919254},
    {27, 25, 0.9375, 0.96875, 0.95601851851851849, 0.92592592592592593, 0.76630407151881108,
     0.97944534612460965},
};
/* calib_cont: the continuous fixture, nbins = 7 */
static const struct validate_bin ref_calib_cont[] = {
    {72, 20, 0.00012929551303386688, 0.19331122096627951, 0.096333239162858159, 0.27777777777777779,
     0.187602857967967, 0.39046433018983046},
    {71, 19, 0.19507173355668783, 0.32607130194082856, 0.26852968096418278, 0.26760563380281688,
     0.17852803427722813, 0.38053988752343576},
    {72, 35, 0.33018982084468007, 0.45695104356855154, 0.39331982880442712, 0.4861111111111111,
     0.37432674445887404, 0.59930245480098832},
    {71, 32, 0.4570670248940587, 0.59082329412922263, 0.52374701365225118, 0.45070422535211269,
     0.3404796109419389, 0.56598934216729291},
    {72, 41, 0.59297083923593163, 0.71848888602107763, 0.65243450453918839, 0.56944444444444442,
     0.45443306078469081, 0.67742094291599753},
    {71, 46, 0.72422557603567839, 0.87527647567912936, 0.79952915136794178, 0.647887323943662,
     0.53182062118674023, 0.74877251948556456},
    {71, 55, 0.87600837741047144, 0.99992596544325352, 0.9370993434871272, 0.77464788732394363,
     0.66484824307735302, 0.8562533038854987},
};

/* The fixture of scripts/reference-validate.R: two LCG draws per lead. */
static void fixture(size_t n, uint32_t seed, int ties, double *s, unsigned char *y)
{
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        uint32_t x1 = lcg_next(&x), x2 = lcg_next(&x);
        double u = (double)x2 / 4294967296.0;
        if (ties) {
            uint32_t b = x1 >> 27;
            s[i] = (double)b / 8.0;
            y[i] = (unsigned char)(u < 0.15 + 0.7 * (double)b / 31.0);
        } else {
            s[i] = (double)x1 / 4294967296.0;
            y[i] = (unsigned char)(u < 0.2 + 0.6 * s[i]);
        }
    }
}

static void check_ref(const double *s, const unsigned char *y, size_t n, const struct ref *r)
{
    struct validate_auc a;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(validate_auc(s, y, n, &a, &err), 0);
    assert_int_equal(a.n_pos, r->n_pos);
    assert_int_equal(a.n_neg, r->n_neg);
    NEAR(a.auc, r->auc, 1e-12);
    NEAR(a.se, r->se, 1e-12);
    NEAR(a.lo, r->lo, 1e-12);
    NEAR(a.hi, r->hi, 1e-12);
    double ks, at;
    assert_int_equal(validate_ks(s, y, n, &ks, &at, &err), 0);
    NEAR(ks, r->ks, 1e-12);
    assert_true(at == r->ks_at);
}

static void check_bins(const struct validate_bin *got, size_t ngot, const struct validate_bin *want,
                       size_t nwant)
{
    assert_int_equal(ngot, nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(got[i].n, want[i].n);
        assert_int_equal(got[i].positives, want[i].positives);
        assert_true(got[i].p_min == want[i].p_min);
        assert_true(got[i].p_max == want[i].p_max);
        NEAR(got[i].predicted, want[i].predicted, 1e-12);
        NEAR(got[i].observed, want[i].observed, 1e-15);
        NEAR(got[i].lo, want[i].lo, 1e-12);
        NEAR(got[i].hi, want[i].hi, 1e-12);
    }
}

static void test_proc_ties(void **state)
{
    (void)state;
    double s[400];
    unsigned char y[400];
    fixture(400, 20261126u, 1, s, y);
    check_ref(s, y, 400, &ref_ties);

    for (size_t i = 0; i < 400; i++)
        s[i] /= 4.0;
    struct validate_bin bins[10];
    size_t nb = 99;
    struct mql_err err;
    assert_int_equal(validate_calibration(s, y, 400, 10, bins, &nb, &err), 0);
    check_bins(bins, nb, ref_calib_ties, N_OF(ref_calib_ties));
}

static void test_proc_continuous(void **state)
{
    (void)state;
    double s[500];
    unsigned char y[500];
    fixture(500, 12345u, 0, s, y);
    check_ref(s, y, 500, &ref_cont);
    NEAR(validate_brier(s, y, 500), ref_cont.brier, 1e-12);
    NEAR(validate_log_loss(s, y, 500), ref_cont.log_loss, 1e-12);

    struct validate_bin bins[7];
    size_t nb = 99;
    struct mql_err err;
    assert_int_equal(validate_calibration(s, y, 500, 7, bins, &nb, &err), 0);
    check_bins(bins, nb, ref_calib_cont, N_OF(ref_calib_cont));
}

/* ---- KS ---- */

static void test_ks_hand(void **state)
{
    (void)state;
    double ks = -1, at = -1;
    struct mql_err err;
    assert_int_equal(validate_ks(hand_p, hand_y, 7, &ks, &at, &err), 0);
    NEAR(ks, 5.0 / 12.0, 1e-15);
    assert_true(at == 0.4);
}

static void test_ks_edges(void **state)
{
    (void)state;
    static const double tied[] = {0.5, 0.5, 0.5, 0.5};
    static const double sep[] = {0.9, 0.1, 0.8, 0.2};
    static const unsigned char y[] = {1, 0, 1, 0};
    static const unsigned char ones[] = {1, 1, 1, 1};
    double ks, at;
    struct mql_err err;
    /* All tied: the only threshold has F_pos = F_neg = 1. */
    assert_int_equal(validate_ks(tied, y, 4, &ks, &at, &err), 0);
    assert_true(ks == 0.0 && at == 0.5);
    /* Separated: at t = 0.2 every negative and no positive is at or below. */
    assert_int_equal(validate_ks(sep, y, 4, &ks, &at, &err), 0);
    assert_true(ks == 1.0 && at == 0.2);
    mql_err_clear(&err);
    assert_int_equal(validate_ks(sep, ones, 4, &ks, &at, &err), MQL_EINPUT);
    assert_err_contains(&err, "both outcomes");
}

/* ---- Brier and log loss ---- */

static void test_brier_log_loss_hand(void **state)
{
    (void)state;
    NEAR(validate_brier(hand_p, hand_y, 7), 1.28 / 7.0, 1e-15);
    NEAR(validate_log_loss(hand_p, hand_y, 7), -log(0.0221184) / 7.0, 1e-14);
}

static void test_log_loss_clip(void **state)
{
    (void)state;
    /* p = 0 with y = 1 costs -ln(1e-15) = 34.538776394910684, not infinity. p = 1 with y = 0
     * is clipped to the double nearest 1 - 1e-15, which is 1 - 9.992007221626409e-16, and costs
     * -ln(9.992007221626409e-16) = 34.53957599234088. */
    static const double p0[] = {0.0}, p1[] = {1.0};
    static const unsigned char one[] = {1}, zero[] = {0};
    NEAR(validate_log_loss(p0, one, 1), 34.538776394910684, 1e-12);
    NEAR(validate_log_loss(p1, zero, 1), 34.53957599234088, 1e-12);
    NEAR(validate_log_loss(p1, one, 1), 1e-15, 1e-16);
    NEAR(validate_log_loss(p0, zero, 1), 1e-15, 1e-16);
    NEAR(validate_brier(p0, one, 1), 1.0, 0.0);
    NEAR(validate_brier(p1, one, 1), 0.0, 0.0);
}

/* ---- calibration ---- */

static void test_calibration_hand(void **state)
{
    (void)state;
    /* Sorted: 0.2(0) 0.4(1) 0.4(0) 0.4(0) 0.6(1) 0.6(0) 0.8(1). nbins = 3 puts the edges at
     * ceil(7/3) = 3, ceil(14/3) = 5 and 7. The run of 0.4 takes the count from 1 to 4, across
     * the edge at 3, and stays whole in bin 1 (n 4, mean (0.2 + 3 * 0.4)/4 = 0.35, 1 positive);
     * 0.6 reaches 6 >= 5 (bin 2: n 2, mean 0.6, 1 positive); 0.8 ends bin 3 (n 1, 1 positive).
     * Wilson at z: k = 1, n = 4 -> [0.045587..., 0.699358...]; k = 1, n = 2 -> centre 1/2. */
    struct validate_bin b[3];
    size_t nb = 0;
    struct mql_err err;
    assert_int_equal(validate_calibration(hand_p, hand_y, 7, 3, b, &nb, &err), 0);
    assert_int_equal(nb, 3);
    assert_int_equal(b[0].n, 4);
    assert_int_equal(b[0].positives, 1);
    assert_true(b[0].p_min == 0.2 && b[0].p_max == 0.4);
    NEAR(b[0].predicted, 0.35, 1e-15);
    assert_true(b[0].observed == 0.25);
    double lo, hi;
    validate_wilson(1, 4, Z95, &lo, &hi);
    assert_true(b[0].lo == lo && b[0].hi == hi);
    NEAR(lo, 0.04558726029536886, 1e-12);
    NEAR(hi, 0.6993581599030918, 1e-12);
    assert_int_equal(b[1].n, 2);
    assert_int_equal(b[1].positives, 1);
    assert_true(b[1].p_min == 0.6 && b[1].p_max == 0.6);
    NEAR(b[1].predicted, 0.6, 1e-15);
    assert_true(b[1].observed == 0.5);
    NEAR((b[1].lo + b[1].hi) / 2.0, 0.5, 1e-15);
    assert_int_equal(b[2].n, 1);
    assert_int_equal(b[2].positives, 1);
    assert_true(b[2].p_min == 0.8 && b[2].p_max == 0.8 && b[2].observed == 1.0);
    assert_true(b[2].hi == 1.0);
}

static void test_calibration_single_lead(void **state)
{
    (void)state;
    /* n = 1, one class only: fine for calibration. Wilson for 0 of 1: [0, z^2/(1 + z^2)]. */
    static const double p[] = {0.3};
    static const unsigned char y[] = {0};
    struct validate_bin b[10];
    size_t nb = 0;
    struct mql_err err;
    assert_int_equal(validate_calibration(p, y, 1, 10, b, &nb, &err), 0);
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].n, 1);
    assert_int_equal(b[0].positives, 0);
    assert_true(b[0].p_min == 0.3 && b[0].p_max == 0.3 && b[0].predicted == 0.3);
    assert_true(b[0].observed == 0.0 && b[0].lo == 0.0);
    NEAR(b[0].hi, Z95 * Z95 / (1.0 + Z95 * Z95), 1e-15);
}

static void test_calibration_more_bins_than_leads(void **state)
{
    (void)state;
    /* Three distinct values, ten bins: one bin each. With two of them tied: two bins. */
    static const double p[] = {0.7, 0.1, 0.4};
    static const double q[] = {0.7, 0.1, 0.7};
    static const unsigned char y[] = {1, 0, 0};
    struct validate_bin b[10];
    size_t nb = 0;
    struct mql_err err;
    assert_int_equal(validate_calibration(p, y, 3, 10, b, &nb, &err), 0);
    assert_int_equal(nb, 3);
    assert_true(b[0].p_min == 0.1 && b[1].p_min == 0.4 && b[2].p_min == 0.7);
    for (int i = 0; i < 3; i++)
        assert_int_equal(b[i].n, 1);
    assert_int_equal(b[2].positives, 1);
    assert_int_equal(validate_calibration(q, y, 3, 10, b, &nb, &err), 0);
    assert_int_equal(nb, 2);
    assert_int_equal(b[0].n, 1);
    assert_int_equal(b[1].n, 2);
    assert_int_equal(b[1].positives, 1);
    assert_true(b[1].observed == 0.5);
}

static void test_calibration_ties(void **state)
{
    (void)state;
    /* Ten leads, five bins (edges 2 4 6 8 10). Sorted: 0.1 0.1 0.1 0.1 0.1 0.1 0.5 0.6 0.9 0.9.
     * The run of six 0.1s passes the edges at 2, 4 and 6 and is one bin; 0.5 and 0.6 reach 8;
     * the two 0.9s reach 10. Three bins, sizes 6 2 2. */
    static const double p[] = {0.1, 0.9, 0.1, 0.5, 0.1, 0.1, 0.6, 0.1, 0.9, 0.1};
    static const unsigned char y[] = {0, 1, 0, 1, 0, 1, 0, 0, 1, 0};
    struct validate_bin b[5];
    size_t nb = 0;
    struct mql_err err;
    assert_int_equal(validate_calibration(p, y, 10, 5, b, &nb, &err), 0);
    assert_int_equal(nb, 3);
    assert_int_equal(b[0].n, 6);
    assert_int_equal(b[0].positives, 1);
    assert_true(b[0].p_min == 0.1 && b[0].p_max == 0.1);
    NEAR(b[0].predicted, 0.1, 1e-15);
    assert_int_equal(b[1].n, 2);
    assert_int_equal(b[1].positives, 1);
    assert_true(b[1].p_min == 0.5 && b[1].p_max == 0.6);
    NEAR(b[1].predicted, 0.55, 1e-15);
    assert_int_equal(b[2].n, 2);
    assert_int_equal(b[2].positives, 2);
    assert_true(b[2].hi == 1.0);

    /* All tied: one bin whatever nbins is. */
    static const double same[] = {0.2, 0.2, 0.2, 0.2};
    assert_int_equal(validate_calibration(same, y, 4, 10, b, &nb, &err), 0);
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].n, 4);
    assert_int_equal(b[0].positives, 2);
}

static void test_calibration_even_split(void **state)
{
    (void)state;
    /* 25 distinct leads in 10 bins: edges ceil(2.5 k) = 3 5 8 10 13 15 18 20 23 25. */
    double p[25];
    unsigned char y[25];
    for (int i = 0; i < 25; i++) {
        p[i] = (double)(24 - i) / 25.0;
        y[i] = (unsigned char)(i % 2);
    }
    struct validate_bin b[10];
    size_t nb = 0;
    struct mql_err err;
    assert_int_equal(validate_calibration(p, y, 25, 10, b, &nb, &err), 0);
    assert_int_equal(nb, 10);
    static const size_t want[] = {3, 2, 3, 2, 3, 2, 3, 2, 3, 2};
    size_t total = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(b[i].n, want[i]);
        total += b[i].n;
        if (i > 0)
            assert_true(b[i].p_min > b[i - 1].p_max);
    }
    assert_int_equal(total, 25);
}

static void test_calibration_bad_input(void **state)
{
    (void)state;
    double p[] = {0.2, 0.4};
    unsigned char y[] = {0, 1};
    struct validate_bin b[2];
    size_t nb = 7;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(validate_calibration(p, y, 0, 2, b, &nb, &err), MQL_EINPUT);
    assert_int_equal(nb, 0);
    assert_int_equal(validate_calibration(p, y, 2, 0, b, &nb, &err), MQL_EINPUT);
    p[1] = 1.5;
    assert_int_equal(validate_calibration(p, y, 2, 2, b, &nb, &err), MQL_EINPUT);
    assert_err_contains(&err, "probability 1: expected a value in [0, 1], got 1.5");
    p[1] = NAN;
    assert_int_equal(validate_calibration(p, y, 2, 2, b, &nb, &err), MQL_EINPUT);
    p[1] = 0.4;
    y[0] = 3;
    assert_int_equal(validate_calibration(p, y, 2, 2, b, &nb, &err), MQL_EINPUT);
    assert_err_contains(&err, "outcome 0");
}

/* ---- Wilson ---- */

static void test_wilson_known(void **state)
{
    (void)state;
    /* centre = (k + z^2/2)/(n + z^2), half = z/(n + z^2) sqrt(k(n - k)/n + z^2/4).
     * k = 0: [0, z^2/(n + z^2)]; k = n: [n/(n + z^2), 1]; k = n/2: centred on 1/2.
     * With z^2 = 3.841458881296 and n = 10: z^2/(n + z^2) = 0.277532803026...; half at k = 5 is
     * 1.959964/13.841458881296 * sqrt(2.5 + 0.960364720324) = 0.263406910988...
     * The rows are from scripts/reference-validate.R; prop.test(correct = FALSE) agrees to 1e-8
     * (it uses qnorm(0.975) rather than 1.959964). */
    static const double ref[][4] = {
        {0, 10, 0, 0.27753280302605776},
        {5, 10, 0.23659308901147935, 0.76340691098852065},
        {10, 10, 0.72246719697394224, 1},
        {1, 1, 0.20654931179180269, 1},
        {3, 7, 0.15821985399244537, 0.74954163724696432},
        {81, 263, 0.25528851948901582, 0.36620957745801946},
    };
    double z2 = Z95 * Z95;
    for (size_t i = 0; i < N_OF(ref); i++) {
        double lo, hi;
        validate_wilson((size_t)ref[i][0], (size_t)ref[i][1], Z95, &lo, &hi);
        NEAR(lo, ref[i][2], 1e-12);
        NEAR(hi, ref[i][3], 1e-12);
    }
    double lo, hi;
    validate_wilson(0, 10, Z95, &lo, &hi);
    assert_true(lo == 0.0);
    NEAR(hi, z2 / (10.0 + z2), 1e-15);
    validate_wilson(10, 10, Z95, &lo, &hi);
    assert_true(hi == 1.0);
    NEAR(lo, 10.0 / (10.0 + z2), 1e-15);
    validate_wilson(5, 10, Z95, &lo, &hi);
    NEAR(lo, 0.5 - 0.26340691098852065, 1e-12);
    NEAR(hi, 0.5 + 0.26340691098852065, 1e-12);
    validate_wilson(0, 0, Z95, &lo, &hi);
    assert_true(lo == 0.0 && hi == 1.0);
}

static void test_wilson_monotone(void **state)
{
    (void)state;
    /* Bounds stay in [0, 1], bracket k/n, and rise with k. */
    for (size_t n = 1; n <= 60; n++) {
        double plo = -1, phi = -1;
        for (size_t k = 0; k <= n; k++) {
            double lo, hi, r = (double)k / (double)n;
            validate_wilson(k, n, Z95, &lo, &hi);
            assert_true(lo >= 0.0 && hi <= 1.0 && lo <= r && r <= hi);
            assert_true(lo > plo && hi > phi);
            plo = lo;
            phi = hi;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_hand),
        cmocka_unit_test(test_auc_order_free),
        cmocka_unit_test(test_auc_all_tied),
        cmocka_unit_test(test_auc_perfect),
        cmocka_unit_test(test_auc_one_class),
        cmocka_unit_test(test_auc_bad_input),
        cmocka_unit_test(test_auc_singleton_class),
        cmocka_unit_test(test_auc_signed_zero_and_infinity),
        cmocka_unit_test(test_auc_matches_naive),
        cmocka_unit_test(test_proc_ties),
        cmocka_unit_test(test_proc_continuous),
        cmocka_unit_test(test_ks_hand),
        cmocka_unit_test(test_ks_edges),
        cmocka_unit_test(test_brier_log_loss_hand),
        cmocka_unit_test(test_log_loss_clip),
        cmocka_unit_test(test_calibration_hand),
        cmocka_unit_test(test_calibration_single_lead),
        cmocka_unit_test(test_calibration_more_bins_than_leads),
        cmocka_unit_test(test_calibration_ties),
        cmocka_unit_test(test_calibration_even_split),
        cmocka_unit_test(test_calibration_bad_input),
        cmocka_unit_test(test_wilson_known),
        cmocka_unit_test(test_wilson_monotone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
