/* Unit tests for include/mqlcal/points.h on a hand-made encoding and model result. */
#include "testutil.h"

#include <math.h>

#include "mqlcal/points.h"

/*
 * The encoding (design columns in brackets, "ref" the reference level):
 *   0 job      fit         a [1]   b ref   c [2]
 *   1 views    engagement  0 ref   1 [3]   2+ [4]
 *   2 channel  none        web ref email [5]   (column 5 aliased)
 *   3 leaky    fit         x, y    excluded: no columns
 * Coefficients: intercept -1, a 0.5, c -0.35, views 1 0.8, views 2+ 1.6, email 9.9 (but
 * aliased, so it counts as 0).
 */
#define NATTRS 4
#define P 6
static const double BETA[P] = {-1.0, 0.5, -0.35, 0.8, 1.6, 9.9};
static const unsigned char ALIASED[P] = {0, 0, 0, 0, 0, 1};

struct fixture {
    struct encode_level job[3], views[3], channel[2], leaky[2];
    struct encode_attr attrs[NATTRS];
    struct encoding enc;
    double beta[P], se[P];
    unsigned char aliased[P];
    struct model_result m;
    struct config cfg;
};

static void level(struct encode_level *l, const char *label, int column)
{
    memset(l, 0, sizeof *l);
    l->label = (char *)label;
    l->lo = l->hi = NAN;
    l->column = column;
    l->count = 10;
}

static void attr(struct encode_attr *a, const char *name, enum attr_group group,
                 struct encode_level *levels, size_t nlevels, size_t reference)
{
    memset(a, 0, sizeof *a);
    a->name = (char *)name;
    a->kind = ATTR_CATEGORICAL;
    a->group = group;
    a->levels = levels;
    a->nlevels = nlevels;
    a->reference = reference;
    a->missing_level = reference;
    a->unseen_level = reference;
}

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    level(&f->job[0], "a", 1);
    level(&f->job[1], "b", -1);
    level(&f->job[2], "c", 2);
    level(&f->views[0], "0", -1);
    level(&f->views[1], "1", 3);
    level(&f->views[2], "2+", 4);
    level(&f->channel[0], "web", -1);
    level(&f->channel[1], "email", 5);
    level(&f->leaky[0], "x", -1);
    level(&f->leaky[1], "y", -1);
    attr(&f->attrs[0], "job", GROUP_FIT, f->job, 3, 1);
    attr(&f->attrs[1], "views", GROUP_ENGAGEMENT, f->views, 3, 0);
    attr(&f->attrs[2], "channel", GROUP_NONE, f->channel, 2, 0);
    attr(&f->attrs[3], "leaky", GROUP_FIT, f->leaky, 2, 0);
    f->attrs[3].excluded = 1;
    snprintf(f->attrs[3].why, sizeof f->attrs[3].why, "leaks");
    f->enc.attrs = f->attrs;
    f->enc.nattrs = NATTRS;
    f->enc.ncols = P;
    memcpy(f->beta, BETA, sizeof f->beta);
    memcpy(f->aliased, ALIASED, sizeof f->aliased);
    for (size_t j = 0; j < P; j++)
        f->se[j] = ALIASED[j] ? NAN : 0.1;
    f->m.p = P;
    f->m.beta = f->beta;
    f->m.se = f->se;
    f->m.aliased = f->aliased;
    f->m.naliased = 1;
    f->m.converged = 1;
    f->cfg.pdo = 20;
    f->cfg.anchor_score = 100;
    f->cfg.anchor_odds = 1;
}

static void build_ok(const struct fixture *f, struct points_table *pt)
{
    struct mql_err err;
    mql_err_clear(&err);
    int rc = points_build(&f->enc, &f->m, &f->cfg, pt, &err);
    if (rc)
        fail_msg("points_build failed (%d): %s", rc, err.msg);
    assert_int_equal(pt->nattrs, NATTRS);
}

static void check_points(const struct points_table *pt, size_t a, const int *want, size_t n)
{
    for (size_t l = 0; l < n; l++)
        if (pt->points[a][l] != want[l])
            fail_msg("attribute %zu level %zu: %d points, want %d", a, l, pt->points[a][l],
                     want[l]);
}

/*
 * pdo 20, anchor 100 at odds 1:
 *   factor = 20 / ln 2 = 28.8539...; offset = 100 - factor * ln 1 = 100
 *   job a: round(28.854 * 0.5) = round(14.427) = 14; c: round(-10.099) = -10
 *   views 1: round(23.083) = 23; 2+: round(46.166) = 46
 *   email: aliased, 0; leaky: excluded, 0; references 0
 *   base = round(100 + 28.854 * -1) = round(71.146) = 71
 *   min score = 71 - 10 = 61; max score = 71 + 14 + 46 = 131
 */
static void test_pdo(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct points_table pt;
    build_ok(&f, &pt);
    assert_false(pt.use_range);
    assert_near(pt.factor, 20 / log(2.0), 1e-12);
    assert_near(pt.factor, 28.853900817779268, 1e-12);
    assert_near(pt.offset, 100, 1e-12);
    assert_int_equal(pt.base, 71);
    check_points(&pt, 0, (const int[]){14, 0, -10}, 3);
    check_points(&pt, 1, (const int[]){0, 23, 46}, 3);
    check_points(&pt, 2, (const int[]){0, 0}, 2);
    check_points(&pt, 3, (const int[]){0, 0}, 2);
    assert_int_equal(pt.min_score, 61);
    assert_int_equal(pt.max_score, 131);
    assert_int_equal(pt.group[0], GROUP_FIT);
    assert_int_equal(pt.group[1], GROUP_ENGAGEMENT);
    assert_int_equal(pt.group[2], GROUP_NONE);
    /* the rule, for every level: round(factor * beta), 0 for references and aliased */
    for (size_t a = 0; a < NATTRS; a++)
        for (size_t l = 0; l < f.attrs[a].nlevels; l++) {
            int c = f.attrs[a].levels[l].column;
            double b = c > 0 && !ALIASED[c] ? BETA[c] : 0;
            assert_int_equal(pt.points[a][l], (int)lround(pt.factor * b));
        }
    points_release(&pt);
    points_release(&pt); /* zeroed: fine */
    points_release(NULL);
}

/*
 * pdo 50, anchor 600 at odds 4 (scores like 600 = "4 to 1"):
 *   factor = 50 / ln 2 = 72.1348; offset = 600 - factor * ln 4 = 600 - 100 = 500
 *   base = round(500 - 72.135) = 428; a: round(36.067) = 36; c: round(-25.247) = -25;
 *   views 1: round(57.708) = 58; 2+: round(115.416) = 115
 */
static void test_pdo_anchor(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    f.cfg.pdo = 50;
    f.cfg.anchor_score = 600;
    f.cfg.anchor_odds = 4;
    struct points_table pt;
    build_ok(&f, &pt);
    assert_near(pt.factor, 50 / log(2.0), 1e-12);
    assert_near(pt.offset, 500, 1e-9);
    assert_int_equal(pt.base, 428);
    check_points(&pt, 0, (const int[]){36, 0, -25}, 3);
    check_points(&pt, 1, (const int[]){0, 58, 115}, 3);
    assert_int_equal(pt.min_score, 428 - 25);
    assert_int_equal(pt.max_score, 428 + 36 + 115);
    /* the anchor score stands for the anchor odds, 4 : 1 */
    assert_near(points_probability(&pt, 600), 0.8, 1e-12);
    /* pdo more points double the odds: 650 is 8 : 1 */
    assert_near(points_probability(&pt, 650), 8.0 / 9.0, 1e-12);
    assert_near(points_probability(&pt, 550), 2.0 / 3.0, 1e-12);
    points_release(&pt);
}

/* score = base + the level points; fit and engagement are the sums over their groups (the
 * base and ungrouped attributes belong to neither). */
static void test_score(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct points_table pt;
    build_ok(&f, &pt);
    int fit = -999, eng = -999;
    /* a, 2+, web, x: 71 + 14 + 46 + 0 + 0 */
    assert_int_equal(points_score(&pt, (const uint16_t[]){0, 2, 0, 0}, &fit, &eng), 131);
    assert_int_equal(fit, 14);
    assert_int_equal(eng, 46);
    /* c, 1, email (aliased), y (excluded): 71 - 10 + 23 */
    assert_int_equal(points_score(&pt, (const uint16_t[]){2, 1, 1, 1}, &fit, &eng), 84);
    assert_int_equal(fit, -10);
    assert_int_equal(eng, 23);
    /* all references: the base */
    assert_int_equal(points_score(&pt, (const uint16_t[]){1, 0, 0, 0}, &fit, &eng), 71);
    assert_int_equal(fit, 0);
    assert_int_equal(eng, 0);
    /* sub-scores are optional */
    assert_int_equal(points_score(&pt, (const uint16_t[]){0, 1, 0, 0}, NULL, NULL), 71 + 14 + 23);
    assert_int_equal(points_score(&pt, (const uint16_t[]){0, 1, 0, 0}, &fit, NULL), 71 + 14 + 23);
    assert_int_equal(fit, 14);
    /* with an ungrouped attribute that has points: it counts in the total only */
    f.aliased[5] = 0;
    f.beta[5] = 0.25; /* round(28.854 * 0.25) = round(7.213) = 7 */
    points_release(&pt);
    build_ok(&f, &pt);
    assert_int_equal(pt.points[2][1], 7);
    assert_int_equal(points_score(&pt, (const uint16_t[]){0, 1, 1, 0}, &fit, &eng),
                     71 + 14 + 23 + 7);
    assert_int_equal(fit, 14);
    assert_int_equal(eng, 23);
    /* every lead's score lies in [min_score, max_score], and the extremes are reached */
    int lo = 1 << 30, hi = -(1 << 30);
    for (uint16_t a = 0; a < 3; a++)
        for (uint16_t b = 0; b < 3; b++)
            for (uint16_t c = 0; c < 2; c++)
                for (uint16_t d = 0; d < 2; d++) {
                    int s = points_score(&pt, (const uint16_t[]){a, b, c, d}, &fit, &eng);
                    int rest = s - pt.base - fit - eng;
                    assert_int_equal(rest, pt.points[2][c]);
                    lo = s < lo ? s : lo;
                    hi = s > hi ? s : hi;
                }
    assert_int_equal(lo, pt.min_score);
    assert_int_equal(hi, pt.max_score);
    points_release(&pt);
}

/* points_probability is the inverse of the scaling: offset means even odds, and
 * offset + factor * eta means probability 1 / (1 + exp(-eta)). */
static void test_probability(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct points_table pt;
    build_ok(&f, &pt);
    assert_near(points_probability(&pt, pt.offset), 0.5, 1e-15);
    assert_near(points_probability(&pt, 100), 0.5, 1e-15);
    static const double etas[] = {-5, -1.3, -0.25, 0.7, 2, 6};
    for (size_t i = 0; i < sizeof etas / sizeof etas[0]; i++) {
        double score = pt.offset + pt.factor * etas[i];
        assert_near(points_probability(&pt, score), 1 / (1 + exp(-etas[i])), 1e-14);
    }
    /* 20 points double the odds */
    double p0 = points_probability(&pt, 90), p1 = points_probability(&pt, 110);
    assert_near((p1 / (1 - p1)) / (p0 / (1 - p0)), 2, 1e-12);
    /* the base stands for about the intercept's probability (rounding: within half a point) */
    double pb = points_probability(&pt, pt.base);
    double lo = 1 / (1 + exp(-(-1.0 - 0.5 / pt.factor))),
           hi = 1 / (1 + exp(-(-1.0 + 0.5 / pt.factor)));
    assert_true(pb >= lo && pb <= hi);
    /* monotone */
    for (int s = 0; s < 200; s++)
        assert_true(points_probability(&pt, s + 1) > points_probability(&pt, s));
    points_release(&pt);
}

/*
 * range 0 100: the linear predictor runs from eta_min = -1 - 0.35 = -1.35 (c, views 0) to
 * eta_max = -1 + 0.5 + 1.6 = 1.1 (a, 2+); factor = 100 / 2.45 = 40.8163...
 *   job (lowest c, -0.35): a round(40.816 * 0.85) = round(34.694) = 35,
 *                          b round(40.816 * 0.35) = round(14.286) = 14, c 0
 *   views (lowest 0): 0, round(32.653) = 33, round(65.306) = 65
 *   base = 0; min score 0; max score 35 + 65 = 100
 *   offset = 0 - factor * eta_min = 55.102...: score 0 stands for eta_min, 100 for eta_max.
 */
static void test_range(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    f.cfg.use_range = 1;
    f.cfg.range_lo = 0;
    f.cfg.range_hi = 100;
    struct points_table pt;
    build_ok(&f, &pt);
    assert_true(pt.use_range);
    assert_near(pt.factor, 100 / 2.45, 1e-9);
    assert_near(pt.offset, 100 / 2.45 * 1.35, 1e-9);
    assert_int_equal(pt.base, 0);
    check_points(&pt, 0, (const int[]){35, 14, 0}, 3);
    check_points(&pt, 1, (const int[]){0, 33, 65}, 3);
    check_points(&pt, 2, (const int[]){0, 0}, 2);
    check_points(&pt, 3, (const int[]){0, 0}, 2);
    assert_int_equal(pt.min_score, 0);
    assert_int_equal(pt.max_score, 100);
    /* each attribute's lowest level has 0 points */
    for (size_t a = 0; a < NATTRS; a++) {
        int lo = pt.points[a][0];
        for (size_t l = 1; l < f.attrs[a].nlevels; l++)
            lo = pt.points[a][l] < lo ? pt.points[a][l] : lo;
        assert_int_equal(lo, 0);
    }
    assert_near(points_probability(&pt, 0), 1 / (1 + exp(1.35)), 1e-12);
    assert_near(points_probability(&pt, 100), 1 / (1 + exp(-1.1)), 1e-12);
    points_release(&pt);

    /* range 300 850 (a credit-score look): base 300, scores 300 .. about 850 */
    f.cfg.range_lo = 300;
    f.cfg.range_hi = 850;
    build_ok(&f, &pt);
    assert_int_equal(pt.base, 300);
    assert_int_equal(pt.min_score, 300);
    /* rounding: at most half a point per attribute */
    assert_true(abs(pt.max_score - 850) <= NATTRS / 2 + 1);
    assert_near(points_probability(&pt, 300), 1 / (1 + exp(1.35)), 1e-12);
    assert_near(points_probability(&pt, 850), 1 / (1 + exp(-1.1)), 1e-12);
    points_release(&pt);
}

/* Negative coefficients only: the range still starts at lo, and in pdo scaling points are
 * negative and the minimum score sums them. */
static void test_negative_coefficients(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    /* a -0.9, c -0.2, views 1 -0.4, 2+ -1.2 */
    f.beta[1] = -0.9;
    f.beta[2] = -0.2;
    f.beta[3] = -0.4;
    f.beta[4] = -1.2;
    struct points_table pt;
    build_ok(&f, &pt);
    /* 28.854 * (-0.9, -0.2, -0.4, -1.2) = -25.97, -5.77, -11.54, -34.62 */
    check_points(&pt, 0, (const int[]){-26, 0, -6}, 3);
    check_points(&pt, 1, (const int[]){0, -12, -35}, 3);
    assert_int_equal(pt.max_score, 71);
    assert_int_equal(pt.min_score, 71 - 26 - 35);
    points_release(&pt);

    f.cfg.use_range = 1;
    f.cfg.range_lo = 0;
    f.cfg.range_hi = 100;
    build_ok(&f, &pt);
    /* eta from -1 - 0.9 - 1.2 = -3.1 to -1: factor 100 / 2.1; job: b (0) is the highest,
     * a the lowest: a 0, b round(0.9 * 47.619) = 43, c round(0.7 * 47.619) = 33;
     * views: 2+ 0, 0 round(1.2 * 47.619) = 57, 1 round(0.8 * 47.619) = 38 */
    assert_near(pt.factor, 100 / 2.1, 1e-9);
    check_points(&pt, 0, (const int[]){0, 43, 33}, 3);
    check_points(&pt, 1, (const int[]){57, 38, 0}, 3);
    assert_int_equal(pt.min_score, 0);
    assert_int_equal(pt.max_score, 100);
    points_release(&pt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdo),   cmocka_unit_test(test_pdo_anchor),
        cmocka_unit_test(test_score), cmocka_unit_test(test_probability),
        cmocka_unit_test(test_range), cmocka_unit_test(test_negative_coefficients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
